package idx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// captchaOrg is an org with bot protection of the service typ, whose
// one-factor policy offers registration and recovery.
func captchaOrg(t *testing.T, name, typ string) *e2eRun {
	t.Helper()
	p := idxtest.Policy{Factors: 1, Registration: true, Recovery: true, Captcha: &idxtest.Captcha{Type: typ, SiteKey: "site-key-" + name}}
	return newE2E(t, e2eUser(name, nil), idxtest.WithPolicy(p), idxtest.WithRequestRecording())
}

// wantCaptcha checks the captcha of the latest transaction's step.
func (r *e2eRun) wantCaptcha(step string, typ idx.CaptchaType, siteKey string) {
	r.t.Helper()
	ns := r.tx.NextStep
	if r.tx.Status != idx.StatusPending || ns == nil || ns.Name != step {
		r.t.Fatalf("%v, want PENDING on %s", r.tx, step)
	}
	want := &idx.Captcha{ID: "capidxtest0000000000", Name: map[idx.CaptchaType]string{idx.CaptchaHCaptcha: "hCaptcha", idx.CaptchaReCAPTCHAV2: "reCaptcha"}[typ], Type: typ, SiteKey: siteKey}
	if diff := cmp.Diff(want, ns.Captcha); diff != "" {
		r.t.Errorf("NextStep.Captcha (-want +got):\n%s", diff)
	}
	if !slices.ContainsFunc(ns.Inputs, func(in authenticator.Input) bool { return in.Name == "captchaToken" && in.Required }) {
		r.t.Errorf("inputs %+v, want a required captchaToken", ns.Inputs)
	}
}

// captchaSent is the captchaVerify object of the last request to path.
func captchaSent(t *testing.T, srv *idxtest.Server, path string) map[string]any {
	t.Helper()
	var body []byte
	for _, r := range srv.Requests() {
		if r.Path == path {
			body = r.Body
		}
	}
	var b struct {
		CaptchaVerify map[string]any `json:"captchaVerify"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b.CaptchaVerify
}

// TestE2ECaptcha is the "CAPTCHA" row: an org with bot protection asks for
// a captcha at identify, registration and recovery; the step says which
// service and site key, nothing is sent until the token is given, a wrong
// token is refused on its input, and the right one goes on, sent with the
// org's captchaId and never logged.
func TestE2ECaptcha(t *testing.T) {
	t.Parallel()

	t.Run("identify, hCaptcha", func(t *testing.T) {
		t.Parallel()
		r := captchaOrg(t, "captcha-identify", idxtest.CaptchaHCaptcha)
		var logs bytes.Buffer
		c, err := idx.NewClient(idx.Config{Issuer: r.srv.Issuer(), ClientID: idxtest.PublicClientID, RedirectURI: idxtest.DefaultRedirectURI},
			idx.WithInsecureLoopbackHTTP(), idx.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		if err != nil {
			t.Fatal(err)
		}
		r.c = c
		r.signIn()
		r.wantCaptcha("identify", idx.CaptchaHCaptcha, "site-key-captcha-identify")
		if n := r.srv.RequestCounts()["POST /idp/idx/identify"]; n != 0 {
			t.Errorf("identify posted %d times without a token, want 0", n)
		}
		const wrong = "wrong-captcha-token-4711"
		r.proceed(idx.Options{Username: r.user.Username, Password: r.user.Password, CaptchaToken: wrong})
		r.wantRejected("identify", nil, "errors.E0000001")
		if fields := messageInputFields(r.tx); !slices.Contains(fields, "captchaToken") {
			t.Errorf("messages on %q, want one on captchaToken", fields)
		}
		r.proceed(idx.Options{Username: r.user.Username, Password: r.user.Password, CaptchaToken: idxtest.CaptchaTestToken})
		r.wantSteps("identify", "identify", "SUCCESS")
		r.wantSuccess("pwd")
		want := map[string]any{"captchaId": "capidxtest0000000000", "captchaToken": idxtest.CaptchaTestToken}
		if diff := cmp.Diff(want, captchaSent(t, r.srv, "/idp/idx/identify")); diff != "" {
			t.Errorf("captchaVerify sent (-want +got):\n%s", diff)
		}
		for _, secret := range []string{wrong, idxtest.CaptchaTestToken} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("a captcha token is in the log:\n%s", logs.String())
			}
		}
		if logs.Len() == 0 {
			t.Error("nothing logged at debug level: the log check checks nothing")
		}
	})

	t.Run("registration, reCAPTCHA", func(t *testing.T) {
		t.Parallel()
		r := captchaOrg(t, "captcha-register", idxtest.CaptchaReCAPTCHAV2)
		r.do(r.c.Start(t.Context(), idx.StartOptions{}))
		profile := map[string]any{"firstName": "Nora", "lastName": "Newcomer", "email": r.user.Username + ".new"}
		r.do(r.c.Register(t.Context(), idx.Options{State: r.state(), Profile: profile}))
		r.wantCaptcha("enroll-profile", idx.CaptchaReCAPTCHAV2, "site-key-captcha-register")
		r.do(r.c.Register(t.Context(), idx.Options{State: r.state(), Profile: profile, CaptchaToken: idxtest.CaptchaTestToken}))
		r.wantSteps("identify", "enroll-profile", "select-authenticator-enroll [okta_password okta_email]")
		if r.tx.NextStep.Captcha != nil {
			t.Errorf("the enrollment asks for a captcha: %+v", r.tx.NextStep.Captcha)
		}
		if got := captchaSent(t, r.srv, "/idp/idx/enroll/new")["captchaToken"]; got != idxtest.CaptchaTestToken {
			t.Errorf("captchaToken sent %v, want the test token", got)
		}
	})

	t.Run("recovery, hCaptcha", func(t *testing.T) {
		t.Parallel()
		r := captchaOrg(t, "captcha-recover", idxtest.CaptchaHCaptcha)
		r.do(r.c.Start(t.Context(), idx.StartOptions{}))
		r.do(r.c.RecoverPassword(t.Context(), idx.Options{State: r.state(), Username: r.user.Username}))
		r.wantCaptcha("identify-recovery", idx.CaptchaHCaptcha, "site-key-captcha-recover")
		r.do(r.c.RecoverPassword(t.Context(), idx.Options{State: r.state(), Username: r.user.Username, CaptchaToken: idxtest.CaptchaTestToken}))
		r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
		r.wantSteps("identify", "identify-recovery", "select-authenticator-authenticate [okta_email]", "challenge-authenticator/okta_email")
	})

	t.Run("a blank token is refused before anything is sent", func(t *testing.T) {
		t.Parallel()
		r := captchaOrg(t, "captcha-blank", idxtest.CaptchaHCaptcha)
		_, err := r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password, CaptchaToken: "  "})
		var ie *idx.InputError
		if !errors.As(err, &ie) || ie.Field != "CaptchaToken" || !errors.Is(err, idx.ErrInvalidInput) {
			t.Errorf("err = %v, want an *InputError on CaptchaToken", err)
		}
	})
}

// messageInputFields are the inputs the latest transaction's messages are on.
func messageInputFields(tx *idx.Transaction) []string {
	var out []string
	for _, m := range tx.Messages {
		if m.Field != "" {
			out = append(out, m.Field)
		}
	}
	return out
}
