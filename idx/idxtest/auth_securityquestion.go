package idxtest

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"unicode/utf8"
)

// This file is the security question authenticator (security_question):
// the user answers the question chosen at enrollment, one of Okta's
// catalog or a question of their own ("custom"). Answers are compared
// without regard to case or surrounding spaces; at enrollment they must
// be at least 4 characters long, Okta's default.

// sqMinAnswer is the shortest answer enrollment accepts.
const sqMinAnswer = 4

// sqCustom is the questionKey of a question the user writes.
const sqCustom = "custom"

// sqQuestion is one question of the catalog.
type sqQuestion struct {
	QuestionKey string `json:"questionKey"`
	Question    string `json:"question"`
}

// sqCatalog are the questions offered at enrollment, in order. It is a
// constant table: nothing writes to it.
var sqCatalog = []sqQuestion{
	{"disliked_food", "What is the food you least liked as a child?"},
	{"name_of_first_plush_toy", "What is the name of your first stuffed animal?"},
	{"first_award", "What did you earn your first medal or award for?"},
	{"favorite_security_question", "What is your favorite security question?"},
	{"favorite_toy", "What is the toy/stuffed animal you liked the most as a kid?"},
	{"first_computer_game", "What was the first computer game you played?"},
	{"favorite_movie_quote", "What is your favorite movie quote?"},
	{"first_sports_team_mascot", "What was the mascot of the first sports team you played on?"},
	{"first_music_purchase", "What music album or song did you first purchase?"},
	{"favorite_art_piece", "What is your favorite piece of art?"},
	{"grandmother_favorite_desert", "What was your grandmother's favorite dessert?"},
	{"first_thing_cooked", "What was the first thing you learned to cook?"},
	{"childhood_dream_job", "What was your dream job as a child?"},
	{"place_where_significant_other_was_met", "Where did you meet your spouse/significant other?"},
	{"favorite_vacation_location", "Where did you go for your favorite vacation?"},
	{"new_years_two_thousand", "Where were you on New Year's Eve in the year 2000?"},
	{"favorite_speaker_actor", "Who is your favorite speaker/orator?"},
	{"favorite_book_movie_character", "Who is your favorite book/movie character?"},
	{"favorite_sports_player", "Who is your favorite sports player?"},
}

// sqCatalogQuestion returns the text of a catalog question key.
func sqCatalogQuestion(key string) (string, bool) {
	for _, q := range sqCatalog {
		if q.QuestionKey == key {
			return q.Question, true
		}
	}
	return "", false
}

type securityQuestionKind struct{ kindBase }

func newSecurityQuestionKind() *securityQuestionKind {
	return &securityQuestionKind{kindBase{
		key: AuthenticatorSecurityQuestion, typ: "security_question", displayName: "Security Question",
		methods: []methodInfo{{typ: "security_question", label: "Security Question", amr: "kba"}},
	}}
}

// question returns u's question key and text; a catalog key without a
// text gets the catalog's.
func (k *securityQuestionKind) question(u *userRecord) (key, text string) {
	q := u.SecurityQuestion
	if q == nil {
		return "", ""
	}
	text = q.Question
	if text == "" {
		text, _ = sqCatalogQuestion(q.Key)
	}
	return q.Key, text
}

func (k *securityQuestionKind) profile(u *userRecord) *authenticatorProfile {
	if u.enrollments[k.key] == nil {
		return nil
	}
	key, text := k.question(u)
	return &authenticatorProfile{QuestionKey: key, Question: text}
}

// selectFields: the option carries only the id, as Okta's does.
func (k *securityQuestionKind) selectFields(*call) []ionField { return nil }

func (k *securityQuestionKind) challenge(c *call, _ string, _ bool) *idxResult {
	c.t.setStep(stepChallenge, k)
	c.t.method = "security_question"
	return nil
}

// challengeFields: the question (immutable) and the answer when
// verifying; the catalog or a custom question, each with an answer, when
// enrolling.
func (k *securityQuestionKind) challengeFields(c *call) []ionField {
	if c.t.step == stepEnroll {
		opts := make([]ionOption, 0, len(sqCatalog))
		for _, q := range sqCatalog {
			opts = append(opts, ionOption{Label: q.Question, Value: q.QuestionKey})
		}
		answer := ionField{Name: "answer", Label: "Answer", Required: pTrue, Secret: pTrue}
		return []ionField{{
			Name: "credentials", Type: "object", Required: pTrue,
			Options: []ionOption{
				{Label: "Choose a security question", Value: optionValue{Form: ionSubForm{Value: []ionField{
					{Name: "questionKey", Type: "string", Label: "Choose a security question", Required: pTrue, Options: opts},
					answer,
				}}}},
				{Label: "Create my own security question", Value: optionValue{Form: ionSubForm{Value: []ionField{
					immutableValue("questionKey", sqCustom, true),
					{Name: "question", Label: "Create a security question", Required: pTrue},
					answer,
				}}}},
			},
		}}
	}
	key, text := k.question(c.shownUser(k))
	return []ionField{objectField("credentials", "", true,
		ionField{Name: "questionKey", Label: text, Required: pTrue, Value: key, Visible: pFalse, Mutable: pFalse},
		ionField{Name: "answer", Label: "Answer", Required: pTrue},
	)}
}

// sqEnrolledContext and sqEnrollContext are the contextualData when
// verifying and when enrolling.
type sqEnrolledContext struct {
	EnrolledQuestion sqQuestion `json:"enrolledQuestion"`
}

type sqEnrollContext struct {
	QuestionKeys []string     `json:"questionKeys"`
	Questions    []sqQuestion `json:"questions"`
}

func (k *securityQuestionKind) decorate(c *call, doc *authenticatorDoc) {
	switch c.t.step {
	case stepChallenge:
		key, text := k.question(c.shownUser(k))
		doc.ContextualData = sqEnrolledContext{EnrolledQuestion: sqQuestion{QuestionKey: key, Question: text}}
	case stepEnroll:
		keys := make([]string, 0, len(sqCatalog)+1)
		for _, q := range sqCatalog {
			keys = append(keys, q.QuestionKey)
		}
		doc.ContextualData = sqEnrollContext{QuestionKeys: append(keys, sqCustom), Questions: sqCatalog}
	}
}

type sqBody struct {
	Credentials *struct {
		QuestionKey *string `json:"questionKey"`
		Question    *string `json:"question"`
		Answer      *string `json:"answer"`
	} `json:"credentials"`
}

func (b *sqBody) fields() (key, question, answer string) {
	if b.Credentials == nil {
		return "", "", ""
	}
	get := func(p *string) string {
		if p == nil {
			return ""
		}
		return strings.TrimSpace(*p)
	}
	return get(b.Credentials.QuestionKey), get(b.Credentials.Question), get(b.Credentials.Answer)
}

// sameAnswer compares answers without regard to case, in constant time
// for a given length.
func sameAnswer(got, want string) bool {
	g, w := strings.ToLower(strings.TrimSpace(got)), strings.ToLower(strings.TrimSpace(want))
	return subtle.ConstantTimeCompare([]byte(g), []byte(w)) == 1
}

func msgSQAnswerInvalid() ionMessage {
	return errorMessage("Your answer doesn't match our records. Please try again.", "authfactor.challenge.question_factor.answer_invalid")
}

func msgSQAnswerTooShort() ionMessage {
	return errorMessage("The security question answer must be at least 4 characters in length",
		"securityQuestion.answer.tooShort.arg", sqMinAnswer)
}

func (k *securityQuestionKind) verify(c *call, raw []byte) *idxResult {
	var b sqBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	_, _, answer := b.fields()
	if answer == "" {
		return failPtr(c.failField(http.StatusBadRequest, stepChallenge, "credentials.answer", msgBlank()))
	}
	if q := c.t.user.SecurityQuestion; q == nil || !sameAnswer(answer, q.Answer) {
		c.s.cfg.logger.Info("idxtest security answer rejected")
		return failPtr(c.failField(http.StatusUnauthorized, stepChallenge, "credentials.answer", msgSQAnswerInvalid()))
	}
	return nil
}

// Enrollment.

func (k *securityQuestionKind) enrollFields(c *call) []ionField {
	return k.kindBase.selectFields(c)
}
func (k *securityQuestionKind) enrollmentDataFields(*call) []ionField { return nil }

func (k *securityQuestionKind) startEnroll(c *call, _ []byte) *idxResult {
	c.t.setStep(stepEnroll, k)
	c.t.method = "security_question"
	return nil
}

// failEnrollField answers enroll-authenticator with msg on the field
// named name of each credentials option that has one, as Okta places
// messages in this form.
func (c *call) failEnrollField(status int, name string, msg ionMessage) idxResult {
	resp := c.s.render(c.t)
	placed := false
	if f := resp.findField(stepEnroll, "credentials"); f != nil {
		for _, o := range f.Options {
			ov, ok := o.Value.(optionValue)
			if !ok {
				continue
			}
			for i := range ov.Form.Value {
				if fld := &ov.Form.Value[i]; fld.Name == name {
					fld.Messages = listOf(msg)
					placed = true
				}
			}
		}
	}
	if !placed {
		resp.addMessage(msg)
	}
	return idxResult{status: status, body: resp, emails: c.sent}
}

func (k *securityQuestionKind) finishEnroll(c *call, raw []byte) *idxResult {
	var b sqBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	key, question, answer := b.fields()
	if key == "" {
		return failPtr(c.failEnrollField(http.StatusBadRequest, "questionKey", msgBlank()))
	}
	if key == sqCustom {
		if question == "" {
			return failPtr(c.failEnrollField(http.StatusBadRequest, "question", msgBlank()))
		}
	} else {
		text, ok := sqCatalogQuestion(key)
		if !ok {
			return failPtr(c.fail(http.StatusBadRequest, msgInvalidValue("credentials.questionKey")))
		}
		question = text
	}
	if answer == "" {
		return failPtr(c.failEnrollField(http.StatusBadRequest, "answer", msgBlank()))
	}
	if utf8.RuneCountInString(answer) < sqMinAnswer {
		return failPtr(c.failEnrollField(http.StatusBadRequest, "answer", msgSQAnswerTooShort()))
	}
	u := c.t.user
	u.enrollments[k.key] = &enrollment{id: randomOktaID("qae"), value: key}
	u.SecurityQuestion = &SecurityQuestion{Key: key, Question: question, Answer: answer}
	return nil
}
