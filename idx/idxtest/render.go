package idxtest

import (
	"strconv"
	"strings"
)

// This file turns a transaction into the IDX document of its state.

const (
	relatesToCurrentEnrollment    = "$.currentAuthenticatorEnrollment"
	relatesToCurrentAuthenticator = "$.currentAuthenticator"
)

func (s *Server) href(path string) string {
	if s.URL == s.urls.base {
		if h, ok := s.urls.hrefs[path]; ok {
			return h
		}
	}
	return s.URL + path
}

// enrollmentsPath is the relatesTo of the i-th authenticatorEnrollments
// entry, authenticatorsPath of the i-th authenticators entry.
func enrollmentsPath(i int) string {
	return "$.authenticatorEnrollments.value[" + strconv.Itoa(i) + "]"
}
func authenticatorsPath(i int) string { return "$.authenticators.value[" + strconv.Itoa(i) + "]" }

// render returns the IDX document for t's current step: the step's forms,
// then what the step adds (current authenticator, lists, user).
func (s *Server) render(t *transaction) *idxResponse {
	resp := &idxResponse{
		Version:     idxVersion,
		StateHandle: t.handle,
		ExpiresAt:   t.expiresAt.UTC().Format(expiresAtLayout),
		Intent:      "LOGIN",
		Cancel:      newForm("cancel", s.href("/idp/idx/cancel"), stateHandleField(t.handle)),
		App:         objectOf(appDoc{Name: "oidc_client", Label: t.interaction.app.ClientID, ID: t.interaction.app.ClientID}),
	}
	c := &call{s: s, now: s.now(), t: t}
	step := s.org.steps[t.step]
	resp.Step = step.page
	if names := step.forms(c); len(names) > 0 {
		forms := make([]*ionForm, len(names))
		for i, n := range names {
			forms[i] = s.org.forms[n].render(c)
		}
		resp.Remediation = listOf(forms...)
	}
	if step.decorate != nil {
		step.decorate(c, resp)
	}
	c.decorateCaptcha(resp)
	decorateDevice(c, resp) // devicechallenge.go
	return resp
}

// userTimeZone is the profile timeZone of every user.
const userTimeZone = "America/Los_Angeles"

// userObject is the user of an answer: the ID and username, when the
// password was last set, and the profile.
func userObject(u *userRecord) *ionObject[userDoc] {
	d := userDoc{
		ID:         u.ID,
		Identifier: u.Username,
		Profile: &userProfileDoc{
			Login: u.Username, FirstName: u.GivenName, LastName: u.FamilyName,
			TimeZone: userTimeZone, Locale: u.Locale,
		},
	}
	if !u.passwordChanged.IsZero() {
		d.PasswordChanged = u.passwordChanged.UTC().Format(expiresAtLayout)
	}
	return objectOf(d)
}

// userIdentifier is the user of an answer that shows no more than the username
// typed: the ID and the username.
func userIdentifier(u *userRecord) *ionObject[userDoc] {
	return objectOf(userDoc{ID: u.ID, Identifier: u.Username})
}

// resendForm is the resend action of a current authenticator.
func (s *Server) resendForm(t *transaction) *ionForm {
	return newForm("resend", s.href("/idp/idx/challenge/resend"), stateHandleField(t.handle))
}

// successForm is the successWithInteractionCode form: it posts to the token
// endpoint, form-encoded.
func (s *Server) successForm(t *transaction) *ionForm {
	fields := []ionField{
		{Name: "grant_type", Required: pTrue, Value: "interaction_code"},
		{Name: "interaction_code", Required: pTrue, Value: t.successCode},
		{Name: "client_id", Required: pTrue, Value: t.interaction.app.ClientID},
	}
	if t.interaction.app.confidential() {
		// Okta asks a client with a secret for it in the form too;
		// okta-idx-golang sends only the fields the form has.
		fields = append(fields, ionField{Name: "client_secret", Required: pTrue})
	}
	return &ionForm{
		Rel:     []string{"create-form"},
		Name:    "issue",
		Href:    s.href(issuerPath + "/v1/token"),
		Method:  "POST",
		Value:   append(fields, ionField{Name: "code_verifier", Required: pTrue}),
		Accepts: formAccepts,
	}
}

// maskEmail hides most of an address the way Okta does:
// "demo@example.com" becomes "d***o@example.com".
func maskEmail(addr string) string {
	at := strings.LastIndex(addr, "@")
	if at <= 0 {
		return "***"
	}
	local, domain := []rune(addr[:at]), addr[at:]
	if len(local) <= 2 {
		return string(local[:1]) + "***" + domain
	}
	return string(local[:1]) + "***" + string(local[len(local)-1:]) + domain
}
