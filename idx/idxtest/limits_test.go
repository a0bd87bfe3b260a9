package idxtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// TestVerificationAttemptLimit checks Okta's limit on wrong one-time
// codes: the fifth wrong email code in a row locks the email
// authenticator, and every answer is refused with 429 tooManyRequests on
// the challenge until the lock runs out five minutes later.
func TestVerificationAttemptLimit(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clk.Now))
	f := newFlow(t, srv)
	f.toChallenge()
	for i := 1; i < idxtest.DefaultMaxVerificationAttempts; i++ {
		if r := f.answer("000000"); r.status != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %v", i, r)
		}
	}
	r := f.answer("000000")
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("wrong code %d: %v, want 429", idxtest.DefaultMaxVerificationAttempts, r)
	}
	if diff := cmp.Diff([]string{"tooManyRequests"}, messageKeys(t, r.doc)); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if got := str(t, r.doc, "messages", "value", 0, "message"); got != "Too many requests" {
		t.Errorf("message = %q", got)
	}
	if diff := cmp.Diff([]string{"challenge-authenticator", "select-authenticator-authenticate"}, remediationNames(t, r.doc)); diff != "" {
		t.Errorf("remediations (-want +got):\n%s", diff)
	}

	// Locked: the right code is refused too.
	clk.Advance(idxtest.VerificationLockout - time.Second)
	if r := f.answer(f.code()); r.status != http.StatusTooManyRequests {
		t.Fatalf("the right code while locked: %v, want 429", r)
	}

	// Once the lock has run out, a new code (the old one has expired)
	// signs in.
	clk.Advance(time.Second)
	if r := postIon(t, f.c, srv.URL+"/idp/idx/challenge/resend", map[string]any{"stateHandle": f.stateHandle}); r.status != http.StatusOK {
		t.Fatalf("resend: %v", r)
	}
	if r := f.answer(f.code()); r.status != http.StatusOK || path(t, r.doc, "successWithInteractionCode") == nil {
		t.Fatalf("the right code after the lock: %v", r)
	}
}

// TestVerificationAttemptLimitPolicy checks that a right code clears the
// count, and the limit's settings: a smaller one, none, and Google
// Authenticator's codes.
func TestVerificationAttemptLimitPolicy(t *testing.T) {
	t.Parallel()
	answerWrong := func(f *flow, n int) []int {
		var got []int
		for range n {
			got = append(got, f.answer("000000").status)
		}
		return got
	}
	const (
		u401 = http.StatusUnauthorized
		u429 = http.StatusTooManyRequests
	)

	t.Run("a right code clears the count", func(t *testing.T) {
		t.Parallel()
		srv := newOrg(t)
		f := newFlow(t, srv)
		f.toChallenge()
		if diff := cmp.Diff([]int{u401, u401, u401, u401}, answerWrong(f, 4)); diff != "" {
			t.Fatalf("statuses (-want +got):\n%s", diff)
		}
		if r := f.answer(f.code()); r.status != http.StatusOK {
			t.Fatalf("right code: %v", r)
		}
		// A new sign-in of the same user starts from zero.
		g := newFlow(t, srv)
		g.user, g.password = f.user, f.password
		g.toChallenge()
		if diff := cmp.Diff([]int{u401, u401, u401, u401, u429}, answerWrong(g, 5)); diff != "" {
			t.Errorf("statuses after a right code (-want +got):\n%s", diff)
		}
	})

	t.Run("two attempts", func(t *testing.T) {
		t.Parallel()
		srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 2, MaxVerificationAttempts: 2}))
		f := newFlow(t, srv)
		f.toChallenge()
		if diff := cmp.Diff([]int{u401, u429, u429}, answerWrong(f, 3)); diff != "" {
			t.Errorf("statuses (-want +got):\n%s", diff)
		}
	})

	t.Run("no limit", func(t *testing.T) {
		t.Parallel()
		srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 2, MaxVerificationAttempts: -1}))
		f := newFlow(t, srv)
		f.toChallenge()
		for i, st := range answerWrong(f, 12) {
			if st != u401 {
				t.Fatalf("wrong code %d: %d, want 401", i+1, st)
			}
		}
		if r := f.answer(f.code()); r.status != http.StatusOK {
			t.Fatalf("right code: %v", r)
		}
	})

	t.Run("Google Authenticator", func(t *testing.T) {
		t.Parallel()
		srv := newOrg(t)
		f := newFlowUser(t, srv, withGoogle)
		f.mustOK("identify", f.signIn(), "select-authenticator-authenticate")
		f.mustOK("select google", f.choose("select-authenticator-authenticate", idxtest.AuthenticatorGoogle, nil),
			"challenge-authenticator", "select-authenticator-authenticate")
		if diff := cmp.Diff([]int{u401, u401, u401, u401, u429, u429}, answerWrong(f, 6)); diff != "" {
			t.Errorf("statuses (-want +got):\n%s", diff)
		}
		// The email, another authenticator, is not locked.
		f.mustOK("select email", f.choose("select-authenticator-authenticate", idxtest.AuthenticatorEmail, nil),
			"authenticator-verification-data", "select-authenticator-authenticate")
		f.mustOK("send the email", f.verificationData(), "challenge-authenticator", "select-authenticator-authenticate")
		if r := f.answer(f.code()); r.status != http.StatusOK {
			t.Fatalf("email code after Google Authenticator was locked: %v", r)
		}
	})
}
