package idxtest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// maxPublishedKeys is how many signing keys the JWKS lists at most: the
// current one and the newest retired ones, so tokens signed before a
// rotation still verify, as Okta keeps an old key published.
const maxPublishedKeys = 3

// keys are the server's signing keys and its public JWKS. The current key
// signs; every published key verifies.
type keys struct {
	mu        sync.RWMutex
	kid       string
	signer    jose.Signer
	published []jose.JSONWebKey // newest first
	jwks      []byte
}

// sharedKey is the RSA key that every Server of the process signs with
// unless given one ([WithSigningKey]) or told to make its own
// ([WithNewSigningKey]). Generating a 2048-bit key takes from a tenth of
// a second to over a second, far more than the rest of a Server, so it is
// generated once, on first use, and never changed: a *rsa.PrivateKey is
// only read once made, and sync.Once makes the first use safe from any
// number of goroutines. Each Server still publishes it under a key ID of
// its own, so a token of one Server does not name a key of another.
var sharedKey struct {
	once sync.Once
	key  *rsa.PrivateKey
	err  error
}

// processKey returns the shared signing key, generating it on first use.
func processKey() (*rsa.PrivateKey, error) {
	sharedKey.once.Do(func() {
		sharedKey.key, sharedKey.err = generateKey()
	})
	return sharedKey.key, sharedKey.err
}

func generateKey() (*rsa.PrivateKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("idxtest: generating the signing key: %w", err)
	}
	return priv, nil
}

// newKeys makes the signer for priv; when priv is nil, for the process's
// shared key, or for a new key of its own when own is set.
func newKeys(priv *rsa.PrivateKey, own bool) (*keys, error) {
	var err error
	switch {
	case priv != nil:
	case own:
		priv, err = generateKey()
	default:
		priv, err = processKey()
	}
	if err != nil {
		return nil, err
	}
	k := &keys{}
	if _, err := k.rotate(priv); err != nil {
		return nil, err
	}
	return k, nil
}

// rotate makes priv (a new key when nil) the signing key, publishes it
// first in the JWKS, and returns its key ID.
func (k *keys) rotate(priv *rsa.PrivateKey) (string, error) {
	if priv == nil {
		var err error
		if priv, err = generateKey(); err != nil {
			return "", err
		}
	}
	kid := randomToken(24)
	// Okta's tokens carry only kid and alg in their header (no typ);
	// okta-jwt-verifier-golang refuses any other member.
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: priv, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"}},
		nil,
	)
	if err != nil {
		return "", fmt.Errorf("idxtest: making the signer: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	pub := jose.JSONWebKey{Key: &priv.PublicKey, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"}
	published := append([]jose.JSONWebKey{pub}, k.published...)
	if len(published) > maxPublishedKeys {
		published = published[:maxPublishedKeys]
	}
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: published})
	if err != nil {
		return "", fmt.Errorf("idxtest: encoding the JWKS: %w", err)
	}
	k.kid, k.signer, k.published, k.jwks = kid, signer, published, jwks
	return kid, nil
}

func (k *keys) sign(claims any) (string, error) {
	k.mu.RLock()
	signer := k.signer
	k.mu.RUnlock()
	return jwt.Signed(signer).Claims(claims).Serialize()
}

// jwksBody returns the JWKS document.
func (k *keys) jwksBody() []byte {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.jwks
}

// RotateSigningKey makes key (RSA, 2048 bits or more; nil for a newly
// generated one, never the process's shared key) the server's signing key, as Okta's key rotation does: tokens
// issued from now on carry its key ID, and the JWKS publishes it first
// while still listing the previous keys (up to two), so tokens signed
// before the rotation still verify. It returns the new key ID. It panics
// if key is short or a key cannot be generated.
func (s *Server) RotateSigningKey(key *rsa.PrivateKey) string {
	if key != nil && key.N.BitLen() < 2048 {
		panic("idxtest: RotateSigningKey needs an RSA key of at least 2048 bits")
	}
	kid, err := s.keys.rotate(key)
	if err != nil {
		panic(err.Error())
	}
	return kid
}

// SigningKeyID returns the key ID of the key that signs new tokens.
func (s *Server) SigningKeyID() string {
	s.keys.mu.RLock()
	defer s.keys.mu.RUnlock()
	return s.keys.kid
}
