package transport_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/transport"
)

func TestContextWithHeader(t *testing.T) {
	t.Parallel()
	var got atomic.Pointer[http.Header]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Clone()
		got.Store(&h)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	c, err := transport.New(transport.Options{HTTPClient: srv.Client(), UserAgent: "goidx/9.9"})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"User-Agent", "X-Okta-User-Agent-Extended", "X-Forwarded-For", "X-Device-Token", "Accept-Language"}
	tests := []struct {
		name  string
		extra http.Header
		want  []string
	}{
		{"none", nil, []string{"goidx/9.9", "", "", "", ""}},
		{
			"device headers without user agent",
			http.Header{"x-forwarded-for": {"203.0.113.7"}, "X-Device-Token": {"dt-1"}, "Accept-Language": {"de-CH"}},
			[]string{"goidx/9.9", "", "203.0.113.7", "dt-1", "de-CH"},
		},
		{
			"user agent replaces the SDK's, which moves to the extended header",
			http.Header{"User-Agent": {"Mozilla/5.0 (X11)"}, "X-Forwarded-For": {"198.51.100.1"}},
			[]string{"Mozilla/5.0 (X11)", "goidx/9.9", "198.51.100.1", "", ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			if tt.extra != nil {
				ctx = transport.ContextWithHeader(ctx, tt.extra)
				tt.extra.Set("X-Device-Token", "changed-after") // the context holds a copy
			}
			// A request header of the same name is replaced.
			req := &transport.Request{Method: "POST", URL: srv.URL + "/v1/interact", Class: transport.ClassInteract,
				Header: http.Header{"Accept-Language": {"en"}}}
			if _, err := c.Do(ctx, req); err != nil {
				t.Fatal(err)
			}
			h := *got.Load()
			var gotV []string
			for _, n := range names {
				gotV = append(gotV, h.Get(n))
			}
			want := tt.want
			if want[4] == "" {
				want = append(append([]string(nil), want[:4]...), "en")
			}
			if diff := cmp.Diff(want, gotV); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestContextWithError(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	c, err := transport.New(transport.Options{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	sentinel := errors.New("bad device context")
	ctx := transport.ContextWithError(context.Background(), sentinel)
	if _, err := c.Do(ctx, &transport.Request{Method: "GET", URL: srv.URL + "/", Class: transport.ClassRead}); !errors.Is(err, sentinel) {
		t.Errorf("err = %v; want the context's error", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}
