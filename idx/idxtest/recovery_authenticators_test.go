package idxtest_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// allRecovery is a policy with recovery and unlock verified by every
// authenticator they can use (and Google Authenticator, which is
// ignored).
func allRecovery(opts ...idxtest.Option) []idxtest.Option {
	return append([]idxtest.Option{idxtest.WithPolicy(idxtest.Policy{
		Factors: 2, Recovery: true, Unlock: true,
		RecoveryAuthenticators: []string{idxtest.AuthenticatorSecurityQuestion, idxtest.AuthenticatorGoogle,
			idxtest.AuthenticatorOktaVerify, idxtest.AuthenticatorPhone, idxtest.AuthenticatorEmail},
	})}, opts...)
}

// withAll enrolls the phone, Okta Verify and a security question.
func withAll(u *idxtest.User) {
	u.Phone = testPhone
	u.OktaVerify = true
	u.SecurityQuestion = &idxtest.SecurityQuestion{Key: "disliked_food", Answer: "Brussels Sprouts"}
}

// toRecoverySelect starts a recovery for identifier: interact,
// introspect, recover, identify-recovery.
func (f *flow) toRecoverySelect(identifier string) reply {
	f.t.Helper()
	f.interact()
	f.introspect()
	f.recover()
	r := f.submit("identify-recovery", map[string]any{"identifier": identifier})
	f.mustOK("identify-recovery", r, "select-authenticator-authenticate")
	return r
}

// optionKeys are the authenticator keys of the options of the form's
// authenticator field, in order, read through each option's relatesTo,
// which names the i-th entry of authenticatorEnrollments or (Okta
// Verify's) of authenticators.
func optionKeys(t *testing.T, d doc, formName string) []string {
	t.Helper()
	opts := path(t, form(t, d, formName), "value", "name=authenticator", "options").([]any)
	var out []string
	for i, o := range opts {
		list := ""
		for _, l := range []string{"authenticatorEnrollments", "authenticators"} {
			if o.(map[string]any)["relatesTo"] == fmt.Sprintf("$.%s.value[%d]", l, i) {
				list = l
			}
		}
		if list == "" {
			t.Errorf("option %d relatesTo %v, want entry %d of authenticatorEnrollments or authenticators", i, o.(map[string]any)["relatesTo"], i)
			list = "authenticatorEnrollments"
		}
		out = append(out, str(t, d, list, "value", i, "key"))
	}
	return out
}

// TestRecoveryAuthenticatorsOffered: recovery offers the policy's
// authenticators in the server's order, whatever the user enrolled;
// unlock offers them but the security question; the default is the
// email only.
func TestRecoveryAuthenticatorsOffered(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, allRecovery()...)
	f := newFlow(t, srv) // the email only
	r := f.toRecoverySelect(f.user)
	want := []string{idxtest.AuthenticatorEmail, idxtest.AuthenticatorPhone, idxtest.AuthenticatorOktaVerify, idxtest.AuthenticatorSecurityQuestion}
	if diff := cmp.Diff(want, optionKeys(t, r.doc, "select-authenticator-authenticate")); diff != "" {
		t.Errorf("recovery options (-want +got):\n%s", diff)
	}

	g := newFlowUser(t, srv, withAll)
	r = g.toUnlock()
	if diff := cmp.Diff(want[:3], optionKeys(t, r.doc, "select-authenticator-unlock-account")); diff != "" {
		t.Errorf("unlock options (-want +got):\n%s", diff)
	}
	phone := path(t, form(t, r.doc, "select-authenticator-unlock-account"), "value", "name=authenticator", "options", 1)
	wantPhone := mustJSON(t, `{"label": "Phone", "relatesTo": "$.authenticatorEnrollments.value[1]", "value": {"form": {"value": [
		{"name": "id", "required": true, "value": "`+g.authenticatorID(idxtest.AuthenticatorPhone)+`", "mutable": false, "visible": false},
		{"name": "methodType", "type": "string", "required": false, "options": [
			{"label": "SMS", "value": "sms"}, {"label": "Voice call", "value": "voice"}]}]}}}`)
	if diff := cmp.Diff(wantPhone, phone); diff != "" {
		t.Errorf("unlock phone option (-want +got):\n%s", diff)
	}

	def := newOrg(t, recoveryPolicy())
	h := newFlowUser(t, def, withAll)
	r = h.toRecoverySelect(h.user)
	if diff := cmp.Diff([]string{idxtest.AuthenticatorEmail}, optionKeys(t, r.doc, "select-authenticator-authenticate")); diff != "" {
		t.Errorf("default recovery options (-want +got):\n%s", diff)
	}
}

// resetPassword submits a new password at reset-authenticator and
// returns the answer.
func (f *flow) resetPassword(what string) reply {
	f.t.Helper()
	f.mustOK(what, f.last, "reset-authenticator")
	f.password = "Reset-9z" + f.password
	return f.submit("reset-authenticator", map[string]any{"credentials": map[string]any{"passcode": f.password}})
}

// TestRecoverWithPhone recovers by SMS, and by voice chosen at
// authenticator-verification-data, with a wrong code refused first.
func TestRecoverWithPhone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method, channel, amr string
	}{
		{"sms", idxtest.ChannelSMS, "sms"},
		{"voice", idxtest.ChannelVoice, "tel"},
	} {
		t.Run(tc.method, func(t *testing.T) {
			t.Parallel()
			// An org per subtest: the users share testPhone, whose last
			// message each reads.
			srv := newOrg(t, allRecovery()...)
			f := newFlowUser(t, srv, withPhone)
			f.toRecoverySelect(f.user)
			f.mustOK("phone", f.choose("select-authenticator-authenticate", idxtest.AuthenticatorPhone, nil),
				"authenticator-verification-data", "select-authenticator-authenticate")
			r := f.choose("authenticator-verification-data", idxtest.AuthenticatorPhone, map[string]any{"methodType": tc.method})
			f.mustOK("method", r, "challenge-authenticator", "select-authenticator-authenticate")
			if got := str(t, r.doc, "currentAuthenticatorEnrollment", "value", "profile", "phoneNumber"); got != "+X XXX-XXX-0100" {
				t.Errorf("profile phoneNumber = %q", got)
			}
			msg := lastMessage(t, srv, testPhone)
			if msg.Channel != tc.channel {
				t.Errorf("channel = %q", msg.Channel)
			}
			r = f.answer("000000")
			if r.status != http.StatusUnauthorized || !cmp.Equal(fieldKeys(t, r.doc, "challenge-authenticator", "name=credentials", "form", "value", "name=passcode"), []string{"api.authn.error.PASSCODE_INVALID"}) {
				t.Fatalf("wrong code: %v", r)
			}
			f.answer(msg.Code)
			f.mustOK("reset", f.resetPassword("code"))
			if diff := cmp.Diff([]string{tc.amr, "pwd"}, f.amr()); diff != "" {
				t.Errorf("amr (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRecoverWithOktaVerify recovers with an approved push, and with a
// TOTP code.
func TestRecoverWithOktaVerify(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, allRecovery()...)
	t.Run("push", func(t *testing.T) {
		t.Parallel()
		f := newFlowUser(t, srv, withOktaVerify)
		f.toRecoverySelect(f.user)
		r := f.choose("select-authenticator-authenticate", idxtest.AuthenticatorOktaVerify, map[string]any{"methodType": "push"})
		f.mustOK("push", r, "challenge-poll", "select-authenticator-authenticate")
		f.mustOK("pending", f.submit("challenge-poll", nil), "challenge-poll", "select-authenticator-authenticate")
		if err := srv.ApprovePush(f.user); err != nil {
			t.Fatal(err)
		}
		f.submit("challenge-poll", nil)
		f.mustOK("reset", f.resetPassword("approved"))
		if diff := cmp.Diff([]string{"swk", "pwd"}, f.amr()); diff != "" {
			t.Errorf("amr (-want +got):\n%s", diff)
		}
	})
	t.Run("totp", func(t *testing.T) {
		t.Parallel()
		f := newFlowUser(t, srv, withOktaVerify)
		f.toRecoverySelect(f.user)
		r := f.choose("select-authenticator-authenticate", idxtest.AuthenticatorOktaVerify, map[string]any{"methodType": "totp"})
		f.mustOK("totp", r, "challenge-authenticator", "select-authenticator-authenticate")
		secret, err := srv.OktaVerifySecret(f.user)
		if err != nil {
			t.Fatal(err)
		}
		f.submit("challenge-authenticator", map[string]any{"credentials": map[string]any{"totp": idxtest.TOTP(secret, time.Now())}})
		f.mustOK("reset", f.resetPassword("totp"))
	})
}

// TestRecoverWithSecurityQuestion recovers with the security question;
// a wrong answer is refused with Okta's message.
func TestRecoverWithSecurityQuestion(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, allRecovery()...)
	f := newFlowUser(t, srv, withAll)
	f.toRecoverySelect(f.user)
	r := f.choose("select-authenticator-authenticate", idxtest.AuthenticatorSecurityQuestion, nil)
	f.mustOK("question", r, "challenge-authenticator", "select-authenticator-authenticate")
	want := mustJSON(t, `{"enrolledQuestion": {"questionKey": "disliked_food", "question": "What is the food you least liked as a child?"}}`)
	if diff := cmp.Diff(want, path(t, r.doc, "currentAuthenticatorEnrollment", "value", "contextualData")); diff != "" {
		t.Errorf("contextualData (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		answer string
		status int
		key    string
	}{
		{" ", http.StatusBadRequest, "model.validation.field.blank"},
		{"kale", http.StatusUnauthorized, "authfactor.challenge.question_factor.answer_invalid"},
	} {
		r = f.submit("challenge-authenticator", map[string]any{"credentials": map[string]any{"questionKey": "disliked_food", "answer": tc.answer}})
		if r.status != tc.status || !cmp.Equal(fieldKeys(t, r.doc, "challenge-authenticator", "name=credentials", "form", "value", "name=answer"), []string{tc.key}) {
			t.Errorf("answer %q: %v", tc.answer, r)
		}
	}
	f.submit("challenge-authenticator", map[string]any{"credentials": map[string]any{"questionKey": "disliked_food", "answer": "brussels sprouts"}})
	f.mustOK("reset", f.resetPassword("answer"))
	if diff := cmp.Diff([]string{"kba", "pwd"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestUnlockWithPhoneAndOktaVerify unlocks by SMS code and by push.
func TestUnlockWithPhoneAndOktaVerify(t *testing.T) {
	t.Parallel()
	// Each subtest has its own org: users share testPhone, whose last
	// message a subtest reads.
	unlockedWith := func(t *testing.T, srv *idxtest.Server, f *flow, r reply) {
		t.Helper()
		f.mustOK("unlocked", r)
		if diff := cmp.Diff([]string{"oie.selfservice.unlock_user.success.message"}, messageKeys(t, r.doc)); diff != "" {
			t.Errorf("messages (-want +got):\n%s", diff)
		}
		if locked, ok := srv.UserLocked(f.user); !ok || locked {
			t.Errorf("still locked: %v %v", locked, ok)
		}
	}
	t.Run("sms", func(t *testing.T) {
		t.Parallel()
		srv := newOrg(t, allRecovery()...)
		f := newFlowUser(t, srv, func(u *idxtest.User) { withPhone(u); locked(u) })
		f.toUnlock()
		r := f.submit("select-authenticator-unlock-account", map[string]any{"identifier": f.user,
			"authenticator": map[string]any{"id": f.authenticatorID(idxtest.AuthenticatorPhone), "methodType": "sms"}})
		f.mustOK("sms", r, "challenge-authenticator", "select-authenticator-authenticate")
		if locked, _ := srv.UserLocked(f.user); !locked {
			t.Fatal("unlocked before the code")
		}
		code, _ := srv.LastCode(testPhone)
		unlockedWith(t, srv, f, f.answer(code))
	})
	t.Run("phone without method", func(t *testing.T) {
		t.Parallel()
		srv := newOrg(t, allRecovery()...)
		f := newFlowUser(t, srv, func(u *idxtest.User) { withPhone(u); locked(u) })
		f.toUnlock()
		r := f.submit("select-authenticator-unlock-account", map[string]any{"identifier": f.user,
			"authenticator": map[string]any{"id": f.authenticatorID(idxtest.AuthenticatorPhone)}})
		f.mustOK("phone", r, "authenticator-verification-data", "select-authenticator-authenticate")
		f.mustOK("voice", f.choose("authenticator-verification-data", idxtest.AuthenticatorPhone, map[string]any{"methodType": "voice"}),
			"challenge-authenticator", "select-authenticator-authenticate")
		msg := lastMessage(t, srv, testPhone)
		if msg.Channel != idxtest.ChannelVoice {
			t.Errorf("channel = %q", msg.Channel)
		}
		unlockedWith(t, srv, f, f.answer(msg.Code))
	})
	t.Run("push", func(t *testing.T) {
		t.Parallel()
		srv := newOrg(t, allRecovery()...)
		f := newFlowUser(t, srv, func(u *idxtest.User) { withOktaVerify(u); locked(u) })
		f.toUnlock()
		r := f.submit("select-authenticator-unlock-account", map[string]any{"identifier": f.user,
			"authenticator": map[string]any{"id": f.authenticatorID(idxtest.AuthenticatorOktaVerify), "methodType": "push"}})
		f.mustOK("push", r, "challenge-poll", "select-authenticator-authenticate")
		if err := srv.ApprovePush(f.user); err != nil {
			t.Fatal(err)
		}
		unlockedWith(t, srv, f, f.submit("challenge-poll", nil))
	})
	t.Run("security question refused", func(t *testing.T) {
		t.Parallel()
		srv := newOrg(t, allRecovery()...)
		f := newFlowUser(t, srv, func(u *idxtest.User) { withAll(u); locked(u) })
		f.toRecoverySelect(f.user)
		sqID := f.authenticatorID(idxtest.AuthenticatorSecurityQuestion)
		f.toUnlock()
		r := f.submit("select-authenticator-unlock-account", map[string]any{"identifier": f.user,
			"authenticator": map[string]any{"id": sqID}})
		if r.status != http.StatusBadRequest || !cmp.Equal(messageKeys(t, r.doc), []string{"errors.E0000001"}) {
			t.Errorf("security question: %v", r)
		}
	})
}

// TestRecoveryAuthenticatorsNoEnumeration: for each authenticator, a
// recovery (or unlock) for a username that names nobody, and for a user
// who has not enrolled it, answers as for a user who has: same statuses
// and shapes at every step, a wrong answer refused alike; nothing is
// sent, no push can be approved, and no answer verifies.
func TestRecoveryAuthenticatorsNoEnumeration(t *testing.T) {
	t.Parallel()
	wrong := map[string]map[string]any{
		idxtest.AuthenticatorPhone:            {"credentials": map[string]any{"passcode": "000000"}},
		idxtest.AuthenticatorOktaVerify:       {"credentials": map[string]any{"totp": "000000"}},
		idxtest.AuthenticatorSecurityQuestion: {"credentials": map[string]any{"answer": "wrong answer"}},
	}
	for _, tc := range []struct {
		key    string
		method string
		unlock bool
	}{
		{idxtest.AuthenticatorPhone, "sms", false},
		{idxtest.AuthenticatorPhone, "", true},
		{idxtest.AuthenticatorOktaVerify, "totp", false},
		{idxtest.AuthenticatorOktaVerify, "push", true},
		{idxtest.AuthenticatorSecurityQuestion, "", false},
	} {
		t.Run(fmt.Sprintf("%s/%s/unlock=%v", tc.key, tc.method, tc.unlock), func(t *testing.T) {
			t.Parallel()
			srv := newOrg(t, allRecovery()...) // its own outbox
			values := map[string]any{}
			if tc.method != "" {
				values["methodType"] = tc.method
			}
			run := func(f *flow, identifier string) []reply {
				var out []reply
				if tc.unlock {
					f.toUnlock()
					a := map[string]any{"id": f.authenticatorID(tc.key)}
					for k, v := range values {
						a[k] = v
					}
					out = append(out, f.submit("select-authenticator-unlock-account", map[string]any{"identifier": identifier, "authenticator": a}))
				} else {
					out = append(out, f.toRecoverySelect(identifier))
					out = append(out, f.choose("select-authenticator-authenticate", tc.key, values))
				}
				switch {
				case tc.method == "push":
					out = append(out, f.submit("challenge-poll", nil))
				case tc.key == idxtest.AuthenticatorPhone && tc.method == "":
					out = append(out, f.choose("authenticator-verification-data", tc.key, map[string]any{"methodType": "sms"}))
					out = append(out, f.submit("challenge-authenticator", wrong[tc.key]))
				default:
					out = append(out, f.submit("challenge-authenticator", wrong[tc.key]))
				}
				return out
			}
			known := newFlowUser(t, srv, func(u *idxtest.User) { withAll(u); locked(u) })
			want := run(known, known.user)
			before := len(srv.Outbox())
			nobody := newFlow(t, srv)
			bare := newFlowUser(t, srv, locked) // the email only
			for _, other := range []struct {
				name       string
				f          *flow
				identifier string
			}{
				{"unknown user", nobody, "nobody-" + nobody.user},
				{"not enrolled", bare, bare.user},
			} {
				got := run(other.f, other.identifier)
				for i := range want {
					if got[i].status != want[i].status {
						t.Errorf("%s step %d: status %d, enrolled user's %d", other.name, i, got[i].status, want[i].status)
					}
					if diff := cmp.Diff(shape(want[i].doc), shape(got[i].doc)); diff != "" {
						t.Errorf("%s step %d differs from the enrolled user's (-enrolled +other):\n%s", other.name, i, diff)
					}
				}
				if tc.method == "push" {
					if err := srv.ApprovePush(other.identifier); err == nil {
						t.Errorf("%s: a push was approved", other.name)
					}
				}
			}
			if sent := srv.Outbox()[before:]; len(sent) != 0 {
				t.Errorf("messages sent: %+v", sent)
			}
			if locked, _ := srv.UserLocked(bare.user); !locked {
				t.Error("the user without the enrollment was unlocked")
			}
		})
	}
}

// ExamplePolicy_recoveryAuthenticators recovers a password with a code
// sent by SMS, which the policy allows besides the email.
func ExamplePolicy_recoveryAuthenticators() {
	org := idxtest.NewServer(
		idxtest.WithPolicy(idxtest.Policy{
			Factors: 2, Recovery: true,
			RecoveryAuthenticators: []string{idxtest.AuthenticatorEmail, idxtest.AuthenticatorPhone},
		}),
		idxtest.WithUser(idxtest.User{Username: "pat@example.com", Password: "Old-Passw0rd", Phone: "+15555550123"}),
	)
	defer org.Close()
	e := &exampleClient{org: org}
	e.start()
	e.post("/idp/idx/recover", map[string]any{})
	doc := e.post("/idp/idx/identify", map[string]any{"identifier": "pat@example.com"})
	var phoneID string
	for _, a := range doc["authenticators"].(map[string]any)["value"].([]any) {
		a := a.(map[string]any)
		fmt.Println("offered:", a["key"])
		if a["key"] == idxtest.AuthenticatorPhone {
			phoneID = a["id"].(string)
		}
	}
	doc = e.post("/idp/idx/challenge", map[string]any{"authenticator": map[string]any{"id": phoneID, "methodType": "sms"}})
	fmt.Println(exampleRemediations(doc))
	code, _ := org.LastCode("+15555550123")
	doc = e.post("/idp/idx/challenge/answer", map[string]any{"credentials": map[string]any{"passcode": code}})
	fmt.Println(exampleRemediations(doc))
	// Output:
	// offered: okta_email
	// offered: phone_number
	// [challenge-authenticator select-authenticator-authenticate]
	// [reset-authenticator]
}
