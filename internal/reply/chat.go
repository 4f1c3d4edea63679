package reply

import (
	"html"
	"unicode/utf8"
)

// discordContentLimit is the most characters Discord shows in one message.
const discordContentLimit = 2000

// Teams answers o as the reply to a Microsoft Teams outgoing webhook: always HTTP 200 with a
// message activity, which Teams posts in the thread. Teams reads the text as light HTML, so
// it is escaped.
func Teams(o Outcome) Answer {
	msg := struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}{"message", html.EscapeString(chatText(o))}
	return Answer{
		Status: 200,
		Header: map[string]string{"Content-Type": ContentTypeJSON},
		Body:   marshal(msg),
	}
}

// Discord interaction response types and message flags.
const (
	discordPong                     = 1
	discordChannelMessageWithSource = 4
	discordDeferredMessage          = 5
	discordFlagEphemeral            = 64
)

// Discord answers o as an interaction response: a PING gets a PONG; a deferred command a
// deferred ephemeral message (type 5, flags 64); everything else an
// ephemeral message (type 4, flags 64) seen only by the user who ran the command. Always
// HTTP 200, since Discord shows any other status as a failed interaction. Mentions in the
// text are never resolved, so an echoed value cannot ping anyone.
func Discord(o Outcome) Answer {
	var doc any
	switch o.Kind {
	case Pong:
		doc = map[string]int{"type": discordPong}
	case Deferred:
		// "Thinking…", seen only by the user; the follow-up edits it into the answer.
		doc = map[string]any{"type": discordDeferredMessage,
			"data": map[string]int{"flags": discordFlagEphemeral}}
	default:
		type mentions struct {
			Parse []string `json:"parse"`
		}
		type data struct {
			Content         string   `json:"content"`
			Flags           int      `json:"flags"`
			AllowedMentions mentions `json:"allowed_mentions"`
		}
		doc = struct {
			Type int  `json:"type"`
			Data data `json:"data"`
		}{discordChannelMessageWithSource,
			data{truncate(chatText(o), discordContentLimit), discordFlagEphemeral,
				mentions{Parse: []string{}}}}
	}
	return Answer{
		Status: 200,
		Header: map[string]string{"Content-Type": ContentTypeJSON},
		Body:   marshal(doc),
	}
}

// Ticket answers o for a ticket or incident provider: as JSON does, except that an ignored
// delivery is a 200 JSON document saying why, since providers disable hooks that keep
// failing.
func Ticket(o Outcome) Answer {
	if o.Kind != Ignored {
		return JSON(o)
	}
	doc := map[string]string{"status": "ignored", "reason": o.Detail}
	return Answer{
		Status: o.HTTPStatus(),
		Header: map[string]string{"Content-Type": ContentTypeJSON},
		Body:   marshal(doc),
	}
}

// chatText is Text, with an ignored request told as a plain sentence.
func chatText(o Outcome) string {
	if o.Kind == Ignored {
		return "Not done: " + o.Detail + "."
	}
	return Text(o)
}

// truncate cuts s to at most n characters, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Mattermost answers o as a Mattermost slash-command response, which takes Slack's shape:
// always HTTP 200 with an ephemeral message.
func Mattermost(o Outcome) Answer {
	if o.Kind != Ignored {
		return Slack(o)
	}
	msg := struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}{"ephemeral", slackEscape(chatText(o))}
	return Answer{
		Status: 200,
		Header: map[string]string{"Content-Type": ContentTypeJSON},
		Body:   marshal(msg),
	}
}
