package idx_test

// Canary secrets through every flow: none may show in logs (the SDK's and
// the retry library's, text and JSON), in printed or JSON-encoded return
// values, or in error strings, raw or escaped; none may travel in a URL.

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
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
	"github.com/goidx/goidx/internal/testclock"
)

// Recognisable canaries: the user's password and the app's client secret,
// and the values the other flows set or answer.
const (
	canaryPassword = "Canary-Pw-4e1f9b2d7c!"
	canarySecret   = "canary-client-secret-8b3e5d0a6f2c41"
	canaryClientID = "0oacanary0confidential"
	canaryUser     = "canary.user@example.com"

	canaryNewPassword = "Fresh-Pw-71c3a9e05d-Zq!"
	canaryNewUser     = "canary.newcomer@example.com"
	canaryStagedUser  = "canary.staged@example.com"
	canaryPhone       = "+15555550177"
	canaryTOTPSeed    = "CANARYSEEDQWERTYUIOPASDFGHJKLZXC"
	canaryAnswer      = "Canary-Answer-Zeppelin-5b7d"
	canaryJWTClientID = "0oacanary0privatekeyjwt"
	canaryCaptcha     = "P1_canary-captcha-token-6d2a"
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
	clk     *testclock.Clock
	logs    *syncBuffer
	logger  *slog.Logger
	store   *idx.MemoryTransactionStore
	values  []any             // returned values and errors, to print
	texts   []shown           // values the flow printed itself
	secrets map[string]string // name -> value, besides those in requests
}

// newCanaryEnv starts the env's org with the canary user (edited by user
// when not nil), the canary app, and orgOpts.
func newCanaryEnv(t *testing.T, user func(*idxtest.User), orgOpts ...idxtest.Option) *canaryEnv {
	logs := &syncBuffer{}
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	logger := slog.New(fanout{slog.NewTextHandler(logs, opts), slog.NewJSONHandler(logs, opts)})
	clk := testclock.New(time.Now())
	u := idxtest.User{Username: canaryUser, Password: canaryPassword, GivenName: "Canary", FamilyName: "Bird"}
	if user != nil {
		user(&u)
	}
	srv := newOrg(t, append([]idxtest.Option{idxtest.WithRequestRecording(), idxtest.WithClock(clk.Now), idxtest.WithLogger(logger),
		idxtest.WithUser(u),
		idxtest.WithApp(idxtest.App{ClientID: canaryClientID, ClientSecret: canarySecret,
			RedirectURIs: []string{idxtest.DefaultRedirectURI}, RefreshTokens: true})}, orgOpts...)...)
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

// confidential is the canary app with its client secret, sent in the
// body when post is set.
func (e *canaryEnv) confidential(post bool) *idx.Client {
	return e.client(idx.Config{ClientID: canaryClientID, ClientSecret: canarySecret, ClientSecretPost: post})
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
			e.values = append(e.values, v, v.NextStep, v.AvailableSteps, v.Messages, v.Rejection)
			if v.NextStep != nil && v.NextStep.Authenticator != nil {
				a := v.NextStep.Authenticator
				e.values = append(e.values, a, a.Context)
			}
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
		e.secret(name, v.Reveal())
	}
}

// secret adds v to the canaries under name, or under "name #n" when name
// already holds another value (an old and a new refresh token).
func (e *canaryEnv) secret(name, v string) {
	if v == "" {
		return
	}
	key := name
	for n := 2; ; n++ {
		old, ok := e.secrets[key]
		if !ok || old == v {
			break
		}
		key = fmt.Sprintf("%s #%d", name, n)
	}
	e.secrets[key] = v
}

// count is the number of distinct canaries named name or "name #n".
func (e *canaryEnv) count(name string) int {
	n := 0
	for k := range e.secrets {
		if k == name || strings.HasPrefix(k, name+" #") {
			n++
		}
	}
	return n
}

// must keeps what a call returned and fails the test on its error.
func (e *canaryEnv) must(tx *idx.Transaction, err error) *idx.Transaction {
	e.t.Helper()
	e.keep(tx, err)
	if err != nil {
		e.t.Fatalf("call: %v", err)
	}
	return tx
}

// refused keeps what a call returned and fails the test unless the
// interact endpoint refused it with an OAuth error.
func (e *canaryEnv) refused(tx *idx.Transaction, err error) {
	e.t.Helper()
	e.keep(tx, err)
	var oe *idx.OAuthError
	if !errors.As(err, &oe) || oe.Endpoint != "interact" {
		e.t.Fatalf("call: %v, want an OAuthError of the interact endpoint", err)
	}
}

// proceed continues tx with o, keeping what it returns.
func (e *canaryEnv) proceed(c *idx.Client, tx *idx.Transaction, o idx.Options) *idx.Transaction {
	e.t.Helper()
	o.State = tx.State
	return e.must(c.Authenticate(e.t.Context(), o))
}

// totp is the current TOTP code of seed by the env's clock.
func (e *canaryEnv) totp(seed string) string {
	e.t.Helper()
	c := idxtest.TOTP(seed, e.clk.Now())
	if c == "" {
		e.t.Fatal("bad TOTP seed")
	}
	return c
}

// password signs the canary user in with the password, up to the second
// factor.
func (e *canaryEnv) password(c *idx.Client) *idx.Transaction {
	e.t.Helper()
	return e.step(c, idx.Options{Username: canaryUser, Password: canaryPassword})
}

// wantStatus fails the test unless tx ended with status.
func (e *canaryEnv) wantStatus(tx *idx.Transaction, status idx.Status) {
	e.t.Helper()
	if tx.Status != status {
		e.t.Fatalf("status %s (%v); want %s", tx.Status, tx, status)
	}
}

// lastMessage is the newest message of the org's outbox.
func (e *canaryEnv) lastMessage() idxtest.Email {
	e.t.Helper()
	out := e.srv.Outbox()
	if len(out) == 0 {
		e.t.Fatal("nothing sent")
	}
	return out[len(out)-1]
}

// activateByLink finishes an Okta Verify enrollment by email or SMS
// channel, tx waiting on enroll-poll: it records the activation link sent
// to to, polls, resends, opens the new link as the device would, and
// polls until the sign-in succeeds; both links' tokens are canaries.
func (e *canaryEnv) activateByLink(c *idx.Client, tx *idx.Transaction, to string) {
	e.t.Helper()
	link := func() string {
		msg := e.lastMessage()
		if msg.To != to {
			e.t.Fatalf("last message to %q; want %q", msg.To, to)
		}
		m := regexp.MustCompile(`https?://\S+/idxtest/okta-verify/activate\?\S+`).FindString(msg.Body)
		if m == "" {
			e.t.Fatalf("no activation link in %q", msg.Body)
		}
		e.secret("activation link", m)
		e.queryParam(m, "token", "activation link token")
		return m
	}
	link()
	e.must(c.Poll(e.t.Context(), tx.State))
	e.must(c.Resend(e.t.Context(), tx.State))
	resp, err := noRedirects(e.srv).Get(link())
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		e.t.Fatalf("activation link answered %d", resp.StatusCode)
	}
	tx = e.must(c.PollUntilDone(e.t.Context(), tx.State))
	e.wantStatus(tx, idx.StatusSuccess)
	if n := e.count("activation link token"); n != 2 {
		e.t.Errorf("%d activation links; want 2", n)
	}
}

// queryParam is the parameter name of the query of URL raw, recorded as
// the canary what.
func (e *canaryEnv) queryParam(raw, name, what string) string {
	e.t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		e.t.Fatalf("URL %q: %v", raw, err)
	}
	v := u.Query().Get(name)
	if v == "" {
		e.t.Fatalf("no %s in %q", name, raw)
	}
	e.secret(what, v)
	return v
}

// pemSecrets records the private key k, as PKCS #8 PEM and as its parts,
// among the canaries.
func (e *canaryEnv) pemSecrets(k *rsa.PrivateKey) {
	e.t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		e.t.Fatal(err)
	}
	p := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	e.secret("private key PEM", p)
	body := strings.Split(strings.TrimSpace(p), "\n")
	for i, line := range body[1 : len(body)-1] {
		e.secret(fmt.Sprintf("private key PEM line %d", i+1), line)
	}
	e.secret("private key base64", base64.StdEncoding.EncodeToString(der))
	e.secret("private key D", k.D.String())
	e.secret("private key D hex", k.D.Text(16))
}

// step runs one Authenticate call, keeps what it returns and fails the test
// on an error.
func (e *canaryEnv) step(c *idx.Client, o idx.Options) *idx.Transaction {
	e.t.Helper()
	tx, err := c.Authenticate(e.t.Context(), o)
	e.keep(tx, err)
	if err != nil {
		e.t.Fatalf("Authenticate: %v", err)
	}
	return tx
}

// wrongCode returns a code that is not the current one.
func (e *canaryEnv) wrongCode() string {
	if lastCode(e.t, e.srv, canaryUser) == "836402" {
		return "836403"
	}
	return "836402"
}

// signIn runs the seed flow with c up to tokens.
func (e *canaryEnv) signIn(c *idx.Client) *idx.Transaction {
	e.t.Helper()
	tx := e.step(c, idx.Options{Username: canaryUser, Password: canaryPassword})
	tx = e.step(c, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
	tx = e.step(c, idx.Options{State: tx.State, VerificationCode: lastCode(e.t, e.srv, canaryUser)})
	if tx.Status != idx.StatusSuccess {
		e.t.Fatalf("status %s; want SUCCESS", tx.Status)
	}
	return tx
}

// toChallenge runs the seed flow with c up to the code challenge.
func (e *canaryEnv) toChallenge(c *idx.Client) *idx.Transaction {
	e.t.Helper()
	tx := e.step(c, idx.Options{Username: canaryUser, Password: canaryPassword})
	return e.step(c, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
}

// isInvalidGrant reports whether err holds the org's invalid_grant.
func isInvalidGrant(err error) bool {
	var oe *idx.OAuthError
	return errors.As(err, &oe) && oe.Code == "invalid_grant"
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
			case "stateHandle", "interactionHandle", "passcode", "totp", "answer",
				"clientData", "authenticatorData", "signatureData", "attestation", "captchaToken",
				"stateToken", "userCode":
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
		for _, k := range []string{"code_verifier", "interaction_code", "client_secret", "token", "refresh_token",
			"client_assertion", "activation_token", "recovery_token"} {
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

// shown is one text the test searches: a printed form of a value, or a
// log line, with where it comes from.
type shown struct{ where, text string }

// printVerbs are the fmt verbs a caller might print a value with.
var printVerbs = []string{"%v", "%+v", "%#v", "%s", "%q"}

// show prints v with every verb and logs it (text and JSON, as an
// attribute and inside a group), for a value the flow gave rather than
// got back: its JSON is not searched.
func (e *canaryEnv) show(v any) {
	for _, verb := range printVerbs {
		e.texts = append(e.texts, shown{fmt.Sprintf("%s of %T", verb, v), fmt.Sprintf(verb, v)})
	}
	e.logger.Debug("shown", "v", v)
	e.logger.Debug("shown", slog.Any("v", v), slog.Group("call", slog.Any("v", v)))
}

// printed renders every kept value the ways a caller might, and the
// texts the flow printed.
func (e *canaryEnv) printed() []shown {
	out := slices.Clone(e.texts)
	for _, v := range e.values {
		for _, verb := range printVerbs {
			out = append(out, shown{fmt.Sprintf("%s of %T", verb, v), fmt.Sprintf(verb, v)})
		}
		if err, ok := v.(error); ok {
			out = append(out, shown{fmt.Sprintf("Error() of %T", v), err.Error()})
			for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
				out = append(out, shown{fmt.Sprintf("%%#v of %T wrapped in %T", u, v), fmt.Sprintf("%#v", u)})
			}
		}
		if _, saved := v.(*idx.SavedTransaction); saved {
			// Its JSON is the store's persistence format, which holds the
			// transaction's secrets by design; it is logged instead.
			e.logger.Debug("saved", "tx", v)
			continue
		}
		if b, err := json.Marshal(v); err == nil {
			out = append(out, shown{fmt.Sprintf("JSON of %T", v), string(b)})
		}
		e.logger.Debug("value", "v", v)
	}
	return out
}

// logLines are the env's log records, one a line.
func (e *canaryEnv) logLines() []shown {
	var out []shown
	for i, l := range strings.Split(e.logs.String(), "\n") {
		out = append(out, shown{fmt.Sprintf("log line %d", i+1), l})
	}
	return out
}

// excerpt is up to 60 bytes of text either side of needle's first
// occurrence, needle written as <secret>.
func excerpt(text, needle string) string {
	i := strings.Index(text, needle)
	if i < 0 {
		return ""
	}
	return text[max(0, i-60):i] + "<secret>" + text[i+len(needle):min(len(text), i+len(needle)+60)]
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
		// user edits the canary user; opts configure the org.
		user func(*idxtest.User)
		opts []idxtest.Option
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
				tx := e.step(c, idx.Options{Username: canaryUser, Password: "Wrong-" + canaryPassword})
				e.secrets["wrong password"] = "Wrong-" + canaryPassword
				e.step(c, idx.Options{State: tx.State, Username: canaryUser, Password: canaryPassword})
			},
			wantSecrets: []string{"passcode", "stateHandle"},
		},
		{
			name: "captcha, wrong token, then right",
			opts: []idxtest.Option{idxtest.WithPolicy(idxtest.Policy{Factors: 1, Captcha: &idxtest.Captcha{}})},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.step(c, idx.Options{Username: canaryUser, Password: canaryPassword, CaptchaToken: canaryCaptcha})
				e.secrets["wrong captcha token"] = canaryCaptcha
				e.step(c, idx.Options{State: tx.State, Username: canaryUser, Password: canaryPassword, CaptchaToken: idxtest.CaptchaTestToken})
			},
			wantSecrets: []string{"captchaToken", "passcode", "access token"},
		},
		{
			name: "wrong code, then right",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.toChallenge(c)
				e.step(c, idx.Options{State: tx.State, VerificationCode: e.wrongCode()})
				e.step(c, idx.Options{State: tx.State, VerificationCode: lastCode(e.t, e.srv, canaryUser)})
			},
			wantSecrets: []string{"passcode", "access token"},
		},
		{
			name: "resend",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.toChallenge(c)
				tx2, err := c.Resend(e.t.Context(), tx.State)
				e.keep(tx2, err)
				e.step(c, idx.Options{State: tx.State, VerificationCode: lastCode(e.t, e.srv, canaryUser)})
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
				got, err = c.Authenticate(e.t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(e.t, e.srv, canaryUser)})
				e.keep(got, err)
			},
			wantSecrets: []string{"passcode", "stateHandle"},
		},
		{
			name:        "confidential client, client_secret_basic",
			run:         func(e *canaryEnv) { e.signIn(e.confidential(false)) },
			wantSecrets: []string{"code_verifier", "interaction_code", "access token"},
		},
		{
			name: "confidential client, client_secret_post, revoke",
			run: func(e *canaryEnv) {
				c := e.confidential(true)
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
				tx, err := c.Authenticate(e.t.Context(), idx.Options{Username: canaryUser, Password: canaryPassword})
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
				got, err := c.Authenticate(e.t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(e.t, e.srv, canaryUser)})
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
			wantLog:     `level=WARN msg="transport: rate limited; waiting before retrying" method=POST path=/idp/idx/identify`,
		},
		{
			name: "429 beyond the limit",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.toChallenge(c)
				e.inject(idxtest.Fault{Path: "/idp/idx/challenge/answer", Kind: idxtest.FaultRateLimit, Reset: time.Hour})
				got, err := c.Authenticate(e.t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(e.t, e.srv, canaryUser)})
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
				got, err := c.Authenticate(e.t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(e.t, e.srv, canaryUser)})
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
					got, err := c.Authenticate(e.t.Context(), idx.Options{State: tx.State, VerificationCode: e.wrongCode()})
					e.keep(got, err)
				}
				e.inject(idxtest.Fault{Path: "/oauth2/default/v1/token", Times: 1, Kind: idxtest.FaultErrorField})
				got, err := c.Authenticate(e.t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(e.t, e.srv, canaryUser)})
				e.keep(got, err)
			},
			wantSecrets: []string{"passcode", "code_verifier", "interaction_code"},
		},
		{
			name: "an org that echoes requests in its errors",
			run: func(e *canaryEnv) {
				ctx := e.t.Context()
				c := e.client(idx.Config{}, idx.WithMaxRetries(-1))
				// An Okta API error whose summary repeats the password.
				e.inject(idxtest.Fault{Path: "/idp/idx/identify", Times: 1, Kind: idxtest.FaultEchoError})
				got, err := c.Authenticate(ctx, idx.Options{Username: canaryUser, Password: canaryPassword})
				e.keep(got, err)
				var ae *idx.APIError
				if !errors.As(err, &ae) || ae.ErrorCode != "E0000001" || !strings.Contains(ae.ErrorSummary, canaryPassword) {
					e.t.Errorf("err = %v; want an *APIError keeping the server's summary", err)
				}
				// An IDX message whose text repeats it.
				e.inject(idxtest.Fault{Path: "/idp/idx/identify", Times: 1, Kind: idxtest.FaultEchoMessage})
				got, err = c.Authenticate(ctx, idx.Options{Username: canaryUser, Password: canaryPassword})
				e.keep(err)
				if err == nil {
					e.keep(got.Err(), got.Rejection)
					if msgs := got.Messages; len(msgs) != 1 || !strings.Contains(msgs[0].Text, canaryPassword) {
						e.t.Errorf("Messages = %d; want the server's one, text kept", len(msgs))
					}
				}
				// An OAuth error whose description repeats the client
				// secret, the verifier and the interaction code.
				cc := e.confidential(true)
				tx := e.toChallenge(cc)
				e.inject(idxtest.Fault{Path: "/oauth2/default/v1/token", Times: 1, Kind: idxtest.FaultEchoError})
				got, err = cc.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: lastCode(e.t, e.srv, canaryUser)})
				e.keep(got, err)
				var oe *idx.OAuthError
				if !errors.As(err, &oe) || oe.Code != "invalid_request" || !strings.Contains(oe.Description, canarySecret) {
					e.t.Errorf("err = %v; want an *OAuthError keeping the server's description", err)
				}
			},
			wantSecrets: []string{"passcode", "client_secret", "code_verifier", "interaction_code"},
		},
		{
			name: "registration: profile, password, email code",
			opts: []idxtest.Option{registerPolicy("")},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				e.secret("new password", canaryNewPassword)
				tx := e.must(c.Start(e.t.Context(), idx.StartOptions{}))
				tx = e.must(c.Register(e.t.Context(), idx.Options{State: tx.State,
					Profile: map[string]any{"firstName": "Nora", "lastName": "Newcomer", "email": canaryNewUser}}))
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.OktaPassword, NewPassword: canaryNewPassword})
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.OktaEmail})
				code := lastCode(e.t, e.srv, canaryNewUser)
				e.proceed(c, tx, idx.Options{VerificationCode: wrongCode(code)})
				tx = e.proceed(c, tx, idx.Options{VerificationCode: code})
				e.wantStatus(tx, idx.StatusSuccess)
			},
			wantSecrets: []string{"new password", "passcode", "stateHandle", "interaction_code", "access token"},
		},
		{
			name: "password recovery by email, new password",
			opts: []idxtest.Option{selfServicePolicy()},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				e.secret("new password", canaryNewPassword)
				tx := e.must(c.Start(e.t.Context(), idx.StartOptions{}))
				tx = e.must(c.RecoverPassword(e.t.Context(), idx.Options{State: tx.State, Username: canaryUser}))
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.OktaEmail})
				code := lastCode(e.t, e.srv, canaryUser)
				e.proceed(c, tx, idx.Options{VerificationCode: wrongCode(code)})
				tx = e.proceed(c, tx, idx.Options{VerificationCode: code})
				// The old password is refused as the new one.
				e.must(c.RecoverPassword(e.t.Context(), idx.Options{State: tx.State, NewPassword: canaryPassword}))
				tx = e.must(c.RecoverPassword(e.t.Context(), idx.Options{State: tx.State, NewPassword: canaryNewPassword, ConfirmPassword: canaryNewPassword}))
				e.wantStatus(tx, idx.StatusSuccess)
				// A confirmation that differs is refused before anything is sent.
				got, err := c.RecoverPassword(e.t.Context(), idx.Options{State: tx.State, NewPassword: canaryNewPassword, ConfirmPassword: "Other-" + canaryNewPassword})
				e.secret("wrong confirmation", "Other-"+canaryNewPassword)
				e.keep(got, err)
				e.step(c, idx.Options{Username: canaryUser, Password: canaryNewPassword})
			},
			wantSecrets: []string{"new password", "passcode", "stateHandle", "access token"},
		},
		{
			name: "lockout, then account unlock by email",
			opts: []idxtest.Option{selfServicePolicy()},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				for i := range 3 {
					pw := fmt.Sprintf("Wrong-%d-%s", i, canaryPassword)
					e.secret("wrong password", pw)
					e.step(c, idx.Options{Username: canaryUser, Password: pw})
				}
				tx := e.step(c, idx.Options{Username: canaryUser, Password: canaryPassword})
				if !errors.Is(tx.Err(), idx.ErrLockedOut) {
					e.t.Fatalf("Err() = %v; want ErrLockedOut", tx.Err())
				}
				tx = e.must(c.UnlockAccount(e.t.Context(), idx.Options{State: tx.State, Username: canaryUser, Authenticator: authenticator.OktaEmail}))
				code := lastCode(e.t, e.srv, canaryUser)
				e.proceed(c, tx, idx.Options{VerificationCode: wrongCode(code)})
				tx = e.proceed(c, tx, idx.Options{VerificationCode: code})
				e.wantStatus(tx, idx.StatusTerminal)
				e.signIn(c)
			},
			wantSecrets: []string{"wrong password", "passcode", "stateHandle", "access token"},
		},
		{
			name: "account unlock by phone sms",
			user: func(u *idxtest.User) { u.Phone, u.Locked = canaryPhone, true },
			opts: []idxtest.Option{allRecoveryPolicy()},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.must(c.Start(e.t.Context(), idx.StartOptions{}))
				tx = e.must(c.UnlockAccount(e.t.Context(), idx.Options{State: tx.State, Username: canaryUser,
					Authenticator: authenticator.PhoneNumber, MethodType: "sms"}))
				tx = e.proceed(c, tx, idx.Options{VerificationCode: lastCode(e.t, e.srv, canaryPhone)})
				e.wantStatus(tx, idx.StatusTerminal)
			},
			wantSecrets: []string{"passcode", "stateHandle"},
		},
		{
			name: "phone sms and voice",
			user: func(u *idxtest.User) { u.Phone = canaryPhone },
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				for _, method := range []string{"sms", "voice"} {
					tx := e.password(c)
					tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: method})
					code := lastCode(e.t, e.srv, canaryPhone)
					e.proceed(c, tx, idx.Options{VerificationCode: wrongCode(code)})
					e.must(c.Resend(e.t.Context(), tx.State))
					tx = e.proceed(c, tx, idx.Options{VerificationCode: lastCode(e.t, e.srv, canaryPhone)})
					e.wantStatus(tx, idx.StatusSuccess)
				}
			},
			wantSecrets: []string{"passcode", "stateHandle", "access token"},
		},
		{
			name: "phone enrollment by sms",
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorPhone, true)},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.password(c)
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "sms", PhoneNumber: canaryPhone})
				code := lastCode(e.t, e.srv, canaryPhone)
				e.proceed(c, tx, idx.Options{VerificationCode: wrongCode(code)})
				tx = e.proceed(c, tx, idx.Options{VerificationCode: code})
				e.wantStatus(tx, idx.StatusSuccess)
			},
			wantSecrets: []string{"passcode", "access token"},
		},
		{
			name: "google authenticator enrollment: the shared secret",
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorGoogle, true)},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.password(c)
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.GoogleOTP})
				a := tx.NextStep.Authenticator
				if a == nil || a.Context == nil || a.Context.SharedSecret == "" {
					e.t.Fatalf("no shared secret in %+v", tx.NextStep)
				}
				seed := a.Context.SharedSecret
				e.secret("shared secret", seed)
				code := e.totp(seed)
				e.proceed(c, tx, idx.Options{VerificationCode: wrongCode(code)})
				tx = e.proceed(c, tx, idx.Options{VerificationCode: code})
				e.wantStatus(tx, idx.StatusSuccess)
			},
			wantSecrets: []string{"shared secret", "passcode", "access token"},
		},
		{
			name: "google authenticator verification",
			user: func(u *idxtest.User) { u.TOTPSecret = canaryTOTPSeed },
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				e.secret("TOTP seed", canaryTOTPSeed)
				tx := e.password(c)
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.GoogleOTP})
				code := e.totp(canaryTOTPSeed)
				e.proceed(c, tx, idx.Options{VerificationCode: wrongCode(code)})
				tx = e.proceed(c, tx, idx.Options{VerificationCode: code})
				e.wantStatus(tx, idx.StatusSuccess)
			},
			wantSecrets: []string{"TOTP seed", "passcode", "access token"},
		},
		{
			name: "okta verify push, rejected then approved",
			user: func(u *idxtest.User) { u.OktaVerify = true },
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.password(c)
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.OktaVerify, MethodType: "push"})
				e.must(c.Poll(e.t.Context(), tx.State))
				if err := e.srv.RejectPush(canaryUser); err != nil {
					e.t.Fatal(err)
				}
				e.must(c.PollUntilDone(e.t.Context(), tx.State))
				e.must(c.Resend(e.t.Context(), tx.State))
				// The push waits until the first progress report approves it.
				reports := 0
				tx = e.must(c.PollUntilDone(e.t.Context(), tx.State, idx.WithPollProgress(func(_ int, tx *idx.Transaction) {
					reports++
					e.keep(tx)
					if err := e.srv.ApprovePush(canaryUser); err != nil {
						e.t.Fatal(err)
					}
				})))
				e.wantStatus(tx, idx.StatusSuccess)
				if reports != 1 {
					e.t.Errorf("%d progress reports; want 1", reports)
				}
			},
			wantSecrets: []string{"stateHandle", "interaction_code", "access token"},
		},
		{
			name: "okta verify totp",
			user: func(u *idxtest.User) { u.OktaVerify = true },
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.password(c)
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.OktaVerify, MethodType: "totp"})
				seed, err := e.srv.OktaVerifySecret(canaryUser)
				if err != nil {
					e.t.Fatal(err)
				}
				e.secret("okta verify seed", seed)
				code := e.totp(seed)
				e.proceed(c, tx, idx.Options{VerificationCode: wrongCode(code)})
				tx = e.proceed(c, tx, idx.Options{VerificationCode: code})
				e.wantStatus(tx, idx.StatusSuccess)
			},
			wantSecrets: []string{"okta verify seed", "totp", "access token"},
		},
		{
			name: "okta verify enrollment by email: the activation link",
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorOktaVerify, true)},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.password(c)
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.OktaVerify})
				tx = e.proceed(c, tx, idx.Options{Channel: "email", Email: canaryUser})
				e.activateByLink(c, tx, canaryUser)
			},
			wantSecrets: []string{"activation link token", "stateHandle", "access token"},
		},
		{
			name: "okta verify enrollment by QR code: the image",
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorOktaVerify, true)},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.password(c)
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.OktaVerify})
				a := tx.NextStep.Authenticator
				if a == nil || a.Context == nil || a.Context.QRCode == nil || a.Context.QRCode.Href == "" {
					e.t.Fatalf("no QR code in %+v", tx.NextStep)
				}
				// The picture stands for the activation secret: a caller
				// shows it, and nothing else may.
				href := a.Context.QRCode.Href
				e.secret("QR code href", href)
				if _, img, ok := strings.Cut(href, ","); ok {
					e.secret("QR code image", img)
				}
				e.keep(a.Context.QRCode)
				e.must(c.Poll(e.t.Context(), tx.State))
				if err := e.srv.ActivateOktaVerify(canaryUser); err != nil {
					e.t.Fatal(err)
				}
				tx = e.must(c.PollUntilDone(e.t.Context(), tx.State))
				e.wantStatus(tx, idx.StatusSuccess)
				// The seed the QR code stood for.
				seed, err := e.srv.OktaVerifySecret(canaryUser)
				if err != nil {
					e.t.Fatal(err)
				}
				e.secret("okta verify seed", seed)
			},
			wantSecrets: []string{"QR code href", "QR code image", "okta verify seed", "stateHandle", "access token"},
		},
		{
			name: "okta verify enrollment by sms: the activation link",
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorOktaVerify, true)},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.password(c)
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.OktaVerify})
				tx = e.proceed(c, tx, idx.Options{Channel: "sms", PhoneNumber: canaryPhone})
				if a := tx.NextStep.Authenticator; a == nil || a.Context == nil || a.Context.SelectedChannel != "sms" {
					e.t.Fatalf("channel not sms: %+v", tx.NextStep)
				}
				e.activateByLink(c, tx, canaryPhone)
			},
			wantSecrets: []string{"activation link", "activation link token", "stateHandle", "access token"},
		},
		{
			name: "phone enrollment by voice",
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorPhone, true)},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.password(c)
				// A number that is not E.164 is refused first.
				e.proceed(c, tx, idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "voice", PhoneNumber: "555-0177"})
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.PhoneNumber, MethodType: "voice", PhoneNumber: canaryPhone})
				code := lastCode(e.t, e.srv, canaryPhone)
				e.secret("voice code", code)
				e.proceed(c, tx, idx.Options{VerificationCode: wrongCode(code)})
				e.must(c.Resend(e.t.Context(), tx.State))
				code = lastCode(e.t, e.srv, canaryPhone)
				e.secret("voice code", code)
				tx = e.proceed(c, tx, idx.Options{VerificationCode: code})
				e.wantStatus(tx, idx.StatusSuccess)
			},
			wantSecrets: []string{"voice code", "passcode", "stateHandle", "access token"},
		},
		{
			name: "email enrollment at sign-in: the code",
			user: func(u *idxtest.User) { u.EmailNotEnrolled = true },
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorEmail, true)},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.password(c)
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.OktaEmail})
				code := lastCode(e.t, e.srv, canaryUser)
				e.secret("email code", code)
				e.proceed(c, tx, idx.Options{VerificationCode: wrongCode(code)})
				e.must(c.Resend(e.t.Context(), tx.State))
				code = lastCode(e.t, e.srv, canaryUser)
				e.secret("email code", code)
				tx = e.proceed(c, tx, idx.Options{VerificationCode: code})
				e.wantStatus(tx, idx.StatusSuccess)
			},
			wantSecrets: []string{"email code", "passcode", "stateHandle", "access token"},
		},
		{
			name: "password expired: old and new password",
			user: func(u *idxtest.User) { u.PasswordExpired = true },
			opts: []idxtest.Option{idxtest.WithPolicy(idxtest.Policy{Factors: 1})},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				e.secret("new password", canaryNewPassword)
				tx := e.password(c)
				if tx.NextStep == nil || tx.NextStep.Name != "reenroll-authenticator" {
					e.t.Fatalf("next step %+v; want reenroll-authenticator", tx.NextStep)
				}
				// The old password is refused as the new one.
				got := e.proceed(c, tx, idx.Options{NewPassword: canaryPassword})
				if got.Rejection == nil {
					e.t.Error("the old password was taken as the new one")
				}
				tx = e.proceed(c, tx, idx.Options{NewPassword: canaryNewPassword})
				e.wantStatus(tx, idx.StatusSuccess)
				// The old password no longer signs in; the new one does.
				got = e.password(c)
				if !errors.Is(got.Err(), idx.ErrInvalidCredentials) {
					e.t.Errorf("old password after the change: %v; want ErrInvalidCredentials", got.Err())
				}
				tx = e.step(c, idx.Options{Username: canaryUser, Password: canaryNewPassword})
				e.wantStatus(tx, idx.StatusSuccess)
			},
			wantSecrets: []string{"new password", "passcode", "stateHandle", "access token"},
		},
		{
			name: "password expiry warning: skipped, then changed",
			user: func(u *idxtest.User) { u.PasswordExpiresSoon = true },
			opts: []idxtest.Option{idxtest.WithPolicy(idxtest.Policy{Factors: 1})},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				e.secret("new password", canaryNewPassword)
				tx := e.password(c)
				if tx.NextStep == nil || tx.NextStep.Name != "reenroll-authenticator-warning" || !tx.NextStep.CanSkip {
					e.t.Fatalf("next step %+v; want a skippable reenroll-authenticator-warning", tx.NextStep)
				}
				tx = e.must(c.Skip(e.t.Context(), tx.State))
				e.wantStatus(tx, idx.StatusSuccess)
				tx = e.password(c)
				tx = e.proceed(c, tx, idx.Options{NewPassword: canaryNewPassword})
				e.wantStatus(tx, idx.StatusSuccess)
				tx = e.step(c, idx.Options{Username: canaryUser, Password: canaryNewPassword})
				e.wantStatus(tx, idx.StatusSuccess)
			},
			wantSecrets: []string{"new password", "passcode", "stateHandle", "access token"},
		},
		{
			name: "security question: the answer",
			user: func(u *idxtest.User) {
				u.SecurityQuestion = &idxtest.SecurityQuestion{Key: "favorite_book", Question: "What is your favorite book?", Answer: canaryAnswer}
			},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				e.secret("answer", canaryAnswer)
				e.secret("wrong answer", "Wrong-"+canaryAnswer)
				tx := e.password(c)
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.SecurityQuestion})
				e.proceed(c, tx, idx.Options{Answer: "Wrong-" + canaryAnswer})
				tx = e.proceed(c, tx, idx.Options{Answer: canaryAnswer})
				e.wantStatus(tx, idx.StatusSuccess)
			},
			wantSecrets: []string{"answer", "wrong answer", "access token"},
		},
		{
			name: "security question enrollment: the answer",
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorSecurityQuestion, true)},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				e.secret("answer", canaryAnswer)
				tx := e.password(c)
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.SecurityQuestion})
				tx = e.proceed(c, tx, idx.Options{QuestionKey: "custom", Question: "Name of my first bike?", Answer: canaryAnswer})
				e.wantStatus(tx, idx.StatusSuccess)
			},
			wantSecrets: []string{"answer", "access token"},
		},
		{
			name: "webauthn verification: clientData and signature",
			user: func(u *idxtest.User) { u.WebAuthn = true },
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.password(c)
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.WebAuthn})
				challenge := webAuthnChallenge(e.t, tx)
				good, err := e.srv.WebAuthnAssertion(canaryUser, challenge)
				if err != nil {
					e.t.Fatal(err)
				}
				other, err := e.srv.WebAuthnAssertion(canaryUser, challenge+"x")
				if err != nil {
					e.t.Fatal(err)
				}
				for _, w := range []idxtest.WebAuthnAnswer{good, other} {
					e.secret("webauthn clientData", w.ClientData)
					e.secret("webauthn authenticatorData", w.AuthenticatorData)
					e.secret("webauthn signature", w.SignatureData)
				}
				e.proceed(c, tx, idx.Options{WebAuthn: &authenticator.WebAuthnAnswer{
					ClientData: good.ClientData, AuthenticatorData: good.AuthenticatorData, SignatureData: other.SignatureData}})
				tx = e.proceed(c, tx, idx.Options{WebAuthn: &authenticator.WebAuthnAnswer{
					ClientData: good.ClientData, AuthenticatorData: good.AuthenticatorData, SignatureData: good.SignatureData}})
				e.wantStatus(tx, idx.StatusSuccess)
			},
			wantSecrets: []string{"webauthn clientData", "webauthn signature", "clientData", "signatureData", "access token"},
		},
		{
			name: "webauthn enrollment: clientData and attestation",
			opts: []idxtest.Option{enrollPolicy(idxtest.AuthenticatorWebAuthn, true)},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.password(c)
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.WebAuthn})
				challenge := activationChallenge(e.t, tx)
				bad := idxtest.WebAuthnClientData("webauthn.get", challenge, e.srv.URL)
				good := idxtest.WebAuthnClientData("webauthn.create", challenge, e.srv.URL)
				e.secret("webauthn clientData", bad)
				e.secret("webauthn clientData", good)
				e.secret("webauthn attestation", e2eAttestation)
				e.proceed(c, tx, idx.Options{WebAuthn: &authenticator.WebAuthnAnswer{ClientData: bad, Attestation: e2eAttestation}})
				tx = e.proceed(c, tx, idx.Options{WebAuthn: &authenticator.WebAuthnAnswer{ClientData: good, Attestation: e2eAttestation}})
				e.wantStatus(tx, idx.StatusSuccess)
			},
			wantSecrets: []string{"webauthn clientData", "webauthn attestation", "attestation", "access token"},
		},
		{
			name: "IdP redirect and HandleCallback",
			opts: []idxtest.Option{idxtest.WithPolicy(idxtest.Policy{Factors: 2, IdPs: []idxtest.IdP{
				{ID: "0oaCanaryGoogle", Type: "GOOGLE", Name: "Google", Username: canaryUser},
				{ID: "0oaCanarySaml", Type: "SAML2", Name: "Corporate", Fail: true},
			}})},
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.must(c.Start(e.t.Context(), idx.StartOptions{}))
				back := follow(e.t, e.srv, idpStep(e.t, tx, "Google").Href)
				e.secret("callback URL", back)
				e.queryParam(back, "interaction_code", "callback interaction code")
				cb, err := idx.ParseCallbackURL(back)
				e.keep(cb, err)
				other := e.must(c.Start(e.t.Context(), idx.StartOptions{}))
				got, err := c.HandleCallback(e.t.Context(), other.State, back)
				e.keep(got, err)
				if !errors.Is(err, idx.ErrStateMismatch) {
					e.t.Errorf("callback into another transaction: err = %v; want ErrStateMismatch", err)
				}
				done := e.must(c.HandleCallback(e.t.Context(), tx.State, back))
				e.wantStatus(done, idx.StatusSuccess)
				got, err = c.HandleCallback(e.t.Context(), tx.State, back)
				e.keep(got, err)
				if err == nil {
					e.t.Error("a spent callback was taken")
				}
				// An IdP that denies.
				tx = e.must(c.Start(e.t.Context(), idx.StartOptions{}))
				denied := follow(e.t, e.srv, idpStep(e.t, tx, "Corporate").Href)
				got, err = c.HandleCallback(e.t.Context(), tx.State, denied)
				e.keep(got, err)
				if !errors.Is(err, idx.ErrAccessDenied) {
					e.t.Errorf("denied: err = %v; want ErrAccessDenied", err)
				}
			},
			wantSecrets: []string{"callback interaction code", "interaction_code", "code_verifier", "access token"},
		},
		{
			name: "email magic link, same browser and elsewhere",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				for _, elsewhere := range []bool{false, true} {
					tx := e.toChallenge(c)
					mail := e.lastMessage()
					if mail.Link == "" {
						e.t.Fatal("no magic link")
					}
					e.secret("magic link", mail.Link)
					e.queryParam(mail.Link, "token", "magic link token")
					back := follow(e.t, e.srv, mail.Link)
					e.secret("email callback URL", back)
					e.queryParam(back, "otp", "callback otp")
					cb, err := idx.ParseCallbackURL(back)
					e.keep(cb, err)
					if !elsewhere {
						tx = e.must(c.HandleCallback(e.t.Context(), tx.State, back))
						e.wantStatus(tx, idx.StatusSuccess)
						continue
					}
					got, err := c.HandleCallback(e.t.Context(), "", back)
					e.keep(got, err)
					if !errors.Is(err, idx.ErrEmailVerifyElsewhere) {
						e.t.Fatalf("err = %v; want ErrEmailVerifyElsewhere", err)
					}
					cb, perr := idx.ParseCallbackURL(back)
					if perr != nil {
						e.t.Fatal(perr)
					}
					e.keep(cb, *cb, cb.OTP)
					tx = e.proceed(c, tx, idx.Options{VerificationCode: cb.OTP.Reveal()})
					e.wantStatus(tx, idx.StatusSuccess)
				}
			},
			wantSecrets: []string{"callback otp", "magic link token", "passcode", "access token"},
		},
		{
			name: "activation token at start",
			opts: []idxtest.Option{idxtest.WithPolicy(idxtest.Policy{Factors: 1})},
			run: func(e *canaryEnv) {
				if err := e.srv.AddUser(idxtest.User{Username: canaryStagedUser, GivenName: "Stella", FamilyName: "Staged", Staged: true}); err != nil {
					e.t.Fatal(err)
				}
				tok, err := e.srv.ActivationToken(canaryStagedUser)
				if err != nil {
					e.t.Fatal(err)
				}
				e.secret("activation token", tok)
				e.secret("new password", canaryNewPassword)
				c := e.client(idx.Config{})
				tx := e.must(c.Start(e.t.Context(), idx.StartOptions{ActivationToken: tok}))
				tx = e.proceed(c, tx, idx.Options{Authenticator: authenticator.OktaPassword})
				tx = e.proceed(c, tx, idx.Options{NewPassword: canaryNewPassword})
				e.wantStatus(tx, idx.StatusSuccess)
				// Spent: the interact endpoint refuses it.
				e.refused(c.Start(e.t.Context(), idx.StartOptions{ActivationToken: tok}))
			},
			wantSecrets: []string{"activation token", "activation_token", "new password", "access token"},
		},
		{
			name: "recovery token at start",
			opts: []idxtest.Option{selfServicePolicy()},
			run: func(e *canaryEnv) {
				tok, err := e.srv.RecoveryToken(canaryUser)
				if err != nil {
					e.t.Fatal(err)
				}
				e.secret("recovery token", tok)
				e.secret("new password", canaryNewPassword)
				c := e.client(idx.Config{})
				tx := e.must(c.Start(e.t.Context(), idx.StartOptions{RecoveryToken: tok}))
				tx = e.must(c.RecoverPassword(e.t.Context(), idx.Options{State: tx.State, NewPassword: canaryNewPassword}))
				e.wantStatus(tx, idx.StatusSuccess)
				e.refused(c.Start(e.t.Context(), idx.StartOptions{RecoveryToken: tok}))
			},
			wantSecrets: []string{"recovery token", "recovery_token", "new password", "access token"},
		},
		{
			name: "Refresh and TokenSource: old and new refresh tokens",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.signIn(c)
				first := tx.Tokens
				e.clk.Advance(time.Minute)
				second, err := c.Refresh(e.t.Context(), first)
				e.keep(second, err)
				if err != nil {
					e.t.Fatal(err)
				}
				// The spent refresh token is refused.
				got, err := c.Refresh(e.t.Context(), first)
				e.keep(got, err)
				if err == nil {
					e.t.Error("a spent refresh token was taken")
				}
				// A source refreshes the stored tokens of another sign-in
				// near their expiry.
				tx2 := e.signIn(c)
				ts := c.TokenSource(tx2.State)
				e.clk.Advance(tx2.Tokens.Expiry.Sub(e.clk.Now()))
				fourth, err := ts.Token(e.t.Context())
				e.keep(fourth, err)
				if err != nil {
					e.t.Fatal(err)
				}
				if n := e.count("refresh token"); n != 4 {
					e.t.Errorf("%d refresh tokens seen; want 4 (two sign-ins', two rotations)", n)
				}
				// A source whose stored refresh token was spent.
				got, err = c.TokenSource(tx.State).Token(e.t.Context())
				e.keep(got, err)
				if err == nil {
					e.t.Error("a source refreshed with a spent refresh token")
				}
			},
			wantSecrets: []string{"refresh token", "refresh_token", "access token"},
		},
		{
			name: "IntrospectToken, confidential client",
			run: func(e *canaryEnv) {
				c := e.confidential(true)
				tx := e.signIn(c)
				for _, q := range []struct {
					tok  idx.Secret
					hint string
				}{{tx.Tokens.AccessToken, "access_token"}, {tx.Tokens.RefreshToken, "refresh_token"}, {tx.Tokens.IDToken, ""}} {
					in, err := c.IntrospectToken(e.t.Context(), q.tok, q.hint)
					e.keep(in, err)
				}
				e.keep(c.Revoke(e.t.Context(), tx.State, tx.Tokens))
				in, err := c.IntrospectToken(e.t.Context(), tx.Tokens.AccessToken, "access_token")
				e.keep(in, err)
				if err != nil || in.Active {
					e.t.Errorf("revoked token: %+v, %v; want inactive", in, err)
				}
				// An unknown token, and a bad client secret.
				e.secret("unknown token", "canary-unknown-token-3f9c1e7a")
				in, err = c.IntrospectToken(e.t.Context(), "canary-unknown-token-3f9c1e7a", "")
				e.keep(in, err)
				bad := e.client(idx.Config{ClientID: canaryClientID, ClientSecret: "Wrong-" + canarySecret, ClientSecretPost: true})
				e.secret("wrong client secret", "Wrong-"+canarySecret)
				in, err = bad.IntrospectToken(e.t.Context(), tx.Tokens.AccessToken, "access_token")
				e.keep(in, err)
				if err == nil {
					e.t.Error("a wrong client secret was accepted")
				}
			},
			wantSecrets: []string{"token", "client_secret", "access token", "refresh token", "ID token"},
		},
		{
			name: "private_key_jwt client: the assertion and the key",
			opts: []idxtest.Option{idxtest.WithPrivateKeyJWTApp(idxtest.App{ClientID: canaryJWTClientID,
				RedirectURIs: []string{idxtest.DefaultRedirectURI}, RefreshTokens: true}, sharedKey().Public())},
			run: func(e *canaryEnv) {
				e.pemSecrets(sharedKey())
				e.pemSecrets(otherRSAKey())
				c := e.client(idx.Config{ClientID: canaryJWTClientID, PrivateKey: sharedKey(), PrivateKeyID: "canary-kid"})
				tx := e.signIn(c)
				tok, err := c.Refresh(e.t.Context(), tx.Tokens)
				e.keep(tok, err)
				if err != nil {
					e.t.Fatal(err)
				}
				in, err := c.IntrospectToken(e.t.Context(), tok.AccessToken, "access_token")
				e.keep(in, err)
				e.keep(c.Revoke(e.t.Context(), tx.State, tok))
				// A key the app does not know is refused.
				bad := e.client(idx.Config{ClientID: canaryJWTClientID, PrivateKey: otherRSAKey()})
				got, err := bad.Authenticate(e.t.Context(), idx.Options{Username: canaryUser, Password: canaryPassword})
				e.keep(got, err)
				if got != nil && got.Status == idx.StatusPending {
					got, err = bad.Authenticate(e.t.Context(), idx.Options{State: got.State, Authenticator: authenticator.OktaEmail})
					e.keep(got, err)
					if err == nil {
						got, err = bad.Authenticate(e.t.Context(), idx.Options{State: got.State, VerificationCode: lastCode(e.t, e.srv, canaryUser)})
						e.keep(got, err)
					}
				}
				if err == nil {
					e.t.Error("an unknown key was accepted")
				}
			},
			wantSecrets: []string{"client_assertion", "private key PEM", "code_verifier", "interaction_code", "refresh token"},
		},
		{
			name: "TokenSource as an oauth2.TokenSource and an HTTP client",
			run: func(e *canaryEnv) {
				c := e.client(idx.Config{})
				tx := e.signIn(c)
				ts := c.TokenSource(tx.State)
				src, hc := ts.OAuth2(e.t.Context()), ts.Client(e.t.Context())
				e.keep(src, hc) // a caller may print the handles it holds
				resp, err := hc.Get(e.srv.Issuer() + "/v1/userinfo")
				e.keep(err)
				if err != nil {
					e.t.Fatal(err)
				}
				resp.Body.Close()
				// A refresh through the oauth2 form: its token is the
				// caller's, so only recorded as a secret.
				e.clk.Advance(tx.Tokens.Expiry.Sub(e.clk.Now()))
				tok, err := src.Token()
				e.keep(err)
				if err != nil {
					e.t.Fatal(err)
				}
				e.secret("access token", tok.AccessToken)
				stored, err := c.Tokens(e.t.Context(), tx.State)
				e.keep(stored, err)
				// Revoked and expiring: the refresh fails, through both forms.
				e.keep(c.Revoke(e.t.Context(), "", stored))
				e.clk.Advance(stored.Expiry.Sub(e.clk.Now()))
				_, err = src.Token()
				e.keep(err)
				_, err = c.TokenSource(tx.State).Client(e.t.Context()).Get(e.srv.Issuer() + "/v1/userinfo")
				e.keep(err)
				if !isInvalidGrant(err) {
					e.t.Errorf("err = %v; want invalid_grant", err)
				}
			},
			wantSecrets: []string{"access token #2", "refresh token #2", "token"},
		},
		{
			name: "printed handles: Client and TokenSource",
			opts: []idxtest.Option{idxtest.WithPrivateKeyJWTApp(idxtest.App{ClientID: canaryJWTClientID,
				RedirectURIs: []string{idxtest.DefaultRedirectURI}, RefreshTokens: true}, sharedKey().Public())},
			run: func(e *canaryEnv) {
				e.pemSecrets(sharedKey())
				secret := e.confidential(false)
				jwt := e.client(idx.Config{ClientID: canaryJWTClientID, PrivateKey: sharedKey()})
				for _, c := range []*idx.Client{secret, jwt} {
					tx := e.signIn(c)
					ts := c.TokenSource(tx.State)
					e.clk.Advance(tx.Tokens.Expiry.Sub(e.clk.Now()))
					tok, err := ts.Token(e.t.Context())
					e.keep(tok, err)
					if err != nil {
						e.t.Fatal(err)
					}
					// A caller may print or log the handles it holds.
					e.keep(c, ts)
				}
				e.keep(e.store)
			},
			wantSecrets: []string{"client secret", "client_assertion", "private key PEM", "refresh token #2", "stateHandle", "code_verifier"},
		},
		{
			name: "device activation: the page's stateHandle and the user code",
			opts: []idxtest.Option{idxtest.WithPolicy(idxtest.Policy{Factors: 1})},
			run: func(e *canaryEnv) {
				da, err := e.srv.DeviceAuthorize(canaryClientID, "openid")
				if err != nil {
					e.t.Fatal(err)
				}
				e.secret("device code", da.DeviceCode)
				c := e.client(idx.Config{})
				tx := e.must(c.Start(e.t.Context(), idx.StartOptions{StateHandle: e.srv.StartDeviceActivation("")}))
				tx = e.proceed(c, tx, idx.Options{UserCode: "WRNG-CDXZ"})
				tx = e.proceed(c, tx, idx.Options{UserCode: da.UserCode, Username: canaryUser, Password: canaryPassword})
				e.wantStatus(tx, idx.StatusTerminal)
			},
			wantSecrets: []string{"stateToken", "userCode", "stateHandle", "passcode"},
		},
		{
			name: "printed options: every answer and start token",
			run: func(e *canaryEnv) {
				// A flow first, for the logs' request records; the options
				// are not sent.
				e.toChallenge(e.client(idx.Config{}))
				secrets := map[string]string{
					"state": "canary-transaction-state-61d8", "verification code": "Canary-Code-84c1d", "next verification code": "Canary-Next-Code-39f0",
					"new password": canaryNewPassword, "confirmation": "Canary-Confirm-6e2b", "captcha token": canaryCaptcha,
					"duo signature": "canary-duo-sig-0c7a4e", "answer": canaryAnswer, "question": "Canary question 5d1f?",
					"user code": "CNRY-UC7Q", "webauthn clientData": "canary-client-data-a93e", "webauthn attestation": "canary-attestation-1b6c",
					"webauthn signature": "canary-signature-7d20", "webauthn authenticatorData": "canary-authdata-4f85",
					"profile value": "canary-profile-secret-2a9d", "value": "canary-values-secret-e571",
					"nested value": "canary-nested-secret-38bc", "state handle": "02canary-state-handle-9e4f",
					"activation token": "canary-activation-token-d3a7", "recovery token": "canary-recovery-token-5c0e",
					"oauth state": "canary-oauth-state-b18f",
				}
				for name, v := range secrets {
					e.secret(name, v)
				}
				keep := true
				opts := idx.Options{
					State: secrets["state"], Username: canaryUser, Password: canaryPassword, RememberMe: &keep, KeepMeSignedIn: &keep,
					CaptchaToken: secrets["captcha token"], Authenticator: authenticator.OktaEmail, MethodType: "email",
					VerificationCode: secrets["verification code"], VendorUsername: "canary-vendor", CredentialID: "VSMT14393584",
					NextVerificationCode: secrets["next verification code"], DuoSignature: secrets["duo signature"],
					NewPassword: canaryNewPassword, ConfirmPassword: secrets["confirmation"], RevokeSessions: true,
					PhoneNumber: canaryPhone, Answer: canaryAnswer, QuestionKey: "custom", Question: secrets["question"],
					WebAuthn: &authenticator.WebAuthnAnswer{ClientData: secrets["webauthn clientData"], Attestation: secrets["webauthn attestation"],
						AuthenticatorData: secrets["webauthn authenticatorData"], SignatureData: secrets["webauthn signature"]},
					Channel: "email", Email: canaryUser, Profile: map[string]any{"secretAttr": secrets["profile value"]},
					Consent: idx.ConsentAllow, ConsentScopes: []string{"okta.myAccount.read"}, UserCode: secrets["user code"],
					Step: "challenge-authenticator", Values: map[string]any{"credentials.passcode": secrets["value"],
						"credentials": map[string]any{"totp": secrets["nested value"]}},
				}
				start := idx.StartOptions{StateHandle: secrets["state handle"], ActivationToken: secrets["activation token"],
					RecoveryToken: secrets["recovery token"], ACRValues: []string{idx.ACRTwoFactors}, MaxAge: time.Hour,
					LoginHint: canaryUser, PromptLogin: true, OAuthState: secrets["oauth state"]}
				for _, v := range []any{opts, &opts, start, &start} {
					e.show(v)
				}
				// Redacted, the fields still show which are set.
				for _, h := range e.texts {
					for _, want := range []string{"Password: [redacted]", "StateHandle: [redacted]"} {
						if strings.HasPrefix(h.text, "idx.Options{") != (want == "Password: [redacted]") {
							continue
						}
						if !strings.Contains(h.text, want) {
							e.t.Errorf("the %s does not show %q: %s", h.where, want, h.text)
						}
					}
				}
				for _, want := range []string{`password=[redacted]`, `"state_handle":"[redacted]"`, `v.values.credentials.passcode=[redacted]`} {
					if !strings.Contains(e.logs.String(), want) {
						e.t.Errorf("the logs do not hold %q", want)
					}
				}
			},
			wantSecrets: []string{"state", "verification code", "captcha token", "user code", "webauthn clientData", "value", "state handle", "oauth state"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newCanaryEnv(t, tt.user, tt.opts...)
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
			hay := append(e.printed(), e.logLines()...)
			if !strings.Contains(e.logs.String(), "transport: attempt") {
				t.Fatal("the debug logs hold no request records; the test would prove nothing")
			}
			if tt.wantLog != "" && !strings.Contains(e.logs.String(), tt.wantLog) {
				t.Errorf("the logs do not hold %q", tt.wantLog)
			}
			for name, v := range secrets {
				reported := map[string]bool{}
				for _, h := range hay {
					for how, f := range forms(v) {
						if !reported[h.where] && contains(h.text, f) {
							reported[h.where] = true
							t.Errorf("the %s shows (%s) in the %s: ...%s...", name, how, h.where, excerpt(h.text, f))
						}
					}
				}
			}
			if !slices.ContainsFunc(e.srv.Requests(), func(r idxtest.RecordedRequest) bool {
				return strings.HasPrefix(r.Header.Get("User-Agent"), "goidx/")
			}) {
				t.Fatal("no request carries the SDK's User-Agent; the query check would prove nothing")
			}
			for _, r := range e.srv.Requests() {
				if r.Method == "POST" && r.RawQuery != "" {
					t.Errorf("POST %s carries a URL query", r.Path)
				}
				// The browser's requests (an IdP's href, a magic link, an
				// activation link) carry their tokens in the URL by design;
				// the SDK's must not.
				if r.RawQuery != "" && r.Path != "/oauth2/default/v1/authorize" && strings.HasPrefix(r.Header.Get("User-Agent"), "goidx/") {
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
