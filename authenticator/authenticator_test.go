package authenticator_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
)

func TestCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		key    authenticator.Key
		answer authenticator.Answer
		want   map[string]any
		ok     bool
	}{
		{"email code", authenticator.OktaEmail, authenticator.Answer{VerificationCode: "123456"}, map[string]any{"passcode": "123456"}, true},
		{"email without code", authenticator.OktaEmail, authenticator.Answer{Password: "pw"}, nil, false},
		{"password", authenticator.OktaPassword, authenticator.Answer{Password: "pw", VerificationCode: "1"}, map[string]any{"passcode": "pw"}, true},
		{"password missing", authenticator.OktaPassword, authenticator.Answer{VerificationCode: "1"}, nil, false},
		{"security question", authenticator.SecurityQuestion, authenticator.Answer{Answer: "blue"}, map[string]any{"answer": "blue"}, true},
		{"custom question at enrollment", authenticator.SecurityQuestion, authenticator.Answer{Answer: "blue", QuestionKey: "custom", Question: "Colour?"},
			map[string]any{"answer": "blue", "questionKey": "custom", "question": "Colour?"}, true},
		{"unknown key takes a passcode", authenticator.Key("acme_token"), authenticator.Answer{VerificationCode: "42"}, map[string]any{"passcode": "42"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := authenticator.Credentials(tc.key, tc.answer)
			if ok != tc.ok {
				t.Fatalf("ok = %t; want %t", ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("credentials mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKnownAndCredentialInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key   authenticator.Key
		known bool
		input string
	}{
		{authenticator.OktaEmail, true, "verificationCode"},
		{authenticator.PhoneNumber, true, "verificationCode"},
		{authenticator.OktaPassword, true, "password"},
		{authenticator.SecurityQuestion, true, "answer"},
		{"acme_token", false, "verificationCode"},
		{"", false, "verificationCode"},
	} {
		if got := tc.key.Known(); got != tc.known {
			t.Errorf("%q.Known() = %t; want %t", tc.key, got, tc.known)
		}
		if got := authenticator.CredentialInput(tc.key); got != tc.input {
			t.Errorf("CredentialInput(%q) = %q; want %q", tc.key, got, tc.input)
		}
	}
}
