package idxtest

import (
	"net/http"
)

// This file is "keep me signed in": identify's rememberMe and, when the
// policy asks for it, the keep-me-signed-in question once the user is
// authenticated. A user kept signed in gets a persistent session cookie
// (with Expires); the others a cookie that ends with the browser.

const stepKeepMeSignedIn = "keep-me-signed-in"

// keepSignedIn is a sign-in's answer to "keep me signed in".
type keepSignedIn struct {
	rememberMe bool // identify's rememberMe was true
	answered   bool // keep-me-signed-in was answered...
	keep       bool // ...with true
}

// kept reports whether the user asked to stay signed in.
func (k keepSignedIn) kept() bool { return k.rememberMe || k.keep }

func registerKeepMeSignedIn(o *org) {
	o.addStep(stepKeepMeSignedIn, stepDef{
		forms: func(*call) []string { return []string{"keep-me-signed-in"} },
		decorate: func(c *call, resp *idxResponse) {
			resp.User = userObject(c.t.user)
		},
	})
	o.addForm("keep-me-signed-in", formDef{path: "/idp/idx/keep-me-signed-in", render: renderKeepMeSignedIn, submit: submitKeepMeSignedIn})
}

// keepMeSignedInDue moves a sign-in whose user is authenticated to the
// keep-me-signed-in question when the policy asks it and the user has
// not answered it, nor checked rememberMe at identify, and reports
// whether it did.
func (c *call) keepMeSignedInDue() bool {
	t := c.t
	if !c.s.org.policy.KeepMeSignedIn || t.flow != flowAuthenticate || t.kmsi.answered || t.kmsi.rememberMe {
		return false
	}
	t.setStep(stepKeepMeSignedIn, nil)
	return true
}

func renderKeepMeSignedIn(c *call) *ionForm {
	return newForm("keep-me-signed-in", c.s.href("/idp/idx/keep-me-signed-in"),
		ionField{Name: "keepMeSignedIn", Type: "boolean", Label: "Stay signed in", Required: pTrue, Value: false, Mutable: pTrue},
		stateHandleField(c.t.handle))
}

// submitKeepMeSignedIn takes the answer, true or false, and signs in.
func submitKeepMeSignedIn(c *call, raw []byte) idxResult {
	var b struct {
		KeepMeSignedIn *bool `json:"keepMeSignedIn"`
	}
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	if b.KeepMeSignedIn == nil {
		return c.failField(http.StatusBadRequest, stepKeepMeSignedIn, "keepMeSignedIn", msgBlank())
	}
	c.t.kmsi.answered, c.t.kmsi.keep = true, *b.KeepMeSignedIn
	return c.advance()
}

// keepCookie makes the session cookie of a user kept signed in
// persistent, until the session expires.
func keepCookie(t *transaction, ck *http.Cookie, se *orgSession) *http.Cookie {
	if t.kmsi.kept() {
		ck.Expires = se.expiresAt
	}
	return ck
}
