// Package redisstore keeps goidx transactions and tokens in Redis, so that
// every instance of an app behind a load balancer can continue a sign-in
// that another instance started.
//
// It is its own Go module (github.com/goidx/goidx/idx/redisstore), so that
// the SDK itself does not depend on a Redis client. It takes any
// [redis.UniversalClient] of github.com/redis/go-redis/v9: a single
// server, Sentinel (failover) or Cluster client.
//
//	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"redis:6379"}})
//	store := redisstore.New(rdb)
//	client, err := idx.NewClient(cfg,
//		idx.WithTransactionStore(store),
//		idx.WithTokenStore(store.TokenStore()))
//
// # Transactions
//
// Each transaction is one Redis hash under the key prefix ("goidx:tx:" by
// default) followed by the SHA-256 of its State, so that a key listing
// (SCAN, monitoring tools) does not reveal States. The hash holds the
// version ("v") and the transaction ("d": a format byte, then JSON). The key
// expires at the transaction's ExpiresAt (PEXPIREAT), or after the TTL
// given with [WithTTL] when ExpiresAt is zero.
//
// Save is the compare-and-set of [idx.TransactionStore]: a Lua script,
// run with EVALSHA and EVAL when the server does not have it cached,
// compares the stored version with SavedTransaction.Version and writes the
// new one in the same atomic step. Every command and script touches one
// key, so it runs unchanged on Redis Cluster. With reads from replicas
// (ReadOnly or RouteByLatency), Load may return an older version; Save
// still goes to the primary, so such a version only ends in
// idx.ErrTransactionConflict, never in a lost update.
//
// # Tokens
//
// [Store.TokenStore] returns an [idx.TokenStore] in the same Redis under
// "goidx:tok:" (SHA-256 of the key). Tokens are stored as
// [idx.MarshalTokens] encodes them, with their secret values, beside the
// SHA-256 of their key (see [ErrWrongKey]), after a format byte, and
// expire with the access token, or, when there is a
// refresh token (or no expiry), after the retention given with
// [WithTokenRetention] (24 hours by default).
//
// # Security
//
// The values hold secrets (PKCE verifiers, interaction handles, tokens) in
// the clear. Use Redis with authentication and TLS where the network is
// not private, and a database no one else reads. Errors name keys by
// neither State nor token key.
//
// Each value names what it belongs to: a transaction its State, tokens
// the SHA-256 of their key. Load checks it, so a value copied under
// another key in Redis (by a key-renaming trick or a mistake) loads as
// nothing ([ErrWrongKey], which matches idx.ErrTransactionNotFound or
// idx.ErrTokensNotFound), never as another user's sign-in or tokens. So
// does a transaction value this package cannot read ([ErrFormat]). The
// values are not sealed: whoever can write to the Redis can still write
// a value of their own making.
package redisstore
