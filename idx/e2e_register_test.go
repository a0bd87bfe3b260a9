package idx_test

import (
	"strings"
	"testing"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// registerPolicy offers self-service registration; extra, when set, is an
// authenticator the new user must enroll besides the password and email.
func registerPolicy(extra string) idxtest.Option {
	p := idxtest.Policy{Factors: 1, Registration: true}
	if extra != "" {
		p.Enrollment = []idxtest.EnrollmentRule{{Key: extra, Required: true}}
	}
	return idxtest.WithPolicy(p)
}

// e2eNewPassword is the password of users who register or reset it.
const e2eNewPassword = "Fresh-Passw0rd-42"

// register starts a registration of a new user with the email of the
// run's user (who is not in the org) and enrolls the password and the
// email, with a wrong email code first.
func (r *e2eRun) register() {
	r.t.Helper()
	tx := r.do(r.c.Start(r.t.Context(), idx.Options{}))
	if !hasFeature(tx, idx.FeatureRegistration) {
		r.t.Fatalf("registration not enabled: %v", tx.EnabledFeatures)
	}
	r.do(r.c.Register(r.t.Context(), idx.Options{
		State:   r.state(),
		Profile: map[string]any{"firstName": "Nora", "lastName": "Newcomer", "email": r.user.Username},
	}))
	r.proceed(idx.Options{Authenticator: authenticator.OktaPassword, NewPassword: e2eNewPassword})
	r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
	code := r.code(r.user.Username)
	r.wrongThenRight("enroll-authenticator", "api.authn.error.PASSCODE_INVALID", code)
}

func hasFeature(tx *idx.Transaction, f idx.Feature) bool {
	for _, g := range tx.EnabledFeatures {
		if g == f {
			return true
		}
	}
	return false
}

// TestE2ERegister is the "self-service registration" row: a new user
// registers, enrolls the password and the email the org requires, then the
// authenticator of the cell when the policy requires one more, and is
// signed in; a sign-in with the new password is the same user.
func TestE2ERegister(t *testing.T) {
	t.Parallel()
	cases := append([]enrollCase{{name: "password and email"}}, enrollCases()...)
	for _, ec := range cases {
		t.Run(ec.name, func(t *testing.T) {
			t.Parallel()
			r := newE2E(t, idxtest.User{}, registerPolicy(ec.key))
			r.user = e2eUser(t.Name(), nil) // not in the org: registered here
			r.register()
			want := []string{
				"identify",
				"select-authenticator-enroll [okta_password okta_email" + strings.TrimRight(" "+ec.key, " ") + "]",
				"select-authenticator-enroll [okta_email" + strings.TrimRight(" "+ec.key, " ") + "]",
				"enroll-authenticator/okta_email",
				"enroll-authenticator/okta_email",
			}
			amr := []string{"pwd", "email"}
			if ec.enroll == nil {
				want = append(want, "SUCCESS")
			} else {
				want = append(want, "select-authenticator-enroll ["+ec.key+"]")
				ec.enroll(r)
				want = append(want, ec.steps...)
				amr = append(amr, ec.amr)
			}
			r.wantSteps(want...)
			wantNewUser(t, r, amr)
		})
	}
}

// wantNewUser checks that the run ended signed in as a new user with the
// profile given at registration, and that the user signs in again with the
// new password as the same subject.
func wantNewUser(t *testing.T, r *e2eRun, amr []string) {
	t.Helper()
	tx := r.tx
	if tx.Status != idx.StatusSuccess || tx.Tokens == nil || tx.Tokens.IDTokenClaims == nil {
		t.Fatalf("registration did not sign in: %v", tx)
	}
	claims := tx.Tokens.IDTokenClaims
	if !strings.HasPrefix(claims.Subject, "00u") {
		t.Errorf("subject %q is not a user ID", claims.Subject)
	}
	if claims.Claims["email"] != r.user.Username || claims.Claims["given_name"] != "Nora" {
		t.Errorf("claims email %v given_name %v", claims.Claims["email"], claims.Claims["given_name"])
	}
	wantSignedIn(t, tx, claims.Subject, amr...)
	again, err := r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: e2eNewPassword})
	if err != nil {
		t.Fatal(err)
	}
	wantSignedIn(t, again, claims.Subject, "pwd")
}
