package handler

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/metrics"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
)

// withMetrics records e's metrics into the returned buffer, and steps e's clock by 10 ms at
// each reading so that the SailPoint work takes measurable time.
func withMetrics(e *env) *bytes.Buffer {
	out := &bytes.Buffer{}
	e.h.metrics = metrics.New(out, "Test", func() time.Time { return e.now })
	start := e.now
	var steps time.Duration
	e.h.now = func() time.Time {
		steps += 10 * time.Millisecond
		return start.Add(steps)
	}
	return out
}

// emf is one metric line, reduced to its metric, dimensions and value.
type emf struct {
	metric string
	dims   map[string]string
	value  float64
}

// String reads as "Metric dim=value ...", the form the tests compare.
func (m emf) String() string {
	var b strings.Builder
	b.WriteString(m.metric)
	for _, name := range []string{"Route", "Outcome", "Status"} {
		if v, ok := m.dims[name]; ok {
			b.WriteString(" " + name + "=" + v)
		}
	}
	return b.String()
}

// parseEMF reads the lines as CloudWatch would: one metric directive each, its dimensions
// and its value as root members.
func parseEMF(t *testing.T, out string) []emf {
	t.Helper()
	var got []emf
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var doc struct {
			AWS struct {
				CloudWatchMetrics []struct {
					Namespace  string
					Dimensions [][]string
					Metrics    []struct{ Name, Unit string }
				}
			} `json:"_aws"`
		}
		var members map[string]any
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if err := json.Unmarshal(sc.Bytes(), &members); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		d := doc.AWS.CloudWatchMetrics[0]
		m := emf{metric: d.Metrics[0].Name, dims: map[string]string{}}
		for _, name := range d.Dimensions[0] {
			m.dims[name], _ = members[name].(string)
		}
		m.value, _ = members[m.metric].(float64)
		if d.Namespace != "Test" {
			t.Errorf("line %q: namespace %q", sc.Text(), d.Namespace)
		}
		got = append(got, m)
	}
	return got
}

func TestMetricsPerRequest(t *testing.T) {
	rows := []struct {
		name string
		run  func(e *env)
		want []string
	}{
		{
			name: "a Slack cancel counts the request, a 2xx from SailPoint and its latency",
			run: func(e *env) {
				body := requestBody("/slack", "cancel", runningID)
				e.invoke(httpAPIEvent("POST", "/slack", e.sign("/slack", body), body, false))
			},
			want: []string{
				"Requests Route=slack Outcome=cancel_requested",
				"SailPointResponses Status=2xx",
				"UpstreamLatency Route=slack",
			},
		},
		{
			name: "an unknown execution reports SailPoint's 404",
			run: func(e *env) {
				body := requestBody("/webhook", "cancel", missingID)
				e.invoke(restEvent("POST", "/webhook", e.sign("/webhook", body), body, false))
			},
			want: []string{
				"Requests Route=webhook Outcome=not_found",
				"SailPointResponses Status=404",
				"UpstreamLatency Route=webhook",
			},
		},
		{
			name: "a refused cancel reports the status of the cancel, not of the read after it",
			run: func(e *env) {
				e.sim.Script("cancel", sailpointtest.ErrorResponse(400, "trk", "refused"))
				body := requestBody("/webhook", "cancel", runningID)
				e.invoke(httpAPIEvent("POST", "/webhook", e.sign("/webhook", body), body,
					false))
			},
			want: []string{
				"Requests Route=webhook Outcome=cancel_refused",
				"SailPointResponses Status=400",
				"UpstreamLatency Route=webhook",
			},
		},
		{
			name: "a bad signature counts a rejection and calls nothing",
			run: func(e *env) {
				body := requestBody("/slack", "cancel", runningID)
				h := e.sign("/slack", body)
				h["X-Slack-Signature"] = "v0=" + strings.Repeat("0", 64)
				e.invoke(httpAPIEvent("POST", "/slack", h, body, false))
			},
			want: []string{
				"Requests Route=slack Outcome=invalid_signature",
				"SignatureRejections Route=slack",
			},
		},
		{
			name: "help is counted without a SailPoint call",
			run: func(e *env) {
				body := []byte("text=help")
				e.invoke(httpAPIEvent("POST", "/slack", e.sign("/slack", body), body, false))
			},
			want: []string{"Requests Route=slack Outcome=help"},
		},
		{
			name: "an unknown path is counted as unmatched, never by its raw path",
			run: func(e *env) {
				e.invoke(functionURLEvent("POST", "/wp-admin/LEAKCHECK-path", nil, nil, false))
			},
			want: []string{"Requests Route=unmatched Outcome=unknown_route"},
		},
		{
			name: "a malformed event is counted as unmatched",
			run:  func(e *env) { e.invoke([]byte(`{"hello":"world"}`)) },
			want: []string{"Requests Route=unmatched Outcome=malformed_event"},
		},
		{
			name: "a repeated webhook delivery is answered from memory with no SailPoint call",
			run: func(e *env) {
				body := requestBody("/webhook", "cancel", runningID)
				h := e.sign("/webhook", body)
				e.invoke(httpAPIEvent("POST", "/webhook", h, body, false))
				e.invoke(httpAPIEvent("POST", "/webhook", h, body, false))
			},
			want: []string{
				"Requests Route=webhook Outcome=cancel_requested",
				"SailPointResponses Status=2xx",
				"UpstreamLatency Route=webhook",
				"Requests Route=webhook Outcome=cancel_requested",
			},
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newEnv(t)
			out := withMetrics(e)

			row.run(e)

			var got []string
			for _, m := range parseEMF(t, out.String()) {
				if m.metric == "ColdStart" {
					continue
				}
				if m.metric == "UpstreamLatency" && m.value <= 0 {
					t.Errorf("UpstreamLatency %v, want > 0", m.value)
				}
				if m.metric != "UpstreamLatency" && m.value != 1 {
					t.Errorf("%s counts %v, want 1", m.metric, m.value)
				}
				got = append(got, m.String())
			}
			if !reflect.DeepEqual(got, row.want) {
				t.Errorf("metrics:\n got %q\nwant %q", got, row.want)
			}
			for _, leak := range []string{"LEAKCHECK", runningID, missingID} {
				if strings.Contains(out.String(), leak) {
					t.Errorf("metric lines carry %q:\n%s", leak, out)
				}
			}
		})
	}
}

func TestColdStartIsCountedOnceForTheFirstRequest(t *testing.T) {
	e := newEnv(t)
	out := withMetrics(e)

	for range 3 {
		e.invoke(functionURLEvent("POST", "/nowhere", nil, nil, false))
	}

	lines := parseEMF(t, out.String())
	var cold []int
	for i, m := range lines {
		if m.metric == "ColdStart" {
			cold = append(cold, i)
		}
	}
	if !reflect.DeepEqual(cold, []int{0}) {
		t.Errorf("ColdStart at lines %v, want only the first:\n%s", cold, out)
	}
}

func TestNoMetricsWithoutARecorder(t *testing.T) {
	e := newEnv(t)
	body := []byte("text=help")
	r := e.invoke(httpAPIEvent("POST", "/slack", e.sign("/slack", body), body, false))
	if r.StatusCode != 200 {
		t.Errorf("status %d without a metrics recorder", r.StatusCode)
	}
}

func TestDeferredHalfMetrics(t *testing.T) {
	rows := []struct {
		name string
		run  func(e *env, replyURL string)
		want []string
	}{
		{
			name: "a handed-off Slack cancel counts the work under the slack route",
			run: func(e *env, replyURL string) {
				e.invokeAs(sealFor(e, "slack", replyURL+"/commands/1", "n1", testSigningKey))
			},
			want: []string{
				"ColdStart",
				"Requests Route=slack Outcome=cancel_requested",
				"SailPointResponses Status=2xx",
				"UpstreamLatency Route=slack",
			},
		},
		{
			name: "a handed-off Discord cancel counts under the discord route",
			run: func(e *env, replyURL string) {
				e.invokeAs(sealFor(e, "discord",
					replyURL+"/api/v10/webhooks/1/tok/messages/@original", "n1", testSigningKey))
			},
			want: []string{
				"ColdStart",
				"Requests Route=discord Outcome=cancel_requested",
				"SailPointResponses Status=2xx",
				"UpstreamLatency Route=discord",
			},
		},
		{
			name: "a hand-off with a wrong MAC is counted as refused, under no route",
			run: func(e *env, replyURL string) {
				e.invokeAs(sealFor(e, "slack", replyURL+"/commands/1", "n1", "guess"))
			},
			want: []string{"ColdStart", "Requests Route=unmatched Outcome=hand_off_refused"},
		},
		{
			name: "a redelivered hand-off is counted as refused under its route",
			run: func(e *env, replyURL string) {
				ev := sealFor(e, "slack", replyURL+"/commands/1", "n1", testSigningKey)
				e.invokeAs(ev)
				e.invokeAs(ev)
			},
			want: []string{
				"ColdStart",
				"Requests Route=slack Outcome=cancel_requested",
				"SailPointResponses Status=2xx",
				"UpstreamLatency Route=slack",
				"Requests Route=slack Outcome=hand_off_refused",
			},
		},
		{
			name: "a refused first hand-off is the cold start, and the next request is not",
			run: func(e *env, replyURL string) {
				e.invokeAs([]byte(`{"deferred":{}}`))
				e.invokeAs(sealFor(e, "slack", replyURL+"/commands/1", "n1", testSigningKey))
			},
			want: []string{
				"ColdStart",
				"Requests Route=unmatched Outcome=hand_off_refused",
				"Requests Route=slack Outcome=cancel_requested",
				"SailPointResponses Status=2xx",
				"UpstreamLatency Route=slack",
			},
		},
		{
			name: "an unreadable secret is counted as such",
			run: func(e *env, replyURL string) {
				ev := sealFor(e, "slack", replyURL+"/commands/1", "n1", testSigningKey)
				e.secrets.err = errors.New("secrets manager is down")
				e.invokeAs(ev)
			},
			want: []string{"ColdStart", "Requests Route=unmatched Outcome=secret_unavailable"},
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			srv := newReplyServer(t)
			e, _ := deferredEnv(t, srv, config.Access{})
			out := withMetrics(e)

			row.run(e, srv.URL)

			var got []string
			for _, m := range parseEMF(t, out.String()) {
				got = append(got, m.String())
			}
			if !reflect.DeepEqual(got, row.want) {
				t.Errorf("metrics:\n got %q\nwant %q", got, row.want)
			}
			for _, leak := range []string{"127.0.0.1", runningID, testSigningKey} {
				if strings.Contains(out.String(), leak) {
					t.Errorf("metric lines carry %q:\n%s", leak, out)
				}
			}
		})
	}
}

// sealFor is a cancel hand-off of runningID made now, signed with key.
func sealFor(e *env, provider, replyURL, nonce, key string) []byte {
	return seal(handOff{Action: "cancel", ExecutionID: runningID, ReplyURL: replyURL,
		Provider: provider, Team: "T1", User: "U1", At: e.now.Unix(), Nonce: nonce}, key)
}
