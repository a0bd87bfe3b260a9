package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/goidx/goidx/idx/idxtest"
)

// TestCaptchaPage signs in on an org that asks for a captcha at identify:
// the page renders the service's widget with the site key, its
// Content-Security-Policy lets the service's script in and nothing else,
// a form without the widget's token is not sent, and the token the widget
// posts signs the user in.
func TestCaptchaPage(t *testing.T) {
	for _, tc := range []struct {
		service, class, response, script, scriptSrc string
	}{
		{idxtest.CaptchaHCaptcha, "h-captcha", "h-captcha-response", "https://js.hcaptcha.com/1/api.js", "script-src https://hcaptcha.com https://*.hcaptcha.com;"},
		{idxtest.CaptchaReCAPTCHAV2, "g-recaptcha", "g-recaptcha-response", "https://www.google.com/recaptcha/api.js", "script-src https://www.google.com/recaptcha/ https://www.gstatic.com/recaptcha/;"},
	} {
		t.Run(tc.service, func(t *testing.T) {
			h := newHarness(t, withOrgPolicy(idxtest.Policy{Factors: 1, Captcha: &idxtest.Captcha{Type: tc.service, SiteKey: "site-key-" + tc.class}}))
			b := h.browser()
			creds := url.Values{"value.username": {idxtest.DemoUsername}, "value.password": {idxtest.DemoPassword}}
			b.get("/login")
			p := b.follow(b.post("/login", creds))
			for _, want := range []string{`data-step="identify"`, `class="` + tc.class + `" id="captcha" data-sitekey="site-key-` + tc.class + `"`, `<script src="` + tc.script + `"`} {
				if !strings.Contains(p.body, want) {
					t.Errorf("the identify page lacks %s:\n%s", want, p.body)
				}
			}
			if strings.Contains(p.body, "value.captchaToken") {
				t.Error("the token is a text input beside the widget")
			}
			csp := p.header.Get("Content-Security-Policy")
			if !strings.Contains(csp, tc.scriptSrc) || strings.Contains(csp, "'unsafe-inline'") {
				t.Errorf("Content-Security-Policy %q, want the service's script and no inline one", csp)
			}

			form := url.Values{"step": {"identify"}}
			for k, v := range creds {
				form[k] = v
			}
			p = b.follow(b.post("/login/step", form))
			if !strings.Contains(p.body, "Solve the captcha") {
				t.Errorf("without a token, want a request to solve the captcha:\n%s", p.body)
			}
			if n := h.org.RequestCounts()["POST /idp/idx/identify"]; n != 0 {
				t.Errorf("identify posted %d times without a token, want 0", n)
			}
			form.Set(tc.response, idxtest.CaptchaTestToken)
			if p = b.post("/login/step", form); p.status != http.StatusSeeOther || p.location() != "/" {
				t.Fatalf("with the token: status %d, Location %q, want 303 to /; body:\n%s", p.status, p.location(), p.body)
			}
			if p = b.follow(p); strings.Contains(p.header.Get("Content-Security-Policy"), "script-src") {
				t.Errorf("the home page allows scripts: %q", p.header.Get("Content-Security-Policy"))
			}
		})
	}
}
