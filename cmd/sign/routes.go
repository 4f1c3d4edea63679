package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

// sampleExecutionID is the execution every default body names. `go run ./cmd/local -simulate`
// serves it as a running execution, so a signed sample cancels something.
const sampleExecutionID = "5d1f7c2e-8a4b-4c3d-9e6f-1a2b3c4d5e6f"

const (
	contentForm = "application/x-www-form-urlencoded"
	contentJSON = "application/json"
)

// route is one path of the function as a caller signs it: the scheme, the secret JSON key
// the scheme's secret comes from, and what a provider sends there.
type route struct {
	path        string
	scheme      string
	secretKey   string
	contentType string
	// headers are the provider's own unsigned headers (event names, delivery ids).
	headers map[string]string
	// body is the provider's sample payload; secret is only used by providers that repeat
	// their shared token in the body (Mattermost).
	body func(secret string) []byte
	// idPointer is where body puts the execution id, for <ROUTE>_EXECUTION_ID_POINTER;
	// empty for routes that read no pointer or whose sample uses the default.
	idPointer string
}

// routes maps each -route value to how it is signed. gitlab uses the shared token; a GitLab
// webhook with a signing token is "gitlab-signing", on the same path.
var routes = map[string]route{
	"slack": {
		path: "/slack", scheme: webhook.SchemeSlack, secretKey: "slack_signing_secret",
		contentType: contentForm, body: slackBody("cancel " + sampleExecutionID),
	},
	"webhook": {
		path: "/webhook", scheme: webhook.SchemeStandardWebhooks, secretKey: "webhook_secret",
		contentType: contentJSON, body: webhookBody,
	},
	"teams": {
		path: "/teams", scheme: webhook.SchemeTeams, secretKey: "teams_security_token",
		contentType: "application/json; charset=utf-8", body: teamsBody,
	},
	"discord": {
		path: "/discord", scheme: webhook.SchemeDiscord, secretKey: "discord_private_seed_hex",
		contentType: contentJSON, body: discordCommandBody,
	},
	"github": {
		path: "/github", scheme: webhook.SchemeGitHub, secretKey: "github_secret",
		contentType: contentJSON, body: githubBody, idPointer: "/comment/body",
		headers: map[string]string{
			"X-GitHub-Event":    "issue_comment",
			"X-GitHub-Delivery": "8d1c5e40-0000-4000-8000-000000000001",
		},
	},
	"gitlab": {
		path: "/gitlab", scheme: webhook.SchemeGitLabToken, secretKey: "gitlab_token",
		contentType: contentJSON, body: gitlabBody, idPointer: "/object_attributes/note",
		headers: map[string]string{"X-Gitlab-Event": "Note Hook"},
	},
	"gitlab-signing": {
		path: "/gitlab", scheme: webhook.SchemeGitLabSigning, secretKey: "gitlab_signing_secret",
		contentType: contentJSON, body: gitlabBody, idPointer: "/object_attributes/note",
		headers: map[string]string{"X-Gitlab-Event": "Note Hook"},
	},
	"jira": {
		path: "/jira", scheme: webhook.SchemeJira, secretKey: "jira_secret",
		contentType: contentJSON, body: jiraBody,
		idPointer: "/issue/fields/customfield_10050",
	},
	"pagerduty": {
		path: "/pagerduty", scheme: webhook.SchemePagerDuty, secretKey: "pagerduty_secret",
		contentType: contentJSON, body: pagerDutyBody, idPointer: "/event/data/title",
	},
	"zendesk": {
		path: "/zendesk", scheme: webhook.SchemeZendesk, secretKey: "zendesk_secret",
		contentType: contentJSON, body: zendeskBody, idPointer: "/detail/subject",
	},
	"servicenow": {
		path: "/servicenow", scheme: webhook.SchemeStandardWebhooks,
		secretKey: "servicenow_secret", contentType: contentJSON, body: serviceNowBody,
	},
	"mattermost": {
		path: "/mattermost", scheme: webhook.SchemeMattermost, secretKey: "mattermost_token",
		contentType: contentForm, body: mattermostBody,
	},
}

// routeNames lists the -route values in order, for usage and error messages.
func routeNames() []string {
	names := make([]string, 0, len(routes))
	for name := range routes {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func lookupRoute(name string) (route, error) {
	rt, ok := routes[name]
	if !ok {
		return route{}, fmt.Errorf("unknown route %q: expected one of %s",
			name, strings.Join(routeNames(), ", "))
	}
	return rt, nil
}

// slackBody is a slash command form as Slack posts it, with text as the command text.
func slackBody(text string) func(string) []byte {
	return func(string) []byte {
		form := url.Values{
			"token":        {"sampleVerificationTokenUnused"},
			"team_id":      {"T0SAMPLE01"},
			"team_domain":  {"sample-workspace"},
			"channel_id":   {"C0SAMPLE01"},
			"channel_name": {"identity-ops"},
			"user_id":      {"U0SAMPLE01"},
			"user_name":    {"sample.user"},
			"command":      {"/wfcancel"},
			"text":         {text},
			"api_app_id":   {"A0SAMPLE01"},
			"trigger_id":   {"1000000000001.1000000000001.samplesampleSAMPLE"},
			// A reserved domain: nothing in this project should ever post to it.
			"response_url": {"https://hooks.slack.example/commands/T0SAMPLE01/1/sample"},
		}
		return []byte(form.Encode())
	}
}

func webhookBody(string) []byte {
	return mustJSON(map[string]any{"executionId": sampleExecutionID, "action": "cancel"})
}

func teamsBody(string) []byte {
	return mustJSON(map[string]any{
		"type":       "message",
		"id":         "1733300000000",
		"timestamp":  "2026-12-04T10:00:00.000Z",
		"serviceUrl": "https://smba.trafficmanager.example/emea/",
		"channelId":  "msteams",
		"from": map[string]any{
			"id":   "29:1sampleUserId",
			"name": "Sample User",
		},
		"conversation": map[string]any{
			"isGroup": true,
			"id":      "19:sampleChannel@thread.tacv2;messageid=1733300000000",
		},
		"text":        "<at>WFCancel</at> cancel " + sampleExecutionID,
		"textFormat":  "plain",
		"locale":      "en-US",
		"channelData": map[string]any{"teamsTeamId": "19:sampleTeam@thread.tacv2"},
	})
}

// discordPingBody is the PING Discord sends when the interactions endpoint is saved.
func discordPingBody(string) []byte {
	return mustJSON(map[string]any{
		"id":             "1300000000000000001",
		"application_id": "1300000000000000000",
		"type":           1,
		"token":          "sample-interaction-token",
		"version":        1,
	})
}

func discordCommandBody(string) []byte {
	return mustJSON(map[string]any{
		"id":             "1300000000000000002",
		"application_id": "1300000000000000000",
		"type":           2,
		"guild_id":       "1300000000000000010",
		"channel_id":     "1300000000000000020",
		"member": map[string]any{
			"user": map[string]any{"id": "1300000000000000030", "username": "sample.user"},
		},
		"data": map[string]any{
			"id":   "1300000000000000040",
			"name": "wfcancel",
			"type": 1,
			// /wfcancel cancel execution_id:<id>: the action is a subcommand (type 1), the id
			// a string option (type 3).
			"options": []any{map[string]any{
				"name": "cancel",
				"type": 1,
				"options": []any{map[string]any{
					"name": "execution_id", "type": 3, "value": sampleExecutionID,
				}},
			}},
		},
		"token":   "sample-interaction-token",
		"version": 1,
	})
}

func githubBody(string) []byte {
	return mustJSON(map[string]any{
		"action": "created",
		"issue": map[string]any{
			"number": 42,
			"title":  "Stuck access request workflow",
			"state":  "open",
		},
		"comment": map[string]any{
			"id":   1000000001,
			"body": "/wfcancel cancel " + sampleExecutionID,
			"user": map[string]any{"login": "sample-user", "type": "User"},
		},
		"repository": map[string]any{"full_name": "sample-org/identity-ops"},
		"sender":     map[string]any{"login": "sample-user", "type": "User"},
	})
}

func gitlabBody(string) []byte {
	return mustJSON(map[string]any{
		"object_kind": "note",
		"event_type":  "note",
		"user":        map[string]any{"username": "sample.user", "name": "Sample User"},
		"project": map[string]any{
			"id":                  1001,
			"path_with_namespace": "sample-group/identity-ops",
		},
		"object_attributes": map[string]any{
			"id":            2001,
			"note":          "/wfcancel cancel " + sampleExecutionID,
			"noteable_type": "Issue",
		},
		"issue": map[string]any{"iid": 7, "title": "Stuck access request workflow"},
	})
}

func jiraBody(string) []byte {
	return mustJSON(map[string]any{
		"timestamp":    1764842400000,
		"webhookEvent": "jira:issue_created",
		"issue": map[string]any{
			"id":  "10042",
			"key": "OPS-42",
			"fields": map[string]any{
				"summary":     "Stuck access request workflow",
				"description": "The access request workflow is stuck; please cancel it.",
				// A custom text field, "SailPoint execution id", on the request form.
				"customfield_10050": sampleExecutionID,
			},
		},
		"user": map[string]any{"accountId": "5b10ac8d82e05b22cc7d4sample"},
	})
}

func pagerDutyBody(string) []byte {
	return mustJSON(map[string]any{
		"event": map[string]any{
			"id":            "01SAMPLEEVENT0000000000001",
			"event_type":    "incident.triggered",
			"resource_type": "incident",
			"occurred_at":   "2026-12-04T10:00:00.000Z",
			"agent":         nil,
			"data": map[string]any{
				"id":      "Q0SAMPLEINCIDENT",
				"type":    "incident",
				"number":  42,
				"title":   "Cancel workflow execution " + sampleExecutionID,
				"status":  "triggered",
				"urgency": "high",
			},
		},
	})
}

func zendeskBody(string) []byte {
	return mustJSON(map[string]any{
		"type":                  "zen:event-type:ticket.created",
		"account_id":            10000001,
		"id":                    "01SAMPLEZENDESKEVENT000001",
		"time":                  "2026-12-04T10:00:00Z",
		"zendesk_event_version": "2022-11-06",
		"subject":               "zen:ticket:42",
		"detail": map[string]any{
			"id":          "42",
			"subject":     "Cancel workflow execution " + sampleExecutionID,
			"description": "The access request workflow is stuck; please cancel it.",
			"status":      "NEW",
		},
		"event": map[string]any{},
	})
}

func serviceNowBody(string) []byte {
	return mustJSON(map[string]any{
		"executionId": sampleExecutionID,
		"action":      "cancel",
		"number":      "RITM0010042",
		"sys_id":      "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
	})
}

// mattermostBody is a slash command form; Mattermost repeats the command's token in it.
func mattermostBody(token string) []byte {
	form := url.Values{
		"channel_id":   {"samplechannelid0000000001"},
		"channel_name": {"identity-ops"},
		"command":      {"/wfcancel"},
		"team_domain":  {"sample-team"},
		"team_id":      {"sampleteamid00000000000001"},
		"text":         {"cancel " + sampleExecutionID},
		"token":        {token},
		"user_id":      {"sampleuserid00000000000001"},
		"user_name":    {"sample.user"},
		// A reserved domain: nothing in this project should ever post to it.
		"response_url": {"https://mattermost.example/hooks/commands/sample"},
	}
	return []byte(form.Encode())
}

// mustJSON encodes a literal sample payload, which cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("sign: encode sample payload: " + err.Error())
	}
	return b
}
