package main

import (
	"testing"

	"github.com/goidx/goidx/examples/internal/maintest"
	"github.com/goidx/goidx/examples/internal/terminal/terminaltest"
	"github.com/goidx/goidx/idx/idxtest"
)

func TestRunOnEmbeddedFakeOrg(t *testing.T) {
	t.Parallel()
	e := terminaltest.NewEmbedded()
	if err := run(t.Context(), &e.Program); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, e.Out.String())
	}
	got, srv, password := e.Out.String(), e.Server, e.Password
	terminaltest.CheckInOrder(t, got,
		"next step: enroll-profile",
		`input: firstName "First name" (required)`,
		"-> email: ada@example.com",
		"next step: select-authenticator-enroll",
		"1. Password (okta_password)",
		"input: password \"Enter password\" (required, secret)",
		"-> password: a random password, not shown",
		"authenticator: Email (okta_email), methods email",
		"the code can be resent",
		"-> verificationCode: code read from the fake org's outbox",
		"Registered and signed in: ID token verified, subject 00u",
		"  given name:  Ada\n",
		"  family name: Lovelace\n",
		"  email:       ada@example.com\n",
	)
	if password == "" {
		t.Fatal("no password was made")
	}
	if len(srv.Outbox()) != 1 || srv.Outbox()[0].To != fakeEmail {
		t.Errorf("outbox %+v, want one email to %s", srv.Outbox(), fakeEmail)
	}
	terminaltest.CheckNoSecrets(t, got, srv, password)
}

// TestRunAgainstOrg runs the program as against a real org: an idxtest
// server started apart, named by the environment, answered on stdin.
func TestRunAgainstOrg(t *testing.T) {
	t.Parallel()
	const (
		email    = "grace@example.com"
		password = "Gh-Navy-1906!"
	)
	tests := []struct {
		name    string
		opts    []idxtest.Option
		lines   func(t *testing.T, srv *idxtest.Server) []func() string
		want    []string
		wantErr string
		emails  int
		// requests are how many requests of each kind the org must see.
		requests map[string]int
	}{
		{
			name: "wrong answers then right ones, and a resend",
			lines: func(t *testing.T, srv *idxtest.Server) []func() string {
				return []func() string{
					// The demo user's email is taken: asked again.
					terminaltest.Say("Grace"), terminaltest.Say("Hopper"), terminaltest.Say(idxtest.DemoUsername),
					terminaltest.Say("Grace"), terminaltest.Say("Hopper"), terminaltest.Say(email),
					terminaltest.Say("9"), terminaltest.Say("okta_password"),
					terminaltest.Say(password), terminaltest.Say("something else"), // the two differ
					terminaltest.Say("short"), terminaltest.Say("short"), // the org's rules refuse it
					terminaltest.Say(password), terminaltest.Say(password),
					terminaltest.Say("1"),
					terminaltest.WrongCode(t, srv, email),
					terminaltest.Say("resend"),
					terminaltest.LastCode(t, srv, email),
				}
			},
			want: []string{
				`Type "cancel" at any prompt to stop.`,
				"A user with this Email already exists (email)",
				"not one of the choices",
				"the two differ; try again",
				"the org did not accept the last answer:",
				"Password requirements were not met",
				"next step: enroll-authenticator",
				"the code can be resent",
				"the org did not accept the last answer:",
				"ERROR: Invalid code. Try again. (verificationCode)",
				"asking the org to send the code again",
				"Registered and signed in: ID token verified, subject 00u",
				"  name:        Grace Hopper\n",
				"  email:       grace@example.com\n",
			},
			emails:   2,
			requests: map[string]int{"POST /idp/idx/challenge/resend": 1, "POST /idp/idx/enroll/new": 2},
		},
		{
			name: "canceled",
			lines: func(*testing.T, *idxtest.Server) []func() string {
				return []func() string{terminaltest.Say("cancel")}
			},
			want:     []string{"Registration canceled."},
			requests: map[string]int{"POST /idp/idx/cancel": 1, "POST /idp/idx/enroll/new": 0},
		},
		{
			name:     "registration not offered",
			opts:     []idxtest.Option{idxtest.WithPolicy(idxtest.DefaultPolicy())},
			lines:    func(*testing.T, *idxtest.Server) []func() string { return nil },
			want:     []string{"Registering with the Okta org"},
			wantErr:  "the org does not offer self-service registration",
			requests: map[string]int{"POST /idp/idx/cancel": 1, "POST /idp/idx/enroll": 0},
		},
		{
			name: "stdin ends",
			lines: func(*testing.T, *idxtest.Server) []func() string {
				return []func() string{terminaltest.Say("Grace")}
			},
			wantErr: `reading the answer to "Last name": EOF`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts
			if opts == nil {
				opts = []idxtest.Option{idxtest.WithPolicy(idxtest.Policy{Factors: 2, Registration: true})}
			}
			srv := idxtest.New(t, opts...)
			got := terminaltest.RunAgainst(t, srv, run, tt.lines(t, srv), tt.wantErr)
			terminaltest.CheckInOrder(t, got, tt.want...)
			terminaltest.CheckSent(t, srv, tt.emails, tt.requests)
			terminaltest.CheckNoSecrets(t, got, srv, password, "short", idxtest.ConfidentialClientSecret)
		})
	}
}

func TestRunConfiguration(t *testing.T) {
	t.Parallel()
	terminaltest.CheckConfiguration(t, run, idxtest.WithPolicy(idxtest.Policy{Factors: 2, Registration: true}))
}

func TestMain(m *testing.M) { maintest.Main(m, main) }

// TestHelp: -h prints every flag and environment variable and exits 0.
func TestHelp(t *testing.T) {
	t.Parallel()
	maintest.CheckHelp(t, name, terminaltest.Flags, terminaltest.Vars)
}
