package idxtest

import (
	"net/http"
	"slices"
	"strings"
)

// This file is progressive profiling: once a sign-in's user is
// authenticated, profile-update asks for the attributes of
// Policy.ProfileUpdate the user has no value for, each in a userProfile
// field of its own as Okta sends them, with a skip. The values given are
// kept for the user, so that the next sign-in does not ask for them.

const stepProfileUpdate = "profile-update"

func registerProfileUpdate(o *org) {
	o.addStep(stepProfileUpdate, stepDef{
		forms: func(*call) []string { return []string{"profile-update", "skip"} },
		decorate: func(c *call, resp *idxResponse) {
			resp.User = userIdentifier(c.t.user)
		},
	})
	o.addForm("profile-update", formDef{path: "/idp/idx/enroll/new", render: renderProfileUpdate, submit: submitProfileUpdate})
}

// missingAttributes are the attributes of Policy.ProfileUpdate c.t's
// user has no value for.
func (c *call) missingAttributes() []ProfileAttribute {
	var out []ProfileAttribute
	for _, a := range c.s.org.policy.ProfileUpdate {
		if c.t.user.attrs[a.Name] == "" {
			out = append(out, a)
		}
	}
	return out
}

// profileUpdateDue moves a sign-in whose user is authenticated to
// profile-update when the user lacks attributes the policy asks for and
// has not answered or skipped it in this transaction, and reports whether
// it did.
func (c *call) profileUpdateDue() bool {
	t := c.t
	if t.flow != flowAuthenticate || t.profileUpdated || len(c.missingAttributes()) == 0 {
		return false
	}
	t.setStep(stepProfileUpdate, nil)
	return true
}

func renderProfileUpdate(c *call) *ionForm {
	var fields []ionField
	for _, a := range c.missingAttributes() {
		fields = append(fields, ionField{Name: "userProfile", Form: &ionSubForm{Value: []ionField{a.field()}}})
	}
	return newForm("profile-update", c.s.href("/idp/idx/enroll/new"), append(fields, stateHandleField(c.t.handle))...)
}

// submitProfileUpdate checks the attributes asked for, keeps those given
// and goes on with the sign-in.
func submitProfileUpdate(c *call, raw []byte) idxResult {
	var b enrollProfileBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	values := map[string]string{}
	for _, a := range c.missingAttributes() {
		v, present := b.UserProfile[a.Name]
		s, res := a.check(c, stepProfileUpdate, v, present)
		if res != nil {
			return *res
		}
		values[a.Name] = s
	}
	if c.t.user.attrs == nil {
		c.t.user.attrs = map[string]string{}
	}
	for name, v := range values {
		if v != "" {
			c.t.user.attrs[name] = v
		}
	}
	c.t.profileUpdated = true
	return c.advance()
}

// skipProfileUpdate puts the attributes off to the next sign-in, when
// none of those asked for is required: the skip Okta lists beside a
// required attribute is refused, as the Sign-In Widget shows no skip
// then.
func (c *call) skipProfileUpdate() idxResult {
	if slices.ContainsFunc(c.missingAttributes(), func(a ProfileAttribute) bool { return a.Required }) {
		return c.fail(http.StatusForbidden, msgNotAllowed())
	}
	c.t.profileUpdated = true
	return c.advance()
}

// ProfileAttributeOf returns the value of the profile attribute name that
// user filled in at profile-update, and whether there is one.
func (s *Server) ProfileAttributeOf(username, name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[strings.ToLower(username)]
	if u == nil || u.attrs[name] == "" {
		return "", false
	}
	return u.attrs[name], true
}
