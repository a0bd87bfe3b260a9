// Package cookiestore is an [idx.TransactionStore] that keeps nothing on
// the server: each in-flight transaction travels in one sealed cookie of
// the user's browser, so any instance of an app behind a load balancer can
// continue a sign-in that another started, with no shared store.
//
// # Wiring
//
// The store reads the cookie from the request and sets it on the response,
// so each HTTP request must be bound to the context the idx.Client gets,
// with [Store.Bind] or the [Store.Handler] middleware:
//
//	store, err := cookiestore.New(cookiestore.Keys{Current: cookiestore.Key{ID: "2025-06", Secret: secret}})
//	client, err := idx.NewClient(cfg, idx.WithTransactionStore(store))
//	http.Handle("/login", store.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//		tx, err := client.Authenticate(r.Context(), idx.Options{State: r.FormValue("state"), ...})
//		// ... render the next step
//	})))
//
// Call the client before writing the response: the store sets its cookie
// in the response header, which is sent with the first write.
//
// # The cookie
//
// The cookie is named "__Host-goidx-tx" by default, with HttpOnly, Secure,
// SameSite=Lax, Path=/ and a Max-Age that ends at the transaction's
// ExpiresAt. [WithInsecureLocalhost] allows a plain-http cookie (named
// without "__Host-") for requests to a loopback host without TLS, for
// development. The value is a JWE in compact form: "dir" key management,
// A256GCM content encryption, the key's ID in the "kid" header. Its
// plaintext is a format byte and a DEFLATE stream (compressed by this
// package, not with the JWE "zip" header, and inflated with a hard size
// cap) holding the transaction's fields, its State, its expiry and its
// version.
//
// Load checks, in order: a cookie is present (else an error matching
// idx.ErrTransactionNotFound); its header is exactly alg "dir", enc
// "A256GCM", a kid and typ, and nothing else (else [ErrTampered]); the kid
// names a current or previous key (else [ErrUnknownKey]); the tag verifies
// and the plaintext decodes (else [ErrTampered]); the sealed State is the
// one asked for (else [ErrStateMismatch]); the transaction has not expired
// (else an error matching idx.ErrTransactionExpired). ErrTampered,
// ErrUnknownKey and ErrStateMismatch all match idx.ErrTransactionNotFound
// too: a changed, foreign or stale cookie is a sign-in that is gone, and
// the Client reports it so (an app starts again, as after an expiry).
// errors.Is with the package's own errors tells them apart.
//
// # Keys and rotation
//
// Keys are 32 random bytes with an ID. Cookies are sealed with
// Keys.Current and opened with it or any of Keys.Previous, so a rotation
// is: add the new key as Current, move the old one to Previous, and drop
// it from Previous once the longest transaction lifetime (minutes) has
// passed. Each key is expanded with HKDF-SHA256 for this use, so the same
// secret used elsewhere yields an unrelated key.
//
// # Size
//
// A cookie holds at most 4096 bytes, name and attributes included
// (RFC 6265 section 6.1); the store keeps the whole Set-Cookie value
// within that, or less with [WithMaxCookieSize]. The secrets of a
// transaction (State, PKCE verifier, OAuth state, nonce, interaction
// handle) take about 600 bytes of Set-Cookie. The saved Response, the
// last raw IDX answer, is the large part: 1 to 25 KB of JSON that DEFLATE
// shrinks three to five times, except for the stateHandle in it, which
// some orgs send as 1 to 2 KB of incompressible data.
//
// When the cookie with the Response would not fit, the store seals the
// transaction without it, and the client's next call introspects the
// transaction with the interaction handle: one more request to the org,
// nothing else changes. Measured on recorded Okta answers, the Response
// fits for the identify, password, email and code-challenge steps (up to
// 3.8 KB of Set-Cookie) and is dropped for select-authenticator steps
// listing many authenticators and for phone and WebAuthn challenges
// (answers of 7 to 14 KB with a 2 KB stateHandle).
//
// # Compare-and-set
//
// Save compares SavedTransaction.Version with the version sealed in the
// cookie the request brought (or that an earlier Save of the same request
// set), as [idx.TransactionStore] asks. That catches a stale save within a
// request, and a save over a transaction the cookie already holds. It
// cannot catch two requests that the browser sent at once with the same
// cookie: with no server-side state, both see the same version and the
// browser keeps the last cookie set. A replayed older cookie is equally
// accepted until it expires. The org, which holds the transaction, stays
// the authority: a stale answer is refused there.
//
// One browser holds one transaction: starting a sign-in replaces the
// cookie of the previous one, whose State then loads as
// [ErrStateMismatch].
package cookiestore
