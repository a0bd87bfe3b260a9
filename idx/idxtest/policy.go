package idxtest

import "time"

// This file is the org's public policy configuration: which authenticators
// a sign-in must verify, which ones users must or may enroll, and which
// self-service flows the org offers.

// Authenticator keys, as IDX names them in the "key" of an authenticator.
const (
	AuthenticatorPassword         = "okta_password"
	AuthenticatorEmail            = "okta_email"
	AuthenticatorPhone            = "phone_number"
	AuthenticatorGoogle           = "google_otp"
	AuthenticatorOktaVerify       = "okta_verify"
	AuthenticatorSecurityQuestion = "security_question"
	AuthenticatorWebAuthn         = "webauthn"
)

// Policy is the org's sign-on, enrollment and self-service configuration.
// The zero Policy is not useful; start from [DefaultPolicy] and change
// fields.
type Policy struct {
	// Factors is how many different authenticators a sign-in must verify,
	// the password included. DefaultPolicy asks for 2 (password, then one
	// more). Values below 1 count as 1.
	Factors int

	// Authenticators are the keys of the authenticators a sign-in may be
	// verified with, in the order they are offered. Nil means every
	// authenticator every org has: the password, email, phone, Google
	// Authenticator, Okta Verify, security question and WebAuthn. The
	// org has the others (AuthenticatorRSA, AuthenticatorOnPrem,
	// AuthenticatorSymantecVIP, AuthenticatorYubiKey,
	// AuthenticatorCustomOTP, AuthenticatorDuo, AuthenticatorCustomApp)
	// only when this list or Enrollment names them. The password is
	// always verified at identify.
	Authenticators []string

	// Enrollment lists the authenticators the user is asked to enroll
	// after the sign-on factors are verified, when not enrolled yet.
	// When Factors cannot be met with the user's enrollments, the
	// authenticators listed here (or, if none, every one in
	// Authenticators) must be enrolled first, without a skip.
	Enrollment []EnrollmentRule

	// Registration offers self-service registration (select-enroll-profile
	// on the identify step, then enroll-profile). The new user joins the
	// directory once the profile is accepted and must enroll the password
	// and the email, then what Enrollment asks for.
	Registration bool
	// Recovery offers password recovery: the identify step's
	// currentAuthenticator has a recover action, then identify-recovery,
	// select-authenticator-authenticate among RecoveryAuthenticators, the
	// challenge and reset-authenticator; see [WithPasswordResetTerminal].
	// An unknown username gets the same answers, and nothing is sent.
	Recovery bool
	// Unlock offers self-service account unlock: unlock-account on the
	// identify step, then select-authenticator-unlock-account (username
	// and one of RecoveryAuthenticators but the security question), the
	// challenge, and a terminal answer once unlocked.
	Unlock bool
	// TokenErrorsInIDX makes the org take an activation or recovery token
	// that no longer works at /v1/interact and say why in the
	// transaction's first answer, as Okta Identity Engine orgs answer
	// their activation and reset links: an expired activation token
	// offers request-activation-email (idx.expired.activation.token),
	// which mails the user a new one ([Email].Code) and ends with
	// idx.request.activation.email; an unknown or used activation token
	// ends with idx.missing.activation.token, a recovery token with
	// idx.invalid.reset.password.token. Otherwise /v1/interact refuses
	// such a token with invalid_request.
	TokenErrorsInIDX bool
	// UnlockThen is how the org goes on once an account is unlocked:
	// [UnlockTerminal] (the default, and what any other value does),
	// [UnlockLandOnApp] or
	// [UnlockChooseAuthenticator].
	UnlockThen UnlockEnding
	// RecoveryAuthenticators are the keys of the authenticators that
	// verify recovery and unlock: [AuthenticatorEmail],
	// [AuthenticatorPhone] (SMS or voice), [AuthenticatorOktaVerify]
	// (push or TOTP) and, for recovery only,
	// [AuthenticatorSecurityQuestion]; other keys are ignored. Nil means
	// the email only. They are offered in the server's order to every
	// user, whatever they enrolled, so that the answers do not tell who
	// has an account or what they enrolled: when the user (or a username
	// that names nobody) has not enrolled the one chosen, the flow shows a
	// stand-in enrollment, sends nothing, and never verifies.
	RecoveryAuthenticators []string
	// IdPs are the external identity providers offered as redirect-idp
	// remediations on the identify step. The server plays them: a
	// redirect-idp href redirects straight back to the app's redirect URI
	// with interaction_code and state (amr "fed"), or with an error.
	IdPs []IdP

	// IdentifierFirst makes the org's sign-in identifier-first: identify
	// asks for the username only (and rememberMe), and the password is a
	// challenge of its own (challenge-authenticator, with the other
	// authenticators the user may verify instead in
	// select-authenticator-authenticate), with the recover action when
	// the policy offers recovery, which goes on to the user's recovery
	// authenticators without asking for the username again. An unknown
	// username fails at identify
	// (errors.E0000004); a wrong password fails the challenge with the
	// top-level message incorrectPassword.
	IdentifierFirst bool

	// MaxPasswordAttempts locks a user out after that many consecutive
	// wrong passwords. Zero never locks anyone out. Until the account is
	// unlocked ([Server.UnlockUser], or the unlock flow), identify fails
	// with errors.E0000119 (HTTP 403); with IdentifierFirst, the password
	// challenge is answered, whatever the password, with
	// authfactor.challenge.suspended_factor (HTTP 403) and the challenge
	// form alone, as Okta answers a locked account there.
	MaxPasswordAttempts int

	// MaxVerificationAttempts is how many wrong one-time codes in a row
	// (email, SMS and voice codes, Google Authenticator and Okta Verify
	// TOTP) a user may enter for one authenticator: the one that reaches
	// it locks that authenticator for [VerificationLockout], and every
	// code for it until then, right or wrong, is answered 429 with the
	// message tooManyRequests, as Okta Identity Engine answers after five.
	// A right code clears the count. Zero means Okta's
	// [DefaultMaxVerificationAttempts] (5); a negative value means no
	// limit.
	MaxVerificationAttempts int

	// MaxPhoneSends is how many SMS and voice calls one transaction may
	// send (the first code, resends, enrollment): the one over it is
	// refused with errors.E0000150 (SMS) or errors.E0000151 (voice),
	// HTTP 400, on the step the user was at, and nothing is sent. Zero
	// means no limit.
	MaxPhoneSends int

	// ProfileAttributes are what self-service registration asks for in
	// enroll-profile. Nil means [DefaultProfileAttributes]; the email is
	// always asked for.
	ProfileAttributes []ProfileAttribute
	// PasswordComplexity are the rules a new password must meet. Nil
	// means [DefaultPasswordComplexity].
	PasswordComplexity *PasswordComplexity

	// KeepMeSignedIn asks "keep me signed in?" once the user is
	// authenticated (the keep-me-signed-in remediation, a required
	// boolean), unless the user checked identify's rememberMe. A user who
	// chose either gets a persistent session cookie.
	KeepMeSignedIn bool
	// RememberMeChecked makes identify's rememberMe come checked (its
	// value true), as orgs whose sign-in offers "keep me signed in"
	// checked by default send it. The org goes by the value it receives:
	// a client that sends the form's value keeps the user signed in (and
	// is not asked keep-me-signed-in); false sent is not kept.
	RememberMeChecked bool

	// ProfileUpdate are the profile attributes the org asks its users
	// for at sign-in (progressive profiling): once authenticated, a user
	// without a value for some of them is asked for those in
	// profile-update, with a skip, which the org refuses while a required
	// one is asked for. The values given are kept
	// ([Server.ProfileAttributeOf]) and not asked for again.
	ProfileUpdate []ProfileAttribute

	// Captcha, when set, is the org's bot protection: identify,
	// enroll-profile and identify-recovery ask for a captcha of this
	// service and site key (a captchaVerify field and the document's
	// captcha object), and accept only [CaptchaTestToken]. A form sent
	// without a token is refused as one with a required field left blank
	// (model.validation.field.blank), a wrong token as an invalid value
	// (errors.E0000001), on the captchaVerify.captchaToken field with
	// HTTP 400: no captured answer shows how Okta refuses a token.
	Captcha *Captcha

	// DeviceChallenge, when set, makes the org answer the start of a
	// sign-in with Okta FastPass's device challenge of that method
	// ([DeviceChallengeCustomURI], [DeviceChallengeUniversalLink],
	// [DeviceChallengeAppLink] or [DeviceChallengeLoopback]) before it
	// asks for the username: see [Server.AnswerDeviceChallenge].
	DeviceChallenge string
	// IdentityVerification, when set, makes the org send the user to an
	// identity verification vendor (redirect-idverify) once the password
	// is verified: see [IDVendor].
	IdentityVerification *IDVendor

	// DeviceAssurance, when set, is a device assurance policy every
	// device fails: the sign-in is warned during its grace period, denied
	// after it (see [DeviceAssurance]).
	DeviceAssurance *DeviceAssurance
	// PasswordPage, when set, is the org's own page for changing a
	// password: an expired or expiring one ([User].PasswordExpired,
	// PasswordExpiresSoon) is changed there, on the
	// reenroll-custom-password-expiry steps that name it.
	PasswordPage *PasswordPage

	// Consent makes the apps ask the user to consent to the scopes they
	// request, once the sign-in is otherwise done: [ConsentEndUser],
	// [ConsentAdmin] or [ConsentGranular] (see consent.go); empty asks
	// for none.
	Consent string
	// EmailLinkConsent makes the email's magic link, confirmed on
	// another device (POST), ask there whether the sign-in is the user's:
	// the answer is email-challenge-consent, on a transaction of its own
	// (see email_consent.go).
	EmailLinkConsent bool
	// Scopes are custom scopes of the org's authorization server, beside
	// openid, profile, email, address, phone and offline_access: an app
	// may request them, and consent shows their label and description.
	Scopes []Scope
}

// EnrollmentRule is one authenticator of the enrollment policy.
type EnrollmentRule struct {
	// Key is the authenticator key, such as [AuthenticatorPhone].
	Key string
	// Required makes enrollment mandatory; otherwise the user may skip it.
	Required bool
	// GracePeriodEnd, for a required enrollment, lets the user put it off
	// until then (by the org's clock): the authenticator shows its
	// gracePeriod, and the enrollment may be skipped.
	GracePeriodEnd time.Time `json:",omitzero"`
}

// IdP is an external identity provider the org redirects to.
type IdP struct {
	// ID is the IdP's ID ("0oa..."). Empty means a random one.
	ID string
	// Type is the IdP type as IDX names it, such as "GOOGLE" or "SAML2".
	Type string
	// Name is the label shown to the user.
	Name string
	// Username is the org user the IdP signs in. Empty means the demo
	// user; a username the org does not know fails the sign-in.
	Username string
	// Fail makes the IdP refuse every sign-in: the browser goes back to
	// the app with error=access_denied.
	Fail bool
}

// DefaultPolicy is the policy of a Server made without [WithPolicy]: the
// password at identify, then one more authenticator (the email, which
// every user has), no enrollment, and no self-service flows.
func DefaultPolicy() Policy {
	return Policy{Factors: 2}
}

// WithPolicy sets the org's policy. The default is [DefaultPolicy].
func WithPolicy(p Policy) Option {
	p.Authenticators = append([]string(nil), p.Authenticators...)
	p.Enrollment = append([]EnrollmentRule(nil), p.Enrollment...)
	p.IdPs = append([]IdP(nil), p.IdPs...)
	p.Scopes = append([]Scope(nil), p.Scopes...)
	if p.RecoveryAuthenticators != nil {
		p.RecoveryAuthenticators = append([]string{}, p.RecoveryAuthenticators...)
	}
	p.ProfileAttributes, p.PasswordComplexity = copyRegistrationPolicy(p.ProfileAttributes, p.PasswordComplexity)
	p.ProfileUpdate, _ = copyRegistrationPolicy(p.ProfileUpdate, nil)
	if p.Captcha != nil {
		captcha := *p.Captcha
		p.Captcha = &captcha
	}
	if p.IdentityVerification != nil {
		v := *p.IdentityVerification
		p.IdentityVerification = &v
	}
	p.DeviceAssurance, p.PasswordPage = copyAssurancePolicy(p.DeviceAssurance, p.PasswordPage)
	return func(c *config) { c.idx.policy = &p }
}

// idxConfig is the part of config that the IDX options set. It lives in
// config as one field so that IDX options are added here, not in
// options.go.
type idxConfig struct {
	policy            *Policy // nil means DefaultPolicy()
	ovNumberChallenge bool    // Okta Verify pushes carry a number challenge
	ovFastPassOnly    bool    // Okta Verify is offered only as FastPass (auth_fastpass.go)
	resetTerminal     bool    // see WithPasswordResetTerminal (flow_recover.go)
}

// policy returns the org policy in force.
func (c *idxConfig) policyOrDefault() Policy {
	if c.policy == nil {
		return DefaultPolicy()
	}
	return *c.policy
}

// factors is how many authenticators a sign-in needs, at least 1.
func (p *Policy) factors() int { return max(p.Factors, 1) }

// allows reports whether key may be used for sign-in.
func (p *Policy) allows(key string) bool {
	if key == AuthenticatorPassword || p.Authenticators == nil {
		return true
	}
	for _, k := range p.Authenticators {
		if k == key {
			return true
		}
	}
	return false
}
