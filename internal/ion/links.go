package ion

import (
	"strings"
	"time"
)

// This file reads what some answers add to their messages, forms and
// authenticators for the user to act on outside the sign-in: the links of
// device assurance's messages and the fallback of a change an app on the
// device makes, the org's own page for an expired password, and the grace
// period of an enrollment the user may put off.

// wireLink is one of a message's links.
type wireLink struct {
	URL   string `json:"url"`
	Label string `json:"label"`
}

// wireDeviceRemediation is a change an app on the user's device makes
// (installing the Android Device Policy app), reached over a loopback
// port, with what to do when the app does not answer.
type wireDeviceRemediation struct {
	Fallback *wireFallback `json:"fallback"`
}

// wireFallback is a device remediation's fallback: an app link to open
// (type APP_LINK) or a message to show instead (type MESSAGE).
type wireFallback struct {
	Type    string   `json:"type"`
	Href    string   `json:"href"`
	Message *wireMsg `json:"message"`
}

// wireGracePeriod is how long an enrollment may be put off: until a time
// (BY_DATE_TIME) or for a number of skips (BY_SKIP_COUNT).
type wireGracePeriod struct {
	Type           string   `json:"type"`
	Expiry         string   `json:"expiry"`
	RemainingSkips *float64 `json:"remainingSkips"`
}

// Link is a link of a message: the page that says how to make a change,
// the org's help page.
type Link struct {
	// URL is where the link goes, as the server gave it.
	URL string
	// Label is the server's label for it, empty when it gives none.
	Label string
}

// GracePeriod is how long the user may put off enrolling an
// authenticator the org requires.
type GracePeriod struct {
	// Type is the server's kind of grace period: "BY_DATE_TIME",
	// "BY_SKIP_COUNT", or empty when it names none.
	Type string
	// Expiry is when the grace period ends, zero when the server gives
	// no readable time.
	Expiry time.Time
	// RemainingSkips is how many more times the enrollment may be
	// skipped; HasSkips reports that the server gave a count.
	RemainingSkips int
	HasSkips       bool
}

// convMessage converts one message with its links and, for a device
// remediation, its fallback: an app link joins Links, a message is
// nested in Messages.
func convMessage(w *wireMsg, depth int) Message {
	m := Message{Class: w.Class, Text: w.Message}
	if w.I18n != nil {
		m.Key = w.I18n.Key
		m.Params = w.I18n.Params
	}
	for _, l := range w.Links {
		if l.URL != "" {
			m.Links = append(m.Links, Link(l))
		}
	}
	if w.DeviceRemediation == nil || w.DeviceRemediation.Value == nil || w.DeviceRemediation.Value.Fallback == nil {
		return m
	}
	switch fb := w.DeviceRemediation.Value.Fallback; strings.ToUpper(fb.Type) {
	case "APP_LINK":
		if fb.Href != "" {
			m.Links = append(m.Links, Link{URL: fb.Href})
		}
	case "MESSAGE":
		if fb.Message != nil && depth < maxDepth {
			if n := convMessage(fb.Message, depth+1); n.Key != "" || n.Text != "" {
				m.Messages = append(m.Messages, n)
			}
		}
	}
	return m
}

// convGracePeriod converts an authenticator's grace period, nil when it
// has none.
func convGracePeriod(w *wireGracePeriod) *GracePeriod {
	if w == nil {
		return nil
	}
	g := &GracePeriod{Type: w.Type}
	if t, err := time.Parse(time.RFC3339Nano, w.Expiry); err == nil {
		g.Expiry = t
	}
	if w.RemainingSkips != nil && *w.RemainingSkips >= 0 && *w.RemainingSkips < 1<<31 {
		g.RemainingSkips, g.HasSkips = int(*w.RemainingSkips), true
	}
	return g
}
