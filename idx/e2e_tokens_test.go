package idx_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// TestE2ETokenErrors is the "activation and recovery tokens that no
// longer work" row, on an org that says why in IDX
// (idxtest.Policy.TokenErrorsInIDX): an expired activation token is
// PENDING on request-activation-email (ErrActivationExpired), which
// RequestActivationEmail takes (OutcomeActivationEmailSent) and whose new
// token activates the account; a used activation or recovery token ends
// the transaction with ErrTokenInvalid.
func TestE2ETokenErrors(t *testing.T) {
	t.Parallel()
	policy := idxtest.Policy{Factors: 1, Recovery: true, TokenErrorsInIDX: true}
	t.Run("expired activation token, a new one by email", func(t *testing.T) {
		t.Parallel()
		// The org's clock starts eight days back, when the token was
		// minted, then runs on real time: the token has expired.
		var back atomic.Int64
		back.Store(int64(8 * 24 * time.Hour))
		clock := func() time.Time { return time.Now().Add(-time.Duration(back.Load())) }
		r := newE2E(t, idxtest.User{}, idxtest.WithPolicy(policy), idxtest.WithClock(clock))
		r.user = e2eUser(t.Name(), func(u *idxtest.User) { u.Password, u.Staged = "", true })
		if err := r.srv.AddUser(r.user); err != nil {
			t.Fatal(err)
		}
		old, err := r.srv.ActivationToken(r.user.Username)
		if err != nil {
			t.Fatal(err)
		}
		back.Store(0)
		tx := r.do(r.c.Start(t.Context(), idx.StartOptions{ActivationToken: old}))
		r.wantRejected("request-activation-email", idx.ErrActivationExpired, "idx.expired.activation.token")
		tx = r.do(r.c.RequestActivationEmail(t.Context(), tx.State))
		if tx.Err() != nil {
			t.Errorf("Err() = %v after the request", tx.Err())
		}
		tok := lastCode(t, r.srv, r.user.Username)
		if tok == old {
			t.Fatal("the email carries the expired token")
		}
		r.do(r.c.Start(t.Context(), idx.StartOptions{ActivationToken: tok}))
		r.proceed(idx.Options{Authenticator: authenticator.OktaPassword, NewPassword: e2eNewPassword})
		r.wantSuccess("email", "pwd")
		r.wantSteps(
			"request-activation-email",
			"TERMINAL ACTIVATION_EMAIL_SENT",
			"select-authenticator-enroll [okta_password]",
			"SUCCESS",
		)
	})
	t.Run("used activation token", func(t *testing.T) {
		t.Parallel()
		r := newE2E(t, idxtest.User{}, idxtest.WithPolicy(policy))
		r.user = e2eUser(t.Name(), func(u *idxtest.User) { u.Password, u.Staged = "", true })
		if err := r.srv.AddUser(r.user); err != nil {
			t.Fatal(err)
		}
		tok, err := r.srv.ActivationToken(r.user.Username)
		if err != nil {
			t.Fatal(err)
		}
		r.do(r.c.Start(t.Context(), idx.StartOptions{ActivationToken: tok}))
		r.proceed(idx.Options{Authenticator: authenticator.OktaPassword, NewPassword: e2eNewPassword})
		r.wantSuccess("email", "pwd")
		tx := r.do(r.c.Start(t.Context(), idx.StartOptions{ActivationToken: tok}))
		wantEnded(t, tx, idx.ErrTokenInvalid, "idx.missing.activation.token")
		tx = r.do(r.c.Start(t.Context(), idx.StartOptions{ActivationToken: "not-a-token"}))
		wantEnded(t, tx, idx.ErrTokenInvalid, "idx.missing.activation.token")
	})
	t.Run("used recovery token", func(t *testing.T) {
		t.Parallel()
		r := newE2E(t, e2eUser(t.Name(), nil), idxtest.WithPolicy(policy))
		tok, err := r.srv.RecoveryToken(r.user.Username)
		if err != nil {
			t.Fatal(err)
		}
		r.do(r.c.Start(t.Context(), idx.StartOptions{RecoveryToken: tok}))
		r.do(r.c.RecoverPassword(t.Context(), idx.Options{State: r.state(), NewPassword: e2eNewPassword}))
		r.wantSuccess("pwd")
		tx := r.do(r.c.Start(t.Context(), idx.StartOptions{RecoveryToken: tok}))
		wantEnded(t, tx, idx.ErrTokenInvalid, "idx.invalid.reset.password.token")
	})
}

// wantEnded checks that tx is TERMINAL with an error of kind and the
// message key.
func wantEnded(t *testing.T, tx *idx.Transaction, kind error, key string) {
	t.Helper()
	if tx.Status != idx.StatusTerminal || !errors.Is(tx.Err(), kind) {
		t.Fatalf("got %v, Err() %v; want TERMINAL matching %v", tx, tx.Err(), kind)
	}
	if len(tx.Messages) != 1 || tx.Messages[0].Key != key {
		t.Errorf("messages %+v; want one with key %s", tx.Messages, key)
	}
}
