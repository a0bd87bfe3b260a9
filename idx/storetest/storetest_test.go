package storetest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/storetest"
	"github.com/goidx/goidx/internal/testclock"
)

func TestMemoryStores(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	storetest.TestTransactionStore(t, func(*testing.T) idx.TransactionStore {
		return idx.NewMemoryTransactionStore(0, clk.Now)
	}, storetest.WithClock(clk.Now, clk.Advance), storetest.WithLargeResponseSize(1<<20), storetest.WithConcurrency(4, 10))
	storetest.TestTokenStore(t, func(*testing.T) idx.TokenStore {
		return idx.NewMemoryTokenStore(0, clk.Now)
	}, storetest.WithClock(clk.Now, clk.Advance))
}

// noCAS saves whatever version it is given.
type noCAS struct{ *idx.MemoryTransactionStore }

func (s noCAS) Save(ctx context.Context, t *idx.SavedTransaction) error {
	if t == nil {
		return s.MemoryTransactionStore.Save(ctx, t)
	}
	t.Version = 0
	if cur, err := s.Load(ctx, t.State); err == nil {
		t.Version = cur.Version
	}
	return s.MemoryTransactionStore.Save(ctx, t)
}

// aliasing keeps the caller's value.
type aliasing struct {
	*idx.MemoryTransactionStore
	mu   sync.Mutex
	kept map[string]*idx.SavedTransaction
}

func (s *aliasing) Save(ctx context.Context, t *idx.SavedTransaction) error {
	if err := s.MemoryTransactionStore.Save(ctx, t); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kept[t.State] = t
	return nil
}

func (s *aliasing) Load(ctx context.Context, state string) (*idx.SavedTransaction, error) {
	if _, err := s.MemoryTransactionStore.Load(ctx, state); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kept[state], nil
}

// leaky names the State in its errors.
type leaky struct{ *idx.MemoryTransactionStore }

func (s leaky) Save(ctx context.Context, t *idx.SavedTransaction) error {
	err := s.MemoryTransactionStore.Save(ctx, t)
	if err != nil && t != nil {
		return fmt.Errorf("saving %s: %w", t.State, err)
	}
	return err
}

// redacting stores tokens as encoding/json writes them.
type redacting struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *redacting) Save(_ context.Context, key string, t *idx.Tokens) error {
	if key == "" || t == nil {
		return &idx.InputError{Field: "key", Reason: "empty"}
	}
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = b
	return nil
}

func (s *redacting) Load(_ context.Context, key string) (*idx.Tokens, error) {
	s.mu.Lock()
	b, ok := s.m[key]
	s.mu.Unlock()
	if !ok {
		return nil, idx.ErrTokensNotFound
	}
	var t idx.Tokens
	err := json.Unmarshal(b, &t)
	return &t, err
}

func (s *redacting) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

// unbound keeps transactions as JSON by State and loads whatever JSON a
// State's entry holds: a value copied under another State loads as that
// other transaction, and a garbled one fails with a JSON error.
type unbound struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *unbound) Save(_ context.Context, t *idx.SavedTransaction) error {
	if t == nil || t.State == "" {
		return &idx.InputError{Field: "State", Reason: "empty"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var cur idx.SavedTransaction
	if b, ok := s.m[t.State]; ok {
		_ = json.Unmarshal(b, &cur)
	}
	if cur.Version != t.Version {
		return idx.ErrTransactionConflict
	}
	c := *t
	c.Version++
	b, err := json.Marshal(&c)
	if err != nil {
		return err
	}
	s.m[t.State] = b
	t.Version = c.Version
	return nil
}

func (s *unbound) Load(_ context.Context, state string) (*idx.SavedTransaction, error) {
	s.mu.Lock()
	b, ok := s.m[state]
	s.mu.Unlock()
	if !ok {
		return nil, idx.ErrTransactionNotFound
	}
	var t idx.SavedTransaction
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, errors.New("unbound: value does not decode")
	}
	return &t, nil
}

func (s *unbound) Delete(_ context.Context, state string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, state)
	return nil
}

// unboundTampers copy and garble the values of an unbound store.
var unboundTampers = []storetest.Tamper{
	{Name: "copied", Apply: func(t *testing.T, s idx.TransactionStore, state, other string) {
		u := s.(*unbound)
		u.mu.Lock()
		defer u.mu.Unlock()
		u.m[state] = u.m[other]
	}},
	{Name: "garbled", Apply: func(t *testing.T, s idx.TransactionStore, state, _ string) {
		u := s.(*unbound)
		u.mu.Lock()
		defer u.mu.Unlock()
		u.m[state] = []byte("{garbled")
	}},
}

// brokenStores are stores that break the contract, each in one way.
func brokenStores(name string) (tx func(*testing.T) idx.TransactionStore, tok func(*testing.T) idx.TokenStore, opts []storetest.Option) {
	clk := testclock.New(time.Now())
	start := clk.Now()
	frozen := func() time.Time { return start }
	opts = []storetest.Option{storetest.WithClock(clk.Now, clk.Advance)}
	switch name {
	case "no compare-and-set":
		return func(*testing.T) idx.TransactionStore { return noCAS{idx.NewMemoryTransactionStore(0, clk.Now)} }, nil, opts
	case "aliasing":
		return func(*testing.T) idx.TransactionStore {
			return &aliasing{MemoryTransactionStore: idx.NewMemoryTransactionStore(0, clk.Now), kept: map[string]*idx.SavedTransaction{}}
		}, nil, opts
	case "never expires":
		return func(*testing.T) idx.TransactionStore { return idx.NewMemoryTransactionStore(0, frozen) }, nil, opts
	case "leaky errors":
		return func(*testing.T) idx.TransactionStore { return leaky{idx.NewMemoryTransactionStore(0, clk.Now)} }, nil, opts
	case "redacted tokens":
		return nil, func(*testing.T) idx.TokenStore { return &redacting{m: map[string][]byte{}} }, opts
	case "unbound values":
		return func(*testing.T) idx.TransactionStore { return &unbound{m: map[string][]byte{}} }, nil,
			append(opts, storetest.WithTampering(unboundTampers...))
	}
	return nil, nil, nil
}

// TestBrokenStore runs the suite on one broken store, named by the
// environment variable STORETEST_BROKEN; TestSuiteCatchesBrokenStores runs
// it in a child process and expects it to fail.
func TestBrokenStore(t *testing.T) {
	name := os.Getenv("STORETEST_BROKEN")
	if name == "" {
		t.Skip("run by TestSuiteCatchesBrokenStores")
	}
	tx, tok, opts := brokenStores(name)
	switch {
	case tx != nil:
		storetest.TestTransactionStore(t, tx, opts...)
	case tok != nil:
		storetest.TestTokenStore(t, tok, opts...)
	default:
		t.Fatalf("no broken store %q", name)
	}
}

func TestSuiteCatchesBrokenStores(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the test binary again")
	}
	tests := []struct {
		store    string
		wantFail []string // subtests that must fail
	}{
		{"no compare-and-set", []string{"CompareAndSet", "ErrorsNameNoSecrets"}},
		{"aliasing", []string{"Copies"}},
		{"never expires", []string{"Expiry"}},
		{"leaky errors", []string{"ErrorsNameNoSecrets"}},
		{"redacted tokens", []string{"RoundTrip", "SecretsExact", "Overwrite"}},
		{"unbound values", []string{"Tampered/copied", "Tampered/garbled"}},
	}
	for _, tc := range tests {
		t.Run(tc.store, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestBrokenStore$", "-test.v")
			cmd.Env = append(os.Environ(), "STORETEST_BROKEN="+tc.store)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a store that is broken (%s):\n%s", tc.store, out)
			}
			for _, sub := range tc.wantFail {
				if !strings.Contains(string(out), "--- FAIL: TestBrokenStore/"+sub+" ") {
					t.Errorf("subtest %s did not fail:\n%s", sub, out)
				}
			}
		})
	}
}
