package handler

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/url"
	"slices"
	"strings"

	"github.com/sailpoint-cancel/wfcancel/internal/command"
	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/reply"
)

// ticket reads a ticket or incident provider's webhook: it finds the event type, the actor,
// the execution id and the action in the payload, as the route's settings say.
//
// Rules:
//   - the payload is strict JSON (command.CheckJSON); GitHub form deliveries carry it in
//     their payload field;
//   - an event or an actor outside a set allow-list, a missing id field, a value that is
//     not text or holds no execution id are ignored: a 200 the provider counts as delivered;
//   - a value holding several distinct execution ids is a 400, since guessing is unsafe.
type ticket struct {
	name        string // the route name, e.g. "github"
	settings    config.RouteSettings
	eventHeader string // header carrying the event type, when the provider sends one
	formPayload bool   // a form body carries the JSON payload in its payload field
}

func (t ticket) parse(req *request) (command.Command, *reply.Outcome) {
	body, o := t.payload(req)
	if o != nil {
		return command.Command{}, o
	}
	if err := command.CheckJSON(body); err != nil {
		return command.Command{}, fail(reply.BadCommand, mistake(err))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return command.Command{}, fail(reply.BadCommand, "The body is not valid JSON.")
	}

	if o := t.authorize(req, doc); o != nil {
		return command.Command{}, o
	}

	id, o := t.executionID(doc)
	if o != nil {
		return command.Command{}, o
	}
	action, o := t.action(doc)
	if o != nil {
		return command.Command{}, o
	}
	return command.Command{Action: action, ExecutionID: id}, nil
}

// payload is the JSON document of the delivery.
func (t ticket) payload(req *request) ([]byte, *reply.Outcome) {
	mediaType, _, _ := mime.ParseMediaType(req.Header("Content-Type"))
	if !t.formPayload || mediaType != "application/x-www-form-urlencoded" {
		return req.body, nil
	}
	form, err := url.ParseQuery(string(req.body))
	if err != nil || len(form["payload"]) != 1 {
		return nil, fail(reply.BadCommand, "The form must carry one payload field.")
	}
	return []byte(form.Get("payload")), nil
}

// authorize checks the route's allow-lists: the event type, then the actor.
func (t ticket) authorize(req *request, doc any) *reply.Outcome {
	s := t.settings
	if len(s.AllowedEvents) > 0 {
		event, found := t.event(req, doc)
		variable := s.Variables.AllowedEvents
		if !found {
			return ignored("the delivery names no event type, and " + variable + " is set")
		}
		if !slices.Contains(s.AllowedEvents, event) {
			return ignored("event " + quote(event) + " is not in " + variable)
		}
	}
	if len(s.AllowedActors) == 0 {
		return nil
	}
	actor, found := text(doc, s.ActorPointer)
	return refuseActor(s, actor, found)
}

// event is the delivery's event type: at the event pointer when one is set, else in the
// provider's header.
func (t ticket) event(req *request, doc any) (string, bool) {
	if t.settings.EventPointer != "" {
		return text(doc, t.settings.EventPointer)
	}
	if t.eventHeader != "" {
		v := req.Header(t.eventHeader)
		return v, v != ""
	}
	return "", false
}

// executionID finds the one execution id in the text at the execution id pointer.
func (t ticket) executionID(doc any) (string, *reply.Outcome) {
	p := t.settings.ExecutionIDPointer
	value, found, err := command.Pointer(doc, p)
	if err != nil || !found || value == nil {
		return "", ignored("nothing at " + t.settings.Variables.ExecutionIDPointer + " " + p)
	}
	s, ok := value.(string)
	if !ok {
		return "", ignored("the value at " + p + " is not text")
	}
	id, found, err := command.FindExecutionID(s)
	if err != nil {
		return "", fail(reply.BadCommand, mistake(err))
	}
	if !found {
		return "", ignored("the value at " + p + " holds no execution id")
	}
	return id, nil
}

// action reads cancel or status at the action pointer; absent means cancel.
func (t ticket) action(doc any) (command.Action, *reply.Outcome) {
	p := t.settings.ActionPointer
	if p == "" {
		return command.Cancel, nil
	}
	value, found, err := command.Pointer(doc, p)
	if err != nil || !found || value == nil {
		return command.Cancel, nil
	}
	s, isText := value.(string)
	if isText {
		switch command.Action(lowerASCII(strings.TrimSpace(s))) {
		case "", command.Cancel:
			return command.Cancel, nil
		case command.Status:
			return command.Status, nil
		}
	}
	return "", ignored("the action at " + p + " is neither cancel nor status")
}

// text returns the string at pointer p in doc.
func text(doc any, p string) (string, bool) {
	value, found, err := command.Pointer(doc, p)
	if err != nil || !found {
		return "", false
	}
	s, ok := value.(string)
	return s, ok
}

// lowerASCII lower-cases ASCII letters only, so that look-alike letters of other scripts
// never match a command word.
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
