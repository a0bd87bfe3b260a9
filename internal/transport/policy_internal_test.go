package transport

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestRateLimitWait(t *testing.T) {
	t.Parallel()
	date := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	local := date.Add(time.Hour) // a local clock far off the server's
	epoch := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
		wantOK bool
	}{
		{
			name:   "reset and date use the server clock",
			header: http.Header{"Date": {date.Format(http.TimeFormat)}, "X-Rate-Limit-Reset": {epoch(date.Add(10 * time.Second))}},
			want:   11 * time.Second, wantOK: true,
		},
		{
			name:   "reset equal to date",
			header: http.Header{"Date": {date.Format(http.TimeFormat)}, "X-Rate-Limit-Reset": {epoch(date)}},
			want:   time.Second, wantOK: true,
		},
		{
			name:   "reset already past",
			header: http.Header{"Date": {date.Format(http.TimeFormat)}, "X-Rate-Limit-Reset": {epoch(date.Add(-5 * time.Second))}},
			want:   0, wantOK: true,
		},
		{
			name:   "reset without date falls back to retry-after",
			header: http.Header{"X-Rate-Limit-Reset": {epoch(date.Add(10 * time.Second))}, "Retry-After": {"3"}},
			want:   3 * time.Second, wantOK: true,
		},
		{
			name:   "reset without date and no retry-after",
			header: http.Header{"X-Rate-Limit-Reset": {epoch(date.Add(10 * time.Second))}},
			wantOK: false,
		},
		{
			name:   "retry-after http date against server date",
			header: http.Header{"Date": {date.Format(http.TimeFormat)}, "Retry-After": {date.Add(7 * time.Second).Format(http.TimeFormat)}},
			want:   7 * time.Second, wantOK: true,
		},
		{
			name:   "retry-after http date against local clock",
			header: http.Header{"Retry-After": {local.Add(4 * time.Second).Format(http.TimeFormat)}},
			want:   4 * time.Second, wantOK: true,
		},
		{
			name:   "garbage",
			header: http.Header{"Date": {"yesterday"}, "X-Rate-Limit-Reset": {"soon"}, "Retry-After": {"-1"}},
			wantOK: false,
		},
		{
			name:   "retry-after beyond a day is clamped, not ignored",
			header: http.Header{"Retry-After": {"31536000"}},
			want:   24 * time.Hour, wantOK: true,
		},
		{
			name:   "retry-after date a year ahead of the server date",
			header: http.Header{"Date": {date.Format(http.TimeFormat)}, "Retry-After": {date.AddDate(1, 0, 0).Format(http.TimeFormat)}},
			want:   24 * time.Hour, wantOK: true,
		},
		{
			name:   "reset a lifetime ahead does not overflow into no wait",
			header: http.Header{"Date": {date.Format(http.TimeFormat)}, "X-Rate-Limit-Reset": {"1099511627775"}},
			want:   24*time.Hour + time.Second, wantOK: true,
		},
		{name: "nothing", header: http.Header{}, wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := rateLimitWait(tt.header, local)
			if ok != tt.wantOK || (ok && got != tt.want) {
				t.Errorf("rateLimitWait() = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"https://Example.COM", "https://example.com", true},
		{"https://example.com:443/path?q=1", "https://example.com", true},
		{"http://example.com:80", "http://example.com", true},
		{"http://example.com:443", "http://example.com:443", true},
		{"https://example.com:8443", "https://example.com:8443", true},
		{"HTTPS://[::1]:443", "https://[::1]", true},
		{"https://[::1]:8443", "https://[::1]:8443", true},
		{"https://user:pw@example.com", "", false},
		{"ftp://example.com", "", false},
		{"https:opaque", "", false},
		{"/relative/path", "", false},
		{"https://", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := origin(u)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("origin(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestIsJSON(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		"application/json":                         true,
		"application/json; charset=utf-8":          true,
		"Application/JSON":                         true,
		"application/ion+json; okta-version=1.0.0": true,
		"application/problem+json":                 true,
		"application/+json":                        false,
		"text/html; charset=utf-8":                 false,
		"text/json":                                false,
		"application/jsonp":                        false,
		"application/x-www-form-urlencoded":        false,
		"":                                         false,
		"application/json; charset=\"unterminated": false,
	}
	for ct, want := range tests {
		t.Run(ct, func(t *testing.T) {
			t.Parallel()
			if got := isJSON(ct); got != want {
				t.Errorf("isJSON(%q) = %v, want %v", ct, got, want)
			}
		})
	}
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "<html>Bad Gateway</html>", "<html>Bad Gateway</html>"},
		{"controls", "a\x00b\x1bc\nd\te\u2028f\x7f", "abc d ef"},
		{"invalid utf8", "a\xffb", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, snippet([]byte(tt.in))); diff != "" {
				t.Errorf("snippet mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("long", func(t *testing.T) {
		t.Parallel()
		got := snippet([]byte(strings.Repeat("é", 1000)))
		if len(got) > maxSnippet || !utf8.ValidString(got) {
			t.Errorf("len = %d, valid = %v", len(got), utf8.ValidString(got))
		}
	})
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"Xyz-123_abc":            "Xyz-123_abc",
		"bad value":              "",
		"":                       "",
		strings.Repeat("a", 129): "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			if got := requestID(http.Header{"X-Okta-Request-Id": {in}}); got != want {
				t.Errorf("requestID(%q) = %q, want %q", in, got, want)
			}
		})
	}
}
