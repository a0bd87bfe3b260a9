package ion

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrMalformed reports an IDX document that cannot be understood: invalid
// JSON, or a structure that contradicts the protocol.
var ErrMalformed = errors.New("malformed IDX response")

// Response is a parsed IDX document.
type Response struct {
	// Version is the protocol version, "1.0.0".
	Version string
	// StateHandle is the server's handle for the transaction. It is a bearer
	// secret: never log it.
	StateHandle string
	// ExpiresAt is when the server forgets the transaction (zero if absent).
	ExpiresAt time.Time
	// Intent is the purpose of the transaction, for example "LOGIN".
	Intent string
	// Remediations are the forms the server accepts next, in server order.
	Remediations []*Form
	// Messages are the document's top-level messages.
	Messages []Message
	// Cancel is the cancel action, if offered.
	Cancel *Form
	// Success is the successWithInteractionCode form, present once the
	// user is authenticated.
	Success *Form
	// CurrentAuthenticator is currentAuthenticator or, when that is absent,
	// currentAuthenticatorEnrollment.
	CurrentAuthenticator *Authenticator
	// Authenticators and AuthenticatorEnrollments are the lists forms refer to.
	Authenticators           []*Authenticator
	AuthenticatorEnrollments []*Authenticator
	// User is the user object (the value of the document's user member) as
	// raw JSON, nil if absent.
	User json.RawMessage
	// App is the app object (the value of the document's app member) as raw
	// JSON, nil if absent.
	App json.RawMessage

	currentAuthenticator           *Authenticator
	currentAuthenticatorEnrollment *Authenticator

	// dec decodes the raw values of the document while Parse converts it.
	dec *decoder
}

// Form is an Ion form: a remediation or an action.
type Form struct {
	// Name is the form's name ("identify", "challenge-authenticator",
	// "cancel", "issue", ...).
	Name string
	// Rel is the form's link relations ("create-form").
	Rel []string
	// Href is where the form is submitted.
	Href string
	// Method is the HTTP method in upper case, POST when the form gives none.
	Method string
	// Accepts is the media type the server accepts for the body, Produces
	// the one it answers with (either may be empty).
	Accepts  string
	Produces string
	// Refresh is the polling interval the server asks for (zero if none).
	Refresh time.Duration
	// RelatesTo holds the raw relatesTo references of the form.
	RelatesTo []string
	// Authenticator is the object the form's relatesTo points at, if any.
	Authenticator *Authenticator
	// Type is the form's type, given by redirect-idp forms: the identity
	// provider's kind ("GOOGLE", "SAML2", "X509", ...).
	Type string
	// IDP is the identity provider of a redirect-idp form, nil otherwise.
	IDP *IDP
	// Fields are the form's fields in server order.
	Fields []*Field
}

// IDP is the identity provider a redirect-idp form sends the user to.
type IDP struct {
	ID   string
	Name string
}

// Field is one value of a form.
type Field struct {
	// Name is the field's member name in the request body.
	Name string
	// Label is the server's label for the field.
	Label string
	// Type is the declared type ("string", "boolean", "object", ...), empty
	// when the server gives none.
	Type string
	// Required is the server's required flag (absent means false).
	Required bool
	// Secret marks values that must not be shown or logged.
	Secret bool
	// Mutable is false for fields whose value the client must send as given
	// (stateHandle, authenticator ids).
	Mutable bool
	// Visible is false for fields a user interface should not show.
	Visible bool
	// Value is the field's value or default as raw JSON (nil if none).
	Value json.RawMessage
	// Form holds the sub-fields of an object field such as credentials.
	Form []*Field
	// Options are the allowed values, in server order.
	Options []*Option
	// Messages are the messages attached to this field.
	Messages []Message
	// RelatesTo is the field's first relatesTo reference and Authenticator
	// the object it points at, if any.
	RelatesTo     string
	Authenticator *Authenticator
}

// Option is one allowed value of a field: either a scalar Value or a nested
// form whose fields give the value (authenticator choices).
type Option struct {
	// Label is the server's label for the option.
	Label string
	// Value is the option's scalar value as raw JSON, nil when Form is set.
	Value json.RawMessage
	// Form holds the fields of an option whose value is a form (non-nil,
	// possibly empty, exactly when the value was {"form": {...}}).
	Form []*Field
	// RelatesTo is the option's first relatesTo reference and Authenticator
	// the object it points at, if any.
	RelatesTo     string
	Authenticator *Authenticator
}

// Message is a server message with its class (ERROR, INFO, WARNING) and
// i18n key.
type Message struct {
	// Class is "ERROR", "INFO" or "WARNING".
	Class string
	// Key is the i18n key, e.g. "errors.E0000004"; branch on it, not on Text.
	Key string
	// Text is the server's (localised) message.
	Text string
	// Params are the i18n parameters, as decoded JSON values.
	Params []any
	// Field is the dotted name of the field the message is attached to,
	// empty for top-level messages.
	Field string
}

// Authenticator is an authenticator or authenticator enrollment object.
type Authenticator struct {
	// ID is the object's id: the authenticator's, or the enrollment's.
	ID string
	// AuthenticatorID is the authenticator an enrollment belongs to, when
	// the server gives it.
	AuthenticatorID string
	// Key names the authenticator type ("okta_email", "phone_number", ...).
	Key string
	// Type is the authenticator's kind ("email", "phone", "app", ...).
	Type string
	// DisplayName is the server's name for it.
	DisplayName string
	// Methods are the method types offered ("email", "sms", "push", ...).
	Methods []string
	// Profile is the (masked) profile, such as the email address.
	Profile map[string]any
	// ContextualData carries enrollment data (QR codes, challenges) as raw JSON.
	ContextualData json.RawMessage
	// Settings are the authenticator's settings (the password's
	// complexity) as raw JSON, nil if absent.
	Settings json.RawMessage
	// CredentialID is an enrollment's credential (a WebAuthn credential
	// ID, a YubiKey's serial), and Transports the WebAuthn transports of
	// the credential as raw JSON (an array of strings), nil if absent.
	CredentialID string
	Transports   json.RawMessage
	// Resend, Poll and Recover are the actions nested in the object.
	Resend, Poll, Recover *Form
}

// StringValue returns the field's value when it is a JSON string.
func (f *Field) StringValue() (string, bool) {
	if len(f.Value) == 0 {
		return "", false
	}
	return stringValue(f.Value)
}

// StringValue returns the option's scalar value as a string: a JSON string
// decoded, any other scalar as its JSON text ("5", "true"). It reports false
// when the option has no scalar value.
func (o *Option) StringValue() (string, bool) {
	if len(o.Value) == 0 {
		return "", false
	}
	if s, ok := stringValue(o.Value); ok {
		return s, true
	}
	return strings.TrimSpace(string(o.Value)), true
}

// Field returns the form's field with the given name, or nil.
func (f *Form) Field(name string) *Field { return findField(f.Fields, name) }

// Field returns the sub-field with the given name of an object field, or nil.
func (f *Field) Field(name string) *Field { return findField(f.Form, name) }

func findField(fs []*Field, name string) *Field {
	for _, f := range fs {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Remediation returns the remediation with the given name, or nil.
func (r *Response) Remediation(name string) *Form {
	for _, f := range r.Remediations {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// AllMessages returns the top-level messages followed by the field-level
// messages of every remediation, in server order, each with Field set to
// the dotted path of its field ("credentials.passcode"; the fields of an
// option's form are named as sub-fields of the option's field). It returns
// a new slice; the response is not modified.
func (r *Response) AllMessages() []Message {
	out := append([]Message(nil), r.Messages...)
	for _, f := range r.Remediations {
		out = appendFieldMessages(out, f.Fields, "")
	}
	return out
}

func appendFieldMessages(out []Message, fs []*Field, prefix string) []Message {
	for _, f := range fs {
		name := prefix + f.Name
		for _, m := range f.Messages {
			m.Field = name
			out = append(out, m)
		}
		out = appendFieldMessages(out, f.Form, name+".")
		for _, o := range f.Options {
			out = appendFieldMessages(out, o.Form, name+".")
		}
	}
	return out
}

// ClearMessages removes every message that [Response.AllMessages] returns.
// A saved response is cleared before it is reused, since its messages
// answered an earlier request.
func (r *Response) ClearMessages() {
	r.Messages = nil
	for _, f := range r.Remediations {
		clearFieldMessages(f.Fields)
	}
}

func clearFieldMessages(fs []*Field) {
	for _, f := range fs {
		f.Messages = nil
		clearFieldMessages(f.Form)
		for _, o := range f.Options {
			clearFieldMessages(o.Form)
		}
	}
}

// HasErrors reports whether any message of class ERROR is present.
func (r *Response) HasErrors() bool {
	for _, m := range r.AllMessages() {
		if m.Class == "ERROR" {
			return true
		}
	}
	return false
}

// wire types

type wireDoc struct {
	Version                        string              `json:"version"`
	StateHandle                    string              `json:"stateHandle"`
	ExpiresAt                      string              `json:"expiresAt"`
	Intent                         string              `json:"intent"`
	Remediation                    *wireList[wireForm] `json:"remediation"`
	Messages                       *wireList[wireMsg]  `json:"messages"`
	Cancel                         *wireForm           `json:"cancel"`
	Success                        *wireForm           `json:"successWithInteractionCode"`
	CurrentAuthenticator           *wireObj[wireAuth]  `json:"currentAuthenticator"`
	CurrentAuthenticatorEnrollment *wireObj[wireAuth]  `json:"currentAuthenticatorEnrollment"`
	Authenticators                 *wireList[wireAuth] `json:"authenticators"`
	AuthenticatorEnrollments       *wireList[wireAuth] `json:"authenticatorEnrollments"`
	User                           json.RawMessage     `json:"user"`
	App                            json.RawMessage     `json:"app"`
}

type wireList[T any] struct {
	Value []T `json:"value"`
}

type wireObj[T any] struct {
	Value *T `json:"value"`
}

type wireForm struct {
	Name      string          `json:"name"`
	Rel       []string        `json:"rel"`
	Href      string          `json:"href"`
	Method    string          `json:"method"`
	Accepts   string          `json:"accepts"`
	Produces  string          `json:"produces"`
	Refresh   *float64        `json:"refresh"`
	RelatesTo json.RawMessage `json:"relatesTo"`
	Value     []wireField     `json:"value"`
	Type      string          `json:"type"`
	IDP       *wireIDP        `json:"idp"`
}

type wireIDP struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type wireField struct {
	Name      string             `json:"name"`
	Label     string             `json:"label"`
	Type      string             `json:"type"`
	Required  bool               `json:"required"`
	Secret    bool               `json:"secret"`
	Mutable   *bool              `json:"mutable"`
	Visible   *bool              `json:"visible"`
	Value     json.RawMessage    `json:"value"`
	Form      *wireSubForm       `json:"form"`
	Options   []wireOption       `json:"options"`
	Messages  *wireList[wireMsg] `json:"messages"`
	RelatesTo json.RawMessage    `json:"relatesTo"`
}

type wireSubForm struct {
	Value []wireField `json:"value"`
}

type wireOption struct {
	Label     string          `json:"label"`
	Value     json.RawMessage `json:"value"`
	RelatesTo json.RawMessage `json:"relatesTo"`
}

type wireMsg struct {
	Message string    `json:"message"`
	Class   string    `json:"class"`
	I18n    *wireI18n `json:"i18n"`
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
	Resend          *wireForm       `json:"resend"`
	Poll            *wireForm       `json:"poll"`
	Recover         *wireForm       `json:"recover"`
}

type wireMethod struct {
	Type       string `json:"type"`
	MethodType string `json:"methodType"`
}

// Parse parses an IDX document. It never panics; a body it cannot
// understand gives an error wrapping [ErrMalformed] that does not quote the
// body (which carries the stateHandle). The raw JSON values of the result
// (Field.Value, Option.Value, Authenticator.ContextualData, User, App)
// refer to body rather than copy it: body must not be modified while the
// Response is in use.
func Parse(body []byte) (*Response, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	var d wireDoc
	dec := &decoder{}
	if err := dec.doc(body, &d); err != nil {
		return nil, err
	}
	r := &Response{
		Version:     d.Version,
		StateHandle: d.StateHandle,
		Intent:      d.Intent,
		User:        objectValue(dec, d.User),
		App:         objectValue(dec, d.App),
		dec:         dec,
	}
	defer func() { r.dec = nil }()
	if d.ExpiresAt != "" {
		t, err := time.Parse(time.RFC3339Nano, d.ExpiresAt)
		if err != nil {
			return nil, fmt.Errorf("%w: bad expiresAt", ErrMalformed)
		}
		r.ExpiresAt = t
	}
	if d.Authenticators != nil {
		for i := range d.Authenticators.Value {
			r.Authenticators = append(r.Authenticators, convAuth(&d.Authenticators.Value[i]))
		}
	}
	if d.AuthenticatorEnrollments != nil {
		for i := range d.AuthenticatorEnrollments.Value {
			r.AuthenticatorEnrollments = append(r.AuthenticatorEnrollments, convAuth(&d.AuthenticatorEnrollments.Value[i]))
		}
	}
	if d.CurrentAuthenticator != nil && d.CurrentAuthenticator.Value != nil {
		r.currentAuthenticator = convAuth(d.CurrentAuthenticator.Value)
	}
	if d.CurrentAuthenticatorEnrollment != nil && d.CurrentAuthenticatorEnrollment.Value != nil {
		r.currentAuthenticatorEnrollment = convAuth(d.CurrentAuthenticatorEnrollment.Value)
	}
	r.CurrentAuthenticator = r.currentAuthenticator
	if r.CurrentAuthenticator == nil {
		r.CurrentAuthenticator = r.currentAuthenticatorEnrollment
	}
	if d.Messages != nil {
		r.Messages = convMessages(d.Messages.Value)
	}
	var err error
	if d.Remediation != nil {
		for i := range d.Remediation.Value {
			f, ferr := r.convForm(&d.Remediation.Value[i])
			if ferr != nil {
				return nil, ferr
			}
			r.Remediations = append(r.Remediations, f)
		}
	}
	if d.Cancel != nil {
		if r.Cancel, err = r.convForm(d.Cancel); err != nil {
			return nil, err
		}
	}
	if d.Success != nil {
		if r.Success, err = r.convForm(d.Success); err != nil {
			return nil, err
		}
	}
	if r.currentAuthenticator != nil {
		if err := r.convActions(r.currentAuthenticator, d.CurrentAuthenticator.Value); err != nil {
			return nil, err
		}
	}
	if r.currentAuthenticatorEnrollment != nil {
		if err := r.convActions(r.currentAuthenticatorEnrollment, d.CurrentAuthenticatorEnrollment.Value); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// objectValue returns the value of an informational Ion object member
// (user, app): nil when absent, null or not of the {"value": ...} shape,
// which is not worth failing the document for.
func objectValue(dec *decoder, raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	v := dec.memberValue(raw, "value")
	if len(v) == 0 || bytes.Equal(v, []byte("null")) {
		return nil
	}
	return v
}

func convMessages(ws []wireMsg) []Message {
	if len(ws) == 0 {
		return nil
	}
	out := make([]Message, 0, len(ws))
	for _, w := range ws {
		m := Message{Class: w.Class, Text: w.Message}
		if w.I18n != nil {
			m.Key = w.I18n.Key
			m.Params = w.I18n.Params
		}
		out = append(out, m)
	}
	return out
}

func convAuth(w *wireAuth) *Authenticator {
	a := &Authenticator{
		ID:              w.ID,
		AuthenticatorID: w.AuthenticatorID,
		Key:             w.Key,
		Type:            w.Type,
		DisplayName:     w.DisplayName,
		Profile:         w.Profile,
		ContextualData:  w.ContextualData,
		Settings:        w.Settings,
		CredentialID:    w.CredentialID,
		Transports:      w.Transports,
	}
	for _, m := range w.Methods {
		t := m.Type
		if t == "" {
			t = m.MethodType
		}
		if t != "" {
			a.Methods = append(a.Methods, t)
		}
	}
	return a
}

// convActions converts the actions nested in a current authenticator. They
// are converted after the lists so that their references resolve.
func (r *Response) convActions(a *Authenticator, w *wireAuth) error {
	var err error
	for _, p := range []struct {
		dst **Form
		src *wireForm
	}{{&a.Resend, w.Resend}, {&a.Poll, w.Poll}, {&a.Recover, w.Recover}} {
		if p.src == nil {
			continue
		}
		if *p.dst, err = r.convForm(p.src); err != nil {
			return err
		}
	}
	return nil
}

func (r *Response) convForm(w *wireForm) (*Form, error) {
	if w.Name == "" {
		return nil, fmt.Errorf("%w: form without a name", ErrMalformed)
	}
	f := &Form{
		Name:     w.Name,
		Rel:      w.Rel,
		Href:     w.Href,
		Method:   strings.ToUpper(w.Method),
		Accepts:  w.Accepts,
		Produces: w.Produces,
		Type:     w.Type,
	}
	if w.IDP != nil {
		f.IDP = &IDP{ID: w.IDP.ID, Name: w.IDP.Name}
	}
	if f.Method == "" {
		f.Method = "POST"
	}
	if w.Refresh != nil && *w.Refresh > 0 {
		f.Refresh = refreshDuration(*w.Refresh)
	}
	f.RelatesTo = r.relatesToList(w.RelatesTo)
	for _, ref := range f.RelatesTo {
		if a := r.resolve(ref); a != nil {
			f.Authenticator = a
			break
		}
	}
	fields, err := r.convFields(w.Value, 0)
	if err != nil {
		return nil, err
	}
	f.Fields = fields
	return f, nil
}

// refreshDuration converts a refresh interval in milliseconds, saturating
// at the largest Duration instead of overflowing into a negative one.
func refreshDuration(ms float64) time.Duration {
	d := ms * float64(time.Millisecond)
	if d >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(d)
}

// maxDepth bounds nested forms, so a hostile document cannot recurse deeply.
const maxDepth = 8

func (r *Response) convFields(ws []wireField, depth int) ([]*Field, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: forms nested too deeply", ErrMalformed)
	}
	out := make([]*Field, 0, len(ws))
	for i := range ws {
		w := &ws[i]
		if w.Name == "" {
			return nil, fmt.Errorf("%w: field without a name", ErrMalformed)
		}
		f := &Field{
			Name:     w.Name,
			Label:    w.Label,
			Type:     w.Type,
			Required: w.Required,
			Secret:   w.Secret,
			Mutable:  w.Mutable == nil || *w.Mutable,
			Visible:  w.Visible == nil || *w.Visible,
		}
		if len(w.Value) > 0 && !bytes.Equal(w.Value, []byte("null")) {
			f.Value = w.Value
		}
		if w.Messages != nil {
			f.Messages = convMessages(w.Messages.Value)
		}
		if ref, ok := r.firstRelatesTo(w.RelatesTo); ok {
			f.RelatesTo = ref
			f.Authenticator = r.resolve(ref)
		}
		form := w.Form
		if form == nil && len(f.Value) > 0 && f.Value[0] == '{' {
			// An object whose value is a form, as select-enrollment-channel's
			// authenticator {"value": {"form": {...}}}: its sub-fields.
			var vf *wireSubForm
			if err := r.dec.optionForm(f.Value, &vf); err == nil && vf != nil {
				form, f.Value = vf, nil
			}
		}
		if form != nil {
			sub, err := r.convFields(form.Value, depth+1)
			if err != nil {
				return nil, err
			}
			f.Form = sub
		}
		for j := range w.Options {
			o, err := r.convOption(&w.Options[j], depth)
			if err != nil {
				return nil, err
			}
			f.Options = append(f.Options, o)
		}
		out = append(out, f)
	}
	return out, nil
}

func (r *Response) convOption(w *wireOption, depth int) (*Option, error) {
	o := &Option{Label: w.Label}
	if ref, ok := r.firstRelatesTo(w.RelatesTo); ok {
		o.RelatesTo = ref
		o.Authenticator = r.resolve(ref)
	}
	v := bytes.TrimSpace(w.Value)
	if len(v) > 0 && v[0] == '{' {
		var form *wireSubForm
		if err := r.dec.optionForm(v, &form); err != nil {
			return nil, fmt.Errorf("%w: bad option value", ErrMalformed)
		}
		if form != nil {
			sub, err := r.convFields(form.Value, depth+1)
			if err != nil {
				return nil, err
			}
			o.Form = sub
			return o, nil
		}
	}
	if len(v) > 0 && !bytes.Equal(v, []byte("null")) {
		o.Value = json.RawMessage(v)
	}
	return o, nil
}

// relatesToList accepts relatesTo as a string or an array of strings.
func (r *Response) relatesToList(raw json.RawMessage) []string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	one, ok1, many, ok2 := r.dec.strings(raw)
	switch {
	case ok1:
		return []string{one}
	case ok2:
		return many
	}
	return nil
}

// firstRelatesTo is the first reference of relatesToList, without making
// the list.
func (r *Response) firstRelatesTo(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && (raw[0] == '"' || raw[0] == 'n') {
		one, ok, _, _ := r.dec.strings(raw)
		return one, ok
	}
	if refs := r.relatesToList(raw); len(refs) > 0 {
		return refs[0], true
	}
	return "", false
}

// resolve follows a relatesTo reference such as
// "$.authenticatorEnrollments.value[3]" or "$.currentAuthenticator".
func (r *Response) resolve(ref string) *Authenticator {
	path, ok := strings.CutPrefix(ref, "$.")
	if !ok {
		return nil
	}
	name, rest, _ := strings.Cut(path, ".")
	var list []*Authenticator
	switch name {
	case "currentAuthenticator":
		return r.currentAuthenticator
	case "currentAuthenticatorEnrollment":
		return r.currentAuthenticatorEnrollment
	case "authenticators":
		list = r.Authenticators
	case "authenticatorEnrollments":
		list = r.AuthenticatorEnrollments
	default:
		return nil
	}
	idxStr, ok := strings.CutPrefix(rest, "value[")
	if !ok {
		return nil
	}
	idxStr, ok = strings.CutSuffix(idxStr, "]")
	if !ok {
		return nil
	}
	if idxStr == "" || strings.Trim(idxStr, "0123456789") != "" {
		return nil
	}
	i, err := strconv.Atoi(idxStr)
	if err != nil || i >= len(list) {
		return nil
	}
	return list[i]
}

// Action returns the action named name ("resend", "poll" or "recover")
// of currentAuthenticator or, when that has none, of
// currentAuthenticatorEnrollment; nil when neither offers it.
func (r *Response) Action(name string) *Form {
	for _, a := range []*Authenticator{r.currentAuthenticator, r.currentAuthenticatorEnrollment} {
		if a == nil {
			continue
		}
		var f *Form
		switch name {
		case "resend":
			f = a.Resend
		case "poll":
			f = a.Poll
		case "recover":
			f = a.Recover
		}
		if f != nil {
			return f
		}
	}
	return nil
}
