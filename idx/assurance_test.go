package idx_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
)

// TestDeviceAssuranceFixtures reads device assurance's answers as real
// orgs send them (captures in internal/ion/testdata): the grace period,
// a step of its own that CanSkip, and the denial, a TERMINAL transaction
// matching ErrDeviceNotCompliant; both with the options and the help.
func TestDeviceAssuranceFixtures(t *testing.T) {
	t.Parallel()
	const p = "idx.error.code.access_denied.device_assurance.remediation."
	link := func(u string) []idx.Link { return []idx.Link{{URL: u}} }
	heading := func(n string) *idx.Message {
		return &idx.Message{Class: "ERROR", Key: p + "option_index", Text: "Option " + n + ":", Params: []any{n}}
	}
	help := &idx.Message{Class: "ERROR", Key: p + "additional_help_default",
		Text:  "For more information, follow the instructions on the help page or contact your administrator for help",
		Links: link("https://okta.com/help")}
	upgrade := idx.Message{Class: "ERROR", Key: p + "android.upgrade_os_version", Text: "Update to Android 100",
		Params: []any{"100"}, Links: link("https://okta.com/android-upgrade-os")}
	biometric := idx.Message{Class: "ERROR", Key: p + "android.use_biometric_lock_screen",
		Text: "Enable lock screen and biometrics", Links: link("https://okta.com/android-biometric-lock")}
	title := idx.Message{Class: "ERROR", Key: p + "title", Text: "Your device doesn't meet the security requirements"}
	explainMany := idx.Message{Class: "ERROR", Key: p + "explanation_multiple_rules",
		Text: "To sign in, pick an option and make the updates. Then, access the app again."}
	tests := []struct {
		fixture string
		pending bool
		want    *idx.DeviceAssurance
	}{
		{"device-assurance-grace-period-one-option.json", true, &idx.DeviceAssurance{
			GracePeriodEnds: time.Date(2024, 9, 5, 0, 0, 0, 0, time.UTC),
			Messages: []idx.Message{{Class: "WARNING", Key: "idx.device_assurance.grace_period.warning.title.due_by_date",
				Text:   "Your device doesn't meet the security requirements. Fix the issue by 09/05/2024, 12:00 AM UTC to prevent lockout.",
				Params: []any{"2024-09-05T00:00:00.000Z"}}},
			Options: []idx.DeviceRemediationOption{{Changes: []idx.Message{upgrade, biometric}}},
			Help:    help,
		}},
		{"end-user-remediation-no-options.json", false, &idx.DeviceAssurance{
			Messages: []idx.Message{title},
			Help: &idx.Message{Class: "ERROR", Key: p + "additional_help_custom",
				Text:  "For more information, follow the instructions on your organization's help page or contact your administrator for help",
				Links: link("https://okta1.com/custom-help-me")},
		}},
		{"end-user-remediation-custom-message-multiple-options.json", false, &idx.DeviceAssurance{
			Messages: []idx.Message{title, explainMany},
			Options: []idx.DeviceRemediationOption{
				{Heading: heading("1"), Changes: []idx.Message{
					{Class: "ERROR", Key: "device.assurance.custom.remediation." + p + "android.upgrade_os_version",
						Text: "It's our company policy that you upgrade your Android OS", Links: link("https://myremediationurl.com/docs")},
					biometric,
				}},
				{Heading: heading("2"), Changes: []idx.Message{
					{Class: "ERROR", Key: p + "android.use_lock_screen", Text: "Enable lock screen", Links: link("https://okta.com/android-lock-screen")},
					{Class: "ERROR", Key: "device.assurance.custom.remediation.ANDROID.Okta:DeviceAssurance.Jailbreak",
						Text: "It's our company policy that your Android device cannot be rooted"},
				}},
			},
			Help: help,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			o := newScriptOrg(t)
			tx, _ := startAt(t, o, o.client(), tt.fixture)
			got := tx.DeviceAssurance
			if tt.pending {
				if tx.Status != idx.StatusPending || tx.NextStep.Name != "device-assurance-grace-period" || !tx.NextStep.CanSkip {
					t.Fatalf("tx = %v, NextStep %+v; want PENDING on the grace period, CanSkip", tx, tx.NextStep)
				}
				if tx.Err() != nil || tx.DeviceAssurance != nil {
					t.Errorf("Err() = %v, DeviceAssurance %v; want neither while the grace period lasts", tx.Err(), tx.DeviceAssurance)
				}
				got = tx.NextStep.DeviceAssurance
			} else {
				if tx.Status != idx.StatusTerminal || !errors.Is(tx.Err(), idx.ErrDeviceNotCompliant) {
					t.Fatalf("tx = %v, Err() = %v; want TERMINAL, ErrDeviceNotCompliant", tx, tx.Err())
				}
				if errors.Is(tx.Err(), idx.ErrAccessDenied) {
					t.Error("Err() matches ErrAccessDenied too")
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DeviceAssurance (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCustomPasswordPageFixtures reads the org's own page of an expired
// or expiring password (captures), with the skip of the warning.
func TestCustomPasswordPageFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture, step string
		canSkip       bool
	}{
		{"reenroll-custom-password-expiry.json", "reenroll-custom-password-expiry", false},
		{"reenroll-custom-password-expiry-warning.json", "reenroll-custom-password-expiry-warning", true},
	}
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			t.Parallel()
			o := newScriptOrg(t)
			tx, _ := startAt(t, o, o.client(), tt.fixture)
			ns := tx.NextStep
			if ns == nil || ns.Name != tt.step || ns.CanSkip != tt.canSkip {
				t.Fatalf("NextStep = %+v; want %s, CanSkip %v", ns, tt.step, tt.canSkip)
			}
			want := &idx.Link{Label: "Password reset website name", URL: o.srv.URL + "/external-page.html"}
			if diff := cmp.Diff(want, ns.PasswordPage); diff != "" {
				t.Errorf("PasswordPage (-want +got):\n%s", diff)
			}
			if ns.Authenticator == nil || ns.Authenticator.Key != "okta_password" {
				t.Errorf("Authenticator = %+v, want the password", ns.Authenticator)
			}
		})
	}
}

// TestEnrollGracePeriodFixture reads the grace periods of the
// authenticators an org lets the user put off enrolling (capture), by
// date and by skips, with the skip.
func TestEnrollGracePeriodFixture(t *testing.T) {
	t.Parallel()
	o := newScriptOrg(t)
	tx, _ := startAt(t, o, o.client(), "select-authenticator-enroll-grace-period.json")
	ns := tx.NextStep
	if ns == nil || ns.Name != "select-authenticator-enroll" || !ns.CanSkip {
		t.Fatalf("NextStep = %+v; want select-authenticator-enroll, CanSkip", ns)
	}
	want := map[authenticator.Key]*idx.GracePeriod{
		"okta_password": {Ends: time.Date(2024, 12, 17, 5, 0, 0, 0, time.UTC), RemainingSkips: -1},
		"phone_number":  {RemainingSkips: 3},
		"webauthn":      {RemainingSkips: 1},
	}
	if diff := cmp.Diff(want, ns.GracePeriods); diff != "" {
		t.Errorf("GracePeriods (-want +got):\n%s", diff)
	}
}

// TestDeviceAssuranceOptionsFixture reads a denial with four options on
// three platforms and the org's own help page (capture).
func TestDeviceAssuranceOptionsFixture(t *testing.T) {
	t.Parallel()
	o := newScriptOrg(t)
	tx, _ := startAt(t, o, o.client(), "end-user-remediation-multiple-options-with-custom-help-url.json")
	if !errors.Is(tx.Err(), idx.ErrDeviceNotCompliant) || tx.DeviceAssurance == nil {
		t.Fatalf("Err() = %v, DeviceAssurance %v", tx.Err(), tx.DeviceAssurance)
	}
	var got []string
	for _, o := range tx.DeviceAssurance.Options {
		s := o.Heading.Text
		for _, c := range o.Changes {
			s += " " + c.Text + " <" + c.Links[0].URL + ">"
		}
		got = append(got, s)
	}
	want := []string{
		"Option 1: Update to iOS 12.0.1 <https://okta.com/ios-upgrade-os> Set a passcode for the lock screen <https://okta.com/ios-lock-screen> Set a passcode for the lock screen and enable Touch ID or Face ID <https://okta.com/ios-biometric-lock>",
		"Option 2: Update to macOS 13.2 <https://okta.com/macos-upgrade-os> Set a passcode for the lock screen <https://okta.com/macos-lock-screen> Turn on FileVault <https://okta.com/macos-disk-encrypted>",
		"Option 3: Update to Windows 10.0.25530.123 <https://okta.com/windows-upgrade-os> Encrypt all internal disks with BitLocker <https://okta.com/windows-disk-encrypted>",
		"Option 4: Enable Windows Hello for the lock screen <https://okta.com/windows-biometric-lock>",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
	if h := tx.DeviceAssurance.Help; h == nil || h.Key != "idx.error.code.access_denied.device_assurance.remediation.additional_help_custom" || h.Links[0].URL != "https://okta1.com/custom-help-me" {
		t.Errorf("Help = %+v", h)
	}
}
