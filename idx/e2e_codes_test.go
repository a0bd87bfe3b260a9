package idx_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// settableClock is a clock for the fake org that a test moves on.
type settableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *settableClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *settableClock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// TestE2ECodeRefusals is the "codes the org will not take or send" row:
// a Google Authenticator code used twice (ErrPasscodeUsed, which is also
// ErrInvalidPasscode), an RSA SecurID token asked for its next code
// (ErrNextCodeRequired), and the limit on texts and calls (ErrSendLimit,
// which is also ErrRateLimited, on the step the user was at; nothing more
// is sent).
func TestE2ECodeRefusals(t *testing.T) {
	t.Parallel()
	t.Run("google otp used twice", func(t *testing.T) {
		t.Parallel()
		// One time step for both sign-ins: the org's clock stands still.
		clock := &settableClock{now: time.Now()}
		r := newE2E(t, e2eUser(t.Name(), func(u *idxtest.User) { u.TOTPSecret = e2eTOTPSecret }), idxtest.WithClock(clock.Now))
		code := idxtest.TOTP(e2eTOTPSecret, clock.Now())
		r.signIn()
		r.proceed(idx.Options{Authenticator: authenticator.GoogleOTP, VerificationCode: code})
		r.wantSuccess("pwd", "otp")
		r.signIn()
		r.proceed(idx.Options{Authenticator: authenticator.GoogleOTP, VerificationCode: code})
		r.wantRejected("challenge-authenticator", idx.ErrPasscodeUsed, "authfactor.challenge.soft_token.used_passcode")
		r.wantRejection(idx.ErrInvalidPasscode)
		clock.add(30 * time.Second)
		r.proceed(idx.Options{VerificationCode: idxtest.TOTP(e2eTOTPSecret, clock.Now())})
		r.wantSuccess("pwd", "otp")
	})
	t.Run("rsa token next code", func(t *testing.T) {
		t.Parallel()
		clock := &settableClock{now: time.Now().Add(-time.Minute)}
		r := newE2E(t, e2eUser(t.Name(), func(u *idxtest.User) {
			u.Tokens = map[string]idxtest.Token{idxtest.AuthenticatorRSA: {Secret: e2eRSASecret, Enrolled: true, NextCode: true}}
		}), idxtest.WithPolicy(idxtest.Policy{Factors: 2, Authenticators: []string{idxtest.AuthenticatorRSA}}), idxtest.WithClock(clock.Now))
		r.signIn()
		r.proceed(idx.Options{Authenticator: authenticator.RSAToken, VerificationCode: idxtest.TOTP(e2eRSASecret, clock.Now())})
		r.wantRejected("challenge-authenticator", idx.ErrNextCodeRequired, "errors.E0000113")
		if errors.Is(r.tx.Err(), idx.ErrInvalidPasscode) {
			t.Errorf("Err() = %v is ErrInvalidPasscode; the code was right", r.tx.Err())
		}
		clock.add(30 * time.Second)
		r.proceed(idx.Options{VerificationCode: idxtest.TOTP(e2eRSASecret, clock.Now())})
		r.wantSuccess("pwd", "otp")
	})
	for _, tc := range []struct {
		method, key, channel, amr string
	}{
		{"sms", "errors.E0000150", idxtest.ChannelSMS, "sms"},
		{"voice", "errors.E0000151", idxtest.ChannelVoice, "tel"},
	} {
		t.Run(tc.method+" send limit", func(t *testing.T) {
			t.Parallel()
			r := newE2E(t, e2eUser(t.Name(), func(u *idxtest.User) { u.Phone = "+15555550143" }),
				idxtest.WithPolicy(idxtest.Policy{Factors: 2, MaxPhoneSends: 2}))
			r.signIn()
			r.proceed(idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: tc.method})
			r.do(r.c.Resend(t.Context(), r.state()))
			r.do(r.c.Resend(t.Context(), r.state()))
			r.wantRejected("challenge-authenticator", idx.ErrSendLimit, tc.key)
			r.wantRejection(idx.ErrRateLimited)
			if n := len(outboxTo(r.srv, r.user.Phone, tc.channel)); n != 2 {
				t.Errorf("%d messages sent, want 2", n)
			}
			// The codes sent still work.
			r.proceed(idx.Options{VerificationCode: lastCode(t, r.srv, r.user.Phone)})
			r.wantSuccess("pwd", tc.amr)
		})
	}
}
