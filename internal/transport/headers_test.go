package transport_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/goidx/goidx/internal/transport"
)

func TestOversizedHeaders(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("X-Padding", strings.Repeat("p", 1<<20))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	// The default HTTP client, with its 64 KiB header limit.
	c, err := transport.New(fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		class     transport.Class
		ambiguous bool
	}{{transport.ClassRead, false}, {transport.ClassAnswer, true}} {
		t.Run(tt.class.String(), func(t *testing.T) {
			before := hits.Load()
			_, err := c.Do(t.Context(), &transport.Request{Method: "POST", URL: srv.URL + "/idp/idx/x", Class: tt.class})
			if !errors.Is(err, transport.ErrBodyTooLarge) {
				t.Fatalf("err = %v; want ErrBodyTooLarge", err)
			}
			if got := errors.Is(err, transport.ErrOutcomeUnknown); got != tt.ambiguous {
				t.Errorf("errors.Is(err, ErrOutcomeUnknown) = %t; want %t", got, tt.ambiguous)
			}
			if n := hits.Load() - before; n != 1 {
				t.Errorf("%d attempts; an oversized answer must not be asked for again", n)
			}
		})
	}
}
