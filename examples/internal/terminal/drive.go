package terminal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
)

// MaxSteps bounds the steps Drive answers in one transaction, wrong
// answers included.
const MaxSteps = 50

// Command is what the user typed in place of an answer.
type Command int

// The commands.
const (
	// None is an answer, not a command.
	None Command = iota
	// Cancel cancels the transaction (Client.Cancel).
	Cancel
	// Resend has the code sent again (Client.Resend), where the step
	// allows it.
	Resend
	// Skip skips the step (Client.Skip), where the step allows it.
	Skip
)

// Asker answers the inputs of a step: from a terminal (Prompter) or on
// its own (Auto).
type Asker interface {
	// Answer returns the value of input in of step s ("" leaves an
	// optional input out; "true" or "false" for a boolean), or a command
	// instead.
	Answer(ctx context.Context, s *idx.NextStep, in authenticator.Input) (string, Command, error)
	// Interactive reports whether a refused answer can be asked again.
	Interactive() bool
}

// Call answers a step with the options the user gave, such as
// Client.Authenticate.
type Call func(context.Context, idx.Options) (*idx.Transaction, error)

// Drive answers the steps of tx with call, asking a for the answers and
// reporting each step on out, until the transaction is no longer pending,
// and returns it. A step to be polled is polled (Client.PollUntilDone);
// "cancel", "resend" and "skip" call Client.Cancel, Resend and Skip; a
// device assurance grace period's warning is shown and gone past. An
// answer refused before it is sent (idx.InputError), or that does not
// complete the step, is asked again when a is interactive. Drive cancels
// the transaction when it gives up: after MaxSteps steps, at a step with
// nothing to type (such as redirect-idp), or when a fails.
func Drive(ctx context.Context, client *idx.Client, call Call, a Asker, out io.Writer, tx *idx.Transaction) (*idx.Transaction, error) {
	for round := 0; tx.Status == idx.StatusPending; round++ {
		if round == MaxSteps {
			_, _ = client.Cancel(ctx, tx.State)
			return nil, fmt.Errorf("gave up after %d steps", MaxSteps)
		}
		Report(out, tx)
		step := tx.NextStep
		if step.Poll != nil && step.Poll.Required {
			fmt.Fprintln(out, "  waiting for the org...")
			next, err := client.PollUntilDone(ctx, tx.State)
			if err != nil {
				return nil, err
			}
			tx = next
			continue
		}
		if len(step.Inputs) == 0 && step.DeviceAssurance != nil {
			// A device assurance grace period's warning: shown above, and
			// the sign-in goes on, as the Sign-In Widget's Continue does.
			fmt.Fprintln(out, "  going on with the sign-in during the grace period")
			next, err := client.Skip(ctx, tx.State)
			if err != nil {
				return nil, err
			}
			tx = next
			continue
		}
		if len(step.Inputs) == 0 {
			// Such as redirect-idp, which needs a browser.
			_, _ = client.Cancel(ctx, tx.State)
			return nil, fmt.Errorf("this example cannot complete step %s, which asks for nothing to type", step.Name)
		}
		opts, cmd, err := Answers(ctx, a, step)
		if err != nil {
			_, _ = client.Cancel(ctx, tx.State)
			return nil, err
		}
		var next *idx.Transaction
		switch cmd {
		case Cancel:
			return client.Cancel(ctx, tx.State)
		case Resend:
			fmt.Fprintln(out, "  asking the org to send the code again")
			next, err = client.Resend(ctx, tx.State)
		case Skip:
			next, err = client.Skip(ctx, tx.State)
		default:
			opts.State = tx.State
			next, err = call(ctx, opts)
		}
		var ie *idx.InputError
		if errors.As(err, &ie) && a.Interactive() {
			// The answer was refused before it was sent: ask again.
			fmt.Fprintf(out, "  not accepted: %s %s; try again\n", ie.Field, ie.Reason)
			continue
		}
		if err != nil {
			return nil, err
		}
		if cmd == None && next.Status == idx.StatusPending && next.Rejection == nil && sameStep(next.NextStep, step) {
			// The answers did not cover the step's required inputs: the
			// call sent nothing.
			if !a.Interactive() {
				_, _ = client.Cancel(ctx, next.State)
				return nil, fmt.Errorf("the answers did not complete step %s", step.Name)
			}
			fmt.Fprintln(out, "  the answers did not complete the step; try again")
		}
		tx = next
	}
	return tx, nil
}

// sameStep reports whether a and b are the same step about the same
// authenticator.
func sameStep(a, b *idx.NextStep) bool {
	key := func(s *idx.NextStep) authenticator.Key {
		if s.Authenticator == nil {
			return ""
		}
		return s.Authenticator.Key
	}
	return a.Name == b.Name && key(a) == key(b)
}

// known reports an input that idx.Options has a field for.
func known(name string) bool {
	switch name {
	case "username", "password", "rememberMe", "authenticator", "methodType", "verificationCode",
		"newPassword", "revokeSessions", "phoneNumber", "answer", "questionKey", "question", "channel", "email":
		return true
	}
	return false
}

// Answers asks a for every input of step s and puts the answers in
// options: the attributes of enroll-profile in Profile, the inputs
// idx.Options names in their fields and, for a step with other inputs,
// every answer in Values (a boolean as a bool). An optional input left
// empty is left out. When a gives a command instead of an answer, Answers
// returns it with the options so far.
func Answers(ctx context.Context, a Asker, s *idx.NextStep) (idx.Options, Command, error) {
	var o idx.Options
	generic := s.Name != "enroll-profile" && slices.ContainsFunc(s.Inputs, func(in authenticator.Input) bool {
		return !known(in.Name)
	})
	for _, in := range s.Inputs {
		v, cmd, err := a.Answer(ctx, s, in)
		if err != nil || cmd != None {
			return o, cmd, err
		}
		if v == "" {
			continue // an optional input left empty
		}
		var value any = v
		if in.Type == "boolean" {
			value = v == "true"
		}
		switch {
		case s.Name == "enroll-profile":
			if o.Profile == nil {
				o.Profile = map[string]any{}
			}
			o.Profile[in.Name] = value
		case generic:
			if o.Values == nil {
				o.Step, o.Values = s.Name, map[string]any{}
			}
			o.Values[in.Name] = value
		default:
			setOption(&o, s, in.Name, v)
		}
	}
	return o, None, nil
}

// setOption sets the field of o that input name answers.
func setOption(o *idx.Options, s *idx.NextStep, name, v string) {
	switch name {
	case "username":
		o.Username = v
	case "password":
		if s.Name == "enroll-authenticator" {
			o.NewPassword = v // a password being set
		} else {
			o.Password = v
		}
	case "rememberMe":
		remember := v == "true" // what the user typed, not the form's default
		o.RememberMe = &remember
	case "authenticator":
		o.Authenticator = authenticator.Key(v)
	case "methodType":
		o.MethodType = v
	case "verificationCode":
		o.VerificationCode = v
	case "newPassword":
		o.NewPassword = v
	case "revokeSessions":
		o.RevokeSessions = v == "true"
	case "phoneNumber":
		o.PhoneNumber = v
	case "answer":
		o.Answer = v
	case "questionKey":
		o.QuestionKey = v
	case "question":
		o.Question = v
	case "channel":
		o.Channel = v
	case "email":
		o.Email = v
	}
}

// SettingPassword reports whether input in of step s sets a new password:
// newPassword, or password at enroll-authenticator.
func SettingPassword(s *idx.NextStep, in authenticator.Input) bool {
	return in.Name == "newPassword" || (in.Name == "password" && s.Name == "enroll-authenticator")
}
