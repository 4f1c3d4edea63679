// Command sign prints ready-to-paste curl commands carrying valid signatures for any route of
// the function, and rewrites the sample events in events/ with fresh timestamps and
// signatures, since signed timestamps go stale within minutes.
//
// Usage:
//
//	go run ./cmd/sign -route slack [-secret-file events/sample-secret.json] [-secret VALUE]
//	    [-body 'text=cancel <id>' | -body-file F] [-url http://127.0.0.1:3000] [-now UNIX]
//	go run ./cmd/sign -events events
//
// The Discord route is signed with a private Ed25519 seed, read from discord_private_seed_hex:
// that key exists only in the sample secret, for local testing. The function itself reads
// only discord_public_key.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/secret"
	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

const defaultSecretFile = "events/sample-secret.json"

// options are the command-line flags.
type options struct {
	route      string
	secretFile string
	secret     string
	body       string
	bodyFile   string
	url        string
	now        int64
	eventsDir  string
}

func main() {
	if err := run(os.Args[1:], os.Stdout, time.Now); err != nil {
		fmt.Fprintln(os.Stderr, "sign:", err)
		os.Exit(2)
	}
}

func run(args []string, out io.Writer, clock func() time.Time) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	now := clock()
	if o.now != 0 {
		now = time.Unix(o.now, 0)
	}

	if o.eventsDir != "" {
		written, err := writeEvents(o.eventsDir, o.secretFile, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %d events and %s in %s, signed at %s\n",
			written, sampleSettingsFile, o.eventsDir, now.UTC().Format(time.RFC3339))
		return nil
	}
	return printCurl(o, out, now)
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	fs.StringVar(&o.route, "route", "", "route to sign for: "+strings.Join(routeNames(), ", "))
	fs.StringVar(&o.secretFile, "secret-file", defaultSecretFile,
		"secret JSON file holding the route's key")
	fs.StringVar(&o.secret, "secret", "", "signing secret, instead of -secret-file")
	fs.StringVar(&o.body, "body", "", "request body (default: a sample payload of the provider)")
	fs.StringVar(&o.bodyFile, "body-file", "", "file holding the request body")
	fs.StringVar(&o.url, "url", "http://127.0.0.1:3000", "base URL of the function")
	fs.Int64Var(&o.now, "now", 0, "signing time in Unix seconds (default: now)")
	fs.StringVar(&o.eventsDir, "events", "", "rewrite the sample events in this directory")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.eventsDir == "" && o.route == "" {
		return options{}, errors.New("give -route ROUTE or -events DIR")
	}
	if o.body != "" && o.bodyFile != "" {
		return options{}, errors.New("give -body or -body-file, not both")
	}
	return o, nil
}

// printCurl signs one request for o.route and prints it as a curl command.
func printCurl(o options, out io.Writer, now time.Time) error {
	rt, err := lookupRoute(o.route)
	if err != nil {
		return err
	}
	key := o.secret
	if key == "" {
		if key, err = secretValue(o.secretFile, rt.secretKey); err != nil {
			return err
		}
	}

	body := rt.body(key)
	switch {
	case o.body != "":
		body = []byte(o.body)
	case o.bodyFile != "":
		if body, err = os.ReadFile(o.bodyFile); err != nil {
			return fmt.Errorf("read body: %w", err)
		}
	}

	headers, err := signedHeaders(rt, key, body, now)
	if err != nil {
		return err
	}
	target := strings.TrimRight(o.url, "/") + rt.path
	if o.body == "" && o.bodyFile == "" && rt.idPointer != "" {
		// A shell comment, so the output still pastes as is.
		fmt.Fprintf(out, "# the sample body needs %s=%s (cmd/local -simulate sets it)\n",
			idPointerVariable(rt), rt.idPointer)
	}
	fmt.Fprintln(out, curlCommand(target, rt.contentType, headers, body))
	return nil
}

// signedHeaders is the provider's own headers plus the signature headers of rt's scheme.
func signedHeaders(rt route, key string, body []byte, now time.Time) (map[string]string, error) {
	signed, err := webhook.Sign(rt.scheme, key, body, now)
	if err != nil {
		return nil, err
	}
	headers := make(map[string]string, len(rt.headers)+len(signed))
	for name, v := range rt.headers {
		headers[name] = v
	}
	for name, v := range signed {
		headers[name] = v
	}
	return headers, nil
}

// secretValue reads the current value of key from the secret JSON file at path.
func secretValue(path, key string) (string, error) {
	bundle, err := readBundle(path)
	if err != nil {
		return "", err
	}
	values := bundle.Values(key)
	if len(values) == 0 {
		return "", fmt.Errorf("%s has no %s: give -secret or add the key", path, key)
	}
	return values[0], nil
}

func readBundle(path string) (secret.Bundle, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return secret.Bundle{}, fmt.Errorf("read secret file: %w", err)
	}
	bundle, err := secret.Parse(raw)
	if err != nil {
		return secret.Bundle{}, fmt.Errorf("secret file %s: %w", path, err)
	}
	return bundle, nil
}
