package main

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/goidx/goidx/idx/cookiestore"
)

// cookieSessions keep each session in the browser, in one sealed cookie
// (a JWE: "dir" key management, A256GCM, the key's ID in "kid"), so that
// every instance holding the key can read it and none stores anything.
//
// The price of keeping nothing on the server: a session cannot be ended
// on the server. Sign-out clears the cookie and revokes the tokens at the
// org, and a copy of the cookie taken before stays readable until the
// session's idle time or lifetime runs out. So the org is asked (active)
// whether a signed-in session's tokens are still active each time one is
// loaded: after sign-out, or once the tokens expire, the session is over.
// That costs one introspection request per request of a signed-in user.
type cookieSessions struct {
	cookies        cookiePolicy
	current        sealKey
	byID           map[string]sealKey
	idle, lifetime time.Duration
	now            func() time.Time
	// active reports whether a signed-in user's tokens are still active
	// at the org; nil checks nothing.
	active func(context.Context, *signedIn) (bool, error)
}

// sealKey is a session-cookie key: derived from a cookie key's secret.
type sealKey struct {
	id  string
	key []byte
}

// sessionKeyInfo separates the session-cookie keys from the transaction
// cookie's keys (cookiestore derives its own from the same secrets).
const sessionKeyInfo = "goidx/examples/webapp session cookie v1 JWE dir A256GCM"

// sessionCookieType is the JWE "typ" of a session cookie.
const sessionCookieType = "goidx-webapp-session"

// maxSessionPlaintext bounds an inflated session cookie.
const maxSessionPlaintext = 64 << 10

// errSessionTooLarge: the session does not fit in one cookie.
var errSessionTooLarge = errors.New("session too large for a cookie (use -store=redis)")

func newCookieSessions(keys cookiestore.Keys, cookies cookiePolicy, idle, lifetime time.Duration, now func() time.Time) (*cookieSessions, error) {
	s := &cookieSessions{cookies: cookies, byID: map[string]sealKey{}, idle: idle, lifetime: lifetime, now: now}
	for i, k := range append([]cookiestore.Key{keys.Current}, keys.Previous...) {
		if k.ID == "" || k.Secret == ([32]byte{}) {
			return nil, errors.New("webapp: a cookie key without an ID or secret")
		}
		if _, dup := s.byID[k.ID]; dup {
			return nil, fmt.Errorf("webapp: cookie key ID %q given twice", k.ID)
		}
		d, err := hkdf.Key(sha256.New, k.Secret[:], nil, sessionKeyInfo, 32)
		if err != nil {
			return nil, err
		}
		sk := sealKey{id: k.ID, key: d}
		s.byID[k.ID] = sk
		if i == 0 {
			s.current = sk
		}
	}
	return s, nil
}

func (s *cookieSessions) expired(sess session, now time.Time) bool {
	return now.Sub(sess.lastSeen) >= s.idle || now.Sub(sess.created) >= s.lifetime
}

func (s *cookieSessions) load(ctx context.Context, w http.ResponseWriter, r *http.Request) (string, session, bool, error) {
	v := s.cookies.id(r)
	if v == "" {
		return "", session{}, false, nil
	}
	rec, err := s.open(v)
	if err != nil {
		return "", session{}, false, nil
	}
	sess, now := rec.session(), s.now()
	if s.expired(sess, now) {
		return "", session{}, false, nil
	}
	if sess.user != nil && s.active != nil {
		ok, err := s.active(ctx, sess.user)
		if err != nil {
			return "", session{}, false, err
		}
		if !ok {
			// Signed out (the tokens were revoked), or the tokens
			// expired: the session is over.
			setCookie(w, s.cookies.expired())
			return "", session{}, false, nil
		}
	}
	// Use keeps a session alive: renew the cookie now and then.
	if now.Sub(sess.lastSeen) >= time.Minute {
		if _, err := s.save(context.Background(), w, rec.ID, sess); err != nil {
			return "", session{}, false, err
		}
		sess.lastSeen = now
	}
	return rec.ID, sess, true, nil
}

func (s *cookieSessions) create(ctx context.Context, w http.ResponseWriter, sess session) (string, session, error) {
	id := newSessionID()
	now := s.now()
	if sess.csrf == "" {
		sess.csrf = randomToken()
	}
	sess.created, sess.lastSeen = now, now
	if _, err := s.save(ctx, w, id, sess); err != nil {
		return "", session{}, err
	}
	return id, sess, nil
}

// save seals sess into the cookie. When it would not fit, the profile is
// left out (the home page then shows the ID token's claims), then the
// other steps the transaction offers; if it still does not fit, save fails
// with errSessionTooLarge.
func (s *cookieSessions) save(_ context.Context, w http.ResponseWriter, id string, sess session) (bool, error) {
	sess.lastSeen = s.now()
	rec := newRecord(sess, true)
	rec.ID = id
	shrink := []func(){
		func() {},
		func() {
			if rec.User != nil {
				rec.User.Profile = nil
			}
		},
		func() {
			if rec.Tx != nil {
				rec.Tx.AvailableSteps = nil
			}
		},
	}
	for _, f := range shrink {
		f()
		v, err := s.seal(&rec)
		if err != nil {
			return false, err
		}
		c := s.cookies.cookie(v)
		if len(c.String()) <= cookiestore.MaxCookieSize {
			setCookie(w, c)
			return true, nil
		}
	}
	return false, errSessionTooLarge
}

func (s *cookieSessions) rotate(ctx context.Context, w http.ResponseWriter, _ string, sess session) (string, session, error) {
	sess.csrf = ""
	return s.create(ctx, w, sess)
}

func (s *cookieSessions) end(_ context.Context, w http.ResponseWriter, _ string) error {
	setCookie(w, s.cookies.expired())
	return nil
}

// seal returns rec as JSON, DEFLATE-compressed, in a compact JWE.
func (s *cookieSessions) seal(rec *sessionRecord) (string, error) {
	js, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.BestCompression)
	_, _ = zw.Write(js)
	if err := zw.Close(); err != nil {
		return "", err
	}
	enc, err := jose.NewEncrypter(jose.A256GCM,
		jose.Recipient{Algorithm: jose.DIRECT, Key: s.current.key, KeyID: s.current.id},
		(&jose.EncrypterOptions{}).WithType(sessionCookieType))
	if err != nil {
		return "", err
	}
	obj, err := enc.Encrypt(buf.Bytes())
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// open returns the record a cookie value seals, if it was sealed with one
// of the keys.
func (s *cookieSessions) open(v string) (*sessionRecord, error) {
	obj, err := jose.ParseEncryptedCompact(v, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return nil, err
	}
	if typ, _ := obj.Header.ExtraHeaders[jose.HeaderType].(string); typ != sessionCookieType {
		return nil, errors.New("not a session cookie")
	}
	k, ok := s.byID[obj.Header.KeyID]
	if !ok {
		return nil, errors.New("unknown key")
	}
	z, err := obj.Decrypt(k.key)
	if err != nil {
		return nil, err
	}
	js, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(z)), maxSessionPlaintext+1))
	if err != nil || len(js) > maxSessionPlaintext {
		return nil, errors.New("malformed session cookie")
	}
	var rec sessionRecord
	if err := json.Unmarshal(js, &rec); err != nil || rec.V != recordVersion || !validID(rec.ID) {
		return nil, errors.New("malformed session cookie")
	}
	return &rec, nil
}

// parseCookieKeys reads cookie keys written as ID:SECRET, where SECRET is
// 32 bytes in base64 (standard or URL alphabet, padded or not), separated
// by commas: the first seals, the others only open (rotation).
func parseCookieKeys(v string) (cookiestore.Keys, error) {
	var keys cookiestore.Keys
	for i, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		id, secret, ok := strings.Cut(part, ":")
		if !ok || id == "" {
			return keys, errors.New("a cookie key must be written ID:BASE64 (e.g. 2025-06:<32 bytes in base64>)")
		}
		var b []byte
		var err error
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err = enc.DecodeString(secret); err == nil {
				break
			}
		}
		if err != nil || len(b) != 32 {
			return keys, fmt.Errorf("cookie key %q: the secret must be 32 bytes in base64 (openssl rand -base64 32)", id)
		}
		k := cookiestore.Key{ID: id}
		copy(k.Secret[:], b)
		if i == 0 {
			keys.Current = k
		} else {
			keys.Previous = append(keys.Previous, k)
		}
	}
	return keys, nil
}

// ephemeralCookieKey returns a random key, for a single instance that was
// given none.
func ephemeralCookieKey() cookiestore.Keys {
	k := cookiestore.Key{ID: "ephemeral-" + strings.ToLower(rand.Text()[:8])}
	_, _ = rand.Read(k.Secret[:])
	return cookiestore.Keys{Current: k}
}
