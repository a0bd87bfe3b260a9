package idx_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/oauth2"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
	"github.com/goidx/goidx/internal/testclock"
)

const tokenPath = "POST /oauth2/default/v1/token"

var offline = []string{"openid", "profile", "email", "offline_access"}

func TestRefreshRotatesRefreshToken(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	srv := newOrg(t, idxtest.WithClock(clk.Now))
	c := newClient(t, srv, idx.Config{Scopes: offline}, idx.WithClock(clk.Now))
	old := signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	if old.RefreshToken == "" {
		t.Fatal("no refresh token after sign-in with offline_access")
	}
	clk.Advance(time.Minute)
	got, err := c.Refresh(t.Context(), old)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case got.AccessToken == old.AccessToken:
		t.Error("access token not replaced")
	case got.RefreshToken == "" || got.RefreshToken == old.RefreshToken:
		t.Error("rotated refresh token not taken")
	case got.IDToken == old.IDToken || got.IDTokenClaims == nil:
		t.Error("new ID token not taken")
	case got.IDTokenClaims.Subject != old.IDTokenClaims.Subject:
		t.Errorf("subject %q, want %q", got.IDTokenClaims.Subject, old.IDTokenClaims.Subject)
	case !got.Expiry.Equal(clk.Now().Add(time.Hour)):
		t.Errorf("Expiry = %v, want an hour from now", got.Expiry)
	}
	// The spent refresh token is refused with a typed invalid_grant.
	_, err = c.Refresh(t.Context(), old)
	var oe *idx.OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_grant" {
		t.Fatalf("refresh with the spent token: err = %v, want *OAuthError invalid_grant", err)
	}
	if strings.Contains(err.Error(), old.RefreshToken.Reveal()) {
		t.Error("error repeats the refresh token")
	}
	// Without one, the error says how to get one.
	if _, err := c.Refresh(t.Context(), &idx.Tokens{AccessToken: "x"}); !errors.Is(err, idx.ErrInvalidInput) ||
		err.Error() != "idx: invalid Tokens.RefreshToken: empty (sign in with the offline_access scope, and give the app the Refresh Token grant)" {
		t.Errorf("no refresh token: err = %v, want ErrInvalidInput naming offline_access", err)
	}
}

// fakeTokenOrg is an authorization server whose token endpoint answers
// body with status; it counts token requests.
type fakeTokenOrg struct {
	srv     *httptest.Server
	mu      sync.Mutex
	status  int
	body    string
	hits    int
	started chan struct{} // when set, receives a value when a token request arrives
	gate    chan struct{} // when set, token requests wait for it to close
}

func newFakeTokenOrg(t *testing.T) *fakeTokenOrg {
	t.Helper()
	f := &fakeTokenOrg{status: 200}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		iss := "http://" + r.Host + "/oauth2/default"
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/oauth2/default/.well-known/openid-configuration":
			_, _ = io.WriteString(w, `{"issuer":"`+iss+`","jwks_uri":"`+iss+`/v1/keys","token_endpoint":"`+iss+`/v1/token"}`)
		case "/oauth2/default/v1/token":
			f.mu.Lock()
			f.hits++
			status, body, started, gate := f.status, f.body, f.started, f.gate
			f.mu.Unlock()
			if started != nil {
				started <- struct{}{}
			}
			if gate != nil {
				<-gate
			}
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func TestRefreshResponses(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	old := &idx.Tokens{TokenType: "Bearer", AccessToken: "at1", RefreshToken: "rt1", IDToken: "id1", Scopes: []string{"openid", "offline_access"},
		Expiry: clk.Now(), IDTokenClaims: &idx.IDTokenClaims{Subject: "00u1"}}
	tests := []struct {
		name       string
		status     int
		body       string
		wantRT     idx.Secret
		wantExpiry time.Duration // from now; 0 = zero time
		wantCode   string        // *OAuthError code
		wantIs     error
	}{
		{name: "no refresh token: the old one is kept", status: 200, body: `{"token_type":"Bearer","access_token":"at2","expires_in":3600}`, wantRT: "rt1", wantExpiry: time.Hour},
		{name: "rotated", status: 200, body: `{"token_type":"Bearer","access_token":"at2","refresh_token":"rt2","expires_in":60}`, wantRT: "rt2", wantExpiry: time.Minute},
		{name: "huge expires_in is clamped", status: 200, body: `{"token_type":"Bearer","access_token":"at2","expires_in":1e15}`, wantRT: "rt1", wantExpiry: 24 * time.Hour},
		{name: "negative expires_in means unknown", status: 200, body: `{"token_type":"Bearer","access_token":"at2","expires_in":-30}`, wantRT: "rt1"},
		{name: "invalid_grant", status: 400, body: `{"error":"invalid_grant","error_description":"The refresh token is invalid or expired."}`, wantCode: "invalid_grant"},
		{name: "200 with error", status: 200, body: `{"error":"invalid_grant","access_token":"at2","token_type":"Bearer"}`, wantCode: "invalid_grant"},
		{name: "missing access_token", status: 200, body: `{"token_type":"Bearer","refresh_token":"rt2"}`, wantIs: idx.ErrMalformedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeTokenOrg(t)
			f.mu.Lock()
			f.status, f.body = tt.status, tt.body
			f.mu.Unlock()
			c := newClient(t, nil, idx.Config{Issuer: f.srv.URL + "/oauth2/default", ClientID: "c1", RedirectURI: "http://localhost/cb"}, idx.WithClock(clk.Now))
			got, err := c.Refresh(t.Context(), old)
			switch {
			case tt.wantCode != "":
				var oe *idx.OAuthError
				if !errors.As(err, &oe) || oe.Code != tt.wantCode {
					t.Fatalf("err = %v, want *OAuthError %s", err, tt.wantCode)
				}
			case tt.wantIs != nil:
				if !errors.Is(err, tt.wantIs) {
					t.Fatalf("err = %v, want %v", err, tt.wantIs)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if got.RefreshToken != tt.wantRT || got.AccessToken != "at2" {
					t.Errorf("tokens = %s/%s, want at2/%s", got.AccessToken.Reveal(), got.RefreshToken.Reveal(), tt.wantRT.Reveal())
				}
				if got.IDToken != "id1" || got.IDTokenClaims.Subject != "00u1" {
					t.Error("the ID token was not kept")
				}
				want := time.Time{}
				if tt.wantExpiry != 0 {
					want = clk.Now().Add(tt.wantExpiry)
				}
				if !got.Expiry.Equal(want) {
					t.Errorf("Expiry = %v, want %v", got.Expiry, want)
				}
			}
			f.mu.Lock()
			if f.hits != 1 {
				t.Errorf("token requests = %d, want 1", f.hits)
			}
			f.mu.Unlock()
			if old.AccessToken != "at1" || old.RefreshToken != "rt1" {
				t.Error("Refresh changed its argument")
			}
		})
	}
}

func TestTokenSourceSingleFlight(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	srv := newOrg(t, idxtest.WithClock(clk.Now))
	c := newClient(t, srv, idx.Config{Scopes: offline}, idx.WithClock(clk.Now))
	tx, err := c.Authenticate(t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	if err != nil {
		t.Fatal(err)
	}
	tx, err = c.Authenticate(t.Context(), idx.Options{State: tx.State, Authenticator: "okta_email"})
	if err != nil {
		t.Fatal(err)
	}
	tx, err = c.Authenticate(t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)})
	if err != nil || tx.Status != idx.StatusSuccess {
		t.Fatalf("sign-in: %v %v", tx, err)
	}
	first := tx.Tokens
	ts := c.TokenSource(tx.State)
	before := srv.RequestCounts()[tokenPath]

	// Eleven seconds before expiry the tokens are still handed out as they are.
	clk.Advance(first.Expiry.Sub(clk.Now()) - 10*time.Second - time.Second)
	got, err := ts.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken != first.AccessToken || srv.RequestCounts()[tokenPath] != before {
		t.Fatal("refreshed tokens that had more than the 10 seconds of refresh margin left")
	}

	// Within 10 seconds of expiry, 32 callers at once cause one refresh.
	clk.Advance(2 * time.Second)
	const n = 32
	var wg sync.WaitGroup
	results := make([]*idx.Tokens, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			results[i], errs[i] = ts.Token(t.Context())
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if results[i].AccessToken == first.AccessToken || results[i].AccessToken != results[0].AccessToken {
			t.Fatalf("caller %d got another access token", i)
		}
	}
	if got := srv.RequestCounts()[tokenPath] - before; got != 1 {
		t.Errorf("refresh requests = %d, want 1", got)
	}
	stored, err := c.Tokens(t.Context(), tx.State)
	if err != nil {
		t.Fatal(err)
	}
	if stored.AccessToken != results[0].AccessToken || stored.RefreshToken != results[0].RefreshToken || stored.RefreshToken == first.RefreshToken {
		t.Error("the store does not hold the refreshed tokens")
	}
	// Results are copies.
	results[0].Scopes[0] = "changed"
	if again, _ := ts.Token(t.Context()); again.Scopes[0] == "changed" {
		t.Error("Token returned a shared value")
	}
}

func TestTokenSourceErrors(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	store := idx.NewMemoryTokenStore(0, clk.Now)
	c := newClient(t, newOrg(t), idx.Config{}, idx.WithClock(clk.Now), idx.WithTokenStore(store))
	if _, err := c.TokenSource("unknown").Token(t.Context()); !errors.Is(err, idx.ErrTokensNotFound) {
		t.Errorf("unknown state: err = %v, want ErrTokensNotFound", err)
	}
	if _, err := c.TokenSource("").Token(t.Context()); !errors.Is(err, idx.ErrInvalidInput) {
		t.Errorf("empty state: err = %v, want ErrInvalidInput", err)
	}
	if err := store.Save(t.Context(), "s1", &idx.Tokens{AccessToken: "at", Expiry: clk.Now().Add(5 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TokenSource("s1").Token(t.Context()); !errors.Is(err, idx.ErrTokensExpired) {
		t.Errorf("expiring without refresh token: err = %v, want ErrTokensExpired", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.TokenSource("s1").Token(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err = %v, want context.Canceled", err)
	}
}

func TestIntrospectToken(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{Scopes: offline})
	tok := signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	in, err := c.IntrospectToken(t.Context(), tok.AccessToken, "access_token")
	if err != nil {
		t.Fatal(err)
	}
	if !in.Active || in.Username != idxtest.DemoUsername || in.ClientID != idxtest.PublicClientID || in.Expiry.IsZero() || len(in.Scopes) == 0 {
		t.Errorf("introspection = %+v", in)
	}
	if err := c.Revoke(t.Context(), "", tok); err != nil {
		t.Fatal(err)
	}
	in, err = c.IntrospectToken(t.Context(), tok.AccessToken, "access_token")
	if err != nil {
		t.Fatal(err)
	}
	if in.Active || in.Username != "" {
		t.Errorf("revoked token: %+v, want inactive", in)
	}
	if _, err := c.IntrospectToken(t.Context(), "", ""); !errors.Is(err, idx.ErrInvalidInput) {
		t.Errorf("empty token: err = %v", err)
	}
	if _, err := c.IntrospectToken(t.Context(), "x", "bogus"); !errors.Is(err, idx.ErrInvalidInput) {
		t.Errorf("bad hint: err = %v", err)
	}
}

var sharedECKey = sync.OnceValue(func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
})

var otherRSAKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// TestPrivateKeyJWTClient signs in, refreshes, introspects and revokes as
// a private_key_jwt client, with an RSA and an EC key.
func TestPrivateKeyJWTClient(t *testing.T) {
	t.Parallel()
	app := func(id string) idxtest.App {
		return idxtest.App{ClientID: id, RedirectURIs: []string{idxtest.DefaultRedirectURI}, RefreshTokens: true}
	}
	// Each subtest signs the demo user in on an org of its own, so that
	// the code it reads from the outbox is its own.
	newJWTOrg := func(t *testing.T) *idxtest.Server {
		return newOrg(t,
			idxtest.WithPrivateKeyJWTApp(app("0oa-jwt-rsa"), sharedKey().Public()),
			idxtest.WithPrivateKeyJWTApp(app("0oa-jwt-ec"), sharedECKey().Public()),
		)
	}
	for name, cfg := range map[string]idx.Config{
		"RS256": {ClientID: "0oa-jwt-rsa", PrivateKey: sharedKey(), PrivateKeyID: "k1"},
		"ES256": {ClientID: "0oa-jwt-ec", PrivateKey: sharedECKey()},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newJWTOrg(t)
			cfg.Scopes = offline
			c := newClient(t, srv, cfg)
			tok := signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
			tok, err := c.Refresh(t.Context(), tok)
			if err != nil {
				t.Fatalf("Refresh: %v", err)
			}
			in, err := c.IntrospectToken(t.Context(), tok.AccessToken, "access_token")
			if err != nil || !in.Active {
				t.Fatalf("IntrospectToken = %+v, %v", in, err)
			}
			if err := c.Revoke(t.Context(), "", tok); err != nil {
				t.Fatalf("Revoke: %v", err)
			}
		})
	}
	t.Run("a retry signs a new assertion", func(t *testing.T) {
		// The org processes the request and the connection drops: the
		// retry must not repeat the jti, which the org would refuse.
		srv := newOrg(t, idxtest.WithPrivateKeyJWTApp(app("0oa-jwt-rsa"), sharedKey().Public()))
		c := newClient(t, srv, idx.Config{ClientID: "0oa-jwt-rsa", PrivateKey: sharedKey(), Scopes: offline})
		tok := signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
		for _, p := range []string{"/oauth2/default/v1/introspect", "/oauth2/default/v1/revoke"} {
			inject(t, srv, idxtest.Fault{Path: p, Times: 1, Kind: idxtest.FaultDropAfterProcessing})
		}
		srv.ResetRequestLog()
		if in, err := c.IntrospectToken(t.Context(), tok.AccessToken, "access_token"); err != nil || !in.Active {
			t.Fatalf("IntrospectToken after a dropped connection = %+v, %v", in, err)
		}
		if err := c.Revoke(t.Context(), "", tok); err != nil {
			t.Fatalf("Revoke after a dropped connection: %v", err)
		}
		want := map[string]int{"POST /oauth2/default/v1/introspect": 2, "POST /oauth2/default/v1/revoke": 3}
		if diff := cmp.Diff(want, srv.RequestCounts()); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		t.Parallel()
		srv := newJWTOrg(t)
		c := newClient(t, srv, idx.Config{ClientID: "0oa-jwt-rsa", PrivateKey: otherRSAKey()})
		_, err := trySignIn(t.Context(), c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
		var oe *idx.OAuthError
		if !errors.As(err, &oe) || oe.Code != "invalid_client" {
			t.Fatalf("err = %v, want *OAuthError invalid_client", err)
		}
	})
	t.Run("secret instead of a key", func(t *testing.T) {
		t.Parallel()
		srv := newJWTOrg(t)
		c := newClient(t, srv, idx.Config{ClientID: "0oa-jwt-rsa", ClientSecret: "s"})
		_, err := trySignIn(t.Context(), c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
		var oe *idx.OAuthError
		if !errors.As(err, &oe) || oe.Code != "invalid_client" {
			t.Fatalf("err = %v, want *OAuthError invalid_client", err)
		}
	})
}

func TestPrivateKeyJWTConfig(t *testing.T) {
	t.Parallel()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]idx.Config{
		"post without secret": {ClientSecretPost: true},
		"key and secret":      {PrivateKey: sharedECKey(), ClientSecret: "s"},
		"key and post":        {PrivateKey: sharedECKey(), ClientSecretPost: true},
		"short RSA key":       {PrivateKey: small},
	} {
		cfg.Issuer, cfg.ClientID, cfg.RedirectURI = "https://example.okta.com", "c", "https://app.example/cb"
		_, err := idx.NewClient(cfg)
		if !errors.Is(err, idx.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
}

// TestSigningKeyRotation checks that after the org rotates its signing
// key, new tokens verify with one more JWKS fetch, once the JWKS cooldown
// has passed.
func TestSigningKeyRotation(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	srv := newOrg(t, idxtest.WithClock(clk.Now))
	c := newClient(t, srv, idx.Config{}, idx.WithClock(clk.Now))
	const keysPath = "GET /oauth2/default/v1/keys"
	signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	if n := srv.RequestCounts()[keysPath]; n != 1 {
		t.Fatalf("JWKS fetches = %d, want 1", n)
	}
	oldKid := srv.SigningKeyID()
	if kid := srv.RotateSigningKey(otherRSAKey()); kid == oldKid || kid != srv.SigningKeyID() {
		t.Fatalf("RotateSigningKey = %q (old %q, now %q)", kid, oldKid, srv.SigningKeyID())
	}
	clk.Advance(31 * time.Second)
	tok := signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	if tok.IDTokenClaims == nil {
		t.Fatal("no verified claims")
	}
	if n := srv.RequestCounts()[keysPath]; n != 2 {
		t.Errorf("JWKS fetches = %d, want 2", n)
	}
}

// TestTokenSourceRefreshOutlivesCaller checks that a caller giving up does
// not abandon a refresh that reached the org: its rotated refresh token is
// still saved.
func TestTokenSourceRefreshOutlivesCaller(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	f := newFakeTokenOrg(t)
	f.mu.Lock()
	f.body = `{"token_type":"Bearer","access_token":"at2","refresh_token":"rt2","expires_in":3600}`
	f.started, f.gate = make(chan struct{}, 1), make(chan struct{})
	f.mu.Unlock()
	store := idx.NewMemoryTokenStore(0, clk.Now)
	if err := store.Save(t.Context(), "s", &idx.Tokens{TokenType: "Bearer", AccessToken: "at1", RefreshToken: "rt1", Expiry: clk.Now().Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, nil, idx.Config{Issuer: f.srv.URL + "/oauth2/default", ClientID: "c1", RedirectURI: "http://localhost/cb"},
		idx.WithClock(clk.Now), idx.WithTokenStore(store))
	ts := c.TokenSource("s")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := ts.Token(ctx)
		done <- err
	}()
	<-f.started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled caller: err = %v, want context.Canceled", err)
	}
	close(f.gate)
	got, err := ts.Token(t.Context()) // waits for the refresh still running, or finds its result
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken != "at2" || got.RefreshToken != "rt2" {
		t.Errorf("tokens = %s/%s, want at2/rt2", got.AccessToken.Reveal(), got.RefreshToken.Reveal())
	}
	stored, err := store.Load(t.Context(), "s")
	if err != nil {
		t.Fatal(err)
	}
	if stored.RefreshToken != "rt2" {
		t.Errorf("stored refresh token %s, want rt2", stored.RefreshToken.Reveal())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hits != 1 {
		t.Errorf("token requests = %d, want 1", f.hits)
	}
}

// signInTx signs the demo user in with c and returns the successful
// transaction.
func signInTx(t *testing.T, c *idx.Client, srv *idxtest.Server) *idx.Transaction {
	t.Helper()
	tx, err := c.Authenticate(t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	if err == nil {
		tx, err = c.Authenticate(t.Context(), idx.Options{State: tx.State, Authenticator: "okta_email"})
	}
	if err == nil {
		tx, err = c.Authenticate(t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)})
	}
	if err != nil || tx.Status != idx.StatusSuccess {
		t.Fatalf("sign-in: %v %v", tx, err)
	}
	return tx
}

// Goal: a TokenSource plugs into golang.org/x/oauth2: its oauth2 form
// hands out the access token alone and refreshes as Token does, and its
// HTTP client sends the token as a Bearer token, from many goroutines;
// a token that cannot be had fails the request with the typed error.
func TestTokenSourceOAuth2(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	srv := newOrg(t, idxtest.WithClock(clk.Now))
	c := newClient(t, srv, idx.Config{Scopes: offline}, idx.WithClock(clk.Now))
	tx := signInTx(t, c, srv)
	first := tx.Tokens
	ts := c.TokenSource(tx.State)

	var mu sync.Mutex
	var seen []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(api.Close)
	hc := ts.Client(t.Context())
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			resp, err := hc.Get(api.URL + "/v1/things")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		})
	}
	wg.Wait()
	want := make([]string, 8)
	for i := range want {
		want[i] = "Bearer " + first.AccessToken.Reveal()
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("Authorization headers (-want +got):\n%s", diff)
	}

	tok, err := ts.OAuth2(t.Context()).Token()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&oauth2.Token{AccessToken: first.AccessToken.Reveal(), TokenType: "Bearer", Expiry: first.Expiry}, tok,
		cmpopts.IgnoreUnexported(oauth2.Token{})); diff != "" {
		t.Errorf("oauth2.Token (-want +got):\n%s", diff)
	}

	// Near expiry the oauth2 form refreshes, as Token does, and the
	// refreshed tokens are saved.
	clk.Advance(first.Expiry.Sub(clk.Now()) - time.Second)
	tok, err = ts.OAuth2(t.Context()).Token()
	if err != nil {
		t.Fatal(err)
	}
	stored, err := c.Tokens(t.Context(), tx.State)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == first.AccessToken.Reveal() || tok.AccessToken != stored.AccessToken.Reveal() || tok.RefreshToken != "" {
		t.Error("the oauth2 form did not hand out the refreshed, saved access token alone")
	}

	_, err = c.TokenSource("unknown").Client(t.Context()).Get(api.URL)
	var ue *url.Error
	if !errors.As(err, &ue) || !errors.Is(err, idx.ErrTokensNotFound) {
		t.Errorf("unknown state: err = %v, want a *url.Error wrapping ErrTokensNotFound", err)
	}
}
