package cookiestore_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/cookiestore"
	"github.com/goidx/goidx/idx/idxtest"
)

func newClient(t *testing.T, org *idxtest.Server, s idx.TransactionStore) *idx.Client {
	t.Helper()
	c, err := idx.NewClient(idx.Config{
		Issuer:      org.Issuer(),
		ClientID:    idxtest.PublicClientID,
		RedirectURI: idxtest.DefaultRedirectURI,
	}, idx.WithInsecureLoopbackHTTP(), idx.WithTransactionStore(s))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// replica is one instance of an app: its own Store (sharing the keys) and
// idx.Client.
type replica struct {
	store  *cookiestore.Store
	client *idx.Client
}

// authenticate makes one sign-in request of br to r and returns the
// transaction and the size of the Set-Cookie the response carries.
func authenticate(t *testing.T, br *browser, r replica, opts idx.Options) (*idx.Transaction, int) {
	t.Helper()
	var tx *idx.Transaction
	err := br.do(t.Context(), r.store, func(ctx context.Context) error {
		var err error
		tx, err = r.client.Authenticate(ctx, opts)
		return err
	})
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	size := 0
	for _, c := range br.setCookies {
		size = max(size, len(c))
	}
	if size > cookiestore.MaxCookieSize {
		t.Errorf("Set-Cookie of %d bytes; the budget is %d", size, cookiestore.MaxCookieSize)
	}
	return tx, size
}

// savedResponse returns the size of the Response in br's cookie.
func savedResponse(t *testing.T, br *browser, s *cookiestore.Store, state string) int {
	t.Helper()
	got, err := load(t, br, s, state)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return len(got.Response)
}

// TestSignInAcrossReplicas signs the demo user in with each request on
// another replica and measures the cookie at every step.
func TestSignInAcrossReplicas(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []cookiestore.Option
		// keepsResponse: the saved answers fit, so no step introspects.
		keepsResponse bool
	}{
		{"default budget", nil, true},
		// A budget too small for the answers: the store drops them, and
		// each resumed call introspects once.
		{"1 KB budget", []cookiestore.Option{cookiestore.WithMaxCookieSize(1024)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			org := idxtest.New(t)
			keys := cookiestore.Keys{Current: newKey("k1")}
			var reps []replica
			for range 2 {
				s := mustNew(t, keys, tc.opts...)
				reps = append(reps, replica{s, newClient(t, org, s)})
			}
			a, b := reps[0], reps[1]
			br := newBrowser("https://app.example/login")

			tx, size := authenticate(t, br, a, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
			if tx.NextStep == nil || tx.NextStep.Name != "select-authenticator-authenticate" {
				t.Fatalf("after identify: %v", tx)
			}
			kept := savedResponse(t, br, a.store, tx.State)
			t.Logf("identify -> select-authenticator: Set-Cookie %d bytes, Response kept: %d bytes", size, kept)
			if (kept > 0) != tc.keepsResponse {
				t.Errorf("Response kept: %d bytes; want kept = %v", kept, tc.keepsResponse)
			}

			org.ResetRequestLog()
			tx, size = authenticate(t, br, b, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
			if tx.NextStep == nil || tx.NextStep.Name != "challenge-authenticator" {
				t.Fatalf("after selecting email: %v", tx)
			}
			introspected := slices.Contains(org.RequestLog(), "POST /idp/idx/introspect")
			if introspected == tc.keepsResponse {
				t.Errorf("replica b introspected: %v; want %v (requests %v)", introspected, !tc.keepsResponse, org.RequestLog())
			}
			kept = savedResponse(t, br, b.store, tx.State)
			t.Logf("select -> challenge-authenticator: Set-Cookie %d bytes, Response kept: %d bytes", size, kept)

			code, ok := org.LastCode(idxtest.DemoUsername)
			if !ok {
				t.Fatal("no code sent")
			}
			tx, _ = authenticate(t, br, a, idx.Options{State: tx.State, VerificationCode: code})
			if tx.Status != idx.StatusSuccess {
				t.Fatalf("after the code: %v", tx)
			}
			if _, ok := br.cookie(secureName); ok || len(br.setCookies) != 1 {
				t.Errorf("the cookie outlives the sign-in (Set-Cookie %d)", len(br.setCookies))
			}
		})
	}
}

// TestSignInStaleCookie replays the cookie of an earlier step (a form
// submitted twice, the back button): the store accepts it (it holds no
// server-side state), and the org, which does, keeps the sign-in safe.
func TestSignInStaleCookie(t *testing.T) {
	t.Parallel()
	org := idxtest.New(t)
	s := mustNew(t, cookiestore.Keys{Current: newKey("k1")})
	r := replica{s, newClient(t, org, s)}
	br := newBrowser("https://app.example/login")
	tx, _ := authenticate(t, br, r, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	stale, _ := br.cookie(secureName)
	authenticate(t, br, r, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
	code, _ := org.LastCode(idxtest.DemoUsername)

	// The stale cookie is at the select step: answering it again is a
	// valid request to the org, which sends a new code.
	br.setCookie(secureName, stale)
	tx2, _ := authenticate(t, br, r, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
	if tx2.NextStep == nil || tx2.NextStep.Name != "challenge-authenticator" {
		t.Fatalf("resubmitted select: %v", tx2)
	}
	newCode, _ := org.LastCode(idxtest.DemoUsername)
	if newCode == code {
		t.Skip("the org sent the same code twice; cannot tell the codes apart")
	}
	done, _ := authenticate(t, br, r, idx.Options{State: tx.State, VerificationCode: newCode})
	if done.Status != idx.StatusSuccess {
		t.Fatalf("after the new code: %v", done)
	}
}

// randomID returns an Okta-style ID: a prefix and 17 characters.
func randomID(prefix string) string { return prefix + rand.Text()[:17] }

// selectAuthenticatorResponse returns an IDX answer shaped like a real
// select-authenticator-authenticate step offering n enrolled
// authenticators, with a stateHandle of handleLen random characters (short
// "02..." handles are 42 characters; some orgs send JWE handles of 1 to
// 2 KB). The values are made up; the shape and sizes follow real answers.
func selectAuthenticatorResponse(n, handleLen int) []byte {
	handle := ""
	for len(handle) < handleLen {
		handle += rand.Text()
	}
	handle = handle[:handleLen]
	kinds := []struct{ key, typ, label, method string }{
		{"okta_password", "password", "Password", "password"},
		{"okta_email", "email", "Email", "email"},
		{"phone_number", "phone", "Phone", "sms"},
		{"okta_verify", "app", "Okta Verify", "push"},
		{"google_otp", "app", "Google Authenticator", "otp"},
		{"webauthn", "security_key", "Security Key or Biometric", "webauthn"},
		{"security_question", "security_question", "Security Question", "security_question"},
	}
	var options, enrollments []any
	for i := range n {
		k := kinds[i%len(kinds)]
		id := randomID("aut")
		options = append(options, map[string]any{
			"label": k.label,
			"value": map[string]any{"form": map[string]any{"value": []any{
				map[string]any{"name": "id", "required": true, "value": id, "mutable": false},
				map[string]any{"name": "methodType", "required": false, "value": k.method, "mutable": false},
			}}},
			"relatesTo": fmt.Sprintf("$.authenticatorEnrollments.value[%d]", i),
		})
		enrollments = append(enrollments, map[string]any{
			"type": k.typ, "key": k.key, "id": randomID("pfd"), "displayName": k.label,
			"methods": []any{map[string]any{"type": k.method}},
			"profile": map[string]any{"email": "d***o@example.com"},
		})
	}
	doc := map[string]any{
		"version":     "1.0.0",
		"stateHandle": handle,
		"expiresAt":   time.Now().Add(10 * time.Minute).UTC().Format(time.RFC3339),
		"intent":      "LOGIN",
		"remediation": map[string]any{"type": "array", "value": []any{
			map[string]any{
				"rel": []any{"create-form"}, "name": "select-authenticator-authenticate",
				"href": "https://example.okta.com/idp/idx/challenge", "method": "POST",
				"produces": "application/ion+json; okta-version=1.0.0",
				"value": []any{
					map[string]any{"name": "authenticator", "type": "object", "options": options},
					map[string]any{"name": "stateHandle", "required": true, "value": handle, "visible": false, "mutable": false},
				},
				"accepts": "application/json; okta-version=1.0.0",
			},
		}},
		"authenticatorEnrollments": map[string]any{"type": "array", "value": enrollments},
		"user": map[string]any{"type": "object", "value": map[string]any{
			"id": randomID("00u"), "identifier": "demo@example.com",
			"profile": map[string]any{"firstName": "Demo", "lastName": "User", "timeZone": "America/Los_Angeles", "locale": "en_US"},
		}},
		"app": map[string]any{"type": "object", "value": map[string]any{"name": "oidc_client", "label": "My Web App", "id": randomID("0oa")}},
		"cancel": map[string]any{
			"rel": []any{"create-form"}, "name": "cancel", "href": "https://example.okta.com/idp/idx/cancel", "method": "POST",
			"produces": "application/ion+json; okta-version=1.0.0",
			"value":    []any{map[string]any{"name": "stateHandle", "required": true, "value": handle, "visible": false, "mutable": false}},
			"accepts":  "application/json; okta-version=1.0.0",
		},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

// TestCookieSizeRealisticResponses measures the cookie for select-
// authenticator answers of 2 to 25 KB: it stays within 4096 bytes, the
// Response kept when it fits and dropped when it does not.
func TestCookieSizeRealisticResponses(t *testing.T) {
	t.Parallel()
	s := mustNew(t, cookiestore.Keys{Current: newKey("2025-06-01")})
	const (
		either = iota // a measurement only
		kept
		dropped
	)
	tests := []struct {
		authenticators, handleLen int
		want                      int
	}{
		{2, 42, kept},
		{4, 42, either},
		{7, 42, either},
		{14, 42, either},
		{28, 42, either},
		{2, 1300, either},
		{4, 1900, either},
		{40, 1900, dropped},
	}
	for _, tc := range tests {
		resp := selectAuthenticatorResponse(tc.authenticators, tc.handleLen)
		t.Run(fmt.Sprintf("%d authenticators, %d-byte stateHandle", tc.authenticators, tc.handleLen), func(t *testing.T) {
			br := newBrowser("https://app.example/login")
			now := time.Now()
			st := &idx.SavedTransaction{
				State: rand.Text() + rand.Text()[:17], InteractionHandle: rand.Text() + rand.Text()[:17],
				CodeVerifier: rand.Text() + rand.Text()[:17], OAuthState: rand.Text() + rand.Text()[:17],
				Nonce: rand.Text() + rand.Text()[:17], Scopes: []string{"openid", "profile", "email", "offline_access"},
				Response: resp, ExpiresAt: now.Add(10 * time.Minute), UpdatedAt: now,
			}
			if err := save(t, br, s, st); err != nil {
				t.Fatal(err)
			}
			size := len(br.setCookies[0])
			ok := savedResponse(t, br, s, st.State) == len(resp)
			t.Logf("Response %5d bytes: Set-Cookie %4d bytes, Response kept: %v", len(resp), size, ok)
			if size > cookiestore.MaxCookieSize {
				t.Errorf("Set-Cookie of %d bytes", size)
			}
			if (tc.want == kept && !ok) || (tc.want == dropped && ok) {
				t.Errorf("Response kept = %v; want %v", ok, tc.want == kept)
			}
		})
	}
}
