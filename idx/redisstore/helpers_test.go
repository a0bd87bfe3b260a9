package redisstore_test

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// defaultRedisURL is a dedicated database (15) of a Redis on loopback.
const defaultRedisURL = "redis://127.0.0.1:6379/15"

// redisURL returns REDIS_URL or the default, and a form of it to print
// (without a password).
func redisURL() (raw, printable string) {
	raw = os.Getenv("REDIS_URL")
	if raw == "" {
		raw = defaultRedisURL
	}
	printable = "REDIS_URL (unparsable)"
	if u, err := url.Parse(raw); err == nil {
		printable = u.Redacted()
	}
	return raw, printable
}

// testRedis returns a client of the Redis at REDIS_URL, closed when t
// ends. Without a reachable Redis it skips t, saying how to get one, or
// fails t when the environment variable CI is set.
func testRedis(t *testing.T) *redis.Client {
	t.Helper()
	raw, printable := redisURL()
	opt, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("REDIS_URL %s: %v", printable, err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		msg := "NO REDIS AT " + printable + " (" + err.Error() + "): the Redis tests did NOT run. " +
			"Install and start one: apt-get install -y redis-server && " +
			"redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes " +
			"(or set REDIS_URL; .ci/run does this)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// testPrefix returns a fresh key prefix under which t may write, and
// deletes every key under it when t ends.
func testPrefix(t *testing.T, rdb redis.UniversalClient) string {
	t.Helper()
	prefix := "goidx-test:" + rand.Text() + ":"
	t.Cleanup(func() {
		// t.Context is done by now.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := deleteKeys(ctx, rdb, prefix); err != nil {
			t.Errorf("cleaning up %s*: %v", prefix, err)
		}
	})
	return prefix
}

// deleteKeys deletes the keys under prefix, one at a time so that it
// works on a cluster's nodes too.
func deleteKeys(ctx context.Context, rdb redis.UniversalClient, prefix string) error {
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, prefix+"*", 200).Iterator()
		for iter.Next(ctx) {
			if err := c.Del(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	}
	return scan(ctx, rdb)
}

// clusterAddrs returns the addresses in REDIS_CLUSTER_ADDRS.
func clusterAddrs() []string {
	v := os.Getenv("REDIS_CLUSTER_ADDRS")
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}
