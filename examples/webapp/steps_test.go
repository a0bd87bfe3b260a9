package main

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
)

func TestNewStepView(t *testing.T) {
	t.Parallel()
	email := &idx.Authenticator{Key: "okta_email", DisplayName: "Email", Profile: map[string]string{"email": "d***o@example.com"}}
	tests := []struct {
		name string
		step idx.NextStep
		msgs []idx.Message
		want *stepView
	}{
		{
			name: "select authenticator",
			step: idx.NextStep{
				Name:    "select-authenticator-authenticate",
				Inputs:  []authenticator.Input{{Name: "authenticator", Type: "authenticator"}},
				Options: []authenticator.Choice{{Label: "Email", Value: "okta_email"}, {Label: "Phone", Value: "phone_number"}},
			},
			want: &stepView{
				Name: "select-authenticator-authenticate", Title: "Verify it's you", Action: "/login/step", Submit: "Next",
				Intro: "Choose how you want to verify your identity.",
				Fields: []fieldView{{
					ID: "field-authenticator", Name: "value.authenticator", Label: "Authenticator", Kind: kindRadio,
					Options: []optionView{
						{ID: "field-authenticator-0", Label: "Email", Value: "okta_email"},
						{ID: "field-authenticator-1", Label: "Phone", Value: "phone_number"},
					},
				}},
			},
		},
		{
			name: "email code with a wrong-code message",
			step: idx.NextStep{
				Name: "challenge-authenticator", Type: "email", Authenticator: email, CanResend: true,
				Inputs: []authenticator.Input{{Name: "verificationCode", Label: "Enter code", Type: "string", Required: true}},
			},
			msgs: []idx.Message{
				{Class: "ERROR", Key: "api.authn.error.PASSCODE_INVALID", Text: "Invalid code. Try again.", Field: "verificationCode"},
				{Class: "INFO", Text: "Top-level."},
				{Class: "ERROR", Text: "About a field not shown.", Field: "other"},
			},
			want: &stepView{
				Name: "challenge-authenticator", Title: "Check your email", Action: "/login/step", Submit: "Verify",
				Intro: "We sent a verification code to d***o@example.com. Enter it below.",
				Messages: []idx.Message{
					{Class: "INFO", Text: "Top-level."},
					{Class: "ERROR", Text: "About a field not shown.", Field: "other"},
				},
				Fields: []fieldView{{
					ID: "field-verificationCode", Name: "value.verificationCode", Label: "Enter code", Kind: kindText,
					Required: true, Autocomplete: "one-time-code", Errors: []string{"Invalid code. Try again."},
				}},
			},
		},
		{
			name: "identify with remember me",
			step: idx.NextStep{Name: "identify", Inputs: []authenticator.Input{
				{Name: "username", Label: "Username", Type: "string", Required: true},
				{Name: "password", Label: "Password", Type: "string", Required: true, Secret: true},
				{Name: "rememberMe", Label: "Keep me signed in", Type: "boolean"},
			}},
			want: &stepView{
				Name: "identify", Title: "Sign in", Action: "/login/step", Submit: "Next",
				Fields: []fieldView{
					{ID: "field-username", Name: "value.username", Label: "Username", Kind: kindText, Required: true, Autocomplete: "username"},
					{ID: "field-password", Name: "value.password", Label: "Password", Kind: kindPassword, Required: true, Autocomplete: "current-password"},
					{ID: "field-rememberMe", Name: "value.rememberMe", Label: "Keep me signed in", Kind: kindCheckbox},
				},
			},
		},
		{
			name: "method with one choice",
			step: idx.NextStep{Name: "authenticator-verification-data", Authenticator: email, Inputs: []authenticator.Input{
				{Name: "methodType", Type: "string", Required: true, Options: []authenticator.Choice{{Label: "Email", Value: "email"}}},
			}},
			want: &stepView{
				Name: "authenticator-verification-data", Title: "Verify with Email", Action: "/login/step", Submit: "Continue",
				Fields: []fieldView{{
					ID: "field-methodType", Name: "value.methodType", Label: "Method type", Kind: kindRadio, Required: true,
					Options: []optionView{{ID: "field-methodType-0", Label: "Email", Value: "email", Checked: true}},
				}},
			},
		},
		{
			name: "poll",
			step: idx.NextStep{Name: "challenge-poll", Poll: &idx.Poll{Required: true}},
			want: &stepView{
				Name: "challenge-poll", Title: "Waiting for approval", Action: "/login/step", Submit: "Check again",
				Intro: "When you have approved the request, press Check again.",
			},
		},
		{
			name: "identity provider",
			step: idx.NextStep{Name: "redirect-idp"},
			want: &stepView{
				Name: "redirect-idp", Title: "Sign in with another provider", Action: "/login/step", Submit: "Continue",
				Intro: "You will go to the provider to sign in, then come back here.",
			},
		},
		{
			name: "unknown step",
			step: idx.NextStep{Name: "enroll-shoe-size", Inputs: []authenticator.Input{{Name: "profile.shoeSize", Type: "string"}}},
			want: &stepView{
				Name: "enroll-shoe-size", Title: "Enroll shoe size", Action: "/login/step", Submit: "Continue",
				Fields: []fieldView{{ID: "field-profile.shoeSize", Name: "value.profile.shoeSize", Label: "Profile shoe size", Kind: kindText}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newStepView(&tt.step, tt.msgs)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("newStepView mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStepValues(t *testing.T) {
	t.Parallel()
	step := &idx.NextStep{
		Name:    "any",
		Options: []authenticator.Choice{{Label: "Email", Value: "okta_email"}},
		Inputs: []authenticator.Input{
			{Name: "username", Type: "string"},
			{Name: "password", Type: "string", Secret: true},
			{Name: "rememberMe", Type: "boolean"},
			{Name: "authenticator", Type: "authenticator"},
			{Name: "methodType", Type: "string", Options: []authenticator.Choice{{Label: "SMS", Value: "sms"}, {Label: "Voice", Value: "voice"}}},
		},
	}
	tests := []struct {
		name    string
		form    url.Values
		want    map[string]any
		wantErr error
	}{
		{
			name: "all",
			form: url.Values{
				"value.username": {" ada@example.com\t"}, "value.password": {" pass word "}, "value.rememberMe": {"true"},
				"value.authenticator": {"okta_email"}, "value.methodType": {"voice"},
			},
			want: map[string]any{"username": "ada@example.com", "password": " pass word ", "rememberMe": true, "authenticator": "okta_email", "methodType": "voice"},
		},
		{
			// An unchecked box is false: the form's value may be true.
			name: "empty answers left out, an unchecked box false",
			form: url.Values{"value.username": {"  "}, "value.password": {""}, "value.authenticator": {""}},
			want: map[string]any{"rememberMe": false},
		},
		{
			name: "other fields ignored",
			form: url.Values{"csrf": {"x"}, "step": {"any"}, "username": {"bare"}, "rememberMe": {"true"}, "value.extra": {"x"}},
			want: map[string]any{"rememberMe": false},
		},
		{name: "unoffered authenticator", form: url.Values{"value.authenticator": {"okta_verify"}}, wantErr: errBadChoice},
		{name: "unoffered method", form: url.Values{"value.methodType": {"email"}}, wantErr: errBadChoice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := stepValues(step, tt.form)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("stepValues mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHumanize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                      "",
		"verificationCode":      "Verification code",
		"select-enroll-profile": "Select enroll profile",
		"credentials.passcode":  "Credentials passcode",
		"snake_case":            "Snake case",
	} {
		if got := humanize(in); got != want {
			t.Errorf("humanize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFindStep(t *testing.T) {
	t.Parallel()
	next := idx.NextStep{Name: "challenge-authenticator"}
	tx := &idx.Transaction{NextStep: &next, AvailableSteps: []idx.NextStep{next, {Name: "select-authenticator-authenticate"}}}
	for name, want := range map[string]bool{
		"challenge-authenticator":           true,
		"select-authenticator-authenticate": true,
		"identify":                          false,
		"":                                  false,
	} {
		if got := findStep(tx, name) != nil; got != want {
			t.Errorf("findStep(%q) found %v, want %v", name, got, want)
		}
	}
	if findStep(nil, "x") != nil {
		t.Error("findStep(nil) found a step")
	}
}

func TestClaimValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"exp", float64(1795641793), "2026-11-25 21:23:13 UTC (1795641793)"},
		{"amr", []any{"pwd", "email"}, "pwd, email"},
		{"email_verified", true, "true"},
		{"ver", float64(1), "1"},
		{"score", 1.5, "1.5"},
		{"address", map[string]any{"country": "NZ"}, `{"country":"NZ"}`},
		{"nothing", nil, "null"},
	}
	for _, tt := range tests {
		if got := claimValue(tt.name, tt.v); got != tt.want {
			t.Errorf("claimValue(%q, %v) = %q, want %q", tt.name, tt.v, got, tt.want)
		}
	}
}

// TestStepPageLinks renders the links of the messages (device
// assurance's changes and help) and the org's own password page as
// links that open elsewhere; a link of another scheme is neutralised.
func TestStepPageLinks(t *testing.T) {
	t.Parallel()
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	step := &idx.NextStep{Name: "reenroll-custom-password-expiry-warning", CanSkip: true,
		PasswordPage: &idx.Link{Label: "Password portal", URL: "https://passwords.example.com/change"}}
	v := newStepView(step, []idx.Message{
		{Class: "ERROR", Text: "Update to Android 15", Links: []idx.Link{{URL: "https://okta.com/android-upgrade-os"}}},
		{Class: "ERROR", Text: "Install the app", Links: []idx.Link{{URL: "javascript:alert(1)"}}},
	})
	var b strings.Builder
	if err := p["step"].ExecuteTemplate(&b, "layout", pageData{Step: v}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`Update to Android 15 <a href="https://okta.com/android-upgrade-os" target="_blank" rel="noopener noreferrer">How</a>`,
		`<a href="https://passwords.example.com/change" rel="noopener noreferrer">Password portal</a>`,
		`<a href="#ZgotmplZ"`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("page lacks %s:\n%s", want, b.String())
		}
	}
}
