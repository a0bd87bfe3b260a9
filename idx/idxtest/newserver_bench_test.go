package idxtest_test

import (
	"testing"

	"github.com/goidx/goidx/idx/idxtest"
)

// BenchmarkNewServer is what a test pays for an org of its own:
// NewServer, then Close, as idxtest.New does with t.Cleanup. The
// loopback listener and the server goroutine are part of it; the signing
// key is the process's shared one after the first org.
func BenchmarkNewServer(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		idxtest.NewServer().Close()
	}
}
