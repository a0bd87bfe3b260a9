package ion

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
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
// nil or ""), scalar values outside a field's options, objects for scalar
// fields and objects that match none of a field's option forms give a
// [*FieldError] wrapping [ErrInvalidValues]. When a form repeats a field
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
		if len(fd.Options) > 0 {
			o := matchOption(fd, v)
			if o == nil {
				return nil, &FieldError{Form: form, Field: name, Reason: "not one of the offered options"}
			}
			// The option's own JSON value, so that "5" chosen from a
			// numeric option is sent as 5.
			out[fd.Name] = o.Value
			continue
		}
		if s, ok := v.(string); ok && s == "" && fd.Required {
			return nil, &FieldError{Form: form, Field: name, Reason: "required"}
		}
		out[fd.Name] = v
	}
	return out, nil
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

// matchOption returns the scalar option of f whose value is v, or whose
// value reads as the string v (as [Option.StringValue] shows it), or nil.
func matchOption(f *Field, v any) *Option {
	for _, o := range f.Options {
		if o.Value != nil && jsonEqual(o.Value, v) {
			return o
		}
	}
	if s, ok := v.(string); ok {
		for _, o := range f.Options {
			if os, ok := o.StringValue(); ok && o.Value != nil && os == s {
				return o
			}
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
