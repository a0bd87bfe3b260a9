package idx

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/goidx/goidx/internal/remediate"
)

// Callback is a parsed callback URL: exactly one of InteractionCode, OTP
// and Error is set, and tells what came back. Its secrets print as
// [REDACTED].
type Callback struct {
	// State is the OAuth state the app sent at the start of the
	// transaction.
	State string
	// InteractionCode is the code to exchange for tokens, at the end of a
	// sign-in at an identity provider (?interaction_code=...).
	InteractionCode Secret
	// OTP is the one-time code of an email magic link (?otp=...).
	OTP Secret
	// Error and ErrorDescription are an OAuth error response
	// (?error=...&error_description=...).
	Error            string
	ErrorDescription string
}

// maxCallbackParam bounds each parameter of a callback URL.
const maxCallbackParam = 2048

// ParseCallbackURL reads a redirect to the app's redirect URI (absolute,
// or the request URI as in r.URL.RequestURI()). It needs exactly one
// non-empty state and exactly one of interaction_code, error or otp; a
// parameter given twice, one longer than 2048 bytes or holding control
// characters, or an unparsable URL gives an error matching
// [ErrInvalidCallback] that quotes nothing of the URL. It is a pure
// function: it reads no store and sends nothing.
func ParseCallbackURL(raw string) (*Callback, error) {
	bad := func(reason string) error { return fmt.Errorf("%w: %s", ErrInvalidCallback, reason) }
	if len(raw) > 8*maxCallbackParam {
		return nil, bad("too long")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, bad("not a URL")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, bad("malformed query")
	}
	get := func(name string) (string, error) {
		vs := q[name]
		switch {
		case len(vs) == 0:
			return "", nil
		case len(vs) > 1:
			return "", bad("parameter " + name + " repeated")
		case len(vs[0]) > maxCallbackParam:
			return "", bad("parameter " + name + " too long")
		case strings.ContainsFunc(vs[0], func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return "", bad("parameter " + name + " has control characters")
		}
		return vs[0], nil
	}
	var cb Callback
	var code, otp string
	for _, p := range []struct {
		name string
		dst  *string
	}{
		{"state", &cb.State}, {"interaction_code", &code}, {"otp", &otp},
		{"error", &cb.Error}, {"error_description", &cb.ErrorDescription},
	} {
		if *p.dst, err = get(p.name); err != nil {
			return nil, err
		}
	}
	if cb.State == "" {
		return nil, bad("no state")
	}
	n := 0
	for _, s := range []string{code, otp, cb.Error} {
		if s != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return nil, bad("no interaction_code, otp or error")
	case n > 1:
		return nil, bad("more than one of interaction_code, otp and error")
	case code != "":
		cb.InteractionCode = Secret(code)
	case otp != "":
		cb.OTP = Secret(otp)
	}
	if cb.Error == "" && cb.ErrorDescription != "" {
		return nil, bad("error_description without error")
	}
	return &cb, nil
}

// HandleCallback finishes a sign-in that left the app and came back to
// its redirect URI: callbackURL is that request's URL (absolute, or
// r.URL.RequestURI(), as [ParseCallbackURL] reads it), state the
// [Transaction.State] kept in the user's session. The URL's OAuth state
// is checked against the transaction's in constant time before anything
// is sent, so a callback cannot be replayed into another user's session.
//
// An identity provider's redirect (?interaction_code=...&state=..., after
// a redirect-idp step) is exchanged with the transaction's PKCE verifier
// and the ID token verified as on any success: the transaction is then
// SUCCESS. Its error (?error=...) is an [*OAuthError] whose Endpoint is
// "redirect" (access_denied matches [ErrAccessDenied]), except
// "interaction_required": the org
// wants more steps, and the transaction is returned PENDING on them. An
// unknown state gives [ErrTransactionNotFound], another transaction's
// [ErrStateMismatch].
//
// An email magic link (?otp=...&state=...) answers the transaction's
// email challenge with its code, as [Client.Authenticate] would. When the
// session has no such transaction, the link belongs to another one, or
// the transaction no longer waits for an email code, the link was opened
// elsewhere (another browser or device): the call returns
// [ErrEmailVerifyElsewhere], and the app shows the link's code (the OTP
// [ParseCallbackURL] reads) to the user, who enters it where the sign-in waits.
func (c *Client) HandleCallback(ctx context.Context, state, callbackURL string) (*Transaction, error) {
	cb, err := ParseCallbackURL(callbackURL)
	if err != nil {
		return nil, err
	}
	if cb.OTP != "" {
		return c.handleEmailVerify(ctx, state, cb)
	}
	return c.handleRedirect(ctx, state, cb)
}

// loadForCallback loads the transaction under state and checks, in
// constant time, that its OAuth state is the callback's.
func (c *Client) loadForCallback(ctx context.Context, state string, cb *Callback) (*flow, error) {
	f, err := c.load(ctx, state)
	if err != nil {
		return nil, err
	}
	if f.saved.OAuthState == "" || subtle.ConstantTimeCompare([]byte(f.saved.OAuthState), []byte(cb.State)) != 1 {
		return nil, ErrStateMismatch
	}
	return f, nil
}

// handleRedirect finishes a sign-in at an identity provider: cb is its
// redirect back, with an interaction code or an OAuth error.
func (c *Client) handleRedirect(ctx context.Context, state string, cb *Callback) (*Transaction, error) {
	f, err := c.loadForCallback(ctx, state, cb)
	if err != nil {
		return nil, err
	}
	if cb.Error != "" {
		if cb.Error == "interaction_required" {
			if err := c.introspect(ctx, f, map[string]any{"interactionHandle": f.saved.InteractionHandle}); err != nil {
				return nil, err
			}
			return c.run(ctx, f, remediate.Call{})
		}
		return nil, &OAuthError{Endpoint: "redirect", Code: cb.Error, Description: cb.ErrorDescription}
	}
	md, err := c.provider.Metadata(ctx)
	if err != nil {
		return nil, wireError("", err)
	}
	tokenURL := md.TokenEndpoint
	if tokenURL == "" {
		tokenURL = c.provider.BaseURL() + "/token"
	}
	return c.exchange(ctx, f.saved, tokenURL, cb.InteractionCode.Reveal(), nil)
}

// handleEmailVerify answers the transaction's email challenge with the
// code of an email magic link, cb.
func (c *Client) handleEmailVerify(ctx context.Context, state string, cb *Callback) (*Transaction, error) {
	elsewhere := ErrEmailVerifyElsewhere
	if state == "" {
		return nil, elsewhere
	}
	f, err := c.loadForCallback(ctx, state, cb)
	switch {
	case errors.Is(err, ErrTransactionNotFound), errors.Is(err, ErrStateMismatch):
		return nil, elsewhere
	case err != nil:
		return nil, err
	}
	step := remediate.EmailCodeStep(f.resp)
	if step == "" {
		return nil, elsewhere
	}
	return c.run(ctx, f, remediate.Call{Values: remediate.Values{"verificationCode": cb.OTP.Reveal()}, Step: step})
}
