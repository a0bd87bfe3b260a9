package idxtest

import (
	"net/http"
	"strings"
)

// This file is the authenticate flow: identify (username and password),
// then select-authenticator-authenticate, authenticator-verification-data
// and challenge-authenticator until the policy's factors are verified.

func registerAuthenticate(o *org) {
	o.addStep(stepIdentify, stepDef{
		forms: func(c *call) []string {
			forms := []string{"identify"}
			forms = append(forms, identifyForms(c)...)
			forms = append(forms, registrationForms(c)...)
			forms = append(forms, unlockForms(c)...)
			forms = append(forms, deviceForms(c)...)
			return forms
		},
		decorate: func(c *call, resp *idxResponse) {
			if !c.s.org.policy.IdentifierFirst {
				resp.CurrentAuthenticator = objectOf(kindDoc(c.s.org.byKey[AuthenticatorPassword]))
				decorateIdentifyRecover(c, resp)
			}
		},
		page: "IDENTIFY",
	})
	o.addStep(stepSelect, stepDef{
		forms:    func(*call) []string { return []string{"select-authenticator-authenticate"} },
		decorate: decorateVerifiable,
	})
	o.addStep(stepVerificationData, stepDef{
		forms: func(*call) []string {
			return []string{"authenticator-verification-data", "select-authenticator-authenticate"}
		},
		decorate: decorateCurrent,
	})
	o.addStep(stepChallenge, stepDef{
		forms: func(*call) []string {
			return []string{"challenge-authenticator", "select-authenticator-authenticate"}
		},
		decorate: decorateCurrent,
	})
	o.addStep(stepSuccess, stepDef{
		forms: func(*call) []string { return nil },
		decorate: func(c *call, resp *idxResponse) {
			resp.User = userObject(c.t.user)
			resp.SuccessWithInteractionCode = c.s.successForm(c.t)
		},
	})

	o.addForm("identify", formDef{path: "/idp/idx/identify", render: renderIdentify, submit: submitIdentify})
	o.addForm("select-authenticator-authenticate", formDef{path: "/idp/idx/challenge", render: renderSelect, submit: submitSelect})
	o.addForm("authenticator-verification-data", formDef{path: "/idp/idx/challenge", render: renderVerificationData, submit: submitVerificationData})
	o.addForm("challenge-authenticator", formDef{path: "/idp/idx/challenge/answer", render: renderChallenge, submit: submitChallenge})
}

// decorateVerifiable lists the authenticators on offer and the user.
func decorateVerifiable(c *call, resp *idxResponse) {
	kinds := c.verifiable()
	auths := make([]authenticatorDoc, len(kinds))
	enrs := make([]authenticatorDoc, len(kinds))
	for i, k := range kinds {
		auths[i] = kindDoc(k)
		enrs[i] = c.enrollmentDocOf(k)
	}
	resp.Authenticators = listOf(auths...)
	resp.AuthenticatorEnrollments = listOf(enrs...)
	resp.User = userObject(c.t.user)
	if len(c.t.verified) == 0 {
		// Only a username was given (identifier-first): no profile yet.
		resp.User = userIdentifier(c.t.user)
	}
	redactSelfServiceUser(c, resp)
	decorateRecovery(c, resp)
}

// decorateCurrent adds the authenticator being verified to
// decorateVerifiable, with the method in force once one is chosen: as
// currentAuthenticatorEnrollment (the user's enrollment), or, for the
// kinds Okta describes by the authenticator (kindBase.currentIsKind), as
// currentAuthenticator.
func decorateCurrent(c *call, resp *idxResponse) {
	decorateVerifiable(c, resp)
	k := c.t.kind
	b := k.base()
	cur := kindDoc(k)
	if !b.currentIsKind {
		cur = c.enrollmentDocOf(k)
	}
	if m, ok := b.method(c.t.method); ok {
		cur.Methods = []methodDoc{{Type: m.typ}}
	}
	k.decorate(c, &cur)
	if b.currentIsKind {
		resp.CurrentAuthenticator = objectOf(cur)
	} else {
		resp.CurrentAuthenticatorEnrollment = objectOf(cur)
	}
}

// currentRef is the relatesTo of the forms that verify the current kind:
// the current authenticator document decorateCurrent adds.
func (c *call) currentRef() []string {
	if c.t.kind.base().currentIsKind {
		return []string{relatesToCurrentAuthenticator}
	}
	return []string{relatesToCurrentEnrollment}
}

// renderIdentify is identify: the username and, unless the org is
// identifier-first, the password.
func renderIdentify(c *call) *ionForm {
	fields := []ionField{{Name: "identifier", Label: "Username", Required: pTrue, Value: c.identifierValue()}}
	if !c.s.org.policy.IdentifierFirst {
		fields = append(fields, objectField("credentials", "", true, ionField{Name: "passcode", Label: "Password", Secret: pTrue}))
	}
	remember := ionField{Name: "rememberMe", Label: "Keep me signed in", Type: "boolean"}
	if c.s.org.policy.RememberMeChecked {
		remember.Value = true
	}
	fields = append(fields, remember)
	fields = append(fields, c.captchaFields()...)
	fields = append(fields, stateHandleField(c.t.handle))
	return newForm("identify", c.s.href("/idp/idx/identify"), fields...)
}

type identifyBody struct {
	Identifier  *string       `json:"identifier"`
	Credentials *passcodeBody `json:"credentials"`
	RememberMe  *bool         `json:"rememberMe"`
}

type passcodeBody struct {
	Passcode *string `json:"passcode"`
}

func (p *passcodeBody) value() string {
	if p == nil || p.Passcode == nil {
		return ""
	}
	return *p.Passcode
}

func submitIdentify(c *call, raw []byte) idxResult {
	var b identifyBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	if res := c.captchaGate("identify", raw); res != nil {
		return *res
	}
	c.t.kmsi.rememberMe = b.RememberMe != nil && *b.RememberMe
	identifier := ""
	if b.Identifier != nil {
		identifier = strings.TrimSpace(*b.Identifier)
	}
	if identifier == "" {
		return c.failField(http.StatusBadRequest, "identify", "identifier", msgBlank())
	}
	if c.s.org.policy.IdentifierFirst {
		// The password is a challenge of its own (passwordChallengeDue).
		u := c.s.users[strings.ToLower(identifier)]
		if u == nil || u.enrollments[AuthenticatorPassword] == nil {
			c.s.cfg.logger.Info("idxtest identify failed")
			return c.fail(http.StatusUnauthorized, msgAuthFailed())
		}
		c.t.user = u
		return c.advance()
	}
	password := b.Credentials.value()
	if password == "" {
		return c.failField(http.StatusBadRequest, "identify", "credentials.passcode", msgBlank())
	}
	u := c.s.users[strings.ToLower(identifier)]
	if res := c.lockoutGate(u, password); res != nil {
		return *res
	}
	if !checkPassword(u, password) {
		c.s.cfg.logger.Info("idxtest identify failed")
		return c.fail(http.StatusUnauthorized, msgAuthFailed())
	}
	c.t.user = u
	c.t.markVerified(c.s.org.byKey[AuthenticatorPassword], "password")
	return c.advance()
}

// renderSelect is select-authenticator-authenticate: one option per
// authenticator on offer, relating to its enrollment.
func renderSelect(c *call) *ionForm {
	kinds := c.verifiable()
	opts := make([]ionOption, len(kinds))
	for i, k := range kinds {
		b := k.base()
		fields := append([]ionField{hiddenValue("id", b.id, true)}, k.selectFields(c)...)
		opts[i] = ionOption{
			Label:     b.displayName,
			Value:     optionValue{Form: ionSubForm{Value: fields}},
			RelatesTo: enrollmentsPath(i),
		}
		if b.relatesToKind {
			opts[i].RelatesTo = authenticatorsPath(i)
		}
	}
	return newForm("select-authenticator-authenticate", c.s.href("/idp/idx/challenge"),
		ionField{Name: "authenticator", Type: "object", Options: opts},
		stateHandleField(c.t.handle),
	)
}

type authenticatorRef struct {
	ID           string `json:"id"`
	MethodType   string `json:"methodType"`
	EnrollmentID string `json:"enrollmentId"`
}

type challengeBody struct {
	Authenticator *authenticatorRef `json:"authenticator"`
}

// chosen decodes an authenticator choice among the kinds on offer: the
// kind, the method ("" if none) or the error answer.
func (c *call) chosen(raw []byte) (authenticatorKind, string, *idxResult) {
	var b challengeBody
	if !decode(raw, &b) {
		return nil, "", failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	ref := b.Authenticator
	if ref == nil || ref.ID == "" {
		return nil, "", failPtr(c.fail(http.StatusBadRequest, msgInvalidValue("authenticator")))
	}
	var kind authenticatorKind
	for _, k := range c.verifiable() {
		if k.base().id == ref.ID {
			kind = k
		}
	}
	if kind == nil {
		return nil, "", failPtr(c.fail(http.StatusBadRequest, msgInvalidValue("authenticator.id")))
	}
	if _, ok := kind.base().method(ref.MethodType); ref.MethodType != "" && !ok {
		return nil, "", failPtr(c.fail(http.StatusBadRequest, msgInvalidValue("authenticator.methodType")))
	}
	return kind, ref.MethodType, nil
}

func submitSelect(c *call, raw []byte) idxResult {
	kind, method, fail := c.chosen(raw)
	if fail != nil {
		return *fail
	}
	c.t.setStep(stepSelect, kind)
	if res := kind.challenge(c, method, false); res != nil {
		return *res
	}
	return c.ok()
}

func renderVerificationData(c *call) *ionForm {
	b := c.t.kind.base()
	fields := append([]ionField{immutableValue("id", b.id, true)}, c.t.kind.verificationDataFields(c)...)
	f := newForm("authenticator-verification-data", c.s.href("/idp/idx/challenge"),
		ionField{Name: "authenticator", Label: b.displayName, Form: &ionSubForm{Value: fields}},
		stateHandleField(c.t.handle),
	)
	f.RelatesTo = c.currentRef()
	return f
}

// submitVerificationData takes the method for the current kind; a choice
// of another kind is a new selection.
func submitVerificationData(c *call, raw []byte) idxResult {
	kind, method, fail := c.chosen(raw)
	if fail != nil {
		return *fail
	}
	if kind != c.t.kind {
		return submitSelect(c, raw)
	}
	if method == "" {
		return c.failField(http.StatusBadRequest, "authenticator-verification-data", "authenticator.methodType", msgBlank())
	}
	if res := kind.challenge(c, method, true); res != nil {
		return *res
	}
	return c.ok()
}

func renderChallenge(c *call) *ionForm {
	f := newForm("challenge-authenticator", c.s.href("/idp/idx/challenge/answer"),
		append(c.t.kind.challengeFields(c), stateHandleField(c.t.handle))...)
	f.RelatesTo = c.currentRef()
	return f
}

func submitChallenge(c *call, raw []byte) idxResult {
	if res := c.t.kind.verify(c, raw); res != nil {
		return *res
	}
	c.t.markVerified(c.t.kind, c.t.method)
	return c.advance()
}
