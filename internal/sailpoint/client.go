// Package sailpoint calls SailPoint Identity Security Cloud's workflow execution API: cancel an
// execution and read its status, authenticating with a personal access token (PAT) through
// the OAuth client credentials grant.
//
// Rules:
//   - Every failure becomes an *Error whose Kind says what happened; callers never see HTTP
//     status codes. Failures of the Credentials callback are returned wrapped as they came.
//   - A 401 drops the cached token and retries once; a 429 whose Retry-After fits the time
//     left is waited out and retried once. Nothing else is retried, so a cancel is never sent
//     twice after a 5xx or a timeout.
//   - Bodies are read up to maxBody bytes; error messages are capped.
package sailpoint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Credentials returns the PAT client id and secret. refresh=true asks the caller to re-read
// its secret store once, because the PAT may have rotated. Its errors are returned to the
// caller of Cancel or Get wrapped with %w, so errors.Is and errors.As still find them.
type Credentials func(ctx context.Context, refresh bool) (clientID, clientSecret string, err error)

// Config holds what a Client needs. BaseURL and Credentials are required.
type Config struct {
	// BaseURL is the tenant's API root, e.g. https://tenant.api.identitynow.com, without a
	// trailing slash. The caller validates it.
	BaseURL string
	// APIVersion selects the paths: "v3" (the default when empty), "beta", or "v1" for the
	// per-service paths such as /workflow-executions/v1/{id}/cancel.
	APIVersion string
	// HTTPClient sends every request, the token request included. When nil, a client that
	// follows no redirects is used.
	HTTPClient *http.Client
	// Credentials supplies the PAT.
	Credentials Credentials
	// UserAgent is sent on every request.
	UserAgent string
	// Now is the clock for token expiry and Retry-After dates; time.Now when nil.
	Now func() time.Time
	// Sleep waits before the one retry after a 429; when nil it waits on a timer or until ctx
	// ends, returning ctx's error in that case.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls one SailPoint tenant. It is safe for concurrent use and keeps one access token,
// shared by all calls, until shortly before it expires.
type Client struct {
	baseURL    string
	apiVersion string
	httpClient *http.Client
	creds      Credentials
	userAgent  string
	now        func() time.Time
	sleep      func(ctx context.Context, d time.Duration) error

	// fetching holds one slot: the caller holding it is the only one fetching a token.
	fetching chan struct{}
	mu       sync.Mutex
	token    cachedToken
}

// Operation names carried in Error.Op, so that a caller can tell which call failed: the
// cancel, the read of an execution, or the token request both of them make first.
const (
	OpCancel = "cancel"
	OpGet    = "get"
	OpToken  = "token"
)

// maxBody bounds how much of any response body is read.
const maxBody = 64 << 10

// noRetryWithoutDeadline is the longest Retry-After waited out when ctx has no deadline.
const noRetryWithoutDeadline = 10 * time.Second

// maxRetryAfter caps the Retry-After taken from SailPoint, so that a huge value reaches
// callers as a sane wait rather than overflowing or being mistaken for none.
const maxRetryAfter = 24 * time.Hour

// New returns a Client for cfg. It panics when cfg has no Credentials or an unknown
// APIVersion: both are programming errors, since the caller validates its configuration.
func New(cfg Config) *Client {
	if cfg.Credentials == nil {
		panic("sailpoint: Config.Credentials is nil")
	}
	version := cfg.APIVersion
	if version == "" {
		version = "v3"
	}
	if version != "v3" && version != "beta" && version != "v1" {
		panic(fmt.Sprintf("sailpoint: unknown API version %q", cfg.APIVersion))
	}

	c := &Client{
		baseURL:    cfg.BaseURL,
		apiVersion: version,
		httpClient: cfg.HTTPClient,
		creds:      cfg.Credentials,
		userAgent:  cfg.UserAgent,
		now:        cfg.Now,
		sleep:      cfg.Sleep,
		fetching:   make(chan struct{}, 1),
	}
	if c.httpClient == nil {
		c.httpClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleepContext
	}
	return c
}

// Cancel asks SailPoint to cancel a workflow execution. It returns nil when SailPoint accepted
// the request (204; any 2xx is taken as acceptance and its body ignored).
func (c *Client) Cancel(ctx context.Context, executionID string) error {
	return c.call(ctx, OpCancel, http.MethodPost, c.executionURL(executionID, "/cancel"),
		func([]byte) error { return nil })
}

// Get returns a workflow execution.
func (c *Client) Get(ctx context.Context, executionID string) (Execution, error) {
	var e Execution
	err := c.call(ctx, OpGet, http.MethodGet, c.executionURL(executionID, ""),
		func(body []byte) error {
			var err error
			e, err = decodeExecution(body)
			return err
		})
	return e, err
}

// executionURL builds the URL of an execution (suffix "" or "/cancel") for the API version.
func (c *Client) executionURL(executionID, suffix string) string {
	id := url.PathEscape(executionID)
	if c.apiVersion == "v1" {
		return c.baseURL + "/workflow-executions/v1/" + id + suffix
	}
	return c.baseURL + "/" + c.apiVersion + "/workflow-executions/" + id + suffix
}

// call sends one API request with a bearer token, applying the 401 and 429 retry rules, and
// hands a 2xx body to decode.
func (c *Client) call(
	ctx context.Context,
	op, method, target string,
	decode func(body []byte) error,
) error {
	retried401, retried429 := false, false
	for {
		token, err := c.accessToken(ctx)
		if err != nil {
			return err
		}

		status, header, body, err := c.send(ctx, method, target, token)
		if err != nil {
			return transportError(op, err)
		}

		switch {
		case status == http.StatusUnauthorized && !retried401:
			retried401 = true
			c.dropToken(token)
			continue
		case status == http.StatusTooManyRequests && !retried429:
			if wait, ok := c.retryFits(ctx, header); ok {
				retried429 = true
				if err := c.sleep(ctx, wait); err != nil {
					return transportError(op, err)
				}
				continue
			}
		}

		if status < 200 || status > 299 {
			return statusError(op, status, header, body, c.now())
		}
		if err := decode(body); err != nil {
			return &Error{Kind: KindUpstream, Op: op, Status: status,
				Err: fmt.Errorf("decode response: %w", err)}
		}
		return nil
	}
}

// send performs one request and returns its status, header and bounded body.
func (c *Client) send(
	ctx context.Context,
	method, target, token string,
) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)

	resp, err := c.httpClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, err
	}
	// Drain a little more so the connection can be reused, without reading a huge body.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	return resp.StatusCode, resp.Header, bytes.Clone(body), nil
}

// retryFits returns the Retry-After wait when it is present and fits the time left: before
// ctx's deadline, or within noRetryWithoutDeadline when ctx has none.
func (c *Client) retryFits(ctx context.Context, h http.Header) (time.Duration, bool) {
	wait, ok := retryAfter(h, c.now())
	if !ok {
		return 0, false
	}
	if deadline, has := ctx.Deadline(); has {
		return wait, wait < deadline.Sub(c.now())
	}
	return wait, wait <= noRetryWithoutDeadline
}

// retryAfter parses Retry-After, given in seconds or as an HTTP date. ok is false when the
// header is missing or unreadable. A negative value or a date in the past means no wait;
// anything beyond maxRetryAfter, however large, counts as maxRetryAfter.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	// On overflow ParseInt still returns the largest value of the right sign.
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return clampRetry(secs), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return min(max(at.Sub(now), 0).Round(time.Second), maxRetryAfter), true
	}
	return 0, false
}

// clampRetry turns whole seconds into a wait within [0, maxRetryAfter], without the
// overflow a plain multiplication would risk.
func clampRetry(secs int64) time.Duration {
	switch {
	case secs <= 0:
		return 0
	case secs >= int64(maxRetryAfter/time.Second):
		return maxRetryAfter
	}
	return time.Duration(secs) * time.Second
}

// transportError classifies a failure where no usable response arrived. Deadlines, network
// timeouts, cancellation and connections dropped mid-call are KindTimeout: the request may
// have reached SailPoint. Anything else (a refused connection, a bad URL) is KindUpstream.
func transportError(op string, err error) *Error {
	kind := KindUpstream
	if isTimeout(err) {
		kind = KindTimeout
	}
	return &Error{Kind: kind, Op: op, Err: err}
}

// sleepContext waits d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
