package idx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
)

const (
	pInteract   = "POST /oauth2/default/v1/interact"
	pIntrospect = "POST /idp/idx/introspect"
	pToken      = "POST /oauth2/default/v1/token"
	pDiscovery  = "GET /oauth2/default/.well-known/openid-configuration"
	pKeys       = "GET /oauth2/default/v1/keys"
)

// compactJSON compares raw JSON by its compact form.
var compactJSON = cmp.Comparer(func(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
})

func inputNames(s *idx.NextStep) []string {
	var out []string
	for _, in := range s.Inputs {
		out = append(out, in.Name)
	}
	return out
}

func stepNames(tx *idx.Transaction) []string {
	var out []string
	for _, s := range tx.AvailableSteps {
		out = append(out, s.Name)
	}
	return out
}

func TestStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok("identify-with-idps.json"))
	c := o.client()

	tx, err := c.Start(ctx, idx.StartOptions{ActivationToken: "ourActivationToken"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{pInteract, pIntrospect}, o.paths()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if tx.Status != idx.StatusPending || tx.NextStep.Name != "identify" {
		t.Fatalf("got %v", tx)
	}
	if diff := cmp.Diff([]string{"username", "password", "rememberMe"}, inputNames(tx.NextStep)); diff != "" {
		t.Errorf("identify inputs (-want +got):\n%s", diff)
	}
	want := []idx.Feature{idx.FeaturePasswordRecovery, idx.FeatureRegistration, idx.FeatureSocialIDP, idx.FeatureAccountUnlock}
	if diff := cmp.Diff(want, tx.EnabledFeatures); diff != "" {
		t.Errorf("EnabledFeatures (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"identify", "select-enroll-profile", "unlock-account", "redirect-idp", "redirect-idp"}, stepNames(tx)); diff != "" {
		t.Errorf("AvailableSteps (-want +got):\n%s", diff)
	}
	idp := tx.AvailableSteps[3]
	if diff := cmp.Diff(&idx.IDP{ID: "0oaGoog1example", Name: "Sign in with Google", Type: "GOOGLE"}, idp.IDP); diff != "" {
		t.Errorf("IDP (-want +got):\n%s", diff)
	}
	if idp.Type != "GOOGLE" || idp.Href != o.srv.URL+"/sso/idps/0oaGoog1example?stateToken=ourStateToken01" {
		t.Errorf("redirect-idp step: type %q href %q", idp.Type, idp.Href)
	}
	if tx.AvailableSteps[4].IDP.Type != "SAML2" {
		t.Errorf("second IdP: %+v", tx.AvailableSteps[4].IDP)
	}

	// The token went to interact.
	o2 := newScriptOrg(t)
	o2.on("/idp/idx/introspect", ok("reset-authenticator.json"))
	if _, err := o2.client().Start(ctx, idx.StartOptions{RecoveryToken: "ourRecoveryToken"}); err != nil {
		t.Fatal(err)
	}
	form := o2.last("/oauth2/default/v1/interact").Form
	if form.Get("recovery_token") != "ourRecoveryToken" || form.Has("activation_token") {
		t.Errorf("interact form: recovery_token %q activation_token %q", form.Get("recovery_token"), form.Get("activation_token"))
	}

	// A malformed hint is refused before anything is sent.
	n := len(o.paths())
	if _, err := c.Start(ctx, idx.StartOptions{LoginHint: "  "}); !errors.Is(err, idx.ErrInvalidInput) {
		t.Errorf("Start with a blank LoginHint: err = %v, want ErrInvalidInput", err)
	}
	if got := len(o.paths()); got != n {
		t.Errorf("Start with a blank LoginHint sent %d requests", got-n)
	}
}

func TestStartSendsActivationToken(t *testing.T) {
	t.Parallel()
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok("identify-with-idps.json"))
	if _, err := o.client().Start(context.Background(), idx.StartOptions{ActivationToken: "ourActivationToken"}); err != nil {
		t.Fatal(err)
	}
	form := o.last("/oauth2/default/v1/interact").Form
	if form.Get("activation_token") != "ourActivationToken" || form.Has("recovery_token") {
		t.Errorf("interact form: %v", form)
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok("identify-with-idps.json"))
	o.on("/idp/idx/enroll", ok("enroll-profile.json"))
	o.on("/idp/idx/enroll/new", ok("select-authenticator-enroll-with-skip.json"))
	o.on("/idp/idx/skip", ok(successDoc(o)))
	c := o.client()

	tx, err := c.Register(ctx, idx.Options{Profile: map[string]any{"firstName": "Jane", "lastName": "Doe", "email": "jane@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{pInteract, pIntrospect, "POST /idp/idx/enroll", "POST /idp/idx/enroll/new"}, o.paths()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	wantBody := map[string]any{
		"userProfile": map[string]any{"firstName": "Jane", "lastName": "Doe", "email": "jane@example.com"},
		"stateHandle": "02reg.stateHandle-Rg1",
	}
	if diff := cmp.Diff(wantBody, o.last("/idp/idx/enroll/new").Body); diff != "" {
		t.Errorf("enroll-profile body (-want +got):\n%s", diff)
	}
	if tx.NextStep.Name != "select-authenticator-enroll" || !tx.NextStep.CanSkip {
		t.Fatalf("next step %+v", tx.NextStep)
	}
	tx, err = c.Skip(ctx, tx.State)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Status != idx.StatusSuccess || tx.Tokens == nil || tx.Tokens.IDTokenClaims.Subject != "00uScripted" {
		t.Fatalf("after skip: %v", tx)
	}
	if got := o.last("/oauth2/default/v1/token").Form.Get("code_verifier"); got == "" {
		t.Error("no code_verifier sent to /token")
	}
}

func TestRegisterWithoutEnrollProfileStaysOnForm(t *testing.T) {
	t.Parallel()
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok("identify-with-idps.json"))
	o.on("/idp/idx/enroll", ok("enroll-profile.json"))
	// Only one attribute of three: enroll-profile cannot be submitted.
	tx, err := o.client().Register(context.Background(), idx.Options{Profile: map[string]any{"firstName": "Jane"}})
	if err != nil {
		t.Fatal(err)
	}
	if tx.NextStep.Name != "enroll-profile" {
		t.Fatalf("next step %q", tx.NextStep.Name)
	}
	if diff := cmp.Diff([]string{"firstName", "lastName", "email", "favouriteColour"}, inputNames(tx.NextStep)); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	if _, err := o.client().Register(context.Background(), idx.Options{Profile: map[string]any{"a.b": 1}}); !errors.Is(err, idx.ErrInvalidInput) {
		t.Errorf("dotted attribute: err = %v", err)
	}
}

func TestRecoverPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok("identify-with-idps.json"))
	o.on("/idp/idx/recover", ok("identify-recovery.json"))
	o.on("/idp/idx/identify", ok("challenge-authenticator-email.json"))
	o.on("/idp/idx/challenge/answer", ok("reset-authenticator.json"),
		ok(terminalDoc("INFO", "idx.recovery.completed")))
	c := o.client()

	tx, err := c.RecoverPassword(ctx, idx.Options{Username: "jane@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{pInteract, pIntrospect, "POST /idp/idx/recover", "POST /idp/idx/identify"}, o.paths()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if got := o.last("/idp/idx/identify").Body["identifier"]; got != "jane@example.com" {
		t.Errorf("identify-recovery identifier = %v", got)
	}
	if tx.NextStep.Name != "challenge-authenticator" || tx.NextStep.Type != "email" {
		t.Fatalf("next step %+v", tx.NextStep)
	}
	tx, err = c.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: "135790"})
	if err != nil {
		t.Fatal(err)
	}
	if tx.NextStep.Name != "reset-authenticator" {
		t.Fatalf("next step %q", tx.NextStep.Name)
	}
	if diff := cmp.Diff([]string{"newPassword", "revokeSessions"}, inputNames(tx.NextStep)); diff != "" {
		t.Errorf("reset inputs (-want +got):\n%s", diff)
	}
	if _, err := c.Authenticate(ctx, idx.Options{State: tx.State, NewPassword: "n3w-Secret!", ConfirmPassword: "other"}); !errors.Is(err, idx.ErrInvalidInput) {
		t.Errorf("mismatched confirmation: err = %v", err)
	}
	tx, err = c.RecoverPassword(ctx, idx.Options{State: tx.State, NewPassword: "n3w-Secret!", ConfirmPassword: "n3w-Secret!", RevokeSessions: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"credentials": map[string]any{"passcode": "n3w-Secret!", "revokeSessions": true}, "stateHandle": "02rst.stateHandle-Rs1"}
	if diff := cmp.Diff(want, o.last("/idp/idx/challenge/answer").Body); diff != "" {
		t.Errorf("reset body (-want +got):\n%s", diff)
	}
	if tx.Status != idx.StatusTerminal || tx.Outcome != idx.OutcomePasswordReset || tx.Err() != nil {
		t.Errorf("after reset: status %s outcome %q err %v", tx.Status, tx.Outcome, tx.Err())
	}
}

func TestRecoverPasswordIdentifierFirst(t *testing.T) {
	t.Parallel()
	// identify asks for the username only; the password challenge that
	// follows offers recover, which the flow takes instead of answering.
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok("identify-recovery.json"))
	o.on("/idp/idx/identify", ok("challenge-authenticator-password.json"))
	o.on("/idp/idx/recover", ok("select-authenticator-authenticate.json"))
	tx, err := o.client().RecoverPassword(context.Background(), idx.Options{Username: "jane@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{pInteract, pIntrospect, "POST /idp/idx/identify", "POST /idp/idx/recover"}, o.paths()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if tx.NextStep.Name != "select-authenticator-authenticate" {
		t.Fatalf("next step %q", tx.NextStep.Name)
	}
}

func TestUnlockAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok("identify-with-idps.json"))
	o.on("/idp/idx/unlock-account", ok("select-authenticator-unlock-account.json"), ok("challenge-authenticator-email.json"))
	o.on("/idp/idx/challenge/answer", ok("terminal-unlock-success.json"))
	c := o.client()

	tx, err := c.UnlockAccount(ctx, idx.Options{Username: "jane@example.com", Authenticator: authenticator.OktaEmail})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{pInteract, pIntrospect, "POST /idp/idx/unlock-account", "POST /idp/idx/unlock-account"}, o.paths()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	want := map[string]any{
		"identifier":    "jane@example.com",
		"authenticator": map[string]any{"id": "autEml00example02", "methodType": "email"},
		"stateHandle":   "02unl.stateHandle-Un1",
	}
	if diff := cmp.Diff(want, o.last("/idp/idx/unlock-account").Body); diff != "" {
		t.Errorf("unlock body (-want +got):\n%s", diff)
	}
	if tx.NextStep.Name != "challenge-authenticator" {
		t.Fatalf("next step %q", tx.NextStep.Name)
	}
	tx, err = c.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: "246801"})
	if err != nil {
		t.Fatal(err)
	}
	if tx.Status != idx.StatusTerminal || tx.Outcome != idx.OutcomeAccountUnlocked || tx.Err() != nil {
		t.Errorf("status %s outcome %q err %v", tx.Status, tx.Outcome, tx.Err())
	}
	if len(tx.Messages) != 1 || tx.Messages[0].Key != "oie.selfservice.unlock_user.success.message" {
		t.Errorf("messages %+v", tx.Messages)
	}
}

func TestPollNumberChallenge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok("challenge-poll-okta-verify-number.json"))
	o.on("/idp/idx/authenticators/poll", ok("challenge-poll-okta-verify-number.json"),
		ok("challenge-poll-okta-verify-number.json"), ok(successDoc(o)))
	c := o.client()
	tx, err := c.Start(ctx, idx.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ns := tx.NextStep
	if ns.Name != "challenge-poll" || ns.Poll == nil || !ns.Poll.Required || ns.Poll.Refresh != time.Millisecond {
		t.Fatalf("next step %+v poll %+v", ns, ns.Poll)
	}
	if ns.Authenticator == nil || ns.Authenticator.Context == nil || ns.Authenticator.Context.CorrectAnswer != "37" {
		t.Fatalf("authenticator %+v", ns.Authenticator)
	}
	if !ns.CanResend || ns.Authenticator.Key != authenticator.OktaVerify {
		t.Errorf("CanResend %v key %q", ns.CanResend, ns.Authenticator.Key)
	}
	if len(ns.AuthenticatorEnrollments) != 1 || ns.AuthenticatorEnrollments[0].ID != "pfdOkv00example09" {
		t.Errorf("enrollments %+v", ns.AuthenticatorEnrollments)
	}
	o.paths()
	tx, err = c.Poll(ctx, tx.State)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Status != idx.StatusPending || tx.NextStep.Name != "challenge-poll" {
		t.Fatalf("after one poll: %v", tx)
	}
	if diff := cmp.Diff([]string{"POST /idp/idx/authenticators/poll"}, o.paths()); diff != "" {
		t.Errorf("one poll (-want +got):\n%s", diff)
	}
	tx, err = c.PollUntilDone(ctx, tx.State)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Status != idx.StatusSuccess {
		t.Fatalf("after polling: %v", tx)
	}
	got := o.paths()
	polls := 0
	for _, p := range got {
		if p == "POST /idp/idx/authenticators/poll" {
			polls++
		}
	}
	if polls != 2 {
		t.Errorf("polls until done = %d, want 2 (%v)", polls, got)
	}
}

// Goal: WithPollProgress reports every poll that leaves the step waiting,
// with its count and the transaction (Okta Verify's number included), and
// not the poll that ends the wait.
func TestPollUntilDoneProgress(t *testing.T) {
	t.Parallel()
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok("challenge-poll-okta-verify-number.json"))
	o.on("/idp/idx/authenticators/poll", ok("challenge-poll-okta-verify-number.json"),
		ok("challenge-poll-okta-verify-number.json"), ok(successDoc(o)))
	c := o.client()
	tx, err := c.Start(t.Context(), idx.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	progress := idx.WithPollProgress(func(polls int, tx *idx.Transaction) {
		got = append(got, fmt.Sprintf("%d %s %s %s", polls, tx.Status, tx.NextStep.Name, tx.NextStep.Authenticator.Context.CorrectAnswer))
	})
	tx, err = c.PollUntilDone(t.Context(), tx.State, nil, progress)
	if err != nil || tx.Status != idx.StatusSuccess {
		t.Fatalf("tx, err = %v, %v; want SUCCESS", tx, err)
	}
	if diff := cmp.Diff([]string{"1 PENDING challenge-poll 37", "2 PENDING challenge-poll 37"}, got); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
}

// Goal: misusing PollUntilDone's options fails to compile: a ClientOption
// is no PollOption, and a progress function must take the poll count and
// the transaction; the right use compiles.
func TestPollOptionMisuseDoesNotCompile(t *testing.T) {
	t.Parallel()
	program := func(call string) map[string]string {
		return map[string]string{"main.go": `package main

import (
	"context"

	"github.com/goidx/goidx/idx"
)

func main() {
	var c *idx.Client
	_, _ = ` + call + `
}
`}
	}
	right := newUserPackages(t)
	right.add("right", program(`c.PollUntilDone(context.Background(), "s", idx.WithPollProgress(func(polls int, tx *idx.Transaction) {}))`))
	if out, err := right.build(t.TempDir()); err != nil {
		t.Fatalf("the right use does not compile: %v\n%s", err, out)
	}
	for name, tt := range map[string]struct{ call, want string }{
		"client option": {`c.PollUntilDone(context.Background(), "s", idx.WithLogger(nil))`,
			"cannot use idx.WithLogger(nil) (value of func type idx.ClientOption) as idx.PollOption value"},
		"progress without the count": {`c.PollUntilDone(context.Background(), "s", idx.WithPollProgress(func(tx *idx.Transaction) {}))`,
			"as func(polls int, tx *idx.Transaction) value in argument to idx.WithPollProgress"},
	} {
		wrong := newUserPackages(t)
		wrong.add("wrong", program(tt.call))
		out, err := wrong.build(t.TempDir())
		if err == nil || !strings.Contains(out, tt.want) {
			t.Errorf("%s: err = %v, output:\n%s\nwant a compile error %q", name, err, out, tt.want)
		}
	}
}

func TestPollUntilDoneStopsWithContext(t *testing.T) {
	t.Parallel()
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok("challenge-poll-okta-verify-number.json"))
	o.on("/idp/idx/authenticators/poll", ok("challenge-poll-okta-verify-number.json"))
	c := o.client()
	tx, err := c.Start(context.Background(), idx.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	o.paths()
	go func() {
		// Cancel once a poll has been answered and the next is awaited.
		for n := 0; n < 2; n += len(o.paths()) {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	last, err := c.PollUntilDone(ctx, tx.State)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if last == nil || last.NextStep.Name != "challenge-poll" {
		t.Errorf("last = %v", last)
	}
}

func TestPollAction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok("challenge-authenticator-email.json"))
	o.on("/idp/idx/challenge/poll", ok(terminalDoc("INFO", "idx.return.to.original.tab")))
	c := o.client()
	tx, err := c.Start(ctx, idx.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p := tx.NextStep.Poll; p == nil || p.Required || p.Refresh != 4*time.Second {
		t.Fatalf("poll %+v", p)
	}
	tx, err = c.Poll(ctx, tx.State)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Status != idx.StatusTerminal || tx.Outcome != idx.OutcomeReturnToOriginalTab {
		t.Errorf("status %s outcome %q", tx.Status, tx.Outcome)
	}

	o2 := newScriptOrg(t)
	o2.on("/idp/idx/introspect", ok("identify-with-idps.json"))
	c2 := o2.client()
	tx, err = c2.Start(ctx, idx.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Poll(ctx, tx.State); !errors.Is(err, idx.ErrCannotPoll) {
		t.Errorf("poll on identify: err = %v", err)
	}
	if _, err := c2.Skip(ctx, tx.State); !errors.Is(err, idx.ErrUnknownStep) {
		t.Errorf("skip on identify: err = %v", err)
	}
}

func TestResendOnEnrollment(t *testing.T) {
	t.Parallel()
	// challenge-authenticator-email.json has its resend on
	// currentAuthenticatorEnrollment.
	ctx := context.Background()
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok("challenge-authenticator-email.json"))
	o.on("/idp/idx/challenge/resend", ok("challenge-authenticator-email.json"))
	c := o.client()
	tx, err := c.Start(ctx, idx.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !tx.NextStep.CanResend {
		t.Fatal("CanResend false")
	}
	o.paths()
	if _, err := c.Resend(ctx, tx.State); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"POST /idp/idx/challenge/resend"}, o.paths()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// startAt starts a transaction whose first answer is fixture and returns
// the OAuth state the SDK sent.
func startAt(t *testing.T, o *scriptOrg, c *idx.Client, fixture string) (*idx.Transaction, string) {
	t.Helper()
	o.on("/idp/idx/introspect", ok(fixture))
	tx, err := c.Start(context.Background(), idx.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return tx, o.state
}

func TestHandleCallbackRedirect(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const cbBase = "https://app.example.com/login/callback?"

	t.Run("code", func(t *testing.T) {
		t.Parallel()
		o := newScriptOrg(t)
		c := o.client()
		tx, state := startAt(t, o, c, "identify-with-idps.json")
		o.paths()
		got, err := c.HandleCallback(ctx, tx.State, cbBase+url.Values{"interaction_code": {o.code}, "state": {state}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != idx.StatusSuccess || got.Tokens.IDTokenClaims.Subject != "00uScripted" {
			t.Fatalf("got %v", got)
		}
		if diff := cmp.Diff([]string{pDiscovery, pToken, pKeys}, o.paths()); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
		// The transaction is over.
		if _, err := c.Authenticate(ctx, idx.Options{State: tx.State, Username: "x"}); !errors.Is(err, idx.ErrTransactionNotFound) {
			t.Errorf("after success: err = %v", err)
		}
	})
	t.Run("state mismatch sends nothing", func(t *testing.T) {
		t.Parallel()
		o := newScriptOrg(t)
		c := o.client()
		tx, state := startAt(t, o, c, "identify-with-idps.json")
		o.paths()
		for _, bad := range []string{state + "x", state[:len(state)-1], "other"} {
			_, err := c.HandleCallback(ctx, tx.State, cbBase+url.Values{"interaction_code": {o.code}, "state": {bad}}.Encode())
			if !errors.Is(err, idx.ErrStateMismatch) {
				t.Errorf("state %q: err = %v", bad, err)
			}
		}
		if got := o.paths(); len(got) != 0 {
			t.Errorf("requests sent: %v", got)
		}
	})
	t.Run("unknown transaction", func(t *testing.T) {
		t.Parallel()
		o := newScriptOrg(t)
		c := o.client()
		_, err := c.HandleCallback(ctx, "nosuchstate", cbBase+"interaction_code=c&state=s")
		if !errors.Is(err, idx.ErrTransactionNotFound) {
			t.Errorf("err = %v", err)
		}
		if got := o.paths(); len(got) != 0 {
			t.Errorf("requests sent: %v", got)
		}
	})
	t.Run("error", func(t *testing.T) {
		t.Parallel()
		o := newScriptOrg(t)
		c := o.client()
		tx, state := startAt(t, o, c, "identify-with-idps.json")
		_, err := c.HandleCallback(ctx, tx.State, cbBase+url.Values{"error": {"access_denied"}, "error_description": {"User declined"}, "state": {state}}.Encode())
		var oe *idx.OAuthError
		if !errors.As(err, &oe) || oe.Endpoint != "redirect" || oe.Code != "access_denied" || oe.Description != "User declined" || !errors.Is(err, idx.ErrAccessDenied) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("interaction required", func(t *testing.T) {
		t.Parallel()
		o := newScriptOrg(t)
		c := o.client()
		tx, state := startAt(t, o, c, "identify-with-idps.json")
		o.set("/idp/idx/introspect", ok("challenge-authenticator-email.json"))
		o.paths()
		got, err := c.HandleCallback(ctx, tx.State, cbBase+url.Values{"error": {"interaction_required"}, "state": {state}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != idx.StatusPending || got.NextStep.Name != "challenge-authenticator" {
			t.Errorf("got %v", got)
		}
		if diff := cmp.Diff([]string{pIntrospect}, o.paths()); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
	})
}

func TestHandleCallbackEmailLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const cbBase = "https://app.example.com/login/callback?"

	o := newScriptOrg(t)
	c := o.client()
	tx, state := startAt(t, o, c, "challenge-authenticator-email.json")
	o.on("/idp/idx/challenge/answer", ok(successDoc(o)))

	// Another session (or none): show the code instead.
	for _, session := range []string{"", "anotherSession"} {
		_, err := c.HandleCallback(ctx, session, cbBase+url.Values{"otp": {"864200"}, "state": {state}}.Encode())
		if !errors.Is(err, idx.ErrEmailVerifyElsewhere) {
			t.Fatalf("session %q: err = %v", session, err)
		}
		if strings.Contains(err.Error(), "864200") {
			t.Error("the error string shows the code")
		}
	}
	// The right session, another transaction's link.
	if _, err := c.HandleCallback(ctx, tx.State, cbBase+"otp=864200&state=someoneElse"); !errors.Is(err, idx.ErrEmailVerifyElsewhere) {
		t.Errorf("foreign state: err = %v", err)
	}
	o.paths()
	got, err := c.HandleCallback(ctx, tx.State, cbBase+url.Values{"otp": {"864200"}, "state": {state}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != idx.StatusSuccess {
		t.Fatalf("got %v", got)
	}
	want := map[string]any{"credentials": map[string]any{"passcode": "864200"}, "stateHandle": "02chEmail.stateHandle-Z8w"}
	if diff := cmp.Diff(want, o.last("/idp/idx/challenge/answer").Body); diff != "" {
		t.Errorf("answer body (-want +got):\n%s", diff)
	}
}

func TestEmailVerifyCallbackWhenNotWaitingForEmail(t *testing.T) {
	t.Parallel()
	o := newScriptOrg(t)
	c := o.client()
	tx, state := startAt(t, o, c, "identify-with-idps.json")
	_, err := c.HandleCallback(context.Background(), tx.State, "/cb?otp=1234&state="+url.QueryEscape(state))
	if !errors.Is(err, idx.ErrEmailVerifyElsewhere) {
		t.Errorf("err = %v", err)
	}
}

// TestNextStepOfEachKind reads every step kind from its fixture.
func TestNextStepOfEachKind(t *testing.T) {
	t.Parallel()
	type view struct {
		Name      string
		Type      string
		Inputs    []string
		Options   []authenticator.Choice
		Key       authenticator.Key
		Context   *authenticator.ContextualData
		CanResend bool
		Poll      *idx.Poll
	}
	qr := func(href string) *authenticator.QRCode {
		return &authenticator.QRCode{Href: href, Method: "embedded", Type: "image/png"}
	}
	tests := []struct {
		fixture string
		want    view
	}{
		{"enroll-authenticator-google-otp.json", view{Name: "enroll-authenticator", Type: "app", Inputs: []string{"verificationCode"}, Key: authenticator.GoogleOTP,
			Context: &authenticator.ContextualData{QRCode: qr("data:image/png;base64,T3VyT3duUVI="), SharedSecret: "OURSHAREDSECRET7"}}},
		{"enroll-poll-okta-verify.json", view{Name: "enroll-poll", Type: "app", Key: authenticator.OktaVerify,
			Context: &authenticator.ContextualData{QRCode: qr("data:image/png;base64,T3ZRUg=="), SelectedChannel: "qrcode"},
			Poll:    &idx.Poll{Required: true, Refresh: 4 * time.Second}}},
		{"enrollment-channel-data-email.json", view{Name: "enrollment-channel-data", Type: "app", Inputs: []string{"email"}, Key: authenticator.OktaVerify,
			Context: &authenticator.ContextualData{SelectedChannel: "email"}}},
		{"challenge-authenticator-okta-verify-totp.json", view{Name: "challenge-authenticator", Type: "app", Inputs: []string{"verificationCode"}, Key: authenticator.OktaVerify}},
		{"enroll-authenticator-webauthn.json", view{Name: "enroll-authenticator", Type: "security_key", Inputs: []string{"clientData", "attestation"}, Key: authenticator.WebAuthn,
			Context: &authenticator.ContextualData{ActivationData: []byte(`{"rp":{"name":"Example"},"user":{"id":"00uExample","name":"jane@example.com","displayName":"Jane"},"challenge":"b3VyQ2hhbGxlbmdl","pubKeyCredParams":[{"type":"public-key","alg":-7}]}`)}}},
		{"challenge-authenticator-webauthn.json", view{Name: "challenge-authenticator", Type: "security_key", Inputs: []string{"clientData", "authenticatorData", "signatureData"}, Key: authenticator.WebAuthn,
			Context: &authenticator.ContextualData{ChallengeData: []byte(`{"challenge":"b3VyVmVyaWZ5","userVerification":"preferred"}`)}}},
		{"authenticator-enrollment-data-phone.json", view{Name: "authenticator-enrollment-data", Type: "phone", Inputs: []string{"methodType", "phoneNumber"},
			Options: []authenticator.Choice{{Label: "SMS", Value: "sms"}, {Label: "Voice call", Value: "voice"}}, Key: authenticator.PhoneNumber}},
		{"enroll-authenticator-security-question.json", view{Name: "enroll-authenticator", Type: "security_question", Inputs: []string{"questionKey", "answer", "question"},
			Options: []authenticator.Choice{{Label: "What is your favorite book?", Value: "favorite_book"}, {Label: "What was the name of your first pet?", Value: "first_pet"}, {Label: "Create my own security question", Value: "custom"}},
			Key:     authenticator.SecurityQuestion,
			Context: &authenticator.ContextualData{QuestionKeys: []string{"favorite_book", "first_pet"}, Questions: []authenticator.Question{{Key: "favorite_book", Text: "What is your favorite book?"}, {Key: "first_pet", Text: "What was the name of your first pet?"}}}}},
		{"challenge-authenticator-security-question-custom.json", view{Name: "challenge-authenticator", Type: "security_question", Inputs: []string{"answer"}, Key: authenticator.SecurityQuestion,
			Context: &authenticator.ContextualData{EnrolledQuestion: &authenticator.Question{Key: "custom", Text: "Which street did you grow up on?"}}}},
		{"reset-authenticator.json", view{Name: "reset-authenticator", Type: "password", Inputs: []string{"newPassword", "revokeSessions"}, Key: authenticator.OktaPassword}},
		{"select-authenticator-unlock-account.json", view{Name: "select-authenticator-unlock-account", Inputs: []string{"username", "authenticator"},
			Options: []authenticator.Choice{{Label: "Email", Value: "okta_email"}, {Label: "Phone", Value: "phone_number"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()
			o := newScriptOrg(t)
			tx, _ := startAt(t, o, o.client(), tc.fixture)
			ns := tx.NextStep
			got := view{Name: ns.Name, Type: ns.Type, Inputs: inputNames(ns), Options: ns.Options, CanResend: ns.CanResend, Poll: ns.Poll}
			if a := ns.Authenticator; a != nil {
				got.Key, got.Context = a.Key, a.Context
			}
			if diff := cmp.Diff(tc.want, got, compactJSON); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSelectEnrollmentChannel(t *testing.T) {
	t.Parallel()
	// select-enrollment-channel's authenticator is an object whose value
	// is a form; channel is its input.
	o := newScriptOrg(t)
	c := o.client()
	tx, _ := startAt(t, o, c, "enroll-poll-okta-verify.json")
	ch := tx.AvailableSteps[1]
	if ch.Name != "select-enrollment-channel" {
		t.Fatalf("steps %v", stepNames(tx))
	}
	if diff := cmp.Diff([]authenticator.Input{{Name: "channel", Type: "string", Options: []authenticator.Choice{{Label: "QRCODE", Value: "qrcode"}, {Label: "EMAIL", Value: "email"}, {Label: "SMS", Value: "sms"}}}}, ch.Inputs); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	o.on("/idp/idx/credential/enroll", ok("enrollment-channel-data-email.json"), ok("enroll-poll-okta-verify.json"))
	tx, err := c.Authenticate(context.Background(), idx.Options{State: tx.State, Channel: "email", Email: "jane@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if tx.NextStep.Name != "enroll-poll" {
		t.Fatalf("next %q", tx.NextStep.Name)
	}
	want := map[string]any{"email": "jane@example.com", "stateHandle": "02ovd.stateHandle-Od1"}
	if diff := cmp.Diff(want, o.last("/idp/idx/credential/enroll").Body); diff != "" {
		t.Errorf("channel data body (-want +got):\n%s", diff)
	}
}

func TestAnswersOfEachAuthenticator(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fixture string
		path    string
		opts    idx.Options
		want    map[string]any
	}{
		{"okta verify code goes to totp", "challenge-authenticator-okta-verify-totp.json", "/idp/idx/challenge/answer",
			idx.Options{VerificationCode: " 123456 "},
			map[string]any{"credentials": map[string]any{"totp": "123456"}, "stateHandle": "02ovt.stateHandle-Ot1"}},
		{"google authenticator enrollment", "enroll-authenticator-google-otp.json", "/idp/idx/challenge/answer",
			idx.Options{VerificationCode: "654321"},
			map[string]any{"credentials": map[string]any{"passcode": "654321"}, "stateHandle": "02gotp.stateHandle-Go1"}},
		{"webauthn enrollment", "enroll-authenticator-webauthn.json", "/idp/idx/challenge/answer",
			idx.Options{WebAuthn: &authenticator.WebAuthnAnswer{ClientData: "Y2Q", Attestation: "YXR0"}},
			map[string]any{"credentials": map[string]any{"clientData": "Y2Q", "attestation": "YXR0"}, "stateHandle": "02wan.stateHandle-Wa1"}},
		{"webauthn verification", "challenge-authenticator-webauthn.json", "/idp/idx/challenge/answer",
			idx.Options{WebAuthn: &authenticator.WebAuthnAnswer{ClientData: "Y2Q", AuthenticatorData: "YWQ", SignatureData: "c2ln"}},
			map[string]any{"credentials": map[string]any{"clientData": "Y2Q", "authenticatorData": "YWQ", "signatureData": "c2ln"}, "stateHandle": "02wav.stateHandle-Wv1"}},
		{"phone enrollment data", "authenticator-enrollment-data-phone.json", "/idp/idx/credential/enroll",
			idx.Options{MethodType: "voice", PhoneNumber: "+15550100"},
			map[string]any{"authenticator": map[string]any{"id": "autPhn00example03", "methodType": "voice", "phoneNumber": "+15550100"}, "stateHandle": "02phn.stateHandle-Ph1"}},
		{"security question enrollment, custom", "enroll-authenticator-security-question.json", "/idp/idx/challenge/answer",
			idx.Options{QuestionKey: "custom", Question: "Name of my first bike?", Answer: "Speedy"},
			map[string]any{"credentials": map[string]any{"questionKey": "custom", "question": "Name of my first bike?", "answer": "Speedy"}, "stateHandle": "02enrSq.stateHandle-Q4q"}},
		{"security question enrollment, predefined", "enroll-authenticator-security-question.json", "/idp/idx/challenge/answer",
			idx.Options{QuestionKey: "first_pet", Answer: "Rex"},
			map[string]any{"credentials": map[string]any{"questionKey": "first_pet", "answer": "Rex"}, "stateHandle": "02enrSq.stateHandle-Q4q"}},
		{"custom question challenge", "challenge-authenticator-security-question-custom.json", "/idp/idx/challenge/answer",
			idx.Options{Answer: "Elm Street"},
			map[string]any{"credentials": map[string]any{"questionKey": "custom", "answer": "Elm Street"}, "stateHandle": "02sqe.stateHandle-Sq1"}},
		{"okta verify channel", "enroll-poll-okta-verify.json", "/idp/idx/credential/enroll",
			idx.Options{Channel: "sms"},
			map[string]any{"authenticator": map[string]any{"id": "autOkv00example08", "channel": "sms"}, "stateHandle": "02ov.stateHandle-Ov1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := newScriptOrg(t)
			c := o.client()
			tx, _ := startAt(t, o, c, tc.fixture)
			o.on(tc.path, ok(terminalDoc("INFO", "done.for.test")))
			tc.opts.State = tx.State
			if _, err := c.Authenticate(context.Background(), tc.opts); err != nil {
				t.Fatal(err)
			}
			r := o.last(tc.path)
			if r == nil {
				t.Fatalf("nothing posted to %s", tc.path)
			}
			if diff := cmp.Diff(tc.want, r.Body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWebAuthnNeedsClientData(t *testing.T) {
	t.Parallel()
	o := newScriptOrg(t)
	_, err := o.client().Authenticate(context.Background(), idx.Options{State: "s", WebAuthn: &authenticator.WebAuthnAnswer{Attestation: "x"}})
	if !errors.Is(err, idx.ErrInvalidInput) {
		t.Errorf("err = %v", err)
	}
}
