// Command fakeokta runs a fake Okta org (package idxtest) as a standalone
// server, for trying the examples or a browser app against a sign-in flow
// without a real Okta tenant:
//
//	go run ./examples/fakeokta
//	go run ./examples/fakeokta -addr 127.0.0.1:9000 -v
//
// It prints the issuer, the client IDs (and the confidential app's
// secret), the redirect URI and the demo user, then prints every one-time
// code as the org "emails" it. The codes are also listed as JSON at
// {URL}/idxtest/outbox. Stop it with Ctrl+C (SIGINT) or SIGTERM; it lets
// requests in flight finish first.
//
// The listen address must be a loopback or otherwise concrete address the
// clients can reach; the org's URLs are built from it. Nothing here is
// secure: the credentials are public and everything lives in memory.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/goidx/goidx/idx/idxtest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on (host:port)")
	verbose := flag.Bool("v", false, "log every request (method, path, status) to stderr")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, *verbose, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fakeokta:", err)
		os.Exit(1)
	}
}

// run serves the fake org on addr until ctx is done, then shuts it down,
// waiting for requests in flight.
func run(ctx context.Context, addr string, verbose bool, stdout, stderr io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	out := &syncWriter{w: stdout}
	opts := []idxtest.Option{idxtest.WithEmailHook(func(e idxtest.Email) { printEmail(out, e) })}
	if verbose {
		opts = append(opts, idxtest.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
	}
	srv := idxtest.NewUnstartedServer(opts...)
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()

	printBanner(out, srv)
	<-ctx.Done()
	fmt.Fprintln(out, "fakeokta: shutting down")
	srv.Close()
	return nil
}

func printBanner(w io.Writer, srv *idxtest.Server) {
	fmt.Fprintf(w, `fakeokta: a fake Okta org is listening

  Org URL:           %s
  Issuer:            %s
  Redirect URI:      %s

  Public app:        client ID %s (PKCE only, no secret)
  Confidential app:  client ID %s
                     client secret %s

  Demo user:         %s
  Password:          %s

  Outbox (JSON):     %s/idxtest/outbox

Email codes are printed below as they are sent. Press Ctrl+C to stop.
`,
		srv.URL, srv.Issuer(), idxtest.DefaultRedirectURI,
		idxtest.PublicClientID, idxtest.ConfidentialClientID, idxtest.ConfidentialClientSecret,
		idxtest.DemoUsername, idxtest.DemoPassword, srv.URL)
}

// printEmail prints one line per email sent.
func printEmail(w io.Writer, e idxtest.Email) {
	fmt.Fprintf(w, "%s  email to %s: code %s\n", e.SentAt.Format("15:04:05"), e.To, e.Code)
}

// syncWriter serializes writes from concurrent requests.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
