//go:build unix

package idxtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/goidx/goidx/idx/idxtest"
)

// rawDriver signs users in over the raw wire with as little client work
// as a client can do (no SDK, no token verification, fixed request
// bodies, answers decoded only for the values the next request needs), so
// that a benchmark of the fake org measures the org.
type rawDriver struct {
	srv    *idxtest.Server
	c      *http.Client
	emails sync.Map // lower-case address -> chan string
	authID string   // the email authenticator's id
}

func newRawDriver(b *testing.B, users int) *rawDriver {
	d := &rawDriver{}
	d.srv = newOrg(b, idxtest.WithEmailHook(func(e idxtest.Email) { d.inbox(e.To) <- e.Code }))
	d.c = d.srv.Client()
	for i := range users {
		u, p := rawUser(i)
		if err := d.srv.AddUser(idxtest.User{Username: u, Password: p}); err != nil {
			b.Fatal(err)
		}
	}
	return d
}

func rawUser(i int) (string, string) {
	return fmt.Sprintf("raw%03d@example.com", i), fmt.Sprintf("Raw-Passw0rd-%03d", i)
}

func (d *rawDriver) inbox(to string) chan string {
	ch, _ := d.emails.LoadOrStore(strings.ToLower(to), make(chan string, 16))
	return ch.(chan string)
}

func (d *rawDriver) post(ctx context.Context, href, ctype string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, href, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	resp, err := d.c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("POST %s: HTTP %d: %s", href, resp.StatusCode, b)
	}
	return b, err
}

func (d *rawDriver) postIon(ctx context.Context, path string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return d.post(ctx, d.srv.URL+path, ionType, body)
}

type handleDoc struct {
	StateHandle       string `json:"stateHandle"`
	InteractionHandle string `json:"interaction_handle"`
}

// flow runs one whole sign-in: interact, introspect, identify, challenge,
// challenge (verification data), answer, token.
func (d *rawDriver) flow(ctx context.Context, user, pass string) error {
	verifier, challenge := pkce()
	form := url.Values{
		"client_id": {idxtest.PublicClientID}, "scope": {"openid profile email"},
		"redirect_uri": {idxtest.DefaultRedirectURI}, "code_challenge": {challenge},
		"code_challenge_method": {"S256"}, "state": {verifier[:16]}, "nonce": {verifier[16:32]},
	}
	b, err := d.post(ctx, d.srv.Issuer()+"/v1/interact", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if err != nil {
		return err
	}
	var h handleDoc
	if err := json.Unmarshal(b, &h); err != nil {
		return err
	}
	if b, err = d.postIon(ctx, "/idp/idx/introspect", map[string]string{"interactionHandle": h.InteractionHandle}); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return err
	}
	sh := h.StateHandle
	if _, err = d.postIon(ctx, "/idp/idx/identify", map[string]any{
		"identifier": user, "credentials": map[string]string{"passcode": pass}, "stateHandle": sh,
	}); err != nil {
		return err
	}
	choice := map[string]any{"authenticator": map[string]string{"id": d.authID, "methodType": "email"}, "stateHandle": sh}
	for range 2 { // select-authenticator-authenticate, authenticator-verification-data
		if _, err = d.postIon(ctx, "/idp/idx/challenge", choice); err != nil {
			return err
		}
	}
	var code string
	select {
	case code = <-d.inbox(user):
	case <-time.After(10 * time.Second):
		return errors.New("no email for " + user)
	}
	if b, err = d.postIon(ctx, "/idp/idx/challenge/answer", map[string]any{
		"credentials": map[string]string{"passcode": code}, "stateHandle": sh,
	}); err != nil {
		return err
	}
	var success struct {
		SuccessWithInteractionCode struct {
			Value []struct {
				Name  string `json:"name"`
				Value string `json:"value"`
			} `json:"value"`
		} `json:"successWithInteractionCode"`
	}
	if err := json.Unmarshal(b, &success); err != nil {
		return err
	}
	token := url.Values{"client_id": {idxtest.PublicClientID}, "code_verifier": {verifier}}
	for _, f := range success.SuccessWithInteractionCode.Value {
		if f.Name == "grant_type" || f.Name == "interaction_code" {
			token.Set(f.Name, f.Value)
		}
	}
	_, err = d.post(ctx, d.srv.Issuer()+"/v1/token", "application/x-www-form-urlencoded", []byte(token.Encode()))
	return err
}

// discover learns the email authenticator's id from an identify answer.
func (d *rawDriver) discover(b *testing.B) {
	ctx := context.Background()
	_, challenge := pkce()
	form := url.Values{
		"client_id": {idxtest.PublicClientID}, "scope": {"openid"}, "redirect_uri": {idxtest.DefaultRedirectURI},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}, "state": {"s"}, "nonce": {"n"},
	}
	body, err := d.post(ctx, d.srv.Issuer()+"/v1/interact", "application/x-www-form-urlencoded", []byte(form.Encode()))
	var h handleDoc
	if err == nil {
		err = json.Unmarshal(body, &h)
	}
	if err == nil {
		body, err = d.postIon(ctx, "/idp/idx/introspect", map[string]string{"interactionHandle": h.InteractionHandle})
	}
	if err == nil {
		err = json.Unmarshal(body, &h)
	}
	if err == nil {
		body, err = d.postIon(ctx, "/idp/idx/identify", map[string]any{
			"identifier": idxtest.DemoUsername, "credentials": map[string]string{"passcode": idxtest.DemoPassword}, "stateHandle": h.StateHandle,
		})
	}
	var doc struct {
		Authenticators struct {
			Value []struct {
				ID  string `json:"id"`
				Key string `json:"key"`
			} `json:"value"`
		} `json:"authenticators"`
	}
	if err == nil {
		err = json.Unmarshal(body, &doc)
	}
	if err != nil {
		b.Fatal(err)
	}
	for _, a := range doc.Authenticators.Value {
		if a.Key == "okta_email" {
			d.authID = a.ID
		}
	}
	if d.authID == "" {
		b.Fatal("no email authenticator offered")
	}
}

// cpuTime is this process's CPU time (user + system) so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkThroughput is how many whole sign-ins the fake org completes
// per second on this machine, RS256 signing of the access and ID tokens
// included, driven from 8 goroutines per CPU in the same process by the
// lean raw-wire client above. flows/s is per second of wall time;
// cpu-ns/op is the process's CPU time (org and lean client) per sign-in;
// requests/op the requests the org served per sign-in.
func BenchmarkThroughput(b *testing.B) {
	const users = 64
	d := newRawDriver(b, users)
	d.discover(b)
	var next atomic.Int32
	if err := d.flow(context.Background(), idxtest.DemoUsername, idxtest.DemoPassword); err != nil {
		b.Fatal(err)
	}
	d.srv.ResetRequestLog()
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	cpu0, start := cpuTime(), time.Now()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		user, pass := rawUser(int(next.Add(1)-1) % users)
		for pb.Next() {
			if err := d.flow(ctx, user, pass); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	requests := 0
	for _, n := range d.srv.RequestCounts() {
		requests += n
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "flows/s")
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
}
