package ion_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/ion"
)

// Markers planted in hostile documents: no error may quote them.
const (
	secretHandle = "SECRET-STATE-HANDLE-7f3a"
	secretValue  = "SECRET-VALUE-c0ffee"
)

// noMember is the wantErr of documents refused as a whole (not JSON, not
// an object), without a member to name.
const noMember = "-"

func TestParseHostile(t *testing.T) {
	t.Parallel()
	sh := `"stateHandle":"` + secretHandle + `"`
	tests := []struct {
		name string
		doc  string
		// wantErr is the path of the needed member the error names,
		// noMember for an error without one, "" for no error.
		wantErr string
		// wantNotes are the paths of the members Parse went on without.
		wantNotes []string
	}{
		{name: "empty", doc: ``, wantErr: noMember},
		{name: "whitespace", doc: " \n\t ", wantErr: noMember},
		{name: "null", doc: `null`, wantErr: noMember},
		{name: "array", doc: `[{"stateHandle":"x"}]`, wantErr: noMember},
		{name: "string", doc: `"` + secretHandle + `"`, wantErr: noMember},
		{name: "number", doc: `42`, wantErr: noMember},
		{name: "true", doc: `true`, wantErr: noMember},
		{name: "lone brace", doc: `{`, wantErr: noMember},
		{name: "truncated", doc: `{` + sh + `,"remediation":{"value":[{"name":"identify","value":[{"name":"x","value":"` + secretValue, wantErr: noMember},
		{name: "trailing garbage", doc: `{` + sh + `} {"x":1}`, wantErr: noMember},
		{name: "trailing secret", doc: `{` + sh + `} "` + secretValue + `"`, wantErr: noMember},
		{name: "byte order mark", doc: "\ufeff{" + sh + "}", wantErr: noMember},
		{name: "not JSON inside", doc: `{` + sh + `, "remediation": ` + secretValue + `}`, wantErr: noMember},
		// Members the SDK needs: refused, naming the member.
		{name: "stateHandle number", doc: `{"stateHandle": 5, "version":"` + secretValue + `"}`, wantErr: "stateHandle"},
		{name: "stateHandle object", doc: `{"stateHandle": {"v":"` + secretValue + `"}}`, wantErr: "stateHandle"},
		{name: "remediation array", doc: `{` + sh + `, "remediation": ["` + secretValue + `"]}`, wantErr: "remediation"},
		{name: "remediation value object", doc: `{` + sh + `, "remediation": {"value": {"name":"` + secretValue + `"}}}`, wantErr: "remediation.value"},
		{name: "form is a string", doc: `{` + sh + `, "remediation": {"value": ["` + secretValue + `"]}}`, wantErr: "remediation.value[0]"},
		{name: "form without name", doc: `{` + sh + `, "remediation": {"value": [{"href":"` + secretValue + `"}]}}`, wantErr: "remediation.value[0].name"},
		{name: "form name number", doc: `{` + sh + `, "remediation": {"value": [{"name":1,"href":"` + secretValue + `"}]}}`, wantErr: "remediation.value[0].name"},
		{name: "href number", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","href":7}]}}`, wantErr: "remediation.value[0].href"},
		{name: "field without name", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"value":"` + secretValue + `"}]}]}}`, wantErr: "remediation.value[0].value[0].name"},
		{name: "field name number", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":7,"value":"` + secretValue + `"}]}]}}`, wantErr: "remediation.value[0].value[0].name"},
		{name: "fields not an array", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","value":"` + secretValue + `"}]}}`, wantErr: "remediation.value[0].value"},
		{name: "sub-form not an object", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":"a","form":"` + secretValue + `"}]}]}}`, wantErr: "remediation.value[0].value[0].form"},
		{name: "options not an array", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":"a","options":{"value":"` + secretValue + `"}}]}]}}`, wantErr: "remediation.value[0].value[0].options"},
		{name: "option not an object", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":"a","options":["` + secretValue + `"]}]}]}}`, wantErr: "remediation.value[0].value[0].options[0]"},
		{name: "option form not an object", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":"a","options":[{"value":{"form":"` + secretValue + `"}}]}]}]}}`, wantErr: "remediation.value[0].value[0].options[0].value.form"},
		{name: "option form field without name", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":"a","options":[{"value":{"form":{"value":[{"value":"` + secretValue + `"}]}}}]}]}]}}`, wantErr: "remediation.value[0].value[0].options[0].value.form.value[0].name"},
		{name: "option form beside value not an object", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":"a","options":[{"label":"l","form":["` + secretValue + `"]}]}]}]}}`, wantErr: "remediation.value[0].value[0].options[0].form"},
		{name: "resend without name", doc: `{` + sh + `, "currentAuthenticatorEnrollment": {"value": {"id":"x","resend":{"href":"` + secretValue + `"}}}}`, wantErr: "currentAuthenticatorEnrollment.value.resend.name"},
		{name: "poll not an object", doc: `{` + sh + `, "currentAuthenticator": {"value": {"id":"x","poll":["` + secretValue + `"]}}}`, wantErr: "currentAuthenticator.value.poll"},
		{name: "challenge cancel not an object", doc: `{` + sh + `, "authenticatorChallenge": {"value": {"challengeMethod":"LOOPBACK","cancel":["` + secretValue + `"]}}}`, wantErr: "authenticatorChallenge.value.cancel"},
		{name: "challenge not an object", doc: `{` + sh + `, "authenticatorChallenge": {"value": "` + secretValue + `"}}`, wantNotes: []string{"authenticatorChallenge.value"}},
		{name: "cancel without name", doc: `{` + sh + `, "cancel": {"href":"` + secretValue + `"}}`, wantErr: "cancel.name"},
		{name: "success without name", doc: `{` + sh + `, "successWithInteractionCode": {"value":[{"name":"interaction_code","value":"` + secretValue + `"}]}}`, wantErr: "successWithInteractionCode.name"},
		// Members the SDK does not need: read around, and noted.
		{name: "required not a bool", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":"a","required":"` + secretValue + `"}]}]}}`,
			wantNotes: []string{"remediation.value[0].value[0].required"}},
		{name: "flags as strings", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","value":[{"name":"a","required":"false","secret":"TRUE","mutable":"false","visible":" true "}]}]}}`,
			wantNotes: []string{"remediation.value[0].value[0].required", "remediation.value[0].value[0].secret", "remediation.value[0].value[0].mutable", "remediation.value[0].value[0].visible"}},
		{name: "refresh string", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","refresh":"` + secretValue + `"}]}}`,
			wantNotes: []string{"remediation.value[0].refresh"}},
		{name: "refresh out of range", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","refresh":1e400}]}}`,
			wantNotes: []string{"remediation.value[0].refresh"}},
		{name: "rel string", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","rel":"` + secretValue + `"}]}}`,
			wantNotes: []string{"remediation.value[0].rel"}},
		{name: "method number", doc: `{` + sh + `, "remediation": {"value": [{"name":"f","method":1}]}}`,
			wantNotes: []string{"remediation.value[0].method"}},
		{name: "expiresAt garbage", doc: `{` + sh + `, "expiresAt": "` + secretValue + `"}`, wantNotes: []string{"expiresAt"}},
		{name: "expiresAt placeholder", doc: `{` + sh + `, "expiresAt": "DATE"}`, wantNotes: []string{"expiresAt"}},
		{name: "expiresAt number", doc: `{` + sh + `, "expiresAt": 1700000000}`, wantNotes: []string{"expiresAt"}},
		{name: "messages not a list", doc: `{` + sh + `, "messages": "` + secretValue + `"}`, wantNotes: []string{"messages"}},
		{name: "message class number", doc: `{` + sh + `, "messages": {"value": [{"class": 1, "message":"` + secretValue + `"}]}}`,
			wantNotes: []string{"messages.value[0].class"}},
		{name: "i18n params not an array", doc: `{` + sh + `, "messages": {"value": [{"i18n": {"key":"k","params":"` + secretValue + `"}}]}}`,
			wantNotes: []string{"messages.value[0].i18n.params"}},
		{name: "i18n params out of range", doc: `{` + sh + `, "messages": {"value": [{"i18n": {"key":"k","params":[1e400]}}]}}`,
			wantNotes: []string{"messages.value.i18n.params"}},
		{name: "authenticators not a list", doc: `{` + sh + `, "authenticators": {"value": {"id":"` + secretValue + `"}}}`,
			wantNotes: []string{"authenticators.value"}},
		{name: "authenticator not an object", doc: `{` + sh + `, "authenticatorEnrollments": {"value": ["\u200b", 5, null]}}`,
			wantNotes: []string{"authenticatorEnrollments.value[0]", "authenticatorEnrollments.value[1]"}},
		{name: "authenticator methods wrong", doc: `{` + sh + `, "authenticatorEnrollments": {"value": [{"id":"x","methods":"` + secretValue + `"}]}}`,
			wantNotes: []string{"authenticatorEnrollments.value[0].methods"}},
		{name: "profile not an object", doc: `{` + sh + `, "authenticatorEnrollments": {"value": [{"id":"x","profile":["` + secretValue + `"]}]}}`,
			wantNotes: []string{"authenticatorEnrollments.value[0].profile"}},
		{name: "current authenticator array", doc: `{` + sh + `, "currentAuthenticator": {"value": ["` + secretValue + `"]}}`,
			wantNotes: []string{"currentAuthenticator.value"}},
		{name: "relatesTo of every type", doc: `{"remediation": {"value": [{"name":"f","relatesTo":{"x":1},"value":[{"name":"a","relatesTo":[1,2],"options":[{"label":"o","value":1,"relatesTo":true}]}]}]}}`,
			wantNotes: []string{"remediation.value[0].relatesTo", "remediation.value[0].value[0].options[0].relatesTo", "remediation.value[0].value[0].relatesTo"}},
		{name: "user and app of other shapes are dropped", doc: `{"user": [1], "app": "x"}`, wantNotes: []string{"user", "app"}},
		{name: "invalid UTF-8 in a string", doc: "{" + sh + ",\"intent\":\"\xff\xfe\"}"},
		{name: "empty object", doc: `{}`},
		{name: "unknown members ignored", doc: `{` + sh + `, "step": "IDENTIFY", "future": {"deep": [1, 2, {"x": null}]}}`},
		{name: "null members", doc: `{"stateHandle": null, "remediation": null, "messages": null, "cancel": null, "currentAuthenticator": null, "authenticators": {"value": null}}`},
		{name: "null value of current authenticator", doc: `{"currentAuthenticator": {"value": null}, "currentAuthenticatorEnrollment": {}}`},
		{name: "option value of every type", doc: `{"remediation": {"value": [{"name":"f","value":[{"name":"a","options":[{"value":null},{"value":"s"},{"value":1.5},{"value":[1]},{"value":{}},{"value":{"x":1}},{"value":{"form":null}},{"value":{"form":{"value":[]}}}]}]}]}}`},
		{name: "duplicate members", doc: `{"stateHandle": "a", "stateHandle": "b", "remediation": {"value": [{"name":"x"}]}, "remediation": {"value": []}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := checkHostile(t, []byte(tt.doc), tt.wantErr != "")
			if r == nil {
				return
			}
			var notes []string
			for _, n := range r.Notes {
				notes = append(notes, n.Path)
			}
			if diff := cmp.Diff(tt.wantNotes, notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
		})
		if tt.wantErr == "" {
			continue
		}
		t.Run(tt.name+"/member", func(t *testing.T) {
			_, err := ion.Parse([]byte(tt.doc))
			var me *ion.MemberError
			switch {
			case tt.wantErr == noMember && errors.As(err, &me):
				t.Errorf("error %v names a member", err)
			case tt.wantErr != noMember && (!errors.As(err, &me) || me.Path != tt.wantErr):
				t.Errorf("error %v; want a *MemberError for %s", err, tt.wantErr)
			}
		})
	}
}

// checkHostile parses doc and checks the outcome: an error wrapping
// ErrMalformed that quotes nothing from the document, or a response whose
// derived views do not panic and whose notes quote nothing either. It
// returns the response.
func checkHostile(t *testing.T, doc []byte, wantErr bool) *ion.Response {
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
		return nil
	}
	for _, n := range r.Notes {
		if strings.Contains(n.Path+n.Problem, "SECRET") {
			t.Errorf("note %+v quotes the document", n)
		}
	}
	exercise(r)
	return r
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
	for _, name := range append(fixtures, oddFixtures...) {
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
