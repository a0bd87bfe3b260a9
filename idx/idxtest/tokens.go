package idxtest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"time"
)

const (
	// accessTokenLifetime is the lifetime of access and ID tokens
	// (expires_in).
	accessTokenLifetime = time.Hour
	// interactionCodeLifetime is how long a successWithInteractionCode
	// code can be redeemed.
	interactionCodeLifetime = time.Minute
	// accessTokenAudience is the aud of access tokens from the default
	// authorization server.
	accessTokenAudience = "api://default"
)

// randomToken returns n random bytes from crypto/rand, base64url-encoded
// without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+).
	return base64.RawURLEncoding.EncodeToString(b)
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomOktaID returns an Okta-looking 20-character ID starting with
// prefix, such as "00u..." for users.
func randomOktaID(prefix string) string {
	var sb strings.Builder
	sb.WriteString(prefix)
	for sb.Len() < 20 {
		sb.WriteByte(alnum[randomInt(len(alnum))])
	}
	return sb.String()
}

func randomInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("idxtest: crypto/rand failed: " + err.Error())
	}
	return int(v.Int64())
}

// sixDigitCode returns a uniformly random one-time code such as "042917".
func sixDigitCode() string { return fmt.Sprintf("%06d", randomInt(1_000_000)) }

// accessClaims are the claims of an access token from an Okta custom
// authorization server.
type accessClaims struct {
	Ver      int      `json:"ver"`
	JTI      string   `json:"jti"`
	Issuer   string   `json:"iss"`
	Audience string   `json:"aud"`
	IssuedAt int64    `json:"iat"`
	Expiry   int64    `json:"exp"`
	ClientID string   `json:"cid"`
	UserID   string   `json:"uid"`
	Scopes   []string `json:"scp"`
	AuthTime int64    `json:"auth_time"`
	Subject  string   `json:"sub"`
}

// idClaims are the claims of an ID token. Profile and email claims are
// present only when the matching scope was granted.
type idClaims struct {
	Subject           string   `json:"sub"`
	Name              string   `json:"name,omitempty"`
	GivenName         string   `json:"given_name,omitempty"`
	FamilyName        string   `json:"family_name,omitempty"`
	Locale            string   `json:"locale,omitempty"`
	Email             string   `json:"email,omitempty"`
	EmailVerified     *bool    `json:"email_verified,omitempty"`
	Ver               int      `json:"ver"`
	Issuer            string   `json:"iss"`
	Audience          string   `json:"aud"`
	IssuedAt          int64    `json:"iat"`
	Expiry            int64    `json:"exp"`
	JTI               string   `json:"jti"`
	AMR               []string `json:"amr"`
	IdP               string   `json:"idp"`
	Nonce             string   `json:"nonce,omitempty"`
	PreferredUsername string   `json:"preferred_username,omitempty"`
	AuthTime          int64    `json:"auth_time"`
	AtHash            string   `json:"at_hash,omitempty"`
	ACR               string   `json:"acr,omitempty"`
}

// tokenResponse is the token endpoint's success body.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	AccessToken  string `json:"access_token"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// grant is what a token request is allowed to get: who signed in, for
// which client, with which scopes.
type grant struct {
	clientID string
	user     *userRecord
	scopes   []string
	authTime time.Time
	amr      []string
	nonce    string
	acr      string // the class asked for in acr_values, reflected in the ID token
}

// accessRecord is an issued access token, kept to answer userinfo,
// introspect and revoke.
type accessRecord struct {
	grant
	jti       string
	issuedAt  time.Time
	expiresAt time.Time
}

// refreshRecord is an issued refresh token.
type refreshRecord struct {
	grant
	issuedAt time.Time
}

func hasScope(scopes []string, want string) bool {
	for _, s := range scopes {
		if s == want {
			return true
		}
	}
	return false
}

// atHash is the OIDC at_hash of an RS256-signed access token.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// issuedTokens are minted tokens waiting to be recorded.
type issuedTokens struct {
	resp     *tokenResponse
	access   *accessRecord
	idExpiry time.Time // of the ID token, when there is one
	refresh  *refreshRecord
}

// mintTokens makes and signs tokens for g. It does not touch the server's
// state, so it runs without s.mu: RSA signing is by far the most costly
// thing the server does, and under the lock it would serialise every
// token request. The nonce goes into the ID token only when withNonce is
// set (not on refresh). Record the result with recordTokensLocked.
func (s *Server) mintTokens(g grant, app *App, now time.Time, withNonce bool) (*issuedTokens, error) {
	issuer := s.Issuer()
	exp := now.Add(accessTokenLifetime)
	at := accessClaims{
		Ver:      1,
		JTI:      "AT." + randomToken(32),
		Issuer:   issuer,
		Audience: accessTokenAudience,
		IssuedAt: now.Unix(),
		Expiry:   exp.Unix(),
		ClientID: g.clientID,
		UserID:   g.user.ID,
		Scopes:   append([]string{}, g.scopes...),
		AuthTime: g.authTime.Unix(),
		Subject:  g.user.Username,
	}
	access, err := s.keys.sign(at)
	if err != nil {
		return nil, err
	}
	out := &issuedTokens{
		resp: &tokenResponse{
			TokenType:   "Bearer",
			ExpiresIn:   int(accessTokenLifetime / time.Second),
			AccessToken: access,
			Scope:       strings.Join(g.scopes, " "),
		},
		access: &accessRecord{grant: g, jti: at.JTI, issuedAt: now, expiresAt: exp},
	}
	if hasScope(g.scopes, "openid") {
		id := idClaims{
			Subject:  g.user.ID,
			Ver:      1,
			Issuer:   issuer,
			Audience: g.clientID,
			IssuedAt: now.Unix(),
			Expiry:   exp.Unix(),
			JTI:      "ID." + randomToken(32),
			AMR:      append([]string{}, g.amr...),
			IdP:      s.orgID,
			AuthTime: g.authTime.Unix(),
			AtHash:   atHash(access),
			ACR:      g.acr,
		}
		if withNonce {
			id.Nonce = g.nonce
		}
		if hasScope(g.scopes, "profile") {
			id.Name = g.user.name()
			id.GivenName = g.user.GivenName
			id.FamilyName = g.user.FamilyName
			id.Locale = g.user.Locale
			id.PreferredUsername = g.user.Username
		}
		if hasScope(g.scopes, "email") {
			id.Email = g.user.Email
			id.EmailVerified = pTrue
		}
		idToken, err := s.signIDClaims(id)
		if err != nil {
			return nil, err
		}
		out.resp.IDToken = idToken
		out.idExpiry = exp
	}
	if app.RefreshTokens && hasScope(g.scopes, "offline_access") {
		out.resp.RefreshToken = randomToken(32)
		out.refresh = &refreshRecord{grant: g, issuedAt: now}
	}
	return out, nil
}

// recordTokensLocked remembers minted tokens for userinfo, introspect,
// revoke, refresh and logout; the caller holds s.mu.
func (s *Server) recordTokensLocked(t *issuedTokens) {
	s.accessTokens[t.resp.AccessToken] = t.access
	if t.resp.IDToken != "" {
		s.idTokens[t.resp.IDToken] = idTokenRecord{clientID: t.access.clientID, expiresAt: t.idExpiry}
	}
	if t.refresh != nil {
		s.refreshTokens[t.resp.RefreshToken] = t.refresh
	}
}

// issueTokens mints, signs and records tokens for g. The caller must not
// hold s.mu.
func (s *Server) issueTokens(g grant, app *App, now time.Time, withNonce bool) (*tokenResponse, error) {
	t, err := s.mintTokens(g, app, now, withNonce)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.recordTokensLocked(t)
	s.mu.Unlock()
	return t.resp, nil
}

// idTokenRecord remembers an issued ID token for the logout endpoint's
// id_token_hint.
type idTokenRecord struct {
	clientID  string
	expiresAt time.Time
}
