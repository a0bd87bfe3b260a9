package idxtest

import "strings"

// This file holds the Ion ("IDX") document model the fake org answers with,
// and small builders for it. The model is written from the published shape
// of Okta IDX responses; it shares no code with the SDK's parser.

const (
	// ionProduces is the media type of every IDX response body.
	ionProduces = "application/ion+json; okta-version=1.0.0"
	// ionAccepts is the media type a remediation form accepts.
	ionAccepts = "application/json; okta-version=1.0.0"
	// formAccepts is what the token endpoint accepts.
	formAccepts = "application/x-www-form-urlencoded"
	// idxVersion is the IDX protocol version sent in every response.
	idxVersion = "1.0.0"
	// expiresAtLayout is the timestamp layout of expiresAt (UTC, millis).
	expiresAtLayout = "2006-01-02T15:04:05.000Z"
)

// idxResponse is a whole IDX document.
type idxResponse struct {
	Version     string `json:"version"`
	StateHandle string `json:"stateHandle,omitempty"`
	// Step names the page of some states: IDENTIFY, ENROLL.
	Step                           string                       `json:"step,omitempty"`
	ExpiresAt                      string                       `json:"expiresAt,omitempty"`
	Intent                         string                       `json:"intent,omitempty"`
	Remediation                    *ionList[*ionForm]           `json:"remediation,omitempty"`
	Messages                       *ionList[ionMessage]         `json:"messages,omitempty"`
	CurrentAuthenticator           *ionObject[authenticatorDoc] `json:"currentAuthenticator,omitempty"`
	CurrentAuthenticatorEnrollment *ionObject[authenticatorDoc] `json:"currentAuthenticatorEnrollment,omitempty"`
	Authenticators                 *ionList[authenticatorDoc]   `json:"authenticators,omitempty"`
	AuthenticatorEnrollments       *ionList[authenticatorDoc]   `json:"authenticatorEnrollments,omitempty"`
	// EnrollmentAuthenticator is the authenticator being enrolled;
	// RecoveryAuthenticator the password being recovered or renewed.
	EnrollmentAuthenticator    *ionObject[authenticatorDoc] `json:"enrollmentAuthenticator,omitempty"`
	RecoveryAuthenticator      *ionObject[authenticatorDoc] `json:"recoveryAuthenticator,omitempty"`
	User                       *ionObject[userDoc]          `json:"user,omitempty"`
	Cancel                     *ionForm                     `json:"cancel,omitempty"`
	App                        *ionObject[appDoc]           `json:"app,omitempty"`
	SuccessWithInteractionCode *ionForm                     `json:"successWithInteractionCode,omitempty"`
	// Captcha is the captcha the forms ask for (captcha.go).
	Captcha *ionObject[captchaDoc] `json:"captcha,omitempty"`

	// AuthenticatorChallenge is a device challenge (devicechallenge.go).
	AuthenticatorChallenge *ionObject[deviceChallengeDoc] `json:"authenticatorChallenge,omitempty"`
}

// ionList is Ion's {"type":"array","value":[...]} wrapper.
type ionList[T any] struct {
	Type  string `json:"type"`
	Value []T    `json:"value"`
}

// ionObject is Ion's {"type":"object","value":{...}} wrapper.
type ionObject[T any] struct {
	Type  string `json:"type"`
	Value T      `json:"value"`
}

func listOf[T any](v ...T) *ionList[T] {
	if v == nil {
		v = []T{}
	}
	return &ionList[T]{Type: "array", Value: v}
}

func objectOf[T any](v T) *ionObject[T] { return &ionObject[T]{Type: "object", Value: v} }

// ionForm is a form: a remediation, an action such as cancel, or a
// successWithInteractionCode.
type ionForm struct {
	Rel       []string   `json:"rel,omitzero"`
	Name      string     `json:"name"`
	RelatesTo []string   `json:"relatesTo,omitempty"`
	Href      string     `json:"href"`
	Method    string     `json:"method"`
	Produces  string     `json:"produces,omitempty"`
	Refresh   int        `json:"refresh,omitempty"`
	Value     []ionField `json:"value,omitzero"`
	Accepts   string     `json:"accepts,omitempty"`
	// Type and IdP are those of a redirect-idp remediation (idp.go), which
	// has no rel, value or accepts.
	Type string  `json:"type,omitempty"`
	IdP  *idpDoc `json:"idp,omitempty"`
	// CustomExpiredPasswordName and CustomExpiredPasswordURL name the
	// org's own password page (assurance.go).
	CustomExpiredPasswordName string `json:"customExpiredPasswordName,omitempty"`
	CustomExpiredPasswordURL  string `json:"customExpiredPasswordURL,omitempty"`
	// Scopes are the scopes of a consent form, RequestInfo what an
	// email-challenge-consent form tells of the request (consent.go).
	Scopes      []scopeDoc       `json:"scopes,omitempty"`
	RequestInfo []requestInfoDoc `json:"requestInfo,omitempty"`
}

// ionField is one field of a form. Value is any JSON value (a string for
// most fields); nil leaves it out.
type ionField struct {
	Name      string               `json:"name"`
	Label     string               `json:"label,omitempty"`
	Desc      string               `json:"desc,omitempty"`
	Type      string               `json:"type,omitempty"`
	Required  *bool                `json:"required,omitempty"`
	Secret    *bool                `json:"secret,omitempty"`
	Value     any                  `json:"value,omitempty"`
	Visible   *bool                `json:"visible,omitempty"`
	Mutable   *bool                `json:"mutable,omitempty"`
	Options   []ionOption          `json:"options,omitempty"`
	Form      *ionSubForm          `json:"form,omitempty"`
	Messages  *ionList[ionMessage] `json:"messages,omitempty"`
	RelatesTo string               `json:"relatesTo,omitempty"`
	// Hint tells a client how to fill the field ("webauthn").
	Hint string `json:"hint,omitempty"`
}

// ionSubForm is the nested {"value":[fields]} of an object field or option.
type ionSubForm struct {
	Value []ionField `json:"value"`
}

// ionOption is one choice of a field. Value is a string or an
// optionValue (a nested form).
type ionOption struct {
	Label     string `json:"label"`
	Value     any    `json:"value"`
	RelatesTo string `json:"relatesTo,omitempty"`
}

// optionValue is the value of an option that carries a nested form.
type optionValue struct {
	Form ionSubForm `json:"form"`
}

// ionMessage is one entry of a messages list, top level or on a field.
type ionMessage struct {
	Message string   `json:"message"`
	I18n    *i18nDoc `json:"i18n,omitempty"`
	Class   string   `json:"class"`
	// Links are device assurance's (assurance.go).
	Links []linkDoc `json:"links,omitempty"`
}

// i18nDoc is a message's localization key. Params is a pointer so that an
// explicit empty list can be sent where Okta sends one; its values are
// strings or numbers, as Okta sends them.
type i18nDoc struct {
	Key    string `json:"key"`
	Params *[]any `json:"params,omitempty"`
}

// authenticatorDoc describes an authenticator or an enrollment, including
// currentAuthenticator(Enrollment) with its resend and poll actions.
type authenticatorDoc struct {
	Profile *authenticatorProfile `json:"profile,omitempty"`
	Resend  *ionForm              `json:"resend,omitempty"`
	Poll    *ionForm              `json:"poll,omitempty"`
	// Cancel stops a FastPass challenge (cancel-polling, devicechallenge.go).
	Cancel *ionForm `json:"cancel,omitempty"`
	// Send is the action of an authenticator that can send its challenge
	// before the method is chosen (Okta Verify's push).
	Send        *ionForm `json:"send,omitempty"`
	Type        string   `json:"type"`
	Key         string   `json:"key"`
	ID          string   `json:"id,omitempty"`
	DisplayName string   `json:"displayName,omitempty"`
	// LogoURI is the icon of an authenticator Okta draws with its own
	// (the custom push app's).
	LogoURI string      `json:"logoUri,omitempty"`
	Methods []methodDoc `json:"methods,omitempty"`
	// ContextualData is kind data for the client: a QR code, a
	// security question list, a WebAuthn challenge...
	ContextualData any `json:"contextualData,omitempty"`
	// CredentialID and Transports are a WebAuthn enrollment's credential
	// ID and how the browser reaches the key: what a browser's
	// allowCredentials list is made of.
	CredentialID string   `json:"credentialId,omitempty"`
	Transports   []string `json:"transports,omitempty"`
	// AuthenticatorInstanceID names the Okta Verify instance being
	// enrolled.
	AuthenticatorInstanceID string `json:"authenticatorInstanceId,omitempty"`
	// Settings are kind settings, such as the password's complexity
	// rules.
	Settings any `json:"settings,omitempty"`
	// Recover is the password's recover action (flow_recover.go).
	Recover *ionForm `json:"recover,omitempty"`
	// GracePeriod is how long an enrollment may be put off (assurance.go).
	GracePeriod *gracePeriodDoc `json:"gracePeriod,omitempty"`
}

type authenticatorProfile struct {
	Email       string `json:"email,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
	QuestionKey string `json:"questionKey,omitempty"`
	Question    string `json:"question,omitempty"`
	DeviceName  string `json:"deviceName,omitempty"`
	// Provider names the vendor of an RSA SecurID or on-premises MFA
	// token.
	Provider string `json:"provider,omitempty"`
}

type methodDoc struct {
	Type string `json:"type"`
}

type userDoc struct {
	ID              string          `json:"id"`
	Identifier      string          `json:"identifier"`
	PasswordChanged string          `json:"passwordChanged,omitempty"`
	Profile         *userProfileDoc `json:"profile,omitempty"`
}

type userProfileDoc struct {
	Login     string `json:"login,omitempty"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	TimeZone  string `json:"timeZone,omitempty"`
	Locale    string `json:"locale,omitempty"`
	// Email is the masked address some states show (idverify.go).
	Email string `json:"email,omitempty"`
}

type appDoc struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	ID    string `json:"id"`
}

func ptr[T any](v T) *T { return &v }

// pTrue and pFalse are the targets of every true and false *bool the
// server renders, shared rather than allocated per answer: nothing
// writes through them.
var (
	pTrue  = ptr(true)
	pFalse = ptr(false)
)

func boolPtr(b bool) *bool {
	if b {
		return pTrue
	}
	return pFalse
}

// newForm returns a POST form posting JSON to href and answering Ion.
func newForm(name, href string, fields ...ionField) *ionForm {
	if fields == nil {
		fields = []ionField{}
	}
	return &ionForm{
		Rel:      []string{"create-form"},
		Name:     name,
		Href:     href,
		Method:   "POST",
		Produces: ionProduces,
		Value:    fields,
		Accepts:  ionAccepts,
	}
}

// stateHandleField is the hidden, immutable stateHandle every form carries.
func stateHandleField(handle string) ionField {
	return ionField{
		Name:     "stateHandle",
		Required: pTrue,
		Value:    handle,
		Visible:  pFalse,
		Mutable:  pFalse,
	}
}

// immutableValue is a required or optional field whose value the client
// must send back unchanged.
func immutableValue(name, value string, required bool) ionField {
	return ionField{Name: name, Required: boolPtr(required), Value: value, Mutable: pFalse}
}

// hiddenValue is an immutableValue the client does not show: the id and
// the one method of an authenticator option.
func hiddenValue(name, value string, required bool) ionField {
	f := immutableValue(name, value, required)
	f.Visible = pFalse
	return f
}

// objectField is a field of type object holding a nested form.
func objectField(name, label string, required bool, fields ...ionField) ionField {
	f := ionField{Name: name, Label: label, Type: "object", Form: &ionSubForm{Value: fields}}
	if required {
		f.Required = pTrue
	}
	return f
}

func errorMessage(text, key string, params ...any) ionMessage {
	m := ionMessage{Message: text, Class: "ERROR"}
	if key != "" {
		m.I18n = &i18nDoc{Key: key}
		if params != nil {
			m.I18n.Params = &params
		}
	}
	return m
}

// findField returns the field at path ("credentials.passcode") inside the
// named remediation form of resp, or nil.
func (resp *idxResponse) findField(form, path string) *ionField {
	if resp == nil || resp.Remediation == nil {
		return nil
	}
	for _, f := range resp.Remediation.Value {
		if f.Name != form {
			continue
		}
		fields := f.Value
		var found *ionField
		for _, part := range strings.Split(path, ".") {
			found = nil
			for i := range fields {
				if fields[i].Name == part {
					found = &fields[i]
					break
				}
			}
			if found == nil {
				return nil
			}
			if found.Form != nil {
				fields = found.Form.Value
			} else {
				fields = nil
			}
		}
		return found
	}
	return nil
}

// addFieldMessage attaches msg to the field at path in the named form.
// It reports whether the field was found.
func (resp *idxResponse) addFieldMessage(form, path string, msg ionMessage) bool {
	f := resp.findField(form, path)
	if f == nil {
		return false
	}
	if f.Messages == nil {
		f.Messages = listOf[ionMessage]()
	}
	f.Messages.Value = append(f.Messages.Value, msg)
	return true
}

// addMessage appends a top-level message.
func (resp *idxResponse) addMessage(msg ionMessage) {
	if resp.Messages == nil {
		resp.Messages = listOf[ionMessage]()
	}
	resp.Messages.Value = append(resp.Messages.Value, msg)
}
