package idx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// refreshEarly is how long before the access token's expiry a
// [TokenSource] refreshes it, so that a token it returns does not expire
// on the way to the API.
const refreshEarly = 10 * time.Second

// TokenSource hands out valid tokens for one signed-in user, refreshing
// them when the access token is about to expire. Create it with
// [Client.TokenSource]. It is safe for concurrent use: when many
// goroutines find the token expiring at once, one refreshes and the others
// wait for its result. [TokenSource.OAuth2] makes it a golang.org/x/oauth2
// TokenSource, and [TokenSource.Client] an *http.Client that calls APIs
// with the user's access token.
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
// TokenStore, refreshes them ([Client.Refresh]) 10 seconds before the
// access token expires, and saves the refreshed tokens back under state
// before handing them out. Sources for the same state in one process
// should be shared (each refreshes on its own); across processes the
// TokenStore is read again before every refresh, so a refresh made
// elsewhere is picked up when it has been saved.
func (c *Client) TokenSource(state string) *TokenSource {
	return &TokenSource{c: c, state: state}
}

// fresh reports whether t's access token is good for longer than
// refreshEarly. Tokens without an expiry count as fresh.
func (s *TokenSource) fresh(t *Tokens) bool {
	return t.Expiry.IsZero() || s.c.now().Add(refreshEarly).Before(t.Expiry)
}

// Token returns the user's tokens with an access token valid for at least
// 10 seconds, refreshing them first if needed. It fails with
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

// OAuth2 returns s as a golang.org/x/oauth2 TokenSource, for the
// libraries built on that package (oauth2.NewClient, Google's and others'
// API clients): its Token method calls s.Token with ctx, so the tokens
// are refreshed and saved as for any caller of s. The [oauth2.Token] it
// returns carries the access token, its type and expiry, and nothing
// else: the refresh and ID tokens stay with s. Unlike this package's
// [Tokens], an oauth2.Token prints its access token; don't log it.
func (s *TokenSource) OAuth2(ctx context.Context) oauth2.TokenSource {
	return oauth2Source{ctx: ctx, s: s}
}

// Client returns an HTTP client that sends the user's access token as a
// Bearer token with every request (oauth2.NewClient with [TokenSource.OAuth2]),
// refreshing it as [TokenSource.Token] does: the way to call an API that
// accepts the org's access tokens. Its requests go through ctx's
// oauth2.HTTPClient when ctx carries one, else http.DefaultTransport; not
// through the Client's transport, which only talks to the org. A token
// that cannot be had fails the request with a *url.Error wrapping
// Token's error, so errors.Is(err, ErrTokensExpired) and the like hold.
func (s *TokenSource) Client(ctx context.Context) *http.Client {
	return oauth2.NewClient(ctx, s.OAuth2(ctx))
}

// oauth2Source is a TokenSource seen as an oauth2.TokenSource.
type oauth2Source struct {
	ctx context.Context
	s   *TokenSource
}

// Token implements oauth2.TokenSource.
func (o oauth2Source) Token() (*oauth2.Token, error) {
	t, err := o.s.Token(o.ctx)
	if err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: t.AccessToken.Reveal(), TokenType: t.TokenType, Expiry: t.Expiry}, nil
}
