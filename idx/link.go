package idx

import "github.com/goidx/goidx/internal/ion"

// Link is a link the server gives the user to follow outside the
// sign-in: the page that says how to bring a device up to the org's
// requirements, the org's help page, the org's own page for changing a
// password. The org chooses it: show it as a link, never fetch it or
// redirect to it without the user.
type Link struct {
	// Label is the server's text for the link, empty when it gives none
	// (show the message the link belongs to instead).
	Label string
	// URL is where the link goes, as the server gave it.
	URL string
}

// newMessage converts a message with its links and nested messages.
func newMessage(m ion.Message) Message {
	out := Message{Class: m.Class, Key: m.Key, Text: m.Text, Field: m.Field, Params: m.Params}
	for _, l := range m.Links {
		out.Links = append(out.Links, Link{Label: l.Label, URL: l.URL})
	}
	for _, n := range m.Messages {
		out.Messages = append(out.Messages, newMessage(n))
	}
	return out
}
