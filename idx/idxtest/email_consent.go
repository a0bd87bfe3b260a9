package idxtest

import (
	"net/http"
	"time"
)

// This file is the consent an email's magic link asks for on another
// device, with Policy.EmailLinkConsent. Confirmed there (POST
// /email/verify), the link answers email-challenge-consent on a
// transaction of its own (intent CONSENT), which names the app and the
// browser of the sign-in that sent the email:
//
//   - consent true: the link is confirmed, the answer is the
//     idx.return.to.original.tab terminal, and the sign-in's next poll
//     completes its email challenge;
//   - consent false: the answer is idx.operation.cancelled.on.other.device,
//     and the sign-in's next poll ends it with
//     idx.operation.cancelled.by.user.
//
// The fake does not know the sign-in's browser: it names it UNKNOWN.

const (
	stepEmailConsent       = "email-challenge-consent"
	stepEmailConsentDone   = "terminal-return-email-consent"
	stepEmailConsentDenied = "terminal-return-email-consent-denied"
)

// emailConsent is the link between the consent transaction (of) and the
// sign-in, which is refused once the user denied.
type emailConsent struct {
	of      *transaction
	refused bool
}

func msgCancelledOnOtherDevice() ionMessage {
	return errorMessage("Access denied on other device.", "idx.operation.cancelled.on.other.device")
}

func registerEmailConsent(o *org) {
	o.addStep(stepEmailConsent, stepDef{
		forms: func(*call) []string { return []string{"email-challenge-consent"} },
		decorate: func(c *call, resp *idxResponse) {
			resp.Intent, resp.Cancel = "CONSENT", nil
			resp.App = objectOf(appDoc{Name: "okta_enduser", Label: "Okta Dashboard", ID: "DEFAULT_APP"})
			resp.User = userIdentifier(c.t.user)
		},
	})
	for step, msg := range map[string]func() ionMessage{stepEmailConsentDone: msgReturnToOriginalTab, stepEmailConsentDenied: msgCancelledOnOtherDevice} {
		o.addStep(step, stepDef{
			forms: func(*call) []string { return nil },
			decorate: func(_ *call, resp *idxResponse) {
				resp.Intent, resp.Cancel, resp.App = "CONSENT", nil, nil
				resp.addMessage(msg())
			},
		})
	}
	o.addForm("email-challenge-consent", formDef{path: "/idp/idx/consent", render: renderEmailConsent, submit: submitEmailConsent})
}

// startEmailConsentLocked starts the consent transaction of sign-in t's
// magic link and answers it.
func (s *Server) startEmailConsentLocked(now time.Time, t *transaction) *idxResponse {
	ia := &interaction{app: &App{ClientID: "okta_enduser"}, expiresAt: t.expiresAt}
	ct := s.newTxnLocked(now, ia)
	ct.expiresAt = t.expiresAt
	ct.step, ct.user = stepEmailConsent, t.user
	ct.ec.of = t
	return s.render(ct)
}

func renderEmailConsent(c *call) *ionForm {
	f := newForm("email-challenge-consent", c.s.href("/idp/idx/consent"), consentField("Allow", "Deny"), stateHandleField(c.t.handle))
	f.RequestInfo = []requestInfoDoc{
		{Name: "appName", Type: "string", Label: "Application", Value: c.t.ec.of.interaction.app.ClientID},
		{Name: "browser", Type: "string", Label: "Browser", Value: "UNKNOWN"},
	}
	return f
}

func submitEmailConsent(c *call, raw []byte) idxResult {
	var b consentBody
	if !decode(raw, &b) {
		return c.fail(http.StatusBadRequest, msgMalformed())
	}
	if b.Consent == nil {
		return c.failField(http.StatusBadRequest, "email-challenge-consent", "consent", msgBlank())
	}
	orig := c.t.ec.of
	if !*b.Consent {
		orig.ec.refused = true
		c.t.setStep(stepEmailConsentDenied, nil)
		return c.ok()
	}
	if c.s.linkTxnLocked(c.now, orig.ss.linkToken) == orig {
		orig.ss.linkConfirmed = true
	}
	c.t.setStep(stepEmailConsentDone, nil)
	return c.ok()
}
