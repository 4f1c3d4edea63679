package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sailpoint-cancel/wfcancel/internal/metrics"
)

// metricsSettings reads METRICS_NAMESPACE (metrics.DefaultNamespace when unset) and
// METRICS_DISABLED (false when unset).
func metricsSettings(getenv func(string) string) (namespace string, disabled bool, err error) {
	if raw := strings.TrimSpace(getenv("METRICS_DISABLED")); raw != "" {
		if disabled, err = strconv.ParseBool(raw); err != nil {
			return "", false, fmt.Errorf("METRICS_DISABLED is %q: expected true or false", raw)
		}
	}

	namespace = strings.TrimSpace(getenv("METRICS_NAMESPACE"))
	if namespace == "" {
		return metrics.DefaultNamespace, disabled, nil
	}
	if !validNamespace(namespace) {
		return "", false, fmt.Errorf("METRICS_NAMESPACE is %q: expected 1 to 255 letters, "+
			"digits, spaces or . - _ / # :, not starting with AWS/", namespace)
	}
	return namespace, disabled, nil
}

// validNamespace applies CloudWatch's rules for a custom namespace.
func validNamespace(ns string) bool {
	if len(ns) > 255 || strings.HasPrefix(ns, "AWS/") {
		return false
	}
	for _, r := range ns {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune(" .-_/#:", r):
		default:
			return false
		}
	}
	return true
}
