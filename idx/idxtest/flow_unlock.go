package idxtest

import (
	"net/http"
	"slices"
)

// This file is self-service account unlock: the identify step's
// unlock-account (POST /idp/idx/unlock-account), then
// select-authenticator-unlock-account (the username and the email), the
// email challenge, and a terminal answer once the account is unlocked.

// Steps of unlock.
const (
	stepUnlockSelect = "select-authenticator-unlock-account"
	stepUnlockDone   = "terminal-unlock-success"
)

func registerUnlock(o *org) {
	o.addStep(stepUnlockSelect, stepDef{
		forms:    func(*call) []string { return []string{"select-authenticator-unlock-account"} },
		decorate: decorateUnlockSelect,
	})
	o.addStep(stepUnlockDone, terminalStep(msgUnlocked, true))
	o.addForm("unlock-account", formDef{path: "/idp/idx/unlock-account", render: renderUnlockAccount, submit: submitUnlockAccount})
	o.addForm("select-authenticator-unlock-account", formDef{path: "/idp/idx/challenge", render: renderUnlockSelect, submit: submitUnlockSelect})
}

func msgUnlocked() ionMessage {
	return infoMessage("You can log in using your existing username and password", "oie.selfservice.unlock_user.success.message", []any{}...)
}

// unlockKinds are the authenticators that can unlock an account, in the
// server's order.
func (c *call) unlockKinds() []authenticatorKind {
	keys := c.s.org.policy.unlockKeys()
	var out []authenticatorKind
	for _, k := range c.s.org.kinds {
		if slices.Contains(keys, k.base().key) {
			out = append(out, k)
		}
	}
	return out
}

func renderUnlockAccount(c *call) *ionForm {
	return newForm("unlock-account", c.s.href("/idp/idx/unlock-account"), stateHandleField(c.t.handle))
}

// submitUnlockAccount turns the transaction to unlock.
func submitUnlockAccount(c *call, _ []byte) idxResult {
	t := c.t
	t.flow = flowUnlock
	t.user, t.verified, t.amr = nil, nil, nil
	t.setStep(stepUnlockSelect, nil)
	return c.ok()
}

// decorateUnlockSelect lists the authenticators that can unlock. The user
// is not known yet, so the enrollments name only the authenticators'
// types, keys and methods, as Okta's do.
func decorateUnlockSelect(c *call, resp *idxResponse) {
	kinds := c.unlockKinds()
	docs := make([]authenticatorDoc, len(kinds))
	enrs := make([]authenticatorDoc, len(kinds))
	for i, k := range kinds {
		docs[i] = kindDoc(k)
		enrs[i] = authenticatorDoc{Type: docs[i].Type, Key: docs[i].Key, Methods: docs[i].Methods}
	}
	resp.Authenticators = listOf(docs...)
	resp.AuthenticatorEnrollments = listOf(enrs...)
}

func renderUnlockSelect(c *call) *ionForm {
	kinds := c.unlockKinds()
	opts := make([]ionOption, len(kinds))
	for i, k := range kinds {
		b := k.base()
		fields := append([]ionField{hiddenValue("id", b.id, true)}, k.selectFields(c)...)
		opts[i] = ionOption{Label: b.displayName, Value: optionValue{Form: ionSubForm{Value: fields}}, RelatesTo: enrollmentsPath(i)}
	}
	return newForm("select-authenticator-unlock-account", c.s.href("/idp/idx/challenge"),
		ionField{Name: "identifier", Label: "Username", Required: pTrue},
		ionField{Name: "authenticator", Type: "object", Options: opts},
		stateHandleField(c.t.handle),
	)
}

// submitUnlockSelect takes the username and the authenticator and sends
// the challenge. An unknown username gets the same answers, and nothing is
// sent.
func submitUnlockSelect(c *call, raw []byte) idxResult {
	const form = "select-authenticator-unlock-account"
	var b challengeBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	if b.Authenticator == nil || b.Authenticator.ID == "" {
		return c.fail(http.StatusBadRequest, msgInvalidValue("authenticator"))
	}
	var kind authenticatorKind
	for _, k := range c.unlockKinds() {
		if k.base().id == b.Authenticator.ID {
			kind = k
		}
	}
	if kind == nil {
		return c.fail(http.StatusBadRequest, msgInvalidValue("authenticator.id"))
	}
	if m := b.Authenticator.MethodType; m != "" {
		if _, ok := kind.base().method(m); !ok {
			return c.fail(http.StatusBadRequest, msgInvalidValue("authenticator.methodType"))
		}
	}
	u, fail := c.identifiedUser(form, raw)
	if fail != nil {
		return *fail
	}
	c.t.user = u
	c.t.setStep(stepUnlockSelect, kind)
	if res := kind.challenge(c, b.Authenticator.MethodType, true); res != nil {
		return *res
	}
	return c.ok()
}

// finishUnlock unlocks the account of c.t (nothing for a stand-in) and
// ends the transaction with the unlocked message, or goes on with the
// sign-in (unlock_landing.go).
func (c *call) finishUnlock() idxResult {
	if !c.t.ss.phantom {
		c.s.unlockLocked(c.t.user)
	}
	if res, ok := c.landAfterUnlock(); ok {
		return res
	}
	c.t.setStep(stepUnlockDone, nil)
	return c.ok()
}
