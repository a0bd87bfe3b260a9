package terminal

import (
	"errors"
	"strings"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// Org is the org an example talks to: its client configuration and
// options, and the embedded fake org when the environment names none.
type Org struct {
	// Config is the client configuration, scopes openid, profile and
	// email.
	Config idx.Config
	// Options are the client options: WithInsecureLoopbackHTTP for the
	// fake org, or when OKTA_INSECURE_LOOPBACK_HTTP is "1".
	Options []idx.ClientOption
	// Fake is the embedded fake org, nil when OKTA_ISSUER names an org.
	Fake *idxtest.Server
}

// FromEnv reads the org from getenv: OKTA_ISSUER, OKTA_CLIENT_ID,
// OKTA_CLIENT_SECRET (for a confidential app), OKTA_REDIRECT_URI (default
// idxtest.DefaultRedirectURI) and OKTA_INSECURE_LOOPBACK_HTTP ("1" allows a
// plain-http issuer on a loopback host).
//
// With OKTA_ISSUER unset it starts a fake org with start(fake...), nil
// start meaning idxtest.NewServer, and configures its public client; the
// caller must then Close the Org. OKTA_CLIENT_ID or OKTA_CLIENT_SECRET
// without OKTA_ISSUER, or OKTA_ISSUER without OKTA_CLIENT_ID, is an error,
// and nothing is started.
func FromEnv(getenv func(string) string, start func(...idxtest.Option) *idxtest.Server, fake ...idxtest.Option) (*Org, error) {
	o := &Org{Config: idx.Config{
		Issuer:       strings.TrimSpace(getenv("OKTA_ISSUER")),
		ClientID:     strings.TrimSpace(getenv("OKTA_CLIENT_ID")),
		ClientSecret: getenv("OKTA_CLIENT_SECRET"),
		RedirectURI:  strings.TrimSpace(getenv("OKTA_REDIRECT_URI")),
		Scopes:       []string{"openid", "profile", "email"},
	}}
	if o.Config.RedirectURI == "" {
		o.Config.RedirectURI = idxtest.DefaultRedirectURI
	}
	if o.Config.Issuer != "" {
		if o.Config.ClientID == "" {
			return nil, errors.New("OKTA_CLIENT_ID must be set with OKTA_ISSUER")
		}
		if getenv("OKTA_INSECURE_LOOPBACK_HTTP") == "1" {
			o.Options = append(o.Options, idx.WithInsecureLoopbackHTTP())
		}
		return o, nil
	}
	if o.Config.ClientID != "" || o.Config.ClientSecret != "" {
		return nil, errors.New("OKTA_CLIENT_ID or OKTA_CLIENT_SECRET is set without OKTA_ISSUER")
	}
	if start == nil {
		start = idxtest.NewServer
	}
	o.Fake = start(fake...)
	if o.Fake == nil {
		return nil, errors.New("the fake org did not start")
	}
	o.Config.Issuer, o.Config.ClientID, o.Config.ClientSecret = o.Fake.Issuer(), idxtest.PublicClientID, ""
	o.Config.RedirectURI = idxtest.DefaultRedirectURI
	o.Options = append(o.Options, idx.WithInsecureLoopbackHTTP())
	return o, nil
}

// Close stops the fake org, if one was started.
func (o *Org) Close() {
	if o.Fake != nil {
		o.Fake.Close()
	}
}
