package idxtest

import (
	"net/http"
	"testing"
	"time"
)

// Journeys of TestShapes: device assurance, the org's own password page
// and an enrollment's grace period.

func journeyDeviceAssurance(t *testing.T, run *shapeRun) {
	grace := func(opts [][]DeviceChange) Policy {
		p := DefaultPolicy()
		p.DeviceAssurance = &DeviceAssurance{GracePeriodEnd: time.Now().Add(30 * 24 * time.Hour), Options: opts}
		return p
	}
	j := newJourney(t, run, WithPolicy(grace(nil)))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("device-assurance-grace-period")
	j.submit(stepDeviceGracePeriod, nil).want(http.StatusOK)
	if j.form("select-authenticator-authenticate") == nil {
		t.Fatal("no sign-in after the grace period's warning")
	}

	two := [][]DeviceChange{
		{{Rule: "android.upgrade_os_version", Params: []string{"100"}}, {Rule: "android.use_biometric_lock_screen"}},
		{{Rule: "android.use_lock_screen"}, {Rule: "android.device_disk_encrypted"}},
	}
	j = newJourney(t, run, WithPolicy(grace(two)))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("device-assurance-grace-period/options")

	denied := func(da DeviceAssurance) Policy {
		p := DefaultPolicy()
		p.DeviceAssurance = &da
		return p
	}
	j = newJourney(t, run, WithPolicy(denied(DeviceAssurance{})))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("terminal/device-assurance")
	platforms := [][]DeviceChange{
		{{Rule: "ios.upgrade_os_version", Params: []string{"12.0.1"}}, {Rule: "ios.use_lock_screen"}, {Rule: "ios.use_biometric_lock_screen"}},
		{{Rule: "macos.upgrade_os_version", Params: []string{"13.2"}}, {Rule: "macos.use_lock_screen"}, {Rule: "macos.device_disk_encrypted"}},
		{{Rule: "windows.upgrade_os_version", Params: []string{"10.0.25530.123"}}, {Rule: "windows.device_disk_encrypted"}},
		{{Rule: "windows.use_biometric_lock_screen"}},
	}
	j = newJourney(t, run, WithPolicy(denied(DeviceAssurance{Options: platforms, HelpURL: "https://help.example.com/devices"})))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("terminal/device-assurance/options")
	j = newJourney(t, run, WithPolicy(denied(DeviceAssurance{Options: [][]DeviceChange{{
		{Rule: "android.upgrade_os_version", Message: "Our policy: upgrade your Android OS", URL: "https://docs.example.com/android"},
		{Rule: "android.use_biometric_lock_screen"},
	}}})))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("terminal/device-assurance/custom")
}

func journeyCustomPasswordPage(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Factors = 1
	p.PasswordPage = &PasswordPage{Name: "Password reset website name", URL: "https://passwords.example.com/change"}
	j := newJourney(t, run, WithPolicy(p),
		WithUser(User{Username: "expired@example.com", Password: DemoPassword, GivenName: "Expired", FamilyName: "Password", PasswordExpired: true}),
		WithUser(User{Username: "expiring@example.com", Password: DemoPassword, GivenName: "Expiring", FamilyName: "Password", PasswordExpiresSoon: true}))
	j.start(nil).identify("expired@example.com", DemoPassword).want(http.StatusOK).capture("reenroll-custom-password-expiry")
	k := j.again()
	k.start(nil).identify("expiring@example.com", DemoPassword).want(http.StatusOK).capture("reenroll-custom-password-expiry-warning")
}

func journeyEnrollGracePeriod(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Factors = 1
	end := time.Now().Add(7 * 24 * time.Hour)
	p.Enrollment = []EnrollmentRule{
		{Key: AuthenticatorPhone, Required: true, GracePeriodEnd: end},
		{Key: AuthenticatorWebAuthn, Required: true, GracePeriodEnd: end},
	}
	j := newJourney(t, run, WithPolicy(p))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("select-authenticator-enroll/grace-period")
}

// TestDeviceAssurancePolicyCopied: the org keeps its own copy of the
// policy's device assurance and password page.
func TestDeviceAssurancePolicyCopied(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.DeviceAssurance = &DeviceAssurance{Options: [][]DeviceChange{{{Rule: "android.upgrade_os_version", Params: []string{"14"}}}}}
	p.PasswordPage = &PasswordPage{Name: "Portal", URL: "https://passwords.example.com"}
	s := New(t, WithPolicy(p))
	p.DeviceAssurance.Options[0][0].Params[0] = "99"
	p.DeviceAssurance.HelpURL = "https://changed.example.com"
	p.PasswordPage.URL = "https://changed.example.com"
	got := s.org.policy
	if v := got.DeviceAssurance.Options[0][0].Params[0]; v != "14" || got.DeviceAssurance.HelpURL != "" || got.PasswordPage.URL != "https://passwords.example.com" {
		t.Errorf("the org's policy changed with the caller's: %+v %+v", got.DeviceAssurance, got.PasswordPage)
	}
}
