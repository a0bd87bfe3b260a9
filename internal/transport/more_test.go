package transport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/transport"
)

// expiringContext is a context without a deadline that ends with
// context.DeadlineExceeded when expire is called: a deadline that passes at
// a moment the test chooses rather than after some wall-clock time.
type expiringContext struct {
	context.Context // context.Background(): no values, no cause
	done            chan struct{}
	once            sync.Once
}

func newExpiringContext() *expiringContext {
	return &expiringContext{Context: context.Background(), done: make(chan struct{})}
}

func (c *expiringContext) expire()               { c.once.Do(func() { close(c.done) }) }
func (c *expiringContext) Done() <-chan struct{} { return c.done }

func (c *expiringContext) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// timeoutOnReceipt is an http.RoundTripper that gives every request its own
// deadline, which passes once the server has received that request (one
// value on received per request), as http.Client.Timeout would if the
// server were slow to answer. The caller's context stays live.
type timeoutOnReceipt struct {
	next     http.RoundTripper
	received <-chan struct{}
}

func (rt timeoutOnReceipt) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := newExpiringContext()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-rt.received:
			ctx.expire()
		case <-finished:
		}
	}()
	return rt.next.RoundTrip(r.WithContext(ctx))
}

func TestTimeoutAfterReceipt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		class        transport.Class
		ctxDeadline  bool // the caller's deadline passes, else the request's own
		wantHits     int32
		wantOutcome  string
		wantDeadline bool
	}{
		{"answer ctx deadline", transport.ClassAnswer, true, 1, "ambiguous", true},
		{"token ctx deadline", transport.ClassToken, true, 1, "ambiguous", true},
		{"answer request timeout", transport.ClassAnswer, false, 1, "ambiguous", false},
		{"read request timeout", transport.ClassRead, false, 2, "transport error", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The server takes each request and never answers; the
			// deadline passes only once it has the request, so the
			// request has certainly arrived when the client gives up.
			received := make(chan struct{}, 4)
			release := make(chan struct{})
			srv, hits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				// Reading the whole body lets the server notice when
				// the client hangs up.
				_, _ = io.Copy(io.Discard, r.Body)
				received <- struct{}{}
				select {
				case <-release:
				case <-r.Context().Done():
				}
			})
			t.Cleanup(func() { close(release) }) // runs before srv.Close
			var ctx context.Context = t.Context()
			base := *srv.Client() // a copy: srv.Close uses the original
			if tt.ctxDeadline {
				ec := newExpiringContext()
				t.Cleanup(ec.expire)
				go func() {
					select {
					case <-received:
						ec.expire()
					case <-release:
					}
				}()
				ctx = ec
			} else {
				base.Transport = timeoutOnReceipt{next: base.Transport, received: received}
			}
			o := fastOptions()
			o.HTTPClient = &base
			o.RetryMax = 1
			c, err := transport.New(o)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Do(ctx, &transport.Request{Method: "POST", URL: srv.URL + "/idp/idx/challenge/answer", Body: []byte(canary), Class: tt.class})
			if got := outcome(resp, err); got != tt.wantOutcome {
				t.Errorf("outcome = %q, want %q (err %v)", got, tt.wantOutcome, err)
			}
			if got := errors.Is(err, context.DeadlineExceeded); tt.wantDeadline && !got {
				t.Errorf("errors.Is(err, context.DeadlineExceeded) = false; err %v", err)
			}
			if hits.Load() != tt.wantHits {
				t.Errorf("server hits = %d, want %d", hits.Load(), tt.wantHits)
			}
			if strings.Contains(fmt.Sprintf("%+v", err), canary) {
				t.Errorf("error leaks the canary: %v", err)
			}
		})
	}
}

func TestRedirectsNotFollowed(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			target, targetHits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{}`))
			})
			origin, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target.URL+"/steal", status)
			})
			o := fastOptions()
			o.HTTPClient = origin.Client()
			c, err := transport.New(o)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Do(t.Context(), &transport.Request{Method: "POST", URL: origin.URL + "/idp/idx/identify", Body: []byte(canary), Class: transport.ClassAnswer})
			var ue *transport.UnexpectedResponseError
			if !errors.As(err, &ue) || ue.StatusCode != status {
				t.Fatalf("err = %v, want *UnexpectedResponseError with status %d", err, status)
			}
			if targetHits.Load() != 0 {
				t.Errorf("redirect target got %d requests", targetHits.Load())
			}
		})
	}
}

func TestOriginPinning(t *testing.T) {
	t.Parallel()
	allowed, allowedHits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	})
	foreign, foreignHits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	au, _ := url.Parse(allowed.URL)
	fu, _ := url.Parse(foreign.URL)
	o := fastOptions()
	o.Origins = []string{allowed.URL}
	c, err := transport.New(o)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		url        string
		wantOK     bool
		wantOrigin string
	}{
		{"allowed", allowed.URL + "/idp/idx/introspect", true, ""},
		{"allowed upper case", "HTTP://" + strings.ToUpper(au.Host) + "/idp/idx/introspect", true, ""},
		{"foreign port", foreign.URL + "/idp/idx/introspect?stateHandle=" + canary, false, "http://" + fu.Host},
		{"foreign host", "http://localhost:" + au.Port() + "/x", false, "http://localhost:" + au.Port()},
		{"foreign scheme", "https://" + au.Host + "/x", false, "https://" + au.Host},
		{"user info", "http://" + canary + "@" + au.Host + "/x", false, ""},
		{"relative", "/idp/idx/introspect", false, ""},
		{"javascript", "javascript:alert(1)", false, ""},
		{"unparsable", "http://[::1", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.CheckOrigin(tt.url)
			_, doErr := c.Do(t.Context(), &transport.Request{Method: "POST", URL: tt.url, Body: []byte(canary), Class: transport.ClassAnswer})
			if tt.wantOK {
				if err != nil || doErr != nil {
					t.Fatalf("CheckOrigin = %v, Do = %v", err, doErr)
				}
				return
			}
			for _, e := range []error{err, doErr} {
				var oe *transport.OriginError
				if !errors.As(e, &oe) || !errors.Is(e, transport.ErrForeignOrigin) {
					t.Fatalf("err = %v, want *OriginError", e)
				}
				if diff := cmp.Diff(tt.wantOrigin, oe.URL); diff != "" {
					t.Errorf("OriginError.URL mismatch (-want +got):\n%s", diff)
				}
				if strings.Contains(e.Error(), canary) {
					t.Errorf("error leaks the canary: %v", e)
				}
			}
		})
	}
	if foreignHits.Load() != 0 {
		t.Errorf("foreign server got %d requests", foreignHits.Load())
	}
	if allowedHits.Load() != 2 {
		t.Errorf("allowed server got %d requests, want 2", allowedHits.Load())
	}
}

// A request that sends data goes with an empty query and no fragment, on
// a pinned client and an unpinned one; reads may carry a query (a JWKS URL
// with ?client_id=, say).
func TestSendURLWithoutQuery(t *testing.T) {
	t.Parallel()
	srv, hits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	})
	su, _ := url.Parse(srv.URL)
	pinned := fastOptions()
	pinned.Origins = []string{srv.URL}
	tests := []struct {
		name     string
		method   string
		url      string
		wantPart string // "" when the request is sent
	}{
		{"post", "POST", srv.URL + "/idp/idx/identify", ""},
		{"post query", "POST", srv.URL + "/idp/idx/identify?debug=" + canary, "query"},
		{"post bare question mark", "POST", srv.URL + "/idp/idx/identify?", "query"},
		{"post fragment", "POST", srv.URL + "/idp/idx/identify#" + canary, "fragment"},
		{"post empty fragment", "POST", srv.URL + "/idp/idx/identify#", "fragment"},
		{"put query", "PUT", srv.URL + "/x?a=b", "query"},
		{"get query", "GET", srv.URL + "/oauth2/v1/keys?client_id=abc", ""},
	}
	for _, opts := range []struct {
		name string
		o    transport.Options
	}{{"pinned", pinned}, {"unpinned", fastOptions()}} {
		c, err := transport.New(opts.o)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			t.Run(opts.name+"/"+tt.name, func(t *testing.T) {
				before := hits.Load()
				_, err := c.Do(t.Context(), &transport.Request{Method: tt.method, URL: tt.url, Body: []byte(canary), Class: transport.ClassAnswer})
				sent := hits.Load() - before
				if tt.wantPart == "" {
					if err != nil || sent != 1 {
						t.Fatalf("Do = %v with %d requests; want it sent once", err, sent)
					}
					return
				}
				var oe *transport.OriginError
				if !errors.As(err, &oe) || !errors.Is(err, transport.ErrForeignOrigin) {
					t.Fatalf("Do = %v; want an *OriginError", err)
				}
				if sent != 0 {
					t.Errorf("%d requests sent", sent)
				}
				if oe.Part != tt.wantPart || oe.URL != "http://"+su.Host {
					t.Errorf("OriginError = %+v; want Part %q on http://%s", oe, tt.wantPart, su.Host)
				}
				if strings.Contains(err.Error(), canary) || strings.Contains(err.Error(), "/idp/") {
					t.Errorf("error shows the URL: %v", err)
				}
			})
		}
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	t.Parallel()
	// Every wait is an hour: if cancelling did not end it, Do would hang
	// and the go test timeout would fail the test.
	const long = time.Hour
	tests := []struct {
		name    string
		class   transport.Class
		handler http.HandlerFunc
	}{
		{"429 retry-after on read", transport.ClassRead, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "20")
			w.WriteHeader(http.StatusTooManyRequests)
		}},
		{"429 retry-after on answer", transport.ClassAnswer, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "20")
			w.WriteHeader(http.StatusTooManyRequests)
		}},
		{"503 backoff on read", transport.ClassRead, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			srv, hits := countingServer(t, tt.handler)
			c, err := transport.New(transport.Options{
				HTTPClient:       srv.Client(),
				RetryWaitMin:     long,
				RetryWaitMax:     long,
				MaxRateLimitWait: 2 * long,
			})
			if err != nil {
				t.Fatal(err)
			}
			// Cancel once the client has chosen to wait, from another
			// goroutine, as a caller giving up would.
			waiting := make(chan struct{}, 1)
			waits := recordWaits(c, func(d time.Duration) time.Duration {
				select {
				case waiting <- struct{}{}:
				default:
				}
				return d
			})
			go func() {
				select {
				case <-waiting:
					cancel()
				case <-ctx.Done():
				}
			}()
			_, err = c.Do(ctx, &transport.Request{Method: "POST", URL: srv.URL + "/x", Class: tt.class})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if errors.Is(err, transport.ErrOutcomeUnknown) {
				t.Errorf("a cancelled wait after a refused attempt is not ambiguous: %v", err)
			}
			if diff := cmp.Diff([]time.Duration{long}, waits.get()); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
			if hits.Load() != 1 {
				t.Errorf("hits = %d, want 1", hits.Load())
			}
		})
	}
}

func TestCancelledBeforeStart(t *testing.T) {
	t.Parallel()
	c, hits := newMock(t, fastOptions(), func(int, *http.Request) (*http.Response, error) { return jsonResp(200, `{}`, nil), nil })
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Do(ctx, &transport.Request{Method: "POST", URL: testOrigin + "/x", Class: transport.ClassAnswer})
	if !errors.Is(err, context.Canceled) || errors.Is(err, transport.ErrOutcomeUnknown) {
		t.Errorf("err = %v, want context.Canceled, not ambiguous", err)
	}
	if hits.Load() != 0 {
		t.Errorf("hits = %d, want 0", hits.Load())
	}
}

// syncBuffer is a concurrency-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close() // dial errors from now on

	tests := []struct {
		name    string
		url     string
		class   transport.Class
		handler http.HandlerFunc
	}{
		{"dial error", closedURL, transport.ClassRead, nil},
		{"ambiguous reset", "", transport.ClassAnswer, hangUp},
		{"read reset", "", transport.ClassRead, hangUp},
		{"html page echoing the request", "", transport.ClassRead, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = fmt.Fprintf(w, "<html>%s %s</html>", r.URL.RawQuery, canary)
		}},
		{"rate limit", "", transport.ClassResend, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Okta-Request-Id", "id-1")
			w.WriteHeader(http.StatusTooManyRequests)
		}},
		{"redirect to a url with the canary", "", transport.ClassToken, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://evil.example/?code="+canary, http.StatusFound)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := tt.url
			client := http.DefaultClient
			if tt.handler != nil {
				srv := httptest.NewServer(tt.handler)
				t.Cleanup(srv.Close)
				base = srv.URL
				client = srv.Client()
			}
			var logs syncBuffer
			o := fastOptions()
			o.HTTPClient = client
			o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, err := transport.New(o)
			if err != nil {
				t.Fatal(err)
			}
			// A GET, so that the URL can carry a query: a POST with one is
			// refused before it is sent (TestSendURLWithoutQuery).
			_, err = c.Do(t.Context(), &transport.Request{
				Method: "GET",
				URL:    base + "/oauth2/v1/token?client_secret=" + canary + "&code=" + canary,
				Header: http.Header{"Authorization": {"Basic " + canary}},
				Body:   []byte("interaction_code=" + canary),
				Class:  tt.class,
			})
			if err == nil {
				t.Fatal("Do() succeeded")
			}
			for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), logs.String()} {
				if strings.Contains(s, canary) || strings.Contains(s, url.QueryEscape(canary)) {
					t.Errorf("canary leaked: %s", s)
				}
			}
			if !strings.Contains(logs.String(), `"path":"/oauth2/v1/token"`) {
				t.Errorf("expected a debug record with the path; logs:\n%s", logs.String())
			}
		})
	}
}

// A wait for a rate limit is logged at Warn, once per wait, with the
// method, path, wait and rate-limit headers: never the query.
func TestRateLimitWaitLoggedAtWarn(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	o := fastOptions()
	o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	date := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	c, _ := newMock(t, o, func(n int, _ *http.Request) (*http.Response, error) {
		if n == 1 {
			return jsonResp(429, `{}`, http.Header{
				"Date":                   {date.Format(http.TimeFormat)},
				"X-Rate-Limit-Reset":     {strconv.FormatInt(date.Add(5*time.Second).Unix(), 10)},
				"X-Rate-Limit-Limit":     {"600"},
				"X-Rate-Limit-Remaining": {"0"},
			}), nil
		}
		return jsonResp(200, `{}`, nil), nil
	})
	recordWaits(c, skipWait)
	// A GET: a POST with a query is refused before it is sent.
	if _, err := c.Do(t.Context(), &transport.Request{Method: "GET", URL: testOrigin + "/idp/idx/introspect?x=" + canary, Class: transport.ClassRead}); err != nil {
		t.Fatal(err)
	}
	want := `level=WARN msg="transport: rate limited; waiting before retrying" method=GET path=/idp/idx/introspect wait=6s limit=600 remaining=0` + "\n"
	if got := logs.String(); !strings.HasSuffix(got, want) || strings.Count(got, "\n") != 1 || strings.Contains(got, canary) {
		t.Errorf("logs:\n%s\nwant one record ending\n%s", got, want)
	}
}

func TestLogRecordShape(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	o := fastOptions()
	o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _ := newMock(t, o, func(n int, _ *http.Request) (*http.Response, error) {
		if n == 1 {
			return jsonResp(503, `{}`, nil), nil
		}
		return jsonResp(200, `{}`, nil), nil
	})
	if _, err := c.Do(t.Context(), &transport.Request{Method: "GET", URL: testOrigin + "/oauth2/v1/keys?x=" + canary, Class: transport.ClassRead}); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{
		`msg="transport: attempt" method=GET path=/oauth2/v1/keys status=503 attempt=1 duration=`,
		`msg="transport: attempt" method=GET path=/oauth2/v1/keys status=200 attempt=2 duration=`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, canary) || strings.Contains(out, "level=ERROR") || strings.Contains(out, "level=INFO") {
		t.Errorf("unexpected log content:\n%s", out)
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	// Each request fails once (429, dial error or 503, by its number) and
	// then succeeds.
	var mu sync.Mutex
	seen := map[string]bool{}
	c, hits := newMock(t, fastOptions(), func(_ int, r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		id := string(b)
		mu.Lock()
		first := !seen[id]
		seen[id] = true
		mu.Unlock()
		if first {
			switch n, _ := strconv.Atoi(id); n % 3 {
			case 0:
				return pastRateLimit("id-" + id), nil
			case 1:
				return nil, errDial
			default:
				if strings.HasSuffix(r.Header.Get("X-Class"), "read") {
					return jsonResp(503, `{}`, nil), nil
				}
				return nil, errDNS
			}
		}
		return jsonResp(200, `{"ok":true}`, nil), nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, 300)
	for i := range 300 {
		wg.Go(func() {
			class := []transport.Class{transport.ClassRead, transport.ClassAnswer, transport.ClassToken}[i%3]
			resp, err := c.Do(t.Context(), &transport.Request{
				Method: "POST", URL: testOrigin + "/x", Body: []byte(strconv.Itoa(i)),
				Header: http.Header{"X-Class": {class.String()}}, Class: class,
			})
			if err != nil {
				errs <- err
				return
			}
			if resp.StatusCode != 200 {
				errs <- fmt.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("unexpected error: %v", err)
	}
	if hits.Load() != 600 {
		t.Errorf("hits = %d, want 600", hits.Load())
	}
}

func TestUserAgentAndBody(t *testing.T) {
	t.Parallel()
	var gotUA, gotBody, gotCT string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA = r.UserAgent()
		gotCT = r.Header.Get("Content-Type")
		b := new(bytes.Buffer)
		_, _ = b.ReadFrom(r.Body)
		gotBody = b.String()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	c, err := transport.New(transport.Options{HTTPClient: srv.Client(), UserAgent: "goidx/0.1 go1.26"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(t.Context(), &transport.Request{
		Method: "POST", URL: srv.URL + "/idp/idx/introspect",
		Header: http.Header{"Content-Type": {"application/ion+json; okta-version=1.0.0"}},
		Body:   []byte(`{"interactionHandle":"h"}`), Class: transport.ClassRead,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{gotUA, gotCT, gotBody, string(resp.Body)}
	want := []string{"goidx/0.1 go1.26", "application/ion+json; okta-version=1.0.0", `{"interactionHandle":"h"}`, `{"ok":true}`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestCertificateErrorNotRetried(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	// The base client does not trust the test certificate.
	c, err := transport.New(transport.Options{HTTPClient: &http.Client{}, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, class := range []transport.Class{transport.ClassRead, transport.ClassAnswer} {
		before := conns.Load()
		_, err := c.Do(t.Context(), &transport.Request{Method: "POST", URL: srv.URL + "/x", Class: class})
		var te *transport.TransportError
		if !errors.As(err, &te) || errors.Is(err, transport.ErrOutcomeUnknown) {
			t.Errorf("%v: err = %v, want a plain *TransportError", class, err)
		}
		if got := conns.Load() - before; got != 1 {
			t.Errorf("%v: %d connection attempts, want 1 (no retry)", class, got)
		}
	}
}
