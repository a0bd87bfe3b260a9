// Package widget_test signs in on the fake org with the Okta Sign-In
// Widget, Okta's own JavaScript sign-in UI, from npm, in headless
// Chromium with web security on: the page is served from another origin
// than the org's, so every call the widget makes to the org is a
// cross-origin request that the browser lets through only as the org's
// CORS answers allow.
package widget_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/goidx/goidx/idx/idxtest"
)

// pageDir holds the page, its script and the widget's npm lock file.
const pageDir = "testdata/page"

// install is the command that installs the widget, run from the
// repository root.
const install = "npm ci --prefix interop/widget/testdata/page"

// missing skips the test, or fails it where CI is set, when a tool the
// test needs is not there.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set, so the Sign-In Widget test must run: "+format, args...)
	}
	t.Skipf("SKIPPING the Sign-In Widget test: "+format, args...)
}

// findChromium returns the browser to drive: CHROME_PATH, or one of the
// usual names on PATH.
func findChromium() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// widgetConfig is the widget's configuration as the page reads it.
type widgetConfig struct {
	Issuer                 string   `json:"issuer"`
	ClientID               string   `json:"clientId"`
	RedirectURI            string   `json:"redirectUri"`
	UseInteractionCodeFlow bool     `json:"useInteractionCodeFlow"`
	Scopes                 []string `json:"scopes"`
	AuthParams             struct {
		PKCE bool `json:"pkce"`
	} `json:"authParams"`
}

// TestSignInWidget signs the demo user in with the widget: username and
// password, the email authenticator, "send me an email", the code from the
// org's outbox; then reads the ID token the widget got and verified.
func TestSignInWidget(t *testing.T) {
	dist := filepath.Join(pageDir, "node_modules", "@okta", "okta-signin-widget", "dist")
	if _, err := os.Stat(filepath.Join(dist, "js", "okta-sign-in.min.js")); err != nil {
		missing(t, "the widget is not installed (%v); run %q from the repository root (Node.js and npm needed)", err, install)
	}
	chromium := findChromium()
	if chromium == "" {
		missing(t, "no Chromium found (CHROME_PATH, or chromium on PATH); on Debian: apt-get install chromium")
	}

	// The page's server: another port, so another origin than the org's.
	mux := http.NewServeMux()
	page := httptest.NewServer(mux)
	t.Cleanup(page.Close)
	const clientID = "widget-spa"
	org := idxtest.New(t,
		idxtest.WithApp(idxtest.App{ClientID: clientID, RedirectURIs: []string{page.URL + "/login/callback"}}),
		idxtest.WithTrustedOrigins(page.URL))

	cfg := widgetConfig{
		Issuer: org.Issuer(), ClientID: clientID, RedirectURI: page.URL + "/login/callback",
		UseInteractionCodeFlow: true, Scopes: []string{"openid", "profile", "email"},
	}
	cfg.AuthParams.PKCE = true
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("GET /widget/", http.StripPrefix("/widget/", http.FileServer(http.Dir(dist))))
	mux.HandleFunc("GET /config.js", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write([]byte("window.widgetConfig = " + string(cfgJSON) + ";\n"))
	})
	for _, f := range []string{"index.html", "signin.js"} {
		route := "GET /" + f
		if f == "index.html" {
			route = "GET /{$}"
		}
		mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
			http.ServeFile(w, r, filepath.Join(pageDir, f))
		})
	}

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, // root in containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 900),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	// Start the browser on bctx itself: the steps' contexts with their
	// own deadlines must not own it.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}

	// show dumps what the page shows, for a failure.
	show := func() string {
		sctx, scancel := context.WithTimeout(bctx, 5*time.Second)
		defer scancel()
		html, _ := chromedp.Run(sctx, chromedp.OuterHTML(chromedp.CSS("#widget")))
		errText, _ := chromedp.Run(sctx, chromedp.Text(chromedp.CSS("#error")))
		loc, lerr := chromedp.Run(sctx, chromedp.Evaluate[string]("location.href"))
		return "location: " + loc + fmt.Sprint(lerr) + "\nerror: " + errText + "\nwidget: " + html
	}
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, scancel := context.WithTimeout(bctx, 30*time.Second)
		defer scancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v\n%s\nrequests: %v", what, err, show(), org.RequestLog())
		}
	}

	step("identify",
		chromedp.Navigate(page.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="identifier"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="identifier"]`), idxtest.DemoUsername),
		chromedp.SendKeys(chromedp.CSS(`input[name="credentials.passcode"]`), idxtest.DemoPassword),
		chromedp.Click(chromedp.CSS(`input[type="submit"]`)),
	)
	step("choose the email",
		chromedp.WaitVisible(chromedp.CSS(`[data-se="okta_email"] .select-factor`)),
		chromedp.Click(chromedp.CSS(`[data-se="okta_email"] .select-factor`)),
	)
	step("send me an email",
		chromedp.WaitVisible(chromedp.CSS(`input[type="submit"][value="Send me an email"]`)),
		chromedp.Click(chromedp.CSS(`input[type="submit"][value="Send me an email"]`)),
	)
	step("enter a code instead",
		chromedp.WaitVisible(chromedp.CSS(`.enter-auth-code-instead-link`)),
		chromedp.Click(chromedp.CSS(`.enter-auth-code-instead-link`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="credentials.passcode"]`)),
	)
	code, ok := org.LastCode(idxtest.DemoUsername)
	if !ok {
		t.Fatalf("no email sent\n%s", show())
	}
	step("the code",
		chromedp.SendKeys(chromedp.CSS(`input[name="credentials.passcode"]`), code),
		chromedp.Click(chromedp.CSS(`input[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#result:empty`)),
	)
	result, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`#result`)))
	if err != nil {
		t.Fatal(err)
	}

	var got struct {
		Claims struct {
			Sub, Iss, Aud, Email, Nonce string
			AMR                         []string
		}
		ClientID    string
		AccessToken bool
	}
	if err := json.Unmarshal([]byte(result), &got); err != nil {
		t.Fatalf("result %q: %v", result, err)
	}
	if got.Claims.Sub != "00uidxtestdemo0001" || got.Claims.Iss != org.Issuer() || got.Claims.Aud != clientID ||
		got.Claims.Email != idxtest.DemoUsername || got.Claims.Nonce == "" || !got.AccessToken {
		t.Errorf("the widget's tokens: %+v", got)
	}
	if !slices.Equal(got.Claims.AMR, []string{"pwd", "email"}) {
		t.Errorf("amr %v, want [pwd email]", got.Claims.AMR)
	}
	// Every call went through CORS: the widget's preflights reached the org.
	log := strings.Join(org.RequestLog(), "\n")
	for _, want := range []string{"OPTIONS /oauth2/default/v1/interact", "POST /oauth2/default/v1/interact",
		"POST /idp/idx/challenge/answer", "POST /oauth2/default/v1/token", "GET /oauth2/default/v1/keys"} {
		if !strings.Contains(log, want) {
			t.Errorf("the org saw no %q; requests:\n%s", want, log)
		}
	}
}
