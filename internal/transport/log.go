package transport

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
)

// retryLogger adapts a *slog.Logger to retryablehttp.LeveledLogger. The
// messages of retryablehttp carry full URLs (query included) and raw
// errors, which may embed them, so only the method and the URL path are
// kept, and every record is logged at Debug.
type retryLogger struct{ l *slog.Logger }

func (r retryLogger) Error(msg string, kv ...any) { r.log(msg, kv) }
func (r retryLogger) Warn(msg string, kv ...any)  { r.log(msg, kv) }
func (r retryLogger) Info(msg string, kv ...any)  { r.log(msg, kv) }
func (r retryLogger) Debug(msg string, kv ...any) { r.log(msg, kv) }

func (r retryLogger) log(msg string, kv []any) {
	ctx := context.Background()
	if !r.l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := make([]slog.Attr, 0, 2)
	for i := 0; i+1 < len(kv); i += 2 {
		key, _ := kv[i].(string)
		switch key {
		case "method":
			if s, ok := kv[i+1].(string); ok {
				attrs = append(attrs, slog.String("method", s))
			}
		case "url":
			if s, ok := kv[i+1].(string); ok {
				attrs = append(attrs, slog.String("path", pathOf(s)))
			}
		case "request":
			// "METHOD URL (status: N)"
			if s, ok := kv[i+1].(string); ok {
				if m, rest, ok := strings.Cut(s, " "); ok {
					u, _, _ := strings.Cut(rest, " ")
					attrs = append(attrs, slog.String("method", m), slog.String("path", pathOf(u)))
				}
			}
		}
	}
	r.l.LogAttrs(ctx, slog.LevelDebug, "transport: retryablehttp: "+safeMsg(msg), attrs...)
}

// pathOf returns the escaped path of raw, or "" if raw does not parse.
func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.EscapedPath()
}

// safeMsg keeps the fixed message texts of retryablehttp and drops any
// other.
func safeMsg(msg string) string {
	switch msg {
	case "performing request", "request failed", "retrying request", "error reading response body":
		return msg
	}
	return "event"
}
