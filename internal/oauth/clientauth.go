package oauth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"net/http"
	"net/url"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// AssertionType is the client_assertion_type of private_key_jwt (RFC 7523
// §2.2).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// AssertionLifetime is how long a client assertion is valid after its
// iat. Okta accepts up to one hour; five minutes keeps a stolen assertion
// short-lived.
const AssertionLifetime = 5 * time.Minute

// AuthMethod is a client authentication method (RFC 6749 §2.3).
type AuthMethod int

const (
	// AuthNone is for public clients: client_id in the form only.
	AuthNone AuthMethod = iota
	// AuthClientSecretBasic sends the credentials in an HTTP Basic
	// Authorization header (Okta's default for confidential clients).
	AuthClientSecretBasic
	// AuthClientSecretPost sends client_id and client_secret in the form
	// body.
	AuthClientSecretPost
	// AuthPrivateKeyJWT sends a JWT signed with the client's private key
	// as client_assertion (RFC 7523, OpenID Connect Core §9).
	AuthPrivateKeyJWT
)

// String returns the registered name of the method.
func (m AuthMethod) String() string {
	switch m {
	case AuthNone:
		return "none"
	case AuthClientSecretBasic:
		return "client_secret_basic"
	case AuthClientSecretPost:
		return "client_secret_post"
	case AuthPrivateKeyJWT:
		return "private_key_jwt"
	default:
		return fmt.Sprintf("AuthMethod(%d)", int(m))
	}
}

// ClientAuth holds a client's identity and credentials. Its fmt and slog
// forms redact the secret and the key.
type ClientAuth struct {
	// Method selects how the client authenticates.
	Method AuthMethod
	// ClientID is the OAuth client ID.
	ClientID string
	// ClientSecret is the client secret, for the client_secret methods.
	ClientSecret string
	// Signer is the client's private key, for [AuthPrivateKeyJWT]: an RSA
	// key of at least 2048 bits (RS256) or an ECDSA P-256 key (ES256).
	// Any crypto.Signer with such a public key works, so the key may live
	// in an HSM or KMS.
	Signer crypto.Signer
	// KeyID is the kid of the public key registered with the app; it goes
	// in the assertion's header. Optional for Okta, which then tries
	// every registered key.
	KeyID string
}

// Apply adds the client authentication to a request for the secret-based
// methods: the form body and, for [AuthClientSecretBasic], the
// Authorization header. form must be non-nil, and h too for basic
// authentication. Every method puts client_id in the form (Okta accepts
// it alongside Basic authentication); only [AuthClientSecretPost] puts
// client_secret there, and a client_secret already in form is removed
// otherwise. For Basic, the ID and secret are form-URL-encoded before
// base64 (RFC 6749 §2.3.1). For [AuthPrivateKeyJWT], which needs the
// endpoint and the time, use [ClientAuth.ApplyTo]; Apply then sets only
// client_id.
func (a ClientAuth) Apply(form url.Values, h http.Header) {
	form.Del("client_secret")
	form.Del("client_assertion")
	form.Del("client_assertion_type")
	form.Set("client_id", a.ClientID)
	switch a.Method {
	case AuthClientSecretBasic:
		cred := url.QueryEscape(a.ClientID) + ":" + url.QueryEscape(a.ClientSecret)
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	case AuthClientSecretPost:
		form.Set("client_secret", a.ClientSecret)
	}
}

// ApplyTo is [ClientAuth.Apply] for a request to endpoint (its full URL)
// at time now. For [AuthPrivateKeyJWT] it adds client_assertion_type and
// a client_assertion signed by Signer with iss and sub the client ID, aud
// endpoint, a random 128-bit jti (new on every call), iat now and exp
// now plus [AssertionLifetime].
func (a ClientAuth) ApplyTo(form url.Values, h http.Header, endpoint string, now time.Time) error {
	a.Apply(form, h)
	if a.Method != AuthPrivateKeyJWT {
		return nil
	}
	assertion, err := a.assertion(endpoint, now)
	if err != nil {
		return err
	}
	form.Set("client_assertion_type", AssertionType)
	form.Set("client_assertion", assertion)
	return nil
}

// rebuilder returns, for [AuthPrivateKeyJWT], a transport.Request.Rebuild
// function that encodes form (already prepared by ApplyTo) with a new
// client assertion for endpoint, so that a retry never repeats a jti; nil
// for the other methods, whose retries may repeat the body.
func (a ClientAuth) rebuilder(form url.Values, endpoint string, now func() time.Time) func() ([]byte, error) {
	if a.Method != AuthPrivateKeyJWT {
		return nil
	}
	return func() ([]byte, error) {
		assertion, err := a.assertion(endpoint, now())
		if err != nil {
			return nil, err
		}
		f := maps.Clone(form)
		f["client_assertion"] = []string{assertion}
		return []byte(f.Encode()), nil
	}
}

// assertionClaims are the claims of a client assertion.
type assertionClaims struct {
	Issuer   string           `json:"iss"`
	Subject  string           `json:"sub"`
	Audience string           `json:"aud"`
	ID       string           `json:"jti"`
	IssuedAt *jwt.NumericDate `json:"iat"`
	Expiry   *jwt.NumericDate `json:"exp"`
}

// assertion returns a signed client assertion for endpoint.
func (a ClientAuth) assertion(endpoint string, now time.Time) (string, error) {
	if endpoint == "" {
		return "", errors.New("private_key_jwt needs the endpoint URL")
	}
	alg, err := signerAlg(a.Signer)
	if err != nil {
		return "", err
	}
	jti, err := RandomToken(16)
	if err != nil {
		return "", err
	}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: opaque{a.Signer, alg, a.KeyID}}, opts)
	if err != nil {
		return "", fmt.Errorf("client assertion signer: %w", err)
	}
	raw, err := jwt.Signed(s).Claims(assertionClaims{
		Issuer:   a.ClientID,
		Subject:  a.ClientID,
		Audience: endpoint,
		ID:       jti,
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(AssertionLifetime)),
	}).Serialize()
	if err != nil {
		return "", fmt.Errorf("signing the client assertion: %w", err)
	}
	return raw, nil
}

// signerAlg picks the JWS algorithm for the signer's public key.
func signerAlg(s crypto.Signer) (jose.SignatureAlgorithm, error) {
	if s == nil {
		return "", errors.New("private_key_jwt needs a signer")
	}
	switch pub := s.Public().(type) {
	case *rsa.PublicKey:
		if pub.N.BitLen() < minRSABits {
			return "", fmt.Errorf("private_key_jwt needs an RSA key of at least %d bits", minRSABits)
		}
		return jose.RS256, nil
	case *ecdsa.PublicKey:
		if pub.Curve != elliptic.P256() {
			return "", errors.New("private_key_jwt needs a P-256 ECDSA key")
		}
		return jose.ES256, nil
	}
	return "", errors.New("private_key_jwt needs an RSA or ECDSA P-256 key")
}

// opaque adapts a crypto.Signer to go-jose's OpaqueSigner, so keys that are
// not in memory (HSM, KMS) sign too.
type opaque struct {
	s   crypto.Signer
	alg jose.SignatureAlgorithm
	kid string
}

func (o opaque) Public() *jose.JSONWebKey {
	return &jose.JSONWebKey{Key: o.s.Public(), KeyID: o.kid, Algorithm: string(o.alg), Use: "sig"}
}

func (o opaque) Algs() []jose.SignatureAlgorithm { return []jose.SignatureAlgorithm{o.alg} }

func (o opaque) SignPayload(payload []byte, alg jose.SignatureAlgorithm) ([]byte, error) {
	if alg != o.alg {
		return nil, errors.New("unexpected signature algorithm")
	}
	sum := sha256.Sum256(payload)
	sig, err := o.s.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	if alg != jose.ES256 {
		return sig, nil
	}
	// crypto.Signer gives ECDSA signatures in ASN.1; JWS wants r||s.
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(sig, &rs); err != nil || len(rest) != 0 || rs.R == nil || rs.S == nil {
		return nil, errors.New("malformed ECDSA signature from the signer")
	}
	if rs.R.BitLen() > 256 || rs.S.BitLen() > 256 || rs.R.Sign() < 0 || rs.S.Sign() < 0 {
		return nil, errors.New("malformed ECDSA signature from the signer")
	}
	out := make([]byte, 64)
	rs.R.FillBytes(out[:32])
	rs.S.FillBytes(out[32:])
	return out, nil
}

// validate reports whether a can be used.
func (a ClientAuth) validate() error {
	if a.ClientID == "" {
		return errors.New("client ID is empty")
	}
	switch a.Method {
	case AuthNone:
		if a.ClientSecret != "" {
			return errors.New("a client secret is set but the auth method is none")
		}
	case AuthClientSecretBasic, AuthClientSecretPost:
		if a.ClientSecret == "" {
			return fmt.Errorf("auth method %s needs a client secret", a.Method)
		}
	case AuthPrivateKeyJWT:
		if a.ClientSecret != "" {
			return errors.New("a client secret is set but the auth method is private_key_jwt")
		}
		if _, err := signerAlg(a.Signer); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown auth method %d", int(a.Method))
	}
	return nil
}

// Validate reports whether a is complete and consistent: a client ID, a
// secret exactly for the secret methods, a usable signer for
// [AuthPrivateKeyJWT].
func (a ClientAuth) Validate() error { return a.validate() }

func (a ClientAuth) redactedSecret() string {
	if a.ClientSecret == "" {
		return "<none>"
	}
	return "<redacted>"
}

func (a ClientAuth) redactedSigner() string {
	if a.Signer == nil {
		return "<none>"
	}
	return "<redacted>"
}

// String returns a description of a with the secret and key redacted.
func (a ClientAuth) String() string {
	return fmt.Sprintf("oauth.ClientAuth{Method: %s, ClientID: %q, ClientSecret: %s, Signer: %s, KeyID: %q}",
		a.Method, a.ClientID, a.redactedSecret(), a.redactedSigner(), a.KeyID)
}

// GoString is like String, so that %#v redacts the secret too.
func (a ClientAuth) GoString() string { return a.String() }

// LogValue implements slog.LogValuer with the secret redacted.
func (a ClientAuth) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("method", a.Method.String()),
		slog.String("client_id", a.ClientID),
		slog.String("client_secret", a.redactedSecret()),
		slog.String("signer", a.redactedSigner()),
	)
}
