package main

import (
	"net/url"

	"github.com/goidx/goidx/idx"
)

// captchaView is the captcha a step asks for, as the page renders it: the
// service's widget, which puts its token in the form under its own
// response field when the user solves it.
type captchaView struct {
	// Class is the widget element's class, SiteKey its data-sitekey.
	Class   string
	SiteKey string
	// Script is the service's script, which renders the widget.
	Script string
	// response is the form field the widget posts its token in, and csp
	// the Content-Security-Policy of a page with the widget: the
	// service's script, frames, styles and requests allowed, nothing else.
	response string
	csp      string
}

// captchaService is the widget of a captcha service a page can render,
// without its site key; ok is false for a service it cannot.
func captchaService(t idx.CaptchaType) (v captchaView, ok bool) {
	switch t {
	case idx.CaptchaHCaptcha:
		return captchaView{
			Class: "h-captcha", Script: "https://js.hcaptcha.com/1/api.js", response: "h-captcha-response",
			csp: "default-src 'none'; style-src 'self' https://hcaptcha.com https://*.hcaptcha.com; img-src 'self'; form-action 'self'; " +
				"script-src https://hcaptcha.com https://*.hcaptcha.com; frame-src https://hcaptcha.com https://*.hcaptcha.com; " +
				"connect-src https://hcaptcha.com https://*.hcaptcha.com; frame-ancestors 'none'; base-uri 'none'",
		}, true
	case idx.CaptchaReCAPTCHAV2:
		return captchaView{
			Class: "g-recaptcha", Script: "https://www.google.com/recaptcha/api.js", response: "g-recaptcha-response",
			csp: "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
				"script-src https://www.google.com/recaptcha/ https://www.gstatic.com/recaptcha/; frame-src https://www.google.com/recaptcha/; " +
				"frame-ancestors 'none'; base-uri 'none'",
		}, true
	}
	return captchaView{}, false
}

// newCaptchaView is the widget of step's captcha, nil when the step asks
// for none or for a service the page cannot render (its token is then an
// input like any other).
func newCaptchaView(step *idx.NextStep) *captchaView {
	if step.Captcha == nil {
		return nil
	}
	v, ok := captchaService(step.Captcha.Type)
	if !ok || step.Captcha.SiteKey == "" {
		return nil
	}
	v.SiteKey = step.Captcha.SiteKey
	return &v
}

// captchaToken is the token the widget of step's captcha posted in form,
// empty when none.
func captchaToken(step *idx.NextStep, form url.Values) string {
	if v := newCaptchaView(step); v != nil {
		return form.Get(v.response)
	}
	return ""
}
