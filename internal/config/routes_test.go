package config

import (
	"slices"
	"strings"
	"testing"
)

func routeEnv(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestRouteDefaults(t *testing.T) {
	routes, err := loadRoutes(routeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]RouteSettings{
		"github": {ExecutionIDPointer: "/executionId", ActorPointer: "/sender/login"},
		"gitlab": {ExecutionIDPointer: "/executionId", ActorPointer: "/user/username"},
		"jira": {ExecutionIDPointer: "/executionId", EventPointer: "/webhookEvent",
			ActorPointer: "/user/accountId"},
		"pagerduty": {ExecutionIDPointer: "/executionId", EventPointer: "/event/event_type",
			ActorPointer: "/event/agent/id"},
		"zendesk":    {ExecutionIDPointer: "/executionId"},
		"servicenow": {ExecutionIDPointer: "/executionId", ActionPointer: "/action"},
		"teams":      {},
		"discord":    {},
		"mattermost": {},
	}
	for name, w := range want {
		got, ok := routes[name]
		if !ok {
			t.Errorf("no settings for %s", name)
			continue
		}
		if got.ExecutionIDPointer != w.ExecutionIDPointer || got.ActionPointer != w.ActionPointer ||
			got.EventPointer != w.EventPointer || got.ActorPointer != w.ActorPointer ||
			got.AllowedEvents != nil || got.AllowedActors != nil {
			t.Errorf("%s = %+v, want %+v", name, got, w)
		}
	}
}

func TestRouteListsAreTrimmed(t *testing.T) {
	routes, err := loadRoutes(routeEnv(map[string]string{
		"GITHUB_ALLOWED_EVENTS": " issues ,, issue_comment ",
		"TEAMS_ALLOWED_ACTORS":  "a , b",
		"JIRA_ACTOR_POINTER":    "/comment/author/accountId",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := routes["github"].AllowedEvents; !slices.Equal(got, []string{"issues", "issue_comment"}) {
		t.Errorf("GITHUB_ALLOWED_EVENTS read as %q", got)
	}
	if got := routes["teams"].AllowedActors; !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("TEAMS_ALLOWED_ACTORS read as %q", got)
	}
	if got := routes["jira"].ActorPointer; got != "/comment/author/accountId" {
		t.Errorf("JIRA_ACTOR_POINTER read as %q", got)
	}
}

// TestRouteSettingErrorsNameTheVariable: a bad setting fails at start, naming the variable.
func TestRouteSettingErrorsNameTheVariable(t *testing.T) {
	rows := []struct {
		name     string
		vars     map[string]string
		variable string
	}{
		{"pointer without a leading slash",
			map[string]string{"JIRA_EXECUTION_ID_POINTER": "issue/fields/x"},
			"JIRA_EXECUTION_ID_POINTER"},
		{"pointer with a bad escape", map[string]string{"GITHUB_ACTOR_POINTER": "/a~2"},
			"GITHUB_ACTOR_POINTER"},
		{"bad action pointer", map[string]string{"SERVICENOW_ACTION_POINTER": "action"},
			"SERVICENOW_ACTION_POINTER"},
		{"bad event pointer", map[string]string{"PAGERDUTY_EVENT_POINTER": "~"},
			"PAGERDUTY_EVENT_POINTER"},
		{"a list of only commas", map[string]string{"GITLAB_ALLOWED_ACTORS": " , ,"},
			"GITLAB_ALLOWED_ACTORS"},
		{"events with nowhere to read them",
			map[string]string{"ZENDESK_ALLOWED_EVENTS": "ticket.created"},
			"ZENDESK_EVENT_POINTER"},
		{"actors with nowhere to read them",
			map[string]string{"SERVICENOW_ALLOWED_ACTORS": "admin"},
			"SERVICENOW_ACTOR_POINTER"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			row.vars["SAILPOINT_BASE_URL"] = "https://acme.api.identitynow.com"
			row.vars["SECRET_ID"] = "wfcancel"
			_, err := Load(routeEnv(row.vars))
			if err == nil || !strings.Contains(err.Error(), row.variable) {
				t.Errorf("error %v, want one naming %s", err, row.variable)
			}
		})
	}
}

func TestLoadReadsRoutes(t *testing.T) {
	c, err := Load(routeEnv(map[string]string{
		"SAILPOINT_BASE_URL":     "https://acme.api.identitynow.com",
		"SECRET_ID":              "wfcancel",
		"ZENDESK_EVENT_POINTER":  "/type",
		"ZENDESK_ALLOWED_EVENTS": "zen:event-type:ticket.created",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Routes["zendesk"]; got.EventPointer != "/type" || len(got.AllowedEvents) != 1 {
		t.Errorf("zendesk settings %+v", got)
	}
	if len(DefaultRoutes()) != len(c.Routes) {
		t.Errorf("DefaultRoutes has %d routes, Load %d", len(DefaultRoutes()), len(c.Routes))
	}
}

func TestRouteSettingsNameTheirVariables(t *testing.T) {
	routes := DefaultRoutes()
	want := map[string]RouteVariables{
		"github": {ExecutionIDPointer: "GITHUB_EXECUTION_ID_POINTER",
			AllowedEvents: "GITHUB_ALLOWED_EVENTS", AllowedActors: "GITHUB_ALLOWED_ACTORS"},
		"teams": {ExecutionIDPointer: "TEAMS_EXECUTION_ID_POINTER",
			AllowedEvents: "TEAMS_ALLOWED_EVENTS", AllowedActors: "TEAMS_ALLOWED_ACTORS"},
	}
	for name, w := range want {
		if got := routes[name].Variables; got != w {
			t.Errorf("%s variables = %+v; want %+v", name, got, w)
		}
	}
}
