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

func (k *passwordKind) verify(c *call, raw []byte) *idxResult {
	var b answerBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	pw := b.Credentials.value()
	if pw == "" {
		return failPtr(c.failField(http.StatusBadRequest, stepChallenge, "credentials.passcode", msgBlank()))
	}
	if !checkPassword(c.t.user, pw) {
		c.s.cfg.logger.Info("idxtest password rejected")
		return failPtr(c.failField(http.StatusUnauthorized, stepChallenge, "credentials.passcode", msgPasswordInvalid()))
	}
	return nil
}

type answerBody struct {
	Credentials *passcodeBody `json:"credentials"`
}
