package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Class selects the retry policy of a [Request]. The zero value is invalid.
type Class int

const (
	// ClassRead is for read-only requests: GET discovery, JWKS or
	// userinfo, and POST /idp/idx/introspect. Retried after dial errors,
	// after ambiguous failures (timeouts, resets, EOF), after 429 (waiting
	// for the reset) and after 502, 503 and 504 (backoff with jitter).
	ClassRead Class = iota + 1
	// ClassInteract is for POST /v1/interact: retried like [ClassRead],
	// since an extra interaction handle is harmless.
	ClassInteract
	// ClassAnswer is for IDX remediation POSTs (password, OTP, select).
	// Retried only when the request certainly never reached the server
	// (dial or DNS errors), and once after a 429. After an ambiguous
	// failure or a 5xx without a JSON body it fails with
	// [ErrOutcomeUnknown]; a 5xx with a JSON body is returned as is.
	ClassAnswer
	// ClassResend is for resending a code or link. Retried only after dial
	// or DNS errors; a 429 fails at once with a [*RateLimitError].
	// Otherwise like [ClassAnswer].
	ClassResend
	// ClassToken is for POST /v1/token with a one-time code. Retried after
	// dial or DNS errors and after 429 (waiting for the reset); otherwise
	// like [ClassAnswer].
	ClassToken
)

// String returns the name of the class.
func (c Class) String() string {
	switch c {
	case ClassRead:
		return "read"
	case ClassInteract:
		return "interact"
	case ClassAnswer:
		return "answer"
	case ClassResend:
		return "resend"
	case ClassToken:
		return "token"
	default:
		return fmt.Sprintf("Class(%d)", int(c))
	}
}

// replaySafe reports whether a request of class c may be sent again after it
// may have reached the server.
func (c Class) replaySafe() bool { return c == ClassRead || c == ClassInteract }

// Request is one logical HTTP request.
type Request struct {
	// Method is the HTTP method, such as "GET" or "POST".
	Method string
	// URL is the absolute http(s) URL.
	URL string
	// Header holds extra request headers (Accept, Content-Type,
	// Authorization, device context). It is not modified. An
	// Idempotency-Key header is dropped: it would let net/http replay
	// non-idempotent requests.
	Header http.Header
	// Body is sent as is; it may be nil.
	Body []byte
	// Rebuild, when set, makes the body of every retry: Body goes with
	// the first attempt only. A request that carries a one-time value,
	// such as a private_key_jwt assertion with its jti, must not repeat
	// it. An error from Rebuild fails that attempt.
	Rebuild func() ([]byte, error)
	// Class selects the retry policy.
	Class Class
}

// Response is a complete HTTP response whose body was read and accepted
// (empty or JSON).
type Response struct {
	// StatusCode is the HTTP status code.
	StatusCode int
	// Header holds the response headers.
	Header http.Header
	// Body is the whole response body.
	Body []byte
}

// Client sends requests with the policies of this package. Create one with
// [New]. A Client is immutable and safe for concurrent use.
type Client struct {
	hc           *http.Client
	log          *slog.Logger
	rlog         any // retryablehttp logger: nil or a redacting adapter
	origins      []string
	maxBody      int64
	retryMax     int
	waitMin      time.Duration
	waitMax      time.Duration
	maxRateWait  time.Duration
	userAgent    string
	now          func() time.Time
	pinnedOrigin bool

	// waitHook, when set, sees every wait before a retry as chosen by the
	// retry policy and returns the wait to apply instead. It is a seam
	// for this package's tests (see export_test.go) and nil otherwise.
	waitHook func(time.Duration) time.Duration
}

// New returns a Client configured by o, or an error if o is invalid.
func New(o Options) (*Client, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	origins, err := parseOrigins(o.Origins)
	if err != nil {
		return nil, err
	}
	c := &Client{
		hc:           newHTTPClient(o.HTTPClient),
		log:          o.Logger,
		origins:      origins,
		maxBody:      o.MaxBodyBytes,
		retryMax:     o.RetryMax,
		waitMin:      o.RetryWaitMin,
		waitMax:      o.RetryWaitMax,
		maxRateWait:  o.MaxRateLimitWait,
		userAgent:    o.UserAgent,
		now:          o.Now,
		pinnedOrigin: len(origins) > 0,
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	} else {
		c.rlog = retryLogger{c.log}
	}
	return c, nil
}

// CheckOrigin reports whether rawURL may be requested: it must be an
// absolute http or https URL without user info and, when origins are
// configured, on one of them. Otherwise it returns an [*OriginError].
func (c *Client) CheckOrigin(rawURL string) error {
	_, err := c.checkURL(rawURL)
	return err
}

// checkSendURL is checkURL for a request of the given method: a request
// other than GET or HEAD sends data, and its URL must have neither a query
// (not even a bare "?") nor a fragment, so that a server-provided href
// such as ".../identify?debug=1" cannot change where or how a password or
// a code is received.
func (c *Client) checkSendURL(method, rawURL string) (*url.URL, error) {
	u, err := c.checkURL(rawURL)
	if err != nil || method == http.MethodGet || method == http.MethodHead {
		return u, err
	}
	part := ""
	switch {
	case u.RawQuery != "" || u.ForceQuery:
		part = "query"
	case u.Fragment != "" || strings.Contains(rawURL, "#"):
		part = "fragment"
	default:
		return u, nil
	}
	o, _ := origin(u)
	return nil, &OriginError{URL: o, Allowed: slices.Clone(c.origins), Part: part}
}

func (c *Client) checkURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, &OriginError{Allowed: slices.Clone(c.origins)}
	}
	o, ok := origin(u)
	if !ok {
		return nil, &OriginError{Allowed: slices.Clone(c.origins)}
	}
	if c.pinnedOrigin && !slices.Contains(c.origins, o) {
		return nil, &OriginError{URL: o, Allowed: slices.Clone(c.origins)}
	}
	return u, nil
}

// Do sends r and returns the response for any HTTP status whose body is
// empty or JSON; interpreting 4xx and 5xx bodies is up to the caller.
//
// Do fails with an [*OriginError] for a URL outside the allowed origins,
// [ErrBodyTooLarge] for an oversized body, an [*UnexpectedResponseError] for
// a non-JSON body or a redirect, a [*RateLimitError] for a 429 that cannot
// be waited out, an [*AmbiguousError] when a non-replayable request may or
// may not have taken effect, and a [*TransportError] otherwise. Context
// errors are preserved: errors.Is(err, context.Canceled) holds when ctx was
// cancelled.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	if r == nil {
		return nil, errors.New("nil request")
	}
	if r.Class < ClassRead || r.Class > ClassToken {
		return nil, fmt.Errorf("invalid request class %d", int(r.Class))
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	u, err := c.checkSendURL(method, r.URL)
	if err != nil {
		return nil, err
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	k := &call{
		c:       c,
		class:   r.Class,
		method:  method,
		path:    path,
		u:       u,
		rebuild: r.Rebuild,
	}
	if err := ctx.Err(); err != nil {
		return nil, k.transportError(err)
	}

	// r.URL parsed above (checkURL); parsing it again here is cheaper
	// than formatting u and parsing that.
	hreq, err := http.NewRequestWithContext(ctx, method, r.URL, nil)
	if err != nil {
		// The message of err may repeat the URL; don't keep it.
		return nil, k.transportError(errors.New("invalid request"))
	}
	// A copy of the caller's header map, which is not modified: the map
	// is our own, the value slices are shared, clipped so that an append
	// copies (net/http only reads them, and prepareRetry clones the
	// header before it changes it).
	hreq.Header = make(http.Header, len(r.Header)+1)
	for k, v := range r.Header {
		hreq.Header[k] = v[:len(v):len(v)]
	}
	hreq.Header.Del("Idempotency-Key")
	hreq.Header.Del("X-Idempotency-Key")
	hreq.Header.Del("X-Okta-Retry-For")
	hreq.Header.Del("X-Okta-Retry-Count")
	if c.userAgent != "" {
		hreq.Header.Set("User-Agent", c.userAgent)
	}
	if cv, ok := contextValue(ctx); ok {
		if cv.err != nil {
			return nil, cv.err
		}
		if _, ok := cv.header["User-Agent"]; ok && c.userAgent != "" {
			hreq.Header.Set("X-Okta-User-Agent-Extended", c.userAgent)
		}
		for name, v := range cv.header {
			hreq.Header[name] = v[:len(v):len(v)]
		}
	}
	rreq, err := retryablehttp.FromRequest(hreq)
	if err != nil {
		return nil, k.transportError(errors.New("invalid request"))
	}
	var body any
	if len(r.Body) > 0 {
		body = r.Body
	}
	if err := rreq.SetBody(body); err != nil {
		return nil, k.transportError(errors.New("invalid request body"))
	}

	rc := &retryablehttp.Client{
		HTTPClient:     c.hc,
		Logger:         c.rlog,
		RetryWaitMin:   c.waitMin,
		RetryWaitMax:   c.waitMax,
		RetryMax:       c.retryMax,
		RequestLogHook: k.beforeAttempt,
		CheckRetry:     k.checkRetry,
		Backoff:        k.backoff,
		ErrorHandler:   k.errorHandler,
		PrepareRetry:   k.prepareRetry,
	}
	resp, err := rc.Do(rreq)
	if resp != nil {
		// The body was read into memory by checkRetry; this closes the
		// in-memory reader (the network body is already closed).
		defer resp.Body.Close()
	}
	if err != nil {
		if k.final != nil && err == k.final {
			return nil, err
		}
		if !k.handled {
			// retryablehttp returns the bare context error when the
			// context ends during a backoff wait. The attempt before the
			// wait either never reached the server or was refused with a
			// status that is safe to retry, so the outcome is known.
			return nil, k.transportError(err)
		}
		return nil, k.mapErr(ctx, err)
	}
	return k.finish(resp)
}

// finish turns the final HTTP response into a Response or an error.
func (k *call) finish(resp *http.Response) (*Response, error) {
	body := k.body
	if resp != k.resp {
		// Not reachable in practice: checkRetry reads every response.
		var err error
		if body, err = readBody(resp.Body, k.c.maxBody, -1); err != nil {
			return nil, k.transportError(err)
		}
	}
	status := resp.StatusCode
	ct := resp.Header.Get("Content-Type")
	switch {
	case status == http.StatusTooManyRequests:
		return nil, k.rateLimitError(resp)
	case status >= 300 && status < 400:
		return nil, unexpected(status, ct, body)
	case status >= 500 && !k.class.replaySafe():
		if len(body) > 0 && isJSON(ct) {
			return &Response{StatusCode: status, Header: resp.Header, Body: body}, nil
		}
		return nil, &AmbiguousError{Err: unexpected(status, ct, body)}
	case len(body) > 0 && !isJSON(ct):
		return nil, unexpected(status, ct, body)
	}
	return &Response{StatusCode: status, Header: resp.Header, Body: body}, nil
}

func unexpected(status int, ct string, body []byte) *UnexpectedResponseError {
	return &UnexpectedResponseError{
		StatusCode:  status,
		ContentType: sanitizeHeaderValue(ct),
		Snippet:     snippet(body),
	}
}

// isJSON reports whether the media type ct is application/json,
// application/ion+json or another application/*+json type.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	sub, ok := strings.CutPrefix(mt, "application/")
	if !ok {
		return false
	}
	return sub == "json" || (strings.HasSuffix(sub, "+json") && len(sub) > len("+json"))
}
