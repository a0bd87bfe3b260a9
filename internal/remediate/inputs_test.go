package remediate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/remediate"
)

// The fixtures are the ion package's.
const testdata = "../ion/testdata"

func parseFixture(t testing.TB, name string) *ion.Response {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ion.Parse(b)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return r
}

func parseDoc(t testing.TB, doc string) *ion.Response {
	t.Helper()
	r, err := ion.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return r
}

// input is the comparable view of a remediate.Input.
type input struct {
	Name, Path, Label, Type string
	Required, Secret        bool
	Options                 []authenticator.Choice
}

func view(ins []remediate.Input) []input {
	var out []input
	for _, in := range ins {
		out = append(out, input{
			Name: in.Name, Path: in.Path(), Label: in.Label, Type: in.Type,
			Required: in.Required, Secret: in.Secret, Options: in.Options,
		})
	}
	return out
}

func TestInputsFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture string
		form    string
		want    []input
	}{
		{
			fixture: "identify-with-password.json", form: "identify",
			want: []input{
				{Name: "username", Path: "identifier", Label: "Username", Type: "string", Required: true},
				{Name: "password", Path: "credentials.passcode", Label: "Password", Type: "string", Required: true, Secret: true},
				{Name: "rememberMe", Path: "rememberMe", Label: "Keep me signed in", Type: "boolean"},
			},
		},
		{fixture: "identify-with-password.json", form: "select-enroll-profile", want: nil},
		{
			fixture: "identify-unknown-user.json", form: "identify",
			want: []input{{Name: "username", Path: "identifier", Label: "Username", Type: "string"}},
		},
		{
			fixture: "select-authenticator-authenticate.json", form: "select-authenticator-authenticate",
			want: []input{{
				Name: "authenticator", Path: "authenticator", Type: "authenticator",
				Options: []authenticator.Choice{
					{Label: "Password", Value: "okta_password"},
					{Label: "Email", Value: "okta_email"},
					{Label: "Phone", Value: "phone_number"}, // once: the second phone cannot be chosen by key
					{Label: "Google Authenticator", Value: "google_otp"},
					{Label: "Security Question", Value: "security_question"},
				},
			}},
		},
		{
			fixture: "select-authenticator-enroll-with-skip.json", form: "select-authenticator-enroll",
			want: []input{{
				Name: "authenticator", Path: "authenticator", Type: "authenticator", Required: true,
				Options: []authenticator.Choice{{Label: "Phone", Value: "phone_number"}, {Label: "Security Question", Value: "security_question"}},
			}},
		},
		{fixture: "select-authenticator-enroll-with-skip.json", form: "skip", want: nil},
		{
			fixture: "authenticator-verification-data-email.json", form: "authenticator-verification-data",
			want: []input{{
				Name: "methodType", Path: "authenticator.methodType", Type: "string", Required: true,
				Options: []authenticator.Choice{{Label: "Email", Value: "email"}},
			}},
		},
		{
			fixture: "authenticator-verification-data-phone.json", form: "authenticator-verification-data",
			want: []input{{
				Name: "methodType", Path: "authenticator.methodType", Type: "string", Required: true,
				Options: []authenticator.Choice{{Label: "SMS", Value: "sms"}, {Label: "Voice call", Value: "voice"}},
			}},
		},
		{
			fixture: "challenge-authenticator-email.json", form: "challenge-authenticator",
			want: []input{{Name: "verificationCode", Path: "credentials.passcode", Label: "Enter code", Type: "string", Required: true}},
		},
		{
			fixture: "challenge-authenticator-email-invalid-passcode.json", form: "challenge-authenticator",
			want: []input{{Name: "verificationCode", Path: "credentials.passcode", Label: "Enter code", Type: "string", Required: true}},
		},
		{
			// credentials is not marked required here; the form exists to send it.
			fixture: "challenge-authenticator-password.json", form: "challenge-authenticator",
			want: []input{{Name: "password", Path: "credentials.passcode", Label: "Password", Type: "string", Required: true, Secret: true}},
		},
		{
			fixture: "challenge-authenticator-security-question.json", form: "challenge-authenticator",
			want: []input{{Name: "answer", Path: "credentials.answer", Label: "Answer", Type: "string", Required: true}},
		},
		{
			fixture: "enroll-authenticator-security-question.json", form: "enroll-authenticator",
			want: []input{
				{
					Name: "questionKey", Path: "credentials.questionKey", Label: "Choose a security question", Type: "string", Required: true,
					Options: []authenticator.Choice{
						{Label: "What is your favorite book?", Value: "favorite_book"},
						{Label: "What was the name of your first pet?", Value: "first_pet"},
						{Label: "Create my own security question", Value: "custom"},
					},
				},
				{Name: "answer", Path: "credentials.answer", Label: "Answer", Type: "string", Required: true, Secret: true},
				{Name: "question", Path: "credentials.question", Label: "Create a security question", Type: "string"},
			},
		},
		{
			// The org resets Google Authenticator: a code from the new
			// enrollment, not a password.
			fixture: "reset-authenticator-google-otp.json", form: "reset-authenticator",
			want: []input{{Name: "verificationCode", Path: "credentials.passcode", Label: "Enter code", Type: "string", Required: true}},
		},
		{
			fixture: "reset-authenticator.json", form: "reset-authenticator",
			want: []input{
				{Name: "newPassword", Path: "credentials.passcode", Label: "New password", Type: "string", Required: true, Secret: true},
				{Name: "revokeSessions", Path: "credentials.revokeSessions", Label: "Sign me out of all other devices", Type: "boolean"},
			},
		},
		{
			// The id and method are fixed; the user names the RSA account.
			fixture: "enroll-authenticator-rsa-token.json", form: "enroll-authenticator",
			want: []input{
				{Name: "vendorUsername", Path: "credentials.clientData", Label: "User Name", Type: "string", Required: true},
				{Name: "verificationCode", Path: "credentials.passcode", Label: "Passcode", Type: "string", Required: true},
			},
		},
		{
			fixture: "enroll-authenticator-onprem-mfa.json", form: "enroll-authenticator",
			want: []input{
				{Name: "vendorUsername", Path: "credentials.clientData", Label: "User Name", Type: "string", Required: true},
				{Name: "verificationCode", Path: "credentials.passcode", Label: "Passcode", Type: "string", Required: true},
			},
		},
		{
			fixture: "enroll-authenticator-symantec-vip.json", form: "enroll-authenticator",
			want: []input{
				{Name: "credentialId", Path: "credentials.credentialId", Label: "Enter credential ID", Type: "string", Required: true},
				{Name: "verificationCode", Path: "credentials.passcode", Label: "Security Code 1", Type: "string", Required: true},
				{Name: "nextVerificationCode", Path: "credentials.nextPasscode", Label: "Security Code 2", Type: "string", Required: true},
			},
		},
		{
			fixture: "challenge-authenticator-duo.json", form: "challenge-authenticator",
			want: []input{{Name: "duoSignature", Path: "credentials.signatureData", Label: "Assertion From Duo", Type: "string", Required: true}},
		},
		{
			fixture: "challenge-authenticator-yubikey-token.json", form: "challenge-authenticator",
			want: []input{{Name: "verificationCode", Path: "credentials.passcode", Label: "Insert then tap your YubiKey",
				Type: "string", Required: true, Secret: true}},
		},
		{
			fixture: "challenge-poll-custom-app.json", form: "challenge-poll",
			want: []input{{Name: "autoChallenge", Path: "autoChallenge", Label: "Send push automatically", Type: "boolean"}},
		},
		{
			// An unknown remediation: raw dotted paths, hidden and fixed fields left out.
			fixture: "unknown-remediation.json", form: "attest-device-posture",
			want: []input{
				{Name: "device.displayName", Path: "device.displayName", Label: "Device name", Type: "string", Required: true},
				{
					Name: "device.platform", Path: "device.platform", Label: "Platform", Type: "string",
					Options: []authenticator.Choice{{Label: "Linux", Value: "LINUX"}, {Label: "macOS", Value: "MACOS"}},
				},
				{Name: "retries", Path: "retries", Label: "Attempts", Type: "integer"},
				{Name: "consent", Path: "consent", Label: "I agree", Type: "boolean", Required: true},
				{Name: "credentials.passcode", Path: "credentials.passcode", Label: "Device code", Type: "string", Secret: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture+"/"+tt.form, func(t *testing.T) {
			t.Parallel()
			r := parseFixture(t, tt.fixture)
			f := r.Remediation(tt.form)
			if f == nil {
				t.Fatalf("no form %s", tt.form)
			}
			if diff := cmp.Diff(tt.want, view(remediate.Inputs(r, f)), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Inputs (-want +got):\n%s", diff)
			}
		})
	}
}

// form wraps fields in a document with one remediation of the given name.
func form(name, fields string) string {
	return `{"stateHandle":"h","remediation":{"value":[{"name":"` + name + `","value":` + fields + `}]}}`
}

func TestInputsShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		want []input
	}{
		{
			name: "hidden and fixed fields",
			doc: form("f", `[
				{"name": "invisibleWithValue", "value": "v", "visible": false},
				{"name": "immutableWithValue", "value": "v", "mutable": false},
				{"name": "immutableWithoutValue", "mutable": false, "required": true},
				{"name": "invisibleWithoutValue", "visible": false, "required": true},
				{"name": "visibleDefault", "value": "d"},
				{"name": "hiddenObject", "visible": false, "value": {"a": 1}, "form": {"value": [{"name": "a"}]}},
				{"name": "stateHandle", "value": "h", "visible": false, "mutable": false, "required": true}
			]`),
			want: []input{
				{Name: "invisibleWithoutValue", Path: "invisibleWithoutValue", Type: "string", Required: true},
				{Name: "visibleDefault", Path: "visibleDefault", Type: "string"},
			},
		},
		{
			name: "required object whose fields are unmarked: all required",
			doc:  form("f", `[{"name": "o", "required": true, "form": {"value": [{"name": "a"}, {"name": "b"}]}}]`),
			want: []input{
				{Name: "o.a", Path: "o.a", Type: "string", Required: true},
				{Name: "o.b", Path: "o.b", Type: "string", Required: true},
			},
		},
		{
			name: "required object with a marked field: the marks count",
			doc:  form("f", `[{"name": "o", "required": true, "form": {"value": [{"name": "a", "required": true}, {"name": "b"}]}}]`),
			want: []input{
				{Name: "o.a", Path: "o.a", Type: "string", Required: true},
				{Name: "o.b", Path: "o.b", Type: "string"},
			},
		},
		{
			name: "a fixed required field does not count as a mark",
			doc:  form("f", `[{"name": "o", "required": true, "form": {"value": [{"name": "k", "required": true, "value": "x", "mutable": false}, {"name": "b"}]}}]`),
			want: []input{{Name: "o.b", Path: "o.b", Type: "string", Required: true}},
		},
		{
			name: "optional object: fields as marked",
			doc:  form("f", `[{"name": "o", "form": {"value": [{"name": "a"}, {"name": "b", "required": true}]}}]`),
			want: []input{
				{Name: "o.a", Path: "o.a", Type: "string"},
				{Name: "o.b", Path: "o.b", Type: "string", Required: true},
			},
		},
		{
			name: "required through two levels",
			doc:  form("f", `[{"name": "a", "required": true, "form": {"value": [{"name": "b", "form": {"value": [{"name": "c"}]}}]}}]`),
			want: []input{{Name: "a.b.c", Path: "a.b.c", Type: "string", Required: true}},
		},
		{
			name: "optional inner object of a required one with a marked sibling",
			doc:  form("f", `[{"name": "a", "required": true, "form": {"value": [{"name": "x", "required": true}, {"name": "b", "form": {"value": [{"name": "c"}]}}]}}]`),
			want: []input{
				{Name: "a.x", Path: "a.x", Type: "string", Required: true},
				{Name: "a.b.c", Path: "a.b.c", Type: "string"},
			},
		},
		{
			name: "repeated field names give one input",
			doc:  form("f", `[{"name": "a", "label": "first"}, {"name": "a", "label": "second", "required": true}]`),
			want: []input{{Name: "a", Path: "a", Label: "first", Type: "string"}},
		},
		{
			name: "userProfile fields by their own names",
			doc:  form("enroll-profile", `[{"name": "userProfile", "form": {"value": [{"name": "firstName", "label": "First name", "required": true}, {"name": "email", "required": true}]}}, {"name": "credentials", "form": {"value": [{"name": "passcode", "secret": true}]}}]`),
			want: []input{
				{Name: "firstName", Path: "userProfile.firstName", Label: "First name", Type: "string", Required: true},
				{Name: "email", Path: "userProfile.email", Type: "string", Required: true},
				{Name: "password", Path: "credentials.passcode", Type: "string", Secret: true},
			},
		},
		{
			name: "new password on reset",
			doc:  form("reset-authenticator", `[{"name": "credentials", "form": {"value": [{"name": "passcode", "label": "New password", "secret": true}]}}]`),
			want: []input{{Name: "newPassword", Path: "credentials.passcode", Label: "New password", Type: "string", Required: true, Secret: true}},
		},
		{
			name: "an optional choice of forms: nothing required",
			doc:  form("f", `[{"name": "c", "options": [{"label": "x", "value": {"form": {"value": [{"name": "k", "required": true}]}}}]}]`),
			want: []input{{Name: "c.k", Path: "c.k", Type: "string"}},
		},
		{
			name: "a required choice of forms: what every option requires",
			doc:  form("f", `[{"name": "c", "required": true, "options": [{"label": "x", "value": {"form": {"value": [{"name": "k", "required": true}, {"name": "only", "required": true}]}}}, {"label": "y", "value": {"form": {"value": [{"name": "k", "value": "fixed", "mutable": false}]}}}]}]`),
			want: []input{
				{Name: "c.k", Path: "c.k", Type: "string", Required: true}, // x takes any k
				{Name: "c.only", Path: "c.only", Type: "string"},
			},
		},
		{
			name: "scalar options of every type",
			doc:  form("f", `[{"name": "n", "type": "integer", "options": [{"label": "one", "value": 1}, {"label": "yes", "value": true}, {"label": "s", "value": "s"}, {"label": "none", "value": null}, {"label": "dup", "value": "s"}]}]`),
			want: []input{{Name: "n", Path: "n", Type: "integer", Options: []authenticator.Choice{{Label: "one", Value: "1"}, {Label: "yes", Value: "true"}, {Label: "s", Value: "s"}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := parseDoc(t, tt.doc)
			if diff := cmp.Diff(tt.want, view(remediate.Inputs(r, r.Remediations[0])), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Inputs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInputsCredentialAlias(t *testing.T) {
	t.Parallel()
	doc := func(formName, formRel, key string) string {
		return `{"stateHandle":"h",
		  "currentAuthenticator": {"value": {"id": "cur", "key": "` + key + `"}},
		  "authenticators": {"value": [{"id": "a0", "key": "google_otp"}]},
		  "remediation": {"value": [{"name": "` + formName + `", "relatesTo": ` + formRel + `,
		    "value": [{"name": "credentials", "form": {"value": [{"name": "passcode"}]}}]}]}}`
	}
	tests := []struct {
		name, form, rel, key, want string
	}{
		{"email challenge", "challenge-authenticator", `["$.currentAuthenticator"]`, "okta_email", "verificationCode"},
		{"password challenge", "challenge-authenticator", `["$.currentAuthenticator"]`, "okta_password", "password"},
		{"security question on passcode", "challenge-authenticator", `["$.currentAuthenticator"]`, "security_question", "answer"},
		{"current authenticator without relatesTo", "enroll-authenticator", `null`, "okta_password", "password"},
		{"relatesTo wins over current", "enroll-authenticator", `"$.authenticators.value[0]"`, "okta_password", "verificationCode"},
		{"unknown key: a code", "challenge-authenticator", `null`, "acme_token", "verificationCode"},
		{"identify", "identify", `null`, "okta_email", "password"},
		{"unknown form without an authenticator: raw path", "device-challenge", `null`, "okta_email", "credentials.passcode"},
		{"unknown form with an authenticator", "device-challenge", `"$.authenticators.value[0]"`, "okta_email", "verificationCode"},
		{"reenroll", "reenroll-authenticator", `null`, "okta_password", "newPassword"},
		{"reset of the password", "reset-authenticator", `null`, "okta_password", "newPassword"},
		{"reset of another authenticator", "reset-authenticator", `null`, "google_otp", "verificationCode"},
		{"reenroll of another authenticator", "reenroll-authenticator", `null`, "phone_number", "verificationCode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := parseDoc(t, doc(tt.form, tt.rel, tt.key))
			ins := remediate.Inputs(r, r.Remediations[0])
			if len(ins) != 1 || ins[0].Name != tt.want || ins[0].Path() != "credentials.passcode" {
				t.Errorf("Inputs = %+v, want one %q", view(ins), tt.want)
			}
		})
	}
}

func TestInputsAuthenticatorOptions(t *testing.T) {
	t.Parallel()
	r := parseDoc(t, `{"stateHandle":"h",
	  "authenticators": {"value": [{"id": "a0", "key": "okta_email"}, {"id": "a1"}]},
	  "remediation": {"value": [{"name": "select-authenticator-enroll", "value": [{"name": "authenticator", "type": "object", "options": [
	    {"label": "Email", "value": {"form": {"value": [{"name": "id", "value": "a0", "mutable": false}]}}, "relatesTo": "$.authenticators.value[0]"},
	    {"label": "Dangling", "value": {"form": {"value": [{"name": "id", "value": "zz", "mutable": false}]}}, "relatesTo": "$.authenticators.value[9]"},
	    {"label": "No key", "value": {"form": {"value": [{"name": "id", "value": "a1", "mutable": false}]}}, "relatesTo": "$.authenticators.value[1]"},
	    {"label": "Email again", "value": {"form": {"value": [{"name": "id", "value": "a0", "mutable": false}]}}, "relatesTo": "$.authenticators.value[0]"}
	  ]}]}]}}`)
	want := []input{{Name: "authenticator", Path: "authenticator", Type: "authenticator", Options: []authenticator.Choice{{Label: "Email", Value: "okta_email"}}}}
	if diff := cmp.Diff(want, view(remediate.Inputs(r, r.Remediations[0]))); diff != "" {
		t.Errorf("Inputs (-want +got):\n%s", diff)
	}
}

func TestStepAuthenticator(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture, form, wantKey string
	}{
		{"challenge-authenticator-email.json", "challenge-authenticator", "okta_email"},
		{"challenge-authenticator-email.json", "select-authenticator-authenticate", ""},
		{"authenticator-verification-data-phone.json", "authenticator-verification-data", "phone_number"},
		{"enroll-authenticator-security-question.json", "enroll-authenticator", "security_question"},
		{"identify-with-password.json", "identify", ""},
		{"unknown-remediation.json", "attest-device-posture", ""},
	}
	for _, tt := range tests {
		t.Run(tt.fixture+"/"+tt.form, func(t *testing.T) {
			t.Parallel()
			r := parseFixture(t, tt.fixture)
			a := remediate.StepAuthenticator(r, r.Remediation(tt.form))
			got := ""
			if a != nil {
				got = a.Key
			}
			if got != tt.wantKey {
				t.Errorf("StepAuthenticator = %q, want %q", got, tt.wantKey)
			}
		})
	}
}

// jsonOf gives the JSON meaning of v.
func jsonOf(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
