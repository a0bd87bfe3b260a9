package idx_test

import (
	"testing"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// TestE2EUnlockThen is the "unlock, then sign-in" row: an org that does
// not end the transaction once an account is unlocked goes on with the
// sign-in, and the call that unlocked reports it (OutcomeAccountUnlocked)
// on a SUCCESS or PENDING transaction; the user is signed in without
// starting again.
func TestE2EUnlockThen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		then    idxtest.UnlockEnding
		factors int
		run     func(r *e2eRun)
		steps   []string
		amr     []string
	}{
		{
			name: "terminal", then: idxtest.UnlockTerminal, factors: 2,
			steps: []string{"select-authenticator-unlock-account [okta_email]", "challenge-authenticator/okta_email", "TERMINAL ACCOUNT_UNLOCKED"},
		},
		{
			name: "straight to the app", then: idxtest.UnlockLandOnApp, factors: 1,
			steps: []string{"select-authenticator-unlock-account [okta_email]", "challenge-authenticator/okta_email", "SUCCESS ACCOUNT_UNLOCKED"},
			amr:   []string{"email"},
		},
		{
			name: "the password next", then: idxtest.UnlockLandOnApp, factors: 2,
			run: func(r *e2eRun) {
				r.proceed(idx.Options{Password: "Wrong-Passw0rd"})
				r.wantRejected("challenge-authenticator", idx.ErrInvalidCredentials, "incorrectPassword")
				r.proceed(idx.Options{Password: r.user.Password})
			},
			steps: []string{"select-authenticator-unlock-account [okta_email]", "challenge-authenticator/okta_email",
				"challenge-authenticator/okta_password PENDING ACCOUNT_UNLOCKED", "challenge-authenticator/okta_password", "SUCCESS"},
			amr: []string{"email", "pwd"},
		},
		{
			name: "another authenticator", then: idxtest.UnlockChooseAuthenticator, factors: 2,
			run: func(r *e2eRun) {
				r.proceed(idx.Options{Authenticator: authenticator.OktaPassword, Password: r.user.Password})
			},
			steps: []string{"select-authenticator-unlock-account [okta_email]", "challenge-authenticator/okta_email",
				"select-authenticator-authenticate [okta_password] PENDING ACCOUNT_UNLOCKED", "SUCCESS"},
			amr: []string{"email", "pwd"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			user := e2eUser(t.Name(), func(u *idxtest.User) { u.Locked = true })
			r := newE2E(t, user, idxtest.WithPolicy(idxtest.Policy{Factors: tt.factors, Unlock: true, UnlockThen: tt.then}))
			tx := r.do(r.c.Start(t.Context(), idx.StartOptions{}))
			r.steps = nil
			r.do(r.c.UnlockAccount(t.Context(), idx.Options{State: tx.State}))
			r.do(r.c.UnlockAccount(t.Context(), idx.Options{State: r.state(), Username: user.Username, Authenticator: authenticator.OktaEmail}))
			tx = r.proceed(idx.Options{VerificationCode: lastCode(t, r.srv, user.Username)})
			if tx.Err() != nil {
				t.Errorf("Err() = %v after the unlock", tx.Err())
			}
			if locked, _ := r.srv.UserLocked(user.Username); locked {
				t.Error("user still locked")
			}
			if tx.Status == idx.StatusPending {
				// Where a PENDING transaction reports the unlock.
				r.steps[len(r.steps)-1] += " PENDING " + string(tx.Outcome)
			}
			if tt.run != nil {
				tt.run(r)
			}
			r.wantSteps(tt.steps...)
			if tt.amr != nil {
				r.wantSuccess(tt.amr...)
			}
		})
	}
}
