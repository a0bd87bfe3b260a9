package idxtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file is step-up and the sign-in hints: the acr_values, max_age,
// login_hint and prompt of /v1/interact, the org's session (the idx
// cookie) that max_age and prompt=login set aside, and the acr the ID
// token reflects.

// Okta's predefined authentication context classes, as /v1/interact
// takes them in acr_values.
const (
	acrOneFactor          = "urn:okta:loa:1fa:any"
	acrOneFactorPassword  = "urn:okta:loa:1fa:pwd"
	acrTwoFactors         = "urn:okta:loa:2fa:any"
	acrTwoFactorsIfPossib = "urn:okta:loa:2fa:any:ifpossible"
	acrPhishingResistant  = "phr"
	acrPhishingHardware   = "phrh"
)

// sessionCookie is the name of the cookie of the org's session, as
// Okta Identity Engine names it.
const sessionCookie = "idx"

// sessionLifetime is how long a session lasts unused.
const sessionLifetime = 2 * time.Hour

// hints are the sign-in hints an interaction started with.
type hints struct {
	acr       string // the class the sign-in must meet (the first of acr_values), "" for none
	maxAge    int64  // max_age in seconds, -1 when absent
	loginHint string
	prompt    string
	session   *orgSession // the session the client's cookie named, if live
}

// orgSession is a user's session at the org: who signed in, with which
// authenticators, when.
type orgSession struct {
	id        string
	user      *userRecord
	verified  []string
	amr       []string
	authTime  time.Time
	expiresAt time.Time
}

// stepUpState is the server's step-up state, under s.mu.
type stepUpState struct {
	sessions map[string]*orgSession
	// tamper edits the claims of every ID token before it is signed.
	tamper func(claims map[string]any)
}

// readHints reads and checks the hints of an interact request. r is the
// request, for the session cookie.
func (s *Server) readHints(r *http.Request, form url.Values) (hints, *oauthError) {
	invalid := func(desc string) (hints, *oauthError) {
		return hints{}, newOAuthError(http.StatusBadRequest, "invalid_request", desc)
	}
	h := hints{maxAge: -1, loginHint: form.Get("login_hint"), prompt: form.Get("prompt")}
	if v := form.Get("acr_values"); v != "" {
		for _, a := range strings.Fields(v) {
			switch a {
			case acrOneFactor, acrOneFactorPassword, acrTwoFactors, acrTwoFactorsIfPossib, acrPhishingResistant, acrPhishingHardware:
			default:
				return invalid("The 'acr_values' parameter value is not supported.")
			}
		}
		h.acr = strings.Fields(v)[0]
	}
	if v, ok := form["max_age"]; ok {
		n, err := strconv.ParseInt(v[0], 10, 64)
		if err != nil || n < 0 {
			return invalid("The 'max_age' parameter must be a non-negative integer.")
		}
		h.maxAge = n
	}
	for _, p := range strings.Fields(h.prompt) {
		switch p {
		case "login", "consent", "none":
		default:
			return invalid("The 'prompt' parameter value is not supported.")
		}
	}
	if len(h.loginHint) > 1024 {
		return invalid("The 'login_hint' parameter is too long.")
	}
	if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
		s.mu.Lock()
		if se := s.stepUp.sessions[ck.Value]; se != nil && s.now().Before(se.expiresAt) {
			h.session = se
		}
		s.mu.Unlock()
	}
	return h, nil
}

// usableSession returns the interaction's session unless prompt=login or
// max_age set it aside.
func (h *hints) usableSession(now time.Time) *orgSession {
	se := h.session
	switch {
	case se == nil, slices.Contains(strings.Fields(h.prompt), "login"):
		return nil
	case h.maxAge >= 0 && now.Sub(se.authTime) > time.Duration(h.maxAge)*time.Second:
		return nil
	}
	return se
}

// resumeSessionLocked starts t from the session of its interaction, if
// one is usable: the user and the authenticators it verified count, and
// the org asks only what the policy (raised by acr_values) still needs,
// or succeeds at once.
func (s *Server) resumeSessionLocked(now time.Time, t *transaction) *transaction {
	se := t.interaction.hints.usableSession(now)
	if se == nil || t.flow != flowAuthenticate || t.step != stepIdentify || se.user.Locked {
		return t
	}
	t.user = se.user
	t.verified = slices.Clone(se.verified)
	t.amr = slices.Clone(se.amr)
	t.sessionAuthTime = se.authTime
	c := &call{s: s, now: now, t: t}
	c.advance()
	return t
}

// requiredFactors is how many authenticators the transaction must verify:
// the policy's, raised by a two-factor or phishing-resistant acr.
func (c *call) requiredFactors() int {
	n := c.s.org.policy.factors()
	switch c.t.interaction.hints.acr {
	case acrTwoFactors, acrPhishingResistant, acrPhishingHardware:
		n = max(n, 2)
	case acrTwoFactorsIfPossib:
		if len(c.t.verified)+len(c.verifiable()) >= 2 {
			n = max(n, 2)
		}
	}
	return n
}

// identifierValue is the identify form's prefilled username: the
// login_hint.
func (c *call) identifierValue() any {
	if h := c.t.interaction.hints.loginHint; h != "" {
		return h
	}
	return nil
}

// authTime is the auth_time of a sign-in ending now: now when the user
// verified anything in this transaction, else the session's.
func (t *transaction) authTime(now time.Time) time.Time {
	if !t.sessionAuthTime.IsZero() && t.verifiedHere == 0 {
		return t.sessionAuthTime
	}
	return now
}

// startSessionLocked records the session of a sign-in that succeeded and
// returns its cookie.
func (s *Server) startSessionLocked(now time.Time, t *transaction, authTime time.Time) *http.Cookie {
	if s.stepUp.sessions == nil {
		s.stepUp.sessions = map[string]*orgSession{}
	}
	for id, se := range s.stepUp.sessions {
		if !now.Before(se.expiresAt) {
			delete(s.stepUp.sessions, id)
		}
	}
	se := &orgSession{
		id: randomToken(32), user: t.user, verified: slices.Clone(t.verified), amr: slices.Clone(t.amr),
		authTime: authTime, expiresAt: now.Add(sessionLifetime),
	}
	s.stepUp.sessions[se.id] = se
	return keepCookie(t, &http.Cookie{Name: sessionCookie, Value: se.id, Path: "/", HttpOnly: true, SameSite: http.SameSiteNoneMode, Secure: strings.HasPrefix(s.Issuer(), "https:")}, se)
}

// TamperIDTokens makes the org edit the claims of every ID token it
// issues from now on with f, before signing: a test sets "acr" to a class
// other than the one asked for, or "auth_time" to long ago, and sees the
// client refuse the token. The claims map holds JSON values (numbers are
// float64 or int64). nil stops the tampering.
func (s *Server) TamperIDTokens(f func(claims map[string]any)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stepUp.tamper = f
}

// tamperer returns the ID token tampering in force.
func (s *Server) tamperer() func(map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stepUp.tamper
}

// acrAllows reports whether a phishing-resistant acr lets key count: only
// WebAuthn (the password aside, verified at identify) is phishing
// resistant.
func (c *call) acrAllows(key string) bool {
	switch c.t.interaction.hints.acr {
	case acrPhishingResistant, acrPhishingHardware:
		return key == AuthenticatorWebAuthn || key == AuthenticatorPassword
	}
	return true
}

// signIDClaims signs the claims of an ID token, tampered with as
// TamperIDTokens asks.
func (s *Server) signIDClaims(id idClaims) (string, error) {
	f := s.tamperer()
	if f == nil {
		return s.keys.sign(id)
	}
	b, err := json.Marshal(id)
	if err != nil {
		return "", err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return "", err
	}
	f(m)
	return s.keys.sign(m)
}
