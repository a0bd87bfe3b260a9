package authenticator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
)

func TestCredentialsMore(t *testing.T) {
	t.Parallel()
	wa := func(w authenticator.WebAuthnAnswer) authenticator.Answer { return authenticator.Answer{WebAuthn: &w} }
	tests := []struct {
		name   string
		key    authenticator.Key
		fields []string // nil: Credentials, else CredentialsFor
		answer authenticator.Answer
		want   map[string]any
		ok     bool
	}{
		{"new password enrolls the password", authenticator.OktaPassword, nil, authenticator.Answer{NewPassword: "n"}, map[string]any{"passcode": "n"}, true},
		{"webauthn enrollment", authenticator.WebAuthn, nil, wa(authenticator.WebAuthnAnswer{ClientData: "c", Attestation: "a"}),
			map[string]any{"clientData": "c", "attestation": "a", "transports": "[]", "clientExtensions": "{}"}, true},
		{"webauthn enrollment with transports", authenticator.WebAuthn, nil,
			wa(authenticator.WebAuthnAnswer{ClientData: "c", Attestation: "a", Transports: `["usb"]`, ClientExtensions: `{"credProps":{}}`}),
			map[string]any{"clientData": "c", "attestation": "a", "transports": `["usb"]`, "clientExtensions": `{"credProps":{}}`}, true},
		{"webauthn enrollment, form without transports", authenticator.WebAuthn, []string{"clientData", "attestation"},
			wa(authenticator.WebAuthnAnswer{ClientData: "c", Attestation: "a"}), map[string]any{"clientData": "c", "attestation": "a"}, true},
		{"webauthn verification", authenticator.WebAuthn, nil, wa(authenticator.WebAuthnAnswer{ClientData: "c", AuthenticatorData: "d", SignatureData: "s"}),
			map[string]any{"clientData": "c", "authenticatorData": "d", "signatureData": "s"}, true},
		{"webauthn without signature", authenticator.WebAuthn, nil, wa(authenticator.WebAuthnAnswer{ClientData: "c", AuthenticatorData: "d"}), nil, false},
		{"webauthn without client data", authenticator.WebAuthn, nil, wa(authenticator.WebAuthnAnswer{Attestation: "a"}), nil, false},
		{"webauthn nothing", authenticator.WebAuthn, nil, authenticator.Answer{VerificationCode: "1"}, nil, false},
		{"okta verify code to totp", authenticator.OktaVerify, []string{"totp"}, authenticator.Answer{VerificationCode: "123"}, map[string]any{"totp": "123"}, true},
		{"google otp code to passcode", authenticator.GoogleOTP, []string{"passcode"}, authenticator.Answer{VerificationCode: "123"}, map[string]any{"passcode": "123"}, true},
		{"question fields the form has", authenticator.SecurityQuestion, []string{"answer"},
			authenticator.Answer{Answer: "a", QuestionKey: "custom", Question: "q"}, map[string]any{"answer": "a"}, true},
		{"form without the field", authenticator.OktaEmail, []string{"totp", "other"}, authenticator.Answer{VerificationCode: "1"}, map[string]any{"totp": "1"}, true},
		{"nothing the form asks for", authenticator.WebAuthn, []string{"passcode"}, wa(authenticator.WebAuthnAnswer{ClientData: "c", Attestation: "a"}), nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got map[string]any
			var ok bool
			if tc.fields == nil {
				got, ok = authenticator.Credentials(tc.key, tc.answer)
			} else {
				got, ok = authenticator.CredentialsFor(tc.key, tc.fields, tc.answer)
			}
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseContextualData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		raw     string
		want    *authenticator.ContextualData
		wantErr bool
	}{
		{"absent", ``, nil, false},
		{"null", `null`, nil, false},
		{"qr code and secret", `{"qrcode":{"method":"embedded","href":"data:image/png;base64,AA==","type":"image/png"},"sharedSecret":"S3CR3T"}`,
			&authenticator.ContextualData{QRCode: &authenticator.QRCode{Href: "data:image/png;base64,AA==", Method: "embedded", Type: "image/png"}, SharedSecret: "S3CR3T"}, false},
		{"questions", `{"questionKeys":["a","b"],"questions":[{"questionKey":"a","question":"A?"},{"questionKey":"b","question":"B?"}]}`,
			&authenticator.ContextualData{QuestionKeys: []string{"a", "b"}, Questions: []authenticator.Question{{Key: "a", Text: "A?"}, {Key: "b", Text: "B?"}}}, false},
		{"number challenge as number", `{"correctAnswer":42}`, &authenticator.ContextualData{CorrectAnswer: "42"}, false},
		{"number challenge as string", `{"correctAnswer":"07"}`, &authenticator.ContextualData{CorrectAnswer: "07"}, false},
		{"webauthn", `{"challengeData":{"challenge":"x"},"activationData":null}`,
			&authenticator.ContextualData{ChallengeData: json.RawMessage(`{"challenge":"x"}`)}, false},
		{"unknown members", `{"somethingNew":[1,2]}`, &authenticator.ContextualData{}, false},
		{"duo", `{"integrationType":"IFRAME","host":"api-0000.duosecurity.example","signedToken":"TX|dXNlcg==|ab:APP|dXNlcg==|cd","script":"https://app.example.com/duo.js"}`,
			&authenticator.ContextualData{Duo: &authenticator.DuoPrompt{Host: "api-0000.duosecurity.example", SignedToken: "TX|dXNlcg==|ab:APP|dXNlcg==|cd",
				Script: "https://app.example.com/duo.js", IntegrationType: "IFRAME"}}, false},
		{"bad correct answer", `{"correctAnswer":[1]}`, nil, true},
		{"not an object", `[1]`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := authenticator.ParseContextualData([]byte(tc.raw))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestContextualDataDoesNotPrintSecret(t *testing.T) {
	t.Parallel()
	q := &authenticator.QRCode{Href: "data:image/png;base64,SEEDIMAGE", Method: "embedded", Type: "image/png"}
	c := &authenticator.ContextualData{SharedSecret: "TOPSECRETSEED", QRCode: q, CorrectAnswer: "5"}
	for _, v := range []any{c, q, *c} {
		var out strings.Builder
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
		var logs bytes.Buffer
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("m", "v", v)
		out.Write(logs.Bytes())
		for _, secret := range []string{"TOPSECRETSEED", "SEEDIMAGE"} {
			if strings.Contains(out.String(), secret) {
				t.Errorf("%T shows %s: %s", v, secret, out.String())
			}
		}
	}
	if !strings.Contains(fmt.Sprint(q), `Method: "embedded"`) {
		t.Errorf("QRCode prints %v", q)
	}
	// nil pointers print and log as <nil>.
	var nc *authenticator.ContextualData
	var nq *authenticator.QRCode
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("m", "c", nc, "q", nq)
	if got := fmt.Sprint(nc, nq); got != "<nil> <nil>" || !strings.Contains(logs.String(), "c=<nil> q=<nil>") {
		t.Errorf("nil values print %q and log %q", got, logs.String())
	}
}
