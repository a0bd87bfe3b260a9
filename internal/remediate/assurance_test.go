package remediate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/remediate"
	"github.com/goidx/goidx/internal/transport"
)

// TestDeviceAssurance groups device assurance's messages as the Sign-In
// Widget shows them: title and warning, each option's heading and
// changes, and the help.
func TestDeviceAssurance(t *testing.T) {
	t.Parallel()
	const p = "idx.error.code.access_denied.device_assurance.remediation."
	keys := func(ms []ion.Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Key)
		}
		return out
	}
	type option struct {
		Heading string
		Changes []string
	}
	tests := []struct {
		fixture   string
		graceEnds time.Time
		messages  []string
		options   []option
		help      string
	}{
		{"device-assurance-grace-period-message-fallback.json", time.Date(2024, 9, 5, 0, 0, 0, 0, time.UTC),
			[]string{"idx.device_assurance.grace_period.warning.title.due_by_date"},
			[]option{
				{p + "option_index", []string{p + "android.upgrade_os_version", p + "android.use_biometric_lock_screen"}},
				{p + "option_index", []string{p + "android.use_lock_screen", p + "android.zero.trust.android_device_policy_app_required"}},
			},
			p + "additional_help_default"},
		{"end-user-remediation-app-link-fallback.json", time.Time{},
			[]string{p + "title", p + "explanation_one_rule"},
			[]option{{"", []string{p + "android.use_lock_screen", p + "android.zero.trust.android_device_policy_app_required"}}},
			p + "additional_help_default"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			a := remediate.DeviceAssurance(parseFixture(t, tt.fixture).Messages)
			if a == nil {
				t.Fatal("no device assurance")
			}
			if !a.GraceEnds.Equal(tt.graceEnds) {
				t.Errorf("GraceEnds = %v, want %v", a.GraceEnds, tt.graceEnds)
			}
			if diff := cmp.Diff(tt.messages, keys(a.Messages)); diff != "" {
				t.Errorf("Messages (-want +got):\n%s", diff)
			}
			var got []option
			for _, o := range a.Options {
				g := option{Changes: keys(o.Changes)}
				if o.Heading != nil {
					g.Heading = o.Heading.Key
				}
				got = append(got, g)
			}
			if diff := cmp.Diff(tt.options, got); diff != "" {
				t.Errorf("Options (-want +got):\n%s", diff)
			}
			if a.Help == nil || a.Help.Key != tt.help {
				t.Errorf("Help = %+v, want %s", a.Help, tt.help)
			}
		})
	}
	if a := remediate.DeviceAssurance(parseFixture(t, "identify-unknown-user.json").Messages); a != nil {
		t.Errorf("DeviceAssurance of another answer = %+v, want nil", a)
	}
}

// TestGracePeriodStep: the grace period's ERROR messages refuse nothing,
// the step is its own skip, and it is taken only when asked for.
func TestGracePeriodStep(t *testing.T) {
	t.Parallel()
	const name = "device-assurance-grace-period-message-fallback.json"
	raw, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	r := parseFixture(t, name)
	s := remediate.Describe(r, r.Remediations[0])
	if s.Name != remediate.StepDeviceAssuranceGracePeriod || !s.CanSkip || s.Assurance == nil || len(s.Inputs) != 0 {
		t.Errorf("Describe = %+v", s)
	}

	cur := remediate.Answer{Response: r, Status: 200, Raw: raw}
	// Values for another step: the transaction waits on the grace
	// period, not refused.
	p := &fakePoster{}
	res, err := remediate.Run(context.Background(), p, cur, remediate.Call{Values: remediate.Values{"verificationCode": "1"}, MaxSteps: 5})
	if err != nil || res.End != remediate.Pending || res.Rejected || len(p.posts) != 0 {
		t.Errorf("Run with other values = %+v, %v, posts %v; want pending, not rejected, nothing posted", res, err, p.posts)
	}
	// Skip takes the grace period's form, which posts to skip.
	p = &fakePoster{answers: []reply{{a: doc(t, nil, obj{"successWithInteractionCode": successWithCode})}}}
	res, err = remediate.Run(context.Background(), p, cur, remediate.Call{Step: remediate.SkipStep, MaxSteps: 5})
	if err != nil || res.End != remediate.Success {
		t.Fatalf("Run skip = %+v, %v", res, err)
	}
	want := []string{fmt.Sprintf(`https://example.okta.com/idp/idx/skip %d {"stateHandle":"01OCl7uyAUC4CUqHsObI9bvFiq01cRFgbnpJQ1bz82"}`, transport.ClassAnswer)}
	if !cmp.Equal(want, p.posts) {
		t.Errorf("posts = %v, want %v", p.posts, want)
	}
}

// TestCustomPasswordPage: the org's own page of an expired password, and
// the form's password named as a new one.
func TestCustomPasswordPage(t *testing.T) {
	t.Parallel()
	r := parseFixture(t, "reenroll-custom-password-expiry.json")
	s := remediate.Describe(r, r.Remediations[0])
	want := &ion.Link{Label: "Password reset website name", URL: "https://example.okta.com/external-page.html"}
	if diff := cmp.Diff(want, s.PasswordPage); diff != "" {
		t.Errorf("PasswordPage (-want +got):\n%s", diff)
	}
	if len(s.Inputs) == 0 || s.Inputs[0].Name != "newPassword" {
		t.Errorf("Inputs = %+v, want newPassword first", s.Inputs)
	}
	if s.CanSkip {
		t.Error("CanSkip on an expired password")
	}
}
