package idx

import "errors"

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

// Kinds of refusals and ends, by message key (each lists its keys), about codes
// the org will not take or send and about activation and recovery tokens
// that no longer work.
var (
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

// OutcomeActivationEmailSent: the org took the request for a new
// activation email (idx.request.activation.email), sent after an expired
// activation token's request-activation-email step; the user follows the
// new email's link.
const OutcomeActivationEmailSent Outcome = "ACTIVATION_EMAIL_SENT"
