package idx

import (
	"crypto"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config is an org's and an app's configuration.
type Config struct {
	// Issuer is the authorization server, e.g.
	// "https://example.okta.com/oauth2/default" (a custom server) or
	// "https://example.okta.com" (the org server). It must be https; see
	// [WithInsecureLoopbackHTTP] for tests.
	Issuer string
	// ClientID is the app's client ID.
	ClientID string
	// ClientSecret is set for confidential apps that authenticate with a
	// secret and left empty for public ones, which send only their
	// client_id and rely on PKCE alone. It goes in an HTTP Basic
	// Authorization header (client_secret_basic, RFC 6749 section 2.3.1,
	// Okta's default).
	ClientSecret string
	// ClientSecretPost sends ClientSecret in the request body instead
	// (client_secret_post), for an app set up so in Okta.
	ClientSecretPost bool
	// PrivateKey makes a confidential app authenticate with
	// private_key_jwt (RFC 7523): for every request it signs a short-lived
	// JWT (iss and sub the client ID, aud the endpoint's URL, a random
	// jti, exp five minutes after iat); no secret is shared with the org,
	// and RFC 9700 prefers it. It is an RSA key of at least 2048 bits
	// (signing RS256) or an ECDSA P-256 key (ES256); any crypto.Signer
	// with such a public key works, so the key may stay in an HSM or KMS.
	// Leave ClientSecret empty with it.
	PrivateKey crypto.Signer
	// PrivateKeyID is the key ID (kid) under which the public key is
	// registered with the app; optional.
	PrivateKeyID string
	// RedirectURI is the app's sign-in redirect URI, registered with the app.
	RedirectURI string
	// Scopes are the scopes to ask for; nil means openid, profile and
	// email. A refresh token (for [Client.Refresh] and [TokenSource])
	// needs offline_access among them, and the app needs the Refresh Token
	// grant (enabled on the app in Okta, next to Interaction Code, and
	// allowed by the authorization server's access policy); without them
	// Tokens.RefreshToken is empty.
	Scopes []string
}

// authMethod names how the app authenticates, in OAuth's terms.
func (c *Config) authMethod() string {
	switch {
	case c.PrivateKey != nil:
		return "private_key_jwt"
	case c.ClientSecret == "":
		return "none"
	case c.ClientSecretPost:
		return "client_secret_post"
	}
	return "client_secret_basic"
}

// ClientOption configures a Client beyond its Config.
type ClientOption func(*options)

type options struct {
	httpClient   *http.Client
	logger       *slog.Logger
	txStore      TransactionStore
	tokenStore   TokenStore
	now          func() time.Time
	insecureHTTP bool
	userAgent    string
	retryMax     int
	maxRateWait  time.Duration
	rateWaitSet  bool
}

// WithHTTPClient makes the Client send its requests through c (proxies,
// tracing, custom TLS). The client is copied, never changed; redirects are
// never followed whatever c says.
func WithHTTPClient(c *http.Client) ClientOption { return func(o *options) { o.httpClient = c } }

// WithLogger sends the Client's logs to l. Without it the Client logs
// nothing. Logs name steps, statuses and endpoints, never secrets. Most
// records are Debug; a wait for a rate limit to reset is a Warn record
// (method, path, wait, limit and remaining requests).
func WithLogger(l *slog.Logger) ClientOption { return func(o *options) { o.logger = l } }

// WithTransactionStore keeps in-flight transactions in s instead of the
// default [MemoryTransactionStore].
func WithTransactionStore(s TransactionStore) ClientOption { return func(o *options) { o.txStore = s } }

// WithTokenStore keeps tokens in s instead of the default
// [MemoryTokenStore].
func WithTokenStore(s TokenStore) ClientOption { return func(o *options) { o.tokenStore = s } }

// WithClock makes the Client read the time from now (token and transaction
// expiry). For tests.
func WithClock(now func() time.Time) ClientOption { return func(o *options) { o.now = now } }

// WithInsecureLoopbackHTTP lets the issuer be plain http when its host is a
// loopback address (127.0.0.0/8, ::1, localhost), as a fake org in tests
// is. It MUST NOT be used against a real org. Other http issuers are still
// refused.
func WithInsecureLoopbackHTTP() ClientOption { return func(o *options) { o.insecureHTTP = true } }

// WithUserAgent sets the User-Agent sent on every request.
func WithUserAgent(ua string) ClientOption { return func(o *options) { o.userAgent = ua } }

// WithMaxRetries bounds the retries of a request (default 3).
func WithMaxRetries(n int) ClientOption { return func(o *options) { o.retryMax = n } }

// WithMaxRateLimitWait bounds how long the Client waits for a rate limit
// to reset before it sends a request again (default 30 seconds). When the
// org answers 429 with a reset further away, or past the context's
// deadline, the call fails at once with a [*RateLimitError] instead. A d
// of zero or less means never wait: every 429 fails the call. Each wait
// is logged at Warn level.
func WithMaxRateLimitWait(d time.Duration) ClientOption {
	return func(o *options) { o.maxRateWait, o.rateWaitSet = d, true }
}

// validateIssuer checks the issuer URL and returns it without a trailing
// slash.
func validateIssuer(raw string, insecure bool) (*url.URL, error) {
	if raw == "" {
		return nil, &InputError{Field: "Config.Issuer", Reason: "empty"}
	}
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, &InputError{Field: "Config.Issuer", Reason: "not an absolute URL without query or credentials"}
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !insecure {
			return nil, &InputError{Field: "Config.Issuer", Reason: "must be https (plain http only with WithInsecureLoopbackHTTP, on loopback)"}
		}
		if !isLoopback(u.Hostname()) {
			return nil, &InputError{Field: "Config.Issuer", Reason: "plain http is allowed only on a loopback host"}
		}
	default:
		return nil, &InputError{Field: "Config.Issuer", Reason: "scheme must be https"}
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
