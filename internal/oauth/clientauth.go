package oauth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
)

// AuthMethod is a client authentication method (RFC 6749 §2.3).
type AuthMethod int

const (
	// AuthNone is for public clients: client_id in the form only.
	AuthNone AuthMethod = iota
	// AuthClientSecretBasic sends the credentials in an HTTP Basic
	// Authorization header (Okta's default for confidential clients).
	AuthClientSecretBasic
	// AuthClientSecretPost sends client_id and client_secret in the form
	// body.
	AuthClientSecretPost
)

// String returns the registered name of the method.
func (m AuthMethod) String() string {
	switch m {
	case AuthNone:
		return "none"
	case AuthClientSecretBasic:
		return "client_secret_basic"
	case AuthClientSecretPost:
		return "client_secret_post"
	default:
		return fmt.Sprintf("AuthMethod(%d)", int(m))
	}
}

// ClientAuth holds a client's identity and credentials. Its fmt and slog
// forms redact the secret.
type ClientAuth struct {
	// Method selects how the client authenticates.
	Method AuthMethod
	// ClientID is the OAuth client ID.
	ClientID string
	// ClientSecret is the client secret; empty for [AuthNone].
	ClientSecret string
}

// Apply adds the client authentication to a token-style request: the form
// body and, for [AuthClientSecretBasic], the Authorization header. form must
// be non-nil, and h too for basic authentication. Every method puts
// client_id in the form (Okta accepts it alongside Basic authentication);
// only [AuthClientSecretPost] puts client_secret there, and a client_secret
// already in form is removed otherwise. For Basic, the ID and secret are
// form-URL-encoded before base64 (RFC 6749 §2.3.1).
func (a ClientAuth) Apply(form url.Values, h http.Header) {
	form.Del("client_secret")
	form.Set("client_id", a.ClientID)
	switch a.Method {
	case AuthClientSecretBasic:
		cred := url.QueryEscape(a.ClientID) + ":" + url.QueryEscape(a.ClientSecret)
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	case AuthClientSecretPost:
		form.Set("client_secret", a.ClientSecret)
	}
}

// validate reports whether a can be used.
func (a ClientAuth) validate() error {
	if a.ClientID == "" {
		return errors.New("oauth: client ID is empty")
	}
	switch a.Method {
	case AuthNone:
		if a.ClientSecret != "" {
			return errors.New("oauth: a client secret is set but the auth method is none")
		}
	case AuthClientSecretBasic, AuthClientSecretPost:
		if a.ClientSecret == "" {
			return fmt.Errorf("oauth: auth method %s needs a client secret", a.Method)
		}
	default:
		return fmt.Errorf("oauth: unknown auth method %d", int(a.Method))
	}
	return nil
}

func (a ClientAuth) redactedSecret() string {
	if a.ClientSecret == "" {
		return "<none>"
	}
	return "<redacted>"
}

// String returns a description of a with the secret redacted.
func (a ClientAuth) String() string {
	return fmt.Sprintf("oauth.ClientAuth{Method: %s, ClientID: %q, ClientSecret: %s}", a.Method, a.ClientID, a.redactedSecret())
}

// GoString is like String, so that %#v redacts the secret too.
func (a ClientAuth) GoString() string { return a.String() }

// LogValue implements slog.LogValuer with the secret redacted.
func (a ClientAuth) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("method", a.Method.String()),
		slog.String("client_id", a.ClientID),
		slog.String("client_secret", a.redactedSecret()),
	)
}
