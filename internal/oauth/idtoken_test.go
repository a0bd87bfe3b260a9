package oauth_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/oauth"
)

func TestVerifyIDToken(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	type env struct {
		op *testOP
		k  *testKeys
	}
	with := func(mut func(c map[string]any)) func(e env) string {
		return func(e env) string {
			c := e.op.claims()
			mut(c)
			return signToken(t, e.k.rsa1(), rs256("k1"), c)
		}
	}
	now := func(e env) time.Time { return e.op.clock.Now() }
	tests := []struct {
		name        string
		token       func(e env) string
		nonce       string // default testNonce
		algs        []jose.SignatureAlgorithm
		wantIs      []error // nil means success
		wantFetches int32
	}{
		{
			name:        "valid",
			token:       with(func(map[string]any) {}),
			wantFetches: 1,
		},
		{
			name: "valid with several audiences and azp",
			token: with(func(c map[string]any) {
				c["aud"] = []string{testClientID, "api://default"}
				c["azp"] = testClientID
			}),
			wantFetches: 1,
		},
		{
			name: "valid with exp just inside the leeway",
			token: func(e env) string {
				return with(func(c map[string]any) { c["exp"] = now(e).Add(-time.Minute).Unix() })(e)
			},
			wantFetches: 1,
		},
		{
			name: "valid with float exp",
			token: func(e env) string {
				return with(func(c map[string]any) { c["exp"] = float64(now(e).Add(time.Hour).Unix()) + 0.5 })(e)
			},
			wantFetches: 1,
		},
		{
			name: "valid ES256 when allowed",
			token: func(e env) string {
				return signToken(t, e.k.ec(), map[string]any{"alg": "ES256", "kid": "ec1"}, e.op.claims())
			},
			algs:        []jose.SignatureAlgorithm{jose.RS256, jose.ES256},
			wantFetches: 1,
		},
		{
			name: "alg none",
			token: func(e env) string {
				return signToken(t, nil, map[string]any{"alg": "none", "kid": "k1"}, e.op.claims())
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "HS256 signed with the RSA public key",
			token: func(e env) string {
				der, err := x509.MarshalPKIXPublicKey(&e.k.rsa1().PublicKey)
				if err != nil {
					t.Fatal(err)
				}
				return signToken(t, der, map[string]any{"alg": "HS256", "kid": "k1"}, e.op.claims())
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "ES256 when only RS256 is allowed",
			token: func(e env) string {
				return signToken(t, e.k.ec(), map[string]any{"alg": "ES256", "kid": "ec1"}, e.op.claims())
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "RS256 header with the kid of an EC key",
			token: func(e env) string {
				return signToken(t, e.k.rsa1(), rs256("ec1"), e.op.claims())
			},
			wantIs:      []error{oauth.ErrInvalidIDToken},
			wantFetches: 1,
		},
		{
			name: "tampered payload",
			token: func(e env) string {
				tok := signToken(t, e.k.rsa1(), rs256("k1"), e.op.claims())
				parts := strings.Split(tok, ".")
				c := e.op.claims()
				c["sub"] = "00uADMIN"
				parts[1] = b64JSON(t, c)
				return strings.Join(parts, ".")
			},
			wantIs:      []error{oauth.ErrInvalidIDToken},
			wantFetches: 1,
		},
		{
			name:        "unknown kid",
			token:       func(e env) string { return signToken(t, e.k.other(), rs256("forged"), e.op.claims()) },
			wantIs:      []error{oauth.ErrInvalidIDToken, oauth.ErrUnknownKey},
			wantFetches: 1,
		},
		{
			name:        "right kid, wrong key",
			token:       func(e env) string { return signToken(t, e.k.other(), rs256("k1"), e.op.claims()) },
			wantIs:      []error{oauth.ErrInvalidIDToken},
			wantFetches: 1,
		},
		{
			name: "embedded jwk with the attacker's key",
			token: func(e env) string {
				h := rs256("k1")
				h["jwk"] = jwk(e.k.other(), "k1", "RS256")
				return signToken(t, e.k.other(), h, e.op.claims())
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "jku header",
			token: func(e env) string {
				h := rs256("k1")
				h["jku"] = "https://evil.example/keys"
				return signToken(t, e.k.rsa1(), h, e.op.claims())
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "x5u header",
			token: func(e env) string {
				h := rs256("k1")
				h["x5u"] = "https://evil.example/cert.pem"
				return signToken(t, e.k.rsa1(), h, e.op.claims())
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "unknown crit",
			token: func(e env) string {
				h := rs256("k1")
				h["crit"] = []string{"exp-ext"}
				h["exp-ext"] = true
				return signToken(t, e.k.rsa1(), h, e.op.claims())
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "zip header",
			token: func(e env) string {
				h := rs256("k1")
				h["zip"] = "DEF"
				return signToken(t, e.k.rsa1(), h, e.op.claims())
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "no kid",
			token: func(e env) string {
				return signToken(t, e.k.rsa1(), map[string]any{"alg": "RS256"}, e.op.claims())
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "JSON serialization with two signatures",
			token: func(e env) string {
				a := strings.Split(signToken(t, e.k.rsa1(), rs256("k1"), e.op.claims()), ".")
				b := strings.Split(signToken(t, e.k.rsa2(), rs256("k2"), e.op.claims()), ".")
				j, _ := json.Marshal(map[string]any{
					"payload": a[1],
					"signatures": []map[string]string{
						{"protected": a[0], "signature": a[2]},
						{"protected": b[0], "signature": b[2]},
					},
				})
				return string(j)
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "flattened JSON serialization",
			token: func(e env) string {
				a := strings.Split(signToken(t, e.k.rsa1(), rs256("k1"), e.op.claims()), ".")
				j, _ := json.Marshal(map[string]string{"payload": a[1], "protected": a[0], "signature": a[2]})
				return string(j)
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "JWE (5 segments)",
			token: func(e env) string {
				return b64JSON(t, map[string]string{"alg": "RSA-OAEP", "enc": "A256GCM", "kid": "k1"}) + ".a.b.c.d"
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name:   "iss with trailing slash",
			token:  func(e env) string { return with(func(c map[string]any) { c["iss"] = e.op.issuer + "/" })(e) },
			wantIs: []error{oauth.ErrInvalidIDToken, jwt.ErrInvalidIssuer},
		},
		{
			name:   "iss in other case",
			token:  func(e env) string { return with(func(c map[string]any) { c["iss"] = strings.ToUpper(e.op.issuer) })(e) },
			wantIs: []error{oauth.ErrInvalidIDToken, jwt.ErrInvalidIssuer},
		},
		{
			name: "iss with other scheme",
			token: func(e env) string {
				return with(func(c map[string]any) { c["iss"] = strings.Replace(e.op.issuer, "http:", "https:", 1) })(e)
			},
			wantIs: []error{oauth.ErrInvalidIDToken, jwt.ErrInvalidIssuer},
		},
		{
			name:   "aud without the client",
			token:  with(func(c map[string]any) { c["aud"] = "other-client" }),
			wantIs: []error{oauth.ErrInvalidIDToken, jwt.ErrInvalidAudience},
		},
		{
			name:   "several aud without azp",
			token:  with(func(c map[string]any) { c["aud"] = []string{testClientID, "other"} }),
			wantIs: []error{oauth.ErrInvalidIDToken, jwt.ErrInvalidAudience},
		},
		{
			name: "azp is another client",
			token: with(func(c map[string]any) {
				c["aud"] = []string{testClientID, "other"}
				c["azp"] = "other"
			}),
			wantIs: []error{oauth.ErrInvalidIDToken, jwt.ErrInvalidAudience},
		},
		{
			name: "exp past",
			token: func(e env) string {
				return with(func(c map[string]any) { c["exp"] = now(e).Add(-3 * time.Minute).Unix() })(e)
			},
			wantIs: []error{oauth.ErrInvalidIDToken, jwt.ErrExpired},
		},
		{
			name:   "exp missing",
			token:  with(func(c map[string]any) { delete(c, "exp") }),
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "iat in the future",
			token: func(e env) string {
				return with(func(c map[string]any) { c["iat"] = now(e).Add(3 * time.Minute).Unix() })(e)
			},
			wantIs: []error{oauth.ErrInvalidIDToken, jwt.ErrIssuedInTheFuture},
		},
		{
			name:   "iat missing",
			token:  with(func(c map[string]any) { delete(c, "iat") }),
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "nbf in the future",
			token: func(e env) string {
				return with(func(c map[string]any) { c["nbf"] = now(e).Add(3 * time.Minute).Unix() })(e)
			},
			wantIs: []error{oauth.ErrInvalidIDToken, jwt.ErrNotValidYet},
		},
		{
			name:   "nonce missing",
			token:  with(func(c map[string]any) { delete(c, "nonce") }),
			wantIs: []error{oauth.ErrInvalidIDToken, oauth.ErrNonceMismatch},
		},
		{
			name:   "nonce different",
			token:  with(func(c map[string]any) { c["nonce"] = "nonce-2" }),
			wantIs: []error{oauth.ErrInvalidIDToken, oauth.ErrNonceMismatch},
		},
		{
			name:   "nonce prefix",
			token:  with(func(c map[string]any) { c["nonce"] = testNonce[:len(testNonce)-1] }),
			wantIs: []error{oauth.ErrInvalidIDToken, oauth.ErrNonceMismatch},
		},
		{
			name:   "empty expected nonce",
			token:  with(func(c map[string]any) { c["nonce"] = "" }),
			nonce:  "-",
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name:   "sub missing",
			token:  with(func(c map[string]any) { delete(c, "sub") }),
			wantIs: []error{oauth.ErrInvalidIDToken, jwt.ErrInvalidSubject},
		},
		{
			name:   "aud of the wrong type",
			token:  with(func(c map[string]any) { c["aud"] = 42 }),
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "2 segments",
			token: func(e env) string {
				tok := signToken(t, e.k.rsa1(), rs256("k1"), e.op.claims())
				return tok[:strings.LastIndexByte(tok, '.')]
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name:   "4 segments",
			token:  func(e env) string { return signToken(t, e.k.rsa1(), rs256("k1"), e.op.claims()) + ".x" },
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name:   "header not base64",
			token:  func(e env) string { return "!!!." + b64JSON(t, e.op.claims()) + ".sig" },
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "header not JSON",
			token: func(e env) string {
				return base64.RawURLEncoding.EncodeToString([]byte("RS256")) + "." + b64JSON(t, e.op.claims()) + ".sig"
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name:   "empty",
			token:  func(env) string { return "" },
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name:   "100k dots",
			token:  func(env) string { return strings.Repeat(".", 100_000) },
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name:   "60k dots, under the size cap",
			token:  func(env) string { return strings.Repeat("a.", 30_000) },
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
		{
			name: "2 MiB token",
			token: func(e env) string {
				c := e.op.claims()
				c["pad"] = strings.Repeat("x", 2<<20)
				return signToken(t, e.k.rsa1(), rs256("k1"), c)
			},
			wantIs: []error{oauth.ErrInvalidIDToken},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := newOP(t, jwk(keys.rsa1(), "k1", "RS256"), jwk(keys.rsa2(), "k2", "RS256"), jwk(keys.ec(), "ec1", "ES256"))
			p := op.provider(oauth.ProviderOptions{SigningAlgs: tt.algs})
			raw := tt.token(env{op, keys})
			nonce := tt.nonce
			switch nonce {
			case "":
				nonce = testNonce
			case "-":
				nonce = ""
			}
			claims, err := p.VerifyIDToken(t.Context(), raw, testClientID, nonce)
			if tt.wantIs == nil {
				if err != nil {
					t.Fatalf("VerifyIDToken() = %v, want success", err)
				}
				if claims.Subject != "00u1abcd" || claims.Nonce != testNonce || claims.Issuer != op.issuer || claims.Claims["email"] != "user@example.com" {
					t.Errorf("unexpected claims %+v", claims)
				}
			} else {
				if err == nil {
					t.Fatal("VerifyIDToken() succeeded, want an error")
				}
				var ite *oauth.IDTokenError
				if !errors.As(err, &ite) {
					t.Errorf("err = %T %v, want *IDTokenError", err, err)
				}
				for _, target := range tt.wantIs {
					if !errors.Is(err, target) {
						t.Errorf("errors.Is(%v, %v) = false", err, target)
					}
				}
				if len(raw) > 20 && strings.Contains(err.Error(), raw[len(raw)-20:]) {
					t.Errorf("error carries token data: %v", err)
				}
			}
			if got := op.jwksHits.Load(); got != tt.wantFetches {
				t.Errorf("JWKS fetches = %d, want %d", got, tt.wantFetches)
			}
		})
	}
}

func TestVerifyIDTokenClaims(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	op := newOP(t, jwk(keys.rsa1(), "k1", "RS256"))
	p := op.provider(oauth.ProviderOptions{})
	c := op.claims()
	c["aud"] = []string{testClientID, "api://default"}
	c["azp"] = testClientID
	got, err := p.VerifyIDToken(t.Context(), signToken(t, keys.rsa1(), rs256("k1"), c), testClientID, testNonce)
	if err != nil {
		t.Fatal(err)
	}
	now := op.clock.Now()
	want := &oauth.IDTokenClaims{
		Issuer:          op.issuer,
		Subject:         "00u1abcd",
		Nonce:           testNonce,
		AuthorizedParty: testClientID,
		Audience:        []string{testClientID, "api://default"},
		Expiry:          time.Unix(now.Add(time.Hour).Unix(), 0),
		IssuedAt:        time.Unix(now.Unix(), 0),
		AuthTime:        time.Unix(now.Add(-time.Minute).Unix(), 0),
		Claims: map[string]any{
			"iss": op.issuer, "sub": "00u1abcd", "aud": []any{testClientID, "api://default"}, "azp": testClientID,
			"exp": float64(now.Add(time.Hour).Unix()), "iat": float64(now.Unix()),
			"auth_time": float64(now.Add(-time.Minute).Unix()), "nonce": testNonce, "email": "user@example.com",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims mismatch (-want +got):\n%s", diff)
	}
}

func TestVerifyIDTokenMisuse(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	op := newOP(t, jwk(keys.rsa1(), "k1", "RS256"))
	p := op.provider(oauth.ProviderOptions{})
	raw := signToken(t, keys.rsa1(), rs256("k1"), op.claims())
	if _, err := p.VerifyIDToken(t.Context(), raw, "", testNonce); err == nil {
		t.Error("empty client ID accepted")
	}
	if _, err := p.VerifyIDToken(t.Context(), raw, testClientID, ""); !errors.Is(err, oauth.ErrInvalidIDToken) {
		t.Errorf("empty nonce: err = %v, want ErrInvalidIDToken", err)
	}
	if op.jwksHits.Load() != 0 {
		t.Errorf("JWKS fetches = %d, want 0", op.jwksHits.Load())
	}
}

// TestHostileTokensAreCheap checks that oversize and many-dots inputs are
// refused without proportional allocation. It is not parallel because
// testing.AllocsPerRun requires that.
func TestHostileTokensAreCheap(t *testing.T) {
	keys := newKeys(t)
	op := newOP(t, jwk(keys.rsa1(), "k1", "RS256"))
	p := op.provider(oauth.ProviderOptions{})
	inputs := map[string]string{
		"2 MiB":      strings.Repeat("A", 2<<20),
		"100k dots":  strings.Repeat(".", 100_000),
		"60k dots":   strings.Repeat("a.", 30_000),
		"many parts": strings.Repeat("abc.", 16_000),
	}
	for name, raw := range inputs {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			allocs := testing.AllocsPerRun(20, func() {
				if _, err := p.VerifyIDToken(ctx, raw, testClientID, testNonce); !errors.Is(err, oauth.ErrInvalidIDToken) {
					t.Fatalf("err = %v", err)
				}
			})
			if allocs > 5 {
				t.Errorf("%v allocations per call, want a constant few", allocs)
			}
		})
	}
}

func TestUnknownKidRefetchAndCooldown(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	op := newOP(t, jwk(keys.rsa1(), "k1", "RS256"))
	p := op.provider(oauth.ProviderOptions{JWKSRefreshCooldown: 30 * time.Second})
	ctx := t.Context()
	verify := func(key any, kid string) error {
		_, err := p.VerifyIDToken(ctx, signToken(t, key, rs256(kid), op.claims()), testClientID, testNonce)
		return err
	}
	steps := []struct {
		name        string
		advance     time.Duration
		key         any
		kid         string
		wantErr     error
		wantFetches int32
	}{
		{"first valid token loads the keys", 0, keys.rsa1(), "k1", nil, 1},
		{"unknown kid within the cooldown: no fetch", 0, keys.other(), "forged-1", oauth.ErrUnknownKey, 1},
		{"unknown kid after the cooldown: one refetch", 31 * time.Second, keys.other(), "forged-2", oauth.ErrUnknownKey, 2},
		{"repeat within the cooldown: no fetch", 0, keys.other(), "forged-2", oauth.ErrUnknownKey, 2},
		{"another kid within the cooldown: no fetch", 10 * time.Second, keys.other(), "forged-3", oauth.ErrUnknownKey, 2},
		{"known kid still verifies without fetching", 0, keys.rsa1(), "k1", nil, 2},
	}
	for _, s := range steps {
		op.clock.Advance(s.advance)
		err := verify(s.key, s.kid)
		if (s.wantErr == nil) != (err == nil) || (s.wantErr != nil && !errors.Is(err, s.wantErr)) {
			t.Errorf("%s: err = %v, want %v", s.name, err, s.wantErr)
		}
		if got := op.jwksHits.Load(); got != s.wantFetches {
			t.Errorf("%s: JWKS fetches = %d, want %d", s.name, got, s.wantFetches)
		}
	}
}

func TestForgedKidFlood(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	for _, concurrent := range []bool{false, true} {
		t.Run(fmt.Sprintf("concurrent=%v", concurrent), func(t *testing.T) {
			t.Parallel()
			op := newOP(t, jwk(keys.rsa1(), "k1", "RS256"))
			p := op.provider(oauth.ProviderOptions{})
			if _, err := p.VerifyIDToken(t.Context(), signToken(t, keys.rsa1(), rs256("k1"), op.claims()), testClientID, testNonce); err != nil {
				t.Fatal(err)
			}
			op.clock.Advance(time.Minute) // past the cooldown: one refetch is allowed
			// Sign once; only the kid varies, and the signature is never
			// checked because the kid is unknown.
			claims := op.claims()
			tokens := make([]string, 1000)
			base := strings.Split(signToken(t, keys.other(), rs256("x"), claims), ".")
			for i := range tokens {
				tokens[i] = b64JSON(t, rs256(fmt.Sprintf("forged-%d", i))) + "." + base[1] + "." + base[2]
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			var bad []error
			run := func(tok string) {
				_, err := p.VerifyIDToken(t.Context(), tok, testClientID, testNonce)
				if !errors.Is(err, oauth.ErrUnknownKey) {
					mu.Lock()
					bad = append(bad, err)
					mu.Unlock()
				}
			}
			for _, tok := range tokens {
				if concurrent {
					wg.Go(func() { run(tok) })
				} else {
					run(tok)
				}
			}
			wg.Wait()
			if len(bad) > 0 {
				t.Errorf("%d unexpected results, first: %v", len(bad), bad[0])
			}
			if got := op.jwksHits.Load(); got > 2 {
				t.Errorf("JWKS fetches = %d, want at most 2 (initial load + one refetch)", got)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	op := newOP(t, jwk(keys.rsa1(), "k1", "RS256"))
	p := op.provider(oauth.ProviderOptions{})
	ctx := t.Context()
	if _, err := p.VerifyIDToken(ctx, signToken(t, keys.rsa1(), rs256("k1"), op.claims()), testClientID, testNonce); err != nil {
		t.Fatal(err)
	}
	op.setKeys(jwk(keys.rsa1(), "k1", "RS256"), jwk(keys.rsa2(), "k2", "RS256"))
	op.clock.Advance(time.Minute)
	for i := range 3 {
		if _, err := p.VerifyIDToken(ctx, signToken(t, keys.rsa2(), rs256("k2"), op.claims()), testClientID, testNonce); err != nil {
			t.Fatalf("rotated key, try %d: %v", i, err)
		}
	}
	if got := op.jwksHits.Load(); got != 2 {
		t.Errorf("JWKS fetches = %d, want 2", got)
	}
}

func TestJWKSServerDownKeepsCachedKeys(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	op := newOP(t, jwk(keys.rsa1(), "k1", "RS256"))
	p := op.provider(oauth.ProviderOptions{})
	ctx := t.Context()
	valid := func() error {
		_, err := p.VerifyIDToken(ctx, signToken(t, keys.rsa1(), rs256("k1"), op.claims()), testClientID, testNonce)
		return err
	}
	if err := valid(); err != nil {
		t.Fatal(err)
	}
	op.setJWKSStatus(http.StatusServiceUnavailable)
	op.clock.Advance(time.Minute)
	// A token with a new kid makes the (failing) refetch happen.
	_, err := p.VerifyIDToken(ctx, signToken(t, keys.rsa2(), rs256("k2"), op.claims()), testClientID, testNonce)
	var pe *oauth.ProviderError
	if !errors.As(err, &pe) || errors.Is(err, oauth.ErrInvalidIDToken) {
		t.Errorf("unknown kid with the JWKS down: err = %v, want *ProviderError", err)
	}
	fetches := op.jwksHits.Load()
	if err := valid(); err != nil {
		t.Errorf("cached key after a failed refetch: %v", err)
	}
	if op.jwksHits.Load() != fetches {
		t.Errorf("a cached kid caused a fetch")
	}
}

func TestJWKSFetchCancelled(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	op := newOP(t, jwk(keys.rsa1(), "k1", "RS256"))
	gate := make(chan struct{})
	started := make(chan struct{}, 1)
	op.mu.Lock()
	op.jwksGate, op.jwksStarted = gate, started
	op.mu.Unlock()
	p := op.provider(oauth.ProviderOptions{})
	raw := signToken(t, keys.rsa1(), rs256("k1"), op.claims())

	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-started
		cancel()
	}()
	_, err := p.VerifyIDToken(ctx, raw, testClientID, testNonce)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if errors.Is(err, oauth.ErrInvalidIDToken) {
		t.Errorf("a cancelled fetch must not call the token invalid: %v", err)
	}
	// The cancelled fetch does not start the cooldown: the next call
	// fetches and succeeds.
	close(gate)
	if _, err := p.VerifyIDToken(t.Context(), raw, testClientID, testNonce); err != nil {
		t.Errorf("after the cancelled fetch: %v", err)
	}
}

func TestConcurrentVerifySharesOneFetch(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	op := newOP(t, jwk(keys.rsa1(), "k1", "RS256"))
	p := op.provider(oauth.ProviderOptions{})
	raw := signToken(t, keys.rsa1(), rs256("k1"), op.claims())
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Go(func() {
			if _, err := p.VerifyIDToken(t.Context(), raw, testClientID, testNonce); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if op.jwksHits.Load() != 1 || op.discoveryHits.Load() != 1 {
		t.Errorf("fetches: JWKS %d, discovery %d; want 1 each", op.jwksHits.Load(), op.discoveryHits.Load())
	}
}

func TestJWKSFiltering(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	tests := []struct {
		name    string
		set     func() []byte
		wantErr bool
	}{
		{"unsupported and broken keys are skipped", func() []byte {
			good, _ := json.Marshal(jwk(keys.rsa1(), "k1", "RS256"))
			return []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"k1"},{"kty":"RSA","kid":"k1","n":"!!","e":"AQAB"},` + string(good) + `]}`)
		}, false},
		{"encryption key with the kid", func() []byte {
			k := jwk(keys.rsa1(), "k1", "")
			k.Use = "enc"
			b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k}})
			return b
		}, true},
		{"private key material is ignored", func() []byte {
			b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: keys.rsa1(), KeyID: "k1", Use: "sig"}}})
			return b
		}, true},
		{"not a key set", func() []byte { return []byte(`[]`) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := newOP(t)
			op.mu.Lock()
			op.jwks = tt.set()
			op.mu.Unlock()
			p := op.provider(oauth.ProviderOptions{})
			_, err := p.VerifyIDToken(t.Context(), signToken(t, keys.rsa1(), rs256("k1"), op.claims()), testClientID, testNonce)
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}
