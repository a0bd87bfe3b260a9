package idxtest_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goidx/goidx/idx/idxtest"
)

// These helpers drive the raw wire with net/http, as any client would.

// sharedKey is one signing key for the package's servers: generating a
// 2048-bit RSA key per server would dominate the tests' run time.
var sharedKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// newOrg starts a server that signs with sharedKey and closes it when the
// test ends.
func newOrg(t testing.TB, opts ...idxtest.Option) *idxtest.Server {
	t.Helper()
	return idxtest.New(t, append([]idxtest.Option{idxtest.WithSigningKey(sharedKey())}, opts...)...)
}

const ionType = "application/ion+json; okta-version=1.0.0"

// doc is a decoded JSON document.
type doc = map[string]any

// reply is a decoded HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
	doc    doc
}

func (r reply) String() string { return fmt.Sprintf("HTTP %d %s", r.status, r.body) }

func do(t *testing.T, c *http.Client, req *http.Request) reply {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", req.URL, err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, body: body}
	if len(body) > 0 && (body[0] == '{') {
		if err := json.Unmarshal(body, &r.doc); err != nil {
			t.Fatalf("%s %s: body is not JSON: %v\n%s", req.Method, req.URL, err, body)
		}
	}
	return r
}

// postIon posts v as an IDX request to href.
func postIon(t *testing.T, c *http.Client, href string, v any) reply {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, href, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ionType)
	req.Header.Set("Accept", ionType)
	r := do(t, c, req)
	if ct := r.header.Get("Content-Type"); ct != ionType {
		t.Errorf("POST %s: Content-Type %q, want %q", href, ct, ionType)
	}
	return r
}

// postForm posts a form; basic, when non-nil, is client_secret_basic.
func postForm(t *testing.T, c *http.Client, href string, form url.Values, basic *[2]string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, href, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if basic != nil {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	return do(t, c, req)
}

func get(t *testing.T, c *http.Client, href string, header map[string]string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, href, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(t, c, req)
}

// pkce returns a fresh verifier and its S256 challenge.
func pkce() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// path walks a decoded document: string keys index objects, ints index
// arrays, and "name=x" picks the array element whose name is x. It fails
// the test if the path does not exist.
func path(t *testing.T, v any, steps ...any) any {
	t.Helper()
	cur := v
	for i, s := range steps {
		switch k := s.(type) {
		case string:
			if name, ok := strings.CutPrefix(k, "name="); ok {
				arr, _ := cur.([]any)
				var found any
				for _, e := range arr {
					if m, _ := e.(map[string]any); m != nil && m["name"] == name {
						found = m
						break
					}
				}
				if found == nil {
					t.Fatalf("path %v: no element named %q at step %d in %v", steps, name, i, cur)
				}
				cur = found
				continue
			}
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("path %v: step %d: not an object: %v", steps, i, cur)
			}
			next, ok := m[k]
			if !ok {
				t.Fatalf("path %v: step %d: no key %q in %v", steps, i, k, keys(m))
			}
			cur = next
		case int:
			arr, ok := cur.([]any)
			if !ok || k >= len(arr) {
				t.Fatalf("path %v: step %d: no index %d in %v", steps, i, k, cur)
			}
			cur = arr[k]
		}
	}
	return cur
}

func str(t *testing.T, v any, steps ...any) string {
	t.Helper()
	s, ok := path(t, v, steps...).(string)
	if !ok {
		t.Fatalf("path %v is not a string", steps)
	}
	return s
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// remediationNames lists the names of the remediation forms of d.
func remediationNames(t *testing.T, d doc) []string {
	t.Helper()
	var names []string
	rem, ok := d["remediation"].(map[string]any)
	if !ok {
		return nil
	}
	for _, f := range rem["value"].([]any) {
		names = append(names, f.(map[string]any)["name"].(string))
	}
	return names
}

// form returns the remediation form named name.
func form(t *testing.T, d doc, name string) doc {
	t.Helper()
	return path(t, d, "remediation", "value", "name="+name).(map[string]any)
}

// messageKeys lists the i18n keys of a messages list (top level or field).
func messageKeys(t *testing.T, holder any) []string {
	t.Helper()
	m, ok := holder.(map[string]any)
	if !ok {
		return nil
	}
	msgs, ok := m["messages"].(map[string]any)
	if !ok {
		return nil
	}
	var out []string
	for _, e := range msgs["value"].([]any) {
		msg := e.(map[string]any)
		if msg["class"] != "ERROR" && msg["class"] != "INFO" {
			t.Errorf("message class %v", msg["class"])
		}
		i18n, _ := msg["i18n"].(map[string]any)
		key, _ := i18n["key"].(string)
		out = append(out, key)
	}
	return out
}

// flow is one sign-in driven step by step over the wire.
type flow struct {
	t           *testing.T
	srv         *idxtest.Server
	c           *http.Client
	clientID    string
	secret      string // for confidential clients
	verifier    string
	challenge   string
	state       string
	nonce       string
	scope       string
	user        string // who signs in; each flow has its own user
	password    string
	handle      string // interaction handle
	stateHandle string
	last        reply
}

// newFlow prepares a sign-in by a new user of its own, so that flows
// running in parallel on one server do not read each other's codes.
func newFlow(t *testing.T, srv *idxtest.Server) *flow {
	t.Helper()
	return newFlowUser(t, srv, nil)
}

// newFlowUser is newFlow with a user that edit may change (enroll a
// phone, expire the password...) before it is added.
func newFlowUser(t *testing.T, srv *idxtest.Server, edit func(*idxtest.User)) *flow {
	t.Helper()
	v, c := pkce()
	f := &flow{
		t: t, srv: srv, c: srv.Client(),
		clientID: idxtest.PublicClientID,
		verifier: v, challenge: c,
		state: "st-" + v[:12], nonce: "n-" + v[12:24],
		scope:    "openid profile email offline_access",
		user:     "user-" + strings.ToLower(v[24:36]) + "@example.com",
		password: "pw-" + v[:20],
	}
	u := idxtest.User{Username: f.user, Password: f.password, GivenName: "Flow", FamilyName: "Tester"}
	if edit != nil {
		edit(&u)
	}
	if err := srv.AddUser(u); err != nil {
		t.Fatalf("AddUser: %v", err)
	}
	return f
}

// asDemo makes the flow sign in as the demo user.
func (f *flow) asDemo() *flow {
	f.user, f.password = idxtest.DemoUsername, idxtest.DemoPassword
	return f
}

// interact calls /v1/interact and keeps the handle.
func (f *flow) interact() reply {
	f.t.Helper()
	form := url.Values{
		"client_id":             {f.clientID},
		"scope":                 {f.scope},
		"redirect_uri":          {idxtest.DefaultRedirectURI},
		"code_challenge":        {f.challenge},
		"code_challenge_method": {"S256"},
		"state":                 {f.state},
		"nonce":                 {f.nonce},
	}
	var basic *[2]string
	if f.secret != "" {
		basic = &[2]string{f.clientID, f.secret}
	}
	r := postForm(f.t, f.c, f.srv.Issuer()+"/v1/interact", form, basic)
	if r.status != http.StatusOK {
		f.t.Fatalf("interact: %v", r)
	}
	f.handle = str(f.t, r.doc, "interaction_handle")
	return r
}

// introspect starts the transaction from the interaction handle.
func (f *flow) introspect() reply {
	f.t.Helper()
	r := postIon(f.t, f.c, f.srv.URL+"/idp/idx/introspect", map[string]string{"interactionHandle": f.handle})
	if r.status != http.StatusOK {
		f.t.Fatalf("introspect: %v", r)
	}
	f.stateHandle = str(f.t, r.doc, "stateHandle")
	f.last = r
	return r
}

// submit posts values to the href of the named remediation form of the
// last answer, adding the stateHandle.
func (f *flow) submit(name string, values map[string]any) reply {
	f.t.Helper()
	href := str(f.t, form(f.t, f.last.doc, name), "href")
	body := map[string]any{"stateHandle": f.stateHandle}
	for k, v := range values {
		body[k] = v
	}
	r := postIon(f.t, f.c, href, body)
	f.last = r
	return r
}

func (f *flow) identify(user, password string) reply {
	f.t.Helper()
	return f.submit("identify", map[string]any{
		"identifier":  user,
		"credentials": map[string]any{"passcode": password},
		"rememberMe":  false,
	})
}

// selectEmail submits select-authenticator-authenticate with the email
// option's immutable values.
func (f *flow) selectEmail() reply {
	f.t.Helper()
	opt := path(f.t, form(f.t, f.last.doc, "select-authenticator-authenticate"), "value", "name=authenticator", "options", 0)
	id := str(f.t, opt, "value", "form", "value", "name=id", "value")
	return f.submit("select-authenticator-authenticate", map[string]any{
		"authenticator": map[string]any{"id": id, "methodType": "email"},
	})
}

func (f *flow) verificationData() reply {
	f.t.Helper()
	id := str(f.t, form(f.t, f.last.doc, "authenticator-verification-data"), "value", "name=authenticator", "form", "value", "name=id", "value")
	return f.submit("authenticator-verification-data", map[string]any{
		"authenticator": map[string]any{"id": id, "methodType": "email"},
	})
}

func (f *flow) answer(code string) reply {
	f.t.Helper()
	return f.submit("challenge-authenticator", map[string]any{"credentials": map[string]any{"passcode": code}})
}

// toChallenge runs interact through the email being sent.
func (f *flow) toChallenge() {
	f.t.Helper()
	f.interact()
	f.introspect()
	if r := f.identify(f.user, f.password); r.status != http.StatusOK {
		f.t.Fatalf("identify: %v", r)
	}
	if r := f.selectEmail(); r.status != http.StatusOK {
		f.t.Fatalf("select: %v", r)
	}
	if r := f.verificationData(); r.status != http.StatusOK {
		f.t.Fatalf("verification data: %v", r)
	}
}

// code returns the newest code sent to the flow's user.
func (f *flow) code() string {
	f.t.Helper()
	code, ok := f.srv.LastCode(f.user)
	if !ok {
		f.t.Fatal("no email sent")
	}
	return code
}

// redeem posts the success form's values plus the verifier to /v1/token.
func (f *flow) redeem(verifier string) reply {
	f.t.Helper()
	success := path(f.t, f.last.doc, "successWithInteractionCode").(map[string]any)
	form := url.Values{}
	for _, fv := range path(f.t, success, "value").([]any) {
		field := fv.(map[string]any)
		if v, ok := field["value"].(string); ok {
			form.Set(field["name"].(string), v)
		}
	}
	form.Set("code_verifier", verifier)
	var basic *[2]string
	if f.secret != "" {
		basic = &[2]string{f.clientID, f.secret}
	}
	return postForm(f.t, f.c, str(f.t, success, "href"), form, basic)
}

// success runs the whole flow up to the successWithInteractionCode answer.
func (f *flow) success() reply {
	f.t.Helper()
	f.toChallenge()
	r := f.answer(f.code())
	if r.status != http.StatusOK {
		f.t.Fatalf("answer: %v", r)
	}
	return r
}

// jwtClaimsMap decodes, without verifying, the claims of a compact JWT.
func jwtClaimsMap(token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%d segments, want 3", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(payload, &m)
}

// signIn runs interact, introspect and identify, failing the test unless
// identify succeeds.
func (f *flow) signIn() reply {
	f.t.Helper()
	f.interact()
	f.introspect()
	r := f.identify(f.user, f.password)
	if r.status != http.StatusOK {
		f.t.Fatalf("identify: %v", r)
	}
	return r
}

// authenticatorID returns the ID of the authenticator with key in the last
// answer's authenticators list.
func (f *flow) authenticatorID(key string) string {
	f.t.Helper()
	list, _ := path(f.t, f.last.doc, "authenticators", "value").([]any)
	for _, a := range list {
		if m, _ := a.(map[string]any); m != nil && m["key"] == key {
			return m["id"].(string)
		}
	}
	f.t.Fatalf("no authenticator %q in %v", key, list)
	return ""
}

// choose submits the named form (select-authenticator-authenticate,
// authenticator-verification-data, select-authenticator-enroll...) with
// the authenticator of key plus values (methodType, phoneNumber...).
func (f *flow) choose(form, key string, values map[string]any) reply {
	f.t.Helper()
	a := map[string]any{"id": f.authenticatorID(key)}
	for k, v := range values {
		a[k] = v
	}
	return f.submit(form, map[string]any{"authenticator": a})
}

// mustOK fails the test unless r is a 200 offering exactly the remediation
// forms want (none for success).
func (f *flow) mustOK(what string, r reply, want ...string) {
	f.t.Helper()
	if r.status != http.StatusOK {
		f.t.Fatalf("%s: %v", what, r)
	}
	if diff := cmp.Diff(want, remediationNames(f.t, r.doc), cmpopts.EquateEmpty()); diff != "" {
		f.t.Fatalf("%s: remediations (-want +got):\n%s", what, diff)
	}
}

// amr redeems the success answer and returns the ID token's amr claim.
func (f *flow) amr() []string {
	f.t.Helper()
	tok := f.redeem(f.verifier)
	if tok.status != http.StatusOK {
		f.t.Fatalf("token: %v", tok)
	}
	claims, err := jwtClaimsMap(str(f.t, tok.doc, "id_token"))
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, v := range claims["amr"].([]any) {
		out = append(out, v.(string))
	}
	return out
}

// lastMessage returns the newest outbox message to to.
func lastMessage(t *testing.T, srv *idxtest.Server, to string) idxtest.Email {
	t.Helper()
	out := srv.Outbox()
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].To == to {
			return out[i]
		}
	}
	t.Fatalf("no message to %s", to)
	return idxtest.Email{}
}
