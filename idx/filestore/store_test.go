package filestore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/filestore"
	"github.com/goidx/goidx/idx/storetest"
)

func newKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, filestore.KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func newStore(t testing.TB, dir string, key []byte) *filestore.Store {
	t.Helper()
	s, err := filestore.New(dir, key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.TestTokenStore(t, func(t *testing.T) idx.TokenStore {
		return newStore(t, t.TempDir(), newKey(t))
	})
}

const canary = "CANARY-token-7f3a"

func tokens() *idx.Tokens {
	return &idx.Tokens{
		TokenType:    "Bearer",
		AccessToken:  canary + "-access",
		IDToken:      canary + "-id",
		RefreshToken: canary + "-refresh",
		Scopes:       []string{"openid", "offline_access"},
		Expiry:       time.Unix(1_800_000_000, 0),
		IDTokenClaims: &idx.IDTokenClaims{
			Subject: "00u-" + canary, Claims: map[string]any{"email": "user-" + canary + "@example.com"},
		},
	}
}

// files returns the token files in dir.
func files(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFilesOnDisk(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "tokens")
	s := newStore(t, dir, newKey(t))
	const state = "state-" + canary
	if err := s.Save(t.Context(), state, tokens()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o700 {
		t.Errorf("directory mode = %v, want 0700", got)
	}
	fs := files(t, dir)
	if len(fs) != 1 {
		t.Fatalf("files = %v, want one (no temporary file left)", fs)
	}
	fi, err = os.Stat(fs[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("file mode = %v, want 0600", got)
	}
	if strings.Contains(fs[0], "state") || strings.Contains(fs[0], canary) {
		t.Errorf("file name %q reveals the state", fs[0])
	}
	b, err := os.ReadFile(fs[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{canary, "openid", "Bearer", "access_token"} {
		if bytes.Contains(b, []byte(plain)) {
			t.Errorf("file holds %q in plaintext", plain)
		}
	}
	// Saving again replaces the file; deleting removes it.
	if err := s.Save(t.Context(), state, tokens()); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir); len(got) != 1 {
		t.Errorf("files after a second save = %v", got)
	}
	if err := s.Delete(t.Context(), state); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("files after delete = %v", got)
	}
}

func TestTamperedFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(t *testing.T, dir string, a, b string) // a and b are the files of states "a" and "b"
		key  func(orig []byte) []byte                    // the key of the reading store
	}{
		{name: "flipped byte", edit: func(t *testing.T, _ string, a, _ string) {
			flip(t, a, 40)
		}},
		{name: "flipped tag byte", edit: func(t *testing.T, _ string, a, _ string) {
			b, _ := os.ReadFile(a)
			flip(t, a, len(b)-1)
		}},
		{name: "truncated", edit: func(t *testing.T, _ string, a, _ string) {
			if err := os.Truncate(a, 20); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "empty", edit: func(t *testing.T, _ string, a, _ string) {
			if err := os.WriteFile(a, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "unknown format", edit: func(t *testing.T, _ string, a, _ string) {
			flip(t, a, 0)
		}},
		{name: "other state's file swapped in", edit: func(t *testing.T, _ string, a, b string) {
			data, err := os.ReadFile(b)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(a, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "wrong key", edit: func(*testing.T, string, string, string) {}, key: func([]byte) []byte { return newKey(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, key := t.TempDir(), newKey(t)
			s := newStore(t, dir, key)
			if err := s.Save(t.Context(), "a", tokens()); err != nil {
				t.Fatal(err)
			}
			fa := files(t, dir)[0]
			if err := s.Save(t.Context(), "b", tokens()); err != nil {
				t.Fatal(err)
			}
			var fb string
			for _, f := range files(t, dir) {
				if f != fa {
					fb = f
				}
			}
			tt.edit(t, dir, fa, fb)
			reader := s
			if tt.key != nil {
				reader = newStore(t, dir, tt.key(key))
			}
			got, err := reader.Load(t.Context(), "a")
			if !errors.Is(err, filestore.ErrTampered) {
				t.Fatalf("Load = %v, %v; want ErrTampered", got, err)
			}
			if errors.Is(err, idx.ErrTokensNotFound) {
				t.Error("a tampered file reads as missing")
			}
			if strings.Contains(fmt.Sprintf("%v %+v", err, err), canary) {
				t.Errorf("error leaks: %v", err)
			}
		})
	}
}

func flip(t *testing.T, name string, i int) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	b[i] ^= 0x01
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestNewChecks(t *testing.T) {
	t.Parallel()
	open := t.TempDir()
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		dir string
		key []byte
	}{
		"short key":       {t.TempDir(), make([]byte, 16)},
		"long key":        {t.TempDir(), make([]byte, 64)},
		"empty dir":       {"", make([]byte, 32)},
		"not a directory": {file, make([]byte, 32)},
	} {
		if _, err := filestore.New(c.dir, c.key); err == nil {
			t.Errorf("%s: New succeeded, want an error", name)
		}
	}
	newStore(t, open, newKey(t))
	fi, err := os.Stat(open)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o700 {
		t.Errorf("existing directory left with mode %v, want 0700", got)
	}
}

// TestConcurrentSaves checks that concurrent saves and loads of one state
// always see one whole saved value, and that they leave no temporary file.
func TestConcurrentSaves(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := newStore(t, dir, newKey(t))
	const workers, rounds = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*2)
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				tok := tokens()
				tok.AccessToken = idx.Secret(fmt.Sprintf("at-%d-%d", w, i))
				tok.RefreshToken = idx.Secret(fmt.Sprintf("rt-%d-%d", w, i))
				if err := s.Save(context.Background(), "shared", tok); err != nil {
					errs <- err
				}
				got, err := s.Load(context.Background(), "shared")
				if err != nil {
					errs <- err
					continue
				}
				if strings.TrimPrefix(got.AccessToken.Reveal(), "at-") != strings.TrimPrefix(got.RefreshToken.Reveal(), "rt-") {
					errs <- fmt.Errorf("torn read: %s / %s", got.AccessToken.Reveal(), got.RefreshToken.Reveal())
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := files(t, dir); len(got) != 1 {
		t.Errorf("files = %v, want one", got)
	}
}

// TestSurvivesRestart checks that a new Store with the same key reads what
// an earlier one saved.
func TestSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir, key := t.TempDir(), newKey(t)
	want := tokens()
	if err := newStore(t, dir, key).Save(t.Context(), "s", want); err != nil {
		t.Fatal(err)
	}
	got, err := newStore(t, dir, key).Load(t.Context(), "s")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tokens (-saved +loaded):\n%s", diff)
	}
}

// TestStorePrintsNoKey: every verb prints the directory only, never the
// cipher and its expanded key.
func TestStorePrintsNoKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := filestore.New(dir, make([]byte, filestore.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("filestore.Store{Dir: %q}", dir)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		if got := fmt.Sprintf(verb, s); got != want {
			t.Errorf("%s = %s, want %s", verb, got, want)
		}
	}
}
