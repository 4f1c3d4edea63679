package handler

import (
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"sync"

	"github.com/sailpoint-cancel/wfcancel/internal/command"
	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/reply"
)

// teamsMention matches the <at>…</at> mention of the bot (and of anyone else) that Teams
// puts in the activity text. It and teamsTag are compiled on first use, so that no cold
// start pays for them.
var teamsMention = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?is)<at>.*?</at>`)
})

// teamsTag matches any other markup Teams leaves in the text.
var teamsTag = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<[^>]*>`) })

// teamsParser reads a Teams outgoing webhook activity: the command is its text, less the
// mentions; the actor is the sender's Entra (Azure AD) object id.
func teamsParser(s config.RouteSettings) func(*request) (command.Command, *reply.Outcome) {
	return func(req *request) (command.Command, *reply.Outcome) {
		if err := command.CheckJSON(req.body); err != nil {
			return command.Command{}, fail(reply.BadCommand, mistake(err))
		}
		var activity struct {
			Text string `json:"text"`
			From struct {
				AADObjectID string `json:"aadObjectId"`
			} `json:"from"`
		}
		if err := json.Unmarshal(req.body, &activity); err != nil {
			return command.Command{}, fail(reply.BadCommand, "The request is not a Teams message.")
		}
		actor := activity.From.AADObjectID
		if o := refuseActor(s, actor, actor != ""); o != nil {
			return command.Command{}, o
		}
		text := teamsMention().ReplaceAllString(activity.Text, " ")
		text = html.UnescapeString(teamsTag().ReplaceAllString(text, " "))
		return commandOrMistake(command.ParseText(text))
	}
}

// mattermostParser reads a Mattermost slash command form; the actor is its user_id.
func mattermostParser(s config.RouteSettings) func(*request) (command.Command, *reply.Outcome) {
	return func(req *request) (command.Command, *reply.Outcome) {
		form, err := url.ParseQuery(string(req.body))
		if err != nil {
			return command.Command{}, fail(reply.BadCommand, "The request is not a slash command form.")
		}
		if len(form["text"]) > 1 || len(form["user_id"]) > 1 {
			return command.Command{}, fail(reply.BadCommand, "A command field came more than once.")
		}
		actor := form.Get("user_id")
		if o := refuseActor(s, actor, actor != ""); o != nil {
			return command.Command{}, o
		}
		return commandOrMistake(command.ParseText(form.Get("text")))
	}
}

// Discord interaction and option types.
const (
	discordPing               = 1
	discordApplicationCommand = 2
	discordSubcommand         = 1
)

// discordInteraction is the part of a Discord interaction the route reads.
type discordInteraction struct {
	Type int `json:"type"`
	Data struct {
		Name    string          `json:"name"`
		Options []discordOption `json:"options"`
	} `json:"data"`
	Member *struct {
		User discordUser `json:"user"`
	} `json:"member"`
	User *discordUser `json:"user"`
}

type discordUser struct {
	ID string `json:"id"`
}

type discordOption struct {
	Name    string          `json:"name"`
	Type    int             `json:"type"`
	Value   json.RawMessage `json:"value"`
	Options []discordOption `json:"options"`
}

// discordExecutionOption is the name of the command option that holds the execution id.
const discordExecutionOption = "execution_id"

// discordParser reads a Discord interaction: a PING is answered with a PONG; an application
// command names its action by subcommand (cancel, status, help), or by the command's own
// name, and the execution id in its execution_id option. The actor is the user's id (the
// member's in a server, the user's in a direct message).
func discordParser(s config.RouteSettings) func(*request) (command.Command, *reply.Outcome) {
	return func(req *request) (command.Command, *reply.Outcome) {
		if err := command.CheckJSON(req.body); err != nil {
			return command.Command{}, fail(reply.BadCommand, mistake(err))
		}
		var in discordInteraction
		if err := json.Unmarshal(req.body, &in); err != nil {
			return command.Command{}, fail(reply.BadCommand, "The request is not an interaction.")
		}
		switch in.Type {
		case discordPing:
			return command.Command{}, &reply.Outcome{Kind: reply.Pong}
		case discordApplicationCommand:
		default:
			return command.Command{}, fail(reply.BadCommand,
				"This interaction is not supported; use the slash command.")
		}

		actor := ""
		switch {
		case in.Member != nil:
			actor = in.Member.User.ID
		case in.User != nil:
			actor = in.User.ID
		}
		if o := refuseActor(s, actor, actor != ""); o != nil {
			return command.Command{}, o
		}
		return discordCommand(in.Data.Name, in.Data.Options)
	}
}

// discordCommand turns the command's options into a command. The action is the name of
// the one subcommand, or else the command's own name, and must be cancel, status or help:
// any other name is a mistake explained to the user, never a cancel.
func discordCommand(name string, options []discordOption) (command.Command, *reply.Outcome) {
	if len(options) == 1 && options[0].Type == discordSubcommand {
		name, options = options[0].Name, options[0].Options
	}
	action := command.Action(lowerASCII(name))
	switch action {
	case command.Help:
		return command.Command{Action: command.Help}, nil
	case command.Cancel, command.Status:
	default:
		return command.Command{}, fail(reply.BadCommand,
			"Unknown command; use the cancel, status or help subcommand.")
	}

	for _, opt := range options {
		if opt.Name != discordExecutionOption {
			continue
		}
		var id string
		if err := json.Unmarshal(opt.Value, &id); err != nil {
			return command.Command{}, fail(reply.BadCommand, "The execution_id option must be text.")
		}
		if err := command.ValidateExecutionID(id); err != nil {
			return command.Command{}, fail(reply.BadCommand, mistake(err))
		}
		return command.Command{Action: action, ExecutionID: id}, nil
	}
	return command.Command{}, fail(reply.BadCommand,
		"Give an execution id in the execution_id option.")
}
