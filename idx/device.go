package idx

import (
	"slices"
	"time"

	"github.com/goidx/goidx/internal/remediate"
)

// DeviceChallenge is the hand-off of a step that only the user's own
// device can complete: Okta FastPass (Okta Verify on the device, reached
// over a loopback port, a custom URI, a universal link or an app link),
// Chrome Device Trust, Apple's SSO extension, or the launch of an
// authenticator app. A server-side app cannot answer it. It can send the
// user's browser to Href (where Okta Verify or the browser's device
// integration takes over), poll the step with [Client.Poll] or
// [Client.PollUntilDone] until the device has answered, and stop waiting
// with Options.Step set to CancelStep, after which the org offers the
// other ways in (the username, launch-authenticator, other
// authenticators).
//
// An org that probes for FastPass answers the start of a sign-in with a
// device-challenge-poll, before it asks for the username: Authenticate
// with a username and password stops there, PENDING, with neither used.
// To sign in without the device, take CancelStep, then answer identify.
//
// Href, DownloadHref and the loopback origins are the org's to choose:
// check them against what the app expects before sending a browser there.
type DeviceChallenge struct {
	// Method is how the device is reached, as the org names it
	// (DeviceChallengeLoopback, DeviceChallengeCustomURI,
	// DeviceChallengeUniversalLink, DeviceChallengeAppLink,
	// DeviceChallengeChromeDTC, or another value the org sends); empty
	// when the step names none (Apple's SSO extension, a
	// launch-authenticator step that has no link yet).
	Method string
	// Href is the URL to send the user's browser to: the custom URI,
	// universal link or app link that opens Okta Verify, the Chrome
	// Device Trust challenge, or the SSO extension's verify URL. Empty
	// for a loopback challenge, which a page answers from the browser.
	Href string
	// DownloadHref is where the user can get Okta Verify when a custom
	// URI finds no app to open.
	DownloadHref string
	// ChallengeRequest, Domain, HTTPSDomain, Ports and ProbeTimeout are
	// a loopback challenge's: the signed request a page in the user's
	// browser hands to Okta Verify, the origins and ports where Okta
	// Verify listens on the device, and how long one probe may take.
	ChallengeRequest    string
	Domain, HTTPSDomain string
	Ports               []int
	ProbeTimeout        time.Duration
	// CancelStep is the name of the action that stops waiting for the
	// device ("cancel-polling"), to pass as Options.Step; empty when the
	// org offers none.
	CancelStep string
	// DeviceOnly reports that only the user's device completes the step:
	// the app hands off, polls, or lets the user go on another way.
	DeviceOnly bool
}

// The device challenge methods Okta sends.
const (
	// DeviceChallengeLoopback: Okta Verify listens on a loopback port of
	// the user's computer; a page in the browser probes Ports and hands it
	// ChallengeRequest.
	DeviceChallengeLoopback = "LOOPBACK"
	// DeviceChallengeCustomURI: Href is a custom URI that opens Okta
	// Verify; DownloadHref gets the app when none opens.
	DeviceChallengeCustomURI = "CUSTOM_URI"
	// DeviceChallengeUniversalLink: Href is an Apple universal link that
	// opens Okta Verify.
	DeviceChallengeUniversalLink = "UNIVERSAL_LINK"
	// DeviceChallengeAppLink: Href is an Android app link that opens Okta
	// Verify.
	DeviceChallengeAppLink = "APP_LINK"
	// DeviceChallengeChromeDTC: Href is Chrome Device Trust's challenge,
	// which Chrome answers with the device's signals.
	DeviceChallengeChromeDTC = "CHROME_DTC"
)

// newDeviceChallenge converts the step engine's device challenge.
func newDeviceChallenge(d *remediate.DeviceChallenge) *DeviceChallenge {
	if d == nil {
		return nil
	}
	return &DeviceChallenge{
		Method:           d.Method,
		Href:             d.Href,
		DownloadHref:     d.DownloadHref,
		ChallengeRequest: d.ChallengeRequest,
		Domain:           d.Domain,
		HTTPSDomain:      d.HTTPSDomain,
		Ports:            slices.Clone(d.Ports),
		ProbeTimeout:     d.ProbeTimeout,
		CancelStep:       d.CancelStep,
		DeviceOnly:       d.DeviceOnly,
	}
}
