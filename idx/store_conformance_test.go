package idx_test

import (
	"testing"
	"time"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/storetest"
	"github.com/goidx/goidx/internal/testclock"
)

// The in-memory stores pass the conformance suite every store runs, on a
// fake clock and on the real one.

func TestMemoryTransactionStoreConformance(t *testing.T) {
	t.Parallel()
	t.Run("fake clock", func(t *testing.T) {
		t.Parallel()
		clk := testclock.New(time.Now())
		storetest.TestTransactionStore(t, func(*testing.T) idx.TransactionStore {
			return idx.NewMemoryTransactionStore(0, clk.Now)
		}, storetest.WithClock(clk.Now, clk.Advance))
	})
	t.Run("real clock", func(t *testing.T) {
		t.Parallel()
		storetest.TestTransactionStore(t, func(*testing.T) idx.TransactionStore {
			return idx.NewMemoryTransactionStore(0, nil)
		})
	})
}

func TestMemoryTokenStoreConformance(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	storetest.TestTokenStore(t, func(*testing.T) idx.TokenStore {
		return idx.NewMemoryTokenStore(0, clk.Now)
	}, storetest.WithClock(clk.Now, clk.Advance))
}
