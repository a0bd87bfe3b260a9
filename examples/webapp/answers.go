package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// maxRejectedAnswers is how many answers of one sign-in the org may
// refuse (wrong codes, wrong passwords) before the app ends that sign-in:
// the user starts again, with a new code, and sign-in starts are limited
// per client (see clientLimiter).
const maxRejectedAnswers = 5

// answerTTL is how long a sign-in's count is kept: longer than the org
// keeps a transaction.
const answerTTL = time.Hour

// answerCounter counts the answers of each sign-in (by the State of its
// transaction) that the org refused or may still refuse. An answer is
// counted before it is sent, so that answers sent at once (a script
// posting the code form many times in parallel) cannot pass the limit
// together, and given back when the org accepts it.
type answerCounter interface {
	// take counts one more answer for state and reports whether it is
	// within maxRejectedAnswers, and how many it is.
	take(ctx context.Context, state string) (n int, ok bool, err error)
	// giveBack uncounts an answer the org accepted.
	giveBack(ctx context.Context, state string) error
}

// counterKey is the key of state in a counter: its SHA-256, so that no
// State is kept in the clear.
func counterKey(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:])
}

// memoryAnswers counts in this process's memory: exact with one instance.
// With several instances sharing nothing on the server (-store=cookie),
// each counts the answers it sees (see SECURITY.md).
type memoryAnswers struct {
	now func() time.Time

	mu        sync.Mutex
	m         map[string]*answerCount
	lastSweep time.Time
}

type answerCount struct {
	n       int
	expires time.Time
}

func newMemoryAnswers(now func() time.Time) *memoryAnswers {
	return &memoryAnswers{now: now, m: map[string]*answerCount{}}
}

func (c *memoryAnswers) take(_ context.Context, state string) (int, bool, error) {
	now := c.now()
	k := counterKey(state)
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.lastSweep) >= time.Minute {
		for k, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, k)
			}
		}
		c.lastSweep = now
	}
	e, ok := c.m[k]
	if !ok || !now.Before(e.expires) {
		e = &answerCount{expires: now.Add(answerTTL)}
		c.m[k] = e
	}
	e.n++
	return e.n, e.n <= maxRejectedAnswers, nil
}

func (c *memoryAnswers) giveBack(_ context.Context, state string) error {
	k := counterKey(state)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok {
		if e.n--; e.n <= 0 {
			delete(c.m, k)
		}
	}
	return nil
}

// redisAnswers counts in Redis, shared by every instance: one integer per
// sign-in under the prefix and the SHA-256 of its State, expiring after
// answerTTL.
type redisAnswers struct {
	rdb    redis.UniversalClient
	prefix string
}

// defaultAnswersPrefix prefixes the Redis keys of the answer counts.
const defaultAnswersPrefix = "goidx:webapp:answers:"

var (
	takeScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`)
	giveBackScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = redis.call('DECR', KEYS[1])
if n <= 0 then redis.call('DEL', KEYS[1]) end
return n`)
)

func (c *redisAnswers) take(ctx context.Context, state string) (int, bool, error) {
	n, err := takeScript.Run(ctx, c.rdb, []string{c.prefix + counterKey(state)}, answerTTL.Milliseconds()).Int()
	if err != nil {
		return 0, false, fmt.Errorf("%w: counting an answer in Redis: %w", errSessionStore, err)
	}
	return n, n <= maxRejectedAnswers, nil
}

func (c *redisAnswers) giveBack(ctx context.Context, state string) error {
	if err := giveBackScript.Run(ctx, c.rdb, []string{c.prefix + counterKey(state)}).Err(); err != nil {
		return fmt.Errorf("%w: uncounting an answer in Redis: %w", errSessionStore, err)
	}
	return nil
}
