package idx_test

import (
	"context"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goidx/goidx/idx"
)

// savedTx is a transaction as the client saves it at the code challenge:
// the answer it keeps is a real Okta-shaped challenge document (5 KB).
func savedTx(b *testing.B, state string) *idx.SavedTransaction {
	b.Helper()
	doc, err := os.ReadFile("../internal/ion/testdata/challenge-authenticator-email.json")
	if err != nil {
		b.Fatal(err)
	}
	return &idx.SavedTransaction{
		State:             state,
		InteractionHandle: "ih-0123456789abcdefghijklmnopqrstuvwxyzABCDEF",
		CodeVerifier:      "cv-0123456789abcdefghijklmnopqrstuvwxyzABCDEF",
		OAuthState:        "os-0123456789abcdefghijklmnopqrstuvwxyzABCDEF",
		Nonce:             "nn-0123456789abcdefghijklmnopqrstuvwxyzABCDEF",
		Scopes:            []string{"openid", "profile", "email"},
		Response:          doc,
		ExpiresAt:         time.Now().Add(10 * time.Minute),
	}
}

// BenchmarkTransactionStore is the MemoryTransactionStore's work in one
// Authenticate call that continues a transaction (load, then save the new
// answer), and in a whole sign-in (save, load, save, load, delete), with
// 10,000 other transactions in the store.
func BenchmarkTransactionStore(b *testing.B) {
	ctx := context.Background()
	fill := func(b *testing.B) *idx.MemoryTransactionStore {
		s := idx.NewMemoryTransactionStore(0, nil)
		for i := range 10_000 {
			if err := s.Save(ctx, savedTx(b, "other-"+strconv.Itoa(i))); err != nil {
				b.Fatal(err)
			}
		}
		return s
	}
	b.Run("load-save", func(b *testing.B) {
		s := fill(b)
		if err := s.Save(ctx, savedTx(b, "s")); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			t, err := s.Load(ctx, "s")
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Save(ctx, t); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sign-in", func(b *testing.B) {
		s := fill(b)
		tx := savedTx(b, "")
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			t := *tx
			t.State = "s" + strconv.Itoa(i)
			i++
			if err := s.Save(ctx, &t); err != nil {
				b.Fatal(err)
			}
			for range 2 {
				l, err := s.Load(ctx, t.State)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Save(ctx, l); err != nil {
					b.Fatal(err)
				}
			}
			if err := s.Delete(ctx, t.State); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("load-save-parallel", func(b *testing.B) {
		s := fill(b)
		tx := savedTx(b, "")
		var next atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			t := *tx
			t.State = "p" + strconv.FormatInt(next.Add(1), 10)
			if err := s.Save(ctx, &t); err != nil {
				b.Error(err)
				return
			}
			for pb.Next() {
				l, err := s.Load(ctx, t.State)
				if err == nil {
					err = s.Save(ctx, l)
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkTokenStore saves and loads a sign-in's tokens.
func BenchmarkTokenStore(b *testing.B) {
	ctx := context.Background()
	s := idx.NewMemoryTokenStore(0, nil)
	tok := &idx.Tokens{
		TokenType: "Bearer", AccessToken: "at", IDToken: "id", RefreshToken: "rt",
		Scopes: []string{"openid", "profile", "email", "offline_access"}, Expiry: time.Now().Add(time.Hour),
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Save(ctx, "k", tok); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Load(ctx, "k"); err != nil {
			b.Fatal(err)
		}
	}
}
