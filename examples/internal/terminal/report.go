package terminal

import (
	"fmt"
	"io"
	"strings"

	"github.com/goidx/goidx/idx"
)

// Report prints the pending step of tx: its name, inputs, choices,
// authenticator and the org's messages. It prints no value: codes and
// passwords are not part of a step.
func Report(out io.Writer, tx *idx.Transaction) {
	s := tx.NextStep
	fmt.Fprintf(out, "Status: %s, next step: %s\n", tx.Status, s.Name)
	if tx.Rejection != nil {
		fmt.Fprintln(out, "  the org did not accept the last answer:")
	}
	PrintMessages(out, tx.Messages)
	if a := s.Authenticator; a != nil {
		fmt.Fprintf(out, "  authenticator: %s (%s)", a.DisplayName, a.Key)
		if len(a.Methods) > 0 {
			fmt.Fprintf(out, ", methods %s", strings.Join(a.Methods, ", "))
		}
		if e := a.Profile["email"]; e != "" {
			fmt.Fprintf(out, ", email %s", e)
		}
		fmt.Fprintln(out)
	}
	for _, in := range s.Inputs {
		fmt.Fprintf(out, "  input: %s", in.Name)
		if in.Label != "" {
			fmt.Fprintf(out, " %q", in.Label)
		}
		var notes []string
		if in.Required {
			notes = append(notes, "required")
		}
		if in.Secret {
			notes = append(notes, "secret")
		}
		if in.Type != "" && in.Type != "string" {
			notes = append(notes, in.Type)
		}
		if len(notes) > 0 {
			fmt.Fprintf(out, " (%s)", strings.Join(notes, ", "))
		}
		fmt.Fprintln(out)
		for i, o := range in.Options {
			fmt.Fprintf(out, "    %d. %s (%s)\n", i+1, o.Label, o.Value)
		}
	}
	if s.CanResend {
		fmt.Fprintln(out, "  the code can be resent")
	}
	if s.CanSkip {
		fmt.Fprintln(out, "  this step can be skipped")
	}
}

// PrintMessages prints the org's messages, one a line, with the input each
// is about, their links and the messages nested in them.
func PrintMessages(out io.Writer, ms []idx.Message) {
	for _, m := range ms {
		fmt.Fprintf(out, "  %s: %s", m.Class, m.Text)
		if m.Field != "" {
			fmt.Fprintf(out, " (%s)", m.Field)
		}
		for _, l := range m.Links {
			fmt.Fprintf(out, " <%s>", l.URL)
		}
		fmt.Fprintln(out)
		for _, n := range m.Messages {
			fmt.Fprintf(out, "    %s\n", n.Text)
		}
	}
}
