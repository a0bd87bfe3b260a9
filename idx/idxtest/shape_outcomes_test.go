package idxtest

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
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

// journeyTokenErrors follows activation and recovery tokens that no
// longer work on an org that says why in IDX (Policy.TokenErrorsInIDX).
func journeyTokenErrors(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Factors, p.TokenErrorsInIDX = 1, true
	var mu sync.Mutex
	now := time.Now().Add(-8 * 24 * time.Hour)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	const user = "staged@example.com"
	j := newJourney(t, run, WithPolicy(p), WithClock(clock), WithUser(User{Username: user, Staged: true}))
	tok, err := j.s.ActivationToken(user)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(8 * 24 * time.Hour) // the token has expired
	mu.Unlock()
	j.start(url.Values{"activation_token": {tok}}).want(http.StatusOK).capture("request-activation-email")
	j.submit("request-activation-email", nil).want(http.StatusOK).capture("terminal/activation-email-requested")
	k := j.again()
	k.start(url.Values{"activation_token": {tok}}).want(http.StatusOK).capture("terminal/activation-token-invalid")
	k.start(url.Values{"recovery_token": {"no-such-token"}}).want(http.StatusOK).capture("terminal/recovery-token-invalid")
}

// journeyPhoneSendLimit reaches the limit on texts and calls
// (Policy.MaxPhoneSends): at a resend, and at the choice of the method.
func journeyPhoneSendLimit(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Authenticators, p.MaxPhoneSends = []string{AuthenticatorPhone}, 1
	const user, phone = "limited@example.com", "+15555550124"
	j := newJourney(t, run, WithPolicy(p), WithUser(User{Username: user, Password: DemoPassword, Phone: phone, GivenName: "Lim", FamilyName: "Ited"}))
	j.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-authenticate", AuthenticatorPhone, nil).want(http.StatusOK)
	j.choose("authenticator-verification-data", AuthenticatorPhone, map[string]any{"methodType": "sms"}).want(http.StatusOK)
	j.action("currentAuthenticatorEnrollment", "value", "resend").want(http.StatusBadRequest).capture("challenge/phone/sms/send-limit")
	j.choose("select-authenticator-authenticate", AuthenticatorPhone, nil).want(http.StatusOK)
	j.choose("authenticator-verification-data", AuthenticatorPhone, map[string]any{"methodType": "voice"}).want(http.StatusBadRequest).capture("verification-data/phone/send-limit")
}
