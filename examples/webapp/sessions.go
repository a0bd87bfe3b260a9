package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/goidx/goidx/idx"
)

// sessions is where the app keeps its sessions, as seen from a request:
// in this process's memory, in Redis, or in the browser's cookie itself.
// Each implementation sets the session cookie it needs on w.
type sessions interface {
	// load returns the session the request's cookie names. ok is false
	// when the request carries no session cookie or one this store does
	// not know (unknown, expired, forged). err is for a store that cannot
	// be reached.
	load(ctx context.Context, w http.ResponseWriter, r *http.Request) (id string, sess session, ok bool, err error)
	// create starts a session holding sess, under a new ID, and sets its
	// cookie. The session gets a new CSRF token unless sess has one.
	create(ctx context.Context, w http.ResponseWriter, sess session) (string, session, error)
	// save replaces the session id by sess. It reports false when the
	// session is gone (expired, or ended by a concurrent sign-out).
	save(ctx context.Context, w http.ResponseWriter, id string, sess session) (bool, error)
	// rotate ends the session id and starts one holding sess, under a new
	// ID with a new CSRF token (at sign-in, against session fixation).
	rotate(ctx context.Context, w http.ResponseWriter, id string, sess session) (string, session, error)
	// end ends the session id. The caller sets the next cookie.
	end(ctx context.Context, w http.ResponseWriter, id string) error
}

// errSessionStore wraps the failures of a session store that cannot be
// reached (Redis down).
var errSessionStore = errors.New("session store unavailable")

// sessionBackend keeps sessions on the server, by ID: memory or Redis.
type sessionBackend interface {
	create(ctx context.Context, sess session) (string, session, error)
	get(ctx context.Context, id string) (session, bool, error)
	save(ctx context.Context, id string, sess session) (bool, error)
	delete(ctx context.Context, id string) error
}

// serverSessions are sessions kept on the server: the browser's cookie
// holds only the random session ID.
type serverSessions struct {
	backend sessionBackend
	cookies cookiePolicy
}

func (s *serverSessions) load(ctx context.Context, _ http.ResponseWriter, r *http.Request) (string, session, bool, error) {
	id := s.cookies.id(r)
	if id == "" {
		return "", session{}, false, nil
	}
	sess, ok, err := s.backend.get(ctx, id)
	if err != nil || !ok {
		return "", session{}, false, err
	}
	return id, sess, true, nil
}

func (s *serverSessions) create(ctx context.Context, w http.ResponseWriter, sess session) (string, session, error) {
	id, sess, err := s.backend.create(ctx, sess)
	if err != nil {
		return "", session{}, err
	}
	setCookie(w, s.cookies.cookie(id))
	return id, sess, nil
}

func (s *serverSessions) save(ctx context.Context, _ http.ResponseWriter, id string, sess session) (bool, error) {
	return s.backend.save(ctx, id, sess)
}

func (s *serverSessions) rotate(ctx context.Context, w http.ResponseWriter, id string, sess session) (string, session, error) {
	if err := s.backend.delete(ctx, id); err != nil {
		return "", session{}, err
	}
	sess.csrf = ""
	return s.create(ctx, w, sess)
}

func (s *serverSessions) end(ctx context.Context, _ http.ResponseWriter, id string) error {
	return s.backend.delete(ctx, id)
}

// memoryBackend adapts the in-memory sessionStore.
type memoryBackend struct{ s *sessionStore }

func (m memoryBackend) create(_ context.Context, sess session) (string, session, error) {
	return m.s.create(sess)
}

func (m memoryBackend) get(_ context.Context, id string) (session, bool, error) {
	sess, ok := m.s.get(id)
	return sess, ok, nil
}

func (m memoryBackend) save(_ context.Context, id string, sess session) (bool, error) {
	return m.s.save(id, sess), nil
}

func (m memoryBackend) delete(_ context.Context, id string) error {
	m.s.delete(id)
	return nil
}

// setCookie sets c on w, replacing a cookie of the same name set earlier
// in the same response, so that each response sets each cookie once.
func setCookie(w http.ResponseWriter, c *http.Cookie) {
	h := w.Header()
	prefix := c.Name + "="
	kept := h.Values("Set-Cookie")[:0:0]
	for _, v := range h.Values("Set-Cookie") {
		if !strings.HasPrefix(v, prefix) {
			kept = append(kept, v)
		}
	}
	h.Del("Set-Cookie")
	for _, v := range kept {
		h.Add("Set-Cookie", v)
	}
	http.SetCookie(w, c)
}

// redisSessions keeps sessions in Redis, shared by every instance of the
// app: one string per session under the prefix and the SHA-256 of its ID
// (so a key listing reveals no ID), holding the session as JSON. Redis
// expires it after the idle time, which every read renews, and at the
// latest at the end of its lifetime.
type redisSessions struct {
	rdb            redis.UniversalClient
	prefix         string
	idle, lifetime time.Duration
	now            func() time.Time
}

func (s *redisSessions) key(id string) string {
	sum := sha256.Sum256([]byte(id))
	return s.prefix + hex.EncodeToString(sum[:])
}

// ttl is how long a session created at created may stay unused.
func (s *redisSessions) ttl(created time.Time) time.Duration {
	left := created.Add(s.lifetime).Sub(s.now())
	return min(s.idle, left)
}

func (s *redisSessions) create(ctx context.Context, sess session) (string, session, error) {
	now := s.now()
	id := newSessionID()
	if sess.csrf == "" {
		sess.csrf = randomToken()
	}
	sess.created, sess.lastSeen = now, now
	b, err := json.Marshal(newRecord(sess, false))
	if err != nil {
		return "", session{}, err
	}
	ok, err := s.rdb.SetNX(ctx, s.key(id), b, s.idle).Result()
	if err != nil {
		return "", session{}, fmt.Errorf("%w: creating a session in Redis: %w", errSessionStore, err)
	}
	if !ok {
		// 256 random bits collided: a broken random source.
		return "", session{}, errors.New("webapp: new session ID already in use")
	}
	return id, sess, nil
}

func (s *redisSessions) get(ctx context.Context, id string) (session, bool, error) {
	if !validID(id) {
		return session{}, false, nil
	}
	b, err := s.rdb.GetEx(ctx, s.key(id), s.idle).Bytes()
	if errors.Is(err, redis.Nil) {
		return session{}, false, nil
	}
	if err != nil {
		return session{}, false, fmt.Errorf("%w: reading a session from Redis: %w", errSessionStore, err)
	}
	var rec sessionRecord
	if err := json.Unmarshal(b, &rec); err != nil || rec.V != recordVersion {
		// Written by another version of the app: start afresh.
		return session{}, false, nil
	}
	sess := rec.session()
	if s.ttl(sess.created) <= 0 {
		_ = s.rdb.Del(ctx, s.key(id)).Err()
		return session{}, false, nil
	}
	return sess, true, nil
}

func (s *redisSessions) save(ctx context.Context, id string, sess session) (bool, error) {
	ttl := s.ttl(sess.created)
	if ttl <= 0 {
		return false, s.delete(ctx, id)
	}
	sess.lastSeen = s.now()
	b, err := json.Marshal(newRecord(sess, false))
	if err != nil {
		return false, err
	}
	// XX: only a session that still exists is replaced, so a save never
	// brings back a session that a sign-out ended.
	err = s.rdb.SetArgs(ctx, s.key(id), b, redis.SetArgs{Mode: "XX", TTL: ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w: saving a session in Redis: %w", errSessionStore, err)
	}
	return true, nil
}

func (s *redisSessions) delete(ctx context.Context, id string) error {
	if err := s.rdb.Del(ctx, s.key(id)).Err(); err != nil {
		return fmt.Errorf("%w: deleting a session in Redis: %w", errSessionStore, err)
	}
	return nil
}

// recordVersion is the format of sessionRecord; a record of another
// version is ignored (the session starts afresh). Version 2 holds the
// tokens as idx.MarshalTokens encodes them.
const recordVersion = 2

// sessionRecord is a session as stored outside this process (Redis, a
// sealed cookie): JSON, with the tokens' secrets as plain strings.
type sessionRecord struct {
	V        int           `json:"v"`
	ID       string        `json:"id,omitempty"` // cookie sessions only
	CSRF     string        `json:"csrf"`
	Tx       *txRecord     `json:"tx,omitempty"`
	ReturnTo string        `json:"returnTo,omitempty"`
	StepUp   string        `json:"stepUp,omitempty"`
	Flash    string        `json:"flash,omitempty"`
	Notices  []idx.Message `json:"notices,omitempty"`
	User     *userRecord   `json:"user,omitempty"`
	Created  int64         `json:"created"`  // Unix milliseconds
	LastSeen int64         `json:"lastSeen"` // Unix milliseconds
}

// txRecord is what a page needs of the transaction in progress: its State
// and the steps it offers. The transaction itself is in the SDK's
// TransactionStore.
type txRecord struct {
	Status         idx.Status     `json:"status"`
	State          string         `json:"state"`
	NextStep       *idx.NextStep  `json:"next,omitempty"`
	AvailableSteps []idx.NextStep `json:"steps,omitempty"`
	Messages       []idx.Message  `json:"messages,omitempty"`
	ExpiresAt      time.Time      `json:"expiresAt"`
}

type userRecord struct {
	State   string        `json:"state"`
	Tokens  *tokensRecord `json:"tokens,omitempty"`
	Profile *idx.UserInfo `json:"profile,omitempty"`
}

// tokensRecord holds idx.Tokens in the SDK's token encoding
// (idx.MarshalTokens), secrets included: idx.Tokens itself writes
// "[REDACTED]" to JSON on purpose.
type tokensRecord struct{ t *idx.Tokens }

func (r tokensRecord) MarshalJSON() ([]byte, error) { return idx.MarshalTokens(r.t) }

func (r *tokensRecord) UnmarshalJSON(b []byte) (err error) {
	r.t, err = idx.UnmarshalTokens(b)
	return err
}

// newRecord makes the record of sess. compact leaves out what the pages
// and sign-out do not need (the raw ID token: its verified claims are
// kept), for a cookie.
func newRecord(sess session, compact bool) sessionRecord {
	rec := sessionRecord{
		V:        recordVersion,
		CSRF:     sess.csrf,
		ReturnTo: sess.returnTo,
		StepUp:   sess.stepUp,
		Flash:    sess.flash,
		Notices:  sess.notices,
		Created:  sess.created.UnixMilli(),
		LastSeen: sess.lastSeen.UnixMilli(),
	}
	if tx := sess.tx; tx != nil {
		rec.Tx = &txRecord{Status: tx.Status, State: tx.State, NextStep: tx.NextStep,
			AvailableSteps: tx.AvailableSteps, Messages: tx.Messages, ExpiresAt: tx.ExpiresAt}
	}
	if u := sess.user; u != nil {
		ur := &userRecord{State: u.state, Profile: u.profile}
		if t := u.tokens; t != nil {
			if compact {
				c := *t
				c.IDToken = ""
				t = &c
			}
			ur.Tokens = &tokensRecord{t}
		}
		rec.User = ur
	}
	return rec
}

// session returns the session rec holds.
func (rec *sessionRecord) session() session {
	sess := session{
		csrf:     rec.CSRF,
		returnTo: rec.ReturnTo,
		stepUp:   rec.StepUp,
		flash:    rec.Flash,
		notices:  rec.Notices,
		created:  time.UnixMilli(rec.Created),
		lastSeen: time.UnixMilli(rec.LastSeen),
	}
	if t := rec.Tx; t != nil {
		sess.tx = &idx.Transaction{Status: t.Status, State: t.State, NextStep: t.NextStep,
			AvailableSteps: t.AvailableSteps, Messages: t.Messages, ExpiresAt: t.ExpiresAt}
	}
	// A user without tokens is not signed in.
	if u := rec.User; u != nil && u.Tokens != nil {
		sess.user = &signedIn{state: u.State, profile: u.Profile, tokens: u.Tokens.t}
	}
	return sess
}
