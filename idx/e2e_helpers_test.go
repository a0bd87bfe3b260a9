package idx_test

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// The end-to-end tests (TestE2E...) run every flow of docs/flows.md through
// the public API of package idx against a fake org (idxtest) over loopback
// HTTP. Each subtest has its own org or its own user, so they run in
// parallel. A run records the steps it went through (see e2eStep and e2eRun.do) and
// checks them, the final status, the tokens and the typed errors.

// e2eKey signs the tokens of every fake org of these tests: generating an
// RSA key per org would dominate the run time.
var e2eKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// e2eRun is one end-to-end run: a fake org, a client of it, one user, and
// the steps seen so far.
type e2eRun struct {
	t    *testing.T
	srv  *idxtest.Server
	c    *idx.Client
	user idxtest.User
	// steps are the transactions seen, as e2eStep names them.
	steps []string
	// tx is the latest transaction.
	tx *idx.Transaction
}

// e2eUser returns a user named after name, with a password and an email;
// edit sets the other fields (enrollments, account state).
func e2eUser(name string, edit func(*idxtest.User)) idxtest.User {
	slug := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r - 'A' + 'a'
		}
		return -1
	}, name)
	u := idxtest.User{
		ID:         "00ue2e" + slug,
		Username:   "e2e-" + slug + "@example.com",
		Password:   "E2e-Passw0rd!" + slug,
		GivenName:  "Erin",
		FamilyName: "Tester",
	}
	if edit != nil {
		edit(&u)
	}
	return u
}

// newE2E starts a fake org with opts and user, and a public client of it
// asking for openid, profile and email.
func newE2E(t *testing.T, user idxtest.User, opts ...idxtest.Option) *e2eRun {
	t.Helper()
	opts = append([]idxtest.Option{idxtest.WithSigningKey(e2eKey())}, opts...)
	if user.Username != "" {
		opts = append(opts, idxtest.WithUser(user))
	}
	srv := idxtest.New(t, opts...)
	c, err := idx.NewClient(idx.Config{
		Issuer:      srv.Issuer(),
		ClientID:    idxtest.PublicClientID,
		RedirectURI: idxtest.DefaultRedirectURI,
	}, idx.WithInsecureLoopbackHTTP())
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return &e2eRun{t: t, srv: srv, c: c, user: user}
}

// e2eStep names where tx stands: its status when not PENDING, else the
// next step's name, then the authenticator key after "/" when the step is
// about one, then the choices of a step that selects an authenticator in
// brackets.
func e2eStep(tx *idx.Transaction) string {
	if tx.Status != idx.StatusPending {
		if tx.Outcome != "" {
			return string(tx.Status) + " " + string(tx.Outcome)
		}
		return string(tx.Status)
	}
	ns := tx.NextStep
	if ns == nil {
		return "PENDING without a step"
	}
	s := ns.Name
	if ns.Authenticator != nil && ns.Authenticator.Key != "" {
		s += "/" + string(ns.Authenticator.Key)
	}
	if strings.HasPrefix(ns.Name, "select-authenticator") {
		var keys []string
		for _, o := range ns.Options {
			keys = append(keys, o.Value)
		}
		s += " [" + strings.Join(keys, " ") + "]"
	}
	return s
}

// do runs one call of the flow, fails the test on an error, and records
// where the transaction stands.
func (r *e2eRun) do(tx *idx.Transaction, err error) *idx.Transaction {
	r.t.Helper()
	if err != nil {
		r.t.Fatalf("call %d: %v (steps so far %q)", len(r.steps)+1, err, r.steps)
	}
	r.tx = tx
	r.steps = append(r.steps, e2eStep(tx))
	return tx
}

// state is the State of the latest transaction.
func (r *e2eRun) state() string { return r.tx.State }

// signIn starts a sign-in of the run's user with the password.
func (r *e2eRun) signIn() *idx.Transaction {
	r.t.Helper()
	return r.do(r.c.Authenticate(r.t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password}))
}

// proceed continues the transaction with opts (State filled in).
func (r *e2eRun) proceed(opts idx.Options) *idx.Transaction {
	r.t.Helper()
	opts.State = r.state()
	return r.do(r.c.Authenticate(r.t.Context(), opts))
}

// wantSteps compares the steps seen with want.
func (r *e2eRun) wantSteps(want ...string) {
	r.t.Helper()
	if diff := cmp.Diff(want, r.steps); diff != "" {
		r.t.Errorf("steps (-want +got):\n%s", diff)
	}
}

// wantSuccess checks that the latest transaction signed the run's user in:
// SUCCESS, a verified ID token whose subject is the user's ID and whose
// amr is amr (nil: not checked).
func (r *e2eRun) wantSuccess(amr ...string) {
	r.t.Helper()
	wantSignedIn(r.t, r.tx, r.user.ID, amr...)
}

// wantSignedIn checks that tx signed in the user with ID id (see
// e2eRun.wantSuccess).
func wantSignedIn(t *testing.T, tx *idx.Transaction, id string, amr ...string) {
	t.Helper()
	if tx.Status != idx.StatusSuccess {
		t.Fatalf("status %s, want SUCCESS (%v)", tx.Status, tx)
	}
	if tx.Tokens == nil || tx.Tokens.IDTokenClaims == nil || tx.Tokens.AccessToken == "" {
		t.Fatalf("no verified tokens: %+v", tx.Tokens)
	}
	if got := tx.Tokens.IDTokenClaims.Subject; got != id {
		t.Errorf("ID token subject %q, want %q", got, id)
	}
	if amr == nil {
		return
	}
	var got []string
	if list, ok := tx.Tokens.IDTokenClaims.Claims["amr"].([]any); ok {
		for _, a := range list {
			got = append(got, fmt.Sprint(a))
		}
	}
	if diff := cmp.Diff(amr, got); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// wantRejected checks that the latest transaction is PENDING on step with
// a *RejectionError matching kind (when not nil) and the message keys
// keys.
func (r *e2eRun) wantRejected(step string, kind error, keys ...string) {
	r.t.Helper()
	tx := r.tx
	if tx.Status != idx.StatusPending || tx.NextStep == nil || tx.NextStep.Name != step {
		r.t.Fatalf("after a wrong answer: %v, want PENDING on %s", tx, step)
	}
	var rej *idx.RejectionError
	if !errors.As(tx.Rejection, &rej) || (kind != nil && !errors.Is(tx.Err(), kind)) {
		r.t.Errorf("rejection %v, want one matching %v", tx.Rejection, kind)
	}
	if diff := cmp.Diff(keys, errorKeys(tx)); diff != "" {
		r.t.Errorf("error message keys (-want +got):\n%s", diff)
	}
}

// noRedirects is an HTTP client that hands back redirects instead of
// following them, as a browser's last hop to the app is observed here.
func noRedirects(srv *idxtest.Server) *http.Client {
	c := *srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// follow GETs target with client, following redirects within the org (at
// most five) and stopping at the first redirect that leaves it (to the
// app's redirect URI), whose Location it returns.
func follow(t *testing.T, srv *idxtest.Server, target string) string {
	t.Helper()
	c := noRedirects(srv)
	for range 5 {
		resp, err := c.Get(target)
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode < 300 || resp.StatusCode > 399 {
			t.Fatalf("GET answered %d, want a redirect", resp.StatusCode)
		}
		loc, err := resp.Location()
		if err != nil {
			t.Fatalf("redirect without Location: %v", err)
		}
		if !strings.HasPrefix(loc.String(), srv.URL+"/") {
			return loc.String()
		}
		target = loc.String()
	}
	t.Fatal("more than five redirects within the org")
	return ""
}

// followRedirect checks that s is a redirect to the provider want on the
// org, follows it, and returns the callback it ends at: the app's redirect
// URI with an interaction code and the state.
func followRedirect(t *testing.T, r *e2eRun, s *idx.NextStep, want *idx.IDP) string {
	t.Helper()
	if diff := cmp.Diff(want, s.IDP); diff != "" {
		t.Errorf("IDP (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(s.Href, r.srv.URL+"/") {
		t.Errorf("href %q is not on the org", s.Href)
	}
	back := follow(t, r.srv, s.Href)
	if !strings.HasPrefix(back, idxtest.DefaultRedirectURI+"?") {
		t.Fatalf("%s sent the browser to %q, want the redirect URI", want.Name, back)
	}
	if diff := cmp.Diff([]string{"interaction_code", "state"}, callbackParams(t, back)); diff != "" {
		t.Errorf("callback parameters (-want +got):\n%s", diff)
	}
	return back
}

// callbackParams are the names of the query parameters of a callback URL.
func callbackParams(t *testing.T, raw string) []string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("callback URL: %v", err)
	}
	var names []string
	for k := range u.Query() {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// wantErrorMessages checks that the latest transaction is PENDING on step
// with the ERROR messages keys, for an answer the server did not refuse
// but that did not get through (a rejected push).
func (r *e2eRun) wantErrorMessages(step string, keys ...string) {
	r.t.Helper()
	tx := r.tx
	if tx.Status != idx.StatusPending || tx.NextStep == nil || tx.NextStep.Name != step {
		r.t.Fatalf("got %v, want PENDING on %s", tx, step)
	}
	if diff := cmp.Diff(keys, errorKeys(tx)); diff != "" {
		r.t.Errorf("error message keys (-want +got):\n%s", diff)
	}
}

// wantCanResend checks that the next step offers a resend.
func (r *e2eRun) wantCanResend() {
	r.t.Helper()
	if !r.tx.NextStep.CanResend {
		r.t.Errorf("next step %s cannot resend", r.tx.NextStep.Name)
	}
}

// wrongThenRight answers the step waiting for code with a wrong code,
// checks that it is refused on step as ErrInvalidPasscode with the
// message key, then answers code.
func (r *e2eRun) wrongThenRight(step, key, code string) {
	r.t.Helper()
	r.proceed(idx.Options{VerificationCode: wrongCode(code)})
	r.wantRejected(step, idx.ErrInvalidPasscode, key)
	r.proceed(idx.Options{VerificationCode: code})
}

// wantRejection checks that the latest transaction's Rejection, and so
// its Err, is of kind target.
func (r *e2eRun) wantRejection(target error) {
	r.t.Helper()
	if !errors.Is(r.tx.Rejection, target) || !errors.Is(r.tx.Err(), target) {
		r.t.Errorf("Rejection = %v, Err() = %v; want %v", r.tx.Rejection, r.tx.Err(), target)
	}
}

// errorKeys are the distinct i18n keys of tx's ERROR messages, in order. A
// message may come once per field that shows it (the answer of each
// security question option), so repeats are dropped.
func errorKeys(tx *idx.Transaction) []string {
	var got []string
	for _, m := range tx.Messages {
		if m.Class == "ERROR" && !slices.Contains(got, m.Key) {
			got = append(got, m.Key)
		}
	}
	return got
}
