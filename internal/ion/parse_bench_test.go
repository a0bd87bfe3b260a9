package ion_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/goidx/goidx/internal/ion"
)

// benchFixtures are the largest realistic IDX answers of the testdata,
// captured from Okta's published shapes: the authenticator choice with
// several enrollments, the email challenge with and without a refused
// code, the verification-data step and identify.
var benchFixtures = []string{
	"select-authenticator-authenticate.json",
	"challenge-authenticator-email-invalid-passcode.json",
	"challenge-authenticator-email.json",
	"authenticator-verification-data-email.json",
	"identify-with-password.json",
}

// BenchmarkParse parses each fixture; MB/s is of the raw document.
func BenchmarkParse(b *testing.B) {
	for _, name := range benchFixtures {
		doc := readFixture(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := ion.Parse(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseCorpus parses every IDX answer of the folder named by
// OKTA_WIRE_CORPUS (the captures of real orgs); one operation is one pass
// over all of them, refused documents included (refused reports how
// many Parse refused).
func BenchmarkParseCorpus(b *testing.B) {
	dir := os.Getenv("OKTA_WIRE_CORPUS")
	if dir == "" {
		b.Skip("OKTA_WIRE_CORPUS is not set: no captured answers to parse")
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(names) == 0 {
		b.Fatalf("no *.json in OKTA_WIRE_CORPUS=%s (%v)", dir, err)
	}
	var docs [][]byte
	size := 0
	for _, name := range names {
		doc, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, doc)
		size += len(doc)
	}
	b.ReportAllocs()
	b.SetBytes(int64(size))
	refused := 0
	for b.Loop() {
		refused = 0
		for _, doc := range docs {
			if _, err := ion.Parse(doc); err != nil {
				refused++
			}
		}
	}
	b.ReportMetric(float64(refused), "refused")
	b.ReportMetric(float64(len(docs)), "docs")
}

// BenchmarkBody builds and encodes the request bodies of the seed flow's
// steps from parsed answers, as the client does before each request.
func BenchmarkBody(b *testing.B) {
	for _, tc := range []struct {
		fixture, form string
		values        map[string]any
	}{
		{"identify-with-password.json", "identify", map[string]any{
			"identifier": "demo@example.com", "credentials": map[string]any{"passcode": "Demo-Passw0rd!"},
		}},
		{"challenge-authenticator-email.json", "challenge-authenticator", map[string]any{
			"credentials": map[string]any{"passcode": "123456"},
		}},
	} {
		f := parseFixture(b, tc.fixture).Remediation(tc.form)
		if f == nil {
			b.Fatalf("%s has no %s", tc.fixture, tc.form)
		}
		b.Run(tc.form, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				body, err := f.Body(tc.values)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := json.Marshal(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
