package idx_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// registerPolicy offers self-service registration; extra, when set, is an
// authenticator the new user must enroll besides the password and email.
func registerPolicy(extra string) idxtest.Option {
	p := idxtest.Policy{Factors: 1, Registration: true}
	if extra != "" {
		p.Enrollment = []idxtest.EnrollmentRule{{Key: extra, Required: true}}
	}
	return idxtest.WithPolicy(p)
}

// e2eNewPassword is the password of users who register or reset it.
const e2eNewPassword = "Fresh-Passw0rd-42"

// register starts a registration of a new user with the email of the
// run's user (who is not in the org) and enrolls the password and the
// email, with a wrong email code first.
func (r *e2eRun) register() {
	r.t.Helper()
	tx := r.do(r.c.Start(r.t.Context(), idx.StartOptions{}))
	if !hasFeature(tx, idx.FeatureRegistration) {
		r.t.Fatalf("registration not enabled: %v", tx.EnabledFeatures)
	}
	r.do(r.c.Register(r.t.Context(), idx.Options{
		State:   r.state(),
		Profile: map[string]any{"firstName": "Nora", "lastName": "Newcomer", "email": r.user.Username},
	}))
	r.proceed(idx.Options{Authenticator: authenticator.OktaPassword, NewPassword: e2eNewPassword})
	r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
	code := lastCode(r.t, r.srv, r.user.Username)
	r.wrongThenRight("enroll-authenticator", "api.authn.error.PASSCODE_INVALID", code)
}

func hasFeature(tx *idx.Transaction, f idx.Feature) bool {
	for _, g := range tx.EnabledFeatures {
		if g == f {
			return true
		}
	}
	return false
}

// TestE2ERegister is the "self-service registration" row: a new user
// registers, enrolls the password and the email the org requires, then the
// authenticator of the cell when the policy requires one more, and is
// signed in; a sign-in with the new password is the same user.
func TestE2ERegister(t *testing.T) {
	t.Parallel()
	cases := append([]enrollCase{{name: "password and email"}}, enrollCases()...)
	for _, ec := range cases {
		t.Run(ec.name, func(t *testing.T) {
			t.Parallel()
			r := newE2E(t, idxtest.User{}, registerPolicy(ec.key))
			r.user = e2eUser(t.Name(), nil) // not in the org: registered here
			r.register()
			want := []string{
				"identify",
				"select-authenticator-enroll [okta_password okta_email" + strings.TrimRight(" "+ec.key, " ") + "]",
				"select-authenticator-enroll [okta_email" + strings.TrimRight(" "+ec.key, " ") + "]",
				"enroll-authenticator/okta_email",
				"enroll-authenticator/okta_email",
			}
			amr := []string{"pwd", "email"}
			if ec.enroll == nil {
				want = append(want, "SUCCESS")
			} else {
				want = append(want, "select-authenticator-enroll ["+ec.key+"]")
				ec.enroll(r)
				want = append(want, ec.steps...)
				amr = append(amr, ec.amr)
			}
			r.wantSteps(want...)
			wantNewUser(t, r, amr)
		})
	}
}

// wantNewUser checks that the run ended signed in as a new user with the
// profile given at registration, and that the user signs in again with the
// new password as the same subject.
func wantNewUser(t *testing.T, r *e2eRun, amr []string) {
	t.Helper()
	tx := r.tx
	if tx.Status != idx.StatusSuccess || tx.Tokens == nil || tx.Tokens.IDTokenClaims == nil {
		t.Fatalf("registration did not sign in: %v", tx)
	}
	claims := tx.Tokens.IDTokenClaims
	if !strings.HasPrefix(claims.Subject, "00u") {
		t.Errorf("subject %q is not a user ID", claims.Subject)
	}
	if claims.Claims["email"] != r.user.Username || claims.Claims["given_name"] != "Nora" {
		t.Errorf("claims email %v given_name %v", claims.Claims["email"], claims.Claims["given_name"])
	}
	wantSignedIn(t, tx, claims.Subject, amr...)
	again, err := r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: e2eNewPassword})
	if err != nil {
		t.Fatal(err)
	}
	wantSignedIn(t, again, claims.Subject, "pwd")
}

// TestE2ERegisterAttributeTypes registers a user through a profile form
// with typed attributes (booleans shown as a checkbox and a radio, strings
// from a select and a radio), each answered with its natural Go value,
// and shows the password's rules at its enrollment.
func TestE2ERegisterAttributeTypes(t *testing.T) {
	t.Parallel()
	pc := idxtest.PasswordComplexity{MinLength: 12, MinLowerCase: 1, MinUpperCase: 1, MinNumber: 1, MinSymbol: 1, ExcludeUsername: true}
	r := newE2E(t, idxtest.User{}, idxtest.WithRequestRecording(), idxtest.WithPolicy(idxtest.Policy{
		Factors: 1, Registration: true, PasswordComplexity: &pc,
		ProfileAttributes: []idxtest.ProfileAttribute{
			{Name: "firstName", Label: "First name", Required: true},
			{Name: "lastName", Label: "Last name", Required: true},
			{Name: "email", Label: "Email", Required: true},
			{Name: "terms", Label: "I accept the terms", Type: "boolean", Required: true},
			{Name: "newsletter", Label: "Send me the newsletter", Type: "boolean"},
			{Name: "hasPet", Label: "Do you have a pet?", Type: "boolean", Radio: true},
			{Name: "favoriteColor", Label: "Favorite color", Choices: []idxtest.ProfileChoice{{Label: "Red", Value: "red"}, {Label: "Blue", Value: "blue"}}},
			{Name: "plan", Label: "Plan", Radio: true, Choices: []idxtest.ProfileChoice{{Label: "Free", Value: "free"}, {Label: "Team", Value: "team"}}},
		},
	}))
	r.user = e2eUser(t.Name(), nil)
	r.do(r.c.Start(t.Context(), idx.StartOptions{}))
	r.do(r.c.Register(t.Context(), idx.Options{State: r.state()}))
	yesNo := []authenticator.Choice{{Label: "Yes", Value: "true"}, {Label: "No", Value: "false"}}
	want := []authenticator.Input{
		{Name: "firstName", Label: "First name", Type: "string", Required: true},
		{Name: "lastName", Label: "Last name", Type: "string", Required: true},
		{Name: "email", Label: "Email", Type: "string", Required: true},
		{Name: "terms", Label: "I accept the terms", Type: "boolean", Required: true},
		{Name: "newsletter", Label: "Send me the newsletter", Type: "boolean"},
		{Name: "hasPet", Label: "Do you have a pet?", Type: "boolean", Options: yesNo},
		{Name: "favoriteColor", Label: "Favorite color", Type: "string", Options: []authenticator.Choice{{Label: "Red", Value: "red"}, {Label: "Blue", Value: "blue"}}},
		{Name: "plan", Label: "Plan", Type: "string", Options: []authenticator.Choice{{Label: "Free", Value: "free"}, {Label: "Team", Value: "team"}}},
	}
	if diff := cmp.Diff(want, r.tx.NextStep.Inputs); diff != "" {
		t.Errorf("enroll-profile inputs (-want +got):\n%s", diff)
	}
	profile := map[string]any{
		"firstName": "Nora", "lastName": "Newcomer", "email": r.user.Username,
		"terms": true, "newsletter": false, "hasPet": true, "favoriteColor": "blue", "plan": "team",
	}
	// A word for a boolean is refused before anything is sent.
	bad := map[string]any{"terms": "yes"}
	for k, v := range profile {
		if _, set := bad[k]; !set {
			bad[k] = v
		}
	}
	_, err := r.c.Register(t.Context(), idx.Options{State: r.state(), Profile: bad})
	var ie *idx.InputError
	if !errors.As(err, &ie) || ie.Field != "userProfile.terms" {
		t.Fatalf("err = %v; want an *InputError naming userProfile.terms", err)
	}
	r.do(r.c.Register(t.Context(), idx.Options{State: r.state(), Profile: profile}))
	var sent struct {
		UserProfile map[string]any `json:"userProfile"`
	}
	for _, req := range r.srv.Requests() {
		if req.Path == "/idp/idx/enroll/new" {
			if sent.UserProfile != nil {
				t.Errorf("the profile was sent twice")
			}
			if err := json.Unmarshal(req.Body, &sent); err != nil {
				t.Fatal(err)
			}
		}
	}
	if diff := cmp.Diff(profile, sent.UserProfile); diff != "" {
		t.Errorf("userProfile sent (-want +got):\n%s", diff)
	}

	// The password's enrollment shows the org's rules.
	tx := r.proceed(idx.Options{Authenticator: authenticator.OktaPassword})
	s := tx.NextStep.Authenticator.Settings
	if s == nil || s.Complexity == nil {
		t.Fatalf("no password settings at %s: %+v", tx.NextStep.Name, tx.NextStep.Authenticator)
	}
	wantComplexity := &authenticator.PasswordComplexity{MinLength: 12, MinLowerCase: 1, MinUpperCase: 1, MinNumber: 1, MinSymbol: 1,
		ExcludeUsername: true}
	if diff := cmp.Diff(wantComplexity, s.Complexity); diff != "" {
		t.Errorf("password complexity (-want +got):\n%s", diff)
	}
	r.proceed(idx.Options{NewPassword: "Fresh-Passw0rd-42!"})
	r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
	r.proceed(idx.Options{VerificationCode: lastCode(r.t, r.srv, r.user.Username)})
	r.wantSteps(
		"identify",
		"enroll-profile",
		"select-authenticator-enroll [okta_password okta_email]",
		"enroll-authenticator/okta_password",
		"select-authenticator-enroll [okta_email]",
		"enroll-authenticator/okta_email",
		"SUCCESS",
	)
}
