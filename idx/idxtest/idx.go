package idxtest

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// This file is the IDX API (/idp/idx/...): the transaction state machine of
// the sign-on policy "password, then the email authenticator".

// txnState is where a transaction stands in the policy.
type txnState int

const (
	stateIdentify         txnState = iota // waiting for username + password
	stateSelect                           // waiting for an authenticator choice
	stateVerificationData                 // email chosen, waiting for methodType
	stateChallenge                        // email sent, waiting for the code
	stateSuccess                          // done: the stateHandle is used up
)

// interaction is what /v1/interact created: the OAuth side of a sign-in.
type interaction struct {
	handle        string
	app           *App
	redirectURI   string
	scopes        []string
	codeChallenge string
	state         string
	nonce         string
	expiresAt     time.Time
	txn           *transaction // the current transaction, nil before introspect
	done          bool         // reached success
}

// transaction is an IDX transaction, named by its stateHandle.
type transaction struct {
	handle        string
	interaction   *interaction
	state         txnState
	expiresAt     time.Time
	user          *userRecord
	code          string // the email code in force, "" if none
	codeExpiresAt time.Time
	successCode   string // the interaction code, once in stateSuccess
}

// interactionCode is an interaction_code waiting to be redeemed at /v1/token.
type interactionCode struct {
	grant
	codeChallenge string
	expiresAt     time.Time
}

// idxResult is what an IDX operation answers.
type idxResult struct {
	status int
	body   *idxResponse
	emails []Email // sent while handling; given to the email hook
}

// Messages of the IDX API; the i18n keys are Okta's. They are made afresh
// for every answer, so no answer shares state with another.

func msgSessionExpired() ionMessage {
	return errorMessage("You have been logged out due to inactivity. Refresh or return to the sign in screen.", "idx.session.expired")
}

func msgAuthFailed() ionMessage { return errorMessage("Authentication failed", "errors.E0000004") }

func msgBlank() ionMessage {
	return errorMessage("This field cannot be left blank", "model.validation.field.blank")
}

func msgNotAllowed() ionMessage {
	return errorMessage("This operation is not allowed in the current authentication state.", "errors.E0000079")
}

func msgMalformed() ionMessage {
	return errorMessage("The request body was not well-formed.", "errors.E0000003")
}

func msgTooLarge() ionMessage {
	return errorMessage("The request body is too large.", "errors.E0000003")
}

func msgMediaType() ionMessage { return errorMessage("Unsupported media type", "errors.E0000012") }

func msgPasscodeInvalid() ionMessage {
	return errorMessage("Invalid code. Try again.", "api.authn.error.PASSCODE_INVALID", []string{}...)
}

func msgInvalidValue(field string) ionMessage {
	return errorMessage("Api validation failed: "+field, "errors.E0000001", field)
}

// idx wraps an IDX operation: it checks the content type, reads the body
// (capped), runs op, then calls the email hook and writes the answer.
func (s *Server) idx(op func(now time.Time, body []byte) idxResult) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		res := s.readIDX(r, op)
		if s.cfg.emailHook != nil {
			for _, e := range res.emails {
				s.cfg.emailHook(e)
			}
		}
		writeJSON(w, res.status, ionProduces, res.body)
	}
}

func (s *Server) readIDX(r *http.Request, op func(time.Time, []byte) idxResult) idxResult {
	if ct := r.Header.Get("Content-Type"); !isIonRequestType(ct) {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/ion+json" && mt != "application/json") {
			return messagesOnly(http.StatusUnsupportedMediaType, msgMediaType())
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return messagesOnly(http.StatusRequestEntityTooLarge, msgTooLarge())
		}
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	return op(s.now(), body)
}

// isIonRequestType reports the request content types clients send, which
// need no parsing: each is what mime.ParseMediaType accepts below.
func isIonRequestType(ct string) bool {
	switch ct {
	case ionAccepts, ionProduces, "application/json", "application/ion+json":
		return true
	}
	return false
}

// messagesOnly is an answer with no transaction: version and messages.
func messagesOnly(status int, msgs ...ionMessage) idxResult {
	return idxResult{status: status, body: &idxResponse{Version: idxVersion, Messages: listOf(msgs...)}}
}

// decode unmarshals an IDX request body. Anything but one JSON object of
// the right shape is malformed.
func decode(body []byte, v any) bool {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return false
	}
	return json.Unmarshal(body, v) == nil
}

// expired is the answer for an unknown, used-up or expired stateHandle.
func (s *Server) expired(handle string, t *transaction) idxResult {
	res := messagesOnly(http.StatusUnauthorized, msgSessionExpired())
	if t != nil {
		res.body.StateHandle = t.handle
		res.body.ExpiresAt = t.expiresAt.UTC().Format(expiresAtLayout)
		res.body.Intent = "LOGIN"
	} else if handle != "" && len(handle) <= 256 {
		res.body.StateHandle = handle
	}
	return res
}

// activeTxnLocked returns the live transaction named handle, or the
// expired answer. An expired transaction is forgotten.
func (s *Server) activeTxnLocked(now time.Time, handle string) (*transaction, *idxResult) {
	t, ok := s.transactions[handle]
	if !ok || handle == "" {
		res := s.expired(handle, nil)
		return nil, &res
	}
	if !now.Before(t.expiresAt) {
		delete(s.transactions, handle)
		res := s.expired(handle, t)
		return nil, &res
	}
	return t, nil
}

// newTxnLocked starts a transaction for ia in the identify state.
func (s *Server) newTxnLocked(now time.Time, ia *interaction) *transaction {
	t := &transaction{
		handle:      "02" + randomToken(30),
		interaction: ia,
		state:       stateIdentify,
		expiresAt:   now.Add(s.cfg.transactionLifetime),
	}
	ia.txn = t
	s.transactions[t.handle] = t
	return t
}

func (s *Server) answer200(t *transaction) idxResult {
	return idxResult{status: http.StatusOK, body: s.render(t)}
}

// answerError renders t's current state with a status and top-level
// messages.
func (s *Server) answerError(t *transaction, status int, msgs ...ionMessage) idxResult {
	resp := s.render(t)
	for _, m := range msgs {
		resp.addMessage(m)
	}
	return idxResult{status: status, body: resp}
}

// answerFieldError renders t's current state with a message on one field.
func (s *Server) answerFieldError(t *transaction, status int, form, path string, msg ionMessage) idxResult {
	resp := s.render(t)
	if !resp.addFieldMessage(form, path, msg) {
		resp.addMessage(msg)
	}
	return idxResult{status: status, body: resp}
}

type handleBody struct {
	StateHandle       string `json:"stateHandle"`
	InteractionHandle string `json:"interactionHandle"`
}

// introspect answers POST /idp/idx/introspect: with an interactionHandle it
// starts (or shows) the interaction's transaction; with a stateHandle it
// shows the transaction's current state.
func (s *Server) introspect(now time.Time, raw []byte) idxResult {
	var b handleBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.StateHandle != "" || b.InteractionHandle == "" {
		t, fail := s.activeTxnLocked(now, b.StateHandle)
		if fail != nil {
			return *fail
		}
		return s.answer200(t)
	}
	ia, ok := s.interactions[b.InteractionHandle]
	if !ok || ia.done {
		return s.expired("", nil)
	}
	if ia.txn == nil {
		if !now.Before(ia.expiresAt) {
			delete(s.interactions, ia.handle)
			return s.expired("", nil)
		}
		return s.answer200(s.newTxnLocked(now, ia))
	}
	t, fail := s.activeTxnLocked(now, ia.txn.handle)
	if fail != nil {
		return *fail
	}
	return s.answer200(t)
}

type identifyBody struct {
	Identifier  *string       `json:"identifier"`
	Credentials *passcodeBody `json:"credentials"`
	RememberMe  *bool         `json:"rememberMe"`
	StateHandle string        `json:"stateHandle"`
}

type passcodeBody struct {
	Passcode *string `json:"passcode"`
}

func (p *passcodeBody) value() string {
	if p == nil || p.Passcode == nil {
		return ""
	}
	return *p.Passcode
}

// dummyPassword is compared against when the username is unknown, so both
// failures cost the same.
const dummyPassword = "idxtest-no-such-user-password"

// identify answers POST /idp/idx/identify (username and password).
func (s *Server) identify(now time.Time, raw []byte) idxResult {
	var b identifyBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, fail := s.activeTxnLocked(now, b.StateHandle)
	if fail != nil {
		return *fail
	}
	if t.state != stateIdentify {
		return s.answerError(t, http.StatusForbidden, msgNotAllowed())
	}
	identifier := ""
	if b.Identifier != nil {
		identifier = strings.TrimSpace(*b.Identifier)
	}
	if identifier == "" {
		return s.answerFieldError(t, http.StatusBadRequest, "identify", "identifier", msgBlank())
	}
	password := b.Credentials.value()
	if password == "" {
		return s.answerFieldError(t, http.StatusBadRequest, "identify", "credentials.passcode", msgBlank())
	}
	u := s.users[strings.ToLower(identifier)]
	want := dummyPassword
	if u != nil {
		want = u.Password
	}
	match := subtle.ConstantTimeCompare([]byte(password), []byte(want)) == 1
	if u == nil || !match {
		s.cfg.logger.Info("idxtest identify failed")
		return s.answerError(t, http.StatusUnauthorized, msgAuthFailed())
	}
	t.user = u
	t.state = stateSelect
	return s.answer200(t)
}

type challengeBody struct {
	Authenticator *authenticatorRef `json:"authenticator"`
	StateHandle   string            `json:"stateHandle"`
}

type authenticatorRef struct {
	ID           string `json:"id"`
	MethodType   string `json:"methodType"`
	EnrollmentID string `json:"enrollmentId"`
}

// challenge answers POST /idp/idx/challenge: select-authenticator-authenticate
// and authenticator-verification-data both post here.
func (s *Server) challenge(now time.Time, raw []byte) idxResult {
	var b challengeBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, fail := s.activeTxnLocked(now, b.StateHandle)
	if fail != nil {
		return *fail
	}
	switch t.state {
	case stateSelect, stateVerificationData, stateChallenge:
	default:
		return s.answerError(t, http.StatusForbidden, msgNotAllowed())
	}
	ref := b.Authenticator
	if ref == nil || ref.ID == "" {
		return s.answerError(t, http.StatusBadRequest, msgInvalidValue("authenticator"))
	}
	if ref.ID != s.emailAuthenticatorID {
		return s.answerError(t, http.StatusBadRequest, msgInvalidValue("authenticator.id"))
	}
	if ref.MethodType != "" && ref.MethodType != "email" {
		return s.answerError(t, http.StatusBadRequest, msgInvalidValue("authenticator.methodType"))
	}
	if t.state == stateVerificationData {
		if ref.MethodType == "" {
			return s.answerFieldError(t, http.StatusBadRequest, "authenticator-verification-data", "authenticator.methodType", msgBlank())
		}
		e := s.sendCodeLocked(now, t)
		res := s.answer200(t)
		res.emails = []Email{e}
		return res
	}
	if s.cfg.emailVerificationData {
		t.state = stateVerificationData
		t.code = ""
		return s.answer200(t)
	}
	e := s.sendCodeLocked(now, t)
	res := s.answer200(t)
	res.emails = []Email{e}
	return res
}

// resend answers POST /idp/idx/challenge/resend: a new code replaces the
// one in force.
func (s *Server) resend(now time.Time, raw []byte) idxResult {
	var b handleBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, fail := s.activeTxnLocked(now, b.StateHandle)
	if fail != nil {
		return *fail
	}
	if t.state != stateChallenge && t.state != stateVerificationData {
		return s.answerError(t, http.StatusForbidden, msgNotAllowed())
	}
	e := s.sendCodeLocked(now, t)
	res := s.answer200(t)
	res.emails = []Email{e}
	return res
}

// poll answers POST /idp/idx/challenge/poll with the current state (there
// is no magic link to wait for).
func (s *Server) poll(now time.Time, raw []byte) idxResult {
	var b handleBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, fail := s.activeTxnLocked(now, b.StateHandle)
	if fail != nil {
		return *fail
	}
	return s.answer200(t)
}

type answerBody struct {
	Credentials *passcodeBody `json:"credentials"`
	StateHandle string        `json:"stateHandle"`
}

// answer answers POST /idp/idx/challenge/answer (the emailed code).
func (s *Server) answer(now time.Time, raw []byte) idxResult {
	var b answerBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, fail := s.activeTxnLocked(now, b.StateHandle)
	if fail != nil {
		return *fail
	}
	if t.state != stateChallenge || t.code == "" {
		return s.answerError(t, http.StatusForbidden, msgNotAllowed())
	}
	passcode := strings.TrimSpace(b.Credentials.value())
	if passcode == "" {
		return s.answerFieldError(t, http.StatusBadRequest, "challenge-authenticator", "credentials.passcode", msgBlank())
	}
	// An expired code gets the same answer as a wrong one: Okta's
	// captured answers know only PASSCODE_INVALID for email codes.
	if !now.Before(t.codeExpiresAt) || subtle.ConstantTimeCompare([]byte(passcode), []byte(t.code)) != 1 {
		s.cfg.logger.Info("idxtest email code rejected")
		return s.answerFieldError(t, http.StatusUnauthorized, "challenge-authenticator", "credentials.passcode", msgPasscodeInvalid())
	}
	ia := t.interaction
	code := randomToken(32)
	s.codes[code] = &interactionCode{
		grant: grant{
			clientID: ia.app.ClientID,
			user:     t.user,
			scopes:   ia.scopes,
			authTime: now,
			amr:      []string{"pwd", "email"},
			nonce:    ia.nonce,
		},
		codeChallenge: ia.codeChallenge,
		expiresAt:     now.Add(interactionCodeLifetime),
	}
	t.state = stateSuccess
	t.code = ""
	t.successCode = code
	ia.done = true
	delete(s.transactions, t.handle) // the stateHandle is used up
	return s.answer200(t)
}

// cancel answers POST /idp/idx/cancel: the transaction ends and a new one
// starts over at identify, on a new stateHandle, for the same interaction.
func (s *Server) cancel(now time.Time, raw []byte) idxResult {
	var b handleBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, fail := s.activeTxnLocked(now, b.StateHandle)
	if fail != nil {
		return *fail
	}
	delete(s.transactions, t.handle)
	t.code = ""
	return s.answer200(s.newTxnLocked(now, t.interaction))
}
