package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/goidx/goidx/idx"
)

// A session is what the app keeps on the server about one browser, from
// the moment it starts a sign-in (a visitor who only looks at the sign-in
// page gets no session: see app.anonToken). The browser holds only a
// random session ID in a cookie; the sign-in transaction's State, the
// tokens and the profile never leave the server.
//
// Sessions are values: handlers get a copy from the store, change it and
// save it back. The pointers it holds are never changed in place.
type session struct {
	// csrf is the anti-forgery token that every form of the session
	// carries and every POST must send back.
	csrf string
	// tx is the sign-in transaction in progress (PENDING), or nil.
	tx *idx.Transaction
	// returnTo is the local path to go to after signing in.
	returnTo string
	// flash is a notice shown once, on the next page.
	flash string
	// notices are server messages shown once on the next sign-in page,
	// such as those of a transaction the server ended.
	notices []idx.Message
	// user is set once the user has signed in.
	user *signedIn
	// stepUp is set while a signed-in user confirms with two factors
	// (stepup.go): the username of the login hint, "-" when unknown.
	stepUp string

	created  time.Time
	lastSeen time.Time
}

// signedIn is a signed-in user.
type signedIn struct {
	// state is the State of the transaction that signed the user in; the
	// SDK's token store keeps the tokens under it.
	state  string
	tokens *idx.Tokens
	// profile is the userinfo answer, nil if it could not be fetched.
	profile *idx.UserInfo
}

// errTooManySessions is returned when the store is full of live sessions.
var errTooManySessions = errors.New("too many sessions")

// sessionStore keeps sessions in memory, keyed by a hash of their ID so that
// neither a map lookup's timing nor a memory dump gives IDs away. It suits
// one process; several instances of the app need a shared store instead
// (and a shared idx.TransactionStore and idx.TokenStore).
type sessionStore struct {
	idle     time.Duration // a session unused this long expires
	lifetime time.Duration // a session older than this expires
	max      int           // live sessions at most
	now      func() time.Time

	mu        sync.Mutex
	m         map[[sha256.Size]byte]*session
	lastSweep time.Time
}

func newSessionStore(idle, lifetime time.Duration, max int, now func() time.Time) *sessionStore {
	return &sessionStore{idle: idle, lifetime: lifetime, max: max, now: now, m: make(map[[sha256.Size]byte]*session)}
}

// newSessionID returns 256 random bits, base64url-encoded (43 characters).
func newSessionID() string {
	return randomToken()
}

// randomToken returns 32 bytes from crypto/rand, base64url-encoded without
// padding. crypto/rand.Read never fails (it crashes the program instead).
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validID reports whether id looks like an ID newSessionID makes, so that
// junk from a tampered cookie is refused before any lookup.
func validID(id string) bool {
	if len(id) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil && len(b) == 32
}

func storeKey(id string) [sha256.Size]byte { return sha256.Sum256([]byte(id)) }

func (s *sessionStore) expired(sess *session, now time.Time) bool {
	return now.Sub(sess.lastSeen) >= s.idle || now.Sub(sess.created) >= s.lifetime
}

// create stores sess under a new ID and returns the ID. The session gets
// a new CSRF token unless sess has one.
func (s *sessionStore) create(sess session) (string, session, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= s.max || now.Sub(s.lastSweep) >= time.Minute {
		s.sweepLocked(now)
	}
	if len(s.m) >= s.max {
		return "", session{}, errTooManySessions
	}
	id := newSessionID()
	if sess.csrf == "" {
		sess.csrf = randomToken()
	}
	sess.created, sess.lastSeen = now, now
	s.m[storeKey(id)] = &sess
	return id, sess, nil
}

func (s *sessionStore) sweepLocked(now time.Time) {
	for k, sess := range s.m {
		if s.expired(sess, now) {
			delete(s.m, k)
		}
	}
	s.lastSweep = now
}

// get returns a copy of the session with ID id and marks it used. It reports
// false for malformed, unknown and expired IDs (and forgets an expired
// session).
func (s *sessionStore) get(id string) (session, bool) {
	if !validID(id) {
		return session{}, false
	}
	k := storeKey(id)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.m[k]
	if !ok {
		return session{}, false
	}
	if s.expired(sess, now) {
		delete(s.m, k)
		return session{}, false
	}
	sess.lastSeen = now
	return *sess, true
}

// save replaces the session with ID id by sess. It reports false if the
// session is gone (expired, or deleted by a concurrent sign-out).
func (s *sessionStore) save(id string, sess session) bool {
	k := storeKey(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.m[k]
	if !ok {
		return false
	}
	sess.created, sess.lastSeen = cur.created, s.now()
	s.m[k] = &sess
	return true
}

// rotate ends the session with ID old and stores sess under a new ID with a
// new CSRF token, as done at sign-in so that an ID known before it (session
// fixation) is worth nothing after.
func (s *sessionStore) rotate(old string, sess session) (string, session, error) {
	s.delete(old)
	sess.csrf = ""
	return s.create(sess)
}

// delete ends the session with ID id, if any.
func (s *sessionStore) delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, storeKey(id))
}

// len returns the number of sessions held, expired or not.
func (s *sessionStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// cookiePolicy names and shapes the session cookie.
type cookiePolicy struct {
	// secure is set when the app is served over https: the cookie is then
	// Secure and carries the __Host- prefix, which makes browsers refuse it
	// unless it is Secure, host-only and for path /.
	secure bool
}

func (p cookiePolicy) name() string {
	if p.secure {
		return "__Host-goidx_session"
	}
	return "goidx_session"
}

// cookie returns the session cookie carrying id. It is a browser-session
// cookie: the server decides when the session ends.
func (p cookiePolicy) cookie(id string) *http.Cookie {
	return &http.Cookie{
		Name:     p.name(),
		Value:    id,
		Path:     "/",
		HttpOnly: true,
		Secure:   p.secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// anonName names the cookie of a visitor's anonymous token (see
// app.anonToken).
func (p cookiePolicy) anonName() string {
	if p.secure {
		return "__Host-goidx_anon"
	}
	return "goidx_anon"
}

// anonCookie returns the cookie carrying an anonymous token.
func (p cookiePolicy) anonCookie(token string) *http.Cookie {
	c := p.cookie(token)
	c.Name = p.anonName()
	return c
}

// anonToken returns the anonymous token the request carries, or "".
func (p cookiePolicy) anonToken(r *http.Request) string {
	c, err := r.Cookie(p.anonName())
	if err != nil {
		return ""
	}
	return c.Value
}

// expiredAnon returns a cookie that makes the browser drop the anonymous
// token's cookie.
func (p cookiePolicy) expiredAnon() *http.Cookie {
	c := p.anonCookie("")
	c.MaxAge = -1
	return c
}

// expired returns a cookie that makes the browser drop the session cookie.
func (p cookiePolicy) expired() *http.Cookie {
	c := p.cookie("")
	c.MaxAge = -1
	return c
}

// id returns the session ID the request carries, or "".
func (p cookiePolicy) id(r *http.Request) string {
	c, err := r.Cookie(p.name())
	if err != nil {
		return ""
	}
	return c.Value
}
