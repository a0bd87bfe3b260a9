package idxtest

import (
	"net/http"
	"slices"
)

// This file is consent: once a sign-in is otherwise done, an org whose
// Policy.Consent is set asks the user to grant the app the scopes it
// requested (all of them but openid, which needs no consent):
//
//   - ConsentEndUser: the consent remediation, its scopes listed beside
//     its consent field (true grants them all, false refuses);
//   - ConsentAdmin: the same as admin-consent, as Okta asks an admin to
//     grant Okta API scopes;
//   - ConsentGranular: granular-consent, whose optedScopes form holds
//     one boolean per scope, openid and profile fixed (mutable false) and
//     the others the user's to leave out; the tokens carry the scopes
//     granted.
//
// A refusal ends the transaction with idx.operation.cancelled.by.user
// (the answer Okta gives a sign-in whose user refused consent on another
// device; no capture shows its answer to a refusal here). Okta keeps a
// user's grants and does not ask again; the fake asks at every sign-in.

// The kinds of consent Policy.Consent asks for.
const (
	ConsentEndUser  = "enduser"
	ConsentAdmin    = "admin"
	ConsentGranular = "granular"
)

const stepConsent = "consent-step"

// consentForms names the remediation of each kind.
var consentForms = map[string]string{
	ConsentEndUser:  "consent",
	ConsentAdmin:    "admin-consent",
	ConsentGranular: "granular-consent",
}

// scopeDoc is one scope of a consent form's scopes member.
type scopeDoc struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Value string `json:"value"`
	Desc  string `json:"desc,omitempty"`
}

// requestInfoDoc is one item of an email-challenge-consent's requestInfo.
type requestInfoDoc struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// scopeTexts are the label and description of the scopes the org
// knows; a scope without them is shown by its name.
var scopeTexts = map[string][2]string{
	"profile":        {"View your profile information.", ""},
	"email":          {"View your email address.", "This allows the app to view your email address."},
	"phone":          {"View your phone number.", "This allows the app to view your phone number."},
	"address":        {"View your home address.", "This allows the app to view your home address."},
	"offline_access": {"Keep you signed in to the app.", "This allows the app to keep you signed in when you are not using it."},
}

// Scope is a custom scope of the org's authorization server (see
// Policy.Scopes). Its name may hold dots, and be a prefix of another's
// ("custom1", "custom1.custom2").
type Scope struct {
	// Name is the scope as apps request it.
	Name string
	// Label and Description are what consent shows for it.
	Label, Description string
}

// customScopeNames are the names of Policy.Scopes.
func (s *Server) customScopeNames() []string {
	var out []string
	for _, sc := range s.org.policy.Scopes {
		out = append(out, sc.Name)
	}
	return out
}

// scopeText is the label and description of scope.
func (c *call) scopeText(scope string) (label, desc string) {
	for _, sc := range c.s.org.policy.Scopes {
		if sc.Name == scope {
			return sc.Label, sc.Description
		}
	}
	txt := scopeTexts[scope]
	return txt[0], txt[1]
}

// fixedScope reports a scope granular consent does not let the user
// leave out: openid and profile, as Okta marks them.
func fixedScope(scope string) bool { return scope == "openid" || scope == "profile" }

func registerConsent(o *org) {
	o.addStep(stepConsent, stepDef{
		forms: func(c *call) []string { return []string{consentForms[c.s.org.policy.Consent]} },
		decorate: func(c *call, resp *idxResponse) {
			resp.User = userIdentifier(c.t.user)
		},
	})
	for _, name := range consentForms {
		o.addForm(name, formDef{path: "/idp/idx/consent", render: renderConsent, submit: submitConsent})
	}
}

// consentScopes are the scopes that need consent: those requested but
// openid.
func (c *call) consentScopes() []string {
	var out []string
	for _, s := range c.t.interaction.scopes {
		if s != "openid" {
			out = append(out, s)
		}
	}
	return out
}

// consentDue reports whether the policy asks c.t's user for consent now.
func (c *call) consentDue() bool {
	_, ok := consentForms[c.s.org.policy.Consent]
	return ok && !c.t.consented && !c.t.selfService() && len(c.consentScopes()) > 0
}

func renderConsent(c *call) *ionForm {
	name := consentForms[c.s.org.policy.Consent]
	var f *ionForm
	if name == "granular-consent" {
		scopes := []ionField{}
		for _, s := range c.t.interaction.scopes {
			label, desc := c.scopeText(s)
			scopes = append(scopes, ionField{Name: s, Label: label, Desc: desc, Type: "boolean",
				Required: pTrue, Value: true, Visible: pTrue, Mutable: boolPtr(!fixedScope(s))})
		}
		f = newForm(name, c.s.href("/idp/idx/consent"),
			ionField{Name: "consent", Type: "boolean", Visible: pFalse, Required: pTrue},
			ionField{Name: "optedScopes", Form: &ionSubForm{Value: scopes}},
			stateHandleField(c.t.handle))
	} else {
		f = newForm(name, c.s.href("/idp/idx/consent"), consentField("Allow Access", "Don't Allow"), stateHandleField(c.t.handle))
		for _, s := range c.consentScopes() {
			label, desc := c.scopeText(s)
			if label == "" || name == "admin-consent" {
				label = s // as Okta labels the Okta API scopes
			}
			f.Scopes = append(f.Scopes, scopeDoc{Name: s, Label: label, Value: s, Desc: desc})
		}
	}
	f.Accepts = ionProduces
	return f
}

// consentField is the consent boolean with its two answers.
func consentField(allow, deny string) ionField {
	return ionField{Name: "consent", Type: "boolean", Required: pTrue,
		Options: []ionOption{{Label: allow, Value: true}, {Label: deny, Value: false}}}
}

type consentBody struct {
	Consent     *bool           `json:"consent"`
	OptedScopes map[string]bool `json:"optedScopes"`
}

func submitConsent(c *call, raw []byte) idxResult {
	var b consentBody
	if !decode(raw, &b) {
		return c.fail(http.StatusBadRequest, msgMalformed())
	}
	name := consentForms[c.s.org.policy.Consent]
	if b.Consent == nil {
		return c.failField(http.StatusBadRequest, name, "consent", msgBlank())
	}
	if !*b.Consent {
		if c.t.deviceGrant != nil {
			return c.refuseDevice() // deviceactivation.go
		}
		return c.s.refuseConsent(c.t)
	}
	ia := c.t.interaction
	if name == "granular-consent" {
		granted := []string{}
		for _, s := range ia.scopes {
			if opted, given := b.OptedScopes[s]; fixedScope(s) || !given || opted {
				granted = append(granted, s)
			}
		}
		for s := range b.OptedScopes {
			if !slices.Contains(ia.scopes, s) {
				return c.fail(http.StatusBadRequest, msgInvalidValue("optedScopes"))
			}
		}
		ia.scopes = granted
	}
	c.t.consented = true
	return c.advance()
}

// refuseConsent ends t: the user refused consent.
func (s *Server) refuseConsent(t *transaction) idxResult {
	delete(s.transactions, t.handle)
	return txnMessages(t, http.StatusOK, errorMessage("Operation cancelled by user.", "idx.operation.cancelled.by.user"))
}
