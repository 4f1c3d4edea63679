package sailpoint_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
)

func TestTokenEndpointAnswers(t *testing.T) {
	rejected := jsonResponse(401,
		sailpointtest.OAuthErrorBody("invalid_client", "Bad client credentials"))
	tests := []struct {
		name       string
		accepted   string // secret the simulator accepts
		script     []sailpointtest.Response
		wantKind   sailpoint.Kind // 0: success
		wantStatus int
		wantFresh  []bool // refresh argument of each Credentials call
		tokens     int
		cancels    int
	}{
		{
			name:      "rotated PAT is reread once and then works",
			accepted:  rotated,
			wantFresh: []bool{false, true},
			tokens:    2, cancels: 1,
		},
		{
			name:      "PAT rejected after the reread is credentials rejected",
			accepted:  "some-other-secret",
			wantKind:  sailpoint.KindCredentialsRejected,
			wantFresh: []bool{false, true}, wantStatus: 401,
			tokens: 2, cancels: 0,
		},
		{
			name: "400 invalid_grant counts as a rejected PAT",
			script: []sailpointtest.Response{
				jsonResponse(400, sailpointtest.OAuthErrorBody("invalid_grant", "nope")),
				jsonResponse(400, sailpointtest.OAuthErrorBody("invalid_grant", "nope")),
			},
			wantKind:  sailpoint.KindCredentialsRejected,
			wantFresh: []bool{false, true}, wantStatus: 400,
			tokens: 2, cancels: 0,
		},
		{
			name:      "one rejection then success",
			script:    []sailpointtest.Response{rejected},
			wantFresh: []bool{false, true},
			tokens:    2, cancels: 1,
		},
		{
			name:     "500 is upstream without a credentials reread",
			script:   []sailpointtest.Response{jsonResponse(500, fixtureFile(t, "error-500.json"))},
			wantKind: sailpoint.KindUpstream, wantStatus: 500,
			wantFresh: []bool{false},
			tokens:    1, cancels: 0,
		},
		{
			name: "200 without access_token is upstream",
			script: []sailpointtest.Response{
				jsonResponse(200, `{"token_type":"bearer","expires_in":600}`),
			},
			wantKind: sailpoint.KindUpstream, wantFresh: []bool{false},
			tokens: 1, cancels: 0,
		},
		{
			name:     "429 without Retry-After is rate limited",
			script:   []sailpointtest.Response{sailpointtest.RateLimited("")},
			wantKind: sailpoint.KindRateLimited, wantStatus: 429,
			wantFresh: []bool{false},
			tokens:    1, cancels: 0,
		},
		{
			name:      "429 with a short Retry-After is retried once",
			script:    []sailpointtest.Response{sailpointtest.RateLimited("2")},
			wantFresh: []bool{false},
			tokens:    2, cancels: 1,
		},
		{
			name:     "reset connection is a timeout",
			script:   []sailpointtest.Response{{Reset: true}},
			wantKind: sailpoint.KindTimeout, wantFresh: []bool{false},
			tokens: 1, cancels: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.accepted != "" {
				f.sim.SetCredentials(clientID, tt.accepted)
				f.secrets = func(refresh bool) string {
					if refresh {
						return rotated
					}
					return clientSecret
				}
			}
			for _, r := range tt.script {
				f.sim.Script(sailpointtest.OpToken, r)
			}

			err := f.client.Cancel(context.Background(), runningID)

			f.counts(tt.tokens, tt.cancels)
			if refresh, _, _, _ := f.seen(); fmt.Sprint(refresh) != fmt.Sprint(tt.wantFresh) {
				t.Errorf("Credentials refresh calls = %v, want %v", refresh, tt.wantFresh)
			}
			if tt.wantKind == 0 {
				if err != nil {
					t.Fatalf("Cancel: %v", err)
				}
				return
			}
			e := asError(t, err, tt.wantKind)
			if e.Op != "token" || e.Status != tt.wantStatus {
				t.Errorf("error = %+v, want op token, status %d", *e, tt.wantStatus)
			}
		})
	}
}

func TestTokenHangTimesOut(t *testing.T) {
	f := newFixture(t)
	f.sim.Script(sailpointtest.OpToken, sailpointtest.Response{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()

	e := asError(t, f.client.Cancel(ctx, runningID), sailpoint.KindTimeout)
	if e.Op != "token" {
		t.Errorf("op = %q, want token", e.Op)
	}
	f.counts(1, 0)
}

func TestCredentialsErrorIsWrapped(t *testing.T) {
	errSecret := errors.New("secret store unavailable")
	f := newFixture(t)
	f.credsErr = errSecret

	err := f.client.Cancel(context.Background(), runningID)

	if !errors.Is(err, errSecret) {
		t.Fatalf("error = %v, want it to wrap the credentials error", err)
	}
	var e *sailpoint.Error
	if errors.As(err, &e) {
		t.Errorf("credentials failure became %+v, want it returned as it came", *e)
	}
	f.counts(0, 0)
}

func TestTokenIsReused(t *testing.T) {
	f := newFixture(t)
	for i := range 100 {
		id := fmt.Sprintf("exec-%03d", i)
		f.sim.AddExecution(sailpoint.Execution{ID: id, Status: "Running"})
		if err := f.client.Cancel(context.Background(), id); err != nil {
			t.Fatalf("Cancel %s: %v", id, err)
		}
	}
	f.counts(1, 100)
}

func TestConcurrentFirstCallsShareOneTokenFetch(t *testing.T) {
	f := newFixture(t)
	// Slow the token answer so every goroutine arrives while the fetch is in flight.
	f.sim.Script(sailpointtest.OpToken, sailpointtest.Response{Delay: 50 * time.Millisecond})

	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := f.client.Get(context.Background(), runningID)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)

	for err := range errs {
		if err != nil {
			t.Errorf("Get: %v", err)
		}
	}
	if n := f.sim.Count(sailpointtest.OpToken); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
}

func TestWaiterForTokenGivesUpWhenItsContextEnds(t *testing.T) {
	f := newFixture(t)
	f.sim.Script(sailpointtest.OpToken, sailpointtest.Response{Delay: 300 * time.Millisecond})

	slow := make(chan error, 1)
	go func() { slow <- f.client.Cancel(context.Background(), runningID) }()
	for f.sim.Count(sailpointtest.OpToken) == 0 {
		time.Sleep(time.Millisecond)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.client.Get(ctx, runningID)
	asError(t, err, sailpoint.KindTimeout)
	if waited := time.Since(start); waited > 250*time.Millisecond {
		t.Errorf("waiter returned after %v, want soon after its deadline", waited)
	}
	if err := <-slow; err != nil {
		t.Errorf("first Cancel: %v", err)
	}
}

func TestExpiredTokenIsRefetched(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	f := newFixture(t, func(c *sailpoint.Config) { c.Now = clock })
	f.sim.SetTokenLifetime(time.Second)
	f.sim.AddExecution(sailpoint.Execution{ID: "second", Status: "Running"})

	if err := f.client.Cancel(context.Background(), runningID); err != nil {
		t.Fatalf("first Cancel: %v", err)
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if err := f.client.Cancel(context.Background(), "second"); err != nil {
		t.Fatalf("second Cancel: %v", err)
	}

	f.counts(2, 2)
}

func TestTokenNearExpiryIsStillUsedBeforeTheMargin(t *testing.T) {
	now := time.Now()
	f := newFixture(t, func(c *sailpoint.Config) { c.Now = func() time.Time { return now } })
	f.sim.SetTokenLifetime(100 * time.Second) // margin is 10s

	if _, err := f.client.Get(context.Background(), runningID); err != nil {
		t.Fatal(err)
	}
	now = now.Add(89 * time.Second)
	if _, err := f.client.Get(context.Background(), runningID); err != nil {
		t.Fatal(err)
	}
	if n := f.sim.Count(sailpointtest.OpToken); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
	now = now.Add(time.Second)
	if _, err := f.client.Get(context.Background(), runningID); err != nil {
		t.Fatal(err)
	}
	if n := f.sim.Count(sailpointtest.OpToken); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
}

func TestErrorTextsHoldNoSecrets(t *testing.T) {
	scenarios := []struct {
		op     string
		script sailpointtest.Response
	}{
		{sailpointtest.OpToken, jsonResponse(401, `{"error":"invalid_client","error_description":"`+
			clientSecret+`"}`)},
		{sailpointtest.OpToken, jsonResponse(500, "not json")},
		{sailpointtest.OpCancel, jsonResponse(401, fixtureFile(t, "error-401.json"))},
		{sailpointtest.OpCancel, jsonResponse(400, fixtureFile(t, "error-400.json"))},
		{sailpointtest.OpCancel, sailpointtest.Response{Reset: true}},
		{sailpointtest.OpCancel, sailpointtest.RateLimited("")},
		{sailpointtest.OpCancel, sailpointtest.Response{Status: 500,
			Body: "<html>" + strings.Repeat("x", 1000)}},
	}
	for _, sc := range scenarios {
		f := newFixture(t)
		f.sim.Script(sailpointtest.OpToken, jsonResponse(200,
			`{"access_token":"tok-visible-only-on-the-wire","token_type":"bearer","expires_in":600}`))
		f.sim.Script(sc.op, sc.script)
		f.sim.Script(sc.op, sc.script)

		err := f.client.Cancel(context.Background(), runningID)
		if err == nil {
			t.Fatalf("%s %d: no error", sc.op, sc.script.Status)
		}
		text := fmt.Sprintf("%v %+v", err, err)
		_, _, bearers, _ := f.seen()
		for _, secret := range append([]string{clientSecret, rotated}, bearers...) {
			if strings.Contains(text, secret) {
				t.Errorf("error text %q holds a secret or token", text)
			}
		}
		if strings.Contains(text, "<html>") {
			t.Errorf("error text %q holds an html body", text)
		}
	}
}

func TestUserAgentOnTokenRequest(t *testing.T) {
	f := newFixture(t)
	if _, err := f.client.Get(context.Background(), runningID); err != nil {
		t.Fatal(err)
	}
	_, _, _, headers := f.seen()
	if len(headers) != 2 {
		t.Fatalf("requests = %d, want 2", len(headers))
	}
	tokenReq := headers[0]
	if tokenReq.Get("User-Agent") != userAgent || tokenReq.Get("Authorization") != "" {
		t.Errorf("token request headers = %v", tokenReq)
	}
	if !strings.HasPrefix(tokenReq.Get("Content-Type"), "application/x-www-form-urlencoded") {
		t.Errorf("token request content type = %q", tokenReq.Get("Content-Type"))
	}
}
