package terminal

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/goidx/goidx/idx"
)

// Prompter is an Asker that asks on a terminal, one line an answer. A
// choice is given by number or value, a boolean by "y" or "yes" (anything
// else is no), a new password twice. "cancel" is a command at any prompt
// but a secret one, "resend" at a code prompt where the step can be
// resent, "skip" at a choice where the step can be skipped. Passwords are
// shown as they are typed.
type Prompter struct {
	in  *bufio.Reader
	out io.Writer
}

// NewPrompter returns a Prompter that reads in and prompts on out.
func NewPrompter(in io.Reader, out io.Writer) *Prompter {
	return &Prompter{in: bufio.NewReader(in), out: out}
}

// Interactive reports true: a refused answer is asked again.
func (t *Prompter) Interactive() bool { return true }

// read prints prompt and reads a line.
func (t *Prompter) read(prompt string) (string, error) {
	fmt.Fprintf(t.out, "%s: ", prompt)
	line, err := t.in.ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("reading the answer to %q: %w", prompt, err)
	}
	return strings.TrimSpace(line), nil
}

// Answer asks for input in of step s until the answer fits, and returns
// it or the command typed. It fails when the input ends.
func (t *Prompter) Answer(_ context.Context, s *idx.NextStep, in idx.Input) (string, Command, error) {
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
			line, err := t.read(fmt.Sprintf("%s: choose %s (or %s)", label, choices, words))
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
			if i := slices.IndexFunc(in.Options, func(o idx.Option) bool { return o.Value == line }); i >= 0 {
				return line, None, nil
			}
			fmt.Fprintln(t.out, "  not one of the choices")
		case in.Type == "boolean":
			line, err := t.read(label + " (y/N)")
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
			line, err := t.read(prompt)
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
			pw, err := t.read("New password (shown as you type)")
			if err != nil {
				return "", None, err
			}
			if pw == "" {
				continue
			}
			again, err := t.read("New password again")
			if err != nil {
				return "", None, err
			}
			if again == pw {
				return pw, None, nil
			}
			fmt.Fprintln(t.out, "  the two differ; try again")
		default:
			prompt := label
			if in.Secret {
				prompt += " (shown as you type)"
			} else if !in.Required {
				prompt += " (optional)"
			}
			line, err := t.read(prompt)
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
