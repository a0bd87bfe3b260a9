package idx

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goidx/goidx/internal/oauth"
)

// Okta's predefined authentication context classes, for
// [StartOptions.ACRValues]. The org answers with the one it met in the ID
// token's acr claim ([IDTokenClaims.ACR]).
const (
	// ACROneFactor asks for any one factor.
	ACROneFactor = "urn:okta:loa:1fa:any"
	// ACROneFactorPassword asks for the password, as the one factor.
	ACROneFactorPassword = "urn:okta:loa:1fa:pwd"
	// ACRTwoFactors asks for any two factors: a sign-in the org's policy
	// would let through with the password alone also asks for a second
	// authenticator.
	ACRTwoFactors = "urn:okta:loa:2fa:any"
	// ACRTwoFactorsIfPossible asks for two factors when the user has a
	// second one enrolled, one otherwise.
	ACRTwoFactorsIfPossible = "urn:okta:loa:2fa:any:ifpossible"
	// ACRPhishingResistant asks for a phishing-resistant authenticator
	// (a passkey / FIDO2 WebAuthn authenticator).
	ACRPhishingResistant = "phr"
	// ACRPhishingResistantHardware asks for a phishing-resistant
	// authenticator whose keys are held in hardware.
	ACRPhishingResistantHardware = "phrh"
)

// promptLogin is the OpenID Connect prompt StartOptions.PromptLogin sends.
const promptLogin = "login"

// Limits of the sign-in hints, well above what any real value needs.
const (
	maxHintLen    = 1024
	maxACRValues  = 8
	maxACRLen     = 256
	maxAgeCeiling = 366 * 24 * time.Hour
)

// authContextError is an ID token whose acr, amr or auth_time does not
// meet what the transaction asked for. It matches [ErrInvalidIDToken]
// and one of [ErrACRNotMet] and [ErrAuthTooOld], and its Error names the
// claim: "idx: ID token acr: ...".
type authContextError struct {
	claim  string // "acr", "amr" or "auth_time"
	reason string // what is wrong, without the token
	err    error
}

func (e *authContextError) Error() string {
	return "idx: ID token " + e.claim + ": " + e.err.Error() + ": " + e.reason
}

// Unwrap gives the sentinel error and [ErrInvalidIDToken].
func (e *authContextError) Unwrap() []error { return []error{e.err, ErrInvalidIDToken} }

// StartOptions are what a transaction can be given only when it starts,
// all sent to the interact endpoint: a token from a link, and the sign-in
// hints and step-up. [Client.Start] takes them and returns the
// transaction PENDING on the org's first step; Authenticate, Register,
// RecoverPassword and UnlockAccount continue it with its State, with no
// request more than starting it themselves. Printed or logged, they show
// which fields are set but no token ([StartOptions.String]).
type StartOptions struct {
	// StateHandle takes up a transaction the org started itself instead
	// of starting one: the stateHandle (stateToken) the org gives its own
	// pages, such as the device activation page. It is taken alone (the
	// other fields go to the interact endpoint, which such a transaction
	// never sees). Such a transaction ends TERMINAL, never with tokens for
	// this client (see OutcomeDeviceActivated). It is a secret: keep it
	// out of logs and URLs.
	StateHandle string

	// ActivationToken and RecoveryToken start a transaction from a link
	// an admin or the org sent (user activation, password recovery).
	ActivationToken string
	RecoveryToken   string

	// ACRValues are the authentication context classes the sign-in must
	// meet, in order of preference (acr_values), such as [ACRTwoFactors]
	// to step a user up to two factors for a sensitive page. The org
	// raises its policy for this transaction and names the class it met
	// in the ID token's acr, which must be one of these, or the call
	// fails with [ErrACRNotMet].
	ACRValues []string
	// MaxAge bounds how long ago the user may have authenticated
	// (max_age, sent in whole seconds): the org authenticates the user
	// anew when its session is older, and the ID token's auth_time must
	// be within MaxAge (and two minutes of clock skew), or the call fails
	// with [ErrAuthTooOld]. Zero sends none.
	MaxAge time.Duration
	// LoginHint is the username the org prefills the identify step with
	// (login_hint), such as the signed-in user's when stepping up. The
	// user may still change it: check the ID token's subject.
	LoginHint string
	// PromptLogin sends prompt=login, the one OpenID Connect prompt
	// Okta's interact endpoint honours: the org authenticates the user
	// anew even within a session, and the ID token's auth_time must then
	// fall within the transaction ([ErrAuthTooOld]).
	PromptLogin bool
	// OAuthState is the OAuth state sent to the interact endpoint; empty
	// means a random one (what most apps want). An app that keys its own
	// records on it sets it here: it comes back on the redirect of an
	// identity provider and in an email magic link (Callback.State), and
	// [Client.HandleCallback] refuses a callback that does not carry it.
	// It must be hard to guess, as a random one is.
	OAuthState string
}

// check validates the sign-in hints and step-up options.
func (o *StartOptions) check() error {
	if len(o.ACRValues) > maxACRValues {
		return &InputError{Field: "ACRValues", Reason: "more than " + strconv.Itoa(maxACRValues) + " values"}
	}
	for i, v := range o.ACRValues {
		switch {
		case v == "":
			return &InputError{Field: "ACRValues", Reason: "empty value"}
		case len(v) > maxACRLen:
			return &InputError{Field: "ACRValues", Reason: "value too long"}
		case strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }):
			return &InputError{Field: "ACRValues", Reason: "value with spaces or control characters"}
		case slices.Contains(o.ACRValues[:i], v):
			return &InputError{Field: "ACRValues", Reason: "value repeated"}
		}
	}
	switch {
	case o.MaxAge < 0:
		return &InputError{Field: "MaxAge", Reason: "negative"}
	case o.MaxAge > 0 && o.MaxAge < time.Second:
		return &InputError{Field: "MaxAge", Reason: "less than a second (use PromptLogin to force a new authentication)"}
	case o.MaxAge > maxAgeCeiling:
		return &InputError{Field: "MaxAge", Reason: "more than a year"}
	}
	if err := checkHintText("LoginHint", o.LoginHint); err != nil {
		return err
	}
	if o.LoginHint != "" && strings.TrimSpace(o.LoginHint) == "" {
		return &InputError{Field: "LoginHint", Reason: "blank"}
	}
	if err := checkHintText("OAuthState", o.OAuthState); err != nil {
		return err
	}
	if o.OAuthState != "" && strings.ContainsRune(o.OAuthState, ' ') {
		return &InputError{Field: "OAuthState", Reason: "has spaces"}
	}
	return nil
}

// checkHintText refuses values no real hint has: too long, control
// characters. The value is never quoted in the error.
func checkHintText(field, v string) error {
	switch {
	case len(v) > maxHintLen:
		return &InputError{Field: field, Reason: "longer than " + strconv.Itoa(maxHintLen) + " bytes"}
	case strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return &InputError{Field: field, Reason: "has control characters"}
	}
	return nil
}

// interactExtra is what the options add to the interact request: the
// activation or recovery token, and the sign-in hints.
func (o *StartOptions) interactExtra() url.Values {
	v := url.Values{}
	if o.ActivationToken != "" {
		v.Set("activation_token", o.ActivationToken)
	}
	if o.RecoveryToken != "" {
		v.Set("recovery_token", o.RecoveryToken)
	}
	if len(o.ACRValues) > 0 {
		v.Set("acr_values", strings.Join(o.ACRValues, " "))
	}
	if o.MaxAge > 0 {
		v.Set("max_age", strconv.FormatInt(int64(o.MaxAge/time.Second), 10))
	}
	if o.LoginHint != "" {
		v.Set("login_hint", o.LoginHint)
	}
	if o.PromptLogin {
		v.Set("prompt", promptLogin)
	}
	return v
}

// remember records in saved what the ID token will be checked against.
func (o *StartOptions) remember(saved *SavedTransaction, now time.Time) {
	saved.ACRValues = slices.Clone(o.ACRValues)
	saved.MaxAge = o.MaxAge.Truncate(time.Second)
	if o.PromptLogin {
		saved.Prompt = promptLogin
	}
	saved.StartedAt = now
}

// checkAuthContext checks the verified ID token's acr, amr and auth_time
// against what the transaction asked for. What it did not ask for is not
// checked: an org may send any acr, or none.
func checkAuthContext(saved *SavedTransaction, c *IDTokenClaims, now time.Time) error {
	const skew = oauth.DefaultLeeway
	fail := func(claim, reason string, err error) error {
		return &authContextError{claim: claim, reason: reason, err: err}
	}
	if len(saved.ACRValues) > 0 {
		acr := c.ACR()
		switch {
		case acr == "":
			return fail("acr", "absent; the transaction asked for "+strings.Join(saved.ACRValues, " "), ErrACRNotMet)
		case !slices.Contains(saved.ACRValues, acr):
			return fail("acr", fmt.Sprintf("%.80q is not among the requested %s", acr, strings.Join(saved.ACRValues, " ")), ErrACRNotMet)
		case acr == ACRTwoFactors && !twoMethods(c.AMR()):
			return fail("amr", "lists a single authentication method for a two-factor acr", ErrACRNotMet)
		}
	}
	if saved.MaxAge <= 0 && saved.Prompt != promptLogin {
		return nil
	}
	if c.AuthTime.IsZero() {
		return fail("auth_time", "absent, but the transaction asked for MaxAge or PromptLogin", ErrAuthTooOld)
	}
	if saved.MaxAge > 0 && now.Sub(c.AuthTime) > saved.MaxAge+skew {
		return fail("auth_time", fmt.Sprintf("the user authenticated %s ago, more than MaxAge %s", now.Sub(c.AuthTime).Truncate(time.Second), saved.MaxAge), ErrAuthTooOld)
	}
	if saved.Prompt == promptLogin && !saved.StartedAt.IsZero() && c.AuthTime.Before(saved.StartedAt.Add(-skew)) {
		return fail("auth_time", "before the transaction began, but it asked for a new authentication (PromptLogin)", ErrAuthTooOld)
	}
	return nil
}

// twoMethods reports an amr naming multiple-factor authentication, or
// two methods or more.
func twoMethods(amr []string) bool {
	if slices.Contains(amr, "mfa") {
		return true
	}
	distinct := slices.Compact(slices.Sorted(slices.Values(amr)))
	return len(distinct) >= 2
}

// ACR returns the ID token's acr claim: the authentication context class
// the org met (one of [StartOptions.ACRValues] when the transaction asked for
// some, which the SDK checks), or "" when the token has none.
func (c *IDTokenClaims) ACR() string {
	if c == nil {
		return ""
	}
	s, _ := c.Claims["acr"].(string)
	return s
}

// AMR returns the ID token's amr claim: how the user authenticated, such
// as "pwd" (password), "mfa" (several factors), "otp", "sms", "tel",
// "email", "swk", "hwk", "kba" or "fed", in the token's order. Entries
// that are not strings are left out.
func (c *IDTokenClaims) AMR() []string {
	if c == nil {
		return nil
	}
	var out []string
	switch v := c.Claims["amr"].(type) {
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = slices.Clone(v)
	}
	return out
}
