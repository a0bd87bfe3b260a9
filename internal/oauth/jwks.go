package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/goidx/goidx/internal/transport"
)

// minRSABits is the smallest RSA modulus accepted from the JWKS.
const minRSABits = 2048

// errKeyMismatch reports a known key ID whose key does not fit the token's
// algorithm.
var errKeyMismatch = errors.New("key type does not match the algorithm")

// Bounds on how long a JWKS is used before it is fetched again. The
// lower bound is the JWKS cooldown.
const (
	defaultJWKSTTL = time.Hour
	maxJWKSTTL     = 24 * time.Hour
)

// errCooldown reports a JWKS fetch skipped because the last one was too
// recent.
var errCooldown = errors.New("JWKS fetched too recently")

// verificationKey returns the public key with ID kid for alg. When the
// cached keys are older than the JWKS response's Cache-Control max-age it
// first refreshes them, keeping them if the refresh fails. When kid is
// unknown it refreshes the JWKS at most once. Fetches are shared with
// concurrent callers and never more frequent than the cooldown. It fails
// with ErrUnknownKey when the key is still unknown, errKeyMismatch when
// the key does not fit alg, or a *ProviderError (possibly wrapping a
// context error) when the JWKS could not be fetched.
func (p *Provider) verificationKey(ctx context.Context, kid string, alg jose.SignatureAlgorithm) (any, error) {
	stale := func() bool { return p.keys != nil && !p.now().Before(p.keysExpire) }
	p.keyMu.RLock()
	isStale := stale()
	p.keyMu.RUnlock()
	if isStale {
		// Stale keys stay usable: a failed refresh is not an error.
		if err := p.refreshKeys(ctx, stale); err != nil && ctx.Err() != nil {
			return nil, &ProviderError{Op: "jwks", Err: ctx.Err()}
		}
	}
	p.keyMu.RLock()
	key, known := findKey(p.keys, kid, alg)
	p.keyMu.RUnlock()
	if key != nil || known {
		return keyOrMismatch(key)
	}
	err := p.refreshKeys(ctx, func() bool {
		_, known := findKey(p.keys, kid, alg)
		return !known
	})
	p.keyMu.RLock()
	key, known = findKey(p.keys, kid, alg)
	p.keyMu.RUnlock()
	switch {
	case key != nil || known:
		return keyOrMismatch(key)
	case errors.Is(err, errCooldown):
		return nil, ErrUnknownKey
	case err != nil:
		return nil, err
	}
	return nil, ErrUnknownKey
}

// refreshKeys fetches the JWKS if need, called with keyMu held, still
// reports true. A fetch in flight is waited for instead of starting
// another, and none starts within the cooldown of the last one
// (errCooldown). A failed fetch keeps the cached keys.
func (p *Provider) refreshKeys(ctx context.Context, need func() bool) error {
	for attempt := 0; attempt < 2; attempt++ {
		p.keyMu.Lock()
		if !need() {
			p.keyMu.Unlock()
			return nil
		}
		if f := p.keyFlight; f != nil {
			p.keyMu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return &ProviderError{Op: "jwks", Err: ctx.Err()}
			}
			if f.err != nil && errors.Is(f.err, context.Canceled) && ctx.Err() == nil {
				continue // the fetching caller gave up; fetch ourselves
			}
			return f.err
		}
		if !p.keysAt.IsZero() && p.now().Sub(p.keysAt) < p.cooldown {
			loaded := p.keys != nil
			p.keyMu.Unlock()
			if !loaded {
				return &ProviderError{Op: "jwks", Err: errors.New("keys unavailable; a recent fetch failed")}
			}
			return errCooldown
		}
		f := &flight{done: make(chan struct{})}
		p.keyFlight = f
		p.keyMu.Unlock()

		keys, ttl, err := p.fetchKeys(ctx)

		p.keyMu.Lock()
		if err == nil {
			p.keys = keys
			p.keysExpire = p.now().Add(ttl)
		}
		if !errors.Is(err, context.Canceled) {
			p.keysAt = p.now()
		}
		p.keyFlight = nil
		f.err = err
		p.keyMu.Unlock()
		close(f.done)
		return err
	}
	return nil
}

func keyOrMismatch(key any) (any, error) {
	if key == nil {
		return nil, errKeyMismatch
	}
	return key, nil
}

// findKey returns the key with ID kid that fits alg; known reports whether
// any key has that ID.
func findKey(keys map[string][]jose.JSONWebKey, kid string, alg jose.SignatureAlgorithm) (key any, known bool) {
	cands, known := keys[kid]
	for _, k := range cands {
		if k.Algorithm != "" && k.Algorithm != string(alg) {
			continue
		}
		if fits(k.Key, alg) { // check:key-type
			return k.Key, true
		}
	}
	return nil, known
}

// fits reports whether the public key k can verify alg signatures.
func fits(k any, alg jose.SignatureAlgorithm) bool {
	switch k := k.(type) {
	case *rsa.PublicKey:
		switch alg {
		case jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512:
			return k.N.BitLen() >= minRSABits
		}
	case *ecdsa.PublicKey:
		switch alg {
		case jose.ES256:
			return k.Curve == elliptic.P256()
		case jose.ES384:
			return k.Curve == elliptic.P384()
		case jose.ES512:
			return k.Curve == elliptic.P521()
		}
	case ed25519.PublicKey:
		return alg == jose.EdDSA
	}
	return false
}

// fetchKeys downloads and parses the JWKS. Keys that cannot be used for
// signature verification (no kid, "use" other than "sig", private or
// unsupported material, short RSA moduli) are skipped.
func (p *Provider) fetchKeys(ctx context.Context) (map[string][]jose.JSONWebKey, time.Duration, error) {
	m, err := p.Metadata(ctx)
	if err != nil {
		return nil, 0, err
	}
	fail := func(err error) (map[string][]jose.JSONWebKey, time.Duration, error) {
		return nil, 0, &ProviderError{Op: "jwks", Err: err}
	}
	resp, err := p.tc.Do(ctx, &transport.Request{
		Method: http.MethodGet,
		URL:    m.JWKSURI,
		Header: http.Header{"Accept": {"application/json, application/jwk-set+json"}},
		Class:  transport.ClassRead,
	})
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode != http.StatusOK {
		return fail(fmt.Errorf("unexpected HTTP status %d", resp.StatusCode))
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(resp.Body, &set); err != nil {
		return fail(malformed("JWKS is not a JSON object of the expected shape"))
	}
	keys := make(map[string][]jose.JSONWebKey)
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil {
			continue
		}
		if k.KeyID == "" || (k.Use != "" && k.Use != "sig") || !k.IsPublic() || !k.Valid() {
			continue
		}
		switch pk := k.Key.(type) {
		case *rsa.PublicKey:
			if pk.N.BitLen() < minRSABits {
				continue
			}
		case *ecdsa.PublicKey, ed25519.PublicKey:
		default:
			continue
		}
		keys[k.KeyID] = append(keys[k.KeyID], k)
	}
	if len(keys) == 0 {
		return fail(malformed("JWKS has no usable signing keys"))
	}
	ttl := boundedTTL(resp.Header.Get("Cache-Control"), defaultJWKSTTL, p.cooldown, max(maxJWKSTTL, p.cooldown))
	return keys, ttl, nil
}
