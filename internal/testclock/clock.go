// Package testclock is the settable clock of the SDK's tests: one value
// that a fake org, a client and a store can all read, moved forward by
// the test. It is for tests only.
package testclock

import (
	"sync"
	"time"
)

// Clock is a settable clock, safe for concurrent use. Pass its Now method
// where a func() time.Time is taken.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a Clock reading start.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (back, for a negative d).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
