package idx_test

// Device activation in the shapes real orgs send (captured answers in
// internal/ion/testdata): the user-code step, taken up by its
// stateHandle, answered with Options.UserCode, and its ends.

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
)

// takeUpFixture takes up, by its stateHandle, a transaction whose
// introspect answers fixture.
func takeUpFixture(t *testing.T, fixture string) (*scriptOrg, *idx.Client, *idx.Transaction) {
	t.Helper()
	o := newScriptOrg(t)
	o.on("/idp/idx/introspect", ok(fixture))
	c := o.client()
	tx, err := c.Start(context.Background(), idx.StartOptions{StateHandle: "02itnqG312DoS3cU0z0LWs11l76yQ8ll4d95Oye61u"})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if diff := cmp.Diff([]string{"POST /idp/idx/introspect"}, o.paths()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if got := o.last("/idp/idx/introspect").Body; got["stateToken"] != "02itnqG312DoS3cU0z0LWs11l76yQ8ll4d95Oye61u" {
		t.Errorf("introspect body %v, want the stateToken", got)
	}
	if tx.Status != idx.StatusPending || tx.NextStep == nil || tx.NextStep.Name != "user-code" {
		t.Fatalf("Start: %v, want PENDING on user-code", tx)
	}
	return o, c, tx
}

func TestDeviceActivationFixtures(t *testing.T) {
	t.Parallel()

	t.Run("a refused code, a wrong code, then activated", func(t *testing.T) {
		t.Parallel()
		o, c, tx := takeUpFixture(t, "device-code-activate.json")
		want := []authenticator.Input{{Name: "userCode", Label: "Activation Code", Type: "string"}}
		if diff := cmp.Diff(want, tx.NextStep.Inputs); diff != "" {
			t.Errorf("inputs (-want +got):\n%s", diff)
		}
		o.on("/idp/idx/device/activate",
			scriptReply{status: http.StatusBadRequest, body: "error-invalid-device-code.json"},
			scriptReply{status: http.StatusBadRequest, body: "error-device-code-activate.json"},
			ok("terminal-device-activated.json"))
		for _, step := range []struct {
			kind error
			key  string
		}{{idx.ErrInvalidUserCode, "idx.invalid.device.code"}, {idx.ErrInvalidPasscode, "api.authn.error.PASSCODE_INVALID"}} {
			var err error
			tx, err = c.Authenticate(context.Background(), idx.Options{State: tx.State, UserCode: " ABCD-WXYZ "})
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if tx.Status != idx.StatusPending || tx.NextStep == nil || tx.NextStep.Name != "user-code" || !errors.Is(tx.Rejection, step.kind) {
				t.Fatalf("after a refused code: %v, rejection %v; want PENDING on user-code, %v", tx, tx.Rejection, step.kind)
			}
			if diff := cmp.Diff([]string{step.key}, errorKeys(tx)); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}
			if got := o.last("/idp/idx/device/activate").Body["userCode"]; got != "ABCD-WXYZ" {
				t.Errorf("userCode sent %v, want ABCD-WXYZ", got)
			}
		}
		tx, err := c.Authenticate(context.Background(), idx.Options{State: tx.State, UserCode: "ABCD-WXYZ"})
		if err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		if tx.Status != idx.StatusTerminal || tx.Outcome != idx.OutcomeDeviceActivated || tx.Err() != nil || tx.Tokens != nil {
			t.Errorf("activated: %v, outcome %q, Err() %v; want TERMINAL, DEVICE_ACTIVATED, no error, no tokens", tx, tx.Outcome, tx.Err())
		}
	})

	for _, tt := range []struct {
		name, reply string
		want        []error
		notWant     error
	}{
		{"code filled in, consent denied", "terminal-device-not-activated-consent-denied.json", []error{idx.ErrConsentDenied, idx.ErrDeviceNotActivated}, nil},
		{"code filled in, internal error", "terminal-device-not-activated-internal-error.json", []error{idx.ErrDeviceNotActivated}, idx.ErrConsentDenied},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, c, tx := takeUpFixture(t, "device-code-activate-userCode.json")
			o.on("/idp/idx/device/activate", ok(tt.reply))
			// The code the org filled in is confirmed by taking the step.
			tx, err := c.Authenticate(context.Background(), idx.Options{State: tx.State, Step: "user-code"})
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if got := o.last("/idp/idx/device/activate").Body["userCode"]; got != "ABCDXYWZ" {
				t.Errorf("userCode sent %v, want the one filled in", got)
			}
			if tx.Status != idx.StatusTerminal || tx.Outcome != "" {
				t.Errorf("%v, outcome %q; want TERMINAL without an outcome", tx, tx.Outcome)
			}
			for _, want := range tt.want {
				if !errors.Is(tx.Err(), want) {
					t.Errorf("Err() = %v, want it to match %v", tx.Err(), want)
				}
			}
			if tt.notWant != nil && errors.Is(tx.Err(), tt.notWant) {
				t.Errorf("Err() = %v matches %v", tx.Err(), tt.notWant)
			}
		})
	}

	t.Run("a blank code", func(t *testing.T) {
		t.Parallel()
		o, c, tx := takeUpFixture(t, "device-code-activate.json")
		if _, err := c.Authenticate(context.Background(), idx.Options{State: tx.State, UserCode: "  "}); !errors.Is(err, idx.ErrInvalidInput) {
			t.Errorf("Authenticate: %v, want ErrInvalidInput", err)
		}
		if len(o.paths()) != 0 {
			t.Errorf("requests %v, want none", o.paths())
		}
	})
}
