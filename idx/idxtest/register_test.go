package idxtest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// newRegistration prepares a flow for someone who is not a user yet: the
// flow's user is the email address they will register with.
func newRegistration(t *testing.T, srv *idxtest.Server) *flow {
	t.Helper()
	v, c := pkce()
	return &flow{
		t: t, srv: srv, c: srv.Client(),
		clientID: idxtest.PublicClientID,
		verifier: v, challenge: c,
		state: "st-" + v[:12], nonce: "n-" + v[12:24],
		scope:    "openid profile email",
		user:     "new-" + strings.ToLower(v[24:36]) + "@example.com",
		password: "Fresh-Start9x",
	}
}

// startRegistration runs interact and introspect, then chooses
// select-enroll-profile.
func (f *flow) startRegistration() reply {
	f.t.Helper()
	f.interact()
	r := f.introspect()
	f.mustOK("introspect", r, "identify", "select-enroll-profile")
	r = f.submit("select-enroll-profile", nil)
	f.mustOK("select-enroll-profile", r, "enroll-profile", "select-identify")
	return r
}

func (f *flow) enrollProfile(profile map[string]any) reply {
	f.t.Helper()
	return f.submit("enroll-profile", map[string]any{"userProfile": profile})
}

// profileFieldKeys returns the i18n keys of the messages on
// userProfile.<name> of enroll-profile in r.
func profileFieldKeys(t *testing.T, r reply, name string) []string {
	t.Helper()
	fld := path(t, form(t, r.doc, "enroll-profile"), "value", "name=userProfile", "form", "value", "name="+name)
	return messageKeys(t, fld)
}

func passcodeFieldKeys(t *testing.T, r reply, formName string) []string {
	t.Helper()
	fld := path(t, form(t, r.doc, formName), "value", "name=credentials", "form", "value", "name=passcode")
	return messageKeys(t, fld)
}

var registrationPolicy = idxtest.Policy{Factors: 2, Registration: true}

// TestRegisterOffered: with registration on, identify offers
// select-enroll-profile, which posts to /idp/idx/enroll and leads to
// enroll-profile.
func TestRegisterOffered(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(registrationPolicy))
	f := newRegistration(t, srv)
	f.interact()
	r := f.introspect()
	f.mustOK("introspect", r, "identify", "select-enroll-profile")
	want := mustJSON(t, `{"rel": ["create-form"], "name": "select-enroll-profile",
		"href": "`+srv.URL+`/idp/idx/enroll", "method": "POST",
		"produces": "application/ion+json; okta-version=1.0.0", "accepts": "application/json; okta-version=1.0.0",
		"value": [{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}]}`)
	if diff := cmp.Diff(want, any(form(t, r.doc, "select-enroll-profile"))); diff != "" {
		t.Errorf("select-enroll-profile (-want +got):\n%s", diff)
	}

	r = f.submit("select-enroll-profile", nil)
	f.mustOK("select-enroll-profile", r, "enroll-profile", "select-identify")
	want = mustJSON(t, `{"rel": ["create-form"], "name": "enroll-profile",
		"href": "`+srv.URL+`/idp/idx/enroll/new", "method": "POST",
		"produces": "application/ion+json; okta-version=1.0.0", "accepts": "application/json; okta-version=1.0.0",
		"value": [
			{"name": "userProfile", "form": {"value": [
				{"name": "firstName", "type": "string", "label": "First name", "required": true},
				{"name": "lastName", "type": "string", "label": "Last name", "required": true},
				{"name": "email", "type": "string", "label": "Email", "required": true}]}},
			{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}]}`)
	if diff := cmp.Diff(want, any(form(t, r.doc, "enroll-profile"))); diff != "" {
		t.Errorf("enroll-profile (-want +got):\n%s", diff)
	}
	if got := str(t, form(t, r.doc, "select-identify"), "href"); got != srv.URL+"/idp/idx/identify/select" {
		t.Errorf("select-identify href = %q", got)
	}
	if _, ok := r.doc["currentAuthenticator"]; ok {
		t.Error("enroll-profile has a currentAuthenticator")
	}
	// identify is not on offer any more.
	rr := postIon(t, f.c, srv.URL+"/idp/idx/identify", map[string]any{"stateHandle": f.stateHandle,
		"identifier": idxtest.DemoUsername, "credentials": map[string]any{"passcode": idxtest.DemoPassword}})
	if rr.status != http.StatusForbidden ||
		!cmp.Equal(messageKeys(t, rr.doc), []string{"errors.E0000079"}) {
		t.Errorf("identify during registration: %v", rr)
	}
}

// TestRegisterOff: without registration, select-enroll-profile is not
// offered and its paths are not allowed.
func TestRegisterOff(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newRegistration(t, srv)
	f.interact()
	f.mustOK("introspect", f.introspect(), "identify")
	for _, p := range []string{"/idp/idx/enroll", "/idp/idx/enroll/new", "/idp/idx/identify/select"} {
		r := postIon(t, f.c, srv.URL+p, map[string]any{"stateHandle": f.stateHandle,
			"userProfile": map[string]any{"firstName": "A", "lastName": "B", "email": f.user}})
		if r.status != http.StatusForbidden || !cmp.Equal(messageKeys(t, r.doc), []string{"errors.E0000079"}) {
			t.Errorf("%s: %v", p, r)
		}
	}
	if _, ok := srv.UserLocked(f.user); ok {
		t.Error("a user was created")
	}
}

// TestRegisterProfileErrors: blank, malformed and taken values are
// refused on their field, and nobody is created.
func TestRegisterProfileErrors(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(registrationPolicy))
	f := newRegistration(t, srv)
	f.startRegistration()
	for _, tc := range []struct {
		name    string
		profile map[string]any
		field   string
		key     string
		message string
	}{
		{"no first name", map[string]any{"lastName": "Doe", "email": f.user}, "firstName", "model.validation.field.blank",
			"This field cannot be left blank"},
		{"blank last name", map[string]any{"firstName": "Jo", "lastName": "  ", "email": f.user}, "lastName",
			"model.validation.field.blank", "This field cannot be left blank"},
		{"no email", map[string]any{"firstName": "Jo", "lastName": "Doe"}, "email", "model.validation.field.blank",
			"This field cannot be left blank"},
		{"bad email", map[string]any{"firstName": "Jo", "lastName": "Doe", "email": "jo-at-example"}, "email",
			"registration.error.invalidLoginEmail", "'Email' must be in the form of an email address"},
		{"taken email", map[string]any{"firstName": "Jo", "lastName": "Doe", "email": strings.ToUpper(idxtest.DemoUsername)},
			"email", "registration.error.notUniqueWithinOrg", "A user with this Email already exists"},
		{"number", map[string]any{"firstName": 7, "lastName": "Doe", "email": f.user}, "firstName", "errors.E0000001",
			"Api validation failed: userProfile.firstName"},
	} {
		r := f.enrollProfile(tc.profile)
		if r.status != http.StatusBadRequest {
			t.Fatalf("%s: %v", tc.name, r)
		}
		keys := []string{tc.key}
		if tc.key == "registration.error.invalidLoginEmail" {
			// Okta adds the pattern the address does not match.
			keys = append(keys, "registration.error.doesNotMatchPattern")
		}
		if diff := cmp.Diff(keys, profileFieldKeys(t, r, tc.field)); diff != "" {
			t.Errorf("%s: messages (-want +got):\n%s", tc.name, diff)
		}
		msg := str(t, form(t, r.doc, "enroll-profile"), "value", "name=userProfile", "form", "value", "name="+tc.field,
			"messages", "value", 0, "message")
		if msg != tc.message {
			t.Errorf("%s: message %q, want %q", tc.name, msg, tc.message)
		}
		if got := remediationNames(t, r.doc); !cmp.Equal(got, []string{"enroll-profile", "select-identify"}) {
			t.Errorf("%s: remediations %v", tc.name, got)
		}
	}
	if _, ok := srv.UserLocked(f.user); ok {
		t.Error("a user was created")
	}
}

// TestRegisterEnrollPasswordAndEmail registers a user: the profile, then
// the password and the email, both required; the new user gets tokens
// and can then sign in like any other.
func TestRegisterEnrollPasswordAndEmail(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(registrationPolicy))
	f := newRegistration(t, srv)
	f.startRegistration()
	r := f.enrollProfile(map[string]any{"firstName": "Jo", "lastName": "Doe", "email": f.user})
	f.mustOK("enroll-profile", r, "select-authenticator-enroll")
	if _, ok := srv.UserLocked(f.user); !ok {
		t.Fatal("the user is not in the directory")
	}
	if got := str(t, r.doc, "user", "value", "identifier"); got != f.user {
		t.Errorf("user identifier = %q", got)
	}
	opts := path(t, form(t, r.doc, "select-authenticator-enroll"), "value", "name=authenticator", "options").([]any)
	wantOpts := mustJSON(t, `[
		{"label": "Password", "relatesTo": "$.authenticators.value[0]", "value": {"form": {"value": [
			{"name": "id", "required": true, "value": "`+f.authenticatorID(idxtest.AuthenticatorPassword)+`", "mutable": false, "visible": false},
			{"name": "methodType", "required": false, "value": "password", "mutable": false, "visible": false}]}}},
		{"label": "Email", "relatesTo": "$.authenticators.value[1]", "value": {"form": {"value": [
			{"name": "id", "required": true, "value": "`+f.authenticatorID(idxtest.AuthenticatorEmail)+`", "mutable": false, "visible": false},
			{"name": "methodType", "required": false, "value": "email", "mutable": false, "visible": false}]}}}]`)
	if diff := cmp.Diff(wantOpts, any(opts)); diff != "" {
		t.Errorf("enroll options (-want +got):\n%s", diff)
	}
	if rr := postIon(t, f.c, srv.URL+"/idp/idx/skip", map[string]string{"stateHandle": f.stateHandle}); rr.status != http.StatusForbidden {
		t.Errorf("skip of required enrollments: %v", rr)
	}

	// The password, with the org's complexity rules.
	r = f.choose("select-authenticator-enroll", idxtest.AuthenticatorPassword, nil)
	f.mustOK("choose password", r, "enroll-authenticator", "select-authenticator-enroll")
	want := mustJSON(t, `{"rel": ["create-form"], "name": "enroll-authenticator", "relatesTo": ["$.currentAuthenticator"],
		"href": "`+srv.URL+`/idp/idx/challenge/answer", "method": "POST",
		"produces": "application/ion+json; okta-version=1.0.0", "accepts": "application/json; okta-version=1.0.0",
		"value": [
			{"name": "credentials", "type": "object", "required": true,
			 "form": {"value": [{"name": "passcode", "label": "Enter password", "secret": true}]}},
			{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}]}`)
	if diff := cmp.Diff(want, any(form(t, r.doc, "enroll-authenticator"))); diff != "" {
		t.Errorf("enroll-authenticator (-want +got):\n%s", diff)
	}
	wantSettings := mustJSON(t, `{"complexity": {"minLength": 8, "minLowerCase": 1, "minUpperCase": 1, "minNumber": 1,
		"minSymbol": 0, "excludeUsername": true, "excludeFirstName": false, "excludeLastName": false, "excludeAttributes": [],
		"maxConsecutiveRepeatingCharacters": 0}, "age": {"minAgeMinutes": 0, "historyCount": 1}}`)
	if diff := cmp.Diff(wantSettings, path(t, r.doc, "currentAuthenticator", "value", "settings")); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		name, pw, key string
	}{
		{"blank", "", "model.validation.field.blank"},
		{"short", "Ab1", "password.passwordRequirementsNotMet"},
		{"no upper case", "abcdefgh1", "password.passwordRequirementsNotMet"},
		{"username part", "Example-Passw0rd", "password.passwordRequirementsNotMet"},
	} {
		r = f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": tc.pw}})
		if r.status != http.StatusBadRequest {
			t.Fatalf("%s password: %v", tc.name, r)
		}
		if diff := cmp.Diff([]string{tc.key}, passcodeFieldKeys(t, r, "enroll-authenticator")); diff != "" {
			t.Errorf("%s password: messages (-want +got):\n%s", tc.name, diff)
		}
	}
	msg := str(t, form(t, r.doc, "enroll-authenticator"), "value", "name=credentials", "form", "value", "name=passcode",
		"messages", "value", 0, "message")
	if want := "Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, " +
		"an uppercase letter, a number, no parts of your username."; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
	r = f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": f.password}})
	f.mustOK("enroll password", r, "select-authenticator-enroll")
	if got := len(path(t, r.doc, "authenticators", "value").([]any)); got != 1 {
		t.Errorf("%d authenticators left to enroll, want the email", got)
	}

	// The email, by a code sent to the address, with resend.
	r = f.choose("select-authenticator-enroll", idxtest.AuthenticatorEmail, nil)
	f.mustOK("choose email", r, "enroll-authenticator", "select-authenticator-enroll")
	if got := str(t, form(t, r.doc, "enroll-authenticator"), "value", "name=credentials", "form", "value", "name=passcode", "label"); got != "Enter code" {
		t.Errorf("passcode label = %q", got)
	}
	first := lastMessage(t, srv, f.user)
	if first.Channel != idxtest.ChannelEmail || !strings.Contains(first.Body, "Hi Jo,") {
		t.Errorf("email = %+v", first)
	}
	href := str(t, r.doc, "currentAuthenticator", "value", "resend", "href")
	rr := postIon(t, f.c, href, map[string]string{"stateHandle": f.stateHandle})
	f.mustOK("resend", rr, "enroll-authenticator", "select-authenticator-enroll")
	second := lastMessage(t, srv, f.user)
	if len(srv.Outbox()) != 2 {
		t.Fatalf("outbox after resend: %d messages", len(srv.Outbox()))
	}
	r = f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": "12345x"}})
	if r.status != http.StatusUnauthorized ||
		!cmp.Equal(passcodeFieldKeys(t, r, "enroll-authenticator"), []string{"api.authn.error.PASSCODE_INVALID"}) {
		t.Fatalf("wrong code: %v", r)
	}
	f.mustOK("enroll email", f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": second.Code}}))
	tok := f.redeem(f.verifier)
	if tok.status != http.StatusOK {
		t.Fatalf("token: %v", tok)
	}
	claims, err := jwtClaimsMap(str(t, tok.doc, "id_token"))
	if err != nil {
		t.Fatal(err)
	}
	if claims["email"] != f.user || claims["name"] != "Jo Doe" {
		t.Errorf("ID token claims = %v", claims)
	}

	// The new user signs in with the password and the email.
	g := newRegistration(t, srv)
	g.user, g.password = f.user, f.password
	r = g.signIn()
	g.mustOK("identify", r, "select-authenticator-authenticate")
	g.selectEmail()
	g.verificationData()
	g.mustOK("answer", g.answer(g.code()))
	if diff := cmp.Diff([]string{"pwd", "email"}, g.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}

	// The address is now taken.
	h := newRegistration(t, srv)
	h.startRegistration()
	r = h.enrollProfile(map[string]any{"firstName": "Al", "lastName": "Doe", "email": f.user})
	if r.status != http.StatusBadRequest ||
		!cmp.Equal(profileFieldKeys(t, r, "email"), []string{"registration.error.notUniqueWithinOrg"}) {
		t.Errorf("second registration: %v", r)
	}
}

// TestRegisterOptionalEnrollment: after the required password and email,
// an optional authenticator of the policy is offered with skip.
func TestRegisterOptionalEnrollment(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors: 2, Registration: true,
		Enrollment: []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorPhone}},
	}))
	f := newRegistration(t, srv)
	f.startRegistration()
	r := f.enrollProfile(map[string]any{"firstName": "Jo", "lastName": "Doe", "email": f.user})
	f.mustOK("enroll-profile", r, "select-authenticator-enroll")
	r = f.choose("select-authenticator-enroll", idxtest.AuthenticatorEmail, nil)
	f.mustOK("choose email", r, "enroll-authenticator", "select-authenticator-enroll")
	r = f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": f.code()}})
	f.mustOK("enroll email", r, "select-authenticator-enroll")
	f.choose("select-authenticator-enroll", idxtest.AuthenticatorPassword, nil)
	r = f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": f.password}})
	f.mustOK("enroll password", r, "select-authenticator-enroll", "skip")
	if got := str(t, r.doc, "authenticators", "value", 0, "key"); got != idxtest.AuthenticatorPhone {
		t.Errorf("optional authenticator = %q", got)
	}
	f.mustOK("skip", f.submit("skip", nil))
	if diff := cmp.Diff([]string{"email", "pwd"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestRegisterProfileAttributes: the policy's attributes make up the
// form; a login becomes the username, and the email is always asked for.
func TestRegisterProfileAttributes(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors: 1, Registration: true,
		ProfileAttributes: []idxtest.ProfileAttribute{
			{Name: "login", Label: "Username", Required: true},
			{Name: "favouriteColour", Label: "Favourite colour"},
		},
	}))
	f := newRegistration(t, srv)
	r := f.startRegistration()
	want := mustJSON(t, `[
		{"name": "login", "type": "string", "label": "Username", "required": true},
		{"name": "favouriteColour", "type": "string", "label": "Favourite colour", "required": false},
		{"name": "email", "type": "string", "label": "Email", "required": true}]`)
	if diff := cmp.Diff(want, path(t, form(t, r.doc, "enroll-profile"), "value", "name=userProfile", "form", "value")); diff != "" {
		t.Errorf("userProfile (-want +got):\n%s", diff)
	}
	r = f.enrollProfile(map[string]any{"login": idxtest.DemoUsername, "email": f.user})
	if r.status != http.StatusBadRequest || !cmp.Equal(profileFieldKeys(t, r, "login"), []string{"registration.error.notUniqueWithinOrg"}) {
		t.Fatalf("taken login: %v", r)
	}
	login := "jo-" + f.user[4:12]
	f.mustOK("profile", f.enrollProfile(map[string]any{"login": login, "email": f.user}), "select-authenticator-enroll")
	if _, ok := srv.UserLocked(login); !ok {
		t.Fatalf("no user %q", login)
	}
	f.choose("select-authenticator-enroll", idxtest.AuthenticatorPassword, nil)
	f.mustOK("password", f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": f.password}}),
		"select-authenticator-enroll")
	f.choose("select-authenticator-enroll", idxtest.AuthenticatorEmail, nil)
	if msg := lastMessage(t, srv, f.user); msg.Code == "" {
		t.Fatal("no code")
	}
	f.mustOK("email", f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": f.code()}}))
}

// TestRegisterBackToIdentify: select-identify leaves registration for the
// sign-in.
func TestRegisterBackToIdentify(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(registrationPolicy))
	f := newRegistration(t, srv)
	f.startRegistration()
	r := f.submit("select-identify", map[string]any{"identifier": idxtest.DemoUsername})
	f.mustOK("select-identify", r, "identify", "select-enroll-profile")
	f.mustOK("identify", f.identify(idxtest.DemoUsername, idxtest.DemoPassword), "select-authenticator-authenticate")
}

// ExampleDefaultProfileAttributes lists what self-service registration
// asks for unless Policy.ProfileAttributes says otherwise.
func ExampleDefaultProfileAttributes() {
	for _, a := range idxtest.DefaultProfileAttributes() {
		fmt.Printf("%s (%s) required=%v\n", a.Name, a.Label, a.Required)
	}
	// Output:
	// firstName (First name) required=true
	// lastName (Last name) required=true
	// email (Email) required=true
}

// ExamplePolicy_registration registers a new user over the wire: the
// profile, then the password and the email code, which ends in success.
func ExamplePolicy_registration() {
	org := idxtest.NewServer(idxtest.WithPolicy(idxtest.Policy{Factors: 2, Registration: true}))
	defer org.Close()

	post := func(href string, body map[string]any) map[string]any {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, href, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/ion+json; okta-version=1.0.0")
		resp, err := org.Client().Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var doc map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&doc)
		return doc
	}
	names := func(doc map[string]any) []string {
		var out []string
		if rem, ok := doc["remediation"].(map[string]any); ok {
			for _, f := range rem["value"].([]any) {
				out = append(out, f.(map[string]any)["name"].(string))
			}
		}
		return out
	}
	authenticatorID := func(doc map[string]any, key string) any {
		for _, a := range doc["authenticators"].(map[string]any)["value"].([]any) {
			if a.(map[string]any)["key"] == key {
				return a.(map[string]any)["id"]
			}
		}
		return nil
	}

	sum := sha256.Sum256([]byte("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
	resp, err := org.Client().PostForm(org.Issuer()+"/v1/interact", url.Values{
		"client_id": {idxtest.PublicClientID}, "scope": {"openid"}, "redirect_uri": {idxtest.DefaultRedirectURI},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"state": {"example-state"},
	})
	if err != nil {
		panic(err)
	}
	var ia map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&ia)
	resp.Body.Close()

	doc := post(org.URL+"/idp/idx/introspect", map[string]any{"interactionHandle": ia["interaction_handle"]})
	handle := doc["stateHandle"]
	fmt.Println(names(doc))
	doc = post(org.URL+"/idp/idx/enroll", map[string]any{"stateHandle": handle})
	fmt.Println(names(doc))
	doc = post(org.URL+"/idp/idx/enroll/new", map[string]any{"stateHandle": handle,
		"userProfile": map[string]any{"firstName": "Cy", "lastName": "Reg", "email": "cy@example.com"}})
	fmt.Println(names(doc))
	doc = post(org.URL+"/idp/idx/credential/enroll", map[string]any{"stateHandle": handle,
		"authenticator": map[string]any{"id": authenticatorID(doc, idxtest.AuthenticatorPassword)}})
	doc = post(org.URL+"/idp/idx/challenge/answer", map[string]any{"stateHandle": handle,
		"credentials": map[string]any{"passcode": "Cy-Passw0rd!"}})
	doc = post(org.URL+"/idp/idx/credential/enroll", map[string]any{"stateHandle": handle,
		"authenticator": map[string]any{"id": authenticatorID(doc, idxtest.AuthenticatorEmail)}})
	code, _ := org.LastCode("cy@example.com")
	doc = post(org.URL+"/idp/idx/challenge/answer", map[string]any{"stateHandle": handle,
		"credentials": map[string]any{"passcode": code}})
	_, ok := doc["successWithInteractionCode"]
	fmt.Println("registered and signed in:", ok)
	// Output:
	// [identify select-enroll-profile]
	// [enroll-profile select-identify]
	// [select-authenticator-enroll]
	// registered and signed in: true
}

// TestRegisterExpired: an expired transaction refuses the profile and
// creates nobody.
func TestRegisterExpired(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	srv := newOrg(t, idxtest.WithPolicy(registrationPolicy), idxtest.WithClock(clk.Now))
	f := newRegistration(t, srv)
	f.startRegistration()
	clk.Advance(2 * time.Hour)
	r := f.enrollProfile(map[string]any{"firstName": "Jo", "lastName": "Doe", "email": f.user})
	mustStatusKeys(t, "expired", r, http.StatusUnauthorized, "idx.session.expired")
	if _, ok := srv.UserLocked(f.user); ok {
		t.Error("a user was created")
	}
}
