package handler

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/command"
	"github.com/sailpoint-cancel/wfcancel/internal/reply"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// Replay memory bounds. The memory lives in one execution environment: a repeat delivered
// to another environment, or after this one is recycled, is not recognised.
const (
	// replayCapacity is the most deliveries remembered; the least recently seen go first.
	replayCapacity = 4096

	// replayUntimed is how long a delivery of a scheme without a signed timestamp is
	// remembered (Teams, GitHub, Jira, PagerDuty, shared tokens): such a delivery stays
	// valid forever, so only the capacity bounds the memory of it.
	replayUntimed = 24 * time.Hour
)

// actOnce acts on a verified delivery unless the same delivery was already acted on, in which
// case it returns the first outcome without calling SailPoint. Only deliveries that reached
// SailPoint are remembered, so one that failed before (secret, token endpoint, missing
// credentials) can be delivered again.
func (h *Handler) actOnce(ctx context.Context, req *request, rt *route, cmd command.Command,
	bundle secret.Bundle, proof webhook.Proof, rec *record) reply.Outcome {
	return h.once(ctx, rt, proof, cmd.ExecutionID, rec, func() (reply.Outcome, bool) {
		o := h.act(ctx, req, rt, cmd, bundle, rec)
		return o, reachedSailPoint(o, rec.cause)
	})
}

// once runs do for a delivery unless the same delivery was already seen on the route, in
// which case it returns the first outcome; a concurrent duplicate waits for the first to
// finish. do also says whether its outcome is kept for later duplicates until the delivery
// expires; one not kept is dropped, so that the next delivery runs again.
func (h *Handler) once(ctx context.Context, rt *route, proof webhook.Proof, id string,
	rec *record, do func() (reply.Outcome, bool)) reply.Outcome {
	key := rt.name + " " + proof.ReplayKey
	now := h.now()
	entry, first := h.replays.claim(key, now)
	if !first {
		rec.replayed = true
		if o, ok := entry.wait(ctx); ok {
			return o
		}
		return reply.Outcome{Kind: reply.Ignored, ExecutionID: id,
			Detail: "an identical delivery is still being processed"}
	}

	o, keep := do()
	if keep {
		h.replays.settle(entry, o, h.replayExpiry(proof, now))
	} else {
		h.replays.forget(key, entry, o)
	}
	return o
}

// replayExpiry is when a delivery can no longer be accepted: a signed timestamp stops being
// fresh after the tolerance; other deliveries never do.
func (h *Handler) replayExpiry(proof webhook.Proof, now time.Time) time.Time {
	if !proof.Timestamp.IsZero() {
		tolerance := h.tolerance
		if tolerance < webhook.DefaultTolerance {
			tolerance = webhook.DefaultTolerance // GitLab signing uses the default
		}
		return proof.Timestamp.Add(tolerance + time.Second)
	}
	return now.Add(replayUntimed)
}

// reachedSailPoint reports whether acting sent the cancel or the read to SailPoint's API and
// got an answer worth repeating (a failure at the token endpoint or in the secret store did
// not). SailPoint's refusals that invite a retry are not remembered, since SailPoint did
// nothing: a 429 asks for one after Retry-After, and a 403 or rejected credentials are put
// right in the tenant, after which the provider's redelivery must be acted on.
func reachedSailPoint(o reply.Outcome, cause error) bool {
	switch o.Kind {
	case reply.CancelRequested, reply.Canceled, reply.StatusReport, reply.AlreadyFinished,
		reply.CancelRefused, reply.NotFound, reply.UpstreamFailed, reply.UpstreamTimeout:
	default:
		return false
	}
	var se *sailpoint.Error
	if !errors.As(cause, &se) {
		return true
	}
	return se.Op != sailpoint.OpToken && !failedRead(o, se)
}

// failedRead reports whether the outcome is a read of the execution that SailPoint did not
// answer (the status command's read, or the workflow check's before a cancel). Nothing
// changed in SailPoint, so a redelivery may read again. A cancel that failed the same way
// is remembered, since it may have taken effect and is never sent twice.
func failedRead(o reply.Outcome, se *sailpoint.Error) bool {
	unanswered := o.Kind == reply.UpstreamFailed || o.Kind == reply.UpstreamTimeout
	return se.Op == sailpoint.OpGet && unanswered
}

// replayEntry is one remembered delivery: in flight until done is closed, then its outcome.
type replayEntry struct {
	key     string
	done    chan struct{}
	outcome reply.Outcome
	expires time.Time // zero while in flight
}

// wait returns the first outcome once it is known, or false when ctx ends first.
func (e *replayEntry) wait(ctx context.Context) (reply.Outcome, bool) {
	select {
	case <-e.done:
		return e.outcome, true
	case <-ctx.Done():
		return reply.Outcome{}, false
	}
}

// replayMemory is a bounded, least-recently-used set of deliveries. It is safe for
// concurrent use.
type replayMemory struct {
	mu       sync.Mutex
	capacity int
	order    *list.List // of *replayEntry, most recently seen at the front
	entries  map[string]*list.Element
}

func newReplayMemory(capacity int) *replayMemory {
	return &replayMemory{capacity: capacity, order: list.New(),
		entries: make(map[string]*list.Element)}
}

// claim returns the entry for key and whether the caller is the first to see it; the first
// must settle or forget it.
func (m *replayMemory) claim(key string, now time.Time) (*replayEntry, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	if el, ok := m.entries[key]; ok {
		e := el.Value.(*replayEntry)
		if e.expires.IsZero() || now.Before(e.expires) {
			m.order.MoveToFront(el)
			return e, false
		}
		m.remove(el)
	}

	e := &replayEntry{key: key, done: make(chan struct{})}
	m.entries[key] = m.order.PushFront(e)
	for m.order.Len() > m.capacity {
		m.remove(m.order.Back())
	}
	return e, true
}

// settle records the outcome of an entry and keeps it until expires.
func (m *replayMemory) settle(e *replayEntry, o reply.Outcome, expires time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e.outcome, e.expires = o, expires
	close(e.done)
}

// forget releases the waiters of an entry with its outcome and drops it, so that the next
// delivery of the same request is acted on.
func (m *replayMemory) forget(key string, e *replayEntry, o reply.Outcome) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e.outcome = o
	close(e.done)
	if el, ok := m.entries[key]; ok && el.Value.(*replayEntry) == e {
		m.remove(el)
	}
}

func (m *replayMemory) remove(el *list.Element) {
	m.order.Remove(el)
	delete(m.entries, el.Value.(*replayEntry).key)
}
