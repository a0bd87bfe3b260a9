package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// The browser test drives headless Chromium through the app's pages, as a
// person would: it types, clicks and reads what is shown. It needs a
// Chromium or Chrome binary: CHROME_PATH, or one of chromiumNames() on
// PATH.
// Without one it skips, loudly; where CI is set it fails instead.
//
// With UPDATE_SCREENSHOT=1 it saves the profile page to
// testdata/profile.png (the README's screenshot):
//
//	UPDATE_SCREENSHOT=1 go test -run TestBrowser ./examples/webapp

// chromiumNames are the names the browser is looked for under.
func chromiumNames() []string {
	return []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless-shell"}
}

// findChromium returns the browser to drive, or "".
func findChromium() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range chromiumNames() {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startChromium starts a headless browser for the test and returns its
// context. Everything the test does in it is bounded by one deadline.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		msg := "BROWSER TEST NOT RUN: no Chromium found (looked for CHROME_PATH and " + strings.Join(chromiumNames(), ", ") +
			" on PATH). Install it, on Debian with `apt-get install chromium`."
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " CI is set, so this fails.")
		}
		t.Skip(msg)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // root in containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("ignore-certificate-errors", true), // httptest's TLS certificate
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 800),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return bctx
}

// tab is a browser tab with its own cookies.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func newTab(t *testing.T, browser context.Context, base string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	return &tab{t: t, ctx: ctx, base: base}
}

// do runs actions, failing the test on the first error.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatal(err)
	}
}

// text returns the text of the element sel selects.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// waitStep waits for the page of the named step.
func waitStep(name string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(`#step[data-step="` + name + `"]`))
}

// signInTo enters the demo user's username and password on the sign-in
// page and waits for the page of the named step.
func (tb *tab) signInTo(step string) {
	tb.t.Helper()
	tb.do(
		chromedp.Navigate(tb.base+"/login"),
		waitStep("identify"),
		chromedp.SendKeys(chromedp.ID("field-username"), idxtest.DemoUsername),
		chromedp.SendKeys(chromedp.ID("field-password"), idxtest.DemoPassword),
		chromedp.Click(chromedp.ID("submit")),
		waitStep(step),
	)
}

// toCodePage signs the demo user in and chooses Email, as in the seed: the
// sign-in page, then the authenticator list.
func (tb *tab) toCodePage() {
	tb.t.Helper()
	tb.signInTo("select-authenticator-authenticate")
	if got := tb.text(`label[for="field-authenticator-0"]`); got != "Email" {
		tb.t.Errorf("authenticator list shows %q, want only Email", got)
	}
	tb.do(
		chromedp.Click(chromedp.CSS(`input[name="value.authenticator"][value="okta_email"]`)),
		chromedp.Click(chromedp.ID("submit")),
		waitStep("challenge-authenticator"),
	)
}

// readCode opens the dev mailbox from the code page, reads the newest
// code, checks it is the fake org's, and goes back to the code page.
func (tb *tab) readCode(org *idxtest.Server) string {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.ID("mailbox-link")), chromedp.WaitVisible(chromedp.ID("mailbox")))
	code := tb.text(".mail .otp")
	if want, _ := org.LastCode(idxtest.DemoUsername); code != want {
		tb.t.Fatalf("the mailbox shows code %q, the fake org's outbox %q", code, want)
	}
	tb.do(chromedp.Navigate(tb.base+"/login"), waitStep("challenge-authenticator"))
	return code
}

// enterCode types code on the code page and submits it.
func (tb *tab) enterCode(code string) {
	tb.t.Helper()
	tb.do(
		chromedp.SendKeys(chromedp.ID("field-verificationCode"), code),
		chromedp.Click(chromedp.ID("submit")),
	)
}

func TestBrowser(t *testing.T) {
	browser := startChromium(t)

	// The seed's flow over https, where the session cookie is
	// __Host-prefixed and Secure, then sign-out.
	t.Run("sign in", func(t *testing.T) {
		h := newHarness(t, withSecureCookies())
		tb := newTab(t, browser, h.srv.URL)
		tb.toCodePage()
		tb.enterCode(tb.readCode(h.org))
		tb.do(chromedp.WaitVisible(chromedp.ID("profile")))

		got := map[string]string{
			"name":  tb.text("#profile-name"),
			"email": tb.text("#profile-email"),
			"sub":   tb.text("#profile-sub"),
			"amr":   tb.text(`#claims tr:nth-child(1) td`),
		}
		want := map[string]string{"name": "Demo User", "email": "demo@example.com verified", "sub": "00uidxtestdemo0001", "amr": "pwd, email"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("profile page mismatch (-want +got):\n%s", diff)
		}

		cookies, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{h.srv.URL}})
		if err != nil {
			t.Fatal(err)
		}
		type cookie struct {
			Name, Path             string
			HTTPOnly, Secure, Host bool
			SameSite               network.CookieSameSite
		}
		var gotCookies []cookie
		for _, c := range cookies.Cookies {
			gotCookies = append(gotCookies, cookie{c.Name, c.Path, c.HTTPOnly, c.Secure, !strings.HasPrefix(c.Domain, "."), c.SameSite})
		}
		wantCookies := []cookie{{"__Host-goidx_session", "/", true, true, true, network.CookieSameSiteLax}}
		if diff := cmp.Diff(wantCookies, gotCookies); diff != "" {
			t.Errorf("the browser's cookies (-want +got):\n%s", diff)
		}

		if os.Getenv("UPDATE_SCREENSHOT") != "" {
			png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join("testdata", "profile.png")
			if err := os.WriteFile(out, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s (%d bytes)", out, len(png))
		}

		tb.do(chromedp.Click(chromedp.ID("signout")), waitStep("identify"))
		if got := tb.text(".flash"); got != "You have signed out." {
			t.Errorf("after sign-out the page says %q", got)
		}
		if n := h.org.RequestCounts()["POST /oauth2/default/v1/revoke"]; n != 2 {
			t.Errorf("%d revoke calls at sign-out, want 2", n)
		}
		// The home page is gone with the session.
		tb.do(chromedp.Navigate(h.srv.URL+"/"), waitStep("identify"))
	})

	// Step-up: the signed-in user opens the security page, confirms with
	// the password (the username prefilled from the login hint) and the
	// emailed code, and the page opens on the two-factor ID token.
	t.Run("step-up", func(t *testing.T) {
		h := newHarness(t)
		tb := newTab(t, browser, h.srv.URL)
		tb.toCodePage()
		tb.enterCode(tb.readCode(h.org))
		tb.do(
			chromedp.WaitVisible(chromedp.ID("profile")),
			chromedp.Click(chromedp.ID("security-link")),
			waitStep("step-up"),
			chromedp.Click(chromedp.ID("submit")),
			waitStep("identify"),
		)
		user, err := chromedp.Run(tb.ctx, chromedp.Value(chromedp.ID("field-username")))
		if err != nil {
			t.Fatal(err)
		}
		if user != idxtest.DemoUsername {
			t.Errorf("the step-up's username field holds %q, want the login hint %q", user, idxtest.DemoUsername)
		}
		tb.do(
			chromedp.SendKeys(chromedp.ID("field-password"), idxtest.DemoPassword),
			chromedp.Click(chromedp.ID("submit")),
			waitStep("select-authenticator-authenticate"),
			chromedp.Click(chromedp.CSS(`input[name="value.authenticator"][value="okta_email"]`)),
			chromedp.Click(chromedp.ID("submit")),
			waitStep("challenge-authenticator"),
		)
		tb.enterCode(tb.readCode(h.org))
		tb.do(chromedp.WaitVisible(chromedp.ID("stepped-up")))
		if got := tb.text(`#claims tr:nth-child(1) td`); got != "urn:okta:loa:2fa:any" {
			t.Errorf("acr on the security page %q, want urn:okta:loa:2fa:any", got)
		}
		if got := tb.text("#profile-name"); got != "Demo User" {
			t.Errorf("profile name %q after the step-up", got)
		}
	})

	// The email's sign-in link, clicked in the dev mailbox, goes through
	// the fake org to the app's redirect URI, which signs the user in; the
	// footer says so only then.
	t.Run("email link", func(t *testing.T) {
		h := newHarness(t)
		tb := newTab(t, browser, h.srv.URL)
		tb.toCodePage()
		if got := tb.text("footer"); strings.HasPrefix(got, "Signed in") {
			t.Errorf("before sign-in the footer says %q", got)
		}
		tb.do(
			chromedp.Click(chromedp.ID("mailbox-link")),
			chromedp.WaitVisible(chromedp.ID("mailbox")),
			chromedp.Click(chromedp.CSS(".mail a.signin-link")),
			chromedp.WaitVisible(chromedp.ID("profile")),
		)
		if got := tb.text("#profile-name"); got != "Demo User" {
			t.Errorf("profile name %q", got)
		}
		if got := tb.text("footer"); !strings.HasPrefix(got, "Signed in with goidx") {
			t.Errorf("after sign-in the footer says %q", got)
		}
		if n := h.org.RequestCounts()["POST /oauth2/default/v1/token"]; n != 1 {
			t.Errorf("%d token requests, want 1", n)
		}
	})

	// A wrong code shows the server's message on the code page; the right
	// one then signs in.
	t.Run("wrong code", func(t *testing.T) {
		h := newHarness(t)
		tb := newTab(t, browser, h.srv.URL)
		tb.toCodePage()
		code := tb.readCode(h.org)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		tb.enterCode(wrong)
		tb.do(chromedp.WaitVisible(chromedp.ID("field-verificationCode-error")))
		if got := tb.text("#field-verificationCode-error"); got != "Invalid code. Try again." {
			t.Errorf("wrong-code message %q, want the server's %q", got, "Invalid code. Try again.")
		}
		if got := tb.text("#step h1"); got != "Check your email" {
			t.Errorf("after a wrong code the page is %q, want the code page", got)
		}
		tb.enterCode(code)
		tb.do(chromedp.WaitVisible(chromedp.ID("profile")))
		if got := tb.text("#profile-name"); got != "Demo User" {
			t.Errorf("profile name %q", got)
		}
	})
}
