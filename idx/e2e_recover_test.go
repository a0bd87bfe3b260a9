package idx_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// selfServicePolicy offers password recovery and account unlock, and
// signs in with the password and the email.
func selfServicePolicy() idxtest.Option {
	return idxtest.WithPolicy(idxtest.Policy{Factors: 2, Recovery: true, Unlock: true, MaxPasswordAttempts: 3})
}

// TestE2ERecover is the "password recovery" row: the user forgot the
// password, verifies with the email and sets a new one, which must meet
// the org's rules.
func TestE2ERecover(t *testing.T) {
	t.Parallel()
	recoverWithEmail := func(r *e2eRun, revokeSessions bool) {
		tx := r.do(r.c.Start(r.t.Context(), idx.StartOptions{}))
		if !hasFeature(tx, idx.FeaturePasswordRecovery) {
			r.t.Fatalf("recovery not enabled: %v", tx.EnabledFeatures)
		}
		r.do(r.c.RecoverPassword(r.t.Context(), idx.Options{State: r.state(), Username: r.user.Username}))
		r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
		code := lastCode(r.t, r.srv, r.user.Username)
		r.wrongThenRight("challenge-authenticator", "api.authn.error.PASSCODE_INVALID", code)
		// The old password is not a new one; "short" breaks the rules.
		r.do(r.c.RecoverPassword(r.t.Context(), idx.Options{State: r.state(), NewPassword: r.user.Password}))
		r.wantRejected("reset-authenticator", nil, "password.passwordRequirementsNotMet")
		r.do(r.c.RecoverPassword(r.t.Context(), idx.Options{State: r.state(), NewPassword: "short"}))
		r.wantRejected("reset-authenticator", nil, "password.passwordRequirementsNotMet")
		r.do(r.c.RecoverPassword(r.t.Context(), idx.Options{State: r.state(), NewPassword: e2eNewPassword, ConfirmPassword: e2eNewPassword, RevokeSessions: revokeSessions}))
	}
	// signInAgain checks that the new password works and the old one does
	// not.
	signInAgain := func(r *e2eRun) {
		tx, err := r.c.Authenticate(r.t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password})
		if err != nil {
			r.t.Fatal(err)
		}
		if !errors.Is(tx.Err(), idx.ErrInvalidCredentials) {
			r.t.Errorf("old password after reset: %v, want ErrInvalidCredentials", tx.Err())
		}
		tx, err = r.c.Authenticate(r.t.Context(), idx.Options{Username: r.user.Username, Password: e2eNewPassword})
		if err != nil {
			r.t.Fatal(err)
		}
		if got := e2eStep(tx); got != "select-authenticator-authenticate [okta_email]" {
			r.t.Errorf("new password: %s, want the second factor", got)
		}
	}
	recoverSteps := []string{
		"identify",
		"select-authenticator-authenticate [okta_email]",
		"challenge-authenticator/okta_email",
		"challenge-authenticator/okta_email",
		"reset-authenticator/okta_password",
		"reset-authenticator/okta_password",
		"reset-authenticator/okta_password",
	}
	runCells(t, []e2eCell{
		{
			name: "email",
			opts: []idxtest.Option{selfServicePolicy()},
			run: func(r *e2eRun) {
				recoverWithEmail(r, false)
				signInAgain(r)
			},
			steps: append(recoverSteps, "SUCCESS"),
			amr:   []string{"email", "pwd"},
		},
		{
			name: "email, sign in again after the reset",
			opts: []idxtest.Option{selfServicePolicy(), idxtest.WithPasswordResetTerminal()},
			run: func(r *e2eRun) {
				recoverWithEmail(r, true)
				if r.tx.Err() != nil {
					r.t.Errorf("Err() = %v after a reset", r.tx.Err())
				}
				signInAgain(r)
			},
			steps: append(recoverSteps, "TERMINAL PASSWORD_RESET"),
		},
	})
}

// allRecoveryPolicy offers recovery and unlock verified by every
// authenticator they can use.
func allRecoveryPolicy() idxtest.Option {
	return idxtest.WithPolicy(idxtest.Policy{
		Factors: 2, Recovery: true, Unlock: true, MaxPasswordAttempts: 3,
		RecoveryAuthenticators: []string{idxtest.AuthenticatorEmail, idxtest.AuthenticatorPhone,
			idxtest.AuthenticatorOktaVerify, idxtest.AuthenticatorSecurityQuestion},
	})
}

// e2eRecoveryKeys are the authenticators allRecoveryPolicy offers for
// recovery, to everyone, in the org's order.
const e2eRecoveryKeys = "[okta_email phone_number okta_verify security_question]"

// TestE2ERecoverWith is the rest of the "password recovery" row: the user
// verifies with another authenticator than the email (wrong answer first)
// and sets a new password.
func TestE2ERecoverWith(t *testing.T) {
	t.Parallel()
	// toSelect starts a recovery of the run's user, up to the choice of the
	// authenticator.
	toSelect := func(r *e2eRun) {
		r.do(r.c.Start(r.t.Context(), idx.StartOptions{}))
		r.do(r.c.RecoverPassword(r.t.Context(), idx.Options{State: r.state(), Username: r.user.Username}))
	}
	reset := func(r *e2eRun) {
		r.do(r.c.RecoverPassword(r.t.Context(), idx.Options{State: r.state(), NewPassword: e2eNewPassword}))
	}
	phone := func(method string) func(r *e2eRun) {
		return func(r *e2eRun) {
			toSelect(r)
			r.proceed(idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: method})
			if n := len(outboxTo(r.srv, r.user.Phone, method)); n != 1 {
				r.t.Errorf("%d messages by %s, want 1", n, method)
			}
			code := lastCode(r.t, r.srv, r.user.Phone)
			r.wrongThenRight("challenge-authenticator", "api.authn.error.PASSCODE_INVALID", code)
			reset(r)
		}
	}
	resetSteps := func(verify ...string) []string {
		return append(append([]string{"identify", "select-authenticator-authenticate " + e2eRecoveryKeys}, verify...),
			"reset-authenticator/okta_password", "SUCCESS")
	}
	runCells(t, []e2eCell{
		{
			name: "phone sms",
			user: func(u *idxtest.User) { u.Phone = "+15555550131" },
			opts: []idxtest.Option{allRecoveryPolicy()},
			run:  phone("sms"),
			steps: resetSteps(
				"challenge-authenticator/phone_number",
				"challenge-authenticator/phone_number",
			),
			amr: []string{"sms", "pwd"},
		},
		{
			name: "phone voice",
			user: func(u *idxtest.User) { u.Phone = "+15555550132" },
			opts: []idxtest.Option{allRecoveryPolicy()},
			run:  phone("voice"),
			steps: resetSteps(
				"challenge-authenticator/phone_number",
				"challenge-authenticator/phone_number",
			),
			amr: []string{"tel", "pwd"},
		},
		{
			name: "okta verify push",
			user: func(u *idxtest.User) { u.OktaVerify = true },
			opts: []idxtest.Option{allRecoveryPolicy()},
			run: func(r *e2eRun) {
				toSelect(r)
				r.proceed(idx.Options{Authenticator: authenticator.OktaVerify, MethodType: "push"})
				if err := r.srv.RejectPush(r.user.Username); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
				r.wantErrorMessages("select-authenticator-authenticate", "api.authn.poll.error.push_rejected")
				r.wantCanResend()
				r.wantRejection(idx.ErrPushRejected)
				r.do(r.c.Resend(r.t.Context(), r.state()))
				// Not approved yet: a poll finds the push waiting.
				r.do(r.c.Poll(r.t.Context(), r.state()))
				if err := r.srv.ApprovePush(r.user.Username); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
				reset(r)
			},
			steps: resetSteps(
				"challenge-poll/okta_verify",
				"select-authenticator-authenticate [okta_email phone_number okta_verify security_question]",
				"challenge-poll/okta_verify",
				"challenge-poll/okta_verify",
			),
			amr: []string{"swk", "pwd"},
		},
		{
			name: "okta verify totp",
			user: func(u *idxtest.User) { u.OktaVerify = true },
			opts: []idxtest.Option{allRecoveryPolicy()},
			run: func(r *e2eRun) {
				toSelect(r)
				r.proceed(idx.Options{Authenticator: authenticator.OktaVerify, MethodType: "totp"})
				secret, err := r.srv.OktaVerifySecret(r.user.Username)
				if err != nil {
					r.t.Fatal(err)
				}
				code := totpNow(r.t, secret)
				r.wrongThenRight("challenge-authenticator", "api.authn.error.PASSCODE_INVALID", code)
				reset(r)
			},
			steps: resetSteps(
				"challenge-authenticator/okta_verify",
				"challenge-authenticator/okta_verify",
			),
			amr: []string{"otp", "pwd"},
		},
		{
			name: "security question",
			user: func(u *idxtest.User) {
				u.SecurityQuestion = &idxtest.SecurityQuestion{Key: "favorite_book", Question: "What is your favorite book?", Answer: "Dune"}
			},
			opts: []idxtest.Option{allRecoveryPolicy()},
			run: func(r *e2eRun) {
				toSelect(r)
				tx := r.proceed(idx.Options{Authenticator: authenticator.SecurityQuestion})
				if a := tx.NextStep.Authenticator; a == nil || a.Context == nil || a.Context.EnrolledQuestion == nil || a.Context.EnrolledQuestion.Key != "favorite_book" {
					r.t.Errorf("enrolled question not shown: %+v", tx.NextStep.Authenticator)
				}
				r.proceed(idx.Options{Answer: "Neuromancer"})
				r.wantRejected("challenge-authenticator", nil, "authfactor.challenge.question_factor.answer_invalid")
				r.proceed(idx.Options{Answer: "Dune"})
				reset(r)
			},
			steps: resetSteps(
				"challenge-authenticator/security_question",
				"challenge-authenticator/security_question",
			),
			amr: []string{"kba", "pwd"},
		},
	})
}

// TestE2ERecoverUnknownUser is a recovery by phone for a username that
// names nobody: the org goes through the same steps as for a user, but
// sends nothing and refuses every code.
func TestE2ERecoverUnknownUser(t *testing.T) {
	t.Parallel()
	r := newE2E(t, idxtest.User{}, allRecoveryPolicy())
	r.user = e2eUser(t.Name(), nil)
	r.do(r.c.Start(t.Context(), idx.StartOptions{}))
	r.do(r.c.RecoverPassword(t.Context(), idx.Options{State: r.state(), Username: r.user.Username}))
	tx := r.proceed(idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "sms"})
	if a := tx.NextStep.Authenticator; a == nil || a.Key != authenticator.PhoneNumber {
		t.Errorf("challenge about %+v, want the phone", a)
	}
	for _, code := range []string{"000000", "123456", "999999"} {
		r.proceed(idx.Options{VerificationCode: code})
		r.wantRejected("challenge-authenticator", idx.ErrInvalidPasscode, "api.authn.error.PASSCODE_INVALID")
	}
	if out := r.srv.Outbox(); len(out) != 0 {
		t.Errorf("%d messages sent for an unknown user, want none", len(out))
	}
	r.wantSteps(
		"identify",
		"select-authenticator-authenticate "+e2eRecoveryKeys,
		"challenge-authenticator/phone_number",
		"challenge-authenticator/phone_number",
		"challenge-authenticator/phone_number",
		"challenge-authenticator/phone_number",
	)
}

// TestE2EUnlock is the "account unlock" row, with lockout: wrong passwords
// lock the account (ErrLockedOut, even with the right password), the user
// unlocks it with the email and signs in.
func TestE2EUnlock(t *testing.T) {
	t.Parallel()
	runCells(t, []e2eCell{
		{
			name: "email",
			opts: []idxtest.Option{selfServicePolicy()},
			run: func(r *e2eRun) {
				for i := range 3 {
					tx, err := r.c.Authenticate(r.t.Context(), idx.Options{Username: r.user.Username, Password: "Wrong-Passw0rd"})
					if err != nil {
						r.t.Fatal(err)
					}
					want := idx.ErrInvalidCredentials
					if i == 2 {
						want = idx.ErrLockedOut
					}
					if !errors.Is(tx.Err(), want) {
						r.t.Errorf("wrong password %d: %v, want %v", i+1, tx.Err(), want)
					}
				}
				tx, err := r.c.Authenticate(r.t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password})
				if err != nil {
					r.t.Fatal(err)
				}
				if !errors.Is(tx.Err(), idx.ErrLockedOut) || tx.NextStep == nil || tx.NextStep.Name != "identify" {
					r.t.Errorf("right password when locked: %v (%v), want ErrLockedOut on identify", tx, tx.Err())
				}
				if locked, _ := r.srv.UserLocked(r.user.Username); !locked {
					r.t.Error("user not locked")
				}
				if !hasFeature(tx, idx.FeatureAccountUnlock) {
					r.t.Fatalf("unlock not enabled: %v", tx.EnabledFeatures)
				}
				r.tx = tx
				r.do(r.c.UnlockAccount(r.t.Context(), idx.Options{State: r.state(), Username: r.user.Username, Authenticator: authenticator.OktaEmail}))
				code := lastCode(r.t, r.srv, r.user.Username)
				r.wrongThenRight("challenge-authenticator", "api.authn.error.PASSCODE_INVALID", code)
				if locked, _ := r.srv.UserLocked(r.user.Username); locked {
					r.t.Error("user still locked")
				}
				// Signed out: sign in anew.
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
				r.proceed(idx.Options{VerificationCode: lastCode(r.t, r.srv, r.user.Username)})
			},
			steps: []string{
				"challenge-authenticator/okta_email",
				"challenge-authenticator/okta_email",
				"TERMINAL ACCOUNT_UNLOCKED",
				"select-authenticator-authenticate [okta_email]",
				"challenge-authenticator/okta_email",
				"SUCCESS",
			},
			amr: []string{"pwd", "email"},
		},
		{
			name: "phone sms",
			user: func(u *idxtest.User) { u.Phone = "+15555550141"; u.Locked = true },
			opts: []idxtest.Option{allRecoveryPolicy()},
			run: func(r *e2eRun) {
				toUnlock(r, idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "sms"})
				code := lastCode(r.t, r.srv, r.user.Phone)
				r.wrongThenRight("challenge-authenticator", "api.authn.error.PASSCODE_INVALID", code)
				unlocked(r)
			},
			steps: []string{
				"identify",
				"challenge-authenticator/phone_number",
				"challenge-authenticator/phone_number",
				"TERMINAL ACCOUNT_UNLOCKED",
				"select-authenticator-authenticate [okta_email phone_number]",
			},
		},
		{
			name: "phone voice",
			user: func(u *idxtest.User) { u.Phone = "+15555550142"; u.Locked = true },
			opts: []idxtest.Option{allRecoveryPolicy()},
			run: func(r *e2eRun) {
				toUnlock(r, idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "voice"})
				if n := len(outboxTo(r.srv, r.user.Phone, idxtest.ChannelVoice)); n != 1 {
					r.t.Errorf("%d calls, want 1", n)
				}
				r.proceed(idx.Options{VerificationCode: lastCode(r.t, r.srv, r.user.Phone)})
				unlocked(r)
			},
			steps: []string{
				"identify",
				"challenge-authenticator/phone_number",
				"TERMINAL ACCOUNT_UNLOCKED",
				"select-authenticator-authenticate [okta_email phone_number]",
			},
		},
		{
			name: "okta verify push",
			user: func(u *idxtest.User) { u.OktaVerify = true; u.Locked = true },
			opts: []idxtest.Option{allRecoveryPolicy()},
			run: func(r *e2eRun) {
				toUnlock(r, idx.Options{Authenticator: authenticator.OktaVerify, MethodType: "push"})
				if err := r.srv.RejectPush(r.user.Username); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
				r.wantErrorMessages("select-authenticator-authenticate", "api.authn.poll.error.push_rejected")
				r.wantCanResend()
				r.wantRejection(idx.ErrPushRejected)
				r.do(r.c.Resend(r.t.Context(), r.state()))
				if err := r.srv.ApprovePush(r.user.Username); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
				unlocked(r)
			},
			steps: []string{
				"identify",
				"challenge-poll/okta_verify",
				"select-authenticator-authenticate [okta_email phone_number okta_verify]",
				"challenge-poll/okta_verify",
				"TERMINAL ACCOUNT_UNLOCKED",
				"select-authenticator-authenticate [okta_email okta_verify]",
			},
		},
		{
			name: "okta verify totp",
			user: func(u *idxtest.User) { u.OktaVerify = true; u.Locked = true },
			opts: []idxtest.Option{allRecoveryPolicy()},
			run: func(r *e2eRun) {
				toUnlock(r, idx.Options{Authenticator: authenticator.OktaVerify, MethodType: "totp"})
				secret, err := r.srv.OktaVerifySecret(r.user.Username)
				if err != nil {
					r.t.Fatal(err)
				}
				code := totpNow(r.t, secret)
				r.wrongThenRight("challenge-authenticator", "api.authn.error.PASSCODE_INVALID", code)
				unlocked(r)
			},
			steps: []string{
				"identify",
				"challenge-authenticator/okta_verify",
				"challenge-authenticator/okta_verify",
				"TERMINAL ACCOUNT_UNLOCKED",
				"select-authenticator-authenticate [okta_email okta_verify]",
			},
		},
		{
			name: "security question is not offered",
			user: func(u *idxtest.User) {
				u.SecurityQuestion = &idxtest.SecurityQuestion{Key: "favorite_book", Question: "What is your favorite book?", Answer: "Dune"}
				u.Locked = true
			},
			opts: []idxtest.Option{allRecoveryPolicy()},
			run: func(r *e2eRun) {
				r.do(r.c.Start(r.t.Context(), idx.StartOptions{}))
				_, err := r.c.UnlockAccount(r.t.Context(), idx.Options{State: r.state(), Username: r.user.Username, Authenticator: authenticator.SecurityQuestion})
				var ae *idx.InputError
				if !errors.As(err, &ae) || !errors.Is(err, idx.ErrUnknownAuthenticator) {
					r.t.Errorf("unlock with the security question: err = %v, want an *InputError", err)
				}
				if locked, _ := r.srv.UserLocked(r.user.Username); !locked {
					r.t.Error("user unlocked")
				}
			},
			steps: []string{"identify"},
		},
	})
}

// toUnlock starts an unlock of the run's locked user, verified with the
// authenticator (and method) of opts.
func toUnlock(r *e2eRun, opts idx.Options) {
	r.t.Helper()
	if locked, _ := r.srv.UserLocked(r.user.Username); !locked {
		r.t.Fatal("user not locked")
	}
	tx := r.do(r.c.Start(r.t.Context(), idx.StartOptions{}))
	if !hasFeature(tx, idx.FeatureAccountUnlock) {
		r.t.Fatalf("unlock not enabled: %v", tx.EnabledFeatures)
	}
	opts.State, opts.Username = r.state(), r.user.Username
	r.do(r.c.UnlockAccount(r.t.Context(), opts))
}

// unlocked checks that the unlock ended with the account unlocked: the
// org says so, and the right password gets past identify.
func unlocked(r *e2eRun) {
	r.t.Helper()
	if r.tx.Err() != nil {
		r.t.Errorf("Err() = %v after the unlock", r.tx.Err())
	}
	if locked, _ := r.srv.UserLocked(r.user.Username); locked {
		r.t.Error("user still locked")
	}
	r.signIn()
}

// TestE2ERecoveryToken is the "recovery token at start" cell: an app
// starts the transaction with a recovery token (from a reset link), which
// stands for the verification: the user sets a new password at once. A
// token is good once.
func TestE2ERecoveryToken(t *testing.T) {
	t.Parallel()
	r := newE2E(t, e2eUser(t.Name(), nil), selfServicePolicy())
	tok, err := r.srv.RecoveryToken(r.user.Username)
	if err != nil {
		t.Fatal(err)
	}
	r.do(r.c.Start(t.Context(), idx.StartOptions{RecoveryToken: tok}))
	r.do(r.c.RecoverPassword(t.Context(), idx.Options{State: r.state(), NewPassword: "short"}))
	r.wantRejected("reset-authenticator", nil, "password.passwordRequirementsNotMet")
	done := r.do(r.c.RecoverPassword(t.Context(), idx.Options{State: r.state(), NewPassword: e2eNewPassword}))
	wantSignedIn(t, done, r.user.ID, "pwd")
	// Used: the interact endpoint refuses it, as Okta does.
	wantTokenRefused(t, r.c, idx.StartOptions{RecoveryToken: tok}, "The recovery token is invalid")
	r.wantSteps(
		"reset-authenticator/okta_password",
		"reset-authenticator/okta_password",
		"SUCCESS",
	)
	tx, err := r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: e2eNewPassword})
	if err != nil {
		t.Fatal(err)
	}
	if got := e2eStep(tx); got != "select-authenticator-authenticate [okta_email]" {
		t.Errorf("sign-in with the new password: %s, want the second factor", got)
	}
}

// TestE2EGoogleAuthenticatorReset is the reset of an authenticator other
// than the password: an admin resets the user's Google Authenticator and
// the recovery token starts at reset-authenticator for google_otp, which
// shows a new secret and asks for a code from it (a verificationCode, not
// a new password). A code of the old secret is refused.
func TestE2EGoogleAuthenticatorReset(t *testing.T) {
	t.Parallel()
	const oldSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	r := newE2E(t, e2eUser(t.Name(), func(u *idxtest.User) { u.TOTPSecret = oldSecret }),
		idxtest.WithPolicy(idxtest.Policy{Factors: 2, Authenticators: []string{idxtest.AuthenticatorGoogle}}))
	tok, err := r.srv.GoogleAuthenticatorResetToken(r.user.Username)
	if err != nil {
		t.Fatal(err)
	}
	tx := r.do(r.c.Start(t.Context(), idx.StartOptions{RecoveryToken: tok}))
	r.wantInputs("verificationCode")
	a := tx.NextStep.Authenticator
	if a == nil || a.Context == nil || a.Context.QRCode == nil || a.Context.SharedSecret == "" {
		t.Fatalf("no new secret at %s: %+v", tx.NextStep.Name, a)
	}
	newSecret := a.Context.SharedSecret
	if newSecret == oldSecret {
		t.Fatal("the reset shows the old secret")
	}
	r.proceed(idx.Options{VerificationCode: totpNow(t, oldSecret)})
	r.wantRejected("reset-authenticator", idx.ErrInvalidPasscode, "api.authn.error.PASSCODE_INVALID")
	done := r.proceed(idx.Options{VerificationCode: totpNow(t, newSecret)})
	wantSignedIn(t, done, r.user.ID, "otp")
	r.wantSteps(
		"reset-authenticator/google_otp",
		"reset-authenticator/google_otp",
		"SUCCESS",
	)
}

// TestE2EActivationToken is the "activation token at start" cell: an app
// starts the transaction with the activation token of a user an admin
// created (from the activation email), which identifies the user: they
// set a password and are signed in. A token is good once.
func TestE2EActivationToken(t *testing.T) {
	t.Parallel()
	r := newE2E(t, idxtest.User{}, idxtest.WithPolicy(idxtest.Policy{Factors: 1}))
	r.user = e2eUser(t.Name(), func(u *idxtest.User) { u.Password, u.Staged = "", true })
	if err := r.srv.AddUser(r.user); err != nil {
		t.Fatal(err)
	}
	tok, err := r.srv.ActivationToken(r.user.Username)
	if err != nil {
		t.Fatal(err)
	}
	tx := r.do(r.c.Start(t.Context(), idx.StartOptions{ActivationToken: tok}))
	if tx.NextStep != nil && tx.NextStep.CanSkip {
		t.Error("the password of an activation can be skipped")
	}
	r.proceed(idx.Options{Authenticator: authenticator.OktaPassword})
	r.proceed(idx.Options{NewPassword: "short"})
	r.wantRejected("enroll-authenticator", nil, "password.passwordRequirementsNotMet")
	done := r.proceed(idx.Options{NewPassword: e2eNewPassword})
	// The token came by email: it stands for the email's verification.
	wantSignedIn(t, done, r.user.ID, "email", "pwd")
	// Used: the interact endpoint refuses it, as Okta does.
	wantTokenRefused(t, r.c, idx.StartOptions{ActivationToken: tok}, "The activation token is invalid")
	r.wantSteps(
		"select-authenticator-enroll [okta_password]",
		"enroll-authenticator/okta_password",
		"enroll-authenticator/okta_password",
		"SUCCESS",
	)
	// Active now: the user signs in with the new password.
	tx, err = r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: e2eNewPassword})
	if err != nil {
		t.Fatal(err)
	}
	wantSignedIn(t, tx, r.user.ID, "pwd")
}

// wantTokenRefused checks that Start with a spent or unknown token fails
// at the interact endpoint with invalid_request and the description.
func wantTokenRefused(t *testing.T, c *idx.Client, opts idx.StartOptions, description string) {
	t.Helper()
	tx, err := c.Start(t.Context(), opts)
	var oe *idx.OAuthError
	if !errors.As(err, &oe) {
		t.Fatalf("Start = %v, %v; want an *idx.OAuthError", tx, err)
	}
	want := idx.OAuthError{Endpoint: "interact", StatusCode: http.StatusBadRequest, Code: "invalid_request", Description: description}
	if diff := cmp.Diff(want, *oe); diff != "" {
		t.Errorf("OAuthError (-want +got):\n%s", diff)
	}
}
