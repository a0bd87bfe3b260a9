package idx_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// TestE2EDeviceChallenge signs in on an org that answers the start of a
// sign-in with Okta FastPass's device challenge: the app gets the
// hand-off (the link to send the browser to, or the loopback request and
// ports), polls with PollUntilDone, and the sign-in ends in SUCCESS once
// Okta Verify on the fake's device has answered.
func TestE2EDeviceChallenge(t *testing.T) {
	t.Parallel()
	user := e2eUser("fastpass user", func(u *idxtest.User) { u.OktaVerify = true })
	for _, method := range []string{idxtest.DeviceChallengeCustomURI, idxtest.DeviceChallengeUniversalLink,
		idxtest.DeviceChallengeAppLink, idxtest.DeviceChallengeLoopback} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			r := newE2E(t, user, idxtest.WithPolicy(idxtest.Policy{Factors: 1, DeviceChallenge: method}))
			tx := r.do(r.c.Start(t.Context(), idx.StartOptions{}))
			d := tx.NextStep.DeviceChallenge
			if tx.NextStep.Name != "device-challenge-poll" || d == nil || tx.NextStep.Poll == nil {
				t.Fatalf("NextStep %+v", tx.NextStep)
			}
			if d.Method != method || !d.DeviceOnly || d.CancelStep == "" {
				t.Errorf("DeviceChallenge %+v", d)
			}
			handoff := d.Href
			switch method {
			case idxtest.DeviceChallengeLoopback:
				handoff = d.ChallengeRequest
				if d.Href != "" || d.ChallengeRequest == "" || d.Domain != "http://localhost" || len(d.Ports) == 0 {
					t.Errorf("loopback challenge %+v", d)
				}
			case idxtest.DeviceChallengeCustomURI:
				if !strings.HasPrefix(d.Href, "com-okta-authenticator:") || d.DownloadHref == "" {
					t.Errorf("custom URI challenge %+v", d)
				}
			default:
				if !strings.HasPrefix(d.Href, "http") {
					t.Errorf("link challenge %+v", d)
				}
			}
			// The device has not answered: the step still waits.
			polls := 0
			r.do(r.c.PollUntilDone(t.Context(), tx.State, idx.WithPollProgress(func(n int, tx *idx.Transaction) {
				polls = n
				if n == 1 {
					if err := r.srv.AnswerDeviceChallenge(handoff, user.Username); err != nil {
						t.Errorf("AnswerDeviceChallenge: %v", err)
					}
				}
			})))
			if polls != 1 {
				t.Errorf("%d polls left the step waiting; want 1, before the device answered", polls)
			}
			r.wantSuccess("phr")
		})
	}
}

// TestE2EDeviceChallengeFallback stops waiting for the device
// (cancel-polling): the org offers the username and launch-authenticator,
// and the user signs in with the password, or launches Okta Verify by its
// link. A username and password given before then are not used.
func TestE2EDeviceChallengeFallback(t *testing.T) {
	t.Parallel()
	user := e2eUser("fastpass fallback", func(u *idxtest.User) { u.OktaVerify = true })
	start := func(t *testing.T) *e2eRun {
		r := newE2E(t, user, idxtest.WithPolicy(idxtest.Policy{Factors: 1, DeviceChallenge: idxtest.DeviceChallengeLoopback}))
		tx := r.do(r.c.Start(t.Context(), idx.StartOptions{}))
		r.proceed(idx.Options{Step: tx.NextStep.DeviceChallenge.CancelStep})
		if diff := cmp.Diff([]string{"identify", "launch-authenticator"}, stepNames(r.tx)); diff != "" {
			t.Fatalf("steps after cancel-polling (-want +got):\n%s", diff)
		}
		return r
	}

	t.Run("password instead", func(t *testing.T) {
		t.Parallel()
		r := newE2E(t, user, idxtest.WithPolicy(idxtest.Policy{Factors: 1, DeviceChallenge: idxtest.DeviceChallengeLoopback}))
		// The org probes for the device before it asks for anyone.
		tx := r.signIn()
		r.proceed(idx.Options{Step: tx.NextStep.DeviceChallenge.CancelStep})
		r.proceed(idx.Options{Username: user.Username, Password: user.Password})
		r.wantSteps("device-challenge-poll", "identify", "SUCCESS")
		r.wantSuccess("pwd")
	})

	t.Run("launch Okta Verify", func(t *testing.T) {
		t.Parallel()
		r := start(t)
		i := slices.IndexFunc(r.tx.AvailableSteps, func(s idx.NextStep) bool { return s.Name == "launch-authenticator" })
		launch := r.tx.AvailableSteps[i]
		// On a computer, the fallback names no link until it is taken.
		if diff := cmp.Diff(&authenticator.DeviceChallenge{DeviceOnly: true}, launch.DeviceChallenge); diff != "" {
			t.Errorf("launch-authenticator's DeviceChallenge (-want +got):\n%s", diff)
		}
		tx := r.proceed(idx.Options{Step: launch.Name})
		d := tx.NextStep.DeviceChallenge
		if tx.NextStep.Name != "device-challenge-poll" || d == nil || d.Method != authenticator.ChallengeCustomURI || d.Href == "" {
			t.Fatalf("after launch-authenticator: %+v", tx.NextStep)
		}
		if err := r.srv.AnswerDeviceChallenge(d.Href, user.Username); err != nil {
			t.Fatal(err)
		}
		r.do(r.c.Poll(t.Context(), r.state()))
		r.wantSteps("device-challenge-poll", "identify", "device-challenge-poll", "SUCCESS")
		r.wantSuccess("phr")
	})

	t.Run("no Okta Verify on the device", func(t *testing.T) {
		t.Parallel()
		other := e2eUser("no okta verify", nil)
		r := newE2E(t, user, idxtest.WithUser(other),
			idxtest.WithPolicy(idxtest.Policy{Factors: 1, DeviceChallenge: idxtest.DeviceChallengeUniversalLink}))
		tx := r.do(r.c.Start(t.Context(), idx.StartOptions{}))
		if err := r.srv.AnswerDeviceChallenge(tx.NextStep.DeviceChallenge.Href, other.Username); err == nil {
			t.Error("a user without Okta Verify answered the device challenge")
		}
		if err := r.srv.AnswerDeviceChallenge("https://example.com/?challengeRequest=forged", user.Username); err == nil {
			t.Error("a forged challenge was answered")
		}
		tx = r.do(r.c.Poll(t.Context(), r.state()))
		if tx.Status != idx.StatusPending || tx.NextStep.Name != "device-challenge-poll" {
			t.Errorf("after no answer: %v", tx)
		}
	})
}

// TestE2EIdentityVerification follows the org's redirect-idverify to the
// fake's identity verification vendor and back: HandleCallback ends the
// sign-in, as for an identity provider; a vendor that cannot verify the
// user ends it with ErrAccessDenied.
func TestE2EIdentityVerification(t *testing.T) {
	t.Parallel()
	user := e2eUser("idv user", nil)
	org := func(t *testing.T, fail bool) *e2eRun {
		return newE2E(t, user, idxtest.WithPolicy(idxtest.Policy{Factors: 1,
			IdentityVerification: &idxtest.IDVendor{ID: "IDV_INCODE", Name: "Incode", Fail: fail}}))
	}

	t.Run("verified", func(t *testing.T) {
		t.Parallel()
		r := org(t, false)
		tx := r.signIn()
		s := tx.NextStep
		if s.Name != "redirect-idverify" || s.DeviceChallenge != nil {
			t.Fatalf("NextStep %+v", s)
		}
		back := followRedirect(t, r, s, &idx.IDP{ID: "IDV_INCODE", Name: "Incode", Type: "ID_PROOFING"})
		r.do(r.c.HandleCallback(t.Context(), r.state(), back))
		r.wantSteps("redirect-idverify", "SUCCESS")
		r.wantSuccess("pwd")
	})

	t.Run("not verified", func(t *testing.T) {
		t.Parallel()
		r := org(t, true)
		tx := r.signIn()
		back := follow(t, r.srv, tx.NextStep.Href)
		_, err := r.c.HandleCallback(t.Context(), tx.State, back)
		var oe *idx.OAuthError
		if !errors.As(err, &oe) || oe.Endpoint != "redirect" || oe.Code != "access_denied" || !errors.Is(err, idx.ErrAccessDenied) {
			t.Fatalf("err = %v, want a redirect's *OAuthError matching ErrAccessDenied", err)
		}
	})
}

// TestE2EFastPassCancel stops waiting for an Okta FastPass chosen among
// the authenticators: the challenge-poll hands off a loopback challenge,
// its cancel-polling action is taken by name, and the user chooses the
// email instead.
func TestE2EFastPassCancel(t *testing.T) {
	t.Parallel()
	r := newE2E(t, e2eUser(t.Name(), func(u *idxtest.User) { u.OktaVerify = true }),
		idxtest.WithOktaVerifyFastPassOnly(),
		idxtest.WithPolicy(idxtest.Policy{Factors: 2, Authenticators: []string{idxtest.AuthenticatorEmail, idxtest.AuthenticatorOktaVerify}}))
	r.signIn()
	tx := r.proceed(idx.Options{Authenticator: authenticator.OktaVerify})
	d := tx.NextStep.DeviceChallenge
	if d == nil || d.Method != authenticator.ChallengeLoopback || d.ChallengeRequest == "" || len(d.Ports) == 0 || !d.DeviceOnly || d.CancelStep != "cancel-polling" {
		t.Fatalf("FastPass DeviceChallenge %+v", d)
	}
	r.proceed(idx.Options{Step: d.CancelStep})
	r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
	r.proceed(idx.Options{VerificationCode: lastCode(r.t, r.srv, r.user.Username)})
	r.wantSuccess("pwd", "email")
	r.wantSteps(
		"select-authenticator-authenticate [okta_email okta_verify]",
		"challenge-poll/okta_verify",
		"select-authenticator-authenticate [okta_email okta_verify]",
		"challenge-authenticator/okta_email",
		"SUCCESS",
	)
}
