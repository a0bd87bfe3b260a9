package ion_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/ion"
)

// TestParseMessageLinks reads device assurance's messages as real orgs
// send them: links on a message, and the fallback of a change an app on
// the device makes, an app link or a nested message.
func TestParseMessageLinks(t *testing.T) {
	t.Parallel()
	const prefix = "idx.error.code.access_denied.device_assurance.remediation."
	tests := []struct {
		name    string
		fixture string
		want    []ion.Message
	}{
		{"message fallback", "device-assurance-grace-period-message-fallback.json", []ion.Message{
			{Class: "WARNING", Key: "idx.device_assurance.grace_period.warning.title.due_by_date",
				Text:   "Your device doesn't meet the security requirements. Fix the issue by 09/05/2024, 12:00 AM UTC to prevent lockout.",
				Params: []any{"2024-09-05T00:00:00.000Z"}},
			{Class: "ERROR", Key: prefix + "option_index", Text: "Option 1:", Params: []any{"1"}},
			{Class: "ERROR", Key: prefix + "android.upgrade_os_version", Text: "Update to Android 100", Params: []any{"100"},
				Links: []ion.Link{{URL: "https://okta.com/android-upgrade-os"}}},
			{Class: "ERROR", Key: prefix + "android.use_biometric_lock_screen", Text: "Enable lock screen and biometrics",
				Links: []ion.Link{{URL: "https://okta.com/android-biometric-lock"}}},
			{Class: "ERROR", Key: prefix + "option_index", Text: "Option 2:", Params: []any{"2"}},
			{Class: "ERROR", Key: prefix + "android.use_lock_screen", Text: "Enable lock screen",
				Links: []ion.Link{{URL: "https://okta.com/android-lock-screen"}}},
			{Class: "ERROR", Key: prefix + "android.zero.trust.android_device_policy_app_required",
				Text: "Install the Android Device Policy app on this device",
				Messages: []ion.Message{{
					Key:  prefix + "android.zero.trust.android_device_policy_app_required_manual_install",
					Text: "Go to Settings in Okta Verify and follow the instructions to install the Android Device Policy app",
				}}},
			{Class: "ERROR", Key: prefix + "additional_help_default",
				Text:  "For more information, follow the instructions on the help page or contact your administrator for help",
				Links: []ion.Link{{URL: "https://okta.com/help"}}},
		}},
		{"app link fallback", "end-user-remediation-app-link-fallback.json", []ion.Message{
			{Class: "ERROR", Key: prefix + "title", Text: "Your device doesn't meet the security requirements"},
			{Class: "ERROR", Key: prefix + "explanation_one_rule", Text: "To sign in, make the following updates. Then, access the app again."},
			{Class: "ERROR", Key: prefix + "android.use_lock_screen", Text: "Enable lock screen",
				Links: []ion.Link{{URL: "https://okta.com/android-lock-screen"}}},
			{Class: "ERROR", Key: prefix + "android.zero.trust.android_device_policy_app_required",
				Text:  "Install the Android Device Policy app on this device",
				Links: []ion.Link{{URL: "okta-verify.html"}}},
			{Class: "ERROR", Key: prefix + "additional_help_default",
				Text:  "For more information, follow the instructions on the help page or contact your administrator for help",
				Links: []ion.Link{{URL: "https://okta.com/help"}}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := parseFixture(t, tt.fixture)
			if diff := cmp.Diff(tt.want, r.Messages, cmpOpts); diff != "" {
				t.Errorf("Messages (-want +got):\n%s", diff)
			}
			if len(r.Notes) > 0 {
				t.Errorf("Notes = %+v, want none", r.Notes)
			}
		})
	}
}

// TestParseOddLinks reads around links and fallbacks of the wrong shape:
// they are notes, and the message stays.
func TestParseOddLinks(t *testing.T) {
	t.Parallel()
	doc := `{"stateHandle": "h", "messages": {"value": [
	  {"message": "a", "class": "ERROR", "i18n": {"key": "k"}, "links": "https://example.com"},
	  {"message": "b", "class": "ERROR", "links": [{"url": 5}, {"url": "https://example.com/b", "label": "B"}]},
	  {"message": "c", "class": "ERROR", "deviceRemediation": {"value": {"fallback": {"type": "MESSAGE", "message": "nope"}}}}
	]}}`
	r, err := ion.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []ion.Message{
		{Class: "ERROR", Key: "k", Text: "a"},
		{Class: "ERROR", Text: "b", Links: []ion.Link{{URL: "https://example.com/b", Label: "B"}}},
		{Class: "ERROR", Text: "c"},
	}
	if diff := cmp.Diff(want, r.Messages, cmpOpts); diff != "" {
		t.Errorf("Messages (-want +got):\n%s", diff)
	}
	var paths []string
	for _, n := range r.Notes {
		paths = append(paths, n.Path)
	}
	wantPaths := []string{"messages.value[0].links", "messages.value[1].links[0].url", "messages.value[2].deviceRemediation.value.fallback.message"}
	if diff := cmp.Diff(wantPaths, paths); diff != "" {
		t.Errorf("Notes (-want +got):\n%s", diff)
	}
}

// TestParseGracePeriodAndPasswordPage reads an enrollment's grace period
// and the org's own page for an expired password.
func TestParseGracePeriodAndPasswordPage(t *testing.T) {
	t.Parallel()
	r := parseFixture(t, "select-authenticator-enroll-grace-period.json")
	got := map[string]*ion.GracePeriod{}
	for _, a := range r.Authenticators {
		got[a.Key] = a.GracePeriod
	}
	want := map[string]*ion.GracePeriod{
		"okta_password": {Expiry: time.Date(2024, 12, 17, 5, 0, 0, 0, time.UTC)},
		"webauthn":      {Type: "BY_SKIP_COUNT", RemainingSkips: 1, HasSkips: true},
		"phone_number":  {Type: "BY_SKIP_COUNT", RemainingSkips: 3, HasSkips: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("grace periods (-want +got):\n%s", diff)
	}

	r = parseFixture(t, "reenroll-custom-password-expiry.json")
	f := r.Remediation("reenroll-custom-password-expiry")
	if f == nil {
		t.Fatal("no reenroll-custom-password-expiry")
	}
	if f.CustomExpiredPasswordName != "Password reset website name" || f.CustomExpiredPasswordURL != "https://example.okta.com/external-page.html" {
		t.Errorf("page = %q %q", f.CustomExpiredPasswordName, f.CustomExpiredPasswordURL)
	}
}
