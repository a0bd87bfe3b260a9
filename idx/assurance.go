package idx

import (
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/internal/remediate"
)

// DeviceAssurance is what the org tells a user whose device does not
// meet its device assurance policy, as the Okta Sign-In Widget shows it:
// a warning or a title, the ways to bring the device up to the policy,
// and where to find help. Every text is the server's [Message], with its
// i18n key and parameters for apps that localise, and its Links.
//
// It comes on [NextStep.DeviceAssurance] while a grace period lets the
// user go on (the device-assurance-grace-period step, which
// [Client.Skip] takes), and on [Transaction.DeviceAssurance] when the
// org denies access ([ErrDeviceNotCompliant]).
type DeviceAssurance struct {
	// GracePeriodEnds is when the grace period ends: until then the user
	// may go on with the sign-in; after it, the org denies access until
	// the device complies. Zero when there is no grace period.
	GracePeriodEnds time.Time
	// Messages say what is wrong, in server order: the grace period's
	// warning (whose Params[0] is its end), or the title and the
	// explanation of a denial.
	Messages []Message
	// Options are the ways to make the device meet the policy; any one
	// of them is enough. An answer that names no options has one, without
	// a Heading.
	Options []DeviceRemediationOption
	// Help is the message that points at the help page (its Links), nil
	// when the org gives none.
	Help *Message
}

// DeviceRemediationOption is one way to make a device meet the policy:
// every change it lists.
type DeviceRemediationOption struct {
	// Heading is the option's heading ("Option 1:", its number in
	// Params[0]), nil for the one option of an answer that numbers none.
	Heading *Message
	// Changes are the changes to make, each a message whose Links give
	// the page that says how (a change an app on the device makes, such
	// as installing the Android Device Policy app, gives the app link to
	// open instead, or a nested message to show when that app does not
	// answer). The org's own texts have keys under
	// device.assurance.custom.remediation and may have no link.
	Changes []Message
}

// newDeviceAssurance converts the engine's reading of device assurance's
// messages, nil for none.
func newDeviceAssurance(a *remediate.Assurance) *DeviceAssurance {
	if a == nil {
		return nil
	}
	out := &DeviceAssurance{GracePeriodEnds: a.GraceEnds}
	for _, m := range a.Messages {
		out.Messages = append(out.Messages, newMessage(m))
	}
	for _, o := range a.Options {
		var do DeviceRemediationOption
		if o.Heading != nil {
			h := newMessage(*o.Heading)
			do.Heading = &h
		}
		for _, m := range o.Changes {
			do.Changes = append(do.Changes, newMessage(m))
		}
		out.Options = append(out.Options, do)
	}
	if a.Help != nil {
		h := newMessage(*a.Help)
		out.Help = &h
	}
	return out
}

// describeAssurance adds to s what the engine's description d of a step
// tells the user: device assurance's messages, the org's own password
// page.
func describeAssurance(s *NextStep, d remediate.Step) {
	s.DeviceAssurance = newDeviceAssurance(d.Assurance)
	addGracePeriods(s, d)
	if d.PasswordPage != nil {
		s.PasswordPage = &Link{Label: d.PasswordPage.Label, URL: d.PasswordPage.URL}
	}
}

// GracePeriod is how long the user may put off enrolling an authenticator
// the org requires: until a time, or for a number of sign-ins.
type GracePeriod struct {
	// Ends is when the enrollment may no longer be put off; zero when the
	// org gives no time (it counts skips instead).
	Ends time.Time
	// RemainingSkips is how many more times the enrollment may be
	// skipped when the org counts skips, -1 when it does not.
	RemainingSkips int
}

// addGracePeriods sets the grace periods of the authenticators s offers.
func addGracePeriods(s *NextStep, d remediate.Step) {
	for key, g := range d.GracePeriods {
		if s.GracePeriods == nil {
			s.GracePeriods = map[authenticator.Key]*GracePeriod{}
		}
		gp := &GracePeriod{Ends: g.Expiry, RemainingSkips: -1}
		if g.HasSkips {
			gp.RemainingSkips = g.RemainingSkips
		}
		s.GracePeriods[authenticator.Key(key)] = gp
	}
}
