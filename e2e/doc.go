// Package e2e holds the end-to-end tests: they build the real bootstrap and the Lambda Runtime
// Interface Emulator, run the bootstrap under the emulator on loopback against a fake Secrets
// Manager and a SailPoint simulator, and check the answers, the calls the fakes received and
// the function's logs. The tests are skipped under `go test -short`.
package e2e
