package idx_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// assuranceNow is the time the grace periods of a test are set from,
// whole seconds (the org gives times to the millisecond): days ahead of
// the org's clock, or an hour behind it.
func assuranceNow() time.Time { return time.Now().UTC().Truncate(time.Second) }

// TestE2EDeviceAssurance signs in on an org whose device assurance
// policy the device does not meet: during the grace period the warning
// is a step with what to change, skipped or taken by name; after it, and
// without one, the sign-in ends with ErrDeviceNotCompliant and the
// changes to make.
func TestE2EDeviceAssurance(t *testing.T) {
	t.Parallel()
	const p = "idx.error.code.access_denied.device_assurance.remediation."
	now := assuranceNow()
	graceEnd := now.Add(14 * 24 * time.Hour)
	two := [][]idxtest.DeviceChange{
		{{Rule: "android.upgrade_os_version", Params: []string{"15"}}, {Rule: "android.use_biometric_lock_screen"}},
		{{Rule: "android.use_lock_screen", URL: "https://docs.example.com/lock"}},
	}
	policy := func(da idxtest.DeviceAssurance) idxtest.Option {
		return idxtest.WithPolicy(idxtest.Policy{Factors: 1, DeviceAssurance: &da})
	}
	// wantOptions compares the options' change keys and links.
	wantOptions := func(r *e2eRun, da *idx.DeviceAssurance, want [][]string) {
		r.t.Helper()
		if da == nil {
			r.t.Fatal("no DeviceAssurance")
		}
		var got [][]string
		for _, o := range da.Options {
			var changes []string
			for _, c := range o.Changes {
				s := c.Key
				for _, l := range c.Links {
					s += " " + l.URL
				}
				changes = append(changes, s)
			}
			got = append(got, changes)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			r.t.Errorf("options (-want +got):\n%s", diff)
		}
	}
	twoWant := [][]string{
		{p + "android.upgrade_os_version https://okta.com/android-upgrade-os", p + "android.use_biometric_lock_screen https://okta.com/android-biometric-lock"},
		{p + "android.use_lock_screen https://docs.example.com/lock"},
	}
	grace := func(r *e2eRun) {
		tx := r.signIn()
		if tx.Rejection != nil || tx.Err() != nil {
			r.t.Errorf("Rejection = %v; the warning refuses nothing", tx.Rejection)
		}
		ns := tx.NextStep
		if !ns.CanSkip || len(ns.Inputs) != 0 || tx.DeviceAssurance != nil {
			r.t.Errorf("NextStep = %+v, tx.DeviceAssurance = %v; want a skippable step without inputs", ns, tx.DeviceAssurance)
		}
		da := ns.DeviceAssurance
		wantOptions(r, da, twoWant)
		if !da.GracePeriodEnds.Equal(graceEnd) {
			r.t.Errorf("GracePeriodEnds = %v, want %v", da.GracePeriodEnds, graceEnd)
		}
		if len(da.Messages) != 1 || da.Messages[0].Class != "WARNING" || da.Options[1].Heading == nil || da.Options[1].Heading.Params[0] != "2" {
			r.t.Errorf("Messages = %+v, second option's heading %+v", da.Messages, da.Options[1].Heading)
		}
		if da.Help == nil || len(da.Help.Links) != 1 || da.Help.Links[0].URL != "https://okta.com/help" {
			r.t.Errorf("Help = %+v, want Okta's help page", da.Help)
		}
	}
	denied := func(r *e2eRun) {
		tx := r.signIn()
		if !errors.Is(tx.Err(), idx.ErrDeviceNotCompliant) {
			r.t.Fatalf("Err() = %v, want ErrDeviceNotCompliant", tx.Err())
		}
		if tx.Status != idx.StatusTerminal {
			r.t.Errorf("Status = %s, want TERMINAL", tx.Status)
		}
		da := tx.DeviceAssurance
		wantOptions(r, da, twoWant)
		if !da.GracePeriodEnds.IsZero() || len(da.Messages) != 2 || da.Messages[0].Key != p+"title" {
			r.t.Errorf("GracePeriodEnds = %v, Messages = %+v; want no grace period, the title and explanation", da.GracePeriodEnds, da.Messages)
		}
		if da.Help == nil || da.Help.Key != p+"additional_help_custom" || da.Help.Links[0].URL != "https://help.example.com/devices" {
			r.t.Errorf("Help = %+v, want the org's help page", da.Help)
		}
	}
	runCells(t, []e2eCell{
		{
			name: "grace period, skipped",
			opts: []idxtest.Option{policy(idxtest.DeviceAssurance{GracePeriodEnd: graceEnd, Options: two})},
			run: func(r *e2eRun) {
				grace(r)
				r.do(r.c.Skip(r.t.Context(), r.state()))
			},
			steps: []string{"device-assurance-grace-period", "SUCCESS"},
			amr:   []string{"pwd"},
		},
		{
			name: "grace period, step named",
			opts: []idxtest.Option{policy(idxtest.DeviceAssurance{GracePeriodEnd: graceEnd, Options: two})},
			run: func(r *e2eRun) {
				grace(r)
				// The warning is the step's: it stands while the step does.
				tx := r.proceed(idx.Options{})
				if tx.NextStep.DeviceAssurance == nil || tx.Rejection != nil {
					r.t.Errorf("the step again: DeviceAssurance %v, Rejection %v", tx.NextStep.DeviceAssurance, tx.Rejection)
				}
				r.proceed(idx.Options{Step: "device-assurance-grace-period"})
			},
			steps: []string{"device-assurance-grace-period", "device-assurance-grace-period", "SUCCESS"},
			amr:   []string{"pwd"},
		},
		{
			name: "grace period over",
			opts: []idxtest.Option{policy(idxtest.DeviceAssurance{
				GracePeriodEnd: now.Add(-time.Hour), Options: two, HelpURL: "https://help.example.com/devices"})},
			run:   denied,
			steps: []string{"TERMINAL"},
		},
		{
			name:  "no grace period",
			opts:  []idxtest.Option{policy(idxtest.DeviceAssurance{Options: two, HelpURL: "https://help.example.com/devices"})},
			run:   denied,
			steps: []string{"TERMINAL"},
		},
		{
			name: "the org's own text",
			opts: []idxtest.Option{policy(idxtest.DeviceAssurance{Options: [][]idxtest.DeviceChange{{
				{Rule: "android.upgrade_os_version", Message: "Upgrade Android, as our policy says", URL: "https://docs.example.com/android"},
			}}})},
			run: func(r *e2eRun) {
				tx := r.signIn()
				da := tx.DeviceAssurance
				want := [][]string{{"device.assurance.custom.remediation." + p + "android.upgrade_os_version https://docs.example.com/android"}}
				wantOptions(r, da, want)
				if c := da.Options[0].Changes[0]; c.Text != "Upgrade Android, as our policy says" || da.Options[0].Heading != nil {
					r.t.Errorf("change = %+v, heading %v", c, da.Options[0].Heading)
				}
				if !errors.Is(tx.Err(), idx.ErrDeviceNotCompliant) {
					r.t.Errorf("Err() = %v, want ErrDeviceNotCompliant", tx.Err())
				}
			},
			steps: []string{"TERMINAL"},
		},
	})
}

// TestE2ECustomPasswordPage signs in with an expired or expiring
// password on an org that changes passwords on its own page: the step
// names the page; the warning is skipped.
func TestE2ECustomPasswordPage(t *testing.T) {
	t.Parallel()
	page := &idxtest.PasswordPage{Name: "Example password portal", URL: "https://passwords.example.com/change"}
	org := idxtest.WithPolicy(idxtest.Policy{Factors: 1, PasswordPage: page})
	wantPage := func(r *e2eRun, tx *idx.Transaction, canSkip bool) {
		r.t.Helper()
		want := &idx.Link{Label: page.Name, URL: page.URL}
		if diff := cmp.Diff(want, tx.NextStep.PasswordPage); diff != "" {
			r.t.Errorf("PasswordPage (-want +got):\n%s", diff)
		}
		if tx.NextStep.CanSkip != canSkip {
			r.t.Errorf("CanSkip = %v, want %v", tx.NextStep.CanSkip, canSkip)
		}
	}
	runCells(t, []e2eCell{
		{
			name: "expired",
			user: func(u *idxtest.User) { u.PasswordExpired = true },
			opts: []idxtest.Option{org},
			run: func(r *e2eRun) {
				tx := r.signIn()
				wantPage(r, tx, false)
				if _, err := r.c.Skip(r.t.Context(), r.state()); !errors.Is(err, idx.ErrUnknownStep) {
					r.t.Errorf("Skip of an expired password: %v, want ErrUnknownStep", err)
				}
				// The form takes the new password too (the fake org
				// changes it there; Okta's widget sends the user to the
				// page).
				r.proceed(idx.Options{NewPassword: e2eNewPassword})
			},
			steps: []string{"reenroll-custom-password-expiry/okta_password", "SUCCESS"},
			amr:   []string{"pwd"},
		},
		{
			name: "expiring, skipped",
			user: func(u *idxtest.User) { u.PasswordExpiresSoon = true },
			opts: []idxtest.Option{org},
			run: func(r *e2eRun) {
				tx := r.signIn()
				wantPage(r, tx, true)
				if s := tx.NextStep.Authenticator.Settings; s == nil || s.DaysToExpiry == nil || *s.DaysToExpiry <= 0 {
					r.t.Errorf("Settings = %+v, want the days to expiry", s)
				}
				r.do(r.c.Skip(r.t.Context(), r.state()))
			},
			steps: []string{"reenroll-custom-password-expiry-warning/okta_password", "SUCCESS"},
			amr:   []string{"pwd"},
		},
	})
}

// TestE2EEnrollGracePeriod signs in on an org that requires an
// enrollment with a grace period: the authenticator shows when it ends,
// the enrollment is skipped, and once the grace period is over it can no
// longer be.
func TestE2EEnrollGracePeriod(t *testing.T) {
	t.Parallel()
	now := assuranceNow()
	end := now.Add(7 * 24 * time.Hour)
	rules := func(end time.Time) idxtest.Option {
		return idxtest.WithPolicy(idxtest.Policy{Factors: 1, Enrollment: []idxtest.EnrollmentRule{
			{Key: idxtest.AuthenticatorPhone, Required: true, GracePeriodEnd: end},
		}})
	}
	runCells(t, []e2eCell{
		{
			name: "skipped",
			opts: []idxtest.Option{rules(end)},
			run: func(r *e2eRun) {
				tx := r.signIn()
				want := map[authenticator.Key]*idx.GracePeriod{authenticator.PhoneNumber: {Ends: end, RemainingSkips: -1}}
				if diff := cmp.Diff(want, tx.NextStep.GracePeriods); diff != "" || !tx.NextStep.CanSkip {
					r.t.Errorf("CanSkip %v, Options (-want +got):\n%s", tx.NextStep.CanSkip, diff)
				}
				r.do(r.c.Skip(r.t.Context(), r.state()))
			},
			steps: []string{"select-authenticator-enroll [phone_number]", "SUCCESS"},
			amr:   []string{"pwd"},
		},
		{
			name: "over",
			opts: []idxtest.Option{rules(now.Add(-time.Hour))},
			run: func(r *e2eRun) {
				tx := r.signIn()
				if tx.NextStep.CanSkip || tx.NextStep.GracePeriods != nil {
					r.t.Errorf("after the grace period: CanSkip %v, GracePeriods %v", tx.NextStep.CanSkip, tx.NextStep.GracePeriods)
				}
			},
			steps: []string{"select-authenticator-enroll [phone_number]"},
		},
	})
}
