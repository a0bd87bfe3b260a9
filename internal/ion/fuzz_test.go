package ion_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/goidx/goidx/internal/ion"
)

// malformedSeeds are broken documents for the fuzzers to start from.
var malformedSeeds = []string{
	``,
	`{`,
	`}`,
	`null`,
	`[]`,
	`{"stateHandle": 1}`,
	`{"remediation": []}`,
	`{"remediation": {"value": [{}]}}`,
	`{"remediation": {"value": [{"name": "f", "value": [{}]}]}}`,
	`{"remediation": {"value": [{"name": "f", "value": [{"name": "a", "form": {"value": [{"name": "b", "form": {"value": [{"name": "c", "form": {"value": [{"name": "d", "form": {"value": [{"name": "e", "form": {"value": [{"name": "f", "form": {"value": [{"name": "g", "form": {"value": [{"name": "h", "form": {"value": [{"name": "i", "form": {"value": [{"name": "j"}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}]}}`,
	`{"remediation": {"value": [{"name": "f", "relatesTo": "$.authenticators.value[-1]", "refresh": 1e308, "value": [{"name": "a", "options": [{"value": {"form": {"value": [{"name": "x", "mutable": false}]}}, "relatesTo": ["$.currentAuthenticator"]}]}]}]}}`,
	`{"expiresAt": "not a time"}`,
	`{"messages": {"value": [{"class": "ERROR", "i18n": {"key": "k", "params": [1, "a", null, {}]}}]}}`,
	`{"currentAuthenticatorEnrollment": {"value": {"resend": {"name": "resend", "value": [{"name": "stateHandle", "value": "h", "mutable": false}]}}}}`,
	"{\"intent\": \"\xff\"}",
}

// trickySeeds probe the corners of JSON and of encoding/json's rules:
// member names matched regardless of case, duplicate members, escapes,
// invalid UTF-8, numbers out of range, the nesting limit, and values of
// every type where the wire expects another.
var trickySeeds = []string{
	`{}`,
	` {"stateHandle":"h"} `,
	`{"STATEHANDLE":"upper","Version":"v","expiresat":"x"}`,
	`{"stateHandle":"a","stateHandle":"b","stateHandle":null}`,
	"{\"\u212aey\":1,\"version\":\"\\u0031.0\"}",
	`{"st\u0061teHandle":"escaped name"}`,
	`{"remediation":{"value":[{"name":"a","href":"h","rel":["x","y"]}]},"remediation":{"value":[{"name":"b","rel":["z"]}]}}`,
	`{"remediation":{"value":[{"name":"a"},{"name":"b"},{"name":"c"}]},"remediation":{"value":[{"name":"d"}]},"remediation":{"value":[{"label":"x"},{}]}}`,
	`{"remediation":{"value":[]},"messages":{"value":null},"cancel":null}`,
	`{"remediation":{"value":[{"name":"f","refresh":4000,"relatesTo":null,"value":[{"name":"a","required":null,"mutable":null,"visible":false,"value":null}]}]}}`,
	`{"remediation":{"value":[{"name":"f","refresh":-1.5e-3,"value":[{"name":"a","mutable":true,"mutable":false,"visible":true}]}]}}`,
	`{"remediation":{"value":[{"name":"f","refresh":1e400}]}}`,
	`{"remediation":{"value":[{"name":"f","rel":[null,"a",null]}]}}`,
	`{"remediation":{"value":[{"name":"redirect-idp","type":"GOOGLE","idp":{"id":"i","name":"n","id":null},"idp":{"name":"m"},"method":"GET"},{"name":"g","type":null,"idp":null}]}}`,
	`{"remediation":{"value":[{"name":"f","idp":[1]}]}}`,
	`{"remediation":{"value":[{"name":"f","type":1}]}}`,
	`{"remediation":{"value":[{"name":"f","value":[{"name":"authenticator","value":{"form":{"value":[{"name":"channel","options":[{"value":"qrcode"}]}]}}}]}]}}`,
	`{"remediation":{"value":[{"name":"f","rel":[1]}]}}`,
	`{"remediation":{"value":[{"name":"f","value":[{"name":"a","form":{"value":[{"name":"b"}]},"form":{"other":1}}]}]}}`,
	`{"remediation":{"value":[{"name":"f","value":[{"name":"a","options":[{"label":"l","value":{"form":{"value":[{"name":"id","value":"x","mutable":false}]}},"relatesTo":"$.authenticators.value[0]"},{"value":"plain"},{"value":null},{"value":[1,{"a":null}]}]}]}]}}`,
	`{"messages":{"value":[{"message":"m","class":"ERROR","i18n":{"key":"k","params":[1,"a",null,{"x":[true]}]}},{"i18n":null},{"i18n":{"params":null}}]}}`,
	`{"messages":{"value":[{"i18n":{"key":"k","params":[1e400]}}]}}`,
	`{"authenticatorEnrollments":{"value":[{"id":"e","profile":{"email":"d***o@example.com","n":1},"profile":{"phone":"x"},"methods":[{"type":"email"},{"methodType":"sms"},null]}]}}`,
	`{"currentAuthenticatorEnrollment":{"value":{"id":"x","resend":{"name":"resend","value":[]},"poll":null,"contextualData":{"qrcode":{"href":"data:"}}}}}`,
	`{"currentAuthenticator":{"value":null},"currentAuthenticator":{"value":{"key":"k"}}}`,
	`{"user":{"type":"object","value":{"id":"u"}},"app":"x","user":[1]}`,
	"{\"intent\":\"\xff\xfe\",\"version\":\"a\\ud800b\\udc00c\\ud83d\\ude00\\u00e9\\n\\t\\/\\\\\\\"\"}",
	"{\"intent\":\"caf\xc3\xa9 \xe2\x80\xa8\"}",
	`{"stateHandle":5}`,
	`{"stateHandle":{"a":1}}`,
	`{"remediation":["x"]}`,
	`{"remediation":{"value":{"name":"x"}}}`,
	`{"remediation":{"value":["x"]}}`,
	`{"remediation":{"value":[{"name":"f","value":"x"}]}}`,
	`{"remediation":{"value":[{"name":"f","value":[{"name":"a","required":"yes"}]}]}}`,
	`{"remediation":{"value":[{"name":"f","value":[{"name":"a","options":{}}]}]}}`,
	`{"authenticatorEnrollments":{"value":[{"profile":[1]}]}}`,
	`{"authenticatorEnrollments":{"value":[{"methods":"x"}]}}`,
	`{"a":1,}`,
	`{"a":01}`,
	`{"a":-}`,
	`{"a":1.}`,
	`{"a":1e}`,
	`{"a":tru}`,
	`{"a":"\x01"}`,
	`{"a":"\q"}`,
	`{"a":"\u12"}`,
	`{"a" 1}`,
	`{"a":1} x`,
	`{"a":[1,]}`,
	`{"a":{"b":[{"c":null}]}}`,
	`{"stateHandle":"x"`,
	strings.Repeat(`{"a":`, 10001) + `1` + strings.Repeat(`}`, 10001),
	`{"a":` + strings.Repeat(`[`, 9999) + strings.Repeat(`]`, 9999) + `}`,
	`{"a":` + strings.Repeat(`[`, 10000) + strings.Repeat(`]`, 10000) + `}`,
}

// memberPath is a JSON path of the wire's members: member names and
// indices, never document values.
const memberPath = `[A-Za-z0-9]+(\[[0-9]+\])*(\.[A-Za-z0-9]+(\[[0-9]+\])*)*`

// parseErrorText is everything a Parse error may say: fixed phrases,
// offsets and the paths of the protocol's members, never document values.
var parseErrorText = regexp.MustCompile(`^malformed IDX response: (not a JSON object|invalid JSON at offset [0-9]+|invalid JSON|` +
	memberPath + `: (missing|not a string|not a list|not an object|forms nested too deeply))$`)

// noteText is everything a Note may say.
var noteText = regexp.MustCompile(`^` + memberPath + `: (not a string|not a boolean|a boolean written as a string|not a number|` +
	`a number out of range|not a list|not an object|not a reference or a list of references|not an RFC 3339 time|a value that cannot be read)$`)

func FuzzParse(f *testing.F) {
	for _, name := range append(fixtures, oddFixtures...) {
		f.Add(readFixture(f, name))
	}
	for _, s := range malformedSeeds {
		f.Add([]byte(s))
	}
	for _, s := range trickySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		r, err := ion.Parse(doc)
		if err != nil {
			if r != nil {
				t.Fatal("a response with an error")
			}
			if !errors.Is(err, ion.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if !parseErrorText.MatchString(err.Error()) {
				t.Fatalf("unexpected error text %q", err)
			}
			return
		}
		for _, n := range r.Notes {
			if !noteText.MatchString(n.Path + ": " + n.Problem) {
				t.Fatalf("unexpected note %q: %q", n.Path, n.Problem)
			}
		}
		msgs := r.AllMessages()
		errs := false
		for _, m := range msgs {
			errs = errs || m.Class == "ERROR"
		}
		if errs != r.HasErrors() {
			t.Fatalf("HasErrors = %v, messages say %v", r.HasErrors(), errs)
		}
		for _, f := range r.Remediations {
			body, err := f.Body(nil)
			checkBody(t, f, body, err)
		}
		exercise(r)
		if n := len(r.AllMessages()); n != 0 {
			t.Fatalf("%d messages after ClearMessages", n)
		}
	})
}

// checkBody checks what Body promises whatever the form: a *FieldError or
// a body that marshals, holds only the form's fields and every immutable
// value unchanged.
func checkBody(t *testing.T, f *ion.Form, body map[string]any, err error) {
	t.Helper()
	if err != nil {
		var fe *ion.FieldError
		if !errors.As(err, &fe) || !errors.Is(err, ion.ErrInvalidValues) || body != nil {
			t.Fatalf("Body error %T %v", err, err)
		}
		return
	}
	if _, err := json.Marshal(body); err != nil {
		t.Fatalf("body does not marshal: %v", err)
	}
	for k := range body {
		if f.Field(k) == nil {
			t.Fatalf("body has %q, not a field of the form", k)
		}
	}
	for _, fd := range f.Fields {
		if f.Field(fd.Name) != fd {
			continue // a repeated name
		}
		got, ok := body[fd.Name]
		switch {
		case !fd.Mutable && fd.Value != nil:
			if raw, isRaw := got.(json.RawMessage); !ok || !isRaw || string(raw) != string(fd.Value) {
				t.Fatalf("immutable %q sent as %v", fd.Name, got)
			}
		case !fd.Mutable:
			if ok {
				t.Fatalf("immutable %q without a value was sent", fd.Name)
			}
		}
	}
}

func FuzzBody(f *testing.F) {
	seeds := []struct {
		fixture string
		values  string
	}{
		{"identify-with-password.json", `{"identifier": "jane", "credentials": {"passcode": "p\"w\\</script>"}, "rememberMe": true, "stateHandle": "x"}`},
		{"identify-with-password.json", `{"credentials": "x"}`},
		{"select-authenticator-authenticate.json", `{"authenticator": {"id": "autPhn00example03", "enrollmentId": "paePhoneFirst0001", "methodType": "sms"}}`},
		{"select-authenticator-authenticate.json", `{"authenticator": {"id": "autEml00example02"}}`},
		{"authenticator-verification-data-phone.json", `{"authenticator": {"methodType": "voice", "id": 1}}`},
		{"enroll-authenticator-security-question.json", `{"credentials": {"questionKey": "custom", "question": "q", "answer": "a"}}`},
		{"unknown-remediation.json", `{"device": {"displayName": "d", "platform": "LINUX"}, "consent": true, "retries": 2, "tenant": "t"}`},
		{"success-with-interaction-code.json", `{"code_verifier": null}`},
	}
	for _, s := range seeds {
		f.Add(readFixture(f, s.fixture), []byte(s.values))
	}
	f.Add([]byte(`{"remediation":{"value":[{"name":"f","value":[{"name":"n","options":[{"value":1},{"value":"1"},{"value":{"form":{"value":[{"name":"id","value":"a","mutable":false}]}}}]},{"name":"a","mutable":false},{"name":"a","required":true}]}]}}`),
		[]byte(`{"n": "1", "a": 2}`))
	f.Fuzz(func(t *testing.T, doc, values []byte) {
		r, err := ion.Parse(doc)
		if err != nil {
			return
		}
		var v map[string]any
		if err := json.Unmarshal(values, &v); err != nil {
			return
		}
		forms := append([]*ion.Form(nil), r.Remediations...)
		if r.Success != nil {
			forms = append(forms, r.Success)
		}
		for _, f := range forms {
			before, _ := json.Marshal(v)
			body, err := f.Body(v)
			checkBody(t, f, body, err)
			if after, _ := json.Marshal(v); string(after) != string(before) {
				t.Fatalf("Body modified its values")
			}
		}
	})
}

// FuzzMessages puts fuzzed messages, top-level and on a field, into an
// otherwise valid IDX document. Parse must never panic; when it accepts the
// document, every message must come back with its class, i18n key, text
// and field as sent, HasErrors must agree with the classes, and
// ClearMessages must remove them all. A document that is valid JSON is
// always read: params that are not a JSON array are left out of the
// message (and noted), which keeps its class, key and text.
func FuzzMessages(f *testing.F) {
	for _, s := range [][5]string{
		{"ERROR", "errors.E0000004", "Authentication failed", `[]`, "INFO"},
		{"ERROR", "api.authn.error.PASSCODE_INVALID", "Invalid code. Try again.", `["a", 1, null, {"x": [true]}]`, "ERROR"},
		{"INFO", "idx.session.expired", "The session has expired.", `null`, "WARNING"},
		{"", "", "", ``, ""},
		{"ERROR", "k", "\u2028</script>\"\\", `{"not": "an array"}`, "error"},
		{"ERROR", "k", "t", `[`, "INFO"},
		{"\xff", "\x00", "\xed\xa0\x80", `[1e999]`, "INFO"},
	} {
		f.Add(s[0], s[1], s[2], []byte(s[3]), s[4])
	}
	f.Fuzz(func(t *testing.T, class, key, text string, params []byte, fieldClass string) {
		str := func(s string) string {
			b, _ := json.Marshal(s)
			return string(b)
		}
		i18n := `{"key":` + str(key) + `}`
		if len(params) > 0 {
			i18n = `{"key":` + str(key) + `,"params":` + string(params) + `}`
		}
		doc := `{"version":"1.0.0","stateHandle":"h","messages":{"type":"array","value":[` +
			`{"class":` + str(class) + `,"message":` + str(text) + `,"i18n":` + i18n + `}]},` +
			`"remediation":{"type":"array","value":[{"name":"f","href":"https://o.example/idp/idx/f","value":[` +
			`{"name":"x","messages":{"type":"array","value":[{"class":` + str(fieldClass) + `,"message":"m","i18n":{"key":"field.key"}}]}}]}]}}`
		r, err := ion.Parse([]byte(doc))
		if err != nil {
			if !errors.Is(err, ion.ErrMalformed) || !parseErrorText.MatchString(err.Error()) {
				t.Fatalf("error %q", err)
			}
			if json.Valid([]byte(doc)) {
				t.Fatalf("valid messages refused: %v", err)
			}
			return
		}
		// What JSON round-tripping makes of the strings (invalid UTF-8
		// becomes U+FFFD).
		back := func(s string) string {
			var out string
			_ = json.Unmarshal([]byte(str(s)), &out)
			return out
		}
		msgs := r.AllMessages()
		if len(msgs) != 2 {
			t.Fatalf("%d messages; want 2", len(msgs))
		}
		top, field := msgs[0], msgs[1]
		if top.Class != back(class) || top.Key != back(key) || top.Text != back(text) || top.Field != "" {
			t.Fatalf("top-level message %+v; want class %q key %q text %q", top, back(class), back(key), back(text))
		}
		if field.Class != back(fieldClass) || field.Key != "field.key" || field.Field != "x" {
			t.Fatalf("field message %+v", field)
		}
		if want := top.Class == "ERROR" || field.Class == "ERROR"; r.HasErrors() != want {
			t.Fatalf("HasErrors = %t; classes %q, %q", r.HasErrors(), top.Class, field.Class)
		}
		r.ClearMessages()
		if n := len(r.AllMessages()); n != 0 || r.HasErrors() {
			t.Fatalf("%d messages after ClearMessages", n)
		}
	})
}
