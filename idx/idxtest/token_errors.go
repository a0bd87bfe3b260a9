package idxtest

import (
	"fmt"
	"net/http"
	"time"
)

// This file is how orgs answer activation and recovery tokens that no
// longer work when [Policy].TokenErrorsInIDX is set: /v1/interact takes
// the token, and the transaction's first answer says why, in IDX:
//
//   - an expired activation token of a user still to be activated:
//     request-activation-email (POST /idp/idx/request-activation) with the
//     top-level ERROR idx.expired.activation.token
//     (request-activation-email.json); taking it mails the user a new
//     token and ends the transaction with the INFO
//     idx.request.activation.email
//     (terminal-request-activation-email-submitted.json);
//   - an unknown or used activation token, or one of a user who is active
//     by now: the terminal ERROR idx.missing.activation.token
//     (error-request-activation-email-invalid.json);
//   - an unknown, used or expired recovery token: the terminal ERROR
//     idx.invalid.reset.password.token
//     (terminal-invalid-reset-password-token.json).

// Steps of the token errors.
const (
	stepRequestActivation   = "request-activation-email"
	stepActivationRequested = "terminal-activation-email-requested"
	stepActivationInvalid   = "terminal-activation-token-invalid"
	stepRecoveryInvalid     = "terminal-recovery-token-invalid"
)

// tokenError is why the token an interaction came with no longer works,
// with the user of an expired activation token.
type tokenError struct {
	step string
	user *userRecord
}

func registerTokenErrors(o *org) {
	o.addStep(stepRequestActivation, stepDef{
		forms: func(*call) []string { return []string{"request-activation-email"} },
		decorate: func(c *call, resp *idxResponse) {
			resp.addMessage(errorMessage("Your account activation link is no longer valid. Request a new activation email below.",
				"idx.expired.activation.token", []any{}...))
			if c.t.user != nil {
				resp.User = userIdentifier(c.t.user)
			}
		},
	})
	o.addStep(stepActivationRequested, terminalStep(msgActivationRequested, false))
	o.addStep(stepActivationInvalid, terminalStep(msgActivationInvalid, false))
	o.addStep(stepRecoveryInvalid, terminalStep(msgRecoveryInvalid, false))
	o.addForm("request-activation-email", formDef{path: "/idp/idx/request-activation", render: renderRequestActivation, submit: submitRequestActivation})
}

func msgActivationRequested() ionMessage {
	return infoMessage("New activation link requested. If your information matches our records, you will receive a new activation link in your inbox soon.",
		"idx.request.activation.email")
}

func msgActivationInvalid() ionMessage {
	return errorMessage("This can happen if you have already activated your account, or if the URL you are trying to use is invalid. Contact your administrator for further assistance.",
		"idx.missing.activation.token")
}

func msgRecoveryInvalid() ionMessage {
	return errorMessage("Your reset password token is no longer valid. Contact your administrator to obtain a new reset password token.",
		"idx.invalid.reset.password.token")
}

// tokenErrorLocked decides whether a token /v1/interact cannot take is
// answered in IDX (see the file comment): it sets ia.tokenError and
// reports true, or reports false when the policy has /v1/interact refuse
// it. g is the token's grant as it was before it was used up, nil for an
// unknown token; activation tells the two kinds of tokens apart.
func (s *Server) tokenErrorLocked(ia *interaction, g *userGrant, activation bool, now time.Time) bool {
	if !s.org.policy.TokenErrorsInIDX {
		return false
	}
	switch {
	case !activation:
		ia.tokenError = &tokenError{step: stepRecoveryInvalid}
	case g != nil && !now.Before(g.expiresAt) && g.user.enrollments[AuthenticatorPassword] == nil:
		ia.tokenError = &tokenError{step: stepRequestActivation, user: g.user}
	default:
		ia.tokenError = &tokenError{step: stepActivationInvalid}
	}
	return true
}

// startTokenErrorLocked starts t, new, at the answer of the token its
// interaction came with, when that no longer works. It returns t.
func (s *Server) startTokenErrorLocked(t *transaction) *transaction {
	e := t.interaction.tokenError
	t.interaction.tokenError = nil
	if e == nil || t.step != stepIdentify {
		return t
	}
	t.user = e.user
	t.setStep(e.step, nil)
	return t
}

func renderRequestActivation(c *call) *ionForm {
	return newForm("request-activation-email", c.s.href("/idp/idx/request-activation"), stateHandleField(c.t.handle))
}

// submitRequestActivation mails the user a new activation token (in the
// email's Code) and ends the transaction.
func submitRequestActivation(c *call, raw []byte) idxResult {
	var b struct{}
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	if u := c.t.user; u != nil && u.enrollments[AuthenticatorPassword] == nil {
		tok := c.s.mintGrantLocked(&c.s.activationTokens, u, activationTokenLifetime)
		c.send(Email{Channel: ChannelEmail, To: u.Email, Subject: "Activate your account", Code: tok,
			Body: fmt.Sprintf("Your administrator created an account for you. Activate it with this token: %s", tok)})
	}
	c.t.user = nil
	c.t.setStep(stepActivationRequested, nil)
	return c.ok()
}
