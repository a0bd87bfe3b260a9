package idxtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// This file is the WebAuthn authenticator (webauthn, "Security Key or
// Biometric"). Verification offers a challenge (contextualData.challengeData
// of currentAuthenticator) and takes credentials.clientData,
// authenticatorData and signatureData; enrollment offers activationData
// and takes credentials.clientData and attestation.
//
// The Server plays the user's security key: each enrollment has an ES256
// (P-256) key pair that the Server holds, and [Server.WebAuthnAssertion]
// signs a challenge with it, as the key would. Verification is real: the
// clientData must be base64url JSON of type "webauthn.get" with the
// challenge in force and the org's origin (its URL), the
// authenticatorData must carry the SHA-256 of the RP ID (the URL's host)
// and the user-present flag, and signatureData must be a valid ES256
// signature of authenticatorData and the SHA-256 of clientData.
//
// Enrollment checks the clientData the same way (type "webauthn.create")
// but NOT the attestation, which only has to be non-empty base64url: the
// Server makes the new credential's key pair itself rather than read the
// client's public key.

// stepWebAuthnChallenge is challenge-authenticator for WebAuthn: it adds
// currentAuthenticator with the challenge, as Okta does.
const stepWebAuthnChallenge = "challenge-authenticator/webauthn"

// WebAuthnClientData returns the clientData a browser sends for a WebAuthn
// ceremony: the base64url (unpadded) encoding of the client data JSON with
// type ("webauthn.get" to verify, "webauthn.create" to enroll), the
// challenge as the org gave it (contextualData.challengeData.challenge or
// activationData.challenge) and origin, the Server's URL.
func WebAuthnClientData(typ, challenge, origin string) string {
	b, _ := json.Marshal(struct {
		Type        string `json:"type"`
		Challenge   string `json:"challenge"`
		Origin      string `json:"origin"`
		CrossOrigin bool   `json:"crossOrigin"`
	}{typ, challenge, origin, false})
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomB64URL is n random bytes, base64url without padding.
func randomB64URL(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeB64URL decodes base64url with or without padding.
func decodeB64URL(s string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	return b, err == nil
}

type webAuthnKind struct{ kindBase }

func newWebAuthnKind(o *org) *webAuthnKind {
	k := &webAuthnKind{kindBase{
		key: AuthenticatorWebAuthn, typ: "security_key", displayName: "Security Key or Biometric",
		methods:       []methodInfo{{typ: "webauthn", label: "Security Key or Biometric", amr: "hwk"}},
		relatesToKind: true,
		currentIsKind: true,
	}}
	o.addStep(stepWebAuthnChallenge, stepDef{
		forms: func(*call) []string {
			return []string{"challenge-authenticator", "select-authenticator-authenticate"}
		},
		decorate: decorateCurrent,
	})
	return k
}

// webAuthnChallengeData is contextualData.challengeData.
type webAuthnChallengeData struct {
	Challenge        string            `json:"challenge"`
	UserVerification string            `json:"userVerification"`
	Hints            []string          `json:"hints"`
	Extensions       map[string]string `json:"extensions"`
}

// webAuthnHints are the WebAuthn hints the org gives browsers: the
// Server plays a security key.
func webAuthnHints() []string { return []string{"security-key"} }

func (k *webAuthnKind) challengeData(c *call) map[string]any {
	return map[string]any{"challengeData": webAuthnChallengeData{
		Challenge:        c.t.pending,
		UserVerification: "preferred",
		Hints:            webAuthnHints(),
		Extensions:       map[string]string{"appid": c.s.URL},
	}}
}

// challenge makes a new challenge. A user enrolled with the User field
// gets a credential ID now.
func (k *webAuthnKind) challenge(c *call, _ string, _ bool) *idxResult {
	c.t.setStep(stepWebAuthnChallenge, k)
	c.t.method = "webauthn"
	c.t.pending = randomB64URL(16)
	webAuthnCredOf(c.t.user.enrollments[k.key])
	return nil
}

func (k *webAuthnKind) challengeFields(c *call) []ionField {
	hidden := func(name, label string) ionField {
		return ionField{Name: name, Label: label, Required: pTrue, Visible: pFalse}
	}
	if c.t.step == stepEnroll {
		// Filled by the browser's navigator.credentials.create: hinted
		// "webauthn". The Server reads clientData, attestation and
		// transports.
		fields := []ionField{
			hidden("clientData", "Client Data"),
			hidden("attestation", "Attestation"),
			hidden("transports", "Transports"),
			hidden("clientExtensions", "Client Extensions"),
		}
		for i := range fields {
			fields[i].Hint = "webauthn"
		}
		return []ionField{objectField("credentials", "", true, fields...)}
	}
	return []ionField{objectField("credentials", "", true,
		hidden("clientData", "Client Data"),
		hidden("authenticatorData", "Authenticator Data"),
		hidden("signatureData", "Signature Data"),
	)}
}

func (k *webAuthnKind) decorate(c *call, doc *authenticatorDoc) {
	switch c.t.step {
	case stepWebAuthnChallenge:
		doc.ContextualData = k.challengeData(c)
	case stepEnroll:
		doc.ContextualData = map[string]any{"activationData": k.activationData(c)}
	}
}

type webAuthnBody struct {
	Credentials *struct {
		ClientData        string `json:"clientData"`
		AuthenticatorData string `json:"authenticatorData"`
		SignatureData     string `json:"signatureData"`
		Attestation       string `json:"attestation"`
		// Transports are the browser's getTransports(): an array, or the
		// array's JSON text as some clients send it.
		Transports json.RawMessage `json:"transports"`
	} `json:"credentials"`
}

// transportList reads credentials.transports, an array of strings or its
// JSON text; anything else is none.
func transportList(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var text string
	if json.Unmarshal(raw, &text) == nil && json.Unmarshal([]byte(text), &list) == nil {
		return list
	}
	return nil
}

func msgWebAuthnFailed() ionMessage {
	return errorMessage("None of the WebAuthn authenticators the user has enrolled for was able to validate the assertion",
		"authfactor.webauthn.error.assertion_validation_failure")
}

func msgWebAuthnEnrollFailed() ionMessage {
	return errorMessage("Unable to verify the security key or biometric authenticator. Try again.",
		"authfactor.webauthn.error")
}

// checkClientData reports whether clientData is base64url JSON of type
// typ for the challenge in force and the org's origin.
func (k *webAuthnKind) checkClientData(c *call, clientData, typ string) bool {
	raw, ok := decodeB64URL(clientData)
	if !ok {
		return false
	}
	var cd struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
		Origin    string `json:"origin"`
	}
	if json.Unmarshal(raw, &cd) != nil {
		return false
	}
	return cd.Type == typ && c.t.pending != "" && cd.Challenge == c.t.pending && cd.Origin == c.s.URL
}

// webAuthnCred is an enrolled credential: its ID and the key pair of the
// security key the Server plays. An enrollment's value holds it as
// "id.pkcs8" (both base64url).
type webAuthnCred struct {
	id  string
	key *ecdsa.PrivateKey
}

func newWebAuthnCred() webAuthnCred {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("idxtest: generating a P-256 key: " + err.Error())
	}
	return webAuthnCred{id: randomB64URL(32), key: key}
}

func (w webAuthnCred) String() string {
	der, _ := x509.MarshalPKCS8PrivateKey(w.key) // a P-256 key always marshals
	return w.id + "." + base64.RawURLEncoding.EncodeToString(der)
}

// webAuthnCredOf returns e's credential, making one for a user enrolled
// with the User field (or with a value the Server did not write). Call it
// under s.mu.
func webAuthnCredOf(e *enrollment) webAuthnCred {
	if id, b64, ok := strings.Cut(e.value, "."); ok {
		if der, ok := decodeB64URL(b64); ok {
			if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
				if key, ok := k.(*ecdsa.PrivateKey); ok {
					return webAuthnCred{id: id, key: key}
				}
			}
		}
	}
	w := newWebAuthnCred()
	e.value = w.String()
	return w
}

// rpID is the WebAuthn relying party ID of the org at base: its host.
func rpID(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// authenticatorData is the authenticator data of an assertion for the org
// at base: the RP ID hash, flags user-present and user-verified, and a
// zero signature counter.
func webAuthnAuthenticatorData(base string) []byte {
	h := sha256.Sum256([]byte(rpID(base)))
	return append(h[:], 0x05, 0, 0, 0, 0)
}

// sign returns the ES256 signature of an assertion.
func (w webAuthnCred) sign(authData, clientDataJSON []byte) []byte {
	cd := sha256.Sum256(clientDataJSON)
	digest := sha256.Sum256(append(append([]byte(nil), authData...), cd[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, w.key, digest[:])
	if err != nil {
		panic("idxtest: signing: " + err.Error())
	}
	return sig
}

// check verifies an assertion for the org at base with w's public key.
func (w webAuthnCred) check(base, clientData, authData, signature string) bool {
	cd, ok1 := decodeB64URL(clientData)
	ad, ok2 := decodeB64URL(authData)
	sig, ok3 := decodeB64URL(signature)
	if !ok1 || !ok2 || !ok3 || len(ad) < 37 || ad[32]&0x01 == 0 {
		return false
	}
	want := sha256.Sum256([]byte(rpID(base)))
	if subtle.ConstantTimeCompare(ad[:32], want[:]) != 1 {
		return false
	}
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte(nil), ad...), cdHash[:]...))
	return ecdsa.VerifyASN1(&w.key.PublicKey, digest[:], sig)
}

// WebAuthnAnswer is the credentials of a WebAuthn challenge-authenticator
// answer, each base64url without padding, as a browser's assertion gives
// them.
type WebAuthnAnswer struct {
	// CredentialID is the ID (base64url) of the credential that signed,
	// the one the org lists in the user's authenticatorEnrollments. It is
	// not sent: a browser only needs it to find the credential.
	CredentialID      string
	ClientData        string // credentials.clientData
	AuthenticatorData string // credentials.authenticatorData
	SignatureData     string // credentials.signatureData
}

// WebAuthnAssertion signs challenge (contextualData.challengeData.challenge)
// with the security key of username, as the key would in a browser at the
// org's origin: the answer verifies against the user's enrolled
// credential. It fails if the user is unknown or has no WebAuthn
// enrollment.
func (s *Server) WebAuthnAssertion(username, challenge string) (WebAuthnAnswer, error) {
	s.mu.Lock()
	u := s.users[strings.ToLower(username)]
	var cred webAuthnCred
	ok := u != nil && u.enrollments[AuthenticatorWebAuthn] != nil
	if ok {
		cred = webAuthnCredOf(u.enrollments[AuthenticatorWebAuthn])
	}
	s.mu.Unlock()
	if !ok {
		return WebAuthnAnswer{}, fmt.Errorf("idxtest: user %q has no WebAuthn enrollment", username)
	}
	clientData := WebAuthnClientData("webauthn.get", challenge, s.URL)
	cd, _ := decodeB64URL(clientData)
	ad := webAuthnAuthenticatorData(s.URL)
	return WebAuthnAnswer{
		CredentialID:      cred.id,
		ClientData:        clientData,
		AuthenticatorData: base64.RawURLEncoding.EncodeToString(ad),
		SignatureData:     base64.RawURLEncoding.EncodeToString(cred.sign(ad, cd)),
	}, nil
}

// nonEmptyB64URL reports whether s is non-empty base64url.
func nonEmptyB64URL(s string) bool {
	b, ok := decodeB64URL(s)
	return ok && len(b) > 0
}

func (k *webAuthnKind) verify(c *call, raw []byte) *idxResult {
	const form = "challenge-authenticator"
	var b webAuthnBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	cr := b.Credentials
	if cr == nil {
		return failPtr(c.failField(http.StatusBadRequest, form, "credentials.clientData", msgBlank()))
	}
	for _, f := range []struct{ name, v string }{
		{"clientData", cr.ClientData}, {"authenticatorData", cr.AuthenticatorData}, {"signatureData", cr.SignatureData},
	} {
		if f.v == "" {
			return failPtr(c.failField(http.StatusBadRequest, form, "credentials."+f.name, msgBlank()))
		}
	}
	cred := webAuthnCredOf(c.t.user.enrollments[k.key])
	if !k.checkClientData(c, cr.ClientData, "webauthn.get") || !cred.check(c.s.URL, cr.ClientData, cr.AuthenticatorData, cr.SignatureData) {
		c.s.cfg.logger.Info("idxtest webauthn assertion rejected")
		return failPtr(c.fail(http.StatusUnauthorized, msgWebAuthnFailed()))
	}
	c.t.pending = "" // one challenge, one assertion
	return nil
}

// Enrollment.

func (k *webAuthnKind) enrollFields(*call) []ionField {
	return []ionField{hiddenValue("methodType", "webauthn", false)}
}
func (k *webAuthnKind) enrollmentDataFields(*call) []ionField { return nil }

func (k *webAuthnKind) startEnroll(c *call, _ []byte) *idxResult {
	c.t.setStep(stepEnroll, k)
	c.t.method = "webauthn"
	c.t.pending = randomB64URL(16)
	return nil
}

// webAuthnActivation is contextualData.activationData: the
// PublicKeyCredentialCreationOptions, with base64url binary values, and
// the U2F app ID of keys registered with the org's older API.
type webAuthnActivation struct {
	RP                     map[string]string `json:"rp"`
	User                   map[string]string `json:"user"`
	PubKeyCredParams       []map[string]any  `json:"pubKeyCredParams"`
	Challenge              string            `json:"challenge"`
	Attestation            string            `json:"attestation"`
	AuthenticatorSelection map[string]any    `json:"authenticatorSelection"`
	Hints                  []string          `json:"hints"`
	U2FParams              map[string]string `json:"u2fParams"`
}

func (k *webAuthnKind) activationData(c *call) webAuthnActivation {
	u := c.t.user
	name := u.name()
	if name == "" {
		name = u.Username
	}
	return webAuthnActivation{
		RP:   map[string]string{"name": "idxtest"},
		User: map[string]string{"displayName": name, "name": u.Username, "id": u.ID},
		PubKeyCredParams: []map[string]any{
			{"type": "public-key", "alg": -7},
			{"type": "public-key", "alg": -257},
		},
		Challenge:              c.t.pending,
		Attestation:            "direct",
		AuthenticatorSelection: map[string]any{"userVerification": "preferred"},
		Hints:                  webAuthnHints(),
		U2FParams:              map[string]string{"appid": c.s.URL},
	}
}

func (k *webAuthnKind) finishEnroll(c *call, raw []byte) *idxResult {
	const form = "enroll-authenticator"
	var b webAuthnBody
	if !decode(raw, &b) {
		return failPtr(messagesOnly(http.StatusBadRequest, msgMalformed()))
	}
	cr := b.Credentials
	if cr == nil || cr.ClientData == "" {
		return failPtr(c.failField(http.StatusBadRequest, form, "credentials.clientData", msgBlank()))
	}
	if cr.Attestation == "" {
		return failPtr(c.failField(http.StatusBadRequest, form, "credentials.attestation", msgBlank()))
	}
	if !k.checkClientData(c, cr.ClientData, "webauthn.create") || !nonEmptyB64URL(cr.Attestation) {
		c.s.cfg.logger.Info("idxtest webauthn attestation rejected")
		return failPtr(c.fail(http.StatusBadRequest, msgWebAuthnEnrollFailed()))
	}
	u := c.t.user
	u.enrollments[k.key] = &enrollment{id: randomOktaID("fwf"), value: newWebAuthnCred().String(), transports: transportList(cr.Transports)}
	u.WebAuthn = true
	c.t.pending = ""
	return nil
}
