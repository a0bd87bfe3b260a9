package idx

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// MarshalTokens encodes t for a [TokenStore] that keeps tokens outside the
// process: a JSON object with the OAuth 2.0 member names (access_token,
// token_type, refresh_token, id_token, scope as one space-separated
// string) and the access token's absolute expiry as "expiry" (RFC 3339),
// the members golang.org/x/oauth2's Token reads. The ID token's verified
// claims go in "id_token_claims". Unset members are left out; tokens
// without an access token are refused.
//
// The result holds the secrets in the clear, unlike printing or logging
// t, which redacts them: keep it where only the app can read it (sealed,
// encrypted, or in a store the app alone reaches). [UnmarshalTokens]
// reads it back.
func MarshalTokens(t *Tokens) ([]byte, error) {
	if t == nil {
		return nil, &InputError{Field: "tokens", Reason: "nil"}
	}
	if t.AccessToken == "" {
		return nil, &InputError{Field: "Tokens.AccessToken", Reason: "empty"}
	}
	r := tokensRecord{
		AccessToken:  string(t.AccessToken),
		TokenType:    t.TokenType,
		RefreshToken: string(t.RefreshToken),
		IDToken:      string(t.IDToken),
		Scope:        strings.Join(t.Scopes, " "),
		Expiry:       t.Expiry,
	}
	if c := t.IDTokenClaims; c != nil {
		r.Claims = &claimsRecord{
			Issuer: c.Issuer, Subject: c.Subject, Audience: c.Audience,
			Expiry: c.Expiry, IssuedAt: c.IssuedAt, AuthTime: c.AuthTime, Claims: c.Claims,
		}
	}
	b, err := json.Marshal(&r)
	if err != nil {
		// Only claims can fail (a value JSON cannot hold); the error
		// would quote it.
		return nil, &InputError{Field: "Tokens.IDTokenClaims.Claims", Reason: "a value JSON cannot encode"}
	}
	return b, nil
}

// UnmarshalTokens decodes what [MarshalTokens] wrote. It fails with an
// [*InputError] (matching [ErrInvalidInput]) that quotes nothing of data
// when data is not such an object or holds no access token.
func UnmarshalTokens(data []byte) (*Tokens, error) {
	var r tokensRecord
	d := json.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(&r); err != nil || d.More() {
		// json's errors may quote the input: a secret.
		return nil, &InputError{Field: "tokens", Reason: "not in the token encoding"}
	}
	if r.AccessToken == "" {
		return nil, &InputError{Field: "tokens", Reason: "no access_token"}
	}
	t := &Tokens{
		TokenType:    r.TokenType,
		AccessToken:  Secret(r.AccessToken),
		IDToken:      Secret(r.IDToken),
		RefreshToken: Secret(r.RefreshToken),
		Scopes:       strings.Fields(r.Scope),
		Expiry:       r.Expiry,
	}
	if c := r.Claims; c != nil {
		t.IDTokenClaims = &IDTokenClaims{
			Issuer: c.Issuer, Subject: c.Subject, Audience: c.Audience,
			Expiry: c.Expiry, IssuedAt: c.IssuedAt, AuthTime: c.AuthTime, Claims: c.Claims,
		}
	}
	return t, nil
}

// tokensRecord is the encoding of Tokens: plain strings where Tokens has
// Secret, which encodes redacted.
type tokensRecord struct {
	AccessToken  string        `json:"access_token"`
	TokenType    string        `json:"token_type,omitempty"`
	RefreshToken string        `json:"refresh_token,omitempty"`
	IDToken      string        `json:"id_token,omitempty"`
	Scope        string        `json:"scope,omitempty"`
	Expiry       time.Time     `json:"expiry,omitzero"`
	Claims       *claimsRecord `json:"id_token_claims,omitempty"`
}

// claimsRecord is the encoding of IDTokenClaims.
type claimsRecord struct {
	Issuer   string         `json:"issuer,omitempty"`
	Subject  string         `json:"subject,omitempty"`
	Audience []string       `json:"audience,omitempty"`
	Expiry   time.Time      `json:"expiry,omitzero"`
	IssuedAt time.Time      `json:"issued_at,omitzero"`
	AuthTime time.Time      `json:"auth_time,omitzero"`
	Claims   map[string]any `json:"claims,omitempty"`
}
