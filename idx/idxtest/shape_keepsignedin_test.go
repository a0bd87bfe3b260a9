package idxtest

import (
	"net/http"
	"testing"
)

// journeyKeepMeSignedIn reaches the keep-me-signed-in question after
// authentication.
func journeyKeepMeSignedIn(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Factors, p.KeepMeSignedIn = 1, true
	j := newJourney(t, run, WithPolicy(p))
	j.start(nil).identify(DemoUsername, DemoPassword).want(http.StatusOK).capture("keep-me-signed-in")
}

// journeyRememberMeChecked is identify with rememberMe checked by
// default, on an identifier-first org with registration, as
// captured.
func journeyRememberMeChecked(t *testing.T, run *shapeRun) {
	p := DefaultPolicy()
	p.Factors, p.KeepMeSignedIn, p.RememberMeChecked, p.IdentifierFirst, p.Registration = 1, true, true, true, true
	j := newJourney(t, run, WithPolicy(p))
	j.start(nil).capture("identify/remember-me-checked")
}
