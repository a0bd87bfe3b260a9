package idxtest

// This file is the authenticator framework: the authenticatorKind interface
// each authenticator implements in a file of its own (auth_*.go), its
// defaults (kindBase), and the per-server registry (org).

// methodInfo is one method type of an authenticator.
type methodInfo struct {
	typ   string // "sms"
	label string // "SMS"
	amr   string // the amr claim value it adds, "sms"
}

// kindBase is what every authenticator has. Kinds embed it; it also
// provides the default behaviour of the optional parts of
// authenticatorKind.
type kindBase struct {
	id          string // the authenticator ID ("aut..."), random per server
	key         string // "phone_number"
	typ         string // "phone"
	displayName string // "Phone"
	logoURI     string // the icon, for the few kinds that name one
	methods     []methodInfo
	// relatesToKind makes the kind's option in
	// select-authenticator-authenticate relate to its authenticators
	// entry rather than to the user's enrollment, as Okta's do for Okta
	// Verify and WebAuthn.
	relatesToKind bool
	// currentIsKind makes the authenticator being verified show as
	// currentAuthenticator (the authenticator, with its method) rather
	// than as currentAuthenticatorEnrollment, as Okta's do for Google
	// Authenticator, Okta Verify and WebAuthn.
	currentIsKind bool
}

func (b *kindBase) base() *kindBase { return b }

// method returns the method typ, or false.
func (b *kindBase) method(typ string) (methodInfo, bool) {
	for _, m := range b.methods {
		if m.typ == typ {
			return m, true
		}
	}
	return methodInfo{}, false
}

func (b *kindBase) methodDocs() []methodDoc {
	out := make([]methodDoc, len(b.methods))
	for i, m := range b.methods {
		out[i] = methodDoc{Type: m.typ}
	}
	return out
}

// methodOptions is a methodType field's options.
func (b *kindBase) methodOptions() []ionOption {
	out := make([]ionOption, len(b.methods))
	for i, m := range b.methods {
		out[i] = ionOption{Label: m.label, Value: m.typ}
	}
	return out
}

// Defaults.

func (b *kindBase) profile(*userRecord) *authenticatorProfile { return nil }

// selectFields is the option of select-authenticator-authenticate after
// the id: the method as an immutable value when there is only one.
func (b *kindBase) selectFields(*call) []ionField {
	if len(b.methods) == 1 {
		return []ionField{hiddenValue("methodType", b.methods[0].typ, false)}
	}
	return []ionField{{Name: "methodType", Type: "string", Required: pFalse, Options: b.methodOptions()}}
}

// verificationDataFields is the authenticator-verification-data form's
// authenticator field after the id.
func (b *kindBase) verificationDataFields(*call) []ionField {
	return []ionField{{Name: "methodType", Type: "string", Required: pTrue, Options: b.methodOptions()}}
}

// challengeFields are the fields of challenge-authenticator and
// enroll-authenticator: a passcode.
func (b *kindBase) challengeFields(*call) []ionField {
	return []ionField{objectField("credentials", "", true, ionField{Name: "passcode", Label: "Enter code"})}
}

// authenticatorKind is one kind of authenticator (password, email,
// phone...). A Server holds one value per kind in its org registry; the
// value holds no per-user or per-transaction state (that lives in
// userRecord.enrollments and in the transaction).
type authenticatorKind interface {
	// base returns the kind's identity: ID, key, type, name, methods.
	base() *kindBase
	// profile is the profile of u's enrollment shown in
	// authenticatorEnrollments ({"email": "d***o@example.com"}), or nil.
	profile(u *userRecord) *authenticatorProfile
	// selectFields are the fields after "id" of this kind's option in
	// select-authenticator-authenticate.
	selectFields(c *call) []ionField
	// verificationDataFields are the fields after "id" in the
	// authenticator object of authenticator-verification-data.
	verificationDataFields(c *call) []ionField
	// challenge starts verifying c.t.user with method ("" when the client
	// chose none). afterData is true when the choice came from
	// authenticator-verification-data. It sets c.t.step to
	// stepVerificationData or stepChallenge (sending a message with
	// c.send if it must), and returns nil, or an error answer.
	challenge(c *call, method string, afterData bool) *idxResult
	// challengeFields are the fields of challenge-authenticator.
	challengeFields(c *call) []ionField
	// verify checks the body of challenge-authenticator: nil when
	// accepted, else the error answer.
	verify(c *call, raw []byte) *idxResult
	// decorate adds kind-specific parts (resend, poll, contextualData)
	// to the current authenticator (enrollment) document.
	decorate(c *call, doc *authenticatorDoc)
}

// enroller is an authenticatorKind that users can enroll during a flow.
type enroller interface {
	authenticatorKind
	// enrollFields are the fields after "id" of the kind's option in
	// select-authenticator-enroll.
	enrollFields(c *call) []ionField
	// startEnroll handles select-authenticator-enroll and
	// authenticator-enrollment-data: it sets c.t.step to
	// stepEnrollmentData (more data needed) or stepEnroll.
	startEnroll(c *call, raw []byte) *idxResult
	// enrollmentDataFields are the fields after "id" in the authenticator
	// object of authenticator-enrollment-data.
	enrollmentDataFields(c *call) []ionField
	// finishEnroll checks the body of enroll-authenticator and, when it is
	// right, records the enrollment on c.t.user.
	finishEnroll(c *call, raw []byte) *idxResult
}

// resender is an authenticatorKind whose challenge can be sent again
// (POST /idp/idx/challenge/resend).
type resender interface {
	resend(c *call) *idxResult
}

// sender is an authenticatorKind whose current authenticator offers a
// send action (POST /idp/idx/challenge/send) where no form posts there:
// Okta Verify sends its push. It returns nil to answer the new state.
type sender interface {
	send(c *call) *idxResult
}

// enrollment is one authenticator a user has enrolled.
type enrollment struct {
	id    string // enrollment ID, such as "pae..."
	value string // kind data: the phone number, the TOTP secret...
	step  int64  // the newest TOTP time step accepted, against replay
	// transports are a WebAuthn credential's transports, as the browser
	// gave them at enrollment.
	transports []string
	// credentialID is what the vendor knows the enrollment by, which
	// real orgs list as its credentialId: a YubiKey's serial, the user's
	// name at Duo.
	credentialID string
}

// org is a Server's registry of authenticators, steps and remediation
// forms, made once at construction and read-only afterwards.
type org struct {
	policy Policy
	kinds  []authenticatorKind // in the order offered
	byKey  map[string]authenticatorKind
	byID   map[string]authenticatorKind
	steps  map[string]stepDef
	forms  map[string]formDef
}

// newOrg builds the registry. A new authenticator adds one addKind line,
// a new flow one register line.
func newOrg(cfg *config) *org {
	o := &org{
		policy: cfg.idx.policyOrDefault(),
		byKey:  map[string]authenticatorKind{},
		byID:   map[string]authenticatorKind{},
		steps:  map[string]stepDef{},
		forms:  map[string]formDef{},
	}
	o.addKind(newPasswordKind())
	o.addKind(newEmailKind())
	o.addKind(newPhoneKind())
	o.addKind(newGoogleKind())
	o.addKind(newOktaVerifyKind(o, cfg.idx.ovFastPassOnly))
	o.addKind(newSecurityQuestionKind())
	o.addKind(newWebAuthnKind(o))
	addOptInKinds(o) // those the policy names (auth_token.go)

	registerAuthenticate(o)
	registerEnroll(o)
	registerRegistration(o)
	registerPasswordChange(o)
	registerRecover(o)
	registerUnlock(o)
	registerTokenErrors(o)
	registerLockout(o)
	registerIdP(o)
	registerKeepMeSignedIn(o)
	registerProfileUpdate(o)
	registerDeviceChallenge(o)      // devicechallenge.go
	registerIdentityVerification(o) // idverify.go
	registerDeviceAssurance(o)
	registerConsent(o)
	registerDevice(o)
	registerEmailConsent(o)
	return o
}

func (o *org) addKind(k authenticatorKind) {
	b := k.base()
	b.id = randomOktaID("aut")
	o.kinds = append(o.kinds, k)
	o.byKey[b.key] = k
	o.byID[b.id] = k
}

func (o *org) addStep(name string, d stepDef) {
	if _, dup := o.steps[name]; dup {
		panic("idxtest: step " + name + " registered twice")
	}
	o.steps[name] = d
}

func (o *org) addForm(name string, d formDef) {
	if _, dup := o.forms[name]; dup {
		panic("idxtest: form " + name + " registered twice")
	}
	o.forms[name] = d
}

// kindDoc is the authenticators list entry of k.
func kindDoc(k authenticatorKind) authenticatorDoc {
	b := k.base()
	return authenticatorDoc{Type: b.typ, Key: b.key, ID: b.id, DisplayName: b.displayName, LogoURI: b.logoURI, Methods: b.methodDocs()}
}

// enrollmentDoc is the authenticatorEnrollments entry of u's enrollment
// of k.
func enrollmentDoc(k authenticatorKind, u *userRecord) authenticatorDoc {
	d := kindDoc(k)
	if e := u.enrollments[d.Key]; e != nil {
		d.ID = e.id
		if _, ok := k.(*webAuthnKind); ok {
			// As real orgs list them: a browser needs the credential ID
			// for a key that holds no discoverable credential.
			d.CredentialID, d.Transports = webAuthnCredOf(e).id, e.transports
		}
		if e.credentialID != "" {
			d.CredentialID = e.credentialID
		}
	}
	d.Profile = k.profile(u)
	return d
}

// enrollmentsOf lists u's enrollments, in registry order.
func (o *org) enrollmentsOf(u *userRecord) []authenticatorDoc {
	out := []authenticatorDoc{}
	for _, k := range o.kinds {
		if u.enrollments[k.base().key] != nil {
			out = append(out, enrollmentDoc(k, u))
		}
	}
	return out
}
