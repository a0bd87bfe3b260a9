package redisstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/redisstore"
	"github.com/goidx/goidx/idx/storetest"
)

// newStore returns a Store on rdb under fresh key prefixes, cleaned up
// when t ends.
func newStore(t *testing.T, rdb redis.UniversalClient, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	prefix := testPrefix(t, rdb)
	return redisstore.New(rdb, append([]redisstore.Option{
		redisstore.WithPrefix(prefix + "tx:"),
		redisstore.WithTokenPrefix(prefix + "tok:"),
	}, opts...)...)
}

func TestTransactionStoreConformance(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	storetest.TestTransactionStore(t, func(t *testing.T) idx.TransactionStore {
		return newStore(t, rdb)
	}, storetest.WithTampering(redisTampers(rdb)...))
}

// redisTampers change what a Store keeps in Redis, as someone with access
// to the Redis could.
func redisTampers(rdb redis.UniversalClient) []storetest.Tamper {
	hset := func(t *testing.T, s idx.TransactionStore, state string, fields ...any) {
		t.Helper()
		if err := rdb.HSet(t.Context(), redisstore.KeyOf(s.(*redisstore.Store), state), fields...).Err(); err != nil {
			t.Fatal(err)
		}
	}
	return []storetest.Tamper{
		{Name: "copied from another State", Apply: func(t *testing.T, s idx.TransactionStore, state, other string) {
			vals, err := rdb.HGetAll(t.Context(), redisstore.KeyOf(s.(*redisstore.Store), other)).Result()
			if err != nil || len(vals) == 0 {
				t.Fatalf("reading the other transaction: %v %v", vals, err)
			}
			hset(t, s, state, "v", vals["v"], "d", vals["d"])
		}},
		{Name: "garbled", Apply: func(t *testing.T, s idx.TransactionStore, state, _ string) {
			hset(t, s, state, "d", "\x01{garbled")
		}},
		{Name: "future format", Apply: func(t *testing.T, s idx.TransactionStore, state, _ string) {
			hset(t, s, state, "d", "\x02{}")
		}},
	}
}

// TestCopiedTokens: tokens copied under another key load as no tokens,
// never as the other key's.
func TestCopiedTokens(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	ctx := t.Context()
	ts := newStore(t, rdb).TokenStore()
	alice := &idx.Tokens{TokenType: "Bearer", AccessToken: "alice-access", RefreshToken: "alice-refresh", Expiry: time.Now().Add(time.Hour)}
	bob := &idx.Tokens{TokenType: "Bearer", AccessToken: "bob-access", Expiry: time.Now().Add(time.Hour)}
	if err := ts.Save(ctx, "st-alice", alice); err != nil {
		t.Fatal(err)
	}
	if err := ts.Save(ctx, "st-bob", bob); err != nil {
		t.Fatal(err)
	}
	v, err := rdb.Get(ctx, redisstore.TokenKeyOf(ts, "st-alice")).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, redisstore.TokenKeyOf(ts, "st-bob"), v, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := ts.Load(ctx, "st-bob")
	if got != nil && got.AccessToken == alice.AccessToken {
		t.Fatal("bob's key loaded alice's tokens")
	}
	if !errors.Is(err, idx.ErrTokensNotFound) || !errors.Is(err, redisstore.ErrWrongKey) {
		t.Errorf("Load = %v, %v; want ErrWrongKey matching idx.ErrTokensNotFound", got, err)
	}
	if got, err := ts.Load(ctx, "st-alice"); err != nil || got.AccessToken != alice.AccessToken {
		t.Errorf("alice's own tokens: %v, %v", got, err)
	}
}

func TestTokenStoreConformance(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	storetest.TestTokenStore(t, func(t *testing.T) idx.TokenStore {
		return newStore(t, rdb).TokenStore()
	})
}

// TestClusterConformance runs the suite against a Redis Cluster when
// REDIS_CLUSTER_ADDRS names its nodes (host:port,...). .ci/run starts
// one (scripts/redis-cluster.sh); where CI is set, a missing cluster
// fails the test.
func TestClusterConformance(t *testing.T) {
	t.Parallel()
	addrs := clusterAddrs()
	if addrs == nil {
		msg := "REDIS_CLUSTER_ADDRS not set: the Redis Cluster tests did NOT run. Start a cluster with " +
			"`export \"$(scripts/redis-cluster.sh start /tmp/goidx-cluster)\"` (stop it with " +
			"`scripts/redis-cluster.sh stop /tmp/goidx-cluster`); .ci/run does this"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: addrs})
	t.Cleanup(func() { rdb.Close() })
	if _, ok := rdb.(*redis.ClusterClient); !ok && len(addrs) > 1 {
		t.Fatalf("NewUniversalClient made a %T for %d addresses", rdb, len(addrs))
	}
	if err := rdb.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("cluster at %v: %v", addrs, err)
	}
	t.Run("transactions", func(t *testing.T) {
		t.Parallel()
		storetest.TestTransactionStore(t, func(t *testing.T) idx.TransactionStore { return newStore(t, rdb) })
	})
	t.Run("tokens", func(t *testing.T) {
		t.Parallel()
		storetest.TestTokenStore(t, func(t *testing.T) idx.TokenStore { return newStore(t, rdb).TokenStore() })
	})
}

func TestTransactionKey(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	ctx := t.Context()
	s := newStore(t, rdb)
	now := time.Now()
	st := &idx.SavedTransaction{State: "a-secret-state", Nonce: "n", ExpiresAt: now.Add(10 * time.Minute)}
	if err := s.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	key := redisstore.KeyOf(s, st.State)
	if strings.Contains(key, st.State) {
		t.Errorf("key %q shows the State", key)
	}
	fields, err := rdb.HGetAll(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if fields["v"] != "1" || !strings.HasPrefix(fields["d"], "\x01{") {
		t.Errorf("stored hash: v=%q, d starts %q; want v=1 and a format byte then JSON", fields["v"], fields["d"][:min(len(fields["d"]), 2)])
	}
	// The key expires at ExpiresAt, to the millisecond.
	at, err := rdb.PExpireTime(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Duration(st.ExpiresAt.UnixMilli()) * time.Millisecond; at != want {
		t.Errorf("PEXPIRETIME = %v; want ExpiresAt, %v", at, want)
	}

	// Without an ExpiresAt, the TTL applies.
	s2 := newStore(t, rdb, redisstore.WithTTL(3*time.Minute))
	if err := s2.Save(ctx, &idx.SavedTransaction{State: "no-expiry"}); err != nil {
		t.Fatal(err)
	}
	ttl, err := rdb.PTTL(ctx, redisstore.KeyOf(s2, "no-expiry")).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 2*time.Minute || ttl > 3*time.Minute {
		t.Errorf("PTTL without ExpiresAt = %v; want about 3m", ttl)
	}

	// An update moves the expiry.
	st.ExpiresAt = now.Add(20 * time.Minute)
	if err := s.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	if at, _ := rdb.PExpireTime(ctx, key).Result(); at != time.Duration(st.ExpiresAt.UnixMilli())*time.Millisecond {
		t.Errorf("PEXPIRETIME after an update = %v; want the new ExpiresAt", at)
	}
}

func TestExpiredOnTheStoreClock(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	ctx := t.Context()
	now := time.Now()
	prefix := testPrefix(t, rdb)
	writer := redisstore.New(rdb, redisstore.WithPrefix(prefix))
	late := redisstore.New(rdb, redisstore.WithPrefix(prefix), redisstore.WithClock(func() time.Time { return now.Add(2 * time.Hour) }))
	if err := writer.Save(ctx, &idx.SavedTransaction{State: "s", ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// Redis still holds the key; the reader's clock says it has expired.
	if _, err := late.Load(ctx, "s"); !errors.Is(err, idx.ErrTransactionExpired) {
		t.Errorf("Load = %v; want idx.ErrTransactionExpired", err)
	}
	if _, err := writer.Load(ctx, "s"); err != nil {
		t.Errorf("Load on the writer's clock: %v", err)
	}
}

func TestScriptNotCached(t *testing.T) {
	rdb := testRedis(t)
	ctx := t.Context()
	s := newStore(t, rdb)
	// SCRIPT FLUSH empties the server's script cache (as a restart or a
	// failover does): Save must fall back from EVALSHA to EVAL.
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	st := &idx.SavedTransaction{State: "flushed", ExpiresAt: time.Now().Add(time.Minute)}
	if err := s.Save(ctx, st); err != nil {
		t.Fatalf("Save after SCRIPT FLUSH: %v", err)
	}
	if err := s.Save(ctx, st); err != nil || st.Version != 2 {
		t.Fatalf("second Save: version %d, %v", st.Version, err)
	}
}

func TestUnreadableValues(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	ctx := t.Context()
	s := newStore(t, rdb)
	ts := s.TokenStore()
	tests := []struct {
		name  string
		setup func(key string) error
		load  func() error
		want  error
	}{
		{"transaction in a future format", func(key string) error {
			return rdb.HSet(ctx, key, "v", "1", "d", "\x02{}").Err()
		}, func() error { _, err := s.Load(ctx, "k"); return err }, redisstore.ErrFormat},
		{"transaction not JSON", func(key string) error {
			return rdb.HSet(ctx, key, "v", "1", "d", "\x01{not json").Err()
		}, func() error { _, err := s.Load(ctx, "k"); return err }, redisstore.ErrFormat},
		{"transaction version not a number", func(key string) error {
			return rdb.HSet(ctx, key, "v", "x", "d", "\x01{}").Err()
		}, func() error { _, err := s.Load(ctx, "k"); return err }, redisstore.ErrFormat},
		{"tokens in a future format", func(string) error {
			return rdb.Set(ctx, redisstore.TokenKeyOf(ts, "k"), "\x03{}", time.Minute).Err()
		}, func() error { _, err := ts.Load(ctx, "k"); return err }, redisstore.ErrFormat},
		{"tokens not JSON", func(string) error {
			return rdb.Set(ctx, redisstore.TokenKeyOf(ts, "k"), "\x02"+`{"for":eyJ-canary`, time.Minute).Err()
		}, func() error { _, err := ts.Load(ctx, "k"); return err }, redisstore.ErrFormat},
		// Tokens of releases before idx.MarshalTokens: camelCase members.
		{"tokens of an earlier release", func(string) error {
			return rdb.Set(ctx, redisstore.TokenKeyOf(ts, "k"),
				"\x01"+`{"tokenType":"Bearer","accessToken":"eyJ-canary","expiry":"2030-01-02T03:04:05Z"}`, time.Minute).Err()
		}, func() error { _, err := ts.Load(ctx, "k"); return err }, idx.ErrTokensNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := redisstore.KeyOf(s, "k")
			rdb.Del(ctx, key, redisstore.TokenKeyOf(ts, "k"))
			if err := tc.setup(key); err != nil {
				t.Fatal(err)
			}
			err := tc.load()
			if !errors.Is(err, tc.want) {
				t.Errorf("Load = %v; want %v", err, tc.want)
			}
			if msg := fmt.Sprintf("%v %+v %#v", err, err, err); strings.Contains(msg, "canary") {
				t.Errorf("error quotes the value: %s", msg)
			}
		})
	}

	// A key of another type under the prefix: an error, neither a
	// conflict nor not-found.
	if err := rdb.Set(ctx, redisstore.KeyOf(s, "str"), "x", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "str"); err == nil || errors.Is(err, idx.ErrTransactionNotFound) {
		t.Errorf("Load of a string key = %v; want a Redis error", err)
	}
	if err := s.Save(ctx, &idx.SavedTransaction{State: "str"}); err == nil || errors.Is(err, idx.ErrTransactionConflict) {
		t.Errorf("Save over a string key = %v; want a Redis error", err)
	}
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	now := time.Now()
	tests := []struct {
		name    string
		tokens  idx.Tokens
		wantTTL time.Duration // 0: not stored
	}{
		{"access token only: its expiry", idx.Tokens{AccessToken: "a", Expiry: now.Add(time.Hour)}, time.Hour},
		{"refresh token: the retention", idx.Tokens{AccessToken: "a", RefreshToken: "r", Expiry: now.Add(time.Hour)}, 5 * time.Hour},
		{"no expiry: the retention", idx.Tokens{AccessToken: "a"}, 5 * time.Hour},
		{"already expired: not stored", idx.Tokens{AccessToken: "a", Expiry: now.Add(-time.Second)}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			ts := newStore(t, rdb, redisstore.WithTokenRetention(5*time.Hour), redisstore.WithClock(func() time.Time { return now })).TokenStore()
			if err := ts.Save(ctx, "k", &tc.tokens); err != nil {
				t.Fatal(err)
			}
			ttl, err := rdb.PTTL(ctx, redisstore.TokenKeyOf(ts, "k")).Result()
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantTTL == 0 {
				if _, err := ts.Load(ctx, "k"); !errors.Is(err, idx.ErrTokensNotFound) {
					t.Errorf("Load = %v; want idx.ErrTokensNotFound", err)
				}
				return
			}
			if d := tc.wantTTL - ttl; d < 0 || d > 10*time.Second {
				t.Errorf("PTTL = %v; want about %v", ttl, tc.wantTTL)
			}
			got, err := ts.Load(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.tokens.AccessToken.Reveal(), got.AccessToken.Reveal()); diff != "" {
				t.Errorf("access token (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorsOnCanceledContext(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	s := newStore(t, rdb)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Save(ctx, &idx.SavedTransaction{State: "c"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Save = %v; want context.Canceled", err)
	}
	if _, err := s.Load(ctx, "c"); !errors.Is(err, context.Canceled) {
		t.Errorf("Load = %v; want context.Canceled", err)
	}
}

// TestStoresPrintNoPassword: the stores print a fixed description, never
// the Redis client and its options (which may hold a password). No Redis
// is needed: nothing is sent.
func TestStoresPrintNoPassword(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", Password: "canary-redis-password"})
	t.Cleanup(func() { rdb.Close() })
	s := redisstore.New(rdb)
	for _, v := range []any{s, s.TokenStore()} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, "canary") || strings.Contains(out, "127.0.0.1") {
				t.Errorf("%s of %T = %s", verb, v, out)
			}
		}
	}
}

// TestTokenValue: a token value is a format byte, then JSON holding the
// tokens as idx.MarshalTokens encodes them.
func TestTokenValue(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	ctx := t.Context()
	ts := newStore(t, rdb).TokenStore()
	in := &idx.Tokens{TokenType: "Bearer", AccessToken: "eyJ-access", Scopes: []string{"openid"}, Expiry: time.Now().Add(time.Hour)}
	if err := ts.Save(ctx, "k", in); err != nil {
		t.Fatal(err)
	}
	v, err := rdb.Get(ctx, redisstore.TokenKeyOf(ts, "k")).Result()
	if err != nil {
		t.Fatal(err)
	}
	if v[0] != 2 {
		t.Fatalf("format byte %d; want 2", v[0])
	}
	var stored struct {
		Tokens json.RawMessage `json:"tokens"`
	}
	if err := json.Unmarshal([]byte(v[1:]), &stored); err != nil {
		t.Fatalf("the value after the format byte: %v", err)
	}
	got, err := idx.UnmarshalTokens(stored.Tokens)
	if err != nil {
		t.Fatalf("the value's tokens: %v", err)
	}
	if diff := cmp.Diff(in, got); diff != "" {
		t.Errorf("stored tokens (-saved +stored):\n%s", diff)
	}
}
