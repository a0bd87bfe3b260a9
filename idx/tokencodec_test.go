package idx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/oauth2"

	"github.com/goidx/goidx/idx"
)

// codecTokens returns tokens with every member set; the secrets start
// with canary so that a test can look for them.
func codecTokens(canary string) *idx.Tokens {
	sec := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	return &idx.Tokens{
		TokenType:    "Bearer",
		AccessToken:  idx.Secret(canary + "-access"),
		IDToken:      idx.Secret(canary + "-id"),
		RefreshToken: idx.Secret(canary + "-refresh"),
		Scopes:       []string{"openid", "profile", "offline_access"},
		Expiry:       sec.Add(time.Hour + 123456789*time.Nanosecond),
		IDTokenClaims: &idx.IDTokenClaims{
			Issuer:   "https://example.okta.com/oauth2/default",
			Subject:  "00u1",
			Audience: []string{"0oa1"},
			Expiry:   sec.Add(time.Hour),
			IssuedAt: sec,
			AuthTime: sec.Add(-time.Minute),
			Claims:   map[string]any{"sub": "00u1", "amr": []any{"pwd", "otp"}, "email_verified": true, "iat": float64(sec.Unix())},
		},
	}
}

func TestTokenCodecRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*idx.Tokens)
	}{
		{"every member", func(*idx.Tokens) {}},
		{"access token only", func(tok *idx.Tokens) { *tok = idx.Tokens{AccessToken: tok.AccessToken} }},
		{"no claims", func(tok *idx.Tokens) { tok.IDToken, tok.IDTokenClaims = "", nil }},
		{"no expiry", func(tok *idx.Tokens) { tok.Expiry = time.Time{} }},
		{"claims without times", func(tok *idx.Tokens) {
			tok.IDTokenClaims.Expiry, tok.IDTokenClaims.IssuedAt, tok.IDTokenClaims.AuthTime = time.Time{}, time.Time{}, time.Time{}
		}},
		{"secrets with JSON metacharacters", func(tok *idx.Tokens) {
			tok.AccessToken, tok.RefreshToken = `a"b\c</script>`+"\u2028", "  [REDACTED]  "
		}},
		{"non-UTC expiry", func(tok *idx.Tokens) { tok.Expiry = tok.Expiry.In(time.FixedZone("CET", 3600)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := codecTokens("eyJ-canary")
			tc.edit(in)
			b, err := idx.MarshalTokens(in)
			if err != nil {
				t.Fatalf("MarshalTokens: %v", err)
			}
			got, err := idx.UnmarshalTokens(b)
			if err != nil {
				t.Fatalf("UnmarshalTokens: %v", err)
			}
			if diff := cmp.Diff(in, got, cmpopts.EquateEmpty(), cmpopts.EquateApproxTime(0)); diff != "" {
				t.Errorf("round trip (-in +out):\n%s", diff)
			}
		})
	}
}

// TestTokenCodecMemberNames pins the encoding: OAuth 2.0's member names,
// read as they are by golang.org/x/oauth2's Token.
func TestTokenCodecMemberNames(t *testing.T) {
	t.Parallel()
	in := codecTokens("eyJ-canary")
	b, err := idx.MarshalTokens(in)
	if err != nil {
		t.Fatal(err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		t.Fatal(err)
	}
	var names []string
	for k := range members {
		names = append(names, k)
	}
	want := []string{"access_token", "expiry", "id_token", "id_token_claims", "refresh_token", "scope", "token_type"}
	if diff := cmp.Diff(want, names, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("member names (-want +got):\n%s", diff)
	}
	if got := string(members["scope"]); got != `"openid profile offline_access"` {
		t.Errorf("scope = %s; want the scopes space-separated", got)
	}

	var o oauth2.Token
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("as an oauth2.Token: %v", err)
	}
	if o.AccessToken != in.AccessToken.Reveal() || o.RefreshToken != in.RefreshToken.Reveal() ||
		o.TokenType != in.TokenType || !o.Expiry.Equal(in.Expiry) {
		t.Errorf("read as an oauth2.Token: access %t, refresh %t, type %q, expiry %v; want the encoded tokens'",
			o.AccessToken == in.AccessToken.Reveal(), o.RefreshToken == in.RefreshToken.Reveal(), o.TokenType, o.Expiry)
	}
}

func TestTokenCodecRefuses(t *testing.T) {
	t.Parallel()
	const canary = "eyJ-canary-secret"
	nan := codecTokens(canary)
	nan.IDTokenClaims.Claims["weight"] = math.NaN()
	marshal := []struct {
		name string
		in   *idx.Tokens
	}{
		{"nil", nil},
		{"no access token", &idx.Tokens{RefreshToken: canary}},
		{"a claim JSON cannot hold", nan},
	}
	for _, tc := range marshal {
		t.Run("marshal "+tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := idx.MarshalTokens(tc.in)
			if !errors.Is(err, idx.ErrInvalidInput) {
				t.Fatalf("MarshalTokens = %q, %v; want idx.ErrInvalidInput", b, err)
			}
			assertNoCanary(t, canary, err)
		})
	}
	unmarshal := []struct {
		name string
		data string
	}{
		{"empty", ""},
		{"null", "null"},
		{"not an object", `"` + canary + `"`},
		{"no access token", `{"refresh_token":"` + canary + `"}`},
		{"wrong type", `{"access_token":["` + canary + `"]}`},
		{"truncated", `{"access_token":"` + canary},
		{"bad character", `{"access_token":"x","refresh_token":` + canary + `}`},
		{"trailing data", `{"access_token":"x"}` + canary},
		{"bad time", `{"access_token":"x","expiry":"` + canary + `"}`},
	}
	for _, tc := range unmarshal {
		t.Run("unmarshal "+tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := idx.UnmarshalTokens([]byte(tc.data))
			var ie *idx.InputError
			if !errors.As(err, &ie) || !errors.Is(err, idx.ErrInvalidInput) {
				t.Fatalf("UnmarshalTokens = %v, %v; want an *idx.InputError", got, err)
			}
			assertNoCanary(t, canary, err)
		})
	}
}

// TestTokenCodecSecretsStayOutOfLogs: decoded tokens redact themselves
// as any others do.
func TestTokenCodecSecretsStayOutOfLogs(t *testing.T) {
	t.Parallel()
	const canary = "eyJ-canary-secret"
	b, err := idx.MarshalTokens(codecTokens(canary))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := idx.UnmarshalTokens(b)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("tokens", "tokens", tok, "access", tok.AccessToken)
	js, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok.RefreshToken), logs.String(), string(js)} {
		if strings.Contains(out, canary) {
			t.Errorf("decoded tokens print a secret: %s", out)
		}
	}
}

func assertNoCanary(t *testing.T, canary string, err error) {
	t.Helper()
	if msg := fmt.Sprintf("%v %+v %#v", err, err, err); strings.Contains(msg, canary) {
		t.Errorf("error quotes a secret: %s", msg)
	}
}

func ExampleMarshalTokens() {
	tok := &idx.Tokens{
		TokenType:   "Bearer",
		AccessToken: "eyJ-access",
		Scopes:      []string{"openid", "email"},
		Expiry:      time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	b, err := idx.MarshalTokens(tok)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	back, err := idx.UnmarshalTokens(b)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.AccessToken, back.Scopes)
	// Output:
	// {"access_token":"eyJ-access","token_type":"Bearer","scope":"openid email","expiry":"2030-01-02T03:04:05Z"}
	// [REDACTED] [openid email]
}
