package cookiestore_test

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/cookiestore"
	"github.com/goidx/goidx/internal/testclock"
)

const secureName = "__Host-goidx-tx"

// transaction returns a transaction with random secrets, expiring an hour
// after now.
func transaction(now time.Time) *idx.SavedTransaction {
	return &idx.SavedTransaction{
		State:             rand.Text() + rand.Text(),
		InteractionHandle: rand.Text() + rand.Text(),
		CodeVerifier:      rand.Text() + rand.Text(),
		OAuthState:        rand.Text() + rand.Text(),
		Nonce:             rand.Text() + rand.Text(),
		Scopes:            []string{"openid", "profile", "email"},
		Response:          []byte(`{"version":"1.0.0","stateHandle":"02` + rand.Text() + `"}`),
		ExpiresAt:         now.Add(time.Hour),
		UpdatedAt:         now,
	}
}

// save saves t in a request of br to s and returns the error.
func save(t *testing.T, br *browser, s *cookiestore.Store, st *idx.SavedTransaction) error {
	t.Helper()
	return br.do(t.Context(), s, func(ctx context.Context) error { return s.Save(ctx, st) })
}

func load(t *testing.T, br *browser, s *cookiestore.Store, state string) (*idx.SavedTransaction, error) {
	t.Helper()
	var got *idx.SavedTransaction
	err := br.do(t.Context(), s, func(ctx context.Context) error {
		var err error
		got, err = s.Load(ctx, state)
		return err
	})
	return got, err
}

func TestCookieAttributes(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	keys := cookiestore.Keys{Current: newKey("k1")}
	tests := []struct {
		name     string
		insecure bool
		url      string
		want     string // the Set-Cookie without its value
	}{
		{"https", false, "https://app.example/login",
			secureName + "=; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Lax"},
		{"http://localhost without the option", false, "http://localhost:8080/login",
			secureName + "=; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Lax"},
		{"http://localhost with the option", true, "http://localhost:8080/login",
			"goidx-tx=; Path=/; Max-Age=600; HttpOnly; SameSite=Lax"},
		{"http://127.0.0.1 with the option", true, "http://127.0.0.1:8080/login",
			"goidx-tx=; Path=/; Max-Age=600; HttpOnly; SameSite=Lax"},
		{"http://[::1] with the option", true, "http://[::1]:8080/login",
			"goidx-tx=; Path=/; Max-Age=600; HttpOnly; SameSite=Lax"},
		{"https://localhost with the option", true, "https://localhost:8443/login",
			secureName + "=; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Lax"},
		{"another http host with the option", true, "http://app.example/login",
			secureName + "=; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Lax"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := []cookiestore.Option{cookiestore.WithClock(clk.Now)}
			if tc.insecure {
				opts = append(opts, cookiestore.WithInsecureLocalhost())
			}
			s := mustNew(t, keys, opts...)
			br := newBrowser(tc.url)
			st := transaction(clk.Now())
			st.ExpiresAt = clk.Now().Add(10*time.Minute - 300*time.Millisecond) // Max-Age rounds up
			if err := save(t, br, s, st); err != nil {
				t.Fatal(err)
			}
			if len(br.setCookies) != 1 {
				t.Fatalf("Set-Cookie headers: %d; want 1", len(br.setCookies))
			}
			name, rest, _ := strings.Cut(br.setCookies[0], "=")
			value, attrs, _ := strings.Cut(rest, ";")
			if got := name + "=;" + attrs; got != tc.want {
				t.Errorf("Set-Cookie = %s<value>;%s\nwant        %s", name+"=", attrs, tc.want)
			}
			if value == "" {
				t.Error("empty cookie value")
			}
			// The browser sends it back: the same request kind loads it.
			if got, err := load(t, br, s, st.State); err != nil || got.Nonce != st.Nonce {
				t.Errorf("Load = %v, %v", got, err)
			}
		})
	}
}

func TestCookieHoldsNoSecretInTheClear(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Keys{Current: newKey("k1")})
	br := newBrowser("https://app.example/")
	st := transaction(time.Now())
	if err := save(t, br, s, st); err != nil {
		t.Fatal(err)
	}
	value, _ := br.cookie(secureName)
	var decoded []byte
	for _, part := range strings.Split(value, ".") {
		b, _ := base64.RawURLEncoding.DecodeString(part)
		decoded = append(decoded, b...)
	}
	for _, secret := range []string{st.State, st.InteractionHandle, st.CodeVerifier, st.OAuthState, st.Nonce, string(st.Response)} {
		if strings.Contains(value, secret) || bytes.Contains(decoded, []byte(secret)) {
			t.Errorf("the cookie shows a secret of the transaction")
		}
	}
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	k1, k2, k3 := newKey("2025-01"), newKey("2025-02"), newKey("2025-03")
	old := mustNew(t, cookiestore.Keys{Current: k1})
	rotated := mustNew(t, cookiestore.Keys{Current: k2, Previous: []cookiestore.Key{k1}})
	retired := mustNew(t, cookiestore.Keys{Current: k3, Previous: []cookiestore.Key{k2}})
	br := newBrowser("https://app.example/")
	st := transaction(time.Now())
	if err := save(t, br, old, st); err != nil {
		t.Fatal(err)
	}
	// An instance with the new key reads the old cookie ...
	got, err := load(t, br, rotated, st.State)
	if err != nil {
		t.Fatalf("Load with the old key among the previous ones: %v", err)
	}
	// ... and seals the next save with the new key.
	if err := save(t, br, rotated, got); err != nil {
		t.Fatal(err)
	}
	if kid := headerOf(t, br)["kid"]; kid != "2025-02" {
		t.Errorf("kid after a save = %v; want the current key's ID", kid)
	}
	if _, err := load(t, br, old, st.State); !errors.Is(err, cookiestore.ErrUnknownKey) {
		t.Errorf("an instance without the new key: Load = %v; want ErrUnknownKey", err)
	}
	if _, err := load(t, br, retired, st.State); err != nil {
		t.Errorf("Load with the sealing key previous: %v", err)
	}
	// Once k2 is retired as well, its cookies are foreign.
	gone := mustNew(t, cookiestore.Keys{Current: k3})
	if _, err := load(t, br, gone, st.State); !errors.Is(err, cookiestore.ErrUnknownKey) {
		t.Errorf("Load = %v; want ErrUnknownKey", err)
	}
}

func headerOf(t *testing.T, br *browser) map[string]any {
	t.Helper()
	value, ok := br.cookie(secureName)
	if !ok {
		t.Fatal("no cookie")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(value, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestTamperedCookies(t *testing.T) {
	t.Parallel()
	key := newKey("k1")
	s := mustNew(t, cookiestore.Keys{Current: key})
	sameIDOtherSecret := mustNew(t, cookiestore.Keys{Current: newKey("k1")})
	foreign := mustNew(t, cookiestore.Keys{Current: newKey("other")})
	st := transaction(time.Now())
	good := sealed(t, s, st)
	parts := strings.Split(good, ".")

	// flip changes one character of part i of the good cookie.
	flip := func(i int) string {
		p := append([]string(nil), parts...)
		c := []byte(p[i])
		if c[len(c)/2] == 'A' {
			c[len(c)/2] = 'B'
		} else {
			c[len(c)/2] = 'A'
		}
		p[i] = string(c)
		return strings.Join(p, ".")
	}
	withHeader := func(h string) string {
		p := append([]string(nil), parts...)
		p[0] = base64.RawURLEncoding.EncodeToString([]byte(h))
		return strings.Join(p, ".")
	}
	sealWith := func(opts *jose.EncrypterOptions, plaintext []byte) string {
		v, err := cookiestore.SealPlaintext(s, "k1", plaintext, opts)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var bomb bytes.Buffer
	bomb.WriteByte(1) // the package's format byte
	zw, _ := flate.NewWriter(&bomb, flate.BestCompression)
	zw.Write(make([]byte, 4<<20)) // 4 MiB of zeros, 4 KB compressed
	zw.Close()
	bombCookie := sealWith((&jose.EncrypterOptions{}).WithType("goidx-tx"), bomb.Bytes())
	if len(bombCookie) > 2*cookiestore.MaxCookieSize {
		t.Fatalf("the bomb takes %d bytes sealed: Load would refuse it before inflating", len(bombCookie))
	}

	tests := []struct {
		name  string
		value string
		want  error
	}{
		{"not a JWE", "hello", cookiestore.ErrTampered},
		{"four parts", strings.Join(parts[:4], "."), cookiestore.ErrTampered},
		{"six parts", good + ".x", cookiestore.ErrTampered},
		{"an encrypted key", strings.Join([]string{parts[0], "AAAA", parts[2], parts[3], parts[4]}, "."), cookiestore.ErrTampered},
		{"ciphertext changed", flip(3), cookiestore.ErrTampered},
		{"tag changed", flip(4), cookiestore.ErrTampered},
		{"iv changed", flip(2), cookiestore.ErrTampered},
		{"header not base64", "!!!." + strings.Join(parts[1:], "."), cookiestore.ErrTampered},
		{"header re-encoded with spaces", withHeader(`{"alg": "dir","enc":"A256GCM","kid":"k1","typ":"goidx-tx"}`), cookiestore.ErrTampered},
		{"alg none", withHeader(`{"alg":"none","enc":"A256GCM","kid":"k1","typ":"goidx-tx"}`), cookiestore.ErrTampered},
		{"alg A256KW", withHeader(`{"alg":"A256KW","enc":"A256GCM","kid":"k1","typ":"goidx-tx"}`), cookiestore.ErrTampered},
		{"enc A128GCM", withHeader(`{"alg":"dir","enc":"A128GCM","kid":"k1","typ":"goidx-tx"}`), cookiestore.ErrTampered},
		{"zip header", withHeader(`{"alg":"dir","enc":"A256GCM","kid":"k1","typ":"goidx-tx","zip":"DEF"}`), cookiestore.ErrTampered},
		{"no kid", withHeader(`{"alg":"dir","enc":"A256GCM","typ":"goidx-tx","x":"k1"}`), cookiestore.ErrTampered},
		{"another typ", withHeader(`{"alg":"dir","enc":"A256GCM","kid":"k1","typ":"JWT"}`), cookiestore.ErrTampered},
		{"sealed with another secret under the same kid", sealed(t, sameIDOtherSecret, st), cookiestore.ErrTampered},
		{"sealed by another app's key", sealed(t, foreign, st), cookiestore.ErrUnknownKey},
		{"kid changed to an unknown one", withHeader(`{"alg":"dir","enc":"A256GCM","kid":"k9","typ":"goidx-tx"}`), cookiestore.ErrUnknownKey},
		{"valid JWE with a zip header", sealWith((&jose.EncrypterOptions{Compression: jose.DEFLATE}).WithType("goidx-tx"), []byte("x")), cookiestore.ErrTampered},
		{"valid JWE, plaintext in no known format", sealWith((&jose.EncrypterOptions{}).WithType("goidx-tx"), []byte(`{"s":"x"}`)), cookiestore.ErrTampered},
		{"valid JWE, decompression bomb", bombCookie, cookiestore.ErrTampered},
		{"too long", good + strings.Repeat("A", 2*cookiestore.MaxCookieSize), cookiestore.ErrTampered},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			br := newBrowser("https://app.example/")
			br.setCookie(secureName, tc.value)
			got, err := load(t, br, s, st.State)
			if !errors.Is(err, tc.want) {
				t.Errorf("Load = %v, %v; want %v", got, err, tc.want)
			}
			if !errors.Is(err, idx.ErrTransactionNotFound) {
				t.Errorf("Load = %v; want it to match idx.ErrTransactionNotFound too", err)
			}
			if err != nil && strings.Contains(err.Error(), tc.value) {
				t.Errorf("error quotes the cookie")
			}
			// A new transaction may replace a bad cookie.
			fresh := transaction(time.Now())
			if err := save(t, br, s, fresh); err != nil {
				t.Errorf("Save over a bad cookie: %v", err)
			}
		})
	}
	br := newBrowser("https://app.example/")
	br.setCookie(secureName, good)
	if _, err := load(t, br, s, st.State); err != nil {
		t.Fatalf("the untouched cookie: %v", err)
	}
}

// sealed returns the cookie value s sets for st.
func sealed(t *testing.T, s *cookiestore.Store, st *idx.SavedTransaction) string {
	t.Helper()
	br := newBrowser("https://app.example/")
	c := *st
	c.Version = 0
	if err := save(t, br, s, &c); err != nil {
		t.Fatal(err)
	}
	v, _ := br.cookie(secureName)
	return v
}

func TestStateMismatch(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Keys{Current: newKey("k1")})
	br := newBrowser("https://app.example/")
	first, second := transaction(time.Now()), transaction(time.Now())
	if err := save(t, br, s, first); err != nil {
		t.Fatal(err)
	}
	_, err := load(t, br, s, second.State)
	if !errors.Is(err, cookiestore.ErrStateMismatch) || !errors.Is(err, idx.ErrTransactionNotFound) {
		t.Errorf("Load of another State = %v; want ErrStateMismatch and idx.ErrTransactionNotFound", err)
	}
	// Deleting another State leaves the cookie alone.
	if err := br.do(t.Context(), s, func(ctx context.Context) error { return s.Delete(ctx, second.State) }); err != nil {
		t.Fatal(err)
	}
	if len(br.setCookies) != 0 {
		t.Errorf("Delete of another State set %q", br.setCookies)
	}
	// A new sign-in in the same browser replaces the first.
	if err := save(t, br, s, second); err != nil {
		t.Fatalf("Save of a new transaction: %v", err)
	}
	if _, err := load(t, br, s, first.State); !errors.Is(err, cookiestore.ErrStateMismatch) {
		t.Errorf("the replaced transaction: %v; want ErrStateMismatch", err)
	}
	if _, err := load(t, br, s, second.State); err != nil {
		t.Error(err)
	}
	// Delete of its State clears the cookie.
	if err := br.do(t.Context(), s, func(ctx context.Context) error { return s.Delete(ctx, second.State) }); err != nil {
		t.Fatal(err)
	}
	if len(br.setCookies) != 1 || !strings.Contains(br.setCookies[0], "Max-Age=0") {
		t.Errorf("Delete set %q; want the cookie cleared", br.setCookies)
	}
	if _, err := load(t, br, s, second.State); !errors.Is(err, idx.ErrTransactionNotFound) {
		t.Errorf("after Delete: %v", err)
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	s := mustNew(t, cookiestore.Keys{Current: newKey("k1")}, cookiestore.WithClock(clk.Now), cookiestore.WithTTL(20*time.Minute))
	br := newBrowser("https://app.example/")
	st := transaction(clk.Now())
	st.ExpiresAt = clk.Now().Add(5 * time.Minute)
	if err := save(t, br, s, st); err != nil {
		t.Fatal(err)
	}
	clk.Advance(5 * time.Minute)
	// A browser drops the cookie at Max-Age; one that sends it anyway
	// (a clock ahead, a replay) gets ErrTransactionExpired.
	if _, err := load(t, br, s, st.State); !errors.Is(err, idx.ErrTransactionExpired) {
		t.Errorf("Load after ExpiresAt = %v; want idx.ErrTransactionExpired", err)
	}
	// An expired cookie is no stored transaction: Version 0 creates.
	again := transaction(clk.Now())
	again.State = st.State
	if err := save(t, br, s, again); err != nil {
		t.Errorf("Save over an expired cookie: %v", err)
	}

	// Without ExpiresAt, the TTL applies, and is sealed.
	noExp := transaction(clk.Now())
	noExp.ExpiresAt = time.Time{}
	if err := save(t, br, s, noExp); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(br.setCookies[0], "Max-Age=1200;") {
		t.Errorf("Set-Cookie %q; want Max-Age=1200", attributes(br.setCookies[0]))
	}
	got, err := load(t, br, s, noExp.State)
	if err != nil || !got.ExpiresAt.Equal(clk.Now().Add(20*time.Minute)) {
		t.Errorf("Load = %v (ExpiresAt %v), %v", got, got.ExpiresAt, err)
	}

	// Saving a transaction already expired clears the cookie.
	past := transaction(clk.Now())
	past.State, past.Version, past.ExpiresAt = noExp.State, 1, clk.Now().Add(-time.Second)
	if err := save(t, br, s, past); err != nil {
		t.Fatal(err)
	}
	if _, ok := br.cookie(secureName); ok {
		t.Errorf("cookie kept for an expired transaction: %q", attributes(br.setCookies[0]))
	}
}

// attributes returns a Set-Cookie without its value.
func attributes(setCookie string) string {
	name, rest, _ := strings.Cut(setCookie, "=")
	_, attrs, _ := strings.Cut(rest, ";")
	return name + "=<value>;" + attrs
}

func TestNotBound(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Keys{Current: newKey("k1")})
	other := mustNew(t, cookiestore.Keys{Current: newKey("k1")})
	ctx := t.Context()
	// A context bound to another Store is not bound to this one.
	boundToOther := other.Bind(ctx, httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "https://app.example/", nil))
	for name, ctx := range map[string]context.Context{"plain": ctx, "bound to another store": boundToOther} {
		t.Run(name, func(t *testing.T) {
			if err := s.Save(ctx, transaction(time.Now())); !errors.Is(err, cookiestore.ErrNotBound) {
				t.Errorf("Save = %v; want ErrNotBound", err)
			}
			if _, err := s.Load(ctx, "x"); !errors.Is(err, cookiestore.ErrNotBound) {
				t.Errorf("Load = %v; want ErrNotBound", err)
			}
			if err := s.Delete(ctx, "x"); !errors.Is(err, cookiestore.ErrNotBound) {
				t.Errorf("Delete = %v; want ErrNotBound", err)
			}
		})
	}
}

func TestSavesInOneRequest(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Keys{Current: newKey("k1")})
	req := httptest.NewRequest(http.MethodPost, "https://app.example/login", nil)
	rec := httptest.NewRecorder()
	http.SetCookie(rec, &http.Cookie{Name: "session", Value: "app's own"})
	ctx := s.Bind(t.Context(), rec, req)
	st := transaction(time.Now())
	for i := range 3 {
		if err := s.Save(ctx, st); err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
	}
	// The version in force is the one this request set last.
	stale := *st
	stale.Version = 1
	if err := s.Save(ctx, &stale); !errors.Is(err, idx.ErrTransactionConflict) {
		t.Errorf("stale save in the same request = %v; want idx.ErrTransactionConflict", err)
	}
	got, err := s.Load(ctx, st.State)
	if err != nil || got.Version != 3 {
		t.Fatalf("Load in the same request: version %v, %v; want 3", got, err)
	}
	setCookies := rec.Result().Header.Values("Set-Cookie")
	var ours int
	for _, c := range setCookies {
		if strings.HasPrefix(c, secureName+"=") {
			ours++
		}
	}
	if ours != 1 || len(setCookies) != 2 {
		t.Errorf("Set-Cookie headers: %d of ours, %d in all; want 1 and 2 (the app's own kept)", ours, len(setCookies))
	}
}

func TestHandler(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Keys{Current: newKey("k1")})
	st := transaction(time.Now())
	h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if err := s.Save(r.Context(), st); err != nil {
				t.Errorf("Save: %v", err)
			}
			return
		}
		got, err := s.Load(r.Context(), st.State)
		if err != nil {
			t.Errorf("Load: %v", err)
			return
		}
		fmt.Fprint(w, got.Nonce)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "https://app.example/", nil))
	req := httptest.NewRequest(http.MethodGet, "https://app.example/", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Body.String() != st.Nonce {
		t.Error("the handler did not load what it saved")
	}
}

func TestLargeResponse(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Keys{Current: newKey("k1")})
	random := make([]byte, 64<<10)
	rand.Read(random)
	compressible := bytes.Repeat([]byte(`{"name":"id","required":true,"value":"aut5v31Tb789KuCGY0g4","mutable":false},`), 800)
	tests := []struct {
		name     string
		response []byte
		kept     bool
	}{
		{"64 KiB incompressible: dropped", random, false},
		{"3 KiB incompressible: dropped", random[:3<<10], false},
		{"2 KiB incompressible: kept", random[:2<<10], true},
		{"60 KiB compressible: kept", compressible, true},
		{"300 KiB (above the inflate cap): dropped", bytes.Repeat(compressible, 5), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			br := newBrowser("https://app.example/")
			st := transaction(time.Now())
			st.Response = tc.response
			want := *st
			if err := save(t, br, s, st); err != nil {
				t.Fatalf("Save: %v", err)
			}
			if n := len(br.setCookies[0]); n > cookiestore.MaxCookieSize {
				t.Errorf("Set-Cookie of %d bytes", n)
			}
			got, err := load(t, br, s, st.State)
			if err != nil {
				t.Fatal(err)
			}
			if kept := bytes.Equal(got.Response, tc.response); kept != tc.kept {
				t.Errorf("Response kept = %v (%d of %d bytes back); want %v", kept, len(got.Response), len(tc.response), tc.kept)
			}
			if !tc.kept && len(got.Response) != 0 {
				t.Errorf("a dropped Response came back as %d bytes", len(got.Response))
			}
			want.Response, got.Response, want.Version = nil, nil, 1
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("the rest of the transaction (-saved +loaded):\n%s", diff)
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Keys{Current: newKey("k1")})
	br := newBrowser("https://app.example/")
	st := transaction(time.Now())
	for range 200 {
		st.Scopes = append(st.Scopes, rand.Text())
	}
	if err := save(t, br, s, st); !errors.Is(err, cookiestore.ErrTooLarge) {
		t.Errorf("Save = %v; want ErrTooLarge", err)
	}
	if len(br.setCookies) != 0 || st.Version != 0 {
		t.Errorf("a refused save set %d cookies, version %d", len(br.setCookies), st.Version)
	}
	small := mustNew(t, cookiestore.Keys{Current: newKey("k1")}, cookiestore.WithMaxCookieSize(1))
	if err := save(t, br, small, transaction(time.Now())); !errors.Is(err, cookiestore.ErrTooLarge) {
		t.Errorf("Save with a 512-byte budget = %v; want ErrTooLarge", err)
	}
}

func TestNewRefusesBadKeys(t *testing.T) {
	t.Parallel()
	good := newKey("k1")
	tests := []struct {
		name string
		keys cookiestore.Keys
		opts []cookiestore.Option
	}{
		{"no current key", cookiestore.Keys{}, nil},
		{"zero secret", cookiestore.Keys{Current: cookiestore.Key{ID: "k1"}}, nil},
		{"empty ID", cookiestore.Keys{Current: cookiestore.Key{Secret: good.Secret}}, nil},
		{"ID with a quote", cookiestore.Keys{Current: cookiestore.Key{ID: `k"1`, Secret: good.Secret}}, nil},
		{"ID too long", cookiestore.Keys{Current: cookiestore.Key{ID: strings.Repeat("k", 33), Secret: good.Secret}}, nil},
		{"duplicate ID", cookiestore.Keys{Current: good, Previous: []cookiestore.Key{newKey("k1")}}, nil},
		{"zero previous secret", cookiestore.Keys{Current: good, Previous: []cookiestore.Key{{ID: "k0"}}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cookiestore.New(tc.keys, tc.opts...)
			if !errors.Is(err, cookiestore.ErrInvalidKeys) {
				t.Errorf("New = %v; want ErrInvalidKeys", err)
			}
		})
	}
	for _, name := range []string{"", "a b", "__Host-x", "x;y"} {
		if _, err := cookiestore.New(cookiestore.Keys{Current: good}, cookiestore.WithCookieName(name)); err == nil {
			t.Errorf("New accepted the cookie name %q", name)
		}
	}
}

func TestKeyPrintsNoSecret(t *testing.T) {
	t.Parallel()
	k := cookiestore.Key{ID: "k1"}
	copy(k.Secret[:], "0123456789abcdef0123456789abcdef")
	keys := cookiestore.Keys{Current: k, Previous: []cookiestore.Key{k}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		for _, v := range []any{k, &k, keys} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, "0123456789") || strings.Contains(out, "3031323334") || strings.Contains(out, "48 49 50") {
				t.Errorf("%s of %T prints the secret: %s", verb, v, out)
			}
		}
		// The store holds keys derived from the secrets: it prints its
		// key ID only.
		s := mustNew(t, cookiestore.Keys{Current: k})
		if out := fmt.Sprintf(verb, s); out != `cookiestore.Store{KeyID: "k1"}` {
			t.Errorf("%s of *Store = %s", verb, out)
		}
	}
}
