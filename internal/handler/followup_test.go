package handler

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/config"
)

func TestReplyTargetCheck(t *testing.T) {
	production := newReplyTargets(routes(0, nil), nil, nil)
	discordPath := "/api/v10/webhooks/123456/tok_EN-1.x/messages/@original"
	rows := []struct {
		name, provider, raw string
		ok                  bool
	}{
		{name: "slack response_url", provider: "slack",
			raw: "https://hooks.slack.com/commands/T1/2/abc", ok: true},
		{name: "slack host in capitals", provider: "slack",
			raw: "https://HOOKS.Slack.COM/commands/T1/2/abc", ok: true},
		{name: "slack port 443", provider: "slack",
			raw: "https://hooks.slack.com:443/commands/1", ok: true},
		{name: "slack other port", provider: "slack",
			raw: "https://hooks.slack.com:8443/commands/1"},
		{name: "slack plain http", provider: "slack", raw: "http://hooks.slack.com/commands/1"},
		{name: "slack user info", provider: "slack",
			raw: "https://evil@hooks.slack.com/commands/1"},
		{name: "slack look-alike suffix", provider: "slack",
			raw: "https://hooks.slack.com.evil.example/commands/1"},
		{name: "slack subdomain", provider: "slack", raw: "https://x.hooks.slack.com/commands/1"},
		{name: "slack query", provider: "slack", raw: "https://hooks.slack.com/commands/1?x=1"},
		{name: "slack relative", provider: "slack", raw: "/commands/1"},
		{name: "slack empty", provider: "slack", raw: ""},
		{name: "slack loopback", provider: "slack", raw: "http://127.0.0.1:8080/commands/1"},
		{name: "discord original response", provider: "discord",
			raw: "https://discord.com" + discordPath, ok: true},
		{name: "discord other path", provider: "discord",
			raw: "https://discord.com/api/v10/channels/1/messages"},
		{name: "discord escaped traversal", provider: "discord",
			raw: "https://discord.com/api/v10/webhooks/1/%2e%2e/messages/@original"},
		{name: "discord dot segment for a token", provider: "discord",
			raw: "https://discord.com/api/v10/webhooks/1/../messages/@original"},
		{name: "discord other host", provider: "discord",
			raw: "https://discordapp.com" + discordPath},
		{name: "slack address for discord", provider: "discord",
			raw: "https://hooks.slack.com" + discordPath},
		{name: "slack host with a Kelvin sign for k", provider: "slack",
			raw: "https://hoo\u212As.slack.com/commands/1"},
		{name: "slack host with an escaped Kelvin sign for k", provider: "slack",
			raw: "https://hoo%E2%84%AAs.slack.com/commands/1"},
		{name: "slack host with a dotless i", provider: "slack",
			raw: "https://hooks.sl\u0131ck.com/commands/1"},
		{name: "slack host with a Cyrillic o", provider: "slack",
			raw: "https://h\u043eoks.slack.com/commands/1"},
		{name: "slack host with a fullwidth letter", provider: "slack",
			raw: "https://hooks.slac\uff4b.com/commands/1"},
		{name: "slack host with a long s", provider: "slack",
			raw: "https://hook\u017f.slack.com/commands/1"},
		{name: "slack host in punycode", provider: "slack",
			raw: "https://xn--hos-dg8a.slack.com/commands/1"},
		{name: "slack host with a punycode label", provider: "slack",
			raw: "https://hooks.xn--slck-9na.com/commands/1"},
		{name: "discord host with an o umlaut", provider: "discord",
			raw: "https://disc\u00f6rd.com" + discordPath},
		{name: "discord host with a dotless i", provider: "discord",
			raw: "https://d\u0131scord.com" + discordPath},
		{name: "discord host in punycode", provider: "discord",
			raw: "https://xn--dscord-3ya.com" + discordPath},
		{name: "mattermost answers synchronously", provider: "mattermost",
			raw: "https://chat.example.com/hooks/1"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			_, err := production.check(row.provider, row.raw)
			if row.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !row.ok {
				if !errors.Is(err, errReplyTarget) {
					t.Fatalf("err = %v; want a refusal", err)
				}
				if strings.Contains(err.Error(), "/commands") ||
					strings.Contains(err.Error(), "tok_EN") {
					t.Errorf("the error shows more than the host: %v", err)
				}
			}
		})
	}
}

func TestReplyTargetCheckWithATestHost(t *testing.T) {
	targets := newReplyTargets(routes(0, nil), nil, map[string]string{"slack": "127.0.0.1"})
	if _, err := targets.check("slack", "http://127.0.0.1:4567/commands/1"); err != nil {
		t.Errorf("loopback stand-in refused: %v", err)
	}
	if _, err := targets.check("slack", "https://hooks.slack.com/commands/1"); err == nil {
		t.Error("the replaced host is still accepted")
	}
}

func TestNewRequiresAReplyClientInDeferredMode(t *testing.T) {
	defer func() {
		msg, _ := recover().(string)
		if !strings.HasPrefix(msg, "handler: ") || !strings.Contains(msg, "ReplyClient") {
			t.Errorf("panic %q, want a handler: message naming ReplyClient", msg)
		}
	}()
	New(Options{ResponseMode: config.ResponseDeferred})
}

func TestDeliverWithoutAReplyClientFailsWithoutPosting(t *testing.T) {
	srv := newReplyServer(t)
	targets := newReplyTargets(routes(0, nil), nil, map[string]string{"slack": "127.0.0.1"})
	u, _ := url.Parse(srv.URL + "/commands/1")
	attempts, err := targets.deliver(t.Context(), "slack", u, []byte(`{"x":1}`))
	if err == nil || attempts != 0 {
		t.Errorf("deliver = %d, %v; want 0 attempts and an error", attempts, err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.requests) != 0 {
		t.Errorf("%d requests reached the reply target, want none", len(srv.requests))
	}
}

// TestASyncHandlerRefusesAHandOffBeforeActing: a handler in sync mode has no reply client, so
// a signed hand-off that reaches it (one sent before a switch from deferred mode) is refused
// before any SailPoint call, rather than acted on with its answer dropped.
func TestASyncHandlerRefusesAHandOffBeforeActing(t *testing.T) {
	srv := newReplyServer(t)
	e, _ := deferredEnv(t, srv, config.Access{})
	e.rewire(func(o *Options) {
		o.ResponseMode = config.ResponseSync
		o.TestReplyHosts = map[string]string{"slack": "127.0.0.1", "discord": "127.0.0.1"}
	})
	e.h.replies.origins["discord"] = srv.URL

	out := e.invokeAs(sealFor(e, "slack", srv.URL+"/commands/T1/2/x", "nonce-sync", testSigningKey))
	if !strings.Contains(string(out), `"refused"`) {
		t.Errorf("hand-off answered %s, want refused", out)
	}
	if n := e.sim.Count("cancel"); n != 0 {
		t.Errorf("SailPoint received %d cancels, want none", n)
	}
	if len(srv.requests) != 0 {
		t.Errorf("follow-ups posted: %v", srv.requests)
	}
}

// testReplyClient posts follow-ups in tests as function.OutboundClient does in the Lambda:
// it never follows a redirect.
func testReplyClient() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// replyServer is a loopback reply target that answers with a scripted status per request.
type replyServer struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	requests []string // method and body
}

func newReplyServer(t *testing.T, statuses ...int) *replyServer {
	s := &replyServer{statuses: statuses}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+string(body))
		status := http.StatusOK
		if len(s.statuses) > 0 {
			status, s.statuses = s.statuses[0], s.statuses[1:]
		}
		s.mu.Unlock()
		if status == 0 { // drop the connection
			if hj, ok := w.(http.Hijacker); ok {
				conn, _, _ := hj.Hijack()
				_ = conn.Close()
			}
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestDeliver(t *testing.T) {
	rows := []struct {
		name         string
		provider     string
		statuses     []int
		wantAttempts int
		wantErr      bool
		wantMethod   string
	}{
		{name: "slack accepted at once", provider: "slack", wantAttempts: 1,
			wantMethod: "POST"},
		{name: "discord edits the original response", provider: "discord", wantAttempts: 1,
			wantMethod: "PATCH"},
		{name: "5xx is retried", provider: "slack", statuses: []int{503, 502},
			wantAttempts: 3, wantMethod: "POST"},
		{name: "a dropped connection is retried", provider: "slack", statuses: []int{0},
			wantAttempts: 2, wantMethod: "POST"},
		{name: "retries are bounded", provider: "slack", statuses: []int{500, 500, 500, 500},
			wantAttempts: followUpAttempts, wantErr: true, wantMethod: "POST"},
		{name: "4xx is not retried", provider: "slack", statuses: []int{404},
			wantAttempts: 1, wantErr: true, wantMethod: "POST"},
		{name: "a redirect is not followed", provider: "slack", statuses: []int{302},
			wantAttempts: 1, wantErr: true, wantMethod: "POST"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			srv := newReplyServer(t, row.statuses...)
			targets := newReplyTargets(routes(0, nil), testReplyClient(),
				map[string]string{row.provider: "127.0.0.1"})
			var waits []time.Duration
			targets.sleep = func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			}
			u, _ := url.Parse(srv.URL + "/commands/1")
			attempts, err := targets.deliver(t.Context(), row.provider, u, []byte(`{"x":1}`))
			if attempts != row.wantAttempts || (err != nil) != row.wantErr {
				t.Fatalf("attempts %d, err %v; want %d, error %t", attempts, err,
					row.wantAttempts, row.wantErr)
			}
			if len(srv.requests) != row.wantAttempts ||
				srv.requests[0] != row.wantMethod+` {"x":1}` {
				t.Errorf("requests = %q", srv.requests)
			}
			for i, w := range waits {
				if want := followUpBackoff << i; w != want {
					t.Errorf("wait %d = %v, want %v", i, w, want)
				}
			}
			if err != nil && strings.Contains(err.Error(), "/commands") {
				t.Errorf("the error shows the URL: %v", err)
			}
		})
	}
}

// TestDiscordShapes checks the plain checks of Discord ids, tokens and reply paths against
// the regular expressions that state the rules.
func TestDiscordShapes(t *testing.T) {
	token := regexp.MustCompile(`^[A-Za-z0-9._-]{1,512}$`)
	snowflake := regexp.MustCompile(`^[0-9]{1,20}$`)
	path := regexp.MustCompile(
		`^/api/v10/webhooks/[0-9]{1,20}/[A-Za-z0-9._-]{1,512}/messages/@original$`)
	values := []string{
		"", "1", "12345678901234567890", "123456789012345678901", "12a", "-1", " 1", "1\n",
		"tok_EN-1.x", "a/b", "tok en", "tok%2F", "tok\u212a", strings.Repeat("t", 512),
		strings.Repeat("t", 513), "..", "Z", "\x00",
	}
	for _, v := range values {
		if got, want := isDiscordToken(v), token.MatchString(v); got != want {
			t.Errorf("isDiscordToken(%q) = %t; want %t", v, got, want)
		}
		if got, want := isDiscordSnowflake(v), snowflake.MatchString(v); got != want {
			t.Errorf("isDiscordSnowflake(%q) = %t; want %t", v, got, want)
		}
		for _, p := range []string{
			"/api/v10/webhooks/123/" + v + "/messages/@original",
			"/api/v10/webhooks/" + v + "/tok/messages/@original",
			"/api/v10/webhooks/" + v + "/messages/@original",
			"/api/v10/webhooks/1/" + v,
			"/api/v9/webhooks/1/" + v + "/messages/@original",
			"/api/v10/webhooks/1/tok/messages/@original" + v,
		} {
			if got, want := isDiscordReplyPath(p), path.MatchString(p); got != want {
				t.Errorf("isDiscordReplyPath(%q) = %t; want %t", p, got, want)
			}
		}
	}
}
