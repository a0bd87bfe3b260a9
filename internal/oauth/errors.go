package oauth

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Use [errors.Is] to test for them. Like the other errors
// of this package, their texts carry no package prefix: they reach callers
// wrapped by package idx, which names the operation once.
var (
	// ErrInvalidIDToken reports an ID token that failed verification. Every
	// [*IDTokenError] matches it.
	ErrInvalidIDToken = errors.New("invalid ID token")

	// ErrNonceMismatch reports an ID token whose nonce is missing or
	// differs from the expected one.
	ErrNonceMismatch = errors.New("ID token nonce mismatch")

	// ErrAtHashMismatch reports an ID token whose at_hash does not match
	// the access token issued with it.
	ErrAtHashMismatch = errors.New("ID token at_hash does not match the access token")

	// ErrUnknownKey reports an ID token signed with a key ID that is not in
	// the issuer's JWKS, even after a refresh.
	ErrUnknownKey = errors.New("unknown signing key")

	// ErrIssuerMismatch reports a discovery document whose issuer differs
	// from the configured issuer.
	ErrIssuerMismatch = errors.New("discovery issuer does not match the configured issuer")

	// ErrMalformedResponse reports a response from the authorization
	// server that lacks required fields or cannot be parsed.
	ErrMalformedResponse = errors.New("malformed response")
)

// TokenError is an OAuth error response (RFC 6749 §5.2) from the interact,
// token or userinfo endpoint. A 200 response carrying an "error" member is a
// TokenError too.
type TokenError struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Code is the "error" member, such as "invalid_grant"; it may be empty
	// when the server sent an error status without one.
	Code string
	// Description is the "error_description" member. It is server text and
	// is left out of Error.
	Description string
}

// Error implements error.
func (e *TokenError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("server error (HTTP %d)", e.StatusCode)
	}
	return fmt.Sprintf("server error %q (HTTP %d)", sanitizeCode(e.Code), e.StatusCode)
}

// IDTokenError reports why an ID token was rejected. It matches
// [ErrInvalidIDToken] with [errors.Is] and unwraps to Err, which is, where it
// applies, one of go-jose's jwt.ErrExpired, jwt.ErrInvalidIssuer,
// jwt.ErrInvalidAudience, jwt.ErrNotValidYet, jwt.ErrIssuedInTheFuture,
// jwt.ErrInvalidSubject, or [ErrNonceMismatch] or [ErrUnknownKey].
type IDTokenError struct {
	// Reason is a short fixed description; it never contains token data.
	Reason string
	// Err is the underlying cause, or nil.
	Err error
}

// Error implements error.
func (e *IDTokenError) Error() string { return "invalid ID token: " + e.Reason }

// Is reports whether target is [ErrInvalidIDToken].
func (e *IDTokenError) Is(target error) bool { return target == ErrInvalidIDToken }

// Unwrap returns the underlying cause.
func (e *IDTokenError) Unwrap() error { return e.Err }

// ProviderError reports a failure to obtain or accept the provider's
// discovery document or JWKS.
type ProviderError struct {
	// Op is "discovery" or "jwks".
	Op string
	// Err is the cause: a transport error, [ErrIssuerMismatch],
	// [ErrMalformedResponse], or a validation failure.
	Err error
}

// Error implements error.
func (e *ProviderError) Error() string {
	if e.Err == nil {
		return e.Op + " failed"
	}
	return e.Op + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *ProviderError) Unwrap() error { return e.Err }

// sanitizeCode keeps the characters RFC 6749 allows in an error code
// (%x20-21 / %x23-5B / %x5D-7E) and at most 64 of them.
func sanitizeCode(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s) && sb.Len() < 64; i++ {
		c := s[i]
		if c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' {
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// malformed returns an error wrapping ErrMalformedResponse.
func malformed(what string) error {
	return fmt.Errorf("%w: %s", ErrMalformedResponse, what)
}
