package idxtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode"
)

// This file is the password's life cycle: the org's complexity rules
// (currentAuthenticator.settings), enrolling a password (registration),
// and changing an expired or expiring one after sign-in
// (reenroll-authenticator, reenroll-authenticator-warning).

// Steps of the password change.
const (
	stepReenroll        = "reenroll-authenticator"
	stepReenrollWarning = "reenroll-authenticator-warning"
)

// PasswordComplexity is the org's password complexity rules, checked
// whenever a password is set (registration, expired password) and shown
// to clients in currentAuthenticator.value.settings.complexity.
type PasswordComplexity struct {
	// MinLength is the least number of characters.
	MinLength int
	// MinLowerCase, MinUpperCase, MinNumber and MinSymbol are the least
	// numbers of lower-case letters, upper-case letters, digits and other
	// characters.
	MinLowerCase, MinUpperCase, MinNumber, MinSymbol int
	// ExcludeUsername refuses passwords that contain a part (three
	// characters or more) of the username.
	ExcludeUsername bool
	// ExcludeAttributes refuses passwords that contain the named profile
	// attributes: "firstName", "lastName".
	ExcludeAttributes []string
	// MaxConsecutiveRepeatingCharacters refuses passwords with a
	// character repeated more than that many times in a row. Zero is no
	// limit.
	MaxConsecutiveRepeatingCharacters int
}

// DefaultPasswordComplexity is the rule set in force when
// [Policy].PasswordComplexity is nil: at least 8 characters with a
// lower-case letter, an upper-case letter and a number, and no part of
// the username.
func DefaultPasswordComplexity() PasswordComplexity {
	return PasswordComplexity{MinLength: 8, MinLowerCase: 1, MinUpperCase: 1, MinNumber: 1, ExcludeUsername: true}
}

// passwordComplexity is the rule set in force.
func (p *Policy) passwordComplexity() PasswordComplexity {
	if p.PasswordComplexity == nil {
		return DefaultPasswordComplexity()
	}
	return *p.PasswordComplexity
}

// complexitySettings is the settings object of the password authenticator.
type complexitySettings struct {
	Complexity complexityDoc `json:"complexity"`
	Age        complexityAge `json:"age"`
	// DaysToExpiry is how many days the password has left, on the
	// expiry warning.
	DaysToExpiry int `json:"daysToExpiry,omitempty"`
}

// complexityDoc is the rules as Okta lists them: the excluded attributes
// both as a list and as a flag each, and no limit on repeated characters
// as 0.
type complexityDoc struct {
	MinLength                         int      `json:"minLength"`
	MinLowerCase                      int      `json:"minLowerCase"`
	MinUpperCase                      int      `json:"minUpperCase"`
	MinNumber                         int      `json:"minNumber"`
	MinSymbol                         int      `json:"minSymbol"`
	ExcludeUsername                   bool     `json:"excludeUsername"`
	ExcludeFirstName                  bool     `json:"excludeFirstName"`
	ExcludeLastName                   bool     `json:"excludeLastName"`
	ExcludeAttributes                 []string `json:"excludeAttributes"`
	MaxConsecutiveRepeatingCharacters int      `json:"maxConsecutiveRepeatingCharacters"`
}

type complexityAge struct {
	MinAgeMinutes int `json:"minAgeMinutes"`
	HistoryCount  int `json:"historyCount"`
}

// settingsDoc renders the rules; the history is the current password
// (a new one must differ from it).
func (pc PasswordComplexity) settingsDoc() *complexitySettings {
	return &complexitySettings{
		Complexity: complexityDoc{
			MinLength: pc.MinLength, MinLowerCase: pc.MinLowerCase, MinUpperCase: pc.MinUpperCase,
			MinNumber: pc.MinNumber, MinSymbol: pc.MinSymbol, ExcludeUsername: pc.ExcludeUsername,
			ExcludeFirstName:                  slices.Contains(pc.ExcludeAttributes, "firstName"),
			ExcludeLastName:                   slices.Contains(pc.ExcludeAttributes, "lastName"),
			ExcludeAttributes:                 append([]string{}, pc.ExcludeAttributes...),
			MaxConsecutiveRepeatingCharacters: pc.MaxConsecutiveRepeatingCharacters,
		},
		Age: complexityAge{HistoryCount: 1},
	}
}

// passwordDoc is the password authenticator with the org's rules: the
// currentAuthenticator of a password being set, and the
// recoveryAuthenticator of recovery and of an expired password.
func (c *call) passwordDoc() authenticatorDoc {
	d := kindDoc(c.s.org.byKey[AuthenticatorPassword])
	d.Settings = c.s.org.policy.passwordComplexity().settingsDoc()
	return d
}

// requirements describes the rules in words, as Okta lists them.
func (pc PasswordComplexity) requirements() string {
	var parts []string
	if pc.MinLength > 0 {
		parts = append(parts, fmt.Sprintf("at least %d characters", pc.MinLength))
	}
	for _, r := range []struct {
		n          int
		one, count string
	}{
		{pc.MinLowerCase, "a lowercase letter", "lowercase letters"},
		{pc.MinUpperCase, "an uppercase letter", "uppercase letters"},
		{pc.MinNumber, "a number", "numbers"},
		{pc.MinSymbol, "a symbol", "symbols"},
	} {
		switch {
		case r.n == 1:
			parts = append(parts, r.one)
		case r.n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", r.n, r.count))
		}
	}
	if pc.ExcludeUsername {
		parts = append(parts, "no parts of your username")
	}
	for _, a := range pc.ExcludeAttributes {
		switch a {
		case "firstName":
			parts = append(parts, "does not include your first name")
		case "lastName":
			parts = append(parts, "does not include your last name")
		}
	}
	if n := pc.MaxConsecutiveRepeatingCharacters; n > 0 {
		parts = append(parts, fmt.Sprintf("no more than %d consecutive repeating characters", n))
	}
	return strings.Join(parts, ", ")
}

// check reports whether pw meets the rules for u.
func (pc PasswordComplexity) check(pw string, u *userRecord) bool {
	var lower, upper, digit, symbol, run, longest int
	var prev rune = -1
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower++
		case unicode.IsUpper(r):
			upper++
		case unicode.IsDigit(r):
			digit++
		default:
			symbol++
		}
		if r == prev {
			run++
		} else {
			run = 1
		}
		longest, prev = max(longest, run), r
	}
	if len([]rune(pw)) < pc.MinLength || lower < pc.MinLowerCase || upper < pc.MinUpperCase ||
		digit < pc.MinNumber || symbol < pc.MinSymbol {
		return false
	}
	if pc.MaxConsecutiveRepeatingCharacters > 0 && longest > pc.MaxConsecutiveRepeatingCharacters {
		return false
	}
	folded := strings.ToLower(pw)
	if pc.ExcludeUsername {
		parts := strings.FieldsFunc(strings.ToLower(u.Username), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		})
		for _, part := range parts {
			if len([]rune(part)) >= 3 && strings.Contains(folded, part) {
				return false
			}
		}
	}
	for _, a := range pc.ExcludeAttributes {
		v := ""
		switch a {
		case "firstName":
			v = u.GivenName
		case "lastName":
			v = u.FamilyName
		}
		if v = strings.ToLower(strings.TrimSpace(v)); v != "" && strings.Contains(folded, v) {
			return false
		}
	}
	return true
}

func msgPasswordNotMet(reqs string) ionMessage {
	return errorMessage("Password requirements were not met. Password requirements: "+reqs+".",
		"password.passwordRequirementsNotMet", reqs)
}

func msgPasswordReused() ionMessage {
	return errorMessage("Password cannot be your current password.", "password.passwordRequirementsNotMet",
		"Password cannot be your current password")
}

// orgName is the org's name in messages.
const orgName = "idxtest"

// passwordWarnDays is how many days an expiring password has left
// ([User].PasswordExpiresSoon).
const passwordWarnDays = 5

func msgPasswordExpiringSoon() ionMessage {
	return infoMessage("When your password expires, you will have to change your password before you can login to your "+orgName+" account.",
		"idx.password.expiring.message", orgName)
}

// newPassword checks the credentials.passcode of a body submitted to form
// as u's new password: nil and the password when it is acceptable, else
// the error answer. A new password must differ from the current one.
func (c *call) newPassword(form string, raw []byte) (string, *idxResult) {
	var b answerBody
	if !decode(raw, &b) {
		return "", failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	pw := b.Credentials.value()
	if pw == "" {
		return "", failPtr(c.failField(http.StatusBadRequest, form, "credentials.passcode", msgBlank()))
	}
	pc := c.s.org.policy.passwordComplexity()
	if !pc.check(pw, c.t.user) {
		return "", failPtr(c.failField(http.StatusBadRequest, form, "credentials.passcode", msgPasswordNotMet(pc.requirements())))
	}
	if c.t.user.Password != "" && checkPassword(c.t.user, pw) {
		return "", failPtr(c.failField(http.StatusBadRequest, form, "credentials.passcode", msgPasswordReused()))
	}
	return pw, nil
}

// setPassword gives c.t.user the password pw, which is no longer expired.
func (c *call) setPassword(pw string) {
	u := c.t.user
	u.Password = pw
	u.passwordChanged = c.now
	u.PasswordExpired, u.PasswordExpiresSoon = false, false
	u.passwordFailures = 0
}

// Enrolling a password (self-service registration).

func (k *passwordKind) enrollFields(*call) []ionField {
	return []ionField{hiddenValue("methodType", "password", false)}
}

func (k *passwordKind) enrollmentDataFields(*call) []ionField { return nil }

func (k *passwordKind) startEnroll(c *call, _ []byte) *idxResult {
	c.t.setStep(stepEnroll, k)
	c.t.method = "password"
	return nil
}

// enrollPasscodeFields are the fields of enroll-authenticator for a new
// password (challengeFields are for the current one).
func (k *passwordKind) enrollPasscodeFields(*call) []ionField {
	return []ionField{objectField("credentials", "", true, ionField{Name: "passcode", Label: "Enter password", Secret: pTrue})}
}

func (k *passwordKind) finishEnroll(c *call, raw []byte) *idxResult {
	pw, fail := c.newPassword(stepEnroll, raw)
	if fail != nil {
		return fail
	}
	c.setPassword(pw)
	c.t.user.enrollments[k.key] = &enrollment{id: randomOktaID("lae")}
	return nil
}

// Changing an expired or expiring password.

func registerPasswordChange(o *org) {
	o.addStep(stepReenroll, stepDef{
		forms:    func(*call) []string { return []string{"reenroll-authenticator"} },
		decorate: decoratePasswordChange,
	})
	o.addStep(stepReenrollWarning, stepDef{
		forms:    func(*call) []string { return []string{"reenroll-authenticator-warning", "skip"} },
		decorate: decoratePasswordWarning,
	})
	o.addForm("reenroll-authenticator", formDef{path: "/idp/idx/challenge/answer",
		render: func(c *call) *ionForm { return renderReenroll(c, stepReenroll) },
		submit: func(c *call, raw []byte) idxResult { return submitReenroll(c, stepReenroll, raw) }})
	o.addForm("reenroll-authenticator-warning", formDef{path: "/idp/idx/challenge/answer",
		render: func(c *call) *ionForm { return renderReenroll(c, stepReenrollWarning) },
		submit: func(c *call, raw []byte) idxResult { return submitReenroll(c, stepReenrollWarning, raw) }})
}

// passwordChangeDue moves c.t to the password change its user owes, if
// any, once the password is verified in a sign-in, and reports whether it
// did.
func (c *call) passwordChangeDue() bool {
	t := c.t
	if t.flow != flowAuthenticate || t.user == nil || !t.isVerified(AuthenticatorPassword) {
		return false
	}
	k := c.s.org.byKey[AuthenticatorPassword]
	switch {
	case t.user.PasswordExpired:
		t.setStep(c.passwordChangeStep(stepReenroll), k)
	case t.user.PasswordExpiresSoon && !t.passwordWarned:
		t.setStep(c.passwordChangeStep(stepReenrollWarning), k)
	default:
		return false
	}
	return true
}

// decoratePasswordChange is the document of a password that must or
// should change: the password as currentAuthenticator and as
// recoveryAuthenticator, with the rules, no authenticator to enroll, and
// the password enrollment.
func decoratePasswordChange(c *call, resp *idxResponse) {
	resp.CurrentAuthenticator = objectOf(c.passwordDoc())
	resp.RecoveryAuthenticator = objectOf(c.passwordDoc())
	resp.Authenticators = listOf[authenticatorDoc]()
	resp.AuthenticatorEnrollments = listOf(enrollmentDoc(c.t.kind, c.t.user))
	resp.User = userObject(c.t.user)
}

func renderReenroll(c *call, name string) *ionForm {
	f := newForm(name, c.s.href("/idp/idx/challenge/answer"),
		objectField("credentials", "", true, ionField{Name: "passcode", Label: "New password", Secret: pTrue}),
		stateHandleField(c.t.handle))
	f.RelatesTo = []string{relatesToCurrentAuthenticator}
	return f
}

// submitReenroll sets the new password and carries on with the sign-in.
func submitReenroll(c *call, form string, raw []byte) idxResult {
	pw, fail := c.newPassword(form, raw)
	if fail != nil {
		return *fail
	}
	c.setPassword(pw)
	c.s.cfg.logger.Info("idxtest password changed")
	return c.advance()
}
