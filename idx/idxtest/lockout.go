package idxtest

import (
	"fmt"
	"net/http"
	"strings"
)

// This file is account lockout: after Policy.MaxPasswordAttempts
// consecutive wrong passwords the user is locked out, and identify fails
// with errors.E0000119 until the account is unlocked (UnlockUser, or the
// self-service unlock flow).

func msgLockedOut() ionMessage {
	return errorMessage("Your account is locked. Please contact your administrator.", "errors.E0000119")
}

func msgFactorSuspended() ionMessage {
	return errorMessage("This factor is suspended for your account due to too many failed attempts", "authfactor.challenge.suspended_factor")
}

// stepPasswordLocked is the password challenge of a locked account in an
// identifier-first org: the challenge form alone, and the lockout
// message when answered.
const stepPasswordLocked = "challenge-authenticator/locked"

func registerLockout(o *org) {
	o.addStep(stepPasswordLocked, stepDef{
		forms: func(*call) []string { return []string{"challenge-authenticator"} },
		decorate: func(c *call, resp *idxResponse) {
			pw := c.s.org.byKey[AuthenticatorPassword]
			resp.Authenticators = listOf(kindDoc(pw))
			resp.AuthenticatorEnrollments = listOf(enrollmentDoc(pw, c.t.user))
			resp.User = userIdentifier(c.t.user)
			cur := enrollmentDoc(pw, c.t.user)
			pw.decorate(c, &cur)
			resp.CurrentAuthenticatorEnrollment = objectOf(cur)
		},
	})
}

// lockoutGate runs before identify checks the password of u (nil for an
// unknown username): a locked account is refused with errors.E0000119
// whatever the password, as is the attempt that locks it (see
// passwordAttempt). It returns nil to let identify check the password
// as usual.
func (c *call) lockoutGate(u *userRecord, password string) *idxResult {
	if c.passwordAttempt(u, password) {
		return failPtr(c.fail(http.StatusForbidden, msgLockedOut()))
	}
	return nil
}

// passwordAttempt counts an attempt of password for u (nil for an
// unknown username) against Policy.MaxPasswordAttempts, and reports
// whether the account is locked: before the attempt, or by it (the
// attempt that reaches the limit). A right password resets the count.
func (c *call) passwordAttempt(u *userRecord, password string) bool {
	if u == nil {
		return false
	}
	if u.Locked {
		c.s.cfg.logger.Info("idxtest password refused: locked out")
		return true
	}
	maxAttempts := c.s.org.policy.MaxPasswordAttempts
	if maxAttempts <= 0 {
		return false
	}
	if checkPassword(u, password) {
		u.passwordFailures = 0
		return false
	}
	u.passwordFailures++
	if u.passwordFailures < maxAttempts {
		return false
	}
	u.Locked = true
	c.s.cfg.logger.Info("idxtest user locked out")
	return true
}

// unlockLocked unlocks u and clears its count of wrong passwords. The
// caller holds s.mu.
func (s *Server) unlockLocked(u *userRecord) {
	u.Locked = false
	u.passwordFailures = 0
}

// UnlockUser unlocks the account of the user named username (compared
// without regard to case), locked by too many wrong passwords or made
// with User.Locked, and clears its count of wrong passwords. It fails if
// there is no such user.
func (s *Server) UnlockUser(username string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[strings.ToLower(username)]
	if !ok {
		return fmt.Errorf("idxtest: no user %q", username)
	}
	s.unlockLocked(u)
	return nil
}

// UserLocked reports whether the account of the user named username is
// locked out, and whether there is such a user.
func (s *Server) UserLocked(username string) (locked, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[strings.ToLower(username)]
	if !ok {
		return false, false
	}
	return u.Locked, true
}
