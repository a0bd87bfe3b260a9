// Package idxgolang_test signs in on the fake org with okta-idx-golang
// v0.2.2, Okta's earlier Go SDK for the same flows, as a Go team moving
// from it to goidx would run both side by side.
package idxgolang_test

import (
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	idxgolang "github.com/okta/okta-idx-golang"

	"github.com/goidx/goidx/idx/idxtest"
)

// syncBuffer collects the fake org's log.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
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

// claims decodes, without verifying, the claims of a JWT.
func claims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// newClient is an okta-idx-golang client for org's confidential app (the
// SDK requires a client secret). Its configuration comes from the
// arguments alone: HOME and the working directory hold no okta.yaml.
func newClient(t *testing.T, org *idxtest.Server) *idxgolang.Client {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	t.Chdir(t.TempDir())
	c, err := idxgolang.NewClientWithSettings(
		idxgolang.WithIssuer(org.Issuer()),
		idxgolang.WithClientID(idxtest.ConfidentialClientID),
		idxgolang.WithClientSecret(idxtest.ConfidentialClientSecret),
		idxgolang.WithScopes([]string{"openid", "profile", "email"}),
		idxgolang.WithRedirectURI(idxtest.DefaultRedirectURI),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c.WithHTTPClient(org.Client())
}

// TestSeedFlow signs the demo user in with okta-idx-golang: password,
// then the email code, on an org that sends the email as soon as the
// email is chosen (okta-idx-golang v0.2.2 knows no
// authenticator-verification-data step).
func TestSeedFlow(t *testing.T) {
	org := idxtest.New(t, idxtest.WithEmailVerificationData(false))
	client := newClient(t, org)
	ctx := t.Context()

	lr, err := client.InitLogin(ctx)
	if err != nil {
		t.Fatalf("InitLogin: %v", err)
	}
	if !lr.HasStep(idxgolang.LoginStepIdentify) {
		t.Fatalf("steps after InitLogin: %v", lr.AvailableSteps())
	}
	lr, err = lr.Identify(ctx, &idxgolang.IdentifyRequest{
		Identifier:  idxtest.DemoUsername,
		Credentials: idxgolang.Credentials{Password: idxtest.DemoPassword},
	})
	if err != nil {
		t.Fatalf("Identify: %v", err)
	}
	if !lr.HasStep(idxgolang.LoginStepEmailVerification) {
		t.Fatalf("steps after Identify: %v", lr.AvailableSteps())
	}
	if lr, err = lr.VerifyEmail(ctx); err != nil {
		t.Fatalf("VerifyEmail: %v", err)
	}
	code, ok := org.LastCode(idxtest.DemoUsername)
	if !ok {
		t.Fatal("no email sent")
	}
	if lr, err = lr.ConfirmEmail(ctx, code); err != nil {
		t.Fatalf("ConfirmEmail: %v", err)
	}
	if !lr.IsAuthenticated() || lr.Token() == nil {
		t.Fatalf("not signed in; steps %v", lr.AvailableSteps())
	}
	tok := lr.Token()
	if tok.TokenType != "Bearer" || tok.AccessToken == "" {
		t.Errorf("token type %q, access token present %v", tok.TokenType, tok.AccessToken != "")
	}
	c := claims(t, tok.IDToken)
	if c["sub"] != "00uidxtestdemo0001" || c["iss"] != org.Issuer() || c["aud"] != idxtest.ConfidentialClientID {
		t.Errorf("ID token claims sub %v, iss %v, aud %v", c["sub"], c["iss"], c["aud"])
	}
	if n := org.RequestCounts()["POST /oauth2/default/v1/token"]; n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

// TestRedeemInteractionCode has okta-idx-golang redeem an interaction
// code from an identity provider's redirect with RedeemInteractionCode,
// which sends the token request's parameters (the client secret and the
// code verifier among them) in the URL query of the POST, as Okta serves
// it; the fake serves it too, warns in its log, and okta-idx-golang
// verifies the ID token against the org's discovery and keys.
func TestRedeemInteractionCode(t *testing.T) {
	var log syncBuffer
	org := idxtest.New(t,
		idxtest.WithPolicy(idxtest.Policy{Factors: 2, IdPs: []idxtest.IdP{{Type: "GOOGLE", Name: "Google"}}}),
		idxtest.WithLogger(slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	client := newClient(t, org)
	ctx := t.Context()

	ictx, err := client.Interact(ctx)
	if err != nil {
		t.Fatalf("Interact: %v", err)
	}
	// The page the app would show: the identify step's redirect-idp.
	body, _ := json.Marshal(ictx.InteractionHandle)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, org.URL+"/idp/idx/introspect", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/ion+json; okta-version=1.0.0")
	resp, err := org.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Remediation struct {
			Value []struct{ Name, Href string }
		}
	}
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	href := ""
	for _, r := range doc.Remediation.Value {
		if r.Name == "redirect-idp" {
			href = r.Href
		}
	}
	if href == "" {
		t.Fatalf("no redirect-idp in %+v", doc)
	}
	// The browser follows it; the IdP signs the user in and the org
	// redirects to the app with the interaction code.
	resp, err = org.Client().Get(href)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("IdP: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if loc.Query().Get("state") != ictx.State {
		t.Fatalf("state %q, want %q", loc.Query().Get("state"), ictx.State)
	}

	tok, err := client.RedeemInteractionCode(ctx, ictx, loc.Query().Get("interaction_code"))
	if err != nil {
		t.Fatalf("RedeemInteractionCode: %v", err)
	}
	if c := claims(t, tok.IDToken); c["sub"] != "00uidxtestdemo0001" {
		t.Errorf("ID token sub %v", c["sub"])
	}
	if got := log.String(); !strings.Contains(got, "URL query") || strings.Contains(got, ictx.CodeVerifier) ||
		strings.Contains(got, idxtest.ConfidentialClientSecret) {
		t.Errorf("the org's log should warn of parameters in the URL query, without their values:\n%s", got)
	}
}
