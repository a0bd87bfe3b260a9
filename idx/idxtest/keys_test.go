package idxtest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/goidx/goidx/idx/idxtest"
)

// jwksOf returns the (kid, n) pairs an org's JWKS publishes.
func jwksOf(t *testing.T, srv *idxtest.Server) [][2]string {
	t.Helper()
	r := get(t, srv.Client(), srv.Issuer()+"/v1/keys", nil)
	if r.status != http.StatusOK {
		t.Fatalf("keys: %v", r)
	}
	var set struct {
		Keys []struct{ Kid, N string }
	}
	if err := json.Unmarshal(r.body, &set); err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, k := range set.Keys {
		out = append(out, [2]string{k.Kid, k.N})
	}
	return out
}

// TestSharedSigningKey checks that servers made without a key sign with
// one key per process under key IDs of their own, and that
// WithNewSigningKey and RotateSigningKey(nil) give a server a key no other
// server has.
func TestSharedSigningKey(t *testing.T) {
	a := jwksOf(t, idxtest.New(t))
	b := jwksOf(t, idxtest.New(t))
	if len(a) != 1 || len(b) != 1 {
		t.Fatalf("JWKS: %v, %v; want one key each", a, b)
	}
	if a[0][1] != b[0][1] {
		t.Error("two servers without a key option publish different keys; want the process's shared key")
	}
	if a[0][0] == b[0][0] {
		t.Errorf("two servers publish the same key ID %q", a[0][0])
	}

	own := jwksOf(t, idxtest.New(t, idxtest.WithNewSigningKey()))
	if own[0][1] == a[0][1] {
		t.Error("WithNewSigningKey: the server publishes the shared key")
	}

	rotated := idxtest.New(t)
	rotated.RotateSigningKey(nil)
	if got := jwksOf(t, rotated); len(got) != 2 || got[0][1] == a[0][1] || got[1][1] != a[0][1] {
		t.Error("RotateSigningKey(nil): want a new key first, then the shared key")
	}
	if got := jwksOf(t, idxtest.New(t)); got[0][1] != a[0][1] {
		t.Error("a rotation changed the key other servers share")
	}
}
