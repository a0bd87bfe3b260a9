package idxtest_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// expiringPassword is a flow user's password that meets the default
// complexity rules, so that reuse can be told apart from weakness.
const expiringPassword = "Old-Passw0rd!"

func (f *flow) newPassword(formName, pw string) reply {
	f.t.Helper()
	return f.submit(formName, map[string]any{"credentials": map[string]any{"passcode": pw}})
}

// TestPasswordExpired: after the sign-on factors, an expired password must
// be changed with reenroll-authenticator before the sign-in succeeds; the
// old password then no longer works.
func TestPasswordExpired(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlowUser(t, srv, func(u *idxtest.User) { u.Password, u.PasswordExpired = expiringPassword, true })
	f.password = expiringPassword
	f.toChallenge()
	r := f.answer(f.code())
	f.mustOK("email answer", r, "reenroll-authenticator")
	want := mustJSON(t, `{"rel": ["create-form"], "name": "reenroll-authenticator", "relatesTo": ["$.currentAuthenticator"],
		"href": "`+srv.URL+`/idp/idx/challenge/answer", "method": "POST",
		"produces": "application/ion+json; okta-version=1.0.0", "accepts": "application/json; okta-version=1.0.0",
		"value": [
			{"name": "credentials", "type": "object", "required": true,
			 "form": {"value": [{"name": "passcode", "label": "New password", "secret": true}]}},
			{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}]}`)
	if diff := cmp.Diff(want, any(form(t, r.doc, "reenroll-authenticator"))); diff != "" {
		t.Errorf("reenroll-authenticator (-want +got):\n%s", diff)
	}
	cur := path(t, r.doc, "currentAuthenticator", "value").(map[string]any)
	if cur["key"] != idxtest.AuthenticatorPassword || cur["type"] != "password" {
		t.Errorf("currentAuthenticator = %v", cur)
	}
	if got := path(t, cur, "settings", "complexity", "minLength"); got != 8.0 {
		t.Errorf("minLength = %v", got)
	}
	if got := str(t, r.doc, "authenticatorEnrollments", "value", 0, "key"); got != idxtest.AuthenticatorPassword {
		t.Errorf("enrollment = %q", got)
	}

	for _, tc := range []struct {
		name, pw, key, message string
	}{
		{"blank", "", "model.validation.field.blank", "This field cannot be left blank"},
		{"weak", "password", "password.passwordRequirementsNotMet", "Password requirements were not met. Password requirements: " +
			"at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username."},
		{"the old one", expiringPassword, "password.passwordRequirementsNotMet", "Password cannot be your current password."},
	} {
		r = f.newPassword("reenroll-authenticator", tc.pw)
		if r.status != http.StatusBadRequest {
			t.Fatalf("%s: %v", tc.name, r)
		}
		if diff := cmp.Diff([]string{tc.key}, passcodeFieldKeys(t, r, "reenroll-authenticator")); diff != "" {
			t.Errorf("%s: messages (-want +got):\n%s", tc.name, diff)
		}
		if got := str(t, form(t, r.doc, "reenroll-authenticator"), "value", "name=credentials", "form", "value", "name=passcode",
			"messages", "value", 0, "message"); got != tc.message {
			t.Errorf("%s: message %q", tc.name, got)
		}
	}
	// Only the password change is on offer.
	if rr := postIon(t, f.c, srv.URL+"/idp/idx/skip", map[string]string{"stateHandle": f.stateHandle}); rr.status != http.StatusForbidden ||
		!cmp.Equal(messageKeys(t, rr.doc), []string{"errors.E0000079"}) {
		t.Errorf("skip: %v", rr)
	}

	const changed = "New-Passw0rd!"
	f.mustOK("new password", f.newPassword("reenroll-authenticator", changed))
	if diff := cmp.Diff([]string{"pwd", "email"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}

	g := &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
		state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: expiringPassword}
	g.interact()
	g.introspect()
	if r := g.identify(g.user, expiringPassword); r.status != http.StatusUnauthorized {
		t.Errorf("old password: %v", r)
	}
	g.mustOK("new password", g.identify(g.user, changed), "select-authenticator-authenticate")
	g.selectEmail()
	g.verificationData()
	g.mustOK("no longer expired", g.answer(g.code()))
}

// TestPasswordExpiredOneFactor: with the password as the only factor, the
// change comes right after identify.
func TestPasswordExpiredOneFactor(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 1}))
	f := newFlowUser(t, srv, func(u *idxtest.User) { u.Password, u.PasswordExpired = expiringPassword, true })
	f.password = expiringPassword
	f.mustOK("identify", f.signIn(), "reenroll-authenticator")
	f.mustOK("new password", f.newPassword("reenroll-authenticator", "Brand-New-Passw0rd"))
	if diff := cmp.Diff([]string{"pwd"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestPasswordExpiresSoon: an expiring password is announced with
// reenroll-authenticator-warning (the message and the days left, as
// Okta's), which the user may skip or answer.
func TestPasswordExpiresSoon(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 1}))
	soon := func(u *idxtest.User) { u.Password, u.PasswordExpiresSoon = expiringPassword, true }

	t.Run("skip", func(t *testing.T) {
		f := newFlowUser(t, srv, soon)
		f.password = expiringPassword
		r := f.signIn()
		f.mustOK("identify", r, "reenroll-authenticator-warning", "skip")
		want := mustJSON(t, `{"type": "array", "value": [{"message": "When your password expires, you will have to change your password before you can login to your idxtest account.",
			"i18n": {"key": "idx.password.expiring.message", "params": ["idxtest"]}, "class": "INFO"}]}`)
		if diff := cmp.Diff(want, path(t, r.doc, "messages")); diff != "" {
			t.Errorf("messages (-want +got):\n%s", diff)
		}
		if got := path(t, r.doc, "currentAuthenticator", "value", "settings", "daysToExpiry"); got != 5.0 {
			t.Errorf("daysToExpiry = %v, want 5", got)
		}
		if got := str(t, r.doc, "recoveryAuthenticator", "value", "key"); got != idxtest.AuthenticatorPassword {
			t.Errorf("recoveryAuthenticator %q", got)
		}
		if got := str(t, form(t, r.doc, "reenroll-authenticator-warning"), "value", "name=credentials", "form", "value",
			"name=passcode", "label"); got != "New password" {
			t.Errorf("label = %q", got)
		}
		if got := str(t, form(t, r.doc, "skip"), "href"); got != srv.URL+"/idp/idx/skip" {
			t.Errorf("skip href = %q", got)
		}
		f.mustOK("skip", f.submit("skip", nil))
		// Still expiring: the next sign-in warns again.
		g := &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
			state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: f.password}
		g.mustOK("again", g.signIn(), "reenroll-authenticator-warning", "skip")
	})
	t.Run("change", func(t *testing.T) {
		f := newFlowUser(t, srv, soon)
		f.password = expiringPassword
		f.signIn()
		r := f.newPassword("reenroll-authenticator-warning", "weak")
		if r.status != http.StatusBadRequest ||
			!cmp.Equal(passcodeFieldKeys(t, r, "reenroll-authenticator-warning"), []string{"password.passwordRequirementsNotMet"}) {
			t.Fatalf("weak: %v", r)
		}
		f.mustOK("change", f.newPassword("reenroll-authenticator-warning", "Next-Passw0rd!"))
		g := &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
			state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: "Next-Passw0rd!"}
		g.mustOK("no warning", g.signIn())
	})
}

// TestPasswordComplexityPolicy: the policy's rules are shown and enforced.
func TestPasswordComplexityPolicy(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 1, PasswordComplexity: &idxtest.PasswordComplexity{
		MinLength: 12, MinSymbol: 2, ExcludeAttributes: []string{"firstName"}, MaxConsecutiveRepeatingCharacters: 2,
	}}))
	f := newFlowUser(t, srv, func(u *idxtest.User) { u.PasswordExpired = true })
	r := f.signIn()
	f.mustOK("identify", r, "reenroll-authenticator")
	want := mustJSON(t, `{"complexity": {"minLength": 12, "minLowerCase": 0, "minUpperCase": 0, "minNumber": 0,
		"minSymbol": 2, "excludeUsername": false, "excludeFirstName": true, "excludeLastName": false,
		"excludeAttributes": ["firstName"], "maxConsecutiveRepeatingCharacters": 2},
		"age": {"minAgeMinutes": 0, "historyCount": 1}}`)
	if diff := cmp.Diff(want, path(t, r.doc, "currentAuthenticator", "value", "settings")); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	for _, pw := range []string{"short!!", "twelvechars!x", "flow-tester-#!x", "aaa-bbb-ccc-!"} {
		r = f.newPassword("reenroll-authenticator", pw)
		if r.status != http.StatusBadRequest {
			t.Errorf("%q accepted: %v", pw, r)
		}
	}
	msg := str(t, form(t, r.doc, "reenroll-authenticator"), "value", "name=credentials", "form", "value", "name=passcode",
		"messages", "value", 0, "message")
	if want := "Password requirements were not met. Password requirements: at least 12 characters, 2 symbols, " +
		"does not include your first name, no more than 2 consecutive repeating characters."; msg != want {
		t.Errorf("message %q", msg)
	}
	f.mustOK("good", f.newPassword("reenroll-authenticator", "all lower-case, ok"))
}

// ExampleDefaultPasswordComplexity shows the rules a new password must
// meet unless Policy.PasswordComplexity says otherwise.
func ExampleDefaultPasswordComplexity() {
	pc := idxtest.DefaultPasswordComplexity()
	fmt.Printf("min length %d, lower %d, upper %d, number %d, symbol %d, exclude username %v\n",
		pc.MinLength, pc.MinLowerCase, pc.MinUpperCase, pc.MinNumber, pc.MinSymbol, pc.ExcludeUsername)
	// Output:
	// min length 8, lower 1, upper 1, number 1, symbol 0, exclude username true
}
