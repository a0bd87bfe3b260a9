package idxtest

import (
	"net/http"
	"net/url"
	"strings"
)

// This file is what clients do with tokens: userinfo, revoke, introspect
// and logout.

// userinfo is the /v1/userinfo body; claims appear per granted scope.
type userinfo struct {
	Subject           string `json:"sub"`
	Name              string `json:"name,omitempty"`
	GivenName         string `json:"given_name,omitempty"`
	FamilyName        string `json:"family_name,omitempty"`
	PreferredUsername string `json:"preferred_username,omitempty"`
	Locale            string `json:"locale,omitempty"`
	Email             string `json:"email,omitempty"`
	EmailVerified     *bool  `json:"email_verified,omitempty"`
}

func (s *Server) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	bearerError := func(status int, code, desc string) {
		// RFC 6750 section 3.1: no error code in the challenge when the
		// request carried no token at all.
		challenge := `Bearer realm="idxtest"`
		if code != "invalid_request" {
			challenge += `, error="` + code + `", error_description="` + desc + `"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
		writeJSON(w, status, "application/json", newOAuthError(status, code, desc))
	}
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" || !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		bearerError(http.StatusUnauthorized, "invalid_request", "The access token is missing.")
		return
	}
	token = strings.TrimSpace(token)
	now := s.now()
	s.mu.Lock()
	rec, ok := s.accessTokens[token]
	var claims userinfo
	if ok && now.Before(rec.expiresAt) && hasScope(rec.scopes, "openid") {
		u := rec.user
		claims.Subject = u.ID
		if hasScope(rec.scopes, "profile") {
			claims.Name = u.name()
			claims.GivenName = u.GivenName
			claims.FamilyName = u.FamilyName
			claims.PreferredUsername = u.Username
			claims.Locale = u.Locale
		}
		if hasScope(rec.scopes, "email") {
			claims.Email = u.Email
			claims.EmailVerified = ptr(true)
		}
	}
	s.mu.Unlock()
	switch {
	case !ok || !now.Before(rec.expiresAt):
		bearerError(http.StatusUnauthorized, "invalid_token", "The access token is invalid.")
	case claims.Subject == "":
		bearerError(http.StatusForbidden, "insufficient_scope", "The access token must provide access to at least one of these scopes - profile, email, address or phone")
	default:
		writeJSON(w, http.StatusOK, "application/json", claims)
	}
}

// tokenRequest reads a request that names a token (revocation,
// introspection): the client authenticated and the token given. On
// failure it has written the OAuth error and ok is false.
func (s *Server) tokenRequest(w http.ResponseWriter, r *http.Request) (app *App, token string, ok bool) {
	form, oerr := s.readForm(r)
	if oerr == nil {
		app, oerr = s.authenticateClient(r, form, true)
	}
	if oerr == nil {
		if token = form.Get("token"); token == "" {
			oerr = newOAuthError(http.StatusBadRequest, "invalid_request", "The 'token' parameter is required.")
		}
	}
	if oerr != nil {
		writeOAuthError(w, oerr)
		return nil, "", false
	}
	return app, token, true
}

// serveRevoke answers POST /v1/revoke (RFC 7009): 200 with an empty body,
// whether or not the token was known.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	app, token, ok := s.tokenRequest(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	if at, ok := s.accessTokens[token]; ok && at.clientID == app.ClientID {
		delete(s.accessTokens, token)
	}
	if rt, ok := s.refreshTokens[token]; ok && rt.clientID == app.ClientID {
		delete(s.refreshTokens, token)
	}
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// introspection is the RFC 7662 answer.
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Username  string `json:"username,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Aud       string `json:"aud,omitempty"`
	Iss       string `json:"iss,omitempty"`
	JTI       string `json:"jti,omitempty"`
	UID       string `json:"uid,omitempty"`
}

// serveIntrospectToken answers POST /v1/introspect for tokens this client
// holds.
func (s *Server) serveIntrospectToken(w http.ResponseWriter, r *http.Request) {
	app, token, ok := s.tokenRequest(w, r)
	if !ok {
		return
	}
	now := s.now()
	out := introspection{}
	s.mu.Lock()
	if at, ok := s.accessTokens[token]; ok && at.clientID == app.ClientID && now.Before(at.expiresAt) {
		out = introspection{
			Active: true, Scope: strings.Join(at.scopes, " "), ClientID: at.clientID, Username: at.user.Username,
			TokenType: "Bearer", Exp: at.expiresAt.Unix(), Iat: at.issuedAt.Unix(), Sub: at.user.Username,
			Aud: accessTokenAudience, Iss: s.Issuer(), JTI: at.jti, UID: at.user.ID,
		}
	} else if rt, ok := s.refreshTokens[token]; ok && rt.clientID == app.ClientID {
		out = introspection{
			Active: true, Scope: strings.Join(rt.scopes, " "), ClientID: rt.clientID, Username: rt.user.Username,
			TokenType: "refresh_token", Iat: rt.issuedAt.Unix(), Sub: rt.user.Username, Aud: accessTokenAudience,
			Iss: s.Issuer(), UID: rt.user.ID,
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, "application/json", out)
}

// serveLogout answers GET /v1/logout. There is no browser session to end;
// with an id_token_hint the server issued and a post_logout_redirect_uri on
// the same origin as one of that app's redirect URIs it redirects there
// (with state), otherwise it answers 200.
func (s *Server) serveLogout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	target := q.Get("post_logout_redirect_uri")
	if target == "" {
		writeJSON(w, http.StatusOK, "application/json", struct{}{})
		return
	}
	now := s.now()
	s.mu.Lock()
	rec, ok := s.idTokens[q.Get("id_token_hint")]
	var app *App
	if ok && now.Before(rec.expiresAt) {
		app = s.apps[rec.clientID]
	}
	s.mu.Unlock()
	u, err := url.Parse(target)
	if app == nil || err != nil || !sameOriginAsRedirect(app, u) {
		writeOAuthError(w, newOAuthError(http.StatusBadRequest, "invalid_request",
			"The 'post_logout_redirect_uri' needs a valid 'id_token_hint' and must be on the origin of one of the app's redirect URIs."))
		return
	}
	if st := q.Get("state"); st != "" {
		v := u.Query()
		v.Set("state", st)
		u.RawQuery = v.Encode()
	}
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func sameOriginAsRedirect(app *App, u *url.URL) bool {
	if u.Scheme == "" || u.Host == "" {
		return false
	}
	for _, r := range app.RedirectURIs {
		ru, err := url.Parse(r)
		if err == nil && strings.EqualFold(ru.Scheme, u.Scheme) && strings.EqualFold(ru.Host, u.Host) {
			return true
		}
	}
	return false
}
