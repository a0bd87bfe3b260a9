package idx

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/remediate"
)

// TestCaptchaFixture reads the captcha of identify, enroll-profile and
// identify-recovery as real orgs with hCaptcha and reCAPTCHA v2 send them,
// and answers each with a token: it goes in captchaVerify beside the
// form's own captchaId.
func TestCaptchaFixture(t *testing.T) {
	hcaptcha := &Captcha{ID: "4321dcba", Name: "hCaptcha", Type: CaptchaHCaptcha, SiteKey: "20000000-ffff-ffff-ffff-000000000002"}
	recaptcha := &Captcha{ID: "abcd1234", Name: "reCaptcha", Type: CaptchaReCAPTCHAV2, SiteKey: "6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI"}
	profile := map[string]any{"firstName": "Nora", "lastName": "Newcomer", "email": "nora@example.com"}
	for _, tc := range []struct {
		file    string
		step    string
		captcha *Captcha
		inputs  []string
		opts    Options
	}{
		{"identify-with-password-with-hcaptcha.json", "identify", hcaptcha,
			[]string{"username", "password*", "rememberMe", "captchaToken*"}, Options{Username: "u@example.com", Password: "pw"}},
		{"identify-with-password-with-recaptcha-v2.json", "identify", recaptcha,
			[]string{"username", "password*", "rememberMe", "captchaToken*"}, Options{Username: "u@example.com", Password: "pw"}},
		{"enroll-profile-new-with-hcaptcha.json", "enroll-profile", hcaptcha,
			[]string{"lastName*", "firstName*", "email*", "captchaToken*"}, Options{Profile: profile}},
		{"enroll-profile-new-with-recaptcha-v2.json", "enroll-profile", recaptcha,
			[]string{"lastName*", "firstName*", "email*", "captchaToken*"}, Options{Profile: profile}},
		{"identify-recovery-with-hcaptcha.json", "identify-recovery", hcaptcha,
			[]string{"username", "captchaToken*"}, Options{Username: "u@example.com"}},
		{"identify-recovery-with-recaptcha-v2.json", "identify-recovery", recaptcha,
			[]string{"username", "captchaToken*"}, Options{Username: "u@example.com"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r, tx := readWireFixture(t, tc.file)
			if tx.NextStep == nil || tx.NextStep.Name != tc.step {
				t.Fatalf("NextStep = %+v, want %s", tx.NextStep, tc.step)
			}
			if diff := cmp.Diff(tc.captcha, tx.NextStep.Captcha); diff != "" {
				t.Errorf("Captcha (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.inputs, stepInputNames(tx.NextStep)); diff != "" {
				t.Errorf("inputs (-want +got):\n%s", diff)
			}
			for _, s := range tx.AvailableSteps[1:] {
				if s.Captcha != nil {
					t.Errorf("step %s has a captcha", s.Name)
				}
			}
			// The values without the token fill no form: nothing is sent.
			v, err := tc.opts.values(remediate.FlowAuthenticate)
			if err != nil {
				t.Fatal(err)
			}
			if s, _ := formFilledBy(r, v); s != "" {
				t.Errorf("%s filled without a captcha token", s)
			}
			tc.opts.CaptchaToken = "P1_eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.token"
			name, body := wireFixtureBody(t, r, tc.opts)
			if name != tc.step {
				t.Errorf("answered %s, want %s", name, tc.step)
			}
			want := map[string]any{"captchaId": "capzomKHvPhLF7lrR0g3", "captchaToken": tc.opts.CaptchaToken}
			if diff := cmp.Diff(want, body["captchaVerify"]); diff != "" {
				t.Errorf("captchaVerify (-want +got):\n%s", diff)
			}
		})
	}
}
