package main

import (
	"sort"
	"strings"
)

// curlCommand renders one signed POST as a curl command line, every argument shell-quoted,
// so it can be pasted into a POSIX shell as is.
func curlCommand(target, contentType string, headers map[string]string, body []byte) string {
	names := make([]string, 0, len(headers))
	for name := range headers {
		names = append(names, name)
	}
	sort.Strings(names)

	args := []string{"curl", "-sS", "-i", "-X", "POST", shellQuote(target),
		"-H", shellQuote("Content-Type: " + contentType)}
	for _, name := range names {
		args = append(args, "-H", shellQuote(name+": "+headers[name]))
	}
	args = append(args, "--data-binary", shellQuote(string(body)))
	return strings.Join(args, " ")
}

// shellQuote wraps s in single quotes, which a POSIX shell takes literally; a single quote
// inside is closed, escaped and reopened.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
