package ion

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// problem is a member of a document whose JSON type does not fit its wire
// type.
type problem struct {
	path   string
	what   string
	needed bool
}

// Types check treats on their own.
var (
	rawType         = reflect.TypeFor[json.RawMessage]()
	flagType        = reflect.TypeFor[flag]()
	refsType        = reflect.TypeFor[refs]()
	optionValueType = reflect.TypeFor[optionValue]()
	optionFormType  = reflect.TypeFor[optionForm]()
)

// maxCheckDepth bounds how deep check follows nested values; Parse refuses
// forms nested deeper than maxDepth long before.
const maxCheckDepth = 64

// problems lists the members of the JSON document raw that do not fit the
// wire type of *into, with their paths under base. It is the slow path of
// Parse, taken only when encoding/json reported a value of the wrong type
// or a tolerant wire type met an odd value: it decodes the document again
// into generic values and compares them with the wire types' fields, so it
// knows every wire type from its struct tags alone.
func problems[T any](raw []byte, base string) []problem {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	var out []problem
	check(v, reflect.TypeFor[T](), base, false, 0, &out)
	return out
}

// check compares the generic value v with wire type t at path; needed says
// whether the member is one the SDK needs.
func check(v any, t reflect.Type, path string, needed bool, depth int, out *[]problem) {
	if v == nil || depth > maxCheckDepth {
		return // null leaves any wire value as it is
	}
	add := func(what string) { *out = append(*out, problem{path: path, what: what, needed: needed}) }
	switch t {
	case rawType:
		return
	case flagType:
		switch v := v.(type) {
		case bool:
		case string:
			if _, ok := flagWord(v); ok {
				// Read as the boolean it names; worth a note all the same.
				*out = append(*out, problem{path: path, what: "a boolean written as a string"})
			} else {
				*out = append(*out, problem{path: path, what: "not a boolean"})
			}
		default:
			*out = append(*out, problem{path: path, what: "not a boolean"})
		}
		return
	case refsType:
		switch v := v.(type) {
		case string:
			return
		case []any:
			if !slices.ContainsFunc(v, func(e any) bool { _, ok := e.(string); return !ok }) {
				return
			}
		}
		add("not a reference or a list of references")
		return
	case optionValueType:
		if _, ok := v.(map[string]any); ok {
			check(v, optionFormType, path, needed, depth+1, out)
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		check(v, t.Elem(), path, needed, depth, out)
	case reflect.String:
		if _, ok := v.(string); !ok {
			add("not a string")
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			add("not a boolean")
		}
	case reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			add("not a number")
		} else if _, err := strconv.ParseFloat(string(n), 64); err != nil {
			add("a number out of range")
		}
	case reflect.Interface:
	case reflect.Map:
		if _, ok := v.(map[string]any); !ok {
			add("not an object")
		}
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			add("not a list")
			return
		}
		for i, e := range l {
			check(e, t.Elem(), path+"["+strconv.Itoa(i)+"]", needed, depth+1, out)
		}
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			add("not an object")
			return
		}
		keys := slices.Sorted(maps.Keys(m))
		for i := range t.NumField() {
			sf := t.Field(i)
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "" && sf.Anonymous {
				// An embedded wire type (wireAuthObj's wireAuth): its
				// members are the object's own, as encoding/json reads
				// them.
				check(v, sf.Type, path, needed, depth+1, out)
				continue
			}
			if name == "" || name == "-" {
				continue
			}
			sub := name
			if path != "" {
				sub = path + "." + name
			}
			// The members encoding/json decodes into this field: its name
			// exactly, or else without regard to case.
			for _, k := range keys {
				if strings.EqualFold(k, name) {
					check(m[k], sf.Type, sub, sf.Tag.Get("ion") == "needed", depth+1, out)
				}
			}
		}
	}
}
