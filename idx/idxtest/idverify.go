package idxtest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
)

// This file is identity verification ([Policy.IdentityVerification]):
// once the password is verified, the org sends the user's browser to an
// identity verification vendor (Persona, Incode, CLEAR, ...) with a
// redirect-idverify remediation, as redirect-idp sends it to an identity
// provider. The server plays the vendor: its href verifies the user at
// once and, when that completes the sign-in, redirects to the app's
// redirect URI with interaction_code and state; a vendor set to fail
// redirects with error=access_denied.

// stepIDV is the redirect to the vendor.
const stepIDV = "redirect-idverify"

// idvPath is where redirect-idverify's href points, as Okta's does.
const idvPath = "/idp/identity-verification"

// IDVendor is an identity verification vendor the org sends users to.
type IDVendor struct {
	// ID is the vendor's ID as Okta names it ("IDV_PERSONA", "IDV_INCODE",
	// "IDV_CLEAR", "IDV_STANDARD", "IDV_OIN"). Empty means "IDV_PERSONA".
	ID string
	// Name is the label shown to the user. Empty means "Persona".
	Name string
	// Fail makes the vendor refuse every verification: the browser goes
	// back to the app with error=access_denied.
	Fail bool
}

// idvState is a transaction's identity verification.
type idvState struct {
	token string // the stateTokenExternalId of the href
	done  bool   // the vendor verified the user
}

func registerIdentityVerification(o *org) {
	o.addStep(stepIDV, stepDef{
		forms: func(*call) []string { return []string{"redirect-idverify"} },
		decorate: func(c *call, resp *idxResponse) {
			resp.User = userObject(c.t.user)
			resp.User.Value.Profile.Email = maskEmail(c.t.user.Email)
		},
	})
	o.addForm("redirect-idverify", formDef{
		// Never posted to: the browser follows the href with a GET.
		path: "GET " + idvPath,
		render: func(c *call) *ionForm {
			v := c.s.org.policy.IdentityVerification.orDefault()
			return &ionForm{
				Name:   "redirect-idverify",
				Type:   "ID_PROOFING",
				IdP:    &idpDoc{ID: v.ID, Name: v.Name},
				Href:   c.s.href(idvPath) + "?" + url.Values{"stateTokenExternalId": {c.t.idv.token}}.Encode(),
				Method: http.MethodGet,
			}
		},
	})
}

// orDefault fills in the vendor's defaults; a nil vendor is Persona.
func (v *IDVendor) orDefault() IDVendor {
	var out IDVendor
	if v != nil {
		out = *v
	}
	if out.ID == "" {
		out.ID = "IDV_PERSONA"
	}
	if out.Name == "" {
		out.Name = "Persona"
	}
	return out
}

// idvDue moves a sign-in whose password is verified to the vendor when
// the policy asks for identity verification and the vendor has not
// verified the user yet.
func (c *call) idvDue() bool {
	t := c.t
	if c.s.org.policy.IdentityVerification == nil || t.flow != flowAuthenticate || t.idv.done || !t.isVerified(AuthenticatorPassword) {
		return false
	}
	if t.idv.token == "" {
		t.idv.token = randomToken(32)
	}
	t.setStep(stepIDV, nil)
	return true
}

// serveIdentityVerification plays the vendor: the user is verified at
// once, and the browser goes back to the app's redirect URI.
func (s *Server) serveIdentityVerification(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("stateTokenExternalId")
	now := s.now()
	s.mu.Lock()
	var t *transaction
	for _, cand := range s.transactions {
		if cand.step == stepIDV && cand.idv.token != "" && now.Before(cand.expiresAt) &&
			subtle.ConstantTimeCompare([]byte(cand.idv.token), []byte(token)) == 1 {
			t = cand
			break
		}
	}
	if t == nil {
		s.mu.Unlock()
		writeOAuthError(w, newOAuthError(http.StatusBadRequest, "invalid_request", "The identity verification is invalid or has expired."))
		return
	}
	ia := t.interaction
	back := url.Values{"state": {ia.state}}
	if s.org.policy.IdentityVerification.Fail {
		back.Set("error", "access_denied")
		back.Set("error_description", "The identity verification vendor could not verify the user.")
	} else {
		t.idv.done = true
		c := &call{s: s, now: now, t: t}
		c.advance()
		if t.step == stepSuccess {
			back.Set("interaction_code", t.successCode)
		} else {
			back.Set("error", "interaction_required")
			back.Set("error_description", "The sign-in needs more than the identity verification.")
		}
	}
	s.mu.Unlock()
	redirectBack(w, r, ia.redirectURI, back)
}
