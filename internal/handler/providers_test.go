package handler

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/reply"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// Provider secrets, distinctive so that a leak would be found by searching for them.
var (
	testTeamsToken  = base64.StdEncoding.EncodeToString([]byte("LEAKCHECK-teams-token-bytes"))
	testDiscordSeed = strings.Repeat("5e", 32)
)

// provider is how one route of the issue is configured and signed in tests.
type provider struct {
	scheme string // webhook.Sign scheme
	key    string // secret JSON key
	sign   string // what Sign takes
	value  string // what the secret holds
}

func providers(t *testing.T) map[string]provider {
	t.Helper()
	discordPublic, err := webhook.DiscordPublicKey(testDiscordSeed)
	if err != nil {
		t.Fatal(err)
	}
	hmac := func(scheme, key, secret string) provider {
		return provider{scheme: scheme, key: key, sign: secret, value: secret}
	}
	return map[string]provider{
		"/teams": hmac(webhook.SchemeTeams, "teams_security_token", testTeamsToken),
		"/discord": {scheme: webhook.SchemeDiscord, key: "discord_public_key",
			sign: testDiscordSeed, value: discordPublic},
		"/mattermost": hmac(webhook.SchemeMattermost, "mattermost_token", "mm-LEAKCHECK-token"),
		"/github":     hmac(webhook.SchemeGitHub, "github_secret", "gh-LEAKCHECK-secret"),
		"/jira":       hmac(webhook.SchemeJira, "jira_secret", "jira-LEAKCHECK-secret"),
		"/gitlab":     hmac(webhook.SchemeGitLabToken, "gitlab_token", "gl-LEAKCHECK-token"),
		"/pagerduty":  hmac(webhook.SchemePagerDuty, "pagerduty_secret", "pd-LEAKCHECK-secret"),
		"/zendesk":    hmac(webhook.SchemeZendesk, "zendesk_secret", "zd-LEAKCHECK-secret"),
		"/servicenow": hmac(webhook.SchemeStandardWebhooks, "servicenow_secret",
			"whsec_"+base64.StdEncoding.EncodeToString([]byte("LEAKCHECK-servicenow-key"))),
	}
}

// newProviderEnv is an env with every provider route configured, and the given environment
// variables read into the per-route settings.
func newProviderEnv(t *testing.T, vars map[string]string) *env {
	t.Helper()
	e := newEnv(t)
	extra := map[string]any{}
	for _, p := range providers(t) {
		extra[p.key] = p.value
	}
	e.secrets.bundle = bundle(t, extra)
	if vars != nil {
		e.useSettings(vars)
	}
	return e
}

// useSettings rebuilds the env's routes from environment variables, as main does at start.
func (e *env) useSettings(vars map[string]string) {
	e.t.Helper()
	vars["SAILPOINT_BASE_URL"] = "https://acme.api.identitynow.com"
	vars["SECRET_FILE"] = "unused.json"
	cfg, err := config.Load(func(name string) string { return vars[name] })
	if err != nil {
		e.t.Fatal(err)
	}
	e.h.routes = routes(5*time.Minute, cfg.Routes)
}

// signFor returns the headers that make body valid on a provider route at the env's clock.
func (e *env) signFor(route string, body []byte) map[string]string {
	e.t.Helper()
	p := providers(e.t)[route]
	h, err := webhook.Sign(p.scheme, p.sign, body, e.now)
	if err != nil {
		e.t.Fatal(err)
	}
	if route == "/mattermost" {
		h["Content-Type"] = "application/x-www-form-urlencoded"
	}
	return h
}

// post sends a signed request to route, with extra headers, as an HTTP API event.
func (e *env) post(route string, body []byte, extra map[string]string) response {
	e.t.Helper()
	h := e.signFor(route, body)
	for k, v := range extra {
		h[k] = v
	}
	return e.invoke(httpAPIEvent("POST", route, h, body, false))
}

// commandBody is a request asking route to act on id, in the provider's own payload.
func commandBody(route, action, id string) []byte {
	switch route {
	case "/teams":
		return mustJSON(map[string]any{"type": "message", "id": "1",
			"text": "<at>CancelBot</at> " + action + " " + id + "\n",
			"from": map[string]any{"id": "29:1", "aadObjectId": "aad-alice"}})
	case "/discord":
		return mustJSON(map[string]any{"type": 2, "id": "9", "token": "t",
			"member": map[string]any{"user": map[string]any{"id": "1001"}},
			"data": map[string]any{"name": "wfcancel", "options": []any{map[string]any{
				"name": action, "type": 1, "options": []any{map[string]any{
					"name": "execution_id", "type": 3, "value": id}}}}}})
	case "/mattermost":
		return []byte("token=mm-LEAKCHECK-token&user_id=u-alice&command=%2Fwfcancel&text=" +
			url.QueryEscape(action+" "+id))
	}
	return mustJSON(map[string]any{"executionId": "Please stop " + id, "action": action})
}

// TestProviderVectors sends every handed vector of this schemes through the whole
// pipeline, as HTTP API and REST events: valid ones pass verification, invalid ones get 401
// and reach nothing.
func TestProviderVectors(t *testing.T) {
	routesOf := map[string]struct{ route, key string }{
		"teams-outgoing":    {"/teams", "teams_security_token"},
		"discord":           {"/discord", "discord_public_key"},
		"mattermost-token":  {"/mattermost", "mattermost_token"},
		"github":            {"/github", "github_secret"},
		"jira":              {"/jira", "jira_secret"},
		"gitlab-token":      {"/gitlab", "gitlab_token"},
		"pagerduty":         {"/pagerduty", "pagerduty_secret"},
		"zendesk":           {"/zendesk", "zendesk_secret"},
		"standard-webhooks": {"/servicenow", "servicenow_secret"},
	}
	seen := map[string]bool{}
	for i, v := range loadVectors(t) {
		rt, ok := routesOf[v.Scheme]
		if !ok {
			continue
		}
		seen[v.Scheme] = true
		for _, shape := range []string{"httpapi", "rest"} {
			t.Run(fmt.Sprintf("%02d/%s/%s/%s", i, v.Scheme, shape, v.Expected), func(t *testing.T) {
				e := newEnv(t)
				e.now = vectorClock(t, v)
				e.secrets.bundle = bundle(t, map[string]any{rt.key: v.Secret})
				body := []byte(v.Body)
				if v.IsBase64Encoded {
					var err error
					if body, err = base64.StdEncoding.DecodeString(v.Body); err != nil {
						t.Fatal(err)
					}
				}
				r := e.invoke(shapes[shape]("POST", rt.route, v.Headers, body,
					v.IsBase64Encoded))
				switch v.Expected {
				case "valid":
					if r.StatusCode == 401 {
						t.Fatalf("valid vector refused: %s (%s)", r.Body, v.Note)
					}
				case "invalid":
					checkProblem(t, r, 401)
					e.noUpstream()
				}
			})
		}
	}
	if len(seen) != len(routesOf) {
		t.Errorf("vectors found for %d schemes, want %d: %v", len(seen), len(routesOf), seen)
	}
}

// vectorClock is the time a vector is verified at: its own now, else its signed Discord
// timestamp, else any fixed time (schemes without timestamps).
func vectorClock(t *testing.T, v vector) time.Time {
	t.Helper()
	if v.Now != 0 {
		return time.Unix(v.Now, 0)
	}
	for name, value := range v.Headers {
		if strings.EqualFold(name, "X-Signature-Timestamp") {
			s, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return time.Unix(s, 0)
		}
	}
	return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
}

// TestProviderAnswerFormats runs a cancel, a status read and a missing execution on every
// route and checks each answers in its provider's format.
func TestProviderAnswerFormats(t *testing.T) {
	rows := []struct {
		name   string
		action string
		id     string
		status int      // on ticket routes
		text   []string // in chat replies
		fields map[string]any
	}{
		{name: "cancel", action: "cancel", id: runningID, status: 200,
			text:   []string{"Cancel requested", runningID},
			fields: map[string]any{"executionId": runningID, "status": "cancel requested"}},
		{name: "status", action: "status", id: runningID, status: 200,
			text:   []string{runningID, "Running"},
			fields: map[string]any{"executionId": runningID, "status": "Running"}},
		{name: "missing execution", action: "cancel", id: missingID, status: 404,
			text:   []string{"archived after 90 days"},
			fields: map[string]any{"executionId": missingID}},
	}
	for _, row := range rows {
		for route := range providers(t) {
			t.Run(row.name+route, func(t *testing.T) {
				vars := map[string]string{}
				for _, name := range []string{"GITHUB", "GITLAB", "JIRA", "PAGERDUTY",
					"ZENDESK"} {
					vars[name+"_ACTION_POINTER"] = "/action"
				}
				e := newProviderEnv(t, vars)
				r := e.post(route, commandBody(route, row.action, row.id), nil)
				switch route {
				case "/teams", "/discord", "/mattermost":
					if got := chatText(t, route, r); !containsAll(got, row.text) {
						t.Errorf("text %q, want %q", got, row.text)
					}
				default:
					checkWebhook(t, r, row.status, row.fields, nil)
				}
			})
		}
	}
}

// chatText checks a chat reply's envelope (always 200 JSON) and returns its text.
func chatText(t *testing.T, route string, r response) string {
	t.Helper()
	if r.StatusCode != 200 || r.Headers["Content-Type"] != "application/json" {
		t.Fatalf("status %d, Content-Type %q, want 200 JSON; body %s", r.StatusCode,
			r.Headers["Content-Type"], r.Body)
	}
	m := r.json(t)
	switch route {
	case "/teams":
		if m["type"] != "message" {
			t.Errorf("type %v, want message", m["type"])
		}
		s, _ := m["text"].(string)
		return s
	case "/discord":
		data, _ := m["data"].(map[string]any)
		if m["type"] != float64(4) || data["flags"] != float64(64) {
			t.Errorf("want type 4 with flags 64, got %s", r.Body)
		}
		s, _ := data["content"].(string)
		return s
	default:
		if m["response_type"] != "ephemeral" {
			t.Errorf("response_type %v, want ephemeral", m["response_type"])
		}
		s, _ := m["text"].(string)
		return s
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestProviderRoutesBeforeVerification pins that every new route answers problems before the
// signature is accepted: unconfigured, bad signature, wrong method.
func TestProviderRoutesBeforeVerification(t *testing.T) {
	for route, p := range providers(t) {
		t.Run(route, func(t *testing.T) {
			e := newProviderEnv(t, nil)
			body := commandBody(route, "cancel", runningID)

			unsigned := body
			if route == "/mattermost" {
				unsigned = []byte(strings.Replace(string(body), "mm-LEAKCHECK", "other", 1))
			}
			r := e.invoke(restEvent("POST", route, map[string]string{}, unsigned, false))
			checkProblem(t, r, 401)

			r = e.invoke(httpAPIEvent("GET", route, e.signFor(route, body), body, false))
			checkProblem(t, r, 405)

			e.secrets.bundle = bundle(t, map[string]any{p.key: nil})
			r = e.invoke(httpAPIEvent("POST", route, e.signFor(route, body), body, false))
			checkProblem(t, r, 404)
			e.noUpstream()
		})
	}
}

func TestProviderDeadlines(t *testing.T) {
	all := routes(time.Minute, nil)
	want := map[string]time.Duration{"/slack": 3 * time.Second, "/discord": 3 * time.Second,
		"/teams": 5 * time.Second, "/github": 10 * time.Second}
	for route, d := range want {
		if got := all[route].deadline; got != d {
			t.Errorf("%s deadline %v, want %v", route, got, d)
		}
	}
}

func TestDiscordMistakesAreToldInFullSentences(t *testing.T) {
	cancel := func(options ...discordOption) []discordOption {
		return []discordOption{{Name: "cancel", Type: discordSubcommand, Options: options}}
	}
	rows := []struct {
		name    string
		options []discordOption
		want    string
	}{
		{name: "an unknown subcommand",
			options: []discordOption{{Name: "stop", Type: discordSubcommand}},
			want:    "Unknown command; use the cancel, status or help subcommand."},
		{name: "an execution id that is not text",
			options: cancel(discordOption{Name: discordExecutionOption,
				Value: json.RawMessage(`42`)}),
			want: "The execution_id option must be text."},
		{name: "no execution id", options: cancel(),
			want: "Give an execution id in the execution_id option."},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			_, o := discordCommand("wfcancel", row.options)
			if o == nil || o.Kind != reply.BadCommand || o.Detail != row.want {
				t.Errorf("outcome %+v; want bad_command %q", o, row.want)
			}
		})
	}
}
