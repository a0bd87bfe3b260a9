package idx_test

// Answers in shapes real orgs send and idxtest does not: members the SDK
// reads around, members it cannot do without, device-bound steps listed
// first, a rejected push, an expired session and an IDX-shaped 429. Each
// fixture (internal/ion/testdata) is the project's own, written in the
// shape of the captured answers.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
)

// debugLog is a client logger at debug level whose records a test reads.
type debugLog struct{ buf bytes.Buffer }

func (l *debugLog) option() idx.ClientOption {
	return idx.WithLogger(slog.New(slog.NewJSONHandler(&l.buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
}

// records returns the records with message msg, as JSON objects.
func (l *debugLog) records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// Goal: members the SDK does not need (a placeholder expiresAt, required
// flags written as strings, a zero-width space among the enrollments)
// never make an answer unreadable; each is logged at debug level by its
// path, never by value, and the steps work.
func TestOddMembersAreReadAround(t *testing.T) {
	t.Parallel()
	t.Run("password reset", func(t *testing.T) {
		t.Parallel()
		o := newScriptOrg(t)
		o.on("/idp/idx/introspect", ok("reset-authenticator-odd-members.json"))
		o.on("/idp/idx/challenge/answer", ok(terminalDoc("INFO", "idx.recovery.completed")))
		var logs debugLog
		c := o.client(logs.option())
		tx, err := c.Start(context.Background(), idx.StartOptions{RecoveryToken: "ourRecoveryToken"})
		if err != nil {
			t.Fatal(err)
		}
		if tx.Status != idx.StatusPending || tx.NextStep.Name != "reset-authenticator" || !tx.ExpiresAt.IsZero() {
			t.Fatalf("got %v expiring %v; want reset-authenticator without an expiry", tx, tx.ExpiresAt)
		}
		if diff := cmp.Diff([]string{"newPassword", "revokeSessions"}, inputNames(tx.NextStep)); diff != "" {
			t.Errorf("inputs (-want +got):\n%s", diff)
		}
		if len(tx.NextStep.AuthenticatorEnrollments) != 0 {
			t.Errorf("enrollments %+v; the only one is unreadable", tx.NextStep.AuthenticatorEnrollments)
		}
		var members []string
		for _, rec := range logs.records(t, "idx: answer member not read") {
			members = append(members, rec["member"].(string)+": "+rec["problem"].(string))
		}
		want := []string{"authenticatorEnrollments.value[0]: not an object", "expiresAt: not an RFC 3339 time"}
		if diff := cmp.Diff(want, members); diff != "" {
			t.Errorf("debug records (-want +got):\n%s", diff)
		}
		if strings.Contains(logs.buf.String(), "02rstOdd") {
			t.Error("the log holds the stateHandle")
		}
		tx, err = c.RecoverPassword(context.Background(), idx.Options{State: tx.State, NewPassword: "Our-New-Passw0rd"})
		if err != nil {
			t.Fatal(err)
		}
		if tx.Status != idx.StatusTerminal || tx.Outcome != idx.OutcomePasswordReset {
			t.Errorf("got %v %q; want TERMINAL PASSWORD_RESET", tx, tx.Outcome)
		}
		body := o.last("/idp/idx/challenge/answer").Body
		if cred, _ := body["credentials"].(map[string]any); cred["passcode"] != "Our-New-Passw0rd" || body["stateHandle"] != "02rstOdd.stateHandle-Zw8" {
			t.Errorf("reset body %v", body)
		}
	})
	t.Run("push with required as a string", func(t *testing.T) {
		t.Parallel()
		o := newScriptOrg(t)
		o.on("/idp/idx/introspect", ok("authenticator-verification-data-okta-verify-odd-members.json"))
		o.on("/idp/idx/challenge", ok("challenge-poll-okta-verify-number.json"))
		c := o.client()
		tx, err := c.Start(context.Background(), idx.StartOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ns := tx.NextStep
		if ns.Name != "authenticator-verification-data" || ns.Authenticator == nil || ns.Authenticator.Key != authenticator.OktaVerify {
			t.Fatalf("next step %+v", ns)
		}
		// "required": "false" reads as false: autoChallenge is optional.
		for _, in := range ns.Inputs {
			if in.Name == "autoChallenge" && in.Required {
				t.Errorf("autoChallenge is required")
			}
		}
		if got := len(tx.AvailableSteps[1].AuthenticatorEnrollments); got != 2 {
			t.Errorf("%d enrollments; want the 2 readable ones", got)
		}
		tx, err = c.Authenticate(context.Background(), idx.Options{State: tx.State, MethodType: "push"})
		if err != nil {
			t.Fatal(err)
		}
		if tx.NextStep.Name != "challenge-poll" {
			t.Errorf("after push: %v", tx)
		}
		a, _ := o.last("/idp/idx/challenge").Body["authenticator"].(map[string]any)
		if a["id"] != "autOkv00example05" || a["methodType"] != "push" || a["autoChallenge"] != false {
			t.Errorf("authenticator sent %v", a)
		}
	})
}

// Goal: a member the SDK needs and cannot use is a typed error naming the
// member's path, never its value; an empty answer is a typed error too.
func TestUnusableAnswers(t *testing.T) {
	t.Parallel()
	const handle = `"stateHandle":"02secret.stateHandle-Zz9"`
	tests := []struct {
		name  string
		reply scriptReply
		check func(t *testing.T, err error)
	}{
		{"a form without a name", ok(`{` + handle + `,"remediation":{"value":[{"href":"https://example.okta.com/idp/idx/identify","value":[]}]}}`),
			wantMember("remediation.value[0].name", "missing")},
		{"fields that are not a list", ok(`{` + handle + `,"remediation":{"value":[{"name":"identify","href":"https://example.okta.com/idp/idx/identify","value":{"name":"identifier"}}]}}`),
			wantMember("remediation.value[0].value", "not a list")},
		{"a stateHandle that is not a string", ok(`{"stateHandle":{"v":"02secret.stateHandle-Zz9"},"remediation":{"value":[]}}`),
			wantMember("stateHandle", "not a string")},
		{"an empty answer", scriptReply{status: http.StatusOK, body: ""}, wantEmpty},
		{"an empty error answer", scriptReply{status: http.StatusForbidden, body: ""}, wantEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := newScriptOrg(t)
			o.on("/idp/idx/introspect", tt.reply)
			_, err := o.client().Start(context.Background(), idx.StartOptions{})
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "02secret") {
				t.Errorf("error %q holds the stateHandle", err)
			}
			tt.check(t, err)
		})
	}
}

func wantMember(path, problem string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, idx.ErrMalformedResponse) || !strings.Contains(err.Error(), "malformed IDX response: "+path+": "+problem) {
			t.Errorf("err = %v; want ErrMalformedResponse for %s: %s", err, path, problem)
		}
	}
}

func wantEmpty(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, idx.ErrUnexpectedResponse) || !strings.Contains(err.Error(), "empty answer") {
		t.Errorf("err = %v; want ErrUnexpectedResponse for an empty answer", err)
	}
}

// Goal: when the server lists steps only the user's device can take first
// (the Apple SSO extension, launching Okta Verify), NextStep is the first
// step a server-side app can take; the others stay in AvailableSteps, in
// server order. (The Okta Verify choice of this answer gives its form
// beside its value, as some answers do: it is offered all the same.)
func TestDeviceBoundStepsComeLast(t *testing.T) {
	t.Parallel()
	for _, choice := range []struct {
		key  authenticator.Key
		sent map[string]any
	}{
		{authenticator.OktaEmail, map[string]any{"id": "autEml00example02", "methodType": "email"}},
		{authenticator.OktaVerify, map[string]any{"id": "autOkv00example05", "methodType": "push"}},
	} {
		t.Run(string(choice.key), func(t *testing.T) {
			t.Parallel()
			testDeviceBoundStepsComeLast(t, choice.key, choice.sent)
		})
	}
}

func testDeviceBoundStepsComeLast(t *testing.T, key authenticator.Key, sent map[string]any) {
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok("select-authenticator-authenticate-sso-extension-first.json"))
	o.on("/idp/idx/challenge", ok("challenge-authenticator-email.json"))
	c := o.client()
	tx, err := c.Start(context.Background(), idx.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tx.NextStep.Name != "select-authenticator-authenticate" {
		t.Fatalf("next step %s; want select-authenticator-authenticate", tx.NextStep.Name)
	}
	if diff := cmp.Diff([]authenticator.Choice{{Label: "Email", Value: "okta_email"}, {Label: "Okta Verify", Value: "okta_verify"}}, tx.NextStep.Options); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"device-apple-sso-extension", "launch-authenticator", "select-authenticator-authenticate"}, stepNames(tx)); diff != "" {
		t.Errorf("AvailableSteps (-want +got):\n%s", diff)
	}
	o.paths()
	tx, err = c.Authenticate(context.Background(), idx.Options{State: tx.State, Authenticator: key})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"POST /idp/idx/challenge"}, o.paths()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sent, o.last("/idp/idx/challenge").Body["authenticator"]); diff != "" {
		t.Errorf("authenticator sent (-want +got):\n%s", diff)
	}
	if tx.NextStep.Name != "challenge-authenticator" {
		t.Errorf("after choosing %s: %v", key, tx)
	}
}

// Goal: after a rejected Okta Verify push the next step is to choose an
// authenticator again; a new push is one Resend away (CanResend), and
// choosing another authenticator works too.
func TestRejectedPushChoosesAgain(t *testing.T) {
	t.Parallel()
	for _, then := range []string{"resend", "choose email"} {
		t.Run(then, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			o := newScriptOrg(t)
			o.on("/idp/idx/introspect", ok("challenge-poll-okta-verify-number.json"))
			o.on("/idp/idx/authenticators/poll", ok("challenge-poll-okta-verify-push-rejected.json"))
			o.on("/idp/idx/challenge", ok("challenge-poll-okta-verify-number.json"))
			c := o.client()
			tx, err := c.Start(ctx, idx.StartOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tx, err = c.PollUntilDone(ctx, tx.State)
			if err != nil {
				t.Fatal(err)
			}
			if tx.Status != idx.StatusPending || !errors.Is(tx.Rejection, idx.ErrPushRejected) {
				t.Fatalf("got %v rejection %v; want PENDING, push rejected", tx, tx.Rejection)
			}
			if tx.NextStep.Name != "select-authenticator-authenticate" || !tx.NextStep.CanResend {
				t.Errorf("next step %s, CanResend %v; want select-authenticator-authenticate, true", tx.NextStep.Name, tx.NextStep.CanResend)
			}
			if diff := cmp.Diff([]string{"resend", "select-authenticator-authenticate"}, stepNames(tx)); diff != "" {
				t.Errorf("AvailableSteps (-want +got):\n%s", diff)
			}
			o.paths()
			if then == "resend" {
				tx, err = c.Resend(ctx, tx.State)
			} else {
				tx, err = c.Authenticate(ctx, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
			}
			if err != nil {
				t.Fatal(err)
			}
			if tx.Status != idx.StatusPending || tx.Rejection != nil || tx.NextStep.Name != "challenge-poll" {
				t.Errorf("after %s: %v rejection %v; want challenge-poll (the org's answer)", then, tx, tx.Rejection)
			}
			if diff := cmp.Diff([]string{"POST /idp/idx/challenge"}, o.paths()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			want := map[string]any{"id": "autOkv00example05", "methodType": "push"}
			if then != "resend" {
				want = map[string]any{"id": "autEml00example02", "methodType": "email"}
			}
			if diff := cmp.Diff(want, o.last("/idp/idx/challenge").Body["authenticator"]); diff != "" {
				t.Errorf("authenticator sent (-want +got):\n%s", diff)
			}
		})
	}
}

// Goal: an expired session (idx.session.expired, HTTP 401) is the error
// ErrTransactionExpired, never a TERMINAL transaction, whether it answers
// introspect or a step, and the transaction is forgotten; an IDX-shaped
// 429 (tooManyRequests) is a *RateLimitError and leaves the transaction as
// it was, to continue after the reset.
func TestExpiredSessionAndRateLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, fixture := range []string{"session-expired.json", "session-expired-unversioned.json"} {
		t.Run("expired at introspect/"+fixture, func(t *testing.T) {
			t.Parallel()
			o := newScriptOrg(t)
			o.on("/idp/idx/introspect", scriptReply{http.StatusUnauthorized, fixture})
			tx, err := o.client().Start(ctx, idx.StartOptions{})
			if !errors.Is(err, idx.ErrTransactionExpired) || tx != nil {
				t.Errorf("got %v, %v; want ErrTransactionExpired", tx, err)
			}
		})
		t.Run("expired at a step/"+fixture, func(t *testing.T) {
			t.Parallel()
			o := newScriptOrg(t)
			o.on("/idp/idx/introspect", ok("challenge-authenticator-email.json"))
			o.on("/idp/idx/challenge/answer", scriptReply{http.StatusUnauthorized, fixture})
			c := o.client()
			tx, err := c.Start(ctx, idx.StartOptions{})
			if err != nil {
				t.Fatal(err)
			}
			state := tx.State
			if tx, err := c.Authenticate(ctx, idx.Options{State: state, VerificationCode: "123456"}); !errors.Is(err, idx.ErrTransactionExpired) || tx != nil {
				t.Fatalf("got %v, %v; want ErrTransactionExpired", tx, err)
			}
			if _, err := c.Authenticate(ctx, idx.Options{State: state, VerificationCode: "123456"}); !errors.Is(err, idx.ErrTransactionNotFound) {
				t.Errorf("the expired transaction: %v; want ErrTransactionNotFound", err)
			}
		})
	}
	t.Run("429 at a step", func(t *testing.T) {
		t.Parallel()
		o := newScriptOrg(t)
		o.on("/idp/idx/introspect", ok("challenge-authenticator-email.json"))
		// An answer is retried once after a 429; both are refused.
		o.on("/idp/idx/challenge/answer", scriptReply{http.StatusTooManyRequests, "too-many-requests.json"},
			scriptReply{http.StatusTooManyRequests, "too-many-requests.json"}, ok(successDoc(o)))
		c := o.client()
		tx, err := c.Start(ctx, idx.StartOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: "123456"})
		var rl *idx.RateLimitError
		if !errors.As(err, &rl) || !errors.Is(err, idx.ErrRateLimited) {
			t.Fatalf("err = %v; want a *RateLimitError", err)
		}
		// The transaction is as it was: the same call goes through later.
		tx, err = c.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: "123456"})
		if err != nil || tx.Status != idx.StatusSuccess {
			t.Errorf("after the limit: %v, %v; want SUCCESS", tx, err)
		}
	})
}
