package cookiestore

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/goidx/goidx/idx"
)

// Errors of the store. Errors about a cookie never quote it.
//
// A cookie that holds no valid transaction of the State asked for
// (ErrTampered, ErrUnknownKey, ErrStateMismatch) also matches
// idx.ErrTransactionNotFound, as the idx.TransactionStore contract asks:
// an app handles it as a sign-in that is gone and starts again.
var (
	// ErrTampered: the cookie is not a JWE this package sealed (malformed,
	// another algorithm or header, a tag that does not verify, a payload
	// that does not decode). It also matches idx.ErrTransactionNotFound.
	ErrTampered error = &invalidCookieError{"cookiestore: cookie tampered with or malformed"}
	// ErrUnknownKey: the cookie names a key (kid) that is neither the
	// current key nor a previous one: sealed by another app, or with a key
	// since retired. It also matches idx.ErrTransactionNotFound.
	ErrUnknownKey error = &invalidCookieError{"cookiestore: cookie sealed with an unknown key"}
	// ErrStateMismatch: the cookie holds another transaction than the
	// State asked for (the browser started another sign-in since). Errors
	// with it also match idx.ErrTransactionNotFound.
	ErrStateMismatch = errors.New("cookiestore: cookie holds another transaction")
	// ErrNotBound: the context was not bound to an HTTP request with
	// Store.Bind or Store.Handler.
	ErrNotBound = errors.New("cookiestore: context not bound to an HTTP request (use Store.Bind or Store.Handler)")
	// ErrTooLarge: the transaction does not fit in one cookie even without
	// its Response.
	ErrTooLarge = errors.New("cookiestore: transaction too large for one cookie")
	// ErrInvalidKeys: the Keys given to New are unusable (see [Key]).
	ErrInvalidKeys = errors.New("cookiestore: invalid keys")
)

// invalidCookieError is the type of the errors of a cookie that holds no
// valid transaction: each matches idx.ErrTransactionNotFound.
type invalidCookieError struct{ msg string }

func (e *invalidCookieError) Error() string { return e.msg }

// Is reports whether target is idx.ErrTransactionNotFound.
func (e *invalidCookieError) Is(target error) bool { return target == idx.ErrTransactionNotFound }

// MaxCookieSize is the largest Set-Cookie value (name, value and
// attributes) the store writes: the size every browser keeps (RFC 6265
// section 6.1).
const MaxCookieSize = 4096

// DefaultCookieName is the cookie's name, prefixed with "__Host-" when the
// cookie is Secure.
const DefaultCookieName = "goidx-tx"

// Key is a key that seals cookies.
type Key struct {
	// ID names the key in the cookie's "kid" header: 1 to 32 characters
	// among letters, digits and "-_.:" (not secret; a date suits).
	ID string
	// Secret is 32 bytes from a cryptographic random source, kept out of
	// source code (in a secret manager, the environment).
	Secret [32]byte
}

// Format prints the key's ID, never its secret.
func (k Key) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "cookiestore.Key{ID: %q, Secret: [REDACTED]}", k.ID)
}

// LogValue logs the key's ID only.
func (k Key) LogValue() slog.Value { return slog.GroupValue(slog.String("id", k.ID)) }

// Keys are the keys of a Store: cookies are sealed with Current and opened
// with Current or any of Previous.
type Keys struct {
	Current  Key
	Previous []Key
}

// Option configures a Store.
type Option func(*options)

type options struct {
	name     string
	insecure bool
	now      func() time.Time
	ttl      time.Duration
	maxSize  int
}

// WithCookieName sets the cookie's name (default [DefaultCookieName]); a
// Secure cookie gets the "__Host-" prefix in front of it.
func WithCookieName(name string) Option {
	return func(o *options) { o.name = name }
}

// WithInsecureLocalhost lets the store set a cookie without Secure (and
// without the "__Host-" prefix) on requests without TLS to a loopback
// host (localhost, 127.0.0.0/8, [::1]), for development over
// http://localhost. Every other request still gets a Secure cookie. Do
// not use it behind a proxy that terminates TLS and forwards plain http
// to a loopback address.
func WithInsecureLocalhost() Option {
	return func(o *options) { o.insecure = true }
}

// WithClock makes the store read the time from now (expiry, Max-Age).
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithTTL sets the lifetime of a transaction saved without an ExpiresAt
// (default one hour, as idx.MemoryTransactionStore).
func WithTTL(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.ttl = d
		}
	}
}

// WithMaxCookieSize lowers the size budget of the Set-Cookie value below
// [MaxCookieSize], for apps whose servers or proxies limit the whole Cookie
// header tightly. Values above MaxCookieSize or below 512 are clamped.
func WithMaxCookieSize(n int) Option {
	return func(o *options) { o.maxSize = min(max(n, 512), MaxCookieSize) }
}

// Store is an [idx.TransactionStore] that keeps each transaction in a
// sealed cookie. It is safe for concurrent use; its methods need a context
// made by Bind (or Handler) for the current request.
type Store struct {
	opts    options
	current string            // kid of the sealing key
	keys    map[string][]byte // kid -> derived A256GCM key
	// writers and readers pool DEFLATE state: a writer holds about a
	// megabyte, a reader some 40 KB.
	writers sync.Pool
	readers sync.Pool
}

var _ idx.TransactionStore = (*Store)(nil)

// hkdfInfo separates the cookie keys from any other use of the secrets.
const hkdfInfo = "goidx/cookiestore/v1 JWE dir A256GCM"

// New returns a Store sealing with keys.Current. It fails with an error
// matching [ErrInvalidKeys] for a missing, all-zero or duplicate key, or a
// malformed ID, and for an invalid cookie name.
func New(keys Keys, opts ...Option) (*Store, error) {
	o := options{name: DefaultCookieName, now: time.Now, ttl: time.Hour, maxSize: MaxCookieSize}
	for _, opt := range opts {
		opt(&o)
	}
	if err := (&http.Cookie{Name: o.name, Value: "x"}).Valid(); err != nil || strings.HasPrefix(o.name, "__") {
		return nil, fmt.Errorf("cookiestore: cookie name %q is not a valid cookie name without a __ prefix", o.name)
	}
	s := &Store{opts: o, current: keys.Current.ID, keys: map[string][]byte{}}
	for i, k := range append([]Key{keys.Current}, keys.Previous...) {
		which := "current key"
		if i > 0 {
			which = fmt.Sprintf("previous key %d", i-1)
		}
		if !validKeyID(k.ID) {
			return nil, fmt.Errorf("%w: %s: ID must be 1 to 32 of [A-Za-z0-9-_.:]", ErrInvalidKeys, which)
		}
		if k.Secret == [32]byte{} {
			return nil, fmt.Errorf("%w: %s (%s): secret is all zeros", ErrInvalidKeys, which, k.ID)
		}
		if _, dup := s.keys[k.ID]; dup {
			return nil, fmt.Errorf("%w: %s: ID %q used twice", ErrInvalidKeys, which, k.ID)
		}
		derived, err := hkdf.Key(sha256.New, k.Secret[:], nil, hkdfInfo, 32)
		if err != nil {
			return nil, fmt.Errorf("cookiestore: deriving key: %w", err)
		}
		s.keys[k.ID] = derived
	}
	return s, nil
}

func validKeyID(id string) bool {
	if len(id) == 0 || len(id) > 32 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-_.:", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// binding is one HTTP request's view of the cookie.
type binding struct {
	w      http.ResponseWriter
	name   string
	secure bool

	mu    sync.Mutex
	value string // the cookie as the request brought it or this request last set it; "" for none
}

type bindingKey struct{ s *Store }

// Bind returns a context, derived from ctx, through which the store reads
// the transaction cookie of r and sets it on w. Pass it to the idx.Client
// calls made while handling r, before anything is written to w.
func (s *Store) Bind(ctx context.Context, w http.ResponseWriter, r *http.Request) context.Context {
	secure := !(s.opts.insecure && r.TLS == nil && isLoopbackHost(r.Host))
	name := s.opts.name
	if secure {
		name = "__Host-" + name
	}
	b := &binding{w: w, name: name, secure: secure}
	if c, err := r.Cookie(name); err == nil {
		b.value = c.Value
	}
	return context.WithValue(ctx, bindingKey{s}, b)
}

// Handler returns a handler that binds each request's context with Bind
// and calls next with it.
func (s *Store) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(s.Bind(r.Context(), w, r)))
	})
}

func isLoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Store) binding(ctx context.Context) (*binding, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, ok := ctx.Value(bindingKey{s}).(*binding)
	if !ok {
		return nil, ErrNotBound
	}
	return b, nil
}

// Save seals t into the cookie if the version the cookie holds for t.State
// is t.Version (no cookie, or a cookie of another State, counts as 0);
// then t.Version is the new version. When the cookie with t.Response would
// exceed the size budget, it is sealed without the Response (see the
// package documentation). A transaction already expired clears the cookie.
func (s *Store) Save(ctx context.Context, t *idx.SavedTransaction) error {
	if t == nil || t.State == "" {
		return &idx.InputError{Field: "SavedTransaction.State", Reason: "empty"}
	}
	b, err := s.binding(ctx)
	if err != nil {
		return err
	}
	now := s.opts.now()
	c := *t
	if c.ExpiresAt.IsZero() {
		c.ExpiresAt = now.Add(s.opts.ttl)
	}
	c.Version = t.Version + 1

	b.mu.Lock()
	defer b.mu.Unlock()
	var stored int64
	if cur, err := s.open(b.value); err == nil && cur.State == t.State && now.Before(cur.ExpiresAt) {
		stored = cur.Version
	}
	if stored != t.Version {
		return fmt.Errorf("cookiestore: %w", idx.ErrTransactionConflict)
	}

	left := c.ExpiresAt.Sub(now)
	if left <= 0 {
		b.setCookie(s.cookie(b, "", -1))
		t.Version = c.Version
		return nil
	}
	maxAge := int((left + time.Second - 1) / time.Second)
	value, err := s.seal(&c)
	if err != nil {
		return err
	}
	cookie := s.cookie(b, value, maxAge)
	if len(cookie.String()) > s.opts.maxSize && len(c.Response) > 0 {
		c.Response = nil
		if value, err = s.seal(&c); err != nil {
			return err
		}
		cookie = s.cookie(b, value, maxAge)
	}
	if len(cookie.String()) > s.opts.maxSize {
		return ErrTooLarge
	}
	b.setCookie(cookie)
	b.value = value
	t.Version = c.Version
	return nil
}

// Load opens the cookie of the bound request and returns its transaction
// if it is state's. See the package documentation for the errors.
func (s *Store) Load(ctx context.Context, state string) (*idx.SavedTransaction, error) {
	b, err := s.binding(ctx)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	value := b.value
	b.mu.Unlock()
	if value == "" {
		return nil, fmt.Errorf("cookiestore: no transaction cookie: %w", idx.ErrTransactionNotFound)
	}
	t, err := s.open(value)
	if err != nil {
		return nil, err
	}
	if !sameState(t.State, state) {
		return nil, fmt.Errorf("%w: %w", ErrStateMismatch, idx.ErrTransactionNotFound)
	}
	if !s.opts.now().Before(t.ExpiresAt) {
		return nil, fmt.Errorf("cookiestore: %w", idx.ErrTransactionExpired)
	}
	return t, nil
}

// Delete clears the cookie if it holds state's transaction (expired or
// not). A cookie of another State, or none, is left as it is.
func (s *Store) Delete(ctx context.Context, state string) error {
	b, err := s.binding(ctx)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.value == "" {
		return nil
	}
	if t, err := s.open(b.value); err != nil || !sameState(t.State, state) {
		return nil
	}
	b.setCookie(s.cookie(b, "", -1))
	b.value = ""
	return nil
}

// cookie returns the transaction cookie with value; maxAge < 0 deletes it.
func (s *Store) cookie(b *binding, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     b.name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		Secure:   b.secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// setCookie sets c on the response, replacing an earlier Set-Cookie of the
// same cookie by this request.
func (b *binding) setCookie(c *http.Cookie) {
	h := b.w.Header()
	prefix := b.name + "="
	var kept []string
	for _, v := range h.Values("Set-Cookie") {
		if !strings.HasPrefix(v, prefix) {
			kept = append(kept, v)
		}
	}
	h["Set-Cookie"] = append(kept, c.String())
}

// String names the sealing key's ID; the keys are never printed.
func (s *Store) String() string {
	if s == nil {
		return "<nil>"
	}
	return fmt.Sprintf("cookiestore.Store{KeyID: %q}", s.current)
}

// Format prints [Store.String] for every verb, so that %v, %+v and %#v
// cannot show the keys.
func (s *Store) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// LogValue logs the sealing key's ID only.
func (s *Store) LogValue() slog.Value { return slog.StringValue(s.String()) }
