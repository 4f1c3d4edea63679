package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/handler"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

const eventsDir = "../../events"

// fixedSecrets is a secret store holding one parsed bundle.
type fixedSecrets struct{ bundle secret.Bundle }

func (f fixedSecrets) Get(context.Context) (secret.Bundle, error) { return f.bundle, nil }

// acceptingSailPoint accepts every cancel and reports every execution as running.
type acceptingSailPoint struct{}

func (acceptingSailPoint) Cancel(context.Context, string) error { return nil }

func (acceptingSailPoint) Get(_ context.Context, id string) (sailpoint.Execution, error) {
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

// checkEvents runs every sample event in dir through the handler, with the clock pinned to
// the event's own timestamp, and fails on any answer that refuses the event.
func checkEvents(t *testing.T, dir string) {
	bundle := sampleBundle(t)
	for _, ef := range eventFiles {
		t.Run(ef.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, ef.name))
			if err != nil {
				t.Fatal(err)
			}
			at := eventTime(t, raw)
			h := handler.New(handler.Options{
				Secrets:            fixedSecrets{bundle: bundle},
				SailPoint:          acceptingSailPoint{},
				SignatureTolerance: 5 * time.Minute,
				Now:                func() time.Time { return at },
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
		})
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
