package idxtest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// This file is the token endpoint: the interaction_code and refresh_token
// grants.

// serveToken answers POST /v1/token for the interaction_code and
// refresh_token grants.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	resp, oerr := s.token(r)
	if oerr != nil {
		writeOAuthError(w, oerr)
		return
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, "application/json", resp)
}

func (s *Server) token(r *http.Request) (*tokenResponse, *oauthError) {
	form, oerr := s.readForm(r)
	if oerr != nil {
		return nil, oerr
	}
	grantType := form.Get("grant_type")
	switch grantType {
	case "":
		return nil, newOAuthError(http.StatusBadRequest, "invalid_request", "The 'grant_type' parameter is required.")
	case "interaction_code", "refresh_token", deviceCodeGrantType:
	default:
		return nil, newOAuthError(http.StatusBadRequest, "unsupported_grant_type", "The grant type '"+grantType+"' is not supported.")
	}
	app, oerr := s.authenticateClient(r, form, true)
	if oerr != nil {
		return nil, oerr
	}
	if grantType == "refresh_token" {
		return s.refresh(app, form)
	}
	if grantType == deviceCodeGrantType {
		return s.redeemDeviceCode(app, form) // deviceactivation.go
	}
	return s.redeemInteractionCode(app, form)
}

func (s *Server) redeemInteractionCode(app *App, form url.Values) (*tokenResponse, *oauthError) {
	badGrant := newOAuthError(http.StatusBadRequest, "invalid_grant", "The interaction code is invalid or has expired.")
	code := form.Get("interaction_code")
	if code == "" {
		return nil, newOAuthError(http.StatusBadRequest, "invalid_request", "The 'interaction_code' parameter is required.")
	}
	verifier := form.Get("code_verifier")
	if verifier == "" {
		return nil, newOAuthError(http.StatusBadRequest, "invalid_request", "The 'code_verifier' parameter is required.")
	}
	now := s.now()
	s.mu.Lock()
	ic, ok := s.codes[code]
	if ok {
		// One attempt per code: whatever happens next, it is spent.
		delete(s.codes, code)
	}
	s.mu.Unlock()
	if !ok || !now.Before(ic.expiresAt) || ic.clientID != app.ClientID {
		return nil, badGrant
	}
	if !isPKCEValue(verifier) || subtle.ConstantTimeCompare([]byte(s256(verifier)), []byte(ic.codeChallenge)) != 1 {
		return nil, newOAuthError(http.StatusBadRequest, "invalid_grant", "PKCE verification failed.")
	}
	// Signed outside the lock; see mintTokens.
	resp, err := s.issueTokens(ic.grant, app, now, true)
	if err != nil {
		return nil, newOAuthError(http.StatusInternalServerError, "server_error", "Signing the tokens failed.")
	}
	return resp, nil
}

// refresh redeems a refresh token; the token is rotated.
func (s *Server) refresh(app *App, form url.Values) (*tokenResponse, *oauthError) {
	badGrant := newOAuthError(http.StatusBadRequest, "invalid_grant", "The refresh token is invalid or expired.")
	rt := form.Get("refresh_token")
	if rt == "" {
		return nil, newOAuthError(http.StatusBadRequest, "invalid_request", "The 'refresh_token' parameter is required.")
	}
	now := s.now()
	s.mu.Lock()
	rec, ok := s.refreshTokens[rt]
	if !ok || rec.clientID != app.ClientID {
		s.mu.Unlock()
		return nil, badGrant
	}
	g := rec.grant
	if scope := strings.Fields(form.Get("scope")); len(scope) > 0 {
		var narrowed []string
		for _, sc := range scope {
			if !hasScope(g.scopes, sc) {
				s.mu.Unlock()
				return nil, newOAuthError(http.StatusBadRequest, "invalid_scope", "The requested scope is not a subset of the original grant.")
			}
			if !hasScope(narrowed, sc) {
				narrowed = append(narrowed, sc)
			}
		}
		if !hasScope(narrowed, "offline_access") {
			narrowed = append(narrowed, "offline_access")
		}
		g.scopes = narrowed
	}
	delete(s.refreshTokens, rt)
	s.mu.Unlock()
	// Signed outside the lock; see mintTokens.
	resp, err := s.issueTokens(g, app, now, false)
	if err != nil {
		return nil, newOAuthError(http.StatusInternalServerError, "server_error", "Signing the tokens failed.")
	}
	return resp, nil
}
