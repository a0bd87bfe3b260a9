package idxtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// corsView is what a browser reads of an answer to decide whether a page
// may see it.
type corsView struct {
	Status                        int
	AllowOrigin, AllowCredentials string
	AllowMethods                  string
	AllowsUserAgentHeader         bool // X-Okta-User-Agent-Extended in Access-Control-Allow-Headers
	VaryOrigin                    bool
}

func viewCORS(r reply) corsView {
	return corsView{
		Status:                r.status,
		AllowOrigin:           r.header.Get("Access-Control-Allow-Origin"),
		AllowCredentials:      r.header.Get("Access-Control-Allow-Credentials"),
		AllowMethods:          r.header.Get("Access-Control-Allow-Methods"),
		AllowsUserAgentHeader: strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "X-Okta-User-Agent-Extended"),
		VaryOrigin:            strings.Contains(strings.Join(r.header.Values("Vary"), ","), "Origin"),
	}
}

// TestTrustedOrigins checks the CORS answers of the org's endpoints to a
// trusted origin, to one that is not trusted and to none.
func TestTrustedOrigins(t *testing.T) {
	t.Parallel()
	const spa = "http://localhost:3000"
	srv := newOrg(t, idxtest.WithTrustedOrigins(spa, "HTTPS://App.Example.COM:443/"))
	if diff := cmp.Diff([]string{"http://localhost:3000", "https://app.example.com"}, srv.TrustedOrigins()); diff != "" {
		t.Errorf("TrustedOrigins (-want +got):\n%s", diff)
	}

	request := func(t *testing.T, method, path, origin string, header map[string]string) reply {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		return do(t, srv.Client(), req)
	}
	preflight := func(method, headers string) map[string]string {
		return map[string]string{"Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers}
	}
	const uaHeaders = "accept,content-type,x-okta-user-agent-extended"
	trusted := corsView{Status: 200, AllowOrigin: spa, AllowCredentials: "true", VaryOrigin: true}
	trustedPreflight := func(methods string) corsView {
		v := trusted
		v.AllowMethods, v.AllowsUserAgentHeader = methods, true
		return v
	}
	tests := []struct {
		name                 string
		method, path, origin string
		header               map[string]string
		want                 corsView
	}{
		{"discovery, trusted", "GET", "/oauth2/default/.well-known/openid-configuration", spa, nil, trusted},
		{"keys, trusted", "GET", "/oauth2/default/v1/keys", spa, nil, trusted},
		{"discovery, normalized origin", "GET", "/oauth2/default/.well-known/openid-configuration", "https://app.example.com", nil,
			corsView{Status: 200, AllowOrigin: "https://app.example.com", AllowCredentials: "true", VaryOrigin: true}},
		{"discovery, not trusted", "GET", "/oauth2/default/.well-known/openid-configuration", "http://evil.example", nil,
			corsView{Status: 200, VaryOrigin: true}},
		{"discovery, another port", "GET", "/oauth2/default/.well-known/openid-configuration", "http://localhost:3001", nil,
			corsView{Status: 200, VaryOrigin: true}},
		{"discovery, no origin", "GET", "/oauth2/default/.well-known/openid-configuration", "", nil,
			corsView{Status: 200, VaryOrigin: true}},
		{"interact preflight", "OPTIONS", "/oauth2/default/v1/interact", spa, preflight("POST", uaHeaders), trustedPreflight("POST")},
		{"token preflight", "OPTIONS", "/oauth2/default/v1/token", spa, preflight("POST", uaHeaders), trustedPreflight("POST")},
		{"userinfo preflight", "OPTIONS", "/oauth2/default/v1/userinfo", spa, preflight("GET", "authorization"), trustedPreflight("GET, POST")},
		{"revoke preflight", "OPTIONS", "/oauth2/default/v1/revoke", spa, preflight("POST", uaHeaders), trustedPreflight("POST")},
		{"introspect preflight", "OPTIONS", "/oauth2/default/v1/introspect", spa, preflight("POST", uaHeaders), trustedPreflight("POST")},
		{"logout preflight", "OPTIONS", "/oauth2/default/v1/logout", spa, preflight("GET", ""), trustedPreflight("GET")},
		{"IDX preflight", "OPTIONS", "/idp/idx/introspect", spa, preflight("POST", uaHeaders), trustedPreflight("POST")},
		{"IDX answer preflight", "OPTIONS", "/idp/idx/challenge/answer", spa, preflight("POST", uaHeaders), trustedPreflight("POST")},
		{"IDX, trusted", "POST", "/idp/idx/introspect", spa, map[string]string{"Content-Type": "application/ion+json; okta-version=1.0.0"},
			corsView{Status: 400, AllowOrigin: spa, AllowCredentials: "true", VaryOrigin: true}},
		{"preflight, not trusted", "OPTIONS", "/oauth2/default/v1/interact", "http://evil.example", preflight("POST", uaHeaders),
			corsView{Status: 403, VaryOrigin: true}},
		{"preflight, method the endpoint lacks", "OPTIONS", "/oauth2/default/v1/interact", spa, preflight("DELETE", ""),
			corsView{Status: 403, VaryOrigin: true}},
		{"outbox, trusted origin", "GET", "/idxtest/outbox", spa, nil, corsView{Status: 200}},
		{"outbox preflight", "OPTIONS", "/idxtest/outbox", spa, preflight("GET", ""), corsView{Status: 405}},
		{"authorize, trusted origin", "GET", "/oauth2/default/v1/authorize", spa, nil, corsView{Status: 400}},
		{"unknown path preflight", "OPTIONS", "/oauth2/default/v1/nothing", spa, preflight("GET", ""), corsView{Status: 404}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := request(t, tc.method, tc.path, tc.origin, tc.header)
			if diff := cmp.Diff(tc.want, viewCORS(r)); diff != "" {
				t.Errorf("%s %s from %q (-want +got):\n%s", tc.method, tc.path, tc.origin, diff)
			}
			if tc.want.AllowOrigin != "" && tc.method != "OPTIONS" && !strings.Contains(r.header.Get("Access-Control-Expose-Headers"), "WWW-Authenticate") {
				t.Errorf("Access-Control-Expose-Headers = %q, want WWW-Authenticate among them", r.header.Get("Access-Control-Expose-Headers"))
			}
		})
	}

	if n := srv.RequestCounts()["OPTIONS /oauth2/default/v1/interact"]; n != 3 {
		t.Errorf("preflights of interact counted %d times, want 3", n)
	}
}

// TestTrustedOriginsNone checks that a server given no trusted origin
// answers no cross-origin request.
func TestTrustedOriginsNone(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodOptions, srv.Issuer()+"/v1/interact", nil)
	req.Header.Set("Origin", "http://localhost:8080")
	req.Header.Set("Access-Control-Request-Method", "POST")
	r := do(t, srv.Client(), req)
	if r.status != http.StatusForbidden || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight with no trusted origins: %d, Access-Control-Allow-Origin %q", r.status, r.header.Get("Access-Control-Allow-Origin"))
	}
}

// TestTrustedOriginsInvalid checks that an origin that is not one makes
// the constructor panic with a message that names it.
func TestTrustedOriginsInvalid(t *testing.T) {
	for _, o := range []string{"localhost:3000", "http://localhost:3000/app", "ftp://host", "http://", "http://h/?q", "http://u@h", "*", ""} {
		t.Run(o, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), "trusted origin") {
					t.Errorf("WithTrustedOrigins(%q): panic %v, want one naming the trusted origin", o, r)
				}
			}()
			idxtest.NewServer(idxtest.WithTrustedOrigins(o)).Close()
		})
	}
}
