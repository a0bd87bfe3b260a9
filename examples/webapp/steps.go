package main

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
)

// valuePrefix prefixes the form names of a step's inputs, so that no input
// name can collide with the form's own fields (csrf, step, return_to).
const valuePrefix = "value."

// Kinds of form controls an input is shown as.
const (
	kindText     = "text"
	kindPassword = "password"
	kindCheckbox = "checkbox"
	kindRadio    = "radio"
)

// stepView is a step of a transaction as a page shows it. It is built from
// the SDK's idx.NextStep alone, so any step the SDK returns gets a form.
type stepView struct {
	// Name is the step's name, posted back with the answer.
	Name   string
	Title  string
	Intro  string
	Action string
	Submit string
	// Messages are the server's messages that belong to no shown input,
	// with their links (device assurance's changes and help page).
	Messages []idx.Message
	// Page is the org's own page for changing the password, on the
	// steps that name one.
	Page   *idx.Link
	Fields []fieldView
	// CanResend shows the resend button, CanCancel the cancel button.
	CanResend bool
	CanCancel bool
	// Unsupported explains why the step cannot be answered here.
	Unsupported string
	// Others are the other steps the server offers now.
	Others []otherStep
	// ReturnTo is carried by the first form to the sign-in.
	ReturnTo string
	// Captcha is the captcha widget the step asks the user to solve.
	Captcha *captchaView
	// Redirect is the link of a step that continues at an identity
	// provider or an identity verification vendor; IdPs are the identity
	// providers offered beside the step (handoff.go).
	Redirect *redirectView
	IdPs     []redirectView
	// Device is the hand-off of a step only the user's device completes;
	// DevAnswer offers the embedded fake org's Okta Verify to answer it.
	Device    *deviceView
	DevAnswer bool
	// OtherWays offers the first page's way to the org's own sign-in
	// page, with its identity providers.
	OtherWays bool
}

// fieldView is one input of a step.
type fieldView struct {
	ID           string
	Name         string // the form name: valuePrefix + the input's name
	Label        string
	Kind         string
	Required     bool
	Autocomplete string
	// Value prefills a text input.
	Value   string
	Options []optionView
	// Errors are the server's messages about this input.
	Errors []string
}

// optionView is one choice of a radio input.
type optionView struct {
	ID      string
	Label   string
	Value   string
	Checked bool
}

// prefill gives the input named name a value, such as the username of a
// step-up.
func (v *stepView) prefill(name, value string) {
	for i := range v.Fields {
		if v.Fields[i].Name == valuePrefix+name {
			v.Fields[i].Value = value
		}
	}
}

// otherStep links to another step the server offers.
type otherStep struct {
	Name  string
	Label string
}

// newStepView describes step for a page. msgs are the messages to show with
// it: each goes beside the input it names, the others on top.
func newStepView(step *idx.NextStep, msgs []idx.Message) *stepView {
	v := &stepView{
		Name:   step.Name,
		Title:  stepTitle(step),
		Intro:  stepIntro(step),
		Action: "/login/step",
		Submit: stepSubmit(step),
		Page:   step.PasswordPage,
	}
	shown := map[string]*fieldView{}
	v.Captcha = newCaptchaView(step)
	for _, in := range step.Inputs {
		if in.Name == "captchaToken" && v.Captcha != nil {
			continue // the widget answers it
		}
		v.Fields = append(v.Fields, newFieldView(step, in))
	}
	for i := range v.Fields {
		shown[strings.TrimPrefix(v.Fields[i].Name, valuePrefix)] = &v.Fields[i]
	}
	for _, m := range msgs {
		if f, ok := shown[m.Field]; ok && m.Field != "" {
			f.Errors = append(f.Errors, m.Text)
			continue
		}
		v.Messages = append(v.Messages, m)
	}
	switch {
	case step.DeviceChallenge != nil:
		// The hand-off says what to do (handoff.go).
	case step.Poll != nil && step.Poll.Required && len(step.Inputs) == 0:
		v.Intro = strings.TrimSpace(v.Intro + " When you have approved the request, press Check again.")
		v.Submit = "Check again"
	}
	return v
}

func newFieldView(step *idx.NextStep, in authenticator.Input) fieldView {
	f := fieldView{
		ID:       "field-" + in.Name,
		Name:     valuePrefix + in.Name,
		Label:    in.Label,
		Required: in.Required,
	}
	if f.Label == "" {
		f.Label = humanize(in.Name)
	}
	opts := inputOptions(step, in)
	switch {
	case len(opts) > 0:
		f.Kind = kindRadio
		for i, o := range opts {
			f.Options = append(f.Options, optionView{
				ID:    fmt.Sprintf("%s-%d", f.ID, i),
				Label: o.Label,
				Value: o.Value,
				// With one choice, choose it: the user only confirms.
				Checked: len(opts) == 1,
			})
		}
	case in.Type == "boolean":
		f.Kind = kindCheckbox
	case in.Secret:
		f.Kind = kindPassword
		f.Autocomplete = "current-password"
	default:
		f.Kind = kindText
	}
	switch in.Name {
	case "username", "identifier":
		f.Autocomplete = "username"
	case "verificationCode", "passcode":
		f.Autocomplete = "one-time-code"
	}
	if f.Kind == kindPassword && strings.HasPrefix(step.Name, "enroll") {
		f.Autocomplete = "new-password"
	}
	return f
}

// inputOptions returns the choices of an input: its own, or the step's for
// an authenticator input.
func inputOptions(step *idx.NextStep, in authenticator.Input) []authenticator.Choice {
	if len(in.Options) > 0 {
		return in.Options
	}
	if in.Type == "authenticator" {
		return step.Options
	}
	return nil
}

// stepTitle names a step for people. The names are only words on a page:
// the form comes from the step's inputs whatever its name.
func stepTitle(step *idx.NextStep) string {
	name := "your authenticator"
	if a := step.Authenticator; a != nil && a.DisplayName != "" {
		name = a.DisplayName
	}
	switch step.Name {
	case "identify":
		return "Sign in"
	case "select-authenticator-authenticate":
		return "Verify it's you"
	case "select-authenticator-enroll":
		return "Set up an authenticator"
	case "authenticator-verification-data":
		return "Verify with " + name
	case "challenge-authenticator":
		if step.Type == "email" {
			return "Check your email"
		}
		return "Verify with " + name
	case "enroll-authenticator", "authenticator-enrollment-data":
		return "Set up " + name
	case "challenge-poll", "enroll-poll":
		return "Waiting for approval"
	case "select-enroll-profile", "enroll-profile":
		return "Sign up"
	case "identify-recovery":
		return "Reset your password"
	case "reset-authenticator", "reenroll-authenticator":
		return "Choose a new password"
	case "unlock-account":
		return "Unlock your account"
	case "skip":
		return "Skip this step"
	case "redirect-idp":
		if step.IDP != nil && step.IDP.Name != "" {
			return "Sign in with " + step.IDP.Name
		}
		return "Sign in with another provider"
	case "redirect-idverify":
		return "Verify your identity"
	case "device-challenge-poll":
		return "Sign in with Okta Verify"
	case "launch-authenticator":
		return "Open Okta Verify"
	}
	if step.DeviceChallenge != nil {
		return "Sign in with Okta Verify"
	}
	return humanize(step.Name)
}

// stepLinkText names a step as an alternative to the current one.
func stepLinkText(step *idx.NextStep) string {
	switch {
	case strings.HasPrefix(step.Name, "select-authenticator"):
		return "Verify with something else"
	case step.Name == "skip":
		return "Skip"
	}
	return stepTitle(step)
}

func stepIntro(step *idx.NextStep) string {
	switch step.Name {
	case "select-authenticator-authenticate":
		return "Choose how you want to verify your identity."
	case "challenge-authenticator":
		if a := step.Authenticator; a != nil && a.Profile["email"] != "" {
			return fmt.Sprintf("We sent a verification code to %s. Enter it below.", a.Profile["email"])
		}
	case "redirect-idp", "redirect-idverify":
		name := "the provider"
		if step.IDP != nil && step.IDP.Name != "" {
			name = step.IDP.Name
		}
		if step.Name == "redirect-idverify" {
			return fmt.Sprintf("Your organization asks you to verify your identity with %s. You will go to %s, then come back here.", name, name)
		}
		return fmt.Sprintf("You will go to %s to sign in, then come back here.", name)
	}
	return ""
}

func stepSubmit(step *idx.NextStep) string {
	switch step.Name {
	case "challenge-authenticator":
		return "Verify"
	case "identify", "select-authenticator-authenticate", "select-authenticator-enroll":
		return "Next"
	}
	return "Continue"
}

// humanize turns an identifier such as "select-enroll-profile",
// "verificationCode" or "credentials.passcode" into "Select enroll profile",
// "Verification code", "Credentials passcode".
func humanize(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '-' || r == '_' || r == '.':
			b.WriteByte(' ')
		case unicode.IsUpper(r) && i > 0:
			b.WriteByte(' ')
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	if out == "" {
		return out
	}
	return strings.ToUpper(out[:1]) + out[1:]
}

// errBadChoice is an answer that is not one of an input's choices.
var errBadChoice = errors.New("not one of the offered choices")

// stepValues reads a posted answer to step from form, as the Values of
// idx.Options: by input name, booleans as bool (false when unchecked),
// all else as strings. Other empty answers are left out so that the
// server judges what is missing; the text of non-secret inputs is trimmed.
func stepValues(step *idx.NextStep, form url.Values) (map[string]any, error) {
	values := map[string]any{}
	for _, in := range step.Inputs {
		raw := form.Get(valuePrefix + in.Name)
		if opts := inputOptions(step, in); len(opts) > 0 {
			if raw == "" {
				continue
			}
			if !slices.ContainsFunc(opts, func(o authenticator.Choice) bool { return o.Value == raw }) {
				return nil, fmt.Errorf("input %s: %w", in.Name, errBadChoice)
			}
			values[in.Name] = raw
			continue
		}
		if in.Type == "boolean" {
			// A checkbox left unchecked is an answer: false, not the
			// form's own value, which the org may have set to true.
			values[in.Name] = raw != ""
			continue
		}
		if !in.Secret {
			raw = strings.TrimSpace(raw)
		}
		if raw != "" {
			values[in.Name] = raw
		}
	}
	if token := captchaToken(step, form); token != "" {
		values["captchaToken"] = token
	}
	return values, nil
}

// missingText says which required inputs of step values leaves
// unanswered, as a page message, or "" when none is missing. Booleans are
// never missing: unchecked is an answer.
func missingText(step *idx.NextStep, values map[string]any) string {
	var missing []string
	for _, in := range step.Inputs {
		if !in.Required || in.Type == "boolean" {
			continue
		}
		if _, ok := values[in.Name]; ok {
			continue
		}
		switch {
		case in.Name == "verificationCode" || in.Name == "passcode":
			return "Enter the code, then press " + stepSubmit(step) + "."
		case in.Name == "captchaToken" && newCaptchaView(step) != nil:
			return "Solve the captcha, then press " + stepSubmit(step) + "."
		case len(inputOptions(step, in)) > 0:
			return "Choose one of the options, then press " + stepSubmit(step) + "."
		}
		missing = append(missing, newFieldView(step, in).Label)
	}
	if len(missing) == 0 {
		return ""
	}
	return "Fill in " + strings.Join(missing, ", ") + ", then press " + stepSubmit(step) + "."
}

// findStep returns the step named name among those tx offers, or nil.
func findStep(tx *idx.Transaction, name string) *idx.NextStep {
	if tx == nil {
		return nil
	}
	if tx.NextStep != nil && tx.NextStep.Name == name {
		return tx.NextStep
	}
	for i := range tx.AvailableSteps {
		if tx.AvailableSteps[i].Name == name {
			return &tx.AvailableSteps[i]
		}
	}
	return nil
}

// otherSteps returns links to the steps tx offers besides current.
func otherSteps(tx *idx.Transaction, current string) []otherStep {
	var out []otherStep
	for i := range tx.AvailableSteps {
		s := &tx.AvailableSteps[i]
		if s.Name == current || isRedirect(s.Name) {
			continue
		}
		out = append(out, otherStep{Name: s.Name, Label: stepLinkText(s)})
	}
	return out
}

// signInStep is the first page's step: the username and password that
// start a transaction. Nothing is asked of the org to show it, so a GET of
// the sign-in page changes nothing anywhere.
func signInStep() *idx.NextStep {
	return &idx.NextStep{
		Name: "identify",
		Inputs: []authenticator.Input{
			{Name: "username", Label: "Username", Type: "string", Required: true},
			{Name: "password", Label: "Password", Type: "string", Required: true, Secret: true},
			// Sent as the user left it, checked or not, where the org's
			// identify offers it (orgs may check it by default).
			{Name: "rememberMe", Label: "Keep me signed in", Type: "boolean"},
		},
	}
}
