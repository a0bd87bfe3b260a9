package terminal_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/examples/internal/terminal"
	"github.com/goidx/goidx/examples/internal/terminal/terminaltest"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// signIn starts a sign-in of the demo user on srv, past its password.
func signIn(t *testing.T, srv *idxtest.Server) (*idx.Client, *idx.Transaction) {
	t.Helper()
	client, err := idx.NewClient(idx.Config{
		Issuer: srv.Issuer(), ClientID: idxtest.PublicClientID, RedirectURI: idxtest.DefaultRedirectURI, Scopes: []string{"openid"},
	}, idx.WithInsecureLoopbackHTTP())
	if err != nil {
		t.Fatal(err)
	}
	tx, err := client.Authenticate(t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	if err != nil {
		t.Fatal(err)
	}
	if tx.Status != idx.StatusPending {
		t.Fatalf("sign-in %s, want PENDING", tx.Status)
	}
	return client, tx
}

// interactiveAuto is terminal.Auto, asked again when refused.
type interactiveAuto struct{ *terminal.Auto }

func (interactiveAuto) Interactive() bool { return true }

func TestDrive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		policy     idxtest.Policy
		asker      func(srv *idxtest.Server, out *bytes.Buffer) terminal.Asker
		refuseOnce bool
		wantStatus idx.Status
		wantErr    string
		wantOut    []string
		// requests are how many requests of each kind the org must see.
		requests map[string]int
	}{
		{
			name:   "answered to the end",
			policy: idxtest.DefaultPolicy(),
			asker: func(srv *idxtest.Server, out *bytes.Buffer) terminal.Asker {
				return &terminal.Auto{Server: srv, Out: out, Inbox: idxtest.DemoUsername}
			},
			wantStatus: idx.StatusSuccess,
			wantOut:    []string{"next step: select-authenticator-authenticate", "-> verificationCode: code read from the fake org's outbox"},
			requests:   map[string]int{"POST /idp/idx/cancel": 0},
		},
		{
			name:   "an answer refused before it is sent is asked again",
			policy: idxtest.DefaultPolicy(),
			asker: func(srv *idxtest.Server, out *bytes.Buffer) terminal.Asker {
				return interactiveAuto{&terminal.Auto{Server: srv, Out: out, Inbox: idxtest.DemoUsername}}
			},
			refuseOnce: true,
			wantStatus: idx.StatusSuccess,
			wantOut:    []string{"  not accepted: Authenticator not offered; try again", "next step: select-authenticator-authenticate", "-> verificationCode"},
		},
		{
			name:   "answers that do not complete the step, not interactive",
			policy: idxtest.DefaultPolicy(),
			asker: func(*idxtest.Server, *bytes.Buffer) terminal.Asker {
				return &answerer{}
			},
			wantErr:  "the answers did not complete step select-authenticator-authenticate",
			requests: map[string]int{"POST /idp/idx/cancel": 1, "POST /idp/idx/challenge": 0},
		},
		{
			name:   "gives up",
			policy: idxtest.DefaultPolicy(),
			asker: func(*idxtest.Server, *bytes.Buffer) terminal.Asker {
				return &answerer{interactive: true}
			},
			wantErr:  "gave up after 50 steps",
			wantOut:  []string{"  the answers did not complete the step; try again"},
			requests: map[string]int{"POST /idp/idx/cancel": 1, "POST /idp/idx/challenge": 0},
		},
		{
			name:   "canceled",
			policy: idxtest.DefaultPolicy(),
			asker: func(*idxtest.Server, *bytes.Buffer) terminal.Asker {
				return &answerer{cmd: terminal.Cancel}
			},
			wantStatus: idx.StatusCanceled,
			requests:   map[string]int{"POST /idp/idx/cancel": 1},
		},
		{
			name:   "skipped",
			policy: idxtest.Policy{Factors: 1, Enrollment: []idxtest.EnrollmentRule{{Key: idxtest.AuthenticatorPhone}}},
			asker: func(*idxtest.Server, *bytes.Buffer) terminal.Asker {
				return &answerer{cmd: terminal.Skip}
			},
			wantStatus: idx.StatusSuccess,
			wantOut:    []string{"next step: select-authenticator-enroll", "this step can be skipped"},
			requests:   map[string]int{"POST /idp/idx/skip": 1},
		},
		{
			name: "device assurance grace period",
			policy: idxtest.Policy{Factors: 1, DeviceAssurance: &idxtest.DeviceAssurance{
				GracePeriodEnd: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
				Options:        [][]idxtest.DeviceChange{{{Rule: "android.use_lock_screen"}}},
			}},
			asker: func(*idxtest.Server, *bytes.Buffer) terminal.Asker {
				return &answerer{}
			},
			wantStatus: idx.StatusSuccess,
			wantOut: []string{"next step: device-assurance-grace-period", "ERROR: Enable lock screen <https://okta.com/android-lock-screen>",
				"going on with the sign-in during the grace period"},
			requests: map[string]int{"POST /idp/idx/skip": 1, "POST /idp/idx/cancel": 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := idxtest.New(t, idxtest.WithPolicy(tt.policy))
			client, tx := signIn(t, srv)
			var out bytes.Buffer
			call := terminal.Call(client.Authenticate)
			if tt.refuseOnce {
				refused := false
				call = func(ctx context.Context, o idx.Options) (*idx.Transaction, error) {
					if !refused {
						refused = true
						return nil, &idx.InputError{Field: "Authenticator", Reason: "not offered"}
					}
					return client.Authenticate(ctx, o)
				}
			}
			got, err := terminal.Drive(t.Context(), client, call, tt.asker(srv, &out), &out, tx)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q\noutput:\n%s", err, tt.wantErr, out.String())
				}
			} else {
				if err != nil {
					t.Fatalf("Drive: %v\noutput:\n%s", err, out.String())
				}
				if got.Status != tt.wantStatus {
					t.Errorf("status %s, want %s", got.Status, tt.wantStatus)
				}
			}
			terminaltest.CheckInOrder(t, out.String(), tt.wantOut...)
			counts := srv.RequestCounts()
			for req, n := range tt.requests {
				if counts[req] != n {
					t.Errorf("%s: %d requests, want %d", req, counts[req], n)
				}
			}
			terminaltest.CheckNoSecrets(t, out.String(), srv, idxtest.DemoPassword)
		})
	}
}

func TestDriveAskerFails(t *testing.T) {
	t.Parallel()
	srv := idxtest.New(t)
	client, tx := signIn(t, srv)
	var out bytes.Buffer
	_, err := terminal.Drive(t.Context(), client, client.Authenticate, terminal.NewPrompter(strings.NewReader(""), &out), &out, tx)
	if !errors.Is(err, io.EOF) {
		t.Errorf("err = %v, want one wrapping io.EOF", err)
	}
	if n := srv.RequestCounts()["POST /idp/idx/cancel"]; n != 1 {
		t.Errorf("%d cancels, want 1", n)
	}
}

func TestReport(t *testing.T) {
	t.Parallel()
	tx := &idx.Transaction{
		Status:    idx.StatusPending,
		Rejection: errors.New("rejected"),
		Messages:  []idx.Message{{Class: "ERROR", Text: "Invalid code.", Field: "verificationCode"}, {Class: "INFO", Text: "Hello."}},
		NextStep: &idx.NextStep{
			Name: "challenge-authenticator",
			Inputs: []authenticator.Input{
				{Name: "verificationCode", Label: "Enter code", Required: true},
				{Name: "methodType", Type: "string", Options: []authenticator.Choice{{Label: "SMS", Value: "sms"}, {Label: "Voice", Value: "voice"}}},
				{Name: "flag", Type: "boolean", Secret: true},
			},
			Authenticator: &idx.Authenticator{DisplayName: "Phone", Key: "phone_number", Methods: []string{"sms", "voice"},
				Profile: map[string]string{"email": "a***a@example.com"}},
			CanResend: true,
			CanSkip:   true,
		},
	}
	var out bytes.Buffer
	terminal.Report(&out, tx)
	want := `Status: PENDING, next step: challenge-authenticator
  the org did not accept the last answer:
  ERROR: Invalid code. (verificationCode)
  INFO: Hello.
  authenticator: Phone (phone_number), methods sms, voice, email a***a@example.com
  input: verificationCode "Enter code" (required)
  input: methodType
    1. SMS (sms)
    2. Voice (voice)
  input: flag (secret, boolean)
  the code can be resent
  this step can be skipped
`
	if got := out.String(); got != want {
		t.Errorf("Report printed:\n%s\nwant:\n%s", got, want)
	}
}
