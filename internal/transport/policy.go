package transport

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// call holds the state of one Client.Do. retryablehttp invokes its hooks
// sequentially from the goroutine running Do, so call needs no locking.
type call struct {
	c            *Client
	class        Class
	method, path string
	u            *url.URL               // the request URL, for errors
	rebuild      func() ([]byte, error) // Request.Rebuild
	attempt      int                    // number of the attempt in flight or last finished, from 1
	start        time.Time              // start of the attempt in flight
	retries      int                    // retries started so far
	rateRetries  int                    // retries after a 429
	nextWait     time.Duration          // the wait chosen by the last checkRetry that asked for a retry
	requestID    string                 // X-Okta-Request-Id of the last failed response, sanitised
	final        error                  // the typed error checkRetry ended the call with
	handled      bool                   // errorHandler ran
	// body is the body of resp, the last response checkRetry read into
	// memory, so that finish need not read (and copy) it again.
	resp *http.Response
	body []byte
}

// transportError is err as the failure of this request; the URL in it
// keeps the scheme, host and path only.
func (k *call) transportError(err error) *TransportError {
	u := url.URL{Scheme: k.u.Scheme, Host: k.u.Host, Path: k.u.Path, RawPath: k.u.RawPath}
	return &TransportError{Method: k.method, URL: u.String(), Err: err}
}

// beforeAttempt is the retryablehttp RequestLogHook; it runs before every
// attempt.
func (k *call) beforeAttempt(_ retryablehttp.Logger, req *http.Request, i int) {
	k.attempt = i + 1
	k.start = time.Now()
	if i > 0 && k.rebuild != nil {
		b, err := k.rebuild()
		if err != nil {
			req.Body, req.ContentLength, req.GetBody = io.NopCloser(errReader{err}), -1, nil
			return
		}
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
}

// errReader fails every read with err: the body of an attempt whose
// rebuild failed.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// checkRetry is the retryablehttp CheckRetry policy. On a response it reads
// the body into memory first, so that the decision can depend on it and so
// that a broken body counts as a failed attempt.
func (k *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if err == nil && resp != nil {
		body, rerr := readBody(resp.Body, k.c.maxBody, resp.ContentLength)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		k.resp, k.body = resp, body
		if rerr != nil {
			err = rerr
		}
	}
	k.logAttempt(ctx, resp, err)
	if err != nil {
		return k.onError(ctx, err)
	}
	return k.onResponse(ctx, resp)
}

func (k *call) onError(ctx context.Context, err error) (bool, error) {
	if headersTooLarge(err) {
		err = errHeadersTooLarge
	}
	if errors.Is(err, ErrBodyTooLarge) {
		// Asking again would get the same answer.
		te := k.transportError(err)
		if k.class.replaySafe() {
			return k.fail(te)
		}
		// The server answered, so the request took effect or not, and
		// the answer that would tell is unreadable.
		return k.fail(&AmbiguousError{Err: te})
	}
	if ctx.Err() != nil || isPermanent(err) {
		return k.fail(k.mapErr(ctx, err))
	}
	if notSent(err) || k.class.replaySafe() {
		return k.retryAfter(ctx, k.expBackoff(), err)
	}
	return k.fail(k.mapErr(ctx, err))
}

func (k *call) onResponse(ctx context.Context, resp *http.Response) (bool, error) {
	k.requestID = requestID(resp.Header)
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return k.onRateLimit(ctx, resp)
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if !k.class.replaySafe() {
			return false, nil
		}
		wait := k.expBackoff()
		if ra, ok := retryAfter(resp.Header, k.serverNow(resp)); ok {
			wait = max(ra, k.c.waitMin)
		}
		wait = min(wait, k.c.waitMax)
		if !fitsDeadline(ctx, wait) {
			return false, nil // finish returns this response
		}
		return k.retry(wait)
	}
	return false, nil
}

func (k *call) onRateLimit(ctx context.Context, resp *http.Response) (bool, error) {
	if k.class == ClassResend || (k.class == ClassAnswer && k.rateRetries >= 1) {
		return k.fail(k.rateLimitError(resp))
	}
	wait, ok := rateLimitWait(resp.Header, k.c.now())
	if !ok {
		wait = k.expBackoff()
	}
	wait = max(wait, k.c.waitMin)
	if wait > k.c.maxRateWait || !fitsDeadline(ctx, wait) {
		return k.fail(k.rateLimitError(resp))
	}
	k.rateRetries++
	// A wait of seconds that the caller did not ask for: worth a Warn.
	// Method, path and the rate-limit headers only; no URL query, no body.
	k.c.log.LogAttrs(ctx, slog.LevelWarn, "transport: rate limited; waiting before retrying",
		slog.String("method", k.method),
		slog.String("path", k.path),
		slog.Duration("wait", wait),
		slog.Int("limit", headerInt(resp.Header, "X-Rate-Limit-Limit")),
		slog.Int("remaining", headerInt(resp.Header, "X-Rate-Limit-Remaining")),
	)
	return k.retry(wait)
}

// retryAfter asks for a retry after wait following the failure err, unless
// wait would end past the context deadline.
func (k *call) retryAfter(ctx context.Context, wait time.Duration, err error) (bool, error) {
	if !fitsDeadline(ctx, wait) {
		return k.fail(k.mapErr(ctx, err))
	}
	return k.retry(wait)
}

func (k *call) retry(wait time.Duration) (bool, error) {
	k.nextWait = wait
	return true, nil
}

// fail ends the call with err.
func (k *call) fail(err error) (bool, error) {
	k.final = err
	return false, err
}

// backoff is the retryablehttp Backoff; checkRetry has already chosen the
// wait. retryablehttp sleeps for the result, unless the context ends first.
func (k *call) backoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
	if h := k.c.waitHook; h != nil {
		return h(k.nextWait)
	}
	return k.nextWait
}

// errorHandler is the retryablehttp ErrorHandler: it passes the last
// response and error through so that Do can map them.
func (k *call) errorHandler(resp *http.Response, err error, _ int) (*http.Response, error) {
	k.handled = true
	return resp, err
}

// prepareRetry is the retryablehttp PrepareRetry hook; it adds the Okta
// retry headers. retryablehttp copies the request shallowly before a retry,
// so the header map is cloned before it is changed.
func (k *call) prepareRetry(req *http.Request) error {
	k.retries++
	req.Header = req.Header.Clone()
	if k.requestID != "" {
		req.Header.Set("X-Okta-Retry-For", k.requestID)
		req.Header.Set("X-Okta-Retry-Count", strconv.Itoa(k.retries))
	} else {
		req.Header.Del("X-Okta-Retry-For")
		req.Header.Del("X-Okta-Retry-Count")
	}
	return nil
}

// expBackoff returns the exponential backoff with jitter for the next retry.
func (k *call) expBackoff() time.Duration {
	d := k.c.waitMin
	for i := 0; i < k.retries && d < k.c.waitMax; i++ {
		d *= 2
	}
	d = min(d, k.c.waitMax)
	// Equal jitter: somewhere in [d/2, d], and never below the minimum.
	half := d / 2
	return max(half+randN(d-half+1), k.c.waitMin)
}

// randN returns a uniformly distributed duration in [0, n) for n > 0, from
// crypto/rand (the package avoids math/rand altogether). The modulo bias
// is below 2^-20 for any wait this package uses.
func randN(n time.Duration) time.Duration {
	if n <= 1 {
		return 0
	}
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand.Read documents it)
	return time.Duration(binary.LittleEndian.Uint64(b[:]) % uint64(n))
}

// serverNow returns the server's Date, or the local time when it is missing.
func (k *call) serverNow(resp *http.Response) time.Time {
	if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		return t
	}
	return k.c.now()
}

// mapErr turns a failed attempt into the error Do returns.
func (k *call) mapErr(ctx context.Context, err error) error {
	err = stripURLError(err)
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w: %w", cerr, err)
	}
	te := k.transportError(err)
	if k.class.replaySafe() || notSent(err) || isPermanent(err) {
		return te
	}
	return &AmbiguousError{Err: te}
}

// rateLimitError builds the error for a 429 response.
func (k *call) rateLimitError(resp *http.Response) *RateLimitError {
	e := &RateLimitError{
		Path:      k.path,
		Limit:     headerInt(resp.Header, "X-Rate-Limit-Limit"),
		Remaining: headerInt(resp.Header, "X-Rate-Limit-Remaining"),
	}
	if wait, ok := rateLimitWait(resp.Header, k.c.now()); ok {
		e.RetryAfter = wait
	}
	if reset, ok := parseEpoch(resp.Header.Get("X-Rate-Limit-Reset")); ok {
		e.Reset = reset
	} else if ra, ok := retryAfter(resp.Header, k.serverNow(resp)); ok {
		e.Reset = k.c.now().Add(ra)
	}
	return e
}

func (k *call) logAttempt(ctx context.Context, resp *http.Response, err error) {
	if !k.c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	status := 0
	if err == nil && resp != nil {
		status = resp.StatusCode
	}
	k.c.log.LogAttrs(ctx, slog.LevelDebug, "transport: attempt",
		slog.String("method", k.method),
		slog.String("path", k.path),
		slog.Int("status", status),
		slog.Int("attempt", k.attempt),
		slog.Duration("duration", time.Since(k.start)),
	)
}

// rateLimitWait returns how long to wait after a 429: X-Rate-Limit-Reset
// minus the server's Date plus one second when both are present, else
// Retry-After. ok is false when the headers give no hint.
func rateLimitWait(h http.Header, now time.Time) (wait time.Duration, ok bool) {
	reset, okReset := parseEpoch(h.Get("X-Rate-Limit-Reset"))
	date, errDate := http.ParseTime(h.Get("Date"))
	if okReset && errDate == nil {
		// Clamped before the second is added: a reset far in the future
		// would otherwise overflow into a negative, immediate, wait.
		return max(min(reset.Sub(date), maxRateLimitHint)+time.Second, 0), true
	}
	if errDate == nil {
		now = date
	}
	return retryAfter(h, now)
}

// maxRateLimitHint bounds the waits read from rate-limit headers; any wait
// that long fails the call anyway (see Options.MaxRateLimitWait).
const maxRateLimitHint = 24 * time.Hour

// retryAfter parses Retry-After as seconds or an HTTP date relative to now,
// clamped to maxRateLimitHint.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		// Clamped, not refused: a server asking for a very long wait
		// must make the call fail, not retry after the usual backoff.
		return time.Duration(min(s, int64(maxRateLimitHint/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRateLimitHint), true
	}
	return 0, false
}

// parseEpoch parses UTC epoch seconds.
func parseEpoch(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	s, err := strconv.ParseInt(v, 10, 64)
	if err != nil || s <= 0 || s > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(s, 0).UTC(), true
}

// headerInt parses a non-negative integer header, or returns -1.
func headerInt(h http.Header, name string) int {
	n, err := strconv.Atoi(h.Get(name))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// requestID returns X-Okta-Request-Id if it is a plausible id, else "".
func requestID(h http.Header) string {
	v := h.Get("X-Okta-Request-Id")
	if v == "" || len(v) > 128 {
		return ""
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':' || c == '@' || c == '+' || c == '='
		if !ok {
			return ""
		}
	}
	return v
}

// fitsDeadline reports whether a wait of d ends before the context
// deadline.
func fitsDeadline(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > d
}

// readBody reads at most limit bytes of r, failing with ErrBodyTooLarge if
// there are more, or at once if size, the length the response announced
// (or -1), is over the limit. When the size is known the body is read into
// one buffer of that size (plus the byte that tells the end), otherwise
// into a pooled buffer and copied out, so that reading a body costs one
// allocation of its size rather than a series of growing ones.
func readBody(r io.Reader, limit, size int64) ([]byte, error) {
	if size > limit {
		// Announced too large: fail without reading (or allocating) any
		// of it.
		return nil, ErrBodyTooLarge
	}
	if size >= 0 && size < limit {
		b := make([]byte, 0, size+1)
		for {
			n, err := r.Read(b[len(b):cap(b)])
			b = b[:len(b)+n]
			if err == io.EOF {
				return b, nil
			}
			if err != nil {
				return nil, err
			}
			if len(b) == cap(b) {
				// Longer than announced (net/http does not let that
				// happen); read the rest the general way.
				rest, err := readBody(r, limit-int64(len(b)), -1)
				if err != nil {
					return nil, err
				}
				return append(b, rest...), nil
			}
		}
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			bodyBuffers.Put(buf)
		}
	}()
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(r, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, ErrBodyTooLarge
	}
	return bytes.Clone(buf.Bytes()), nil
}

// bodyBuffers hold the bodies of unknown length while they are read.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer bounds the buffers kept in bodyBuffers, so that one huge
// body does not stay in memory.
const maxPooledBuffer = 64 << 10

// stripURLError removes *url.Error wrappers, whose message repeats the full
// request URL including its query.
func stripURLError(err error) error {
	for {
		ue, ok := err.(*url.Error) //nolint:errorlint // only the outer wrappers are removed
		if !ok {
			return err
		}
		err = ue.Err
	}
}

// notSent reports whether err shows that the request never reached the
// server: the connection could not be established (dial, DNS, proxy).
func notSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return opErr.Op == "dial" || opErr.Op == "proxyconnect"
	}
	return false
}

// isPermanent reports whether err is a failure that retrying cannot fix
// and that happens before the request is sent: certificate and TLS record
// errors.
func isPermanent(err error) bool {
	var (
		verr  *tls.CertificateVerificationError
		uaErr x509.UnknownAuthorityError
		hnErr x509.HostnameError
		ciErr x509.CertificateInvalidError
		rhErr tls.RecordHeaderError
	)
	return errors.As(err, &verr) || errors.As(err, &uaErr) || errors.As(err, &hnErr) ||
		errors.As(err, &ciErr) || errors.As(err, &rhErr)
}

// errHeadersTooLarge reports response headers over the HTTP client's
// limit (MaxResponseHeaderBytes); it matches ErrBodyTooLarge, since both
// mean an answer too large to read.
var errHeadersTooLarge = fmt.Errorf("%w: response headers over the limit", ErrBodyTooLarge)

// headersTooLarge reports whether err is net/http's error for response
// headers over MaxResponseHeaderBytes, which has no type of its own.
func headersTooLarge(err error) bool {
	return err != nil && strings.Contains(err.Error(), "server response headers exceeded")
}
