package idxtest

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Channels an [Email] can go by.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
	ChannelVoice = "voice"
)

// Email is a message the fake org "sent": an email, or a text message or
// voice call to a phone. Nothing leaves the process: messages go to the
// server's outbox.
type Email struct {
	// Channel is how it went: ChannelEmail, ChannelSMS or ChannelVoice.
	Channel string
	// To is the recipient: the user's email address, or the phone number
	// (E.164) for SMS and voice.
	To string
	// Subject is the subject line; empty for SMS and voice.
	Subject string
	// Body is the plain-text body (the text message, the words spoken);
	// it contains Code.
	Body string
	// Code is the one-time code the message carries, or the activation
	// token of an activation email (token_errors.go).
	Code string
	// Link is the magic link of an email code (see magiclink.go): GET
	// redirects to the app with otp and state, POST confirms it.
	Link string
	// SentAt is when it was sent, by the server's clock.
	SentAt time.Time
}

// emailJSON is an Email as GET /idxtest/outbox lists it. The channel is
// left out for emails.
type emailJSON struct {
	Channel string `json:"channel,omitempty"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	Code    string `json:"code"`
	SentAt  string `json:"sentAt"`
}

// newCode mints a new one-time code for c.t, which replaces any earlier
// one.
// When the transaction verifies for show only (recovery_authenticators.go)
// the code in force is one no one can enter.
func (c *call) newCode() string {
	code := sixDigitCode()
	c.t.code = code
	if c.t.blind() {
		c.t.code = randomToken(32)
	}
	c.t.codeExpiresAt = c.now.Add(c.s.cfg.codeLifetime)
	return code
}

// sendEmailCode sends a new code to c.t.user's email address, with the
// magic link link unless it is empty.
func (c *call) sendEmailCode(link string) {
	u := c.t.user
	code := c.newCode()
	greeting := "Hi,"
	if u.GivenName != "" {
		greeting = "Hi " + u.GivenName + ","
	}
	orLink := ""
	if link != "" {
		orLink = "Or sign in with this link: " + link + "\n\n"
	}
	c.send(Email{
		Channel: ChannelEmail,
		To:      u.Email,
		Subject: "Your one-time verification code",
		Body: fmt.Sprintf("%s\n\nYour verification code is %s. It expires in %s.\n\n%sIf you did not try to sign in, ignore this email.\n",
			greeting, code, lifetimeText(c.s.cfg.codeLifetime), orLink),
		Code: code,
		Link: link,
	})
}

// send records a message in the outbox, stamped with the current time,
// and keeps it for the hook, which runs after s.mu is released. Nothing
// is sent when the transaction verifies for show only
// (recovery_authenticators.go).
func (c *call) send(e Email) {
	if c.t != nil && c.t.blind() {
		return
	}
	s := c.s
	e.SentAt = c.now
	s.outbox = append(s.outbox, e)
	if s.lastEmail == nil {
		s.lastEmail = map[string]int{}
	}
	s.lastEmail[foldKey(e.To)] = len(s.outbox) - 1
	s.cfg.logger.Info("idxtest message sent", "channel", e.Channel)
	c.sent = append(c.sent, e)
}

// checkCode checks the passcode of a challenge-authenticator or
// enroll-authenticator body (form) against the code in force: nil when it
// matches. An expired code gets the same answer as a wrong one: Okta's
// captured answers know only PASSCODE_INVALID.
func (c *call) checkCode(form string, raw []byte) *idxResult {
	var b answerBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	if c.t.code == "" {
		return failPtr(c.fail(http.StatusForbidden, msgNotAllowed()))
	}
	passcode := strings.TrimSpace(b.Credentials.value())
	if passcode == "" {
		return failPtr(c.failField(http.StatusBadRequest, form, "credentials.passcode", msgBlank()))
	}
	if res := c.verificationLocked(); res != nil { // limits.go
		return res
	}
	if !c.now.Before(c.t.codeExpiresAt) || subtle.ConstantTimeCompare([]byte(passcode), []byte(c.t.code)) != 1 {
		c.s.cfg.logger.Info("idxtest code rejected")
		return c.countAttempt(failPtr(c.failField(http.StatusUnauthorized, form, "credentials.passcode", msgPasscodeInvalid())))
	}
	return c.countAttempt(nil)
}

func lifetimeText(d time.Duration) string {
	if d%time.Minute == 0 {
		if m := int(d / time.Minute); m == 1 {
			return "1 minute"
		} else {
			return fmt.Sprintf("%d minutes", m)
		}
	}
	return d.String()
}

// Outbox returns a copy of every message (email, SMS, voice) sent so far, in send order.
func (s *Server) Outbox() []Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Email{}, s.outbox...)
}

// LastCode returns the code of the newest message sent to to, an email
// address (compared without regard to case) or a phone number, and whether there is one. A new code
// replaces the previous one of the same transaction, so this is the code in
// force, unless it has expired. Codes are per transaction: when several
// sign-ins of one user run at once, the newest email may belong to another
// of them; give each concurrent test its own user.
func (s *Server) LastCode(to string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.lastEmail[foldKey(to)]; ok {
		return s.outbox[i].Code, true
	}
	return "", false
}

// foldKey maps addresses that strings.EqualFold finds equal, and only
// those, to the same key: each rune becomes the smallest rune of its
// case-folding orbit. It indexes the newest email per address, so that
// LastCode does not scan the whole outbox.
func foldKey(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'a' <= c && c <= 'z' {
			ascii = false
			break
		}
	}
	if ascii {
		return s // no lower-case letters to fold, nothing to decode
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		b.WriteRune(m)
	}
	return b.String()
}

// outboxChannel is the channel as the JSON outbox lists it: left out for
// emails, which it listed before there were other channels.
func outboxChannel(ch string) string {
	if ch == ChannelEmail {
		return ""
	}
	return ch
}

// serveOutbox answers GET /idxtest/outbox with the outbox as a JSON array.
func (s *Server) serveOutbox(w http.ResponseWriter, _ *http.Request) {
	list := make([]emailJSON, 0)
	for _, e := range s.Outbox() {
		list = append(list, emailJSON{
			Channel: outboxChannel(e.Channel),
			To:      e.To,
			Subject: e.Subject,
			Body:    e.Body,
			Code:    e.Code,
			SentAt:  e.SentAt.UTC().Format(time.RFC3339Nano),
		})
	}
	writeJSON(w, http.StatusOK, "application/json", list)
}
