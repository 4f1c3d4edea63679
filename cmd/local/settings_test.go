package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
)

const sampleSettingsFile = "../../events/sample-settings.env"

func TestSampleSettingsFillOnlyUnsetVariables(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.env")
	content := "# comment\n\nGITHUB_EXECUTION_ID_POINTER=/comment/body\n" +
		"JIRA_EXECUTION_ID_POINTER=/issue/fields/customfield_10050\n" +
		"ZENDESK_EXECUTION_ID_POINTER=/detail/subject\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	user := map[string]string{
		"JIRA_EXECUTION_ID_POINTER":    "/issue/fields/customfield_20000",
		"ZENDESK_EXECUTION_ID_POINTER": "  ",
		"SIGNATURE_TOLERANCE":          "2m",
	}
	var out bytes.Buffer
	getenv, err := withSampleSettings(path, func(n string) string { return user[n] }, &out)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, variable, want string
	}{
		{"unset takes the sample", "GITHUB_EXECUTION_ID_POINTER", "/comment/body"},
		{"set keeps the user's", "JIRA_EXECUTION_ID_POINTER", "/issue/fields/customfield_20000"},
		{"blank takes the sample", "ZENDESK_EXECUTION_ID_POINTER", "/detail/subject"},
		{"others pass through", "SIGNATURE_TOLERANCE", "2m"},
		{"absent everywhere stays unset", "GITLAB_EXECUTION_ID_POINTER", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := getenv(tt.variable); got != tt.want {
				t.Fatalf("%s = %q, want %q", tt.variable, got, tt.want)
			}
		})
	}
	want := "sample setting GITHUB_EXECUTION_ID_POINTER=/comment/body\n" +
		"sample setting ZENDESK_EXECUTION_ID_POINTER=/detail/subject\n"
	if out.String() != want {
		t.Fatalf("printed %q, want %q", out.String(), want)
	}
}

func TestSampleSettingsRefuseMalformedLines(t *testing.T) {
	tests := []struct {
		name, content string
	}{
		{"no equals sign", "GITHUB_EXECUTION_ID_POINTER /comment/body\n"},
		{"lower-case name", "github_execution_id_pointer=/comment/body\n"},
		{"empty value", "GITHUB_EXECUTION_ID_POINTER=\n"},
		{"empty name", "=/comment/body\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseSettings([]byte(tt.content)); err == nil {
				t.Fatal("parseSettings succeeded, want an error")
			}
		})
	}
	path := filepath.Join(t.TempDir(), "absent.env")
	if _, err := withSampleSettings(path, os.Getenv, &bytes.Buffer{}); err == nil {
		t.Fatal("a missing settings file was accepted")
	}
}

// TestSimulatedSamplesAct replays the committed ticket samples whose signatures carry no
// timestamp, so that they never go stale, through a server wired as -simulate wires it, and
// checks that each one reaches the simulator instead of being ignored.
func TestSimulatedSamplesAct(t *testing.T) {
	var out bytes.Buffer
	sim, base, err := startSimulator(sampleSecretFile, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	getenv, err := withSampleSettings(sampleSettingsFile, func(string) string { return "" },
		&out)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(options{secretFile: sampleSecretFile, sailpointURL: base}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(newServer(cfg, "$default", &out))
	t.Cleanup(ts.Close)

	for i, name := range []string{"github.json", "gitlab.json", "jira.json", "pagerduty.json"} {
		t.Run(name, func(t *testing.T) {
			resp := replaySample(t, ts, filepath.Join("../../events", name))
			if n := sim.Count(sailpointtest.OpCancel); n != i+1 {
				t.Fatalf("simulator saw %d cancels after this sample, want %d; answer %d %s",
					n, i+1, resp.status, resp.body)
			}
		})
	}
}

type sampleAnswer struct {
	status int
	body   string
}

// replaySample sends the HTTP request held in an HTTP API sample event to ts.
func replaySample(t *testing.T, ts *httptest.Server, path string) sampleAnswer {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		RawPath         string            `json:"rawPath"`
		Headers         map[string]string `json:"headers"`
		Body            string            `json:"body"`
		IsBase64Encoded bool              `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.IsBase64Encoded {
		t.Fatalf("%s has a base64 body; replay only JSON samples", path)
	}
	req, err := http.NewRequest("POST", ts.URL+ev.RawPath, strings.NewReader(ev.Body))
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range ev.Headers {
		if name != "host" && name != "content-length" {
			req.Header.Set(name, v)
		}
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	if _, err := body.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return sampleAnswer{status: resp.StatusCode, body: body.String()}
}
