package idxtest_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

func unlockPolicy() idxtest.Option {
	return idxtest.WithPolicy(idxtest.Policy{Factors: 2, Unlock: true})
}

func locked(u *idxtest.User) { u.Locked = true }

// toUnlock starts an unlock: interact, introspect, unlock-account.
func (f *flow) toUnlock() reply {
	f.t.Helper()
	f.interact()
	f.introspect()
	r := f.submit("unlock-account", nil)
	f.mustOK("unlock-account", r, "select-authenticator-unlock-account")
	return r
}

// unlockWith submits select-authenticator-unlock-account for identifier
// with the email.
func (f *flow) unlockWith(identifier string) reply {
	f.t.Helper()
	return f.submit("select-authenticator-unlock-account", map[string]any{
		"identifier":    identifier,
		"authenticator": map[string]any{"id": f.authenticatorID(idxtest.AuthenticatorEmail), "methodType": "email"},
	})
}

// TestUnlockAccount unlocks a locked account with the email code; the
// user can then sign in.
func TestUnlockAccount(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, unlockPolicy())
	f := newFlowUser(t, srv, locked)
	f.interact()
	r := f.introspect()
	f.mustOK("introspect", r, "identify", "unlock-account")
	want := mustJSON(t, `{"rel": ["create-form"], "name": "unlock-account", "href": "`+srv.URL+`/idp/idx/unlock-account",
		"method": "POST", "produces": "application/ion+json; okta-version=1.0.0",
		"value": [{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}],
		"accepts": "application/json; okta-version=1.0.0"}`)
	if diff := cmp.Diff(want, any(form(t, r.doc, "unlock-account"))); diff != "" {
		t.Errorf("unlock-account (-want +got):\n%s", diff)
	}
	if r := f.identify(f.user, f.password); r.status != http.StatusForbidden {
		t.Fatalf("identify while locked: %v", r)
	}

	f = &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
		state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: f.password}
	r = f.toUnlock()
	emailID := f.authenticatorID(idxtest.AuthenticatorEmail)
	want = mustJSON(t, `{"rel": ["create-form"], "name": "select-authenticator-unlock-account",
		"href": "`+srv.URL+`/idp/idx/challenge", "method": "POST", "produces": "application/ion+json; okta-version=1.0.0",
		"value": [
			{"name": "identifier", "label": "Username", "required": true},
			{"name": "authenticator", "type": "object", "options": [{"label": "Email", "relatesTo": "$.authenticatorEnrollments.value[0]",
				"value": {"form": {"value": [
					{"name": "id", "required": true, "value": "`+emailID+`", "mutable": false, "visible": false},
					{"name": "methodType", "required": false, "value": "email", "mutable": false, "visible": false}]}}}]},
			{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}],
		"accepts": "application/json; okta-version=1.0.0"}`)
	if diff := cmp.Diff(want, any(form(t, r.doc, "select-authenticator-unlock-account"))); diff != "" {
		t.Errorf("select-authenticator-unlock-account (-want +got):\n%s", diff)
	}
	if _, ok := r.doc["user"]; ok {
		t.Error("the unlock selection shows a user")
	}

	for _, tc := range []struct {
		name   string
		values map[string]any
		field  string // "" for a top-level message
		key    string
	}{
		{"blank identifier", map[string]any{"identifier": " ", "authenticator": map[string]any{"id": emailID}}, "identifier", "model.validation.field.blank"},
		{"no authenticator", map[string]any{"identifier": f.user}, "", "errors.E0000001"},
		{"unknown authenticator", map[string]any{"identifier": f.user, "authenticator": map[string]any{"id": "autnope"}}, "", "errors.E0000001"},
		{"bad method", map[string]any{"identifier": f.user, "authenticator": map[string]any{"id": emailID, "methodType": "sms"}}, "", "errors.E0000001"},
	} {
		r := f.submit("select-authenticator-unlock-account", tc.values)
		if r.status != http.StatusBadRequest {
			t.Fatalf("%s: %v", tc.name, r)
		}
		var holder any = r.doc
		if tc.field != "" {
			holder = path(t, form(t, r.doc, "select-authenticator-unlock-account"), "value", "name="+tc.field)
		}
		if diff := cmp.Diff([]string{tc.key}, messageKeys(t, holder)); diff != "" {
			t.Errorf("%s: messages (-want +got):\n%s", tc.name, diff)
		}
	}
	if n := len(srv.Outbox()); n != 0 {
		t.Fatalf("%d messages after bad selections", n)
	}

	r = f.unlockWith(f.user)
	f.mustOK("select email", r, "challenge-authenticator", "select-authenticator-authenticate")
	if got := str(t, r.doc, "currentAuthenticatorEnrollment", "value", "key"); got != idxtest.AuthenticatorEmail {
		t.Errorf("current = %q", got)
	}
	if r := f.answer("000000x"); r.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %v", r)
	}
	if locked, _ := srv.UserLocked(f.user); !locked {
		t.Fatal("unlocked before the code was answered")
	}
	r = f.answer(f.code())
	f.mustOK("answer", r)
	want = mustJSON(t, `{"type": "array", "value": [{"message": "You can log in using your existing username and password",
		"i18n": {"key": "oie.selfservice.unlock_user.success.message", "params": []}, "class": "INFO"}]}`)
	if diff := cmp.Diff(want, r.doc["messages"]); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if _, ok := r.doc["successWithInteractionCode"]; ok {
		t.Error("the unlock answer carries an interaction code")
	}
	if got := str(t, r.doc, "user", "value", "identifier"); got != f.user {
		t.Errorf("user = %q", got)
	}
	if locked, ok := srv.UserLocked(f.user); !ok || locked {
		t.Errorf("UserLocked = %v, %v after unlock", locked, ok)
	}
	if rr := postIon(t, f.c, srv.URL+"/idp/idx/challenge", map[string]string{"stateHandle": f.stateHandle}); rr.status != http.StatusForbidden {
		// The terminal answer has no forms: any submission is refused.
		t.Errorf("submission after the terminal answer: %v", rr)
	}

	g := &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
		state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: f.password}
	g.mustOK("sign-in after unlock", g.signIn(), "select-authenticator-authenticate")
}

// TestUnlockUnknownUser: an unlock for a username nobody has answers as
// for a real user and sends nothing.
func TestUnlockUnknownUser(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, unlockPolicy())
	known := newFlowUser(t, srv, locked)
	known.toUnlock()
	knownSel := known.unlockWith(known.user)

	f := newFlow(t, srv)
	f.toUnlock()
	r := f.unlockWith("nobody-here@example.com")
	if r.status != knownSel.status {
		t.Errorf("status %d, known user %d", r.status, knownSel.status)
	}
	if diff := cmp.Diff(shape(knownSel.doc), shape(r.doc)); diff != "" {
		t.Errorf("answer differs from a known user's (-known +unknown):\n%s", diff)
	}
	if n := len(srv.Outbox()); n != 1 {
		t.Fatalf("%d messages, want the known user's one", n)
	}
	if r := f.answer(known.code()); r.status != http.StatusUnauthorized {
		t.Errorf("a code for the unknown user: %v", r)
	}
}

// TestUnlockOff: without Policy.Unlock there is no unlock-account, and
// /unlock-account is refused.
func TestUnlockOff(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	f.interact()
	f.mustOK("introspect", f.introspect(), "identify")
	r := postIon(t, f.c, srv.URL+"/idp/idx/unlock-account", map[string]string{"stateHandle": f.stateHandle})
	if r.status != http.StatusForbidden {
		t.Fatalf("unlock-account: %v", r)
	}
	if diff := cmp.Diff([]string{"errors.E0000079"}, messageKeys(t, r.doc)); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}
