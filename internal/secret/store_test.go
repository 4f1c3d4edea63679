package secret_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/secret/secrettest"
)

const (
	secretID    = "wfcancel/test"
	distinctive = "DISTINCTIVE-v4lue-9f2c"
	ttl         = 5 * time.Minute
)

var goodSecret = `{"client_id":"cid","client_secret":"` + distinctive + `",` +
	`"slack_signing_secret":["slack-new","slack-old"]}`

// clock is a settable time source for the Store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// noRetryWait keeps the SDK's default retry count and decisions but drops the
// backoff sleeps, so tests of retried failures stay fast.
func noRetryWait(o *secretsmanager.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
			return 0, nil
		})
	})
}

// fixture is a Store reading from a fake Secrets Manager through the real SDK.
type fixture struct {
	srv    *secrettest.Server
	clock  *clock
	store  *secret.Store
	builds int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDSECRETTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fake")

	f := &fixture{srv: secrettest.NewServer(), clock: newClock()}
	t.Cleanup(f.srv.Close)
	f.srv.SetSecret(secretID, goodSecret)

	src := secret.SecretsManager(secretID,
		func(context.Context) (secret.GetSecretValueAPI, error) {
			f.builds++
			return f.srv.NewClient(noRetryWait), nil
		})
	f.store = secret.NewStore(src, ttl, f.clock.now)
	return f
}

func TestStoreReadsAtFirstUseAndCaches(t *testing.T) {
	f := newFixture(t)
	if f.srv.Calls() != 0 || f.builds != 0 {
		t.Fatalf("construction read the secret: calls=%d builds=%d", f.srv.Calls(), f.builds)
	}

	for range 100 {
		b, err := f.store.Get(t.Context())
		if err != nil {
			t.Fatalf("Get() error = %v", err)
		}
		if b.ClientID != "cid" || b.ClientSecret != distinctive {
			t.Fatalf("credentials = %q/%q", b.ClientID, b.ClientSecret)
		}
		want := []string{"slack-new", "slack-old"}
		if got := b.Values("slack_signing_secret"); !slices.Equal(got, want) {
			t.Fatalf("slack_signing_secret = %q, want %q", got, want)
		}
	}

	if f.srv.Calls() != 1 || f.builds != 1 {
		t.Errorf("100 Gets within the TTL: calls=%d builds=%d, want 1 and 1", f.srv.Calls(), f.builds)
	}
}

func TestStoreRereadsAfterTTL(t *testing.T) {
	f := newFixture(t)
	mustGet(t, f.store)

	f.srv.SetSecret(secretID, `{"client_id":"rotated","client_secret":"s"}`)
	f.clock.advance(ttl - time.Second)
	if b := mustGet(t, f.store); b.ClientID != "cid" {
		t.Errorf("before the TTL ClientID = %q, want the cached value", b.ClientID)
	}

	f.clock.advance(time.Second)
	if b := mustGet(t, f.store); b.ClientID != "rotated" {
		t.Errorf("at the TTL ClientID = %q, want the re-read value", b.ClientID)
	}
	if f.srv.Calls() != 2 || f.builds != 1 {
		t.Errorf("calls=%d builds=%d, want 2 reads through 1 client", f.srv.Calls(), f.builds)
	}
}

func TestStoreRefreshRereads(t *testing.T) {
	f := newFixture(t)
	mustGet(t, f.store)
	f.srv.SetSecret(secretID, `{"client_id":"rotated","client_secret":"s"}`)

	b, err := f.store.Refresh(t.Context())
	if err != nil {
		t.Fatalf("Refresh() error = %v", err)
	}
	if b.ClientID != "rotated" {
		t.Errorf("Refresh() ClientID = %q, want the rotated value", b.ClientID)
	}
	if got := mustGet(t, f.store); got.ClientID != "rotated" {
		t.Errorf("Get() after Refresh ClientID = %q, want the rotated value", got.ClientID)
	}
	if f.srv.Calls() != 2 {
		t.Errorf("calls = %d, want 2", f.srv.Calls())
	}
}

func TestStoreCredentialsReadsOrRereads(t *testing.T) {
	f := newFixture(t)
	if _, _, err := f.store.Credentials(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	f.srv.SetSecret(secretID, `{"client_id":"rotated","client_secret":"s2"}`)
	id, _, err := f.store.Credentials(t.Context(), false)
	if err != nil || id == "rotated" {
		t.Errorf("Credentials(false) = %q, %v; want the cached PAT", id, err)
	}
	id, secretText, err := f.store.Credentials(t.Context(), true)
	if err != nil || id != "rotated" || secretText != "s2" {
		t.Errorf("Credentials(true) = %q, %q, %v; want the rotated PAT", id, secretText, err)
	}
	if f.srv.Calls() != 2 {
		t.Errorf("calls = %d, want 2", f.srv.Calls())
	}
}

// A PAT that SailPoint keeps rejecting makes every request ask for a re-read; within the
// cooldown after one forced re-read, the others get what it read.
func TestStoreRefreshRereadsAtMostOncePerCooldown(t *testing.T) {
	f := newFixture(t)
	mustGet(t, f.store)
	for i := 0; i < 50; i++ {
		if _, err := f.store.Refresh(t.Context()); err != nil {
			t.Fatalf("Refresh() error = %v", err)
		}
	}
	if f.srv.Calls() != 2 {
		t.Errorf("calls after 50 refreshes = %d, want 2 (the first read and one re-read)",
			f.srv.Calls())
	}

	f.clock.advance(6 * time.Second)
	f.srv.SetSecret(secretID, `{"client_id":"rotated","client_secret":"s"}`)
	b, err := f.store.Refresh(t.Context())
	if err != nil || b.ClientID != "rotated" {
		t.Fatalf("Refresh() after the cooldown = %q, %v; want a new read", b.ClientID, err)
	}
	if f.srv.Calls() != 3 {
		t.Errorf("calls = %d, want 3", f.srv.Calls())
	}
}

// The SDK's standard retryer makes 3 attempts for errors it deems retryable: a
// 500 status (InternalServiceError) and the throttling codes. A flood of Gets
// inside the failure window must add nothing to those 3 calls.
func TestStoreRemembersFailedRead(t *testing.T) {
	f := newFixture(t)
	f.srv.Fail(secrettest.Fault{Type: "InternalServiceError", Message: "boom"})

	for i := range 100 {
		_, err := f.store.Get(t.Context())
		if !errors.Is(err, secret.ErrUnavailable) {
			t.Fatalf("Get() #%d error = %v, want ErrUnavailable", i, err)
		}
	}
	if got := f.srv.Calls(); got != 3 {
		t.Fatalf("100 Gets in the failure window: calls = %d, want 3 (one read, SDK retries)", got)
	}
	if _, err := f.store.Refresh(t.Context()); !errors.Is(err, secret.ErrUnavailable) {
		t.Fatalf("Refresh() in the failure window error = %v", err)
	}
	if got := f.srv.Calls(); got != 3 {
		t.Fatalf("Refresh in the failure window: calls = %d, want 3", got)
	}

	f.clock.advance(5 * time.Second)
	if _, err := f.store.Get(t.Context()); !errors.Is(err, secret.ErrUnavailable) {
		t.Fatalf("Get() after the window error = %v, want ErrUnavailable", err)
	}
	if got := f.srv.Calls(); got != 6 {
		t.Fatalf("after the window: calls = %d, want 6 (one more read, SDK retries)", got)
	}

	f.srv.ClearFault()
	f.clock.advance(5 * time.Second)
	if b := mustGet(t, f.store); b.ClientID != "cid" {
		t.Errorf("after recovery ClientID = %q", b.ClientID)
	}
}

func TestStoreConcurrentGetsShareOneRead(t *testing.T) {
	f := newFixture(t)

	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			b, err := f.store.Get(t.Context())
			if err == nil && b.ClientID != "cid" {
				err = fmt.Errorf("ClientID = %q", b.ClientID)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)

	for err := range errs {
		if err != nil {
			t.Errorf("Get() error = %v", err)
		}
	}
	if f.srv.Calls() != 1 {
		t.Errorf("50 concurrent Gets: calls = %d, want 1", f.srv.Calls())
	}
}

func TestStoreSecretsManagerFailures(t *testing.T) {
	tests := []struct {
		name      string
		fault     *secrettest.Fault
		binary    bool
		secret    string
		wantText  string
		wantCode  string
		wantCalls int
	}{
		{
			name:      "secret stored as binary",
			binary:    true,
			wantText:  "has no SecretString",
			wantCalls: 1,
		},
		{
			name:      "secret not found",
			fault:     &secrettest.Fault{Type: "ResourceNotFoundException", Message: "no such secret"},
			wantCode:  "ResourceNotFoundException",
			wantCalls: 1,
		},
		{
			name:      "access denied",
			fault:     &secrettest.Fault{Type: "AccessDeniedException", Message: "not allowed"},
			wantCode:  "AccessDeniedException",
			wantCalls: 1,
		},
		{
			name:      "kms cannot decrypt",
			fault:     &secrettest.Fault{Type: "DecryptionFailure", Message: "kms says no"},
			wantCode:  "DecryptionFailure",
			wantCalls: 1,
		},
		{
			name:      "throttled, retried by the SDK",
			fault:     &secrettest.Fault{Type: "ThrottlingException", Message: "slow down"},
			wantCode:  "ThrottlingException",
			wantCalls: 3,
		},
		{
			name:      "secret is not JSON",
			secret:    "not json " + distinctive,
			wantText:  "not a JSON object",
			wantCalls: 1,
		},
		{
			name:      "client_id is not a string",
			secret:    `{"client_id":98765432,"client_secret":"` + distinctive + `"}`,
			wantText:  `key "client_id"`,
			wantCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			switch {
			case tt.binary:
				f.srv.SetBinary(secretID, []byte(goodSecret))
			case tt.secret != "":
				f.srv.SetSecret(secretID, tt.secret)
			case tt.fault != nil:
				f.srv.Fail(*tt.fault)
			}

			_, err := f.store.Get(t.Context())

			if !errors.Is(err, secret.ErrUnavailable) {
				t.Fatalf("Get() error = %v, want ErrUnavailable", err)
			}
			text := err.Error()
			if !strings.Contains(text, secretID) {
				t.Errorf("error %q does not name the secret id", text)
			}
			if !strings.Contains(text, tt.wantText) || !strings.Contains(text, tt.wantCode) {
				t.Errorf("error %q, want it to say %q%q", text, tt.wantText, tt.wantCode)
			}
			for _, v := range []string{distinctive, "98765432", "slack-new"} {
				if strings.Contains(text, v) {
					t.Errorf("error %q contains a secret value", text)
				}
			}
			var apiErr smithy.APIError
			if tt.wantCode != "" && (!errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.wantCode) {
				t.Errorf("errors.As(smithy.APIError) = %v, want code %s", apiErr, tt.wantCode)
			}
			if got := f.srv.Calls(); got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestStoreUnknownSecretID(t *testing.T) {
	f := newFixture(t)
	store := secret.NewStore(secret.SecretsManager("wfcancel/absent",
		func(context.Context) (secret.GetSecretValueAPI, error) {
			return f.srv.NewClient(noRetryWait), nil
		}), ttl, f.clock.now)

	_, err := store.Get(t.Context())

	if !errors.Is(err, secret.ErrUnavailable) ||
		!strings.Contains(err.Error(), "ResourceNotFoundException") ||
		!strings.Contains(err.Error(), "wfcancel/absent") {
		t.Errorf("Get() error = %v, want ResourceNotFoundException naming the id", err)
	}
}

func TestStoreHangEndsAtCallerDeadline(t *testing.T) {
	f := newFixture(t)
	f.srv.Fail(secrettest.Fault{Hang: true})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()

	start := time.Now()
	_, err := f.store.Get(ctx)
	elapsed := time.Since(start)

	if !errors.Is(err, secret.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get() error = %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	if elapsed > 2*time.Second {
		t.Errorf("Get() returned after %v, want about the 200ms deadline", elapsed)
	}
}

func TestStoreClientBuildFailure(t *testing.T) {
	builds := 0
	src := secret.SecretsManager(secretID, func(context.Context) (secret.GetSecretValueAPI, error) {
		builds++
		return nil, errors.New("no region configured")
	})
	c := newClock()
	store := secret.NewStore(src, ttl, c.now)

	_, err := store.Get(t.Context())
	if !errors.Is(err, secret.ErrUnavailable) || !strings.Contains(err.Error(), "build client") {
		t.Errorf("Get() error = %v, want ErrUnavailable naming the client build", err)
	}

	c.advance(5 * time.Second)
	_, _ = store.Get(t.Context())
	if builds != 2 {
		t.Errorf("builds = %d, want a failed build retried at the next read", builds)
	}
}

func TestStoreFileSource(t *testing.T) {
	c := newClock()
	store := secret.NewStore(secret.File("testdata/secret.json"), ttl, c.now)

	b, err := store.Get(t.Context())
	if err != nil {
		t.Fatalf("Get() error = %v", err)
	}
	if b.ClientID != "example-client-id" || len(b.MissingCredentials()) != 0 {
		t.Errorf("Bundle = %q, missing %q", b.ClientID, b.MissingCredentials())
	}
}

func TestStoreMissingFile(t *testing.T) {
	c := newClock()
	store := secret.NewStore(secret.File("testdata/absent.json"), ttl, c.now)

	_, err := store.Get(t.Context())

	if !errors.Is(err, secret.ErrUnavailable) ||
		!strings.Contains(err.Error(), "testdata/absent.json") ||
		!strings.Contains(err.Error(), "no such file") {
		t.Errorf("Get() error = %v, want ErrUnavailable naming the file", err)
	}
}

func mustGet(t *testing.T, s *secret.Store) secret.Bundle {
	t.Helper()
	b, err := s.Get(t.Context())
	if err != nil {
		t.Fatalf("Get() error = %v", err)
	}
	return b
}
