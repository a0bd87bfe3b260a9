package main

import (
	"net/url"
	"strings"
)

// maxReturnTo bounds the length of a return path.
const maxReturnTo = 1024

// localPath returns s if it is a path on this site that is safe to redirect
// to after signing in, and "/" otherwise. Only absolute paths are allowed:
// no scheme, no host, no "//" or "/\" start (which browsers read as another
// host), no backslashes, whitespace or control characters (which browsers
// drop or rewrite), and no percent-encoded slash or backslash at the start
// that a server further on might decode into one of those.
func localPath(s string) string {
	if s == "" || len(s) > maxReturnTo || s[0] != '/' {
		return "/"
	}
	for _, r := range s {
		if r == '\\' || r <= ' ' || r >= 0x7f {
			return "/"
		}
	}
	if len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return "/"
	}
	// Reject "/%2F..." and "/%5C..." too, and anything whose decoded form
	// starts badly.
	dec, err := url.PathUnescape(s)
	if err != nil || strings.HasPrefix(dec, "//") || strings.HasPrefix(dec, "/\\") || strings.ContainsAny(dec, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return s
}
