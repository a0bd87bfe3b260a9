package remediate

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/internal/ion"
)

// ErrUnknownAuthenticator reports an authenticator key that the step
// choosing an authenticator does not offer.
var ErrUnknownAuthenticator = errors.New("authenticator not offered")

// ErrMethodNotOffered reports a method type that the step choosing an
// authenticator does not offer for the authenticator asked for.
var ErrMethodNotOffered = errors.New("method not offered")

// AuthenticatorError names the key that was asked for and the keys on
// offer or, when the step offers the key but not with the method type
// asked for, the method types on offer for it.
type AuthenticatorError struct {
	// Key is the authenticator key the caller asked for.
	Key string
	// MethodType is the method type the caller asked for, set when the
	// step offers Key but not with it.
	MethodType string
	// Step is the remediation that chooses an authenticator.
	Step string
	// Offered are the keys the step offers or, with MethodType set, the
	// method types it offers for Key, in server order, each once.
	Offered []string
}

// Error names the step, what was asked for and what is on offer.
func (e *AuthenticatorError) Error() string {
	if e.MethodType != "" {
		return fmt.Sprintf("step %q does not offer authenticator %q with method %q (offered: %s)",
			e.Step, e.Key, e.MethodType, strings.Join(e.Offered, ", "))
	}
	return fmt.Sprintf("step %q does not offer authenticator %q (offered: %s)",
		e.Step, e.Key, strings.Join(e.Offered, ", "))
}

// Unwrap makes errors.Is(err, ErrMethodNotOffered) hold with MethodType
// set, errors.Is(err, ErrUnknownAuthenticator) otherwise.
func (e *AuthenticatorError) Unwrap() error {
	if e.MethodType != "" {
		return ErrMethodNotOffered
	}
	return ErrUnknownAuthenticator
}

// ErrUnknownStep reports a step name that the current response does not offer.
var ErrUnknownStep = errors.New("step not offered")

// Values are the caller's values by alias ("username", "authenticator",
// "verificationCode", ...), by dotted field path ("credentials.passcode"),
// or as nested maps ({"credentials": {"passcode": ...}}). A value is removed
// once a submitted form has used it (see [Submission.Consume]).
type Values map[string]any

// Options steer [Next].
type Options struct {
	// Step, when set, restricts the engine to the remediation of that name,
	// which is then submitted even when no caller value is used (skip,
	// select-enroll-profile).
	Step string
	// AutoMethod lets the engine answer a methodType input that offers
	// exactly one option without a caller value: set after the caller chose
	// an authenticator, so "send me an email" needs no extra round of input.
	AutoMethod bool
}

// Submission is a form ready to be submitted.
type Submission struct {
	// Form is the remediation to submit.
	Form *ion.Form
	// Body is the request body, ready for encoding/json.
	Body map[string]any
	// Used are the names of the values the submission consumes: top-level
	// names of Values, or dotted paths into nested maps of Values.
	Used []string
	// Selected reports that the submission chooses an authenticator.
	Selected bool
}

// Consume removes the submission's values from v. A value found in a
// nested map is removed from a copy of that map (the caller's maps are not
// modified), and a nested map left empty is removed.
func (s *Submission) Consume(v Values) {
	for _, k := range s.Used {
		if _, ok := v[k]; ok {
			delete(v, k)
			continue
		}
		if path := strings.Split(k, "."); len(path) > 1 {
			if m, ok := without(v[path[0]], path[1:]); ok {
				if len(m) == 0 {
					delete(v, path[0])
				} else {
					v[path[0]] = m
				}
			}
		}
	}
}

// without returns a copy of the nested map m without the value at path.
func without(m any, path []string) (map[string]any, bool) {
	obj, ok := asMap(m)
	if !ok {
		return nil, false
	}
	if _, ok := obj[path[0]]; !ok {
		return nil, false
	}
	out := make(map[string]any, len(obj))
	for k, val := range obj {
		out[k] = val
	}
	if len(path) == 1 {
		delete(out, path[0])
		return out, true
	}
	sub, ok := without(obj[path[0]], path[1:])
	if !ok {
		return nil, false
	}
	if len(sub) == 0 {
		delete(out, path[0])
	} else {
		out[path[0]] = sub
	}
	return out, true
}

// asMap accepts the map types a caller may nest in Values.
func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case Values:
		return m, true
	}
	return nil, false
}

// Next returns the first remediation of r, in server order, that the values
// can fill, with its request body; nil when none can. A form can be filled
// when the values cover its required inputs and at least one caller value
// is used (or the form is the one named by o.Step, or AutoMethod answered
// its method). An error means the caller's values are wrong for a step they
// target (an authenticator key that is not offered, a value outside a
// field's options); it is returned only when no form can be filled, and
// it is the error of the first such form. A Step that names no remediation
// of r gives an error wrapping [ErrUnknownStep].
func Next(r *ion.Response, v Values, o Options) (*Submission, error) {
	if o.Step == SkipStep {
		if f := SkipForm(r); f != nil {
			o.Step = f.Name
		}
	}
	var firstErr error
	found := false
	for _, f := range candidates(r, o.Step) {
		if o.Step != "" && f.Name != o.Step {
			continue
		}
		found = true
		s, err := fill(r, f, v, o)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if s != nil {
			return s, nil
		}
	}
	if o.Step != "" && !found {
		return nil, fmt.Errorf("%w: %q", ErrUnknownStep, o.Step)
	}
	return nil, firstErr
}

func fill(r *ion.Response, f *ion.Form, v Values, o Options) (*Submission, error) {
	if IsConsentStep(f.Name) {
		return fillConsent(f, v, o)
	}
	tree := map[string]any{}
	s := &Submission{Form: f}
	auto := false
	for _, in := range Inputs(r, f) {
		if in.Type == "authenticator" {
			ok, err := fillAuthenticator(f, in, v, tree, s)
			if err != nil {
				return nil, err
			}
			if !ok && in.Required {
				return nil, nil
			}
			continue
		}
		val, name, ok := lookup(v, in)
		if !ok && in.Name == "methodType" && o.AutoMethod && len(in.Options) == 1 {
			val, ok, auto = in.Options[0].Value, true, true
		}
		if !ok {
			if in.Required && (in.field == nil || in.field.Value == nil) {
				return nil, nil
			}
			continue
		}
		if name != "" {
			s.Used = append(s.Used, name)
		}
		setPath(tree, in.path, val)
	}
	if len(s.Used) == 0 && !auto && f.Name != o.Step {
		return nil, nil
	}
	if !s.Selected && choosesCurrent(r, f, v) {
		// The form answers the authenticator the caller chose (the
		// method and number of authenticator-enrollment-data, asked for
		// again after a refused number): the choice is used up, so that
		// the next answer's select form does not choose it once more.
		s.Used = append(s.Used, "authenticator")
	}
	body, err := f.Body(tree)
	if err != nil {
		return nil, err
	}
	s.Body = body
	return s, nil
}

// fillAuthenticator answers an input of type "authenticator" from the value
// named by the input ("authenticator"): an authenticator key (string or
// authenticator.Key), whose first option is chosen, with methodType and
// phoneNumber values for the option's mutable fields; or a map, taken as
// the option's value and checked by Body. With a methodType value, the
// first option of the key that offers that method is chosen; when none
// does (Okta Verify offered only as FastPass, asked for a push), the
// error is an [*AuthenticatorError] naming the method: a method is never silently replaced by
// another.
func fillAuthenticator(f *ion.Form, in Input, v Values, tree map[string]any, s *Submission) (bool, error) {
	raw, ok := v[in.Name]
	if !ok || raw == nil {
		return false, nil
	}
	var key string
	switch k := raw.(type) {
	case string:
		key = k
	case authenticator.Key:
		key = string(k)
	default:
		if m, ok := asMap(raw); ok {
			setPath(tree, in.path, m)
			s.Used = append(s.Used, in.Name)
			s.Selected = true
			return true, nil
		}
		return false, &ion.FieldError{Form: f.Name, Field: in.Path(), Reason: "needs an authenticator key"}
	}
	method, hasMethod := v["methodType"].(string)
	var offered, methods []string
	matched := false
	for _, opt := range in.field.Options {
		if opt.Authenticator == nil || opt.Form == nil || opt.Authenticator.Key == "" {
			continue
		}
		if !slices.Contains(offered, opt.Authenticator.Key) {
			offered = append(offered, opt.Authenticator.Key)
		}
		if opt.Authenticator.Key != key || key == "" {
			continue
		}
		if hasMethod {
			ms, any := optionMethods(opt)
			if !any && !slices.Contains(ms, method) {
				matched = true
				for _, m := range ms {
					if !slices.Contains(methods, m) {
						methods = append(methods, m)
					}
				}
				continue
			}
		}
		extra := map[string]any{}
		used := []string{in.Name}
		for _, sub := range opt.Form {
			if !sub.Mutable {
				continue
			}
			switch sub.Name {
			case "methodType", "phoneNumber":
				if mv, ok := v[sub.Name]; ok {
					extra[sub.Name] = mv
					used = append(used, sub.Name)
				}
			}
		}
		val, err := ion.OptionValue(f.Name, in.Path(), opt, extra)
		if err != nil {
			return false, err
		}
		setPath(tree, in.path, val)
		s.Used = append(s.Used, used...)
		s.Selected = true
		return true, nil
	}
	if matched {
		return false, &AuthenticatorError{Key: key, MethodType: method, Step: f.Name, Offered: methods}
	}
	return false, &AuthenticatorError{Key: key, Step: f.Name, Offered: offered}
}

// optionMethods returns the method types an authenticator option offers:
// its fixed methodType, or the choices of a mutable one. any is true when
// the option does not restrict the method (no methodType field, or one
// that takes any value): a later step may ask for it.
func optionMethods(o *ion.Option) (methods []string, any bool) {
	var fd *ion.Field
	for _, sub := range o.Form {
		if sub.Name == "methodType" {
			fd = sub
			break
		}
	}
	switch {
	case fd == nil:
		return nil, true
	case !fd.Mutable || (!fd.Visible && fd.Value != nil):
		s, ok := fd.StringValue()
		if !ok {
			return nil, true
		}
		return []string{s}, false
	}
	for _, c := range fd.Options {
		if s, ok := c.StringValue(); ok && c.Form == nil {
			methods = append(methods, s)
		}
	}
	return methods, len(methods) == 0
}

// lookup finds the value for an input by alias, by dotted path, or by
// walking nested maps; it returns the name to consume: the alias, the
// dotted path, or, for a nested value, its dotted path.
func lookup(v Values, in Input) (any, string, bool) {
	if val, ok := v[in.Name]; ok {
		return val, in.Name, true
	}
	if in.alt != "" {
		if val, ok := v[in.alt]; ok {
			return val, in.alt, true
		}
	}
	p := in.Path()
	if val, ok := v[p]; ok {
		return val, p, true
	}
	if len(in.path) > 1 {
		var cur any = v
		for _, seg := range in.path {
			m, ok := asMap(cur)
			if !ok {
				return nil, "", false
			}
			if cur, ok = m[seg]; !ok {
				return nil, "", false
			}
		}
		return cur, p, true
	}
	return nil, "", false
}

func setPath(tree map[string]any, path []string, val any) {
	for _, seg := range path[:len(path)-1] {
		next, ok := tree[seg].(map[string]any)
		if !ok {
			next = map[string]any{}
			tree[seg] = next
		}
		tree = next
	}
	tree[path[len(path)-1]] = val
}

// choosesCurrent reports whether the caller's "authenticator" value is an
// authenticator key naming the authenticator form f is about, for a form
// with an authenticator field that is not a choice (the data forms).
func choosesCurrent(r *ion.Response, f *ion.Form, v Values) bool {
	var key string
	switch k := v["authenticator"].(type) {
	case string:
		key = k
	case authenticator.Key:
		key = string(k)
	default:
		return false
	}
	a := StepAuthenticator(r, f)
	if key == "" || a == nil || a.Key != key {
		return false
	}
	for _, fd := range f.Fields {
		if fd.Name == "authenticator" && len(fd.Options) == 0 {
			return true
		}
	}
	return false
}
