package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// testKey is the signing key of every fake org of the tests: generating an
// RSA key takes long, and nothing here depends on it being unique.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// syncBuffer is a bytes.Buffer safe for concurrent writers (the logs).
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// clock is a settable clock for session expiry.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time            { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration)   { c.offset.Add(int64(d)) }
func (c *clock) nowFunc() func() time.Time { return c.now }

// harness is the app on a fake org, served by httptest.
type harness struct {
	t     *testing.T
	org   *idxtest.Server // nil with a stub client
	app   *app
	srv   *httptest.Server
	logs  *syncBuffer
	clock *clock
	// redirectURI is the client's redirect URI, on srv.
	redirectURI string
}

// harnessConfig chooses how a harness is set up.
type harnessConfig struct {
	secure    bool      // serve over TLS with secure cookies
	client    idxClient // a stub instead of a client of a fake org
	noMailbox bool      // no dev mailbox (real-org mode)
	// store, when set, builds the app with newInstance and these stores
	// (as -store does) instead of in-memory sessions.
	store *storeConfig
	// appConfig, when set, adjusts the app's configuration.
	appConfig func(*appConfig)
	// orgOptions configure the fake org, after the harness's own.
	orgOptions []idxtest.Option
}

type harnessOption func(*harnessConfig)

func withSecureCookies() harnessOption { return func(c *harnessConfig) { c.secure = true } }

func withClient(cl idxClient) harnessOption { return func(c *harnessConfig) { c.client = cl } }

func withoutMailbox() harnessOption { return func(c *harnessConfig) { c.noMailbox = true } }

// withOrgPolicy runs the fake org with policy p.
func withOrgPolicy(p idxtest.Policy) harnessOption {
	return func(c *harnessConfig) { c.orgOptions = append(c.orgOptions, idxtest.WithPolicy(p)) }
}

// withOrgOptions configures the fake org further.
func withOrgOptions(opts ...idxtest.Option) harnessOption {
	return func(c *harnessConfig) { c.orgOptions = append(c.orgOptions, opts...) }
}

// withStore keeps sessions, transactions and tokens where sc says, as
// -store does.
func withStore(sc storeConfig) harnessOption { return func(c *harnessConfig) { c.store = &sc } }

// withAppConfig lets f adjust the app's configuration.
func withAppConfig(f func(*appConfig)) harnessOption {
	return func(c *harnessConfig) { c.appConfig = f }
}

// newHarness starts a fake org (unless a stub client is given) and the
// app, over TLS when the app's cookies are secure. The client's redirect
// URI is the app's /login/callback, which the fake org's app allows, so
// that its email links lead back to the app.
func newHarness(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	var hc harnessConfig
	for _, o := range opts {
		o(&hc)
	}
	h := &harness{t: t, logs: &syncBuffer{}, clock: &clock{}}
	h.srv = httptest.NewUnstartedServer(nil)
	scheme := "http"
	if hc.secure {
		scheme = "https"
	}
	h.redirectURI = scheme + "://" + h.srv.Listener.Addr().String() + callbackPath
	logger := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := appConfig{logger: logger, now: h.clock.nowFunc(), secureCookies: hc.secure, client: hc.client}
	if hc.appConfig != nil {
		hc.appConfig(&cfg)
	}
	var a *app
	var err error
	if cfg.client == nil {
		h.org = idxtest.New(t, append([]idxtest.Option{idxtest.WithSigningKey(testKey()), idxtest.WithApp(idxtest.App{
			ClientID:      idxtest.ConfidentialClientID,
			ClientSecret:  idxtest.ConfidentialClientSecret,
			RedirectURIs:  []string{h.redirectURI},
			RefreshTokens: true,
		})}, hc.orgOptions...)...)
		if !hc.noMailbox {
			cfg.outbox = h.org.Outbox
			cfg.answerDevice = h.org.AnswerDeviceChallenge
		}
		orgCfg := idx.Config{
			Issuer:       h.org.Issuer(),
			ClientID:     idxtest.ConfidentialClientID,
			ClientSecret: idxtest.ConfidentialClientSecret,
			RedirectURI:  h.redirectURI,
			Scopes:       []string{"openid", "profile", "email", "offline_access"},
		}
		opts := []idx.ClientOption{idx.WithInsecureLoopbackHTTP(), idx.WithLogger(logger.With("component", "idx"))}
		if hc.store != nil {
			a, err = newInstance(orgCfg, *hc.store, cfg, opts...)
		} else {
			if cfg.redirectOrigins == nil {
				cfg.redirectOrigins = issuerOrigins(orgCfg.Issuer)
			}
			cfg.client, err = idx.NewClient(orgCfg, opts...)
			if err == nil {
				a, err = newApp(cfg)
			}
		}
	} else {
		a, err = newApp(cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	h.app = a
	h.srv.Config.Handler = a.handler()
	if hc.secure {
		h.srv.StartTLS()
	} else {
		h.srv.Start()
	}
	t.Cleanup(h.srv.Close)
	return h
}

// browser is a minimal browser: a cookie jar, no automatic redirects, and
// the CSRF token of the last page seen.
type browser struct {
	t    *testing.T
	h    *harness
	c    *http.Client
	csrf string
}

func (h *harness) browser() *browser {
	h.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		h.t.Fatal(err)
	}
	c := *h.srv.Client() // a copy: srv.Client returns one shared client
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: h.t, h: h, c: &c}
}

// browserFrom is a browser whose connections come from the loopback
// address ip (such as "127.0.0.2"): to the app, another client.
func (h *harness) browserFrom(ip string) *browser {
	h.t.Helper()
	b := h.browser()
	tr := h.srv.Client().Transport.(*http.Transport).Clone()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr.DialContext = d.DialContext
	h.t.Cleanup(tr.CloseIdleConnections)
	b.c.Transport = tr
	return b
}

// page is a response with its body read.
type page struct {
	status int
	header http.Header
	body   string
}

func (p page) location() string { return p.header.Get("Location") }

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if m := csrfRE.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, b.h.srv.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post posts form to path, with the CSRF token of the last page unless
// form has one (even empty).
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	form = cloneValues(form)
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, b.h.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// follow GETs the page a redirect points to.
func (b *browser) follow(p page) page {
	b.t.Helper()
	if p.status != http.StatusSeeOther && p.status != http.StatusFound {
		b.t.Fatalf("status %d, want a redirect; body:\n%s", p.status, p.body)
	}
	return b.get(p.location())
}

// sessionID returns the session cookie's value in the jar.
func (b *browser) sessionID() string {
	u, _ := url.Parse(b.h.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == b.h.app.cookies.name() {
			return c.Value
		}
	}
	return ""
}

// setSessionID puts id in the jar as the session cookie.
func (b *browser) setSessionID(id string) {
	u, _ := url.Parse(b.h.srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{b.h.app.cookies.cookie(id)})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// signInToCode signs the demo user in up to the code page and returns it.
func (b *browser) signInToCode() page {
	b.t.Helper()
	b.get("/login")
	p := b.follow(b.post("/login", url.Values{"value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}}))
	if !strings.Contains(p.body, `data-step="select-authenticator-authenticate"`) {
		b.t.Fatalf("after the password, want the authenticator list; got:\n%s", p.body)
	}
	p = b.follow(b.post("/login/step", url.Values{"step": {"select-authenticator-authenticate"}, "value.authenticator": {"okta_email"}}))
	if !strings.Contains(p.body, `data-step="challenge-authenticator"`) {
		b.t.Fatalf("after choosing Email, want the code page; got:\n%s", p.body)
	}
	return p
}

// lastCode returns the code the fake org emailed the demo user last.
func (h *harness) lastCode() string {
	h.t.Helper()
	code, ok := h.org.LastCode(idxtest.DemoUsername)
	if !ok {
		h.t.Fatal("the fake org sent no email")
	}
	return code
}

// signIn signs the demo user in and returns the home page.
func (b *browser) signIn() page {
	b.t.Helper()
	b.signInToCode()
	p := b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {b.h.lastCode()}})
	if p.status != http.StatusSeeOther || p.location() != "/" {
		b.t.Fatalf("after the code: status %d, Location %q, want 303 to /; body:\n%s", p.status, p.location(), p.body)
	}
	return b.follow(p)
}

// stubClient is an idxClient whose answers a test chooses.
type stubClient struct {
	mu    sync.Mutex
	calls []idx.Options

	authenticate func(idx.Options) (*idx.Transaction, error)
	cancelErr    error
	revokeErr    error
	userInfoErr  error
}

func (s *stubClient) Authenticate(_ context.Context, o idx.Options) (*idx.Transaction, error) {
	s.mu.Lock()
	s.calls = append(s.calls, o)
	s.mu.Unlock()
	return s.authenticate(o)
}

func (s *stubClient) Start(context.Context, idx.StartOptions) (*idx.Transaction, error) {
	return s.Authenticate(context.Background(), idx.Options{})
}

func (s *stubClient) Resend(_ context.Context, state string) (*idx.Transaction, error) {
	return s.Authenticate(context.Background(), idx.Options{State: state})
}

func (s *stubClient) Cancel(context.Context, string) (*idx.Transaction, error) {
	return &idx.Transaction{Status: idx.StatusCanceled}, s.cancelErr
}

func (s *stubClient) UserInfo(_ context.Context, t *idx.Tokens) (*idx.UserInfo, error) {
	if s.userInfoErr != nil {
		return nil, s.userInfoErr
	}
	return &idx.UserInfo{Subject: "00ustub", Name: "Stub User", Email: "stub@example.com"}, nil
}

func (s *stubClient) Revoke(context.Context, string, *idx.Tokens) error { return s.revokeErr }

func (s *stubClient) IntrospectToken(context.Context, idx.Secret, string) (*idx.TokenIntrospection, error) {
	return &idx.TokenIntrospection{Active: true}, nil
}

func (s *stubClient) HandleCallback(context.Context, string, string) (*idx.Transaction, error) {
	return nil, errors.New("stub: no callbacks")
}

func (s *stubClient) PollUntilDone(_ context.Context, state string, _ ...idx.PollOption) (*idx.Transaction, error) {
	return s.Authenticate(context.Background(), idx.Options{State: state})
}

func (s *stubClient) lastCall() idx.Options {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) == 0 {
		return idx.Options{}
	}
	return s.calls[len(s.calls)-1]
}

// pending returns a stub answer: a PENDING transaction at step.
func pending(step idx.NextStep, msgs ...idx.Message) *idx.Transaction {
	return &idx.Transaction{
		Status:         idx.StatusPending,
		State:          "stub-state-0123456789",
		NextStep:       &step,
		AvailableSteps: []idx.NextStep{step},
		Messages:       msgs,
	}
}
