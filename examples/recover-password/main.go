// Command recover-password resets a forgotten password with self-service
// password recovery (Client.RecoverPassword) in a terminal: the username,
// the code the org emails, then the new password. When the org signs the
// user in after the reset, the program prints the ID token's subject; when
// it ends recovery with a message instead ("sign in with your new
// password"), the program says so and signs in with the new password.
//
// Each step is shown as the org describes it (its inputs, choices and
// authenticator) and answered from the terminal, so the program follows
// whatever policy the org has. At a prompt, "cancel" cancels; at a code
// prompt, "resend" has the code sent again. A wrong code is refused by the
// org and asked for again.
//
// With no configuration it starts a fake Okta org in this process
// (package idxtest) that offers password recovery for its demo user:
//
//	go run ./examples/recover-password          # type the answers
//	go run ./examples/recover-password -auto    # the program answers itself
//
// With -auto it resets the demo user's password to a random one, reading
// the emailed code from the fake org's outbox.
//
// With OKTA_ISSUER and OKTA_CLIENT_ID set (and OKTA_CLIENT_SECRET for a
// confidential app, OKTA_REDIRECT_URI when it is not
// http://localhost:8080/login/callback) it recovers a password at that
// org, whose password policy must allow self-service recovery by email
// (docs/okta-setup.md). Set OKTA_INSECURE_LOOPBACK_HTTP=1 to allow a
// plain-http issuer on this machine (a fake org started with go run
// ./examples/fakeokta); plain http is refused for any other host. -h
// lists every flag and environment variable.
//
// Passwords typed at a terminal are not echoed; nothing secret (password,
// code, token, state handle) is printed, except the codes of the fake org
// when you type the answers there.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/examples/internal/terminal"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

func main() {
	os.Exit(terminal.Main(name, summary, recoverPassword))
}

// name and summary are what -h prints first.
const (
	name    = "recover-password"
	summary = `Resets a forgotten password with self-service password recovery
(Client.RecoverPassword): the username, the code the org emails, then the
new password (typed twice). When the org ends recovery with a message
instead of signing the user in, the program signs in with the new
password. Type "cancel" at a prompt to stop, "resend" at a code prompt for
a new code.

With no OKTA_ISSUER it runs on a fake org built into the program that
offers recovery for its demo user.

` + terminal.AutoHelp
)

// run runs the program on p, as main does on the process.
func run(ctx context.Context, p *terminal.Program) error {
	return p.Run(ctx, name, summary, recoverPassword)
}

// recoverPassword resets a password at the org p's environment names.
func recoverPassword(ctx context.Context, p *terminal.Program) error {
	org, err := p.Org(idxtest.WithPolicy(idxtest.Policy{Factors: 2, Recovery: true}))
	if err != nil {
		return err
	}
	defer org.Close()
	switch {
	case p.Auto():
		fmt.Fprintf(p.Out, "No OKTA_ISSUER set: using a fake Okta org at %s that offers password recovery\n", org.Config.Issuer)
		fmt.Fprintf(p.Out, "Resetting the password of the demo user %s; the answers come from the program, the codes from the fake org's outbox\n",
			idxtest.DemoUsername)
	case org.Fake != nil:
		fmt.Fprintf(p.Out, "No OKTA_ISSUER set: using a fake Okta org at %s that offers password recovery\n", org.Config.Issuer)
	default:
		fmt.Fprintf(p.Out, "Recovering a password at the Okta org %s as app %s\n", org.Config.Issuer, org.Config.ClientID)
	}
	// The answers come from the terminal, or, on the fake org, from the
	// program.
	a := p.Asker(org, &terminal.Auto{Inbox: idxtest.DemoUsername, Flow: demoUsername})
	client, err := idx.NewClient(org.Config, org.Options...)
	if err != nil {
		return err
	}

	// RecoverPassword takes the password's recover action; with no
	// username given yet, it stops at identify-recovery, which asks for
	// it. An org that asks for the username first (identify) offers the
	// recover action at the password challenge that follows, which
	// RecoverPassword takes then.
	tx, err := client.RecoverPassword(ctx, idx.Options{})
	if err != nil {
		return err
	}
	if tx.Status == idx.StatusPending && tx.NextStep.Name == "identify" &&
		slices.ContainsFunc(tx.NextStep.Inputs, func(in authenticator.Input) bool { return in.Name == "password" }) {
		_, _ = client.Cancel(ctx, tx.State)
		return errNotOffered
	}
	// Each step up to the reset (the username, the authenticator, the
	// code) is answered with RecoverPassword, which goes on with recovery
	// where the org offers it; the reset itself (a NewPassword) and any
	// step after it with Authenticate. The username and new password are kept
	// to sign in with if the org ends recovery without signing the user in.
	var username, newPassword string
	reset := false
	recoverStep := func(ctx context.Context, o idx.Options) (*idx.Transaction, error) {
		if o.Username != "" {
			username = o.Username
		}
		if o.NewPassword != "" {
			newPassword = o.NewPassword
		}
		if reset {
			return client.Authenticate(ctx, o)
		}
		reset = o.NewPassword != ""
		next, err := client.RecoverPassword(ctx, o)
		if err == nil && next.Status == idx.StatusPending && !reset && isPasswordChallenge(next.NextStep) {
			_, _ = client.Cancel(ctx, next.State)
			return nil, errNotOffered
		}
		return next, err
	}
	tx, err = terminal.Drive(ctx, client, recoverStep, a, p.Out, tx)
	if err != nil {
		return err
	}
	switch tx.Status {
	case idx.StatusSuccess:
		fmt.Fprintf(p.Out, "Password reset and signed in: ID token verified, subject %s\n", tx.Tokens.IDTokenClaims.Subject)
		return nil
	case idx.StatusCanceled:
		fmt.Fprintln(p.Out, "Password recovery canceled.")
		return nil
	case idx.StatusTerminal:
	default:
		return fmt.Errorf("password recovery ended with status %s", tx.Status)
	}
	terminal.PrintMessages(p.Out, tx.Messages)
	if err := tx.Err(); err != nil {
		return fmt.Errorf("the org ended the password recovery: %w", err)
	}
	if tx.Outcome != idx.OutcomePasswordReset || username == "" || newPassword == "" {
		fmt.Fprintln(p.Out, "The org ended the password recovery with the message above; the user is not signed in.")
		return nil
	}
	fmt.Fprintf(p.Out, "The org reset the password and ended the recovery; signing in as %s with the new password\n", username)
	tx, err = client.Authenticate(ctx, idx.Options{Username: username, Password: newPassword})
	if err != nil {
		return err
	}
	tx, err = terminal.Drive(ctx, client, client.Authenticate, a, p.Out, tx)
	if err != nil {
		return err
	}
	switch tx.Status {
	case idx.StatusSuccess:
		fmt.Fprintf(p.Out, "Signed in with the new password: ID token verified, subject %s\n", tx.Tokens.IDTokenClaims.Subject)
		return nil
	case idx.StatusCanceled:
		fmt.Fprintln(p.Out, "Sign-in canceled.")
		return nil
	}
	terminal.PrintMessages(p.Out, tx.Messages)
	if err := tx.Err(); err != nil {
		return fmt.Errorf("the org ended the sign-in: %w", err)
	}
	return fmt.Errorf("sign-in ended with status %s", tx.Status)
}

// errNotOffered is the error of an org that does not offer password
// recovery.
var errNotOffered = errors.New("the org does not offer self-service password recovery to this app (see its password policy)")

// isPasswordChallenge reports a step that asks for the current password:
// an org that offers no recovery asks for it where recovery would start.
func isPasswordChallenge(s *idx.NextStep) bool {
	return s.Name == "challenge-authenticator" && s.Authenticator != nil && s.Authenticator.Key == authenticator.OktaPassword
}

// demoUsername answers the fake org's username input with its demo user;
// terminal.Auto answers the other inputs.
func demoUsername(_ *idx.NextStep, in authenticator.Input) (string, bool, error) {
	if in.Name != "username" {
		return "", false, nil
	}
	return idxtest.DemoUsername, true, nil
}
