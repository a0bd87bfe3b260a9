package idx_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

func TestDeviceContextSentOnEveryCall(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithRequestRecording())
	c := newClient(t, srv, idx.Config{ClientID: idxtest.ConfidentialClientID, ClientSecret: idxtest.ConfidentialClientSecret},
		idx.WithUserAgent("myapp/2.0"))
	dc := idx.DeviceContext{
		ForwardedFor:   "203.0.113.7, 198.51.100.2",
		UserAgent:      "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
		DeviceToken:    "b1e6a2c0f3d94e8aa7d1c5b2e4f60718",
		AcceptLanguage: "de-CH, de;q=0.9, en;q=0.5",
	}
	ctx := idx.WithDeviceContext(t.Context(), dc)
	tok, err := trySignIn(ctx, c, srv, idxtest.DemoUsername, idxtest.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UserInfo(ctx, tok); err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if err := c.Revoke(ctx, "", tok); err != nil {
		t.Fatalf("Revoke: %v", err)
	}

	want := []string{dc.ForwardedFor, dc.UserAgent, "myapp/2.0", dc.DeviceToken, dc.AcceptLanguage}
	seen := map[string]bool{}
	for _, r := range srv.Requests() {
		h := r.Header
		got := []string{h.Get("X-Forwarded-For"), h.Get("User-Agent"), h.Get("X-Okta-User-Agent-Extended"), h.Get("X-Device-Token"), h.Get("Accept-Language")}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s %s: device headers (-want +got):\n%s", r.Method, r.Path, diff)
		}
		seen[r.Method+" "+r.Path] = true
	}
	for _, call := range []string{reqInteract, reqIntrospect, reqIdentify, reqChallenge, reqAnswer, reqToken, reqUserinfo, "POST /oauth2/default/v1/revoke"} {
		if !seen[call] {
			t.Errorf("no %s recorded; the test covers every call", call)
		}
	}

	// Without a device context, the SDK's own User-Agent and no device
	// headers.
	srv.ResetRequestLog()
	if _, err := c.Authenticate(t.Context(), idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}); err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.Requests() {
		h := r.Header
		got := []string{h.Get("X-Forwarded-For"), h.Get("User-Agent"), h.Get("X-Okta-User-Agent-Extended"), h.Get("X-Device-Token"), h.Get("Accept-Language")}
		if diff := cmp.Diff([]string{"", "myapp/2.0", "", "", ""}, got); diff != "" {
			t.Errorf("%s %s without a device context (-want +got):\n%s", r.Method, r.Path, diff)
		}
	}
}

func TestDeviceContextPartial(t *testing.T) {
	t.Parallel()
	srv := newOrg(t, idxtest.WithRequestRecording())
	c := newClient(t, srv, idx.Config{})
	ctx := idx.WithDeviceContext(t.Context(), idx.DeviceContext{ForwardedFor: "2001:db8::1"})
	if _, err := c.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}); err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.Requests() {
		h := r.Header
		got := []string{h.Get("X-Forwarded-For"), h.Get("User-Agent"), h.Get("X-Okta-User-Agent-Extended"), h.Get("X-Device-Token")}
		if diff := cmp.Diff([]string{"2001:db8::1", "goidx/" + idx.Version, "", ""}, got); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", r.Method, r.Path, diff)
		}
	}
}

func TestDeviceContextInvalid(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	c := newClient(t, srv, idx.Config{})
	tests := []struct {
		name  string
		dc    idx.DeviceContext
		field string
	}{
		{"line break in X-Forwarded-For", idx.DeviceContext{ForwardedFor: "203.0.113.7\r\nX-Injected: 1"}, "DeviceContext.ForwardedFor"},
		{"LF in User-Agent", idx.DeviceContext{UserAgent: "Mozilla\nX-Evil: 1"}, "DeviceContext.UserAgent"},
		{"NUL in Accept-Language", idx.DeviceContext{AcceptLanguage: "en\x00"}, "DeviceContext.AcceptLanguage"},
		{"DEL in device token", idx.DeviceContext{DeviceToken: "abc\x7f"}, "DeviceContext.DeviceToken"},
		{"device token over 32", idx.DeviceContext{DeviceToken: strings.Repeat("a", 33)}, "DeviceContext.DeviceToken"},
		{"user agent over 1 KiB", idx.DeviceContext{UserAgent: strings.Repeat("M", 1025)}, "DeviceContext.UserAgent"},
		{"invalid UTF-8", idx.DeviceContext{ForwardedFor: "\xff\xfe"}, "DeviceContext.ForwardedFor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ie *idx.InputError
			if err := tt.dc.Validate(); !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("Validate() = %v; want *InputError for %s", err, tt.field)
			}
			srv.ResetRequestLog()
			ctx := idx.WithDeviceContext(t.Context(), tt.dc)
			_, err := c.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
			if !errors.As(err, &ie) || ie.Field != tt.field || !errors.Is(err, idx.ErrInvalidInput) {
				t.Fatalf("Authenticate: err = %v; want *InputError for %s", err, tt.field)
			}
			if n := len(srv.RequestLog()); n != 0 {
				t.Errorf("%d requests sent with an invalid device context", n)
			}
		})
	}
	ok := idx.DeviceContext{ForwardedFor: "203.0.113.7", UserAgent: "Mozilla/5.0", DeviceToken: strings.Repeat("a", 32), AcceptLanguage: "fr"}
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate() = %v for a valid context", err)
	}
	if err := (idx.DeviceContext{}).Validate(); err != nil {
		t.Errorf("Validate() = %v for the zero context", err)
	}
}

// A server-side app that signs users in on their behalf passes each user's
// device context, so that the org's policies see the user, not the app.
func ExampleWithDeviceContext() {
	org := idxtest.NewServer(idxtest.WithRequestRecording())
	defer org.Close()
	client, err := idx.NewClient(idx.Config{
		Issuer:      org.Issuer(),
		ClientID:    idxtest.PublicClientID,
		RedirectURI: idxtest.DefaultRedirectURI,
	}, idx.WithInsecureLoopbackHTTP())
	if err != nil {
		log.Fatal(err)
	}

	// In an HTTP handler: ctx := r.Context(), the values from r.
	ctx := idx.WithDeviceContext(context.Background(), idx.DeviceContext{
		ForwardedFor:   "203.0.113.7",
		UserAgent:      "Mozilla/5.0 (X11; Linux x86_64)",
		AcceptLanguage: "de-CH",
	})
	if _, err := client.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword}); err != nil {
		log.Fatal(err)
	}
	for _, r := range org.Requests()[:2] {
		fmt.Println(r.Path, r.Header.Get("X-Forwarded-For"), r.Header.Get("Accept-Language"))
	}
	// Output:
	// /oauth2/default/v1/interact 203.0.113.7 de-CH
	// /idp/idx/introspect 203.0.113.7 de-CH
}
