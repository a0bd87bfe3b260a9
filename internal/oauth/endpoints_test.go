package oauth_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/oauth"
	"github.com/goidx/goidx/internal/transport"
)

// captured is one request seen by a fake endpoint.
type captured struct {
	RawQuery string
	Header   http.Header
	Form     url.Values
}

// endpoint registers a handler on op at path that records requests and
// answers with status and body.
func (op *testOP) endpoint(path string, status int, body string) (*[]captured, *sync.Mutex) {
	var mu sync.Mutex
	var reqs []captured
	op.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		mu.Lock()
		reqs = append(reqs, captured{RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Form: form})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
	return &reqs, &mu
}

// fixture returns the contents of testdata/name.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func validInteract(t *testing.T) oauth.InteractRequest {
	t.Helper()
	v, err := oauth.NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	return oauth.InteractRequest{
		Auth:          oauth.ClientAuth{ClientID: testClientID},
		Scopes:        []string{"openid", "profile", "offline_access"},
		RedirectURI:   "https://app.example.com/callback",
		CodeChallenge: oauth.S256Challenge(v),
		State:         "state-1",
		Nonce:         testNonce,
		Extra:         url.Values{"login_hint": {"user@example.com"}},
	}
}

func TestInteract(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		body       string
		auth       oauth.ClientAuth
		wantHandle string
		wantErr    *oauth.TokenError
		wantIs     error
	}{
		{name: "public client", status: 200, body: fixture(t, "interact-response.json"), auth: oauth.ClientAuth{ClientID: testClientID}, wantHandle: "ih-goidx-test-4Qz81"},
		{name: "confidential basic", status: 200, body: fixture(t, "interact-response.json"), auth: oauth.ClientAuth{Method: oauth.AuthClientSecretBasic, ClientID: testClientID, ClientSecret: canary}, wantHandle: "ih-goidx-test-4Qz81"},
		{name: "oauth error", status: 400, body: `{"error":"invalid_request","error_description":"PKCE code challenge is required."}`, auth: oauth.ClientAuth{ClientID: testClientID},
			wantErr: &oauth.TokenError{StatusCode: 400, Code: "invalid_request", Description: "PKCE code challenge is required."}},
		{name: "200 carrying error", status: 200, body: `{"error":"access_denied"}`, auth: oauth.ClientAuth{ClientID: testClientID},
			wantErr: &oauth.TokenError{StatusCode: 200, Code: "access_denied"}},
		{name: "no handle", status: 200, body: `{}`, auth: oauth.ClientAuth{ClientID: testClientID}, wantIs: oauth.ErrMalformedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := newOP(t)
			reqs, mu := op.endpoint("POST /oauth2/default/v1/interact", tt.status, tt.body)
			p := op.provider(oauth.ProviderOptions{})
			ir := validInteract(t)
			ir.Auth = tt.auth
			handle, err := p.Interact(t.Context(), ir)
			wantOutcome(t, "interaction handle", handle, err, tt.wantHandle, tt.wantErr, tt.wantIs)
			mu.Lock()
			defer mu.Unlock()
			if len(*reqs) != 1 {
				t.Fatalf("requests = %d, want 1", len(*reqs))
			}
			got := (*reqs)[0]
			wantForm := url.Values{
				"client_id":             {testClientID},
				"scope":                 {"openid profile offline_access"},
				"redirect_uri":          {"https://app.example.com/callback"},
				"code_challenge":        {ir.CodeChallenge},
				"code_challenge_method": {"S256"},
				"state":                 {"state-1"},
				"nonce":                 {testNonce},
				"login_hint":            {"user@example.com"},
			}
			if diff := cmp.Diff(wantForm, got.Form); diff != "" {
				t.Errorf("form mismatch (-want +got):\n%s", diff)
			}
			if got.RawQuery != "" || got.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
				t.Errorf("query %q, content type %q", got.RawQuery, got.Header.Get("Content-Type"))
			}
			wantAuthz := ""
			if tt.auth.Method == oauth.AuthClientSecretBasic {
				wantAuthz = "Basic " + base64.StdEncoding.EncodeToString([]byte(testClientID+":"+canary))
			}
			if got.Header.Get("Authorization") != wantAuthz {
				t.Errorf("Authorization = %q, want %q", got.Header.Get("Authorization"), wantAuthz)
			}
			if err != nil && strings.Contains(fmt.Sprintf("%v %+v", err, err), canary) {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
}

func TestInteractInvalidRequests(t *testing.T) {
	t.Parallel()
	op := newOP(t)
	var hits atomic.Int32
	op.mux.HandleFunc("/oauth2/default/v1/interact", func(http.ResponseWriter, *http.Request) { hits.Add(1) })
	p := op.provider(oauth.ProviderOptions{})
	tests := []struct {
		name   string
		mutate func(r *oauth.InteractRequest)
	}{
		{"no scopes", func(r *oauth.InteractRequest) { r.Scopes = nil }},
		{"no redirect", func(r *oauth.InteractRequest) { r.RedirectURI = "" }},
		{"plain challenge", func(r *oauth.InteractRequest) { r.CodeChallenge = "short" }},
		{"no state", func(r *oauth.InteractRequest) { r.State = "" }},
		{"no nonce", func(r *oauth.InteractRequest) { r.Nonce = "" }},
		{"no client id", func(r *oauth.InteractRequest) { r.Auth.ClientID = "" }},
		{"basic without secret", func(r *oauth.InteractRequest) { r.Auth.Method = oauth.AuthClientSecretBasic }},
		{"secret with none", func(r *oauth.InteractRequest) { r.Auth.ClientSecret = canary }},
		{"extra overrides method", func(r *oauth.InteractRequest) { r.Extra.Set("code_challenge_method", "plain") }},
		{"extra overrides client", func(r *oauth.InteractRequest) { r.Extra.Set("client_id", "other") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := validInteract(t)
			tt.mutate(&r)
			_, err := p.Interact(t.Context(), r)
			if err == nil || strings.Contains(err.Error(), canary) {
				t.Errorf("Interact() error = %v", err)
			}
		})
	}
	t.Cleanup(func() {
		if hits.Load() != 0 {
			t.Errorf("invalid requests reached the server %d times", hits.Load())
		}
	})
}

func TestExchangeInteractionCode(t *testing.T) {
	t.Parallel()
	verifier, err := oauth.NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	success := fixture(t, "token-response.json")
	tests := []struct {
		name      string
		status    int
		body      string
		auth      oauth.ClientAuth
		want      *oauth.TokenResponse
		wantErr   *oauth.TokenError
		wantIs    error
		wantForm  url.Values
		wantAuthz string
	}{
		{
			name: "success, public client", status: 200, body: success,
			auth: oauth.ClientAuth{ClientID: testClientID},
			want: &oauth.TokenResponse{TokenType: "Bearer", ExpiresIn: 1800, Scope: "openid email",
				AccessToken: "at-goidx-test-access.not-a-jwt", IDToken: "it-goidx-test-id.not-a-jwt"},
			wantForm: url.Values{"grant_type": {"interaction_code"}, "interaction_code": {canary + "code"}, "code_verifier": {verifier}, "client_id": {testClientID}},
		},
		{
			name: "success, client_secret_post", status: 200, body: `{"token_type":"Bearer","access_token":"at","refresh_token":"rt","expires_in":"60"}`,
			auth:     oauth.ClientAuth{Method: oauth.AuthClientSecretPost, ClientID: testClientID, ClientSecret: canary},
			want:     &oauth.TokenResponse{TokenType: "Bearer", AccessToken: "at", RefreshToken: "rt", ExpiresIn: 60},
			wantForm: url.Values{"grant_type": {"interaction_code"}, "interaction_code": {canary + "code"}, "code_verifier": {verifier}, "client_id": {testClientID}, "client_secret": {canary}},
		},
		{
			name: "success, client_secret_basic", status: 200, body: `{"token_type":"Bearer","access_token":"at","expires_in":-5}`,
			auth:      oauth.ClientAuth{Method: oauth.AuthClientSecretBasic, ClientID: testClientID, ClientSecret: canary},
			want:      &oauth.TokenResponse{TokenType: "Bearer", AccessToken: "at"},
			wantForm:  url.Values{"grant_type": {"interaction_code"}, "interaction_code": {canary + "code"}, "code_verifier": {verifier}, "client_id": {testClientID}},
			wantAuthz: "Basic " + base64.StdEncoding.EncodeToString([]byte(testClientID+":"+canary)),
		},
		{
			name: "invalid_grant", status: 400, body: fixture(t, "token-error-invalid-grant.json"),
			auth:    oauth.ClientAuth{ClientID: testClientID},
			wantErr: &oauth.TokenError{StatusCode: 400, Code: "invalid_grant", Description: "The code_verifier does not match the code_challenge of the interaction."},
		},
		{
			name: "200 carrying error", status: 200, body: `{"error":"invalid_grant","access_token":"at","token_type":"Bearer"}`,
			auth:    oauth.ClientAuth{ClientID: testClientID},
			wantErr: &oauth.TokenError{StatusCode: 200, Code: "invalid_grant"},
		},
		{
			name: "500 json without error", status: 500, body: `{"errorCode":"E0000009"}`,
			auth:    oauth.ClientAuth{ClientID: testClientID},
			wantErr: &oauth.TokenError{StatusCode: 500},
		},
		{name: "missing access_token", status: 200, body: `{"token_type":"Bearer","id_token":"x"}`, auth: oauth.ClientAuth{ClientID: testClientID}, wantIs: oauth.ErrMalformedResponse},
		{name: "missing token_type", status: 200, body: `{"access_token":"at"}`, auth: oauth.ClientAuth{ClientID: testClientID}, wantIs: oauth.ErrMalformedResponse},
		{name: "bad expires_in", status: 200, body: `{"access_token":"at","token_type":"Bearer","expires_in":"soon"}`, auth: oauth.ClientAuth{ClientID: testClientID}, wantIs: oauth.ErrMalformedResponse},
		{name: "empty body", status: 200, body: ``, auth: oauth.ClientAuth{ClientID: testClientID}, wantIs: oauth.ErrMalformedResponse},
		{name: "not an object", status: 200, body: `[1]`, auth: oauth.ClientAuth{ClientID: testClientID}, wantIs: oauth.ErrMalformedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := newOP(t)
			reqs, mu := op.endpoint("POST /oauth2/default/v1/token", tt.status, tt.body)
			p := op.provider(oauth.ProviderOptions{})
			got, err := p.ExchangeInteractionCode(t.Context(), op.issuer+"/v1/token", tt.auth, canary+"code", verifier)
			wantOutcome(t, "TokenResponse", got, err, tt.want, tt.wantErr, tt.wantIs)
			if err != nil && strings.Contains(fmt.Sprintf("%v %+v", err, err), canary) {
				t.Errorf("error leaks a secret: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(*reqs) != 1 {
				t.Fatalf("requests = %d, want 1 (no retry)", len(*reqs))
			}
			r := (*reqs)[0]
			if r.RawQuery != "" {
				t.Errorf("RawQuery = %q, want empty", r.RawQuery)
			}
			if tt.wantForm != nil {
				if diff := cmp.Diff(tt.wantForm, r.Form); diff != "" {
					t.Errorf("form mismatch (-want +got):\n%s", diff)
				}
				if r.Header.Get("Authorization") != tt.wantAuthz {
					t.Errorf("Authorization = %q, want %q", r.Header.Get("Authorization"), tt.wantAuthz)
				}
			}
		})
	}
}

func TestExchangeRefusesForeignTokenURL(t *testing.T) {
	t.Parallel()
	verifier, _ := oauth.NewVerifier()
	foreign, foreignHits := func() (*httptest.Server, *atomic.Int32) {
		var n atomic.Int32
		s := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { n.Add(1) }))
		t.Cleanup(s.Close)
		return s, &n
	}()
	op := newOP(t)
	p := op.provider(oauth.ProviderOptions{})
	auth := oauth.ClientAuth{Method: oauth.AuthClientSecretPost, ClientID: testClientID, ClientSecret: canary}
	tests := []struct {
		name string
		url  string
	}{
		{"foreign server", foreign.URL + "/oauth2/default/v1/token"},
		{"other scheme", strings.Replace(op.issuer, "http:", "https:", 1) + "/v1/token"},
		{"user info", strings.Replace(op.issuer, "http://", "http://x@", 1) + "/v1/token"},
		{"query", op.issuer + "/v1/token?code=x"},
		{"relative", "/oauth2/default/v1/token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.ExchangeInteractionCode(t.Context(), tt.url, auth, canary, verifier)
			if err == nil || strings.Contains(err.Error(), canary) {
				t.Errorf("ExchangeInteractionCode() error = %v", err)
			}
		})
	}
	t.Cleanup(func() {
		if foreignHits.Load() != 0 {
			t.Errorf("foreign server got %d requests", foreignHits.Load())
		}
	})
}

func TestExchangeNotRetriedAfterAmbiguousFailure(t *testing.T) {
	t.Parallel()
	verifier, _ := oauth.NewVerifier()
	op := newOP(t)
	var hits atomic.Int32
	op.mux.HandleFunc("POST /oauth2/default/v1/token", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>bad gateway</html>"))
	})
	p := op.provider(oauth.ProviderOptions{})
	_, err := p.ExchangeInteractionCode(t.Context(), op.issuer+"/v1/token", oauth.ClientAuth{ClientID: testClientID}, "code", verifier)
	if !errors.Is(err, transport.ErrOutcomeUnknown) {
		t.Errorf("err = %v, want ErrOutcomeUnknown", err)
	}
	if hits.Load() != 1 {
		t.Errorf("token endpoint hits = %d, want 1", hits.Load())
	}
}

func TestUserInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		wwwAuth string
		want    map[string]any
		wantErr *oauth.TokenError
		wantIs  error
	}{
		{name: "success", status: 200, body: `{"sub":"00u1","email":"user@example.com"}`, want: map[string]any{"sub": "00u1", "email": "user@example.com"}},
		{name: "invalid token", status: 401, body: ``, wwwAuth: `Bearer error="invalid_token", error_description="The access token is invalid."`,
			wantErr: &oauth.TokenError{StatusCode: 401, Code: "invalid_token"}},
		{name: "json error", status: 403, body: `{"error":"insufficient_scope"}`, wantErr: &oauth.TokenError{StatusCode: 403, Code: "insufficient_scope"}},
		{name: "no sub", status: 200, body: `{"email":"user@example.com"}`, wantIs: oauth.ErrMalformedResponse},
		{name: "not an object", status: 200, body: `"x"`, wantIs: oauth.ErrMalformedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := newOP(t)
			var gotAuthz, gotQuery string
			op.mux.HandleFunc("GET /oauth2/default/v1/userinfo", func(w http.ResponseWriter, r *http.Request) {
				gotAuthz, gotQuery = r.Header.Get("Authorization"), r.URL.RawQuery
				if tt.wwwAuth != "" {
					w.Header().Set("WWW-Authenticate", tt.wwwAuth)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			p := op.provider(oauth.ProviderOptions{})
			got, err := p.UserInfo(t.Context(), canary)
			wantOutcome(t, "claims", got, err, tt.want, tt.wantErr, tt.wantIs)
			if gotAuthz != "Bearer "+canary || gotQuery != "" {
				t.Errorf("Authorization %q, query %q", gotAuthz, gotQuery)
			}
			if err != nil && strings.Contains(err.Error(), canary) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}
