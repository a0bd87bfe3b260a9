package idxtest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// This file is Duo Security (duo), as real orgs offer it: the step's
// currentAuthenticatorEnrollment (or currentAuthenticator, at enrollment)
// carries what the browser needs to show Duo's prompt in an iframe
// (contextualData host, signedToken, script), and the prompt's signed
// response answers credentials.signatureData. Enrollment and
// verification take the same form.
//
// There is no Duo: the test plays the prompt with [Server.ApproveDuo],
// which signs the response the prompt would return once the user approved.
// The signatures follow Duo Web's scheme (a "TX" request and an "APP" part
// signed by the org, an "AUTH" response signed by Duo, HMAC-SHA1 over
// base64 of "user|ikey|expiry"), with keys made for each Server.

// duoLifetime is how long a signed request or response is valid.
const duoLifetime = 5 * time.Minute

type duoKind struct {
	kindBase
	ikey, skey, akey string // the integration, secret and application keys
}

func newDuoKind() *duoKind {
	return &duoKind{
		kindBase: kindBase{key: AuthenticatorDuo, typ: "app", displayName: "Duo Security",
			methods: []methodInfo{{typ: "duo", label: "Duo", amr: "mfa"}}},
		ikey: strings.ToUpper(randomOktaID("DI")),
		skey: randomToken(30),
		akey: randomToken(30),
	}
}

// duoSign is Duo Web's signed value prefix|base64(user|ikey|expiry)|hmac.
func duoSign(key, prefix, user, ikey string, expiry time.Time) string {
	cookie := prefix + "|" + base64.StdEncoding.EncodeToString([]byte(user+"|"+ikey+"|"+strconv.FormatInt(expiry.Unix(), 10)))
	mac := hmac.New(sha1.New, []byte(key))
	mac.Write([]byte(cookie))
	return cookie + "|" + hex.EncodeToString(mac.Sum(nil))
}

// duoParse checks a signed value made by duoSign with key and prefix and
// returns its user, unexpired at now.
func duoParse(key, prefix, signed string, now time.Time) (string, error) {
	parts := strings.Split(signed, "|")
	if len(parts) != 3 || parts[0] != prefix {
		return "", errors.New("not a " + prefix + " value")
	}
	mac := hmac.New(sha1.New, []byte(key))
	mac.Write([]byte(parts[0] + "|" + parts[1]))
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(parts[2])) != 1 {
		return "", errors.New("bad signature")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[1])
	if err != nil {
		return "", errors.New("bad payload")
	}
	fields := strings.Split(string(raw), "|")
	if len(fields) != 3 {
		return "", errors.New("bad payload")
	}
	exp, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil || now.Unix() >= exp {
		return "", errors.New("expired")
	}
	return fields[0], nil
}

// request is the signedToken of a prompt for u: "TX|...:APP|...".
func (k *duoKind) request(u *userRecord, now time.Time) string {
	return duoSign(k.skey, "TX", u.Username, k.ikey, now.Add(duoLifetime)) + ":" +
		duoSign(k.akey, "APP", u.Username, k.ikey, now.Add(duoLifetime))
}

// duoContext is the contextualData of a Duo step.
type duoContext struct {
	IntegrationType string `json:"integrationType"`
	Host            string `json:"host"`
	SignedToken     string `json:"signedToken"`
	Script          string `json:"script"`
}

// decorate gives the prompt's data to the step; the user's name at Duo
// stays in authenticatorEnrollments, as real orgs send it.
func (k *duoKind) decorate(c *call, doc *authenticatorDoc) {
	doc.CredentialID = ""
	if (c.t.step == stepChallenge || c.t.step == stepEnroll) && c.t.pending != "" {
		doc.ContextualData = duoContext{
			IntegrationType: "IFRAME",
			Host:            "duo.idxtest.invalid",
			SignedToken:     c.t.pending,
			Script:          "https://duo.idxtest.invalid/js/Duo-Web-v2.js",
		}
	}
}

// prompt moves to step, the prompt showing for a new signed request.
func (k *duoKind) prompt(c *call, step string) {
	c.t.setStep(step, k)
	c.t.method = "duo"
	c.t.pending = k.request(c.t.user, c.now)
}

func (k *duoKind) challenge(c *call, _ string, _ bool) *idxResult {
	k.prompt(c, stepChallenge)
	return nil
}

func (k *duoKind) challengeFields(*call) []ionField {
	return []ionField{objectField("credentials", "", true,
		ionField{Name: "signatureData", Label: "Assertion From Duo", Required: pTrue, Visible: pFalse})}
}

type duoBody struct {
	Credentials *struct {
		SignatureData *string `json:"signatureData"`
	} `json:"credentials"`
}

// check verifies the prompt's response for the request of this step:
// Duo's AUTH part for the transaction's user, and the APP part issued.
func (k *duoKind) check(c *call, form string, raw []byte) *idxResult {
	var b duoBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	sig := ""
	if b.Credentials != nil && b.Credentials.SignatureData != nil {
		sig = *b.Credentials.SignatureData
	}
	if sig == "" {
		return failPtr(c.failField(http.StatusBadRequest, form, "credentials.signatureData", msgBlank()))
	}
	auth, app, _ := strings.Cut(sig, ":")
	_, issuedApp, _ := strings.Cut(c.t.pending, ":")
	user, err := duoParse(k.skey, "AUTH", auth, c.now)
	if err != nil || !strings.EqualFold(user, c.t.user.Username) || subtle.ConstantTimeCompare([]byte(app), []byte(issuedApp)) != 1 {
		c.s.cfg.logger.Info("idxtest duo response rejected")
		return failPtr(c.fail(http.StatusBadRequest,
			errorMessage("Duo web signature verification failed.", "oie.authenticator.duo.method.duo.verification_failed")))
	}
	return nil
}

func (k *duoKind) verify(c *call, raw []byte) *idxResult { return k.check(c, stepChallenge, raw) }

// Enrollment: the same prompt enrolls the user's Duo device.

// enrollFields offer the one method, hidden, as real orgs do.
func (k *duoKind) enrollFields(*call) []ionField {
	return []ionField{hiddenValue("methodType", "duo", false)}
}

func (k *duoKind) enrollmentDataFields(*call) []ionField { return nil }

func (k *duoKind) startEnroll(c *call, _ []byte) *idxResult {
	k.prompt(c, stepEnroll)
	return nil
}

func (k *duoKind) finishEnroll(c *call, raw []byte) *idxResult {
	if res := k.check(c, stepEnroll, raw); res != nil {
		return res
	}
	c.t.user.enrollments[k.key] = &enrollment{id: randomOktaID("dsf"), credentialID: c.t.user.Username}
	c.t.user.Duo = true
	return nil
}

// ApproveDuo plays Duo's prompt: given the signedToken of a Duo step's
// contextualData (the request the browser shows the prompt for), it
// returns the signed response the prompt posts back once the user
// approved, which answers the step's credentials.signatureData
// (duoSignature in the SDK). It fails if the org has no Duo, or if
// signedToken is not one of this org's unexpired requests.
func (s *Server) ApproveDuo(signedToken string) (string, error) {
	k, ok := s.org.byKey[AuthenticatorDuo].(*duoKind)
	if !ok {
		return "", errors.New("idxtest: the org's policy has no Duo")
	}
	tx, app, _ := strings.Cut(signedToken, ":")
	now := s.now()
	user, err := duoParse(k.skey, "TX", tx, now)
	if err != nil {
		return "", fmt.Errorf("idxtest: Duo request: %w", err)
	}
	if _, err := duoParse(k.akey, "APP", app, now); err != nil {
		return "", fmt.Errorf("idxtest: Duo request: %w", err)
	}
	return duoSign(k.skey, "AUTH", user, k.ikey, now.Add(duoLifetime)) + ":" + app, nil
}
