package remediate

import (
	"slices"

	"github.com/goidx/goidx/internal/ion"
)

// StepUserCode is the step of a device activation (OAuth 2.0 device
// authorization grant): the user types the code the device shows, under
// ValueUserCode. The org may give the code already (from the link's
// user_code); the step is then submitted by name to confirm it.
const (
	StepUserCode  = "user-code"
	ValueUserCode = "userCode"
)

// keyInvalidUserCode is the message of a user code the org does not
// know, which it sends without any remediation while the transaction
// goes on at the user-code step.
const keyInvalidUserCode = "idx.invalid.device.code"

// keepUserCodeStep returns the answer a refused user code stands for:
// the org sends only its message, and Okta's own page keeps the user-code
// step on offer with it. prev is the answer the code was posted from.
func keepUserCodeStep(prev Answer, a Answer) Answer {
	r := a.Response
	if r == nil || len(r.Remediations) > 0 || prev.Response.Remediation(StepUserCode) == nil ||
		!slices.ContainsFunc(r.Messages, func(m ion.Message) bool { return m.Key == keyInvalidUserCode }) {
		return a
	}
	kept := *prev.Response
	kept.Messages = r.Messages
	return Answer{Response: &kept, Status: a.Status, Raw: prev.Raw}
}
