package idxtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"
)

// This file is the control API: the test controls of a Server ([Server.LastCode],
// [Server.ApprovePush], [Server.UnlockUser], ...) over HTTP under
// /idxtest/, for test code that is not Go (a browser test runner, another
// SDK's suite) driving a Server that examples/fakeokta runs.

// WithControlAPI serves the control API under {URL}/idxtest/, next to the
// outbox: the test controls of the Server for clients that are not Go.
// It is off unless asked for, since it lets any local program approve
// pushes and mint tokens. Every endpoint answers JSON, and an error is
// {"error": "..."} with a 4xx status.
//
//	GET  /idxtest/codes/last?to=ADDRESS        {"to":..., "code":...} the newest code sent to an
//	                                            email address or phone number (404 if none)
//	POST /idxtest/push/approve  {"username"}    approve the waiting Okta Verify push
//	POST /idxtest/push/reject   {"username"}    reject it
//	POST /idxtest/push/answer   {"username", "number"}  answer its number challenge
//	POST /idxtest/okta-verify/complete-enrollment {"username"}  complete a waiting Okta Verify enrollment
//	POST /idxtest/device/answer {"username", "challenge"}  Okta Verify on the device answers the
//	                                            device challenge whose href or challengeRequest is challenge
//	POST /idxtest/users/unlock  {"username"}    unlock a locked-out user
//	POST /idxtest/tokens/activation {"username"}  {"token":...} for /v1/interact's activation_token
//	POST /idxtest/tokens/recovery   {"username"}  {"token":...} for /v1/interact's recovery_token
//	POST /idxtest/totp {"username", "authenticator"}  {"code":...} the current TOTP code of the
//	                                            user's google_otp or okta_verify
//	POST /idxtest/faults {"kind", "path", ...}  inject a fault (see below)
//	DELETE /idxtest/faults                      clear every fault
//
// A fault is a [Fault] in JSON: "kind" is a [FaultKind]'s name, such as
// "RateLimit" or "ServerError"; "method", "path", "bodyContains",
// "times", "status", "limit", "size" and "origin" are its fields; "delay"
// and "reset" are durations such as "1.5s".
//
// The control API answers requests from loopback addresses only, whose
// Host is a loopback address or "localhost", that carry no Origin header
// of another origin than the Server's; a POST must be application/json.
// So a web page the browser shows cannot reach it, whether from another
// origin (its preflight is refused) or by DNS rebinding (its Host is a
// name that is not localhost).
func WithControlAPI() Option {
	return func(c *config) { c.controlAPI = true }
}

// controlRoutes are the control API's endpoints.
func (s *Server) controlRoutes() map[string]route {
	post := []string{http.MethodPost}
	byUser := func(op func(u userRef) (any, error)) route {
		return route{post, s.control(func(r *http.Request) (any, error) {
			var u userRef
			if err := readControlJSON(r, &u); err != nil {
				return nil, err
			}
			if strings.TrimSpace(u.Username) == "" {
				return nil, controlErr(http.StatusBadRequest, "username is required")
			}
			return op(u)
		})}
	}
	done := map[string]bool{"ok": true}
	notFound := func(err error) error {
		if err == nil {
			return nil
		}
		return controlErr(http.StatusNotFound, err.Error())
	}
	token := func(mint func(string) (string, error)) route {
		return byUser(func(u userRef) (any, error) {
			tok, err := mint(u.Username)
			if err != nil {
				return nil, notFound(err)
			}
			return map[string]string{"token": tok}, nil
		})
	}
	return map[string]route{
		"/idxtest/codes/last": {[]string{http.MethodGet}, s.control(func(r *http.Request) (any, error) {
			to := r.URL.Query().Get("to")
			if to == "" {
				return nil, controlErr(http.StatusBadRequest, "the query parameter to is required")
			}
			code, ok := s.LastCode(to)
			if !ok {
				return nil, controlErr(http.StatusNotFound, "no message was sent to "+to)
			}
			return map[string]string{"to": to, "code": code}, nil
		})},
		"/idxtest/push/approve": byUser(func(u userRef) (any, error) { return done, notFound(s.ApprovePush(u.Username)) }),
		"/idxtest/push/reject":  byUser(func(u userRef) (any, error) { return done, notFound(s.RejectPush(u.Username)) }),
		"/idxtest/push/answer": byUser(func(u userRef) (any, error) {
			if u.Number == nil {
				return nil, controlErr(http.StatusBadRequest, "number is required")
			}
			return done, notFound(s.AnswerPush(u.Username, *u.Number))
		}),
		"/idxtest/okta-verify/complete-enrollment": byUser(func(u userRef) (any, error) {
			return done, notFound(s.ActivateOktaVerify(u.Username))
		}),
		"/idxtest/device/answer": byUser(func(u userRef) (any, error) {
			return done, notFound(s.AnswerDeviceChallenge(u.Challenge, u.Username))
		}),
		"/idxtest/users/unlock":      byUser(func(u userRef) (any, error) { return done, notFound(s.UnlockUser(u.Username)) }),
		"/idxtest/tokens/activation": token(s.ActivationToken),
		"/idxtest/tokens/recovery":   token(s.RecoveryToken),
		"/idxtest/totp": byUser(func(u userRef) (any, error) {
			secret, err := s.totpSecret(u.Username, u.Authenticator)
			if err != nil {
				return nil, err
			}
			return map[string]string{"code": TOTP(secret, s.now())}, nil
		}),
		"/idxtest/faults": {[]string{http.MethodPost, http.MethodDelete}, s.control(func(r *http.Request) (any, error) {
			if r.Method == http.MethodDelete {
				s.ClearFaults()
				return done, nil
			}
			var fj faultJSON
			if err := readControlJSON(r, &fj); err != nil {
				return nil, err
			}
			f, err := fj.fault()
			if err == nil {
				err = s.InjectFault(f)
			}
			if err != nil {
				return nil, controlErr(http.StatusBadRequest, err.Error())
			}
			return done, nil
		})},
	}
}

// userRef is the body of the control endpoints that act for a user.
type userRef struct {
	Username      string `json:"username"`
	Number        *int   `json:"number,omitempty"`        // push/answer
	Authenticator string `json:"authenticator,omitempty"` // totp
	Challenge     string `json:"challenge,omitempty"`     // device/answer
}

// faultJSON is a Fault as the control API takes it.
type faultJSON struct {
	Kind         string `json:"kind"`
	Method       string `json:"method"`
	Path         string `json:"path"`
	BodyContains string `json:"bodyContains"`
	Times        int    `json:"times"`
	Status       int    `json:"status"`
	Delay        string `json:"delay"`
	Reset        string `json:"reset"`
	Limit        int    `json:"limit"`
	Size         int    `json:"size"`
	Origin       string `json:"origin"`
}

func (fj faultJSON) fault() (Fault, error) {
	f := Fault{
		Method: fj.Method, Path: fj.Path, BodyContains: fj.BodyContains, Times: fj.Times,
		Status: fj.Status, Limit: fj.Limit, Size: fj.Size, Origin: fj.Origin,
	}
	for k := FaultKind(1); k < faultKindEnd; k++ {
		if strings.EqualFold(k.String(), fj.Kind) {
			f.Kind = k
		}
	}
	if f.Kind == 0 {
		return f, fmt.Errorf("unknown fault kind %q; kinds are %s", fj.Kind, strings.Join(faultKindNames[1:], ", "))
	}
	for _, d := range []struct {
		name, text string
		to         *time.Duration
	}{{"delay", fj.Delay, &f.Delay}, {"reset", fj.Reset, &f.Reset}} {
		if d.text == "" {
			continue
		}
		v, err := time.ParseDuration(d.text)
		if err != nil {
			return f, fmt.Errorf("%s %q is not a duration such as \"1.5s\"", d.name, d.text)
		}
		*d.to = v
	}
	return f, nil
}

// totpSecret returns the TOTP secret of username's authenticator key
// (google_otp or okta_verify).
func (s *Server) totpSecret(username, key string) (string, error) {
	switch key {
	case AuthenticatorOktaVerify:
		secret, err := s.OktaVerifySecret(username)
		if err != nil {
			return "", controlErr(http.StatusNotFound, err.Error())
		}
		return secret, nil
	case AuthenticatorGoogle:
		s.mu.Lock()
		defer s.mu.Unlock()
		u := s.users[strings.ToLower(username)]
		if u == nil || u.enrollments[AuthenticatorGoogle] == nil {
			return "", controlErr(http.StatusNotFound, fmt.Sprintf("user %q has no Google Authenticator", username))
		}
		return u.enrollments[AuthenticatorGoogle].value, nil
	}
	return "", controlErr(http.StatusBadRequest, `authenticator must be "google_otp" or "okta_verify"`)
}

// controlError is a control API failure with its status.
type controlError struct {
	status int
	msg    string
}

func (e *controlError) Error() string { return e.msg }

func controlErr(status int, msg string) error {
	return &controlError{status: status, msg: strings.TrimPrefix(msg, "idxtest: ")}
}

// readControlJSON decodes a control request's JSON body into v; unknown
// fields are refused.
func readControlJSON(r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return controlErr(http.StatusUnsupportedMediaType, "the body must be application/json")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return controlErr(http.StatusBadRequest, "the body is not valid: "+err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return controlErr(http.StatusBadRequest, "the body holds more than one JSON value")
	}
	return nil
}

// control wraps a control endpoint: it refuses what does not come from
// this machine, runs op and writes its result or error as JSON.
func (s *Server) control(op func(r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if msg := s.controlRefusal(r); msg != "" {
			s.cfg.logger.Warn("idxtest control request refused", "path", r.URL.Path, "reason", msg)
			writeJSON(w, http.StatusForbidden, "application/json", map[string]string{"error": msg})
			return
		}
		v, err := op(r)
		if err != nil {
			status := http.StatusInternalServerError
			var ce *controlError
			if errors.As(err, &ce) {
				status = ce.status
			}
			writeJSON(w, status, "application/json", map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, "application/json", v)
	}
}

// controlRefusal says why r may not use the control API, or "".
func (s *Server) controlRefusal(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return "the control API answers loopback clients only"
	}
	reqHost := r.Host
	if h, _, err := net.SplitHostPort(reqHost); err == nil {
		reqHost = h
	}
	reqHost = strings.Trim(reqHost, "[]")
	if ip := net.ParseIP(reqHost); !strings.EqualFold(reqHost, "localhost") && (ip == nil || !ip.IsLoopback()) {
		return "the control API answers requests for a loopback host only"
	}
	if o := r.Header.Get("Origin"); o != "" && o != s.URL {
		return "the control API answers no cross-origin request"
	}
	return ""
}
