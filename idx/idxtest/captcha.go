package idxtest

import "net/http"

// This file is the org's bot protection: a captcha at identify,
// self-service registration (enroll-profile) and password recovery
// (identify-recovery). Each of those forms carries a captchaVerify
// object, {captchaId (fixed), captchaToken}, relating to the document's
// captcha object, which names the service and its site key, as Okta's
// answers do.

// The captcha services, as the captcha object's type names them.
const (
	CaptchaHCaptcha    = "HCAPTCHA"
	CaptchaReCAPTCHAV2 = "RECAPTCHA_V2"
)

// CaptchaTestToken is the captcha token the org accepts, any number of
// times: the token hCaptcha's test site key gives every browser. Any
// other token, and a form sent without one, is refused.
const CaptchaTestToken = "10000000-aaaa-bbbb-cccc-000000000001"

// The site keys the services publish for tests, the defaults of
// Captcha.SiteKey.
const (
	hCaptchaTestSiteKey  = "10000000-ffff-ffff-ffff-000000000001"
	reCAPTCHATestSiteKey = "6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI"
)

// defaultCaptchaID is the captcha's id when Captcha.ID is empty.
const defaultCaptchaID = "capidxtest0000000000"

// Captcha is the org's captcha (see [Policy].Captcha).
type Captcha struct {
	// Type is the service: [CaptchaHCaptcha] (the default, also when
	// empty) or [CaptchaReCAPTCHAV2].
	Type string
	// SiteKey is the service's site key. Empty means the service's
	// published test key, whose widget passes every browser.
	SiteKey string
	// ID is the captcha's id in the org. Empty means a fixed one.
	ID string
}

// captchaDoc is the document's captcha object.
type captchaDoc struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	SiteKey string `json:"siteKey"`
	Type    string `json:"type"`
}

// doc is the captcha object of c, with the defaults filled in.
func (c Captcha) doc() captchaDoc {
	d := captchaDoc{ID: c.ID, Name: "hCaptcha", SiteKey: c.SiteKey, Type: c.Type}
	if d.ID == "" {
		d.ID = defaultCaptchaID
	}
	if d.Type == "" {
		d.Type = CaptchaHCaptcha
	}
	if d.Type == CaptchaReCAPTCHAV2 {
		d.Name = "reCaptcha"
	}
	if d.SiteKey == "" {
		d.SiteKey = hCaptchaTestSiteKey
		if d.Type == CaptchaReCAPTCHAV2 {
			d.SiteKey = reCAPTCHATestSiteKey
		}
	}
	return d
}

// asksCaptcha reports the forms that ask for the captcha.
func asksCaptcha(form string) bool {
	switch form {
	case "identify", "enroll-profile", "identify-recovery":
		return true
	}
	return false
}

const relatesToCaptcha = "$.captcha"

// captchaFields are the captchaVerify field of form when the policy asks
// for a captcha, none otherwise.
func (c *call) captchaFields() []ionField {
	p := c.s.org.policy.Captcha
	if p == nil {
		return nil
	}
	f := objectField("captchaVerify", "", false,
		ionField{Name: "captchaId", Required: pTrue, Value: p.doc().ID, Visible: pFalse, Mutable: pFalse},
		ionField{Name: "captchaToken", Required: pTrue, Visible: pFalse, Hint: "captcha"})
	f.Type = ""
	f.RelatesTo = relatesToCaptcha
	return []ionField{f}
}

// decorateCaptcha adds the captcha object to a document whose forms ask
// for it.
func (c *call) decorateCaptcha(resp *idxResponse) {
	p := c.s.org.policy.Captcha
	if p == nil || resp.Remediation == nil {
		return
	}
	for _, f := range resp.Remediation.Value {
		if asksCaptcha(f.Name) {
			resp.Captcha = objectOf(p.doc())
			return
		}
	}
}

type captchaBody struct {
	CaptchaVerify *struct {
		CaptchaID    *string `json:"captchaId"`
		CaptchaToken *string `json:"captchaToken"`
	} `json:"captchaVerify"`
}

// captchaGate checks the captcha of a submission of form, when the policy
// asks for one. No capture shows how Okta refuses a token: the org
// refuses a missing token as it does any required field left out
// (model.validation.field.blank) and a wrong token or captchaId as it
// does any invalid value (errors.E0000001), on the field, with HTTP 400
// and the form again. The token is never logged.
func (c *call) captchaGate(form string, raw []byte) *idxResult {
	p := c.s.org.policy.Captcha
	if p == nil {
		return nil
	}
	var b captchaBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	const path = "captchaVerify.captchaToken"
	v := b.CaptchaVerify
	if v == nil || v.CaptchaToken == nil || *v.CaptchaToken == "" {
		return failPtr(c.failField(http.StatusBadRequest, form, path, msgBlank()))
	}
	if v.CaptchaID == nil || *v.CaptchaID != p.doc().ID || *v.CaptchaToken != CaptchaTestToken {
		c.s.cfg.logger.Info("idxtest captcha refused")
		return failPtr(c.failField(http.StatusBadRequest, form, path, msgInvalidValue(path)))
	}
	return nil
}
