package secret

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// failureTTL is how long a failed read is remembered. Within it, Get and Refresh
// return the same error without reading again, so a flood of requests while
// Secrets Manager is down, throttling or denying access costs one read per window
// instead of one per request.
const failureTTL = 5 * time.Second

// readTimeout bounds one read. The read runs apart from any single caller's
// context, so that one caller giving up does not fail the others waiting on the
// same read; this bound keeps a hung read from blocking everyone for ever.
const readTimeout = 10 * time.Second

// refreshCooldown is the least time between two re-reads forced by Refresh. When SailPoint
// keeps rejecting a PAT, every request asks for a re-read; the first one within the cooldown
// reads, the others get what it read.
const refreshCooldown = 5 * time.Second

// Store caches the parsed secret for one execution environment.
//
// Rules:
//   - nothing is read until the first Get or Refresh;
//   - a good Bundle is served for ttl after it was read;
//   - a failed read is remembered for failureTTL (5 s) and returned as is;
//   - Refresh re-reads at most once per refreshCooldown (5 s);
//   - at most one read is in flight: concurrent callers share it, and a caller
//     whose context ends while waiting returns its context's error, wrapped in
//     ErrUnavailable, while the read goes on for the others;
//   - every error wraps ErrUnavailable and names the secret, never a value.
type Store struct {
	src Source
	ttl time.Duration
	now func() time.Time

	mu       sync.Mutex
	bundle   Bundle
	err      error
	read     bool // a read has completed, so bundle or err holds its result
	until    time.Time
	inflight *pendingRead

	// refreshed is when Refresh last started a read.
	refreshed time.Time

	// joined, when set by tests, is called each time a caller starts waiting.
	joined func()
}

// pendingRead is one read shared by every caller that arrives while it runs.
type pendingRead struct {
	done   chan struct{}
	bundle Bundle
	err    error
}

// NewStore returns a Store reading src at first use and caching the result for
// ttl, measured with now. A ttl of zero or less caches nothing: every Get reads,
// though concurrent calls still share one read and failures are still remembered.
func NewStore(src Source, ttl time.Duration, now func() time.Time) *Store {
	return &Store{src: src, ttl: ttl, now: now}
}

// Get returns the cached Bundle, reading the source when the cache is empty or
// expired.
func (s *Store) Get(ctx context.Context) (Bundle, error) {
	s.mu.Lock()
	if s.read && s.now().Before(s.until) {
		b, err := s.bundle, s.err
		s.mu.Unlock()
		return b, err
	}
	p := s.startLocked(ctx)
	s.mu.Unlock()

	return s.wait(ctx, p)
}

// Refresh reads the source again now, ignoring a cached Bundle, for when
// SailPoint rejects the credentials and they may have been rotated. A read
// already in flight is shared rather than repeated, a failure remembered within
// the last failureTTL is returned without reading, and within refreshCooldown of
// the last forced re-read the cached Bundle is returned: a PAT that stays rejected
// costs one read per cooldown, however many requests it fails.
//
// Callers must not call Refresh when a webhook signature fails to verify: anyone
// can send bad signatures, and each would cost a read of the secret.
func (s *Store) Refresh(ctx context.Context) (Bundle, error) {
	s.mu.Lock()
	if s.read && s.err != nil && s.now().Before(s.until) {
		err := s.err
		s.mu.Unlock()
		return Bundle{}, err
	}
	if s.inflight == nil && s.read && s.err == nil && !s.refreshed.IsZero() &&
		s.now().Before(s.refreshed.Add(refreshCooldown)) {
		b := s.bundle
		s.mu.Unlock()
		return b, nil
	}
	if s.inflight == nil {
		s.refreshed = s.now()
	}
	p := s.startLocked(ctx)
	s.mu.Unlock()

	return s.wait(ctx, p)
}

// Credentials returns the PAT's client id and secret from the cached Bundle, or, with
// refresh, from a forced re-read (for when SailPoint rejected them; they may have rotated).
// Its signature is that of sailpoint.Credentials, so the method value serves as one.
func (s *Store) Credentials(ctx context.Context, refresh bool) (clientID, clientSecret string,
	err error) {
	read := s.Get
	if refresh {
		read = s.Refresh
	}
	b, err := read(ctx)
	if err != nil {
		return "", "", err
	}
	return b.ClientID, b.ClientSecret, nil
}

// startLocked returns the read in flight, starting one if there is none. The
// read keeps ctx's values but not its cancellation; s.mu must be held.
func (s *Store) startLocked(ctx context.Context) *pendingRead {
	if s.inflight != nil {
		return s.inflight
	}
	p := &pendingRead{done: make(chan struct{})}
	s.inflight = p

	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readTimeout)
	go func() {
		defer cancel()
		b, err := s.load(readCtx)
		s.finish(p, b, err)
	}()
	return p
}

// load reads and parses the secret, wrapping every failure in ErrUnavailable.
func (s *Store) load(ctx context.Context) (Bundle, error) {
	raw, err := s.src.Read(ctx)
	if err != nil {
		if !errors.Is(err, ErrUnavailable) {
			err = fmt.Errorf("%w: %s: %w", ErrUnavailable, s.name(), err)
		}
		return Bundle{}, err
	}
	b, err := Parse(raw)
	if err != nil {
		return Bundle{}, fmt.Errorf("%w: %s: %w", ErrUnavailable, s.name(), err)
	}
	return b, nil
}

// name names the source in error texts when it can describe itself.
func (s *Store) name() string {
	if n, ok := s.src.(fmt.Stringer); ok {
		return n.String()
	}
	return "secret source"
}

// finish records a read's result in the cache and releases its waiters.
func (s *Store) finish(p *pendingRead, b Bundle, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	ttl := s.ttl
	if err != nil {
		ttl = failureTTL
	}
	s.bundle, s.err, s.read = b, err, true
	s.until = s.now().Add(ttl)
	s.inflight = nil

	p.bundle, p.err = b, err
	close(p.done)
}

// wait returns the read's result, or the caller's context error if it ends first.
func (s *Store) wait(ctx context.Context, p *pendingRead) (Bundle, error) {
	if s.joined != nil {
		s.joined()
	}
	select {
	case <-p.done:
		return p.bundle, p.err
	case <-ctx.Done():
		return Bundle{}, fmt.Errorf("%w: %s: wait for read: %w", ErrUnavailable, s.name(), ctx.Err())
	}
}
