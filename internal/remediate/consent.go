package remediate

import (
	"encoding/json"
	"slices"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/internal/ion"
)

// The consent steps: the user (or, for admin-consent, an admin) grants
// the app the scopes it asks for, all at once or, for granular-consent,
// one by one; email-challenge-consent asks the user who opened an email
// link in another browser whether the sign-in that sent it is theirs.
const (
	StepConsent               = "consent"
	StepAdminConsent          = "admin-consent"
	StepGranularConsent       = "granular-consent"
	StepEmailChallengeConsent = "email-challenge-consent"
)

// The values the consent steps take: ValueConsent, a bool, grants
// (true) or refuses (false); ValueOptedScopes, a list of scope names,
// grants those scopes of a granular-consent step and declines its other
// optional ones (granting implied).
const (
	ValueConsent     = "consent"
	ValueOptedScopes = "optedScopes"
)

// IsConsentStep reports whether name is one of the consent steps.
func IsConsentStep(name string) bool {
	switch name {
	case StepConsent, StepAdminConsent, StepGranularConsent, StepEmailChallengeConsent:
		return true
	}
	return false
}

// ConsentScope is a scope a consent step asks for.
type ConsentScope struct {
	Name, Label, Desc string
	// Optional reports that a granular-consent step lets the user leave
	// the scope out; the scopes of the other steps are granted together.
	Optional bool
}

// Consent describes a consent step.
type Consent struct {
	// Scopes are the scopes asked for, in server order.
	Scopes []ConsentScope
	// ByScope reports a granular-consent step.
	ByScope bool
	// App is the label of the app that asks (for email-challenge-consent,
	// the app of the sign-in that sent the email), Browser the browser
	// that sign-in runs in.
	App, Browser string
	// TermsOfService, PrivacyPolicy and Logo are the links the app
	// object gives, empty when absent.
	TermsOfService, PrivacyPolicy, Logo string
}

// describeConsent describes form f of r, nil when it is no consent step.
func describeConsent(r *ion.Response, f *ion.Form) *Consent {
	if !IsConsentStep(f.Name) {
		return nil
	}
	c := &Consent{ByScope: f.Name == StepGranularConsent}
	for _, s := range f.Scopes {
		c.Scopes = append(c.Scopes, ConsentScope{Name: s.Name, Label: s.Label, Desc: s.Desc})
	}
	if fd := f.Field(ValueOptedScopes); fd != nil {
		for _, sub := range fd.Form {
			c.Scopes = append(c.Scopes, ConsentScope{Name: sub.Name, Label: sub.Label, Desc: sub.Desc, Optional: sub.Mutable})
		}
	}
	var app struct {
		Label          string `json:"label"`
		TermsOfService struct {
			Href string `json:"href"`
		} `json:"termsOfService"`
		PrivacyPolicy struct {
			Href string `json:"href"`
		} `json:"privacyPolicy"`
		Logo struct {
			Href string `json:"href"`
		} `json:"logo"`
	}
	if len(r.App) > 0 && json.Unmarshal(r.App, &app) == nil {
		c.App, c.TermsOfService, c.PrivacyPolicy, c.Logo = app.Label, app.TermsOfService.Href, app.PrivacyPolicy.Href, app.Logo.Href
	}
	for _, in := range f.RequestInfo {
		switch in.Name {
		case "appName":
			c.App = in.Value
		case "browser":
			c.Browser = in.Value
		}
	}
	return c
}

// consentInputs are the inputs of a granular-consent step: consent, and
// optedScopes, whose options are the scopes the user may leave out.
func consentInputs(f *ion.Form) []Input {
	var out []Input
	if fd := f.Field(ValueConsent); fd != nil {
		out = append(out, Input{Input: authenticator.Input{Name: ValueConsent, Label: fd.Label, Type: "boolean", Required: true}, path: []string{ValueConsent}, field: fd})
	}
	if fd := f.Field(ValueOptedScopes); fd != nil {
		in := Input{Input: authenticator.Input{Name: ValueOptedScopes, Label: fd.Label, Type: "array"}, path: []string{ValueOptedScopes}, field: fd}
		for _, sub := range fd.Form {
			if sub.Mutable {
				in.Options = append(in.Options, authenticator.Choice{Label: sub.Label, Value: sub.Name})
			}
		}
		out = append(out, in)
	}
	return out
}

// fillConsent answers a consent step from ValueConsent and, for
// granular-consent, ValueOptedScopes. Granular scopes are answered as
// Okta's own pages answer them: every scope of the form under its own
// name in optedScopes (names may hold dots and be prefixes of each other:
// they are never split), true for a granted one; a refusal sends the
// scopes as offered.
func fillConsent(f *ion.Form, v Values, o Options) (*Submission, error) {
	s := &Submission{Form: f}
	tree := map[string]any{}
	raw, given := v[ValueConsent]
	if given && raw != nil {
		b, ok := consentBool(raw)
		if !ok {
			return nil, &ion.FieldError{Form: f.Name, Field: ValueConsent, Reason: "needs a boolean"}
		}
		tree[ValueConsent] = b
		s.Used = append(s.Used, ValueConsent)
	}
	if opted, ok := v[ValueOptedScopes]; ok && opted != nil && f.Name == StepGranularConsent {
		names, ok := scopeNames(opted)
		if !ok {
			return nil, &ion.FieldError{Form: f.Name, Field: ValueOptedScopes, Reason: "needs a list of scope names"}
		}
		if granted, _ := tree[ValueConsent].(bool); !granted && given {
			return nil, &ion.FieldError{Form: f.Name, Field: ValueOptedScopes, Reason: "scopes granted while consent is refused"}
		}
		fd := f.Field(ValueOptedScopes)
		if fd == nil {
			return nil, &ion.FieldError{Form: f.Name, Field: ValueOptedScopes, Reason: "not in the form"}
		}
		for _, n := range names {
			if fd.Field(n) == nil {
				return nil, &ion.FieldError{Form: f.Name, Field: ValueOptedScopes, Reason: "names a scope the step does not ask for"}
			}
		}
		scopes := map[string]any{}
		for _, sub := range fd.Form {
			if sub.Mutable {
				scopes[sub.Name] = slices.Contains(names, sub.Name)
			}
		}
		tree[ValueConsent] = true
		tree[ValueOptedScopes] = scopes
		s.Used = append(s.Used, ValueOptedScopes)
	}
	if len(s.Used) == 0 && f.Name != o.Step {
		return nil, nil
	}
	body, err := f.Body(tree)
	if err != nil {
		return nil, err
	}
	s.Body = body
	return s, nil
}

// consentBool reads a consent value: a bool, or "true" or "false" as a
// web form posts it.
func consentBool(v any) (bool, bool) {
	switch b := v.(type) {
	case bool:
		return b, true
	case string:
		if b == "true" || b == "false" {
			return b == "true", true
		}
	}
	return false, false
}

// scopeNames reads a list of scope names, or one name alone (as a form
// with one choice posts it).
func scopeNames(v any) ([]string, bool) {
	switch l := v.(type) {
	case string:
		return []string{l}, true
	case []string:
		return l, true
	case []any:
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}
