package idx

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestProfileUpdateFixture reads profile-update as real orgs send it,
// userProfile once per attribute, fills it in with Options.Profile and
// skips it.
func TestProfileUpdateFixture(t *testing.T) {
	for _, tc := range []struct {
		file    string
		inputs  []string
		canSkip bool
	}{
		{"enroll-profile-update-params.json", []string{"newAttribute", "secondEmail", "newAttribute2*"}, false},
		{"enroll-profile-update-all-optional-params.json", []string{"newAttribute", "secondEmail", "newAttribute2"}, true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r, tx := readWireFixture(t, tc.file)
			ns := tx.NextStep
			if ns == nil || ns.Name != "profile-update" {
				t.Fatalf("NextStep = %+v, want profile-update", ns)
			}
			if diff := cmp.Diff(tc.inputs, stepInputNames(ns)); diff != "" {
				t.Errorf("inputs (-want +got):\n%s", diff)
			}
			if ns.CanSkip != tc.canSkip {
				t.Errorf("CanSkip = %v, want %v", ns.CanSkip, tc.canSkip)
			}
			profile := map[string]any{"newAttribute2": "b", "secondEmail": "second@example.com"}
			name, body := wireFixtureBody(t, r, Options{Profile: profile})
			if name != "profile-update" {
				t.Errorf("answered %s, want profile-update", name)
			}
			if diff := cmp.Diff(map[string]any{"newAttribute2": "b", "secondEmail": "second@example.com"}, body["userProfile"]); diff != "" {
				t.Errorf("userProfile sent (-want +got):\n%s", diff)
			}
			if name, _ := wireFixtureBody(t, r, Options{Step: "skip"}); name != "skip" {
				t.Errorf("Step skip answered %s", name)
			}
		})
	}
}
