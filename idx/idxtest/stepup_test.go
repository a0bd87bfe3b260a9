package idxtest_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/goidx/goidx/idx/idxtest"
)

func TestInteractHints(t *testing.T) {
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 1}))

	t.Run("login_hint prefills the identifier", func(t *testing.T) {
		f := newFlow(t, srv)
		f.interactWith(url.Values{"login_hint": {f.user}})
		r := f.introspect()
		field := path(t, r.doc, "remediation", "value", "name=identify", "value", "name=identifier").(map[string]any)
		if got := field["value"]; got != f.user {
			t.Errorf("identifier value = %v, want the login_hint %q", got, f.user)
		}
		plain := newFlow(t, srv)
		plain.interact()
		field = path(t, plain.introspect().doc, "remediation", "value", "name=identify", "value", "name=identifier").(map[string]any)
		if v, ok := field["value"]; ok {
			t.Errorf("identifier value = %v without a login_hint", v)
		}
	})

	t.Run("refused parameters", func(t *testing.T) {
		for name, extra := range map[string]url.Values{
			"unknown acr":      {"acr_values": {"urn:example:loa:9"}},
			"negative max_age": {"max_age": {"-1"}},
			"text max_age":     {"max_age": {"soon"}},
			"unknown prompt":   {"prompt": {"select_account"}},
		} {
			t.Run(name, func(t *testing.T) {
				f := newFlow(t, srv)
				form := url.Values{
					"client_id": {f.clientID}, "scope": {f.scope}, "redirect_uri": {idxtest.DefaultRedirectURI},
					"code_challenge": {f.challenge}, "code_challenge_method": {"S256"}, "state": {f.state}, "nonce": {f.nonce},
				}
				for k, v := range extra {
					form[k] = v
				}
				r := postForm(t, f.c, srv.Issuer()+"/v1/interact", form, nil)
				if r.status != http.StatusBadRequest || str(t, r.doc, "error") != "invalid_request" {
					t.Errorf("interact = %v, want 400 invalid_request", r)
				}
			})
		}
	})

	t.Run("two factors raise the policy and the ID token says so", func(t *testing.T) {
		f := newFlow(t, srv)
		f.interactWith(url.Values{"acr_values": {"urn:okta:loa:2fa:any"}})
		f.introspect()
		r := f.identify(f.user, f.password)
		if got := remediationNames(t, r.doc); !slices.Contains(got, "select-authenticator-authenticate") {
			t.Fatalf("after identify: %v, want select-authenticator-authenticate", got)
		}
		f.last = r
		f.selectEmail()
		f.verificationData()
		if r := f.answer(f.code()); r.status != http.StatusOK {
			t.Fatalf("answer: %v", r)
		}
		tok := f.redeem(f.verifier)
		claims, err := jwtClaimsMap(str(t, tok.doc, "id_token"))
		if err != nil {
			t.Fatal(err)
		}
		if claims["acr"] != "urn:okta:loa:2fa:any" {
			t.Errorf("acr = %v, want urn:okta:loa:2fa:any", claims["acr"])
		}
		if amr, _ := claims["amr"].([]any); len(amr) != 2 {
			t.Errorf("amr = %v, want the password and the email", claims["amr"])
		}
	})

	t.Run("phishing resistant offers WebAuthn only", func(t *testing.T) {
		f := newFlow(t, srv)
		f.interactWith(url.Values{"acr_values": {"phr"}})
		f.introspect()
		r := f.identify(f.user, f.password)
		if got := remediationNames(t, r.doc); !slices.Contains(got, "select-authenticator-enroll") {
			t.Fatalf("after identify: %v, want select-authenticator-enroll", got)
		}
		// The user's enrollments (password, email) are listed too, as Okta
		// lists them; the offer is the choice's options.
		if got := optionKeys(t, r.doc, "select-authenticator-enroll"); !slices.Equal(got, []string{idxtest.AuthenticatorWebAuthn}) {
			t.Errorf("enrollment offers %v, want WebAuthn only", got)
		}
	})
}
