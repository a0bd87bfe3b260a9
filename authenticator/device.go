package authenticator

import "time"

// DeviceChallenge is Okta Verify's authenticatorChallenge: the hand-off
// of a step that only the user's own device can complete. It stands for
// Okta FastPass (Okta Verify on the device, reached over a loopback port,
// a custom URI, a universal link or an app link), Chrome Device Trust,
// Apple's SSO extension, or the launch of an authenticator app. The idx
// package gives it as NextStep.DeviceChallenge. A server-side app cannot
// answer it. It can send the user's browser to Href (where Okta Verify or
// the browser's device integration takes over), poll the step (the idx
// package's Client.Poll or Client.PollUntilDone) until the device has
// answered, and stop waiting by naming CancelStep as the step to take
// (idx's Options.Step), after which the org offers the other ways in (the
// username, launch-authenticator, other authenticators).
//
// An org that probes for FastPass answers the start of a sign-in with a
// device-challenge-poll, before it asks for the username: a sign-in
// given a username and password stops there, pending, with neither used.
// To sign in without the device, take CancelStep, then answer identify.
//
// Href, DownloadHref and the loopback origins are the org's to choose:
// check them against what the app expects before sending a browser there.
type DeviceChallenge struct {
	// Method is how the device is reached, as the org names it
	// (ChallengeLoopback, ChallengeCustomURI, ChallengeUniversalLink,
	// ChallengeAppLink, ChallengeChromeDTC, or another value the org
	// sends); empty when the step names none (Apple's SSO extension, a
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
	// device ("cancel-polling"), to take as the next step; empty when
	// the org offers none.
	CancelStep string
	// DeviceOnly reports that only the user's device completes the step:
	// the app hands off, polls, or lets the user go on another way.
	DeviceOnly bool
}

// The device challenge methods Okta sends in an authenticatorChallenge's
// challengeMethod, as [DeviceChallenge.Method].
const (
	// ChallengeLoopback: Okta Verify listens on a loopback port of the
	// user's computer; a page in the browser probes Ports and hands it
	// ChallengeRequest.
	ChallengeLoopback = "LOOPBACK"
	// ChallengeCustomURI: Href is a custom URI that opens Okta Verify;
	// DownloadHref gets the app when none opens.
	ChallengeCustomURI = "CUSTOM_URI"
	// ChallengeUniversalLink: Href is an Apple universal link that opens
	// Okta Verify.
	ChallengeUniversalLink = "UNIVERSAL_LINK"
	// ChallengeAppLink: Href is an Android app link that opens Okta
	// Verify.
	ChallengeAppLink = "APP_LINK"
	// ChallengeChromeDTC: Href is Chrome Device Trust's challenge, which
	// Chrome answers with the device's signals.
	ChallengeChromeDTC = "CHROME_DTC"
)
