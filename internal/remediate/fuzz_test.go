package remediate_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/remediate"
)

// FuzzNext drives the engine with arbitrary documents and values: it must
// not panic, and whatever it returns must be usable.
func FuzzNext(f *testing.F) {
	seeds := []struct {
		fixture, values, step string
		auto                  bool
	}{
		{"identify-with-password.json", `{"username": "jane", "password": "pw", "rememberMe": true}`, "", false},
		{"identify-with-password.json", `{"credentials": {"passcode": "pw"}, "identifier": "j"}`, "identify", false},
		{"select-authenticator-authenticate.json", `{"authenticator": "phone_number", "methodType": "sms"}`, "", false},
		{"select-authenticator-authenticate.json", `{"authenticator": {"id": "autEml00example02", "methodType": "email"}}`, "", false},
		{"select-authenticator-authenticate.json", `{"authenticator": 7}`, "", false},
		{"authenticator-verification-data-email.json", `{}`, "", true},
		{"authenticator-verification-data-phone.json", `{"methodType": "voice"}`, "", true},
		{"challenge-authenticator-email.json", `{"verificationCode": "123456", "authenticator": "okta_password"}`, "", false},
		{"enroll-authenticator-security-question.json", `{"questionKey": "custom", "question": "q", "answer": "a"}`, "", false},
		{"unknown-remediation.json", `{"device": {"displayName": "d"}, "consent": true}`, "attest-device-posture", false},
		{"select-authenticator-enroll-with-skip.json", `{}`, "skip", false},
		{"session-expired.json", `{}`, "identify", false},
		{"enroll-profile.json", `{"userProfile.firstName": "J", "lastName": "D", "email": "e"}`, "", false},
		{"enroll-poll-okta-verify.json", `{"channel": "email"}`, "", false},
		{"authenticator-enrollment-data-phone.json", `{"methodType": "sms", "phoneNumber": "+1555"}`, "", false},
		{"enroll-authenticator-webauthn.json", `{"clientData": "c", "attestation": "a"}`, "", false},
		{"challenge-authenticator-okta-verify-totp.json", `{"verificationCode": "1"}`, "", false},
		{"select-authenticator-unlock-account.json", `{"username": "u", "authenticator": "okta_email"}`, "", false},
		{"reset-authenticator.json", `{"newPassword": "n", "revokeSessions": true}`, "", false},
	}
	for _, s := range seeds {
		b, err := os.ReadFile(filepath.Join(testdata, s.fixture))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, []byte(s.values), s.step, s.auto)
	}
	f.Fuzz(func(t *testing.T, doc, values []byte, step string, auto bool) {
		r, err := ion.Parse(doc)
		if err != nil {
			return
		}
		var v remediate.Values
		if err := json.Unmarshal(values, &v); err != nil {
			return
		}
		for _, f := range r.Remediations {
			for _, in := range remediate.Inputs(r, f) {
				_ = in.Path()
			}
			_ = remediate.StepAuthenticator(r, f)
		}
		s, err := remediate.Next(r, v, remediate.Options{Step: step, AutoMethod: auto})
		if err != nil {
			var ae *remediate.AuthenticatorError
			var fe *ion.FieldError
			if s != nil || !(errors.As(err, &ae) || errors.As(err, &fe) || errors.Is(err, remediate.ErrUnknownStep)) {
				t.Fatalf("Next = %v, %T %v", s, err, err)
			}
			return
		}
		if s == nil {
			return
		}
		if _, err := json.Marshal(s.Body); err != nil {
			t.Fatalf("body does not marshal: %v", err)
		}
		if step != "" && s.Form.Name != step {
			t.Fatalf("submitted %s, step %s", s.Form.Name, step)
		}
		n := len(v)
		s.Consume(v)
		if len(v) > n {
			t.Fatal("Consume added values")
		}
	})
}
