package idxtest_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// identifierFirst is an org whose sign-in is identifier-first, with
// recovery and a lockout after two wrong passwords.
func identifierFirst(t *testing.T) *idxtest.Server {
	p := idxtest.DefaultPolicy()
	p.IdentifierFirst, p.Recovery, p.MaxPasswordAttempts = true, true, 2
	return newOrg(t, idxtest.WithPolicy(p))
}

// identifyFirst submits the identifier-first identify form.
func (f *flow) identifyFirst(user string) reply {
	f.t.Helper()
	return f.submit("identify", map[string]any{"identifier": user, "rememberMe": false})
}

// TestIdentifierFirstSignIn: identify asks for the username only; an
// unknown one fails there; the password is then a challenge of its own,
// with the other authenticators in select-authenticator-authenticate; a
// wrong password is the top-level incorrectPassword; then the second
// factor, and success with both amr.
func TestIdentifierFirstSignIn(t *testing.T) {
	t.Parallel()
	srv := identifierFirst(t)
	f := newFlow(t, srv)
	f.interact()
	r := f.introspect()
	var fields []string
	for _, v := range form(t, r.doc, "identify")["value"].([]any) {
		fields = append(fields, v.(map[string]any)["name"].(string))
	}
	if diff := cmp.Diff([]string{"identifier", "rememberMe", "stateHandle"}, fields); diff != "" {
		t.Errorf("identify fields (-want +got):\n%s", diff)
	}
	if _, ok := r.doc["currentAuthenticator"]; ok {
		t.Error("identify names the password before the user is known")
	}
	if str(t, r.doc, "step") != "IDENTIFY" {
		t.Errorf("step = %v", r.doc["step"])
	}

	mustStatusKeys(t, "unknown user", f.identifyFirst("nobody@example.com"), http.StatusUnauthorized, "errors.E0000004")
	r = f.identifyFirst(f.user)
	f.mustOK("identify", r, "challenge-authenticator", "select-authenticator-authenticate")
	cur := path(t, r.doc, "currentAuthenticatorEnrollment", "value").(map[string]any)
	if cur["key"] != idxtest.AuthenticatorPassword || str(t, cur, "recover", "href") != srv.URL+"/idp/idx/recover" {
		t.Errorf("currentAuthenticatorEnrollment = %v", cur)
	}
	if diff := cmp.Diff([]string{idxtest.AuthenticatorPassword, idxtest.AuthenticatorEmail}, optionKeys(t, r.doc, "select-authenticator-authenticate")); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
	if _, ok := path(t, r.doc, "user", "value").(map[string]any)["profile"]; ok {
		t.Error("the profile is shown before any factor is verified")
	}

	mustStatusKeys(t, "wrong password", f.answer("wrong"), http.StatusUnauthorized, "incorrectPassword")
	r = f.answer(f.password)
	f.mustOK("password", r, "select-authenticator-authenticate")
	if diff := cmp.Diff([]string{idxtest.AuthenticatorEmail}, optionKeys(t, r.doc, "select-authenticator-authenticate")); diff != "" {
		t.Errorf("second factor options (-want +got):\n%s", diff)
	}
	f.mustOK("select email", f.choose("select-authenticator-authenticate", idxtest.AuthenticatorEmail, map[string]any{"methodType": "email"}),
		"authenticator-verification-data", "select-authenticator-authenticate")
	f.mustOK("send", f.verificationData(), "challenge-authenticator", "select-authenticator-authenticate")
	f.mustOK("code", f.answer(f.code()))
	if diff := cmp.Diff([]string{"pwd", "email"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestIdentifierFirstEmailFirst: a user who verifies another
// authenticator first is still asked for the password.
func TestIdentifierFirstEmailFirst(t *testing.T) {
	t.Parallel()
	srv := identifierFirst(t)
	f := newFlow(t, srv)
	f.interact()
	f.introspect()
	f.identifyFirst(f.user)
	f.mustOK("email instead", f.choose("select-authenticator-authenticate", idxtest.AuthenticatorEmail, map[string]any{"methodType": "email"}),
		"authenticator-verification-data", "select-authenticator-authenticate")
	f.verificationData()
	r := f.answer(f.code())
	f.mustOK("email", r, "challenge-authenticator", "select-authenticator-authenticate")
	if got := str(t, r.doc, "currentAuthenticatorEnrollment", "value", "key"); got != idxtest.AuthenticatorPassword {
		t.Errorf("asked for %q, want the password", got)
	}
	f.mustOK("password", f.answer(f.password))
}

// TestIdentifierFirstLockout: the attempt that reaches the limit locks
// the account, and the challenge is then answered, whatever the
// password, with authfactor.challenge.suspended_factor and the
// challenge form alone, as Okta answers; once unlocked, the right
// password passes.
func TestIdentifierFirstLockout(t *testing.T) {
	t.Parallel()
	srv := identifierFirst(t)
	f := newFlow(t, srv)
	f.interact()
	f.introspect()
	f.identifyFirst(f.user)
	mustStatusKeys(t, "first wrong password", f.answer("wrong"), http.StatusUnauthorized, "incorrectPassword")
	r := f.answer("wrong again")
	mustStatusKeys(t, "locking attempt", r, http.StatusForbidden, "authfactor.challenge.suspended_factor")
	if diff := cmp.Diff([]string{"challenge-authenticator"}, remediationNames(t, r.doc)); diff != "" {
		t.Errorf("remediations (-want +got):\n%s", diff)
	}
	if locked, _ := srv.UserLocked(f.user); !locked {
		t.Fatal("the user is not locked")
	}
	f.last = r
	mustStatusKeys(t, "right password while locked", f.answer(f.password), http.StatusForbidden, "authfactor.challenge.suspended_factor")

	g := newFlow(t, srv)
	g.user, g.password = f.user, f.password
	g.interact()
	g.introspect()
	r = g.identifyFirst(g.user)
	if r.status != http.StatusOK || !cmp.Equal(remediationNames(t, r.doc), []string{"challenge-authenticator"}) {
		t.Fatalf("a locked user's sign-in: %v", r)
	}
	if err := srv.UnlockUser(f.user); err != nil {
		t.Fatal(err)
	}
	f.mustOK("right password once unlocked", f.answer(f.password), "select-authenticator-authenticate")
}

// TestIdentifierFirstRecover: the password challenge's recover action
// turns the sign-in to recovery of the user already identified: the
// recovery authenticators are offered at once, with the password as
// recoveryAuthenticator.
func TestIdentifierFirstRecover(t *testing.T) {
	t.Parallel()
	srv := identifierFirst(t)
	f := newFlow(t, srv)
	f.interact()
	f.introspect()
	r := f.identifyFirst(f.user)
	href := str(t, r.doc, "currentAuthenticatorEnrollment", "value", "recover", "href")
	r = postIon(t, f.c, href, map[string]string{"stateHandle": f.stateHandle})
	f.mustOK("recover", r, "select-authenticator-authenticate")
	if diff := cmp.Diff([]string{idxtest.AuthenticatorEmail}, optionKeys(t, r.doc, "select-authenticator-authenticate")); diff != "" {
		t.Errorf("recovery options (-want +got):\n%s", diff)
	}
	if str(t, r.doc, "recoveryAuthenticator", "value", "key") != idxtest.AuthenticatorPassword {
		t.Errorf("recoveryAuthenticator = %v", r.doc["recoveryAuthenticator"])
	}
	if str(t, r.doc, "user", "value", "identifier") != f.user {
		t.Errorf("user = %v", r.doc["user"])
	}
}

// TestIdentifyRecoveryOffersRegistration: with registration on,
// identify-recovery keeps select-enroll-profile, as Okta's does, and it
// starts a registration.
func TestIdentifyRecoveryOffersRegistration(t *testing.T) {
	t.Parallel()
	p := idxtest.DefaultPolicy()
	p.Recovery, p.Registration = true, true
	srv := newOrg(t, idxtest.WithPolicy(p))
	f := newFlow(t, srv)
	f.interact()
	r := f.introspect()
	r = postIon(t, f.c, str(t, r.doc, "currentAuthenticator", "value", "recover", "href"), map[string]string{"stateHandle": f.stateHandle})
	f.mustOK("recover", r, "identify-recovery", "select-enroll-profile")
	f.mustOK("register", f.submit("select-enroll-profile", nil), "enroll-profile", "select-identify")
}
