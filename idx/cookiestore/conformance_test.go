package cookiestore_test

import (
	"testing"
	"time"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/cookiestore"
	"github.com/goidx/goidx/idx/storetest"
)

// largeResponseSize is the incompressible Response the store keeps in one
// cookie, next to the transaction's secrets (TestLargeResponse shows what
// happens to larger ones).
const largeResponseSize = 2048

func TestConformance(t *testing.T) {
	t.Parallel()
	keys := cookiestore.Keys{Current: newKey("k2"), Previous: []cookiestore.Key{newKey("k1")}}
	t.Run("fake clock", func(t *testing.T) {
		t.Parallel()
		clk := &clock{now: time.Now()}
		storetest.TestTransactionStore(t, func(t *testing.T) idx.TransactionStore {
			return newBrowsers(
				mustNew(t, keys, cookiestore.WithClock(clk.Now)),
				mustNew(t, keys, cookiestore.WithClock(clk.Now)),
			)
		}, storetest.WithClock(clk.Now, clk.Advance), storetest.WithLargeResponseSize(largeResponseSize))
	})
	t.Run("real clock", func(t *testing.T) {
		t.Parallel()
		storetest.TestTransactionStore(t, func(t *testing.T) idx.TransactionStore {
			return newBrowsers(mustNew(t, keys), mustNew(t, keys))
		}, storetest.WithLargeResponseSize(largeResponseSize))
	})
}
