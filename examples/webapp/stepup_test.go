package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/goidx/goidx/idx/idxtest"
)

// stepUpToCode signs the demo user in, opens the security page, confirms
// and answers identify and the authenticator choice, up to the code page.
func stepUpToCode(t *testing.T, b *browser) {
	t.Helper()
	home := b.signIn()
	if !strings.Contains(home.body, `id="security-link"`) {
		t.Fatalf("home page lacks the security link:\n%s", home.body)
	}
	p := b.get("/security")
	for _, want := range []string{`<h1>Confirm it&#39;s you</h1>`, `action="/security/step-up"`} {
		if !strings.Contains(p.body, want) {
			t.Fatalf("security page before step-up lacks %s:\n%s", want, p.body)
		}
	}
	p = b.post("/security/step-up", nil)
	if p.status != http.StatusSeeOther || p.location() != "/login" {
		t.Fatalf("POST /security/step-up: %d to %q, want 303 to /login", p.status, p.location())
	}
	p = b.follow(p)
	for _, want := range []string{`data-step="identify"`, `name="value.username" value="` + idxtest.DemoUsername + `"`} {
		if !strings.Contains(p.body, want) {
			t.Fatalf("step-up identify page lacks %s:\n%s", want, p.body)
		}
	}
	p = b.follow(b.post("/login/step", url.Values{"step": {"identify"}, "value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}}))
	if !strings.Contains(p.body, `data-step="select-authenticator-authenticate"`) {
		t.Fatalf("after the password, want the authenticator list:\n%s", p.body)
	}
	p = b.follow(b.post("/login/step", url.Values{"step": {"select-authenticator-authenticate"}, "value.authenticator": {"okta_email"}}))
	if !strings.Contains(p.body, `data-step="challenge-authenticator"`) {
		t.Fatalf("after choosing Email, want the code page:\n%s", p.body)
	}
}

func TestStepUp(t *testing.T) {
	t.Parallel()

	t.Run("two factors open the security page", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		b := h.browser()
		stepUpToCode(t, b)
		p := b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {h.lastCode()}})
		if p.status != http.StatusSeeOther || p.location() != "/security" {
			t.Fatalf("after the code: %d to %q, want 303 to /security; body:\n%s", p.status, p.location(), p.body)
		}
		p = b.follow(p)
		for _, want := range []string{`id="stepped-up"`, `<th scope="row">acr</th><td>urn:okta:loa:2fa:any</td>`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("security page lacks %s:\n%s", want, p.body)
			}
		}
		// Still signed in as before, and the page stays open.
		if p := b.get("/security"); !strings.Contains(p.body, `id="stepped-up"`) {
			t.Errorf("second visit asks again:\n%s", p.body)
		}
	})

	// The step-up's email link finishes it at the redirect URI, as a
	// sign-in's does; the pages of the signed-in user say so in the
	// footer.
	t.Run("the email link finishes the step-up", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		b := h.browser()
		stepUpToCode(t, b)
		if p := b.get("/login"); !strings.Contains(p.body, "<footer>Signed in with") {
			t.Errorf("the step-up's code page of a signed-in user: footer not signed in:\n%s", p.body)
		}
		p := b.openLink(h.emailLink())
		if p.status != http.StatusSeeOther || p.location() != "/security" {
			t.Fatalf("the step-up's email link: %d to %q, want 303 to /security; body:\n%s", p.status, p.location(), p.body)
		}
		p = b.follow(p)
		for _, want := range []string{`id="stepped-up"`, `<th scope="row">acr</th><td>urn:okta:loa:2fa:any</td>`, "<footer>Signed in with"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("security page lacks %s:\n%s", want, p.body)
			}
		}
	})

	t.Run("a token without the class is refused", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		b := h.browser()
		stepUpToCode(t, b)
		h.org.TamperIDTokens(func(c map[string]any) { c["acr"] = "urn:okta:loa:1fa:any" })
		p := b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {h.lastCode()}})
		if p.status != http.StatusSeeOther || p.location() != "/security" {
			t.Fatalf("after the code: %d to %q, want 303 to /security", p.status, p.location())
		}
		p = b.follow(p)
		for _, want := range []string{`did not confirm a second factor`, `<h1>Confirm it&#39;s you</h1>`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("security page lacks %s:\n%s", want, p.body)
			}
		}
		if p := b.get("/"); !strings.Contains(p.body, `id="security-link"`) {
			t.Errorf("the user is no longer signed in as before:\n%s", p.body)
		}
	})

	t.Run("signed out users sign in first", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		b := h.browser()
		p := b.get("/security")
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
			t.Fatalf("GET /security signed out: %d to %q, want a redirect to the sign-in", p.status, p.location())
		}
	})
}
