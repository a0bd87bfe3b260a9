package ion

import (
	"bytes"
	"encoding/json"
	"strings"
)

// The wire types: what encoding/json decodes an IDX document into, before
// Parse converts it into a Response.
//
// Reading a new member of the wire takes one struct field here (its json
// tag names the member) and one line where Parse converts the wire type.
// A member tagged ion:"needed" is one the SDK cannot act without: when it
// has the wrong JSON type, Parse fails with a [*MemberError] naming it.
// Every other member is informational: a value of the wrong type is left
// at its zero value and reported as a [Note]. Elements of a needed list,
// and the value behind a needed pointer, are needed too.

type wireDoc struct {
	Version                        string                    `json:"version"`
	StateHandle                    string                    `json:"stateHandle" ion:"needed"`
	ExpiresAt                      string                    `json:"expiresAt"`
	Intent                         string                    `json:"intent"`
	Remediation                    *wireForms                `json:"remediation" ion:"needed"`
	Messages                       *wireList[wireMsg]        `json:"messages"`
	Cancel                         *wireForm                 `json:"cancel" ion:"needed"`
	Success                        *wireForm                 `json:"successWithInteractionCode" ion:"needed"`
	CurrentAuthenticator           *wireObj[wireAuthObj]     `json:"currentAuthenticator"`
	CurrentAuthenticatorEnrollment *wireObj[wireAuthObj]     `json:"currentAuthenticatorEnrollment"`
	Authenticators                 *wireList[wireAuthObj]    `json:"authenticators"`
	AuthenticatorEnrollments       *wireList[wireAuthObj]    `json:"authenticatorEnrollments"`
	User                           *wireObj[json.RawMessage] `json:"user"`
	App                            *wireObj[json.RawMessage] `json:"app"`
	Captcha                        *wireObj[json.RawMessage] `json:"captcha"`

	AuthenticatorChallenge *wireObj[wireChallengeObj] `json:"authenticatorChallenge"`
}

// wireForms is the remediation list: unlike the informational lists, its
// elements are needed.
type wireForms struct {
	Value []wireForm `json:"value" ion:"needed"`
}

// wireList is an informational Ion list, {"type": "array", "value": [...]}.
type wireList[T any] struct {
	Value []T `json:"value"`
}

// wireObj is an informational Ion object, {"type": "object", "value": ...}.
type wireObj[T any] struct {
	Value *T `json:"value"`
}

type wireForm struct {
	Name      string      `json:"name" ion:"needed"`
	Rel       []string    `json:"rel"`
	Href      string      `json:"href" ion:"needed"`
	Method    string      `json:"method"`
	Accepts   string      `json:"accepts"`
	Produces  string      `json:"produces"`
	Refresh   *float64    `json:"refresh"`
	RelatesTo refs        `json:"relatesTo"`
	Value     []wireField `json:"value" ion:"needed"`
	Type      string      `json:"type"`
	IDP       *wireIDP    `json:"idp"`

	IDVMetadata *wireIDVMetadata `json:"idvMetadata"` // challenge.go
	// CustomExpiredPasswordName and CustomExpiredPasswordURL name the
	// org's own page for changing an expired password (links.go).
	CustomExpiredPasswordName string `json:"customExpiredPasswordName"`
	CustomExpiredPasswordURL  string `json:"customExpiredPasswordURL"`
	// Scopes are the scopes a consent form asks the user for, and
	// RequestInfo what an email-challenge-consent form says about the
	// request (consent.go).
	Scopes      []wireScope       `json:"scopes"`
	RequestInfo []wireRequestInfo `json:"requestInfo"`
}

type wireIDP struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type wireField struct {
	Name      string             `json:"name" ion:"needed"`
	Label     string             `json:"label"`
	Desc      string             `json:"desc"`
	Type      string             `json:"type"`
	Required  flag               `json:"required"`
	Secret    flag               `json:"secret"`
	Mutable   flag               `json:"mutable"`
	Visible   flag               `json:"visible"`
	Value     optionValue        `json:"value"`
	Form      *wireSubForm       `json:"form" ion:"needed"`
	Options   []wireOption       `json:"options" ion:"needed"`
	Messages  *wireList[wireMsg] `json:"messages"`
	RelatesTo refs               `json:"relatesTo"`
}

type wireSubForm struct {
	Value []wireField `json:"value" ion:"needed"`
}

type wireOption struct {
	Label     string      `json:"label"`
	Value     optionValue `json:"value"`
	RelatesTo refs        `json:"relatesTo"`
	// Form is an option's form given beside its value rather than in it,
	// as some select-authenticator-authenticate answers do.
	Form *wireSubForm `json:"form" ion:"needed"`
}

// optionForm is an optionValue that is an object: {"form": {...}} makes
// the value a form.
type optionForm struct {
	Form *wireSubForm `json:"form" ion:"needed"`
}

type wireMsg struct {
	Message string    `json:"message"`
	Class   string    `json:"class"`
	I18n    *wireI18n `json:"i18n"`
	// Links and DeviceRemediation are those of device assurance's
	// messages (links.go).
	Links             []wireLink                      `json:"links"`
	DeviceRemediation *wireObj[wireDeviceRemediation] `json:"deviceRemediation"`
}

type wireI18n struct {
	Key    string `json:"key"`
	Params []any  `json:"params"`
}

type wireAuth struct {
	ID              string          `json:"id"`
	AuthenticatorID string          `json:"authenticatorId"`
	Key             string          `json:"key"`
	Type            string          `json:"type"`
	DisplayName     string          `json:"displayName"`
	Methods         []wireMethod    `json:"methods"`
	Profile         map[string]any  `json:"profile"`
	ContextualData  json.RawMessage `json:"contextualData"`
	Settings        json.RawMessage `json:"settings"`
	CredentialID    string          `json:"credentialId"`
	Transports      json.RawMessage `json:"transports"`
	Resend          *wireForm       `json:"resend" ion:"needed"`
	Poll            *wireForm       `json:"poll" ion:"needed"`
	Recover         *wireForm       `json:"recover" ion:"needed"`
	Cancel          *wireForm       `json:"cancel" ion:"needed"`
	// GracePeriod is an enrollment the org lets the user put off
	// (links.go).
	GracePeriod *wireGracePeriod `json:"gracePeriod"`
}

type wireMethod struct {
	Type       string `json:"type"`
	MethodType string `json:"methodType"`
}

// flag is a boolean member of a field (required, secret, mutable,
// visible). It reads true and false, and also the strings "true" and
// "false" that some answers carry; any other value leaves it unset and
// marks it odd.
type flag struct {
	set, val, odd bool
}

// UnmarshalJSON never fails, so that an odd flag never stops the decoding
// of the rest of the document.
func (f *flag) UnmarshalJSON(b []byte) error {
	switch s := string(b); s {
	case "true", "false":
		*f = flag{set: true, val: s == "true"}
	case "null":
		*f = flag{}
	default:
		*f = flag{odd: true}
		if v, ok := stringFlag(b); ok {
			f.set, f.val = true, v
		}
	}
	return nil
}

// stringFlag reads "true" or "false" written as a JSON string.
func stringFlag(b []byte) (val, ok bool) {
	var s string
	if len(b) == 0 || b[0] != '"' || json.Unmarshal(b, &s) != nil {
		return false, false
	}
	return flagWord(s)
}

// flagWord reads the words true and false, in any case, around spaces.
func flagWord(s string) (val, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// or returns the flag's value, or def when the answer gave none.
func (f flag) or(def bool) bool {
	if f.set {
		return f.val
	}
	return def
}

// refs is a relatesTo member: one JSONPath-like reference or a list of
// them. Any other value reads as no reference and marks it odd.
type refs struct {
	list []string
	odd  bool
}

// UnmarshalJSON never fails; see refs.
func (r *refs) UnmarshalJSON(b []byte) error {
	*r = refs{}
	switch b[0] {
	case 'n':
		return nil
	case '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			r.list = []string{s}
			return nil
		}
	case '[':
		if json.Unmarshal(b, &r.list) == nil {
			return nil
		}
		r.list = nil
	}
	r.odd = true
	return nil
}

// optionValue is the value of an option or a field, as raw JSON: any JSON
// value, or an object {"form": {...}} whose fields give the value (the
// authenticator choices of select-authenticator-*, the authenticator of
// select-enrollment-channel). Parse reads such a form while it converts
// the document, so that how deep it reads stays bounded by maxDepth
// (decoding every nested form at once would scan each level's bytes once
// per enclosing level).
type optionValue []byte

// UnmarshalJSON keeps a copy of the value.
func (o *optionValue) UnmarshalJSON(b []byte) error {
	*o = append((*o)[:0], b...)
	return nil
}

// form decodes the value's form, nil when the value is no object with a
// form; odd is set when the object does not fit optionForm. At depth
// maxDepth, where Parse reads no more forms, it only looks whether there
// is one: deep is set then.
func (o optionValue) form(depth int) (form *wireSubForm, odd, deep bool) {
	if len(o) == 0 || o[0] != '{' {
		return nil, false, false
	}
	if depth >= maxDepth {
		var of struct {
			Form json.RawMessage `json:"form"`
		}
		_ = json.Unmarshal(o, &of)
		return nil, false, len(of.Form) > 0 && !bytes.Equal(of.Form, []byte("null"))
	}
	var of optionForm
	err := json.Unmarshal(o, &of)
	return of.Form, err != nil, false
}

// raw returns the value as raw JSON, nil for null.
func (o optionValue) raw() json.RawMessage {
	if len(o) == 0 || bytes.Equal(o, []byte("null")) {
		return nil
	}
	return json.RawMessage(o)
}

// wireAuthObj is an authenticator object together with its raw JSON. A
// value that is not an object (as the zero-width space some answers put
// in a list of enrollments) is unreadable and marks the object odd.
type wireAuthObj struct {
	wireAuth
	raw  json.RawMessage
	odd  bool
	none bool // null or not an object
}

// UnmarshalJSON never fails; see wireAuthObj.
func (a *wireAuthObj) UnmarshalJSON(b []byte) error {
	*a = wireAuthObj{}
	if b[0] != '{' {
		a.none = true
		a.odd = b[0] != 'n'
		return nil
	}
	a.raw = append(json.RawMessage(nil), b...)
	a.odd = json.Unmarshal(b, &a.wireAuth) != nil
	return nil
}
