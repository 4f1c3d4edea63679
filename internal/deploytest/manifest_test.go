package deploytest

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sailpoint-cancel/wfcancel/internal/handler"
)

// TestSlackManifestPointsAtTheSlackRoute keeps the Slack app manifest in step with the
// function: its slash command posts to the route the handler serves.
func TestSlackManifestPointsAtTheSlackRoute(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/slack-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Features.SlashCommands) != 1 {
		t.Fatalf("%d slash commands, want 1", len(m.Features.SlashCommands))
	}
	url := m.Features.SlashCommands[0].URL
	if !strings.HasPrefix(url, "https://") || !strings.HasSuffix(url, "/slack") ||
		!slices.Contains(handler.Routes(), "/slack") {
		t.Errorf("slash command URL %q does not post to the /slack route over https", url)
	}
	if !slices.Equal(m.OAuth.Scopes.Bot, []string{"commands"}) {
		t.Errorf("bot scopes %v, want only commands", m.OAuth.Scopes.Bot)
	}
}

// TestDiscordCommandMatchesTheHandler keeps the Discord command definition in step with what
// the handler reads: subcommands cancel, status and help, the id in execution_id.
func TestDiscordCommandMatchesTheHandler(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/discord-command.json")
	if err != nil {
		t.Fatal(err)
	}
	type option struct {
		Type     int      `json:"type"`
		Name     string   `json:"name"`
		Required bool     `json:"required"`
		Options  []option `json:"options"`
	}
	var cmd option
	if err := json.Unmarshal(raw, &cmd); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, sub := range cmd.Options {
		names = append(names, sub.Name)
		if sub.Type != 1 {
			t.Errorf("option %s is type %d, want a subcommand (1)", sub.Name, sub.Type)
		}
		if sub.Name == "help" {
			continue
		}
		if len(sub.Options) != 1 || sub.Options[0].Name != "execution_id" ||
			sub.Options[0].Type != 3 || !sub.Options[0].Required {
			t.Errorf("subcommand %s must take one required string option execution_id", sub.Name)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"cancel", "help", "status"}) {
		t.Errorf("subcommands %v, want cancel, help, status", names)
	}
}
