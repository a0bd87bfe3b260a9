package idxtest

import (
	"net/http"
	"testing"
)

// journeyProfileUpdate reaches profile-update with a required attribute
// and with optional ones only.
func journeyProfileUpdate(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Factors = 1
	p.ProfileUpdate = []ProfileAttribute{
		{Name: "newAttribute", Label: "Some custom attribute"},
		{Name: "secondEmail", Label: "Secondary email"},
		{Name: "newAttribute2", Label: "Some custom attribute 2", Required: true},
	}
	j := newJourney(t, run, WithPolicy(p))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("profile-update")

	p.ProfileUpdate[2].Required = false
	k := newJourney(t, run, WithPolicy(p))
	k.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("profile-update/optional")
}
