package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// TestHelp checks that -h documents every flag and asks to exit 0.
func TestHelp(t *testing.T) {
	var out bytes.Buffer
	err := run(t.Context(), []string{"-h"}, io.Discard, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run -h: %v, want flag.ErrHelp (exit status 0)", err)
	}
	help := out.String()
	for _, name := range []string{"addr", "v", "policy", "factors", "register", "recover", "unlock", "consent",
		"email-verification-data", "max-verification-attempts", "trusted-origin", "print-policy", "control-api",
		"captcha", "keep-me-signed-in"} {
		if !strings.Contains(help, "\n  -"+name+" ") && !strings.Contains(help, "\n  -"+name+"\n") && !strings.Contains(help, "\n  -"+name+"\t") {
			t.Errorf("-h does not document -%s:\n%s", name, help)
		}
	}
}

// TestPrintPolicy checks the effective org the flags and a file make, and
// that what -print-policy prints reads back as the same org.
func TestPrintPolicy(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "org.json")
	writeFile(t, file, `{
  "policy": {"factors": 2, "recovery": true, "maxPasswordAttempts": 3,
             "enrollment": [{"key": "phone_number", "required": false}],
             "profileUpdate": [{"name": "nickname", "label": "Nickname", "required": true}]},
  "users": [{"username": "pat@example.com", "password": "Pat-Passw0rd!", "phone": "+15555550100"}],
  "apps": [{"clientId": "spa", "redirectUris": ["http://localhost:3000/login/callback", "com.example.app:/callback"]}],
  "trustedOrigins": ["http://localhost:5173"]
}`)
	var out bytes.Buffer
	err := run(t.Context(), []string{"-policy", file, "-factors", "sms,totp,email,sms", "-register", "-consent", "granular",
		"-email-verification-data=false", "-trusted-origin", "http://127.0.0.1:9999", "-captcha", "recaptcha", "-keep-me-signed-in", "-print-policy"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	no := false
	want := orgFile{
		Policy: idxtest.Policy{
			Factors: 2, Recovery: true, Registration: true, MaxPasswordAttempts: 3, Consent: idxtest.ConsentGranular,
			Authenticators: []string{idxtest.AuthenticatorPhone, idxtest.AuthenticatorGoogle, idxtest.AuthenticatorEmail},
			Enrollment:     []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorPhone}},
			ProfileUpdate:  []idxtest.ProfileAttribute{{Name: "nickname", Label: "Nickname", Required: true}},
			Captcha:        &idxtest.Captcha{Type: idxtest.CaptchaReCAPTCHAV2},
			KeepMeSignedIn: true,
		},
		Users:                 []idxtest.User{{Username: "pat@example.com", Password: "Pat-Passw0rd!", Phone: "+15555550100"}},
		Apps:                  []idxtest.App{{ClientID: "spa", RedirectURIs: []string{"http://localhost:3000/login/callback", "com.example.app:/callback"}}},
		TrustedOrigins:        []string{"http://localhost:5173", "http://127.0.0.1:9999", "http://localhost:8080", "http://localhost:3000"},
		EmailVerificationData: &no,
	}
	printed := filepath.Join(dir, "printed.json")
	writeFile(t, printed, out.String())
	got, err := readOrgFile(printed)
	if err != nil {
		t.Fatalf("reading what -print-policy printed: %v\n%s", err, out.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("printed org (-want +got):\n%s", diff)
	}
}

// TestPolicyFileErrors checks that a bad file or flag is an error that
// says what and where, and starts nothing.
func TestPolicyFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, body string
		args       []string
		want       string
	}{
		{"unknown member", "{\n  \"policy\": {\n    \"factor\": 2\n  }\n}", nil, `line 3: unknown field "factor"`},
		{"unknown top-level member", `{"user": []}`, nil, `line 1: unknown field "user"`},
		{"wrong type", "{\"policy\": {\"registration\": \"yes\"}}", nil, "cannot unmarshal string"},
		{"not JSON", "{\"policy\": ", nil, "line 1: unexpected EOF"},
		{"two objects", "{} {}", nil, "more than one JSON value"},
		{"invalid user", `{"users": [{"username": "x@example.com"}]}`, nil, `user "x@example.com" has no password`},
		{"invalid origin", `{"trustedOrigins": ["localhost:3000"]}`, nil, `trusted origin "localhost:3000"`},
		{"unknown factor", `{}`, []string{"-factors", "email,fax"}, `unknown authenticator "fax"`},
		{"unknown consent", `{}`, []string{"-consent", "always"}, `-consent: unknown kind "always"`},
		{"argument", `{}`, []string{"extra"}, `unexpected argument "extra"`},
		{"unknown captcha", `{}`, []string{"-captcha", "turnstile"}, `unknown service "turnstile"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			writeFile(t, file, tc.body)
			args := append([]string{"-addr", "127.0.0.1:0", "-policy", file}, tc.args...)
			err := run(t.Context(), args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run: %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if err := run(t.Context(), []string{"-policy", filepath.Join(dir, "missing.json")}, io.Discard, io.Discard); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

// TestPolicies checks that every policy file shipped with the command
// reads and makes an org.
func TestPolicies(t *testing.T) {
	files, err := filepath.Glob("policies/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no policies/*.json: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			f, err := readOrgFile(file)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := newServer(f.options())
			if err != nil {
				t.Fatal(err)
			}
			srv.Close()
		})
	}
}

func writeFile(t *testing.T, name, body string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
