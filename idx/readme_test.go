package idx_test

import (
	"bytes"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fence is a fenced code block of a Markdown file.
type fence struct {
	lang string // the info string, such as "go" or "text"
	body string
	line int // of the opening fence, from 1
}

// fences returns the fenced code blocks of md (fences at the start of a
// line, as README.md writes them).
func fences(t *testing.T, md string) []fence {
	t.Helper()
	var out []fence
	var cur *fence
	var body strings.Builder
	for i, l := range strings.Split(md, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(l, "```"):
			cur = &fence{lang: strings.TrimSpace(l[3:]), line: i + 1}
			body.Reset()
		case cur != nil && strings.TrimSpace(l) == "```":
			cur.body = body.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(l + "\n")
		}
	}
	if cur != nil {
		t.Fatalf("README.md:%d: code block not closed", cur.line)
	}
	return out
}

// Goal: README.md's Go is true. Every Go block is a whole file, formatted
// by gofmt, a program (package main) or a test (package *_test), that a
// user can copy as it is: it is compiled against this commit, outside
// this module's packages; a program followed by a text block
// prints exactly that block, and a test passes.
func TestReadmeGoBlocks(t *testing.T) {
	t.Parallel()
	md, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	all := fences(t, string(md))
	programs, tests := newUserPackages(t), newUserPackages(t)
	want := map[string]string{} // program name -> the output the README shows
	var names []string
	for i, f := range all {
		if f.lang != "go" {
			continue
		}
		if formatted, err := format.Source([]byte(f.body)); err != nil || !bytes.Equal(formatted, []byte(f.body)) {
			t.Errorf("README.md:%d: the Go block is not gofmt-formatted (err %v)", f.line, err)
		}
		file, err := parser.ParseFile(token.NewFileSet(), "README.md", f.body, parser.ImportsOnly)
		if err != nil {
			t.Errorf("README.md:%d: the Go block is not a whole Go file: %v", f.line, err)
			continue
		}
		for _, imp := range file.Imports {
			if strings.Contains(imp.Path.Value, "/internal/") {
				t.Errorf("README.md:%d: imports %s, which users cannot", f.line, imp.Path.Value)
			}
		}
		name := fmt.Sprintf("line%d", f.line)
		switch pkg := file.Name.Name; {
		case pkg == "main":
			programs.add(name, map[string]string{"main.go": f.body})
			names = append(names, name)
			// The output the README shows: the next block, when it is
			// text and comes before any other Go block.
			for _, g := range all[i+1:] {
				if g.lang == "go" {
					break
				}
				if g.lang == "text" {
					want[name] = g.body
					break
				}
			}
		case strings.HasSuffix(pkg, "_test"):
			tests.add(name, map[string]string{"readme_test.go": f.body})
		default:
			t.Errorf("README.md:%d: package %s; a Go block is a program (package main) or a test (package x_test)", f.line, pkg)
		}
	}
	if len(names) == 0 || len(tests.dirs) == 0 || len(want) == 0 {
		t.Fatalf("README.md has %d programs (%d with output) and %d tests; the test would prove little", len(names), len(want), len(tests.dirs))
	}

	bin := t.TempDir()
	if out, err := programs.build(bin); err != nil {
		t.Fatalf("go build of README.md's programs: %v\n%s", err, out)
	}
	for _, name := range names {
		exp, ok := want[name]
		if !ok {
			continue
		}
		cmd := exec.CommandContext(t.Context(), filepath.Join(bin, name))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		got, err := cmd.Output()
		if err != nil {
			t.Errorf("README.md program %s: %v\n%s", name, err, stderr.String())
			continue
		}
		if diff := cmp.Diff(exp, string(got)); diff != "" {
			t.Errorf("README.md program %s prints otherwise than the README says (-README +printed):\n%s", name, diff)
		}
	}
	// The test binaries run here: a package directory exists only in the
	// overlay, where go test would run them (and the vet tool look).
	tbin := t.TempDir()
	if out, err := tests.run("test", "-c", "-vet=off", "-o", tbin+string(filepath.Separator)); err != nil {
		t.Fatalf("go test -c of README.md's tests: %v\n%s", err, out)
	}
	for _, dir := range tests.dirs {
		cmd := exec.CommandContext(t.Context(), filepath.Join(tbin, filepath.Base(dir)+".test"), "-test.count=1")
		cmd.Dir = tbin
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("README.md test %s: %v\n%s", filepath.Base(dir), err, out)
		}
	}
}
