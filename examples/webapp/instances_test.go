package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/cookiestore"
	"github.com/goidx/goidx/idx/idxtest"
)

// The tests of this file run the app as several replicas behind a load
// balancer would: two instances, each with its own App, idx.Client and
// stores, sharing only the fake org and the chosen store (a Redis, or the
// cookie key). A browser (a cookie jar; cookies ignore ports, so both
// instances on 127.0.0.1 see the same cookies) sends the sign-in's
// requests to A, B, A, B, ...

// testRedisClient returns a client of the Redis at REDIS_URL (default
// database 15 on loopback), closed when t ends. Without a reachable Redis
// it skips t, loudly, or fails t when the environment variable CI is set.
func testRedisClient(t *testing.T) *redis.Client {
	t.Helper()
	raw := os.Getenv("REDIS_URL")
	if raw == "" {
		raw = "redis://127.0.0.1:6379/15"
	}
	shown := "REDIS_URL (unparsable)"
	if u, err := url.Parse(raw); err == nil {
		shown = u.Redacted()
	}
	opt, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("REDIS_URL %s: %v", shown, err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		msg := "NO REDIS AT " + shown + " (" + err.Error() + "): the web example's -store=redis test did NOT run. " +
			"Start one: apt-get install -y redis-server && " +
			"redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes " +
			"(or set REDIS_URL; .ci/run does this)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// redisKeys returns the keys under prefix.
func redisKeys(t *testing.T, rdb redis.UniversalClient, prefix string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var keys []string
	iter := rdb.Scan(ctx, 0, prefix+"*", 200).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("scanning %s*: %v", prefix, err)
	}
	return keys
}

// testRedisPrefix returns a key prefix of the test's own; the keys under
// it are deleted, through rdb, when the test ends.
func testRedisPrefix(t *testing.T, rdb redis.UniversalClient) string {
	t.Helper()
	prefix := "goidx-webapp-test:" + rand.Text() + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, k := range redisKeys(t, rdb, prefix) {
			rdb.Del(ctx, k)
		}
	})
	return prefix
}

// cluster is two instances of the app on one fake org.
type cluster struct {
	t         *testing.T
	org       *idxtest.Server
	instances [2]*httptest.Server
	logs      [2]*syncBuffer
	c         *http.Client
	csrf      string
}

func newCluster(t *testing.T, sc func(i int) storeConfig, orgOpts ...idxtest.Option) *cluster {
	t.Helper()
	cl := &cluster{t: t, org: idxtest.New(t, append([]idxtest.Option{idxtest.WithSigningKey(testKey())}, orgOpts...)...)}
	cfg := idx.Config{
		Issuer:       cl.org.Issuer(),
		ClientID:     idxtest.ConfidentialClientID,
		ClientSecret: idxtest.ConfidentialClientSecret,
		RedirectURI:  idxtest.DefaultRedirectURI,
		Scopes:       []string{"openid", "profile", "email", "offline_access"},
	}
	for i := range cl.instances {
		cl.logs[i] = &syncBuffer{}
		logger := slog.New(slog.NewTextHandler(cl.logs[i], &slog.HandlerOptions{Level: slog.LevelDebug})).
			With("instance", string(rune('A'+i)))
		a, err := newInstance(cfg, sc(i), appConfig{logger: logger}, idx.WithInsecureLoopbackHTTP())
		if err != nil {
			t.Fatal(err)
		}
		cl.instances[i] = httptest.NewServer(a.handler())
		t.Cleanup(cl.instances[i].Close)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	cl.c = &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return cl
}

// do sends a request to instance i (0 is A, 1 is B); a POST carries form
// and the CSRF token of the last page seen.
func (cl *cluster) do(i int, method, path string, form url.Values) page {
	cl.t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		form = cloneValues(form)
		form.Set("csrf", cl.csrf)
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(cl.t.Context(), method, cl.instances[i].URL+path, body)
	if err != nil {
		cl.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := cl.c.Do(req)
	if err != nil {
		cl.t.Fatalf("%s %s on instance %c: %v", method, path, 'A'+i, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		cl.t.Fatal(err)
	}
	if m := csrfRE.FindStringSubmatch(string(b)); m != nil {
		cl.csrf = m[1]
	}
	if resp.StatusCode >= 500 {
		cl.t.Fatalf("%s %s on instance %c: status %d\n%s\nlogs A:\n%s\nlogs B:\n%s", method, path, 'A'+i,
			resp.StatusCode, b, cl.logs[0], cl.logs[1])
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// expect fails the test unless p is a redirect to location.
func (cl *cluster) expectRedirect(p page, location string) {
	cl.t.Helper()
	if p.status != http.StatusSeeOther || p.location() != location {
		cl.t.Fatalf("status %d to %q, want 303 to %q\n%s", p.status, p.location(), location, p.body)
	}
}

func (cl *cluster) expectStep(p page, step string) {
	cl.t.Helper()
	if p.status != http.StatusOK || !strings.Contains(p.body, `data-step="`+step+`"`) {
		cl.t.Fatalf("status %d, want the %s page\n%s", p.status, step, p.body)
	}
}

// signInAlternating runs the seed flow with its requests alternating
// between the instances, A, B, A, B, ..., and returns the profile page.
func (cl *cluster) signInAlternating() page {
	cl.t.Helper()
	const a, b = 0, 1
	cl.expectStep(cl.do(a, http.MethodGet, "/login", nil), "identify")
	cl.expectRedirect(cl.do(b, http.MethodPost, "/login", url.Values{
		"value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}}), "/login")
	cl.expectStep(cl.do(a, http.MethodGet, "/login", nil), "select-authenticator-authenticate")
	cl.expectRedirect(cl.do(b, http.MethodPost, "/login/step", url.Values{
		"step": {"select-authenticator-authenticate"}, "value.authenticator": {"okta_email"}}), "/login")
	cl.expectStep(cl.do(a, http.MethodGet, "/login", nil), "challenge-authenticator")
	code, ok := cl.org.LastCode(idxtest.DemoUsername)
	if !ok {
		cl.t.Fatal("the fake org sent no email")
	}
	cl.expectRedirect(cl.do(b, http.MethodPost, "/login/step", url.Values{
		"step": {"challenge-authenticator"}, "value.verificationCode": {code}}), "/")
	p := cl.do(a, http.MethodGet, "/", nil)
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="profile"`) || !strings.Contains(p.body, "Demo User") {
		cl.t.Fatalf("home page: status %d, want the profile of Demo User\n%s", p.status, p.body)
	}
	return p
}

// signOutAcross signs out on B and checks that A knows it.
func (cl *cluster) signOutAcross() {
	cl.t.Helper()
	cl.expectRedirect(cl.do(1, http.MethodPost, "/logout", nil), "/login")
	if n := cl.org.RequestCounts()["POST /oauth2/default/v1/revoke"]; n != 2 {
		cl.t.Errorf("%d revoke calls at sign-out, want 2 (refresh and access token)", n)
	}
	cl.expectRedirect(cl.do(0, http.MethodGet, "/", nil), "/login")
}

func TestInstancesRedis(t *testing.T) {
	t.Parallel()
	probe := testRedisClient(t)
	prefix := testRedisPrefix(t, probe)
	cl := newCluster(t, func(int) storeConfig {
		// Each instance has its own connections; they share the server.
		return storeConfig{kind: storeRedis, redis: testRedisClient(t), redisPrefix: prefix}
	})
	cl.signInAlternating()

	// The session is in Redis under a hash of its ID, never the ID.
	u, _ := url.Parse(cl.instances[0].URL)
	var id string
	for _, c := range cl.c.Jar.Cookies(u) {
		if c.Name == "goidx_session" {
			id = c.Value
		}
	}
	keys := redisKeys(t, probe, prefix)
	var sessions, tokens int
	for _, k := range keys {
		if strings.Contains(k, id) {
			t.Errorf("Redis key %q holds the session ID", k)
		}
		switch {
		case strings.HasPrefix(k, prefix+"session:"):
			sessions++
			if ttl := probe.PTTL(t.Context(), k).Val(); ttl <= 0 || ttl > 30*time.Minute {
				t.Errorf("session key TTL %v, want (0, 30m]", ttl)
			}
		case strings.HasPrefix(k, prefix+"tok:"):
			tokens++
		}
	}
	if sessions != 1 || tokens != 1 {
		t.Errorf("Redis holds %d sessions and %d token sets, want 1 and 1: %q", sessions, tokens, keys)
	}
	cl.signOutAcross()
}

func TestInstancesCookie(t *testing.T) {
	t.Parallel()
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	key := "test-1:" + base64.StdEncoding.EncodeToString(secret)
	cl := newCluster(t, func(int) storeConfig {
		keys, err := parseCookieKeys(key) // as each instance reads COOKIE_KEY
		if err != nil {
			t.Fatal(err)
		}
		return storeConfig{kind: storeCookie, cookieKeys: keys}
	})
	cl.signInAlternating()
	u, _ := url.Parse(cl.instances[0].URL)
	var names []string
	for _, c := range cl.c.Jar.Cookies(u) {
		names = append(names, c.Name)
		if len(c.Name)+1+len(c.Value) > 4096 {
			t.Errorf("cookie %s is %d bytes", c.Name, len(c.Name)+1+len(c.Value))
		}
	}
	// The transaction cookie is cleared once the sign-in succeeded.
	if strings.Join(names, ",") != "goidx_session" {
		t.Errorf("cookies after sign-in %q, want only goidx_session", names)
	}
	cl.signOutAcross()
}

// TestInstancesMemory: with sessions in each process's memory, the second
// instance does not know the session the first started, and says so.
func TestInstancesMemory(t *testing.T) {
	t.Parallel()
	cl := newCluster(t, func(int) storeConfig { return storeConfig{kind: storeMemory} })
	cl.expectStep(cl.do(0, http.MethodGet, "/login", nil), "identify")
	cl.expectRedirect(cl.do(0, http.MethodPost, "/login", url.Values{
		"value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}}), "/login")
	cl.expectStep(cl.do(0, http.MethodGet, "/login", nil), "select-authenticator-authenticate")
	p := cl.do(1, http.MethodPost, "/login/step", url.Values{
		"step": {"select-authenticator-authenticate"}, "value.authenticator": {"okta_email"}})
	if p.status != http.StatusForbidden {
		t.Errorf("status %d, want 403", p.status)
	}
	for _, want := range []string{
		"Your session was not found",
		"not found on this server",
		"with several instances use -store=redis or -store=cookie",
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the page lacks %q:\n%s", want, p.body)
		}
	}
	if !strings.Contains(cl.logs[1].String(), "use -store=redis or -store=cookie") {
		t.Errorf("instance B's log gives no hint:\n%s", cl.logs[1])
	}
	if n := cl.org.RequestCounts()["POST /idp/idx/challenge"]; n != 0 {
		t.Errorf("the refused form reached the org (%d challenge requests)", n)
	}
}

// keyString returns a cookie key as COOKIE_KEY gives it: ID:BASE64.
func keyString(id string, b byte) string {
	return id + ":" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32))
}

func TestParseCookieKeys(t *testing.T) {
	t.Parallel()
	s1, s2 := make([]byte, 32), make([]byte, 32)
	s1[0], s2[0] = 1, 2
	v := "new:" + base64.RawURLEncoding.EncodeToString(s2) + ", old:" + base64.StdEncoding.EncodeToString(s1)
	keys, err := parseCookieKeys(v)
	if err != nil {
		t.Fatal(err)
	}
	if keys.Current.ID != "new" || keys.Current.Secret[0] != 2 || len(keys.Previous) != 1 || keys.Previous[0].ID != "old" || keys.Previous[0].Secret[0] != 1 {
		t.Errorf("keys: current %v, previous %v", keys.Current, keys.Previous)
	}
	for _, bad := range []string{"", "nokey", ":" + base64.StdEncoding.EncodeToString(s1), "k:short", "k:" + base64.StdEncoding.EncodeToString(s1) + ",broken"} {
		if _, err := parseCookieKeys(bad); err == nil {
			t.Errorf("parseCookieKeys(%q) succeeded", bad)
		} else if strings.Contains(err.Error(), base64.StdEncoding.EncodeToString(s1)) {
			t.Errorf("the error quotes the secret: %v", err)
		}
	}
}

// TestCookieSessionKeys: a session sealed with a key is read after the
// key moved to Previous (rotation), and not by an app without it, nor
// once tampered with.
func TestCookieSessionKeys(t *testing.T) {
	t.Parallel()
	c := &clock{}
	old, _ := parseCookieKeys(keyString("old", 7))
	if old.Current.ID != "old" {
		t.Fatal("test key not parsed")
	}
	oldKeys := old
	newKeys := ephemeralCookieKey()
	rotated := newKeys
	rotated.Previous = []cookiestore.Key{oldKeys.Current}
	mk := func(k cookiestore.Keys) *cookieSessions {
		s, err := newCookieSessions(k, cookiePolicy{}, 30*time.Minute, 12*time.Hour, c.now)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sealer := mk(oldKeys)
	rec := httptest.NewRecorder()
	id, _, err := sealer.create(t.Context(), rec, session{flash: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	cookie := rec.Result().Cookies()[0]
	load := func(s *cookieSessions, value string) (string, session, bool) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: value})
		gid, sess, ok, err := s.load(t.Context(), httptest.NewRecorder(), req)
		if err != nil {
			t.Fatal(err)
		}
		return gid, sess, ok
	}
	if gid, sess, ok := load(mk(rotated), cookie.Value); !ok || gid != id || sess.flash != "hello" {
		t.Errorf("after rotation: %q %+v %v, want the session", gid, sess, ok)
	}
	if _, _, ok := load(mk(newKeys), cookie.Value); ok {
		t.Error("an app without the key read the session")
	}
	b := []byte(cookie.Value)
	i := len(b) - 30
	b[i] ^= 1
	if b[i] == '.' || b[i] == 0 {
		b[i] = 'A'
	}
	if _, _, ok := load(sealer, string(b)); ok {
		t.Error("a tampered cookie was accepted")
	}
	c.advance(31 * time.Minute)
	if _, _, ok := load(sealer, cookie.Value); ok {
		t.Error("an idle session was accepted")
	}
}

func TestStoreFlags(t *testing.T) {
	t.Parallel()
	run := func(args []string, e map[string]string) (string, string, error) {
		var stdout, stderr syncBuffer
		p, err := setup(t.Context(), append([]string{"-addr", "127.0.0.1:0"}, args...), env(e), &stdout, &stderr)
		if err == nil {
			p.close()
		}
		return stdout.String(), stderr.String(), err
	}
	if _, _, err := run([]string{"-store", "disk"}, nil); err == nil || !strings.Contains(err.Error(), `unknown -store "disk": choose memory, redis or cookie`) {
		t.Errorf("-store=disk: %v", err)
	}
	if _, _, err := run([]string{"-store", "cookie"}, map[string]string{"COOKIE_KEY": "k:c2hvcnQ="}); err == nil ||
		!strings.Contains(err.Error(), "COOKIE_KEY: cookie key \"k\": the secret must be 32 bytes") || strings.Contains(err.Error(), "c2hvcnQ") {
		t.Errorf("short COOKIE_KEY: %v", err)
	}
	out, errOut, err := run([]string{"-store", "cookie"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "WARNING: -store=cookie without COOKIE_KEY") || !strings.Contains(out, "key generated at start (NOT shared") {
		t.Errorf("no loud warning without a key:\nstdout:\n%s\nstderr:\n%s", out, errOut)
	}
	key := keyString("2025-06", 9)
	out, _, err = run([]string{"-store", "cookie", "-cookie-key", key}, nil)
	if err != nil || !strings.Contains(out, `sealed in cookies with key "2025-06" from -cookie-key`) {
		t.Errorf("-cookie-key: %v\n%s", err, out)
	}
	if _, _, err := run([]string{"-store", "redis"}, map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0"}); err == nil ||
		!strings.Contains(err.Error(), "-store=redis: cannot reach Redis at redis://127.0.0.1:1/0 (set REDIS_URL)") {
		t.Errorf("unreachable Redis: %v", err)
	}
}
