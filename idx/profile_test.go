package idx_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
)

// Goal: registration asks for every attribute type real profile forms
// carry (booleans with a checkbox or a radio, strings chosen from a select
// or a radio, strings with a format) and takes each as its natural Go
// value; a value of the wrong type is refused, naming the attribute,
// before anything is sent.
func TestRegisterAttributeTypes(t *testing.T) {
	t.Parallel()
	o, c, tx := startFixture(t, "enroll-profile-attribute-types.json", "/idp/idx/enroll/new")
	yesNo := []authenticator.Choice{{Label: "Yes", Value: "true"}, {Label: "No", Value: "false"}}
	want := []authenticator.Input{
		{Name: "firstName", Label: "First name", Type: "string", Required: true},
		{Name: "lastName", Label: "Last name", Type: "string", Required: true},
		{Name: "email", Label: "Email", Type: "string", Required: true},
		{Name: "newsletter", Label: "Send me the newsletter", Type: "boolean"},
		{Name: "terms", Label: "I accept the terms", Type: "boolean", Required: true},
		{Name: "hasPet", Label: "Do you have a pet?", Type: "boolean", Options: yesNo},
		{Name: "favoriteColor", Label: "Favorite color", Type: "string",
			Options: []authenticator.Choice{{Label: "Red", Value: "red"}, {Label: "Blue", Value: "blue"}, {Label: "Green", Value: "green"}}},
		{Name: "plan", Label: "Plan", Type: "string", Options: []authenticator.Choice{{Label: "Free", Value: "free"}, {Label: "Team", Value: "team"}}},
		{Name: "countryCode", Label: "Country code", Type: "string", Required: true},
		{Name: "nickName", Label: "Nickname", Type: "string"},
	}
	if diff := cmp.Diff(want, tx.NextStep.Inputs); diff != "" {
		t.Errorf("enroll-profile inputs (-want +got):\n%s", diff)
	}
	base := func() map[string]any {
		return map[string]any{"firstName": "Jane", "lastName": "Doe", "email": "jane@example.com", "terms": true, "countryCode": "FR"}
	}
	for _, tt := range []struct {
		name, attr string
		value      any
		reason     string
	}{
		{"a boolean as a word", "newsletter", "yes", "needs a boolean"},
		{"a boolean as a number", "terms", 1, "needs a boolean"},
		{"a radio boolean outside its choices", "hasPet", "maybe", "not one of the offered options"},
		{"a select outside its choices", "favoriteColor", "purple", "not one of the offered options"},
		{"a string as a number", "countryCode", 33, "needs a string"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := base()
			p[tt.attr] = tt.value
			_, err := c.Register(context.Background(), idx.Options{State: tx.State, Profile: p})
			var ie *idx.InputError
			if !errors.As(err, &ie) || ie.Field != "userProfile."+tt.attr {
				t.Fatalf("err = %v; want an *InputError naming userProfile.%s", err, tt.attr)
			}
			if ie.Reason != tt.reason+" (step enroll-profile)" {
				t.Errorf("reason %q; want %q", ie.Reason, tt.reason)
			}
		})
	}
	if r := o.last("/idp/idx/enroll/new"); r != nil {
		t.Fatalf("a refused profile was sent: %v", r.Body)
	}

	p := base()
	p["newsletter"], p["hasPet"], p["favoriteColor"], p["plan"], p["nickName"] = false, true, "blue", "team", "JD"
	tx, err := c.Register(context.Background(), idx.Options{State: tx.State, Profile: p})
	if err != nil || tx.Status != idx.StatusSuccess {
		t.Fatalf("Register: %v, %v", tx, err)
	}
	wantProfile := map[string]any{
		"firstName": "Jane", "lastName": "Doe", "email": "jane@example.com", "newsletter": false, "terms": true,
		"hasPet": true, "favoriteColor": "blue", "plan": "team", "countryCode": "FR", "nickName": "JD",
	}
	if diff := cmp.Diff(wantProfile, o.last("/idp/idx/enroll/new").Body["userProfile"]); diff != "" {
		t.Errorf("userProfile sent (-want +got):\n%s", diff)
	}
}
