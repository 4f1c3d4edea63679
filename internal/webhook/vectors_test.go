package webhook

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"
)

// vector is one entry of testdata/webhook-vectors.json: a delivery recorded or derived
// from a provider's documentation, and whether it must verify.
type vector struct {
	Scheme          string            `json:"scheme"`
	Source          string            `json:"source"`
	Secret          string            `json:"secret"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	Expected        string            `json:"expected"`
	Now             *int64            `json:"now"`
	Note            string            `json:"note"`
}

// vectorVerifiers maps the scheme names used in the vector file to a verifier and the
// secret key the vector's secret is configured under.
var vectorVerifiers = map[string]struct {
	verifier Verifier
	key      string
}{
	"slack":             {Slack(5 * time.Minute), keySlack},
	"standard-webhooks": {StandardWebhooks("webhook_secret", 5*time.Minute), "webhook_secret"},
	"github":            {GitHub(), keyGitHub},
	"discord":           {Discord(5 * time.Minute), keyDiscord},
	"pagerduty":         {PagerDuty(), keyPagerDuty},
	"teams-outgoing":    {TeamsOutgoing(), keyTeams},
	"zendesk":           {Zendesk(5 * time.Minute), keyZendesk},
	"jira":              {Jira(), keyJira},
	"gitlab-token":      {GitLab(DefaultTolerance), keyGitLabToken},
	"mattermost-token":  {MattermostToken(), keyMattermost},
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	raw, err := os.ReadFile("testdata/webhook-vectors.json")
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	var vectors []vector
	if err := json.Unmarshal(raw, &vectors); err != nil {
		t.Fatalf("decode vectors: %v", err)
	}
	return vectors
}

// request builds a Request from the vector, as the handler would from an API Gateway event.
func (v vector) request(t testing.TB) Request {
	t.Helper()
	body := []byte(v.Body)
	if v.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(v.Body)
		if err != nil {
			t.Fatalf("decode body: %v", err)
		}
		body = decoded
	}
	return Request{Header: headerLookup(v.Headers), Body: body}
}

// clock returns the time the vector must be verified at: its own now, else the signed
// Discord timestamp, else any fixed time (schemes without timestamps).
func (v vector) clock(t testing.TB) time.Time {
	t.Helper()
	if v.Now != nil {
		return time.Unix(*v.Now, 0)
	}
	if stamp := headerLookup(v.Headers)(headerDiscordTimestamp); stamp != "" {
		var seconds int64
		if _, err := fmt.Sscan(stamp, &seconds); err != nil {
			t.Fatalf("vector timestamp %q: %v", stamp, err)
		}
		return time.Unix(seconds, 0)
	}
	return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
}

// headerLookup returns a case-insensitive lookup over a header map.
func headerLookup(headers map[string]string) func(string) string {
	canonical := http.Header{}
	for name, value := range headers {
		canonical.Set(name, value)
	}
	return canonical.Get
}

// secretsOf configures values under key and nothing else.
func secretsOf(key string, values ...string) Secrets {
	return func(k string) []string {
		if k == key {
			return values
		}
		return nil
	}
}

func TestVectors(t *testing.T) {
	for i, v := range loadVectors(t) {
		t.Run(fmt.Sprintf("%02d_%s_%s", i, v.Scheme, v.Expected), func(t *testing.T) {
			scheme, ok := vectorVerifiers[v.Scheme]
			if !ok {
				t.Fatalf("no verifier for scheme %q", v.Scheme)
			}

			_, err := scheme.verifier.Verify(
				v.request(t), secretsOf(scheme.key, v.Secret), v.clock(t))

			switch v.Expected {
			case "valid":
				if err != nil {
					t.Errorf("want valid (%s), got %v", v.Note, err)
				}
			case "invalid":
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("want ErrInvalid (%s), got %v", v.Note, err)
				}
			default:
				t.Fatalf("unknown expectation %q", v.Expected)
			}
		})
	}
}
