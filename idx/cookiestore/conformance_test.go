package cookiestore_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/cookiestore"
	"github.com/goidx/goidx/idx/storetest"
	"github.com/goidx/goidx/internal/testclock"
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
		clk := testclock.New(time.Now())
		storetest.TestTransactionStore(t, func(t *testing.T) idx.TransactionStore {
			return newBrowsers(
				mustNew(t, keys, cookiestore.WithClock(clk.Now)),
				mustNew(t, keys, cookiestore.WithClock(clk.Now)),
			)
		}, storetest.WithClock(clk.Now, clk.Advance), storetest.WithLargeResponseSize(largeResponseSize),
			storetest.WithTampering(cookieTampers...))
	})
	t.Run("real clock", func(t *testing.T) {
		t.Parallel()
		storetest.TestTransactionStore(t, func(t *testing.T) idx.TransactionStore {
			return newBrowsers(mustNew(t, keys), mustNew(t, keys))
		}, storetest.WithLargeResponseSize(largeResponseSize), storetest.WithTampering(cookieTampers...))
	})
}

// cookieTampers change a browser's transaction cookie as its user could.
var cookieTampers = []storetest.Tamper{
	{Name: "one character flipped", Apply: func(t *testing.T, s idx.TransactionStore, state, _ string) {
		editCookie(t, s, state, func(v string) string {
			parts := strings.Split(v, ".")
			c := []byte(parts[3])
			c[len(c)/2] ^= 1
			parts[3] = string(c)
			return strings.Join(parts, ".")
		})
	}},
	{Name: "unknown kid", Apply: func(t *testing.T, s idx.TransactionStore, state, _ string) {
		editCookie(t, s, state, func(v string) string {
			parts := strings.Split(v, ".")
			parts[0] = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"dir","enc":"A256GCM","kid":"retired","typ":"goidx-tx"}`))
			return strings.Join(parts, ".")
		})
	}},
	{Name: "another transaction's cookie", Apply: func(t *testing.T, s idx.TransactionStore, state, other string) {
		a := s.(*browsers)
		v, ok := a.browserOf(other).cookie(secureName)
		if !ok {
			t.Fatal("the other browser has no transaction cookie")
		}
		editCookie(t, s, state, func(string) string { return v })
	}},
}

// editCookie replaces the transaction cookie of state's browser by what
// edit makes of it.
func editCookie(t *testing.T, s idx.TransactionStore, state string, edit func(string) string) {
	t.Helper()
	b := s.(*browsers).browserOf(state)
	v, ok := b.cookie(secureName)
	if !ok {
		t.Fatal("the browser has no transaction cookie")
	}
	b.setCookie(secureName, edit(v))
}
