package idxtest

// This file is the email authenticator (okta_email): a six-digit code sent
// to the outbox, with resend and a poll that answers the current state.

type emailKind struct{ kindBase }

func newEmailKind() *emailKind {
	return &emailKind{kindBase{
		key: AuthenticatorEmail, typ: "email", displayName: "Email",
		methods: []methodInfo{{typ: "email", label: "Email", amr: "email"}},
	}}
}

func (k *emailKind) profile(u *userRecord) *authenticatorProfile {
	return &authenticatorProfile{Email: maskEmail(u.Email)}
}

// challenge asks for the method first (WithEmailVerificationData), as real
// orgs do, then sends the code.
func (k *emailKind) challenge(c *call, _ string, afterData bool) *idxResult {
	if !afterData && c.s.cfg.emailVerificationData {
		c.t.setStep(stepVerificationData, k)
		c.t.code = ""
		return nil
	}
	c.t.setStep(stepChallenge, k)
	c.t.method = "email"
	c.sendEmailChallenge()
	return nil
}

func (k *emailKind) verify(c *call, raw []byte) *idxResult { return c.checkCode(stepChallenge, raw) }

func (k *emailKind) decorate(c *call, doc *authenticatorDoc) {
	doc.Resend = c.s.resendForm(c.t)
	if c.t.step == stepChallenge || c.t.step == stepEnroll {
		doc.Poll = newForm("poll", c.s.href("/idp/idx/challenge/poll"), stateHandleField(c.t.handle))
		doc.Poll.Refresh = 4000
	}
}

// resend sends a new code, which replaces the one in force.
func (k *emailKind) resend(c *call) *idxResult {
	c.t.setStep(resendStep(c.t.step), k)
	c.t.method = "email"
	c.sendEmailChallenge()
	return nil
}
