package transport

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// FuzzRateLimitHeaders feeds arbitrary rate-limit headers to the code that
// reads them. Whatever the values, it must not panic, a wait is never
// negative nor beyond a day and a second, a reset far ahead of the server's
// Date never yields a short wait, and the error built from the headers
// never reports a negative Limit or Remaining other than -1.
func FuzzRateLimitHeaders(f *testing.F) {
	date := time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)
	epoch := func(d time.Duration) string { return strconv.FormatInt(date.Add(d).Unix(), 10) }
	for _, s := range [][6]string{
		{date.Format(http.TimeFormat), epoch(10 * time.Second), "", "50", "0", "req-1"},
		{date.Format(http.TimeFormat), epoch(-10 * time.Second), "", "50", "49", ""},
		{"", epoch(10 * time.Second), "3", "", "", ""},
		{date.Format(http.TimeFormat), "", date.Add(7 * time.Second).Format(http.TimeFormat), "x", "-1", "a b"},
		{date.Format(time.RFC850), "1099511627776", "", "", "", ""},
		{date.Format(http.TimeFormat), "1099511627775", "", "", "", ""},
		{"Mon, 01 Jan 0001 00:00:00 GMT", "1", "86401", "9223372036854775807", "18446744073709551616", ""},
		{"yesterday", "soon", "-1", "", "", "\r\n"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5])
	}
	local := date.Add(time.Hour)
	f.Fuzz(func(t *testing.T, dateV, reset, retryAfterV, limit, remaining, reqID string) {
		h := http.Header{}
		for name, v := range map[string]string{
			"Date": dateV, "X-Rate-Limit-Reset": reset, "Retry-After": retryAfterV,
			"X-Rate-Limit-Limit": limit, "X-Rate-Limit-Remaining": remaining, "X-Okta-Request-Id": reqID,
		} {
			if v != "" {
				h.Set(name, v)
			}
		}
		wait, ok := rateLimitWait(h, local)
		if !ok && wait != 0 {
			t.Fatalf("no hint but a wait of %v", wait)
		}
		if wait < 0 || wait > maxRateLimitHint+time.Second {
			t.Fatalf("wait %v out of range", wait)
		}
		r, okR := parseEpoch(reset)
		d, errD := http.ParseTime(dateV)
		if okR && errD == nil {
			if !ok {
				t.Fatal("Reset and Date parse but no wait")
			}
			if ahead := r.Sub(d); ahead > 0 && wait < min(ahead, maxRateLimitHint) {
				t.Fatalf("reset %v ahead of Date, but a wait of only %v", ahead, wait)
			}
		}
		if ra, ok := retryAfter(h, local); ra < 0 || (!ok && ra != 0) {
			t.Fatalf("retryAfter = %v, %v", ra, ok)
		}
		k := &call{c: &Client{now: func() time.Time { return local }}, class: ClassRead}
		e := k.rateLimitError(&http.Response{Header: h})
		if e.Limit < -1 || e.Remaining < -1 {
			t.Fatalf("Limit %d, Remaining %d", e.Limit, e.Remaining)
		}
		_ = e.Error()
		id := requestID(h)
		if len(id) > 128 {
			t.Fatalf("request id of %d bytes", len(id))
		}
		for i := 0; i < len(id); i++ {
			if id[i] <= ' ' || id[i] >= 0x7f {
				t.Fatalf("request id %q has byte %#x", id, id[i])
			}
		}
	})
}
