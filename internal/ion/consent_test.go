package ion_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/ion"
)

// Goal: the members of the consent forms are read (the scopes beside a
// form's fields, a granular scope's description, an email link's
// request), and one of the wrong type is noted, not fatal.
func TestParseConsentMembers(t *testing.T) {
	t.Parallel()
	r, err := ion.Parse(readFixture(t, "consent-enduser.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []ion.Scope{
		{Name: "email", Label: "View your email address.", Desc: "This allows the app to view your email address."},
		{Name: "phone", Label: "View your phone number.", Desc: "This allows the app to view your phone number."},
	}
	if diff := cmp.Diff(want, r.Remediation("consent").Scopes); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}

	r, err = ion.Parse(readFixture(t, "consent-granular.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Remediation("granular-consent").Field("optedScopes").Field("custom3.custom4.custom5").Desc; got != "This allows the app to view your mobile phone call history." {
		t.Errorf("granular scope's desc %q", got)
	}

	r, err = ion.Parse(readFixture(t, "email-challenge-consent.json"))
	if err != nil {
		t.Fatal(err)
	}
	wantInfo := []ion.Info{{Name: "appName", Label: "Application", Value: "Info DyneX"}, {Name: "browser", Label: "Browser", Value: "FIREFOX"}}
	if diff := cmp.Diff(wantInfo, r.Remediation("email-challenge-consent").RequestInfo); diff != "" {
		t.Errorf("requestInfo (-want +got):\n%s", diff)
	}

	odd := strings.Replace(string(readFixture(t, "consent-enduser.json")), `"scopes": [`, `"scopes": 7, "x": [`, 1)
	r, err = ion.Parse([]byte(odd))
	if err != nil {
		t.Fatalf("Parse with scopes of the wrong type: %v", err)
	}
	if f := r.Remediation("consent"); f == nil || f.Scopes != nil || len(r.Notes) == 0 {
		t.Errorf("scopes of the wrong type: form %+v, notes %v; want no scopes and a note", f, r.Notes)
	}
}
