package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx"
)

func TestSessionStore(t *testing.T) {
	t.Parallel()
	c := &clock{}
	s := newSessionStore(30*time.Minute, 12*time.Hour, 10, c.now)

	id, sess, err := s.create(session{flash: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if !validID(id) || len(sess.csrf) != 43 || sess.csrf == id {
		t.Fatalf("id %q, csrf %q: want two distinct 43-character tokens", id, sess.csrf)
	}
	got, ok := s.get(id)
	if !ok || got.flash != "hi" || got.csrf != sess.csrf {
		t.Fatalf("get = %+v, %v", got, ok)
	}

	// Use keeps a session alive; idleness ends it.
	for range 3 {
		c.advance(20 * time.Minute)
		if _, ok := s.get(id); !ok {
			t.Fatal("a session in use expired")
		}
	}
	c.advance(31 * time.Minute)
	if _, ok := s.get(id); ok {
		t.Error("an idle session survived")
	}
	if s.save(id, sess) {
		t.Error("save revived an expired session")
	}

	// Lifetime ends even a busy session.
	id, _, _ = s.create(session{})
	for range 40 {
		c.advance(20 * time.Minute)
		s.get(id)
	}
	if _, ok := s.get(id); ok {
		t.Error("a session outlived its lifetime")
	}

	// Rotation: a new ID and token, the old ID dead.
	id, sess, _ = s.create(session{returnTo: "/x"})
	nid, nsess, err := s.rotate(id, sess)
	if err != nil {
		t.Fatal(err)
	}
	if nid == id || nsess.csrf == sess.csrf || nsess.returnTo != "/x" {
		t.Errorf("rotate: id %q→%q, csrf %q→%q, returnTo %q", id, nid, sess.csrf, nsess.csrf, nsess.returnTo)
	}
	if _, ok := s.get(id); ok {
		t.Error("the old ID still works after rotation")
	}
	s.delete(nid)
	if _, ok := s.get(nid); ok {
		t.Error("a deleted session still works")
	}
}

func TestSessionStoreLimit(t *testing.T) {
	t.Parallel()
	c := &clock{}
	s := newSessionStore(time.Minute, time.Hour, 2, c.now)
	for range 2 {
		if _, _, err := s.create(session{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.create(session{}); err != errTooManySessions {
		t.Fatalf("third session: err %v, want errTooManySessions", err)
	}
	c.advance(2 * time.Minute)
	if _, _, err := s.create(session{}); err != nil {
		t.Fatalf("after the others expired: %v", err)
	}
	if n := s.len(); n != 1 {
		t.Errorf("%d sessions held, want 1 (the expired ones swept)", n)
	}
}

func TestValidID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		id   string
		want bool
	}{
		{newSessionID(), true},
		{"", false},
		{strings.Repeat("A", 42), false},
		{strings.Repeat("A", 44), false},
		{strings.Repeat("+", 43), false},
		{strings.Repeat("A", 42) + "=", false},
	} {
		if got := validID(tt.id); got != tt.want {
			t.Errorf("validID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

// TestSessionRecordTokens: a session record holds the tokens in the SDK's
// token encoding, the raw ID token left out of the compact (cookie) form;
// a record of the earlier version, with tokens in the web example's own
// spelling, is not read: the session starts afresh.
func TestSessionRecordTokens(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tok := &idx.Tokens{
		TokenType: "Bearer", AccessToken: "eyJ-canary-access", IDToken: "eyJ-canary-id", RefreshToken: "canary-refresh",
		Scopes: []string{"openid", "offline_access"}, Expiry: now.Add(time.Hour),
		IDTokenClaims: &idx.IDTokenClaims{Subject: "00u1", Claims: map[string]any{"sub": "00u1"}},
	}
	sess := session{csrf: "c", created: now, lastSeen: now, user: &signedIn{state: "st", tokens: tok}}
	for _, compact := range []bool{false, true} {
		b, err := json.Marshal(newRecord(sess, compact))
		if err != nil {
			t.Fatal(err)
		}
		var raw struct {
			User struct {
				Tokens map[string]json.RawMessage `json:"tokens"`
			} `json:"user"`
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		if _, ok := raw.User.Tokens["access_token"]; !ok {
			t.Errorf("compact %t: tokens not in the SDK's encoding: %s", compact, b)
		}
		var rec sessionRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatal(err)
		}
		got := rec.session()
		want := *tok
		if compact {
			want.IDToken = ""
		}
		if got.user == nil {
			t.Fatalf("compact %t: no user after a round trip", compact)
		}
		if diff := cmp.Diff(&want, got.user.tokens); diff != "" {
			t.Errorf("compact %t: tokens (-saved +loaded):\n%s", compact, diff)
		}
		if s := fmt.Sprintf("%v %+v", rec, got); strings.Contains(s, "canary") {
			t.Errorf("a printed record shows a secret: %s", s)
		}
	}

	// Version 1 (tokens as {"type","access",...}) in a session cookie.
	c := &clock{}
	cs, err := newCookieSessions(ephemeralCookieKey(), cookiePolicy{}, 30*time.Minute, 12*time.Hour, c.now)
	if err != nil {
		t.Fatal(err)
	}
	var v1 sessionRecord
	if err := json.Unmarshal([]byte(`{"v":1,"csrf":"c","user":{"state":"st","tokens":{"type":"Bearer","access":"eyJ-canary"}}}`), &v1); err == nil {
		t.Fatal("a version 1 user record decoded as the current version's")
	}
	v1 = sessionRecord{V: 1, ID: newSessionID(), CSRF: "c", Created: c.now().UnixMilli(), LastSeen: c.now().UnixMilli()}
	value, err := cs.seal(&v1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.open(value); err == nil {
		t.Error("a version 1 session cookie was read")
	}
	v1.V = recordVersion
	if value, err = cs.seal(&v1); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.open(value); err != nil {
		t.Errorf("the same record as version %d: %v", recordVersion, err)
	}
}
