package idxtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"
)

// This file is the IDX API plumbing (/idp/idx/...): reading requests,
// transactions by stateHandle, introspect, resend, poll and cancel. The
// state machine is in flow.go, the flows and authenticators in their own
// files.

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
	// recovery and activation are what the recovery_token or
	// activation_token given to /v1/interact stood for, until the first
	// transaction uses them (flow_recover.go, activation.go).
	recovery, activation *userGrant
	// tokenError is why the token given to /v1/interact no longer works,
	// when the org says so in IDX (token_errors.go).
	tokenError *tokenError
	hints      hints // acr_values, max_age, login_hint, prompt and the session (stepup.go)
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
	emails []Email      // sent while handling; given to the email hook
	cookie *http.Cookie // the org's session cookie, set on success (stepup.go)
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
	return errorMessage("Invalid code. Try again.", "api.authn.error.PASSCODE_INVALID", []any{}...)
}

func msgPasswordInvalid() ionMessage {
	return errorMessage("Password is incorrect", "incorrectPassword")
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
		if res.cookie != nil {
			http.SetCookie(w, res.cookie)
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
	case ionAccepts, ionProduces, "application/json", "application/ion+json", deviceAccepts:
		return true
	}
	return false
}

// messagesOnly is an answer with no transaction: version and messages.
func messagesOnly(status int, msgs ...ionMessage) idxResult {
	return idxResult{status: status, body: &idxResponse{Version: idxVersion, Messages: listOf(msgs...)}}
}

// txnMessages is messagesOnly naming t: its stateHandle, expiry and
// intent beside the messages, and no forms.
func txnMessages(t *transaction, status int, msgs ...ionMessage) idxResult {
	res := messagesOnly(status, msgs...)
	res.body.StateHandle = t.handle
	res.body.ExpiresAt = t.expiresAt.UTC().Format(expiresAtLayout)
	res.body.Intent = "LOGIN"
	return res
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

// expired is the answer for an unknown, used-up or expired stateHandle:
// the handle, with its expiry (now, for one the server forgot), and the
// message.
func (s *Server) expired(handle string, t *transaction) idxResult {
	if t != nil {
		return txnMessages(t, http.StatusUnauthorized, msgSessionExpired())
	}
	res := messagesOnly(http.StatusUnauthorized, msgSessionExpired())
	if handle != "" && len(handle) <= 256 {
		res.body.StateHandle = handle
		res.body.ExpiresAt = s.now().UTC().Format(expiresAtLayout)
		res.body.Intent = "LOGIN"
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
	if res := s.succeededTxnLocked(handle, t); res != nil {
		return nil, res
	}
	return t, nil
}

// newTxnLocked starts a transaction for ia in the identify state.
func (s *Server) newTxnLocked(now time.Time, ia *interaction) *transaction {
	t := &transaction{
		handle:      "02" + randomToken(30),
		interaction: ia,
		flow:        flowAuthenticate,
		step:        stepIdentify,
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
	// StateToken is the stateHandle under the name Okta's own pages
	// introspect it by (okta-auth-js's idx.start({stateHandle})).
	StateToken string `json:"stateToken"`
}

// introspect answers POST /idp/idx/introspect: with an interactionHandle it
// starts (or shows) the interaction's transaction; with a stateHandle it
// shows the transaction's current state.
func (s *Server) introspect(now time.Time, raw []byte) idxResult {
	var b handleBody
	if !decode(raw, &b) {
		return messagesOnly(http.StatusBadRequest, msgMalformed())
	}
	if b.StateHandle == "" {
		b.StateHandle = b.StateToken
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.StateHandle != "" || b.InteractionHandle == "" {
		if res, ok := s.introspectSucceededLocked(now, b.StateHandle); ok {
			return res
		}
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
		return s.answer200(s.startDeviceChallengeLocked(s.startTokenErrorLocked(s.startActivationLocked(now, s.startRecoveryLocked(now, s.resumeSessionLocked(now, s.newTxnLocked(now, ia)))))))
	}
	t, fail := s.activeTxnLocked(now, ia.txn.handle)
	if fail != nil {
		return *fail
	}
	return s.answer200(t)
}

// resend answers POST /idp/idx/challenge/resend: the kind being verified
// or enrolled sends its challenge again (a new code replaces the one in
// force). Only kinds that implement resender allow it.
func (s *Server) resend(now time.Time, raw []byte) idxResult {
	return s.onKind(now, raw, func(c *call) *idxResult {
		r, ok := c.t.kind.(resender)
		switch c.t.step {
		case stepVerificationData, stepChallenge, stepEnroll, stepOVEnrollPoll, stepOVChallengePoll:
		default:
			ok = false
		}
		if !ok {
			return failPtr(c.fail(http.StatusForbidden, msgNotAllowed()))
		}
		return r.resend(c)
	})
}

// poller is an authenticatorKind whose challenge completes out of band
// (magic link, push): poll checks whether it has, advancing if so.
type poller interface {
	poll(c *call) *idxResult
}

// poll answers POST /idp/idx/challenge/poll: the kind being verified
// checks for completion; otherwise it answers the current state.
func (s *Server) poll(now time.Time, raw []byte) idxResult {
	return s.onKind(now, raw, func(c *call) *idxResult {
		if p, ok := c.t.kind.(poller); ok {
			return p.poll(c)
		}
		return nil
	})
}

// onKind runs op for the live transaction named in raw, under s.mu. op
// returns nil to answer the transaction's (new) state.
func (s *Server) onKind(now time.Time, raw []byte, op func(c *call) *idxResult) idxResult {
	return s.onLiveTxn(now, raw, func(t *transaction) idxResult {
		c := &call{s: s, now: now, t: t}
		if res := op(c); res != nil {
			res.emails = c.sent
			return *res
		}
		return c.ok()
	})
}

// onLiveTxn is how a request on a transaction begins: it decodes the
// stateHandle of raw and runs op, under s.mu, on the live transaction it
// names. A malformed body, or a handle with no live transaction, gets its
// answer without op.
func (s *Server) onLiveTxn(now time.Time, raw []byte, op func(t *transaction) idxResult) idxResult {
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
	return op(t)
}

// cancel answers POST /idp/idx/cancel: the transaction ends and a new one
// starts over at identify, on a new stateHandle, for the same interaction.
func (s *Server) cancel(now time.Time, raw []byte) idxResult {
	return s.onLiveTxn(now, raw, func(t *transaction) idxResult {
		delete(s.transactions, t.handle)
		t.setStep(stepIdentify, nil)
		return s.answer200(carryCancelledLink(t, s.newTxnLocked(now, t.interaction)))
	})
}
