package ion_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/ion"
)

func TestParseRedirectIDP(t *testing.T) {
	t.Parallel()
	r := parseFixture(t, "identify-with-idps.json")
	var got []ion.Form
	for _, f := range r.Remediations {
		if f.Name == "redirect-idp" {
			got = append(got, ion.Form{Name: f.Name, Href: f.Href, Method: f.Method, Type: f.Type, IDP: f.IDP})
		}
	}
	want := []ion.Form{
		{Name: "redirect-idp", Href: "https://example.okta.com/sso/idps/0oaGoog1example?stateToken=ourStateToken01", Method: "GET",
			Type: "GOOGLE", IDP: &ion.IDP{ID: "0oaGoog1example", Name: "Sign in with Google"}},
		{Name: "redirect-idp", Href: "https://example.okta.com/sso/idps/0oaSaml2example?stateToken=ourStateToken01", Method: "GET",
			Type: "SAML2", IDP: &ion.IDP{ID: "0oaSaml2example", Name: "Corp SSO"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if f := r.Remediation("identify"); f.Type != "" || f.IDP != nil {
		t.Errorf("identify: type %q idp %v", f.Type, f.IDP)
	}
}

func TestParseFieldWhoseValueIsAForm(t *testing.T) {
	t.Parallel()
	r := parseFixture(t, "enroll-poll-okta-verify.json")
	fd := r.Remediation("select-enrollment-channel").Field("authenticator")
	if fd == nil || fd.Value != nil || len(fd.Form) != 2 {
		t.Fatalf("authenticator field %+v", fd)
	}
	ch := fd.Field("channel")
	if ch == nil || len(ch.Options) != 3 {
		t.Fatalf("channel %+v", ch)
	}
	if id := fd.Field("id"); id == nil || id.Mutable {
		t.Errorf("id %+v", id)
	}
	// An object value without a form stays a value.
	r2, err := ion.Parse([]byte(`{"stateHandle":"h","remediation":{"value":[{"name":"f","value":[{"name":"a","value":{"x":1}}]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if a := r2.Remediations[0].Field("a"); string(a.Value) != `{"x":1}` || a.Form != nil {
		t.Errorf("plain object value: %+v", a)
	}
}

func TestAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture, name, want string
	}{
		{"challenge-authenticator-email.json", "resend", "https://example.okta.com/idp/idx/challenge/resend"},
		{"challenge-authenticator-email.json", "poll", "https://example.okta.com/idp/idx/challenge/poll"},
		{"challenge-authenticator-email.json", "recover", ""},
		{"identify-with-idps.json", "recover", "https://example.okta.com/idp/idx/recover"},
		{"challenge-authenticator-password.json", "recover", "https://example.okta.com/idp/idx/recover"},
		{"challenge-poll-okta-verify-number.json", "resend", "https://example.okta.com/idp/idx/challenge/resend"},
		{"identify-recovery.json", "resend", ""},
		{"identify-with-idps.json", "skip", ""},
	}
	for _, tc := range tests {
		t.Run(tc.fixture+"/"+tc.name, func(t *testing.T) {
			t.Parallel()
			got := ""
			if f := parseFixture(t, tc.fixture).Action(tc.name); f != nil {
				got = f.Href
			}
			if got != tc.want {
				t.Errorf("Action(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}
