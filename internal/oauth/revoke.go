package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/goidx/goidx/internal/transport"
)

// Revoke revokes token at the revocation endpoint of the discovery document
// (RFC 7009), authenticating as auth. hint is "access_token",
// "refresh_token" or empty. Revoking a token the server does not know is
// not an error (the endpoint answers 200). Revocation is idempotent, so the
// request is retried like a read. An OAuth error answer is returned as a
// [*TokenError].
func (p *Provider) Revoke(ctx context.Context, auth ClientAuth, token, hint string) error {
	if err := auth.validate(); err != nil {
		return err
	}
	if token == "" {
		return errors.New("token to revoke is empty")
	}
	m, err := p.Metadata(ctx)
	if err != nil {
		return err
	}
	if m.RevocationEndpoint == "" {
		return &ProviderError{Op: "discovery", Err: errors.New("no revocation_endpoint")}
	}
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	h := http.Header{
		"Accept":       {"application/json"},
		"Content-Type": {"application/x-www-form-urlencoded"},
	}
	if err := auth.ApplyTo(form, h, m.RevocationEndpoint, p.now()); err != nil {
		return err
	}
	resp, err := p.tc.Do(ctx, &transport.Request{
		Method:  http.MethodPost,
		URL:     m.RevocationEndpoint,
		Header:  h,
		Body:    []byte(form.Encode()),
		Rebuild: auth.rebuilder(form, m.RevocationEndpoint, p.now),
		Class:   transport.ClassRead,
	})
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusOK && len(resp.Body) == 0 {
		return nil
	}
	var eb oauthErrorBody
	return decodeOAuth(resp, &eb, &eb)
}
