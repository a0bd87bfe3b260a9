package oauth_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/oauth"
	"github.com/goidx/goidx/internal/transport"
)

func TestNewProvider(t *testing.T) {
	t.Parallel()
	tcFor := func(origins ...string) *transport.Client {
		tc, err := transport.New(transport.Options{Origins: origins})
		if err != nil {
			t.Fatal(err)
		}
		return tc
	}
	tests := []struct {
		name     string
		issuer   string
		tc       *transport.Client
		o        oauth.ProviderOptions
		wantErr  bool
		wantBase string
	}{
		{"custom AS", "https://org.example.com/oauth2/default", tcFor(), oauth.ProviderOptions{}, false, "https://org.example.com/oauth2/default/v1"},
		{"org AS", "https://org.example.com", tcFor("https://org.example.com"), oauth.ProviderOptions{}, false, "https://org.example.com/oauth2/v1"},
		{"org AS with slash", "https://org.example.com/", tcFor(), oauth.ProviderOptions{}, false, "https://org.example.com/oauth2/v1"},
		{"http loopback allowed", "http://127.0.0.1:8080/oauth2/default", tcFor(), oauth.ProviderOptions{}, false, "http://127.0.0.1:8080/oauth2/default/v1"},
		{"http localhost allowed", "http://localhost:8080", tcFor(), oauth.ProviderOptions{}, false, "http://localhost:8080/oauth2/v1"},
		{"http non-loopback refused", "http://org.example.com/oauth2/default", tcFor(), oauth.ProviderOptions{}, true, ""},
		{"http loopback-looking name refused", "http://127.0.0.1.example.com/oauth2/default", tcFor(), oauth.ProviderOptions{}, true, ""},
		{"nil transport", "https://org.example.com", nil, oauth.ProviderOptions{}, true, ""},
		{"relative", "/oauth2/default", tcFor(), oauth.ProviderOptions{}, true, ""},
		{"query", "https://org.example.com/oauth2/default?x=1", tcFor(), oauth.ProviderOptions{}, true, ""},
		{"user info", "https://u:p@org.example.com/oauth2/default", tcFor(), oauth.ProviderOptions{}, true, ""},
		{"origin not allowed by transport", "https://org.example.com", tcFor("https://other.example.com"), oauth.ProviderOptions{}, true, ""},
		{"HS256 not allowed", "https://org.example.com", tcFor(), oauth.ProviderOptions{SigningAlgs: []jose.SignatureAlgorithm{jose.HS256}}, true, ""},
		{"none not allowed", "https://org.example.com", tcFor(), oauth.ProviderOptions{SigningAlgs: []jose.SignatureAlgorithm{"none"}}, true, ""},
		{"leeway too large", "https://org.example.com", tcFor(), oauth.ProviderOptions{Leeway: time.Hour}, true, ""},
		{"negative cooldown", "https://org.example.com", tcFor(), oauth.ProviderOptions{JWKSRefreshCooldown: -1}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := oauth.NewProvider(tt.issuer, tt.tc, tt.o)
			if tt.wantErr {
				// Package idx prefixes what reaches callers; this
				// package adds no prefix of its own.
				if err == nil || strings.HasPrefix(err.Error(), "oauth: ") {
					t.Errorf("NewProvider() error = %v, want an error without a package prefix", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := []string{p.Issuer(), p.BaseURL()}; !cmp.Equal(got, []string{tt.issuer, tt.wantBase}) {
				t.Errorf("Issuer, BaseURL = %q, want %q, %q", got, tt.issuer, tt.wantBase)
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	op := newOP(t)
	p := op.provider(oauth.ProviderOptions{})
	got, err := p.Metadata(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b := op.srv.URL + "/oauth2/default"
	want := &oauth.Metadata{
		Issuer:                b,
		AuthorizationEndpoint: b + "/v1/authorize",
		TokenEndpoint:         b + "/v1/token",
		UserinfoEndpoint:      b + "/v1/userinfo",
		JWKSURI:               b + "/v1/keys",
		RevocationEndpoint:    b + "/v1/revoke",
		IntrospectionEndpoint: b + "/v1/introspect",
		EndSessionEndpoint:    b + "/v1/logout",
		IDTokenSigningAlgs:    []string{"RS256"},
		CodeChallengeMethods:  []string{"S256"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Metadata mismatch (-want +got):\n%s", diff)
	}
	got.IDTokenSigningAlgs[0] = "mutated"
	again, _ := p.Metadata(t.Context())
	if again.IDTokenSigningAlgs[0] != "RS256" {
		t.Error("Metadata returned the cached value, not a copy")
	}
	if op.discoveryHits.Load() != 1 {
		t.Errorf("discovery fetches = %d, want 1", op.discoveryHits.Load())
	}
}

func TestMetadataCaching(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		cacheCtl  string
		advance   time.Duration
		wantFetch int32
	}{
		{"default one hour, not expired", "", 59 * time.Minute, 1},
		{"default one hour, expired", "", 61 * time.Minute, 2},
		{"max-age honoured", "public, max-age=120", 121 * time.Second, 2},
		{"max-age not yet reached", "max-age=120", 119 * time.Second, 1},
		{"no-store floored at a minute", "no-store", 30 * time.Second, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := newOP(t)
			op.cacheCtl = tt.cacheCtl
			p := op.provider(oauth.ProviderOptions{})
			if _, err := p.Metadata(t.Context()); err != nil {
				t.Fatal(err)
			}
			op.clock.Advance(tt.advance)
			if _, err := p.Metadata(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got := op.discoveryHits.Load(); got != tt.wantFetch {
				t.Errorf("discovery fetches = %d, want %d", got, tt.wantFetch)
			}
		})
	}
}

func TestMetadataSingleFlight(t *testing.T) {
	t.Parallel()
	op := newOP(t)
	p := op.provider(oauth.ProviderOptions{})
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := p.Metadata(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := op.discoveryHits.Load(); got != 1 {
		t.Errorf("discovery fetches = %d, want 1", got)
	}
}

func TestMetadataRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(op *testOP, m map[string]any)
		wantIs error
	}{
		{"issuer with trailing slash", func(op *testOP, m map[string]any) { m["issuer"] = op.issuer + "/" }, oauth.ErrIssuerMismatch},
		{"issuer in other case", func(op *testOP, m map[string]any) { m["issuer"] = strings.ToUpper(op.issuer) }, oauth.ErrIssuerMismatch},
		{"issuer missing", func(op *testOP, m map[string]any) { delete(m, "issuer") }, oauth.ErrIssuerMismatch},
		{"jwks_uri on another origin", func(op *testOP, m map[string]any) { m["jwks_uri"] = "https://evil.example/keys" }, nil},
		{"token endpoint on another port", func(op *testOP, m map[string]any) {
			m["token_endpoint"] = strings.Replace(op.srv.URL, "127.0.0.1:", "127.0.0.1:1", 1) + "/token"
		}, nil},
		{"jwks_uri missing", func(op *testOP, m map[string]any) { delete(m, "jwks_uri") }, oauth.ErrMalformedResponse},
		{"no S256", func(op *testOP, m map[string]any) { m["code_challenge_methods_supported"] = []string{"plain"} }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := newOP(t)
			var m map[string]any
			if err := json.Unmarshal(op.discovery, &m); err != nil {
				t.Fatal(err)
			}
			tt.mutate(op, m)
			op.discovery, _ = json.Marshal(m)
			p := op.provider(oauth.ProviderOptions{})
			_, err := p.Metadata(t.Context())
			var pe *oauth.ProviderError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ProviderError", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
		})
	}
}

func TestMetadataTransportFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantIs  error
	}{
		{"404 json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"errorCode":"E0000022"}`))
		}, nil},
		{"html page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>login</html>"))
		}, transport.ErrUnexpectedResponse},
		{"not json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`["not","an","object"]`))
		}, oauth.ErrMalformedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			tc, err := transport.New(transport.Options{HTTPClient: srv.Client(), RetryMax: -1})
			if err != nil {
				t.Fatal(err)
			}
			p, err := oauth.NewProvider(srv.URL+"/oauth2/default", tc, oauth.ProviderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Metadata(t.Context())
			var pe *oauth.ProviderError
			if !errors.As(err, &pe) || pe.Op != "discovery" {
				t.Fatalf("err = %v, want *ProviderError{Op: discovery}", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
		})
	}
}
