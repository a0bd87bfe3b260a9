package idxtest

import (
	"net/http"
	"testing"
)

// journeyCaptcha reaches the forms that ask for a captcha: identify and
// registration with hCaptcha, identify and recovery with reCAPTCHA v2.
func journeyCaptcha(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Registration, p.Recovery = true, true
	p.Captcha = &Captcha{Type: CaptchaHCaptcha}
	j := newJourney(t, run, WithPolicy(p))
	j.start(nil).capture("identify/captcha/hcaptcha")
	j.submit("select-enroll-profile", nil).want(http.StatusOK).capture("enroll-profile/captcha")

	p.Captcha = &Captcha{Type: CaptchaReCAPTCHAV2}
	k := newJourney(t, run, WithPolicy(p))
	k.start(nil).capture("identify/captcha/recaptcha")
	k.action("currentAuthenticator", "value", "recover").want(http.StatusOK).capture("identify-recovery/captcha")
}
