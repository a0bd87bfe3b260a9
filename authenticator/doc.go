// Package authenticator names the authenticators of Okta Identity Engine
// and knows how a user's answer for each one is sent to the server.
//
// Authenticators are chosen by [Key], the stable identifier Okta gives every
// authenticator type ("okta_email", "phone_number", ...), never by the label
// an org displays, which is localised and editable.
package authenticator
