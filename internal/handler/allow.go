package handler

import (
	"context"
	"fmt"
	"slices"

	"github.com/sailpoint-cancel/wfcancel/internal/command"
	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/reply"
)

// refusal is a caller outside the allow-lists: what the caller is told, and the reason that
// goes to the log.
type refusal struct {
	tell, reason string
}

// allowList is one of a route's caller allow-lists: while it is set, a caller whose id is
// missing from it is refused.
type allowList struct {
	allowed  []string
	id       string // the caller's id the list is matched against
	what     string // the id in the reason, e.g. "slack user"
	variable string // the variable that sets the list
	tell     string // what the refused caller is told
}

// refuse checks the caller against the route's allow-lists; nil means the caller may act.
func refuse(a config.Access, rt *route, c caller) *refusal {
	if rt.refuse == nil {
		return nil
	}
	return rt.refuse(a, c)
}

// outside is the refusal of the first list the caller is missing from, or nil.
func outside(lists ...allowList) *refusal {
	for _, l := range lists {
		if len(l.allowed) > 0 && (l.id == "" || !slices.Contains(l.allowed, l.id)) {
			return &refusal{tell: l.tell,
				reason: l.what + " " + quote(l.id) + " is not in " + l.variable}
		}
	}
	return nil
}

// refuseSlack checks the Slack app, then the workspace, channel and user lists.
func refuseSlack(a config.Access, c caller) *refusal {
	if a.SlackAppID != "" && (!c.hasApp || c.app != a.SlackAppID) {
		return &refusal{tell: "the command did not come from the configured Slack app",
			reason: "slack api_app_id " + quote(c.app) + " is not " + config.SlackAppIDVariable}
	}
	return outside(
		allowList{a.SlackTeams, c.team, "slack team", config.SlackTeamsVariable,
			"this workspace may not use this command"},
		allowList{a.SlackChannels, c.channel, "slack channel", config.SlackChannelsVariable,
			"this command may not be used in this channel"},
		allowList{a.SlackUsers, c.user, "slack user", config.SlackUsersVariable,
			"you are not allowed to use this command"},
	)
}

// refuseTeams checks the Microsoft Entra tenant list.
func refuseTeams(a config.Access, c caller) *refusal {
	return outside(allowList{a.TeamsTenants, c.tenant, "teams tenant",
		config.TeamsTenantsVariable, "this organisation may not use this command"})
}

// refuseDiscord checks the server, then the user list.
func refuseDiscord(a config.Access, c caller) *refusal {
	return outside(
		allowList{a.DiscordGuilds, c.team, "discord guild", config.DiscordGuildsVariable,
			"this server may not use this command"},
		allowList{a.DiscordUsers, c.user, "discord user", config.DiscordUsersVariable,
			"you are not allowed to use this command"},
	)
}

// refuseMattermost checks the team, then the user list.
func refuseMattermost(a config.Access, c caller) *refusal {
	return outside(
		allowList{a.MattermostTeams, c.team, "mattermost team", config.MattermostTeamsVariable,
			"this team may not use this command"},
		allowList{a.MattermostUsers, c.user, "mattermost user", config.MattermostUsersVariable,
			"you are not allowed to use this command"},
	)
}

// precheck reads the execution before acting when ALLOWED_WORKFLOW_IDS is set, and returns
// its workflow id. It decides the outcome itself (non-nil) when the execution belongs to
// another workflow, when a cancel finds it finished, and for a status command, which that
// read answers. A read that fails also decides (fail closed: nothing is cancelled), with
// the answer the table gives that failure (429 with Retry-After, 502 naming the read scope,
// 502 or 504, 404), so that the caller can tell a fault to retry from a refusal.
func (h *Handler) precheck(ctx context.Context, cmd command.Command,
	rec *record) (string, *reply.Outcome) {
	if len(h.access.Workflows) == 0 {
		return "", nil
	}
	id := cmd.ExecutionID
	exec, err := h.sailpoint.Get(ctx, id)
	if err != nil {
		rec.cause = err
		o := failure(err, id)
		return "", &o
	}
	if !slices.Contains(h.access.Workflows, exec.WorkflowID) {
		rec.cause = fmt.Errorf("workflow %s is not in %s", exec.WorkflowID,
			config.WorkflowsVariable)
		return exec.WorkflowID, &reply.Outcome{Kind: reply.NotAllowed, ExecutionID: id,
			WorkflowID: exec.WorkflowID,
			Detail:     "executions of workflow " + exec.WorkflowID + " may not be acted on here"}
	}
	if cmd.Action == command.Status {
		o := statusReport(id, exec)
		return exec.WorkflowID, &o
	}
	if exec.Finished() {
		return exec.WorkflowID, &reply.Outcome{Kind: reply.AlreadyFinished, ExecutionID: id,
			WorkflowID: exec.WorkflowID, ExecutionStatus: exec.Status}
	}
	return exec.WorkflowID, nil
}
