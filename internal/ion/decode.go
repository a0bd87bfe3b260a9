package ion

// A decoder for IDX documents into the wire types of ion.go, in one pass.
//
// It gives the result json.Unmarshal gives for the same input (the tests
// check this against encoding/json, fuzzing included): the same wire
// values, and an error exactly when encoding/json has one. What it saves
// is encoding/json's second pass over the input (Unmarshal validates the
// whole document before decoding it), its reflection, a copy of every raw
// value, and a string allocation for the protocol's common words. It
// follows encoding/json's rules: member names match exactly or else
// without regard to case (bytes.EqualFold), a later duplicate member
// decodes into what the earlier one left, null leaves strings, booleans
// and numbers as they are and sets slices, pointers and maps to nil, raw
// values keep null as "null", and invalid UTF-8 in strings becomes
// U+FFFD. Raw values (json.RawMessage) refer to the input rather than
// copying it, so the input must not change while the result is in use.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// maxNesting is encoding/json's limit on nested arrays and objects.
const maxNesting = 10000

type decoder struct {
	data  []byte
	off   int
	depth int
}

func (d *decoder) syntaxError() error {
	return fmt.Errorf("%w: invalid JSON at offset %d", ErrMalformed, d.off)
}

func typeError(member string) error {
	return fmt.Errorf("%w: unexpected JSON type for %s", ErrMalformed, member)
}

func (d *decoder) ws() {
	for d.off < len(d.data) {
		switch d.data[d.off] {
		case ' ', '\t', '\n', '\r':
			d.off++
		default:
			return
		}
	}
}

// peek returns the first byte of the next value (after white space), or
// 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.off >= len(d.data) {
		return 0
	}
	return d.data[d.off]
}

// decodeDoc decodes a whole document, which must be one object, into w.
func decodeDoc(data []byte, w *wireDoc) error {
	return (&decoder{}).doc(data, w)
}

// reset makes d decode data from its start.
func (d *decoder) reset(data []byte) *decoder {
	d.data, d.off, d.depth = data, 0, 0
	return d
}

func (d *decoder) doc(data []byte, w *wireDoc) error {
	d.reset(data)
	if d.peek() != '{' {
		return d.syntaxError()
	}
	if err := d.object(w.member); err != nil {
		return err
	}
	d.ws()
	if d.off != len(d.data) {
		return d.syntaxError()
	}
	return nil
}

// object decodes an object, calling member for each member with the
// (unquoted) name and the decoder at the member's value, which member
// must consume.
func (d *decoder) object(member func(d *decoder, name []byte) error) error {
	if d.depth++; d.depth > maxNesting {
		return d.syntaxError()
	}
	d.off++ // {
	if d.peek() == '}' {
		d.off++
		d.depth--
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.syntaxError()
		}
		name, err := d.key()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return d.syntaxError()
		}
		d.off++
		if err := member(d, name); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.off++
		case '}':
			d.off++
			d.depth--
			return nil
		default:
			return d.syntaxError()
		}
	}
}

// array decodes an array, calling elem for each element with its index.
func (d *decoder) array(elem func(d *decoder, i int) error) (int, error) {
	if d.depth++; d.depth > maxNesting {
		return 0, d.syntaxError()
	}
	d.off++ // [
	if d.peek() == ']' {
		d.off++
		d.depth--
		return 0, nil
	}
	for i := 0; ; i++ {
		if err := elem(d, i); err != nil {
			return 0, err
		}
		switch d.peek() {
		case ',':
			d.off++
		case ']':
			d.off++
			d.depth--
			return i + 1, nil
		default:
			return 0, d.syntaxError()
		}
	}
}

// key reads a member name; it returns the input's bytes when the name has
// no escapes, else the unquoted name.
func (d *decoder) key() ([]byte, error) {
	start := d.off
	plain, err := d.scanString()
	if err != nil {
		return nil, err
	}
	s := d.data[start+1 : d.off-1]
	if plain {
		return s, nil
	}
	return unquote(s), nil
}

// scanString moves past the string at d.off and reports whether it is
// plain: no escapes and only ASCII.
func (d *decoder) scanString() (plain bool, err error) {
	d.off++ // "
	plain = true
	for d.off < len(d.data) {
		c := d.data[d.off]
		switch {
		case c == '"':
			d.off++
			return plain, nil
		case c == '\\':
			plain = false
			d.off++
			if d.off >= len(d.data) {
				return false, d.syntaxError()
			}
			switch d.data[d.off] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.off++
			case 'u':
				d.off++
				for range 4 {
					if d.off >= len(d.data) || !isHex(d.data[d.off]) {
						return false, d.syntaxError()
					}
					d.off++
				}
			default:
				return false, d.syntaxError()
			}
		case c < ' ':
			return false, d.syntaxError()
		default:
			if c >= utf8.RuneSelf {
				plain = false
			}
			d.off++
		}
	}
	return false, d.syntaxError()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// str decodes a string value into *dst; null leaves *dst as it is, and
// any other value is a type error for member.
func (d *decoder) str(dst *string, member string) error {
	switch d.peek() {
	case '"':
		start := d.off
		plain, err := d.scanString()
		if err != nil {
			return err
		}
		s := d.data[start+1 : d.off-1]
		switch {
		case plain:
			*dst = intern(s)
		case bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s):
			*dst = string(s)
		default:
			*dst = string(unquote(s))
		}
		return nil
	case 'n':
		return d.null()
	}
	return d.mismatch(member)
}

// mismatch fails with a type error for member when the next value is
// valid JSON, and with a syntax error otherwise (encoding/json checks the
// syntax of the whole document first).
func (d *decoder) mismatch(member string) error {
	if err := d.skip(); err != nil {
		return err
	}
	return typeError(member)
}

// null consumes the literal null.
func (d *decoder) null() error { return d.literal("null") }

func (d *decoder) literal(lit string) error {
	if len(d.data)-d.off < len(lit) || string(d.data[d.off:d.off+len(lit)]) != lit {
		return d.syntaxError()
	}
	d.off += len(lit)
	return nil
}

// boolean decodes true or false into *dst; null leaves it.
func (d *decoder) boolean(dst *bool, member string) error {
	switch d.peek() {
	case 't':
		*dst = true
		return d.literal("true")
	case 'f':
		*dst = false
		return d.literal("false")
	case 'n':
		return d.null()
	}
	return d.mismatch(member)
}

// Shared targets of decoded *bool members: the wire values are never
// written through their pointers.
var (
	trueValue  = true
	falseValue = false
)

// optBool decodes a boolean into a *bool member: null sets it to nil.
func (d *decoder) optBool(dst **bool, member string) error {
	switch d.peek() {
	case 't':
		*dst = &trueValue
		return d.literal("true")
	case 'f':
		*dst = &falseValue
		return d.literal("false")
	case 'n':
		*dst = nil
		return d.null()
	}
	return d.mismatch(member)
}

// optFloat decodes a number into a *float64 member: null sets it to nil.
func (d *decoder) optFloat(dst **float64, member string) error {
	switch c := d.peek(); {
	case c == 'n':
		*dst = nil
		return d.null()
	case c == '-' || '0' <= c && c <= '9':
		start := d.off
		if err := d.number(); err != nil {
			return err
		}
		f, err := strconv.ParseFloat(string(d.data[start:d.off]), 64)
		if err != nil {
			return typeError(member)
		}
		*dst = &f
		return nil
	}
	return d.mismatch(member)
}

// raw stores the next value, whatever it is, as the input's bytes.
func (d *decoder) raw(dst *json.RawMessage) error {
	d.ws()
	start := d.off
	if err := d.skip(); err != nil {
		return err
	}
	*dst = d.data[start:d.off:d.off]
	return nil
}

// skip moves past the next value, checking its syntax.
func (d *decoder) skip() error {
	switch c := d.peek(); {
	case c == '{':
		return d.object(func(d *decoder, _ []byte) error { return d.skip() })
	case c == '[':
		_, err := d.array(func(d *decoder, _ int) error { return d.skip() })
		return err
	case c == '"':
		_, err := d.scanString()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.null()
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	}
	return d.syntaxError()
}

// number moves past a number, checking its syntax.
func (d *decoder) number() error {
	digits := func() int {
		n := 0
		for d.off < len(d.data) && '0' <= d.data[d.off] && d.data[d.off] <= '9' {
			d.off++
			n++
		}
		return n
	}
	if d.data[d.off] == '-' {
		d.off++
	}
	switch {
	case d.off < len(d.data) && d.data[d.off] == '0':
		d.off++
	case digits() == 0:
		return d.syntaxError()
	}
	if d.off < len(d.data) && d.data[d.off] == '.' {
		d.off++
		if digits() == 0 {
			return d.syntaxError()
		}
	}
	if d.off < len(d.data) && (d.data[d.off] == 'e' || d.data[d.off] == 'E') {
		d.off++
		if d.off < len(d.data) && (d.data[d.off] == '+' || d.data[d.off] == '-') {
			d.off++
		}
		if digits() == 0 {
			return d.syntaxError()
		}
	}
	return nil
}

// anyValue decodes the next value as encoding/json decodes into an empty
// interface: map[string]any, []any, string, float64, bool or nil.
func (d *decoder) anyValue(member string) (any, error) {
	switch c := d.peek(); {
	case c == '{':
		m := map[string]any{}
		return m, d.anyMap(m, member)
	case c == '[':
		s := []any{}
		_, err := d.array(func(d *decoder, _ int) error {
			v, err := d.anyValue(member)
			s = append(s, v)
			return err
		})
		return s, err
	case c == '"':
		var s string
		return s, d.str(&s, member)
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.null()
	case c == '-' || '0' <= c && c <= '9':
		start := d.off
		if err := d.number(); err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(string(d.data[start:d.off]), 64)
		if err != nil {
			return nil, typeError(member)
		}
		return f, nil
	}
	return nil, d.syntaxError()
}

// anyMap decodes an object's members into m, replacing values under the
// same name.
func (d *decoder) anyMap(m map[string]any, member string) error {
	return d.object(func(d *decoder, name []byte) error {
		v, err := d.anyValue(member)
		m[string(name)] = v
		return err
	})
}

// profile decodes an object into *dst (a map[string]any member), adding
// to the map already there; null sets it to nil.
func (d *decoder) profile(dst *map[string]any, member string) error {
	switch d.peek() {
	case '{':
		if *dst == nil {
			*dst = map[string]any{}
		}
		return d.anyMap(*dst, member)
	case 'n':
		*dst = nil
		return d.null()
	}
	return d.mismatch(member)
}

// anyList decodes an array into *dst (a []any member).
func (d *decoder) anyList(dst *[]any, member string) error {
	return list(d, dst, member, func(d *decoder, e *any) error {
		v, err := d.anyValue(member)
		*e = v
		return err
	})
}

// match returns the index of the name in names that name matches:
// exactly, else without regard to case, as encoding/json matches member
// names to struct fields; -1 if none.
func match(name []byte, names []string) int {
	for i, n := range names {
		if string(name) == n {
			return i
		}
	}
	ascii := true
	for _, c := range name {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	for i, n := range names {
		if ascii && asciiEqualFold(name, n) || !ascii && bytes.EqualFold(name, []byte(n)) {
			return i
		}
	}
	return -1
}

// asciiEqualFold is bytes.EqualFold for an ASCII name against an ASCII
// member name. (A non-ASCII name may still fold to an ASCII one: the
// Kelvin sign folds to k.)
func asciiEqualFold(name []byte, n string) bool {
	if len(name) != len(n) {
		return false
	}
	for i, c := range name {
		m := n[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= m && m <= 'Z' {
			m += 'a' - 'A'
		}
		if c != m {
			return false
		}
	}
	return true
}

// elem returns element i of *s, growing *s the way encoding/json does
// when it decodes an array into a slice: elements already there are
// decoded into, not replaced.
func elem[T any](s *[]T, i int) *T {
	if i >= cap(*s) {
		var zero T
		*s = append(*s, zero)[:len(*s)]
	}
	if i >= len(*s) {
		*s = (*s)[:i+1]
	}
	return &(*s)[i]
}

// list decodes an array into *s with each, or sets *s to nil for null. As
// encoding/json does, it keeps the elements it decoded into and makes an
// empty array an empty (not nil) slice.
func list[T any](d *decoder, s *[]T, member string, each func(d *decoder, e *T) error) error {
	switch d.peek() {
	case '[':
		n, err := d.array(func(d *decoder, i int) error { return each(d, elem(s, i)) })
		if err != nil {
			return err
		}
		if n == 0 {
			*s = []T{}
		} else {
			*s = (*s)[:n]
		}
		return nil
	case 'n':
		*s = nil
		return d.null()
	}
	return d.mismatch(member)
}

// ptr decodes an object into **p, allocating it when nil, or sets it to
// nil for null.
func ptr[T any](d *decoder, p **T, member string, each func(d *decoder, v *T) error) error {
	switch d.peek() {
	case '{':
		if *p == nil {
			*p = new(T)
		}
		return each(d, *p)
	case 'n':
		*p = nil
		return d.null()
	}
	return d.mismatch(member)
}

// obj decodes an object with the member function of its wire type; null
// leaves the value as it is.
func obj[T any](member func(v *T, d *decoder, name []byte) error) func(d *decoder, v *T) error {
	return func(d *decoder, v *T) error {
		switch d.peek() {
		case '{':
			return d.object(func(d *decoder, name []byte) error { return member(v, d, name) })
		case 'n':
			return d.null() // leaves v as it is
		}
		return d.mismatch("object")
	}
}

// The member functions of the wire types.

var docMembers = []string{"version", "stateHandle", "expiresAt", "intent", "remediation", "messages", "cancel",
	"successWithInteractionCode", "currentAuthenticator", "currentAuthenticatorEnrollment", "authenticators",
	"authenticatorEnrollments", "user", "app"}

func (w *wireDoc) member(d *decoder, name []byte) error {
	switch match(name, docMembers) {
	case 0:
		return d.str(&w.Version, "version")
	case 1:
		return d.str(&w.StateHandle, "stateHandle")
	case 2:
		return d.str(&w.ExpiresAt, "expiresAt")
	case 3:
		return d.str(&w.Intent, "intent")
	case 4:
		return ptr(d, &w.Remediation, "remediation", obj(formList))
	case 5:
		return ptr(d, &w.Messages, "messages", obj(msgList))
	case 6:
		return ptr(d, &w.Cancel, "cancel", obj((*wireForm).member))
	case 7:
		return ptr(d, &w.Success, "successWithInteractionCode", obj((*wireForm).member))
	case 8:
		return ptr(d, &w.CurrentAuthenticator, "currentAuthenticator", obj(authObj))
	case 9:
		return ptr(d, &w.CurrentAuthenticatorEnrollment, "currentAuthenticatorEnrollment", obj(authObj))
	case 10:
		return ptr(d, &w.Authenticators, "authenticators", obj(authList))
	case 11:
		return ptr(d, &w.AuthenticatorEnrollments, "authenticatorEnrollments", obj(authList))
	case 12:
		return d.raw(&w.User)
	case 13:
		return d.raw(&w.App)
	}
	return d.skip()
}

var valueMember = []string{"value"}

func formList(l *wireList[wireForm], d *decoder, name []byte) error {
	if match(name, valueMember) != 0 {
		return d.skip()
	}
	return list(d, &l.Value, "value", obj((*wireForm).member))
}

func msgList(l *wireList[wireMsg], d *decoder, name []byte) error {
	if match(name, valueMember) != 0 {
		return d.skip()
	}
	return list(d, &l.Value, "value", obj((*wireMsg).member))
}

func authList(l *wireList[wireAuth], d *decoder, name []byte) error {
	if match(name, valueMember) != 0 {
		return d.skip()
	}
	return list(d, &l.Value, "value", obj((*wireAuth).member))
}

func authObj(o *wireObj[wireAuth], d *decoder, name []byte) error {
	if match(name, valueMember) != 0 {
		return d.skip()
	}
	return ptr(d, &o.Value, "value", obj((*wireAuth).member))
}

var formMembers = []string{"name", "rel", "href", "method", "accepts", "produces", "refresh", "relatesTo", "value",
	"type", "idp"}

var idpMembers = []string{"id", "name"}

func (w *wireForm) member(d *decoder, name []byte) error {
	switch match(name, formMembers) {
	case 0:
		return d.str(&w.Name, "name")
	case 1:
		return list(d, &w.Rel, "rel", func(d *decoder, s *string) error { return d.str(s, "rel") })
	case 2:
		return d.str(&w.Href, "href")
	case 3:
		return d.str(&w.Method, "method")
	case 4:
		return d.str(&w.Accepts, "accepts")
	case 5:
		return d.str(&w.Produces, "produces")
	case 6:
		return d.optFloat(&w.Refresh, "refresh")
	case 7:
		return d.raw(&w.RelatesTo)
	case 8:
		return list(d, &w.Value, "value", obj((*wireField).member))
	case 9:
		return d.str(&w.Type, "type")
	case 10:
		return ptr(d, &w.IDP, "idp", obj(func(v *wireIDP, d *decoder, name []byte) error {
			switch match(name, idpMembers) {
			case 0:
				return d.str(&v.ID, "id")
			case 1:
				return d.str(&v.Name, "name")
			}
			return d.skip()
		}))
	}
	return d.skip()
}

var fieldMembers = []string{"name", "label", "type", "required", "secret", "mutable", "visible", "value", "form",
	"options", "messages", "relatesTo"}

func (w *wireField) member(d *decoder, name []byte) error {
	switch match(name, fieldMembers) {
	case 0:
		return d.str(&w.Name, "name")
	case 1:
		return d.str(&w.Label, "label")
	case 2:
		return d.str(&w.Type, "type")
	case 3:
		return d.boolean(&w.Required, "required")
	case 4:
		return d.boolean(&w.Secret, "secret")
	case 5:
		return d.optBool(&w.Mutable, "mutable")
	case 6:
		return d.optBool(&w.Visible, "visible")
	case 7:
		return d.raw(&w.Value)
	case 8:
		return ptr(d, &w.Form, "form", obj((*wireSubForm).member))
	case 9:
		return list(d, &w.Options, "options", obj((*wireOption).member))
	case 10:
		return ptr(d, &w.Messages, "messages", obj(msgList))
	case 11:
		return d.raw(&w.RelatesTo)
	}
	return d.skip()
}

func (w *wireSubForm) member(d *decoder, name []byte) error {
	if match(name, valueMember) != 0 {
		return d.skip()
	}
	return list(d, &w.Value, "value", obj((*wireField).member))
}

var optionMembers = []string{"label", "value", "relatesTo"}

func (w *wireOption) member(d *decoder, name []byte) error {
	switch match(name, optionMembers) {
	case 0:
		return d.str(&w.Label, "label")
	case 1:
		return d.raw(&w.Value)
	case 2:
		return d.raw(&w.RelatesTo)
	}
	return d.skip()
}

var msgMembers = []string{"message", "class", "i18n"}

var i18nMembers = []string{"key", "params"}

func (w *wireMsg) member(d *decoder, name []byte) error {
	switch match(name, msgMembers) {
	case 0:
		return d.str(&w.Message, "message")
	case 1:
		return d.str(&w.Class, "class")
	case 2:
		return ptr(d, &w.I18n, "i18n", obj(func(v *wireI18n, d *decoder, name []byte) error {
			switch match(name, i18nMembers) {
			case 0:
				return d.str(&v.Key, "key")
			case 1:
				return d.anyList(&v.Params, "params")
			}
			return d.skip()
		}))
	}
	return d.skip()
}

var authMembers = []string{"id", "authenticatorId", "key", "type", "displayName", "methods", "profile",
	"contextualData", "resend", "poll", "recover", "settings", "credentialId", "transports"}

var methodMembers = []string{"type", "methodType"}

func (w *wireAuth) member(d *decoder, name []byte) error {
	switch match(name, authMembers) {
	case 0:
		return d.str(&w.ID, "id")
	case 1:
		return d.str(&w.AuthenticatorID, "authenticatorId")
	case 2:
		return d.str(&w.Key, "key")
	case 3:
		return d.str(&w.Type, "type")
	case 4:
		return d.str(&w.DisplayName, "displayName")
	case 5:
		return list(d, &w.Methods, "methods", obj(func(m *wireMethod, d *decoder, name []byte) error {
			switch match(name, methodMembers) {
			case 0:
				return d.str(&m.Type, "type")
			case 1:
				return d.str(&m.MethodType, "methodType")
			}
			return d.skip()
		}))
	case 6:
		return d.profile(&w.Profile, "profile")
	case 7:
		return d.raw(&w.ContextualData)
	case 8:
		return ptr(d, &w.Resend, "resend", obj((*wireForm).member))
	case 9:
		return ptr(d, &w.Poll, "poll", obj((*wireForm).member))
	case 10:
		return ptr(d, &w.Recover, "recover", obj((*wireForm).member))
	case 11:
		return d.raw(&w.Settings)
	case 12:
		return d.str(&w.CredentialID, "credentialId")
	case 13:
		return d.raw(&w.Transports)
	}
	return d.skip()
}

// Decoders of raw values kept by the first pass, each equal to
// json.Unmarshal into the type it names.

var formMember = []string{"form"}

// decodeOptionForm decodes an option's object value into
// struct{ Form *wireSubForm `json:"form"` }.
func (d *decoder) optionForm(raw []byte, form **wireSubForm) error {
	d.reset(raw)
	if d.peek() != '{' {
		return d.mismatch("form")
	}
	return d.object(func(d *decoder, name []byte) error {
		if match(name, formMember) != 0 {
			return d.skip()
		}
		return ptr(d, form, "form", obj((*wireSubForm).member))
	})
}

// strings decodes raw (valid JSON) as json.Unmarshal does into a string
// (ok1) or, failing that, into a []string (ok2).
func (d *decoder) strings(raw []byte) (one string, ok1 bool, many []string, ok2 bool) {
	d.reset(raw)
	switch d.peek() {
	case '"', 'n':
		return one, d.str(&one, "") == nil, nil, false
	case '[':
		err := list(d, &many, "", func(d *decoder, s *string) error { return d.str(s, "") })
		return "", false, many, err == nil
	}
	return "", false, nil, false
}

// memberValue returns the raw value of the last member named name
// (matched as encoding/json does) of the object raw, or nil.
func (d *decoder) memberValue(raw []byte, name string) json.RawMessage {
	var v json.RawMessage
	d.reset(raw)
	if d.peek() != '{' {
		return nil
	}
	names := []string{name}
	err := d.object(func(d *decoder, key []byte) error {
		if match(key, names) == 0 {
			return d.raw(&v)
		}
		return d.skip()
	})
	if err != nil {
		return nil
	}
	return v
}

// stringValue decodes a raw value as json.Unmarshal does into a string.
func stringValue(raw []byte) (string, bool) {
	var s string
	d := &decoder{data: raw}
	if err := d.str(&s, ""); err != nil {
		return "", false
	}
	d.ws()
	return s, d.off == len(d.data)
}

// unquote decodes the contents of a JSON string with escapes or non-ASCII
// bytes: escapes are resolved (a surrogate pair to its rune, a lone
// surrogate to U+FFFD), and each byte of invalid UTF-8 becomes U+FFFD.
func unquote(s []byte) []byte {
	b := make([]byte, 0, len(s)+utf8.UTFMax)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			e := s[i+1]
			i += 2
			switch e {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r := hex4(s[i:])
				i += 4
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2 = hex4(s[i+2:])
					}
					if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
						r = dec
						i += 6
					} else {
						r = unicode.ReplacementChar
					}
				}
				b = utf8.AppendRune(b, r)
			default: // '"', '\\', '/'
				b = append(b, e)
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, unicode.ReplacementChar)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
	}
	return b
}

// hex4 decodes four hex digits (checked by scanString), or returns -1.
func hex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// intern returns the protocol's common words without allocating.
func intern(b []byte) string {
	switch string(b) {
	case "":
		return ""
	case "1.0.0":
		return "1.0.0"
	case "LOGIN":
		return "LOGIN"
	case "POST":
		return "POST"
	case "create-form":
		return "create-form"
	case "application/json; okta-version=1.0.0":
		return "application/json; okta-version=1.0.0"
	case "application/ion+json; okta-version=1.0.0":
		return "application/ion+json; okta-version=1.0.0"
	case "application/x-www-form-urlencoded":
		return "application/x-www-form-urlencoded"
	case "stateHandle":
		return "stateHandle"
	case "identifier":
		return "identifier"
	case "credentials":
		return "credentials"
	case "passcode":
		return "passcode"
	case "rememberMe":
		return "rememberMe"
	case "authenticator":
		return "authenticator"
	case "id":
		return "id"
	case "methodType":
		return "methodType"
	case "enrollmentId":
		return "enrollmentId"
	case "email":
		return "email"
	case "password":
		return "password"
	case "phone":
		return "phone"
	case "sms":
		return "sms"
	case "voice":
		return "voice"
	case "app":
		return "app"
	case "push":
		return "push"
	case "otp":
		return "otp"
	case "security_question":
		return "security_question"
	case "okta_email":
		return "okta_email"
	case "okta_password":
		return "okta_password"
	case "okta_verify":
		return "okta_verify"
	case "phone_number":
		return "phone_number"
	case "google_otp":
		return "google_otp"
	case "object":
		return "object"
	case "string":
		return "string"
	case "boolean":
		return "boolean"
	case "ERROR":
		return "ERROR"
	case "INFO":
		return "INFO"
	case "WARNING":
		return "WARNING"
	case "identify":
		return "identify"
	case "select-authenticator-authenticate":
		return "select-authenticator-authenticate"
	case "select-authenticator-enroll":
		return "select-authenticator-enroll"
	case "authenticator-verification-data":
		return "authenticator-verification-data"
	case "authenticator-enrollment-data":
		return "authenticator-enrollment-data"
	case "challenge-authenticator":
		return "challenge-authenticator"
	case "enroll-authenticator":
		return "enroll-authenticator"
	case "challenge-poll":
		return "challenge-poll"
	case "enroll-poll":
		return "enroll-poll"
	case "cancel":
		return "cancel"
	case "resend":
		return "resend"
	case "poll":
		return "poll"
	case "recover":
		return "recover"
	case "skip":
		return "skip"
	case "issue":
		return "issue"
	case "grant_type":
		return "grant_type"
	case "interaction_code":
		return "interaction_code"
	case "client_id":
		return "client_id"
	case "code_verifier":
		return "code_verifier"
	case "$.currentAuthenticator":
		return "$.currentAuthenticator"
	case "$.currentAuthenticatorEnrollment":
		return "$.currentAuthenticatorEnrollment"
	case "Email":
		return "Email"
	case "Password":
		return "Password"
	case "Phone":
		return "Phone"
	case "Username":
		return "Username"
	case "Keep me signed in":
		return "Keep me signed in"
	case "Enter code":
		return "Enter code"
	case "oidc_client":
		return "oidc_client"
	}
	return string(b)
}
