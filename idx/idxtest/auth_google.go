package idxtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// This file is Google Authenticator (google_otp): a TOTP code (RFC 6238)
// from a secret shared at enrollment, which the org shows as a QR code and
// as text. The TOTP helpers here also serve Okta Verify's code method.

// totpStep is the TOTP time step, totpDigits the code length.
const (
	totpStep   = 30 * time.Second
	totpDigits = 6
)

// TOTP returns the RFC 6238 time-based one-time password of secret at t,
// as Google Authenticator computes it: HMAC-SHA1, a 30-second step from
// the Unix epoch, six digits. secret is base32 (RFC 4648), with or
// without padding, in any case, spaces ignored. It returns "" when secret
// is not valid base32.
//
// Tests use it to answer the Google Authenticator and Okta Verify code
// challenges of a Server, with the secret of [User].TOTPSecret, the
// sharedSecret shown at enrollment, or [Server.OktaVerifySecret].
func TOTP(secret string, t time.Time) string {
	key, ok := decodeTOTPSecret(secret)
	if !ok {
		return ""
	}
	return totpAt(key, totpCounter(t))
}

// decodeTOTPSecret decodes a base32 secret leniently, as authenticator
// apps do.
func decodeTOTPSecret(secret string) ([]byte, bool) {
	s := strings.ToUpper(strings.ReplaceAll(secret, " ", ""))
	s = strings.TrimRight(s, "=")
	if s == "" {
		return nil, false
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	return key, err == nil && len(key) > 0
}

// totpCounter is the RFC 6238 time step number of t.
func totpCounter(t time.Time) int64 { return t.Unix() / int64(totpStep/time.Second) }

// totpAt is the HOTP (RFC 4226) value of key at counter.
func totpAt(key []byte, counter int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, bin%1_000_000)
}

// totpMatch checks code against secret at now and at the step before; it
// returns the step that matched, or false. last is the newest step
// already used: a code of that step or older is a replay (used is true).
func totpMatch(secret, code string, now time.Time, last int64) (step int64, used, ok bool) {
	key, valid := decodeTOTPSecret(secret)
	if !valid {
		return 0, false, false
	}
	cur := totpCounter(now)
	for _, n := range []int64{cur, cur - 1} {
		if subtle.ConstantTimeCompare([]byte(code), []byte(totpAt(key, n))) == 1 {
			if n <= last {
				return n, true, false
			}
			return n, false, true
		}
	}
	return 0, false, false
}

// newTOTPSecret is a new random 160-bit secret, base32 without padding
// (32 characters), as the org generates at enrollment.
func newTOTPSecret() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

func msgTOTPInvalid() ionMessage {
	return errorMessage("Your code doesn't match our records. Please try again.", "authfactor.challenge.soft_token.invalid_passcode")
}

func msgTOTPUsed() ionMessage {
	return errorMessage("Each code can only be used once. Please wait for a new code and try again.", "authfactor.challenge.soft_token.used_passcode")
}

// checkTOTP checks the code at field (such as "credentials.passcode") of a
// challenge-authenticator or enroll-authenticator body against secret;
// last is the newest step already used. It returns the step accepted, or the error answer: blank
// 400, wrong 401 with invalid, replayed 401 used_passcode.
func (c *call) checkTOTP(form, field, code, secret string, last int64, invalid ionMessage) (int64, *idxResult) {
	code = strings.TrimSpace(code)
	if code == "" {
		return 0, failPtr(c.failField(http.StatusBadRequest, form, field, msgBlank()))
	}
	if res := c.verificationLocked(); res != nil { // limits.go
		return 0, res
	}
	step, used, ok := totpMatch(secret, code, c.now, last)
	if used {
		c.s.cfg.logger.Info("idxtest code replayed")
		return 0, c.countAttempt(failPtr(c.failField(http.StatusUnauthorized, form, field, msgTOTPUsed())))
	}
	if !ok {
		c.s.cfg.logger.Info("idxtest code rejected")
		return 0, c.countAttempt(failPtr(c.failField(http.StatusUnauthorized, form, field, invalid)))
	}
	return step, c.countAttempt(nil)
}

// qrCodeData is the contextualData.qrcode of an enrollment.
type qrCodeData struct {
	Method string `json:"method"`
	Href   string `json:"href"`
	Type   string `json:"type"`
}

// qrCode returns a PNG data: URL standing for a QR code of uri. The image
// is a real PNG whose pattern is derived from uri, but it is NOT a
// scannable QR code: a test reads the secret from sharedSecret (or from
// the Server) rather than from the picture.
func qrCode(uri string) qrCodeData {
	const cells, scale = 21, 4
	sum := sha256.Sum256([]byte(uri))
	img := image.NewGray(image.Rect(0, 0, cells*scale, cells*scale))
	for y := range cells {
		for x := range cells {
			i := y*cells + x
			c := color.Gray{Y: 255}
			if sum[(i/8)%len(sum)]>>(i%8)&1 == 1 {
				c = color.Gray{Y: 0}
			}
			for dy := range scale {
				for dx := range scale {
					img.SetGray(x*scale+dx, y*scale+dy, c)
				}
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // writing to memory does not fail
	return qrCodeData{
		Method: "embedded",
		Href:   "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()),
		Type:   "image/png",
	}
}

// otpauthURI is the key URI an authenticator app would scan.
func otpauthURI(issuer, account, secret string) string {
	v := url.Values{"secret": {secret}, "issuer": {issuer}}
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + v.Encode()
}

type googleKind struct{ kindBase }

func newGoogleKind() *googleKind {
	return &googleKind{kindBase{
		key: AuthenticatorGoogle, typ: "app", displayName: "Google Authenticator",
		methods:       []methodInfo{{typ: "otp", label: "Google Authenticator", amr: "otp"}},
		currentIsKind: true,
	}}
}

// challengeFields is the code, required and shown.
func (k *googleKind) challengeFields(*call) []ionField {
	return []ionField{objectField("credentials", "", true,
		ionField{Name: "passcode", Label: "Enter code", Required: pTrue, Visible: pTrue})}
}

// challenge asks for the code at once: there is nothing to send.
func (k *googleKind) challenge(c *call, _ string, _ bool) *idxResult {
	c.t.setStep(stepChallenge, k)
	c.t.method = "otp"
	return nil
}

func (k *googleKind) verify(c *call, raw []byte) *idxResult {
	var b answerBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	e := c.t.user.enrollments[k.key]
	step, res := c.checkTOTP(stepChallenge, "credentials.passcode", b.Credentials.value(), e.value, e.step, msgTOTPInvalid())
	if res != nil {
		return res
	}
	e.step = step
	return nil
}

// googleContext is the contextualData of the enrollment.
type googleContext struct {
	QRCode       qrCodeData `json:"qrcode"`
	SharedSecret string     `json:"sharedSecret"`
}

func (k *googleKind) decorate(c *call, doc *authenticatorDoc) {
	if c.t.step == stepEnroll && c.t.pending != "" {
		doc.ContextualData = googleContext{
			QRCode:       qrCode(otpauthURI("idxtest", c.t.user.Username, c.t.pending)),
			SharedSecret: c.t.pending,
		}
	}
}

// Enrollment: the org makes a secret, shows it, and takes a first code.

func (k *googleKind) enrollFields(*call) []ionField         { return nil }
func (k *googleKind) enrollmentDataFields(*call) []ionField { return nil }

func (k *googleKind) startEnroll(c *call, _ []byte) *idxResult {
	c.t.setStep(stepEnroll, k)
	c.t.method = "otp"
	c.t.pending = newTOTPSecret()
	return nil
}

func (k *googleKind) finishEnroll(c *call, raw []byte) *idxResult {
	var b answerBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	// A wrong first code is the generic invalid passcode, as Okta
	// answers it at enrollment.
	step, res := c.checkTOTP(stepEnroll, "credentials.passcode", b.Credentials.value(), c.t.pending, -1, msgPasscodeInvalid())
	if res != nil {
		return res
	}
	u := c.t.user
	u.enrollments[k.key] = &enrollment{id: randomOktaID("ost"), value: c.t.pending, step: step}
	u.TOTPSecret = c.t.pending
	return nil
}
