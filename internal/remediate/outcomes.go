package remediate

import "github.com/goidx/goidx/internal/ion"

// UnlockedLandingKey is the key of the message of an org that unlocks an
// account and goes on with the sign-in instead of ending the transaction:
// to the app (the success form) or to another authenticator (a PENDING
// answer with select-authenticator-authenticate or
// challenge-authenticator).
const UnlockedLandingKey = "oie.selfservice.unlock_user.landing.to.app.success.message"

// RequestActivationEmailStep is the remediation that asks the org for a
// new activation email, offered with an expired activation token.
const RequestActivationEmailStep = "request-activation-email"

// OnTheWay names what an answer the transaction goes on from reports it
// achieved: "ACCOUNT_UNLOCKED" for an unlock before the sign-in goes on
// (see [UnlockedLandingKey]), empty otherwise.
func OnTheWay(r *ion.Response) string {
	if r == nil {
		return ""
	}
	if o := Outcome(r.AllMessages()); o == "ACCOUNT_UNLOCKED" {
		return o
	}
	return ""
}
