package idxtest

import (
	"fmt"
	"net/http"
	"strings"
)

// This file is the phone authenticator (phone_number): a six-digit code by
// SMS or voice call to the outbox, with resend; enrollment takes a phone
// number and a method, then the code.

type phoneKind struct{ kindBase }

func newPhoneKind() *phoneKind {
	return &phoneKind{kindBase{
		key: AuthenticatorPhone, typ: "phone", displayName: "Phone",
		methods: []methodInfo{
			{typ: "sms", label: "SMS", amr: "sms"},
			{typ: "voice", label: "Voice call", amr: "tel"},
		},
	}}
}

func (k *phoneKind) profile(u *userRecord) *authenticatorProfile {
	// u may be a stand-in (recovery_authenticators.go).
	if e := u.enrollments[k.key]; e != nil {
		return &authenticatorProfile{PhoneNumber: maskPhone(e.value)}
	}
	return nil
}

// selectFields adds the enrollment's ID to the method choice, as Okta
// does for an authenticator a user may enroll more than once.
func (k *phoneKind) selectFields(c *call) []ionField {
	fields := k.kindBase.selectFields(c)
	if c.t.user != nil {
		if e := c.shownUser(k).enrollments[k.key]; e != nil {
			fields = append(fields, immutableValue("enrollmentId", e.id, true))
		}
	}
	return fields
}

// challenge sends the code by the chosen method, or asks for the method
// with authenticator-verification-data when none was chosen.
func (k *phoneKind) challenge(c *call, method string, _ bool) *idxResult {
	if method == "" {
		c.t.setStep(stepVerificationData, k)
		return nil
	}
	if res := c.phoneSendLimited(method); res != nil {
		return res
	}
	c.t.setStep(stepChallenge, k)
	c.t.method = method
	number := "" // none: a recovery for show only sends nothing
	if e := c.t.user.enrollments[k.key]; e != nil {
		number = e.value
	}
	k.sendCode(c, number)
	return nil
}

func (k *phoneKind) verify(c *call, raw []byte) *idxResult { return c.checkCode(stepChallenge, raw) }

// decorate offers resend, as Okta does from authenticator-verification-data
// and authenticator-enrollment-data on, before a code went out.
func (k *phoneKind) decorate(c *call, doc *authenticatorDoc) {
	doc.Resend = c.s.resendForm(c.t)
}

// resend sends a new code by the method in force, to the number enrolled
// or being enrolled. Before a method is chosen, at
// authenticator-verification-data, it sends the code by SMS, as choosing
// SMS would; before a number is given there is nothing to send (403,
// E0000079).
func (k *phoneKind) resend(c *call) *idxResult {
	if c.t.method == "" {
		if c.t.step != stepVerificationData {
			return failPtr(c.fail(http.StatusForbidden, msgNotAllowed()))
		}
		return k.challenge(c, k.methods[0].typ, true)
	}
	number := c.t.pending
	if e := c.t.user.enrollments[k.key]; number == "" && e != nil {
		number = e.value
	}
	if res := c.phoneSendLimited(c.t.method); res != nil {
		return res
	}
	k.sendCode(c, number)
	return nil
}

// sendCode texts or calls number with a new code, by c.t.method.
func (k *phoneKind) sendCode(c *call, number string) {
	code := c.newCode()
	e := Email{Channel: ChannelSMS, To: number, Code: code,
		Body: fmt.Sprintf("Your verification code is %s.", code)}
	if c.t.method == "voice" {
		e.Channel = ChannelVoice
		e.Body = fmt.Sprintf("Your verification code is %s. Again, your code is %s.",
			spaced(code), spaced(code))
	}
	c.send(e)
}

// Enrollment.

func (k *phoneKind) enrollFields(*call) []ionField {
	return []ionField{
		{Name: "methodType", Type: "string", Required: pFalse, Options: k.methodOptions()},
		{Name: "phoneNumber", Label: "Phone number", Required: pFalse},
	}
}

func (k *phoneKind) enrollmentDataFields(*call) []ionField {
	return []ionField{
		{Name: "methodType", Type: "string", Required: pTrue, Options: k.methodOptions()},
		{Name: "phoneNumber", Label: "Phone number", Required: pTrue},
	}
}

type phoneEnrollBody struct {
	Authenticator *struct {
		MethodType  string `json:"methodType"`
		PhoneNumber string `json:"phoneNumber"`
	} `json:"authenticator"`
}

// startEnroll takes the method and number: both from
// select-authenticator-enroll, or else from authenticator-enrollment-data.
func (k *phoneKind) startEnroll(c *call, raw []byte) *idxResult {
	var b phoneEnrollBody
	if !decode(raw, &b) || b.Authenticator == nil {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	method, number := b.Authenticator.MethodType, strings.TrimSpace(b.Authenticator.PhoneNumber)
	fromData := c.t.step == stepEnrollmentData && c.t.kind == k
	if !fromData && (method == "" || number == "") {
		c.t.setStep(stepEnrollmentData, k)
		return nil
	}
	if method == "" {
		return failPtr(c.failField(http.StatusBadRequest, stepEnrollmentData, "authenticator.methodType", msgBlank()))
	}
	if _, ok := k.method(method); !ok {
		return failPtr(c.fail(http.StatusBadRequest, msgInvalidValue("authenticator.methodType")))
	}
	if number == "" {
		return failPtr(c.failField(http.StatusBadRequest, stepEnrollmentData, "authenticator.phoneNumber", msgBlank()))
	}
	if !validPhone(number) {
		c.t.setStep(stepEnrollmentData, k)
		return failPtr(c.fail(http.StatusBadRequest, msgPhoneInvalid()))
	}
	if res := c.phoneSendLimited(method); res != nil {
		return res
	}
	c.t.setStep(stepEnroll, k)
	c.t.method, c.t.pending = method, number
	k.sendCode(c, number)
	return nil
}

// finishEnroll checks the code, then enrolls the number.
func (k *phoneKind) finishEnroll(c *call, raw []byte) *idxResult {
	if res := c.checkCode(stepEnroll, raw); res != nil {
		return res
	}
	u := c.t.user
	u.enrollments[k.key] = &enrollment{id: randomOktaID("mbl"), value: c.t.pending}
	u.Phone = c.t.pending
	return nil
}

// msgPhoneInvalid is the top-level message of a number that cannot take
// a code.
func msgPhoneInvalid() ionMessage {
	return errorMessage("Invalid Phone Number.", "api.factors.error.sms.invalid_phone")
}

// validPhone accepts E.164 numbers: "+", then 8 to 15 digits, the first
// not 0.
func validPhone(n string) bool {
	if len(n) < 9 || len(n) > 16 || n[0] != '+' || n[1] == '0' {
		return false
	}
	for _, r := range n[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// maskPhone hides all digits of an E.164 number but the last four:
// "+15555550100" becomes "+X XXX-XXX-0100".
func maskPhone(n string) string {
	if len(n) < 5 {
		return "XXXX"
	}
	return "+X XXX-XXX-" + n[len(n)-4:]
}

// spaced puts a space between the digits of a code, as a voice call
// reads them.
func spaced(code string) string { return strings.Join(strings.Split(code, ""), " ") }
