package idxtest

import (
	"net/http"
	"net/url"
	"testing"
)

// journeyConsent reaches the consent of each kind, with the scopes of
// the captures, a grant and a refusal (TestShapes).
func journeyConsent(t *testing.T, run *shapeRun) {
	custom := []Scope{
		{Name: "custom1", Label: "View your mobile phone data plan.", Description: "Lets the app see your data plan."},
		{Name: "custom1.custom2", Label: "View your data plan's details.", Description: "Lets the app see the details of your data plan."},
		{Name: "custom2", Label: "View your internet search history."},
		{Name: "custom3.custom4.custom5", Label: "View your call history.", Description: "Lets the app see your call history."},
		{Name: "okta.clients.manage", Description: "Lets the app manage the org's clients."},
		{Name: "okta.authenticators.manage", Description: "Lets the app manage the org's authenticators."},
	}
	for _, tc := range []struct {
		kind, state, scope string
		answer             map[string]any
	}{
		{ConsentEndUser, "consent/enduser", "openid email phone", nil},
		{ConsentAdmin, "consent/admin", "openid okta.clients.manage okta.authenticators.manage", map[string]any{"consent": true}},
		{ConsentGranular, "consent/granular", "openid custom1 custom2 custom3.custom4.custom5 email profile",
			map[string]any{"consent": true, "optedScopes": map[string]any{"openid": true, "custom1": true, "custom2": false, "custom3.custom4.custom5": true, "email": true, "profile": true}}},
		{ConsentGranular, "consent/granular-prefix", "openid custom1 custom1.custom2 profile",
			map[string]any{"consent": true, "optedScopes": map[string]any{"openid": true, "custom1": false, "custom1.custom2": true, "profile": true}}},
	} {
		j := newJourney(t, run, WithPolicy(Policy{Factors: 1, Consent: tc.kind, Scopes: custom}))
		j.start(url.Values{"scope": {tc.scope}}).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture(tc.state)
		form := consentForms[tc.kind]
		if tc.answer == nil {
			j.submit(form, map[string]any{"consent": false}).want(http.StatusOK).capture("consent/denied")
			continue
		}
		j.submit(form, tc.answer).want(http.StatusOK)
		if j.doc["successWithInteractionCode"] == nil {
			t.Errorf("%s: consent granted, but no success in %s", tc.state, j.body)
		}
	}
}

// journeyDevice activates a device, and refuses consent to another
// (TestShapes).
func journeyDevice(t *testing.T, run *shapeRun) {
	for _, consent := range []string{"", ConsentEndUser} {
		j := newJourney(t, run, WithPolicy(Policy{Factors: 1, Consent: consent}))
		da, err := j.s.DeviceAuthorize(PublicClientID, "openid", "profile")
		if err != nil {
			t.Fatal(err)
		}
		if consent == "" {
			j.post(j.s.URL+"/idp/idx/introspect", map[string]any{"stateToken": j.s.StartDeviceActivation("")}).want(http.StatusOK).capture("user-code")
			j.submit("user-code", map[string]any{"userCode": "BCDFGHJK"}).want(http.StatusBadRequest).capture("user-code/invalid")
			j.post(j.s.URL+"/idp/idx/device/activate", map[string]any{"stateHandle": j.stateHandle, "userCode": da.UserCode}).want(http.StatusOK)
			j.identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("terminal/device-activated")
			continue
		}
		j.post(j.s.URL+"/idp/idx/introspect", map[string]any{"stateToken": j.s.StartDeviceActivation(da.UserCode)}).want(http.StatusOK).capture("user-code/filled-in")
		j.submit("user-code", map[string]any{"userCode": da.UserCode}).want(http.StatusOK)
		j.identify(DemoUsername, DemoPassword).want(http.StatusOK)
		j.submit("consent", map[string]any{"consent": false}).want(http.StatusOK).capture("terminal/device-not-activated")
	}
}

// journeyEmailConsent confirms an email's magic link on another device,
// which asks for consent, once allowed and once denied (TestShapes).
func journeyEmailConsent(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.EmailLinkConsent = true
	for _, allow := range []bool{true, false} {
		j := newJourney(t, run, WithPolicy(p))
		j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK)
		j.choose("select-authenticator-authenticate", AuthenticatorEmail, nil).want(http.StatusOK)
		j.choose("authenticator-verification-data", AuthenticatorEmail, map[string]any{"methodType": "email"}).want(http.StatusOK)
		signIn := j.stateHandle
		out := j.s.Outbox()
		other := j.again()
		other.post(out[len(out)-1].Link, nil).want(http.StatusOK)
		if allow {
			other.capture("email-challenge-consent")
			other.submit("email-challenge-consent", map[string]any{"consent": true}).want(http.StatusOK).capture("email-consent/allowed")
			j.post(j.s.URL+"/idp/idx/challenge/poll", map[string]any{"stateHandle": signIn}).want(http.StatusOK)
			if j.doc["successWithInteractionCode"] == nil {
				t.Errorf("the sign-in's poll after consent: no success in %s", j.body)
			}
			continue
		}
		other.submit("email-challenge-consent", map[string]any{"consent": false}).want(http.StatusOK).capture("email-consent/denied")
		j.post(j.s.URL+"/idp/idx/challenge/poll", map[string]any{"stateHandle": signIn}).want(http.StatusOK).capture("email-consent/sign-in-canceled")
	}
}
