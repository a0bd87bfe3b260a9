package idx_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/goidx/goidx/idx"
)

// allKinds are the sentinels a message key may stand for.
var allKinds = []error{
	idx.ErrInvalidPasscode, idx.ErrInvalidCredentials, idx.ErrLockedOut, idx.ErrAccessDenied,
	idx.ErrTransactionExpired, idx.ErrLinkExpired, idx.ErrOperationCanceled, idx.ErrRateLimited,
	idx.ErrPasscodeUsed, idx.ErrNextCodeRequired, idx.ErrSendLimit, idx.ErrActivationExpired,
	idx.ErrTokenInvalid, idx.ErrUserSuspended, idx.ErrUnlockRefused,
	idx.ErrConsentDenied, idx.ErrDeviceNotActivated, idx.ErrDeviceConsentDenied, idx.ErrInvalidUserCode,
}

// TestMessageKinds: a rejection and a transaction's end match the kind of
// their message's key, and a key of no kind matches none.
func TestMessageKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		want error
	}{
		{"idx.session.expired", idx.ErrTransactionExpired},
		{"idx.return.link.expired", idx.ErrLinkExpired},
		{"idx.operation.cancelled.on.other.device", idx.ErrOperationCanceled},
		{"idx.operation.cancelled.by.user", idx.ErrOperationCanceled},
		{"oie.selfservice.unlock_user.success.message", nil},
		{"errors.E0000119", idx.ErrLockedOut},
		{"authfactor.challenge.suspended_factor", idx.ErrLockedOut},
		{"errors.E0000004", idx.ErrInvalidCredentials},
		{"incorrectPassword", idx.ErrInvalidCredentials},
		{"api.authn.error.PASSCODE_INVALID", idx.ErrInvalidPasscode},
		{"authfactor.challenge.soft_token.invalid_passcode", idx.ErrInvalidPasscode},
		{"security.access_denied", idx.ErrAccessDenied},
		{"tooManyRequests", idx.ErrRateLimited},
		{"errors.E0000150", idx.ErrSendLimit},
		{"errors.E0000151", idx.ErrSendLimit},
		{"api.authn.poll.error.push_rejected", idx.ErrPushRejected},
		{"authfactor.challenge.soft_token.used_passcode", idx.ErrPasscodeUsed},
		{"errors.E0000113", idx.ErrNextCodeRequired},
		{"idx.expired.activation.token", idx.ErrActivationExpired},
		{"idx.missing.activation.token", idx.ErrTokenInvalid},
		{"idx.invalid.reset.password.token", idx.ErrTokenInvalid},
		{"idx.invalid.forgot.password.token", idx.ErrTokenInvalid},
		{"idx.activating.inactive.user", idx.ErrUserSuspended},
		{"oie.selfservice.unlock_user.failed.message", idx.ErrUnlockRefused},
		{"oie.selfservice.user.unlock.not.allowed", idx.ErrUnlockRefused},
		{"oie.selfservice.unlock_user.challenge.failed.permissions", idx.ErrUnlockRefused},
		{"idx.request.activation.email", nil},
		{"oie.selfservice.unlock_user.landing.to.app.success.message", nil},
		{"idx.device.not.activated.consent.denied", idx.ErrDeviceConsentDenied},
		{"idx.device.not.activated.internal.error", idx.ErrDeviceNotActivated},
		{"idx.invalid.device.code", idx.ErrInvalidUserCode},
		{"idx.device.activated", nil},
		{"some.unknown.key", nil},
		{"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			t.Parallel()
			ms := []idx.Message{{Class: "ERROR", Key: tc.key}}
			term := (&idx.Transaction{Status: idx.StatusTerminal, Messages: ms}).Err()
			rej := &idx.RejectionError{StatusCode: 400, Messages: ms}
			for _, k := range allKinds {
				// A narrower kind matches its broader one too.
				want := tc.want != nil && errors.Is(tc.want, k)
				if errors.Is(term, k) != want || errors.Is(rej, k) != want {
					t.Errorf("errors.Is(%v) = %v/%v, want %v", k, errors.Is(term, k), errors.Is(rej, k), want)
				}
			}
		})
	}
}

// TestServerKeysEndToEnd sends each key through a call and checks what the
// caller gets: an error, a TERMINAL transaction whose Err matches, an
// outcome, or a PENDING one whose Rejection matches.
// errAnyTerminal stands, in a table, for an end's error of no known kind.
var errAnyTerminal = errors.New("an end's error of no known kind")

func TestServerKeysEndToEnd(t *testing.T) {
	t.Parallel()
	type want struct {
		callErr error       // the call's error
		status  idx.Status  // else the transaction's status
		kind    error       // what tx.Err() matches (nil: no error)
		outcome idx.Outcome // and its outcome
		step    string      // the next step when PENDING
	}
	tests := []struct {
		name  string
		reply scriptReply
		want  want
	}{
		{"idx.session.expired", scriptReply{401, terminalDoc("ERROR", "idx.session.expired")}, want{callErr: idx.ErrTransactionExpired}},
		{"idx.return.link.expired", scriptReply{200, terminalDoc("ERROR", "idx.return.link.expired")}, want{status: idx.StatusTerminal, kind: idx.ErrLinkExpired}},
		// Okta sends the expired link as an INFO message.
		{"idx.return.link.expired as INFO", scriptReply{200, terminalDoc("INFO", "idx.return.link.expired")}, want{status: idx.StatusTerminal, kind: idx.ErrLinkExpired}},
		{"SMS rate limit", scriptReply{403, terminalDoc("ERROR", "errors.E0000150")}, want{status: idx.StatusTerminal, kind: idx.ErrRateLimited}},
		{"outcome, not an error", scriptReply{200, terminalDoc("INFO", "idx.return.to.original.tab")}, want{status: idx.StatusTerminal, outcome: idx.OutcomeReturnToOriginalTab}},
		{"cancelled on other device", scriptReply{200, terminalDoc("ERROR", "idx.operation.cancelled.on.other.device")}, want{status: idx.StatusTerminal, kind: idx.ErrOperationCanceled}},
		{"cancelled by user", scriptReply{200, terminalDoc("ERROR", "idx.operation.cancelled.by.user")}, want{status: idx.StatusTerminal, kind: idx.ErrOperationCanceled}},
		{"access denied", scriptReply{403, terminalDoc("ERROR", "security.access_denied")}, want{status: idx.StatusTerminal, kind: idx.ErrAccessDenied}},
		{"unlock success", scriptReply{200, "terminal-unlock-success.json"}, want{status: idx.StatusTerminal, outcome: idx.OutcomeAccountUnlocked}},
		{"unknown terminal key", scriptReply{200, terminalDoc("ERROR", "some.new.key")}, want{status: idx.StatusTerminal, kind: errAnyTerminal}},
		{"E0000004", scriptReply{401, "identify-unknown-user.json"}, want{status: idx.StatusPending, kind: idx.ErrInvalidCredentials, step: "identify"}},
		{"E0000119", scriptReply{403, "identify-locked-out.json"}, want{status: idx.StatusPending, kind: idx.ErrLockedOut, step: "identify"}},
		{"PASSCODE_INVALID", scriptReply{401, "challenge-authenticator-email-invalid-passcode.json"}, want{status: idx.StatusPending, kind: idx.ErrInvalidPasscode, step: "challenge-authenticator"}},
		{"suspended factor", scriptReply{403, "challenge-authenticator-password-suspended.json"}, want{status: idx.StatusPending, kind: idx.ErrLockedOut, step: "challenge-authenticator"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := newScriptOrg(t)
			o.on("/idp/idx/introspect", ok("identify-with-idps.json"))
			o.on("/idp/idx/identify", tc.reply)
			tx, err := o.client().Authenticate(context.Background(), idx.Options{Username: "jane", Password: "pw"})
			if tc.want.callErr != nil {
				if !errors.Is(err, tc.want.callErr) {
					t.Fatalf("err = %v, want %v", err, tc.want.callErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tx.Status != tc.want.status || tx.Outcome != tc.want.outcome {
				t.Errorf("status %s outcome %q, want %s %q", tx.Status, tx.Outcome, tc.want.status, tc.want.outcome)
			}
			if tc.want.kind == nil {
				if tx.Err() != nil {
					t.Errorf("Err() = %v, want nil", tx.Err())
				}
			} else if tc.want.kind == errAnyTerminal {
				if err := tx.Err(); err == nil || slices.ContainsFunc(allKinds, func(k error) bool { return errors.Is(err, k) }) {
					t.Errorf("Err() = %v, want an error of no known kind", err)
				}
			} else if !errors.Is(tx.Err(), tc.want.kind) {
				t.Errorf("Err() = %v, want %v", tx.Err(), tc.want.kind)
			}
			if tc.want.step != "" && (tx.NextStep == nil || tx.NextStep.Name != tc.want.step) {
				t.Errorf("next step %v, want %s", tx.NextStep, tc.want.step)
			}
			var rej *idx.RejectionError
			if tx.Status == idx.StatusPending && !errors.As(tx.Rejection, &rej) {
				t.Errorf("Rejection = %v", tx.Rejection)
			}
		})
	}
}
