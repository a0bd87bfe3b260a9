package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goidx/goidx/idx"
)

// TestTokenStore runs the conformance tests of [idx.TokenStore] as subtests
// of t. newStore returns an empty store; it is called once per subtest,
// from parallel subtests. The tokens saved expire an hour after the
// suite's clock (see [WithClock]).
func TestTokenStore(t *testing.T, newStore func(t *testing.T) idx.TokenStore, opts ...Option) {
	t.Helper()
	cfg := newConfig(opts)
	tests := []struct {
		name string
		run  func(t *testing.T, cfg config, s idx.TokenStore)
	}{
		{"RoundTrip", tokRoundTrip},
		{"SecretsExact", tokSecretsExact},
		{"Copies", tokCopies},
		{"UnknownKey", tokUnknown},
		{"InvalidInput", tokInvalidInput},
		{"Overwrite", tokOverwrite},
		{"Delete", tokDelete},
		{"ErrorsNameNoSecrets", tokErrorsNoSecrets},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, cfg, newStore(t))
		})
	}
}

// fullTokens returns tokens with every member set, the access token
// expiring an hour after now. The claims hold only JSON types (string,
// float64, bool, []any, map[string]any), as verified ID tokens do.
func fullTokens(now time.Time) *idx.Tokens {
	sec := now.Truncate(time.Second) // JWT times are whole seconds
	return &idx.Tokens{
		TokenType:    "Bearer",
		AccessToken:  idx.Secret(randomToken("eyJhbGciOiJSUzI1NiJ9.at-") + ".sig"),
		IDToken:      idx.Secret(randomToken("eyJhbGciOiJSUzI1NiJ9.id-") + ".sig"),
		RefreshToken: idx.Secret(randomToken("rt-")),
		Scopes:       []string{"openid", "profile", "email", "offline_access"},
		Expiry:       now.Add(time.Hour),
		IDTokenClaims: &idx.IDTokenClaims{
			Issuer:   "https://example.okta.com/oauth2/default",
			Subject:  "00u" + rand8(),
			Audience: []string{"0oa-client"},
			Expiry:   sec.Add(time.Hour),
			IssuedAt: sec,
			AuthTime: sec.Add(-time.Minute),
			Claims: map[string]any{
				"sub":            "00u-subject",
				"name":           "Ünïcødé Üser",
				"email_verified": true,
				"iat":            float64(sec.Unix()),
				"amr":            []any{"pwd", "email"},
				"address":        map[string]any{"country": "NL"},
			},
		},
	}
}

func rand8() string { return randomToken("")[:8] }

// cloneTokens returns a deep copy of t (claims are JSON values).
func cloneTokens(t *idx.Tokens) *idx.Tokens {
	c := *t
	c.Scopes = append([]string(nil), t.Scopes...)
	if t.IDTokenClaims != nil {
		cl := *t.IDTokenClaims
		cl.Audience = append([]string(nil), cl.Audience...)
		b, err := json.Marshal(cl.Claims)
		if err != nil {
			panic(err)
		}
		cl.Claims = nil
		if err := json.Unmarshal(b, &cl.Claims); err != nil {
			panic(err)
		}
		c.IDTokenClaims = &cl
	}
	return &c
}

func diffTokens(want, got *idx.Tokens) string {
	return cmp.Diff(want, got, cmpopts.EquateEmpty())
}

func mustSaveTokens(t *testing.T, s idx.TokenStore, key string, tok *idx.Tokens) {
	t.Helper()
	if err := s.Save(t.Context(), key, tok); err != nil {
		t.Fatalf("Save: %v", err)
	}
}

func mustLoadTokens(t *testing.T, s idx.TokenStore, key string) *idx.Tokens {
	t.Helper()
	got, err := s.Load(t.Context(), key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got == nil {
		t.Fatal("Load returned nil and no error")
	}
	return got
}

func tokRoundTrip(t *testing.T, cfg config, s idx.TokenStore) {
	tests := []struct {
		name string
		tok  func() *idx.Tokens
	}{
		{"every member", func() *idx.Tokens { return fullTokens(cfg.now()) }},
		{"no refresh token, no ID token", func() *idx.Tokens {
			tok := fullTokens(cfg.now())
			tok.RefreshToken, tok.IDToken, tok.IDTokenClaims = "", "", nil
			return tok
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := randomToken("key-")
			in := tc.tok()
			want := cloneTokens(in)
			mustSaveTokens(t, s, key, in)
			if diff := diffTokens(want, mustLoadTokens(t, s, key)); diff != "" {
				t.Errorf("loaded tokens (-saved +loaded):\n%s", diff)
			}
		})
	}
}

func tokSecretsExact(t *testing.T, cfg config, s idx.TokenStore) {
	long := strings.Repeat("eyJraWQiOiJrMSJ9", 256) // a 4 KiB token
	tests := []struct {
		name  string
		value idx.Secret
	}{
		{"JSON metacharacters", `a"b\c/d<e>f&g` + "\n\t"},
		{"non-ASCII", "ünï\u2028cødé\U0001F511"},
		{"spaces kept", "  padded  "},
		{"looks redacted", "[REDACTED]-but-not"},
		{"long", idx.Secret(long)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := randomToken("key-")
			in := fullTokens(cfg.now())
			in.AccessToken, in.IDToken, in.RefreshToken = tc.value+"-a", tc.value+"-i", tc.value+"-r"
			mustSaveTokens(t, s, key, in)
			got := mustLoadTokens(t, s, key)
			for _, c := range []struct {
				member    string
				got, want idx.Secret
			}{
				{"AccessToken", got.AccessToken, in.AccessToken},
				{"IDToken", got.IDToken, in.IDToken},
				{"RefreshToken", got.RefreshToken, in.RefreshToken},
			} {
				if c.got.Reveal() != c.want.Reveal() {
					t.Errorf("%s came back changed: %d bytes, want %d (redacted when stored?)", c.member, len(c.got), len(c.want))
				}
			}
		})
	}
}

func tokCopies(t *testing.T, cfg config, s idx.TokenStore) {
	key := randomToken("key-")
	in := fullTokens(cfg.now())
	mustSaveTokens(t, s, key, in)
	in.Scopes[0] = "changed"
	got := mustLoadTokens(t, s, key)
	if got.Scopes[0] != "openid" {
		t.Errorf("store aliases the saved Scopes: %q", got.Scopes)
	}
	got.Scopes[0] = "changed"
	if again := mustLoadTokens(t, s, key); again.Scopes[0] != "openid" {
		t.Errorf("store aliases the loaded Scopes: %q", again.Scopes)
	}
}

func tokUnknown(t *testing.T, cfg config, s idx.TokenStore) {
	key := randomToken("key-")
	mustSaveTokens(t, s, key, fullTokens(cfg.now()))
	for _, k := range []string{randomToken("key-"), "", key[:len(key)-1], key + "x"} {
		if got, err := s.Load(t.Context(), k); !errors.Is(err, idx.ErrTokensNotFound) {
			t.Errorf("Load of an unknown key = %v, %v; want idx.ErrTokensNotFound", got, err)
		}
	}
}

func tokInvalidInput(t *testing.T, cfg config, s idx.TokenStore) {
	if err := s.Save(t.Context(), "", fullTokens(cfg.now())); !errors.Is(err, idx.ErrInvalidInput) {
		t.Errorf("Save under the empty key = %v; want idx.ErrInvalidInput", err)
	}
	if err := s.Save(t.Context(), randomToken("key-"), nil); !errors.Is(err, idx.ErrInvalidInput) {
		t.Errorf("Save of nil tokens = %v; want idx.ErrInvalidInput", err)
	}
}

func tokOverwrite(t *testing.T, cfg config, s idx.TokenStore) {
	key := randomToken("key-")
	mustSaveTokens(t, s, key, fullTokens(cfg.now()))
	second := fullTokens(cfg.now())
	second.RefreshToken, second.IDTokenClaims = "", nil
	mustSaveTokens(t, s, key, second)
	if diff := diffTokens(second, mustLoadTokens(t, s, key)); diff != "" {
		t.Errorf("after overwriting (-second save +loaded):\n%s", diff)
	}
}

func tokDelete(t *testing.T, cfg config, s idx.TokenStore) {
	ctx := t.Context()
	keep, gone := randomToken("key-"), randomToken("key-")
	mustSaveTokens(t, s, keep, fullTokens(cfg.now()))
	mustSaveTokens(t, s, gone, fullTokens(cfg.now()))
	if err := s.Delete(ctx, gone); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Load(ctx, gone); !errors.Is(err, idx.ErrTokensNotFound) {
		t.Errorf("Load after Delete: %v; want idx.ErrTokensNotFound", err)
	}
	// Client.Revoke deletes whatever is saved under a State, often nothing.
	if err := s.Delete(ctx, gone); err != nil {
		t.Errorf("Delete of deleted tokens: %v; want nil", err)
	}
	mustLoadTokens(t, s, keep)
}

func tokErrorsNoSecrets(t *testing.T, cfg config, s idx.TokenStore) {
	key := randomToken("key-")
	tok := fullTokens(cfg.now())
	mustSaveTokens(t, s, key, tok)
	_, err1 := s.Load(t.Context(), key+"x")
	err2 := s.Save(t.Context(), "", tok)
	for i, err := range []error{err1, err2} {
		if err == nil {
			t.Errorf("error %d: nil; want an error", i)
			continue
		}
		msg := fmt.Sprintf("%v %+v %#v", err, err, err)
		for _, secret := range []string{key, tok.AccessToken.Reveal(), tok.IDToken.Reveal(), tok.RefreshToken.Reveal()} {
			if strings.Contains(msg, secret) {
				t.Errorf("error %d holds a secret: %s", i, msg)
			}
		}
	}
}
