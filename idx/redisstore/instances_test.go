package redisstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
	"github.com/goidx/goidx/idx/redisstore"
)

// instance is one replica of an app: its own Redis connections, Store and
// idx.Client, sharing only the Redis server and the key prefix with the
// other replicas.
type instance struct {
	store  *redisstore.Store
	client *idx.Client
}

func newInstance(t *testing.T, org *idxtest.Server, prefix string, wrap func(idx.TransactionStore) idx.TransactionStore) *instance {
	t.Helper()
	raw, _ := redisURL()
	opt, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	store := redisstore.New(rdb, redisstore.WithPrefix(prefix+"tx:"), redisstore.WithTokenPrefix(prefix+"tok:"))
	var txStore idx.TransactionStore = store
	if wrap != nil {
		txStore = wrap(store)
	}
	client, err := idx.NewClient(idx.Config{
		Issuer:      org.Issuer(),
		ClientID:    idxtest.PublicClientID,
		RedirectURI: idxtest.DefaultRedirectURI,
	}, idx.WithInsecureLoopbackHTTP(), idx.WithTransactionStore(txStore), idx.WithTokenStore(store.TokenStore()))
	if err != nil {
		t.Fatal(err)
	}
	return &instance{store: store, client: client}
}

func authenticate(t *testing.T, c *idx.Client, opts idx.Options, wantStatus idx.Status, wantStep string) *idx.Transaction {
	t.Helper()
	tx, err := c.Authenticate(t.Context(), opts)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	step := ""
	if tx.NextStep != nil {
		step = tx.NextStep.Name
	}
	if tx.Status != wantStatus || step != wantStep {
		t.Fatalf("transaction %s at step %q; want %s at %q", tx.Status, step, wantStatus, wantStep)
	}
	return tx
}

// TestSignInAcrossInstances signs in with each request landing on another
// replica, as behind a load balancer.
func TestSignInAcrossInstances(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	org := idxtest.New(t)
	prefix := testPrefix(t, rdb)
	a, b := newInstance(t, org, prefix, nil), newInstance(t, org, prefix, nil)

	tx := authenticate(t, a.client, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword},
		idx.StatusPending, "select-authenticator-authenticate")
	org.ResetRequestLog()
	authenticate(t, b.client, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail},
		idx.StatusPending, "challenge-authenticator")
	for _, r := range org.RequestLog() {
		if r == "POST /idp/idx/introspect" {
			t.Errorf("instance b introspected: the saved response was not used (%v)", org.RequestLog())
		}
	}
	code, ok := org.LastCode(idxtest.DemoUsername)
	if !ok {
		t.Fatal("no code sent")
	}
	done := authenticate(t, a.client, idx.Options{State: tx.State, VerificationCode: code}, idx.StatusSuccess, "")

	// The finished transaction is gone from Redis; its tokens are there
	// for every instance.
	if _, err := b.store.Load(t.Context(), tx.State); !errors.Is(err, idx.ErrTransactionNotFound) {
		t.Errorf("finished transaction still stored: %v", err)
	}
	toks, err := b.client.Tokens(t.Context(), tx.State)
	if err != nil {
		t.Fatalf("Tokens on instance b: %v", err)
	}
	if toks.AccessToken.Reveal() != done.Tokens.AccessToken.Reveal() || toks.IDTokenClaims == nil ||
		toks.IDTokenClaims.Subject != done.Tokens.IDTokenClaims.Subject {
		t.Error("instance b's tokens differ from the ones instance a received")
	}
	if _, err := b.client.UserInfo(t.Context(), toks); err != nil {
		t.Errorf("UserInfo with the tokens from Redis: %v", err)
	}
}

// loadBarrier holds every Load until n Loads have happened, so that n
// requests start from the same saved version.
type loadBarrier struct {
	idx.TransactionStore
	wg *sync.WaitGroup
}

func (l loadBarrier) Load(ctx context.Context, state string) (*idx.SavedTransaction, error) {
	t, err := l.TransactionStore.Load(ctx, state)
	l.wg.Done()
	l.wg.Wait()
	return t, err
}

// TestDoubleSubmitAcrossInstances submits the same form twice at once, to
// two replicas that both loaded the same version: one save wins, the other
// gets ErrTransactionConflict, and the sign-in goes on.
func TestDoubleSubmitAcrossInstances(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	// Both submissions reach the org, whatever the store decides. With
	// the verification-data step, the loser's method answer would move the
	// fake org's transaction back a step; without it, both end on the
	// code challenge and the last code sent is the one in force.
	org := idxtest.New(t, idxtest.WithEmailVerificationData(false))
	prefix := testPrefix(t, rdb)
	var barrier sync.WaitGroup
	barrier.Add(2)
	wrap := func(s idx.TransactionStore) idx.TransactionStore { return loadBarrier{s, &barrier} }
	start := newInstance(t, org, prefix, nil)
	a, b := newInstance(t, org, prefix, wrap), newInstance(t, org, prefix, wrap)

	tx := authenticate(t, start.client, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword},
		idx.StatusPending, "select-authenticator-authenticate")
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, inst := range []*instance{a, b} {
		wg.Go(func() {
			_, errs[i] = inst.client.Authenticate(t.Context(), idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
		})
	}
	wg.Wait()
	conflicts := 0
	for i, err := range errs {
		switch {
		case errors.Is(err, idx.ErrTransactionConflict):
			conflicts++
		case err != nil:
			t.Errorf("submission %d: %v", i, err)
		}
	}
	if conflicts != 1 {
		t.Fatalf("%d of 2 simultaneous submissions got ErrTransactionConflict (%v); want exactly 1", conflicts, errs)
	}
	saved, err := start.store.Load(t.Context(), tx.State)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Version != 2 {
		t.Errorf("stored version %d; want 2 (created, then one winning save)", saved.Version)
	}
	code, _ := org.LastCode(idxtest.DemoUsername)
	authenticate(t, start.client, idx.Options{State: tx.State, VerificationCode: code}, idx.StatusSuccess, "")
}
