package idx

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Secret is a string that keeps itself out of logs: fmt, slog and
// encoding/json print "[REDACTED]" whatever the verb. Use [Secret.Reveal]
// (or a plain string conversion) where the value itself is needed.
type Secret string

const redacted = "[REDACTED]"

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String returns "[REDACTED]", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns a redacted Go form.
func (s Secret) GoString() string { return `idx.Secret("` + s.String() + `")` }

// Format prints the redacted form for every verb.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, s.GoString())
		return
	}
	fmt.Fprint(f, s.String())
}

// LogValue logs the redacted form.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the redacted form. Stores that must persist the value
// convert it to a string first.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Tokens are the tokens of a signed-in user. Their secret members redact
// themselves when printed or logged.
type Tokens struct {
	// TokenType is the access token's type, "Bearer".
	TokenType string
	// AccessToken is the token for APIs (and userinfo).
	AccessToken Secret
	// IDToken is the verified ID token; its claims are IDTokenClaims.
	IDToken Secret
	// RefreshToken is empty unless the scopes held offline_access and
	// the app has the Refresh Token grant (see Config.Scopes).
	RefreshToken Secret
	// Scopes are the granted scopes.
	Scopes []string
	// Expiry is when the access token expires.
	Expiry time.Time
	// IDTokenClaims are the verified ID token's claims (nil without an ID
	// token).
	IDTokenClaims *IDTokenClaims
}

// IDTokenClaims are the claims of a verified ID token.
type IDTokenClaims struct {
	// Issuer, Subject and Audience are the iss, sub and aud claims.
	Issuer   string
	Subject  string
	Audience []string
	// Expiry, IssuedAt and AuthTime are the exp, iat and auth_time
	// claims; AuthTime is zero when the token has none.
	Expiry   time.Time
	IssuedAt time.Time
	AuthTime time.Time
	// Claims holds every claim, including the ones above and the profile
	// claims the granted scopes allow (name, email, ...).
	Claims map[string]any
}

// UserInfo is the OpenID Connect userinfo of a signed-in user.
type UserInfo struct {
	// Subject to ZoneInfo are the standard claims sub, name, given_name,
	// family_name, preferred_username, email, email_verified, locale and
	// zoneinfo; empty when absent.
	Subject           string
	Name              string
	GivenName         string
	FamilyName        string
	PreferredUsername string
	Email             string
	EmailVerified     bool
	Locale            string
	ZoneInfo          string
	// Claims holds every claim the endpoint returned.
	Claims map[string]any
}

func newUserInfo(c map[string]any) *UserInfo {
	str := func(k string) string { s, _ := c[k].(string); return s }
	verified, _ := c["email_verified"].(bool)
	return &UserInfo{
		Subject:           str("sub"),
		Name:              str("name"),
		GivenName:         str("given_name"),
		FamilyName:        str("family_name"),
		PreferredUsername: str("preferred_username"),
		Email:             str("email"),
		EmailVerified:     verified,
		Locale:            str("locale"),
		ZoneInfo:          str("zoneinfo"),
		Claims:            c,
	}
}
