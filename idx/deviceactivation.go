package idx

import (
	"context"
	"fmt"
	"strings"

	"github.com/goidx/goidx/internal/oauth"
	"github.com/goidx/goidx/internal/remediate"
)

// Device activation is the user's half of the OAuth 2.0 device
// authorization grant (RFC 8628): a device without a browser (a TV, a
// command-line tool) asks the org for a user code and shows it, and the
// user types it on a page the org serves (its /activate page), then signs
// in there. The org's page runs an IDX transaction whose first step is
// "user-code" (answered with [Options.UserCode]); after the sign-in, and
// the consent the app may ask for, the transaction ends TERMINAL with
// [OutcomeDeviceActivated], or with an error matching
// [ErrDeviceNotActivated] ([ErrConsentDenied] when the user refused
// consent). The tokens go to the device, which polls the org's token
// endpoint: the transaction on the page never gives any.
//
// Such a transaction is not started with /v1/interact: the org's page
// holds its stateHandle (the stateToken the org's sign-in page is
// given), and [Client.Start] with [StartOptions.StateHandle] takes it up, as
// okta-auth-js's idx.start({stateHandle}) does.

// startFromHandle takes up a transaction the org started, by its
// stateHandle: it introspects it (no interact, no PKCE: such a
// transaction never ends with an interaction code of this client's).
func (c *Client) startFromHandle(ctx context.Context, handle string) (*flow, error) {
	state, err := oauth.RandomToken(32)
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	f := &flow{saved: &SavedTransaction{State: state, StartedAt: c.now()}}
	if err := c.introspect(ctx, f, map[string]any{"stateToken": handle}); err != nil {
		return nil, err
	}
	c.log.DebugContext(ctx, "idx: transaction taken up")
	return f, nil
}

// userCodeValues puts the user code among the engine's values.
func (o *Options) userCodeValues(v remediate.Values) error {
	if o.UserCode == "" {
		return nil
	}
	code := strings.TrimSpace(o.UserCode)
	if code == "" {
		return &InputError{Field: "UserCode", Reason: "blank"}
	}
	v[remediate.ValueUserCode] = code
	return nil
}

// takeUp is Start with a StateHandle: nothing else may be given.
func (c *Client) takeUp(ctx context.Context, opts StartOptions) (*Transaction, error) {
	handle := opts.StateHandle
	opts.StateHandle = ""
	if opts.ActivationToken != "" || opts.RecoveryToken != "" || len(opts.ACRValues) > 0 || opts.MaxAge != 0 ||
		opts.LoginHint != "" || opts.PromptLogin || opts.OAuthState != "" {
		return nil, &InputError{Field: "StartOptions", Reason: "StateHandle is taken alone"}
	}
	f, err := c.startFromHandle(ctx, handle)
	if err != nil {
		return nil, err
	}
	return c.run(ctx, f, remediate.Call{})
}
