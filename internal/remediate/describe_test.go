package remediate_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/remediate"
)

func TestDescribe(t *testing.T) {
	t.Parallel()
	withCurrent := func(extra obj) obj {
		cur := obj{"type": "email", "key": "okta_email", "id": "e1"}
		for k, v := range extra {
			cur[k] = v
		}
		return obj{"currentAuthenticator": obj{"type": "object", "value": cur}}
	}
	pollEvery := func(ms int) obj { p := loopForm("poll", "challenge/poll"); p["refresh"] = ms; return p }
	skip := loopForm("skip", "skip")
	tests := []struct {
		name  string
		forms []obj
		extra obj
		want  func(remediate.Step) bool
	}{
		{"a code step can resend", []obj{codeForm}, withCurrent(obj{"resend": resendAction}),
			func(s remediate.Step) bool { return s.CanResend && s.Poll == nil && s.Type == "email" }},
		{"a code step without resend", []obj{codeForm}, withCurrent(nil),
			func(s remediate.Step) bool { return !s.CanResend }},
		{"a code step with a poll action may be polled", []obj{codeForm}, withCurrent(obj{"poll": pollEvery(4000)}),
			func(s remediate.Step) bool {
				return s.Poll != nil && !s.Poll.Required && s.Poll.Refresh == 4*time.Second
			}},
		{"a poll step must be polled", []obj{pollForm}, nil,
			func(s remediate.Step) bool { return s.Poll != nil && s.Poll.Required }},
		{"identify cannot resend or poll, can skip", []obj{identifyForm, skip}, withCurrent(obj{"resend": resendAction}),
			func(s remediate.Step) bool { return !s.CanResend && s.Poll == nil && s.CanSkip }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := doc(t, tc.forms, tc.extra).Response
			if s := remediate.Describe(r, r.Remediations[0]); !tc.want(s) {
				t.Errorf("Describe = %+v", s)
			}
		})
	}
}

func TestNextStepAndFeatures(t *testing.T) {
	t.Parallel()
	r := doc(t, []obj{loopForm("redirect-idp", "redirect"), identifyForm, selectEnroll, loopForm("unlock-account", "unlock")},
		obj{"currentAuthenticator": obj{"type": "object", "value": obj{"type": "password", "key": "okta_password", "id": "p", "recover": loopForm("recover", "recover")}}}).Response
	if got := remediate.NextStep(r, ""); got != 0 {
		t.Errorf("NextStep = %d, want 0 (server order)", got)
	}
	if got := remediate.NextStep(r, "unlock-account"); got != 3 {
		t.Errorf("NextStep(unlock-account) = %d, want 3", got)
	}
	if got := remediate.NextStep(r, "gone"); got != 0 {
		t.Errorf("NextStep(gone) = %d, want 0", got)
	}
	want := []string{"recover-password", "enroll-profile", "redirect-idp", "unlock-account"}
	if diff := cmp.Diff(want, remediate.Features(r)); diff != "" {
		t.Errorf("Features (-want +got):\n%s", diff)
	}
	if got := remediate.NextStep(doc(t, nil, nil).Response, ""); got != -1 {
		t.Errorf("NextStep of no step = %d, want -1", got)
	}
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		"oie.selfservice.unlock_user.success.message": "ACCOUNT_UNLOCKED",
		"idx.recovery.completed":                      "PASSWORD_RESET",
		"idx.return.to.original.tab":                  "RETURN_TO_ORIGINAL_TAB",
		"security.access_denied":                      "",
	} {
		if got := remediate.Outcome([]ion.Message{{Class: "INFO", Key: key}}); got != want {
			t.Errorf("Outcome(%s) = %q, want %q", key, got, want)
		}
	}
}

func TestMessagesByInputName(t *testing.T) {
	t.Parallel()
	f := loopForm("challenge-authenticator", "challenge/answer", obj{"name": "credentials", "type": "object", "required": true,
		"form": obj{"value": []obj{{"name": "passcode", "label": "Code", "messages": wrongCodeMessage}}}})
	r := doc(t, []obj{f}, obj{"messages": wrongCodeMessage,
		"currentAuthenticatorEnrollment": obj{"type": "object", "value": obj{"type": "email", "key": "okta_email", "id": "e1"}}}).Response
	got := remediate.Messages(r, remediate.DescribeAll(r))
	want := []ion.Message{
		{Class: "ERROR", Key: "api.authn.error.PASSCODE_INVALID", Text: "Invalid code."},
		{Class: "ERROR", Key: "api.authn.error.PASSCODE_INVALID", Text: "Invalid code.", Field: "verificationCode"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Messages (-want +got):\n%s", diff)
	}
}
