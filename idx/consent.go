package idx

import "github.com/goidx/goidx/internal/remediate"

// Consent is what a consent step asks the user to grant: the app that
// asks and the scopes, as the org describes them. A page shows it and
// answers with [Options.Consent] (and, where ByScope is set,
// [Options.ConsentScopes]).
//
// Four steps ask for consent: "consent" (the user grants the app the
// scopes it asked for, which the org's authorization server marks as
// needing consent), "admin-consent" (the same for Okta API scopes, which
// an admin grants), "granular-consent" (the user grants the optional
// scopes one by one) and "email-challenge-consent" (an email link was
// opened in another browser than the sign-in that sent it, and the user
// says whether that sign-in is theirs: Browser and App describe it, and
// there are no scopes).
type Consent struct {
	// Scopes are the scopes asked for, in the org's order.
	Scopes []Scope
	// ByScope reports that the user grants the optional scopes one by
	// one (Options.ConsentScopes); otherwise they are granted or refused
	// together.
	ByScope bool
	// App is the label of the app that asks: for email-challenge-consent,
	// the app of the sign-in that sent the email.
	App string
	// Browser is, for email-challenge-consent, the browser the sign-in
	// that sent the email runs in ("FIREFOX"); empty otherwise.
	Browser string
	// TermsOfService, PrivacyPolicy and Logo are the app's links, as the
	// org gives them (empty when it gives none): pages to link and an
	// image to show beside the question. They are the org's settings for
	// the app; the SDK does not fetch them.
	TermsOfService, PrivacyPolicy, Logo string
}

// Scope is one scope a consent step asks the user to grant.
type Scope struct {
	// Name is the scope ("email", "okta.users.read", "custom1.custom2"),
	// the value Options.ConsentScopes takes.
	Name string
	// Label is the org's short text for it ("View your email address.")
	// and Description its longer one; either may be empty.
	Label       string
	Description string
	// Optional reports that the user may leave the scope out
	// (granular-consent only); the others are granted with consent.
	Optional bool
}

// ConsentAnswer answers a consent step: [ConsentAllow] or [ConsentDeny].
// The zero value answers nothing.
type ConsentAnswer string

// The answers to a consent step.
const (
	// ConsentAllow grants what the step asks for: every scope, or, on a
	// granular-consent step without Options.ConsentScopes, every scope as
	// the org offers it (all of them).
	ConsentAllow ConsentAnswer = "allow"
	// ConsentDeny refuses. The org ends the transaction: its Err matches
	// [ErrConsentDenied].
	ConsentDeny ConsentAnswer = "deny"
)

// newConsent converts the engine's description of a consent step.
func newConsent(c *remediate.Consent) *Consent {
	if c == nil {
		return nil
	}
	out := &Consent{ByScope: c.ByScope, App: c.App, Browser: c.Browser,
		TermsOfService: c.TermsOfService, PrivacyPolicy: c.PrivacyPolicy, Logo: c.Logo}
	for _, s := range c.Scopes {
		out.Scopes = append(out.Scopes, Scope{Name: s.Name, Label: s.Label, Description: s.Desc, Optional: s.Optional})
	}
	return out
}

// consentValues puts the consent options among the engine's values.
func (o *Options) consentValues(v remediate.Values) error {
	switch o.Consent {
	case "":
	case ConsentAllow, ConsentDeny:
		v[remediate.ValueConsent] = o.Consent == ConsentAllow
	default:
		return &InputError{Field: "Consent", Reason: "neither ConsentAllow nor ConsentDeny"}
	}
	if o.ConsentScopes == nil {
		return nil
	}
	if o.Consent == ConsentDeny {
		return &InputError{Field: "ConsentScopes", Reason: "set while Consent is ConsentDeny"}
	}
	for _, s := range o.ConsentScopes {
		if s == "" {
			return &InputError{Field: "ConsentScopes", Reason: "an empty scope name"}
		}
	}
	v[remediate.ValueOptedScopes] = append([]string(nil), o.ConsentScopes...)
	return nil
}
