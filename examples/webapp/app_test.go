package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

func TestSignInPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.browser()
	p := b.get("/login")
	if p.status != http.StatusOK {
		t.Fatalf("status %d, want 200", p.status)
	}
	for _, want := range []string{
		`<h1>Sign in</h1>`,
		`<form method="post" action="/login"`,
		`<input type="hidden" name="csrf" value="` + b.csrf + `">`,
		`<input type="text" id="field-username" name="value.username" autocomplete="username" required`,
		`<input type="password" id="field-password" name="value.password" autocomplete="current-password" required`,
		`<button type="submit" class="primary" id="submit">Next</button>`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("page lacks %s\n%s", want, p.body)
		}
	}
	// Showing the page keeps nothing on the server: the form's token is
	// the anonymous one, in a cookie of its own.
	if id := b.sessionID(); id != "" {
		t.Errorf("session cookie %q set for a visitor who only looked", id)
	}
	if v, _ := b.jarCookie(h.app.cookies.anonName()); v == "" || v != b.csrf {
		t.Errorf("anonymous token cookie %q, want the form's token %q", v, b.csrf)
	}
	if n := h.app.memSessions.len(); n != 0 {
		t.Errorf("%d sessions held, want 0", n)
	}
	// Showing the page asks nothing of the org.
	if n := len(h.org.RequestLog()); n != 0 {
		t.Errorf("the org got %d requests for GET /login, want 0: %v", n, h.org.RequestLog())
	}
}

// TestSignIn walks the seed's flow over HTTP: sign-in page, authenticator
// list, code page, home page; and checks what each page shows.
func TestSignIn(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.browser()
	b.get("/login")
	before := b.sessionID()

	p := b.post("/login", url.Values{"value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}})
	if p.status != http.StatusSeeOther || p.location() != "/login" {
		t.Fatalf("POST /login: %d to %q, want 303 to /login", p.status, p.location())
	}
	p = b.follow(p)
	for _, want := range []string{
		`data-step="select-authenticator-authenticate"`,
		`<h1>Verify it&#39;s you</h1>`,
		`<input type="radio" id="field-authenticator-0" name="value.authenticator" value="okta_email" checked>`,
		`<span>Email</span>`,
		`id="cancel"`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("authenticator page lacks %s", want)
		}
	}
	if strings.Contains(p.body, `id="resend"`) {
		t.Error("authenticator page offers a resend")
	}

	p = b.follow(b.post("/login/step", url.Values{"step": {"select-authenticator-authenticate"}, "value.authenticator": {"okta_email"}}))
	for _, want := range []string{
		`data-step="challenge-authenticator"`,
		`<h1>Check your email</h1>`,
		`We sent a verification code to d***o@example.com.`,
		`<input type="text" id="field-verificationCode" name="value.verificationCode" autocomplete="one-time-code" required`,
		`<button type="submit" class="link" id="resend">Send a new code</button>`,
		`id="cancel"`,
		`href="/dev/mailbox"`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("code page lacks %s\n%s", want, p.body)
		}
	}

	code := h.lastCode()
	p = b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {code}})
	if p.status != http.StatusSeeOther || p.location() != "/" {
		t.Fatalf("POST code: %d to %q, want 303 to /", p.status, p.location())
	}
	after := b.sessionID()
	if after == "" || after == before {
		t.Errorf("session ID not rotated at sign-in: before %q, after %q", before, after)
	}
	if _, ok := h.app.memSessions.get(before); ok {
		t.Error("the pre-sign-in session still exists")
	}
	p = b.follow(p)
	if p.status != http.StatusOK {
		t.Fatalf("GET /: %d", p.status)
	}
	for _, want := range []string{
		`<h1 id="profile-name">Demo User</h1>`,
		`<dd id="profile-email">demo@example.com <span class="badge ok">verified</span></dd>`,
		`<dd id="profile-sub"><code>00uidxtestdemo0001</code></dd>`,
		`<tr><th scope="row">amr</th><td>pwd, email</td></tr>`,
		`<tr><th scope="row">iss</th><td>` + h.org.Issuer() + `</td></tr>`,
		`<tr><th scope="row">aud</th><td>idxtest-confidential</td></tr>`,
		`<dt>Refresh token</dt><dd>yes</dd>`,
		`<button type="submit" class="secondary" id="signout">Sign out</button>`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	sess, _ := h.app.memSessions.get(after)
	tok := sess.user.tokens
	for name, secret := range map[string]string{
		"access token": tok.AccessToken.Reveal(), "ID token": tok.IDToken.Reveal(), "refresh token": tok.RefreshToken.Reveal(),
	} {
		if secret == "" || strings.Contains(p.body, secret) {
			t.Errorf("home page shows the raw %s (or it is empty)", name)
		}
	}
	// Signed in, the sign-in page sends home.
	if p := b.get("/login"); p.status != http.StatusSeeOther || p.location() != "/" {
		t.Errorf("GET /login when signed in: %d to %q, want 303 to /", p.status, p.location())
	}

	checkLogs(t, h, map[string]string{
		"password": idxtest.DemoPassword, "code": code, "session before": before, "session after": after,
		"access token": tok.AccessToken.Reveal(), "ID token": tok.IDToken.Reveal(),
		"refresh token": tok.RefreshToken.Reveal(), "state": sess.user.state, "client secret": idxtest.ConfidentialClientSecret,
	})
	for _, want := range []string{
		`msg="sign-in: step" status=PENDING step=select-authenticator-authenticate`,
		`msg="sign-in: answering" step=challenge-authenticator`,
		`msg="sign-in: signed in" status=SUCCESS`,
	} {
		if !strings.Contains(h.logs.String(), want) {
			t.Errorf("logs lack %s", want)
		}
	}
}

// checkLogs fails if the logs hold any of secrets.
func checkLogs(t *testing.T, h *harness, secrets map[string]string) {
	t.Helper()
	logs := h.logs.String()
	for name, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Errorf("the logs hold the %s", name)
		}
	}
}

func TestWrongCode(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.browser()
	b.signInToCode()
	p := b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {"000000"}})
	if p.status != http.StatusSeeOther || p.location() != "/login" {
		t.Fatalf("wrong code: %d to %q, want 303 to /login", p.status, p.location())
	}
	p = b.follow(p)
	for _, want := range []string{
		`data-step="challenge-authenticator"`,
		`<div class="field invalid">`,
		`<p class="field-error" id="field-verificationCode-error" role="alert">Invalid code. Try again.</p>`,
		`aria-invalid="true"`,
		`id="resend"`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("code page after a wrong code lacks %s\n%s", want, p.body)
		}
	}
	if !strings.Contains(h.logs.String(), `rejected="invalid passcode"`) {
		t.Error("the logs do not name the rejection")
	}
	checkLogs(t, h, map[string]string{"wrong code": "000000"})
	// The right code still works.
	p = b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {h.lastCode()}})
	if p.location() != "/" {
		t.Fatalf("right code after a wrong one: %d to %q, want /", p.status, p.location())
	}
}

// TestWrongPasswordLooksLikeUnknownUser: the page after a wrong password is
// the page after an unknown username (OWASP ASVS 6.3.8).
func TestWrongPasswordLooksLikeUnknownUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tokens := regexp.MustCompile(`value="[A-Za-z0-9_-]{43}"`)
	page := func(user, pass string) string {
		b := h.browser()
		b.get("/login")
		p := b.follow(b.post("/login", url.Values{"value.username": {user}, "value.password": {pass}}))
		return tokens.ReplaceAllString(p.body, `value="TOKEN"`)
	}
	wrongPassword := page(idxtest.DemoUsername, "not-the-password")
	unknownUser := page("nobody@example.com", "not-the-password")
	if diff := cmp.Diff(wrongPassword, unknownUser); diff != "" {
		t.Errorf("pages differ (-wrong password +unknown user):\n%s", diff)
	}
	for _, want := range []string{`data-step="identify"`, `<p class="message error" role="alert">Authentication failed</p>`} {
		if !strings.Contains(wrongPassword, want) {
			t.Errorf("page lacks %s\n%s", want, wrongPassword)
		}
	}
	// The identify step of the org, rendered generically, can be answered.
	b := h.browser()
	b.get("/login")
	b.post("/login", url.Values{"value.username": {idxtest.DemoUsername}, "value.password": {"wrong"}})
	p := b.follow(b.post("/login/step", url.Values{
		"step": {"identify"}, "value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}, "value.rememberMe": {"true"},
	}))
	if !strings.Contains(p.body, `data-step="select-authenticator-authenticate"`) {
		t.Errorf("answering the identify step did not move on:\n%s", p.body)
	}
}

// TestFormsNeedSessionAndCSRF: every POST without a live session and its
// token is refused with 403 and changes nothing, at the app or the org.
func TestFormsNeedSessionAndCSRF(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	victim := h.browser()
	victim.signInToCode()
	other := h.browser()
	other.get("/login")

	forms := map[string]url.Values{
		"/login":        {"value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}, "value.rememberMe": {"true"}},
		"/login/step":   {"step": {"challenge-authenticator"}, "value.verificationCode": {"123456"}},
		"/login/resend": {},
		"/login/cancel": {},
		"/logout":       {},
	}
	tests := []struct {
		name   string
		mutate func(*http.Request)
		csrf   func() string
	}{
		{"no token", nil, func() string { return "" }},
		{"wrong token", nil, func() string { return strings.Repeat("A", 43) }},
		{"another session's token", nil, func() string { return other.csrf }},
		{"no session cookie", func(r *http.Request) { r.Header.Del("Cookie") }, func() string { return victim.csrf }},
		{"cross-site request", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }, func() string { return victim.csrf }},
		{"foreign origin", func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") }, func() string { return victim.csrf }},
	}
	h.org.ResetRequestLog()
	for _, tt := range tests {
		for path, form := range forms {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				form := cloneValues(form)
				form.Set("csrf", tt.csrf())
				req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.AddCookie(h.app.cookies.cookie(victim.sessionID()))
				if tt.mutate != nil {
					tt.mutate(req)
				}
				rec := httptest.NewRecorder()
				h.app.handler().ServeHTTP(rec, req)
				if rec.Code != http.StatusForbidden {
					t.Errorf("status %d, want 403", rec.Code)
				}
				if got := rec.Header().Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control %q, want no-store", got)
				}
				if rec.Header().Get("Set-Cookie") != "" {
					t.Errorf("a refused form set a cookie: %s", rec.Header().Get("Set-Cookie"))
				}
			})
		}
	}
	if log := h.org.RequestLog(); len(log) != 0 {
		t.Errorf("refused forms reached the org: %v", log)
	}
	// The victim's sign-in is untouched.
	p := victim.get("/login")
	if !strings.Contains(p.body, `data-step="challenge-authenticator"`) {
		t.Errorf("the victim's sign-in moved:\n%s", p.body)
	}
}

// TestNoStateChangeOnGET: the actions answer only POST.
func TestNoStateChangeOnGET(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.browser()
	b.signIn()
	id := b.sessionID()
	for _, path := range []string{"/logout", "/login/step", "/login/resend", "/login/cancel"} {
		if p := b.get(path); p.status != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: status %d, want 405", path, p.status)
		}
	}
	if _, ok := h.app.memSessions.get(id); !ok {
		t.Error("a GET ended the session")
	}
	if n := h.org.RequestCounts()["POST /oauth2/default/v1/revoke"]; n != 0 {
		t.Errorf("a GET revoked tokens (%d revoke calls)", n)
	}
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.browser()
	b.signIn()
	signedIn := b.sessionID()
	p := b.post("/logout", nil)
	if p.status != http.StatusSeeOther || p.location() != "/login" {
		t.Fatalf("POST /logout: %d to %q, want 303 to /login", p.status, p.location())
	}
	if n := h.org.RequestCounts()["POST /oauth2/default/v1/revoke"]; n != 2 {
		t.Errorf("%d revoke calls, want 2 (refresh and access token)", n)
	}
	if _, ok := h.app.memSessions.get(signedIn); ok {
		t.Error("the signed-in session survived sign-out")
	}
	if id := b.sessionID(); id == signedIn || id == "" {
		t.Errorf("session cookie after sign-out is %q, want a new anonymous session", id)
	}
	p = b.follow(p)
	if !strings.Contains(p.body, `<p class="flash" role="status">You have signed out.</p>`) {
		t.Errorf("no sign-out notice:\n%s", p.body)
	}
	if p := b.get("/"); p.status != http.StatusSeeOther || p.location() != "/login" {
		t.Errorf("GET / after sign-out: %d to %q, want 303 to /login", p.status, p.location())
	}
	// The old cookie is worth nothing.
	b.setSessionID(signedIn)
	if p := b.get("/"); p.location() != "/login" {
		t.Errorf("GET / with the old session: %d to %q, want /login", p.status, p.location())
	}
}

func TestSignOutRevokeFails(t *testing.T) {
	t.Parallel()
	stub := &stubClient{revokeErr: errors.New("revoke: connection refused")}
	stub.authenticate = func(idx.Options) (*idx.Transaction, error) {
		return &idx.Transaction{Status: idx.StatusSuccess, State: "s", Tokens: &idx.Tokens{AccessToken: "at"}}, nil
	}
	h := newHarness(t, withClient(stub))
	b := h.browser()
	b.get("/login")
	b.follow(b.post("/login", url.Values{"value.username": {"u"}, "value.password": {"p"}}))
	p := b.follow(b.post("/logout", nil))
	if !strings.Contains(p.body, "could not be told to revoke your tokens") {
		t.Errorf("no notice that revoking failed:\n%s", p.body)
	}
	if p := b.get("/"); p.location() != "/login" {
		t.Error("the session survived a failed revoke")
	}
}

func TestResendAndCancel(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.browser()
	b.signInToCode()
	first := h.lastCode()

	p := b.follow(b.post("/login/resend", nil))
	if !strings.Contains(p.body, "We sent you a new code.") || !strings.Contains(p.body, `data-step="challenge-authenticator"`) {
		t.Errorf("after resend, want the code page with a notice:\n%s", p.body)
	}
	if n := len(h.org.Outbox()); n != 2 {
		t.Errorf("%d emails after a resend, want 2", n)
	}
	checkLogs(t, h, map[string]string{"first code": first, "second code": h.lastCode()})

	p = b.follow(b.post("/login/cancel", nil))
	for _, want := range []string{"Sign-in canceled.", `<form method="post" action="/login"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("after cancel, page lacks %s\n%s", want, p.body)
		}
	}
	if n := h.org.RequestCounts()["POST /idp/idx/cancel"]; n != 1 {
		t.Errorf("%d cancel calls at the org, want 1", n)
	}
	// A stale form of the canceled transaction goes nowhere.
	p = b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {h.lastCode()}})
	if p.location() != "/login" {
		t.Errorf("stale code form: %d to %q, want /login", p.status, p.location())
	}
	if p := b.follow(p); !strings.Contains(p.body, "Please sign in.") {
		t.Errorf("stale form gives no notice:\n%s", p.body)
	}
}

// TestOtherStep: a step the org offers besides the next one can be shown
// (by GET, which changes nothing) and answered.
func TestOtherStep(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.browser()
	p := b.signInToCode()
	link := `<a href="/login?step=select-authenticator-authenticate">Verify with something else</a>`
	if !strings.Contains(p.body, link) {
		t.Fatalf("code page lacks %s\n%s", link, p.body)
	}
	p = b.get("/login?step=select-authenticator-authenticate")
	if !strings.Contains(p.body, `data-step="select-authenticator-authenticate"`) {
		t.Fatalf("?step= did not show the step:\n%s", p.body)
	}
	if strings.Contains(p.body, `id="resend"`) {
		t.Error("the authenticator list offers a resend")
	}
	p = b.follow(b.post("/login/step", url.Values{"step": {"select-authenticator-authenticate"}, "value.authenticator": {"okta_email"}}))
	if !strings.Contains(p.body, `data-step="challenge-authenticator"`) {
		t.Errorf("choosing Email again: want the code page\n%s", p.body)
	}
	// A step the org does not offer is ignored.
	if p := b.get("/login?step=no-such-step"); !strings.Contains(p.body, `data-step="challenge-authenticator"`) {
		t.Errorf("?step=no-such-step: want the next step\n%s", p.body)
	}
}

// TestExpiredSession: a session past its idle time is gone: its forms are
// refused and its pages start over.
func TestExpiredSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.browser()
	b.signInToCode()
	old := b.sessionID()
	h.clock.advance(31 * time.Minute)

	p := b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {h.lastCode()}})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "Your session was not found") {
		t.Errorf("code after the session expired: %d, want 403 with an explanation\n%s", p.status, p.body)
	}
	p = b.get("/login")
	if p.status != http.StatusOK || !strings.Contains(p.body, `action="/login"`) {
		t.Errorf("GET /login after expiry: %d, want the sign-in page\n%s", p.status, p.body)
	}
	if id := b.sessionID(); id == old {
		t.Error("the expired session ID was kept")
	}
}

// TestExpiredTransaction: the org forgot the transaction; the user is told
// and starts again.
func TestExpiredTransaction(t *testing.T) {
	t.Parallel()
	for _, err := range []error{idx.ErrTransactionExpired, idx.ErrTransactionNotFound, &idx.OAuthError{Endpoint: "token", Code: "invalid_grant"}} {
		t.Run(err.Error(), func(t *testing.T) {
			t.Parallel()
			stub := &stubClient{}
			stub.authenticate = func(o idx.Options) (*idx.Transaction, error) {
				if o.State == "" {
					return pending(idx.NextStep{Name: "challenge-authenticator", Inputs: []authenticator.Input{{Name: "verificationCode", Type: "string", Required: true}}}), nil
				}
				return nil, err
			}
			h := newHarness(t, withClient(stub))
			b := h.browser()
			b.get("/login")
			b.follow(b.post("/login", url.Values{"value.username": {"u"}, "value.password": {"p"}}))
			p := b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {"1"}})
			if p.location() != "/login" {
				t.Fatalf("%d to %q, want /login", p.status, p.location())
			}
			p = b.follow(p)
			for _, want := range []string{"Your sign-in expired. Please start again.", `action="/login"`} {
				if !strings.Contains(p.body, want) {
					t.Errorf("page lacks %s\n%s", want, p.body)
				}
			}
		})
	}
}

// TestDoubleSubmit: when another request of the same browser moved the
// transaction on first, this one's stale view of the session is not saved
// over it.
func TestDoubleSubmit(t *testing.T) {
	t.Parallel()
	code := idx.NextStep{Name: "challenge-authenticator", Inputs: []authenticator.Input{{Name: "verificationCode", Type: "string", Required: true}}}
	moved := pending(idx.NextStep{Name: "select-authenticator-authenticate", Inputs: []authenticator.Input{{Name: "authenticator", Type: "authenticator"}}})
	var h *harness
	var b *browser
	stub := &stubClient{}
	stub.authenticate = func(o idx.Options) (*idx.Transaction, error) {
		if o.State == "" {
			return pending(code), nil
		}
		// While this answer is on its way, the other submission finishes
		// first and saves its transaction in the session.
		id := b.sessionID()
		sess, _ := h.app.memSessions.get(id)
		sess.tx = moved
		h.app.memSessions.save(id, sess)
		return nil, fmt.Errorf("idx: saving: %w", idx.ErrTransactionConflict)
	}
	h = newHarness(t, withClient(stub))
	b = h.browser()
	b.get("/login")
	b.follow(b.post("/login", url.Values{"value.username": {"u"}, "value.password": {"p"}}))
	p := b.follow(b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {"1"}}))
	for _, want := range []string{"This form was sent twice.", `data-step="select-authenticator-authenticate"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("page lacks %s\n%s", want, p.body)
		}
	}
}

func TestTamperedCookie(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	owner := h.browser()
	owner.signIn()
	real := owner.sessionID()
	flipped := []byte(real)
	if flipped[10] == 'A' {
		flipped[10] = 'B'
	} else {
		flipped[10] = 'A'
	}
	for _, tt := range []struct{ name, value string }{
		{"one character changed", string(flipped)},
		{"extended", real + "A"},
		{"truncated", real[:42]},
		{"random valid-looking ID", newSessionID()},
		{"junk", "../../etc/passwd"},
		{"empty", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := h.browser()
			b.setSessionID(tt.value)
			if p := b.get("/"); p.status != http.StatusSeeOther || p.location() != "/login" {
				t.Errorf("GET /: %d to %q, want 303 to /login", p.status, p.location())
			}
			if p := b.post("/logout", url.Values{"csrf": {owner.csrf}}); p.status != http.StatusForbidden {
				t.Errorf("POST /logout: %d, want 403", p.status)
			}
			p := b.get("/login")
			if p.status != http.StatusOK {
				t.Errorf("GET /login: %d, want 200", p.status)
			}
			if id := b.sessionID(); id != "" {
				t.Errorf("GET /login kept the session cookie %q, want it dropped", id)
			}
		})
	}
	if _, ok := h.app.memSessions.get(real); !ok {
		t.Error("the owner's session ended")
	}
}

func TestReturnTo(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tt := range []struct{ returnTo, want string }{
		{"", "/"},
		{"/", "/"},
		{"/reports?year=2026#top", "/reports?year=2026#top"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"https://evil.example", "/"},
		{"%2F%2Fevil.example", "/"},
		{"/%2F%2Fevil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"/\t/evil.example", "/"},
	} {
		t.Run(tt.returnTo, func(t *testing.T) {
			b := h.browser()
			p := b.get("/login?return_to=" + url.QueryEscape(tt.returnTo))
			hidden := `name="return_to"`
			if tt.want == "/" && strings.Contains(p.body, hidden) {
				t.Errorf("the sign-in page carries an unsafe return path:\n%s", p.body)
			}
			b.post("/login", url.Values{"value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}, "return_to": {tt.returnTo}})
			b.post("/login/step", url.Values{"step": {"select-authenticator-authenticate"}, "value.authenticator": {"okta_email"}})
			code, _ := h.org.LastCode(idxtest.DemoUsername)
			p = b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {code}})
			if p.status != http.StatusSeeOther || p.location() != tt.want {
				t.Errorf("after sign-in: %d to %q, want 303 to %q", p.status, p.location(), tt.want)
			}
		})
	}
}

func TestCookieAttributes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		secure bool
		want   string
	}{
		{"http", false, "goidx_anon=ID; Path=/; HttpOnly; SameSite=Lax\ngoidx_session=ID; Path=/; HttpOnly; SameSite=Lax"},
		{"https", true, "__Host-goidx_anon=ID; Path=/; HttpOnly; Secure; SameSite=Lax\n__Host-goidx_session=ID; Path=/; HttpOnly; Secure; SameSite=Lax"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []harnessOption
			if tt.secure {
				opts = append(opts, withSecureCookies())
			}
			h := newHarness(t, opts...)
			b := h.browser()
			// The anonymous token's cookie with the sign-in page, the
			// session's once a sign-in starts (the first one dropped).
			p := b.get("/login")
			started := b.post("/login", url.Values{"value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}})
			var set []string
			for _, c := range started.header.Values("Set-Cookie") {
				if !strings.Contains(c, "Max-Age=0") {
					set = append(set, c)
				}
			}
			got := regexp.MustCompile(`=[A-Za-z0-9_-]{43};`).ReplaceAllString(p.header.Get("Set-Cookie")+"\n"+strings.Join(set, "\n"), "=ID;")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Set-Cookie mismatch (-want +got):\n%s", diff)
			}
			hsts := p.header.Get("Strict-Transport-Security") != ""
			if hsts != tt.secure {
				t.Errorf("HSTS header present: %v, want %v", hsts, tt.secure)
			}
			// The whole flow works over https with the prefixed cookie.
			if tt.secure {
				b = h.browser()
				if p := b.signIn(); !strings.Contains(p.body, "Demo User") {
					t.Errorf("sign-in over https failed:\n%s", p.body)
				}
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.browser()
	home := b.signIn()
	pages := map[string]page{
		"home":     home,
		"sign-in":  h.browser().get("/login"),
		"mailbox":  b.get("/dev/mailbox"),
		"callback": b.get("/login/callback?error=access_denied"),
		"403":      h.browser().post("/logout", nil),
	}
	for name, p := range pages {
		t.Run(name, func(t *testing.T) {
			for k, want := range map[string]string{
				"Cache-Control":          "no-store",
				"Content-Type":           "text/html; charset=utf-8",
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "DENY",
			} {
				if got := p.header.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
		})
	}
	css := b.get("/static/style.css")
	if css.status != http.StatusOK || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("style sheet: %d %q", css.status, css.header.Get("Content-Type"))
	}
}

// TestEscaping: what the org sends is text, never markup.
func TestEscaping(t *testing.T) {
	t.Parallel()
	evil := `<script>alert("x")</script>`
	stub := &stubClient{}
	stub.authenticate = func(idx.Options) (*idx.Transaction, error) {
		return pending(idx.NextStep{
			Name:   "challenge-authenticator",
			Inputs: []authenticator.Input{{Name: `code"><b>`, Label: evil, Type: "string"}},
		}, idx.Message{Class: "ERROR", Text: evil}, idx.Message{Class: `x" onclick="y`, Text: "field", Field: `code"><b>`}), nil
	}
	h := newHarness(t, withClient(stub))
	b := h.browser()
	b.get("/login")
	p := b.follow(b.post("/login", url.Values{"value.username": {"u"}, "value.password": {"p"}}))
	if strings.Contains(p.body, "<script>") || strings.Contains(p.body, `"><b>`) || strings.Contains(p.body, `onclick="y`) {
		t.Errorf("unescaped server text in page:\n%s", p.body)
	}
	if !strings.Contains(p.body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("escaped message missing:\n%s", p.body)
	}
	cb := b.get("/login/callback?error=" + url.QueryEscape(evil) + "&error_description=" + url.QueryEscape(evil))
	if cb.status != http.StatusBadRequest || strings.Contains(cb.body, "<script>") {
		t.Errorf("callback: %d\n%s", cb.status, cb.body)
	}
	// Nor can it forge log lines (ASVS 16.4.1).
	b.get("/login/callback?error=" + url.QueryEscape("x\nlevel=ERROR msg=forged"))
	for _, line := range strings.Split(h.logs.String(), "\n") {
		if strings.HasPrefix(line, "level=ERROR msg=forged") {
			t.Errorf("forged log line: %s", line)
		}
	}
}

// TestAnyStep: a step the app has never heard of gets a form from its
// inputs, and its answer goes back by input name.
func TestAnyStep(t *testing.T) {
	t.Parallel()
	step := idx.NextStep{
		Name: "enroll-profile",
		Inputs: []authenticator.Input{
			{Name: "userProfile.firstName", Label: "First name", Type: "string", Required: true},
			{Name: "userProfile.favouriteColour", Label: "Favourite colour", Type: "string", Options: []authenticator.Choice{{Label: "Red", Value: "red"}, {Label: "Blue", Value: "blue"}}},
			{Name: "credentials.passcode", Label: "Password", Type: "string", Secret: true, Required: true},
			{Name: "subscribe", Label: "Send me news", Type: "boolean"},
		},
		CanSkip: true,
	}
	skip := idx.NextStep{Name: "skip"}
	stub := &stubClient{}
	stub.authenticate = func(o idx.Options) (*idx.Transaction, error) {
		tx := pending(step)
		tx.AvailableSteps = append(tx.AvailableSteps, skip)
		return tx, nil
	}
	h := newHarness(t, withClient(stub))
	b := h.browser()
	b.get("/login")
	p := b.follow(b.post("/login", url.Values{"value.username": {"u"}, "value.password": {"p"}}))
	for _, want := range []string{
		`<h1>Sign up</h1>`,
		`<input type="text" id="field-userProfile.firstName" name="value.userProfile.firstName" required`,
		`<legend>Favourite colour</legend>`,
		`<input type="radio" id="field-userProfile.favouriteColour-1" name="value.userProfile.favouriteColour" value="blue">`,
		`<input type="password" id="field-credentials.passcode" name="value.credentials.passcode" autocomplete="new-password" required`,
		`<input type="checkbox" id="field-subscribe" name="value.subscribe" value="true">`,
		`<a href="/login?step=skip">Skip</a>`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("page lacks %s\n%s", want, p.body)
		}
	}
	b.post("/login/step", url.Values{
		"step":                              {"enroll-profile"},
		"value.userProfile.firstName":       {"  Ada "},
		"value.userProfile.favouriteColour": {"blue"},
		"value.credentials.passcode":        {" secret "},
		"value.subscribe":                   {"true"},
		"value.unknown":                     {"ignored"},
	})
	want := idx.Options{State: "stub-state-0123456789", Step: "enroll-profile", Values: map[string]any{
		"userProfile.firstName": "Ada", "userProfile.favouriteColour": "blue", "credentials.passcode": " secret ", "subscribe": true,
	}}
	if diff := cmp.Diff(want, stub.lastCall()); diff != "" {
		t.Errorf("Authenticate options mismatch (-want +got):\n%s", diff)
	}
	// The skip step has no inputs: a button answers it.
	p = b.get("/login?step=skip")
	if !strings.Contains(p.body, `<input type="hidden" name="step" value="skip">`) {
		t.Errorf("skip page lacks its form:\n%s", p.body)
	}
	b.post("/login/step", url.Values{"step": {"skip"}})
	if diff := cmp.Diff(idx.Options{State: "stub-state-0123456789", Step: "skip", Values: map[string]any{}}, stub.lastCall()); diff != "" {
		t.Errorf("skip options mismatch (-want +got):\n%s", diff)
	}
	// A choice that was not offered never reaches the SDK.
	calls := len(stub.calls)
	p = b.follow(b.post("/login/step", url.Values{"step": {"enroll-profile"}, "value.userProfile.favouriteColour": {"green"}}))
	if len(stub.calls) != calls || !strings.Contains(p.body, "That answer does not fit this step.") {
		t.Errorf("an unoffered choice was sent, or no notice:\n%s", p.body)
	}
}

func TestTerminal(t *testing.T) {
	t.Parallel()
	stub := &stubClient{}
	stub.authenticate = func(idx.Options) (*idx.Transaction, error) {
		return &idx.Transaction{Status: idx.StatusTerminal, Messages: []idx.Message{
			{Class: "INFO", Key: "idx.return.link.expired", Text: "This link has expired."},
		}}, nil
	}
	h := newHarness(t, withClient(stub))
	b := h.browser()
	b.get("/login")
	p := b.follow(b.post("/login", url.Values{"value.username": {"u"}, "value.password": {"p"}}))
	if !strings.Contains(p.body, `<p class="message info" role="alert">This link has expired.</p>`) || !strings.Contains(p.body, `action="/login"`) {
		t.Errorf("want the sign-in page with the server's message:\n%s", p.body)
	}
	// Shown once.
	if p := b.get("/login"); strings.Contains(p.body, "This link has expired.") {
		t.Error("the message is shown again")
	}
}

// TestOrgErrors: when the org cannot be reached or refuses the app, the page
// says so in plain words and the log has the details.
func TestOrgErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantText   string
		wantLog    string
	}{
		{"unreachable", fmt.Errorf("idx: interact: %w", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}),
			http.StatusServiceUnavailable, "We could not reach the sign-in service.", "hint=\"check OKTA_ISSUER and the network path to the org\""},
		{"timeout", fmt.Errorf("idx: %w", idx.ErrOutcomeUnknown),
			http.StatusServiceUnavailable, "We could not reach the sign-in service.", "the Okta org is unreachable"},
		{"bad client", &idx.OAuthError{Endpoint: "interact", StatusCode: 401, Code: "invalid_client"},
			http.StatusBadGateway, "The sign-in service refused this app&#39;s settings.", "OKTA_CLIENT_ID"},
		{"rate limited", fmt.Errorf("idx: %w", idx.ErrRateLimited),
			http.StatusTooManyRequests, "Please wait a minute", "rate-limited"},
		{"bad ID token", fmt.Errorf("idx: %w", idx.ErrInvalidIDToken),
			http.StatusBadGateway, "could not be verified", "ID token verification failed"},
		{"other", errors.New("boom"),
			http.StatusInternalServerError, "Something went wrong", "request failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stub := &stubClient{}
			stub.authenticate = func(idx.Options) (*idx.Transaction, error) { return nil, tt.err }
			h := newHarness(t, withClient(stub))
			b := h.browser()
			b.get("/login")
			p := b.post("/login", url.Values{"value.username": {"u"}, "value.password": {"p"}})
			if p.status != tt.wantStatus || !strings.Contains(p.body, tt.wantText) {
				t.Errorf("status %d, want %d with %q\n%s", p.status, tt.wantStatus, tt.wantText, p.body)
			}
			if !strings.Contains(h.logs.String(), tt.wantLog) {
				t.Errorf("logs lack %q:\n%s", tt.wantLog, h.logs.String())
			}
		})
	}
}

// TestUnreachableOrg uses the real SDK against a closed port.
func TestUnreachableOrg(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := idx.NewClient(idx.Config{Issuer: "http://" + addr + "/oauth2/default", ClientID: "x", RedirectURI: idxtest.DefaultRedirectURI},
		idx.WithInsecureLoopbackHTTP(), idx.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, withClient(c))
	b := h.browser()
	b.get("/login")
	p := b.post("/login", url.Values{"value.username": {"u"}, "value.password": {"p"}})
	if p.status != http.StatusServiceUnavailable || !strings.Contains(p.body, "We could not reach the sign-in service.") {
		t.Errorf("status %d, want 503 with an explanation\n%s", p.status, p.body)
	}
}

func TestUserInfoFails(t *testing.T) {
	t.Parallel()
	stub := &stubClient{userInfoErr: errors.New("userinfo: 500")}
	stub.authenticate = func(idx.Options) (*idx.Transaction, error) {
		return &idx.Transaction{Status: idx.StatusSuccess, State: "s", Tokens: &idx.Tokens{
			AccessToken:   "at",
			IDTokenClaims: &idx.IDTokenClaims{Subject: "00uclaims", Claims: map[string]any{"sub": "00uclaims", "name": "Claire Claims", "email": "c@example.com"}},
		}}, nil
	}
	h := newHarness(t, withClient(stub))
	b := h.browser()
	b.get("/login")
	p := b.follow(b.post("/login", url.Values{"value.username": {"u"}, "value.password": {"p"}}))
	for _, want := range []string{"could not be fetched from the userinfo endpoint", "Claire Claims", "00uclaims"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("home page lacks %q\n%s", want, p.body)
		}
	}
}

func TestDevMailbox(t *testing.T) {
	t.Parallel()
	t.Run("fake org", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		b := h.browser()
		if p := b.get("/dev/mailbox"); !strings.Contains(p.body, `id="empty"`) {
			t.Errorf("empty mailbox:\n%s", p.body)
		}
		b.signInToCode()
		p := b.get("/dev/mailbox")
		for _, want := range []string{
			`<code class="otp">` + h.lastCode() + `</code>`,
			"Your one-time verification code",
			"to demo@example.com",
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("mailbox lacks %s\n%s", want, p.body)
			}
		}
	})
	t.Run("real org", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, withoutMailbox())
		b := h.browser()
		if p := b.get("/dev/mailbox"); p.status != http.StatusNotFound {
			t.Errorf("GET /dev/mailbox: %d, want 404", p.status)
		}
		if p := b.get("/login"); strings.Contains(p.body, "mailbox") || strings.Contains(p.body, idxtest.DemoPassword) {
			t.Errorf("sign-in page mentions the dev mailbox or demo password in real-org mode:\n%s", p.body)
		}
	})
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withClient(&stubClient{}))
	if p := h.browser().get("/nope"); p.status != http.StatusNotFound {
		t.Errorf("status %d, want 404", p.status)
	}
}

func TestEmptyCredentials(t *testing.T) {
	t.Parallel()
	stub := &stubClient{}
	h := newHarness(t, withClient(stub))
	b := h.browser()
	b.get("/login")
	p := b.follow(b.post("/login", url.Values{"value.username": {"  "}, "value.password": {""}, "return_to": {"/x"}}))
	if !strings.Contains(p.body, "Enter your username and password.") || len(stub.calls) != 0 {
		t.Errorf("want a notice and no call; calls %d\n%s", len(stub.calls), p.body)
	}
	if !strings.Contains(p.body, `<input type="hidden" name="return_to" value="/x">`) {
		t.Error("the return path was lost")
	}
}

func TestSessionStoreFull(t *testing.T) {
	t.Parallel()
	stub := &stubClient{authenticate: func(idx.Options) (*idx.Transaction, error) {
		return pending(idx.NextStep{Name: "challenge-authenticator", Inputs: []authenticator.Input{{Name: "verificationCode", Type: "string"}}}), nil
	}}
	h := newHarness(t, withClient(stub), withAppConfig(func(c *appConfig) { c.maxSessions = 1 }))
	for i, want := range []int{http.StatusSeeOther, http.StatusServiceUnavailable} {
		b := h.browser()
		if p := b.get("/login"); p.status != http.StatusOK {
			t.Errorf("visitor %d: GET /login: status %d, want 200", i, p.status)
		}
		if p := b.post("/login", url.Values{"value.username": {"u"}, "value.password": {"p"}}); p.status != want {
			t.Errorf("visitor %d: POST /login: status %d, want %d", i, p.status, want)
		}
	}
}
