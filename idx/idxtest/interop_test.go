package idxtest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// interopDir holds the okta-auth-js driver and its npm lock file.
const interopDir = "testdata/interop"

// interopInstall is the command that installs the driver's dependencies,
// run from the repository root.
const interopInstall = "npm ci --prefix idx/idxtest/testdata/interop"

// interopStep is one okta-auth-js idx.authenticate call as seed.mjs reports it.
type interopStep struct {
	Call     string           `json:"call"`
	Status   string           `json:"status"`
	NextStep *interopNextStep `json:"nextStep,omitempty"`
	Messages []interopMessage `json:"messages,omitempty"`
}

type interopNextStep struct {
	Name    string   `json:"name"`
	Inputs  []string `json:"inputs"`
	Options []string `json:"options"`
}

type interopMessage struct {
	Key     string `json:"key"`
	Class   string `json:"class"`
	Message string `json:"message"`
}

type interopClaims struct {
	Sub   string `json:"sub"`
	Nonce string `json:"nonce"`
	Iss   string `json:"iss"`
	Aud   string `json:"aud"`
}

// interopReport is the JSON line seed.mjs prints.
type interopReport struct {
	OktaAuthJS string        `json:"oktaAuthJs"`
	Steps      []interopStep `json:"steps"`
	HTTP       []string      `json:"http"`
	Request    struct {
		Nonce               string `json:"nonce"`
		CodeChallengeMethod string `json:"codeChallengeMethod"`
		InteractionHandle   bool   `json:"interactionHandle"`
	} `json:"request"`
	UserID       string `json:"userId"`
	EmailsToUser int    `json:"emailsToUser"`
	Result       struct {
		Status        string        `json:"status"`
		AccessToken   bool          `json:"accessToken"`
		IDToken       bool          `json:"idToken"`
		Claims        interopClaims `json:"claims"`
		RawIDToken    string        `json:"rawIdToken"`
		NonceVerified bool          `json:"nonceVerified"`
	} `json:"result"`
	Error string `json:"error"`
}

// interopMissing skips the test, or fails it under CI, where the driver's
// prerequisites must have been installed.
func interopMissing(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set, so this interop test must run: "+format, args...)
	}
	t.Skipf("SKIPPING okta-auth-js interop test: "+format, args...)
}

// TestOktaAuthJSInterop drives the fake org with okta-auth-js, Okta's own
// JavaScript client, in legacy IDX mode through the email one-time-passcode
// sign-in flow. If okta-auth-js, which is built against real Okta, gets
// through every step and verifies the tokens, the fake org speaks the
// protocol faithfully enough for a real client.
func TestOktaAuthJSInterop(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		interopMissing(t, "node (Node.js 20 or later) is not on PATH; install Node.js, then run %q from the repository root", interopInstall)
	}
	pkg := filepath.Join(interopDir, "node_modules", "@okta", "okta-auth-js", "package.json")
	if _, err := os.Stat(pkg); err != nil {
		interopMissing(t, "%s is missing (okta-auth-js is not installed); run %q from the repository root", pkg, interopInstall)
	}

	s := newOrg(t)

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "seed.mjs")
	cmd.Dir = interopDir
	cmd.Env = append(os.Environ(),
		"IDXTEST_URL="+s.URL,
		"IDXTEST_ISSUER="+s.Issuer(),
		"IDXTEST_CLIENT_ID="+idxtest.PublicClientID,
		"IDXTEST_REDIRECT_URI="+idxtest.DefaultRedirectURI,
		"IDXTEST_USERNAME="+idxtest.DemoUsername,
		"IDXTEST_PASSWORD="+idxtest.DemoPassword,
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	if ctx.Err() != nil {
		t.Errorf("seed.mjs did not finish within 60s: %v", ctx.Err())
	}

	var rep interopReport
	line := lastLine(stdout.String())
	if err := json.Unmarshal([]byte(line), &rep); err != nil {
		t.Fatalf("seed.mjs: %v; stdout is not one JSON line: %v\nstdout:\n%s\nstderr:\n%s\nserver requests:\n%s",
			runErr, err, stdout.String(), stderr.String(), strings.Join(s.RequestLog(), "\n"))
	}
	t.Logf("okta-auth-js %s; requests it made:\n  %s", rep.OktaAuthJS, strings.Join(rep.HTTP, "\n  "))
	t.Logf("seed.mjs report: %s", line)
	t.Logf("server RequestLog:\n  %s", strings.Join(s.RequestLog(), "\n  "))
	if runErr != nil || rep.Error != "" {
		t.Fatalf("okta-auth-js did not get through the flow: %v: %s\nreport: %s\nstderr:\n%s\nserver requests:\n%s",
			runErr, rep.Error, line, stderr.String(), strings.Join(s.RequestLog(), "\n"))
	}

	// Like real Okta, the org answers the email choice with an
	// authenticator-verification-data step; okta-auth-js hands that back to
	// the caller, who picks the email method.
	wantSteps := []interopStep{
		{
			Call:     "username+password",
			Status:   "PENDING",
			NextStep: &interopNextStep{Name: "select-authenticator-authenticate", Inputs: []string{"authenticator"}, Options: []string{"okta_email"}},
		},
		{
			Call:     "authenticator=okta_email",
			Status:   "PENDING",
			NextStep: &interopNextStep{Name: "authenticator-verification-data", Inputs: []string{"methodType"}, Options: []string{"email"}},
		},
		{
			Call:     "methodType=email",
			Status:   "PENDING",
			NextStep: &interopNextStep{Name: "challenge-authenticator", Inputs: []string{"verificationCode"}, Options: []string{}},
		},
		{
			Call:     "verificationCode=wrong",
			Status:   "PENDING",
			NextStep: &interopNextStep{Name: "challenge-authenticator", Inputs: []string{"verificationCode"}, Options: []string{}},
			Messages: []interopMessage{{Key: "api.authn.error.PASSCODE_INVALID", Class: "ERROR", Message: "Invalid code. Try again."}},
		},
		{
			Call:   "verificationCode=right",
			Status: "SUCCESS",
		},
	}
	if diff := cmp.Diff(wantSteps, rep.Steps); diff != "" {
		t.Errorf("okta-auth-js steps (-want +got):\n%s", diff)
	}

	// What okta-auth-js sent and got, status codes included: one
	// introspect, the password with the identifier, two challenges (method
	// type, then email), a rejected and an accepted answer, the token
	// exchange and the key fetch for the ID token signature.
	wantHTTP := []string{
		"GET /oauth2/default/.well-known/openid-configuration 200",
		"POST /oauth2/default/v1/interact 200",
		"POST /idp/idx/introspect 200",
		"POST /idp/idx/identify 200",
		"POST /idp/idx/challenge 200",
		"POST /idp/idx/challenge 200",
		"POST /idp/idx/challenge/answer 401",
		"POST /idp/idx/challenge/answer 200",
		"POST /oauth2/default/v1/token 200",
		"GET /oauth2/default/v1/keys 200",
	}
	if diff := cmp.Diff(wantHTTP, rep.HTTP); diff != "" {
		t.Errorf("okta-auth-js HTTP requests (-want +got):\n%s", diff)
	}
	if rep.Request.CodeChallengeMethod != "S256" || !rep.Request.InteractionHandle {
		t.Errorf("okta-auth-js transaction: code_challenge_method %q, interaction handle %v; want S256 and a handle",
			rep.Request.CodeChallengeMethod, rep.Request.InteractionHandle)
	}
	if rep.EmailsToUser != 1 {
		t.Errorf("emails to %s in the outbox = %d, want 1", idxtest.DemoUsername, rep.EmailsToUser)
	}

	// The server's view: every IDX and OAuth endpoint of the flow was hit,
	// in this order.
	wantEndpoints := []string{
		"POST /oauth2/default/v1/interact",
		"POST /idp/idx/introspect",
		"POST /idp/idx/identify",
		"POST /idp/idx/challenge",
		"POST /idp/idx/challenge/answer",
		"POST /oauth2/default/v1/token",
	}
	log := s.RequestLog()
	if !isSubsequence(wantEndpoints, log) {
		t.Errorf("server RequestLog does not contain, in order,\n  %s\ngot:\n  %s",
			strings.Join(wantEndpoints, "\n  "), strings.Join(log, "\n  "))
	}
	// And it saw exactly what okta-auth-js sent, apart from the driver's own
	// outbox reads: no retries, nothing lost.
	var serverSaw, clientSent []string
	for _, r := range log {
		if !strings.Contains(r, " /idxtest/") {
			serverSaw = append(serverSaw, r)
		}
	}
	for _, r := range rep.HTTP {
		clientSent = append(clientSent, r[:strings.LastIndexByte(r, ' ')])
	}
	if diff := cmp.Diff(clientSent, serverSaw); diff != "" {
		t.Errorf("requests okta-auth-js sent vs server RequestLog (-client +server):\n%s", diff)
	}

	// The result, and the ID token okta-auth-js verified (signature against
	// /v1/keys, iss, aud, lifetime, and the nonce it sent to /v1/interact).
	res := rep.Result
	if res.Status != "SUCCESS" || !res.AccessToken || !res.IDToken || !res.NonceVerified {
		t.Errorf("result: status %q, access token %v, ID token %v, nonce verified %v; want SUCCESS and all true",
			res.Status, res.AccessToken, res.IDToken, res.NonceVerified)
	}
	if rep.UserID == "" {
		t.Errorf("okta-auth-js saw no user.value.id in the org's IDX responses")
	}
	wantClaims := interopClaims{
		Sub:   rep.UserID,
		Nonce: rep.Request.Nonce,
		Iss:   s.Issuer(),
		Aud:   idxtest.PublicClientID,
	}
	if diff := cmp.Diff(wantClaims, res.Claims); diff != "" {
		t.Errorf("ID token claims as decoded by okta-auth-js (-want +got):\n%s", diff)
	}
	// Decode the token here too, so the claims above are the token's and
	// not something okta-auth-js made up.
	raw, err := jwtClaims(res.RawIDToken)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if diff := cmp.Diff(res.Claims, raw); diff != "" {
		t.Errorf("ID token claims, okta-auth-js vs decoded here (-okta-auth-js +here):\n%s", diff)
	}
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// isSubsequence reports whether want appears in got in order, not
// necessarily next to each other.
func isSubsequence(want, got []string) bool {
	for _, g := range got {
		if len(want) > 0 && g == want[0] {
			want = want[1:]
		}
	}
	return len(want) == 0
}

// jwtClaims decodes, without verifying, the claims of a compact JWT.
func jwtClaims(token string) (interopClaims, error) {
	var c interopClaims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, errors.New("not a compact JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, err
	}
	err = json.Unmarshal(payload, &c)
	return c, err
}
