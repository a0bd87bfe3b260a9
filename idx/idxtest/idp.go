package idxtest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// This file is sign-in with an external identity provider: the identify
// step offers one redirect-idp remediation per IdP of the policy, and the
// server plays the IdPs too. Its href (GET /oauth2/v1/authorize with
// client_id and an opaque request_uri, as Okta's are) signs the IdP's user
// in at once and redirects to the app's redirect URI with interaction_code
// and state, or, for an IdP set to fail, with error=access_denied.

// idpAuthorizePath is the org authorization server's authorize endpoint,
// where the redirect-idp hrefs point.
const idpAuthorizePath = "/oauth2/v1/authorize"

// requestURIPrefix starts the request_uri of a redirect-idp href.
const requestURIPrefix = "urn:okta:"

// amrFederated is the amr of a sign-in by an external IdP.
const amrFederated = "fed"

// idpDoc is the idp object of a redirect-idp remediation.
type idpDoc struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// registerIdP gives IdPs without an ID one, and registers one redirect-idp
// form per IdP.
func registerIdP(o *org) {
	o.policy.IdPs = append([]IdP(nil), o.policy.IdPs...)
	for i := range o.policy.IdPs {
		if o.policy.IdPs[i].ID == "" {
			o.policy.IdPs[i].ID = randomOktaID("0oa")
		}
		o.addForm(redirectIdPFormName(o.policy.IdPs[i]), formDef{
			// Never posted to: the client follows the href with a GET.
			path:   "GET " + idpAuthorizePath,
			render: func(c *call) *ionForm { return renderRedirectIdP(c, i) },
		})
	}
}

// redirectIdPFormName is the registry name of idp's redirect-idp form.
func redirectIdPFormName(idp IdP) string { return "redirect-idp " + idp.ID }

func renderRedirectIdP(c *call, i int) *ionForm {
	t, idp := c.t, c.s.org.policy.IdPs[i]
	if t.ss.idpToken == "" {
		t.ss.idpToken = randomToken(32)
	}
	q := url.Values{
		"client_id":   {t.interaction.app.ClientID},
		"request_uri": {requestURIPrefix + t.ss.idpToken + "." + strconv.Itoa(i)},
	}
	return &ionForm{
		Name:   "redirect-idp",
		Type:   idp.Type,
		IdP:    &idpDoc{ID: idp.ID, Name: idp.Name},
		Href:   c.s.href(idpAuthorizePath) + "?" + q.Encode(),
		Method: http.MethodGet,
	}
}

// idpTxnLocked finds the transaction and IdP a request_uri names, if the
// transaction still offers the IdP to clientID.
func (s *Server) idpTxnLocked(now time.Time, clientID, requestURI string) (*transaction, IdP, bool) {
	rest, ok := strings.CutPrefix(requestURI, requestURIPrefix)
	dot := strings.LastIndexByte(rest, '.')
	if !ok || dot <= 0 {
		return nil, IdP{}, false
	}
	i, err := strconv.Atoi(rest[dot+1:])
	if err != nil || i < 0 || i >= len(s.org.policy.IdPs) {
		return nil, IdP{}, false
	}
	token := rest[:dot]
	for _, t := range s.transactions {
		if t.ss.idpToken == "" || subtle.ConstantTimeCompare([]byte(t.ss.idpToken), []byte(token)) != 1 {
			continue
		}
		if !now.Before(t.expiresAt) || t.step != stepIdentify || t.flow != flowAuthenticate || t.interaction.app.ClientID != clientID {
			return nil, IdP{}, false
		}
		return t, s.org.policy.IdPs[i], true
	}
	return nil, IdP{}, false
}

// serveIdPAuthorize plays the external IdP: its user signs in at once,
// and the browser goes back to the app's redirect URI.
func (s *Server) serveIdPAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := s.now()
	s.mu.Lock()
	t, idp, ok := s.idpTxnLocked(now, q.Get("client_id"), q.Get("request_uri"))
	if !ok {
		s.mu.Unlock()
		writeOAuthError(w, newOAuthError(http.StatusBadRequest, "invalid_request", "The request_uri is invalid or has expired."))
		return
	}
	ia := t.interaction
	back := url.Values{"state": {ia.state}}
	username := idp.Username
	if username == "" {
		username = DemoUsername
	}
	u := s.users[strings.ToLower(username)]
	switch {
	case idp.Fail:
		back.Set("error", "access_denied")
		back.Set("error_description", "The identity provider denied the sign-in.")
	case u == nil:
		back.Set("error", "access_denied")
		back.Set("error_description", "The identity provider's user has no account in the org.")
	default:
		c := &call{s: s, now: now, t: t}
		t.user, t.verified, t.amr = u, nil, []string{amrFederated}
		c.succeed()
		back.Set("interaction_code", t.successCode)
	}
	s.mu.Unlock()
	if back.Has("error") {
		s.cfg.logger.Info("idxtest external IdP sign-in refused")
	}
	redirectBack(w, r, ia.redirectURI, back)
}
