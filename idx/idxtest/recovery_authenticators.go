package idxtest

import (
	"crypto/sha256"
	"fmt"
	"slices"
)

// This file is which authenticators verify self-service recovery and
// unlock ([Policy].RecoveryAuthenticators), and the stand-ins that keep
// those flows from telling who has an account or what they enrolled.
//
// Recovery and unlock offer every authenticator the policy lists to
// everyone, enrolled or not: the list does not depend on the user. When
// the user (or the stand-in for a username that names nobody) has not
// enrolled the authenticator chosen, the flow goes on as if they had:
// the enrollment shown is a stand-in (its own ID, a masked number or a
// catalog question), nothing is sent, no code can be right and no push
// can be approved.

// recoveryKinds are the keys RecoveryAuthenticators may list.
var recoveryKinds = []string{AuthenticatorEmail, AuthenticatorPhone, AuthenticatorOktaVerify, AuthenticatorSecurityQuestion}

// recoveryKeys are the authenticators that verify recovery: the policy's
// list, or the email when it is nil. Keys recovery cannot use are left
// out.
func (p *Policy) recoveryKeys() []string {
	if p.RecoveryAuthenticators == nil {
		return []string{AuthenticatorEmail}
	}
	var out []string
	for _, k := range p.RecoveryAuthenticators {
		if slices.Contains(recoveryKinds, k) && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// unlockKeys are the authenticators that verify unlock: recoveryKeys but
// the security question, which cannot unlock an account.
func (p *Policy) unlockKeys() []string {
	return slices.DeleteFunc(p.recoveryKeys(), func(k string) bool { return k == AuthenticatorSecurityQuestion })
}

// selfService reports whether t is a recovery or an unlock.
func (t *transaction) selfService() bool { return t.flow == flowRecover || t.flow == flowUnlock }

// blindFor reports whether t verifies key for show only: a recovery or
// unlock for a user who has no such enrollment (or who does not exist).
func (t *transaction) blindFor(key string) bool {
	if !t.selfService() || t.user == nil {
		return false
	}
	return t.user.enrollments[key] == nil
}

// blind reports whether the authenticator in play is verified for show
// only (see blindFor), or the user does not exist: nothing is sent and
// nothing can verify.
func (t *transaction) blind() bool {
	return t.selfService() && (t.ss.phantom || t.kind != nil && t.blindFor(t.kind.base().key))
}

// enrollmentPrefixes are the ID prefixes of enrollments, by key.
var enrollmentPrefixes = map[string]string{
	AuthenticatorEmail: "eae", AuthenticatorPhone: "mbl", AuthenticatorOktaVerify: "pfd",
	AuthenticatorSecurityQuestion: "qae", AuthenticatorGoogle: "ost", AuthenticatorWebAuthn: "fwf",
}

// standIn returns the transaction's stand-in enrollment of key, made on
// first use: a random ID, and for the phone a number whose last four
// digits derive from the username, for the security question a catalog
// question chosen by the username, so that they stay the same within the
// transaction.
func (t *transaction) standIn(key string) *enrollment {
	if e := t.ss.standIns[key]; e != nil {
		return e
	}
	if t.ss.standIns == nil {
		t.ss.standIns = map[string]*enrollment{}
	}
	h := sha256.Sum256([]byte(key + "\x00" + foldKey(t.user.Username)))
	n := int(h[0])<<8 | int(h[1])
	e := &enrollment{id: randomOktaID(enrollmentPrefixes[key])}
	switch key {
	case AuthenticatorPhone:
		e.value = fmt.Sprintf("+1555555%04d", n%10000)
	case AuthenticatorSecurityQuestion:
		e.value = sqCatalog[n%len(sqCatalog)].QuestionKey
	case AuthenticatorOktaVerify:
		e.value = newTOTPSecret()
	}
	t.ss.standIns[key] = e
	return e
}

// shownUser is the user whose enrollment of k the answers show: c.t.user,
// or, when k is verified for show only, a throwaway record holding the
// stand-in enrollment.
func (c *call) shownUser(k authenticatorKind) *userRecord {
	t, key := c.t, k.base().key
	if !t.blindFor(key) {
		return t.user
	}
	e := t.standIn(key)
	u := &userRecord{User: t.user.User, enrollments: map[string]*enrollment{key: e}}
	switch key {
	case AuthenticatorPhone:
		u.Phone = e.value
	case AuthenticatorSecurityQuestion:
		u.SecurityQuestion = &SecurityQuestion{Key: e.value}
	}
	return u
}

// enrollmentDocOf is the authenticatorEnrollments entry of c.t.user's
// enrollment of k, or of its stand-in.
func (c *call) enrollmentDocOf(k authenticatorKind) authenticatorDoc {
	return enrollmentDoc(k, c.shownUser(k))
}
