package idxtest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// idpPolicy offers two IdPs: Google, which signs in the user named
// username, and Facebook, which refuses every sign-in.
func idpPolicy(username string) idxtest.Option {
	return idxtest.WithPolicy(idxtest.Policy{Factors: 2, IdPs: []idxtest.IdP{
		{ID: "0oaidxtestgoogle", Type: "GOOGLE", Name: "Google", Username: username},
		{Type: "FACEBOOK", Name: "Facebook", Fail: true},
	}})
}

// redirectIdPs returns the redirect-idp remediations of d.
func redirectIdPs(t *testing.T, d doc) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, f := range path(t, d, "remediation", "value").([]any) {
		if m := f.(map[string]any); m["name"] == "redirect-idp" {
			out = append(out, m)
		}
	}
	return out
}

// follow GETs href without following redirects and returns the
// Location's query.
func follow(t *testing.T, c *http.Client, href string) url.Values {
	t.Helper()
	r := get(t, c, href, nil)
	if r.status != http.StatusFound {
		t.Fatalf("GET %s: %v", href, r)
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != idxtest.DefaultRedirectURI {
		t.Fatalf("redirected to %q, want the app's redirect URI", got)
	}
	return loc.Query()
}

// TestIdPRedirect signs in with an external IdP: the redirect-idp href
// comes back to the app with an interaction code that /v1/token redeems.
func TestIdPRedirect(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idpPolicy(""))
	f := newFlow(t, srv)
	f.interact()
	r := f.introspect()
	f.mustOK("introspect", r, "identify", "redirect-idp", "redirect-idp")
	idps := redirectIdPs(t, r.doc)
	href := str(t, idps[0], "href")
	u, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != srv.URL+"/oauth2/v1/authorize" {
		t.Errorf("href endpoint = %q", got)
	}
	q := u.Query()
	if q.Get("client_id") != idxtest.PublicClientID || !strings.HasPrefix(q.Get("request_uri"), "urn:okta:") || len(q) != 2 {
		t.Errorf("href query = %v", q)
	}
	if strings.Contains(href, f.stateHandle) {
		t.Error("the href carries the stateHandle")
	}
	want := mustJSON(t, `{"name": "redirect-idp", "type": "GOOGLE", "idp": {"id": "0oaidxtestgoogle", "name": "Google"},
		"href": "`+href+`", "method": "GET"}`)
	if diff := cmp.Diff(want, any(idps[0])); diff != "" {
		t.Errorf("redirect-idp (-want +got):\n%s", diff)
	}
	if id := str(t, idps[1], "idp", "id"); !strings.HasPrefix(id, "0oa") || str(t, idps[1], "type") != "FACEBOOK" {
		t.Errorf("second IdP = %v", idps[1])
	}

	back := follow(t, f.c, href)
	if back.Get("state") != f.state || back.Get("interaction_code") == "" || back.Has("error") {
		t.Fatalf("redirect query = %v", back)
	}
	tok := postForm(t, f.c, srv.Issuer()+"/v1/token", url.Values{
		"grant_type": {"interaction_code"}, "interaction_code": {back.Get("interaction_code")},
		"client_id": {idxtest.PublicClientID}, "code_verifier": {f.verifier},
	}, nil)
	if tok.status != http.StatusOK {
		t.Fatalf("token: %v", tok)
	}
	claims, err := jwtClaimsMap(str(t, tok.doc, "id_token"))
	if err != nil {
		t.Fatal(err)
	}
	if claims["preferred_username"] != idxtest.DemoUsername {
		t.Errorf("preferred_username = %v, want the demo user", claims["preferred_username"])
	}
	if diff := cmp.Diff([]any{"fed"}, claims["amr"]); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
	if r := get(t, f.c, href, nil); r.status != http.StatusBadRequest {
		t.Errorf("href after the sign-in: %v", r)
	}
}

// TestIdPUser: the IdP signs in the user it is set up with.
func TestIdPUser(t *testing.T) {
	t.Parallel()
	const username = "federated@example.com"
	srv := newOrg(t, idpPolicy(username), idxtest.WithUser(idxtest.User{Username: username, Password: "Fed-Passw0rd!"}))
	f := newFlow(t, srv)
	f.interact()
	back := follow(t, f.c, str(t, redirectIdPs(t, f.introspect().doc)[0], "href"))
	tok := postForm(t, f.c, srv.Issuer()+"/v1/token", url.Values{
		"grant_type": {"interaction_code"}, "interaction_code": {back.Get("interaction_code")},
		"client_id": {idxtest.PublicClientID}, "code_verifier": {f.verifier},
	}, nil)
	if tok.status != http.StatusOK {
		t.Fatalf("token: %v", tok)
	}
	claims, err := jwtClaimsMap(str(t, tok.doc, "id_token"))
	if err != nil {
		t.Fatal(err)
	}
	if claims["preferred_username"] != username {
		t.Errorf("preferred_username = %v", claims["preferred_username"])
	}
}

// TestIdPErrors: a failing IdP, an IdP user the org does not know, and
// bad hrefs.
func TestIdPErrors(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idpPolicy("nobody-here@example.com"))
	t.Run("fail", func(t *testing.T) {
		f := newFlow(t, srv)
		f.interact()
		back := follow(t, f.c, str(t, redirectIdPs(t, f.introspect().doc)[1], "href"))
		if back.Get("error") != "access_denied" || back.Get("error_description") == "" || back.Get("state") != f.state ||
			back.Has("interaction_code") {
			t.Errorf("redirect query = %v", back)
		}
		// The transaction goes on: the user can still sign in.
		f.mustOK("identify after the IdP failed", f.identify(f.user, f.password), "select-authenticator-authenticate")
	})
	t.Run("unknown user", func(t *testing.T) {
		f := newFlow(t, srv)
		f.interact()
		back := follow(t, f.c, str(t, redirectIdPs(t, f.introspect().doc)[0], "href"))
		if back.Get("error") != "access_denied" || back.Has("interaction_code") {
			t.Errorf("redirect query = %v", back)
		}
	})
	t.Run("bad hrefs", func(t *testing.T) {
		f := newFlow(t, srv)
		f.interact()
		href := str(t, redirectIdPs(t, f.introspect().doc)[0], "href")
		u, _ := url.Parse(href)
		q := u.Query()
		for name, edit := range map[string]func(url.Values){
			"other client":     func(v url.Values) { v.Set("client_id", idxtest.ConfidentialClientID) },
			"no request_uri":   func(v url.Values) { v.Del("request_uri") },
			"forged token":     func(v url.Values) { v.Set("request_uri", "urn:okta:forged.0") },
			"IdP out of range": func(v url.Values) { v.Set("request_uri", q.Get("request_uri")[:len(q.Get("request_uri"))-1]+"9") },
		} {
			v := url.Values{}
			for k, vs := range q {
				v[k] = append([]string(nil), vs...)
			}
			edit(v)
			r := get(t, f.c, srv.URL+"/oauth2/v1/authorize?"+v.Encode(), nil)
			if r.status != http.StatusBadRequest || str(t, r.doc, "error") != "invalid_request" {
				t.Errorf("%s: %v", name, r)
			}
		}
		// After identify, the IdPs are no longer on offer.
		f.identify(f.user, f.password)
		if r := get(t, f.c, href, nil); r.status != http.StatusBadRequest {
			t.Errorf("href after identify: %v", r)
		}
	})
}
