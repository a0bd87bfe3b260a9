package idxtest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/goidx/goidx/idx/idxtest"
)

// exampleClient talks raw IDX to an org, as the examples below do.
type exampleClient struct {
	org    *idxtest.Server
	handle string     // the stateHandle
	extra  url.Values // more /v1/interact parameters, such as activation_token
}

// start runs /v1/interact and introspect and returns the first answer.
func (e *exampleClient) start() map[string]any {
	sum := sha256.Sum256([]byte("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
	form := url.Values{
		"client_id": {idxtest.PublicClientID}, "scope": {"openid"}, "redirect_uri": {idxtest.DefaultRedirectURI},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"state": {"example-state"},
	}
	for k, v := range e.extra {
		form[k] = v
	}
	resp, err := e.org.Client().PostForm(e.org.Issuer()+"/v1/interact", form)
	if err != nil {
		panic(err)
	}
	var ia map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&ia)
	resp.Body.Close()
	doc := e.post("/idp/idx/introspect", map[string]any{"interactionHandle": ia["interaction_handle"]})
	e.handle, _ = doc["stateHandle"].(string)
	return doc
}

// post posts body, with the stateHandle once there is one, to path.
func (e *exampleClient) post(path string, body map[string]any) map[string]any {
	if e.handle != "" {
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

// exampleRemediations lists the remediation names of doc.
func exampleRemediations(doc map[string]any) []string {
	var names []string
	if rem, ok := doc["remediation"].(map[string]any); ok {
		for _, f := range rem["value"].([]any) {
			names = append(names, f.(map[string]any)["name"].(string))
		}
	}
	return names
}

// ExampleWithPasswordResetTerminal recovers a forgotten password: the
// recover action, the username, the emailed code, the new password, and
// the terminal answer that WithPasswordResetTerminal asks for.
func ExampleWithPasswordResetTerminal() {
	org := idxtest.NewServer(
		idxtest.WithPolicy(idxtest.Policy{Factors: 2, Recovery: true}),
		idxtest.WithPasswordResetTerminal(),
		idxtest.WithEmailVerificationData(false),
	)
	defer org.Close()
	e := &exampleClient{org: org}

	doc := e.start()
	action := doc["currentAuthenticator"].(map[string]any)["value"].(map[string]any)["recover"].(map[string]any)
	fmt.Println("recover:", action["href"] == org.URL+"/idp/idx/recover")
	doc = e.post("/idp/idx/recover", map[string]any{})
	fmt.Println(exampleRemediations(doc))
	doc = e.post("/idp/idx/identify", map[string]any{"identifier": idxtest.DemoUsername})
	fmt.Println(exampleRemediations(doc))
	email := doc["authenticators"].(map[string]any)["value"].([]any)[0].(map[string]any)
	doc = e.post("/idp/idx/challenge", map[string]any{"authenticator": map[string]any{"id": email["id"]}})
	fmt.Println(exampleRemediations(doc))
	code, _ := org.LastCode(idxtest.DemoUsername)
	doc = e.post("/idp/idx/challenge/answer", map[string]any{"credentials": map[string]any{"passcode": code}})
	fmt.Println(exampleRemediations(doc))
	doc = e.post("/idp/idx/challenge/answer", map[string]any{"credentials": map[string]any{"passcode": "New-Passw0rd!"}})
	msg := doc["messages"].(map[string]any)["value"].([]any)[0].(map[string]any)
	fmt.Println(msg["i18n"].(map[string]any)["key"])

	// Output:
	// recover: true
	// [identify-recovery]
	// [select-authenticator-authenticate]
	// [challenge-authenticator select-authenticator-authenticate]
	// [reset-authenticator]
	// idx.recovery.completed
}

// ExampleIdP offers sign-in with an external IdP: its redirect-idp href
// comes back to the app's redirect URI with an interaction code and the
// state, or with an error when the IdP is set to fail.
func ExampleIdP() {
	org := idxtest.NewServer(idxtest.WithPolicy(idxtest.Policy{Factors: 2, IdPs: []idxtest.IdP{
		{ID: "0oaexamplegoogle", Type: "GOOGLE", Name: "Google"},
		{ID: "0oaexamplefb", Type: "FACEBOOK", Name: "Facebook", Fail: true},
	}}))
	defer org.Close()

	for _, i := range []int{0, 1} {
		e := &exampleClient{org: org}
		doc := e.start()
		idp := doc["remediation"].(map[string]any)["value"].([]any)[1+i].(map[string]any)
		resp, err := org.Client().Get(idp["href"].(string)) // the client does not follow redirects
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		q := loc.Query()
		fmt.Printf("%s %d state=%s code=%t error=%q\n", idp["type"], resp.StatusCode, q.Get("state"), q.Has("interaction_code"), q.Get("error"))
	}

	// Output:
	// GOOGLE 302 state=example-state code=true error=""
	// FACEBOOK 302 state=example-state code=false error="access_denied"
}

// ExampleEmail_link follows the magic link of an email code: the browser
// lands on the app's redirect URI with the code (otp) and the state.
func ExampleEmail_link() {
	org := idxtest.NewServer(idxtest.WithEmailVerificationData(false))
	defer org.Close()
	e := &exampleClient{org: org}
	e.start()
	doc := e.post("/idp/idx/identify", map[string]any{
		"identifier": idxtest.DemoUsername, "credentials": map[string]any{"passcode": idxtest.DemoPassword},
	})
	email := doc["authenticators"].(map[string]any)["value"].([]any)[0].(map[string]any)
	e.post("/idp/idx/challenge", map[string]any{"authenticator": map[string]any{"id": email["id"]}})

	msg := org.Outbox()[0]
	resp, err := org.Client().Get(msg.Link)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	fmt.Println(resp.StatusCode, loc.Path, loc.Query().Get("otp") == msg.Code, loc.Query().Get("state"))

	doc = e.post("/idp/idx/challenge/answer", map[string]any{"credentials": map[string]any{"passcode": loc.Query().Get("otp")}})
	_, ok := doc["successWithInteractionCode"]
	fmt.Println("signed in:", ok)

	// Output:
	// 302 /login/callback true example-state
	// signed in: true
}
