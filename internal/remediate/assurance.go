package remediate

import (
	"strings"
	"time"

	"github.com/goidx/goidx/internal/ion"
)

// This file is device assurance (a device that does not meet the org's
// policy, with or without a grace period) and the org's own page for an
// expired password: what the user is told, and how each step is taken.

// The steps of this file.
const (
	// StepDeviceAssuranceGracePeriod tells the user the device does not
	// meet the org's device assurance policy, which it must by the end of
	// a grace period; submitted as it is, it goes on with the sign-in (it
	// posts to the org's skip endpoint).
	StepDeviceAssuranceGracePeriod = "device-assurance-grace-period"
	// StepCustomPasswordExpiry is an expired password that the user
	// changes on the org's own page, and StepCustomPasswordExpiryWarning
	// one about to expire (with a skip).
	StepCustomPasswordExpiry        = "reenroll-custom-password-expiry"
	StepCustomPasswordExpiryWarning = "reenroll-custom-password-expiry-warning"
)

// The i18n keys of device assurance's messages.
const (
	assurancePrefix       = "idx.error.code.access_denied.device_assurance.remediation."
	assuranceTitleKey     = assurancePrefix + "title"
	assuranceOptionKey    = assurancePrefix + "option_index"
	assuranceHelpPrefix   = assurancePrefix + "additional_help_"
	assuranceExplainStart = assurancePrefix + "explanation_"
	gracePeriodPrefix     = "idx.device_assurance.grace_period.warning."
	customRulePrefix      = "device.assurance.custom.remediation."
)

// IsAssuranceKey reports an i18n key of device assurance's messages: the
// device does not meet the org's policy.
func IsAssuranceKey(key string) bool {
	return strings.HasPrefix(key, assurancePrefix) || strings.HasPrefix(key, gracePeriodPrefix) ||
		strings.HasPrefix(key, customRulePrefix)
}

// Assurance is what the org tells a user whose device does not meet its
// device assurance policy, read from the messages.
type Assurance struct {
	// GraceEnds is when the grace period ends, zero when there is none.
	GraceEnds time.Time
	// Messages are the title, the explanation and the grace period's
	// warning, in server order.
	Messages []ion.Message
	// Options are the ways to make the device meet the policy.
	Options []AssuranceOption
	// Help is the message that points at the help page, nil when none.
	Help *ion.Message
}

// AssuranceOption is one way to make the device meet the policy.
type AssuranceOption struct {
	// Heading is the option's heading ("Option 1:"), nil for the one
	// option of an answer that gives none.
	Heading *ion.Message
	// Changes are the changes the option asks for.
	Changes []ion.Message
}

// DeviceAssurance reads device assurance's messages among ms, as the Sign-In
// Widget groups them: the title, explanation and grace period's warning;
// then each option's heading followed by its changes (a message with a
// link, a change an app on the device makes, or the org's own text); and
// the help message. Nil when ms holds none of them.
func DeviceAssurance(ms []ion.Message) *Assurance {
	var a *Assurance
	for _, m := range ms {
		if !IsAssuranceKey(m.Key) {
			continue
		}
		if a == nil {
			a = &Assurance{}
		}
		switch {
		case m.Key == assuranceOptionKey:
			a.Options = append(a.Options, AssuranceOption{Heading: &m})
		case strings.HasPrefix(m.Key, assuranceHelpPrefix):
			a.Help = &m
		case m.Key == assuranceTitleKey || strings.HasPrefix(m.Key, assuranceExplainStart):
			a.Messages = append(a.Messages, m)
		case strings.HasPrefix(m.Key, gracePeriodPrefix):
			a.Messages = append(a.Messages, m)
			if len(m.Params) > 0 {
				if s, ok := m.Params[0].(string); ok {
					if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
						a.GraceEnds = t
					}
				}
			}
		default:
			if len(a.Options) == 0 {
				a.Options = append(a.Options, AssuranceOption{})
			}
			o := &a.Options[len(a.Options)-1]
			o.Changes = append(o.Changes, m)
		}
	}
	return a
}

// SkipForm returns the form that skips the current step: the skip
// remediation or the grace period's, which goes on with the sign-in as
// skip does; nil when the response offers neither.
func SkipForm(r *ion.Response) *ion.Form {
	if f := r.Remediation(SkipStep); f != nil {
		return f
	}
	return r.Remediation(StepDeviceAssuranceGracePeriod)
}

// Advisory reports a response whose ERROR messages tell the user about
// the device and refuse nothing: the grace period's. They are the step's
// content, so a saved response keeps them.
func Advisory(r *ion.Response) bool {
	return r.Remediation(StepDeviceAssuranceGracePeriod) != nil
}

// describeAssurance adds to s what form f of r tells the user: device
// assurance's messages on the grace period step, the grace periods of
// the enrollments on offer, the org's own page on a custom password
// expiry step.
func describeAssurance(r *ion.Response, f *ion.Form, s *Step) {
	switch f.Name {
	case StepDeviceAssuranceGracePeriod:
		s.Assurance = DeviceAssurance(r.Messages)
	case "select-authenticator-enroll":
		for _, fd := range f.Fields {
			for _, o := range fd.Options {
				if a := o.Authenticator; a != nil && a.GracePeriod != nil && a.Key != "" {
					if s.GracePeriods == nil {
						s.GracePeriods = map[string]*ion.GracePeriod{}
					}
					if _, ok := s.GracePeriods[a.Key]; !ok {
						s.GracePeriods[a.Key] = a.GracePeriod
					}
				}
			}
		}
	case StepCustomPasswordExpiry, StepCustomPasswordExpiryWarning:
		if f.CustomExpiredPasswordURL != "" {
			s.PasswordPage = &ion.Link{Label: f.CustomExpiredPasswordName, URL: f.CustomExpiredPasswordURL}
		}
	}
}
