package oauth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// NewVerifier returns a fresh PKCE code verifier (RFC 7636 §4.1): 32 bytes
// from crypto/rand, base64url-encoded without padding, 43 characters. Use a
// new verifier for every flow and send it only in the token request body.
func NewVerifier() (string, error) {
	return RandomToken(32)
}

// S256Challenge returns the S256 code challenge of verifier (RFC 7636 §4.2):
// base64url(SHA-256(verifier)) without padding.
func S256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// RandomToken returns nbytes from crypto/rand, base64url-encoded without
// padding, for use as a state or nonce. nbytes must be at least 16 (128
// bits).
func RandomToken(nbytes int) (string, error) {
	if nbytes < 16 {
		return "", errors.New("RandomToken needs at least 16 bytes")
	}
	b := make([]byte, nbytes)
	if _, err := rand.Read(b); err != nil {
		return "", errors.New("reading random bytes failed")
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// validChallenge reports whether s looks like an S256 challenge: 43
// base64url characters.
func validChallenge(s string) bool {
	if len(s) != 43 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validVerifier reports whether s is a valid PKCE verifier: 43 to 128
// characters of [A-Za-z0-9-._~].
func validVerifier(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}
