package idx_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// device is the device of a device authorization grant: it asks the org
// for a user code and polls the token endpoint.
type device struct {
	t    *testing.T
	srv  *idxtest.Server
	auth idxtest.DeviceAuthorization
}

func newDevice(t *testing.T, srv *idxtest.Server) *device {
	t.Helper()
	d := &device{t: t, srv: srv}
	d.post("/v1/device/authorize", url.Values{"client_id": {idxtest.PublicClientID}, "scope": {"openid profile email"}}, http.StatusOK, &d.auth)
	if d.auth.UserCode == "" || d.auth.DeviceCode == "" || d.auth.VerificationURI != srv.URL+"/activate" {
		t.Fatalf("device authorization %+v", d.auth)
	}
	return d
}

// poll asks the token endpoint once and returns the OAuth error code, or
// "" and the tokens' members.
func (d *device) poll() (code string, tokens map[string]any) {
	d.t.Helper()
	var body map[string]any
	status := d.post("/v1/token", url.Values{
		"client_id": {idxtest.PublicClientID}, "grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {d.auth.DeviceCode},
	}, 0, &body)
	if status == http.StatusOK {
		return "", body
	}
	s, _ := body["error"].(string)
	return s, nil
}

func (d *device) post(path string, form url.Values, want int, v any) int {
	d.t.Helper()
	resp, err := d.srv.Client().PostForm(d.srv.Issuer()+path, form)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if want != 0 && resp.StatusCode != want {
		d.t.Fatalf("POST %s: HTTP %d: %s", path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		d.t.Fatalf("POST %s: %v", path, err)
	}
	return resp.StatusCode
}

var stateTokenAttr = regexp.MustCompile(`data-state-token="([^"]+)"`)

// activationPage opens the org's activation page (with the code filled
// in when userCode is set) and returns the stateHandle it holds.
func activationPage(t *testing.T, srv *idxtest.Server, userCode string) string {
	t.Helper()
	u := srv.URL + "/activate"
	if userCode != "" {
		u += "?user_code=" + url.QueryEscape(userCode)
	}
	resp, err := srv.Client().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := stateTokenAttr.FindSubmatch(b)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET /activate: HTTP %d without a stateToken: %s", resp.StatusCode, b)
	}
	return string(m[1])
}

func TestE2EDeviceActivation(t *testing.T) {
	t.Parallel()

	t.Run("activated", func(t *testing.T) {
		t.Parallel()
		r := newE2E(t, e2eUser("device-activated", nil), idxtest.WithPolicy(idxtest.Policy{Factors: 1}))
		d := newDevice(t, r.srv)
		if code, _ := d.poll(); code != "authorization_pending" {
			t.Fatalf("poll before activation: %q, want authorization_pending", code)
		}
		r.do(r.c.Start(t.Context(), idx.StartOptions{StateHandle: activationPage(t, r.srv, "")}))
		if diff := cmp.Diff([]authenticator.Input{{Name: "userCode", Label: "Activation Code", Type: "string"}}, r.tx.NextStep.Inputs); diff != "" {
			t.Errorf("inputs (-want +got):\n%s", diff)
		}
		r.proceed(idx.Options{UserCode: "BCDF-GHJK"})
		r.wantRejected("user-code", idx.ErrInvalidUserCode, "idx.invalid.device.code")
		// As typed: lower case, with a hyphen.
		typed := strings.ToLower(d.auth.UserCode[:4] + "-" + d.auth.UserCode[4:])
		r.proceed(idx.Options{UserCode: typed, Username: r.user.Username, Password: r.user.Password})
		r.wantSteps("user-code", "user-code", "TERMINAL DEVICE_ACTIVATED")
		if r.tx.Tokens != nil || r.tx.Err() != nil {
			t.Errorf("activation ended with tokens %v, Err() %v; want neither", r.tx.Tokens, r.tx.Err())
		}
		code, tokens := d.poll()
		if code != "" || tokens["access_token"] == nil || tokens["id_token"] == nil {
			t.Fatalf("poll after activation: %q %v, want tokens", code, tokens)
		}
		if code, _ := d.poll(); code != "invalid_grant" {
			t.Errorf("second poll after the tokens: %q, want invalid_grant", code)
		}
		// The code is used up.
		r.steps = nil
		r.do(r.c.Start(t.Context(), idx.StartOptions{StateHandle: r.srv.StartDeviceActivation("")}))
		r.proceed(idx.Options{UserCode: d.auth.UserCode})
		r.wantRejected("user-code", idx.ErrInvalidUserCode, "idx.invalid.device.code")
	})

	t.Run("code filled in, consent denied", func(t *testing.T) {
		t.Parallel()
		r := newE2E(t, e2eUser("device-denied", nil), idxtest.WithPolicy(idxtest.Policy{Factors: 1, Consent: idxtest.ConsentEndUser}))
		d := newDevice(t, r.srv)
		r.do(r.c.Start(t.Context(), idx.StartOptions{StateHandle: activationPage(t, r.srv, d.auth.UserCode)}))
		// The page filled the code in: the step is taken by name.
		r.proceed(idx.Options{Step: "user-code"})
		r.identifyUser()
		if r.tx.NextStep.Consent == nil {
			t.Fatalf("no consent on %s", r.tx.NextStep.Name)
		}
		r.proceed(idx.Options{Consent: idx.ConsentDeny})
		r.wantSteps("user-code", "identify", "consent", "TERMINAL")
		err := r.tx.Err()
		if !errors.Is(err, idx.ErrConsentDenied) || !errors.Is(err, idx.ErrDeviceNotActivated) {
			t.Errorf("Err() = %v, want ErrConsentDenied and ErrDeviceNotActivated", err)
		}
		if code, _ := d.poll(); code != "access_denied" {
			t.Errorf("poll after the refusal: %q, want access_denied", code)
		}
	})

	t.Run("a stateHandle is taken alone", func(t *testing.T) {
		t.Parallel()
		// Only Start takes a StateHandle (StartOptions), and alone: what
		// else StartOptions carries goes to interact, which a transaction
		// the org started never sees.
		r := newE2E(t, e2eUser("device-misuse", nil))
		h := r.srv.StartDeviceActivation("")
		for name, opts := range map[string]idx.StartOptions{
			"with a recovery token": {StateHandle: h, RecoveryToken: "tok"},
			"with a hint":           {StateHandle: h, LoginHint: r.user.Username},
		} {
			if _, err := r.c.Start(t.Context(), opts); !errors.Is(err, idx.ErrInvalidInput) {
				t.Errorf("Start %s: %v, want ErrInvalidInput", name, err)
			}
		}
	})
}

// identifyUser answers identify with the run's user's username and password.
func (r *e2eRun) identifyUser() *idx.Transaction {
	r.t.Helper()
	return r.proceed(idx.Options{Username: r.user.Username, Password: r.user.Password})
}
