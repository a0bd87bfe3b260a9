package redisstore

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/goidx/goidx/idx"
)

// Default key prefixes.
const (
	// DefaultPrefix prefixes the keys of transactions.
	DefaultPrefix = "goidx:tx:"
	// DefaultTokenPrefix prefixes the keys of tokens.
	DefaultTokenPrefix = "goidx:tok:"
)

// ErrFormat reports a stored value this package cannot read: written by a
// newer version of it, or by something else under the same prefix.
var ErrFormat = errors.New("redisstore: stored value in an unknown format")

// ErrWrongKey reports a stored value that belongs to another State (or
// token key) than the one it is stored under: copied there in Redis.
var ErrWrongKey = errors.New("redisstore: stored value belongs to another key")

// formatJSON marks a value as one format byte followed by JSON.
const formatJSON byte = 1

// casScript stores a transaction if the version stored under KEYS[1] (0
// when there is none) is ARGV[1]. ARGV[2] is the new version, ARGV[3] the
// encoded transaction, ARGV[4] the expiry in Unix milliseconds. It returns
// 1 when it stored, 0 on a version mismatch. One key: Cluster-safe.
const casScript = `
local cur = redis.call('HGET', KEYS[1], 'v')
if (cur or '0') ~= ARGV[1] then
	return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return 1
`

// Option configures a Store.
type Option func(*options)

type options struct {
	prefix      string
	tokenPrefix string
	ttl         time.Duration
	retention   time.Duration
	now         func() time.Time
}

// WithPrefix sets the key prefix of transactions (default [DefaultPrefix]).
func WithPrefix(prefix string) Option {
	return func(o *options) { o.prefix = prefix }
}

// WithTokenPrefix sets the key prefix of tokens (default
// [DefaultTokenPrefix]).
func WithTokenPrefix(prefix string) Option {
	return func(o *options) { o.tokenPrefix = prefix }
}

// WithTTL sets how long a transaction saved without an ExpiresAt is kept
// (default one hour, as idx.MemoryTransactionStore).
func WithTTL(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.ttl = d
		}
	}
}

// WithTokenRetention sets how long tokens with a refresh token, or without
// an expiry, are kept (default 24 hours, as idx.MemoryTokenStore). Other
// tokens expire with their access token.
func WithTokenRetention(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.retention = d
		}
	}
}

// WithClock makes the store read the time from now: for the default
// expiries and the expiry check on Load. Redis expires keys by its own
// clock.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// Store is an [idx.TransactionStore] in Redis. It is safe for concurrent
// use, also by several processes sharing one Redis.
type Store struct {
	rdb    redis.UniversalClient
	opts   options
	script *redis.Script
}

var (
	_ idx.TransactionStore = (*Store)(nil)
	_ idx.TokenStore       = (*TokenStore)(nil)
)

// New returns a Store that keeps transactions through client, which may be
// a single-server, Sentinel or Cluster client. The Store does not close
// client.
func New(client redis.UniversalClient, opts ...Option) *Store {
	o := options{
		prefix:      DefaultPrefix,
		tokenPrefix: DefaultTokenPrefix,
		ttl:         time.Hour,
		retention:   24 * time.Hour,
		now:         time.Now,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return &Store{rdb: client, opts: o, script: redis.NewScript(casScript)}
}

// hashKey returns prefix followed by the SHA-256 of key, so that key
// listings do not show States or token keys.
func hashKey(prefix, key string) string { return prefix + keyHash(key) }

// keyHash is the SHA-256 of key, base64url-encoded.
func keyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (s *Store) key(state string) string { return hashKey(s.opts.prefix, state) }

// Save stores t if the version stored under t.State is t.Version (see
// [idx.TransactionStore]); then t.Version is the new version. The key
// expires at t.ExpiresAt, or after the store's TTL when that is zero.
func (s *Store) Save(ctx context.Context, t *idx.SavedTransaction) error {
	if t == nil || t.State == "" {
		return &idx.InputError{Field: "SavedTransaction.State", Reason: "empty"}
	}
	c := *t
	if c.ExpiresAt.IsZero() {
		c.ExpiresAt = s.opts.now().Add(s.opts.ttl)
	}
	c.Version = t.Version + 1
	data, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("redisstore: encoding transaction: %w", err)
	}
	value := append([]byte{formatJSON}, data...)
	expireAt := max(c.ExpiresAt.UnixMilli(), 1)
	stored, err := s.script.Run(ctx, s.rdb, []string{s.key(t.State)},
		strconv.FormatInt(t.Version, 10), strconv.FormatInt(c.Version, 10), value, expireAt).Int()
	if err != nil {
		return fmt.Errorf("redisstore: saving transaction: %w", err)
	}
	if stored != 1 {
		return fmt.Errorf("redisstore: %w", idx.ErrTransactionConflict)
	}
	t.Version = c.Version
	return nil
}

// Load returns the transaction saved under state. It returns an error
// matching idx.ErrTransactionNotFound when there is none, and one matching
// idx.ErrTransactionExpired when its ExpiresAt has passed by the store's
// clock but Redis has not yet expired it. A value it cannot read
// ([ErrFormat]) or that holds another State's transaction ([ErrWrongKey]:
// copied under this State's key) is not this State's transaction: the
// error matches idx.ErrTransactionNotFound too.
func (s *Store) Load(ctx context.Context, state string) (*idx.SavedTransaction, error) {
	if state == "" {
		return nil, fmt.Errorf("redisstore: %w", idx.ErrTransactionNotFound)
	}
	vals, err := s.rdb.HMGet(ctx, s.key(state), "v", "d").Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: loading transaction: %w", err)
	}
	if len(vals) != 2 || vals[1] == nil {
		return nil, fmt.Errorf("redisstore: %w", idx.ErrTransactionNotFound)
	}
	v, _ := vals[0].(string)
	d, _ := vals[1].(string)
	version, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%w (version): %w", ErrFormat, idx.ErrTransactionNotFound)
	}
	t, err := decodeTransaction(d)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, idx.ErrTransactionNotFound)
	}
	// The value names its State: it must be the one asked for, as
	// cookiestore binds its seal to the State.
	if subtle.ConstantTimeCompare([]byte(t.State), []byte(state)) != 1 {
		return nil, fmt.Errorf("%w: %w", ErrWrongKey, idx.ErrTransactionNotFound)
	}
	t.Version = version
	if !s.opts.now().Before(t.ExpiresAt) {
		return nil, fmt.Errorf("redisstore: %w", idx.ErrTransactionExpired)
	}
	return t, nil
}

func decodeTransaction(d string) (*idx.SavedTransaction, error) {
	if len(d) == 0 || d[0] != formatJSON {
		return nil, ErrFormat
	}
	t := &idx.SavedTransaction{}
	if err := json.Unmarshal([]byte(d[1:]), t); err != nil {
		// The JSON error is left out: it may quote the value.
		return nil, fmt.Errorf("%w (undecodable transaction)", ErrFormat)
	}
	return t, nil
}

// Delete removes the transaction saved under state, if any.
func (s *Store) Delete(ctx context.Context, state string) error {
	if state == "" {
		return nil
	}
	if err := s.rdb.Del(ctx, s.key(state)).Err(); err != nil {
		return fmt.Errorf("redisstore: deleting transaction: %w", err)
	}
	return nil
}

// String describes the store without the Redis client, whose options may
// hold a password.
func (s *Store) String() string { return "redisstore.Store{...}" }

// Format prints [Store.String] for every verb.
func (s *Store) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// String describes the store without the Redis client, whose options may
// hold a password.
func (s *TokenStore) String() string { return "redisstore.TokenStore{...}" }

// Format prints [TokenStore.String] for every verb.
func (s *TokenStore) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }
