package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goidx/goidx/idx/idxtest"
)

// TestTerminalExamplesOnFakeokta runs the README's route for the terminal
// examples: fakeokta with the policy they need (-register -recover), and
// each example built and run as a program, pointed at it through
// OKTA_ISSUER, OKTA_CLIENT_ID and OKTA_INSECURE_LOOPBACK_HTTP, answering
// its prompts as a person would, with the codes read from the org's
// control API.
func TestTerminalExamplesOnFakeokta(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPING: builds and runs the examples; not in -short mode")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	bin := t.TempDir()
	build := exec.CommandContext(t.Context(), goTool, "build", "-o", bin+string(filepath.Separator), "../email-otp", "../register", "../recover-password")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the examples: %v\n%s", err, out)
	}

	ctx, cancel := context.WithCancel(t.Context())
	var banner lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-register", "-recover"}, &banner, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	issuer := waitFor(t, &banner, regexp.MustCompile(`Issuer:\s+(\S+)`))
	base := strings.TrimSuffix(issuer, "/oauth2/default")
	env := append(os.Environ(), "OKTA_ISSUER="+issuer, "OKTA_CLIENT_ID="+idxtest.PublicClientID, "OKTA_INSECURE_LOOPBACK_HTTP=1")

	tests := []struct {
		program string
		answers map[string]string // the start of a prompt -> the answer
		email   string            // where the codes go
		want    *regexp.Regexp    // in the output of a finished run
	}{
		{
			// First: recover-password below changes the demo user's password.
			program: "email-otp",
			answers: map[string]string{"Username": idxtest.DemoUsername, "Password": idxtest.DemoPassword},
			email:   idxtest.DemoUsername,
			want:    regexp.MustCompile(`(?s)Status: SUCCESS.*Profile: Demo User <demo@example\.com> \(sub 00uidxtestdemo0001\)`),
		},
		{
			program: "register",
			answers: map[string]string{
				"First name": "Grace", "Last name": "Hopper", "Email": "grace@example.com",
				"New password": "Cobol-1959-Navy", "Password": "Cobol-1959-Navy",
			},
			email: "grace@example.com",
			want:  regexp.MustCompile(`(?s)ID token verified.*email: +grace@example\.com`),
		},
		{
			program: "recover-password",
			answers: map[string]string{
				"Username": idxtest.DemoUsername, "Email": idxtest.DemoUsername,
				"New password": "Brand-New-Passw0rd!", "Password": "Brand-New-Passw0rd!",
			},
			email: idxtest.DemoUsername,
			want:  regexp.MustCompile(`ID token verified, subject 00uidxtestdemo0001`),
		},
	}
	for _, tc := range tests {
		t.Run(tc.program, func(t *testing.T) {
			out := runInteractive(t, filepath.Join(bin, tc.program), env, func(prompt, transcript string) (string, error) {
				if strings.HasPrefix(prompt, "Code") {
					return lastCode(base, tc.email)
				}
				if strings.Contains(prompt, "choose") {
					return chooseEmail(transcript), nil
				}
				if strings.HasSuffix(prompt, "(y/N)") {
					return "n", nil
				}
				for start, answer := range tc.answers {
					if strings.HasPrefix(prompt, start) {
						return answer, nil
					}
				}
				return "", fmt.Errorf("no answer for the prompt %q", prompt)
			})
			if !tc.want.MatchString(out) {
				t.Errorf("the output does not match %v:\n%s", tc.want, out)
			}
		})
	}
}

// lastCode reads the newest code sent to to from the org's control API.
func lastCode(base, to string) (string, error) {
	resp, err := http.Get(base + "/idxtest/codes/last?to=" + url.QueryEscape(to))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var v struct{ Code, Error string }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || v.Code == "" {
		return "", fmt.Errorf("no code for %s: %d %s %v", to, resp.StatusCode, v.Error, err)
	}
	return v.Code, nil
}

// chooseEmail picks, among the choices the transcript listed last, the
// email authenticator or method, or else the first one.
func chooseEmail(transcript string) string {
	lines := strings.Split(transcript, "\n")
	choice := "1"
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "input:") {
			break
		}
		if n, rest, ok := strings.Cut(l, ". "); ok && (strings.Contains(rest, "(okta_email)") || strings.HasSuffix(rest, "(email)")) {
			choice = n
		}
	}
	return choice
}

// runInteractive runs program with env, answering each prompt (a line
// that ends in ": " with no newline yet) with answer, and returns its
// output. It fails the test if the program fails or asks more than 40
// questions.
func runInteractive(t *testing.T, program string, env []string, answer func(prompt, transcript string) (string, error)) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, program)
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var transcript strings.Builder
	r := bufio.NewReader(stdout)
	asked := 0
	var answerErr error
	line := ""
	for {
		b, err := r.ReadByte()
		if err != nil {
			break
		}
		transcript.WriteByte(b)
		if b == '\n' {
			line = ""
			continue
		}
		line += string(b)
		if !strings.HasSuffix(line, ": ") || r.Buffered() > 0 {
			continue
		}
		// A prompt: the program now waits for a line.
		asked++
		prompt := strings.TrimSuffix(line, ": ")
		a, err := answer(prompt, transcript.String())
		if err != nil || asked > 40 {
			answerErr = fmt.Errorf("question %d %q: %v", asked, prompt, err)
			_ = stdin.Close()
			break
		}
		transcript.WriteString(a + "\n") // as a terminal echoes it
		if _, err := io.WriteString(stdin, a+"\n"); err != nil {
			answerErr = err
			break
		}
		line = ""
	}
	_, _ = io.Copy(io.Discard, r)
	err = cmd.Wait()
	out := transcript.String()
	if answerErr != nil {
		t.Fatalf("%s: %v\noutput:\n%s\nstderr:\n%s", filepath.Base(program), answerErr, out, stderr.String())
	}
	if err != nil {
		t.Fatalf("%s: %v\noutput:\n%s\nstderr:\n%s", filepath.Base(program), err, out, stderr.String())
	}
	return out
}
