package idxtest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestShapes drives the fake org, over its raw wire, into every state it
// can reach, and compares each answer's shape (shape_test.go) with the
// answer a real org sent in the same state: the captured response named
// by shapePairs, read from the folder OKTA_WIRE_CORPUS names. A
// difference fails the test unless testdata/shape-allowlist.txt accepts
// it, with a reason. The test also fails when a step or an authenticator
// of the org is reached by no journey, when a state has no pair, and when
// an allow-list entry accepts nothing.

// shapePairs names, for each state the journeys capture, the real answer
// of the same state in the corpus. Files under "oauth2/" are in the
// corpus's sibling folder of OAuth answers.
var shapePairs = map[string]string{
	// Sign-in: identify, then the authenticators.
	"identify":                          "identify-with-password.json",
	"identify/unlock":                   "user-account-unlock-introspect-direct-landing-after-unlock.json",
	"identify/idps":                     "identify-with-third-party-idps.json",
	"identify/wrong-password":           "identify-unknown-user.json",
	"identify/locked-out":               "identify-unknown-user.json",
	"identify/identifier-first":         "identify.json",
	"identify/unknown-user":             "identify-unknown-user.json",
	"challenge/password":                "authenticator-verification-password.json",
	"challenge/password/wrong":          "error-authenticator-verify-password.json",
	"challenge/password/locked-out":     "error-authenticator-verification-password-too-many-attempts.json",
	"select-authenticator-authenticate": "authenticator-verification-select-authenticator-without-signed-nonce.json",
	"verification-data/email":           "authenticator-verification-data-email.json",
	"challenge/email":                   "authenticator-verification-email.json",
	"challenge/email/wrong-code":        "error-401-invalid-otp-passcode.json",
	"success":                           "success-with-interaction-code.json",
	"session-expired":                   "error-401-session-expired.json",
	"verification-data/phone":           "authenticator-verification-data-phone-sms-then-voice.json",
	"challenge/phone/sms":               "authenticator-verification-phone-sms.json",
	"challenge/phone/voice":             "authenticator-verification-phone-voice.json",
	"challenge/phone/wrong-code":        "error-authenticator-challenge-phone-invalid-otp.json",
	"challenge/google":                  "authenticator-verification-google-authenticator.json",
	"challenge/google/wrong-code":       "error-authenticator-verification-on-google-otp-invalid-passcode.json",
	"challenge/google/used-code":        "error-authenticator-verification-on-google-otp-used-passcode.json",
	"verification-data/okta_verify":     "authenticator-verification-data-ov-only-without-device-known.json",
	"challenge-poll/push":               "authenticator-verification-okta-verify-push.json",
	"challenge-poll/number-challenge":   "authenticator-verification-number-challenge.json",
	"challenge-poll/rejected":           "authenticator-verification-okta-verify-reject-push.json",
	"challenge/okta_verify/totp":        "authenticator-verification-okta-verify-totp.json",
	"challenge-poll/fastpass":           "authenticator-verification-okta-verify-signed-nonce-loopback.json",
	"challenge/okta_verify/wrong-code":  "error-okta-verify-totp.json",
	"challenge/security_question":       "authenticator-verification-security-question.json",
	"challenge/webauthn":                "authenticator-verification-webauthn.json",
	"challenge/webauthn/failed":         "error-authenticator-webauthn-failure.json",

	// Vendor tokens, Duo and the custom push app. No capture shows an
	// on-premises MFA server: its forms are RSA SecurID's, whose
	// captures it is paired with.
	"challenge/rsa_token":                    "authenticator-verification-rsa.json",
	"challenge/rsa_token/wrong-code":         "error-authenticator-verification-rsa.json",
	"challenge/rsa_token/next-code":          "error-authenticator-verification-passcode-change-rsa.json",
	"challenge/onprem_mfa":                   "authenticator-verification-rsa.json",
	"challenge/onprem_mfa/wrong-code":        "error-authenticator-verification-rsa.json",
	"challenge/symantec_vip":                 "authenticator-verification-symantec-vip.json",
	"challenge/symantec_vip/wrong-code":      "error-authenticator-verification-symantec-vip-invalid-passcode.json",
	"challenge/yubikey_token":                "authenticator-verification-yubikey.json",
	"challenge/custom_otp":                   "authenticator-verification-custom-otp.json",
	"challenge/custom_otp/wrong-code":        "error-authenticator-verification-custom-otp.json",
	"challenge/duo":                          "authenticator-verification-duo.json",
	"challenge/duo/failed":                   "error-authenticator-duo-verification-failed.json",
	"challenge-poll/custom_app":              "authenticator-verification-custom-app-push-autochallenge.json",
	"challenge-poll/custom_app/rejected":     "authenticator-verification-custom-app-push-reject.json",
	"enroll/rsa_token":                       "authenticator-enroll-rsa.json",
	"enroll/rsa_token/next-code":             "error-authenticator-enroll-passcode-change-rsa.json",
	"enroll/onprem_mfa":                      "authenticator-enroll-rsa.json",
	"enroll/symantec_vip":                    "authenticator-enroll-symantec-vip.json",
	"enroll/yubikey_token":                   "authenticator-enroll-yubikey.json",
	"enroll/custom_otp/restricted":           "error-authenticator-enroll-custom-otp.json",
	"enroll/duo":                             "authenticator-enroll-duo.json",
	"select-authenticator-enroll/custom_app": "authenticator-enroll-custom-app-push.json",

	// Enrollment.
	"select-authenticator-enroll":           "authenticator-enroll-select-authenticator.json",
	"select-authenticator-enroll/skip":      "authenticator-enroll-select-authenticator-with-skip.json",
	"enroll/email":                          "authenticator-enroll-email.json",
	"enroll/email/wrong-code":               "error-authenticator-enroll-email-invalid-otp.json",
	"enrollment-data/phone":                 "authenticator-enroll-data-phone.json",
	"enrollment-data/phone/invalid-number":  "error-authenticator-enroll-phone-invalid-number.json",
	"enroll/phone/sms":                      "authenticator-enroll-phone.json",
	"enroll/phone/voice":                    "authenticator-enroll-phone-voice.json",
	"enroll/phone/wrong-code":               "error-authenticator-enroll-phone-invalid-otp.json",
	"enroll/google":                         "authenticator-enroll-google-authenticator.json",
	"enroll/google/wrong-code":              "error-authenticator-enroll-google-invalid-otp.json",
	"enroll-poll/okta_verify/qrcode":        "authenticator-enroll-ov-qr.json",
	"enrollment-channel-data/email":         "authenticator-enroll-ov-via-email.json",
	"enroll-poll/okta_verify/email":         "authenticator-enroll-ov-email.json",
	"enrollment-channel-data/sms":           "authenticator-enroll-ov-via-sms.json",
	"enroll-poll/okta_verify/sms":           "authenticator-enroll-ov-sms.json",
	"enroll/security_question":              "authenticator-enroll-security-question.json",
	"enroll/security_question/short-answer": "enroll-security-question-with-character-limit-error.json",
	"enroll/webauthn":                       "authenticator-enroll-webauthn.json",

	// Registration.
	"enroll-profile":               "enroll-profile-new.json",
	"enroll-profile/email-taken":   "error-new-signup-email-exists.json",
	"enroll-profile/invalid-email": "error-new-signup-email.json",
	"enroll/password":              "authenticator-enroll-password.json",

	// Recovery, password expiry and unlock.
	"identify-recovery":                   "identify-recovery.json",
	"select-authenticator/recovery":       "authenticator-verification-select-authenticator-for-recovery.json",
	"reset-authenticator":                 "authenticator-reset-password.json",
	"reset-authenticator/weak-password":   "error-authenticator-reset-password-requirement.json",
	"terminal/recovery-completed":         "terminal-reset-password-success.json",
	"reset-authenticator/google":          "authenticator-reset-google.json",
	"reset-authenticator/google/wrong":    "error-authenticator-reset-google-invalid-otp.json",
	"reenroll-authenticator":              "authenticator-expired-password.json",
	"reenroll-authenticator-warning":      "authenticator-expiry-warning-password.json",
	"select-authenticator-unlock-account": "user-unlock-account.json",
	"challenge/email/unlock":              "user-account-unlock-challenge-direct-landing-after-unlock.json",
	"terminal/unlocked":                   "user-account-unlock-success.json",
	// Unlock on orgs that go on with the sign-in (unlock_landing.go). No
	// capture shows the success form after an unlock: the widget's
	// direct-landing mock keeps the message alone.
	"challenge/password/after-unlock":                "user-account-unlock-success-land-on-app.json",
	"select-authenticator-authenticate/after-unlock": "user-account-unlock-answer-2-choose-auth-after-unlock.json",
	"success/after-unlock":                           "success-with-interaction-code.json",
	// The limit on texts and calls (send_limit.go).
	"challenge/phone/sms/send-limit":     "error-authenticator-phone-sms-ratelimit.json",
	"verification-data/phone/send-limit": "error-authenticator-phone-voice-ratelimit.json",
	// Tokens that no longer work, said in IDX (token_errors.go).
	"request-activation-email":            "request-activation-email.json",
	"terminal/activation-email-requested": "terminal-request-activation-email-submitted.json",
	"terminal/activation-token-invalid":   "error-request-activation-email-invalid.json",
	"terminal/recovery-token-invalid":     "terminal-invalid-reset-password-token.json",

	// Device assurance, the grace period of an enrollment, and the org's
	// own password page.
	"reenroll-custom-password-expiry":          "authenticator-expired-custom-password.json",
	"reenroll-custom-password-expiry-warning":  "authenticator-expiry-warning-custom-password.json",
	"device-assurance-grace-period":            "device-assurance-grace-period-one-option.json",
	"device-assurance-grace-period/options":    "device-assurance-grace-period-multiple-options.json",
	"terminal/device-assurance":                "end-user-remediation-one-option.json",
	"terminal/device-assurance/options":        "end-user-remediation-multiple-options-with-custom-help-url.json",
	"terminal/device-assurance/custom":         "end-user-remediation-custom-message-custom-url.json",
	"select-authenticator-enroll/grace-period": "authenticator-enroll-grace-period-with-skip.json",

	// The email's magic link.
	"magic-link/return-to-original-tab": "terminal-return-email.json",
	"magic-link/expired":                "terminal-return-expired-email.json",
	"magic-link/cancelled":              "terminal-enduser-email-consent-denied.json",

	// Captcha, keep me signed in and profile update.
	"profile-update":               "enroll-profile-update-params.json",
	"profile-update/optional":      "enroll-profile-update-all-optional-params.json",
	"keep-me-signed-in":            "post-auth-keep-me-signed-in.json",
	"identify/remember-me-checked": "identify-with-remember-me.json",
	"identify/captcha/hcaptcha":    "identify-with-password-with-hcaptcha.json",
	"identify/captcha/recaptcha":   "identify-with-password-with-recaptcha-v2.json",
	"enroll-profile/captcha":       "enroll-profile-new-with-hcaptcha.json",
	"identify-recovery/captcha":    "identify-recovery-with-recaptcha-v2.json",
	// Okta FastPass's device challenge at the start of a sign-in, its
	// fallback, and identity verification.
	"device-challenge-poll/custom_uri":        "identify-with-device-launch-authenticator.json",
	"device-challenge-poll/universal_link":    "identify-with-universal-link.json",
	"device-challenge-poll/app_link":          "identify-with-app-link.json",
	"device-challenge-poll/loopback":          "identify-with-device-probing-loopback.json",
	"identify/device-fallback":                "identify-with-device-probing-loopback-challenge-not-received.json",
	"identify/device-fallback/universal_link": "identify-with-apple-sso-extension-fallback.json",
	"redirect-idverify":                       "authenticator-verification-idp-with-persona.json",

	// Consent.
	"consent/enduser":         "consent-enduser.json",
	"consent/admin":           "consent-admin.json",
	"consent/granular":        "consent-granular.json",
	"consent/granular-prefix": "consent-granular-prefix-collision.json",
	"consent/denied":          "terminal-enduser-email-consent-denied.json",

	// The email's magic link, consent asked on another device.
	"email-challenge-consent":        "email-challenge-consent.json",
	"email-consent/allowed":          "terminal-return-email-consent.json",
	"email-consent/denied":           "terminal-return-email-consent-denied.json",
	"email-consent/sign-in-canceled": "terminal-enduser-email-consent-denied.json",

	// Device activation.
	"user-code":                     "device-code-activate.json",
	"user-code/filled-in":           "device-code-activate-userCode.json",
	"user-code/invalid":             "error-invalid-device-code.json",
	"terminal/device-activated":     "terminal-device-activated.json",
	"terminal/device-not-activated": "terminal-device-not-activated-consent-denied.json",

	// Faults on IDX endpoints.
	"fault/429":             "error-429-too-many-request.json",
	"fault/429/transaction": "error-429-too-many-request-operation-ratelimit.json",
	"fault/500":             "error-internal-server-error.json",
	"fault/429/oauth":       "error-429-api-limit-exceeded.json",

	// OAuth.
	"oauth/discovery":        "oauth2/well-known-openid-configuration.json",
	"oauth/interact":         "oauth2/interact.json",
	"oauth/token":            "oauth2/success-tokens.json",
	"oauth/token/pkce-error": "oauth2/error-token-invalid-grant-pkce.json",

	// Recovery and activation tokens.
	"token/recovery-invalid":                 "oauth2/error-recovery-token-invalid.json",
	"token/activation-invalid":               "oauth2/error-activation-token-invalid.json",
	"activation/select-authenticator-enroll": "authenticator-enroll-select-authenticator.json",
}

// shapeKey is one signing key for the test's servers.
var shapeKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// capture is an answer a journey reached: its status and body, and the
// step and authenticator of its transaction, if any.
type capture struct {
	status int
	body   []byte
	doc    any
	step   string
	kind   string
}

// shapeRun collects the captures of every journey.
type shapeRun struct {
	mu       sync.Mutex
	captures map[string]capture
	visited  map[string]bool // "step" and "step kind" seen
}

// journey is one client driving one org over the raw wire.
type journey struct {
	t   *testing.T
	run *shapeRun
	s   *Server
	c   *http.Client

	verifier    string
	handle      string // interaction handle
	stateHandle string
	status      int
	body        []byte
	doc         map[string]any
}

// newJourney starts an org with opts for a journey.
func newJourney(t *testing.T, run *shapeRun, opts ...Option) *journey {
	t.Helper()
	s := New(t, append([]Option{WithSigningKey(shapeKey())}, opts...)...)
	return &journey{t: t, run: run, s: s, c: s.Client()}
}

// again is a new client of the same org.
func (j *journey) again() *journey {
	return &journey{t: j.t, run: j.run, s: j.s, c: j.c}
}

// capture keeps the last answer as the state name.
func (j *journey) capture(name string) {
	j.t.Helper()
	if _, ok := shapePairs[name]; !ok {
		j.t.Errorf("state %q has no pair in shapePairs", name)
	}
	c := capture{status: j.status, body: j.body}
	if err := json.Unmarshal(j.body, &c.doc); err != nil {
		j.t.Fatalf("%s: the answer is not JSON: %v\n%s", name, err, j.body)
	}
	j.s.mu.Lock()
	if t := j.s.transactions[j.stateHandle]; t != nil {
		c.step = t.step
		if t.kind != nil {
			c.kind = t.kind.base().key
		}
	}
	j.s.mu.Unlock()
	j.run.mu.Lock()
	defer j.run.mu.Unlock()
	if _, dup := j.run.captures[name]; dup {
		j.t.Errorf("state %q captured twice", name)
	}
	j.run.captures[name] = c
	if c.step != "" {
		j.run.visited[c.step] = true
		j.run.visited[c.step+" "+c.kind] = true
	}
}

func (j *journey) do(req *http.Request) {
	j.t.Helper()
	resp, err := j.c.Do(req)
	if err != nil {
		j.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	j.status = resp.StatusCode
	j.body, err = io.ReadAll(resp.Body)
	if err != nil {
		j.t.Fatal(err)
	}
	j.doc = nil
	if len(j.body) > 0 && j.body[0] == '{' {
		if err := json.Unmarshal(j.body, &j.doc); err != nil {
			j.t.Fatalf("%s: %v\n%s", req.URL.Path, err, j.body)
		}
		if sh, ok := j.doc["stateHandle"].(string); ok {
			j.stateHandle = sh
		}
	}
}

// post sends body as an IDX request to href.
func (j *journey) post(href string, body map[string]any) *journey {
	j.t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(j.t.Context(), http.MethodPost, href, bytes.NewReader(b))
	if err != nil {
		j.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ionAccepts)
	req.Header.Set("Accept", ionProduces)
	j.do(req)
	return j
}

// postForm sends an OAuth form to href.
func (j *journey) postForm(href string, form url.Values) *journey {
	j.t.Helper()
	req, err := http.NewRequestWithContext(j.t.Context(), http.MethodPost, href, strings.NewReader(form.Encode()))
	if err != nil {
		j.t.Fatal(err)
	}
	req.Header.Set("Content-Type", formAccepts)
	j.do(req)
	return j
}

func (j *journey) get(href string) *journey {
	j.t.Helper()
	req, err := http.NewRequestWithContext(j.t.Context(), http.MethodGet, href, nil)
	if err != nil {
		j.t.Fatal(err)
	}
	j.do(req)
	return j
}

// want fails the journey unless the last answer has status.
func (j *journey) want(status int) *journey {
	j.t.Helper()
	if j.status != status {
		j.t.Fatalf("HTTP %d, want %d: %s", j.status, status, j.body)
	}
	return j
}

// start calls interact (with extra parameters) and introspect.
func (j *journey) start(extra url.Values) *journey {
	j.t.Helper()
	j.interact(extra).want(http.StatusOK)
	return j.post(j.s.URL+"/idp/idx/introspect", map[string]any{"interactionHandle": j.handle}).want(http.StatusOK)
}

func (j *journey) interact(extra url.Values) *journey {
	j.t.Helper()
	j.verifier = randomToken(32)
	form := url.Values{
		"client_id": {PublicClientID}, "scope": {"openid profile email offline_access"},
		"redirect_uri": {DefaultRedirectURI}, "code_challenge": {s256(j.verifier)},
		"code_challenge_method": {"S256"}, "state": {"st-" + randomToken(8)}, "nonce": {"n-" + randomToken(8)},
	}
	for k, v := range extra {
		form[k] = v
	}
	j.postForm(j.s.Issuer()+"/v1/interact", form)
	if h, ok := j.doc["interaction_handle"].(string); ok {
		j.handle = h
	}
	return j
}

// form returns the remediation form named name of the last answer.
func (j *journey) form(name string) map[string]any {
	j.t.Helper()
	rem, _ := dig(j.doc, "remediation", "value").([]any)
	for _, f := range rem {
		if m, _ := f.(map[string]any); m != nil && m["name"] == name {
			return m
		}
	}
	j.t.Fatalf("no remediation %q in %s", name, j.body)
	return nil
}

// submit posts values, with the stateHandle, to the named form's href.
func (j *journey) submit(name string, values map[string]any) *journey {
	j.t.Helper()
	body := map[string]any{"stateHandle": j.stateHandle}
	for k, v := range values {
		body[k] = v
	}
	return j.post(j.form(name)["href"].(string), body)
}

// action posts the stateHandle to the href of an object of the last
// answer, such as currentAuthenticatorEnrollment.value.resend.
func (j *journey) action(keys ...string) *journey {
	j.t.Helper()
	href, ok := dig(j.doc, append(keys, "href")...).(string)
	if !ok {
		j.t.Fatalf("no %v in %s", keys, j.body)
	}
	return j.post(href, map[string]any{"stateHandle": j.stateHandle})
}

// authID is the ID of the authenticator key in the last answer: the id
// field of the option of form relating to it.
func (j *journey) authID(form, key string) string {
	j.t.Helper()
	for _, f := range j.form(form)["value"].([]any) {
		field := f.(map[string]any)
		if field["name"] != "authenticator" {
			continue
		}
		opts, _ := field["options"].([]any)
		for _, o := range opts {
			opt := o.(map[string]any)
			ref, _ := opt["relatesTo"].(string)
			if r := resolveRef(j.doc, ref); strings.HasSuffix(r, "[key:"+key+"]") {
				for _, v := range dig(opt, "value", "form", "value").([]any) {
					if v.(map[string]any)["name"] == "id" {
						return v.(map[string]any)["value"].(string)
					}
				}
			}
		}
		inner, _ := dig(field, "form", "value").([]any)
		if inner == nil {
			inner, _ = dig(field, "value", "form", "value").([]any)
		}
		for _, v := range inner {
			if v.(map[string]any)["name"] == "id" {
				return v.(map[string]any)["value"].(string)
			}
		}
	}
	j.t.Fatalf("no authenticator %q in %s of %s", key, form, j.body)
	return ""
}

// choose submits form with the authenticator key and more values
// (methodType, phoneNumber, channel...).
func (j *journey) choose(form, key string, values map[string]any) *journey {
	j.t.Helper()
	a := map[string]any{"id": j.authID(form, key)}
	for k, v := range values {
		a[k] = v
	}
	return j.submit(form, map[string]any{"authenticator": a})
}

func (j *journey) identify(user, password string) *journey {
	j.t.Helper()
	return j.submit("identify", map[string]any{"identifier": user, "credentials": map[string]any{"passcode": password}})
}

func (j *journey) passcode(form, code string) *journey {
	j.t.Helper()
	return j.submit(form, map[string]any{"credentials": map[string]any{"passcode": code}})
}

// code is the newest code sent to to.
func (j *journey) code(to string) string {
	j.t.Helper()
	c, ok := j.s.LastCode(to)
	if !ok {
		j.t.Fatalf("nothing sent to %s", to)
	}
	return c
}

// wrongCode is a code that differs from code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// shapeJourneys are the journeys, by name.
var shapeJourneys = map[string]func(t *testing.T, run *shapeRun){
	"signin/email":             journeySignInEmail,
	"signin/phone":             journeySignInPhone,
	"signin/google":            journeySignInGoogle,
	"signin/okta_verify":       journeySignInOktaVerify,
	"signin/security_question": journeySignInSecurityQuestion,
	"signin/webauthn":          journeySignInWebAuthn,
	"signin/idps":              journeySignInIdPs,
	"signin/identifier-first":  journeyIdentifierFirst,
	"signin/locked-out":        journeyLockedOut,
	"tokens":                   journeyTokens,
	"enroll/select":            journeyEnrollSelect,
	"enroll/email":             journeyEnrollEmail,
	"enroll/phone":             journeyEnrollPhone,
	"enroll/google":            journeyEnrollGoogle,
	"enroll/okta_verify":       journeyEnrollOktaVerify,
	"enroll/security_question": journeyEnrollSecurityQuestion,
	"enroll/webauthn":          journeyEnrollWebAuthn,
	"register":                 journeyRegister,
	"recover":                  journeyRecover,
	"reset-google":             journeyResetGoogle,
	"password-expiry":          journeyPasswordExpiry,
	"unlock":                   journeyUnlock,
	"unlock/then":              journeyUnlockThen,
	"token-errors":             journeyTokenErrors,
	"phone/send-limit":         journeyPhoneSendLimit,
	"magic-link":               journeyMagicLink,
	"faults":                   journeyFaults,
	"signin/tokens":            journeySignInTokens,
	"enroll/tokens":            journeyEnrollTokens,
	"rsa/next-code":            journeyRSANextCode,
	"duo":                      journeyDuo,
	"signin/custom_app":        journeySignInCustomApp,
	"oauth":                    journeyOAuth,
	"captcha":                  journeyCaptcha,
	"keep-me-signed-in":        journeyKeepMeSignedIn,
	"remember-me-checked":      journeyRememberMeChecked,
	"profile-update":           journeyProfileUpdate,
	"device-challenge":         journeyDeviceChallenge,
	"idverify":                 journeyIdentityVerification,
	"device-assurance":         journeyDeviceAssurance,
	"custom-password-page":     journeyCustomPasswordPage,
	"enroll/grace-period":      journeyEnrollGracePeriod,
	"consent":                  journeyConsent,
	"device":                   journeyDevice,
	"email-consent":            journeyEmailConsent,
}

func journeySignInEmail(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Registration, p.Recovery = true, true
	j := newJourney(t, run, WithPolicy(p))
	j.start(nil).capture("identify")
	j.identify(DemoUsername, "wrong-"+DemoPassword).want(http.StatusUnauthorized).capture("identify/wrong-password")
	j.identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("select-authenticator-authenticate")
	j.choose("select-authenticator-authenticate", AuthenticatorEmail, nil).want(http.StatusOK).capture("verification-data/email")
	j.choose("authenticator-verification-data", AuthenticatorEmail, map[string]any{"methodType": "email"}).want(http.StatusOK).capture("challenge/email")
	code := j.code(DemoUsername)
	j.passcode("challenge-authenticator", wrongCode(code)).want(http.StatusUnauthorized).capture("challenge/email/wrong-code")
	j.passcode("challenge-authenticator", code).want(http.StatusOK).capture("success")
	j.postForm(j.s.Issuer()+"/v1/token", url.Values{
		"grant_type": {"interaction_code"}, "client_id": {PublicClientID},
		"interaction_code": {dig(j.doc, "successWithInteractionCode", "value").([]any)[1].(map[string]any)["value"].(string)},
		"code_verifier":    {j.verifier},
	}).want(http.StatusOK)
	j.post(j.s.URL+"/idp/idx/introspect", map[string]any{"stateHandle": j.stateHandle}).want(http.StatusUnauthorized).capture("session-expired")
}

func journeySignInPhone(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Authenticators = []string{AuthenticatorPhone}
	const user, phone = "phone@example.com", "+15555550123"
	j := newJourney(t, run, WithPolicy(p), WithUser(User{Username: user, Password: DemoPassword, Phone: phone, GivenName: "Pat", FamilyName: "Phone"}))
	j.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-authenticate", AuthenticatorPhone, nil).want(http.StatusOK).capture("verification-data/phone")
	j.choose("authenticator-verification-data", AuthenticatorPhone, map[string]any{"methodType": "sms"}).want(http.StatusOK).capture("challenge/phone/sms")
	j.passcode("challenge-authenticator", wrongCode(j.code(phone))).want(http.StatusUnauthorized).capture("challenge/phone/wrong-code")
	j.choose("select-authenticator-authenticate", AuthenticatorPhone, map[string]any{"methodType": "voice"}).want(http.StatusOK).capture("challenge/phone/voice")
}

func journeySignInGoogle(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Authenticators = []string{AuthenticatorGoogle}
	const user, secret = "google@example.com", "JBSWY3DPEHPK3PXP"
	now := time.Now()
	j := newJourney(t, run, WithPolicy(p), WithClock(func() time.Time { return now }),
		WithUser(User{Username: user, Password: DemoPassword, TOTPSecret: secret}))
	j.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-authenticate", AuthenticatorGoogle, nil).want(http.StatusOK).capture("challenge/google")
	code := TOTP(secret, now)
	j.passcode("challenge-authenticator", wrongCode(code)).want(http.StatusUnauthorized).capture("challenge/google/wrong-code")
	j.passcode("challenge-authenticator", code).want(http.StatusOK)
	k := j.again()
	k.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	k.choose("select-authenticator-authenticate", AuthenticatorGoogle, nil).want(http.StatusOK)
	k.passcode("challenge-authenticator", code).want(http.StatusUnauthorized).capture("challenge/google/used-code")
}

func journeySignInOktaVerify(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Authenticators = []string{AuthenticatorOktaVerify}
	const user = "verify@example.com"
	j := newJourney(t, run, WithPolicy(p), WithUser(User{Username: user, Password: DemoPassword, OktaVerify: true}))
	j.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-authenticate", AuthenticatorOktaVerify, nil).want(http.StatusOK).capture("verification-data/okta_verify")
	j.choose("authenticator-verification-data", AuthenticatorOktaVerify, map[string]any{"methodType": "push"}).want(http.StatusOK).capture("challenge-poll/push")
	if err := j.s.RejectPush(user); err != nil {
		t.Fatal(err)
	}
	j.submit("challenge-poll", nil).want(http.StatusOK).capture("challenge-poll/rejected")
	j.choose("select-authenticator-authenticate", AuthenticatorOktaVerify, map[string]any{"methodType": "totp"}).want(http.StatusOK).capture("challenge/okta_verify/totp")
	j.submit("challenge-authenticator", map[string]any{"credentials": map[string]any{"totp": "000000"}}).want(http.StatusUnauthorized).capture("challenge/okta_verify/wrong-code")

	fp := newJourney(t, run, WithPolicy(p), WithOktaVerifyFastPassOnly(), WithUser(User{Username: user, Password: DemoPassword, OktaVerify: true}))
	fp.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	fp.choose("select-authenticator-authenticate", AuthenticatorOktaVerify, map[string]any{"methodType": "signed_nonce"}).
		want(http.StatusOK).capture("challenge-poll/fastpass")

	n := newJourney(t, run, WithPolicy(p), WithOktaVerifyNumberChallenge(true), WithUser(User{Username: user, Password: DemoPassword, OktaVerify: true}))
	n.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	n.choose("select-authenticator-authenticate", AuthenticatorOktaVerify, map[string]any{"methodType": "push"}).want(http.StatusOK).capture("challenge-poll/number-challenge")
}

func journeySignInSecurityQuestion(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Authenticators = []string{AuthenticatorSecurityQuestion}
	const user = "question@example.com"
	j := newJourney(t, run, WithPolicy(p), WithUser(User{Username: user, Password: DemoPassword,
		SecurityQuestion: &SecurityQuestion{Key: "disliked_food", Answer: "spinach"}}))
	j.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-authenticate", AuthenticatorSecurityQuestion, nil).want(http.StatusOK).capture("challenge/security_question")
}

func journeySignInWebAuthn(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Authenticators = []string{AuthenticatorWebAuthn}
	const user = "key@example.com"
	j := newJourney(t, run, WithPolicy(p), WithUser(User{Username: user, Password: DemoPassword, WebAuthn: true}))
	j.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-authenticate", AuthenticatorWebAuthn, nil).want(http.StatusOK).capture("challenge/webauthn")
	challenge := dig(j.doc, "currentAuthenticator", "value", "contextualData", "challengeData", "challenge").(string)
	a, err := j.s.WebAuthnAssertion(user, challenge)
	if err != nil {
		t.Fatal(err)
	}
	j.submit("challenge-authenticator", map[string]any{"credentials": map[string]any{
		"clientData": a.ClientData, "authenticatorData": a.AuthenticatorData, "signatureData": "AAAA",
	}}).want(http.StatusUnauthorized).capture("challenge/webauthn/failed")
}

// shapeTokenSecret is the TOTP secret of every token of the journeys.
const shapeTokenSecret = "JBSWY3DPEHPK3PXP"

func journeySignInTokens(t *testing.T, run *shapeRun) {
	now := time.Now()
	for _, key := range tokenKeys() {
		p := DefaultPolicy()
		p.Authenticators = []string{key}
		user := key + "@example.com"
		tok := Token{Secret: shapeTokenSecret, Enrolled: true}
		if key == AuthenticatorSymantecVIP {
			tok.ID = "VSMT12345678"
		}
		j := newJourney(t, run, WithPolicy(p), WithClock(func() time.Time { return now }),
			WithUser(User{Username: user, Password: DemoPassword, Tokens: map[string]Token{key: tok}}))
		j.start(nil).identify(user, DemoPassword).want(http.StatusOK)
		j.choose("select-authenticator-authenticate", key, nil).want(http.StatusOK).capture("challenge/" + key)
		if _, ok := shapePairs["challenge/"+key+"/wrong-code"]; ok {
			j.passcode("challenge-authenticator", wrongCode(TOTP(shapeTokenSecret, now))).
				want(http.StatusUnauthorized).capture("challenge/" + key + "/wrong-code")
		}
		j.passcode("challenge-authenticator", TOTP(shapeTokenSecret, now)).want(http.StatusOK)
	}
}

func journeyEnrollTokens(t *testing.T, run *shapeRun) {
	for _, key := range tokenKeys() {
		j := newJourney(t, run, WithPolicy(enrollPolicy(false, key)),
			WithUser(User{Username: key + "@example.com", Password: DemoPassword,
				Tokens: map[string]Token{key: {Secret: shapeTokenSecret, ID: "VSMT12345678"}}}))
		j.start(nil).identify(key+"@example.com", DemoPassword).want(http.StatusOK)
		if key == AuthenticatorCustomOTP {
			j.choose("select-authenticator-enroll", key, nil).want(http.StatusBadRequest).capture("enroll/custom_otp/restricted")
			continue
		}
		j.choose("select-authenticator-enroll", key, nil).want(http.StatusOK).capture("enroll/" + key)
	}
}

// journeyRSANextCode meets a token in next-tokencode mode at sign-in and
// at enrollment: a right code is refused, the next one taken.
func journeyRSANextCode(t *testing.T, run *shapeRun) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	later := func() { mu.Lock(); defer mu.Unlock(); now = now.Add(30 * time.Second) }
	p := DefaultPolicy()
	p.Authenticators = []string{AuthenticatorRSA}
	const user = "next-code@example.com"
	j := newJourney(t, run, WithPolicy(p), WithClock(clock), WithUser(User{Username: user, Password: DemoPassword,
		Tokens: map[string]Token{AuthenticatorRSA: {Secret: shapeTokenSecret, Enrolled: true, NextCode: true}}}))
	j.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-authenticate", AuthenticatorRSA, nil).want(http.StatusOK)
	j.passcode("challenge-authenticator", TOTP(shapeTokenSecret, clock())).want(http.StatusBadRequest).capture("challenge/rsa_token/next-code")
	later()
	j.passcode("challenge-authenticator", TOTP(shapeTokenSecret, clock())).want(http.StatusOK)

	k := newJourney(t, run, WithPolicy(enrollPolicy(false, AuthenticatorRSA)), WithClock(clock), WithUser(User{Username: user, Password: DemoPassword,
		Tokens: map[string]Token{AuthenticatorRSA: {Secret: shapeTokenSecret, NextCode: true}}}))
	k.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	k.choose("select-authenticator-enroll", AuthenticatorRSA, nil).want(http.StatusOK)
	enroll := func() *journey {
		return k.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{
			"clientData": user, "passcode": TOTP(shapeTokenSecret, clock())}})
	}
	enroll().want(http.StatusBadRequest).capture("enroll/rsa_token/next-code")
	later()
	enroll().want(http.StatusOK)
}

func journeyDuo(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Authenticators = []string{AuthenticatorDuo}
	const user = "duo@example.com"
	j := newJourney(t, run, WithPolicy(p), WithUser(User{Username: user, Password: DemoPassword, Duo: true}))
	j.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-authenticate", AuthenticatorDuo, nil).want(http.StatusOK).capture("challenge/duo")
	j.submit("challenge-authenticator", map[string]any{"credentials": map[string]any{"signatureData": "AUTH|x|y:APP|x|y"}}).
		want(http.StatusBadRequest).capture("challenge/duo/failed")

	k := newJourney(t, run, WithPolicy(enrollPolicy(false, AuthenticatorDuo)))
	k.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK)
	k.choose("select-authenticator-enroll", AuthenticatorDuo, nil).want(http.StatusOK).capture("enroll/duo")
	signed := dig(k.doc, "currentAuthenticator", "value", "contextualData", "signedToken").(string)
	sig, err := k.s.ApproveDuo(signed)
	if err != nil {
		t.Fatal(err)
	}
	k.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"signatureData": sig}}).want(http.StatusOK)
}

func journeySignInCustomApp(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Authenticators = []string{AuthenticatorCustomApp}
	const user = "custom-app@example.com"
	j := newJourney(t, run, WithPolicy(p), WithUser(User{Username: user, Password: DemoPassword, GivenName: "Cus", FamilyName: "Tom", CustomApp: true}))
	j.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-authenticate", AuthenticatorCustomApp, map[string]any{"methodType": "push"}).
		want(http.StatusOK).capture("challenge-poll/custom_app")
	if err := j.s.RejectPush(user); err != nil {
		t.Fatal(err)
	}
	j.submit("challenge-poll", nil).want(http.StatusOK).capture("challenge-poll/custom_app/rejected")

	// The app is enrolled in the app itself: an enrollment policy only
	// lists it.
	keys := []string{AuthenticatorCustomApp, AuthenticatorGoogle}
	k := newJourney(t, run, WithPolicy(enrollPolicy(false, keys...)))
	k.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("select-authenticator-enroll/custom_app")
}

func journeySignInIdPs(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Registration = true
	p.IdPs = []IdP{{Type: "GOOGLE", Name: "Google"}, {Type: "FACEBOOK", Name: "Facebook"}}
	p.IdentifierFirst = true
	j := newJourney(t, run, WithPolicy(p))
	j.start(nil).capture("identify/idps")
	p = DefaultPolicy()
	p.Registration, p.Unlock, p.IdentifierFirst = true, true, true
	newJourney(t, run, WithPolicy(p)).start(nil).capture("identify/unlock")
}

func journeyIdentifierFirst(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.IdentifierFirst, p.Registration, p.Recovery, p.MaxPasswordAttempts = true, true, true, 2
	const user = "first@example.com"
	j := newJourney(t, run, WithPolicy(p), WithUser(User{Username: user, Password: DemoPassword, Phone: "+15555550177"}))
	j.start(nil).capture("identify/identifier-first")
	j.submit("identify", map[string]any{"identifier": "nobody@example.com"}).want(http.StatusUnauthorized).capture("identify/unknown-user")
	j.submit("identify", map[string]any{"identifier": user}).want(http.StatusOK).capture("challenge/password")
	j.passcode("challenge-authenticator", "wrong").want(http.StatusUnauthorized).capture("challenge/password/wrong")
	j.passcode("challenge-authenticator", "wrong").want(http.StatusForbidden).capture("challenge/password/locked-out")
}

func journeyLockedOut(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.MaxPasswordAttempts, p.Registration = 1, true
	j := newJourney(t, run, WithPolicy(p))
	j.start(nil).identify(DemoUsername, "wrong").want(http.StatusForbidden).capture("identify/locked-out")
}

func journeyTokens(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Factors = 1
	j := newJourney(t, run, WithPolicy(p), WithUser(User{Username: "staged@example.com", Staged: true}))
	j.interact(url.Values{"recovery_token": {"no-such-token"}}).want(http.StatusBadRequest).capture("token/recovery-invalid")
	j.interact(url.Values{"activation_token": {"no-such-token"}}).want(http.StatusBadRequest).capture("token/activation-invalid")
	tok, err := j.s.ActivationToken("staged@example.com")
	if err != nil {
		t.Fatal(err)
	}
	j.start(url.Values{"activation_token": {tok}}).capture("activation/select-authenticator-enroll")
}

// enrollPolicy asks users to enroll keys (all required unless optional)
// after the password.
func enrollPolicy(optional bool, keys ...string) Policy {
	p := DefaultPolicy()
	p.Factors = 1
	for _, k := range keys {
		p.Enrollment = append(p.Enrollment, EnrollmentRule{Key: k, Required: !optional})
	}
	return p
}

func journeyEnrollSelect(t *testing.T, run *shapeRun) {
	keys := []string{AuthenticatorPhone, AuthenticatorGoogle, AuthenticatorOktaVerify, AuthenticatorSecurityQuestion, AuthenticatorWebAuthn}
	j := newJourney(t, run, WithPolicy(enrollPolicy(false, keys...)))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("select-authenticator-enroll")
	k := newJourney(t, run, WithPolicy(enrollPolicy(true, keys...)))
	k.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("select-authenticator-enroll/skip")
}

func journeyEnrollEmail(t *testing.T, run *shapeRun) {
	const user = "unproved@example.com"
	j := newJourney(t, run, WithPolicy(enrollPolicy(false, AuthenticatorEmail)),
		WithUser(User{Username: user, Password: DemoPassword, EmailNotEnrolled: true}))
	j.start(nil).identify(user, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-enroll", AuthenticatorEmail, nil).want(http.StatusOK).capture("enroll/email")
	j.passcode("enroll-authenticator", wrongCode(j.code(user))).want(http.StatusUnauthorized).capture("enroll/email/wrong-code")
}

func journeyEnrollPhone(t *testing.T, run *shapeRun) {
	j := newJourney(t, run, WithPolicy(enrollPolicy(false, AuthenticatorPhone)))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-enroll", AuthenticatorPhone, nil).want(http.StatusOK).capture("enrollment-data/phone")
	j.choose("authenticator-enrollment-data", AuthenticatorPhone, map[string]any{"methodType": "sms", "phoneNumber": "12"}).
		want(http.StatusBadRequest).capture("enrollment-data/phone/invalid-number")
	const phone = "+15555550199"
	j.choose("authenticator-enrollment-data", AuthenticatorPhone, map[string]any{"methodType": "sms", "phoneNumber": phone}).
		want(http.StatusOK).capture("enroll/phone/sms")
	j.passcode("enroll-authenticator", wrongCode(j.code(phone))).want(http.StatusUnauthorized).capture("enroll/phone/wrong-code")
	j.choose("select-authenticator-enroll", AuthenticatorPhone, map[string]any{"methodType": "voice", "phoneNumber": phone}).
		want(http.StatusOK).capture("enroll/phone/voice")
}

func journeyEnrollGoogle(t *testing.T, run *shapeRun) {
	j := newJourney(t, run, WithPolicy(enrollPolicy(false, AuthenticatorGoogle)))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-enroll", AuthenticatorGoogle, nil).want(http.StatusOK).capture("enroll/google")
	j.passcode("enroll-authenticator", "000000").want(http.StatusUnauthorized).capture("enroll/google/wrong-code")
}

func journeyEnrollOktaVerify(t *testing.T, run *shapeRun) {
	j := newJourney(t, run, WithPolicy(enrollPolicy(false, AuthenticatorOktaVerify)))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-enroll", AuthenticatorOktaVerify, nil).want(http.StatusOK).capture("enroll-poll/okta_verify/qrcode")
	for _, ch := range []struct{ channel, field, to string }{
		{"email", "email", DemoUsername}, {"sms", "phoneNumber", "+15555550142"},
	} {
		j.submit("select-enrollment-channel", map[string]any{"authenticator": map[string]any{
			"id": j.authID("select-enrollment-channel", AuthenticatorOktaVerify), "channel": ch.channel,
		}}).want(http.StatusOK).capture("enrollment-channel-data/" + ch.channel)
		j.submit("enrollment-channel-data", map[string]any{ch.field: ch.to}).want(http.StatusOK).capture("enroll-poll/okta_verify/" + ch.channel)
	}
}

func journeyEnrollSecurityQuestion(t *testing.T, run *shapeRun) {
	j := newJourney(t, run, WithPolicy(enrollPolicy(false, AuthenticatorSecurityQuestion)))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-enroll", AuthenticatorSecurityQuestion, nil).want(http.StatusOK).capture("enroll/security_question")
	k := newJourney(t, run, WithPolicy(enrollPolicy(true, AuthenticatorSecurityQuestion)))
	k.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK)
	k.choose("select-authenticator-enroll", AuthenticatorSecurityQuestion, nil).want(http.StatusOK)
	k.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{"questionKey": "disliked_food", "answer": "ab"}}).
		want(http.StatusBadRequest).capture("enroll/security_question/short-answer")
}

func journeyEnrollWebAuthn(t *testing.T, run *shapeRun) {
	j := newJourney(t, run, WithPolicy(enrollPolicy(false, AuthenticatorWebAuthn)))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-enroll", AuthenticatorWebAuthn, nil).want(http.StatusOK).capture("enroll/webauthn")
}

func journeyRegister(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Registration = true
	j := newJourney(t, run, WithPolicy(p))
	j.start(nil).submit("select-enroll-profile", nil).want(http.StatusOK).capture("enroll-profile")
	profile := func(email string) map[string]any {
		return map[string]any{"userProfile": map[string]any{"firstName": "New", "lastName": "User", "email": email}}
	}
	j.submit("enroll-profile", profile(DemoUsername)).want(http.StatusBadRequest).capture("enroll-profile/email-taken")
	j.submit("enroll-profile", profile("not-an-address")).want(http.StatusBadRequest).capture("enroll-profile/invalid-email")
	j.submit("enroll-profile", profile("new@example.com")).want(http.StatusOK)
	j.choose("select-authenticator-enroll", AuthenticatorPassword, nil).want(http.StatusOK).capture("enroll/password")
}

func journeyRecover(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Recovery, p.Registration = true, true
	p.RecoveryAuthenticators = []string{AuthenticatorEmail, AuthenticatorPhone}
	j := newJourney(t, run, WithPolicy(p), WithPasswordResetTerminal())
	j.start(nil).action("currentAuthenticator", "value", "recover").want(http.StatusOK).capture("identify-recovery")
	j.submit("identify-recovery", map[string]any{"identifier": DemoUsername}).want(http.StatusOK).capture("select-authenticator/recovery")
	j.choose("select-authenticator-authenticate", AuthenticatorEmail, nil).want(http.StatusOK)
	j.choose("authenticator-verification-data", AuthenticatorEmail, map[string]any{"methodType": "email"}).want(http.StatusOK)
	j.passcode("challenge-authenticator", j.code(DemoUsername)).want(http.StatusOK).capture("reset-authenticator")
	j.passcode("reset-authenticator", "short").want(http.StatusBadRequest).capture("reset-authenticator/weak-password")
	j.passcode("reset-authenticator", "New-Passw0rd-42").want(http.StatusOK).capture("terminal/recovery-completed")
}

func journeyResetGoogle(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Authenticators = []string{AuthenticatorGoogle}
	const user = "google-reset@example.com"
	j := newJourney(t, run, WithPolicy(p), WithUser(User{Username: user, Password: DemoPassword, TOTPSecret: "JBSWY3DPEHPK3PXP"}))
	tok, err := j.s.GoogleAuthenticatorResetToken(user)
	if err != nil {
		t.Fatal(err)
	}
	j.start(url.Values{"recovery_token": {tok}}).capture("reset-authenticator/google")
	j.passcode("reset-authenticator", "000000").want(http.StatusUnauthorized).capture("reset-authenticator/google/wrong")
}

func journeyPasswordExpiry(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Factors, p.Recovery = 1, true
	j := newJourney(t, run, WithPolicy(p),
		WithUser(User{Username: "expired@example.com", Password: DemoPassword, PasswordExpired: true}),
		WithUser(User{Username: "expiring@example.com", Password: DemoPassword, PasswordExpiresSoon: true}))
	j.start(nil).identify("expired@example.com", DemoPassword).want(http.StatusOK).capture("reenroll-authenticator")
	k := j.again()
	k.start(nil).identify("expiring@example.com", DemoPassword).want(http.StatusOK).capture("reenroll-authenticator-warning")
}

func journeyUnlock(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Unlock = true
	const user = "locked@example.com"
	j := newJourney(t, run, WithPolicy(p), WithUser(User{Username: user, Password: DemoPassword, Locked: true}))
	j.start(nil).submit("unlock-account", nil).want(http.StatusOK).capture("select-authenticator-unlock-account")
	j.choose("select-authenticator-unlock-account", AuthenticatorEmail, map[string]any{"methodType": "email"})
	j.submit("select-authenticator-unlock-account", map[string]any{"identifier": user,
		"authenticator": map[string]any{"id": j.authID("select-authenticator-unlock-account", AuthenticatorEmail), "methodType": "email"}}).want(http.StatusOK)
	j.capture("challenge/email/unlock")
	j.passcode("challenge-authenticator", j.code(user)).want(http.StatusOK).capture("terminal/unlocked")
}

func journeyMagicLink(t *testing.T, run *shapeRun) {
	j := newJourney(t, run)
	to := func(j *journey) string {
		j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK)
		j.choose("select-authenticator-authenticate", AuthenticatorEmail, nil).want(http.StatusOK)
		j.choose("authenticator-verification-data", AuthenticatorEmail, map[string]any{"methodType": "email"}).want(http.StatusOK)
		out := j.s.Outbox()
		return out[len(out)-1].Link
	}
	link := to(j)
	j.post(link, nil).want(http.StatusOK).capture("magic-link/return-to-original-tab")
	k := j.again()
	old := to(k)
	k.action("currentAuthenticatorEnrollment", "value", "resend").want(http.StatusOK)
	k.post(old, nil).want(http.StatusOK).capture("magic-link/expired")
	l := j.again()
	link = to(l)
	l.post(dig(l.doc, "cancel", "href").(string), map[string]any{"stateHandle": l.stateHandle}).want(http.StatusOK)
	l.post(link, nil).want(http.StatusOK).capture("magic-link/cancelled")
}

func journeyFaults(t *testing.T, run *shapeRun) {
	j := newJourney(t, run)
	j.interact(nil).want(http.StatusOK)
	fault := func(path string, kind FaultKind) {
		if err := j.s.InjectFault(Fault{Path: path, Kind: kind, Times: 1}); err != nil {
			t.Fatal(err)
		}
	}
	fault("/idp/idx/introspect", FaultRateLimit)
	j.post(j.s.URL+"/idp/idx/introspect", map[string]any{"interactionHandle": j.handle}).want(http.StatusTooManyRequests).capture("fault/429")
	j.post(j.s.URL+"/idp/idx/introspect", map[string]any{"interactionHandle": j.handle}).want(http.StatusOK)
	fault("/idp/idx/identify", FaultRateLimit)
	j.identify(DemoUsername, DemoPassword).want(http.StatusTooManyRequests).capture("fault/429/transaction")
	j.post(j.s.URL+"/idp/idx/introspect", map[string]any{"stateHandle": j.stateHandle}).want(http.StatusOK)
	fault("/idp/idx/identify", FaultServerError)
	j.identify(DemoUsername, DemoPassword).want(http.StatusInternalServerError).capture("fault/500")
	if err := j.s.InjectFault(Fault{Path: issuerPath + "/v1/interact", Kind: FaultRateLimit, Times: 1}); err != nil {
		t.Fatal(err)
	}
	j.interact(nil).want(http.StatusTooManyRequests).capture("fault/429/oauth")
}

func journeyOAuth(t *testing.T, run *shapeRun) {
	j := newJourney(t, run)
	j.get(j.s.Issuer() + "/.well-known/openid-configuration").want(http.StatusOK).capture("oauth/discovery")
	j.interact(nil).want(http.StatusOK).capture("oauth/interact")
	j.post(j.s.URL+"/idp/idx/introspect", map[string]any{"interactionHandle": j.handle}).want(http.StatusOK)
	j.identify(DemoUsername, DemoPassword).want(http.StatusOK)
	j.choose("select-authenticator-authenticate", AuthenticatorEmail, nil).want(http.StatusOK)
	j.choose("authenticator-verification-data", AuthenticatorEmail, map[string]any{"methodType": "email"}).want(http.StatusOK)
	j.passcode("challenge-authenticator", j.code(DemoUsername)).want(http.StatusOK)
	code := dig(j.doc, "successWithInteractionCode", "value").([]any)[1].(map[string]any)["value"].(string)
	redeem := func(verifier string) *journey {
		return j.postForm(j.s.Issuer()+"/v1/token", url.Values{
			"grant_type": {"interaction_code"}, "client_id": {PublicClientID},
			"interaction_code": {code}, "code_verifier": {verifier},
		})
	}
	redeem(j.verifier).want(http.StatusOK).capture("oauth/token")
	k := j.again()
	k.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK)
	k.choose("select-authenticator-authenticate", AuthenticatorEmail, nil).want(http.StatusOK)
	k.choose("authenticator-verification-data", AuthenticatorEmail, map[string]any{"methodType": "email"}).want(http.StatusOK)
	k.passcode("challenge-authenticator", k.code(DemoUsername)).want(http.StatusOK)
	code = dig(k.doc, "successWithInteractionCode", "value").([]any)[1].(map[string]any)["value"].(string)
	k.postForm(k.s.Issuer()+"/v1/token", url.Values{
		"grant_type": {"interaction_code"}, "client_id": {PublicClientID},
		"interaction_code": {code}, "code_verifier": {randomToken(32)},
	}).want(http.StatusBadRequest).capture("oauth/token/pkce-error")
}

// corpusDir returns the folder of captured IDX answers, or skips the
// test, loudly, when OKTA_WIRE_CORPUS is unset (fails it in CI, where it
// must be set). A relative OKTA_WIRE_CORPUS is taken from the root of the
// repository (the folder of go.work), as CI gives it, not from the
// package's folder, where go test runs.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("OKTA_WIRE_CORPUS")
	if dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set, so OKTA_WIRE_CORPUS must name the folder of captured IDX answers")
		}
		t.Skip("SKIPPING the shape comparison with real Okta answers: set OKTA_WIRE_CORPUS to the folder of captured IDX answers")
	}
	if !filepath.IsAbs(dir) {
		root, err := repoRoot()
		if err != nil {
			t.Fatalf("OKTA_WIRE_CORPUS=%s is relative: %v", dir, err)
		}
		dir = filepath.Join(root, dir)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("OKTA_WIRE_CORPUS names no folder: %v", err)
	}
	return dir
}

// repoRoot is the nearest folder, from the working directory up, that
// holds go.work.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.work above the working directory")
		}
		dir = parent
	}
}

func TestShapes(t *testing.T) {
	dir := corpusDir(t)
	allow := loadAllowList(t, filepath.Join("testdata", "shape-allowlist.txt"))
	run := &shapeRun{captures: map[string]capture{}, visited: map[string]bool{}}
	t.Run("journeys", func(t *testing.T) {
		for name, j := range shapeJourneys {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				j(t, run)
			})
		}
	})
	if t.Failed() {
		return
	}

	// Every state of the table is reached, every step of the org is, and
	// every authenticator is verified and (if it can be) enrolled.
	for state := range shapePairs {
		if _, ok := run.captures[state]; !ok {
			t.Errorf("no journey reaches state %q", state)
		}
	}
	// The org has every authenticator: those every org has and those a
	// Policy adds when it names them.
	all := DefaultPolicy()
	all.Authenticators = append(all.Authenticators, optInKeys()...)
	o := newOrg(&config{idx: idxConfig{policy: &all}})
	var steps []string
	for name := range o.steps {
		steps = append(steps, name)
	}
	sort.Strings(steps)
	for _, name := range steps {
		if !run.visited[name] {
			t.Errorf("no journey reaches step %q", name)
		}
	}
	for _, k := range o.kinds {
		key := k.base().key
		verified, enrolled := false, false
		for v := range run.visited {
			step, kind, _ := strings.Cut(v, " ")
			if kind != key {
				continue
			}
			switch step {
			case stepEnroll, stepEnrollmentData, stepOVEnrollPoll, stepOVChannelData:
				enrolled = true
			default:
				verified = true
			}
		}
		if tk, ok := k.(*tokenKind); ok && tk.restricted {
			// Only an admin enrolls it: the refusal is the state paired.
			enrolled = true
		}
		if _, ok := k.(enroller); ok && !enrolled {
			t.Errorf("no journey enrolls %s", key)
		}
		if !verified && key != AuthenticatorPassword {
			t.Errorf("no journey verifies %s", key)
		}
	}

	// Each state against its real answer.
	var states []string
	for state := range run.captures {
		states = append(states, state)
	}
	sort.Strings(states)
	for _, state := range states {
		file := shapePairs[state]
		c := run.captures[state]
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(strings.Replace(file, "oauth2/", "../oauth2/", 1))))
		if err != nil {
			t.Errorf("%s: %v", state, err)
			continue
		}
		var real any
		if err := json.Unmarshal(b, &real); err != nil {
			t.Errorf("%s: %s: %v", state, file, err)
			continue
		}
		var bad []string
		for _, d := range diffShapes(shapeOf(c.doc), shapeOf(real)) {
			if !allowed(allow, file, d) {
				bad = append(bad, "\t"+d.String())
			}
		}
		if len(bad) > 0 {
			t.Errorf("%s (HTTP %d) differs from %s:\n%s", state, c.status, file, strings.Join(bad, "\n"))
		}
	}
	for _, e := range allow {
		if !e.used {
			t.Errorf("testdata/shape-allowlist.txt:%d: %q accepts no difference; remove it", e.line, e.raw)
		}
	}
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "shape test: %d states compared, %d allow-list entries\n", len(states), len(allow))
	}
}

func journeyDeviceChallenge(t *testing.T, run *shapeRun) {
	const user = "fastpass@example.com"
	u := User{Username: user, Password: DemoPassword, OktaVerify: true}
	for method, state := range map[string]string{
		DeviceChallengeCustomURI:     "device-challenge-poll/custom_uri",
		DeviceChallengeUniversalLink: "device-challenge-poll/universal_link",
		DeviceChallengeAppLink:       "device-challenge-poll/app_link",
		DeviceChallengeLoopback:      "device-challenge-poll/loopback",
	} {
		p := DefaultPolicy()
		// The captured fallbacks are those of identifier-first orgs.
		p.Registration, p.IdentifierFirst, p.DeviceChallenge = true, true, method
		j := newJourney(t, run, WithPolicy(p), WithUser(u))
		j.start(nil).capture(state)
		switch method {
		case DeviceChallengeLoopback:
			j.action("authenticatorChallenge", "value", "cancel").want(http.StatusOK).capture("identify/device-fallback")
			j.submit("launch-authenticator", nil).want(http.StatusOK)
			href, _ := dig(j.doc, "authenticatorChallenge", "value", "href").(string)
			if err := j.s.AnswerDeviceChallenge(href, user); err != nil {
				t.Fatal(err)
			}
			j.submit("device-challenge-poll", nil).want(http.StatusOK)
		case DeviceChallengeUniversalLink:
			j.action("authenticatorChallenge", "value", "cancel").want(http.StatusOK).capture("identify/device-fallback/universal_link")
		}
	}
}

func journeyIdentityVerification(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.IdentityVerification = &IDVendor{}
	j := newJourney(t, run, WithPolicy(p))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("redirect-idverify")
}
