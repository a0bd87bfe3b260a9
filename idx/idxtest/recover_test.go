package idxtest_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// recoveryPolicy is the default policy with password recovery on.
func recoveryPolicy() idxtest.Option {
	return idxtest.WithPolicy(idxtest.Policy{Factors: 2, Recovery: true})
}

// recover posts the recover action of the last answer's current
// authenticator.
func (f *flow) recover() reply {
	f.t.Helper()
	href := str(f.t, f.last.doc, "currentAuthenticator", "value", "recover", "href")
	r := postIon(f.t, f.c, href, map[string]string{"stateHandle": f.stateHandle})
	f.last = r
	return r
}

// shape replaces every string and number of a decoded document by its
// zero value, so that two answers can be compared for their structure.
func shape(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = shape(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = shape(e)
		}
		return out
	case string:
		return ""
	case float64:
		return 0.0
	}
	return v
}

// TestRecoverAction: with Recovery on, the identify step's password offers
// the recover action; with it off, there is none and /recover is refused.
func TestRecoverAction(t *testing.T) {
	t.Parallel()
	t.Run("on", func(t *testing.T) {
		srv := newOrg(t, recoveryPolicy())
		f := newFlow(t, srv)
		f.interact()
		r := f.introspect()
		got := path(t, r.doc, "currentAuthenticator", "value", "recover")
		want := mustJSON(t, `{"rel": ["create-form"], "name": "recover", "href": "`+srv.URL+`/idp/idx/recover",
			"method": "POST", "produces": "application/ion+json; okta-version=1.0.0",
			"value": [{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}],
			"accepts": "application/json; okta-version=1.0.0"}`)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("recover (-want +got):\n%s", diff)
		}
		f.mustOK("recover", f.recover(), "identify-recovery")
		want = mustJSON(t, `{"rel": ["create-form"], "name": "identify-recovery", "href": "`+srv.URL+`/idp/idx/identify",
			"method": "POST", "produces": "application/ion+json; okta-version=1.0.0",
			"value": [{"name": "identifier", "label": "Username", "required": true},
				{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}],
			"accepts": "application/json; okta-version=1.0.0"}`)
		if diff := cmp.Diff(want, any(form(t, f.last.doc, "identify-recovery"))); diff != "" {
			t.Errorf("identify-recovery (-want +got):\n%s", diff)
		}
		if _, ok := f.last.doc["currentAuthenticator"]; ok {
			t.Error("identify-recovery has a currentAuthenticator")
		}
	})
	t.Run("off", func(t *testing.T) {
		srv := newOrg(t)
		f := newFlow(t, srv)
		f.interact()
		r := f.introspect()
		if _, ok := path(t, r.doc, "currentAuthenticator", "value").(map[string]any)["recover"]; ok {
			t.Error("recover offered with Recovery off")
		}
		rr := postIon(t, f.c, srv.URL+"/idp/idx/recover", map[string]string{"stateHandle": f.stateHandle})
		if rr.status != http.StatusForbidden {
			t.Fatalf("recover: %v", rr)
		}
		if diff := cmp.Diff([]string{"errors.E0000079"}, messageKeys(t, rr.doc)); diff != "" {
			t.Errorf("messages (-want +got):\n%s", diff)
		}
	})
	t.Run("after identify", func(t *testing.T) {
		srv := newOrg(t, recoveryPolicy())
		f := newFlow(t, srv)
		f.signIn()
		rr := postIon(t, f.c, srv.URL+"/idp/idx/recover", map[string]string{"stateHandle": f.stateHandle})
		if rr.status != http.StatusForbidden {
			t.Fatalf("recover after identify: %v", rr)
		}
	})
	t.Run("expired handle", func(t *testing.T) {
		srv := newOrg(t, recoveryPolicy())
		rr := postIon(t, srv.Client(), srv.URL+"/idp/idx/recover", map[string]string{"stateHandle": "02nope"})
		if rr.status != http.StatusUnauthorized {
			t.Fatalf("recover with an unknown handle: %v", rr)
		}
		if diff := cmp.Diff([]string{"idx.session.expired"}, messageKeys(t, rr.doc)); diff != "" {
			t.Errorf("messages (-want +got):\n%s", diff)
		}
	})
}

// toReset runs a recovery of f's user through the email code, up to
// reset-authenticator.
func (f *flow) toReset() reply {
	f.t.Helper()
	f.interact()
	f.introspect()
	f.mustOK("recover", f.recover(), "identify-recovery")
	r := f.submit("identify-recovery", map[string]any{"identifier": f.user})
	f.mustOK("identify-recovery", r, "select-authenticator-authenticate")
	f.mustOK("select email", f.selectEmail(), "authenticator-verification-data", "select-authenticator-authenticate")
	f.mustOK("verification data", f.verificationData(), "challenge-authenticator", "select-authenticator-authenticate")
	r = f.answer(f.code())
	f.mustOK("answer", r, "reset-authenticator")
	return r
}

// TestRecoverResetPassword recovers a password with the email code: the
// new password must meet the complexity rules, then the user is signed in
// and the new password works.
func TestRecoverResetPassword(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, recoveryPolicy())
	f := newFlowUser(t, srv, withPhone)
	f.interact()
	f.introspect()
	f.recover()
	r := f.submit("identify-recovery", map[string]any{"identifier": ""})
	if r.status != http.StatusBadRequest {
		t.Fatalf("blank identifier: %v", r)
	}
	fld := path(t, form(t, r.doc, "identify-recovery"), "value", "name=identifier")
	if diff := cmp.Diff([]string{"model.validation.field.blank"}, messageKeys(t, fld)); diff != "" {
		t.Errorf("blank identifier messages (-want +got):\n%s", diff)
	}
	r = f.submit("identify-recovery", map[string]any{"identifier": f.user})
	f.mustOK("identify-recovery", r, "select-authenticator-authenticate")
	// Only the email recovers, though the user has a phone.
	var keys []string
	for _, a := range path(t, r.doc, "authenticators", "value").([]any) {
		keys = append(keys, a.(map[string]any)["key"].(string))
	}
	if diff := cmp.Diff([]string{idxtest.AuthenticatorEmail}, keys); diff != "" {
		t.Errorf("recovery authenticators (-want +got):\n%s", diff)
	}
	if n := len(srv.Outbox()); n != 0 {
		t.Fatalf("%d messages before the email was chosen", n)
	}
	f.selectEmail()
	f.verificationData()
	r = f.answer("000000x")
	if r.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %v", r)
	}
	r = f.answer(f.code())
	f.mustOK("answer", r, "reset-authenticator")

	want := mustJSON(t, `{"rel": ["create-form"], "name": "reset-authenticator", "relatesTo": ["$.currentAuthenticator"],
		"href": "`+srv.URL+`/idp/idx/challenge/answer", "method": "POST", "produces": "application/ion+json; okta-version=1.0.0",
		"value": [
			{"name": "credentials", "type": "object", "required": true, "form": {"value": [
				{"name": "passcode", "label": "New password", "secret": true},
				{"name": "revokeSessions", "label": "Sign me out of all other devices", "type": "boolean"}]}},
			{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}],
		"accepts": "application/json; okta-version=1.0.0"}`)
	if diff := cmp.Diff(want, any(form(t, r.doc, "reset-authenticator"))); diff != "" {
		t.Errorf("reset-authenticator (-want +got):\n%s", diff)
	}
	cur := path(t, r.doc, "currentAuthenticator", "value").(map[string]any)
	if str(t, cur, "key") != idxtest.AuthenticatorPassword {
		t.Errorf("currentAuthenticator = %v", cur)
	}
	wantComplexity := mustJSON(t, `{"minLength": 8, "minLowerCase": 1, "minUpperCase": 1, "minNumber": 1, "minSymbol": 0,
		"excludeUsername": true, "excludeFirstName": false, "excludeLastName": false, "excludeAttributes": [],
		"maxConsecutiveRepeatingCharacters": 0}`)
	if diff := cmp.Diff(wantComplexity, path(t, cur, "settings", "complexity")); diff != "" {
		t.Errorf("complexity (-want +got):\n%s", diff)
	}
	if got := str(t, r.doc, "user", "value", "identifier"); got != f.user {
		t.Errorf("user = %q", got)
	}

	const newPassword = "Brand-new-Passw0rd"
	for _, tc := range []struct {
		name, password string
		key            string
	}{
		{"blank", "", "model.validation.field.blank"},
		{"weak", "short", "password.passwordRequirementsNotMet"},
		{"no digit", "Password-without-digits", "password.passwordRequirementsNotMet"},
		{"current", f.password, "password.passwordRequirementsNotMet"},
	} {
		r = f.submit("reset-authenticator", map[string]any{"credentials": map[string]any{"passcode": tc.password}})
		if r.status != http.StatusBadRequest {
			t.Fatalf("%s password: %v", tc.name, r)
		}
		fld := path(t, form(t, r.doc, "reset-authenticator"), "value", "name=credentials", "form", "value", "name=passcode")
		if diff := cmp.Diff([]string{tc.key}, messageKeys(t, fld)); diff != "" {
			t.Errorf("%s password messages (-want +got):\n%s", tc.name, diff)
		}
	}
	r = f.submit("reset-authenticator", map[string]any{"credentials": map[string]any{"passcode": newPassword, "revokeSessions": false}})
	f.mustOK("reset", r)
	if diff := cmp.Diff([]string{"email", "pwd"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}

	old := &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
		state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: f.password}
	old.interact()
	old.introspect()
	if r := old.identify(f.user, f.password); r.status != http.StatusUnauthorized {
		t.Errorf("old password after reset: %v", r)
	}
	fresh := &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
		state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: newPassword}
	fresh.mustOK("new password", fresh.signIn(), "select-authenticator-authenticate")
}

// TestRecoverUnknownUser: recovery for a username nobody has answers as
// for a real user, sends nothing, and no code is accepted.
func TestRecoverUnknownUser(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, recoveryPolicy())
	known := newFlow(t, srv)
	known.interact()
	known.introspect()
	known.recover()
	knownID := known.submit("identify-recovery", map[string]any{"identifier": known.user})
	knownSel := known.selectEmail()
	knownData := known.verificationData()

	f := newFlow(t, srv)
	f.interact()
	f.introspect()
	f.recover()
	const nobody = "nobody-here@example.com"
	steps := []struct {
		name  string
		known reply
		got   reply
	}{
		{"identify-recovery", knownID, f.submit("identify-recovery", map[string]any{"identifier": nobody})},
		{"select", knownSel, f.selectEmail()},
		{"verification data", knownData, f.verificationData()},
	}
	for _, s := range steps {
		if s.got.status != s.known.status {
			t.Errorf("%s: status %d, known user %d", s.name, s.got.status, s.known.status)
		}
		if diff := cmp.Diff(shape(s.known.doc), shape(s.got.doc)); diff != "" {
			t.Errorf("%s: answer differs from a known user's (-known +unknown):\n%s", s.name, diff)
		}
	}
	if got := str(t, f.last.doc, "currentAuthenticatorEnrollment", "value", "profile", "email"); got != "n***e@example.com" {
		t.Errorf("masked email = %q", got)
	}
	for _, m := range srv.Outbox() {
		if m.To == nobody {
			t.Fatalf("a message went to the unknown user: %+v", m)
		}
	}
	if n := len(srv.Outbox()); n != 1 {
		t.Errorf("%d messages, want the known user's one", n)
	}
	r := f.answer(known.code())
	if r.status != http.StatusUnauthorized {
		t.Fatalf("code for the unknown user: %v", r)
	}
	fld := path(t, form(t, r.doc, "challenge-authenticator"), "value", "name=credentials", "form", "value", "name=passcode")
	if diff := cmp.Diff([]string{"api.authn.error.PASSCODE_INVALID"}, messageKeys(t, fld)); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if rr := postIon(t, f.c, srv.URL+"/idp/idx/challenge/resend", map[string]string{"stateHandle": f.stateHandle}); rr.status != http.StatusOK {
		t.Errorf("resend: %v", rr)
	}
	if n := len(srv.Outbox()); n != 1 {
		t.Errorf("resend for the unknown user sent a message (%d in the outbox)", n)
	}
}

// TestRecoverWrongStep: reset-authenticator is only offered once the
// email is verified.
func TestRecoverWrongStep(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, recoveryPolicy())
	f := newFlow(t, srv)
	f.interact()
	f.introspect()
	f.recover()
	f.submit("identify-recovery", map[string]any{"identifier": f.user})
	r := postIon(t, f.c, srv.URL+"/idp/idx/challenge/answer", map[string]any{
		"stateHandle": f.stateHandle, "credentials": map[string]any{"passcode": "Brand-new-Passw0rd"},
	})
	if r.status != http.StatusForbidden {
		t.Fatalf("new password before verification: %v", r)
	}
	if diff := cmp.Diff([]string{"errors.E0000079"}, messageKeys(t, r.doc)); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}

// TestRecoverTerminal: with WithPasswordResetTerminal, a reset ends with
// the idx.recovery.completed terminal answer instead of a sign-in.
func TestRecoverTerminal(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, recoveryPolicy(), idxtest.WithPasswordResetTerminal())
	f := newFlow(t, srv)
	f.toReset()
	r := f.submit("reset-authenticator", map[string]any{"credentials": map[string]any{"passcode": "Brand-new-Passw0rd"}})
	f.mustOK("reset", r)
	want := mustJSON(t, `{"type": "array", "value": [{"message": "You can now sign in with your existing username and new password.",
		"i18n": {"key": "idx.recovery.completed"}, "class": "INFO"}]}`)
	if diff := cmp.Diff(want, r.doc["messages"]); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if _, ok := r.doc["successWithInteractionCode"]; ok {
		t.Error("terminal answer carries an interaction code")
	}
	if got := str(t, r.doc, "user", "value", "identifier"); got != f.user {
		t.Errorf("user = %q", got)
	}
	in := postIon(t, f.c, srv.URL+"/idp/idx/introspect", map[string]string{"stateHandle": f.stateHandle})
	f.mustOK("introspect terminal", in)
	if diff := cmp.Diff(want, in.doc["messages"]); diff != "" {
		t.Errorf("introspect messages (-want +got):\n%s", diff)
	}
}

// TestRecoverUnlocksAccount: resetting the password also unlocks a locked
// account.
func TestRecoverUnlocksAccount(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, recoveryPolicy())
	f := newFlowUser(t, srv, func(u *idxtest.User) { u.Locked = true })
	f.toReset()
	f.mustOK("reset", f.submit("reset-authenticator", map[string]any{"credentials": map[string]any{"passcode": "Brand-new-Passw0rd"}}))
	if locked, ok := srv.UserLocked(f.user); !ok || locked {
		t.Errorf("UserLocked = %v, %v after the reset", locked, ok)
	}
}
