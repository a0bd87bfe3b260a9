package idx_test

// The round trips of each flow, request by request. What a user waits for
// is round trips to the org, so the exact sequence is behaviour: these
// tests pin the protocol minimum.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
	"github.com/goidx/goidx/internal/testclock"
)

// The requests of the protocol, as idxtest logs them.
const (
	reqInteract   = "POST /oauth2/default/v1/interact"
	reqIntrospect = "POST /idp/idx/introspect"
	reqIdentify   = "POST /idp/idx/identify"
	reqChallenge  = "POST /idp/idx/challenge"
	reqAnswer     = "POST /idp/idx/challenge/answer"
	reqResend     = "POST /idp/idx/challenge/resend"
	reqCancel     = "POST /idp/idx/cancel"
	reqToken      = "POST /oauth2/default/v1/token"
	reqDiscovery  = "GET /oauth2/default/.well-known/openid-configuration"
	reqKeys       = "GET /oauth2/default/v1/keys"
	reqUserinfo   = "GET /oauth2/default/v1/userinfo"
)

// seedFlow is the seed flow's protocol minimum on a Client that has
// signed someone in before: no discovery, no keys, no introspect after a
// step.
var seedFlow = []string{reqInteract, reqIntrospect, reqIdentify, reqChallenge, reqChallenge, reqAnswer, reqToken}

// wantRequests fails the test unless the org served exactly want since
// its log was last reset, and then resets it.
func wantRequests(t *testing.T, srv *idxtest.Server, what string, want []string) {
	t.Helper()
	if diff := cmp.Diff(want, srv.RequestLog(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: request sequence mismatch (-want +got):\n%s", what, diff)
	}
	counts := map[string]int{}
	for _, r := range want {
		counts[r]++
	}
	if diff := cmp.Diff(counts, srv.RequestCounts(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: request counts mismatch (-want +got):\n%s", what, diff)
	}
	srv.ResetRequestLog()
}

func TestSteadyStateSeedFlow(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	wantRequests(t, srv, "first sign-in", append(seedFlow[:len(seedFlow):len(seedFlow)], reqDiscovery, reqKeys))

	for i := range 3 {
		signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
		wantRequests(t, srv, fmt.Sprintf("sign-in %d on a warm Client", i+2), seedFlow)
	}

	// Each call of the flow on its own.
	tx := mustAuthenticate(t, c, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	wantRequests(t, srv, "username and password", []string{reqInteract, reqIntrospect, reqIdentify})
	mustAuthenticate(t, c, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}, challengeEmail)
	wantRequests(t, srv, "the email authenticator", []string{reqChallenge, reqChallenge})
	mustAuthenticate(t, c, idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)}, stepView{Status: idx.StatusSuccess})
	wantRequests(t, srv, "the code", []string{reqAnswer, reqToken})
}

func TestSteadyStateAllValuesUpFront(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	srv.ResetRequestLog()
	tx := mustAuthenticate(t, c, idx.Options{
		Username: idxtest.DemoUsername, Password: idxtest.DemoPassword, Authenticator: authenticator.OktaEmail,
	}, challengeEmail)
	mustAuthenticate(t, c, idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)}, stepView{Status: idx.StatusSuccess})
	wantRequests(t, srv, "values up front", seedFlow)
}

func TestWrongPasswordCostsOneIdentify(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	srv.ResetRequestLog()
	tx, err := c.Authenticate(t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: "wrong"})
	if err != nil || tx.Rejection == nil {
		t.Fatalf("wrong password: %v, %v", tx, err)
	}
	wantRequests(t, srv, "a wrong password", []string{reqInteract, reqIntrospect, reqIdentify})
	tx = mustAuthenticate(t, c, idx.Options{State: tx.State, Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	wantRequests(t, srv, "the right password after a wrong one", []string{reqIdentify})
	mustAuthenticate(t, c, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}, challengeEmail)
	good := lastCode(t, srv, idxtest.DemoUsername)
	wrong := "000000"
	if good == wrong {
		wrong = "111111"
	}
	srv.ResetRequestLog()
	bad, err := c.Authenticate(t.Context(), idx.Options{State: tx.State, VerificationCode: wrong})
	if err != nil || bad.Rejection == nil {
		t.Fatalf("wrong code: %v, %v", bad, err)
	}
	wantRequests(t, srv, "a wrong code", []string{reqAnswer})
	mustAuthenticate(t, c, idx.Options{State: tx.State, VerificationCode: good}, stepView{Status: idx.StatusSuccess})
	wantRequests(t, srv, "the right code after a wrong one", []string{reqAnswer, reqToken})
}

func TestResendSequence(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	tx := mustAuthenticate(t, c, idx.Options{
		Username: idxtest.DemoUsername, Password: idxtest.DemoPassword, Authenticator: authenticator.OktaEmail,
	}, challengeEmail)
	srv.ResetRequestLog()
	if _, err := c.Resend(t.Context(), tx.State); err != nil {
		t.Fatal(err)
	}
	wantRequests(t, srv, "Resend", []string{reqResend})
	mustAuthenticate(t, c, idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)}, stepView{Status: idx.StatusSuccess})
	wantRequests(t, srv, "the code after resends", []string{reqAnswer, reqToken})
}

func TestCancelSequence(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	srv.ResetRequestLog()
	for _, tc := range []struct {
		name string
		opts idx.Options
		want stepView
		cost []string
	}{
		{"at the authenticator choice", idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail,
			[]string{reqInteract, reqIntrospect, reqIdentify}},
		{"at the code", idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword, Authenticator: authenticator.OktaEmail}, challengeEmail,
			[]string{reqInteract, reqIntrospect, reqIdentify, reqChallenge, reqChallenge}},
	} {
		tx := mustAuthenticate(t, c, tc.opts, tc.want)
		wantRequests(t, srv, tc.name, tc.cost)
		got, err := c.Cancel(t.Context(), tx.State)
		if err != nil || got.Status != idx.StatusCanceled {
			t.Fatalf("Cancel %s: %v, %v", tc.name, got, err)
		}
		wantRequests(t, srv, "Cancel "+tc.name, []string{reqCancel})
		// Continuing a canceled transaction costs nothing.
		if _, err := c.Authenticate(t.Context(), idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}); err == nil {
			t.Fatalf("a canceled transaction went on")
		}
		wantRequests(t, srv, "after Cancel "+tc.name, nil)
	}
	// A sign-in after a cancel is the steady-state seed flow.
	signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	wantRequests(t, srv, "sign-in after cancels", seedFlow)
}

// jsonStore keeps transactions as an external store does: every Save and
// Load goes through encoding/json, so nothing but the serialised
// SavedTransaction crosses from one Client to another.
type jsonStore struct {
	inner idx.TransactionStore
}

func roundTrip(t *idx.SavedTransaction) (*idx.SavedTransaction, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	var c idx.SavedTransaction
	return &c, json.Unmarshal(b, &c)
}

func (s jsonStore) Save(ctx context.Context, t *idx.SavedTransaction) error {
	c, err := roundTrip(t)
	if err != nil {
		return err
	}
	err = s.inner.Save(ctx, c)
	t.Version = c.Version
	return err
}

func (s jsonStore) Load(ctx context.Context, state string) (*idx.SavedTransaction, error) {
	t, err := s.inner.Load(ctx, state)
	if err != nil {
		return nil, err
	}
	return roundTrip(t)
}

func (s jsonStore) Delete(ctx context.Context, state string) error { return s.inner.Delete(ctx, state) }

// TestResumeInAnotherInstance is resuming a transaction from a store
// shared by app instances (processes): each Client has its own HTTP
// transport (connections) and its own discovery and key caches, and the
// transaction crosses between them only serialised. This is the
// in-process equivalent of two processes sharing a store. Resuming costs
// no introspect while the saved answer is fresh.
func TestResumeInAnotherInstance(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	store := jsonStore{inner: idx.NewMemoryTransactionStore(0, nil)}
	instance := func() *idx.Client {
		hc := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 30 * time.Second}
		t.Cleanup(hc.CloseIdleConnections)
		return newClient(t, srv, idx.Config{}, idx.WithTransactionStore(store), idx.WithHTTPClient(hc))
	}
	a, b := instance(), instance()

	tx := mustAuthenticate(t, a, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	wantRequests(t, srv, "instance A: username and password", []string{reqInteract, reqIntrospect, reqIdentify})
	mustAuthenticate(t, b, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}, challengeEmail)
	wantRequests(t, srv, "instance B: the email authenticator", []string{reqChallenge, reqChallenge})
	mustAuthenticate(t, a, idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)}, stepView{Status: idx.StatusSuccess})
	// A verifies its first ID token: its caches are cold.
	wantRequests(t, srv, "instance A: the code", []string{reqAnswer, reqToken, reqDiscovery, reqKeys})

	// The other way round; B's caches are cold too, A's are warm.
	tx = mustAuthenticate(t, b, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	mustAuthenticate(t, a, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}, challengeEmail)
	wantRequests(t, srv, "B starts, A selects", []string{reqInteract, reqIntrospect, reqIdentify, reqChallenge, reqChallenge})
	mustAuthenticate(t, b, idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)}, stepView{Status: idx.StatusSuccess})
	wantRequests(t, srv, "instance B: the code", []string{reqAnswer, reqToken, reqDiscovery, reqKeys})

	// Both warm now: a sign-in spread over both is the seed flow.
	tx = mustAuthenticate(t, a, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	mustAuthenticate(t, b, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}, challengeEmail)
	mustAuthenticate(t, a, idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)}, stepView{Status: idx.StatusSuccess})
	wantRequests(t, srv, "a sign-in over two warm instances", seedFlow)
}

// TestDiscoveryCacheHonoursCacheControl: the org serves discovery with
// max-age=86400 and its keys with max-age=3600. A sign-in needs neither
// once the keys are known (the token URL is in the success answer, the
// interact URL follows from the issuer); userinfo needs discovery, which
// is fetched again only when its max-age has passed.
func TestDiscoveryCacheHonoursCacheControl(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	srv := newOrg(t, idxtest.WithClock(clk.Now))
	c := newClient(t, srv, idx.Config{}, idx.WithClock(clk.Now))
	tok := signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	wantRequests(t, srv, "first sign-in", append(seedFlow[:len(seedFlow):len(seedFlow)], reqDiscovery, reqKeys))
	for range 2 {
		if _, err := c.UserInfo(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	}
	wantRequests(t, srv, "userinfo twice", []string{reqUserinfo, reqUserinfo})

	// Within discovery's max-age but past the keys': the sign-in fetches
	// the keys again once (a key the org dropped stops being trusted),
	// and nothing else.
	clk.Advance(2 * time.Hour)
	tok = signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	if _, err := c.UserInfo(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	wantRequests(t, srv, "2 hours later", append(seedFlow[:len(seedFlow):len(seedFlow)], reqKeys, reqUserinfo))

	// Within the keys' new max-age: nothing is fetched again.
	signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	wantRequests(t, srv, "at once again", seedFlow)

	// Past discovery's max-age: the ID token's verification fetches it
	// and the keys once more, and userinfo uses them.
	clk.Advance(23 * time.Hour)
	tok = signIn(t, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	for range 2 {
		if _, err := c.UserInfo(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	}
	wantRequests(t, srv, "25 hours later", append(seedFlow[:len(seedFlow):len(seedFlow)], reqDiscovery, reqKeys, reqUserinfo, reqUserinfo))
}

// TestColdClientFetchesDiscoveryAndKeysOnce: sign-ins that finish at once
// on a new Client share one discovery and one JWKS request.
func TestColdClientFetchesDiscoveryAndKeysOnce(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	const n = 8
	for i := range n {
		if err := srv.AddUser(idxtest.User{Username: fmt.Sprintf("cold%d@example.com", i), Password: "Passw0rd-cold!"}); err != nil {
			t.Fatal(err)
		}
	}
	c := newClient(t, srv, idx.Config{})
	states := make([]string, n)
	for i := range n {
		tx := mustAuthenticate(t, c, idx.Options{
			Username: fmt.Sprintf("cold%d@example.com", i), Password: "Passw0rd-cold!", Authenticator: authenticator.OktaEmail,
		}, challengeEmail)
		states[i] = tx.State
	}
	srv.ResetRequestLog()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _ := srv.LastCode(fmt.Sprintf("cold%d@example.com", i))
			tx, err := c.Authenticate(t.Context(), idx.Options{State: states[i], VerificationCode: code})
			if err != nil || tx.Status != idx.StatusSuccess {
				t.Errorf("sign-in %d: %v, %v", i, tx, err)
			}
		}()
	}
	wg.Wait()
	want := map[string]int{reqAnswer: n, reqToken: n, reqDiscovery: 1, reqKeys: 1}
	if diff := cmp.Diff(want, srv.RequestCounts()); diff != "" {
		t.Errorf("request counts mismatch (-want +got):\n%s", diff)
	}
}
