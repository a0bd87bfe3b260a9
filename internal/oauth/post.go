package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/goidx/goidx/internal/transport"
)

// postForm authenticates form as auth and POSTs it to endpoint (a full
// URL), asking for JSON. class tells the transport when the request may be
// sent again. Every call of an OAuth endpoint but userinfo goes through
// it.
func (p *Provider) postForm(ctx context.Context, endpoint string, auth ClientAuth, form url.Values, class transport.Class) (*transport.Response, error) {
	h := http.Header{
		"Accept":       {"application/json"},
		"Content-Type": {"application/x-www-form-urlencoded"},
	}
	if err := auth.ApplyTo(form, h, endpoint, p.now()); err != nil {
		return nil, err
	}
	return p.tc.Do(ctx, &transport.Request{
		Method:  http.MethodPost,
		URL:     endpoint,
		Header:  h,
		Body:    []byte(form.Encode()),
		Rebuild: auth.rebuilder(form, endpoint, p.now),
		Class:   class,
	})
}

// tokenEndpoint is a discovery document's endpoint that takes a token and
// its type hint: revocation (RFC 7009) or introspection (RFC 7662).
type tokenEndpoint struct {
	verb string                 // "revoke", for errors
	name string                 // the discovery member, for errors
	url  func(*Metadata) string // the endpoint's URL
}

var (
	revocation    = tokenEndpoint{"revoke", "revocation_endpoint", func(m *Metadata) string { return m.RevocationEndpoint }}
	introspection = tokenEndpoint{"introspect", "introspection_endpoint", func(m *Metadata) string { return m.IntrospectionEndpoint }}
)

// postToken sends token, with hint ("access_token", "refresh_token",
// "id_token" or empty) as token_type_hint, to e, authenticating as auth.
// Neither endpoint changes anything a second request would, so the
// request is retried like a read.
func (p *Provider) postToken(ctx context.Context, e tokenEndpoint, auth ClientAuth, token, hint string) (*transport.Response, error) {
	if err := auth.validate(); err != nil {
		return nil, err
	}
	if token == "" {
		return nil, errors.New("token to " + e.verb + " is empty")
	}
	m, err := p.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	endpoint := e.url(m)
	if endpoint == "" {
		return nil, &ProviderError{Op: "discovery", Err: errors.New("no " + e.name)}
	}
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	return p.postForm(ctx, endpoint, auth, form, transport.ClassRead)
}
