package config

import (
	"fmt"
	"strings"

	"github.com/sailpoint-cancel/wfcancel/internal/command"
)

// RouteSettings says where a route finds the execution id, the action, the event type and
// the actor in a verified payload, and which events and actors may act through it. Empty
// lists allow everything.
type RouteSettings struct {
	// ExecutionIDPointer is the RFC 6901 pointer to the text that holds the execution id.
	ExecutionIDPointer string

	// ActionPointer, when set, points at "cancel" or "status"; absent means cancel.
	ActionPointer string

	// EventPointer, when set, points at the event type, in place of the provider's header.
	EventPointer string

	// AllowedEvents lists the event types that may act.
	AllowedEvents []string

	// ActorPointer points at who caused the event (a login or an account id).
	ActorPointer string

	// AllowedActors lists the actors that may act.
	AllowedActors []string

	// Variables names the variables the settings were read from, so that a log line can
	// name the one to change.
	Variables RouteVariables
}

// RouteVariables names the variables of one route's settings, such as GITHUB_ALLOWED_EVENTS.
type RouteVariables struct {
	ExecutionIDPointer, AllowedEvents, AllowedActors string
}

// DefaultExecutionIDPointer is where a ticket route looks for the execution id by default.
const DefaultExecutionIDPointer = "/executionId"

// provider holds one route's defaults and what it can read the event type and actor from.
type provider struct {
	name        string
	chat        bool   // the actor is fixed by the chat provider; no pointers are read
	eventHeader bool   // the event type also comes in a header (GitHub, GitLab)
	action      string // default action pointer
	event       string // default event pointer
	actor       string // default actor pointer
}

// providers are the routes that read per-route settings, with their documented defaults.
var providers = []provider{
	{name: "github", eventHeader: true, actor: "/sender/login"},
	{name: "gitlab", eventHeader: true, actor: "/user/username"},
	{name: "jira", event: "/webhookEvent", actor: "/user/accountId"},
	{name: "pagerduty", event: "/event/event_type", actor: "/event/agent/id"},
	{name: "zendesk"},
	{name: "servicenow", action: "/action"},
	{name: "teams", chat: true},
	{name: "discord", chat: true},
	{name: "mattermost", chat: true},
}

// loadRoutes reads every route's settings, keyed by route name ("github", "teams", ...).
func loadRoutes(getenv func(string) string) (map[string]RouteSettings, error) {
	out := make(map[string]RouteSettings, len(providers))
	for _, p := range providers {
		s, err := loadRoute(getenv, p)
		if err != nil {
			return nil, err
		}
		out[p.name] = s
	}
	return out, nil
}

func loadRoute(getenv func(string) string, p provider) (RouteSettings, error) {
	prefix := strings.ToUpper(p.name) + "_"
	var s RouteSettings
	var err error
	s.Variables = RouteVariables{
		ExecutionIDPointer: prefix + "EXECUTION_ID_POINTER",
		AllowedEvents:      prefix + "ALLOWED_EVENTS",
		AllowedActors:      prefix + "ALLOWED_ACTORS",
	}

	if s.AllowedActors, err = list(getenv, s.Variables.AllowedActors); err != nil {
		return s, err
	}
	if p.chat {
		return s, nil
	}

	pointers := []struct {
		target *string
		name   string
		def    string
	}{
		{&s.ExecutionIDPointer, s.Variables.ExecutionIDPointer, DefaultExecutionIDPointer},
		{&s.ActionPointer, prefix + "ACTION_POINTER", p.action},
		{&s.EventPointer, prefix + "EVENT_POINTER", p.event},
		{&s.ActorPointer, prefix + "ACTOR_POINTER", p.actor},
	}
	for _, ptr := range pointers {
		if *ptr.target, err = pointer(getenv, ptr.name, ptr.def); err != nil {
			return s, err
		}
	}

	if s.AllowedEvents, err = list(getenv, s.Variables.AllowedEvents); err != nil {
		return s, err
	}
	if len(s.AllowedEvents) > 0 && s.EventPointer == "" && !p.eventHeader {
		return s, fmt.Errorf("%s is set but %sEVENT_POINTER is not: expected "+
			"the JSON pointer to the event type in the payload", s.Variables.AllowedEvents, prefix)
	}
	if len(s.AllowedActors) > 0 && s.ActorPointer == "" {
		return s, fmt.Errorf("%s is set but %sACTOR_POINTER is not: expected "+
			"the JSON pointer to the actor in the payload", s.Variables.AllowedActors, prefix)
	}
	return s, nil
}

// pointer reads an RFC 6901 JSON pointer; unset or blank means def.
func pointer(getenv func(string) string, name, def string) (string, error) {
	raw := strings.TrimSpace(getenv(name))
	if raw == "" {
		return def, nil
	}
	if !command.ValidPointer(raw) {
		return "", fmt.Errorf("%s is %q: expected an RFC 6901 JSON pointer such as "+
			"/issue/fields/customfield_10050 (\"/\" separates keys, ~0 is \"~\", ~1 is \"/\")",
			name, raw)
	}
	return raw, nil
}

// list reads a comma-separated list, each entry trimmed; unset or blank means no list.
func list(getenv func(string) string, name string) ([]string, error) {
	raw := strings.TrimSpace(getenv(name))
	if raw == "" {
		return nil, nil
	}
	var out []string
	for _, entry := range strings.Split(raw, ",") {
		if entry = strings.TrimSpace(entry); entry != "" {
			out = append(out, entry)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s is %q: expected a comma-separated list of values", name, raw)
	}
	return out, nil
}

// DefaultRoutes is every route's settings when no variable is set.
func DefaultRoutes() map[string]RouteSettings {
	routes, err := loadRoutes(func(string) string { return "" })
	if err != nil {
		panic("config: defaults do not load: " + err.Error())
	}
	return routes
}
