package idxtest

// This file is Okta Verify offered only as FastPass (methodType
// signed_nonce), as many orgs offer it: the select-authenticator option
// fixes the method, and choosing it starts a device challenge that the
// Okta Verify app on the user's computer answers over a loopback port.
// The fake has no such app: the challenge-poll of a FastPass stays
// pending, and the user can only choose another authenticator, stop
// waiting (cancel-polling, back to the choice) or cancel.
// A client that asks for a push or a code is refused, since the org
// offers neither.

// stepOVFastPass is the FastPass device challenge.
const stepOVFastPass = "challenge-poll/fastpass"

// WithOktaVerifyFastPassOnly offers Okta Verify only as FastPass
// (signed_nonce), with the push and TOTP methods off, as an org does that
// enables FastPass alone. The FastPass challenge never completes: the
// fake has no Okta Verify on the user's device.
func WithOktaVerifyFastPassOnly() Option {
	return func(c *config) { c.idx.ovFastPassOnly = true }
}

// fastPassChallenge is the contextualData.challenge of a FastPass.
type fastPassChallenge struct {
	ChallengeMethod  string   `json:"challengeMethod"`
	ChallengeRequest string   `json:"challengeRequest"`
	Domain           string   `json:"domain"`
	Ports            []string `json:"ports"`
}

func registerFastPass(o *org, k *oktaVerifyKind) {
	o.addStep(stepOVFastPass, stepDef{
		forms: func(*call) []string {
			return []string{"okta-verify-fastpass-poll", "select-authenticator-authenticate"}
		},
		decorate: func(c *call, resp *idxResponse) {
			decorateVerifiable(c, resp)
			cur := kindDoc(k)
			cur.Methods = []methodDoc{{Type: "signed_nonce"}}
			cur.ContextualData = map[string]any{"challenge": objectOf(fastPassChallenge{
				ChallengeMethod:  "LOOPBACK",
				ChallengeRequest: c.t.pending,
				Domain:           "http://localhost",
				Ports:            []string{"2000", "6511", "6512", "6513"},
			})}
			cur.Cancel = newForm("cancel-polling", c.s.href(deviceCancelPath), stateHandleField(c.t.handle))
			resp.CurrentAuthenticator = objectOf(cur)
		},
	})
	o.addForm("okta-verify-fastpass-poll", formDef{
		path: "/idp/idx/authenticators/poll",
		render: func(c *call) *ionForm {
			f := newForm("challenge-poll", c.s.href("/idp/idx/authenticators/poll"), stateHandleField(c.t.handle))
			f.Refresh = ovRefresh
			f.RelatesTo = []string{relatesToCurrentAuthenticator}
			return f
		},
		submit: func(c *call, _ []byte) idxResult { return c.ok() }, // no app answers
	})
}

// challengeFastPass starts a FastPass: a device challenge no app answers.
func (k *oktaVerifyKind) challengeFastPass(c *call) {
	c.t.setStep(stepOVFastPass, k)
	c.t.method = "signed_nonce"
	c.t.pending = randomToken(24) // the challenge request the app would sign
	c.s.cfg.logger.Info("idxtest okta verify fastpass challenge")
}
