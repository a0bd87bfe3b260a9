package idxtest

import "net/http"

// This file is the push both Okta Verify and the custom push app send:
// the client polls challenge-poll until the test, playing the user's
// device, approves or rejects it ([Server.ApprovePush],
// [Server.RejectPush], [Server.AnswerPush]); a rejected push moves to a
// step that offers a new one.

// pushDeviceName is the device of every enrollment of a push app.
const pushDeviceName = "idxtest device"

// pushProfile names the device u's enrollment of k is on.
func pushProfile(u *userRecord, k authenticatorKind) *authenticatorProfile {
	if u.enrollments[k.base().key] == nil {
		return nil
	}
	return &authenticatorProfile{DeviceName: pushDeviceName}
}

// sendPush sends a new push to k and waits for it in step.
func sendPush(c *call, k authenticatorKind, step string) {
	c.t.setStep(step, k)
	c.t.method = "push"
	c.t.ov = oktaVerifyState{push: pushPending}
}

// pollPush moves on once the test approved the push; a rejected push
// moves to rejectedStep with Okta's rejection message. It is nil while
// the push waits.
func pollPush(c *call, k authenticatorKind, rejectedStep string) *idxResult {
	t := c.t
	switch t.ov.push {
	case pushApproved:
		t.ov = oktaVerifyState{}
		t.markVerified(k, "push")
		return failPtr(c.advance())
	case pushRejected:
		t.setStep(rejectedStep, k)
		t.ov = oktaVerifyState{}
		return failPtr(c.fail(http.StatusOK, msgPushRejected()))
	}
	return nil
}

// pollSubmit answers a poll form with poll's result, or with the step
// as it is while nothing happened.
func pollSubmit(poll func(*call) *idxResult) func(*call, []byte) idxResult {
	return func(c *call, _ []byte) idxResult {
		if res := poll(c); res != nil {
			return *res
		}
		return c.ok()
	}
}

func msgPushRejected() ionMessage {
	return errorMessage("You have chosen to reject this login.", "api.authn.poll.error.push_rejected", []any{}...)
}
