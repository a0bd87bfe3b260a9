package idx

import (
	"context"

	"github.com/goidx/goidx/internal/remediate"
)

// RequestActivationEmail asks the org for a new activation email, the
// request-activation-email step an org offers when an activation token
// has expired (the transaction is PENDING with a Rejection matching
// [ErrActivationExpired]). The org ends the transaction: TERMINAL with
// [OutcomeActivationEmailSent]. It fails with [ErrUnknownStep] when the
// step is not offered.
func (c *Client) RequestActivationEmail(ctx context.Context, state string) (*Transaction, error) {
	if state == "" {
		return nil, &InputError{Field: "State", Reason: "empty"}
	}
	return c.Authenticate(ctx, Options{State: state, Step: remediate.RequestActivationEmailStep})
}
