package idxtest_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// TestEnrollEmailAtSignIn: a user whose email authenticator is not
// enrolled is asked to enroll it when the policy requires it: a code goes
// to the address, and answering it enrolls the email for later sign-ins.
func TestEnrollEmailAtSignIn(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors:    2,
		Enrollment: []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorEmail, Required: true}},
	}))
	f := newFlowUser(t, srv, func(u *idxtest.User) { u.EmailNotEnrolled = true })
	r := f.signIn()
	f.mustOK("identify", r, "select-authenticator-enroll")
	if got := path(t, r.doc, "authenticators", "value").([]any); len(got) != 1 || got[0].(map[string]any)["key"] != idxtest.AuthenticatorEmail {
		t.Errorf("authenticators = %v", got)
	}
	if n := len(srv.Outbox()); n != 0 {
		t.Fatalf("%d messages sent before the email was chosen", n)
	}
	r = f.choose("select-authenticator-enroll", idxtest.AuthenticatorEmail, nil)
	f.mustOK("select email", r, "enroll-authenticator", "select-authenticator-enroll")
	if got := str(t, r.doc, "currentAuthenticator", "value", "key"); got != idxtest.AuthenticatorEmail {
		t.Errorf("currentAuthenticator = %q", got)
	}
	code := lastMessage(t, srv, f.user).Code
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if r := f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": wrong}}); r.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %v", r)
	}
	f.mustOK("code", f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": code}}))
	if diff := cmp.Diff([]string{"pwd", "email"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}

	// Enrolled now: the next sign-in verifies the email instead.
	g := newFlow(t, srv)
	g.user, g.password = f.user, f.password
	g.mustOK("identify again", g.signIn(), "select-authenticator-authenticate")
}
