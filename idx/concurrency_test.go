package idx_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// concurrentFlows is how many sign-ins TestConcurrentMixedFlows runs at
// once; with -short it runs fewer.
const concurrentFlows = 1000

// Goal: one Client serves many concurrent sign-ins, some with wrong codes,
// some rate limited, without races or leaks; every sign-in succeeds with
// its own user's tokens.
func TestConcurrentMixedFlows(t *testing.T) {
	verifyNoLeaks(t)
	n := concurrentFlows
	if testing.Short() {
		n = 100
	}
	srv := newOrg(t)
	// An HTTP client sized for the load: enough idle connections for the
	// flows in flight, and no per-attempt header timeout, which a loaded
	// machine (the race detector, two cores) can exceed while requests
	// queue; the test's context bounds the run instead.
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	c := newClient(t, srv, idx.Config{}, idx.WithHTTPClient(&http.Client{Transport: tr}))
	type account struct{ id, user, pass string }
	accounts := make([]account, n)
	for i := range accounts {
		a := account{
			id:   fmt.Sprintf("00uconc%06d", i),
			user: fmt.Sprintf("conc%04d@example.com", i),
			pass: fmt.Sprintf("Conc-Pw-%04d!", i),
		}
		if err := srv.AddUser(idxtest.User{ID: a.id, Username: a.user, Password: a.pass}); err != nil {
			t.Fatal(err)
		}
		accounts[i] = a
	}
	// Rate limits along the way: every tenth user's identify meets a 429
	// (an answer, retried once after the reset), and so do 5% of the
	// interact and introspect requests (retried up to three times).
	for i := 1; i < n; i += 10 {
		inject(t, srv, idxtest.Fault{Method: "POST", Path: "/idp/idx/identify", BodyContains: accounts[i].user, Times: 1, Kind: idxtest.FaultRateLimit})
	}
	inject(t, srv,
		idxtest.Fault{Method: "POST", Path: "/oauth2/default/v1/interact", Times: n / 20, Kind: idxtest.FaultRateLimit},
		idxtest.Fault{Method: "POST", Path: "/idp/idx/introspect", Times: n / 20, Kind: idxtest.FaultRateLimit},
	)

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, a := range accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- signInMixed(ctx, c, srv, a.user, a.pass, a.id, i%4 == 0)
		}()
	}
	began := time.Now()
	close(start)
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
			if failed <= 10 {
				t.Error(err)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d sign-ins failed", failed, n)
	}
	if p := srv.PendingFaults(); p != 0 {
		t.Errorf("%d injected faults never met a request; the flows were not rate limited", p)
	}
	t.Logf("%d concurrent sign-ins in %v", n, time.Since(began))
}

// signInMixed signs user in, first with a wrong code when wrongFirst, and
// checks that the tokens are the user's.
func signInMixed(ctx context.Context, c *idx.Client, srv *idxtest.Server, user, pass, id string, wrongFirst bool) error {
	tx, err := c.Authenticate(ctx, idx.Options{Username: user, Password: pass})
	if err != nil {
		return fmt.Errorf("%s: identify: %w", user, err)
	}
	tx, err = c.Authenticate(ctx, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
	if err != nil {
		return fmt.Errorf("%s: select: %w", user, err)
	}
	code, ok := srv.LastCode(user)
	if !ok {
		return fmt.Errorf("%s: no code sent", user)
	}
	if wrongFirst {
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		bad, err := c.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: wrong})
		if err != nil {
			return fmt.Errorf("%s: wrong code: %w", user, err)
		}
		if bad.Status != idx.StatusPending || bad.Rejection == nil {
			return fmt.Errorf("%s: wrong code gave %s without a rejection", user, bad.Status)
		}
	}
	tx, err = c.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: code})
	if err != nil {
		return fmt.Errorf("%s: answer: %w", user, err)
	}
	if tx.Status != idx.StatusSuccess || tx.Tokens == nil || tx.Tokens.IDTokenClaims == nil {
		return fmt.Errorf("%s: status %s without verified tokens", user, tx.Status)
	}
	if sub := tx.Tokens.IDTokenClaims.Subject; sub != id {
		return fmt.Errorf("%s: got the tokens of %s; want %s", user, sub, id)
	}
	return nil
}
