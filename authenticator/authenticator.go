package authenticator

// Key identifies an authenticator type, as in the "key" member of the
// authenticator objects of an IDX response.
type Key string

// The authenticator keys of Okta Identity Engine: every key real orgs send.
// The input names each one's answer goes under are given by [InputName].
const (
	// OktaPassword is the password: "password" to verify, "newPassword"
	// to set one (enrollment, reset, expiry).
	OktaPassword Key = "okta_password"
	// OktaEmail sends a one-time code ("verificationCode") or a magic
	// link by email.
	OktaEmail Key = "okta_email"
	// PhoneNumber sends a one-time code by SMS or voice call
	// ("verificationCode"); enrollment takes "phoneNumber" and
	// "methodType".
	PhoneNumber Key = "phone_number"
	// GoogleOTP is Google Authenticator: a TOTP code
	// ("verificationCode"), enrolled from a QR code or shared secret (also
	// when the org resets it, in reset-authenticator).
	GoogleOTP Key = "google_otp"
	// OktaVerify is the Okta Verify app: a push (polled), a TOTP code
	// ("verificationCode"), or FastPass (methodType "signed_nonce"), which
	// needs the app on the user's device and cannot be answered by a
	// server.
	OktaVerify Key = "okta_verify"
	// SecurityQuestion is a security question: "answer", and at
	// enrollment "questionKey" (or "custom" with "question").
	SecurityQuestion Key = "security_question"
	// WebAuthn is a security key, biometric or passkey (FIDO2): the
	// browser's "clientData" with "attestation" (enrollment) or
	// "authenticatorData" and "signatureData" (verification).
	WebAuthn Key = "webauthn"
	// Duo is Duo Security: the browser runs Duo's prompt from the
	// contextualData (see [DuoPrompt]) and the signed response it returns
	// is sent as "duoSignature", at enrollment and verification alike.
	Duo Key = "duo"
	// CustomOTP is an OTP authenticator the org defines (HOTP or TOTP
	// codes from a token or app): "verificationCode". Orgs usually enroll
	// it by admin action only.
	CustomOTP Key = "custom_otp"
	// RSAToken is RSA SecurID: a passcode ("verificationCode"); enrollment
	// also takes the user's name on the RSA server ("vendorUsername").
	RSAToken Key = "rsa_token"
	// OnPremMFA is an on-premises MFA server the org reaches through an
	// agent (RADIUS): as RSA SecurID, a passcode ("verificationCode") and
	// at enrollment "vendorUsername".
	OnPremMFA Key = "onprem_mfa"
	// SymantecVIP is Symantec VIP: a security code ("verificationCode");
	// enrollment takes the credential ID of the token or app
	// ("credentialId") and two consecutive codes ("verificationCode",
	// then "nextVerificationCode").
	SymantecVIP Key = "symantec_vip"
	// YubiKeyToken is a YubiKey in OTP mode: the one-time password the key
	// types when touched ("verificationCode"), at enrollment and
	// verification.
	YubiKeyToken Key = "yubikey_token"
	// ExternalIdP is an identity provider used as an authenticator
	// ("IDP Authenticator"): choosing it gives a redirect-idp step whose
	// Href the browser must follow.
	ExternalIdP Key = "external_idp"
	// CustomApp is a push authenticator the org builds into its own app
	// (Okta's Devices SDK): a push the user approves while the step is
	// polled; "autoChallenge" asks for the push to be sent by itself next
	// time.
	CustomApp Key = "custom_app"
	// CustomPush is the key some orgs give the custom push app in their
	// authenticator lists; it is answered as [CustomApp].
	CustomPush Key = "custom_push"
	// SmartCardIdP is a smart card (PIV/CAC) checked by the org's X509
	// identity provider (methodType "cert"): choosing it gives a
	// redirect-idp step whose Href the browser must follow, presenting
	// the card's certificate.
	SmartCardIdP Key = "smart_card_idp"
	// NFCPin is an NFC card with a PIN, read through Okta Verify on the
	// user's computer: a device challenge (polled), then the PIN
	// ("verificationCode"), which enrollment sets. Its settings give the
	// PIN's length.
	NFCPin Key = "nfc_pin"
	// TemporaryAccessCode is a temporary access code an admin issued to
	// the user ("verificationCode").
	TemporaryAccessCode Key = "tac"
)

// Known reports whether k is one of the keys this package names. Orgs may
// offer authenticators with other keys; the SDK handles those generically.
func (k Key) Known() bool {
	switch k {
	case OktaPassword, OktaEmail, PhoneNumber, GoogleOTP, OktaVerify, SecurityQuestion,
		WebAuthn, Duo, CustomOTP, RSAToken, OnPremMFA, SymantecVIP, YubiKeyToken,
		ExternalIdP, CustomApp, CustomPush, SmartCardIdP, NFCPin, TemporaryAccessCode:
		return true
	}
	return false
}

// String returns the key as sent on the wire.
func (k Key) String() string { return string(k) }

// InputName names the input under which the SDK asks for, and takes, the
// field of an authenticator's credentials object ("passcode",
// "clientData", ...) in a step about the authenticator with key k. It
// follows okta-auth-js where it has a name (a one-time code is a
// "verificationCode" whatever sends it) and gives the others names that
// say what the user supplies:
//
//	okta_password      passcode         password (verification; see below)
//	security_question  passcode         answer
//	any other key      passcode, totp   verificationCode
//	rsa_token          clientData       vendorUsername
//	onprem_mfa         clientData       vendorUsername
//	symantec_vip       credentialId     credentialId
//	any key            nextPasscode     nextVerificationCode
//	duo                signatureData    duoSignature
//
// Every other field keeps its own name (WebAuthn's clientData,
// attestation, authenticatorData and signatureData, the security
// question's answer, questionKey and question, revokeSessions). The
// password being set (enrollment, reset, expiry) is asked for as
// "newPassword" by the step engine, which knows the step.
func InputName(k Key, field string) string {
	switch field {
	case "passcode":
		switch k {
		case OktaPassword:
			return "password"
		case SecurityQuestion:
			return "answer"
		}
		return "verificationCode"
	case "totp":
		return "verificationCode"
	case "nextPasscode":
		return "nextVerificationCode"
	case "clientData":
		if k == RSAToken || k == OnPremMFA {
			return "vendorUsername"
		}
	case "signatureData":
		if k == Duo {
			return "duoSignature"
		}
	}
	return field
}

// CredentialInput names the answer field the SDK shows for the
// credentials.passcode field of an authenticator with key k:
// [InputName](k, "passcode").
func CredentialInput(k Key) string { return InputName(k, "passcode") }

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
	// VendorUsername is the user's name on the vendor's server, asked
	// when enrolling RSA SecurID (rsa_token) or an on-premises MFA
	// server (onprem_mfa).
	VendorUsername string
	// CredentialID and NextVerificationCode enroll Symantec VIP
	// (symantec_vip): the credential ID of the token or app, and the
	// code it shows after VerificationCode.
	CredentialID         string
	NextVerificationCode string
	// DuoSignature is the signed response of Duo's prompt (duo).
	DuoSignature string
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
	// Transports and ClientExtensions are the JSON of the new
	// credential's getTransports() and getClientExtensionResults()
	// (enrollment), which Okta's enroll-authenticator form requires.
	// Empty sends [] and {}: no transports known, no extensions.
	Transports       string
	ClientExtensions string
}

// enrollmentExtras are the transports and client extensions of an
// enrollment answer, [] and {} when not given.
func (w *WebAuthnAnswer) enrollmentExtras() (transports, clientExtensions string) {
	transports, clientExtensions = w.Transports, w.ClientExtensions
	if transports == "" {
		transports = "[]"
	}
	if clientExtensions == "" {
		clientExtensions = "{}"
	}
	return transports, clientExtensions
}

// Credentials returns the "credentials" object that answers a
// challenge-authenticator or enroll-authenticator form for the authenticator
// with key k, and whether the answer holds what k needs. An unknown key is
// answered with a passcode, the form most authenticators use; the
// enrollment values of RSA SecurID, on-prem MFA and Symantec VIP join it
// when given. Use [CredentialsFor] when the form's credential fields are
// known.
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
			transports, ext := w.enrollmentExtras()
			return map[string]any{"clientData": w.ClientData, "attestation": w.Attestation,
				"transports": transports, "clientExtensions": ext}, true
		case w.AuthenticatorData != "" && w.SignatureData != "":
			return map[string]any{"clientData": w.ClientData, "authenticatorData": w.AuthenticatorData,
				"signatureData": w.SignatureData}, true
		}
		return nil, false
	case Duo:
		if a.DuoSignature == "" {
			return nil, false
		}
		return map[string]any{"signatureData": a.DuoSignature}, true
	default:
		if a.VerificationCode == "" {
			return nil, false
		}
		c := map[string]any{"passcode": a.VerificationCode}
		switch {
		case (k == RSAToken || k == OnPremMFA) && a.VendorUsername != "":
			c["clientData"] = a.VendorUsername
		case k == SymantecVIP:
			if a.CredentialID != "" {
				c["credentialId"] = a.CredentialID
			}
			if a.NextVerificationCode != "" {
				c["nextPasscode"] = a.NextVerificationCode
			}
		}
		return c, true
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
