package function

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// TestOutboundClientHonoursTheProxyVariables must run first in this package: net/http reads
// the proxy variables once per process, at the first request that asks for them.
func TestOutboundClientHonoursTheProxyVariables(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
	t.Setenv("NO_PROXY", "internal.example")
	transport := OutboundClient().Transport.(*http.Transport)

	for target, want := range map[string]string{
		"https://acme.api.identitynow.com/oauth/token": "http://127.0.0.1:3128",
		"https://internal.example/x":                   "",
	} {
		u, _ := url.Parse(target)
		proxy, err := transport.Proxy(&http.Request{URL: u})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if proxy != nil {
			got = proxy.String()
		}
		if got != want {
			t.Errorf("proxy for %s = %q, want %q", target, got, want)
		}
	}
}

func TestOutboundClientFollowsNoRedirect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:9/elsewhere", http.StatusFound)
	}))
	defer srv.Close()

	resp, err := OutboundClient().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("status %d, want the redirect itself (302)", resp.StatusCode)
	}
}
