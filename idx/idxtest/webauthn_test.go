package idxtest_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

func withWebAuthn(u *idxtest.User) { u.WebAuthn = true }

// webAuthnCreds is the credentials object of an assertion.
func webAuthnCreds(a idxtest.WebAuthnAnswer) map[string]any {
	return map[string]any{"credentials": map[string]any{
		"clientData": a.ClientData, "authenticatorData": a.AuthenticatorData, "signatureData": a.SignatureData,
	}}
}

// TestWebAuthnVerify verifies a security key: the option relates to the
// authenticator, the enrollment carries the credential ID and transports
// a browser builds allowCredentials from, the challenge (with hints) is
// on currentAuthenticator, the answer a signed assertion, and forged or
// mismatched answers are refused.
func TestWebAuthnVerify(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlowUser(t, srv, withWebAuthn)
	r := f.signIn()
	opt := path(t, form(t, r.doc, "select-authenticator-authenticate"), "value", "name=authenticator", "options", 1)
	want := mustJSON(t, `{"label": "Security Key or Biometric", "relatesTo": "$.authenticators.value[1]", "value": {"form": {"value": [
		{"name": "id", "required": true, "value": "`+f.authenticatorID(idxtest.AuthenticatorWebAuthn)+`", "mutable": false, "visible": false},
		{"name": "methodType", "required": false, "value": "webauthn", "mutable": false, "visible": false}]}}}`)
	if diff := cmp.Diff(want, opt); diff != "" {
		t.Errorf("option (-want +got):\n%s", diff)
	}
	enrollment := path(t, r.doc, "authenticatorEnrollments", "value", 1).(map[string]any)
	credentialID := str(t, enrollment, "credentialId")
	if raw, err := base64.RawURLEncoding.DecodeString(credentialID); err != nil || len(raw) < 16 || enrollment["key"] != idxtest.AuthenticatorWebAuthn {
		t.Errorf("enrollment %v: credentialId is not the base64url of a credential ID", enrollment)
	}
	if diff := cmp.Diff([]any{"usb", "nfc"}, enrollment["transports"]); diff != "" {
		t.Errorf("transports (-want +got):\n%s", diff)
	}

	r = f.choose("select-authenticator-authenticate", idxtest.AuthenticatorWebAuthn, nil)
	f.mustOK("select", r, "challenge-authenticator", "select-authenticator-authenticate")
	want = mustJSON(t, `{"name": "credentials", "type": "object", "required": true, "form": {"value": [
		{"name": "clientData", "label": "Client Data", "required": true, "visible": false},
		{"name": "authenticatorData", "label": "Authenticator Data", "required": true, "visible": false},
		{"name": "signatureData", "label": "Signature Data", "required": true, "visible": false}]}}`)
	if diff := cmp.Diff(want, credentialFields(t, r.doc, "challenge-authenticator")); diff != "" {
		t.Errorf("credentials (-want +got):\n%s", diff)
	}
	cur := path(t, r.doc, "currentAuthenticator", "value").(map[string]any)
	challenge := str(t, cur, "contextualData", "challengeData", "challenge")
	wantData := mustJSON(t, `{"challengeData": {"challenge": "`+challenge+`", "userVerification": "preferred",
		"hints": ["security-key"], "extensions": {"appid": "`+srv.URL+`"}}}`)
	if diff := cmp.Diff(wantData, cur["contextualData"]); diff != "" {
		t.Errorf("contextualData (-want +got):\n%s", diff)
	}
	if cur["key"] != idxtest.AuthenticatorWebAuthn || cur["type"] != "security_key" || len(challenge) < 16 {
		t.Errorf("currentAuthenticator = %v", cur)
	}
	if _, ok := r.doc["currentAuthenticatorEnrollment"]; ok {
		t.Error("a WebAuthn challenge has currentAuthenticatorEnrollment; Okta's has currentAuthenticator only")
	}
	if got := str(t, r.doc, "authenticatorEnrollments", "value", 1, "credentialId"); got != credentialID {
		t.Errorf("challenge: credentialId %q, want the one of the selection %q", got, credentialID)
	}
	// The form relates to currentAuthenticator, which holds the challenge,
	// as Okta's does: a client following relatesTo finds challengeData.
	if diff := cmp.Diff([]any{"$.currentAuthenticator"}, form(t, r.doc, "challenge-authenticator")["relatesTo"]); diff != "" {
		t.Errorf("challenge-authenticator relatesTo (-want +got):\n%s", diff)
	}

	good, err := srv.WebAuthnAssertion(f.user, challenge)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := srv.WebAuthnAssertion(f.user, "b3RoZXItY2hhbGxlbmdl")
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		field  string // "" for a top-level message
		key    string
	}{
		{"blank", map[string]any{"credentials": map[string]any{"clientData": good.ClientData}}, http.StatusBadRequest,
			"authenticatorData", "model.validation.field.blank"},
		{"other challenge", webAuthnCreds(other), http.StatusUnauthorized, "", "authfactor.webauthn.error.assertion_validation_failure"},
		{"create type", webAuthnCreds(idxtest.WebAuthnAnswer{ClientData: idxtest.WebAuthnClientData("webauthn.create", challenge, srv.URL),
			AuthenticatorData: good.AuthenticatorData, SignatureData: good.SignatureData}), http.StatusUnauthorized, "", "authfactor.webauthn.error.assertion_validation_failure"},
		{"other origin", webAuthnCreds(idxtest.WebAuthnAnswer{ClientData: idxtest.WebAuthnClientData("webauthn.get", challenge, "https://evil.example"),
			AuthenticatorData: good.AuthenticatorData, SignatureData: good.SignatureData}), http.StatusUnauthorized, "", "authfactor.webauthn.error.assertion_validation_failure"},
		{"forged signature", webAuthnCreds(idxtest.WebAuthnAnswer{ClientData: good.ClientData,
			AuthenticatorData: good.AuthenticatorData, SignatureData: other.SignatureData}), http.StatusUnauthorized, "", "authfactor.webauthn.error.assertion_validation_failure"},
		{"not base64url", webAuthnCreds(idxtest.WebAuthnAnswer{ClientData: "{not base64}",
			AuthenticatorData: good.AuthenticatorData, SignatureData: good.SignatureData}), http.StatusUnauthorized, "", "authfactor.webauthn.error.assertion_validation_failure"},
	} {
		r = f.submit("challenge-authenticator", tc.body)
		if r.status != tc.status {
			t.Fatalf("%s: %v", tc.name, r)
		}
		got := messageKeys(t, r.doc)
		if tc.field != "" {
			got = fieldKeys(t, r.doc, "challenge-authenticator", "name=credentials", "form", "value", "name="+tc.field)
		}
		if diff := cmp.Diff([]string{tc.key}, got); diff != "" {
			t.Errorf("%s: messages (-want +got):\n%s", tc.name, diff)
		}
	}

	f.mustOK("answer", f.submit("challenge-authenticator", webAuthnCreds(good)))
	if diff := cmp.Diff([]string{"pwd", "hwk"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestWebAuthnClientData checks the clientData a browser would send.
func TestWebAuthnClientData(t *testing.T) {
	t.Parallel()
	cd := idxtest.WebAuthnClientData("webauthn.get", "Y2hhbGxlbmdl", "http://127.0.0.1:8080")
	raw, err := base64.RawURLEncoding.DecodeString(cd)
	if err != nil {
		t.Fatalf("not unpadded base64url: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"type": "webauthn.get", "challenge": "Y2hhbGxlbmdl", "origin": "http://127.0.0.1:8080", "crossOrigin": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("client data (-want +got):\n%s", diff)
	}
	if _, err := newOrg(t).WebAuthnAssertion("nobody@example.com", "x"); err == nil {
		t.Error("WebAuthnAssertion for an unknown user succeeded")
	}
}

// TestWebAuthnEnroll enrolls a security key with the creation options of
// activationData, then signs in with it.
func TestWebAuthnEnroll(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors:        2,
		Authenticators: []string{idxtest.AuthenticatorPassword, idxtest.AuthenticatorWebAuthn},
		Enrollment:     []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorWebAuthn, Required: true}},
	}))
	f := newFlow(t, srv)
	f.mustOK("identify", f.signIn(), "select-authenticator-enroll")
	if _, err := srv.WebAuthnAssertion(f.user, "x"); err == nil {
		t.Error("WebAuthnAssertion before enrollment succeeded")
	}
	r := f.choose("select-authenticator-enroll", idxtest.AuthenticatorWebAuthn, nil)
	f.mustOK("select", r, "enroll-authenticator", "select-authenticator-enroll")
	act := path(t, r.doc, "currentAuthenticator", "value", "contextualData", "activationData").(map[string]any)
	challenge := str(t, act, "challenge")
	userID := str(t, act, "user", "id")
	want := mustJSON(t, `{
		"rp": {"name": "idxtest"},
		"user": {"displayName": "Flow Tester", "name": "`+f.user+`", "id": "`+userID+`"},
		"pubKeyCredParams": [{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}],
		"challenge": "`+challenge+`",
		"attestation": "direct",
		"authenticatorSelection": {"userVerification": "preferred"},
		"hints": ["security-key"],
		"u2fParams": {"appid": "`+srv.URL+`"}}`)
	if diff := cmp.Diff(want, act); diff != "" {
		t.Errorf("activationData (-want +got):\n%s", diff)
	}
	if userID != str(t, r.doc, "user", "value", "id") {
		t.Errorf("activation user id %q", userID)
	}
	names := []string{}
	for _, fld := range path(t, credentialFields(t, r.doc, "enroll-authenticator"), "form", "value").([]any) {
		names = append(names, fld.(map[string]any)["name"].(string))
	}
	if diff := cmp.Diff([]string{"clientData", "attestation", "transports", "clientExtensions"}, names); diff != "" {
		t.Errorf("credentials fields (-want +got):\n%s", diff)
	}

	attestation := base64.RawURLEncoding.EncodeToString([]byte("attestation object"))
	enroll := func(clientData, att string) reply {
		return f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"clientData": clientData, "attestation": att}})
	}
	r = enroll(idxtest.WebAuthnClientData("webauthn.create", challenge, srv.URL), "")
	if r.status != http.StatusBadRequest ||
		!cmp.Equal(fieldKeys(t, r.doc, "enroll-authenticator", "name=credentials", "form", "value", "name=attestation"), []string{"model.validation.field.blank"}) {
		t.Errorf("blank attestation: %v", r)
	}
	for _, cd := range []string{
		idxtest.WebAuthnClientData("webauthn.get", challenge, srv.URL),
		idxtest.WebAuthnClientData("webauthn.create", "d3Jvbmc", srv.URL),
	} {
		if r = enroll(cd, attestation); r.status != http.StatusBadRequest || !cmp.Equal(messageKeys(t, r.doc), []string{"authfactor.webauthn.error"}) {
			t.Errorf("bad clientData: %v", r)
		}
	}
	// The browser's transports, sent as the JSON text of the array.
	f.mustOK("enroll", f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{
		"clientData":  idxtest.WebAuthnClientData("webauthn.create", challenge, srv.URL),
		"attestation": attestation,
		"transports":  `["usb","internal"]`,
	}}))
	if diff := cmp.Diff([]string{"pwd", "hwk"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}

	g := &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
		state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: f.password}
	g.signIn()
	r = g.choose("select-authenticator-authenticate", idxtest.AuthenticatorWebAuthn, nil)
	a, err := srv.WebAuthnAssertion(g.user, str(t, r.doc, "currentAuthenticator", "value", "contextualData", "challengeData", "challenge"))
	if err != nil {
		t.Fatal(err)
	}
	// The enrollment is listed with its credential ID and transports.
	var creds []any
	for _, e := range path(t, r.doc, "authenticatorEnrollments", "value").([]any) {
		if e := e.(map[string]any); e["key"] == idxtest.AuthenticatorWebAuthn {
			creds = append(creds, map[string]any{"credentialId": e["credentialId"], "transports": e["transports"]})
		}
	}
	wantCreds := []any{map[string]any{"credentialId": a.CredentialID, "transports": []any{"usb", "internal"}}}
	if diff := cmp.Diff(wantCreds, creds); diff != "" {
		t.Errorf("WebAuthn enrollments (-want +got):\n%s", diff)
	}
	g.mustOK("verify", g.submit("challenge-authenticator", webAuthnCreds(a)))
}
