package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunOnFakeOrg(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(t.Context(), strings.NewReader(""), &out, func(string) string { return "" }); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"next step: select-authenticator-authenticate",
		"option: Email (okta_email)",
		"next step: challenge-authenticator",
		"inputs: verificationCode",
		"the code can be resent",
		"Status: SUCCESS",
		"Profile: Demo User <demo@example.com>",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q; output:\n%s", want, got)
		}
	}
}
