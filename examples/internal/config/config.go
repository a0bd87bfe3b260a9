// Package config is how every example reads its configuration: the Okta
// org from OKTA_* environment variables or the flags of the same meaning,
// the program's own flags and variables, and -h, which prints them all.
//
// With no OKTA_ISSUER an example runs on a fake Okta org built into it
// (package idxtest). With OKTA_ISSUER set it talks to that org, which
// docs/okta-setup.md tells how to set up. A flag given on the command line
// wins over its variable.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/goidx/goidx/idx"
)

// The environment variables of the org, read by every example.
const (
	EnvIssuer               = "OKTA_ISSUER"
	EnvClientID             = "OKTA_CLIENT_ID"
	EnvClientSecret         = "OKTA_CLIENT_SECRET"
	EnvRedirectURI          = "OKTA_REDIRECT_URI"
	EnvScopes               = "OKTA_SCOPES"
	EnvInsecureLoopbackHTTP = "OKTA_INSECURE_LOOPBACK_HTTP"
)

// DefaultScopes are the scopes asked for when neither -scopes nor
// OKTA_SCOPES is set.
var DefaultScopes = []string{"openid", "profile", "email"}

// Var is an environment variable a program reads, as -h lists it.
type Var struct {
	// Name is the variable's name, such as OKTA_ISSUER.
	Name string
	// Usage says what it holds, in a phrase.
	Usage string
}

// Org is the org an example talks to. An empty Issuer means the fake org
// built into the example.
type Org struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURI is empty when neither -redirect-uri nor
	// OKTA_REDIRECT_URI is set: each example has its own default.
	RedirectURI string
	Scopes      []string
	// InsecureLoopbackHTTP allows a plain-http issuer on a loopback host
	// (idx.WithInsecureLoopbackHTTP), such as a fake org run with
	// go run ./examples/fakeokta.
	InsecureLoopbackHTTP bool
}

// Fake reports whether the example runs on its built-in fake org.
func (o Org) Fake() bool { return o.Issuer == "" }

// ClientConfig returns the idx.Config of the org, with redirectURI when
// o has none.
func (o Org) ClientConfig(redirectURI string) idx.Config {
	if o.RedirectURI != "" {
		redirectURI = o.RedirectURI
	}
	return idx.Config{
		Issuer:       o.Issuer,
		ClientID:     o.ClientID,
		ClientSecret: o.ClientSecret,
		RedirectURI:  redirectURI,
		Scopes:       append([]string(nil), o.Scopes...),
	}
}

// ClientOptions returns the client options the org's settings call for:
// idx.WithInsecureLoopbackHTTP when InsecureLoopbackHTTP is set.
func (o Org) ClientOptions() []idx.ClientOption {
	if o.InsecureLoopbackHTTP {
		return []idx.ClientOption{idx.WithInsecureLoopbackHTTP()}
	}
	return nil
}

// Command is a program's command line: its flags, the org's flags, and
// the environment variables it reads.
type Command struct {
	// Name is the program's name, as in "Usage: NAME [flags]".
	Name string
	// Summary says what the program does; -h prints it after the usage
	// line.
	Summary string
	// Flags holds the program's flags; New adds the org's.
	Flags *flag.FlagSet
	// Vars are the program's own environment variables, listed by -h
	// after the org's.
	Vars []Var

	issuer, clientID, redirectURI, scopes *string
	insecure                              *bool
}

// New returns the command line of the program name, with the org's flags
// registered: -issuer, -client-id, -redirect-uri, -scopes and
// -insecure-loopback-http. The client secret has no flag: a command line
// can be read by other users of the machine.
func New(name, summary string) *Command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	c := &Command{Name: name, Summary: summary, Flags: fs}
	c.issuer = fs.String("issuer", "", "the org's authorization server (default $"+EnvIssuer+"; empty: the built-in fake org)")
	c.clientID = fs.String("client-id", "", "the app's client ID (default $"+EnvClientID+")")
	c.redirectURI = fs.String("redirect-uri", "", "the app's redirect URI (default $"+EnvRedirectURI+")")
	c.scopes = fs.String("scopes", "", "scopes, separated by spaces (default $"+EnvScopes+", else \""+strings.Join(DefaultScopes, " ")+"\")")
	c.insecure = fs.Bool("insecure-loopback-http", false, "allow a plain-http issuer on a loopback host (default $"+EnvInsecureLoopbackHTTP+")")
	return c
}

// UsageError is a command line that cannot be parsed; programs exit with
// status 2 on it, as the flag package does.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() + " (run with -h for help)" }
func (e *UsageError) Unwrap() error { return e.Err }

// Parse parses args and reads the org from the flags and, for those not
// given, from getenv. With -h or -help it prints the help on stdout and
// returns flag.ErrHelp. A bad flag, or settings that do not fit together
// (OKTA_CLIENT_ID without OKTA_ISSUER, OKTA_ISSUER without
// OKTA_CLIENT_ID, a plain-http issuer without the loopback switch), is a
// *UsageError or an error matching idx.ErrInvalidInput; nothing is
// printed then: the caller reports the error.
func (c *Command) Parse(args []string, getenv func(string) string, stdout io.Writer) (Org, error) {
	if err := c.Flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.PrintHelp(stdout)
			return Org{}, flag.ErrHelp
		}
		return Org{}, &UsageError{Err: err}
	}
	if c.Flags.NArg() > 0 {
		return Org{}, &UsageError{Err: fmt.Errorf("unexpected argument %q", c.Flags.Arg(0))}
	}
	set := map[string]bool{}
	c.Flags.Visit(func(f *flag.Flag) { set[f.Name] = true })
	pick := func(flagName string, v *string, env string) string {
		if set[flagName] {
			return strings.TrimSpace(*v)
		}
		return strings.TrimSpace(getenv(env))
	}
	o := Org{
		Issuer:       pick("issuer", c.issuer, EnvIssuer),
		ClientID:     pick("client-id", c.clientID, EnvClientID),
		ClientSecret: getenv(EnvClientSecret),
		RedirectURI:  pick("redirect-uri", c.redirectURI, EnvRedirectURI),
		Scopes:       strings.Fields(pick("scopes", c.scopes, EnvScopes)),
	}
	if len(o.Scopes) == 0 {
		o.Scopes = append([]string(nil), DefaultScopes...)
	}
	if set["insecure-loopback-http"] {
		o.InsecureLoopbackHTTP = *c.insecure
	} else if v := strings.TrimSpace(getenv(EnvInsecureLoopbackHTTP)); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Org{}, &UsageError{Err: fmt.Errorf("%s=%q: want 1 or 0", EnvInsecureLoopbackHTTP, v)}
		}
		o.InsecureLoopbackHTTP = b
	}
	switch {
	case o.Issuer == "" && (o.ClientID != "" || o.ClientSecret != ""):
		return Org{}, &UsageError{Err: fmt.Errorf("%s or %s is set without %s: set %s too, or unset them to use the built-in fake org",
			EnvClientID, EnvClientSecret, EnvIssuer, EnvIssuer)}
	case o.Issuer != "" && o.ClientID == "":
		return Org{}, &UsageError{Err: fmt.Errorf("%s must be set with %s", EnvClientID, EnvIssuer)}
	case o.Issuer == "" && o.RedirectURI != "":
		// The fake org's app has its own redirect URI; a leftover
		// OKTA_REDIRECT_URI does not change it.
		o.RedirectURI = ""
	}
	if u, err := url.Parse(o.Issuer); err == nil && u.Scheme == "http" && !o.InsecureLoopbackHTTP {
		return Org{}, fmt.Errorf("%w: %s %s is plain http: use https, or set %s=1 for an org on this machine (such as go run ./examples/fakeokta)",
			idx.ErrInvalidInput, EnvIssuer, o.Issuer, EnvInsecureLoopbackHTTP)
	}
	return o, nil
}

// orgVars are the org's environment variables, as -h lists them.
func orgVars() []Var {
	return []Var{
		{EnvIssuer, "the org's authorization server, such as https://example.okta.com/oauth2/default; unset: the built-in fake org"},
		{EnvClientID, "the client ID of the org's app (required with " + EnvIssuer + ")"},
		{EnvClientSecret, "the app's client secret, for a confidential app (Web app); unset for a public one"},
		{EnvRedirectURI, "a sign-in redirect URI of the app"},
		{EnvScopes, "scopes, separated by spaces; add offline_access for a refresh token"},
		{EnvInsecureLoopbackHTTP, "1 allows a plain-http " + EnvIssuer + " on a loopback host (a fake org on this machine)"},
	}
}

// PrintHelp writes the help: usage line, summary, every flag with its
// default, and every environment variable the program reads.
func (c *Command) PrintHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s [flags]\n\n", c.Name)
	if c.Summary != "" {
		fmt.Fprintf(w, "%s\n\n", strings.TrimSpace(c.Summary))
	}
	fmt.Fprintln(w, "Flags (a flag given wins over its environment variable):")
	c.Flags.SetOutput(w)
	c.Flags.PrintDefaults()
	c.Flags.SetOutput(io.Discard)
	fmt.Fprintln(w, "\nEnvironment:")
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, v := range append(orgVars(), c.Vars...) {
		fmt.Fprintf(tw, "  %s\t%s\n", v.Name, v.Usage)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nSetting up an Okta org for the examples: docs/okta-setup.md")
}

// ExitCode is the exit status for the error a program ended with: 0 for
// none and for -h, 2 for a command line that cannot be parsed, else 1.
func ExitCode(err error) int {
	var ue *UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}
