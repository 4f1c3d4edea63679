package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// sampleSettingsFile is written next to the sample events. It lists the variables the
// function needs to find the execution id where the sample payloads put it; `go run
// ./cmd/local -simulate` applies every one the user left unset.
const sampleSettingsFile = "sample-settings.env"

// sampleSettings returns the "NAME=value" settings the sample payloads need, sorted, one per
// route that puts the id elsewhere than the default pointer.
func sampleSettings() []string {
	var out []string
	for _, rt := range routes {
		if rt.idPointer == "" {
			continue
		}
		line := idPointerVariable(rt) + "=" + rt.idPointer
		if !slices.Contains(out, line) {
			out = append(out, line)
		}
	}
	slices.Sort(out)
	return out
}

// idPointerVariable names rt's <ROUTE>_EXECUTION_ID_POINTER variable; gitlab and
// gitlab-signing share /gitlab and so one variable.
func idPointerVariable(rt route) string {
	return strings.ToUpper(strings.TrimPrefix(rt.path, "/")) + "_EXECUTION_ID_POINTER"
}

// sampleSettingsText is the content of sampleSettingsFile.
func sampleSettingsText() string {
	var b strings.Builder
	b.WriteString("# Where the sample payloads in this directory put the execution id.\n")
	b.WriteString("# Written by `go run ./cmd/sign -events events`; `go run ./cmd/local -simulate`\n")
	b.WriteString("# applies every setting here that is not set in its environment.\n")
	for _, line := range sampleSettings() {
		b.WriteString(line + "\n")
	}
	return b.String()
}

func writeSampleSettings(dir string) error {
	path := filepath.Join(dir, sampleSettingsFile)
	if err := os.WriteFile(path, []byte(sampleSettingsText()), 0o644); err != nil {
		return fmt.Errorf("write sample settings: %w", err)
	}
	return nil
}
