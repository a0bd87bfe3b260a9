package oauth

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/goidx/goidx/internal/transport"
)

// FuzzTokenResponse checks that parsing a token endpoint answer never
// panics and accepts only well-formed successes: a 2xx JSON object
// without "error", with access_token and token_type, and an expires_in
// within bounds.
func FuzzTokenResponse(f *testing.F) {
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"token_type":"Bearer","expires_in":3600,"access_token":"at","scope":"openid","refresh_token":"rt","id_token":"a.b.c"}`},
		{200, `{"token_type":"Bearer","access_token":"at","expires_in":"60"}`},
		{200, `{"token_type":"Bearer","access_token":"at","expires_in":-1}`},
		{200, `{"token_type":"Bearer","access_token":"at","expires_in":1e400}`},
		{200, `{"token_type":"Bearer","access_token":"at","expires_in":9.9e18}`},
		{200, `{"error":"invalid_grant","access_token":"at","token_type":"Bearer"}`},
		{400, `{"error":"invalid_grant","error_description":"The refresh token is invalid or expired."}`},
		{200, `{"token_type":"Bearer"}`},
		{200, `[]`},
		{200, ``},
		{502, `<html>bad gateway</html>`},
		{200, `{"access_token":"a","token_type":"b","access_token":""}`},
		{200, "{\"access_token\":\"\\u0000\",\"token_type\":\"\\ud800\"}"},
	} {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		tr, err := parseTokenResponse(&transport.Response{StatusCode: status, Header: http.Header{}, Body: body})
		if err != nil {
			if tr != nil {
				t.Fatal("a response and an error")
			}
			return
		}
		if status < 200 || status > 299 {
			t.Fatalf("accepted HTTP %d", status)
		}
		if tr.AccessToken == "" || tr.TokenType == "" {
			t.Fatalf("accepted without access_token or token_type: %s", body)
		}
		if tr.ExpiresIn < 0 || tr.ExpiresIn > MaxExpiresIn {
			t.Fatalf("expires_in %d out of bounds", tr.ExpiresIn)
		}
		if !json.Valid(body) || !bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{")) {
			t.Fatalf("accepted a body that is not a JSON object: %q", body)
		}
		var e struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(body, &e); err != nil || e.Error != "" {
			t.Fatalf("accepted a body with an error member: %q", body)
		}
	})
}

// fuzzIssuer, fuzzNow and fuzzSeed fix the verifier's world, so that the
// committed corpus stays meaningful: a fixed Ed25519 key (whose signatures
// are deterministic) and a fixed clock.
const fuzzIssuer = "https://fuzz.example.com/oauth2/default"

var (
	fuzzNow  = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fuzzSeed = bytes.Repeat([]byte{0x5a}, ed25519.SeedSize)
)

// fuzzProvider returns a Provider whose JWKS cache holds the fixed key
// under kid "k1" (EdDSA) and which never fetches anything.
func fuzzProvider(tb testing.TB) *Provider {
	tb.Helper()
	tc, err := transport.New(transport.Options{Origins: []string{"https://fuzz.example.com"}})
	if err != nil {
		tb.Fatal(err)
	}
	p, err := NewProvider(fuzzIssuer, tc, ProviderOptions{
		Now:         func() time.Time { return fuzzNow },
		SigningAlgs: []jose.SignatureAlgorithm{jose.EdDSA, jose.RS256},
	})
	if err != nil {
		tb.Fatal(err)
	}
	priv := ed25519.NewKeyFromSeed(fuzzSeed)
	p.keys = map[string][]jose.JSONWebKey{"k1": {{Key: priv.Public(), KeyID: "k1", Algorithm: string(jose.EdDSA), Use: "sig"}}}
	p.keysAt = fuzzNow                         // within the cooldown: no fetch
	p.keysExpire = fuzzNow.Add(24 * time.Hour) // never stale
	return p
}

// fuzzValidToken returns the one token the fuzz verifier accepts.
func fuzzValidToken(tb testing.TB) string {
	tb.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: ed25519.NewKeyFromSeed(fuzzSeed), KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(map[string]any{
		"iss": fuzzIssuer, "sub": "00u1fuzz", "aud": "client-1", "nonce": "nonce-1",
		"iat": fuzzNow.Unix(), "exp": fuzzNow.Add(time.Hour).Unix(), "at_hash": atHashFor("access-1"),
	}).Serialize()
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// atHashFor is the at_hash of at in an EdDSA-signed token: the left half
// of its SHA-512 hash.
func atHashFor(at string) string {
	sum := sha512.Sum512([]byte(at))
	return base64.RawURLEncoding.EncodeToString(sum[:32])
}

// FuzzVerifyIDToken checks that the ID token verifier never panics and
// never accepts a token other than the one valid token, byte for byte.
func FuzzVerifyIDToken(f *testing.F) {
	p := fuzzProvider(f)
	valid := fuzzValidToken(f)
	parts := strings.Split(valid, ".")
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, s := range []string{
		valid,
		parts[0] + "." + parts[1] + ".",
		b64(`{"alg":"none","kid":"k1"}`) + "." + parts[1] + ".",
		b64(`{"alg":"HS256","kid":"k1"}`) + "." + parts[1] + "." + parts[2],
		b64(`{"alg":"EdDSA","kid":"k2"}`) + "." + parts[1] + "." + parts[2],
		b64(`{"alg":"EdDSA","kid":"k1","jku":"https://evil.example/keys"}`) + "." + parts[1] + "." + parts[2],
		b64(`{"alg":"EdDSA","kid":"k1","crit":["exp"],"exp":1}`) + "." + parts[1] + "." + parts[2],
		parts[0] + "." + b64(`{"iss":"`+fuzzIssuer+`","sub":"00uADMIN","aud":"client-1","nonce":"nonce-1","iat":1772366400,"exp":1772370000}`) + "." + parts[2],
		valid + ".x.y",
		strings.Repeat(".", 100),
		"",
		valid[:len(valid)-1] + "B",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := p.VerifyIDTokenWith(context.Background(), raw, VerifyOptions{ClientID: "client-1", Nonce: "nonce-1", AccessToken: "access-1"})
		if err == nil {
			if raw != valid {
				t.Fatalf("accepted a token other than the valid one: %q", raw)
			}
			if c.Subject != "00u1fuzz" {
				t.Fatalf("Subject = %q", c.Subject)
			}
		}
	})
}

// TestFuzzValidTokenVerifies keeps the fuzz targets' positive control
// honest: the valid token verifies.
func TestFuzzValidTokenVerifies(t *testing.T) {
	p := fuzzProvider(t)
	if _, err := p.VerifyIDTokenWith(context.Background(), fuzzValidToken(t), VerifyOptions{ClientID: "client-1", Nonce: "nonce-1", AccessToken: "access-1"}); err != nil {
		t.Fatal(err)
	}
}
