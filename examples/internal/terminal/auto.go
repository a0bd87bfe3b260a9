package terminal

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// Auto is an Asker that answers a fake org's steps on its own, printing
// each answer on Out (a note in place of a code or a password). In order,
// it answers an input with Flow, when set and it has an answer; a choice
// with the org's first one; a code with the last one the fake org sent to
// Inbox; a password being set (SettingPassword) with one NewPassword makes,
// the same each time; a boolean with "false"; an optional input by
// leaving it out. Anything else is an error.
type Auto struct {
	// Server is the fake org whose outbox holds the codes.
	Server *idxtest.Server
	// Out is where the answers are printed.
	Out io.Writer
	// Inbox is the address the codes are sent to.
	Inbox string
	// NewPassword makes the password set; nil means RandomPassword.
	NewPassword func() (string, error)
	// PasswordChallenges also answers an input "password" that does not
	// set a password with the password made.
	PasswordChallenges bool
	// Flow, when set, answers the inputs of the example's flow: ok
	// reports that it has an answer (or an error) for input in of step s.
	// Its answers are printed, but for those to inputs marked Secret.
	Flow func(s *idx.NextStep, in authenticator.Input) (v string, ok bool, err error)

	password string
}

// Interactive reports false: a refused answer is not asked again.
func (f *Auto) Interactive() bool { return false }

// Answer returns the value of input in of step s.
func (f *Auto) Answer(_ context.Context, s *idx.NextStep, in authenticator.Input) (string, Command, error) {
	var v string
	var ok bool
	if f.Flow != nil {
		var err error
		if v, ok, err = f.Flow(s, in); err != nil {
			return "", None, err
		}
	}
	switch {
	case ok:
	case len(in.Options) > 0:
		v = in.Options[0].Value // the org's first choice
	case in.Name == "verificationCode":
		code, ok := f.Server.LastCode(f.Inbox)
		if !ok {
			return "", None, errors.New("the fake org sent no email")
		}
		fmt.Fprintln(f.Out, "  -> verificationCode: code read from the fake org's outbox")
		return code, None, nil
	case SettingPassword(s, in) || (f.PasswordChallenges && in.Name == "password"):
		if f.password == "" {
			newPassword := f.NewPassword
			if newPassword == nil {
				newPassword = RandomPassword
			}
			pw, err := newPassword()
			if err != nil {
				return "", None, err
			}
			f.password = pw
		}
		fmt.Fprintf(f.Out, "  -> %s: a random password, not shown\n", in.Name)
		return f.password, None, nil
	case in.Type == "boolean":
		v = "false"
	case !in.Required:
		return "", None, nil
	default:
		return "", None, fmt.Errorf("step %s asks for %q, which this example cannot answer on its own", s.Name, in.Name)
	}
	if in.Secret {
		fmt.Fprintf(f.Out, "  -> %s: given, not shown\n", in.Name)
	} else {
		fmt.Fprintf(f.Out, "  -> %s: %s\n", in.Name, v)
	}
	return v, None, nil
}

// RandomPassword returns a password that meets the fake org's default
// rules: upper and lower case, digits, and nothing from the username.
func RandomPassword() (string, error) {
	var b strings.Builder
	b.WriteString("Qz9-")
	for range 20 {
		n, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", err
		}
		b.WriteByte(byte('0' + n.Int64()))
	}
	return b.String(), nil
}
