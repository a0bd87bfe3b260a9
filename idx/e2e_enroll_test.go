package idx_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// enrollPolicy is a policy that signs in with the password alone and asks
// for the enrollment of key, required or not.
func enrollPolicy(key string, required bool) idxtest.Option {
	return idxtest.WithPolicy(idxtest.Policy{
		Factors:    1,
		Enrollment: []idxtest.EnrollmentRule{{Key: key, Required: required}},
	})
}

// activationChallenge is the challenge of the WebAuthn enrollment step tx
// waits on (activationData.challenge).
func activationChallenge(t *testing.T, tx *idx.Transaction) string {
	t.Helper()
	a := tx.NextStep.Authenticator
	if a == nil || a.Context == nil || len(a.Context.ActivationData) == 0 {
		t.Fatalf("no WebAuthn activation data in %+v", tx.NextStep)
	}
	var ad struct {
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(a.Context.ActivationData, &ad); err != nil || ad.Challenge == "" {
		t.Fatalf("activation data %s: %v", a.Context.ActivationData, err)
	}
	return ad.Challenge
}

// e2eAttestation stands for a browser's attestationObject: the fake org
// checks the clientData of an enrollment, not the attestation.
const e2eAttestation = "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVg"

// enrollCase is the enrollment of one authenticator, from the
// select-authenticator-enroll step that offers it (last) to the end of the
// transaction, with a wrong answer where there is one.
type enrollCase struct {
	name string
	key  string
	// enroll drives the enrollment from select-authenticator-enroll.
	enroll func(r *e2eRun)
	// steps are the transactions enroll goes through.
	steps []string
	// amr is the amr of the authenticator's method.
	amr string
}

// enrollCases are the enrollments of each authenticator the fake org can
// enroll during sign-in (every user has the password and the email).
func enrollCases() []enrollCase {
	return []enrollCase{
		{
			name: "phone sms",
			key:  idxtest.AuthenticatorPhone,
			enroll: func(r *e2eRun) {
				tx := r.proceed(idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "sms", PhoneNumber: "+15555550111"})
				if tx.NextStep.CanSkip {
					r.t.Error("a required enrollment can be skipped")
				}
				if _, err := r.c.Skip(r.t.Context(), r.state()); !errors.Is(err, idx.ErrUnknownStep) {
					r.t.Errorf("Skip of a required enrollment: err = %v, want ErrUnknownStep", err)
				}
				code := lastCode(r.t, r.srv, "+15555550111")
				r.wrongThenRight("enroll-authenticator", "api.authn.error.PASSCODE_INVALID", code)
			},
			steps: []string{
				"enroll-authenticator/phone_number",
				"enroll-authenticator/phone_number",
				"SUCCESS",
			},
			amr: "sms",
		},
		{
			name: "phone voice",
			key:  idxtest.AuthenticatorPhone,
			enroll: func(r *e2eRun) {
				// A number that is not E.164 is refused first.
				r.proceed(idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "voice", PhoneNumber: "555-0112"})
				r.wantRejected("authenticator-enrollment-data", nil, "api.factors.error.sms.invalid_phone")
				r.proceed(idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "voice", PhoneNumber: "+15555550112"})
				code := lastCode(r.t, r.srv, "+15555550112")
				r.wrongThenRight("enroll-authenticator", "api.authn.error.PASSCODE_INVALID", code)
			},
			steps: []string{
				"authenticator-enrollment-data/phone_number",
				"enroll-authenticator/phone_number",
				"enroll-authenticator/phone_number",
				"SUCCESS",
			},
			amr: "tel",
		},
		{
			name: "google otp",
			key:  idxtest.AuthenticatorGoogle,
			enroll: func(r *e2eRun) {
				tx := r.proceed(idx.Options{Authenticator: authenticator.GoogleOTP})
				a := tx.NextStep.Authenticator
				if a == nil || a.Context == nil || a.Context.SharedSecret == "" || a.Context.QRCode == nil {
					r.t.Fatalf("no shared secret and QR code in %+v", tx.NextStep.Authenticator)
				}
				code := totpNow(r.t, a.Context.SharedSecret)
				r.wrongThenRight("enroll-authenticator", "api.authn.error.PASSCODE_INVALID", code)
			},
			steps: []string{
				"enroll-authenticator/google_otp",
				"enroll-authenticator/google_otp",
				"SUCCESS",
			},
			amr: "otp",
		},
		{
			name: "okta verify qrcode",
			key:  idxtest.AuthenticatorOktaVerify,
			enroll: func(r *e2eRun) {
				tx := r.proceed(idx.Options{Authenticator: authenticator.OktaVerify})
				a := tx.NextStep.Authenticator
				if a == nil || a.Context == nil || a.Context.QRCode == nil || a.Context.SelectedChannel != "qrcode" {
					r.t.Fatalf("no QR code in %+v", tx.NextStep.Authenticator)
				}
				if tx.NextStep.Poll == nil || !tx.NextStep.Poll.Required {
					r.t.Errorf("enroll-poll without a required poll: %+v", tx.NextStep.Poll)
				}
				// Not scanned yet.
				r.do(r.c.Poll(r.t.Context(), r.state()))
				if err := r.srv.ActivateOktaVerify(r.user.Username); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
			},
			steps: []string{
				"enroll-poll/okta_verify",
				"enroll-poll/okta_verify",
				"SUCCESS",
			},
			amr: "swk",
		},
		{
			name: "okta verify email channel",
			key:  idxtest.AuthenticatorOktaVerify,
			enroll: func(r *e2eRun) {
				r.proceed(idx.Options{Authenticator: authenticator.OktaVerify})
				tx := r.proceed(idx.Options{Channel: "email", Email: r.user.Username})
				if a := tx.NextStep.Authenticator; a == nil || a.Context == nil || a.Context.SelectedChannel != "email" {
					r.t.Errorf("channel not email: %+v", tx.NextStep.Authenticator)
				}
				if err := r.srv.ActivateOktaVerify(r.user.Username); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
			},
			steps: []string{
				"enroll-poll/okta_verify",
				"enroll-poll/okta_verify",
				"SUCCESS",
			},
			amr: "swk",
		},
		{
			name: "okta verify sms channel",
			key:  idxtest.AuthenticatorOktaVerify,
			enroll: func(r *e2eRun) {
				r.proceed(idx.Options{Authenticator: authenticator.OktaVerify})
				tx := r.proceed(idx.Options{Channel: "sms", PhoneNumber: "+15555550113"})
				if a := tx.NextStep.Authenticator; a == nil || a.Context == nil || a.Context.SelectedChannel != "sms" {
					r.t.Errorf("channel not sms: %+v", tx.NextStep.Authenticator)
				}
				if err := r.srv.ActivateOktaVerify(r.user.Username); err != nil {
					r.t.Fatal(err)
				}
				r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
			},
			steps: []string{
				"enroll-poll/okta_verify",
				"enroll-poll/okta_verify",
				"SUCCESS",
			},
			amr: "swk",
		},
		{
			name: "security question",
			key:  idxtest.AuthenticatorSecurityQuestion,
			enroll: func(r *e2eRun) {
				tx := r.proceed(idx.Options{Authenticator: authenticator.SecurityQuestion})
				a := tx.NextStep.Authenticator
				if a == nil || a.Context == nil || len(a.Context.QuestionKeys) == 0 {
					r.t.Fatalf("no questions in %+v", tx.NextStep.Authenticator)
				}
				key := a.Context.QuestionKeys[0]
				r.proceed(idx.Options{QuestionKey: key, Answer: "abc"})
				r.wantRejected("enroll-authenticator", nil, "securityQuestion.answer.tooShort.arg")
				r.proceed(idx.Options{QuestionKey: key, Answer: "Blue Whale"})
			},
			steps: []string{
				"enroll-authenticator/security_question",
				"enroll-authenticator/security_question",
				"SUCCESS",
			},
			amr: "kba",
		},
		{
			name: "security question custom",
			key:  idxtest.AuthenticatorSecurityQuestion,
			enroll: func(r *e2eRun) {
				r.proceed(idx.Options{Authenticator: authenticator.SecurityQuestion})
				r.proceed(idx.Options{QuestionKey: "custom", Question: "Name of my first bike?", Answer: "Speedy"})
			},
			steps: []string{
				"enroll-authenticator/security_question",
				"SUCCESS",
			},
			amr: "kba",
		},
		{
			name: "webauthn",
			key:  idxtest.AuthenticatorWebAuthn,
			enroll: func(r *e2eRun) {
				tx := r.proceed(idx.Options{Authenticator: authenticator.WebAuthn})
				challenge := activationChallenge(r.t, tx)
				// The clientData of another ceremony is refused.
				r.proceed(idx.Options{WebAuthn: &authenticator.WebAuthnAnswer{
					ClientData: idxtest.WebAuthnClientData("webauthn.get", challenge, r.srv.URL), Attestation: e2eAttestation}})
				r.wantRejected("enroll-authenticator", nil, "authfactor.webauthn.error")
				r.proceed(idx.Options{WebAuthn: &authenticator.WebAuthnAnswer{
					ClientData: idxtest.WebAuthnClientData("webauthn.create", challenge, r.srv.URL), Attestation: e2eAttestation}})
			},
			steps: []string{
				"enroll-authenticator/webauthn",
				"enroll-authenticator/webauthn",
				"SUCCESS",
			},
			amr: "hwk",
		},
	}
}

// TestE2EEnrollRequired is the "enrollment during sign-in, required" row:
// the policy requires an authenticator the user has not enrolled, and the
// sign-in enrolls it (no skip offered).
func TestE2EEnrollRequired(t *testing.T) {
	t.Parallel()
	var cells []e2eCell
	for _, ec := range enrollCases() {
		cells = append(cells, e2eCell{
			name: ec.name,
			opts: []idxtest.Option{enrollPolicy(ec.key, true)},
			run: func(r *e2eRun) {
				r.signIn()
				ec.enroll(r)
			},
			steps: append([]string{"select-authenticator-enroll [" + ec.key + "]"}, ec.steps...),
			amr:   []string{"pwd", ec.amr},
		})
	}
	runCells(t, cells)
}

// TestE2EEnrollOptionalSkip is the "enrollment during sign-in, optional"
// row: the policy offers an authenticator to enroll with a skip, and the
// user skips it.
func TestE2EEnrollOptionalSkip(t *testing.T) {
	t.Parallel()
	var cells []e2eCell
	for _, key := range []string{
		idxtest.AuthenticatorPhone, idxtest.AuthenticatorGoogle, idxtest.AuthenticatorOktaVerify,
		idxtest.AuthenticatorSecurityQuestion, idxtest.AuthenticatorWebAuthn,
	} {
		cells = append(cells, e2eCell{
			name: key,
			opts: []idxtest.Option{enrollPolicy(key, false)},
			run: func(r *e2eRun) {
				tx := r.signIn()
				if !tx.NextStep.CanSkip {
					r.t.Errorf("optional enrollment without skip: %+v", tx.NextStep)
				}
				r.do(r.c.Skip(r.t.Context(), r.state()))
			},
			steps: []string{"select-authenticator-enroll [" + key + "]", "SUCCESS"},
			amr:   []string{"pwd"},
		})
	}
	runCells(t, cells)
}

// TestE2EEnrollEmail is the email column of the enrollment rows: a user
// whose email authenticator is not enrolled enrolls it at sign-in with a
// code sent to the address, required or optional (skipped, or enrolled).
func TestE2EEnrollEmail(t *testing.T) {
	t.Parallel()
	notEnrolled := func(u *idxtest.User) { u.EmailNotEnrolled = true }
	enroll := func(r *e2eRun) {
		tx := r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
		if !tx.NextStep.CanResend {
			r.t.Errorf("email enrollment without resend: %+v", tx.NextStep)
		}
		code := lastCode(r.t, r.srv, r.user.Username) // the address, as Email is empty
		r.wrongThenRight("enroll-authenticator", "api.authn.error.PASSCODE_INVALID", code)
	}
	runCells(t, []e2eCell{
		{
			name: "required",
			user: notEnrolled,
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorEmail, true)},
			run: func(r *e2eRun) {
				if tx := r.signIn(); tx.NextStep.CanSkip {
					r.t.Error("a required enrollment can be skipped")
				}
				enroll(r)
			},
			steps: []string{
				"select-authenticator-enroll [okta_email]",
				"enroll-authenticator/okta_email",
				"enroll-authenticator/okta_email",
				"SUCCESS",
			},
			amr: []string{"pwd", "email"},
		},
		{
			name: "optional, enrolled",
			user: notEnrolled,
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorEmail, false)},
			run: func(r *e2eRun) {
				if tx := r.signIn(); !tx.NextStep.CanSkip {
					r.t.Errorf("optional enrollment without skip: %+v", tx.NextStep)
				}
				enroll(r)
			},
			steps: []string{
				"select-authenticator-enroll [okta_email]",
				"enroll-authenticator/okta_email",
				"enroll-authenticator/okta_email",
				"SUCCESS",
			},
			amr: []string{"pwd", "email"},
		},
		{
			name: "optional, skipped",
			user: notEnrolled,
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorEmail, false)},
			run: func(r *e2eRun) {
				r.signIn()
				r.do(r.c.Skip(r.t.Context(), r.state()))
				if n := len(r.srv.Outbox()); n != 0 {
					r.t.Errorf("%d messages sent for a skipped enrollment", n)
				}
			},
			steps: []string{"select-authenticator-enroll [okta_email]", "SUCCESS"},
			amr:   []string{"pwd"},
		},
	})
}
