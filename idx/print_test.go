package idx_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
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

// TestPrintedOptions: Options and StartOptions print and log the fields
// that are set, secrets as "[redacted]" and the rest as they are, the
// same for every verb.
func TestPrintedOptions(t *testing.T) {
	t.Parallel()
	no := false
	tests := []struct {
		name     string
		v        any
		want     string // for every verb
		wantText string // the text handler's attributes
	}{
		{name: "empty Options", v: idx.Options{}, want: "idx.Options{}", wantText: "v=none"},
		{
			name:     "password sign-in",
			v:        idx.Options{State: "st-secret", Username: "ann@example.com", Password: "pw-secret"},
			want:     `idx.Options{State: [redacted], Username: "ann@example.com", Password: [redacted]}`,
			wantText: "v.state=[redacted] v.username=ann@example.com v.password=[redacted]",
		},
		{
			name:     "a code by sms, declining to stay signed in",
			v:        &idx.Options{Authenticator: "phone_number", MethodType: "sms", VerificationCode: "123456", KeepMeSignedIn: &no},
			want:     `idx.Options{KeepMeSignedIn: false, Authenticator: "phone_number", MethodType: "sms", VerificationCode: [redacted]}`,
			wantText: "v.keep_me_signed_in=false v.authenticator=phone_number v.method_type=sms v.verification_code=[redacted]",
		},
		{
			// Declining is an answer: false shows, as nil does not.
			name:     "a sign-in declining to be remembered",
			v:        idx.Options{Username: "ann@example.com", RememberMe: &no},
			want:     `idx.Options{Username: "ann@example.com", RememberMe: false}`,
			wantText: "v.username=ann@example.com v.remember_me=false",
		},
		{
			name:     "a step by values",
			v:        idx.Options{Step: "challenge-authenticator", Values: map[string]any{"credentials.passcode": "123456", "a": 1}},
			want:     `idx.Options{Step: "challenge-authenticator", Values: {"a": [redacted], "credentials.passcode": [redacted]}}`,
			wantText: "v.step=challenge-authenticator v.values.a=[redacted] v.values.credentials.passcode=[redacted]",
		},
		{
			name:     "consent with no scope",
			v:        idx.Options{ConsentScopes: []string{}, WebAuthn: &authenticator.WebAuthnAnswer{ClientData: "cd-secret"}},
			want:     `idx.Options{WebAuthn: [redacted], ConsentScopes: []}`,
			wantText: "v.webauthn=[redacted] v.consent_scopes=[]",
		},
		{name: "empty StartOptions", v: idx.StartOptions{}, want: "idx.StartOptions{}", wantText: "v=none"},
		{
			name:     "step-up",
			v:        idx.StartOptions{ACRValues: []string{idx.ACRTwoFactors}, MaxAge: 5 * time.Minute, LoginHint: "ann@example.com", PromptLogin: true},
			want:     `idx.StartOptions{ACRValues: ["urn:okta:loa:2fa:any"], MaxAge: 5m0s, LoginHint: "ann@example.com", PromptLogin: true}`,
			wantText: "v.acr_values=[urn:okta:loa:2fa:any] v.max_age=5m0s v.login_hint=ann@example.com v.prompt_login=true",
		},
		{
			name:     "tokens",
			v:        &idx.StartOptions{StateHandle: "sh-secret", ActivationToken: "at-secret", RecoveryToken: "rt-secret", OAuthState: "os-secret"},
			want:     `idx.StartOptions{StateHandle: [redacted], ActivationToken: [redacted], RecoveryToken: [redacted], OAuthState: [redacted]}`,
			wantText: "v.state_handle=[redacted] v.activation_token=[redacted] v.recovery_token=[redacted] v.oauth_state=[redacted]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				if diff := cmp.Diff(tt.want, fmt.Sprintf(verb, tt.v)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", verb, diff)
				}
			}
			var logs bytes.Buffer
			slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: dropTimeLevelMsg})).Info("", "v", tt.v)
			if diff := cmp.Diff(tt.wantText, strings.TrimSpace(logs.String())); diff != "" {
				t.Errorf("logged (-want +got):\n%s", diff)
			}
			if strings.Contains(fmt.Sprint(tt.v)+logs.String(), "secret") || strings.Contains(fmt.Sprint(tt.v)+logs.String(), "123456") {
				t.Errorf("a secret shows: %v %s", tt.v, logs.String())
			}
		})
	}
}

// dropTimeLevelMsg keeps a text handler's line to the record's attributes.
func dropTimeLevelMsg(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey) {
		return slog.Attr{}
	}
	return a
}

// TestPrintedOptionsNameEveryField: every field of Options and
// StartOptions, set, is named when printed, so a field added later is
// not left out of the printed form (and is decided secret or not).
func TestPrintedOptionsNameEveryField(t *testing.T) {
	t.Parallel()
	for _, v := range []any{&idx.Options{}, &idx.StartOptions{}} {
		typ := reflect.TypeOf(v).Elem()
		for i := range typ.NumField() {
			f := typ.Field(i)
			t.Run(typ.Name()+"."+f.Name, func(t *testing.T) {
				t.Parallel()
				p := reflect.New(typ)
				p.Elem().Field(i).Set(nonZero(t, f.Type))
				if got := fmt.Sprint(p.Interface()); !strings.Contains(got, f.Name+": ") {
					t.Errorf("set, %s prints %s", f.Name, got)
				}
			})
		}
	}
}

// nonZero is a value of type typ that is not its zero value.
func nonZero(t *testing.T, typ reflect.Type) reflect.Value {
	v := reflect.New(typ).Elem()
	switch typ.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int64:
		v.SetInt(int64(time.Minute))
	case reflect.Pointer:
		v.Set(reflect.New(typ.Elem()))
	case reflect.Slice:
		v.Set(reflect.MakeSlice(typ, 1, 1))
	case reflect.Map:
		v.Set(reflect.MakeMap(typ))
		v.SetMapIndex(reflect.ValueOf("k"), reflect.Zero(typ.Elem()))
	default:
		t.Fatalf("no non-zero value for %s", typ)
	}
	return v
}
