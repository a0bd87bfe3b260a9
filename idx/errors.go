package idx

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/goidx/goidx/internal/idxapi"
	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/oauth"
	"github.com/goidx/goidx/internal/remediate"
	"github.com/goidx/goidx/internal/transport"
)

// Errors about transactions, the caller's input, callbacks and tokens.
var (
	// ErrTransactionNotFound: the State is unknown to the TransactionStore
	// (never issued, already finished, or evicted).
	ErrTransactionNotFound = errors.New("idx: transaction not found")
	// ErrTransactionExpired: the transaction ran past its expiry, locally or
	// according to the server (i18n key idx.session.expired, HTTP 401). It
	// is an error, not a TERMINAL transaction: the transaction is
	// forgotten. Start again.
	ErrTransactionExpired = errors.New("idx: transaction expired")
	// ErrTransactionConflict: another request moved the transaction on
	// while this one ran (a double-submitted form); this call's outcome was
	// not saved. Continue from the transaction as it now stands.
	ErrTransactionConflict = errors.New("idx: transaction changed by another request")
	// ErrInvalidInput: the caller's options are malformed (see [*InputError]).
	ErrInvalidInput = errors.New("idx: invalid input")
	// ErrUnknownAuthenticator: the authenticator key is not offered by the
	// step that chooses one; the [*InputError] names the keys it offers.
	ErrUnknownAuthenticator = errors.New("idx: authenticator not offered")
	// ErrMethodNotOffered: the authenticator is offered, but not with the
	// method type asked for, as when Okta Verify is offered only as
	// FastPass and MethodType is "push"; the [*InputError] names the
	// methods offered. The SDK never sends another method instead.
	ErrMethodNotOffered = errors.New("idx: method not offered")
	// ErrUnknownStep: the named step is not offered by the server now.
	ErrUnknownStep = errors.New("idx: step not offered")
	// ErrCannotResend: the current step offers no resend.
	ErrCannotResend = errors.New("idx: nothing to resend")
	// ErrTooManySteps: the server kept asking for steps the values could
	// fill beyond a sane bound (a loop).
	ErrTooManySteps = errors.New("idx: too many remediation steps in one call")
	// ErrSubjectMismatch: userinfo answered for another subject than the
	// ID token's.
	ErrSubjectMismatch = errors.New("idx: userinfo subject does not match the ID token")
	// ErrTokensNotFound: the TokenStore has no tokens under that key.
	ErrTokensNotFound = errors.New("idx: tokens not found")
	// ErrTokensExpired: the access token has expired (or is about to) and
	// there is no refresh token. Sign the user in again.
	ErrTokensExpired = errors.New("idx: tokens expired and no refresh token")
	// ErrACRNotMet: the ID token's acr is missing or is not one of
	// StartOptions.ACRValues, or, for [ACRTwoFactors], its amr lists a
	// single method. It also matches [ErrInvalidIDToken]; the error names
	// the claim ("idx: ID token acr: ..."). The transaction is over (its
	// interaction code was spent) and no tokens were saved; start a new
	// one.
	ErrACRNotMet = errors.New("authentication context class not met")
	// ErrAuthTooOld: the ID token's auth_time is missing, older than
	// StartOptions.MaxAge allows, or, with PromptLogin, earlier than the
	// transaction's start (both within the clock skew allowed for ID
	// tokens, two minutes). It also matches [ErrInvalidIDToken], as
	// [ErrACRNotMet] does.
	ErrAuthTooOld = errors.New("authentication too old")
	// ErrInvalidCallback: a callback URL that is not a well-formed
	// redirect (see [ParseCallbackURL]).
	ErrInvalidCallback = errors.New("idx: invalid callback URL")
	// ErrStateMismatch: the state of a callback is not the one of the
	// transaction: the redirect belongs to another sign-in, or is forged.
	// Nothing was sent to the org.
	ErrStateMismatch = errors.New("idx: callback state does not match the transaction")
	// ErrCannotPoll: the current step offers nothing to poll.
	ErrCannotPoll = errors.New("idx: nothing to poll")
	// ErrEmailVerifyElsewhere: an email magic link was opened where its
	// transaction is unknown (another browser, device or session). As
	// okta-auth-js does, show the link's code, [Callback].OTP from
	// [ParseCallbackURL], to the user, who types it where the sign-in
	// waits. Nothing was sent to the org.
	ErrEmailVerifyElsewhere = errors.New("idx: email link opened outside its transaction; show its code to the user")
)

// The kinds of requests the server refused ([*RejectionError]) and of
// transactions it ended ([Transaction.Err]), each named by the i18n keys
// of the server's messages it stands for; a message key of no kind
// matches none of them. A narrower kind matches its broader one too.
var (
	// ErrInvalidPasscode: a wrong or expired one-time code
	// (api.authn.error.PASSCODE_INVALID and kin).
	ErrInvalidPasscode = errors.New("idx: invalid passcode")
	// ErrInvalidCredentials: wrong username or password (errors.E0000004,
	// incorrectPassword). Okta does not say which.
	ErrInvalidCredentials = errors.New("idx: invalid credentials")
	// ErrLockedOut: the user or the authenticator is locked after too many
	// failed attempts (errors.E0000119,
	// authfactor.challenge.suspended_factor). UnlockAccount may help.
	ErrLockedOut = errors.New("idx: locked out")
	// ErrAccessDenied: policy denies the user this sign-in
	// (security.access_denied, errors.E0000006), or the user declined at
	// an identity provider (an [*OAuthError] access_denied).
	ErrAccessDenied = errors.New("idx: access denied")
	// ErrLinkExpired: the email link the user followed has expired
	// (idx.return.link.expired). Send a new one or use the code.
	ErrLinkExpired = errors.New("idx: email link expired")
	// ErrOperationCanceled: the user canceled the sign-in, here or on the
	// other device (idx.operation.cancelled.by.user,
	// idx.operation.cancelled.on.other.device).
	ErrOperationCanceled = errors.New("idx: operation canceled by the user")
	// ErrPushRejected: the user rejected the Okta Verify push (or chose
	// the wrong number) (api.authn.poll.error.push_rejected). The next
	// step is to choose an authenticator again
	// (select-authenticator-authenticate); it can resend: Resend sends a
	// new push.
	ErrPushRejected = errors.New("idx: push rejected")
	// ErrConsentDenied: consent was refused, so the org ended the
	// transaction: the call answered a consent step with ConsentDeny, or a
	// device activation ended without it ([ErrDeviceConsentDenied]).
	ErrConsentDenied = errors.New("idx: consent denied")
	// ErrDeviceNotActivated: a device activation ended without activating
	// the device (idx.device.not.activated.consent.denied,
	// idx.device.not.activated.internal.error).
	ErrDeviceNotActivated = errors.New("idx: device not activated")
	// ErrInvalidUserCode: the org knows no device activation by the user
	// code given (idx.invalid.device.code); the transaction stays on the
	// user-code step.
	ErrInvalidUserCode = errors.New("idx: invalid user code")
	// ErrDeviceConsentDenied: a device activation ended without activating
	// the device because the user refused consent
	// (idx.device.not.activated.consent.denied). It matches both
	// [ErrDeviceNotActivated] and [ErrConsentDenied].
	ErrDeviceConsentDenied error = &kindError{"idx: device not activated: consent denied", errors.Join(ErrDeviceNotActivated, ErrConsentDenied)}
	// ErrDeviceNotCompliant: the user's device does not meet the org's device
	// assurance policy and the org denies access until it does
	// (idx.error.code.access_denied.device_assurance.remediation.*, the
	// org's own device.assurance.custom.remediation.* texts). The
	// transaction is TERMINAL; [Transaction.DeviceAssurance] says what to
	// change. Once the device is brought up to the policy, the user signs in
	// anew. It is a kind of its own: such an end does not match
	// [ErrAccessDenied].
	ErrDeviceNotCompliant = errors.New("idx: device does not meet the security requirements")
	// ErrPasscodeUsed: the one-time code was right but has been used
	// already (authfactor.challenge.soft_token.used_passcode): wait for
	// the authenticator app to show the next code. It also matches
	// [ErrInvalidPasscode].
	ErrPasscodeUsed error = &kindError{"idx: passcode already used", ErrInvalidPasscode}
	// ErrNextCodeRequired: a hardware token's PIN was accepted and the org
	// asks for the token's next code (errors.E0000113, RSA SecurID and
	// on-premises MFA): wait for the token to change, then enter it.
	ErrNextCodeRequired = errors.New("idx: next token code required")
	// ErrSendLimit: the org has sent the user as many SMS
	// (errors.E0000150) or voice calls (errors.E0000151) as it allows for
	// now; try again later or choose another method. It also matches
	// [ErrRateLimited].
	ErrSendLimit error = &kindError{"idx: send limit reached", ErrRateLimited}
	// ErrActivationExpired: the activation token has expired
	// (idx.expired.activation.token). When the org lets users ask for a
	// new activation email, the transaction is PENDING on
	// request-activation-email; answer it with Options.Step to have one
	// sent ([OutcomeActivationEmailSent]). Otherwise it is TERMINAL.
	ErrActivationExpired = errors.New("idx: activation token expired")
	// ErrTokenInvalid: the activation or recovery token is unknown, used
	// already, or of a user it no longer applies to
	// (idx.missing.activation.token, idx.invalid.reset.password.token,
	// idx.invalid.forgot.password.token). The transaction is TERMINAL.
	ErrTokenInvalid = errors.New("idx: activation or recovery token invalid")
	// ErrUnlockRefused: the org will not unlock the account by self-service
	// (oie.selfservice.unlock_user.failed.message,
	// oie.selfservice.user.unlock.not.allowed,
	// oie.selfservice.unlock_user.challenge.failed.permissions); the user
	// must ask an admin.
	ErrUnlockRefused = errors.New("idx: account unlock refused")
	// ErrUserSuspended: the user the activation token names is suspended
	// (idx.activating.inactive.user); an admin must act. The transaction is
	// TERMINAL.
	ErrUserSuspended = errors.New("idx: user suspended")
)

// kindError is a sentinel of a narrower kind than parent: errors.Is
// matches it and parent alike, so that code written for the broader kind
// keeps working.
type kindError struct {
	text   string
	parent error
}

func (e *kindError) Error() string { return e.text }

// Unwrap gives the broader kind.
func (e *kindError) Unwrap() error { return e.parent }

// Errors from the wire, shared with the SDK's transport and protocol layers
// so that errors.Is and errors.As work on what a call returns. Calls return
// them wrapped with the operation's name, as in "idx: identify: rate
// limited ..." or `idx: interact: Post "https://...": dial tcp ...`, so
// their own texts carry no prefix.
var (
	// ErrForeignOrigin: a URL (a form href, the token URL) is not on the
	// configured org's origin, or is one the SDK would POST to with a
	// query or a fragment; nothing was sent. The error names the refused
	// origin, or the part of the URL refused, never a path or query.
	ErrForeignOrigin = transport.ErrForeignOrigin
	// ErrBodyTooLarge: a response body exceeded the read limit.
	ErrBodyTooLarge = transport.ErrBodyTooLarge
	// ErrUnexpectedResponse: a response that is not JSON (an HTML error
	// page from a proxy, a redirect, which is never followed) or empty
	// where a document was due. The error gives the HTTP status and
	// content type, never the body.
	ErrUnexpectedResponse = transport.ErrUnexpectedResponse
	// ErrRateLimited: the org answered 429 (whatever the body, an IDX
	// answer with tooManyRequests included) and the wait would outlast the
	// context or the configured limit, or the request may not be retried
	// again. The transaction is left as it was: call again after the
	// reset. It also matches a rejection or an end whose message is a rate
	// limit (tooManyRequests, errors.E0000047, errors.E0000150 for texts,
	// errors.E0000151 for calls).
	ErrRateLimited = transport.ErrRateLimited
	// ErrOutcomeUnknown: a request that must not be repeated failed after it
	// may have reached the server, and the outcome could not be learnt.
	ErrOutcomeUnknown = transport.ErrOutcomeUnknown
	// ErrMalformedResponse: an answer the SDK cannot use: an IDX document
	// that is not JSON or lacks a member it needs in order to act (the
	// error names the member's JSON path, such as
	// "remediation.value[0].name", and the problem, never its value;
	// members it does not need never cause it), or an OAuth endpoint's (token, userinfo, introspect,
	// discovery) success answer without a required member, such as a
	// token response without access_token.
	ErrMalformedResponse = ion.ErrMalformed
	// ErrInvalidIDToken: the ID token failed verification (its signature,
	// issuer, audience, expiry, nonce or at_hash).
	ErrInvalidIDToken = oauth.ErrInvalidIDToken
)

// RateLimitError is a 429 answer the Client did not wait out: the org's
// reset lay beyond the wait [WithMaxRateLimitWait] allows (30 seconds by
// default) or beyond the context's deadline, the request was a resend
// (never retried), or an answer was refused twice. It matches
// [ErrRateLimited]. Shorter waits the Client sits out itself, logging
// each at Warn level (see [WithLogger]).
//
// Okta's rate limits are counted per endpoint (and per org, per client and
// per user); the fields say which limit was hit and when it resets.
type RateLimitError struct {
	// Endpoint is the URL path of the refused request, such as
	// "/idp/idx/identify" or "/oauth2/default/v1/token", the way Okta
	// lists its rate limits.
	Endpoint string
	// Limit is X-Rate-Limit-Limit, the requests the endpoint allows per
	// window, or -1 when the answer did not say.
	Limit int
	// Remaining is X-Rate-Limit-Remaining, the requests left in the
	// window, or -1 when the answer did not say.
	Remaining int
	// Reset is when the org accepts requests again: X-Rate-Limit-Reset,
	// else now plus Retry-After. It is the zero Time when the answer gave
	// no hint.
	Reset time.Time
	// RetryAfter is how long the org asked the client to wait: from the
	// answer's Date to X-Rate-Limit-Reset plus a second (so that clocks
	// need not agree), else Retry-After. It is zero when the answer gave
	// no hint or the reset had already passed.
	RetryAfter time.Duration
}

// Error reads "idx: identify: rate limited until 2025-06-01T10:00:00Z",
// naming the endpoint as the other errors of a call do.
func (e *RateLimitError) Error() string {
	s := "idx: " + idxapi.PathName(e.Endpoint) + ": rate limited"
	if !e.Reset.IsZero() {
		s += " until " + e.Reset.UTC().Format(time.RFC3339)
	}
	return s
}

// Is makes errors.Is(err, ErrRateLimited) hold.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// rateLimitError converts the transport's rate-limit error.
func rateLimitError(e *transport.RateLimitError) *RateLimitError {
	return &RateLimitError{Endpoint: e.Path, Limit: e.Limit, Remaining: e.Remaining, Reset: e.Reset, RetryAfter: e.RetryAfter}
}

// InputError describes a malformed option of a call. It matches
// [ErrInvalidInput] and, for an authenticator or method type the step
// does not offer (Field "Authenticator" or "MethodType", Reason naming
// the step and what it offers), [ErrUnknownAuthenticator] or
// [ErrMethodNotOffered].
type InputError struct {
	// Field names the option, e.g. "Username".
	Field string
	// Reason says what is wrong, without the value.
	Reason string
	kind   error // ErrUnknownAuthenticator, ErrMethodNotOffered or nil
}

// Error reads "idx: invalid Field: Reason".
func (e *InputError) Error() string { return "idx: invalid " + e.Field + ": " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalidInput) hold, and errors.Is with
// the kind of an authenticator not offered.
func (e *InputError) Unwrap() []error {
	if e.kind != nil {
		return []error{ErrInvalidInput, e.kind}
	}
	return []error{ErrInvalidInput}
}

// RejectionError is a request the server refused while keeping the
// transaction going: it is set as [Transaction.Rejection]. It matches the
// kind its messages' i18n keys name, such as [ErrInvalidPasscode] or
// [ErrInvalidCredentials]. Its Error names the keys only;
// the messages' text is the server's and stays in Messages, out of
// Error, every fmt verb and JSON.
type RejectionError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Messages are the ERROR messages of the answer.
	Messages []Message `json:"-"`
}

// Error names the status and the messages' keys, not their text.
func (e *RejectionError) Error() string {
	return fmt.Sprintf("idx: request rejected (HTTP %d): %s", e.StatusCode, messageKeys(e.Messages))
}

// Format prints Error for every verb.
func (e *RejectionError) Format(f fmt.State, _ rune) { fmt.Fprint(f, e.Error()) }

// messageKeys lists the i18n keys of ms for an error string, each reduced
// to an identifier (see identifier).
func messageKeys(ms []Message) string {
	keys := make([]string, 0, len(ms))
	for _, m := range ms {
		keys = append(keys, identifier(m.Key))
	}
	return strings.Join(keys, ", ")
}

// identifier returns s for an error string when it looks like the codes
// and keys servers send (1 to 128 of letters, digits and "._:-", as in
// "E0000011", "invalid_grant" or "api.authn.error.PASSCODE_INVALID"), and
// "?" otherwise: server text never reaches an error string, and neither do
// spaces, quotes or line breaks a log would take for its own.
func identifier(s string) string {
	if s == "" || len(s) > 128 {
		return "?"
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return "?"
		}
	}
	return s
}

// Is reports whether target is the kind a message names.
func (e *RejectionError) Is(target error) bool { return hasKind(e.Messages, target) }

// hasKind reports whether a message's key is of kind target, or of a
// narrower kind (ErrPasscodeUsed is of kind ErrInvalidPasscode too).
func hasKind(ms []Message, target error) bool {
	if target == nil {
		return false
	}
	for _, m := range ms {
		if k := kindOf(m.Key); k != nil && errors.Is(k, target) {
			return true
		}
	}
	return false
}

// kindOf returns the sentinel error an i18n message key stands for (as
// each sentinel's documentation lists them), or nil for keys without one.
func kindOf(key string) error {
	switch {
	case key == "":
		return nil
	case strings.HasSuffix(key, "used_passcode"):
		return ErrPasscodeUsed
	case remediate.IsAssuranceKey(key):
		return ErrDeviceNotCompliant
	case isPasscodeKey(key):
		return ErrInvalidPasscode
	case isCredentialsKey(key):
		return ErrInvalidCredentials
	}
	switch key {
	case "errors.E0000119", "E0000119", "authfactor.challenge.suspended_factor":
		return ErrLockedOut
	case "security.access_denied", "errors.E0000006", "E0000006":
		return ErrAccessDenied
	case "idx.session.expired":
		return ErrTransactionExpired
	case "idx.return.link.expired":
		return ErrLinkExpired
	case "idx.operation.cancelled.by.user", "idx.operation.cancelled.on.other.device":
		return ErrOperationCanceled
	case "tooManyRequests", "oie.tooManyRequests", "errors.E0000047", "E0000047":
		return ErrRateLimited
	case "errors.E0000150", "E0000150", "errors.E0000151", "E0000151":
		return ErrSendLimit
	case "api.authn.poll.error.push_rejected":
		return ErrPushRejected
	case "errors.E0000113", "E0000113":
		return ErrNextCodeRequired
	case "idx.expired.activation.token":
		return ErrActivationExpired
	case "idx.missing.activation.token", "idx.invalid.reset.password.token", "idx.invalid.forgot.password.token":
		return ErrTokenInvalid
	case "idx.activating.inactive.user":
		return ErrUserSuspended
	case "oie.selfservice.unlock_user.failed.message", "oie.selfservice.user.unlock.not.allowed",
		"oie.selfservice.unlock_user.challenge.failed.permissions":
		return ErrUnlockRefused
	case "idx.device.not.activated.consent.denied":
		return ErrDeviceConsentDenied
	case "idx.device.not.activated.internal.error":
		return ErrDeviceNotActivated
	case "idx.invalid.device.code":
		return ErrInvalidUserCode
	}
	return nil
}

// terminalError is the error of a transaction the server ended (see
// [Transaction.Err]). It matches the sentinel of each message's key
// (kindOf) and, after a call that refused consent, [ErrConsentDenied];
// like [RejectionError], it prints the keys only.
type terminalError struct {
	messages []Message
	// consentDenied: the call that ended the transaction refused
	// consent.
	consentDenied bool
}

func (e *terminalError) Error() string {
	if len(e.messages) == 0 {
		return "idx: transaction ended by the server: consent denied"
	}
	return "idx: transaction ended by the server: " + messageKeys(e.messages)
}

// Format prints Error for every verb.
func (e *terminalError) Format(f fmt.State, _ rune) { fmt.Fprint(f, e.Error()) }

// Is reports whether target is the kind a message names, or
// ErrConsentDenied after a refused consent.
func (e *terminalError) Is(target error) bool {
	return e.consentDenied && target == ErrConsentDenied || hasKind(e.messages, target)
}

func isPasscodeKey(k string) bool {
	switch k {
	case "api.authn.error.PASSCODE_INVALID", "authfactor.challenge.soft_token.invalid_passcode",
		"api.factors.error.PASSCODE_INVALID":
		return true
	}
	return strings.HasSuffix(k, "PASSCODE_INVALID") || strings.HasSuffix(k, "invalid_passcode")
}

func isCredentialsKey(k string) bool {
	switch k {
	case "errors.E0000004", "incorrectPassword", "E0000004":
		return true
	}
	return false
}

// OAuthError is an OAuth 2.0 error response (RFC 6749 sections 4.1.2.1
// and 5.2): an answer of the org's endpoints, such as invalid_grant, or
// the error a redirect brought back to the app ([Client.HandleCallback]),
// such as access_denied when the user declined at an identity provider.
// It matches [ErrAccessDenied] for access_denied. Its Error names the
// code only: the description is the server's own text (or, on a
// redirect, whoever sent the browser back chose it), which may repeat
// what it was sent (the client secret, a code), and is kept in
// Description, out of Error, every fmt verb and JSON.
type OAuthError struct {
	// Endpoint names the endpoint that answered: "interact", "token",
	// "userinfo", "introspect" or "revoke"; "redirect" for an error a
	// redirect brought back.
	Endpoint string
	// StatusCode is the HTTP status of the answer; 0 on a redirect.
	StatusCode int
	// Code is the error code, such as "invalid_grant"; Description is
	// error_description.
	Code        string
	Description string `json:"-"`
}

// Error names the endpoint, the code and the status, not the
// description.
func (e *OAuthError) Error() string {
	s := "idx: "
	if e.Endpoint != "" {
		s += identifier(e.Endpoint) + " endpoint: "
	}
	code := "error"
	if e.Code != "" {
		code = identifier(e.Code)
	}
	if e.StatusCode == 0 {
		return s + code
	}
	return fmt.Sprintf("%s%s (HTTP %d)", s, code, e.StatusCode)
}

// Format prints Error for every verb.
func (e *OAuthError) Format(f fmt.State, _ rune) { fmt.Fprint(f, e.Error()) }

// Is makes errors.Is(err, ErrAccessDenied) hold for access_denied.
func (e *OAuthError) Is(target error) bool {
	return target == ErrAccessDenied && e.Code == "access_denied"
}

// wireError is err, from the SDK's transport or protocol layers, as
// callers see it: an OAuth error answer becomes an [*OAuthError]; anything
// else is named by op ("interact", "token", "identify", ...) under this
// package's one prefix, "idx: op: ...", the layers below adding none of
// their own. An empty op leaves just the prefix.
func wireError(op string, err error) error {
	var te *oauth.TokenError
	if errors.As(err, &te) {
		return &OAuthError{Endpoint: op, StatusCode: te.StatusCode, Code: te.Code, Description: te.Description}
	}
	var rl *transport.RateLimitError
	if errors.As(err, &rl) {
		return rateLimitError(rl)
	}
	return &opError{op: op, err: err}
}

// opError is a failure of one operation, a request to the org or a step:
// "idx: op: err".
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string {
	if e.op == "" {
		return "idx: " + e.err.Error()
	}
	return "idx: " + e.op + ": " + e.err.Error()
}

func (e *opError) Unwrap() error { return e.err }

// Is makes an OAuth endpoint's malformed answer match ErrMalformedResponse.
func (e *opError) Is(target error) bool {
	return target == ErrMalformedResponse && errors.Is(e.err, oauth.ErrMalformedResponse)
}

// unknownOutcome is the error of an answer to step that may have been
// processed, whose outcome the introspection after it (which failed with
// err) could not learn: "idx: step: outcome unknown; introspect: ...".
// It matches ErrOutcomeUnknown and what err matches.
func unknownOutcome(step string, err error) error {
	return &outcomeError{step: step, err: err}
}

type outcomeError struct {
	step string
	err  error
}

func (e *outcomeError) Error() string {
	// One "idx: " prefix for the whole.
	return "idx: " + e.step + ": " + ErrOutcomeUnknown.Error() + "; " + strings.TrimPrefix(e.err.Error(), "idx: ")
}

func (e *outcomeError) Unwrap() []error { return []error{ErrOutcomeUnknown, e.err} }
