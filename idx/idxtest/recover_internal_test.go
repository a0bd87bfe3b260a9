package idxtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

// recoveryInteraction calls /v1/interact with token as its
// recovery_token, and returns the status, and the interaction handle or
// the OAuth error.
func recoveryInteraction(t *testing.T, s *Server, token string) (status int, handle, oauthErr string) {
	t.Helper()
	resp, err := s.Client().PostForm(s.Issuer()+"/v1/interact", url.Values{
		"client_id": {PublicClientID}, "scope": {"openid"}, "redirect_uri": {DefaultRedirectURI},
		"code_challenge": {s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")}, "code_challenge_method": {"S256"},
		"state": {"st"}, "recovery_token": {token},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Handle      string `json:"interaction_handle"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("interact: %v %v", resp.Status, err)
	}
	if body.Error != "" {
		return resp.StatusCode, "", body.Error + ": " + body.Description
	}
	return resp.StatusCode, body.Handle, ""
}

func postIDX(t *testing.T, s *Server, path string, body map[string]any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", ionAccepts)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, doc
}

func firstRemediation(doc map[string]any) string {
	rem, _ := doc["remediation"].(map[string]any)
	list, _ := rem["value"].([]any)
	if len(list) == 0 {
		return ""
	}
	return list[0].(map[string]any)["name"].(string)
}

// TestRecoveryToken: a recovery token starts the transaction at
// reset-authenticator for its user, once; /v1/interact refuses a used,
// expired or unknown token, as Okta does.
func TestRecoveryToken(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	s := NewServer(WithClock(clock), WithTransactionLifetime(2*recoveryTokenLifetime))
	defer s.Close()
	if _, err := s.RecoveryToken("nobody@example.com"); err == nil {
		t.Error("RecoveryToken for an unknown user succeeded")
	}
	tok, err := s.RecoveryToken(DemoUsername)
	if err != nil {
		t.Fatal(err)
	}

	status, ia, oauthErr := recoveryInteraction(t, s, tok)
	if status != http.StatusOK {
		t.Fatalf("interact with a recovery token: %d %s", status, oauthErr)
	}
	status, doc := postIDX(t, s, "/idp/idx/introspect", map[string]any{"interactionHandle": ia})
	if status != http.StatusOK || firstRemediation(doc) != "reset-authenticator" {
		t.Fatalf("introspect with a recovery token: %d %v", status, doc)
	}
	handle := doc["stateHandle"].(string)
	status, doc = postIDX(t, s, "/idp/idx/challenge/answer", map[string]any{
		"stateHandle": handle, "credentials": map[string]any{"passcode": "Recovered-Passw0rd"},
	})
	if status != http.StatusOK || doc["successWithInteractionCode"] == nil {
		t.Fatalf("reset: %d %v", status, doc)
	}
	s.mu.Lock()
	pw := s.users[DemoUsername].Password
	s.mu.Unlock()
	if pw != "Recovered-Passw0rd" {
		t.Error("the password was not changed")
	}

	const refused = "invalid_request: The recovery token is invalid"
	old, err := s.RecoveryToken(DemoUsername)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(recoveryTokenLifetime)
	mu.Unlock()
	for name, token := range map[string]string{"used": tok, "unknown": "nope", "expired": old} {
		if status, _, oauthErr := recoveryInteraction(t, s, token); status != http.StatusBadRequest || oauthErr != refused {
			t.Errorf("%s token: %d %q, want 400 %q", name, status, oauthErr, refused)
		}
	}
}
