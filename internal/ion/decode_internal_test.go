package ion

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The decoder of decode.go must give what encoding/json gives. These
// tests compare the two on the fixtures, on odd documents and, fuzzing,
// on anything.

// tricky are documents that probe encoding/json's rules.
var tricky = []string{
	`{}`,
	` {"stateHandle":"h"} `,
	`{"STATEHANDLE":"upper","Version":"v","expiresat":"x"}`,
	`{"stateHandle":"a","stateHandle":"b","stateHandle":null}`,
	"{\"\u212aey\":1,\"version\":\"\\u0031.0\"}",
	`{"st\u0061teHandle":"escaped name"}`,
	`{"remediation":{"value":[{"name":"a","href":"h","rel":["x","y"]}]},"remediation":{"value":[{"name":"b","rel":["z"]}]}}`,
	`{"remediation":{"value":[{"name":"a"},{"name":"b"},{"name":"c"}]},"remediation":{"value":[{"name":"d"}]},"remediation":{"value":[{"label":"x"},{}]}}`,
	`{"remediation":{"value":[]},"messages":{"value":null},"cancel":null}`,
	`{"remediation":{"value":[{"name":"f","refresh":4000,"relatesTo":null,"value":[{"name":"a","required":null,"mutable":null,"visible":false,"value":null}]}]}}`,
	`{"remediation":{"value":[{"name":"f","refresh":-1.5e-3,"value":[{"name":"a","mutable":true,"mutable":false,"visible":true}]}]}}`,
	`{"remediation":{"value":[{"name":"f","refresh":1e400}]}}`,
	`{"remediation":{"value":[{"name":"f","rel":[null,"a",null]}]}}`,
	`{"remediation":{"value":[{"name":"redirect-idp","type":"GOOGLE","idp":{"id":"i","name":"n","id":null},"idp":{"name":"m"},"method":"GET"},{"name":"g","type":null,"idp":null}]}}`,
	`{"remediation":{"value":[{"name":"f","idp":[1]}]}}`,
	`{"remediation":{"value":[{"name":"f","type":1}]}}`,
	`{"remediation":{"value":[{"name":"f","value":[{"name":"authenticator","value":{"form":{"value":[{"name":"channel","options":[{"value":"qrcode"}]}]}}}]}]}}`,
	`{"remediation":{"value":[{"name":"f","rel":[1]}]}}`,
	`{"remediation":{"value":[{"name":"f","value":[{"name":"a","form":{"value":[{"name":"b"}]},"form":{"other":1}}]}]}}`,
	`{"remediation":{"value":[{"name":"f","value":[{"name":"a","options":[{"label":"l","value":{"form":{"value":[{"name":"id","value":"x","mutable":false}]}},"relatesTo":"$.authenticators.value[0]"},{"value":"plain"},{"value":null},{"value":[1,{"a":null}]}]}]}]}}`,
	`{"messages":{"value":[{"message":"m","class":"ERROR","i18n":{"key":"k","params":[1,"a",null,{"x":[true]}]}},{"i18n":null},{"i18n":{"params":null}}]}}`,
	`{"messages":{"value":[{"i18n":{"key":"k","params":[1e400]}}]}}`,
	`{"authenticatorEnrollments":{"value":[{"id":"e","profile":{"email":"d***o@example.com","n":1},"profile":{"phone":"x"},"methods":[{"type":"email"},{"methodType":"sms"},null]}]}}`,
	`{"currentAuthenticatorEnrollment":{"value":{"id":"x","resend":{"name":"resend","value":[]},"poll":null,"contextualData":{"qrcode":{"href":"data:"}}}}}`,
	`{"currentAuthenticator":{"value":null},"currentAuthenticator":{"value":{"key":"k"}}}`,
	`{"user":{"type":"object","value":{"id":"u"}},"app":"x","user":[1]}`,
	"{\"intent\":\"\xff\xfe\",\"version\":\"a\\ud800b\\udc00c\\ud83d\\ude00\\u00e9\\n\\t\\/\\\\\\\"\"}",
	"{\"intent\":\"caf\xc3\xa9 \xe2\x80\xa8\"}",
	`{"stateHandle":5}`,
	`{"stateHandle":{"a":1}}`,
	`{"remediation":["x"]}`,
	`{"remediation":{"value":{"name":"x"}}}`,
	`{"remediation":{"value":["x"]}}`,
	`{"remediation":{"value":[{"name":"f","value":"x"}]}}`,
	`{"remediation":{"value":[{"name":"f","value":[{"name":"a","required":"yes"}]}]}}`,
	`{"remediation":{"value":[{"name":"f","value":[{"name":"a","options":{}}]}]}}`,
	`{"authenticatorEnrollments":{"value":[{"profile":[1]}]}}`,
	`{"authenticatorEnrollments":{"value":[{"methods":"x"}]}}`,
	`{"a":1,}`,
	`{"a":01}`,
	`{"a":-}`,
	`{"a":1.}`,
	`{"a":1e}`,
	`{"a":tru}`,
	`{"a":"\x01"}`,
	`{"a":"\q"}`,
	`{"a":"\u12"}`,
	`{"a" 1}`,
	`{"a":1} x`,
	`{"a":[1,]}`,
	`{"a":{"b":[{"c":null}]}}`,
	`{"stateHandle":"x"`,
	strings.Repeat(`{"a":`, 10001) + `1` + strings.Repeat(`}`, 10001),
	`{"a":` + strings.Repeat(`[`, 9999) + strings.Repeat(`]`, 9999) + `}`,
	`{"a":` + strings.Repeat(`[`, 10000) + strings.Repeat(`]`, 10000) + `}`,
}

func TestDecodeDocIsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, doc := range corpus(t) {
		checkDecode(t, doc)
	}
}

// corpus is the fixtures, the fuzz corpus and tricky.
func corpus(t testing.TB) [][]byte {
	var docs [][]byte
	names, _ := filepath.Glob("testdata/*.json")
	fuzz, _ := filepath.Glob("testdata/fuzz/FuzzParse/*")
	for _, name := range append(names, fuzz...) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(name, "fuzz") {
			// go test fuzz v1: one []byte("...") line.
			for _, line := range strings.Split(string(b), "\n") {
				if s, ok := strings.CutPrefix(line, "[]byte("); ok {
					if u, err := strconv.Unquote(strings.TrimSuffix(s, ")")); err == nil {
						docs = append(docs, []byte(u))
					}
				}
			}
			continue
		}
		docs = append(docs, b)
	}
	for _, s := range tricky {
		docs = append(docs, []byte(s))
	}
	return docs
}

func checkDecode(t *testing.T, doc []byte) {
	t.Helper()
	trimmed := bytes.Trim(doc, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return // Parse refuses it before decoding
	}
	var want, got wireDoc
	werr := json.Unmarshal(doc, &want)
	gerr := decodeDoc(doc, &got)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%.200q: decodeDoc error %v; encoding/json %v", doc, gerr, werr)
	}
	if werr != nil {
		return
	}
	if !reflect.DeepEqual(want, got) {
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(got)
		t.Fatalf("%.200q:\n got %s\nwant %s", doc, gj, wj)
	}
	// The second-pass decoders, on every raw value of the document.
	for _, raw := range rawValues(&got) {
		checkRaw(t, raw)
	}
}

// rawValues lists the raw values the conversion decodes again.
func rawValues(w *wireDoc) []json.RawMessage {
	out := []json.RawMessage{w.User, w.App}
	var forms func(fs []wireField)
	form := func(f *wireForm) {
		if f != nil {
			out = append(out, f.RelatesTo)
			forms(f.Value)
		}
	}
	forms = func(fs []wireField) {
		for _, f := range fs {
			out = append(out, f.Value, f.RelatesTo)
			if f.Form != nil {
				forms(f.Form.Value)
			}
			for _, o := range f.Options {
				out = append(out, o.Value, o.RelatesTo)
			}
		}
	}
	if w.Remediation != nil {
		for i := range w.Remediation.Value {
			form(&w.Remediation.Value[i])
		}
	}
	form(w.Cancel)
	form(w.Success)
	return out
}

func checkRaw(t *testing.T, raw json.RawMessage) {
	t.Helper()
	if len(raw) == 0 {
		return
	}
	// relatesTo: a string, else a list of strings.
	var one string
	var many []string
	ok1 := json.Unmarshal(raw, &one) == nil
	ok2 := !ok1 && json.Unmarshal(raw, &many) == nil
	gone, gok1, gmany, gok2 := (&decoder{}).strings(raw)
	if ok1 != gok1 || ok2 != gok2 || (ok1 && one != gone) || (ok2 && !reflect.DeepEqual(many, gmany)) {
		t.Fatalf("strings(%.100q) = %q %v %q %v; encoding/json %q %v %q %v", raw, gone, gok1, gmany, gok2, one, ok1, many, ok2)
	}
	if s, ok := stringValue(raw); ok != ok1 || s != one {
		t.Fatalf("stringValue(%.100q) = %q, %v; encoding/json %q, %v", raw, s, ok, one, ok1)
	}
	if raw[0] == '{' {
		var o struct {
			Value json.RawMessage `json:"value"`
		}
		_ = json.Unmarshal(raw, &o)
		if got := (&decoder{}).memberValue(raw, "value"); !bytes.Equal(got, o.Value) || (got == nil) != (o.Value == nil) {
			t.Fatalf("memberValue(%.100q) = %q; encoding/json %q", raw, got, o.Value)
		}
		var nested struct {
			Form *wireSubForm `json:"form"`
		}
		werr := json.Unmarshal(raw, &nested)
		var form *wireSubForm
		gerr := (&decoder{}).optionForm(raw, &form)
		if (werr == nil) != (gerr == nil) || (werr == nil && !reflect.DeepEqual(nested.Form, form)) {
			t.Fatalf("optionForm(%.100q) = %v, %v; encoding/json %v, %v", raw, form, gerr, nested.Form, werr)
		}
	}
}

func FuzzDecodeDoc(f *testing.F) {
	for _, doc := range corpus(f) {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkDecode(t, doc)
	})
}
