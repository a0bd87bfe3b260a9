package idx

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/goidx/goidx/internal/oauth"
)

// privateKeyAuth checks the private_key_jwt part of cfg.
func privateKeyAuth(cfg Config) (oauth.ClientAuth, error) {
	switch {
	case cfg.ClientSecret != "", cfg.ClientSecretPost:
		return oauth.ClientAuth{}, &InputError{Field: "Config.ClientSecret", Reason: "must be empty with a PrivateKey"}
	}
	a := oauth.ClientAuth{Method: oauth.AuthPrivateKeyJWT, ClientID: cfg.ClientID, Signer: cfg.PrivateKey, KeyID: cfg.PrivateKeyID}
	if err := a.Validate(); err != nil {
		return oauth.ClientAuth{}, &InputError{Field: "Config.PrivateKey", Reason: "not an RSA (2048 bits or more) or ECDSA P-256 key"}
	}
	return a, nil
}

// publicClaims converts verified claims to the public type.
func publicClaims(c *oauth.IDTokenClaims) *IDTokenClaims {
	return &IDTokenClaims{
		Issuer: c.Issuer, Subject: c.Subject, Audience: c.Audience,
		Expiry: c.Expiry, IssuedAt: c.IssuedAt, AuthTime: c.AuthTime, Claims: c.Claims,
	}
}

// Refresh redeems t's refresh token at the org's token endpoint and
// returns the new tokens; t is not changed. There is a refresh token only
// when the sign-in asked for the offline_access scope and the app has the
// Refresh Token grant (see Config.Scopes); without one Refresh fails with
// an [*InputError] saying so. When the org rotates the
// refresh token the result carries the new one, else t's. A new ID token
// is verified as one from a refresh: no nonce is needed, but its subject
// must be the one of t's ID token (and at_hash, if present, must match the
// new access token); without a new ID token, t's is kept. expires_in is
// bounded to a day. An expired, revoked or already used refresh token
// gives an [*OAuthError] with Code "invalid_grant". Refresh does not touch
// the TokenStore; [TokenSource] does.
//
// The refresh request is not retried once it may have reached the org,
// since the org may have rotated the refresh token already.
func (c *Client) Refresh(ctx context.Context, t *Tokens) (*Tokens, error) {
	if t == nil || t.RefreshToken == "" {
		return nil, &InputError{Field: "Tokens.RefreshToken", Reason: "empty (sign in with the offline_access scope, and give the app the Refresh Token grant)"}
	}
	tr, err := c.provider.Refresh(ctx, oauth.RefreshRequest{Auth: c.auth, RefreshToken: string(t.RefreshToken)})
	if err != nil {
		return nil, wireError("token", err)
	}
	nt := cloneTokens(t)
	nt.TokenType = tr.TokenType
	nt.AccessToken = Secret(tr.AccessToken)
	if tr.RefreshToken != "" {
		nt.RefreshToken = Secret(tr.RefreshToken)
	}
	if scopes := strings.Fields(tr.Scope); len(scopes) > 0 {
		nt.Scopes = scopes
	}
	nt.Expiry = time.Time{}
	if tr.ExpiresIn > 0 {
		nt.Expiry = c.now().Add(time.Duration(tr.ExpiresIn) * time.Second)
	}
	if tr.IDToken != "" {
		if t.IDTokenClaims == nil || t.IDTokenClaims.Subject == "" {
			return nil, fmt.Errorf("idx: token endpoint: %w: a refreshed ID token cannot be checked without the original one's claims", ErrInvalidIDToken)
		}
		nonce, _ := t.IDTokenClaims.Claims["nonce"].(string)
		claims, err := c.provider.VerifyIDTokenWith(ctx, tr.IDToken, oauth.VerifyOptions{
			ClientID:    c.cfg.ClientID,
			Refresh:     true,
			Subject:     t.IDTokenClaims.Subject,
			Nonce:       nonce,
			AccessToken: tr.AccessToken,
		})
		if err != nil {
			return nil, wireError("", err)
		}
		nt.IDToken = Secret(tr.IDToken)
		nt.IDTokenClaims = publicClaims(claims)
	}
	c.log.DebugContext(ctx, "idx: tokens refreshed", "rotated", tr.RefreshToken != "")
	return &nt, nil
}

// TokenIntrospection is what the org says about a token (RFC 7662).
type TokenIntrospection struct {
	// Active reports whether the token is valid now. When false, the other
	// members are empty.
	Active bool
	// Subject is sub, Username is username, ClientID is client_id,
	// TokenType is token_type and Scopes are the words of scope.
	Subject, Username, ClientID, TokenType string
	Scopes                                 []string
	// Expiry is exp and IssuedAt iat, or the zero Time when absent.
	Expiry, IssuedAt time.Time
	// Claims holds every member of the answer.
	Claims map[string]any
}

// IntrospectToken asks the org whether token is active (RFC 7662), with
// the app's client authentication. hint is "access_token",
// "refresh_token", "id_token" or empty. An inactive, expired, revoked or
// unknown token is not an error: Active is false. An OAuth error answer is
// an [*OAuthError].
func (c *Client) IntrospectToken(ctx context.Context, token Secret, hint string) (*TokenIntrospection, error) {
	if token == "" {
		return nil, &InputError{Field: "token", Reason: "empty"}
	}
	switch hint {
	case "", "access_token", "refresh_token", "id_token", "device_secret":
	default:
		return nil, &InputError{Field: "hint", Reason: "not a token type hint"}
	}
	in, err := c.provider.Introspect(ctx, c.auth, string(token), hint)
	if err != nil {
		return nil, wireError("introspect", err)
	}
	str := func(k string) string { s, _ := in.Claims[k].(string); return s }
	tm := func(k string) time.Time {
		if f, ok := in.Claims[k].(float64); ok && f > 0 && f < 1e11 {
			return time.Unix(int64(f), 0)
		}
		return time.Time{}
	}
	return &TokenIntrospection{
		Active:    in.Active,
		Subject:   str("sub"),
		Username:  str("username"),
		ClientID:  str("client_id"),
		TokenType: str("token_type"),
		Scopes:    strings.Fields(str("scope")),
		Expiry:    tm("exp"),
		IssuedAt:  tm("iat"),
		Claims:    in.Claims,
	}, nil
}

// isInvalidGrant reports whether err is the org refusing a refresh token.
func isInvalidGrant(err error) bool {
	var oe *OAuthError
	return errors.As(err, &oe) && oe.Code == "invalid_grant"
}
