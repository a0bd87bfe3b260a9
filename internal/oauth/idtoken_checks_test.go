package oauth_test

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/goidx/goidx/internal/oauth"
)

// TestVerifyIDTokenCheckReasons pins, for every check of the ID token
// verifier (each marked "check:<name>" in the code), a token that only
// that check refuses, and the reason it gives. Disabling any single check
// makes its row fail (scripts/mutate-idtoken.sh verifies this).
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func TestVerifyIDTokenCheckReasons(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	const accessToken = "at-" + canary
	sum := sha256.Sum256([]byte(accessToken))
	goodAtHash := base64.RawURLEncoding.EncodeToString(sum[:16])
	rightHalf := base64.RawURLEncoding.EncodeToString(sum[16:]) // a wrong at_hash of the right length

	type env struct {
		op *testOP
	}
	sign := func(e env, mut func(h, c map[string]any)) string {
		h := rs256("k1")
		c := e.op.claims()
		mut(h, c)
		return signToken(t, keys.rsa1(), h, c)
	}
	claim := func(mut func(c map[string]any)) func(e env) string {
		return func(e env) string { return sign(e, func(_, c map[string]any) { mut(c) }) }
	}
	login := oauth.VerifyOptions{ClientID: testClientID, Nonce: testNonce, AccessToken: accessToken}
	refresh := oauth.VerifyOptions{ClientID: testClientID, Refresh: true, Subject: "00u1abcd", Nonce: testNonce, AccessToken: accessToken}
	now := func(e env) time.Time { return e.op.clock.Now() }

	tests := []struct {
		check      string // the check tag, or "" for a positive control
		token      func(e env) string
		opts       oauth.VerifyOptions
		wantReason string
		wantIs     error
	}{
		{check: "", token: claim(func(map[string]any) {}), opts: login},
		{check: "", token: claim(func(c map[string]any) { c["at_hash"] = goodAtHash }), opts: login},
		{check: "", token: claim(func(c map[string]any) { delete(c, "nonce") }), opts: refresh},
		{check: "", token: claim(func(c map[string]any) { c["at_hash"] = "other" }), opts: oauth.VerifyOptions{ClientID: testClientID, Nonce: testNonce}},
		{check: "nonce-expected", token: claim(func(map[string]any) {}), opts: oauth.VerifyOptions{ClientID: testClientID}, wantReason: "no expected nonce was given"},
		{check: "size", token: func(env) string { return strings.Repeat("a", 70<<10) + ".b.c" }, opts: login, wantReason: "token too large"},
		{check: "jwe", token: func(env) string { return "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d" }, opts: login, wantReason: "encrypted tokens (JWE) are not accepted"},
		{check: "segments", token: func(e env) string { return sign(e, func(_, _ map[string]any) {}) + ".x" }, opts: login, wantReason: "not a compact JWS"},
		{check: "sig-encoding", token: func(e env) string {
			// An RS256 signature is 256 bytes: its last base64url character
			// carries 4 unused bits, set here.
			raw := sign(e, func(_, _ map[string]any) {})
			last := strings.IndexByte(alphabet, raw[len(raw)-1])
			return raw[:len(raw)-1] + string(alphabet[last|1])
		}, opts: login, wantReason: "signature is not canonical base64url"},
		{check: "refused-headers", token: func(e env) string {
			return sign(e, func(h, _ map[string]any) { h["jku"] = "https://evil.example/keys" })
		}, opts: login, wantReason: "jku header not accepted"},
		{check: "alg-allowlist", token: func(e env) string {
			return signToken(t, keys.ec(), map[string]any{"alg": "ES256", "kid": "ec1"}, e.op.claims())
		}, opts: login, wantReason: "malformed token or algorithm not allowed"},
		{check: "kid", token: func(e env) string { return sign(e, func(h, _ map[string]any) { delete(h, "kid") }) }, opts: login, wantReason: "no kid header"},
		{check: "key-type", token: func(e env) string { return sign(e, func(h, _ map[string]any) { h["kid"] = "ec1" }) }, opts: login, wantReason: "signing key does not match the algorithm"},
		// A JWK without "alg" leaves the key type alone to refuse it.
		{check: "key-type", token: func(e env) string { return sign(e, func(h, _ map[string]any) { h["kid"] = "ec-noalg" }) }, opts: login, wantReason: "signing key does not match the algorithm"},
		{check: "signature", token: func(e env) string { return signToken(t, keys.other(), rs256("k1"), e.op.claims()) }, opts: login, wantReason: "invalid signature"},
		{check: "iss", token: claim(func(c map[string]any) { c["iss"] = c["iss"].(string) + "/" }), opts: login, wantReason: "issuer mismatch"},
		{check: "aud", token: claim(func(c map[string]any) { c["aud"] = "someone-else" }), opts: login, wantReason: "audience does not contain the client ID"},
		{check: "azp-required", token: claim(func(c map[string]any) { c["aud"] = []string{testClientID, "x"} }), opts: login, wantReason: "several audiences and no azp"},
		{check: "azp", token: claim(func(c map[string]any) { c["azp"] = "x" }), opts: login, wantReason: "azp is not the client ID"},
		{check: "exp-required", token: claim(func(c map[string]any) { delete(c, "exp") }), opts: login, wantReason: "no exp claim"},
		{check: "exp", token: func(e env) string {
			return claim(func(c map[string]any) { c["exp"] = now(e).Add(-3 * time.Minute).Unix() })(e)
		}, opts: login, wantReason: "expired"},
		{check: "iat-required", token: claim(func(c map[string]any) { delete(c, "iat") }), opts: login, wantReason: "no iat claim"},
		{check: "iat", token: func(e env) string {
			return claim(func(c map[string]any) { c["iat"] = now(e).Add(3 * time.Minute).Unix() })(e)
		}, opts: login, wantReason: "issued in the future"},
		{check: "nbf", token: func(e env) string {
			return claim(func(c map[string]any) { c["nbf"] = now(e).Add(3 * time.Minute).Unix() })(e)
		}, opts: login, wantReason: "not valid yet"},
		{check: "nonce-required", token: claim(func(c map[string]any) { delete(c, "nonce") }), opts: login, wantReason: "no nonce claim", wantIs: oauth.ErrNonceMismatch},
		{check: "nonce", token: claim(func(c map[string]any) { c["nonce"] = "other" }), opts: login, wantReason: "nonce mismatch", wantIs: oauth.ErrNonceMismatch},
		{check: "nonce", token: claim(func(c map[string]any) { c["nonce"] = "other" }), opts: refresh, wantReason: "nonce mismatch", wantIs: oauth.ErrNonceMismatch},
		{check: "sub-required", token: claim(func(c map[string]any) { delete(c, "sub") }), opts: login, wantReason: "no sub claim"},
		{check: "refresh-sub", token: claim(func(c map[string]any) { c["sub"] = "00uOTHER" }), opts: refresh, wantReason: "sub differs from the original ID token's"},
		{check: "at-hash", token: claim(func(c map[string]any) { c["at_hash"] = rightHalf }), opts: login, wantReason: "at_hash does not match the access token", wantIs: oauth.ErrAtHashMismatch},
		{check: "at-hash", token: claim(func(c map[string]any) { c["at_hash"] = "" }), opts: refresh, wantReason: "at_hash does not match the access token", wantIs: oauth.ErrAtHashMismatch},
	}
	for _, tt := range tests {
		name := tt.check
		if name == "" {
			name = "valid"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			op := newOP(t, jwk(keys.rsa1(), "k1", "RS256"), jwk(keys.ec(), "ec1", "ES256"), jwk(keys.ec(), "ec-noalg", ""))
			p := op.provider(oauth.ProviderOptions{})
			raw := tt.token(env{op})
			got, err := p.VerifyIDTokenWith(t.Context(), raw, tt.opts)
			if tt.wantReason == "" {
				if err != nil {
					t.Fatalf("VerifyIDTokenWith() = %v, want success", err)
				}
				if got.Subject != "00u1abcd" {
					t.Errorf("Subject = %q", got.Subject)
				}
				return
			}
			var ite *oauth.IDTokenError
			if !errors.As(err, &ite) {
				t.Fatalf("err = %v, want *IDTokenError %q", err, tt.wantReason)
			}
			if ite.Reason != tt.wantReason {
				t.Errorf("Reason = %q, want %q", ite.Reason, tt.wantReason)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(err, %v) = false", tt.wantIs)
			}
			if strings.Contains(err.Error(), canary) {
				t.Errorf("error leaks the access token: %v", err)
			}
		})
	}
}

func TestVerifyIDTokenWithMisuse(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	op := newOP(t, jwk(keys.rsa1(), "k1", "RS256"))
	p := op.provider(oauth.ProviderOptions{})
	raw := signToken(t, keys.rsa1(), rs256("k1"), op.claims())
	for _, o := range []oauth.VerifyOptions{
		{Nonce: testNonce},
		{ClientID: testClientID, Refresh: true},
	} {
		if _, err := p.VerifyIDTokenWith(t.Context(), raw, o); err == nil {
			t.Errorf("VerifyIDTokenWith(%+v) succeeded, want an error", o)
		}
	}
	if op.jwksHits.Load() != 0 {
		t.Errorf("JWKS fetches = %d, want 0", op.jwksHits.Load())
	}
}

// TestAtHashAlgorithms checks that at_hash uses the hash of the token's
// algorithm: SHA-256 for ES256 too.
func TestAtHashES256(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	op := newOP(t, jwk(keys.ec(), "ec1", "ES256"))
	p := op.provider(oauth.ProviderOptions{SigningAlgs: []jose.SignatureAlgorithm{jose.ES256}})
	sum := sha256.Sum256([]byte("access"))
	c := op.claims()
	c["at_hash"] = base64.RawURLEncoding.EncodeToString(sum[:16])
	raw := signToken(t, keys.ec(), map[string]any{"alg": "ES256", "kid": "ec1"}, c)
	if _, err := p.VerifyIDTokenWith(t.Context(), raw, oauth.VerifyOptions{ClientID: testClientID, Nonce: testNonce, AccessToken: "access"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.VerifyIDTokenWith(t.Context(), raw, oauth.VerifyOptions{ClientID: testClientID, Nonce: testNonce, AccessToken: "other"}); !errors.Is(err, oauth.ErrAtHashMismatch) {
		t.Fatalf("err = %v, want ErrAtHashMismatch", err)
	}
}

// TestJWKSMaxAge checks that keys older than the JWKS max-age are fetched
// again before use, no sooner than the cooldown, and kept when the
// refetch fails.
func TestJWKSMaxAge(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	tests := []struct {
		name   string
		cc     string
		steps  []time.Duration // clock advance before each verification
		down   int             // from this step on the JWKS answers 500 (-1: never)
		hits   []int32         // JWKS fetches after each verification
		maxAge time.Duration
	}{
		{name: "max-age 60", cc: "max-age=60", steps: []time.Duration{0, 30 * time.Second, 31 * time.Second, 10 * time.Second}, down: -1, hits: []int32{1, 1, 2, 2}},
		{name: "max-age below the cooldown floor", cc: "max-age=1", steps: []time.Duration{0, 10 * time.Second, 21 * time.Second}, down: -1, hits: []int32{1, 1, 2}},
		{name: "no header: an hour", cc: "", steps: []time.Duration{0, 59 * time.Minute, 2 * time.Minute}, down: -1, hits: []int32{1, 1, 2}},
		{name: "refetch fails: cached keys kept", cc: "max-age=60", steps: []time.Duration{0, 61 * time.Second, time.Second, 31 * time.Second}, down: 1, hits: []int32{1, 2, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := newOP(t, jwk(keys.rsa1(), "k1", "RS256"))
			op.mu.Lock()
			op.jwksCacheCtl = tt.cc
			op.mu.Unlock()
			p := op.provider(oauth.ProviderOptions{})
			for i, d := range tt.steps {
				op.clock.Advance(d)
				if i == tt.down {
					op.setJWKSStatus(500)
				}
				raw := signToken(t, keys.rsa1(), rs256("k1"), op.claims())
				if _, err := p.VerifyIDToken(t.Context(), raw, testClientID, testNonce); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if got := op.jwksHits.Load(); got != tt.hits[i] {
					t.Fatalf("step %d: JWKS fetches = %d, want %d", i, got, tt.hits[i])
				}
			}
		})
	}
}
