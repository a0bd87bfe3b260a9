package idxtest_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

func withQuestion(u *idxtest.User) {
	u.SecurityQuestion = &idxtest.SecurityQuestion{Key: "disliked_food", Answer: "Brussels Sprouts"}
}

// TestSecurityQuestionVerify answers the enrolled question: the catalog
// text is shown, a blank or wrong answer is refused, and the answer is
// compared without regard to case or surrounding spaces.
func TestSecurityQuestionVerify(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlowUser(t, srv, withQuestion)
	r := f.signIn()
	f.mustOK("identify", r, "select-authenticator-authenticate")
	opt := path(t, form(t, r.doc, "select-authenticator-authenticate"), "value", "name=authenticator", "options", 1)
	want := mustJSON(t, `{"label": "Security Question", "relatesTo": "$.authenticatorEnrollments.value[1]", "value": {"form": {"value": [
		{"name": "id", "required": true, "value": "`+f.authenticatorID(idxtest.AuthenticatorSecurityQuestion)+`", "mutable": false, "visible": false}]}}}`)
	if diff := cmp.Diff(want, opt); diff != "" {
		t.Errorf("option (-want +got):\n%s", diff)
	}
	const question = "What is the food you least liked as a child?"
	profile := mustJSON(t, `{"questionKey": "disliked_food", "question": "`+question+`"}`)
	if diff := cmp.Diff(profile, path(t, r.doc, "authenticatorEnrollments", "value", 1, "profile")); diff != "" {
		t.Errorf("enrollment profile (-want +got):\n%s", diff)
	}

	r = f.choose("select-authenticator-authenticate", idxtest.AuthenticatorSecurityQuestion, nil)
	f.mustOK("select", r, "challenge-authenticator", "select-authenticator-authenticate")
	want = mustJSON(t, `{"name": "credentials", "type": "object", "required": true, "form": {"value": [
		{"name": "questionKey", "label": "`+question+`", "required": true, "value": "disliked_food", "visible": false, "mutable": false},
		{"name": "answer", "label": "Answer", "required": true}]}}`)
	if diff := cmp.Diff(want, credentialFields(t, r.doc, "challenge-authenticator")); diff != "" {
		t.Errorf("credentials (-want +got):\n%s", diff)
	}
	cur := path(t, r.doc, "currentAuthenticatorEnrollment", "value").(map[string]any)
	if diff := cmp.Diff(profile, cur["profile"]); diff != "" {
		t.Errorf("current profile (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"enrolledQuestion": profile}, cur["contextualData"]); diff != "" {
		t.Errorf("contextualData (-want +got):\n%s", diff)
	}

	answer := func(a string) reply {
		return f.submit("challenge-authenticator", map[string]any{"credentials": map[string]any{"questionKey": "disliked_food", "answer": a}})
	}
	for _, tc := range []struct {
		answer string
		status int
		key    string
	}{
		{"  ", http.StatusBadRequest, "model.validation.field.blank"},
		{"broccoli", http.StatusUnauthorized, "authfactor.challenge.question_factor.answer_invalid"},
		{"Brussels", http.StatusUnauthorized, "authfactor.challenge.question_factor.answer_invalid"},
	} {
		r = answer(tc.answer)
		if r.status != tc.status {
			t.Fatalf("answer %q: %v", tc.answer, r)
		}
		if diff := cmp.Diff([]string{tc.key}, fieldKeys(t, r.doc, "challenge-authenticator", "name=credentials", "form", "value", "name=answer")); diff != "" {
			t.Errorf("answer %q: messages (-want +got):\n%s", tc.answer, diff)
		}
	}
	f.mustOK("answer", answer(" brussels SPROUTS "))
	if diff := cmp.Diff([]string{"pwd", "kba"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestSecurityQuestionCustomVerify shows a custom question's own text.
func TestSecurityQuestionCustomVerify(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlowUser(t, srv, func(u *idxtest.User) {
		u.SecurityQuestion = &idxtest.SecurityQuestion{Key: "custom", Question: "Name of the first ship?", Answer: "Argo"}
	})
	f.signIn()
	r := f.choose("select-authenticator-authenticate", idxtest.AuthenticatorSecurityQuestion, nil)
	if got := str(t, r.doc, "currentAuthenticatorEnrollment", "value", "profile", "question"); got != "Name of the first ship?" {
		t.Errorf("question %q", got)
	}
	f.mustOK("answer", f.submit("challenge-authenticator", map[string]any{"credentials": map[string]any{"answer": "argo"}}))
}

func sqEnrollOrg(t *testing.T) *idxtest.Server {
	return newOrg(t, idxtest.WithPolicy(idxtest.Policy{
		Factors:        2,
		Authenticators: []string{idxtest.AuthenticatorPassword, idxtest.AuthenticatorSecurityQuestion},
		Enrollment:     []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorSecurityQuestion, Required: true}},
	}))
}

// TestSecurityQuestionEnroll enrolls a catalog question after refused
// answers, then signs in with it.
func TestSecurityQuestionEnroll(t *testing.T) {
	t.Parallel()
	srv := sqEnrollOrg(t)
	f := newFlow(t, srv)
	f.mustOK("identify", f.signIn(), "select-authenticator-enroll")
	r := f.choose("select-authenticator-enroll", idxtest.AuthenticatorSecurityQuestion, nil)
	f.mustOK("select", r, "enroll-authenticator", "select-authenticator-enroll")

	ctx := path(t, r.doc, "currentAuthenticator", "value", "contextualData").(map[string]any)
	keys := path(t, ctx, "questionKeys").([]any)
	questions := path(t, ctx, "questions").([]any)
	if len(keys) != len(questions)+1 || keys[len(keys)-1] != "custom" || len(questions) < 3 {
		t.Fatalf("contextualData = %v", ctx)
	}
	if diff := cmp.Diff(mustJSON(t, `{"questionKey": "disliked_food", "question": "What is the food you least liked as a child?"}`), questions[0]); diff != "" {
		t.Errorf("first question (-want +got):\n%s", diff)
	}
	cred := credentialFields(t, r.doc, "enroll-authenticator").(map[string]any)
	if cred["type"] != "object" || cred["required"] != true {
		t.Errorf("credentials = %v", cred)
	}
	opts := path(t, cred, "options").([]any)
	if len(opts) != 2 {
		t.Fatalf("%d options", len(opts))
	}
	catalog := path(t, opts[0], "value", "form", "value", "name=questionKey", "options").([]any)
	if len(catalog) != len(questions) || path(t, catalog[0], "value") != "disliked_food" {
		t.Errorf("catalog options = %v", catalog)
	}
	wantCustom := mustJSON(t, `{"label": "Create my own security question", "value": {"form": {"value": [
		{"name": "questionKey", "required": true, "value": "custom", "mutable": false},
		{"name": "question", "label": "Create a security question", "required": true},
		{"name": "answer", "label": "Answer", "required": true, "secret": true}]}}}`)
	if diff := cmp.Diff(wantCustom, opts[1]); diff != "" {
		t.Errorf("custom option (-want +got):\n%s", diff)
	}

	enroll := func(cred map[string]any) reply {
		return f.submit("enroll-authenticator", map[string]any{"credentials": cred})
	}
	for _, tc := range []struct {
		name  string
		cred  map[string]any
		field string // the field with the message in each option
		key   string
	}{
		{"no key", map[string]any{"answer": "pizza"}, "questionKey", "model.validation.field.blank"},
		{"blank answer", map[string]any{"questionKey": "disliked_food", "answer": ""}, "answer", "model.validation.field.blank"},
		{"short answer", map[string]any{"questionKey": "disliked_food", "answer": "abc"}, "answer", "securityQuestion.answer.tooShort.arg"},
		{"custom without question", map[string]any{"questionKey": "custom", "answer": "pizza"}, "question", "model.validation.field.blank"},
	} {
		r = enroll(tc.cred)
		if r.status != http.StatusBadRequest {
			t.Fatalf("%s: %v", tc.name, r)
		}
		var got []string
		for _, o := range path(t, credentialFields(t, r.doc, "enroll-authenticator"), "options").([]any) {
			for _, fld := range path(t, o, "value", "form", "value").([]any) {
				if fld.(map[string]any)["name"] == tc.field {
					got = append(got, messageKeys(t, fld)...)
				}
			}
		}
		want := []string{tc.key, tc.key}
		if tc.field == "question" {
			want = want[:1] // only the custom option has the field
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: messages (-want +got):\n%s", tc.name, diff)
		}
	}
	r = enroll(map[string]any{"questionKey": "no_such_question", "answer": "pizza"})
	if r.status != http.StatusBadRequest || !cmp.Equal(messageKeys(t, r.doc), []string{"errors.E0000001"}) {
		t.Errorf("unknown key: %v", r)
	}

	f.mustOK("enroll", enroll(map[string]any{"questionKey": "favorite_vacation_location", "answer": "Lisbon"}))
	if diff := cmp.Diff([]string{"pwd", "kba"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}

	g := &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
		state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: f.password}
	g.signIn()
	r = g.choose("select-authenticator-authenticate", idxtest.AuthenticatorSecurityQuestion, nil)
	if got := str(t, r.doc, "currentAuthenticatorEnrollment", "value", "profile", "question"); got != "Where did you go for your favorite vacation?" {
		t.Errorf("enrolled question %q", got)
	}
	g.mustOK("verify", g.submit("challenge-authenticator", map[string]any{"credentials": map[string]any{"answer": "LISBON"}}))
}

// TestSecurityQuestionEnrollCustom enrolls a question of the user's own.
func TestSecurityQuestionEnrollCustom(t *testing.T) {
	t.Parallel()
	srv := sqEnrollOrg(t)
	f := newFlow(t, srv)
	f.signIn()
	f.choose("select-authenticator-enroll", idxtest.AuthenticatorSecurityQuestion, nil)
	f.mustOK("enroll", f.submit("enroll-authenticator", map[string]any{"credentials": map[string]any{
		"questionKey": "custom", "question": "Favourite tree?", "answer": "Oak tree"}}))

	g := &flow{t: t, srv: srv, c: srv.Client(), clientID: f.clientID, verifier: f.verifier, challenge: f.challenge,
		state: f.state, nonce: f.nonce, scope: f.scope, user: f.user, password: f.password}
	g.signIn()
	r := g.choose("select-authenticator-authenticate", idxtest.AuthenticatorSecurityQuestion, nil)
	want := mustJSON(t, `{"questionKey": "custom", "question": "Favourite tree?"}`)
	if diff := cmp.Diff(want, path(t, r.doc, "currentAuthenticatorEnrollment", "value", "profile")); diff != "" {
		t.Errorf("profile (-want +got):\n%s", diff)
	}
	r = g.submit("challenge-authenticator", map[string]any{"credentials": map[string]any{"answer": "oak"}})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("wrong answer: %v", r)
	}
	g.mustOK("verify", g.submit("challenge-authenticator", map[string]any{"credentials": map[string]any{"answer": "oak tree"}}))
}
