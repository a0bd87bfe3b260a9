package oauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/goidx/goidx/internal/oauth"
	"github.com/goidx/goidx/internal/transport"
)

// BenchmarkVerifyIDToken verifies an Okta-shaped RS256 ID token with the
// JWKS already cached: what every sign-in after the first pays.
func BenchmarkVerifyIDToken(b *testing.B) {
	key := packageKeys.rsa1()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	issuer := srv.URL + "/oauth2/default"
	mux.HandleFunc("GET /oauth2/default/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": issuer, "jwks_uri": issuer + "/v1/keys"})
	})
	mux.HandleFunc("GET /oauth2/default/v1/keys", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk(key, "k1", "RS256")}})
	})
	tc, err := transport.New(transport.Options{HTTPClient: srv.Client(), Origins: []string{srv.URL}})
	if err != nil {
		b.Fatal(err)
	}
	p, err := oauth.NewProvider(issuer, tc, oauth.ProviderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	// The claims of an idxtest (and Okta) ID token with profile and email.
	raw, err := jwt.Signed(signer).Claims(map[string]any{
		"sub": "00uidxtestdemo0001", "name": "Demo User", "given_name": "Demo", "family_name": "User",
		"locale": "en_US", "email": "demo@example.com", "email_verified": true, "ver": 1,
		"iss": issuer, "aud": testClientID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"jti": "ID.r4nd0m-j71-0123456789abcdefghijklmnopqrstuv", "amr": []string{"pwd", "email"},
		"idp": "00o1abcdefghijklmnop", "nonce": testNonce, "preferred_username": "demo@example.com",
		"auth_time": now.Unix(), "at_hash": "AbCdEfGhIjKlMnOpQrStUv",
	}).Serialize()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := p.VerifyIDToken(ctx, raw, testClientID, testNonce); err != nil { // warm the JWKS cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.VerifyIDToken(ctx, raw, testClientID, testNonce); err != nil {
			b.Fatal(err)
		}
	}
}
