package idx_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
)

// Goal: every shape in which real orgs hand a step to the user's device
// (captured answers in internal/ion/testdata) gives the app a typed
// DeviceChallenge: the method, the URL to send the browser to, the
// loopback origins and ports, the action that stops waiting, and that
// only the device completes the step; a step the app can take still
// comes first.
func TestDeviceChallengeFixtures(t *testing.T) {
	t.Parallel()
	cancel := "cancel-polling"
	tests := []struct {
		fixture string
		// wantNext is NextStep's name; wantStep the device-bound step
		// (NextStep or one of AvailableSteps) and wantDevice its challenge.
		wantNext, wantStep string
		wantDevice         *authenticator.DeviceChallenge
		wantPoll           bool
		// wantRequest: a loopback challenge carries its signed request.
		wantRequest bool
	}{
		{
			fixture: "identify-with-device-launch-authenticator.json", wantNext: "device-challenge-poll", wantStep: "device-challenge-poll",
			wantDevice: &authenticator.DeviceChallenge{Method: authenticator.ChallengeCustomURI, Href: "okta-verify.html",
				DownloadHref: "https://apps.apple.com/us/app/okta-verify/id490179405", CancelStep: cancel, DeviceOnly: true},
			wantPoll: true,
		},
		{
			fixture: "identify-with-device-probing-loopback.json", wantNext: "device-challenge-poll", wantStep: "device-challenge-poll",
			wantDevice: &authenticator.DeviceChallenge{Method: authenticator.ChallengeLoopback, Domain: "http://localhost",
				Ports: []int{2000, 6511, 6512, 6513}, CancelStep: cancel, DeviceOnly: true},
			wantPoll: true, wantRequest: true,
		},
		{
			fixture: "identify-with-device-probing-https-loopback.json", wantNext: "device-challenge-poll", wantStep: "device-challenge-poll",
			wantDevice: &authenticator.DeviceChallenge{Method: authenticator.ChallengeLoopback, Domain: "http://localhost",
				HTTPSDomain: "https://randomOrgId.authenticatorlocaldev.com", Ports: []int{2000, 6511, 6512, 6513},
				ProbeTimeout: 3 * time.Second, CancelStep: cancel, DeviceOnly: true},
			wantPoll: true, wantRequest: true,
		},
		{
			fixture: "identify-with-universal-link.json", wantNext: "device-challenge-poll", wantStep: "device-challenge-poll",
			wantDevice: &authenticator.DeviceChallenge{Method: authenticator.ChallengeUniversalLink, Href: "okta-verify.html",
				CancelStep: "cancel-polling-transaction", DeviceOnly: true},
			wantPoll: true,
		},
		{
			fixture: "identify-with-app-link.json", wantNext: "device-challenge-poll", wantStep: "device-challenge-poll",
			wantDevice: &authenticator.DeviceChallenge{Method: authenticator.ChallengeAppLink, Href: "okta-verify.html",
				CancelStep: "cancel-polling-transaction", DeviceOnly: true},
			wantPoll: true,
		},
		{
			fixture: "device-probing-chrome-dtc.json", wantNext: "device-challenge-poll", wantStep: "device-challenge-poll",
			wantDevice: &authenticator.DeviceChallenge{Method: authenticator.ChallengeChromeDTC,
				Href:       "https://example.okta.com/idp/device/dinkm9q0dV4tsEdkz0g4/challenge?transactionHandle=dit2ChhQiZ7xRpQfED8H9hXnw1NrKcE8VCq",
				CancelStep: cancel, DeviceOnly: true},
			wantPoll: true,
		},
		{
			// Probing found no app: the username, or the launch.
			fixture: "identify-with-apple-sso-extension-fallback.json", wantNext: "identify", wantStep: "launch-authenticator",
			wantDevice: &authenticator.DeviceChallenge{Method: authenticator.ChallengeUniversalLink, Href: "okta-verify.html", DeviceOnly: true},
		},
		{
			fixture: "identify-with-apple-sso-extension-fallback-no-link.json", wantNext: "identify", wantStep: "launch-authenticator",
			wantDevice: &authenticator.DeviceChallenge{Method: authenticator.ChallengeUniversalLink, DeviceOnly: true},
		},
		{
			fixture: "identify-with-device-probing-loopback-challenge-not-received.json", wantNext: "identify", wantStep: "launch-authenticator",
			wantDevice: &authenticator.DeviceChallenge{DeviceOnly: true},
		},
		{
			fixture: "smart-probing-required.json", wantNext: "select-enroll-profile", wantStep: "launch-authenticator",
			wantDevice: &authenticator.DeviceChallenge{DeviceOnly: true},
		},
		{
			fixture: "identify-with-apple-redirect-sso-extension.json", wantNext: "device-apple-sso-extension", wantStep: "device-apple-sso-extension",
			wantDevice: &authenticator.DeviceChallenge{DeviceOnly: true,
				Href: "https://example.okta.com/idp/idx/authenticators/sso_extension/transactions/123/verify?challengeRequest=" + appleChallengeRequest},
		},
		{
			// A POST the extension answers itself: no URL for the browser.
			fixture: "error-401-apple-sso-extension-verify.json", wantNext: "device-apple-sso-extension", wantStep: "device-apple-sso-extension",
			wantDevice: &authenticator.DeviceChallenge{DeviceOnly: true},
		},
		{
			fixture: "authenticator-verification-okta-verify-signed-nonce-app-link.json", wantNext: "challenge-poll", wantStep: "challenge-poll",
			wantDevice: &authenticator.DeviceChallenge{Method: authenticator.ChallengeAppLink, Href: "okta-verify.html?param=is_assumed_to_exist",
				CancelStep: cancel, DeviceOnly: true},
			wantPoll: true,
		},
		{
			// The extension's verification was cancelled: the app goes on.
			fixture: "apple-sso-extension-verify-cancel.json", wantNext: "cancel-transaction", wantStep: "cancel-transaction",
		},
		{
			fixture: "error-401-okta-verify-apple-sso-step-up.json", wantNext: "cancel-transaction", wantStep: "cancel-transaction",
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			o, _, tx := startFixture(t, tt.fixture, "")
			if tx.NextStep.Name != tt.wantNext {
				t.Errorf("NextStep %q; want %q", tx.NextStep.Name, tt.wantNext)
			}
			i := slices.IndexFunc(tx.AvailableSteps, func(s idx.NextStep) bool { return s.Name == tt.wantStep })
			if i < 0 {
				t.Fatalf("no step %q in %v", tt.wantStep, tx.AvailableSteps)
			}
			s := tx.AvailableSteps[i]
			if d := s.DeviceChallenge; d != nil {
				// The harness serves the captures from its own origin.
				d.Href = strings.Replace(d.Href, o.srv.URL, "https://example.okta.com", 1)
				if (d.ChallengeRequest != "") != tt.wantRequest {
					t.Errorf("ChallengeRequest %q; want one: %v", d.ChallengeRequest, tt.wantRequest)
				}
				d.ChallengeRequest = ""
			}
			if diff := cmp.Diff(tt.wantDevice, s.DeviceChallenge); diff != "" {
				t.Errorf("DeviceChallenge (-want +got):\n%s", diff)
			}
			if (s.Poll != nil) != tt.wantPoll {
				t.Errorf("Poll %+v; want polled: %v", s.Poll, tt.wantPoll)
			}
			for _, o := range tx.AvailableSteps {
				if o.Name != tt.wantStep && o.DeviceChallenge != nil {
					t.Errorf("step %q has a DeviceChallenge: %+v", o.Name, o.DeviceChallenge)
				}
			}
		})
	}
}

// appleChallengeRequest is the challengeRequest of the captured Apple SSO
// extension redirect.
const appleChallengeRequest = "eyJraWQiOiJCa2Y3LTVqa2d6eE1NYjBtS0pEX3hpaUxzZFNmLXZ6cks0MmFkcmcyWXEwIiwiYWxnIjoiUlMyNTYifQ.eyJpc3MiOiJodHRwczovL2R0ZGVtby53aWRlcm9jay5jb20iLCJhdWQiOiJva3RhLjYzYzA4MWRiLTFmMTMtNTA4NC04ODJmLWU3OWUxZTVlMmRhNyIsImV4cCI6MTU3ODYxODEzMiwiaWF0IjoxNTc4NjE3ODMyLCJqdGkiOiJ0cmFuc2FjdGlvbklkIiwibm9uY2UiOiJzYW1wbGVOb25jZSIsInNpZ25hbHMiOlsic2NyZWVuTG9jayIsInJvb3RQcml2aWxlZ2VzIiwiZnVsbERpc2tFbmNyeXB0aW9uIiwiaWQiLCJwbGF0Zm9ybSIsIm9zVmVyc2lvbiIsIm1hbnVmYWN0dXJlciIsIm1vZGVsIiwiZGV2aWNlQXR0ZXN0YXRpb24iXSwidXNlclZlcmlmaWNhdGlvblJlcXVpcmVtZW50IjpmYWxzZSwidmVyaWZpY2F0aW9uVXJpIjoiaHR0cHM6Ly9kdGRlbW8ud2lkZXJvY2suY29tL2F1dGhlbnRpY2F0b3JzL3Nzb19leHRlbnNpb24vdHJhbnNhY3Rpb25zL3t0cmFuc2FjdGlvbklkfS92ZXJpZnkiLCJjYVN1YmplY3ROYW1lcyI6W10sImtleVR5cGUiOiJwcm9vZk9mUG9zc2Vzc2lvbiIsImZhY3RvclR5cGUiOiJjcnlwdG8iLCJ2ZXIiOjB9.aCsWAQHdU3MG6w7ZQl1csuw2UFb1yvH3es97McC6lFswAphkz6bIHNcagob2dhTwWMJ7_RbpZHqXcaZJ7skKZxYHEfdC9UwrRzdHpy_4Oeq477n4NGsJLvJNKDi_FOEulqAtCMnjh20vEJI6e4uNIxoSSCfxRCzp-0tdRIJ_7dGM-IsyFjefcnbDyFZT7s4l1tbeO7KYXmWXzP00bA8jmcGLb7i9bFwhjw9OBCgdNcqxKXMLmWQA0JZritRDR6u0ZcEjykca-eUCJtG5ISQOONs_lUBGL3Ezz6QsfWtW16E9QJAVEwf06gULnbw5n6wpiAiDqa4HlkKP6K5-v1Y0XQ"

// Goal: a device challenge is polled on the captured device-challenge-poll
// form (Poll ends in SUCCESS once the device has answered), and stopping
// the wait posts the challenge's cancel-polling action, after which the
// org's fallback (the username, or launch-authenticator) is the next step.
func TestDeviceChallengePollAndCancel(t *testing.T) {
	t.Parallel()
	t.Run("poll", func(t *testing.T) {
		t.Parallel()
		o, c, tx := startFixture(t, "identify-with-device-launch-authenticator.json", "/idp/idx/authenticators/poll")
		tx, err := c.Poll(context.Background(), tx.State)
		if err != nil || tx.Status != idx.StatusSuccess {
			t.Fatalf("Poll: %v, %v", tx, err)
		}
		if o.last("/idp/idx/authenticators/poll") == nil {
			t.Error("the device-challenge-poll form was not posted")
		}
	})
	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		o, c, tx := startFixture(t, "identify-with-device-probing-loopback.json", "")
		o.on("/idp/idx/authenticators/poll/cancel", ok("identify-with-device-probing-loopback-challenge-not-received.json"))
		tx, err := c.Authenticate(context.Background(), idx.Options{State: tx.State, Step: tx.NextStep.DeviceChallenge.CancelStep})
		if err != nil {
			t.Fatalf("cancel-polling: %v", err)
		}
		if tx.Status != idx.StatusPending || tx.NextStep.Name != "identify" || tx.NextStep.DeviceChallenge != nil {
			t.Fatalf("after cancel-polling: %v %+v", tx, tx.NextStep)
		}
		if r := o.last("/idp/idx/authenticators/poll/cancel"); r == nil || r.Body["stateHandle"] == nil {
			t.Errorf("cancel-polling request %+v", r)
		}
	})
	t.Run("cancel of a FastPass challenge-poll", func(t *testing.T) {
		t.Parallel()
		o, c, tx := startFixture(t, "authenticator-verification-okta-verify-signed-nonce-app-link.json", "")
		o.on("/idp/idx/authenticators/poll/cancel", ok("identify-with-device-probing-loopback-challenge-not-received.json"))
		tx, err := c.Authenticate(context.Background(), idx.Options{State: tx.State, Step: tx.NextStep.DeviceChallenge.CancelStep})
		if err != nil || tx.NextStep == nil || tx.NextStep.Name != "identify" {
			t.Fatalf("cancel-polling: %v, %v", tx, err)
		}
	})
}

// Goal: identity verification (redirect-idverify) reads as redirect-idp
// does: the vendor typed with its ID, name and type, and the URL to send
// the browser to.
func TestIdentityVerificationFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture string
		want    idx.IDP
	}{
		{"authenticator-verification-idp-with-persona.json", idx.IDP{ID: "IDV_PERSONA", Name: "Persona", Type: "ID_PROOFING"}},
		{"authenticator-verification-idp-with-incode.json", idx.IDP{ID: "IDV_INCODE", Name: "Incode", Type: "ID_PROOFING"}},
		{"authenticator-verification-idp-with-clear.json", idx.IDP{ID: "IDV_CLEAR", Name: "Clear", Type: "ID_PROOFING"}},
		{"authenticator-verification-idp-with-customIDV.json", idx.IDP{ID: "IDV_STANDARD", Name: "Custom_IDV", Type: "ID_PROOFING",
			TermsOfUse: "https://customidv.com/term", PrivacyPolicy: "https://customidv.com/privacy"}},
		{"authenticator-verification-idp-with-oinIDV.json", idx.IDP{ID: "IDV_OIN", Name: "BYO Vendor Display Name", Type: "ID_PROOFING",
			TermsOfUse: "https://example.com/terms-of-service/", PrivacyPolicy: "https://example.com/privacy-policy/",
			Logo: "https://cdn.example.com/bc/globalFileStoreRecord?id=gfswsyzjwlhQuE6Df0g4"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			o, _, tx := startFixture(t, tt.fixture, "")
			s := tx.NextStep
			if s.Name != "redirect-idverify" || s.Type != "ID_PROOFING" {
				t.Fatalf("NextStep %+v", s)
			}
			if diff := cmp.Diff(&tt.want, s.IDP); diff != "" {
				t.Errorf("IDP (-want +got):\n%s", diff)
			}
			if want := o.srv.URL + "/idp/identity-verification?stateTokenExternalId="; len(s.Href) <= len(want) || s.Href[:len(want)] != want {
				t.Errorf("Href %q; want it under %q", s.Href, want)
			}
			if s.DeviceChallenge != nil {
				t.Errorf("DeviceChallenge %+v on an identity verification", s.DeviceChallenge)
			}
		})
	}
}
