package idx_test

// The SDK held against IDX answers captured from real Okta orgs: every
// file of the folder named by OKTA_WIRE_CORPUS is served, over loopback,
// as the answer to introspect, and what the public API makes of it (the
// status, the next step, its authenticator and inputs, the steps on
// offer, the messages, or the typed error) is compared with the project's
// reviewed reading in testdata/okta-wire-corpus.golden. Any change to a
// reading shows as a diff; go test ./idx -run TestWireCorpus -update writes the
// new readings, for review.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata with the current readings")

const corpusGolden = "testdata/okta-wire-corpus.golden"

// corpusOrigin is the made-up org the captures' hrefs point at; the
// harness puts its own address in its place.
const corpusOrigin = "http://localhost:3000"

// corpusStatus is the HTTP status a captured answer is served with, as its
// file name tells: error-NNN-... with NNN, any other error... with 403
// (what the server the captures come from answered them with), the rest
// with 200.
var corpusStatus = regexp.MustCompile(`^errors?-([0-9]{3})-`)

func statusOf(name string) int {
	if m := corpusStatus.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	if strings.HasPrefix(name, "error") {
		return http.StatusForbidden
	}
	return http.StatusOK
}

// corpusDir is the folder of captured answers, OKTA_WIRE_CORPUS. The test
// is skipped, saying so, when it is unset, and fails under CI.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("OKTA_WIRE_CORPUS")
	if dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set, so the captured Okta answers must be read: set OKTA_WIRE_CORPUS to their folder (.ci/run does)")
		}
		t.Skip("SKIPPING the test against captured Okta answers: OKTA_WIRE_CORPUS is not set (point it at a folder of IDX answers, e.g. the okta-wire/idx captures)")
	}
	return dir
}

// corpusReading is what the public API made of one captured answer.
type corpusReading struct {
	file   string
	status int      // the HTTP status it was served with
	head   string   // status and next step, or "error"
	lines  []string // the whole reading (see reading)
}

// readCorpus serves every answer of dir, in name order, as the answer to
// introspect and reads it with Client.Start. A reading that is
// ErrMalformedResponse fails the test.
func readCorpus(t *testing.T, dir string) []corpusReading {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("OKTA_WIRE_CORPUS=%s holds no *.json answers (%v)", dir, err)
	}
	slices.Sort(names)

	o := newScriptOrg(t)
	o.mu.Lock()
	o.anyToken = true
	o.mu.Unlock()
	// No retries: a 429 or a 5xx is read as it comes.
	c := o.client(idx.WithMaxRetries(-1))
	var out []corpusReading
	for _, name := range names {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(name)
		status := statusOf(base)
		o.set("/idp/idx/introspect", scriptReply{status: status, body: strings.ReplaceAll(string(raw), corpusOrigin, o.srv.URL)})
		tx, err := c.Start(context.Background(), idx.StartOptions{})
		if errors.Is(err, idx.ErrMalformedResponse) {
			t.Errorf("%s: refused as malformed: %v", base, err)
		}
		head := "error"
		if err == nil {
			head = string(tx.Status)
			if tx.NextStep != nil {
				head += " " + tx.NextStep.Name
			}
		}
		out = append(out, corpusReading{file: base, status: status, head: head, lines: reading(tx, err)})
	}
	return out
}

// golden compares got with the golden file path, or with -update writes
// it; test is the name of the test, for the message.
func golden(t *testing.T, path, test string, got []string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d lines to %s", len(got), path)
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./idx -run %s -update writes it)", err, test)
	}
	want := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("readings differ from %s (-golden +now); review, then go test ./idx -run %s -update:\n%s", path, test, diff)
	}
}

func TestWireCorpus(t *testing.T) {
	var got []string
	for _, r := range readCorpus(t, corpusDir(t)) {
		got = append(got, fmt.Sprintf("== %s (HTTP %d)", r.file, r.status))
		got = append(got, r.lines...)
	}
	golden(t, corpusGolden, "TestWireCorpus", got)
}

// corpusOktaAuthJSGolden lists the captured answers whose next step (or
// status, or error) okta-auth-js and the SDK see differently.
const corpusOktaAuthJSGolden = "testdata/okta-wire-corpus-okta-auth-js.golden"

// TestWireCorpusOktaAuthJS reads the same captured answers with
// okta-auth-js's idx.authenticate (legacy mode), Okta's own client, and
// lists every answer whose status and next step it sees otherwise than
// the SDK, with both readings, in a golden file: a new difference shows
// as a diff, to be reviewed. The differences reviewed so far are of these
// kinds, each a decision of the SDK's:
//
//   - okta-auth-js's authenticate refuses a remediation outside its
//     sign-in flow (recovery, unlock, registration, device-bound steps,
//     consent and other prompts) with "no remediation of its flow"; the
//     SDK offers every remediation as a step, answered by name.
//   - Where the server offers a step and skip, okta-auth-js takes skip;
//     the SDK takes the step, with CanSkip. It also prefers
//     select-authenticator-enroll to reset-authenticator and redirect-idp
//     to enroll-profile; the SDK takes the first in server order.
//   - An expired session answered with 401 or 403 is TERMINAL for
//     okta-auth-js, ErrTransactionExpired for the SDK.
//   - A 429 with an IDX body is TERMINAL for okta-auth-js, or the step the
//     body carries; for the SDK it is a *RateLimitError that leaves the
//     transaction as it was.
//   - okta-auth-js fails on a relatesTo to an absent currentAuthenticator,
//     which the SDK reads as no authenticator.
//   - An interaction code: okta-auth-js's reader refuses it at the token
//     endpoint (error), the SDK's test org takes any code (SUCCESS).
func TestWireCorpusOktaAuthJS(t *testing.T) {
	dir := corpusDir(t)
	node, err := exec.LookPath("node")
	if err != nil {
		oktaAuthJSMissing(t, "node (Node.js 20 or later) is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(oktaAuthJSDir, "node_modules", "@okta", "okta-auth-js", "package.json")); err != nil {
		oktaAuthJSMissing(t, "okta-auth-js is not installed (%v)", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "corpus.mjs", abs)
	cmd.Dir = oktaAuthJSDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node corpus.mjs: %v\nstderr:\n%s", err, stderr.String())
	}
	theirs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(stdout)), "\n") {
		var r struct {
			File     string `json:"file"`
			Status   string `json:"status"`
			NextStep string `json:"nextStep"`
			Error    string `json:"error"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("node corpus.mjs printed %q: %v", line, err)
		}
		head := r.Status
		if r.NextStep != "" {
			head += " " + r.NextStep
		}
		if r.Error != "" {
			head = "error (" + r.Error + ")"
		}
		theirs[r.File] = head
	}
	ours := readCorpus(t, dir)
	if len(theirs) != len(ours) {
		t.Fatalf("okta-auth-js read %d answers, the SDK %d", len(theirs), len(ours))
	}
	var got []string
	for _, r := range ours {
		h, ok := theirs[r.file]
		if !ok {
			t.Fatalf("okta-auth-js did not read %s", r.file)
		}
		if h == r.head || (r.head == "error" && strings.HasPrefix(h, "error")) {
			continue
		}
		got = append(got, fmt.Sprintf("%s: goidx %s | okta-auth-js %s", r.file, r.head, h))
	}
	golden(t, corpusOktaAuthJSGolden, "TestWireCorpusOktaAuthJS", got)
}

// oktaAuthJSDir holds the okta-auth-js reader, corpus.mjs, beside the
// interop driver of idxtest and its npm lock file.
const oktaAuthJSDir = "idxtest/testdata/interop"

// oktaAuthJSMissing skips the test, saying so, or fails it under CI, where
// .ci/run installs Node.js and okta-auth-js.
func oktaAuthJSMissing(t *testing.T, format string, args ...any) {
	t.Helper()
	const install = " (install Node.js, then run npm ci --prefix idx/idxtest/testdata/interop from the repository root)"
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set, so okta-auth-js must read the captured answers: "+format+install, args...)
	}
	t.Skipf("SKIPPING the okta-auth-js reading of the captured answers: "+format+install, args...)
}

// reading is what the public API made of one answer, in lines.
func reading(tx *idx.Transaction, err error) []string {
	if err != nil {
		return []string{"error: " + describeError(err)}
	}
	head := string(tx.Status)
	var out []string
	switch tx.Status {
	case idx.StatusPending:
		ns := tx.NextStep
		head += " " + ns.Name
		if ns.Authenticator != nil && ns.Authenticator.Key != "" {
			head += " " + string(ns.Authenticator.Key)
		}
		var flags []string
		if ns.CanResend {
			flags = append(flags, "canResend")
		}
		if ns.CanSkip {
			flags = append(flags, "canSkip")
		}
		if ns.Poll != nil {
			flags = append(flags, "poll")
		}
		if len(flags) > 0 {
			head += " (" + strings.Join(flags, ", ") + ")"
		}
		var inputs []string
		for _, in := range ns.Inputs {
			s := in.Name
			if in.Type != "string" {
				s += "(" + in.Type + ")"
			}
			if in.Required {
				s += "*"
			}
			inputs = append(inputs, s)
		}
		out = appendList(out, "inputs", inputs)
		var options []string
		for _, opt := range ns.Options {
			options = append(options, oneLine(opt.Value))
		}
		out = appendList(out, "options", options)
		if c := ns.Captcha; c != nil {
			out = append(out, "  captcha: "+string(c.Type)+" "+c.SiteKey)
		}
		if c := ns.Consent; c != nil {
			// The scopes, "?" after an optional one, and who asks.
			items := []string{"app=" + oneLine(c.App)}
			if c.Browser != "" {
				items = append(items, "browser="+oneLine(c.Browser))
			}
			for _, sc := range c.Scopes {
				n := sc.Name
				if sc.Optional {
					n += "?"
				}
				items = append(items, n)
			}
			out = appendList(out, "consent", items)
		}
		var steps []string
		for _, s := range tx.AvailableSteps {
			steps = append(steps, s.Name)
		}
		out = appendList(out, "steps", steps)
		out = appendList(out, "device", deviceReadings(tx.AvailableSteps))
		if p := ns.PasswordPage; p != nil {
			// The path alone: the harness serves the answer from its own
			// origin.
			u, _ := url.Parse(p.URL)
			out = append(out, "  password page: "+oneLine(p.Label)+" "+u.Path)
		}
		out = appendDeviceAssurance(out, ns.DeviceAssurance)
		var graces []string
		for key, g := range ns.GracePeriods {
			s := string(key)
			if !g.Ends.IsZero() {
				s += " until " + g.Ends.Format(time.RFC3339)
			}
			if g.RemainingSkips >= 0 {
				s += " skips " + strconv.Itoa(g.RemainingSkips)
			}
			graces = append(graces, s)
		}
		slices.Sort(graces)
		out = appendList(out, "grace periods", graces)
		if tx.Rejection != nil {
			out = append(out, "  rejected: "+kinds(tx.Rejection))
		}
	case idx.StatusTerminal:
		if tx.Outcome != "" {
			head += " " + string(tx.Outcome)
		}
		if err := tx.Err(); err != nil {
			out = append(out, "  ended: "+kinds(err))
		}
		out = appendDeviceAssurance(out, tx.DeviceAssurance)
	}
	var msgs []string
	for _, m := range tx.Messages {
		s := m.Class + " " + m.Key
		if m.Field != "" {
			s += " on " + m.Field
		}
		msgs = append(msgs, s)
	}
	out = appendList(out, "messages", msgs)
	return append([]string{head}, out...)
}

// oneLine writes an option value on one line: JSON compacted, other text
// with spaces quoted.
func oneLine(v string) string {
	var b bytes.Buffer
	if strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") {
		if json.Compact(&b, []byte(v)) == nil {
			return b.String()
		}
	}
	if strings.ContainsAny(v, " \t\r\n") {
		return strconv.Quote(v)
	}
	return v
}

func appendList(out []string, label string, items []string) []string {
	if len(items) == 0 {
		return out
	}
	return append(out, "  "+label+": "+strings.Join(items, " "))
}

// kindErrors are the sentinels a rejection or an ended transaction may match.
var kindErrors = []struct {
	name string
	err  error
}{
	{"ErrInvalidPasscode", idx.ErrInvalidPasscode},
	{"ErrInvalidCredentials", idx.ErrInvalidCredentials},
	{"ErrLockedOut", idx.ErrLockedOut},
	{"ErrAccessDenied", idx.ErrAccessDenied},
	{"ErrLinkExpired", idx.ErrLinkExpired},
	{"ErrOperationCanceled", idx.ErrOperationCanceled},
	{"ErrPushRejected", idx.ErrPushRejected},
	{"ErrRateLimited", idx.ErrRateLimited},
	{"ErrTransactionExpired", idx.ErrTransactionExpired},
	{"ErrPasscodeUsed", idx.ErrPasscodeUsed},
	{"ErrNextCodeRequired", idx.ErrNextCodeRequired},
	{"ErrSendLimit", idx.ErrSendLimit},
	{"ErrActivationExpired", idx.ErrActivationExpired},
	{"ErrTokenInvalid", idx.ErrTokenInvalid},
	{"ErrUserSuspended", idx.ErrUserSuspended},
	{"ErrUnlockRefused", idx.ErrUnlockRefused},
	{"ErrDeviceNotCompliant", idx.ErrDeviceNotCompliant},
	{"ErrConsentDenied", idx.ErrConsentDenied},
	{"ErrDeviceNotActivated", idx.ErrDeviceNotActivated},
	{"ErrDeviceConsentDenied", idx.ErrDeviceConsentDenied},
	{"ErrInvalidUserCode", idx.ErrInvalidUserCode},
}

// kinds names the sentinels err matches, else "no known kind".
func kinds(err error) string {
	var names []string
	for _, k := range kindErrors {
		if errors.Is(err, k.err) {
			names = append(names, k.name)
		}
	}
	if len(names) == 0 {
		return "no known kind"
	}
	return strings.Join(names, " ")
}

// callErrors are the sentinels a call's error may match.
var callErrors = []struct {
	name string
	err  error
}{
	{"ErrTransactionExpired", idx.ErrTransactionExpired},
	{"ErrRateLimited", idx.ErrRateLimited},
	{"ErrMalformedResponse", idx.ErrMalformedResponse},
	{"ErrUnexpectedResponse", idx.ErrUnexpectedResponse},
	{"ErrForeignOrigin", idx.ErrForeignOrigin},
	{"ErrOutcomeUnknown", idx.ErrOutcomeUnknown},
	{"ErrInvalidIDToken", idx.ErrInvalidIDToken},
}

// describeError names the typed error of a call and the sentinels it
// matches.
func describeError(err error) string {
	var parts []string
	var (
		rl *idx.RateLimitError
		ae *idx.APIError
		oe *idx.OAuthError
	)
	switch {
	case errors.Is(err, idx.ErrMalformedResponse), errors.Is(err, idx.ErrUnexpectedResponse):
		parts = append(parts, strings.TrimPrefix(err.Error(), "idx: "))
	case errors.As(err, &rl):
		parts = append(parts, "*idx.RateLimitError")
	case errors.As(err, &ae):
		parts = append(parts, fmt.Sprintf("*idx.APIError %s HTTP %d", ae.ErrorCode, ae.StatusCode))
	case errors.As(err, &oe):
		parts = append(parts, fmt.Sprintf("*idx.OAuthError %s %s HTTP %d", oe.Endpoint, oe.Code, oe.StatusCode))
	}
	for _, s := range callErrors {
		if errors.Is(err, s.err) {
			parts = append(parts, s.name)
		}
	}
	if len(parts) == 0 {
		return "untyped: " + err.Error()
	}
	return strings.Join(parts, " ")
}

// deviceReadings names the device-bound steps' hand-off: the step, the
// challenge method ("-" for none), and what the app gets (a URL for the
// browser, loopback ports, the cancel action).
func deviceReadings(steps []idx.NextStep) []string {
	var out []string
	for _, s := range steps {
		d := s.DeviceChallenge
		if d == nil {
			continue
		}
		m := d.Method
		if m == "" {
			m = "-"
		}
		r := s.Name + ":" + m
		if d.Href != "" {
			r += ",href"
		}
		if len(d.Ports) > 0 {
			r += ",ports=" + strconv.Itoa(len(d.Ports))
		}
		if d.CancelStep != "" {
			r += ",cancel=" + d.CancelStep
		}
		out = append(out, r)
	}
	return out
}

// appendDeviceAssurance writes device assurance's reading on one line:
// the grace period's end, each option's changes (with their links'
// count) and the help's link.
func appendDeviceAssurance(out []string, da *idx.DeviceAssurance) []string {
	if da == nil {
		return out
	}
	s := "  device assurance:"
	if !da.GracePeriodEnds.IsZero() {
		s += " grace until " + da.GracePeriodEnds.Format(time.RFC3339)
	}
	for i, o := range da.Options {
		s += fmt.Sprintf(" option%d[", i+1)
		for j, c := range o.Changes {
			if j > 0 {
				s += " "
			}
			s += fmt.Sprintf("%s+%d", strings.TrimPrefix(c.Key, "idx.error.code.access_denied.device_assurance.remediation."), len(c.Links)+len(c.Messages))
		}
		s += "]"
	}
	if da.Help != nil && len(da.Help.Links) > 0 {
		s += " help " + da.Help.Links[0].URL
	}
	return append(out, s)
}
