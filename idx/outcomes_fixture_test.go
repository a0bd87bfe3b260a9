package idx_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
)

// withMessage is doc, an IDX answer, with one top-level message.
func withMessage(t *testing.T, doc, class, key string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	m["messages"] = map[string]any{"type": "array", "value": []any{
		map[string]any{"message": "text of " + key, "i18n": map[string]any{"key": key}, "class": class},
	}}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Goal: an org that goes on with the sign-in after an unlock (the shapes
// of user-account-unlock-success-land-on-app.json and
// user-account-unlock-answer-2-choose-auth-after-unlock.json, and the
// success form with the same message) is read as the unlock reported
// (OutcomeAccountUnlocked) on a PENDING or SUCCESS transaction, without
// an error; the next call does not report it again.
func TestUnlockLandingFixture(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer func(o *scriptOrg) scriptReply
		want   string
	}{
		{"then the password", func(*scriptOrg) scriptReply { return ok("unlock-landing-challenge-password.json") },
			"PENDING challenge-authenticator ACCOUNT_UNLOCKED"},
		{"then another authenticator", func(*scriptOrg) scriptReply { return ok("unlock-landing-select-authenticator.json") },
			"PENDING select-authenticator-authenticate ACCOUNT_UNLOCKED"},
		{"straight to the app", func(o *scriptOrg) scriptReply {
			return ok(withMessage(t, successDoc(o), "INFO", "oie.selfservice.unlock_user.landing.to.app.success.message"))
		}, "SUCCESS  ACCOUNT_UNLOCKED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			o := newScriptOrg(t)
			o.on("/idp/idx/introspect", ok("select-authenticator-unlock-account.json"))
			o.on("/idp/idx/unlock-account", ok("challenge-authenticator-email.json"))
			o.on("/idp/idx/challenge/answer", tt.answer(o), ok(successDoc(o)))
			c := o.client()
			tx, err := c.Start(ctx, idx.StartOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tx, err = c.UnlockAccount(ctx, idx.Options{State: tx.State, Username: "jane", Authenticator: authenticator.OktaEmail})
			if err != nil {
				t.Fatal(err)
			}
			if tx.Outcome != "" || tx.NextStep.Name != "challenge-authenticator" {
				t.Fatalf("before the code: %v outcome %q", tx, tx.Outcome)
			}
			tx, err = c.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: "123456"})
			if err != nil {
				t.Fatal(err)
			}
			step := ""
			if tx.NextStep != nil {
				step = tx.NextStep.Name
			}
			if diff := cmp.Diff(tt.want, string(tx.Status)+" "+step+" "+string(tx.Outcome)); diff != "" {
				t.Errorf("after the unlock (-want +got):\n%s", diff)
			}
			if tx.Err() != nil {
				t.Errorf("Err() = %v after the unlock", tx.Err())
			}
			if tx.Status != idx.StatusPending {
				return
			}
			opts := idx.Options{State: tx.State, Password: "pw"}
			if step == "select-authenticator-authenticate" {
				opts = idx.Options{State: tx.State, Authenticator: authenticator.OktaPassword}
				o.on("/idp/idx/challenge", ok(successDoc(o)))
			}
			tx, err = c.Authenticate(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			if tx.Status != idx.StatusSuccess || tx.Outcome != "" {
				t.Errorf("the next call: %v outcome %q; want SUCCESS without an outcome", tx, tx.Outcome)
			}
		})
	}
}

// Goal: activation and recovery tokens that no longer work, in the shapes
// real orgs answer the introspection with (request-activation-email.json,
// error-request-activation-email-*.json, terminal-invalid-*-token.json),
// are typed errors; an expired activation token's request-activation-email
// step is taken by RequestActivationEmail and ends in
// OutcomeActivationEmailSent.
func TestTokenOutcomesFixture(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture string
		token   idx.StartOptions
		status  idx.Status
		kind    error
	}{
		{"request-activation-email.json", idx.StartOptions{ActivationToken: "tok"}, idx.StatusPending, idx.ErrActivationExpired},
		{"terminal-activation-token-expired.json", idx.StartOptions{ActivationToken: "tok"}, idx.StatusTerminal, idx.ErrActivationExpired},
		{"terminal-activation-token-invalid.json", idx.StartOptions{ActivationToken: "tok"}, idx.StatusTerminal, idx.ErrTokenInvalid},
		{"terminal-activation-user-suspended.json", idx.StartOptions{ActivationToken: "tok"}, idx.StatusTerminal, idx.ErrUserSuspended},
		{"terminal-reset-password-token-invalid.json", idx.StartOptions{RecoveryToken: "tok"}, idx.StatusTerminal, idx.ErrTokenInvalid},
		{"terminal-forgot-password-token-invalid.json", idx.StartOptions{RecoveryToken: "tok"}, idx.StatusTerminal, idx.ErrTokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			o := newScriptOrg(t)
			o.on("/idp/idx/introspect", ok(tt.fixture))
			o.on("/idp/idx/request-activation", ok("terminal-request-activation-email-submitted.json"))
			c := o.client()
			tx, err := c.Start(ctx, tt.token)
			if err != nil {
				t.Fatal(err)
			}
			if tx.Status != tt.status || !errors.Is(tx.Err(), tt.kind) {
				t.Fatalf("got %v, Err() %v; want %s matching %v", tx, tx.Err(), tt.status, tt.kind)
			}
			if tx.Status != idx.StatusPending {
				if _, err := c.RequestActivationEmail(ctx, tx.State); err == nil {
					t.Error("RequestActivationEmail on an ended transaction: no error")
				}
				return
			}
			if tx.NextStep.Name != "request-activation-email" {
				t.Errorf("next step %s; want request-activation-email", tx.NextStep.Name)
			}
			tx, err = c.RequestActivationEmail(ctx, tx.State)
			if err != nil {
				t.Fatal(err)
			}
			if tx.Status != idx.StatusTerminal || tx.Outcome != idx.OutcomeActivationEmailSent || tx.Err() != nil {
				t.Errorf("after the request: %v outcome %q Err() %v; want TERMINAL ACTIVATION_EMAIL_SENT", tx, tx.Outcome, tx.Err())
			}
		})
	}
}

// Goal: codes the org will not take or send, in the shapes real orgs
// answer (error-authenticator-verification-on-google-otp-used-passcode.json,
// error-authenticator-verification-passcode-change-rsa.json,
// error-authenticator-phone-voice-ratelimit.json,
// error-authenticator-phone-sms-ratelimit.json), are typed: a used code is
// ErrPasscodeUsed and ErrInvalidPasscode, the RSA token's next code
// ErrNextCodeRequired only, the send limit ErrSendLimit and ErrRateLimited.
func TestCodeRefusalsFixture(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		start   string
		path    string
		reply   scriptReply
		opts    idx.Options
		status  idx.Status
		step    string
		kinds   []error
		notKind error
	}{
		{"used passcode", "challenge-authenticator-email.json", "/idp/idx/challenge/answer",
			scriptReply{http.StatusUnauthorized, "challenge-authenticator-google-otp-used-passcode.json"}, idx.Options{VerificationCode: "123456"},
			idx.StatusPending, "challenge-authenticator", []error{idx.ErrPasscodeUsed, idx.ErrInvalidPasscode}, idx.ErrRateLimited},
		{"next token code", "challenge-authenticator-email.json", "/idp/idx/challenge/answer",
			scriptReply{http.StatusBadRequest, "challenge-authenticator-rsa-token-next-code.json"}, idx.Options{VerificationCode: "123456"},
			idx.StatusPending, "challenge-authenticator", []error{idx.ErrNextCodeRequired}, idx.ErrInvalidPasscode},
		{"voice send limit", "authenticator-verification-data-phone.json", "/idp/idx/challenge",
			scriptReply{http.StatusBadRequest, "authenticator-verification-data-phone-voice-send-limit.json"}, idx.Options{MethodType: "voice"},
			idx.StatusPending, "authenticator-verification-data", []error{idx.ErrSendLimit, idx.ErrRateLimited}, idx.ErrInvalidPasscode},
		{"SMS send limit", "authenticator-verification-data-phone.json", "/idp/idx/challenge",
			scriptReply{http.StatusBadRequest, "terminal-phone-sms-send-limit.json"}, idx.Options{MethodType: "sms"},
			idx.StatusTerminal, "", []error{idx.ErrSendLimit, idx.ErrRateLimited}, idx.ErrPasscodeUsed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			o := newScriptOrg(t)
			o.on("/idp/idx/introspect", ok(tt.start))
			o.on(tt.path, tt.reply)
			c := o.client()
			tx, err := c.Start(ctx, idx.StartOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tt.opts.State = tx.State
			tx, err = c.Authenticate(ctx, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if tx.Status != tt.status || (tt.step != "" && tx.NextStep.Name != tt.step) {
				t.Fatalf("got %v; want %s %s", tx, tt.status, tt.step)
			}
			for _, k := range tt.kinds {
				if !errors.Is(tx.Err(), k) {
					t.Errorf("Err() = %v; want it to match %v", tx.Err(), k)
				}
			}
			if errors.Is(tx.Err(), tt.notKind) {
				t.Errorf("Err() = %v matches %v", tx.Err(), tt.notKind)
			}
		})
	}
}

// Goal: an org that will not unlock by self-service, in the shapes real
// orgs answer (error-400-unlock-account.json, error-unlock-account.json,
// error-unlock-account-failed-permissions.json), is ErrUnlockRefused:
// PENDING with the Rejection when the org keeps the transaction, TERMINAL
// otherwise.
func TestUnlockRefusedFixture(t *testing.T) {
	t.Parallel()
	tests := []struct {
		reply  scriptReply
		status idx.Status
	}{
		{scriptReply{http.StatusBadRequest, "select-authenticator-authenticate-unlock-not-allowed.json"}, idx.StatusPending},
		{scriptReply{http.StatusBadRequest, "terminal-unlock-failed.json"}, idx.StatusTerminal},
		{scriptReply{http.StatusForbidden, "terminal-unlock-failed-permissions.json"}, idx.StatusTerminal},
	}
	for _, tt := range tests {
		t.Run(tt.reply.body, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			o := newScriptOrg(t)
			o.on("/idp/idx/introspect", ok("select-authenticator-unlock-account.json"))
			o.on("/idp/idx/unlock-account", tt.reply)
			c := o.client()
			tx, err := c.Start(ctx, idx.StartOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tx, err = c.UnlockAccount(ctx, idx.Options{State: tx.State, Username: "jane", Authenticator: authenticator.OktaEmail})
			if err != nil {
				t.Fatal(err)
			}
			if tx.Status != tt.status || !errors.Is(tx.Err(), idx.ErrUnlockRefused) || tx.Outcome != "" {
				t.Errorf("got %v, Err() %v, outcome %q; want %s matching ErrUnlockRefused", tx, tx.Err(), tx.Outcome, tt.status)
			}
		})
	}
}
