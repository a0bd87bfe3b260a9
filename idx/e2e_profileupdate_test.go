package idx_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// profileUpdateOrg is a one-factor org that asks its users at sign-in
// for attrs they lack.
func profileUpdateOrg(t *testing.T, name string, attrs ...idxtest.ProfileAttribute) *e2eRun {
	t.Helper()
	return newE2E(t, e2eUser(name, nil), idxtest.WithPolicy(idxtest.Policy{Factors: 1, ProfileUpdate: attrs}))
}

// wantProfileUpdate checks that the latest transaction asks for inputs
// in profile-update, with a skip or not.
func (r *e2eRun) wantProfileUpdate(canSkip bool, inputs ...authenticator.Input) {
	r.t.Helper()
	ns := r.tx.NextStep
	if r.tx.Status != idx.StatusPending || ns == nil || ns.Name != "profile-update" {
		r.t.Fatalf("%v, want PENDING on profile-update", r.tx)
	}
	if diff := cmp.Diff(inputs, ns.Inputs); diff != "" {
		r.t.Errorf("inputs (-want +got):\n%s", diff)
	}
	if ns.CanSkip != canSkip {
		r.t.Errorf("CanSkip = %v, want %v", ns.CanSkip, canSkip)
	}
}

// TestE2EProfileUpdate is the "profile update during sign-in" row: an
// org that wants attributes a user lacks asks for them once the user is
// authenticated (profile-update); Options.Profile fills them in, typed as
// at registration, and Skip puts off optional ones to the next sign-in.
func TestE2EProfileUpdate(t *testing.T) {
	t.Parallel()
	attrColor := idxtest.ProfileAttribute{Name: "favoriteColor", Label: "Favorite color"}
	attrNickname := idxtest.ProfileAttribute{Name: "nickname", Label: "Nickname", Required: true}
	attrNews := idxtest.ProfileAttribute{Name: "newsletter", Label: "Newsletter", Type: "boolean"}
	color := authenticator.Input{Name: "favoriteColor", Label: "Favorite color", Type: "string"}
	nickname := authenticator.Input{Name: "nickname", Label: "Nickname", Type: "string", Required: true}
	news := authenticator.Input{Name: "newsletter", Label: "Newsletter", Type: "boolean"}

	t.Run("filled in", func(t *testing.T) {
		t.Parallel()
		r := profileUpdateOrg(t, "profile-fill", attrColor, attrNickname, attrNews)
		r.signIn()
		r.wantProfileUpdate(false, color, nickname, news)
		// A required attribute left out: nothing is sent.
		r.proceed(idx.Options{Profile: map[string]any{"favoriteColor": "teal"}})
		r.proceed(idx.Options{Profile: map[string]any{"nickname": "Ace", "favoriteColor": "teal", "newsletter": true}})
		r.wantSteps("profile-update", "profile-update", "SUCCESS")
		r.wantSuccess("pwd")
		if n := r.srv.RequestCounts()["POST /idp/idx/enroll/new"]; n != 1 {
			t.Errorf("profile-update posted %d times, want 1", n)
		}
		for name, want := range map[string]string{"nickname": "Ace", "favoriteColor": "teal", "newsletter": "true"} {
			if got, _ := r.srv.ProfileAttributeOf(r.user.Username, name); got != want {
				t.Errorf("%s = %q at the org, want %q", name, got, want)
			}
		}
		// The next sign-in has nothing to ask.
		r.steps = nil
		r.signIn()
		r.wantSteps("SUCCESS")
	})

	t.Run("skipped", func(t *testing.T) {
		t.Parallel()
		r := profileUpdateOrg(t, "profile-skip", attrColor)
		r.signIn()
		r.wantProfileUpdate(true, color)
		r.do(r.c.Skip(t.Context(), r.state()))
		r.wantSteps("profile-update", "SUCCESS")
		r.wantSuccess("pwd")
		if _, ok := r.srv.ProfileAttributeOf(r.user.Username, "favoriteColor"); ok {
			t.Error("a skipped attribute has a value")
		}
		// Skipped, it is asked for again at the next sign-in.
		r.steps = nil
		r.signIn()
		r.wantSteps("profile-update")
	})

	t.Run("a required attribute is not skipped", func(t *testing.T) {
		t.Parallel()
		r := profileUpdateOrg(t, "profile-noskip", attrNickname)
		r.signIn()
		r.wantProfileUpdate(false, nickname)
		r.do(r.c.Skip(t.Context(), r.state()))
		r.wantRejected("profile-update", nil, "errors.E0000079")
	})

	t.Run("given up front", func(t *testing.T) {
		t.Parallel()
		r := profileUpdateOrg(t, "profile-upfront", attrNickname)
		r.do(r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password, Profile: map[string]any{"nickname": "Ace"}}))
		r.wantSteps("SUCCESS")
	})

	t.Run("a value of another type", func(t *testing.T) {
		t.Parallel()
		r := profileUpdateOrg(t, "profile-type", attrNews)
		r.signIn()
		_, err := r.c.Authenticate(t.Context(), idx.Options{State: r.state(), Profile: map[string]any{"newsletter": "maybe"}})
		var ie *idx.InputError
		if !errors.As(err, &ie) || !strings.Contains(ie.Field, "newsletter") {
			t.Errorf("err = %v, want an *InputError naming newsletter", err)
		}
	})
}
