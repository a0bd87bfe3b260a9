package oauth

import (
	"bytes"
	"context"
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
}

func invalid(reason string, err error) *IDTokenError {
	return &IDTokenError{Reason: reason, Err: err}
}

// VerifyIDToken verifies raw as an ID token issued by the provider for
// clientID in the flow that used nonce (OpenID Connect Core §3.1.3.7), and
// returns its claims.
//
// The token must be a compact JWS of at most 64 KiB with exactly one
// signature, an allowed algorithm ([ProviderOptions.SigningAlgs]) and a kid
// naming a key of the issuer's JWKS whose type fits the algorithm; jwk, jku,
// x5u, x5c, crit, b64, zip and enc headers are refused. The claims must have
// iss equal to the issuer, aud containing clientID (with azp equal to
// clientID when there are several audiences, or whenever azp is present),
// exp in the future and iat not in the future (both required, within the
// leeway), nbf if present not in the future, nonce equal to nonce, and a
// sub. The claims are checked before the key lookup, so a token that fails
// them never causes a JWKS fetch; an unknown kid causes at most one fetch,
// subject to [ProviderOptions.JWKSRefreshCooldown].
//
// A rejected token yields an [*IDTokenError] (errors.Is(err,
// [ErrInvalidIDToken])). When the token could not be checked because the
// discovery document or JWKS was unavailable, the error is a
// [*ProviderError] instead; context errors are preserved.
func (p *Provider) VerifyIDToken(ctx context.Context, raw, clientID, nonce string) (*IDTokenClaims, error) {
	if clientID == "" {
		return nil, errors.New("oauth: VerifyIDToken needs a client ID")
	}
	if nonce == "" {
		return nil, invalid("no expected nonce was given", nil)
	}
	if len(raw) > maxIDTokenSize {
		return nil, invalid("token too large", nil)
	}
	switch strings.Count(raw, ".") {
	case 2:
	case 4:
		return nil, invalid("encrypted tokens (JWE) are not accepted", nil)
	default:
		return nil, invalid("not a compact JWS", nil)
	}
	if err := checkHeader(raw[:strings.IndexByte(raw, '.')]); err != nil {
		return nil, err
	}
	// The token is parsed once: the claims are decoded from the payload
	// and checked before the key lookup, and the signature is then verified
	// over that same payload, whose verified bytes give the claims.
	sig, err := jose.ParseSignedCompact(raw, p.algs)
	if err != nil {
		return nil, invalid("malformed token or algorithm not allowed", err)
	}
	if len(sig.Signatures) != 1 {
		return nil, invalid("exactly one signature is required", nil)
	}
	h := sig.Signatures[0].Header
	if h.KeyID == "" {
		return nil, invalid("no kid header", nil)
	}
	unverified := sig.UnsafePayloadWithoutVerification()
	var c idClaims
	if err := josejson.Unmarshal(unverified, &c); err != nil {
		return nil, invalid("malformed claims", err)
	}
	if err := p.checkClaims(&c, clientID, nonce); err != nil {
		return nil, err
	}

	key, err := p.verificationKey(ctx, h.KeyID, jose.SignatureAlgorithm(h.Algorithm))
	switch {
	case errors.Is(err, ErrUnknownKey):
		return nil, invalid("unknown signing key", ErrUnknownKey)
	case errors.Is(err, errKeyMismatch):
		return nil, invalid("signing key does not match the algorithm", nil)
	case err != nil:
		return nil, err
	}

	payload, err := sig.Verify(key)
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
		if err := p.checkClaims(&vc, clientID, nonce); err != nil {
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
		if _, ok := hdr[name]; ok {
			return invalid(fmt.Sprintf("%s header not accepted", name), nil)
		}
	}
	return nil
}

// checkClaims performs the claim checks that need no key.
func (p *Provider) checkClaims(c *idClaims, clientID, nonce string) error {
	now := p.now()
	switch {
	case c.Issuer != p.issuer:
		return invalid("issuer mismatch", jwt.ErrInvalidIssuer)
	case !c.Audience.Contains(clientID):
		return invalid("audience does not contain the client ID", jwt.ErrInvalidAudience)
	case len(c.Audience) > 1 && c.AuthorizedParty == "":
		return invalid("several audiences and no azp", jwt.ErrInvalidAudience)
	case c.AuthorizedParty != "" && c.AuthorizedParty != clientID:
		return invalid("azp is not the client ID", jwt.ErrInvalidAudience)
	case c.Expiry == nil:
		return invalid("no exp claim", nil)
	case now.After(c.Expiry.Time().Add(p.leeway)):
		return invalid("expired", jwt.ErrExpired)
	case c.IssuedAt == nil:
		return invalid("no iat claim", nil)
	case c.IssuedAt.Time().After(now.Add(p.leeway)):
		return invalid("issued in the future", jwt.ErrIssuedInTheFuture)
	case c.NotBefore != nil && c.NotBefore.Time().After(now.Add(p.leeway)):
		return invalid("not valid yet", jwt.ErrNotValidYet)
	case c.Nonce == "":
		return invalid("no nonce claim", ErrNonceMismatch)
	case subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(nonce)) != 1:
		return invalid("nonce mismatch", ErrNonceMismatch)
	case c.Subject == "":
		return invalid("no sub claim", jwt.ErrInvalidSubject)
	}
	return nil
}
