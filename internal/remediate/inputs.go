package remediate

import (
	"strings"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/internal/ion"
)

// Input is the engine's binding of an input to its form: what callers
// see of it ([authenticator.Input]: name, label, type, required, secret,
// choices) and where its value goes.
type Input struct {
	authenticator.Input
	// alt is another name the value may be given under: "newPassword"
	// for the password being set at enrollment.
	alt string
	// path is the field path in the form, e.g. ["credentials", "passcode"].
	path []string
	// field is the form field the input fills.
	field *ion.Field
}

// Path returns the dotted form path the input fills.
func (in Input) Path() string { return strings.Join(in.path, ".") }

// Inputs returns the inputs of form f in the context of response r, in
// form order, named by alias:
//
//   - fields with a fixed value are left out: immutable fields (stateHandle,
//     ids) and invisible fields that have a value; an immutable field
//     without a value is left out too, since no caller value is sent for it
//     (see [ion.Form.Body]). Invisible fields without a value are inputs:
//     the caller must supply them (WebAuthn data);
//   - object fields are flattened into their sub-fields (credentials.passcode);
//     a sub-field is required when it says so, or when its object is required
//     and none of the object's inputs says it is (a boolean, which has a
//     natural false, is required only when it says so);
//   - a field whose options are authenticator forms is one input of type
//     "authenticator" whose options are the authenticator keys on offer (the
//     first option of each key; choosing a key chooses that option);
//   - a field whose options are other forms (the security question choice of
//     an enrollment) is flattened into the union of the options' fields;
//     fixed values of an option become options of the field they fix, unless
//     another option lets that field take any value.
//
// A form repeating a field name gives one input, for the first field.
// A granular-consent form has two inputs, consent and optedScopes (see
// consentInputs): its scopes' names may hold dots, so they are never
// made into paths.
func Inputs(r *ion.Response, f *ion.Form) []Input {
	if f.Name == StepGranularConsent {
		return consentInputs(f)
	}
	var out []Input
	collect(r, f, f.Fields, nil, false, &out)
	return out
}

// fixed reports a field the caller cannot set.
func fixed(fd *ion.Field) bool {
	return !fd.Mutable || (!fd.Visible && fd.Value != nil)
}

func collect(r *ion.Response, f *ion.Form, fields []*ion.Field, prefix []string, parentRequired bool, out *[]Input) {
	// A required object whose inputs are all unmarked, as identify's
	// credentials {passcode}, needs all of them, except booleans: reset's
	// credentials {passcode, revokeSessions} is answered by a password alone.
	implied := parentRequired && !hasRequiredInput(fields)
	seen := map[string]bool{}
	for _, fd := range fields {
		if seen[fd.Name] || fixed(fd) {
			continue
		}
		seen[fd.Name] = true
		path := append(append([]string(nil), prefix...), fd.Name)
		required := fd.Required || (implied && fd.Type != "boolean")
		if len(fd.Form) > 0 && len(fd.Options) == 0 {
			collect(r, f, fd.Form, path, required || impliedRequired(f, path), out)
			continue
		}
		if hasFormOptions(fd) && !hasAuthenticatorOptions(fd) {
			collectOptionForms(r, f, fd, path, required || impliedRequired(f, path), out)
			continue
		}
		in := Input{
			Input: authenticator.Input{
				Name:     alias(r, f, path),
				Label:    fd.Label,
				Type:     fd.Type,
				Required: required,
				Secret:   fd.Secret,
			},
			path:  path,
			field: fd,
		}
		if in.Name == "password" && f.Name == "enroll-authenticator" {
			in.alt = "newPassword"
		}
		if in.Type == "" {
			in.Type = "string"
		}
		if hasFormOptions(fd) {
			in.Type = "authenticator"
			keys := map[string]bool{}
			for _, o := range fd.Options {
				if o.Form == nil || o.Authenticator == nil || o.Authenticator.Key == "" || keys[o.Authenticator.Key] {
					continue
				}
				keys[o.Authenticator.Key] = true
				in.Options = append(in.Options, authenticator.Choice{Label: o.Label, Value: o.Authenticator.Key})
			}
		} else {
			in.Options = scalarOptions(fd, nil)
		}
		*out = append(*out, in)
	}
}

// collectOptionForms flattens a field whose options are forms that are not
// authenticators into the union of their fields. A field is required when
// the choice is and every option has it, required or fixed.
func collectOptionForms(r *ion.Response, f *ion.Form, fd *ion.Field, path []string, required bool, out *[]Input) {
	var forms [][]*ion.Field
	for _, o := range fd.Options {
		if o.Form != nil {
			forms = append(forms, o.Form)
		}
	}
	var ins []Input
	index := map[string]int{}
	free := map[int]bool{}
	for _, o := range fd.Options {
		for _, sub := range o.Form {
			i, ok := index[sub.Name]
			if !ok {
				p := append(append([]string(nil), path...), sub.Name)
				i = len(ins)
				index[sub.Name] = i
				ins = append(ins, Input{
					Input: authenticator.Input{
						Name:     alias(r, f, p),
						Required: required && requiredInAll(forms, sub.Name),
						Type:     "string",
					},
					path: p,
				})
			}
			in := &ins[i]
			in.Secret = in.Secret || sub.Secret
			if fixed(sub) {
				// A fixed value picks its option: offer it as a choice.
				if sub.Value != nil {
					in.Options = scalarOptions(&ion.Field{Options: []*ion.Option{{Label: o.Label, Value: sub.Value}}}, in.Options)
				}
				continue
			}
			if in.field == nil {
				in.field, in.Label = sub, sub.Label
				if sub.Type != "" {
					in.Type = sub.Type
				}
			}
			if len(sub.Choices()) == 0 {
				free[i] = true
			}
			in.Options = scalarOptions(sub, in.Options)
		}
	}
	for i, in := range ins {
		if free[i] {
			in.Options = nil // some option takes any value
		}
		if in.field == nil && len(in.Options) == 0 {
			continue // fixed without a value everywhere: nothing to choose
		}
		*out = append(*out, in)
	}
}

// requiredInAll reports whether every form has field name, required or fixed.
func requiredInAll(forms [][]*ion.Field, name string) bool {
	for _, form := range forms {
		ok := false
		for _, sub := range form {
			if sub.Name == name && (sub.Required || fixed(sub)) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return len(forms) > 0
}

// scalarOptions appends fd's choices (its scalar options, or those of its
// display hint) to opts, skipping values already there.
func scalarOptions(fd *ion.Field, opts []authenticator.Choice) []authenticator.Choice {
	for _, o := range fd.Choices() {
		s, ok := o.StringValue()
		if !ok {
			continue
		}
		dup := false
		for _, have := range opts {
			if have.Value == s {
				dup = true
				break
			}
		}
		if !dup {
			opts = append(opts, authenticator.Choice{Label: o.Label, Value: s})
		}
	}
	return opts
}

func hasRequiredInput(fields []*ion.Field) bool {
	for _, fd := range fields {
		if fd.Required && !fixed(fd) {
			return true
		}
	}
	return false
}

func hasFormOptions(fd *ion.Field) bool {
	for _, o := range fd.Options {
		if o.Form != nil {
			return true
		}
	}
	return false
}

func hasAuthenticatorOptions(fd *ion.Field) bool {
	for _, o := range fd.Options {
		if o.Form != nil && o.Authenticator != nil {
			return true
		}
	}
	return false
}

// impliedRequired reports objects the server does not mark required but
// without which the form means nothing: the credentials of the forms that
// answer an authenticator.
func impliedRequired(f *ion.Form, path []string) bool {
	return len(path) == 1 && path[0] == "credentials" && answersAuthenticator(f.Name)
}

func answersAuthenticator(form string) bool {
	switch form {
	case "challenge-authenticator", "enroll-authenticator",
		"reset-authenticator", "reenroll-authenticator", "reenroll-authenticator-warning":
		return true
	}
	return false
}

// alias names a field path the way okta-auth-js's legacy mode does, and
// the credentials of every authenticator by [authenticator.InputName].
func alias(r *ion.Response, f *ion.Form, path []string) string {
	p := strings.Join(path, ".")
	switch p {
	case "identifier":
		return "username"
	case "authenticator.methodType":
		return "methodType"
	case "authenticator.phoneNumber":
		return "phoneNumber"
	case "authenticator.channel":
		return "channel"
	case "authenticator.autoChallenge":
		return "autoChallenge"
	case captchaField + "." + captchaToken:
		return captchaToken
	}
	if len(path) == 2 && path[0] == "userProfile" {
		return path[1]
	}
	if len(path) != 2 || path[0] != "credentials" {
		return p
	}
	field := path[1]
	a := StepAuthenticator(r, f)
	if field == "passcode" {
		switch f.Name {
		case "identify", "enroll-profile":
			return "password"
		case "reset-authenticator", "reenroll-authenticator", "reenroll-authenticator-warning",
			StepCustomPasswordExpiry, StepCustomPasswordExpiryWarning:
			// These forms set a new password, unless they are about
			// another authenticator (Google Authenticator reset by the
			// org takes a code from the new enrollment).
			if a == nil || a.Key == "" || a.Key == string(authenticator.OktaPassword) {
				return "newPassword"
			}
		}
		if a == nil || a.Key == "" {
			return p // a form the engine does not know: the raw path
		}
	}
	key := ""
	if a != nil {
		key = a.Key
	}
	return authenticator.InputName(authenticator.Key(key), field)
}

// StepAuthenticator returns the authenticator form f is about, or nil: the
// object its relatesTo points at or, for the forms that answer the current
// authenticator (challenge-authenticator, enroll-authenticator, the poll,
// data and channel forms, reset-authenticator), the response's current
// authenticator.
func StepAuthenticator(r *ion.Response, f *ion.Form) *ion.Authenticator {
	if f.Authenticator != nil {
		return f.Authenticator
	}
	switch f.Name {
	case "challenge-authenticator", "enroll-authenticator", "challenge-poll", "enroll-poll",
		"authenticator-verification-data", "authenticator-enrollment-data",
		"select-enrollment-channel", "enrollment-channel-data",
		"reset-authenticator", "reenroll-authenticator", "reenroll-authenticator-warning":
		return r.CurrentAuthenticator
	}
	return nil
}
