package idxtest_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx/idxtest"
)

// TestOktaVerifyEnrollResendLink resends the activation link of an Okta
// Verify enrollment by email and by SMS: enroll-poll's
// currentAuthenticator has a resend action once a link went out (not for
// the QR code), the new link replaces the old one, and a resend outside
// enroll-poll is not allowed.
func TestOktaVerifyEnrollResendLink(t *testing.T) {
	t.Parallel()
	link := regexp.MustCompile(`https?://\S+`)
	for _, tc := range []struct {
		channel, field, to, msgChannel string
	}{
		{"email", "email", "ov-owner@example.com", idxtest.ChannelEmail},
		{"sms", "phoneNumber", testPhone, idxtest.ChannelSMS},
	} {
		t.Run(tc.channel, func(t *testing.T) {
			t.Parallel()
			srv := ovEnrollOrg(t)
			f := newFlow(t, srv)
			f.signIn()
			r := f.choose("select-authenticator-enroll", idxtest.AuthenticatorOktaVerify, nil)
			f.mustOK("qr code", r, "enroll-poll", "select-enrollment-channel", "select-authenticator-enroll")
			if _, ok := path(t, r.doc, "currentAuthenticator", "value").(map[string]any)["resend"]; ok {
				t.Error("resend offered for the QR code")
			}
			resend := func() reply {
				return postIon(t, f.c, srv.URL+"/idp/idx/challenge/resend", map[string]string{"stateHandle": f.stateHandle})
			}
			if rr := resend(); rr.status != http.StatusForbidden || !cmp.Equal(messageKeys(t, rr.doc), []string{"errors.E0000079"}) {
				t.Errorf("resend of a QR code: %v", rr)
			}

			f.mustOK("channel", f.choose("select-enrollment-channel", idxtest.AuthenticatorOktaVerify, map[string]any{"channel": tc.channel}),
				"enrollment-channel-data", "select-enrollment-channel", "select-authenticator-enroll")
			if rr := resend(); rr.status != http.StatusForbidden || !cmp.Equal(messageKeys(t, rr.doc), []string{"errors.E0000079"}) {
				t.Errorf("resend before a link was sent: %v", rr)
			}
			r = f.submit("enrollment-channel-data", map[string]any{tc.field: tc.to})
			f.mustOK("link sent", r, "enroll-poll", "select-enrollment-channel", "select-authenticator-enroll")
			// The resend form names where the link goes: email, or phone
			// for SMS, as Okta's does.
			to := tc.field
			if to == "phoneNumber" {
				to = "phone"
			}
			want := mustJSON(t, `{"rel": ["create-form"], "name": "resend", "href": "`+srv.URL+`/idp/idx/challenge/resend",
				"method": "POST", "produces": "application/ion+json; okta-version=1.0.0", "accepts": "application/json; okta-version=1.0.0",
				"value": [{"name": "stateHandle", "required": true, "value": "`+f.stateHandle+`", "visible": false, "mutable": false},
					{"name": "`+to+`", "required": true, "value": "`+tc.to+`", "visible": false, "mutable": false}]}`)
			if diff := cmp.Diff(want, path(t, r.doc, "currentAuthenticator", "value", "resend")); diff != "" {
				t.Errorf("resend (-want +got):\n%s", diff)
			}
			first := lastMessage(t, srv, tc.to)

			rr := resend()
			f.mustOK("resent", rr, "enroll-poll", "select-enrollment-channel", "select-authenticator-enroll")
			if n := len(srv.Outbox()); n != 2 {
				t.Fatalf("%d messages, want the link and the resent one", n)
			}
			second := lastMessage(t, srv, tc.to)
			if second.Channel != tc.msgChannel || !link.MatchString(second.Body) || second.Body == first.Body {
				t.Fatalf("resent = %+v (first %+v)", second, first)
			}
			wantCtx := map[string]any{"selectedChannel": tc.channel, tc.field: tc.to}
			if diff := cmp.Diff(wantCtx, path(t, rr.doc, "currentAuthenticator", "value", "contextualData")); diff != "" {
				t.Errorf("contextualData (-want +got):\n%s", diff)
			}
			if g := get(t, f.c, link.FindString(first.Body), nil); g.status != http.StatusNotFound {
				t.Errorf("the first link still activates: %v", g)
			}
			if g := get(t, f.c, link.FindString(second.Body), nil); g.status != http.StatusOK {
				t.Fatalf("resent link: %v", g)
			}
			f.mustOK("activated", f.submit("enroll-poll", nil))
			if rr := resend(); rr.status != http.StatusUnauthorized && rr.status != http.StatusForbidden {
				t.Errorf("resend after success: %v", rr)
			}
		})
	}
}
