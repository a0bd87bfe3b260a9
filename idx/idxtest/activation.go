package idxtest

import (
	"fmt"
	"strings"
	"time"
)

// This file is account activation: a STAGED user ([User].Staged, made by
// an admin without a password) follows an activation token, which an app
// passes to /v1/interact as activation_token. The transaction starts with
// the user identified and the email counted as verified (the token came
// by email), and goes straight to the enrollment policy: the password
// first, as registration does, then whatever the policy requires.

// activationTokenLifetime is how long an activation token is good for,
// Okta's default for activation emails.
const activationTokenLifetime = 7 * 24 * time.Hour

// ActivationToken returns a new activation token for the staged user
// named username (compared without regard to case), as Okta's activate
// API does when it sends no email. An app passes it to /v1/interact as
// activation_token: the transaction then starts with the user identified
// and asks for a password (select-authenticator-enroll), then for what
// [Policy].Enrollment requires, and ends in success; the user is then
// active and signs in with that password.
//
// A token is good for one interaction, within seven days: /v1/interact
// refuses an unknown, used or expired one, or one of a user who is active
// by now, with invalid_request ("The activation token is invalid"), as
// Okta does (or, with [Policy].TokenErrorsInIDX, takes it and says why in
// IDX). ActivationToken fails if there is no such user or if the user
// already has a password (is not staged).
func (s *Server) ActivationToken(username string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[strings.ToLower(username)]
	if !ok {
		return "", fmt.Errorf("idxtest: no user %q", username)
	}
	if u.enrollments[AuthenticatorPassword] != nil {
		return "", fmt.Errorf("idxtest: user %q is already active", username)
	}
	return s.mintGrantLocked(&s.activationTokens, u, activationTokenLifetime), nil
}

// startActivationLocked starts t, new, as an activation when its
// interaction came with an activation token. It returns t.
func (s *Server) startActivationLocked(now time.Time, t *transaction) *transaction {
	g := t.interaction.activation
	t.interaction.activation = nil
	if g == nil || g.user.enrollments[AuthenticatorPassword] != nil || t.step != stepIdentify {
		return t
	}
	// The new user enrolls like one who registers: the password and the
	// email are required, and the email is verified by the token.
	t.flow, t.user = flowRegister, g.user
	t.markVerified(s.org.byKey[AuthenticatorEmail], "email")
	c := &call{s: s, now: now, t: t}
	c.advance()
	return t
}
