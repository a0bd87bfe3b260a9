package testclock_test

import (
	"sync"
	"testing"
	"time"

	"github.com/goidx/goidx/internal/testclock"
)

func TestClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	c := testclock.New(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v; want %v", got, start)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			c.Advance(time.Second)
			_ = c.Now()
		})
	}
	wg.Wait()
	c.Advance(-2 * time.Second)
	if got, want := c.Now(), start.Add(6*time.Second); !got.Equal(want) {
		t.Errorf("after 8 concurrent seconds and 2 back: %v; want %v", got, want)
	}
}
