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

// ExampleWithPolicy makes the phone the second factor: the user picks SMS
// and answers with the texted code.
func ExampleWithPolicy() {
	org := idxtest.NewServer(
		idxtest.WithPolicy(idxtest.Policy{
			Factors:        2,
			Authenticators: []string{idxtest.AuthenticatorPassword, idxtest.AuthenticatorPhone},
		}),
		idxtest.WithUser(idxtest.User{Username: "ann@example.com", Password: "Ann-Passw0rd!", Phone: "+15555550123"}),
	)
	defer org.Close()

	post := func(href string, body map[string]any) map[string]any {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, href, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/ion+json; okta-version=1.0.0")
		resp, err := org.Client().Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var doc map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&doc)
		return doc
	}
	first := func(doc map[string]any) string {
		if rem, ok := doc["remediation"].(map[string]any); ok {
			return rem["value"].([]any)[0].(map[string]any)["name"].(string)
		}
		return "no remediation"
	}

	sum := sha256.Sum256([]byte("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
	resp, err := org.Client().PostForm(org.Issuer()+"/v1/interact", url.Values{
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

	doc := post(org.URL+"/idp/idx/introspect", map[string]any{"interactionHandle": ia["interaction_handle"]})
	handle := doc["stateHandle"]
	doc = post(org.URL+"/idp/idx/identify", map[string]any{
		"identifier": "ann@example.com", "credentials": map[string]any{"passcode": "Ann-Passw0rd!"}, "stateHandle": handle,
	})
	fmt.Println(first(doc))
	phone := doc["authenticators"].(map[string]any)["value"].([]any)[0].(map[string]any)
	doc = post(org.URL+"/idp/idx/challenge", map[string]any{
		"authenticator": map[string]any{"id": phone["id"], "methodType": "sms"}, "stateHandle": handle,
	})
	fmt.Println(phone["key"], "->", first(doc))

	sms := org.Outbox()[0]
	fmt.Println(sms.Channel, sms.To)
	doc = post(org.URL+"/idp/idx/challenge/answer", map[string]any{
		"credentials": map[string]any{"passcode": sms.Code}, "stateHandle": handle,
	})
	_, ok := doc["successWithInteractionCode"]
	fmt.Println("signed in:", ok)

	// Output:
	// select-authenticator-authenticate
	// phone_number -> challenge-authenticator
	// sms +15555550123
	// signed in: true
}
