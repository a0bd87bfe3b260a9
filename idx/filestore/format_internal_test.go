package filestore

import (
	"crypto/rand"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx"
)

// v1Plaintext is a token file's plaintext as releases before
// idx.MarshalTokens wrote it.
const v1Plaintext = `{"token_type":"Bearer","access_token":"eyJ-v1-access","id_token":"eyJ-v1-id",` +
	`"refresh_token":"v1-refresh","scopes":["openid","offline_access"],"expiry":"2030-01-02T03:04:05.5Z",` +
	`"id_token_claims":{"Issuer":"https://example.okta.com","Subject":"00u1","Audience":["0oa1"],` +
	`"Expiry":"2030-01-02T03:04:05Z","IssuedAt":"2030-01-02T02:04:05Z","AuthTime":"2030-01-02T02:03:05Z",` +
	`"Claims":{"sub":"00u1","amr":["pwd"]}}}`

func newTestStore(t *testing.T) *Store {
	t.Helper()
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	s, err := New(t.TempDir(), key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLoadsFormatV1(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	file, err := s.seal(formatV1, "st", []byte(v1Plaintext))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path("st"), file, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(t.Context(), "st")
	if err != nil {
		t.Fatalf("Load of a format 1 file: %v", err)
	}
	at := func(h, m, sec, ns int) time.Time { return time.Date(2030, 1, 2, h, m, sec, ns, time.UTC) }
	want := &idx.Tokens{
		TokenType: "Bearer", AccessToken: "eyJ-v1-access", IDToken: "eyJ-v1-id", RefreshToken: "v1-refresh",
		Scopes: []string{"openid", "offline_access"}, Expiry: at(3, 4, 5, 5e8),
		IDTokenClaims: &idx.IDTokenClaims{
			Issuer: "https://example.okta.com", Subject: "00u1", Audience: []string{"0oa1"},
			Expiry: at(3, 4, 5, 0), IssuedAt: at(2, 4, 5, 0), AuthTime: at(2, 3, 5, 0),
			Claims: map[string]any{"sub": "00u1", "amr": []any{"pwd"}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("format 1 file loaded (-want +got):\n%s", diff)
	}

	// Saving it again writes the current format.
	if err := s.Save(t.Context(), "st", got); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(s.path("st"))
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != format {
		t.Errorf("format byte after Save = %d; want %d", b[0], format)
	}
}

// TestFormatByteIsAuthenticated: a current file relabelled as format 1
// (to be read by the older decoder) does not open.
func TestFormatByteIsAuthenticated(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	if err := s.Save(t.Context(), "st", &idx.Tokens{AccessToken: "eyJ-access"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(s.path("st"))
	if err != nil {
		t.Fatal(err)
	}
	b[0] = formatV1
	if err := os.WriteFile(s.path("st"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(t.Context(), "st"); !errors.Is(err, ErrTampered) {
		t.Fatalf("Load of a relabelled file = %v, %v; want ErrTampered", got, err)
	}
}
