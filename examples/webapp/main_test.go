package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/goidx/goidx/examples/internal/maintest"
	"github.com/goidx/goidx/idx/idxtest"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestRunFakeOrg starts the program as `go run ./examples/webapp` does (on
// a free port), uses it, and stops it as SIGINT would.
func TestRunFakeOrg(t *testing.T) {
	t.Parallel()
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	p, err := setup(ctx, []string{"-addr", "127.0.0.1:0"}, env(nil), &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.serve(ctx) }()

	for _, want := range []string{
		"goidx web example: " + p.url,
		"No OKTA_ISSUER set: using the fake Okta org (idxtest) at http://127.0.0.1:",
		"Demo user:  " + idxtest.DemoUsername,
		"Password:   " + idxtest.DemoPassword,
		"The emailed codes and sign-in links appear at " + p.url + "/dev/mailbox",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	for path, want := range map[string]int{"/login": 200, "/dev/mailbox": 200, "/": 200} {
		resp, err := http.Get(p.url + path) // follows / to /login
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve after cancel: %v, want nil (graceful shutdown)", err)
	}
	if _, err := http.Get(p.url + "/login"); err == nil {
		t.Error("the app still answers after shutdown")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no shutdown log:\n%s", stderr.String())
	}
}

// TestShutdownWaitsForRequests: a request in flight when the signal comes
// is answered.
func TestShutdownWaitsForRequests(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	p, err := setup(ctx, []string{"-addr", "127.0.0.1:0"}, env(nil), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	app := p.server.Handler
	p.server.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
			w.WriteHeader(http.StatusTeapot)
			return
		}
		app.ServeHTTP(w, r)
	})
	done := make(chan error, 1)
	go func() { done <- p.serve(ctx) }()
	got := make(chan int, 1)
	go func() {
		resp, err := http.Get(p.url + "/slow")
		if err != nil {
			got <- 0
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	<-started
	cancel()
	close(release)
	if code := <-got; code != http.StatusTeapot {
		t.Errorf("request in flight got %d, want 418", code)
	}
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

func TestSetupErrors(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no client ID", nil, map[string]string{"OKTA_ISSUER": "https://example.okta.com/oauth2/default"},
			"OKTA_CLIENT_ID must be set with OKTA_ISSUER"},
		{"client ID without issuer", nil, map[string]string{"OKTA_CLIENT_ID": "0oa1"},
			"set without OKTA_ISSUER"},
		{"http issuer", []string{"-addr", "127.0.0.1:0"}, map[string]string{"OKTA_ISSUER": "http://example.okta.com", "OKTA_CLIENT_ID": "0oa1"},
			"OKTA_ISSUER http://example.okta.com is plain http: use https, or set OKTA_INSECURE_LOOPBACK_HTTP=1"},
		{"http issuer off loopback", []string{"-addr", "127.0.0.1:0"}, map[string]string{"OKTA_ISSUER": "http://example.okta.com", "OKTA_CLIENT_ID": "0oa1",
			"OKTA_INSECURE_LOOPBACK_HTTP": "1"}, "the Okta settings are not usable (check OKTA_ISSUER, OKTA_CLIENT_ID, OKTA_REDIRECT_URI)"},
		{"port taken", []string{"-addr", busy.Addr().String()}, nil,
			"cannot listen on " + busy.Addr().String() + " (is another copy running? choose another address with -addr)"},
		{"bad flag", []string{"-nope"}, nil, "flag provided but not defined: -nope (run with -h for help)"},
		{"a fake org's switch with a real org", []string{"-addr", "127.0.0.1:0", "-idp", "Google"},
			map[string]string{"OKTA_ISSUER": "https://example.okta.com/oauth2/default", "OKTA_CLIENT_ID": "0oa1"},
			"they cannot be used with OKTA_ISSUER"},
		{"unknown device challenge", []string{"-addr", "127.0.0.1:0", "-device-challenge", "bluetooth"}, nil,
			`-device-challenge: unknown method "bluetooth"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := setup(t.Context(), tt.args, env(tt.env), io.Discard, io.Discard)
			if err == nil {
				p.close()
				t.Fatal("setup succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestRealOrgMode: with OKTA_* set, the app talks to that org, has no dev
// mailbox, and says at start-up when the org is unreachable.
func TestRealOrgMode(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	var stdout, stderr syncBuffer
	p, err := setup(t.Context(), []string{"-addr", "127.0.0.1:0"}, env(map[string]string{
		"OKTA_ISSUER":       "https://" + dead + "/oauth2/default",
		"OKTA_CLIENT_ID":    "0oa-test",
		"OKTA_REDIRECT_URI": "https://app.example/login/callback",
	}), &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	if p.org != nil {
		t.Error("a fake org started in real-org mode")
	}
	if !strings.Contains(stdout.String(), "Signing in to the Okta org https://"+dead+"/oauth2/default as app 0oa-test") {
		t.Errorf("output:\n%s", stdout.String())
	}
	for _, want := range []string{`msg="the Okta org is not usable"`, "cannot reach it", "hint="} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, stderr.String())
		}
	}
	rec := httptest.NewRecorder()
	p.server.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dev/mailbox", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET /dev/mailbox: %d, want 404", rec.Code)
	}
	// An https redirect URI means the app is served over https.
	rec = httptest.NewRecorder()
	p.server.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
	if c := rec.Header().Get("Set-Cookie"); !strings.HasPrefix(c, "__Host-goidx_anon=") || !strings.Contains(c, "; Secure") {
		t.Errorf("Set-Cookie %q, want a __Host- Secure cookie", c)
	}
}

func TestCheckOrg(t *testing.T) {
	t.Parallel()
	var issuer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/good/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":%q}`, issuer+"/good")
		case "/other/.well-known/openid-configuration":
			fmt.Fprint(w, `{"issuer":"https://elsewhere.example"}`)
		case "/html/.well-known/openid-configuration":
			fmt.Fprint(w, `<html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	issuer = srv.URL
	tests := []struct{ path, want string }{
		{"/good", ""},
		{"/other", `the org's issuer is "https://elsewhere.example"`},
		{"/html", "is not an OpenID discovery document"},
		{"/missing", "answered 404 Not Found: is this an Okta authorization server?"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			err := checkOrg(t.Context(), srv.URL+tt.path)
			if tt.want == "" {
				if err != nil {
					t.Errorf("checkOrg: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("checkOrg error %v, want %q", err, tt.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := checkOrg(ctx, srv.URL+"/good"); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v, want context.Canceled", err)
	}
}

func TestAppURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, requested, want string }{
		{"127.0.0.1:8080", "localhost:8080", "http://localhost:8080"},
		{"127.0.0.1:9000", "127.0.0.1:9000", "http://localhost:9000"},
		{"[::]:8080", ":8080", "http://localhost:8080"},
		{"192.0.2.7:8080", "192.0.2.7:8080", "http://192.0.2.7:8080"},
	}
	for _, tt := range tests {
		a, err := net.ResolveTCPAddr("tcp", tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := appURL(a, tt.requested); got != tt.want {
			t.Errorf("appURL(%s, %q) = %q, want %q", tt.addr, tt.requested, got, tt.want)
		}
	}
}

func TestMain(m *testing.M) { maintest.Main(m, main) }

// TestHelp: -h prints every flag and environment variable and exits 0.
func TestHelp(t *testing.T) {
	t.Parallel()
	maintest.CheckHelp(t, "webapp",
		[]string{"-addr", "-store", "-cookie-key", "-v", "-device-challenge", "-idp", "-identity-verification", "-issuer", "-client-id", "-redirect-uri", "-scopes", "-insecure-loopback-http"},
		[]string{"OKTA_ISSUER", "OKTA_CLIENT_ID", "OKTA_CLIENT_SECRET", "OKTA_REDIRECT_URI", "OKTA_SCOPES", "OKTA_INSECURE_LOOPBACK_HTTP",
			"REDIS_URL", "COOKIE_KEY"})
	r := maintest.Run(t, nil, nil, "-nope")
	if r.Code != 2 || !strings.Contains(r.Stderr, "webapp: flag provided but not defined: -nope (run with -h for help)") {
		t.Errorf("a bad flag: exit status %d, stderr:\n%s", r.Code, r.Stderr)
	}
}

// programBrowser is a browser of the app p serves, on the fake org org.
func programBrowser(t *testing.T, p *program, org *idxtest.Server) *browser {
	t.Helper()
	h := &harness{t: t, org: org, srv: &httptest.Server{URL: p.url}, redirectURI: p.redirectURI}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: t, h: h, c: c}
}

// serveFor serves p until the test ends.
func serveFor(t *testing.T, p *program) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
}

// TestEmailLinkOnAnyAddress: with -addr on any port, the redirect URI and
// the fake org's email links lead back to that port, and the link signs
// the user in.
func TestEmailLinkOnAnyAddress(t *testing.T) {
	t.Parallel()
	var stdout syncBuffer
	p, err := setup(t.Context(), []string{"-addr", "127.0.0.1:0"}, env(nil), &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	serveFor(t, p)
	if want := p.url + callbackPath; p.redirectURI != want || !strings.HasPrefix(p.url, "http://localhost:") || strings.HasSuffix(p.url, ":8080") {
		t.Fatalf("redirect URI %q for the app at %s, want %s", p.redirectURI, p.url, want)
	}
	b := programBrowser(t, p, p.org)
	b.signInToCode()
	home := b.follow(b.openLink(b.h.emailLink()))
	if !strings.Contains(home.body, `id="profile"`) {
		t.Fatalf("after the link, want the profile page; got:\n%s", home.body)
	}
}

// TestOrgOverLoopback runs the app on an org named by the environment, a
// fake org over plain http on loopback allowed by
// OKTA_INSECURE_LOOPBACK_HTTP=1, with the default redirect URI, which
// follows -addr; a sign-in by code and one by email link both finish.
func TestOrgOverLoopback(t *testing.T) {
	t.Parallel()
	org := idxtest.New(t, idxtest.WithSigningKey(testKey()))
	const clientID, secret = "0oawebappexample01", "webapp-example-secret"
	var stdout, stderr syncBuffer
	p, err := setup(t.Context(), []string{"-addr", "127.0.0.1:0"}, env(map[string]string{
		"OKTA_ISSUER":                 org.Issuer(),
		"OKTA_CLIENT_ID":              clientID,
		"OKTA_CLIENT_SECRET":          secret,
		"OKTA_SCOPES":                 "openid profile email offline_access",
		"OKTA_INSECURE_LOOPBACK_HTTP": "1",
	}), &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	serveFor(t, p)
	if p.org != nil {
		t.Fatal("a fake org started with OKTA_ISSUER set")
	}
	if want := p.url + callbackPath; p.redirectURI != want {
		t.Fatalf("redirect URI %q, want %q", p.redirectURI, want)
	}
	// The org's app, as docs/okta-setup.md has one made.
	if err := org.AddApp(idxtest.App{ClientID: clientID, ClientSecret: secret, RedirectURIs: []string{p.redirectURI}, RefreshTokens: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Signing in to the Okta org " + org.Issuer() + " as app " + clientID, "Redirect URI: " + p.redirectURI} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	if strings.Contains(stderr.String(), "not usable") {
		t.Errorf("the org was found unusable:\n%s", stderr.String())
	}

	b := programBrowser(t, p, org)
	if home := b.signIn(); !strings.Contains(home.body, "Demo User") || !strings.Contains(home.body, "<dt>Refresh token</dt><dd>yes</dd>") {
		t.Errorf("home page after the code:\n%s", home.body)
	}
	b = programBrowser(t, p, org)
	b.signInToCode()
	if home := b.follow(b.openLink(b.h.emailLink())); !strings.Contains(home.body, `id="profile"`) {
		t.Errorf("after the link, want the profile page; got:\n%s", home.body)
	}
	if p := b.get("/dev/mailbox"); p.status != http.StatusNotFound {
		t.Errorf("GET /dev/mailbox on a named org: %d, want 404", p.status)
	}
}

// TestFakeOrgSwitches: -device-challenge, -idp and -identity-verification
// set up the embedded fake org, and the app's pages offer what they turn
// on.
func TestFakeOrgSwitches(t *testing.T) {
	t.Parallel()
	creds := url.Values{"value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}}
	start := func(t *testing.T, args ...string) (*browser, string) {
		t.Helper()
		var stdout syncBuffer
		p, err := setup(t.Context(), append([]string{"-addr", "127.0.0.1:0"}, args...), env(nil), &stdout, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		serveFor(t, p)
		b := programBrowser(t, p, p.org)
		b.get("/login")
		return b, stdout.String()
	}

	t.Run("device challenge", func(t *testing.T) {
		t.Parallel()
		b, out := start(t, "-device-challenge", "custom-uri")
		if !strings.Contains(out, "Okta FastPass's device challenge (CUSTOM_URI)") {
			t.Errorf("the start-up output does not name the switch:\n%s", out)
		}
		p := b.follow(b.post("/login", creds))
		for _, want := range []string{`data-step="device-challenge-poll"`, `id="device-open" href="com-okta-authenticator:`, `id="dev-device-answer"`} {
			if !strings.Contains(p.body, want) {
				t.Fatalf("the device page lacks %s:\n%s", want, p.body)
			}
		}
		b.follow(b.post("/dev/device/answer", url.Values{}))
		p = b.post("/login/step", url.Values{"step": {"device-challenge-poll"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("waiting for the device: status %d:\n%s", p.status, p.body)
		}
		if p = b.follow(p); strings.Contains(p.body, `data-step="device-challenge-poll"`) {
			t.Errorf("the device answered, yet the page still waits:\n%s", p.body)
		}
	})

	t.Run("identity provider and verification", func(t *testing.T) {
		t.Parallel()
		b, _ := start(t, "-idp", "Google", "-identity-verification")
		p := b.follow(b.post("/login", url.Values{"other": {"1"}}))
		if !strings.Contains(p.body, ">Sign in with Google</a>") {
			t.Errorf("More ways to sign in does not offer Google:\n%s", p.body)
		}
		p = b.follow(b.post("/login", creds))
		if !strings.Contains(p.body, `data-step="redirect-idverify"`) || !strings.Contains(p.body, `id="redirect"`) {
			t.Errorf("after the password, want the vendor's page:\n%s", p.body)
		}
	})
}
