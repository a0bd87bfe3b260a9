package main

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// This file is the steps that leave the app's pages: the org sends the
// browser to an identity provider (redirect-idp) or an identity
// verification vendor (redirect-idverify), which send it back to the
// redirect URI (callback in app.go), and the steps only the user's own
// device completes (Okta Verify by a link, FastPass), which the app waits
// for by polling.
//
// The org chooses every address these steps send the browser to. The page
// links to one only when its origin is one the app expects (the issuer's,
// unless configured otherwise): a tampered or unexpected answer cannot
// turn the app into an open redirector. An org whose providers live on
// another host (a smart card's mTLS host, say) needs that origin added
// to appConfig.redirectOrigins.

// oktaVerifyScheme is the custom URI scheme that opens Okta Verify.
const oktaVerifyScheme = "com-okta-authenticator"

// defaultDeviceWait is how long one press of the device page's button
// waits for the device to answer.
const defaultDeviceWait = 20 * time.Second

// redirectView is a link that sends the browser to an identity provider
// or an identity verification vendor.
type redirectView struct {
	ID    string
	Label string
	// Href is the org's URL, checked against the expected origins.
	Href template.URL
	// Terms and Privacy are a vendor's terms of use and privacy policy,
	// when the org gives them over https.
	Terms, Privacy template.URL
}

// deviceView is the hand-off of a step that only the user's device
// completes.
type deviceView struct {
	// Open is the link that opens Okta Verify (a custom URI, universal
	// link or app link), empty when there is none to follow.
	Open template.URL
	// Download is where to get Okta Verify, when the org says.
	Download template.URL
	// Text says plainly what the user does; Refused says why a link the
	// org sent is not offered.
	Text    string
	Refused string
	// CanWait shows the button that waits for the device's answer.
	CanWait bool
	// CancelStep is the action that stops waiting, offered as another
	// way to sign in.
	CancelStep string
}

// origin returns the origin of an absolute http(s) URL, lower-cased, or
// "" for anything else (a relative URL, another scheme, user info).
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return ""
	}
	return scheme + "://" + strings.ToLower(u.Host)
}

// issuerOrigins are the origins the app expects the steps that leave it
// to send browsers to, by default: the issuer's, where Okta serves the
// redirects to identity providers and vendors.
func issuerOrigins(issuer string) []string {
	if o := origin(issuer); o != "" {
		return []string{o}
	}
	return nil
}

// expected reports whether href is an absolute http(s) URL on one of the
// origins the app sends browsers to.
func (a *app) expected(href string) bool {
	o := origin(href)
	return o != "" && slices.Contains(a.redirectOrigins, o)
}

// safeHTTPS returns href for a link when it is an absolute https URL,
// else "".
func safeHTTPS(href string) template.URL {
	if strings.HasPrefix(origin(href), "https://") {
		return template.URL(href)
	}
	return ""
}

// isRedirect reports whether a step sends the browser away to come back
// to the redirect URI.
func isRedirect(name string) bool {
	return name == "redirect-idp" || name == "redirect-idverify"
}

// handOff adds to v, the page of step in tx, the links and buttons of the
// steps that leave the app: the redirect of a redirect step, the
// identity providers beside another step, and a device's hand-off.
func (a *app) handOff(ctx context.Context, v *stepView, tx *idx.Transaction, step *idx.NextStep) {
	switch {
	case isRedirect(step.Name):
		if r := a.redirectLink(ctx, step, "redirect"); r != nil {
			v.Redirect = r
		} else {
			v.Unsupported = "This sign-in continues at an address this app does not expect, so it cannot go on here."
		}
		return
	case step.DeviceChallenge != nil:
		v.Device = a.deviceHandOff(ctx, step)
		if v.Device.CanWait {
			v.Submit = "I have approved it, continue"
		}
		if !v.Device.CanWait && len(step.Inputs) == 0 && step.Poll != nil {
			v.Submit = "" // nothing to answer here: only the other ways
		}
	}
	if step != tx.NextStep {
		return
	}
	for i := range tx.AvailableSteps {
		s := &tx.AvailableSteps[i]
		if s.Name != "redirect-idp" || s == step {
			continue
		}
		if r := a.redirectLink(ctx, s, "idp-"+strconv.Itoa(len(v.IdPs))); r != nil {
			v.IdPs = append(v.IdPs, *r)
		}
	}
}

// redirectLink is the link of a redirect step, nil when its href is not
// on an expected origin.
func (a *app) redirectLink(ctx context.Context, s *idx.NextStep, id string) *redirectView {
	if !a.expected(s.Href) {
		// The origin only: the href carries the transaction's handle.
		a.log.WarnContext(ctx, "sign-in: a redirect to an unexpected origin is not offered", "step", s.Name, "origin", origin(s.Href))
		return nil
	}
	r := &redirectView{ID: id, Href: template.URL(s.Href)}
	name := "another provider"
	if s.IDP != nil && s.IDP.Name != "" {
		name = s.IDP.Name
		r.Terms, r.Privacy = safeHTTPS(s.IDP.TermsOfUse), safeHTTPS(s.IDP.PrivacyPolicy)
	}
	r.Label = "Sign in with " + name
	if s.Name == "redirect-idverify" {
		r.Label = "Verify with " + name
	}
	return r
}

// deviceHandOff describes the hand-off of a step only the user's device
// completes.
func (a *app) deviceHandOff(ctx context.Context, step *idx.NextStep) *deviceView {
	d := step.DeviceChallenge
	v := &deviceView{CancelStep: d.CancelStep, CanWait: step.Poll != nil && len(step.Inputs) == 0}
	if d.DeviceOnly {
		v.Text = "This step can only be completed on your device, with Okta Verify: this site cannot do it for you."
	}
	switch {
	case d.Href == "":
	case d.Method == authenticator.ChallengeCustomURI && strings.HasPrefix(strings.ToLower(d.Href), oktaVerifyScheme+":"):
		v.Open = template.URL(d.Href)
	case d.Method != authenticator.ChallengeCustomURI && a.expected(d.Href):
		v.Open = template.URL(d.Href)
	default:
		a.log.WarnContext(ctx, "sign-in: a device link to an unexpected address is not offered", "step", step.Name, "method", d.Method, "origin", origin(d.Href))
		v.Refused = "Okta Verify's link points to an address this app does not expect, so it is not offered."
	}
	v.Download = safeHTTPS(d.DownloadHref)
	switch {
	case v.Open != "" && v.CanWait:
		v.Text += " Open Okta Verify on this device and approve the sign-in, then come back and press the button below."
	case v.Open != "":
		v.Text += " Open Okta Verify on this device to go on."
	case d.Method == authenticator.ChallengeLoopback:
		// Okta Verify listens on this computer, for a script of the page
		// to reach: the app's pages run none.
		v.CanWait = false
		v.Text += " Okta Verify on this computer is reached by a script in the page, which this app does not run. Sign in another way."
	case step.Poll == nil && len(step.Inputs) == 0:
		v.Text += " Continue to get a link that opens Okta Verify."
	}
	v.Text = strings.TrimSpace(v.Text)
	return v
}

// cancelDevice stops waiting for the user's device (the device step's
// CancelStep): the org then offers the other ways in.
func (a *app) cancelDevice(w http.ResponseWriter, r *http.Request, id string, sess session, name string) {
	ctx := r.Context()
	a.log.InfoContext(ctx, "sign-in: stopped waiting for the device", "step", name)
	tx, err := a.client.Authenticate(ctx, idx.Options{State: sess.tx.State, Step: name})
	a.advance(w, r, id, sess, tx, err)
}

// waitForDevice polls the org until the user's device has answered the
// step, for up to the app's device wait: the sign-in then goes on, or the
// page says that the device has not answered yet. It never cuts a
// request to the org short: it stops between polls.
func (a *app) waitForDevice(w http.ResponseWriter, r *http.Request, id string, sess session) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	start, gaveUp := time.Now(), false
	a.log.InfoContext(ctx, "sign-in: waiting for the device", "step", sess.tx.NextStep.Name)
	tx, err := a.client.PollUntilDone(ctx, sess.tx.State, idx.WithPollProgress(func(_ int, tx *idx.Transaction) {
		wait := tx.NextStep.Poll.Refresh
		if wait <= 0 {
			wait = time.Second
		}
		if time.Since(start)+wait > a.deviceWait {
			gaveUp = true
			cancel()
		}
	}))
	if gaveUp && errors.Is(err, context.Canceled) && r.Context().Err() == nil && tx != nil {
		sess.tx = tx
		sess.flash = "Okta Verify has not answered yet. Approve the sign-in on your device, then press the button again."
		a.saveAndRedirect(w, r, id, sess, "/login")
		return
	}
	a.advance(w, r, id, sess, tx, err)
}

// devAnswerDevice answers the device challenge of the sign-in in
// progress as the demo user's Okta Verify on the embedded fake org would:
// the next wait then signs the user in.
func (a *app) devAnswerDevice(w http.ResponseWriter, r *http.Request) {
	id, sess, ok := a.postedForm(w, r)
	if !ok {
		return
	}
	if sess.tx == nil || sess.tx.NextStep == nil || sess.tx.NextStep.DeviceChallenge == nil {
		a.saveAndRedirect(w, r, id, sess, "/login")
		return
	}
	d := sess.tx.NextStep.DeviceChallenge
	challenge := d.Href
	if challenge == "" {
		challenge = d.ChallengeRequest
	}
	sess.flash = "Fake org: Okta Verify on this device answered. Press the button to go on."
	if err := a.answerDevice(challenge, idxtest.DemoUsername); err != nil {
		a.log.WarnContext(r.Context(), "dev: the fake org's Okta Verify did not answer", "err", err)
		sess.flash = "Fake org: Okta Verify could not answer this challenge."
	}
	a.saveAndRedirect(w, r, id, sess, "/login")
}
