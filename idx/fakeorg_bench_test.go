package idx_test

// This file is the benchmarks' harness: a fake org that runs in a child
// process, so that what a benchmark counts in its own process (allocations,
// bytes, CPU time) is the client's alone, and helpers to read CPU time.
//
// The child is this test binary itself: TestMain sees fakeOrgEnv and, instead
// of running tests, serves an idxtest org until its stdin is closed. It
// talks to the parent over its stdin and stdout, one line at a time:
//
//	child  -> parent  "URL <base URL>"            once, when serving
//	child  -> parent  "CODE <address> <code>"     for every email sent
//	parent -> child   "STATS"
//	child  -> parent  "STATS <cpu ns> <requests>" the child's CPU time (user
//	                                              + system) and the number of
//	                                              requests served so far
//
// The email hook queues the CODE line before the server writes the HTTP
// answer that caused the email, so a client that has its answer finds the
// code in the pipe or on its way (a goroutine of the child writes the
// queue, so that the hook never blocks on a full pipe).

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

const (
	// fakeOrgEnv makes the test binary serve a fake org (see above).
	fakeOrgEnv = "GOIDX_BENCH_FAKE_ORG"
	// fakeOrgUsersEnv is the number of extra users the child registers,
	// named by benchUser.
	fakeOrgUsersEnv = "GOIDX_BENCH_FAKE_ORG_USERS"
	// fakeOrgProfileEnv, set by whoever runs the benchmarks, makes the
	// child write a CPU profile of the org to that file, the way
	// -cpuprofile does for the parent.
	fakeOrgProfileEnv = "GOIDX_BENCH_ORG_CPUPROFILE"
)

func TestMain(m *testing.M) {
	if os.Getenv(fakeOrgEnv) == "1" {
		os.Exit(serveFakeOrg())
	}
	code := m.Run()
	stopRemoteOrg()
	os.Exit(code)
}

// benchUser returns the username and password of extra user i.
func benchUser(i int) (string, string) {
	return fmt.Sprintf("user%05d@example.com", i), fmt.Sprintf("Passw0rd-%05d!", i)
}

// addBenchUsers registers users 0..n-1 with srv.
func addBenchUsers(tb testing.TB, srv *idxtest.Server, n int) {
	tb.Helper()
	for i := range n {
		u, p := benchUser(i)
		if err := srv.AddUser(idxtest.User{Username: u, Password: p}); err != nil {
			tb.Fatal(err)
		}
	}
}

// serveFakeOrg is the child's main.
func serveFakeOrg() int {
	// Lines are queued and written by one goroutine, so that the email
	// hook never blocks on a full pipe while the parent is busy.
	var (
		mu    sync.Mutex
		cond  = sync.NewCond(&mu)
		queue []string
	)
	writeLine := func(s string) {
		mu.Lock()
		queue = append(queue, s)
		mu.Unlock()
		cond.Signal()
	}
	go func() {
		out := bufio.NewWriter(os.Stdout)
		for {
			mu.Lock()
			for len(queue) == 0 {
				cond.Wait()
			}
			lines := queue
			queue = nil
			mu.Unlock()
			for _, l := range lines {
				out.WriteString(l)
				out.WriteByte('\n')
			}
			if out.Flush() != nil {
				return
			}
		}
	}()
	if path := os.Getenv(fakeOrgProfileEnv); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	srv := idxtest.NewServer(
		idxtest.WithSigningKey(sharedKey()),
		idxtest.WithEmailHook(func(e idxtest.Email) { writeLine("CODE " + e.To + " " + e.Code) }),
	)
	defer srv.Close()
	if n, _ := strconv.Atoi(os.Getenv(fakeOrgUsersEnv)); n > 0 {
		for i := range n {
			u, p := benchUser(i)
			if err := srv.AddUser(idxtest.User{Username: u, Password: p}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
	}
	writeLine("URL " + srv.URL)
	served := 0
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "STATS" {
			for _, c := range srv.RequestCounts() {
				served += c
			}
			srv.ResetRequestLog() // the log would grow without bound
			writeLine(fmt.Sprintf("STATS %d %d", int64(processCPU()), served))
		}
	}
	return 0
}

// remoteOrg is a fake org in a child process. One is started per test
// binary, on first use, and shared by the benchmarks (see sharedRemoteOrg).
type remoteOrg struct {
	URL string

	cmd   *exec.Cmd
	stdin *os.File
	outR  *os.File

	// mu serialises reading the child's output. Lines are read only by
	// the goroutine that wants one, so that no background reader spends
	// CPU or allocates while a benchmark is timed; codes read on behalf
	// of another address wait in stash.
	mu    sync.Mutex
	out   *bufio.Reader
	stash map[string][]string // by lower-case address, oldest first
}

var (
	remoteOnce sync.Once
	remote     *remoteOrg
	remoteErr  error
)

// remoteOrgUsers is how many extra users (benchUser) the child registers:
// enough for the scale benchmark.
const remoteOrgUsers = 10_000

// sharedRemoteOrg returns the child-process org, starting it on first use.
// TestMain stops it.
func sharedRemoteOrg(tb testing.TB) *remoteOrg {
	tb.Helper()
	remoteOnce.Do(func() { remote, remoteErr = startRemoteOrg(remoteOrgUsers) })
	if remoteErr != nil {
		tb.Fatal(remoteErr)
	}
	return remote
}

func stopRemoteOrg() {
	if remote != nil {
		remote.stdin.Close()
		_ = remote.cmd.Wait()
		remote.outR.Close()
	}
}

func startRemoteOrg(users int) (*remoteOrg, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), fakeOrgEnv+"=1", fakeOrgUsersEnv+"="+strconv.Itoa(users))
	cmd.Stderr = os.Stderr
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdin, cmd.Stdout = inR, outW
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	inR.Close()
	outW.Close()
	o := &remoteOrg{cmd: cmd, stdin: inW, outR: outR, out: bufio.NewReader(outR), stash: map[string][]string{}}
	line, err := o.out.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "URL ") {
		inW.Close()
		_ = cmd.Wait()
		return nil, fmt.Errorf("fake org child: %q, %v", line, err)
	}
	o.URL = strings.TrimSpace(strings.TrimPrefix(line, "URL "))
	return o, nil
}

// Issuer is the org's default authorization server.
func (o *remoteOrg) Issuer() string { return o.URL + "/oauth2/default" }

// code returns the oldest code sent to address to that no one has taken.
// The email hook runs before the answer that sent the email is written,
// so after that answer the line is in the pipe and this does not block
// for long.
func (o *remoteOrg) code(to string) (string, error) {
	to = strings.ToLower(to)
	o.mu.Lock()
	defer o.mu.Unlock()
	if q := o.stash[to]; len(q) > 0 {
		o.stash[to] = q[1:]
		return q[0], nil
	}
	for {
		line, err := o.out.ReadString('\n')
		if err != nil {
			return "", fmt.Errorf("fake org child: %w", err)
		}
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "CODE" {
			continue
		}
		addr := strings.ToLower(f[1])
		if addr == to {
			return f[2], nil
		}
		o.stash[addr] = append(o.stash[addr], f[2])
	}
}

// stats returns the child's CPU time (user + system) and the number of
// requests it has served.
func (o *remoteOrg) stats(tb testing.TB) (cpu time.Duration, requests int64) {
	tb.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, err := o.stdin.WriteString("STATS\n"); err != nil {
		tb.Fatal(err)
	}
	for {
		line, err := o.out.ReadString('\n')
		if err != nil {
			tb.Fatalf("fake org child: %v", err)
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "STATS":
			c, err1 := strconv.ParseInt(f[1], 10, 64)
			r, err2 := strconv.ParseInt(f[2], 10, 64)
			if err1 != nil || err2 != nil {
				tb.Fatalf("fake org child: %q", line)
			}
			return time.Duration(c), r
		case len(f) == 3 && f[0] == "CODE":
			addr := strings.ToLower(f[1])
			o.stash[addr] = append(o.stash[addr], f[2])
		}
	}
}

// codeBook collects the codes an in-process org sends, through its email
// hook, oldest first per address.
type codeBook struct {
	mu    sync.Mutex
	codes map[string][]string
}

func newCodeBook() *codeBook { return &codeBook{codes: map[string][]string{}} }

func (c *codeBook) hook(e idxtest.Email) {
	to := strings.ToLower(e.To)
	c.mu.Lock()
	c.codes[to] = append(c.codes[to], e.Code)
	c.mu.Unlock()
}

// take returns the oldest unread code of address to. The hook runs before
// the answer that sent the email is written, so after that answer the code
// is here.
func (c *codeBook) take(to string) (string, bool) {
	to = strings.ToLower(to)
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.codes[to]
	if len(q) == 0 {
		return "", false
	}
	c.codes[to] = q[1:]
	return q[0], true
}

// newLocalOrg starts an in-process fake org with the shared signing key
// whose emails go to the returned code book.
func newLocalOrg(tb testing.TB, opts ...idxtest.Option) (*idxtest.Server, *codeBook) {
	tb.Helper()
	book := newCodeBook()
	srv := idxtest.New(tb, append([]idxtest.Option{idxtest.WithSigningKey(sharedKey()), idxtest.WithEmailHook(book.hook)}, opts...)...)
	return srv, book
}

// newBenchClient returns a Client of the public app on issuer.
func newBenchClient(tb testing.TB, issuer string, opts ...idx.ClientOption) *idx.Client {
	tb.Helper()
	c, err := idx.NewClient(idx.Config{
		Issuer:      issuer,
		ClientID:    idxtest.PublicClientID,
		RedirectURI: idxtest.DefaultRedirectURI,
	}, append([]idx.ClientOption{idx.WithInsecureLoopbackHTTP()}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// cpuMeter adds up this process's CPU time over the intervals between
// start and stop, mirroring b.StartTimer and b.StopTimer.
type cpuMeter struct {
	total, from time.Duration
	running     bool
}

func (m *cpuMeter) start() {
	if !m.running {
		m.from, m.running = processCPU(), true
	}
}

func (m *cpuMeter) stop() {
	if m.running {
		m.total += processCPU() - m.from
		m.running = false
	}
}

func (m *cpuMeter) reset() { m.total, m.running = 0, false }
