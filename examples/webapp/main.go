// Command webapp is a web app that signs users in with goidx: the
// embedded Okta Identity Engine sign-in with a password and a code sent by
// email, in server-rendered pages, then a home page with the user's profile.
// Any step the org asks for gets a page built from the transaction; the
// steps that leave the app (identity providers, identity verification
// vendors, Okta Verify on the user's device) link to the org's address
// only on the issuer's origin (handoff.go).
// Its /security page needs a two-factor sign-in of the last 10 minutes:
// a user without one confirms with a step-up transaction (ACRValues
// urn:okta:loa:2fa:any, MaxAge, LoginHint), which must sign the same user
// in (stepup.go).
//
// With no configuration it starts a fake Okta org in this process (package
// idxtest) and serves the app on http://localhost:8080:
//
//	go run ./examples/webapp
//
// The first run downloads and compiles the SDK and the example's
// dependencies, which takes a minute or more; later runs start at once.
// It prints the demo user and password; the emails the fake org sends,
// with their codes and sign-in links, are listed at
// http://localhost:8080/dev/mailbox.
//
// With OKTA_ISSUER and OKTA_CLIENT_ID set (and OKTA_CLIENT_SECRET for a
// confidential app, OKTA_SCOPES to change "openid profile email") it
// signs users in to that org; the dev mailbox does not exist then.
// docs/okta-setup.md tells how to set up the org's app. The redirect URI
// is OKTA_REDIRECT_URI, by default the app's own /login/callback on the
// port it listens on (http://localhost:8080/login/callback); the app
// finishes there the sign-ins that leave it, such as an email's sign-in
// link. When OKTA_REDIRECT_URI is https the app assumes it is served over
// https (directly or behind a TLS-terminating proxy) and marks its
// session cookie Secure with the __Host- prefix. OKTA_INSECURE_LOOPBACK_HTTP=1
// allows a plain-http issuer on this machine, such as a fake org run with
// go run ./examples/fakeokta.
//
// Flags (-h lists them all with the environment variables):
//
//	-addr host:port   address to listen on (default localhost:8080)
//	-store kind       where sessions, sign-ins in progress and tokens live:
//	                  memory (default), redis or cookie
//	-cookie-key k     the key of -store=cookie (else COOKIE_KEY)
//	-v                debug logging (the SDK's steps too)
//
// With the embedded fake org only, to try the steps that leave the app:
//
//	-device-challenge method   start each sign-in with Okta FastPass's device
//	                           challenge (custom-uri, universal-link, app-link,
//	                           loopback); the step page answers as the demo
//	                           user's Okta Verify
//	-idp name                  offer an identity provider (More ways to sign in)
//	-identity-verification     send the user to an identity verification vendor
//
// and -issuer, -client-id, -redirect-uri, -scopes and
// -insecure-loopback-http, which win over the OKTA_* variables.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/goidx/goidx/examples/internal/config"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal, a second one ends the program at once.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "webapp:", err)
	}
	os.Exit(config.ExitCode(err))
}

// summary is what -h prints after the usage line.
const summary = `A web app that signs users in with goidx: the embedded Okta Identity
Engine sign-in (a password, then a code or a sign-in link sent by email)
in server-rendered pages, then a page with the user's profile.

With no OKTA_ISSUER it runs on a fake Okta org built into the program; its
emails are listed at /dev/mailbox. The redirect URI defaults to
/login/callback on the address it listens on.`

// run starts the app and serves until ctx is done.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	p, err := setup(ctx, args, getenv, stdout, stderr)
	if err != nil {
		return err
	}
	return p.serve(ctx)
}

// program is the app wired to its org and listening.
type program struct {
	url string // where the app is, e.g. http://localhost:8080
	// redirectURI is the client's redirect URI.
	redirectURI string
	ln          net.Listener
	server      *http.Server
	log         *slog.Logger
	org         *idxtest.Server // the embedded fake org, nil with a real org
	closer      io.Closer       // the Redis client of -store=redis, or nil
}

// setup reads the configuration, starts the fake org if none is set, and
// listens. Nothing is served until serve.
func setup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (*program, error) {
	cmd := config.New("webapp", summary)
	cmd.Vars = []config.Var{
		{Name: "REDIS_URL", Usage: "the Redis of -store=redis (default " + defaultRedisURL + ")"},
		{Name: "COOKIE_KEY", Usage: "the key of -store=cookie, ID:BASE64 of 32 bytes; several separated by commas, the first sealing"},
	}
	fs := cmd.Flags
	addr := fs.String("addr", "localhost:8080", "address to listen on (host:port)")
	verbose := fs.Bool("v", false, "debug logging")
	storeKind := fs.String("store", storeMemory, "where sessions, sign-ins and tokens live: memory, redis (REDIS_URL) or cookie (COOKIE_KEY)")
	cookieKey := fs.String("cookie-key", "", "key of -store=cookie, ID:BASE64 of 32 bytes (default $COOKIE_KEY)")
	deviceChallenge := fs.String("device-challenge", "", "fake org only: start each sign-in with Okta FastPass's device challenge, by `method`\n"+
		"custom-uri, universal-link, app-link or loopback; the demo user has Okta Verify, which the step page can answer for")
	idpName := fs.String("idp", "", "fake org only: offer an identity provider called `name`, which signs the demo user in (under \"More ways to sign in\")")
	idVerify := fs.Bool("identity-verification", false, "fake org only: send the user to an identity verification vendor after the password")
	org, err := cmd.Parse(args, getenv, stdout)
	if err != nil {
		return nil, err
	}
	fakePolicy, err := fakeOrgPolicy(org.Fake(), *deviceChallenge, *idpName, *idVerify)
	if err != nil {
		return nil, err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	sc, storeText, err := openStores(ctx, *storeKind, *cookieKey, getenv, logger, stderr)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		if sc.redis != nil {
			_ = sc.redis.Close()
		}
		return nil, fmt.Errorf("cannot listen on %s (is another copy running? choose another address with -addr): %w", *addr, err)
	}
	p := &program{url: appURL(ln.Addr(), *addr), ln: ln, log: logger}
	if sc.redis != nil {
		p.closer = sc.redis
	}

	// The redirect URI is the app's /login/callback where it listens,
	// unless OKTA_REDIRECT_URI says otherwise.
	cfg := org.ClientConfig(p.url + callbackPath)
	opts := append([]idx.ClientOption{idx.WithLogger(logger.With("component", "idx"))}, org.ClientOptions()...)
	acfg := appConfig{logger: logger}
	if org.Fake() {
		mailbox := p.url + "/dev/mailbox"
		// The fake org's confidential app, with this app's redirect URI:
		// its email links lead back here.
		orgOpts := []idxtest.Option{
			idxtest.WithApp(idxtest.App{
				ClientID:      idxtest.ConfidentialClientID,
				ClientSecret:  idxtest.ConfidentialClientSecret,
				RedirectURIs:  []string{cfg.RedirectURI},
				RefreshTokens: true,
			}),
			idxtest.WithEmailHook(func(e idxtest.Email) {
				logger.Info("fake org: sent an email with a code and a sign-in link", "to", e.To, "mailbox", mailbox)
			}),
		}
		if fakePolicy != nil {
			orgOpts = append(orgOpts, idxtest.WithPolicy(*fakePolicy))
			if fakePolicy.DeviceChallenge != "" {
				orgOpts = append(orgOpts, idxtest.WithUser(demoWithOktaVerify()))
			}
		}
		p.org = idxtest.NewServer(orgOpts...)
		cfg.Issuer = p.org.Issuer()
		cfg.ClientID, cfg.ClientSecret = idxtest.ConfidentialClientID, idxtest.ConfidentialClientSecret
		cfg.Scopes = []string{"openid", "profile", "email", "offline_access"}
		opts = append(opts, idx.WithInsecureLoopbackHTTP())
		acfg.outbox = p.org.Outbox
		acfg.answerDevice = p.org.AnswerDeviceChallenge
	} else {
		acfg.secureCookies = strings.HasPrefix(cfg.RedirectURI, "https://")
	}
	p.redirectURI = cfg.RedirectURI
	a, err := newInstance(cfg, sc, acfg, opts...)
	if err != nil {
		p.close()
		return nil, err
	}
	p.server = &http.Server{
		Handler:           a.handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	fmt.Fprintf(stdout, "goidx web example: %s\n", p.url)
	fmt.Fprintf(stdout, "Sessions and sign-ins (-store=%s): %s\n", *storeKind, storeText)
	if p.org != nil {
		fmt.Fprintf(stdout, "No OKTA_ISSUER set: using the fake Okta org (idxtest) at %s\n", cfg.Issuer)
		fmt.Fprintf(stdout, "  Demo user:  %s\n", idxtest.DemoUsername)
		fmt.Fprintf(stdout, "  Password:   %s\n", idxtest.DemoPassword)
		fmt.Fprintf(stdout, "  The emailed codes and sign-in links appear at %s/dev/mailbox\n", p.url)
		if fakePolicy != nil {
			fmt.Fprintf(stdout, "  The fake org's policy: %s\n", describePolicy(*fakePolicy))
		}
	} else {
		fmt.Fprintf(stdout, "Signing in to the Okta org %s as app %s\n", cfg.Issuer, cfg.ClientID)
		fmt.Fprintf(stdout, "  Redirect URI: %s (a sign-in redirect URI of the app)\n", cfg.RedirectURI)
		if err := checkOrg(ctx, cfg.Issuer); err != nil {
			// The org may come back; the pages say so meanwhile.
			logger.Error("the Okta org is not usable", "issuer", cfg.Issuer, "err", err,
				"hint", "check OKTA_ISSUER (e.g. https://example.okta.com/oauth2/default) and the network")
		}
	}
	fmt.Fprintln(stdout, "Press Ctrl+C to stop.")
	return p, nil
}

// fakeOrgPolicy is the embedded fake org's policy with the switches of
// -device-challenge, -idp and -identity-verification, nil when none is
// set; they are refused with a real org.
func fakeOrgPolicy(fake bool, device, idp string, idVerify bool) (*idxtest.Policy, error) {
	if device == "" && idp == "" && !idVerify {
		return nil, nil
	}
	if !fake {
		return nil, errors.New("-device-challenge, -idp and -identity-verification set up the fake org: they cannot be used with OKTA_ISSUER")
	}
	p := idxtest.DefaultPolicy()
	switch strings.ToLower(strings.ReplaceAll(device, "_", "-")) {
	case "":
	case "custom-uri":
		p.DeviceChallenge = idxtest.DeviceChallengeCustomURI
	case "universal-link":
		p.DeviceChallenge = idxtest.DeviceChallengeUniversalLink
	case "app-link":
		p.DeviceChallenge = idxtest.DeviceChallengeAppLink
	case "loopback":
		p.DeviceChallenge = idxtest.DeviceChallengeLoopback
	default:
		return nil, fmt.Errorf("-device-challenge: unknown method %q; known: custom-uri, universal-link, app-link, loopback", device)
	}
	if idp != "" {
		p.IdPs = []idxtest.IdP{{Type: "GOOGLE", Name: idp, Username: idxtest.DemoUsername}}
	}
	if idVerify {
		p.IdentityVerification = &idxtest.IDVendor{}
	}
	return &p, nil
}

// describePolicy says, at start-up, what the fake org's switches do.
func describePolicy(p idxtest.Policy) string {
	var parts []string
	if p.DeviceChallenge != "" {
		parts = append(parts, "sign-ins start with Okta FastPass's device challenge ("+p.DeviceChallenge+
			"); the step page answers for the demo user's Okta Verify")
	}
	for _, idp := range p.IdPs {
		parts = append(parts, "the identity provider "+idp.Name+" under \"More ways to sign in\"")
	}
	if p.IdentityVerification != nil {
		parts = append(parts, "identity verification after the password")
	}
	return strings.Join(parts, "; ")
}

// demoWithOktaVerify is the fake org's demo user with Okta Verify, which
// a device challenge needs.
func demoWithOktaVerify() idxtest.User {
	return idxtest.User{
		Username: idxtest.DemoUsername, Password: idxtest.DemoPassword, Email: idxtest.DemoUsername,
		GivenName: "Demo", FamilyName: "User", Locale: "en_US", OktaVerify: true,
	}
}

// serve serves until ctx is done, then shuts down gracefully: it stops
// accepting, lets requests in flight finish (for up to 10 seconds) and
// closes the fake org.
func (p *program) serve(ctx context.Context) error {
	defer p.close()
	errc := make(chan error, 1)
	go func() { errc <- p.server.Serve(p.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	p.log.Info("shutting down: finishing requests in flight (Ctrl+C again to quit at once)")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := p.server.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// close releases what setup took.
func (p *program) close() {
	_ = p.ln.Close()
	if p.org != nil {
		p.org.Close()
	}
	if p.closer != nil {
		_ = p.closer.Close()
	}
}

// checkOrg fetches the issuer's OpenID discovery document, to tell the
// operator at start-up, in plain words, that the org is unreachable or the
// issuer wrong.
func checkOrg(ctx context.Context, issuer string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("cannot reach it: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s: is this an Okta authorization server?", u, resp.Status)
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return fmt.Errorf("%s is not an OpenID discovery document: %w", u, err)
	}
	if doc.Issuer != issuer {
		return fmt.Errorf("the org's issuer is %q, not %q: set OKTA_ISSUER to it exactly", doc.Issuer, issuer)
	}
	return nil
}

// appURL is the app's URL for people: the listen address, with a
// name people can open in place of a wildcard or loopback IP.
func appURL(a net.Addr, requested string) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if rh, _, err := net.SplitHostPort(requested); err == nil && rh == "localhost" {
		host = "localhost"
	}
	if ip := net.ParseIP(host); ip != nil && (ip.IsUnspecified() || ip.IsLoopback()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
