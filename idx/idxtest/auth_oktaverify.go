package idxtest

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
)

// This file is Okta Verify (okta_verify): a push the test approves or
// rejects while the client polls (challenge-poll), optionally with a
// number challenge, or a TOTP code; enrollment by QR code, or by an
// activation link sent by email or SMS, completes when the test
// activates the app (enroll-poll). FastPass (signed_nonce) is offered
// only with WithOktaVerifyFastPassOnly, and never completes
// (auth_fastpass.go).
//
// There is no phone: the test plays the user's device with
// [Server.ApprovePush], [Server.RejectPush], [Server.AnswerPush],
// [Server.ActivateOktaVerify] and [Server.OktaVerifySecret].

// Steps and push states of Okta Verify.
const (
	stepOVChallengePoll = "challenge-poll"
	stepOVRejected      = "challenge-poll/rejected"
	stepOVEnrollPoll    = "enroll-poll"
	stepOVChannelData   = "enrollment-channel-data"

	pushPending  = "pending"
	pushApproved = "approved"
	pushRejected = "rejected"

	ovRefresh = 4000 // the poll interval offered, in milliseconds
)

// ovChannels are the enrollment channels, in the order offered.
func ovChannels() []ionOption {
	return []ionOption{
		{Label: "QRCODE", Value: "qrcode"},
		{Label: "EMAIL", Value: "email"},
		{Label: "SMS", Value: "sms"},
	}
}

// oktaVerifyState is a transaction's Okta Verify push or enrollment.
type oktaVerifyState struct {
	push      string // pushPending, pushApproved, pushRejected; "" if none
	answer    string // the number challenge's correct answer, if any
	channel   string // the enrollment channel: qrcode, email or sms
	to        string // where the activation link went (email or sms)
	link      string // the activation link's token
	activated bool   // the test activated the app being enrolled
	instance  string // the authenticatorInstanceId of the app being enrolled
}

// WithOktaVerifyNumberChallenge makes every Okta Verify push carry a
// number challenge: the answer shows as contextualData.correctAnswer of
// currentAuthenticator, and the test must approve with
// [Server.AnswerPush] and that number. The default is no number
// challenge.
func WithOktaVerifyNumberChallenge(enabled bool) Option {
	return func(c *config) { c.idx.ovNumberChallenge = enabled }
}

type oktaVerifyKind struct{ kindBase }

func newOktaVerifyKind(o *org, fastPassOnly bool) *oktaVerifyKind {
	k := &oktaVerifyKind{kindBase{
		key: AuthenticatorOktaVerify, typ: "app", displayName: "Okta Verify",
		methods: []methodInfo{
			{typ: "push", label: "Get a push notification", amr: "swk"},
			{typ: "totp", label: "Enter a code", amr: "otp"},
		},
		relatesToKind: true,
		currentIsKind: true,
	}}
	if fastPassOnly {
		k.methods = []methodInfo{{typ: "signed_nonce", label: "Use Okta FastPass", amr: "phr"}}
	}
	registerFastPass(o, k)
	o.addStep(stepOVChallengePoll, stepDef{
		forms:    func(*call) []string { return []string{"challenge-poll", "select-authenticator-authenticate"} },
		decorate: decorateCurrent,
	})
	o.addStep(stepOVRejected, stepDef{
		forms:    func(*call) []string { return []string{"okta-verify-resend", "select-authenticator-authenticate"} },
		decorate: decorateCurrent,
	})
	o.addStep(stepOVEnrollPoll, stepDef{
		forms: func(*call) []string {
			return []string{"enroll-poll", "select-enrollment-channel", "select-authenticator-enroll"}
		},
		decorate: decorateCurrentAuthenticator,
		page:     "ENROLL",
	})
	o.addStep(stepOVChannelData, stepDef{
		forms: func(*call) []string {
			return []string{"enrollment-channel-data", "select-enrollment-channel", "select-authenticator-enroll"}
		},
		decorate: decorateCurrentAuthenticator,
		page:     "ENROLL",
	})
	o.addForm("challenge-poll", formDef{path: "/idp/idx/challenge/poll", render: k.renderPoll("challenge-poll"), submit: pollSubmit(k.poll)})
	o.addForm("enroll-poll", formDef{path: "/idp/idx/challenge/poll", render: k.renderPoll("enroll-poll"), submit: pollSubmit(k.poll)})
	o.addForm("okta-verify-resend", formDef{path: "/idp/idx/challenge", render: k.renderResend, submit: submitSelect})
	o.addForm("select-enrollment-channel", formDef{path: "/idp/idx/credential/enroll", render: k.renderSelectChannel, submit: k.submitSelectChannel})
	o.addForm("enrollment-channel-data", formDef{path: "/idp/idx/challenge/send", render: k.renderChannelData, submit: k.submitChannelData})
	return k
}

// profile names the device an enrollment is on.
func (k *oktaVerifyKind) profile(u *userRecord) *authenticatorProfile { return pushProfile(u, k) }

// secret returns u's Okta Verify TOTP secret, making one for a user
// enrolled with the User field.
func (k *oktaVerifyKind) secret(u *userRecord) string {
	e := u.enrollments[k.key]
	if e.value == "" {
		e.value = newTOTPSecret()
	}
	return e.value
}

// challenge sends a push, asks for a code, or asks for the method with
// authenticator-verification-data when none was chosen.
func (k *oktaVerifyKind) challenge(c *call, method string, _ bool) *idxResult {
	switch method {
	case "signed_nonce":
		k.challengeFastPass(c)
	case "":
		c.t.setStep(stepVerificationData, k)
	case "totp":
		c.t.setStep(stepChallenge, k)
		c.t.method = "totp"
		if !c.t.blind() {
			k.secret(c.t.user)
		}
	case "push":
		sendPush(c, k, stepOVChallengePoll)
		if c.s.cfg.idx.ovNumberChallenge {
			n, _ := rand.Int(rand.Reader, big.NewInt(90))
			c.t.ov.answer = strconv.FormatInt(n.Int64()+10, 10)
		}
		c.s.cfg.logger.Info("idxtest okta verify push sent")
	}
	return nil
}

// challengeFields is the code field of the totp method.
func (k *oktaVerifyKind) challengeFields(*call) []ionField {
	return []ionField{objectField("credentials", "", true,
		ionField{Name: "totp", Label: "Enter code from Okta Verify app", Required: pTrue, Visible: pTrue})}
}

type ovTOTPBody struct {
	Credentials *struct {
		TOTP *string `json:"totp"`
	} `json:"credentials"`
}

func (k *oktaVerifyKind) verify(c *call, raw []byte) *idxResult {
	var b ovTOTPBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	code := ""
	if b.Credentials != nil && b.Credentials.TOTP != nil {
		code = *b.Credentials.TOTP
	}
	var e *enrollment
	var secret string
	if c.t.blind() {
		// Verifying for show only: the stand-in's secret, which no device
		// holds.
		e = &enrollment{}
		secret = c.t.standIn(k.key).value
	} else {
		e = c.t.user.enrollments[k.key]
		secret = k.secret(c.t.user)
	}
	step, res := c.checkTOTP(stepChallenge, "credentials.totp", code, secret, e.step, msgPasscodeInvalid())
	if res != nil {
		return res
	}
	e.step = step
	return nil
}

// ovEnrollContext is contextualData while enrolling.
type ovEnrollContext struct {
	QRCode          *qrCodeData `json:"qrcode,omitempty"`
	SelectedChannel string      `json:"selectedChannel"`
	Email           string      `json:"email,omitempty"`
	PhoneNumber     string      `json:"phoneNumber,omitempty"`
}

// decorate adds to the current authenticator: the send action (a push)
// while the method is open or a code is asked for; the number challenge
// and its resend (a new push) to a push that carries one; the enrollment's
// channel and QR code, address or number, and the resend of an activation
// link.
func (k *oktaVerifyKind) decorate(c *call, doc *authenticatorDoc) {
	switch c.t.step {
	case stepVerificationData, stepChallenge:
		doc.Send = newForm("send", c.s.href("/idp/idx/challenge/send"), stateHandleField(c.t.handle))
	case stepOVChallengePoll:
		if c.t.ov.answer != "" {
			doc.ContextualData = map[string]string{"correctAnswer": c.t.ov.answer}
			doc.Resend = c.s.resendForm(c.t)
		}
	case stepOVEnrollPoll, stepOVChannelData:
		// The app being enrolled is named by its instance, not by the
		// authenticator's ID, as Okta's enrollment does.
		doc.ID, doc.DisplayName, doc.Methods = "", "", nil
		ctx := ovEnrollContext{SelectedChannel: c.t.ov.channel}
		switch {
		case c.t.step == stepOVChannelData:
		case c.t.ov.channel == "qrcode":
			qr := qrCode(otpauthURI("idxtest", c.t.user.Username, c.t.pending))
			ctx.QRCode = &qr
		case c.t.ov.channel == "email":
			ctx.Email = c.t.ov.to
		case c.t.ov.channel == "sms":
			ctx.PhoneNumber = c.t.ov.to
		}
		doc.ContextualData = ctx
		doc.AuthenticatorInstanceID = c.t.ov.instance
		if c.t.step == stepOVEnrollPoll && c.t.ov.link != "" {
			// The resend form names where the link goes, as Okta's does.
			to := hiddenValue("email", c.t.ov.to, true)
			if c.t.ov.channel == "sms" {
				to.Name = "phone"
			}
			doc.Resend = c.s.resendForm(c.t)
			doc.Resend.Value = append(doc.Resend.Value, to)
		}
	}
}

// send answers the send action of the method choice and of the code
// challenge: a push, as choosing it would.
func (k *oktaVerifyKind) send(c *call) *idxResult {
	switch c.t.step {
	case stepVerificationData, stepChallenge:
		return k.challenge(c, "push", false)
	}
	return failPtr(c.fail(http.StatusForbidden, msgNotAllowed()))
}

// renderPoll renders challenge-poll, which relates to the push's
// currentAuthenticator, or enroll-poll, which relates to nothing.
func (k *oktaVerifyKind) renderPoll(name string) func(*call) *ionForm {
	return func(c *call) *ionForm {
		f := newForm(name, c.s.href("/idp/idx/challenge/poll"), stateHandleField(c.t.handle))
		f.Refresh = ovRefresh
		if name == "challenge-poll" {
			f.RelatesTo = []string{relatesToCurrentAuthenticator}
		}
		return f
	}
}

// renderResend is the "resend" remediation after a rejected push: it
// sends a new push.
func (k *oktaVerifyKind) renderResend(c *call) *ionForm {
	f := newForm("resend", c.s.href("/idp/idx/challenge"),
		ionField{Name: "authenticator", Type: "object", Label: k.displayName, Value: optionValue{Form: ionSubForm{Value: []ionField{
			immutableValue("id", k.id, true),
			{Name: "methodType", Label: "PUSH", Value: "push", Required: pTrue, Mutable: pFalse},
		}}}},
		stateHandleField(c.t.handle),
	)
	f.RelatesTo = []string{relatesToCurrentAuthenticator}
	return f
}

// poll answers challenge-poll and enroll-poll: the step moves on once the
// test approved the push or activated the app.
func (k *oktaVerifyKind) poll(c *call) *idxResult {
	t := c.t
	switch t.step {
	case stepOVChallengePoll:
		return pollPush(c, k, stepOVRejected)
	case stepOVEnrollPoll:
		if t.ov.activated {
			u := t.user
			u.enrollments[k.key] = &enrollment{id: randomOktaID("pfd"), value: t.pending}
			u.OktaVerify = true
			t.ov = oktaVerifyState{}
			t.method = "push"
			t.markVerified(k, "push")
			return failPtr(c.advance())
		}
	}
	return nil
}

// Enrollment.

func (k *oktaVerifyKind) enrollFields(*call) []ionField {
	return []ionField{{Name: "channel", Type: "string", Required: pFalse, Options: ovChannels()}}
}

func (k *oktaVerifyKind) enrollmentDataFields(*call) []ionField { return nil }

type ovChannelBody struct {
	Authenticator *struct {
		ID      string `json:"id"`
		Channel string `json:"channel"`
	} `json:"authenticator"`
}

// startEnroll makes the app's secret and starts the chosen channel (the
// QR code when none).
func (k *oktaVerifyKind) startEnroll(c *call, raw []byte) *idxResult {
	var b ovChannelBody
	if !decode(raw, &b) || b.Authenticator == nil {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	switch b.Authenticator.Channel {
	case "", "qrcode", "email", "sms":
	default:
		return failPtr(c.fail(http.StatusBadRequest, msgInvalidValue("authenticator.channel")))
	}
	c.t.setStep(stepOVEnrollPoll, k)
	c.t.method = "push"
	c.t.pending = newTOTPSecret()
	c.t.ov.instance = randomOktaID("aid")
	return k.useChannel(c, b.Authenticator.Channel)
}

// useChannel switches the enrollment to channel.
func (k *oktaVerifyKind) useChannel(c *call, channel string) *idxResult {
	switch channel {
	case "", "qrcode":
		c.t.setStep(stepOVEnrollPoll, k)
		c.t.ov = oktaVerifyState{channel: "qrcode", instance: c.t.ov.instance}
	case "email", "sms":
		c.t.setStep(stepOVChannelData, k)
		c.t.ov = oktaVerifyState{channel: channel, instance: c.t.ov.instance}
	default:
		return failPtr(c.fail(http.StatusBadRequest, msgInvalidValue("authenticator.channel")))
	}
	return nil
}

// enrollment never reaches enroll-authenticator: the app activates out of
// band and enroll-poll completes it.
func (k *oktaVerifyKind) finishEnroll(c *call, _ []byte) *idxResult {
	return failPtr(c.fail(http.StatusForbidden, msgNotAllowed()))
}

func (k *oktaVerifyKind) renderSelectChannel(c *call) *ionForm {
	return newForm("select-enrollment-channel", c.s.href("/idp/idx/credential/enroll"),
		ionField{Name: "authenticator", Type: "object", Label: k.displayName, Value: optionValue{Form: ionSubForm{Value: []ionField{
			hiddenValue("id", k.id, true),
			{Name: "channel", Required: pTrue, Visible: pTrue, Options: ovChannels()},
		}}}},
		stateHandleField(c.t.handle),
	)
}

// submitSelectChannel switches channel; a choice of another authenticator
// (select-authenticator-enroll posts to the same path) is a new
// enrollment.
func (k *oktaVerifyKind) submitSelectChannel(c *call, raw []byte) idxResult {
	var b ovChannelBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	if b.Authenticator == nil || b.Authenticator.ID != k.id {
		return submitSelectEnroll(c, raw)
	}
	if b.Authenticator.Channel == "" {
		return c.fail(http.StatusBadRequest, msgInvalidValue("authenticator.channel"))
	}
	if res := k.useChannel(c, b.Authenticator.Channel); res != nil {
		return *res
	}
	return c.ok()
}

func (k *oktaVerifyKind) renderChannelData(c *call) *ionForm {
	field := ionField{Name: "email", Label: "Email", Required: pTrue, Visible: pTrue}
	if c.t.ov.channel == "sms" {
		field = ionField{Name: "phoneNumber", Label: "Phone number", Required: pTrue, Visible: pTrue}
	}
	return newForm("enrollment-channel-data", c.s.href("/idp/idx/challenge/send"), field, stateHandleField(c.t.handle))
}

// submitChannelData sends the activation link to the address or number
// given, then waits in enroll-poll.
func (k *oktaVerifyKind) submitChannelData(c *call, raw []byte) idxResult {
	var b struct {
		Email       *string `json:"email"`
		PhoneNumber *string `json:"phoneNumber"`
	}
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	const form = "enrollment-channel-data"
	channel := c.t.ov.channel
	e := Email{Channel: ChannelEmail, Subject: "Activate Okta Verify"}
	if channel == "sms" {
		to := ""
		if b.PhoneNumber != nil {
			to = strings.TrimSpace(*b.PhoneNumber)
		}
		switch {
		case to == "":
			return c.failField(http.StatusBadRequest, form, "phoneNumber", msgBlank())
		case !validPhone(to):
			return c.fail(http.StatusBadRequest, msgPhoneInvalid())
		}
		e = Email{Channel: ChannelSMS, To: to}
	} else {
		to := ""
		if b.Email != nil {
			to = strings.TrimSpace(*b.Email)
		}
		if to == "" {
			return c.failField(http.StatusBadRequest, form, "email", msgBlank())
		}
		if at := strings.LastIndex(to, "@"); at <= 0 || at == len(to)-1 {
			return c.failField(http.StatusBadRequest, form, "email", msgInvalidValue("email"))
		}
		e.To = to
	}
	c.t.setStep(stepOVEnrollPoll, k)
	c.t.ov = oktaVerifyState{channel: channel, to: e.To, instance: c.t.ov.instance}
	k.sendActivation(c, e)
	return c.ok()
}

// sendActivation sends e, the activation link message, with a new link
// that replaces any earlier one.
func (k *oktaVerifyKind) sendActivation(c *call, e Email) {
	token := randomToken(24)
	e.Body = fmt.Sprintf("To set up Okta Verify, open this link on your mobile device: %s/idxtest/okta-verify/activate?token=%s",
		c.s.URL, token)
	c.send(e)
	c.t.ov.link = token
}

// resend sends a push with a number challenge again, with a new number,
// or the activation link of an enrollment by email or SMS, to the same
// address or number: the new link replaces the old one, which no longer
// activates anything. Nothing else can be resent.
func (k *oktaVerifyKind) resend(c *call) *idxResult {
	t := c.t
	if t.step == stepOVChallengePoll && t.ov.answer != "" {
		// A new push, with a new number: the old one can no longer be
		// approved.
		return k.challenge(c, "push", false)
	}
	if t.step != stepOVEnrollPoll || t.ov.link == "" {
		return failPtr(c.fail(http.StatusForbidden, msgNotAllowed()))
	}
	e := Email{Channel: ChannelEmail, To: t.ov.to, Subject: "Activate Okta Verify"}
	if t.ov.channel == "sms" {
		e = Email{Channel: ChannelSMS, To: t.ov.to}
	}
	k.sendActivation(c, e)
	return nil
}

// Test API: the user's device.

// pushFor runs op on every live transaction of username waiting for an
// Okta Verify push, under s.mu; it fails if there is none.
func (s *Server) pushFor(username string, op func(t *transaction) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	for _, t := range s.transactions {
		if t.user == nil || !strings.EqualFold(t.user.Username, username) ||
			t.step != stepOVChallengePoll && t.step != stepCustomAppPoll || t.ov.push != pushPending || t.blind() {
			continue
		}
		found = true
		if err := op(t); err != nil {
			return err
		}
	}
	if !found {
		return fmt.Errorf("idxtest: no Okta Verify push waiting for %q", username)
	}
	return nil
}

// ApprovePush approves, on the user's device, the Okta Verify push (or
// the custom app's push) of every sign-in of username waiting for one:
// the next poll of each succeeds. It fails if no push is waiting, or if the push carries a
// number challenge ([WithOktaVerifyNumberChallenge]): use [Server.AnswerPush].
func (s *Server) ApprovePush(username string) error {
	return s.pushFor(username, func(t *transaction) error {
		if t.ov.answer != "" {
			return fmt.Errorf("idxtest: the push to %q has a number challenge; use AnswerPush", username)
		}
		t.ov.push = pushApproved
		return nil
	})
}

// RejectPush rejects the waiting Okta Verify (or custom app) push of
// username: the next poll answers with Okta's rejection message
// (api.authn.poll.error.push_rejected) and offers a new push ("resend")
// or another authenticator. It fails if no push is waiting.
func (s *Server) RejectPush(username string) error {
	return s.pushFor(username, func(t *transaction) error {
		t.ov.push = pushRejected
		return nil
	})
}

// AnswerPush answers the number challenge of the waiting Okta Verify push
// of username with number: the right number approves the push, a wrong
// one rejects it, as the app does. It fails if no push is waiting or if
// the push has no number challenge.
func (s *Server) AnswerPush(username string, number int) error {
	return s.pushFor(username, func(t *transaction) error {
		if t.ov.answer == "" {
			return fmt.Errorf("idxtest: the push to %q has no number challenge; use ApprovePush", username)
		}
		if strconv.Itoa(number) == t.ov.answer {
			t.ov.push = pushApproved
		} else {
			t.ov.push = pushRejected
		}
		return nil
	})
}

// ActivateOktaVerify completes, as the app on the user's device would,
// every Okta Verify enrollment of username waiting in enroll-poll (by QR
// code, or after the activation link was sent by email or SMS): the next
// poll enrolls the app and moves on. Opening the activation link of the
// email or SMS (GET /idxtest/okta-verify/activate?token=...) does the
// same for its own enrollment. It fails if no enrollment is waiting.
func (s *Server) ActivateOktaVerify(username string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	for _, t := range s.transactions {
		if t.user != nil && strings.EqualFold(t.user.Username, username) && t.step == stepOVEnrollPoll {
			t.ov.activated = true
			found = true
		}
	}
	if !found {
		return fmt.Errorf("idxtest: no Okta Verify enrollment waiting for %q", username)
	}
	return nil
}

// serveOktaVerifyActivate answers GET /idxtest/okta-verify/activate, the
// activation link sent by email or SMS: it activates the enrollment
// waiting for that link, as the app would once opened from it.
func (s *Server) serveOktaVerifyActivate(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	found := false
	if token != "" {
		s.mu.Lock()
		for _, t := range s.transactions {
			if t.step == stepOVEnrollPoll && t.ov.link != "" && subtle.ConstantTimeCompare([]byte(t.ov.link), []byte(token)) == 1 {
				t.ov.activated = true
				found = true
			}
		}
		s.mu.Unlock()
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !found {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "This activation link is invalid or has expired.\n")
		return
	}
	_, _ = io.WriteString(w, "Okta Verify is activated. Return to the sign-in page.\n")
}

// OktaVerifySecret returns the base32 TOTP secret of username's Okta
// Verify, for [TOTP]: the one made at enrollment, or, for a user enrolled
// with [User].OktaVerify, one made on first use. It fails if the user is
// unknown or has no Okta Verify.
func (s *Server) OktaVerifySecret(username string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[strings.ToLower(username)]
	if u == nil || u.enrollments[AuthenticatorOktaVerify] == nil {
		return "", fmt.Errorf("idxtest: user %q has no Okta Verify", username)
	}
	return s.org.byKey[AuthenticatorOktaVerify].(*oktaVerifyKind).secret(u), nil
}
