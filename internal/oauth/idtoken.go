package oauth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	josejson "github.com/go-jose/go-jose/v4/json"
	"github.com/go-jose/go-jose/v4/jwt"
)

// maxIDTokenSize caps the size of an ID token before any parsing.
const maxIDTokenSize = 64 << 10

// refusedHeaders are JOSE header parameters that an ID token from Okta never
// needs and that either point at keys outside the issuer's JWKS (jwk, jku,
// x5u, x5c), change how the token is processed (crit, b64, zip), or mark it
// as encrypted (enc).
var refusedHeaders = []string{"jwk", "jku", "x5u", "x5c", "crit", "b64", "zip", "enc"}

// IDTokenClaims are the verified claims of an ID token.
type IDTokenClaims struct {
	// Issuer is iss; it equals the provider's issuer.
	Issuer string
	// Subject is sub. Key users on Issuer and Subject together.
	Subject string
	// Nonce is nonce; it equals the expected nonce.
	Nonce string
	// AuthorizedParty is azp, if present.
	AuthorizedParty string
	// Audience is aud; it contains the client ID.
	Audience []string
	// Expiry is exp.
	Expiry time.Time
	// IssuedAt is iat.
	IssuedAt time.Time
	// AuthTime is auth_time, or the zero Time when absent.
	AuthTime time.Time
	// Claims holds all claims of the token, including those above.
	Claims map[string]any
}

// idClaims are the claims VerifyIDToken checks.
type idClaims struct {
	Issuer          string           `json:"iss"`
	Subject         string           `json:"sub"`
	Audience        jwt.Audience     `json:"aud"`
	Expiry          *jwt.NumericDate `json:"exp"`
	IssuedAt        *jwt.NumericDate `json:"iat"`
	NotBefore       *jwt.NumericDate `json:"nbf"`
	AuthTime        *jwt.NumericDate `json:"auth_time"`
	Nonce           string           `json:"nonce"`
	AuthorizedParty string           `json:"azp"`
	AtHash          *string          `json:"at_hash"`
}

func invalid(reason string, err error) *IDTokenError {
	return &IDTokenError{Reason: reason, Err: err}
}

// VerifyOptions says what an ID token must match; see
// [Provider.VerifyIDTokenWith].
type VerifyOptions struct {
	// ClientID is the client the token must be for; required.
	ClientID string
	// Nonce is the nonce sent when the flow started. It is required, and
	// the token's nonce must equal it, unless Refresh is set.
	Nonce string
	// AccessToken is the access token issued with the ID token. When set
	// and the token carries at_hash, at_hash must be the left half of the
	// access token's hash (OpenID Connect Core §3.1.3.8).
	AccessToken string
	// Refresh marks an ID token from a refresh_token grant, which carries
	// no nonce of its own (OpenID Connect Core §12.2): no nonce is then
	// required, but one that is present must equal Nonce when Nonce is
	// set, and sub must equal Subject.
	Refresh bool
	// Subject is the sub of the ID token of the original sign-in; required
	// with Refresh.
	Subject string
}

// VerifyIDToken verifies raw as an ID token issued by the provider for
// clientID in the flow that used nonce; it is [Provider.VerifyIDTokenWith]
// with only ClientID and Nonce set.
func (p *Provider) VerifyIDToken(ctx context.Context, raw, clientID, nonce string) (*IDTokenClaims, error) {
	return p.VerifyIDTokenWith(ctx, raw, VerifyOptions{ClientID: clientID, Nonce: nonce})
}

// VerifyIDTokenWith verifies raw as an ID token issued by the provider
// (OpenID Connect Core §3.1.3.7) and returns its claims.
//
// The token must be a compact JWS of at most 64 KiB with exactly one
// signature, an allowed algorithm ([ProviderOptions.SigningAlgs]) and a kid
// naming a key of the issuer's JWKS whose type fits the algorithm; jwk, jku,
// x5u, x5c, crit, b64, zip and enc headers are refused. The claims must have
// iss equal to the issuer, aud containing o.ClientID (with azp equal to it
// when there are several audiences, or whenever azp is present), exp in the
// future and iat not in the future (both required, within the leeway), nbf
// if present not in the future, nonce equal to o.Nonce (see
// [VerifyOptions.Refresh]), a sub (equal to o.Subject on refresh), and
// at_hash, if present and o.AccessToken is set, matching the access token.
// The claims are checked before the key lookup, so a token that fails them
// never causes a JWKS fetch; an unknown kid causes at most one fetch,
// subject to [ProviderOptions.JWKSRefreshCooldown].
//
// A rejected token yields an [*IDTokenError] (errors.Is(err,
// [ErrInvalidIDToken])). When the token could not be checked because the
// discovery document or JWKS was unavailable, the error is a
// [*ProviderError] instead; context errors are preserved.
func (p *Provider) VerifyIDTokenWith(ctx context.Context, raw string, o VerifyOptions) (*IDTokenClaims, error) {
	if o.ClientID == "" {
		return nil, errors.New("VerifyIDToken needs a client ID")
	}
	if o.Refresh && o.Subject == "" {
		return nil, errors.New("verifying a refreshed ID token needs the original subject")
	}
	if o.Nonce == "" && !o.Refresh { // check:nonce-expected
		return nil, invalid("no expected nonce was given", nil)
	}
	if len(raw) > maxIDTokenSize { // check:size
		return nil, invalid("token too large", nil)
	}
	dots := strings.Count(raw, ".")
	if dots == 4 { // check:jwe
		return nil, invalid("encrypted tokens (JWE) are not accepted", nil)
	}
	if dots != 2 { // check:segments
		return nil, invalid("not a compact JWS", nil)
	}
	if err := checkHeader(raw[:strings.IndexByte(raw, '.')]); err != nil {
		return nil, err
	}
	// The signature covers the header and payload as sent, but not the
	// encoding of the signature itself: only its canonical base64url form
	// is accepted, so no second spelling of a token verifies.
	if _, err := base64.RawURLEncoding.Strict().DecodeString(raw[strings.LastIndexByte(raw, '.')+1:]); err != nil { // check:sig-encoding
		return nil, invalid("signature is not canonical base64url", nil)
	}
	// The token is parsed once: the claims are decoded from the payload
	// and checked before the key lookup, and the signature is then verified
	// over that same payload, whose verified bytes give the claims.
	sig, err := jose.ParseSignedCompact(raw, p.algs) // check:alg-allowlist
	if err != nil {
		return nil, invalid("malformed token or algorithm not allowed", err)
	}
	if len(sig.Signatures) != 1 {
		return nil, invalid("exactly one signature is required", nil)
	}
	h := sig.Signatures[0].Header
	alg := jose.SignatureAlgorithm(h.Algorithm)
	if h.KeyID == "" { // check:kid
		return nil, invalid("no kid header", nil)
	}
	unverified := sig.UnsafePayloadWithoutVerification()
	var c idClaims
	if err := josejson.Unmarshal(unverified, &c); err != nil {
		return nil, invalid("malformed claims", err)
	}
	if err := p.checkClaims(&c, o, alg); err != nil {
		return nil, err
	}

	key, err := p.verificationKey(ctx, h.KeyID, alg)
	switch {
	case errors.Is(err, ErrUnknownKey):
		return nil, invalid("unknown signing key", ErrUnknownKey)
	case errors.Is(err, errKeyMismatch):
		return nil, invalid("signing key does not match the algorithm", nil)
	case err != nil:
		return nil, err
	}

	payload, err := sig.Verify(key) // check:signature
	if err != nil {
		return nil, invalid("invalid signature", err)
	}
	// The result must come from verified data only. The verified payload
	// is the one decoded and checked above (a compact JWS has one), so its
	// claims are reused; should it ever differ, it is decoded and checked
	// again.
	vc := c
	if !bytes.Equal(payload, unverified) {
		vc = idClaims{}
		if err := josejson.Unmarshal(payload, &vc); err != nil {
			return nil, invalid("invalid signature", err)
		}
		if err := p.checkClaims(&vc, o, alg); err != nil {
			return nil, err
		}
	}
	var all map[string]any
	if err := josejson.Unmarshal(payload, &all); err != nil {
		return nil, invalid("invalid signature", err)
	}
	return &IDTokenClaims{
		Issuer:          vc.Issuer,
		Subject:         vc.Subject,
		Nonce:           vc.Nonce,
		AuthorizedParty: vc.AuthorizedParty,
		Audience:        []string(vc.Audience),
		Expiry:          vc.Expiry.Time(),
		IssuedAt:        vc.IssuedAt.Time(),
		AuthTime:        vc.AuthTime.Time(),
		Claims:          all,
	}, nil
}

// checkHeader decodes the protected header and refuses parameters the
// verifier does not accept.
func checkHeader(seg string) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return invalid("header is not base64url", nil)
	}
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(b, &hdr); err != nil {
		return invalid("header is not a JSON object", nil)
	}
	for _, name := range refusedHeaders {
		if _, ok := hdr[name]; ok { // check:refused-headers
			return invalid(fmt.Sprintf("%s header not accepted", name), nil)
		}
	}
	return nil
}

// checkClaims performs the claim checks that need no key.
func (p *Provider) checkClaims(c *idClaims, o VerifyOptions, alg jose.SignatureAlgorithm) error {
	now := p.now()
	switch {
	case c.Issuer != p.issuer: // check:iss
		return invalid("issuer mismatch", jwt.ErrInvalidIssuer)
	case !c.Audience.Contains(o.ClientID): // check:aud
		return invalid("audience does not contain the client ID", jwt.ErrInvalidAudience)
	case len(c.Audience) > 1 && c.AuthorizedParty == "": // check:azp-required
		return invalid("several audiences and no azp", jwt.ErrInvalidAudience)
	case c.AuthorizedParty != "" && c.AuthorizedParty != o.ClientID: // check:azp
		return invalid("azp is not the client ID", jwt.ErrInvalidAudience)
	case c.Expiry == nil: // check:exp-required
		return invalid("no exp claim", nil)
	case now.After(c.Expiry.Time().Add(p.leeway)): // check:exp
		return invalid("expired", jwt.ErrExpired)
	case c.IssuedAt == nil: // check:iat-required
		return invalid("no iat claim", nil)
	case c.IssuedAt.Time().After(now.Add(p.leeway)): // check:iat
		return invalid("issued in the future", jwt.ErrIssuedInTheFuture)
	case c.NotBefore != nil && c.NotBefore.Time().After(now.Add(p.leeway)): // check:nbf
		return invalid("not valid yet", jwt.ErrNotValidYet)
	case !o.Refresh && c.Nonce == "": // check:nonce-required
		return invalid("no nonce claim", ErrNonceMismatch)
	case (!o.Refresh || (c.Nonce != "" && o.Nonce != "")) && subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(o.Nonce)) != 1: // check:nonce
		return invalid("nonce mismatch", ErrNonceMismatch)
	case c.Subject == "": // check:sub-required
		return invalid("no sub claim", jwt.ErrInvalidSubject)
	case o.Refresh && c.Subject != o.Subject: // check:refresh-sub
		return invalid("sub differs from the original ID token's", jwt.ErrInvalidSubject)
	case o.AccessToken != "" && c.AtHash != nil && !atHashMatches(alg, o.AccessToken, *c.AtHash): // check:at-hash
		return invalid("at_hash does not match the access token", ErrAtHashMismatch)
	}
	return nil
}

// atHashMatches reports whether want is the at_hash of accessToken for a
// token signed with alg: the left half of the hash the algorithm uses,
// base64url without padding. It compares in constant time.
func atHashMatches(alg jose.SignatureAlgorithm, accessToken, want string) bool {
	var sum []byte
	switch alg {
	case jose.RS256, jose.PS256, jose.ES256:
		h := sha256.Sum256([]byte(accessToken))
		sum = h[:]
	case jose.RS384, jose.PS384, jose.ES384:
		h := sha512.Sum384([]byte(accessToken))
		sum = h[:]
	case jose.RS512, jose.PS512, jose.ES512, jose.EdDSA:
		h := sha512.Sum512([]byte(accessToken))
		sum = h[:]
	default:
		return false
	}
	got := base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
