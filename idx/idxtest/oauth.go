package idxtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// This file is the org's default authorization server: discovery, JWKS,
// interact, token, userinfo, revoke, introspect and logout.

// supportedScopes returns the scopes the authorization server knows.
func supportedScopes() []string {
	return []string{"openid", "profile", "email", "address", "phone", "offline_access"}
}

// oauthError is an RFC 6749 error body.
type oauthError struct {
	status      int
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func (e *oauthError) Error() string { return e.Code + ": " + e.Description }

func newOAuthError(status int, code, desc string) *oauthError {
	return &oauthError{status: status, Code: code, Description: desc}
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	if e.status == http.StatusUnauthorized && e.Code == "invalid_client" {
		w.Header().Set("WWW-Authenticate", `Basic realm="idxtest"`)
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, e.status, "application/json", e)
}

// discovery is the OpenID Provider / OAuth server metadata document.
type discovery struct {
	Issuer                                 string   `json:"issuer"`
	AuthorizationEndpoint                  string   `json:"authorization_endpoint"`
	TokenEndpoint                          string   `json:"token_endpoint"`
	UserinfoEndpoint                       string   `json:"userinfo_endpoint"`
	JWKSURI                                string   `json:"jwks_uri"`
	ResponseTypesSupported                 []string `json:"response_types_supported"`
	ResponseModesSupported                 []string `json:"response_modes_supported"`
	GrantTypesSupported                    []string `json:"grant_types_supported"`
	SubjectTypesSupported                  []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported       []string `json:"id_token_signing_alg_values_supported"`
	ScopesSupported                        []string `json:"scopes_supported"`
	TokenEndpointAuthMethodsSupported      []string `json:"token_endpoint_auth_methods_supported"`
	ClaimsSupported                        []string `json:"claims_supported"`
	CodeChallengeMethodsSupported          []string `json:"code_challenge_methods_supported"`
	IntrospectionEndpoint                  string   `json:"introspection_endpoint"`
	IntrospectionEndpointAuthMethods       []string `json:"introspection_endpoint_auth_methods_supported"`
	RevocationEndpoint                     string   `json:"revocation_endpoint"`
	RevocationEndpointAuthMethodsSupported []string `json:"revocation_endpoint_auth_methods_supported"`
	EndSessionEndpoint                     string   `json:"end_session_endpoint"`
	RequestParameterSupported              bool     `json:"request_parameter_supported"`
}

func (s *Server) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	iss := s.Issuer()
	authMethods := []string{"client_secret_basic", "client_secret_post", "private_key_jwt", "none"}
	w.Header().Set("Cache-Control", "max-age=86400, must-revalidate")
	writeJSON(w, http.StatusOK, "application/json", discovery{
		Issuer:                                 iss,
		AuthorizationEndpoint:                  iss + "/v1/authorize",
		TokenEndpoint:                          iss + "/v1/token",
		UserinfoEndpoint:                       iss + "/v1/userinfo",
		JWKSURI:                                iss + "/v1/keys",
		ResponseTypesSupported:                 []string{"code"},
		ResponseModesSupported:                 []string{"query", "fragment", "form_post"},
		GrantTypesSupported:                    []string{"interaction_code", "refresh_token"},
		SubjectTypesSupported:                  []string{"public"},
		IDTokenSigningAlgValuesSupported:       []string{"RS256"},
		ScopesSupported:                        append(supportedScopes(), s.customScopeNames()...),
		TokenEndpointAuthMethodsSupported:      authMethods,
		ClaimsSupported:                        []string{"iss", "ver", "sub", "aud", "iat", "exp", "jti", "auth_time", "amr", "idp", "nonce", "name", "preferred_username", "given_name", "family_name", "email", "email_verified", "locale", "at_hash"},
		CodeChallengeMethodsSupported:          []string{"S256"},
		IntrospectionEndpoint:                  iss + "/v1/introspect",
		IntrospectionEndpointAuthMethods:       authMethods,
		RevocationEndpoint:                     iss + "/v1/revoke",
		RevocationEndpointAuthMethodsSupported: authMethods,
		EndSessionEndpoint:                     iss + "/v1/logout",
		RequestParameterSupported:              false,
	})
}

func (s *Server) serveKeys(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "max-age=3600, must-revalidate")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(s.keys.jwksBody())
}

// serveAuthorize refuses the browser redirect flow, which the fake does
// not implement.
func (s *Server) serveAuthorize(w http.ResponseWriter, _ *http.Request) {
	writeOAuthError(w, newOAuthError(http.StatusBadRequest, "unsupported_response_type",
		"idxtest implements only the interaction code flow (/v1/interact and the IDX API)."))
}

// readForm parses the parameters of a form-encoded POST: those of the
// body and, as Okta accepts them, those of the URL query. okta-idx-golang
// (v0.2.2) sends its token request's parameters, the client secret and
// the code verifier among them, in the query of the POST, where they end
// up in access logs and proxies' records; the server serves the request
// and warns in its log, naming the parameters (never their values). A
// parameter sent twice, in the query and the body or twice in one, is
// refused.
func (s *Server) readForm(r *http.Request) (url.Values, *oauthError) {
	if ct := r.Header.Get("Content-Type"); ct != formAccepts { // the usual value needs no parsing
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != formAccepts {
			return nil, newOAuthError(http.StatusBadRequest, "invalid_request", "The request body must be application/x-www-form-urlencoded.")
		}
	}
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, newOAuthError(http.StatusRequestEntityTooLarge, "invalid_request", "The request body is too large.")
		}
		return nil, newOAuthError(http.StatusBadRequest, "invalid_request", "The request body is not a valid form.")
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			return nil, newOAuthError(http.StatusBadRequest, "invalid_request", "The '"+k+"' parameter is repeated.")
		}
	}
	if r.URL.RawQuery == "" {
		return r.PostForm, nil
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, newOAuthError(http.StatusBadRequest, "invalid_request", "The URL query is not valid.")
	}
	form := make(url.Values, len(r.PostForm)+len(query))
	for k, v := range r.PostForm {
		form[k] = v
	}
	names := make([]string, 0, len(query))
	for k, v := range query {
		if len(v) > 1 || form.Has(k) {
			return nil, newOAuthError(http.StatusBadRequest, "invalid_request", "The '"+k+"' parameter is repeated.")
		}
		form[k] = v
		names = append(names, k)
	}
	slices.Sort(names)
	s.cfg.logger.LogAttrs(r.Context(), slog.LevelWarn,
		"idxtest: OAuth parameters in the URL query of a POST, served as Okta serves them; "+
			"a URL ends up in access logs and proxies, so secrets, codes and verifiers belong in the body",
		slog.String("path", r.URL.Path), slog.Any("parameters", names))
	return form, nil
}

// authenticateClient identifies the client of a token-endpoint-style
// request: client_secret_basic (id and secret URL-encoded, then base64, as
// RFC 6749 section 2.3.1 says), client_secret_post, or a bare client_id for
// public clients. A confidential client must authenticate when
// requireSecret is set; a public client must never send a secret.
func (s *Server) authenticateClient(r *http.Request, form url.Values, requireSecret bool) (*App, *oauthError) {
	badClient := func(desc string) (*App, *oauthError) {
		return nil, newOAuthError(http.StatusUnauthorized, "invalid_client", desc)
	}
	if form.Has("client_assertion") || form.Has("client_assertion_type") {
		return s.authenticateAssertion(r, form)
	}
	var clientID, secret string
	basic := false
	if h := r.Header.Get("Authorization"); h != "" {
		user, pass, ok := r.BasicAuth()
		if !ok {
			return badClient("Client authentication failed: the Authorization header is not HTTP Basic.")
		}
		var err1, err2 error
		clientID, err1 = url.QueryUnescape(user)
		secret, err2 = url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			return badClient("Client authentication failed: the Basic credentials are not URL-encoded correctly.")
		}
		if form.Has("client_secret") {
			return nil, newOAuthError(http.StatusBadRequest, "invalid_request", "The client used more than one authentication method.")
		}
		if id := form.Get("client_id"); id != "" && id != clientID {
			return badClient("Client authentication failed: client_id does not match the Basic credentials.")
		}
		basic = true
	} else {
		clientID = form.Get("client_id")
		secret = form.Get("client_secret")
	}
	if clientID == "" {
		return badClient("Client authentication failed: no client_id.")
	}
	s.mu.Lock()
	app := s.apps[clientID]
	s.mu.Unlock()
	if app == nil {
		return badClient("Invalid value for 'client_id' parameter.")
	}
	if s.cfg.jwtClients.key(app.ClientID) != nil {
		if basic || secret != "" || form.Has("client_secret") {
			return badClient("Client authentication failed: the client must authenticate with private_key_jwt.")
		}
		if requireSecret {
			return badClient("Client authentication failed: the client must send a client assertion.")
		}
		return app, nil
	}
	if !app.confidential() {
		if secret != "" || (!basic && form.Has("client_secret")) {
			return badClient("Client authentication failed: a public client must not send a client secret.")
		}
		return app, nil
	}
	if secret == "" {
		if requireSecret {
			return badClient("Client authentication failed: the client must authenticate with its secret.")
		}
		return app, nil
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(app.ClientSecret)) != 1 {
		return badClient("Client authentication failed: wrong client secret.")
	}
	return app, nil
}

// maxAssertionLifetime is how far ahead of now a client assertion's exp
// may be (Okta: one hour).
const maxAssertionLifetime = time.Hour

// clientAssertionType is the client_assertion_type of private_key_jwt.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// jwtClients are the apps that authenticate with private_key_jwt, and the
// jti values their assertions used.
type jwtClients struct {
	keys map[string]crypto.PublicKey // by client ID; fixed at construction

	mu   sync.Mutex
	seen map[string]time.Time // "clientID jti" -> exp of the assertion
}

// key returns the public key of a private_key_jwt app, or nil.
func (j *jwtClients) key(clientID string) crypto.PublicKey {
	if j == nil {
		return nil
	}
	return j.keys[clientID]
}

// use records jti of clientID, valid until exp, and reports whether it was
// new. Expired entries are forgotten: an assertion past its exp is refused
// anyway.
func (j *jwtClients) use(clientID, jti string, exp, now time.Time) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.seen) >= 1024 {
		for k, e := range j.seen {
			if now.After(e) {
				delete(j.seen, k)
			}
		}
	}
	k := clientID + " " + jti
	if _, ok := j.seen[k]; ok {
		return false
	}
	j.seen[k] = exp
	return true
}

// assertionKeyOK reports whether k can verify client assertions.
func assertionKeyOK(k crypto.PublicKey) bool {
	switch k := k.(type) {
	case *rsa.PublicKey:
		return k.N.BitLen() >= 2048
	case *ecdsa.PublicKey:
		return k.Curve == elliptic.P256()
	}
	return false
}

// authenticateAssertion checks a private_key_jwt client assertion (RFC
// 7523 section 3) sent to the endpoint r is for.
func (s *Server) authenticateAssertion(r *http.Request, form url.Values) (*App, *oauthError) {
	badClient := func(desc string) (*App, *oauthError) {
		return nil, newOAuthError(http.StatusUnauthorized, "invalid_client", desc)
	}
	if r.Header.Get("Authorization") != "" || form.Has("client_secret") {
		return nil, newOAuthError(http.StatusBadRequest, "invalid_request", "The client used more than one authentication method.")
	}
	if form.Get("client_assertion_type") != clientAssertionType {
		return badClient("The client_assertion_type is invalid.")
	}
	tok, err := jwt.ParseSigned(form.Get("client_assertion"), []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil || len(tok.Headers) != 1 {
		return badClient("The client_assertion is not a valid JWT.")
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return badClient("The client_assertion is not a valid JWT.")
	}
	clientID := unverified.Issuer
	if id := form.Get("client_id"); id != "" && id != clientID {
		return badClient("The client_id does not match the client_assertion.")
	}
	key := s.cfg.jwtClients.key(clientID)
	if key == nil {
		return badClient("The client is not registered for private_key_jwt.")
	}
	var c jwt.Claims
	if err := tok.Claims(key, &c); err != nil {
		return badClient("The client_assertion signature is invalid.")
	}
	now := s.now()
	endpoint := s.URL + r.URL.Path
	switch {
	case c.Issuer != clientID || c.Subject != clientID:
		return badClient("The client_assertion iss and sub must be the client ID.")
	case len(c.Audience) != 1 || c.Audience[0] != endpoint:
		return badClient("The client_assertion aud must be the URL of this endpoint.")
	case c.Expiry == nil:
		return badClient("The client_assertion has no exp.")
	case !now.Before(c.Expiry.Time()):
		return badClient("The client_assertion has expired.")
	case c.Expiry.Time().After(now.Add(maxAssertionLifetime)):
		return badClient("The client_assertion exp is more than an hour ahead.")
	case c.IssuedAt != nil && c.IssuedAt.Time().After(now.Add(time.Minute)):
		return badClient("The client_assertion iat is in the future.")
	case c.ID == "":
		return badClient("The client_assertion has no jti.")
	case !s.cfg.jwtClients.use(clientID, c.ID, c.Expiry.Time(), now):
		return badClient("The client_assertion jti has been used before.")
	}
	s.mu.Lock()
	app := s.apps[clientID]
	s.mu.Unlock()
	if app == nil {
		return badClient("Invalid value for 'client_id' parameter.")
	}
	return app, nil
}

// isPKCEValue reports whether v is 43 to 128 characters of the RFC 7636
// unreserved set.
func isPKCEValue(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, c := range v {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// s256 is the PKCE S256 transform of a code verifier.
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

type interactResponse struct {
	InteractionHandle string `json:"interaction_handle"`
}

// serveInteract answers POST /v1/interact: it starts a sign-in and returns
// its interaction handle.
func (s *Server) serveInteract(w http.ResponseWriter, r *http.Request) {
	form, oerr := s.readForm(r)
	if oerr == nil {
		var app *App
		app, oerr = s.authenticateClient(r, form, false)
		if oerr == nil {
			var ia *interaction
			var h hints
			if h, oerr = s.readHints(r, form); oerr == nil {
				ia, oerr = s.newInteraction(app, form, h)
			}
			if oerr == nil {
				writeJSON(w, http.StatusOK, "application/json", interactResponse{InteractionHandle: ia.handle})
				return
			}
		}
	}
	writeOAuthError(w, oerr)
}

func (s *Server) newInteraction(app *App, form url.Values, h hints) (*interaction, *oauthError) {
	invalid := func(desc string) (*interaction, *oauthError) {
		return nil, newOAuthError(http.StatusBadRequest, "invalid_request", desc)
	}
	redirectURI := form.Get("redirect_uri")
	if redirectURI == "" {
		return invalid("The 'redirect_uri' parameter is required.")
	}
	if !app.allowsRedirect(redirectURI) {
		return invalid("The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.")
	}
	scope := strings.Fields(form.Get("scope"))
	if len(scope) == 0 {
		return nil, newOAuthError(http.StatusBadRequest, "invalid_scope", "The 'scope' parameter is required.")
	}
	var granted []string
	for _, sc := range scope {
		if !hasScope(supportedScopes(), sc) && !hasScope(s.customScopeNames(), sc) {
			return nil, newOAuthError(http.StatusBadRequest, "invalid_scope", "One or more scopes are not configured for the authorization server resource.")
		}
		if hasScope(granted, sc) || (sc == "offline_access" && !app.RefreshTokens) {
			continue
		}
		granted = append(granted, sc)
	}
	if !hasScope(granted, "openid") && (hasScope(granted, "profile") || hasScope(granted, "email")) {
		return nil, newOAuthError(http.StatusBadRequest, "invalid_scope", "Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope.")
	}
	method := form.Get("code_challenge_method")
	if method == "" {
		return invalid("The 'code_challenge_method' parameter is required.")
	}
	if method != "S256" {
		return invalid("The 'code_challenge_method' parameter must be S256.")
	}
	challenge := form.Get("code_challenge")
	if !isPKCEValue(challenge) {
		return invalid("The 'code_challenge' parameter must be 43 to 128 characters of [A-Za-z0-9-._~].")
	}
	state := form.Get("state")
	if state == "" {
		return invalid("The 'state' parameter is required.")
	}
	now := s.now()
	ia := &interaction{
		handle:        randomToken(32),
		app:           app,
		redirectURI:   redirectURI,
		scopes:        granted,
		codeChallenge: challenge,
		state:         state,
		nonce:         form.Get("nonce"),
		expiresAt:     now.Add(s.cfg.transactionLifetime),
		hints:         h,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A recovery or activation token is used up by the interaction that
	// names it; one that is unknown, used or expired fails here.
	// Some orgs take it and say why in IDX instead (token_errors.go).
	if tok := form.Get("recovery_token"); tok != "" {
		if ia.recovery = takeGrantLocked(s.recoveryTokens, tok, now); ia.recovery == nil && !s.tokenErrorLocked(ia, nil, false, now) {
			return invalid("The recovery token is invalid")
		}
	}
	if tok := form.Get("activation_token"); tok != "" {
		g := s.activationTokens[tok]
		ia.activation = takeGrantLocked(s.activationTokens, tok, now)
		if ia.activation == nil || ia.activation.user.enrollments[AuthenticatorPassword] != nil {
			if ia.activation = nil; !s.tokenErrorLocked(ia, g, true, now) {
				return invalid("The activation token is invalid")
			}
		}
	}
	s.maybeSweepLocked(now)
	s.interactions[ia.handle] = ia
	return ia, nil
}

// minSweepInterval is the least number of interactions started between
// two sweeps.
const minSweepInterval = 64

// maybeSweepLocked sweeps once enough interactions have started since the
// last sweep: a quarter of the entries the sweep walks, and at least
// minSweepInterval. A sweep costs time in proportion to what the server
// holds, so sweeping on every interaction made starting a sign-in slower
// the more sign-ins (and their tokens, kept for an hour) the server held;
// this way each interaction pays a constant share, and what has expired
// is still forgotten, a little later.
func (s *Server) maybeSweepLocked(now time.Time) {
	s.sinceSweep++
	held := len(s.interactions) + len(s.transactions) + len(s.codes) + len(s.accessTokens) + len(s.idTokens)
	if s.sinceSweep < max(minSweepInterval, held/4) {
		return
	}
	s.sinceSweep = 0
	s.sweepLocked(now)
}

// expired reports whether at has come by now.
func expired(now, at time.Time) bool { return !now.Before(at) }

// sweepLocked forgets everything that has expired, so a long-running fake
// does not grow without bound.
func (s *Server) sweepLocked(now time.Time) {
	maps.DeleteFunc(s.interactions, func(_ string, ia *interaction) bool {
		return ia.done || (ia.txn == nil && expired(now, ia.expiresAt)) || (ia.txn != nil && expired(now, ia.txn.expiresAt))
	})
	maps.DeleteFunc(s.transactions, func(_ string, t *transaction) bool { return expired(now, t.expiresAt) })
	maps.DeleteFunc(s.codes, func(_ string, ic *interactionCode) bool { return expired(now, ic.expiresAt) })
	maps.DeleteFunc(s.accessTokens, func(_ string, at *accessRecord) bool { return expired(now, at.expiresAt) })
	maps.DeleteFunc(s.idTokens, func(_ string, it idTokenRecord) bool { return expired(now, it.expiresAt) })
}
