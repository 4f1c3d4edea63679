package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// setting is one NAME=value line of a sample settings file.
type setting struct {
	name, value string
}

// withSampleSettings returns getenv with the settings in the file at path applied to every
// variable getenv leaves unset or blank, and prints each one it applies. The sample payloads
// of cmd/sign put the execution id where a real provider would, not at the default pointer;
// these settings let them act on the simulator without the user exporting anything.
func withSampleSettings(path string, getenv func(string) string,
	out io.Writer) (func(string) string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sample settings: %w", err)
	}
	settings, err := parseSettings(raw)
	if err != nil {
		return nil, fmt.Errorf("sample settings %s: %w", path, err)
	}

	applied := make(map[string]string, len(settings))
	for _, s := range settings {
		if strings.TrimSpace(getenv(s.name)) != "" {
			continue
		}
		applied[s.name] = s.value
		fmt.Fprintf(out, "sample setting %s=%s\n", s.name, s.value)
	}
	return func(name string) string {
		if v, ok := applied[name]; ok {
			return v
		}
		return getenv(name)
	}, nil
}

// parseSettings reads NAME=value lines; blank lines and lines starting with # are skipped.
func parseSettings(raw []byte) ([]setting, error) {
	var out []setting
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok || !isVariableName(name) || value == "" {
			return nil, fmt.Errorf("line %d: expected NAME=value, NAME in upper case", n)
		}
		out = append(out, setting{name: name, value: value})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read lines: %w", err)
	}
	return out, nil
}

func isVariableName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}
