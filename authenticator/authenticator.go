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
	// Answer is the answer to a security question.
	Answer string
	// QuestionKey picks a predefined security question at enrollment
	// ("custom" for one of the user's own, given in Question).
	QuestionKey string
	Question    string
}

// Credentials returns the "credentials" object that answers a
// challenge-authenticator or enroll-authenticator form for the authenticator
// with key k, and whether the answer holds what k needs. An unknown key is
// answered with a passcode, the form most authenticators use.
func Credentials(k Key, a Answer) (map[string]any, bool) {
	switch k {
	case OktaPassword:
		if a.Password == "" {
			return nil, false
		}
		return map[string]any{"passcode": a.Password}, true
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
	default:
		if a.VerificationCode == "" {
			return nil, false
		}
		return map[string]any{"passcode": a.VerificationCode}, true
	}
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
