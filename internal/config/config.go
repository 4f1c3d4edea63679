// Package config reads and validates the function's settings from the environment, once, at
// start. A bad value stops the function before it serves anything, with a message that names
// the variable and the form it expects.
package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Config is every setting the function reads from its environment.
type Config struct {
	// BaseURL is the tenant's API origin, e.g. https://acme.api.identitynow.com, with no
	// trailing slash and no path.
	BaseURL string

	// APIVersion selects the SailPoint paths: "v3", "beta" or "v1" (per-service paths).
	APIVersion string

	// SecretID names the Secrets Manager secret (name or ARN). When empty, SecretFile is read.
	SecretID string

	// SecretFile is a local JSON file with the same content as the secret, for local runs.
	SecretFile string

	// SignatureTolerance is how far a signed timestamp may be from now, both ways.
	SignatureTolerance time.Duration

	// SecretTTL is how long a secret read is reused within one execution environment.
	SecretTTL time.Duration

	// Routes holds each route's payload pointers and allow-lists, keyed by route name.
	Routes map[string]RouteSettings

	// MetricsNamespace is the CloudWatch namespace of the function's metrics.
	MetricsNamespace string

	// MetricsDisabled turns the metric lines off.
	MetricsDisabled bool

	// ResponseMode is how Slack and Discord are answered: sync or deferred.
	ResponseMode ResponseMode

	// Access holds the chat allow-lists and the workflows that may be acted on.
	Access Access
}

// Defaults for the optional variables.
const (
	DefaultAPIVersion         = "v3"
	DefaultSignatureTolerance = 5 * time.Minute
	DefaultSecretTTL          = 5 * time.Minute
)

// Load reads the configuration through getenv (os.Getenv in production) and validates it.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	var err error

	if c.BaseURL, err = baseURL(getenv("SAILPOINT_BASE_URL")); err != nil {
		return Config{}, err
	}

	c.APIVersion = strings.TrimSpace(getenv("SAILPOINT_API_VERSION"))
	switch c.APIVersion {
	case "":
		c.APIVersion = DefaultAPIVersion
	case "v3", "beta", "v1":
	default:
		return Config{}, fmt.Errorf("SAILPOINT_API_VERSION is %q: expected v3, beta or v1",
			c.APIVersion)
	}

	c.SecretID = strings.TrimSpace(getenv("SECRET_ID"))
	c.SecretFile = strings.TrimSpace(getenv("SECRET_FILE"))
	if c.SecretID == "" && c.SecretFile == "" {
		return Config{}, fmt.Errorf("SECRET_ID is not set: expected the Secrets Manager " +
			"secret name or ARN (or SECRET_FILE, a local JSON file, for local runs)")
	}

	if c.SignatureTolerance, err = duration(getenv, "SIGNATURE_TOLERANCE",
		DefaultSignatureTolerance); err != nil {
		return Config{}, err
	}
	if c.SecretTTL, err = duration(getenv, "SECRET_TTL", DefaultSecretTTL); err != nil {
		return Config{}, err
	}
	if c.Routes, err = loadRoutes(getenv); err != nil {
		return Config{}, err
	}
	if c.MetricsNamespace, c.MetricsDisabled, err = metricsSettings(getenv); err != nil {
		return Config{}, err
	}
	if c.ResponseMode, err = loadResponseMode(getenv); err != nil {
		return Config{}, err
	}
	if c.Access, err = loadAccess(getenv); err != nil {
		return Config{}, err
	}
	return c, nil
}

const baseURLForm = "https://{tenant}.api.identitynow.com"

// baseURL validates SAILPOINT_BASE_URL: https only (plain http only for loopback hosts, as in
// tests), no path, query, fragment or user info, and not one of the hosts people paste by
// mistake (the UI host without ".api." and the login host).
func baseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("SAILPOINT_BASE_URL is not set: expected %s", baseURLForm)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("SAILPOINT_BASE_URL is not a URL: expected %s", baseURLForm)
	}

	host := strings.ToLower(u.Hostname())
	switch {
	case u.Scheme == "http" && isLoopback(host):
	case u.Scheme != "https":
		return "", fmt.Errorf("SAILPOINT_BASE_URL must use https: expected %s", baseURLForm)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("SAILPOINT_BASE_URL must not carry user info, a query or a "+
			"fragment: expected %s", baseURLForm)
	}
	if p := strings.TrimRight(u.EscapedPath(), "/"); p != "" {
		return "", fmt.Errorf("SAILPOINT_BASE_URL must not include a path (%s): expected %s; "+
			"the API version is set by SAILPOINT_API_VERSION", p, baseURLForm)
	}
	if strings.HasSuffix(host, ".login.sailpoint.com") || host == "login.sailpoint.com" {
		return "", fmt.Errorf("SAILPOINT_BASE_URL is the SailPoint login host: expected the "+
			"API host %s", baseURLForm)
	}
	if isUIHost(host) {
		return "", fmt.Errorf("SAILPOINT_BASE_URL is the tenant's UI host %s: expected the "+
			"API host %s", host, baseURLForm)
	}
	return u.Scheme + "://" + u.Host, nil
}

// isUIHost reports a tenant host without the ".api." label, such as acme.identitynow.com.
func isUIHost(host string) bool {
	for _, domain := range []string{".identitynow.com", ".identitynow-demo.com"} {
		if tenant, ok := strings.CutSuffix(host, domain); ok {
			return !strings.HasSuffix(tenant, ".api")
		}
	}
	return false
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	raw := strings.TrimSpace(getenv(name))
	if raw == "" {
		return def, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s is %q: expected a positive Go duration such as 5m or 90s",
			name, raw)
	}
	return d, nil
}
