package oauth_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/oauth"
	"github.com/goidx/goidx/internal/testclock"
	"github.com/goidx/goidx/internal/transport"
)

const (
	testClientID = "client-1"
	testNonce    = "nonce-1"
	canary       = "CANARY-s3cr3t-91ab"
)

// testKeys are signing keys: rsa1 and rsa2 for the fake server's JWKS,
// other for an attacker, ec for ES256.
type testKeys struct {
	rsa1, rsa2, other func() *rsa.PrivateKey
	ec                func() *ecdsa.PrivateKey
}

// packageKeys are generated at most once per test binary, each on first
// use, since RSA key generation is slow (especially with -race). Tests
// share them but never a server: each test starts its own testOP, so the
// keys a server publishes, its caches and its counters stay per test.
var packageKeys = func() *testKeys {
	gen := func() func() *rsa.PrivateKey {
		return sync.OnceValue(func() *rsa.PrivateKey {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			return k
		})
	}
	ec := sync.OnceValue(func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	})
	return &testKeys{rsa1: gen(), rsa2: gen(), other: gen(), ec: ec}
}()

// newKeys returns the package's shared test keys.
func newKeys(t *testing.T) *testKeys {
	t.Helper()
	return packageKeys
}

// jwk returns the public JWK of key with the given kid.
func jwk(key crypto.Signer, kid, alg string) jose.JSONWebKey {
	return jose.JSONWebKey{Key: key.Public(), KeyID: kid, Algorithm: alg, Use: "sig"}
}

// testOP is a fake authorization server: discovery, JWKS and whatever
// handlers a test adds to mux.
type testOP struct {
	t      *testing.T
	srv    *httptest.Server
	mux    *http.ServeMux
	issuer string
	clock  *testclock.Clock

	mu           sync.Mutex
	jwks         []byte
	jwksStatus   int
	discovery    []byte
	cacheCtl     string
	jwksCacheCtl string
	jwksGate     chan struct{} // when set, JWKS requests wait for it
	jwksStarted  chan struct{}

	discoveryHits atomic.Int32
	jwksHits      atomic.Int32
}

// fixtureOrigin is the origin of the URLs in testdata/openid-configuration.json;
// newOP replaces it with the fake server's.
const fixtureOrigin = "https://example.okta.com"

// newOP starts a fake server whose JWKS holds keys.
func newOP(t *testing.T, keys ...jose.JSONWebKey) *testOP {
	t.Helper()
	op := &testOP{t: t, mux: http.NewServeMux(), clock: testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)), jwksStatus: http.StatusOK}
	op.srv = httptest.NewServer(op.mux)
	t.Cleanup(op.srv.Close)
	op.issuer = op.srv.URL + "/oauth2/default"

	op.discovery = []byte(strings.ReplaceAll(fixture(t, "openid-configuration.json"), fixtureOrigin, op.srv.URL))
	op.setKeys(keys...)

	op.mux.HandleFunc("GET /oauth2/default/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		op.discoveryHits.Add(1)
		op.mu.Lock()
		body, cc := op.discovery, op.cacheCtl
		op.mu.Unlock()
		if cc != "" {
			w.Header().Set("Cache-Control", cc)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	op.mux.HandleFunc("GET /oauth2/default/v1/keys", func(w http.ResponseWriter, r *http.Request) {
		op.jwksHits.Add(1)
		op.mu.Lock()
		body, status, gate, started, cc := op.jwks, op.jwksStatus, op.jwksGate, op.jwksStarted, op.jwksCacheCtl
		op.mu.Unlock()
		if cc != "" {
			w.Header().Set("Cache-Control", cc)
		}
		if started != nil {
			select {
			case started <- struct{}{}:
			default:
			}
		}
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		if status != http.StatusOK {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			_, _ = w.Write([]byte("<html>down</html>"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	return op
}

func (op *testOP) setKeys(keys ...jose.JSONWebKey) {
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		op.t.Fatal(err)
	}
	op.mu.Lock()
	op.jwks = b
	op.mu.Unlock()
}

func (op *testOP) setJWKSStatus(status int) {
	op.mu.Lock()
	op.jwksStatus = status
	op.mu.Unlock()
}

// transport returns a transport client pinned to the fake server.
func (op *testOP) transport() *transport.Client {
	op.t.Helper()
	tc, err := transport.New(transport.Options{
		HTTPClient:   op.srv.Client(),
		Origins:      []string{op.srv.URL},
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	})
	if err != nil {
		op.t.Fatal(err)
	}
	return tc
}

// provider returns a new Provider for the fake server.
func (op *testOP) provider(o oauth.ProviderOptions) *oauth.Provider {
	op.t.Helper()
	if o.Now == nil {
		o.Now = op.clock.Now
	}
	p, err := oauth.NewProvider(op.issuer, op.transport(), o)
	if err != nil {
		op.t.Fatal(err)
	}
	return p
}

// claims returns valid ID token claims at the current fake time.
func (op *testOP) claims() map[string]any {
	now := op.clock.Now()
	return map[string]any{
		"iss":       op.issuer,
		"sub":       "00u1abcd",
		"aud":       testClientID,
		"exp":       now.Add(time.Hour).Unix(),
		"iat":       now.Unix(),
		"auth_time": now.Add(-time.Minute).Unix(),
		"nonce":     testNonce,
		"email":     "user@example.com",
	}
}

func b64JSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// signToken builds a compact JWS with the given header and claims, signed
// with key according to header["alg"]: RS256 with an *rsa.PrivateKey, ES256
// with an *ecdsa.PrivateKey, HS256 with a []byte secret, "none" unsigned.
func signToken(t *testing.T, key any, header, claims map[string]any) string {
	t.Helper()
	input := b64JSON(t, header) + "." + b64JSON(t, claims)
	sum := sha256.Sum256([]byte(input))
	var sig []byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		s, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = s
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = append(pad32(r), pad32(s)...)
	case []byte:
		m := hmac.New(sha256.New, k)
		m.Write([]byte(input))
		sig = m.Sum(nil)
	case nil:
	default:
		t.Fatalf("unsupported key %T", key)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func pad32(n *big.Int) []byte {
	b := make([]byte, 32)
	return n.FillBytes(b)
}

func rs256(kid string) map[string]any {
	return map[string]any{"alg": "RS256", "kid": kid, "typ": "JWT"}
}

// wantOutcome checks the result of a call to an endpoint: with wantErr,
// err must be a *TokenError equal to it; with wantIs, err must match it;
// with neither, the call must succeed and got equal want (named what).
func wantOutcome[T any](t *testing.T, what string, got T, err error, want T, wantErr *oauth.TokenError, wantIs error) {
	t.Helper()
	switch {
	case wantErr != nil:
		var te *oauth.TokenError
		if !errors.As(err, &te) {
			t.Fatalf("err = %v, want *TokenError", err)
		}
		if diff := cmp.Diff(wantErr, te); diff != "" {
			t.Errorf("TokenError mismatch (-want +got):\n%s", diff)
		}
	case wantIs != nil:
		if !errors.Is(err, wantIs) {
			t.Fatalf("err = %v, want %v", err, wantIs)
		}
	default:
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", what, diff)
		}
	}
}
