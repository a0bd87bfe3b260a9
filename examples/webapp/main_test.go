package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goidx/goidx/idx"
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
		"The emailed codes appear at " + p.url + "/dev/mailbox",
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
			"the Okta settings are not usable (check OKTA_ISSUER, OKTA_CLIENT_ID, OKTA_REDIRECT_URI): idx: invalid Config.Issuer: must be https"},
		{"port taken", []string{"-addr", busy.Addr().String()}, nil,
			"cannot listen on " + busy.Addr().String() + " (is another copy running? choose another address with -addr)"},
		{"bad flag", []string{"-nope"}, nil, "flag provided but not defined: -nope"},
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

func TestOrgConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		want    idx.Config
		wantErr bool
	}{
		{"fake org", nil, idx.Config{}, false},
		{"defaults", map[string]string{"OKTA_ISSUER": " https://o.example/oauth2/default ", "OKTA_CLIENT_ID": "0oa1"},
			idx.Config{Issuer: "https://o.example/oauth2/default", ClientID: "0oa1", RedirectURI: "http://localhost:8080/login/callback", Scopes: []string{"openid", "profile", "email"}}, false},
		{"everything", map[string]string{
			"OKTA_ISSUER": "https://o.example", "OKTA_CLIENT_ID": "0oa1", "OKTA_CLIENT_SECRET": "s3cret",
			"OKTA_REDIRECT_URI": "https://app.example/cb", "OKTA_SCOPES": "openid email offline_access",
		}, idx.Config{Issuer: "https://o.example", ClientID: "0oa1", ClientSecret: "s3cret", RedirectURI: "https://app.example/cb", Scopes: []string{"openid", "email", "offline_access"}}, false},
		{"no client ID", map[string]string{"OKTA_ISSUER": "https://o.example"}, idx.Config{}, true},
		{"secret without issuer", map[string]string{"OKTA_CLIENT_SECRET": "x"}, idx.Config{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := orgConfig(env(tt.env))
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error: %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("orgConfig mismatch (-want +got):\n%s", diff)
			}
		})
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
