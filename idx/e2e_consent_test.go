package idx_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// consentOrg is an org whose password alone signs in and whose apps ask
// for consent of the given kind.
func consentOrg(t *testing.T, name, kind string) *e2eRun {
	t.Helper()
	return newE2E(t, e2eUser(name, nil), idxtest.WithPolicy(idxtest.Policy{Factors: 1, Consent: kind}))
}

func TestE2EConsent(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct{ kind, step string }{
		{idxtest.ConsentEndUser, "consent"},
		{idxtest.ConsentAdmin, "admin-consent"},
	} {
		t.Run(tc.kind+" allowed", func(t *testing.T) {
			t.Parallel()
			r := consentOrg(t, "consent-allow-"+tc.kind, tc.kind)
			r.signIn()
			c := r.tx.NextStep.Consent
			if c == nil {
				t.Fatalf("NextStep.Consent is nil on %s", r.tx.NextStep.Name)
			}
			var names []string
			for _, s := range c.Scopes {
				if s.Optional || s.Label == "" {
					t.Errorf("scope %+v: want a required scope with a label", s)
				}
				names = append(names, s.Name)
			}
			if diff := cmp.Diff([]string{"profile", "email"}, names); diff != "" {
				t.Errorf("scopes (-want +got):\n%s", diff)
			}
			if c.ByScope || c.App != idxtest.PublicClientID {
				t.Errorf("Consent = %+v, want not by scope, app %s", c, idxtest.PublicClientID)
			}
			r.proceed(idx.Options{Consent: idx.ConsentAllow})
			r.wantSteps(tc.step, "SUCCESS")
			r.wantSuccess("pwd")
			if diff := cmp.Diff([]string{"openid", "profile", "email"}, r.tx.Tokens.Scopes); diff != "" {
				t.Errorf("token scopes (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("denied", func(t *testing.T) {
		t.Parallel()
		r := consentOrg(t, "consent-deny", idxtest.ConsentEndUser)
		r.signIn()
		state := r.state()
		r.proceed(idx.Options{Consent: idx.ConsentDeny})
		r.wantSteps("consent", "TERMINAL")
		err := r.tx.Err()
		if !errors.Is(err, idx.ErrConsentDenied) || !errors.Is(err, idx.ErrOperationCanceled) {
			t.Errorf("Err() = %v, want ErrConsentDenied and ErrOperationCanceled", err)
		}
		if _, err := r.c.Authenticate(t.Context(), idx.Options{State: state, Consent: idx.ConsentAllow}); !errors.Is(err, idx.ErrTransactionNotFound) {
			t.Errorf("answering again: %v, want ErrTransactionNotFound", err)
		}
	})

	t.Run("answered up front", func(t *testing.T) {
		t.Parallel()
		r := consentOrg(t, "consent-upfront", idxtest.ConsentEndUser)
		r.do(r.c.Authenticate(t.Context(), idx.Options{Username: r.user.Username, Password: r.user.Password, Consent: idx.ConsentAllow}))
		r.wantSteps("SUCCESS")
	})

	t.Run("granular, scopes that are prefixes of each other", func(t *testing.T) {
		t.Parallel()
		r := newE2E(t, e2eUser("consent-granular", nil), idxtest.WithPolicy(idxtest.Policy{
			Factors: 1, Consent: idxtest.ConsentGranular,
			Scopes: []idxtest.Scope{{Name: "custom1", Label: "Your data plan"}, {Name: "custom1.custom2", Label: "Your data plan's details"}},
		}))
		c, err := idx.NewClient(idx.Config{
			Issuer: r.srv.Issuer(), ClientID: idxtest.PublicClientID, RedirectURI: idxtest.DefaultRedirectURI,
			Scopes: []string{"openid", "profile", "email", "custom1", "custom1.custom2"},
		}, idx.WithInsecureLoopbackHTTP())
		if err != nil {
			t.Fatal(err)
		}
		r.c = c
		r.signIn()
		consent := r.tx.NextStep.Consent
		if consent == nil || !consent.ByScope {
			t.Fatalf("NextStep.Consent = %+v, want a consent by scope", consent)
		}
		var optional []string
		for _, s := range consent.Scopes {
			if s.Optional {
				optional = append(optional, s.Name)
			}
		}
		if diff := cmp.Diff([]string{"email", "custom1", "custom1.custom2"}, optional); diff != "" {
			t.Errorf("optional scopes (-want +got):\n%s", diff)
		}
		if _, err := r.c.Authenticate(t.Context(), idx.Options{State: r.state(), ConsentScopes: []string{"custom1.custom3"}}); !errors.Is(err, idx.ErrInvalidInput) {
			t.Errorf("a scope not asked for: %v, want ErrInvalidInput", err)
		}
		if _, err := r.c.Authenticate(t.Context(), idx.Options{State: r.state(), Consent: idx.ConsentDeny, ConsentScopes: []string{"custom1"}}); !errors.Is(err, idx.ErrInvalidInput) {
			t.Errorf("scopes with a refusal: %v, want ErrInvalidInput", err)
		}
		// The longer name granted, its prefix and the email declined.
		r.proceed(idx.Options{ConsentScopes: []string{"custom1.custom2"}})
		r.wantSteps("granular-consent", "SUCCESS")
		r.wantSuccess("pwd")
		if diff := cmp.Diff([]string{"openid", "profile", "custom1.custom2"}, r.tx.Tokens.Scopes); diff != "" {
			t.Errorf("token scopes (-want +got):\n%s", diff)
		}
		if email, ok := r.tx.Tokens.IDTokenClaims.Claims["email"]; ok {
			t.Errorf("ID token has email %v, a scope the user declined", email)
		}
	})

	t.Run("granular, denied", func(t *testing.T) {
		t.Parallel()
		r := consentOrg(t, "consent-granular-deny", idxtest.ConsentGranular)
		r.signIn()
		r.proceed(idx.Options{Consent: idx.ConsentDeny})
		r.wantSteps("granular-consent", "TERMINAL")
		if err := r.tx.Err(); !errors.Is(err, idx.ErrConsentDenied) {
			t.Errorf("Err() = %v, want ErrConsentDenied", err)
		}
	})
}

// openLinkElsewhere confirms an email link as another browser does and
// returns the stateHandle of the consent transaction it answers.
func openLinkElsewhere(t *testing.T, srv *idxtest.Server, link string) string {
	t.Helper()
	resp, err := noRedirects(srv).Post(link, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		StateHandle string `json:"stateHandle"`
		Intent      string `json:"intent"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != http.StatusOK || doc.StateHandle == "" || doc.Intent != "CONSENT" {
		t.Fatalf("opening the link elsewhere: HTTP %d, %+v, %v; want a CONSENT transaction", resp.StatusCode, doc, err)
	}
	return doc.StateHandle
}

func TestE2EEmailLinkConsent(t *testing.T) {
	t.Parallel()
	for _, allow := range []bool{true, false} {
		name := "allowed"
		if !allow {
			name = "denied"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := idxtest.DefaultPolicy()
			p.EmailLinkConsent = true
			r := newE2E(t, e2eUser("email-consent-"+name, nil), idxtest.WithPolicy(p))
			mail := r.emailChallenge()
			// The other browser: a transaction of its own.
			other := &e2eRun{t: t, srv: r.srv, c: r.c, user: r.user}
			other.do(other.c.Start(t.Context(), idx.StartOptions{StateHandle: openLinkElsewhere(t, r.srv, mail.Link)}))
			c := other.tx.NextStep.Consent
			if c == nil || c.App != idxtest.PublicClientID || c.Browser == "" || len(c.Scopes) != 0 {
				t.Fatalf("NextStep.Consent = %+v, want the sign-in's app and browser", c)
			}
			answer := idx.ConsentDeny
			if allow {
				answer = idx.ConsentAllow
			}
			other.proceed(idx.Options{Consent: answer})
			r.do(r.c.Poll(t.Context(), r.state()))
			if allow {
				other.wantSteps("email-challenge-consent", "TERMINAL RETURN_TO_ORIGINAL_TAB")
				r.wantSteps("select-authenticator-authenticate [okta_email]", "challenge-authenticator/okta_email", "SUCCESS")
				r.wantSuccess("pwd", "email")
				return
			}
			other.wantSteps("email-challenge-consent", "TERMINAL")
			if err := other.tx.Err(); !errors.Is(err, idx.ErrConsentDenied) || !errors.Is(err, idx.ErrOperationCanceled) {
				t.Errorf("the other browser's Err() = %v, want ErrConsentDenied and ErrOperationCanceled", err)
			}
			r.wantSteps("select-authenticator-authenticate [okta_email]", "challenge-authenticator/okta_email", "TERMINAL")
			if err := r.tx.Err(); !errors.Is(err, idx.ErrOperationCanceled) {
				t.Errorf("the sign-in's Err() = %v, want ErrOperationCanceled", err)
			}
		})
	}
}

// A refusal given by name, as a web form posts it, is a refusal too.
func TestE2EConsentDeniedByName(t *testing.T) {
	t.Parallel()
	r := consentOrg(t, "consent-deny-by-name", idxtest.ConsentEndUser)
	r.signIn()
	r.proceed(idx.Options{Step: "consent", Values: map[string]any{"consent": "false"}})
	r.wantSteps("consent", "TERMINAL")
	if err := r.tx.Err(); !errors.Is(err, idx.ErrConsentDenied) {
		t.Errorf("Err() = %v, want ErrConsentDenied", err)
	}
}
