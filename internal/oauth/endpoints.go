package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/goidx/goidx/internal/transport"
)

// InteractRequest holds the parameters of a /v1/interact call.
type InteractRequest struct {
	// Auth is the client's authentication.
	Auth ClientAuth
	// Scopes are the requested scopes; at least one is required.
	Scopes []string
	// RedirectURI is the registered redirect URI.
	RedirectURI string
	// CodeChallenge is S256Challenge(verifier); the method is always S256.
	CodeChallenge string
	// State and Nonce are per-flow random values (see [RandomToken]); both
	// are required.
	State, Nonce string
	// Extra holds optional parameters such as login_hint, acr_values,
	// activation_token or recovery_token. It must not repeat a parameter
	// set from the fields above or by client authentication.
	Extra url.Values
}

// reservedInteractParams are set by Interact and may not appear in Extra.
var reservedInteractParams = []string{
	"client_id", "client_secret", "scope", "redirect_uri", "code_challenge",
	"code_challenge_method", "state", "nonce", "code_verifier", "grant_type",
}

// Interact starts an interaction-code flow: it POSTs the form to
// BaseURL()+"/interact" (with code_challenge_method=S256) and returns the
// interaction handle. An OAuth error answer is returned as a [*TokenError].
func (p *Provider) Interact(ctx context.Context, r InteractRequest) (handle string, err error) {
	if err := r.Auth.validate(); err != nil {
		return "", err
	}
	switch {
	case len(r.Scopes) == 0:
		return "", errors.New("at least one scope is required")
	case r.RedirectURI == "":
		return "", errors.New("a redirect URI is required")
	case !validChallenge(r.CodeChallenge):
		return "", errors.New("an S256 code challenge is required")
	case r.State == "" || r.Nonce == "":
		return "", errors.New("a state and a nonce are required")
	}
	for _, k := range reservedInteractParams {
		if _, ok := r.Extra[k]; ok {
			return "", fmt.Errorf("the extra parameters must not set %q", k)
		}
	}
	form := url.Values{}
	for k, v := range r.Extra {
		form[k] = append([]string(nil), v...)
	}
	form.Set("scope", strings.Join(r.Scopes, " "))
	form.Set("redirect_uri", r.RedirectURI)
	form.Set("code_challenge", r.CodeChallenge)
	form.Set("code_challenge_method", "S256")
	form.Set("state", r.State)
	form.Set("nonce", r.Nonce)
	resp, err := p.postForm(ctx, p.base+"/interact", r.Auth, form, transport.ClassInteract)
	if err != nil {
		return "", err
	}
	var body struct {
		InteractionHandle string `json:"interaction_handle"`
		oauthErrorBody
	}
	if err := decodeOAuth(resp, &body, &body.oauthErrorBody); err != nil {
		return "", err
	}
	if body.InteractionHandle == "" {
		return "", malformed("interact response has no interaction_handle")
	}
	return body.InteractionHandle, nil
}

// TokenResponse is a successful token endpoint response. Its fmt and slog
// forms redact the tokens; note that encoding/json does not.
type TokenResponse struct {
	// TokenType is token_type, normally "Bearer".
	TokenType string
	// AccessToken is access_token.
	AccessToken string
	// RefreshToken is refresh_token; empty unless offline_access was
	// granted.
	RefreshToken string
	// IDToken is id_token, unverified; see [Provider.VerifyIDToken].
	IDToken string
	// Scope is the granted scope, space-separated.
	Scope string
	// ExpiresIn is expires_in in seconds, or 0 when absent.
	ExpiresIn int64
}

func redact(s string) string {
	if s == "" {
		return "<none>"
	}
	return "<redacted>"
}

// String returns a description of t with the tokens redacted.
func (t TokenResponse) String() string {
	return fmt.Sprintf("oauth.TokenResponse{TokenType: %q, AccessToken: %s, RefreshToken: %s, IDToken: %s, Scope: %q, ExpiresIn: %d}",
		t.TokenType, redact(t.AccessToken), redact(t.RefreshToken), redact(t.IDToken), t.Scope, t.ExpiresIn)
}

// GoString is like String, so that %#v redacts the tokens too.
func (t TokenResponse) GoString() string { return t.String() }

// LogValue implements slog.LogValuer with the tokens redacted.
func (t TokenResponse) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("token_type", t.TokenType),
		slog.String("access_token", redact(t.AccessToken)),
		slog.String("refresh_token", redact(t.RefreshToken)),
		slog.String("id_token", redact(t.IDToken)),
		slog.String("scope", t.Scope),
		slog.Int64("expires_in", t.ExpiresIn),
	)
}

// ExchangeInteractionCode redeems an interaction code at tokenURL (the href
// of the IDX successWithInteractionCode form, which must be on the issuer's
// origin) with grant_type=interaction_code and the PKCE verifier. The code,
// verifier and client secret go only in the form body or the Authorization
// header. The request is not retried once it may have reached the server
// (the code is single-use). An OAuth error answer, including a 200 carrying
// "error", is returned as a [*TokenError]; a success without access_token or
// token_type fails with [ErrMalformedResponse].
func (p *Provider) ExchangeInteractionCode(ctx context.Context, tokenURL string, auth ClientAuth, code, verifier string) (*TokenResponse, error) {
	if err := auth.validate(); err != nil {
		return nil, err
	}
	if code == "" {
		return nil, errors.New("interaction code is empty")
	}
	if !validVerifier(verifier) {
		return nil, errors.New("code verifier is not a valid PKCE verifier")
	}
	if err := p.checkEndpoint(tokenURL); err != nil {
		return nil, fmt.Errorf("token URL: %w", err)
	}
	// A query on tokenURL is refused by the transport, as on every POST.
	form := url.Values{
		"grant_type":       {"interaction_code"},
		"interaction_code": {code},
		"code_verifier":    {verifier},
	}
	return p.tokenRequest(ctx, tokenURL, auth, form)
}

// MaxExpiresIn bounds the expires_in of a token response: larger values
// are cut to it. Okta's longest access token lifetime is a day.
const MaxExpiresIn = 24 * 60 * 60

// tokenRequest authenticates form as auth, POSTs it to tokenURL and
// parses the answer. It is never retried once it may have reached the
// server: an interaction code is single-use and a refresh token may be
// rotated by the request.
func (p *Provider) tokenRequest(ctx context.Context, tokenURL string, auth ClientAuth, form url.Values) (*TokenResponse, error) {
	resp, err := p.postForm(ctx, tokenURL, auth, form, transport.ClassToken)
	if err != nil {
		return nil, err
	}
	return parseTokenResponse(resp)
}

// parseTokenResponse decodes a token endpoint answer. An OAuth error
// answer, including a 200 carrying "error", is a [*TokenError]; a success
// without access_token or token_type, or with an expires_in that is not a
// number, fails with [ErrMalformedResponse]. A negative expires_in becomes
// 0 (unknown) and one above [MaxExpiresIn] becomes MaxExpiresIn.
func parseTokenResponse(resp *transport.Response) (*TokenResponse, error) {
	var body struct {
		TokenType    string      `json:"token_type"`
		AccessToken  string      `json:"access_token"`
		RefreshToken string      `json:"refresh_token"`
		IDToken      string      `json:"id_token"`
		Scope        string      `json:"scope"`
		ExpiresIn    json.Number `json:"expires_in"`
		oauthErrorBody
	}
	if err := decodeOAuth(resp, &body, &body.oauthErrorBody); err != nil {
		return nil, err
	}
	if body.AccessToken == "" {
		return nil, malformed("token response has no access_token")
	}
	if body.TokenType == "" {
		return nil, malformed("token response has no token_type")
	}
	t := &TokenResponse{
		TokenType:    body.TokenType,
		AccessToken:  body.AccessToken,
		RefreshToken: body.RefreshToken,
		IDToken:      body.IDToken,
		Scope:        body.Scope,
	}
	if body.ExpiresIn != "" {
		f, err := strconv.ParseFloat(string(body.ExpiresIn), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, malformed("token response has an invalid expires_in")
		}
		t.ExpiresIn = int64(min(max(f, 0), MaxExpiresIn))
	}
	return t, nil
}

// RefreshRequest holds the parameters of a refresh_token grant.
type RefreshRequest struct {
	// Auth is the client's authentication.
	Auth ClientAuth
	// RefreshToken is the refresh token to redeem.
	RefreshToken string
	// Scopes optionally narrows the granted scopes; empty keeps them.
	Scopes []string
}

// Refresh redeems a refresh token at the discovery document's
// token_endpoint (BaseURL()+"/token" when it names none) with
// grant_type=refresh_token. The refresh token and the client credentials
// go only in the form body or the Authorization header. The request is not
// retried once it may have reached the server, since the server may rotate
// the refresh token. Errors are as for [Provider.ExchangeInteractionCode];
// invalid_grant (an expired, revoked or already rotated refresh token) is
// a [*TokenError] with that Code. The response's ID token, if any, is not
// verified; see [VerifyOptions.Refresh].
func (p *Provider) Refresh(ctx context.Context, r RefreshRequest) (*TokenResponse, error) {
	if err := r.Auth.validate(); err != nil {
		return nil, err
	}
	if r.RefreshToken == "" {
		return nil, errors.New("refresh token is empty")
	}
	m, err := p.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	tokenURL := m.TokenEndpoint
	if tokenURL == "" {
		tokenURL = p.base + "/token"
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {r.RefreshToken},
	}
	if len(r.Scopes) > 0 {
		form.Set("scope", strings.Join(r.Scopes, " "))
	}
	return p.tokenRequest(ctx, tokenURL, r.Auth, form)
}

// UserInfo fetches the userinfo endpoint from the discovery document with
// accessToken as a Bearer token and returns the claims. The response must
// carry a "sub"; checking that it equals the ID token's subject is up to the
// caller (OpenID Connect Core §5.3.2). An error answer is returned as a
// [*TokenError].
func (p *Provider) UserInfo(ctx context.Context, accessToken string) (map[string]any, error) {
	if accessToken == "" {
		return nil, errors.New("access token is empty")
	}
	m, err := p.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	if m.UserinfoEndpoint == "" {
		return nil, &ProviderError{Op: "discovery", Err: errors.New("no userinfo_endpoint")}
	}
	resp, err := p.tc.Do(ctx, &transport.Request{
		Method: http.MethodGet,
		URL:    m.UserinfoEndpoint,
		Header: http.Header{
			"Accept":        {"application/json"},
			"Authorization": {"Bearer " + accessToken},
		},
		Class: transport.ClassRead,
	})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		te := &TokenError{StatusCode: resp.StatusCode}
		var eb oauthErrorBody
		if json.Unmarshal(resp.Body, &eb) == nil && eb.Error != "" {
			te.Code, te.Description = eb.Error, eb.ErrorDescription
		} else {
			te.Code = bearerError(resp.Header.Get("WWW-Authenticate"))
		}
		return nil, te
	}
	var claims map[string]any
	if err := json.Unmarshal(resp.Body, &claims); err != nil || claims == nil {
		return nil, malformed("userinfo response is not a JSON object")
	}
	if sub, _ := claims["sub"].(string); sub == "" {
		return nil, malformed("userinfo response has no sub")
	}
	return claims, nil
}

// oauthErrorBody is the error part of an OAuth JSON response.
type oauthErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// decodeOAuth decodes a JSON response into v, whose embedded error part is
// eb, and maps OAuth errors and non-2xx statuses to *TokenError.
func decodeOAuth(resp *transport.Response, v any, eb *oauthErrorBody) error {
	var decodeErr error
	if len(resp.Body) == 0 {
		decodeErr = errors.New("empty body")
	} else {
		decodeErr = json.Unmarshal(resp.Body, v)
	}
	if decodeErr == nil && eb.Error != "" {
		return &TokenError{StatusCode: resp.StatusCode, Code: eb.Error, Description: eb.ErrorDescription}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &TokenError{StatusCode: resp.StatusCode}
	}
	if decodeErr != nil {
		return malformed("response is not a JSON object of the expected shape")
	}
	return nil
}

// bearerError extracts the error parameter of a Bearer WWW-Authenticate
// challenge (RFC 6750 §3).
func bearerError(h string) string {
	_, params, ok := strings.Cut(h, " ")
	if !ok {
		return ""
	}
	for p := range strings.SplitSeq(params, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(k, "error") {
			return sanitizeCode(strings.Trim(v, `"`))
		}
	}
	return ""
}
