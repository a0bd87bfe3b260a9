package oauth_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/oauth"
)

func TestRefresh(t *testing.T) {
	t.Parallel()
	auth := oauth.ClientAuth{Method: oauth.AuthClientSecretPost, ClientID: testClientID, ClientSecret: canary}
	tests := []struct {
		name    string
		status  int
		body    string
		scopes  []string
		want    *oauth.TokenResponse
		wantErr *oauth.TokenError
		wantIs  error
	}{
		{
			name: "rotated refresh token", status: 200,
			body: `{"token_type":"Bearer","access_token":"at2","refresh_token":"rt2","id_token":"it2","scope":"openid offline_access","expires_in":3600}`,
			want: &oauth.TokenResponse{TokenType: "Bearer", AccessToken: "at2", RefreshToken: "rt2", IDToken: "it2", Scope: "openid offline_access", ExpiresIn: 3600},
		},
		{
			name: "no new refresh token, narrowed scope", status: 200, scopes: []string{"openid", "offline_access"},
			body: `{"token_type":"Bearer","access_token":"at2","expires_in":60}`,
			want: &oauth.TokenResponse{TokenType: "Bearer", AccessToken: "at2", ExpiresIn: 60},
		},
		{name: "negative expires_in", status: 200, body: `{"token_type":"Bearer","access_token":"a","expires_in":-100}`, want: &oauth.TokenResponse{TokenType: "Bearer", AccessToken: "a"}},
		{name: "huge expires_in", status: 200, body: `{"token_type":"Bearer","access_token":"a","expires_in":99999999999999999999}`, want: &oauth.TokenResponse{TokenType: "Bearer", AccessToken: "a", ExpiresIn: oauth.MaxExpiresIn}},
		{name: "fractional expires_in", status: 200, body: `{"token_type":"Bearer","access_token":"a","expires_in":59.9}`, want: &oauth.TokenResponse{TokenType: "Bearer", AccessToken: "a", ExpiresIn: 59}},
		{name: "string expires_in", status: 200, body: `{"token_type":"Bearer","access_token":"a","expires_in":"120"}`, want: &oauth.TokenResponse{TokenType: "Bearer", AccessToken: "a", ExpiresIn: 120}},
		{name: "overflowing expires_in", status: 200, body: `{"token_type":"Bearer","access_token":"a","expires_in":1e400}`, wantIs: oauth.ErrMalformedResponse},
		{name: "invalid_grant", status: 400, body: `{"error":"invalid_grant","error_description":"The refresh token is invalid or expired."}`,
			wantErr: &oauth.TokenError{StatusCode: 400, Code: "invalid_grant", Description: "The refresh token is invalid or expired."}},
		{name: "200 carrying error", status: 200, body: `{"error":"invalid_grant","access_token":"a","token_type":"Bearer"}`, wantErr: &oauth.TokenError{StatusCode: 200, Code: "invalid_grant"}},
		{name: "missing access_token", status: 200, body: `{"token_type":"Bearer","refresh_token":"rt2"}`, wantIs: oauth.ErrMalformedResponse},
		{name: "HTML error page", status: 502, body: `<html>bad gateway</html>`, wantIs: nil, wantErr: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := newOP(t)
			reqs, mu := op.endpoint("POST /oauth2/default/v1/token", tt.status, tt.body)
			p := op.provider(oauth.ProviderOptions{})
			got, err := p.Refresh(t.Context(), oauth.RefreshRequest{Auth: auth, RefreshToken: "rt-" + canary, Scopes: tt.scopes})
			if tt.want == nil && tt.wantErr == nil && tt.wantIs == nil {
				if err == nil {
					t.Fatal("Refresh succeeded, want an error")
				}
			} else {
				wantOutcome(t, "TokenResponse", got, err, tt.want, tt.wantErr, tt.wantIs)
			}
			if err != nil && strings.Contains(fmt.Sprintf("%v %+v", err, err), canary) {
				t.Errorf("error leaks a secret: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(*reqs) != 1 {
				t.Fatalf("requests = %d, want 1 (no retry)", len(*reqs))
			}
			r := (*reqs)[0]
			want := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt-" + canary}, "client_id": {testClientID}, "client_secret": {canary}}
			if len(tt.scopes) > 0 {
				want.Set("scope", strings.Join(tt.scopes, " "))
			}
			if diff := cmp.Diff(want, r.Form); diff != "" {
				t.Errorf("form mismatch (-want +got):\n%s", diff)
			}
			if r.RawQuery != "" {
				t.Errorf("RawQuery = %q, want empty", r.RawQuery)
			}
		})
	}
}

func TestRefreshMisuse(t *testing.T) {
	t.Parallel()
	op := newOP(t)
	p := op.provider(oauth.ProviderOptions{})
	for _, r := range []oauth.RefreshRequest{
		{Auth: oauth.ClientAuth{ClientID: testClientID}},
		{Auth: oauth.ClientAuth{}, RefreshToken: "rt"},
		{Auth: oauth.ClientAuth{Method: oauth.AuthPrivateKeyJWT, ClientID: testClientID}, RefreshToken: "rt"},
	} {
		if _, err := p.Refresh(t.Context(), r); err == nil {
			t.Errorf("Refresh(%v) succeeded, want an error", r.Auth)
		}
	}
	if n := op.discoveryHits.Load(); n != 0 {
		t.Errorf("discovery fetches = %d, want 0", n)
	}
}

// wrappedSigner hides the concrete key type, as an HSM or KMS signer
// would.
type wrappedSigner struct{ s crypto.Signer }

func (w wrappedSigner) Public() crypto.PublicKey { return w.s.Public() }
func (w wrappedSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	return w.s.Sign(r, d, o)
}

func TestPrivateKeyJWT(t *testing.T) {
	t.Parallel()
	keys := newKeys(t)
	tests := []struct {
		name   string
		signer crypto.Signer
		alg    jose.SignatureAlgorithm
		kid    string
	}{
		{"RSA", keys.rsa2(), jose.RS256, "client-key-1"},
		{"ECDSA", keys.ec(), jose.ES256, ""},
		{"opaque ECDSA signer", wrappedSigner{keys.ec()}, jose.ES256, "kms"},
		{"opaque RSA signer", wrappedSigner{keys.rsa2()}, jose.RS256, "kms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := newOP(t)
			reqs, mu := op.endpoint("POST /oauth2/default/v1/token", 200, `{"token_type":"Bearer","access_token":"a"}`)
			_, _ = op.endpoint("POST /oauth2/default/v1/introspect", 200, `{"active":false}`)
			p := op.provider(oauth.ProviderOptions{})
			auth := oauth.ClientAuth{Method: oauth.AuthPrivateKeyJWT, ClientID: testClientID, Signer: tt.signer, KeyID: tt.kid}
			for range 2 {
				if _, err := p.Refresh(t.Context(), oauth.RefreshRequest{Auth: auth, RefreshToken: "rt"}); err != nil {
					t.Fatal(err)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			seen := map[string]bool{}
			for _, r := range *reqs {
				if h := r.Header.Get("Authorization"); h != "" {
					t.Errorf("Authorization = %q, want none", h)
				}
				if r.Form.Has("client_secret") {
					t.Error("client_secret sent")
				}
				if got := r.Form.Get("client_assertion_type"); got != oauth.AssertionType {
					t.Errorf("client_assertion_type = %q", got)
				}
				tok, err := jwt.ParseSigned(r.Form.Get("client_assertion"), []jose.SignatureAlgorithm{tt.alg})
				if err != nil {
					t.Fatal(err)
				}
				if got := tok.Headers[0].KeyID; got != tt.kid {
					t.Errorf("kid = %q, want %q", got, tt.kid)
				}
				var c jwt.Claims
				if err := tok.Claims(tt.signer.Public(), &c); err != nil {
					t.Fatalf("assertion signature: %v", err)
				}
				now := op.clock.Now()
				if c.Issuer != testClientID || c.Subject != testClientID {
					t.Errorf("iss, sub = %q, %q, want the client ID", c.Issuer, c.Subject)
				}
				if diff := cmp.Diff(jwt.Audience{op.issuer + "/v1/token"}, c.Audience); diff != "" {
					t.Errorf("aud mismatch (-want +got):\n%s", diff)
				}
				if !c.IssuedAt.Time().Equal(now.Truncate(time.Second)) || !c.Expiry.Time().Equal(now.Add(oauth.AssertionLifetime).Truncate(time.Second)) {
					t.Errorf("iat, exp = %v, %v; now %v", c.IssuedAt.Time(), c.Expiry.Time(), now)
				}
				if len(c.ID) < 22 || seen[c.ID] {
					t.Errorf("jti %q is short or repeated", c.ID)
				}
				seen[c.ID] = true
			}
		})
	}
}

func TestPrivateKeyJWTValidation(t *testing.T) {
	t.Parallel()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys := newKeys(t)
	for name, a := range map[string]oauth.ClientAuth{
		"no signer":      {Method: oauth.AuthPrivateKeyJWT, ClientID: "c"},
		"short RSA":      {Method: oauth.AuthPrivateKeyJWT, ClientID: "c", Signer: small},
		"P-384":          {Method: oauth.AuthPrivateKeyJWT, ClientID: "c", Signer: p384},
		"secret as well": {Method: oauth.AuthPrivateKeyJWT, ClientID: "c", Signer: keys.ec(), ClientSecret: "s"},
	} {
		if err := a.Validate(); err == nil {
			t.Errorf("%s: Validate() = nil, want an error", name)
		}
	}
	a := oauth.ClientAuth{Method: oauth.AuthPrivateKeyJWT, ClientID: "c", Signer: keys.ec(), KeyID: "k"}
	if err := a.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
	if s := fmt.Sprintf("%v %+v %#v", a, a, a); strings.Contains(s, keys.ec().D.String()) || !strings.Contains(s, "Signer: <redacted>") {
		t.Errorf("fmt shows the key: %s", s)
	}
	if err := a.ApplyTo(url.Values{}, http.Header{}, "", time.Now()); err == nil {
		t.Error("ApplyTo without an endpoint succeeded")
	}
}

// TestBasicAuthEscaping checks that client_secret_basic form-URL-encodes
// the ID and the secret before base64 (RFC 6749 §2.3.1), for characters
// that matter: ':' '%' '+' space and non-ASCII.
func TestBasicAuthEscaping(t *testing.T) {
	t.Parallel()
	id, secret := "client:ü%+ 1", "s:e%c+r ét/="
	a := oauth.ClientAuth{Method: oauth.AuthClientSecretBasic, ClientID: id, ClientSecret: secret}
	h := http.Header{}
	form := url.Values{}
	if err := a.ApplyTo(form, h, "https://example.okta.com/oauth2/default/v1/token", time.Now()); err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h.Get("Authorization"), "Basic "))
	if err != nil {
		t.Fatal(err)
	}
	want := "client%3A%C3%BC%25%2B+1:s%3Ae%25c%2Br+%C3%A9t%2F%3D"
	if string(raw) != want {
		t.Errorf("credentials = %q, want %q", raw, want)
	}
	u, s, _ := strings.Cut(string(raw), ":")
	gotID, _ := url.QueryUnescape(u)
	gotSecret, _ := url.QueryUnescape(s)
	if gotID != id || gotSecret != secret {
		t.Errorf("decoded = %q, %q", gotID, gotSecret)
	}
	if form.Has("client_secret") {
		t.Error("client_secret in the form as well")
	}
}

func TestIntrospect(t *testing.T) {
	t.Parallel()
	auth := oauth.ClientAuth{Method: oauth.AuthClientSecretBasic, ClientID: testClientID, ClientSecret: canary}
	tests := []struct {
		name    string
		status  int
		body    string
		want    *oauth.Introspection
		wantErr *oauth.TokenError
		wantIs  error
	}{
		{name: "active", status: 200, body: `{"active":true,"sub":"u@example.com","uid":"00u1","exp":1700000000,"scope":"openid","client_id":"client-1","token_type":"Bearer"}`,
			want: &oauth.Introspection{Active: true, Claims: map[string]any{"active": true, "sub": "u@example.com", "uid": "00u1", "exp": float64(1700000000), "scope": "openid", "client_id": "client-1", "token_type": "Bearer"}}},
		{name: "inactive hides the rest", status: 200, body: `{"active":false,"sub":"x"}`, want: &oauth.Introspection{Active: false, Claims: map[string]any{"active": false}}},
		{name: "no active", status: 200, body: `{"sub":"x"}`, wantIs: oauth.ErrMalformedResponse},
		{name: "active not a boolean", status: 200, body: `{"active":"true"}`, wantIs: oauth.ErrMalformedResponse},
		{name: "invalid_client", status: 401, body: `{"error":"invalid_client","error_description":"Client authentication failed."}`,
			wantErr: &oauth.TokenError{StatusCode: 401, Code: "invalid_client", Description: "Client authentication failed."}},
		{name: "200 carrying error", status: 200, body: `{"error":"invalid_request","active":true}`, wantErr: &oauth.TokenError{StatusCode: 200, Code: "invalid_request"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := newOP(t)
			reqs, mu := op.endpoint("POST /oauth2/default/v1/introspect", tt.status, tt.body)
			p := op.provider(oauth.ProviderOptions{})
			got, err := p.Introspect(t.Context(), auth, "at-"+canary, "access_token")
			wantOutcome(t, "Introspection", got, err, tt.want, tt.wantErr, tt.wantIs)
			mu.Lock()
			defer mu.Unlock()
			r := (*reqs)[0]
			want := url.Values{"token": {"at-" + canary}, "token_type_hint": {"access_token"}, "client_id": {testClientID}}
			if diff := cmp.Diff(want, r.Form); diff != "" {
				t.Errorf("form mismatch (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(r.Header.Get("Authorization"), "Basic ") {
				t.Error("no Basic authentication")
			}
		})
	}
}
