package handler

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/sailpoint-cancel/wfcancel/internal/command"
	"github.com/sailpoint-cancel/wfcancel/internal/reply"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// Invoker starts an asynchronous invocation of a function with an event.
type Invoker interface {
	Async(ctx context.Context, functionARN string, payload []byte) error
}

// signingKeyName is the secret key whose text signs hand-offs between invocations.
const signingKeyName = "internal_signing_key"

// Hand-off freshness: how old, and how far in the future, a hand-off may be when it arrives.
// Asynchronous events may wait in Lambda's queue; template.yaml drops them after 900 s.
const (
	handOffMaxAge  = 900 * time.Second
	handOffMaxSkew = 60 * time.Second
)

// Deferred work budget: the work stops this long before the invocation's deadline, to leave
// room for the follow-up, and never runs longer than deferredWorkLimit.
const (
	followUpReserve   = 6 * time.Second
	deferredWorkLimit = 20 * time.Second
)

// handOff is the payload of a hand-off: only what the work needs. Its JSON text is signed
// exactly as sent.
type handOff struct {
	Action      string `json:"action"`
	ExecutionID string `json:"executionId"`
	ReplyURL    string `json:"replyUrl"`
	Provider    string `json:"provider"`
	Team        string `json:"team"`
	User        string `json:"user"`
	At          int64  `json:"at"`

	// Nonce names this hand-off. Lambda delivers asynchronous events at least once, so the
	// same event may arrive twice; the nonce lets the second be recognised and dropped.
	Nonce string `json:"nonce"`
}

// deferredEvent is the event of an asynchronous invocation that carries a hand-off. API
// Gateway and function URLs never send an object whose one member is "deferred".
type deferredEvent struct {
	Payload string `json:"payload"`
	MAC     string `json:"mac"`
}

// asDeferred reports whether raw is a hand-off event, and returns it.
func asDeferred(raw []byte) (deferredEvent, bool) {
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		return deferredEvent{}, false
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil || len(members) != 1 {
		return deferredEvent{}, false
	}
	inner, ok := members["deferred"]
	if !ok {
		return deferredEvent{}, false
	}
	var ev deferredEvent
	_ = json.Unmarshal(inner, &ev) // a malformed hand-off fails its MAC check
	return ev, true
}

// defers reports whether the route's commands are handed to an asynchronous invocation.
func (h *Handler) defers(rt *route) bool {
	return h.deferred && rt.followUp != nil
}

// handOff validates a command in the synchronous half and hands it to an asynchronous
// invocation of the running function version, then acknowledges it. Nothing reaches
// SailPoint here; a command whose reply address is not the provider's own is refused
// before anything is invoked.
func (h *Handler) handOff(ctx context.Context, req *request, rt *route, cmd command.Command,
	who caller, bundle secret.Bundle, rec *record) reply.Outcome {
	id := cmd.ExecutionID
	if o := credentialsMissing(bundle, id, rec); o != nil {
		return *o
	}
	keys := bundle.Values(signingKeyName)
	if len(keys) == 0 {
		rec.cause = errors.New("secret lacks " + signingKeyName)
		return reply.Outcome{Kind: reply.HandOffFailed, ExecutionID: id,
			Detail: "the secret lacks " + signingKeyName}
	}
	if _, err := h.replies.check(rt.name, who.replyURL); err != nil {
		rec.cause = err
		return reply.Outcome{Kind: reply.NotAllowed, ExecutionID: id,
			Detail: "the reply address is not the chat provider's own"}
	}
	lc, ok := lambdacontext.FromContext(ctx)
	if !ok || lc.InvokedFunctionArn == "" || h.invoker == nil {
		rec.cause = errors.New("no function ARN in the invocation's context")
		return reply.Outcome{Kind: reply.HandOffFailed, ExecutionID: id}
	}

	p := handOff{Action: string(cmd.Action), ExecutionID: id, ReplyURL: who.replyURL,
		Provider: rt.name, Team: who.team, User: who.user, At: h.now().Unix(),
		Nonce: rand.Text()}
	event := seal(p, keys[0])
	ictx, cancel := context.WithDeadline(ctx, h.budget(ctx, req, rt))
	defer cancel()
	began := h.now()
	err := h.invoker.Async(ictx, lc.InvokedFunctionArn, event)
	rec.upstream = h.now().Sub(began)
	if err != nil {
		rec.cause = err
		return reply.Outcome{Kind: reply.HandOffFailed, ExecutionID: id}
	}

	verb := "Cancelling"
	if cmd.Action == command.Status {
		verb = "Looking up"
	}
	return reply.Outcome{Kind: reply.Deferred, ExecutionID: id, Detail: verb + " " + id + "…"}
}

// handOffOnce hands a command off unless the same delivery was already handed off, on a
// route that remembers what it acted on (Discord): a replayed interaction gets the first
// acknowledgement and starts no second invocation.
func (h *Handler) handOffOnce(ctx context.Context, req *request, rt *route,
	cmd command.Command, who caller, bundle secret.Bundle, proof webhook.Proof,
	rec *record) reply.Outcome {
	if !rt.replay {
		return h.handOff(ctx, req, rt, cmd, who, bundle, rec)
	}
	return h.once(ctx, rt, proof, cmd.ExecutionID, rec, func() (reply.Outcome, bool) {
		o := h.handOff(ctx, req, rt, cmd, who, bundle, rec)
		return o, o.Kind == reply.Deferred
	})
}

// seal signs a hand-off: the MAC is the lowercase hex HMAC-SHA256 of the payload text.
func seal(p handOff, key string) []byte {
	text, err := json.Marshal(p)
	if err != nil {
		panic("handler: marshal hand-off: " + err.Error())
	}
	ev, err := json.Marshal(map[string]deferredEvent{
		"deferred": {Payload: string(text), MAC: mac(key, text)},
	})
	if err != nil {
		panic("handler: marshal hand-off event: " + err.Error())
	}
	return ev
}

func mac(key string, text []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(text)
	return hex.EncodeToString(m.Sum(nil))
}

// open checks a hand-off's MAC against every value of the signing key (rotation) and its
// age, and returns its payload.
func open(ev deferredEvent, keys []string, now time.Time) (handOff, error) {
	if len(keys) == 0 {
		return handOff{}, errors.New("the secret lacks " + signingKeyName)
	}
	valid := false
	for _, key := range keys {
		if hmac.Equal([]byte(mac(key, []byte(ev.Payload))), []byte(ev.MAC)) {
			valid = true
		}
	}
	if !valid {
		return handOff{}, errors.New("missing or wrong MAC")
	}
	var p handOff
	if err := json.Unmarshal([]byte(ev.Payload), &p); err != nil {
		return handOff{}, errors.New("payload is not a hand-off")
	}
	at := time.Unix(p.At, 0)
	switch {
	case now.Sub(at) > handOffMaxAge:
		return handOff{}, fmt.Errorf("hand-off is %s old", now.Sub(at).Round(time.Second))
	case at.Sub(now) > handOffMaxSkew:
		return handOff{}, errors.New("hand-off is from the future")
	}
	if p.Nonce == "" {
		return handOff{}, errors.New("hand-off has no nonce")
	}
	if p.Action != string(command.Cancel) && p.Action != string(command.Status) {
		return handOff{}, errors.New("hand-off names no action")
	}
	if err := command.ValidateExecutionID(p.ExecutionID); err != nil {
		return handOff{}, errors.New("hand-off names no valid execution id")
	}
	return p, nil
}

// deferredResult is what an asynchronous invocation returns; nobody waits for it, but it
// shows in the Lambda console and in tests.
type deferredResult struct {
	Status    string `json:"status"` // "done" or "refused"
	Outcome   string `json:"outcome,omitempty"`
	Delivered bool   `json:"delivered"`
}

// serveDeferred does the work of a hand-off and delivers its answer once. A hand-off that
// fails its checks, or that this execution environment has already served, is logged and
// dropped: no SailPoint call, no follow-up. It never returns an error, since the runtime
// would report it as a failed event.
func (h *Handler) serveDeferred(ctx context.Context, ev deferredEvent) json.RawMessage {
	start := h.now()
	bundle, err := h.secrets.Get(ctx)
	if err != nil {
		return h.refuseDeferred(ctx, "", reply.SecretUnavailable,
			"the secret could not be read", err)
	}
	p, err := open(ev, bundle.Values(signingKeyName), start)
	if err != nil {
		return h.refuseDeferred(ctx, "", reply.HandOffRefused, "hand-off refused", err)
	}
	target, err := h.replies.check(p.Provider, p.ReplyURL)
	if err != nil {
		return h.refuseDeferred(ctx, h.replies.route(p.Provider), reply.HandOffRefused,
			"hand-off refused", err)
	}
	if h.replies.client == nil {
		// Only a handler in sync mode has no reply client. A hand-off signed before a switch
		// from deferred mode may still arrive; acting on it would cancel with no one told.
		return h.refuseDeferred(ctx, p.Provider, reply.HandOffRefused, "hand-off refused",
			errors.New("no reply client in sync mode: the answer could not be delivered"))
	}
	if !h.firstDelivery(p, start) {
		return h.refuseDeferred(ctx, p.Provider, reply.HandOffRefused, "hand-off already served",
			errors.New("the same hand-off was delivered before"))
	}

	rec := &record{route: p.Provider}
	cmd := command.Command{Action: command.Action(p.Action), ExecutionID: p.ExecutionID}
	rec.outcome = h.work(ctx, cmd, bundle, rec)
	o := rec.outcome

	body := h.replies.followUps[p.Provider].message(o) // check found the provider's follow-up
	attempts, derr := h.replies.deliver(ctx, p.Provider, target, body)

	h.audit(ctx, auditEntry{provider: p.Provider, team: p.Team, user: p.User,
		action: p.Action, outcome: o, cause: rec.cause})
	attrs := []slog.Attr{
		slog.String("route", p.Provider),
		slog.String("outcome", o.Kind.String()),
		slog.String("executionId", clean(o.ExecutionID)),
		slog.String("replyHost", target.Hostname()),
		slog.Int("attempts", attempts),
		slog.Bool("delivered", derr == nil),
		slog.Int64("durationMs", h.now().Sub(start).Milliseconds()),
	}
	if rec.upstream > 0 {
		attrs = append(attrs, slog.Int64("upstreamMs", rec.upstream.Milliseconds()))
	}
	level := slog.LevelInfo
	if cause := errors.Join(rec.cause, derr); cause != nil {
		attrs = append(attrs, slog.String("error", clean(cause.Error())))
		level = slog.LevelWarn
	}
	h.log.LogAttrs(ctx, level, "deferred", attrs...)
	h.recordMetrics(rec)
	return result(deferredResult{Status: "done", Outcome: o.Kind.String(), Delivered: derr == nil})
}

// firstDelivery reports whether the hand-off is seen for the first time in this execution
// environment, and remembers it until open would refuse it as stale anyway. It is remembered
// whatever the work's outcome: its follow-up is sent once, so a redelivery must not act.
func (h *Handler) firstDelivery(p handOff, now time.Time) bool {
	entry, first := h.replays.claim("hand-off "+p.Nonce, now)
	if first {
		expires := time.Unix(p.At, 0).Add(handOffMaxAge + time.Second)
		h.replays.settle(entry, reply.Outcome{}, expires)
	}
	return first
}

// work runs a handed-off command, leaving room before the invocation's deadline for the
// follow-up.
func (h *Handler) work(ctx context.Context, cmd command.Command, bundle secret.Bundle,
	rec *record) reply.Outcome {
	if o := credentialsMissing(bundle, cmd.ExecutionID, rec); o != nil {
		return *o
	}
	deadline := h.now().Add(deferredWorkLimit)
	if dl, ok := ctx.Deadline(); ok {
		deadline = earliest(deadline, dl.Add(-followUpReserve))
	}
	return h.run(ctx, cmd, deadline, rec)
}

// refuseDeferred logs and counts a hand-off that is dropped. Route is the provider's route
// once the hand-off's MAC is verified; before that it is empty (counted as unmatched), since
// an unverified payload names nothing a metric may trust.
func (h *Handler) refuseDeferred(ctx context.Context, route string, kind reply.Kind, msg string,
	err error) json.RawMessage {
	h.log.LogAttrs(ctx, slog.LevelWarn, "deferred",
		slog.String("outcome", kind.String()), slog.String("reason", msg),
		slog.String("error", clean(err.Error())))
	h.recordMetrics(&record{route: route, outcome: reply.Outcome{Kind: kind}})
	return result(deferredResult{Status: "refused"})
}

func result(r deferredResult) json.RawMessage {
	b, err := json.Marshal(r)
	if err != nil {
		panic("handler: marshal deferred result: " + err.Error())
	}
	return b
}
