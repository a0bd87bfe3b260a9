package idxtest

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// This file is Okta FastPass as an org with device probing answers the
// start of a sign-in ([Policy.DeviceChallenge]): before the username, a
// device-challenge-poll whose authenticatorChallenge says how Okta Verify
// on the user's device is reached (a custom URI, a universal link, an
// app link, or loopback ports). The fake has no device: a test stands
// for Okta Verify answering with [Server.AnswerDeviceChallenge], after
// which the poll signs the user in. Stopping the wait (cancel-polling)
// goes back to identify, which then also offers launch-authenticator, the
// fallback that starts a new device challenge with a link.

// Device challenge methods, as Okta names them in challengeMethod.
const (
	DeviceChallengeCustomURI     = "CUSTOM_URI"
	DeviceChallengeUniversalLink = "UNIVERSAL_LINK"
	DeviceChallengeAppLink       = "APP_LINK"
	DeviceChallengeLoopback      = "LOOPBACK"
)

// stepDeviceChallenge waits while the user's device answers.
const stepDeviceChallenge = "device-challenge-poll"

// Paths of the device challenge.
const (
	devicePollPath   = "/idp/idx/authenticators/poll"
	deviceCancelPath = "/idp/idx/authenticators/poll/cancel"
	deviceLaunchPath = "/idp/idx/authenticators/okta-verify/launch"
	// deviceLinkPath is where the fake's universal and app links point;
	// nothing is served there (the link would open Okta Verify).
	deviceLinkPath = "/oktaverify/deviceChallenge"
)

// Okta Verify's custom URI scheme and app store page, as Okta sends them.
const (
	deviceCustomURI    = "com-okta-authenticator:/deviceChallenge"
	oktaVerifyDownload = "https://apps.apple.com/us/app/okta-verify/id490179405"
	devicePollRefresh  = 2000 // milliseconds
)

// deviceState is a transaction's device challenge.
type deviceState struct {
	method   string      // the challenge method in force
	request  string      // the challenge request the device would sign
	answered *userRecord // the user whose Okta Verify answered
	fallback bool        // the wait was cancelled: identify offers launch-authenticator
}

// deviceChallengeDoc is the authenticatorChallenge object.
type deviceChallengeDoc struct {
	ChallengeMethod  string   `json:"challengeMethod"`
	Href             string   `json:"href,omitempty"`
	DownloadHref     string   `json:"downloadHref,omitempty"`
	ChallengeRequest string   `json:"challengeRequest,omitempty"`
	Domain           string   `json:"domain,omitempty"`
	Ports            []string `json:"ports,omitempty"`
	Cancel           *ionForm `json:"cancel,omitempty"`
}

func registerDeviceChallenge(o *org) {
	o.addStep(stepDeviceChallenge, stepDef{
		forms: func(*call) []string { return []string{"device-challenge-poll"} },
	})
	o.addForm("device-challenge-poll", formDef{
		path: devicePollPath,
		render: func(c *call) *ionForm {
			f := newForm("device-challenge-poll", c.s.href(devicePollPath), stateHandleField(c.t.handle))
			f.Refresh = devicePollRefresh
			f.RelatesTo = []string{"authenticatorChallenge"}
			return f
		},
		submit: submitDevicePoll,
	})
	o.addForm("launch-authenticator", formDef{
		path: deviceLaunchPath,
		render: func(c *call) *ionForm {
			f := newForm("launch-authenticator", c.s.href(deviceLaunchPath), stateHandleField(c.t.handle))
			switch c.s.org.policy.DeviceChallenge {
			case DeviceChallengeUniversalLink, DeviceChallengeAppLink:
				f.RelatesTo = []string{"authenticatorChallenge"} // see decorateDevice
			}
			return f
		},
		submit: func(c *call, _ []byte) idxResult {
			c.startDeviceChallenge(launchMethod(c.s.org.policy.DeviceChallenge))
			return c.ok()
		},
	})
}

// launchMethod is the method of the challenge launch-authenticator
// starts: a link, since probing the loopback ports found no app.
func launchMethod(policy string) string {
	if policy == DeviceChallengeLoopback {
		return DeviceChallengeCustomURI
	}
	return policy
}

// deviceForms are the identify step's forms of the device challenge:
// launch-authenticator once the wait was cancelled.
func deviceForms(c *call) []string {
	if c.s.org.policy.DeviceChallenge == "" || !c.t.device.fallback {
		return nil
	}
	return []string{"launch-authenticator"}
}

// startDeviceChallengeLocked puts a new sign-in at the device challenge
// when the policy asks for one.
func (s *Server) startDeviceChallengeLocked(t *transaction) *transaction {
	if m := s.org.policy.DeviceChallenge; m != "" && t.step == stepIdentify && t.flow == flowAuthenticate && t.user == nil {
		(&call{s: s, t: t}).startDeviceChallenge(m)
	}
	return t
}

func (c *call) startDeviceChallenge(method string) {
	c.t.setStep(stepDeviceChallenge, nil)
	c.t.device = deviceState{method: method, request: randomToken(32)}
	c.s.cfg.logger.Info("idxtest device challenge", "method", method)
}

// decorateDevice adds the authenticatorChallenge of the device challenge,
// or of the identify step's launch-authenticator.
func decorateDevice(c *call, resp *idxResponse) {
	t := c.t
	switch {
	case t.step == stepDeviceChallenge:
		resp.AuthenticatorChallenge = objectOf(c.deviceChallengeDoc())
	case t.step == stepIdentify && len(deviceForms(c)) > 0:
		// On a phone, the launch opens Okta Verify by its link, which
		// Okta gives with the fallback; on a computer it says nothing.
		switch m := c.s.org.policy.DeviceChallenge; m {
		case DeviceChallengeUniversalLink, DeviceChallengeAppLink:
			resp.AuthenticatorChallenge = objectOf(deviceChallengeDoc{ChallengeMethod: m, Href: c.s.URL + deviceLinkPath})
		}
	}
}

func (c *call) deviceChallengeDoc() deviceChallengeDoc {
	// Okta names the cancel of a link on a phone otherwise.
	cancel := "cancel-polling"
	switch c.t.device.method {
	case DeviceChallengeUniversalLink, DeviceChallengeAppLink:
		cancel = "cancel-polling-transaction"
	}
	d := deviceChallengeDoc{
		ChallengeMethod: c.t.device.method,
		Cancel:          newForm(cancel, c.s.href(deviceCancelPath), stateHandleField(c.t.handle)),
	}
	q := "?" + url.Values{"challengeRequest": {c.t.device.request}}.Encode()
	switch d.ChallengeMethod {
	case DeviceChallengeLoopback:
		d.ChallengeRequest = c.t.device.request
		d.Domain = "http://localhost"
		d.Ports = []string{"2000", "6511", "6512", "6513"}
	case DeviceChallengeCustomURI:
		d.Href, d.DownloadHref = deviceCustomURI+q, oktaVerifyDownload
	default:
		d.Href = c.s.URL + deviceLinkPath + q
	}
	return d
}

// submitDevicePoll answers a poll of the device challenge: the user Okta
// Verify answered for is signed in with it, then the policy goes on.
func submitDevicePoll(c *call, _ []byte) idxResult {
	t := c.t
	u := t.device.answered
	if u == nil {
		return c.ok()
	}
	t.user, t.device = u, deviceState{}
	t.markVerified(c.s.org.byKey[AuthenticatorOktaVerify], "signed_nonce")
	if !slices.Contains(t.amr, "phr") {
		t.amr = append(t.amr, "phr")
	}
	return c.advance()
}

// cancelDevicePolling answers POST /idp/idx/authenticators/poll/cancel:
// the wait ends, and identify offers the username and
// launch-authenticator or, for a FastPass chosen among the
// authenticators (auth_fastpass.go), the user chooses again.
func (s *Server) cancelDevicePolling(now time.Time, raw []byte) idxResult {
	return s.onKind(now, raw, func(c *call) *idxResult {
		switch c.t.step {
		case stepDeviceChallenge:
			c.t.setStep(stepIdentify, nil)
			c.t.device = deviceState{fallback: true}
		case stepOVFastPass:
			c.t.setStep(stepSelect, nil)
		default:
			return failPtr(c.fail(http.StatusForbidden, msgNotAllowed()))
		}
		return nil
	})
}

// AnswerDeviceChallenge stands for Okta Verify on the user's device
// answering a device challenge for username: challenge is what the app
// handed to the device, the challenge's href (the custom URI, universal
// link or app link) or, for a loopback challenge, its challengeRequest.
// The next poll of the device-challenge-poll signs the user in with Okta
// Verify (amr "phr") and goes on as the policy asks. It fails when no
// live challenge matches, or when username has no Okta Verify.
func (s *Server) AnswerDeviceChallenge(challenge, username string) error {
	token := challenge
	if u, err := url.Parse(challenge); err == nil && u.Query().Get("challengeRequest") != "" {
		token = u.Query().Get("challengeRequest")
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[strings.ToLower(username)]
	if u == nil {
		return fmt.Errorf("idxtest: no user %q", username)
	}
	if u.enrollments[AuthenticatorOktaVerify] == nil {
		return fmt.Errorf("idxtest: user %q has no Okta Verify", username)
	}
	for _, t := range s.transactions {
		if t.step != stepDeviceChallenge || !now.Before(t.expiresAt) || t.device.request == "" {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(t.device.request), []byte(token)) == 1 {
			t.device.answered = u
			return nil
		}
	}
	return errors.New("idxtest: no device challenge waits for that request")
}
