package remediate_test

import (
	"strings"

	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/remediate"
)

// TestInputsOfEachStepKind checks the aliases of the steps of every flow.
func TestInputsOfEachStepKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture, form string
		want          []string // name=path
	}{
		{"enroll-profile.json", "enroll-profile", []string{"firstName=userProfile.firstName", "lastName=userProfile.lastName",
			"email=userProfile.email", "favouriteColour=userProfile.favouriteColour"}},
		{"identify-recovery.json", "identify-recovery", []string{"username=identifier"}},
		{"reset-authenticator.json", "reset-authenticator", []string{"newPassword=credentials.passcode", "revokeSessions=credentials.revokeSessions"}},
		{"authenticator-enrollment-data-phone.json", "authenticator-enrollment-data", []string{"methodType=authenticator.methodType", "phoneNumber=authenticator.phoneNumber"}},
		{"enroll-authenticator-google-otp.json", "enroll-authenticator", []string{"verificationCode=credentials.passcode"}},
		{"enroll-poll-okta-verify.json", "select-enrollment-channel", []string{"channel=authenticator.channel"}},
		{"enroll-poll-okta-verify.json", "enroll-poll", nil},
		{"enrollment-channel-data-email.json", "enrollment-channel-data", []string{"email=email"}},
		{"challenge-authenticator-okta-verify-totp.json", "challenge-authenticator", []string{"verificationCode=credentials.totp"}},
		{"enroll-authenticator-webauthn.json", "enroll-authenticator", []string{"clientData=credentials.clientData", "attestation=credentials.attestation"}},
		{"challenge-authenticator-webauthn.json", "challenge-authenticator", []string{"clientData=credentials.clientData",
			"authenticatorData=credentials.authenticatorData", "signatureData=credentials.signatureData"}},
		{"select-authenticator-unlock-account.json", "select-authenticator-unlock-account", []string{"username=identifier", "authenticator=authenticator"}},
		{"challenge-authenticator-security-question-custom.json", "challenge-authenticator", []string{"answer=credentials.answer"}},
		{"identify-with-idps.json", "redirect-idp", nil},
		{"identify-with-idps.json", "unlock-account", nil},
	}
	for _, tc := range tests {
		t.Run(tc.fixture+"/"+tc.form, func(t *testing.T) {
			t.Parallel()
			r := parseFixture(t, tc.fixture)
			f := r.Remediation(tc.form)
			if f == nil {
				t.Fatalf("no form %s", tc.form)
			}
			var got []string
			for _, in := range remediate.Inputs(r, f) {
				got = append(got, in.Name+"="+in.Path())
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNextOfEachStepKind(t *testing.T) {
	t.Parallel()
	pwEnroll := `{"stateHandle":"h","remediation":{"value":[{"name":"enroll-authenticator","relatesTo":["$.currentAuthenticator"],
"href":"https://example.okta.com/idp/idx/challenge/answer","value":[{"name":"credentials","type":"object","required":true,
"form":{"value":[{"name":"passcode","label":"Enter password","secret":true}]}},{"name":"stateHandle","value":"h","mutable":false,"visible":false}]}]},
"currentAuthenticator":{"value":{"key":"okta_password","type":"password","id":"autPwd"}}}`
	tests := []struct {
		name     string
		doc      string // fixture name or document
		values   remediate.Values
		opts     remediate.Options
		wantForm string
		wantBody obj
	}{
		{"register", "enroll-profile.json",
			remediate.Values{"userProfile.firstName": "Jane", "userProfile.lastName": "Doe", "userProfile.email": "j@example.com"}, remediate.Options{},
			"enroll-profile", obj{"userProfile": obj{"firstName": "Jane", "lastName": "Doe", "email": "j@example.com"}, "stateHandle": "02reg.stateHandle-Rg1"}},
		{"register needs every required attribute", "enroll-profile.json",
			remediate.Values{"userProfile.firstName": "Jane"}, remediate.Options{}, "", nil},
		{"select-enroll-profile by step", "identify-with-idps.json", remediate.Values{}, remediate.Options{Step: "select-enroll-profile"},
			"select-enroll-profile", obj{"stateHandle": "02idp.stateHandle-Id9"}},
		{"new password enrolls the password", pwEnroll, remediate.Values{"newPassword": "n3w"}, remediate.Options{},
			"enroll-authenticator", obj{"credentials": obj{"passcode": "n3w"}, "stateHandle": "h"}},
		{"password enrolls the password", pwEnroll, remediate.Values{"password": "pw", "newPassword": "n3w"}, remediate.Options{},
			"enroll-authenticator", obj{"credentials": obj{"passcode": "pw"}, "stateHandle": "h"}},
		{"new password does not answer a password challenge", "challenge-authenticator-password.json", remediate.Values{"newPassword": "n3w"}, remediate.Options{},
			"", nil},
		{"okta verify totp", "challenge-authenticator-okta-verify-totp.json", remediate.Values{"verificationCode": "123456"}, remediate.Options{},
			"challenge-authenticator", obj{"credentials": obj{"totp": "123456"}, "stateHandle": "02ovt.stateHandle-Ot1"}},
		{"unlock with authenticator", "select-authenticator-unlock-account.json",
			remediate.Values{"username": "jane", "authenticator": "phone_number", "methodType": "sms"}, remediate.Options{},
			"select-authenticator-unlock-account", obj{"identifier": "jane", "authenticator": obj{"id": "autPhn00example03", "methodType": "sms"}, "stateHandle": "02unl.stateHandle-Un1"}},
		{"channel", "enroll-poll-okta-verify.json", remediate.Values{"channel": "qrcode"}, remediate.Options{},
			"select-enrollment-channel", obj{"authenticator": obj{"id": "autOkv00example08", "channel": "qrcode"}, "stateHandle": "02ov.stateHandle-Ov1"}},
		{"reset with a new password alone", "reset-authenticator.json", remediate.Values{"newPassword": "n3w"}, remediate.Options{},
			"reset-authenticator", obj{"credentials": obj{"passcode": "n3w"}, "stateHandle": "02rst.stateHandle-Rs1"}},
		{"reset revoking sessions", "reset-authenticator.json", remediate.Values{"newPassword": "n3w", "revokeSessions": true}, remediate.Options{},
			"reset-authenticator", obj{"credentials": obj{"passcode": "n3w", "revokeSessions": true}, "stateHandle": "02rst.stateHandle-Rs1"}},
		{"poll by step", "challenge-poll-okta-verify-number.json", remediate.Values{}, remediate.Options{Step: "challenge-poll"},
			"challenge-poll", obj{"stateHandle": "02ovn.stateHandle-On1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := parseDocOrFixture(t, tc.doc)
			s, err := remediate.Next(r, tc.values, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantForm == "" {
				if s != nil {
					t.Fatalf("submitted %s with %v", s.Form.Name, s.Body)
				}
				return
			}
			if s == nil || s.Form.Name != tc.wantForm {
				t.Fatalf("submission %+v, want form %s", s, tc.wantForm)
			}
			if diff := cmp.Diff(any(map[string]any(tc.wantBody)), jsonOf(t, s.Body)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

// parseDocOrFixture parses a fixture by name or a document.
func parseDocOrFixture(t *testing.T, s string) *ion.Response {
	t.Helper()
	if strings.HasSuffix(s, ".json") {
		return parseFixture(t, s)
	}
	return parseDoc(t, s)
}
