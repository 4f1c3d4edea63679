package handler

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// routeSpec is how the fault, hostile and leak tests configure, sign and address one route.
// Every route the handler serves must have one (TestEveryRouteHasASpec): adding a route is
// adding a row here.
type routeSpec struct {
	path   string
	scheme string // webhook.Sign scheme
	key    string // secret JSON key holding the signing secret
	secret string // what the secret holds
	sign   string // what Sign takes: the Discord seed, else the secret itself
	kind   routeKind
	body   func(action, id string) []byte
	header map[string]string // sent with every request besides the signature
}

// routeKind says how a route answers once the signature is accepted.
type routeKind int

const (
	machineRoute routeKind = iota // /webhook: the answer table's statuses
	chatRoute                     // always 200, a message explaining the outcome
	ticketRoute                   // the answer table's statuses; no id in the payload is a 200
)

// Distinctive signing secrets of the provider routes, searched for by the leak test.
var (
	specDiscordSeed = strings.Repeat("a7", 32)
	specTeamsToken  = base64.StdEncoding.EncodeToString([]byte("LEAKTEST-teams-hmac-key"))
	specServiceNow  = "whsec_" + base64.StdEncoding.EncodeToString(
		[]byte("LEAKTEST-servicenow-hmac-key"))
)

func mustDiscordPublicKey(seed string) string {
	k, err := webhook.DiscordPublicKey(seed)
	if err != nil {
		panic(err)
	}
	return k
}

func jsonCommand(action, id string) []byte {
	return mustJSON(map[string]any{"executionId": id, "action": action})
}

func ticketCommand(action, id string) []byte {
	return mustJSON(map[string]any{"executionId": "Please stop " + id, "action": action})
}

func slackForm(action, id string) []byte { return requestBody("/slack", action, id) }

var routeSpecs = []routeSpec{
	{path: "/slack", scheme: webhook.SchemeSlack, key: "slack_signing_secret",
		secret: testSlackSecret, kind: chatRoute, body: slackForm,
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
	{path: "/webhook", scheme: webhook.SchemeStandardWebhooks, key: "webhook_secret",
		secret: testWebhookSecret, kind: machineRoute, body: jsonCommand,
		header: map[string]string{"Content-Type": "application/json"}},
	{path: "/teams", scheme: webhook.SchemeTeams, key: "teams_security_token",
		secret: specTeamsToken, kind: chatRoute,
		body: func(action, id string) []byte {
			return mustJSON(map[string]any{"type": "message", "id": "1",
				"text": "<at>CancelBot</at> " + action + " " + id,
				"from": map[string]any{"id": "29:1", "aadObjectId": "aad-1"}})
		}},
	{path: "/discord", scheme: webhook.SchemeDiscord, key: "discord_public_key",
		secret: mustDiscordPublicKey(specDiscordSeed), sign: specDiscordSeed, kind: chatRoute,
		body: func(action, id string) []byte {
			return mustJSON(map[string]any{"type": 2, "id": "9", "token": "t",
				"member": map[string]any{"user": map[string]any{"id": "1001"}},
				"data": map[string]any{"name": "wfcancel", "options": []any{map[string]any{
					"name": action, "type": 1, "options": []any{map[string]any{
						"name": "execution_id", "type": 3, "value": id}}}}}})
		}},
	{path: "/mattermost", scheme: webhook.SchemeMattermost, key: "mattermost_token",
		secret: "mm-LEAKTEST-token-3c9", kind: chatRoute,
		body: func(action, id string) []byte {
			return []byte("user_id=u1&command=%2Fwfcancel&text=" + url.QueryEscape(action+" "+id))
		},
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
	{path: "/github", scheme: webhook.SchemeGitHub, key: "github_secret",
		secret: "gh-LEAKTEST-secret-81f", kind: ticketRoute, body: ticketCommand,
		header: map[string]string{"X-GitHub-Event": "issues",
			"Content-Type": "application/json"}},
	{path: "/gitlab", scheme: webhook.SchemeGitLabToken, key: "gitlab_token",
		secret: "gl-LEAKTEST-token-5e2", kind: ticketRoute, body: ticketCommand,
		header: map[string]string{"X-Gitlab-Event": "Issue Hook"}},
	{path: "/jira", scheme: webhook.SchemeJira, key: "jira_secret",
		secret: "jira-LEAKTEST-secret-0d4", kind: ticketRoute, body: ticketCommand},
	{path: "/pagerduty", scheme: webhook.SchemePagerDuty, key: "pagerduty_secret",
		secret: "pd-LEAKTEST-secret-77a", kind: ticketRoute, body: ticketCommand},
	{path: "/zendesk", scheme: webhook.SchemeZendesk, key: "zendesk_secret",
		secret: "zd-LEAKTEST-secret-2b8", kind: ticketRoute, body: ticketCommand},
	{path: "/servicenow", scheme: webhook.SchemeStandardWebhooks, key: "servicenow_secret",
		secret: specServiceNow, kind: ticketRoute, body: ticketCommand},
}

// readsAction reports whether the route reads the action from its payload; the other ticket
// routes always cancel unless an action pointer is configured.
func (s routeSpec) readsAction() bool {
	return s.kind != ticketRoute || s.path == "/servicenow"
}

func specFor(t testing.TB, path string) routeSpec {
	t.Helper()
	for _, s := range routeSpecs {
		if s.path == path {
			return s
		}
	}
	t.Fatalf("no routeSpec for %s", path)
	return routeSpec{}
}

// trySign returns the headers that make body valid on the route at now, with the route's
// other headers.
func (s routeSpec) trySign(body []byte, now time.Time) (map[string]string, error) {
	key := s.sign
	if key == "" {
		key = s.secret
	}
	h, err := webhook.Sign(s.scheme, key, body, now)
	if err != nil {
		return nil, err
	}
	for k, v := range s.header {
		h[k] = v
	}
	return h, nil
}

// signature is trySign failing the test on an error.
func (s routeSpec) signature(t testing.TB, body []byte, now time.Time) map[string]string {
	t.Helper()
	h, err := s.trySign(body, now)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// event is a signed POST of body to the route in the given event shape.
func (s routeSpec) event(t testing.TB, shape string, body []byte, now time.Time) []byte {
	t.Helper()
	return shapes[shape]("POST", s.path, s.signature(t, body, now), body, false)
}

// servedSpecs are the specs of the routes the handler serves.
func servedSpecs(h *Handler) []routeSpec {
	var out []routeSpec
	for _, s := range routeSpecs {
		if _, ok := h.routes[s.path]; ok {
			out = append(out, s)
		}
	}
	return out
}

// TestEveryRouteHasASpec keeps the fault, hostile and leak tests covering every route.
func TestEveryRouteHasASpec(t *testing.T) {
	e := newRealEnv(t)
	for path := range e.h.routes {
		if !slices.ContainsFunc(routeSpecs, func(s routeSpec) bool { return s.path == path }) {
			t.Errorf("route %s has no routeSpec row: add one to routeSpecs", path)
		}
	}
}

// hostileIDs are execution ids an attacker might try to smuggle into the SailPoint path.
var hostileIDs = []struct{ name, id string }{
	{"dot-dot slash", "../../v3/workflows"},
	{"dot-dot after a uuid", runningID + "/../../x"},
	{"escaped slash", "c17bea3a%2F574d-453c-9e04-4365fbf5af0b"},
	{"escaped dots", "%2e%2e%2fc17bea3a-574d-453c-9e04-4365fbf5af0b"},
	{"query", runningID + "?x=1"},
	{"fragment", runningID + "#frag"},
	{"inner space", "c17bea3a-574d 453c-9e04-4365fbf5af0b"},
	{"newline", runningID + "\nX-Injected: 1"},
	{"carriage return", "c17bea3a-574d-453c-9e04-4365fbf5af0b\r"},
	{"unicode look-alike dash", "c17bea3a\u2010574d-453c-9e04-4365fbf5af0b"},
	{"fullwidth digits", "\uff43\uff11\uff17bea3a-574d-453c-9e04-4365fbf5af0b"},
	{"cyrillic a", "c17be\u0430\u0430-574d-453c-9e04-4365fbf5af0b"},
	{"10000 characters", strings.Repeat("a", 10000)},
	{"uuid of 10000 characters", strings.Repeat(runningID, 280)},
	{"null byte", runningID + "\x00"},
	{"requestId lookalike", "41e12a74fa7b4a6a98ae47887b64acdb"},
}

// TestHostileExecutionIDs: no hostile id reaches SailPoint. /webhook, which takes the id
// field as it is, answers 400 with no upstream call, the token endpoint included. The chat
// routes split their text into words and the ticket routes find the id in free text, so
// there an id with junk around it (a trailing newline, "?x=1") may still name a valid
// execution: either the request is refused with no upstream call, or the only calls made
// are for that execution, at its canonical path.
func TestHostileExecutionIDs(t *testing.T) {
	e := newRealEnv(t)
	for _, spec := range servedSpecs(e.h) {
		for _, row := range hostileIDs {
			t.Run(spec.path+"/"+row.name, func(t *testing.T) {
				e := newRealEnv(t)
				r := e.invoke(spec.event(t, "httpapi", spec.body("cancel", row.id),
					e.clock.now()))
				if spec.kind != machineRoute && e.calls().cancel > 0 {
					e.onlyCanonicalCalls(t)
					return
				}
				checkRefused(t, spec, r)
				e.noCalls(t, 1)
			})
		}
	}
}

// onlyCanonicalCalls fails when SailPoint received a call for anything but a dashed UUID at
// its canonical path.
func (e *realEnv) onlyCanonicalCalls(t *testing.T) {
	t.Helper()
	for _, c := range e.sim.Calls() {
		if c.Op == sailpointtest.OpToken {
			continue
		}
		want := "/v3/workflow-executions/" + c.ExecutionID + "/cancel"
		if !canonicalID.MatchString(c.ExecutionID) || c.Path != want {
			t.Errorf("SailPoint received %s %s for id %q", c.Method, c.Path, c.ExecutionID)
		}
	}
}

var canonicalID = regexp.MustCompile(
	`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// checkRefused checks a verified request was refused in the route's own way.
func checkRefused(t *testing.T, spec routeSpec, r response) {
	t.Helper()
	switch spec.kind {
	case machineRoute:
		checkProblem(t, r, 400)
	case chatRoute:
		if r.StatusCode != 200 {
			t.Errorf("status %d, want a 200 reply explaining the mistake: %s",
				r.StatusCode, r.Body)
		}
	case ticketRoute:
		if r.StatusCode != 200 && r.StatusCode != 400 {
			t.Errorf("status %d, want 400 or an ignoring 200: %s", r.StatusCode, r.Body)
		}
	}
	if strings.Contains(r.Body, "cancel requested") || strings.Contains(r.Body, "Cancel requested") {
		t.Errorf("a hostile request was acted on: %s", r.Body)
	}
}

// noCalls fails when anything but the given number of secret reads reached the fakes.
func (e *realEnv) noCalls(t *testing.T, secretReads int) {
	t.Helper()
	if got, want := e.calls(), (calls{secret: secretReads}); got != want {
		t.Errorf("upstream calls: %v; want %v", got, want)
	}
}

// TestSlackWhitespaceSeparatesWords: on Slack, whitespace around an id only separates words,
// so a padded id still works, while an id split by whitespace does not.
func TestSlackWhitespaceSeparatesWords(t *testing.T) {
	e := newRealEnv(t)
	body := []byte("command=%2Fwfcancel&text=" + url.QueryEscape("  cancel \t "+runningID+"  "))
	r := e.invoke(e.signedEvent("/slack", body))
	checkSlack(t, r, []string{"Cancel requested", runningID})
}

// hostileBodies are verified bodies (signed correctly) that must still be refused unread.
var hostileBodies = []struct {
	name   string
	route  string
	body   []byte
	status int // on /webhook; 200 on chat routes
}{
	{"invalid UTF-8", "/webhook", []byte("{\"executionId\": \"\xff\xfe" + runningID + "\"}"), 400},
	{"invalid UTF-8 in a form", "/slack", []byte("text=cancel+%ff%fe" + runningID), 200},
	{"deeply nested JSON", "/webhook", []byte(strings.Repeat("[", 5000) +
		strings.Repeat("]", 5000)), 400},
	{"deeply nested object", "/webhook", []byte(`{"executionId":"` + runningID + `","x":` +
		strings.Repeat(`{"a":`, 3000) + "1" + strings.Repeat("}", 3000) + "}"), 400},
	{"duplicate keys", "/webhook", []byte(`{"executionId":"` + finishedID +
		`","executionId":"` + runningID + `"}`), 400},
	{"keys equal but for case", "/webhook", []byte(`{"executionId":"` + finishedID +
		`","ExecutionID":"` + runningID + `"}`), 400},
	{"duplicate action", "/webhook", []byte(`{"executionId":"` + runningID +
		`","action":"status","action":"cancel"}`), 400},
	{"repeated text field", "/slack", []byte("text=status+" + finishedID + "&text=cancel+" +
		runningID), 200},
	{"not JSON", "/webhook", []byte("executionId=" + runningID), 400},
	{"JSON array", "/webhook", []byte(`["` + runningID + `"]`), 400},
	{"trailing data", "/webhook", []byte(`{"executionId":"` + runningID + `"} {}`), 400},
	{"unknown action", "/webhook", []byte(`{"executionId":"` + runningID +
		`","action":"delete"}`), 400},
}

func TestHostileBodies(t *testing.T) {
	for _, row := range hostileBodies {
		t.Run(row.name, func(t *testing.T) {
			e := newRealEnv(t)
			h := specFor(t, row.route).signature(t, row.body, e.clock.now())
			// Base64, as API Gateway sends a body that is not valid UTF-8.
			r := e.invoke(httpAPIEvent("POST", row.route, h, row.body, true))
			if row.route == "/slack" {
				checkSlack(t, r, nil)
			} else {
				checkProblem(t, r, row.status)
			}
			e.noCalls(t, 1)
		})
	}
}

// TestHostileBodiesOnJSONRoutes sends the JSON attacks to every route that reads JSON.
func TestHostileBodiesOnJSONRoutes(t *testing.T) {
	bodies := map[string][]byte{
		"deeply nested": []byte(strings.Repeat("[", 5000) + strings.Repeat("]", 5000)),
		"duplicate keys": []byte(`{"executionId":"` + finishedID + `","executionId":"` +
			runningID + `"}`),
		"keys equal but for case": []byte(`{"executionId":"` + finishedID +
			`","EXECUTIONID":"` + runningID + `"}`),
		"invalid UTF-8": []byte("{\"executionId\": \"\xff" + runningID + "\"}"),
	}
	e := newRealEnv(t)
	for _, spec := range servedSpecs(e.h) {
		if spec.header["Content-Type"] == "application/x-www-form-urlencoded" {
			continue
		}
		for name, body := range bodies {
			t.Run(spec.path+"/"+name, func(t *testing.T) {
				e := newRealEnv(t)
				h := spec.signature(t, body, e.clock.now())
				r := e.invoke(httpAPIEvent("POST", spec.path, h, body, true))
				checkRefused(t, spec, r)
				e.noCalls(t, 1)
			})
		}
	}
}

// TestHostileEvents covers attacks on the event and its headers, before or at verification:
// each is a problem with no SailPoint call, on every route and in every event shape.
func TestHostileEvents(t *testing.T) {
	big := strings.Repeat("b", MaxBody+1)
	rows := []struct {
		name   string
		event  func(e *realEnv, spec routeSpec, shape string) []byte
		status int
		reads  int // secret reads
	}{
		{
			name: "body over the limit",
			event: func(e *realEnv, s routeSpec, shape string) []byte {
				return shapes[shape]("POST", s.path, s.signature(e.t, []byte(big),
					e.clock.now()), []byte(big), false)
			},
			status: 413,
		},
		{
			name: "base64 body over the limit",
			event: func(e *realEnv, s routeSpec, shape string) []byte {
				return shapes[shape]("POST", s.path, s.signature(e.t, []byte(big),
					e.clock.now()), []byte(big), true)
			},
			status: 413,
		},
		{
			name: "invalid base64",
			event: func(e *realEnv, s routeSpec, shape string) []byte {
				ev := shapes[shape]("POST", s.path, nil, []byte("x"), true)
				return []byte(strings.Replace(string(ev), `"eA=="`, `"@@not base64@@"`, 1))
			},
			status: 400,
		},
		{
			name: "no signature headers",
			event: func(e *realEnv, s routeSpec, shape string) []byte {
				body := s.body("cancel", runningID)
				return shapes[shape]("POST", s.path, s.header, body, false)
			},
			status: 401, reads: 1,
		},
		{
			name: "signature headers over 8 KiB",
			event: func(e *realEnv, s routeSpec, shape string) []byte {
				body := s.body("cancel", runningID)
				h := s.signature(e.t, body, e.clock.now())
				for k, v := range h {
					if _, plain := s.header[k]; !plain {
						h[k] = v + strings.Repeat(" ", 9<<10)
					}
				}
				return shapes[shape]("POST", s.path, h, body, false)
			},
			status: 401, reads: 1,
		},
		{
			name: "signed an hour in the future",
			event: func(e *realEnv, s routeSpec, shape string) []byte {
				return s.eventAt(e, shape, e.clock.now().Add(time.Hour))
			},
			status: 401, reads: 1,
		},
		{
			name: "signed an hour ago",
			event: func(e *realEnv, s routeSpec, shape string) []byte {
				return s.eventAt(e, shape, e.clock.now().Add(-time.Hour))
			},
			status: 401, reads: 1,
		},
		{
			name: "GET",
			event: func(e *realEnv, s routeSpec, shape string) []byte {
				return shapes[shape]("GET", s.path, nil, nil, false)
			},
			status: 405,
		},
		{
			name: "DELETE with a valid signature",
			event: func(e *realEnv, s routeSpec, shape string) []byte {
				body := s.body("cancel", runningID)
				return shapes[shape]("DELETE", s.path, s.signature(e.t, body, e.clock.now()),
					body, false)
			},
			status: 405,
		},
	}
	e := newRealEnv(t)
	for _, row := range rows {
		for _, spec := range servedSpecs(e.h) {
			for _, shape := range []string{"httpapi", "rest", "functionurl"} {
				t.Run(row.name+spec.path+"/"+shape, func(t *testing.T) {
					e := newRealEnv(t)
					r := e.invoke(row.event(e, spec, shape))
					if !timed(spec) && strings.HasPrefix(row.name, "signed an hour") {
						// The scheme signs no timestamp: the old delivery verifies.
						return
					}
					checkProblem(t, r, row.status)
					if got := e.calls(); got.token+got.cancel+got.get != 0 ||
						got.secret != row.reads {
						t.Errorf("upstream calls: %v; want %d secret reads only", got, row.reads)
					}
				})
			}
		}
	}
}

// timed reports whether the route's scheme signs a timestamp.
func timed(s routeSpec) bool {
	switch s.scheme {
	case webhook.SchemeSlack, webhook.SchemeStandardWebhooks, webhook.SchemeDiscord,
		webhook.SchemeZendesk:
		return true
	}
	return false
}

// eventAt is a cancel request on the route signed at the given time.
func (s routeSpec) eventAt(e *realEnv, shape string, at time.Time) []byte {
	body := s.body("cancel", runningID)
	return shapes[shape]("POST", s.path, s.signature(e.t, body, at), body, false)
}

// TestHostileTimestamps: a timestamp that is not ASCII digits in its scheme's format (no
// sign, fraction, exponent, spaces; RFC 3339 for Zendesk) or is negative is refused with 401,
// even when the signature is computed over that very text.
func TestHostileTimestamps(t *testing.T) {
	type scheme struct {
		route, header string
		sign          func(stamp string, body []byte) map[string]string
	}
	schemes := []scheme{
		{"/slack", "X-Slack-Request-Timestamp", func(stamp string, body []byte) map[string]string {
			return signSlackAt(stamp, body)
		}},
		{"/webhook", "webhook-timestamp", func(stamp string, body []byte) map[string]string {
			return signStandardAt(testWebhookSecret, stamp, body)
		}},
	}
	now := time.Now().Unix()
	stamps := []string{
		fmt.Sprintf("+%d", now), fmt.Sprintf("%d.0", now), fmt.Sprintf("%de0", now),
		fmt.Sprintf(" %d", now), fmt.Sprintf("%d ", now), fmt.Sprintf("0x%x", now),
		fmt.Sprintf("%d,%d", now, now), "-1", fmt.Sprintf("-%d", now),
		"\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660", // Arabic-Indic digits
		"99999999999999999999", "", time.Now().UTC().Format(time.RFC3339),
	}
	for _, s := range schemes {
		for _, stamp := range stamps {
			t.Run(fmt.Sprintf("%s/%q", s.route, stamp), func(t *testing.T) {
				e := newRealEnv(t)
				body := specFor(t, s.route).body("cancel", runningID)
				r := e.invoke(httpAPIEvent("POST", s.route, s.sign(stamp, body), body, false))
				checkProblem(t, r, 401)
				e.noCalls(t, 1)
			})
		}
	}
}

// TestHostileZendeskTimestamps: Zendesk's timestamp is RFC 3339; Unix seconds, a missing zone
// or a stamp far away are refused.
func TestHostileZendeskTimestamps(t *testing.T) {
	e := newRealEnv(t)
	if _, ok := e.h.routes["/zendesk"]; !ok {
		t.Skip("no /zendesk route")
	}
	spec := specFor(t, "/zendesk")
	now := time.Now().UTC()
	stamps := []string{
		fmt.Sprint(now.Unix()), now.Format("2006-01-02T15:04:05"),
		now.Add(time.Hour).Format(time.RFC3339), "-" + now.Format(time.RFC3339),
		now.Format(time.RFC1123), "",
	}
	for _, stamp := range stamps {
		t.Run(stamp, func(t *testing.T) {
			e := newRealEnv(t)
			body := spec.body("cancel", runningID)
			mac := hmacSHA256([]byte(spec.secret), []byte(stamp), body)
			h := map[string]string{
				"X-Zendesk-Webhook-Signature-Timestamp": stamp,
				"X-Zendesk-Webhook-Signature":           base64.StdEncoding.EncodeToString(mac),
			}
			r := e.invoke(httpAPIEvent("POST", "/zendesk", h, body, false))
			checkProblem(t, r, 401)
			e.noCalls(t, 1)
		})
	}
}

// TestRepeatedSignatureHeadersInRESTEvents: a REST event that shows a repeated signature,
// timestamp or id header is refused with 400 on every route.
func TestRepeatedSignatureHeadersInRESTEvents(t *testing.T) {
	e := newRealEnv(t)
	for _, spec := range servedSpecs(e.h) {
		t.Run(spec.path, func(t *testing.T) {
			e := newRealEnv(t)
			body := spec.body("cancel", runningID)
			h := spec.signature(t, body, e.clock.now())
			multi := map[string][]string{}
			for k, v := range h {
				multi[k] = []string{v}
				if _, plain := spec.header[k]; !plain {
					multi[k] = []string{v, v}
				}
			}
			ev := mustJSON(map[string]any{
				"resource": spec.path, "path": spec.path, "httpMethod": "POST",
				"headers": h, "multiValueHeaders": multi,
				"requestContext": map[string]any{"stage": "prod"}, "body": string(body),
			})
			r := e.invoke(ev)
			checkProblem(t, r, 400)
			e.noCalls(t, 1)
		})
	}
}

// TestEventsOfNoKnownShape: an event that is neither API Gateway, a function URL nor the
// function's own deferred event is a 400 answer, never a runtime error.
func TestEventsOfNoKnownShape(t *testing.T) {
	events := map[string]string{
		"empty":           ``,
		"null":            `null`,
		"number":          `42`,
		"array":           `[{"version":"2.0"}]`,
		"empty object":    `{}`,
		"S3 notification": `{"Records":[{"eventSource":"aws:s3","s3":{}}]}`,
		"scheduled event": `{"source":"aws.events","detail-type":"Scheduled Event"}`,
		"version 3.0":     `{"version":"3.0","requestContext":{"http":{"method":"POST"}}}`,
		"v2 without a method": `{"version":"2.0","routeKey":"POST /webhook",` +
			`"requestContext":{"http":{}}}`,
		"REST without resource": `{"httpMethod":"POST","path":"/webhook"}`,
		"wrong field types":     `{"version":2,"httpMethod":["POST"],"resource":{}}`,
		"truncated":             `{"version":"2.0","routeKey":"POST /webhook"`,
		"deeply nested":         strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000),
		"hand-off with a second member": `{"deferred":{"payload":"{}","mac":"00"},` +
			`"version":"2.0"}`,
	}
	for name, raw := range events {
		t.Run(name, func(t *testing.T) {
			e := newRealEnv(t)
			r := e.invoke([]byte(raw))
			checkProblem(t, r, 400)
			e.noCalls(t, 0)
		})
	}
}

// TestUserFieldsCannotForgeLogLines: newlines and control characters in what the caller sent
// never start a new log line.
func TestUserFieldsCannotForgeLogLines(t *testing.T) {
	forged := "\n{\"level\":\"INFO\",\"msg\":\"request\",\"outcome\":\"cancel_requested\"}\n"
	e := newRealEnv(t)
	for _, spec := range servedSpecs(e.h) {
		t.Run(spec.path, func(t *testing.T) {
			e := newRealEnv(t)
			e.invoke(spec.event(t, "httpapi", spec.body("cancel", runningID+forged),
				e.clock.now()))
			e.invoke(spec.event(t, "httpapi", spec.body("status\r\x1b[2J", runningID+forged),
				e.clock.now()))
			requests := 0
			for _, l := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("log line %q is not JSON: %v", l, err)
				}
				if m["message"] == "request" {
					requests++
				}
				if strings.ContainsAny(l, "\x1b\r") {
					t.Errorf("log line carries a control character: %q", l)
				}
			}
			if requests != 2 {
				t.Errorf("%d request log lines for 2 requests:\n%s", requests, e.logs)
			}
		})
	}
}

// TestBadSignatureFloodReadsTheSecretOnce: 200 bad signatures on every route cost exactly one
// secret read, and nothing reaches SailPoint.
func TestBadSignatureFloodReadsTheSecretOnce(t *testing.T) {
	e := newRealEnv(t)
	specs := servedSpecs(e.h)
	for i := range 200 {
		spec := specs[i%len(specs)]
		body := spec.body("cancel", runningID)
		h := spec.signature(t, body, e.clock.now())
		for k, v := range h {
			if isSignatureHeader(k) {
				h[k] = breakSignature(v)
			}
		}
		r := e.invoke(httpAPIEvent("POST", spec.path, h, body, false))
		if r.StatusCode != 401 {
			t.Fatalf("request %d on %s: status %d, want 401", i, spec.path, r.StatusCode)
		}
	}
	e.noCalls(t, 1)
}

// signSlackAt signs body for /slack with the timestamp text as given.
func signSlackAt(stamp string, body []byte) map[string]string {
	mac := hmacSHA256([]byte(testSlackSecret), []byte("v0:"+stamp+":"), body)
	return map[string]string{
		"X-Slack-Request-Timestamp": stamp,
		"X-Slack-Signature":         "v0=" + hex.EncodeToString(mac),
	}
}

// signStandardAt signs body under Standard Webhooks with the timestamp text as given.
func signStandardAt(secret, stamp string, body []byte) map[string]string {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		panic(err)
	}
	id := "msg_hostile"
	mac := hmacSHA256(key, []byte(id+"."+stamp+"."), body)
	return map[string]string{
		"webhook-id":        id,
		"webhook-timestamp": stamp,
		"webhook-signature": "v1," + base64.StdEncoding.EncodeToString(mac),
	}
}

func hmacSHA256(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// breakSignature changes the last character of a signature value, so it no longer matches.
func breakSignature(v string) string {
	// Change a character in the middle: it lies inside the MAC whatever the prefix, it is
	// never base64 padding, and '0' and '1' differ from every other character in any case,
	// so a hex verifier that ignores case still sees a different MAC.
	mid := len(v) / 2
	repl := byte('0')
	if v[mid] == '0' {
		repl = '1'
	}
	return v[:mid] + string(repl) + v[mid+1:]
}

// TestForgedHandOffsReachNothing: an event shaped as the function's own deferred hand-off
// but not signed with its internal key never reaches SailPoint or a reply address, and is
// never a runtime error.
func TestForgedHandOffsReachNothing(t *testing.T) {
	payload := string(mustJSON(map[string]any{"action": "cancel", "executionId": runningID,
		"replyUrl": "https://hooks.slack.com/commands/1/2/3", "provider": "slack",
		"at": time.Now().Unix()}))
	events := map[string]any{
		"no MAC":       map[string]any{"payload": payload},
		"wrong MAC":    map[string]any{"payload": payload, "mac": strings.Repeat("ab", 32)},
		"MAC too long": map[string]any{"payload": payload, "mac": strings.Repeat("ab", 5000)},
		"empty":        map[string]any{},
		"not object":   "cancel " + runningID,
		"null":         nil,
		"wrong types":  map[string]any{"payload": 42, "mac": []int{1}},
	}
	for name, inner := range events {
		t.Run(name, func(t *testing.T) {
			e := newRealEnv(t)
			e.invoke(mustJSON(map[string]any{"deferred": inner}))
			if got := e.calls(); got.token+got.cancel+got.get != 0 {
				t.Errorf("upstream calls: %v; want no SailPoint call", got)
			}
		})
	}
}
