package ion

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// ErrInvalidValues reports caller values that do not fit a form: a field the
// form does not have, a missing required field, a value outside a field's
// options, or an object given for a scalar.
var ErrInvalidValues = errors.New("values do not fit the form")

// FieldError names the field a value problem is about. It never holds the
// value itself, which may be a secret.
type FieldError struct {
	// Form is the name of the form the values were for.
	Form string
	// Field is the dotted path of the field, e.g. "credentials.passcode".
	Field string
	// Reason says what is wrong, without quoting the value.
	Reason string
}

// Error describes the problem without the value.
func (e *FieldError) Error() string {
	return fmt.Sprintf("form %q field %q: %s", e.Form, e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalidValues) hold.
func (e *FieldError) Unwrap() error { return ErrInvalidValues }

// Body builds the JSON body for submitting the form. For every field:
//
//   - an immutable field (mutable: false) is sent with its value and never
//     takes a caller value; one without a value is left out;
//   - otherwise the caller's value from values is sent (nested maps for
//     object fields), else the field's default value, else nothing.
//
// Values naming a field the form lacks, required fields left empty (absent,
// nil or ""), scalar values outside a field's choices (see
// [Field.Choices]), values of another type than a typed field's (a
// boolean, string, number, integer or array; a boolean or number may be
// given as its text), objects for scalar fields and objects that match
// none of a field's option forms give a [*FieldError] wrapping
// [ErrInvalidValues]. When a form repeats a field
// name the first field counts, as with [Form.Field]. The result marshals
// with encoding/json; values is not modified.
func (f *Form) Body(values map[string]any) (map[string]any, error) {
	return buildObject(f.Name, "", f.Fields, values)
}

func buildObject(form, prefix string, fields []*Field, values map[string]any) (map[string]any, error) {
	for k := range values {
		if findField(fields, k) == nil {
			return nil, &FieldError{Form: form, Field: prefix + k, Reason: "not in the form"}
		}
	}
	out := make(map[string]any, len(fields))
	seen := make(map[string]bool, len(fields))
	for _, fd := range fields {
		if seen[fd.Name] {
			continue // a repeated name: the first field counts
		}
		seen[fd.Name] = true
		name := prefix + fd.Name
		if !fd.Mutable {
			if fd.Value != nil {
				out[fd.Name] = fd.Value
			}
			continue
		}
		v, given := values[fd.Name]
		if !given || v == nil {
			switch {
			case fd.Value != nil:
				out[fd.Name] = fd.Value
			case len(fd.Form) > 0 && hasDefaults(fd.Form):
				sub, err := buildObject(form, name+".", fd.Form, nil)
				if err != nil {
					return nil, err
				}
				out[fd.Name] = sub
			case fd.Required:
				return nil, &FieldError{Form: form, Field: name, Reason: "required"}
			}
			continue
		}
		if len(fd.Form) > 0 {
			m, ok := asObject(v)
			if !ok {
				return nil, &FieldError{Form: form, Field: name, Reason: "needs an object"}
			}
			sub, err := buildObject(form, name+".", fd.Form, m)
			if err != nil {
				return nil, err
			}
			out[fd.Name] = sub
			continue
		}
		if m, ok := asObject(v); ok {
			// An object for a field whose options are forms: the value of
			// one of the options (OptionValue builds it).
			if !hasFormOptions(fd) {
				return nil, &FieldError{Form: form, Field: name, Reason: "needs a scalar"}
			}
			obj, ok := matchFormOption(form, name, fd, m)
			if !ok {
				return nil, &FieldError{Form: form, Field: name, Reason: "not one of the offered options"}
			}
			out[fd.Name] = obj
			continue
		}
		if choices := fd.Choices(); len(choices) > 0 || hasFormOptions(fd) {
			o := matchOption(choices, v)
			if o == nil {
				return nil, &FieldError{Form: form, Field: name, Reason: "not one of the offered options"}
			}
			// The option's own JSON value, so that "5" chosen from a
			// numeric option is sent as 5, as the field's type (a radio
			// of "true" and "false" on a boolean sends a boolean).
			out[fd.Name] = typedOption(fd.Type, o.Value)
			continue
		}
		if s, ok := v.(string); ok && s == "" && fd.Required {
			return nil, &FieldError{Form: form, Field: name, Reason: "required"}
		}
		tv, reason := typedValue(fd.Type, v)
		if reason != "" {
			return nil, &FieldError{Form: form, Field: name, Reason: reason}
		}
		out[fd.Name] = tv
	}
	return out, nil
}

// typedValue checks a caller's value for a scalar field of type typ and
// returns it as sent, or why it does not fit. Each type takes its natural
// Go value: a bool for "boolean", a string for "string", any Go number
// or json.Number for "number" and "integer" (which must be whole), a
// slice for "array". A boolean or a number may also be given as its text
// ("true", "42"), as a web form posts it; it is sent as its type. A field
// without a type, or of a type not named here, takes any value (raw JSON
// included).
func typedValue(typ string, v any) (any, string) {
	rv := reflect.ValueOf(v)
	switch typ {
	case "boolean":
		if rv.Kind() == reflect.Bool {
			return rv.Bool(), ""
		}
		if rv.Kind() == reflect.String {
			if s := rv.String(); s == "true" || s == "false" {
				return s == "true", ""
			}
		}
		return nil, "needs a boolean"
	case "string":
		if rv.Kind() == reflect.String {
			return rv.String(), ""
		}
		return nil, "needs a string"
	case "integer", "number":
		n, ok := number(v)
		if !ok {
			return nil, "needs a number"
		}
		if typ == "integer" {
			if f, err := n.Float64(); err != nil || f != math.Trunc(f) {
				return nil, "needs a whole number"
			}
		}
		return n, ""
	case "array":
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array || rv.Type().Elem().Kind() == reflect.Uint8 {
			return nil, "needs a list"
		}
		out := make([]any, rv.Len())
		for i := range out {
			e := rv.Index(i).Interface()
			if _, isMap := asObject(e); isMap {
				return nil, "needs a list of values"
			}
			out[i] = e
		}
		return out, ""
	}
	return v, ""
}

// number returns v as a json.Number: any Go integer or float (not NaN or
// infinite), a json.Number, or a string holding a JSON number.
func number(v any) (json.Number, bool) {
	rv := reflect.ValueOf(v)
	var s string
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(rv.Int(), 10)), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number(strconv.FormatUint(rv.Uint(), 10)), true
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "", false
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
	case reflect.String:
		s = strings.TrimSpace(rv.String())
	default:
		return "", false
	}
	var n json.Number
	if json.Unmarshal([]byte(s), &n) != nil || n == "" {
		return "", false
	}
	return n, true
}

// typedOption is an option's value as a field of type typ sends it: the
// options of a radio on a boolean are the strings "true" and "false".
func typedOption(typ string, raw json.RawMessage) any {
	if typ == "boolean" {
		if s, ok := stringValue(raw); ok && (s == "true" || s == "false") {
			return s == "true"
		}
	}
	return raw
}

// asObject returns v as a JSON object: a map[string]any, or any other map
// with string keys (such as a named map type).
func asObject(v any) (map[string]any, bool) {
	if m, ok := v.(map[string]any); ok {
		return m, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String {
		return nil, false
	}
	if rv.IsNil() {
		return nil, true
	}
	m := make(map[string]any, rv.Len())
	for it := rv.MapRange(); it.Next(); {
		m[it.Key().String()] = it.Value().Interface()
	}
	return m, true
}

func hasDefaults(fs []*Field) bool {
	for _, f := range fs {
		if f.Value != nil || hasDefaults(f.Form) {
			return true
		}
	}
	return false
}

func hasFormOptions(f *Field) bool {
	return slices.ContainsFunc(f.Options, func(o *Option) bool { return o.Form != nil })
}

// matchFormOption finds the first option form of fd that m fits: m holds
// every fixed (immutable) value of the option unchanged, and the option's
// form accepts m. It returns the object built from that option.
func matchFormOption(form, name string, fd *Field, m map[string]any) (map[string]any, bool) {
	for _, o := range fd.Options {
		if o.Form == nil || !holdsFixedValues(o.Form, m) {
			continue
		}
		obj, err := buildObject(form, name+".", o.Form, m)
		if err == nil {
			return obj, true
		}
	}
	return nil, false
}

func holdsFixedValues(fs []*Field, m map[string]any) bool {
	for _, f := range fs {
		if f.Mutable || f.Value == nil {
			continue
		}
		v, ok := m[f.Name]
		if !ok || !jsonEqual(f.Value, v) {
			return false
		}
	}
	return true
}

// jsonEqual reports whether a and b encode the same JSON value.
func jsonEqual(a, b any) bool {
	ja, err := json.Marshal(a)
	if err != nil {
		return false
	}
	jb, err := json.Marshal(b)
	if err != nil {
		return false
	}
	var va, vb any
	if json.Unmarshal(ja, &va) != nil || json.Unmarshal(jb, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// matchOption returns the option among choices whose value is v, or whose
// value reads as v's text (as [Option.StringValue] shows it: the string
// itself, or a bool or number written in JSON), or nil.
func matchOption(choices []*Option, v any) *Option {
	for _, o := range choices {
		if o.Value != nil && jsonEqual(o.Value, v) {
			return o
		}
	}
	s, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil || len(b) == 0 || b[0] == '{' || b[0] == '[' || b[0] == '"' {
			return nil
		}
		s = string(b)
	}
	for _, o := range choices {
		if os, ok := o.StringValue(); ok && o.Value != nil && os == s {
			return o
		}
	}
	return nil
}

// OptionValue builds the object value of an option whose value is a form:
// the option's fixed values, with extra values for its mutable fields (such
// as methodType when the option offers several). It checks extra against
// the option's fields like Body does; form and field name the form and the
// field the option belongs to, for errors.
func OptionValue(form, field string, o *Option, extra map[string]any) (map[string]any, error) {
	if o.Form == nil {
		return nil, &FieldError{Form: form, Field: field, Reason: "option has no form"}
	}
	return buildObject(form, field+".", o.Form, extra)
}
