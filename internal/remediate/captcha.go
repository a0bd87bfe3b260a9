package remediate

import (
	"encoding/json"

	"github.com/goidx/goidx/internal/ion"
)

// Captcha is the captcha a form asks the user to solve: the answer's
// captcha object, which the form's captchaVerify field relates to.
type Captcha struct {
	// ID is the captcha's id in the org, Name its name there.
	ID   string
	Name string
	// Type is the service: "HCAPTCHA", "RECAPTCHA_V2", or another name
	// the org gives.
	Type string
	// SiteKey is the service's public key for the org's site.
	SiteKey string
}

// The captcha's field and its token: a form that asks for a captcha has
// an object field captchaVerify {captchaId, captchaToken}, the id fixed
// by the org and the token the caller's, under the input name
// "captchaToken".
const (
	captchaField = "captchaVerify"
	captchaToken = "captchaToken"
)

// CaptchaOf returns the captcha form f of response r asks for, nil when
// it asks for none. A form with a captchaVerify field asks for one even
// when the answer's captcha object is missing or cannot be read: then
// only what the form says (the captchaId) is known.
func CaptchaOf(r *ion.Response, f *ion.Form) *Captcha {
	fd := f.Field(captchaField)
	if fd == nil {
		return nil
	}
	c := &Captcha{}
	var raw struct {
		ID, Name, Type, SiteKey json.RawMessage
	}
	if json.Unmarshal(r.Captcha, &raw) == nil {
		// Each member read alone: one that is not a string is left empty.
		json.Unmarshal(raw.ID, &c.ID)
		json.Unmarshal(raw.Name, &c.Name)
		json.Unmarshal(raw.Type, &c.Type)
		json.Unmarshal(raw.SiteKey, &c.SiteKey)
	}
	if id := fd.Field("captchaId"); c.ID == "" && id != nil {
		json.Unmarshal(id.Value, &c.ID)
	}
	return c
}
