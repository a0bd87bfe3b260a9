package idxtest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Email is a message the fake org "sent". Nothing leaves the process: emails
// go to the server's outbox.
type Email struct {
	// To is the recipient, the user's email address.
	To string
	// Subject is the subject line.
	Subject string
	// Body is the plain-text body; it contains Code.
	Body string
	// Code is the one-time code the email carries.
	Code string
	// SentAt is when it was sent, by the server's clock.
	SentAt time.Time
}

// emailJSON is an Email as GET /idxtest/outbox lists it.
type emailJSON struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	Code    string `json:"code"`
	SentAt  string `json:"sentAt"`
}

// sendCodeLocked mints a new code for t, which replaces any earlier one,
// records the email and moves t to the challenge state. The caller holds
// s.mu and passes the returned email to the hook after unlocking.
func (s *Server) sendCodeLocked(now time.Time, t *transaction) Email {
	code := sixDigitCode()
	t.code = code
	t.codeExpiresAt = now.Add(s.cfg.codeLifetime)
	t.state = stateChallenge
	greeting := "Hi,"
	if t.user.GivenName != "" {
		greeting = "Hi " + t.user.GivenName + ","
	}
	e := Email{
		To:      t.user.Email,
		Subject: "Your one-time verification code",
		Body: fmt.Sprintf("%s\n\nYour verification code is %s. It expires in %s.\n\nIf you did not try to sign in, ignore this email.\n",
			greeting, code, lifetimeText(s.cfg.codeLifetime)),
		Code:   code,
		SentAt: now,
	}
	s.outbox = append(s.outbox, e)
	if s.lastEmail == nil {
		s.lastEmail = map[string]int{}
	}
	s.lastEmail[foldKey(e.To)] = len(s.outbox) - 1
	s.cfg.logger.Info("idxtest email sent", "to", e.To)
	return e
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

// Outbox returns a copy of every email sent so far, in send order.
func (s *Server) Outbox() []Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Email{}, s.outbox...)
}

// LastCode returns the code of the newest email sent to the address to
// (compared without regard to case), and whether there is one. A new code
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

// serveOutbox answers GET /idxtest/outbox with the outbox as a JSON array.
func (s *Server) serveOutbox(w http.ResponseWriter, _ *http.Request) {
	list := make([]emailJSON, 0)
	for _, e := range s.Outbox() {
		list = append(list, emailJSON{
			To:      e.To,
			Subject: e.Subject,
			Body:    e.Body,
			Code:    e.Code,
			SentAt:  e.SentAt.UTC().Format(time.RFC3339Nano),
		})
	}
	writeJSON(w, http.StatusOK, "application/json", list)
}
