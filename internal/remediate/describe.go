package remediate

import (
	"slices"
	"strings"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/internal/ion"
)

// Step describes a remediation the caller may take, as okta-auth-js's
// nextStep does.
type Step struct {
	// Name is the remediation's name.
	Name string
	// Type is the type of the step's authenticator, or of its identity
	// provider for a redirect-idp step; empty when it is about neither.
	Type string
	// Inputs are the values the step asks for (see [Inputs]).
	Inputs []Input
	// Authenticator is the authenticator the step is about, if any.
	Authenticator *ion.Authenticator
	// CanResend reports that the code can be sent again, or after a
	// rejected push a new push sent.
	CanResend bool
	// CanSkip reports that the server offers to skip this step (for
	// profile-update, only while no attribute is required; see
	// skippable).
	CanSkip bool
	// Poll is set when the server can be polled for the step's outcome.
	Poll *Poll
	// Enrollments are the user's enrolled authenticators, when listed.
	Enrollments []*ion.Authenticator
	// IDP is the identity provider of a redirect-idp step, and Href the
	// URL to send the user's browser to.
	IDP  *ion.IDP
	Href string
	// Captcha is the captcha the step asks the user to solve, if any.
	Captcha *Captcha
	// Device is set for the steps only the user's device completes
	// (see device.go), a new value per Describe.
	Device *authenticator.DeviceChallenge
	// Assurance is what the grace period step tells the user about the
	// device, and PasswordPage the org's own page of a custom password
	// expiry step (assurance.go).
	Assurance    *Assurance
	PasswordPage *ion.Link
	// GracePeriods are the grace periods of the authenticators a
	// select-authenticator-enroll step offers, by key (assurance.go).
	GracePeriods map[string]*ion.GracePeriod
	// Consent describes a consent step, nil for other steps.
	Consent *Consent
}

// Poll says how the server wants a step polled.
type Poll struct {
	// Required is true when polling is the only way on.
	Required bool
	// Refresh is the interval the server asks for.
	Refresh time.Duration
}

// SkipStep is the remediation that skips an optional step (an
// authenticator enrollment the org lets the user leave for later).
const SkipStep = "skip"

// answersCurrent reports the steps that answer the current
// authenticator, and so may offer resend and poll.
func answersCurrent(name string) bool {
	switch name {
	case "challenge-authenticator", "enroll-authenticator", "challenge-poll", "enroll-poll",
		"select-enrollment-channel", "enrollment-channel-data", "resend":
		return true
	}
	return false
}

// Describe describes form f of response r.
func Describe(r *ion.Response, f *ion.Form) Step {
	s := Step{Name: f.Name, Inputs: Inputs(r, f)}
	if a := StepAuthenticator(r, f); a != nil {
		s.Authenticator = a
		s.Type = a.Type
	}
	// The resend remediation after a rejected push serves every step of
	// the answer: choose again, or Resend for a new push.
	s.CanResend = r.Remediation("resend") != nil
	if answersCurrent(f.Name) {
		s.CanResend = resendForm(r) != nil
		if p := r.Action("poll"); p != nil {
			s.Poll = &Poll{Required: strings.HasSuffix(f.Name, "-poll"), Refresh: p.Refresh}
		}
	}
	if strings.HasSuffix(f.Name, "-poll") && (s.Poll == nil || f.Refresh > 0) {
		s.Poll = &Poll{Required: true, Refresh: f.Refresh}
	}
	s.CanSkip = SkipForm(r) != nil && skippable(f, s.Inputs)
	s.Captcha = CaptchaOf(r, f)
	describeAssurance(r, f, &s)
	s.Consent = describeConsent(r, f)
	s.Enrollments = r.AuthenticatorEnrollments
	if f.Name == "redirect-idp" || f.Name == RedirectIDVerifyStep || f.IDP != nil {
		s.IDP = f.IDP
		s.Type = f.Type
		s.Href = f.Href
	}
	s.Device = describeDevice(r, f)
	return s
}

// NextStep returns the index in r.Remediations of the step the caller
// should take next: the one named by step when offered, else the one
// [Preferred] picks; -1 when r offers none.
func NextStep(r *ion.Response, step string) int {
	if step != "" {
		if i := slices.IndexFunc(r.Remediations, func(f *ion.Form) bool { return f.Name == step }); i >= 0 {
			return i
		}
	}
	return Preferred(r.Remediations)
}

// Features are the flows r offers from this point, named as okta-auth-js's
// enabledFeatures: "recover-password" (a recover action, or
// identify-recovery), "enroll-profile" (select-enroll-profile),
// "redirect-idp" and "unlock-account".
func Features(r *ion.Response) []string {
	var fs []string
	if r.Action("recover") != nil || r.Remediation("identify-recovery") != nil {
		fs = append(fs, "recover-password")
	}
	if r.Remediation("select-enroll-profile") != nil {
		fs = append(fs, "enroll-profile")
	}
	if r.Remediation("redirect-idp") != nil {
		fs = append(fs, "redirect-idp")
	}
	if r.Remediation("unlock-account") != nil {
		fs = append(fs, "unlock-account")
	}
	return fs
}

// Outcome names what a transaction the server ended without an error
// achieved, from its messages' i18n keys: "ACCOUNT_UNLOCKED",
// "PASSWORD_RESET", "RETURN_TO_ORIGINAL_TAB", "ACTIVATION_EMAIL_SENT" or
// "DEVICE_ACTIVATED";
// empty otherwise.
func Outcome(ms []ion.Message) string {
	for _, m := range ms {
		switch m.Key {
		case "oie.selfservice.unlock_user.success.message", UnlockedLandingKey:
			return "ACCOUNT_UNLOCKED"
		case "idx.recovery.completed":
			return "PASSWORD_RESET"
		case "idx.return.to.original.tab":
			return "RETURN_TO_ORIGINAL_TAB"
		case "idx.request.activation.email":
			return "ACTIVATION_EMAIL_SENT"
		case "idx.device.activated":
			return "DEVICE_ACTIVATED"
		}
	}
	return ""
}

// DescribeAll describes every remediation of r, in server order.
func DescribeAll(r *ion.Response) []Step {
	steps := make([]Step, len(r.Remediations))
	for i, f := range r.Remediations {
		steps[i] = Describe(r, f)
	}
	return steps
}

// Messages are the response's messages, top-level first, field-level
// ones named by the input names the steps use; the same message on the
// same input of two options (a security question's catalog and custom
// forms) is given once. steps are r's remediations as [DescribeAll]
// gives them, so that a caller describing them anyway does not have
// their inputs worked out twice.
func Messages(r *ion.Response, steps []Step) []ion.Message {
	ms := r.AllMessages()
	if len(ms) == 0 {
		return nil
	}
	aliases := map[string]string{}
	for _, s := range steps {
		for _, in := range s.Inputs {
			if _, ok := aliases[in.Path()]; !ok {
				aliases[in.Path()] = in.Name
			}
		}
	}
	out := make([]ion.Message, 0, len(ms))
	for _, m := range ms {
		if a, ok := aliases[m.Field]; ok {
			m.Field = a
		}
		if !slices.ContainsFunc(out, func(o ion.Message) bool {
			return o.Class == m.Class && o.Key == m.Key && o.Text == m.Text && o.Field == m.Field
		}) {
			out = append(out, m)
		}
	}
	return out
}
