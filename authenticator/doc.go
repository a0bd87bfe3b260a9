// Package authenticator names the authenticators of Okta Identity Engine
// and knows how a user's answer for each one is sent to the server.
//
// Authenticators are chosen by [Key], the stable identifier Okta gives every
// authenticator type ("okta_email", "phone_number", ...), never by the label
// an org displays, which is localised and editable. This package names
// every key real orgs send; [Input] and [Choice] describe the values a
// step asks for and the choices it offers (an authenticator key, a
// method, ...); [InputName] gives the input name each field of
// an authenticator's answer goes under ("verificationCode",
// "vendorUsername", "duoSignature", ...), [ParseContextualData] reads
// what a step shows the user (QR codes, questions, Duo's prompt),
// [ParseSettings] the rules an org sets (the password's complexity), and
// [DeviceChallenge] is Okta Verify's hand-off to the user's own device
// (FastPass, Chrome Device Trust, Apple's SSO extension).
package authenticator
