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
// Parse decodes with encoding/json into wire types (wire.go) and reads
// liberally, as real orgs send more than the protocol promises: a member
// the SDK does not need in order to act that cannot be read (a placeholder
// date, a flag written as a string, a zero-width space where an
// authenticator object belongs) is left out and reported as a [Note]; a
// member it needs that cannot be used (a form without a name, a field list
// that is not a list) fails the document with a [*MemberError] naming the
// member's JSON path. Struct tags decide which is which: reading a new
// member is one field on a wire type and one line where Parse converts it.
//
// The package knows the shape of the protocol, not the meaning of any
// particular remediation: that lives in the remediation engine.
package ion
