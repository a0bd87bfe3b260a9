package main

import (
	"testing"

	"github.com/goidx/goidx/examples/internal/maintest"
	"github.com/goidx/goidx/examples/internal/terminal/terminaltest"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// signsIn reports whether the org takes password for username.
func signsIn(t *testing.T, srv *idxtest.Server, username, password string) bool {
	t.Helper()
	c, err := idx.NewClient(idx.Config{
		Issuer: srv.Issuer(), ClientID: idxtest.PublicClientID, RedirectURI: idxtest.DefaultRedirectURI, Scopes: []string{"openid"},
	}, idx.WithInsecureLoopbackHTTP())
	if err != nil {
		t.Fatal(err)
	}
	tx, err := c.Authenticate(t.Context(), idx.Options{Username: username, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if tx.Status == idx.StatusPending {
		if _, err := c.Cancel(t.Context(), tx.State); err != nil {
			t.Error(err)
		}
	}
	return tx.Err() == nil
}

func TestRunOnEmbeddedFakeOrg(t *testing.T) {
	t.Parallel()
	e := terminaltest.NewEmbedded()
	err := run(t.Context(), &e.Program)
	got, srv, password := e.Out.String(), e.Server, e.Password
	if err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, got)
	}
	terminaltest.CheckInOrder(t, got,
		"No OKTA_ISSUER set: using a fake Okta org at http://127.0.0.1:",
		"next step: identify-recovery",
		`input: username "Username" (required)`,
		"-> username: demo@example.com",
		"1. Email (okta_email)",
		"next step: challenge-authenticator",
		"authenticator: Email (okta_email), methods email, email d***o@example.com",
		"the code can be resent",
		"-> verificationCode: code read from the fake org's outbox",
		"next step: reset-authenticator",
		`input: newPassword "New password" (required, secret)`,
		"-> newPassword: a random password, not shown",
		"-> revokeSessions: false",
		"Password reset and signed in: ID token verified, subject 00uidxtestdemo0001\n",
	)
	if password == "" {
		t.Fatal("no password was made")
	}
	if n := len(srv.Outbox()); n != 1 {
		t.Errorf("%d emails sent, want 1", n)
	}
	terminaltest.CheckNoSecrets(t, got, srv, password, idxtest.DemoPassword)
}

// TestRunAgainstOrg runs the program as against a real org: an idxtest
// server started apart, named by the environment, answered on stdin.
func TestRunAgainstOrg(t *testing.T) {
	t.Parallel()
	const (
		user        = "grace@example.com"
		oldPassword = "Cobol-1959-Navy"
		newPassword = "Harvard-Mark-1944"
	)
	tests := []struct {
		name     string
		opts     []idxtest.Option
		lines    func(t *testing.T, srv *idxtest.Server) []func() string
		want     []string
		wantErr  string
		emails   int
		requests map[string]int
		// reset is whether the password must have changed.
		reset bool
	}{
		{
			name: "wrong answers then right ones, and a resend",
			lines: func(t *testing.T, srv *idxtest.Server) []func() string {
				return []func() string{
					terminaltest.Say(user),
					terminaltest.Say("1"),
					terminaltest.WrongCode(t, srv, user),
					terminaltest.Say("resend"),
					terminaltest.LastCode(t, srv, user),
					terminaltest.Say("short"), terminaltest.Say("short"), // the org's rules refuse it
					terminaltest.Say("n"),
					terminaltest.Say(newPassword), terminaltest.Say(newPassword),
					terminaltest.Say("y"),
				}
			},
			want: []string{
				`Type "cancel" at any prompt to stop.`,
				"next step: identify-recovery",
				"next step: challenge-authenticator",
				"the code can be resent",
				"the org did not accept the last answer:",
				"ERROR: Invalid code. Try again. (verificationCode)",
				"asking the org to send the code again",
				"next step: reset-authenticator",
				`input: revokeSessions "Sign me out of all other devices" (boolean)`,
				"the org did not accept the last answer:",
				"Password requirements were not met",
				"Password reset and signed in: ID token verified, subject 00u",
			},
			emails:   2,
			requests: map[string]int{"POST /idp/idx/challenge/resend": 1, "POST /idp/idx/recover": 1},
			reset:    true,
		},
		{
			name: "recovery ends with a message, then the user signs in",
			opts: []idxtest.Option{idxtest.WithPasswordResetTerminal()},
			lines: func(t *testing.T, srv *idxtest.Server) []func() string {
				return []func() string{
					terminaltest.Say(user), terminaltest.Say("okta_email"), terminaltest.LastCode(t, srv, user),
					terminaltest.Say(newPassword), terminaltest.Say(newPassword), terminaltest.Say(""),
					// The sign-in with the new password asks for a second
					// factor.
					terminaltest.Say("1"), terminaltest.WrongCode(t, srv, user), terminaltest.LastCode(t, srv, user),
				}
			},
			want: []string{
				"next step: reset-authenticator",
				"INFO: You can now sign in with your existing username and new password.",
				"The org reset the password and ended the recovery; signing in as grace@example.com with the new password",
				"next step: select-authenticator-authenticate",
				"ERROR: Invalid code. Try again. (verificationCode)",
				"Signed in with the new password: ID token verified, subject 00u",
			},
			emails: 2,
			reset:  true,
		},
		{
			name: "canceled at the code",
			lines: func(*testing.T, *idxtest.Server) []func() string {
				return []func() string{terminaltest.Say(user), terminaltest.Say("1"), terminaltest.Say("cancel")}
			},
			want:     []string{"next step: challenge-authenticator", "Password recovery canceled."},
			emails:   1,
			requests: map[string]int{"POST /idp/idx/cancel": 1, "POST /idp/idx/challenge/answer": 0},
		},
		{
			name:     "recovery not offered",
			opts:     []idxtest.Option{idxtest.WithPolicy(idxtest.DefaultPolicy())},
			lines:    func(*testing.T, *idxtest.Server) []func() string { return nil },
			want:     []string{"Recovering a password at the Okta org"},
			wantErr:  "the org does not offer self-service password recovery",
			requests: map[string]int{"POST /idp/idx/cancel": 1, "POST /idp/idx/identify": 0},
		},
		{
			name: "stdin ends",
			lines: func(*testing.T, *idxtest.Server) []func() string {
				return []func() string{terminaltest.Say(user), terminaltest.Say("1")}
			},
			wantErr:  `reading the answer to "Code from Email (or \"resend\")": EOF`,
			emails:   1,
			requests: map[string]int{"POST /idp/idx/cancel": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]idxtest.Option{
				idxtest.WithPolicy(idxtest.Policy{Factors: 2, Recovery: true}),
				idxtest.WithUser(idxtest.User{Username: user, Password: oldPassword, GivenName: "Grace", FamilyName: "Hopper"}),
			}, tt.opts...)
			srv := idxtest.New(t, opts...)
			got := terminaltest.RunAgainst(t, srv, run, tt.lines(t, srv), tt.wantErr)
			terminaltest.CheckInOrder(t, got, tt.want...)
			terminaltest.CheckSent(t, srv, tt.emails, tt.requests)
			if got, want := signsIn(t, srv, user, newPassword), tt.reset; got != want {
				t.Errorf("new password works: %v, want %v", got, want)
			}
			if got, want := signsIn(t, srv, user, oldPassword), !tt.reset; got != want {
				t.Errorf("old password works: %v, want %v", got, want)
			}
			terminaltest.CheckNoSecrets(t, got, srv, oldPassword, newPassword, "short", idxtest.ConfidentialClientSecret)
		})
	}
}

func TestRunConfiguration(t *testing.T) {
	t.Parallel()
	terminaltest.CheckConfiguration(t, run, idxtest.WithPolicy(idxtest.Policy{Factors: 2, Recovery: true}))
}

func TestMain(m *testing.M) { maintest.Main(m, main) }

// TestHelp: -h prints every flag and environment variable and exits 0.
func TestHelp(t *testing.T) {
	t.Parallel()
	maintest.CheckHelp(t, name, terminaltest.Flags, terminaltest.Vars)
}
