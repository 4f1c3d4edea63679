package config

import (
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoad(t *testing.T) {
	base := map[string]string{
		"SAILPOINT_BASE_URL": "https://acme.api.identitynow.com",
		"SECRET_ID":          "arn:aws:secretsmanager:us-east-1:123456789012:secret:sp",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for bk, bv := range base {
			m[bk] = bv
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	rows := []struct {
		name    string
		vars    map[string]string
		wantErr string // substring; "" means valid
		check   func(t *testing.T, c Config)
	}{
		{name: "defaults", vars: base, check: func(t *testing.T, c Config) {
			if c.APIVersion != "v3" || c.SignatureTolerance != 5*time.Minute ||
				c.SecretTTL != 5*time.Minute {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{name: "trailing slash is dropped",
			vars: with("SAILPOINT_BASE_URL", "https://acme.api.identitynow.com/"),
			check: func(t *testing.T, c Config) {
				if c.BaseURL != "https://acme.api.identitynow.com" {
					t.Errorf("BaseURL %q", c.BaseURL)
				}
			}},
		{name: "loopback http is allowed for tests",
			vars: with("SAILPOINT_BASE_URL", "http://127.0.0.1:8080")},
		{name: "ipv6 loopback http", vars: with("SAILPOINT_BASE_URL", "http://[::1]:9000")},
		{name: "missing base url", vars: with("SAILPOINT_BASE_URL", ""),
			wantErr: "SAILPOINT_BASE_URL is not set"},
		{name: "plain http elsewhere",
			vars:    with("SAILPOINT_BASE_URL", "http://acme.api.identitynow.com"),
			wantErr: "SAILPOINT_BASE_URL must use https"},
		{name: "a path such as /v3",
			vars:    with("SAILPOINT_BASE_URL", "https://acme.api.identitynow.com/v3"),
			wantErr: "SAILPOINT_BASE_URL must not include a path"},
		{name: "the UI host", vars: with("SAILPOINT_BASE_URL", "https://acme.identitynow.com"),
			wantErr: "UI host"},
		{name: "the login host",
			vars:    with("SAILPOINT_BASE_URL", "https://acme.login.sailpoint.com"),
			wantErr: "login host"},
		{name: "a query", vars: with("SAILPOINT_BASE_URL", "https://acme.api.identitynow.com?x=1"),
			wantErr: "SAILPOINT_BASE_URL must not carry"},
		{name: "not a URL", vars: with("SAILPOINT_BASE_URL", "acme"),
			wantErr: "SAILPOINT_BASE_URL is not a URL"},
		{name: "beta", vars: with("SAILPOINT_API_VERSION", "beta")},
		{name: "v1", vars: with("SAILPOINT_API_VERSION", "v1")},
		{name: "unknown version", vars: with("SAILPOINT_API_VERSION", "v2"),
			wantErr: "SAILPOINT_API_VERSION"},
		{name: "no secret source", vars: with("SECRET_ID", ""), wantErr: "SECRET_ID"},
		{name: "secret file instead", vars: map[string]string{
			"SAILPOINT_BASE_URL": "http://localhost:3000", "SECRET_FILE": "s.json"}},
		{name: "tolerance", vars: with("SIGNATURE_TOLERANCE", "90s"),
			check: func(t *testing.T, c Config) {
				if c.SignatureTolerance != 90*time.Second {
					t.Errorf("tolerance %v", c.SignatureTolerance)
				}
			}},
		{name: "bad tolerance", vars: with("SIGNATURE_TOLERANCE", "5"),
			wantErr: "SIGNATURE_TOLERANCE"},
		{name: "negative ttl", vars: with("SECRET_TTL", "-1m"), wantErr: "SECRET_TTL"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			c, err := Load(env(row.vars))
			if row.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), row.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, row.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if row.check != nil {
				row.check(t, c)
			}
		})
	}
}
