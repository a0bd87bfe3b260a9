package idx_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// idpStep returns the redirect-idp step of tx for the IdP named name.
func idpStep(t *testing.T, tx *idx.Transaction, name string) idx.NextStep {
	t.Helper()
	for _, s := range tx.AvailableSteps {
		if s.Name == "redirect-idp" && s.IDP != nil && s.IDP.Name == name {
			return s
		}
	}
	t.Fatalf("no redirect-idp for %s in %v", name, stepNames(tx))
	return idx.NextStep{}
}

// TestE2EIdPRedirect is the "IdP redirect" cell: the org offers identity
// providers (redirect-idp), the browser goes to one, comes back to the
// redirect URI with an interaction code, and the app finishes the sign-in.
func TestE2EIdPRedirect(t *testing.T) {
	t.Parallel()
	user := e2eUser("idp user", nil)
	org := func(t *testing.T) *e2eRun {
		return newE2E(t, user, idxtest.WithPolicy(idxtest.Policy{Factors: 2, IdPs: []idxtest.IdP{
			{ID: "0oaE2eGoogle", Type: "GOOGLE", Name: "Google", Username: user.Username},
			{ID: "0oaE2eSaml", Type: "SAML2", Name: "Corporate", Fail: true},
		}}))
	}

	t.Run("signed in", func(t *testing.T) {
		t.Parallel()
		r := org(t)
		tx := r.do(r.c.Start(t.Context(), idx.StartOptions{}))
		if !hasFeature(tx, idx.FeatureSocialIDP) {
			t.Errorf("EnabledFeatures %v without %s", tx.EnabledFeatures, idx.FeatureSocialIDP)
		}
		if diff := cmp.Diff([]string{"identify", "redirect-idp", "redirect-idp"}, stepNames(tx)); diff != "" {
			t.Errorf("steps (-want +got):\n%s", diff)
		}
		s := idpStep(t, tx, "Google")
		back := followRedirect(t, r, &s, &idx.IDP{ID: "0oaE2eGoogle", Name: "Google", Type: "GOOGLE"})
		// The callback of this sign-in does not fit another transaction.
		other, err := r.c.Start(t.Context(), idx.StartOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.c.HandleCallback(t.Context(), other.State, back); !errors.Is(err, idx.ErrStateMismatch) {
			t.Errorf("callback into another transaction: err = %v, want ErrStateMismatch", err)
		}
		r.do(r.c.HandleCallback(t.Context(), r.state(), back))
		r.wantSteps("identify", "SUCCESS")
		r.wantSuccess("fed")
		// The code is spent and the transaction over.
		if _, err := r.c.HandleCallback(t.Context(), tx.State, back); !errors.Is(err, idx.ErrTransactionNotFound) {
			t.Errorf("second use of the callback: err = %v, want ErrTransactionNotFound", err)
		}
	})

	t.Run("denied", func(t *testing.T) {
		t.Parallel()
		r := org(t)
		tx := r.do(r.c.Start(t.Context(), idx.StartOptions{}))
		back := follow(t, r.srv, idpStep(t, tx, "Corporate").Href)
		_, err := r.c.HandleCallback(t.Context(), tx.State, back)
		var oe *idx.OAuthError
		if !errors.As(err, &oe) || oe.Endpoint != "redirect" || oe.Code != "access_denied" || !errors.Is(err, idx.ErrAccessDenied) {
			t.Fatalf("err = %v, want a redirect's *OAuthError matching ErrAccessDenied", err)
		}
	})
}

// emailChallenge signs the run's user in up to the email challenge and
// returns the newest email.
func (r *e2eRun) emailChallenge() idxtest.Email {
	r.t.Helper()
	r.signIn()
	tx := r.proceed(idx.Options{Authenticator: authenticator.OktaEmail})
	if p := tx.NextStep.Poll; p == nil || p.Required || p.Refresh <= 0 {
		r.t.Errorf("email challenge poll %+v, want an optional poll", p)
	}
	out := r.srv.Outbox()
	if len(out) == 0 || out[len(out)-1].To != r.user.Username || out[len(out)-1].Link == "" {
		r.t.Fatalf("no email with a link to %s: %+v", r.user.Username, out)
	}
	return out[len(out)-1]
}

// linkPage GETs an email link that does not redirect and returns the i18n
// keys of the page's messages.
func linkPage(t *testing.T, srv *idxtest.Server, link string) []string {
	t.Helper()
	resp, err := noRedirects(srv).Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("link answered %d", resp.StatusCode)
	}
	var doc struct {
		Messages struct {
			Value []struct {
				I18n struct{ Key string } `json:"i18n"`
			} `json:"value"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range doc.Messages.Value {
		keys = append(keys, m.I18n.Key)
	}
	return keys
}

// TestE2EEmailMagicLink is the "email magic link" cell: the user opens the
// emailed link in the browser of the sign-in, the org redirects to the app
// with otp and state, and the app finishes the challenge with it.
func TestE2EEmailMagicLink(t *testing.T) {
	t.Parallel()

	t.Run("same browser", func(t *testing.T) {
		t.Parallel()
		r := newE2E(t, e2eUser(t.Name(), nil))
		mail := r.emailChallenge()
		back := follow(t, r.srv, mail.Link)
		if cb, err := idx.ParseCallbackURL(back); err != nil || cb.OTP == "" {
			t.Fatalf("link went to %q, not an email verify callback", back)
		}
		r.do(r.c.HandleCallback(t.Context(), r.state(), back))
		r.wantSteps("select-authenticator-authenticate [okta_email]", "challenge-authenticator/okta_email", "SUCCESS")
		r.wantSuccess("pwd", "email")
	})

	t.Run("other browser", func(t *testing.T) {
		t.Parallel()
		r := newE2E(t, e2eUser(t.Name(), nil))
		mail := r.emailChallenge()
		back := follow(t, r.srv, mail.Link)
		// Opened where the sign-in is not known: the app shows the code,
		// which the user types where the sign-in waits.
		_, err := r.c.HandleCallback(t.Context(), "", back)
		if !errors.Is(err, idx.ErrEmailVerifyElsewhere) {
			t.Fatalf("err = %v, want ErrEmailVerifyElsewhere", err)
		}
		cb, err := idx.ParseCallbackURL(back)
		if err != nil {
			t.Fatal(err)
		}
		if cb.OTP.Reveal() != mail.Code {
			t.Error("the callback's code is not the emailed one")
		}
		r.proceed(idx.Options{VerificationCode: cb.OTP.Reveal()})
		r.wantSteps("select-authenticator-authenticate [okta_email]", "challenge-authenticator/okta_email", "SUCCESS")
		r.wantSuccess("pwd", "email")
	})

	t.Run("expired link", func(t *testing.T) {
		t.Parallel()
		r := newE2E(t, e2eUser(t.Name(), nil))
		first := r.emailChallenge()
		// A new code replaces the first one, and its link.
		r.do(r.c.Resend(t.Context(), r.state()))
		keys := linkPage(t, r.srv, first.Link)
		if diff := cmp.Diff([]string{"idx.return.link.expired"}, keys); diff != "" {
			t.Fatalf("old link page (-want +got):\n%s", diff)
		}
		if err := (&idx.Transaction{Status: idx.StatusTerminal, Messages: []idx.Message{{Class: "INFO", Key: keys[0]}}}).Err(); !errors.Is(err, idx.ErrLinkExpired) {
			t.Errorf("an end on %s: Err() = %v, want ErrLinkExpired", keys[0], err)
		}
		// The code of the old link no longer verifies.
		r.proceed(idx.Options{VerificationCode: first.Code})
		r.wantRejected("challenge-authenticator", idx.ErrInvalidPasscode, "api.authn.error.PASSCODE_INVALID")
		mail := r.srv.Outbox()[len(r.srv.Outbox())-1]
		r.do(r.c.HandleCallback(t.Context(), r.state(), follow(t, r.srv, mail.Link)))
		r.wantSteps(
			"select-authenticator-authenticate [okta_email]",
			"challenge-authenticator/okta_email",
			"challenge-authenticator/okta_email",
			"challenge-authenticator/okta_email",
			"SUCCESS",
		)
		r.wantSuccess("pwd", "email")
	})
}

// TestE2EEmailPolling is the "email polling" cell: the user confirms the
// emailed link on another device, and the sign-in, polling, goes on.
func TestE2EEmailPolling(t *testing.T) {
	t.Parallel()
	r := newE2E(t, e2eUser(t.Name(), nil))
	mail := r.emailChallenge()
	// Not confirmed yet: the poll finds the challenge waiting.
	r.do(r.c.Poll(t.Context(), r.state()))
	resp, err := noRedirects(r.srv).Post(mail.Link, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("confirming the link: %d", resp.StatusCode)
	}
	r.do(r.c.Poll(t.Context(), r.state()))
	r.wantSteps(
		"select-authenticator-authenticate [okta_email]",
		"challenge-authenticator/okta_email",
		"challenge-authenticator/okta_email",
		"SUCCESS",
	)
	r.wantSuccess("pwd", "email")
}
