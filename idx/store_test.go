package idx_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/internal/testclock"
)

func TestMemoryTransactionStore(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	s := idx.NewMemoryTransactionStore(time.Hour, clk.Now)
	ctx := t.Context()
	orig := &idx.SavedTransaction{
		State: "s1", InteractionHandle: "ih", CodeVerifier: "cv", OAuthState: "os", Nonce: "n",
		Scopes: []string{"openid"}, Response: []byte(`{"stateHandle":"x"}`), ExpiresAt: clk.Now().Add(10 * time.Minute),
	}
	if err := s.Save(ctx, orig); err != nil {
		t.Fatal(err)
	}
	// The store keeps a copy: changing the caller's value changes nothing.
	orig.Scopes[0], orig.Response[0] = "changed", '!'
	got, err := s.Load(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"openid"}, got.Scopes); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}
	if string(got.Response) != `{"stateHandle":"x"}` {
		t.Errorf("response = %s", got.Response)
	}
	got.Response[0] = '?'
	again, _ := s.Load(ctx, "s1")
	if again.Response[0] != '{' {
		t.Errorf("Load returned shared memory")
	}

	if _, err := s.Load(ctx, "unknown"); !errors.Is(err, idx.ErrTransactionNotFound) {
		t.Errorf("unknown state: %v", err)
	}
	if err := s.Save(ctx, &idx.SavedTransaction{}); !errors.Is(err, idx.ErrInvalidInput) {
		t.Errorf("empty State saved: %v", err)
	}
	if err := s.Delete(ctx, "unknown"); err != nil {
		t.Errorf("Delete of an unknown State: %v", err)
	}

	clk.Advance(10 * time.Minute)
	if _, err := s.Load(ctx, "s1"); !errors.Is(err, idx.ErrTransactionExpired) {
		t.Errorf("expired state: %v; want ErrTransactionExpired", err)
	}
	if _, err := s.Load(ctx, "s1"); !errors.Is(err, idx.ErrTransactionNotFound) {
		t.Errorf("expired state loaded twice: %v; want ErrTransactionNotFound", err)
	}

	// No ExpiresAt: the store's ttl applies.
	if err := s.Save(ctx, &idx.SavedTransaction{State: "s2"}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(59 * time.Minute)
	if n := s.Len(); n != 1 {
		t.Errorf("Len = %d; want 1", n)
	}
	clk.Advance(time.Minute)
	if n := s.Len(); n != 0 {
		t.Errorf("Len after the ttl = %d; want 0", n)
	}
}

func TestMemoryTransactionStoreCompareAndSet(t *testing.T) {
	t.Parallel()
	s := idx.NewMemoryTransactionStore(0, nil)
	ctx := t.Context()
	first := &idx.SavedTransaction{State: "s"}
	if err := s.Save(ctx, first); err != nil || first.Version != 1 {
		t.Fatalf("first save: version %d, %v", first.Version, err)
	}
	if err := s.Save(ctx, &idx.SavedTransaction{State: "s"}); !errors.Is(err, idx.ErrTransactionConflict) {
		t.Errorf("creating over an existing transaction: %v; want ErrTransactionConflict", err)
	}
	a, _ := s.Load(ctx, "s")
	b, _ := s.Load(ctx, "s")
	a.Nonce, b.Nonce = "a", "b"
	if err := s.Save(ctx, a); err != nil {
		t.Fatalf("save a: %v", err)
	}
	if err := s.Save(ctx, b); !errors.Is(err, idx.ErrTransactionConflict) {
		t.Errorf("stale save: %v; want ErrTransactionConflict", err)
	}
	if got, _ := s.Load(ctx, "s"); got.Nonce != "a" || got.Version != 2 {
		t.Errorf("stored %q version %d; want a's save, version 2", got.Nonce, got.Version)
	}
}

func TestMemoryTransactionStoreConcurrent(t *testing.T) {
	t.Parallel()
	s := idx.NewMemoryTransactionStore(0, nil)
	ctx := t.Context()
	if err := s.Save(ctx, &idx.SavedTransaction{State: "counter", Nonce: "0"}); err != nil {
		t.Fatal(err)
	}
	// Each goroutine increments the counter with load, modify, save and
	// retries on conflict: no increment may be lost.
	const workers, each = 16, 25
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				for {
					cur, err := s.Load(ctx, "counter")
					if err != nil {
						t.Errorf("Load: %v", err)
						return
					}
					var n int
					fmt.Sscan(cur.Nonce, &n)
					cur.Nonce = fmt.Sprint(n + 1)
					err = s.Save(ctx, cur)
					if err == nil {
						break
					}
					if !errors.Is(err, idx.ErrTransactionConflict) {
						t.Errorf("Save: %v", err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	got, err := s.Load(ctx, "counter")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprint(workers * each); got.Nonce != want || got.Version != workers*each+1 {
		t.Errorf("counter %s version %d; want %s version %d", got.Nonce, got.Version, want, workers*each+1)
	}
}

func TestSavedTransactionPrintsNoSecrets(t *testing.T) {
	t.Parallel()
	st := &idx.SavedTransaction{State: "canary-state", InteractionHandle: "canary-ih", CodeVerifier: "canary-cv", Nonce: "canary-nonce", Response: []byte("canary-response")}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := fmt.Sprintf(verb, st); strings.Contains(got, "canary") {
			t.Errorf("%s prints a secret: %s", verb, got)
		}
	}
}

func TestMemoryTokenStore(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	s := idx.NewMemoryTokenStore(2*time.Hour, clk.Now)
	ctx := t.Context()
	short := &idx.Tokens{AccessToken: "a1", Expiry: clk.Now().Add(time.Hour), Scopes: []string{"openid"}}
	long := &idx.Tokens{AccessToken: "a2", RefreshToken: "r2", Expiry: clk.Now().Add(time.Hour)}
	if err := s.Save(ctx, "short", short); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "long", long); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx, "short")
	if err != nil || got.AccessToken != "a1" {
		t.Fatalf("Load = %v, %v", got, err)
	}
	got.Scopes[0] = "changed"
	if again, _ := s.Load(ctx, "short"); again.Scopes[0] != "openid" {
		t.Errorf("Load returned shared memory")
	}
	clk.Advance(time.Hour)
	if _, err := s.Load(ctx, "short"); !errors.Is(err, idx.ErrTokensNotFound) {
		t.Errorf("expired access token kept: %v", err)
	}
	if _, err := s.Load(ctx, "long"); err != nil {
		t.Errorf("tokens with a refresh token dropped at access expiry: %v", err)
	}
	clk.Advance(time.Hour)
	if _, err := s.Load(ctx, "long"); !errors.Is(err, idx.ErrTokensNotFound) {
		t.Errorf("tokens kept past the retention: %v", err)
	}
	if err := s.Delete(ctx, "long"); err != nil {
		t.Error(err)
	}
}
