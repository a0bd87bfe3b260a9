package idxtest

import (
	"net/http"
	"slices"
	"time"
)

// This file is the policy-driven state machine: a transaction stands at a
// step; a step offers remediation forms; a form is rendered and accepts
// submissions; once a form's work is done, advance asks the policy for the
// next step.

// Flows: what a transaction is for.
const (
	flowAuthenticate = "authenticate"
	flowRegister     = "register"
	flowRecover      = "recover"
	flowUnlock       = "unlock"
)

// Steps. A step is named after the main remediation it offers.
const (
	stepIdentify         = "identify"
	stepSelect           = "select-authenticator-authenticate"
	stepVerificationData = "authenticator-verification-data"
	stepChallenge        = "challenge-authenticator"
	stepSelectEnroll     = "select-authenticator-enroll"
	stepEnrollmentData   = "authenticator-enrollment-data"
	stepEnroll           = "enroll-authenticator"
	stepSuccess          = "success"
)

// transaction is an IDX transaction, named by its stateHandle.
type transaction struct {
	handle      string
	interaction *interaction
	expiresAt   time.Time
	flow        string // flowAuthenticate...
	user        *userRecord
	verified    []string // keys of the authenticators verified, in order
	amr         []string
	// verifiedHere counts the authenticators verified in this transaction,
	// and sessionAuthTime is the auth_time of the session it resumed
	// (stepup.go).
	verifiedHere    int
	sessionAuthTime time.Time
	step            string
	kind            authenticatorKind // the authenticator being verified or enrolled
	method          string            // its method type, once chosen
	// The one-time code in force, for the kinds that send one.
	code          string
	codeExpiresAt time.Time
	// pending is kind data of the enrollment in progress (such as the phone
	// number being enrolled), cleared when the step changes kind.
	pending     string
	skipEnroll  bool   // the user skipped the optional enrollments
	successCode string // the interaction code, once at stepSuccess
	// passwordWarned: the user put off changing an expiring password;
	// deviceWarned: the user went on past the device assurance grace
	// period's warning (assurance.go).
	passwordWarned, deviceWarned bool
	// ov is the state of an Okta Verify push or enrollment (auth_oktaverify.go).
	ov oktaVerifyState
	// ss is the state of recovery, unlock, the magic link and IdPs (flow_recover.go).
	ss selfService
	// phoneSends counts the texts and calls sent (send_limit.go).
	phoneSends int
	// kmsi is the answer to "keep me signed in" (keepsignedin.go).
	kmsi keepSignedIn
	// profileUpdated: profile-update was answered or skipped (profile_update.go).
	profileUpdated bool
	// device is the device challenge (devicechallenge.go), idv the
	// identity verification (idverify.go).
	device deviceState
	idv    idvState
	// consented: the user granted the consent the policy asks for
	// (consent.go).
	consented bool
	// deviceGrant is the device authorization grant the transaction
	// activates, once its user code was given (deviceactivation.go).
	deviceGrant *deviceGrant
	// ec links an email link's consent transaction and the sign-in it
	// asks about (email_consent.go).
	ec emailConsent
}

// setStep moves t to step for kind, forgetting any code of another kind.
func (t *transaction) setStep(step string, k authenticatorKind) {
	if k != t.kind {
		t.code, t.pending, t.method = "", "", ""
	}
	t.step, t.kind = step, k
}

// isVerified reports whether the authenticator key was verified.
func (t *transaction) isVerified(key string) bool { return slices.Contains(t.verified, key) }

// markVerified records that the current kind was verified with method.
func (t *transaction) markVerified(k authenticatorKind, method string) {
	b := k.base()
	t.verifiedHere++
	if !t.isVerified(b.key) {
		t.verified = append(t.verified, b.key)
	}
	if m, ok := b.method(method); ok && m.amr != "" && !slices.Contains(t.amr, m.amr) {
		t.amr = append(t.amr, m.amr)
	}
	t.code = ""
}

// call is one IDX request being handled, or one answer being rendered,
// under s.mu.
type call struct {
	s    *Server
	now  time.Time
	t    *transaction
	sent []Email // messages sent while handling, for the hook
}

// stepDef is a step: the forms it offers and the rest of its document.
type stepDef struct {
	// forms are the names of the remediation forms offered, in order.
	forms func(c *call) []string
	// decorate, if set, adds the step's other parts (current authenticator,
	// authenticators lists, user) to resp.
	decorate func(c *call, resp *idxResponse)
	// page is the document's step member, as Okta names some pages
	// ("IDENTIFY", "ENROLL"); empty for none.
	page string
}

// formDef is a remediation form: where it posts, how it renders, and what
// a submission does.
type formDef struct {
	path   string // the href's path, such as "/idp/idx/challenge"
	render func(c *call) *ionForm
	// submit handles a submission; raw is the whole body, already known
	// to be a JSON object with a live stateHandle.
	submit func(c *call, raw []byte) idxResult
}

// remediate is the handler of every IDX path served by forms: it finds
// the first form of the current step that posts to path and submits to it.
// A path no offered form posts to is not allowed in this state.
func (s *Server) remediate(path string) func(time.Time, []byte) idxResult {
	return func(now time.Time, raw []byte) idxResult {
		return s.onKind(now, raw, func(c *call) *idxResult {
			for _, name := range s.org.steps[c.t.step].forms(c) {
				if f := s.org.forms[name]; f.path == path {
					res := f.submit(c, raw)
					return &res
				}
			}
			if snd, ok := c.t.kind.(sender); ok && path == "/idp/idx/challenge/send" {
				return snd.send(c)
			}
			return failPtr(c.fail(http.StatusForbidden, msgNotAllowed()))
		})
	}
}

// advance moves t to the step the policy asks for next and answers it. It
// is what a form's submit returns once its work is done.
func (c *call) advance() idxResult {
	t := c.t
	if res, ok := c.advanceSelfService(); ok {
		return res
	}
	if c.deviceAssuranceDue() {
		return c.ok()
	}
	if c.passwordChallengeDue() {
		return c.ok()
	}
	if c.idvDue() { // idverify.go
		return c.ok()
	}
	if len(t.verified) < c.requiredFactors() {
		if len(c.verifiable()) > 0 {
			t.setStep(stepSelect, nil)
			return c.ok()
		}
	}
	if c.passwordChangeDue() {
		return c.ok()
	}
	if len(c.enrollable()) > 0 {
		t.setStep(stepSelectEnroll, nil)
		return c.ok()
	}
	if c.profileUpdateDue() || c.keepMeSignedInDue() {
		return c.ok()
	}
	if c.consentDue() {
		t.setStep(stepConsent, nil)
		return c.ok()
	}
	return c.succeed()
}

// verifiable are the kinds c.t.user has enrolled, the policy allows and
// are not verified yet, in registry order. Recovery and unlock offer
// their authenticators whether enrolled or not (recovery_authenticators.go).
func (c *call) verifiable() []authenticatorKind {
	var out []authenticatorKind
	p := &c.s.org.policy
	for _, k := range c.s.org.kinds {
		key := k.base().key
		if c.t.selfService() {
			if c.selfServiceAllows(key) && !c.t.isVerified(key) {
				out = append(out, k) // offered whatever the user enrolled
			}
			continue
		}
		if c.t.user.enrollments[key] != nil && p.allows(key) && c.acrAllows(key) && !c.t.isVerified(key) {
			out = append(out, k)
		}
	}
	return out
}

// enrollable are the kinds the policy asks c.t.user to enroll now: the
// required ones (see enrollRequired) and, once the sign-on factors are
// met and unless the user skipped them, the optional ones of
// Policy.Enrollment. When the factors cannot be met otherwise, every
// authenticator the policy allows must be enrolled.
func (c *call) enrollable() []authenticatorKind {
	var out []authenticatorKind
	p := &c.s.org.policy
	short := len(c.t.verified) < c.requiredFactors()
	add := func(key string) {
		k, ok := c.s.org.byKey[key].(enroller)
		if ok && c.acrAllows(key) && c.t.user.enrollments[key] == nil && !slices.Contains(out, authenticatorKind(k)) {
			out = append(out, k)
		}
	}
	if c.t.flow == flowRegister {
		for _, key := range registrationAuthenticators() {
			add(key)
		}
	}
	for _, r := range p.Enrollment {
		if r.required(c.now) || !short && !c.t.skipEnroll {
			add(r.Key)
		}
	}
	if len(out) == 0 && short {
		for _, k := range c.s.org.kinds {
			if key := k.base().key; p.allows(key) {
				add(key)
			}
		}
	}
	return out
}

// succeed ends t: it mints the interaction code and answers
// successWithInteractionCode. The stateHandle now only introspects (see
// succeeded.go).
func (c *call) succeed() idxResult {
	s, t := c.s, c.t
	if t.deviceGrant != nil {
		return c.activateDevice() // deviceactivation.go
	}
	ia := t.interaction
	code := randomToken(32)
	s.codes[code] = &interactionCode{
		grant: grant{
			clientID: ia.app.ClientID,
			user:     t.user,
			scopes:   ia.scopes,
			authTime: t.authTime(c.now),
			amr:      append([]string(nil), t.amr...),
			nonce:    ia.nonce,
			acr:      ia.hints.acr,
		},
		codeChallenge: ia.codeChallenge,
		expiresAt:     c.now.Add(interactionCodeLifetime),
	}
	t.setStep(stepSuccess, nil)
	t.successCode = code
	ia.done = true
	res := c.ok()
	if t.flow == flowAuthenticate || t.flow == flowRegister {
		res.cookie = s.startSessionLocked(c.now, t, t.authTime(c.now))
	}
	return res
}

// ok answers t's current step.
func (c *call) ok() idxResult {
	return idxResult{status: http.StatusOK, body: c.s.render(c.t), emails: c.sent}
}

// fail answers t's current step with a status and top-level messages.
func (c *call) fail(status int, msgs ...ionMessage) idxResult {
	res := c.s.answerError(c.t, status, msgs...)
	res.emails = c.sent
	return res
}

// failField answers t's current step with a message on one field of form.
func (c *call) failField(status int, form, path string, msg ionMessage) idxResult {
	res := c.s.answerFieldError(c.t, status, form, path, msg)
	res.emails = c.sent
	return res
}

// failPtr is for the kind hooks, which return nil or an answer.
func failPtr(r idxResult) *idxResult { return &r }
