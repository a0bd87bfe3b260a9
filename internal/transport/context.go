package transport

import (
	"context"
	"net/http"
)

// ctxKey is the context key of the request headers carried by a context.
type ctxKey struct{}

// ctxValue is what ContextWithHeader and ContextWithError store.
type ctxValue struct {
	header http.Header
	err    error
}

// ContextWithHeader returns a copy of parent carrying h: [Client.Do] adds
// every header of h to each request made with the returned context (or a
// context derived from it), replacing headers of the same name that the
// request or the client set. When h sets User-Agent, the client's own
// [Options.UserAgent] moves to X-Okta-User-Agent-Extended, so that the
// server still learns which SDK made the call. h is copied; the caller
// validates the values (no control characters).
func ContextWithHeader(parent context.Context, h http.Header) context.Context {
	c := make(http.Header, len(h))
	for k, v := range h {
		c[http.CanonicalHeaderKey(k)] = append([]string(nil), v...)
	}
	return context.WithValue(parent, ctxKey{}, ctxValue{header: c})
}

// ContextWithError returns a copy of parent with which every [Client.Do]
// fails with err before anything is sent. It lets a caller that builds a
// context from invalid input (say, a header value with a line break) have
// the calls made with it fail with a typed error.
func ContextWithError(parent context.Context, err error) context.Context {
	return context.WithValue(parent, ctxKey{}, ctxValue{err: err})
}

// contextValue returns what ContextWithHeader or ContextWithError stored.
func contextValue(ctx context.Context) (ctxValue, bool) {
	v, ok := ctx.Value(ctxKey{}).(ctxValue)
	return v, ok
}
