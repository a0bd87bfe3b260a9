package remediate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/remediate"
)

type obj = map[string]any

func TestNext(t *testing.T) {
	t.Parallel()
	const (
		idHandle  = "02idWp.stateHandle-identify-Q7xk"
		selHandle = "02selAuth.stateHandle-R2d2"
		chHandle  = "02chEmail.stateHandle-Z8w"
	)
	tests := []struct {
		name     string
		fixture  string
		values   remediate.Values
		opts     remediate.Options
		wantForm string // "" for no submission
		wantBody any
		wantUsed []string
		wantSel  bool
		wantLeft remediate.Values // the values after Consume
	}{
		{
			name: "identify with username and password", fixture: "identify-with-password.json",
			values:   remediate.Values{"username": "jane", "password": "pw"},
			wantForm: "identify",
			wantBody: obj{"identifier": "jane", "credentials": obj{"passcode": "pw"}, "stateHandle": idHandle},
			wantUsed: []string{"username", "password"},
			wantLeft: remediate.Values{},
		},
		{
			name: "identify with rememberMe, other values kept", fixture: "identify-with-password.json",
			values:   remediate.Values{"username": "jane", "password": "pw", "rememberMe": true, "verificationCode": "123"},
			wantForm: "identify",
			wantBody: obj{"identifier": "jane", "credentials": obj{"passcode": "pw"}, "rememberMe": true, "stateHandle": idHandle},
			wantUsed: []string{"username", "password", "rememberMe"},
			wantLeft: remediate.Values{"verificationCode": "123"},
		},
		{
			name: "identify needs the password it asks for", fixture: "identify-with-password.json",
			values: remediate.Values{"username": "jane"},
		},
		{
			name: "identify by dotted paths", fixture: "identify-with-password.json",
			values:   remediate.Values{"identifier": "jane", "credentials.passcode": "pw"},
			wantForm: "identify",
			wantBody: obj{"identifier": "jane", "credentials": obj{"passcode": "pw"}, "stateHandle": idHandle},
			wantUsed: []string{"identifier", "credentials.passcode"},
			wantLeft: remediate.Values{},
		},
		{
			name: "identify by nested maps", fixture: "identify-with-password.json",
			values:   remediate.Values{"username": "jane", "credentials": obj{"passcode": "pw"}},
			wantForm: "identify",
			wantBody: obj{"identifier": "jane", "credentials": obj{"passcode": "pw"}, "stateHandle": idHandle},
			wantUsed: []string{"username", "credentials.passcode"},
			wantLeft: remediate.Values{},
		},
		{
			name: "nested Values type", fixture: "identify-with-password.json",
			values:   remediate.Values{"username": "jane", "credentials": remediate.Values{"passcode": "pw"}},
			wantForm: "identify",
			wantBody: obj{"identifier": "jane", "credentials": obj{"passcode": "pw"}, "stateHandle": idHandle},
			wantUsed: []string{"username", "credentials.passcode"},
			wantLeft: remediate.Values{},
		},
		{
			name: "the alias wins over the path and the nested map", fixture: "identify-with-password.json",
			values:   remediate.Values{"username": "alias", "identifier": "path", "password": "a", "credentials.passcode": "b", "credentials": obj{"passcode": "c"}},
			wantForm: "identify",
			wantBody: obj{"identifier": "alias", "credentials": obj{"passcode": "a"}, "stateHandle": idHandle},
			wantUsed: []string{"username", "password"},
			wantLeft: remediate.Values{"identifier": "path", "credentials.passcode": "b", "credentials": obj{"passcode": "c"}},
		},
		{
			name: "identify without a password field leaves the password", fixture: "identify-unknown-user.json",
			values:   remediate.Values{"username": "jane", "password": "pw"},
			wantForm: "identify",
			wantBody: obj{"identifier": "jane", "stateHandle": "02idErr.stateHandle-H5c"},
			wantUsed: []string{"username"},
			wantLeft: remediate.Values{"password": "pw"},
		},
		{
			name: "no caller value: nothing submitted", fixture: "identify-with-password.json",
			values: remediate.Values{},
		},
		{
			name: "nil values", fixture: "identify-with-password.json",
		},
		{
			name: "a form named by Step is submitted without values", fixture: "identify-with-password.json",
			values: remediate.Values{"username": "jane", "password": "pw"}, opts: remediate.Options{Step: "select-enroll-profile"},
			wantForm: "select-enroll-profile",
			wantBody: obj{"stateHandle": idHandle},
			wantLeft: remediate.Values{"username": "jane", "password": "pw"},
		},
		{
			name: "select an authenticator by key", fixture: "select-authenticator-authenticate.json",
			values:   remediate.Values{"authenticator": "okta_email"},
			wantForm: "select-authenticator-authenticate",
			wantBody: obj{"authenticator": obj{"id": "autEml00example02", "methodType": "email"}, "stateHandle": selHandle},
			wantUsed: []string{"authenticator"}, wantSel: true,
			wantLeft: remediate.Values{},
		},
		{
			name: "select by authenticator.Key", fixture: "select-authenticator-authenticate.json",
			values:   remediate.Values{"authenticator": authenticator.GoogleOTP},
			wantForm: "select-authenticator-authenticate",
			wantBody: obj{"authenticator": obj{"id": "autGoo00example05"}, "stateHandle": selHandle},
			wantUsed: []string{"authenticator"}, wantSel: true,
			wantLeft: remediate.Values{},
		},
		{
			name: "the methodType that the chosen option fixes is left for later", fixture: "select-authenticator-authenticate.json",
			values:   remediate.Values{"authenticator": "okta_password", "methodType": "password"},
			wantForm: "select-authenticator-authenticate",
			wantBody: obj{"authenticator": obj{"id": "autPwd00example01", "methodType": "password"}, "stateHandle": selHandle},
			wantUsed: []string{"authenticator"}, wantSel: true,
			wantLeft: remediate.Values{"methodType": "password"},
		},
		{
			name: "a methodType for an option that does not fix it is left for later", fixture: "select-authenticator-authenticate.json",
			values:   remediate.Values{"authenticator": "google_otp", "methodType": "otp"},
			wantForm: "select-authenticator-authenticate",
			wantBody: obj{"authenticator": obj{"id": "autGoo00example05"}, "stateHandle": selHandle},
			wantUsed: []string{"authenticator"}, wantSel: true,
			wantLeft: remediate.Values{"methodType": "otp"},
		},
		{
			name: "phone with a method", fixture: "select-authenticator-authenticate.json",
			values:   remediate.Values{"authenticator": "phone_number", "methodType": "voice"},
			wantForm: "select-authenticator-authenticate",
			wantBody: obj{"authenticator": obj{"id": "autPhn00example03", "methodType": "voice", "enrollmentId": "paePhoneFirst0001"}, "stateHandle": selHandle},
			wantUsed: []string{"authenticator", "methodType"}, wantSel: true,
			wantLeft: remediate.Values{},
		},
		{
			name: "two enrollments with the same key: the first", fixture: "select-authenticator-authenticate.json",
			values:   remediate.Values{"authenticator": "phone_number"},
			wantForm: "select-authenticator-authenticate",
			wantBody: obj{"authenticator": obj{"id": "autPhn00example03", "enrollmentId": "paePhoneFirst0001"}, "stateHandle": selHandle},
			wantUsed: []string{"authenticator"}, wantSel: true,
			wantLeft: remediate.Values{},
		},
		{
			name: "an option value given as a map", fixture: "select-authenticator-authenticate.json",
			values:   remediate.Values{"authenticator": obj{"id": "autPhn00example03", "enrollmentId": "paePhoneSecond002", "methodType": "sms"}},
			wantForm: "select-authenticator-authenticate",
			wantBody: obj{"authenticator": obj{"id": "autPhn00example03", "methodType": "sms", "enrollmentId": "paePhoneSecond002"}, "stateHandle": selHandle},
			wantUsed: []string{"authenticator"}, wantSel: true,
			wantLeft: remediate.Values{},
		},
		{
			name: "enroll: phone with number and method", fixture: "select-authenticator-enroll-with-skip.json",
			values:   remediate.Values{"authenticator": "phone_number", "methodType": "sms", "phoneNumber": "+15551230000"},
			wantForm: "select-authenticator-enroll",
			wantBody: obj{"authenticator": obj{"id": "autPhn00example03", "methodType": "sms", "phoneNumber": "+15551230000"}, "stateHandle": "02enr.stateHandle-E7e"},
			wantUsed: []string{"authenticator", "methodType", "phoneNumber"}, wantSel: true,
			wantLeft: remediate.Values{},
		},
		{
			name: "skip is not taken by itself", fixture: "select-authenticator-enroll-with-skip.json",
			values: remediate.Values{"username": "jane"},
		},
		{
			name: "skip named by Step", fixture: "select-authenticator-enroll-with-skip.json",
			opts:     remediate.Options{Step: "skip"},
			wantForm: "skip",
			wantBody: obj{"stateHandle": "02enr.stateHandle-E7e"},
			wantLeft: remediate.Values{},
		},
		{
			name: "Step naming a form that cannot be filled", fixture: "select-authenticator-enroll-with-skip.json",
			opts: remediate.Options{Step: "select-authenticator-enroll"},
		},
		{
			name: "AutoMethod answers a single method", fixture: "authenticator-verification-data-email.json",
			values: remediate.Values{}, opts: remediate.Options{AutoMethod: true},
			wantForm: "authenticator-verification-data",
			wantBody: obj{"authenticator": obj{"id": "autEml00example02", "methodType": "email"}, "stateHandle": "02vdEmail.stateHandle-K9p"},
			wantLeft: remediate.Values{},
		},
		{
			name: "without AutoMethod a single method waits", fixture: "authenticator-verification-data-email.json",
			values: remediate.Values{},
		},
		{
			name: "AutoMethod does not choose between sms and voice", fixture: "authenticator-verification-data-phone.json",
			values: remediate.Values{}, opts: remediate.Options{AutoMethod: true},
		},
		{
			name: "the caller chooses voice", fixture: "authenticator-verification-data-phone.json",
			values: remediate.Values{"methodType": "voice"}, opts: remediate.Options{AutoMethod: true},
			wantForm: "authenticator-verification-data",
			wantBody: obj{"authenticator": obj{"id": "autPhn00example03", "methodType": "voice", "enrollmentId": "paePhoneFirst0001"}, "stateHandle": "02vdPhone.stateHandle-T4m"},
			wantUsed: []string{"methodType"},
			wantLeft: remediate.Values{},
		},
		{
			name: "the data form uses up the choice of its authenticator", fixture: "authenticator-enrollment-data-phone.json",
			values:   remediate.Values{"authenticator": authenticator.PhoneNumber, "methodType": "voice", "phoneNumber": "+15555550112"},
			wantForm: "authenticator-enrollment-data",
			wantBody: obj{"authenticator": obj{"id": "autPhn00example03", "methodType": "voice", "phoneNumber": "+15555550112"}, "stateHandle": "02phn.stateHandle-Ph1"},
			wantUsed: []string{"methodType", "phoneNumber", "authenticator"},
			wantLeft: remediate.Values{},
		},
		{
			name: "the data form keeps the choice of another authenticator", fixture: "authenticator-enrollment-data-phone.json",
			values:   remediate.Values{"authenticator": "okta_email", "methodType": "voice", "phoneNumber": "+15555550112"},
			wantForm: "authenticator-enrollment-data",
			wantBody: obj{"authenticator": obj{"id": "autPhn00example03", "methodType": "voice", "phoneNumber": "+15555550112"}, "stateHandle": "02phn.stateHandle-Ph1"},
			wantUsed: []string{"methodType", "phoneNumber"},
			wantLeft: remediate.Values{"authenticator": "okta_email"},
		},
		{
			name: "a caller method wins over AutoMethod", fixture: "authenticator-verification-data-email.json",
			values: remediate.Values{"methodType": "email"}, opts: remediate.Options{AutoMethod: true},
			wantForm: "authenticator-verification-data",
			wantBody: obj{"authenticator": obj{"id": "autEml00example02", "methodType": "email"}, "stateHandle": "02vdEmail.stateHandle-K9p"},
			wantUsed: []string{"methodType"},
			wantLeft: remediate.Values{},
		},
		{
			name: "email code", fixture: "challenge-authenticator-email.json",
			values:   remediate.Values{"verificationCode": "123456"},
			wantForm: "challenge-authenticator",
			wantBody: obj{"credentials": obj{"passcode": "123456"}, "stateHandle": chHandle},
			wantUsed: []string{"verificationCode"},
			wantLeft: remediate.Values{},
		},
		{
			name: "server order: the code before switching", fixture: "challenge-authenticator-email.json",
			values:   remediate.Values{"verificationCode": "123456", "authenticator": "okta_password"},
			wantForm: "challenge-authenticator",
			wantBody: obj{"credentials": obj{"passcode": "123456"}, "stateHandle": chHandle},
			wantUsed: []string{"verificationCode"},
			wantLeft: remediate.Values{"authenticator": "okta_password"},
		},
		{
			name: "switching authenticator from a challenge", fixture: "challenge-authenticator-email.json",
			values:   remediate.Values{"authenticator": "okta_password"},
			wantForm: "select-authenticator-authenticate",
			wantBody: obj{"authenticator": obj{"id": "autPwd00example01", "methodType": "password"}, "stateHandle": chHandle},
			wantUsed: []string{"authenticator"}, wantSel: true,
			wantLeft: remediate.Values{},
		},
		{
			name: "the email code input is not the password", fixture: "challenge-authenticator-email.json",
			values: remediate.Values{"password": "pw"},
		},
		{
			name: "password challenge", fixture: "challenge-authenticator-password.json",
			values:   remediate.Values{"password": "pw", "verificationCode": "1"},
			wantForm: "challenge-authenticator",
			wantBody: obj{"credentials": obj{"passcode": "pw"}, "stateHandle": "02chPwd.stateHandle-M1q"},
			wantUsed: []string{"password"},
			wantLeft: remediate.Values{"verificationCode": "1"},
		},
		{
			name: "password challenge named by Step without a password", fixture: "challenge-authenticator-password.json",
			opts: remediate.Options{Step: "challenge-authenticator"},
		},
		{
			name: "security question answer", fixture: "challenge-authenticator-security-question.json",
			values:   remediate.Values{"answer": "Dune"},
			wantForm: "challenge-authenticator",
			wantBody: obj{"credentials": obj{"questionKey": "favorite_book", "answer": "Dune"}, "stateHandle": "02chSq.stateHandle-B6y"},
			wantUsed: []string{"answer"},
			wantLeft: remediate.Values{},
		},
		{
			name: "security question enrollment", fixture: "enroll-authenticator-security-question.json",
			values:   remediate.Values{"questionKey": "first_pet", "answer": "Rex"},
			wantForm: "enroll-authenticator",
			wantBody: obj{"credentials": obj{"questionKey": "first_pet", "answer": "Rex"}, "stateHandle": "02enrSq.stateHandle-Q4q"},
			wantUsed: []string{"questionKey", "answer"},
			wantLeft: remediate.Values{},
		},
		{
			name: "security question enrollment, own question", fixture: "enroll-authenticator-security-question.json",
			values:   remediate.Values{"questionKey": "custom", "question": "Best tea?", "answer": "Oolong"},
			wantForm: "enroll-authenticator",
			wantBody: obj{"credentials": obj{"questionKey": "custom", "question": "Best tea?", "answer": "Oolong"}, "stateHandle": "02enrSq.stateHandle-Q4q"},
			wantUsed: []string{"questionKey", "answer", "question"},
			wantLeft: remediate.Values{},
		},
		{
			name: "security question enrollment by nested map", fixture: "enroll-authenticator-security-question.json",
			values:   remediate.Values{"credentials": obj{"questionKey": "favorite_book", "answer": "Dune"}},
			wantForm: "enroll-authenticator",
			wantBody: obj{"credentials": obj{"questionKey": "favorite_book", "answer": "Dune"}, "stateHandle": "02enrSq.stateHandle-Q4q"},
			wantUsed: []string{"credentials.questionKey", "credentials.answer"},
			wantLeft: remediate.Values{},
		},
		{
			name: "unknown remediation by dotted paths", fixture: "unknown-remediation.json",
			values: remediate.Values{"device.displayName": "laptop", "consent": true}, opts: remediate.Options{Step: "attest-device-posture"},
			wantForm: "attest-device-posture",
			wantBody: obj{
				"device":  obj{"displayName": "laptop", "nonce": "n-0123456789"},
				"retries": float64(3), "consent": true, "tenant": "t-42", "stateHandle": "02unk.stateHandle-U2u",
			},
			wantUsed: []string{"device.displayName", "consent"},
			wantLeft: remediate.Values{},
		},
		{
			name: "unknown remediation by nested map, partly used", fixture: "unknown-remediation.json",
			values:   remediate.Values{"device": obj{"displayName": "laptop", "platform": "MACOS", "color": "red"}, "consent": false, "retries": 5},
			wantForm: "attest-device-posture",
			wantBody: obj{
				"device":  obj{"displayName": "laptop", "platform": "MACOS", "nonce": "n-0123456789"},
				"retries": float64(5), "consent": false, "tenant": "t-42", "stateHandle": "02unk.stateHandle-U2u",
			},
			wantUsed: []string{"device.displayName", "device.platform", "retries", "consent"},
			wantLeft: remediate.Values{"device": obj{"color": "red"}},
		},
		{
			name: "unknown remediation without its required consent", fixture: "unknown-remediation.json",
			values: remediate.Values{"device.displayName": "laptop"},
		},
		{
			name: "values the engine keeps hidden are not used", fixture: "unknown-remediation.json",
			values: remediate.Values{"stateHandle": "forged", "tenant": "t-1", "device.nonce": "n"}, opts: remediate.Options{Step: "skip"},
			wantForm: "skip",
			wantBody: obj{"stateHandle": "02unk.stateHandle-U2u"},
			wantLeft: remediate.Values{"stateHandle": "forged", "tenant": "t-1", "device.nonce": "n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := parseFixture(t, tt.fixture)
			before := jsonOf(t, tt.values)
			s, err := remediate.Next(r, tt.values, tt.opts)
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if diff := cmp.Diff(before, jsonOf(t, tt.values)); diff != "" {
				t.Errorf("Next modified the values (-before +after):\n%s", diff)
			}
			if tt.wantForm == "" {
				if s != nil {
					t.Fatalf("Next submitted %s with body %v, want nothing", s.Form.Name, jsonOf(t, s.Body))
				}
				return
			}
			if s == nil {
				t.Fatalf("Next = nil, want %s", tt.wantForm)
			}
			if s.Form != r.Remediation(tt.wantForm) {
				t.Errorf("Form = %s, want %s", s.Form.Name, tt.wantForm)
			}
			if diff := cmp.Diff(tt.wantBody, jsonOf(t, s.Body)); diff != "" {
				t.Errorf("Body (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantUsed, s.Used, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Used (-want +got):\n%s", diff)
			}
			if s.Selected != tt.wantSel {
				t.Errorf("Selected = %v, want %v", s.Selected, tt.wantSel)
			}
			// The caller's nested maps must survive Consume.
			nested := map[string]any{}
			for k, v := range tt.values {
				if m, ok := v.(obj); ok {
					nested[k] = m
				}
			}
			snapshot := jsonOf(t, nested)
			s.Consume(tt.values)
			if diff := cmp.Diff(tt.wantLeft, tt.values, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("values after Consume (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(snapshot, jsonOf(t, nested)); diff != "" {
				t.Errorf("Consume modified the caller's nested maps (-before +after):\n%s", diff)
			}
		})
	}
}

// TestConsumeDoesNotTouchCallerMaps checks that consuming nested values
// copies the caller's maps instead of deleting from them.
func TestConsumeDoesNotTouchCallerMaps(t *testing.T) {
	t.Parallel()
	r := parseFixture(t, "unknown-remediation.json")
	device := map[string]any{"displayName": "laptop", "color": "red"}
	inner := map[string]any{"c": 1, "d": 2}
	v := remediate.Values{"device": device, "consent": true, "x": map[string]any{"y": inner}}
	s, err := remediate.Next(r, v, remediate.Options{})
	if err != nil || s == nil {
		t.Fatalf("Next = %v, %v", s, err)
	}
	s.Used = append(s.Used, "x.y.c", "x.nope.c", "consent.deeper", "absent.key")
	s.Consume(v)
	want := remediate.Values{"device": map[string]any{"color": "red"}, "x": map[string]any{"y": map[string]any{"d": 2}}}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("values after Consume (-want +got):\n%s", diff)
	}
	if len(device) != 2 || len(inner) != 2 {
		t.Errorf("caller maps modified: %v %v", device, inner)
	}
	// Consuming the last nested value removes the emptied maps.
	(&remediate.Submission{Used: []string{"device.color", "x.y.d"}}).Consume(v)
	if len(v) != 0 {
		t.Errorf("values after consuming everything: %v", v)
	}
	// Consume on nil values does nothing.
	(&remediate.Submission{Used: []string{"a", "a.b"}}).Consume(nil)
}

func TestNextErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		fixture     string
		values      remediate.Values
		opts        remediate.Options
		wantIs      error
		wantAuthErr *remediate.AuthenticatorError
		wantMethErr *remediate.AuthenticatorError
		wantField   string // "form field: reason" of an *ion.FieldError
		wantForm    string // when a form is submitted despite the error
	}{
		{
			name: "authenticator not offered", fixture: "select-authenticator-authenticate.json",
			values: remediate.Values{"authenticator": "webauthn"},
			wantIs: remediate.ErrUnknownAuthenticator,
			wantAuthErr: &remediate.AuthenticatorError{
				Key: "webauthn", Step: "select-authenticator-authenticate",
				Offered: []string{"okta_password", "okta_email", "phone_number", "google_otp", "security_question"},
			},
		},
		{
			name: "empty authenticator key", fixture: "select-authenticator-authenticate.json",
			values: remediate.Values{"authenticator": ""},
			wantIs: remediate.ErrUnknownAuthenticator,
			wantAuthErr: &remediate.AuthenticatorError{
				Key: "", Step: "select-authenticator-authenticate",
				Offered: []string{"okta_password", "okta_email", "phone_number", "google_otp", "security_question"},
			},
		},
		{
			name: "authenticator value of the wrong type", fixture: "select-authenticator-authenticate.json",
			values: remediate.Values{"authenticator": 42}, wantIs: ion.ErrInvalidValues,
			wantField: "select-authenticator-authenticate authenticator: needs an authenticator key",
		},
		{
			name: "method not offered by the chosen phone", fixture: "select-authenticator-authenticate.json",
			values: remediate.Values{"authenticator": "phone_number", "methodType": "fax"}, wantIs: remediate.ErrMethodNotOffered,
			wantMethErr: &remediate.AuthenticatorError{Key: "phone_number", MethodType: "fax", Step: "select-authenticator-authenticate", Offered: []string{"sms", "voice"}},
		},
		{
			// Never FastPass instead of the push asked for.
			name: "Okta Verify offered only as FastPass, asked for a push", fixture: "select-authenticator-authenticate-every-key.json",
			values: remediate.Values{"authenticator": "okta_verify", "methodType": "push"}, wantIs: remediate.ErrMethodNotOffered,
			wantMethErr: &remediate.AuthenticatorError{Key: "okta_verify", MethodType: "push", Step: "select-authenticator-authenticate", Offered: []string{"signed_nonce"}},
		},
		{
			name: "a method the chosen option fixes to another", fixture: "select-authenticator-authenticate.json",
			values: remediate.Values{"authenticator": "okta_password", "methodType": "sms"}, wantIs: remediate.ErrMethodNotOffered,
			wantMethErr: &remediate.AuthenticatorError{Key: "okta_password", MethodType: "sms", Step: "select-authenticator-authenticate", Offered: []string{"password"}},
		},
		{
			name: "an option map matching no option", fixture: "select-authenticator-authenticate.json",
			values: remediate.Values{"authenticator": obj{"id": "nope"}}, wantIs: ion.ErrInvalidValues,
			wantField: "select-authenticator-authenticate authenticator: not one of the offered options",
		},
		{
			name: "method outside the options", fixture: "authenticator-verification-data-phone.json",
			values: remediate.Values{"methodType": "fax"}, wantIs: ion.ErrInvalidValues,
			wantField: "authenticator-verification-data authenticator.methodType: not one of the offered options",
		},
		{
			name: "Step naming an absent remediation", fixture: "identify-with-password.json",
			values: remediate.Values{"username": "jane", "password": "pw"}, opts: remediate.Options{Step: "skip"},
			wantIs: remediate.ErrUnknownStep,
		},
		{
			name: "Step on a document without remediations", fixture: "session-expired.json",
			opts: remediate.Options{Step: "identify"}, wantIs: remediate.ErrUnknownStep,
		},
		{
			name: "an error is not returned when another form fills", fixture: "challenge-authenticator-email.json",
			values:   remediate.Values{"verificationCode": "1", "authenticator": "webauthn"},
			wantForm: "challenge-authenticator",
		},
		{
			name: "the first error counts", fixture: "authenticator-verification-data-email.json",
			values: remediate.Values{"methodType": "sms", "authenticator": "webauthn"}, wantIs: ion.ErrInvalidValues,
			wantField: "authenticator-verification-data authenticator.methodType: not one of the offered options",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := parseFixture(t, tt.fixture)
			s, err := remediate.Next(r, tt.values, tt.opts)
			if tt.wantForm != "" {
				if err != nil || s == nil || s.Form.Name != tt.wantForm {
					t.Fatalf("Next = %v, %v; want a %s submission", s, err, tt.wantForm)
				}
				return
			}
			if s != nil {
				t.Errorf("submission %s returned with an error", s.Form.Name)
			}
			if !errors.Is(err, tt.wantIs) {
				t.Fatalf("Next error = %v, want %v", err, tt.wantIs)
			}
			if tt.wantAuthErr != nil {
				var ae *remediate.AuthenticatorError
				if !errors.As(err, &ae) {
					t.Fatalf("error %T is not an *AuthenticatorError", err)
				}
				if diff := cmp.Diff(tt.wantAuthErr, ae); diff != "" {
					t.Errorf("AuthenticatorError (-want +got):\n%s", diff)
				}
				for _, k := range ae.Offered {
					if !strings.Contains(err.Error(), k) {
						t.Errorf("message %q does not list %s", err, k)
					}
				}
			}
			if tt.wantMethErr != nil {
				var me *remediate.AuthenticatorError
				if !errors.As(err, &me) {
					t.Fatalf("error %T is not an *AuthenticatorError", err)
				}
				if diff := cmp.Diff(tt.wantMethErr, me); diff != "" {
					t.Errorf("AuthenticatorError with a method (-want +got):\n%s", diff)
				}
			}
			if tt.wantField != "" {
				var fe *ion.FieldError
				if !errors.As(err, &fe) {
					t.Fatalf("error %T is not an *ion.FieldError", err)
				}
				if got := fe.Form + " " + fe.Field + ": " + fe.Reason; got != tt.wantField {
					t.Errorf("FieldError = %q, want %q", got, tt.wantField)
				}
			}
		})
	}
}

// TestNextFlow follows a sign-in through the fixtures with one set of
// values, as the SDK's loop does: each submission consumes its values.
func TestNextFlow(t *testing.T) {
	t.Parallel()
	v := remediate.Values{"username": "jane", "password": "pw", "authenticator": "okta_email", "verificationCode": "246810"}
	steps := []struct {
		fixture  string
		auto     bool
		wantForm string
	}{
		{"identify-with-password.json", false, "identify"},
		{"select-authenticator-authenticate.json", false, "select-authenticator-authenticate"},
		{"authenticator-verification-data-email.json", true, "authenticator-verification-data"},
		{"challenge-authenticator-email.json", false, "challenge-authenticator"},
	}
	selected := false
	for _, st := range steps {
		r := parseFixture(t, st.fixture)
		if selected != st.auto {
			t.Fatalf("%s: Selected from the previous step = %v, want %v", st.fixture, selected, st.auto)
		}
		s, err := remediate.Next(r, v, remediate.Options{AutoMethod: selected})
		if err != nil || s == nil {
			t.Fatalf("%s: Next = %v, %v", st.fixture, s, err)
		}
		if s.Form.Name != st.wantForm {
			t.Fatalf("%s: submitted %s, want %s", st.fixture, s.Form.Name, st.wantForm)
		}
		s.Consume(v)
		selected = s.Selected
	}
	if len(v) != 0 {
		t.Errorf("values left: %v", v)
	}
}

func TestAuthenticatorErrorMessage(t *testing.T) {
	t.Parallel()
	e := &remediate.AuthenticatorError{Key: "duo", Step: "select-authenticator-authenticate", Offered: []string{"okta_email", "okta_password"}}
	want := `step "select-authenticator-authenticate" does not offer authenticator "duo" (offered: okta_email, okta_password)`
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(e, remediate.ErrUnknownAuthenticator) {
		t.Error("errors.Is(ErrUnknownAuthenticator) is false")
	}
}

// Goal: of two options of one key, the one that offers the method asked
// for is chosen; without a method, the first.
func TestNextMethodChoosesOption(t *testing.T) {
	t.Parallel()
	r := parseDoc(t, `{"stateHandle":"h",
	  "authenticatorEnrollments": {"value": [{"id": "e0", "key": "okta_verify"}, {"id": "e1", "key": "okta_verify"}]},
	  "remediation": {"value": [{"name": "select-authenticator-authenticate", "value": [{"name": "authenticator", "type": "object", "options": [
	    {"label": "FastPass", "value": {"form": {"value": [{"name": "id", "value": "ov", "mutable": false}, {"name": "methodType", "value": "signed_nonce", "mutable": false}]}}, "relatesTo": "$.authenticatorEnrollments.value[0]"},
	    {"label": "Okta Verify", "value": {"form": {"value": [{"name": "id", "value": "ov", "mutable": false}, {"name": "methodType", "options": [{"label": "Push", "value": "push"}, {"label": "Code", "value": "totp"}]}]}}, "relatesTo": "$.authenticatorEnrollments.value[1]"}
	  ]}]}]}}`)
	for _, tt := range []struct {
		values remediate.Values
		want   any
	}{
		{remediate.Values{"authenticator": "okta_verify", "methodType": "push"}, obj{"id": "ov", "methodType": "push"}},
		{remediate.Values{"authenticator": "okta_verify"}, obj{"id": "ov", "methodType": "signed_nonce"}},
		{remediate.Values{"authenticator": "okta_verify", "methodType": "signed_nonce"}, obj{"id": "ov", "methodType": "signed_nonce"}},
	} {
		s, err := remediate.Next(r, tt.values, remediate.Options{})
		if err != nil {
			t.Fatalf("Next(%v): %v", tt.values, err)
		}
		if diff := cmp.Diff(tt.want, jsonOf(t, s.Body).(map[string]any)["authenticator"]); diff != "" {
			t.Errorf("Next(%v) (-want +got):\n%s", tt.values, diff)
		}
	}
}

// TestConcurrentUse checks that Inputs, Next and Body only read the parsed
// response, so one response may serve concurrent calls (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	r := parseFixture(t, "select-authenticator-authenticate.json")
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				v := remediate.Values{"authenticator": []string{"okta_email", "phone_number", "google_otp"}[i%3]}
				if i%3 == 1 {
					v["methodType"] = "sms"
				}
				s, err := remediate.Next(r, v, remediate.Options{AutoMethod: i%2 == 0})
				if err != nil || s == nil {
					t.Errorf("Next = %v, %v", s, err)
					return
				}
				s.Consume(v)
				_ = remediate.Inputs(r, r.Remediations[0])
				_ = r.AllMessages()
			}
		}()
	}
	for range 8 {
		<-done
	}
}
