package idxtest

import (
	"net/http"
	"slices"
)

// This file is enrollment: select-authenticator-enroll (with skip when only
// optional authenticators remain), authenticator-enrollment-data and
// enroll-authenticator, for kinds that implement enroller.

func registerEnroll(o *org) {
	o.addStep(stepSelectEnroll, stepDef{
		forms: func(c *call) []string {
			if c.canSkip() {
				return []string{"select-authenticator-enroll", "skip"}
			}
			return []string{"select-authenticator-enroll"}
		},
		decorate: decorateEnrollable,
	})
	o.addStep(stepEnrollmentData, stepDef{
		forms:    withSkip("authenticator-enrollment-data", "select-authenticator-enroll"),
		decorate: decorateCurrentAuthenticator,
	})
	o.addStep(stepEnroll, stepDef{
		forms:    withSkip("enroll-authenticator", "select-authenticator-enroll"),
		decorate: decorateCurrentAuthenticator,
	})
	o.addForm("select-authenticator-enroll", formDef{path: "/idp/idx/credential/enroll", render: renderSelectEnroll, submit: submitSelectEnroll})
	o.addForm("authenticator-enrollment-data", formDef{path: "/idp/idx/credential/enroll", render: renderEnrollmentData, submit: submitEnrollmentData})
	o.addForm("enroll-authenticator", formDef{path: "/idp/idx/challenge/answer", render: renderEnrollAuthenticator, submit: submitEnrollAuthenticator})
	o.addForm("skip", formDef{path: "/idp/idx/skip", render: renderSkip, submit: submitSkip})
}

// withSkip is the forms of an enrollment step: names, then skip while
// the enrollments on offer may be skipped.
func withSkip(names ...string) func(c *call) []string {
	return func(c *call) []string {
		if c.canSkip() {
			return append(names[:len(names):len(names)], "skip")
		}
		return names
	}
}

// registrationAuthenticators are the keys of the authenticators a user
// who registers must enroll: they sign in with the password, and the
// email is verified.
func registrationAuthenticators() []string {
	return []string{AuthenticatorPassword, AuthenticatorEmail}
}

// enrollRequired reports whether the authenticator key must be enrolled
// in c.t: the policy's rule says so, or the user is registering and it is
// one of registrationAuthenticators.
func (c *call) enrollRequired(key string) bool {
	if c.t.flow == flowRegister && slices.Contains(registrationAuthenticators(), key) {
		return true
	}
	for _, r := range c.s.org.policy.Enrollment {
		if r.Key == key && r.required(c.now) {
			return true
		}
	}
	return false
}

// canSkip reports whether the enrollments on offer may be skipped: the
// sign-on factors are met and every authenticator left to enroll is
// optional.
func (c *call) canSkip() bool {
	if len(c.t.verified) < c.requiredFactors() {
		return false
	}
	for _, k := range c.enrollable() {
		if c.enrollRequired(k.base().key) {
			return false
		}
	}
	return true
}

// decorateEnrollable lists the authenticators to enroll, the user's
// enrollments and the user.
func decorateEnrollable(c *call, resp *idxResponse) {
	kinds := c.enrollable()
	docs := make([]authenticatorDoc, len(kinds))
	for i, k := range kinds {
		docs[i] = kindDoc(k)
		docs[i].GracePeriod = c.gracePeriodDoc(k.base().key)
	}
	resp.Authenticators = listOf(docs...)
	resp.AuthenticatorEnrollments = listOf(c.s.org.enrollmentsOf(c.t.user)...)
	resp.User = userObject(c.t.user)
}

// decorateCurrentAuthenticator adds the authenticator being enrolled to
// decorateEnrollable: as currentAuthenticator, with its actions and kind
// data, and, once its enroll-authenticator is asked for, as
// enrollmentAuthenticator, each with the method in force once one is
// chosen.
func decorateCurrentAuthenticator(c *call, resp *idxResponse) {
	decorateEnrollable(c, resp)
	k := c.t.kind
	enr := kindDoc(k)
	if m, ok := k.base().method(c.t.method); ok {
		enr.Methods = []methodDoc{{Type: m.typ}}
	}
	cur := enr
	k.decorate(c, &cur)
	if cur.Key == AuthenticatorPassword {
		cur.Settings = c.passwordDoc().Settings
	}
	resp.CurrentAuthenticator = objectOf(cur)
	if c.t.step == stepEnroll {
		resp.EnrollmentAuthenticator = objectOf(enr)
	}
}

func renderSelectEnroll(c *call) *ionForm {
	kinds := c.enrollable()
	opts := make([]ionOption, len(kinds))
	for i, k := range kinds {
		b := k.base()
		fields := append([]ionField{hiddenValue("id", b.id, true)}, k.(enroller).enrollFields(c)...)
		opts[i] = ionOption{Label: b.displayName, Value: optionValue{Form: ionSubForm{Value: fields}}, RelatesTo: authenticatorsPath(i)}
	}
	return newForm("select-authenticator-enroll", c.s.href("/idp/idx/credential/enroll"),
		ionField{Name: "authenticator", Type: "object", Required: pTrue, Options: opts},
		stateHandleField(c.t.handle),
	)
}

// chosenEnroll decodes the authenticator id of an enrollment choice among
// the kinds to enroll.
func (c *call) chosenEnroll(raw []byte) (enroller, *idxResult) {
	var b challengeBody
	if !decode(raw, &b) {
		return nil, failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	if b.Authenticator == nil || b.Authenticator.ID == "" {
		return nil, failPtr(c.fail(http.StatusBadRequest, msgInvalidValue("authenticator")))
	}
	for _, k := range c.enrollable() {
		if k.base().id == b.Authenticator.ID {
			return k.(enroller), nil
		}
	}
	return nil, failPtr(c.fail(http.StatusBadRequest, msgInvalidValue("authenticator.id")))
}

func submitSelectEnroll(c *call, raw []byte) idxResult {
	k, fail := c.chosenEnroll(raw)
	if fail != nil {
		return *fail
	}
	c.t.setStep(stepSelectEnroll, k)
	if res := k.startEnroll(c, raw); res != nil {
		return *res
	}
	return c.ok()
}

func renderEnrollmentData(c *call) *ionForm {
	b := c.t.kind.base()
	fields := append([]ionField{immutableValue("id", b.id, true)}, c.t.kind.(enroller).enrollmentDataFields(c)...)
	f := newForm("authenticator-enrollment-data", c.s.href("/idp/idx/credential/enroll"),
		ionField{Name: "authenticator", Label: b.displayName, Form: &ionSubForm{Value: fields}},
		stateHandleField(c.t.handle),
	)
	f.RelatesTo = []string{relatesToCurrentAuthenticator}
	return f
}

func submitEnrollmentData(c *call, raw []byte) idxResult {
	k, fail := c.chosenEnroll(raw)
	if fail != nil {
		return *fail
	}
	if k != c.t.kind {
		return submitSelectEnroll(c, raw)
	}
	if res := k.startEnroll(c, raw); res != nil {
		return *res
	}
	return c.ok()
}

// newSecretEnroller is a kind whose enroll-authenticator asks for a new
// secret rather than the answer to a challenge (the password).
type newSecretEnroller interface {
	enrollPasscodeFields(c *call) []ionField
}

func renderEnrollAuthenticator(c *call) *ionForm {
	fields := c.t.kind.challengeFields
	if e, ok := c.t.kind.(newSecretEnroller); ok {
		fields = e.enrollPasscodeFields
	}
	f := newForm("enroll-authenticator", c.s.href("/idp/idx/challenge/answer"),
		append(fields(c), stateHandleField(c.t.handle))...)
	f.RelatesTo = []string{relatesToCurrentAuthenticator}
	return f
}

func submitEnrollAuthenticator(c *call, raw []byte) idxResult {
	if res := c.t.kind.(enroller).finishEnroll(c, raw); res != nil {
		return *res
	}
	c.t.markVerified(c.t.kind, c.t.method)
	return c.advance()
}

func renderSkip(c *call) *ionForm {
	return newForm("skip", c.s.href("/idp/idx/skip"), stateHandleField(c.t.handle))
}

// submitSkip declines the optional enrollments of this transaction, puts
// off changing an expiring password, or the profile update.
func submitSkip(c *call, _ []byte) idxResult {
	if c.t.step == stepProfileUpdate {
		return c.skipProfileUpdate()
	}
	if c.t.step == stepReenrollWarning || c.t.step == stepCustomPasswordWarning {
		c.t.passwordWarned = true
	} else {
		c.t.skipEnroll = true
	}
	return c.advance()
}
