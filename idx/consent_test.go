package idx_test

// Consent steps in the shapes real orgs send (captured answers in
// internal/ion/testdata): what NextStep.Consent shows, what Options
// answer, and how the org's ends of them read.

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
)

func TestConsentFixtures(t *testing.T) {
	t.Parallel()
	app := idx.Consent{App: "Native client", TermsOfService: "https://example.com/tos",
		PrivacyPolicy: "https://example.com/privacypolicy", Logo: "https://example.com/logo"}
	with := func(c idx.Consent, scopes ...idx.Scope) *idx.Consent {
		c.Scopes = scopes
		return &c
	}
	granular := app
	granular.ByScope, granular.Logo = true, "" // the capture's app has no logo
	consentInput := authenticator.Input{Name: "consent", Type: "boolean", Required: true,
		Options: []authenticator.Choice{{Label: "Allow Access", Value: "true"}, {Label: "Don't Allow", Value: "false"}}}
	tests := []struct {
		name, fixture, step string
		wantConsent         *idx.Consent
		wantInputs          []authenticator.Input
		opts                idx.Options
		wantBody            map[string]any // the consent form's body, stateHandle left out
		reply               scriptReply
		// wantOutcome and wantErrs describe the transaction after reply.
		wantStatus  idx.Status
		wantOutcome idx.Outcome
		wantErrs    []error
	}{
		{
			name: "end user, allowed", fixture: "consent-enduser.json", step: "consent",
			wantConsent: with(app,
				idx.Scope{Name: "email", Label: "View your email address.", Description: "This allows the app to view your email address."},
				idx.Scope{Name: "phone", Label: "View your phone number.", Description: "This allows the app to view your phone number."}),
			wantInputs: []authenticator.Input{consentInput},
			opts:       idx.Options{Consent: idx.ConsentAllow},
			wantBody:   map[string]any{"consent": true},
			wantStatus: idx.StatusSuccess,
		},
		{
			name: "end user, custom scopes, denied", fixture: "consent-enduser-custom-scopes.json", step: "consent",
			wantConsent: with(app,
				idx.Scope{Name: "custom1", Label: "View your mobile phone data plan.", Description: "This allows the app to view your mobile phone data plan."},
				idx.Scope{Name: "custom2", Label: "View your internet search history.", Description: "This allows the app to view your internet search history."}),
			wantInputs: []authenticator.Input{consentInput},
			opts:       idx.Options{Consent: idx.ConsentDeny},
			wantBody:   map[string]any{"consent": false},
			reply:      ok("terminal-enduser-email-consent-denied.json"),
			wantStatus: idx.StatusTerminal,
			wantErrs:   []error{idx.ErrConsentDenied, idx.ErrOperationCanceled},
		},
		{
			name: "admin, allowed", fixture: "consent-admin.json", step: "admin-consent",
			wantConsent: with(app,
				idx.Scope{Name: "okta.clients.manage", Label: "okta.clients.manage", Description: "Allows the app to manage clients in your Okta organization."},
				idx.Scope{Name: "okta.authenticators.manage", Label: "okta.authenticators.manage", Description: "Allows the app to manage all authenticators (e.g. enrollments, reset)."}),
			wantInputs: []authenticator.Input{consentInput},
			opts:       idx.Options{Consent: idx.ConsentAllow},
			wantBody:   map[string]any{"consent": true},
			wantStatus: idx.StatusSuccess,
		},
		{
			name: "granular, one scope declined", fixture: "consent-granular.json", step: "granular-consent",
			wantConsent: with(granular,
				idx.Scope{Name: "openid"},
				idx.Scope{Name: "custom1", Label: "View your mobile phone data plan.", Description: "This allows the app to view your mobile phone data plan.", Optional: true},
				idx.Scope{Name: "custom2", Label: "View your internet search history.", Optional: true},
				idx.Scope{Name: "custom3.custom4.custom5", Label: "View your mobile phone call history.", Description: "This allows the app to view your mobile phone call history.", Optional: true},
				idx.Scope{Name: "email", Label: "View your email address.", Description: "This allows the app to view your email address.", Optional: true},
				idx.Scope{Name: "profile", Label: "View your profile information."}),
			wantInputs: []authenticator.Input{
				{Name: "consent", Type: "boolean", Required: true},
				{Name: "optedScopes", Type: "array", Options: []authenticator.Choice{
					{Label: "View your mobile phone data plan.", Value: "custom1"},
					{Label: "View your internet search history.", Value: "custom2"},
					{Label: "View your mobile phone call history.", Value: "custom3.custom4.custom5"},
					{Label: "View your email address.", Value: "email"},
				}},
			},
			opts: idx.Options{ConsentScopes: []string{"custom1", "custom3.custom4.custom5", "email", "openid"}},
			wantBody: map[string]any{"consent": true, "optedScopes": map[string]any{
				"openid": true, "custom1": true, "custom2": false, "custom3.custom4.custom5": true, "email": true, "profile": true,
			}},
			wantStatus: idx.StatusSuccess,
		},
		{
			name: "granular, every scope allowed", fixture: "consent-granular.json", step: "granular-consent",
			opts: idx.Options{Consent: idx.ConsentAllow},
			wantBody: map[string]any{"consent": true, "optedScopes": map[string]any{
				"openid": true, "custom1": true, "custom2": true, "custom3.custom4.custom5": true, "email": true, "profile": true,
			}},
			wantStatus: idx.StatusSuccess,
		},
		{
			name: "granular, denied", fixture: "consent-granular.json", step: "granular-consent",
			opts: idx.Options{Consent: idx.ConsentDeny},
			wantBody: map[string]any{"consent": false, "optedScopes": map[string]any{
				"openid": true, "custom1": true, "custom2": true, "custom3.custom4.custom5": true, "email": true, "profile": true,
			}},
			reply:      ok("terminal-enduser-email-consent-denied.json"),
			wantStatus: idx.StatusTerminal,
			wantErrs:   []error{idx.ErrConsentDenied},
		},
		{
			name: "granular, names that are prefixes of each other", fixture: "consent-granular-prefix-collision.json", step: "granular-consent",
			opts: idx.Options{ConsentScopes: []string{"custom1.custom2"}},
			wantBody: map[string]any{"consent": true, "optedScopes": map[string]any{
				"openid": true, "custom1": false, "custom1.custom2": true, "profile": true,
			}},
			wantStatus: idx.StatusSuccess,
		},
		{
			name: "granular, no optional scope", fixture: "consent-granular-prefix-collision.json", step: "granular-consent",
			opts: idx.Options{ConsentScopes: []string{}},
			wantBody: map[string]any{"consent": true, "optedScopes": map[string]any{
				"openid": true, "custom1": false, "custom1.custom2": false, "profile": true,
			}},
			wantStatus: idx.StatusSuccess,
		},
		{
			name: "email link in another browser, allowed", fixture: "email-challenge-consent.json", step: "email-challenge-consent",
			wantConsent: &idx.Consent{App: "Info DyneX", Browser: "FIREFOX"},
			wantInputs: []authenticator.Input{{Name: "consent", Type: "boolean", Required: true,
				Options: []authenticator.Choice{{Label: "Allow", Value: "true"}, {Label: "Deny", Value: "false"}}}},
			opts:        idx.Options{Consent: idx.ConsentAllow},
			wantBody:    map[string]any{"consent": true},
			reply:       ok("terminal-return-email-consent.json"),
			wantStatus:  idx.StatusTerminal,
			wantOutcome: idx.OutcomeReturnToOriginalTab,
		},
		{
			name: "email link in another browser, denied", fixture: "email-challenge-consent.json", step: "email-challenge-consent",
			opts:       idx.Options{Consent: idx.ConsentDeny},
			wantBody:   map[string]any{"consent": false},
			reply:      ok("terminal-return-email-consent-denied.json"),
			wantStatus: idx.StatusTerminal,
			wantErrs:   []error{idx.ErrConsentDenied, idx.ErrOperationCanceled},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, c, tx := startFixture(t, tt.fixture, "")
			reply := tt.reply
			if reply.body == "" {
				reply = ok(successDoc(o))
			}
			o.on("/idp/idx/consent", reply)
			if tx.NextStep.Name != tt.step {
				t.Fatalf("next step %s, want %s", tx.NextStep.Name, tt.step)
			}
			if tt.wantConsent != nil {
				if diff := cmp.Diff(tt.wantConsent, tx.NextStep.Consent); diff != "" {
					t.Errorf("Consent (-want +got):\n%s", diff)
				}
			}
			if tt.wantInputs != nil {
				if diff := cmp.Diff(tt.wantInputs, tx.NextStep.Inputs); diff != "" {
					t.Errorf("Inputs (-want +got):\n%s", diff)
				}
			}
			opts := tt.opts
			opts.State = tx.State
			tx, err := c.Authenticate(context.Background(), opts)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			body := o.last("/idp/idx/consent").Body
			delete(body, "stateHandle")
			if diff := cmp.Diff(tt.wantBody, body); diff != "" {
				t.Errorf("body sent (-want +got):\n%s", diff)
			}
			if tx.Status != tt.wantStatus || tx.Outcome != tt.wantOutcome {
				t.Errorf("status %s, outcome %q; want %s, %q", tx.Status, tx.Outcome, tt.wantStatus, tt.wantOutcome)
			}
			for _, want := range tt.wantErrs {
				if !errors.Is(tx.Err(), want) {
					t.Errorf("Err() = %v, want it to match %v", tx.Err(), want)
				}
			}
			if tt.wantErrs == nil && tx.Err() != nil {
				t.Errorf("Err() = %v, want nil", tx.Err())
			}
		})
	}
}

// A granular consent answered with a scope it does not ask for, or with
// scopes and a refusal, fails before anything is sent.
func TestConsentFixtureRefusedOptions(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string]idx.Options{
		"unknown scope":         {ConsentScopes: []string{"custom1.custom3"}},
		"prefix of a scope":     {ConsentScopes: []string{"custom"}},
		"scopes with a refusal": {Consent: idx.ConsentDeny, ConsentScopes: []string{"custom1"}},
		"empty scope name":      {ConsentScopes: []string{""}},
		"unknown answer":        {Consent: "maybe"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			o, c, tx := startFixture(t, "consent-granular-prefix-collision.json", "")
			opts.State = tx.State
			if _, err := c.Authenticate(context.Background(), opts); !errors.Is(err, idx.ErrInvalidInput) {
				t.Errorf("Authenticate: %v, want ErrInvalidInput", err)
			}
			for _, p := range o.paths() {
				if p == "POST /idp/idx/consent" {
					t.Errorf("the consent form was posted")
				}
			}
		})
	}
}
