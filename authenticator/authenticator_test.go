package authenticator_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
)

func TestCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		key    authenticator.Key
		answer authenticator.Answer
		want   map[string]any
		ok     bool
	}{
		{"email code", authenticator.OktaEmail, authenticator.Answer{VerificationCode: "123456"}, map[string]any{"passcode": "123456"}, true},
		{"email without code", authenticator.OktaEmail, authenticator.Answer{Password: "pw"}, nil, false},
		{"password", authenticator.OktaPassword, authenticator.Answer{Password: "pw", VerificationCode: "1"}, map[string]any{"passcode": "pw"}, true},
		{"password missing", authenticator.OktaPassword, authenticator.Answer{VerificationCode: "1"}, nil, false},
		{"security question", authenticator.SecurityQuestion, authenticator.Answer{Answer: "blue"}, map[string]any{"answer": "blue"}, true},
		{"custom question at enrollment", authenticator.SecurityQuestion, authenticator.Answer{Answer: "blue", QuestionKey: "custom", Question: "Colour?"},
			map[string]any{"answer": "blue", "questionKey": "custom", "question": "Colour?"}, true},
		{"unknown key takes a passcode", authenticator.Key("acme_token"), authenticator.Answer{VerificationCode: "42"}, map[string]any{"passcode": "42"}, true},
		{"rsa enrollment", authenticator.RSAToken, authenticator.Answer{VerificationCode: "12345678", VendorUsername: "jdoe"},
			map[string]any{"passcode": "12345678", "clientData": "jdoe"}, true},
		{"on-prem verification", authenticator.OnPremMFA, authenticator.Answer{VerificationCode: "1234"}, map[string]any{"passcode": "1234"}, true},
		{"symantec vip enrollment", authenticator.SymantecVIP, authenticator.Answer{VerificationCode: "111111", NextVerificationCode: "222222", CredentialID: "VSMT00000001"},
			map[string]any{"passcode": "111111", "nextPasscode": "222222", "credentialId": "VSMT00000001"}, true},
		{"vendor username is not sent to another key", authenticator.YubiKeyToken, authenticator.Answer{VerificationCode: "cccc", VendorUsername: "jdoe"},
			map[string]any{"passcode": "cccc"}, true},
		{"duo", authenticator.Duo, authenticator.Answer{DuoSignature: "AUTH|x:APP|y"}, map[string]any{"signatureData": "AUTH|x:APP|y"}, true},
		{"duo without its signature", authenticator.Duo, authenticator.Answer{VerificationCode: "1"}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := authenticator.Credentials(tc.key, tc.answer)
			if ok != tc.ok {
				t.Fatalf("ok = %t; want %t", ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("credentials mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Goal: every authenticator key real orgs send is named, and each field
// of its credentials has the input name the SDK documents.
func TestInputNames(t *testing.T) {
	t.Parallel()
	for _, k := range []authenticator.Key{
		"okta_password", "okta_email", "phone_number", "google_otp", "okta_verify", "security_question",
		"webauthn", "duo", "custom_otp", "rsa_token", "onprem_mfa", "symantec_vip", "yubikey_token",
		"external_idp", "custom_app", "custom_push", "smart_card_idp", "nfc_pin", "tac",
	} {
		if !k.Known() {
			t.Errorf("%q is not Known", k)
		}
	}
	for _, tc := range []struct {
		key   authenticator.Key
		field string
		want  string
	}{
		{authenticator.OktaPassword, "passcode", "password"},
		{authenticator.SecurityQuestion, "passcode", "answer"},
		{authenticator.SecurityQuestion, "questionKey", "questionKey"},
		{authenticator.OktaVerify, "totp", "verificationCode"},
		{authenticator.GoogleOTP, "passcode", "verificationCode"},
		{authenticator.RSAToken, "clientData", "vendorUsername"},
		{authenticator.RSAToken, "passcode", "verificationCode"},
		{authenticator.OnPremMFA, "clientData", "vendorUsername"},
		{authenticator.SymantecVIP, "credentialId", "credentialId"},
		{authenticator.SymantecVIP, "passcode", "verificationCode"},
		{authenticator.SymantecVIP, "nextPasscode", "nextVerificationCode"},
		{authenticator.Duo, "signatureData", "duoSignature"},
		{authenticator.WebAuthn, "signatureData", "signatureData"},
		{authenticator.WebAuthn, "clientData", "clientData"},
		{authenticator.YubiKeyToken, "passcode", "verificationCode"},
		{authenticator.CustomOTP, "passcode", "verificationCode"},
		{authenticator.NFCPin, "passcode", "verificationCode"},
		{authenticator.TemporaryAccessCode, "passcode", "verificationCode"},
		{authenticator.OktaPassword, "revokeSessions", "revokeSessions"},
		{"acme_token", "clientData", "clientData"},
	} {
		if got := authenticator.InputName(tc.key, tc.field); got != tc.want {
			t.Errorf("InputName(%q, %q) = %q; want %q", tc.key, tc.field, got, tc.want)
		}
	}
}

func TestKnownAndCredentialInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key   authenticator.Key
		known bool
		input string
	}{
		{authenticator.OktaEmail, true, "verificationCode"},
		{authenticator.PhoneNumber, true, "verificationCode"},
		{authenticator.OktaPassword, true, "password"},
		{authenticator.SecurityQuestion, true, "answer"},
		{"acme_token", false, "verificationCode"},
		{"", false, "verificationCode"},
	} {
		if got := tc.key.Known(); got != tc.known {
			t.Errorf("%q.Known() = %t; want %t", tc.key, got, tc.known)
		}
		if got := authenticator.CredentialInput(tc.key); got != tc.input {
			t.Errorf("CredentialInput(%q) = %q; want %q", tc.key, got, tc.input)
		}
	}
}
