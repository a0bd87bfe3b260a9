package idx_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/goidx/goidx/idx"
)

// TestPrintedValuesHoldNoSecret: a Config, a Client and the memory stores
// print, log and marshal without the client secret, the private key or
// the tokens they hold.
func TestPrintedValuesHoldNoSecret(t *testing.T) {
	t.Parallel()
	const secret = "canary-client-secret-7f3a"
	key := sharedKey()
	cfg := idx.Config{Issuer: "https://example.okta.com/oauth2/default", ClientID: "0oa-print", ClientSecret: secret,
		RedirectURI: "https://app.example.com/cb"}
	c, err := idx.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tokens := idx.NewMemoryTokenStore(time.Hour, time.Now)
	if err := tokens.Save(t.Context(), "st-print", &idx.Tokens{AccessToken: "canary-access-token-19c2", RefreshToken: "canary-refresh-token-55d0"}); err != nil {
		t.Fatal(err)
	}
	txs := idx.NewMemoryTransactionStore(time.Hour, time.Now)
	keyCfg := idx.Config{Issuer: cfg.Issuer, ClientID: "0oa-jwt", PrivateKey: key}
	canaries := []string{secret, "canary-access-token-19c2", "canary-refresh-token-55d0", key.D.String(), fmt.Sprintf("%x", key.D)}
	for name, v := range map[string]any{
		"Config": cfg, "*Config": &cfg, "private key Config": keyCfg, "*Client": c,
		"*MemoryTokenStore": tokens, "*MemoryTransactionStore": txs,
	} {
		var out strings.Builder
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		if b, err := json.Marshal(v); err == nil {
			out.Write(b)
		}
		var logs bytes.Buffer
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("v", "v", v)
		slog.New(slog.NewTextHandler(&logs, nil)).Info("v", "v", v)
		out.Write(logs.Bytes())
		for _, s := range canaries {
			if strings.Contains(out.String(), s) {
				t.Errorf("%s: a secret shows in %q", name, out.String())
			}
		}
		if !strings.Contains(out.String(), "idx.") && !strings.Contains(out.String(), "0oa-") {
			t.Errorf("%s: printed nothing useful: %q", name, out.String())
		}
	}
	if got := fmt.Sprint(cfg); !strings.Contains(got, `ClientSecret: [redacted]`) || !strings.Contains(got, `client_secret_basic`) {
		t.Errorf("Config prints %q", got)
	}
	if got := fmt.Sprint(keyCfg); !strings.Contains(got, `ClientAuth: private_key_jwt`) {
		t.Errorf("private key Config prints %q", got)
	}
}
