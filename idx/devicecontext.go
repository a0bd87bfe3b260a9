package idx

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/goidx/goidx/internal/transport"
)

// DeviceContext describes the end user's device and network for an org
// that trusts the app to report them (Okta's "trusted app" headers), so
// that sign-on policies, network zones, risk scoring and the sign-in
// emails see the user's browser rather than the app's server. Every field
// is optional; an empty field sends no header.
type DeviceContext struct {
	// ForwardedFor is the user's IP address, or a comma-separated chain
	// ending with it, sent as X-Forwarded-For.
	ForwardedFor string
	// UserAgent is the user's browser User-Agent. It replaces the SDK's
	// User-Agent; the SDK's then goes in X-Okta-User-Agent-Extended.
	UserAgent string
	// DeviceToken identifies the user's device across sign-ins (at most 32
	// characters, as Okta requires), sent as X-Device-Token.
	DeviceToken string
	// AcceptLanguage is the user's preferred languages, sent as
	// Accept-Language so that the org's messages come in that language.
	AcceptLanguage string
}

// maxDeviceHeader bounds the length of a DeviceContext field.
const maxDeviceHeader = 1024

// maxDeviceToken is Okta's limit on X-Device-Token.
const maxDeviceToken = 32

// Validate reports the first field that cannot be sent as a header: one
// holding a control character (a line break could forge headers), one that
// is not valid UTF-8 or one longer than 1024 bytes (32 for DeviceToken).
// It returns an [*InputError].
func (d DeviceContext) Validate() error {
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"DeviceContext.ForwardedFor", d.ForwardedFor, maxDeviceHeader},
		{"DeviceContext.UserAgent", d.UserAgent, maxDeviceHeader},
		{"DeviceContext.DeviceToken", d.DeviceToken, maxDeviceToken},
		{"DeviceContext.AcceptLanguage", d.AcceptLanguage, maxDeviceHeader},
	} {
		if len(f.value) > f.max {
			return &InputError{Field: f.name, Reason: "too long"}
		}
		if !utf8.ValidString(f.value) {
			return &InputError{Field: f.name, Reason: "not valid UTF-8"}
		}
		if strings.ContainsFunc(f.value, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return &InputError{Field: f.name, Reason: "contains a control character"}
		}
	}
	return nil
}

// header returns the headers d stands for.
func (d DeviceContext) header() http.Header {
	h := http.Header{}
	for _, f := range []struct{ name, value string }{
		{"X-Forwarded-For", d.ForwardedFor},
		{"User-Agent", d.UserAgent},
		{"X-Device-Token", d.DeviceToken},
		{"Accept-Language", d.AcceptLanguage},
	} {
		if v := strings.TrimSpace(f.value); v != "" {
			h.Set(f.name, v)
		}
	}
	return h
}

// WithDeviceContext returns a copy of ctx carrying d. Every request a
// [Client] makes with the returned context, or one derived from it, carries
// d's headers: interact, every IDX call, the token exchange, revoke and
// userinfo. Use one per end-user request, in a server that signs users in
// on their behalf.
//
// When d is invalid (see [DeviceContext.Validate]), every request the
// Client would make with the returned context fails, before anything is
// sent, with an error that [errors.As] finds the [*InputError] in. Call
// Validate first to report the problem earlier.
func WithDeviceContext(ctx context.Context, d DeviceContext) context.Context {
	if err := d.Validate(); err != nil {
		return transport.ContextWithError(ctx, err)
	}
	return transport.ContextWithHeader(ctx, d.header())
}
