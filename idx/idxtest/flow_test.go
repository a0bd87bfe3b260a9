package idxtest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// mustJSON decodes a JSON literal written in a test.
func mustJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad test JSON: %v\n%s", err, s)
	}
	return v
}

// idClaims are the ID token claims the seed flow checks beyond the
// registered ones.
type idClaims struct {
	Nonce             string   `json:"nonce"`
	AMR               []string `json:"amr"`
	AuthTime          int64    `json:"auth_time"`
	Name              string   `json:"name"`
	PreferredUsername string   `json:"preferred_username"`
	Email             string   `json:"email"`
	GivenName         string   `json:"given_name"`
	FamilyName        string   `json:"family_name"`
	AtHash            string   `json:"at_hash"`
}

// TestSeedFlow walks the email OTP sign-in of the seed use case over the
// wire, checking each answer's shape, then verifies the ID token against
// the JWKS and calls userinfo.
func TestSeedFlow(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clock.Now))
	c := srv.Client()
	f := newFlow(t, srv).asDemo()

	// Discovery.
	disc := get(t, c, srv.Issuer()+"/.well-known/openid-configuration", nil)
	if disc.status != http.StatusOK {
		t.Fatalf("discovery: %v", disc)
	}
	for k, want := range map[string]string{
		"issuer":              srv.Issuer(),
		"token_endpoint":      srv.Issuer() + "/v1/token",
		"jwks_uri":            srv.Issuer() + "/v1/keys",
		"userinfo_endpoint":   srv.Issuer() + "/v1/userinfo",
		"revocation_endpoint": srv.Issuer() + "/v1/revoke",
	} {
		if got := str(t, disc.doc, k); got != want {
			t.Errorf("discovery %s = %q, want %q", k, got, want)
		}
	}

	// Interact and introspect: the identify form.
	f.interact()
	r := f.introspect()
	if !regexp.MustCompile(`^02[A-Za-z0-9_-]{40}$`).MatchString(f.stateHandle) {
		t.Errorf("stateHandle %q does not look like Okta's", f.stateHandle)
	}
	if got, want := str(t, r.doc, "expiresAt"), clock.Now().Add(10*time.Minute).Format("2006-01-02T15:04:05.000Z"); got != want {
		t.Errorf("expiresAt = %q, want %q", got, want)
	}
	wantIdentify := mustJSON(t, `{
		"rel": ["create-form"], "name": "identify", "href": "`+srv.URL+`/idp/idx/identify", "method": "POST",
		"produces": "application/ion+json; okta-version=1.0.0", "accepts": "application/json; okta-version=1.0.0",
		"value": [
			{"name": "identifier", "label": "Username", "required": true},
			{"name": "credentials", "type": "object", "required": true,
			 "form": {"value": [{"name": "passcode", "label": "Password", "secret": true}]}},
			{"name": "rememberMe", "label": "Keep me signed in", "type": "boolean"},
			{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}
		]}`)
	if diff := cmp.Diff(wantIdentify, any(form(t, r.doc, "identify"))); diff != "" {
		t.Errorf("identify form mismatch (-want +got):\n%s", diff)
	}
	for k, want := range map[string]string{"version": "1.0.0", "intent": "LOGIN"} {
		if got := str(t, r.doc, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if got := str(t, r.doc, "cancel", "href"); got != srv.URL+"/idp/idx/cancel" {
		t.Errorf("cancel href = %q", got)
	}
	if got := str(t, r.doc, "app", "value", "id"); got != idxtest.PublicClientID {
		t.Errorf("app id = %q", got)
	}

	// Identify: the authenticator choice.
	r = f.identify(idxtest.DemoUsername, idxtest.DemoPassword)
	if r.status != http.StatusOK {
		t.Fatalf("identify: %v", r)
	}
	if diff := cmp.Diff([]string{"select-authenticator-authenticate"}, remediationNames(t, r.doc)); diff != "" {
		t.Errorf("remediations (-want +got):\n%s", diff)
	}
	emailAuthID := str(t, r.doc, "authenticators", "value", 0, "id")
	enrollment := path(t, r.doc, "authenticatorEnrollments", "value", 0)
	wantEnrollment := mustJSON(t, `{"profile": {"email": "d***o@example.com"}, "type": "email", "key": "okta_email",
		"id": "`+str(t, enrollment, "id")+`", "displayName": "Email", "methods": [{"type": "email"}]}`)
	if diff := cmp.Diff(wantEnrollment, enrollment); diff != "" {
		t.Errorf("email enrollment (-want +got):\n%s", diff)
	}
	wantSelect := mustJSON(t, `{
		"rel": ["create-form"], "name": "select-authenticator-authenticate", "href": "`+srv.URL+`/idp/idx/challenge",
		"method": "POST", "produces": "application/ion+json; okta-version=1.0.0", "accepts": "application/json; okta-version=1.0.0",
		"value": [
			{"name": "authenticator", "type": "object", "options": [{
				"label": "Email",
				"value": {"form": {"value": [
					{"name": "id", "required": true, "value": "`+emailAuthID+`", "mutable": false, "visible": false},
					{"name": "methodType", "required": false, "value": "email", "mutable": false, "visible": false}
				]}},
				"relatesTo": "$.authenticatorEnrollments.value[0]"
			}]},
			{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}
		]}`)
	if diff := cmp.Diff(wantSelect, any(form(t, r.doc, "select-authenticator-authenticate"))); diff != "" {
		t.Errorf("select form mismatch (-want +got):\n%s", diff)
	}
	if got := str(t, r.doc, "user", "value", "id"); got != "00uidxtestdemo0001" {
		t.Errorf("user id = %q", got)
	}

	// Select email: authenticator-verification-data, no email yet.
	r = f.selectEmail()
	if r.status != http.StatusOK {
		t.Fatalf("challenge: %v", r)
	}
	if diff := cmp.Diff([]string{"authenticator-verification-data", "select-authenticator-authenticate"}, remediationNames(t, r.doc)); diff != "" {
		t.Errorf("remediations (-want +got):\n%s", diff)
	}
	wantVD := mustJSON(t, `{
		"rel": ["create-form"], "name": "authenticator-verification-data", "relatesTo": ["$.currentAuthenticatorEnrollment"],
		"href": "`+srv.URL+`/idp/idx/challenge", "method": "POST",
		"produces": "application/ion+json; okta-version=1.0.0", "accepts": "application/json; okta-version=1.0.0",
		"value": [
			{"name": "authenticator", "label": "Email", "form": {"value": [
				{"name": "id", "required": true, "value": "`+emailAuthID+`", "mutable": false},
				{"name": "methodType", "type": "string", "required": true, "options": [{"label": "Email", "value": "email"}]}
			]}},
			{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}
		]}`)
	if diff := cmp.Diff(wantVD, any(form(t, r.doc, "authenticator-verification-data"))); diff != "" {
		t.Errorf("verification-data form mismatch (-want +got):\n%s", diff)
	}
	if got := str(t, r.doc, "currentAuthenticatorEnrollment", "value", "resend", "href"); got != srv.URL+"/idp/idx/challenge/resend" {
		t.Errorf("resend href = %q", got)
	}
	if n := len(srv.Outbox()); n != 0 {
		t.Fatalf("%d emails sent before the method was chosen", n)
	}

	// Verification data: the email goes out; challenge-authenticator.
	r = f.verificationData()
	if r.status != http.StatusOK {
		t.Fatalf("verification data: %v", r)
	}
	if diff := cmp.Diff([]string{"challenge-authenticator", "select-authenticator-authenticate"}, remediationNames(t, r.doc)); diff != "" {
		t.Errorf("remediations (-want +got):\n%s", diff)
	}
	wantChallenge := mustJSON(t, `{
		"rel": ["create-form"], "name": "challenge-authenticator", "relatesTo": ["$.currentAuthenticatorEnrollment"],
		"href": "`+srv.URL+`/idp/idx/challenge/answer", "method": "POST",
		"produces": "application/ion+json; okta-version=1.0.0", "accepts": "application/json; okta-version=1.0.0",
		"value": [
			{"name": "credentials", "type": "object", "required": true,
			 "form": {"value": [{"name": "passcode", "label": "Enter code"}]}},
			{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}
		]}`)
	if diff := cmp.Diff(wantChallenge, any(form(t, r.doc, "challenge-authenticator"))); diff != "" {
		t.Errorf("challenge form mismatch (-want +got):\n%s", diff)
	}
	cur := path(t, r.doc, "currentAuthenticatorEnrollment", "value").(map[string]any)
	if got := str(t, cur, "poll", "href"); got != srv.URL+"/idp/idx/challenge/poll" {
		t.Errorf("poll href = %q", got)
	}
	if got := path(t, cur, "poll", "refresh"); got != 4000.0 {
		t.Errorf("poll refresh = %v", got)
	}
	if got := str(t, cur, "resend", "href"); got != srv.URL+"/idp/idx/challenge/resend" {
		t.Errorf("resend href = %q", got)
	}
	if got, want := str(t, cur, "key")+" "+str(t, cur, "profile", "email"), "okta_email d***o@example.com"; got != want {
		t.Errorf("current enrollment = %q, want %q", got, want)
	}

	// The email.
	out := srv.Outbox()
	if len(out) != 1 {
		t.Fatalf("outbox has %d emails, want 1", len(out))
	}
	mail := out[0]
	if mail.To != idxtest.DemoUsername || !regexp.MustCompile(`^[0-9]{6}$`).MatchString(mail.Code) ||
		!strings.Contains(mail.Body, mail.Code) || mail.Subject == "" || !mail.SentAt.Equal(clock.Now()) {
		t.Errorf("email = %+v", mail)
	}

	// Answer: successWithInteractionCode.
	r = f.answer(mail.Code)
	if r.status != http.StatusOK {
		t.Fatalf("answer: %v", r)
	}
	if names := remediationNames(t, r.doc); names != nil {
		t.Errorf("success has remediations %v", names)
	}
	success := path(t, r.doc, "successWithInteractionCode")
	code := str(t, success, "value", "name=interaction_code", "value")
	wantSuccess := mustJSON(t, `{
		"rel": ["create-form"], "name": "issue", "href": "`+srv.Issuer()+`/v1/token", "method": "POST",
		"accepts": "application/x-www-form-urlencoded",
		"value": [
			{"name": "grant_type", "required": true, "value": "interaction_code"},
			{"name": "interaction_code", "required": true, "value": "`+code+`"},
			{"name": "client_id", "required": true, "value": "`+idxtest.PublicClientID+`"},
			{"name": "code_verifier", "required": true}
		]}`)
	if diff := cmp.Diff(wantSuccess, success); diff != "" {
		t.Errorf("success form mismatch (-want +got):\n%s", diff)
	}
	if len(code) < 40 {
		t.Errorf("interaction code %q is too short to be unguessable", code)
	}

	// Token.
	tok := f.redeem(f.verifier)
	if tok.status != http.StatusOK {
		t.Fatalf("token: %v", tok)
	}
	if cc := tok.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("token Cache-Control = %q", cc)
	}
	if got := str(t, tok.doc, "token_type") + " " + str(t, tok.doc, "scope"); got != "Bearer openid profile email offline_access" {
		t.Errorf("token type and scope = %q", got)
	}
	if got := path(t, tok.doc, "expires_in"); got != 3600.0 {
		t.Errorf("expires_in = %v", got)
	}
	if str(t, tok.doc, "refresh_token") == "" {
		t.Error("no refresh token despite offline_access")
	}

	// Verify the ID token against the JWKS.
	keysReply := get(t, c, str(t, disc.doc, "jwks_uri"), nil)
	if !strings.HasPrefix(keysReply.header.Get("Cache-Control"), "max-age=") {
		t.Errorf("keys Cache-Control = %q", keysReply.header.Get("Cache-Control"))
	}
	var jwks jose.JSONWebKeySet
	if err := json.Unmarshal(keysReply.body, &jwks); err != nil {
		t.Fatal(err)
	}
	if len(jwks.Keys) != 1 || jwks.Keys[0].IsPublic() == false || jwks.Keys[0].Algorithm != "RS256" {
		t.Fatalf("JWKS = %+v", jwks.Keys)
	}
	idTok, err := jwt.ParseSigned(str(t, tok.doc, "id_token"), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if kid := idTok.Headers[0].KeyID; kid == "" || kid != jwks.Keys[0].KeyID {
		t.Errorf("ID token kid %q, JWKS kid %q", kid, jwks.Keys[0].KeyID)
	}
	var std jwt.Claims
	var extra idClaims
	if err := idTok.Claims(&jwks, &std, &extra); err != nil {
		t.Fatalf("ID token signature: %v", err)
	}
	if err := std.ValidateWithLeeway(jwt.Expected{
		Issuer:      srv.Issuer(),
		AnyAudience: jwt.Audience{idxtest.PublicClientID},
		Subject:     "00uidxtestdemo0001",
		Time:        clock.Now(),
	}, 0); err != nil {
		t.Errorf("ID token claims: %v", err)
	}
	if got := std.Expiry.Time().Sub(std.IssuedAt.Time()); got != time.Hour {
		t.Errorf("ID token lifetime %v", got)
	}
	access := str(t, tok.doc, "access_token")
	sum := sha256.Sum256([]byte(access))
	wantExtra := idClaims{
		Nonce:             f.nonce,
		AMR:               []string{"pwd", "email"},
		AuthTime:          clock.Now().Unix(),
		Name:              "Demo User",
		PreferredUsername: idxtest.DemoUsername,
		Email:             idxtest.DemoUsername,
		GivenName:         "Demo",
		FamilyName:        "User",
		AtHash:            base64.RawURLEncoding.EncodeToString(sum[:16]),
	}
	if diff := cmp.Diff(wantExtra, extra); diff != "" {
		t.Errorf("ID token claims (-want +got):\n%s", diff)
	}

	// The access token is an RS256 JWT too.
	atTok, err := jwt.ParseSigned(access, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	var atStd jwt.Claims
	var atExtra struct {
		CID string   `json:"cid"`
		UID string   `json:"uid"`
		SCP []string `json:"scp"`
	}
	if err := atTok.Claims(&jwks, &atStd, &atExtra); err != nil {
		t.Fatal(err)
	}
	if err := atStd.ValidateWithLeeway(jwt.Expected{Issuer: srv.Issuer(), AnyAudience: jwt.Audience{"api://default"},
		Subject: idxtest.DemoUsername, Time: clock.Now()}, 0); err != nil || atStd.ID == "" {
		t.Errorf("access token claims: %v (jti %q)", err, atStd.ID)
	}
	if diff := cmp.Diff([]string{"openid", "profile", "email", "offline_access"}, atExtra.SCP); diff != "" || atExtra.CID != idxtest.PublicClientID || atExtra.UID != "00uidxtestdemo0001" {
		t.Errorf("access token cid %q uid %q scp diff %s", atExtra.CID, atExtra.UID, diff)
	}

	// Userinfo.
	ui := get(t, c, srv.Issuer()+"/v1/userinfo", map[string]string{"Authorization": "Bearer " + access})
	if ui.status != http.StatusOK {
		t.Fatalf("userinfo: %v", ui)
	}
	wantUI := mustJSON(t, `{"sub": "00uidxtestdemo0001", "name": "Demo User", "given_name": "Demo", "family_name": "User",
		"preferred_username": "demo@example.com", "locale": "en_US", "email": "demo@example.com", "email_verified": true}`)
	if diff := cmp.Diff(wantUI, any(ui.doc)); diff != "" {
		t.Errorf("userinfo (-want +got):\n%s", diff)
	}

	// The whole conversation, in order.
	wantLog := []string{
		"GET /oauth2/default/.well-known/openid-configuration",
		"POST /oauth2/default/v1/interact",
		"POST /idp/idx/introspect",
		"POST /idp/idx/identify",
		"POST /idp/idx/challenge",
		"POST /idp/idx/challenge",
		"POST /idp/idx/challenge/answer",
		"POST /oauth2/default/v1/token",
		"GET /oauth2/default/v1/keys",
		"GET /oauth2/default/v1/userinfo",
	}
	if diff := cmp.Diff(wantLog, srv.RequestLog()); diff != "" {
		t.Errorf("request log (-want +got):\n%s", diff)
	}
	if got := srv.RequestCounts()["POST /idp/idx/challenge"]; got != 2 {
		t.Errorf("challenge count = %d, want 2", got)
	}
}

// TestWithoutVerificationData checks that selecting email sends the code
// at once when WithEmailVerificationData(false).
func TestWithoutVerificationData(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithEmailVerificationData(false))
	f := newFlow(t, srv)
	f.interact()
	f.introspect()
	f.identify(f.user, f.password)
	r := f.selectEmail()
	if diff := cmp.Diff([]string{"challenge-authenticator", "select-authenticator-authenticate"}, remediationNames(t, r.doc)); diff != "" {
		t.Fatalf("remediations (-want +got):\n%s", diff)
	}
	if r = f.answer(f.code()); r.status != http.StatusOK {
		t.Fatalf("answer: %v", r)
	}
	if tok := f.redeem(f.verifier); tok.status != http.StatusOK {
		t.Fatalf("token: %v", tok)
	}
}

// TestWrongCodeThenRight checks the 401 PASSCODE_INVALID answer and that
// the transaction survives it.
func TestWrongCodeThenRight(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	f.toChallenge()
	right := f.code()
	wrong := "000000"
	if right == wrong {
		wrong = "111111"
	}
	r := f.answer(wrong)
	if r.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %v", r)
	}
	passcode := path(t, form(t, r.doc, "challenge-authenticator"), "value", "name=credentials", "form", "value", "name=passcode")
	wantMsgs := mustJSON(t, `{"type": "array", "value": [{"message": "Invalid code. Try again.",
		"i18n": {"key": "api.authn.error.PASSCODE_INVALID", "params": []}, "class": "ERROR"}]}`)
	if diff := cmp.Diff(wantMsgs, path(t, passcode, "messages")); diff != "" {
		t.Errorf("field messages (-want +got):\n%s", diff)
	}
	if _, ok := r.doc["messages"]; ok {
		t.Errorf("top-level messages on a field error: %v", r.doc["messages"])
	}
	if got := str(t, r.doc, "stateHandle"); got != f.stateHandle {
		t.Errorf("stateHandle changed to %q", got)
	}
	if diff := cmp.Diff([]string{"challenge-authenticator", "select-authenticator-authenticate"}, remediationNames(t, r.doc)); diff != "" {
		t.Errorf("remediations (-want +got):\n%s", diff)
	}
	if r = f.answer(right); r.status != http.StatusOK {
		t.Fatalf("right code after a wrong one: %v", r)
	}
	if tok := f.redeem(f.verifier); tok.status != http.StatusOK {
		t.Fatalf("token: %v", tok)
	}
}

// TestResendInvalidatesOldCode checks that resend sends a new code and the
// old one stops working.
func TestResendInvalidatesOldCode(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	f.toChallenge()
	old := f.code()
	href := str(t, f.last.doc, "currentAuthenticatorEnrollment", "value", "resend", "href")
	r := postIon(t, f.c, href, map[string]string{"stateHandle": f.stateHandle})
	if r.status != http.StatusOK {
		t.Fatalf("resend: %v", r)
	}
	f.last = r
	if diff := cmp.Diff([]string{"challenge-authenticator", "select-authenticator-authenticate"}, remediationNames(t, r.doc)); diff != "" {
		t.Errorf("remediations (-want +got):\n%s", diff)
	}
	out := srv.Outbox()
	if len(out) != 2 {
		t.Fatalf("outbox has %d emails, want 2", len(out))
	}
	fresh := out[1].Code
	if code, _ := srv.LastCode(strings.ToUpper(f.user)); code != fresh {
		t.Errorf("LastCode = %q, want the newest %q", code, fresh)
	}
	if old != fresh {
		if r := f.answer(old); r.status != http.StatusUnauthorized {
			t.Fatalf("old code after resend: %v", r)
		}
	}
	if r := f.answer(fresh); r.status != http.StatusOK {
		t.Fatalf("new code: %v", r)
	}
}

// TestPoll checks that poll answers with the current state.
func TestPoll(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	f.toChallenge()
	href := str(t, f.last.doc, "currentAuthenticatorEnrollment", "value", "poll", "href")
	r := postIon(t, f.c, href, map[string]string{"stateHandle": f.stateHandle})
	if r.status != http.StatusOK {
		t.Fatalf("poll: %v", r)
	}
	if diff := cmp.Diff(f.last.doc, r.doc); diff != "" {
		t.Errorf("poll differs from the challenge answer (-want +got):\n%s", diff)
	}
	if n := len(srv.Outbox()); n != 1 {
		t.Errorf("poll sent email: outbox has %d", n)
	}
}

// TestCancel checks that cancel ends the transaction and starts over on a
// new stateHandle that can still complete.
func TestCancel(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	f.toChallenge()
	oldHandle := f.stateHandle
	r := postIon(t, f.c, str(t, f.last.doc, "cancel", "href"), map[string]string{"stateHandle": oldHandle})
	if r.status != http.StatusOK {
		t.Fatalf("cancel: %v", r)
	}
	if diff := cmp.Diff([]string{"identify"}, remediationNames(t, r.doc)); diff != "" {
		t.Errorf("after cancel (-want +got):\n%s", diff)
	}
	newHandle := str(t, r.doc, "stateHandle")
	if newHandle == oldHandle {
		t.Fatal("cancel kept the stateHandle")
	}
	// The old handle is dead everywhere.
	for _, p := range []string{"/idp/idx/introspect", "/idp/idx/challenge/answer", "/idp/idx/cancel"} {
		rr := postIon(t, f.c, srv.URL+p, map[string]any{"stateHandle": oldHandle, "credentials": map[string]string{"passcode": f.code()}})
		if rr.status != http.StatusUnauthorized || !cmp.Equal(messageKeys(t, rr.doc), []string{"idx.session.expired"}) {
			t.Errorf("%s with the cancelled handle: %v", p, rr)
		}
	}
	// The interaction handle leads to the new transaction.
	rr := postIon(t, f.c, srv.URL+"/idp/idx/introspect", map[string]string{"interactionHandle": f.handle})
	if got := str(t, rr.doc, "stateHandle"); got != newHandle {
		t.Errorf("introspect by interaction handle gives %q, want %q", got, newHandle)
	}
	// And it completes with the original PKCE verifier.
	f.last, f.stateHandle = r, newHandle
	f.identify(f.user, f.password)
	f.selectEmail()
	f.verificationData()
	if r := f.answer(f.code()); r.status != http.StatusOK {
		t.Fatalf("answer after cancel: %v", r)
	}
	if tok := f.redeem(f.verifier); tok.status != http.StatusOK {
		t.Fatalf("token after cancel: %v", tok)
	}
}

// TestExpiredTransaction checks the 401 idx.session.expired answer once the
// clock passes expiresAt.
func TestExpiredTransaction(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clock.Now), idxtest.WithTransactionLifetime(3*time.Minute))
	f := newFlow(t, srv)
	f.interact()
	r := f.introspect()
	expiresAt := str(t, r.doc, "expiresAt")
	if want := clock.Now().Add(3 * time.Minute).Format("2006-01-02T15:04:05.000Z"); expiresAt != want {
		t.Errorf("expiresAt = %q, want %q", expiresAt, want)
	}
	clock.Advance(3*time.Minute - time.Millisecond)
	if r := f.identify(idxtest.DemoUsername, idxtest.DemoPassword); r.status != http.StatusOK {
		t.Fatalf("identify just before expiry: %v", r)
	}
	clock.Advance(time.Millisecond)
	r = f.selectEmail()
	want := mustJSON(t, `{"version": "1.0.0", "stateHandle": "`+f.stateHandle+`", "expiresAt": "`+expiresAt+`", "intent": "LOGIN",
		"messages": {"type": "array", "value": [{"message": "You have been logged out due to inactivity. Refresh or return to the sign in screen.", "i18n": {"key": "idx.session.expired"}, "class": "ERROR"}]}}`)
	if r.status != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", r.status)
	}
	if diff := cmp.Diff(want, any(r.doc)); diff != "" {
		t.Errorf("expired answer (-want +got):\n%s", diff)
	}
	// Once expired, always expired, and the interaction handle too.
	for _, body := range []map[string]string{{"stateHandle": f.stateHandle}, {"interactionHandle": f.handle}} {
		if r := postIon(t, f.c, srv.URL+"/idp/idx/introspect", body); r.status != http.StatusUnauthorized {
			t.Errorf("introspect %v after expiry: %v", body, r)
		}
	}
	if n := len(srv.Outbox()); n != 0 {
		t.Errorf("%d emails sent by an expired transaction", n)
	}
}

// TestExpiredCode checks that a code past its lifetime is refused like a
// wrong one, and a resent code works.
func TestExpiredCode(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clock.Now), idxtest.WithCodeLifetime(time.Minute))
	f := newFlow(t, srv)
	f.toChallenge()
	code := f.code()
	clock.Advance(time.Minute)
	r := f.answer(code)
	if r.status != http.StatusUnauthorized {
		t.Fatalf("expired code: %v", r)
	}
	passcode := path(t, form(t, r.doc, "challenge-authenticator"), "value", "name=credentials", "form", "value", "name=passcode")
	if diff := cmp.Diff([]string{"api.authn.error.PASSCODE_INVALID"}, messageKeys(t, passcode)); diff != "" {
		t.Errorf("field message keys (-want +got):\n%s", diff)
	}
	postIon(t, f.c, srv.URL+"/idp/idx/challenge/resend", map[string]string{"stateHandle": f.stateHandle})
	if r := f.answer(f.code()); r.status != http.StatusOK {
		t.Fatalf("resent code: %v", r)
	}
}

// TestStateHandleUsedUpAfterSuccess checks that a successful transaction's
// stateHandle only introspects, to the success answer, until its
// interaction code is redeemed, and is refused afterwards.
func TestStateHandleUsedUpAfterSuccess(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	success := f.success()
	r := postIon(t, f.c, srv.URL+"/idp/idx/introspect", map[string]string{"stateHandle": f.stateHandle})
	if r.status != http.StatusOK || !cmp.Equal(r.doc["successWithInteractionCode"], success.doc["successWithInteractionCode"]) {
		t.Errorf("introspect after success: %v", r)
	}
	for _, p := range []string{"/idp/idx/cancel", "/idp/idx/challenge/poll"} {
		r := postIon(t, f.c, srv.URL+p, map[string]string{"stateHandle": f.stateHandle})
		if r.status != http.StatusUnauthorized || !cmp.Equal(messageKeys(t, r.doc), []string{"idx.session.expired"}) {
			t.Errorf("%s after success: %v", p, r)
		}
	}
	r = postIon(t, f.c, srv.URL+"/idp/idx/introspect", map[string]string{"interactionHandle": f.handle})
	if r.status != http.StatusUnauthorized {
		t.Errorf("interaction handle after success: %v", r)
	}
	f.last = success
	if tok := f.redeem(f.verifier); tok.status != http.StatusOK {
		t.Fatalf("token: %v", tok)
	}
	r = postIon(t, f.c, srv.URL+"/idp/idx/introspect", map[string]string{"stateHandle": f.stateHandle})
	if r.status != http.StatusUnauthorized || !cmp.Equal(messageKeys(t, r.doc), []string{"idx.session.expired"}) {
		t.Errorf("introspect after redemption: %v", r)
	}
}

// TestUnknownStateHandle checks every IDX endpoint with a handle the server
// never issued, and with none.
func TestUnknownStateHandle(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := srv.Client()
	for _, p := range []string{"introspect", "identify", "challenge", "challenge/resend", "challenge/poll", "challenge/answer", "cancel"} {
		for _, handle := range []string{"02doesnotexist", ""} {
			t.Run(p+"/"+handle, func(t *testing.T) {
				t.Parallel()
				r := postIon(t, c, srv.URL+"/idp/idx/"+p, map[string]any{"stateHandle": handle, "identifier": "x"})
				if r.status != http.StatusUnauthorized {
					t.Errorf("status %d, want 401: %s", r.status, r.body)
				}
				if diff := cmp.Diff([]string{"idx.session.expired"}, messageKeys(t, r.doc)); diff != "" {
					t.Errorf("message keys (-want +got):\n%s", diff)
				}
				if _, ok := r.doc["remediation"]; ok {
					t.Error("expired answer has remediations")
				}
			})
		}
	}
	r := postIon(t, c, srv.URL+"/idp/idx/introspect", map[string]string{"interactionHandle": "nope"})
	if r.status != http.StatusUnauthorized {
		t.Errorf("unknown interaction handle: %v", r)
	}
}

// TestBadCredentialsLookAlike checks that a wrong password and an unknown
// user get the same answer, and that the transaction survives.
func TestBadCredentialsLookAlike(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	answers := map[string]reply{}
	for _, tc := range []struct{ name, user, password string }{
		{"wrong password", idxtest.DemoUsername, "wrong"},
		{"unknown user", "nobody@example.com", idxtest.DemoPassword},
		{"unknown user and password", "nobody@example.com", "wrong"},
	} {
		f := newFlow(t, srv)
		f.interact()
		f.introspect()
		r := f.identify(tc.user, tc.password)
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", tc.name, r.status)
		}
		if diff := cmp.Diff([]string{"errors.E0000004"}, messageKeys(t, r.doc)); diff != "" {
			t.Errorf("%s: message keys (-want +got):\n%s", tc.name, diff)
		}
		if got := str(t, r.doc, "messages", "value", 0, "message"); got != "Authentication failed" {
			t.Errorf("%s: message %q", tc.name, got)
		}
		if diff := cmp.Diff([]string{"identify"}, remediationNames(t, r.doc)); diff != "" {
			t.Errorf("%s: remediations (-want +got):\n%s", tc.name, diff)
		}
		// Normalize what differs per transaction, then compare.
		norm := strings.ReplaceAll(string(r.body), f.stateHandle, "HANDLE")
		norm = regexp.MustCompile(`"expiresAt":"[^"]*"`).ReplaceAllString(norm, "")
		answers[tc.name] = reply{status: r.status, body: []byte(norm)}
		// The same transaction still accepts the right credentials.
		if r := f.identify(idxtest.DemoUsername, idxtest.DemoPassword); r.status != http.StatusOK {
			t.Errorf("%s: retry with the right password: %v", tc.name, r)
		}
	}
	if diff := cmp.Diff(string(answers["wrong password"].body), string(answers["unknown user"].body)); diff != "" {
		t.Errorf("wrong password and unknown user differ (-wrong +unknown):\n%s", diff)
	}
	if diff := cmp.Diff(string(answers["wrong password"].body), string(answers["unknown user and password"].body)); diff != "" {
		t.Errorf("answers differ:\n%s", diff)
	}
}

// TestUsernameIgnoresCase checks Okta's case-insensitive sign-in names.
func TestUsernameIgnoresCase(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	f.interact()
	f.introspect()
	if r := f.identify("  DEMO@Example.COM ", idxtest.DemoPassword); r.status != http.StatusOK {
		t.Fatalf("identify: %v", r)
	}
}

// TestFormValidation checks the 400 field-level answers for blank fields
// and the answers for forms that do not fit the current state.
func TestFormValidation(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	tests := []struct {
		name       string
		setup      func(f *flow)
		path       string
		body       map[string]any
		wantStatus int
		form       string   // form whose field carries the message, "" for top level
		field      []any    // path to the field inside the form
		wantKeys   []string // message keys
	}{
		{
			name: "missing identifier", path: "identify",
			body:       map[string]any{"credentials": map[string]any{"passcode": "x"}},
			wantStatus: http.StatusBadRequest, form: "identify", field: []any{"value", "name=identifier"},
			wantKeys: []string{"model.validation.field.blank"},
		},
		{
			name: "blank identifier", path: "identify",
			body:       map[string]any{"identifier": "   ", "credentials": map[string]any{"passcode": "x"}},
			wantStatus: http.StatusBadRequest, form: "identify", field: []any{"value", "name=identifier"},
			wantKeys: []string{"model.validation.field.blank"},
		},
		{
			name: "missing password", path: "identify",
			body:       map[string]any{"identifier": idxtest.DemoUsername},
			wantStatus: http.StatusBadRequest, form: "identify", field: []any{"value", "name=credentials", "form", "value", "name=passcode"},
			wantKeys: []string{"model.validation.field.blank"},
		},
		{
			name: "answer before identify", path: "challenge/answer",
			body:       map[string]any{"credentials": map[string]any{"passcode": "123456"}},
			wantStatus: http.StatusForbidden, wantKeys: []string{"errors.E0000079"},
		},
		{
			name: "challenge before identify", path: "challenge",
			body:       map[string]any{"authenticator": map[string]any{"id": "x"}},
			wantStatus: http.StatusForbidden, wantKeys: []string{"errors.E0000079"},
		},
		{
			name: "resend before the email", path: "challenge/resend",
			wantStatus: http.StatusForbidden, wantKeys: []string{"errors.E0000079"},
		},
		{
			name: "unknown authenticator id", path: "challenge",
			setup:      func(f *flow) { f.identify(idxtest.DemoUsername, idxtest.DemoPassword) },
			body:       map[string]any{"authenticator": map[string]any{"id": "autNOPE", "methodType": "email"}},
			wantStatus: http.StatusBadRequest, wantKeys: []string{"errors.E0000001"},
		},
		{
			name: "no authenticator", path: "challenge",
			setup:      func(f *flow) { f.identify(idxtest.DemoUsername, idxtest.DemoPassword) },
			wantStatus: http.StatusBadRequest, wantKeys: []string{"errors.E0000001"},
		},
		{
			name: "identify twice", path: "identify",
			setup:      func(f *flow) { f.identify(idxtest.DemoUsername, idxtest.DemoPassword) },
			body:       map[string]any{"identifier": idxtest.DemoUsername, "credentials": map[string]any{"passcode": idxtest.DemoPassword}},
			wantStatus: http.StatusForbidden, wantKeys: []string{"errors.E0000079"},
		},
		{
			name: "verification data without methodType", path: "challenge",
			setup: func(f *flow) {
				f.identify(idxtest.DemoUsername, idxtest.DemoPassword)
				f.selectEmail()
			},
			body:       map[string]any{"authenticator": map[string]any{"id": "SELF"}},
			wantStatus: http.StatusBadRequest, form: "authenticator-verification-data",
			field:    []any{"value", "name=authenticator", "form", "value", "name=methodType"},
			wantKeys: []string{"model.validation.field.blank"},
		},
		{
			name: "blank code", path: "challenge/answer",
			setup: func(f *flow) {
				f.identify(idxtest.DemoUsername, idxtest.DemoPassword)
				f.selectEmail()
				f.verificationData()
			},
			body:       map[string]any{"credentials": map[string]any{"passcode": ""}},
			wantStatus: http.StatusBadRequest, form: "challenge-authenticator",
			field:    []any{"value", "name=credentials", "form", "value", "name=passcode"},
			wantKeys: []string{"model.validation.field.blank"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlow(t, srv)
			f.interact()
			f.introspect()
			if tc.setup != nil {
				tc.setup(f)
			}
			body := map[string]any{"stateHandle": f.stateHandle}
			for k, v := range tc.body {
				body[k] = v
			}
			if a, ok := body["authenticator"].(map[string]any); ok && a["id"] == "SELF" {
				a["id"] = str(t, f.last.doc, "authenticators", "value", 0, "id")
			}
			r := postIon(t, f.c, srv.URL+"/idp/idx/"+tc.path, body)
			if r.status != tc.wantStatus {
				t.Errorf("status %d, want %d: %s", r.status, tc.wantStatus, r.body)
			}
			var holder any = r.doc
			if tc.form != "" {
				holder = path(t, form(t, r.doc, tc.form), tc.field...)
				if _, ok := r.doc["messages"]; ok {
					t.Errorf("field error also has top-level messages")
				}
			}
			if diff := cmp.Diff(tc.wantKeys, messageKeys(t, holder)); diff != "" {
				t.Errorf("message keys (-want +got):\n%s", diff)
			}
			if got := str(t, r.doc, "stateHandle"); got != f.stateHandle {
				t.Errorf("stateHandle %q, want the transaction's", got)
			}
			if n := len(remediationNames(t, r.doc)); n == 0 {
				t.Error("error answer has no remediation to continue with")
			}
		})
	}
}

// TestConcurrentFlows runs sign-ins for several users at once on one
// server (meant for -race).
func TestConcurrentFlows(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	const n = 8
	users := make([]idxtest.User, n)
	for i := range users {
		users[i] = idxtest.User{Username: "user" + string(rune('a'+i)) + "@example.com", Password: "pw-" + string(rune('a'+i))}
		if err := srv.AddUser(users[i]); err != nil {
			t.Fatal(err)
		}
	}
	// Parallel subtests inside a group: the group returns when all are done.
	t.Run("group", func(t *testing.T) {
		for _, u := range users {
			t.Run(u.Username, func(t *testing.T) {
				t.Parallel()
				f := newFlow(t, srv)
				f.interact()
				f.introspect()
				if r := f.identify(u.Username, u.Password); r.status != http.StatusOK {
					t.Fatalf("identify: %v", r)
				}
				f.selectEmail()
				f.verificationData()
				code, ok := srv.LastCode(u.Username)
				if !ok {
					t.Fatal("no code")
				}
				if r := f.answer(code); r.status != http.StatusOK {
					t.Fatalf("answer: %v", r)
				}
				tok := f.redeem(f.verifier)
				if tok.status != http.StatusOK {
					t.Fatalf("token: %v", tok)
				}
				ui := get(t, f.c, srv.Issuer()+"/v1/userinfo", map[string]string{"Authorization": "Bearer " + str(t, tok.doc, "access_token")})
				if got := str(t, ui.doc, "preferred_username"); got != u.Username {
					t.Errorf("userinfo says %s", got)
				}
				_ = srv.RequestCounts()
				_ = srv.RequestLog()
				_ = srv.Outbox()
			})
		}
	})
	if got := srv.RequestCounts()["POST /oauth2/default/v1/token"]; got != n {
		t.Errorf("token count %d, want %d", got, n)
	}
}
