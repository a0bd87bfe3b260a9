package idx_test

// Every authenticator key real orgs use, in the shapes real orgs send
// (the fixtures are the project's own, written after captured answers):
// the step is described with named inputs, Options answer it, and the
// request carries the credentials the org expects.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
)

// startFixture starts a transaction whose introspect answers fixture, with the
// success answer queued for path.
func startFixture(t *testing.T, fixture, path string) (*scriptOrg, *idx.Client, *idx.Transaction) {
	t.Helper()
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok(fixture))
	if path != "" {
		o.on(path, ok(successDoc(o)))
	}
	c := o.client()
	tx, err := c.Start(context.Background(), idx.StartOptions{})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if tx.Status != idx.StatusPending || tx.NextStep == nil {
		t.Fatalf("Start: %v", tx)
	}
	return o, c, tx
}

// Goal: each authenticator's step names its inputs (no field borrows
// another authenticator's name, none is left as a raw path), Options
// answer them, and the credentials go out under the org's field names.
func TestAuthenticatorSteps(t *testing.T) {
	t.Parallel()
	code := authenticator.Input{Name: "verificationCode", Label: "Enter code", Type: "string", Required: true}
	// RSA SecurID and on-premises MFA enroll with the same two inputs.
	vendorEnroll := []authenticator.Input{
		{Name: "vendorUsername", Label: "User Name", Type: "string", Required: true},
		{Name: "verificationCode", Label: "Passcode", Type: "string", Required: true},
	}
	tests := []struct {
		name       string
		fixture    string
		wantStep   string
		wantKey    authenticator.Key
		wantInputs []authenticator.Input
		opts       idx.Options
		// wantCredentials is the credentials object sent to
		// /idp/idx/challenge/answer.
		wantCredentials map[string]any
	}{
		{
			name: "rsa_token verification", fixture: "challenge-authenticator-rsa-token.json",
			wantStep: "challenge-authenticator", wantKey: authenticator.RSAToken, wantInputs: []authenticator.Input{code},
			opts: idx.Options{VerificationCode: "12345678"}, wantCredentials: map[string]any{"passcode": "12345678"},
		},
		{
			name: "rsa_token enrollment", fixture: "enroll-authenticator-rsa-token.json",
			wantStep: "enroll-authenticator", wantKey: authenticator.RSAToken,
			wantInputs: vendorEnroll,
			opts:       idx.Options{VendorUsername: "jdoe", VerificationCode: "12345678"},
			wantCredentials: map[string]any{
				"id": "autRsa00example09", "methodType": "otp", "clientData": "jdoe", "passcode": "12345678",
			},
		},
		{
			name: "onprem_mfa verification", fixture: "challenge-authenticator-onprem-mfa.json",
			wantStep: "challenge-authenticator", wantKey: authenticator.OnPremMFA, wantInputs: []authenticator.Input{code},
			opts: idx.Options{VerificationCode: "246810"}, wantCredentials: map[string]any{"passcode": "246810"},
		},
		{
			name: "onprem_mfa enrollment", fixture: "enroll-authenticator-onprem-mfa.json",
			wantStep: "enroll-authenticator", wantKey: authenticator.OnPremMFA,
			wantInputs: vendorEnroll,
			opts:       idx.Options{VendorUsername: "jdoe", VerificationCode: "246810"},
			wantCredentials: map[string]any{
				"id": "autOpm00example08", "methodType": "otp", "clientData": "jdoe", "passcode": "246810",
			},
		},
		{
			name: "symantec_vip verification", fixture: "challenge-authenticator-symantec-vip.json",
			wantStep: "challenge-authenticator", wantKey: authenticator.SymantecVIP,
			wantInputs: []authenticator.Input{{Name: "verificationCode", Label: "Enter security code", Type: "string", Required: true}},
			opts:       idx.Options{VerificationCode: "135790"}, wantCredentials: map[string]any{"passcode": "135790"},
		},
		{
			name: "symantec_vip enrollment", fixture: "enroll-authenticator-symantec-vip.json",
			wantStep: "enroll-authenticator", wantKey: authenticator.SymantecVIP,
			wantInputs: []authenticator.Input{
				{Name: "credentialId", Label: "Enter credential ID", Type: "string", Required: true},
				{Name: "verificationCode", Label: "Security Code 1", Type: "string", Required: true},
				{Name: "nextVerificationCode", Label: "Security Code 2", Type: "string", Required: true},
			},
			opts: idx.Options{CredentialID: "VSST00000001", VerificationCode: "111111", NextVerificationCode: " 222222 "},
			wantCredentials: map[string]any{
				"credentialId": "VSST00000001", "passcode": "111111", "nextPasscode": "222222",
			},
		},
		{
			name: "yubikey_token verification", fixture: "challenge-authenticator-yubikey-token.json",
			wantStep: "challenge-authenticator", wantKey: authenticator.YubiKeyToken,
			wantInputs:      []authenticator.Input{{Name: "verificationCode", Label: "Insert then tap your YubiKey", Type: "string", Required: true, Secret: true}},
			opts:            idx.Options{VerificationCode: "cccjgjgkhcbbirdrfdnlnghhfgrtnnlgedjlftrbdeut"},
			wantCredentials: map[string]any{"passcode": "cccjgjgkhcbbirdrfdnlnghhfgrtnnlgedjlftrbdeut"},
		},
		{
			name: "yubikey_token enrollment", fixture: "enroll-authenticator-yubikey-token.json",
			wantStep: "enroll-authenticator", wantKey: authenticator.YubiKeyToken,
			wantInputs:      []authenticator.Input{{Name: "verificationCode", Label: "Insert then tap your YubiKey", Type: "string", Required: true, Secret: true}},
			opts:            idx.Options{VerificationCode: "cccjgjgkhcbbgefdkbbditfjrlniggevfhenublfnrev"},
			wantCredentials: map[string]any{"passcode": "cccjgjgkhcbbgefdkbbditfjrlniggevfhenublfnrev"},
		},
		{
			name: "custom_otp verification", fixture: "challenge-authenticator-custom-otp.json",
			wantStep: "challenge-authenticator", wantKey: authenticator.CustomOTP, wantInputs: []authenticator.Input{code},
			opts: idx.Options{VerificationCode: "864213"}, wantCredentials: map[string]any{"passcode": "864213"},
		},
		{
			name: "tac verification", fixture: "challenge-authenticator-tac.json",
			wantStep: "challenge-authenticator", wantKey: authenticator.TemporaryAccessCode,
			wantInputs: []authenticator.Input{{Name: "verificationCode", Label: "Enter code", Type: "string", Required: true, Secret: true}},
			opts:       idx.Options{VerificationCode: "Tac-7Fq2-9Kx"}, wantCredentials: map[string]any{"passcode": "Tac-7Fq2-9Kx"},
		},
		{
			name: "nfc_pin verification", fixture: "challenge-authenticator-nfc-pin.json",
			wantStep: "challenge-authenticator", wantKey: authenticator.NFCPin,
			wantInputs: []authenticator.Input{{Name: "verificationCode", Label: "NFC", Type: "string", Required: true, Secret: true}},
			opts:       idx.Options{VerificationCode: "4321"}, wantCredentials: map[string]any{"passcode": "4321"},
		},
		{
			name: "duo verification", fixture: "challenge-authenticator-duo.json",
			wantStep: "challenge-authenticator", wantKey: authenticator.Duo,
			wantInputs:      []authenticator.Input{{Name: "duoSignature", Label: "Assertion From Duo", Type: "string", Required: true}},
			opts:            idx.Options{DuoSignature: "AUTH|ZHVvLXNpZ25lZA==|00ff:APP|YXBwLXNpZ25lZA==|ff00"},
			wantCredentials: map[string]any{"signatureData": "AUTH|ZHVvLXNpZ25lZA==|00ff:APP|YXBwLXNpZ25lZA==|ff00"},
		},
		{
			name: "duo enrollment", fixture: "enroll-authenticator-duo.json",
			wantStep: "enroll-authenticator", wantKey: authenticator.Duo,
			wantInputs:      []authenticator.Input{{Name: "duoSignature", Label: "Assertion From Duo", Type: "string", Required: true}},
			opts:            idx.Options{DuoSignature: "AUTH|ZW5yb2xs|00ff:APP|YXBw|ff00"},
			wantCredentials: map[string]any{"signatureData": "AUTH|ZW5yb2xs|00ff:APP|YXBw|ff00"},
		},
		{
			// The org resets Google Authenticator: a code from the new
			// enrollment, not a new password.
			name: "google_otp reset", fixture: "reset-authenticator-google-otp.json",
			wantStep: "reset-authenticator", wantKey: authenticator.GoogleOTP, wantInputs: []authenticator.Input{code},
			opts: idx.Options{VerificationCode: "975310"}, wantCredentials: map[string]any{"passcode": "975310"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, c, tx := startFixture(t, tt.fixture, "/idp/idx/challenge/answer")
			s := tx.NextStep
			if s.Name != tt.wantStep || s.Authenticator == nil || s.Authenticator.Key != tt.wantKey {
				t.Fatalf("next step %s about %+v; want %s about %s", s.Name, s.Authenticator, tt.wantStep, tt.wantKey)
			}
			if diff := cmp.Diff(tt.wantInputs, s.Inputs); diff != "" {
				t.Errorf("inputs (-want +got):\n%s", diff)
			}
			opts := tt.opts
			opts.State = tx.State
			tx, err := c.Authenticate(context.Background(), opts)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if tx.Status != idx.StatusSuccess {
				t.Fatalf("status %s, next step %+v, messages %+v", tx.Status, tx.NextStep, tx.Messages)
			}
			got := o.last("/idp/idx/challenge/answer").Body
			if diff := cmp.Diff(tt.wantCredentials, got["credentials"]); diff != "" {
				t.Errorf("credentials sent (-want +got):\n%s", diff)
			}
		})
	}
}

// Goal: Duo's prompt, the QR code of a reset Google Authenticator, an NFC
// PIN's length are read from the step's authenticator.
func TestAuthenticatorContext(t *testing.T) {
	t.Parallel()
	_, _, tx := startFixture(t, "challenge-authenticator-duo.json", "")
	want := &authenticator.DuoPrompt{
		Host:            "api-0000example.duosecurity.com",
		SignedToken:     "TX|amFuZS5kb2VAZXhhbXBsZS5jb218RElYWFhYWFhYWFhYWFhYWFhYfDE5MDAwMDAwMDA=|0123456789abcdef0123456789abcdef01234567:APP|amFuZS5kb2VAZXhhbXBsZS5jb218RElYWFhYWFhYWFhYWFhYWFhYfDE5MDAwMDAwMDA=|89abcdef0123456789abcdef0123456789abcdef",
		Script:          "https://app.example.com/js/duo/Duo-Web-v2.js",
		IntegrationType: "IFRAME",
	}
	if a := tx.NextStep.Authenticator; a.Context == nil || !cmp.Equal(want, a.Context.Duo) {
		t.Errorf("Duo prompt: %+v", a.Context)
	}

	_, _, tx = startFixture(t, "reset-authenticator-google-otp.json", "")
	if a := tx.NextStep.Authenticator; a.Context == nil || a.Context.QRCode == nil || a.Context.SharedSecret != "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" {
		t.Errorf("reset Google Authenticator: %+v", a.Context)
	}

	_, _, tx = startFixture(t, "challenge-authenticator-nfc-pin.json", "")
	if diff := cmp.Diff(&authenticator.Settings{MinLength: 4, MaxLength: 4}, tx.NextStep.Authenticator.Settings); diff != "" {
		t.Errorf("NFC PIN settings (-want +got):\n%s", diff)
	}
}

// Goal: every key of a select step real orgs send can be chosen by key,
// and the choice sends that option's fixed values.
func TestSelectEveryKey(t *testing.T) {
	t.Parallel()
	keys := []authenticator.Key{
		authenticator.OktaPassword, authenticator.WebAuthn, authenticator.OktaEmail, authenticator.PhoneNumber,
		authenticator.SecurityQuestion, authenticator.OktaVerify, authenticator.GoogleOTP, authenticator.OnPremMFA,
		authenticator.RSAToken, authenticator.Duo, authenticator.ExternalIdP, authenticator.CustomOTP,
		authenticator.SymantecVIP, authenticator.YubiKeyToken, authenticator.CustomApp, authenticator.TemporaryAccessCode,
		authenticator.SmartCardIdP, authenticator.NFCPin, authenticator.CustomPush,
	}
	_, _, tx := startFixture(t, "select-authenticator-authenticate-every-key.json", "")
	var offered []authenticator.Key
	for _, o := range tx.NextStep.Options {
		k := authenticator.Key(o.Value)
		if !k.Known() {
			t.Errorf("key %q on offer is not named by package authenticator", k)
		}
		offered = append(offered, k)
	}
	if diff := cmp.Diff(keys, offered); diff != "" {
		t.Errorf("keys on offer (-want +got):\n%s", diff)
	}
	tests := []struct {
		key  authenticator.Key
		opts idx.Options
		want map[string]any
	}{
		{authenticator.RSAToken, idx.Options{}, map[string]any{"id": "autRsa00example09", "enrollmentId": "pae1Rsa0000example"}},
		{authenticator.OnPremMFA, idx.Options{}, map[string]any{"id": "autOpm00example08", "enrollmentId": "pae1Opm0000example"}},
		{authenticator.Duo, idx.Options{}, map[string]any{"id": "autDuo00example10", "methodType": "duo"}},
		{authenticator.SymantecVIP, idx.Options{}, map[string]any{"id": "autSym00example13"}},
		{authenticator.YubiKeyToken, idx.Options{}, map[string]any{"id": "autYub00example14"}},
		{authenticator.CustomOTP, idx.Options{}, map[string]any{"id": "autCot00example12", "methodType": "otp"}},
		{authenticator.CustomApp, idx.Options{MethodType: "push"}, map[string]any{"id": "autCap00example15", "methodType": "push"}},
		{authenticator.CustomPush, idx.Options{MethodType: "push"}, map[string]any{"id": "autCps00example19", "methodType": "push"}},
		{authenticator.TemporaryAccessCode, idx.Options{}, map[string]any{"id": "autTac00example16", "methodType": "tac"}},
		{authenticator.SmartCardIdP, idx.Options{}, map[string]any{"id": "autPic00example17", "methodType": "cert"}},
		{authenticator.NFCPin, idx.Options{}, map[string]any{"id": "autNfc00example18", "methodType": "nfc_pin"}},
		{authenticator.ExternalIdP, idx.Options{}, map[string]any{"id": "autIdp00example11"}},
		{authenticator.OktaVerify, idx.Options{}, map[string]any{"id": "autOv000example06", "methodType": "signed_nonce"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.key), func(t *testing.T) {
			t.Parallel()
			o, c, tx := startFixture(t, "select-authenticator-authenticate-every-key.json", "/idp/idx/challenge")
			opts := tt.opts
			opts.State, opts.Authenticator = tx.State, tt.key
			if _, err := c.Authenticate(context.Background(), opts); err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if diff := cmp.Diff(tt.want, o.last("/idp/idx/challenge").Body["authenticator"]); diff != "" {
				t.Errorf("choice sent (-want +got):\n%s", diff)
			}
		})
	}
}

// Goal: an identity provider used as an authenticator, and the custom
// push app, give steps the app can follow: the redirect with its IdP,
// and a push polled at the org's pace, with its autoChallenge input.
func TestAuthenticatorRedirectAndPush(t *testing.T) {
	t.Parallel()
	o, _, tx := startFixture(t, "redirect-idp-external-idp.json", "")
	s := tx.NextStep
	if s.Name != "redirect-idp" || s.Authenticator == nil || s.Authenticator.Key != authenticator.ExternalIdP {
		t.Fatalf("next step %+v", s)
	}
	if diff := cmp.Diff(&idx.IDP{ID: "0oa1Idp0000example", Name: "Atko IdP Authenticator", Type: "OIDC"}, s.IDP); diff != "" {
		t.Errorf("IDP (-want +got):\n%s", diff)
	}
	if s.Href != o.srv.URL+"/sso/idps/0oa1Idp0000example?stateToken=02idpAuthToken" {
		t.Errorf("Href %q", s.Href)
	}

	o, c, tx := startFixture(t, "challenge-poll-custom-app.json", "/idp/idx/challenge/poll")
	s = tx.NextStep
	if s.Name != "challenge-poll" || s.Authenticator.Key != authenticator.CustomApp || s.Poll == nil || !s.Poll.Required || s.Poll.Refresh != 4*time.Second {
		t.Fatalf("next step %+v (poll %+v)", s, s.Poll)
	}
	want := []authenticator.Input{{Name: "autoChallenge", Label: "Send push automatically", Type: "boolean"}}
	if diff := cmp.Diff(want, s.Inputs, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	if !s.CanResend {
		t.Error("CanResend is false; the push can be sent again")
	}
	tx, err := c.Poll(context.Background(), tx.State)
	if err != nil || tx.Status != idx.StatusSuccess {
		t.Fatalf("Poll: %v, %v", tx, err)
	}
	if got := o.last("/idp/idx/challenge/poll").Body["autoChallenge"]; got != true {
		t.Errorf("autoChallenge sent as %v; want its default, true", got)
	}
}

// Goal: the user's WebAuthn enrollments carry their credential IDs and
// transports, so that an app can list them in allowCredentials for a
// security key without a discoverable credential; other enrollments
// keep their credential (a YubiKey's serial).
func TestEnrollmentCredentials(t *testing.T) {
	t.Parallel()
	_, _, tx := startFixture(t, "select-authenticator-authenticate-every-key.json", "")
	type cred struct {
		Key        authenticator.Key
		ID         string
		Transports []string
	}
	var got []cred
	for _, e := range tx.NextStep.AuthenticatorEnrollments {
		if e.CredentialID != "" || e.Transports != nil {
			got = append(got, cred{e.Key, e.CredentialID, e.Transports})
		}
	}
	want := []cred{
		{authenticator.WebAuthn, "Zm9yLWEtdXNiLWtleS1jcmVkZW50aWFsLWlkLTAx", []string{"usb", "nfc"}},
		{authenticator.WebAuthn, "dG91Y2gtaWQtY3JlZGVudGlhbC1pZC0wMg", []string{"internal"}}, // from the profile
		{authenticator.YubiKeyToken, "ykk1Yub0000serial", nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("enrollments' credentials (-want +got):\n%s", diff)
	}
}

// Goal: the password's rules come with the step that sets one, typed, so
// that an app shows them before the org refuses a password.
func TestPasswordSettings(t *testing.T) {
	t.Parallel()
	_, _, tx := startFixture(t, "reenroll-authenticator-warning-password.json", "")
	s := tx.NextStep
	if s.Name != "reenroll-authenticator-warning" || s.Authenticator == nil || s.Authenticator.Key != authenticator.OktaPassword {
		t.Fatalf("next step %+v", s)
	}
	days := 3
	want := &authenticator.Settings{
		Complexity: &authenticator.PasswordComplexity{
			MinLength: 12, MinLowerCase: 1, MinUpperCase: 1, MinNumber: 1, MinSymbol: 1,
			ExcludeUsername: true, ExcludeAttributes: []string{"firstName", "lastName"}, MaxConsecutiveRepeatingCharacters: 3,
		},
		Age:          &authenticator.PasswordAge{MinAgeMinutes: 60, HistoryCount: 5},
		DaysToExpiry: &days,
	}
	if diff := cmp.Diff(want, s.Authenticator.Settings); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	if !s.CanSkip || len(s.Inputs) != 1 || s.Inputs[0].Name != "newPassword" {
		t.Errorf("step %+v", s)
	}
}

// Goal: Okta Verify offered only as FastPass is not used when a push was
// asked for: the call fails with an *InputError naming what is offered,
// and nothing is sent.
func TestMethodNotOffered(t *testing.T) {
	t.Parallel()
	o, c, tx := startFixture(t, "select-authenticator-authenticate-every-key.json", "/idp/idx/challenge")
	o.paths()
	_, err := c.Authenticate(context.Background(), idx.Options{State: tx.State, Authenticator: authenticator.OktaVerify, MethodType: "push"})
	var ie *idx.InputError
	if !errors.Is(err, idx.ErrMethodNotOffered) || !errors.Is(err, idx.ErrInvalidInput) || !errors.As(err, &ie) {
		t.Fatalf("err = %v; want an *InputError matching ErrMethodNotOffered", err)
	}
	want := `idx: invalid MethodType: "push" not offered for "okta_verify" by step select-authenticator-authenticate (offered: signed_nonce)`
	if ie.Field != "MethodType" || err.Error() != want {
		t.Errorf("err = %q on %s; want %q", err, ie.Field, want)
	}
	if p := o.paths(); len(p) != 0 {
		t.Errorf("requests sent: %v", p)
	}
	// Asked for what is offered, FastPass is chosen.
	if _, err := c.Authenticate(context.Background(), idx.Options{State: tx.State, Authenticator: authenticator.OktaVerify, MethodType: "signed_nonce"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"id": "autOv000example06", "methodType": "signed_nonce"}, o.last("/idp/idx/challenge").Body["authenticator"]); diff != "" {
		t.Errorf("choice sent (-want +got):\n%s", diff)
	}
}
