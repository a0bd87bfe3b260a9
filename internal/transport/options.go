package transport

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by [New] to zero-valued [Options] fields.
const (
	DefaultMaxBodyBytes     = 1 << 20
	DefaultRetryMax         = 3
	DefaultRetryWaitMin     = 250 * time.Millisecond
	DefaultRetryWaitMax     = 10 * time.Second
	DefaultMaxRateLimitWait = 30 * time.Second
)

// Timeouts of the HTTP client [New] builds when [Options.HTTPClient] is nil.
const (
	defaultDialTimeout           = 10 * time.Second
	defaultTLSHandshakeTimeout   = 10 * time.Second
	defaultResponseHeaderTimeout = 15 * time.Second
	defaultOverallTimeout        = 30 * time.Second
	defaultMaxResponseHeaderSize = 64 << 10
)

// Options configures a [Client]. The zero value is usable: every zero field
// takes the documented default.
type Options struct {
	// HTTPClient is the base client. It is copied, never mutated; the copy
	// does not follow redirects. When nil, New builds a client with a 10s
	// dial timeout, 10s TLS handshake timeout, 15s response header
	// timeout, 30s overall timeout, the proxy from the environment, TLS 1.2
	// or later and a 64 KiB limit on response headers.
	HTTPClient *http.Client

	// Logger receives one Debug record per attempt (method, path, status,
	// attempt, duration) and one Warn record before each wait for a rate
	// limit to reset (method, path, wait, limit, remaining). It is also
	// given, through a redacting adapter, to go-retryablehttp. When nil,
	// nothing is logged.
	Logger *slog.Logger

	// Origins lists the allowed origins as "scheme://host[:port]" (http or
	// https). When non-empty, every request URL must be on one of them
	// (scheme and host compared case-insensitively, default ports
	// normalised) or [Client.Do] fails with an [*OriginError] without
	// sending anything. When empty, any http or https URL is allowed.
	Origins []string

	// MaxBodyBytes caps response bodies; a larger body fails with
	// [ErrBodyTooLarge]. Zero means [DefaultMaxBodyBytes] (1 MiB).
	MaxBodyBytes int64

	// RetryMax is the maximum number of retries after the first attempt.
	// Zero means [DefaultRetryMax]; a negative value disables retries.
	RetryMax int

	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// retries after network failures and 502–504 answers. Zero means
	// [DefaultRetryWaitMin] and [DefaultRetryWaitMax]. A wait never runs
	// past the context deadline: when it would, the last result is
	// returned at once.
	RetryWaitMin, RetryWaitMax time.Duration

	// MaxRateLimitWait is the longest wait for a 429 to reset; a 429 whose
	// reset is further away, or beyond the context deadline, fails at once
	// with a [*RateLimitError]. Zero means [DefaultMaxRateLimitWait]; a
	// negative value means 429s are never waited out.
	MaxRateLimitWait time.Duration

	// UserAgent, when non-empty, is sent as User-Agent on every request.
	UserAgent string

	// Now returns the current time; it defaults to [time.Now]. It is used
	// to interpret rate-limit headers when the response has no Date.
	Now func() time.Time
}

// validate checks o and returns a copy with the defaults applied.
func (o Options) withDefaults() (Options, error) {
	if o.MaxBodyBytes < 0 {
		return o, errors.New("MaxBodyBytes must not be negative")
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	switch {
	case o.RetryMax == 0:
		o.RetryMax = DefaultRetryMax
	case o.RetryMax < 0:
		o.RetryMax = 0
	case o.RetryMax > 100:
		return o, errors.New("RetryMax must be at most 100")
	}
	if o.RetryWaitMin < 0 || o.RetryWaitMax < 0 {
		return o, errors.New("RetryWaitMin and RetryWaitMax must not be negative")
	}
	if o.RetryWaitMin == 0 {
		o.RetryWaitMin = DefaultRetryWaitMin
	}
	if o.RetryWaitMax == 0 {
		o.RetryWaitMax = DefaultRetryWaitMax
	}
	if o.RetryWaitMin > o.RetryWaitMax {
		return o, errors.New("RetryWaitMin must not exceed RetryWaitMax")
	}
	switch {
	case o.MaxRateLimitWait == 0:
		o.MaxRateLimitWait = DefaultMaxRateLimitWait
	case o.MaxRateLimitWait < 0:
		o.MaxRateLimitWait = -1
	}
	for i := 0; i < len(o.UserAgent); i++ {
		if c := o.UserAgent[i]; c < 0x20 || c == 0x7f {
			return o, errors.New("UserAgent contains a control character")
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}

// parseOrigins validates and normalises the configured origins.
func parseOrigins(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for i, s := range in {
		u, err := url.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("origin %d is not a valid URL", i)
		}
		if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
			return nil, fmt.Errorf("origin %d must be scheme://host[:port] without a path, query or fragment", i)
		}
		o, ok := origin(u)
		if !ok {
			return nil, fmt.Errorf("origin %d must be an http or https origin without user info", i)
		}
		out = append(out, o)
	}
	return out, nil
}

// origin returns the normalised "scheme://host[:port]" of u and whether u is
// an absolute http(s) URL with a host and no user info.
// Origin returns the normalised "scheme://host[:port]" of u (lower case,
// default ports dropped, IPv6 hosts bracketed), and false unless u is an
// absolute http(s) URL with a host and no user info. It is the form
// [Options.Origins] are compared in.
func Origin(u *url.URL) (string, bool) { return origin(u) }

func origin(u *url.URL) (string, bool) {
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	if u.User != nil || u.Opaque != "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", false
	}
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		return scheme + "://" + net.JoinHostPort(host, port), true
	}
	if strings.Contains(host, ":") {
		return scheme + "://[" + host + "]", true
	}
	return scheme + "://" + host, true
}

// newHTTPClient returns a copy of base, or the default client when base is
// nil, that does not follow redirects.
func newHTTPClient(base *http.Client) *http.Client {
	var hc http.Client
	if base != nil {
		hc = *base
	} else {
		hc = http.Client{
			Timeout: defaultOverallTimeout,
			Transport: &http.Transport{
				Proxy: http.ProxyFromEnvironment,
				DialContext: (&net.Dialer{
					Timeout:   defaultDialTimeout,
					KeepAlive: 30 * time.Second,
				}).DialContext,
				TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
				TLSHandshakeTimeout:    defaultTLSHandshakeTimeout,
				ResponseHeaderTimeout:  defaultResponseHeaderTimeout,
				MaxResponseHeaderBytes: defaultMaxResponseHeaderSize,
				ForceAttemptHTTP2:      true,
				MaxIdleConns:           100,
				MaxIdleConnsPerHost:    10,
				IdleConnTimeout:        90 * time.Second,
				ExpectContinueTimeout:  time.Second,
			},
		}
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}
