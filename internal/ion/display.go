package ion

import (
	"bytes"
	"encoding/json"
)

// Display is how a field asks to be shown, as real forms say it with an
// option labelled "display" whose value is an object, such as
//
//	{"label": "display", "value": {"type": "object", "value": {"inputType": "radio",
//	  "options": [{"label": "Yes", "value": "true"}, {"label": "No", "value": "false"}]}}}
//
// on the attributes of a profile form. It is a hint, not a value the
// field can take.
type Display struct {
	// InputType is the control to show: "checkbox", "radio", "select",
	// "text".
	InputType string
	// Format names a format of the value, such as "country-code".
	Format string
	// Options are the values a radio or select offers.
	Options []*Option
}

// isDisplay reports an option that is a display hint: its value is an
// object that is not a form.
func isDisplay(o *Option) bool {
	return o.Form == nil && len(o.Value) > 0 && o.Value[0] == '{'
}

// Display returns the field's display hint, nil when it has none (or one
// that cannot be read, which is only a hint).
func (f *Field) Display() *Display {
	for _, o := range f.Options {
		if !isDisplay(o) || o.Label != "display" {
			continue
		}
		var w struct {
			Value struct {
				InputType string `json:"inputType"`
				Format    string `json:"format"`
				Options   []struct {
					Label string          `json:"label"`
					Value json.RawMessage `json:"value"`
				} `json:"options"`
			} `json:"value"`
		}
		if json.Unmarshal(o.Value, &w) != nil {
			return nil
		}
		d := &Display{InputType: w.Value.InputType, Format: w.Value.Format}
		for _, c := range w.Value.Options {
			v := bytes.TrimSpace(c.Value)
			if len(v) == 0 || bytes.Equal(v, []byte("null")) || v[0] == '{' || v[0] == '[' {
				continue
			}
			d.Options = append(d.Options, &Option{Label: c.Label, Value: json.RawMessage(v)})
		}
		return d
	}
	return nil
}

// Choices returns the values the field may take, in server order: its
// scalar options, or those its display hint offers (a radio or a select).
// Options whose value is a form (authenticator choices) or an object (the
// display hint itself) are not choices. Empty means any value.
func (f *Field) Choices() []*Option {
	var out []*Option
	for _, o := range f.Options {
		if o.Form == nil && o.Value != nil && !isDisplay(o) {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		if d := f.Display(); d != nil {
			out = d.Options
		}
	}
	return out
}
