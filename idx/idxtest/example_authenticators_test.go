package idxtest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/goidx/goidx/idx/idxtest"
)

// authnDemo drives an org's IDX API over raw HTTP for the examples.
type authnDemo struct {
	org    *idxtest.Server
	handle any
}

func (e *authnDemo) post(path string, body map[string]any) map[string]any {
	if body == nil {
		body = map[string]any{}
	}
	if e.handle != nil {
		body["stateHandle"] = e.handle
	}
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, e.org.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/ion+json; okta-version=1.0.0")
	resp, err := e.org.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	return doc
}

// signIn runs interact, introspect and identify.
func (e *authnDemo) signIn(username, password string) map[string]any {
	sum := sha256.Sum256([]byte("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
	resp, err := e.org.Client().PostForm(e.org.Issuer()+"/v1/interact", url.Values{
		"client_id": {idxtest.PublicClientID}, "scope": {"openid"}, "redirect_uri": {idxtest.DefaultRedirectURI},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"state": {"example-state"},
	})
	if err != nil {
		panic(err)
	}
	var ia map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&ia)
	resp.Body.Close()
	doc := e.post("/idp/idx/introspect", map[string]any{"interactionHandle": ia["interaction_handle"]})
	e.handle = doc["stateHandle"]
	return e.post("/idp/idx/identify", map[string]any{
		"identifier": username, "credentials": map[string]any{"passcode": password},
	})
}

// demoAuthenticatorID is the id of the authenticator key in doc.
func demoAuthenticatorID(doc map[string]any, key string) any {
	for _, a := range doc["authenticators"].(map[string]any)["value"].([]any) {
		if a := a.(map[string]any); a["key"] == key {
			return a["id"]
		}
	}
	return nil
}

// demoRemediations lists doc's remediation names.
func demoRemediations(doc map[string]any) []string {
	var out []string
	if rem, ok := doc["remediation"].(map[string]any); ok {
		for _, f := range rem["value"].([]any) {
			out = append(out, f.(map[string]any)["name"].(string))
		}
	}
	return out
}

// ExampleTOTP computes a Google Authenticator code: here the RFC 6238
// test vector at 59 seconds past the epoch, cut to six digits.
func ExampleTOTP() {
	fmt.Println(idxtest.TOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", time.Unix(59, 0)))
	// Output: 287082
}

// ExampleServer_ApprovePush signs in with an Okta Verify push, which the
// test approves while the client polls.
func ExampleServer_ApprovePush() {
	org := idxtest.NewServer(idxtest.WithUser(idxtest.User{
		Username: "ann@example.com", Password: "Ann-Passw0rd!", OktaVerify: true,
	}))
	defer org.Close()
	c := &authnDemo{org: org}
	doc := c.signIn("ann@example.com", "Ann-Passw0rd!")
	doc = c.post("/idp/idx/challenge", map[string]any{"authenticator": map[string]any{
		"id": demoAuthenticatorID(doc, idxtest.AuthenticatorOktaVerify), "methodType": "push",
	}})
	fmt.Println(demoRemediations(doc))
	fmt.Println(demoRemediations(c.post("/idp/idx/challenge/poll", nil)))

	if err := org.ApprovePush("ann@example.com"); err != nil {
		panic(err)
	}
	_, ok := c.post("/idp/idx/challenge/poll", nil)["successWithInteractionCode"]
	fmt.Println("signed in:", ok)
	// Output:
	// [challenge-poll select-authenticator-authenticate]
	// [challenge-poll select-authenticator-authenticate]
	// signed in: true
}

// ExampleServer_AnswerPush approves a push with a number challenge: the
// user picks in the app the number the sign-in page shows.
func ExampleServer_AnswerPush() {
	org := idxtest.NewServer(
		idxtest.WithOktaVerifyNumberChallenge(true),
		idxtest.WithUser(idxtest.User{Username: "ann@example.com", Password: "Ann-Passw0rd!", OktaVerify: true}),
	)
	defer org.Close()
	c := &authnDemo{org: org}
	doc := c.signIn("ann@example.com", "Ann-Passw0rd!")
	doc = c.post("/idp/idx/challenge", map[string]any{"authenticator": map[string]any{
		"id": demoAuthenticatorID(doc, idxtest.AuthenticatorOktaVerify), "methodType": "push",
	}})
	shown := doc["currentAuthenticator"].(map[string]any)["value"].(map[string]any)["contextualData"].(map[string]any)["correctAnswer"]
	var n int
	_, _ = fmt.Sscan(shown.(string), &n)
	if err := org.AnswerPush("ann@example.com", n); err != nil {
		panic(err)
	}
	_, ok := c.post("/idp/idx/challenge/poll", nil)["successWithInteractionCode"]
	fmt.Println("signed in:", ok)
	// Output: signed in: true
}

// ExampleServer_OktaVerifySecret answers Okta Verify's code method with
// the code the app would show.
func ExampleServer_OktaVerifySecret() {
	org := idxtest.NewServer(idxtest.WithUser(idxtest.User{
		Username: "ann@example.com", Password: "Ann-Passw0rd!", OktaVerify: true,
	}))
	defer org.Close()
	c := &authnDemo{org: org}
	doc := c.signIn("ann@example.com", "Ann-Passw0rd!")
	doc = c.post("/idp/idx/challenge", map[string]any{"authenticator": map[string]any{
		"id": demoAuthenticatorID(doc, idxtest.AuthenticatorOktaVerify), "methodType": "totp",
	}})
	fmt.Println(demoRemediations(doc))
	secret, err := org.OktaVerifySecret("ann@example.com")
	if err != nil {
		panic(err)
	}
	doc = c.post("/idp/idx/challenge/answer", map[string]any{
		"credentials": map[string]any{"totp": idxtest.TOTP(secret, time.Now())},
	})
	_, ok := doc["successWithInteractionCode"]
	fmt.Println("signed in:", ok)
	// Output:
	// [challenge-authenticator select-authenticator-authenticate]
	// signed in: true
}

// ExampleServer_ActivateOktaVerify enrolls Okta Verify by QR code: the
// client polls until the app, played by the test, is activated.
func ExampleServer_ActivateOktaVerify() {
	org := idxtest.NewServer(
		idxtest.WithPolicy(idxtest.Policy{
			Factors:        2,
			Authenticators: []string{idxtest.AuthenticatorPassword, idxtest.AuthenticatorOktaVerify},
			Enrollment:     []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorOktaVerify, Required: true}},
		}),
		idxtest.WithUser(idxtest.User{Username: "ann@example.com", Password: "Ann-Passw0rd!"}),
	)
	defer org.Close()
	c := &authnDemo{org: org}
	doc := c.signIn("ann@example.com", "Ann-Passw0rd!")
	fmt.Println(demoRemediations(doc))
	doc = c.post("/idp/idx/credential/enroll", map[string]any{"authenticator": map[string]any{
		"id": demoAuthenticatorID(doc, idxtest.AuthenticatorOktaVerify), "channel": "qrcode",
	}})
	fmt.Println(demoRemediations(doc))
	if err := org.ActivateOktaVerify("ann@example.com"); err != nil {
		panic(err)
	}
	_, ok := c.post("/idp/idx/challenge/poll", nil)["successWithInteractionCode"]
	fmt.Println("enrolled and signed in:", ok)
	// Output:
	// [select-authenticator-enroll]
	// [enroll-poll select-enrollment-channel select-authenticator-enroll]
	// enrolled and signed in: true
}

// ExampleServer_WebAuthnAssertion answers a WebAuthn challenge with an
// assertion signed by the user's (simulated) security key.
func ExampleServer_WebAuthnAssertion() {
	org := idxtest.NewServer(idxtest.WithUser(idxtest.User{
		Username: "ann@example.com", Password: "Ann-Passw0rd!", WebAuthn: true,
	}))
	defer org.Close()
	c := &authnDemo{org: org}
	doc := c.signIn("ann@example.com", "Ann-Passw0rd!")
	doc = c.post("/idp/idx/challenge", map[string]any{"authenticator": map[string]any{
		"id": demoAuthenticatorID(doc, idxtest.AuthenticatorWebAuthn),
	}})
	ctx := doc["currentAuthenticator"].(map[string]any)["value"].(map[string]any)["contextualData"].(map[string]any)
	challenge := ctx["challengeData"].(map[string]any)["challenge"].(string)

	a, err := org.WebAuthnAssertion("ann@example.com", challenge)
	if err != nil {
		panic(err)
	}
	doc = c.post("/idp/idx/challenge/answer", map[string]any{"credentials": map[string]any{
		"clientData": a.ClientData, "authenticatorData": a.AuthenticatorData, "signatureData": a.SignatureData,
	}})
	_, ok := doc["successWithInteractionCode"]
	fmt.Println("signed in:", ok)
	// Output: signed in: true
}

// ExampleWebAuthnClientData builds the clientData of a WebAuthn
// registration, as a browser would.
func ExampleWebAuthnClientData() {
	cd := idxtest.WebAuthnClientData("webauthn.create", "Y2hhbGxlbmdl", "http://127.0.0.1:8080")
	raw, _ := base64.RawURLEncoding.DecodeString(cd)
	fmt.Println(string(raw))
	// Output: {"type":"webauthn.create","challenge":"Y2hhbGxlbmdl","origin":"http://127.0.0.1:8080","crossOrigin":false}
}
