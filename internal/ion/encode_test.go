package ion_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/goidx/goidx/internal/ion"
)

// marshalCases are bodies of every shape Body builds and callers add.
var marshalCases = []map[string]any{
	nil,
	{},
	{"stateHandle": json.RawMessage(`"02abc-_XYZ.09"`), "identifier": "demo@example.com",
		"credentials": map[string]any{"passcode": "Demo-Passw0rd!"}, "rememberMe": false},
	{"authenticator": map[string]any{"id": json.RawMessage(`"autEml00example02"`), "methodType": json.RawMessage(`"email"`)}},
	{"z": 1, "a": 2.5, "m": true, "n": nil, "s": []string{"x"}, "e": json.RawMessage(nil), "o": map[string]any(nil)},
	{"html": "<b>&</b>", "quote": `"q"`, "bs": `a\b`, "ctl": "a\nb\tc\x01", "uni": "é\u2028\u2029", "bad": "\xff",
		"space": "with space", "empty": ""},
	{"raw space": json.RawMessage(`{ "a" : [1, 2] }`), "raw html": json.RawMessage(`"<&>"`), "raw uni": json.RawMessage(`"é"`),
		"raw esc": json.RawMessage(`"a\"b\\u0041"`), "raw num": json.RawMessage(`12.5e3`), "raw obj": json.RawMessage(`{"k":[true,null]}`)},
	{"<key>": "v", "k\"ey": "v", "ключ": "v"},
	{"named": ion.FieldError{Form: "f"}, "nested": map[string]any{"deeper": map[string]any{"x": json.RawMessage(`"y"`)}}},
}

func TestMarshalIsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, body := range marshalCases {
		checkMarshal(t, body)
	}
}

func TestMarshalErrors(t *testing.T) {
	t.Parallel()
	for _, body := range []map[string]any{
		{"raw": json.RawMessage{}},
		{"raw": json.RawMessage(`{"a":`)},
		{"nested": map[string]any{"raw": json.RawMessage(`nope`)}},
		{"chan": make(chan int)},
	} {
		_, want := json.Marshal(body)
		_, got := ion.Marshal(body)
		if (want == nil) != (got == nil) {
			t.Errorf("Marshal(%v): error %v; encoding/json says %v", body, got, want)
		}
	}
}

func checkMarshal(t *testing.T, body map[string]any) {
	t.Helper()
	want, werr := json.Marshal(body)
	got, gerr := ion.Marshal(body)
	if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
		t.Errorf("Marshal(%#v)\n got %s, %v\nwant %s, %v", body, got, gerr, want, werr)
	}
}

func FuzzMarshal(f *testing.F) {
	f.Add("demo@example.com", []byte(`"02abc"`), "k")
	f.Add("<&>\u2028\xff\"\\", []byte(`{ "a" : 1 }`), "é")
	f.Add("", []byte(``), "")
	f.Fuzz(func(t *testing.T, s string, raw []byte, key string) {
		checkMarshal(t, map[string]any{
			key:   s,
			"raw": json.RawMessage(raw),
			"obj": map[string]any{key: json.RawMessage(raw), "s": s},
		})
	})
}

// BenchmarkMarshal encodes the identify step's body, as the client sends
// it, with encoding/json (what the client did before) and with Marshal.
func BenchmarkMarshal(b *testing.B) {
	body := map[string]any{
		"identifier":  "demo@example.com",
		"credentials": map[string]any{"passcode": "Demo-Passw0rd!"},
		"rememberMe":  false,
		"stateHandle": json.RawMessage(`"02XGDpW0PWnxdxLkbFaUl6qGdfVeKQ9Tq3AQq7UEXY"`),
	}
	for _, enc := range []struct {
		name    string
		marshal func(map[string]any) ([]byte, error)
	}{
		{"encoding-json", func(m map[string]any) ([]byte, error) { return json.Marshal(m) }},
		{"ion", ion.Marshal},
	} {
		b.Run(enc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := enc.marshal(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
