package idxtest_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// TestOktaVerifyNumberChallengeResend: a push with a number challenge
// offers resend on currentAuthenticator, as Okta's does; it sends a new
// push with a new number, and the old number no longer approves.
func TestOktaVerifyNumberChallengeResend(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithOktaVerifyNumberChallenge(true))
	f := newFlowUser(t, srv, withOktaVerify)
	f.signIn()
	r := f.choose("select-authenticator-authenticate", idxtest.AuthenticatorOktaVerify, map[string]any{"methodType": "push"})
	f.mustOK("push", r, "challenge-poll", "select-authenticator-authenticate")
	cur := path(t, r.doc, "currentAuthenticator", "value").(map[string]any)
	first := str(t, cur, "contextualData", "correctAnswer")
	var answers []string
	for range 8 {
		rr := postIon(t, f.c, str(t, cur, "resend", "href"), map[string]string{"stateHandle": f.stateHandle})
		f.mustOK("resend", rr, "challenge-poll", "select-authenticator-authenticate")
		f.last = rr
		cur = path(t, rr.doc, "currentAuthenticator", "value").(map[string]any)
		answers = append(answers, str(t, cur, "contextualData", "correctAnswer"))
	}
	last := answers[len(answers)-1]
	changed := false
	for _, a := range answers {
		changed = changed || a != first
	}
	if !changed {
		t.Fatalf("eight resends kept the number %s", first)
	}
	if first != last {
		n, _ := strconv.Atoi(first)
		if err := srv.AnswerPush(f.user, n); err != nil {
			t.Fatal(err)
		}
		f.mustOK("old number", f.submit("challenge-poll", nil), "resend", "select-authenticator-authenticate")
		return
	}
	n, _ := strconv.Atoi(last)
	if err := srv.AnswerPush(f.user, n); err != nil {
		t.Fatal(err)
	}
	f.mustOK("new number", f.submit("challenge-poll", nil))
}

// TestOktaVerifySend: the method choice and the code challenge of Okta
// Verify offer the send action, as Okta's do; it sends a push.
func TestOktaVerifySend(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	for _, method := range []string{"", "totp"} {
		f := newFlowUser(t, srv, withOktaVerify)
		f.signIn()
		values := map[string]any{}
		want := []string{"authenticator-verification-data", "select-authenticator-authenticate"}
		if method != "" {
			values["methodType"] = method
			want[0] = "challenge-authenticator"
		}
		r := f.choose("select-authenticator-authenticate", idxtest.AuthenticatorOktaVerify, values)
		f.mustOK("select "+method, r, want...)
		send := path(t, r.doc, "currentAuthenticator", "value", "send").(map[string]any)
		if send["name"] != "send" || send["href"] != srv.URL+"/idp/idx/challenge/send" {
			t.Errorf("send = %v", send)
		}
		r = postIon(t, f.c, send["href"].(string), map[string]string{"stateHandle": f.stateHandle})
		f.mustOK("send", r, "challenge-poll", "select-authenticator-authenticate")
		f.last = r
		if err := srv.ApprovePush(f.user); err != nil {
			t.Fatal(err)
		}
		f.mustOK("approved", f.submit("challenge-poll", nil))
	}
}

// TestEmailEnrollPoll: the email being enrolled offers resend and poll,
// as Okta's does, and enroll-authenticator names it as
// enrollmentAuthenticator, beside the user's enrollments.
func TestEmailEnrollPoll(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 1,
		Enrollment: []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorEmail, Required: true}}}))
	f := newFlowUser(t, srv, func(u *idxtest.User) { u.EmailNotEnrolled = true })
	f.signIn()
	r := f.choose("select-authenticator-enroll", idxtest.AuthenticatorEmail, nil)
	f.mustOK("enroll email", r, "enroll-authenticator", "select-authenticator-enroll")
	cur := path(t, r.doc, "currentAuthenticator", "value").(map[string]any)
	if str(t, cur, "poll", "href") != srv.URL+"/idp/idx/challenge/poll" || str(t, cur, "resend", "href") != srv.URL+"/idp/idx/challenge/resend" {
		t.Errorf("currentAuthenticator = %v", cur)
	}
	if got := str(t, r.doc, "enrollmentAuthenticator", "value", "key"); got != idxtest.AuthenticatorEmail {
		t.Errorf("enrollmentAuthenticator %q", got)
	}
	if diff := cmp.Diff([]any{idxtest.AuthenticatorPassword}, keysOf(t, r.doc, "authenticatorEnrollments")); diff != "" {
		t.Errorf("enrollments (-want +got):\n%s", diff)
	}
	rr := postIon(t, f.c, str(t, cur, "poll", "href"), map[string]string{"stateHandle": f.stateHandle})
	f.mustOK("poll", rr, "enroll-authenticator", "select-authenticator-enroll")
	f.last = rr
	f.mustOK("code", f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"passcode": f.code()}}))
}

// TestSessionExpiredForgotten: a stateHandle the server forgot (its
// sign-in succeeded and the code was redeemed) is answered
// idx.session.expired with the handle, an expiry and the intent, as
// Okta's.
func TestSessionExpiredForgotten(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	f.success()
	if r := f.redeem(f.verifier); r.status != http.StatusOK {
		t.Fatalf("token: %v", r)
	}
	r := postIon(t, f.c, srv.URL+"/idp/idx/introspect", map[string]string{"stateHandle": f.stateHandle})
	mustStatusKeys(t, "introspect", r, http.StatusUnauthorized, "idx.session.expired")
	if str(t, r.doc, "stateHandle") != f.stateHandle || str(t, r.doc, "intent") != "LOGIN" || str(t, r.doc, "expiresAt") == "" {
		t.Errorf("expired answer: %v", r)
	}
}

// keysOf lists the keys of the entries of an authenticator list.
func keysOf(t *testing.T, d doc, list string) []any {
	t.Helper()
	var out []any
	for _, e := range path(t, d, list, "value").([]any) {
		out = append(out, e.(map[string]any)["key"])
	}
	return out
}
