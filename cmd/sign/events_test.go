package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/handler"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

const eventsDir = "../../events"

// fixedSecrets is a secret store holding one parsed bundle.
type fixedSecrets struct{ bundle secret.Bundle }

func (f fixedSecrets) Get(context.Context) (secret.Bundle, error) { return f.bundle, nil }

// recordingSailPoint accepts every cancel, reports every execution as running and notes
// the ids it was asked about.
type recordingSailPoint struct {
	mu            sync.Mutex
	cancels, gets []string
}

func (r *recordingSailPoint) Cancel(_ context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cancels = append(r.cancels, id)
	return nil
}

func (r *recordingSailPoint) Get(_ context.Context, id string) (sailpoint.Execution, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gets = append(r.gets, id)
	return sailpoint.Execution{ID: id, WorkflowID: "wf-sample", Status: sailpoint.StatusRunning},
		nil
}

func TestCommittedEventsVerifyWithSampleSecret(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(eventsDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, path := range names {
		if name := filepath.Base(path); name != "sample-secret.json" {
			found = append(found, name)
		}
	}
	var want []string
	for _, ef := range eventFiles {
		want = append(want, ef.name)
	}
	slices.Sort(found)
	slices.Sort(want)
	if !slices.Equal(found, want) {
		t.Fatalf("events/ holds %v, want exactly %v", found, want)
	}
	checkEvents(t, eventsDir)
}

func TestWrittenEventsVerifyWithSampleSecret(t *testing.T) {
	dir := t.TempDir()
	n, err := writeEvents(dir, filepath.Join(eventsDir, "sample-secret.json"),
		time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if n != len(eventFiles) {
		t.Fatalf("wrote %d events, want %d", n, len(eventFiles))
	}
	checkEvents(t, dir)
}

func TestSampleDiscordKeyMatchesSeed(t *testing.T) {
	bundle := sampleBundle(t)
	seed, key := bundle.Values("discord_private_seed_hex"), bundle.Values("discord_public_key")
	if len(seed) != 1 || len(key) != 1 {
		t.Fatal("sample secret needs one discord_private_seed_hex and one discord_public_key")
	}
	derived, err := webhook.DiscordPublicKey(seed[0])
	if err != nil {
		t.Fatal(err)
	}
	if derived != key[0] {
		t.Fatal("discord_public_key is not derived from discord_private_seed_hex")
	}
}

// checkEvents runs every sample event in dir through the handler, configured with the
// sample settings and with the clock pinned to the event's own timestamp, and fails unless
// the event is accepted and does in SailPoint what it asks.
func checkEvents(t *testing.T, dir string) {
	bundle := sampleBundle(t)
	routes := sampleRoutes(t)
	for _, ef := range eventFiles {
		t.Run(ef.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, ef.name))
			if err != nil {
				t.Fatal(err)
			}
			at := eventTime(t, raw)
			sp := &recordingSailPoint{}
			h := handler.New(handler.Options{
				Secrets:            fixedSecrets{bundle: bundle},
				SailPoint:          sp,
				SignatureTolerance: 5 * time.Minute,
				Now:                func() time.Time { return at },
				Routes:             routes,
			})
			out, err := h.Invoke(context.Background(), raw)
			if err != nil {
				t.Fatal(err)
			}
			var resp struct {
				StatusCode int `json:"statusCode"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}

			// Every route is served now, so no 404 is excused: a route the handler dropped
			// fails here as surely as a bad signature.
			if resp.StatusCode < 200 || resp.StatusCode > 299 {
				t.Fatalf("status %d, want 2xx; answer %s", resp.StatusCode, out)
			}
			// A 200 "ignored" is no proof either: the sample must reach SailPoint.
			var wantCancels, wantGets []string
			switch ef.asks {
			case asksCancel:
				wantCancels = []string{sampleExecutionID}
			case asksStatus:
				wantGets = []string{sampleExecutionID}
			}
			if !slices.Equal(sp.cancels, wantCancels) || !slices.Equal(sp.gets, wantGets) {
				t.Fatalf("SailPoint got cancels %v and gets %v, want %v and %v; answer %s",
					sp.cancels, sp.gets, wantCancels, wantGets, out)
			}
		})
	}
}

// sampleRoutes reads the route settings the way the function does, from an environment
// holding only the sample settings.
func sampleRoutes(t *testing.T) map[string]config.RouteSettings {
	t.Helper()
	env := map[string]string{
		"SAILPOINT_BASE_URL": "http://127.0.0.1:9",
		"SECRET_FILE":        filepath.Join(eventsDir, "sample-secret.json"),
	}
	for _, line := range sampleSettings() {
		name, value, _ := strings.Cut(line, "=")
		env[name] = value
	}
	cfg, err := config.Load(func(name string) string { return env[name] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Routes
}

func TestCommittedSampleSettingsAreCurrent(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(eventsDir, sampleSettingsFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != sampleSettingsText() {
		t.Fatalf("events/%s is stale; run go run ./cmd/sign -events events\ngot:\n%s\nwant:\n%s",
			sampleSettingsFile, raw, sampleSettingsText())
	}
}

func TestSampleSettingsNameEveryMovedPointer(t *testing.T) {
	want := []string{
		"GITHUB_EXECUTION_ID_POINTER=/comment/body",
		"GITLAB_EXECUTION_ID_POINTER=/object_attributes/note",
		"JIRA_EXECUTION_ID_POINTER=/issue/fields/customfield_10050",
		"PAGERDUTY_EXECUTION_ID_POINTER=/event/data/title",
		"ZENDESK_EXECUTION_ID_POINTER=/detail/subject",
	}
	if got := sampleSettings(); !slices.Equal(got, want) {
		t.Fatalf("sample settings = %v, want %v", got, want)
	}
}

// eventTime is the gateway's receive time recorded in the event.
func eventTime(t *testing.T, raw []byte) time.Time {
	t.Helper()
	var ev struct {
		RequestContext struct {
			TimeEpoch        int64 `json:"timeEpoch"`
			RequestTimeEpoch int64 `json:"requestTimeEpoch"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	ms := max(ev.RequestContext.TimeEpoch, ev.RequestContext.RequestTimeEpoch)
	if ms == 0 {
		t.Fatal("event carries no timeEpoch or requestTimeEpoch")
	}
	return time.UnixMilli(ms)
}

func sampleBundle(t *testing.T) secret.Bundle {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(eventsDir, "sample-secret.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := secret.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "REPLACE") {
		t.Fatal("sample secret holds a placeholder")
	}
	return b
}
