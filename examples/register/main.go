// Command register signs up a new user with self-service registration
// (Client.Register) in a terminal: the user's first name, last name and
// email, then whatever the org's enrollment policy asks for, such as a
// password and a code sent by email. The new user is then signed in: the
// program prints the ID token's subject and the profile from the userinfo
// endpoint.
//
// Each step is shown as the org describes it (its inputs, choices and
// authenticator) and answered from the terminal, so the program follows
// whatever policy the org has. At a prompt, "cancel" cancels the
// registration; at a code prompt, "resend" has the code sent again; where
// the org lets an authenticator be skipped, "skip" skips it. A wrong code
// is refused by the org and asked for again.
//
// With no configuration it starts a fake Okta org in this process
// (package idxtest) that offers registration:
//
//	go run ./examples/register          # type the answers
//	go run ./examples/register -auto    # the program answers itself
//
// With OKTA_ISSUER and OKTA_CLIENT_ID set (and OKTA_CLIENT_SECRET for a
// confidential app, OKTA_REDIRECT_URI when it is not
// http://localhost:8080/login/callback) it registers with that org, whose
// profile enrollment policy must allow self-service registration
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
	"io"
	"os"
	"slices"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/examples/internal/terminal"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

func main() {
	os.Exit(terminal.Main(name, summary, register))
}

// name and summary are what -h prints first.
const (
	name    = "register"
	summary = `Signs up a new user with self-service registration (Client.Register): the
user's first name, last name and email, then whatever the org's
enrollment policy asks for, such as a password and an emailed code. Type
"cancel" at a prompt to stop, "resend" at a code prompt for a new code,
"skip" where the org lets an authenticator be skipped.

With no OKTA_ISSUER it runs on a fake org built into the program that
offers registration.

` + terminal.AutoHelp
)

// The new user the program registers on the embedded fake org.
const (
	fakeFirstName = "Ada"
	fakeLastName  = "Lovelace"
	fakeEmail     = "ada@example.com"
)

// run runs the program on p, as main does on the process.
func run(ctx context.Context, p *terminal.Program) error {
	return p.Run(ctx, name, summary, register)
}

// register signs up a new user on the org p's environment names.
func register(ctx context.Context, p *terminal.Program) error {
	org, err := p.Org(idxtest.WithPolicy(idxtest.Policy{Factors: 2, Registration: true}))
	if err != nil {
		return err
	}
	defer org.Close()
	switch {
	case p.Auto():
		fmt.Fprintf(p.Out, "No OKTA_ISSUER set: using a fake Okta org at %s that offers registration\n", org.Config.Issuer)
		fmt.Fprintf(p.Out, "Registering %s %s <%s>; the answers come from the program, the codes from the fake org's outbox\n",
			fakeFirstName, fakeLastName, fakeEmail)
	case org.Fake != nil:
		fmt.Fprintf(p.Out, "No OKTA_ISSUER set: using a fake Okta org at %s that offers registration\n", org.Config.Issuer)
	default:
		fmt.Fprintf(p.Out, "Registering with the Okta org %s as app %s\n", org.Config.Issuer, org.Config.ClientID)
	}
	// The answers come from the terminal, or, on the fake org, from the
	// program.
	a := p.Asker(org, &terminal.Auto{Inbox: fakeEmail, PasswordChallenges: true, Flow: fakeProfile})
	client, err := idx.NewClient(org.Config, org.Options...)
	if err != nil {
		return err
	}

	tx, err := client.Start(ctx, idx.StartOptions{})
	if err != nil {
		return err
	}
	if !slices.Contains(tx.EnabledFeatures, idx.FeatureRegistration) {
		_, _ = client.Cancel(ctx, tx.State)
		return errors.New("the org does not offer self-service registration to this app (see its profile enrollment policy)")
	}
	// Register takes the org's select-enroll-profile step; with no profile
	// given yet, it stops at enroll-profile, which asks for it.
	tx, err = client.Register(ctx, idx.Options{State: tx.State})
	if err != nil {
		return err
	}
	// Every step after it (the profile's attributes in Options.Profile,
	// then the authenticators the org has the new user enroll) is answered
	// with Authenticate.
	tx, err = terminal.Drive(ctx, client, client.Authenticate, a, p.Out, tx)
	if err != nil {
		return err
	}
	return finish(ctx, client, p.Out, tx)
}

// finish reports how the registration ended and, on success, who is
// signed in.
func finish(ctx context.Context, client *idx.Client, out io.Writer, tx *idx.Transaction) error {
	switch tx.Status {
	case idx.StatusCanceled:
		fmt.Fprintln(out, "Registration canceled.")
		return nil
	case idx.StatusTerminal:
		terminal.PrintMessages(out, tx.Messages)
		if err := tx.Err(); err != nil {
			return fmt.Errorf("the org ended the registration: %w", err)
		}
		fmt.Fprintln(out, "The org ended the registration with the message above; the user is not signed in.")
		return nil
	case idx.StatusSuccess:
	default:
		return fmt.Errorf("registration ended with status %s", tx.Status)
	}
	fmt.Fprintf(out, "Registered and signed in: ID token verified, subject %s\n", tx.Tokens.IDTokenClaims.Subject)
	profile, err := client.UserInfo(ctx, tx.Tokens)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "New user's profile (userinfo):")
	fmt.Fprintf(out, "  subject:     %s\n", profile.Subject)
	fmt.Fprintf(out, "  name:        %s\n", profile.Name)
	fmt.Fprintf(out, "  given name:  %s\n", profile.GivenName)
	fmt.Fprintf(out, "  family name: %s\n", profile.FamilyName)
	fmt.Fprintf(out, "  email:       %s\n", profile.Email)
	fmt.Fprintf(out, "  username:    %s\n", profile.PreferredUsername)
	return nil
}

// fakeProfile answers the fake org's enroll-profile step with the new
// user's attributes; terminal.Auto answers the other steps.
func fakeProfile(s *idx.NextStep, in authenticator.Input) (string, bool, error) {
	if s.Name != "enroll-profile" {
		return "", false, nil
	}
	v := map[string]string{"firstName": fakeFirstName, "lastName": fakeLastName, "email": fakeEmail}[in.Name]
	if v == "" && in.Required {
		return "", true, fmt.Errorf("the fake org asks for %q, which this example has no value for", in.Name)
	}
	return v, true, nil
}
