package idx_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// errorTextTime is the fixed clock of TestErrorText's orgs and clients, so
// that the times in messages are known.
var errorTextTime = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// refusedAddr returns a loopback address nothing listens on.
func refusedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Goal: an error names each layer once, the way *url.Error reads: "idx: "
// and the operation, then what failed (`Post "URL": ...` for a request
// that got no answer), with no prefix of the SDK's internal layers; the
// typed errors and sentinels still match.
func TestErrorText(t *testing.T) {
	t.Parallel()
	type env struct {
		t   *testing.T
		srv *idxtest.Server
		c   *idx.Client
	}
	signIn := func(e env) (*idx.Transaction, error) {
		tx, err := e.c.Authenticate(e.t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
		if err != nil {
			return nil, err
		}
		tx, err = e.c.Authenticate(e.t.Context(), idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
		if err != nil {
			return nil, err
		}
		return e.c.Authenticate(e.t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(e.t, e.srv, idxtest.DemoUsername)})
	}
	tests := []struct {
		name   string
		faults []idxtest.Fault
		// run makes the call that fails; it may inject faults on the way.
		run  func(e env) error
		want string // {host} stands for the org's host:port
		is   []error
		as   func(error) bool
	}{
		{
			name: "org unreachable",
			run: func(e env) error {
				c, err := idx.NewClient(idx.Config{Issuer: "http://" + refusedAddr(e.t) + "/oauth2/default",
					ClientID: idxtest.PublicClientID, RedirectURI: idxtest.DefaultRedirectURI},
					idx.WithInsecureLoopbackHTTP(), idx.WithMaxRetries(-1))
				if err != nil {
					e.t.Fatal(err)
				}
				_, err = c.Authenticate(e.t.Context(), idx.Options{Username: idxtest.DemoUsername})
				return err
			},
			want: `idx: interact: Post "http://{host}/oauth2/default/v1/interact": dial tcp {host}: connect: connection refused`,
			is:   []error{syscall.ECONNREFUSED},
			as:   func(err error) bool { var oe *net.OpError; return errors.As(err, &oe) },
		},
		{
			name: "context canceled",
			run: func(e env) error {
				ctx, cancel := context.WithCancel(e.t.Context())
				cancel()
				_, err := e.c.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername})
				return err
			},
			want: `idx: interact: Post "http://{host}/oauth2/default/v1/interact": context canceled`,
			is:   []error{context.Canceled},
		},
		{
			name:   "rate limited past the wait",
			faults: []idxtest.Fault{{Path: "/idp/idx/identify", Kind: idxtest.FaultRateLimit, Reset: time.Hour}},
			run:    func(e env) error { _, err := signIn(e); return err },
			want:   `idx: identify: rate limited until 2030-01-02T04:04:05Z`,
			is:     []error{idx.ErrRateLimited},
			as:     func(err error) bool { var rl *idx.RateLimitError; return errors.As(err, &rl) },
		},
		{
			name:   "HTML from a proxy",
			faults: []idxtest.Fault{{Path: "/idp/idx/introspect", Kind: idxtest.FaultBadGatewayHTML}},
			run:    func(e env) error { _, err := signIn(e); return err },
			want:   `idx: introspect: unexpected response: HTTP 502 with content type "text/html; charset=utf-8"`,
			is:     []error{idx.ErrUnexpectedResponse},
		},
		{
			name:   "oversized answer",
			faults: []idxtest.Fault{{Path: "/idp/idx/introspect", Kind: idxtest.FaultOversizedBody}},
			run:    func(e env) error { _, err := signIn(e); return err },
			want:   `idx: introspect: Post "http://{host}/idp/idx/introspect": response body too large`,
			is:     []error{idx.ErrBodyTooLarge},
		},
		{
			name:   "foreign href",
			faults: []idxtest.Fault{{Path: "/idp/idx/introspect", Kind: idxtest.FaultForeignHrefs, Origin: "https://evil.example"}},
			run:    func(e env) error { _, err := signIn(e); return err },
			want:   `idx: identify: origin https://evil.example is not allowed`,
			is:     []error{idx.ErrForeignOrigin},
		},
		{
			name:   "Okta API error",
			faults: []idxtest.Fault{{Path: "/idp/idx/identify", Kind: idxtest.FaultServerError}},
			run:    func(e env) error { _, err := signIn(e); return err },
			want:   `idx: identify: API error E0000009 (HTTP 500)`, // the summary stays in ErrorSummary
			as:     func(err error) bool { var ae *idx.APIError; return errors.As(err, &ae) && ae.StatusCode == 500 },
		},
		{
			name:   "token exchange lost",
			faults: []idxtest.Fault{{Path: "/oauth2/default/v1/token", Kind: idxtest.FaultDropAfterProcessing}},
			run:    func(e env) error { _, err := signIn(e); return err },
			want:   `idx: token: outcome unknown: Post "http://{host}/oauth2/default/v1/token": EOF`,
			is:     []error{idx.ErrOutcomeUnknown, io.EOF},
		},
		{
			name: "answer lost, and its outcome too",
			run: func(e env) error {
				tx := toChallenge(e.t, e.c)
				inject(e.t, e.srv,
					idxtest.Fault{Path: "/idp/idx/challenge/answer", Times: 1, Kind: idxtest.FaultDropAfterProcessing},
					idxtest.Fault{Path: "/idp/idx/introspect", Times: 1, Kind: idxtest.FaultServerError})
				_, err := e.c.Authenticate(e.t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(e.t, e.srv, idxtest.DemoUsername)})
				return err
			},
			want: `idx: challenge/answer: outcome unknown; introspect: API error E0000009 (HTTP 500)`,
			is:   []error{idx.ErrOutcomeUnknown},
			as:   func(err error) bool { var ae *idx.APIError; return errors.As(err, &ae) },
		},
		{
			name:   "signing keys unavailable",
			faults: []idxtest.Fault{{Path: "/oauth2/default/v1/keys", Kind: idxtest.FaultServerError}},
			run:    func(e env) error { _, err := signIn(e); return err },
			want:   `idx: jwks: unexpected HTTP status 500`,
		},
		{
			name: "refresh token refused",
			run: func(e env) error {
				tx, err := signIn(e)
				if err != nil {
					e.t.Fatal(err)
				}
				if _, err := e.c.Refresh(e.t.Context(), tx.Tokens); err != nil {
					e.t.Fatal(err)
				}
				_, err = e.c.Refresh(e.t.Context(), tx.Tokens) // rotated: spent
				return err
			},
			want: `idx: token endpoint: invalid_grant (HTTP 400)`, // the description stays in Description
			as:   func(err error) bool { var oe *idx.OAuthError; return errors.As(err, &oe) && oe.Code == "invalid_grant" },
		},
		{
			name: "introspection refused",
			run: func(e env) error {
				c := newClient(e.t, e.srv, idx.Config{ClientID: idxtest.ConfidentialClientID, ClientSecret: "not-the-secret"}, idx.WithMaxRetries(-1))
				_, err := c.IntrospectToken(e.t.Context(), "some-token", "access_token")
				return err
			},
			want: `idx: introspect endpoint: invalid_client (HTTP 401)`,
			as: func(err error) bool {
				var oe *idx.OAuthError
				return errors.As(err, &oe) && oe.Endpoint == "introspect"
			},
		},
		{
			name: "revocation refused",
			run: func(e env) error {
				c := newClient(e.t, e.srv, idx.Config{ClientID: idxtest.ConfidentialClientID, ClientSecret: "not-the-secret"}, idx.WithMaxRetries(-1))
				return c.Revoke(e.t.Context(), "", &idx.Tokens{AccessToken: "some-token"})
			},
			want: `idx: revoke endpoint: invalid_client (HTTP 401)`,
			as:   func(err error) bool { var oe *idx.OAuthError; return errors.As(err, &oe) && oe.Endpoint == "revoke" },
		},
		{
			name: "step not offered",
			run: func(e env) error {
				tx := toChallenge(e.t, e.c)
				_, err := e.c.Authenticate(e.t.Context(), idx.Options{State: tx.State, Step: "enroll-profile"})
				return err
			},
			want: `idx: step not offered: "enroll-profile"`,
			is:   []error{idx.ErrUnknownStep},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := func() time.Time { return errorTextTime }
			srv := newOrg(t, idxtest.WithClock(now))
			c := newClient(t, srv, idx.Config{Scopes: []string{"openid", "offline_access"}},
				idx.WithClock(now), idx.WithMaxRetries(-1))
			inject(t, srv, tt.faults...)
			err := tt.run(env{t: t, srv: srv, c: c})
			if err == nil {
				t.Fatal("no error")
			}
			got := err.Error()
			for _, host := range []string{strings.TrimPrefix(srv.URL, "http://"), hostOf(got)} {
				if host != "" {
					got = strings.ReplaceAll(got, host, "{host}")
				}
			}
			if got != tt.want {
				t.Errorf("Error() =\n\t%s\nwant\n\t%s", got, tt.want)
			}
			if n := strings.Count(err.Error(), "idx: "); n != 1 {
				t.Errorf("%q has %d idx: prefixes; want 1", err, n)
			}
			for _, p := range []string{"transport:", "oauth:", "ion:", "remediate:"} {
				if strings.Contains(err.Error(), p) {
					t.Errorf("%q names the internal layer %q", err, p)
				}
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(err, %v) = false", target)
				}
			}
			if tt.as != nil && !tt.as(err) {
				t.Errorf("errors.As does not find the typed error in %#v", err)
			}
		})
	}
}

// hostOf returns the host:port of the first loopback URL in s, or "".
func hostOf(s string) string {
	_, rest, ok := strings.Cut(s, "http://127.0.0.1:")
	if !ok {
		return ""
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(rest)
	}
	return "127.0.0.1:" + rest[:end]
}
