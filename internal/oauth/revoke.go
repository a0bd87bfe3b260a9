package oauth

import (
	"context"
	"net/http"
)

// Revoke revokes token at the revocation endpoint of the discovery document
// (RFC 7009), authenticating as auth. hint is "access_token",
// "refresh_token" or empty. Revoking a token the server does not know is
// not an error (the endpoint answers 200). Revocation is idempotent, so the
// request is retried like a read. An OAuth error answer is returned as a
// [*TokenError].
func (p *Provider) Revoke(ctx context.Context, auth ClientAuth, token, hint string) error {
	resp, err := p.postToken(ctx, revocation, auth, token, hint)
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusOK && len(resp.Body) == 0 {
		return nil
	}
	var eb oauthErrorBody
	return decodeOAuth(resp, &eb, &eb)
}
