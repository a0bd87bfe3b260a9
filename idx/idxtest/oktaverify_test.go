package idxtest_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

func withOktaVerify(u *idxtest.User) { u.OktaVerify = true }

// pushStarted signs in and chooses an Okta Verify push.
func pushStarted(t *testing.T, f *flow) reply {
	t.Helper()
	f.signIn()
	r := f.choose("select-authenticator-authenticate", idxtest.AuthenticatorOktaVerify, map[string]any{"methodType": "push"})
	f.mustOK("push", r, "challenge-poll", "select-authenticator-authenticate")
	return r
}

// TestOktaVerifyPushApprove: the client polls until the test approves
// the push on the user's behalf.
func TestOktaVerifyPushApprove(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlowUser(t, srv, withOktaVerify)
	r := f.signIn()
	opt := path(t, form(t, r.doc, "select-authenticator-authenticate"), "value", "name=authenticator", "options", 1)
	want := mustJSON(t, `{"label": "Okta Verify", "relatesTo": "$.authenticators.value[1]", "value": {"form": {"value": [
		{"name": "id", "required": true, "value": "`+f.authenticatorID(idxtest.AuthenticatorOktaVerify)+`", "mutable": false, "visible": false},
		{"name": "methodType", "type": "string", "required": false, "options": [
			{"label": "Get a push notification", "value": "push"}, {"label": "Enter a code", "value": "totp"}]}]}}}`)
	if diff := cmp.Diff(want, opt); diff != "" {
		t.Errorf("option (-want +got):\n%s", diff)
	}
	if err := srv.ApprovePush(f.user); err == nil {
		t.Error("ApprovePush before any push succeeded")
	}

	r = f.choose("select-authenticator-authenticate", idxtest.AuthenticatorOktaVerify, map[string]any{"methodType": "push"})
	f.mustOK("push", r, "challenge-poll", "select-authenticator-authenticate")
	poll := form(t, r.doc, "challenge-poll")
	want = mustJSON(t, `{"rel": ["create-form"], "name": "challenge-poll", "relatesTo": ["$.currentAuthenticator"],
		"href": "`+srv.URL+`/idp/idx/challenge/poll", "method": "POST", "produces": "application/ion+json; okta-version=1.0.0",
		"refresh": 4000, "accepts": "application/json; okta-version=1.0.0",
		"value": [{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}]}`)
	if diff := cmp.Diff(want, poll); diff != "" {
		t.Errorf("challenge-poll (-want +got):\n%s", diff)
	}
	// The push is currentAuthenticator, with the method; challenge-poll
	// polls it, as Okta's does.
	cur := path(t, r.doc, "currentAuthenticator", "value").(map[string]any)
	if cur["key"] != idxtest.AuthenticatorOktaVerify || cur["contextualData"] != nil || cur["poll"] != nil || cur["resend"] != nil ||
		!cmp.Equal(cur["methods"], mustJSON(t, `[{"type": "push"}]`)) {
		t.Errorf("currentAuthenticator = %v", cur)
	}
	if _, ok := r.doc["currentAuthenticatorEnrollment"]; ok {
		t.Error("a push has currentAuthenticatorEnrollment; Okta's has currentAuthenticator only")
	}

	f.mustOK("poll before approval", f.submit("challenge-poll", nil), "challenge-poll", "select-authenticator-authenticate")
	if err := srv.ApprovePush("nobody@example.com"); err == nil {
		t.Error("ApprovePush for another user succeeded")
	}
	if err := srv.ApprovePush(strings.ToUpper(f.user)); err != nil {
		t.Fatal(err)
	}
	f.mustOK("poll after approval", f.submit("challenge-poll", nil))
	if diff := cmp.Diff([]string{"pwd", "swk"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
	if err := srv.ApprovePush(f.user); err == nil {
		t.Error("second ApprovePush succeeded")
	}
}

// TestOktaVerifyPushReject: a rejected push answers the next poll with
// Okta's message and offers a new push.
func TestOktaVerifyPushReject(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlowUser(t, srv, withOktaVerify)
	pushStarted(t, f)
	if err := srv.RejectPush(f.user); err != nil {
		t.Fatal(err)
	}
	r := f.submit("challenge-poll", nil)
	f.mustOK("poll after rejection", r, "resend", "select-authenticator-authenticate")
	if diff := cmp.Diff([]string{"api.authn.poll.error.push_rejected"}, messageKeys(t, r.doc)); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	id := f.authenticatorID(idxtest.AuthenticatorOktaVerify)
	want := mustJSON(t, `[
		{"name": "authenticator", "type": "object", "label": "Okta Verify", "value": {"form": {"value": [
			{"name": "id", "required": true, "value": "`+id+`", "mutable": false},
			{"name": "methodType", "label": "PUSH", "required": true, "value": "push", "mutable": false}]}}},
		{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}]`)
	resend := form(t, r.doc, "resend")
	if diff := cmp.Diff(want, resend["value"]); diff != "" {
		t.Errorf("resend fields (-want +got):\n%s", diff)
	}
	if resend["href"] != srv.URL+"/idp/idx/challenge" {
		t.Errorf("resend href %v", resend["href"])
	}
	if err := srv.ApprovePush(f.user); err == nil {
		t.Error("ApprovePush of a rejected push succeeded")
	}
	// Polling again shows the same state, without the message.
	r = postIon(t, f.c, srv.URL+"/idp/idx/challenge/poll", map[string]string{"stateHandle": f.stateHandle})
	f.mustOK("poll again", r, "resend", "select-authenticator-authenticate")
	if len(messageKeys(t, r.doc)) != 0 {
		t.Errorf("messages on a second poll: %v", r)
	}

	r = f.submit("resend", map[string]any{"authenticator": map[string]any{"id": id, "methodType": "push"}})
	f.mustOK("new push", r, "challenge-poll", "select-authenticator-authenticate")
	if err := srv.ApprovePush(f.user); err != nil {
		t.Fatal(err)
	}
	f.mustOK("approved", f.submit("challenge-poll", nil))
}

// TestOktaVerifyNumberChallenge: the push shows a number the user must
// pick in the app; a wrong number rejects the push.
func TestOktaVerifyNumberChallenge(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithOktaVerifyNumberChallenge(true))
	f := newFlowUser(t, srv, withOktaVerify)
	r := pushStarted(t, f)
	answer := str(t, r.doc, "currentAuthenticator", "value", "contextualData", "correctAnswer")
	n, err := strconv.Atoi(answer)
	if err != nil || n < 10 || n > 99 {
		t.Fatalf("correctAnswer %q", answer)
	}
	if err := srv.ApprovePush(f.user); err == nil {
		t.Error("ApprovePush without the number succeeded")
	}
	if err := srv.AnswerPush(f.user, n+1); err != nil {
		t.Fatal(err)
	}
	r = f.submit("challenge-poll", nil)
	if !cmp.Equal(messageKeys(t, r.doc), []string{"api.authn.poll.error.push_rejected"}) {
		t.Fatalf("wrong number: %v", r)
	}
	id := f.authenticatorID(idxtest.AuthenticatorOktaVerify)
	r = f.submit("resend", map[string]any{"authenticator": map[string]any{"id": id, "methodType": "push"}})
	f.mustOK("new push", r, "challenge-poll", "select-authenticator-authenticate")
	n, _ = strconv.Atoi(str(t, r.doc, "currentAuthenticator", "value", "contextualData", "correctAnswer"))
	if err := srv.AnswerPush(f.user, n); err != nil {
		t.Fatal(err)
	}
	f.mustOK("approved", f.submit("challenge-poll", nil))

	plain := newOrg(t)
	g := newFlowUser(t, plain, withOktaVerify)
	r = pushStarted(t, g)
	if err := plain.AnswerPush(g.user, 42); err == nil {
		t.Error("AnswerPush without a number challenge succeeded")
	}
}

// TestOktaVerifyTOTP: chosen without a method, Okta Verify asks for one;
// the code method takes credentials.totp.
func TestOktaVerifyTOTP(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clk.Now))
	f := newFlowUser(t, srv, withOktaVerify)
	f.signIn()
	r := f.choose("select-authenticator-authenticate", idxtest.AuthenticatorOktaVerify, nil)
	f.mustOK("select", r, "authenticator-verification-data", "select-authenticator-authenticate")
	r = f.choose("authenticator-verification-data", idxtest.AuthenticatorOktaVerify, map[string]any{"methodType": "totp"})
	f.mustOK("totp", r, "challenge-authenticator", "select-authenticator-authenticate")
	want := mustJSON(t, `{"name": "credentials", "type": "object", "required": true, "form": {"value": [
		{"name": "totp", "label": "Enter code from Okta Verify app", "required": true, "visible": true}]}}`)
	if diff := cmp.Diff(want, credentialFields(t, r.doc, "challenge-authenticator")); diff != "" {
		t.Errorf("credentials (-want +got):\n%s", diff)
	}
	secret, err := srv.OktaVerifySecret(f.user)
	if err != nil {
		t.Fatal(err)
	}
	totp := func(code string) reply {
		return f.submit("challenge-authenticator", map[string]any{"credentials": map[string]any{"totp": code}})
	}
	for _, tc := range []struct {
		code   string
		status int
		key    string
	}{
		{"", http.StatusBadRequest, "model.validation.field.blank"},
		{"12345", http.StatusUnauthorized, "api.authn.error.PASSCODE_INVALID"},
	} {
		r = totp(tc.code)
		if r.status != tc.status {
			t.Fatalf("code %q: %v", tc.code, r)
		}
		if diff := cmp.Diff([]string{tc.key}, fieldKeys(t, r.doc, "challenge-authenticator", "name=credentials", "form", "value", "name=totp")); diff != "" {
			t.Errorf("code %q (-want +got):\n%s", tc.code, diff)
		}
	}
	f.mustOK("code", totp(idxtest.TOTP(secret, clk.Now())))
	if diff := cmp.Diff([]string{"pwd", "otp"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
	if _, err := srv.OktaVerifySecret("nobody@example.com"); err == nil {
		t.Error("OktaVerifySecret of an unknown user succeeded")
	}
}

func ovEnrollOrg(t *testing.T) *idxtest.Server {
	return newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors:        2,
		Authenticators: []string{idxtest.AuthenticatorPassword, idxtest.AuthenticatorOktaVerify},
		Enrollment:     []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorOktaVerify, Required: true}},
	}))
}

// TestOktaVerifyEnrollQRCode enrolls Okta Verify by QR code: the client
// polls until the app is activated.
func TestOktaVerifyEnrollQRCode(t *testing.T) {
	t.Parallel()
	srv := ovEnrollOrg(t)
	f := newFlow(t, srv)
	r := f.signIn()
	f.mustOK("identify", r, "select-authenticator-enroll")
	id := f.authenticatorID(idxtest.AuthenticatorOktaVerify)
	opt := path(t, form(t, r.doc, "select-authenticator-enroll"), "value", "name=authenticator", "options", 0)
	want := mustJSON(t, `{"label": "Okta Verify", "relatesTo": "$.authenticators.value[0]", "value": {"form": {"value": [
		{"name": "id", "required": true, "value": "`+id+`", "mutable": false, "visible": false},
		{"name": "channel", "type": "string", "required": false, "options": [
			{"label": "QRCODE", "value": "qrcode"}, {"label": "EMAIL", "value": "email"}, {"label": "SMS", "value": "sms"}]}]}}}`)
	if diff := cmp.Diff(want, opt); diff != "" {
		t.Errorf("enroll option (-want +got):\n%s", diff)
	}
	if err := srv.ActivateOktaVerify(f.user); err == nil {
		t.Error("ActivateOktaVerify before enrollment succeeded")
	}
	if r := f.choose("select-authenticator-enroll", idxtest.AuthenticatorOktaVerify, map[string]any{"channel": "pigeon"}); r.status != http.StatusBadRequest {
		t.Errorf("unknown channel: %v", r)
	}

	r = f.choose("select-authenticator-enroll", idxtest.AuthenticatorOktaVerify, nil)
	f.mustOK("select", r, "enroll-poll", "select-enrollment-channel", "select-authenticator-enroll")
	if got := form(t, r.doc, "enroll-poll"); got["refresh"] != 4000.0 || got["href"] != srv.URL+"/idp/idx/challenge/poll" {
		t.Errorf("enroll-poll = %v", got)
	}
	want = mustJSON(t, `[
		{"name": "authenticator", "type": "object", "label": "Okta Verify", "value": {"form": {"value": [
			{"name": "id", "required": true, "value": "`+id+`", "mutable": false, "visible": false},
			{"name": "channel", "required": true, "visible": true, "options": [
				{"label": "QRCODE", "value": "qrcode"}, {"label": "EMAIL", "value": "email"}, {"label": "SMS", "value": "sms"}]}]}}},
		{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}]`)
	sel := form(t, r.doc, "select-enrollment-channel")
	if diff := cmp.Diff(want, sel["value"]); diff != "" {
		t.Errorf("select-enrollment-channel (-want +got):\n%s", diff)
	}
	if sel["href"] != srv.URL+"/idp/idx/credential/enroll" {
		t.Errorf("select-enrollment-channel href %v", sel["href"])
	}
	ctx := path(t, r.doc, "currentAuthenticator", "value", "contextualData").(map[string]any)
	if ctx["selectedChannel"] != "qrcode" || str(t, ctx, "qrcode", "method") != "embedded" || str(t, ctx, "qrcode", "type") != "image/png" ||
		!strings.HasPrefix(str(t, ctx, "qrcode", "href"), "data:image/png;base64,") {
		t.Errorf("contextualData = %v", ctx)
	}

	f.mustOK("poll", f.submit("enroll-poll", nil), "enroll-poll", "select-enrollment-channel", "select-authenticator-enroll")
	if err := srv.ActivateOktaVerify(f.user); err != nil {
		t.Fatal(err)
	}
	f.mustOK("activated", f.submit("enroll-poll", nil))
	if diff := cmp.Diff([]string{"pwd", "swk"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
	if _, err := srv.OktaVerifySecret(f.user); err != nil {
		t.Errorf("OktaVerifySecret after enrollment: %v", err)
	}

	// The next sign-in verifies with the new enrollment.
	g := &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
		state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: f.password}
	pushStarted(t, g)
	if err := srv.ApprovePush(g.user); err != nil {
		t.Fatal(err)
	}
	g.mustOK("approved", g.submit("challenge-poll", nil))
}

// TestOktaVerifyEnrollEmailSMS switches the enrollment to the email
// channel, then to SMS: each sends an activation link to the address or
// number the user gives.
func TestOktaVerifyEnrollEmailSMS(t *testing.T) {
	t.Parallel()
	srv := ovEnrollOrg(t)
	f := newFlow(t, srv)
	f.signIn()
	f.choose("select-authenticator-enroll", idxtest.AuthenticatorOktaVerify, nil)
	if r := postIon(t, f.c, srv.URL+"/idp/idx/challenge/send", map[string]any{"stateHandle": f.stateHandle, "email": f.user}); r.status != http.StatusForbidden ||
		!cmp.Equal(messageKeys(t, r.doc), []string{"errors.E0000079"}) {
		t.Errorf("challenge/send in enroll-poll: %v", r)
	}

	r := f.choose("select-enrollment-channel", idxtest.AuthenticatorOktaVerify, map[string]any{"channel": "email"})
	f.mustOK("email channel", r, "enrollment-channel-data", "select-enrollment-channel", "select-authenticator-enroll")
	want := mustJSON(t, `{"rel": ["create-form"], "name": "enrollment-channel-data", "href": "`+srv.URL+`/idp/idx/challenge/send",
		"method": "POST", "produces": "application/ion+json; okta-version=1.0.0", "accepts": "application/json; okta-version=1.0.0",
		"value": [{"name": "email", "label": "Email", "required": true, "visible": true},
			{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}]}`)
	if diff := cmp.Diff(want, form(t, r.doc, "enrollment-channel-data")); diff != "" {
		t.Errorf("enrollment-channel-data (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"selectedChannel": "email"}, path(t, r.doc, "currentAuthenticator", "value", "contextualData")); diff != "" {
		t.Errorf("contextualData (-want +got):\n%s", diff)
	}
	r = f.submit("enrollment-channel-data", map[string]any{"email": " "})
	if r.status != http.StatusBadRequest || !cmp.Equal(fieldKeys(t, r.doc, "enrollment-channel-data", "name=email"), []string{"model.validation.field.blank"}) {
		t.Errorf("blank email: %v", r)
	}
	const addr = "phone-owner@example.com"
	r = f.submit("enrollment-channel-data", map[string]any{"email": addr})
	f.mustOK("email sent", r, "enroll-poll", "select-enrollment-channel", "select-authenticator-enroll")
	if diff := cmp.Diff(map[string]any{"selectedChannel": "email", "email": addr}, path(t, r.doc, "currentAuthenticator", "value", "contextualData")); diff != "" {
		t.Errorf("contextualData (-want +got):\n%s", diff)
	}
	link := regexp.MustCompile(`https?://\S+`)
	if msg := lastMessage(t, srv, addr); msg.Channel != idxtest.ChannelEmail || msg.Subject == "" || !link.MatchString(msg.Body) {
		t.Errorf("activation email = %+v", msg)
	}

	r = f.choose("select-enrollment-channel", idxtest.AuthenticatorOktaVerify, map[string]any{"channel": "sms"})
	f.mustOK("sms channel", r, "enrollment-channel-data", "select-enrollment-channel", "select-authenticator-enroll")
	r = f.submit("enrollment-channel-data", map[string]any{"phoneNumber": ""})
	if r.status != http.StatusBadRequest || !cmp.Equal(fieldKeys(t, r.doc, "enrollment-channel-data", "name=phoneNumber"), []string{"model.validation.field.blank"}) {
		t.Errorf("blank number: %v", r)
	}
	r = f.submit("enrollment-channel-data", map[string]any{"phoneNumber": "555-0100"})
	if r.status != http.StatusBadRequest || !cmp.Equal(messageKeys(t, r.doc), []string{"api.factors.error.sms.invalid_phone"}) {
		t.Errorf("invalid number: %v", r)
	}
	r = f.submit("enrollment-channel-data", map[string]any{"phoneNumber": testPhone})
	f.mustOK("sms sent", r, "enroll-poll", "select-enrollment-channel", "select-authenticator-enroll")
	if diff := cmp.Diff(map[string]any{"selectedChannel": "sms", "phoneNumber": testPhone}, path(t, r.doc, "currentAuthenticator", "value", "contextualData")); diff != "" {
		t.Errorf("contextualData (-want +got):\n%s", diff)
	}
	msg := lastMessage(t, srv, testPhone)
	if msg.Channel != idxtest.ChannelSMS || !link.MatchString(msg.Body) {
		t.Fatalf("activation sms = %+v", msg)
	}
	// The email's link is stale: the SMS replaced it.
	if r := get(t, f.c, link.FindString(lastMessage(t, srv, addr).Body), nil); r.status != http.StatusNotFound {
		t.Errorf("stale link: %v", r)
	}
	if r := get(t, f.c, srv.URL+"/idxtest/okta-verify/activate?token=forged", nil); r.status != http.StatusNotFound {
		t.Errorf("forged link: %v", r)
	}
	f.mustOK("poll", f.submit("enroll-poll", nil), "enroll-poll", "select-enrollment-channel", "select-authenticator-enroll")
	if r := get(t, f.c, link.FindString(msg.Body), nil); r.status != http.StatusOK {
		t.Fatalf("activation link: %v", r)
	}
	f.mustOK("activated", f.submit("enroll-poll", nil))
	if diff := cmp.Diff([]string{"pwd", "swk"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestOktaVerifyWrongStepAndExpiry: a code answer while a push is
// waiting is not allowed, and an expired transaction can be neither
// polled nor approved.
func TestOktaVerifyWrongStepAndExpiry(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clk.Now), idxtest.WithTransactionLifetime(10*time.Minute))
	f := newFlowUser(t, srv, withOktaVerify)
	pushStarted(t, f)
	r := postIon(t, f.c, srv.URL+"/idp/idx/challenge/answer", map[string]any{"stateHandle": f.stateHandle, "credentials": map[string]any{"totp": "123456"}})
	if r.status != http.StatusForbidden || !cmp.Equal(messageKeys(t, r.doc), []string{"errors.E0000079"}) {
		t.Errorf("answer during a push: %v", r)
	}
	r = postIon(t, f.c, srv.URL+"/idp/idx/challenge/send", map[string]any{"stateHandle": f.stateHandle, "email": f.user})
	if r.status != http.StatusForbidden {
		t.Errorf("challenge/send during a push: %v", r)
	}
	clk.Advance(11 * time.Minute)
	r = postIon(t, f.c, srv.URL+"/idp/idx/challenge/poll", map[string]any{"stateHandle": f.stateHandle})
	if r.status != http.StatusUnauthorized || !cmp.Equal(messageKeys(t, r.doc), []string{"idx.session.expired"}) {
		t.Errorf("poll after expiry: %v", r)
	}
	if err := srv.ApprovePush(f.user); err == nil {
		t.Error("ApprovePush of an expired transaction succeeded")
	}
}

// TestOktaVerifyEnrollSwitchAuthenticator: while Okta Verify waits in
// enroll-poll, select-authenticator-enroll (same href as
// select-enrollment-channel) starts another enrollment.
func TestOktaVerifyEnrollSwitchAuthenticator(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors:        2,
		Authenticators: []string{idxtest.AuthenticatorPassword, idxtest.AuthenticatorOktaVerify, idxtest.AuthenticatorGoogle},
		Enrollment: []idxtest.EnrollmentRule{
			{Key: idxtest.AuthenticatorOktaVerify, Required: true}, {Key: idxtest.AuthenticatorGoogle, Required: true},
		},
	}))
	f := newFlow(t, srv)
	f.signIn()
	f.mustOK("ov", f.choose("select-authenticator-enroll", idxtest.AuthenticatorOktaVerify, nil),
		"enroll-poll", "select-enrollment-channel", "select-authenticator-enroll")
	r := f.choose("select-enrollment-channel", idxtest.AuthenticatorOktaVerify, nil)
	if r.status != http.StatusBadRequest {
		t.Errorf("no channel: %v", r)
	}
	r = f.choose("select-authenticator-enroll", idxtest.AuthenticatorGoogle, nil)
	f.mustOK("google", r, "enroll-authenticator", "select-authenticator-enroll")
	if got := str(t, r.doc, "currentAuthenticator", "value", "key"); got != idxtest.AuthenticatorGoogle {
		t.Errorf("current = %q", got)
	}
	if err := srv.ActivateOktaVerify(f.user); err == nil {
		t.Error("ActivateOktaVerify after switching away succeeded")
	}
}
