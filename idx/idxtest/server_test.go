package idxtest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

func TestOutboxEndpoint(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clock.Now))
	empty := get(t, srv.Client(), srv.URL+"/idxtest/outbox", nil)
	if empty.status != http.StatusOK || string(empty.body) != "[]" {
		t.Fatalf("empty outbox: %v", empty)
	}
	f := newFlow(t, srv)
	f.toChallenge()
	r := get(t, srv.Client(), srv.URL+"/idxtest/outbox", nil)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var got []map[string]string
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	mail := srv.Outbox()[0]
	want := []map[string]string{{
		"to":      f.user,
		"subject": mail.Subject,
		"body":    mail.Body,
		"code":    f.code(),
		"sentAt":  "2030-01-02T03:04:05Z",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outbox JSON (-want +got):\n%s", diff)
	}
	// Outbox returns a copy.
	out := srv.Outbox()
	out[0].Code = "changed"
	if srv.Outbox()[0].Code == "changed" {
		t.Error("Outbox shares its slice")
	}
	if _, ok := srv.LastCode("nobody@example.com"); ok {
		t.Error("LastCode for an address that got nothing")
	}
}

func TestRequestCounts(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := srv.Client()
	get(t, c, srv.URL+"/no/such/path?secret=x", nil)
	get(t, c, srv.URL+"/no/such/path", nil)
	postIon(t, c, srv.URL+"/idp/idx/introspect", map[string]string{"stateHandle": "x"})
	want := map[string]int{"GET /no/such/path": 2, "POST /idp/idx/introspect": 1}
	if diff := cmp.Diff(want, srv.RequestCounts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	wantLog := []string{"GET /no/such/path", "GET /no/such/path", "POST /idp/idx/introspect"}
	if diff := cmp.Diff(wantLog, srv.RequestLog()); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
	counts := srv.RequestCounts()
	counts["GET /no/such/path"] = 99
	if srv.RequestCounts()["GET /no/such/path"] != 2 {
		t.Error("RequestCounts shares its map")
	}
	srv.ResetRequestLog()
	if len(srv.RequestLog()) != 0 || len(srv.RequestCounts()) != 0 {
		t.Errorf("after reset: %v %v", srv.RequestLog(), srv.RequestCounts())
	}
	get(t, c, srv.Issuer()+"/v1/keys", nil)
	if diff := cmp.Diff([]string{"GET /oauth2/default/v1/keys"}, srv.RequestLog()); diff != "" {
		t.Errorf("log after reset (-want +got):\n%s", diff)
	}
}

func TestNotFoundAndMethods(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := srv.Client()
	for _, tc := range []struct {
		method, path string
		wantStatus   int
		wantCode     string
	}{
		{http.MethodGet, "/nope", http.StatusNotFound, "E0000007"},
		{http.MethodGet, "/idp/idx/introspect/", http.StatusNotFound, "E0000007"},
		{http.MethodGet, "/idp/idx/introspect", http.StatusMethodNotAllowed, "E0000022"},
		{http.MethodDelete, "/oauth2/default/v1/token", http.StatusMethodNotAllowed, "E0000022"},
		{http.MethodPost, "/oauth2/default/v1/keys", http.StatusMethodNotAllowed, "E0000022"},
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequestWithContext(t.Context(), tc.method, srv.URL+tc.path, nil)
			r := do(t, c, req)
			if r.status != tc.wantStatus || str(t, r.doc, "errorCode") != tc.wantCode {
				t.Errorf("got %v", r)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	r := get(t, c, srv.Issuer()+"/v1/authorize?response_type=code", nil)
	if r.status != http.StatusBadRequest || str(t, r.doc, "error") != "unsupported_response_type" {
		t.Errorf("authorize: %v", r)
	}
}

// TestHostileInput sends malformed, mistyped and oversized requests to
// every endpoint: each gets a 4xx JSON answer and the server stays up.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := srv.Client()
	f := newFlow(t, srv)
	f.interact()
	f.introspect()
	handle := f.stateHandle
	huge := `{"stateHandle":"` + handle + `","identifier":"` + strings.Repeat("a", 2<<20) + `"}`
	bodies := []struct {
		name, contentType, body string
		wantStatus              int
	}{
		{"malformed", ionType, `{"stateHandle":`, http.StatusBadRequest},
		{"not an object", ionType, `["stateHandle"]`, http.StatusBadRequest},
		{"null", ionType, `null`, http.StatusBadRequest},
		{"empty", ionType, ``, http.StatusBadRequest},
		{"trailing garbage", ionType, `{"stateHandle":"` + handle + `"} {}`, http.StatusBadRequest},
		// Fields an endpoint does not read are ignored, so these are 400
		// only where the field matters.
		{"wrong types", ionType, `{"stateHandle":"` + handle + `","identifier":7,"credentials":"x","authenticator":[1]}`, 0},
		{"nested wrong type", ionType, `{"stateHandle":"` + handle + `","credentials":{"passcode":{"a":1}}}`, 0},
		{"handle not a string", ionType, `{"stateHandle":{"x":1}}`, http.StatusBadRequest},
		{"invalid UTF-8", ionType, "{\"stateHandle\":\"\xff\xfe\"}", http.StatusUnauthorized},
		{"deep nesting", ionType, strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000), http.StatusUnauthorized},
		{"form content type", "application/x-www-form-urlencoded", `stateHandle=` + handle, http.StatusUnsupportedMediaType},
		{"no content type", "", `{"stateHandle":"` + handle + `"}`, http.StatusUnsupportedMediaType},
		{"bad content type", "application/json; charset", `{}`, http.StatusUnsupportedMediaType},
		{"plain JSON is fine", "application/json", `{"stateHandle":"` + handle + `"}`, 0},
		{"huge", ionType, huge, http.StatusRequestEntityTooLarge},
	}
	idxPaths := []string{"introspect", "identify", "challenge", "challenge/resend", "challenge/poll", "challenge/answer", "cancel"}
	for _, p := range idxPaths {
		for _, b := range bodies {
			if p == "cancel" && b.wantStatus == 0 {
				continue // would end the transaction the other cases use
			}
			t.Run(p+"/"+b.name, func(t *testing.T) {
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/idp/idx/"+p, strings.NewReader(b.body))
				if b.contentType != "" {
					req.Header.Set("Content-Type", b.contentType)
				}
				r := do(t, c, req)
				if b.wantStatus != 0 && r.status != b.wantStatus {
					t.Errorf("status %d, want %d: %.300s", r.status, b.wantStatus, r.body)
				}
				if r.status >= 500 {
					t.Errorf("server error %v", r)
				}
				if r.doc == nil || r.doc["version"] != "1.0.0" {
					t.Errorf("answer is not an IDX document: %.300s", r.body)
				}
			})
		}
	}
	oauthPaths := []string{"/v1/interact", "/v1/token", "/v1/revoke", "/v1/introspect"}
	forms := []struct{ name, contentType, body string }{
		{"JSON body", "application/json", `{"client_id":"x"}`},
		{"bad escapes", "application/x-www-form-urlencoded", `client_id=%zz&scope=%`},
		{"repeated", "application/x-www-form-urlencoded", `client_id=a&client_id=b`},
		{"huge", "application/x-www-form-urlencoded", "client_id=" + strings.Repeat("a", 2<<20)},
		{"empty", "application/x-www-form-urlencoded", ``},
	}
	for _, p := range oauthPaths {
		for _, b := range forms {
			t.Run(p+"/"+b.name, func(t *testing.T) {
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.Issuer()+p, strings.NewReader(b.body))
				req.Header.Set("Content-Type", b.contentType)
				r := do(t, c, req)
				if r.status < 400 || r.status >= 500 {
					t.Errorf("status %d: %.300s", r.status, r.body)
				}
				if r.doc == nil || r.doc["error"] == nil {
					t.Errorf("not an OAuth error: %.300s", r.body)
				}
			})
		}
	}
	// Odd Authorization headers.
	for _, h := range []string{"Basic !!!", "Basic " + basicRaw("%zz", "x"), "Bearer", "Bearer  ", "bearer " + strings.Repeat("x", 10000)} {
		ui := get(t, c, srv.Issuer()+"/v1/userinfo", map[string]string{"Authorization": h})
		if ui.status != http.StatusUnauthorized {
			t.Errorf("userinfo with %.20q: %v", h, ui)
		}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.Issuer()+"/v1/token",
			strings.NewReader(url.Values{"grant_type": {"interaction_code"}, "interaction_code": {"x"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", h)
		if r := do(t, c, req); r.status != http.StatusUnauthorized {
			t.Errorf("token with %.20q: %v", h, r)
		}
	}
	// The transaction survived all of it.
	if r := f.identify(f.user, f.password); r.status != http.StatusOK {
		t.Errorf("identify after the hostile requests: %v", r)
	}
}

func TestAddUserAndApp(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	for _, tc := range []struct {
		name string
		user idxtest.User
	}{
		{"no username", idxtest.User{Password: "x"}},
		{"spaces", idxtest.User{Username: " a@example.com", Password: "x"}},
		{"no password", idxtest.User{Username: "a@example.com"}},
		{"not an address", idxtest.User{Username: "alice", Password: "x"}},
		{"taken", idxtest.User{Username: strings.ToUpper(idxtest.DemoUsername), Password: "x"}},
		{"ID taken", idxtest.User{ID: "00uidxtestdemo0001", Username: "b@example.com", Password: "x"}},
	} {
		if err := srv.AddUser(tc.user); err == nil {
			t.Errorf("AddUser(%s) succeeded", tc.name)
		}
	}
	if err := srv.AddUser(idxtest.User{Username: "alice", Email: "alice@example.net", Password: "pw"}); err != nil {
		t.Errorf("AddUser with a separate email: %v", err)
	}
	for _, tc := range []struct {
		name string
		app  idxtest.App
	}{
		{"no client ID", idxtest.App{RedirectURIs: []string{idxtest.DefaultRedirectURI}}},
		{"no redirect", idxtest.App{ClientID: "x"}},
		{"relative redirect", idxtest.App{ClientID: "x", RedirectURIs: []string{"/callback"}}},
		{"fragment", idxtest.App{ClientID: "x", RedirectURIs: []string{"http://a.example/cb#frag"}}},
		{"taken", idxtest.App{ClientID: idxtest.PublicClientID, RedirectURIs: []string{idxtest.DefaultRedirectURI}}},
	} {
		if err := srv.AddApp(tc.app); err == nil {
			t.Errorf("AddApp(%s) succeeded", tc.name)
		}
	}

	// A user and an app added while running can sign in, and the app's
	// slice is the server's own copy.
	redirects := []string{"https://app.example/cb"}
	if err := srv.AddApp(idxtest.App{ClientID: "late", RedirectURIs: redirects}); err != nil {
		t.Fatal(err)
	}
	redirects[0] = "https://evil.example/cb"
	if err := srv.AddUser(idxtest.User{ID: "00ulate", Username: "late@example.com", Password: "pw", GivenName: "Late"}); err != nil {
		t.Fatal(err)
	}
	form := interactForm()
	form.Set("client_id", "late")
	form.Set("redirect_uri", "https://app.example/cb")
	r := postForm(t, srv.Client(), srv.Issuer()+"/v1/interact", form, nil)
	if r.status != http.StatusOK {
		t.Fatalf("interact with the late app: %v", r)
	}
	f := newFlow(t, srv)
	f.handle = str(t, r.doc, "interaction_handle")
	f.introspect()
	if r := f.identify("late@example.com", "pw"); r.status != http.StatusOK || str(t, r.doc, "user", "value", "id") != "00ulate" {
		t.Fatalf("late user: %v", r)
	}
}

func TestOptionsPanic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opt  idxtest.Option
	}{
		{"zero transaction lifetime", idxtest.WithTransactionLifetime(0)},
		{"negative code lifetime", idxtest.WithCodeLifetime(-time.Second)},
		{"bad user", idxtest.WithUser(idxtest.User{Username: "x@example.com"})},
		{"bad app", idxtest.WithApp(idxtest.App{ClientID: "x"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			srv := idxtest.NewServer(tc.opt)
			srv.Close()
		})
	}
}

// TestWithUserReplacesDemo checks that WithUser with the demo username
// replaces the demo user.
func TestWithUserReplacesDemo(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithUser(idxtest.User{ID: "00ucustom", Username: idxtest.DemoUsername, Password: "other"}),
		idxtest.WithApp(idxtest.App{ClientID: idxtest.PublicClientID, RedirectURIs: []string{"https://x.example/cb"}}))
	f := newFlow(t, srv)
	form := interactForm()
	form.Set("redirect_uri", "https://x.example/cb")
	r := postForm(t, srv.Client(), srv.Issuer()+"/v1/interact", form, nil)
	if r.status != http.StatusOK {
		t.Fatalf("interact with the replaced app: %v", r)
	}
	f.handle = str(t, r.doc, "interaction_handle")
	f.introspect()
	if r := f.identify(idxtest.DemoUsername, idxtest.DemoPassword); r.status != http.StatusUnauthorized {
		t.Errorf("old demo password: %v", r)
	}
	if r := f.identify(idxtest.DemoUsername, "other"); r.status != http.StatusOK || str(t, r.doc, "user", "value", "id") != "00ucustom" {
		t.Errorf("replaced demo user: %v", r)
	}
}

// TestUnstartedServer brings its own listener, like httptest.
func TestUnstartedServer(t *testing.T) {
	t.Parallel()
	srv := idxtest.NewUnstartedServer()
	if srv.URL != "" {
		t.Errorf("URL before Start = %q", srv.URL)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	if want := "http://" + ln.Addr().String(); srv.URL != want {
		t.Errorf("URL = %q, want %q", srv.URL, want)
	}
	if srv.Issuer() != srv.URL+"/oauth2/default" {
		t.Errorf("Issuer = %q", srv.Issuer())
	}
	if r := get(t, srv.Client(), srv.Issuer()+"/v1/keys", nil); r.status != http.StatusOK {
		t.Errorf("keys: %v", r)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("second Start did not panic")
			}
		}()
		srv.Start()
	}()
}

// TestUnspecifiedAddress checks that listening on all interfaces still
// gives a URL a client can use.
func TestUnspecifiedAddress(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skip(err)
	}
	srv := idxtest.NewUnstartedServer()
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") && !strings.HasPrefix(srv.URL, "http://[::1]:") {
		t.Errorf("URL = %q, want a loopback address", srv.URL)
	}
	if r := get(t, srv.Client(), srv.Issuer()+"/v1/keys", nil); r.status != http.StatusOK {
		t.Errorf("keys at %s: %v", srv.URL, r)
	}
}

// TestClose checks that Close waits for a request in flight, is
// idempotent, and that the server is gone afterwards.
func TestClose(t *testing.T) {
	t.Parallel()
	inHook := make(chan struct{})
	release := make(chan struct{})
	srv := idxtest.NewServer(idxtest.WithEmailHook(func(idxtest.Email) {
		close(inHook)
		<-release
	}), idxtest.WithEmailVerificationData(false))
	f := newFlow(t, srv)
	f.interact()
	f.introspect()
	f.identify(f.user, f.password)
	body, _ := json.Marshal(map[string]any{"stateHandle": f.stateHandle, "authenticator": map[string]string{
		"id": str(t, f.last.doc, "authenticators", "value", 0, "id"), "methodType": "email"}})
	done := make(chan reply)
	go func() {
		// The request blocks in the email hook until released.
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/idp/idx/challenge", bytes.NewReader(body))
		req.Header.Set("Content-Type", ionType)
		resp, err := srv.Client().Do(req)
		if err != nil {
			done <- reply{}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- reply{status: resp.StatusCode, body: b}
	}()
	<-inHook
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned with a request in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	<-closed
	if r := <-done; r.status != http.StatusOK {
		t.Errorf("in-flight request: %v", r)
	}
	srv.Close()
	if _, err := http.Get(srv.URL + "/idxtest/outbox"); err == nil {
		t.Error("server still answers after Close")
	}
}

// TestEmailHook checks that the hook sees every email before the response
// arrives.
func TestEmailHook(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []idxtest.Email
	srv := newOrg(t, idxtest.WithEmailHook(func(e idxtest.Email) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, e)
	}))
	f := newFlow(t, srv)
	f.toChallenge()
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(srv.Outbox(), seen); diff != "" {
		t.Errorf("hook vs outbox (-outbox +hook):\n%s", diff)
	}
}

// TestLogsNoSecrets runs a whole flow with a logger and checks that no
// password, code, token or handle reaches the log.
func TestLogsNoSecrets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := newOrg(t, idxtest.WithLogger(logger))
	f := newFlow(t, srv)
	f.toChallenge()
	f.answer("999999x")
	f.answer(f.code())
	success := path(t, f.last.doc, "successWithInteractionCode")
	code := str(t, success, "value", "name=interaction_code", "value")
	tok := f.redeem(f.verifier)
	get(t, f.c, srv.Issuer()+"/v1/userinfo", map[string]string{"Authorization": "Bearer " + str(t, tok.doc, "access_token")})
	srv.Close()
	mu.Lock()
	logged := buf.String()
	mu.Unlock()
	if !strings.Contains(logged, "/idp/idx/identify") {
		t.Fatalf("the log has no request lines:\n%s", logged)
	}
	for name, secret := range map[string]string{
		"password":         f.password,
		"email code":       f.code(),
		"stateHandle":      f.stateHandle,
		"interaction":      f.handle,
		"interaction code": code,
		"verifier":         f.verifier,
		"access token":     str(t, tok.doc, "access_token"),
		"refresh token":    str(t, tok.doc, "refresh_token"),
		"id token":         str(t, tok.doc, "id_token"),
	} {
		if strings.Contains(logged, secret) {
			t.Errorf("the log contains the %s", name)
		}
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestWithSigningKey(t *testing.T) {
	t.Parallel()
	a, b := newOrg(t), newOrg(t)
	kids := map[string]bool{}
	for _, srv := range []*idxtest.Server{a, b} {
		r := get(t, srv.Client(), srv.Issuer()+"/v1/keys", nil)
		var set struct {
			Keys []struct {
				Kid string `json:"kid"`
				N   string `json:"n"`
			} `json:"keys"`
		}
		if err := json.Unmarshal(r.body, &set); err != nil || len(set.Keys) != 1 {
			t.Fatalf("JWKS %s: %v", r.body, err)
		}
		if want := base64.RawURLEncoding.EncodeToString(sharedKey().N.Bytes()); set.Keys[0].N != want {
			t.Errorf("JWKS modulus is not the given key's")
		}
		kids[set.Keys[0].Kid] = true
	}
	if len(kids) != 2 {
		t.Errorf("two servers sharing a key published the same kid")
	}
	defer func() {
		if recover() == nil {
			t.Errorf("WithSigningKey(nil) did not panic")
		}
	}()
	idxtest.WithSigningKey(nil)(nil)
}
