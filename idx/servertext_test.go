package idx_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/goidx/goidx/idx"
)

// Goal: the server's own text (summaries, descriptions, message text) is
// kept in the errors' fields for the caller and never reaches an error
// string, a printed error or its JSON; codes and keys do, when they look
// like codes and keys.
func TestErrorsKeepServerTextOut(t *testing.T) {
	t.Parallel()
	const secret = "CANARY-echoed-password-Zq7"
	msgs := []idx.Message{{Class: "ERROR", Key: "api.authn.error.PASSCODE_INVALID", Text: "Invalid code: " + secret}}
	tests := []struct {
		err  error
		want string // the Error text
		// codeShown is set when the code or key itself is the hostile
		// text: its field, and so JSON, keeps it.
		codeShown bool
	}{
		{
			err:  &idx.APIError{StatusCode: 400, ErrorCode: "E0000001", ErrorSummary: "Api validation failed: " + secret},
			want: "API error E0000001 (HTTP 400)",
		},
		{
			err:  &idx.OAuthError{Endpoint: "token", StatusCode: 400, Code: "invalid_grant", Description: "bad verifier " + secret},
			want: "idx: token endpoint: invalid_grant (HTTP 400)",
		},
		{
			err:  &idx.OAuthError{Endpoint: "interact", StatusCode: 500, Description: secret},
			want: "idx: interact endpoint: error (HTTP 500)",
		},
		{
			err:  &idx.OAuthError{Endpoint: "revoke", StatusCode: 401, Code: "invalid_client", Description: secret},
			want: "idx: revoke endpoint: invalid_client (HTTP 401)",
		},
		{
			err:  &idx.OAuthError{StatusCode: 400, Code: "invalid_request", Description: secret},
			want: "idx: invalid_request (HTTP 400)",
		},
		{
			err:  &idx.OAuthError{Endpoint: "redirect", Code: "access_denied", Description: "User " + secret + " declined"},
			want: "idx: redirect endpoint: access_denied",
		},
		{
			err:  &idx.RejectionError{StatusCode: 400, Messages: msgs},
			want: "idx: request rejected (HTTP 400): api.authn.error.PASSCODE_INVALID",
		},
		{
			err:  (&idx.Transaction{Status: idx.StatusTerminal, Messages: msgs}).Err(),
			want: "idx: transaction ended by the server: api.authn.error.PASSCODE_INVALID",
		},
		// Codes and keys that are not identifiers are not printed.
		{
			err:       &idx.APIError{StatusCode: 400, ErrorCode: "E1 " + secret},
			want:      "API error ? (HTTP 400)",
			codeShown: true,
		},
		{
			err:       &idx.OAuthError{Endpoint: "token", StatusCode: 400, Code: "invalid_grant\nlevel=ERROR msg=" + secret},
			want:      "idx: token endpoint: ? (HTTP 400)",
			codeShown: true,
		},
		{
			err:       &idx.OAuthError{Endpoint: "redirect", Code: `"` + secret + `"`},
			want:      "idx: redirect endpoint: ?",
			codeShown: true,
		},
		{
			err:  (&idx.Transaction{Status: idx.StatusTerminal, Messages: []idx.Message{{Class: "ERROR", Key: strings.Repeat("k", 129)}, {Key: "idx.session.expired"}}}).Err(),
			want: "idx: transaction ended by the server: ?, idx.session.expired",
		},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%T %s", tt.err, tt.want), func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q; want %q", got, tt.want)
			}
			wrapped := fmt.Errorf("idx: call: %w", tt.err)
			b, err := json.Marshal(tt.err)
			if err != nil {
				t.Fatal(err)
			}
			shown := []string{
				fmt.Sprintf("%v", tt.err), fmt.Sprintf("%+v", tt.err), fmt.Sprintf("%#v", tt.err), fmt.Sprintf("%s", tt.err),
				wrapped.Error(), fmt.Sprintf("%+v", wrapped),
			}
			if !tt.codeShown {
				shown = append(shown, string(b))
			}
			for _, s := range shown {
				if strings.Contains(s, secret) {
					t.Errorf("server text shows: %s", s)
				}
			}
		})
	}
	// The fields keep the text for callers who want it.
	ae := tests[0].err.(*idx.APIError)
	oe := tests[1].err.(*idx.OAuthError)
	ce := tests[5].err.(*idx.OAuthError)
	re := tests[6].err.(*idx.RejectionError)
	for name, field := range map[string]string{"ErrorSummary": ae.ErrorSummary, "Description": oe.Description,
		"redirect Description": ce.Description, "Messages[0].Text": re.Messages[0].Text} {
		if !strings.Contains(field, secret) {
			t.Errorf("%s = %q; want the server's text kept", name, field)
		}
	}
}
