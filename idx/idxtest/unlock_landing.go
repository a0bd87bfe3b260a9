package idxtest

// This file is what an org does once an account is unlocked, when it
// does not end the transaction (Policy.UnlockThen): it goes on with the
// sign-in of the user, the unlock's verification counting as one factor,
// and says so with the message
// oie.selfservice.unlock_user.landing.to.app.success.message on its
// answer: the success form (straight to the app), the password challenge
// (user-account-unlock-success-land-on-app.json), or the choice of another
// authenticator (user-account-unlock-answer-2-choose-auth-after-unlock.json).

// UnlockEnding is how the org goes on once an account is unlocked; see
// [Policy].UnlockThen.
type UnlockEnding string

// The endings of an unlock.
const (
	// UnlockTerminal ends the transaction with
	// oie.selfservice.unlock_user.success.message; the user signs in
	// anew. It is the default (the empty value too).
	UnlockTerminal UnlockEnding = "terminal"
	// UnlockLandOnApp goes on with the sign-in: the success form at once
	// when the unlock's verification meets [Policy].Factors, else the
	// password challenge first (then the policy's other factors, as a
	// sign-in asks for them).
	UnlockLandOnApp UnlockEnding = "land-on-app"
	// UnlockChooseAuthenticator goes on with the sign-in by asking the user
	// to verify another of their authenticators
	// (select-authenticator-authenticate, the password among them), then
	// what the policy asks for.
	UnlockChooseAuthenticator UnlockEnding = "choose-authenticator"
)

func msgUnlockedLanding() ionMessage {
	return infoMessage("Account successfully unlocked! Verify your account with a security method to continue.",
		"oie.selfservice.unlock_user.landing.to.app.success.message", []any{}...)
}

// landAfterUnlock turns c.t, whose account was just unlocked, into a
// sign-in of its user, by the policy's UnlockThen, and answers with the
// landing message. It reports false for UnlockTerminal.
func (c *call) landAfterUnlock() (idxResult, bool) {
	t := c.t
	if t.ss.phantom || t.user == nil {
		return idxResult{}, false
	}
	var res idxResult
	switch c.s.org.policy.UnlockThen {
	case UnlockLandOnApp:
		t.flow = flowAuthenticate
		pw := c.s.org.byKey[AuthenticatorPassword]
		if len(t.verified) < c.requiredFactors() && !t.isVerified(AuthenticatorPassword) && t.user.enrollments[AuthenticatorPassword] != nil {
			pw.challenge(c, "password", false)
			res = c.ok()
		} else {
			res = c.advance()
		}
	case UnlockChooseAuthenticator:
		t.flow = flowAuthenticate
		if len(c.verifiable()) == 0 {
			res = c.advance()
			break
		}
		t.setStep(stepSelect, nil)
		res = c.ok()
	default:
		return idxResult{}, false
	}
	if res.body != nil {
		res.body.addMessage(msgUnlockedLanding())
	}
	return res, true
}
