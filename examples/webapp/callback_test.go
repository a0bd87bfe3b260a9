package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// emailLink returns the sign-in link of the email the fake org sent the
// demo user last.
func (h *harness) emailLink() string {
	h.t.Helper()
	out := h.org.Outbox()
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].To == idxtest.DemoUsername && out[i].Link != "" {
			return out[i].Link
		}
	}
	h.t.Fatal("the fake org sent no email with a link")
	return ""
}

// openLink follows an email link as a browser does: the fake org's link
// redirects to the app's redirect URI, whose answer is returned.
func (b *browser) openLink(link string) page {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, link, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	p := b.do(req)
	if p.status != http.StatusFound || !strings.HasPrefix(p.location(), b.h.redirectURI+"?") {
		b.t.Fatalf("the fake org's link: %d to %q, want 302 to %s", p.status, p.location(), b.h.redirectURI)
	}
	req, err = http.NewRequestWithContext(b.t.Context(), http.MethodGet, p.location(), nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// TestEmailLink: the email's sign-in link finishes the sign-in in the
// browser that started it, and shows its code anywhere else.
func TestEmailLink(t *testing.T) {
	t.Parallel()
	t.Run("same browser", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		b := h.browser()
		b.signInToCode()
		before := b.sessionID()
		p := b.openLink(h.emailLink())
		if p.status != http.StatusSeeOther || p.location() != "/" {
			t.Fatalf("callback: %d to %q, want 303 to /; body:\n%s", p.status, p.location(), p.body)
		}
		home := b.follow(p)
		if !strings.Contains(home.body, `id="profile"`) || !strings.Contains(home.body, "Demo User") {
			t.Fatalf("after the link, want the profile page; got:\n%s", home.body)
		}
		if b.sessionID() == before {
			t.Error("the session ID did not change at sign-in")
		}
		if n := h.org.RequestCounts()["POST /oauth2/default/v1/token"]; n != 1 {
			t.Errorf("%d token requests, want 1", n)
		}
		code, _ := h.org.LastCode(idxtest.DemoUsername)
		if strings.Contains(h.logs.String(), code) {
			t.Errorf("the logs show the link's code:\n%s", h.logs.String())
		}
	})
	t.Run("another browser", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		b := h.browser()
		b.signInToCode()
		other := h.browser()
		p := other.openLink(h.emailLink())
		code, _ := h.org.LastCode(idxtest.DemoUsername)
		if p.status != http.StatusOK || !strings.Contains(p.body, `<code class="otp" id="link-code">`+code+`</code>`) {
			t.Fatalf("the other browser: %d, want the code %s; body:\n%s", p.status, code, p.body)
		}
		if p.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", p.header.Get("Cache-Control"))
		}
		if other.sessionID() != "" {
			// Nothing to sign in to there.
			if sess, ok := h.app.memSessions.get(other.sessionID()); ok && sess.user != nil {
				t.Error("the other browser is signed in")
			}
		}
		// The code shown finishes the sign-in where it waits.
		p = b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {code}})
		if p.status != http.StatusSeeOther || p.location() != "/" {
			t.Fatalf("the code from the link page: %d to %q, want 303 to /", p.status, p.location())
		}
		if strings.Contains(h.logs.String(), code) {
			t.Errorf("the logs show the link's code:\n%s", h.logs.String())
		}
	})
	t.Run("mailbox", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		b := h.browser()
		b.signInToCode()
		p := b.get("/dev/mailbox")
		want := `<a href="` + strings.ReplaceAll(h.emailLink(), "&", "&amp;") + `" class="signin-link">`
		if !strings.Contains(p.body, want) {
			t.Errorf("the mailbox lacks %s:\n%s", want, p.body)
		}
	})
}

// TestInteractionCodeRedirect: a sign-in that went to an identity
// provider comes back to the redirect URI with an interaction code, which
// finishes it. The app offers no identity provider on its pages, so the
// test starts the transaction with the app's client and puts it in the
// browser's session, as the app would before sending the browser away.
func TestInteractionCodeRedirect(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		fail     bool
		wantCode int
		want     string
	}{
		{name: "signed in", wantCode: http.StatusSeeOther},
		{name: "refused by the provider", fail: true, wantCode: http.StatusBadRequest, want: "The Okta org answered: access_denied"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, withOrgPolicy(idxtest.Policy{
				Factors: 2, IdPs: []idxtest.IdP{{Type: "GOOGLE", Name: "Google", Fail: tt.fail}},
			}))
			b := h.browser()
			b.signInToCode()
			id := b.sessionID()
			sess, ok := h.app.memSessions.get(id)
			if !ok {
				t.Fatal("no session")
			}
			client := h.app.client.(*idx.Client)
			tx, err := client.Start(t.Context(), idx.StartOptions{})
			if err != nil {
				t.Fatal(err)
			}
			href := ""
			for _, s := range tx.AvailableSteps {
				if s.Name == "redirect-idp" {
					href = s.Href
				}
			}
			if href == "" {
				t.Fatalf("no redirect-idp step in %+v", tx.AvailableSteps)
			}
			sess.tx = tx
			h.app.memSessions.save(id, sess)

			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, href, nil)
			if err != nil {
				t.Fatal(err)
			}
			back := b.do(req)
			if back.status != http.StatusFound || !strings.HasPrefix(back.location(), h.redirectURI+"?") {
				t.Fatalf("the provider: %d to %q, want 302 to %s", back.status, back.location(), h.redirectURI)
			}
			code := ""
			if u, err := url.Parse(back.location()); err == nil {
				code = u.Query().Get("interaction_code")
			}
			if !tt.fail && code == "" {
				t.Fatalf("the provider's redirect %q has no interaction code", back.location())
			}
			p := b.get(strings.TrimPrefix(back.location(), h.srv.URL))
			if p.status != tt.wantCode || !strings.Contains(p.body, tt.want) {
				t.Fatalf("callback: %d, want %d with %q; body:\n%s", p.status, tt.wantCode, tt.want, p.body)
			}
			if tt.fail {
				return
			}
			if home := b.follow(p); !strings.Contains(home.body, `id="profile"`) {
				t.Errorf("after the redirect, want the profile page; got:\n%s", home.body)
			}
			if logs := h.logs.String(); strings.Contains(logs, "interaction_code=") || strings.Contains(logs, code) {
				t.Errorf("the logs show the interaction code:\n%s", logs)
			}
		})
	}
}

// TestCallbackRefusals: redirects the app cannot finish say so, and send
// nothing to the org.
func TestCallbackRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.browser()
	b.signInToCode()
	fresh := h.browser()
	tests := []struct {
		name     string
		b        *browser
		query    string
		wantCode int
		want     string
	}{
		{"not a redirect", fresh, "?foo=bar", 400, "This address is not a sign-in redirect of the Okta org."},
		{"an error without state", fresh, "?error=access_denied&error_description=User+is+not+assigned", 400,
			"The Okta org answered: access_denied: User is not assigned"},
		{"an interaction code without a sign-in", fresh, "?interaction_code=abc&state=xyz", 400,
			"This sign-in was not started in this browser, or it has expired."},
		{"an interaction code of another sign-in", b, "?interaction_code=abc&state=not-this-one", 400,
			"does not belong to the sign-in in progress in this browser"},
		{"an error of another sign-in", b, "?error=access_denied&error_description=Denied&state=whatever", 400,
			"does not belong to the sign-in in progress in this browser"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.b.get(callbackPath + tt.query)
			if p.status != tt.wantCode || !strings.Contains(p.body, tt.want) {
				t.Errorf("%d, want %d with %q; body:\n%s", p.status, tt.wantCode, tt.want, p.body)
			}
		})
	}
	if n := h.org.RequestCounts()["POST /oauth2/default/v1/token"]; n != 0 {
		t.Errorf("%d token requests, want 0", n)
	}

	// An error of the org with the sign-in's state ends the sign-in. The
	// state is the one the email link carries.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, h.emailLink(), nil)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := url.Parse(b.do(req).location())
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"error": {"access_denied"}, "error_description": {"Denied"}, "state": {loc.Query().Get("state")}}
	p := b.get(callbackPath + "?" + q.Encode())
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "The Okta org answered: access_denied: Denied") {
		t.Errorf("the org's error: %d; body:\n%s", p.status, p.body)
	}
	if p := b.get("/login"); !strings.Contains(p.body, `data-step="identify"`) {
		t.Errorf("after the org's error, want the first sign-in page; got:\n%s", p.body)
	}
}

// TestEmptyAnswer: a step sent without a required answer shows a
// message and sends nothing to the org.
func TestEmptyAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.browser()
	b.signInToCode()
	before := h.org.RequestCounts()["POST /idp/idx/challenge/answer"]
	p := b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {"  "}})
	if p.status != http.StatusSeeOther || p.location() != "/login" {
		t.Fatalf("empty code: %d to %q, want 303 to /login", p.status, p.location())
	}
	p = b.follow(p)
	if !strings.Contains(p.body, `<p class="flash" role="status">Enter the code, then press Verify.</p>`) ||
		!strings.Contains(p.body, `data-step="challenge-authenticator"`) {
		t.Errorf("after an empty code, want the code page with a message; got:\n%s", p.body)
	}
	if n := h.org.RequestCounts()["POST /idp/idx/challenge/answer"]; n != before {
		t.Errorf("%d answers sent, want %d", n, before)
	}
	// The right code still signs in.
	p = b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {h.lastCode()}})
	if p.status != http.StatusSeeOther || p.location() != "/" {
		t.Errorf("after the code: %d to %q", p.status, p.location())
	}
}

// TestFooter: the footer says "Signed in with goidx" only to a signed-in
// user.
func TestFooter(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	b := h.browser()
	for name, p := range map[string]page{"sign-in": b.get("/login"), "mailbox": b.get("/dev/mailbox")} {
		if strings.Contains(p.body, "Signed in with") || !strings.Contains(p.body, "<footer>Sign-in by ") {
			t.Errorf("%s page footer before sign-in:\n%s", name, p.body)
		}
	}
	home := b.signIn()
	if !strings.Contains(home.body, "<footer>Signed in with ") {
		t.Errorf("home page footer:\n%s", home.body)
	}
}

// linkTarget returns where the email link leads (the app's redirect URI
// with the link's query), without going there.
func (b *browser) linkTarget(link string) *url.URL {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, link, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	p := b.do(req)
	u, err := url.Parse(p.location())
	if p.status != http.StatusFound || err != nil || !strings.HasPrefix(p.location(), b.h.redirectURI+"?") {
		b.t.Fatalf("the fake org's link: %d to %q, want 302 to %s", p.status, p.location(), b.h.redirectURI)
	}
	return u
}

// getWith GETs u with its query changed by edit.
func (b *browser) getWith(u *url.URL, edit func(q url.Values)) page {
	b.t.Helper()
	v := *u
	q := v.Query()
	edit(q)
	v.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, v.String(), nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// TestEmailLinkAnswersCount: the code of an email link answers the
// sign-in like a typed one and counts against maxRejectedAnswers, so the
// redirect URI is no way around the limit; a link that answers nothing
// (of another sign-in) does not count.
func TestEmailLinkAnswersCount(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withOrgPolicy(noOrgCodeLimit()))
	b := h.browser()
	b.signInToCode()
	right := h.lastCode()
	target := b.linkTarget(h.emailLink())
	for i := 1; i < maxRejectedAnswers; i++ {
		p := b.follow(b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {wrongCode(right)}}))
		if !strings.Contains(p.body, `data-step="challenge-authenticator"`) {
			t.Fatalf("wrong code %d: want the code page again; got:\n%s", i, p.body)
		}
	}
	// A link whose state is another sign-in's shows its code and sends
	// nothing.
	p := b.getWith(target, func(q url.Values) { q.Set("state", "another-sign-in") })
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="link-code"`) {
		t.Fatalf("a link of another sign-in: %d, want its code shown; body:\n%s", p.status, p.body)
	}
	if got := h.org.RequestCounts()[reqAnswer]; got != maxRejectedAnswers-1 {
		t.Fatalf("%d answers reached the org, want %d", got, maxRejectedAnswers-1)
	}
	// The fifth wrong answer, by link, ends the sign-in.
	p = b.follow(b.getWith(target, func(q url.Values) { q.Set("otp", wrongCode(right)) }))
	if !strings.Contains(p.body, "Too many wrong answers. Please start again.") {
		t.Errorf("after %d wrong answers, the last by link, the page lacks the end of the sign-in:\n%s", maxRejectedAnswers, p.body)
	}
	if got := h.org.RequestCounts()[reqAnswer]; got != maxRejectedAnswers {
		t.Errorf("%d answers reached the org, want %d", got, maxRejectedAnswers)
	}
	// The right link gets nowhere now: the sign-in it belonged to ended.
	p = b.getWith(target, func(url.Values) {})
	if got := h.org.RequestCounts()[reqAnswer]; got != maxRejectedAnswers {
		t.Errorf("the right link after the end reached the org (%d answers, want %d)", got, maxRejectedAnswers)
	}
	if p.status == http.StatusSeeOther && p.location() == "/" {
		t.Errorf("the right link after the end signed in")
	}
}
