// Package terminaltest helps test the terminal examples: a scripted stdin
// whose lines can hold the codes a fake org has just sent, and checks of
// the output.
package terminaltest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/goidx/goidx/examples/internal/terminal"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// Script is stdin that gives one line per Read, each made when it is
// read, so that a line can hold a code the org has just sent.
type Script struct {
	Lines []func() string
}

// Read gives the next line, with its newline, or io.EOF when none is
// left. It fails when the line does not fit in p.
func (s *Script) Read(p []byte) (int, error) {
	if len(s.Lines) == 0 {
		return 0, io.EOF
	}
	line := s.Lines[0]() + "\n"
	s.Lines = s.Lines[1:]
	if len(line) > len(p) {
		return 0, errors.New("script: line longer than the read buffer")
	}
	return copy(p, line), nil
}

// Say is a line typed as is.
func Say(line string) func() string { return func() string { return line } }

// LastCode is the code srv sent to to last; the test fails when it sent
// none.
func LastCode(t testing.TB, srv *idxtest.Server, to string) func() string {
	return func() string {
		code, ok := srv.LastCode(to)
		if !ok {
			t.Errorf("no email to %s", to)
		}
		return code
	}
}

// WrongCode is a code that differs from the one srv sent to to last.
func WrongCode(t testing.TB, srv *idxtest.Server, to string) func() string {
	return func() string {
		code := LastCode(t, srv, to)()
		if code == "" {
			return "no code"
		}
		if strings.HasSuffix(code, "0") {
			return code[:len(code)-1] + "1"
		}
		return code[:len(code)-1] + "0"
	}
}

// CheckNoSecrets fails the test when out shows a secret: one of secrets
// ("" is ignored), a code srv sent, or a JWT.
func CheckNoSecrets(t testing.TB, out string, srv *idxtest.Server, secrets ...string) {
	t.Helper()
	for _, e := range srv.Outbox() {
		// A code in a word, such as a user ID, is not the code shown.
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(e.Code) + `\b`).MatchString(out) {
			t.Errorf("output shows the code %s:\n%s", e.Code, out)
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("output shows the secret %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "eyJ") {
		t.Errorf("output shows a JWT:\n%s", out)
	}
}

// CheckInOrder fails the test unless out holds every string of want, in
// order.
func CheckInOrder(t testing.TB, out string, want ...string) {
	t.Helper()
	rest := out
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("output lacks %q after the lines before it; output:\n%s", w, out)
			return
		}
		rest = rest[i+len(w):]
	}
}

// Run is an example's run: it runs the example on p, as
// p.Run(ctx, name, summary, body) does.
type Run func(ctx context.Context, p *terminal.Program) error

// RunAgainst runs run as against a real org: srv, named by the
// environment (its confidential app, plain http allowed on loopback), with
// lines typed on stdin, and returns the output. The test stops unless
// run's error holds wantErr, or, with wantErr "", unless run succeeds.
func RunAgainst(t *testing.T, srv *idxtest.Server, run Run, lines []func() string, wantErr string) string {
	t.Helper()
	env := map[string]string{
		"OKTA_ISSUER":                 srv.Issuer(),
		"OKTA_CLIENT_ID":              idxtest.ConfidentialClientID,
		"OKTA_CLIENT_SECRET":          idxtest.ConfidentialClientSecret,
		"OKTA_INSECURE_LOOPBACK_HTTP": "1",
	}
	var out bytes.Buffer
	err := run(t.Context(), &terminal.Program{In: &Script{Lines: lines}, Out: &out, Getenv: func(k string) string { return env[k] }})
	got := out.String()
	if wantErr == "" && err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, got)
	}
	if wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
		t.Fatalf("run: err = %v, want %q\noutput:\n%s", err, wantErr, got)
	}
	return got
}

// CheckSent fails the test unless srv sent emails emails and saw
// requests[r] requests of each kind r, such as "POST /idp/idx/cancel".
func CheckSent(t testing.TB, srv *idxtest.Server, emails int, requests map[string]int) {
	t.Helper()
	if n := len(srv.Outbox()); n != emails {
		t.Errorf("%d emails sent, want %d", n, emails)
	}
	counts := srv.RequestCounts()
	for req, n := range requests {
		if counts[req] != n {
			t.Errorf("%s: %d requests, want %d", req, counts[req], n)
		}
	}
}

// CheckConfiguration runs run with configurations it must refuse before
// anything is sent to an org started with opts: OKTA_ISSUER without
// OKTA_CLIENT_ID, OKTA_CLIENT_ID without OKTA_ISSUER, a plain-http issuer
// without OKTA_INSECURE_LOOPBACK_HTTP or off loopback, a loopback switch
// that is not a boolean, -auto with an org named, and flags it does not
// know.
func CheckConfiguration(t *testing.T, run Run, opts ...idxtest.Option) {
	t.Helper()
	srv := idxtest.New(t, opts...)
	t.Cleanup(func() {
		// Every configuration is refused before anything is sent.
		if log := srv.RequestLog(); len(log) != 0 {
			t.Errorf("requests reached the org: %v", log)
		}
	})
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr error
		wantMsg string
	}{
		{
			name:    "client ID missing",
			env:     map[string]string{"OKTA_ISSUER": srv.Issuer()},
			wantMsg: "OKTA_CLIENT_ID must be set with OKTA_ISSUER",
		},
		{
			name:    "client ID without issuer",
			env:     map[string]string{"OKTA_CLIENT_ID": idxtest.PublicClientID},
			wantMsg: "without OKTA_ISSUER",
		},
		{
			name:    "plain http not allowed",
			env:     map[string]string{"OKTA_ISSUER": srv.Issuer(), "OKTA_CLIENT_ID": idxtest.PublicClientID},
			wantErr: idx.ErrInvalidInput,
		},
		{
			name: "plain http off loopback",
			env: map[string]string{"OKTA_ISSUER": "http://example.com/oauth2/default", "OKTA_CLIENT_ID": idxtest.PublicClientID,
				"OKTA_INSECURE_LOOPBACK_HTTP": "1"},
			wantErr: idx.ErrInvalidInput,
		},
		{
			name: "loopback switch not a boolean",
			env: map[string]string{"OKTA_ISSUER": srv.Issuer(), "OKTA_CLIENT_ID": idxtest.PublicClientID,
				"OKTA_INSECURE_LOOPBACK_HTTP": "yes please"},
			wantMsg: `OKTA_INSECURE_LOOPBACK_HTTP="yes please": want 1 or 0`,
		},
		{
			name: "automatic answers on a named org",
			args: []string{"-auto"},
			env: map[string]string{"OKTA_ISSUER": srv.Issuer(), "OKTA_CLIENT_ID": idxtest.PublicClientID,
				"OKTA_INSECURE_LOOPBACK_HTTP": "1"},
			wantMsg: "-auto answers only the built-in fake org",
		},
		{
			name:    "unknown flag",
			args:    []string{"-nope"},
			wantMsg: "flag provided but not defined: -nope (run with -h for help)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := run(t.Context(), &terminal.Program{
				Args: tt.args, In: strings.NewReader(""), Out: &out, Getenv: func(k string) string { return tt.env[k] },
			})
			if err == nil {
				t.Fatalf("run succeeded; output:\n%s", out.String())
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %v, want %q", err, tt.wantMsg)
			}
		})
	}
}

// Embedded is a run on the embedded fake org with -auto, nothing in the
// environment and nothing on stdin, that records the fake org it starts
// and the password it makes there.
type Embedded struct {
	// Program is the run; pass &Program to the example.
	Program terminal.Program
	// Out holds the output.
	Out bytes.Buffer
	// Server is the fake org, once started.
	Server *idxtest.Server
	// Password is the password made, once made.
	Password string
}

// NewEmbedded returns a run on the embedded fake org.
func NewEmbedded() *Embedded {
	e := &Embedded{}
	e.Program = terminal.Program{
		Args: []string{"-auto"},
		In:   strings.NewReader(""), Out: &e.Out, Getenv: func(string) string { return "" },
		StartOrg: func(opts ...idxtest.Option) *idxtest.Server {
			e.Server = idxtest.NewServer(opts...)
			return e.Server
		},
		NewPassword: func() (string, error) {
			pw, err := terminal.RandomPassword()
			e.Password = pw
			return pw, err
		},
	}
	return e
}

// Flags are the flags of every terminal example, as -h lists them.
var Flags = []string{"-auto", "-client-id", "-insecure-loopback-http", "-issuer", "-redirect-uri", "-scopes"}

// Vars are the environment variables every terminal example reads.
var Vars = []string{"OKTA_ISSUER", "OKTA_CLIENT_ID", "OKTA_CLIENT_SECRET", "OKTA_REDIRECT_URI", "OKTA_SCOPES", "OKTA_INSECURE_LOOPBACK_HTTP"}
