package handler

import (
	"net/http"
	"slices"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/reply"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// Provider deadlines: how long each caller waits before it gives up on an answer.
const (
	slackDeadline   = 3 * time.Second
	discordDeadline = 3 * time.Second
	teamsDeadline   = 5 * time.Second
	githubDeadline  = 10 * time.Second
)

// Headers that carry a ticket provider's event type.
const (
	headerGitHubEvent = "X-GitHub-Event"
	headerGitLabEvent = "X-Gitlab-Event"
)

// providerRoutes are the chat and ticket routes beyond Slack and Standard Webhooks. Each
// remembers what it acted on, so that a replayed delivery is answered without acting again.
func providerRoutes(tolerance time.Duration,
	settings map[string]config.RouteSettings) map[string]*route {
	if settings == nil {
		settings = config.DefaultRoutes()
	}
	get := func(name string) config.RouteSettings {
		s, ok := settings[name]
		if !ok {
			s = config.DefaultRoutes()[name]
		}
		return s
	}
	ticketRoute := func(t ticket, v webhook.Verifier, deadline time.Duration) *route {
		t.settings = get(t.name)
		return &route{name: t.name, verifier: v, deadline: deadline, parse: t.parse,
			answer: reply.Ticket, replay: true}
	}
	return map[string]*route{
		"/teams": {
			name: "teams", verifier: webhook.TeamsOutgoing(), deadline: teamsDeadline,
			parse: teamsParser(get("teams")), answer: reply.Teams, replay: true,
			caller: teamsCaller, refuse: refuseTeams,
		},
		"/discord": {
			name: "discord", verifier: webhook.Discord(tolerance), deadline: discordDeadline,
			parse: discordParser(get("discord")), answer: reply.Discord, replay: true,
			caller: discordCaller, refuse: refuseDiscord,
			followUp: &followUp{host: discordReplyHost, path: isDiscordOriginal,
				method: http.MethodPatch, message: reply.DiscordFollowUp},
		},
		"/mattermost": {
			name: "mattermost", verifier: webhook.MattermostToken(),
			parse: mattermostParser(get("mattermost")), answer: reply.Mattermost, replay: true,
			caller: formCaller, refuse: refuseMattermost,
		},
		"/github": ticketRoute(ticket{name: "github", eventHeader: headerGitHubEvent,
			formPayload: true}, webhook.GitHub(), githubDeadline),
		"/gitlab": ticketRoute(ticket{name: "gitlab", eventHeader: headerGitLabEvent},
			webhook.GitLab(tolerance), 0),
		"/jira":      ticketRoute(ticket{name: "jira"}, webhook.Jira(), 0),
		"/pagerduty": ticketRoute(ticket{name: "pagerduty"}, webhook.PagerDuty(), 0),
		"/zendesk":   ticketRoute(ticket{name: "zendesk"}, webhook.Zendesk(tolerance), 0),
		"/servicenow": ticketRoute(ticket{name: "servicenow"},
			webhook.StandardWebhooks("servicenow_secret", tolerance), 0),
	}
}

// refuseActor is the ignored outcome for an actor outside the route's allow-list, or nil when
// the actor may act.
func refuseActor(s config.RouteSettings, actor string, found bool) *reply.Outcome {
	if len(s.AllowedActors) == 0 {
		return nil
	}
	variable := s.Variables.AllowedActors
	if !found {
		return ignored("the delivery names no actor, and " + variable + " is set")
	}
	if !slices.Contains(s.AllowedActors, actor) {
		return ignored("actor " + quote(actor) + " is not in " + variable)
	}
	return nil
}

func ignored(reason string) *reply.Outcome {
	return &reply.Outcome{Kind: reply.Ignored, Detail: reason}
}

// quote shows a value from the payload in a reason, capped and without control characters.
func quote(s string) string {
	return `"` + clean(s) + `"`
}
