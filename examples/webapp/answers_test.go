package main

import (
	"context"
	"crypto/rand"
	"testing"
	"time"
)

func TestAnswerCounters(t *testing.T) {
	t.Parallel()
	counters := map[string]func(t *testing.T) answerCounter{
		"memory": func(*testing.T) answerCounter { return newMemoryAnswers(time.Now) },
		"redis": func(t *testing.T) answerCounter {
			rdb := testRedisClient(t)
			prefix := "goidx-webapp-test:" + rand.Text() + ":answers:"
			t.Cleanup(func() {
				for _, k := range redisKeys(t, rdb, prefix) {
					rdb.Del(context.Background(), k)
				}
			})
			return &redisAnswers{rdb: rdb, prefix: prefix}
		},
	}
	for name, newCounter := range counters {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newCounter(t)
			ctx := t.Context()
			state, other := "st-"+rand.Text(), "st-"+rand.Text()
			take := func(state string) (int, bool) {
				t.Helper()
				n, ok, err := c.take(ctx, state)
				if err != nil {
					t.Fatal(err)
				}
				return n, ok
			}
			// Accepted answers are given back: they never add up.
			for range 2 * maxRejectedAnswers {
				take(state)
				if err := c.giveBack(ctx, state); err != nil {
					t.Fatal(err)
				}
			}
			for i := 1; i <= maxRejectedAnswers; i++ {
				if n, ok := take(state); n != i || !ok {
					t.Fatalf("answer %d: take = %d, %v; want %d, true", i, n, ok, i)
				}
			}
			if n, ok := take(state); ok || n != maxRejectedAnswers+1 {
				t.Errorf("one answer too many: take = %d, %v; want %d, false", n, ok, maxRejectedAnswers+1)
			}
			if n, ok := take(other); n != 1 || !ok {
				t.Errorf("another sign-in: take = %d, %v; want 1, true", n, ok)
			}
			// Giving back what was never taken changes nothing.
			if err := c.giveBack(ctx, "st-never"); err != nil {
				t.Fatal(err)
			}
			if n, _ := take("st-never"); n != 1 {
				t.Errorf("after a stray giveBack: take = %d; want 1", n)
			}
		})
	}
	t.Run("memory expiry", func(t *testing.T) {
		t.Parallel()
		clk := &clock{}
		c := newMemoryAnswers(clk.now)
		for range maxRejectedAnswers + 1 {
			c.take(t.Context(), "st")
		}
		clk.advance(answerTTL)
		if n, ok, _ := c.take(t.Context(), "st"); n != 1 || !ok {
			t.Errorf("after answerTTL: take = %d, %v; want 1, true", n, ok)
		}
		c.mu.Lock()
		held := len(c.m)
		c.mu.Unlock()
		if held != 1 {
			t.Errorf("%d counts held, want 1", held)
		}
	})
}
