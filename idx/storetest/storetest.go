package storetest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goidx/goidx/idx"
)

// Option adapts the suite to a store.
type Option func(*config)

type config struct {
	tampers    []Tamper
	now        func() time.Time
	advance    func(time.Duration)
	largeSize  int
	workers    int
	increments int
}

func newConfig(opts []Option) config {
	c := config{largeSize: 64 << 10, workers: 8, increments: 25}
	for _, o := range opts {
		o(&c)
	}
	if c.now == nil || c.advance == nil {
		c.now, c.advance = time.Now, nil
	}
	return c
}

// WithClock tells the suite that the stores under test read the time from
// now, and that advance moves that clock forward. The expiry test then
// advances the clock instead of sleeping. Both must be safe for concurrent
// use: the subtests run in parallel and share the clock. Without this
// option the suite uses real time and sleeps about a second.
func WithClock(now func() time.Time, advance func(d time.Duration)) Option {
	return func(c *config) { c.now, c.advance = now, advance }
}

// WithLargeResponseSize sets the size in bytes of the Response the
// large-value test saves and expects back exactly (default 64 KiB). Stores
// with a size budget, such as one cookie, lower it to what they promise to
// keep. The Response is mostly incompressible.
func WithLargeResponseSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.largeSize = n
		}
	}
}

// WithConcurrency sets how many goroutines the concurrent-update test runs
// and how many increments each makes (default 8 and 25).
func WithConcurrency(workers, increments int) Option {
	return func(c *config) {
		if workers > 0 && increments > 0 {
			c.workers, c.increments = workers, increments
		}
	}
}

// A Tamper changes what a store keeps for one transaction, as someone
// with access to where the store keeps it could: flip a character of a
// browser's cookie, reseal it under an unknown key, copy another
// transaction's value under its key in Redis.
type Tamper struct {
	// Name names the change in the subtest's name.
	Name string
	// Apply changes what s (a store newStore returned) keeps for the
	// transaction saved under state; other is the State of another
	// transaction saved in s.
	Apply func(t *testing.T, s idx.TransactionStore, state, other string)
}

// WithTampering gives the suite ways to change the store's values behind
// its back. For each, the subtest Tampered/<Name> saves two transactions,
// applies the change to the first and checks that Load of the first fails
// with an error matching [idx.ErrTransactionNotFound] (a value that is not
// a valid transaction of the State asked for is a transaction that is
// gone, as the [idx.TransactionStore] contract says), that it never
// returns the other transaction, that the error names no secret, and that
// the other transaction still loads. Without this option that subtest
// skips, saying so: a store that keeps nothing outside the process has
// nothing to tamper with.
func WithTampering(tampers ...Tamper) Option {
	return func(c *config) { c.tampers = append(c.tampers, tampers...) }
}

// realExpiry is how far ahead the expiry test sets ExpiresAt on the real
// clock; long enough for a save and a load over a network on a slow runner.
const realExpiry = 800 * time.Millisecond

// TestTransactionStore runs the conformance tests of [idx.TransactionStore]
// as subtests of t. newStore returns an empty store; it is called once per
// subtest, from parallel subtests.
func TestTransactionStore(t *testing.T, newStore func(t *testing.T) idx.TransactionStore, opts ...Option) {
	t.Helper()
	cfg := newConfig(opts)
	tests := []struct {
		name string
		run  func(t *testing.T, cfg config, s idx.TransactionStore)
	}{
		{"RoundTrip", txRoundTrip},
		{"Copies", txCopies},
		{"UnknownState", txUnknown},
		{"InvalidInput", txInvalidInput},
		{"Delete", txDelete},
		{"Expiry", txExpiry},
		{"CompareAndSet", txCompareAndSet},
		{"ConcurrentUpdates", txConcurrent},
		{"LargeResponse", txLarge},
		{"ManyStates", txMany},
		{"ErrorsNameNoSecrets", txErrorsNoSecrets},
	}
	t.Run("Tampered", func(t *testing.T) {
		t.Parallel()
		if len(cfg.tampers) == 0 {
			t.Skip("no storetest.WithTampering given: the store under test is not tampered with " +
				"(right for a store that keeps nothing outside the process)")
		}
		for _, tm := range cfg.tampers {
			t.Run(tm.Name, func(t *testing.T) {
				t.Parallel()
				txTampered(t, cfg, newStore(t), tm)
			})
		}
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, cfg, newStore(t))
		})
	}
}

// randomToken returns a fresh random string in the style of the SDK's
// States, verifiers and nonces.
func randomToken(prefix string) string {
	return prefix + rand.Text() + rand.Text()
}

// fullTransaction returns a transaction with every field set, expiring an
// hour after now.
func fullTransaction(now time.Time) *idx.SavedTransaction {
	state := randomToken("st-")
	return &idx.SavedTransaction{
		State:             state,
		InteractionHandle: randomToken("ih-"),
		CodeVerifier:      randomToken("cv-"),
		OAuthState:        randomToken("os-"),
		Nonce:             randomToken("n-"),
		Scopes:            []string{"openid", "profile", "email", "offline_access"},
		ACRValues:         []string{"urn:okta:loa:2fa:any", "phr"},
		MaxAge:            15 * time.Minute,
		Prompt:            "login",
		StartedAt:         now.Add(-time.Minute),
		Response: []byte(`{"version":"1.0.0","stateHandle":"` + randomToken("02") +
			`","expiresAt":"` + now.Add(time.Hour).UTC().Format(time.RFC3339) +
			`","messages":{"type":"array","value":[{"message":"Ünïcødé \"quoted\" <b>&amp;</b>\u2028"}]}}`),
		ExpiresAt: now.Add(time.Hour),
		UpdatedAt: now,
	}
}

// clone returns a deep copy of t.
func clone(t *idx.SavedTransaction) *idx.SavedTransaction {
	c := *t
	c.Scopes = append([]string(nil), t.Scopes...)
	c.ACRValues = append([]string(nil), t.ACRValues...)
	c.Response = append([]byte(nil), t.Response...)
	return &c
}

// diffTx compares transactions field by field: times by instant, nil and
// empty slices alike.
func diffTx(want, got *idx.SavedTransaction) string {
	return cmp.Diff(want, got, cmpopts.EquateEmpty())
}

func mustSave(t *testing.T, s idx.TransactionStore, st *idx.SavedTransaction) {
	t.Helper()
	if err := s.Save(t.Context(), st); err != nil {
		t.Fatalf("Save: %v", err)
	}
}

func mustLoad(t *testing.T, s idx.TransactionStore, state string) *idx.SavedTransaction {
	t.Helper()
	got, err := s.Load(t.Context(), state)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got == nil {
		t.Fatal("Load returned nil and no error")
	}
	return got
}

func txRoundTrip(t *testing.T, cfg config, s idx.TransactionStore) {
	in := fullTransaction(cfg.now())
	want := clone(in)
	mustSave(t, s, in)
	if in.Version != 1 {
		t.Errorf("Version after creating = %d; want 1", in.Version)
	}
	want.Version = 1
	got := mustLoad(t, s, in.State)
	if diff := diffTx(want, got); diff != "" {
		t.Errorf("loaded transaction (-saved +loaded):\n%s", diff)
	}

	// A second save replaces every field.
	next := fullTransaction(cfg.now().Add(time.Minute))
	next.State, next.Version = in.State, got.Version
	next.Scopes = []string{"openid"}
	want = clone(next)
	mustSave(t, s, next)
	want.Version = 2
	if diff := diffTx(want, mustLoad(t, s, in.State)); diff != "" {
		t.Errorf("after an update (-saved +loaded):\n%s", diff)
	}
}

func txCopies(t *testing.T, cfg config, s idx.TransactionStore) {
	in := fullTransaction(cfg.now())
	want := clone(in)
	want.Version = 1
	mustSave(t, s, in)
	// Changing the caller's value after Save changes nothing stored.
	in.Scopes[0], in.Response[0] = "changed", '!'
	got := mustLoad(t, s, in.State)
	if diff := diffTx(want, got); diff != "" {
		t.Errorf("store aliases the saved value (-saved +loaded):\n%s", diff)
	}
	// Nor does changing what Load returned.
	got.Scopes[0], got.Response[0] = "changed", '?'
	if diff := diffTx(want, mustLoad(t, s, in.State)); diff != "" {
		t.Errorf("store aliases the loaded value (-saved +loaded again):\n%s", diff)
	}
}

func txUnknown(t *testing.T, cfg config, s idx.TransactionStore) {
	saved := fullTransaction(cfg.now())
	mustSave(t, s, saved)
	tests := []struct {
		name, state string
	}{
		{"never saved", randomToken("st-")},
		{"empty", ""},
		{"prefix of a saved State", saved.State[:len(saved.State)-1]},
		{"saved State extended", saved.State + "x"},
		{"saved State in another case", strings.ToLower(saved.State)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Load(t.Context(), tc.state)
			if !errors.Is(err, idx.ErrTransactionNotFound) {
				t.Errorf("Load = %v, %v; want an error matching idx.ErrTransactionNotFound", got, err)
			}
		})
	}
	mustLoad(t, s, saved.State)
}

func txInvalidInput(t *testing.T, cfg config, s idx.TransactionStore) {
	empty := fullTransaction(cfg.now())
	empty.State = ""
	for name, st := range map[string]*idx.SavedTransaction{"nil": nil, "empty State": empty} {
		t.Run(name, func(t *testing.T) {
			if err := s.Save(t.Context(), st); !errors.Is(err, idx.ErrInvalidInput) {
				t.Errorf("Save = %v; want an error matching idx.ErrInvalidInput", err)
			}
		})
	}
	if _, err := s.Load(t.Context(), ""); !errors.Is(err, idx.ErrTransactionNotFound) {
		t.Errorf("Load of the empty State after a refused save: %v; want idx.ErrTransactionNotFound", err)
	}
}

func txDelete(t *testing.T, cfg config, s idx.TransactionStore) {
	ctx := t.Context()
	keep, gone := fullTransaction(cfg.now()), fullTransaction(cfg.now())
	mustSave(t, s, keep)
	mustSave(t, s, gone)
	if err := s.Delete(ctx, gone.State); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Load(ctx, gone.State); !errors.Is(err, idx.ErrTransactionNotFound) {
		t.Errorf("Load after Delete: %v; want idx.ErrTransactionNotFound", err)
	}
	if err := s.Delete(ctx, gone.State); err != nil {
		t.Errorf("second Delete: %v; want nil", err)
	}
	if err := s.Delete(ctx, randomToken("st-")); err != nil {
		t.Errorf("Delete of an unknown State: %v; want nil", err)
	}
	mustLoad(t, s, keep.State)

	// Once deleted, nothing is stored: Version 0 creates it again.
	again := fullTransaction(cfg.now())
	again.State = gone.State
	mustSave(t, s, again)
	if again.Version != 1 {
		t.Errorf("Version after re-creating a deleted State = %d; want 1", again.Version)
	}
}

func txExpiry(t *testing.T, cfg config, s idx.TransactionStore) {
	ctx := t.Context()
	lifetime := realExpiry
	if cfg.advance != nil {
		lifetime = time.Minute
	}
	short := fullTransaction(cfg.now())
	short.ExpiresAt = cfg.now().Add(lifetime)
	long := fullTransaction(cfg.now())
	mustSave(t, s, short)
	mustSave(t, s, long)
	if _, err := s.Load(ctx, short.State); err != nil {
		t.Fatalf("Load before ExpiresAt: %v", err)
	}

	if cfg.advance != nil {
		cfg.advance(lifetime + time.Second)
	} else {
		time.Sleep(time.Until(short.ExpiresAt) + 150*time.Millisecond)
	}
	got, err := s.Load(ctx, short.State)
	if !errors.Is(err, idx.ErrTransactionNotFound) && !errors.Is(err, idx.ErrTransactionExpired) {
		t.Errorf("Load after ExpiresAt = %v, %v; want idx.ErrTransactionNotFound or idx.ErrTransactionExpired", got, err)
	}
	if _, err := s.Load(ctx, long.State); err != nil {
		t.Errorf("a transaction not yet expired: %v", err)
	}
}

func txCompareAndSet(t *testing.T, cfg config, s idx.TransactionStore) {
	ctx := t.Context()
	first := fullTransaction(cfg.now())
	stored := clone(first)
	mustSave(t, s, first)
	stored.Version = 1

	// conflict saves st, expects a conflict, and checks that st's Version
	// is untouched and that the store still holds want.
	conflict := func(t *testing.T, st *idx.SavedTransaction, want *idx.SavedTransaction) {
		t.Helper()
		version := st.Version
		if err := s.Save(ctx, st); !errors.Is(err, idx.ErrTransactionConflict) {
			t.Errorf("Save = %v; want an error matching idx.ErrTransactionConflict", err)
		}
		if st.Version != version {
			t.Errorf("Version after a refused save = %d; want it unchanged (%d)", st.Version, version)
		}
		if want == nil {
			if _, err := s.Load(ctx, st.State); !errors.Is(err, idx.ErrTransactionNotFound) {
				t.Errorf("after a refused save: Load = %v; want idx.ErrTransactionNotFound", err)
			}
			return
		}
		if diff := diffTx(want, mustLoad(t, s, st.State)); diff != "" {
			t.Errorf("a refused save changed the store (-before +after):\n%s", diff)
		}
	}

	t.Run("creating over a stored transaction", func(t *testing.T) {
		dup := fullTransaction(cfg.now())
		dup.State = first.State
		conflict(t, dup, stored)
	})
	t.Run("stale version", func(t *testing.T) {
		a, b := mustLoad(t, s, first.State), mustLoad(t, s, first.State)
		a.Nonce, b.Nonce = "winner", "loser"
		mustSave(t, s, a)
		if a.Version != 2 {
			t.Errorf("Version after the winning save = %d; want 2", a.Version)
		}
		stored = clone(a)
		conflict(t, b, stored)
		if got := mustLoad(t, s, first.State); got.Version != 2 {
			t.Errorf("loaded Version = %d; want 2", got.Version)
		}
	})
	t.Run("version from the future", func(t *testing.T) {
		c := mustLoad(t, s, first.State)
		c.Version += 5
		conflict(t, c, stored)
	})
	t.Run("update of a transaction never stored", func(t *testing.T) {
		ghost := fullTransaction(cfg.now())
		ghost.Version = 3
		conflict(t, ghost, nil)
	})
	t.Run("after a conflict, the loaded version saves", func(t *testing.T) {
		c := mustLoad(t, s, first.State)
		c.Nonce = "third"
		mustSave(t, s, c)
		if got := mustLoad(t, s, first.State); got.Version != 3 || got.Nonce != "third" {
			t.Errorf("stored version %d, nonce %q; want 3, third", got.Version, got.Nonce)
		}
	})
}

func txConcurrent(t *testing.T, cfg config, s idx.TransactionStore) {
	ctx := t.Context()
	st := fullTransaction(cfg.now())
	st.Nonce = "0"
	mustSave(t, s, st)
	// Each worker increments the counter in Nonce with load, modify, save,
	// and starts again on a conflict: no increment may be lost.
	var wg sync.WaitGroup
	for range cfg.workers {
		wg.Go(func() {
			for range cfg.increments {
				for attempt := 0; ; attempt++ {
					if attempt > 10000 {
						t.Errorf("no save succeeded in %d attempts", attempt)
						return
					}
					cur, err := s.Load(ctx, st.State)
					if err != nil {
						t.Errorf("Load: %v", err)
						return
					}
					var n int
					if _, err := fmt.Sscan(cur.Nonce, &n); err != nil {
						t.Errorf("counter %q: %v", cur.Nonce, err)
						return
					}
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
		})
	}
	wg.Wait()
	total := cfg.workers * cfg.increments
	got := mustLoad(t, s, st.State)
	if want := fmt.Sprint(total); got.Nonce != want || got.Version != int64(total+1) {
		t.Errorf("counter %s at version %d; want %s at version %d", got.Nonce, got.Version, want, total+1)
	}
}

// largeResponse returns n bytes: every byte value once, then the SHA-256
// of a counter, block after block (deterministic, and as incompressible
// as real randomness).
func largeResponse(n int) []byte {
	b := make([]byte, 0, n+sha256.Size)
	for i := range min(n, 256) {
		b = append(b, byte(i))
	}
	var ctr [8]byte
	for i := uint64(0); len(b) < n; i++ {
		binary.BigEndian.PutUint64(ctr[:], i)
		sum := sha256.Sum256(ctr[:])
		b = append(b, sum[:]...)
	}
	return b[:n]
}

func txLarge(t *testing.T, cfg config, s idx.TransactionStore) {
	st := fullTransaction(cfg.now())
	st.Response = largeResponse(cfg.largeSize)
	want := clone(st)
	want.Version = 1
	mustSave(t, s, st)
	got := mustLoad(t, s, st.State)
	if !bytes.Equal(got.Response, want.Response) {
		t.Fatalf("a %d-byte Response came back as %d bytes, not the same", len(want.Response), len(got.Response))
	}
	// cmp would compare the Response byte by byte, slowly.
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(idx.SavedTransaction{}, "Response")); diff != "" {
		t.Errorf("large transaction (-saved +loaded):\n%s", diff)
	}
	// Shrinking leaves nothing of the large value behind.
	got.Response = []byte(`{}`)
	want = clone(got)
	want.Version = 2
	mustSave(t, s, got)
	if diff := diffTx(want, mustLoad(t, s, st.State)); diff != "" {
		t.Errorf("after shrinking (-saved +loaded):\n%s", diff)
	}
}

func txMany(t *testing.T, cfg config, s idx.TransactionStore) {
	ctx := t.Context()
	const n = 64
	saved := make([]*idx.SavedTransaction, n)
	var wg sync.WaitGroup
	for i := range saved {
		saved[i] = fullTransaction(cfg.now())
		saved[i].Nonce = fmt.Sprint(i)
		wg.Go(func() {
			if err := s.Save(ctx, saved[i]); err != nil {
				t.Errorf("Save %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	for i, st := range saved {
		if i%2 == 0 {
			if err := s.Delete(ctx, st.State); err != nil {
				t.Errorf("Delete %d: %v", i, err)
			}
		}
	}
	for i, st := range saved {
		got, err := s.Load(ctx, st.State)
		switch {
		case i%2 == 0:
			if !errors.Is(err, idx.ErrTransactionNotFound) {
				t.Errorf("deleted transaction %d: Load = %v; want idx.ErrTransactionNotFound", i, err)
			}
		case err != nil:
			t.Errorf("Load %d: %v", i, err)
		case got.Nonce != fmt.Sprint(i) || got.State != st.State:
			t.Errorf("transaction %d came back holding transaction %s's values", i, got.Nonce)
		}
	}
}

func txErrorsNoSecrets(t *testing.T, cfg config, s idx.TransactionStore) {
	ctx := t.Context()
	st := fullTransaction(cfg.now())
	mustSave(t, s, st)
	var errs []error
	stale := clone(st)
	stale.Version = 0
	errs = append(errs, s.Save(ctx, stale))
	_, err := s.Load(ctx, st.State+"x")
	errs = append(errs, err)
	empty := clone(st)
	empty.State = ""
	errs = append(errs, s.Save(ctx, empty))

	secrets := []string{st.State, st.InteractionHandle, st.CodeVerifier, st.OAuthState, st.Nonce, string(st.Response[20:50])}
	for i, err := range errs {
		if err == nil {
			t.Errorf("error %d: nil; want an error", i)
			continue
		}
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			msg := fmt.Sprintf(verb, err)
			for _, secret := range secrets {
				if strings.Contains(msg, secret) {
					t.Errorf("error %d printed with %s holds a secret of the transaction: %s", i, verb, msg)
				}
			}
		}
	}
}

func txTampered(t *testing.T, cfg config, s idx.TransactionStore, tm Tamper) {
	ctx := t.Context()
	victim, other := fullTransaction(cfg.now()), fullTransaction(cfg.now())
	mustSave(t, s, victim)
	mustSave(t, s, other)
	tm.Apply(t, s, victim.State, other.State)
	got, err := s.Load(ctx, victim.State)
	if got != nil && got.State != victim.State {
		t.Fatalf("Load of one State returned another transaction")
	}
	if !errors.Is(err, idx.ErrTransactionNotFound) {
		t.Errorf("Load of a tampered transaction = %v, %v; want an error matching idx.ErrTransactionNotFound", got, err)
	}
	if err != nil {
		secrets := []string{victim.State, victim.CodeVerifier, victim.Nonce, other.State, other.CodeVerifier, other.Nonce}
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			msg := fmt.Sprintf(verb, err)
			for _, secret := range secrets {
				if strings.Contains(msg, secret) {
					t.Errorf("error printed with %s holds a secret: %s", verb, msg)
				}
			}
		}
	}
	if got := mustLoad(t, s, other.State); got.State != other.State || got.Nonce != other.Nonce {
		t.Errorf("the other transaction changed")
	}
}
