// Package idxapi makes the IDX API's HTTP call, as package oauth makes the
// OAuth endpoints' calls: it encodes a form's body, posts it through the
// SDK's [transport.Client] (origin pinning, body limits, retry classes)
// and reads the answer with package ion. Any answer that is an IDX
// document is returned whatever its HTTP status (a wrong code is a 4xx
// with the form again); an Okta API error answer is an [*APIError].
//
// Errors are [*Error]s naming the endpoint, for the public layer to
// present under its own prefix; this package adds no prefix of its own.
// Values of the request never appear in errors or logs: only endpoint
// names, statuses, member paths and remediation names do.
package idxapi
