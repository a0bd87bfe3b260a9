package idx_test

import (
	"errors"
	"testing"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// identifierFirstPolicy is an identifier-first org: identify asks for the
// username alone and the password is a challenge of its own; recovery is
// on and two wrong passwords lock the account.
func identifierFirstPolicy() idxtest.Option {
	return idxtest.WithPolicy(idxtest.Policy{Factors: 2, IdentifierFirst: true, Recovery: true, MaxPasswordAttempts: 2})
}

// TestE2EIdentifierFirst is the "identifier-first org" row: Authenticate
// with the username and the password answers identify, then the password
// challenge, in one call; a wrong password is refused at the challenge
// with ErrInvalidCredentials, and the lockout there with ErrLockedOut.
func TestE2EIdentifierFirst(t *testing.T) {
	t.Parallel()
	t.Run("sign-in", func(t *testing.T) {
		t.Parallel()
		r := newE2E(t, e2eUser(t.Name(), nil), identifierFirstPolicy())
		r.do(r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: "Wrong-Passw0rd"}))
		r.wantRejected("challenge-authenticator", idx.ErrInvalidCredentials, "incorrectPassword")
		r.proceed(idx.Options{Password: r.user.Password})
		r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
		r.proceed(idx.Options{VerificationCode: lastCode(t, r.srv, r.user.Username)})
		r.wantSteps(
			"challenge-authenticator/okta_password",
			"select-authenticator-authenticate [okta_email]",
			"challenge-authenticator/okta_email",
			"SUCCESS",
		)
		r.wantSuccess("pwd", "email")
	})
	t.Run("lockout", func(t *testing.T) {
		t.Parallel()
		r := newE2E(t, e2eUser(t.Name(), nil), identifierFirstPolicy())
		r.do(r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: "Wrong-Passw0rd"}))
		r.wantRejected("challenge-authenticator", idx.ErrInvalidCredentials, "incorrectPassword")
		r.proceed(idx.Options{Password: "Wrong-Passw0rd"})
		r.wantRejected("challenge-authenticator", idx.ErrLockedOut, "authfactor.challenge.suspended_factor")
		// Locked: the right password is refused the same way, and tells
		// nothing about the password.
		r.do(r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password}))
		r.wantRejected("challenge-authenticator", idx.ErrLockedOut, "authfactor.challenge.suspended_factor")
		if errors.Is(r.tx.Err(), idx.ErrInvalidCredentials) {
			t.Error("a locked account's refusal tells whether the password was right")
		}
		if locked, _ := r.srv.UserLocked(r.user.Username); !locked {
			t.Error("the org did not lock the user")
		}
	})
	t.Run("recover from the password challenge", func(t *testing.T) {
		t.Parallel()
		r := newE2E(t, e2eUser(t.Name(), nil), identifierFirstPolicy())
		r.do(r.c.RecoverPassword(t.Context(), idx.Options{Username: r.user.Username}))
		r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
		r.proceed(idx.Options{VerificationCode: lastCode(t, r.srv, r.user.Username)})
		r.do(r.c.RecoverPassword(t.Context(), idx.Options{State: r.state(), NewPassword: e2eNewPassword}))
		r.wantSteps(
			"select-authenticator-authenticate [okta_email]",
			"challenge-authenticator/okta_email",
			"reset-authenticator/okta_password",
			"SUCCESS",
		)
	})
}
