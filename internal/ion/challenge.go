package ion

import "encoding/json"

// This file reads the authenticatorChallenge object that Okta sends with
// the steps only the user's device can complete (device-challenge-poll,
// launch-authenticator): how Okta Verify is reached on the device, and the
// action that stops waiting for it. It also reads the links of an
// identity verification vendor (redirect-idverify).

// Challenge is a document's authenticatorChallenge object.
type Challenge struct {
	// Raw is the object's value as the server sent it, for the members
	// this type does not name (challengeMethod, href, ports, ...); it is
	// read by the step engine.
	Raw json.RawMessage
	// Cancel is the challenge's cancel action (cancel-polling), nil when
	// it offers none.
	Cancel *Form
}

// wireChallenge is the part of an authenticatorChallenge the SDK submits.
type wireChallenge struct {
	Cancel *wireForm `json:"cancel" ion:"needed"`
}

// wireChallengeObj is a challenge object with its raw JSON. A value that
// is not an object is unreadable and marks the object odd.
type wireChallengeObj struct {
	wireChallenge
	raw json.RawMessage
	odd bool
}

// UnmarshalJSON never fails; see wireChallengeObj.
func (c *wireChallengeObj) UnmarshalJSON(b []byte) error {
	*c = wireChallengeObj{}
	if b[0] != '{' {
		c.odd = b[0] != 'n'
		return nil
	}
	c.raw = append(json.RawMessage(nil), b...)
	c.odd = json.Unmarshal(b, &c.wireChallenge) != nil
	return nil
}

// convChallenge converts the authenticatorChallenge member.
func (r *Response) convChallenge(o *wireObj[wireChallengeObj]) error {
	if o == nil || o.Value == nil {
		return nil
	}
	r.odd = r.odd || o.Value.odd
	if o.Value.raw == nil {
		return nil
	}
	c := &Challenge{Raw: o.Value.raw}
	if o.Value.Cancel != nil {
		var err error
		if c.Cancel, err = r.convAction(o.Value.Cancel, "authenticatorChallenge.value.cancel"); err != nil {
			return err
		}
	}
	r.AuthenticatorChallenge = c
	return nil
}

// wireIDVMetadata is a redirect-idverify form's idvMetadata: the identity
// verification vendor's links.
type wireIDVMetadata struct {
	TermsOfUse    string `json:"termsOfUse"`
	PrivacyPolicy string `json:"privacyPolicy"`
	LogoLink      string `json:"logoLink"`
}
