package idx_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goidx/goidx/idx"
)

// TestChangelogVersion: CHANGELOG.md's topmost section is the version
// the SDK reports (Version, sent in the User-Agent), so a release bumps
// both or neither.
func TestChangelogVersion(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	var sections []string
	for l := range strings.SplitSeq(string(b), "\n") {
		if h, ok := strings.CutPrefix(l, "## "); ok {
			sections = append(sections, h)
		}
	}
	if len(sections) == 0 {
		t.Fatal("CHANGELOG.md has no version section (## heading)")
	}
	if v, _, _ := strings.Cut(sections[0], " "); v != idx.Version {
		t.Errorf("CHANGELOG.md's topmost section is %q; want one for idx.Version %s, such as %q",
			sections[0], idx.Version, "## "+idx.Version+" (unreleased)")
	}
	seen := map[string]bool{}
	for _, h := range sections {
		v, _, _ := strings.Cut(h, " ")
		if seen[v] {
			t.Errorf("CHANGELOG.md has two sections for %s", v)
		}
		seen[v] = true
	}
}
