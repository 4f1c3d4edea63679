package reply

// SlackFollowUp is the message posted to a slash command's response_url once deferred work
// is done: ephemeral, like the acknowledgement, and added after it rather than replacing it.
func SlackFollowUp(o Outcome) []byte {
	msg := struct {
		ResponseType    string `json:"response_type"`
		Text            string `json:"text"`
		ReplaceOriginal bool   `json:"replace_original"`
	}{"ephemeral", slackEscape(Text(o)), false}
	return []byte(marshal(msg))
}

// DiscordFollowUp is the edit of a deferred interaction's original response once the work
// is done; the response stays ephemeral, as the deferral made it. Mentions are never
// resolved.
func DiscordFollowUp(o Outcome) []byte {
	type mentions struct {
		Parse []string `json:"parse"`
	}
	msg := struct {
		Content         string   `json:"content"`
		AllowedMentions mentions `json:"allowed_mentions"`
	}{truncate(chatText(o), discordContentLimit), mentions{Parse: []string{}}}
	return []byte(marshal(msg))
}
