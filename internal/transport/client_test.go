package transport_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"

	"github.com/goidx/goidx/internal/transport"
)

const (
	testOrigin = "https://org.example.com"
	canary     = "CANARY-s3cr3t-7f1d"
)

// fastOptions returns options with tiny backoff waits.
func fastOptions() transport.Options {
	return transport.Options{
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
}

// newMock returns a Client whose base transport is an httpmock transport
// answering every request with fn; n is the 1-based number of the request.
func newMock(t *testing.T, o transport.Options, fn func(n int, r *http.Request) (*http.Response, error)) (*transport.Client, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		return fn(int(hits.Add(1)), r)
	})
	o.HTTPClient = &http.Client{Transport: mt}
	c, err := transport.New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, &hits
}

// waitLog records the waits before retries that a Client chose.
type waitLog struct {
	mu    sync.Mutex
	waits []time.Duration
}

// recordWaits makes c record every wait before a retry in the returned log
// and wait for apply(wait) instead; a nil apply keeps the wait.
func recordWaits(c *transport.Client, apply func(time.Duration) time.Duration) *waitLog {
	l := &waitLog{}
	transport.SetWaitHook(c, func(d time.Duration) time.Duration {
		l.mu.Lock()
		l.waits = append(l.waits, d)
		l.mu.Unlock()
		if apply != nil {
			return apply(d)
		}
		return d
	})
	return l
}

// get returns the waits recorded so far.
func (l *waitLog) get() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.waits)
}

// skipWait is a recordWaits apply function that retries at once.
func skipWait(time.Duration) time.Duration { return 0 }

func jsonResp(status int, body string, h http.Header) *http.Response {
	r := httpmock.NewStringResponse(status, body)
	r.Header.Set("Content-Type", "application/json")
	for k, v := range h {
		r.Header[k] = v
	}
	return r
}

func htmlResp(status int, body string) *http.Response {
	r := httpmock.NewStringResponse(status, body)
	r.Header.Set("Content-Type", "text/html; charset=utf-8")
	return r
}

var (
	errDial    = &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	errDNS     = &net.DNSError{Err: "no such host", Name: "org.example.com", IsNotFound: true}
	errReset   = &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	errTimeout = &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
)

// brokenBody returns some bytes, then a connection reset.
type brokenBody struct{ done bool }

func (b *brokenBody) Read(p []byte) (int, error) {
	if b.done {
		return 0, errReset
	}
	b.done = true
	return copy(p, `{"partial":`), nil
}
func (b *brokenBody) Close() error { return nil }

func pastRateLimit(id string) *http.Response {
	// The reset is already over by the server's clock: wait RetryWaitMin.
	date := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	return jsonResp(http.StatusTooManyRequests, `{"errorCode":"E0000047"}`, http.Header{
		"Date":                   {date.Format(http.TimeFormat)},
		"X-Rate-Limit-Reset":     {strconv.FormatInt(date.Unix()-2, 10)},
		"X-Rate-Limit-Limit":     {"50"},
		"X-Rate-Limit-Remaining": {"0"},
		"X-Okta-Request-Id":      {id},
	})
}

// farRateLimit is a 429 whose reset is an hour away by the server's clock,
// so the wait it asks for is an hour and a second.
func farRateLimit() *http.Response {
	date := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	return jsonResp(http.StatusTooManyRequests, `{"errorCode":"E0000047"}`, http.Header{
		"Date":               {date.Format(http.TimeFormat)},
		"X-Rate-Limit-Reset": {strconv.FormatInt(date.Add(time.Hour).Unix(), 10)},
	})
}

// outcome summarises a Do result for table comparisons.
func outcome(resp *transport.Response, err error) string {
	var (
		ae *transport.AmbiguousError
		re *transport.RateLimitError
		ue *transport.UnexpectedResponseError
		te *transport.TransportError
	)
	switch {
	case err == nil:
		return "response " + strconv.Itoa(resp.StatusCode)
	case errors.As(err, &ae):
		if !errors.Is(err, transport.ErrOutcomeUnknown) {
			return "ambiguous without sentinel"
		}
		return "ambiguous"
	case errors.As(err, &re):
		if !errors.Is(err, transport.ErrRateLimited) {
			return "rate limited without sentinel"
		}
		return "rate limited"
	case errors.As(err, &ue):
		return "unexpected " + strconv.Itoa(ue.StatusCode)
	case errors.As(err, &te):
		return "transport error"
	default:
		return fmt.Sprintf("other error %T", err)
	}
}

func TestDoClassMatrix(t *testing.T) {
	t.Parallel()
	type want struct {
		outcome string
		hits    int32
	}
	type byClass map[transport.Class]want
	// Each class gets RetryMax 3, so "always failing" retryable requests
	// hit the server four times.
	all := func(w want) byClass {
		return byClass{transport.ClassRead: w, transport.ClassInteract: w, transport.ClassAnswer: w, transport.ClassResend: w, transport.ClassToken: w}
	}
	readVsWrite := func(read, write want) byClass {
		return byClass{transport.ClassRead: read, transport.ClassInteract: read, transport.ClassAnswer: write, transport.ClassResend: write, transport.ClassToken: write}
	}
	ok200 := want{"response 200", 2}
	ambiguous := want{"ambiguous", 1}
	tests := []struct {
		name    string
		fn      func(n int, r *http.Request) (*http.Response, error)
		timeout time.Duration
		want    byClass
	}{
		{
			name: "dial error always",
			fn:   func(int, *http.Request) (*http.Response, error) { return nil, errDial },
			want: all(want{"transport error", 4}),
		},
		{
			name: "dns error then success",
			fn: func(n int, _ *http.Request) (*http.Response, error) {
				if n == 1 {
					return nil, errDNS
				}
				return jsonResp(200, `{}`, nil), nil
			},
			want: all(ok200),
		},
		{
			name: "dial error then success",
			fn: func(n int, _ *http.Request) (*http.Response, error) {
				if n == 1 {
					return nil, errDial
				}
				return jsonResp(200, `{}`, nil), nil
			},
			want: all(ok200),
		},
		{
			name: "reset after receipt always",
			fn:   func(int, *http.Request) (*http.Response, error) { return nil, errReset },
			want: readVsWrite(want{"transport error", 4}, ambiguous),
		},
		{
			name: "reset after receipt then success",
			fn: func(n int, _ *http.Request) (*http.Response, error) {
				if n == 1 {
					return nil, errReset
				}
				return jsonResp(200, `{}`, nil), nil
			},
			want: readVsWrite(ok200, ambiguous),
		},
		{
			name: "timeout after receipt then success",
			fn: func(n int, _ *http.Request) (*http.Response, error) {
				if n == 1 {
					return nil, errTimeout
				}
				return jsonResp(200, `{}`, nil), nil
			},
			want: readVsWrite(ok200, ambiguous),
		},
		{
			name: "EOF then success",
			fn: func(n int, _ *http.Request) (*http.Response, error) {
				if n == 1 {
					return nil, io.ErrUnexpectedEOF
				}
				return jsonResp(200, `{}`, nil), nil
			},
			want: readVsWrite(ok200, ambiguous),
		},
		{
			name: "body broken mid-read then success",
			fn: func(n int, _ *http.Request) (*http.Response, error) {
				if n == 1 {
					r := jsonResp(200, "", nil)
					r.Body = &brokenBody{}
					return r, nil
				}
				return jsonResp(200, `{}`, nil), nil
			},
			want: readVsWrite(ok200, ambiguous),
		},
		{
			name: "429 with reset and date then success",
			fn: func(n int, _ *http.Request) (*http.Response, error) {
				if n == 1 {
					return pastRateLimit("id1"), nil
				}
				return jsonResp(200, `{}`, nil), nil
			},
			want: byClass{
				transport.ClassRead: ok200, transport.ClassInteract: ok200, transport.ClassAnswer: ok200, transport.ClassToken: ok200,
				transport.ClassResend: {"rate limited", 1},
			},
		},
		{
			name: "429 always",
			fn:   func(int, *http.Request) (*http.Response, error) { return pastRateLimit("id1"), nil },
			want: byClass{
				transport.ClassRead: {"rate limited", 4}, transport.ClassInteract: {"rate limited", 4},
				transport.ClassAnswer: {"rate limited", 2}, transport.ClassToken: {"rate limited", 4},
				transport.ClassResend: {"rate limited", 1},
			},
		},
		{
			// The wait (an hour and a second) is within MaxRateLimitWait
			// but not within the deadline, so Do fails at once: no wait
			// starts and nothing is sent again.
			name:    "429 with reset past the deadline",
			fn:      func(int, *http.Request) (*http.Response, error) { return farRateLimit(), nil },
			timeout: 10 * time.Minute,
			want:    all(want{"rate limited", 1}),
		},
		{
			name: "503 html then success",
			fn: func(n int, _ *http.Request) (*http.Response, error) {
				if n == 1 {
					return htmlResp(503, "<html>Service Unavailable</html>"), nil
				}
				return jsonResp(200, `{}`, nil), nil
			},
			want: readVsWrite(ok200, ambiguous),
		},
		{
			name: "502 empty then success",
			fn: func(n int, _ *http.Request) (*http.Response, error) {
				if n == 1 {
					return httpmock.NewStringResponse(502, ""), nil
				}
				return jsonResp(200, `{}`, nil), nil
			},
			want: readVsWrite(ok200, ambiguous),
		},
		{
			name: "503 json always",
			fn: func(int, *http.Request) (*http.Response, error) {
				return jsonResp(503, `{"errorCode":"E0000009"}`, nil), nil
			},
			want: readVsWrite(want{"response 503", 4}, want{"response 503", 1}),
		},
		{
			name: "503 html always",
			fn:   func(int, *http.Request) (*http.Response, error) { return htmlResp(503, "<html>down</html>"), nil },
			want: readVsWrite(want{"unexpected 503", 4}, ambiguous),
		},
		{
			name: "500 json",
			fn: func(int, *http.Request) (*http.Response, error) {
				return jsonResp(500, `{"errorCode":"E0000009"}`, nil), nil
			},
			want: all(want{"response 500", 1}),
		},
		{
			name: "500 html",
			fn:   func(int, *http.Request) (*http.Response, error) { return htmlResp(500, "<html>oops</html>"), nil },
			want: readVsWrite(want{"unexpected 500", 1}, ambiguous),
		},
		{
			name: "401 idx body is an answer",
			fn: func(int, *http.Request) (*http.Response, error) {
				r := httpmock.NewStringResponse(401, `{"version":"1.0.0"}`)
				r.Header.Set("Content-Type", "application/ion+json; okta-version=1.0.0")
				return r, nil
			},
			want: all(want{"response 401", 1}),
		},
	}
	for _, tt := range tests {
		for _, class := range []transport.Class{transport.ClassRead, transport.ClassInteract, transport.ClassAnswer, transport.ClassResend, transport.ClassToken} {
			t.Run(tt.name+"/"+class.String(), func(t *testing.T) {
				t.Parallel()
				o := fastOptions()
				o.MaxRateLimitWait = 24 * time.Hour // only the deadline limits the wait
				c, hits := newMock(t, o, tt.fn)
				waits := recordWaits(c, skipWait)
				ctx := t.Context()
				if tt.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.timeout)
					defer cancel()
				}
				resp, err := c.Do(ctx, &transport.Request{Method: http.MethodPost, URL: testOrigin + "/idp/idx/x", Body: []byte(`{}`), Class: class})
				got := want{outcome(resp, err), hits.Load()}
				if diff := cmp.Diff(tt.want[class], got, cmp.AllowUnexported(want{})); diff != "" {
					t.Errorf("mismatch (-want +got):\n%s\nerr: %v", diff, err)
				}
				// Every retry, and nothing else, is preceded by one wait;
				// a request that fails at once never starts waiting.
				if n := len(waits.get()); int32(n) != got.hits-1 {
					t.Errorf("%d waits for %d requests, want one before each retry", n, got.hits)
				}
			})
		}
	}
}

func TestRateLimitErrorFields(t *testing.T) {
	t.Parallel()
	c, _ := newMock(t, fastOptions(), func(int, *http.Request) (*http.Response, error) {
		return pastRateLimit("id1"), nil
	})
	_, err := c.Do(t.Context(), &transport.Request{Method: "POST", URL: testOrigin + "/api/v1/authn/factors/x/resend", Class: transport.ClassResend})
	var rl *transport.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %v, want *RateLimitError", err)
	}
	// The reset is already past by the server's Date: no wait asked for.
	want := &transport.RateLimitError{Path: "/api/v1/authn/factors/x/resend", Reset: time.Date(2019, 12, 31, 23, 59, 58, 0, time.UTC), Limit: 50, Remaining: 0}
	if diff := cmp.Diff(want, rl); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestRateLimitWaitUsesServerClock(t *testing.T) {
	t.Parallel()
	// Date is years in the past, so a client comparing the reset with
	// its own clock would not wait at all. By the server's clock the wait
	// is Reset - Date + 1s exactly.
	date := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		reset time.Time
		want  time.Duration
	}{
		{"reset equal to date", date, time.Second},
		{"reset 7s after date", date.Add(7 * time.Second), 8 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, hits := newMock(t, fastOptions(), func(n int, _ *http.Request) (*http.Response, error) {
				if n == 1 {
					return jsonResp(429, `{}`, http.Header{
						"Date":               {date.Format(http.TimeFormat)},
						"X-Rate-Limit-Reset": {strconv.FormatInt(tt.reset.Unix(), 10)},
					}), nil
				}
				return jsonResp(200, `{}`, nil), nil
			})
			waits := recordWaits(c, skipWait)
			_, err := c.Do(t.Context(), &transport.Request{Method: "POST", URL: testOrigin + "/idp/idx/challenge/answer", Class: transport.ClassAnswer})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]time.Duration{tt.want}, waits.get()); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
			if hits.Load() != 2 {
				t.Errorf("hits = %d, want 2", hits.Load())
			}
		})
	}
}

func TestRateLimitBeyondMaxWait(t *testing.T) {
	t.Parallel()
	o := fastOptions()
	o.MaxRateLimitWait = 10 * time.Second
	c, hits := newMock(t, o, func(int, *http.Request) (*http.Response, error) { return farRateLimit(), nil })
	waits := recordWaits(c, skipWait)
	_, err := c.Do(t.Context(), &transport.Request{Method: "GET", URL: testOrigin + "/oauth2/v1/keys", Class: transport.ClassRead})
	var rl *transport.RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, transport.ErrRateLimited) {
		t.Fatalf("err = %v, want *RateLimitError", err)
	}
	want := &transport.RateLimitError{Path: "/oauth2/v1/keys", Reset: time.Date(2020, 1, 1, 1, 0, 0, 0, time.UTC),
		RetryAfter: time.Hour + time.Second, Limit: -1, Remaining: -1}
	if diff := cmp.Diff(want, rl); diff != "" {
		t.Errorf("RateLimitError mismatch (-want +got):\n%s", diff)
	}
	// The wait is over MaxRateLimitWait: no wait starts and nothing is
	// sent again.
	if hits.Load() != 1 || len(waits.get()) != 0 {
		t.Errorf("hits = %d, waits = %v; want 1 request and no wait", hits.Load(), waits.get())
	}
}

func TestRetryHeaders(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []http.Header
	o := fastOptions()
	o.UserAgent = "goidx-test/1"
	c, _ := newMock(t, o, func(n int, r *http.Request) (*http.Response, error) {
		mu.Lock()
		got = append(got, http.Header{
			"X-Okta-Retry-For":   r.Header.Values("X-Okta-Retry-For"),
			"X-Okta-Retry-Count": r.Header.Values("X-Okta-Retry-Count"),
			"Idempotency-Key":    r.Header.Values("Idempotency-Key"),
			"Accept":             r.Header.Values("Accept"),
			"User-Agent":         r.Header.Values("User-Agent"),
		})
		mu.Unlock()
		switch n {
		case 1:
			return jsonResp(503, `{}`, http.Header{"X-Okta-Request-Id": {"req-1"}}), nil
		case 2:
			return nil, errDial // no response, so no new id
		case 3:
			return jsonResp(503, `{}`, http.Header{"X-Okta-Request-Id": {"req-3"}}), nil
		}
		return jsonResp(200, `{}`, nil), nil
	})
	hdr := http.Header{"Accept": {"application/json"}, "Idempotency-Key": {"k"}}
	if _, err := c.Do(t.Context(), &transport.Request{Method: "GET", URL: testOrigin + "/x", Header: hdr, Class: transport.ClassRead}); err != nil {
		t.Fatal(err)
	}
	base := func(retryFor, count string) http.Header {
		h := http.Header{"Accept": {"application/json"}, "User-Agent": {"goidx-test/1"}}
		if retryFor != "" {
			h["X-Okta-Retry-For"] = []string{retryFor}
			h["X-Okta-Retry-Count"] = []string{count}
		}
		return h
	}
	want := []http.Header{base("", ""), base("req-1", "1"), base("req-1", "2"), base("req-3", "3")}
	norm := func(hs []http.Header) []http.Header {
		for _, h := range hs {
			for k, v := range h {
				if len(v) == 0 {
					delete(h, k)
				}
			}
		}
		return hs
	}
	// The caller's header map is left alone.
	if diff := cmp.Diff(http.Header{"Accept": {"application/json"}, "Idempotency-Key": {"k"}}, hdr); diff != "" {
		t.Errorf("caller header changed (-want +got):\n%s", diff)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, norm(got)); diff != "" {
		t.Errorf("request headers mismatch (-want +got):\n%s", diff)
	}
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    transport.Options
		want string // the error, without a package prefix: package idx adds its own
	}{
		{"negative body cap", transport.Options{MaxBodyBytes: -1}, "MaxBodyBytes must not be negative"},
		{"min above max", transport.Options{RetryWaitMin: time.Second, RetryWaitMax: time.Millisecond}, "RetryWaitMin must not exceed RetryWaitMax"},
		{"negative wait", transport.Options{RetryWaitMin: -time.Second}, "RetryWaitMin and RetryWaitMax must not be negative"},
		{"huge retry max", transport.Options{RetryMax: 1000}, "RetryMax must be at most 100"},
		{"origin with path", transport.Options{Origins: []string{"https://org.example.com/oauth2"}}, "origin 0 must be scheme://host[:port] without a path, query or fragment"},
		{"origin with query", transport.Options{Origins: []string{"https://org.example.com?x=1"}}, "origin 0 must be scheme://host[:port] without a path, query or fragment"},
		{"origin with userinfo", transport.Options{Origins: []string{"https://u:p@org.example.com"}}, "origin 0 must be an http or https origin without user info"},
		{"origin without scheme", transport.Options{Origins: []string{"org.example.com"}}, "origin 0 must be scheme://host[:port] without a path, query or fragment"},
		{"origin ftp", transport.Options{Origins: []string{"ftp://org.example.com"}}, "origin 0 must be an http or https origin without user info"},
		{"user agent with newline", transport.Options{UserAgent: "a\r\nX-Evil: 1"}, "UserAgent contains a control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := transport.New(tt.o); err == nil || err.Error() != tt.want {
				t.Errorf("New() error = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := transport.New(transport.Options{}); err != nil {
		t.Errorf("New(zero Options) = %v", err)
	}
}

func TestBaseClientNotMutated(t *testing.T) {
	t.Parallel()
	base := &http.Client{Timeout: 3 * time.Second}
	if _, err := transport.New(transport.Options{HTTPClient: base}); err != nil {
		t.Fatal(err)
	}
	if base.CheckRedirect != nil || base.Timeout != 3*time.Second {
		t.Errorf("base client was modified")
	}
}

func TestInvalidRequests(t *testing.T) {
	t.Parallel()
	c, hits := newMock(t, fastOptions(), func(int, *http.Request) (*http.Response, error) { return jsonResp(200, `{}`, nil), nil })
	tests := []struct {
		name string
		r    *transport.Request
	}{
		{"nil", nil},
		{"no class", &transport.Request{Method: "GET", URL: testOrigin}},
		{"bad class", &transport.Request{Method: "GET", URL: testOrigin, Class: 42}},
		{"relative url", &transport.Request{Method: "GET", URL: "/idp/idx/introspect", Class: transport.ClassRead}},
		{"bad method", &transport.Request{Method: "G ET", URL: testOrigin, Class: transport.ClassRead}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Do(t.Context(), tt.r); err == nil {
				t.Errorf("Do() succeeded")
			}
		})
	}
	if hits.Load() != 0 {
		t.Errorf("hits = %d, want 0", hits.Load())
	}
}

func TestEmptyAndTypedBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		ct     string
		body   string
		want   string
	}{
		{"204 no content type", 204, "", "", "response 204"},
		{"200 empty text/plain", 200, "text/plain", "", "response 200"},
		{"200 json", 200, "application/json; charset=UTF-8", `{"a":1}`, "response 200"},
		{"200 ion", 200, "application/ion+json; okta-version=1.0.0", `{"a":1}`, "response 200"},
		{"400 json", 400, "application/json", `{"error":"invalid_grant"}`, "response 400"},
		{"200 text", 200, "text/plain", "hello", "unexpected 200"},
		{"200 no content type", 200, "", `{"a":1}`, "unexpected 200"},
		{"403 html", 403, "text/html", "<html>forbidden</html>", "unexpected 403"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newMock(t, fastOptions(), func(int, *http.Request) (*http.Response, error) {
				r := httpmock.NewStringResponse(tt.status, tt.body)
				if tt.ct != "" {
					r.Header.Set("Content-Type", tt.ct)
				}
				return r, nil
			})
			resp, err := c.Do(t.Context(), &transport.Request{Method: "GET", URL: testOrigin + "/x", Class: transport.ClassRead})
			if got := outcome(resp, err); got != tt.want {
				t.Fatalf("outcome = %q, want %q (err %v)", got, tt.want, err)
			}
			if err == nil && string(resp.Body) != tt.body {
				t.Errorf("body = %q, want %q", resp.Body, tt.body)
			}
		})
	}
}

func TestHTMLErrorPage(t *testing.T) {
	t.Parallel()
	page := "<html>\x1b[31mBad Gateway\x00 " + canary + strings.Repeat(" filler", 200) + "</html>"
	o := fastOptions()
	o.RetryMax = -1
	c, hits := newMock(t, o, func(int, *http.Request) (*http.Response, error) { return htmlResp(502, page), nil })
	_, err := c.Do(t.Context(), &transport.Request{Method: "GET", URL: testOrigin + "/.well-known/openid-configuration", Class: transport.ClassRead})
	var ue *transport.UnexpectedResponseError
	if !errors.As(err, &ue) || !errors.Is(err, transport.ErrUnexpectedResponse) {
		t.Fatalf("err = %v, want *UnexpectedResponseError", err)
	}
	if hits.Load() != 1 {
		t.Errorf("hits = %d, want 1 (RetryMax < 0 disables retries)", hits.Load())
	}
	if ue.StatusCode != 502 || ue.ContentType != "text/html; charset=utf-8" {
		t.Errorf("got status %d, content type %q", ue.StatusCode, ue.ContentType)
	}
	if len(ue.Snippet) > 512 || strings.ContainsAny(ue.Snippet, "\x1b\x00") || !strings.HasPrefix(ue.Snippet, "<html>[31mBad Gateway") {
		t.Errorf("snippet = %q", ue.Snippet)
	}
	if strings.Contains(err.Error(), canary) || strings.Contains(err.Error(), "Bad Gateway") {
		t.Errorf("error string carries the body: %q", err.Error())
	}
}

func TestBodyCap(t *testing.T) {
	t.Parallel()
	const limit = 1024
	tests := []struct {
		name      string
		size      int
		class     transport.Class
		wantErr   bool
		ambiguous bool
	}{
		{"at limit", limit, transport.ClassRead, false, false},
		{"limit plus one", limit + 1, transport.ClassRead, true, false},
		{"huge", 10 << 20, transport.ClassRead, true, false},
		{"answer over limit", limit + 1, transport.ClassAnswer, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := `"` + strings.Repeat("a", tt.size-2) + `"`
			o := fastOptions()
			o.MaxBodyBytes = limit
			c, hits := newMock(t, o, func(int, *http.Request) (*http.Response, error) { return jsonResp(200, body, nil), nil })
			resp, err := c.Do(t.Context(), &transport.Request{Method: "POST", URL: testOrigin + "/x", Class: tt.class})
			if !tt.wantErr {
				if err != nil || len(resp.Body) != tt.size {
					t.Fatalf("Do() = %v, want a %d-byte body", err, tt.size)
				}
				return
			}
			if !errors.Is(err, transport.ErrBodyTooLarge) {
				t.Fatalf("err = %v, want ErrBodyTooLarge", err)
			}
			if got := errors.Is(err, transport.ErrOutcomeUnknown); got != tt.ambiguous {
				t.Errorf("errors.Is(err, ErrOutcomeUnknown) = %v, want %v", got, tt.ambiguous)
			}
			if hits.Load() != 1 {
				t.Errorf("hits = %d, want 1", hits.Load())
			}
		})
	}
}

// countingServer is an httptest server that counts requests and answers
// with handler.
func countingServer(t *testing.T, handler http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// hangUp reads the request, then drops the connection without answering.
func hangUp(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST rather than FIN
	}
	conn.Close()
}

func TestAnswerNeverReplayedAfterAmbiguousFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		class    transport.Class
		wantHits int32
	}{
		{"answer", transport.ClassAnswer, 1},
		{"resend", transport.ClassResend, 1},
		{"token", transport.ClassToken, 1},
		{"read retried", transport.ClassRead, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, hits := countingServer(t, hangUp)
			o := fastOptions()
			o.HTTPClient = srv.Client()
			c, err := transport.New(o)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Do(t.Context(), &transport.Request{Method: "POST", URL: srv.URL + "/idp/idx/challenge/answer", Body: []byte(`{"credentials":{"passcode":"` + canary + `"}}`), Class: tt.class})
			if err == nil {
				t.Fatal("Do() succeeded")
			}
			wantAmbiguous := tt.class != transport.ClassRead
			if got := errors.Is(err, transport.ErrOutcomeUnknown); got != wantAmbiguous {
				t.Errorf("errors.Is(err, ErrOutcomeUnknown) = %v, want %v (err %v)", got, wantAmbiguous, err)
			}
			if hits.Load() != tt.wantHits {
				t.Errorf("server hits = %d, want %d", hits.Load(), tt.wantHits)
			}
			if strings.Contains(err.Error(), canary) {
				t.Errorf("error carries the body: %v", err)
			}
		})
	}
}

// TestRebuildEachRetry: a request with Rebuild sends Body first and a
// rebuilt body on each retry (a private_key_jwt assertion is never sent
// twice); a failing rebuild fails that attempt.
func TestRebuildEachRetry(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var bodies []string
	c, _ := newMock(t, fastOptions(), func(n int, r *http.Request) (*http.Response, error) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		if r.ContentLength != int64(len(b)) {
			t.Errorf("attempt %d: Content-Length %d for %d bytes", n, r.ContentLength, len(b))
		}
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		if n < 3 {
			return jsonResp(503, `{}`, nil), nil
		}
		return jsonResp(200, `{}`, nil), nil
	})
	built := 0
	req := &transport.Request{Method: "POST", URL: testOrigin + "/x", Body: []byte("jti=0"), Class: transport.ClassRead,
		Rebuild: func() ([]byte, error) {
			built++
			return []byte(fmt.Sprintf("jti=%d", built)), nil
		}}
	if _, err := c.Do(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"jti=0", "jti=1", "jti=2"}, bodies); diff != "" {
		t.Errorf("bodies sent (-want +got):\n%s", diff)
	}

	// A fresh org whose first answer is a 503, with a rebuild that fails.
	var sent []string
	c2, _ := newMock(t, fastOptions(), func(n int, r *http.Request) (*http.Response, error) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		sent = append(sent, string(b))
		mu.Unlock()
		if n == 1 {
			return jsonResp(503, `{}`, nil), nil
		}
		return jsonResp(200, `{}`, nil), nil
	})
	boom := errors.New("signing failed")
	req.Rebuild = func() ([]byte, error) { return nil, boom }
	if _, err := c2.Do(t.Context(), req); err == nil {
		t.Fatal("a failed rebuild did not fail the call")
	}
	if diff := cmp.Diff([]string{"jti=0"}, sent); diff != "" {
		t.Errorf("bodies received after a failed rebuild (-want +got):\n%s", diff)
	}
}
