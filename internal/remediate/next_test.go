package remediate_test

import (
	"testing"

	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/remediate"
)

func TestPreferred(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		names []string
		want  int
	}{
		{nil, -1},
		{[]string{"identify", "select-enroll-profile"}, 0},
		{[]string{"device-apple-sso-extension", "select-authenticator-authenticate"}, 1},
		{[]string{"launch-authenticator", "device-challenge-poll", "identify"}, 2},
		{[]string{"resend", "select-authenticator-authenticate"}, 1},
		{[]string{"launch-authenticator", "select-enroll-profile", "unlock-account"}, 1},
		{[]string{"device-challenge-poll"}, 0},
		{[]string{"resend", "launch-authenticator"}, 0},
		{[]string{"an-unknown-step", "identify"}, 0},
		{[]string{"device-assurance-grace-period"}, 0},
	} {
		var forms []*ion.Form
		for _, n := range tt.names {
			forms = append(forms, &ion.Form{Name: n})
		}
		if got := remediate.Preferred(forms); got != tt.want {
			t.Errorf("Preferred(%q) = %d; want %d", tt.names, got, tt.want)
		}
	}
}
