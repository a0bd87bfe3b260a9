package idx_test

// Canary secrets through every flow: none may show in logs (the SDK's and
// the retry library's, text and JSON), in printed or JSON-encoded return
// values, or in error strings, raw or escaped; none may travel in a URL.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// Recognisable canaries: the user's password and the app's client secret.
const (
	canaryPassword = "Canary-Pw-4e1f9b2d7c!"
	canarySecret   = "canary-client-secret-8b3e5d0a6f2c41"
	canaryClientID = "0oacanary0confidential"
	canaryUser     = "canary.user@example.com"
)

// fanout is a slog.Handler that hands every record to several handlers.
type fanout []slog.Handler

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool {
	return slices.ContainsFunc(f, func(h slog.Handler) bool { return h.Enabled(ctx, l) })
}

func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			if err := h.Handle(ctx, r.Clone()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (f fanout) WithGroup(name string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// canaryEnv is one flow's world: a fake org recording requests, a debug
// logger writing text and JSON, and everything the flow got back.
type canaryEnv struct {
	t       *testing.T
	srv     *idxtest.Server
	clk     *clock
	logs    *syncBuffer
	logger  *slog.Logger
	store   *idx.MemoryTransactionStore
	values  []any             // returned values and errors, to print
	secrets map[string]string // name -> value, besides those in requests
}

func newCanaryEnv(t *testing.T) *canaryEnv {
	logs := &syncBuffer{}
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	logger := slog.New(fanout{slog.NewTextHandler(logs, opts), slog.NewJSONHandler(logs, opts)})
	clk := newClock()
	srv := newOrg(t, idxtest.WithRequestRecording(), idxtest.WithClock(clk.Now), idxtest.WithLogger(logger),
		idxtest.WithUser(idxtest.User{Username: canaryUser, Password: canaryPassword, GivenName: "Canary", FamilyName: "Bird"}),
		idxtest.WithApp(idxtest.App{ClientID: canaryClientID, ClientSecret: canarySecret,
			RedirectURIs: []string{idxtest.DefaultRedirectURI}, RefreshTokens: true}))
	return &canaryEnv{
		t: t, srv: srv, clk: clk, logs: logs, logger: logger,
		store:   idx.NewMemoryTransactionStore(0, clk.Now),
		secrets: map[string]string{"password": canaryPassword, "client secret": canarySecret},
	}
}

// client returns a Client of the env: its logger, store and clock.
func (e *canaryEnv) client(cfg idx.Config, opts ...idx.ClientOption) *idx.Client {
	e.t.Helper()
	if cfg.Scopes == nil {
		cfg.Scopes = []string{"openid", "profile", "email", "offline_access"}
	}
	return newClient(e.t, e.srv, cfg, append([]idx.ClientOption{
		idx.WithLogger(e.logger), idx.WithTransactionStore(e.store), idx.WithClock(e.clk.Now),
	}, opts...)...)
}

// confidential is the canary app with the given client authentication.
func (e *canaryEnv) confidential(auth idx.ClientAuthMethod) *idx.Client {
	return e.client(idx.Config{ClientID: canaryClientID, ClientSecret: canarySecret, ClientAuth: auth})
}

// keep records values the flow got back, to be printed and encoded.
func (e *canaryEnv) keep(vs ...any) {
	for _, v := range vs {
		switch v := v.(type) {
		case nil:
		case *idx.Transaction:
			if v == nil {
				continue
			}
			e.values = append(e.values, v, v.NextStep, v.Messages, v.Rejection)
			if v.Tokens != nil {
				e.tokens(v.Tokens)
			}
			if v.State != "" {
				if saved, err := e.store.Load(context.Background(), v.State); err == nil {
					e.values = append(e.values, saved)
				}
			}
		case *idx.Tokens:
			if v != nil {
				e.tokens(v)
			}
		default:
			e.values = append(e.values, v)
		}
	}
}

// tokens records t and its values as secrets.
func (e *canaryEnv) tokens(t *idx.Tokens) {
	e.values = append(e.values, t, t.IDTokenClaims)
	for name, v := range map[string]idx.Secret{"access token": t.AccessToken, "ID token": t.IDToken, "refresh token": t.RefreshToken} {
		if v != "" {
			e.secrets[name] = v.Reveal()
		}
	}
}

// step runs one Authenticate call, keeps what it returns and fails the test
// on an error.
func (e *canaryEnv) step(c *idx.Client, o idx.AuthenticateOptions) *idx.Transaction {
	e.t.Helper()
	tx, err := c.Authenticate(e.t.Context(), o)
	e.keep(tx, err)
	if err != nil {
		e.t.Fatalf("Authenticate: %v", err)
	}
	return tx
}

// code returns the newest code sent to the canary user.
func (e *canaryEnv) code() string {
	e.t.Helper()
	c, ok := e.srv.LastCode(canaryUser)
	if !ok {
		e.t.Fatal("no email sent")
	}
	return c
}

// wrongCode returns a code that is not the current one.
func (e *canaryEnv) wrongCode() string {
	if e.code() == "836402" {
		return "836403"
	}
	return "836402"
}

// signIn runs the seed flow with c up to tokens.
func (e *canaryEnv) signIn(c *idx.Client) *idx.Transaction {
	e.t.Helper()
	tx := e.step(c, idx.AuthenticateOptions{Username: canaryUser, Password: canaryPassword})
	tx = e.step(c, idx.AuthenticateOptions{State: tx.State, Authenticator: authenticator.OktaEmail})
	tx = e.step(c, idx.AuthenticateOptions{State: tx.State, VerificationCode: e.code()})
	if tx.Status != idx.StatusSuccess {
		e.t.Fatalf("status %s; want SUCCESS", tx.Status)
	}
	return tx
}

// toChallenge runs the seed flow with c up to the code challenge.
func (e *canaryEnv) toChallenge(c *idx.Client) *idx.Transaction {
	e.t.Helper()
	tx := e.step(c, idx.AuthenticateOptions{Username: canaryUser, Password: canaryPassword})
	return e.step(c, idx.AuthenticateOptions{State: tx.State, Authenticator: authenticator.OktaEmail})
}

// inject adds a fault to the env's org.
func (e *canaryEnv) inject(f idxtest.Fault) {
	e.t.Helper()
	inject(e.t, e.srv, f)
}

// requestSecrets collects the secrets the client sent: passwords and codes,
// stateHandles and interaction handles from IDX bodies, the verifier, the
// interaction code, the client secret and the tokens from form bodies.
func (e *canaryEnv) requestSecrets() map[string]string {
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(prefix, x)
			}
		case string:
			switch prefix {
			case "stateHandle", "interactionHandle", "passcode":
				out[fmt.Sprintf("%s #%d", prefix, len(out))] = v
			}
		}
	}
	for _, r := range e.srv.Requests() {
		if len(r.Body) == 0 {
			continue
		}
		if r.Body[0] == '{' {
			var doc any
			if json.Unmarshal(r.Body, &doc) == nil {
				walk("", doc)
			}
			continue
		}
		form, err := url.ParseQuery(string(r.Body))
		if err != nil {
			continue
		}
		for _, k := range []string{"code_verifier", "interaction_code", "client_secret", "token", "refresh_token"} {
			if v := form.Get(k); v != "" {
				out[fmt.Sprintf("%s #%d", k, len(out))] = v
			}
		}
	}
	return out
}

// forms returns the ways a secret may be written out, by name.
func forms(s string) map[string]string {
	j, _ := json.Marshal(s)
	return map[string]string{"raw": s, "query-escaped": url.QueryEscape(s), "path-escaped": url.PathEscape(s), "JSON-escaped": strings.Trim(string(j), `"`)}
}

// contains reports whether hay holds needle; a short needle (a 6-digit
// code) only counts when no letter or digit touches it, so that it is not
// found inside a longer number such as a duration.
func contains(hay, needle string) bool {
	if len(needle) >= 12 {
		return strings.Contains(hay, needle)
	}
	re := regexp.MustCompile(`(^|[^0-9A-Za-z])` + regexp.QuoteMeta(needle) + `($|[^0-9A-Za-z])`)
	return re.MatchString(hay)
}

// printed renders every kept value the ways a caller might.
func (e *canaryEnv) printed() string {
	var sb strings.Builder
	for _, v := range e.values {
		fmt.Fprintf(&sb, "%v\n%+v\n%#v\n%s\n", v, v, v, v)
		if err, ok := v.(error); ok {
			sb.WriteString(err.Error() + "\n")
			for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
				fmt.Fprintf(&sb, "%#v\n", u)
			}
		}
		if _, saved := v.(*idx.SavedTransaction); saved {
			// Its JSON is the store's persistence format, which holds the
			// transaction's secrets by design; it is logged instead.
			e.logger.Debug("saved", "tx", v)
			continue
		}
		if b, err := json.Marshal(v); err == nil {
			sb.Write(b)
			sb.WriteByte('\n')
		}
		e.logger.Debug("value", "v", v)
	}
	return sb.String()
}

func TestCanarySecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(e *canaryEnv)
		// wantSecrets are the kinds of secret the flow must have seen, so
		// that the test cannot pass on a flow that never got that far.
		wantSecrets []string
		// wantLog is a fragment the logs must hold (the retry logger's).
		wantLog string
	}{
		{
			name: "seed flow, userinfo, tokens, revoke",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.signIn(c)
				info, err := c.UserInfo(e.t.Context(), tx.Tokens)
				e.keep(info, err)
				tok, err := c.Tokens(e.t.Context(), tx.State)
				e.keep(tok, err)
				e.keep(c.Revoke(e.t.Context(), tx.State, tx.Tokens))
				info, err = c.UserInfo(e.t.Context(), tx.Tokens) // revoked: an error
				e.keep(info, err)
			},
			wantSecrets: []string{"passcode", "stateHandle", "interactionHandle", "code_verifier", "interaction_code", "access token", "ID token", "refresh token", "token"},
		},
		{
			name: "wrong password, then right",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.step(c, idx.AuthenticateOptions{Username: canaryUser, Password: "Wrong-" + canaryPassword})
				e.secrets["wrong password"] = "Wrong-" + canaryPassword
				e.step(c, idx.AuthenticateOptions{State: tx.State, Username: canaryUser, Password: canaryPassword})
			},
			wantSecrets: []string{"passcode", "stateHandle"},
		},
		{
			name: "wrong code, then right",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.toChallenge(c)
				e.step(c, idx.AuthenticateOptions{State: tx.State, VerificationCode: e.wrongCode()})
				e.step(c, idx.AuthenticateOptions{State: tx.State, VerificationCode: e.code()})
			},
			wantSecrets: []string{"passcode", "access token"},
		},
		{
			name: "resend",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.toChallenge(c)
				e.step(c, idx.AuthenticateOptions{State: tx.State, Resend: true})
				tx2, err := c.Resend(e.t.Context(), tx.State)
				e.keep(tx2, err)
				e.step(c, idx.AuthenticateOptions{State: tx.State, VerificationCode: e.code()})
			},
			wantSecrets: []string{"passcode", "stateHandle", "access token"},
		},
		{
			name: "cancel",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.toChallenge(c)
				got, err := c.Cancel(e.t.Context(), tx.State)
				e.keep(got, err)
				got, err = c.Authenticate(e.t.Context(), idx.AuthenticateOptions{State: tx.State, VerificationCode: e.code()})
				e.keep(got, err)
			},
			wantSecrets: []string{"passcode", "stateHandle"},
		},
		{
			name:        "confidential client, client_secret_basic",
			run:         func(e *canaryEnv) { e.signIn(e.confidential(idx.ClientSecretBasic)) },
			wantSecrets: []string{"code_verifier", "interaction_code", "access token"},
		},
		{
			name: "confidential client, client_secret_post, revoke",
			run: func(e *canaryEnv) {
				c := e.confidential(idx.ClientSecretPost)
				tx := e.signIn(c)
				e.keep(c.Revoke(e.t.Context(), tx.State, tx.Tokens))
			},
			wantSecrets: []string{"client_secret", "code_verifier", "interaction_code", "refresh token"},
		},
		{
			name: "wrong client secret",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{ClientID: canaryClientID, ClientSecret: "Wrong-" + canarySecret})
				e.secrets["wrong client secret"] = "Wrong-" + canarySecret
				tx, err := c.Authenticate(e.t.Context(), idx.AuthenticateOptions{Username: canaryUser, Password: canaryPassword})
				e.keep(tx, err)
				if err == nil {
					e.t.Error("a wrong client secret was accepted")
				}
			},
		},
		{
			name: "expired transaction",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.toChallenge(c)
				e.clk.Advance(time.Hour)
				got, err := c.Authenticate(e.t.Context(), idx.AuthenticateOptions{State: tx.State, VerificationCode: e.code()})
				e.keep(got, err)
				if !errors.Is(err, idx.ErrTransactionExpired) {
					e.t.Errorf("err = %v; want ErrTransactionExpired", err)
				}
			},
			wantSecrets: []string{"passcode", "stateHandle"},
		},
		{
			name: "429 waited out and retried",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				e.inject(idxtest.Fault{Path: "/idp/idx/identify", Times: 1, Kind: idxtest.FaultRateLimit})
				e.signIn(c)
			},
			wantSecrets: []string{"passcode", "access token"},
			wantLog:     "retrying request",
		},
		{
			name: "429 beyond the limit",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.toChallenge(c)
				e.inject(idxtest.Fault{Path: "/idp/idx/challenge/answer", Kind: idxtest.FaultRateLimit, Reset: time.Hour})
				got, err := c.Authenticate(e.t.Context(), idx.AuthenticateOptions{State: tx.State, VerificationCode: e.code()})
				e.keep(got, err)
				if !errors.Is(err, idx.ErrRateLimited) {
					e.t.Errorf("err = %v; want ErrRateLimited", err)
				}
			},
			wantSecrets: []string{"passcode"},
		},
		{
			name: "ambiguous failures: a dropped read retried, a dropped answer reconciled",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{}, idx.WithMaxRetries(2))
				e.inject(idxtest.Fault{Path: "/idp/idx/introspect", Times: 1, Kind: idxtest.FaultDropBeforeProcessing})
				tx := e.toChallenge(c)
				e.inject(idxtest.Fault{Path: "/idp/idx/challenge/answer", Times: 1, Kind: idxtest.FaultDropAfterProcessing})
				got, err := c.Authenticate(e.t.Context(), idx.AuthenticateOptions{State: tx.State, VerificationCode: e.code()})
				e.keep(got, err)
			},
			wantSecrets: []string{"passcode", "stateHandle"},
			wantLog:     "retrying request",
		},
		{
			name: "hostile answers",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{}, idx.WithMaxRetries(-1))
				tx := e.toChallenge(c)
				for _, k := range []idxtest.FaultKind{idxtest.FaultBadGatewayHTML, idxtest.FaultHTML200, idxtest.FaultTruncatedJSON, idxtest.FaultErrorField} {
					e.inject(idxtest.Fault{Path: "/idp/idx/challenge/answer", Times: 1, Kind: k})
					got, err := c.Authenticate(e.t.Context(), idx.AuthenticateOptions{State: tx.State, VerificationCode: e.wrongCode()})
					e.keep(got, err)
				}
				e.inject(idxtest.Fault{Path: "/oauth2/default/v1/token", Times: 1, Kind: idxtest.FaultErrorField})
				got, err := c.Authenticate(e.t.Context(), idx.AuthenticateOptions{State: tx.State, VerificationCode: e.code()})
				e.keep(got, err)
			},
			wantSecrets: []string{"passcode", "code_verifier", "interaction_code"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newCanaryEnv(t)
			tt.run(e)

			secrets := e.requestSecrets()
			for k, v := range e.secrets {
				secrets[k] = v
			}
			for _, want := range tt.wantSecrets {
				found := false
				for name := range secrets {
					found = found || name == want || strings.HasPrefix(name, want+" ")
				}
				if !found {
					t.Errorf("the flow never saw a %s; it proves nothing about it", want)
				}
			}
			hay := e.printed() + e.logs.String()
			if !strings.Contains(e.logs.String(), "transport: attempt") {
				t.Fatal("the debug logs hold no request records; the test would prove nothing")
			}
			if tt.wantLog != "" && !strings.Contains(e.logs.String(), tt.wantLog) {
				t.Errorf("the logs do not hold %q", tt.wantLog)
			}
			for name, v := range secrets {
				for how, f := range forms(v) {
					if contains(hay, f) {
						t.Errorf("the %s shows in logs, printed values or errors (%s)", name, how)
					}
				}
			}
			for _, r := range e.srv.Requests() {
				if r.Method == "POST" && r.RawQuery != "" {
					t.Errorf("POST %s carries a URL query", r.Path)
				}
				if r.RawQuery != "" && r.Path != "/oauth2/default/v1/authorize" {
					for name, v := range secrets {
						if contains(r.RawQuery, url.QueryEscape(v)) {
							t.Errorf("the %s went in the query of %s %s", name, r.Method, r.Path)
						}
					}
				}
			}
		})
	}
}
