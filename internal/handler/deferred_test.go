package handler

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

const (
	testSigningKey = "internal-signing-key-LEAKCHECK-42"
	testARN        = "arn:aws:lambda:us-east-1:123456789012:function:wfcancel:live"
	deferSeed      = "6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a"
)

// recordingInvoker stands in for the Lambda API: it records hand-offs, or fails.
type recordingInvoker struct {
	mu     sync.Mutex
	calls  []invocation
	err    error
	called int
}

type invocation struct {
	arn   string
	event []byte
}

func (r *recordingInvoker) Async(_ context.Context, arn string, event []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.called++
	if r.err != nil {
		return r.err
	}
	r.calls = append(r.calls, invocation{arn, event})
	return nil
}

// deferredEnv is an env in deferred mode whose reply targets are replaced by the given
// loopback server (nil: production hosts), with a Discord public key and the signing key.
func deferredEnv(t *testing.T, replies *replyServer, access config.Access) (*env,
	*recordingInvoker) {
	t.Helper()
	e := newEnv(t)
	public, err := webhook.DiscordPublicKey(deferSeed)
	if err != nil {
		t.Fatal(err)
	}
	e.secrets.bundle = bundle(t, map[string]any{signingKeyName: testSigningKey,
		"discord_public_key": public})
	inv := &recordingInvoker{}
	e.rewire(func(o *Options) {
		o.ResponseMode = config.ResponseDeferred
		o.ReplyClient = testReplyClient()
		o.Invoker = inv
		o.Access = access
		if replies != nil {
			o.TestReplyHosts = map[string]string{"slack": "127.0.0.1", "discord": "127.0.0.1"}
		}
	})
	if replies != nil {
		e.h.replies.origins["discord"] = replies.URL
	}
	return e, inv
}

// invokeAs invokes the handler as the function testARN.
func (e *env) invokeAs(event []byte) []byte {
	e.t.Helper()
	ctx := lambdacontext.NewContext(context.Background(),
		&lambdacontext.LambdaContext{AwsRequestID: "req-1", InvokedFunctionArn: testARN})
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	out, err := e.h.Invoke(ctx, event)
	if err != nil {
		e.t.Fatalf("Invoke returned an error to the runtime: %v", err)
	}
	return out
}

func (e *env) slackDeferred(text, replyURL string) response {
	e.t.Helper()
	body := slackCommandForm(map[string]string{"text": text, "response_url": replyURL,
		"team_id": "T1", "user_id": "U1"})
	var r response
	out := e.invokeAs(httpAPIEvent("POST", "/slack", e.sign("/slack", body), body, false))
	if err := json.Unmarshal(out, &r); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func TestSlackHandOff(t *testing.T) {
	rows := []struct {
		name, text, replyURL string
		access               config.Access
		invokeErr            error
		noKey                bool
		wantText             string
		wantHandOff          bool
	}{
		{name: "cancel is acknowledged and handed off", text: "cancel " + runningID,
			replyURL: "https://hooks.slack.com/commands/T1/2/3",
			wantText: "Cancelling " + runningID + "…", wantHandOff: true},
		{name: "status is acknowledged and handed off", text: "status " + runningID,
			replyURL: "https://hooks.slack.com/commands/T1/2/3",
			wantText: "Looking up " + runningID + "…", wantHandOff: true},
		{name: "help is answered at once", text: "help",
			replyURL: "https://hooks.slack.com/commands/T1/2/3", wantText: "Commands:"},
		{name: "a foreign reply address is refused", text: "cancel " + runningID,
			replyURL: "https://hooks.slack.com.evil.example/commands/1", wantText: "Not allowed"},
		{name: "a reply host with a Kelvin sign for k is refused", text: "cancel " + runningID,
			replyURL: "https://hoo\u212As.slack.com/commands/1", wantText: "Not allowed"},
		{name: "a caller outside the allow-list is refused", text: "cancel " + runningID,
			replyURL: "https://hooks.slack.com/commands/T1/2/3",
			access:   config.Access{SlackUsers: []string{"U7"}}, wantText: "Not allowed"},
		{name: "a failed hand-off says so", text: "cancel " + runningID,
			replyURL:  "https://hooks.slack.com/commands/T1/2/3",
			invokeErr: errors.New("throttled"), wantText: "could not be handed off"},
		{name: "no signing key, no hand-off", text: "cancel " + runningID,
			replyURL: "https://hooks.slack.com/commands/T1/2/3", noKey: true,
			wantText: "internal_signing_key"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e, inv := deferredEnv(t, nil, row.access)
			inv.err = row.invokeErr
			if row.noKey {
				e.secrets.bundle = bundle(t, nil)
			}
			r := e.slackDeferred(row.text, row.replyURL)
			text, _ := r.json(t)["text"].(string)
			if r.StatusCode != 200 || !strings.Contains(text, row.wantText) {
				t.Fatalf("answer %d %s; want text with %q", r.StatusCode, r.Body, row.wantText)
			}
			e.noUpstream()
			if got := len(inv.calls); got != map[bool]int{true: 1}[row.wantHandOff] {
				t.Fatalf("hand-offs %d; want %t", got, row.wantHandOff)
			}
			if !row.wantHandOff {
				return
			}
			if inv.calls[0].arn != testARN {
				t.Errorf("invoked %s; want the running function %s", inv.calls[0].arn, testARN)
			}
			ev, ok := asDeferred(inv.calls[0].event)
			if !ok {
				t.Fatalf("hand-off event %s is not recognised", inv.calls[0].event)
			}
			p, err := open(ev, []string{testSigningKey}, e.now)
			if err != nil || p.Provider != "slack" || p.Team != "T1" || p.User != "U1" ||
				p.ExecutionID != runningID || p.At != e.now.Unix() || p.Nonce == "" {
				t.Errorf("payload %+v, %v", p, err)
			}
			if len(e.logLines("audit")) != 0 {
				t.Error("the synchronous half wrote the audit line of a handed-off command")
			}
		})
	}
}

func TestDiscordDeferredAcknowledgement(t *testing.T) {
	e, inv := deferredEnv(t, nil, config.Access{})
	body := []byte(`{"type":2,"application_id":"123","token":"tok","guild_id":"G1",` +
		`"member":{"user":{"id":"D1"}},"data":{"name":"wfcancel","options":[{"name":"cancel",` +
		`"type":1,"options":[{"name":"execution_id","type":3,"value":"` + runningID + `"}]}]}}`)
	h, err := webhook.Sign(webhook.SchemeDiscord, deferSeed, body, e.now)
	if err != nil {
		t.Fatal(err)
	}
	// The second delivery is a replay: acknowledged the same way, not handed off again.
	for range 2 {
		var r response
		if err := json.Unmarshal(e.invokeAs(httpAPIEvent("POST", "/discord", h, body, false)),
			&r); err != nil {
			t.Fatal(err)
		}
		if r.Body != `{"data":{"flags":64},"type":5}` {
			t.Errorf("answer %s; want a deferred ephemeral response", r.Body)
		}
	}
	e.noUpstream()
	if len(inv.calls) != 1 {
		t.Fatalf("hand-offs %d; want 1", len(inv.calls))
	}
	ev, _ := asDeferred(inv.calls[0].event)
	p, err := open(ev, []string{testSigningKey}, e.now)
	if err != nil || p.ReplyURL != "https://discord.com/api/v10/webhooks/123/tok/messages/@original" {
		t.Errorf("payload %+v, %v", p, err)
	}
}

func TestOpen(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	payload := func(at time.Time, action, id string) handOff {
		return handOff{Action: action, ExecutionID: id, Provider: "slack",
			ReplyURL: "https://hooks.slack.com/commands/1", At: at.Unix(), Nonce: "n1"}
	}
	sealed := func(p handOff, key string) deferredEvent {
		ev, _ := asDeferred(seal(p, key))
		return ev
	}
	good := sealed(payload(now, "cancel", runningID), testSigningKey)
	rows := []struct {
		name string
		ev   deferredEvent
		keys []string
		ok   bool
	}{
		{name: "valid", ev: good, keys: []string{testSigningKey}, ok: true},
		{name: "signed with the previous key during rotation", ev: good,
			keys: []string{"new-key", testSigningKey}, ok: true},
		{name: "wrong key", ev: good, keys: []string{"other"}},
		{name: "no key configured", ev: good},
		{name: "missing MAC", ev: deferredEvent{Payload: good.Payload},
			keys: []string{testSigningKey}},
		{name: "MAC in upper case", ev: deferredEvent{Payload: good.Payload,
			MAC: strings.ToUpper(good.MAC)}, keys: []string{testSigningKey}},
		{name: "payload changed after signing", ev: deferredEvent{
			Payload: strings.Replace(good.Payload, "cancel", "status", 1), MAC: good.MAC},
			keys: []string{testSigningKey}},
		{name: "900 s old is still fresh",
			ev:   sealed(payload(now.Add(-900*time.Second), "cancel", runningID), testSigningKey),
			keys: []string{testSigningKey}, ok: true},
		{name: "901 s old is stale",
			ev:   sealed(payload(now.Add(-901*time.Second), "cancel", runningID), testSigningKey),
			keys: []string{testSigningKey}},
		{name: "60 s ahead is tolerated",
			ev:   sealed(payload(now.Add(60*time.Second), "cancel", runningID), testSigningKey),
			keys: []string{testSigningKey}, ok: true},
		{name: "61 s ahead is refused",
			ev:   sealed(payload(now.Add(61*time.Second), "cancel", runningID), testSigningKey),
			keys: []string{testSigningKey}},
		{name: "unknown action",
			ev:   sealed(payload(now, "help", runningID), testSigningKey),
			keys: []string{testSigningKey}},
		{name: "malformed execution id",
			ev:   sealed(payload(now, "cancel", "../admin"), testSigningKey),
			keys: []string{testSigningKey}},
		{name: "no nonce", ev: sealed(handOff{Action: "cancel", ExecutionID: runningID,
			Provider: "slack", ReplyURL: "https://hooks.slack.com/commands/1", At: now.Unix()},
			testSigningKey), keys: []string{testSigningKey}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			_, err := open(row.ev, row.keys, now)
			if (err == nil) != row.ok {
				t.Fatalf("err = %v; want ok %t", err, row.ok)
			}
			if err != nil && strings.Contains(err.Error(), testSigningKey) {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
}

func TestAsDeferred(t *testing.T) {
	rows := []struct {
		raw string
		ok  bool
	}{
		{`{"deferred":{"payload":"{}","mac":"00"}}`, true},
		{` {"deferred":null}`, true},
		{`{"deferred":{},"version":"2.0"}`, false},
		{`{"version":"2.0","routeKey":"POST /slack"}`, false},
		{`[{"deferred":{}}]`, false},
		{`"deferred"`, false},
	}
	for _, row := range rows {
		if _, ok := asDeferred([]byte(row.raw)); ok != row.ok {
			t.Errorf("asDeferred(%s) = %t; want %t", row.raw, ok, row.ok)
		}
	}
}

func TestDeferredHalfDoesTheWorkAndDeliversOnce(t *testing.T) {
	rows := []struct {
		name, provider, text string
		access               config.Access
		wantMethod, wantText string
		wantCancels          int
	}{
		{name: "slack cancel", provider: "slack", text: "cancel " + runningID,
			wantMethod: "POST", wantText: "Cancel requested for workflow execution",
			wantCancels: 1},
		{name: "slack status", provider: "slack", text: "status " + runningID,
			wantMethod: "POST", wantText: "is Running"},
		{name: "workflow outside the list is refused in the deferred half", provider: "slack",
			text: "cancel " + runningID, access: config.Access{Workflows: []string{"wf-9"}},
			wantMethod: "POST", wantText: "Not allowed"},
		{name: "finished execution with the workflow list", provider: "slack",
			text: "cancel " + finishedID, access: config.Access{Workflows: []string{"wf-1"}},
			wantMethod: "POST", wantText: "already finished (Completed)"},
		{name: "discord cancel edits the original response", provider: "discord",
			text: "cancel " + runningID, wantMethod: "PATCH",
			wantText: "Cancel requested for workflow execution", wantCancels: 1},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			srv := newReplyServer(t)
			e, _ := deferredEnv(t, srv, row.access)
			action, id, _ := strings.Cut(row.text, " ")
			replyURL := srv.URL + "/commands/T1/2/secret-token"
			if row.provider == "discord" {
				replyURL = srv.URL + "/api/v10/webhooks/123/tok/messages/@original"
			}
			event := seal(handOff{Action: action, ExecutionID: id, ReplyURL: replyURL,
				Provider: row.provider, Team: "T1", User: "U1", At: e.now.Unix(),
				Nonce: "n1"}, testSigningKey)

			out := e.invokeAs(event)

			if !strings.Contains(string(out), `"status":"done"`) ||
				!strings.Contains(string(out), `"delivered":true`) {
				t.Errorf("deferred answer %s", out)
			}
			if len(srv.requests) != 1 || !strings.HasPrefix(srv.requests[0], row.wantMethod) ||
				!strings.Contains(srv.requests[0], row.wantText) {
				t.Fatalf("follow-ups %q; want one %s with %q", srv.requests, row.wantMethod,
					row.wantText)
			}
			if n := e.sim.Count("cancel"); n != row.wantCancels {
				t.Errorf("cancels %d, want %d", n, row.wantCancels)
			}
			audits := e.logLines("audit")
			if len(audits) != 1 || audits[0]["user"] != "U1" ||
				audits[0]["provider"] != row.provider {
				t.Errorf("audit lines %v; want one for U1", audits)
			}
			if strings.Contains(e.logs.String(), "secret-token") ||
				strings.Contains(e.logs.String(), testSigningKey) {
				t.Error("the logs hold the reply URL or the signing key")
			}
		})
	}
}

// TestARedeliveredHandOffIsServedOnce: Lambda may deliver an asynchronous event more than
// once. The hand-off made by the synchronous half, delivered twice, cancels once, follows
// up once and is audited once; the second delivery is refused.
func TestARedeliveredHandOffIsServedOnce(t *testing.T) {
	for _, provider := range []string{"slack", "discord"} {
		t.Run(provider, func(t *testing.T) {
			srv := newReplyServer(t)
			e, inv := deferredEnv(t, srv, config.Access{})
			body := slackCommandForm(map[string]string{"team_id": "T1", "user_id": "U1",
				"response_url": srv.URL + "/commands/T1/2/3"})
			headers := e.sign("/slack", body)
			if provider == "discord" {
				body = []byte(`{"type":2,"application_id":"123","token":"tok",` +
					`"member":{"user":{"id":"D1"}},"data":{"name":"wfcancel","options":[{` +
					`"name":"cancel","type":1,"options":[{"name":"execution_id","type":3,` +
					`"value":"` + runningID + `"}]}]}}`)
				headers = mustSign(t, webhook.SchemeDiscord, deferSeed, body, e.now)
			}
			e.invokeAs(httpAPIEvent("POST", "/"+provider, headers, body, false))
			if len(inv.calls) != 1 {
				t.Fatalf("hand-offs %d; want 1", len(inv.calls))
			}

			first := e.invokeAs(inv.calls[0].event)
			second := e.invokeAs(inv.calls[0].event)

			if !strings.Contains(string(first), `"delivered":true`) ||
				string(second) != `{"status":"refused","delivered":false}` {
				t.Errorf("answers %s then %s; want done then refused", first, second)
			}
			if n := e.sim.Count("cancel"); n != 1 {
				t.Errorf("cancels %d, want 1", n)
			}
			if len(srv.requests) != 1 {
				t.Errorf("follow-ups %d, want 1", len(srv.requests))
			}
			if audits := e.logLines("audit"); len(audits) != 1 {
				t.Errorf("audit lines %d, want 1", len(audits))
			}
		})
	}
}

func mustSign(t *testing.T, scheme, key string, body []byte, now time.Time) map[string]string {
	t.Helper()
	h, err := webhook.Sign(scheme, key, body, now)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestDeferredHalfRefusesBadHandOffs(t *testing.T) {
	srv := newReplyServer(t)
	valid := func(e *env) handOff {
		return handOff{Action: "cancel", ExecutionID: runningID, Provider: "slack",
			ReplyURL: srv.URL + "/commands/1", At: e.now.Unix(), Nonce: "n1"}
	}
	rows := []struct {
		name  string
		event func(e *env) []byte
	}{
		{name: "wrong key", event: func(e *env) []byte { return seal(valid(e), "guess") }},
		{name: "stale", event: func(e *env) []byte {
			p := valid(e)
			p.At -= 901
			return seal(p, testSigningKey)
		}},
		{name: "reply address outside the allowed hosts", event: func(e *env) []byte {
			p := valid(e)
			p.ReplyURL = "https://example.com/commands/1"
			return seal(p, testSigningKey)
		}},
		{name: "no payload", event: func(*env) []byte { return []byte(`{"deferred":{}}`) }},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e, _ := deferredEnv(t, srv, config.Access{})
			out := e.invokeAs(row.event(e))
			if string(out) != `{"status":"refused","delivered":false}` {
				t.Errorf("answer %s; want refused", out)
			}
			e.noUpstream()
			if len(srv.requests) != 0 {
				t.Errorf("follow-ups %q; want none", srv.requests)
			}
			if len(e.logLines("deferred")) != 1 {
				t.Errorf("logs %s; want one deferred line", e.logs)
			}
		})
	}
}

// TestInvokeTellsHandOffsFromRequests: an event whose one member is "deferred" is a hand-off,
// whatever escapes spell that name; anything else, a request with such a member included, is
// read as an API Gateway or function URL event.
func TestInvokeTellsHandOffsFromRequests(t *testing.T) {
	srv := newReplyServer(t)
	handOffOf := func(e *env) string {
		ev := sealFor(e, "slack", srv.URL+"/commands/1", "n1", testSigningKey)
		return strings.TrimSuffix(strings.TrimPrefix(string(ev), `{"deferred":`), "}")
	}
	rows := []struct {
		name  string
		event func(e *env) string
		want  string
	}{
		{name: "a hand-off", want: `"status":"done"`,
			event: func(e *env) string { return `{"deferred":` + handOffOf(e) + `}` }},
		{name: "a hand-off whose member name is escaped", want: `"status":"done"`,
			event: func(e *env) string { return `{"d\u0065ferred":` + handOffOf(e) + `}` }},
		{name: "a hand-off of null is refused as one", want: `"status":"refused"`,
			event: func(*env) string { return ` {"deferred":null}` }},
		{name: "another case of the name is no hand-off", want: `"statusCode":400`,
			event: func(e *env) string { return `{"Deferred":` + handOffOf(e) + `}` }},
		{name: "a hand-off beside other members is no hand-off", want: `"statusCode":400`,
			event: func(e *env) string { return `{"deferred":` + handOffOf(e) + `,"x":1}` }},
		{name: "a request with a deferred member is a request", want: `"statusCode":200`,
			event: func(e *env) string {
				body := []byte("text=help")
				ev := string(httpAPIEvent("POST", "/slack", e.sign("/slack", body), body, false))
				return `{"deferred":{},` + strings.TrimPrefix(ev, "{")
			}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e, _ := deferredEnv(t, srv, config.Access{})
			out := e.invokeAs([]byte(row.event(e)))
			if !strings.Contains(string(out), row.want) {
				t.Errorf("answer %s; want %s", out, row.want)
			}
		})
	}
}
