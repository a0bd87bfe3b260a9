package idx_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/goidx/goidx/idx"
)

func TestSecretRedacts(t *testing.T) {
	t.Parallel()
	const raw = "eyJ-canary-token"
	tok := &idx.Tokens{AccessToken: raw, IDToken: raw, RefreshToken: raw, TokenType: "Bearer"}
	var printed []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%10s"} {
		printed = append(printed, fmt.Sprintf(verb, tok.AccessToken), fmt.Sprintf(verb, tok), fmt.Sprintf(verb, *tok))
	}
	js, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	printed = append(printed, string(js))
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("tokens", "access", tok.AccessToken, "all", tok)
	printed = append(printed, logs.String())
	for _, p := range printed {
		if strings.Contains(p, "canary") {
			t.Errorf("secret printed: %s", p)
		}
	}
	if tok.AccessToken.Reveal() != raw || string(tok.AccessToken) != raw {
		t.Errorf("Reveal lost the value")
	}
	if got := fmt.Sprint(idx.Secret("")); got != "" {
		t.Errorf("empty secret prints %q", got)
	}
	if !strings.Contains(fmt.Sprint(tok.AccessToken), "REDACTED") {
		t.Errorf("a set secret does not say it is redacted")
	}
}
