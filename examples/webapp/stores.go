package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/cookiestore"
	"github.com/goidx/goidx/idx/redisstore"
)

// The stores of -store: where the sessions, the sign-in transactions and
// the tokens live.
const (
	// storeMemory: in this process's memory. One instance only.
	storeMemory = "memory"
	// storeRedis: in Redis (REDIS_URL), shared by every instance.
	storeRedis = "redis"
	// storeCookie: sealed in the browser's cookies with a key every
	// instance is given (COOKIE_KEY); nothing is kept on the server.
	storeCookie = "cookie"
)

// defaultRedisURL is the Redis of -store=redis without REDIS_URL.
const defaultRedisURL = "redis://127.0.0.1:6379/0"

// storeConfig says where an instance of the app keeps its state.
type storeConfig struct {
	kind string
	// redis is the client of -store=redis; redisPrefix, when set, puts
	// every key of the app under it (tests), else the stores' defaults
	// apply.
	redis       redis.UniversalClient
	redisPrefix string
	// cookieKeys are the keys of -store=cookie.
	cookieKeys cookiestore.Keys
}

// newInstance builds one instance of the app: an idx.Client of the org
// of cfg whose transactions and tokens live where sc says, and the app,
// whose sessions live there too. Instances built with the same cfg and
// a storeConfig sharing a Redis (or the cookie keys) can each continue
// what another began.
func newInstance(cfg idx.Config, sc storeConfig, acfg appConfig, opts ...idx.ClientOption) (*app, error) {
	switch sc.kind {
	case storeMemory, "":
	case storeRedis:
		if sc.redis == nil {
			return nil, errors.New("webapp: -store=redis without a Redis client")
		}
		var ropts []redisstore.Option
		if p := sc.redisPrefix; p != "" {
			ropts = append(ropts, redisstore.WithPrefix(p+"tx:"), redisstore.WithTokenPrefix(p+"tok:"))
			acfg.sessionRedisPrefix = p + "session:"
			acfg.answersRedisPrefix = p + "answers:"
		}
		store := redisstore.New(sc.redis, ropts...)
		opts = append(opts, idx.WithTransactionStore(store), idx.WithTokenStore(store.TokenStore()))
		acfg.sessionRedis = sc.redis
	case storeCookie:
		var copts []cookiestore.Option
		if !acfg.secureCookies {
			copts = append(copts, cookiestore.WithInsecureLocalhost())
		}
		store, err := cookiestore.New(sc.cookieKeys, copts...)
		if err != nil {
			return nil, fmt.Errorf("the cookie key is not usable (check COOKIE_KEY or -cookie-key): %w", err)
		}
		// The tokens travel in the session cookie; the SDK keeps none.
		opts = append(opts, idx.WithTransactionStore(store), idx.WithTokenStore(noTokens{}))
		acfg.txCookies = store
		keys := sc.cookieKeys
		acfg.sessionKeys = &keys
	default:
		return nil, fmt.Errorf("unknown -store %q: choose memory, redis or cookie", sc.kind)
	}
	if acfg.redirectOrigins == nil {
		acfg.redirectOrigins = issuerOrigins(cfg.Issuer)
	}
	client, err := idx.NewClient(cfg, opts...)
	if err != nil {
		return nil, fmt.Errorf("the Okta settings are not usable (check OKTA_ISSUER, OKTA_CLIENT_ID, OKTA_REDIRECT_URI): %w", err)
	}
	acfg.client = client
	return newApp(acfg)
}

// noTokens is a TokenStore that keeps nothing: with -store=cookie the
// session cookie carries the tokens.
type noTokens struct{}

func (noTokens) Save(context.Context, string, *idx.Tokens) error { return nil }
func (noTokens) Load(context.Context, string) (*idx.Tokens, error) {
	return nil, idx.ErrTokensNotFound
}
func (noTokens) Delete(context.Context, string) error { return nil }

// openStores reads -store, -cookie-key, REDIS_URL and COOKIE_KEY. For
// -store=redis it connects to Redis and checks that it answers; the caller
// closes the client.
func openStores(ctx context.Context, kind, cookieKey string, getenv func(string) string, logger *slog.Logger, stderr io.Writer) (storeConfig, string, error) {
	sc := storeConfig{kind: kind}
	switch kind {
	case storeMemory:
		return sc, "in this process's memory (one instance only; use -store=redis or -store=cookie for more)", nil
	case storeRedis:
		raw := getenv("REDIS_URL")
		if raw == "" {
			raw = defaultRedisURL
		}
		shown := "REDIS_URL (unparsable)"
		if u, err := url.Parse(raw); err == nil {
			shown = u.Redacted()
		}
		opt, err := redis.ParseURL(raw)
		if err != nil {
			return sc, "", fmt.Errorf("REDIS_URL %s: %w", shown, err)
		}
		rdb := redis.NewClient(opt)
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := rdb.Ping(pctx).Err(); err != nil {
			rdb.Close()
			return sc, "", fmt.Errorf("-store=redis: cannot reach Redis at %s (set REDIS_URL): %w", shown, err)
		}
		sc.redis = rdb
		return sc, "in Redis at " + shown + " (shared by every instance using it)", nil
	case storeCookie:
		v, from := cookieKey, "-cookie-key"
		if v == "" {
			v, from = getenv("COOKIE_KEY"), "COOKIE_KEY"
		}
		if v == "" {
			sc.cookieKeys = ephemeralCookieKey()
			fmt.Fprintln(stderr, "**************************************************************************")
			fmt.Fprintln(stderr, "WARNING: -store=cookie without COOKIE_KEY (or -cookie-key): this instance")
			fmt.Fprintln(stderr, "generated a cookie key of its own. Other instances cannot read its cookies,")
			fmt.Fprintln(stderr, "and every session and sign-in ends when it restarts. Give every instance")
			fmt.Fprintln(stderr, "the same key:  COOKIE_KEY=\"2025-06:$(openssl rand -base64 32)\"")
			fmt.Fprintln(stderr, "**************************************************************************")
			logger.Warn("cookie key generated at start: instances do not share it", "key_id", sc.cookieKeys.Current.ID)
			return sc, "sealed in cookies with a key generated at start (NOT shared: see the warning)", nil
		}
		keys, err := parseCookieKeys(v)
		if err != nil {
			return sc, "", fmt.Errorf("%s: %w", from, err)
		}
		sc.cookieKeys = keys
		return sc, fmt.Sprintf("sealed in cookies with key %q from %s (%d previous)", keys.Current.ID, from, len(keys.Previous)), nil
	}
	return sc, "", fmt.Errorf("unknown -store %q: choose memory, redis or cookie", kind)
}
