package idx

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// RefreshEarly is how long before the access token's expiry a
// [TokenSource] refreshes it, so that a token it returns does not expire
// on the way to the API.
const RefreshEarly = 10 * time.Second

// TokenSource hands out valid tokens for one signed-in user, refreshing
// them when the access token is about to expire. Create it with
// [Client.TokenSource]. It is safe for concurrent use: when many
// goroutines find the token expiring at once, one refreshes and the others
// wait for its result.
type TokenSource struct {
	c     *Client
	state string

	mu     sync.Mutex
	cached *Tokens
	flight *sourceFlight
}

type sourceFlight struct {
	done chan struct{}
	t    *Tokens
	err  error
}

// TokenSource returns a source of tokens for the user whose successful
// transaction had State state: it reads the tokens from the Client's
// TokenStore, refreshes them ([Client.Refresh]) [RefreshEarly] before the
// access token expires, and saves the refreshed tokens back under state
// before handing them out. Sources for the same state in one process
// should be shared (each refreshes on its own); across processes the
// TokenStore is read again before every refresh, so a refresh made
// elsewhere is picked up when it has been saved.
func (c *Client) TokenSource(state string) *TokenSource {
	return &TokenSource{c: c, state: state}
}

// fresh reports whether t's access token is good for longer than
// RefreshEarly. Tokens without an expiry count as fresh.
func (s *TokenSource) fresh(t *Tokens) bool {
	return t.Expiry.IsZero() || s.c.now().Add(RefreshEarly).Before(t.Expiry)
}

// Token returns the user's tokens with an access token valid for at least
// [RefreshEarly], refreshing them first if needed. It fails with
// [ErrTokensNotFound] when the store has no tokens for the state,
// [ErrTokensExpired] when they are expiring and there is no refresh token,
// or the error of [Client.Refresh] (an [*OAuthError] with Code
// "invalid_grant" means the user must sign in again). When the refreshed
// tokens cannot be saved, Token returns the store's error, and the source
// keeps the new tokens for the next call. A caller whose ctx ends while a
// refresh runs gets ctx's error at once; the refresh itself completes and
// its tokens are saved, whatever the callers' contexts do. The result is a
// copy the caller may keep.
func (s *TokenSource) Token(ctx context.Context) (*Tokens, error) {
	if s.state == "" {
		return nil, &InputError{Field: "State", Reason: "empty"}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for {
		s.mu.Lock()
		if t := s.cached; t != nil && s.fresh(t) {
			out := cloneTokens(t)
			s.mu.Unlock()
			return &out, nil
		}
		if f := s.flight; f != nil {
			s.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if f.err != nil {
				return nil, f.err
			}
			out := cloneTokens(f.t)
			return &out, nil
		}
		// The refresh runs on its own goroutine, detached from the
		// caller's cancellation (the transport's timeouts still bound it):
		// once the request may have reached the org, the org may have
		// rotated the refresh token, and only finishing the call and
		// saving its answer keeps the new one.
		f := &sourceFlight{done: make(chan struct{})}
		s.flight = f
		s.mu.Unlock()
		go s.run(context.WithoutCancel(ctx), f)
	}
}

// run loads, and if need be refreshes, the tokens for f.
func (s *TokenSource) run(ctx context.Context, f *sourceFlight) {
	t, err := s.load(ctx)
	s.mu.Lock()
	s.flight = nil
	switch {
	case t != nil:
		s.cached = t
	case isInvalidGrant(err):
		s.cached = nil // read the store again next time
	}
	f.t, f.err = t, err
	s.mu.Unlock()
	close(f.done)
}

// load reads the tokens from the store and refreshes them if they are
// expiring. When saving refreshed tokens fails it returns them with the
// error.
func (s *TokenSource) load(ctx context.Context) (*Tokens, error) {
	t, err := s.c.tokStore.Load(ctx, s.state)
	if err != nil {
		if errors.Is(err, ErrTokensNotFound) {
			return nil, ErrTokensNotFound
		}
		return nil, fmt.Errorf("idx: loading tokens: %w", err)
	}
	if s.fresh(t) {
		return t, nil
	}
	if t.RefreshToken == "" {
		return nil, ErrTokensExpired
	}
	nt, err := s.c.Refresh(ctx, t)
	if err != nil {
		return nil, err
	}
	if err := s.c.tokStore.Save(ctx, s.state, nt); err != nil {
		// The old refresh token may be spent already: keep the new tokens
		// in the source (the next Token call returns them) and report the
		// failure.
		return nt, fmt.Errorf("idx: saving refreshed tokens: %w", err)
	}
	return nt, nil
}
