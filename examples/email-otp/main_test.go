package main

import (
	"strings"
	"testing"

	"github.com/goidx/goidx/examples/internal/maintest"
	"github.com/goidx/goidx/examples/internal/terminal/terminaltest"
	"github.com/goidx/goidx/idx/idxtest"
)

func TestMain(m *testing.M) { maintest.Main(m, main) }

func TestRunOnEmbeddedFakeOrg(t *testing.T) {
	t.Parallel()
	e := terminaltest.NewEmbedded()
	if err := run(t.Context(), &e.Program); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, e.Out.String())
	}
	got := e.Out.String()
	terminaltest.CheckInOrder(t, got,
		"No OKTA_ISSUER set: using the fake Okta org at http://127.0.0.1:",
		"-> username: demo@example.com",
		"-> password: given, not shown",
		"next step: select-authenticator-authenticate",
		"1. Email (okta_email)",
		"-> authenticator: okta_email",
		"next step: challenge-authenticator",
		`input: verificationCode "Enter code" (required)`,
		"the code can be resent",
		"-> verificationCode: code read from the fake org's outbox",
		"Status: SUCCESS",
		"Profile: Demo User <demo@example.com>",
	)
	terminaltest.CheckNoSecrets(t, got, e.Server, idxtest.DemoPassword)
}

// TestRunAgainstOrg runs the program as against a real org: an idxtest
// server started apart, named by the environment (OKTA_ISSUER on
// loopback over http with OKTA_INSECURE_LOOPBACK_HTTP=1), answered on
// stdin.
func TestRunAgainstOrg(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		lines    func(t *testing.T, srv *idxtest.Server) []func() string
		want     []string
		wantErr  string
		emails   int
		requests map[string]int
	}{
		{
			name: "a wrong code, a resend, the right code",
			lines: func(t *testing.T, srv *idxtest.Server) []func() string {
				return []func() string{
					terminaltest.Say(idxtest.DemoUsername), terminaltest.Say(idxtest.DemoPassword),
					terminaltest.WrongCode(t, srv, idxtest.DemoUsername),
					terminaltest.Say("resend"),
					terminaltest.LastCode(t, srv, idxtest.DemoUsername),
				}
			},
			want: []string{
				"Signing in to the Okta org http://127.0.0.1:",
				`Type "cancel" at any prompt to stop.`,
				"Username: Password: ",
				"next step: challenge-authenticator",
				`Code from Email (or "resend"): `,
				"the org did not accept the last answer:",
				"ERROR: Invalid code. Try again. (verificationCode)",
				"asking the org to send the code again",
				"Status: SUCCESS",
				"Profile: Demo User <demo@example.com> (sub 00uidxtestdemo0001)",
			},
			emails:   2,
			requests: map[string]int{"POST /idp/idx/challenge/resend": 1, "POST /oauth2/default/v1/token": 1},
		},
		{
			name: "a wrong password",
			lines: func(*testing.T, *idxtest.Server) []func() string {
				return []func() string{terminaltest.Say(idxtest.DemoUsername), terminaltest.Say("not-the-password")}
			},
			wantErr:  "wrong username or password",
			requests: map[string]int{"POST /idp/idx/cancel": 1},
		},
		{
			name: "canceled at the code",
			lines: func(*testing.T, *idxtest.Server) []func() string {
				return []func() string{terminaltest.Say(idxtest.DemoUsername), terminaltest.Say(idxtest.DemoPassword), terminaltest.Say("cancel")}
			},
			want:     []string{"Sign-in canceled."},
			emails:   1,
			requests: map[string]int{"POST /idp/idx/cancel": 1, "POST /oauth2/default/v1/token": 0},
		},
		{
			name: "stdin ends",
			lines: func(*testing.T, *idxtest.Server) []func() string {
				return []func() string{terminaltest.Say(idxtest.DemoUsername)}
			},
			wantErr: `reading the answer to "Password": EOF`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := idxtest.New(t, idxtest.WithPolicy(idxtest.DefaultPolicy()))
			got := terminaltest.RunAgainst(t, srv, run, tt.lines(t, srv), tt.wantErr)
			terminaltest.CheckInOrder(t, got, tt.want...)
			terminaltest.CheckSent(t, srv, tt.emails, tt.requests)
			terminaltest.CheckNoSecrets(t, got, srv, idxtest.DemoPassword, idxtest.ConfidentialClientSecret)
		})
	}
}

func TestRunConfiguration(t *testing.T) {
	t.Parallel()
	terminaltest.CheckConfiguration(t, run, idxtest.WithPolicy(idxtest.DefaultPolicy()))
}

// TestMainWithoutInput runs the program as `go run ./examples/email-otp
// </dev/null` does: nothing to read answers from, so the fake org's steps
// are answered automatically; and with an empty pipe, which asks for the
// answers.
func TestMainWithoutInput(t *testing.T) {
	t.Parallel()
	r := maintest.Run(t, nil, nil)
	if r.Code != 0 || !strings.Contains(r.Stdout, "Status: SUCCESS") || !strings.Contains(r.Stdout, "-> verificationCode: code read from the fake org's outbox") {
		t.Errorf("stdin /dev/null: exit status %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
	r = maintest.Run(t, nil, strings.NewReader(""))
	if r.Code != 1 || r.Stderr != "email-otp: reading the answer to \"Username\": EOF\n" {
		t.Errorf("stdin an empty pipe: exit status %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
	r = maintest.Run(t, nil, nil, "-nope")
	if r.Code != 2 || !strings.Contains(r.Stderr, "flag provided but not defined: -nope (run with -h for help)") {
		t.Errorf("a bad flag: exit status %d, stderr:\n%s", r.Code, r.Stderr)
	}
}

// TestHelp: -h prints every flag and environment variable and exits 0.
func TestHelp(t *testing.T) {
	t.Parallel()
	maintest.CheckHelp(t, name, terminaltest.Flags, terminaltest.Vars)
}
