package idxtest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// interactForm is a valid /v1/interact form for the public app.
func interactForm() url.Values {
	_, challenge := pkce()
	return url.Values{
		"client_id":             {idxtest.PublicClientID},
		"scope":                 {"openid profile"},
		"redirect_uri":          {idxtest.DefaultRedirectURI},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
		"state":                 {"some-state"},
		"nonce":                 {"some-nonce"},
	}
}

func TestInteractErrors(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	tests := []struct {
		name       string
		edit       func(url.Values)
		basic      *[2]string
		rawQuery   string
		wantStatus int
		wantError  string
	}{
		{name: "valid", edit: func(url.Values) {}, wantStatus: http.StatusOK},
		{name: "unknown client", edit: func(v url.Values) { v.Set("client_id", "nope") }, wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "no client", edit: func(v url.Values) { v.Del("client_id") }, wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "unregistered redirect_uri", edit: func(v url.Values) { v.Set("redirect_uri", "http://localhost:8080/evil") }, wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
		{name: "redirect_uri with extra slash", edit: func(v url.Values) { v.Set("redirect_uri", idxtest.DefaultRedirectURI+"/") }, wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
		{name: "no redirect_uri", edit: func(v url.Values) { v.Del("redirect_uri") }, wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
		{name: "plain PKCE", edit: func(v url.Values) { v.Set("code_challenge_method", "plain") }, wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
		{name: "no PKCE method", edit: func(v url.Values) { v.Del("code_challenge_method") }, wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
		{name: "no code_challenge", edit: func(v url.Values) { v.Del("code_challenge") }, wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
		{name: "short code_challenge", edit: func(v url.Values) { v.Set("code_challenge", "abc") }, wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
		{name: "no state", edit: func(v url.Values) { v.Del("state") }, wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
		{name: "unknown scope", edit: func(v url.Values) { v.Set("scope", "openid admin") }, wantStatus: http.StatusBadRequest, wantError: "invalid_scope"},
		{name: "no scope", edit: func(v url.Values) { v.Del("scope") }, wantStatus: http.StatusBadRequest, wantError: "invalid_scope"},
		{name: "profile without openid", edit: func(v url.Values) { v.Set("scope", "profile") }, wantStatus: http.StatusBadRequest, wantError: "invalid_scope"},
		{name: "public client with a secret", edit: func(v url.Values) { v.Set("client_secret", "x") }, wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "secret in the URL", edit: func(url.Values) {}, rawQuery: "client_secret=x", wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "param in the URL and the body", edit: func(url.Values) {}, rawQuery: "state=x", wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
		{
			name:       "confidential with basic",
			edit:       func(v url.Values) { v.Set("client_id", idxtest.ConfidentialClientID) },
			basic:      &[2]string{idxtest.ConfidentialClientID, idxtest.ConfidentialClientSecret},
			wantStatus: http.StatusOK,
		},
		{
			name:       "confidential with a wrong secret",
			edit:       func(v url.Values) { v.Set("client_id", idxtest.ConfidentialClientID); v.Set("client_secret", "wrong") },
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name:       "confidential without a secret",
			edit:       func(v url.Values) { v.Set("client_id", idxtest.ConfidentialClientID) },
			wantStatus: http.StatusOK,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			form := interactForm()
			tc.edit(form)
			href := srv.Issuer() + "/v1/interact"
			if tc.rawQuery != "" {
				href += "?" + tc.rawQuery
			}
			r := postForm(t, srv.Client(), href, form, tc.basic)
			if r.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, tc.wantStatus, r.body)
			}
			if tc.wantError == "" {
				if h := str(t, r.doc, "interaction_handle"); len(h) < 40 {
					t.Errorf("interaction handle %q is too short to be unguessable", h)
				}
				return
			}
			if got := str(t, r.doc, "error"); got != tc.wantError {
				t.Errorf("error %q, want %q", got, tc.wantError)
			}
			if str(t, r.doc, "error_description") == "" {
				t.Error("no error_description")
			}
			if tc.wantStatus == http.StatusUnauthorized && r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// TestTokenClientAuth covers the ways a client can (fail to) authenticate
// at the token endpoint.
func TestTokenClientAuth(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithApp(idxtest.App{
		ClientID:     "odd client:id",
		ClientSecret: "sec ret:+/%",
		RedirectURIs: []string{idxtest.DefaultRedirectURI},
	}))
	tests := []struct {
		name       string
		clientID   string
		interactAs *[2]string // basic credentials at interact, if any
		basic      *[2]string
		post       map[string]string // extra form fields
		raw        string            // raw Authorization header
		wantStatus int
		wantError  string
	}{
		{name: "public", clientID: idxtest.PublicClientID, wantStatus: http.StatusOK},
		{
			name: "confidential basic", clientID: idxtest.ConfidentialClientID,
			basic:      &[2]string{idxtest.ConfidentialClientID, idxtest.ConfidentialClientSecret},
			wantStatus: http.StatusOK,
		},
		{
			name: "confidential post", clientID: idxtest.ConfidentialClientID,
			post:       map[string]string{"client_secret": idxtest.ConfidentialClientSecret},
			wantStatus: http.StatusOK,
		},
		{
			name: "basic with URL-encoded specials", clientID: "odd client:id",
			basic:      &[2]string{"odd client:id", "sec ret:+/%"},
			wantStatus: http.StatusOK,
		},
		{
			name: "post with specials", clientID: "odd client:id",
			post:       map[string]string{"client_secret": "sec ret:+/%"},
			wantStatus: http.StatusOK,
		},
		{
			name: "basic without URL-encoding", clientID: "odd client:id",
			raw:        "Basic " + basicRaw("odd client:id", "sec ret:+/%"),
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "confidential missing secret", clientID: idxtest.ConfidentialClientID,
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "confidential wrong secret", clientID: idxtest.ConfidentialClientID,
			basic:      &[2]string{idxtest.ConfidentialClientID, "wrong"},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "confidential basic and post", clientID: idxtest.ConfidentialClientID,
			basic:      &[2]string{idxtest.ConfidentialClientID, idxtest.ConfidentialClientSecret},
			post:       map[string]string{"client_secret": idxtest.ConfidentialClientSecret},
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
		{
			name: "public with a secret", clientID: idxtest.PublicClientID,
			post:       map[string]string{"client_secret": "anything"},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "bearer instead of basic", clientID: idxtest.ConfidentialClientID,
			raw:        "Bearer abc",
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "code of a public client redeemed by another", clientID: idxtest.PublicClientID,
			basic:      &[2]string{idxtest.ConfidentialClientID, idxtest.ConfidentialClientSecret},
			wantStatus: http.StatusBadRequest, wantError: "invalid_grant",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlow(t, srv)
			f.clientID = tc.clientID
			f.success()
			success := path(t, f.last.doc, "successWithInteractionCode")
			form := url.Values{
				"grant_type":       {"interaction_code"},
				"interaction_code": {str(t, success, "value", "name=interaction_code", "value")},
				"code_verifier":    {f.verifier},
			}
			if tc.basic == nil && tc.raw == "" {
				form.Set("client_id", tc.clientID)
			}
			for k, v := range tc.post {
				form.Set(k, v)
			}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, str(t, success, "href"), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basic != nil {
				req.SetBasicAuth(url.QueryEscape(tc.basic[0]), url.QueryEscape(tc.basic[1]))
			}
			if tc.raw != "" {
				req.Header.Set("Authorization", tc.raw)
			}
			r := do(t, f.c, req)
			if r.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, tc.wantStatus, r.body)
			}
			if tc.wantError != "" {
				if got := str(t, r.doc, "error"); got != tc.wantError {
					t.Errorf("error %q, want %q", got, tc.wantError)
				}
				if tc.wantStatus == http.StatusUnauthorized && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
					t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
				}
				return
			}
			if str(t, r.doc, "access_token") == "" || str(t, r.doc, "id_token") == "" {
				t.Errorf("tokens missing: %s", r.body)
			}
		})
	}
}

func basicRaw(id, secret string) string {
	req, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	req.SetBasicAuth(id, secret)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

func TestTokenGrantErrors(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clock.Now))
	tests := []struct {
		name       string
		run        func(t *testing.T, f *flow) reply
		wantStatus int
		wantBody   string
	}{
		{
			name: "PKCE mismatch",
			run: func(t *testing.T, f *flow) reply {
				other, _ := pkce()
				return f.redeem(other)
			},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"error":"invalid_grant","error_description":"PKCE verification failed."}`,
		},
		{
			name: "verifier too short",
			run: func(t *testing.T, f *flow) reply {
				return f.redeem("short")
			},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"error":"invalid_grant","error_description":"PKCE verification failed."}`,
		},
		{
			name: "code reused",
			run: func(t *testing.T, f *flow) reply {
				if r := f.redeem(f.verifier); r.status != http.StatusOK {
					t.Fatalf("first use: %v", r)
				}
				return f.redeem(f.verifier)
			},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"error":"invalid_grant","error_description":"The interaction code is invalid or has expired."}`,
		},
		{
			name: "code spent by a failed attempt",
			run: func(t *testing.T, f *flow) reply {
				other, _ := pkce()
				f.redeem(other)
				return f.redeem(f.verifier)
			},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"error":"invalid_grant","error_description":"The interaction code is invalid or has expired."}`,
		},
		{
			name: "code for another client",
			run: func(t *testing.T, f *flow) reply {
				success := path(t, f.last.doc, "successWithInteractionCode")
				return postForm(t, f.c, srv.Issuer()+"/v1/token", url.Values{
					"grant_type":       {"interaction_code"},
					"interaction_code": {str(t, success, "value", "name=interaction_code", "value")},
					"code_verifier":    {f.verifier},
				}, &[2]string{idxtest.ConfidentialClientID, idxtest.ConfidentialClientSecret})
			},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"error":"invalid_grant","error_description":"The interaction code is invalid or has expired."}`,
		},
		{
			name: "unknown code",
			run: func(t *testing.T, f *flow) reply {
				return postForm(t, f.c, srv.Issuer()+"/v1/token", url.Values{
					"grant_type": {"interaction_code"}, "interaction_code": {"nope"},
					"code_verifier": {f.verifier}, "client_id": {idxtest.PublicClientID},
				}, nil)
			},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"error":"invalid_grant","error_description":"The interaction code is invalid or has expired."}`,
		},
		{
			name: "unsupported grant",
			run: func(t *testing.T, f *flow) reply {
				return postForm(t, f.c, srv.Issuer()+"/v1/token", url.Values{
					"grant_type": {"password"}, "client_id": {idxtest.PublicClientID},
				}, nil)
			},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"error":"unsupported_grant_type","error_description":"The grant type 'password' is not supported."}`,
		},
		{
			name: "no grant type",
			run: func(t *testing.T, f *flow) reply {
				return postForm(t, f.c, srv.Issuer()+"/v1/token", url.Values{"client_id": {idxtest.PublicClientID}}, nil)
			},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"error":"invalid_request","error_description":"The 'grant_type' parameter is required."}`,
		},
		{
			name: "parameter in the URL and the body",
			run: func(t *testing.T, f *flow) reply {
				return postForm(t, f.c, srv.Issuer()+"/v1/token?client_id="+idxtest.PublicClientID, url.Values{
					"grant_type": {"interaction_code"}, "client_id": {idxtest.PublicClientID},
				}, nil)
			},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"error":"invalid_request","error_description":"The 'client_id' parameter is repeated."}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlow(t, srv)
			f.success()
			r := tc.run(t, f)
			if r.status != tc.wantStatus {
				t.Errorf("status %d, want %d", r.status, tc.wantStatus)
			}
			if diff := cmp.Diff(mustJSON(t, tc.wantBody), any(r.doc)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q", r.header.Get("Cache-Control"))
			}
		})
	}

	t.Run("expired code", func(t *testing.T) {
		f := newFlow(t, srv)
		f.success()
		clock.Advance(2 * time.Minute)
		r := f.redeem(f.verifier)
		if r.status != http.StatusBadRequest || str(t, r.doc, "error") != "invalid_grant" {
			t.Errorf("expired interaction code: %v", r)
		}
	})
}

// TestRefreshAndRevoke covers refresh token rotation, revocation and the
// userinfo answers for bad tokens.
func TestRefreshAndRevoke(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clock.Now))
	f := newFlow(t, srv)
	f.secret = idxtest.ConfidentialClientSecret
	f.clientID = idxtest.ConfidentialClientID
	f.success()
	tok := f.redeem(f.verifier)
	if tok.status != http.StatusOK {
		t.Fatalf("token: %v", tok)
	}
	basic := &[2]string{idxtest.ConfidentialClientID, idxtest.ConfidentialClientSecret}
	userinfo := func(access string) reply {
		return get(t, f.c, srv.Issuer()+"/v1/userinfo", map[string]string{"Authorization": "Bearer " + access})
	}

	// Refresh rotates the refresh token.
	rt := str(t, tok.doc, "refresh_token")
	r := postForm(t, f.c, srv.Issuer()+"/v1/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, basic)
	if r.status != http.StatusOK {
		t.Fatalf("refresh: %v", r)
	}
	rt2 := str(t, r.doc, "refresh_token")
	if rt2 == rt || str(t, r.doc, "id_token") == "" || str(t, r.doc, "access_token") == "" {
		t.Errorf("refresh answer: %s", r.body)
	}
	again := postForm(t, f.c, srv.Issuer()+"/v1/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, basic)
	if again.status != http.StatusBadRequest || str(t, again.doc, "error") != "invalid_grant" {
		t.Errorf("rotated-out refresh token: %v", again)
	}
	// Narrowing the scope.
	narrow := postForm(t, f.c, srv.Issuer()+"/v1/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt2}, "scope": {"openid"}}, basic)
	if narrow.status != http.StatusOK || str(t, narrow.doc, "scope") != "openid offline_access" {
		t.Errorf("narrowed refresh: %v", narrow)
	}
	rt3 := str(t, narrow.doc, "refresh_token")
	wide := postForm(t, f.c, srv.Issuer()+"/v1/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt3}, "scope": {"openid phone"}}, basic)
	if wide.status != http.StatusBadRequest || str(t, wide.doc, "error") != "invalid_scope" {
		t.Errorf("widened refresh: %v", wide)
	}

	// Introspect, revoke, userinfo.
	access := str(t, r.doc, "access_token")
	if ui := userinfo(access); ui.status != http.StatusOK {
		t.Fatalf("userinfo: %v", ui)
	}
	in := postForm(t, f.c, srv.Issuer()+"/v1/introspect", url.Values{"token": {access}}, basic)
	if in.status != http.StatusOK || path(t, in.doc, "active") != true || str(t, in.doc, "username") != f.user {
		t.Errorf("introspect: %v", in)
	}
	rev := postForm(t, f.c, srv.Issuer()+"/v1/revoke", url.Values{"token": {access}, "token_type_hint": {"access_token"}}, basic)
	if rev.status != http.StatusOK || len(rev.body) != 0 {
		t.Errorf("revoke: %v", rev)
	}
	if ui := userinfo(access); ui.status != http.StatusUnauthorized || !strings.Contains(ui.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("userinfo after revoke: %v %q", ui, ui.header.Get("WWW-Authenticate"))
	}
	in = postForm(t, f.c, srv.Issuer()+"/v1/introspect", url.Values{"token": {access}}, basic)
	if path(t, in.doc, "active") != false {
		t.Errorf("introspect after revoke: %v", in)
	}
	// Unknown tokens revoke fine; a revoked refresh token stops working.
	if rev := postForm(t, f.c, srv.Issuer()+"/v1/revoke", url.Values{"token": {"unknown"}}, basic); rev.status != http.StatusOK {
		t.Errorf("revoke unknown: %v", rev)
	}
	postForm(t, f.c, srv.Issuer()+"/v1/revoke", url.Values{"token": {rt3}}, basic)
	if r := postForm(t, f.c, srv.Issuer()+"/v1/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt3}}, basic); r.status != http.StatusBadRequest {
		t.Errorf("revoked refresh token: %v", r)
	}
	if rev := postForm(t, f.c, srv.Issuer()+"/v1/revoke", url.Values{"token": {"x"}}, nil); rev.status != http.StatusUnauthorized {
		t.Errorf("revoke without client auth: %v", rev)
	}

	// Userinfo errors.
	if ui := get(t, f.c, srv.Issuer()+"/v1/userinfo", nil); ui.status != http.StatusUnauthorized || ui.header.Get("WWW-Authenticate") != `Bearer realm="idxtest"` {
		t.Errorf("userinfo without a token: %v %q", ui, ui.header.Get("WWW-Authenticate"))
	}
	if ui := userinfo("forged"); ui.status != http.StatusUnauthorized {
		t.Errorf("userinfo with a forged token: %v", ui)
	}
	other := str(t, narrow.doc, "access_token")
	clock.Advance(time.Hour)
	if ui := userinfo(other); ui.status != http.StatusUnauthorized {
		t.Errorf("userinfo with an expired token: %v", ui)
	}
}

// TestNoRefreshToken checks that refresh tokens need offline_access and an
// app that allows them.
func TestNoRefreshToken(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithApp(idxtest.App{ClientID: "no-refresh", RedirectURIs: []string{idxtest.DefaultRedirectURI}}))
	for _, tc := range []struct{ name, client, scope, wantScope string }{
		{"no offline_access", idxtest.PublicClientID, "openid email", "openid email"},
		{"app without refresh tokens", "no-refresh", "openid offline_access", "openid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFlow(t, srv)
			f.clientID, f.scope = tc.client, tc.scope
			f.success()
			tok := f.redeem(f.verifier)
			if tok.status != http.StatusOK {
				t.Fatalf("token: %v", tok)
			}
			if _, ok := tok.doc["refresh_token"]; ok {
				t.Error("refresh token issued")
			}
			if got := str(t, tok.doc, "scope"); got != tc.wantScope {
				t.Errorf("scope %q, want %q", got, tc.wantScope)
			}
		})
	}
}

// TestScopeClaims checks that profile and email claims follow the scopes.
func TestScopeClaims(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv).asDemo()
	f.scope = "openid"
	f.success()
	tok := f.redeem(f.verifier)
	ui := get(t, f.c, srv.Issuer()+"/v1/userinfo", map[string]string{"Authorization": "Bearer " + str(t, tok.doc, "access_token")})
	if diff := cmp.Diff(mustJSON(t, `{"sub":"00uidxtestdemo0001"}`), any(ui.doc)); diff != "" {
		t.Errorf("userinfo with openid only (-want +got):\n%s", diff)
	}
	claims, err := jwtClaimsMap(str(t, tok.doc, "id_token"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"email", "name", "preferred_username", "given_name"} {
		if _, ok := claims[k]; ok {
			t.Errorf("ID token has %s without its scope", k)
		}
	}
}

func TestDiscoveryAndKeys(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	for _, p := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"} {
		r := get(t, srv.Client(), srv.Issuer()+p, nil)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Cache-Control"), "max-age=") {
			t.Fatalf("%s: %v (Cache-Control %q)", p, r, r.header.Get("Cache-Control"))
		}
		want := map[string]any{
			"issuer":                                srv.Issuer(),
			"authorization_endpoint":                srv.Issuer() + "/v1/authorize",
			"end_session_endpoint":                  srv.Issuer() + "/v1/logout",
			"introspection_endpoint":                srv.Issuer() + "/v1/introspect",
			"id_token_signing_alg_values_supported": []any{"RS256"},
			"code_challenge_methods_supported":      []any{"S256"},
			"token_endpoint_auth_methods_supported": []any{"client_secret_basic", "client_secret_post", "private_key_jwt", "none"},
		}
		for k, v := range want {
			if diff := cmp.Diff(v, r.doc[k]); diff != "" {
				t.Errorf("%s %s (-want +got):\n%s", p, k, diff)
			}
		}
	}
	r := get(t, srv.Client(), srv.Issuer()+"/v1/keys", nil)
	k := path(t, r.doc, "keys", 0).(map[string]any)
	for _, field := range []string{"kty", "kid", "alg", "use", "n", "e"} {
		if _, ok := k[field]; !ok {
			t.Errorf("JWK has no %s: %v", field, k)
		}
	}
	if _, ok := k["d"]; ok {
		t.Fatal("JWKS leaks the private key")
	}
	// Each server has its own key.
	other := idxtest.New(t)
	r2 := get(t, other.Client(), other.Issuer()+"/v1/keys", nil)
	if str(t, r2.doc, "keys", 0, "n") == str(t, r.doc, "keys", 0, "n") {
		t.Error("two servers share a signing key")
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	f.success()
	tok := f.redeem(f.verifier)
	idToken := str(t, tok.doc, "id_token")
	tests := []struct {
		name, query  string
		wantStatus   int
		wantLocation string
	}{
		{"redirect", "id_token_hint=" + idToken + "&post_logout_redirect_uri=" + url.QueryEscape("http://localhost:8080/") + "&state=xyz",
			http.StatusFound, "http://localhost:8080/?state=xyz"},
		{"foreign origin", "id_token_hint=" + idToken + "&post_logout_redirect_uri=" + url.QueryEscape("https://evil.example/"),
			http.StatusBadRequest, ""},
		{"no hint", "post_logout_redirect_uri=" + url.QueryEscape("http://localhost:8080/"), http.StatusBadRequest, ""},
		{"nothing", "", http.StatusOK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := get(t, srv.Client(), srv.Issuer()+"/v1/logout?"+tc.query, nil)
			if r.status != tc.wantStatus || r.header.Get("Location") != tc.wantLocation {
				t.Errorf("got %d %q, want %d %q", r.status, r.header.Get("Location"), tc.wantStatus, tc.wantLocation)
			}
		})
	}
}

// assertion signs client assertion claims with key (RS256 for RSA, ES256
// for ECDSA, HS256 for a []byte).
func assertion(t *testing.T, key any, claims map[string]any) string {
	t.Helper()
	alg := jose.RS256
	switch key.(type) {
	case *ecdsa.PrivateKey:
		alg = jose.ES256
	case []byte:
		alg = jose.HS256
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

var jwtAppKey = sync.OnceValue(func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
})

// TestPrivateKeyJWTAuth checks each rule the fake org applies to a client
// assertion, at the revoke endpoint (and the token endpoint for aud).
func TestPrivateKeyJWTAuth(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	const jwtApp = "0oa-jwt"
	srv := newOrg(t, idxtest.WithClock(clock.Now),
		idxtest.WithPrivateKeyJWTApp(idxtest.App{ClientID: jwtApp, RedirectURIs: []string{idxtest.DefaultRedirectURI}}, jwtAppKey().Public()),
		idxtest.WithPrivateKeyJWTApp(idxtest.App{ClientID: "0oa-jwt-rsa", RedirectURIs: []string{idxtest.DefaultRedirectURI}}, sharedKey().Public()))
	revokeURL := srv.Issuer() + "/v1/revoke"
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	valid := func() map[string]any {
		now := clock.Now()
		return map[string]any{"iss": jwtApp, "sub": jwtApp, "aud": revokeURL, "jti": randomID(t), "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	}
	with := func(edit func(map[string]any)) url.Values {
		c := valid()
		edit(c)
		return url.Values{"token": {"x"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion(t, jwtAppKey(), c)}}
	}
	replayed := with(func(map[string]any) {})
	tests := []struct {
		name       string
		form       url.Values
		basic      *[2]string
		url        string // default revokeURL
		wantStatus int
		wantError  string
	}{
		{name: "valid", form: with(func(map[string]any) {}), wantStatus: 200},
		{name: "valid RS256", form: func() url.Values {
			c := valid()
			c["iss"], c["sub"] = "0oa-jwt-rsa", "0oa-jwt-rsa"
			return url.Values{"token": {"x"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion(t, sharedKey(), c)}}
		}(), wantStatus: 200},
		{name: "valid with matching client_id", form: func() url.Values {
			f := with(func(map[string]any) {})
			f.Set("client_id", jwtApp)
			return f
		}(), wantStatus: 200},
		{name: "first use of an assertion", form: replayed, wantStatus: 200},
		{name: "replayed jti", form: replayed, wantStatus: 401, wantError: "invalid_client"},
		{name: "aud is the token endpoint", form: with(func(c map[string]any) { c["aud"] = srv.Issuer() + "/v1/token" }), wantStatus: 401, wantError: "invalid_client"},
		{name: "aud is the issuer", form: with(func(c map[string]any) { c["aud"] = srv.Issuer() }), wantStatus: 401, wantError: "invalid_client"},
		{name: "aud has an extra audience", form: with(func(c map[string]any) { c["aud"] = []string{revokeURL, "x"} }), wantStatus: 401, wantError: "invalid_client"},
		{name: "aud of the token endpoint accepted there", form: func() url.Values {
			f := with(func(c map[string]any) { c["aud"] = srv.Issuer() + "/v1/token" })
			f.Del("token")
			f.Set("grant_type", "refresh_token")
			f.Set("refresh_token", "unknown")
			return f
		}(), url: srv.Issuer() + "/v1/token", wantStatus: 400, wantError: "invalid_grant"},
		{name: "iss not the client", form: with(func(c map[string]any) { c["iss"] = "0oa-other" }), wantStatus: 401, wantError: "invalid_client"},
		{name: "sub not the client", form: with(func(c map[string]any) { c["sub"] = "0oa-other" }), wantStatus: 401, wantError: "invalid_client"},
		{name: "no exp", form: with(func(c map[string]any) { delete(c, "exp") }), wantStatus: 401, wantError: "invalid_client"},
		{name: "expired", form: with(func(c map[string]any) { c["exp"] = clock.Now().Add(-time.Second).Unix() }), wantStatus: 401, wantError: "invalid_client"},
		{name: "exp more than an hour ahead", form: with(func(c map[string]any) { c["exp"] = clock.Now().Add(61 * time.Minute).Unix() }), wantStatus: 401, wantError: "invalid_client"},
		{name: "iat in the future", form: with(func(c map[string]any) { c["iat"] = clock.Now().Add(10 * time.Minute).Unix() }), wantStatus: 401, wantError: "invalid_client"},
		{name: "no jti", form: with(func(c map[string]any) { delete(c, "jti") }), wantStatus: 401, wantError: "invalid_client"},
		{name: "signed by another key", form: func() url.Values {
			return url.Values{"token": {"x"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion(t, otherKey, valid())}}
		}(), wantStatus: 401, wantError: "invalid_client"},
		{name: "HS256", form: func() url.Values {
			return url.Values{"token": {"x"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion(t, []byte("0123456789abcdef0123456789abcdef"), valid())}}
		}(), wantStatus: 401, wantError: "invalid_client"},
		{name: "wrong assertion type", form: func() url.Values {
			f := with(func(map[string]any) {})
			f.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
			return f
		}(), wantStatus: 401, wantError: "invalid_client"},
		{name: "client_id differs", form: func() url.Values {
			f := with(func(map[string]any) {})
			f.Set("client_id", idxtest.PublicClientID)
			return f
		}(), wantStatus: 401, wantError: "invalid_client"},
		{name: "client not registered for private_key_jwt", form: with(func(c map[string]any) { c["iss"], c["sub"] = idxtest.PublicClientID, idxtest.PublicClientID }), wantStatus: 401, wantError: "invalid_client"},
		{name: "assertion and Basic", form: with(func(map[string]any) {}), basic: &[2]string{jwtApp, "x"}, wantStatus: 400, wantError: "invalid_request"},
		{name: "no assertion", form: url.Values{"token": {"x"}, "client_id": {jwtApp}}, wantStatus: 401, wantError: "invalid_client"},
		{name: "secret instead of an assertion", form: url.Values{"token": {"x"}, "client_id": {jwtApp}, "client_secret": {"s"}}, wantStatus: 401, wantError: "invalid_client"},
	}
	c := srv.Client()
	for _, tt := range tests { // in order: the replay row follows its first use
		t.Run(tt.name, func(t *testing.T) {
			u := tt.url
			if u == "" {
				u = revokeURL
			}
			r := postForm(t, c, u, tt.form, tt.basic)
			if r.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", r.status, tt.wantStatus, r.body)
			}
			if tt.wantError != "" && str(t, r.doc, "error") != tt.wantError {
				t.Errorf("error = %s, want %s", r.body, tt.wantError)
			}
		})
	}
}

func randomID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// TestBasicCredentialsAreURLDecoded checks that client_secret_basic
// credentials are form-URL-decoded after base64 (RFC 6749 §2.3.1), for
// ':' '%' '+' and non-ASCII characters.
func TestBasicCredentialsAreURLDecoded(t *testing.T) {
	t.Parallel()
	const id, secret = "client:ü%+1", "s:e%c+r ét/="
	srv := newOrg(t, idxtest.WithApp(idxtest.App{ClientID: id, ClientSecret: secret, RedirectURIs: []string{idxtest.DefaultRedirectURI}}))
	revoke := srv.Issuer() + "/v1/revoke"
	form := url.Values{"token": {"x"}}
	if r := postForm(t, srv.Client(), revoke, form, &[2]string{id, secret}); r.status != http.StatusOK {
		t.Fatalf("encoded credentials: %v", r)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, revoke, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret) // not URL-encoded first
	if r := do(t, srv.Client(), req); r.status != http.StatusUnauthorized {
		t.Fatalf("unencoded credentials: %v, want 401", r)
	}
}

// TestRotateSigningKey checks that new tokens are signed with the new key
// and that the JWKS keeps publishing the old one.
func TestRotateSigningKey(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	old := srv.SigningKeyID()
	kid := srv.RotateSigningKey(nil)
	if kid == old || srv.SigningKeyID() != kid {
		t.Fatalf("kid = %q, old %q, current %q", kid, old, srv.SigningKeyID())
	}
	r := get(t, srv.Client(), srv.Issuer()+"/v1/keys", nil)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(r.body, &set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
		if !k.IsPublic() {
			t.Errorf("JWKS publishes a private key %q", k.KeyID)
		}
	}
	if diff := cmp.Diff([]string{kid, old}, kids); diff != "" {
		t.Errorf("JWKS kids (-want +got):\n%s", diff)
	}
	f := newFlow(t, srv)
	f.success()
	tok := f.redeem(f.verifier)
	parsed, err := jwt.ParseSigned(str(t, tok.doc, "id_token"), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if got := parsed.Headers[0].KeyID; got != kid {
		t.Errorf("ID token kid = %q, want %q", got, kid)
	}
	var claims map[string]any
	if err := parsed.Claims(set.Key(kid)[0].Key, &claims); err != nil {
		t.Errorf("ID token does not verify with the new key: %v", err)
	}
	for range 3 {
		srv.RotateSigningKey(sharedKey())
	}
	r = get(t, srv.Client(), srv.Issuer()+"/v1/keys", nil)
	set = jose.JSONWebKeySet{}
	if err := json.Unmarshal(r.body, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 3 {
		t.Errorf("JWKS has %d keys after 5 rotations, want 3", len(set.Keys))
	}
}
