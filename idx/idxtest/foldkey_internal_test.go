package idxtest

import (
	"strings"
	"testing"
)

// foldKey(a) == foldKey(b) must hold exactly when strings.EqualFold(a, b)
// does, so that LastCode finds what scanning the outbox with EqualFold
// found.
func TestFoldKeyIsEqualFold(t *testing.T) {
	t.Parallel()
	words := []string{"", "demo@example.com", "DEMO@Example.COM", "dEmO@example.com", "demo@example.co",
		"k", "K", "\u212a", "s", "S", "\u017f", "ß", "ẞ", "\xff", "\xfe", "\ufffd", "é", "É", "σ", "Σ", "ς",
		"user00001@example.com", "USER00001@EXAMPLE.COM"}
	for _, a := range words {
		for _, b := range words {
			if got, want := foldKey(a) == foldKey(b), strings.EqualFold(a, b); got != want {
				t.Errorf("foldKey(%q) == foldKey(%q) is %v; EqualFold says %v", a, b, got, want)
			}
		}
	}
}

func FuzzFoldKey(f *testing.F) {
	f.Add("demo@example.com", "DEMO@EXAMPLE.COM")
	f.Add("\u212a", "k")
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := foldKey(a) == foldKey(b), strings.EqualFold(a, b); got != want {
			t.Errorf("foldKey(%q) == foldKey(%q) is %v; EqualFold says %v", a, b, got, want)
		}
		if !strings.EqualFold(a, strings.ToUpper(a)) || foldKey(a) != foldKey(strings.ToUpper(a)) {
			if strings.EqualFold(a, strings.ToUpper(a)) {
				t.Errorf("foldKey(%q) != foldKey(ToUpper)", a)
			}
		}
	})
}
