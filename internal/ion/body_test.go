package ion_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/ion"
)

func isFieldError(err error) bool {
	var fe *ion.FieldError
	return errors.As(err, &fe)
}

type namedMap map[string]any

func TestFormBody(t *testing.T) {
	t.Parallel()
	const (
		idHandle  = "02idWp.stateHandle-identify-Q7xk"
		unkHandle = "02unk.stateHandle-U2u"
	)
	tests := []struct {
		name    string
		fixture string
		form    string // remediation name; "cancel" and "success" for those forms
		values  map[string]any
		want    any    // JSON meaning of the body
		wantErr string // "field: reason" of the *FieldError
	}{
		{
			name: "identify with password", fixture: "identify-with-password.json", form: "identify",
			values: map[string]any{"identifier": "jane.doe@example.com", "credentials": map[string]any{"passcode": "pw"}, "rememberMe": true},
			want: map[string]any{
				"identifier": "jane.doe@example.com", "credentials": map[string]any{"passcode": "pw"},
				"rememberMe": true, "stateHandle": idHandle,
			},
		},
		{
			name: "immutable value wins over the caller's", fixture: "identify-with-password.json", form: "identify",
			values: map[string]any{"identifier": "j", "credentials": map[string]any{"passcode": "pw"}, "stateHandle": "forged"},
			want:   map[string]any{"identifier": "j", "credentials": map[string]any{"passcode": "pw"}, "stateHandle": idHandle},
		},
		{
			name: "required field missing", fixture: "identify-with-password.json", form: "identify",
			values:  map[string]any{"credentials": map[string]any{"passcode": "pw"}},
			wantErr: "identifier: required",
		},
		{
			name: "required field empty", fixture: "identify-with-password.json", form: "identify",
			values:  map[string]any{"identifier": "", "credentials": map[string]any{"passcode": "pw"}},
			wantErr: "identifier: required",
		},
		{
			name: "required field nil", fixture: "identify-with-password.json", form: "identify",
			values:  map[string]any{"identifier": nil, "credentials": map[string]any{"passcode": "pw"}},
			wantErr: "identifier: required",
		},
		{
			name: "required object missing", fixture: "identify-with-password.json", form: "identify",
			values:  map[string]any{"identifier": "j"},
			wantErr: "credentials: required",
		},
		{
			name: "object field given a scalar", fixture: "identify-with-password.json", form: "identify",
			values:  map[string]any{"identifier": "j", "credentials": "pw"},
			wantErr: "credentials: needs an object",
		},
		{
			name: "scalar field given an object", fixture: "identify-with-password.json", form: "identify",
			values:  map[string]any{"identifier": map[string]any{"a": "b"}, "credentials": map[string]any{"passcode": "pw"}},
			wantErr: "identifier: needs a scalar",
		},
		{
			name: "unknown field", fixture: "identify-with-password.json", form: "identify",
			values:  map[string]any{"identifier": "j", "credentials": map[string]any{"passcode": "pw"}, "password": "pw"},
			wantErr: "password: not in the form",
		},
		{
			name: "unknown nested field", fixture: "identify-with-password.json", form: "identify",
			values:  map[string]any{"identifier": "j", "credentials": map[string]any{"passcode": "pw", "otp": "1"}},
			wantErr: "credentials.otp: not in the form",
		},
		{
			name: "named map type for an object", fixture: "identify-with-password.json", form: "identify",
			values: map[string]any{"identifier": "j", "credentials": namedMap{"passcode": "pw"}},
			want:   map[string]any{"identifier": "j", "credentials": map[string]any{"passcode": "pw"}, "stateHandle": idHandle},
		},
		{
			name: "only the stateHandle", fixture: "identify-with-password.json", form: "cancel",
			want: map[string]any{"stateHandle": idHandle},
		},
		{
			name: "success form: defaults and the caller's code_verifier", fixture: "success-with-interaction-code.json", form: "success",
			values: map[string]any{"code_verifier": "v3r1f13r"},
			want: map[string]any{
				"grant_type": "interaction_code", "interaction_code": "ic-Example-7aQ2_wXyZ",
				"client_id": "0oaExampleApp0001", "code_verifier": "v3r1f13r",
			},
		},
		{
			name: "success form: code_verifier required", fixture: "success-with-interaction-code.json", form: "success",
			wantErr: "code_verifier: required",
		},
		{
			name: "defaults of nested and top-level fields", fixture: "unknown-remediation.json", form: "attest-device-posture",
			values: map[string]any{"device": map[string]any{"displayName": "laptop"}, "consent": true},
			want: map[string]any{
				"device":  map[string]any{"displayName": "laptop", "nonce": "n-0123456789"},
				"retries": float64(3), "consent": true, "tenant": "t-42", "stateHandle": unkHandle,
			},
		},
		{
			name: "caller value over a mutable default", fixture: "unknown-remediation.json", form: "attest-device-posture",
			values: map[string]any{"device": map[string]any{"displayName": "laptop", "platform": "LINUX", "nonce": "mine"}, "consent": false, "retries": 1},
			want: map[string]any{
				"device":  map[string]any{"displayName": "laptop", "platform": "LINUX", "nonce": "mine"},
				"retries": float64(1), "consent": false, "tenant": "t-42", "stateHandle": unkHandle,
			},
		},
		{
			name: "option outside the offered ones", fixture: "unknown-remediation.json", form: "attest-device-posture",
			values:  map[string]any{"device": map[string]any{"displayName": "laptop", "platform": "WINDOWS"}, "consent": true},
			wantErr: "device.platform: not one of the offered options",
		},
		{
			name: "required nested field missing", fixture: "unknown-remediation.json", form: "attest-device-posture",
			values:  map[string]any{"device": map[string]any{"platform": "LINUX"}, "consent": true},
			wantErr: "device.displayName: required",
		},
		{
			name: "required object with defaults but a required field missing", fixture: "unknown-remediation.json", form: "attest-device-posture",
			values:  map[string]any{"consent": true},
			wantErr: "device.displayName: required",
		},
		{
			name: "methodType option", fixture: "authenticator-verification-data-phone.json", form: "authenticator-verification-data",
			values: map[string]any{"authenticator": map[string]any{"methodType": "voice"}},
			want: map[string]any{
				"authenticator": map[string]any{"id": "autPhn00example03", "methodType": "voice", "enrollmentId": "paePhoneFirst0001"},
				"stateHandle":   "02vdPhone.stateHandle-T4m",
			},
		},
		{
			name: "methodType outside the options", fixture: "authenticator-verification-data-phone.json", form: "authenticator-verification-data",
			values:  map[string]any{"authenticator": map[string]any{"methodType": "fax"}},
			wantErr: "authenticator.methodType: not one of the offered options",
		},
		{
			name: "immutable nested value wins", fixture: "authenticator-verification-data-phone.json", form: "authenticator-verification-data",
			values: map[string]any{"authenticator": map[string]any{"methodType": "sms", "id": "other"}},
			want: map[string]any{
				"authenticator": map[string]any{"id": "autPhn00example03", "methodType": "sms", "enrollmentId": "paePhoneFirst0001"},
				"stateHandle":   "02vdPhone.stateHandle-T4m",
			},
		},
		{
			name: "object with defaults and a required option field, no values", fixture: "authenticator-verification-data-email.json", form: "authenticator-verification-data",
			wantErr: "authenticator.methodType: required",
		},
		{
			name: "option form value matched by its fixed values", fixture: "select-authenticator-authenticate.json", form: "select-authenticator-authenticate",
			values: map[string]any{"authenticator": map[string]any{"id": "autPhn00example03", "enrollmentId": "paePhoneSecond002", "methodType": "sms"}},
			want: map[string]any{
				"authenticator": map[string]any{"id": "autPhn00example03", "enrollmentId": "paePhoneSecond002", "methodType": "sms"},
				"stateHandle":   "02selAuth.stateHandle-R2d2",
			},
		},
		{
			name: "option form value with raw JSON fixed values", fixture: "select-authenticator-authenticate.json", form: "select-authenticator-authenticate",
			values: map[string]any{"authenticator": map[string]any{"id": json.RawMessage(`"autEml00example02"`), "methodType": json.RawMessage(` "email" `)}},
			want: map[string]any{
				"authenticator": map[string]any{"id": "autEml00example02", "methodType": "email"},
				"stateHandle":   "02selAuth.stateHandle-R2d2",
			},
		},
		{
			name: "option form value matching no option", fixture: "select-authenticator-authenticate.json", form: "select-authenticator-authenticate",
			values:  map[string]any{"authenticator": map[string]any{"id": "autNotOffered"}},
			wantErr: "authenticator: not one of the offered options",
		},
		{
			name: "option form value missing a fixed value", fixture: "select-authenticator-authenticate.json", form: "select-authenticator-authenticate",
			values:  map[string]any{"authenticator": map[string]any{"methodType": "sms"}},
			wantErr: "authenticator: not one of the offered options",
		},
		{
			name: "option form value with a bad mutable value", fixture: "select-authenticator-authenticate.json", form: "select-authenticator-authenticate",
			values:  map[string]any{"authenticator": map[string]any{"id": "autPhn00example03", "enrollmentId": "paePhoneFirst0001", "methodType": "fax"}},
			wantErr: "authenticator: not one of the offered options",
		},
		{
			name: "scalar for a field of option forms", fixture: "select-authenticator-authenticate.json", form: "select-authenticator-authenticate",
			values:  map[string]any{"authenticator": "okta_email"},
			wantErr: "authenticator: not one of the offered options",
		},
		{
			name: "security question enrollment: first option", fixture: "enroll-authenticator-security-question.json", form: "enroll-authenticator",
			values: map[string]any{"credentials": map[string]any{"questionKey": "first_pet", "answer": "Rex"}},
			want: map[string]any{
				"credentials": map[string]any{"questionKey": "first_pet", "answer": "Rex"},
				"stateHandle": "02enrSq.stateHandle-Q4q",
			},
		},
		{
			name: "security question enrollment: custom question", fixture: "enroll-authenticator-security-question.json", form: "enroll-authenticator",
			values: map[string]any{"credentials": map[string]any{"questionKey": "custom", "question": "Best tea?", "answer": "Oolong"}},
			want: map[string]any{
				"credentials": map[string]any{"questionKey": "custom", "question": "Best tea?", "answer": "Oolong"},
				"stateHandle": "02enrSq.stateHandle-Q4q",
			},
		},
		{
			name: "security question enrollment: custom without its question", fixture: "enroll-authenticator-security-question.json", form: "enroll-authenticator",
			values:  map[string]any{"credentials": map[string]any{"questionKey": "custom", "answer": "Oolong"}},
			wantErr: "credentials: not one of the offered options",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := parseFixture(t, tt.fixture)
			var f *ion.Form
			switch tt.form {
			case "cancel":
				f = r.Cancel
			case "success":
				f = r.Success
			default:
				f = r.Remediation(tt.form)
			}
			if f == nil {
				t.Fatalf("no form %q", tt.form)
			}
			before := jsonOf(t, tt.values)
			body, err := f.Body(tt.values)
			if diff := cmp.Diff(before, jsonOf(t, tt.values)); diff != "" {
				t.Errorf("Body modified its values (-before +after):\n%s", diff)
			}
			if tt.wantErr != "" {
				var fe *ion.FieldError
				if !errors.As(err, &fe) {
					t.Fatalf("Body error = %v, want *FieldError %q", err, tt.wantErr)
				}
				if !errors.Is(err, ion.ErrInvalidValues) {
					t.Errorf("error %v does not wrap ErrInvalidValues", err)
				}
				if got := fe.Field + ": " + fe.Reason; got != tt.wantErr {
					t.Errorf("FieldError = %q, want %q", got, tt.wantErr)
				}
				if fe.Form != f.Name {
					t.Errorf("FieldError.Form = %q, want %q", fe.Form, f.Name)
				}
				if body != nil {
					t.Errorf("body %v returned with an error", body)
				}
				return
			}
			if err != nil {
				t.Fatalf("Body: %v", err)
			}
			if diff := cmp.Diff(tt.want, jsonOf(t, body)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormBodyShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fields  string
		values  map[string]any
		want    any
		wantErr string
	}{
		{
			name:   "immutable field without a value takes no caller value",
			fields: `[{"name": "locked", "mutable": false, "required": true}, {"name": "x"}]`,
			values: map[string]any{"locked": "mine", "x": "1"},
			want:   map[string]any{"x": "1"},
		},
		{
			name:   "repeated field name: the first counts",
			fields: `[{"name": "a", "value": "first", "mutable": false}, {"name": "a", "required": true}]`,
			want:   map[string]any{"a": "first"},
		},
		{
			name:   "numeric option chosen by its string form is sent as a number",
			fields: `[{"name": "n", "options": [{"label": "one", "value": 1}, {"label": "two", "value": 2}]}]`,
			values: map[string]any{"n": "2"},
			want:   map[string]any{"n": float64(2)},
		},
		{
			name:   "numeric option chosen by number",
			fields: `[{"name": "n", "options": [{"label": "one", "value": 1}, {"label": "two", "value": 2}]}]`,
			values: map[string]any{"n": 1},
			want:   map[string]any{"n": float64(1)},
		},
		{
			name:    "numeric option outside",
			fields:  `[{"name": "n", "options": [{"label": "one", "value": 1}]}]`,
			values:  map[string]any{"n": 3},
			wantErr: "n: not one of the offered options",
		},
		{
			name:   "boolean option by string",
			fields: `[{"name": "b", "options": [{"label": "yes", "value": true}]}]`,
			values: map[string]any{"b": "true"},
			want:   map[string]any{"b": true},
		},
		{
			name:   "object default sent when no value is given",
			fields: `[{"name": "o", "form": {"value": [{"name": "k", "value": "d"}, {"name": "free"}]}}]`,
			want:   map[string]any{"o": map[string]any{"k": "d"}},
		},
		{
			name:   "optional object without defaults left out",
			fields: `[{"name": "o", "form": {"value": [{"name": "free"}]}}]`,
			want:   map[string]any{},
		},
		{
			name:   "deep nesting",
			fields: `[{"name": "a", "form": {"value": [{"name": "b", "form": {"value": [{"name": "c", "required": true}]}}]}}]`,
			values: map[string]any{"a": map[string]any{"b": map[string]any{"c": "deep"}}},
			want:   map[string]any{"a": map[string]any{"b": map[string]any{"c": "deep"}}},
		},
		{
			name:    "deep nesting, required leaf missing",
			fields:  `[{"name": "a", "form": {"value": [{"name": "b", "form": {"value": [{"name": "c", "required": true}]}}]}}]`,
			values:  map[string]any{"a": map[string]any{"b": map[string]any{}}},
			wantErr: "a.b.c: required",
		},
		{
			name:   "a server default is sent as given, even outside the options",
			fields: `[{"name": "m", "value": "x", "options": [{"label": "a", "value": "a"}]}]`,
			want:   map[string]any{"m": "x"},
		},
		{
			name:    "a caller value is checked against the options",
			fields:  `[{"name": "m", "value": "x", "options": [{"label": "a", "value": "a"}]}]`,
			values:  map[string]any{"m": "x"},
			wantErr: "m: not one of the offered options",
		},
		{
			name:   "optional empty string kept",
			fields: `[{"name": "s"}]`,
			values: map[string]any{"s": ""},
			want:   map[string]any{"s": ""},
		},
		{
			name:   "non-string required value accepted",
			fields: `[{"name": "n", "required": true}]`,
			values: map[string]any{"n": 0},
			want:   map[string]any{"n": float64(0)},
		},
		// Profile attributes as real forms type them: each takes its
		// natural Go value, and a wrong type is refused naming the field.
		{
			name:   "boolean with a checkbox hint takes true",
			fields: `[{"name": "up", "form": {"value": [{"name": "news", "type": "boolean", "label": "News", "required": false, "options": [{"label": "display", "value": {"type": "object", "value": {"inputType": "checkbox"}}}]}]}}]`,
			values: map[string]any{"up": map[string]any{"news": true}},
			want:   map[string]any{"up": map[string]any{"news": true}},
		},
		{
			name:   "boolean takes false, and its text",
			fields: `[{"name": "a", "type": "boolean"}, {"name": "b", "type": "boolean"}]`,
			values: map[string]any{"a": false, "b": "true"},
			want:   map[string]any{"a": false, "b": true},
		},
		{
			name:    "boolean refuses anything else",
			fields:  `[{"name": "a", "type": "boolean", "options": [{"label": "display", "value": {"type": "object", "value": {"inputType": "checkbox"}}}]}]`,
			values:  map[string]any{"a": "yes"},
			wantErr: "a: needs a boolean",
		},
		{
			name:   "boolean radio: its choices, sent as booleans",
			fields: `[{"name": "pet", "type": "boolean", "options": [{"label": "display", "value": {"type": "object", "value": {"inputType": "radio", "options": [{"label": "Yes", "value": "true"}, {"label": "No", "value": "false"}]}}}]}, {"name": "cat", "type": "boolean", "options": [{"label": "display", "value": {"type": "object", "value": {"inputType": "radio", "options": [{"label": "Yes", "value": "true"}, {"label": "No", "value": "false"}]}}}]}]`,
			values: map[string]any{"pet": true, "cat": "false"},
			want:   map[string]any{"pet": true, "cat": false},
		},
		{
			name:   "string select: one of the hint's options",
			fields: `[{"name": "colour", "type": "string", "options": [{"label": "display", "value": {"type": "object", "value": {"inputType": "select", "options": [{"label": "Red", "value": "red"}, {"label": "Blue", "value": "blue"}]}}}]}]`,
			values: map[string]any{"colour": "blue"},
			want:   map[string]any{"colour": "blue"},
		},
		{
			name:    "string select refuses another value",
			fields:  `[{"name": "colour", "type": "string", "options": [{"label": "display", "value": {"type": "object", "value": {"inputType": "select", "options": [{"label": "Red", "value": "red"}]}}}]}]`,
			values:  map[string]any{"colour": "purple"},
			wantErr: "colour: not one of the offered options",
		},
		{
			name:   "string with a format hint takes any string",
			fields: `[{"name": "country", "type": "string", "options": [{"label": "display", "value": {"type": "object", "value": {"format": "country-code", "inputType": "select"}}}]}]`,
			values: map[string]any{"country": "FR"},
			want:   map[string]any{"country": "FR"},
		},
		{
			name:    "string refuses a number",
			fields:  `[{"name": "s", "type": "string"}]`,
			values:  map[string]any{"s": 42},
			wantErr: "s: needs a string",
		},
		{
			name:   "named string types are strings",
			fields: `[{"name": "s", "type": "string"}]`,
			values: map[string]any{"s": json.Number("not checked as a number")},
			want:   map[string]any{"s": "not checked as a number"},
		},
		{
			name:   "numbers: Go numbers, json.Number and text",
			fields: `[{"name": "i", "type": "integer"}, {"name": "u", "type": "integer"}, {"name": "f", "type": "number"}, {"name": "j", "type": "number"}, {"name": "t", "type": "integer"}]`,
			values: map[string]any{"i": int64(-3), "u": uint8(7), "f": 2.5, "j": json.Number("1e3"), "t": " 12 "},
			want:   map[string]any{"i": float64(-3), "u": float64(7), "f": 2.5, "j": float64(1000), "t": float64(12)},
		},
		{
			name:    "integer refuses a fraction",
			fields:  `[{"name": "i", "type": "integer"}]`,
			values:  map[string]any{"i": 2.5},
			wantErr: "i: needs a whole number",
		},
		{
			name:    "number refuses text that is not one",
			fields:  `[{"name": "n", "type": "number"}]`,
			values:  map[string]any{"n": "twelve"},
			wantErr: "n: needs a number",
		},
		{
			name:   "array takes a slice",
			fields: `[{"name": "tags", "type": "array"}]`,
			values: map[string]any{"tags": []string{"a", "b"}},
			want:   map[string]any{"tags": []any{"a", "b"}},
		},
		{
			name:    "array refuses a string",
			fields:  `[{"name": "tags", "type": "array"}]`,
			values:  map[string]any{"tags": "a,b"},
			wantErr: "tags: needs a list",
		},
		{
			name:   "raw JSON caller value passes through",
			fields: `[{"name": "j"}]`,
			values: map[string]any{"j": json.RawMessage(`{"x":[1,2]}`)},
			want:   map[string]any{"j": map[string]any{"x": []any{float64(1), float64(2)}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := ion.Parse([]byte(`{"remediation":{"value":[{"name":"f","value":` + tt.fields + `}]}}`))
			if err != nil {
				t.Fatal(err)
			}
			body, err := r.Remediations[0].Body(tt.values)
			if tt.wantErr != "" {
				var fe *ion.FieldError
				if !errors.As(err, &fe) || fe.Field+": "+fe.Reason != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, jsonOf(t, body)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOptionValue(t *testing.T) {
	t.Parallel()
	r := parseFixture(t, "select-authenticator-authenticate.json")
	opts := r.Remediation("select-authenticator-authenticate").Field("authenticator").Options
	tests := []struct {
		name    string
		opt     *ion.Option
		extra   map[string]any
		want    any
		wantErr string
	}{
		{"fixed values only", opts[1], nil, map[string]any{"id": "autEml00example02", "methodType": "email"}, ""},
		{"fixed values win", opts[1], map[string]any{"methodType": "sms"}, map[string]any{"id": "autEml00example02", "methodType": "email"}, ""},
		{"method chosen", opts[2], map[string]any{"methodType": "voice"},
			map[string]any{"id": "autPhn00example03", "methodType": "voice", "enrollmentId": "paePhoneFirst0001"}, ""},
		{"method left out", opts[3], nil, map[string]any{"id": "autPhn00example03", "enrollmentId": "paePhoneSecond002"}, ""},
		{"method not offered", opts[2], map[string]any{"methodType": "fax"}, nil, "authenticator.methodType: not one of the offered options"},
		{"field not in the option", opts[4], map[string]any{"phoneNumber": "+1"}, nil, "authenticator.phoneNumber: not in the form"},
		{"scalar option", &ion.Option{Label: "x", Value: raw(`"x"`)}, nil, nil, "authenticator: option has no form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ion.OptionValue("select-authenticator-authenticate", "authenticator", tt.opt, tt.extra)
			if tt.wantErr != "" {
				var fe *ion.FieldError
				if !errors.As(err, &fe) || fe.Field+": "+fe.Reason != tt.wantErr || !errors.Is(err, ion.ErrInvalidValues) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, jsonOf(t, got)); diff != "" {
				t.Errorf("OptionValue (-want +got):\n%s", diff)
			}
			// The built value is accepted by Body as the field's value.
			body, err := r.Remediation("select-authenticator-authenticate").Body(map[string]any{"authenticator": got})
			if err != nil {
				t.Fatalf("Body with the option value: %v", err)
			}
			if diff := cmp.Diff(tt.want, jsonOf(t, body["authenticator"])); diff != "" {
				t.Errorf("Body authenticator (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFieldErrorHasNoValue checks that errors about values name fields but
// never quote the values, which may be secrets.
func TestFieldErrorHasNoValue(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-SECRET"
	r := parseFixture(t, "identify-with-password.json")
	f := r.Remediation("identify")
	for _, values := range []map[string]any{
		{"identifier": secret},                      // credentials missing
		{secret: "x"},                               // a secret-looking name is a field name, though
		{"identifier": "j", "credentials": secret},  // scalar for object
		{"identifier": map[string]any{"p": secret}}, // object for scalar
		{"identifier": "j", "credentials": map[string]any{"passcode": secret, "x": secret}},
	} {
		_, err := f.Body(values)
		if err == nil {
			t.Fatalf("Body(%v): no error", values)
		}
		if _, isName := values[secret]; !isName && strings.Contains(err.Error(), secret) {
			t.Errorf("error %q quotes a value", err)
		}
	}
	e := &ion.FieldError{Form: "identify", Field: "credentials.passcode", Reason: "required"}
	if got, want := e.Error(), `form "identify" field "credentials.passcode": required`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestBodyJSONEscaping(t *testing.T) {
	t.Parallel()
	passwords := []string{
		`pa"ss\word`,
		"line1\nline2\r\n\ttab",
		`</script><script>alert(1)</script>`,
		"ünïcödé – 密码 – 🔑",
		"\u2028\u2029 separators",
		"nul\x00byte and \x1f control",
		`{"passcode":"injected"}`,
		`\u0022 not an escape`,
		"<>&'",
	}
	r := parseFixture(t, "identify-with-password.json")
	f := r.Remediation("identify")
	for _, pw := range passwords {
		t.Run(pw, func(t *testing.T) {
			t.Parallel()
			body, err := f.Body(map[string]any{"identifier": pw, "credentials": map[string]any{"passcode": pw}})
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "</script>") {
				t.Errorf("marshalled body contains a raw </script>: %s", b)
			}
			var back struct {
				Identifier  string `json:"identifier"`
				Credentials struct {
					Passcode string `json:"passcode"`
				} `json:"credentials"`
				StateHandle string `json:"stateHandle"`
			}
			dec := json.NewDecoder(strings.NewReader(string(b)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&back); err != nil {
				t.Fatalf("decoding %s: %v", b, err)
			}
			if back.Credentials.Passcode != pw || back.Identifier != pw {
				t.Errorf("round trip: got %q / %q, want %q", back.Identifier, back.Credentials.Passcode, pw)
			}
			if back.StateHandle != "02idWp.stateHandle-identify-Q7xk" {
				t.Errorf("stateHandle = %q", back.StateHandle)
			}
		})
	}
}

// Goal: a display hint is read, and is not a value the field can take.
func TestFieldDisplay(t *testing.T) {
	t.Parallel()
	r, err := ion.Parse([]byte(`{"remediation":{"value":[{"name":"f","value":[
	  {"name": "a", "type": "boolean", "options": [{"label": "display", "value": {"type": "object", "value": {"inputType": "checkbox"}}}]},
	  {"name": "b", "type": "string", "options": [{"label": "display", "value": {"type": "object", "value": {"inputType": "radio", "format": "x",
	    "options": [{"label": "One", "value": "1"}, {"label": "Two", "value": 2}, {"label": "Bad", "value": {"x": 1}}]}}}]},
	  {"name": "c", "options": [{"label": "S", "value": "s"}, {"label": "display", "value": {"type": "object", "value": {"inputType": "select"}}}]},
	  {"name": "d", "options": [{"label": "display", "value": {"type": "object", "value": "not an object"}}]}
	]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	f := r.Remediations[0]
	type view struct {
		InputType, Format string
		Choices           []string
	}
	get := func(name string) view {
		fd := f.Field(name)
		var v view
		if d := fd.Display(); d != nil {
			v.InputType, v.Format = d.InputType, d.Format
		}
		for _, o := range fd.Choices() {
			s, _ := o.StringValue()
			v.Choices = append(v.Choices, o.Label+"="+s)
		}
		return v
	}
	for name, want := range map[string]view{
		"a": {InputType: "checkbox"},
		"b": {InputType: "radio", Format: "x", Choices: []string{"One=1", "Two=2"}},
		"c": {InputType: "select", Choices: []string{"S=s"}},
		"d": {},
	} {
		if diff := cmp.Diff(want, get(name)); diff != "" {
			t.Errorf("field %s (-want +got):\n%s", name, diff)
		}
	}
}
