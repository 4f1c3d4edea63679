package handler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/reply"
)

// Follow-up delivery rules.
const (
	// followUpAttempts bounds the deliveries of one follow-up: the first and two retries.
	followUpAttempts = 3

	// followUpBackoff is the wait before the first retry; it doubles for each next one.
	followUpBackoff = 250 * time.Millisecond

	// followUpAttemptTimeout bounds one delivery attempt.
	followUpAttemptTimeout = 4 * time.Second

	// maxFollowUpAnswer is the most of a reply target's answer read before it is dropped.
	maxFollowUpAnswer = 4 << 10
)

// Reply hosts: the only hosts a deferred answer is ever sent to.
const (
	slackReplyHost   = "hooks.slack.com"
	discordReplyHost = "discord.com"
)

// followUp is how a route whose caller waits only a few seconds is answered in deferred
// mode: the command is acknowledged at once, and its answer is sent later to the reply
// address the request carried.
type followUp struct {
	// host is the one host the route's reply addresses may name.
	host string

	// path, when set, accepts only the escaped paths a reply address may have.
	path func(escaped string) bool

	// method sends the answer: a POST to Slack's response_url, a PATCH of Discord's original
	// response.
	method string

	// message is the answer's body.
	message func(reply.Outcome) []byte
}

// isDiscordOriginal accepts the path of a Discord interaction's original response, without
// dot segments.
func isDiscordOriginal(escaped string) bool {
	return isDiscordReplyPath(escaped) && !strings.Contains(escaped, "/./") &&
		!strings.Contains(escaped, "/../")
}

// isDiscordReplyPath reports whether path is that of a deferred interaction's original
// response: /api/v10/webhooks/{application id}/{interaction token}/messages/@original.
func isDiscordReplyPath(path string) bool {
	rest, ok := strings.CutPrefix(path, "/api/v10/webhooks/")
	if !ok {
		return false
	}
	rest, ok = strings.CutSuffix(rest, "/messages/@original")
	if !ok {
		return false
	}
	application, token, _ := strings.Cut(rest, "/")
	return isDiscordSnowflake(application) && isDiscordToken(token)
}

// replyTargets checks the addresses deferred answers go to and delivers them there. Its
// maps are keyed by the name of a route that has a follow-up (the provider).
type replyTargets struct {
	followUps map[string]*followUp

	// hosts maps a provider to the one host its reply addresses may name.
	hosts map[string]string

	// origins maps a provider to what a reply address built from a request's ids starts with.
	origins map[string]string

	// loopback accepts plain http and any port, for stand-ins on 127.0.0.1 in tests only.
	loopback bool

	client *http.Client
	sleep  func(ctx context.Context, d time.Duration) error
}

// newReplyTargets gathers the follow-ups of the routes. testHosts replaces the host of a
// route that has one; a name without a follow-up is ignored.
func newReplyTargets(all map[string]*route, client *http.Client,
	testHosts map[string]string) *replyTargets {
	t := &replyTargets{
		followUps: map[string]*followUp{},
		hosts:     map[string]string{},
		origins:   map[string]string{},
		client:    client,
		sleep:     sleepContext,
	}
	for _, rt := range all {
		if rt.followUp != nil {
			t.followUps[rt.name] = rt.followUp
			t.hosts[rt.name] = rt.followUp.host
			t.origins[rt.name] = "https://" + rt.followUp.host
		}
	}
	if len(testHosts) > 0 {
		t.loopback = true
		for provider, host := range testHosts {
			if _, ok := t.hosts[provider]; ok {
				t.hosts[provider] = strings.ToLower(host)
			}
		}
	}
	return t
}

// route is the name of the route whose replies go to provider's host, or "" for any other
// provider, so that a metric never carries a name taken from an event.
func (t *replyTargets) route(provider string) string {
	if _, ok := t.followUps[provider]; ok {
		return provider
	}
	return ""
}

// errReplyTarget is wrapped by every refusal of a reply address.
var errReplyTarget = errors.New("reply target refused")

// check parses a provider's reply address and accepts it only when it is exactly what the
// provider sends: https, no user info, no port but 443, the provider's host (compared without
// regard to case), and the provider's path when it has one (Discord's original response).
// Errors name the host only.
func (t *replyTargets) check(provider, raw string) (*url.URL, error) {
	want, ok := t.hosts[provider]
	if !ok {
		return nil, fmt.Errorf("%w: %s answers synchronously", errReplyTarget, provider)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return nil, fmt.Errorf("%w: not an absolute URL", errReplyTarget)
	}
	if !ascii(u.Hostname()) {
		// strings.ToLower folds some non-ASCII letters to ASCII ones (the Kelvin sign to
		// "k"), so a look-alike host could compare equal: no reply host has such letters.
		return nil, fmt.Errorf("%w: host %+q is not ASCII", errReplyTarget, clean(u.Hostname()))
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case host != want:
		return nil, fmt.Errorf("%w: host %q", errReplyTarget, clean(host))
	case u.User != nil:
		return nil, fmt.Errorf("%w: user info on host %s", errReplyTarget, host)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("%w: query or fragment on host %s", errReplyTarget, host)
	case t.loopback && (u.Scheme == "http" || u.Scheme == "https"):
	case u.Scheme != "https":
		return nil, fmt.Errorf("%w: scheme %q on host %s", errReplyTarget, clean(u.Scheme), host)
	case u.Port() != "" && u.Port() != "443":
		return nil, fmt.Errorf("%w: port on host %s", errReplyTarget, host)
	}
	if path := t.followUps[provider].path; path != nil && !path(u.EscapedPath()) {
		return nil, fmt.Errorf("%w: path on host %s", errReplyTarget, host)
	}
	return u, nil
}

// deliver sends a follow-up with the provider's method. It retries after a 5xx, a timeout
// or a connection error, with backoff, until one attempt is accepted, followUpAttempts are
// spent or ctx ends. It returns the attempts made. A retry after a timeout may repeat a
// message the provider did receive; nothing else is ever sent twice.
func (t *replyTargets) deliver(ctx context.Context, provider string, target *url.URL,
	body []byte) (int, error) {
	if t.client == nil {
		// Only a handler in sync mode has no client; it never hands a command off, but a
		// hand-off signed before a switch from deferred mode may still arrive.
		return 0, fmt.Errorf("post follow-up to %s: no reply client in sync mode",
			target.Hostname())
	}
	f, ok := t.followUps[provider]
	if !ok {
		return 0, fmt.Errorf("%w: %s answers synchronously", errReplyTarget, provider)
	}
	var err error
	wait := followUpBackoff
	for attempt := 1; ; attempt++ {
		var retry bool
		retry, err = t.attempt(ctx, f.method, target, body)
		if err == nil || !retry || attempt == followUpAttempts {
			return attempt, err
		}
		if serr := t.sleep(ctx, wait); serr != nil {
			return attempt, err
		}
		wait *= 2
	}
}

// attempt makes one delivery and says whether a failure is worth another.
func (t *replyTargets) attempt(ctx context.Context, method string, target *url.URL,
	body []byte) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, followUpAttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, target.String(), bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("build follow-up for %s: %w", target.Hostname(), errReplyTarget)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.client.Do(req)
	if err != nil {
		// The error text holds the URL, a bearer credential: say only what happened.
		var uerr *url.Error
		timeout := errors.As(err, &uerr) && uerr.Timeout()
		return true, fmt.Errorf("post follow-up to %s: connection failed (timeout %t)",
			target.Hostname(), timeout)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxFollowUpAnswer))
	_ = resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode >= 500:
		return true, fmt.Errorf("post follow-up to %s: status %d", target.Hostname(),
			resp.StatusCode)
	}
	return false, fmt.Errorf("post follow-up to %s: status %d", target.Hostname(),
		resp.StatusCode)
}

// ascii reports whether s holds ASCII bytes only.
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
