package idxtest

import (
	"net/http"
	"strings"
)

// This file is self-service registration: select-enroll-profile on the
// identify step, enroll-profile (the new user's profile), then the
// enrollment policy, in which the password and the email are required.
// The user joins the directory when the profile is accepted.

// Steps of registration.
const (
	stepEnrollProfile = "enroll-profile"
)

// ProfileAttribute is one attribute of the user profile that
// self-service registration asks for (the userProfile fields of
// enroll-profile).
type ProfileAttribute struct {
	// Name is the profile attribute's name, such as "firstName". The
	// attributes "firstName", "lastName", "email" and "login" become the
	// new user's GivenName, FamilyName, Email and Username (the email
	// when there is no login); others are asked for and checked, not kept.
	Name string
	// Label is what the form shows, such as "First name".
	Label string
	// Required makes the attribute mandatory.
	Required bool
	// Type is "boolean" for a boolean attribute, shown as a checkbox, or
	// "string" (the default, also when empty).
	Type string
	// Choices, when set, are the values a string attribute may take,
	// offered as a select.
	Choices []ProfileChoice
	// Radio offers Choices as a radio instead of a select, and a boolean
	// as a yes/no radio instead of a checkbox.
	Radio bool
}

// DefaultProfileAttributes are the attributes registration asks for when
// [Policy].ProfileAttributes is nil: first name, last name and email, all
// required.
func DefaultProfileAttributes() []ProfileAttribute {
	return []ProfileAttribute{
		{Name: "firstName", Label: "First name", Required: true},
		{Name: "lastName", Label: "Last name", Required: true},
		{Name: "email", Label: "Email", Required: true},
	}
}

// profileAttributes are the attributes in force. The email is always
// asked for and required: it is where the codes go.
func (p *Policy) profileAttributes() []ProfileAttribute {
	attrs := p.ProfileAttributes
	if attrs == nil {
		return DefaultProfileAttributes()
	}
	for i, a := range attrs {
		if a.Name == "email" {
			if !a.Required {
				attrs = append([]ProfileAttribute(nil), attrs...)
				attrs[i].Required = true
			}
			return attrs
		}
	}
	return append(append([]ProfileAttribute(nil), attrs...), ProfileAttribute{Name: "email", Label: "Email", Required: true})
}

func registerRegistration(o *org) {
	o.addStep(stepEnrollProfile, stepDef{
		forms: func(*call) []string { return []string{"enroll-profile", "select-identify"} },
	})
	o.addForm("select-enroll-profile", formDef{path: "/idp/idx/enroll", render: renderSelectEnrollProfile, submit: submitSelectEnrollProfile})
	o.addForm("enroll-profile", formDef{path: "/idp/idx/enroll/new", render: renderEnrollProfile, submit: submitEnrollProfile})
	o.addForm("select-identify", formDef{path: "/idp/idx/identify/select", render: renderSelectIdentify, submit: submitSelectIdentify})
}

// registrationForms are the identify step's registration remediations:
// select-enroll-profile when the policy offers registration.
func registrationForms(c *call) []string {
	if c.s.org.policy.Registration {
		return []string{"select-enroll-profile"}
	}
	return nil
}

func renderSelectEnrollProfile(c *call) *ionForm {
	return newForm("select-enroll-profile", c.s.href("/idp/idx/enroll"), stateHandleField(c.t.handle))
}

// submitSelectEnrollProfile starts registration.
func submitSelectEnrollProfile(c *call, _ []byte) idxResult {
	c.t.flow = flowRegister
	c.t.setStep(stepEnrollProfile, nil)
	return c.ok()
}

func renderEnrollProfile(c *call) *ionForm {
	attrs := c.s.org.policy.profileAttributes()
	fields := make([]ionField, len(attrs))
	for i, a := range attrs {
		fields[i] = a.field() // profile_attributes.go
	}
	return newForm("enroll-profile", c.s.href("/idp/idx/enroll/new"),
		append(append([]ionField{{Name: "userProfile", Form: &ionSubForm{Value: fields}}},
			c.captchaFields()...), stateHandleField(c.t.handle))...,
	)
}

type enrollProfileBody struct {
	UserProfile map[string]any `json:"userProfile"`
}

// submitEnrollProfile checks the profile, creates the user (with no
// authenticator enrolled yet) and runs the enrollment policy.
func submitEnrollProfile(c *call, raw []byte) idxResult {
	var b enrollProfileBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	if res := c.captchaGate(stepEnrollProfile, raw); res != nil {
		return *res
	}
	values := map[string]string{}
	for _, a := range c.s.org.policy.profileAttributes() {
		v, present := b.UserProfile[a.Name]
		s, res := a.check(c, stepEnrollProfile, v, present)
		if res != nil {
			return *res
		}
		values[a.Name] = s
	}
	email := values["email"]
	if !validEmail(email) {
		res := c.failField(http.StatusBadRequest, stepEnrollProfile, "userProfile.email", msgEmailInvalid(labelOf(c, "email")))
		res.body.addFieldMessage(stepEnrollProfile, "userProfile.email", msgPatternMismatch(labelOf(c, "email")))
		return res
	}
	username := values["login"]
	if username == "" {
		username = email
	}
	if _, taken := c.s.users[strings.ToLower(username)]; taken {
		field := "login"
		if values["login"] == "" {
			field = "email"
		}
		return c.failField(http.StatusBadRequest, stepEnrollProfile, "userProfile."+field, msgNotUnique(labelOf(c, field)))
	}
	rec := &userRecord{
		User: User{
			ID:         randomOktaID("00u"),
			Username:   username,
			Email:      email,
			GivenName:  values["firstName"],
			FamilyName: values["lastName"],
			Locale:     "en_US",
		},
		enrollments: map[string]*enrollment{},
	}
	if err := c.s.addUserLocked(rec, false); err != nil {
		return c.failField(http.StatusBadRequest, stepEnrollProfile, "userProfile.email", msgNotUnique(labelOf(c, "email")))
	}
	c.s.cfg.logger.Info("idxtest user registered")
	c.t.user = rec
	return c.advance()
}

// labelOf is the label of the profile attribute name.
func labelOf(c *call, name string) string {
	for _, a := range c.s.org.policy.profileAttributes() {
		if a.Name == name && a.Label != "" {
			return a.Label
		}
	}
	return name
}

// validEmail accepts addresses with a non-empty local part and a domain
// with a dot, and no spaces.
func validEmail(addr string) bool {
	at := strings.LastIndex(addr, "@")
	if at <= 0 || strings.ContainsAny(addr, " \t\r\n") {
		return false
	}
	domain := addr[at+1:]
	dot := strings.LastIndex(domain, ".")
	return dot > 0 && dot < len(domain)-1
}

func msgNotUnique(label string) ionMessage {
	return errorMessage("A user with this "+label+" already exists", "registration.error.notUniqueWithinOrg", label)
}

func msgPatternMismatch(label string) ionMessage {
	return errorMessage("Provided value for property '"+label+"' does not match required pattern", "registration.error.doesNotMatchPattern", label)
}

func msgEmailInvalid(label string) ionMessage {
	return errorMessage("'"+label+"' must be in the form of an email address", "registration.error.invalidLoginEmail", label)
}

func renderSelectIdentify(c *call) *ionForm {
	return newForm("select-identify", c.s.href("/idp/idx/identify/select"),
		ionField{Name: "identifier", Label: "Username"},
		stateHandleField(c.t.handle),
	)
}

// submitSelectIdentify leaves registration for the sign-in at identify.
func submitSelectIdentify(c *call, _ []byte) idxResult {
	c.t.flow = flowAuthenticate
	c.t.setStep(stepIdentify, nil)
	return c.ok()
}

// copyRegistrationPolicy copies the registration and password parts of
// a Policy, so that WithPolicy's caller cannot change them afterwards.
func copyRegistrationPolicy(attrs []ProfileAttribute, pc *PasswordComplexity) ([]ProfileAttribute, *PasswordComplexity) {
	if attrs != nil {
		attrs = append([]ProfileAttribute{}, attrs...)
		for i := range attrs {
			attrs[i].Choices = append([]ProfileChoice(nil), attrs[i].Choices...)
		}
	}
	if pc != nil {
		c := *pc
		c.ExcludeAttributes = append([]string(nil), pc.ExcludeAttributes...)
		pc = &c
	}
	return attrs, pc
}
