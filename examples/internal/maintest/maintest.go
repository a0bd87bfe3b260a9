// Package maintest runs an example's main function in a child process,
// so that a test sees its exit status and its output as a user does.
//
// An example's tests call Main from TestMain; Run then starts the test
// binary again, which runs main instead of the tests.
package maintest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// childEnv marks the child process that runs main.
const childEnv = "GOIDX_EXAMPLE_RUN_MAIN"

// Main runs main in a child process started by Run, exiting with status
// 0 when main returns; otherwise it runs the tests.
func Main(m *testing.M, main func()) {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Result is how a run of main ended.
type Result struct {
	Stdout, Stderr string
	// Code is the exit status.
	Code int
}

// Run runs main with args in a child process and returns its output and
// exit status. The child's environment is the test's, less every OKTA_*
// variable, plus env; its standard input is stdin, nil meaning
// /dev/null. It is stopped after a minute.
func Run(t *testing.T, env map[string]string, stdin io.Reader, args ...string) Result {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OKTA_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, childEnv+"=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdin = stdin
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("running %s %v: %v", exe, args, err)
	}
	return Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
}

// CheckHelp runs main with -h and fails the test unless it exits 0 with
// the help on standard output (nothing on standard error) naming the
// program, each of flags (such as "-addr") and each of vars (such as
// "OKTA_ISSUER").
func CheckHelp(t *testing.T, name string, flags, vars []string) {
	t.Helper()
	for _, arg := range []string{"-h", "-help", "--help"} {
		r := Run(t, nil, nil, arg)
		if r.Code != 0 || r.Stderr != "" {
			t.Errorf("%s %s: exit status %d, stderr %q; want 0 and nothing", name, arg, r.Code, r.Stderr)
		}
		if !strings.HasPrefix(r.Stdout, "Usage: "+name+" [flags]\n") {
			t.Errorf("%s %s: the help does not start with its usage line:\n%s", name, arg, r.Stdout)
		}
		for _, f := range flags {
			// PrintDefaults lists a flag as "  -name value", "  -name" or "  -x\tusage".
			if !regexp.MustCompile(`\n  ` + regexp.QuoteMeta(f) + `[ \t\n]`).MatchString(r.Stdout) {
				t.Errorf("%s %s: the help lacks the flag %s:\n%s", name, arg, f, r.Stdout)
			}
		}
		for _, v := range vars {
			if !strings.Contains(r.Stdout, "\n  "+v+" ") {
				t.Errorf("%s %s: the help lacks the variable %s:\n%s", name, arg, v, r.Stdout)
			}
		}
	}
	checkSetupDoc(t, name, Run(t, nil, nil, "-h").Stdout)
}

// setupDoc is where the help sends readers, relative to the repository
// root.
const setupDoc = "docs/okta-setup.md"

// checkSetupDoc fails the test unless the table of setupDoc has a row for
// every variable of help's Environment section, read by "all" examples
// or by examples/name.
func checkSetupDoc(t *testing.T, name, help string) {
	t.Helper()
	if !strings.Contains(help, setupDoc) {
		t.Errorf("%s -h does not point to %s:\n%s", name, setupDoc, help)
	}
	doc, err := readFromRoot(setupDoc)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{} // variable: its row's last cell
	for l := range strings.SplitSeq(doc, "\n") {
		cells := strings.Split(strings.Trim(l, "| "), "|")
		if v, ok := strings.CutPrefix(strings.TrimSpace(cells[0]), "`"); ok && len(cells) > 2 {
			rows[strings.TrimSuffix(v, "`")] = strings.TrimSpace(cells[len(cells)-1])
		}
	}
	_, env, ok := strings.Cut(help, "\nEnvironment:\n")
	if !ok {
		t.Fatalf("%s -h has no Environment section:\n%s", name, help)
	}
	for l := range strings.SplitSeq(env, "\n") {
		if !strings.HasPrefix(l, "  ") {
			break
		}
		v := strings.Fields(l)[0]
		readBy, ok := rows[v]
		switch {
		case !ok:
			t.Errorf("%s has no row for %s, which %s reads", setupDoc, v, name)
		case readBy != "all" && !strings.Contains(readBy, "examples/"+name):
			t.Errorf("%s says %s is read by %q, not by examples/%s", setupDoc, v, readBy, name)
		}
	}
}

// readFromRoot reads the file at path relative to the repository root,
// the first directory up from the test's that holds go.work.
func readFromRoot(path string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			b, err := os.ReadFile(filepath.Join(dir, path))
			return string(b), err
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("no go.work above the test's directory: cannot find " + path)
		}
		dir = up
	}
}
