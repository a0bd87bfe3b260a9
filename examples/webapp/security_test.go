package main

// Attacks on the app's sessions and sign-ins: tampered cookies, floods,
// guessing codes, replayed cookies after sign-out.

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/goidx/goidx/idx/cookiestore"
)

// cookieStore is the storeConfig of -store=cookie with a fresh key.
func cookieStore(t *testing.T) storeConfig {
	t.Helper()
	k := cookiestore.Key{ID: "test-" + strings.ToLower(rand.Text()[:6])}
	_, _ = rand.Read(k.Secret[:])
	return storeConfig{kind: storeCookie, cookieKeys: cookiestore.Keys{Current: k}}
}

// jarCookie returns the named cookie of the browser's jar for the app.
func (b *browser) jarCookie(name string) (string, bool) {
	u, _ := url.Parse(b.h.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value, true
		}
	}
	return "", false
}

// setJarCookie puts a cookie in the browser's jar as the app would set it.
func (b *browser) setJarCookie(name, value string) {
	u, _ := url.Parse(b.h.srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/", Secure: b.h.app.cookies.secure, HttpOnly: true}})
}

// TestTamperedTransactionCookie: with -store=cookie, a transaction cookie
// changed in the browser mid sign-in (one character flipped, a kid no key
// has) is answered as an expired sign-in: a page to start again, no error
// logged.
func TestTamperedTransactionCookie(t *testing.T) {
	t.Parallel()
	const name = "__Host-goidx-tx"
	tests := []struct {
		name   string
		tamper func(v string) string
	}{
		{"one character flipped", func(v string) string {
			parts := strings.Split(v, ".")
			c := []byte(parts[3])
			if c[len(c)/2] == 'A' {
				c[len(c)/2] = 'B'
			} else {
				c[len(c)/2] = 'A'
			}
			parts[3] = string(c)
			return strings.Join(parts, ".")
		}},
		{"unknown kid", func(v string) string {
			parts := strings.Split(v, ".")
			raw, err := base64.RawURLEncoding.DecodeString(parts[0])
			if err != nil {
				t.Fatal(err)
			}
			var h map[string]any
			if err := json.Unmarshal(raw, &h); err != nil {
				t.Fatal(err)
			}
			h["kid"] = "retired-key"
			raw, _ = json.Marshal(h)
			parts[0] = base64.RawURLEncoding.EncodeToString(raw)
			return strings.Join(parts, ".")
		}},
		{"junk", func(string) string { return "not-a-jwe" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, withSecureCookies(), withStore(cookieStore(t)))
			b := h.browser()
			b.signInToCode()
			v, ok := b.jarCookie(name)
			if !ok {
				t.Fatalf("no %s cookie mid sign-in", name)
			}
			b.setJarCookie(name, tt.tamper(v))
			p := b.post("/login/step", url.Values{"step": {"challenge-authenticator"}, "value.verificationCode": {h.lastCode()}})
			if p.status != http.StatusSeeOther || p.location() != "/login" {
				t.Fatalf("POST the code: %d to %q, want 303 to /login; body:\n%s", p.status, p.location(), p.body)
			}
			p = b.follow(p)
			for _, want := range []string{"Your sign-in expired. Please start again.", `action="/login"`} {
				if !strings.Contains(p.body, want) {
					t.Errorf("page lacks %s\n%s", want, p.body)
				}
			}
			if logs := h.logs.String(); strings.Contains(logs, "level=ERROR") {
				t.Errorf("logged an error:\n%s", logs)
			}
			// The user starts again and signs in.
			if p := b.signIn(); !strings.Contains(p.body, "Your profile") {
				t.Errorf("sign-in after the tampered cookie failed:\n%s", p.body)
			}
		})
	}
}
