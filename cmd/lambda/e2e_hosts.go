//go:build e2e

package main

// In a build with the e2e tag, deferred answers for Slack and Discord may go to a stand-in
// on 127.0.0.1 over plain http, so the end-to-end tests can watch them arrive. The deployed
// bootstrap is never built with this tag; no environment variable can do the same.
func init() {
	testReplyHosts = map[string]string{"slack": "127.0.0.1", "discord": "127.0.0.1"}
}
