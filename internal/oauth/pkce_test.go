package oauth_test

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/oauth"
)

func TestS256ChallengeRFC7636Vector(t *testing.T) {
	t.Parallel()
	got := oauth.S256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
	if diff := cmp.Diff("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", got); diff != "" {
		t.Errorf("S256Challenge mismatch (-want +got):\n%s", diff)
	}
}

func TestNewVerifier(t *testing.T) {
	t.Parallel()
	valid := regexp.MustCompile(`^[A-Za-z0-9\-._~]{43,128}$`)
	const n = 100_000 // verifiers checked: format, uniqueness, challenge
	seen := make(map[string]bool, n)
	for range n {
		v, err := oauth.NewVerifier()
		if err != nil {
			t.Fatal(err)
		}
		if len(v) != 43 || !valid.MatchString(v) {
			t.Fatalf("invalid verifier %q", v)
		}
		if seen[v] {
			t.Fatalf("duplicate verifier %q", v)
		}
		seen[v] = true
		if c := oauth.S256Challenge(v); len(c) != 43 || strings.ContainsAny(c, "+/=") {
			t.Fatalf("invalid challenge %q", c)
		}
	}
}

func TestRandomToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n       int
		wantLen int
		wantErr bool
	}{
		{0, 0, true},
		{15, 0, true},
		{16, 22, false},
		{32, 43, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			t.Parallel()
			got, err := oauth.RandomToken(tt.n)
			if (err != nil) != tt.wantErr || len(got) != tt.wantLen {
				t.Fatalf("RandomToken(%d) = %q, %v", tt.n, got, err)
			}
			if err == nil {
				if b, err := base64.RawURLEncoding.DecodeString(got); err != nil || len(b) != tt.n {
					t.Errorf("not base64url of %d bytes: %q", tt.n, got)
				}
			}
		})
	}
}

func TestClientAuthApply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		auth       oauth.ClientAuth
		wantForm   url.Values
		wantHeader http.Header
	}{
		{
			name:       "none",
			auth:       oauth.ClientAuth{Method: oauth.AuthNone, ClientID: "public-client"},
			wantForm:   url.Values{"client_id": {"public-client"}, "x": {"1"}},
			wantHeader: http.Header{},
		},
		{
			name:     "basic escapes ':' and '%'",
			auth:     oauth.ClientAuth{Method: oauth.AuthClientSecretBasic, ClientID: "id:with%chars", ClientSecret: "s:e%c r+t"},
			wantForm: url.Values{"client_id": {"id:with%chars"}, "x": {"1"}},
			wantHeader: http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString(
				[]byte("id%3Awith%25chars:s%3Ae%25c+r%2Bt"))}},
		},
		{
			name:       "post",
			auth:       oauth.ClientAuth{Method: oauth.AuthClientSecretPost, ClientID: "c", ClientSecret: "s"},
			wantForm:   url.Values{"client_id": {"c"}, "client_secret": {"s"}, "x": {"1"}},
			wantHeader: http.Header{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			form := url.Values{"x": {"1"}, "client_secret": {"stale"}}
			h := http.Header{}
			tt.auth.Apply(form, h)
			if diff := cmp.Diff(tt.wantForm, form); diff != "" {
				t.Errorf("form mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantHeader, h); diff != "" {
				t.Errorf("header mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	auth := oauth.ClientAuth{Method: oauth.AuthClientSecretBasic, ClientID: "client", ClientSecret: canary}
	tok := oauth.TokenResponse{TokenType: "Bearer", AccessToken: canary + "a", RefreshToken: canary + "r", IDToken: canary + "i", Scope: "openid", ExpiresIn: 3600}
	type holder struct {
		Auth  oauth.ClientAuth
		Token *oauth.TokenResponse
	}
	var logs strings.Builder
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	logger.Info("x", "auth", auth, "token", tok, "tokptr", &tok)
	outputs := []string{
		fmt.Sprint(auth), fmt.Sprintf("%v %+v %#v %s", auth, auth, auth, auth),
		fmt.Sprint(tok), fmt.Sprintf("%v %+v %#v %s", tok, &tok, tok, &tok),
		fmt.Sprintf("%v %+v", holder{auth, &tok}, holder{auth, &tok}),
		logs.String(),
	}
	for _, s := range outputs {
		if strings.Contains(s, canary) {
			t.Errorf("secret leaked: %s", s)
		}
	}
	if !strings.Contains(fmt.Sprint(tok), `TokenType: "Bearer"`) || !strings.Contains(fmt.Sprint(auth), "client_secret_basic") {
		t.Errorf("redacted forms lost the non-secret fields: %v / %v", tok, auth)
	}
}
