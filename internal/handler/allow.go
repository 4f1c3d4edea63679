package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"

	"github.com/sailpoint-cancel/wfcancel/internal/command"
	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/reply"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// caller is who sent a chat command and where its answer may be posted later, as the
// verified request tells.
type caller struct {
	team, user, channel string

	// app is Slack's api_app_id; hasApp tells an absent one from an empty one.
	app    string
	hasApp bool

	// tenant is the Microsoft Entra tenant of a Teams message.
	tenant string

	// replyURL is where a deferred answer goes: Slack's response_url, or the URL of a
	// Discord interaction's original response. It is a bearer credential: never logged.
	replyURL string
}

// isDiscordToken reports whether s has the shape of an interaction token, before it is put
// in a path: 1 to 512 ASCII letters, digits, dots, underscores and hyphens. Plain checks
// rather than a regular expression keep its compilation out of every cold start.
func isDiscordToken(s string) bool {
	if len(s) < 1 || len(s) > 512 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') &&
			c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// isDiscordSnowflake reports whether s has the shape of a Discord id: 1 to 20 digits.
func isDiscordSnowflake(s string) bool {
	if len(s) < 1 || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// callerOf reads the caller from a verified chat request; other routes have none.
func (h *Handler) callerOf(route string, body []byte) caller {
	switch route {
	case "slack", "mattermost":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return caller{}
		}
		return caller{team: form.Get("team_id"), user: form.Get("user_id"),
			channel: form.Get("channel_id"), app: form.Get("api_app_id"),
			hasApp: form.Get("api_app_id") != "", replyURL: form.Get("response_url")}
	case "discord":
		return h.discordCaller(body)
	case "teams":
		var a struct {
			From struct {
				AADObjectID string `json:"aadObjectId"`
			} `json:"from"`
			ChannelData struct {
				Tenant struct {
					ID string `json:"id"`
				} `json:"tenant"`
			} `json:"channelData"`
			Conversation struct {
				TenantID string `json:"tenantId"`
			} `json:"conversation"`
		}
		if json.Unmarshal(body, &a) != nil {
			return caller{}
		}
		tenant := a.ChannelData.Tenant.ID
		if tenant == "" {
			tenant = a.Conversation.TenantID
		}
		return caller{user: a.From.AADObjectID, tenant: tenant}
	}
	return caller{}
}

// discordCaller reads the server, the user and the reply URL of an interaction. The reply
// URL is built only from an application id and a token of the expected shapes.
func (h *Handler) discordCaller(body []byte) caller {
	var in struct {
		GuildID       string `json:"guild_id"`
		ChannelID     string `json:"channel_id"`
		ApplicationID string `json:"application_id"`
		Token         string `json:"token"`
		Member        *struct {
			User discordUser `json:"user"`
		} `json:"member"`
		User *discordUser `json:"user"`
	}
	if json.Unmarshal(body, &in) != nil {
		return caller{}
	}
	c := caller{team: in.GuildID, channel: in.ChannelID}
	switch {
	case in.Member != nil:
		c.user = in.Member.User.ID
	case in.User != nil:
		c.user = in.User.ID
	}
	if isDiscordSnowflake(in.ApplicationID) && isDiscordToken(in.Token) &&
		strings.Trim(in.Token, ".") != "" {
		c.replyURL = h.replies.discordOrigin + "/api/v10/webhooks/" + in.ApplicationID + "/" +
			in.Token + "/messages/@original"
	}
	return c
}

// refusal is a caller outside the allow-lists: what the caller is told, and the reason that
// goes to the log.
type refusal struct {
	tell, reason string
}

// refuse checks the caller against the route's allow-lists; nil means the caller may act.
func refuse(a config.Access, route string, c caller) *refusal {
	type check struct {
		allowed []string
		value   string
		what    string // the id in the reason, e.g. "slack user"
		list    string
		tell    string
	}
	var checks []check
	switch route {
	case "slack":
		if a.SlackAppID != "" && (!c.hasApp || c.app != a.SlackAppID) {
			return &refusal{tell: "the command did not come from the configured Slack app",
				reason: "slack api_app_id " + quote(c.app) + " is not SLACK_APP_ID"}
		}
		checks = []check{
			{a.SlackTeams, c.team, "slack team", "ALLOWED_SLACK_TEAM_IDS",
				"this workspace may not use this command"},
			{a.SlackChannels, c.channel, "slack channel", "ALLOWED_SLACK_CHANNEL_IDS",
				"this command may not be used in this channel"},
			{a.SlackUsers, c.user, "slack user", "ALLOWED_SLACK_USER_IDS",
				"you are not allowed to use this command"},
		}
	case "teams":
		checks = []check{{a.TeamsTenants, c.tenant, "teams tenant", "ALLOWED_TEAMS_TENANT_IDS",
			"this organisation may not use this command"}}
	case "discord":
		checks = []check{
			{a.DiscordGuilds, c.team, "discord guild", "ALLOWED_DISCORD_GUILD_IDS",
				"this server may not use this command"},
			{a.DiscordUsers, c.user, "discord user", "ALLOWED_DISCORD_USER_IDS",
				"you are not allowed to use this command"},
		}
	case "mattermost":
		checks = []check{
			{a.MattermostTeams, c.team, "mattermost team", "ALLOWED_MATTERMOST_TEAM_IDS",
				"this team may not use this command"},
			{a.MattermostUsers, c.user, "mattermost user", "ALLOWED_MATTERMOST_USER_IDS",
				"you are not allowed to use this command"},
		}
	}
	for _, ch := range checks {
		if len(ch.allowed) > 0 && (ch.value == "" || !slices.Contains(ch.allowed, ch.value)) {
			return &refusal{tell: ch.tell,
				reason: ch.what + " " + quote(ch.value) + " is not in " + ch.list}
		}
	}
	return nil
}

// dispatch authorizes the caller, then hands the command to an asynchronous invocation
// (deferred mode, Slack and Discord) or acts on it. It writes the audit line whenever this
// invocation knows the outcome; a command handed off is audited by the invocation that
// does the work, and a repeat answered from the replay memory is not audited at all, since
// nothing was done (its request line says replayed).
func (h *Handler) dispatch(ctx context.Context, req *request, rt *route, cmd command.Command,
	bundle secret.Bundle, proof webhook.Proof, rec *record) reply.Outcome {
	who := h.callerOf(rt.name, req.body)
	var o reply.Outcome
	if r := refuse(h.access, rt.name, who); r != nil {
		rec.cause = errors.New(r.reason)
		o = reply.Outcome{Kind: reply.NotAllowed, ExecutionID: cmd.ExecutionID, Detail: r.tell}
	} else if h.defers(rt.name) && cmd.Action != command.Help {
		o = h.handOffOnce(ctx, req, rt, cmd, who, bundle, proof, rec)
	} else if rt.replay {
		o = h.actOnce(ctx, req, rt, cmd, bundle, proof, rec)
	} else {
		o = h.act(ctx, req, rt, cmd, bundle, rec)
	}

	if cmd.Action != command.Help && o.Kind != reply.Deferred && !rec.replayed {
		h.audit(ctx, auditEntry{provider: rt.name, team: who.team, user: who.user,
			action: string(cmd.Action), outcome: o, cause: rec.cause})
	}
	return o
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
		rec.cause = fmt.Errorf("workflow %s is not in ALLOWED_WORKFLOW_IDS", exec.WorkflowID)
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

// auditEntry is one action for the audit log.
type auditEntry struct {
	provider, team, user, action string
	outcome                      reply.Outcome
	cause                        error
}

// audit writes the one audit line per action. Values from the caller are capped and
// stripped of control characters, so they cannot forge a line.
func (h *Handler) audit(ctx context.Context, e auditEntry) {
	attrs := []slog.Attr{
		slog.String("provider", e.provider),
		slog.String("team", clean(e.team)),
		slog.String("user", clean(e.user)),
		slog.String("action", clean(e.action)),
		slog.String("executionId", clean(e.outcome.ExecutionID)),
		slog.String("workflowId", clean(e.outcome.WorkflowID)),
		slog.String("outcome", e.outcome.Kind.String()),
		slog.String("trackingId", clean(e.outcome.TrackingID)),
	}
	if e.outcome.Kind == reply.NotAllowed && e.cause != nil {
		attrs = append(attrs, slog.String("reason", clean(e.cause.Error())))
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "audit", attrs...)
}
