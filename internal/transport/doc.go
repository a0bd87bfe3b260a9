// Package transport is the HTTP layer shared by the IDX and OAuth code of
// goidx.
//
// A [Client] sends one logical [Request] and returns one [Response]. Behind
// that call it applies the SDK's outbound-HTTP rules:
//
//   - Origin pinning: when [Options.Origins] is set, a request whose URL is not
//     on one of the listed origins fails with [ErrForeignOrigin] before any
//     byte leaves the process. Redirects are never followed.
//   - Bounded reads: response bodies larger than [Options.MaxBodyBytes] fail
//     with [ErrBodyTooLarge]; only JSON (application/json,
//     application/ion+json, application/*+json) or empty bodies are returned.
//   - A retry policy chosen per request by its [Class]. Read-only requests are
//     retried after network failures, 429 and 502–504 answers. Requests that
//     change server state (an IDX answer, a resend, a token exchange) are
//     retried only when they certainly never reached the server; when the
//     outcome is unknown the call fails with [ErrOutcomeUnknown] so that the
//     caller can learn the state some other way (for IDX, by introspecting).
//   - Okta rate limits: a 429 is waited out using X-Rate-Limit-Reset measured
//     against the server's Date header (or Retry-After), within
//     [Options.MaxRateLimitWait] and the context deadline, else the call
//     fails with a [*RateLimitError]. Retries carry X-Okta-Retry-For and
//     X-Okta-Retry-Count.
//
// Retries are built on github.com/hashicorp/go-retryablehttp with this
// package's own retry check, backoff and error handling.
//
// Nothing secret is logged or put into an error: log lines (slog, Debug
// level) carry only the method, the URL path, the status, the attempt number
// and the duration; errors name the method and path, never the query, the
// request body or the response body.
//
// A Client is safe for concurrent use by multiple goroutines.
package transport
