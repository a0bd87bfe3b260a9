package idxtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// This file is self-service password recovery: the recover action of the
// identify step's password (POST /idp/idx/recover), identify-recovery,
// verification with the email, then reset-authenticator. It also holds
// what recovery and unlock share: the per-transaction self-service state,
// the users that do not exist, and the hooks into the identify step and
// into advance.

// Steps of recovery.
const (
	stepIdentifyRecovery = "identify-recovery"
	stepResetPassword    = "reset-authenticator"
	stepRecoveryDone     = "terminal-recovery-completed"
)

// selfService is a transaction's state for recovery, unlock, the email
// magic link and external IdPs.
type selfService struct {
	// phantom is set when the identifier given to recovery or unlock names
	// no user: the flow goes on with a stand-in user, sends nothing and
	// never verifies, so that answers do not tell who has an account.
	phantom bool
	// linkToken names the magic link of the email code in force.
	linkToken string
	// linkConfirmed is set when the magic link was confirmed on another
	// device; the next poll completes the challenge.
	linkConfirmed bool
	// idpToken names the transaction in the redirect-idp hrefs.
	idpToken string
	// cancelledLink is the magic link token of the transaction this one
	// replaced by a cancel, if any (magiclink.go).
	cancelledLink string
	// standIns are the stand-in enrollments shown for authenticators the
	// user has not enrolled (recovery_authenticators.go).
	standIns map[string]*enrollment
}

// WithPasswordResetTerminal makes a completed password recovery end with
// the idx.recovery.completed terminal answer ("sign in with your new
// password") instead of signing the user in, as an org does whose
// password policy asks users to sign in again after a reset. By default
// the reset password counts as verified and the sign-in goes on to
// success (or to the factors the policy still asks for).
func WithPasswordResetTerminal() Option {
	return func(c *config) { c.idx.resetTerminal = true }
}

func registerRecover(o *org) {
	o.addStep(stepIdentifyRecovery, stepDef{
		forms: func(c *call) []string { return append([]string{"identify-recovery"}, registrationForms(c)...) },
		page:  "IDENTIFY",
	})
	o.addStep(stepResetPassword, stepDef{
		forms: func(*call) []string { return []string{"reset-authenticator"} },
		decorate: func(c *call, resp *idxResponse) {
			resp.CurrentAuthenticator = objectOf(c.passwordDoc())
			resp.Authenticators = listOf(kindDoc(c.s.org.byKey[AuthenticatorPassword]))
			resp.AuthenticatorEnrollments = listOf(c.s.org.enrollmentsOf(c.t.user)...)
			resp.User = userObject(c.t.user)
			decorateRecovery(c, resp)
		},
	})
	o.addStep(stepRecoveryDone, terminalStep(msgRecoveryCompleted, false))
	registerResetGoogle(o)
	o.addForm("identify-recovery", formDef{path: "/idp/idx/identify", render: renderIdentifyRecovery, submit: submitIdentifyRecovery})
	o.addForm("reset-authenticator", formDef{path: "/idp/idx/challenge/answer", render: renderResetPassword, submit: submitResetPassword})
}

// terminalStep is a step that offers nothing: the answer is the message
// and the user, and cancel when withCancel is set.
func terminalStep(msg func() ionMessage, withCancel bool) stepDef {
	return stepDef{
		forms: func(*call) []string { return nil },
		decorate: func(c *call, resp *idxResponse) {
			if !withCancel {
				resp.Cancel = nil
			}
			resp.addMessage(msg())
			if c.t.user != nil {
				resp.User = userIdentifier(c.t.user)
			}
		},
	}
}

func infoMessage(text, key string, params ...any) ionMessage {
	m := errorMessage(text, key, params...)
	m.Class = "INFO"
	return m
}

func msgRecoveryCompleted() ionMessage {
	return infoMessage("You can now sign in with your existing username and new password.", "idx.recovery.completed")
}

// identifyForms are the identify step's remediations after identify: one
// redirect-idp per external IdP.
func identifyForms(c *call) []string {
	var out []string
	for _, idp := range c.s.org.policy.IdPs {
		out = append(out, redirectIdPFormName(idp))
	}
	return out
}

// unlockForms are the identify step's last remediations: unlock-account
// when the policy offers it.
func unlockForms(c *call) []string {
	if c.s.org.policy.Unlock {
		return []string{"unlock-account"}
	}
	return nil
}

// decorateIdentifyRecover adds the recover action to the identify step's
// current authenticator (the password) when the policy offers recovery.
func decorateIdentifyRecover(c *call, resp *idxResponse) {
	if c.s.org.policy.Recovery && resp.CurrentAuthenticator != nil {
		resp.CurrentAuthenticator.Value.Recover = newForm("recover", c.s.href("/idp/idx/recover"), stateHandleField(c.t.handle))
	}
}

// selfServiceAllows reports whether key may verify the user of c.t's
// flow: recovery and unlock verify with Policy.RecoveryAuthenticators.
func (c *call) selfServiceAllows(key string) bool {
	switch c.t.flow {
	case flowRecover:
		return slices.Contains(c.s.org.policy.recoveryKeys(), key)
	case flowUnlock:
		return slices.Contains(c.s.org.policy.unlockKeys(), key)
	}
	return true
}

// decorateRecovery adds the password being recovered, with the org's
// rules, to the answers of a recovery.
func decorateRecovery(c *call, resp *idxResponse) {
	if c.t.flow == flowRecover {
		resp.RecoveryAuthenticator = objectOf(c.passwordDoc())
	}
}

// redactSelfServiceUser leaves only the ID and username in the user of a
// recovery or unlock answer: the profile (names, locale) is not shown to
// someone who only typed a username, nor does its absence tell that the
// username names nobody.
func redactSelfServiceUser(c *call, resp *idxResponse) {
	if (c.t.flow == flowRecover || c.t.flow == flowUnlock) && resp.User != nil {
		resp.User = userIdentifier(c.t.user)
	}
}

// advanceSelfService is advance for recovery and unlock: once one of the
// recovery authenticators is verified (only those are offered), recovery
// asks for the new password and unlock ends. It reports false for the
// other flows.
func (c *call) advanceSelfService() (idxResult, bool) {
	t := c.t
	switch {
	case t.flow == flowRecover && len(t.verified) == 0:
		t.setStep(stepSelect, nil)
		return c.ok(), true
	case t.flow == flowRecover:
		t.setStep(stepResetPassword, c.s.org.byKey[AuthenticatorPassword])
		return c.ok(), true
	case t.flow == flowUnlock && len(t.verified) > 0:
		return c.finishUnlock(), true
	}
	return idxResult{}, false
}

// recoverPassword answers POST /idp/idx/recover, the recover action of
// the identify step's password, or of the password challenge of an
// identifier-first org. The transaction turns to recovery: from identify
// it asks who forgot their password (identify-recovery); from the
// challenge, whose user is known, it goes on to the recovery
// authenticators of that user, as Okta does. It is not allowed when the
// policy offers no recovery, nor elsewhere.
func (s *Server) recoverPassword(now time.Time, raw []byte) idxResult {
	return s.onKind(now, raw, func(c *call) *idxResult {
		t := c.t
		atPassword := t.kind != nil && t.kind.base().key == AuthenticatorPassword &&
			(t.step == stepChallenge || t.step == stepPasswordLocked) && t.user != nil
		if !s.org.policy.Recovery || t.step != stepIdentify && !atPassword || t.flow != flowAuthenticate {
			return failPtr(c.fail(http.StatusForbidden, msgNotAllowed()))
		}
		t.flow = flowRecover
		t.verified, t.amr = nil, nil
		if atPassword {
			t.ss.phantom = false
			res := c.advance()
			return &res
		}
		t.user = nil
		t.setStep(stepIdentifyRecovery, nil)
		return nil
	})
}

func renderIdentifyRecovery(c *call) *ionForm {
	return newForm("identify-recovery", c.s.href("/idp/idx/identify"),
		append(append([]ionField{{Name: "identifier", Label: "Username", Required: pTrue}},
			c.captchaFields()...), stateHandleField(c.t.handle))...,
	)
}

type identifierBody struct {
	Identifier *string `json:"identifier"`
}

// identifiedUser decodes the identifier of body and returns its user, or a
// stand-in (marking c.t phantom) when there is none.
func (c *call) identifiedUser(form string, raw []byte) (*userRecord, *idxResult) {
	var b identifierBody
	if !decode(raw, &b) {
		return nil, failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	identifier := ""
	if b.Identifier != nil {
		identifier = strings.TrimSpace(*b.Identifier)
	}
	if identifier == "" {
		return nil, failPtr(c.failField(http.StatusBadRequest, form, "identifier", msgBlank()))
	}
	if u := c.s.users[strings.ToLower(identifier)]; u != nil {
		c.t.ss.phantom = false
		return u, nil
	}
	c.t.ss.phantom = true
	return phantomUser(identifier), nil
}

// phantomUser stands in for an identifier that names nobody. It is never
// registered and can never be verified.
func phantomUser(identifier string) *userRecord {
	return &userRecord{
		User: User{ID: randomOktaID("00u"), Username: identifier, Email: identifier, Locale: "en_US"},
		enrollments: map[string]*enrollment{
			AuthenticatorPassword: {id: randomOktaID("lae")},
			AuthenticatorEmail:    {id: randomOktaID("eae"), value: identifier},
		},
	}
}

func submitIdentifyRecovery(c *call, raw []byte) idxResult {
	if res := c.captchaGate("identify-recovery", raw); res != nil {
		return *res
	}
	u, fail := c.identifiedUser("identify-recovery", raw)
	if fail != nil {
		return *fail
	}
	c.t.user = u
	return c.advance()
}

func renderResetPassword(c *call) *ionForm {
	f := newForm("reset-authenticator", c.s.href("/idp/idx/challenge/answer"),
		objectField("credentials", "", true,
			ionField{Name: "passcode", Label: "New password", Secret: pTrue},
			ionField{Name: "revokeSessions", Label: "Sign me out of all other devices", Type: "boolean"},
		),
		stateHandleField(c.t.handle),
	)
	f.RelatesTo = []string{relatesToCurrentAuthenticator}
	return f
}

type revokeBody struct {
	Credentials *struct {
		RevokeSessions *bool `json:"revokeSessions"`
	} `json:"credentials"`
}

// submitResetPassword sets the new password, which must meet the org's
// complexity rules and differ from the current one. With revokeSessions,
// the user's tokens are revoked.
func submitResetPassword(c *call, raw []byte) idxResult {
	pw, fail := c.newPassword("reset-authenticator", raw)
	if fail != nil {
		return *fail
	}
	var b revokeBody
	_ = decode(raw, &b) // newPassword decoded it already
	c.setPassword(pw)
	c.s.unlockLocked(c.t.user)
	if b.Credentials != nil && b.Credentials.RevokeSessions != nil && *b.Credentials.RevokeSessions {
		c.s.revokeUserTokensLocked(c.t.user)
	}
	c.s.cfg.logger.Info("idxtest password reset")
	c.t.markVerified(c.s.org.byKey[AuthenticatorPassword], "password")
	c.t.flow = flowAuthenticate
	if c.s.cfg.idx.resetTerminal {
		c.t.setStep(stepRecoveryDone, nil)
		return c.ok()
	}
	return c.advance()
}

// revokeUserTokensLocked forgets every access and refresh token of u.
func (s *Server) revokeUserTokensLocked(u *userRecord) {
	for k, a := range s.accessTokens {
		if a.user == u {
			delete(s.accessTokens, k)
		}
	}
	for k, r := range s.refreshTokens {
		if r.user == u {
			delete(s.refreshTokens, k)
		}
	}
}

// recoveryTokenLifetime is how long a recovery token is good for.
const recoveryTokenLifetime = time.Hour

// userGrant is what a one-time recovery or activation token stands for.
type userGrant struct {
	user      *userRecord
	expiresAt time.Time
	// key is the authenticator a recovery token resets: the password
	// when empty, or Google Authenticator (reset_google.go).
	key string
}

// mintGrantLocked stores a new one-time token for u in *grants (made on
// first use), good for life, after dropping the expired ones, and returns
// it.
func (s *Server) mintGrantLocked(grants *map[string]*userGrant, u *userRecord, life time.Duration) string {
	now := s.now()
	if *grants == nil {
		*grants = map[string]*userGrant{}
	}
	for tok, g := range *grants {
		if !now.Before(g.expiresAt) {
			delete(*grants, tok)
		}
	}
	tok := randomToken(32)
	(*grants)[tok] = &userGrant{user: u, expiresAt: now.Add(life)}
	return tok
}

// takeGrantLocked uses up tok and returns its grant in grants, or nil
// when there is none or it expired.
func takeGrantLocked(grants map[string]*userGrant, tok string, now time.Time) *userGrant {
	g, ok := grants[tok]
	delete(grants, tok)
	if !ok || !now.Before(g.expiresAt) {
		return nil
	}
	return g
}

// RecoveryToken returns a new recovery token for the user named username
// (compared without regard to case), as Okta's reset-password API does
// when it sends no email. An app passes it to /v1/interact as
// recovery_token: the transaction then starts in recovery with the user
// identified and asked for a new password (reset-authenticator). A token
// is good for one interaction, within an hour; /v1/interact refuses an
// unknown, used or expired one with invalid_request ("The recovery token
// is invalid"), as Okta does (or, with [Policy].TokenErrorsInIDX, takes it
// and ends the transaction with idx.invalid.reset.password.token). It
// fails if there is no such user.
func (s *Server) RecoveryToken(username string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[strings.ToLower(username)]
	if !ok {
		return "", fmt.Errorf("idxtest: no user %q", username)
	}
	return s.mintGrantLocked(&s.recoveryTokens, u, recoveryTokenLifetime), nil
}

// startRecoveryLocked starts t, new, in recovery when its interaction came
// with a recovery token. The token stands for the email: the user goes
// straight to reset-authenticator. It returns t.
func (s *Server) startRecoveryLocked(now time.Time, t *transaction) *transaction {
	g := t.interaction.recovery
	t.interaction.recovery = nil
	if g == nil {
		return t
	}
	t.flow, t.user = flowRecover, g.user
	t.verified = append(t.verified, AuthenticatorEmail)
	if g.key == AuthenticatorGoogle {
		t.setStep(stepResetGoogle, s.org.byKey[AuthenticatorGoogle])
		t.method, t.pending = "otp", newTOTPSecret()
		return t
	}
	t.setStep(stepResetPassword, s.org.byKey[AuthenticatorPassword])
	return t
}
