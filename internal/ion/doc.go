// Package ion is the wire model of Okta's Identity Engine (IDX) API.
//
// IDX answers every request with an Ion document: a stateHandle, an expiry,
// a list of remediation forms (the steps the server will accept next, each
// with its own href and fields), actions outside that list (cancel, resend,
// poll, recover), authenticator objects that forms point at through
// JSONPath-like relatesTo references, and messages. [Parse] turns such a
// document into a [Response]; [Form.Body] builds a request body from a
// form's defaults, caller values and the form's immutable fields.
//
// The package knows the shape of the protocol, not the meaning of any
// particular remediation: that lives in the remediation engine.
package ion
