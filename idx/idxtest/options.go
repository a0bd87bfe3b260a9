package idxtest

import (
	"crypto"
	"crypto/rsa"
	"log/slog"
	"time"
)

const (
	defaultTransactionLifetime = 10 * time.Minute
	defaultCodeLifetime        = 5 * time.Minute
)

// config is what the options set. It is copied into the Server at
// construction and never changed afterwards.
type config struct {
	users                 []User
	apps                  []App
	now                   func() time.Time
	transactionLifetime   time.Duration
	codeLifetime          time.Duration
	emailVerificationData bool
	logger                *slog.Logger
	emailHook             func(Email)
	signingKey            *rsa.PrivateKey
	ownSigningKey         bool            // see WithNewSigningKey
	trustedOrigins        map[string]bool // normalized; see WithTrustedOrigins (cors.go)
	controlAPI            bool            // see WithControlAPI (control.go)
	idx                   idxConfig       // the IDX options, see policy.go
	recordRequests        bool            // see WithRequestRecording (faults.go)
	// jwtClients are the private_key_jwt apps; see WithPrivateKeyJWTApp.
	jwtClients *jwtClients
}

func defaultConfig() config {
	return config{
		now:                   time.Now,
		transactionLifetime:   defaultTransactionLifetime,
		codeLifetime:          defaultCodeLifetime,
		emailVerificationData: true,
		logger:                slog.New(slog.DiscardHandler),
	}
}

// Option configures a Server at construction. Options are applied in order.
type Option func(*config)

// WithUser registers a user in addition to the demo user. A user whose
// username equals that of an earlier one (the demo user included, compared
// without regard to case) replaces it. An invalid user makes the
// constructor panic; see [Server.AddUser] for the rules.
func WithUser(u User) Option {
	return func(c *config) { c.users = append(c.users, u) }
}

// WithApp registers an OIDC app in addition to the two default ones. An app
// with the client ID of an earlier one replaces it. An invalid app makes the
// constructor panic; see [Server.AddApp] for the rules.
func WithApp(a App) Option {
	a.RedirectURIs = append([]string(nil), a.RedirectURIs...)
	return func(c *config) { c.apps = append(c.apps, a) }
}

// WithClock sets the clock used for every expiry check (transactions, email
// codes, interaction codes, tokens) and for token timestamps. It must be
// safe for concurrent use. A nil now keeps [time.Now].
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithTransactionLifetime sets how long an IDX transaction (a stateHandle)
// lives from its creation; it is the expiresAt of every response. The
// default is 10 minutes. A non-positive d makes the constructor panic.
func WithTransactionLifetime(d time.Duration) Option {
	return func(c *config) { c.transactionLifetime = d }
}

// WithCodeLifetime sets how long an emailed one-time code stays valid. The
// default is 5 minutes, Okta's default. A non-positive d makes the
// constructor panic.
func WithCodeLifetime(d time.Duration) Option {
	return func(c *config) { c.codeLifetime = d }
}

// WithEmailVerificationData chooses what selecting the email authenticator
// answers. With true (the default) the server answers with the
// authenticator-verification-data remediation (methodType options
// [email]), as real Okta orgs do, and sends the email only once that form is
// submitted. With false it sends the email at once and answers with
// challenge-authenticator.
func WithEmailVerificationData(enabled bool) Option {
	return func(c *config) { c.emailVerificationData = enabled }
}

// WithLogger sets a logger for one line per request (method, path, status)
// and for notable events. The server never logs passwords, codes, tokens,
// handles or request bodies. The default discards everything; a nil logger
// keeps that default.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithEmailHook sets a function called once for every message the server
// sends (emails, and texts and calls: see [Email.Channel]), after the
// message is in the outbox. It runs on the goroutine serving
// the request that caused the email, outside the server's locks, so it may
// call the Server's methods, and before the HTTP response is written, so a
// client that has read the response knows the hook has run. It is meant for
// printing codes (examples/fakeokta does) or for signalling a test. It must
// not call Close, which would wait for the request running the hook.
func WithEmailHook(hook func(Email)) Option {
	return func(c *config) { c.emailHook = hook }
}

// WithSigningKey makes the server sign tokens with key (RSA, 2048 bits or
// more). Without it a server signs with a key generated once per process
// and shared by every server that was given no key (generating an RSA key
// takes from a tenth of a second to over a second; see
// [WithNewSigningKey] for a key of the server's own). Each server
// publishes its key under a key ID of its own. A nil or short key makes
// the constructor panic.
func WithSigningKey(key *rsa.PrivateKey) Option {
	return func(c *config) {
		if key == nil || key.N.BitLen() < 2048 {
			panic("idxtest: WithSigningKey needs an RSA key of at least 2048 bits")
		}
		c.signingKey = key
	}
}

// WithNewSigningKey makes the server generate a signing key of its own
// instead of signing with the key the process's servers share: for a test
// that needs two orgs whose signatures differ, such as one that checks
// that a token of one org does not verify with another's keys. It costs
// the key's generation, a tenth of a second or more. [WithSigningKey]
// takes precedence. ([Server.RotateSigningKey] with a nil key also
// generates a new key, for that server alone.)
func WithNewSigningKey() Option {
	return func(c *config) { c.ownSigningKey = true }
}

// WithRequestRecording makes the server keep every request to its
// endpoints (method, path, query, headers and body) for [Server.Requests],
// so that a test can check what the code under test sent: the headers of
// each call, that no secret went into a URL query. Bodies hold passwords,
// codes and secrets, and memory grows with every request, so it is off by
// default.
func WithRequestRecording() Option {
	return func(c *config) { c.recordRequests = true }
}

// WithPrivateKeyJWTApp registers app a (without a ClientSecret) as a
// confidential client that authenticates with private_key_jwt (RFC 7523)
// using the private key of key, an *rsa.PublicKey (RS256, 2048 bits or
// more) or a P-256 *ecdsa.PublicKey (ES256). The token, revoke and
// introspect endpoints then require a client assertion from it, and
// interact checks one when sent. An assertion is refused (invalid_client)
// unless its signature verifies with key, iss and sub are the client ID,
// aud is exactly the URL of the endpoint it is sent to, exp is present,
// not past and at most an hour ahead, and its jti was never used before.
// An invalid app or key makes the constructor panic.
func WithPrivateKeyJWTApp(a App, key crypto.PublicKey) Option {
	a.RedirectURIs = append([]string(nil), a.RedirectURIs...)
	return func(c *config) {
		if a.ClientSecret != "" {
			panic("idxtest: a private_key_jwt app has no client secret")
		}
		if !assertionKeyOK(key) {
			panic("idxtest: WithPrivateKeyJWTApp needs an RSA key of at least 2048 bits or a P-256 ECDSA key")
		}
		if c.jwtClients == nil {
			c.jwtClients = &jwtClients{keys: map[string]crypto.PublicKey{}, seen: map[string]time.Time{}}
		}
		c.jwtClients.keys[a.ClientID] = key
		c.apps = append(c.apps, a)
	}
}
