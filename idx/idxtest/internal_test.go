package idxtest

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestMaskEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"demo@example.com":  "d***o@example.com",
		"ab@example.com":    "a***@example.com",
		"a@example.com":     "a***@example.com",
		"élodie@example.fr": "é***e@example.fr",
		"odd@x@example.com": "o***x@example.com",
		"@example.com":      "***",
		"nobody":            "***",
	} {
		if got := maskEmail(in); got != want {
			t.Errorf("maskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestS256 checks the PKCE transform against RFC 7636 appendix B.
func TestS256(t *testing.T) {
	t.Parallel()
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	if got, want := s256(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; got != want {
		t.Errorf("s256 = %q, want %q", got, want)
	}
	for v, want := range map[string]bool{
		verifier:                      true,
		strings.Repeat("a", 42):       false,
		strings.Repeat("a", 128):      true,
		strings.Repeat("a", 129):      false,
		strings.Repeat("a", 42) + "=": false,
		strings.Repeat("~._-", 11):    true,
		strings.Repeat("é", 43):       false,
	} {
		if got := isPKCEValue(v); got != want {
			t.Errorf("isPKCEValue(%.10q...) = %v, want %v", v, got, want)
		}
	}
}

func TestRandomIDs(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		id := randomOktaID("00u")
		if len(id) != 20 || !strings.HasPrefix(id, "00u") || seen[id] {
			t.Fatalf("bad or repeated ID %q", id)
		}
		seen[id] = true
		code := sixDigitCode()
		if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("bad code %q", code)
		}
	}
}

func TestURLHost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}, "127.0.0.1:80"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 81}, "127.0.0.1:81"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 82}, "[::1]:82"},
		{&net.TCPAddr{Port: 83}, "127.0.0.1:83"},
		{&net.TCPAddr{IP: net.ParseIP("::1"), Port: 84}, "[::1]:84"},
		{&net.UnixAddr{Name: "/tmp/sock", Net: "unix"}, "/tmp/sock"},
	} {
		if got := urlHost(tc.addr); got != tc.want {
			t.Errorf("urlHost(%v) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

// fuzzServer is an unstarted server with a live transaction, driven through
// its handler with recorders.
func fuzzServer(t testing.TB) (*Server, http.Handler, string) {
	s := NewUnstartedServer()
	t.Cleanup(s.Close)
	s.URL = "http://fuzz.invalid"
	h := s.handler()
	form := url.Values{
		"client_id": {PublicClientID}, "scope": {"openid"}, "redirect_uri": {DefaultRedirectURI},
		"code_challenge": {s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")}, "code_challenge_method": {"S256"}, "state": {"s"},
	}
	req := httptest.NewRequest(http.MethodPost, issuerPath+"/v1/interact", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var ia struct {
		Handle string `json:"interaction_handle"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &ia); err != nil || ia.Handle == "" {
		t.Fatalf("interact: %d %s", rec.Code, rec.Body)
	}
	req = httptest.NewRequest(http.MethodPost, "/idp/idx/introspect", strings.NewReader(`{"interactionHandle":"`+ia.Handle+`"}`))
	req.Header.Set("Content-Type", ionProduces)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var doc struct {
		StateHandle string `json:"stateHandle"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc.StateHandle == "" {
		t.Fatalf("introspect: %d %s", rec.Code, rec.Body)
	}
	return s, h, doc.StateHandle
}

// FuzzIDX feeds arbitrary bodies to every IDX endpoint: no panic, no 5xx,
// always an IDX document. "HANDLE" in a body becomes a live stateHandle.
func FuzzIDX(f *testing.F) {
	for _, seed := range []string{
		`{"stateHandle":"HANDLE"}`,
		`{"interactionHandle":"x"}`,
		`{"stateHandle":"HANDLE","identifier":"demo@example.com","credentials":{"passcode":"Demo-Passw0rd!"}}`,
		`{"stateHandle":"HANDLE","identifier":"demo@example.com","credentials":{"passcode":"x"},"rememberMe":true}`,
		`{"stateHandle":"HANDLE","authenticator":{"id":"x","methodType":"email"}}`,
		`{"stateHandle":"HANDLE","credentials":{"passcode":"123456"}}`,
		`{"stateHandle":"HANDLE","credentials":null}`,
		`{"stateHandle":["HANDLE"]}`,
		`[]`, `null`, `"x"`, `{`, ``,
	} {
		for i := range 7 {
			f.Add(uint8(i), seed)
		}
	}
	s, h, handle := fuzzServer(f)
	paths := []string{"introspect", "identify", "challenge", "challenge/resend", "challenge/poll", "challenge/answer", "cancel"}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		body = strings.ReplaceAll(body, "HANDLE", handle)
		req := httptest.NewRequest(http.MethodPost, "/idp/idx/"+paths[int(which)%len(paths)], strings.NewReader(body))
		req.Header.Set("Content-Type", "application/ion+json; okta-version=1.0.0")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		var doc map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc["version"] != "1.0.0" {
			t.Fatalf("not an IDX document (%v): %s", err, rec.Body)
		}
		_ = s
	})
}

// FuzzOAuth feeds arbitrary form bodies and Authorization headers to the
// OAuth endpoints: no panic, no 5xx, always JSON.
func FuzzOAuth(f *testing.F) {
	for _, seed := range []struct{ body, auth string }{
		{"grant_type=interaction_code&interaction_code=x&code_verifier=y&client_id=idxtest-public", ""},
		{"grant_type=refresh_token&refresh_token=x", "Basic aWR4dGVzdC1jb25maWRlbnRpYWw6aWR4dGVzdC1zZWNyZXQtY2hhbmdlLW1l"},
		{"client_id=idxtest-public&scope=openid&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Flogin%2Fcallback&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=x", ""},
		{"token=x&client_id=idxtest-public", ""},
		{"%zz", "Basic %%%"},
		{"a=1&a=2", "Bearer x"},
	} {
		for i := range 4 {
			f.Add(uint8(i), seed.body, seed.auth)
		}
	}
	_, h, _ := fuzzServer(f)
	paths := []string{"/v1/interact", "/v1/token", "/v1/revoke", "/v1/introspect"}
	f.Fuzz(func(t *testing.T, which uint8, body, auth string) {
		req := httptest.NewRequest(http.MethodPost, issuerPath+paths[int(which)%len(paths)], strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if auth != "" && !strings.ContainsAny(auth, "\r\n\x00") {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if rec.Code != http.StatusOK || rec.Body.Len() > 0 {
			var doc map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatalf("not JSON (%v): %s", err, rec.Body)
			}
		}
	})
}
