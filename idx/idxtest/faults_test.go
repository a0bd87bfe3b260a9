package idxtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// rawPost posts an IDX body to href and returns the response with its body
// read, or the error of the round trip.
func rawPost(ctx context.Context, c *http.Client, href, body string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, href, strings.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", ionType)
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// introspectBody is the introspect request of the flow's interaction.
func introspectBody(f *flow) string {
	return fmt.Sprintf(`{"interactionHandle":%q}`, f.handle)
}

// TestFaultsIDXAndOAuthBodies: a rate limit or server error on an IDX
// request that names a live transaction carries its stateHandle, expiry
// and intent, as Okta's do; on an OAuth endpoint it is Okta's
// management-API body (errorCode E0000047, E0000009).
func TestFaultsIDXAndOAuthBodies(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	f.interact()
	f.introspect()
	for _, kind := range []idxtest.FaultKind{idxtest.FaultRateLimit, idxtest.FaultServerError} {
		if err := srv.InjectFault(idxtest.Fault{Path: "/idp/idx/identify", Kind: kind, Times: 1}); err != nil {
			t.Fatal(err)
		}
		r := f.identify(f.user, f.password)
		if r.status < 429 || str(t, r.doc, "stateHandle") != f.stateHandle || str(t, r.doc, "intent") != "LOGIN" || str(t, r.doc, "expiresAt") == "" {
			t.Errorf("%v on identify: %v", kind, r)
		}
		if _, ok := r.doc["remediation"]; ok {
			t.Errorf("%v on identify answered remediations: %v", kind, r)
		}
		// The transaction is untouched: introspect shows identify.
		rr := postIon(t, f.c, srv.URL+"/idp/idx/introspect", map[string]string{"stateHandle": f.stateHandle})
		f.mustOK("introspect", rr, "identify")
		f.last = rr
	}
	for kind, code := range map[idxtest.FaultKind]string{idxtest.FaultRateLimit: "E0000047", idxtest.FaultServerError: "E0000009"} {
		if err := srv.InjectFault(idxtest.Fault{Path: "/oauth2/default/v1/interact", Kind: kind, Times: 1}); err != nil {
			t.Fatal(err)
		}
		r := postForm(t, srv.Client(), srv.Issuer()+"/v1/interact", url.Values{"client_id": {idxtest.PublicClientID}}, nil)
		if r.header.Get("Content-Type") != "application/json" || r.doc["errorCode"] != code {
			t.Errorf("%v on interact: %v", kind, r)
		}
	}
}

func TestFaultsAnsweringInPlaceOfTheServer(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	srv := newOrg(t, idxtest.WithClock(clk.Now))
	tests := []struct {
		fault      idxtest.Fault
		wantStatus int
		wantType   string
		check      func(t *testing.T, h http.Header, body []byte)
	}{
		{
			fault:      idxtest.Fault{Kind: idxtest.FaultRateLimit, Reset: 1500 * time.Millisecond, Limit: 7},
			wantStatus: 429, wantType: ionType,
			check: func(t *testing.T, h http.Header, body []byte) {
				date, err := http.ParseTime(h.Get("Date"))
				if err != nil {
					t.Fatalf("Date %q: %v", h.Get("Date"), err)
				}
				if want := clk.Now().UTC().Truncate(time.Second); !date.Equal(want) {
					t.Errorf("Date = %v; want the server clock %v", date, want)
				}
				got := []string{h.Get("X-Rate-Limit-Limit"), h.Get("X-Rate-Limit-Remaining"), h.Get("X-Rate-Limit-Reset")}
				want := []string{"7", "0", strconv.FormatInt(date.Unix()+2, 10)}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("rate-limit headers (-want +got):\n%s", diff)
				}
				if !strings.HasPrefix(h.Get("X-Okta-Request-Id"), "idxtest-") {
					t.Errorf("X-Okta-Request-Id = %q", h.Get("X-Okta-Request-Id"))
				}
				// An IDX endpoint answers an Ion document, as Okta's do.
				wantBody := `{"version":"1.0.0","messages":{"type":"array","value":[{"message":"Too many requests","i18n":{"key":"tooManyRequests"},"class":"ERROR"}]}}`
				if string(body) != wantBody {
					t.Errorf("body %s; want %s", body, wantBody)
				}
			},
		},
		{
			fault:      idxtest.Fault{Kind: idxtest.FaultServerError, Status: 503},
			wantStatus: 503, wantType: ionType,
			check: func(t *testing.T, _ http.Header, body []byte) {
				want := `{"version":"1.0.0","messages":{"type":"array","value":[{"message":"Internal Server Error","i18n":{"key":"E0000009"},"class":"ERROR"}]}}`
				if string(body) != want {
					t.Errorf("body %s; want %s", body, want)
				}
			},
		},
		{fault: idxtest.Fault{Kind: idxtest.FaultServerError}, wantStatus: 500, wantType: ionType},
		{
			fault:      idxtest.Fault{Kind: idxtest.FaultBadGatewayHTML},
			wantStatus: 502, wantType: "text/html; charset=utf-8",
			check: func(t *testing.T, _ http.Header, body []byte) {
				if !strings.Contains(string(body), "<html>") {
					t.Errorf("body %q is not an HTML page", body)
				}
			},
		},
		{fault: idxtest.Fault{Kind: idxtest.FaultHTML200}, wantStatus: 200, wantType: "text/html; charset=utf-8"},
		{
			fault:      idxtest.Fault{Kind: idxtest.FaultEmptyBody},
			wantStatus: 200, wantType: "application/json",
			check: func(t *testing.T, _ http.Header, body []byte) {
				if len(body) != 0 {
					t.Errorf("body %q; want none", body)
				}
			},
		},
		{
			fault:      idxtest.Fault{Kind: idxtest.FaultErrorField},
			wantStatus: 200, wantType: "application/json",
			check: func(t *testing.T, _ http.Header, body []byte) {
				var e map[string]any
				if err := json.Unmarshal(body, &e); err != nil || e["error"] != "server_error" {
					t.Errorf("body %s; want an error member", body)
				}
			},
		},
		{
			fault:      idxtest.Fault{Kind: idxtest.FaultEchoError},
			wantStatus: 400, wantType: "application/json",
			check: func(t *testing.T, _ http.Header, body []byte) {
				var e struct {
					Code    string `json:"errorCode"`
					Summary string `json:"errorSummary"`
					Causes  []struct {
						Summary string `json:"errorSummary"`
					} `json:"errorCauses"`
					Error       string `json:"error"`
					Description string `json:"error_description"`
				}
				if err := json.Unmarshal(body, &e); err != nil || e.Code != "E0000001" || e.Error != "invalid_request" || len(e.Causes) != 1 {
					t.Fatalf("body %s; want an Okta and an OAuth error", body)
				}
				for _, s := range []string{e.Summary, e.Causes[0].Summary, e.Description} {
					if !strings.Contains(s, `"interactionHandle":`) {
						t.Errorf("%q does not echo the request", s)
					}
				}
			},
		},
		{
			fault:      idxtest.Fault{Kind: idxtest.FaultEchoMessage},
			wantStatus: 400, wantType: "application/ion+json; okta-version=1.0.0",
			check: func(t *testing.T, _ http.Header, body []byte) {
				var d struct {
					Messages struct {
						Value []struct {
							Message string               `json:"message"`
							Class   string               `json:"class"`
							I18n    struct{ Key string } `json:"i18n"`
						} `json:"value"`
					} `json:"messages"`
				}
				if err := json.Unmarshal(body, &d); err != nil || len(d.Messages.Value) != 1 {
					t.Fatalf("body %s; want one message", body)
				}
				m := d.Messages.Value[0]
				if m.Class != "ERROR" || m.I18n.Key != "errors.E0000001" || !strings.Contains(m.Message, `"interactionHandle":`) {
					t.Errorf("message %+v; want an ERROR echoing the request", m)
				}
			},
		},
		{
			fault:      idxtest.Fault{Kind: idxtest.FaultOversizedBody, Size: 3 << 20},
			wantStatus: 200, wantType: "application/json",
			check: func(t *testing.T, _ http.Header, body []byte) {
				var v map[string]string
				if len(body) != 3<<20 || json.Unmarshal(body, &v) != nil {
					t.Errorf("body of %d bytes (valid JSON: %t); want a JSON object of %d", len(body), json.Valid(body), 3<<20)
				}
			},
		},
		{
			fault:      idxtest.Fault{Kind: idxtest.FaultOversizedHeader, Size: 32 << 10},
			wantStatus: 200, wantType: "application/json",
			check: func(t *testing.T, h http.Header, _ []byte) {
				n := 0
				for k, v := range h {
					n += len(k) + len(strings.Join(v, ""))
				}
				if n < 32<<10 {
					t.Errorf("headers of %d bytes; want at least %d", n, 32<<10)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.fault.Kind.String(), func(t *testing.T) {
			f := newFlow(t, srv)
			f.interact()
			fault := tt.fault
			fault.Method, fault.Path, fault.Times = "POST", "/idp/idx/introspect", 1
			if err := srv.InjectFault(fault); err != nil {
				t.Fatal(err)
			}
			resp, body, err := rawPost(t.Context(), srv.Client(), srv.URL+"/idp/idx/introspect", introspectBody(f))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || resp.Header.Get("Content-Type") != tt.wantType {
				t.Errorf("HTTP %d %q; want %d %q", resp.StatusCode, resp.Header.Get("Content-Type"), tt.wantStatus, tt.wantType)
			}
			if tt.check != nil {
				tt.check(t, resp.Header, body)
			}
			// The fault is spent: the interaction is untouched and the next
			// introspect answers normally.
			if r := f.introspect(); r.status != http.StatusOK {
				t.Errorf("introspect after the fault: %v", r)
			}
		})
	}
}

func TestFaultsAlteringTheAnswer(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	// identify processes the password: afterwards the transaction offers
	// the authenticator choice, whether or not the client saw the answer.
	processed := func(t *testing.T, f *flow) bool {
		t.Helper()
		r := postIon(t, f.c, f.srv.URL+"/idp/idx/introspect", map[string]string{"stateHandle": f.stateHandle})
		names := remediationNames(t, r.doc)
		return len(names) > 0 && names[0] == "select-authenticator-authenticate"
	}
	tests := []struct {
		kind          idxtest.FaultKind
		wantProcessed bool
		check         func(t *testing.T, resp *http.Response, body []byte, err error)
	}{
		{
			kind: idxtest.FaultDropBeforeProcessing, wantProcessed: false,
			check: func(t *testing.T, _ *http.Response, _ []byte, err error) {
				if err == nil {
					t.Error("the connection was not dropped")
				}
			},
		},
		{
			kind: idxtest.FaultDropAfterProcessing, wantProcessed: true,
			check: func(t *testing.T, _ *http.Response, _ []byte, err error) {
				if err == nil {
					t.Error("the connection was not dropped")
				}
			},
		},
		{
			kind: idxtest.FaultTruncatedJSON, wantProcessed: true,
			check: func(t *testing.T, resp *http.Response, body []byte, err error) {
				if err != nil || resp.StatusCode != 200 || len(body) == 0 || json.Valid(body) || !strings.HasPrefix(string(body), "{") {
					t.Errorf("got %v %v %q; want a 200 with a cut JSON body", resp, err, body)
				}
			},
		},
		{
			kind: idxtest.FaultWrongContentType, wantProcessed: true,
			check: func(t *testing.T, resp *http.Response, body []byte, err error) {
				if err != nil || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || !json.Valid(body) {
					t.Errorf("got %v %v %q; want the JSON answer as text/plain", resp, err, body)
				}
			},
		},
		{
			kind: idxtest.FaultForeignHrefs, wantProcessed: true,
			check: func(t *testing.T, resp *http.Response, body []byte, err error) {
				if err != nil || !json.Valid(body) || strings.Contains(string(body), srv.URL) ||
					!strings.Contains(string(body), `"https://evil.example/idp/idx/challenge"`) {
					t.Errorf("got %v %v %s; want the answer with the foreign origin in its hrefs", resp, err, body)
				}
			},
		},
		{
			kind: idxtest.FaultHrefSuffix, wantProcessed: true,
			check: func(t *testing.T, resp *http.Response, body []byte, err error) {
				if err != nil || !json.Valid(body) || !strings.Contains(string(body), `"`+srv.URL+`/idp/idx/challenge?debug=1"`) ||
					strings.Contains(string(body), `"`+srv.URL+`/idp/idx/challenge"`) {
					t.Errorf("got %v %v %s; want the answer with the suffix on its hrefs", resp, err, body)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			f := newFlow(t, srv)
			f.interact()
			f.introspect()
			href := str(t, form(t, f.last.doc, "identify"), "href")
			if err := srv.InjectFault(idxtest.Fault{Method: "POST", Path: "/idp/idx/identify", Times: 1, Kind: tt.kind, Origin: "https://evil.example", Suffix: "?debug=1"}); err != nil {
				t.Fatal(err)
			}
			body := fmt.Sprintf(`{"stateHandle":%q,"identifier":%q,"credentials":{"passcode":%q}}`, f.stateHandle, f.user, f.password)
			resp, b, err := rawPost(t.Context(), srv.Client(), href, body)
			tt.check(t, resp, b, err)
			if got := processed(t, f); got != tt.wantProcessed {
				t.Errorf("request processed: %t; want %t", got, tt.wantProcessed)
			}
		})
	}
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	f.interact()
	if err := srv.InjectFault(idxtest.Fault{Path: "/idp/idx/introspect", Times: 1, Kind: idxtest.FaultDelay, Delay: 10 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := f.introspect()
	if elapsed := time.Since(start); elapsed < 10*time.Millisecond {
		t.Errorf("answered after %v; want a delay of at least 10ms", elapsed)
	}
	if len(remediationNames(t, r.doc)) == 0 {
		t.Errorf("delayed answer %v is not the IDX document", r)
	}
}

func TestFaultHang(t *testing.T) {
	t.Parallel()
	t.Run("until the client gives up", func(t *testing.T) {
		t.Parallel()
		srv := newOrg(t)
		if err := srv.InjectFault(idxtest.Fault{Path: "/idp/idx/introspect", Kind: idxtest.FaultHang}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		_, _, err := rawPost(ctx, srv.Client(), srv.URL+"/idp/idx/introspect", `{}`)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v; want the client's deadline", err)
		}
		// Close returns: the hung handler ended when the client left.
		srv.Close()
	})
	t.Run("until the server closes", func(t *testing.T) {
		t.Parallel()
		srv := newOrg(t)
		if err := srv.InjectFault(idxtest.Fault{Path: "/idp/idx/introspect", Kind: idxtest.FaultHang}); err != nil {
			t.Fatal(err)
		}
		errc := make(chan error, 1)
		go func() {
			_, _, err := rawPost(context.Background(), srv.Client(), srv.URL+"/idp/idx/introspect", `{}`)
			errc <- err
		}()
		for srv.RequestCounts()["POST /idp/idx/introspect"] == 0 {
			time.Sleep(time.Millisecond)
		}
		srv.Close()
		if err := <-errc; err == nil {
			t.Error("the hung request got an answer")
		}
	})
}

func TestFaultMatchingAndTimes(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	disc := srv.Issuer() + "/.well-known/openid-configuration"
	status := func() int {
		t.Helper()
		return get(t, srv.Client(), disc, nil).status
	}
	// A fault for another method or path does not apply.
	for _, f := range []idxtest.Fault{
		{Method: "POST", Path: "/oauth2/default/.well-known/openid-configuration", Kind: idxtest.FaultServerError},
		{Path: "/oauth2/default/v1/keys", Kind: idxtest.FaultServerError},
	} {
		if err := srv.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	if got := status(); got != 200 {
		t.Fatalf("status %d with non-matching faults", got)
	}
	srv.ClearFaults()
	if n := srv.PendingFaults(); n != 0 {
		t.Fatalf("PendingFaults = %d after ClearFaults", n)
	}
	if err := srv.InjectFault(idxtest.Fault{Method: "get", Path: "/oauth2/default/.well-known/openid-configuration", Times: 2, Kind: idxtest.FaultServerError, Status: 504}); err != nil {
		t.Fatal(err)
	}
	if err := srv.InjectFault(idxtest.Fault{Path: "/oauth2/default/.well-known/openid-configuration", Kind: idxtest.FaultServerError, Status: 502}); err != nil {
		t.Fatal(err)
	}
	got := []int{status(), status(), srv.PendingFaults(), status(), status()}
	if diff := cmp.Diff([]int{504, 504, 1, 502, 502}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	srv.ClearFaults()
	if got := status(); got != 200 {
		t.Errorf("status %d after ClearFaults", got)
	}
}

func TestInjectFaultRejectsInvalid(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	for _, f := range []idxtest.Fault{
		{Path: "/idp/idx/introspect"},
		{Path: "/idp/idx/introspect", Kind: 99},
		{Kind: idxtest.FaultHang},
		{Path: "idp/idx/introspect", Kind: idxtest.FaultHang},
		{Path: "/x", Kind: idxtest.FaultServerError, Status: 501},
		{Path: "/x", Kind: idxtest.FaultDelay},
		{Path: "/x", Kind: idxtest.FaultRateLimit, Reset: -time.Second},
		{Path: "/x", Kind: idxtest.FaultOversizedBody, Size: -1},
		{Path: "/x", Kind: idxtest.FaultForeignHrefs},
		{Path: "/x", Kind: idxtest.FaultForeignHrefs, Origin: "ftp://evil.example"},
		{Path: "/x", Kind: idxtest.FaultHrefSuffix},
		{Path: "/x", Kind: idxtest.FaultHrefSuffix, Suffix: `?a="b`},
		{Path: "/x", Kind: idxtest.FaultHrefSuffix, Suffix: "?a=\n"},
	} {
		if err := srv.InjectFault(f); err == nil {
			t.Errorf("InjectFault(%+v) accepted an invalid fault", f)
		}
	}
	if n := srv.PendingFaults(); n != 0 {
		t.Errorf("%d faults injected", n)
	}
}

func TestRequestRecording(t *testing.T) {
	t.Parallel()
	t.Run("off by default", func(t *testing.T) {
		t.Parallel()
		srv := newOrg(t)
		get(t, srv.Client(), srv.Issuer()+"/.well-known/openid-configuration", nil)
		if r := srv.Requests(); r != nil {
			t.Errorf("Requests() = %v without WithRequestRecording", r)
		}
	})
	t.Run("on", func(t *testing.T) {
		t.Parallel()
		srv := newOrg(t, idxtest.WithRequestRecording())
		if err := srv.InjectFault(idxtest.Fault{Path: "/idp/idx/introspect", Times: 1, Kind: idxtest.FaultServerError}); err != nil {
			t.Fatal(err)
		}
		get(t, srv.Client(), srv.Issuer()+"/.well-known/openid-configuration?x=1", map[string]string{"X-Forwarded-For": "203.0.113.9"})
		if _, _, err := rawPost(t.Context(), srv.Client(), srv.URL+"/idp/idx/introspect", `{"interactionHandle":"h"}`); err != nil {
			t.Fatal(err)
		}
		reqs := srv.Requests()
		type view struct {
			Method, Path, RawQuery, XFF, Body string
			Fault                             idxtest.FaultKind
		}
		var got []view
		for _, r := range reqs {
			got = append(got, view{r.Method, r.Path, r.RawQuery, r.Header.Get("X-Forwarded-For"), string(r.Body), r.Fault})
		}
		want := []view{
			{"GET", "/oauth2/default/.well-known/openid-configuration", "x=1", "203.0.113.9", "", 0},
			{"POST", "/idp/idx/introspect", "", "", `{"interactionHandle":"h"}`, idxtest.FaultServerError},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("recorded requests (-want +got):\n%s", diff)
		}
		reqs[0].Header.Set("X-Forwarded-For", "changed")
		if srv.Requests()[0].Header.Get("X-Forwarded-For") != "203.0.113.9" {
			t.Error("Requests returned the server's own header map")
		}
		srv.ResetRequestLog()
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%d requests recorded after ResetRequestLog", n)
		}
	})
}

func TestFaultKindString(t *testing.T) {
	t.Parallel()
	got := []string{idxtest.FaultRateLimit.String(), idxtest.FaultForeignHrefs.String(), idxtest.FaultKind(0).String()}
	if diff := cmp.Diff([]string{"RateLimit", "ForeignHrefs", "FaultKind(0)"}, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

// A test can make the fake org answer the next discovery request with a
// 503, as an overloaded org would, and check what the code under test does.
func ExampleServer_InjectFault() {
	org := idxtest.NewServer()
	defer org.Close()

	err := org.InjectFault(idxtest.Fault{
		Method: "GET",
		Path:   "/oauth2/default/.well-known/openid-configuration",
		Times:  1,
		Kind:   idxtest.FaultServerError,
		Status: http.StatusServiceUnavailable,
	})
	if err != nil {
		panic(err)
	}
	for range 2 {
		resp, err := org.Client().Get(org.Issuer() + "/.well-known/openid-configuration")
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.Status)
	}
	// Output:
	// 503 Service Unavailable
	// 200 OK
}
