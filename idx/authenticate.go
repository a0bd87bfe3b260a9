package idx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/internal/idxapi"
	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/oauth"
	"github.com/goidx/goidx/internal/remediate"
	"github.com/goidx/goidx/internal/transport"
)

// Options are the values of one call of Authenticate, Register,
// RecoverPassword or UnlockAccount. Leave State empty to start a
// transaction; set it to continue one, such as one [Client.Start] began
// with a token or sign-in hints ([StartOptions]). Any values may be given
// up front: the call answers every step they cover, in server order, and
// returns the first step they do not. Printed or logged, Options show
// which fields are set but no secret ([Options.String]).
type Options struct {
	// State continues the transaction of an earlier call's Transaction.State.
	State string

	// Username and Password answer the identify step (and a password
	// challenge).
	Username string
	Password string
	// RememberMe answers identify's "keep me signed in" (its rememberMe
	// input), when the form offers it: true keeps the user's session
	// beyond the browser's, false does not. Nil sends the form's own
	// value, and some orgs set it to true, so that a user is kept signed
	// in, and the org's later keep-me-signed-in question skipped, unless
	// the app says false. Set it to what the user chose; an identify form
	// without rememberMe is sent without it.
	RememberMe *bool
	// KeepMeSignedIn answers keep-me-signed-in, the org's question once
	// the user is authenticated ("Stay signed in?"): true to keep the
	// session, false not to. Nil leaves the step to the caller
	// (NextStep.Name "keep-me-signed-in", input "keepMeSignedIn").
	KeepMeSignedIn *bool
	// CaptchaToken is the token the captcha service gave the user's
	// browser for the step's NextStep.Captcha (the h-captcha-response or
	// g-recaptcha-response value). It is sent with the step's other
	// values as captchaVerify.captchaToken, beside the org's captchaId,
	// and never logged. A step that asks for a captcha is not answered
	// without one.
	CaptchaToken string

	// Authenticator chooses an authenticator by key where a step asks to
	// select one.
	Authenticator authenticator.Key
	// MethodType chooses how the authenticator is used ("sms", "voice",
	// "email", "push", ...), when it offers several. Where the step
	// choosing the authenticator fixes another method (Okta Verify
	// offered only as FastPass, "signed_nonce"), the call fails with
	// ErrMethodNotOffered rather than use it.
	MethodType string
	// VerificationCode answers a one-time code challenge (email, phone,
	// Google Authenticator, Okta Verify's code, custom OTP, RSA SecurID,
	// on-prem MFA, Symantec VIP, a YubiKey's OTP, a temporary access
	// code) or an NFC card's PIN: every input named "verificationCode".
	VerificationCode string
	// VendorUsername is the user's name on the vendor's server, asked
	// when enrolling RSA SecurID or an on-prem MFA authenticator.
	VendorUsername string
	// CredentialID and NextVerificationCode enroll Symantec VIP: the
	// credential ID of the token or app, and the code it shows after
	// VerificationCode.
	CredentialID         string
	NextVerificationCode string
	// DuoSignature is the signed response of Duo's prompt (see
	// Authenticator.Context.Duo).
	DuoSignature string

	// NewPassword sets a password: reset-authenticator (RecoverPassword),
	// reenroll-authenticator (an expired password), and the enrollment of
	// the password authenticator when Password is not given.
	// ConfirmPassword, when set, must equal it; it is checked here and not
	// sent.
	NewPassword     string
	ConfirmPassword string
	// RevokeSessions answers reset-authenticator's "sign me out of other
	// devices", when offered.
	RevokeSessions bool

	// PhoneNumber enrolls a phone (with MethodType "sms" or "voice"),
	// in E.164 form such as "+15556667777".
	PhoneNumber string
	// Answer answers a security question; at enrollment QuestionKey
	// chooses the question (one of Authenticator.Context.QuestionKeys, or
	// "custom" with the user's own Question).
	Answer      string
	QuestionKey string
	Question    string
	// WebAuthn is the browser's answer to the WebAuthn ceremony of the
	// step (see Authenticator.Context.ActivationData and ChallengeData).
	WebAuthn *authenticator.WebAuthnAnswer
	// Channel chooses how Okta Verify is enrolled: "qrcode", "email" or
	// "sms"; Email or PhoneNumber then say where the link goes.
	Channel string
	Email   string

	// Profile holds the attributes of a new user (Register), or those
	// the org asks a user for at sign-in (profile-update): whatever the
	// org's enroll-profile or profile-update form asks for, by name, such
	// as "firstName", "lastName", "email". Attributes the form does not
	// ask for are not sent. Each takes its natural Go value, as the
	// input's Type says: a string, a bool for a boolean (a checkbox, or a
	// radio whose Options are "true" and "false"), one of the input's
	// Options where it has some (a select), a number for a number or
	// integer, a slice for an array. A value of another type fails with an *InputError naming the
	// attribute ("userProfile.newsletter") before anything is sent.
	Profile map[string]any

	// Consent answers a consent step (NextStep.Consent): ConsentAllow
	// grants, ConsentDeny refuses. ConsentScopes, on a step whose
	// Consent.ByScope is set (granular-consent), lists the scopes the user
	// grants, by Scope.Name: the optional scopes it leaves out are
	// declined, the others are granted whether listed or not. A non-nil
	// list answers the step with consent (Consent may be left empty),
	// even an empty one, which declines every optional scope; with
	// ConsentDeny it is refused (ErrInvalidInput). A name the step does
	// not ask for fails with ErrInvalidInput before anything is sent.
	Consent       ConsentAnswer
	ConsentScopes []string

	// UserCode answers the user-code step of a device activation: the
	// code the device shows. Like a password it never appears in a log
	// or an error. A code the org does not know leaves the transaction
	// on the step with Rejection matching ErrInvalidUserCode.
	UserCode string

	// Step names the remediation Values answer, for steps the options above
	// do not cover; Values hold its inputs by input name (as in
	// NextStep.Inputs), by dotted form path ("credentials.passcode") or as
	// nested map[string]any. A value is a string, bool, number or
	// json.Number, or, for an input with options, one of the options'
	// Values. With Step set, every value must be an input of that step, or
	// the call fails with ErrInvalidInput before anything is sent; a step
	// with no inputs (such as "skip") is submitted with none.
	Step   string
	Values map[string]any
}

// values turns the options into the engine's values.
func (o *Options) values(fl remediate.Flow) (remediate.Values, error) {
	v := remediate.Values{}
	if o.Username != "" {
		if strings.TrimSpace(o.Username) == "" {
			return nil, &InputError{Field: "Username", Reason: "blank"}
		}
		v["username"] = o.Username
	}
	if o.Password != "" {
		v["password"] = o.Password
	}
	if o.Password != "" && o.Username == "" && o.State == "" && fl == remediate.FlowAuthenticate {
		return nil, &InputError{Field: "Username", Reason: "empty while Password is set"}
	}
	if o.RememberMe != nil {
		v["rememberMe"] = *o.RememberMe
	}
	if o.KeepMeSignedIn != nil {
		v["keepMeSignedIn"] = *o.KeepMeSignedIn
	}
	if o.CaptchaToken != "" {
		if strings.TrimSpace(o.CaptchaToken) == "" {
			return nil, &InputError{Field: "CaptchaToken", Reason: "blank"}
		}
		v["captchaToken"] = o.CaptchaToken
	}
	if o.Authenticator != "" {
		v["authenticator"] = string(o.Authenticator)
	}
	if o.MethodType != "" {
		v["methodType"] = o.MethodType
	}
	if o.VerificationCode != "" {
		if strings.TrimSpace(o.VerificationCode) == "" {
			return nil, &InputError{Field: "VerificationCode", Reason: "blank"}
		}
		v["verificationCode"] = strings.TrimSpace(o.VerificationCode)
	}
	if o.NextVerificationCode != "" {
		if strings.TrimSpace(o.NextVerificationCode) == "" {
			return nil, &InputError{Field: "NextVerificationCode", Reason: "blank"}
		}
		v["nextVerificationCode"] = strings.TrimSpace(o.NextVerificationCode)
	}
	if o.ConfirmPassword != "" && o.ConfirmPassword != o.NewPassword {
		return nil, &InputError{Field: "ConfirmPassword", Reason: "does not match NewPassword"}
	}
	if o.NewPassword != "" {
		v["newPassword"] = o.NewPassword
	}
	if o.RevokeSessions {
		v["revokeSessions"] = true
	}
	for name, val := range map[string]string{
		"phoneNumber": o.PhoneNumber, "answer": o.Answer, "questionKey": o.QuestionKey,
		"question": o.Question, "channel": o.Channel, "email": o.Email,
		"vendorUsername": o.VendorUsername, "credentialId": o.CredentialID, "duoSignature": o.DuoSignature,
	} {
		if val != "" {
			v[name] = val
		}
	}
	if w := o.WebAuthn; w != nil {
		if w.ClientData == "" {
			return nil, &InputError{Field: "WebAuthn.ClientData", Reason: "empty"}
		}
		v["clientData"] = w.ClientData
		for name, val := range map[string]string{
			"attestation": w.Attestation, "authenticatorData": w.AuthenticatorData, "signatureData": w.SignatureData,
			"transports": w.Transports, "clientExtensions": w.ClientExtensions,
		} {
			if val != "" {
				v[name] = val
			}
		}
		if c, ok := authenticator.Credentials(authenticator.WebAuthn, authenticator.Answer{WebAuthn: w}); ok && w.Attestation != "" {
			// An enrollment: Okta's form requires the transports and
			// client extensions, [] and {} when the browser gave none.
			for _, name := range []string{"transports", "clientExtensions"} {
				if _, given := v[name]; !given {
					v[name] = c[name]
				}
			}
		}
	}
	if err := o.consentValues(v); err != nil {
		return nil, err
	}
	if err := o.userCodeValues(v); err != nil {
		return nil, err
	}
	for k, val := range o.Profile {
		if k == "" || strings.Contains(k, ".") {
			return nil, &InputError{Field: "Profile", Reason: "bad attribute name"}
		}
		v["userProfile."+k] = val
	}
	if len(o.Values) > 0 && o.Step == "" {
		return nil, &InputError{Field: "Values", Reason: "given without Step"}
	}
	for k, val := range o.Values {
		if k == "" {
			return nil, &InputError{Field: "Values", Reason: "empty name"}
		}
		v[k] = val
	}
	return v, nil
}

// Authenticate starts or continues a sign-in. It returns the transaction
// when the server waits for a step the options do not cover (PENDING), when
// the user is signed in (SUCCESS, with verified tokens) or when the server
// ends the transaction (TERMINAL).
//
// A wrong code or password is not an error: the transaction stays PENDING
// on the same step, with the server's message in Messages and
// [Transaction.Rejection] set. Errors are for the caller's mistakes
// ([ErrInvalidInput], [ErrUnknownAuthenticator], [ErrMethodNotOffered]:
// a method type the step does not offer for the authenticator is refused,
// never replaced by another), unknown or expired State
// ([ErrTransactionNotFound], [ErrTransactionExpired]) and protocol or
// transport failures. After an error the saved transaction is unchanged
// and the call may be retried with the same State.
func (c *Client) Authenticate(ctx context.Context, opts Options) (*Transaction, error) {
	return c.proceed(ctx, opts, remediate.FlowAuthenticate)
}

func (c *Client) proceed(ctx context.Context, opts Options, fl remediate.Flow) (*Transaction, error) {
	v, err := opts.values(fl)
	if err != nil {
		return nil, err
	}
	var f *flow
	if opts.State == "" {
		f, err = c.start(ctx, &StartOptions{})
	} else {
		f, err = c.load(ctx, opts.State)
	}
	if err != nil {
		return nil, err
	}
	return c.run(ctx, f, remediate.Call{Flow: fl, Values: v, Step: opts.Step})
}

// run runs the remediation loop (see remediate.Run) on the flow and
// describes where it leaves the transaction.
func (c *Client) run(ctx context.Context, f *flow, call remediate.Call) (*Transaction, error) {
	call.MaxSteps, call.Log = c.maxSteps, c.log
	res, err := remediate.Run(ctx, poster{c}, remediate.Answer{Response: f.resp, Status: f.status, Raw: f.saved.Response}, call)
	if err != nil {
		return nil, loopError(err, call.Step)
	}
	f.resp, f.status = res.Response, res.Status
	switch res.End {
	case remediate.Success:
		tx, err := c.succeed(ctx, f)
		if tx != nil {
			tx.Outcome = Outcome(res.Outcome)
		}
		return tx, err
	case remediate.Terminal:
		tx, err := c.terminal(ctx, f)
		if tx != nil {
			// A refusal the call sent ended the transaction.
			tx.consentDenied = res.ConsentRefused
		}
		return tx, err
	}
	var raw []byte
	if res.Posted {
		raw = res.Raw
	}
	if err := c.save(ctx, f, raw); err != nil {
		return nil, err
	}
	tx := pendingTransaction(f.resp, f.saved.State, res.Step)
	tx.Outcome = Outcome(res.Outcome)
	if res.Rejected {
		tx.Rejection = newRejection(f.status, tx.Messages)
	}
	if c.log.Enabled(ctx, slog.LevelDebug) {
		c.log.DebugContext(ctx, "idx: transaction pending", "step", tx.NextStep.Name, "rejected", res.Rejected)
	}
	return tx, nil
}

// poster posts the remediation loop's requests for c.
type poster struct{ c *Client }

// Post posts p's form, or asks the introspect endpoint when p has none.
func (p poster) Post(ctx context.Context, r remediate.Post) (remediate.Answer, error) {
	href, accepts, produces := p.c.origin+"/idp/idx/introspect", "", ""
	if r.Form != nil {
		href, accepts, produces = r.Form.Href, r.Form.Accepts, r.Form.Produces
	}
	resp, status, raw, err := p.c.idxRequestRaw(ctx, href, accepts, produces, r.Body, r.Class)
	return remediate.Answer{Response: resp, Status: status, Raw: raw}, err
}

// loopError is an error of the remediation loop as callers see it; step
// is the step the caller named.
func loopError(err error, step string) error {
	var pe *remediate.PostError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var oe *remediate.OutcomeError
	if errors.As(err, &oe) {
		return unknownOutcome(idxapi.EndpointName(oe.Href), oe.Err)
	}
	var ue *remediate.UnusedError
	if errors.As(err, &ue) {
		return &InputError{Field: ue.Name, Reason: "not an input of step " + ue.Step}
	}
	var fe *remediate.FormError
	if errors.As(err, &fe) {
		return fmt.Errorf("idx: %s: %w", fe.Form, fe.Err)
	}
	switch {
	case errors.Is(err, remediate.ErrCannotResend):
		return ErrCannotResend
	case errors.Is(err, remediate.ErrCannotPoll):
		return ErrCannotPoll
	case errors.Is(err, remediate.ErrTooManySteps):
		return ErrTooManySteps
	}
	return publicEngineError(err, step)
}

func publicEngineError(err error, step string) error {
	var ae *remediate.AuthenticatorError
	if errors.As(err, &ae) {
		if ae.MethodType != "" {
			return &InputError{Field: "MethodType", kind: ErrMethodNotOffered, Reason: fmt.Sprintf("%q not offered for %q by step %s (offered: %s)",
				ae.MethodType, ae.Key, ae.Step, strings.Join(ae.Offered, ", "))}
		}
		return &InputError{Field: "Authenticator", kind: ErrUnknownAuthenticator, Reason: fmt.Sprintf("%q not offered by step %s (offered: %s)",
			ae.Key, ae.Step, strings.Join(ae.Offered, ", "))}
	}
	if errors.Is(err, remediate.ErrUnknownStep) {
		return fmt.Errorf("%w: %q", ErrUnknownStep, step)
	}
	var fe *ion.FieldError
	if errors.As(err, &fe) {
		return &InputError{Field: fe.Field, Reason: fe.Reason + " (step " + fe.Form + ")"}
	}
	return fmt.Errorf("idx: %w", err)
}

// newRejection is the error of a refused answer: its status and the ERROR
// messages among ms, the transaction's messages.
func newRejection(status int, ms []Message) error {
	e := &RejectionError{StatusCode: status}
	for _, m := range ms {
		if m.Class == "ERROR" {
			e.Messages = append(e.Messages, m)
		}
	}
	return e
}

// terminal ends a transaction the server ended.
func (c *Client) terminal(ctx context.Context, f *flow) (*Transaction, error) {
	c.forget(ctx, f.saved.State)
	for _, m := range f.resp.Messages {
		if kindOf(m.Key) == ErrTransactionExpired {
			return nil, ErrTransactionExpired
		}
	}
	c.log.DebugContext(ctx, "idx: transaction terminal")
	ms := newMessages(f.resp, remediate.DescribeAll(f.resp))
	return &Transaction{Status: StatusTerminal, Messages: ms, ExpiresAt: f.resp.ExpiresAt, Outcome: Outcome(remediate.Outcome(f.resp.AllMessages())),
		DeviceAssurance: newDeviceAssurance(remediate.DeviceAssurance(f.resp.Messages))}, nil
}

// succeed exchanges the interaction code for tokens and verifies them.
func (c *Client) succeed(ctx context.Context, f *flow) (*Transaction, error) {
	form := f.resp.Success
	code := ""
	if fd := form.Field("interaction_code"); fd != nil {
		code, _ = fd.StringValue()
	}
	if code == "" {
		return nil, &opError{op: "success form",
			err: &ion.MemberError{Path: "successWithInteractionCode.value", Problem: "no interaction_code string"}}
	}
	return c.exchange(ctx, f.saved, form.Href, code, newMessages(f.resp, remediate.DescribeAll(f.resp)))
}

// exchange swaps an interaction code for tokens at tokenURL with the
// transaction's PKCE verifier, verifies the ID token against its nonce,
// and saves the tokens.
func (c *Client) exchange(ctx context.Context, saved *SavedTransaction, tokenURL, code string, ms []Message) (*Transaction, error) {
	f := &flow{saved: saved}
	tr, err := c.provider.ExchangeInteractionCode(ctx, tokenURL, c.auth, code, f.saved.CodeVerifier)
	if err != nil {
		return nil, wireError("token", err)
	}
	// The interaction code is spent: the transaction is over whatever the
	// verification below says.
	c.forget(ctx, f.saved.State)
	t := &Tokens{
		TokenType:    tr.TokenType,
		AccessToken:  Secret(tr.AccessToken),
		IDToken:      Secret(tr.IDToken),
		RefreshToken: Secret(tr.RefreshToken),
		Scopes:       strings.Fields(tr.Scope),
	}
	if tr.ExpiresIn > 0 {
		t.Expiry = c.now().Add(time.Duration(tr.ExpiresIn) * time.Second)
	}
	if tr.IDToken == "" && slices.Contains(f.saved.Scopes, "openid") {
		return nil, fmt.Errorf("idx: token endpoint: %w: no id_token for an openid request", ErrInvalidIDToken)
	}
	if tr.IDToken != "" {
		claims, err := c.provider.VerifyIDTokenWith(ctx, tr.IDToken, oauth.VerifyOptions{
			ClientID:    c.cfg.ClientID,
			Nonce:       f.saved.Nonce,
			AccessToken: tr.AccessToken,
		})
		if err != nil {
			return nil, wireError("", err)
		}
		t.IDTokenClaims = publicClaims(claims)
		if err := checkAuthContext(f.saved, t.IDTokenClaims, c.now()); err != nil {
			return nil, err
		}
	}
	if err := c.tokStore.Save(ctx, f.saved.State, t); err != nil {
		return nil, fmt.Errorf("idx: saving tokens: %w", err)
	}
	c.log.DebugContext(ctx, "idx: transaction succeeded")
	return &Transaction{Status: StatusSuccess, State: f.saved.State, Tokens: t, Messages: ms}, nil
}

// Resend asks the server to send the current step's code again (after a
// rejected push, to send a new push) and returns the transaction. It is
// never done implicitly: each resend sends a message and counts against
// the org's limits. A step that offers no resend ([NextStep.CanResend]
// false) gives [ErrCannotResend].
func (c *Client) Resend(ctx context.Context, state string) (*Transaction, error) {
	f, err := c.load(ctx, state)
	if err != nil {
		return nil, err
	}
	return c.run(ctx, f, remediate.Call{Resend: true})
}

// Cancel cancels the transaction at the server and forgets it. The
// returned transaction is CANCELED.
func (c *Client) Cancel(ctx context.Context, state string) (*Transaction, error) {
	f, err := c.load(ctx, state)
	if err != nil {
		return nil, err
	}
	if f.resp.Cancel != nil {
		body, err := f.resp.Cancel.Body(nil)
		if err != nil {
			return nil, fmt.Errorf("idx: cancel: %w", err)
		}
		if _, err := (poster{c}).Post(ctx, remediate.Post{Form: f.resp.Cancel, Body: body, Class: transport.ClassAnswer}); err != nil {
			return nil, err
		}
	}
	c.forget(ctx, state)
	if err := c.tokStore.Delete(ctx, state); err != nil {
		c.log.WarnContext(ctx, "idx: deleting tokens failed", "error", err)
	}
	c.log.DebugContext(ctx, "idx: transaction canceled")
	return &Transaction{Status: StatusCanceled}, nil
}

// UserInfo returns the signed-in user's profile from the userinfo
// endpoint. When t has verified ID token claims, the answer's subject must
// match them ([ErrSubjectMismatch]).
func (c *Client) UserInfo(ctx context.Context, t *Tokens) (*UserInfo, error) {
	if t == nil || t.AccessToken == "" {
		return nil, &InputError{Field: "Tokens.AccessToken", Reason: "empty"}
	}
	claims, err := c.provider.UserInfo(ctx, string(t.AccessToken))
	if err != nil {
		return nil, wireError("userinfo", err)
	}
	u := newUserInfo(claims)
	if u.Subject == "" {
		return nil, fmt.Errorf("idx: userinfo: %w: no sub", ErrUnexpectedResponse)
	}
	if t.IDTokenClaims != nil && t.IDTokenClaims.Subject != u.Subject {
		return nil, ErrSubjectMismatch
	}
	return u, nil
}

// Tokens returns the tokens saved in the TokenStore by the successful
// transaction whose State was state.
func (c *Client) Tokens(ctx context.Context, state string) (*Tokens, error) {
	t, err := c.tokStore.Load(ctx, state)
	if err != nil {
		if errors.Is(err, ErrTokensNotFound) {
			return nil, ErrTokensNotFound
		}
		return nil, fmt.Errorf("idx: loading tokens: %w", err)
	}
	return t, nil
}

// Revoke revokes the refresh token and the access token of t at the org
// (RFC 7009, with the app's client authentication) and deletes any tokens
// saved under state in the TokenStore (state may be empty). Use it at
// sign-out. Revoking tokens the org no longer knows is not an error.
func (c *Client) Revoke(ctx context.Context, state string, t *Tokens) error {
	if t == nil {
		return &InputError{Field: "Tokens", Reason: "nil"}
	}
	for _, tok := range []struct {
		value Secret
		hint  string
	}{{t.RefreshToken, "refresh_token"}, {t.AccessToken, "access_token"}} {
		if tok.value == "" {
			continue
		}
		if err := c.provider.Revoke(ctx, c.auth, string(tok.value), tok.hint); err != nil {
			return wireError("revoke", err)
		}
	}
	if state != "" {
		if err := c.tokStore.Delete(ctx, state); err != nil {
			return fmt.Errorf("idx: deleting tokens: %w", err)
		}
	}
	c.log.DebugContext(ctx, "idx: tokens revoked")
	return nil
}
