package idxtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// TestIntrospectAfterSuccess: a succeeded stateHandle introspects to the
// same success document until the interaction code is redeemed; then it
// has expired. It allows nothing else meanwhile.
func TestIntrospectAfterSuccess(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	success := f.success()
	code := str(t, path(t, success.doc, "successWithInteractionCode", "value", "name=interaction_code"), "value")

	for range 2 {
		r := postIon(t, f.c, srv.URL+"/idp/idx/introspect", map[string]string{"stateHandle": f.stateHandle})
		if r.status != http.StatusOK {
			t.Fatalf("introspect after success: %v", r)
		}
		if diff := cmp.Diff(success.doc, r.doc); diff != "" {
			t.Errorf("introspect after success (-answer +introspect):\n%s", diff)
		}
	}
	for _, p := range []string{"/idp/idx/identify", "/idp/idx/challenge/answer", "/idp/idx/challenge/poll",
		"/idp/idx/challenge/resend", "/idp/idx/cancel", "/idp/idx/skip"} {
		r := postIon(t, f.c, srv.URL+p, map[string]any{"stateHandle": f.stateHandle,
			"credentials": map[string]any{"passcode": "123456"}})
		mustStatusKeys(t, p+" after success", r, http.StatusUnauthorized, "idx.session.expired")
	}

	f.last = success
	if tok := f.redeem(f.verifier); tok.status != http.StatusOK {
		t.Fatalf("token: %v", tok)
	}
	r := postIon(t, f.c, srv.URL+"/idp/idx/introspect", map[string]string{"stateHandle": f.stateHandle})
	mustStatusKeys(t, "introspect after redemption", r, http.StatusUnauthorized, "idx.session.expired")
	if _, ok := r.doc["successWithInteractionCode"]; ok || code == "" {
		t.Error("the code is shown after redemption")
	}
	// Once refused, always refused.
	r = postIon(t, f.c, srv.URL+"/idp/idx/introspect", map[string]string{"stateHandle": f.stateHandle})
	mustStatusKeys(t, "introspect again", r, http.StatusUnauthorized, "idx.session.expired")
}

// TestIntrospectAfterSuccessCodeExpired: once the unredeemed code has
// expired, so has the stateHandle.
func TestIntrospectAfterSuccessCodeExpired(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clk.Now))
	f := newFlow(t, srv)
	success := f.success()
	clk.Advance(59 * time.Second)
	r := postIon(t, f.c, srv.URL+"/idp/idx/introspect", map[string]string{"stateHandle": f.stateHandle})
	if r.status != http.StatusOK || !cmp.Equal(success.doc["successWithInteractionCode"], r.doc["successWithInteractionCode"]) {
		t.Fatalf("introspect before the code expires: %v", r)
	}
	clk.Advance(2 * time.Second)
	r = postIon(t, f.c, srv.URL+"/idp/idx/introspect", map[string]string{"stateHandle": f.stateHandle})
	mustStatusKeys(t, "introspect after the code expired", r, http.StatusUnauthorized, "idx.session.expired")
	f.last = success
	if tok := f.redeem(f.verifier); tok.status != http.StatusBadRequest {
		t.Errorf("expired code redeemed: %v", tok)
	}
}
