package authenticator

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
)

// ContextualData is the data an authenticator object carries for the
// user interface of its step: a QR code and shared secret to enroll an
// authenticator app, the security questions on offer, the WebAuthn
// challenge, the number to pick in Okta Verify, or Duo's prompt.
type ContextualData struct {
	// QRCode is the enrollment QR code (google_otp, okta_verify).
	QRCode *QRCode
	// SharedSecret is the TOTP seed for manual entry (google_otp). It is a
	// secret: show it to the user, never log it. Printing, logging or
	// marshalling a ContextualData to JSON leaves it out.
	SharedSecret string `json:"-"`
	// Questions are the predefined security questions (enrollment), and
	// QuestionKeys their keys.
	Questions    []Question
	QuestionKeys []string
	// EnrolledQuestion is the question the user answers (verification).
	EnrolledQuestion *Question
	// ChallengeData is the WebAuthn request options for
	// navigator.credentials.get, as the server sent them.
	ChallengeData json.RawMessage
	// ActivationData is the WebAuthn creation options for
	// navigator.credentials.create, as the server sent them.
	ActivationData json.RawMessage
	// CorrectAnswer is the number the user must pick in Okta Verify
	// (number challenge), empty when there is none.
	CorrectAnswer string
	// SelectedChannel is the Okta Verify enrollment channel in use
	// ("qrcode", "email", "sms").
	SelectedChannel string
	// Duo is what the browser needs to run Duo's prompt (duo), nil for
	// other authenticators.
	Duo *DuoPrompt
}

// DuoPrompt is the Duo Web prompt of a duo step. The browser loads Script,
// shows the prompt for Host with SignedToken (an iframe, as
// IntegrationType "IFRAME" says), and gets back a signed response, which
// answers the step as "duoSignature".
type DuoPrompt struct {
	Host            string
	SignedToken     string
	Script          string
	IntegrationType string
}

// QRCode is an enrollment QR code. The image encodes a secret (the TOTP
// seed, or Okta Verify's activation link): show it to the user, never log
// it. Printing, logging or marshalling a QRCode to JSON leaves Href out.
type QRCode struct {
	// Href is the image, usually a data: URL.
	Href string `json:"-"`
	// Method is how it is given ("embedded").
	Method string
	// Type is the image's media type ("image/png").
	Type string
}

// Question is a security question.
type Question struct {
	Key  string
	Text string
}

type wireContext struct {
	QRCode *struct {
		Href   string `json:"href"`
		Method string `json:"method"`
		Type   string `json:"type"`
	} `json:"qrcode"`
	SharedSecret string `json:"sharedSecret"`
	Questions    []struct {
		Question    string `json:"question"`
		QuestionKey string `json:"questionKey"`
	} `json:"questions"`
	QuestionKeys     []string `json:"questionKeys"`
	EnrolledQuestion *struct {
		Question    string `json:"question"`
		QuestionKey string `json:"questionKey"`
	} `json:"enrolledQuestion"`
	ChallengeData   json.RawMessage `json:"challengeData"`
	ActivationData  json.RawMessage `json:"activationData"`
	CorrectAnswer   json.RawMessage `json:"correctAnswer"`
	SelectedChannel string          `json:"selectedChannel"`
	// Duo's prompt.
	Host            string `json:"host"`
	SignedToken     string `json:"signedToken"`
	Script          string `json:"script"`
	IntegrationType string `json:"integrationType"`
}

// ParseContextualData reads the contextualData object of an authenticator.
// Members it does not know are ignored; nil or null gives nil.
func ParseContextualData(raw []byte) (*ContextualData, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var w wireContext
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("authenticator: contextualData: %w", err)
	}
	c := &ContextualData{
		SharedSecret:    w.SharedSecret,
		QuestionKeys:    w.QuestionKeys,
		SelectedChannel: w.SelectedChannel,
	}
	if w.QRCode != nil {
		c.QRCode = &QRCode{Href: w.QRCode.Href, Method: w.QRCode.Method, Type: w.QRCode.Type}
	}
	for _, q := range w.Questions {
		c.Questions = append(c.Questions, Question{Key: q.QuestionKey, Text: q.Question})
	}
	if w.SignedToken != "" || w.Host != "" {
		c.Duo = &DuoPrompt{Host: w.Host, SignedToken: w.SignedToken, Script: w.Script, IntegrationType: w.IntegrationType}
	}
	if w.EnrolledQuestion != nil {
		c.EnrolledQuestion = &Question{Key: w.EnrolledQuestion.QuestionKey, Text: w.EnrolledQuestion.Question}
	}
	if len(w.ChallengeData) > 0 && string(w.ChallengeData) != "null" {
		c.ChallengeData = w.ChallengeData
	}
	if len(w.ActivationData) > 0 && string(w.ActivationData) != "null" {
		c.ActivationData = w.ActivationData
	}
	if ans := w.CorrectAnswer; len(ans) > 0 && string(ans) != "null" {
		var s string
		var n json.Number
		switch {
		case json.Unmarshal(ans, &s) == nil:
			c.CorrectAnswer = s
		case json.Unmarshal(ans, &n) == nil:
			c.CorrectAnswer = n.String()
		default:
			return nil, fmt.Errorf("authenticator: contextualData: correctAnswer is neither a number nor a string")
		}
	}
	return c, nil
}

// Format prints the code without its image, whatever the verb.
func (q QRCode) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "authenticator.QRCode{Href: %s, Method: %q, Type: %q}", redacted(q.Href), q.Method, q.Type)
}

// LogValue logs the code without its image.
func (q *QRCode) LogValue() slog.Value {
	if q == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("method", q.Method), slog.String("type", q.Type))
}

// Format prints the data without the shared secret, whatever the verb.
func (c ContextualData) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "authenticator.ContextualData{QRCode: %t, SharedSecret: %s, Questions: %d, CorrectAnswer: %s}",
		c.QRCode != nil, redacted(c.SharedSecret), len(c.Questions), strconv.Quote(c.CorrectAnswer))
}

// LogValue logs the data without the shared secret.
func (c *ContextualData) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.Bool("qrcode", c.QRCode != nil), slog.Int("questions", len(c.Questions)))
}

func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "[redacted]"
}
