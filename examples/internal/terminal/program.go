package terminal

import (
	"fmt"
	"io"

	"github.com/goidx/goidx/idx/idxtest"
)

// Program is one run of a terminal example: where it reads and writes,
// its environment, and, for tests, how the embedded fake org is started
// and how the password set there is made.
type Program struct {
	// In is read for the answers to an org named by the environment.
	In io.Reader
	// Out is where steps, prompts and results are written.
	Out io.Writer
	// Getenv reads the environment, such as os.Getenv.
	Getenv func(string) string
	// StartOrg starts the embedded fake org; nil means idxtest.NewServer.
	StartOrg func(...idxtest.Option) *idxtest.Server
	// NewPassword makes the password set on the fake org; nil means
	// RandomPassword.
	NewPassword func() (string, error)
}

// Org returns the org the environment names or, with none named, a fake
// org started with the options fake; see FromEnv. The caller must Close
// it.
func (p *Program) Org(fake ...idxtest.Option) (*Org, error) {
	return FromEnv(p.Getenv, p.StartOrg, fake...)
}

// Asker returns who answers the steps on org: auto, given the fake org,
// Out and NewPassword, when org is the fake one; otherwise a Prompter on
// In and Out, after a line telling how to cancel.
func (p *Program) Asker(org *Org, auto *Auto) Asker {
	if org.Fake != nil {
		auto.Server, auto.Out, auto.NewPassword = org.Fake, p.Out, p.NewPassword
		return auto
	}
	fmt.Fprintln(p.Out, `Type "cancel" at any prompt to stop.`)
	return NewPrompter(p.In, p.Out)
}
