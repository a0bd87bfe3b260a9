package ion_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/goidx/goidx/internal/ion"
)

// Markers planted in hostile documents: no error may quote them.
const (
	secretHandle = "SECRET-STATE-HANDLE-7f3a"
	secretValue  = "SECRET-VALUE-c0ffee"
)

func TestParseHostile(t *testing.T) {
	t.Parallel()
	sh := `"stateHandle":"` + secretHandle + `"`
	tests := []struct {
		name    string
		doc     string
		wantErr bool
	}{
		{"empty", ``, true},
		{"whitespace", " \n\t ", true},
		{"null", `null`, true},
		{"array", `[{"stateHandle":"x"}]`, true},
		{"string", `"` + secretHandle + `"`, true},
		{"number", `42`, true},
		{"true", `true`, true},
		{"lone brace", `{`, true},
		{"truncated", `{` + sh + `,"remediation":{"value":[{"name":"identify","value":[{"name":"x","value":"` + secretValue, true},
		{"trailing garbage", `{` + sh + `} {"x":1}`, true},
		{"trailing secret", `{` + sh + `} "` + secretValue + `"`, true},
		{"byte order mark", "\ufeff{" + sh + "}", true},
		{"not JSON inside", `{` + sh + `, "remediation": ` + secretValue + `}`, true},
		{"stateHandle number", `{"stateHandle": 5, "version":"` + secretValue + `"}`, true},
		{"stateHandle object", `{"stateHandle": {"v":"` + secretValue + `"}}`, true},
		{"remediation array", `{` + sh + `, "remediation": ["` + secretValue + `"]}`, true},
		{"remediation value object", `{` + sh + `, "remediation": {"value": {"name":"` + secretValue + `"}}}`, true},
		{"form is a string", `{` + sh + `, "remediation": {"value": ["` + secretValue + `"]}}`, true},
		{"form without name", `{` + sh + `, "remediation": {"value": [{"href":"` + secretValue + `"}]}}`, true},
		{"field without name", `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"value":"` + secretValue + `"}]}]}}`, true},
		{"field name number", `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":7,"value":"` + secretValue + `"}]}]}}`, true},
		{"fields not an array", `{` + sh + `, "remediation": {"value": [{"name":"f","value":"` + secretValue + `"}]}}`, true},
		{"required not a bool", `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":"a","required":"` + secretValue + `"}]}]}}`, true},
		{"sub-form not an object", `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":"a","form":"` + secretValue + `"}]}]}}`, true},
		{"options not an array", `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":"a","options":{"value":"` + secretValue + `"}}]}]}}`, true},
		{"option form not an object", `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":"a","options":[{"value":{"form":"` + secretValue + `"}}]}]}]}}`, true},
		{"option form field without name", `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":"a","options":[{"value":{"form":{"value":[{"value":"` + secretValue + `"}]}}}]}]}]}}`, true},
		{"refresh string", `{` + sh + `, "remediation": {"value": [{"name":"f","refresh":"` + secretValue + `"}]}}`, true},
		{"rel string", `{` + sh + `, "remediation": {"value": [{"name":"f","rel":"` + secretValue + `"}]}}`, true},
		{"expiresAt garbage", `{` + sh + `, "expiresAt": "` + secretValue + `"}`, true},
		{"expiresAt number", `{` + sh + `, "expiresAt": 1700000000}`, true},
		{"messages not a list", `{` + sh + `, "messages": "` + secretValue + `"}`, true},
		{"message class number", `{` + sh + `, "messages": {"value": [{"class": 1, "message":"` + secretValue + `"}]}}`, true},
		{"i18n params not an array", `{` + sh + `, "messages": {"value": [{"i18n": {"key":"k","params":"` + secretValue + `"}}]}}`, true},
		{"authenticators not a list", `{` + sh + `, "authenticators": {"value": {"id":"` + secretValue + `"}}}`, true},
		{"authenticator methods wrong", `{` + sh + `, "authenticatorEnrollments": {"value": [{"id":"x","methods":"` + secretValue + `"}]}}`, true},
		{"profile not an object", `{` + sh + `, "authenticatorEnrollments": {"value": [{"id":"x","profile":["` + secretValue + `"]}]}}`, true},
		{"current authenticator array", `{` + sh + `, "currentAuthenticator": {"value": ["` + secretValue + `"]}}`, true},
		{"resend without name", `{` + sh + `, "currentAuthenticatorEnrollment": {"value": {"id":"x","resend":{"href":"` + secretValue + `"}}}}`, true},
		{"cancel without name", `{` + sh + `, "cancel": {"href":"` + secretValue + `"}}`, true},
		{"success without name", `{` + sh + `, "successWithInteractionCode": {"value":[{"name":"interaction_code","value":"` + secretValue + `"}]}}`, true},
		{"invalid UTF-8 in a string", "{" + sh + ",\"intent\":\"\xff\xfe\"}", false},
		{"empty object", `{}`, false},
		{"unknown members ignored", `{` + sh + `, "step": "IDENTIFY", "future": {"deep": [1, 2, {"x": null}]}}`, false},
		{"null members", `{"stateHandle": null, "remediation": null, "messages": null, "cancel": null, "currentAuthenticator": null, "authenticators": {"value": null}}`, false},
		{"null value of current authenticator", `{"currentAuthenticator": {"value": null}, "currentAuthenticatorEnrollment": {}}`, false},
		{"relatesTo of every type", `{"remediation": {"value": [{"name":"f","relatesTo":{"x":1},"value":[{"name":"a","relatesTo":[1,2],"options":[{"label":"o","value":1,"relatesTo":true}]}]}]}}`, false},
		{"option value of every type", `{"remediation": {"value": [{"name":"f","value":[{"name":"a","options":[{"value":null},{"value":"s"},{"value":1.5},{"value":[1]},{"value":{}},{"value":{"x":1}},{"value":{"form":null}},{"value":{"form":{"value":[]}}}]}]}]}}`, false},
		{"user and app of other shapes are dropped", `{"user": [1], "app": "x"}`, false},
		{"duplicate members", `{"stateHandle": "a", "stateHandle": "b", "remediation": {"value": [{"name":"x"}]}, "remediation": {"value": []}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkHostile(t, []byte(tt.doc), tt.wantErr)
		})
	}
}

// checkHostile parses doc and checks the outcome: an error wrapping
// ErrMalformed that quotes nothing from the document, or a response whose
// derived views do not panic.
func checkHostile(t *testing.T, doc []byte, wantErr bool) {
	t.Helper()
	r, err := ion.Parse(doc)
	if wantErr && err == nil {
		t.Fatalf("Parse: no error")
	}
	if err != nil {
		if !wantErr {
			t.Fatalf("Parse: %v", err)
		}
		if r != nil {
			t.Errorf("Parse returned a response with an error")
		}
		if !errors.Is(err, ion.ErrMalformed) {
			t.Errorf("error %v does not wrap ErrMalformed", err)
		}
		msg := err.Error()
		for _, s := range []string{secretHandle, secretValue, "SECRET"} {
			if strings.Contains(msg, s) {
				t.Errorf("error %q quotes the document", msg)
			}
		}
		return
	}
	exercise(r)
}

// exercise calls everything that walks a parsed response.
func exercise(r *ion.Response) {
	_ = r.AllMessages()
	_ = r.HasErrors()
	for _, f := range r.Remediations {
		_, _ = f.Body(nil)
		_, _ = f.Body(map[string]any{"x": "y"})
		for _, fd := range f.Fields {
			_, _ = fd.StringValue()
			for _, o := range fd.Options {
				_, _ = o.StringValue()
				_, _ = ion.OptionValue(f.Name, fd.Name, o, nil)
			}
		}
	}
	for _, f := range []*ion.Form{r.Cancel, r.Success} {
		if f != nil {
			_, _ = f.Body(nil)
		}
	}
	if a := r.CurrentAuthenticator; a != nil {
		for _, f := range []*ion.Form{a.Resend, a.Poll, a.Recover} {
			if f != nil {
				_, _ = f.Body(nil)
			}
		}
	}
	r.ClearMessages()
}

func TestParseTruncatedFixtures(t *testing.T) {
	t.Parallel()
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc := readFixture(t, name)
			r, err := ion.Parse(doc)
			if err != nil {
				t.Fatal(err)
			}
			handle := r.StateHandle
			for n := 0; n < len(doc)-1; n++ {
				cut := doc[:n]
				_, err := ion.Parse(cut)
				if err == nil {
					t.Fatalf("Parse of the first %d bytes succeeded", n)
				}
				if !errors.Is(err, ion.ErrMalformed) {
					t.Fatalf("cut at %d: %v does not wrap ErrMalformed", n, err)
				}
				if strings.Contains(err.Error(), handle) || strings.Contains(err.Error(), "example") {
					t.Fatalf("cut at %d: error %q quotes the document", n, err)
				}
			}
		})
	}
}

func TestParseDeepNesting(t *testing.T) {
	t.Parallel()
	nestFields := func(depth int) string {
		s := `{"name":"leaf"}`
		for range depth {
			s = `{"name":"n","form":{"value":[` + s + `]}}`
		}
		return `{"stateHandle":"` + secretHandle + `","remediation":{"value":[{"name":"f","value":[` + s + `]}]}}`
	}
	nestOptions := func(depth int) string {
		s := `{"name":"leaf"}`
		for range depth {
			s = `{"name":"n","options":[{"label":"o","value":{"form":{"value":[` + s + `]}}}]}`
		}
		return `{"stateHandle":"` + secretHandle + `","remediation":{"value":[{"name":"f","value":[` + s + `]}]}}`
	}
	tests := []struct {
		name    string
		doc     string
		wantErr bool
	}{
		{"forms 4 deep", nestFields(4), false},
		{"forms 50 deep", nestFields(50), true},
		{"forms 2000 deep", nestFields(2000), true},
		{"option forms 4 deep", nestOptions(4), false},
		{"option forms 50 deep", nestOptions(50), true},
		{"option forms 1000 deep", nestOptions(1000), true},
		{"raw JSON 100000 deep in user", `{"stateHandle":"` + secretHandle + `","user":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`, true},
		{"raw JSON 100000 deep objects", strings.Repeat(`{"a":`, 100000) + `1` + strings.Repeat(`}`, 100000), true},
		{"raw JSON 5000 deep in app is fine", `{"app":{"value":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkHostile(t, []byte(tt.doc), tt.wantErr)
		})
	}
}

func TestParseHugeArrays(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	t.Parallel()
	repeat := func(item string, n int) string {
		return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
	}
	// A 1 MiB body (the transport's cap) holds some tens of thousands of
	// the smallest items; 20,000 shows the parser stays linear without
	// making the race-enabled test slow.
	const huge = 20000
	tests := []struct {
		name  string
		doc   string
		check func(t *testing.T, r *ion.Response)
	}{
		{
			name: "huge remediations",
			doc:  `{"remediation":{"value":[` + repeat(`{"name":"x","value":[{"name":"stateHandle","value":"h","mutable":false}]}`, huge) + `]}}`,
			check: func(t *testing.T, r *ion.Response) {
				if len(r.Remediations) != huge {
					t.Errorf("%d remediations", len(r.Remediations))
				}
			},
		},
		{
			name: "huge fields",
			doc:  `{"remediation":{"value":[{"name":"x","value":[` + repeat(`{"name":"f","required":true}`, huge) + `]}]}}`,
			check: func(t *testing.T, r *ion.Response) {
				if _, err := r.Remediations[0].Body(map[string]any{"f": "v"}); err != nil {
					t.Errorf("Body: %v", err)
				}
			},
		},
		{
			name: "huge options with refs",
			doc: `{"authenticatorEnrollments":{"value":[{"id":"a","key":"k"}]},"remediation":{"value":[{"name":"x","value":[{"name":"authenticator","options":[` +
				repeat(`{"label":"l","value":{"form":{"value":[{"name":"id","value":"a","mutable":false}]}},"relatesTo":"$.authenticatorEnrollments.value[0]"}`, huge) + `]}]}]}}`,
			check: func(t *testing.T, r *ion.Response) {
				if n := len(r.Remediations[0].Fields[0].Options); n != huge {
					t.Errorf("%d options", n)
				}
			},
		},
		{
			name: "huge messages",
			doc:  `{"messages":{"value":[` + repeat(`{"class":"ERROR","message":"m","i18n":{"key":"k"}}`, huge) + `]}}`,
			check: func(t *testing.T, r *ion.Response) {
				if !r.HasErrors() || len(r.AllMessages()) != huge {
					t.Errorf("messages: %d", len(r.AllMessages()))
				}
			},
		},
		{
			name: "huge enrollments",
			doc:  `{"authenticatorEnrollments":{"value":[` + repeat(`{"id":"e","key":"okta_email","methods":[{"type":"email"}]}`, huge) + `]}}`,
			check: func(t *testing.T, r *ion.Response) {
				if len(r.AuthenticatorEnrollments) != huge {
					t.Errorf("%d enrollments", len(r.AuthenticatorEnrollments))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := ion.Parse([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, r)
			exercise(r)
		})
	}
}
