package remediate_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/internal/remediate"
)

// devicePollDoc is a device-challenge-poll answer whose
// authenticatorChallenge value is challenge.
func devicePollDoc(challenge string) string {
	return `{"version":"1.0.0","stateHandle":"02sh","remediation":{"type":"array","value":[
{"name":"device-challenge-poll","href":"https://example.okta.com/idp/idx/authenticators/poll","method":"POST","refresh":2000,
 "relatesTo":"authenticatorChallenge","value":[{"name":"stateHandle","required":true,"value":"02sh","visible":false}]}]},
"authenticatorChallenge":{"type":"object","value":` + challenge + `}}`
}

// Goal: a device challenge is read leniently (ports as strings or
// numbers, members of odd types left out, an answer without the object
// still a device-only step), and only the action named as a step is
// submitted.
func TestDescribeDevice(t *testing.T) {
	t.Parallel()
	cancel := `"cancel":{"rel":["create-form"],"name":"cancel-polling","href":"https://example.okta.com/idp/idx/authenticators/poll/cancel","method":"POST","value":[{"name":"stateHandle","required":true,"value":"02sh"}]}`
	tests := []struct {
		name, challenge string
		want            *authenticator.DeviceChallenge
	}{
		{"loopback, ports as strings and numbers", `{"challengeMethod":"LOOPBACK","challengeRequest":"req","domain":"http://localhost","ports":["6511",6512,"x",70000,1.5],"probeTimeoutMillis":1500,` + cancel + `}`,
			&authenticator.DeviceChallenge{Method: "LOOPBACK", ChallengeRequest: "req", Domain: "http://localhost", Ports: []int{6511, 6512},
				ProbeTimeout: 1500 * time.Millisecond, CancelStep: "cancel-polling", DeviceOnly: true}},
		{"members of odd types", `{"challengeMethod":7,"href":["x"],"ports":"6511","probeTimeoutMillis":"3000"}`,
			&authenticator.DeviceChallenge{DeviceOnly: true}},
		{"no challenge object", `null`, &authenticator.DeviceChallenge{DeviceOnly: true}},
		{"a method Okta may add", `{"challengeMethod":"SOMETHING_NEW","href":"https://example.com/x"}`,
			&authenticator.DeviceChallenge{Method: "SOMETHING_NEW", Href: "https://example.com/x", DeviceOnly: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := parseDoc(t, devicePollDoc(tt.challenge))
			got := remediate.Describe(r, r.Remediations[0]).Device
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Device (-want +got):\n%s", diff)
			}
		})
	}

	// Each Describe builds its own value: the caller may change what it
	// is given (idx gives it as it is) without touching a later reading.
	r := parseDoc(t, devicePollDoc(`{"challengeMethod":"LOOPBACK","ports":["6511","6512"]}`))
	first := remediate.Describe(r, r.Remediations[0]).Device
	first.Ports[0], first.Method = 1, "changed"
	if again := remediate.Describe(r, r.Remediations[0]).Device; again.Ports[0] != 6511 || again.Method != authenticator.ChallengeLoopback {
		t.Errorf("a second reading shares the first's value: %+v", again)
	}

	r = parseDoc(t, devicePollDoc(`{"challengeMethod":"CUSTOM_URI","href":"x",`+cancel+`}`))
	s, err := remediate.Next(r, remediate.Values{}, remediate.Options{Step: "cancel-polling"})
	if err != nil || s == nil || s.Form.Name != "cancel-polling" || fmt.Sprintf("%s", s.Body["stateHandle"]) != `"02sh"` {
		t.Fatalf("Next for cancel-polling: %+v, %v", s, err)
	}
	if _, err := remediate.Next(r, remediate.Values{}, remediate.Options{Step: "cancel-transaction"}); !errors.Is(err, remediate.ErrUnknownStep) {
		t.Errorf("a cancel the answer does not offer: err = %v, want ErrUnknownStep", err)
	}
	// Not a device step: nothing to hand off, and no cancel to take.
	r = parseFixture(t, "challenge-authenticator-email.json")
	if d := remediate.Describe(r, r.Remediations[0]).Device; d != nil {
		t.Errorf("Device of a code step: %+v", d)
	}
}
