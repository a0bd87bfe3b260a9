package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/goidx/goidx/idx/idxtest"
)

// orgFile is the JSON form of an org that -policy reads and -print-policy
// writes. Its members are those of idxtest.Policy, idxtest.User and
// idxtest.App, named as the Go fields are (matched without regard to
// case, so "factors" and "Factors" are the same); a member the types do
// not have is an error.
type orgFile struct {
	// Policy is the org's policy; members left out keep
	// idxtest.DefaultPolicy's values.
	Policy idxtest.Policy
	// Users are added to the demo user (one with the demo user's username
	// replaces it).
	Users []idxtest.User
	// Apps are added to the two default apps.
	Apps []idxtest.App
	// TrustedOrigins are origins whose pages may call the org from a
	// browser (CORS), added to the origins of the apps' redirect URIs.
	TrustedOrigins []string
	// EmailVerificationData: true (the default, as current orgs answer)
	// asks which way to send the email before sending it; false sends
	// it at once.
	EmailVerificationData *bool
}

// readOrgFile reads the org file at path. Unknown members and values of
// the wrong type are errors that name the line.
func readOrgFile(path string) (orgFile, error) {
	f := orgFile{Policy: idxtest.DefaultPolicy()}
	data, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("%s: %s", path, describeJSONError(data, dec.InputOffset(), err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return f, fmt.Errorf("%s: more than one JSON value; the file holds one object", path)
	}
	return f, nil
}

// describeJSONError makes a decoding error say where it is.
func describeJSONError(data []byte, offset int64, err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	offset = min(max(offset, 0), int64(len(data)))
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		// The decoder has read the whole object by then: the member is
		// the last one of that name before where it stopped.
		if i := bytes.LastIndex(data[:offset], []byte(name)); i >= 0 {
			offset = int64(i)
		}
	}
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	if strings.HasPrefix(msg, "unknown field") {
		msg += " (see `go doc github.com/goidx/goidx/idx/idxtest Policy` (or User, App) for the members, or -print-policy for an example)"
	}
	return fmt.Sprintf("line %d: %s", line, msg)
}

// factorNames maps the names -factors takes to authenticator keys.
var factorNames = map[string]string{
	"email":             idxtest.AuthenticatorEmail,
	"sms":               idxtest.AuthenticatorPhone,
	"voice":             idxtest.AuthenticatorPhone,
	"phone":             idxtest.AuthenticatorPhone,
	"totp":              idxtest.AuthenticatorGoogle,
	"google":            idxtest.AuthenticatorGoogle,
	"okta_verify":       idxtest.AuthenticatorOktaVerify,
	"security_question": idxtest.AuthenticatorSecurityQuestion,
	"webauthn":          idxtest.AuthenticatorWebAuthn,
}

// parseFactors turns "email,sms,totp" into authenticator keys, in order,
// without repeats. An authenticator key is taken as itself.
func parseFactors(list string) ([]string, error) {
	var keys []string
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		key, ok := factorNames[name]
		if !ok {
			for _, k := range factorNames {
				ok = ok || k == name
			}
			if !ok {
				return nil, fmt.Errorf("-factors: unknown authenticator %q; known: email, sms, voice, totp, okta_verify, security_question, webauthn", name)
			}
			key = name
		}
		if !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("-factors: no authenticator named")
	}
	return keys, nil
}

// stringList is a flag that may be given more than once.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// settings are the command line's.
type settings struct {
	addr        string
	verbose     bool
	printPolicy bool
	control     bool
	org         orgFile
}

// parseArgs reads the command line: the org file first, then the flags
// that change it. It returns flag.ErrHelp for -h.
func parseArgs(args []string, stderr io.Writer) (settings, error) {
	fs := flag.NewFlagSet("fakeokta", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s settings
	fs.StringVar(&s.addr, "addr", "127.0.0.1:8081", "`address` to listen on (host:port); the org's URLs are built from it")
	fs.BoolVar(&s.verbose, "v", false, "log every request (method, path, status) and the org's warnings to stderr")
	policyPath := fs.String("policy", "", "read the org's policy, users, apps and trusted origins from the JSON `file` (see -print-policy)")
	factors := fs.String("factors", "", "the authenticators a sign-in may use after the password, in the order offered: a comma-separated `list` of\n"+
		"email, sms (or voice, phone), totp (Google Authenticator), okta_verify, security_question, webauthn;\n"+
		"a user who has none of them enrolled enrolls one at sign-in (default: every one)")
	register := fs.Bool("register", false, "offer self-service registration (sign up)")
	recovery := fs.Bool("recover", false, "offer self-service password recovery (forgot password)")
	unlock := fs.Bool("unlock", false, "offer self-service account unlock")
	consent := fs.String("consent", "", "make the apps ask the user to consent to the scopes they request: `kind` "+
		idxtest.ConsentEndUser+", "+idxtest.ConsentAdmin+" or "+idxtest.ConsentGranular+" (by scope)")
	verificationData := fs.Bool("email-verification-data", true, "ask which way to send the email before sending it, as current orgs do;\n"+
		"false sends it as soon as the email authenticator is chosen")
	captcha := fs.String("captcha", "", "ask for a captcha at sign-in, sign-up and forgot-password: `service` hcaptcha or recaptcha,\n"+
		"with the service's test site key; the org accepts idxtest.CaptchaTestToken ("+idxtest.CaptchaTestToken+")")
	keepSignedIn := fs.Bool("keep-me-signed-in", false, "ask \"keep me signed in?\" once the user is authenticated, unless identify's rememberMe was checked")
	maxAttempts := fs.Int("max-verification-attempts", 0, "lock an authenticator for five minutes after `count` wrong one-time codes in a row;\n"+
		"0 means Okta's 5, a negative number no limit")
	var origins stringList
	fs.Var(&origins, "trusted-origin", "also trust `origin` (scheme://host:port) for CORS, so a page there may call the org from a browser;\n"+
		"may be given more than once (the origins of the apps' redirect URIs are always trusted)")
	fs.BoolVar(&s.printPolicy, "print-policy", false, "print the effective org (policy, users, apps, trusted origins) as JSON, in the form -policy reads, and exit")
	fs.BoolVar(&s.control, "control-api", true, "serve the test controls (push approval, codes, unlock, tokens, faults) under /idxtest/ for loopback clients")
	fs.Usage = func() { usage(fs) }
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if fs.NArg() > 0 {
		return s, fmt.Errorf("unexpected argument %q (flags start with -; see -h)", fs.Arg(0))
	}

	s.org = orgFile{Policy: idxtest.DefaultPolicy()}
	if *policyPath != "" {
		f, err := readOrgFile(*policyPath)
		if err != nil {
			return s, err
		}
		s.org = f
	}
	var err error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "factors":
			var keys []string
			if keys, err = parseFactors(*factors); err == nil {
				s.org.Policy.Authenticators = keys
			}
		case "register":
			s.org.Policy.Registration = *register
		case "recover":
			s.org.Policy.Recovery = *recovery
		case "unlock":
			s.org.Policy.Unlock = *unlock
		case "consent":
			switch *consent {
			case idxtest.ConsentEndUser, idxtest.ConsentAdmin, idxtest.ConsentGranular:
				s.org.Policy.Consent = *consent
			default:
				err = fmt.Errorf("-consent: unknown kind %q; known: %s, %s, %s", *consent, idxtest.ConsentEndUser, idxtest.ConsentAdmin, idxtest.ConsentGranular)
			}
		case "email-verification-data":
			s.org.EmailVerificationData = verificationData
		case "max-verification-attempts":
			s.org.Policy.MaxVerificationAttempts = *maxAttempts
		case "captcha":
			switch strings.ToLower(*captcha) {
			case "hcaptcha":
				s.org.Policy.Captcha = &idxtest.Captcha{Type: idxtest.CaptchaHCaptcha}
			case "recaptcha":
				s.org.Policy.Captcha = &idxtest.Captcha{Type: idxtest.CaptchaReCAPTCHAV2}
			case "":
				s.org.Policy.Captcha = nil
			default:
				err = fmt.Errorf("-captcha: unknown service %q; known: hcaptcha, recaptcha", *captcha)
			}
		case "keep-me-signed-in":
			s.org.Policy.KeepMeSignedIn = *keepSignedIn
		}
	})
	if err != nil {
		return s, err
	}
	s.org.TrustedOrigins = append(s.org.TrustedOrigins, origins...)
	s.org.TrustedOrigins = append(s.org.TrustedOrigins, redirectOrigins(s.org.Apps)...)
	if s.org.EmailVerificationData == nil {
		t := true
		s.org.EmailVerificationData = &t
	}
	return s, nil
}

// redirectOrigins are the origins of the redirect URIs of the default
// apps and of apps, which the org trusts: the page that signs in is
// usually the app's own.
func redirectOrigins(apps []idxtest.App) []string {
	var out []string
	uris := []string{idxtest.DefaultRedirectURI}
	for _, a := range apps {
		uris = append(uris, a.RedirectURIs...)
	}
	for _, r := range uris {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue // a custom scheme (a native app) has no web origin
		}
		if o := u.Scheme + "://" + u.Host; !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// options are the idxtest options for the org.
func (f orgFile) options() []idxtest.Option {
	opts := []idxtest.Option{idxtest.WithPolicy(f.Policy), idxtest.WithTrustedOrigins(f.TrustedOrigins...)}
	if f.EmailVerificationData != nil {
		opts = append(opts, idxtest.WithEmailVerificationData(*f.EmailVerificationData))
	}
	for _, u := range f.Users {
		opts = append(opts, idxtest.WithUser(u))
	}
	for _, a := range f.Apps {
		opts = append(opts, idxtest.WithApp(a))
	}
	return opts
}

// printOrg writes the org as -policy reads it.
func printOrg(w io.Writer, f orgFile) error {
	if f.Users == nil {
		f.Users = []idxtest.User{}
	}
	if f.Apps == nil {
		f.Apps = []idxtest.App{}
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func usage(fs *flag.FlagSet) {
	out := fs.Output()
	fmt.Fprint(out, `fakeokta runs a fake Okta org (package idxtest) on this machine, for trying
the examples, a browser app (the Okta Sign-In Widget, okta-auth-js) or
another SDK against Okta's sign-in flows without an Okta tenant.

Usage:
  go run ./examples/fakeokta [flags]

Examples:
  go run ./examples/fakeokta                        password, then an emailed code
  go run ./examples/fakeokta -register -recover     also sign-up and forgot-password
  go run ./examples/fakeokta -factors sms,totp,okta_verify -trusted-origin http://localhost:3000
  go run ./examples/fakeokta -policy org.json -print-policy

It prints the issuer, the client IDs, the demo user and the trusted
origins, then every code as the org sends it. The codes are also at
{URL}/idxtest/outbox, and the test controls (approve a push, read a code,
unlock a user, mint tokens, inject faults) under {URL}/idxtest/ (see
"go doc github.com/goidx/goidx/idx/idxtest WithControlAPI").

Flags:
`)
	fs.PrintDefaults()
}
