package idxtest_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/goidx/goidx/idx/idxtest"
)

// syncBuffer is a bytes.Buffer a server's logger may write to from its
// request goroutines while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestTokenParametersInQuery checks that a token request whose parameters
// are all in the URL query of the POST, with an empty body, as
// okta-idx-golang v0.2.2 sends it, is served as Okta serves it, and that
// the server warns in its log, naming the parameters and never their
// values.
func TestTokenParametersInQuery(t *testing.T) {
	t.Parallel()
	var log syncBuffer
	srv := newOrg(t, idxtest.WithLogger(slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	f := newFlow(t, srv)
	f.clientID, f.secret = idxtest.ConfidentialClientID, idxtest.ConfidentialClientSecret
	f.success()
	success := path(t, f.last.doc, "successWithInteractionCode").(map[string]any)
	code := ""
	for _, fv := range path(t, success, "value").([]any) {
		if field := fv.(map[string]any); field["name"] == "interaction_code" {
			code = field["value"].(string)
		}
	}
	q := url.Values{
		"grant_type": {"interaction_code"}, "interaction_code": {code}, "code_verifier": {f.verifier},
		"client_id": {f.clientID}, "client_secret": {f.secret},
	}
	req, err := http.NewRequest(http.MethodPost, srv.Issuer()+"/v1/token?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := do(t, srv.Client(), req)
	if r.status != http.StatusOK || str(t, r.doc, "token_type") != "Bearer" || str(t, r.doc, "id_token") == "" {
		t.Fatalf("token with its parameters in the query: %v", r)
	}

	got := log.String()
	if !strings.Contains(got, "level=WARN") || !strings.Contains(got, "URL query") ||
		!strings.Contains(got, "parameters=\"[client_id client_secret code_verifier grant_type interaction_code]\"") {
		t.Errorf("no warning naming the parameters in the log:\n%s", got)
	}
	for _, secret := range []string{code, f.verifier, f.secret} {
		if strings.Contains(got, secret) {
			t.Errorf("the log holds a secret value %q:\n%s", secret, got)
		}
	}

	// The code is spent: the same request again is refused as Okta
	// refuses a used code, whatever carries the parameters.
	req, _ = http.NewRequest(http.MethodPost, srv.Issuer()+"/v1/token?"+q.Encode(), nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := do(t, srv.Client(), req); r.status != http.StatusBadRequest || str(t, r.doc, "error") != "invalid_grant" {
		t.Errorf("a used code in the query: %v", r)
	}
}
