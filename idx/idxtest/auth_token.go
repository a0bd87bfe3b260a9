package idxtest

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// This file is the org's hardware and vendor one-time-password tokens, in
// the forms real orgs send: RSA SecurID (rsa_token) and an on-premises MFA
// server (onprem_mfa), which enroll with the user's name on the vendor's
// server; Symantec VIP (symantec_vip), which enrolls with a credential ID
// and two consecutive codes; a YubiKey in OTP mode (yubikey_token); and
// the org's custom OTP authenticator (custom_otp), which only an admin
// enrolls. An org offers them when its Policy names them (see
// addTokenKinds); a user holds tokens through [User].Tokens.
//
// A wrong code counts toward Policy.MaxVerificationAttempts, as other
// one-time codes do.
//
// Every token of the fake shows TOTP codes (RFC 6238, as [TOTP]) of its
// [Token].Secret: a test computes what the token shows. A YubiKey types a
// longer one-time password; the fake takes its TOTP code in its place.

// Keys of the tokens and of the other authenticators a Policy can add.
const (
	AuthenticatorRSA         = "rsa_token"
	AuthenticatorOnPrem      = "onprem_mfa"
	AuthenticatorSymantecVIP = "symantec_vip"
	AuthenticatorYubiKey     = "yubikey_token"
	AuthenticatorCustomOTP   = "custom_otp"
	AuthenticatorDuo         = "duo"
	AuthenticatorCustomApp   = "custom_app"
)

// Token is a hardware or vendor token a user holds.
type Token struct {
	// Secret is the base32 TOTP secret the token's codes come from:
	// TOTP(Secret, t) is what it shows at t.
	Secret string
	// ID is what the vendor knows the token by, asked when it is
	// enrolled: the user's name on the RSA or on-prem server (empty means
	// the Username), or Symantec VIP's credential ID (required there).
	ID string
	// Enrolled enrolls the token; otherwise the user holds it and enrolls
	// it when the policy asks.
	Enrolled bool
	// NextCode puts an RSA SecurID or on-prem MFA token in next-tokencode
	// mode, as the vendor's server does after a PIN change: the next
	// right code, at verification or enrollment, is refused with Okta's
	// errors.E0000113 (wait for the token to change, then enter the new
	// code), and the code the token shows next is taken.
	NextCode bool
}

// tokenKeys are the keys User.Tokens takes.
func tokenKeys() []string {
	return []string{AuthenticatorRSA, AuthenticatorOnPrem, AuthenticatorSymantecVIP, AuthenticatorYubiKey, AuthenticatorCustomOTP}
}

// optInKeys are the authenticators an org has only when its Policy names
// them, in the order they are offered.
func optInKeys() []string {
	return append(tokenKeys(), AuthenticatorDuo, AuthenticatorCustomApp)
}

// names reports whether the policy names key among its sign-in
// authenticators or its enrollment rules.
func (p *Policy) names(key string) bool {
	return slices.Contains(p.Authenticators, key) || slices.ContainsFunc(p.Enrollment, func(r EnrollmentRule) bool { return r.Key == key })
}

// addOptInKinds adds the authenticators the policy names among those
// every org does not have.
func addOptInKinds(o *org) {
	for _, key := range optInKeys() {
		if !o.policy.names(key) {
			continue
		}
		switch key {
		case AuthenticatorDuo:
			o.addKind(newDuoKind())
		case AuthenticatorCustomApp:
			o.addKind(newCustomAppKind(o))
		default:
			o.addKind(newTokenKind(key))
		}
	}
}

// enrollUserTokens checks u's tokens and authenticators of the opt-in
// kinds, copies them, and enrolls those that say so.
func enrollUserTokens(rec *userRecord) error {
	tokens := make(map[string]Token, len(rec.Tokens))
	for key, tok := range rec.Tokens {
		if !slices.Contains(tokenKeys(), key) {
			return fmt.Errorf("idxtest: user %q: %q is not a token's key", rec.Username, key)
		}
		if _, ok := decodeTOTPSecret(tok.Secret); !ok {
			return fmt.Errorf("idxtest: user %q: the %s token's secret is not base32", rec.Username, key)
		}
		if key == AuthenticatorSymantecVIP && tok.ID == "" {
			return fmt.Errorf("idxtest: user %q: the Symantec VIP token has no credential ID", rec.Username)
		}
		if tok.NextCode && key != AuthenticatorRSA && key != AuthenticatorOnPrem {
			return fmt.Errorf("idxtest: user %q: only RSA SecurID and on-prem MFA tokens have a next-tokencode mode", rec.Username)
		}
		tokens[key] = tok
		if tok.Enrolled {
			rec.enrollments[key] = newTokenEnrollment(key, tok.Secret)
		}
	}
	rec.Tokens = tokens
	if rec.Duo {
		rec.enrollments[AuthenticatorDuo] = &enrollment{id: randomOktaID("dsf"), credentialID: rec.Username}
	}
	if rec.CustomApp {
		rec.enrollments[AuthenticatorCustomApp] = &enrollment{id: randomOktaID("pfd")}
	}
	return nil
}

// newTokenEnrollment is an enrollment of the token key showing codes of
// secret. A YubiKey's carries the key's serial as its credentialId, as
// real orgs list it.
func newTokenEnrollment(key, secret string) *enrollment {
	e := &enrollment{id: randomOktaID(tokenEnrollmentPrefix(key)), value: secret}
	if key == AuthenticatorYubiKey {
		e.credentialID = randomOktaID("ykk")
	}
	return e
}

func tokenEnrollmentPrefix(key string) string {
	switch key {
	case AuthenticatorSymantecVIP:
		return "vip"
	case AuthenticatorYubiKey:
		return "ykf"
	case AuthenticatorCustomOTP:
		return "chf"
	}
	return "pae"
}

// tokenKind is one kind of token. The kinds differ in their forms only.
type tokenKind struct {
	kindBase
	// idField is the credentials field naming the token at enrollment:
	// "clientData" (the vendor's username) or "credentialId"; empty for
	// none.
	idField, idLabel string
	// codeLabel labels the code at verification, enrollLabel at
	// enrollment; nextLabel, when set, asks for the next code too.
	codeLabel, enrollLabel, nextLabel string
	// secret masks the code (a YubiKey's).
	secret bool
	// fieldError puts a wrong code's message on the code field rather
	// than at the top, and invalid is that message.
	fieldError bool
	invalid    func() ionMessage
	// restricted tokens are enrolled by an admin only.
	restricted bool
}

func newTokenKind(key string) *tokenKind {
	otp := []methodInfo{{typ: "otp", label: "Enter a code", amr: "otp"}}
	k := &tokenKind{kindBase: kindBase{key: key, typ: "security_key", methods: otp}, invalid: msgPasscodeInvalid,
		codeLabel: "Enter code"}
	switch key {
	case AuthenticatorRSA:
		k.displayName, k.idField, k.idLabel, k.enrollLabel = "RSA SecurID", "clientData", "User Name", "Passcode"
	case AuthenticatorOnPrem:
		k.displayName, k.idField, k.idLabel, k.enrollLabel = "On-Prem MFA", "clientData", "User Name", "Passcode"
	case AuthenticatorSymantecVIP:
		k.typ, k.displayName = "app", "Symantec VIP"
		k.currentIsKind = true // as real orgs describe its challenge
		k.idField, k.idLabel = "credentialId", "Enter credential ID"
		k.codeLabel, k.enrollLabel, k.nextLabel = "Enter security code", "Security Code 1", "Security Code 2"
		k.fieldError, k.invalid = true, msgTOTPInvalid
	case AuthenticatorYubiKey:
		k.displayName, k.secret, k.fieldError = "YubiKey Authenticator", true, true
		k.codeLabel = "Insert then tap your YubiKey"
		k.enrollLabel = k.codeLabel
		k.methods[0].amr = "hwk"
	case AuthenticatorCustomOTP:
		k.displayName, k.restricted = "Custom OTP", true
	}
	return k
}

// selectFields are the option's fields after the id: RSA SecurID and
// on-prem MFA name the enrollment, the custom OTP and the YubiKey their
// method; the others nothing.
func (k *tokenKind) selectFields(c *call) []ionField {
	switch k.key {
	case AuthenticatorRSA, AuthenticatorOnPrem:
		if e := c.t.user.enrollments[k.key]; e != nil {
			return []ionField{immutableValue("enrollmentId", e.id, true)}
		}
	case AuthenticatorCustomOTP, AuthenticatorYubiKey:
		return []ionField{immutableValue("methodType", "otp", false)}
	}
	return nil
}

// profile names an RSA SecurID or on-prem MFA enrollment's vendor.
func (k *tokenKind) profile(u *userRecord) *authenticatorProfile {
	if k.idField != "clientData" || u.enrollments[k.key] == nil {
		return nil
	}
	return &authenticatorProfile{Provider: k.displayName}
}

func (k *tokenKind) challenge(c *call, _ string, _ bool) *idxResult {
	c.t.setStep(stepChallenge, k)
	c.t.method = "otp"
	return nil
}

// codeField is the passcode field labelled label.
func (k *tokenKind) codeField(name, label string) ionField {
	f := ionField{Name: name, Label: label, Required: pTrue, Visible: pTrue}
	if k.secret {
		f.Secret, f.Visible = pTrue, nil
	}
	return f
}

// challengeFields ask for the code; RSA SecurID and on-prem MFA label it
// only, as real orgs do.
func (k *tokenKind) challengeFields(*call) []ionField {
	code := k.codeField("passcode", k.codeLabel)
	if k.idField == "clientData" {
		code = ionField{Name: "passcode", Label: k.codeLabel}
	}
	return []ionField{objectField("credentials", "", true, code)}
}

// enrollPasscodeFields are the fields of enroll-authenticator: the
// token's name at its vendor, then its code (and the next one). RSA
// SecurID and on-prem MFA send them as real orgs do, in an untyped
// credentials object holding the authenticator's id and method, with the
// user's name filled in.
func (k *tokenKind) enrollPasscodeFields(c *call) []ionField {
	if k.idField == "clientData" {
		return []ionField{{Name: "credentials", Form: &ionSubForm{Value: []ionField{
			immutableValue("id", k.id, true), immutableValue("methodType", "otp", true),
			{Name: k.idField, Label: k.idLabel, Value: c.t.user.Username, Required: pTrue},
			{Name: "passcode", Label: k.enrollLabel, Required: pTrue},
		}}}}
	}
	var fields []ionField
	if k.idField != "" {
		fields = append(fields, ionField{Name: k.idField, Label: k.idLabel, Required: pTrue, Visible: pTrue})
	}
	fields = append(fields, k.codeField("passcode", k.enrollLabel))
	if k.nextLabel != "" {
		fields = append(fields, k.codeField("nextPasscode", k.nextLabel))
	}
	return []ionField{objectField("credentials", "", true, fields...)}
}

type tokenBody struct {
	Credentials *struct {
		Passcode     *string `json:"passcode"`
		NextPasscode *string `json:"nextPasscode"`
		ClientData   *string `json:"clientData"`
		CredentialID *string `json:"credentialId"`
	} `json:"credentials"`
}

// fields returns the body's passcode, next passcode and token name.
func (b *tokenBody) fields() (code, next, id string) {
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return strings.TrimSpace(*p)
	}
	if b.Credentials == nil {
		return "", "", ""
	}
	cr := b.Credentials
	id = s(cr.CredentialID)
	if id == "" {
		id = s(cr.ClientData)
	}
	return s(cr.Passcode), s(cr.NextPasscode), id
}

// wrongCode answers a code that does not match, on the form's code
// field or at the top as the kind's org does; it counts toward the limit
// on wrong codes (limits.go).
func (k *tokenKind) wrongCode(c *call, form string) *idxResult {
	c.s.cfg.logger.Info("idxtest token code rejected", "key", k.key)
	if k.fieldError {
		return c.countAttempt(failPtr(c.failField(http.StatusUnauthorized, form, "credentials.passcode", k.invalid())))
	}
	return c.countAttempt(failPtr(c.fail(http.StatusUnauthorized, k.invalid())))
}

func (k *tokenKind) verify(c *call, raw []byte) *idxResult {
	var b tokenBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	code, _, _ := b.fields()
	if code == "" {
		return failPtr(c.failField(http.StatusBadRequest, stepChallenge, "credentials.passcode", msgBlank()))
	}
	if res := c.verificationLocked(); res != nil {
		return res
	}
	e := c.t.user.enrollments[k.key]
	step, used, ok := totpMatch(e.value, code, c.now, e.step)
	if used || !ok {
		return k.wrongCode(c, stepChallenge)
	}
	e.step = step
	if k.askNextCode(c.t.user) {
		return failPtr(c.fail(http.StatusBadRequest, msgNextCode()))
	}
	return c.countAttempt(nil)
}

// askNextCode reports whether u's token is in next-tokencode mode, and
// leaves the mode: the code after this one is taken.
func (k *tokenKind) askNextCode(u *userRecord) bool {
	tok, ok := u.Tokens[k.key]
	if !ok || !tok.NextCode {
		return false
	}
	tok.NextCode = false
	u.Tokens[k.key] = tok
	return true
}

// msgNextCode is Okta's answer to a right code of a token in
// next-tokencode mode.
func msgNextCode() ionMessage {
	const text = "Pin accepted, Wait for token to change, then enter new passcode"
	return errorMessage(text, "errors.E0000113", text)
}

// decorate leaves the vendor out of the enrollment being verified: real
// orgs name it in authenticatorEnrollments only.
func (k *tokenKind) decorate(_ *call, doc *authenticatorDoc) { doc.Profile = nil }

// Enrollment.

// enrollFields offer the one method, hidden, as real orgs do, but for
// Symantec VIP's option, which has its id alone.
func (k *tokenKind) enrollFields(*call) []ionField {
	if k.key == AuthenticatorSymantecVIP {
		return nil
	}
	return []ionField{hiddenValue("methodType", "otp", false)}
}

func (k *tokenKind) enrollmentDataFields(*call) []ionField { return nil }

// startEnroll asks for the token's name and code; the custom OTP is
// refused as real orgs refuse it, with enroll.hotp.restricted.
func (k *tokenKind) startEnroll(c *call, _ []byte) *idxResult {
	if k.restricted {
		return failPtr(c.fail(http.StatusBadRequest,
			errorMessage("Contact your administrator to continue enrollment", "enroll.hotp.restricted", []any{}...)))
	}
	c.t.setStep(stepEnroll, k)
	c.t.method = "otp"
	return nil
}

// finishEnroll checks the token's name and code (and the next code)
// against the token the user holds, and enrolls it.
func (k *tokenKind) finishEnroll(c *call, raw []byte) *idxResult {
	var b tokenBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	code, next, id := b.fields()
	switch {
	case k.idField != "" && id == "":
		return failPtr(c.failField(http.StatusBadRequest, stepEnroll, "credentials."+k.idField, msgBlank()))
	case code == "":
		return failPtr(c.failField(http.StatusBadRequest, stepEnroll, "credentials.passcode", msgBlank()))
	case k.nextLabel != "" && next == "":
		return failPtr(c.failField(http.StatusBadRequest, stepEnroll, "credentials.nextPasscode", msgBlank()))
	}
	if res := c.verificationLocked(); res != nil {
		return res
	}
	u := c.t.user
	tok, held := u.Tokens[k.key]
	if !held {
		tok = Token{Secret: newTOTPSecret(), ID: randomToken(12)} // no token of the user's: nothing matches
	}
	wantID := tok.ID
	if wantID == "" && k.idField == "clientData" {
		wantID = u.Username
	}
	if k.idField != "" && subtle.ConstantTimeCompare([]byte(strings.ToLower(id)), []byte(strings.ToLower(wantID))) != 1 {
		return k.wrongCode(c, stepEnroll)
	}
	last, refused := u.refusedSteps[k.key]
	if !refused {
		last = -1
	}
	step, _, ok := totpMatch(tok.Secret, code, c.now, last)
	if ok && k.nextLabel != "" {
		key, _ := decodeTOTPSecret(tok.Secret)
		ok = subtle.ConstantTimeCompare([]byte(next), []byte(totpAt(key, step+1))) == 1
		step++
	}
	if !ok {
		return k.wrongCode(c, stepEnroll)
	}
	if k.askNextCode(u) {
		if u.refusedSteps == nil {
			u.refusedSteps = map[string]int64{}
		}
		u.refusedSteps[k.key] = step
		return failPtr(c.fail(http.StatusBadRequest, msgNextCode()))
	}
	e := newTokenEnrollment(k.key, tok.Secret)
	e.step = step
	u.enrollments[k.key] = e
	tok.Enrolled = true
	u.Tokens[k.key] = tok
	return c.countAttempt(nil)
}
