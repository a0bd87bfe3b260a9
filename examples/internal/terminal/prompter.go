package terminal

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
)

// Prompter is an Asker that asks on a terminal, one line an answer. A
// choice is given by number or value, a boolean by "y" or "yes" (anything
// else is no), a new password twice. "cancel" is a command at any prompt
// but a secret one, "resend" at a code prompt where the step can be
// resent, "skip" at a choice where the step can be skipped. When it reads
// a terminal, secrets (passwords, answers the org marks secret) are read
// without echo; from a pipe or a file they are read as any other line.
type Prompter struct {
	in  *bufio.Reader
	out io.Writer
	// fd is the terminal read, or -1 when in is not one.
	fd int
}

// NewPrompter returns a Prompter that reads in and prompts on out. When in
// is a terminal (an *os.File), secrets are read without echo.
func NewPrompter(in io.Reader, out io.Writer) *Prompter {
	p := &Prompter{in: bufio.NewReader(in), out: out, fd: -1}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.fd = int(f.Fd())
	}
	return p
}

// Interactive reports true: a refused answer is asked again.
func (t *Prompter) Interactive() bool { return true }

// read prints prompt and reads a line, without echo when secret is set
// and the Prompter reads a terminal. It returns ctx's error as soon as ctx
// is done, even while the line is being typed; the terminal's echo is
// then restored.
func (t *Prompter) read(ctx context.Context, prompt string, secret bool) (string, error) {
	fmt.Fprintf(t.out, "%s: ", prompt)
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	if secret && t.fd >= 0 && t.in.Buffered() == 0 {
		state, err := term.GetState(t.fd)
		if err != nil {
			return "", fmt.Errorf("reading the answer to %q: %w", prompt, err)
		}
		go func() {
			b, err := term.ReadPassword(t.fd)
			done <- result{string(b), err}
		}()
		select {
		case r := <-done:
			fmt.Fprintln(t.out) // the newline typed was not echoed
			if r.err != nil {
				return "", fmt.Errorf("reading the answer to %q: %w", prompt, r.err)
			}
			return strings.TrimSpace(r.line), nil
		case <-ctx.Done():
			_ = term.Restore(t.fd, state)
			fmt.Fprintln(t.out)
			return "", ctx.Err()
		}
	}
	go func() {
		line, err := t.in.ReadString('\n')
		done <- result{line, err}
	}()
	select {
	case r := <-done:
		if r.err != nil && r.line == "" {
			return "", fmt.Errorf("reading the answer to %q: %w", prompt, r.err)
		}
		return strings.TrimSpace(r.line), nil
	case <-ctx.Done():
		fmt.Fprintln(t.out)
		return "", ctx.Err()
	}
}

// Answer asks for input in of step s until the answer fits, and returns
// it or the command typed. It fails when the input ends.
func (t *Prompter) Answer(ctx context.Context, s *idx.NextStep, in authenticator.Input) (string, Command, error) {
	label := in.Label
	if label == "" {
		label = in.Name
	}
	for {
		switch {
		case len(in.Options) > 0:
			words := "cancel"
			if s.CanSkip {
				words = "skip, cancel"
			}
			choices := "1"
			if len(in.Options) > 1 {
				choices = fmt.Sprintf("1-%d", len(in.Options))
			}
			line, err := t.read(ctx, fmt.Sprintf("%s: choose %s (or %s)", label, choices, words), false)
			if err != nil {
				return "", None, err
			}
			if cmd := command(line, s); cmd != None {
				return "", cmd, nil
			}
			if line == "" && !in.Required {
				return "", None, nil
			}
			if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(in.Options) {
				return in.Options[n-1].Value, None, nil
			}
			if i := slices.IndexFunc(in.Options, func(o authenticator.Choice) bool { return o.Value == line }); i >= 0 {
				return line, None, nil
			}
			fmt.Fprintln(t.out, "  not one of the choices")
		case in.Type == "boolean":
			line, err := t.read(ctx, label+" (y/N)", false)
			if err != nil {
				return "", None, err
			}
			if cmd := command(line, s); cmd != None {
				return "", cmd, nil
			}
			if strings.EqualFold(line, "y") || strings.EqualFold(line, "yes") {
				return "true", None, nil
			}
			return "false", None, nil
		case in.Name == "verificationCode":
			prompt := "Code"
			if a := s.Authenticator; a != nil && a.DisplayName != "" {
				prompt = "Code from " + a.DisplayName
			}
			if s.CanResend {
				prompt += ` (or "resend")`
			}
			line, err := t.read(ctx, prompt, false)
			if err != nil {
				return "", None, err
			}
			if cmd := command(line, s); cmd != None {
				return "", cmd, nil
			}
			if line != "" {
				return line, None, nil
			}
		case SettingPassword(s, in):
			pw, err := t.read(ctx, "New password", true)
			if err != nil {
				return "", None, err
			}
			if pw == "" {
				continue
			}
			again, err := t.read(ctx, "New password again", true)
			if err != nil {
				return "", None, err
			}
			if again == pw {
				return pw, None, nil
			}
			fmt.Fprintln(t.out, "  the two differ; try again")
		default:
			prompt := label
			if !in.Secret && !in.Required {
				prompt += " (optional)"
			}
			line, err := t.read(ctx, prompt, in.Secret)
			if err != nil {
				return "", None, err
			}
			if !in.Secret {
				if cmd := command(line, s); cmd != None {
					return "", cmd, nil
				}
			}
			if line != "" || !in.Required {
				return line, None, nil
			}
		}
	}
}

// command reads a command that step s allows from line.
func command(line string, s *idx.NextStep) Command {
	switch strings.ToLower(line) {
	case "cancel":
		return Cancel
	case "resend":
		if s.CanResend {
			return Resend
		}
	case "skip":
		if s.CanSkip {
			return Skip
		}
	}
	return None
}
