package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goidx/goidx/idx/idxtest"
)

// lockedBuffer is a bytes.Buffer safe to read while run writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls out until re matches, and returns the first submatch.
func waitFor(t *testing.T, out *lockedBuffer, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("output never matched %v:\n%s", re, out.String())
	return ""
}

func post(t *testing.T, href, contentType, body string) map[string]any {
	t.Helper()
	resp, err := http.Post(href, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("POST %s: %d: %v", href, resp.StatusCode, err)
	}
	return doc
}

// TestRun starts the command on a free port, checks the banner, drives a
// sign-in far enough to send an email, checks the printed code against the
// outbox, then stops it.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-v", "-trusted-origin", "http://127.0.0.1:3000"}, &out, io.Discard)
	}()

	issuer := waitFor(t, &out, regexp.MustCompile(`Issuer:\s+(\S+)`))
	base := strings.TrimSuffix(issuer, "/oauth2/default")
	banner := out.String()
	for _, want := range []string{
		idxtest.PublicClientID, idxtest.ConfidentialClientID, idxtest.ConfidentialClientSecret,
		idxtest.DefaultRedirectURI, idxtest.DemoUsername, idxtest.DemoPassword, base + "/idxtest/outbox",
		"Trusted origins:   http://127.0.0.1:3000 http://localhost:8080", "2 factors (the password, then: every one)",
		base + "/idxtest/ (loopback clients only)",
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}

	// A page on the redirect URI's origin may read discovery.
	req, _ := http.NewRequest(http.MethodGet, issuer+"/.well-known/openid-configuration", nil)
	req.Header.Set("Origin", "http://localhost:8080")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:8080" {
		t.Fatalf("discovery from the redirect URI's origin: %d, Access-Control-Allow-Origin %q",
			resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}

	// Sign in up to the email.
	sum := sha256.Sum256([]byte("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
	ia := post(t, issuer+"/v1/interact", "application/x-www-form-urlencoded", url.Values{
		"client_id": {idxtest.PublicClientID}, "scope": {"openid"}, "redirect_uri": {idxtest.DefaultRedirectURI},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}, "state": {"s"},
	}.Encode())
	ion := "application/ion+json; okta-version=1.0.0"
	doc := post(t, base+"/idp/idx/introspect", ion, `{"interactionHandle":"`+ia["interaction_handle"].(string)+`"}`)
	handle := doc["stateHandle"].(string)
	body, _ := json.Marshal(map[string]any{"stateHandle": handle, "identifier": idxtest.DemoUsername,
		"credentials": map[string]string{"passcode": idxtest.DemoPassword}})
	doc = post(t, base+"/idp/idx/identify", ion, string(body))
	id := doc["authenticators"].(map[string]any)["value"].([]any)[0].(map[string]any)["id"].(string)
	body, _ = json.Marshal(map[string]any{"stateHandle": handle, "authenticator": map[string]string{"id": id, "methodType": "email"}})
	post(t, base+"/idp/idx/challenge", ion, string(body))
	post(t, base+"/idp/idx/challenge", ion, string(body))

	printed := waitFor(t, &out, regexp.MustCompile(`email to `+regexp.QuoteMeta(idxtest.DemoUsername)+`: code ([0-9]{6})`))
	resp, err = http.Get(base + "/idxtest/outbox")
	if err != nil {
		t.Fatal(err)
	}
	var outbox []struct{ Code string }
	_ = json.NewDecoder(resp.Body).Decode(&outbox)
	resp.Body.Close()
	if len(outbox) != 1 || outbox[0].Code != printed {
		t.Errorf("printed code %q, outbox %+v", printed, outbox)
	}
	resp, err = http.Get(base + "/idxtest/codes/last?to=" + url.QueryEscape(idxtest.DemoUsername))
	if err != nil {
		t.Fatal(err)
	}
	var last struct{ Code string }
	_ = json.NewDecoder(resp.Body).Decode(&last)
	resp.Body.Close()
	if last.Code != printed {
		t.Errorf("the control API's last code %q, printed %q", last.Code, printed)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if !strings.Contains(out.String(), "shutting down") {
		t.Errorf("no shutdown message:\n%s", out.String())
	}
	if _, err := http.Get(issuer + "/v1/keys"); err == nil {
		t.Error("still serving after shutdown")
	}
}

// TestRunAddressInUse checks that a taken address is an error, not a panic.
func TestRunAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = run(t.Context(), []string{"-addr", ln.Addr().String()}, io.Discard, io.Discard)
	if err == nil {
		t.Fatal("run on a taken address succeeded")
	}
}
