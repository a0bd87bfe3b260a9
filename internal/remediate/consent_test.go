package remediate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/ion"
)

// Goal: a consent step is answered from the consent and optedScopes
// values alone, the granular scopes by their whole names, and the values
// are used up.
func TestNextConsent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, fixture string
		values        Values
		step          string
		wantBody      map[string]any // without the stateHandle; nil: no submission
		wantErr       bool
	}{
		{name: "consent allowed", fixture: "consent-enduser.json", values: Values{"consent": true},
			wantBody: map[string]any{"consent": true}},
		{name: "consent refused, as a web form posts it", fixture: "consent-admin.json", values: Values{"consent": "false"},
			wantBody: map[string]any{"consent": false}},
		{name: "no value", fixture: "consent-enduser.json", values: Values{"username": "x"}},
		{name: "not a boolean", fixture: "consent-enduser.json", values: Values{"consent": "yes"}, wantErr: true},
		{name: "granular, prefixes of each other", fixture: "consent-granular-prefix-collision.json",
			values: Values{"optedScopes": []string{"custom1"}},
			wantBody: map[string]any{"consent": true, "optedScopes": map[string]any{
				"openid": true, "custom1": true, "custom1.custom2": false, "profile": true}}},
		{name: "granular, names from JSON", fixture: "consent-granular-prefix-collision.json",
			values: Values{"consent": true, "optedScopes": []any{"custom1.custom2"}},
			wantBody: map[string]any{"consent": true, "optedScopes": map[string]any{
				"openid": true, "custom1": false, "custom1.custom2": true, "profile": true}}},
		{name: "granular, one name alone", fixture: "consent-granular-prefix-collision.json",
			values: Values{"consent": "true", "optedScopes": "custom1.custom2"},
			wantBody: map[string]any{"consent": true, "optedScopes": map[string]any{
				"openid": true, "custom1": false, "custom1.custom2": true, "profile": true}}},
		{name: "granular, a dotted path is no scope", fixture: "consent-granular-prefix-collision.json",
			values: Values{"optedScopes": []string{"custom1.custom2.custom3"}}, wantErr: true},
		{name: "granular, refused with scopes", fixture: "consent-granular.json",
			values: Values{"consent": false, "optedScopes": []string{"email"}}, wantErr: true},
		{name: "granular, taken by name with no value", fixture: "consent-granular.json", step: StepGranularConsent,
			wantErr: true}, // consent is required
		{name: "email link", fixture: "email-challenge-consent.json", values: Values{"consent": true},
			wantBody: map[string]any{"consent": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := readFixture(t, tt.fixture)
			v := Values{}
			for k, x := range tt.values {
				v[k] = x
			}
			s, err := Next(r, v, Options{Step: tt.step})
			if tt.wantErr {
				var fe *ion.FieldError
				if !errors.As(err, &fe) {
					t.Fatalf("Next: %v, %v; want a *ion.FieldError", s, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if tt.wantBody == nil {
				if s != nil {
					t.Fatalf("Next submitted %s", s.Form.Name)
				}
				return
			}
			if s == nil {
				t.Fatal("Next: no submission")
			}
			// As sent: the values of options are the org's raw JSON.
			b, err := ion.Marshal(s.Body)
			if err != nil {
				t.Fatal(err)
			}
			var body map[string]any
			if err := json.Unmarshal(b, &body); err != nil {
				t.Fatal(err)
			}
			delete(body, "stateHandle")
			if diff := cmp.Diff(tt.wantBody, body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			s.Consume(v)
			if len(v) != 0 {
				t.Errorf("values left after Consume: %v", v)
			}
		})
	}
}

// Goal: the org's answer to an unknown user code, which has no
// remediation, keeps the user-code step with the answer's message; any
// other answer is kept as it is.
func TestKeepUserCodeStep(t *testing.T) {
	t.Parallel()
	prev := Answer{Response: readFixture(t, "device-code-activate.json"), Raw: []byte("prev")}
	refused := Answer{Response: readFixture(t, "error-invalid-device-code.json"), Status: 400, Raw: []byte("refused")}
	got := keepUserCodeStep(prev, refused)
	if got.Response.Remediation(StepUserCode) == nil || string(got.Raw) != "prev" || got.Status != 400 {
		t.Errorf("kept answer: remediations %d, raw %q, status %d; want user-code, the previous raw, 400",
			len(got.Response.Remediations), got.Raw, got.Status)
	}
	if len(got.Response.Messages) != 1 || got.Response.Messages[0].Key != keyInvalidUserCode {
		t.Errorf("messages %+v, want the refusal's", got.Response.Messages)
	}
	if len(prev.Response.Messages) != 0 {
		t.Errorf("the previous answer was changed: %+v", prev.Response.Messages)
	}
	for _, other := range []string{"terminal-device-activated.json", "error-device-code-activate.json"} {
		a := Answer{Response: readFixture(t, other), Raw: []byte(other)}
		if got := keepUserCodeStep(prev, a); string(got.Raw) != other {
			t.Errorf("%s was replaced", other)
		}
	}
	// Another step's answer without remediation is an end.
	a := Answer{Response: readFixture(t, "error-invalid-device-code.json"), Raw: []byte("x")}
	if got := keepUserCodeStep(Answer{Response: readFixture(t, "consent-enduser.json")}, a); string(got.Raw) != "x" {
		t.Error("an answer after another step was replaced")
	}
}

// readFixture parses a fixture of the ion package.
func readFixture(t *testing.T, name string) *ion.Response {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "ion", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ion.Parse(b)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return r
}
