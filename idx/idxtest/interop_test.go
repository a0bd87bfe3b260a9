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

// interopStep is one okta-auth-js idx call as seed.mjs reports it.
type interopStep struct {
	Call     string           `json:"call"`
	Status   string           `json:"status"`
	NextStep *interopNextStep `json:"nextStep,omitempty"`
	Messages []interopMessage `json:"messages,omitempty"`
}

type interopNextStep struct {
	Name          string   `json:"name"`
	Inputs        []string `json:"inputs"`
	Options       []string `json:"options"`
	Authenticator string   `json:"authenticator,omitempty"` // key of the authenticator in play
	CanResend     bool     `json:"canResend,omitempty"`
	CanSkip       bool     `json:"canSkip,omitempty"`
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
	Email string `json:"email"`
}

// interopReport is the JSON line seed.mjs prints.
type interopReport struct {
	OktaAuthJS string        `json:"oktaAuthJs"`
	Flow       string        `json:"flow"`
	Steps      []interopStep `json:"steps"`
	HTTP       []string      `json:"http"`
	Request    struct {
		Nonce               string `json:"nonce"`
		CodeChallengeMethod string `json:"codeChallengeMethod"`
		InteractionHandle   bool   `json:"interactionHandle"`
	} `json:"request"`
	UserID string   `json:"userId"`
	Outbox []string `json:"outbox"`
	Result struct {
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

// interopCase is one flow seed.mjs drives, and what must come of it.
type interopCase struct {
	name string
	flow string // IDXTEST_FLOW
	opts []idxtest.Option
	user idxtest.User // Username, Password, Phone, names go to the script
	// oldPassword is the password before recovery, which the script
	// tries after a terminal end (recover).
	oldPassword string
	// wantSub is the ID token's subject; empty means the user ID
	// okta-auth-js saw in the org's IDX responses, for a user made by the
	// flow.
	wantSub    string
	wantSteps  []interopStep
	wantHTTP   []string
	wantOutbox []string // "channel to" of every message the org sent
}

// TestOktaAuthJSInterop drives the fake org with okta-auth-js, Okta's own
// JavaScript client, in legacy IDX mode through sign-in with an emailed or
// a texted code, self-service registration and password recovery. If
// okta-auth-js, which is built against real Okta, gets through every step
// and verifies the tokens, the fake org speaks the protocol faithfully
// enough for a real client.
func TestOktaAuthJSInterop(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		interopMissing(t, "node (Node.js 20 or later) is not on PATH; install Node.js, then run %q from the repository root", interopInstall)
	}
	pkg := filepath.Join(interopDir, "node_modules", "@okta", "okta-auth-js", "package.json")
	if _, err := os.Stat(pkg); err != nil {
		interopMissing(t, "%s is missing (okta-auth-js is not installed); run %q from the repository root", pkg, interopInstall)
	}

	demo := idxtest.User{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}
	phoneUser := idxtest.User{
		ID: "00uinteropphone01", Username: "pat@example.com", Password: "Pat-Passw0rd!",
		GivenName: "Pat", FamilyName: "Phone", Phone: "+15555550142",
	}
	newcomer := idxtest.User{
		Username: "robin@example.com", Password: "Rob-Passw0rd!", GivenName: "Robin", FamilyName: "Newcomer",
	}
	forgetful := idxtest.User{
		ID: "00uinteropreset01", Username: "fay@example.com", Password: "Old-Passw0rd!",
		GivenName: "Fay", FamilyName: "Forgetful",
	}
	forgetfulNew := forgetful
	forgetfulNew.Password = "New-Passw0rd!"
	for _, tc := range []interopCase{
		{
			// Like real Okta, the org answers the email choice with an
			// authenticator-verification-data step; okta-auth-js hands that
			// back to the caller, who picks the email method. Requests: one
			// introspect, the password with the identifier, two challenges
			// (method type, then email), a rejected and an accepted answer,
			// the token exchange and the key fetch for the ID token
			// signature.
			name: "email",
			flow: "email",
			user: demo,
			wantSteps: []interopStep{
				{
					Call:     "username+password",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "select-authenticator-authenticate", Inputs: []string{"authenticator"}, Options: []string{"okta_email"}},
				},
				{
					Call:     "authenticator=okta_email",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "authenticator-verification-data", Inputs: []string{"methodType"}, Options: []string{"email"}, Authenticator: "okta_email", CanResend: true},
				},
				{
					Call:     "methodType=email",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "challenge-authenticator", Inputs: []string{"verificationCode"}, Options: []string{}, Authenticator: "okta_email", CanResend: true},
				},
				{
					Call:     "verificationCode=wrong",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "challenge-authenticator", Inputs: []string{"verificationCode"}, Options: []string{}, Authenticator: "okta_email", CanResend: true},
					Messages: []interopMessage{passcodeInvalid},
				},
				{
					Call:   "verificationCode=right",
					Status: "SUCCESS",
				},
			},
			wantHTTP: []string{
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
			},
			wantOutbox: []string{"email " + idxtest.DemoUsername},
		},
		{
			// The phone as second factor: chosen without a method, it asks
			// for one (authenticator-verification-data, SMS or voice); the
			// SMS code is resent, and the first code is then refused.
			name: "sms",
			flow: "sms",
			opts: []idxtest.Option{
				idxtest.WithPolicy(idxtest.Policy{
					Factors:        2,
					Authenticators: []string{idxtest.AuthenticatorPassword, idxtest.AuthenticatorEmail, idxtest.AuthenticatorPhone},
				}),
				idxtest.WithUser(phoneUser),
			},
			user:    phoneUser,
			wantSub: phoneUser.ID,
			wantSteps: []interopStep{
				{
					Call:     "username+password",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "select-authenticator-authenticate", Inputs: []string{"authenticator"}, Options: []string{"okta_email", "phone_number"}},
				},
				{
					// The phone's resend is offered from the method choice
					// on, as Okta offers it.
					Call:     "authenticator=phone_number",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "authenticator-verification-data", Inputs: []string{"methodType"}, Options: []string{"sms", "voice"}, Authenticator: "phone_number", CanResend: true},
				},
				{
					Call:     "methodType=sms",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "challenge-authenticator", Inputs: []string{"verificationCode"}, Options: []string{}, Authenticator: "phone_number", CanResend: true},
				},
				{
					Call:     "resend",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "challenge-authenticator", Inputs: []string{"verificationCode"}, Options: []string{}, Authenticator: "phone_number", CanResend: true},
				},
				{
					Call:     "verificationCode=first",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "challenge-authenticator", Inputs: []string{"verificationCode"}, Options: []string{}, Authenticator: "phone_number", CanResend: true},
					Messages: []interopMessage{passcodeInvalid},
				},
				{
					Call:   "verificationCode=resent",
					Status: "SUCCESS",
				},
			},
			wantHTTP: []string{
				"GET /oauth2/default/.well-known/openid-configuration 200",
				"POST /oauth2/default/v1/interact 200",
				"POST /idp/idx/introspect 200",
				"POST /idp/idx/identify 200",
				"POST /idp/idx/challenge 200",
				"POST /idp/idx/challenge 200",
				"POST /idp/idx/challenge/resend 200",
				"POST /idp/idx/challenge/answer 401",
				"POST /idp/idx/challenge/answer 200",
				"POST /oauth2/default/v1/token 200",
				"GET /oauth2/default/v1/keys 200",
			},
			wantOutbox: []string{"sms " + phoneUser.Phone, "sms " + phoneUser.Phone},
		},
		{
			// Self-service registration: the new user's profile, then the
			// password and the email, which the org requires new users to
			// enroll.
			name: "register",
			flow: "register",
			opts: []idxtest.Option{idxtest.WithPolicy(idxtest.Policy{Factors: 2, Registration: true})},
			user: newcomer,
			wantSteps: []interopStep{
				{
					Call:     "firstName+lastName+email",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "select-authenticator-enroll", Inputs: []string{"authenticator"}, Options: []string{"okta_password", "okta_email"}},
				},
				{
					Call:     "authenticator=okta_password",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "enroll-authenticator", Inputs: []string{"password"}, Options: []string{}, Authenticator: "okta_password"},
				},
				{
					Call:     "password=new",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "select-authenticator-enroll", Inputs: []string{"authenticator"}, Options: []string{"okta_email"}},
				},
				{
					Call:     "authenticator=okta_email",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "enroll-authenticator", Inputs: []string{"verificationCode"}, Options: []string{}, Authenticator: "okta_email", CanResend: true},
				},
				{
					Call:   "verificationCode=right",
					Status: "SUCCESS",
				},
			},
			wantHTTP: []string{
				"GET /oauth2/default/.well-known/openid-configuration 200",
				"POST /oauth2/default/v1/interact 200",
				"POST /idp/idx/introspect 200",
				"POST /idp/idx/enroll 200",
				"POST /idp/idx/enroll/new 200",
				"POST /idp/idx/credential/enroll 200",
				"POST /idp/idx/challenge/answer 200",
				"POST /idp/idx/credential/enroll 200",
				"POST /idp/idx/challenge/answer 200",
				"POST /oauth2/default/v1/token 200",
				"GET /oauth2/default/v1/keys 200",
			},
			wantOutbox: []string{"email " + newcomer.Username},
		},
		{
			// Password recovery: the username, the emailed code, the new
			// password, and the org signs the user in.
			name: "recover",
			flow: "recover",
			opts: []idxtest.Option{
				idxtest.WithPolicy(idxtest.Policy{Factors: 2, Recovery: true}),
				idxtest.WithUser(forgetful),
			},
			user:    forgetfulNew,
			wantSub: forgetful.ID,
			wantSteps: append(recoverySteps(),
				interopStep{Call: "password=new", Status: "SUCCESS"},
			),
			wantHTTP: append(recoveryHTTP(),
				"POST /oauth2/default/v1/token 200",
				"GET /oauth2/default/v1/keys 200",
			),
			wantOutbox: []string{"email " + forgetful.Username},
		},
		{
			// Password recovery in an org that asks for a sign-in with the
			// new password after the reset.
			name: "recover then sign in",
			flow: "recover",
			opts: []idxtest.Option{
				idxtest.WithPolicy(idxtest.Policy{Factors: 2, Recovery: true}),
				idxtest.WithPasswordResetTerminal(),
				idxtest.WithUser(forgetful),
			},
			user:        forgetfulNew,
			oldPassword: forgetful.Password,
			wantSub:     forgetful.ID,
			wantSteps: append(recoverySteps(),
				interopStep{
					Call:     "password=new",
					Status:   "TERMINAL",
					Messages: []interopMessage{{Key: "idx.recovery.completed", Class: "INFO", Message: "You can now sign in with your existing username and new password."}},
				},
				interopStep{
					Call:     "username+oldPassword",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "identify", Inputs: []string{"username", "password", "rememberMe"}, Options: []string{}},
					Messages: []interopMessage{{Key: "errors.E0000004", Class: "ERROR", Message: "Authentication failed"}},
				},
				interopStep{
					Call:     "username+password",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "select-authenticator-authenticate", Inputs: []string{"authenticator"}, Options: []string{"okta_email"}},
				},
				interopStep{
					Call:     "authenticator=okta_email",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "authenticator-verification-data", Inputs: []string{"methodType"}, Options: []string{"email"}, Authenticator: "okta_email", CanResend: true},
				},
				interopStep{
					Call:     "methodType=email",
					Status:   "PENDING",
					NextStep: &interopNextStep{Name: "challenge-authenticator", Inputs: []string{"verificationCode"}, Options: []string{}, Authenticator: "okta_email", CanResend: true},
				},
				interopStep{Call: "verificationCode=right", Status: "SUCCESS"},
			),
			// A new transaction (the discovery document is cached), in
			// which the old password is refused and the new one accepted;
			// okta-auth-js introspects again after the refusal.
			wantHTTP: append(recoveryHTTP(),
				"POST /oauth2/default/v1/interact 200",
				"POST /idp/idx/introspect 200",
				"POST /idp/idx/identify 401",
				"POST /idp/idx/introspect 200",
				"POST /idp/idx/identify 200",
				"POST /idp/idx/challenge 200",
				"POST /idp/idx/challenge 200",
				"POST /idp/idx/challenge/answer 200",
				"POST /oauth2/default/v1/token 200",
				"GET /oauth2/default/v1/keys 200",
			),
			wantOutbox: []string{"email " + forgetful.Username, "email " + forgetful.Username},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runInterop(t, node, tc)
		})
	}
}

// recoverySteps are the okta-auth-js steps of password recovery up to the
// new password: the username (after the recover action of the identify
// step), the email and its method, the code.
func recoverySteps() []interopStep {
	return []interopStep{
		{
			Call:     "username",
			Status:   "PENDING",
			NextStep: &interopNextStep{Name: "select-authenticator-authenticate", Inputs: []string{"authenticator"}, Options: []string{"okta_email"}},
		},
		{
			Call:     "authenticator=okta_email",
			Status:   "PENDING",
			NextStep: &interopNextStep{Name: "authenticator-verification-data", Inputs: []string{"methodType"}, Options: []string{"email"}, Authenticator: "okta_email", CanResend: true},
		},
		{
			Call:     "methodType=email",
			Status:   "PENDING",
			NextStep: &interopNextStep{Name: "challenge-authenticator", Inputs: []string{"verificationCode"}, Options: []string{}, Authenticator: "okta_email", CanResend: true},
		},
		{
			Call:     "verificationCode=right",
			Status:   "PENDING",
			NextStep: &interopNextStep{Name: "reset-authenticator", Inputs: []string{"password", "revokeSessions"}, Options: []string{}, Authenticator: "okta_password"},
		},
	}
}

// recoveryHTTP are the requests of recoverySteps and of the new password:
// the recover action, identify-recovery, two challenges (method type, then
// email), the code and the new password.
func recoveryHTTP() []string {
	return []string{
		"GET /oauth2/default/.well-known/openid-configuration 200",
		"POST /oauth2/default/v1/interact 200",
		"POST /idp/idx/introspect 200",
		"POST /idp/idx/recover 200",
		"POST /idp/idx/identify 200",
		"POST /idp/idx/challenge 200",
		"POST /idp/idx/challenge 200",
		"POST /idp/idx/challenge/answer 200",
		"POST /idp/idx/challenge/answer 200",
	}
}

// passcodeInvalid is the message okta-auth-js reports for a wrong code.
var passcodeInvalid = interopMessage{Key: "api.authn.error.PASSCODE_INVALID", Class: "ERROR", Message: "Invalid code. Try again."}

// runInterop runs seed.mjs through tc on a new org and checks its report
// and the org's view of the conversation.
func runInterop(t *testing.T, node string, tc interopCase) {
	s := newOrg(t, tc.opts...)

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "seed.mjs")
	cmd.Dir = interopDir
	cmd.Env = append(os.Environ(),
		"IDXTEST_FLOW="+tc.flow,
		"IDXTEST_URL="+s.URL,
		"IDXTEST_ISSUER="+s.Issuer(),
		"IDXTEST_CLIENT_ID="+idxtest.PublicClientID,
		"IDXTEST_REDIRECT_URI="+idxtest.DefaultRedirectURI,
		"IDXTEST_USERNAME="+tc.user.Username,
		"IDXTEST_PASSWORD="+tc.user.Password,
		"IDXTEST_PHONE="+tc.user.Phone,
		"IDXTEST_OLD_PASSWORD="+tc.oldPassword,
		"IDXTEST_FIRST_NAME="+tc.user.GivenName,
		"IDXTEST_LAST_NAME="+tc.user.FamilyName,
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
	if runErr != nil || rep.Error != "" {
		t.Fatalf("okta-auth-js did not get through the flow: %v: %s\nreport: %s\nstderr:\n%s\nserver requests:\n%s",
			runErr, rep.Error, line, stderr.String(), strings.Join(s.RequestLog(), "\n"))
	}
	if rep.Flow != tc.flow {
		t.Errorf("seed.mjs ran flow %q, want %q", rep.Flow, tc.flow)
	}

	if diff := cmp.Diff(tc.wantSteps, rep.Steps); diff != "" {
		t.Errorf("okta-auth-js steps (-want +got):\n%s", diff)
	}
	// What okta-auth-js sent and got, status codes included.
	if diff := cmp.Diff(tc.wantHTTP, rep.HTTP); diff != "" {
		t.Errorf("okta-auth-js HTTP requests (-want +got):\n%s", diff)
	}
	if rep.Request.CodeChallengeMethod != "S256" || !rep.Request.InteractionHandle {
		t.Errorf("okta-auth-js transaction: code_challenge_method %q, interaction handle %v; want S256 and a handle",
			rep.Request.CodeChallengeMethod, rep.Request.InteractionHandle)
	}
	if diff := cmp.Diff(tc.wantOutbox, rep.Outbox); diff != "" {
		t.Errorf("outbox (-want +got):\n%s", diff)
	}

	// The server saw exactly what okta-auth-js sent, apart from the
	// driver's own outbox reads: no retries, nothing lost.
	var serverSaw, clientSent []string
	for _, r := range s.RequestLog() {
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
	wantSub := tc.wantSub
	if wantSub == "" {
		wantSub = rep.UserID
	} else if rep.UserID != wantSub {
		t.Errorf("user.value.id okta-auth-js saw = %q, want %q", rep.UserID, wantSub)
	}
	wantClaims := interopClaims{
		Sub:   wantSub,
		Nonce: rep.Request.Nonce,
		Iss:   s.Issuer(),
		Aud:   idxtest.PublicClientID,
		Email: tc.user.Username, // every user here has the username as email
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
