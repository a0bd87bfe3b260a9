package transport

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sentinel errors. Use [errors.Is] to test for them; the typed errors of this
// package report themselves as the matching sentinel. Like the other
// errors of this package, their texts carry no package prefix: they reach
// callers wrapped by package idx, which names the operation once.
var (
	// ErrForeignOrigin reports a request URL that is not on an allowed
	// origin, or a URL that would send data (a POST) with a query or a
	// fragment. No request was sent. See [OriginError].
	ErrForeignOrigin = errors.New("foreign origin")

	// ErrBodyTooLarge reports a response body larger than
	// [Options.MaxBodyBytes], or response headers larger than the HTTP
	// client's limit (64 KiB for the default client).
	ErrBodyTooLarge = errors.New("response body too large")

	// ErrUnexpectedResponse reports a response the SDK cannot interpret: a
	// body that is not JSON (an HTML error page, say) or a redirect. See
	// [UnexpectedResponseError].
	ErrUnexpectedResponse = errors.New("unexpected response")

	// ErrRateLimited reports a 429 answer that could not be waited out. See
	// [RateLimitError].
	ErrRateLimited = errors.New("rate limited")

	// ErrOutcomeUnknown reports that a request which changes server state
	// failed after it may have reached the server, so it may or may not
	// have taken effect. It was not retried. See [AmbiguousError].
	ErrOutcomeUnknown = errors.New("outcome unknown")
)

// OriginError reports a request URL outside the allowed origins, or a POST
// to a URL with a query or a fragment. No request was sent. It matches
// [ErrForeignOrigin] with [errors.Is].
type OriginError struct {
	// URL is the scheme and host (with a non-default port) of the refused
	// URL, normalised; it is empty when the URL could not be parsed as an
	// absolute http or https URL. It never holds a path or query.
	URL string
	// Allowed lists the configured origins, normalised.
	Allowed []string
	// Part is what made a URL on an allowed origin unfit: "query" (a POST
	// goes with none, not even a bare "?") or "fragment". It is empty when
	// the origin itself was refused.
	Part string
}

// Error implements error. It names the refused part, never its value.
func (e *OriginError) Error() string {
	if e.Part != "" {
		return "refused a URL on " + e.URL + " with a " + e.Part
	}
	if e.URL == "" {
		return "request URL is not an absolute http(s) URL on an allowed origin"
	}
	return "origin " + e.URL + " is not allowed"
}

// Is reports whether target is [ErrForeignOrigin].
func (e *OriginError) Is(target error) bool { return target == ErrForeignOrigin }

// UnexpectedResponseError reports a response whose body is neither empty nor
// JSON (for example an HTML page from a proxy), or a redirect, which is never
// followed. It matches [ErrUnexpectedResponse] with [errors.Is].
type UnexpectedResponseError struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// ContentType is the response's Content-Type header, sanitised.
	ContentType string
	// Snippet holds at most 512 bytes of the start of the body with control
	// characters removed, for debugging. It is deliberately left out of
	// Error, because a body may echo secrets; log it only where that is
	// acceptable.
	Snippet string
}

// Error implements error. It does not include the body snippet.
func (e *UnexpectedResponseError) Error() string {
	if e.ContentType == "" {
		return fmt.Sprintf("unexpected response: HTTP %d", e.StatusCode)
	}
	return fmt.Sprintf("unexpected response: HTTP %d with content type %q", e.StatusCode, e.ContentType)
}

// GoString implements fmt.GoStringer; it leaves out the snippet, which may
// hold secrets echoed by the server.
func (e *UnexpectedResponseError) GoString() string {
	return fmt.Sprintf("&transport.UnexpectedResponseError{StatusCode:%d, ContentType:%q, Snippet:<%d bytes>}", e.StatusCode, e.ContentType, len(e.Snippet))
}

// Is reports whether target is [ErrUnexpectedResponse].
func (e *UnexpectedResponseError) Is(target error) bool { return target == ErrUnexpectedResponse }

// RateLimitError reports a 429 answer that was not (or could no longer be)
// waited out: the reset lies beyond [Options.MaxRateLimitWait] or the context
// deadline, the request class does not wait (a resend), or the retries ran
// out. It matches [ErrRateLimited] with [errors.Is].
type RateLimitError struct {
	// Path is the escaped URL path of the refused request.
	Path string
	// Reset is when the server expects to accept requests again: from
	// X-Rate-Limit-Reset when present, else derived from Retry-After and
	// the local clock. It is the zero Time when the response gave no hint.
	Reset time.Time
	// RetryAfter is how long the server asked the client to wait:
	// X-Rate-Limit-Reset less the response's Date plus a second, else
	// Retry-After. It is zero when the response gave no hint.
	RetryAfter time.Duration
	// Limit and Remaining are X-Rate-Limit-Limit and
	// X-Rate-Limit-Remaining, or -1 when absent or malformed.
	Limit, Remaining int
}

// Error implements error.
func (e *RateLimitError) Error() string {
	if e.Reset.IsZero() {
		return "rate limited"
	}
	return "rate limited until " + e.Reset.UTC().Format(time.RFC3339)
}

// Is reports whether target is [ErrRateLimited].
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// AmbiguousError reports that a request of class [ClassAnswer],
// [ClassResend] or [ClassToken] failed after it may have reached the server
// (a timeout, a reset connection, an early EOF, or a 5xx answer without a
// JSON body). The request was not retried; the caller has to learn the
// outcome another way. It matches [ErrOutcomeUnknown] with [errors.Is] and
// unwraps to the underlying failure, so errors.Is also finds, for example,
// [context.DeadlineExceeded].
type AmbiguousError struct {
	// Err is the failure that made the outcome unknown.
	Err error
}

// Error implements error.
func (e *AmbiguousError) Error() string {
	if e.Err == nil {
		return "outcome unknown"
	}
	return "outcome unknown: " + e.Err.Error()
}

// Is reports whether target is [ErrOutcomeUnknown].
func (e *AmbiguousError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap returns the underlying failure.
func (e *AmbiguousError) Unwrap() error { return e.Err }

// TransportError reports any other failure of a request: a network error, a
// TLS error, a cancelled context, or an invalid request. It reads like the
// [*url.Error] it replaces, `Post "https://example.okta.com/idp/idx/introspect": dial tcp ...`,
// without the URL's query.
type TransportError struct {
	// Method is the request method, such as "POST".
	Method string
	// URL is the scheme, host and path of the request URL. It never
	// includes the query, user info or fragment.
	URL string
	// Err is the underlying error, stripped of the *url.Error wrapper
	// that would repeat the full URL.
	Err error
}

// Error implements error.
func (e *TransportError) Error() string {
	op := e.Method
	if len(op) > 1 {
		op = op[:1] + strings.ToLower(op[1:]) // as net/http's *url.Error writes it
	}
	if e.Err == nil {
		return fmt.Sprintf("%s %q: failed", op, e.URL)
	}
	return fmt.Sprintf("%s %q: %s", op, e.URL, e.Err.Error())
}

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// maxSnippet is the size limit of UnexpectedResponseError.Snippet.
const maxSnippet = 512

// snippet returns at most maxSnippet bytes of b, valid UTF-8, without control
// characters.
func snippet(b []byte) string {
	if len(b) > maxSnippet+utf8.UTFMax {
		b = b[:maxSnippet+utf8.UTFMax]
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if r == utf8.RuneError && size <= 1 {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			if r == '\n' || r == '\t' || r == '\r' {
				r = ' '
			} else {
				continue
			}
		}
		if sb.Len()+utf8.RuneLen(r) > maxSnippet {
			break
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// sanitizeHeaderValue returns v limited to 128 printable ASCII bytes, for use
// in error messages.
func sanitizeHeaderValue(v string) string {
	var sb strings.Builder
	for i := 0; i < len(v) && sb.Len() < 128; i++ {
		if c := v[i]; c >= 0x20 && c < 0x7f {
			sb.WriteByte(c)
		}
	}
	return sb.String()
}
