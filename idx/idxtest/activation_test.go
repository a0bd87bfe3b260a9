package idxtest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// interactWith is interact with extra /v1/interact parameters
// (activation_token, recovery_token...).
func (f *flow) interactWith(extra url.Values) reply {
	f.t.Helper()
	form := url.Values{
		"client_id":             {f.clientID},
		"scope":                 {f.scope},
		"redirect_uri":          {idxtest.DefaultRedirectURI},
		"code_challenge":        {f.challenge},
		"code_challenge_method": {"S256"},
		"state":                 {f.state},
		"nonce":                 {f.nonce},
	}
	for k, v := range extra {
		form[k] = v
	}
	r := postForm(f.t, f.c, f.srv.Issuer()+"/v1/interact", form, nil)
	if r.status != http.StatusOK {
		f.t.Fatalf("interact: %v", r)
	}
	f.handle = str(f.t, r.doc, "interaction_handle")
	return r
}

// stagedFlow adds a staged user (no password) and returns its flow, whose
// password is the one the user will set.
func stagedFlow(t *testing.T, srv *idxtest.Server, edit func(*idxtest.User)) *flow {
	t.Helper()
	f := newFlowUser(t, srv, func(u *idxtest.User) {
		u.Password, u.Staged = "", true
		if edit != nil {
			edit(u)
		}
	})
	f.password = "Activ8-" + strings.TrimPrefix(f.password, "pw-")
	return f
}

// activate runs interact with the user's activation token, then
// introspect.
func (f *flow) activate() reply {
	f.t.Helper()
	tok, err := f.srv.ActivationToken(f.user)
	if err != nil {
		f.t.Fatal(err)
	}
	f.interactWith(url.Values{"activation_token": {tok}})
	return f.introspect()
}

// TestActivationToken activates a staged user: the transaction starts
// identified, enrolls the password and succeeds; the user then signs in
// with it.
func TestActivationToken(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := stagedFlow(t, srv, nil)

	// Staged: no password, so no sign-in.
	g := newFlow(t, srv)
	g.interact()
	g.introspect()
	if r := g.identify(f.user, "anything-1A"); r.status != http.StatusUnauthorized || !cmp.Equal(messageKeys(t, r.doc), []string{"errors.E0000004"}) {
		t.Errorf("staged user's identify: %v", r)
	}

	r := f.activate()
	f.mustOK("introspect", r, "select-authenticator-enroll")
	if diff := cmp.Diff(map[string]any{"identifier": f.user}, map[string]any{"identifier": str(t, r.doc, "user", "value", "identifier")}); diff != "" {
		t.Errorf("user (-want +got):\n%s", diff)
	}
	opts := path(t, form(t, r.doc, "select-authenticator-enroll"), "value", "name=authenticator", "options").([]any)
	want := mustJSON(t, `[{"label": "Password", "relatesTo": "$.authenticators.value[0]", "value": {"form": {"value": [
		{"name": "id", "required": true, "value": "`+f.authenticatorID(idxtest.AuthenticatorPassword)+`", "mutable": false, "visible": false},
		{"name": "methodType", "required": false, "value": "password", "mutable": false, "visible": false}]}}}]`)
	if diff := cmp.Diff(want, opts); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}

	r = f.choose("select-authenticator-enroll", idxtest.AuthenticatorPassword, nil)
	f.mustOK("password", r, "enroll-authenticator", "select-authenticator-enroll")
	for _, tc := range []struct{ pw, key string }{
		{"", "model.validation.field.blank"},
		{"short", "password.passwordRequirementsNotMet"},
	} {
		r = f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": tc.pw}})
		if r.status != http.StatusBadRequest || !cmp.Equal(fieldKeys(t, r.doc, "enroll-authenticator", "name=credentials", "form", "value", "name=passcode"), []string{tc.key}) {
			t.Errorf("password %q: %v", tc.pw, r)
		}
	}
	r = f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": f.password}})
	f.mustOK("enrolled", r)
	if diff := cmp.Diff([]string{"email", "pwd"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}

	if _, err := srv.ActivationToken(f.user); err == nil {
		t.Error("ActivationToken of an active user succeeded")
	}
	h := newFlow(t, srv)
	h.user, h.password = f.user, f.password
	h.signIn()
	h.mustOK("email", h.selectEmail(), "authenticator-verification-data", "select-authenticator-authenticate")
}

// TestActivationThenEnrollmentPolicy: after the password, the activation
// goes on to what the policy requires (the phone here).
func TestActivationThenEnrollmentPolicy(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors:    2,
		Enrollment: []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorPhone, Required: true}},
	}))
	f := stagedFlow(t, srv, nil)
	f.mustOK("introspect", f.activate(), "select-authenticator-enroll")
	f.choose("select-authenticator-enroll", idxtest.AuthenticatorPassword, nil)
	r := f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": f.password}})
	f.mustOK("password", r, "select-authenticator-enroll")
	if got := str(t, r.doc, "authenticators", "value", 0, "key"); got != idxtest.AuthenticatorPhone {
		t.Fatalf("next enrollment = %q", got)
	}
	f.mustOK("phone", f.choose("select-authenticator-enroll", idxtest.AuthenticatorPhone,
		map[string]any{"methodType": "sms", "phoneNumber": testPhone}), "enroll-authenticator", "select-authenticator-enroll")
	code, _ := srv.LastCode(testPhone)
	f.mustOK("sms code", f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": code}}))
	if diff := cmp.Diff([]string{"email", "pwd", "sms"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestActivationTokenRefused: /v1/interact refuses an unknown, used or
// expired token, or one of a user active by now, as Okta does
// (invalid_request, "The activation token is invalid");
// ActivationToken refuses unknown and active users; AddUser checks the
// staged password.
func TestActivationTokenRefused(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clk.Now), idxtest.WithTransactionLifetime(30*24*time.Hour))
	identifyStep := func(t *testing.T, f *flow, tok string) {
		t.Helper()
		r := postForm(t, f.c, srv.Issuer()+"/v1/interact", url.Values{
			"client_id": {f.clientID}, "scope": {f.scope}, "redirect_uri": {idxtest.DefaultRedirectURI},
			"code_challenge": {f.challenge}, "code_challenge_method": {"S256"}, "state": {f.state},
			"activation_token": {tok},
		}, nil)
		want := map[string]any{"error": "invalid_request", "error_description": "The activation token is invalid"}
		if diff := cmp.Diff(want, any(r.doc)); r.status != http.StatusBadRequest || diff != "" {
			t.Errorf("interact: HTTP %d, body (-want +got):\n%s", r.status, diff)
		}
	}
	t.Run("unknown", func(t *testing.T) {
		identifyStep(t, newFlow(t, srv), "no-such-token")
	})
	t.Run("used", func(t *testing.T) {
		f := stagedFlow(t, srv, nil)
		tok, err := srv.ActivationToken(f.user)
		if err != nil {
			t.Fatal(err)
		}
		f.interactWith(url.Values{"activation_token": {tok}})
		f.mustOK("first use", f.introspect(), "select-authenticator-enroll")
		identifyStep(t, f, tok)
	})
	t.Run("expired", func(t *testing.T) {
		f := stagedFlow(t, srv, nil)
		tok, err := srv.ActivationToken(f.user)
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(7 * 24 * time.Hour)
		identifyStep(t, f, tok)
	})
	t.Run("api", func(t *testing.T) {
		if _, err := srv.ActivationToken("nobody@example.com"); err == nil {
			t.Error("token for an unknown user")
		}
		if _, err := srv.ActivationToken(idxtest.DemoUsername); err == nil {
			t.Error("token for an active user")
		}
		if err := srv.AddUser(idxtest.User{Username: "staged-pw@example.com", Password: "Secret-123", Staged: true}); err == nil {
			t.Error("AddUser took a staged user with a password")
		}
		if err := srv.AddUser(idxtest.User{Username: "active-nopw@example.com"}); err == nil {
			t.Error("AddUser took an active user without a password")
		}
	})
}

// ExampleServer_ActivationToken activates a staged user: the app passes
// the activation token to /v1/interact, and the transaction starts with
// the password enrollment.
func ExampleServer_ActivationToken() {
	org := idxtest.NewServer(idxtest.WithUser(idxtest.User{Username: "new.hire@example.com", Staged: true}))
	defer org.Close()
	tok, err := org.ActivationToken("new.hire@example.com")
	if err != nil {
		panic(err)
	}
	e := &exampleClient{org: org, extra: url.Values{"activation_token": {tok}}}
	doc := e.start()
	fmt.Println(exampleRemediations(doc))
	user := doc["user"].(map[string]any)["value"].(map[string]any)
	fmt.Println(user["identifier"])
	pw := doc["authenticators"].(map[string]any)["value"].([]any)[0].(map[string]any)
	doc = e.post("/idp/idx/credential/enroll", map[string]any{"authenticator": map[string]any{"id": pw["id"]}})
	fmt.Println(exampleRemediations(doc))
	doc = e.post("/idp/idx/challenge/answer", map[string]any{"credentials": map[string]any{"passcode": "First-Passw0rd"}})
	fmt.Println(doc["successWithInteractionCode"] != nil)
	// Output:
	// [select-authenticator-enroll]
	// new.hire@example.com
	// [enroll-authenticator select-authenticator-enroll]
	// true
}
