package idxtest

import "strings"

// This file turns a transaction into the IDX document of its state.

const (
	relatesToCurrentEnrollment = "$.currentAuthenticatorEnrollment"
	relatesToFirstEnrollment   = "$.authenticatorEnrollments.value[0]"
)

func (s *Server) href(path string) string {
	if s.URL == s.urls.base {
		if h, ok := s.urls.hrefs[path]; ok {
			return h
		}
	}
	return s.URL + path
}

// render returns the IDX document for t's current state.
func (s *Server) render(t *transaction) *idxResponse {
	resp := &idxResponse{
		Version:     idxVersion,
		StateHandle: t.handle,
		ExpiresAt:   t.expiresAt.UTC().Format(expiresAtLayout),
		Intent:      "LOGIN",
		Cancel:      newForm("cancel", s.href("/idp/idx/cancel"), stateHandleField(t.handle)),
		App:         objectOf(appDoc{Name: "oidc_client", Label: t.interaction.app.ClientID, ID: t.interaction.app.ClientID}),
	}
	switch t.state {
	case stateIdentify:
		resp.Remediation = listOf(s.identifyForm(t))
		resp.CurrentAuthenticator = objectOf(authenticatorDoc{
			Type:        "password",
			Key:         "okta_password",
			ID:          s.passwordAuthenticatorID,
			DisplayName: "Password",
			Methods:     []methodDoc{{Type: "password"}},
		})
	case stateSelect:
		resp.Remediation = listOf(s.selectAuthenticatorForm(t))
		s.addUserAndEnrollments(resp, t)
	case stateVerificationData:
		resp.Remediation = listOf(s.verificationDataForm(t), s.selectAuthenticatorForm(t))
		cur := s.emailEnrollment(t.user)
		cur.Resend = newForm("resend", s.href("/idp/idx/challenge/resend"), stateHandleField(t.handle))
		resp.CurrentAuthenticatorEnrollment = objectOf(cur)
		s.addUserAndEnrollments(resp, t)
	case stateChallenge:
		resp.Remediation = listOf(s.challengeForm(t), s.selectAuthenticatorForm(t))
		cur := s.emailEnrollment(t.user)
		cur.Resend = newForm("resend", s.href("/idp/idx/challenge/resend"), stateHandleField(t.handle))
		cur.Poll = newForm("poll", s.href("/idp/idx/challenge/poll"), stateHandleField(t.handle))
		cur.Poll.Refresh = 4000
		resp.CurrentAuthenticatorEnrollment = objectOf(cur)
		s.addUserAndEnrollments(resp, t)
	case stateSuccess:
		resp.User = s.userObject(t.user)
		resp.SuccessWithInteractionCode = s.successForm(t)
	}
	return resp
}

func (s *Server) addUserAndEnrollments(resp *idxResponse, t *transaction) {
	resp.Authenticators = listOf(s.emailAuthenticator())
	resp.AuthenticatorEnrollments = listOf(s.emailEnrollment(t.user))
	resp.User = s.userObject(t.user)
}

func (s *Server) userObject(u *userRecord) *ionObject[userDoc] {
	return objectOf(userDoc{
		ID:         u.ID,
		Identifier: u.Username,
		Profile:    &userProfileDoc{FirstName: u.GivenName, LastName: u.FamilyName, Locale: u.Locale},
	})
}

func (s *Server) emailAuthenticator() authenticatorDoc {
	return authenticatorDoc{
		Type:        "email",
		Key:         "okta_email",
		ID:          s.emailAuthenticatorID,
		DisplayName: "Email",
		Methods:     []methodDoc{{Type: "email"}},
	}
}

func (s *Server) emailEnrollment(u *userRecord) authenticatorDoc {
	return authenticatorDoc{
		Profile:     &authenticatorProfile{Email: maskEmail(u.Email)},
		Type:        "email",
		Key:         "okta_email",
		ID:          u.emailEnrollmentID,
		DisplayName: "Email",
		Methods:     []methodDoc{{Type: "email"}},
	}
}

func (s *Server) identifyForm(t *transaction) *ionForm {
	return newForm("identify", s.href("/idp/idx/identify"),
		ionField{Name: "identifier", Label: "Username", Required: pTrue},
		objectField("credentials", "", true, ionField{Name: "passcode", Label: "Password", Secret: pTrue}),
		ionField{Name: "rememberMe", Label: "Keep me signed in", Type: "boolean"},
		stateHandleField(t.handle),
	)
}

func (s *Server) selectAuthenticatorForm(t *transaction) *ionForm {
	email := ionOption{
		Label: "Email",
		Value: optionValue{Form: ionSubForm{Value: []ionField{
			immutableValue("id", s.emailAuthenticatorID, true),
			immutableValue("methodType", "email", false),
		}}},
		RelatesTo: relatesToFirstEnrollment,
	}
	return newForm("select-authenticator-authenticate", s.href("/idp/idx/challenge"),
		ionField{Name: "authenticator", Type: "object", Options: []ionOption{email}},
		stateHandleField(t.handle),
	)
}

func (s *Server) verificationDataForm(t *transaction) *ionForm {
	f := newForm("authenticator-verification-data", s.href("/idp/idx/challenge"),
		ionField{Name: "authenticator", Label: "Email", Form: &ionSubForm{Value: []ionField{
			immutableValue("id", s.emailAuthenticatorID, true),
			{Name: "methodType", Type: "string", Required: pTrue, Options: []ionOption{{Label: "Email", Value: "email"}}},
		}}},
		stateHandleField(t.handle),
	)
	f.RelatesTo = []string{relatesToCurrentEnrollment}
	return f
}

func (s *Server) challengeForm(t *transaction) *ionForm {
	f := newForm("challenge-authenticator", s.href("/idp/idx/challenge/answer"),
		objectField("credentials", "", true, ionField{Name: "passcode", Label: "Enter code"}),
		stateHandleField(t.handle),
	)
	f.RelatesTo = []string{relatesToCurrentEnrollment}
	return f
}

// successForm is the successWithInteractionCode form: it posts to the token
// endpoint, form-encoded.
func (s *Server) successForm(t *transaction) *ionForm {
	return &ionForm{
		Rel:    []string{"create-form"},
		Name:   "issue",
		Href:   s.href(issuerPath + "/v1/token"),
		Method: "POST",
		Value: []ionField{
			{Name: "grant_type", Required: pTrue, Value: "interaction_code"},
			{Name: "interaction_code", Required: pTrue, Value: t.successCode},
			{Name: "client_id", Required: pTrue, Value: t.interaction.app.ClientID},
			{Name: "code_verifier", Required: pTrue},
		},
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
