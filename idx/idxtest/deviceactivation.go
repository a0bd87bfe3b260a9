package idxtest

import (
	"crypto/rand"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// This file is the OAuth 2.0 device authorization grant (RFC 8628), as
// Okta serves it:
//
//   - the device: POST {issuer}/v1/device/authorize (client_id, scope)
//     answers a device_code, a user_code and the verification URIs; the
//     device then polls the token endpoint with grant_type
//     urn:ietf:params:oauth:grant-type:device_code, answered
//     authorization_pending until the user is done, then with tokens, or
//     access_denied when the user refused consent, expired_token past the
//     code's lifetime;
//   - the user: the org's page GET {URL}/activate (verification_uri;
//     ?user_code= with the code filled in) starts an IDX transaction at
//     the user-code remediation and answers a page that holds its
//     stateHandle, as Okta's page hands its stateToken to the Sign-In
//     Widget. A client takes it up by introspecting {"stateToken": ...}
//     ([Server.StartDeviceActivation] does the same without the page).
//     The code given (with or without its hyphen, in any case) moves the
//     transaction to identify and the org's usual sign-in (and consent,
//     with Policy.Consent); at its end the transaction is the
//     idx.device.activated terminal answer, or, consent refused,
//     idx.device.not.activated.consent.denied. An unknown, used or expired
//     code is answered 400 with only idx.invalid.device.code, and the
//     transaction stays at user-code.
//
// The fake does not model: the page's HTML (it is a stand-in holding the
// stateHandle, no sign-in widget), slow_down answers to a device that
// polls too often, the org's session on the page (the user signs in
// anew), and the app setting that allows the grant (every app may use
// it).

const (
	deviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code"
	// deviceAccepts is the media type the user-code form accepts.
	deviceAccepts = "application/vnd.okta.v1+json"
	// activatePath is the org's device activation page.
	activatePath = "/activate"
	// deviceCodeLifetime is how long a device code and its user code
	// last, and devicePollInterval how often the device may poll.
	deviceCodeLifetime     = 10 * time.Minute
	devicePollInterval     = 5
	stepUserCode           = "user-code"
	stepDeviceActivated    = "terminal-device-activated"
	stepDeviceNotActivated = "terminal-device-not-activated"
)

// deviceGrant is one device authorization: the device's app and scopes,
// and, once the user is done, who activated it.
type deviceGrant struct {
	deviceCode, userCode string
	app                  *App
	scopes               []string
	expiresAt            time.Time
	used                 bool   // a transaction took the user code
	outcome              string // "", "activated" or "denied"
	grant                grant  // the user's, once activated
	redeemed             bool
}

// deviceGrants is the server's device grants, by device code and by user
// code.
type deviceGrants struct {
	byDeviceCode, byUserCode map[string]*deviceGrant
}

// DeviceAuthorization is the answer of the device authorization endpoint,
// as RFC 8628 names its members.
type DeviceAuthorization struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int    `json:"expires_in"`
	Interval                int    `json:"interval"`
}

func msgDeviceActivated() ionMessage {
	return infoMessage("Follow the instructions on your device for next steps", "idx.device.activated")
}

func msgDeviceConsentDenied() ionMessage {
	return infoMessage("Your device cannot be activated because you did not allow access", "idx.device.not.activated.consent.denied")
}

func msgInvalidDeviceCode() ionMessage {
	return errorMessage("Invalid code. Try again.", "idx.invalid.device.code")
}

func registerDevice(o *org) {
	// The page offers no cancel, and its ends name no user.
	o.addStep(stepUserCode, stepDef{
		forms:    func(*call) []string { return []string{"user-code"} },
		decorate: func(_ *call, resp *idxResponse) { resp.Cancel = nil },
		page:     "IDENTIFY",
	})
	for step, msg := range map[string]func() ionMessage{stepDeviceActivated: msgDeviceActivated, stepDeviceNotActivated: msgDeviceConsentDenied} {
		o.addStep(step, stepDef{
			forms: func(*call) []string { return nil },
			decorate: func(_ *call, resp *idxResponse) {
				resp.Cancel = nil
				resp.addMessage(msg())
			},
		})
	}
	o.addForm("user-code", formDef{path: "/idp/idx/device/activate", render: renderUserCode, submit: submitUserCode})
}

// userCodeAlphabet are the letters of user codes: no vowels, so that no
// code spells a word, as RFC 8628 advises.
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

func newUserCode() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
	}
	return string(b)
}

// normalUserCode is a user code as typed: its hyphen and spaces left out,
// upper case.
func normalUserCode(code string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, code))
}

// serveDeviceAuthorize answers POST {issuer}/v1/device/authorize.
func (s *Server) serveDeviceAuthorize(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	form, oerr := s.readForm(r)
	if oerr == nil {
		var app *App
		if app, oerr = s.authenticateClient(r, form, true); oerr == nil {
			var da *DeviceAuthorization
			if da, oerr = s.deviceAuthorize(app, strings.Fields(form.Get("scope"))); oerr == nil {
				writeJSON(w, http.StatusOK, "application/json", da)
				return
			}
		}
	}
	writeOAuthError(w, oerr)
}

// DeviceAuthorize starts a device authorization for the app with clientID
// and scopes, as a device does at {issuer}/v1/device/authorize.
func (s *Server) DeviceAuthorize(clientID string, scopes ...string) (DeviceAuthorization, error) {
	s.mu.Lock()
	app := s.apps[clientID]
	s.mu.Unlock()
	if app == nil {
		return DeviceAuthorization{}, newOAuthError(http.StatusUnauthorized, "invalid_client", "Invalid value for 'client_id' parameter.")
	}
	da, oerr := s.deviceAuthorize(app, scopes)
	if oerr != nil {
		return DeviceAuthorization{}, oerr
	}
	return *da, nil
}

func (s *Server) deviceAuthorize(app *App, scopes []string) (*DeviceAuthorization, *oauthError) {
	if len(scopes) == 0 {
		return nil, newOAuthError(http.StatusBadRequest, "invalid_scope", "The 'scope' parameter is required.")
	}
	for _, sc := range scopes {
		if !hasScope(supportedScopes(), sc) && !hasScope(s.customScopeNames(), sc) {
			return nil, newOAuthError(http.StatusBadRequest, "invalid_scope", "One or more scopes are not configured for the authorization server resource.")
		}
	}
	now := s.now()
	g := &deviceGrant{deviceCode: randomToken(32), userCode: newUserCode(), app: app,
		scopes: slices.Compact(slices.Clone(scopes)), expiresAt: now.Add(deviceCodeLifetime)}
	s.mu.Lock()
	if s.devices.byDeviceCode == nil {
		s.devices = deviceGrants{byDeviceCode: map[string]*deviceGrant{}, byUserCode: map[string]*deviceGrant{}}
	}
	s.devices.byDeviceCode[g.deviceCode] = g
	s.devices.byUserCode[g.userCode] = g
	s.mu.Unlock()
	page := s.href(activatePath)
	return &DeviceAuthorization{
		DeviceCode: g.deviceCode, UserCode: g.userCode,
		VerificationURI: page, VerificationURIComplete: page + "?user_code=" + url.QueryEscape(g.userCode),
		ExpiresIn: int(deviceCodeLifetime / time.Second), Interval: devicePollInterval,
	}, nil
}

// StartDeviceActivation starts the IDX transaction of the org's device
// activation page and returns its stateHandle, as the page
// {URL}/activate holds it: a client takes it up by introspecting
// {"stateToken": handle}. userCode, when not empty, is filled in, as
// the page does with ?user_code=.
func (s *Server) StartDeviceActivation(userCode string) string {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.startActivationPageLocked(now, userCode).handle
}

// startActivationPageLocked starts a transaction at user-code. Until a
// code is given it belongs to no app: the org's own dashboard app
// stands in.
func (s *Server) startActivationPageLocked(now time.Time, userCode string) *transaction {
	ia := &interaction{app: &App{ClientID: "okta_enduser"}, expiresAt: now.Add(s.cfg.transactionLifetime)}
	t := s.newTxnLocked(now, ia)
	t.step = stepUserCode
	t.pending = userCode
	return t
}

var activatePage = template.Must(template.New("activate").Parse(`<!doctype html>
<html><head><title>Activate your device</title></head>
<body><main id="okta-sign-in" data-state-token="{{.}}">Activate your device</main></body></html>
`))

// serveActivatePage answers GET {URL}/activate: a page holding the
// stateHandle of a new activation transaction in data-state-token.
func (s *Server) serveActivatePage(w http.ResponseWriter, r *http.Request) {
	handle := s.StartDeviceActivation(r.URL.Query().Get("user_code"))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = activatePage.Execute(w, handle)
}

func renderUserCode(c *call) *ionForm {
	code := ionField{Name: "userCode", Label: "Activation Code"}
	if c.t.pending != "" {
		code.Value = c.t.pending
	}
	f := newForm("user-code", c.s.href("/idp/idx/device/activate"), code, stateHandleField(c.t.handle))
	f.Accepts, f.Produces = deviceAccepts, ""
	return f
}

func submitUserCode(c *call, raw []byte) idxResult {
	var b struct {
		UserCode string `json:"userCode"`
	}
	if !decode(raw, &b) {
		return c.fail(http.StatusBadRequest, msgMalformed())
	}
	g := c.s.devices.byUserCode[normalUserCode(b.UserCode)]
	if g == nil || g.used || !c.now.Before(g.expiresAt) {
		return txnMessages(c.t, http.StatusBadRequest, msgInvalidDeviceCode())
	}
	g.used = true
	c.t.deviceGrant = g
	c.t.pending = ""
	c.t.interaction = &interaction{app: g.app, scopes: slices.Clone(g.scopes), expiresAt: c.t.expiresAt, txn: c.t}
	c.t.setStep(stepIdentify, nil)
	return c.ok()
}

// activateDevice ends c.t, whose sign-in is done: the device grant gets
// the user, and the page says so (the transaction keeps saying it).
func (c *call) activateDevice() idxResult {
	t, g := c.t, c.t.deviceGrant
	g.outcome = "activated"
	g.grant = grant{clientID: g.app.ClientID, user: t.user, scopes: slices.Clone(t.interaction.scopes),
		authTime: t.authTime(c.now), amr: slices.Clone(t.amr)}
	t.setStep(stepDeviceActivated, nil)
	return c.ok()
}

// refuseDevice ends c.t, whose user refused consent: the device is not
// activated.
func (c *call) refuseDevice() idxResult {
	t := c.t
	t.deviceGrant.outcome = "denied"
	t.setStep(stepDeviceNotActivated, nil)
	return c.ok()
}

// redeemDeviceCode answers the device's poll of the token endpoint.
func (s *Server) redeemDeviceCode(app *App, form url.Values) (*tokenResponse, *oauthError) {
	code := form.Get("device_code")
	if code == "" {
		return nil, newOAuthError(http.StatusBadRequest, "invalid_request", "The 'device_code' parameter is required.")
	}
	now := s.now()
	s.mu.Lock()
	g := s.devices.byDeviceCode[code]
	var oerr *oauthError
	switch {
	case g == nil || g.app.ClientID != app.ClientID || g.redeemed:
		oerr = newOAuthError(http.StatusBadRequest, "invalid_grant", "The device code is invalid or has expired.")
	case g.outcome == "denied":
		oerr = newOAuthError(http.StatusBadRequest, "access_denied", "The resource owner or authorization server denied the request.")
	case g.outcome == "activated":
		g.redeemed = true
	case !now.Before(g.expiresAt):
		oerr = newOAuthError(http.StatusBadRequest, "expired_token", "The device code has expired.")
	default:
		oerr = newOAuthError(http.StatusBadRequest, "authorization_pending", "The device authorization is pending. Please try again later.")
	}
	s.mu.Unlock()
	if oerr != nil {
		return nil, oerr
	}
	resp, err := s.issueTokens(g.grant, app, now, false)
	if err != nil {
		return nil, newOAuthError(http.StatusInternalServerError, "server_error", "The tokens could not be signed.")
	}
	return resp, nil
}
