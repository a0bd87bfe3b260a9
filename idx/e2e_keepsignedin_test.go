package idx_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// kmsiOrg is an org that asks "keep me signed in?" once the user is
// authenticated, after factors authenticators.
func kmsiOrg(t *testing.T, name string, factors int) *e2eRun {
	t.Helper()
	p := idxtest.Policy{Factors: factors, KeepMeSignedIn: true}
	return newE2E(t, e2eUser(name, nil), idxtest.WithPolicy(p), idxtest.WithRequestRecording())
}

// recordedBody is the body of the last request to path, decoded.
func recordedBody(t *testing.T, srv *idxtest.Server, path string) map[string]any {
	t.Helper()
	var body []byte
	for _, r := range srv.Requests() {
		if r.Path == path {
			body = r.Body
		}
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// TestE2EKeepMeSignedIn is the "keep me signed in" row: identify's
// rememberMe is sent when asked for, and the org's question after
// authentication (keep-me-signed-in) is answered yes or no by
// Options.KeepMeSignedIn, given when asked or up front.
func TestE2EKeepMeSignedIn(t *testing.T) {
	t.Parallel()
	yes, no := true, false

	t.Run("remember me at identify", func(t *testing.T) {
		t.Parallel()
		r := kmsiOrg(t, "kmsi-remember", 1)
		r.do(r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password, RememberMe: &yes}))
		r.wantSteps("SUCCESS")
		r.wantSuccess("pwd")
		if got := recordedBody(t, r.srv, "/idp/idx/identify")["rememberMe"]; got != true {
			t.Errorf("identify sent rememberMe %v, want true", got)
		}
	})

	// An org whose identify checks rememberMe by default: what the app
	// says goes, and the form's value only when it says nothing.
	for _, tc := range []struct {
		name     string
		remember *bool
		sent     bool
		steps    []string
	}{
		{"remember me checked by the org, declined", &no, false, []string{"keep-me-signed-in", "SUCCESS"}},
		{"remember me checked by the org, left to the form", nil, true, []string{"SUCCESS"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := idxtest.Policy{Factors: 1, KeepMeSignedIn: true, RememberMeChecked: true}
			r := newE2E(t, e2eUser("kmsi-checked-"+map[bool]string{true: "yes", false: "no"}[tc.sent], nil),
				idxtest.WithPolicy(p), idxtest.WithRequestRecording())
			r.do(r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password, RememberMe: tc.remember}))
			if got := recordedBody(t, r.srv, "/idp/idx/identify")["rememberMe"]; got != tc.sent {
				t.Errorf("identify sent rememberMe %v, want %v", got, tc.sent)
			}
			if tc.remember != nil {
				// Not kept: the org asks its own question, answered no.
				if ns := r.tx.NextStep; ns == nil || ns.Name != "keep-me-signed-in" {
					t.Fatalf("NextStep %+v, want keep-me-signed-in", ns)
				}
				r.proceed(idx.Options{KeepMeSignedIn: &no})
			}
			r.wantSteps(tc.steps...)
			r.wantSuccess("pwd")
		})
	}

	for _, tc := range []struct {
		name string
		keep bool
	}{{"asked after authentication, kept", true}, {"asked after authentication, declined", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := kmsiOrg(t, "kmsi-asked-"+map[bool]string{true: "yes", false: "no"}[tc.keep], 2)
			r.signIn()
			r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
			r.proceed(idx.Options{VerificationCode: lastCode(t, r.srv, r.user.Username)})
			ns := r.tx.NextStep
			want := []authenticator.Input{{Name: "keepMeSignedIn", Label: "Stay signed in", Type: "boolean", Required: true}}
			if diff := cmp.Diff(want, ns.Inputs); diff != "" {
				t.Errorf("inputs (-want +got):\n%s", diff)
			}
			if ns.CanSkip {
				t.Error("keep-me-signed-in can be skipped")
			}
			r.proceed(idx.Options{KeepMeSignedIn: &tc.keep})
			r.wantSteps("select-authenticator-authenticate [okta_email]", "challenge-authenticator/okta_email", "keep-me-signed-in", "SUCCESS")
			r.wantSuccess("pwd", "email")
			if got := recordedBody(t, r.srv, "/idp/idx/keep-me-signed-in")["keepMeSignedIn"]; got != tc.keep {
				t.Errorf("keep-me-signed-in sent %v, want %v", got, tc.keep)
			}
		})
	}

	t.Run("answered up front", func(t *testing.T) {
		t.Parallel()
		r := kmsiOrg(t, "kmsi-upfront", 1)
		r.do(r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password, KeepMeSignedIn: &no}))
		r.wantSteps("SUCCESS")
		if got := recordedBody(t, r.srv, "/idp/idx/keep-me-signed-in")["keepMeSignedIn"]; got != false {
			t.Errorf("keep-me-signed-in sent %v, want false", got)
		}
	})

	t.Run("not asked, nothing sent", func(t *testing.T) {
		t.Parallel()
		r := newE2E(t, e2eUser("kmsi-off", nil), idxtest.WithPolicy(idxtest.Policy{Factors: 1}))
		r.do(r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password, KeepMeSignedIn: &yes}))
		r.wantSteps("SUCCESS")
		if n := r.srv.RequestCounts()["POST /idp/idx/keep-me-signed-in"]; n != 0 {
			t.Errorf("keep-me-signed-in posted %d times on an org that does not ask, want 0", n)
		}
	})
}
