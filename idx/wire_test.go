package idx_test

// The SDK on a hostile or failing wire: the faults of idxtest, over real
// HTTP on loopback, through the public API only.

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
	"github.com/goidx/goidx/internal/oauth"
)

// verifyNoLeaks fails the test if goroutines started during it outlive it.
// Call it first: its check runs after every later cleanup (servers closed).
// Tests that use it do not run in parallel, so that the goroutines of other
// tests do not count.
func verifyNoLeaks(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// inject adds faults to srv.
func inject(t *testing.T, srv *idxtest.Server, faults ...idxtest.Fault) {
	t.Helper()
	for _, f := range faults {
		if err := srv.InjectFault(f); err != nil {
			t.Fatalf("InjectFault(%+v): %v", f, err)
		}
	}
}

// toChallenge signs the demo user in up to the email code challenge.
func toChallenge(t *testing.T, c *idx.Client) *idx.Transaction {
	t.Helper()
	tx := mustAuthenticate(t, c, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}, selectEmail)
	return mustAuthenticate(t, c, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail}, challengeEmail)
}

// recorded returns the recorded requests to path.
func recorded(srv *idxtest.Server, path string) []idxtest.RecordedRequest {
	var out []idxtest.RecordedRequest
	for _, r := range srv.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// retryHeaders returns X-Okta-Retry-For and X-Okta-Retry-Count of r.
func retryHeaders(r idxtest.RecordedRequest) [2]string {
	return [2]string{r.Header.Get("X-Okta-Retry-For"), r.Header.Get("X-Okta-Retry-Count")}
}

// Goal: a 429 is waited out until Reset - Date + 1s, the retry says so in
// X-Okta-Retry-For/-Count, and each class retries as its policy says.
func TestWireRateLimitRetriedAfterReset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		path  string
		times int
		// run drives the flow from a client at the challenge step (or from
		// scratch when start is set) and checks the outcome.
		start    bool
		wantHits int
		wantErr  error
	}{
		{name: "introspect (read) twice", path: "/idp/idx/introspect", times: 2, start: true, wantHits: 3},
		{name: "identify (answer) once", path: "/idp/idx/identify", times: 1, start: true, wantHits: 2},
		{name: "answer twice: one retry only", path: "/idp/idx/challenge/answer", times: 2, wantHits: 2, wantErr: idx.ErrRateLimited},
		{name: "token once", path: "/oauth2/default/v1/token", times: 1, wantHits: 2},
		{name: "resend: never retried", path: "/idp/idx/challenge/resend", times: 1, wantHits: 1, wantErr: idx.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newOrg(t, idxtest.WithRequestRecording())
			c := newClient(t, srv, idx.Config{})
			var tx *idx.Transaction
			if !tt.start {
				tx = toChallenge(t, c)
			}
			inject(t, srv, idxtest.Fault{Method: "POST", Path: tt.path, Times: tt.times, Kind: idxtest.FaultRateLimit, Reset: time.Second})
			start := time.Now()
			var err error
			switch {
			case tt.start:
				_, err = c.Authenticate(t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
			case strings.HasSuffix(tt.path, "/resend"):
				_, err = c.Resend(t.Context(), tx.State)
			default:
				code := lastCode(t, srv, idxtest.DemoUsername)
				tx, err = c.Authenticate(t.Context(), idx.Options{State: tx.State, VerificationCode: code})
				if err == nil && tx.Status != idx.StatusSuccess {
					t.Errorf("status %s after the retried request", tx.Status)
				}
			}
			elapsed := time.Since(start)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("err = %v; want %v", err, tt.wantErr)
			}
			reqs := recorded(srv, tt.path)
			if len(reqs) != tt.wantHits {
				t.Fatalf("%d requests to %s; want %d", len(reqs), tt.path, tt.wantHits)
			}
			// Reset is Date + 1s, so each wait lasts Reset - Date + 1s = 2s.
			if waits := tt.wantHits - 1; elapsed < time.Duration(waits)*2*time.Second {
				t.Errorf("%d retries after %v; each should wait Reset-Date+1s = 2s", waits, elapsed)
			}
			for i, r := range reqs {
				want := [2]string{}
				if i > 0 {
					want = [2]string{"idxtest-", string(rune('0' + i))}
				}
				got := retryHeaders(r)
				if got[0] != "" && strings.HasPrefix(got[0], "idxtest-") && len(got[0]) > len("idxtest-") {
					got[0] = "idxtest-"
				}
				if got != want {
					t.Errorf("request %d: X-Okta-Retry-For/-Count = %q; want %q", i+1, retryHeaders(r), want)
				}
			}
		})
	}
}

// Goal: a reset beyond the context deadline fails at once with a typed
// RateLimitError instead of sleeping into the deadline.
func TestWireRateLimitBeyondDeadline(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	inject(t, srv, idxtest.Fault{Method: "POST", Path: "/idp/idx/introspect", Kind: idxtest.FaultRateLimit, Reset: 20 * time.Second, Limit: 600})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	before := time.Now()
	_, err := c.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	var rl *idx.RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, idx.ErrRateLimited) {
		t.Fatalf("err = %v; want *RateLimitError", err)
	}
	if ctx.Err() != nil {
		t.Errorf("returned only after the deadline (%v)", ctx.Err())
	}
	if rl.Limit != 600 || rl.Remaining != 0 || rl.Reset.Before(before.Add(19*time.Second)) {
		t.Errorf("RateLimitError = %+v; want Limit 600, Remaining 0, Reset about 20s ahead", rl)
	}
	if n := srv.RequestCounts()[reqIntrospect]; n != 1 {
		t.Errorf("%d introspect requests; want 1 (no retry)", n)
	}
}

// Goal: WithMaxRateLimitWait bounds the wait for a rate limit: a reset
// further away fails the call at once with a RateLimitError whose public
// fields tell the endpoint, the limit and the wait the org asked for; zero
// means never wait; a reset within the bound is waited out, and the wait
// logged at Warn.
func TestWireMaxRateLimitWait(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return errorTextTime }
	tests := []struct {
		name     string
		bound    time.Duration
		reset    time.Duration // after the answer's Date
		want     *idx.RateLimitError
		wantHits int
		wantWarn bool
	}{
		{name: "reset beyond the bound", bound: 5 * time.Second, reset: 9 * time.Second, wantHits: 1,
			want: &idx.RateLimitError{Endpoint: "/idp/idx/identify", Limit: 50, Remaining: 0,
				Reset: errorTextTime.Add(9 * time.Second), RetryAfter: 10 * time.Second}},
		{name: "zero: never wait", bound: 0, reset: 0, wantHits: 1,
			want: &idx.RateLimitError{Endpoint: "/idp/idx/identify", Limit: 50, Remaining: 0,
				Reset: errorTextTime, RetryAfter: time.Second}},
		{name: "reset within the bound", bound: 5 * time.Second, reset: 0, wantHits: 2, wantWarn: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs syncBuffer
			srv := newOrg(t, idxtest.WithClock(now))
			c := newClient(t, srv, idx.Config{}, idx.WithClock(now), idx.WithMaxRateLimitWait(tt.bound),
				idx.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
			inject(t, srv, idxtest.Fault{Method: "POST", Path: "/idp/idx/identify", Times: 1, Kind: idxtest.FaultRateLimit, Reset: tt.reset})
			tx, err := c.Authenticate(t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
			if tt.want == nil {
				if err != nil || tx.Status != idx.StatusPending {
					t.Fatalf("tx, err = %v, %v; want the next step after the wait", tx, err)
				}
			} else {
				var rl *idx.RateLimitError
				if !errors.As(err, &rl) || !errors.Is(err, idx.ErrRateLimited) {
					t.Fatalf("err = %v; want *RateLimitError", err)
				}
				if diff := cmp.Diff(tt.want, rl); diff != "" {
					t.Errorf("RateLimitError mismatch (-want +got):\n%s", diff)
				}
			}
			if n := srv.RequestCounts()[reqIdentify]; n != tt.wantHits {
				t.Errorf("%d identify requests; want %d", n, tt.wantHits)
			}
			warn := `level=WARN msg="transport: rate limited; waiting before retrying" method=POST path=/idp/idx/identify wait=1s limit=50 remaining=0`
			if got := strings.Contains(logs.String(), warn); got != tt.wantWarn {
				t.Errorf("Warn record logged: %v, want %v; logs:\n%s", got, tt.wantWarn, logs.String())
			}
		})
	}
}

// Goal: an answer that may have been processed is never sent again; the
// SDK introspects once to learn its outcome. Likewise resend and the token
// exchange are never repeated after an ambiguous failure.
func TestWireAnswerNeverReplayed(t *testing.T) {
	t.Parallel()
	// processed checks the outcome of an answer the org processed although
	// the client never read the answer: the org still shows the success
	// until its interaction code is redeemed, so the sign-in ends in
	// SUCCESS.
	processed := func(t *testing.T, tx *idx.Transaction, err error) {
		t.Helper()
		if err != nil || tx.Status != idx.StatusSuccess || tx.Tokens == nil {
			t.Errorf("got %v, %v; want SUCCESS with tokens", tx, err)
		}
	}
	// notProcessed checks the outcome of an answer the org never processed:
	// the same step, pending, and no error.
	notProcessed := func(t *testing.T, tx *idx.Transaction, err error) {
		t.Helper()
		if err != nil || tx.Status != idx.StatusPending || tx.NextStep.Name != challengeEmail.Step {
			t.Errorf("got %v, %v; want PENDING at %s", tx, err, challengeEmail.Step)
		}
	}
	tests := []struct {
		name           string
		fault          idxtest.Fault
		httpClient     *http.Client
		wantIntrospect int
		check          func(t *testing.T, tx *idx.Transaction, err error)
	}{
		{"dropped after processing", idxtest.Fault{Kind: idxtest.FaultDropAfterProcessing}, nil, 1, processed},
		{"dropped before processing", idxtest.Fault{Kind: idxtest.FaultDropBeforeProcessing}, nil, 1, notProcessed},
		{"timed out after processing", idxtest.Fault{Kind: idxtest.FaultDelay, Delay: time.Minute},
			&http.Client{Timeout: 2 * time.Second}, 1, processed},
		{"HTML 502 from a proxy", idxtest.Fault{Kind: idxtest.FaultBadGatewayHTML}, nil, 1, notProcessed},
		{"503 from a proxy", idxtest.Fault{Kind: idxtest.FaultServerError, Status: 503}, nil, 0,
			func(t *testing.T, tx *idx.Transaction, err error) {
				// A JSON 5xx is Okta's own answer: returned, not reconciled.
				var api *idx.APIError
				if !errors.As(err, &api) || api.StatusCode != 503 {
					t.Errorf("got %v, %v; want *APIError HTTP 503", tx, err)
				}
			}},
		{"cut-off answer", idxtest.Fault{Kind: idxtest.FaultTruncatedJSON}, nil, 1, processed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newOrg(t)
			var opts []idx.ClientOption
			if tt.httpClient != nil {
				opts = append(opts, idx.WithHTTPClient(tt.httpClient))
			}
			c := newClient(t, srv, idx.Config{}, opts...)
			tx := toChallenge(t, c)
			f := tt.fault
			f.Method, f.Path, f.Times = "POST", "/idp/idx/challenge/answer", 1
			inject(t, srv, f)
			srv.ResetRequestLog()
			got, err := c.Authenticate(t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)})
			tt.check(t, got, err)
			counts := srv.RequestCounts()
			if counts[reqAnswer] != 1 || counts[reqIntrospect] != tt.wantIntrospect {
				t.Errorf("answer sent %d times, introspect %d; want 1 and %d (log %v)",
					counts[reqAnswer], counts[reqIntrospect], tt.wantIntrospect, srv.RequestLog())
			}
		})
	}

	t.Run("resend", func(t *testing.T) {
		t.Parallel()
		for _, kind := range []idxtest.FaultKind{idxtest.FaultDropAfterProcessing, idxtest.FaultServerError, idxtest.FaultBadGatewayHTML} {
			t.Run(kind.String(), func(t *testing.T) {
				srv := newOrg(t)
				c := newClient(t, srv, idx.Config{})
				tx := toChallenge(t, c)
				sent := len(srv.Outbox())
				inject(t, srv, idxtest.Fault{Method: "POST", Path: "/idp/idx/challenge/resend", Kind: kind, Status: 503})
				srv.ResetRequestLog()
				_, err := c.Resend(t.Context(), tx.State)
				if err == nil {
					t.Fatal("Resend succeeded through a fault")
				}
				if n := srv.RequestCounts()[reqResend]; n != 1 {
					t.Errorf("resend sent %d times; want 1", n)
				}
				if kind == idxtest.FaultDropAfterProcessing {
					if !errors.Is(err, idx.ErrOutcomeUnknown) {
						t.Errorf("err = %v; want ErrOutcomeUnknown", err)
					}
					if got := len(srv.Outbox()); got != sent+1 {
						t.Errorf("outbox grew by %d; the dropped resend was processed once", got-sent)
					}
				}
			})
		}
	})

	t.Run("token", func(t *testing.T) {
		t.Parallel()
		for _, kind := range []idxtest.FaultKind{idxtest.FaultDropAfterProcessing, idxtest.FaultBadGatewayHTML, idxtest.FaultServerError} {
			t.Run(kind.String(), func(t *testing.T) {
				srv := newOrg(t)
				c := newClient(t, srv, idx.Config{})
				tx := toChallenge(t, c)
				inject(t, srv, idxtest.Fault{Method: "POST", Path: "/oauth2/default/v1/token", Kind: kind, Status: 503})
				srv.ResetRequestLog()
				_, err := c.Authenticate(t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)})
				if err == nil {
					t.Fatal("sign-in succeeded without tokens")
				}
				if kind != idxtest.FaultServerError && !errors.Is(err, idx.ErrOutcomeUnknown) {
					t.Errorf("err = %v; want ErrOutcomeUnknown", err)
				}
				if n := srv.RequestCounts()[reqToken]; n != 1 {
					t.Errorf("token requested %d times; want 1", n)
				}
			})
		}
	})
}

// Goal: a server that never answers costs the caller its deadline, not
// more, and nothing is left running.
func TestWireHungServer(t *testing.T) {
	verifyNoLeaks(t)
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	for _, path := range []string{"/oauth2/default/v1/interact", "/idp/idx/introspect", "/idp/idx/identify"} {
		t.Run(path, func(t *testing.T) {
			srv.ClearFaults()
			inject(t, srv, idxtest.Fault{Method: "POST", Path: path, Kind: idxtest.FaultHang})
			ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
			defer cancel()
			_, err := c.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v; want context.DeadlineExceeded", err)
			}
		})
	}
}

// Goal: cancelling during a backoff wait ends the call with
// context.Canceled, and nothing is left running.
func TestWireCancelDuringBackoff(t *testing.T) {
	verifyNoLeaks(t)
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	// 503 on every introspect: a read, retried after a backoff.
	inject(t, srv, idxtest.Fault{Method: "POST", Path: "/idp/idx/introspect", Kind: idxtest.FaultServerError, Status: 503})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		for srv.RequestCounts()[reqIntrospect] == 0 && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
		cancel() // the client is waiting before its first retry (250ms at least)
	}()
	_, err := c.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	if n := srv.RequestCounts()[reqIntrospect]; n > 2 {
		t.Errorf("%d introspect attempts after the cancel", n)
	}
}

// isTyped reports whether err is one the SDK documents: a sentinel or one
// of its error types.
func isTyped(err error) bool {
	for _, s := range []error{idx.ErrBodyTooLarge, idx.ErrUnexpectedResponse, idx.ErrMalformedResponse,
		idx.ErrOutcomeUnknown, idx.ErrRateLimited, idx.ErrForeignOrigin} {
		if errors.Is(err, s) {
			return true
		}
	}
	// The OAuth layer's sentinel for a malformed interact or token
	// answer, which package idx does not re-export.
	if errors.Is(err, oauth.ErrMalformedResponse) {
		return true
	}
	var (
		api *idx.APIError
		oa  *idx.OAuthError
	)
	return errors.As(err, &api) || errors.As(err, &oa)
}

// Goal: hostile answers give typed errors, never a panic or a hang.
func TestWireHostileResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		faults []idxtest.Fault
		want   error // nil: any typed error
		check  func(t *testing.T, err error)
	}{
		{name: "10 MiB body on a read", faults: []idxtest.Fault{{Path: "/idp/idx/introspect", Kind: idxtest.FaultOversizedBody}}, want: idx.ErrBodyTooLarge},
		{name: "1 MiB header on a read", faults: []idxtest.Fault{{Path: "/idp/idx/introspect", Kind: idxtest.FaultOversizedHeader}}, want: idx.ErrBodyTooLarge},
		{name: "HTML 200", faults: []idxtest.Fault{{Path: "/idp/idx/introspect", Kind: idxtest.FaultHTML200}}, want: idx.ErrUnexpectedResponse,
			check: func(t *testing.T, err error) {
				if !strings.Contains(err.Error(), `unexpected response: HTTP 200 with content type "text/html`) || strings.Contains(err.Error(), "<") {
					t.Errorf("err = %v; want the HTML page's status and content type, without its body", err)
				}
			}},
		{name: "HTML 502", faults: []idxtest.Fault{{Path: "/idp/idx/introspect", Kind: idxtest.FaultBadGatewayHTML}}, want: idx.ErrUnexpectedResponse},
		{name: "truncated JSON", faults: []idxtest.Fault{{Path: "/idp/idx/introspect", Kind: idxtest.FaultTruncatedJSON}}, want: idx.ErrMalformedResponse},
		{name: "empty body", faults: []idxtest.Fault{{Path: "/idp/idx/introspect", Kind: idxtest.FaultEmptyBody}}, want: idx.ErrUnexpectedResponse},
		{name: "wrong content type", faults: []idxtest.Fault{{Path: "/idp/idx/introspect", Kind: idxtest.FaultWrongContentType}}, want: idx.ErrUnexpectedResponse},
		{name: "200 with an error member", faults: []idxtest.Fault{{Path: "/idp/idx/introspect", Kind: idxtest.FaultErrorField}},
			check: func(t *testing.T, err error) {
				var api *idx.APIError
				if !errors.As(err, &api) || api.ErrorCode != "server_error" {
					t.Errorf("err = %#v; want *APIError server_error", err)
				}
			}},
		{name: "500 JSON", faults: []idxtest.Fault{{Path: "/idp/idx/introspect", Kind: idxtest.FaultServerError}},
			check: func(t *testing.T, err error) {
				var api *idx.APIError
				if !errors.As(err, &api) || api.ErrorCode != "E0000009" || api.StatusCode != 500 {
					t.Errorf("err = %#v; want *APIError E0000009", err)
				}
			}},
		{name: "interact: HTML 200", faults: []idxtest.Fault{{Path: "/oauth2/default/v1/interact", Kind: idxtest.FaultHTML200}}, want: idx.ErrUnexpectedResponse},
		{name: "interact: truncated JSON", faults: []idxtest.Fault{{Path: "/oauth2/default/v1/interact", Kind: idxtest.FaultTruncatedJSON}}},
		{name: "interact: empty body", faults: []idxtest.Fault{{Path: "/oauth2/default/v1/interact", Kind: idxtest.FaultEmptyBody}}},
		{name: "interact: 200 with an error member", faults: []idxtest.Fault{{Path: "/oauth2/default/v1/interact", Kind: idxtest.FaultErrorField}}},
		{name: "interact: 10 MiB body", faults: []idxtest.Fault{{Path: "/oauth2/default/v1/interact", Kind: idxtest.FaultOversizedBody}}, want: idx.ErrBodyTooLarge},
	}
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{}, idx.WithMaxRetries(-1))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ClearFaults()
			inject(t, srv, tt.faults...)
			defer srv.ClearFaults()
			tx, err := c.Authenticate(t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
			if err == nil {
				t.Fatalf("no error; got %v", tx)
			}
			if !isTyped(err) {
				t.Errorf("err = %#v is not one of the SDK's typed errors", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v; want %v", err, tt.want)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
	t.Run("token endpoint", func(t *testing.T) {
		for _, kind := range []idxtest.FaultKind{idxtest.FaultHTML200, idxtest.FaultTruncatedJSON, idxtest.FaultEmptyBody,
			idxtest.FaultWrongContentType, idxtest.FaultErrorField, idxtest.FaultOversizedBody, idxtest.FaultOversizedHeader} {
			t.Run(kind.String(), func(t *testing.T) {
				srv.ClearFaults()
				tx := toChallenge(t, c)
				inject(t, srv, idxtest.Fault{Path: "/oauth2/default/v1/token", Kind: kind, Times: 1})
				got, err := c.Authenticate(t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)})
				if err == nil {
					t.Fatalf("no error; got %v", got)
				}
				if !isTyped(err) {
					t.Errorf("err = %#v is not one of the SDK's typed errors", err)
				}
			})
		}
	})
}

// Goal: an oversized answer to a POST that may have taken effect is not
// sent again; the SDK introspects, and reports both failures when that
// fails too.
func TestWireOversizedAnswer(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	tx, err := c.Authenticate(t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: "wrong password"})
	if err != nil || tx.Rejection == nil {
		t.Fatalf("got %v, %v; want a rejected identify", tx, err)
	}
	inject(t, srv,
		idxtest.Fault{Path: "/idp/idx/identify", Kind: idxtest.FaultOversizedBody, Times: 1},
		idxtest.Fault{Path: "/idp/idx/introspect", Kind: idxtest.FaultOversizedBody, Times: 1})
	srv.ResetRequestLog()
	_, err = c.Authenticate(t.Context(), idx.Options{State: tx.State, Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	if !errors.Is(err, idx.ErrOutcomeUnknown) || !errors.Is(err, idx.ErrBodyTooLarge) {
		t.Errorf("err = %v; want ErrOutcomeUnknown and ErrBodyTooLarge", err)
	}
	if got := srv.RequestLog(); len(got) != 2 || got[0] != reqIdentify || got[1] != reqIntrospect {
		t.Errorf("requests %v; want one identify, then one introspect", got)
	}
}

// Goal: reading a 10 MiB answer costs less than twice the 1 MiB read
// limit. TotalAlloc counts every allocation of the process during the call,
// the fake org's included.
func TestWireOversizedBodyMemory(t *testing.T) {
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{}, idx.WithMaxRetries(-1))
	// Warm up: discovery, connection pool.
	toChallenge(t, c)
	inject(t, srv, idxtest.Fault{Path: "/idp/idx/introspect", Kind: idxtest.FaultOversizedBody, Size: 10 << 20})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.Authenticate(t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, idx.ErrBodyTooLarge) {
		t.Fatalf("err = %v; want ErrBodyTooLarge", err)
	}
	const limit = 1 << 20
	if got := after.TotalAlloc - before.TotalAlloc; got > 2*limit {
		t.Errorf("the call allocated %d bytes for a 10 MiB answer; want at most %d", got, 2*limit)
	}
}

// Goal: an href or token URL on another origin is refused before anything
// is sent to it.
func TestWireForeignHrefs(t *testing.T) {
	t.Parallel()
	var foreignHits atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignHits.Add(1)
		http.Error(w, "not here", http.StatusTeapot)
	}))
	t.Cleanup(foreign.Close)
	srv := newOrg(t)

	t.Run("remediation href", func(t *testing.T) {
		c := newClient(t, srv, idx.Config{})
		inject(t, srv, idxtest.Fault{Path: "/idp/idx/introspect", Times: 1, Kind: idxtest.FaultForeignHrefs, Origin: foreign.URL})
		srv.ResetRequestLog()
		_, err := c.Authenticate(t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
		if !errors.Is(err, idx.ErrForeignOrigin) {
			t.Fatalf("err = %v; want ErrForeignOrigin", err)
		}
		if n := srv.RequestCounts()[reqIdentify]; n != 0 {
			t.Errorf("%d identify requests to the org", n)
		}
		if strings.Contains(err.Error(), "/idp/idx/identify") && strings.Contains(err.Error(), "?") {
			t.Errorf("error shows a URL query: %q", err)
		}
	})
	t.Run("token href", func(t *testing.T) {
		c := newClient(t, srv, idx.Config{})
		tx := toChallenge(t, c)
		inject(t, srv, idxtest.Fault{Path: "/idp/idx/challenge/answer", Times: 1, Kind: idxtest.FaultForeignHrefs, Origin: foreign.URL})
		srv.ResetRequestLog()
		_, err := c.Authenticate(t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)})
		if err == nil {
			t.Fatal("a foreign token URL was accepted")
		}
		if !errors.Is(err, idx.ErrForeignOrigin) {
			t.Errorf("err = %v, want ErrForeignOrigin", err)
		}
		if n := srv.RequestCounts()[reqToken]; n != 0 {
			t.Errorf("%d token requests to the org", n)
		}
	})
	if n := foreignHits.Load(); n != 0 {
		t.Errorf("the foreign server got %d requests", n)
	}
}

// Goal: a form or token href on the org's own origin that carries a query,
// a fragment or user info is refused before anything is sent: a hostile org
// (or proxy) cannot have the password or the code POSTed to
// ".../idp/idx/identify?debug=1".
func TestWireHrefWithQuery(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	userinfoOrigin := strings.Replace(srv.URL, "://", "://user:pass@", 1)
	tests := []struct {
		name  string
		fault idxtest.Fault
	}{
		{"query", idxtest.Fault{Kind: idxtest.FaultHrefSuffix, Suffix: "?debug=1"}},
		{"empty query", idxtest.Fault{Kind: idxtest.FaultHrefSuffix, Suffix: "?"}},
		{"fragment", idxtest.Fault{Kind: idxtest.FaultHrefSuffix, Suffix: "#debug"}},
		{"user info", idxtest.Fault{Kind: idxtest.FaultForeignHrefs, Origin: userinfoOrigin}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/remediation href", func(t *testing.T) {
			c := newClient(t, srv, idx.Config{})
			f := tt.fault
			f.Path, f.Times, f.BodyContains = "/idp/idx/introspect", 1, ""
			inject(t, srv, f)
			before := srv.RequestCounts()[reqIdentify]
			tx, err := c.Authenticate(t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
			if !errors.Is(err, idx.ErrForeignOrigin) {
				t.Fatalf("Authenticate = %+v, %v; want ErrForeignOrigin", tx, err)
			}
			if n := srv.RequestCounts()[reqIdentify] - before; n != 0 {
				t.Errorf("%d identify requests reached the org", n)
			}
			for _, s := range []string{"debug", "pass", idxtest.DemoPassword} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q shows %q", err, s)
				}
			}
		})
		t.Run(tt.name+"/token href", func(t *testing.T) {
			c := newClient(t, srv, idx.Config{})
			tx := toChallenge(t, c)
			f := tt.fault
			f.Path, f.Times = "/idp/idx/challenge/answer", 1
			inject(t, srv, f)
			before := srv.RequestCounts()[reqToken]
			_, err := c.Authenticate(t.Context(), idx.Options{State: tx.State, VerificationCode: lastCode(t, srv, idxtest.DemoUsername)})
			if !errors.Is(err, idx.ErrForeignOrigin) {
				t.Fatalf("err = %v; want ErrForeignOrigin", err)
			}
			if n := srv.RequestCounts()[reqToken] - before; n != 0 {
				t.Errorf("%d token requests reached the org", n)
			}
		})
	}
}
