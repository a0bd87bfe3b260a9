package ion_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goidx/goidx/internal/ion"
)

// The two *-odd-members fixtures carry what real orgs send and the SDK
// does not need: a placeholder or malformed expiresAt, required flags
// written as strings, and a zero-width space where a list expects an
// authenticator object.
func TestParseOddMembers(t *testing.T) {
	t.Parallel()
	t.Run("reset-authenticator", func(t *testing.T) {
		t.Parallel()
		r := parseFixture(t, "reset-authenticator-odd-members.json")
		wantNotes := []ion.Note{
			{Path: "authenticatorEnrollments.value[0]", Problem: "not an object"},
			{Path: "expiresAt", Problem: "not an RFC 3339 time"},
		}
		if diff := cmp.Diff(wantNotes, r.Notes); diff != "" {
			t.Errorf("notes (-want +got):\n%s", diff)
		}
		if r.StateHandle != "02rstOdd.stateHandle-Zw8" || !r.ExpiresAt.IsZero() || len(r.AuthenticatorEnrollments) != 0 {
			t.Errorf("stateHandle %q, expiresAt %v, %d enrollments", r.StateHandle, r.ExpiresAt, len(r.AuthenticatorEnrollments))
		}
		f := r.Remediation("reset-authenticator")
		if f == nil || f.Authenticator == nil || f.Authenticator.Key != "okta_password" {
			t.Fatalf("reset-authenticator %+v", f)
		}
		if p := f.Field("credentials").Field("passcode"); p == nil || !p.Secret {
			t.Errorf("passcode field %+v", p)
		}
		// Members the wire types do not hold are in the object's Raw.
		var settings struct {
			Settings struct {
				Complexity struct{ MinLength int }
				Age        struct{ HistoryCount int }
			}
		}
		if err := json.Unmarshal(r.CurrentAuthenticator.Raw, &settings); err != nil {
			t.Fatal(err)
		}
		if settings.Settings.Complexity.MinLength != 10 || settings.Settings.Age.HistoryCount != 5 {
			t.Errorf("settings from Raw: %+v", settings)
		}
	})
	t.Run("authenticator-verification-data", func(t *testing.T) {
		t.Parallel()
		r := parseFixture(t, "authenticator-verification-data-okta-verify-odd-members.json")
		wantNotes := []ion.Note{
			{Path: "remediation.value[0].value[0].form.value[2].required", Problem: "a boolean written as a string"},
			{Path: "remediation.value[1].value[0].options[0].value.form.value[1].required", Problem: "a boolean written as a string"},
			{Path: "authenticatorEnrollments.value[0]", Problem: "not an object"},
			{Path: "expiresAt", Problem: "not an RFC 3339 time"},
		}
		if diff := cmp.Diff(wantNotes, r.Notes); diff != "" {
			t.Errorf("notes (-want +got):\n%s", diff)
		}
		auto := r.Remediation("authenticator-verification-data").Field("authenticator").Field("autoChallenge")
		if auto == nil || auto.Required || !auto.Mutable || string(auto.Value) != "false" {
			t.Errorf("autoChallenge %+v; want not required, mutable, false", auto)
		}
		// The strings "false" and "true" read as the booleans they name.
		opts := r.Remediation("select-authenticator-authenticate").Field("authenticator").Options
		if m := opts[0].Form[1]; m.Name != "methodType" || !m.Required {
			t.Errorf("methodType %+v; want required", m)
		}
		// The unreadable first enrollment is left out, and references
		// still count it.
		var keys []string
		for _, e := range r.AuthenticatorEnrollments {
			keys = append(keys, e.ID)
		}
		if diff := cmp.Diff([]string{"pfdOkv00example06", "lae1Pwd0000example"}, keys); diff != "" {
			t.Errorf("enrollments (-want +got):\n%s", diff)
		}
		if opts[0].Authenticator != r.AuthenticatorEnrollments[0] || opts[1].Authenticator != r.AuthenticatorEnrollments[1] {
			t.Errorf("options refer to %+v and %+v", opts[0].Authenticator, opts[1].Authenticator)
		}
	})
}

// TestOptionFormBesideValue reads an option whose form is a member of the
// option rather than of its value, as some answers give the choices of
// select-authenticator-authenticate.
func TestOptionFormBesideValue(t *testing.T) {
	t.Parallel()
	r := parseFixture(t, "select-authenticator-authenticate-sso-extension-first.json")
	opts := r.Remediation("select-authenticator-authenticate").Field("authenticator").Options
	if len(opts) != 2 {
		t.Fatalf("%d options", len(opts))
	}
	want := &ion.Option{
		Label:     "Okta Verify",
		RelatesTo: "$.authenticatorEnrollments.value[1]",
		Form: []*ion.Field{
			{Name: "id", Required: true, Value: raw(`"autOkv00example05"`)},
			{Name: "methodType", Required: true, Value: raw(`"push"`)},
		},
		Authenticator: r.AuthenticatorEnrollments[1],
	}
	if diff := cmp.Diff(want, opts[1], cmpOpts); diff != "" {
		t.Errorf("option (-want +got):\n%s", diff)
	}
	// A value beside a form is the option's value.
	r, err := ion.Parse([]byte(`{"remediation":{"value":[{"name":"f","href":"h","value":[{"name":"a","options":[{"value":"x","form":{"value":[{"name":"b"}]}}]}]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if o := r.Remediations[0].Fields[0].Options[0]; string(o.Value) != `"x"` || o.Form != nil {
		t.Errorf("option %+v", o)
	}
}

// TestParseFlags pins how each boolean flag of a field reads every value.
func TestParseFlags(t *testing.T) {
	t.Parallel()
	type flags struct{ Required, Secret, Mutable, Visible bool }
	for _, tt := range []struct {
		value string
		want  flags
		note  string
	}{
		{"absent", flags{false, false, true, true}, ""},
		{`null`, flags{false, false, true, true}, ""},
		{`true`, flags{true, true, true, true}, ""},
		{`false`, flags{false, false, false, false}, ""},
		{`"true"`, flags{true, true, true, true}, "a boolean written as a string"},
		{`"False"`, flags{false, false, false, false}, "a boolean written as a string"},
		// Unreadable: the default, except that a secret flag counts as set.
		{`"yes"`, flags{false, true, true, true}, "not a boolean"},
		{`1`, flags{false, true, true, true}, "not a boolean"},
		{`{}`, flags{false, true, true, true}, "not a boolean"},
	} {
		t.Run(tt.value, func(t *testing.T) {
			t.Parallel()
			field := `{"name":"a"}`
			if tt.value != "absent" {
				v := tt.value
				field = `{"name":"a","required":` + v + `,"secret":` + v + `,"mutable":` + v + `,"visible":` + v + `}`
			}
			r, err := ion.Parse([]byte(`{"stateHandle":"h","remediation":{"value":[{"name":"f","href":"h","value":[` + field + `]}]}}`))
			if err != nil {
				t.Fatal(err)
			}
			fd := r.Remediations[0].Fields[0]
			if got := (flags{fd.Required, fd.Secret, fd.Mutable, fd.Visible}); got != tt.want {
				t.Errorf("flags %+v; want %+v", got, tt.want)
			}
			var problems []string
			for _, n := range r.Notes {
				problems = append(problems, n.Problem)
			}
			var want []string
			if tt.note != "" {
				want = slices.Repeat([]string{tt.note}, 4)
			}
			if diff := cmp.Diff(want, problems); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAuthenticatorRaw checks that each authenticator object keeps its
// JSON, as sent, and that the raw values are copies the body does not
// share.
func TestAuthenticatorRaw(t *testing.T) {
	t.Parallel()
	doc := readFixture(t, "select-authenticator-authenticate.json")
	var generic struct {
		AuthenticatorEnrollments struct{ Value []json.RawMessage }
	}
	if err := json.Unmarshal(doc, &generic); err != nil {
		t.Fatal(err)
	}
	r, err := ion.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.AuthenticatorEnrollments) != len(generic.AuthenticatorEnrollments.Value) || len(r.AuthenticatorEnrollments) == 0 {
		t.Fatalf("%d enrollments; the document has %d", len(r.AuthenticatorEnrollments), len(generic.AuthenticatorEnrollments.Value))
	}
	for i, a := range r.AuthenticatorEnrollments {
		if !bytes.Equal(a.Raw, generic.AuthenticatorEnrollments.Value[i]) {
			t.Errorf("enrollment %d: Raw %s", i, a.Raw)
		}
	}
	before := string(r.AuthenticatorEnrollments[0].Raw)
	for i := range doc {
		doc[i] = ' '
	}
	if string(r.AuthenticatorEnrollments[0].Raw) != before {
		t.Error("Raw shares the body")
	}
}

// TestMistypedMemberReadsAsAbsent holds Parse to its rule on every member
// of every fixture: a member of the wrong JSON type reads exactly as if
// the member were absent (and is noted), unless the SDK needs it, and
// then Parse fails naming it.
func TestMistypedMemberReadsAsAbsent(t *testing.T) {
	t.Parallel()
	for _, name := range append(fixtures, oddFixtures...) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var doc any
			if err := json.Unmarshal(readFixture(t, name), &doc); err != nil {
				t.Fatal(err)
			}
			noted := map[string]bool{}
			for _, n := range parseFixture(t, name).Notes {
				noted[n.Path] = true
			}
			// Each member once per shape: the options of a list are alike.
			seen := map[string]bool{}
			for _, m := range members(doc, "") {
				if shape := indices.ReplaceAllString(m.path, "[]"); seen[shape] {
					continue
				} else {
					seen[shape] = true
				}
				rm, errM := ion.Parse(mustMarshal(t, doc, m.set(wrongType(m.value))))
				ra, errA := ion.Parse(mustMarshal(t, doc, m.set(nil)))
				var me *ion.MemberError
				switch {
				case errors.As(errM, &me):
					if !strings.HasPrefix(m.path, me.Path) {
						t.Errorf("%s mistyped: error names %s", m.path, me.Path)
					}
				case errM != nil:
					t.Errorf("%s mistyped: %v", m.path, errM)
				case errA != nil:
					t.Errorf("%s mistyped is read, absent is not: %v", m.path, errA)
				default:
					// A member Parse reads is noted under its path; one it
					// does not know (an Ion list's "type") is not.
					for _, n := range rm.Notes {
						if n.Path != m.path && !noted[n.Path] {
							t.Errorf("%s mistyped: note for %s", m.path, n.Path)
						}
					}
					if dump(ra) != dump(rm) {
						opts := cmp.Options{cmpOpts, cmpopts.IgnoreFields(ion.Response{}, "Notes")}
						t.Errorf("%s mistyped reads otherwise than absent (-absent +mistyped):\n%s", m.path, cmp.Diff(ra, rm, opts))
					}
				}
			}
		})
	}
}

// indices matches the list indices of a path.
var indices = regexp.MustCompile(`\[[0-9]+\]`)

// member is one member of a generic JSON document.
type member struct {
	path  string
	value any
	// set replaces the member's value (nil: removes it) and returns a
	// function that restores it.
	set func(v any) func()
}

// members lists the members of v whose type Parse checks. It leaves out
// the values Parse keeps as raw JSON (a field's or an option's value, when
// not a form; contextualData), does not descend into the members whose
// contents are read as any JSON (profile, params, user, app), and leaves
// out secret flags (an unreadable one counts as set, on purpose).
func members(v any, path string) []member {
	var out []member
	switch v := v.(type) {
	case map[string]any:
		_, isForm := v["href"]
		_, isField := v["name"]
		_, isOption := v["label"]
		for _, k := range slices.Sorted(maps.Keys(v)) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if k == "value" && !isForm && (isField || isOption) {
				if m, ok := v[k].(map[string]any); ok && m["form"] != nil {
					out = append(out, members(m, p)...)
				}
				continue
			}
			if k == "secret" || k == "contextualData" || v[k] == nil {
				continue
			}
			out = append(out, member{path: p, value: v[k], set: func(nv any) func() {
				old := v[k]
				if nv == nil {
					delete(v, k)
				} else {
					v[k] = nv
				}
				return func() { v[k] = old }
			}})
			switch k {
			case "profile", "params", "user", "app":
				continue
			}
			out = append(out, members(v[k], p)...)
		}
	case []any:
		for i, e := range v {
			out = append(out, members(e, path+"["+strconv.Itoa(i)+"]")...)
		}
	}
	return out
}

// wrongType returns a value of another JSON type than v.
func wrongType(v any) any {
	switch v.(type) {
	case string, []any:
		return 7.0
	case nil:
		return nil
	}
	return "x"
}

// mustMarshal encodes doc with a change applied, then undoes the change.
func mustMarshal(t *testing.T, doc any, undo func()) []byte {
	t.Helper()
	defer undo()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dump writes out everything Parse read, but the notes and the objects'
// raw JSON, for a quick comparison (cmp shows the difference).
func dump(r *ion.Response) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	var auth func(a *ion.Authenticator, actions bool)
	var fields func(fs []*ion.Field)
	form := func(f *ion.Form) {
		if f == nil {
			w("no form\n")
			return
		}
		w("form %q %q %q %q %q %q %v %q %q %+v\n", f.Name, f.Rel, f.Href, f.Method, f.Accepts, f.Produces, f.Refresh, f.RelatesTo, f.Type, f.IDP)
		auth(f.Authenticator, false)
		fields(f.Fields)
	}
	auth = func(a *ion.Authenticator, actions bool) {
		if a == nil {
			w("no authenticator\n")
			return
		}
		w("authenticator %q %q %q %q %q %q %v %s\n", a.ID, a.AuthenticatorID, a.Key, a.Type, a.DisplayName, a.Methods, a.Profile, a.ContextualData)
		if actions {
			form(a.Resend)
			form(a.Poll)
			form(a.Recover)
		}
	}
	fields = func(fs []*ion.Field) {
		w("fields %d\n", len(fs))
		for _, f := range fs {
			w("field %q %q %q %v %v %v %v %s %q %#v\n", f.Name, f.Label, f.Type, f.Required, f.Secret, f.Mutable, f.Visible, f.Value, f.RelatesTo, f.Messages)
			auth(f.Authenticator, false)
			fields(f.Form)
			for _, o := range f.Options {
				w("option %q %s %q %v\n", o.Label, o.Value, o.RelatesTo, o.Form != nil)
				auth(o.Authenticator, false)
				fields(o.Form)
			}
		}
	}
	w("%q %q %v %q %s %s %#v\n", r.Version, r.StateHandle, r.ExpiresAt, r.Intent, r.User, r.App, r.Messages)
	for _, f := range r.Remediations {
		form(f)
	}
	form(r.Cancel)
	form(r.Success)
	auth(r.CurrentAuthenticator, true)
	for _, l := range [][]*ion.Authenticator{r.Authenticators, r.AuthenticatorEnrollments} {
		w("list %d\n", len(l))
		for _, a := range l {
			auth(a, true)
		}
	}
	return b.String()
}
