package idxtest_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// controlCall sends a control API request.
func controlCall(t *testing.T, srv *idxtest.Server, method, path, body string, edit func(*http.Request)) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if edit != nil {
		edit(req)
	}
	return do(t, srv.Client(), req)
}

// TestControlAPIOff checks that a Server made without WithControlAPI has
// no control endpoints.
func TestControlAPIOff(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	if r := controlCall(t, srv, "POST", "/idxtest/users/unlock", `{"username":"demo@example.com"}`, nil); r.status != http.StatusNotFound {
		t.Errorf("control API without WithControlAPI: %v, want 404", r)
	}
}

// TestControlAPI drives each control endpoint and checks its effect on
// the Server, and that requests from a page or another host are refused.
func TestControlAPI(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	const secret = "JBSWY3DPEHPK3PXP"
	srv := newOrg(t, idxtest.WithControlAPI(), idxtest.WithClock(clk.Now),
		idxtest.WithUser(idxtest.User{Username: "locked@example.com", Password: "Locked-Passw0rd!", Locked: true}),
		idxtest.WithUser(idxtest.User{Username: "staged@example.com", Staged: true}),
		idxtest.WithUser(idxtest.User{Username: "totp@example.com", Password: "Totp-Passw0rd!", TOTPSecret: secret}))

	t.Run("last code", func(t *testing.T) {
		f := newFlow(t, srv)
		f.toChallenge()
		r := controlCall(t, srv, "GET", "/idxtest/codes/last?to="+strings.ToUpper(f.user), "", nil)
		if r.status != http.StatusOK || str(t, r.doc, "code") != f.code() {
			t.Errorf("codes/last: %v, want the code %s", r, f.code())
		}
		if r := controlCall(t, srv, "GET", "/idxtest/codes/last?to=nobody@example.com", "", nil); r.status != http.StatusNotFound {
			t.Errorf("codes/last for nobody: %v", r)
		}
		if r := controlCall(t, srv, "GET", "/idxtest/codes/last", "", nil); r.status != http.StatusBadRequest {
			t.Errorf("codes/last without to: %v", r)
		}
	})

	t.Run("unlock", func(t *testing.T) {
		if r := controlCall(t, srv, "POST", "/idxtest/users/unlock", `{"username":"locked@example.com"}`, nil); r.status != http.StatusOK {
			t.Fatalf("unlock: %v", r)
		}
		if locked, _ := srv.UserLocked("locked@example.com"); locked {
			t.Error("the user is still locked")
		}
		if r := controlCall(t, srv, "POST", "/idxtest/users/unlock", `{"username":"nobody@example.com"}`, nil); r.status != http.StatusNotFound {
			t.Errorf("unlock nobody: %v", r)
		}
	})

	t.Run("tokens", func(t *testing.T) {
		for _, tc := range []struct {
			path, user string
			status     int
		}{
			{"/idxtest/tokens/recovery", idxtest.DemoUsername, 200},
			{"/idxtest/tokens/recovery", "nobody@example.com", 404},
			{"/idxtest/tokens/activation", "staged@example.com", 200},
			{"/idxtest/tokens/activation", idxtest.DemoUsername, 404}, // already active
		} {
			r := controlCall(t, srv, "POST", tc.path, `{"username":"`+tc.user+`"}`, nil)
			if r.status != tc.status || (tc.status == 200 && len(str(t, r.doc, "token")) < 20) {
				t.Errorf("%s for %s: %v, want %d", tc.path, tc.user, r, tc.status)
			}
		}
	})

	t.Run("totp", func(t *testing.T) {
		r := controlCall(t, srv, "POST", "/idxtest/totp", `{"username":"totp@example.com","authenticator":"google_otp"}`, nil)
		if r.status != http.StatusOK || str(t, r.doc, "code") != idxtest.TOTP(secret, clk.Now()) {
			t.Errorf("totp: %v, want %s", r, idxtest.TOTP(secret, clk.Now()))
		}
		if r := controlCall(t, srv, "POST", "/idxtest/totp", `{"username":"totp@example.com","authenticator":"sms"}`, nil); r.status != http.StatusBadRequest {
			t.Errorf("totp of sms: %v", r)
		}
	})

	t.Run("push approved", func(t *testing.T) {
		f := newFlowUser(t, srv, withOktaVerify)
		pushStarted(t, f)
		if r := controlCall(t, srv, "POST", "/idxtest/push/approve", `{"username":"`+f.user+`"}`, nil); r.status != http.StatusOK {
			t.Fatalf("approve: %v", r)
		}
		f.mustOK("poll after approval", f.submit("challenge-poll", nil))
	})

	t.Run("push rejected", func(t *testing.T) {
		f := newFlowUser(t, srv, withOktaVerify)
		pushStarted(t, f)
		if r := controlCall(t, srv, "POST", "/idxtest/push/reject", `{"username":"`+f.user+`"}`, nil); r.status != http.StatusOK {
			t.Fatalf("reject: %v", r)
		}
		r := f.submit("challenge-poll", nil)
		if diff := cmp.Diff([]string{"api.authn.poll.error.push_rejected"}, messageKeys(t, r.doc)); diff != "" {
			t.Errorf("poll after rejection: messages (-want +got):\n%s", diff)
		}
	})

	t.Run("push without one waiting", func(t *testing.T) {
		r := controlCall(t, srv, "POST", "/idxtest/push/approve", `{"username":"demo@example.com"}`, nil)
		if r.status != http.StatusNotFound || !strings.Contains(str(t, r.doc, "error"), "no Okta Verify push waiting") {
			t.Errorf("approve: %v", r)
		}
		if r := controlCall(t, srv, "POST", "/idxtest/push/answer", `{"username":"demo@example.com"}`, nil); r.status != http.StatusBadRequest {
			t.Errorf("answer without number: %v", r)
		}
	})

	t.Run("faults", func(t *testing.T) {
		keys := func() int { return get(t, srv.Client(), srv.Issuer()+"/v1/keys", nil).status }
		r := controlCall(t, srv, "POST", "/idxtest/faults", `{"kind":"ServerError","path":"/oauth2/default/v1/keys","times":1,"status":503}`, nil)
		if r.status != http.StatusOK {
			t.Fatalf("inject: %v", r)
		}
		if diff := cmp.Diff([]int{503, 200}, []int{keys(), keys()}); diff != "" {
			t.Errorf("keys after one injected fault (-want +got):\n%s", diff)
		}
		controlCall(t, srv, "POST", "/idxtest/faults", `{"kind":"delay","path":"/oauth2/default/v1/keys","delay":"1ms"}`, nil)
		controlCall(t, srv, "POST", "/idxtest/faults", `{"kind":"ServerError","path":"/oauth2/default/v1/keys"}`, nil)
		if n := srv.PendingFaults(); n != 2 {
			t.Errorf("%d faults pending, want 2", n)
		}
		if r := controlCall(t, srv, "DELETE", "/idxtest/faults", "", nil); r.status != http.StatusOK || srv.PendingFaults() != 0 {
			t.Errorf("clear: %v, %d pending", r, srv.PendingFaults())
		}
		for _, body := range []string{`{"kind":"Nope","path":"/x"}`, `{"kind":"Delay","path":"/x","delay":"soon"}`, `{"kind":"Delay","path":"/x"}`} {
			if r := controlCall(t, srv, "POST", "/idxtest/faults", body, nil); r.status != http.StatusBadRequest {
				t.Errorf("fault %s: %v, want 400", body, r)
			}
		}
	})

	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			body   string
			edit   func(*http.Request)
			status int
		}{
			{"a page of another origin", `{"username":"demo@example.com"}`, func(r *http.Request) { r.Header.Set("Origin", "http://localhost:3000") }, 403},
			{"a host name that is not localhost", `{"username":"demo@example.com"}`, func(r *http.Request) { r.Host = "rebound.example:80" }, 403},
			{"a form", `username=demo@example.com`, func(r *http.Request) { r.Header.Set("Content-Type", "application/x-www-form-urlencoded") }, 415},
			{"an unknown field", `{"username":"demo@example.com","admin":true}`, nil, 400},
			{"no username", `{}`, nil, 400},
			{"two values", `{"username":"a@example.com"}{}`, nil, 400},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := controlCall(t, srv, "POST", "/idxtest/users/unlock", tc.body, tc.edit)
				if r.status != tc.status || str(t, r.doc, "error") == "" {
					t.Errorf("%v, want %d with an error message", r, tc.status)
				}
			})
		}
		r := controlCall(t, srv, "POST", "/idxtest/users/unlock", `{"username":"demo@example.com"}`,
			func(r *http.Request) { r.Header.Set("Origin", srv.URL); r.Host = "localhost" })
		if r.status != http.StatusOK {
			t.Errorf("same origin, Host localhost: %v", r)
		}
	})
}
