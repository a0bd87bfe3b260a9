//go:build linux

package terminal_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/examples/internal/terminal"
	"github.com/goidx/goidx/idx"
)

// openPTY opens a pseudo-terminal: the master, where the test types and
// reads what the terminal shows, and the slave, which the program reads
// as its terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no pseudo-terminal on this machine (CI is set, so this fails instead of skipping): %v", err)
		}
		t.Skipf("SKIPPED: no pseudo-terminal on this machine, so reading a password without echo is not tested: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { master.Close(); slave.Close() })
	return master, slave
}

// TestPrompterSecretsWithoutEcho types at a real terminal: a username is
// echoed, a password is not, and the echo is back afterwards.
func TestPrompterSecretsWithoutEcho(t *testing.T) {
	master, slave := openPTY(t)
	var mu sync.Mutex
	var shown bytes.Buffer // what the terminal shows: the echo
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		buf := make([]byte, 256)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			shown.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	sfd := int(slave.Fd())
	echo := func() bool {
		tio, err := unix.IoctlGetTermios(sfd, unix.TCGETS)
		if err != nil {
			t.Error(err)
			return false
		}
		return tio.Lflag&unix.ECHO != 0
	}
	// typeWhen types line once the terminal's echo is as wanted.
	typeWhen := func(wantEcho bool, line string) {
		deadline := time.Now().Add(3 * time.Second)
		for echo() != wantEcho {
			if time.Now().After(deadline) {
				t.Errorf("the terminal's echo stayed %v; typing anyway", !wantEcho)
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if _, err := master.Write([]byte(line)); err != nil {
			t.Error(err)
		}
	}

	var prompts bytes.Buffer
	p := terminal.NewPrompter(slave, &prompts)
	step := &idx.NextStep{Name: "identify"}
	var typing sync.WaitGroup
	typing.Go(func() { typeWhen(true, "ada\n") })
	user, _, err := p.Answer(t.Context(), step, authenticator.Input{Name: "username", Label: "Username", Required: true})
	if err != nil || user != "ada" {
		t.Fatalf("username %q, %v", user, err)
	}
	typing.Go(func() { typeWhen(false, "s3cret-Passw0rd\n") })
	pw, _, err := p.Answer(t.Context(), step, authenticator.Input{Name: "password", Label: "Password", Required: true, Secret: true})
	if err != nil || pw != "s3cret-Passw0rd" {
		t.Fatalf("password %q, %v", pw, err)
	}
	typing.Wait()
	if !echo() {
		t.Error("the echo is still off after the password")
	}
	slave.Close()
	// The master reads EIO once the slave is closed; close it to be sure.
	time.AfterFunc(5*time.Second, func() { master.Close() })
	<-drained
	mu.Lock()
	got := shown.String()
	mu.Unlock()
	if !strings.Contains(got, "ada") {
		t.Errorf("the username was not echoed (the test sees no echo at all): %q", got)
	}
	if strings.Contains(got, "s3cret") {
		t.Errorf("the terminal showed the password: %q", got)
	}
	if want := "Username: Password: \n"; prompts.String() != want {
		t.Errorf("prompts %q, want %q", prompts.String(), want)
	}
}

// TestPrompterCanceledWhileTyping: a signal (ctx done) during a password
// returns at once and turns the echo back on.
func TestPrompterCanceledWhileTyping(t *testing.T) {
	_, slave := openPTY(t)
	p := terminal.NewPrompter(slave, io.Discard)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, _, err := p.Answer(ctx, &idx.NextStep{Name: "identify"}, authenticator.Input{Name: "password", Required: true, Secret: true})
		errc <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if tio.Lflag&unix.ECHO == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the echo was never turned off")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&unix.ECHO == 0 {
		t.Error("the echo is still off after the cancel")
	}
}
