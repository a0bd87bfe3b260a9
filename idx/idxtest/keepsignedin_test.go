package idxtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// TestKeepMeSignedIn holds the org's "keep me signed in" to what it
// promises: with Policy.KeepMeSignedIn the question comes once the user
// is authenticated, unless rememberMe was checked at identify, and a user
// who chose either gets a persistent session cookie.
func TestKeepMeSignedIn(t *testing.T) {
	for _, tc := range []struct {
		name       string
		checked    bool // Policy.RememberMeChecked
		rememberMe bool
		keep       *bool // the answer to keep-me-signed-in; nil: not asked
		persistent bool
	}{
		{"kept", false, false, ptr(true), true},
		{"declined", false, false, ptr(false), false},
		{"remembered at identify", false, true, nil, true},
		{"checked by the org, sent checked", true, true, nil, true},
		{"checked by the org, sent unchecked", true, false, ptr(false), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultPolicy()
			p.Factors, p.KeepMeSignedIn, p.RememberMeChecked = 1, true, tc.checked
			run := &shapeRun{captures: map[string]capture{}, visited: map[string]bool{}}
			j := newJourney(t, run, WithPolicy(p))
			j.start(nil)
			var offered any
			for _, f := range j.form("identify")["value"].([]any) {
				if f := f.(map[string]any); f["name"] == "rememberMe" {
					offered = f["value"]
				}
			}
			if want := map[bool]any{true: true, false: nil}[tc.checked]; offered != want {
				t.Errorf("identify's rememberMe value %v, want %v", offered, want)
			}
			body := map[string]any{"identifier": DemoUsername, "credentials": map[string]any{"passcode": DemoPassword}, "rememberMe": tc.rememberMe}
			last, href := "identify", j.form("identify")["href"].(string)
			if tc.keep != nil {
				j.submit("identify", body).want(http.StatusOK)
				j.submit("keep-me-signed-in", map[string]any{}).want(http.StatusBadRequest)
				last, href = "keep-me-signed-in", j.form("keep-me-signed-in")["href"].(string)
				body = map[string]any{"keepMeSignedIn": *tc.keep}
			}
			body["stateHandle"] = j.stateHandle
			b, _ := json.Marshal(body)
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, href, bytes.NewReader(b))
			req.Header.Set("Content-Type", ionAccepts)
			resp, err := j.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: HTTP %d", last, resp.StatusCode)
			}
			var session *http.Cookie
			for _, ck := range resp.Cookies() {
				if ck.Name == sessionCookie {
					session = ck
				}
			}
			if session == nil {
				t.Fatalf("%s: no session cookie", last)
			}
			if got := !session.Expires.IsZero(); got != tc.persistent {
				t.Errorf("session cookie persistent %v (Expires %v), want %v", got, session.Expires, tc.persistent)
			}
		})
	}
}
