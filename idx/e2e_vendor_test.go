package idx_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// The authenticators an org adds besides the built-in ones (hardware and
// vendor tokens, Duo, a custom push app), end to end: the public API
// against idxtest's forms in the shapes real orgs send.

// Secrets of the e2e users' tokens.
const (
	e2eRSASecret    = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	e2eOnPremSecret = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
	e2eVIPSecret    = "OVRXK3DFMVZXI4TPNVXXIZLTOQYTEMZU"
	e2eYubiSecret   = "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"
	e2eCOTPSecret   = "NBSWY3DPEB3W64TMMQQGC3DMEBZWC4LF"
)

// tokenPolicy is an org whose sign-in needs one factor besides the
// password, from the authenticator key only; enroll, when set, requires
// the user to enroll it instead.
func tokenPolicy(key string, enroll bool) idxtest.Option {
	if enroll {
		return idxtest.WithPolicy(idxtest.Policy{Factors: 1, Enrollment: []idxtest.EnrollmentRule{{Key: key, Required: true}}})
	}
	return idxtest.WithPolicy(idxtest.Policy{Factors: 2, Authenticators: []string{key}})
}

// inputNames are the names of the next step's inputs.
func (r *e2eRun) inputNames() []string {
	var out []string
	for _, in := range r.tx.NextStep.Inputs {
		out = append(out, in.Name)
	}
	return out
}

// wantInputs checks the next step's input names.
func (r *e2eRun) wantInputs(names ...string) {
	r.t.Helper()
	if diff := cmp.Diff(names, r.inputNames()); diff != "" {
		r.t.Errorf("inputs of %s (-want +got):\n%s", r.tx.NextStep.Name, diff)
	}
}

// TestE2ETokens verifies and enrolls each hardware and vendor token in
// the forms real orgs use: RSA SecurID and on-prem MFA (enrolled with the
// user's name at the vendor), Symantec VIP (a credential ID and two
// codes), a YubiKey, and the custom OTP (which only an admin enrolls).
func TestE2ETokens(t *testing.T) {
	t.Parallel()
	held := func(key, secret, id string, enrolled bool) func(*idxtest.User) {
		return func(u *idxtest.User) {
			u.Tokens = map[string]idxtest.Token{key: {Secret: secret, ID: id, Enrolled: enrolled}}
		}
	}
	runCells(t, []e2eCell{
		{
			name: "rsa_token",
			user: held(idxtest.AuthenticatorRSA, e2eRSASecret, "", true),
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorRSA, false)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.RSAToken})
				r.wantInputs("verificationCode")
				r.proceed(idx.Options{VerificationCode: wrongCode(totpNow(r.t, e2eRSASecret))})
				r.wantRejected("challenge-authenticator", idx.ErrInvalidPasscode, "api.authn.error.PASSCODE_INVALID")
				r.proceed(idx.Options{VerificationCode: totpNow(r.t, e2eRSASecret)})
			},
			steps: []string{
				"select-authenticator-authenticate [rsa_token]",
				"challenge-authenticator/rsa_token",
				"challenge-authenticator/rsa_token",
				"SUCCESS",
			},
			amr: []string{"pwd", "otp"},
		},
		{
			name: "rsa_token, too many wrong codes",
			user: held(idxtest.AuthenticatorRSA, e2eRSASecret, "", true),
			opts: []idxtest.Option{idxtest.WithPolicy(idxtest.Policy{Factors: 2, Authenticators: []string{idxtest.AuthenticatorRSA},
				MaxVerificationAttempts: 2})},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.RSAToken})
				wrong := wrongCode(totpNow(r.t, e2eRSASecret))
				r.proceed(idx.Options{VerificationCode: wrong})
				r.wantRejected("challenge-authenticator", idx.ErrInvalidPasscode, "api.authn.error.PASSCODE_INVALID")
				// The second wrong code in a row locks the token: even the
				// right code is refused.
				for _, code := range []string{wrong, totpNow(r.t, e2eRSASecret)} {
					tx, err := r.c.Authenticate(r.t.Context(), idx.Options{State: r.state(), VerificationCode: code})
					if !errors.Is(err, idx.ErrRateLimited) && (tx == nil || !errors.Is(tx.Err(), idx.ErrRateLimited)) {
						r.t.Fatalf("code after the limit: tx %v, err %v; want ErrRateLimited", tx, err)
					}
				}
			},
			steps: []string{
				"select-authenticator-authenticate [rsa_token]",
				"challenge-authenticator/rsa_token",
				"challenge-authenticator/rsa_token",
			},
		},
		{
			name: "rsa_token enrollment",
			user: held(idxtest.AuthenticatorRSA, e2eRSASecret, "erin.rsa", false),
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorRSA, true)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.RSAToken})
				r.wantInputs("vendorUsername", "verificationCode")
				// Another user's name at RSA: refused.
				r.proceed(idx.Options{VendorUsername: "someone.else", VerificationCode: totpNow(r.t, e2eRSASecret)})
				r.wantRejected("enroll-authenticator", idx.ErrInvalidPasscode, "api.authn.error.PASSCODE_INVALID")
				r.proceed(idx.Options{VendorUsername: "erin.rsa", VerificationCode: totpNow(r.t, e2eRSASecret)})
			},
			steps: []string{
				"select-authenticator-enroll [rsa_token]",
				"enroll-authenticator/rsa_token",
				"enroll-authenticator/rsa_token",
				"SUCCESS",
			},
			amr: []string{"pwd", "otp"},
		},
		{
			name: "onprem_mfa",
			user: held(idxtest.AuthenticatorOnPrem, e2eOnPremSecret, "", true),
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorOnPrem, false)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.OnPremMFA})
				r.wrongThenRight("challenge-authenticator", "api.authn.error.PASSCODE_INVALID", totpNow(r.t, e2eOnPremSecret))
			},
			steps: []string{
				"select-authenticator-authenticate [onprem_mfa]",
				"challenge-authenticator/onprem_mfa",
				"challenge-authenticator/onprem_mfa",
				"SUCCESS",
			},
			amr: []string{"pwd", "otp"},
		},
		{
			name: "onprem_mfa enrollment",
			user: held(idxtest.AuthenticatorOnPrem, e2eOnPremSecret, "", false),
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorOnPrem, true)},
			run: func(r *e2eRun) {
				r.signIn()
				// All values at once: the choice and the enrollment.
				r.proceed(idx.Options{Authenticator: authenticator.OnPremMFA, VendorUsername: r.user.Username,
					VerificationCode: totpNow(r.t, e2eOnPremSecret)})
			},
			steps: []string{"select-authenticator-enroll [onprem_mfa]", "SUCCESS"},
			amr:   []string{"pwd", "otp"},
		},
		{
			name: "symantec_vip",
			user: held(idxtest.AuthenticatorSymantecVIP, e2eVIPSecret, "VSST12345678", true),
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorSymantecVIP, false)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.SymantecVIP})
				r.wrongThenRight("challenge-authenticator", "authfactor.challenge.soft_token.invalid_passcode", totpNow(r.t, e2eVIPSecret))
			},
			steps: []string{
				"select-authenticator-authenticate [symantec_vip]",
				"challenge-authenticator/symantec_vip",
				"challenge-authenticator/symantec_vip",
				"SUCCESS",
			},
			amr: []string{"pwd", "otp"},
		},
		{
			name: "symantec_vip enrollment",
			user: held(idxtest.AuthenticatorSymantecVIP, e2eVIPSecret, "VSST12345678", false),
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorSymantecVIP, true)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.SymantecVIP})
				r.wantInputs("credentialId", "verificationCode", "nextVerificationCode")
				now := time.Now()
				code, next := idxtest.TOTP(e2eVIPSecret, now), idxtest.TOTP(e2eVIPSecret, now.Add(30*time.Second))
				// The same code twice is not two consecutive codes.
				r.proceed(idx.Options{CredentialID: "VSST12345678", VerificationCode: code, NextVerificationCode: code})
				r.wantRejected("enroll-authenticator", idx.ErrInvalidPasscode, "authfactor.challenge.soft_token.invalid_passcode")
				r.proceed(idx.Options{CredentialID: "VSST12345678", VerificationCode: code, NextVerificationCode: next})
			},
			steps: []string{
				"select-authenticator-enroll [symantec_vip]",
				"enroll-authenticator/symantec_vip",
				"enroll-authenticator/symantec_vip",
				"SUCCESS",
			},
			amr: []string{"pwd", "otp"},
		},
		{
			name: "yubikey_token",
			user: held(idxtest.AuthenticatorYubiKey, e2eYubiSecret, "", true),
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorYubiKey, false)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.YubiKeyToken})
				if in := r.tx.NextStep.Inputs; len(in) != 1 || !in[0].Secret {
					r.t.Errorf("the YubiKey's one-time password is not a secret input: %+v", in)
				}
				r.wrongThenRight("challenge-authenticator", "api.authn.error.PASSCODE_INVALID", totpNow(r.t, e2eYubiSecret))
			},
			steps: []string{
				"select-authenticator-authenticate [yubikey_token]",
				"challenge-authenticator/yubikey_token",
				"challenge-authenticator/yubikey_token",
				"SUCCESS",
			},
			amr: []string{"pwd", "hwk"},
		},
		{
			name: "yubikey_token enrollment",
			user: held(idxtest.AuthenticatorYubiKey, e2eYubiSecret, "", false),
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorYubiKey, true)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.YubiKeyToken})
				r.wantInputs("verificationCode")
				r.proceed(idx.Options{VerificationCode: totpNow(r.t, e2eYubiSecret)})
			},
			steps: []string{"select-authenticator-enroll [yubikey_token]", "enroll-authenticator/yubikey_token", "SUCCESS"},
			amr:   []string{"pwd", "hwk"},
		},
		{
			name: "custom_otp",
			user: held(idxtest.AuthenticatorCustomOTP, e2eCOTPSecret, "", true),
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorCustomOTP, false)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.CustomOTP})
				r.wrongThenRight("challenge-authenticator", "api.authn.error.PASSCODE_INVALID", totpNow(r.t, e2eCOTPSecret))
			},
			steps: []string{
				"select-authenticator-authenticate [custom_otp]",
				"challenge-authenticator/custom_otp",
				"challenge-authenticator/custom_otp",
				"SUCCESS",
			},
			amr: []string{"pwd", "otp"},
		},
		{
			name: "custom_otp enrollment is the admin's",
			user: held(idxtest.AuthenticatorCustomOTP, e2eCOTPSecret, "", false),
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorCustomOTP, true)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.CustomOTP})
				r.wantRejected("select-authenticator-enroll", nil, "enroll.hotp.restricted")
			},
			steps: []string{"select-authenticator-enroll [custom_otp]", "select-authenticator-enroll [custom_otp]"},
		},
	})
}

// duoSignature plays Duo's prompt for the next step: it approves the
// prompt the step's contextualData asks for.
func (r *e2eRun) duoSignature() string {
	r.t.Helper()
	a := r.tx.NextStep.Authenticator
	if a == nil || a.Context == nil || a.Context.Duo == nil || a.Context.Duo.SignedToken == "" || a.Context.Duo.Host == "" {
		r.t.Fatalf("no Duo prompt in %+v", a)
	}
	sig, err := r.srv.ApproveDuo(a.Context.Duo.SignedToken)
	if err != nil {
		r.t.Fatal(err)
	}
	return sig
}

// TestE2EDuo verifies and enrolls Duo Security: the app shows Duo's
// prompt from the step and answers it with the prompt's signed response.
func TestE2EDuo(t *testing.T) {
	t.Parallel()
	runCells(t, []e2eCell{
		{
			name: "verification",
			user: func(u *idxtest.User) { u.Duo = true },
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorDuo, false)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.Duo})
				r.wantInputs("duoSignature")
				sig := r.duoSignature()
				// A response to another prompt (signed by no Duo) is refused.
				r.proceed(idx.Options{DuoSignature: "AUTH|Zm9yZ2Vk|00:" + sig[len(sig)/2:]})
				r.wantRejected("challenge-authenticator", nil, "oie.authenticator.duo.method.duo.verification_failed")
				r.proceed(idx.Options{DuoSignature: sig})
			},
			steps: []string{
				"select-authenticator-authenticate [duo]",
				"challenge-authenticator/duo",
				"challenge-authenticator/duo",
				"SUCCESS",
			},
			amr: []string{"pwd", "mfa"},
		},
		{
			name: "enrollment",
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorDuo, true)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.Duo})
				r.wantInputs("duoSignature")
				r.proceed(idx.Options{DuoSignature: r.duoSignature()})
			},
			steps: []string{"select-authenticator-enroll [duo]", "enroll-authenticator/duo", "SUCCESS"},
			amr:   []string{"pwd", "mfa"},
		},
	})
}

// TestE2ECustomApp verifies with the org's custom push app: the push is
// polled until approved; a rejected push is sent again.
func TestE2ECustomApp(t *testing.T) {
	t.Parallel()
	runCells(t, []e2eCell{
		{
			name: "push",
			user: func(u *idxtest.User) { u.CustomApp = true },
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorCustomApp, false)},
			run: func(r *e2eRun) {
				r.signIn()
				tx := r.proceed(idx.Options{Authenticator: authenticator.CustomApp, MethodType: "push"})
				if tx.NextStep.Poll == nil || !tx.NextStep.Poll.Required || !tx.NextStep.CanResend {
					r.t.Errorf("push step: poll %+v, CanResend %t", tx.NextStep.Poll, tx.NextStep.CanResend)
				}
				r.wantInputs("autoChallenge")
				r.do(r.c.Poll(r.t.Context(), r.state())) // not approved yet
				if err := r.srv.ApprovePush(r.user.Username); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
			},
			steps: []string{
				"select-authenticator-authenticate [custom_app]",
				"challenge-poll/custom_app",
				"challenge-poll/custom_app",
				"SUCCESS",
			},
			amr: []string{"pwd", "swk"},
		},
		{
			name: "push rejected, then sent again",
			user: func(u *idxtest.User) { u.CustomApp = true },
			opts: []idxtest.Option{tokenPolicy(idxtest.AuthenticatorCustomApp, false)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.CustomApp})
				if err := r.srv.RejectPush(r.user.Username); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.Poll(r.t.Context(), r.state()))
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
				"select-authenticator-authenticate [custom_app]",
				"challenge-poll/custom_app",
				"select-authenticator-authenticate [custom_app]",
				"challenge-poll/custom_app",
				"SUCCESS",
			},
			amr: []string{"pwd", "swk"},
		},
	})
}

// TestE2EOktaVerifyFastPassOnly signs in on an org that offers Okta
// Verify only as FastPass: a push asked for is refused with a
// *InputError before anything is sent; Okta Verify asked for without a
// method starts the FastPass device challenge, which a server cannot
// answer and which the fake org's missing app never completes, so the
// user chooses the email instead.
func TestE2EOktaVerifyFastPassOnly(t *testing.T) {
	t.Parallel()
	r := newE2E(t, e2eUser(t.Name(), func(u *idxtest.User) { u.OktaVerify = true }),
		idxtest.WithOktaVerifyFastPassOnly(), idxtest.WithRequestRecording(),
		idxtest.WithPolicy(idxtest.Policy{Factors: 2, Authenticators: []string{idxtest.AuthenticatorEmail, idxtest.AuthenticatorOktaVerify}}))
	r.signIn()
	before := r.srv.RequestCounts()["POST /idp/idx/challenge"]
	_, err := r.c.Authenticate(t.Context(), idx.Options{State: r.state(), Authenticator: authenticator.OktaVerify, MethodType: "push"})
	var ie *idx.InputError
	if !errors.As(err, &ie) || !errors.Is(err, idx.ErrMethodNotOffered) {
		t.Fatalf("push on a FastPass-only org: err = %v; want an *InputError matching ErrMethodNotOffered", err)
	}
	if !strings.HasSuffix(ie.Reason, "(offered: signed_nonce)") {
		t.Errorf("methods offered: %q, want signed_nonce alone", ie.Reason)
	}
	if n := r.srv.RequestCounts()["POST /idp/idx/challenge"]; n != before {
		t.Errorf("the refused choice was sent (%d challenge requests, want %d)", n, before)
	}

	tx := r.proceed(idx.Options{Authenticator: authenticator.OktaVerify})
	if tx.NextStep.Poll == nil {
		t.Errorf("the FastPass step is not polled: %+v", tx.NextStep)
	}
	if m := tx.NextStep.Authenticator.Methods; len(m) != 1 || m[0] != "signed_nonce" {
		t.Errorf("FastPass step's methods: %v", m)
	}
	r.do(r.c.Poll(t.Context(), r.state())) // no app answers
	r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
	r.proceed(idx.Options{VerificationCode: lastCode(r.t, r.srv, r.user.Username)})
	r.wantSuccess("pwd", "email")
	r.wantSteps(
		"select-authenticator-authenticate [okta_email okta_verify]",
		"challenge-poll/okta_verify",
		"challenge-poll/okta_verify",
		"challenge-authenticator/okta_email",
		"SUCCESS",
	)
}
