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
