package idx_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// e2eCell is one cell of the flows x authenticators table: a user, an
// org, the run through the public API (wrong answer included) and what it
// must go through.
type e2eCell struct {
	name string
	// user edits the cell's user (enrollments, account state).
	user func(*idxtest.User)
	// opts configure the org.
	opts []idxtest.Option
	// run drives the flow from the start to its end.
	run func(r *e2eRun)
	// steps are the transactions the run goes through (see e2eStep).
	steps []string
	// amr is the amr claim of the ID token at the end; nil when the flow
	// does not end signed in.
	amr []string
}

// runCells runs every cell as a parallel subtest with its own org.
func runCells(t *testing.T, cells []e2eCell) {
	t.Helper()
	for _, tc := range cells {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newE2E(t, e2eUser(t.Name(), tc.user), tc.opts...)
			tc.run(r)
			r.wantSteps(tc.steps...)
			if tc.amr != nil {
				r.wantSuccess(tc.amr...)
			}
		})
	}
}

// wrongCode returns a code of the same length as code that is not code.
func wrongCode(code string) string {
	if code == "" {
		return "000000"
	}
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

// totpNow is the current TOTP code of secret.
func totpNow(t *testing.T, secret string) string {
	t.Helper()
	c := idxtest.TOTP(secret, time.Now())
	if c == "" {
		t.Fatalf("bad TOTP secret")
	}
	return c
}

// e2eTOTPSecret is the Google Authenticator secret of the users enrolled
// with one.
const e2eTOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// TestE2EVerify is the "sign-in verification" row: identify with the
// password, then verify the second factor with each authenticator.
func TestE2EVerify(t *testing.T) {
	t.Parallel()
	const wrongPassword = "not-the-Passw0rd"
	runCells(t, []e2eCell{
		{
			name: "password",
			opts: []idxtest.Option{idxtest.WithPolicy(idxtest.Policy{Factors: 1})},
			run: func(r *e2eRun) {
				r.do(r.c.Authenticate(r.t.Context(), idx.Options{Username: r.user.Username, Password: wrongPassword}))
				r.wantRejected("identify", idx.ErrInvalidCredentials, "errors.E0000004")
				r.proceed(idx.Options{Username: r.user.Username, Password: r.user.Password})
			},
			steps: []string{"identify", "SUCCESS"},
			amr:   []string{"pwd"},
		},
		{
			name: "email",
			run: func(r *e2eRun) {
				r.signIn()
				// An authenticator the user has not enrolled is not offered.
				_, err := r.c.Authenticate(r.t.Context(), idx.Options{State: r.state(), Authenticator: authenticator.WebAuthn})
				var ae *idx.InputError
				if !errors.As(err, &ae) || !errors.Is(err, idx.ErrUnknownAuthenticator) {
					r.t.Errorf("unknown authenticator: err = %v, want an *InputError", err)
				}
				r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
				code := lastCode(r.t, r.srv, r.user.Username)
				r.wrongThenRight("challenge-authenticator", "api.authn.error.PASSCODE_INVALID", code)
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email]",
				"challenge-authenticator/okta_email",
				"challenge-authenticator/okta_email",
				"SUCCESS",
			},
			amr: []string{"pwd", "email"},
		},
		{
			name: "phone sms",
			user: func(u *idxtest.User) { u.Phone = "+15555550101" },
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "sms"})
				if n := len(outboxTo(r.srv, r.user.Phone, idxtest.ChannelSMS)); n != 1 {
					r.t.Errorf("%d messages by sms, want 1", n)
				}
				code := lastCode(r.t, r.srv, r.user.Phone)
				r.wrongThenRight("challenge-authenticator", "api.authn.error.PASSCODE_INVALID", code)
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email phone_number]",
				"challenge-authenticator/phone_number",
				"challenge-authenticator/phone_number",
				"SUCCESS",
			},
			amr: []string{"pwd", "sms"},
		},
		{
			name: "phone voice",
			user: func(u *idxtest.User) { u.Phone = "+15555550102" },
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "voice"})
				if n := len(outboxTo(r.srv, r.user.Phone, idxtest.ChannelVoice)); n != 1 {
					r.t.Errorf("%d messages by voice, want 1", n)
				}
				code := lastCode(r.t, r.srv, r.user.Phone)
				r.wrongThenRight("challenge-authenticator", "api.authn.error.PASSCODE_INVALID", code)
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email phone_number]",
				"challenge-authenticator/phone_number",
				"challenge-authenticator/phone_number",
				"SUCCESS",
			},
			amr: []string{"pwd", "tel"},
		},
		{
			name: "phone, method chosen at the data step",
			user: func(u *idxtest.User) { u.Phone = "+15555550103" },
			run: func(r *e2eRun) {
				r.signIn()
				tx := r.proceed(idx.Options{Authenticator: authenticator.PhoneNumber})
				if diff := cmp.Diff([]authenticator.Choice{{Label: "SMS", Value: "sms"}, {Label: "Voice call", Value: "voice"}}, tx.NextStep.Options); diff != "" {
					r.t.Errorf("methods (-want +got):\n%s", diff)
				}
				r.proceed(idx.Options{MethodType: "voice"})
				r.proceed(idx.Options{VerificationCode: lastCode(r.t, r.srv, r.user.Phone)})
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email phone_number]",
				"authenticator-verification-data/phone_number",
				"challenge-authenticator/phone_number",
				"SUCCESS",
			},
			amr: []string{"pwd", "tel"},
		},
		{
			name: "okta verify, method chosen at the data step",
			user: func(u *idxtest.User) { u.OktaVerify = true },
			run: func(r *e2eRun) {
				r.signIn()
				tx := r.proceed(idx.Options{Authenticator: authenticator.OktaVerify})
				var methods []string
				for _, o := range tx.NextStep.Options {
					methods = append(methods, o.Value)
				}
				if diff := cmp.Diff([]string{"push", "totp"}, methods); diff != "" {
					r.t.Errorf("methods (-want +got):\n%s", diff)
				}
				r.proceed(idx.Options{MethodType: "push"})
				if err := r.srv.ApprovePush(r.user.Username); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email okta_verify]",
				"authenticator-verification-data/okta_verify",
				"challenge-poll/okta_verify",
				"SUCCESS",
			},
			amr: []string{"pwd", "swk"},
		},
		{
			name: "google otp",
			user: func(u *idxtest.User) { u.TOTPSecret = e2eTOTPSecret },
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.GoogleOTP})
				code := totpNow(r.t, e2eTOTPSecret)
				r.wrongThenRight("challenge-authenticator", "authfactor.challenge.soft_token.invalid_passcode", code)
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email google_otp]",
				"challenge-authenticator/google_otp",
				"challenge-authenticator/google_otp",
				"SUCCESS",
			},
			amr: []string{"pwd", "otp"},
		},
		{
			name: "okta verify push",
			user: func(u *idxtest.User) { u.OktaVerify = true },
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.OktaVerify, MethodType: "push"})
				if p := r.tx.NextStep.Poll; p == nil || !p.Required || p.Refresh <= 0 {
					r.t.Errorf("push step poll %+v, want a required poll", p)
				}
				// Not approved yet: a poll finds the push waiting.
				r.do(r.c.Poll(r.t.Context(), r.state()))
				if err := r.srv.ApprovePush(r.user.Username); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email okta_verify]",
				"challenge-poll/okta_verify",
				"challenge-poll/okta_verify",
				"SUCCESS",
			},
			amr: []string{"pwd", "swk"},
		},
		{
			name: "okta verify push rejected",
			user: func(u *idxtest.User) { u.OktaVerify = true },
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.OktaVerify, MethodType: "push"})
				if err := r.srv.RejectPush(r.user.Username); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
				r.wantErrorMessages("select-authenticator-authenticate", "api.authn.poll.error.push_rejected")
				r.wantCanResend()
				r.wantRejection(idx.ErrPushRejected)
				// The user asks for a new push, approved this time.
				r.do(r.c.Resend(r.t.Context(), r.state()))
				if err := r.srv.ApprovePush(r.user.Username); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email okta_verify]",
				"challenge-poll/okta_verify",
				"select-authenticator-authenticate [okta_email okta_verify]",
				"challenge-poll/okta_verify",
				"SUCCESS",
			},
			amr: []string{"pwd", "swk"},
		},
		{
			name: "okta verify number challenge",
			user: func(u *idxtest.User) { u.OktaVerify = true },
			opts: []idxtest.Option{idxtest.WithOktaVerifyNumberChallenge(true)},
			run: func(r *e2eRun) {
				r.signIn()
				tx := r.proceed(idx.Options{Authenticator: authenticator.OktaVerify, MethodType: "push"})
				a := tx.NextStep.Authenticator
				if a == nil || a.Context == nil || a.Context.CorrectAnswer == "" {
					r.t.Fatalf("no number challenge in %+v", tx.NextStep)
				}
				n, err := strconv.Atoi(a.Context.CorrectAnswer)
				if err != nil {
					r.t.Fatalf("correct answer %q: %v", a.Context.CorrectAnswer, err)
				}
				// ApprovePush cannot approve a push with a number challenge.
				if err := r.srv.ApprovePush(r.user.Username); err == nil {
					r.t.Error("ApprovePush approved a number challenge")
				}
				if err := r.srv.AnswerPush(r.user.Username, n); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email okta_verify]",
				"challenge-poll/okta_verify",
				"SUCCESS",
			},
			amr: []string{"pwd", "swk"},
		},
		{
			name: "okta verify number challenge wrong number",
			user: func(u *idxtest.User) { u.OktaVerify = true },
			opts: []idxtest.Option{idxtest.WithOktaVerifyNumberChallenge(true)},
			run: func(r *e2eRun) {
				r.signIn()
				tx := r.proceed(idx.Options{Authenticator: authenticator.OktaVerify, MethodType: "push"})
				n, err := strconv.Atoi(tx.NextStep.Authenticator.Context.CorrectAnswer)
				if err != nil {
					r.t.Fatal(err)
				}
				if err := r.srv.AnswerPush(r.user.Username, n+1); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
				r.wantErrorMessages("select-authenticator-authenticate", "api.authn.poll.error.push_rejected")
				r.wantCanResend()
				r.wantRejection(idx.ErrPushRejected)
				// A new push, a new number, the right one this time.
				tx = r.do(r.c.Resend(r.t.Context(), r.state()))
				n, err = strconv.Atoi(tx.NextStep.Authenticator.Context.CorrectAnswer)
				if err != nil {
					r.t.Fatal(err)
				}
				if err := r.srv.AnswerPush(r.user.Username, n); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email okta_verify]",
				"challenge-poll/okta_verify",
				"select-authenticator-authenticate [okta_email okta_verify]",
				"challenge-poll/okta_verify",
				"SUCCESS",
			},
			amr: []string{"pwd", "swk"},
		},
		{
			name: "okta verify totp",
			user: func(u *idxtest.User) { u.OktaVerify = true },
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.OktaVerify, MethodType: "totp"})
				secret, err := r.srv.OktaVerifySecret(r.user.Username)
				if err != nil {
					r.t.Fatal(err)
				}
				code := totpNow(r.t, secret)
				r.wrongThenRight("challenge-authenticator", "api.authn.error.PASSCODE_INVALID", code)
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email okta_verify]",
				"challenge-authenticator/okta_verify",
				"challenge-authenticator/okta_verify",
				"SUCCESS",
			},
			amr: []string{"pwd", "otp"},
		},
		{
			name: "security question",
			user: func(u *idxtest.User) {
				u.SecurityQuestion = &idxtest.SecurityQuestion{Key: "favorite_book", Question: "What is your favorite book?", Answer: "Dune"}
			},
			run: func(r *e2eRun) {
				r.signIn()
				tx := r.proceed(idx.Options{Authenticator: authenticator.SecurityQuestion})
				if a := tx.NextStep.Authenticator; a == nil || a.Context == nil || a.Context.EnrolledQuestion == nil || a.Context.EnrolledQuestion.Key != "favorite_book" {
					r.t.Errorf("enrolled question not shown: %+v", tx.NextStep.Authenticator)
				}
				r.proceed(idx.Options{Answer: "Neuromancer"})
				r.wantRejected("challenge-authenticator", nil, "authfactor.challenge.question_factor.answer_invalid")
				r.proceed(idx.Options{Answer: "dune"})
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email security_question]",
				"challenge-authenticator/security_question",
				"challenge-authenticator/security_question",
				"SUCCESS",
			},
			amr: []string{"pwd", "kba"},
		},
		{
			name: "webauthn",
			user: func(u *idxtest.User) { u.WebAuthn = true },
			run: func(r *e2eRun) {
				r.signIn()
				tx := r.proceed(idx.Options{Authenticator: authenticator.WebAuthn})
				challenge := webAuthnChallenge(r.t, tx)
				good, err := r.srv.WebAuthnAssertion(r.user.Username, challenge)
				if err != nil {
					r.t.Fatal(err)
				}
				// The key holds no discoverable credential: the step lists
				// its credential ID and transports for allowCredentials.
				var creds [][]string
				for _, e := range tx.NextStep.AuthenticatorEnrollments {
					if e.Key == authenticator.WebAuthn {
						creds = append(creds, append([]string{e.CredentialID}, e.Transports...))
					}
				}
				if diff := cmp.Diff([][]string{{good.CredentialID, "usb", "nfc"}}, creds); diff != "" {
					r.t.Errorf("WebAuthn enrollments' credentials (-want +got):\n%s", diff)
				}
				// The signature of another challenge does not verify this
				// one's clientData.
				other, err := r.srv.WebAuthnAssertion(r.user.Username, challenge+"x")
				if err != nil {
					r.t.Fatal(err)
				}
				r.proceed(idx.Options{WebAuthn: &authenticator.WebAuthnAnswer{
					ClientData: good.ClientData, AuthenticatorData: good.AuthenticatorData, SignatureData: other.SignatureData}})
				r.wantRejected("challenge-authenticator", nil, "authfactor.webauthn.error.assertion_validation_failure")
				if errors.Is(r.tx.Err(), idx.ErrInvalidPasscode) || errors.Is(r.tx.Err(), idx.ErrInvalidCredentials) {
					r.t.Errorf("a bad assertion is taken for a wrong code or password: %v", r.tx.Err())
				}
				r.proceed(idx.Options{WebAuthn: &authenticator.WebAuthnAnswer{
					ClientData: good.ClientData, AuthenticatorData: good.AuthenticatorData, SignatureData: good.SignatureData}})
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email webauthn]",
				"challenge-authenticator/webauthn",
				"challenge-authenticator/webauthn",
				"SUCCESS",
			},
			amr: []string{"pwd", "hwk"},
		},
	})
}

// webAuthnChallenge is the challenge of the WebAuthn verification step tx
// waits on (contextualData.challengeData.challenge of the authenticator).
func webAuthnChallenge(t *testing.T, tx *idx.Transaction) string {
	t.Helper()
	a := tx.NextStep.Authenticator
	if a == nil || a.Context == nil || len(a.Context.ChallengeData) == 0 {
		t.Fatalf("no WebAuthn challenge data in %+v", tx.NextStep)
	}
	var cd struct {
		Challenge        string `json:"challenge"`
		UserVerification string `json:"userVerification"`
	}
	if err := json.Unmarshal(a.Context.ChallengeData, &cd); err != nil || cd.Challenge == "" {
		t.Fatalf("challenge data %s: %v", a.Context.ChallengeData, err)
	}
	return cd.Challenge
}
