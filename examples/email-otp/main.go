// Command email-otp signs a user in with a username, a password and a code
// sent by email: the embedded sign-in flow of the goidx quickstart, in a
// terminal.
//
// With no configuration it starts a fake Okta org in this process
// (package idxtest), signs in its demo user and reads the emailed code from
// the fake org's outbox:
//
//	go run ./examples/email-otp
//
// With OKTA_ISSUER and OKTA_CLIENT_ID set (and OKTA_CLIENT_SECRET for a
// confidential app, OKTA_REDIRECT_URI when it is not
// http://localhost:8080/login/callback) it signs in to that org, asking for
// the username, password and code on the terminal.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdin, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "email-otp:", err)
		os.Exit(1)
	}
}

// asker answers the questions of a sign-in: from a terminal, or, on the
// fake org, from its demo data.
type asker interface {
	ask(prompt string, secret bool) (string, error)
	code(ctx context.Context) (string, error)
}

func run(ctx context.Context, in io.Reader, out io.Writer, getenv func(string) string) error {
	cfg := idx.Config{
		Issuer:       getenv("OKTA_ISSUER"),
		ClientID:     getenv("OKTA_CLIENT_ID"),
		ClientSecret: getenv("OKTA_CLIENT_SECRET"),
		RedirectURI:  getenv("OKTA_REDIRECT_URI"),
		Scopes:       []string{"openid", "profile", "email"},
	}
	if cfg.RedirectURI == "" {
		cfg.RedirectURI = "http://localhost:8080/login/callback"
	}
	var opts []idx.ClientOption
	var a asker
	if cfg.Issuer == "" {
		srv := idxtest.NewServer()
		defer srv.Close()
		cfg.Issuer, cfg.ClientID, cfg.ClientSecret = srv.Issuer(), idxtest.PublicClientID, ""
		cfg.RedirectURI = idxtest.DefaultRedirectURI
		opts = append(opts, idx.WithInsecureLoopbackHTTP())
		fmt.Fprintf(out, "No OKTA_ISSUER set: using the fake Okta org at %s\n", srv.Issuer())
		fmt.Fprintf(out, "Demo user %s, password %s\n", idxtest.DemoUsername, idxtest.DemoPassword)
		a = &fakeAsker{srv: srv, out: out}
	} else {
		if cfg.ClientID == "" {
			return errors.New("OKTA_CLIENT_ID must be set with OKTA_ISSUER")
		}
		a = &terminalAsker{in: bufio.NewReader(in), out: out}
	}
	client, err := idx.NewClient(cfg, opts...)
	if err != nil {
		return err
	}

	username, err := a.ask("Username", false)
	if err != nil {
		return err
	}
	password, err := a.ask("Password", true)
	if err != nil {
		return err
	}
	tx, err := client.Authenticate(ctx, idx.AuthenticateOptions{Username: username, Password: password})
	for err == nil && tx.Status == idx.StatusPending {
		report(out, tx)
		var next idx.AuthenticateOptions
		switch step := tx.NextStep; {
		case errors.Is(tx.Rejection, idx.ErrInvalidCredentials):
			return errors.New("wrong username or password")
		case slices.ContainsFunc(step.Inputs, func(in idx.Input) bool { return in.Name == "authenticator" }):
			if !offers(step, authenticator.OktaEmail) {
				return fmt.Errorf("the org does not offer the email authenticator at step %s", step.Name)
			}
			next = idx.AuthenticateOptions{State: tx.State, Authenticator: authenticator.OktaEmail}
		case slices.ContainsFunc(step.Inputs, func(in idx.Input) bool { return in.Name == "verificationCode" }):
			code, cerr := a.code(ctx)
			if cerr != nil {
				return cerr
			}
			next = idx.AuthenticateOptions{State: tx.State, VerificationCode: code}
		default:
			return fmt.Errorf("this example does not handle step %q", step.Name)
		}
		tx, err = client.Authenticate(ctx, next)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Status: %s\n", tx.Status)
	if tx.Status != idx.StatusSuccess {
		for _, m := range tx.Messages {
			fmt.Fprintf(out, "  %s: %s (%s)\n", m.Class, m.Text, m.Key)
		}
		return fmt.Errorf("sign-in ended with status %s", tx.Status)
	}
	fmt.Fprintf(out, "Signed in: access token, ID token (verified, subject %s)", tx.Tokens.IDTokenClaims.Subject)
	if tx.Tokens.RefreshToken != "" {
		fmt.Fprint(out, ", refresh token")
	}
	fmt.Fprintln(out)
	profile, err := client.UserInfo(ctx, tx.Tokens)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Profile: %s <%s> (sub %s)\n", profile.Name, profile.Email, profile.Subject)
	return nil
}

func offers(step *idx.NextStep, k authenticator.Key) bool {
	return slices.ContainsFunc(step.Options, func(o idx.Option) bool { return o.Value == string(k) })
}

// report prints a pending step: its name, inputs, options and messages.
func report(out io.Writer, tx *idx.Transaction) {
	s := tx.NextStep
	fmt.Fprintf(out, "Status: %s, next step: %s\n", tx.Status, s.Name)
	var names []string
	for _, in := range s.Inputs {
		names = append(names, in.Name)
	}
	fmt.Fprintf(out, "  inputs: %s\n", strings.Join(names, ", "))
	for _, o := range s.Options {
		fmt.Fprintf(out, "  option: %s (%s)\n", o.Label, o.Value)
	}
	if s.CanResend {
		fmt.Fprintln(out, "  the code can be resent")
	}
	for _, m := range tx.Messages {
		fmt.Fprintf(out, "  %s: %s\n", m.Class, m.Text)
	}
}

type terminalAsker struct {
	in  *bufio.Reader
	out io.Writer
}

func (t *terminalAsker) ask(prompt string, secret bool) (string, error) {
	if secret {
		prompt += " (shown as you type)"
	}
	fmt.Fprintf(t.out, "%s: ", prompt)
	line, err := t.in.ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("reading %s: %w", strings.ToLower(prompt), err)
	}
	return strings.TrimSpace(line), nil
}

func (t *terminalAsker) code(context.Context) (string, error) {
	return t.ask("Code from the email", false)
}

type fakeAsker struct {
	srv *idxtest.Server
	out io.Writer
}

func (f *fakeAsker) ask(prompt string, _ bool) (string, error) {
	if prompt == "Username" {
		return idxtest.DemoUsername, nil
	}
	return idxtest.DemoPassword, nil
}

func (f *fakeAsker) code(context.Context) (string, error) {
	code, ok := f.srv.LastCode(idxtest.DemoUsername)
	if !ok {
		return "", errors.New("the fake org sent no email")
	}
	fmt.Fprintf(f.out, "  the fake org emailed %s the code %s\n", idxtest.DemoUsername, code)
	return code, nil
}
