// Package interop holds tests in which clients other than goidx, written
// by Okta for real orgs, sign in on the fake org of package idxtest: the
// Okta Sign-In Widget in headless Chromium (subpackage widget) and
// okta-idx-golang (subpackage idxgolang). If they get through, the fake
// org speaks the protocol as those clients expect it.
//
// It is a module of its own so that their dependencies (chromedp,
// okta-idx-golang and what it needs) stay out of the SDK's go.mod; the
// repository's go.work joins it to the others.
package interop
