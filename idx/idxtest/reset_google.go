package idxtest

import (
	"fmt"
	"net/http"
	"strings"
)

// This file is the reset of an authenticator other than the password:
// an admin resets a user's Google Authenticator, and the recovery token
// Okta makes for it starts a transaction (intent CREDENTIAL_RECOVERY) at
// reset-authenticator for google_otp. The step shows a new secret, as a QR
// code and as text, in the current authenticator's contextualData, and
// takes the first code of the new enrollment in credentials.passcode; the
// old secret stops working once the new one is confirmed.

// stepResetGoogle is reset-authenticator for Google Authenticator.
const stepResetGoogle = "reset-authenticator/google_otp"

func registerResetGoogle(o *org) {
	o.addStep(stepResetGoogle, stepDef{
		forms: func(*call) []string { return []string{"reset-authenticator-google", "reset-google-select"} },
		decorate: func(c *call, resp *idxResponse) {
			k := c.s.org.byKey[AuthenticatorGoogle]
			cur := kindDoc(k)
			cur.ContextualData = googleContext{
				QRCode:       qrCode(otpauthURI("idxtest", c.t.user.Username, c.t.pending)),
				SharedSecret: c.t.pending,
			}
			resp.CurrentAuthenticator = objectOf(cur)
			resp.Authenticators = listOf(kindDoc(k))
			resp.AuthenticatorEnrollments = listOf(c.s.org.enrollmentsOf(c.t.user)...)
			resp.EnrollmentAuthenticator = objectOf(kindDoc(k))
			resp.User = userObject(c.t.user)
		},
	})
	o.addForm("reset-authenticator-google", formDef{path: "/idp/idx/challenge/answer", render: renderResetGoogle, submit: submitResetGoogle})
	o.addForm("reset-google-select", formDef{path: "/idp/idx/credential/enroll", render: renderResetGoogleSelect, submit: submitResetGoogleSelect})
}

// renderResetGoogleSelect is the select-authenticator-enroll Okta offers
// beside the reset: Google Authenticator alone.
func renderResetGoogleSelect(c *call) *ionForm {
	k := c.s.org.byKey[AuthenticatorGoogle]
	return newForm("select-authenticator-enroll", c.s.href("/idp/idx/credential/enroll"),
		ionField{Name: "authenticator", Type: "object", Options: []ionOption{{
			Label:     k.base().displayName,
			Value:     optionValue{Form: ionSubForm{Value: []ionField{immutableValue("id", k.base().id, true)}}},
			RelatesTo: authenticatorsPath(0),
		}}},
		stateHandleField(c.t.handle),
	)
}

// submitResetGoogleSelect starts the reset over with a new secret.
func submitResetGoogleSelect(c *call, raw []byte) idxResult {
	var b challengeBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	if b.Authenticator == nil || b.Authenticator.ID != c.s.org.byKey[AuthenticatorGoogle].base().id {
		return c.fail(http.StatusBadRequest, msgInvalidValue("authenticator"))
	}
	c.t.pending = newTOTPSecret()
	return c.ok()
}

func renderResetGoogle(c *call) *ionForm {
	f := newForm("reset-authenticator", c.s.href("/idp/idx/challenge/answer"),
		objectField("credentials", "", true,
			ionField{Name: "passcode", Label: "Enter code", Required: pTrue, Visible: pTrue}),
		stateHandleField(c.t.handle),
	)
	f.RelatesTo = []string{relatesToCurrentAuthenticator}
	return f
}

// submitResetGoogle checks the first code of the new secret and replaces
// the user's Google Authenticator enrollment with it. The reset counts as
// the authenticator's verification.
func submitResetGoogle(c *call, raw []byte) idxResult {
	var b answerBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	k := c.s.org.byKey[AuthenticatorGoogle]
	step, res := c.checkTOTP("reset-authenticator", "credentials.passcode", b.Credentials.value(), c.t.pending, -1, msgPasscodeInvalid())
	if res != nil {
		return *res
	}
	u := c.t.user
	u.enrollments[AuthenticatorGoogle] = &enrollment{id: randomOktaID("ost"), value: c.t.pending, step: step}
	u.TOTPSecret = c.t.pending
	c.s.cfg.logger.Info("idxtest authenticator reset", "key", AuthenticatorGoogle)
	c.t.markVerified(k, "otp")
	c.t.flow = flowAuthenticate
	return c.advance()
}

// GoogleAuthenticatorResetToken resets the Google Authenticator of the
// user named username (compared without regard to case), as an admin
// does, and returns the recovery token Okta makes for it. An app passes
// it to /v1/interact as recovery_token: the transaction then starts with
// the user identified at reset-authenticator for google_otp, showing a new
// secret and asking for its first code. The user's current secret keeps
// working until the new one is confirmed. A token is good for one
// transaction, within an hour, as [Server.RecoveryToken]. It fails if
// there is no such user or the user has no Google Authenticator.
func (s *Server) GoogleAuthenticatorResetToken(username string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[strings.ToLower(username)]
	if !ok {
		return "", fmt.Errorf("idxtest: no user %q", username)
	}
	if u.enrollments[AuthenticatorGoogle] == nil {
		return "", fmt.Errorf("idxtest: user %q has no Google Authenticator", username)
	}
	tok := s.mintGrantLocked(&s.recoveryTokens, u, recoveryTokenLifetime)
	s.recoveryTokens[tok].key = AuthenticatorGoogle
	return tok, nil
}
