package ion_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goidx/goidx/internal/ion"
)

// fixtures lists every document in testdata, for tests that run over all
// of them.
var fixtures = []string{
	"identify-with-password.json",
	"identify-unknown-user.json",
	"select-authenticator-authenticate.json",
	"authenticator-verification-data-email.json",
	"authenticator-verification-data-phone.json",
	"challenge-authenticator-email.json",
	"challenge-authenticator-email-invalid-passcode.json",
	"challenge-authenticator-password.json",
	"challenge-authenticator-security-question.json",
	"enroll-authenticator-security-question.json",
	"select-authenticator-enroll-with-skip.json",
	"success-with-interaction-code.json",
	"session-expired.json",
	"unknown-remediation.json",
	"identify-with-idps.json",
	"identify-locked-out.json",
	"enroll-profile.json",
	"identify-recovery.json",
	"reset-authenticator.json",
	"authenticator-enrollment-data-phone.json",
	"enroll-authenticator-google-otp.json",
	"enroll-poll-okta-verify.json",
	"enrollment-channel-data-email.json",
	"challenge-poll-okta-verify-number.json",
	"challenge-authenticator-okta-verify-totp.json",
	"challenge-authenticator-password-suspended.json",
	"enroll-authenticator-webauthn.json",
	"challenge-authenticator-webauthn.json",
	"select-authenticator-unlock-account.json",
	"terminal-unlock-success.json",
	"challenge-authenticator-security-question-custom.json",
	"select-authenticator-authenticate-sso-extension-first.json",
	"challenge-poll-okta-verify-push-rejected.json",
	"too-many-requests.json",
}

// oddFixtures carry members the SDK reads around, as real orgs send them
// (TestParseOddMembers).
var oddFixtures = []string{
	"reset-authenticator-odd-members.json",
	"authenticator-verification-data-okta-verify-odd-members.json",
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseFixture(t testing.TB, name string) *ion.Response {
	t.Helper()
	r, err := ion.Parse(readFixture(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return r
}

// raw is a json.RawMessage literal.
func raw(s string) json.RawMessage { return json.RawMessage(s) }

// cmpOpts compare parsed documents: raw JSON by its compact form, empty and
// nil slices alike, and the Response's private pointers ignored.
var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b json.RawMessage) bool {
		return bytes.Equal(compact(a), compact(b))
	}),
	cmp.FilterPath(func(p cmp.Path) bool {
		return p.Last().Type() != reflect.TypeFor[json.RawMessage]()
	}, cmpopts.EquateEmpty()),
	cmpopts.IgnoreUnexported(ion.Response{}),
	// Each object's raw JSON is checked on its own (TestAuthenticatorRaw).
	cmpopts.IgnoreFields(ion.Authenticator{}, "Raw"),
}

func compact(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return append([]byte("INVALID:"), b...)
	}
	return out.Bytes()
}

// jsonOf marshals v and decodes it again, so that bodies holding
// json.RawMessage and plain Go values compare by their JSON meaning.
func jsonOf(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	return out
}

// stateHandleField is the hidden, immutable stateHandle field of a form.
func stateHandleField(h string) *ion.Field {
	return &ion.Field{Name: "stateHandle", Required: true, Value: raw(`"` + h + `"`)}
}

// action is a form that carries only the stateHandle (cancel, resend, ...).
func action(name, href, h string) *ion.Form {
	return &ion.Form{
		Name: name, Rel: []string{"create-form"}, Href: href, Method: "POST",
		Accepts:  "application/json; okta-version=1.0.0",
		Produces: "application/ion+json; okta-version=1.0.0",
		Fields:   []*ion.Field{stateHandleField(h)},
	}
}
