package idx

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/remediate"
)

// TestKeepMeSignedInFixture answers identify's rememberMe and the
// keep-me-signed-in question as real orgs send them. The captured
// identify form checks rememberMe by default, so Options.RememberMe's
// false must reach the wire as false.
func TestKeepMeSignedInFixture(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		name  string
		file  string
		step  string
		input string
		opts  Options
		want  any // the value sent, nil: no form filled
	}{
		// The org's form checks the box (value true): what the app
		// says is sent, the form's value only when it says nothing.
		{"remember me", "identify-with-remember-me.json", "identify", "rememberMe", Options{Username: "u@example.com", RememberMe: &yes}, true},
		{"remember me declined", "identify-with-remember-me.json", "identify", "rememberMe", Options{Username: "u@example.com", RememberMe: &no}, false},
		{"remember me left to the form", "identify-with-remember-me.json", "identify", "rememberMe", Options{Username: "u@example.com"}, true},
		{"remember me declined by Values", "identify-with-remember-me.json", "identify", "rememberMe",
			Options{Step: "identify", Values: map[string]any{"username": "u@example.com", "rememberMe": false}}, false},
		{"kept", "post-auth-keep-me-signed-in.json", "keep-me-signed-in", "keepMeSignedIn", Options{KeepMeSignedIn: &yes}, true},
		{"declined", "post-auth-keep-me-signed-in.json", "keep-me-signed-in", "keepMeSignedIn", Options{KeepMeSignedIn: &no}, false},
		{"unanswered", "post-auth-keep-me-signed-in.json", "keep-me-signed-in", "keepMeSignedIn", Options{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, tx := readWireFixture(t, tc.file)
			ns := tx.NextStep
			if ns == nil || ns.Name != tc.step {
				t.Fatalf("NextStep = %+v, want %s", ns, tc.step)
			}
			in := ns.Inputs[len(ns.Inputs)-1]
			if in.Name != tc.input || in.Type != "boolean" {
				t.Errorf("last input %+v, want the boolean %s", in, tc.input)
			}
			if ns.CanSkip || ns.Captcha != nil {
				t.Errorf("CanSkip %v, Captcha %v: want neither", ns.CanSkip, ns.Captcha)
			}
			if tc.want == nil {
				v, err := tc.opts.values(remediate.FlowAuthenticate)
				if err != nil {
					t.Fatal(err)
				}
				if s, _ := formFilledBy(r, v); s != "" {
					t.Errorf("%s answered without a value", s)
				}
				return
			}
			name, body := wireFixtureBody(t, r, tc.opts)
			if name != tc.step {
				t.Errorf("answered %s, want %s", name, tc.step)
			}
			if diff := cmp.Diff(tc.want, body[tc.input]); diff != "" {
				t.Errorf("%s sent (-want +got):\n%s", tc.input, diff)
			}
		})
	}
}

// TestRememberMeNotOffered answers an identify form without rememberMe
// (as captured, after an unknown username): Options.RememberMe, true or
// false, is not sent where the org does not ask it.
func TestRememberMeNotOffered(t *testing.T) {
	for _, remember := range []bool{true, false} {
		t.Run(map[bool]string{true: "true", false: "false"}[remember], func(t *testing.T) {
			r, _ := readWireFixture(t, "identify-unknown-user.json")
			name, body := wireFixtureBody(t, r, Options{Username: "u@example.com", RememberMe: &remember})
			if name != "identify" {
				t.Errorf("answered %s, want identify", name)
			}
			if v, ok := body["rememberMe"]; ok {
				t.Errorf("rememberMe %v sent to a form that does not offer it", v)
			}
			if body["identifier"] != "u@example.com" {
				t.Errorf("identifier %v, want u@example.com", body["identifier"])
			}
		})
	}
}
