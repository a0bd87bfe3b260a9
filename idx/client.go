package idx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/goidx/goidx/internal/idxapi"
	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/oauth"
	"github.com/goidx/goidx/internal/remediate"
	"github.com/goidx/goidx/internal/transport"
)

// Version is the SDK version, sent in the User-Agent.
const Version = "0.1.0"

// Client signs users in to one Okta app. It is safe for concurrent use;
// create one per app and share it.
type Client struct {
	cfg       Config
	scopes    []string
	auth      oauth.ClientAuth
	origin    string
	tc        *transport.Client
	provider  *oauth.Provider
	idx       idxapi.Client
	txStore   TransactionStore
	tokStore  TokenStore
	log       *slog.Logger
	now       func() time.Time
	maxSteps  int
	userAgent string
}

// NewClient checks cfg and returns a Client. It makes no request: the
// org's metadata and keys are fetched when first needed.
func NewClient(cfg Config, opts ...ClientOption) (*Client, error) {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	iss, err := validateIssuer(cfg.Issuer, o.insecureHTTP)
	if err != nil {
		return nil, err
	}
	cfg.Issuer = iss.String()
	if strings.TrimSpace(cfg.ClientID) == "" {
		return nil, &InputError{Field: "Config.ClientID", Reason: "empty"}
	}
	if cfg.RedirectURI == "" {
		return nil, &InputError{Field: "Config.RedirectURI", Reason: "empty"}
	}
	c := &Client{
		cfg:      cfg,
		scopes:   slices.Clone(cfg.Scopes),
		origin:   iss.Scheme + "://" + iss.Host,
		log:      o.logger,
		now:      o.now,
		maxSteps: 16,
	}
	if len(c.scopes) == 0 {
		c.scopes = []string{"openid", "profile", "email"}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.auth = oauth.ClientAuth{Method: oauth.AuthNone, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret}
	switch cfg.authMethod() {
	case "private_key_jwt":
		if c.auth, err = privateKeyAuth(cfg); err != nil {
			return nil, err
		}
	case "client_secret_post":
		c.auth.Method = oauth.AuthClientSecretPost
	case "client_secret_basic":
		c.auth.Method = oauth.AuthClientSecretBasic
	default:
		if cfg.ClientSecretPost {
			return nil, &InputError{Field: "Config.ClientSecretPost", Reason: "set without a ClientSecret"}
		}
	}
	c.userAgent = o.userAgent
	if c.userAgent == "" {
		c.userAgent = "goidx/" + Version
	}
	var rateWait time.Duration // zero: the transport's default
	switch {
	case !o.rateWaitSet:
	case o.maxRateWait <= 0:
		rateWait = -1 // never wait
	default:
		rateWait = o.maxRateWait
	}
	c.tc, err = transport.New(transport.Options{
		HTTPClient:       o.httpClient,
		Logger:           c.log,
		Origins:          []string{c.origin},
		RetryMax:         o.retryMax,
		MaxRateLimitWait: rateWait,
		UserAgent:        c.userAgent,
		Now:              c.now,
	})
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	c.idx = idxapi.Client{Transport: c.tc, Log: c.log}
	c.provider, err = oauth.NewProvider(cfg.Issuer, c.tc, oauth.ProviderOptions{Now: c.now})
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	c.txStore = o.txStore
	if c.txStore == nil {
		c.txStore = NewMemoryTransactionStore(0, c.now)
	}
	c.tokStore = o.tokenStore
	if c.tokStore == nil {
		c.tokStore = NewMemoryTokenStore(0, c.now)
	}
	return c, nil
}

// flow is one in-flight transaction during a call.
type flow struct {
	saved *SavedTransaction
	resp  *ion.Response
	// status of the HTTP answer that gave resp (0 when loaded from store).
	status int
}

// start begins a transaction: PKCE, state and nonce, interact (with what
// opts adds), introspect.
func (c *Client) start(ctx context.Context, opts *StartOptions) (*flow, error) {
	verifier, err := oauth.NewVerifier()
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	state, err := oauth.RandomToken(32)
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	oauthState := opts.OAuthState
	if oauthState == "" {
		if oauthState, err = oauth.RandomToken(32); err != nil {
			return nil, fmt.Errorf("idx: %w", err)
		}
	}
	nonce, err := oauth.RandomToken(32)
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	handle, err := c.provider.Interact(ctx, oauth.InteractRequest{
		Auth:          c.auth,
		Scopes:        c.scopes,
		RedirectURI:   c.cfg.RedirectURI,
		CodeChallenge: oauth.S256Challenge(verifier),
		State:         oauthState,
		Nonce:         nonce,
		Extra:         opts.interactExtra(),
	})
	if err != nil {
		return nil, wireError("interact", err)
	}
	f := &flow{saved: &SavedTransaction{
		State:             state,
		InteractionHandle: handle,
		CodeVerifier:      verifier,
		OAuthState:        oauthState,
		Nonce:             nonce,
		Scopes:            slices.Clone(c.scopes),
	}}
	opts.remember(f.saved, c.now())
	if err := c.introspect(ctx, f, map[string]any{"interactionHandle": handle}); err != nil {
		return nil, err
	}
	c.log.DebugContext(ctx, "idx: transaction started")
	return f, nil
}

// introspect asks the server where the transaction stands.
func (c *Client) introspect(ctx context.Context, f *flow, body map[string]any) error {
	resp, status, raw, err := c.idxRequestRaw(ctx, c.origin+"/idp/idx/introspect", "", "", body, transport.ClassRead)
	if err != nil {
		return err
	}
	f.resp, f.status = resp, status
	f.saved.Response = raw
	return nil
}

// load resumes a saved transaction.
func (c *Client) load(ctx context.Context, state string) (*flow, error) {
	if state == "" {
		return nil, &InputError{Field: "State", Reason: "empty"}
	}
	saved, err := c.txStore.Load(ctx, state)
	if err != nil {
		switch {
		case errors.Is(err, ErrTransactionNotFound):
			return nil, ErrTransactionNotFound
		case errors.Is(err, ErrTransactionExpired):
			return nil, ErrTransactionExpired
		}
		return nil, fmt.Errorf("idx: loading transaction: %w", err)
	}
	if !saved.ExpiresAt.IsZero() && !c.now().Before(saved.ExpiresAt) {
		c.forget(ctx, state)
		return nil, ErrTransactionExpired
	}
	f := &flow{saved: saved}
	if len(saved.Response) > 0 {
		if resp, err := ion.Parse(saved.Response); err == nil && resp.StateHandle != "" {
			if !remediate.Advisory(resp) {
				resp.ClearMessages()
			}
			f.resp = resp
			return f, nil
		}
	}
	// No usable saved response: ask the server.
	if err := c.introspect(ctx, f, map[string]any{"interactionHandle": saved.InteractionHandle}); err != nil {
		return nil, err
	}
	return f, nil
}

// forget deletes a finished transaction from the store; a failure is
// logged, not returned, since the transaction is over either way.
func (c *Client) forget(ctx context.Context, state string) {
	if err := c.txStore.Delete(context.WithoutCancel(ctx), state); err != nil {
		c.log.WarnContext(ctx, "idx: deleting finished transaction failed", "error", err)
	}
}

// save stores a pending transaction with its latest response.
func (c *Client) save(ctx context.Context, f *flow, raw []byte) error {
	if raw != nil {
		f.saved.Response = raw
	}
	if f.resp != nil && !f.resp.ExpiresAt.IsZero() {
		f.saved.ExpiresAt = f.resp.ExpiresAt
	}
	f.saved.UpdatedAt = c.now()
	if err := c.txStore.Save(ctx, f.saved); err != nil {
		if errors.Is(err, ErrTransactionConflict) {
			return ErrTransactionConflict
		}
		return fmt.Errorf("idx: saving transaction: %w", err)
	}
	return nil
}

// idxRequestRaw posts an IDX request (see idxapi.Client.Post) and gives
// its failures as this package's errors.
func (c *Client) idxRequestRaw(ctx context.Context, href, accepts, produces string, body map[string]any, class transport.Class) (*ion.Response, int, []byte, error) {
	r, status, raw, err := c.idx.Post(ctx, idxapi.Request{Href: href, Accepts: accepts, Produces: produces, Body: body, Class: class})
	if err != nil {
		return nil, status, nil, idxError(err)
	}
	return r, status, raw, nil
}

// idxError is a failure of the IDX call as callers see it.
func idxError(err error) error {
	var e *idxapi.Error
	if !errors.As(err, &e) {
		return wireError("", err)
	}
	inner := e.Err
	var ae *idxapi.APIError
	if errors.As(inner, &ae) {
		inner = &APIError{StatusCode: ae.StatusCode, ErrorCode: ae.ErrorCode, ErrorSummary: ae.ErrorSummary}
	}
	return wireError(e.Endpoint, inner)
}

// APIError is an Okta API error answer that is not an IDX document, such
// as {"errorCode":"E0000011","errorSummary":"Invalid token provided"}, or
// an IDX document that reports a server fault (HTTP 5xx, messages such as
// E0000009 and no remediation), whose first error message gives
// ErrorCode and ErrorSummary. Calls return it wrapped with the endpoint's
// name: "idx: identify: API error E0000011 (HTTP 401)". Its Error names the
// code only: the summary is the server's own text, which may repeat what it
// was sent (a password, a code), and is kept in ErrorSummary, out of Error,
// every fmt verb and JSON.
type APIError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// ErrorCode is Okta's code, such as "E0000011".
	ErrorCode string
	// ErrorSummary is the server's text for ErrorCode.
	ErrorSummary string `json:"-"`
}

// Error reads "API error E0000011 (HTTP 401)", without the summary.
func (e *APIError) Error() string {
	if e.ErrorCode == "" {
		return fmt.Sprintf("API error (HTTP %d)", e.StatusCode)
	}
	return fmt.Sprintf("API error %s (HTTP %d)", identifier(e.ErrorCode), e.StatusCode)
}

// Format prints Error for every verb, so that %+v and %#v show no server
// text either.
func (e *APIError) Format(f fmt.State, _ rune) { fmt.Fprint(f, e.Error()) }
