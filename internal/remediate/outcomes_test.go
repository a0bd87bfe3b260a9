package remediate_test

import (
	"context"
	"testing"

	"github.com/goidx/goidx/internal/remediate"
)

// TestRunOutcomeOnTheWay: an answer the call got that reports an unlock
// before the sign-in goes on sets Result.Outcome, whether the call stops
// there or goes on; the answer a call starts from (reported by an
// earlier call) does not.
func TestRunOutcomeOnTheWay(t *testing.T) {
	t.Parallel()
	landing := obj{"messages": obj{"type": "array", "value": []obj{{"class": "INFO",
		"i18n": obj{"key": remediate.UnlockedLandingKey}, "message": "Account successfully unlocked!"}}}}
	current := obj{"currentAuthenticator": obj{"type": "object", "value": obj{
		"type": "email", "key": "okta_email", "id": "e1", "displayName": "Email"}}}
	landingChallenge := obj{"messages": landing["messages"], "currentAuthenticator": current["currentAuthenticator"]}
	tests := []struct {
		name    string
		start   remediate.Answer
		answers func() []reply
		values  remediate.Values
		want    string
	}{
		{"stops at the answer", doc(t, []obj{codeForm}, current), func() []reply {
			return []reply{{a: doc(t, []obj{identifyForm}, landing)}}
		}, remediate.Values{"verificationCode": "123456"}, "ACCOUNT_UNLOCKED"},
		{"goes on past it", doc(t, []obj{codeForm}, current), func() []reply {
			return []reply{{a: doc(t, []obj{identifyForm}, landing)}, {a: doc(t, nil, obj{"successWithInteractionCode": successWithCode})}}
		}, remediate.Values{"verificationCode": "123456", "username": "jane", "password": "pw"}, "ACCOUNT_UNLOCKED"},
		{"reported before", doc(t, []obj{codeForm}, landingChallenge), func() []reply {
			return []reply{{a: doc(t, nil, obj{"successWithInteractionCode": successWithCode})}}
		}, remediate.Values{"verificationCode": "123456"}, ""},
		{"none", doc(t, []obj{codeForm}, current), func() []reply {
			return []reply{{a: doc(t, nil, obj{"successWithInteractionCode": successWithCode})}}
		}, remediate.Values{"verificationCode": "123456"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := &fakePoster{answers: tc.answers()}
			res, err := remediate.Run(context.Background(), p, tc.start, remediate.Call{Values: tc.values, MaxSteps: 5})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.answers) != 0 {
				t.Fatalf("%d scripted answers left; posts %q", len(p.answers), p.posts)
			}
			if res.Outcome != tc.want {
				t.Errorf("Outcome = %q, want %q (end %v, posts %q)", res.Outcome, tc.want, res.End, p.posts)
			}
		})
	}
}
