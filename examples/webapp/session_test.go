package main

import (
	"strings"
	"testing"
	"time"
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
