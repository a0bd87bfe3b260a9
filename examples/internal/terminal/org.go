package terminal

import (
	"errors"

	"github.com/goidx/goidx/examples/internal/config"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// Org is the org an example talks to: its client configuration and
// options, and the embedded fake org when the configuration names none.
type Org struct {
	// Config is the client configuration.
	Config idx.Config
	// Options are the client options: WithInsecureLoopbackHTTP for the
	// fake org, or when the loopback switch is set.
	Options []idx.ClientOption
	// Fake is the embedded fake org, nil when OKTA_ISSUER names an org.
	Fake *idxtest.Server
}

// NewOrg returns the org of c (see package config): the org it names, its
// redirect URI defaulting to idxtest.DefaultRedirectURI; or, with no
// issuer, a fake org started with start(fake...), nil start meaning
// idxtest.NewServer, whose public app the client uses. The caller must
// Close the Org.
func NewOrg(c config.Org, start func(...idxtest.Option) *idxtest.Server, fake ...idxtest.Option) (*Org, error) {
	if !c.Fake() {
		return &Org{Config: c.ClientConfig(idxtest.DefaultRedirectURI), Options: c.ClientOptions()}, nil
	}
	if start == nil {
		start = idxtest.NewServer
	}
	o := &Org{Fake: start(fake...)}
	if o.Fake == nil {
		return nil, errors.New("the fake org did not start")
	}
	o.Config = c.ClientConfig(idxtest.DefaultRedirectURI)
	o.Config.Issuer, o.Config.ClientID, o.Config.ClientSecret = o.Fake.Issuer(), idxtest.PublicClientID, ""
	o.Options = []idx.ClientOption{idx.WithInsecureLoopbackHTTP()}
	return o, nil
}

// Close stops the fake org, if one was started.
func (o *Org) Close() {
	if o.Fake != nil {
		o.Fake.Close()
	}
}
