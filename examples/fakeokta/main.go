// Command fakeokta runs a fake Okta org (package idxtest) as a standalone
// server, for trying the examples, a browser app (the Okta Sign-In Widget,
// okta-auth-js) or another SDK against Okta's sign-in flows without a
// real Okta tenant:
//
//	go run ./examples/fakeokta
//	go run ./examples/fakeokta -addr 127.0.0.1:9000 -v
//	go run ./examples/fakeokta -register -recover -unlock
//	go run ./examples/fakeokta -factors email,sms,totp,okta_verify -trusted-origin http://localhost:3000
//	go run ./examples/fakeokta -policy org.json -print-policy
//
// It prints the issuer, the client IDs (and the confidential app's
// secret), the redirect URI, the demo user, the policy and the trusted
// origins, then every one-time code as the org "sends" it. The codes are
// also listed as JSON at {URL}/idxtest/outbox, and the test controls
// (approve an Okta Verify push, answer a FastPass device challenge, read
// the last code, unlock a user, mint activation and recovery tokens,
// inject faults) answer under
// {URL}/idxtest/ (see idxtest.WithControlAPI). Stop it with Ctrl+C
// (SIGINT) or SIGTERM; it lets requests in flight finish first.
//
// The org's policy, users, apps and trusted origins come from a JSON file
// (-policy), then from the flags that change it (-factors, -register,
// -recover, -unlock, -email-verification-data,
// -max-verification-attempts, -trusted-origin). The file holds one
// object whose members are named as the fields of idxtest.Policy,
// idxtest.User and idxtest.App (matched without regard to case); a member
// those types lack is an error that names its line:
//
//	{
//	  "policy": {"factors": 2, "authenticators": ["okta_email", "phone_number"],
//	             "registration": true, "recovery": true},
//	  "users": [{"username": "pat@example.com", "password": "Pat-Passw0rd!", "phone": "+15555550100"}],
//	  "apps": [{"clientId": "spa", "redirectUris": ["http://localhost:3000/login/callback"]}],
//	  "trustedOrigins": ["http://localhost:5173"],
//	  "emailVerificationData": true
//	}
//
// -print-policy prints the effective org in that form and exits. The
// origins of the apps' redirect URIs (http://localhost:8080 for the
// default apps) are trusted for CORS, so a page there may call the org.
//
// The listen address must be a loopback or otherwise concrete address the
// clients can reach; the org's URLs are built from it. Nothing here is
// secure: the credentials are public and everything lives in memory.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/goidx/goidx/idx/idxtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "fakeokta:", err)
		os.Exit(1)
	}
}

// run serves the fake org the command line describes until ctx is done,
// then shuts it down, waiting for requests in flight. With -h it prints
// the help and returns flag.ErrHelp; with -print-policy it prints the org
// and returns.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	if s.printPolicy {
		return printOrg(stdout, s.org)
	}
	out := &syncWriter{w: stdout}
	opts := append(s.org.options(), idxtest.WithEmailHook(func(e idxtest.Email) { printEmail(out, e) }))
	if s.verbose {
		opts = append(opts, idxtest.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
	}
	if s.control {
		opts = append(opts, idxtest.WithControlAPI())
	}
	srv, err := newServer(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		srv.Close()
		return err
	}
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()

	printBanner(out, srv, s)
	<-ctx.Done()
	fmt.Fprintln(out, "fakeokta: shutting down")
	srv.Close()
	return nil
}

// newServer makes the org. idxtest panics on an invalid option (a user
// without a password, an invalid origin), as httptest does; here that is
// an error in the file or the flags.
func newServer(opts []idxtest.Option) (srv *idxtest.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return idxtest.NewUnstartedServer(opts...), nil
}

func printBanner(w io.Writer, srv *idxtest.Server, s settings) {
	p := s.org.Policy
	auths := "every one"
	if p.Authenticators != nil {
		auths = strings.Join(p.Authenticators, ", ")
	}
	var self []string
	for _, f := range []struct {
		on   bool
		name string
	}{{p.Registration, "registration"}, {p.Recovery, "password recovery"}, {p.Unlock, "account unlock"}} {
		if f.on {
			self = append(self, f.name)
		}
	}
	if len(self) == 0 {
		self = []string{"none (-register, -recover, -unlock)"}
	}
	control := "off"
	if s.control {
		control = srv.URL + "/idxtest/ (loopback clients only)"
	}
	fmt.Fprintf(w, `fakeokta: a fake Okta org is listening

  Org URL:           %s
  Issuer:            %s
  Redirect URI:      %s

  Public app:        client ID %s (PKCE only, no secret)
  Confidential app:  client ID %s
                     client secret %s

  Demo user:         %s
  Password:          %s

  Policy:            %d factors (the password, then: %s)
  Self-service:      %s
  Trusted origins:   %s
  Outbox (JSON):     %s/idxtest/outbox
  Test controls:     %s

Codes are printed below as they are sent. Press Ctrl+C to stop.
`,
		srv.URL, srv.Issuer(), idxtest.DefaultRedirectURI,
		idxtest.PublicClientID, idxtest.ConfidentialClientID, idxtest.ConfidentialClientSecret,
		idxtest.DemoUsername, idxtest.DemoPassword,
		max(p.Factors, 1), auths, strings.Join(self, ", "), strings.Join(srv.TrustedOrigins(), " "),
		srv.URL, control)
}

// printEmail prints one line per message sent.
func printEmail(w io.Writer, e idxtest.Email) {
	what := "email"
	if e.Channel != idxtest.ChannelEmail && e.Channel != "" {
		what = e.Channel
	}
	if e.Code == "" {
		fmt.Fprintf(w, "%s  %s to %s: %s\n", e.SentAt.Format("15:04:05"), what, e.To, e.Link)
		return
	}
	fmt.Fprintf(w, "%s  %s to %s: code %s\n", e.SentAt.Format("15:04:05"), what, e.To, e.Code)
}

// syncWriter serializes writes from concurrent requests.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
