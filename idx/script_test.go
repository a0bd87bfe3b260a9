package idx_test

// A unit-level harness: a loopback server that answers the IDX endpoints
// from a script of fixture documents (internal/ion/testdata, written in
// the wire's shapes) and records every request. It checks the SDK's
// requests and its reading of each answer; the end-to-end behaviour of an
// org is the business of the idxtest tests.

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/goidx/goidx/idx"
)

// fixtureOrigin is the origin the fixtures' hrefs use; the harness
// rewrites it to its own.
const fixtureOrigin = "https://example.okta.com"

const scriptClientID = "0oaScriptedClient"

// scriptReply is one scripted answer.
type scriptReply struct {
	status int
	body   string // a fixture name ("x.json") or a JSON document
}

// scriptRequest is one recorded request.
type scriptRequest struct {
	Method, Path string
	Body         map[string]any // JSON bodies
	Form         url.Values     // form bodies
}

type scriptOrg struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey

	mu       sync.Mutex
	replies  map[string][]scriptReply // by path
	requests []scriptRequest
	seen     int // requests paths has returned
	nonce    string
	state    string
	code     string // the interaction code /token accepts
	// anyToken makes every path ending in /v1/token the token endpoint,
	// taking any interaction code (for answers that name their own).
	anyToken bool
}

func newScriptOrg(t *testing.T) *scriptOrg {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	o := &scriptOrg{t: t, key: key, replies: map[string][]scriptReply{}, code: "ourInteractionCode"}
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(o.srv.Close)
	return o
}

// on queues answers for a path, in order; the last one repeats.
func (o *scriptOrg) on(path string, replies ...scriptReply) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.replies[path] = append(o.replies[path], replies...)
}

// set replaces the answers queued for a path.
func (o *scriptOrg) set(path string, replies ...scriptReply) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.replies[path] = replies
}

// ok is a 200 answer with a fixture or document.
func ok(body string) scriptReply { return scriptReply{status: http.StatusOK, body: body} }

func (o *scriptOrg) issuer() string { return o.srv.URL + "/oauth2/default" }

// paths lists the requests recorded since its last call.
func (o *scriptOrg) paths() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, r := range o.requests[o.seen:] {
		out = append(out, r.Method+" "+r.Path)
	}
	o.seen = len(o.requests)
	return out
}

// last returns the last request to path, ever.
func (o *scriptOrg) last(path string) *scriptRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.requests) - 1; i >= 0; i-- {
		if o.requests[i].Path == path {
			r := o.requests[i]
			return &r
		}
	}
	return nil
}

func (o *scriptOrg) client(opts ...idx.ClientOption) *idx.Client {
	o.t.Helper()
	c, err := idx.NewClient(idx.Config{
		Issuer: o.issuer(), ClientID: scriptClientID, RedirectURI: "https://app.example.com/login/callback",
	}, append([]idx.ClientOption{idx.WithInsecureLoopbackHTTP()}, opts...)...)
	if err != nil {
		o.t.Fatal(err)
	}
	return c
}

func (o *scriptOrg) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	req := scriptRequest{Method: r.Method, Path: r.URL.Path}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		req.Form, _ = url.ParseQuery(string(b))
	} else if len(b) > 0 {
		_ = json.Unmarshal(b, &req.Body)
	}
	o.mu.Lock()
	o.requests = append(o.requests, req)
	o.mu.Unlock()
	base := "/oauth2/default"
	o.mu.Lock()
	anyToken := o.anyToken
	o.mu.Unlock()
	path := r.URL.Path
	if anyToken && strings.HasSuffix(path, "/v1/token") {
		path = base + "/v1/token"
	}
	switch path {
	case base + "/.well-known/openid-configuration":
		writeJSON(w, 200, map[string]any{
			"issuer": o.issuer(), "authorization_endpoint": o.issuer() + "/v1/authorize",
			"token_endpoint": o.issuer() + "/v1/token", "jwks_uri": o.issuer() + "/v1/keys",
			"userinfo_endpoint": o.issuer() + "/v1/userinfo", "id_token_signing_alg_values_supported": []string{"RS256"},
		})
		return
	case base + "/v1/keys":
		writeJSON(w, 200, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &o.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
		return
	case base + "/v1/interact":
		o.mu.Lock()
		o.nonce, o.state = req.Form.Get("nonce"), req.Form.Get("state")
		o.mu.Unlock()
		writeJSON(w, 200, map[string]any{"interaction_handle": "ourInteractionHandle"})
		return
	case base + "/v1/token":
		if (!anyToken && req.Form.Get("interaction_code") != o.code) || req.Form.Get("code_verifier") == "" {
			writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "bad code"})
			return
		}
		writeJSON(w, 200, map[string]any{
			"token_type": "Bearer", "expires_in": 3600, "access_token": "ourAccessToken",
			"scope": "openid profile email", "id_token": o.idToken(),
		})
		return
	}
	o.mu.Lock()
	q := o.replies[r.URL.Path]
	var rep scriptReply
	switch {
	case len(q) == 0:
		o.mu.Unlock()
		o.t.Errorf("unscripted request %s %s", r.Method, r.URL.Path)
		http.Error(w, "unscripted", http.StatusNotFound)
		return
	case len(q) == 1:
		rep = q[0]
	default:
		rep, o.replies[r.URL.Path] = q[0], q[1:]
	}
	o.mu.Unlock()
	body := rep.body
	if strings.HasSuffix(body, ".json") {
		raw, err := os.ReadFile(filepath.Join("..", "internal", "ion", "testdata", body))
		if err != nil {
			o.t.Errorf("fixture: %v", err)
			http.Error(w, "fixture", http.StatusInternalServerError)
			return
		}
		body = string(raw)
	}
	body = strings.ReplaceAll(body, fixtureOrigin, o.srv.URL)
	w.Header().Set("Content-Type", "application/ion+json; okta-version=1.0.0")
	w.WriteHeader(rep.status)
	_, _ = io.WriteString(w, body)
}

func (o *scriptOrg) idToken() string {
	o.mu.Lock()
	nonce := o.nonce
	o.mu.Unlock()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: o.key, KeyID: "k1"}}, nil)
	if err != nil {
		o.t.Fatal(err)
	}
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{
		"iss": o.issuer(), "sub": "00uScripted", "aud": scriptClientID, "nonce": nonce,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "auth_time": now.Unix(),
	})
	jws, err := signer.Sign(claims)
	if err != nil {
		o.t.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		o.t.Fatal(err)
	}
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// successDoc is an IDX answer with the success form, on the harness's
// token endpoint.
func successDoc(o *scriptOrg) string {
	return `{"version":"1.0.0","stateHandle":"02done.stateHandle","expiresAt":"2031-05-06T07:15:00.000Z",
"successWithInteractionCode":{"rel":["create-form"],"name":"issue","href":"` + o.issuer() + `/v1/token","method":"POST",
"value":[{"name":"grant_type","required":true,"value":"interaction_code"},{"name":"interaction_code","required":true,"value":"` + o.code + `"},
{"name":"client_id","required":true,"value":"` + scriptClientID + `"},{"name":"code_verifier","required":true}],"accepts":"application/x-www-form-urlencoded"}}`
}

// terminalDoc is an IDX answer with only a message.
func terminalDoc(class, key string) string {
	return `{"version":"1.0.0","stateHandle":"02term.stateHandle","expiresAt":"2031-05-06T07:15:00.000Z",
"messages":{"type":"array","value":[{"message":"text of ` + key + `","i18n":{"key":"` + key + `"},"class":"` + class + `"}]}}`
}
