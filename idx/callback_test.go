package idx_test

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx"
)

func TestParseCallbackURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
		want *idx.Callback // nil: ErrInvalidCallback
	}{
		{"code", "https://app.example.com/cb?interaction_code=abc&state=s1",
			&idx.Callback{State: "s1", InteractionCode: "abc"}},
		{"relative", "/cb?state=s1&interaction_code=abc",
			&idx.Callback{State: "s1", InteractionCode: "abc"}},
		{"error", "/cb?error=access_denied&error_description=User+said+no&state=s1",
			&idx.Callback{State: "s1", Error: "access_denied", ErrorDescription: "User said no"}},
		{"otp", "/cb?otp=123456&state=s1",
			&idx.Callback{State: "s1", OTP: "123456"}},
		{"escaped", "/cb?otp=12%2034&state=a%2Bb",
			&idx.Callback{State: "a+b", OTP: "12 34"}},
		{"other parameters ignored", "/cb?otp=1&state=s&foo=bar&foo=baz",
			&idx.Callback{State: "s", OTP: "1"}},
		{"no state", "/cb?interaction_code=abc", nil},
		{"empty state", "/cb?interaction_code=abc&state=", nil},
		{"nothing", "/cb?state=s", nil},
		{"code and error", "/cb?interaction_code=a&error=x&state=s", nil},
		{"code and otp", "/cb?interaction_code=a&otp=1&state=s", nil},
		{"state twice", "/cb?interaction_code=a&state=s&state=t", nil},
		{"code twice", "/cb?interaction_code=a&interaction_code=a&state=s", nil},
		{"description without error", "/cb?interaction_code=a&state=s&error_description=x", nil},
		{"control character", "/cb?interaction_code=a%0A&state=s", nil},
		{"bad escape", "/cb?interaction_code=%zz&state=s", nil},
		{"semicolon", "/cb?interaction_code=a;b&state=s", nil},
		{"bad URL", "://x?state=s&otp=1", nil},
		{"too long", "/cb?state=s&otp=" + strings.Repeat("1", 2049), nil},
		{"fragment only", "/cb#interaction_code=a&state=s", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := idx.ParseCallbackURL(tc.url)
			if tc.want == nil {
				if !errors.Is(err, idx.ErrInvalidCallback) {
					t.Fatalf("err = %v, want ErrInvalidCallback (got %+v)", err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCallbackSecretsDoNotPrint(t *testing.T) {
	t.Parallel()
	cb, err := idx.ParseCallbackURL("/cb?interaction_code=theSecretCode&state=s")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmtV(cb), fmtPlusV(cb)} {
		if strings.Contains(s, "theSecretCode") {
			t.Errorf("printed secret: %s", s)
		}
	}
	_, err = idx.ParseCallbackURL("/cb?interaction_code=theSecretCode&interaction_code=theSecretCode&state=s")
	if err == nil || strings.Contains(err.Error(), "theSecretCode") {
		t.Errorf("err = %v", err)
	}
}

// callbackReasons are every reason ParseCallbackURL gives.
var callbackReasons = map[string]bool{
	"too long": true, "not a URL": true, "malformed query": true, "no state": true,
	"no interaction_code, otp or error": true, "more than one of interaction_code, otp and error": true,
	"error_description without error": true,
}

func init() {
	for _, p := range []string{"state", "interaction_code", "otp", "error", "error_description"} {
		for _, r := range []string{" repeated", " too long", " has control characters"} {
			callbackReasons["parameter "+p+r] = true
		}
	}
}

// FuzzCallbackURL checks ParseCallbackURL on any input: it never panics,
// an error matches ErrInvalidCallback and quotes no parameter, and a
// result is consistent and survives re-encoding.
func FuzzCallbackURL(f *testing.F) {
	for _, s := range []string{
		"https://app.example.com/cb?interaction_code=abc&state=s1",
		"/cb?error=access_denied&error_description=no&state=s",
		"/cb?otp=123456&state=xyz",
		"/cb?otp=1&state=s&state=t",
		"/cb?interaction_code=%zz&state=s",
		"/cb?interaction_code=a;b&state=s",
		"?state=%00&otp=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		cb, err := idx.ParseCallbackURL(raw)
		if err != nil {
			if !errors.Is(err, idx.ErrInvalidCallback) {
				t.Fatalf("error %v does not match ErrInvalidCallback", err)
			}
			// The reasons form a closed set: nothing of the input is quoted.
			reason, _ := strings.CutPrefix(err.Error(), "idx: invalid callback URL: ")
			if !callbackReasons[reason] {
				t.Fatalf("error %q is not one of the fixed reasons", err)
			}
			return
		}
		if cb.State == "" {
			t.Fatal("no state")
		}
		var n int
		for _, s := range []string{cb.InteractionCode.Reveal(), cb.OTP.Reveal(), cb.Error} {
			if s != "" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d of code, otp, error set", n)
		}
		q := url.Values{"state": {cb.State}}
		for k, v := range map[string]string{"interaction_code": cb.InteractionCode.Reveal(), "otp": cb.OTP.Reveal(),
			"error": cb.Error, "error_description": cb.ErrorDescription} {
			if v != "" {
				q.Set(k, v)
			}
		}
		again, err := idx.ParseCallbackURL("/cb?" + q.Encode())
		if err != nil {
			t.Fatalf("re-encoded callback refused: %v", err)
		}
		if *again != *cb {
			t.Fatalf("re-encoded callback differs: %+v vs %+v", again, cb)
		}
	})
}

func fmtV(v any) string     { return fmt.Sprintf("%v", v) }
func fmtPlusV(v any) string { return fmt.Sprintf("%+v", v) }
