package remediate

import "github.com/goidx/goidx/internal/ion"

// deviceBound reports whether the remediation named name can only be
// answered on the user's own device: the Apple SSO extension, Okta Verify
// reached on the device (over a loopback port, a universal link or an app
// link), and the launch of an authenticator app or device authenticator.
// A server-side app cannot complete them, so they never come before a
// step it can (see [Preferred]).
func deviceBound(name string) bool {
	switch name {
	case "device-apple-sso-extension",
		"device-challenge-poll",
		"launch-authenticator",
		"launch-nfc-authenticator",
		"launch-passkeys-authenticator",
		"launch-webauthn-authenticator":
		return true
	}
	return false
}

// Preferred returns the index in forms of the step a caller should take
// next, -1 when forms is empty. It is the first form in server order,
// passing over two kinds that the server may list first:
//
//   - a device-bound remediation (deviceBound), which only the user's
//     device can answer;
//   - the resend remediation that follows a rejected Okta Verify push: a
//     user who refused a push may not have started this sign-in, so the
//     next step is to choose an authenticator again (as okta-auth-js's
//     authenticate makes it), and a new push is one Resend away.
//
// When every form is of those kinds, the first one is the next step.
func Preferred(forms []*ion.Form) int {
	for i, f := range forms {
		if !deviceBound(f.Name) && f.Name != "resend" {
			return i
		}
	}
	if len(forms) == 0 {
		return -1
	}
	return 0
}
