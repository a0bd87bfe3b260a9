package main

// Attacks on the app's sessions and sign-ins: tampered cookies, floods,
// guessing codes, replayed cookies after sign-out.

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goidx/goidx/idx/cookiestore"
	"github.com/goidx/goidx/idx/idxtest"
)

// cookieStore is the storeConfig of -store=cookie with a fresh key.
func cookieStore(t *testing.T) storeConfig {
	t.Helper()
	k := cookiestore.Key{ID: "test-" + strings.ToLower(rand.Text()[:6])}
	_, _ = rand.Read(k.Secret[:])
	return storeConfig{kind: storeCookie, cookieKeys: cookiestore.Keys{Current: k}}
}

// jarCookie returns the named cookie of the browser's jar for the app.
func (b *browser) jarCookie(name string) (string, bool) {
	u, _ := url.Parse(b.h.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value, true
		}
	}
	return "", false
}

// setJarCookie puts a cookie in the browser's jar as the app would set it.
func (b *browser) setJarCookie(name, value string) {
	u, _ := url.Parse(b.h.srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/", Secure: b.h.app.cookies.secure, HttpOnly: true}})
}

// TestTamperedTransactionCookie: with -store=cookie, a transaction cookie
// changed in the browser mid sign-in (one character flipped, a kid no key
// has) is answered as an expired sign-in: a page to start again, no error
// logged.
func TestTamperedTransactionCookie(t *testing.T) {
	t.Parallel()
	const name = "__Host-goidx-tx"
	tests := []struct {
		name   string
		tamper func(v string) string
	}{
		{"one character flipped", func(v string) string {
			parts := strings.Split(v, ".")
			c := []byte(parts[3])
			if c[len(c)/2] == 'A' {
				c[len(c)/2] = 'B'
			} else {
				c[len(c)/2] = 'A'
			}
			parts[3] = string(c)
			return strings.Join(parts, ".")
		}},
		{"unknown kid", func(v string) string {
			parts := strings.Split(v, ".")
			raw, err := base64.RawURLEncoding.DecodeString(parts[0])
			if err != nil {
				t.Fatal(err)
			}
			var h map[string]any
			if err := json.Unmarshal(raw, &h); err != nil {
				t.Fatal(err)
			}
			h["kid"] = "retired-key"
			raw, _ = json.Marshal(h)
			parts[0] = base64.RawURLEncoding.EncodeToString(raw)
			return strings.Join(parts, ".")
		}},
		{"junk", func(string) string { return "not-a-jwe" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, withSecureCookies(), withStore(cookieStore(t)))
			b := h.browser()
			b.signInToCode()
			v, ok := b.jarCookie(name)
			if !ok {
				t.Fatalf("no %s cookie mid sign-in", name)
			}
			b.setJarCookie(name, tt.tamper(v))
			p := b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {h.lastCode()}})
			if p.status != http.StatusSeeOther || p.location() != "/login" {
				t.Fatalf("POST the code: %d to %q, want 303 to /login; body:\n%s", p.status, p.location(), p.body)
			}
			p = b.follow(p)
			for _, want := range []string{"Your sign-in expired. Please start again.", `action="/login"`} {
				if !strings.Contains(p.body, want) {
					t.Errorf("page lacks %s\n%s", want, p.body)
				}
			}
			if logs := h.logs.String(); strings.Contains(logs, "level=ERROR") {
				t.Errorf("logged an error:\n%s", logs)
			}
			// The user starts again and signs in.
			if p := b.signIn(); !strings.Contains(p.body, "Your profile") {
				t.Errorf("sign-in after the tampered cookie failed:\n%s", p.body)
			}
		})
	}
}

// TestAnonymousFlood: cookie-less visitors that only look at the sign-in
// page keep nothing on the server, so a flood of them (here 20 times the
// session store's capacity) locks no one out: people who arrive while it
// runs sign in.
func TestAnonymousFlood(t *testing.T) {
	t.Parallel()
	const (
		capacity = 50
		floodMin = 20 * capacity // requests the flood sends at least
		workers  = 8
		visitors = 5
	)
	h := newHarness(t, withAppConfig(func(c *appConfig) { c.maxSessions = capacity }))
	flood := &http.Client{Transport: h.srv.Client().Transport, // no cookie jar
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var sent, ok atomic.Int64
	statuses := sync.Map{}
	started := make(chan struct{}) // closed once the flood has filled what it could
	done := make(chan struct{})    // closed once the visitors are through
	var wg sync.WaitGroup
	var once sync.Once
	for range workers {
		wg.Go(func() {
			for {
				n := sent.Add(1)
				if n > floodMin {
					once.Do(func() { close(started) })
					select {
					case <-done:
						return
					default:
					}
				}
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.srv.URL+"/login", nil)
				resp, err := flood.Do(req)
				if err != nil {
					t.Errorf("flood request: %v", err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					ok.Add(1)
				}
				v, _ := statuses.LoadOrStore(resp.StatusCode, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
			}
		})
	}
	<-started
	signedIn := 0
	for i := range visitors {
		b := h.browser()
		if p := b.get("/login"); p.status != http.StatusOK {
			t.Errorf("visitor %d: GET /login during the flood: status %d", i, p.status)
			continue
		}
		if p := b.signIn(); strings.Contains(p.body, `id="profile"`) {
			signedIn++
		}
	}
	close(done)
	wg.Wait()
	counts := map[int]int64{}
	statuses.Range(func(k, v any) bool { counts[k.(int)] = v.(*atomic.Int64).Load(); return true })
	t.Logf("flood: %d requests, statuses %v; %d of %d visitors signed in; %d sessions held",
		sent.Load()-workers, counts, signedIn, visitors, h.app.memSessions.len())
	if signedIn != visitors {
		t.Errorf("%d of %d visitors signed in during the flood", signedIn, visitors)
	}
	if n := ok.Load(); n < floodMin {
		t.Errorf("%d flood requests served the sign-in page, want at least %d (statuses %v)", n, floodMin, counts)
	}
	if n := h.app.memSessions.len(); n > visitors {
		t.Errorf("%d sessions held after the flood, want at most %d (the visitors')", n, visitors)
	}
}

// TestSignInStartLimit: one client that starts sign-in after sign-in (each
// a new session and a new transaction at the org) is slowed down after a
// burst; the sessions it holds stay few, and other clients sign in.
func TestSignInStartLimit(t *testing.T) {
	t.Parallel()
	const attempts = 40
	h := newHarness(t)
	outcomes := map[int]int{}
	for range attempts {
		b := h.browserFrom("127.0.0.1") // cookie-less each time
		b.get("/login")
		p := b.post("/login", url.Values{"value.username": {idxtest.DemoUsername}, "value.password": {"wrong-password"}})
		outcomes[p.status]++
		if p.status == http.StatusTooManyRequests && !strings.Contains(p.body, "Too many sign-in attempts") {
			t.Errorf("429 page does not say why:\n%s", p.body)
		}
	}
	t.Logf("outcomes of %d sign-in starts from one client: %v", attempts, outcomes)
	if outcomes[http.StatusSeeOther] == 0 || outcomes[http.StatusSeeOther] > signInBurst {
		t.Errorf("%d sign-ins started, want 1 to %d (the burst)", outcomes[http.StatusSeeOther], signInBurst)
	}
	if outcomes[http.StatusTooManyRequests] != attempts-outcomes[http.StatusSeeOther] {
		t.Errorf("outcomes %v, want the rest refused with 429", outcomes)
	}
	if n := h.org.RequestCounts()["POST /oauth2/default/v1/interact"]; n > signInBurst {
		t.Errorf("%d transactions started at the org, want at most %d", n, signInBurst)
	}
	if n := h.app.memSessions.len(); n > signInBurst {
		t.Errorf("%d sessions held, want at most %d", n, signInBurst)
	}
	// Another client is not held back.
	if p := h.browserFrom("127.0.0.2").signIn(); !strings.Contains(p.body, `id="profile"`) {
		t.Errorf("another client could not sign in:\n%s", p.body)
	}
	// The first client may start again once time has passed.
	h.clock.advance(time.Minute)
	b := h.browserFrom("127.0.0.1")
	b.get("/login")
	if p := b.post("/login", url.Values{"value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}}); p.status != http.StatusSeeOther {
		t.Errorf("a minute later: status %d, want 303", p.status)
	}
}

// wrongCode returns a code that is not right.
func wrongCode(right string) string {
	if right == "000000" {
		return "111111"
	}
	return "000000"
}

const reqAnswer = "POST /idp/idx/challenge/answer"

// TestWrongCodesEndTheSignIn: after maxRejectedAnswers wrong codes the app
// ends the sign-in (at the org too); the right code then gets nowhere, and
// the user starts again. The org keeps no limit of its own here, so that
// what ends the sign-in is the app's (TestWrongCodesMeetTheOrgLimit has
// Okta's).
func TestWrongCodesEndTheSignIn(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withOrgPolicy(noOrgCodeLimit()))
	b := h.browser()
	b.signInToCode()
	right := h.lastCode()
	for i := 1; i < maxRejectedAnswers; i++ {
		p := b.follow(b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {wrongCode(right)}}))
		if !strings.Contains(p.body, `data-step="challenge-authenticator"`) {
			t.Fatalf("wrong code %d: want the code page again; got:\n%s", i, p.body)
		}
	}
	p := b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {wrongCode(right)}})
	p = b.follow(p)
	for _, want := range []string{"Too many wrong answers. Please start again.", `action="/login"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("after %d wrong codes the page lacks %s:\n%s", maxRejectedAnswers, want, p.body)
		}
	}
	if n := h.org.RequestCounts()["POST /idp/idx/cancel"]; n != 1 {
		t.Errorf("%d cancel requests at the org, want 1", n)
	}
	before := h.org.RequestCounts()[reqAnswer]
	b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {right}})
	if n := h.org.RequestCounts()[reqAnswer] - before; n != 0 {
		t.Errorf("the right code after the end reached the org (%d answers)", n)
	}
	if got := h.org.RequestCounts()[reqAnswer]; got != maxRejectedAnswers {
		t.Errorf("%d answers reached the org, want %d", got, maxRejectedAnswers)
	}
	if !strings.Contains(h.logs.String(), "sign-in: ended after too many refused answers") {
		t.Errorf("no log of the end:\n%s", h.logs)
	}
	// Starting again works (a new sign-in, a new code).
	if p := b.signIn(); !strings.Contains(p.body, `id="profile"`) {
		t.Errorf("signing in again failed:\n%s", p.body)
	}
}

// TestWrongCodesMeetTheOrgLimit: on an org that, as Okta does, locks the
// authenticator at the fifth wrong code in a row, the app's last allowed
// answer is the one the org refuses with its lock (429): the app ends the
// sign-in there, at the org too, tells the user to wait before starting
// again, and sends no further answer.
func TestWrongCodesMeetTheOrgLimit(t *testing.T) {
	t.Parallel()
	if idxtest.DefaultMaxVerificationAttempts != maxRejectedAnswers {
		t.Fatalf("the org locks at %d wrong codes, the app stops at %d; this test expects both at once",
			idxtest.DefaultMaxVerificationAttempts, maxRejectedAnswers)
	}
	h := newHarness(t)
	b := h.browser()
	b.signInToCode()
	right := h.lastCode()
	for i := 1; i < maxRejectedAnswers; i++ {
		p := b.follow(b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {wrongCode(right)}}))
		if !strings.Contains(p.body, `data-step="challenge-authenticator"`) {
			t.Fatalf("wrong code %d: want the code page again; got:\n%s", i, p.body)
		}
	}
	if got := h.org.RequestCounts()[reqAnswer]; got != maxRejectedAnswers-1 {
		t.Fatalf("%d answers reached the org, want %d", got, maxRejectedAnswers-1)
	}
	p := b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {wrongCode(right)}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("the answer the org locked on: status %d, want a redirect to start again; body:\n%s", p.status, p.body)
	}
	p = b.follow(p)
	for _, want := range []string{"Too many wrong answers. Please wait a few minutes, then start again.", `action="/login"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("after the org's lock the page lacks %s:\n%s", want, p.body)
		}
	}
	if n := h.org.RequestCounts()["POST /idp/idx/cancel"]; n != 1 {
		t.Errorf("%d cancel requests at the org, want 1", n)
	}
	// The locked answer may have reached the org twice: the SDK sends an
	// answer refused with 429 once more after the wait. Nothing after it.
	before := h.org.RequestCounts()[reqAnswer]
	b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {right}})
	if n := h.org.RequestCounts()[reqAnswer] - before; n != 0 {
		t.Errorf("the right code after the end reached the org (%d answers)", n)
	}
	if !strings.Contains(h.logs.String(), "org_locked=true") {
		t.Errorf("no log of the end at the org's lock:\n%s", h.logs)
	}
}

// parallelCodes posts n wrong codes at once with client c and the session's
// CSRF token, the i-th to base(i)+"/login/step", and returns the outcomes
// by status.
func parallelCodes(t *testing.T, n int, c *http.Client, csrf, code string, base func(i int) string) map[int]int {
	t.Helper()
	var mu sync.Mutex
	out := map[int]int{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			form := url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {code}, "csrf": {csrf}}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base(i)+"/login/step", strings.NewReader(form.Encode()))
			if err != nil {
				t.Errorf("POST %d: %v", i, err)
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := c.Do(req)
			if err != nil {
				t.Errorf("POST %d: %v", i, err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			out[resp.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// noOrgCodeLimit is a policy of an org that keeps no limit on wrong codes
// of its own, so that the app's limit is what a test sees, and counts of
// requests at the org are the app's answers alone (the SDK sends an
// answer the org refused with 429 once more, after the wait it asks for).
func noOrgCodeLimit() idxtest.Policy {
	p := idxtest.DefaultPolicy()
	p.MaxVerificationAttempts = -1
	return p
}

// TestParallelWrongCodes: a script that posts many codes at once with one
// session gets no more than maxRejectedAnswers of them to the org.
func TestParallelWrongCodes(t *testing.T) {
	t.Parallel()
	const n = 24
	h := newHarness(t, withOrgPolicy(noOrgCodeLimit()))
	b := h.browser()
	b.signInToCode()
	outcomes := parallelCodes(t, n, b.c, b.csrf, wrongCode(h.lastCode()), func(int) string { return h.srv.URL })
	t.Logf("outcomes of %d codes at once: %v", n, outcomes)
	if got := h.org.RequestCounts()[reqAnswer]; got > maxRejectedAnswers {
		t.Errorf("%d of %d answers sent at once reached the org, want at most %d", got, n, maxRejectedAnswers)
	}
}

// TestParallelWrongCodesRedis: with two instances sharing Redis, codes
// posted at once to both count together.
func TestParallelWrongCodesRedis(t *testing.T) {
	t.Parallel()
	const n = 24
	probe := testRedisClient(t)
	prefix := testRedisPrefix(t, probe)
	cl := newCluster(t, func(int) storeConfig {
		return storeConfig{kind: storeRedis, redis: testRedisClient(t), redisPrefix: prefix}
	}, idxtest.WithPolicy(noOrgCodeLimit()))
	cl.expectStep(cl.do(0, http.MethodGet, "/login", nil), "identify")
	cl.expectRedirect(cl.do(1, http.MethodPost, "/login", url.Values{
		"value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}}), "/login")
	cl.expectRedirect(cl.do(0, http.MethodPost, "/login/step", url.Values{
		"step": {"select-authenticator-authenticate"}, "value.authenticator": {"okta_email"}}), "/login")
	cl.expectStep(cl.do(1, http.MethodGet, "/login", nil), "challenge-authenticator")
	right, _ := cl.org.LastCode(idxtest.DemoUsername)
	outcomes := parallelCodes(t, n, cl.c, cl.csrf, wrongCode(right), func(i int) string { return cl.instances[i%2].URL })
	t.Logf("outcomes of %d codes at once on two instances: %v", n, outcomes)
	if got := cl.org.RequestCounts()[reqAnswer]; got > maxRejectedAnswers {
		t.Errorf("%d of %d answers sent at once reached the org, want at most %d", got, n, maxRejectedAnswers)
	}
	// The right code now gets nowhere either.
	before := cl.org.RequestCounts()[reqAnswer]
	cl.do(0, http.MethodPost, "/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {right}})
	if n := cl.org.RequestCounts()[reqAnswer] - before; n != 0 {
		t.Errorf("the right code after the limit reached the org (%d answers)", n)
	}
}

// TestSignOutEndsTheSession: a copy of the session cookie taken before
// sign-out shows no profile afterwards, whatever the store.
func TestSignOutEndsTheSession(t *testing.T) {
	t.Parallel()
	stores := map[string]func(t *testing.T) storeConfig{
		"memory": func(*testing.T) storeConfig { return storeConfig{kind: storeMemory} },
		"redis": func(t *testing.T) storeConfig {
			rdb := testRedisClient(t)
			return storeConfig{kind: storeRedis, redis: rdb, redisPrefix: testRedisPrefix(t, rdb)}
		},
		"cookie": cookieStore,
	}
	for name, sc := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, withStore(sc(t)))
			b := h.browser()
			if p := b.signIn(); !strings.Contains(p.body, `id="profile"`) {
				t.Fatalf("no profile after sign-in:\n%s", p.body)
			}
			copied := b.sessionID()
			csrf := b.csrf
			if p := b.post("/logout", nil); p.status != http.StatusSeeOther {
				t.Fatalf("POST /logout: %d", p.status)
			}
			thief := h.browser()
			thief.setSessionID(copied)
			if p := thief.get("/"); p.status != http.StatusSeeOther || p.location() != "/login" || strings.Contains(p.body, "Demo User") {
				t.Errorf("GET / with the copied cookie: %d to %q, want 303 to /login; body:\n%s", p.status, p.location(), p.body)
			}
			if p := thief.get("/login"); strings.Contains(p.body, "Demo User") || p.status != http.StatusOK {
				t.Errorf("GET /login with the copied cookie: %d:\n%s", p.status, p.body)
			}
			thief.setSessionID(copied)
			before := h.org.RequestCounts()["POST /oauth2/default/v1/revoke"]
			if p := thief.post("/logout", url.Values{"csrf": {csrf}}); p.status != http.StatusForbidden {
				t.Errorf("POST /logout with the copied cookie: %d, want 403", p.status)
			}
			if n := h.org.RequestCounts()["POST /oauth2/default/v1/revoke"] - before; n != 0 {
				t.Errorf("the copied cookie revoked tokens again (%d calls)", n)
			}
		})
	}
}
