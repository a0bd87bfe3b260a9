package oauth

import (
	"context"
	"encoding/json"
)

// Introspection is the answer of a token introspection (RFC 7662 §2.2).
type Introspection struct {
	// Active reports whether the token is currently active. When false,
	// the other members are empty: the server says nothing else about an
	// inactive token.
	Active bool
	// Claims holds every member of the answer, "active" included.
	Claims map[string]any
}

// Introspect asks the discovery document's introspection_endpoint about
// token (RFC 7662), authenticating as auth. hint is "access_token",
// "refresh_token", "id_token" or empty. Introspection does not change
// the token, so the request is retried like a read. An OAuth error answer
// is returned as a [*TokenError]; an answer without a boolean "active"
// fails with [ErrMalformedResponse].
func (p *Provider) Introspect(ctx context.Context, auth ClientAuth, token, hint string) (*Introspection, error) {
	resp, err := p.postToken(ctx, introspection, auth, token, hint)
	if err != nil {
		return nil, err
	}
	var eb oauthErrorBody
	if err := decodeOAuth(resp, &eb, &eb); err != nil {
		return nil, err
	}
	var claims map[string]any
	if err := json.Unmarshal(resp.Body, &claims); err != nil || claims == nil {
		return nil, malformed("introspection response is not a JSON object")
	}
	active, ok := claims["active"].(bool)
	if !ok {
		return nil, malformed("introspection response has no boolean active")
	}
	if !active {
		claims = map[string]any{"active": false}
	}
	return &Introspection{Active: active, Claims: claims}, nil
}
