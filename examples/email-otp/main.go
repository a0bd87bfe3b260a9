// Command email-otp signs a user in with a username, a password and a code
// sent by email: the embedded sign-in flow of the goidx quickstart, in a
// terminal, written as a loop over Client.Authenticate.
//
// With no configuration it starts a fake Okta org in this process
// (package idxtest) and signs in its demo user:
//
//	go run ./examples/email-otp          # type the answers
//	go run ./examples/email-otp -auto    # the program answers itself
//
// With -auto (or with nothing to read on standard input, such as
// /dev/null) it answers with the demo user's credentials and reads the
// emailed code from the fake org's outbox.
//
// With OKTA_ISSUER and OKTA_CLIENT_ID set (and OKTA_CLIENT_SECRET for a
// confidential app, OKTA_REDIRECT_URI when it is not
// http://localhost:8080/login/callback) it signs in to that org, asking
// for the username, password and code; the password is not echoed. Set
// OKTA_INSECURE_LOOPBACK_HTTP=1 to allow a plain-http issuer on this
// machine (a fake org started with go run ./examples/fakeokta). -h lists
// every flag and environment variable; docs/okta-setup.md tells how to
// set up an org for it.
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
	os.Exit(terminal.Main(name, summary, signIn))
}

// name and summary are what -h prints first.
const (
	name    = "email-otp"
	summary = `Signs a user in with a username, a password and a code sent by email
(Client.Authenticate), then prints the user's profile from userinfo. At
the code prompt, "resend" has a new code sent; "cancel" at any prompt
stops.

With no OKTA_ISSUER it runs on a fake org built into the program, as its
demo user.

` + terminal.AutoHelp
)

// run runs the program on p, as main does on the process.
func run(ctx context.Context, p *terminal.Program) error {
	return p.Run(ctx, name, summary, signIn)
}

// The inputs asked before the first call: the sign-in's first page.
var (
	identify      = &idx.NextStep{Name: "identify"}
	usernameInput = authenticator.Input{Name: "username", Label: "Username", Type: "string", Required: true}
	passwordInput = authenticator.Input{Name: "password", Label: "Password", Type: "string", Required: true, Secret: true}
)

// signIn signs a user in at the org p's configuration names.
func signIn(ctx context.Context, p *terminal.Program) error {
	org, err := p.Org()
	if err != nil {
		return err
	}
	defer org.Close()
	switch {
	case p.Auto():
		fmt.Fprintf(p.Out, "No OKTA_ISSUER set: using the fake Okta org at %s, signing in as its demo user %s\n",
			org.Config.Issuer, idxtest.DemoUsername)
	case org.Fake != nil:
		fmt.Fprintf(p.Out, "No OKTA_ISSUER set: using the fake Okta org at %s\n", org.Config.Issuer)
	default:
		fmt.Fprintf(p.Out, "Signing in to the Okta org %s as app %s\n", org.Config.Issuer, org.Config.ClientID)
	}
	// The answers come from the terminal, or, on the fake org, from the
	// program.
	a := p.Asker(org, &terminal.Auto{Inbox: idxtest.DemoUsername, Flow: demoCredentials})
	client, err := idx.NewClient(org.Config, org.Options...)
	if err != nil {
		return err
	}

	username, cmd, err := a.Answer(ctx, identify, usernameInput)
	if err != nil || cmd == terminal.Cancel {
		return canceled(p, err)
	}
	password, cmd, err := a.Answer(ctx, identify, passwordInput)
	if err != nil || cmd == terminal.Cancel {
		return canceled(p, err)
	}
	tx, err := client.Authenticate(ctx, idx.Options{Username: username, Password: password})
	for err == nil && tx.Status == idx.StatusPending {
		terminal.Report(p.Out, tx)
		step := tx.NextStep
		switch {
		case errors.Is(tx.Rejection, idx.ErrInvalidCredentials):
			_, _ = client.Cancel(ctx, tx.State)
			return errors.New("wrong username or password")
		case hasInput(step, "authenticator"):
			if !slices.ContainsFunc(step.Options, func(o authenticator.Choice) bool { return o.Value == string(authenticator.OktaEmail) }) {
				_, _ = client.Cancel(ctx, tx.State)
				return fmt.Errorf("the org does not offer the email authenticator at step %s", step.Name)
			}
			fmt.Fprintln(p.Out, "  -> authenticator: okta_email")
			tx, err = client.Authenticate(ctx, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
		case hasInput(step, "verificationCode"):
			code, cmd, aerr := a.Answer(ctx, step, authenticator.Input{Name: "verificationCode", Required: true})
			switch {
			case aerr != nil || cmd == terminal.Cancel:
				_, _ = client.Cancel(ctx, tx.State)
				return canceled(p, aerr)
			case cmd == terminal.Resend:
				fmt.Fprintln(p.Out, "  asking the org to send the code again")
				tx, err = client.Resend(ctx, tx.State)
			default:
				tx, err = client.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: code})
			}
		default:
			_, _ = client.Cancel(ctx, tx.State)
			return fmt.Errorf("this example does not handle step %q", step.Name)
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(p.Out, "Status: %s\n", tx.Status)
	if tx.Status != idx.StatusSuccess {
		terminal.PrintMessages(p.Out, tx.Messages)
		if err := tx.Err(); err != nil {
			return fmt.Errorf("the org ended the sign-in: %w", err)
		}
		return fmt.Errorf("sign-in ended with status %s", tx.Status)
	}
	fmt.Fprintf(p.Out, "Signed in: access token, ID token (verified, subject %s)", tx.Tokens.IDTokenClaims.Subject)
	if tx.Tokens.RefreshToken != "" {
		fmt.Fprint(p.Out, ", refresh token")
	}
	fmt.Fprintln(p.Out)
	profile, err := client.UserInfo(ctx, tx.Tokens)
	if err != nil {
		return err
	}
	fmt.Fprintf(p.Out, "Profile: %s <%s> (sub %s)\n", profile.Name, profile.Email, profile.Subject)
	return nil
}

// canceled reports a sign-in the user canceled at a prompt, or err.
func canceled(p *terminal.Program, err error) error {
	if err != nil {
		return err
	}
	fmt.Fprintln(p.Out, "Sign-in canceled.")
	return nil
}

func hasInput(s *idx.NextStep, name string) bool {
	return slices.ContainsFunc(s.Inputs, func(in authenticator.Input) bool { return in.Name == name })
}

// demoCredentials answers the username and password with the fake org's
// demo user; terminal.Auto reads the code from the fake org's outbox.
func demoCredentials(_ *idx.NextStep, in authenticator.Input) (string, bool, error) {
	switch in.Name {
	case "username":
		return idxtest.DemoUsername, true, nil
	case "password":
		return idxtest.DemoPassword, true, nil
	}
	return "", false, nil
}
