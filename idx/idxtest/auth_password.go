package idxtest

import (
	"crypto/subtle"
	"net/http"
)

// This file is the password authenticator (okta_password). The password is
// verified at identify; as a kind it can also be chosen and answered like
// any other authenticator.

type passwordKind struct{ kindBase }

func newPasswordKind() *passwordKind {
	return &passwordKind{kindBase{
		key: AuthenticatorPassword, typ: "password", displayName: "Password",
		methods: []methodInfo{{typ: "password", label: "Password", amr: "pwd"}},
	}}
}

// dummyPassword is compared against when the username is unknown, so both
// failures cost the same.
const dummyPassword = "idxtest-no-such-user-password"

// checkPassword reports whether password is u's, in constant time; a nil
// u never matches.
func checkPassword(u *userRecord, password string) bool {
	want := dummyPassword
	if u != nil {
		want = u.Password
	}
	match := subtle.ConstantTimeCompare([]byte(password), []byte(want)) == 1
	return u != nil && match
}

func (k *passwordKind) challenge(c *call, method string, _ bool) *idxResult {
	c.t.setStep(stepChallenge, k)
	c.t.method = "password"
	return nil
}

func (k *passwordKind) challengeFields(*call) []ionField {
	return []ionField{objectField("credentials", "", true, ionField{Name: "passcode", Label: "Password", Secret: pTrue})}
}

// decorate adds the recover action to the password being verified in a
// sign-in, when the policy offers recovery.
func (k *passwordKind) decorate(c *call, doc *authenticatorDoc) {
	if c.s.org.policy.Recovery && c.t.flow == flowAuthenticate {
		doc.Recover = newForm("recover", c.s.href("/idp/idx/recover"), stateHandleField(c.t.handle))
	}
}

// verify checks the password challenge. A wrong password is the
// top-level incorrectPassword (401). The attempt counts towards the
// lockout: a locked account is refused whatever the password, with the
// challenge form alone (stepPasswordLocked).
func (k *passwordKind) verify(c *call, raw []byte) *idxResult {
	var b answerBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	pw := b.Credentials.value()
	if pw == "" {
		return failPtr(c.failField(http.StatusBadRequest, "challenge-authenticator", "credentials.passcode", msgBlank()))
	}
	if c.passwordAttempt(c.t.user, pw) {
		c.t.setStep(stepPasswordLocked, k)
		return failPtr(c.fail(http.StatusForbidden, msgFactorSuspended()))
	}
	c.t.setStep(stepChallenge, k)
	if !checkPassword(c.t.user, pw) {
		c.s.cfg.logger.Info("idxtest password rejected")
		return failPtr(c.fail(http.StatusUnauthorized, msgPasswordInvalid()))
	}
	return nil
}

type answerBody struct {
	Credentials *passcodeBody `json:"credentials"`
}

// passwordChallengeDue moves a sign-in of an identifier-first org to the
// password challenge while the password is not verified (or to its
// lockout answer), and reports whether it did.
func (c *call) passwordChallengeDue() bool {
	t := c.t
	if !c.s.org.policy.IdentifierFirst || t.flow != flowAuthenticate || t.user == nil ||
		t.isVerified(AuthenticatorPassword) || t.user.enrollments[AuthenticatorPassword] == nil {
		return false
	}
	k := c.s.org.byKey[AuthenticatorPassword]
	if t.user.Locked {
		t.setStep(stepPasswordLocked, k)
		return true
	}
	k.challenge(c, "password", false)
	return true
}
