package idx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/oauth"
	"github.com/goidx/goidx/internal/transport"
)

// ionType is the media type of IDX requests and answers.
const ionType = "application/ion+json; okta-version=1.0.0"

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
	if cfg.ClientAuth == ClientPrivateKeyJWT || cfg.PrivateKey != nil {
		if c.auth, err = privateKeyAuth(cfg); err != nil {
			return nil, err
		}
	} else if cfg.ClientSecret != "" {
		switch cfg.ClientAuth {
		case ClientSecretBasic:
			c.auth.Method = oauth.AuthClientSecretBasic
		case ClientSecretPost:
			c.auth.Method = oauth.AuthClientSecretPost
		default:
			return nil, &InputError{Field: "Config.ClientAuth", Reason: "unknown method"}
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

// start begins a transaction: PKCE, state and nonce, interact, introspect.
// opts may carry an activation or recovery token for interact.
func (c *Client) start(ctx context.Context, opts *Options) (*flow, error) {
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
			resp.ClearMessages()
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

// submit posts a form with body and returns the parsed answer, its HTTP
// status and the raw body.
func (c *Client) submit(ctx context.Context, form *ion.Form, body map[string]any, class transport.Class) (*ion.Response, int, []byte, error) {
	return c.idxRequestRaw(ctx, form.Href, form.Accepts, form.Produces, body, class)
}

// idxRequestRaw posts an IDX request. Any answer that is an IDX document is
// returned, whatever its status; other answers become errors.
func (c *Client) idxRequestRaw(ctx context.Context, href, accepts, produces string, body map[string]any, class transport.Class) (*ion.Response, int, []byte, error) {
	b, err := ion.Marshal(body) // what json.Marshal gives, without its reflection
	if err != nil {
		return nil, 0, nil, fmt.Errorf("idx: encoding request: %w", err)
	}
	h := http.Header{}
	h.Set("Content-Type", mediaType(accepts))
	h.Set("Accept", mediaType(produces))
	res, err := c.tc.Do(ctx, &transport.Request{Method: http.MethodPost, URL: href, Header: h, Body: b, Class: class})
	if err != nil {
		return nil, 0, nil, wireError(endpointName(href), err)
	}
	if len(res.Body) == 0 {
		return nil, res.StatusCode, nil, wireError(endpointName(href), fmt.Errorf("empty answer: %w",
			&transport.UnexpectedResponseError{StatusCode: res.StatusCode, ContentType: res.Header.Get("Content-Type")}))
	}
	r, err := ion.Parse(res.Body)
	if err != nil {
		return nil, res.StatusCode, nil, wireError(fmt.Sprintf("%s (HTTP %d)", endpointName(href), res.StatusCode), err)
	}
	if len(r.Notes) > 0 && c.log.Enabled(ctx, slog.LevelDebug) {
		// Members the SDK does not need and could not read: by path,
		// never by value.
		for _, n := range r.Notes {
			c.log.DebugContext(ctx, "idx: answer member not read", "endpoint", endpointName(href), "member", n.Path, "problem", n.Problem)
		}
	}
	if r.StateHandle == "" && len(r.Remediations) == 0 && len(r.Messages) == 0 && r.Success == nil {
		// Not an IDX document: an Okta API error or something else.
		return nil, res.StatusCode, nil, wireError(endpointName(href), apiError(res.StatusCode, res.Body))
	}
	if res.StatusCode >= 500 && len(r.Remediations) == 0 && r.Success == nil {
		// Okta's IDX answer to a fault of its own: messages (E0000009),
		// perhaps the stateHandle, and nothing to do next. The
		// transaction is not over: the fault is an error.
		return nil, res.StatusCode, nil, wireError(endpointName(href), ionAPIError(res.StatusCode, r))
	}
	if c.log.Enabled(ctx, slog.LevelDebug) { // spare making the arguments when not logging
		c.log.DebugContext(ctx, "idx: answer", "endpoint", endpointName(href), "status", res.StatusCode, "remediations", remediationNames(r))
	}
	return r, res.StatusCode, res.Body, nil
}

// mediaType picks the JSON media type a form declares, else Ion's.
func mediaType(declared string) string {
	if strings.Contains(declared, "json") {
		return declared
	}
	return ionType
}

// endpointName names an href in messages (see pathName); never the query.
func endpointName(href string) string {
	if i := strings.Index(href, "://"); i >= 0 {
		rest := href[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			rest = rest[j:]
		} else {
			rest = "/"
		}
		if k := strings.IndexAny(rest, "?#"); k >= 0 {
			rest = rest[:k]
		}
		return pathName(rest)
	}
	return "request"
}

// pathName names an endpoint by its URL path the way errors name
// operations: the IDX endpoint, such as "identify" or "challenge/answer"
// for /idp/idx/challenge/answer; the OAuth endpoint, such as "interact"
// or "token" for /oauth2/default/v1/token; "discovery" and "jwks"; else
// the path.
func pathName(p string) string {
	if name, ok := strings.CutPrefix(p, "/idp/idx/"); ok && name != "" {
		return name
	}
	if strings.HasSuffix(p, "/.well-known/openid-configuration") {
		return "discovery"
	}
	if i := strings.LastIndex(p, "/v1/"); i >= 0 && strings.HasPrefix(p, "/oauth2/") {
		switch name := p[i+len("/v1/"):]; {
		case name == "keys":
			return "jwks"
		case name != "" && !strings.Contains(name, "/"):
			return name
		}
	}
	if p == "" {
		return "request"
	}
	return p
}

func remediationNames(r *ion.Response) []string {
	names := make([]string, 0, len(r.Remediations))
	for _, f := range r.Remediations {
		names = append(names, f.Name)
	}
	return names
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
	StatusCode   int
	ErrorCode    string
	ErrorSummary string `json:"-"`
}

func (e *APIError) Error() string {
	if e.ErrorCode == "" {
		return fmt.Sprintf("API error (HTTP %d)", e.StatusCode)
	}
	return fmt.Sprintf("API error %s (HTTP %d)", identifier(e.ErrorCode), e.StatusCode)
}

// Format prints Error for every verb, so that %+v and %#v show no server
// text either.
func (e *APIError) Format(f fmt.State, _ rune) { fmt.Fprint(f, e.Error()) }

func apiError(status int, body []byte) error {
	var w struct {
		ErrorCode    string `json:"errorCode"`
		ErrorSummary string `json:"errorSummary"`
		Error        string `json:"error"`
		Description  string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &w)
	e := &APIError{StatusCode: status, ErrorCode: w.ErrorCode, ErrorSummary: w.ErrorSummary}
	if e.ErrorCode == "" && w.Error != "" {
		e.ErrorCode, e.ErrorSummary = w.Error, w.Description
	}
	if len(e.ErrorSummary) > 200 {
		e.ErrorSummary = e.ErrorSummary[:200]
	}
	return e
}

// ionAPIError is the APIError of an IDX document that reports a server
// fault: the code and text of its first error message.
func ionAPIError(status int, r *ion.Response) error {
	e := &APIError{StatusCode: status}
	for _, m := range r.Messages {
		if m.Class == "ERROR" || e.ErrorCode == "" {
			e.ErrorCode, e.ErrorSummary = m.Key, m.Text
		}
		if m.Class == "ERROR" {
			break
		}
	}
	if len(e.ErrorSummary) > 200 {
		e.ErrorSummary = e.ErrorSummary[:200]
	}
	return e
}
