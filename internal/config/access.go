package config

import (
	"fmt"
	"strings"
)

// ResponseMode says how chat routes that wait only 3 seconds (Slack, Discord) are answered.
type ResponseMode string

// The response modes.
const (
	// ResponseSync does the SailPoint work before answering, inside the caller's deadline.
	ResponseSync ResponseMode = "sync"

	// ResponseDeferred verifies and authorizes, acknowledges at once and hands the SailPoint
	// work to an asynchronous invocation of the same function, which posts the result to the
	// chat's reply address.
	ResponseDeferred ResponseMode = "deferred"
)

// Access says who may act through the chat routes and on which workflows. An empty list
// allows everyone; lists are matched exactly.
type Access struct {
	// SlackTeams, SlackUsers and SlackChannels list the Slack workspace (team_id), user
	// (user_id) and channel (channel_id) ids that may act.
	SlackTeams, SlackUsers, SlackChannels []string

	// SlackAppID, when set, is the only api_app_id accepted; a command without one is
	// refused.
	SlackAppID string

	// TeamsTenants lists the Microsoft Entra tenant ids that may act through /teams.
	TeamsTenants []string

	// DiscordGuilds and DiscordUsers list the Discord server (guild_id) and user ids.
	DiscordGuilds, DiscordUsers []string

	// MattermostTeams and MattermostUsers list the Mattermost team_id and user_id values.
	MattermostTeams, MattermostUsers []string

	// Workflows lists the workflow ids whose executions may be cancelled or read, on every
	// route. When set, the execution is read first to learn its workflow.
	Workflows []string
}

// The access variables, by the Access field each one fills: log lines name the list a
// refused caller or workflow is missing from.
const (
	SlackTeamsVariable      = "ALLOWED_SLACK_TEAM_IDS"
	SlackUsersVariable      = "ALLOWED_SLACK_USER_IDS"
	SlackChannelsVariable   = "ALLOWED_SLACK_CHANNEL_IDS"
	SlackAppIDVariable      = "SLACK_APP_ID"
	TeamsTenantsVariable    = "ALLOWED_TEAMS_TENANT_IDS"
	DiscordGuildsVariable   = "ALLOWED_DISCORD_GUILD_IDS"
	DiscordUsersVariable    = "ALLOWED_DISCORD_USER_IDS"
	MattermostTeamsVariable = "ALLOWED_MATTERMOST_TEAM_IDS"
	MattermostUsersVariable = "ALLOWED_MATTERMOST_USER_IDS"
	WorkflowsVariable       = "ALLOWED_WORKFLOW_IDS"
)

// loadResponseMode reads RESPONSE_MODE: sync (the default) or deferred.
func loadResponseMode(getenv func(string) string) (ResponseMode, error) {
	raw := strings.TrimSpace(getenv("RESPONSE_MODE"))
	switch ResponseMode(strings.ToLower(raw)) {
	case "", ResponseSync:
		return ResponseSync, nil
	case ResponseDeferred:
		return ResponseDeferred, nil
	}
	return "", fmt.Errorf("RESPONSE_MODE is %q: expected sync or deferred", raw)
}

// loadAccess reads the allow-lists. An unset, empty or all-blank variable means no list; one
// that holds separators but no ids (such as ",") is a mistake that stops the function.
func loadAccess(getenv func(string) string) (Access, error) {
	var a Access
	lists := []struct {
		target *[]string
		name   string
	}{
		{&a.SlackTeams, SlackTeamsVariable},
		{&a.SlackUsers, SlackUsersVariable},
		{&a.SlackChannels, SlackChannelsVariable},
		{&a.TeamsTenants, TeamsTenantsVariable},
		{&a.DiscordGuilds, DiscordGuildsVariable},
		{&a.DiscordUsers, DiscordUsersVariable},
		{&a.MattermostTeams, MattermostTeamsVariable},
		{&a.MattermostUsers, MattermostUsersVariable},
		{&a.Workflows, WorkflowsVariable},
	}
	for _, l := range lists {
		ids, err := idList(getenv, l.name)
		if err != nil {
			return Access{}, err
		}
		*l.target = ids
	}

	a.SlackAppID = strings.TrimSpace(getenv(SlackAppIDVariable))
	if strings.ContainsAny(a.SlackAppID, ", \t") {
		return Access{}, fmt.Errorf("%s is %q: expected one Slack app id such as "+
			"A0123456789", SlackAppIDVariable, a.SlackAppID)
	}
	return a, nil
}

// idList reads a comma-separated list of ids, each trimmed, empty entries dropped.
func idList(getenv func(string) string, name string) ([]string, error) {
	raw := getenv(name)
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var ids []string
	for _, id := range strings.Split(raw, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s is %q but names no id: expected a comma-separated list "+
			"of ids, or leave it empty to allow everyone", name, raw)
	}
	return ids, nil
}
