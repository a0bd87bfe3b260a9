package idxtest

import "net/http"

// This file is the org's custom push app (custom_app), an app built with
// Okta's Devices SDK, as real orgs offer it: chosen with methodType
// "push", it sends a push and the client polls challenge-poll (which
// carries autoChallenge, "send push automatically") until the user
// approves; a rejected push offers a new one ("resend") or another
// authenticator. The app is enrolled in the app itself, so users have it
// through [User].CustomApp; the test plays the device with
// [Server.ApprovePush] and [Server.RejectPush].

// Steps of the custom app's push.
const (
	stepCustomAppPoll     = "custom-app/challenge-poll"
	stepCustomAppRejected = "custom-app/rejected"
)

type customAppKind struct{ kindBase }

func newCustomAppKind(o *org) *customAppKind {
	k := &customAppKind{kindBase{
		key: AuthenticatorCustomApp, typ: "app", displayName: "Custom Push",
		logoURI: "/img/icons/mfa/customPushLogo.svg",
		methods: []methodInfo{{typ: "push", label: "Get a push notification", amr: "swk"}},
	}}
	o.addStep(stepCustomAppPoll, stepDef{
		forms:    func(*call) []string { return []string{"custom-app-poll", "select-authenticator-authenticate"} },
		decorate: decorateCurrent,
	})
	o.addStep(stepCustomAppRejected, stepDef{
		forms:    func(*call) []string { return []string{"custom-app-resend", "select-authenticator-authenticate"} },
		decorate: decorateCurrent,
	})
	o.addForm("custom-app-poll", formDef{path: "/idp/idx/challenge/poll", render: k.renderPoll, submit: pollSubmit(k.poll)})
	o.addForm("custom-app-resend", formDef{path: "/idp/idx/challenge", render: k.renderResend, submit: submitSelect})
	return k
}

// profile names the device an enrollment is on.
func (k *customAppKind) profile(u *userRecord) *authenticatorProfile { return pushProfile(u, k) }

// selectFields offer the push as a choice, as real orgs do.
func (k *customAppKind) selectFields(*call) []ionField {
	return []ionField{{Name: "methodType", Type: "string", Required: pFalse, Options: k.methodOptions()}}
}

// challenge sends a push: the only method, chosen or not.
func (k *customAppKind) challenge(c *call, _ string, _ bool) *idxResult {
	sendPush(c, k, stepCustomAppPoll)
	c.s.cfg.logger.Info("idxtest custom app push sent")
	return nil
}

func (k *customAppKind) challengeFields(*call) []ionField { return nil }

func (k *customAppKind) verify(c *call, _ []byte) *idxResult {
	return failPtr(c.fail(http.StatusForbidden, msgNotAllowed()))
}

// decorate gives the push's resend action: a new push.
func (k *customAppKind) decorate(c *call, doc *authenticatorDoc) {
	if c.t.step == stepCustomAppPoll {
		doc.Resend = newForm("resend", c.s.href("/idp/idx/challenge"),
			ionField{Name: "authenticator", Required: pTrue, Value: map[string]string{"methodType": "push", "id": k.id},
				Visible: pFalse, Mutable: pFalse})
		doc.Resend.Value = append(doc.Resend.Value, stateHandleField(c.t.handle))
	}
}

// renderPoll is challenge-poll with the autoChallenge choice.
func (k *customAppKind) renderPoll(c *call) *ionForm {
	f := newForm("challenge-poll", c.s.href("/idp/idx/challenge/poll"),
		ionField{Name: "autoChallenge", Type: "boolean", Label: "Send push automatically", Required: pFalse, Value: false, Mutable: pTrue},
		stateHandleField(c.t.handle))
	f.Refresh = ovRefresh
	f.RelatesTo = []string{relatesToCurrentEnrollment}
	return f
}

// poll moves on once the test approved the push; a rejected push offers
// a new one. The autoChallenge choice sent with it is only a preference
// for next time, which the org does not keep.
func (k *customAppKind) poll(c *call) *idxResult {
	return pollPush(c, k, stepCustomAppRejected)
}

// renderResend is the "resend" remediation after a rejected push.
func (k *customAppKind) renderResend(c *call) *ionForm {
	f := newForm("resend", c.s.href("/idp/idx/challenge"),
		ionField{Name: "authenticator", Type: "object", Label: k.displayName, Value: optionValue{Form: ionSubForm{Value: []ionField{
			immutableValue("id", k.id, true),
			{Name: "methodType", Value: "push", Required: pFalse, Mutable: pFalse},
		}}}},
		stateHandleField(c.t.handle),
	)
	f.RelatesTo = []string{relatesToCurrentEnrollment}
	return f
}
