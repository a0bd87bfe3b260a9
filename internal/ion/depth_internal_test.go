package ion

import (
	"errors"
	"testing"
)

// TestMaxDepth pins the nesting limit: maxDepth levels of sub-forms parse,
// one more is malformed, for object forms and option forms alike.
func TestMaxDepth(t *testing.T) {
	t.Parallel()
	fieldForms := func(depth int) string {
		s := `{"name":"leaf"}`
		for range depth {
			s = `{"name":"n","form":{"value":[` + s + `]}}`
		}
		return s
	}
	optionForms := func(depth int) string {
		s := `{"name":"leaf"}`
		for range depth {
			s = `{"name":"n","options":[{"value":{"form":{"value":[` + s + `]}}}]}`
		}
		return s
	}
	for _, tt := range []struct {
		name    string
		field   string
		wantErr bool
	}{
		{"object forms at the limit", fieldForms(maxDepth), false},
		{"object forms past the limit", fieldForms(maxDepth + 1), true},
		{"option forms at the limit", optionForms(maxDepth), false},
		{"option forms past the limit", optionForms(maxDepth + 1), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(`{"remediation":{"value":[{"name":"f","value":[` + tt.field + `]}]}}`))
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
		})
	}
}
