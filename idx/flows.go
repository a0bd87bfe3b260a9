package idx

import (
	"context"
	"time"

	"github.com/goidx/goidx/internal/remediate"
)

// Start begins a transaction with what only a start can carry (see
// [StartOptions]: an activation or recovery token, sign-in hints,
// step-up) and returns where it stands without answering anything, as
// okta-auth-js's startTransaction: usually PENDING on the org's first
// step, with [Transaction.EnabledFeatures] telling which flows the org
// offers. Continue it with Authenticate, Register, RecoverPassword or
// UnlockAccount and its State: the requests are those of a call that
// starts the transaction itself. With opts.StateHandle (and nothing
// else) it takes up a transaction the org started, such as a device
// activation, instead.
func (c *Client) Start(ctx context.Context, opts StartOptions) (*Transaction, error) {
	if opts.StateHandle != "" {
		return c.takeUp(ctx, opts)
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	f, err := c.start(ctx, &opts)
	if err != nil {
		return nil, err
	}
	return c.run(ctx, f, remediate.Call{})
}

// Register signs up a new user, as okta-auth-js's idx.register: it takes
// the org's select-enroll-profile step on its own, answers enroll-profile
// with opts.Profile, then the authenticator enrollments the other options
// cover. The org must allow self-service registration
// ([FeatureRegistration]).
func (c *Client) Register(ctx context.Context, opts Options) (*Transaction, error) {
	return c.proceed(ctx, opts, remediate.FlowRegister)
}

// RecoverPassword resets a forgotten password, as okta-auth-js's
// idx.recoverPassword: it takes the password's recover action on its own
// when the server offers it, answers identify-recovery with opts.Username,
// the verification of another authenticator with the other options, and
// reset-authenticator with opts.NewPassword. A RecoveryToken (from a reset
// link) starts the flow past the verification.
func (c *Client) RecoverPassword(ctx context.Context, opts Options) (*Transaction, error) {
	return c.proceed(ctx, opts, remediate.FlowRecover)
}

// UnlockAccount unlocks a locked account, as okta-auth-js's
// idx.unlockAccount: it takes the org's unlock-account step on its own,
// answers select-authenticator-unlock-account with opts.Username and
// opts.Authenticator, then the verification. On success the transaction
// is TERMINAL with [OutcomeAccountUnlocked] and the user then signs in
// anew, or, on orgs that go on with the sign-in after an unlock, SUCCESS
// (signed in) or PENDING on another authenticator, with the same Outcome.
func (c *Client) UnlockAccount(ctx context.Context, opts Options) (*Transaction, error) {
	return c.proceed(ctx, opts, remediate.FlowUnlock)
}

// Skip takes the server's skip step (an optional authenticator
// enrollment, an expiry warning, a profile update whose attributes are
// all optional: see NextStep.CanSkip) or goes on past a device assurance
// grace period's warning, failing with [ErrUnknownStep] when none is
// offered.
func (c *Client) Skip(ctx context.Context, state string) (*Transaction, error) {
	if state == "" {
		return nil, &InputError{Field: "State", Reason: "empty"}
	}
	return c.Authenticate(ctx, Options{State: state, Step: remediate.SkipStep})
}

// Poll asks the server once whether the step that waits (an Okta Verify
// push, an email magic link, an Okta Verify enrollment) is done, and
// returns the transaction: still PENDING on the same step, moved on, or
// SUCCESS. Poll only for a step whose NextStep.Poll is set, and wait
// NextStep.Poll.Refresh between polls, as the server asks; [Client.PollUntilDone]
// does the waiting. A step without anything to poll gives [ErrCannotPoll].
func (c *Client) Poll(ctx context.Context, state string) (*Transaction, error) {
	f, err := c.load(ctx, state)
	if err != nil {
		return nil, err
	}
	return c.run(ctx, f, remediate.Call{Poll: true})
}

// defaultRefresh is the wait between polls when the server names none.
const defaultRefresh = 4 * time.Second

// PollUntilDone polls the transaction, waiting the server's refresh
// interval between polls, until the step no longer waits: it returns the
// first transaction that is not PENDING on a step to poll, or that the
// server rejected. When ctx ends first it returns the last transaction
// with ctx's error. [WithPollProgress] reports each poll that leaves the
// step waiting.
func (c *Client) PollUntilDone(ctx context.Context, state string, opts ...PollOption) (*Transaction, error) {
	var po pollOptions
	for _, o := range opts {
		if o != nil {
			o(&po)
		}
	}
	var last *Transaction
	for polls := 1; ; polls++ {
		tx, err := c.Poll(ctx, state)
		if err != nil {
			if last != nil && ctx.Err() != nil {
				return last, ctx.Err()
			}
			return nil, err
		}
		if tx.Status != StatusPending || tx.NextStep == nil || tx.NextStep.Poll == nil || tx.Rejection != nil {
			return tx, nil
		}
		last, state = tx, tx.State
		if po.progress != nil {
			po.progress(polls, tx)
		}
		wait := tx.NextStep.Poll.Refresh
		if wait <= 0 {
			wait = defaultRefresh
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return last, ctx.Err()
		case <-t.C:
		}
	}
}

// PollOption configures [Client.PollUntilDone]. Only this package makes
// them (see [WithPollProgress]), so a [ClientOption] or any other value
// given to PollUntilDone by mistake does not compile.
type PollOption func(*pollOptions)

type pollOptions struct {
	progress func(polls int, tx *Transaction)
}

// WithPollProgress makes [Client.PollUntilDone] call f after every poll
// that leaves the step waiting, before the wait for the next one: polls
// counts the polls so far (1, 2, ...) and tx is the transaction as it
// stands, PENDING on the step, whose NextStep.Poll.Refresh is the wait to
// come and whose NextStep.Authenticator may carry what the user needs
// meanwhile (Okta Verify's number challenge). Use it to show progress or
// to give up after some polls (cancel ctx). f runs on the caller's
// goroutine, and polling waits for it to return; tx is the caller's to
// keep. The poll that ends the wait is not reported: PollUntilDone
// returns it.
func WithPollProgress(f func(polls int, tx *Transaction)) PollOption {
	return func(o *pollOptions) { o.progress = f }
}
