package idxtest

// This file is enrolling the email authenticator (self-service
// registration): a code is sent to the user's address and answered in
// enroll-authenticator, with resend.

func (k *emailKind) enrollFields(*call) []ionField {
	return []ionField{hiddenValue("methodType", "email", false)}
}

func (k *emailKind) enrollmentDataFields(*call) []ionField { return nil }

// startEnroll sends a code to the user's email address.
func (k *emailKind) startEnroll(c *call, _ []byte) *idxResult {
	c.t.setStep(stepEnroll, k)
	c.t.method = "email"
	c.sendEmailCode("")
	return nil
}

// finishEnroll checks the code, then enrolls the address.
func (k *emailKind) finishEnroll(c *call, raw []byte) *idxResult {
	if res := c.checkCode(stepEnroll, raw); res != nil {
		return res
	}
	u := c.t.user
	u.enrollments[k.key] = &enrollment{id: randomOktaID("eae"), value: u.Email}
	return nil
}

// resendStep is the step an email resend leaves a transaction at: a
// code sent for an enrollment is answered in enroll-authenticator, any
// other in challenge-authenticator.
func resendStep(step string) string {
	if step == stepEnroll {
		return stepEnroll
	}
	return stepChallenge
}
