// Package oauth implements the OAuth 2.0 and OpenID Connect side of the Okta
// Identity Engine interaction-code flow: PKCE (RFC 7636), client
// authentication (RFC 6749 §2.3), discovery (OpenID Connect Discovery 1.0),
// the /v1/interact call, the interaction_code grant at /v1/token, userinfo,
// and ID token verification (OpenID Connect Core §3.1.3.7) against a cached
// JWKS.
//
// A [Provider] is bound to one issuer and one [transport.Client]; all HTTP
// goes through that client, so its origin pinning, body limits and retry
// classes apply. A Provider is safe for concurrent use.
//
// Typical use by the IDX layer:
//
//	verifier, _ := oauth.NewVerifier()
//	state, _ := oauth.RandomToken(32)
//	nonce, _ := oauth.RandomToken(32)
//	handle, err := p.Interact(ctx, oauth.InteractRequest{
//		Auth: auth, Scopes: []string{"openid", "profile"},
//		RedirectURI: redirect, CodeChallenge: oauth.S256Challenge(verifier),
//		State: state, Nonce: nonce,
//	})
//	// ... IDX remediation until successWithInteractionCode ...
//	tok, err := p.ExchangeInteractionCode(ctx, tokenHref, auth, code, verifier)
//	claims, err := p.VerifyIDToken(ctx, tok.IDToken, auth.ClientID, nonce)
//
// Secrets (client secret, code verifier, interaction code, tokens) travel
// only in request bodies and headers, never in URLs, and never appear in
// error strings or in the fmt and slog forms of this package's types.
package oauth
