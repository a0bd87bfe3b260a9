package ion

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrMalformed reports an IDX document that cannot be used: invalid JSON,
// or a member the SDK needs that is missing or of the wrong type (see
// [MemberError]).
var ErrMalformed = errors.New("malformed IDX response")

// MemberError names a member of an IDX document that the SDK needs in
// order to act and cannot use: it is missing, or of the wrong JSON type.
// It never holds the member's value. It matches [ErrMalformed].
type MemberError struct {
	// Path is the member's JSON path in the document, such as
	// "remediation.value[0].value[1].name".
	Path string
	// Problem says what is wrong: "missing", "not a string", ...
	Problem string
}

// Error names the member and the problem.
func (e *MemberError) Error() string {
	return "malformed IDX response: " + e.Path + ": " + e.Problem
}

// Unwrap makes errors.Is(err, ErrMalformed) hold.
func (e *MemberError) Unwrap() error { return ErrMalformed }

// in puts the member's path under prefix.
func (e *MemberError) in(prefix string) *MemberError {
	e.Path = prefix + "." + e.Path
	return e
}

// Note is a member of an IDX document that Parse could not read and went
// on without: the member is left at its zero value (or its default), and
// the rest of the document is read as usual. A Note never holds the
// member's value.
type Note struct {
	// Path is the member's JSON path, such as "expiresAt" or
	// "remediation.value[0].value[2].required".
	Path string
	// Problem says what is odd about it: "not an RFC 3339 time", "a
	// boolean written as a string", "not an object", ...
	Problem string
}

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
	// Authenticators and AuthenticatorEnrollments are the lists forms refer
	// to, without the elements that are not objects.
	Authenticators           []*Authenticator
	AuthenticatorEnrollments []*Authenticator
	// User is the user object (the value of the document's user member) as
	// raw JSON, nil if absent.
	User json.RawMessage
	// App is the app object (the value of the document's app member) as raw
	// JSON, nil if absent.
	App json.RawMessage
	// Captcha is the captcha object (the value of the document's captcha
	// member: id, name, type, siteKey) as raw JSON, nil if absent; the
	// captchaVerify fields of forms relate to it.
	Captcha json.RawMessage
	// AuthenticatorChallenge is the authenticatorChallenge object of a
	// device challenge (see challenge.go), nil if absent.
	AuthenticatorChallenge *Challenge

	// Notes are the members Parse could not read and went on without,
	// for logging at debug level.
	Notes []Note

	currentAuthenticator           *Authenticator
	currentAuthenticatorEnrollment *Authenticator
	// authenticatorsAt and enrollmentsAt hold one entry per element of the
	// lists, nil for an element that is not an object: relatesTo
	// references count those too.
	authenticatorsAt, enrollmentsAt []*Authenticator
	// odd is set while converting when a tolerant wire value met
	// something it could not read.
	odd bool
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
	// CustomExpiredPasswordName and CustomExpiredPasswordURL name the
	// org's own page for changing an expired password, empty when the
	// form names none.
	CustomExpiredPasswordName, CustomExpiredPasswordURL string
	// Fields are the form's fields in server order.
	Fields []*Field
	// Scopes are the scopes a consent form (consent, admin-consent) asks
	// the user to grant, nil for other forms.
	Scopes []Scope
	// RequestInfo is what an email-challenge-consent form says about the
	// sign-in that asks for consent (the app, the browser), nil for other
	// forms.
	RequestInfo []Info
}

// IDP is the identity provider a redirect-idp form sends the user to.
type IDP struct {
	ID   string
	Name string
	// TermsOfUse, PrivacyPolicy and Logo are an identity verification
	// vendor's links (a redirect-idverify form's idvMetadata), empty when
	// the form gives none.
	TermsOfUse, PrivacyPolicy, Logo string
}

// Field is one value of a form.
type Field struct {
	// Name is the field's member name in the request body.
	Name string
	// Label is the server's label for the field.
	Label string
	// Desc is the server's description of the field (a granular
	// consent's scope), empty when it gives none.
	Desc string
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
	// Links are the message's links (links.go).
	Links []Link
	// Messages are messages nested in this one: the one to show when an
	// app on the device does not answer (links.go).
	Messages []Message
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
	// Resend, Poll and Recover are the actions nested in the object;
	// Cancel is the cancel-polling action of a FastPass challenge.
	Resend, Poll, Recover, Cancel *Form
	// GracePeriod is how long the user may put off enrolling it, nil
	// when the server gives none.
	GracePeriod *GracePeriod
	// Raw is the whole object as the server sent it, for members this type
	// does not hold.
	Raw json.RawMessage
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

// Parse parses an IDX document. It never panics and reads liberally: a
// member the SDK does not need in order to act (a date, a label, a
// message, a boolean flag written as a string, an authenticator entry
// that is not an object) is left at its zero value when it cannot be
// read, and reported in Response.Notes. A document Parse cannot use gives
// an error wrapping [ErrMalformed] that never quotes the document (which
// carries the stateHandle): invalid JSON, a top level that is not an
// object, or a member the SDK needs that is missing or of the wrong type,
// as a [*MemberError] naming it. The members the SDK needs are the
// stateHandle and the forms it submits (every remediation, cancel,
// successWithInteractionCode and the resend, poll and recover actions):
// each form's name, href and fields, each field's name, sub-form and
// options.
//
// The raw JSON values of the result (Field.Value, Option.Value,
// Authenticator.ContextualData and Raw, User, App, Captcha) are copies: body may be
// reused once Parse returns.
func Parse(body []byte) (*Response, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	var d wireDoc
	err := json.Unmarshal(body, &d)
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case err == nil:
	case errors.As(err, &te):
	case errors.As(err, &se):
		return nil, fmt.Errorf("%w: invalid JSON at offset %d", ErrMalformed, se.Offset)
	default:
		return nil, fmt.Errorf("%w: invalid JSON", ErrMalformed)
	}
	r := &Response{
		Version:     d.Version,
		StateHandle: d.StateHandle,
		Intent:      d.Intent,
		User:        objectValue(d.User),
		App:         objectValue(d.App),
		Captcha:     objectValue(d.Captcha),
	}
	// A value of the wrong type somewhere: find each, and fail if the SDK
	// needs one of them.
	checked := te != nil
	if checked {
		if err := r.check(body, te); err != nil {
			return nil, err
		}
	}
	if err := r.convert(&d); err != nil {
		if !checked {
			// A needed member of the wrong type may be behind this one
			// (encoding/json makes an empty form of a form that is not
			// an object): name it rather than the symptom.
			if cerr := r.check(body, nil); cerr != nil {
				return nil, cerr
			}
		}
		return nil, err
	}
	if r.odd && !checked {
		if err := r.check(body, nil); err != nil {
			return nil, err
		}
	}
	if d.ExpiresAt != "" {
		t, err := time.Parse(time.RFC3339Nano, d.ExpiresAt)
		if err != nil {
			r.Notes = append(r.Notes, Note{Path: "expiresAt", Problem: "not an RFC 3339 time"})
		} else {
			r.ExpiresAt = t
		}
	}
	return r, nil
}

// check lists the members of body that do not fit the wire as notes, or
// fails with the first one the SDK needs. te is encoding/json's report of
// the first such member, if any.
func (r *Response) check(body []byte, te *json.UnmarshalTypeError) error {
	ps := problems[wireDoc](body, "")
	for _, p := range ps {
		if p.needed {
			return &MemberError{Path: p.path, Problem: p.what}
		}
	}
	for _, p := range ps {
		r.Notes = append(r.Notes, Note{Path: p.path, Problem: p.what})
	}
	if len(ps) == 0 && te != nil {
		// A value encoding/json could not hold where any value goes (a
		// number out of range in a message's params).
		r.Notes = append(r.Notes, Note{Path: te.Field, Problem: "a value that cannot be read"})
	}
	return nil
}

// convert fills r from the wire document.
func (r *Response) convert(d *wireDoc) error {
	if d.Authenticators != nil {
		r.authenticatorsAt, r.Authenticators = r.convAuthList(d.Authenticators.Value)
	}
	if d.AuthenticatorEnrollments != nil {
		r.enrollmentsAt, r.AuthenticatorEnrollments = r.convAuthList(d.AuthenticatorEnrollments.Value)
	}
	current := func(o *wireObj[wireAuthObj]) *Authenticator {
		if o == nil || o.Value == nil {
			return nil
		}
		r.odd = r.odd || o.Value.odd
		if o.Value.none {
			return nil
		}
		return convAuth(o.Value)
	}
	r.currentAuthenticator = current(d.CurrentAuthenticator)
	r.currentAuthenticatorEnrollment = current(d.CurrentAuthenticatorEnrollment)
	r.CurrentAuthenticator = r.currentAuthenticator
	if r.CurrentAuthenticator == nil {
		r.CurrentAuthenticator = r.currentAuthenticatorEnrollment
	}
	if d.Messages != nil {
		r.Messages = convMessages(d.Messages.Value)
	}
	var err error
	if d.Remediation != nil {
		r.Remediations = make([]*Form, 0, len(d.Remediation.Value))
		for i := range d.Remediation.Value {
			f, err := r.convForm(&d.Remediation.Value[i])
			if err != nil {
				return err.in("remediation.value[" + strconv.Itoa(i) + "]")
			}
			r.Remediations = append(r.Remediations, f)
		}
	}
	if d.Cancel != nil {
		if r.Cancel, err = r.convAction(d.Cancel, "cancel"); err != nil {
			return err
		}
	}
	if d.Success != nil {
		if r.Success, err = r.convAction(d.Success, "successWithInteractionCode"); err != nil {
			return err
		}
	}
	if err := r.convChallenge(d.AuthenticatorChallenge); err != nil {
		return err
	}
	if r.currentAuthenticator != nil {
		if err := r.convActions(r.currentAuthenticator, &d.CurrentAuthenticator.Value.wireAuth, "currentAuthenticator.value"); err != nil {
			return err
		}
	}
	if r.currentAuthenticatorEnrollment != nil {
		if err := r.convActions(r.currentAuthenticatorEnrollment, &d.CurrentAuthenticatorEnrollment.Value.wireAuth, "currentAuthenticatorEnrollment.value"); err != nil {
			return err
		}
	}
	return nil
}

// convAction converts a form outside the remediation list, at path.
func (r *Response) convAction(w *wireForm, path string) (*Form, error) {
	f, err := r.convForm(w)
	if err != nil {
		return nil, err.in(path)
	}
	return f, nil
}

// objectValue returns the value of an informational Ion object member
// (user, app): nil when absent, null or not of the {"value": ...} shape.
func objectValue(o *wireObj[json.RawMessage]) json.RawMessage {
	if o == nil || o.Value == nil || bytes.Equal(*o.Value, []byte("null")) {
		return nil
	}
	return *o.Value
}

func convMessages(ws []wireMsg) []Message {
	if len(ws) == 0 {
		return nil
	}
	out := make([]Message, 0, len(ws))
	for i := range ws {
		out = append(out, convMessage(&ws[i], 0))
	}
	return out
}

// convAuthList converts a list of authenticator objects. at holds one entry
// per element of the list, nil for an element that is not an object, so
// that relatesTo references find their element by its index; list leaves
// those out.
func (r *Response) convAuthList(ws []wireAuthObj) (at, list []*Authenticator) {
	at = make([]*Authenticator, len(ws))
	list = make([]*Authenticator, 0, len(ws))
	for i := range ws {
		r.odd = r.odd || ws[i].odd
		if ws[i].none {
			continue
		}
		at[i] = convAuth(&ws[i])
		list = append(list, at[i])
	}
	return at, list
}

func convAuth(w *wireAuthObj) *Authenticator {
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
		GracePeriod:     convGracePeriod(w.GracePeriod),
		Raw:             w.raw,
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

// convActions converts the actions nested in a current authenticator at
// path. They are converted after the lists so that their references
// resolve.
func (r *Response) convActions(a *Authenticator, w *wireAuth, path string) error {
	var err error
	for _, p := range []struct {
		dst  **Form
		src  *wireForm
		name string
	}{{&a.Resend, w.Resend, "resend"}, {&a.Poll, w.Poll, "poll"}, {&a.Recover, w.Recover, "recover"}, {&a.Cancel, w.Cancel, "cancel"}} {
		if p.src == nil {
			continue
		}
		if *p.dst, err = r.convAction(p.src, path+"."+p.name); err != nil {
			return err
		}
	}
	return nil
}

func (r *Response) convForm(w *wireForm) (*Form, *MemberError) {
	if w.Name == "" {
		return nil, &MemberError{Path: "name", Problem: "missing"}
	}
	f := &Form{
		Name:      w.Name,
		Rel:       w.Rel,
		Href:      w.Href,
		Method:    strings.ToUpper(w.Method),
		Accepts:   w.Accepts,
		Produces:  w.Produces,
		Type:      w.Type,
		RelatesTo: w.RelatesTo.list,

		CustomExpiredPasswordName: w.CustomExpiredPasswordName,
		CustomExpiredPasswordURL:  w.CustomExpiredPasswordURL,
	}
	r.odd = r.odd || w.RelatesTo.odd
	if w.IDP != nil && *w.IDP != (wireIDP{}) {
		f.IDP = &IDP{ID: w.IDP.ID, Name: w.IDP.Name}
		if m := w.IDVMetadata; m != nil {
			f.IDP.TermsOfUse, f.IDP.PrivacyPolicy, f.IDP.Logo = m.TermsOfUse, m.PrivacyPolicy, m.LogoLink
		}
	}
	if f.Method == "" {
		f.Method = "POST"
	}
	if w.Refresh != nil && *w.Refresh > 0 {
		f.Refresh = refreshDuration(*w.Refresh)
	}
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
	f.Scopes, f.RequestInfo = convScopes(w.Scopes), convRequestInfo(w.RequestInfo)
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

// convFields converts the fields of a form; an error's path is relative
// to the form. An object field repeated by name, as profile-update sends
// userProfile once per attribute, is one field: the later ones' sub-fields
// join the first's (see [mergeObject]).
func (r *Response) convFields(ws []wireField, depth int) ([]*Field, *MemberError) {
	if depth > maxDepth {
		return nil, &MemberError{Path: "value", Problem: "forms nested too deeply"}
	}
	out := make([]*Field, 0, len(ws))
	for i := range ws {
		f, err := r.convField(&ws[i], depth)
		if err != nil {
			return nil, err.in("value[" + strconv.Itoa(i) + "]")
		}
		if mergeObject(out, f) {
			continue
		}
		out = append(out, f)
	}
	return out, nil
}

// mergeObject adds the sub-fields of f, an object field, to the earlier
// object field of the same name in fields, and reports whether there was
// one. Sub-fields the earlier one already has keep its version. Fields
// that are not both plain objects (a sub-form and no options) are left
// apart: the first of the name counts, as with [Form.Field].
func mergeObject(fields []*Field, f *Field) bool {
	if len(f.Form) == 0 || len(f.Options) > 0 {
		return false
	}
	for _, prev := range fields {
		if prev.Name != f.Name {
			continue
		}
		if len(prev.Form) == 0 || len(prev.Options) > 0 {
			return false
		}
		for _, sub := range f.Form {
			if !slices.ContainsFunc(prev.Form, func(p *Field) bool { return p.Name == sub.Name }) {
				prev.Form = append(prev.Form, sub)
			}
		}
		prev.Required = prev.Required || f.Required
		prev.Messages = append(prev.Messages, f.Messages...)
		return true
	}
	return false
}

func (r *Response) convField(w *wireField, depth int) (*Field, *MemberError) {
	if w.Name == "" {
		return nil, &MemberError{Path: "name", Problem: "missing"}
	}
	f := &Field{
		Name:     w.Name,
		Label:    w.Label,
		Desc:     w.Desc,
		Type:     w.Type,
		Required: w.Required.or(false),
		// A secret flag that cannot be read counts as set: showing a
		// secret is worse than masking a value.
		Secret:  w.Secret.or(w.Secret.odd),
		Mutable: w.Mutable.or(true),
		Visible: w.Visible.or(true),
	}
	r.odd = r.odd || w.Required.odd || w.Secret.odd || w.Mutable.odd || w.Visible.odd || w.RelatesTo.odd
	f.Value = w.Value.raw()
	if w.Messages != nil {
		f.Messages = convMessages(w.Messages.Value)
	}
	if l := w.RelatesTo.list; len(l) > 0 {
		f.RelatesTo = l[0]
		f.Authenticator = r.resolve(l[0])
	}
	form, at := w.Form, "form"
	if form == nil && len(f.Value) > 0 && f.Value[0] == '{' {
		// An object whose value is a form, as select-enrollment-channel's
		// authenticator {"value": {"form": {...}}}: its sub-fields.
		vf, odd, deep := w.Value.form(depth)
		if deep {
			return nil, &MemberError{Path: "value.form", Problem: "forms nested too deeply"}
		}
		r.odd = r.odd || odd
		if vf != nil {
			form, at, f.Value = vf, "value.form", nil
		}
	}
	if form != nil {
		sub, err := r.convFields(form.Value, depth+1)
		if err != nil {
			return nil, err.in(at)
		}
		f.Form = sub
	}
	if len(w.Options) > 0 {
		f.Options = make([]*Option, 0, len(w.Options))
	}
	for j := range w.Options {
		o, err := r.convOption(&w.Options[j], depth)
		if err != nil {
			return nil, err.in("options[" + strconv.Itoa(j) + "]")
		}
		f.Options = append(f.Options, o)
	}
	return f, nil
}

func (r *Response) convOption(w *wireOption, depth int) (*Option, *MemberError) {
	o := &Option{Label: w.Label}
	r.odd = r.odd || w.RelatesTo.odd
	if l := w.RelatesTo.list; len(l) > 0 {
		o.RelatesTo = l[0]
		o.Authenticator = r.resolve(l[0])
	}
	if len(w.Value) > 0 && w.Value[0] == '{' {
		vf, odd, deep := w.Value.form(depth)
		if deep {
			return nil, &MemberError{Path: "value.form", Problem: "forms nested too deeply"}
		}
		r.odd = r.odd || odd
		if vf != nil {
			sub, err := r.convFields(vf.Value, depth+1)
			if err != nil {
				return nil, err.in("value.form")
			}
			o.Form = sub
			return o, nil
		}
	}
	if w.Form != nil && len(w.Value) == 0 {
		sub, err := r.convFields(w.Form.Value, depth+1)
		if err != nil {
			return nil, err.in("form")
		}
		o.Form = sub
		return o, nil
	}
	o.Value = w.Value.raw()
	return o, nil
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
		list = r.authenticatorsAt
	case "authenticatorEnrollments":
		list = r.enrollmentsAt
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

// stringValue decodes a raw value as json.Unmarshal does into a string.
func stringValue(raw []byte) (string, bool) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}
