package idxtest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// This file is the types of the profile attributes registration asks for,
// in the shapes real orgs send: a string, a string chosen from a select
// or a radio, a boolean shown as a checkbox or a yes/no radio. Each field
// carries a display hint, an option labelled "display" whose value is an
// object ({"inputType": "checkbox"}, or a radio or select with the
// values offered); the value sent must be of the attribute's type.

// ProfileChoice is one value a profile attribute may take.
type ProfileChoice struct {
	// Label is what the form shows; Value is what the client sends.
	Label, Value string
}

// display is the value of a field's display option.
type display struct {
	InputType string      `json:"inputType"`
	Options   []ionOption `json:"options,omitempty"`
}

// field renders the attribute as a field of userProfile.
func (a ProfileAttribute) field() ionField {
	f := ionField{Name: a.Name, Type: "string", Label: a.Label, Required: boolPtr(a.Required)}
	var d *display
	switch {
	case a.Type == "boolean" && a.Radio:
		f.Type = "boolean"
		d = &display{InputType: "radio", Options: []ionOption{{Label: "Yes", Value: "true"}, {Label: "No", Value: "false"}}}
	case a.Type == "boolean":
		f.Type = "boolean"
		d = &display{InputType: "checkbox"}
	case len(a.Choices) > 0:
		d = &display{InputType: "select"}
		if a.Radio {
			d.InputType = "radio"
		}
		for _, ch := range a.Choices {
			d.Options = append(d.Options, ionOption{Label: ch.Label, Value: ch.Value})
		}
	}
	if d != nil {
		f.Options = []ionOption{{Label: "display", Value: objectOf(*d)}}
	}
	return f
}

// check checks v, the value sent for the attribute in form (present
// false when the body has none), and returns it as text, or the error
// answer: a
// required attribute missing or blank, or a value of another type than
// the attribute's, or not one of its choices.
func (a ProfileAttribute) check(c *call, form string, v any, present bool) (string, *idxResult) {
	path := "userProfile." + a.Name
	if !present || v == nil {
		if a.Required {
			return "", failPtr(c.failField(http.StatusBadRequest, form, path, msgBlank()))
		}
		return "", nil
	}
	if a.Type == "boolean" {
		b, ok := v.(bool)
		if !ok {
			return "", failPtr(c.failField(http.StatusBadRequest, form, path, msgInvalidValue(path)))
		}
		return strconv.FormatBool(b), nil
	}
	s, ok := v.(string)
	if !ok {
		return "", failPtr(c.failField(http.StatusBadRequest, form, path, msgInvalidValue(path)))
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if a.Required {
			return "", failPtr(c.failField(http.StatusBadRequest, form, path, msgBlank()))
		}
		return "", nil
	}
	if len(a.Choices) > 0 && !slices.ContainsFunc(a.Choices, func(ch ProfileChoice) bool { return ch.Value == s }) {
		return "", failPtr(c.failField(http.StatusBadRequest, form, path, msgInvalidValue(path)))
	}
	return s, nil
}
