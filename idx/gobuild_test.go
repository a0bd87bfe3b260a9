package idx_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goCommand returns the path of the go command. Without one the test
// skips, saying so, or fails where CI is set.
func goCommand(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the go command is needed to build programs: %v", err)
		}
		t.Skipf("SKIPPED: no go command to build programs with: %v", err)
	}
	return p
}

// userPackages places Go packages, as a user of this module would write
// them, in directories of the module that exist only in an overlay for the
// go command: they import the module's packages at this commit, and
// nothing is written to the source tree.
type userPackages struct {
	t       *testing.T
	root    string            // the module's root directory
	base    string            // the overlay directory the packages go in, under root
	tmp     string            // where their files really are
	replace map[string]string // overlay path -> real path
	dirs    []string          // the packages, as ./paths relative to root
}

func newUserPackages(t *testing.T) *userPackages {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return &userPackages{t: t, root: root, base: "usercode" + hex.EncodeToString(b), tmp: t.TempDir(), replace: map[string]string{}}
}

// add adds the package name made of files (file name -> source).
func (u *userPackages) add(name string, files map[string]string) {
	u.t.Helper()
	for file, src := range files {
		real := filepath.Join(u.tmp, name+"_"+file)
		if err := os.WriteFile(real, []byte(src), 0o600); err != nil {
			u.t.Fatal(err)
		}
		u.replace[filepath.Join(u.root, u.base, name, file)] = real
	}
	u.dirs = append(u.dirs, "./"+u.base+"/"+name)
}

// run runs the go command's verb (build, vet, test) with args on the
// packages and returns its combined output.
func (u *userPackages) run(verb string, args ...string) (string, error) {
	u.t.Helper()
	ov, err := json.Marshal(map[string]any{"Replace": u.replace})
	if err != nil {
		u.t.Fatal(err)
	}
	ovPath := filepath.Join(u.tmp, "overlay.json")
	if err := os.WriteFile(ovPath, ov, 0o600); err != nil {
		u.t.Fatal(err)
	}
	cmd := exec.Command(goCommand(u.t), append(append([]string{verb, "-overlay", ovPath}, args...), u.dirs...)...)
	cmd.Dir = u.root
	out, err := cmd.CombinedOutput()
	return strings.ReplaceAll(string(out), u.base+"/", ""), err
}

// build builds the packages' programs into dir and returns the go
// command's output.
func (u *userPackages) build(dir string) (string, error) {
	return u.run("build", "-o", dir+string(filepath.Separator))
}
