package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// TestHandOffLinks: the pages link only to addresses on the origins the
// app expects; any other address the org sends is not offered, and the
// log names its origin alone.
func TestHandOffLinks(t *testing.T) {
	t.Parallel()
	const org = "https://org.example"
	idp := func(href string) idx.NextStep {
		return idx.NextStep{Name: "redirect-idp", Href: href, IDP: &idx.IDP{ID: "0oa1", Name: "Google", Type: "GOOGLE"}}
	}
	device := func(method, href string) idx.NextStep {
		return idx.NextStep{Name: "device-challenge-poll", Poll: &idx.Poll{Required: true},
			DeviceChallenge: &authenticator.DeviceChallenge{Method: method, Href: href, CancelStep: "cancel-polling", DeviceOnly: true}}
	}
	for _, tt := range []struct {
		name      string
		step      idx.NextStep
		want      []string
		wantNot   []string
		wantInLog string
	}{
		{name: "identity provider on the org", step: idp(org + "/oauth2/v1/authorize?idp=0oa1&stateTokenExternalId=secret-handle"),
			want: []string{`id="redirect" href="https://org.example/oauth2/v1/authorize?idp=0oa1&amp;stateTokenExternalId=secret-handle"`, "Sign in with Google"}},
		{name: "identity provider elsewhere", step: idp("https://evil.example/authorize?stateTokenExternalId=secret-handle"),
			want: []string{"an address this app does not expect"}, wantNot: []string{"evil.example"}, wantInLog: "origin=https://evil.example"},
		{name: "identity provider over http on the org's host", step: idp("http://org.example/authorize"),
			want: []string{"an address this app does not expect"}, wantNot: []string{`id="redirect"`}},
		{name: "vendor with terms", step: idx.NextStep{Name: "redirect-idverify", Href: org + "/idp/identity-verification?x=1",
			IDP: &idx.IDP{Name: "Persona", Type: "ID_PROOFING", TermsOfUse: "https://persona.example/terms", PrivacyPolicy: "javascript:alert(1)"}},
			want: []string{`id="redirect"`, "Verify with Persona", `href="https://persona.example/terms" id="vendor-terms"`}, wantNot: []string{"vendor-privacy", "javascript"}},
		{name: "Okta Verify's custom URI", step: device(authenticator.ChallengeCustomURI, "com-okta-authenticator:/deviceChallenge?challengeRequest=abc"),
			want: []string{`id="device-open" href="com-okta-authenticator:/deviceChallenge?challengeRequest=abc"`, "can only be completed on your device", `id="device-cancel"`, `id="submit"`}},
		{name: "a custom URI of another app", step: device(authenticator.ChallengeCustomURI, "other-app:/x"),
			want: []string{"not offered"}, wantNot: []string{"device-open", "other-app"}},
		{name: "a universal link elsewhere", step: device(authenticator.ChallengeUniversalLink, "https://evil.example/deviceChallenge?challengeRequest=abc"),
			want: []string{"not offered"}, wantNot: []string{"device-open", "evil.example"}},
		{name: "loopback", step: device(authenticator.ChallengeLoopback, ""),
			want: []string{"which this app does not run", `id="device-cancel"`}, wantNot: []string{"device-open", `id="submit"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stub := &stubClient{authenticate: func(idx.Options) (*idx.Transaction, error) { return pending(tt.step), nil }}
			h := newHarness(t, withClient(stub), withAppConfig(func(c *appConfig) { c.redirectOrigins = []string{org} }))
			b := h.browser()
			b.get("/login")
			p := b.follow(b.post("/login", url.Values{"value.username": {"u"}, "value.password": {"p"}}))
			if p.status != http.StatusOK {
				t.Fatalf("status %d:\n%s", p.status, p.body)
			}
			for _, w := range tt.want {
				if !strings.Contains(p.body, w) {
					t.Errorf("the page lacks %s:\n%s", w, p.body)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(p.body, w) {
					t.Errorf("the page has %s:\n%s", w, p.body)
				}
			}
			logs := h.logs.String()
			if !strings.Contains(logs, tt.wantInLog) {
				t.Errorf("the logs lack %s:\n%s", tt.wantInLog, logs)
			}
			for _, secret := range []string{"secret-handle", "challengeRequest"} {
				if strings.Contains(logs, secret) {
					t.Errorf("the logs show %s:\n%s", secret, logs)
				}
			}
		})
	}
}

// TestBrowserRedirects follows, in Chromium, the steps that send the
// browser to the org's identity provider or identity verification vendor:
// the page links to the fake org's href, and the redirect back to the
// app's redirect URI signs the user in (Client.HandleCallback), or shows
// the provider's refusal.
func TestBrowserRedirects(t *testing.T) {
	browser := startChromium(t)
	idps := func(fail bool) harnessOption {
		return withOrgPolicy(idxtest.Policy{Factors: 1, IdPs: []idxtest.IdP{
			{ID: "0oaWebGoogle", Type: "GOOGLE", Name: "Google", Username: idxtest.DemoUsername, Fail: fail},
		}})
	}
	toIdP := func(t *testing.T, tb *tab) {
		t.Helper()
		tb.do(
			chromedp.Navigate(tb.base+"/login"),
			waitStep("identify"),
			chromedp.Click(chromedp.ID("other-ways")),
			waitStep("identify"),
		)
		if got := tb.text("#idp-0"); got != "Sign in with Google" {
			t.Fatalf("the identity provider's link says %q", got)
		}
		tb.do(chromedp.Click(chromedp.ID("idp-0")))
	}

	t.Run("identity provider", func(t *testing.T) {
		h := newHarness(t, idps(false))
		tb := newTab(t, browser, h.srv.URL)
		toIdP(t, tb)
		tb.do(chromedp.WaitVisible(chromedp.ID("profile")))
		if got := tb.text(`#claims tr:nth-child(1) td`); got != "fed" {
			t.Errorf("amr %q, want fed", got)
		}
		if n := h.org.RequestCounts()["POST /oauth2/default/v1/token"]; n != 1 {
			t.Errorf("%d token requests, want 1", n)
		}
		if logs := h.logs.String(); strings.Contains(logs, "interaction_code=") || strings.Contains(logs, "stateTokenExternalId") {
			t.Errorf("the logs show the redirect's secrets:\n%s", logs)
		}
	})

	t.Run("identity provider refuses", func(t *testing.T) {
		h := newHarness(t, idps(true))
		tb := newTab(t, browser, h.srv.URL)
		toIdP(t, tb)
		tb.do(chromedp.WaitVisible(chromedp.ID("error")))
		if got := tb.text("#error p"); !strings.Contains(got, "access_denied") {
			t.Errorf("the error page says %q, want the provider's access_denied", got)
		}
	})

	t.Run("identity verification", func(t *testing.T) {
		h := newHarness(t, withOrgPolicy(idxtest.Policy{Factors: 1,
			IdentityVerification: &idxtest.IDVendor{ID: "IDV_INCODE", Name: "Incode"}}))
		tb := newTab(t, browser, h.srv.URL)
		tb.signInTo("redirect-idverify")
		if got := tb.text("#redirect"); got != "Verify with Incode" {
			t.Errorf("the vendor's link says %q", got)
		}
		tb.do(chromedp.Click(chromedp.ID("redirect")), chromedp.WaitVisible(chromedp.ID("profile")))
		if got := tb.text("#profile-name"); got != "Demo User" {
			t.Errorf("profile name %q", got)
		}
	})
}

// TestBrowserDeviceHandOff signs in, in Chromium, on an org that starts
// with Okta FastPass's device challenge: the page says that only the
// user's device completes the step and links to Okta Verify; the test
// stands for Okta Verify on the device (Server.AnswerDeviceChallenge), and
// the page's button waits for the answer and signs the user in. A
// loopback challenge, which needs a script, is left for the password or
// for Okta Verify's link.
func TestBrowserDeviceHandOff(t *testing.T) {
	browser := startChromium(t)
	user := idxtest.User{Username: "fastpass@example.com", Password: "FastPass-Passw0rd!", Email: "fastpass@example.com",
		GivenName: "Fast", FamilyName: "Pass", OktaVerify: true}
	org := func(t *testing.T, method string, opts ...harnessOption) *harness {
		return newHarness(t, append([]harnessOption{withOrgOptions(idxtest.WithUser(user)),
			withOrgPolicy(idxtest.Policy{Factors: 1, DeviceChallenge: method})}, opts...)...)
	}
	start := func(tb *tab) {
		tb.do(
			chromedp.Navigate(tb.base+"/login"),
			waitStep("identify"),
			chromedp.SendKeys(chromedp.ID("field-username"), user.Username),
			chromedp.SendKeys(chromedp.ID("field-password"), user.Password),
			chromedp.Click(chromedp.ID("submit")),
			waitStep("device-challenge-poll"),
		)
	}
	// answer reads the page's Open Okta Verify link and answers it as
	// Okta Verify on the device would.
	answer := func(t *testing.T, tb *tab, h *harness, prefix string) {
		t.Helper()
		href, err := chromedp.Run(tb.ctx, chromedp.AttributeValue(chromedp.ID("device-open"), "href"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(href.Value, prefix) {
			t.Fatalf("Open Okta Verify links to %q, want %s...", href.Value, prefix)
		}
		if err := h.org.AnswerDeviceChallenge(href.Value, user.Username); err != nil {
			t.Fatalf("the link is not the org's challenge: %v", err)
		}
	}
	signedIn := func(t *testing.T, tb *tab, amr string) {
		t.Helper()
		tb.do(chromedp.WaitVisible(chromedp.ID("profile")))
		if got := tb.text("#profile-name"); got != "Fast Pass" {
			t.Errorf("profile name %q", got)
		}
		if got := tb.text(`#claims tr:nth-child(1) td`); !strings.Contains(got, amr) {
			t.Errorf("amr %q, want %s", got, amr)
		}
	}

	for _, tc := range []struct{ method, prefix string }{
		{idxtest.DeviceChallengeCustomURI, "com-okta-authenticator:/deviceChallenge?"},
		{idxtest.DeviceChallengeUniversalLink, ""},
		{idxtest.DeviceChallengeAppLink, ""},
	} {
		t.Run(tc.method, func(t *testing.T) {
			h := org(t, tc.method)
			tb := newTab(t, browser, h.srv.URL)
			start(tb)
			if got := tb.text("#device-text"); !strings.Contains(got, "can only be completed on your device") {
				t.Errorf("the page says %q", got)
			}
			prefix := tc.prefix
			if prefix == "" {
				prefix = h.org.URL + "/"
			}
			answer(t, tb, h, prefix)
			tb.do(chromedp.Click(chromedp.ID("submit")))
			signedIn(t, tb, "phr")
		})
	}

	// The button waits a bounded time: the device has not answered, the
	// page says so, and a press after the answer signs in.
	t.Run("not answered yet", func(t *testing.T) {
		h := org(t, idxtest.DeviceChallengeCustomURI, withAppConfig(func(c *appConfig) { c.deviceWait = 1 }))
		tb := newTab(t, browser, h.srv.URL)
		start(tb)
		tb.do(chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.CSS(".flash")))
		if got := tb.text(".flash"); !strings.Contains(got, "Okta Verify has not answered yet") {
			t.Errorf("after a wait without an answer the page says %q", got)
		}
		answer(t, tb, h, "com-okta-authenticator:")
		tb.do(chromedp.Click(chromedp.ID("submit")))
		signedIn(t, tb, "phr")
	})

	// With the embedded fake org, the page's dev button stands for the
	// demo user's Okta Verify (-device-challenge).
	t.Run("the fake org's Okta Verify", func(t *testing.T) {
		h := newHarness(t, withOrgOptions(idxtest.WithUser(demoWithOktaVerify())),
			withOrgPolicy(idxtest.Policy{Factors: 1, DeviceChallenge: idxtest.DeviceChallengeUniversalLink}))
		tb := newTab(t, browser, h.srv.URL)
		tb.signInTo("device-challenge-poll")
		tb.do(
			chromedp.Click(chromedp.ID("dev-device-answer")),
			chromedp.WaitVisible(chromedp.CSS(".flash")),
		)
		if got := tb.text(".flash"); !strings.Contains(got, "Okta Verify on this device answered") {
			t.Errorf("after the dev answer the page says %q", got)
		}
		tb.do(chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("profile")))
		if got := tb.text(`#claims tr:nth-child(1) td`); !strings.Contains(got, "phr") {
			t.Errorf("amr %q, want phr", got)
		}
	})

	t.Run("loopback, then the password", func(t *testing.T) {
		h := org(t, idxtest.DeviceChallengeLoopback)
		tb := newTab(t, browser, h.srv.URL)
		start(tb)
		if got := tb.text("#device-text"); !strings.Contains(got, "which this app does not run") {
			t.Errorf("the loopback page says %q", got)
		}
		tb.do(
			chromedp.Click(chromedp.ID("device-cancel")),
			waitStep("identify"),
			chromedp.SendKeys(chromedp.ID("field-username"), user.Username),
			chromedp.SendKeys(chromedp.ID("field-password"), user.Password),
			chromedp.Click(chromedp.ID("submit")),
		)
		signedIn(t, tb, "pwd")
	})

	t.Run("loopback, then Okta Verify's link", func(t *testing.T) {
		h := org(t, idxtest.DeviceChallengeLoopback)
		tb := newTab(t, browser, h.srv.URL)
		start(tb)
		tb.do(
			chromedp.Click(chromedp.ID("device-cancel")),
			waitStep("identify"),
			chromedp.Click(chromedp.CSS(`a[href="/login?step=launch-authenticator"]`)),
			waitStep("launch-authenticator"),
			chromedp.Click(chromedp.ID("submit")),
			waitStep("device-challenge-poll"),
		)
		answer(t, tb, h, "com-okta-authenticator:")
		tb.do(chromedp.Click(chromedp.ID("submit")))
		signedIn(t, tb, "phr")
	})
}
