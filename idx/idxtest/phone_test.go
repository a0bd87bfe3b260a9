package idxtest_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

const testPhone = "+15555550100"

func withPhone(u *idxtest.User) { u.Phone = testPhone }

// TestPhoneVerifySMS verifies an enrolled phone by SMS: selected without a
// method, it asks for one with authenticator-verification-data.
func TestPhoneVerifySMS(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlowUser(t, srv, withPhone)
	r := f.signIn()
	f.mustOK("identify", r, "select-authenticator-authenticate")
	opts := path(t, form(t, r.doc, "select-authenticator-authenticate"), "value", "name=authenticator", "options").([]any)
	var labels []string
	for _, o := range opts {
		labels = append(labels, o.(map[string]any)["label"].(string))
	}
	if diff := cmp.Diff([]string{"Email", "Phone"}, labels); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
	phoneOpt := path(t, opts[1], "value", "form", "value", "name=methodType")
	want := mustJSON(t, `{"name": "methodType", "type": "string", "required": false,
		"options": [{"label": "SMS", "value": "sms"}, {"label": "Voice call", "value": "voice"}]}`)
	if diff := cmp.Diff(want, phoneOpt); diff != "" {
		t.Errorf("phone methodType (-want +got):\n%s", diff)
	}
	if got := str(t, opts[1], "relatesTo"); got != "$.authenticatorEnrollments.value[1]" {
		t.Errorf("relatesTo = %q", got)
	}
	if got := str(t, r.doc, "authenticatorEnrollments", "value", 1, "profile", "phoneNumber"); got != "+X XXX-XXX-0100" {
		t.Errorf("masked phone = %q", got)
	}

	r = f.choose("select-authenticator-authenticate", idxtest.AuthenticatorPhone, nil)
	f.mustOK("select phone", r, "authenticator-verification-data", "select-authenticator-authenticate")
	vd := path(t, form(t, r.doc, "authenticator-verification-data"), "value", "name=authenticator", "form", "value", "name=methodType")
	if got := len(path(t, vd, "options").([]any)); got != 2 || vd.(map[string]any)["required"] != true {
		t.Errorf("verification-data methodType = %v", vd)
	}
	if n := len(srv.Outbox()); n != 0 {
		t.Fatalf("%d messages before the method was chosen", n)
	}

	r = f.choose("authenticator-verification-data", idxtest.AuthenticatorPhone, map[string]any{"methodType": "sms"})
	f.mustOK("verification data", r, "challenge-authenticator", "select-authenticator-authenticate")
	cur := path(t, r.doc, "currentAuthenticatorEnrollment", "value").(map[string]any)
	if str(t, cur, "key") != idxtest.AuthenticatorPhone || str(t, cur, "resend", "href") != srv.URL+"/idp/idx/challenge/resend" {
		t.Errorf("current enrollment = %v", cur)
	}
	if _, ok := cur["poll"]; ok {
		t.Error("phone challenge offers poll")
	}
	msg := lastMessage(t, srv, testPhone)
	if msg.Channel != idxtest.ChannelSMS || msg.Subject != "" || !regexp.MustCompile(`^[0-9]{6}$`).MatchString(msg.Code) ||
		!strings.Contains(msg.Body, msg.Code) {
		t.Errorf("sms = %+v", msg)
	}
	if code, _ := srv.LastCode(testPhone); code != msg.Code {
		t.Errorf("LastCode = %q, want %q", code, msg.Code)
	}

	r = f.answer(msg.Code)
	f.mustOK("answer", r)
	if diff := cmp.Diff([]string{"pwd", "sms"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestPhoneVerifyVoiceResend chooses voice in the selection itself, then
// resends: the new code replaces the old one.
func TestPhoneVerifyVoiceResend(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlowUser(t, srv, withPhone)
	f.signIn()
	r := f.choose("select-authenticator-authenticate", idxtest.AuthenticatorPhone, map[string]any{"methodType": "voice"})
	f.mustOK("select voice", r, "challenge-authenticator", "select-authenticator-authenticate")
	first := lastMessage(t, srv, testPhone)
	if first.Channel != idxtest.ChannelVoice {
		t.Errorf("channel = %q", first.Channel)
	}
	href := str(t, r.doc, "currentAuthenticatorEnrollment", "value", "resend", "href")
	if rr := postIon(t, f.c, href, map[string]string{"stateHandle": f.stateHandle}); rr.status != http.StatusOK {
		t.Fatalf("resend: %v", rr)
	}
	second := lastMessage(t, srv, testPhone)
	if second.Channel != idxtest.ChannelVoice || len(srv.Outbox()) != 2 {
		t.Fatalf("after resend: %+v", srv.Outbox())
	}
	if first.Code != second.Code {
		r = f.answer(first.Code)
		if r.status != http.StatusUnauthorized {
			t.Fatalf("old code: %v", r)
		}
		field := path(t, form(t, r.doc, "challenge-authenticator"), "value", "name=credentials", "form", "value", "name=passcode")
		if diff := cmp.Diff([]string{"api.authn.error.PASSCODE_INVALID"}, messageKeys(t, field)); diff != "" {
			t.Errorf("messages (-want +got):\n%s", diff)
		}
	}
	f.mustOK("answer", f.answer(second.Code))
	if diff := cmp.Diff([]string{"pwd", "tel"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestPhoneChoiceErrors covers bad choices of the phone.
func TestPhoneChoiceErrors(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	for _, tc := range []struct {
		name   string
		values map[string]any
		status int
		key    string
	}{
		{"unknown method", map[string]any{"methodType": "fax"}, http.StatusBadRequest, "errors.E0000001"},
		{"email method", map[string]any{"methodType": "email"}, http.StatusBadRequest, "errors.E0000001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFlowUser(t, srv, withPhone)
			f.signIn()
			r := f.choose("select-authenticator-authenticate", idxtest.AuthenticatorPhone, tc.values)
			if r.status != tc.status {
				t.Fatalf("status %v", r)
			}
			if diff := cmp.Diff([]string{tc.key}, messageKeys(t, r.doc)); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}
			if n := len(srv.Outbox()); n != 0 {
				t.Errorf("%d messages sent", n)
			}
		})
	}
}

// TestPhoneNotOfferedUnlessEnrolled: a user without a phone sees only the
// email, and a forged choice of the phone is refused.
func TestPhoneNotOfferedUnlessEnrolled(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	withPhoneFlow := newFlowUser(t, srv, withPhone)
	withPhoneFlow.signIn()
	phoneID := withPhoneFlow.authenticatorID(idxtest.AuthenticatorPhone)

	f := newFlow(t, srv)
	r := f.signIn()
	if got := len(path(t, r.doc, "authenticators", "value").([]any)); got != 1 {
		t.Errorf("%d authenticators offered, want 1 (email)", got)
	}
	r = f.submit("select-authenticator-authenticate", map[string]any{"authenticator": map[string]any{"id": phoneID, "methodType": "sms"}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("forged phone choice: %v", r)
	}
}

// TestPhoneEnrollRequired enrolls a phone that the policy requires, through
// authenticator-enrollment-data, then signs in with it.
func TestPhoneEnrollRequired(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors:        2,
		Authenticators: []string{idxtest.AuthenticatorPassword, idxtest.AuthenticatorPhone},
		Enrollment:     []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorPhone, Required: true}},
	}))
	f := newFlow(t, srv)
	r := f.signIn()
	f.mustOK("identify", r, "select-authenticator-enroll")
	opt := path(t, form(t, r.doc, "select-authenticator-enroll"), "value", "name=authenticator", "options", 0)
	var names []string
	for _, fld := range path(t, opt, "value", "form", "value").([]any) {
		names = append(names, fld.(map[string]any)["name"].(string))
	}
	if diff := cmp.Diff([]string{"id", "methodType", "phoneNumber"}, names); diff != "" {
		t.Errorf("enroll option fields (-want +got):\n%s", diff)
	}
	if got := str(t, opt, "relatesTo"); got != "$.authenticators.value[0]" {
		t.Errorf("relatesTo = %q", got)
	}
	if got := str(t, form(t, r.doc, "select-authenticator-enroll"), "href"); got != srv.URL+"/idp/idx/credential/enroll" {
		t.Errorf("href = %q", got)
	}

	r = f.choose("select-authenticator-enroll", idxtest.AuthenticatorPhone, nil)
	f.mustOK("select phone", r, "authenticator-enrollment-data", "select-authenticator-enroll")
	if got := str(t, r.doc, "currentAuthenticator", "value", "key"); got != idxtest.AuthenticatorPhone {
		t.Errorf("currentAuthenticator = %q", got)
	}

	const number = "+4915112345678"
	for _, tc := range []struct {
		name   string
		values map[string]any
		field  string
		key    string
	}{
		{"no number", map[string]any{"methodType": "sms"}, "phoneNumber", "model.validation.field.blank"},
		{"no method", map[string]any{"phoneNumber": number}, "methodType", "model.validation.field.blank"},
	} {
		r = f.choose("authenticator-enrollment-data", idxtest.AuthenticatorPhone, tc.values)
		if r.status != http.StatusBadRequest {
			t.Fatalf("%s: %v", tc.name, r)
		}
		fld := path(t, form(t, r.doc, "authenticator-enrollment-data"), "value", "name=authenticator", "form", "value", "name="+tc.field)
		if diff := cmp.Diff([]string{tc.key}, messageKeys(t, fld)); diff != "" {
			t.Errorf("%s: messages (-want +got):\n%s", tc.name, diff)
		}
	}
	// A number that cannot take a code: Okta's top-level message, and the
	// enrollment data asked for again.
	r = f.choose("authenticator-enrollment-data", idxtest.AuthenticatorPhone, map[string]any{"methodType": "sms", "phoneNumber": "555-0100"})
	if r.status != http.StatusBadRequest || !cmp.Equal(remediationNames(t, r.doc), []string{"authenticator-enrollment-data", "select-authenticator-enroll"}) {
		t.Fatalf("bad number: %v", r)
	}
	if diff := cmp.Diff([]string{"api.factors.error.sms.invalid_phone"}, messageKeys(t, r.doc)); diff != "" {
		t.Errorf("bad number: messages (-want +got):\n%s", diff)
	}
	if n := len(srv.Outbox()); n != 0 {
		t.Fatalf("%d messages after bad enrollment data", n)
	}

	r = f.choose("authenticator-enrollment-data", idxtest.AuthenticatorPhone, map[string]any{"methodType": "sms", "phoneNumber": number})
	f.mustOK("enrollment data", r, "enroll-authenticator", "select-authenticator-enroll")
	if got := str(t, form(t, r.doc, "enroll-authenticator"), "href"); got != srv.URL+"/idp/idx/challenge/answer" {
		t.Errorf("enroll href = %q", got)
	}
	msg := lastMessage(t, srv, number)
	if msg.Channel != idxtest.ChannelSMS {
		t.Errorf("channel = %q", msg.Channel)
	}
	r = f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": "000000" + "x"}})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %v", r)
	}
	f.mustOK("enroll", f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": msg.Code}}))
	if diff := cmp.Diff([]string{"pwd", "sms"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}

	// The next sign-in verifies the new phone.
	g := &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
		state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: f.password}
	r = g.signIn()
	g.mustOK("second identify", r, "select-authenticator-authenticate")
	if got := str(t, r.doc, "authenticatorEnrollments", "value", 0, "profile", "phoneNumber"); got != "+X XXX-XXX-5678" {
		t.Errorf("enrolled phone = %q", got)
	}
}

// TestPhoneEnrollOptionalSkip: an optional enrollment after the sign-on
// factors offers skip, which completes the sign-in.
func TestPhoneEnrollOptionalSkip(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors:    2,
		Enrollment: []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorPhone}},
	}))
	f := newFlow(t, srv)
	f.toChallenge()
	r := f.answer(f.code())
	f.mustOK("email answer", r, "select-authenticator-enroll", "skip")
	f.mustOK("skip", f.submit("skip", nil))
	if diff := cmp.Diff([]string{"pwd", "email"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestPhoneSwitchToEmail: from the phone's authenticator-verification-data,
// choosing the email instead starts the email's verification.
func TestPhoneSwitchToEmail(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlowUser(t, srv, withPhone)
	f.signIn()
	f.mustOK("select phone", f.choose("select-authenticator-authenticate", idxtest.AuthenticatorPhone, nil),
		"authenticator-verification-data", "select-authenticator-authenticate")
	r := f.choose("authenticator-verification-data", idxtest.AuthenticatorEmail, map[string]any{"methodType": "email"})
	f.mustOK("switch to email", r, "authenticator-verification-data", "select-authenticator-authenticate")
	if got := str(t, r.doc, "currentAuthenticatorEnrollment", "value", "key"); got != idxtest.AuthenticatorEmail {
		t.Fatalf("current = %q", got)
	}
	f.mustOK("email method", f.verificationData(), "challenge-authenticator", "select-authenticator-authenticate")
	f.mustOK("answer", f.answer(f.code()))
	if n := len(srv.Outbox()); n != 1 {
		t.Errorf("%d messages, want the one email", n)
	}
}

// TestPhoneResendBeforeMethod: the phone's verification data offers
// resend, as Okta's does; used before a method is chosen, it texts the
// code, as choosing SMS would. Before a number is given in an
// enrollment there is nothing to send.
func TestPhoneResendBeforeMethod(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlowUser(t, srv, withPhone)
	f.signIn()
	r := f.choose("select-authenticator-authenticate", idxtest.AuthenticatorPhone, nil)
	f.mustOK("select phone", r, "authenticator-verification-data", "select-authenticator-authenticate")
	href := str(t, r.doc, "currentAuthenticatorEnrollment", "value", "resend", "href")
	r = postIon(t, f.c, href, map[string]string{"stateHandle": f.stateHandle})
	f.mustOK("resend", r, "challenge-authenticator", "select-authenticator-authenticate")
	if diff := cmp.Diff(mustJSON(t, `[{"type": "sms"}]`), path(t, r.doc, "currentAuthenticatorEnrollment", "value", "methods")); diff != "" {
		t.Errorf("methods (-want +got):\n%s", diff)
	}
	msg := lastMessage(t, srv, testPhone)
	if msg.Channel != idxtest.ChannelSMS || msg.Code == "" {
		t.Fatalf("sent %+v, want an SMS code", msg)
	}
	f.last = r
	f.mustOK("answer", f.answer(msg.Code))

	e := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 1, Enrollment: []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorPhone, Required: true}}}))
	g := newFlow(t, e)
	g.signIn()
	g.mustOK("choose phone", g.choose("select-authenticator-enroll", idxtest.AuthenticatorPhone, nil),
		"authenticator-enrollment-data", "select-authenticator-enroll")
	if rr := postIon(t, g.c, e.URL+"/idp/idx/challenge/resend", map[string]string{"stateHandle": g.stateHandle}); rr.status != http.StatusForbidden ||
		!cmp.Equal(messageKeys(t, rr.doc), []string{"errors.E0000079"}) {
		t.Errorf("resend before a number: %v", rr)
	}
	if n := len(e.Outbox()); n != 0 {
		t.Errorf("%d messages sent before a number", n)
	}
}

// TestPolicyAuthenticatorsAndFactors: the policy decides what is offered
// and how many factors a sign-in needs.
func TestPolicyAuthenticatorsAndFactors(t *testing.T) {
	t.Parallel()
	t.Run("phone not allowed", func(t *testing.T) {
		srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 2,
			Authenticators: []string{idxtest.AuthenticatorPassword, idxtest.AuthenticatorEmail}}))
		f := newFlowUser(t, srv, withPhone)
		r := f.signIn()
		if got := len(path(t, r.doc, "authenticators", "value").([]any)); got != 1 {
			t.Errorf("%d authenticators offered, want only the email", got)
		}
	})
	t.Run("one factor", func(t *testing.T) {
		srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 1}))
		f := newFlowUser(t, srv, withPhone)
		f.mustOK("identify", f.signIn())
		if diff := cmp.Diff([]string{"pwd"}, f.amr()); diff != "" {
			t.Errorf("amr (-want +got):\n%s", diff)
		}
	})
	t.Run("three factors", func(t *testing.T) {
		srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 3}))
		f := newFlowUser(t, srv, withPhone)
		f.toChallenge()
		f.mustOK("email", f.answer(f.code()), "select-authenticator-authenticate")
		r := f.choose("select-authenticator-authenticate", idxtest.AuthenticatorPhone, map[string]any{"methodType": "sms"})
		f.mustOK("phone", r, "challenge-authenticator", "select-authenticator-authenticate")
		f.mustOK("sms", f.answer(lastMessage(t, srv, testPhone).Code))
		if diff := cmp.Diff([]string{"pwd", "email", "sms"}, f.amr()); diff != "" {
			t.Errorf("amr (-want +got):\n%s", diff)
		}
	})
}
