package config

import (
	"slices"
	"strings"
	"testing"
)

func TestLoadAccess(t *testing.T) {
	rows := []struct {
		name    string
		vars    map[string]string
		wantErr string // substring naming the variable; "" means valid
		check   func(t *testing.T, a Access)
	}{
		{name: "nothing set allows everyone", vars: nil, check: func(t *testing.T, a Access) {
			if a.SlackTeams != nil || a.Workflows != nil || a.SlackAppID != "" {
				t.Errorf("access = %+v; want no lists", a)
			}
		}},
		{name: "blank values are unset",
			vars: map[string]string{"ALLOWED_SLACK_TEAM_IDS": "  ", "SLACK_APP_ID": " "},
			check: func(t *testing.T, a Access) {
				if a.SlackTeams != nil || a.SlackAppID != "" {
					t.Errorf("access = %+v; want no lists", a)
				}
			}},
		{name: "entries are trimmed and empty ones dropped",
			vars: map[string]string{"ALLOWED_SLACK_USER_IDS": " U1 ,,U2, "},
			check: func(t *testing.T, a Access) {
				if !slices.Equal(a.SlackUsers, []string{"U1", "U2"}) {
					t.Errorf("SlackUsers = %q", a.SlackUsers)
				}
			}},
		{name: "every list reaches its field", vars: map[string]string{
			"ALLOWED_SLACK_TEAM_IDS":      "T1",
			"ALLOWED_SLACK_CHANNEL_IDS":   "C1",
			"ALLOWED_TEAMS_TENANT_IDS":    "tenant-1",
			"ALLOWED_DISCORD_GUILD_IDS":   "G1",
			"ALLOWED_DISCORD_USER_IDS":    "D1",
			"ALLOWED_MATTERMOST_TEAM_IDS": "M1",
			"ALLOWED_MATTERMOST_USER_IDS": "MU1",
			"ALLOWED_WORKFLOW_IDS":        "wf-1,wf-2",
			"SLACK_APP_ID":                "A0123",
		}, check: func(t *testing.T, a Access) {
			got := [][]string{a.SlackTeams, a.SlackChannels, a.TeamsTenants, a.DiscordGuilds,
				a.DiscordUsers, a.MattermostTeams, a.MattermostUsers, {a.SlackAppID}}
			want := [][]string{{"T1"}, {"C1"}, {"tenant-1"}, {"G1"}, {"D1"}, {"M1"}, {"MU1"},
				{"A0123"}}
			for i := range want {
				if !slices.Equal(got[i], want[i]) {
					t.Errorf("field %d = %q; want %q", i, got[i], want[i])
				}
			}
			if !slices.Equal(a.Workflows, []string{"wf-1", "wf-2"}) {
				t.Errorf("Workflows = %q", a.Workflows)
			}
		}},
		{name: "a comma alone names no id",
			vars:    map[string]string{"ALLOWED_SLACK_TEAM_IDS": ","},
			wantErr: "ALLOWED_SLACK_TEAM_IDS"},
		{name: "separators and blanks name no id",
			vars:    map[string]string{"ALLOWED_WORKFLOW_IDS": " , ,"},
			wantErr: "ALLOWED_WORKFLOW_IDS"},
		{name: "discord users with no id",
			vars:    map[string]string{"ALLOWED_DISCORD_USER_IDS": ",,"},
			wantErr: "ALLOWED_DISCORD_USER_IDS"},
		{name: "mattermost teams with no id",
			vars:    map[string]string{"ALLOWED_MATTERMOST_TEAM_IDS": ","},
			wantErr: "ALLOWED_MATTERMOST_TEAM_IDS"},
		{name: "two slack app ids",
			vars: map[string]string{"SLACK_APP_ID": "A1,A2"}, wantErr: "SLACK_APP_ID"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			a, err := loadAccess(env(row.vars))
			if row.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), row.wantErr) {
					t.Fatalf("err = %v; want one naming %s", err, row.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if row.check != nil {
				row.check(t, a)
			}
		})
	}
}

func TestLoadResponseMode(t *testing.T) {
	rows := []struct {
		name, value string
		want        ResponseMode
		wantErr     bool
	}{
		{name: "unset means sync", value: "", want: ResponseSync},
		{name: "sync", value: "sync", want: ResponseSync},
		{name: "deferred", value: "deferred", want: ResponseDeferred},
		{name: "case and spaces are forgiven", value: " Deferred ", want: ResponseDeferred},
		{name: "anything else stops the function", value: "async", wantErr: true},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			got, err := loadResponseMode(env(map[string]string{"RESPONSE_MODE": row.value}))
			if row.wantErr {
				if err == nil || !strings.Contains(err.Error(), "RESPONSE_MODE") {
					t.Fatalf("err = %v; want one naming RESPONSE_MODE", err)
				}
				return
			}
			if err != nil || got != row.want {
				t.Fatalf("mode = %q, %v; want %q", got, err, row.want)
			}
		})
	}
}

func TestLoadReadsAccessAndMode(t *testing.T) {
	c, err := Load(env(map[string]string{
		"SAILPOINT_BASE_URL":   "https://acme.api.identitynow.com",
		"SECRET_ID":            "sp",
		"RESPONSE_MODE":        "deferred",
		"ALLOWED_WORKFLOW_IDS": "wf-1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ResponseMode != ResponseDeferred || !slices.Equal(c.Access.Workflows, []string{"wf-1"}) {
		t.Errorf("config = %+v", c)
	}
	_, err = Load(env(map[string]string{
		"SAILPOINT_BASE_URL":     "https://acme.api.identitynow.com",
		"SECRET_ID":              "sp",
		"ALLOWED_SLACK_TEAM_IDS": ",",
	}))
	if err == nil || !strings.Contains(err.Error(), "ALLOWED_SLACK_TEAM_IDS") {
		t.Errorf("err = %v; want one naming ALLOWED_SLACK_TEAM_IDS", err)
	}
}

func TestAccessVariablesAreTheOnesRead(t *testing.T) {
	lists := map[string]func(Access) []string{
		SlackTeamsVariable:      func(a Access) []string { return a.SlackTeams },
		SlackUsersVariable:      func(a Access) []string { return a.SlackUsers },
		SlackChannelsVariable:   func(a Access) []string { return a.SlackChannels },
		TeamsTenantsVariable:    func(a Access) []string { return a.TeamsTenants },
		DiscordGuildsVariable:   func(a Access) []string { return a.DiscordGuilds },
		DiscordUsersVariable:    func(a Access) []string { return a.DiscordUsers },
		MattermostTeamsVariable: func(a Access) []string { return a.MattermostTeams },
		MattermostUsersVariable: func(a Access) []string { return a.MattermostUsers },
		WorkflowsVariable:       func(a Access) []string { return a.Workflows },
	}
	for name, field := range lists {
		a, err := loadAccess(func(v string) string {
			if v == name {
				return "id-1"
			}
			return ""
		})
		if err != nil || !slices.Equal(field(a), []string{"id-1"}) {
			t.Errorf("%s read as %q, %v", name, field(a), err)
		}
	}
}
