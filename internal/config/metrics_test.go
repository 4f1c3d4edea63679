package config

import (
	"strings"
	"testing"
)

func TestLoadMetricsSettings(t *testing.T) {
	rows := []struct {
		name          string
		namespace     string
		disabled      string
		wantNamespace string
		wantDisabled  bool
		wantErr       string // substring; "" means valid
	}{
		{name: "unset means the default namespace, enabled",
			wantNamespace: "SailPointCancel"},
		{name: "a namespace with a slash and a hash", namespace: "Acme/Cancel#prod",
			wantNamespace: "Acme/Cancel#prod"},
		{name: "surrounding blanks are trimmed", namespace: "  Acme  ",
			wantNamespace: "Acme"},
		{name: "disabled", disabled: "true", wantNamespace: "SailPointCancel",
			wantDisabled: true},
		{name: "explicitly enabled", disabled: "false", wantNamespace: "SailPointCancel"},
		{name: "a disabled value that is not a boolean", disabled: "yes",
			wantErr: `METRICS_DISABLED is "yes"`},
		{name: "the reserved AWS prefix", namespace: "AWS/Lambda",
			wantErr: `METRICS_NAMESPACE is "AWS/Lambda"`},
		{name: "a character CloudWatch refuses", namespace: "Acme{prod}",
			wantErr: "METRICS_NAMESPACE is"},
		{name: "too long", namespace: strings.Repeat("n", 256),
			wantErr: "expected 1 to 255"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			c, err := Load(env(map[string]string{
				"SAILPOINT_BASE_URL": "https://acme.api.identitynow.com",
				"SECRET_ID":          "sp",
				"METRICS_NAMESPACE":  row.namespace,
				"METRICS_DISABLED":   row.disabled,
			}))
			if row.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), row.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, row.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.MetricsNamespace != row.wantNamespace || c.MetricsDisabled != row.wantDisabled {
				t.Errorf("namespace %q disabled %v, want %q %v", c.MetricsNamespace,
					c.MetricsDisabled, row.wantNamespace, row.wantDisabled)
			}
		})
	}
}
