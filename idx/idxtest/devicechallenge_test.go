package idxtest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/goidx/goidx/idx/idxtest"
)

// Goal: a client that is not Go stands for Okta Verify on the device
// through the control API: the device challenge's poll then signs the
// user in; a request that matches no challenge, or a user without Okta
// Verify, is refused.
func TestControlAPIDeviceAnswer(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithControlAPI(), idxtest.WithPolicy(idxtest.Policy{
		Factors: 1, DeviceChallenge: idxtest.DeviceChallengeLoopback,
	}))
	f := newFlowUser(t, srv, func(u *idxtest.User) { u.OktaVerify = true })
	plain := newFlow(t, srv)
	f.interact()
	r := f.introspect()
	request := str(t, r.doc, "authenticatorChallenge", "value", "challengeRequest")
	answer := func(user, challenge string) reply {
		body, _ := json.Marshal(map[string]string{"username": user, "challenge": challenge})
		return controlCall(t, srv, "POST", "/idxtest/device/answer", string(body), nil)
	}
	if r := answer(plain.user, request); r.status != http.StatusNotFound {
		t.Errorf("answer for a user without Okta Verify: %v", r)
	}
	if r := answer(f.user, "not-the-request"); r.status != http.StatusNotFound {
		t.Errorf("answer to no challenge: %v", r)
	}
	if r := f.submit("device-challenge-poll", nil); r.status != http.StatusOK || r.doc["successWithInteractionCode"] != nil {
		t.Fatalf("poll before the device answered: %v", r)
	}
	if r := answer(f.user, request); r.status != http.StatusOK {
		t.Fatalf("answer: %v", r)
	}
	if r := f.submit("device-challenge-poll", nil); r.status != http.StatusOK || r.doc["successWithInteractionCode"] == nil {
		t.Errorf("poll after the device answered: %v", r)
	}
}
