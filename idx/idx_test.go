package idx_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
	"github.com/goidx/goidx/internal/testclock"
)

// sharedKey is one signing key for the fake orgs of these tests: an RSA
// key per org would dominate the run time.
var sharedKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// newOrg starts a fake org that is closed when the test ends.
func newOrg(t *testing.T, opts ...idxtest.Option) *idxtest.Server {
	t.Helper()
	return idxtest.New(t, append([]idxtest.Option{idxtest.WithSigningKey(sharedKey())}, opts...)...)
}

func newClient(t *testing.T, srv *idxtest.Server, cfg idx.Config, opts ...idx.ClientOption) *idx.Client {
	t.Helper()
	if cfg.Issuer == "" {
		cfg.Issuer = srv.Issuer()
	}
	if cfg.ClientID == "" {
		cfg.ClientID = idxtest.PublicClientID
	}
	if cfg.RedirectURI == "" {
		cfg.RedirectURI = idxtest.DefaultRedirectURI
	}
	c, err := idx.NewClient(cfg, append([]idx.ClientOption{idx.WithInsecureLoopbackHTTP()}, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// stepView is the part of a transaction the flow tests compare.
type stepView struct {
	Status    idx.Status
	Step      string
	Type      string
	Inputs    []string
	Options   []authenticator.Choice
	Key       authenticator.Key
	CanResend bool
	Messages  []string
}

func view(tx *idx.Transaction) stepView {
	v := stepView{Status: tx.Status}
	if s := tx.NextStep; s != nil {
		v.Step, v.Type, v.Options, v.CanResend = s.Name, s.Type, s.Options, s.CanResend
		for _, in := range s.Inputs {
			v.Inputs = append(v.Inputs, in.Name)
		}
		if s.Authenticator != nil {
			v.Key = s.Authenticator.Key
		}
	}
	for _, m := range tx.Messages {
		v.Messages = append(v.Messages, m.Class+" "+m.Key+" "+m.Field)
	}
	return v
}

var (
	selectEmail = stepView{
		Status:  idx.StatusPending,
		Step:    "select-authenticator-authenticate",
		Inputs:  []string{"authenticator"},
		Options: []authenticator.Choice{{Label: "Email", Value: "okta_email"}},
	}
	challengeEmail = stepView{
		Status:    idx.StatusPending,
		Step:      "challenge-authenticator",
		Type:      "email",
		Inputs:    []string{"verificationCode"},
		Key:       authenticator.OktaEmail,
		CanResend: true,
	}
)

func mustAuthenticate(t *testing.T, c *idx.Client, opts idx.Options, want stepView) *idx.Transaction {
	t.Helper()
	tx, err := c.Authenticate(t.Context(), opts)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if diff := cmp.Diff(want, view(tx)); diff != "" {
		t.Fatalf("transaction mismatch (-want +got):\n%s", diff)
	}
	return tx
}

// lastCode returns the newest code srv sent to to, failing the test when it
// sent none.
func lastCode(t testing.TB, srv *idxtest.Server, to string) string {
	t.Helper()
	c, ok := srv.LastCode(to)
	if !ok {
		t.Fatalf("no message sent to %s", to)
	}
	return c
}

func TestSeedFlow(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{Scopes: []string{"openid", "profile", "email", "offline_access"}})

	tx := mustAuthenticate(t, c, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	state := tx.State
	if state == "" {
		t.Fatal("pending transaction has no State")
	}
	tx = mustAuthenticate(t, c, idx.Options{State: state, Authenticator: authenticator.OktaEmail}, challengeEmail)
	if tx.State != state {
		t.Errorf("State changed within the transaction")
	}
	if got := tx.NextStep.Authenticator.Profile["email"]; got == "" {
		t.Errorf("challenge step has no (masked) email in the authenticator profile")
	}
	tx = mustAuthenticate(t, c, idx.Options{State: state, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)},
		stepView{Status: idx.StatusSuccess})

	tok := tx.Tokens
	if tok == nil || tok.AccessToken == "" || tok.IDToken == "" || tok.RefreshToken == "" {
		t.Fatalf("tokens missing: access %t, id %t, refresh %t", tok != nil && tok.AccessToken != "", tok != nil && tok.IDToken != "", tok != nil && tok.RefreshToken != "")
	}
	if tok.IDTokenClaims == nil || tok.IDTokenClaims.Issuer != srv.Issuer() || tok.IDTokenClaims.Subject == "" {
		t.Fatalf("ID token claims not verified: %+v", tok.IDTokenClaims)
	}
	if !tok.Expiry.After(time.Now()) {
		t.Errorf("access token expiry %v is not in the future", tok.Expiry)
	}
	info, err := c.UserInfo(t.Context(), tok)
	if err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if diff := cmp.Diff([]string{tok.IDTokenClaims.Subject, idxtest.DemoUsername, "Demo User"}, []string{info.Subject, info.Email, info.Name}); diff != "" {
		t.Errorf("userinfo mismatch (-want +got):\n%s", diff)
	}
	saved, err := c.Tokens(t.Context(), state)
	if err != nil || saved.AccessToken != tok.AccessToken {
		t.Errorf("Tokens(state) = %v, %v; want the sign-in's tokens", saved, err)
	}
	if _, err := c.Authenticate(t.Context(), idx.Options{State: state}); !errors.Is(err, idx.ErrTransactionNotFound) {
		t.Errorf("a finished transaction resumed: err = %v, want ErrTransactionNotFound", err)
	}

	// The protocol minimum: no introspect after a step, no discovery or
	// keys beyond the first verification.
	wantLog := []string{
		"POST /oauth2/default/v1/interact",
		"POST /idp/idx/introspect",
		"POST /idp/idx/identify",
		"POST /idp/idx/challenge",
		"POST /idp/idx/challenge",
		"POST /idp/idx/challenge/answer",
		"POST /oauth2/default/v1/token",
		"GET /oauth2/default/.well-known/openid-configuration",
		"GET /oauth2/default/v1/keys",
		"GET /oauth2/default/v1/userinfo",
	}
	if diff := cmp.Diff(wantLog, srv.RequestLog()); diff != "" {
		t.Errorf("request sequence mismatch (-want +got):\n%s", diff)
	}
}

func TestWrongCodeThenRightCode(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	tx := mustAuthenticate(t, c, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	tx = mustAuthenticate(t, c, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}, challengeEmail)
	good := lastCode(t, srv, idxtest.DemoUsername)
	wrong := "000000"
	if good == wrong {
		wrong = "111111"
	}
	srv.ResetRequestLog()
	want := challengeEmail
	want.Messages = []string{"ERROR api.authn.error.PASSCODE_INVALID verificationCode"}
	bad := mustAuthenticate(t, c, idx.Options{State: tx.State, VerificationCode: wrong}, want)
	if !errors.Is(bad.Rejection, idx.ErrInvalidPasscode) {
		t.Errorf("Rejection = %v; want one matching ErrInvalidPasscode", bad.Rejection)
	}
	var rej *idx.RejectionError
	if !errors.As(bad.Rejection, &rej) || rej.StatusCode != 401 {
		t.Errorf("Rejection = %#v; want *RejectionError with HTTP 401", bad.Rejection)
	}
	if diff := cmp.Diff([]string{"POST /idp/idx/challenge/answer"}, srv.RequestLog()); diff != "" {
		t.Errorf("a wrong code must cost one request (-want +got):\n%s", diff)
	}
	ok := mustAuthenticate(t, c, idx.Options{State: tx.State, VerificationCode: good}, stepView{Status: idx.StatusSuccess})
	if ok.Rejection != nil {
		t.Errorf("success carries a rejection: %v", ok.Rejection)
	}
}

func TestWrongPassword(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	for _, tc := range []struct{ name, user, pass string }{
		{"wrong password", idxtest.DemoUsername, "not-the-password"},
		{"unknown user", "nobody@example.com", "whatever"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := c.Authenticate(t.Context(), idx.Options{Username: tc.user, Password: tc.pass})
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if tx.Status != idx.StatusPending || tx.NextStep.Name != "identify" {
				t.Fatalf("got %v; want PENDING identify", tx)
			}
			if !errors.Is(tx.Rejection, idx.ErrInvalidCredentials) {
				t.Errorf("Rejection = %v; want ErrInvalidCredentials", tx.Rejection)
			}
			// The caller can try again on the same transaction.
			tx, err = c.Authenticate(t.Context(), idx.Options{State: tx.State, Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
			if err != nil || view(tx).Step != selectEmail.Step {
				t.Fatalf("retry with the right password: %v, %v", tx, err)
			}
		})
	}
}

func TestResend(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	tx := mustAuthenticate(t, c, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	tx = mustAuthenticate(t, c, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}, challengeEmail)
	first := lastCode(t, srv, idxtest.DemoUsername)
	sent := len(srv.Outbox())

	tx, err := c.Resend(t.Context(), tx.State)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(challengeEmail, view(tx)); diff != "" {
		t.Fatalf("after Resend (-want +got):\n%s", diff)
	}
	if got := len(srv.Outbox()); got != sent+1 {
		t.Fatalf("outbox has %d emails after resend; want %d", got, sent+1)
	}
	if _, err := c.Resend(t.Context(), tx.State); err != nil {
		t.Fatalf("Resend: %v", err)
	}
	second := lastCode(t, srv, idxtest.DemoUsername)
	if first != second {
		want := challengeEmail
		want.Messages = []string{"ERROR api.authn.error.PASSCODE_INVALID verificationCode"}
		mustAuthenticate(t, c, idx.Options{State: tx.State, VerificationCode: first}, want)
	}
	mustAuthenticate(t, c, idx.Options{State: tx.State, VerificationCode: second}, stepView{Status: idx.StatusSuccess})
}

func TestResendWithoutChallenge(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	tx := mustAuthenticate(t, c, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	if _, err := c.Resend(t.Context(), tx.State); !errors.Is(err, idx.ErrCannotResend) {
		t.Errorf("Resend at the select step: err = %v; want ErrCannotResend", err)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	tx := mustAuthenticate(t, c, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	srv.ResetRequestLog()
	got, err := c.Cancel(t.Context(), tx.State)
	if err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if got.Status != idx.StatusCanceled {
		t.Errorf("Status = %s; want CANCELED", got.Status)
	}
	if diff := cmp.Diff([]string{"POST /idp/idx/cancel"}, srv.RequestLog()); diff != "" {
		t.Errorf("cancel requests (-want +got):\n%s", diff)
	}
	if _, err := c.Authenticate(t.Context(), idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}); !errors.Is(err, idx.ErrTransactionNotFound) {
		t.Errorf("canceled transaction resumed: err = %v", err)
	}
}

func TestUnknownState(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	for _, call := range []struct {
		name string
		f    func() error
	}{
		{"Authenticate", func() error {
			_, err := c.Authenticate(t.Context(), idx.Options{State: "no-such-state", VerificationCode: "123456"})
			return err
		}},
		{"Cancel", func() error { _, err := c.Cancel(t.Context(), "no-such-state"); return err }},
		{"Resend", func() error { _, err := c.Resend(t.Context(), "no-such-state"); return err }},
	} {
		t.Run(call.name, func(t *testing.T) {
			if err := call.f(); !errors.Is(err, idx.ErrTransactionNotFound) {
				t.Errorf("err = %v; want ErrTransactionNotFound", err)
			}
		})
	}
	if n := len(srv.RequestLog()); n != 0 {
		t.Errorf("unknown State caused %d requests", n)
	}
}

func TestExpiredTransaction(t *testing.T) {
	t.Parallel()
	t.Run("known locally", func(t *testing.T) {
		t.Parallel()
		clk := testclock.New(time.Now())
		srv := newOrg(t, idxtest.WithClock(clk.Now), idxtest.WithTransactionLifetime(10*time.Minute))
		c := newClient(t, srv, idx.Config{}, idx.WithClock(clk.Now))
		tx := mustAuthenticate(t, c, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
		clk.Advance(11 * time.Minute)
		srv.ResetRequestLog()
		_, err := c.Authenticate(t.Context(), idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
		if !errors.Is(err, idx.ErrTransactionExpired) {
			t.Fatalf("err = %v; want ErrTransactionExpired", err)
		}
		if n := len(srv.RequestLog()); n != 0 {
			t.Errorf("an expired transaction cost %d requests; want none", n)
		}
		if _, err := c.Authenticate(t.Context(), idx.Options{State: tx.State}); !errors.Is(err, idx.ErrTransactionNotFound) {
			t.Errorf("after expiry: err = %v; want ErrTransactionNotFound", err)
		}
	})
	t.Run("told by the server", func(t *testing.T) {
		t.Parallel()
		clk := testclock.New(time.Now())
		srv := newOrg(t, idxtest.WithClock(clk.Now), idxtest.WithTransactionLifetime(10*time.Minute))
		c := newClient(t, srv, idx.Config{}) // the client's clock lags the server's
		tx := mustAuthenticate(t, c, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
		clk.Advance(11 * time.Minute)
		_, err := c.Authenticate(t.Context(), idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
		if !errors.Is(err, idx.ErrTransactionExpired) {
			t.Fatalf("err = %v; want ErrTransactionExpired", err)
		}
	})
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	pending := mustAuthenticate(t, c, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	for _, tc := range []struct {
		name string
		opts idx.Options
		want error
	}{
		{"empty username with password", idx.Options{Password: "secret"}, idx.ErrInvalidInput},
		{"blank username", idx.Options{Username: "   ", Password: "secret"}, idx.ErrInvalidInput},
		{"values without step", idx.Options{Values: map[string]any{"x": 1}}, idx.ErrInvalidInput},
		{"unknown authenticator key", idx.Options{State: pending.State, Authenticator: "no_such_key"}, idx.ErrUnknownAuthenticator},
		{"authenticator not offered", idx.Options{State: pending.State, Authenticator: authenticator.PhoneNumber}, idx.ErrUnknownAuthenticator},
		{"unknown step", idx.Options{State: pending.State, Step: "no-such-step", Values: map[string]any{"a": "b"}}, idx.ErrUnknownStep},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := c.Authenticate(t.Context(), tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v (tx %v); want %v", err, tx, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error repeats the password: %q", err)
			}
		})
	}
	var ie *idx.InputError
	_, err := c.Authenticate(t.Context(), idx.Options{State: pending.State, Authenticator: "no_such_key"})
	if !errors.As(err, &ie) || ie.Field != "Authenticator" || !errors.Is(err, idx.ErrUnknownAuthenticator) || !strings.HasSuffix(ie.Reason, "(offered: okta_email)") {
		t.Errorf("err = %v; want an *InputError offering okta_email", err)
	}
	// The bad calls left the transaction as it was.
	mustAuthenticate(t, c, idx.Options{State: pending.State, Authenticator: authenticator.OktaEmail}, challengeEmail)
}

func TestNewClientRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  idx.Config
		opts []idx.ClientOption
	}{
		{"no issuer", idx.Config{ClientID: "x", RedirectURI: "http://localhost/cb"}, nil},
		{"http issuer", idx.Config{Issuer: "http://example.okta.com", ClientID: "x", RedirectURI: "http://localhost/cb"}, nil},
		{"http non-loopback even with the option", idx.Config{Issuer: "http://example.okta.com", ClientID: "x", RedirectURI: "http://localhost/cb"}, []idx.ClientOption{idx.WithInsecureLoopbackHTTP()}},
		{"issuer with query", idx.Config{Issuer: "https://example.okta.com/oauth2/default?x=1", ClientID: "x", RedirectURI: "http://localhost/cb"}, nil},
		{"no client id", idx.Config{Issuer: "https://example.okta.com", RedirectURI: "http://localhost/cb"}, nil},
		{"no redirect uri", idx.Config{Issuer: "https://example.okta.com", ClientID: "x"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := idx.NewClient(tc.cfg, tc.opts...); !errors.Is(err, idx.ErrInvalidInput) {
				t.Errorf("err = %v; want ErrInvalidInput", err)
			}
		})
	}
}

func TestConfidentialClient(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	for _, tc := range []struct {
		name string
		post bool
	}{{"client_secret_basic", false}, {"client_secret_post", true}} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, srv, idx.Config{ClientID: idxtest.ConfidentialClientID, ClientSecret: idxtest.ConfidentialClientSecret, ClientSecretPost: tc.post})
			signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
		})
	}
	t.Run("wrong secret", func(t *testing.T) {
		c := newClient(t, srv, idx.Config{ClientID: idxtest.ConfidentialClientID, ClientSecret: "wrong-secret"})
		_, err := c.Authenticate(t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
		var oe *idx.OAuthError
		if !errors.As(err, &oe) || oe.Code != "invalid_client" {
			t.Fatalf("err = %v; want *OAuthError invalid_client", err)
		}
		if strings.Contains(err.Error(), "wrong-secret") {
			t.Errorf("error repeats the secret: %q", err)
		}
	})
}

// signIn runs the seed flow and returns the tokens.
func signIn(t *testing.T, c *idx.Client, srv *idxtest.Server, user, pass string) *idx.Tokens {
	t.Helper()
	tok, err := trySignIn(t.Context(), c, srv, user, pass)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// trySignIn runs the seed flow; it may be called from any goroutine.
func trySignIn(ctx context.Context, c *idx.Client, srv *idxtest.Server, user, pass string) (*idx.Tokens, error) {
	tx, err := c.Authenticate(ctx, idx.Options{Username: user, Password: pass})
	if err != nil {
		return nil, fmt.Errorf("identify: %w", err)
	}
	tx, err = c.Authenticate(ctx, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
	if err != nil {
		return nil, fmt.Errorf("select: %w", err)
	}
	code, ok := srv.LastCode(user)
	if !ok {
		return nil, fmt.Errorf("no code for %s", user)
	}
	tx, err = c.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: code})
	if err != nil {
		return nil, fmt.Errorf("answer: %w", err)
	}
	if tx.Status != idx.StatusSuccess {
		return nil, fmt.Errorf("status %s, step %v, messages %v", tx.Status, tx.NextStep, tx.Messages)
	}
	return tx.Tokens, nil
}

func TestResumeFromSharedStore(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	store := idx.NewMemoryTransactionStore(0, nil)
	a := newClient(t, srv, idx.Config{}, idx.WithTransactionStore(store))
	b := newClient(t, srv, idx.Config{}, idx.WithTransactionStore(store))
	tx := mustAuthenticate(t, a, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	srv.ResetRequestLog()
	mustAuthenticate(t, b, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}, challengeEmail)
	want := []string{"POST /idp/idx/challenge", "POST /idp/idx/challenge"}
	if diff := cmp.Diff(want, srv.RequestLog()); diff != "" {
		t.Errorf("resuming from the store re-introspected (-want +got):\n%s", diff)
	}
	mustAuthenticate(t, a, idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)}, stepView{Status: idx.StatusSuccess})
}

func TestConcurrentSignIns(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	const n = 24
	subs := make(map[string]string)
	for i := range n {
		u := idxtest.User{Username: fmt.Sprintf("user%02d@example.com", i), Password: fmt.Sprintf("Passw0rd-%02d!", i)}
		if err := srv.AddUser(u); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := fmt.Sprintf("user%02d@example.com", i)
			tok, err := trySignIn(t.Context(), c, srv, user, fmt.Sprintf("Passw0rd-%02d!", i))
			if err != nil {
				t.Errorf("%s: %v", user, err)
				return
			}
			info, err := c.UserInfo(t.Context(), tok)
			if err != nil {
				t.Errorf("UserInfo: %v", err)
				return
			}
			if info.Email != user {
				t.Errorf("user %s got the tokens of %s", user, info.Email)
			}
			mu.Lock()
			subs[tok.IDTokenClaims.Subject] = user
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(subs) != n {
		t.Errorf("%d distinct subjects for %d users", len(subs), n)
	}
}

func TestNoSecretsInLogsOrErrors(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	const pass = "Canary-Passw0rd-7f3a!"
	if err := srv.AddUser(idxtest.User{Username: "canary@example.com", Password: pass}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, srv, idx.Config{ClientID: idxtest.ConfidentialClientID, ClientSecret: idxtest.ConfidentialClientSecret}, idx.WithLogger(logger))

	ctx := t.Context()
	tx, err := c.Authenticate(ctx, idx.Options{Username: "canary@example.com", Password: pass})
	if err != nil {
		t.Fatal(err)
	}
	state := tx.State
	_, err = c.Authenticate(ctx, idx.Options{State: state, Authenticator: authenticator.OktaEmail})
	if err != nil {
		t.Fatal(err)
	}
	code, _ := srv.LastCode("canary@example.com")
	bad, err := c.Authenticate(ctx, idx.Options{State: state, VerificationCode: "999999x"})
	if err != nil {
		t.Fatal(err)
	}
	tx, err = c.Authenticate(ctx, idx.Options{State: state, VerificationCode: code})
	if err != nil || tx.Status != idx.StatusSuccess {
		t.Fatalf("sign-in: %v %v", tx, err)
	}
	if logs.Len() == 0 {
		t.Fatal("debug logger got nothing; the test would prove nothing")
	}
	printed := logs.String() + fmt.Sprintf("%v %+v %#v %v %+v %s %v", tx, tx, tx, tx.Tokens, tx.Tokens, tx.Tokens.AccessToken, bad.Rejection)
	for name, secret := range map[string]string{
		"password": pass, "code": code, "client secret": idxtest.ConfidentialClientSecret,
		"access token": string(tx.Tokens.AccessToken), "id token": string(tx.Tokens.IDToken), "state": state,
	} {
		if strings.Contains(printed, secret) {
			t.Errorf("the %s appears in logs or printed values", name)
		}
	}
}

func TestContextCanceled(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
}

func TestAnswerStepByNameWithRawValues(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	tx := mustAuthenticate(t, c, idx.Options{}, stepView{
		Status: idx.StatusPending,
		Step:   "identify",
		Inputs: []string{"username", "password", "rememberMe"},
	})
	for _, in := range tx.NextStep.Inputs {
		if in.Name == "password" && !in.Secret {
			t.Errorf("password input not marked secret")
		}
	}
	// Raw values by dotted form path and by input name, for the named step.
	tx = mustAuthenticate(t, c, idx.Options{State: tx.State, Step: "identify", Values: map[string]any{
		"identifier":  idxtest.DemoUsername,
		"credentials": map[string]any{"passcode": idxtest.DemoPassword},
	}}, selectEmail)
	// The same by dotted path, on a new transaction.
	mustAuthenticate(t, c, idx.Options{Step: "identify", Values: map[string]any{
		"identifier":           idxtest.DemoUsername,
		"credentials.passcode": idxtest.DemoPassword,
	}}, selectEmail)
	// A raw nested value for a field the form lacks is refused before
	// anything is sent.
	srv.ResetRequestLog()
	_, err := c.Authenticate(t.Context(), idx.Options{State: tx.State, Step: "select-authenticator-authenticate", Values: map[string]any{"bogus": "x"}})
	if !errors.Is(err, idx.ErrInvalidInput) {
		t.Errorf("unknown field: err = %v; want ErrInvalidInput", err)
	}
	if n := len(srv.RequestLog()); n != 0 {
		t.Errorf("a refused answer sent %d requests", n)
	}
}

func TestWithoutVerificationDataStep(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithEmailVerificationData(false))
	c := newClient(t, srv, idx.Config{})
	tx := mustAuthenticate(t, c, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	srv.ResetRequestLog()
	mustAuthenticate(t, c, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}, challengeEmail)
	if diff := cmp.Diff([]string{"POST /idp/idx/challenge"}, srv.RequestLog()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestAllValuesUpFront(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	// Username, password and authenticator in one call: the call answers
	// identify, the selection and the verification data, and stops at the
	// code it cannot know yet.
	mustAuthenticate(t, c, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword, Authenticator: authenticator.OktaEmail}, challengeEmail)
	if _, ok := srv.LastCode(idxtest.DemoUsername); !ok {
		t.Error("no email sent")
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	for _, cfg := range []idx.Config{
		{ClientID: idxtest.PublicClientID},
		{ClientID: idxtest.ConfidentialClientID, ClientSecret: idxtest.ConfidentialClientSecret},
	} {
		t.Run(cfg.ClientID, func(t *testing.T) {
			c := newClient(t, srv, idx.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: []string{"openid", "profile", "email", "offline_access"}})
			ctx := t.Context()
			tx, err := c.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword, Authenticator: authenticator.OktaEmail})
			if err != nil {
				t.Fatal(err)
			}
			state := tx.State
			tx, err = c.Authenticate(ctx, idx.Options{State: state, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)})
			if err != nil || tx.Status != idx.StatusSuccess {
				t.Fatalf("sign-in: %v %v", tx, err)
			}
			if _, err := c.UserInfo(ctx, tx.Tokens); err != nil {
				t.Fatalf("UserInfo before revoke: %v", err)
			}
			if err := c.Revoke(ctx, state, tx.Tokens); err != nil {
				t.Fatalf("Revoke: %v", err)
			}
			var oe *idx.OAuthError
			if _, err := c.UserInfo(ctx, tx.Tokens); !errors.As(err, &oe) || oe.StatusCode != 401 {
				t.Errorf("UserInfo after revoke: err = %v; want a 401 *OAuthError", err)
			}
			if _, err := c.Tokens(ctx, state); !errors.Is(err, idx.ErrTokensNotFound) {
				t.Errorf("tokens still stored after Revoke: %v", err)
			}
			if err := c.Revoke(ctx, "", tx.Tokens); err != nil {
				t.Errorf("revoking again: %v", err)
			}
		})
	}
}

// staleStore serves a snapshot taken earlier on Load, as a second app
// instance would after losing a race with the first.
type staleStore struct {
	idx.TransactionStore
	snapshot *idx.SavedTransaction
}

func (s *staleStore) Load(context.Context, string) (*idx.SavedTransaction, error) {
	c := *s.snapshot
	return &c, nil
}

func TestDoubleSubmitDoesNotLoseAnUpdate(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	store := idx.NewMemoryTransactionStore(0, nil)
	a := newClient(t, srv, idx.Config{}, idx.WithTransactionStore(store))
	tx := mustAuthenticate(t, a, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	snapshot, err := store.Load(t.Context(), tx.State)
	if err != nil {
		t.Fatal(err)
	}
	// The first submission wins and is saved.
	mustAuthenticate(t, a, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}, challengeEmail)
	// The second, working from the same loaded version, is told it lost.
	b := newClient(t, srv, idx.Config{}, idx.WithTransactionStore(&staleStore{TransactionStore: store, snapshot: snapshot}))
	if _, err := b.Authenticate(t.Context(), idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}); !errors.Is(err, idx.ErrTransactionConflict) {
		t.Fatalf("err = %v; want ErrTransactionConflict", err)
	}
	// The winner's state is intact: the code step goes on.
	mustAuthenticate(t, a, idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)}, stepView{Status: idx.StatusSuccess})
}
