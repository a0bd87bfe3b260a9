package idxtest

import (
	"net/http"
	"time"
)

// This file is the limit on verification attempts. Okta Identity Engine
// locks a user's authenticator for five minutes after five wrong one-time
// codes in a row, answering 429 Too Many Requests with the i18n key
// tooManyRequests ("Too many requests") on the transaction's current
// state; a right code clears the count. The fake does the same for every
// one-time code: email, SMS and voice codes, Google Authenticator, Okta
// Verify TOTP and the hardware and vendor tokens (auth_token.go), at
// enrollment and at verification.

const (
	// DefaultMaxVerificationAttempts is Okta's limit on wrong one-time
	// codes in a row; see [Policy].MaxVerificationAttempts.
	DefaultMaxVerificationAttempts = 5
	// VerificationLockout is how long an authenticator stays locked once
	// the limit is reached: five minutes, as Okta has it.
	VerificationLockout = 5 * time.Minute
)

func msgTooManyRequests() ionMessage { return errorMessage("Too many requests", "tooManyRequests") }

// attemptState counts one user's wrong codes for one authenticator.
type attemptState struct {
	wrong       int       // wrong codes in a row
	lockedUntil time.Time // zero when not locked
}

// maxVerificationAttempts is the limit in force; 0 means none.
func (p *Policy) maxVerificationAttempts() int {
	switch {
	case p.MaxVerificationAttempts < 0:
		return 0
	case p.MaxVerificationAttempts == 0:
		return DefaultMaxVerificationAttempts
	}
	return p.MaxVerificationAttempts
}

// attempts returns the count of c.t's user for the authenticator being
// verified, or nil when none is kept: no limit, no user, or a transaction
// that verifies for show only (recovery_authenticators.go), where no code
// can be right. The caller holds s.mu.
func (c *call) attempts() *attemptState {
	if c.s.org.policy.maxVerificationAttempts() == 0 || c.t.user == nil || c.t.kind == nil || c.t.blind() {
		return nil
	}
	key := c.t.user.ID + " " + c.t.kind.base().key
	if c.s.attempts == nil {
		c.s.attempts = map[string]*attemptState{}
	}
	a := c.s.attempts[key]
	if a == nil {
		a = &attemptState{}
		c.s.attempts[key] = a
	}
	return a
}

// verificationLocked answers 429 while the authenticator being verified
// is locked; nil lets the code be checked.
func (c *call) verificationLocked() *idxResult {
	a := c.attempts()
	if a == nil || a.lockedUntil.IsZero() {
		return nil
	}
	if c.now.Before(a.lockedUntil) {
		c.s.cfg.logger.Info("idxtest code refused: too many wrong codes")
		return failPtr(c.fail(http.StatusTooManyRequests, msgTooManyRequests()))
	}
	*a = attemptState{} // the lock has run out
	return nil
}

// countAttempt records a checked code: wrong is the wrong-code answer, or
// nil for a right code, which clears the count. The wrong code that
// reaches the limit locks the authenticator and is answered 429 instead.
func (c *call) countAttempt(wrong *idxResult) *idxResult {
	a := c.attempts()
	if a == nil {
		return wrong
	}
	if wrong == nil {
		*a = attemptState{}
		return nil
	}
	a.wrong++
	if a.wrong < c.s.org.policy.maxVerificationAttempts() {
		return wrong
	}
	a.lockedUntil = c.now.Add(VerificationLockout)
	c.s.cfg.logger.Info("idxtest authenticator locked: too many wrong codes")
	return failPtr(c.fail(http.StatusTooManyRequests, msgTooManyRequests()))
}
