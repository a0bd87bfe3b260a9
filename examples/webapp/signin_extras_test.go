package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/goidx/goidx/idx/idxtest"
)

// TestProfileUpdateAndKeepSignedInPages signs in on an org that asks for
// a profile attribute and then whether to keep the user signed in: the
// generic step pages show both, the attribute as a text input and the
// question as a checkbox, and an unchecked box is an answer (no).
func TestProfileUpdateAndKeepSignedInPages(t *testing.T) {
	h := newHarness(t, withOrgPolicy(idxtest.Policy{
		Factors: 1, KeepMeSignedIn: true,
		ProfileUpdate: []idxtest.ProfileAttribute{{Name: "nickname", Label: "Nickname", Required: true}},
	}))
	b := h.browser()
	b.get("/login")
	p := b.follow(b.post("/login", url.Values{"value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}}))
	for _, want := range []string{`data-step="profile-update"`, `name="value.nickname"`, "Nickname"} {
		if !strings.Contains(p.body, want) {
			t.Fatalf("the profile page lacks %s:\n%s", want, p.body)
		}
	}
	p = b.follow(b.post("/login/step", url.Values{"step": {"profile-update"}, "value.nickname": {"Ace"}}))
	for _, want := range []string{`data-step="keep-me-signed-in"`, `type="checkbox" id="field-keepMeSignedIn" name="value.keepMeSignedIn"`, "Stay signed in"} {
		if !strings.Contains(p.body, want) {
			t.Fatalf("the keep-me-signed-in page lacks %s:\n%s", want, p.body)
		}
	}
	if p = b.post("/login/step", url.Values{"step": {"keep-me-signed-in"}}); p.status != http.StatusSeeOther || p.location() != "/" {
		t.Fatalf("unchecked: status %d, Location %q, want 303 to /; body:\n%s", p.status, p.location(), p.body)
	}
	if got, _ := h.org.ProfileAttributeOf(idxtest.DemoUsername, "nickname"); got != "Ace" {
		t.Errorf("nickname %q at the org, want Ace", got)
	}
}

// TestSignInKeepMeSignedIn signs in on an org whose identify checks
// rememberMe by default and then asks whether to keep the user signed
// in: the sign-in page's "Keep me signed in" box, inside its CSRF
// protected form, is sent as the user left it. Unchecked, the org is
// told no and asks its own question; checked, the user is kept and not
// asked. The org's identify step, shown by "other ways", does the same.
func TestSignInKeepMeSignedIn(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withOrgPolicy(idxtest.Policy{Factors: 1, KeepMeSignedIn: true, RememberMeChecked: true}))
	for _, tc := range []struct {
		name    string
		orgStep bool // answer the org's identify step rather than the first page
		checked bool
	}{
		{"unchecked", false, false},
		{"checked", false, true},
		{"the org's identify, unchecked", true, false},
		{"the org's identify, checked", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := h.browser()
			p := b.get("/login")
			path, form := "/login", url.Values{"value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}}
			if tc.orgStep {
				p = b.follow(b.post("/login", url.Values{"other": {"1"}}))
				path = "/login/step"
				form.Set("step", "identify")
			}
			box := `<input type="checkbox" id="field-rememberMe" name="value.rememberMe" value="true">`
			csrf := `<input type="hidden" name="csrf" value="` + b.csrf + `">`
			start := strings.Index(p.body, `<form method="post" action="`+path+`" id="step-form">`)
			end := start + strings.Index(p.body[max(start, 0):], "</form>")
			if start < 0 || !strings.Contains(p.body[start:end], box) || !strings.Contains(p.body[start:end], csrf) {
				t.Fatalf("the page's %s form lacks the box %s or its CSRF token:\n%s", path, box, p.body)
			}
			if tc.checked {
				form.Set("value.rememberMe", "true")
			}
			p = b.post(path, form)
			if tc.checked {
				if p.status != http.StatusSeeOther || p.location() != "/" {
					t.Fatalf("checked: status %d, Location %q, want 303 to / (kept, not asked); body:\n%s", p.status, p.location(), p.body)
				}
				return
			}
			if p = b.follow(p); !strings.Contains(p.body, `data-step="keep-me-signed-in"`) {
				t.Fatalf("unchecked: the org did not ask keep-me-signed-in (rememberMe not sent as false):\n%s", p.body)
			}
		})
	}
}
