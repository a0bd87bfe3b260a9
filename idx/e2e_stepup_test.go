package idx_test

import (
	"errors"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
	"github.com/goidx/goidx/internal/testclock"
)

// stepUpOrg is an org whose policy lets a password alone through, so that
// acr_values is what asks for the second factor.
func stepUpOrg(t *testing.T, name string, opts ...idxtest.Option) *e2eRun {
	t.Helper()
	return newE2E(t, e2eUser(name, nil), append([]idxtest.Option{idxtest.WithPolicy(idxtest.Policy{Factors: 1}), idxtest.WithRequestRecording()}, opts...)...)
}

// interactForm returns the form of the last interact request.
func interactForm(t *testing.T, srv *idxtest.Server) url.Values {
	t.Helper()
	var last *idxtest.RecordedRequest
	for _, r := range srv.Requests() {
		if r.Path == "/oauth2/default/v1/interact" {
			last = &r
		}
	}
	if last == nil {
		t.Fatal("no interact request recorded")
	}
	v, err := url.ParseQuery(string(last.Body))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestE2EStepUp(t *testing.T) {
	t.Parallel()

	t.Run("two factors asked, two verified", func(t *testing.T) {
		t.Parallel()
		r := stepUpOrg(t, "stepup-2fa")
		// Without acr_values the policy's one factor does.
		r.do(r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password}))
		r.wantSteps("SUCCESS")
		if acr := r.tx.Tokens.IDTokenClaims.ACR(); acr != "" {
			t.Errorf("ACR() = %q without acr_values, want none", acr)
		}

		r.steps = nil
		r.do(r.c.Start(t.Context(), idx.StartOptions{
			ACRValues: []string{idx.ACRTwoFactors}, MaxAge: 10 * time.Minute, LoginHint: r.user.Username,
		}))
		r.proceed(idx.Options{Username: r.user.Username, Password: r.user.Password})
		form := interactForm(t, r.srv)
		for k, want := range map[string]string{"acr_values": idx.ACRTwoFactors, "max_age": "600", "login_hint": r.user.Username} {
			if got := form.Get(k); got != want {
				t.Errorf("interact %s = %q, want %q", k, got, want)
			}
		}
		r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
		r.proceed(idx.Options{VerificationCode: lastCode(r.t, r.srv, r.user.Username)})
		r.wantSteps("identify", "select-authenticator-authenticate [okta_email]", "challenge-authenticator/okta_email", "SUCCESS")
		c := r.tx.Tokens.IDTokenClaims
		if c.ACR() != idx.ACRTwoFactors {
			t.Errorf("ACR() = %q, want %q", c.ACR(), idx.ACRTwoFactors)
		}
		if diff := cmp.Diff([]string{"pwd", "email"}, c.AMR()); diff != "" {
			t.Errorf("AMR() (-want +got):\n%s", diff)
		}
		if d := time.Since(c.AuthTime); d < -time.Minute || d > time.Minute {
			t.Errorf("AuthTime %v is not now", c.AuthTime)
		}
	})

	t.Run("a start with hints costs no request", func(t *testing.T) {
		t.Parallel()
		// Start, then the answers with its State, sends what one
		// Authenticate starting the transaction sends.
		r := stepUpOrg(t, "stepup-start")
		r.do(r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password}))
		plain := r.srv.RequestCounts()
		r2 := stepUpOrg(t, "stepup-start2")
		r2.do(r2.c.Start(t.Context(), idx.StartOptions{LoginHint: r2.user.Username}))
		r2.proceed(idx.Options{Username: r2.user.Username, Password: r2.user.Password})
		if diff := cmp.Diff(plain, r2.srv.RequestCounts()); diff != "" {
			t.Errorf("request counts (-Authenticate +Start and Authenticate):\n%s", diff)
		}
	})

	t.Run("the org refuses an unknown class", func(t *testing.T) {
		t.Parallel()
		r := stepUpOrg(t, "stepup-unknown")
		_, err := r.c.Start(t.Context(), idx.StartOptions{ACRValues: []string{"urn:example:loa:9"}})
		var oe *idx.OAuthError
		if !errors.As(err, &oe) || oe.Code != "invalid_request" {
			t.Fatalf("err = %v, want an *OAuthError invalid_request", err)
		}
	})

	t.Run("wrong acr refused", func(t *testing.T) {
		t.Parallel()
		r := stepUpOrg(t, "stepup-wrongacr")
		r.srv.TamperIDTokens(func(c map[string]any) { c["acr"] = "urn:okta:loa:1fa:any" })
		r.do(r.c.Start(t.Context(), idx.StartOptions{ACRValues: []string{idx.ACRTwoFactors}}))
		tx := r.proceed(idx.Options{Username: r.user.Username, Password: r.user.Password, Authenticator: authenticator.OktaEmail})
		_, err := r.c.Authenticate(t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(r.t, r.srv, r.user.Username)})
		if !errors.Is(err, idx.ErrACRNotMet) || !errors.Is(err, idx.ErrInvalidIDToken) || !strings.HasPrefix(err.Error(), "idx: ID token acr: ") {
			t.Fatalf("err = %v, want ErrACRNotMet on acr", err)
		}
		if _, err := r.c.Tokens(t.Context(), tx.State); !errors.Is(err, idx.ErrTokensNotFound) {
			t.Errorf("Tokens after a refused ID token: err = %v, want ErrTokensNotFound", err)
		}
	})

	t.Run("single method for two factors refused", func(t *testing.T) {
		t.Parallel()
		r := stepUpOrg(t, "stepup-wrongamr")
		r.srv.TamperIDTokens(func(c map[string]any) { c["amr"] = []string{"pwd"} })
		r.do(r.c.Start(t.Context(), idx.StartOptions{ACRValues: []string{idx.ACRTwoFactors}}))
		tx := r.proceed(idx.Options{Username: r.user.Username, Password: r.user.Password, Authenticator: authenticator.OktaEmail})
		_, err := r.c.Authenticate(t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(r.t, r.srv, r.user.Username)})
		if !errors.Is(err, idx.ErrACRNotMet) || !strings.HasPrefix(err.Error(), "idx: ID token amr: ") {
			t.Fatalf("err = %v, want ErrACRNotMet on amr", err)
		}
	})

	t.Run("old auth_time refused", func(t *testing.T) {
		t.Parallel()
		r := stepUpOrg(t, "stepup-oldauth")
		r.srv.TamperIDTokens(func(c map[string]any) { c["auth_time"] = time.Now().Add(-time.Hour).Unix() })
		tx := r.do(r.c.Start(t.Context(), idx.StartOptions{MaxAge: 5 * time.Minute}))
		_, err := r.c.Authenticate(t.Context(), idx.Options{State: tx.State, Username: r.user.Username, Password: r.user.Password})
		if !errors.Is(err, idx.ErrAuthTooOld) || !errors.Is(err, idx.ErrInvalidIDToken) || !strings.HasPrefix(err.Error(), "idx: ID token auth_time: ") {
			t.Fatalf("err = %v, want ErrAuthTooOld on auth_time", err)
		}
		// The same token without MaxAge is fine: nothing was asked.
		r.do(r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password}))
		r.wantSteps("identify", "SUCCESS")
	})
}

// sessionClient is a client of r's org that keeps the org's cookies, as a
// browser does, and whose clock a test moves.
type sessionClient struct {
	c   *idx.Client
	clk *testclock.Clock
}

// newSessionRun is an org with a clock a test moves, and a client of it
// with a cookie jar on the same clock.
func newSessionRun(t *testing.T, name string) (*e2eRun, *sessionClient) {
	t.Helper()
	sc := &sessionClient{clk: testclock.New(time.Now())}
	r := stepUpOrg(t, name, idxtest.WithClock(sc.clk.Now))
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := *r.srv.Client()
	hc.Jar = jar
	sc.c, err = idx.NewClient(idx.Config{
		Issuer: r.srv.Issuer(), ClientID: idxtest.PublicClientID, RedirectURI: idxtest.DefaultRedirectURI,
	}, idx.WithInsecureLoopbackHTTP(), idx.WithHTTPClient(&hc), idx.WithClock(sc.clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	r.c = sc.c
	return r, sc
}

// TestE2ESessionStepUp runs step-up within the org's session, as a client
// that keeps the org's cookie (a browser) sees it: the session signs in
// again without a question, acr_values asks for the second factor only,
// and max_age and prompt=login set the session aside.
func TestE2ESessionStepUp(t *testing.T) {
	t.Parallel()
	r, sc := newSessionRun(t, "session")
	ctx := t.Context()
	r.do(r.c.Authenticate(ctx, idx.Options{Username: r.user.Username, Password: r.user.Password}))
	first := r.tx.Tokens.IDTokenClaims.AuthTime

	sc.clk.Advance(10 * time.Minute)
	r.do(r.c.Start(ctx, idx.StartOptions{}))
	if got := r.tx.Tokens.IDTokenClaims.AuthTime; !got.Equal(first) {
		t.Errorf("session sign-in: AuthTime %v, want the session's %v", got, first)
	}

	r.do(r.c.Start(ctx, idx.StartOptions{ACRValues: []string{idx.ACRTwoFactors}}))
	r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
	r.proceed(idx.Options{VerificationCode: lastCode(r.t, r.srv, r.user.Username)})
	stepped := r.tx.Tokens.IDTokenClaims
	if stepped.ACR() != idx.ACRTwoFactors || !stepped.AuthTime.After(first) || !slices.Contains(stepped.AMR(), "email") {
		t.Errorf("step-up: acr %q, auth_time %v (first %v), amr %v", stepped.ACR(), stepped.AuthTime, first, stepped.AMR())
	}

	sc.clk.Advance(10 * time.Minute)
	r.do(r.c.Start(ctx, idx.StartOptions{MaxAge: 5 * time.Minute}))
	r.proceed(idx.Options{Username: r.user.Username, Password: r.user.Password})
	r.do(r.c.Start(ctx, idx.StartOptions{PromptLogin: true}))
	r.proceed(idx.Options{Username: r.user.Username, Password: r.user.Password})
	r.do(r.c.Start(ctx, idx.StartOptions{MaxAge: time.Hour}))
	r.wantSteps("SUCCESS", "SUCCESS", "select-authenticator-authenticate [okta_email]", "challenge-authenticator/okta_email", "SUCCESS",
		"identify", "SUCCESS", "identify", "SUCCESS", "SUCCESS")

	// An org that answers prompt=login with the session's old auth_time
	// is caught.
	old := r.tx.Tokens.IDTokenClaims.AuthTime
	r.srv.TamperIDTokens(func(c map[string]any) { c["auth_time"] = old.Add(-time.Hour).Unix() })
	tx := r.do(r.c.Start(ctx, idx.StartOptions{PromptLogin: true}))
	_, err := r.c.Authenticate(ctx, idx.Options{State: tx.State, Username: r.user.Username, Password: r.user.Password})
	if !errors.Is(err, idx.ErrAuthTooOld) {
		t.Errorf("prompt=login with an old auth_time: err = %v, want ErrAuthTooOld", err)
	}
}

// TestE2EOAuthState: the app's own OAuth state goes to interact, comes
// back on the identity provider's redirect, and a callback without it is
// refused.
func TestE2EOAuthState(t *testing.T) {
	t.Parallel()
	user := e2eUser("oauthstate", nil)
	r := newE2E(t, user, idxtest.WithPolicy(idxtest.Policy{Factors: 1, IdPs: []idxtest.IdP{
		{ID: "0oaE2eStateIdP", Type: "GOOGLE", Name: "Google", Username: user.Username},
	}}), idxtest.WithRequestRecording())
	const appState = "app-session-7f3c9a1e5b"
	tx := r.do(r.c.Start(t.Context(), idx.StartOptions{OAuthState: appState}))
	if got := interactForm(t, r.srv).Get("state"); got != appState {
		t.Errorf("interact state = %q, want the app's", got)
	}
	back := follow(t, r.srv, idpStep(t, tx, "Google").Href)
	cb, err := idx.ParseCallbackURL(back)
	if err != nil {
		t.Fatal(err)
	}
	if cb.State != appState {
		t.Errorf("callback state = %q, want %q", cb.State, appState)
	}
	forged, _ := url.Parse(back)
	q := forged.Query()
	q.Set("state", "app-session-forged")
	forged.RawQuery = q.Encode()
	if _, err := r.c.HandleCallback(t.Context(), tx.State, forged.String()); !errors.Is(err, idx.ErrStateMismatch) {
		t.Errorf("callback with another state: err = %v, want ErrStateMismatch", err)
	}
	r.do(r.c.HandleCallback(t.Context(), tx.State, back))
	r.wantSteps("identify", "SUCCESS")
}
