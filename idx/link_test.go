package idx_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx"
)

// TestMessageLinks reads the links and nested messages of a captured
// device assurance answer into Message: each rule's page, the help page,
// and the app link a change on the device falls back to.
func TestMessageLinks(t *testing.T) {
	t.Parallel()
	const prefix = "idx.error.code.access_denied.device_assurance.remediation."
	tests := []struct {
		fixture string
		want    []idx.Message
	}{
		{"end-user-remediation-app-link-fallback.json", []idx.Message{
			{Class: "ERROR", Key: prefix + "title", Text: "Your device doesn't meet the security requirements"},
			{Class: "ERROR", Key: prefix + "explanation_one_rule", Text: "To sign in, make the following updates. Then, access the app again."},
			{Class: "ERROR", Key: prefix + "android.use_lock_screen", Text: "Enable lock screen",
				Links: []idx.Link{{URL: "https://okta.com/android-lock-screen"}}},
			{Class: "ERROR", Key: prefix + "android.zero.trust.android_device_policy_app_required",
				Text: "Install the Android Device Policy app on this device", Links: []idx.Link{{URL: "okta-verify.html"}}},
			{Class: "ERROR", Key: prefix + "additional_help_default",
				Text:  "For more information, follow the instructions on the help page or contact your administrator for help",
				Links: []idx.Link{{URL: "https://okta.com/help"}}},
		}},
		{"device-assurance-grace-period-message-fallback.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			o := newScriptOrg(t)
			tx, _ := startAt(t, o, o.client(), tt.fixture)
			if tt.want == nil {
				// The nested message of a device remediation's fallback.
				m := tx.Messages[6]
				want := []idx.Message{{Key: prefix + "android.zero.trust.android_device_policy_app_required_manual_install",
					Text: "Go to Settings in Okta Verify and follow the instructions to install the Android Device Policy app"}}
				if diff := cmp.Diff(want, m.Messages); diff != "" {
					t.Errorf("%s: nested (-want +got):\n%s", m.Key, diff)
				}
				return
			}
			if diff := cmp.Diff(tt.want, tx.Messages); diff != "" {
				t.Errorf("Messages (-want +got):\n%s", diff)
			}
		})
	}
}
