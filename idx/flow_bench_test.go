package idx_test

// Benchmarks of whole sign-ins and of each step, against the fake org.
//
// Every benchmark runs in two modes:
//
//   - in-process: the SDK and idxtest in one process over loopback, as in
//     a user's test suite. B/op, allocs/op and cpu-ns/op are those of both.
//   - client: the org runs in a child process (fakeorg_bench_test.go), so
//     B/op, allocs/op and client-cpu-ns/op are the SDK's alone;
//     server-cpu-ns/op is the child's CPU time per operation.
//
// requests/op counts the HTTP requests the org served per operation.
// The Clients are warm (discovery and keys cached), as in a server that
// has signed someone in before.

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// stepIdentify starts a sign-in with username and password and returns its
// State at the authenticator choice.
func stepIdentify(ctx context.Context, c *idx.Client, user, pass string) (string, error) {
	tx, err := c.Authenticate(ctx, idx.Options{Username: user, Password: pass})
	if err != nil {
		return "", err
	}
	if tx.Status != idx.StatusPending || tx.NextStep.Name != "select-authenticator-authenticate" {
		return "", fmt.Errorf("identify: got %v", tx)
	}
	return tx.State, nil
}

// stepSelect chooses the email authenticator; the org sends a code.
func stepSelect(ctx context.Context, c *idx.Client, state string) error {
	tx, err := c.Authenticate(ctx, idx.Options{State: state, Authenticator: authenticator.OktaEmail})
	if err != nil {
		return err
	}
	if tx.Status != idx.StatusPending || tx.NextStep.Name != "challenge-authenticator" {
		return fmt.Errorf("select: got %v", tx)
	}
	return nil
}

// stepAnswer answers the code and expects verified tokens.
func stepAnswer(ctx context.Context, c *idx.Client, state, code string) error {
	tx, err := c.Authenticate(ctx, idx.Options{State: state, VerificationCode: code})
	if err != nil {
		return err
	}
	if tx.Status != idx.StatusSuccess || tx.Tokens.IDTokenClaims == nil {
		return fmt.Errorf("answer: got %v", tx)
	}
	return nil
}

// benchOrg is a fake org in one of the two modes.
type benchOrg struct {
	issuer string
	// code returns the code last sent to an address.
	code func(to string) (string, error)
	// stats returns the org process's CPU time and served requests; in
	// process, cpu is zero.
	stats func(testing.TB) (cpu time.Duration, requests int64)
	// remote is set for an org in a child process.
	remote bool
}

// local starts an in-process org with users extra users.
func local(b *testing.B, users int) *benchOrg {
	srv, book := newLocalOrg(b)
	addBenchUsers(b, srv, users)
	return &benchOrg{
		issuer: srv.Issuer(),
		code: func(to string) (string, error) {
			c, ok := book.take(to)
			if !ok {
				return "", errors.New("no code for " + to)
			}
			return c, nil
		},
		stats: func(testing.TB) (time.Duration, int64) {
			var n int64
			for _, c := range srv.RequestCounts() {
				n += int64(c)
			}
			return 0, n
		},
	}
}

// child returns the shared child-process org.
func child(b *testing.B) *benchOrg {
	o := sharedRemoteOrg(b)
	return &benchOrg{issuer: o.Issuer(), code: o.code, stats: o.stats, remote: true}
}

// modes runs f as the sub-benchmarks in-process and client.
func modes(b *testing.B, users int, f func(b *testing.B, org *benchOrg)) {
	b.Run("in-process", func(b *testing.B) { f(b, local(b, users)) })
	b.Run("client", func(b *testing.B) { f(b, child(b)) })
}

// meter measures a benchmark's CPU time and the org's served requests
// and reports them per operation.
type meter struct {
	org        *benchOrg
	cpu        cpuMeter
	serverCPU0 time.Duration
	requests0  int64
}

// begin resets the benchmark timer and starts measuring.
func (m *meter) begin(b *testing.B) {
	m.serverCPU0, m.requests0 = m.org.stats(b)
	b.ResetTimer()
	m.cpu.reset()
	m.cpu.start()
	if testing.Verbose() {
		b.Logf("org stats at start: cpu %v, requests %d", m.serverCPU0, m.requests0)
	}
}

// pause and resume stop and restart the timer and the CPU meter; the
// meter stops first and starts last, so that the timer's own work (it
// reads the memory statistics) is not counted.
func (m *meter) pause(b *testing.B)  { m.cpu.stop(); b.StopTimer() }
func (m *meter) resume(b *testing.B) { b.StartTimer(); m.cpu.start() }

// end stops measuring and reports the metrics of n operations.
func (m *meter) end(b *testing.B, n int) {
	m.pause(b)
	cpu, requests := m.org.stats(b)
	per := func(v float64) float64 { return v / float64(n) }
	b.ReportMetric(per(float64(requests-m.requests0)), "requests/op")
	if m.org.remote {
		b.ReportMetric(per(float64(m.cpu.total)), "client-cpu-ns/op")
		b.ReportMetric(per(float64(cpu-m.serverCPU0)), "server-cpu-ns/op")
	} else {
		b.ReportMetric(per(float64(m.cpu.total)), "cpu-ns/op")
	}
}

// BenchmarkSeedFlow is one whole sign-in on a warm Client: username and
// password, the email authenticator, the code, tokens and ID token
// verification. Reading the code from the org is not timed.
func BenchmarkSeedFlow(b *testing.B) {
	modes(b, 0, func(b *testing.B, org *benchOrg) {
		ctx := context.Background()
		c := newBenchClient(b, org.issuer)
		m := &meter{org: org}
		flow := func() error {
			state, err := stepIdentify(ctx, c, idxtest.DemoUsername, idxtest.DemoPassword)
			if err != nil {
				return err
			}
			if err := stepSelect(ctx, c, state); err != nil {
				return err
			}
			m.pause(b)
			code, err := org.code(idxtest.DemoUsername)
			m.resume(b)
			if err != nil {
				return err
			}
			return stepAnswer(ctx, c, state, code)
		}
		if err := flow(); err != nil { // warm the Client's caches
			b.Fatal(err)
		}
		b.ReportAllocs()
		m.begin(b)
		for range b.N {
			if err := flow(); err != nil {
				b.Fatal(err)
			}
		}
		m.end(b, b.N)
	})
}

// BenchmarkStep times each step of the seed flow alone, on transactions
// brought to that step before the timer starts.
func BenchmarkStep(b *testing.B) {
	ctx := context.Background()
	b.Run("identify", func(b *testing.B) {
		// interact, introspect, identify
		modes(b, 0, func(b *testing.B, org *benchOrg) {
			c := newBenchClient(b, org.issuer)
			warm(b, c, org)
			m := &meter{org: org}
			b.ReportAllocs()
			m.begin(b)
			for range b.N {
				if _, err := stepIdentify(ctx, c, idxtest.DemoUsername, idxtest.DemoPassword); err != nil {
					b.Fatal(err)
				}
			}
			m.end(b, b.N)
		})
	})
	b.Run("select-email", func(b *testing.B) {
		// challenge (select), challenge (verification data)
		modes(b, 0, func(b *testing.B, org *benchOrg) {
			c := newBenchClient(b, org.issuer)
			warm(b, c, org)
			states := make([]string, b.N)
			for i := range states {
				var err error
				if states[i], err = stepIdentify(ctx, c, idxtest.DemoUsername, idxtest.DemoPassword); err != nil {
					b.Fatal(err)
				}
			}
			m := &meter{org: org}
			b.ReportAllocs()
			m.begin(b)
			for _, s := range states {
				if err := stepSelect(ctx, c, s); err != nil {
					b.Fatal(err)
				}
			}
			m.end(b, b.N)
			drainCodes(b, org, idxtest.DemoUsername, b.N)
		})
	})
	b.Run("answer", func(b *testing.B) {
		// answer, token, ID token verification
		modes(b, 0, func(b *testing.B, org *benchOrg) {
			c := newBenchClient(b, org.issuer)
			warm(b, c, org)
			type parked struct{ state, code string }
			txs := make([]parked, b.N)
			for i := range txs {
				state, err := stepIdentify(ctx, c, idxtest.DemoUsername, idxtest.DemoPassword)
				if err == nil {
					err = stepSelect(ctx, c, state)
				}
				var code string
				if err == nil {
					code, err = org.code(idxtest.DemoUsername)
				}
				if err != nil {
					b.Fatal(err)
				}
				txs[i] = parked{state, code}
			}
			m := &meter{org: org}
			b.ReportAllocs()
			m.begin(b)
			for _, p := range txs {
				if err := stepAnswer(ctx, c, p.state, p.code); err != nil {
					b.Fatal(err)
				}
			}
			m.end(b, b.N)
		})
	})
}

// warm signs in once so that the Client has discovery and keys cached.
func warm(b *testing.B, c *idx.Client, org *benchOrg) {
	b.Helper()
	ctx := context.Background()
	state, err := stepIdentify(ctx, c, idxtest.DemoUsername, idxtest.DemoPassword)
	if err == nil {
		err = stepSelect(ctx, c, state)
	}
	var code string
	if err == nil {
		code, err = org.code(idxtest.DemoUsername)
	}
	if err == nil {
		err = stepAnswer(ctx, c, state, code)
	}
	if err != nil {
		b.Fatal(err)
	}
}

// drainCodes takes n codes sent to address to, so that they are not
// mistaken for later ones.
func drainCodes(b *testing.B, org *benchOrg, to string, n int) {
	b.Helper()
	for range n {
		if _, err := org.code(to); err != nil {
			b.Fatal(err)
		}
	}
}

// parallelUsers is how many users the parallel benchmarks spread their
// sign-ins over (a code is read by address, so two goroutines never share
// one).
const parallelUsers = 64

// BenchmarkSeedFlowParallel runs whole sign-ins from many goroutines on
// one shared Client, 8 per CPU, each goroutine with a user of its own:
// the throughput of the SDK and the fake org together (in-process: what
// a test suite gets) or of the SDK against an org in another process.
// flows/s is sign-ins completed per second of wall time.
func BenchmarkSeedFlowParallel(b *testing.B) {
	modes(b, parallelUsers, func(b *testing.B, org *benchOrg) {
		c := newBenchClient(b, org.issuer)
		warm(b, c, org)
		var next atomic.Int32
		m := &meter{org: org}
		b.ReportAllocs()
		b.SetParallelism(8)
		m.begin(b)
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			user, pass := benchUser(int(next.Add(1)-1) % parallelUsers)
			for pb.Next() {
				state, err := stepIdentify(ctx, c, user, pass)
				if err == nil {
					err = stepSelect(ctx, c, state)
				}
				var code string
				if err == nil {
					code, err = org.code(user)
				}
				if err == nil {
					err = stepAnswer(ctx, c, state, code)
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
		elapsed := time.Since(start)
		m.end(b, b.N)
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "flows/s")
	})
}

// BenchmarkScale parks 10,000 transactions at the code challenge in one
// Client's MemoryTransactionStore, then completes them all, 64 at a time.
// It reports the heap each parked transaction costs (bytes/tx: the growth
// of the live heap after a GC, divided by 10,000), the live heap with all
// of them parked (heap-MB), how fast they were parked (starts/s: interact,
// introspect, identify, challenge, challenge) and completed (signins/s:
// answer, token, verification). In client mode the heap is the SDK's
// alone; in process it includes the fake org's state for the same
// transactions. Run it with -benchtime 1x: one operation is 10,000
// sign-ins.
func BenchmarkScale(b *testing.B) {
	const n = 10_000
	const workers = 64
	modes(b, n, func(b *testing.B, org *benchOrg) {
		store := idx.NewMemoryTransactionStore(0, nil)
		c := newBenchClient(b, org.issuer, idx.WithTransactionStore(store))
		warm(b, c, org)
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		var bytesPerTx, heapMB, startsPerSec, signinsPerSec float64
		for range b.N {
			b.StopTimer()
			heap0 := liveHeap()
			b.StartTimer()
			states := make([]string, n)
			t0 := time.Now()
			err := forEach(n, workers, func(i int) error {
				user, pass := benchUser(i)
				state, err := stepIdentify(ctx, c, user, pass)
				if err != nil {
					return err
				}
				states[i] = state
				return stepSelect(ctx, c, state)
			})
			if err != nil {
				b.Fatal(err)
			}
			parked := time.Since(t0)
			b.StopTimer()
			if got := store.Len(); got != n {
				b.Fatalf("%d transactions in the store, want %d", got, n)
			}
			heap1 := liveHeap()
			codes := make([]string, n)
			for i := range codes {
				user, _ := benchUser(i)
				if codes[i], err = org.code(user); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			t1 := time.Now()
			err = forEach(n, workers, func(i int) error {
				return stepAnswer(ctx, c, states[i], codes[i])
			})
			if err != nil {
				b.Fatal(err)
			}
			done := time.Since(t1)
			if got := store.Len(); got != 0 {
				b.Fatalf("%d transactions left in the store", got)
			}
			bytesPerTx += float64(int64(heap1)-int64(heap0)) / n
			heapMB += float64(heap1) / (1 << 20)
			startsPerSec += n / parked.Seconds()
			signinsPerSec += n / done.Seconds()
		}
		b.StopTimer()
		per := float64(b.N)
		b.ReportMetric(bytesPerTx/per, "bytes/tx")
		b.ReportMetric(heapMB/per, "heap-MB")
		b.ReportMetric(startsPerSec/per, "starts/s")
		b.ReportMetric(signinsPerSec/per, "signins/s")
	})
}

// liveHeap returns the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// forEach calls f(0..n-1) from workers goroutines and returns the first
// error.
func forEach(n, workers int, f func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
