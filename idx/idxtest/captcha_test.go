package idxtest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestCaptcha holds the org's captcha to what it promises: identify asks
// for one, refuses a form sent without a token or with a wrong token or
// captchaId on the token's field (HTTP 400), and takes CaptchaTestToken.
func TestCaptcha(t *testing.T) {
	p := DefaultPolicy()
	p.Factors = 1
	p.Captcha = &Captcha{Type: CaptchaReCAPTCHAV2, SiteKey: "site-key", ID: "cap123"}
	run := &shapeRun{captures: map[string]capture{}, visited: map[string]bool{}}
	j := newJourney(t, run, WithPolicy(p))
	j.start(nil)
	if got := dig(j.doc, "captcha", "value", "siteKey"); got != "site-key" {
		t.Errorf("captcha siteKey %v, want site-key", got)
	}
	creds := map[string]any{"passcode": DemoPassword}
	for _, tc := range []struct {
		name    string
		captcha map[string]any
		status  int
		key     string
	}{
		{"no captcha", nil, http.StatusBadRequest, "model.validation.field.blank"},
		{"no token", map[string]any{"captchaId": "cap123"}, http.StatusBadRequest, "model.validation.field.blank"},
		{"wrong token", map[string]any{"captchaId": "cap123", "captchaToken": "nope"}, http.StatusBadRequest, "errors.E0000001"},
		{"wrong id", map[string]any{"captchaId": "cap999", "captchaToken": CaptchaTestToken}, http.StatusBadRequest, "errors.E0000001"},
		{"right", map[string]any{"captchaId": "cap123", "captchaToken": CaptchaTestToken}, http.StatusOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"identifier": DemoUsername, "credentials": creds}
			if tc.captcha != nil {
				body["captchaVerify"] = tc.captcha
			}
			j.submit("identify", body).want(tc.status)
			if tc.key == "" {
				if _, ok := j.doc["successWithInteractionCode"]; !ok {
					t.Errorf("not signed in: %s", j.body)
				}
				return
			}
			msgs, _ := dig(j.form("identify"), "value").([]any)
			found := false
			for _, f := range msgs {
				if m, _ := f.(map[string]any); m["name"] == "captchaVerify" {
					for _, sub := range dig(m, "form", "value").([]any) {
						if s := sub.(map[string]any); s["name"] == "captchaToken" && strings.Contains(fmt.Sprint(s["messages"]), tc.key) {
							found = true
						}
					}
				}
			}
			if !found {
				t.Errorf("no %s on captchaVerify.captchaToken in %s", tc.key, j.body)
			}
		})
	}
}
