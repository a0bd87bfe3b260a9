package cookiestore_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/cookiestore"
)

// newKey returns a key with a random secret.
func newKey(id string) cookiestore.Key {
	k := cookiestore.Key{ID: id}
	rand.Read(k.Secret[:])
	return k
}

func mustNew(t *testing.T, keys cookiestore.Keys, opts ...cookiestore.Option) *cookiestore.Store {
	t.Helper()
	s, err := cookiestore.New(keys, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// browser is one user agent's cookie jar for one site. It sends one
// request at a time.
type browser struct {
	url string // where requests go, e.g. "https://app.example/login"

	mu  sync.Mutex
	jar map[string]string
	// setCookies are the Set-Cookie headers of the last response.
	setCookies []string
}

func newBrowser(url string) *browser {
	return &browser{url: url, jar: map[string]string{}}
}

// do handles one request of the browser with fn, on a context bound to
// the request by s, and keeps the cookies the response sets.
func (b *browser) do(ctx context.Context, s *cookiestore.Store, fn func(ctx context.Context) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, b.url, nil)
	for name, value := range b.jar {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	rec := httptest.NewRecorder()
	err := fn(s.Bind(ctx, rec, req))
	res := rec.Result()
	b.setCookies = res.Header.Values("Set-Cookie")
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.jar, c.Name)
		} else {
			b.jar[c.Name] = c.Value
		}
	}
	return err
}

// cookie returns the value of the named cookie in the jar.
func (b *browser) cookie(name string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.jar[name]
	return v, ok
}

func (b *browser) setCookie(name, value string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.jar[name] = value
}

// browsers adapts cookie stores to idx.TransactionStore for the
// conformance suite: each State lives in its own browser (a browser holds
// one transaction), and each call is one HTTP request, handled by the
// next of several Store instances sharing the keys, as app replicas
// behind a load balancer would. A browser sends one request at a time, so
// the suite's concurrent updates of one State are serialised per request,
// as the store's compare-and-set assumes (see the package documentation).
type browsers struct {
	stores []*cookiestore.Store

	mu   sync.Mutex
	next int
	byID map[string]*browser
}

func newBrowsers(stores ...*cookiestore.Store) *browsers {
	return &browsers{stores: stores, byID: map[string]*browser{}}
}

func (a *browsers) route(state string) (*browser, *cookiestore.Store) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b, ok := a.byID[state]
	if !ok {
		b = newBrowser("https://app.example/login")
		a.byID[state] = b
	}
	s := a.stores[a.next%len(a.stores)]
	a.next++
	return b, s
}

// browserOf returns the browser of state.
func (a *browsers) browserOf(state string) *browser {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.byID[state]
}

func (a *browsers) Save(ctx context.Context, t *idx.SavedTransaction) error {
	state := ""
	if t != nil {
		state = t.State
	}
	b, s := a.route(state)
	return b.do(ctx, s, func(ctx context.Context) error { return s.Save(ctx, t) })
}

func (a *browsers) Load(ctx context.Context, state string) (*idx.SavedTransaction, error) {
	b, s := a.route(state)
	var t *idx.SavedTransaction
	err := b.do(ctx, s, func(ctx context.Context) error {
		var err error
		t, err = s.Load(ctx, state)
		return err
	})
	return t, err
}

func (a *browsers) Delete(ctx context.Context, state string) error {
	b, s := a.route(state)
	return b.do(ctx, s, func(ctx context.Context) error { return s.Delete(ctx, state) })
}
