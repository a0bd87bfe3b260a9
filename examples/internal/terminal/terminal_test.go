package terminal_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/examples/internal/config"
	"github.com/goidx/goidx/examples/internal/terminal"
	"github.com/goidx/goidx/examples/internal/terminal/terminaltest"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

func TestNewOrg(t *testing.T) {
	t.Parallel()
	t.Run("an org", func(t *testing.T) {
		t.Parallel()
		c := config.Org{Issuer: "http://127.0.0.1:1/oauth2/default", ClientID: "0oa1", ClientSecret: "s",
			Scopes: []string{"openid"}, InsecureLoopbackHTTP: true}
		org, err := terminal.NewOrg(c, func(...idxtest.Option) *idxtest.Server {
			t.Error("a fake org was started for a configured org")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		defer org.Close()
		want := idx.Config{Issuer: c.Issuer, ClientID: "0oa1", ClientSecret: "s", RedirectURI: idxtest.DefaultRedirectURI, Scopes: []string{"openid"}}
		if diff := cmp.Diff(want, org.Config); diff != "" || org.Fake != nil || len(org.Options) != 1 {
			t.Errorf("config (-want +got):\n%s\nfake %v, %d options", diff, org.Fake, len(org.Options))
		}
	})
	t.Run("the fake org", func(t *testing.T) {
		t.Parallel()
		var started []idxtest.Option
		org, err := terminal.NewOrg(config.Org{Scopes: []string{"openid", "email"}}, func(opts ...idxtest.Option) *idxtest.Server {
			started = opts
			return idxtest.New(t, opts...)
		}, idxtest.WithPolicy(idxtest.DefaultPolicy()))
		if err != nil {
			t.Fatal(err)
		}
		defer org.Close()
		want := idx.Config{Issuer: org.Fake.Issuer(), ClientID: idxtest.PublicClientID, RedirectURI: idxtest.DefaultRedirectURI, Scopes: []string{"openid", "email"}}
		if diff := cmp.Diff(want, org.Config); diff != "" || len(started) != 1 {
			t.Errorf("config (-want +got):\n%s\nstarted with %d options, want 1", diff, len(started))
		}
		if _, err := idx.NewClient(org.Config, org.Options...); err != nil {
			t.Errorf("NewClient: %v", err)
		}
	})
	t.Run("idxtest.NewServer by default", func(t *testing.T) {
		t.Parallel()
		org, err := terminal.NewOrg(config.Org{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer org.Close()
		if org.Fake == nil || org.Config.Issuer != org.Fake.Issuer() {
			t.Fatalf("org %+v, want the fake org's", org.Config)
		}
	})
}

// TestAnswerMode: where the answers come from, by the command line and
// what standard input is.
func TestAnswerMode(t *testing.T) {
	t.Parallel()
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { devNull.Close() })
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pr.Close(); pw.Close() })
	file, err := os.CreateTemp(t.TempDir(), "answers")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { file.Close() })
	closed, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	org := map[string]string{"OKTA_ISSUER": "https://o.example", "OKTA_CLIENT_ID": "0oa1"}
	tests := []struct {
		name     string
		args     []string
		in       io.Reader
		env      map[string]string
		wantAuto bool
	}{
		{"fake org, a reader", nil, strings.NewReader("x\n"), nil, false},
		{"fake org, a pipe", nil, pr, nil, false},
		{"fake org, a file", nil, file, nil, false},
		{"fake org, /dev/null", nil, devNull, nil, true},
		{"fake org, stdin closed", nil, closed, nil, true},
		{"fake org, no reader", nil, nil, nil, true},
		{"fake org, -auto", []string{"-auto"}, strings.NewReader("x\n"), nil, true},
		{"an org, /dev/null", nil, devNull, org, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &terminal.Program{Args: tt.args, In: tt.in, Out: io.Discard, Getenv: func(k string) string { return tt.env[k] }}
			called := false
			err := p.Run(t.Context(), "example", "", func(_ context.Context, p *terminal.Program) error {
				called = true
				if p.Auto() != tt.wantAuto {
					t.Errorf("Auto() = %v, want %v", p.Auto(), tt.wantAuto)
				}
				return nil
			})
			if err != nil || !called {
				t.Fatalf("Run: %v, called %v", err, called)
			}
		})
	}
}

// TestProgramHelp: -h prints the help and does not run the program.
func TestProgramHelp(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := &terminal.Program{Args: []string{"-h"}, In: strings.NewReader(""), Out: &out, Getenv: func(string) string { return "" }}
	err := p.Run(t.Context(), "example", "Does a thing.\n\n"+terminal.AutoHelp, func(context.Context, *terminal.Program) error {
		t.Error("the program ran")
		return nil
	})
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	terminaltest.CheckInOrder(t, out.String(), "Usage: example [flags]", "Does a thing.", "-auto", "on the built-in fake org", "OKTA_ISSUER")
}

// TestPromptedOnFakeOrg: typed answers on the fake org, whose codes are
// printed as it sends them.
func TestPromptedOnFakeOrg(t *testing.T) {
	t.Parallel()
	var srv *idxtest.Server
	var out bytes.Buffer
	in := &terminaltest.Script{}
	p := &terminal.Program{In: in, Out: &out, Getenv: func(string) string { return "" },
		StartOrg: func(opts ...idxtest.Option) *idxtest.Server { srv = idxtest.New(t, opts...); return srv }}
	err := p.Run(t.Context(), "example", "", func(ctx context.Context, p *terminal.Program) error {
		org, err := p.Org(idxtest.WithPolicy(idxtest.DefaultPolicy()))
		if err != nil {
			return err
		}
		defer org.Close()
		a := p.Asker(org, &terminal.Auto{Inbox: idxtest.DemoUsername})
		if _, ok := a.(*terminal.Prompter); !ok {
			t.Errorf("asker %T, want a Prompter", a)
		}
		client, err := idx.NewClient(org.Config, org.Options...)
		if err != nil {
			return err
		}
		tx, err := client.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
		if err != nil {
			return err
		}
		in.Lines = []func() string{terminaltest.Say("1"), terminaltest.LastCode(t, srv, idxtest.DemoUsername)}
		tx, err = terminal.Drive(ctx, client, client.Authenticate, a, p.Out, tx)
		if err != nil {
			return err
		}
		if tx.Status != idx.StatusSuccess {
			t.Errorf("status %s", tx.Status)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%v\noutput:\n%s", err, out.String())
	}
	code, _ := srv.LastCode(idxtest.DemoUsername)
	terminaltest.CheckInOrder(t, out.String(),
		"The fake org's demo user is demo@example.com, password Demo-Passw0rd!",
		`Type "cancel" at any prompt to stop.`,
		"authenticator: choose 1 (or cancel): ",
		"  [fake org] email to demo@example.com: code "+code+"\n",
		"Code from Email",
	)
}

func TestPrompterAnswer(t *testing.T) {
	t.Parallel()
	choices := []authenticator.Choice{{Label: "Email", Value: "okta_email"}, {Label: "Phone", Value: "phone_number"}}
	plain := &idx.NextStep{Name: "identify"}
	tests := []struct {
		name       string
		step       *idx.NextStep
		in         authenticator.Input
		lines      []string
		want       string
		wantCmd    terminal.Command
		wantOut    []string
		wantErrMsg string
	}{
		{name: "choice by number", step: plain, in: authenticator.Input{Name: "authenticator", Required: true, Options: choices},
			lines: []string{"2"}, want: "phone_number", wantOut: []string{"authenticator: choose 1-2 (or cancel): "}},
		{name: "choice by value after a wrong one", step: plain, in: authenticator.Input{Name: "authenticator", Required: true, Options: choices},
			lines: []string{"3", "okta_email"}, want: "okta_email", wantOut: []string{"not one of the choices"}},
		{name: "optional choice left empty", step: plain, in: authenticator.Input{Name: "methodType", Options: choices[:1]},
			lines: []string{""}, want: "", wantOut: []string{"methodType: choose 1 (or cancel): "}},
		{name: "skip where the step allows it", step: &idx.NextStep{Name: "select-authenticator-enroll", CanSkip: true},
			in:    authenticator.Input{Name: "authenticator", Label: "Authenticator", Required: true, Options: choices},
			lines: []string{"SKIP"}, wantCmd: terminal.Skip, wantOut: []string{"Authenticator: choose 1-2 (or skip, cancel): "}},
		{name: "skip where it does not", step: plain, in: authenticator.Input{Name: "authenticator", Required: true, Options: choices},
			lines: []string{"skip", "1"}, want: "okta_email", wantOut: []string{"not one of the choices"}},
		{name: "boolean yes", step: plain, in: authenticator.Input{Name: "rememberMe", Label: "Keep me signed in", Type: "boolean"},
			lines: []string{"Yes"}, want: "true", wantOut: []string{"Keep me signed in (y/N): "}},
		{name: "boolean anything else", step: plain, in: authenticator.Input{Name: "rememberMe", Type: "boolean"},
			lines: []string{"maybe"}, want: "false"},
		{name: "code asked again when empty", step: &idx.NextStep{Name: "challenge-authenticator"},
			in:    authenticator.Input{Name: "verificationCode", Required: true},
			lines: []string{"", "123456"}, want: "123456", wantOut: []string{"Code: Code: "}},
		{name: "resend only where allowed", step: &idx.NextStep{Name: "challenge-authenticator"},
			in:    authenticator.Input{Name: "verificationCode", Required: true},
			lines: []string{"resend"}, want: "resend"},
		{name: "resend", step: &idx.NextStep{Name: "challenge-authenticator", CanResend: true,
			Authenticator: &idx.Authenticator{DisplayName: "Email"}},
			in:    authenticator.Input{Name: "verificationCode", Required: true},
			lines: []string{"resend"}, wantCmd: terminal.Resend, wantOut: []string{`Code from Email (or "resend"): `}},
		{name: "new password typed twice", step: &idx.NextStep{Name: "enroll-authenticator"},
			in:    authenticator.Input{Name: "password", Required: true, Secret: true},
			lines: []string{"", "a", "b", "c", "c"}, want: "c", wantOut: []string{"the two differ; try again"}},
		{name: "a secret is not a command", step: plain, in: authenticator.Input{Name: "password", Label: "Password", Required: true, Secret: true},
			lines: []string{"cancel"}, want: "cancel", wantOut: []string{"Password: "}},
		{name: "cancel", step: plain, in: authenticator.Input{Name: "username", Required: true},
			lines: []string{"Cancel"}, wantCmd: terminal.Cancel},
		{name: "required asked again", step: plain, in: authenticator.Input{Name: "username", Label: "Username", Required: true},
			lines: []string{"", " ada "}, want: "ada", wantOut: []string{"Username: Username: "}},
		{name: "optional", step: plain, in: authenticator.Input{Name: "nickName"},
			lines: []string{""}, want: "", wantOut: []string{"nickName (optional): "}},
		{name: "input ends", step: plain, in: authenticator.Input{Name: "username", Label: "Username", Required: true},
			wantErrMsg: `reading the answer to "Username": EOF`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var lines []func() string
			for _, l := range tt.lines {
				lines = append(lines, terminaltest.Say(l))
			}
			var out bytes.Buffer
			p := terminal.NewPrompter(&terminaltest.Script{Lines: lines}, &out)
			got, cmd, err := p.Answer(t.Context(), tt.step, tt.in)
			if tt.wantErrMsg != "" {
				if err == nil || err.Error() != tt.wantErrMsg {
					t.Fatalf("err = %v, want %q", err, tt.wantErrMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || cmd != tt.wantCmd {
				t.Errorf("Answer = %q, %v; want %q, %v", got, cmd, tt.want, tt.wantCmd)
			}
			terminaltest.CheckInOrder(t, out.String(), tt.wantOut...)
		})
	}
}

// answerer is an terminal.Asker that answers from a map by input name.
type answerer struct {
	values      map[string]string
	cmd         terminal.Command
	interactive bool
	asked       int
}

func (a *answerer) Answer(_ context.Context, _ *idx.NextStep, in authenticator.Input) (string, terminal.Command, error) {
	a.asked++
	if a.cmd != terminal.None {
		return "", a.cmd, nil
	}
	return a.values[in.Name], terminal.None, nil
}

func (a *answerer) Interactive() bool { return a.interactive }

func TestAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		step    *idx.NextStep
		values  map[string]string
		cmd     terminal.Command
		want    idx.Options
		wantCmd terminal.Command
	}{
		{
			name: "fields, booleans in their fields",
			step: &idx.NextStep{Name: "identify", Inputs: []authenticator.Input{
				{Name: "username"}, {Name: "password"}, {Name: "rememberMe", Type: "boolean"},
			}},
			values: map[string]string{"username": "ada", "password": "pw", "rememberMe": "true"},
			want:   idx.Options{Username: "ada", Password: "pw", RememberMe: ptr(true)},
		},
		{
			name: "rememberMe answered no is sent as false",
			step: &idx.NextStep{Name: "identify", Inputs: []authenticator.Input{
				{Name: "username"}, {Name: "password"}, {Name: "rememberMe", Type: "boolean"},
			}},
			values: map[string]string{"username": "ada", "password": "pw", "rememberMe": "false"},
			want:   idx.Options{Username: "ada", Password: "pw", RememberMe: ptr(false)},
		},
		{
			name: "reset with only the new password",
			step: &idx.NextStep{Name: "reset-authenticator", Inputs: []authenticator.Input{
				{Name: "newPassword"}, {Name: "revokeSessions", Type: "boolean"},
			}},
			values: map[string]string{"newPassword": "pw", "revokeSessions": "false"},
			want:   idx.Options{NewPassword: "pw"},
		},
		{
			name: "reset revoking sessions",
			step: &idx.NextStep{Name: "reset-authenticator", Inputs: []authenticator.Input{
				{Name: "newPassword"}, {Name: "revokeSessions", Type: "boolean"},
			}},
			values: map[string]string{"newPassword": "pw", "revokeSessions": "true"},
			want:   idx.Options{NewPassword: "pw", RevokeSessions: true},
		},
		{
			name:   "a password being set",
			step:   &idx.NextStep{Name: "enroll-authenticator", Inputs: []authenticator.Input{{Name: "password"}}},
			values: map[string]string{"password": "pw"},
			want:   idx.Options{NewPassword: "pw"},
		},
		{
			name: "choices and codes",
			step: &idx.NextStep{Name: "enroll-authenticator", Inputs: []authenticator.Input{
				{Name: "authenticator"}, {Name: "methodType"}, {Name: "phoneNumber"}, {Name: "verificationCode"},
				{Name: "answer"}, {Name: "questionKey"}, {Name: "question"}, {Name: "channel"}, {Name: "email"},
			}},
			values: map[string]string{"authenticator": "phone_number", "methodType": "sms", "phoneNumber": "+15556667777",
				"verificationCode": "1", "answer": "a", "questionKey": "custom", "question": "q", "channel": "email", "email": "e@x"},
			want: idx.Options{Authenticator: authenticator.Key("phone_number"), MethodType: "sms", PhoneNumber: "+15556667777",
				VerificationCode: "1", Answer: "a", QuestionKey: "custom", Question: "q", Channel: "email", Email: "e@x"},
		},
		{
			name: "profile",
			step: &idx.NextStep{Name: "enroll-profile", Inputs: []authenticator.Input{
				{Name: "email"}, {Name: "firstName"}, {Name: "newsletter", Type: "boolean"}, {Name: "nickName"},
			}},
			values: map[string]string{"email": "a@x", "firstName": "Ada", "newsletter": "false"},
			want:   idx.Options{Profile: map[string]any{"email": "a@x", "firstName": "Ada", "newsletter": false}},
		},
		{
			name: "a step with inputs Options has no field for",
			step: &idx.NextStep{Name: "custom-step", Inputs: []authenticator.Input{
				{Name: "username"}, {Name: "credentials.extra"}, {Name: "flag", Type: "boolean"},
			}},
			values: map[string]string{"username": "ada", "credentials.extra": "x", "flag": "true"},
			want: idx.Options{Step: "custom-step", Values: map[string]any{
				"username": "ada", "credentials.extra": "x", "flag": true,
			}},
		},
		{
			name:    "a command",
			step:    &idx.NextStep{Name: "identify", Inputs: []authenticator.Input{{Name: "username"}}},
			cmd:     terminal.Skip,
			wantCmd: terminal.Skip,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, cmd, err := terminal.Answers(t.Context(), &answerer{values: tt.values, cmd: tt.cmd}, tt.step)
			if err != nil {
				t.Fatal(err)
			}
			if cmd != tt.wantCmd {
				t.Errorf("command %v, want %v", cmd, tt.wantCmd)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuto(t *testing.T) {
	t.Parallel()
	srv := idxtest.New(t)
	var out bytes.Buffer
	made := 0
	a := &terminal.Auto{
		Server: srv, Out: &out, Inbox: idxtest.DemoUsername,
		NewPassword: func() (string, error) { made++; return "Pw-made-1", nil },
		Flow: func(s *idx.NextStep, in authenticator.Input) (string, bool, error) {
			switch in.Name {
			case "nickName":
				return "ada", true, nil
			case "broken":
				return "", true, errors.New("broken")
			}
			return "", false, nil
		},
	}
	if a.Interactive() {
		t.Error("Auto is interactive")
	}
	enroll := &idx.NextStep{Name: "enroll-authenticator"}
	tests := []struct {
		name    string
		step    *idx.NextStep
		in      authenticator.Input
		want    string
		wantErr string
	}{
		{name: "flow first", step: enroll, in: authenticator.Input{Name: "nickName", Options: []authenticator.Choice{{Value: "x"}}}, want: "ada"},
		{name: "flow error", step: enroll, in: authenticator.Input{Name: "broken"}, wantErr: "broken"},
		{name: "first choice", step: enroll, in: authenticator.Input{Name: "authenticator", Options: []authenticator.Choice{{Value: "x"}, {Value: "y"}}}, want: "x"},
		{name: "password set", step: enroll, in: authenticator.Input{Name: "password", Required: true}, want: "Pw-made-1"},
		{name: "same password again", step: &idx.NextStep{Name: "reenroll-authenticator"}, in: authenticator.Input{Name: "newPassword"}, want: "Pw-made-1"},
		{name: "no password challenge unless asked", step: &idx.NextStep{Name: "challenge-authenticator"},
			in: authenticator.Input{Name: "password", Required: true}, wantErr: `step challenge-authenticator asks for "password"`},
		{name: "boolean", step: enroll, in: authenticator.Input{Name: "revokeSessions", Type: "boolean", Required: true}, want: "false"},
		{name: "optional", step: enroll, in: authenticator.Input{Name: "middleName"}, want: ""},
		{name: "no code sent", step: enroll, in: authenticator.Input{Name: "verificationCode", Required: true}, wantErr: "the fake org sent no email"},
	}
	for _, tt := range tests { // in order: the password is made once
		got, cmd, err := a.Answer(t.Context(), tt.step, tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || cmd != terminal.None || got != tt.want {
			t.Errorf("%s: Answer = %q, %v, %v; want %q", tt.name, got, cmd, err, tt.want)
		}
	}
	if made != 1 {
		t.Errorf("%d passwords made, want 1", made)
	}
	a.PasswordChallenges = true
	if got, _, err := a.Answer(t.Context(), &idx.NextStep{Name: "challenge-authenticator"}, authenticator.Input{Name: "password"}); err != nil || got != "Pw-made-1" {
		t.Errorf("password challenge: %q, %v", got, err)
	}
	terminaltest.CheckInOrder(t, out.String(),
		"  -> nickName: ada\n",
		"  -> authenticator: x\n",
		"  -> password: a random password, not shown\n",
		"  -> newPassword: a random password, not shown\n",
		"  -> revokeSessions: false\n",
		"  -> password: a random password, not shown\n",
	)
	if strings.Contains(out.String(), "Pw-made-1") || strings.Contains(out.String(), "middleName") {
		t.Errorf("output shows a password or an input left out:\n%s", out.String())
	}
}

func TestRandomPassword(t *testing.T) {
	t.Parallel()
	a, err := terminal.RandomPassword()
	if err != nil {
		t.Fatal(err)
	}
	b, err := terminal.RandomPassword()
	if err != nil {
		t.Fatal(err)
	}
	if a == b || len(a) != 24 || !strings.HasPrefix(a, "Qz9-") {
		t.Errorf("RandomPassword = %q, %q; want two different 24-character passwords", a, b)
	}
}

func ptr[T any](v T) *T { return &v }
