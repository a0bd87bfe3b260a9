package terminal

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/term"

	"github.com/goidx/goidx/examples/internal/config"
	"github.com/goidx/goidx/idx/idxtest"
)

// Program is one run of a terminal example: its command line, where it
// reads and writes, its environment, and, for tests, how the embedded
// fake org is started and how the password set there is made.
type Program struct {
	// Args are the command-line arguments, without the program name.
	Args []string
	// In is read for the answers. When it is a terminal, secrets are read
	// without echo.
	In io.Reader
	// Out is where steps, prompts and results are written.
	Out io.Writer
	// Getenv reads the environment, such as os.Getenv.
	Getenv func(string) string
	// StartOrg starts the embedded fake org; nil means idxtest.NewServer.
	StartOrg func(...idxtest.Option) *idxtest.Server
	// NewPassword makes the password set on the fake org by the automatic
	// answers; nil means RandomPassword.
	NewPassword func() (string, error)

	org  config.Org
	auto bool
}

// AutoHelp is what -h says of the answers, for an example's summary.
const AutoHelp = `The answers are read from standard input: typed at a terminal (passwords
without echo) or piped, one line each. On the built-in fake org, with -auto
or when standard input is neither a terminal, a pipe nor a file (such as
/dev/null), the program answers every step itself instead, reading the
codes from the fake org's outbox. When you type the answers on the fake
org, its demo user and the codes it sends are printed for you.`

// Run reads p's command line and environment (package config, and -auto)
// and calls f. With -h it prints the help, which starts with name and
// summary, and returns flag.ErrHelp; f is not called then.
func (p *Program) Run(ctx context.Context, name, summary string, f func(context.Context, *Program) error) error {
	cmd := config.New(name, summary)
	auto := cmd.Flags.Bool("auto", false, "on the built-in fake org, answer every step automatically (see above)")
	org, err := cmd.Parse(p.Args, p.Getenv, p.Out)
	if err != nil {
		return err
	}
	if *auto && !org.Fake() {
		return &config.UsageError{Err: errors.New("-auto answers only the built-in fake org: unset OKTA_ISSUER (or -issuer) to use it")}
	}
	p.org, p.auto = org, *auto || !answersIn(p.In)
	p.Out = &syncWriter{w: p.Out}
	return f(ctx, p)
}

// answersIn reports whether answers can be read from in: a terminal, a
// pipe, a file or any reader that is not an *os.File; not a character
// device such as /dev/null, nor a closed standard input.
func answersIn(in io.Reader) bool {
	f, ok := in.(*os.File)
	if !ok {
		return in != nil
	}
	if f == nil {
		return false
	}
	if term.IsTerminal(int(f.Fd())) {
		return true
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice == 0
}

// Main runs an example as its main function: on the process's command
// line, standard input and output and environment, until SIGINT or
// SIGTERM. It reports an error on standard error and returns the exit
// status: 0 on success and for -h, 2 for a bad command line, 1 otherwise.
func Main(name, summary string, f func(context.Context, *Program) error) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal, a second one ends the program at once.
		<-ctx.Done()
		stop()
	}()
	p := &Program{Args: os.Args[1:], In: os.Stdin, Out: os.Stdout, Getenv: os.Getenv}
	err := p.Run(ctx, name, summary, f)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		fmt.Fprintf(os.Stderr, "%s: interrupted\n", name)
	default:
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
	}
	return config.ExitCode(err)
}

// Auto reports whether the steps are answered automatically: on the
// fake org, with -auto or nothing to read answers from.
func (p *Program) Auto() bool { return p.auto && p.org.Fake() }

// Org returns the org the configuration names or, with none named, a
// fake org started with the options fake. When the answers are typed on
// the fake org, the codes it sends are printed on Out. The caller must
// Close it.
func (p *Program) Org(fake ...idxtest.Option) (*Org, error) {
	if p.org.Fake() && !p.Auto() {
		fake = append(fake, idxtest.WithEmailHook(func(e idxtest.Email) {
			fmt.Fprintf(p.Out, "  [fake org] %s to %s: code %s\n", e.Channel, e.To, e.Code)
		}))
	}
	return NewOrg(p.org, p.StartOrg, fake...)
}

// Asker returns who answers the steps on org: auto, given the fake org,
// Out and NewPassword, when the answers are automatic; otherwise a
// Prompter on In and Out, after a line telling how to cancel.
func (p *Program) Asker(org *Org, auto *Auto) Asker {
	if org.Fake != nil && p.Auto() {
		auto.Server, auto.Out, auto.NewPassword = org.Fake, p.Out, p.NewPassword
		return auto
	}
	if org.Fake != nil {
		fmt.Fprintf(p.Out, "The fake org's demo user is %s, password %s; its codes are printed here as it sends them.\n",
			idxtest.DemoUsername, idxtest.DemoPassword)
	}
	fmt.Fprintln(p.Out, `Type "cancel" at any prompt to stop.`)
	return NewPrompter(p.In, p.Out)
}

// syncWriter serializes writes: the fake org prints its codes from its
// own goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}
