package idxtest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// maxBodyBytes caps every request body.
const maxBodyBytes = 1 << 20

// issuerPath is the path of the org's default custom authorization server.
const issuerPath = "/oauth2/default"

// A Server is a fake Okta org listening on a loopback address: the default
// authorization server (discovery, interact, token, keys, userinfo, revoke,
// introspect, logout) and the IDX API (/idp/idx/...) for the org's [Policy]
// (by default: password, then an email code). All its methods are safe for
// concurrent use.
type Server struct {
	// URL is the base URL of the org, "http://127.0.0.1:port", with no
	// trailing slash. It is set by Start.
	URL string

	// Listener is the listener the server serves on. NewUnstartedServer
	// opens one on 127.0.0.1:0; a caller may close it and put another in its
	// place before calling Start.
	Listener net.Listener

	cfg    config
	urls   urls // made by Start from URL
	keys   *keys
	client *http.Client
	srv    *http.Server
	orgID  string // the idp claim

	org *org // authenticators, steps and forms; see authenticator.go

	mu            sync.Mutex
	started       bool
	closed        bool
	users         map[string]*userRecord // by lower-case username
	userIDs       map[string]*userRecord
	apps          map[string]*App
	interactions  map[string]*interaction
	transactions  map[string]*transaction // by stateHandle
	codes         map[string]*interactionCode
	accessTokens  map[string]*accessRecord
	refreshTokens map[string]*refreshRecord
	idTokens      map[string]idTokenRecord
	outbox        []Email
	lastEmail     map[string]int // foldKey(To) -> index in outbox of the newest email
	requestLog    []string
	requestCounts map[string]int
	sinceSweep    int // interactions started since the last sweep

	faults faultState // injected faults and recorded requests (faults.go)

	stepUp   stepUpState              // sessions and ID token tampering (stepup.go)
	attempts map[string]*attemptState // wrong codes by "userID key" (limits.go)

	recoveryTokens   map[string]*userGrant // see RecoveryToken (flow_recover.go)
	activationTokens map[string]*userGrant // see ActivationToken (activation.go)

	devices deviceGrants // device authorization grants (deviceactivation.go)

	// conns tracks the server's connections and their states, so Close can
	// drop connections that carry no request at once.
	connMu sync.Mutex
	conns  map[net.Conn]http.ConnState
}

// NewServer starts and returns a new Server on 127.0.0.1 with a random port.
// The caller should call Close when done. It panics if the server cannot be
// set up (an invalid option, no loopback listener), like httptest.NewServer.
func NewServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.Start()
	return s
}

// New is NewServer plus t.Cleanup(s.Close).
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// NewUnstartedServer returns a new Server, listening on 127.0.0.1 with a
// random port but not yet serving. The caller may replace Listener, then
// must call Start, and should call Close when done. It panics if the server
// cannot be set up.
func NewUnstartedServer(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.transactionLifetime <= 0 {
		panic("idxtest: the transaction lifetime must be positive")
	}
	if cfg.codeLifetime <= 0 {
		panic("idxtest: the code lifetime must be positive")
	}
	k, err := newKeys(cfg.signingKey, cfg.ownSigningKey)
	if err != nil {
		panic(err.Error())
	}
	s := &Server{
		cfg:           cfg,
		keys:          k,
		orgID:         randomOktaID("00o"),
		org:           newOrg(&cfg),
		users:         map[string]*userRecord{},
		userIDs:       map[string]*userRecord{},
		apps:          map[string]*App{},
		interactions:  map[string]*interaction{},
		transactions:  map[string]*transaction{},
		codes:         map[string]*interactionCode{},
		accessTokens:  map[string]*accessRecord{},
		refreshTokens: map[string]*refreshRecord{},
		idTokens:      map[string]idTokenRecord{},
		requestCounts: map[string]int{},
	}
	for _, u := range append([]User{demoUser()}, cfg.users...) {
		rec, err := newUserRecord(u)
		if err == nil {
			err = s.addUserLocked(rec, true)
		}
		if err != nil {
			panic(err.Error())
		}
	}
	for _, a := range append(defaultApps(), cfg.apps...) {
		app, err := checkApp(a)
		if err != nil {
			panic(err.Error())
		}
		s.apps[app.ClientID] = app
	}
	s.client = &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if ln, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			panic("idxtest: failed to listen on a loopback port: " + err.Error())
		}
	}
	s.Listener = ln
	return s
}

// Start starts serving on s.Listener. It panics if the server was already
// started or closed.
func (s *Server) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		panic("idxtest: Start called on a started or closed server")
	}
	if s.Listener == nil {
		panic("idxtest: Start called with no Listener")
	}
	s.started = true
	s.URL = "http://" + urlHost(s.Listener.Addr())
	s.urls = newURLs(s.URL)
	s.srv = &http.Server{
		Handler: s.handler(),
		// Generous: on a loaded test machine (the race detector, a
		// thousand sign-ins at once) a connection's goroutine may wait
		// seconds to be scheduled, and a header timeout then closes a
		// connection whose request the client already sent.
		ReadHeaderTimeout: time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.cfg.logger.Handler(), slog.LevelWarn),
		ConnState:         s.trackConn,
	}
	go func(srv *http.Server, ln net.Listener) { _ = srv.Serve(ln) }(s.srv, s.Listener)
}

// urls are the URLs the server puts in its answers, made once by Start
// rather than for every answer.
type urls struct {
	base   string            // URL when they were made
	issuer string            // base + issuerPath
	hrefs  map[string]string // path -> base + path, for the IDX forms
}

func newURLs(base string) urls {
	u := urls{base: base, issuer: base + issuerPath, hrefs: map[string]string{}}
	for _, p := range []string{"/idp/idx/identify", "/idp/idx/challenge", "/idp/idx/challenge/answer",
		"/idp/idx/challenge/resend", "/idp/idx/challenge/poll", "/idp/idx/cancel",
		"/idp/idx/credential/enroll", "/idp/idx/skip",
		"/idp/idx/enroll", "/idp/idx/enroll/new", "/idp/idx/identify/select",
		"/idp/idx/challenge/send", "/idp/idx/recover", "/idp/idx/unlock-account",
		"/idp/idx/authenticators/poll", "/idp/idx/request-activation"} {
		u.hrefs[p] = base + p
	}
	u.hrefs[issuerPath+"/v1/token"] = u.issuer + "/v1/token"
	return u
}

// urlHost is the host:port to put in URLs for addr; an unspecified IP
// (listening on all interfaces) becomes the loopback address.
func urlHost(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	ip := tcp.IP
	switch {
	case ip == nil || ip.IsUnspecified() && ip.To4() != nil:
		ip = net.IPv4(127, 0, 0, 1)
	case ip.IsUnspecified():
		ip = net.IPv6loopback
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

// Close shuts the server down and blocks until all requests in flight have
// finished. It may be called more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	srv, ln := s.srv, s.Listener
	s.mu.Unlock()

	if t, ok := s.client.Transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
	if srv == nil {
		if ln != nil {
			_ = ln.Close()
		}
		return
	}
	// Shutdown waits up to five seconds for a connection a client opened
	// but sent nothing on; close those, and idle ones, here, as
	// httptest.Server does, and let Shutdown wait for requests in flight.
	srv.SetKeepAlivesEnabled(false)
	_ = ln.Close()
	s.connMu.Lock()
	for c, st := range s.conns {
		if st == http.StateNew || st == http.StateIdle {
			_ = c.Close()
		}
	}
	s.connMu.Unlock()
	_ = srv.Shutdown(context.Background())
}

// trackConn records connection states for Close.
func (s *Server) trackConn(c net.Conn, st http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if s.conns == nil {
		s.conns = map[net.Conn]http.ConnState{}
	}
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	default:
		s.conns[c] = st
	}
}

// Issuer returns the issuer of the org's default authorization server,
// URL + "/oauth2/default".
func (s *Server) Issuer() string {
	if s.URL == s.urls.base && s.urls.base != "" {
		return s.urls.issuer
	}
	return s.URL + issuerPath
}

// Client returns an HTTP client for talking to the server: a 30-second
// timeout, no proxy, and redirects returned rather than followed. Close
// closes its idle connections. It returns the same client on every call.
func (s *Server) Client() *http.Client { return s.client }

// RequestCounts returns how many requests arrived per "METHOD /path" (the
// path without its query), for example "POST /idp/idx/identify". Requests
// to unknown paths are counted too.
func (s *Server) RequestCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.requestCounts))
	for k, v := range s.requestCounts {
		out[k] = v
	}
	return out
}

// RequestLog returns the "METHOD /path" of every request in arrival order.
func (s *Server) RequestLog() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.requestLog...)
}

// ResetRequestLog empties the request log, the request counts and the
// recorded requests.
func (s *Server) ResetRequestLog() {
	s.resetRecorded()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requestLog = nil
	s.requestCounts = map[string]int{}
}

func (s *Server) now() time.Time { return s.cfg.now() }

// route is one endpoint: the methods it allows and its handler.
type route struct {
	methods []string
	serve   http.HandlerFunc
}

func (s *Server) routes() map[string]route {
	post := []string{http.MethodPost}
	get := []string{http.MethodGet}
	getPost := []string{http.MethodGet, http.MethodPost}
	m := map[string]route{
		issuerPath + "/.well-known/openid-configuration":       {get, s.serveDiscovery},
		issuerPath + "/.well-known/oauth-authorization-server": {get, s.serveDiscovery},
		issuerPath + "/v1/keys":                                {get, s.serveKeys},
		issuerPath + "/v1/interact":                            {post, s.serveInteract},
		issuerPath + "/v1/token":                               {post, s.serveToken},
		issuerPath + "/v1/userinfo":                            {getPost, s.serveUserinfo},
		issuerPath + "/v1/revoke":                              {post, s.serveRevoke},
		issuerPath + "/v1/introspect":                          {post, s.serveIntrospectToken},
		issuerPath + "/v1/logout":                              {get, s.serveLogout},
		issuerPath + "/v1/authorize":                           {getPost, s.serveAuthorize},
		"/idp/idx/introspect":                                  {post, s.idx(s.introspect)},
		"/idp/idx/identify":                                    {post, s.idx(s.remediate("/idp/idx/identify"))},
		"/idp/idx/challenge":                                   {post, s.idx(s.remediate("/idp/idx/challenge"))},
		"/idp/idx/challenge/resend":                            {post, s.idx(s.resend)},
		"/idp/idx/challenge/poll":                              {post, s.idx(s.poll)},
		"/idp/idx/challenge/answer":                            {post, s.idx(s.remediate("/idp/idx/challenge/answer"))},
		"/idp/idx/credential/enroll":                           {post, s.idx(s.remediate("/idp/idx/credential/enroll"))},
		"/idp/idx/skip":                                        {post, s.idx(s.remediate("/idp/idx/skip"))},
		"/idp/idx/enroll":                                      {post, s.idx(s.remediate("/idp/idx/enroll"))},
		"/idp/idx/enroll/new":                                  {post, s.idx(s.remediate("/idp/idx/enroll/new"))},
		"/idp/idx/identify/select":                             {post, s.idx(s.remediate("/idp/idx/identify/select"))},
		"/idp/idx/keep-me-signed-in":                           {post, s.idx(s.remediate("/idp/idx/keep-me-signed-in"))},
		"/idp/idx/cancel":                                      {post, s.idx(s.cancel)},
		"/idp/idx/challenge/send":                              {post, s.idx(s.remediate("/idp/idx/challenge/send"))},
		"/idp/idx/recover":                                     {post, s.idx(s.recoverPassword)},
		"/idp/idx/unlock-account":                              {post, s.idx(s.remediate("/idp/idx/unlock-account"))},
		"/idp/idx/authenticators/poll":                         {post, s.idx(s.remediate("/idp/idx/authenticators/poll"))},
		"/idp/idx/request-activation":                          {post, s.idx(s.remediate("/idp/idx/request-activation"))},
		"/idp/idx/consent":                                     {post, s.idx(s.remediate("/idp/idx/consent"))},
		"/idp/idx/device/activate":                             {post, s.idx(s.remediate("/idp/idx/device/activate"))},
		issuerPath + "/v1/device/authorize":                    {post, s.serveDeviceAuthorize},
		activatePath:                                           {get, s.serveActivatePage},
		idpAuthorizePath:                                       {get, s.serveIdPAuthorize},
		deviceCancelPath:                                       {post, s.idx(s.cancelDevicePolling)},
		deviceLaunchPath:                                       {post, s.idx(s.remediate(deviceLaunchPath))},
		idvPath:                                                {get, s.serveIdentityVerification},
		emailLinkPath:                                          {getPost, s.serveEmailLink},
		"/idxtest/outbox":                                      {get, s.serveOutbox},
		"/idxtest/okta-verify/activate":                        {get, s.serveOktaVerifyActivate},
	}
	if s.cfg.controlAPI {
		for p, rt := range s.controlRoutes() { // control.go
			m[p] = rt
		}
	}
	return m
}

// handler counts every request, logs it, and dispatches on the exact path.
func (s *Server) handler() http.Handler {
	routes := s.routes()
	// The request log entries of the routes, "METHOD /path", made once
	// rather than for every request.
	keys := map[string][]string{}
	for path, rt := range routes {
		for _, m := range rt.methods {
			keys[path] = append(keys[path], m+" "+path)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, ok := routes[r.URL.Path]
		key := ""
		for i, m := range rt.methods {
			if m == r.Method {
				key = keys[r.URL.Path][i]
			}
		}
		if key == "" {
			key = r.Method + " " + r.URL.Path
		}
		s.mu.Lock()
		s.requestLog = append(s.requestLog, key)
		s.requestCounts[key]++
		s.mu.Unlock()

		sw := &statusWriter{ResponseWriter: w}
		if s.cfg.logger.Enabled(r.Context(), slog.LevelInfo) {
			defer func() {
				s.cfg.logger.LogAttrs(r.Context(), slog.LevelInfo, "idxtest request",
					slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", sw.status()))
			}()
		}

		if s.cors(sw, r, rt, ok) { // a preflight (cors.go)
			return
		}
		if !ok {
			writeOktaError(sw, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+r.URL.Path+" ("+r.Method+")")
			return
		}
		allowed := false
		for _, m := range rt.methods {
			allowed = allowed || m == r.Method
		}
		if !allowed {
			sw.Header().Set("Allow", strings.Join(rt.methods, ", "))
			writeOktaError(sw, http.StatusMethodNotAllowed, "E0000022", "The endpoint does not support the provided HTTP method")
			return
		}
		r.Body = http.MaxBytesReader(sw, r.Body, maxBodyBytes)
		s.serveRoute(sw, r, rt.serve) // rt.serve, with any injected fault (faults.go)
	})
}

// statusWriter remembers the status code for the request log line.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// oktaError is the body of Okta management-API style errors, used for
// unknown paths and wrong methods.
type oktaError struct {
	ErrorCode    string   `json:"errorCode"`
	ErrorSummary string   `json:"errorSummary"`
	ErrorLink    string   `json:"errorLink"`
	ErrorID      string   `json:"errorId"`
	ErrorCauses  []string `json:"errorCauses"`
}

func writeOktaError(w http.ResponseWriter, status int, code, summary string) {
	writeJSON(w, status, "application/json", oktaError{
		ErrorCode:    code,
		ErrorSummary: summary,
		ErrorLink:    code,
		ErrorID:      "oae" + randomToken(16),
		ErrorCauses:  []string{},
	})
}

// writeJSON writes v as the body with the given status and content type.
// Responses are never cacheable unless the caller set Cache-Control.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
