package idxtest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// poll posts the poll action of the last answer's current enrollment.
func (f *flow) poll() reply {
	f.t.Helper()
	href := str(f.t, f.last.doc, "currentAuthenticatorEnrollment", "value", "poll", "href")
	r := postIon(f.t, f.c, href, map[string]string{"stateHandle": f.stateHandle})
	f.last = r
	return r
}

// postLink confirms a magic link as from another device.
func postLink(t *testing.T, c *http.Client, link string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, link, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, c, req)
}

// TestEmailMagicLink: the email carries a link that sends the browser to
// the app's redirect URI with the code and the interaction's state; the
// app answers the challenge with that code.
func TestEmailMagicLink(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	f.toChallenge()
	msg := lastMessage(t, srv, f.user)
	if !strings.HasPrefix(msg.Link, srv.URL+"/email/verify?token=") || !strings.Contains(msg.Body, msg.Link) {
		t.Fatalf("email link %q, body %q", msg.Link, msg.Body)
	}
	if strings.Contains(msg.Link, f.stateHandle) || strings.Contains(msg.Link, msg.Code) {
		t.Error("the link carries the stateHandle or the code")
	}
	poll := path(t, f.last.doc, "currentAuthenticatorEnrollment", "value", "poll")
	want := mustJSON(t, `{"rel": ["create-form"], "name": "poll", "href": "`+srv.URL+`/idp/idx/challenge/poll",
		"method": "POST", "produces": "application/ion+json; okta-version=1.0.0", "refresh": 4000,
		"value": [{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false}],
		"accepts": "application/json; okta-version=1.0.0"}`)
	if diff := cmp.Diff(want, poll); diff != "" {
		t.Errorf("poll (-want +got):\n%s", diff)
	}

	r := get(t, f.c, msg.Link, nil)
	if r.status != http.StatusFound {
		t.Fatalf("GET link: %v", r)
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != idxtest.DefaultRedirectURI {
		t.Errorf("redirected to %q", got)
	}
	if diff := cmp.Diff(url.Values{"otp": {msg.Code}, "state": {f.state}}, loc.Query()); diff != "" {
		t.Errorf("redirect query (-want +got):\n%s", diff)
	}
	f.mustOK("answer with the otp", f.answer(loc.Query().Get("otp")))
	if diff := cmp.Diff([]string{"pwd", "email"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
	// The challenge is over: the link has expired.
	r = get(t, f.c, msg.Link, nil)
	if r.status != http.StatusOK || !cmp.Equal([]string{"idx.return.link.expired"}, messageKeys(t, r.doc)) {
		t.Errorf("link after the sign-in: %v", r)
	}
}

// TestEmailPoll: polling answers the challenge unchanged until the link is
// confirmed on another device; then the poll completes the challenge.
func TestEmailPoll(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	f.toChallenge()
	before := f.last
	r := f.poll()
	f.mustOK("poll", r, "challenge-authenticator", "select-authenticator-authenticate")
	if diff := cmp.Diff(before.doc, r.doc); diff != "" {
		t.Errorf("poll changed the answer (-before +after):\n%s", diff)
	}

	msg := lastMessage(t, srv, f.user)
	r = postLink(t, f.c, msg.Link)
	if r.status != http.StatusOK {
		t.Fatalf("confirm link: %v", r)
	}
	want := mustJSON(t, `{"type": "array", "value": [{"message": "Please return to the original tab.",
		"i18n": {"key": "idx.return.to.original.tab"}, "class": "INFO"}]}`)
	if diff := cmp.Diff(want, r.doc["messages"]); diff != "" {
		t.Errorf("confirm messages (-want +got):\n%s", diff)
	}
	if got, _ := r.doc["stateHandle"].(string); got == "" || got == f.stateHandle {
		t.Errorf("the other device got stateHandle %q, want one of its own", got)
	} else if rr := postIon(t, f.c, srv.URL+"/idp/idx/introspect", map[string]string{"stateHandle": got}); rr.status != http.StatusUnauthorized {
		t.Errorf("the link page's stateHandle names a transaction: %v", rr)
	}
	if _, ok := r.doc["remediation"]; ok {
		t.Error("the confirmation offers remediations")
	}
	if got := str(t, r.doc, "user", "value", "identifier"); got != f.user {
		t.Errorf("user = %q", got)
	}

	f.mustOK("poll after confirmation", f.poll())
	if diff := cmp.Diff([]string{"pwd", "email"}, f.amr()); diff != "" {
		t.Errorf("amr (-want +got):\n%s", diff)
	}
}

// TestEmailPollElsewhere: poll answers the current state where there is
// no email challenge.
func TestEmailPollElsewhere(t *testing.T) {
	t.Parallel()
	srv := newOrg(t)
	f := newFlow(t, srv)
	r := f.signIn()
	rr := postIon(t, f.c, srv.URL+"/idp/idx/challenge/poll", map[string]string{"stateHandle": f.stateHandle})
	f.mustOK("poll at select", rr, "select-authenticator-authenticate")
	if diff := cmp.Diff(r.doc, rr.doc); diff != "" {
		t.Errorf("poll changed the answer (-before +after):\n%s", diff)
	}
}

// linkPage checks the terminal answer of a magic link: a stateHandle of
// its own page, an expiry and the intent, as Okta's, and returns the rest.
func linkPage(t *testing.T, r reply) any {
	t.Helper()
	rest := map[string]any{}
	for k, v := range r.doc {
		rest[k] = v
	}
	for _, k := range []string{"stateHandle", "expiresAt", "intent"} {
		if s, _ := rest[k].(string); s == "" {
			t.Errorf("link page: no %s in %v", k, r)
		}
		delete(rest, k)
	}
	return rest
}

// TestEmailMagicLinkExpired: a link whose code expired, was replaced by a
// resend, or is unknown answers the idx.return.link.expired terminal
// (class INFO, as Okta's), and confirming it does not complete the
// challenge.
func TestEmailMagicLinkExpired(t *testing.T) {
	t.Parallel()
	wantExpired := func(t *testing.T, r reply) {
		t.Helper()
		if r.status != http.StatusOK {
			t.Fatalf("expired link: %v", r)
		}
		want := mustJSON(t, `{"version": "1.0.0", "messages": {"type": "array", "value": [{
			"message": "This email link has expired. To resend it, return to the screen where you requested it.",
			"i18n": {"key": "idx.return.link.expired"}, "class": "INFO"}]}}`)
		if diff := cmp.Diff(want, linkPage(t, r)); diff != "" {
			t.Errorf("expired link answer (-want +got):\n%s", diff)
		}
	}
	t.Run("code expired", func(t *testing.T) {
		clk := newFakeClock()
		srv := newOrg(t, idxtest.WithClock(clk.Now), idxtest.WithCodeLifetime(time.Minute))
		f := newFlow(t, srv)
		f.toChallenge()
		link := lastMessage(t, srv, f.user).Link
		clk.Advance(time.Minute)
		wantExpired(t, get(t, f.c, link, nil))
		wantExpired(t, postLink(t, f.c, link))
		f.mustOK("poll", f.poll(), "challenge-authenticator", "select-authenticator-authenticate")
	})
	t.Run("resent", func(t *testing.T) {
		srv := newOrg(t)
		f := newFlow(t, srv)
		f.toChallenge()
		first := lastMessage(t, srv, f.user)
		href := str(t, f.last.doc, "currentAuthenticatorEnrollment", "value", "resend", "href")
		if r := postIon(t, f.c, href, map[string]string{"stateHandle": f.stateHandle}); r.status != http.StatusOK {
			t.Fatalf("resend: %v", r)
		}
		second := lastMessage(t, srv, f.user)
		if second.Link == first.Link {
			t.Fatal("resend kept the link")
		}
		wantExpired(t, get(t, f.c, first.Link, nil))
		if r := get(t, f.c, second.Link, nil); r.status != http.StatusFound {
			t.Errorf("new link: %v", r)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		srv := newOrg(t)
		f := newFlow(t, srv)
		f.toChallenge()
		link := lastMessage(t, srv, f.user).Link
		href := str(t, f.last.doc, "cancel", "href")
		if r := postIon(t, f.c, href, map[string]string{"stateHandle": f.stateHandle}); r.status != http.StatusOK {
			t.Fatalf("cancel: %v", r)
		}
		for _, r := range []reply{get(t, f.c, link, nil), postLink(t, f.c, link)} {
			want := mustJSON(t, `{"version": "1.0.0", "messages": {"type": "array", "value": [{
				"message": "The sign-in was cancelled.", "i18n": {"key": "idx.operation.cancelled.by.user"}, "class": "ERROR"}]}}`)
			if r.status != http.StatusOK {
				t.Fatalf("cancelled link: %v", r)
			}
			if diff := cmp.Diff(want, linkPage(t, r)); diff != "" {
				t.Errorf("cancelled link answer (-want +got):\n%s", diff)
			}
		}
	})
	t.Run("unknown", func(t *testing.T) {
		srv := newOrg(t)
		wantExpired(t, get(t, srv.Client(), srv.URL+"/email/verify?token=nope", nil))
		wantExpired(t, get(t, srv.Client(), srv.URL+"/email/verify", nil))
	})
}
