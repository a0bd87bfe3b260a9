package config_test

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goidx/goidx/examples/internal/config"
	"github.com/goidx/goidx/idx"
)

func TestParse(t *testing.T) {
	t.Parallel()
	defaults := []string{"openid", "profile", "email"}
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		want     config.Org
		wantErr  string
		wantIs   error
		wantCode int
	}{
		{
			name: "nothing: the fake org",
			want: config.Org{Scopes: defaults},
		},
		{
			name: "an org, trimmed",
			env: map[string]string{"OKTA_ISSUER": " https://example.okta.com/oauth2/default\n", "OKTA_CLIENT_ID": " 0oa1 ",
				"OKTA_CLIENT_SECRET": " s ", "OKTA_REDIRECT_URI": " https://app.example/cb "},
			want: config.Org{Issuer: "https://example.okta.com/oauth2/default", ClientID: "0oa1", ClientSecret: " s ",
				RedirectURI: "https://app.example/cb", Scopes: defaults},
		},
		{
			name: "an org on loopback over http",
			env: map[string]string{"OKTA_ISSUER": "http://127.0.0.1:8081/oauth2/default", "OKTA_CLIENT_ID": "0oa1",
				"OKTA_INSECURE_LOOPBACK_HTTP": "1", "OKTA_SCOPES": "openid  offline_access"},
			want: config.Org{Issuer: "http://127.0.0.1:8081/oauth2/default", ClientID: "0oa1",
				Scopes: []string{"openid", "offline_access"}, InsecureLoopbackHTTP: true},
		},
		{
			name: "flags win over the environment",
			args: []string{"-issuer", "http://localhost:9/oauth2/default", "-client-id", "0oa-flag", "-redirect-uri", "http://localhost:1/cb",
				"-scopes", "openid email", "-insecure-loopback-http"},
			env: map[string]string{"OKTA_ISSUER": "https://env.example", "OKTA_CLIENT_ID": "0oa-env", "OKTA_REDIRECT_URI": "https://env.example/cb",
				"OKTA_SCOPES": "openid", "OKTA_INSECURE_LOOPBACK_HTTP": "0"},
			want: config.Org{Issuer: "http://localhost:9/oauth2/default", ClientID: "0oa-flag", RedirectURI: "http://localhost:1/cb",
				Scopes: []string{"openid", "email"}, InsecureLoopbackHTTP: true},
		},
		{
			name: "a flag can unset the loopback switch",
			args: []string{"-insecure-loopback-http=false"},
			env:  map[string]string{"OKTA_ISSUER": "https://o.example", "OKTA_CLIENT_ID": "0oa1", "OKTA_INSECURE_LOOPBACK_HTTP": "1"},
			want: config.Org{Issuer: "https://o.example", ClientID: "0oa1", Scopes: defaults},
		},
		{
			name: "a leftover redirect URI does not change the fake org's",
			env:  map[string]string{"OKTA_REDIRECT_URI": "http://localhost:9/cb"},
			want: config.Org{Scopes: defaults},
		},
		{
			name:     "issuer without client",
			env:      map[string]string{"OKTA_ISSUER": "https://example.okta.com"},
			wantErr:  "OKTA_CLIENT_ID must be set with OKTA_ISSUER",
			wantCode: 2,
		},
		{
			name:     "secret without issuer",
			env:      map[string]string{"OKTA_CLIENT_SECRET": "s"},
			wantErr:  "OKTA_CLIENT_ID or OKTA_CLIENT_SECRET is set without OKTA_ISSUER",
			wantCode: 2,
		},
		{
			name:     "plain http without the switch",
			env:      map[string]string{"OKTA_ISSUER": "http://127.0.0.1:8081/oauth2/default", "OKTA_CLIENT_ID": "0oa1"},
			wantErr:  "set OKTA_INSECURE_LOOPBACK_HTTP=1 for an org on this machine",
			wantIs:   idx.ErrInvalidInput,
			wantCode: 1,
		},
		{
			name:     "switch not a boolean",
			env:      map[string]string{"OKTA_INSECURE_LOOPBACK_HTTP": "on"},
			wantErr:  `OKTA_INSECURE_LOOPBACK_HTTP="on": want 1 or 0`,
			wantCode: 2,
		},
		{
			name:     "unknown flag",
			args:     []string{"-nope"},
			wantErr:  "flag provided but not defined: -nope (run with -h for help)",
			wantCode: 2,
		},
		{
			name:     "an argument",
			args:     []string{"extra"},
			wantErr:  `unexpected argument "extra"`,
			wantCode: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := config.New("example", "")
			var out bytes.Buffer
			got, err := c.Parse(tt.args, func(k string) string { return tt.env[k] }, &out)
			if out.Len() != 0 {
				t.Errorf("Parse printed %q", out.String())
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
					t.Errorf("err = %v, want it to match %v", err, tt.wantIs)
				}
				if code := config.ExitCode(err); code != tt.wantCode {
					t.Errorf("ExitCode = %d, want %d", code, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("org (-want +got):\n%s", diff)
			}
			if got.Fake() != (tt.want.Issuer == "") {
				t.Errorf("Fake() = %v", got.Fake())
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	c := config.New("example", "Does a thing.\n")
	c.Flags.Int("port", 1, "a port")
	c.Vars = []config.Var{{Name: "EXAMPLE_KEY", Usage: "a key"}}
	var out bytes.Buffer
	_, err := c.Parse([]string{"-port", "2", "-h"}, func(string) string { return "" }, &out)
	if !errors.Is(err, flag.ErrHelp) || config.ExitCode(err) != 0 {
		t.Fatalf("err = %v (exit status %d), want flag.ErrHelp (0)", err, config.ExitCode(err))
	}
	got := out.String()
	for _, want := range []string{
		"Usage: example [flags]\n\nDoes a thing.\n\nFlags",
		"  -client-id string\n", "  -insecure-loopback-http\n", "  -issuer string\n", "  -port int\n", "  -redirect-uri string\n", "  -scopes string\n",
		"\nEnvironment:\n",
		"  OKTA_ISSUER ", "  OKTA_CLIENT_ID ", "  OKTA_CLIENT_SECRET ", "  OKTA_REDIRECT_URI ", "  OKTA_SCOPES ",
		"  OKTA_INSECURE_LOOPBACK_HTTP ", "  EXAMPLE_KEY ", "docs/okta-setup.md",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("help lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "-client-secret") {
		t.Errorf("help offers the client secret as a flag:\n%s", got)
	}
}

func TestOrgClient(t *testing.T) {
	t.Parallel()
	o := config.Org{Issuer: "https://o.example", ClientID: "0oa1", ClientSecret: "s", Scopes: []string{"openid"}}
	want := idx.Config{Issuer: "https://o.example", ClientID: "0oa1", ClientSecret: "s", RedirectURI: "http://localhost:1/cb", Scopes: []string{"openid"}}
	if diff := cmp.Diff(want, o.ClientConfig("http://localhost:1/cb")); diff != "" {
		t.Errorf("default redirect (-want +got):\n%s", diff)
	}
	o.RedirectURI = "https://app.example/cb"
	if got := o.ClientConfig("http://localhost:1/cb").RedirectURI; got != o.RedirectURI {
		t.Errorf("redirect %q, want %q", got, o.RedirectURI)
	}
	if n := len(o.ClientOptions()); n != 0 {
		t.Errorf("%d options without the switch", n)
	}
	o.InsecureLoopbackHTTP = true
	if n := len(o.ClientOptions()); n != 1 {
		t.Errorf("%d options with the switch, want 1", n)
	}
	if got := config.ExitCode(nil); got != 0 {
		t.Errorf("ExitCode(nil) = %d", got)
	}
	if got := config.ExitCode(errors.New("x")); got != 1 {
		t.Errorf("ExitCode(error) = %d", got)
	}
}
