package idxtest_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// TestEnrollOptionalSkipWire: an optional enrollment once the factors are
// met offers select-authenticator-enroll and skip, in that order and
// shape; skip posts to /idp/idx/skip and ends the sign-in.
func TestEnrollOptionalSkipWire(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors:    2,
		Enrollment: []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorPhone}},
	}))
	f := newFlow(t, srv)
	f.toChallenge()
	r := f.answer(f.code())
	f.mustOK("email answer", r, "select-authenticator-enroll", "skip")
	want := mustJSON(t, `{"rel": ["create-form"], "name": "skip", "href": "`+srv.URL+`/idp/idx/skip", "method": "POST",
		"produces": "application/ion+json; okta-version=1.0.0", "accepts": "application/json; okta-version=1.0.0",
		"value": [{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}]}`)
	if diff := cmp.Diff(want, any(form(t, r.doc, "skip"))); diff != "" {
		t.Errorf("skip (-want +got):\n%s", diff)
	}
	if got := path(t, r.doc, "authenticators", "value").([]any); len(got) != 1 || got[0].(map[string]any)["key"] != idxtest.AuthenticatorPhone {
		t.Errorf("authenticators = %v", got)
	}
	if got := str(t, r.doc, "user", "value", "identifier"); got != f.user {
		t.Errorf("user = %q", got)
	}
	f.mustOK("skip", f.submit("skip", nil))
	if diff := cmp.Diff([]string{"pwd", "email"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestEnrollOptionalSkipMidway: an optional enrollment under way offers
// skip beside enroll-authenticator, as Okta's does; skipping it ends the
// sign-in without the enrollment, and nothing is left half-enrolled.
func TestEnrollOptionalSkipMidway(t *testing.T) {
	t.Parallel()
	srv, f := optionalPhoneUnderWay(t)
	f.mustOK("skip", f.submit("skip", nil))
	if diff := cmp.Diff([]string{"pwd", "email"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
	g := newFlow(t, srv)
	g.user, g.password = f.user, f.password
	g.toChallenge()
	g.mustOK("next sign-in asks again", g.answer(g.code()), "select-authenticator-enroll", "skip")
}

// TestEnrollOptionalEnrolled: enrolling the optional authenticator instead
// of skipping also ends the sign-in, and adds its amr.
func TestEnrollOptionalEnrolled(t *testing.T) {
	t.Parallel()
	srv, f := optionalPhoneUnderWay(t)
	f.mustOK("sms", f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": lastMessage(t, srv, testPhone).Code}}))
	if diff := cmp.Diff([]string{"pwd", "email", "sms"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestEnrollRequiredNoSkip: a required enrollment has no skip, and
// /idp/idx/skip is refused.
func TestEnrollRequiredNoSkip(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors:    2,
		Enrollment: []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorPhone, Required: true}},
	}))
	f := newFlow(t, srv)
	f.toChallenge()
	f.mustOK("email answer", f.answer(f.code()), "select-authenticator-enroll")
	mustStatusKeys(t, "skip", postIon(t, f.c, srv.URL+"/idp/idx/skip", map[string]string{"stateHandle": f.stateHandle}),
		http.StatusForbidden, "errors.E0000079")
}

// TestEnrollOptionalWhileShort: an optional authenticator is not offered
// before the factors are met; when they cannot be met otherwise, enrolling
// one becomes required, without skip.
func TestEnrollOptionalWhileShort(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors:        3,
		Authenticators: []string{idxtest.AuthenticatorPassword, idxtest.AuthenticatorEmail, idxtest.AuthenticatorPhone},
		Enrollment:     []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorPhone}},
	}))
	f := newFlow(t, srv)
	r := f.signIn()
	f.mustOK("identify", r, "select-authenticator-authenticate")
	f.selectEmail()
	f.verificationData()
	r = f.answer(f.code())
	f.mustOK("email answer", r, "select-authenticator-enroll")
	mustStatusKeys(t, "skip", postIon(t, f.c, srv.URL+"/idp/idx/skip", map[string]string{"stateHandle": f.stateHandle}),
		http.StatusForbidden, "errors.E0000079")
}

// TestEnrollMixedRequiredAndOptional: required and optional enrollments
// are offered together without skip; once the required one is enrolled,
// skip appears.
func TestEnrollMixedRequiredAndOptional(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors: 1, Registration: true,
		Enrollment: []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorPhone}},
	}))
	f := newRegistration(t, srv)
	f.startRegistration()
	r := f.enrollProfile(map[string]any{"firstName": "Mo", "lastName": "Lee", "email": f.user})
	f.mustOK("profile", r, "select-authenticator-enroll")
	var keys []string
	for _, a := range path(t, r.doc, "authenticators", "value").([]any) {
		keys = append(keys, a.(map[string]any)["key"].(string))
	}
	if diff := cmp.Diff([]string{idxtest.AuthenticatorPassword, idxtest.AuthenticatorEmail}, keys); diff != "" {
		t.Errorf("to enroll first (-want +got):\n%s", diff)
	}
	// Factors 1 is met by the password alone, so the optional phone joins
	// the required email, but nothing may be skipped yet.
	f.choose("select-authenticator-enroll", idxtest.AuthenticatorPassword, nil)
	r = f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": f.password}})
	f.mustOK("password", r, "select-authenticator-enroll")
	keys = nil
	for _, a := range path(t, r.doc, "authenticators", "value").([]any) {
		keys = append(keys, a.(map[string]any)["key"].(string))
	}
	if diff := cmp.Diff([]string{idxtest.AuthenticatorEmail, idxtest.AuthenticatorPhone}, keys); diff != "" {
		t.Errorf("to enroll (-want +got):\n%s", diff)
	}
	f.choose("select-authenticator-enroll", idxtest.AuthenticatorEmail, nil)
	r = f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": f.code()}})
	f.mustOK("email", r, "select-authenticator-enroll", "skip")
	f.mustOK("skip", f.submit("skip", nil))
}

// optionalPhoneUnderWay signs in on an org whose policy offers the phone
// as an optional enrollment, and starts enrolling it by SMS: the flow
// waits in enroll-authenticator, which, as Okta's does, still offers
// skip.
func optionalPhoneUnderWay(t *testing.T) (*idxtest.Server, *flow) {
	t.Helper()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors:    2,
		Enrollment: []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorPhone}},
	}))
	f := newFlow(t, srv)
	f.toChallenge()
	f.mustOK("email answer", f.answer(f.code()), "select-authenticator-enroll", "skip")
	r := f.choose("select-authenticator-enroll", idxtest.AuthenticatorPhone, map[string]any{"methodType": "sms", "phoneNumber": testPhone})
	f.mustOK("phone", r, "enroll-authenticator", "select-authenticator-enroll", "skip")
	return srv, f
}
