package idxtest_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// identifyAttempt starts a new sign-in of f's user and identifies with
// password.
func (f *flow) identifyAttempt(password string) reply {
	f.t.Helper()
	f.interact()
	f.introspect()
	return f.identify(f.user, password)
}

func mustStatusKeys(t *testing.T, what string, r reply, status int, keys ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.body)
	}
	if diff := cmp.Diff(keys, messageKeys(t, r.doc)); diff != "" {
		t.Errorf("%s: messages (-want +got):\n%s", what, diff)
	}
}

// TestLockoutAfterMaxAttempts: the Nth consecutive wrong password locks the
// account; then even the right one is refused with E0000119 until
// UnlockUser.
func TestLockoutAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 1, MaxPasswordAttempts: 3}))
	f := newFlow(t, srv)
	f.interact()
	f.introspect()
	for i := 1; i <= 2; i++ {
		mustStatusKeys(t, fmt.Sprintf("wrong password %d", i), f.identify(f.user, "wrong"), http.StatusUnauthorized, "errors.E0000004")
	}
	if locked, _ := srv.UserLocked(f.user); locked {
		t.Fatal("locked after 2 attempts")
	}
	r := f.identify(f.user, "wrong")
	mustStatusKeys(t, "third wrong password", r, http.StatusForbidden, "errors.E0000119")
	if got := str(t, r.doc, "messages", "value", 0, "message"); got != "Your account is locked. Please contact your administrator." {
		t.Errorf("message = %q", got)
	}
	if diff := cmp.Diff([]string{"identify"}, remediationNames(t, r.doc)); diff != "" {
		t.Errorf("remediations (-want +got):\n%s", diff)
	}
	if locked, ok := srv.UserLocked(f.user); !locked || !ok {
		t.Fatalf("UserLocked = %v, %v", locked, ok)
	}
	mustStatusKeys(t, "right password, same transaction", f.identify(f.user, f.password), http.StatusForbidden, "errors.E0000119")
	mustStatusKeys(t, "right password, new sign-in", f.identifyAttempt(f.password), http.StatusForbidden, "errors.E0000119")

	if err := srv.UnlockUser(f.user); err != nil {
		t.Fatal(err)
	}
	f.mustOK("after unlock", f.identify(f.user, f.password))
}

// TestLockoutCountIsConsecutive: a right password resets the count.
func TestLockoutCountIsConsecutive(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 1, MaxPasswordAttempts: 2}))
	f := newFlow(t, srv)
	mustStatusKeys(t, "wrong", f.identifyAttempt("wrong"), http.StatusUnauthorized, "errors.E0000004")
	f.mustOK("right", f.identify(f.user, f.password))
	mustStatusKeys(t, "wrong again", f.identifyAttempt("wrong"), http.StatusUnauthorized, "errors.E0000004")
	f.mustOK("right again", f.identify(f.user, f.password))
	// Unknown users are never counted, nor locked.
	f.interact()
	f.introspect()
	for range 3 {
		mustStatusKeys(t, "unknown user", f.identify("nobody@example.com", "wrong"), http.StatusUnauthorized, "errors.E0000004")
	}
}

// TestLockoutNever: with MaxPasswordAttempts zero nobody is locked out.
func TestLockoutNever(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 1}))
	f := newFlow(t, srv)
	f.interact()
	f.introspect()
	for range 10 {
		mustStatusKeys(t, "wrong", f.identify(f.user, "wrong"), http.StatusUnauthorized, "errors.E0000004")
	}
	f.mustOK("right", f.identify(f.user, f.password))
}

// TestLockoutUserLocked: a user made Locked is refused whatever the
// policy, until unlocked.
func TestLockoutUserLocked(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithPolicy(idxtest.Policy{Factors: 1}))
	f := newFlowUser(t, srv, func(u *idxtest.User) { u.Locked = true })
	mustStatusKeys(t, "right password", f.identifyAttempt(f.password), http.StatusForbidden, "errors.E0000119")
	mustStatusKeys(t, "wrong password", f.identify(f.user, "wrong"), http.StatusForbidden, "errors.E0000119")
	r := f.identify(f.user, "")
	fld := path(t, form(t, r.doc, "identify"), "value", "name=credentials", "form", "value", "name=passcode")
	if r.status != http.StatusBadRequest || !cmp.Equal(messageKeys(t, fld), []string{"model.validation.field.blank"}) {
		t.Errorf("blank password: %v", r)
	}
	if err := srv.UnlockUser(f.user); err != nil {
		t.Fatal(err)
	}
	f.mustOK("unlocked", f.identify(f.user, f.password))
	if err := srv.UnlockUser("nobody@example.com"); err == nil {
		t.Error("UnlockUser of an unknown user succeeded")
	}
	if _, ok := srv.UserLocked("nobody@example.com"); ok {
		t.Error("UserLocked of an unknown user")
	}
}

// ExampleServer_UnlockUser locks a user out with wrong passwords, then
// unlocks the account.
func ExampleServer_UnlockUser() {
	org := idxtest.NewServer(
		idxtest.WithPolicy(idxtest.Policy{Factors: 1, MaxPasswordAttempts: 3}),
		idxtest.WithUser(idxtest.User{Username: "bob@example.com", Password: "Bob-Passw0rd!", Locked: true}),
	)
	defer org.Close()

	locked, _ := org.UserLocked("bob@example.com")
	fmt.Println("locked:", locked)
	if err := org.UnlockUser("bob@example.com"); err != nil {
		panic(err)
	}
	locked, _ = org.UserLocked("bob@example.com")
	fmt.Println("locked:", locked)
	// Output:
	// locked: true
	// locked: false
}
