package remediate

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/internal/ion"
)

// This file is the hand-off of the steps only the user's own device can
// complete: Okta FastPass (Okta Verify reached over a loopback port, a
// custom URI, a universal link or an app link), Chrome Device Trust, the
// Apple SSO extension, and the launch of an authenticator app. A
// server-side app cannot answer them; it sends the user's browser where
// the challenge says, polls, or stops waiting (cancel-polling) and lets
// the user go on another way. It is also identity verification
// (redirect-idverify), a redirect to an identity verification vendor.

// Step names of the device-bound steps and of identity verification.
const (
	// DeviceChallengePollStep waits while the user's device answers an
	// authenticatorChallenge.
	DeviceChallengePollStep = "device-challenge-poll"
	// LaunchAuthenticatorStep asks the org to launch Okta Verify on the
	// device (the fallback when probing found no app).
	LaunchAuthenticatorStep = "launch-authenticator"
	// AppleSSOExtensionStep is answered by Apple's SSO extension on the
	// device.
	AppleSSOExtensionStep = "device-apple-sso-extension"
	// RedirectIDVerifyStep sends the browser to an identity verification
	// vendor (Persona, Incode, CLEAR, ...), as redirect-idp does to an
	// identity provider.
	RedirectIDVerifyStep = "redirect-idverify"
)

// methodSignedNonce is the Okta Verify method of FastPass.
const methodSignedNonce = "signed_nonce"

// wireDeviceChallenge is the members of an authenticatorChallenge (or of
// a FastPass contextualData.challenge) the SDK reads, decoded leniently:
// a member of an odd type is left out.
type wireDeviceChallenge struct {
	ChallengeMethod    json.RawMessage   `json:"challengeMethod"`
	Href               json.RawMessage   `json:"href"`
	DownloadHref       json.RawMessage   `json:"downloadHref"`
	ChallengeRequest   json.RawMessage   `json:"challengeRequest"`
	Domain             json.RawMessage   `json:"domain"`
	HTTPSDomain        json.RawMessage   `json:"httpsDomain"`
	Ports              []json.RawMessage `json:"ports"`
	ProbeTimeoutMillis json.RawMessage   `json:"probeTimeoutMillis"`
}

// describeDevice returns the device challenge of form f of r, nil when f
// is not device-bound: the device-bound steps, and the challenge-poll of
// an Okta FastPass (method signed_nonce), which the device answers while
// the server polls. Every call builds a new value (Ports too), sharing
// nothing with r, so it is handed to callers as it is.
func describeDevice(r *ion.Response, f *ion.Form) *authenticator.DeviceChallenge {
	var raw json.RawMessage
	var cancel *ion.Form
	switch {
	case deviceBound(f.Name):
		if r.AuthenticatorChallenge != nil && (f.Name == DeviceChallengePollStep || f.Name == LaunchAuthenticatorStep || relatesToChallenge(f)) {
			raw, cancel = r.AuthenticatorChallenge.Raw, r.AuthenticatorChallenge.Cancel
		}
	case f.Name == "challenge-poll":
		a := StepAuthenticator(r, f)
		if a == nil || !slices.Contains(a.Methods, methodSignedNonce) {
			return nil
		}
		raw, cancel = fastPassChallenge(a.ContextualData), a.Cancel
	default:
		return nil
	}
	d := &authenticator.DeviceChallenge{DeviceOnly: true}
	var w wireDeviceChallenge
	if len(raw) > 0 && raw[0] == '{' {
		_ = json.Unmarshal(raw, &w) // leniently: members of odd types stay empty
	}
	d.Method = str(w.ChallengeMethod)
	d.Href = str(w.Href)
	d.DownloadHref = str(w.DownloadHref)
	d.ChallengeRequest = str(w.ChallengeRequest)
	d.Domain = str(w.Domain)
	d.HTTPSDomain = str(w.HTTPSDomain)
	for _, p := range w.Ports {
		if n, ok := port(p); ok {
			d.Ports = append(d.Ports, n)
		}
	}
	if ms, ok := number(w.ProbeTimeoutMillis); ok && ms > 0 && ms < float64(24*time.Hour/time.Millisecond) {
		d.ProbeTimeout = time.Duration(ms * float64(time.Millisecond))
	}
	if f.Name == AppleSSOExtensionStep && d.Href == "" && f.Method == "GET" {
		// The browser follows the form's href; the extension answers.
		d.Href = f.Href
	}
	if cancel != nil {
		d.CancelStep = cancel.Name
	}
	return d
}

// relatesToChallenge reports a form whose relatesTo names the
// authenticatorChallenge object.
func relatesToChallenge(f *ion.Form) bool {
	return slices.ContainsFunc(f.RelatesTo, func(ref string) bool {
		return strings.TrimPrefix(ref, "$.") == "authenticatorChallenge"
	})
}

// fastPassChallenge is the value of a FastPass authenticator's
// contextualData.challenge, nil when it has none.
func fastPassChallenge(cd json.RawMessage) json.RawMessage {
	var w struct {
		Challenge struct {
			Value json.RawMessage `json:"value"`
		} `json:"challenge"`
	}
	if len(cd) == 0 || json.Unmarshal(cd, &w) != nil {
		return nil
	}
	return w.Challenge.Value
}

// deviceCancel is the action that stops waiting for the device, named
// name: the authenticatorChallenge's cancel, or the current
// authenticator's (FastPass); nil when r offers none of that name.
func deviceCancel(r *ion.Response, name string) *ion.Form {
	if name == "" {
		return nil
	}
	if c := r.AuthenticatorChallenge; c != nil && c.Cancel != nil && c.Cancel.Name == name {
		return c.Cancel
	}
	if a := r.CurrentAuthenticator; a != nil && a.Cancel != nil && a.Cancel.Name == name {
		if slices.Contains(a.Methods, methodSignedNonce) {
			return a.Cancel
		}
	}
	return nil
}

// candidates are the forms [Next] may submit for a call naming step: the
// remediations, and the device challenge's cancel action when step names
// it.
func candidates(r *ion.Response, step string) []*ion.Form {
	if r.Remediation(step) == nil {
		if c := deviceCancel(r, step); c != nil {
			return []*ion.Form{c}
		}
	}
	return r.Remediations
}

// str decodes a JSON string, "" for anything else.
func str(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// number decodes a JSON number.
func number(raw json.RawMessage) (float64, bool) {
	var n float64
	if len(raw) == 0 || json.Unmarshal(raw, &n) != nil {
		return 0, false
	}
	return n, true
}

// port reads a port given as a string ("6511", as Okta sends them) or a
// number; anything outside 1-65535 is left out.
func port(raw json.RawMessage) (int, bool) {
	n, err := strconv.Atoi(str(raw))
	if err != nil {
		f, ok := number(raw)
		if !ok || f != float64(int(f)) {
			return 0, false
		}
		n = int(f)
	}
	return n, n > 0 && n < 65536
}
