package idxtest

import (
	"net/http"
	"testing"
)

// journeyUnlockThen unlocks an account on orgs that go on with the
// sign-in (Policy.UnlockThen): the password challenge, the choice of
// another authenticator, and the success form at once.
func journeyUnlockThen(t *testing.T, run *shapeRun) {
	for _, tc := range []struct {
		then    UnlockEnding
		factors int
		state   string
	}{
		{UnlockLandOnApp, 2, "challenge/password/after-unlock"},
		{UnlockLandOnApp, 1, "success/after-unlock"},
		{UnlockChooseAuthenticator, 2, "select-authenticator-authenticate/after-unlock"},
	} {
		p := DefaultPolicy()
		p.Factors, p.Unlock, p.UnlockThen = tc.factors, true, tc.then
		p.Recovery = true // the password challenge's recover action, as captured
		const user = "locked@example.com"
		j := newJourney(t, run, WithPolicy(p), WithUser(User{Username: user, Password: DemoPassword, Locked: true, GivenName: "Lee", FamilyName: "Locked"}))
		j.start(nil).submit("unlock-account", nil).want(http.StatusOK)
		j.submit("select-authenticator-unlock-account", map[string]any{"identifier": user,
			"authenticator": map[string]any{"id": j.authID("select-authenticator-unlock-account", AuthenticatorEmail), "methodType": "email"}}).want(http.StatusOK)
		j.passcode("challenge-authenticator", j.code(user)).want(http.StatusOK).capture(tc.state)
	}
}
