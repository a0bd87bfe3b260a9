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

// lockoutGate runs before identify checks the password of u (nil for an
// unknown username): a locked account is refused whatever the password;
// a wrong password counts towards the lockout, and the attempt that
// reaches Policy.MaxPasswordAttempts locks the account and is refused as
// locked; a right one resets the count. It returns nil to let identify
// check the password as usual.
func (c *call) lockoutGate(u *userRecord, password string) *idxResult {
	if u == nil {
		return nil
	}
	if u.Locked {
		c.s.cfg.logger.Info("idxtest identify refused: locked out")
		return failPtr(c.fail(http.StatusForbidden, msgLockedOut()))
	}
	maxAttempts := c.s.org.policy.MaxPasswordAttempts
	if maxAttempts <= 0 {
		return nil
	}
	if checkPassword(u, password) {
		u.passwordFailures = 0
		return nil
	}
	u.passwordFailures++
	if u.passwordFailures < maxAttempts {
		return nil
	}
	u.Locked = true
	c.s.cfg.logger.Info("idxtest user locked out")
	return failPtr(c.fail(http.StatusForbidden, msgLockedOut()))
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
