package main

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestClientLimiter(t *testing.T) {
	t.Parallel()
	c := &clock{}
	l := newClientLimiter(3, 6, 2, c.now) // 3 at once, then one every 10 s
	allowed := func(client string, n int) int {
		ok := 0
		for range n {
			if l.allow(client) {
				ok++
			}
		}
		return ok
	}
	if n := allowed("a", 10); n != 3 {
		t.Errorf("a burst of 10: %d allowed, want 3", n)
	}
	if n := allowed("b", 3); n != 3 {
		t.Errorf("another client: %d allowed, want 3", n)
	}
	c.advance(10 * time.Second)
	if n := allowed("a", 5); n != 1 {
		t.Errorf("10 s later: %d allowed, want 1", n)
	}
	// Two clients are tracked, both still refilling: a third is let
	// through untracked rather than shut out.
	if n := allowed("c", 5); n != 5 {
		t.Errorf("a client beyond the tracked ones: %d of 5 allowed, want 5", n)
	}
	// Full buckets are forgotten, making room.
	c.advance(time.Minute)
	if n := allowed("c", 5); n != 3 {
		t.Errorf("after the others refilled: %d allowed, want 3 (tracked again)", n)
	}
	l.mu.Lock()
	tracked := len(l.m)
	l.mu.Unlock()
	if tracked != 1 {
		t.Errorf("%d clients tracked, want 1", tracked)
	}
}

func TestClientKey(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ remote, want string }{
		{"192.0.2.7:4431", "192.0.2.7"},
		{"[::ffff:192.0.2.7]:4431", "192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "2001:db8:1:2::/64"},
		{"pipe", "pipe"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if got := clientKey(r); got != tt.want {
			t.Errorf("clientKey(%q) = %q, want %q", tt.remote, got, tt.want)
		}
	}
}
