package idxtest

import "net/http"

// This file is the limit on SMS and voice calls ([Policy].MaxPhoneSends).
// Okta refuses to text or call once a user has had as many as it allows
// for a while, with errors.E0000150 ("You have reached the limit of sms
// requests, please try again later.") or errors.E0000151 (the same, of
// call requests) on the step the user was at
// (error-authenticator-phone-voice-ratelimit.json keeps
// authenticator-verification-data). The captures do not show the status;
// the fake answers 400, and sends nothing.

// phoneSendLimited counts a text or call by method of c.t, and answers the
// one over the policy's limit; nil lets it go out. Transactions that
// verify for show only count too, so that the answers are the same.
func (c *call) phoneSendLimited(method string) *idxResult {
	limit := c.s.org.policy.MaxPhoneSends
	if limit <= 0 {
		return nil
	}
	if c.t.phoneSends < limit {
		c.t.phoneSends++
		return nil
	}
	c.s.cfg.logger.Info("idxtest phone message refused: send limit", "method", method)
	msg := errorMessage("You have reached the limit of sms requests, please try again later.", "errors.E0000150")
	if method == "voice" {
		msg = errorMessage("You have reached the limit of call requests, please try again later.", "errors.E0000151")
	}
	return failPtr(c.fail(http.StatusBadRequest, msg))
}
