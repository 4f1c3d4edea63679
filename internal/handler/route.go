package handler

import (
	"net/http"
	"net/url"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/command"
	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/reply"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// route is one path the function serves: how its requests are verified and read, how long
// its caller waits, and how it is answered once the signature is accepted.
type route struct {
	name     string
	verifier webhook.Verifier

	// deadline is how long the caller waits for an answer (0: only the gateway's limit).
	deadline time.Duration

	// parse reads the verified request into a command, or into an outcome that answers at
	// once (a mistake to explain, Slack's ssl_check, an ignored delivery).
	parse func(req *request) (command.Command, *reply.Outcome)

	// answer shapes any outcome after verification in the caller's format.
	answer func(reply.Outcome) reply.Answer

	// replay makes the route remember what it acted on and answer a repeated delivery with
	// the first answer, without calling SailPoint again.
	replay bool

	// caller reads who sent a chat command, for the allow-lists and the audit line, from the
	// verified body; replyOrigin is what a reply address built from the body's ids starts
	// with. Nil for routes without a caller (webhooks, tickets).
	caller func(body []byte, replyOrigin string) caller

	// refuse checks a caller against the route's allow-lists: nil means it may act. Nil for
	// routes without caller allow-lists.
	refuse func(config.Access, caller) *refusal

	// followUp, when set, lets deferred mode acknowledge the route's commands at once and
	// send their answers later.
	followUp *followUp
}

// routes returns every route the handler serves, keyed by path, with the per-route settings
// applied to the provider routes.
func routes(tolerance time.Duration, settings map[string]config.RouteSettings) map[string]*route {
	all := map[string]*route{
		"/slack": {
			name:     "slack",
			verifier: webhook.Slack(tolerance),
			deadline: slackDeadline,
			parse:    parseSlack,
			answer:   reply.Slack,
			caller:   formCaller,
			refuse:   refuseSlack,
			followUp: &followUp{host: slackReplyHost, method: http.MethodPost,
				message: reply.SlackFollowUp},
		},
		"/webhook": {
			name:     "webhook",
			verifier: webhook.StandardWebhooks("webhook_secret", tolerance),
			parse:    parseJSONCommand,
			answer:   reply.JSON,
			replay:   true,
		},
	}
	for path, rt := range providerRoutes(tolerance, settings) {
		all[path] = rt
	}
	return all
}

// parseSlack reads a slash command form. A mistake is explained in a 200 reply, since Slack
// shows any other status as a failure.
func parseSlack(req *request) (command.Command, *reply.Outcome) {
	form, err := url.ParseQuery(string(req.body))
	if err != nil {
		return command.Command{}, fail(reply.BadCommand, "The request is not a slash command form.")
	}
	if form.Get("ssl_check") == "1" {
		return command.Command{}, &reply.Outcome{Kind: reply.SSLCheck}
	}
	if len(form["text"]) > 1 {
		return command.Command{}, fail(reply.BadCommand, "The command text came more than once.")
	}
	return commandOrMistake(command.ParseText(form.Get("text")))
}

func parseJSONCommand(req *request) (command.Command, *reply.Outcome) {
	return commandOrMistake(command.ParseJSON(req.body))
}

func commandOrMistake(c command.Command, err error) (command.Command, *reply.Outcome) {
	if err != nil {
		return command.Command{}, fail(reply.BadCommand, mistake(err))
	}
	return c, nil
}
