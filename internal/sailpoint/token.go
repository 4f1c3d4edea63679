package sailpoint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// defaultTokenLifetime is assumed for a token response without expires_in. SailPoint always
// sends one; five minutes keeps a token without one from being used for long.
const defaultTokenLifetime = 5 * time.Minute

// maxExpiryMargin is the most a token's lifetime is shortened by, so it is not used in the
// last moments before SailPoint stops accepting it.
const maxExpiryMargin = 10 * time.Second

// cachedToken is the access token shared by all calls of a Client.
type cachedToken struct {
	value      string
	validUntil time.Time
}

// accessToken returns a cached token while it is valid; otherwise it fetches one. Only one
// fetch runs at a time: concurrent callers wait for it and then use its token, and a waiter
// whose ctx ends gives up.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	if token, ok := c.validToken(); ok {
		return token, nil
	}

	select {
	case c.fetching <- struct{}{}:
	case <-ctx.Done():
		return "", transportError(OpToken, ctx.Err())
	}
	defer func() { <-c.fetching }()

	if token, ok := c.validToken(); ok {
		return token, nil
	}

	obtained := c.now()
	tok, err := c.fetchToken(ctx)
	if err != nil {
		return "", err
	}
	c.storeToken(tok, obtained)
	return tok.AccessToken, nil
}

// validToken returns the cached token unless it is missing or about to expire.
func (c *Client) validToken() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token.value == "" || !c.now().Before(c.token.validUntil) {
		return "", false
	}
	return c.token.value, true
}

// storeToken caches tok, obtained at the given time, until shortly before it expires:
// the margin is a tenth of its lifetime, at most maxExpiryMargin.
func (c *Client) storeToken(tok *oauth2.Token, obtained time.Time) {
	lifetime := defaultTokenLifetime
	switch {
	case tok.ExpiresIn > 0:
		lifetime = time.Duration(tok.ExpiresIn) * time.Second
	case !tok.Expiry.IsZero():
		// Computed by oauth2 from the wall clock, not from c.now.
		lifetime = time.Until(tok.Expiry)
	}
	margin := min(maxExpiryMargin, lifetime/10)

	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = cachedToken{value: tok.AccessToken, validUntil: obtained.Add(lifetime - margin)}
}

// dropToken forgets token after SailPoint refused it, unless another call already replaced it.
func (c *Client) dropToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token.value == token {
		c.token = cachedToken{}
	}
}

// fetchToken runs the client credentials grant. When the token endpoint rejects the PAT, it
// asks Credentials to refresh once and tries again; when it answers 429 with a Retry-After
// that fits the time left, it waits and tries again once.
func (c *Client) fetchToken(ctx context.Context) (*oauth2.Token, error) {
	id, secret, err := c.creds(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("sailpoint token: read credentials: %w", err)
	}

	refreshed, retried429 := false, false
	for {
		tok, err := c.exchange(ctx, id, secret)
		if err == nil {
			return tok, nil
		}

		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.Response == nil {
			return nil, transportError(OpToken, err)
		}

		switch {
		case patRejected(re) && !refreshed:
			refreshed = true
			id, secret, err = c.creds(ctx, true)
			if err != nil {
				return nil, fmt.Errorf("sailpoint token: refresh credentials: %w", err)
			}
			continue
		case re.Response.StatusCode == http.StatusTooManyRequests && !retried429:
			if wait, ok := c.retryFits(ctx, re.Response.Header); ok {
				retried429 = true
				if err := c.sleep(ctx, wait); err != nil {
					return nil, transportError(OpToken, err)
				}
				continue
			}
		}
		return nil, c.tokenError(re)
	}
}

// exchange makes one token request under ctx, through the Client's HTTP client.
func (c *Client) exchange(ctx context.Context, id, secret string) (*oauth2.Token, error) {
	cfg := clientcredentials.Config{
		ClientID:     id,
		ClientSecret: secret,
		TokenURL:     c.baseURL + "/oauth/token",
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	return cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, c.tokenHTTPClient()))
}

// tokenHTTPClient is the Client's HTTP client with the User-Agent and Accept headers added to
// each request, since oauth2 builds the token request itself.
func (c *Client) tokenHTTPClient() *http.Client {
	hc := *c.httpClient
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = headerTransport{base: base, userAgent: c.userAgent}
	return &hc
}

// headerTransport sets User-Agent and Accept on each request it sends.
type headerTransport struct {
	base      http.RoundTripper
	userAgent string
}

// RoundTrip sends a copy of req with the headers set.
func (t headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", t.userAgent)
	req.Header.Set("Accept", "application/json")
	return t.base.RoundTrip(req)
}

// patRejected reports whether the token endpoint refused the client id or secret, as OAuth
// says it does: 401, or 400 with one of the client errors.
func patRejected(re *oauth2.RetrieveError) bool {
	switch re.Response.StatusCode {
	case http.StatusUnauthorized:
		return true
	case http.StatusBadRequest:
		switch re.ErrorCode {
		case "invalid_client", "invalid_grant", "unauthorized_client":
			return true
		}
	}
	return false
}

// tokenError turns a final token endpoint error response into an *Error.
func (c *Client) tokenError(re *oauth2.RetrieveError) *Error {
	e := statusError(OpToken, re.Response.StatusCode, re.Response.Header, re.Body, c.now())
	if patRejected(re) {
		e.Kind = KindCredentialsRejected
	}
	e.Err = re
	return e
}

// isTimeout reports whether err means the call was cut short: a deadline or cancellation, a
// network timeout, or a connection closed or reset before the response was complete.
func isTimeout(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	return false
}
