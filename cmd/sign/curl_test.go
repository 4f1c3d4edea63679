package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestShellQuoteSurvivesTheShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to check quoting against")
	}
	tests := []struct {
		name string
		in   string
	}{
		{"plain", "text=cancel 5d1f7c2e-8a4b-4c3d-9e6f-1a2b3c4d5e6f"},
		{"single quotes", `it's 'quoted'`},
		{"shell syntax", "$(id) `id` $HOME; rm -rf / && echo \\n"},
		{"newlines", "line one\nline two\n"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Command(sh, "-c", "printf %s "+shellQuote(tt.in)).Output()
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.in {
				t.Fatalf("shell read %q, want %q", out, tt.in)
			}
		})
	}
}

func TestRunPrintsSignedCurl(t *testing.T) {
	var out bytes.Buffer
	err := run([]string{"-route", "slack", "-secret-file", "../../events/sample-secret.json",
		"-body", "text=help", "-now", "1796400000"}, &out, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"curl -sS -i -X POST 'http://127.0.0.1:3000/slack'",
		"-H 'Content-Type: application/x-www-form-urlencoded'",
		"-H 'X-Slack-Request-Timestamp: 1796400000'",
		"-H 'X-Slack-Signature: v0=",
		"--data-binary 'text=help'",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no route or events", nil},
		{"unknown route", []string{"-route", "irc"}},
		{"body and body file", []string{"-route", "slack", "-body", "x", "-body-file", "f"}},
		{"key missing from the secret file", []string{"-route", "gitlab-signing",
			"-secret-file", "../../events/sample-secret.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := run(tt.args, &bytes.Buffer{}, time.Now); err == nil {
				t.Fatal("run succeeded, want an error")
			}
		})
	}
}

func TestRunNamesTheSamplePointer(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want bool
	}{
		{"sample body", []string{"-route", "github"}, true},
		{"own body", []string{"-route", "github", "-body", `{"executionId":"x"}`}, false},
		{"default pointer", []string{"-route", "servicenow"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			args := append(tt.args, "-secret-file", "../../events/sample-secret.json")
			if err := run(args, &out, time.Now); err != nil {
				t.Fatal(err)
			}
			got := strings.HasPrefix(out.String(), "# the sample body needs ")
			if got != tt.want {
				t.Fatalf("pointer comment printed = %v, want %v:\n%s", got, tt.want, out.String())
			}
			if tt.want && !strings.Contains(out.String(),
				"GITHUB_EXECUTION_ID_POINTER=/comment/body") {
				t.Fatalf("comment does not name the setting:\n%s", out.String())
			}
		})
	}
}
