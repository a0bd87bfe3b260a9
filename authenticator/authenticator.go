package authenticator

// Key identifies an authenticator type, as in the "key" member of the
// authenticator objects of an IDX response.
type Key string

// The authenticator keys of Okta Identity Engine.
const (
	OktaPassword     Key = "okta_password"
	OktaEmail        Key = "okta_email"
	PhoneNumber      Key = "phone_number"
	GoogleOTP        Key = "google_otp"
	OktaVerify       Key = "okta_verify"
	SecurityQuestion Key = "security_question"
	WebAuthn         Key = "webauthn"
	Duo              Key = "duo"
	CustomOTP        Key = "custom_otp"
	RSAToken         Key = "rsa_token"
	OnPremMFA        Key = "onprem_mfa"
	SymantecVIP      Key = "symantec_vip"
	YubiKeyToken     Key = "yubikey_token"
	ExternalIdP      Key = "external_idp"
	CustomApp        Key = "custom_app"
)

// Known reports whether k is one of the keys this package names. Orgs may
// offer authenticators with other keys; the SDK handles those generically.
func (k Key) Known() bool {
	switch k {
	case OktaPassword, OktaEmail, PhoneNumber, GoogleOTP, OktaVerify, SecurityQuestion,
		WebAuthn, Duo, CustomOTP, RSAToken, OnPremMFA, SymantecVIP, YubiKeyToken,
		ExternalIdP, CustomApp:
		return true
	}
	return false
}

// String returns the key as sent on the wire.
func (k Key) String() string { return string(k) }

// Answer is what a user supplies to verify or enroll an authenticator.
// Fields that do not apply to an authenticator are ignored.
type Answer struct {
	// VerificationCode is a one-time code: emailed, texted, spoken, or
	// shown by an authenticator app.
	VerificationCode string
	// Password is the current password (okta_password).
	Password string
	// NewPassword is a password being set: at enrollment, reset or
	// re-enrollment of okta_password. Credentials uses it for
	// okta_password when Password is empty.
	NewPassword string
	// Answer is the answer to a security question.
	Answer string
	// QuestionKey picks a predefined security question at enrollment
	// ("custom" for one of the user's own, given in Question).
	QuestionKey string
	Question    string
	// WebAuthn is the browser's answer to a WebAuthn ceremony.
	WebAuthn *WebAuthnAnswer
}

// WebAuthnAnswer holds what navigator.credentials.create (enrollment) or
// navigator.credentials.get (verification) gave the browser, each value
// base64url-encoded as Okta expects.
type WebAuthnAnswer struct {
	// ClientData is the clientDataJSON, for both ceremonies.
	ClientData string
	// Attestation is the attestationObject (enrollment).
	Attestation string
	// AuthenticatorData and SignatureData are the assertion's
	// authenticatorData and signature (verification).
	AuthenticatorData string
	SignatureData     string
}

// Credentials returns the "credentials" object that answers a
// challenge-authenticator or enroll-authenticator form for the authenticator
// with key k, and whether the answer holds what k needs. An unknown key is
// answered with a passcode, the form most authenticators use. Use
// [CredentialsFor] when the form's credential fields are known.
func Credentials(k Key, a Answer) (map[string]any, bool) {
	switch k {
	case OktaPassword:
		pw := a.Password
		if pw == "" {
			pw = a.NewPassword
		}
		if pw == "" {
			return nil, false
		}
		return map[string]any{"passcode": pw}, true
	case SecurityQuestion:
		if a.Answer == "" {
			return nil, false
		}
		c := map[string]any{"answer": a.Answer}
		if a.QuestionKey != "" {
			c["questionKey"] = a.QuestionKey
		}
		if a.Question != "" {
			c["question"] = a.Question
		}
		return c, true
	case WebAuthn:
		w := a.WebAuthn
		switch {
		case w == nil || w.ClientData == "":
			return nil, false
		case w.Attestation != "":
			return map[string]any{"clientData": w.ClientData, "attestation": w.Attestation}, true
		case w.AuthenticatorData != "" && w.SignatureData != "":
			return map[string]any{"clientData": w.ClientData, "authenticatorData": w.AuthenticatorData,
				"signatureData": w.SignatureData}, true
		}
		return nil, false
	default:
		if a.VerificationCode == "" {
			return nil, false
		}
		return map[string]any{"passcode": a.VerificationCode}, true
	}
}

// CredentialsFor is [Credentials] for a form whose credentials object has
// the named fields: a one-time code goes to "totp" when the form asks for
// that and not for "passcode" (Okta Verify's code), and values the form
// does not ask for are left out. It reports false when the answer does not
// fill a field the form has.
func CredentialsFor(k Key, fields []string, a Answer) (map[string]any, bool) {
	has := func(n string) bool {
		for _, f := range fields {
			if f == n {
				return true
			}
		}
		return false
	}
	c, ok := Credentials(k, a)
	if !ok {
		return nil, false
	}
	if p, isCode := c["passcode"]; isCode && !has("passcode") && has("totp") {
		delete(c, "passcode")
		c["totp"] = p
	}
	for name := range c {
		if !has(name) {
			delete(c, name)
		}
	}
	if len(c) == 0 {
		return nil, false
	}
	return c, true
}

// CredentialInput names the answer field the SDK shows for the
// credentials.passcode field of an authenticator with key k:
// "password" for okta_password, "answer" for security_question, and
// "verificationCode" otherwise.
func CredentialInput(k Key) string {
	switch k {
	case OktaPassword:
		return "password"
	case SecurityQuestion:
		return "answer"
	default:
		return "verificationCode"
	}
}
