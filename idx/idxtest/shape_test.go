package idxtest

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// This file compares the shape of two IDX answers: the fake org's and the
// answer a real org sent in the same state (TestShapes, in
// shape_states_test.go, pairs them). A shape is the set of JSON paths of a
// document, each with the JSON type of its value. Values are left out,
// since ids, handles, hosts, codes and times differ from org to org, but
// some values are the shape itself and are kept: the flags of a field
// (required, visible, mutable, secret), the targets of relatesTo, and the
// names that key array elements (form and field names, authenticator
// keys, message keys and classes).

// shape maps each normalized JSON path of a document to its kind: "object",
// "array", "string", "number", "bool", "null", or for kept values
// "bool=true", "ref=$.authenticators[okta_email]" and the like.
type shape map[string]string

// shapeOf returns the shape of a decoded JSON document.
func shapeOf(doc any) shape {
	s := shape{}
	s.walk(doc, doc, "$")
	return s
}

// flagKeys are the field properties whose boolean values are shape.
var flagKeys = map[string]bool{"required": true, "visible": true, "mutable": true, "secret": true}

func (s shape) walk(root, v any, p string) {
	switch v := v.(type) {
	case map[string]any:
		s[p] = "object"
		for k, x := range v {
			kp := p + "." + k
			if b, ok := x.(bool); ok && flagKeys[k] {
				s[kp] = "bool=" + strconv.FormatBool(b)
				continue
			}
			if k == "relatesTo" {
				switch r := x.(type) {
				case string:
					s[kp] = "ref=" + resolveRef(root, r)
					continue
				case []any:
					refs := make([]string, len(r))
					for i, e := range r {
						str, _ := e.(string)
						refs[i] = resolveRef(root, str)
					}
					s[kp] = "refs=" + strings.Join(refs, ",")
					continue
				}
			}
			s.walk(root, x, kp)
		}
	case []any:
		s[p] = "array"
		authList := strings.HasSuffix(p, "$.authenticators.value") || strings.HasSuffix(p, "$.authenticatorEnrollments.value")
		for _, e := range v {
			k := elementKey(root, e)
			if authList && !strings.HasPrefix(k, "key:") {
				// An entry that names no authenticator key cannot be
				// paired with the other side's entries.
				k = "key:?"
			}
			s.walk(root, e, p+"["+k+"]")
		}
	case string:
		s[p] = "string"
	case float64:
		s[p] = "number"
	case bool:
		s[p] = "bool"
	case nil:
		s[p] = "null"
	default:
		s[p] = fmt.Sprintf("%T", v)
	}
}

var refIndex = regexp.MustCompile(`^\$\.(authenticators|authenticatorEnrollments)\.value\[(\d+)\]$`)

// resolveRef names the target of a relatesTo by what it points at: an
// entry of authenticators or authenticatorEnrollments by its key, since
// the index depends on the org's authenticators.
func resolveRef(root any, ref string) string {
	m := refIndex.FindStringSubmatch(ref)
	if m == nil {
		return ref
	}
	i, _ := strconv.Atoi(m[2])
	list, _ := dig(root, m[1], "value").([]any)
	if i < len(list) {
		if e, ok := list[i].(map[string]any); ok {
			if key, ok := e["key"].(string); ok {
				return "$." + m[1] + "[key:" + key + "]"
			}
		}
	}
	return "$." + m[1] + "[?]"
}

// dig follows object keys from v.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// elementKey names an array element in a path: a form or field by its
// name, an authenticator or enrollment by its key ("key:okta_email"), an
// option that relates to one by that key too, a message by its i18n key
// and class ("msg:errors.E0000004/ERROR"). Other elements (scalars, method
// lists, option lists of strings) share the key "*": their shapes merge.
func elementKey(root, e any) string {
	m, ok := e.(map[string]any)
	if !ok {
		return "*"
	}
	if name, ok := m["name"].(string); ok {
		return name
	}
	if key, ok := m["key"].(string); ok {
		if _, ok := m["type"]; ok {
			return "key:" + key
		}
	}
	if i18n, ok := m["i18n"].(map[string]any); ok {
		key, _ := i18n["key"].(string)
		class, _ := m["class"].(string)
		return "msg:" + key + "/" + class
	}
	if _, ok := m["message"]; ok {
		class, _ := m["class"].(string)
		return "msg:/" + class
	}
	if ref, ok := m["relatesTo"].(string); ok {
		r := resolveRef(root, ref)
		if i := strings.Index(r, "[key:"); i >= 0 {
			return r[i+1 : len(r)-1]
		}
		if strings.HasSuffix(r, "[?]") {
			// It relates to an entry that names no authenticator: it
			// cannot be paired with the other side's options.
			return "key:?"
		}
	}
	return "*"
}

// shapeDiff is one difference between the fake's shape and the real one.
type shapeDiff struct {
	Kind string // "missing" (real has it, the fake does not), "extra", "mismatch"
	Path string
	Fake string // the fake's kind ("" when missing)
	Real string // the real kind ("" when extra)
}

func (d shapeDiff) String() string {
	switch d.Kind {
	case "missing":
		return fmt.Sprintf("missing  %s (%s)", d.Path, d.Real)
	case "extra":
		return fmt.Sprintf("extra    %s (%s)", d.Path, d.Fake)
	}
	return fmt.Sprintf("mismatch %s (fake %s, real %s)", d.Path, d.Fake, d.Real)
}

// keyedPrefixes are the prefixes of p that end in an element keyed by
// authenticator key, shortest first.
func keyedPrefixes(p string) []string {
	var out []string
	for i := 0; ; {
		j := strings.Index(p[i:], "[key:")
		if j < 0 {
			return out
		}
		end := strings.IndexByte(p[i+j:], ']')
		if end < 0 {
			return out
		}
		i += j + end + 1
		out = append(out, p[:i])
	}
}

// diffShapes compares the fake's shape with the real one. Which
// authenticators an answer lists depends on the org, not on the protocol:
// a path inside an authenticator entry (or an option relating to one)
// that only one side lists at all is not a difference.
func diffShapes(fake, real shape) []shapeDiff {
	hasPrefix := func(s shape) map[string]bool {
		out := map[string]bool{}
		for p := range s {
			for _, k := range keyedPrefixes(p) {
				out[k] = true
			}
		}
		return out
	}
	fakeKeyed, realKeyed := hasPrefix(fake), hasPrefix(real)
	onBoth := func(p string) bool {
		for _, k := range keyedPrefixes(p) {
			if !fakeKeyed[k] || !realKeyed[k] {
				return false
			}
		}
		return true
	}
	var out []shapeDiff
	for p, r := range real {
		f, ok := fake[p]
		switch {
		case !ok && onBoth(p):
			out = append(out, shapeDiff{Kind: "missing", Path: p, Real: r})
		case ok && f != r:
			out = append(out, shapeDiff{Kind: "mismatch", Path: p, Fake: f, Real: r})
		}
	}
	for p, f := range fake {
		if _, ok := real[p]; !ok && onBoth(p) {
			out = append(out, shapeDiff{Kind: "extra", Path: p, Fake: f})
		}
	}
	// Report a missing or extra subtree once, at its root.
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	var pruned []shapeDiff
	for _, d := range out {
		if n := len(pruned); n > 0 && d.Kind != "mismatch" && pruned[n-1].Kind == d.Kind && isUnder(d.Path, pruned[n-1].Path) {
			continue
		}
		pruned = append(pruned, d)
	}
	return pruned
}

// isUnder reports whether p lies inside the subtree at root.
func isUnder(p, root string) bool {
	return strings.HasPrefix(p, root) && len(p) > len(root) && (p[len(root)] == '.' || p[len(root)] == '[')
}

// allowEntry is one line of the allow-list: differences of kind whose
// path matches path, in the pairs whose corpus file matches file, are
// accepted, for the reason given.
type allowEntry struct {
	line   int
	kind   string
	file   *regexp.Regexp
	path   *regexp.Regexp
	raw    string
	reason string
	used   bool
}

// globRegexp compiles a pattern in which "*" matches any run of
// characters, "{a,b}" matches a or b, and everything else matches
// itself.
func globRegexp(glob string) (*regexp.Regexp, error) {
	var re strings.Builder
	re.WriteString("^")
	depth := 0
	for _, r := range glob {
		switch {
		case r == '*':
			re.WriteString(".*")
		case r == '{':
			depth++
			re.WriteString("(?:")
		case r == '}' && depth > 0:
			depth--
			re.WriteString(")")
		case r == ',' && depth > 0:
			re.WriteString("|")
		default:
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unclosed { in %q", glob)
	}
	re.WriteString("$")
	return regexp.Compile(re.String())
}

// parseAllowList reads the allow-list: one entry per line,
//
//	KIND FILE PATH -- REASON
//
// where KIND is missing, extra or mismatch, FILE and PATH are patterns
// ("*" matches any run of characters, "{a,b}" either a or b), and REASON
// says why the difference is right.
// Blank lines and lines starting with "#" are comments.
func parseAllowList(text string) ([]*allowEntry, error) {
	var out []*allowEntry
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		spec, reason, ok := strings.Cut(line, " -- ")
		reason = strings.TrimSpace(reason)
		f := strings.Fields(spec)
		if !ok || reason == "" || len(f) != 3 {
			return nil, fmt.Errorf("line %d: want KIND FILE PATH -- REASON, got %q", n, line)
		}
		switch f[0] {
		case "missing", "extra", "mismatch":
		default:
			return nil, fmt.Errorf("line %d: kind %q is not missing, extra or mismatch", n, f[0])
		}
		file, err := globRegexp(f[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		path, err := globRegexp(f[2])
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		out = append(out, &allowEntry{line: n, kind: f[0], file: file, path: path, raw: spec, reason: reason})
	}
	return out, sc.Err()
}

// allowed reports whether an entry accepts d in the pair whose corpus
// file is file, marking the entry used.
func allowed(entries []*allowEntry, file string, d shapeDiff) bool {
	for _, e := range entries {
		if e.kind == d.Kind && e.file.MatchString(file) && e.path.MatchString(d.Path) {
			e.used = true
			return true
		}
	}
	return false
}

func loadAllowList(t *testing.T, name string) []*allowEntry {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := parseAllowList(string(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return entries
}

func TestShapeOf(t *testing.T) {
	t.Parallel()
	doc := map[string]any{
		"remediation": map[string]any{"type": "array", "value": []any{
			map[string]any{"name": "select-authenticator-authenticate", "value": []any{
				map[string]any{"name": "authenticator", "type": "object", "options": []any{
					map[string]any{"label": "Email", "relatesTo": "$.authenticatorEnrollments.value[0]",
						"value": map[string]any{"form": map[string]any{"value": []any{
							map[string]any{"name": "id", "required": true, "value": "aut1", "visible": false},
						}}}},
				}},
			}},
		}},
		"authenticatorEnrollments": map[string]any{"type": "array", "value": []any{
			map[string]any{"type": "email", "key": "okta_email", "id": "eae1", "methods": []any{map[string]any{"type": "email"}}},
		}},
		"messages": map[string]any{"type": "array", "value": []any{
			map[string]any{"message": "m", "class": "ERROR", "i18n": map[string]any{"key": "k.x", "params": []any{4.0}}},
		}},
	}
	got := shapeOf(doc)
	const opt = "$.remediation.value[select-authenticator-authenticate].value[authenticator].options[key:okta_email]"
	want := map[string]string{
		opt + ".relatesTo":                                                 "ref=$.authenticatorEnrollments[key:okta_email]",
		opt + ".value.form.value[id].required":                             "bool=true",
		opt + ".value.form.value[id].visible":                              "bool=false",
		opt + ".value.form.value[id].value":                                "string",
		"$.authenticatorEnrollments.value[key:okta_email].methods[*].type": "string",
		"$.messages.value[msg:k.x/ERROR].i18n.params[*]":                   "number",
	}
	for p, k := range want {
		if got[p] != k {
			t.Errorf("shape[%s] = %q, want %q", p, got[p], k)
		}
	}
}

func TestDiffShapes(t *testing.T) {
	t.Parallel()
	real := shape{
		"$":                   "object",
		"$.user":              "object",
		"$.user.value":        "object",
		"$.user.value.id":     "string",
		"$.user.value.login":  "string",
		"$.a.value[key:x]":    "object",
		"$.a.value[key:x].id": "string",
		"$.a.value[key:y]":    "object",
		"$.a.value[key:y].id": "string",
		"$.f.required":        "bool=true",
	}
	fake := shape{
		"$":                      "object",
		"$.user":                 "object",
		"$.user.value":           "object",
		"$.user.value.id":        "string",
		"$.app":                  "object",
		"$.app.value":            "object",
		"$.a.value[key:x]":       "object",
		"$.a.value[key:x].id":    "number",
		"$.a.value[key:z]":       "object", // only the fake lists z: not a difference
		"$.a.value[key:z].extra": "string",
		"$.f.required":           "bool=false",
	}
	want := []shapeDiff{
		{Kind: "extra", Path: "$.app", Fake: "object"},
		{Kind: "mismatch", Path: "$.a.value[key:x].id", Fake: "number", Real: "string"},
		{Kind: "mismatch", Path: "$.f.required", Fake: "bool=false", Real: "bool=true"},
		{Kind: "missing", Path: "$.user.value.login", Real: "string"},
	}
	got := diffShapes(fake, real)
	sort.Slice(got, func(i, j int) bool { return got[i].Kind+got[i].Path < got[j].Kind+got[j].Path })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diffShapes (-want +got):\n%s", diff)
	}
}

func TestAllowList(t *testing.T) {
	t.Parallel()
	entries, err := parseAllowList("# comment\n\nextra * $.app* -- the fake names its app\nmissing identify*.json $.user.value.login -- no login\n" +
		"mismatch * $.{a,b}.x -- either\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file string
		d    shapeDiff
		want bool
	}{
		{"x.json", shapeDiff{Kind: "extra", Path: "$.app.value"}, true},
		{"x.json", shapeDiff{Kind: "missing", Path: "$.app.value"}, false},
		{"identify.json", shapeDiff{Kind: "missing", Path: "$.user.value.login"}, true},
		{"success.json", shapeDiff{Kind: "missing", Path: "$.user.value.login"}, false},
		{"x.json", shapeDiff{Kind: "mismatch", Path: "$.b.x"}, true},
		{"x.json", shapeDiff{Kind: "mismatch", Path: "$.c.x"}, false},
		{"x.json", shapeDiff{Kind: "mismatch", Path: "$.{a,b}.x"}, false},
	} {
		if got := allowed(entries, c.file, c.d); got != c.want {
			t.Errorf("allowed(%s, %v) = %v, want %v", c.file, c.d, got, c.want)
		}
	}
	for _, bad := range []string{"extra * $.app", "extra * $.app -- ", "wrong * $.app -- why", "extra $.app -- why", "extra * $.{app -- why"} {
		if _, err := parseAllowList(bad); err == nil {
			t.Errorf("parseAllowList(%q) accepted a bad entry", bad)
		}
	}
}
