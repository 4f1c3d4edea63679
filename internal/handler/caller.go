package handler

import (
	"encoding/json"
	"net/url"
	"strings"
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

// callerOf reads the caller from a verified request with the route's reader; routes without
// one (webhooks, tickets) have none.
func (h *Handler) callerOf(rt *route, body []byte) caller {
	if rt.caller == nil {
		return caller{}
	}
	return rt.caller(body, h.replies.origins[rt.name])
}

// formCaller reads a slash command form (Slack, Mattermost).
func formCaller(body []byte, _ string) caller {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return caller{}
	}
	return caller{team: form.Get("team_id"), user: form.Get("user_id"),
		channel: form.Get("channel_id"), app: form.Get("api_app_id"),
		hasApp: form.Get("api_app_id") != "", replyURL: form.Get("response_url")}
}

// teamsCaller reads the sender and the tenant of a Teams message.
func teamsCaller(body []byte, _ string) caller {
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

// discordCaller reads the server, the user and the reply URL of an interaction. The reply
// URL is built on replyOrigin only from an application id and a token of the expected shapes.
func discordCaller(body []byte, replyOrigin string) caller {
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
		c.replyURL = replyOrigin + "/api/v10/webhooks/" + in.ApplicationID + "/" +
			in.Token + "/messages/@original"
	}
	return c
}
