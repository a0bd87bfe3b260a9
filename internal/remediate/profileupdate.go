package remediate

import (
	"slices"

	"github.com/goidx/goidx/internal/ion"
)

// ProfileUpdateStep is the remediation that asks a user being signed in
// for profile attributes the org wants and lacks (progressive
// profiling): userProfile fields, answered as enroll-profile's are.
const ProfileUpdateStep = "profile-update"

// skippable reports whether the skip an answer offers applies to form f,
// whose inputs are given. Okta lists skip beside profile-update whether
// or not an attribute is required; a required attribute cannot be left
// out, as the Sign-In Widget reads it, so that step is skippable only
// when every input is optional. Every other step the skip serves is.
func skippable(f *ion.Form, inputs []Input) bool {
	if f.Name != ProfileUpdateStep {
		return true
	}
	return !slices.ContainsFunc(inputs, func(in Input) bool { return in.Required })
}
