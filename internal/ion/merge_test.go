package ion_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/ion"
)

// TestRepeatedObjectFields reads profile-update as a real org sends it,
// with userProfile once per attribute: one userProfile field holding the
// three attributes, and a body with all of them. A repeated field that is
// not an object stays apart, the first counting.
func TestRepeatedObjectFields(t *testing.T) {
	r := parseFixture(t, "profile-update.json")
	f := r.Remediation("profile-update")
	if f == nil {
		t.Fatal("no profile-update")
	}
	var names []string
	for _, fd := range f.Fields {
		names = append(names, fd.Name)
	}
	if diff := cmp.Diff([]string{"userProfile", "stateHandle"}, names); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	up := f.Field("userProfile")
	var subs []string
	for _, sub := range up.Form {
		subs = append(subs, sub.Name)
	}
	if diff := cmp.Diff([]string{"newAttribute", "secondEmail", "newAttribute2"}, subs); diff != "" {
		t.Errorf("userProfile fields (-want +got):\n%s", diff)
	}
	if !up.Field("newAttribute2").Required || up.Field("secondEmail").Required {
		t.Error("the attributes' required flags are not kept")
	}
	body, err := f.Body(map[string]any{"userProfile": map[string]any{"newAttribute2": "b", "secondEmail": "s@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"newAttribute2": "b", "secondEmail": "s@example.com"}, body["userProfile"]); diff != "" {
		t.Errorf("userProfile sent (-want +got):\n%s", diff)
	}
	if _, err := f.Body(map[string]any{"userProfile": map[string]any{"secondEmail": "s@example.com"}}); err == nil {
		t.Error("Body without the required newAttribute2: no error")
	}

	doc := `{"stateHandle":"h","remediation":{"value":[{"name":"f","href":"https://x/f","value":[
		{"name":"a","value":"first"},{"name":"a","value":"second"},
		{"name":"o","form":{"value":[{"name":"x"}]}},{"name":"o","value":"scalar"}]}]}}`
	r, err = ion.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	f = r.Remediation("f")
	if len(f.Fields) != 4 {
		t.Fatalf("%d fields, want the 4 that are not two objects", len(f.Fields))
	}
	var first string
	if err := json.Unmarshal(f.Field("a").Value, &first); err != nil || first != "first" {
		t.Errorf("Field(a) = %q, want the first", first)
	}
}
