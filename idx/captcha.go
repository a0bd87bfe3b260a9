package idx

import "github.com/goidx/goidx/internal/remediate"

// CaptchaType names the service of a [Captcha], as the org does.
type CaptchaType string

// The captcha services Okta orgs use. An org may name another, which is
// given as it names it.
const (
	// CaptchaHCaptcha is hCaptcha (https://www.hcaptcha.com).
	CaptchaHCaptcha CaptchaType = "HCAPTCHA"
	// CaptchaReCAPTCHAV2 is Google reCAPTCHA v2
	// (https://developers.google.com/recaptcha).
	CaptchaReCAPTCHAV2 CaptchaType = "RECAPTCHA_V2"
)

// Captcha is a captcha the user must solve before a step is answered:
// orgs with bot protection ask for one at identify, at registration
// (enroll-profile) and at password recovery (identify-recovery).
//
// The page renders the service's widget with SiteKey (hCaptcha's
// h-captcha element or reCAPTCHA's g-recaptcha element, with
// data-sitekey), and the token the widget gives once solved (the
// h-captcha-response or g-recaptcha-response form value) answers the
// step with the other values, as [Options.CaptchaToken]. A token is good
// for one answer: when the org refuses the step (a wrong password, an
// invalid token), the page shows the captcha again.
type Captcha struct {
	// ID is the captcha's id in the org, and Name its name there
	// ("hCaptcha", "reCaptcha").
	ID   string
	Name string
	// Type is the service: CaptchaHCaptcha or CaptchaReCAPTCHAV2.
	Type CaptchaType
	// SiteKey is the service's public site key for the org: the page
	// needs it to render the widget. It is not a secret.
	SiteKey string
}

// newCaptcha converts the engine's description of a step's captcha.
func newCaptcha(c *remediate.Captcha) *Captcha {
	if c == nil {
		return nil
	}
	return &Captcha{ID: c.ID, Name: c.Name, Type: CaptchaType(c.Type), SiteKey: c.SiteKey}
}
