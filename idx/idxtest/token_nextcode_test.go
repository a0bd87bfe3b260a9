package idxtest_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// TestTokenNextCode: a token in next-tokencode mode refuses the next
// right code with errors.E0000113, at sign-in and at enrollment, then
// takes the code the token shows next, and leaves the mode.
func TestTokenNextCode(t *testing.T) {
	t.Parallel()
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	for _, c := range []struct {
		name   string
		key    string
		enroll bool
	}{
		{"rsa_token sign-in", idxtest.AuthenticatorRSA, false},
		{"rsa_token enrollment", idxtest.AuthenticatorRSA, true},
		{"onprem_mfa sign-in", idxtest.AuthenticatorOnPrem, false},
		{"onprem_mfa enrollment", idxtest.AuthenticatorOnPrem, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			now := time.Now()
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			policy := idxtest.Policy{Factors: 2, Authenticators: []string{c.key}}
			form := "challenge-authenticator"
			if c.enroll {
				policy = idxtest.Policy{Factors: 1, Enrollment: []idxtest.EnrollmentRule{{Key: c.key, Required: true}}}
				form = "enroll-authenticator"
			}
			srv := newOrg(t, idxtest.WithPolicy(policy), idxtest.WithClock(clock))
			f := newFlowUser(t, srv, func(u *idxtest.User) {
				u.Tokens = map[string]idxtest.Token{c.key: {Secret: secret, Enrolled: !c.enroll, NextCode: true}}
			})
			f.signIn()
			if c.enroll {
				f.mustOK("choose", f.choose("select-authenticator-enroll", c.key, nil), "enroll-authenticator", "select-authenticator-enroll")
			} else {
				f.mustOK("choose", f.choose("select-authenticator-authenticate", c.key, nil), "challenge-authenticator", "select-authenticator-authenticate")
			}
			answer := func() reply {
				creds := map[string]any{"passcode": idxtest.TOTP(secret, clock())}
				if c.enroll {
					creds["clientData"] = f.user
				}
				return f.submit(form, map[string]any{"credentials": creds})
			}
			r := answer()
			if r.status != http.StatusBadRequest {
				t.Fatalf("right code in next-tokencode mode: %v, want HTTP 400", r)
			}
			if diff := cmp.Diff([]string{"errors.E0000113"}, messageKeys(t, r.doc)); diff != "" {
				t.Errorf("message keys (-want +got):\n%s", diff)
			}
			// The same code again is still not the next one.
			if r := answer(); r.status == http.StatusOK {
				t.Fatalf("the refused code was taken: %v", r)
			}
			mu.Lock()
			now = now.Add(30 * time.Second)
			mu.Unlock()
			f.mustOK("next code", answer())
		})
	}
}

// TestTokenNextCodeOnlyRSA: only tokens whose vendor server has the mode
// take NextCode.
func TestTokenNextCodeOnlyRSA(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	err := srv.AddUser(idxtest.User{Username: "yubi@example.com", Password: "pw-0123456789abcdef",
		Tokens: map[string]idxtest.Token{idxtest.AuthenticatorYubiKey: {Secret: "GEZDGNBVGY3TQOJQ", NextCode: true}}})
	if err == nil {
		t.Fatal("AddUser took a YubiKey in next-tokencode mode")
	}
}
