package idx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/remediate"
)

// Status is where a transaction stands, as in okta-auth-js's IdxStatus.
type Status string

// The statuses of a transaction.
const (
	// StatusPending: the server waits for the step in NextStep.
	StatusPending Status = "PENDING"
	// StatusSuccess: the user is signed in; Tokens holds the tokens.
	StatusSuccess Status = "SUCCESS"
	// StatusTerminal: the server ended the transaction with a message (see
	// Messages), for example after a password reset or an email link.
	StatusTerminal Status = "TERMINAL"
	// StatusCanceled: the transaction was canceled.
	StatusCanceled Status = "CANCELED"
)

// Transaction is the outcome of one call.
type Transaction struct {
	// Status is where the transaction stands.
	Status Status
	// State is the handle to pass to the next call of this transaction. It
	// is a key into the TransactionStore, not the server's stateHandle; keep
	// it out of URLs all the same (it lets its holder continue the sign-in).
	State string
	// NextStep is the step the caller must complete (PENDING only): the
	// first step in server order that a server-side app can take. Steps
	// only the user's device can take (device-apple-sso-extension,
	// device-challenge-poll, launch-authenticator, ...) and the resend
	// step after a rejected push come after every other step.
	NextStep *NextStep
	// AvailableSteps are every step the server offers now, in server order.
	AvailableSteps []NextStep
	// Messages are the server's messages, top-level first, then those
	// attached to fields.
	Messages []Message
	// Rejection is non-nil when the server refused the last request of the
	// call (a wrong code, a wrong password) and the transaction goes on. It
	// is a [*RejectionError]; test it with errors.Is(tx.Rejection,
	// ErrInvalidPasscode).
	Rejection error
	// ExpiresAt is when the server forgets the transaction.
	ExpiresAt time.Time
	// Tokens holds the verified tokens on SUCCESS.
	Tokens *Tokens
	// EnabledFeatures are the flows the server offers from this point, as
	// okta-auth-js's enabledFeatures (PENDING only).
	EnabledFeatures []Feature
	// Outcome names what a TERMINAL transaction without an error achieved
	// (an account unlocked, a password reset). On a SUCCESS or PENDING
	// transaction it names what an answer of this call achieved on the
	// way: [OutcomeAccountUnlocked] when the org unlocked the account and
	// went on with the sign-in, to the app (SUCCESS) or to another
	// authenticator (PENDING). Empty otherwise.
	Outcome Outcome
	// DeviceAssurance is set on a TERMINAL transaction the org ended
	// because the user's device does not meet its device assurance
	// policy (errors.Is(tx.Err(), ErrDeviceNotCompliant)): what to
	// change, and where to find help.
	DeviceAssurance *DeviceAssurance

	// consentDenied: the call refused consent and the org ended the
	// transaction (Err matches ErrConsentDenied).
	consentDenied bool
}

// Feature is a flow the server offers, as okta-auth-js's IdxFeature.
type Feature string

// The features a transaction may offer.
const (
	// FeaturePasswordRecovery: RecoverPassword can start here.
	FeaturePasswordRecovery Feature = "recover-password"
	// FeatureRegistration: Register can start here (select-enroll-profile).
	FeatureRegistration Feature = "enroll-profile"
	// FeatureSocialIDP: identity providers are offered (redirect-idp steps).
	FeatureSocialIDP Feature = "redirect-idp"
	// FeatureAccountUnlock: UnlockAccount can start here.
	FeatureAccountUnlock Feature = "unlock-account"
)

// Outcome is what a transaction the server ended without an error
// achieved, from the i18n key of its message.
type Outcome string

// The outcomes of TERMINAL transactions.
const (
	// OutcomeAccountUnlocked: the account is unlocked
	// (oie.selfservice.unlock_user.success.message); on a TERMINAL
	// transaction the user signs in anew. Orgs that go on with the
	// sign-in after the unlock
	// (oie.selfservice.unlock_user.landing.to.app.success.message) report
	// it on the SUCCESS transaction, or on the PENDING one that asks for
	// another authenticator.
	OutcomeAccountUnlocked Outcome = "ACCOUNT_UNLOCKED"
	// OutcomePasswordReset: the password was reset (idx.recovery.completed);
	// the user signs in anew.
	OutcomePasswordReset Outcome = "PASSWORD_RESET"
	// OutcomeReturnToOriginalTab: the email link was verified and the
	// sign-in goes on where it started (idx.return.to.original.tab). It
	// also ends an email-challenge-consent step the user allowed.
	OutcomeReturnToOriginalTab Outcome = "RETURN_TO_ORIGINAL_TAB"
	// OutcomeDeviceActivated: the device of a device activation is
	// activated (idx.device.activated); it receives its tokens itself.
	OutcomeDeviceActivated Outcome = "DEVICE_ACTIVATED"
	// OutcomeActivationEmailSent: the org took the request for a new
	// activation email (idx.request.activation.email), sent after an expired
	// activation token's request-activation-email step; the user follows the
	// new email's link.
	OutcomeActivationEmailSent Outcome = "ACTIVATION_EMAIL_SENT"
)

// Err returns the error the transaction carries: Rejection when PENDING;
// when the server ended it with an error message (of class ERROR, or any
// message whose key names an error kind, such as the INFO
// idx.return.link.expired Okta sends for an expired email link) or after
// the call refused consent (it then matches [ErrConsentDenied]), an error
// that matches the kind of each such message and prints their keys only
// (their text stays in Messages); nil otherwise. Branch on it with
// errors.Is, as in errors.Is(tx.Err(), idx.ErrLockedOut): a message of no
// known kind still makes Err non-nil.
func (t *Transaction) Err() error {
	if t == nil {
		return nil
	}
	switch t.Status {
	case StatusPending:
		return t.Rejection
	case StatusTerminal:
		var errs []Message
		for _, m := range t.Messages {
			if m.Class == "ERROR" || kindOf(m.Key) != nil {
				errs = append(errs, m)
			}
		}
		if len(errs) > 0 || t.consentDenied {
			return &terminalError{messages: errs, consentDenied: t.consentDenied}
		}
	}
	return nil
}

// NextStep describes a step the caller must complete, as okta-auth-js's
// nextStep does.
type NextStep struct {
	// Name is the server's remediation name, e.g. "challenge-authenticator".
	Name string
	// Type is the type of the step's authenticator ("email", "password",
	// "phone", ...), empty when the step is about none.
	Type string
	// Inputs are the values the step asks for, under the names
	// Options uses (username, password, authenticator,
	// verificationCode, methodType, ...); fields without such a name keep
	// their dotted form path and are answered through Values.
	Inputs []authenticator.Input
	// Options are the choices of the step's choosing input: authenticators
	// (by key) for select-authenticator-*, methods for the data steps.
	Options []authenticator.Choice
	// Authenticator is the authenticator the step is about, if any.
	Authenticator *Authenticator
	// CanResend reports that the code can be sent again, or after a
	// rejected push a new push sent (Resend).
	CanResend bool
	// CanSkip reports that the server offers to skip this step (Skip).
	// For profile-update, the attributes the org asks for at sign-in,
	// it is true only when every attribute is optional: Okta lists its
	// skip beside required attributes too, but they cannot be left out.
	CanSkip bool
	// Poll is set when the server can be polled for this step's outcome:
	// call Client.Poll after waiting Poll.Refresh.
	Poll *Poll
	// AuthenticatorEnrollments are the user's enrolled authenticators, when
	// the server lists them.
	AuthenticatorEnrollments []Authenticator
	// IDP is the identity provider of a redirect-idp step (or the vendor
	// of a redirect-idverify step, identity verification, of Type
	// "ID_PROOFING"), and Href the URL to send the user's browser to;
	// HandleCallback finishes its redirect back. The org chooses it: it
	// may be on another host (an mTLS or social provider); check it
	// against the providers the app expects before redirecting.
	IDP  *IDP
	Href string
	// Captcha is the captcha the user must solve before the step is
	// answered (identify, enroll-profile, identify-recovery on orgs with
	// bot protection), nil when none; its token goes in
	// Options.CaptchaToken.
	Captcha *Captcha
	// DeviceChallenge is set on a step only the user's own device can
	// complete (FastPass, device-challenge-poll, launch-authenticator,
	// Apple's SSO extension): where to send the browser, and how to stop
	// waiting (see [authenticator.DeviceChallenge], Okta Verify's
	// authenticatorChallenge). Nil for other steps.
	DeviceChallenge *authenticator.DeviceChallenge
	// DeviceAssurance is set on the device-assurance-grace-period step:
	// the device does not meet the org's policy, which it must by
	// DeviceAssurance.GracePeriodEnds. The step is its own skip: CanSkip
	// is set, and [Client.Skip] (or Options.Step naming it) goes on with
	// the sign-in.
	DeviceAssurance *DeviceAssurance
	// PasswordPage is the org's own page for changing the password, on
	// the reenroll-custom-password-expiry steps (expired, or about to
	// expire, with a skip): send the user there (Label names it), as
	// Okta's Sign-In Widget does rather than ask for a new password, and
	// sign in anew once it is changed.
	PasswordPage *Link
	// GracePeriods are, on select-authenticator-enroll, the authenticators
	// on offer that the org requires but lets the user put off enrolling,
	// by key, with for how long; nil when none. While every authenticator
	// on offer may be put off, the step CanSkip.
	GracePeriods map[authenticator.Key]*GracePeriod
	// Consent is what a consent step asks the user to grant, nil on other
	// steps; answer it with Options.Consent.
	Consent *Consent
}

// IDP is an identity provider offered by a redirect-idp step.
type IDP struct {
	// ID is the provider's id in the org, Name its name as the org shows
	// it.
	ID   string
	Name string
	// Type is the provider's kind as the server names it ("GOOGLE",
	// "SAML2", "X509", ..., "ID_PROOFING" for an identity verification
	// vendor).
	Type string
	// TermsOfUse, PrivacyPolicy and Logo are the URLs of an identity
	// verification vendor's terms, privacy policy and logo, for the page
	// that sends the user there; empty when the org gives none.
	TermsOfUse, PrivacyPolicy, Logo string
}

// Authenticator describes an authenticator a step is about.
type Authenticator struct {
	// ID is the authenticator's (or enrollment's) id in the org.
	ID string
	// Key is the authenticator's key ("okta_email", "phone_number", ...),
	// Type its type ("email", "phone", ...) and DisplayName its name as
	// the org shows it.
	Key         authenticator.Key
	Type        string
	DisplayName string
	// Methods are the method types ("email", "sms", "voice", "push", ...).
	Methods []string
	// Profile holds the (masked) profile, e.g. "email": "d***o@example.com".
	Profile map[string]string
	// ContextualData is enrollment data (challenge, questions, ...) as the
	// server sent it, without the TOTP shared secret and the QR code,
	// which are secrets: they are only in Context.SharedSecret and
	// Context.QRCode.
	ContextualData json.RawMessage
	// Context is ContextualData read: the QR code, shared secret, security
	// questions, WebAuthn options, Okta Verify's number challenge and
	// Duo's prompt.
	Context *authenticator.ContextualData
	// Settings are the rules the org set for the authenticator: the
	// password's complexity and age (show them before the user picks a
	// new password), an NFC PIN's length; nil when the server gives none.
	Settings *authenticator.Settings
	// CredentialID is an enrolled authenticator's credential: for a
	// WebAuthn enrollment (in AuthenticatorEnrollments) the credential ID
	// (base64url) to list in allowCredentials, so that the browser can
	// use a security key that holds no discoverable credential.
	CredentialID string
	// Transports are the WebAuthn transports of that credential ("usb",
	// "nfc", "ble", "internal", "hybrid"), as the server gives them.
	Transports []string
}

// Poll says how the server wants a step polled.
type Poll struct {
	// Required is true when polling is the only way on (push, magic link
	// waits); false when it is one way among others.
	Required bool
	// Refresh is the interval the server asks for.
	Refresh time.Duration
}

// Message is a server message.
type Message struct {
	// Class is ERROR, INFO or WARNING.
	Class string
	// Key is the i18n key, e.g. "api.authn.error.PASSCODE_INVALID"; branch
	// on it, not on Text.
	Key string
	// Text is the server's (localised) text.
	Text string
	// Field is the input the message is about, empty for top-level ones.
	Field string
	// Params are the i18n parameters of Key, for apps that localise Text
	// themselves (for example the minimum length in a password rule).
	Params []any
	// Links are the message's links, in server order: where to read how
	// to make a change the message asks for, the org's help page and, for
	// a change an app on the user's device makes, the app link to open
	// when that app does not answer.
	Links []Link
	// Messages are messages nested in this one: for a change an app on
	// the user's device makes, what to tell the user when that app does
	// not answer.
	Messages []Message
}

// String gives a short description without secrets.
func (t *Transaction) String() string {
	if t == nil {
		return "<nil>"
	}
	s := "idx.Transaction{Status: " + string(t.Status)
	if t.NextStep != nil {
		s += ", NextStep: " + t.NextStep.Name
	}
	return s + "}"
}

// Format prints the transaction without its State or tokens, whatever the
// verb.
func (t *Transaction) Format(f fmt.State, _ rune) { fmt.Fprint(f, t.String()) }

// LogValue logs the status and step only.
func (t *Transaction) LogValue() slog.Value {
	if t == nil {
		return slog.StringValue("<nil>")
	}
	attrs := []slog.Attr{slog.String("status", string(t.Status))}
	if t.NextStep != nil {
		attrs = append(attrs, slog.String("step", t.NextStep.Name))
	}
	return slog.GroupValue(attrs...)
}

// newStep is the public form of step d.
func newStep(d remediate.Step) NextStep {
	s := NextStep{Name: d.Name, Type: d.Type, CanResend: d.CanResend, CanSkip: d.CanSkip, Href: d.Href, Consent: newConsent(d.Consent)}
	for _, in := range d.Inputs {
		pin := in.Input
		pin.Options = slices.Clone(in.Options)
		if s.Options == nil && len(pin.Options) > 0 {
			s.Options = pin.Options
		}
		s.Inputs = append(s.Inputs, pin)
	}
	if d.Authenticator != nil {
		s.Authenticator = newAuthenticator(d.Authenticator)
	}
	if d.Poll != nil {
		s.Poll = &Poll{Required: d.Poll.Required, Refresh: d.Poll.Refresh}
	}
	for _, e := range d.Enrollments {
		s.AuthenticatorEnrollments = append(s.AuthenticatorEnrollments, *newAuthenticator(e))
	}
	if d.IDP != nil {
		s.IDP = &IDP{ID: d.IDP.ID, Name: d.IDP.Name, Type: d.Type,
			TermsOfUse: d.IDP.TermsOfUse, PrivacyPolicy: d.IDP.PrivacyPolicy, Logo: d.IDP.Logo}
	}
	s.Captcha = newCaptcha(d.Captcha)
	s.DeviceChallenge = d.Device // a new value per Describe: nothing shared
	describeAssurance(&s, d)
	return s
}

func newAuthenticator(a *ion.Authenticator) *Authenticator {
	out := &Authenticator{
		ID:             a.ID,
		Key:            authenticator.Key(a.Key),
		Type:           a.Type,
		DisplayName:    a.DisplayName,
		Methods:        slices.Clone(a.Methods),
		ContextualData: slices.Clone(a.ContextualData), // a.ContextualData refers to the answer's body
	}
	// A contextualData that cannot be read is still given raw; settings
	// that cannot be read are only shown, so are left out.
	out.Context, _ = authenticator.ParseContextualData(out.ContextualData)
	out.Settings, _ = authenticator.ParseSettings(a.Settings)
	out.CredentialID = a.CredentialID
	out.Transports = transports(a)
	out.ContextualData = withoutSecrets(out.ContextualData)
	for k, v := range a.Profile {
		if s, ok := v.(string); ok {
			if out.Profile == nil {
				out.Profile = map[string]string{}
			}
			out.Profile[k] = s
		}
	}
	return out
}

// transports reads a WebAuthn enrollment's transports: the array the
// authenticator object carries or, as some orgs send it, the profile's
// transports string (one transport, or several separated by commas).
func transports(a *ion.Authenticator) []string {
	var out []string
	if json.Unmarshal(a.Transports, &out) == nil && len(out) > 0 {
		return out
	}
	out = nil
	if s, ok := a.Profile["transports"].(string); ok {
		for _, t := range strings.Split(s, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// withoutSecrets returns the contextualData object raw without its
// sharedSecret and qrcode members (the TOTP seed, and an image of it or
// of an activation link), so that printing or marshalling an
// Authenticator cannot show them. Anything that is not an object with
// those members is returned as is.
func withoutSecrets(raw json.RawMessage) json.RawMessage {
	if !bytes.Contains(raw, []byte(`"sharedSecret"`)) && !bytes.Contains(raw, []byte(`"qrcode"`)) {
		return raw
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil // unreadable and naming a secret member: give none
	}
	delete(m, "sharedSecret")
	delete(m, "qrcode")
	out, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return out
}

// newMessages are the response's messages (see remediate.Messages);
// steps are r's remediations described.
func newMessages(r *ion.Response, steps []remediate.Step) []Message {
	ms := remediate.Messages(r, steps)
	if len(ms) == 0 {
		return nil
	}
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = newMessage(m)
	}
	return out
}

// pendingTransaction describes a response that offers remediations. The
// next step is the one named by step when offered, else the first a
// server-side app can act on (see remediate.NextStep).
func pendingTransaction(r *ion.Response, state, step string) *Transaction {
	steps := remediate.DescribeAll(r)
	tx := &Transaction{Status: StatusPending, State: state, ExpiresAt: r.ExpiresAt, Messages: newMessages(r, steps)}
	for _, d := range steps {
		tx.AvailableSteps = append(tx.AvailableSteps, newStep(d))
	}
	if i := remediate.NextStep(r, step); i >= 0 {
		ns := tx.AvailableSteps[i]
		tx.NextStep = &ns
	}
	for _, f := range remediate.Features(r) {
		tx.EnabledFeatures = append(tx.EnabledFeatures, Feature(f))
	}
	return tx
}
