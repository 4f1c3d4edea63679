package secret

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// distinctive is a value that must never appear in an error text.
const distinctive = "DISTINCTIVE-v4lue-9f2c"

func TestParse(t *testing.T) {
	tests := []struct {
		name        string
		raw         string
		wantID      string
		wantSecret  string
		wantValues  map[string][]string
		wantErrKey  string // a key the error must name
		wantErrText string
	}{
		{
			name:       "reads credentials and a single signing secret",
			raw:        `{"client_id":"id","client_secret":"sec","webhook_secret":"wh"}`,
			wantID:     "id",
			wantSecret: "sec",
			wantValues: map[string][]string{"webhook_secret": {"wh"}},
		},
		{
			name: "keeps rotation values in order and drops blanks",
			raw:  `{"slack_signing_secret":["new","","  ","old"]}`,
			wantValues: map[string][]string{
				"slack_signing_secret": {"new", "old"},
			},
		},
		{
			name:       "a key holding only blanks is unset",
			raw:        `{"jira_secret":"  ","zendesk_secret":[""]}`,
			wantValues: map[string][]string{"jira_secret": nil, "zendesk_secret": nil},
		},
		{
			name:       "null is unset",
			raw:        `{"client_id":null,"github_secret":null}`,
			wantValues: map[string][]string{"github_secret": nil},
		},
		{
			name:        "rejects a document that is not JSON",
			raw:         "not json " + distinctive,
			wantErrText: "not a JSON object",
		},
		{
			name:        "rejects broken JSON that starts like an object",
			raw:         `{"client_id":"` + distinctive,
			wantErrText: "not a valid JSON object",
		},
		{
			name:        "rejects an array at the top",
			raw:         `["` + distinctive + `"]`,
			wantErrText: "not a JSON object",
		},
		{
			name:        "rejects JSON null",
			raw:         `null`,
			wantErrText: "not a JSON object",
		},
		{
			name:       "rejects a client_id that is not a string",
			raw:        `{"client_id":98765432,"client_secret":"` + distinctive + `"}`,
			wantErrKey: "client_id",
		},
		{
			name:       "rejects a client_secret array",
			raw:        `{"client_secret":["` + distinctive + `"]}`,
			wantErrKey: "client_secret",
		},
		{
			name:       "rejects a number for a signing key",
			raw:        `{"webhook_secret":98765432}`,
			wantErrKey: "webhook_secret",
		},
		{
			name:       "rejects an object for a signing key",
			raw:        `{"pagerduty_secret":{"v":"` + distinctive + `"}}`,
			wantErrKey: "pagerduty_secret",
		},
		{
			name:       "rejects an array holding a non-string",
			raw:        `{"slack_signing_secret":["` + distinctive + `",98765432]}`,
			wantErrKey: "slack_signing_secret",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Parse([]byte(tt.raw))

			if tt.wantErrKey != "" || tt.wantErrText != "" {
				if err == nil {
					t.Fatalf("Parse() error = nil, want an error")
				}
				assertNoValue(t, err.Error(), distinctive, "98765432")
				if !strings.Contains(err.Error(), tt.wantErrKey) ||
					!strings.Contains(err.Error(), tt.wantErrText) {
					t.Errorf("error %q, want it to name %q %q", err, tt.wantErrKey, tt.wantErrText)
				}
				return
			}

			if err != nil {
				t.Fatalf("Parse() error = %v", err)
			}
			if b.ClientID != tt.wantID || b.ClientSecret != tt.wantSecret {
				t.Errorf("credentials = %q/%q, want %q/%q",
					b.ClientID, b.ClientSecret, tt.wantID, tt.wantSecret)
			}
			for key, want := range tt.wantValues {
				if got := b.Values(key); !slices.Equal(got, want) {
					t.Errorf("Values(%q) = %q, want %q", key, got, want)
				}
			}
		})
	}
}

func TestParseFixture(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "secret.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse(raw)
	if err != nil {
		t.Fatalf("Parse() error = %v", err)
	}

	if b.ClientID != "example-client-id" || b.ClientSecret != "example-client-secret" {
		t.Errorf("credentials = %q/%q", b.ClientID, b.ClientSecret)
	}
	want := map[string][]string{
		"slack_signing_secret": {"slack-current", "slack-previous"},
		"webhook_secret":       {"webhook-one"},
		"github_secret":        {"github-only"},
		"jira_secret":          nil,
		"teams_security_token": nil,
	}
	for key, w := range want {
		if got := b.Values(key); !slices.Equal(got, w) {
			t.Errorf("Values(%q) = %q, want %q", key, got, w)
		}
	}
}

func TestValuesReturnsACopy(t *testing.T) {
	b, err := Parse([]byte(`{"webhook_secret":["a","b"]}`))
	if err != nil {
		t.Fatal(err)
	}
	b.Values("webhook_secret")[0] = "changed"
	if got := b.Values("webhook_secret"); got[0] != "a" {
		t.Errorf("Values() after caller change = %q, want the stored values", got)
	}
}

func TestMissingCredentials(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want []string
	}{
		{"none missing", `{"client_id":"id","client_secret":"sec"}`, nil},
		{"both absent", `{"webhook_secret":"x"}`, []string{"client_id", "client_secret"}},
		{"blank id", `{"client_id":"  ","client_secret":"sec"}`, []string{"client_id"}},
		{"empty secret", `{"client_id":"id","client_secret":""}`, []string{"client_secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Parse([]byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if got := b.MissingCredentials(); !slices.Equal(got, tt.want) {
				t.Errorf("MissingCredentials() = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds in testdata: %v", err)
	}
	for _, path := range seeds {
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}

	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := Parse(raw)
		if err != nil {
			return
		}
		for _, key := range []string{"slack_signing_secret", "webhook_secret"} {
			for _, v := range b.Values(key) {
				if strings.TrimSpace(v) == "" {
					t.Errorf("Values(%q) holds a blank value", key)
				}
			}
		}
		_ = b.MissingCredentials()
	})
}

func assertNoValue(t *testing.T, text string, values ...string) {
	t.Helper()
	for _, v := range values {
		if strings.Contains(text, v) {
			t.Errorf("error text %q contains a secret value", text)
		}
	}
}
