package idx

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/remediate"
)

// readWireFixture reads testdata/name, an answer captured from a real org (its
// stateHandle shortened), and returns it parsed with the transaction the
// SDK makes of it.
func readWireFixture(t *testing.T, name string) (*ion.Response, *Transaction) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ion.Parse(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r, pendingTransaction(r, "", "")
}

// wireFixtureBody is the body the SDK sends for opts on answer r, and the
// form it answers; it fails the test when no form is filled.
func wireFixtureBody(t *testing.T, r *ion.Response, opts Options) (string, map[string]any) {
	t.Helper()
	v, err := opts.values(remediate.FlowAuthenticate)
	if err != nil {
		t.Fatal(err)
	}
	s, err := remediate.Next(r, v, remediate.Options{Step: opts.Step})
	if err != nil || s == nil {
		t.Fatalf("no form filled by %v: %v", v, err)
	}
	b, err := json.Marshal(s.Body)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any // as the org reads it
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatal(err)
	}
	return s.Form.Name, body
}

// stepInputNames are the names of a step's inputs, a "*" after a required one.
func stepInputNames(s *NextStep) []string {
	var out []string
	for _, in := range s.Inputs {
		n := in.Name
		if in.Required {
			n += "*"
		}
		out = append(out, n)
	}
	return out
}

// formFilledBy is the name of the form values v fill on answer r, empty
// when they fill none.
func formFilledBy(r *ion.Response, v remediate.Values) (string, error) {
	s, err := remediate.Next(r, v, remediate.Options{})
	if s == nil {
		return "", err
	}
	return s.Form.Name, err
}
