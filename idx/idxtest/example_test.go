package idxtest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/goidx/goidx/idx/idxtest"
)

// ExampleNewServer signs the demo user in over the raw wire: interact,
// introspect, identify, choose the email authenticator and its method,
// answer with the emailed code, then redeem the interaction code.
func ExampleNewServer() {
	org := idxtest.NewServer()
	defer org.Close()
	client := org.Client()

	// A fixed PKCE verifier keeps the example short; real clients make a
	// fresh random one for every sign-in.
	verifier := "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	sum := sha256.Sum256([]byte(verifier))

	postForm := func(href string, form url.Values) map[string]any {
		resp, err := client.PostForm(href, form)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	// post sends an IDX request and returns the answer and its
	// remediation forms by name.
	post := func(href string, body map[string]any) (map[string]any, map[string]map[string]any) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, href, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/ion+json; okta-version=1.0.0")
		resp, err := client.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var doc map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&doc)
		forms := map[string]map[string]any{}
		var names []string
		if rem, ok := doc["remediation"].(map[string]any); ok {
			for _, f := range rem["value"].([]any) {
				form := f.(map[string]any)
				forms[form["name"].(string)] = form
				names = append(names, form["name"].(string))
			}
		}
		if _, ok := doc["successWithInteractionCode"]; ok {
			names = append(names, "successWithInteractionCode")
		}
		fmt.Printf("%d %s\n", resp.StatusCode, strings.Join(names, ", "))
		return doc, forms
	}

	ia := postForm(org.Issuer()+"/v1/interact", url.Values{
		"client_id":             {idxtest.PublicClientID},
		"scope":                 {"openid profile email"},
		"redirect_uri":          {idxtest.DefaultRedirectURI},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
		"state":                 {"example-state"},
		"nonce":                 {"example-nonce"},
	})
	doc, forms := post(org.URL+"/idp/idx/introspect", map[string]any{"interactionHandle": ia["interaction_handle"]})
	handle := doc["stateHandle"]

	doc, forms = post(forms["identify"]["href"].(string), map[string]any{
		"identifier":  idxtest.DemoUsername,
		"credentials": map[string]any{"passcode": idxtest.DemoPassword},
		"stateHandle": handle,
	})
	emailID := doc["authenticators"].(map[string]any)["value"].([]any)[0].(map[string]any)["id"]
	_, forms = post(forms["select-authenticator-authenticate"]["href"].(string), map[string]any{
		"authenticator": map[string]any{"id": emailID, "methodType": "email"},
		"stateHandle":   handle,
	})
	_, forms = post(forms["authenticator-verification-data"]["href"].(string), map[string]any{
		"authenticator": map[string]any{"id": emailID, "methodType": "email"},
		"stateHandle":   handle,
	})

	code, _ := org.LastCode(idxtest.DemoUsername)
	doc, _ = post(forms["challenge-authenticator"]["href"].(string), map[string]any{
		"credentials": map[string]any{"passcode": code},
		"stateHandle": handle,
	})

	success := doc["successWithInteractionCode"].(map[string]any)
	form := url.Values{"code_verifier": {verifier}}
	for _, f := range success["value"].([]any) {
		field := f.(map[string]any)
		if v, ok := field["value"].(string); ok {
			form.Set(field["name"].(string), v)
		}
	}
	tokens := postForm(success["href"].(string), form)
	fmt.Println(tokens["token_type"], tokens["scope"], tokens["id_token"] != nil)
	fmt.Println(len(org.Outbox()), "email sent;", org.RequestCounts()["POST /idp/idx/challenge"], "challenge requests")

	// Output:
	// 200 identify
	// 200 select-authenticator-authenticate
	// 200 authenticator-verification-data, select-authenticator-authenticate
	// 200 challenge-authenticator, select-authenticator-authenticate
	// 200 successWithInteractionCode
	// Bearer openid profile email true
	// 1 email sent; 2 challenge requests
}
