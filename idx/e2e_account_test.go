package idx_test

import (
	"errors"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
	"github.com/goidx/goidx/internal/testclock"
)

// TestE2EPasswordExpiry is the "password expired / expiry warning" cell:
// after identify, an expired password must be changed
// (reenroll-authenticator), an expiring one may be (with a skip).
func TestE2EPasswordExpiry(t *testing.T) {
	t.Parallel()
	passwordOnly := idxtest.WithPolicy(idxtest.Policy{Factors: 1})
	changed := func(r *e2eRun) {
		// The new password signs in; the old one no longer does.
		tx, err := r.c.Authenticate(r.t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password})
		if err != nil {
			r.t.Fatal(err)
		}
		if !errors.Is(tx.Err(), idx.ErrInvalidCredentials) {
			r.t.Errorf("old password after the change: %v, want ErrInvalidCredentials", tx.Err())
		}
		tx, err = r.c.Authenticate(r.t.Context(), idx.Options{Username: r.user.Username, Password: e2eNewPassword})
		if err != nil {
			r.t.Fatal(err)
		}
		wantSignedIn(r.t, tx, r.user.ID, "pwd")
	}
	runCells(t, []e2eCell{
		{
			name: "expired",
			user: func(u *idxtest.User) { u.PasswordExpired = true },
			opts: []idxtest.Option{passwordOnly},
			run: func(r *e2eRun) {
				tx := r.signIn()
				if tx.NextStep.CanSkip {
					r.t.Error("an expired password change can be skipped")
				}
				r.proceed(idx.Options{NewPassword: r.user.Password})
				r.wantRejected("reenroll-authenticator", nil, "password.passwordRequirementsNotMet")
				r.proceed(idx.Options{NewPassword: "short"})
				r.wantRejected("reenroll-authenticator", nil, "password.passwordRequirementsNotMet")
				r.proceed(idx.Options{NewPassword: e2eNewPassword})
				changed(r)
			},
			steps: []string{
				"reenroll-authenticator/okta_password",
				"reenroll-authenticator/okta_password",
				"reenroll-authenticator/okta_password",
				"SUCCESS",
			},
			amr: []string{"pwd"},
		},
		{
			name: "expiring, skipped",
			user: func(u *idxtest.User) { u.PasswordExpiresSoon = true },
			opts: []idxtest.Option{passwordOnly},
			run: func(r *e2eRun) {
				tx := r.signIn()
				if !tx.NextStep.CanSkip {
					r.t.Error("the expiry warning cannot be skipped")
				}
				r.do(r.c.Skip(r.t.Context(), r.state()))
			},
			steps: []string{"reenroll-authenticator-warning/okta_password", "SUCCESS"},
			amr:   []string{"pwd"},
		},
		{
			name: "expiring, changed",
			user: func(u *idxtest.User) { u.PasswordExpiresSoon = true },
			opts: []idxtest.Option{passwordOnly},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{NewPassword: e2eNewPassword})
				changed(r)
			},
			steps: []string{"reenroll-authenticator-warning/okta_password", "SUCCESS"},
			amr:   []string{"pwd"},
		},
		{
			name: "expired, after the second factor",
			user: func(u *idxtest.User) { u.PasswordExpired = true },
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
				r.proceed(idx.Options{VerificationCode: lastCode(r.t, r.srv, r.user.Username)})
				r.proceed(idx.Options{NewPassword: e2eNewPassword})
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email]",
				"challenge-authenticator/okta_email",
				"reenroll-authenticator/okta_password",
				"SUCCESS",
			},
			amr: []string{"pwd", "email"},
		},
	})
}

// TestE2ELockout is the "lockout" cell: a locked account is refused at
// identify with ErrLockedOut, whatever the password, until unlocked (here
// by the admin; TestE2EUnlock unlocks it by self-service).
func TestE2ELockout(t *testing.T) {
	t.Parallel()
	r := newE2E(t, e2eUser(t.Name(), func(u *idxtest.User) { u.Locked = true }),
		idxtest.WithPolicy(idxtest.Policy{Factors: 1, MaxPasswordAttempts: 2}))
	for _, pw := range []string{r.user.Password, "Wrong-Passw0rd"} {
		r.do(r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: pw}))
		r.wantRejected("identify", idx.ErrLockedOut, "errors.E0000119")
		if errors.Is(r.tx.Err(), idx.ErrInvalidCredentials) {
			t.Error("a locked account's refusal tells whether the password was right")
		}
	}
	if err := r.srv.UnlockUser(r.user.Username); err != nil {
		t.Fatal(err)
	}
	r.signIn()
	r.wantSteps("identify", "identify", "SUCCESS")
	r.wantSuccess("pwd")
}

// TestE2EResend is the "resend" row: each authenticator that sends a code
// sends a new one on Resend, and only the newest code verifies.
func TestE2EResend(t *testing.T) {
	t.Parallel()
	// resendThenAnswer resends the code sent to "to" and answers with the
	// new one after the old one fails.
	resendThenAnswer := func(r *e2eRun, to string) {
		r.t.Helper()
		if !r.tx.NextStep.CanResend {
			r.t.Fatalf("%s: CanResend false", e2eStep(r.tx))
		}
		step := r.tx.NextStep.Name
		first := lastCode(r.t, r.srv, to)
		r.do(r.c.Resend(r.t.Context(), r.state()))
		second := lastCode(r.t, r.srv, to)
		if second == first {
			r.t.Fatal("the resent code equals the old one (one chance in a million)")
		}
		r.proceed(idx.Options{VerificationCode: first})
		r.wantRejected(step, idx.ErrInvalidPasscode, "api.authn.error.PASSCODE_INVALID")
		r.proceed(idx.Options{VerificationCode: second})
	}
	runCells(t, []e2eCell{
		{
			name: "email",
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
				resendThenAnswer(r, r.user.Username)
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email]",
				"challenge-authenticator/okta_email",
				"challenge-authenticator/okta_email",
				"challenge-authenticator/okta_email",
				"SUCCESS",
			},
			amr: []string{"pwd", "email"},
		},
		{
			name: "phone sms",
			user: func(u *idxtest.User) { u.Phone = "+15555550121" },
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "sms"})
				resendThenAnswer(r, r.user.Phone)
				if n := len(outboxTo(r.srv, r.user.Phone, idxtest.ChannelSMS)); n != 2 {
					r.t.Errorf("%d text messages, want 2", n)
				}
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email phone_number]",
				"challenge-authenticator/phone_number",
				"challenge-authenticator/phone_number",
				"challenge-authenticator/phone_number",
				"SUCCESS",
			},
			amr: []string{"pwd", "sms"},
		},
		{
			name: "phone voice",
			user: func(u *idxtest.User) { u.Phone = "+15555550122" },
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "voice"})
				resendThenAnswer(r, r.user.Phone)
				if n := len(outboxTo(r.srv, r.user.Phone, idxtest.ChannelVoice)); n != 2 {
					r.t.Errorf("%d calls, want 2", n)
				}
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email phone_number]",
				"challenge-authenticator/phone_number",
				"challenge-authenticator/phone_number",
				"challenge-authenticator/phone_number",
				"SUCCESS",
			},
			amr: []string{"pwd", "tel"},
		},
		{
			name: "phone sms enrollment",
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorPhone, true)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "sms", PhoneNumber: "+15555550123"})
				resendThenAnswer(r, "+15555550123")
			},
			steps: []string{
				"select-authenticator-enroll [phone_number]",
				"enroll-authenticator/phone_number",
				"enroll-authenticator/phone_number",
				"enroll-authenticator/phone_number",
				"SUCCESS",
			},
			amr: []string{"pwd", "sms"},
		},
		{
			name: "okta verify email channel enrollment",
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorOktaVerify, true)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.OktaVerify})
				r.proceed(idx.Options{Channel: "email", Email: r.user.Username})
				resendActivationLink(r, r.user.Username, idxtest.ChannelEmail)
			},
			steps: []string{
				"select-authenticator-enroll [okta_verify]",
				"enroll-poll/okta_verify", // the QR code
				"enroll-poll/okta_verify", // the link sent
				"enroll-poll/okta_verify", // resent
				"enroll-poll/okta_verify", // polled, the old link opened
				"SUCCESS",
			},
			amr: []string{"pwd", "swk"},
		},
		{
			name: "okta verify sms channel enrollment",
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorOktaVerify, true)},
			run: func(r *e2eRun) {
				r.signIn()
				r.proceed(idx.Options{Authenticator: authenticator.OktaVerify})
				r.proceed(idx.Options{Channel: "sms", PhoneNumber: "+15555550124"})
				resendActivationLink(r, "+15555550124", idxtest.ChannelSMS)
			},
			steps: []string{
				"select-authenticator-enroll [okta_verify]",
				"enroll-poll/okta_verify", // the QR code
				"enroll-poll/okta_verify", // the link sent
				"enroll-poll/okta_verify", // resent
				"enroll-poll/okta_verify", // polled, the old link opened
				"SUCCESS",
			},
			amr: []string{"pwd", "swk"},
		},
		{
			name: "okta verify qr code has nothing to resend",
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorOktaVerify, true)},
			run: func(r *e2eRun) {
				r.signIn()
				tx := r.proceed(idx.Options{Authenticator: authenticator.OktaVerify})
				if tx.NextStep.CanResend {
					r.t.Error("CanResend on a QR code enrollment")
				}
				if _, err := r.c.Resend(r.t.Context(), r.state()); !errors.Is(err, idx.ErrCannotResend) {
					r.t.Errorf("Resend: err = %v, want ErrCannotResend", err)
				}
			},
			steps: []string{
				"select-authenticator-enroll [okta_verify]",
				"enroll-poll/okta_verify",
			},
		},
		{
			name: "security question has nothing to resend",
			user: func(u *idxtest.User) {
				u.SecurityQuestion = &idxtest.SecurityQuestion{Key: "favorite_book", Question: "What is your favorite book?", Answer: "Dune"}
			},
			run: func(r *e2eRun) {
				r.signIn()
				nothingToResend(r, authenticator.SecurityQuestion)
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email security_question]",
				"challenge-authenticator/security_question",
			},
		},
		{
			name: "webauthn has nothing to resend",
			user: func(u *idxtest.User) { u.WebAuthn = true },
			run: func(r *e2eRun) {
				r.signIn()
				nothingToResend(r, authenticator.WebAuthn)
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email webauthn]",
				"challenge-authenticator/webauthn",
			},
		},
		{
			name: "google otp has nothing to resend",
			user: func(u *idxtest.User) { u.TOTPSecret = e2eTOTPSecret },
			run: func(r *e2eRun) {
				r.signIn()
				tx := r.proceed(idx.Options{Authenticator: authenticator.GoogleOTP})
				if tx.NextStep.CanResend {
					r.t.Error("CanResend on a TOTP challenge")
				}
				if _, err := r.c.Resend(r.t.Context(), r.state()); !errors.Is(err, idx.ErrCannotResend) {
					r.t.Errorf("Resend: err = %v, want ErrCannotResend", err)
				}
			},
			steps: []string{
				"select-authenticator-authenticate [okta_email google_otp]",
				"challenge-authenticator/google_otp",
			},
		},
	})
}

// nothingToResend chooses the authenticator a and checks that its
// challenge has nothing to resend.
func nothingToResend(r *e2eRun, a authenticator.Key) {
	r.t.Helper()
	tx := r.proceed(idx.Options{Authenticator: a})
	if tx.NextStep.CanResend {
		r.t.Errorf("CanResend on %s", e2eStep(tx))
	}
	if _, err := r.c.Resend(r.t.Context(), r.state()); !errors.Is(err, idx.ErrCannotResend) {
		r.t.Errorf("Resend: err = %v, want ErrCannotResend", err)
	}
}

// e2eLink finds the link of a message.
var e2eLink = regexp.MustCompile(`https?://\S+`)

// resendActivationLink resends the Okta Verify activation link that went
// to "to" by channel while the enrollment polls, checks that only the new
// link activates, opens it and polls to the end.
func resendActivationLink(r *e2eRun, to, channel string) {
	r.t.Helper()
	if !r.tx.NextStep.CanResend {
		r.t.Fatalf("%s: CanResend false", e2eStep(r.tx))
	}
	link := func() string {
		r.t.Helper()
		msgs := outboxTo(r.srv, to, channel)
		if len(msgs) == 0 {
			r.t.Fatalf("no activation link sent to %s by %s", to, channel)
		}
		l := e2eLink.FindString(msgs[len(msgs)-1].Body)
		if l == "" {
			r.t.Fatalf("no link in %q", msgs[len(msgs)-1].Body)
		}
		return l
	}
	open := func(l string) int {
		r.t.Helper()
		resp, err := r.srv.Client().Get(l)
		if err != nil {
			r.t.Fatalf("GET the activation link: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	first := link()
	r.do(r.c.Resend(r.t.Context(), r.state()))
	second := link()
	if second == first {
		r.t.Fatal("the resent link equals the old one")
	}
	if n := len(outboxTo(r.srv, to, channel)); n != 2 {
		r.t.Errorf("%d activation messages by %s, want 2", n, channel)
	}
	if code := open(first); code != http.StatusNotFound {
		r.t.Errorf("the replaced link answered %d, want %d", code, http.StatusNotFound)
	}
	// Not activated by the old link: a poll still waits.
	r.do(r.c.Poll(r.t.Context(), r.state()))
	if code := open(second); code != http.StatusOK {
		r.t.Fatalf("the resent link answered %d, want %d", code, http.StatusOK)
	}
	r.do(r.c.PollUntilDone(r.t.Context(), r.state()))
}

// TestE2EEmailEnrollResend is the resend of the email code at registration.
func TestE2EEmailEnrollResend(t *testing.T) {
	t.Parallel()
	r := newE2E(t, idxtest.User{}, registerPolicy(""))
	r.user = e2eUser(t.Name(), nil)
	r.do(r.c.Register(t.Context(), idx.Options{
		Profile: map[string]any{"firstName": "Nora", "lastName": "Newcomer", "email": r.user.Username},
	}))
	r.proceed(idx.Options{Authenticator: authenticator.OktaPassword, NewPassword: e2eNewPassword})
	tx := r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
	if !tx.NextStep.CanResend {
		t.Fatal("CanResend false on the email enrollment")
	}
	first := lastCode(r.t, r.srv, r.user.Username)
	r.do(r.c.Resend(t.Context(), r.state()))
	second := lastCode(r.t, r.srv, r.user.Username)
	if second == first {
		t.Fatal("the resent code equals the old one (one chance in a million)")
	}
	r.proceed(idx.Options{VerificationCode: first})
	r.wantRejected("enroll-authenticator", idx.ErrInvalidPasscode, "api.authn.error.PASSCODE_INVALID")
	r.proceed(idx.Options{VerificationCode: second})
	if n := len(outboxTo(r.srv, r.user.Username, idxtest.ChannelEmail)); n != 2 {
		t.Errorf("%d emails, want 2", n)
	}
	if r.tx.Status != idx.StatusSuccess {
		t.Fatalf("status %s, steps %q", r.tx.Status, r.steps)
	}
}

// outboxTo are the messages sent to "to" by channel.
func outboxTo(srv *idxtest.Server, to, channel string) []idxtest.Email {
	var out []idxtest.Email
	for _, e := range srv.Outbox() {
		if e.To == to && (e.Channel == channel || channel == idxtest.ChannelEmail && e.Channel == "") {
			out = append(out, e)
		}
	}
	return out
}

// TestE2ECancel is the "Cancel" cell: a sign-in canceled half-way is over
// for the app, and a new one starts from the beginning.
func TestE2ECancel(t *testing.T) {
	t.Parallel()
	r := newE2E(t, e2eUser(t.Name(), nil))
	r.signIn()
	r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
	code := lastCode(r.t, r.srv, r.user.Username)
	canceled := r.state()
	r.do(r.c.Cancel(t.Context(), canceled))
	if _, err := r.c.Authenticate(t.Context(), idx.Options{State: canceled, VerificationCode: code}); !errors.Is(err, idx.ErrTransactionNotFound) {
		t.Errorf("answer after Cancel: err = %v, want ErrTransactionNotFound", err)
	}
	r.signIn()
	r.wantSteps(
		"select-authenticator-authenticate [okta_email]",
		"challenge-authenticator/okta_email",
		"CANCELED",
		"select-authenticator-authenticate [okta_email]",
	)
}

// TestE2EExpiredTransaction is the "expired transaction" cell: a sign-in
// left past its expiry fails with ErrTransactionExpired, whether the client
// or only the org sees it has expired.
func TestE2EExpiredTransaction(t *testing.T) {
	t.Parallel()
	for _, clientClock := range []bool{true, false} {
		name := "seen by the org"
		if clientClock {
			name = "seen by the client"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clk := testclock.New(time.Now())
			r := newE2E(t, e2eUser(t.Name(), nil), idxtest.WithClock(clk.Now), idxtest.WithTransactionLifetime(5*time.Minute))
			if clientClock {
				c, err := idx.NewClient(idx.Config{Issuer: r.srv.Issuer(), ClientID: idxtest.PublicClientID, RedirectURI: idxtest.DefaultRedirectURI},
					idx.WithInsecureLoopbackHTTP(), idx.WithClock(clk.Now))
				if err != nil {
					t.Fatal(err)
				}
				r.c = c
			}
			r.signIn()
			clk.Advance(6 * time.Minute)
			_, err := r.c.Authenticate(t.Context(), idx.Options{State: r.state(), Authenticator: authenticator.OktaEmail})
			if !errors.Is(err, idx.ErrTransactionExpired) {
				t.Fatalf("err = %v, want ErrTransactionExpired", err)
			}
			// A new sign-in works.
			r.signIn()
			r.wantSteps("select-authenticator-authenticate [okta_email]", "select-authenticator-authenticate [okta_email]")
		})
	}
}
