package idxtest_test

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// rfc6238Secret is the SHA-1 seed of the RFC 6238 test vectors
// ("12345678901234567890"), in base32.
const rfc6238Secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

// TestTOTPVectors checks TOTP against the SHA-1 test vectors of RFC 6238
// appendix B, cut to their last six digits.
func TestTOTPVectors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	} {
		if got := idxtest.TOTP(rfc6238Secret, time.Unix(tc.unix, 0)); got != tc.want {
			t.Errorf("TOTP at %d = %q, want %q", tc.unix, got, tc.want)
		}
	}
	at := time.Unix(1111111109, 0)
	for _, secret := range []string{strings.ToLower(rfc6238Secret), rfc6238Secret + "====", "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"} {
		if got := idxtest.TOTP(secret, at); got != "081804" {
			t.Errorf("TOTP(%q) = %q", secret, got)
		}
	}
	for _, bad := range []string{"", "not base32!", "1"} {
		if got := idxtest.TOTP(bad, at); got != "" {
			t.Errorf("TOTP(%q) = %q, want empty", bad, got)
		}
	}
}

// credentialFields returns the fields of the credentials object of the
// named form.
func credentialFields(t *testing.T, d doc, name string) any {
	t.Helper()
	return path(t, form(t, d, name), "value", "name=credentials")
}

// fieldKeys are the i18n keys of the messages on the field at steps of
// the named form.
func fieldKeys(t *testing.T, d doc, name string, steps ...any) []string {
	t.Helper()
	return messageKeys(t, path(t, form(t, d, name), append([]any{"value"}, steps...)...))
}

const googleSecret = "JBSWY3DPEHPK3PXP"

func withGoogle(u *idxtest.User) { u.TOTPSecret = googleSecret }

// TestGoogleVerify answers Google Authenticator: blank, wrong, then the
// previous step's code; the same code is then refused as a replay, even
// in another sign-in, until the next step.
func TestGoogleVerify(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clk.Now))
	f := newFlowUser(t, srv, withGoogle)
	r := f.signIn()
	f.mustOK("identify", r, "select-authenticator-authenticate")
	opt := path(t, form(t, r.doc, "select-authenticator-authenticate"), "value", "name=authenticator", "options", 1)
	want := mustJSON(t, `{"label": "Google Authenticator", "relatesTo": "$.authenticatorEnrollments.value[1]", "value": {"form": {"value": [
		{"name": "id", "required": true, "value": "`+f.authenticatorID(idxtest.AuthenticatorGoogle)+`", "mutable": false, "visible": false},
		{"name": "methodType", "required": false, "value": "otp", "mutable": false, "visible": false}]}}}`)
	if diff := cmp.Diff(want, opt); diff != "" {
		t.Errorf("google option (-want +got):\n%s", diff)
	}

	r = f.choose("select-authenticator-authenticate", idxtest.AuthenticatorGoogle, nil)
	f.mustOK("select google", r, "challenge-authenticator", "select-authenticator-authenticate")
	want = mustJSON(t, `{"name": "credentials", "type": "object", "required": true, "form": {"value": [
		{"name": "passcode", "label": "Enter code", "required": true, "visible": true}]}}`)
	if diff := cmp.Diff(want, credentialFields(t, r.doc, "challenge-authenticator")); diff != "" {
		t.Errorf("credentials (-want +got):\n%s", diff)
	}
	// The challenge relates to currentAuthenticator, as Okta's does.
	if diff := cmp.Diff([]any{"$.currentAuthenticator"}, form(t, r.doc, "challenge-authenticator")["relatesTo"]); diff != "" {
		t.Errorf("relatesTo (-want +got):\n%s", diff)
	}
	cur := path(t, r.doc, "currentAuthenticator", "value").(map[string]any)
	if cur["key"] != idxtest.AuthenticatorGoogle || cur["type"] != "app" || cur["resend"] != nil || cur["poll"] != nil {
		t.Errorf("currentAuthenticator = %v", cur)
	}
	if _, ok := r.doc["currentAuthenticatorEnrollment"]; ok {
		t.Error("currentAuthenticatorEnrollment present")
	}
	if n := len(srv.Outbox()); n != 0 {
		t.Errorf("%d messages sent", n)
	}

	for _, tc := range []struct {
		code   string
		status int
		key    string
	}{
		{"", http.StatusBadRequest, "model.validation.field.blank"},
		{"000000", http.StatusUnauthorized, "authfactor.challenge.soft_token.invalid_passcode"},
		{idxtest.TOTP(googleSecret, clk.Now().Add(-60*time.Second)), http.StatusUnauthorized, "authfactor.challenge.soft_token.invalid_passcode"},
		{idxtest.TOTP(googleSecret, clk.Now().Add(30*time.Second)), http.StatusUnauthorized, "authfactor.challenge.soft_token.invalid_passcode"},
	} {
		r = f.answer(tc.code)
		if r.status != tc.status {
			t.Fatalf("code %q: %v", tc.code, r)
		}
		if diff := cmp.Diff([]string{tc.key}, fieldKeys(t, r.doc, "challenge-authenticator", "name=credentials", "form", "value", "name=passcode")); diff != "" {
			t.Errorf("code %q: messages (-want +got):\n%s", tc.code, diff)
		}
	}
	code := idxtest.TOTP(googleSecret, clk.Now().Add(-30*time.Second))
	f.mustOK("previous step's code", f.answer(code))
	if diff := cmp.Diff([]string{"pwd", "otp"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}

	// A second sign-in may not reuse the code, nor an older one.
	g := &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
		state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: f.password}
	g.signIn()
	g.choose("select-authenticator-authenticate", idxtest.AuthenticatorGoogle, nil)
	r = g.answer(code)
	if r.status != http.StatusUnauthorized {
		t.Fatalf("replayed code: %v", r)
	}
	if diff := cmp.Diff([]string{"authfactor.challenge.soft_token.used_passcode"},
		fieldKeys(t, r.doc, "challenge-authenticator", "name=credentials", "form", "value", "name=passcode")); diff != "" {
		t.Errorf("replay: messages (-want +got):\n%s", diff)
	}
	g.mustOK("current code", g.answer(idxtest.TOTP(googleSecret, clk.Now())))
}

// TestGoogleEnroll enrolls Google Authenticator: the org shows a secret
// and a PNG QR code, and takes a first code made from that secret, which
// the next sign-in verifies with.
func TestGoogleEnroll(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clk.Now), idxtest.WithPolicy(idxtest.Policy{
		Factors:        2,
		Authenticators: []string{idxtest.AuthenticatorPassword, idxtest.AuthenticatorGoogle},
		Enrollment:     []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorGoogle, Required: true}},
	}))
	f := newFlow(t, srv)
	r := f.signIn()
	f.mustOK("identify", r, "select-authenticator-enroll")
	opt := path(t, form(t, r.doc, "select-authenticator-enroll"), "value", "name=authenticator", "options", 0)
	want := mustJSON(t, `{"label": "Google Authenticator", "relatesTo": "$.authenticators.value[0]", "value": {"form": {"value": [
		{"name": "id", "required": true, "value": "`+f.authenticatorID(idxtest.AuthenticatorGoogle)+`", "mutable": false, "visible": false}]}}}`)
	if diff := cmp.Diff(want, opt); diff != "" {
		t.Errorf("enroll option (-want +got):\n%s", diff)
	}

	r = f.choose("select-authenticator-enroll", idxtest.AuthenticatorGoogle, nil)
	f.mustOK("select google", r, "enroll-authenticator", "select-authenticator-enroll")
	cur := path(t, r.doc, "currentAuthenticator", "value").(map[string]any)
	secret := str(t, cur, "contextualData", "sharedSecret")
	if len(secret) != 32 || idxtest.TOTP(secret, clk.Now()) == "" {
		t.Fatalf("sharedSecret %q", secret)
	}
	qr := path(t, cur, "contextualData", "qrcode").(map[string]any)
	if qr["method"] != "embedded" || qr["type"] != "image/png" {
		t.Errorf("qrcode = %v", qr)
	}
	b64, ok := strings.CutPrefix(qr["href"].(string), "data:image/png;base64,")
	if !ok {
		t.Fatalf("qrcode href %.40q", qr["href"])
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	if img, err := png.Decode(bytes.NewReader(raw)); err != nil || img.Bounds().Dx() < 21 {
		t.Fatalf("qrcode image: %v", err)
	}
	want = mustJSON(t, `{"name": "credentials", "type": "object", "required": true, "form": {"value": [
		{"name": "passcode", "label": "Enter code", "required": true, "visible": true}]}}`)
	if diff := cmp.Diff(want, credentialFields(t, r.doc, "enroll-authenticator")); diff != "" {
		t.Errorf("credentials (-want +got):\n%s", diff)
	}

	r = f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxtest.TOTP(googleSecret, clk.Now())}})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("code of another secret: %v", r)
	}
	if got := fieldKeys(t, r.doc, "enroll-authenticator", "name=credentials", "form", "value", "name=passcode"); len(got) != 1 ||
		got[0] != "api.authn.error.PASSCODE_INVALID" {
		t.Errorf("messages %v", got)
	}
	if again := str(t, r.doc, "currentAuthenticator", "value", "contextualData", "sharedSecret"); again != secret {
		t.Errorf("secret changed after a wrong code")
	}
	f.mustOK("enroll", f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": idxtest.TOTP(secret, clk.Now())}}))
	if diff := cmp.Diff([]string{"pwd", "otp"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}

	clk.Advance(30 * time.Second)
	g := &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
		state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: f.password}
	g.mustOK("second identify", g.signIn(), "select-authenticator-authenticate")
	g.mustOK("select", g.choose("select-authenticator-authenticate", idxtest.AuthenticatorGoogle, nil),
		"challenge-authenticator", "select-authenticator-authenticate")
	g.mustOK("verify", g.answer(idxtest.TOTP(secret, clk.Now())))
}
