package idxtest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"time"
)

// This file is the email authenticator's magic link and poll. Every email
// code comes with a link (Email.Link) served at /email/verify:
//
//   - GET, as a browser following the link, redirects to the app's
//     redirect URI with otp (the code) and state (the interaction's state)
//     in the query, where the app submits the code to the transaction it
//     holds;
//   - POST confirms the link as a user does who opened it on another
//     device: the answer is the idx.return.to.original.tab terminal, and
//     the original transaction's next poll (POST /idp/idx/challenge/poll)
//     completes the challenge.
//
// A link whose code has expired or been replaced, or whose transaction is
// over, answers the idx.return.link.expired terminal; the link of a
// transaction the user cancelled answers idx.operation.cancelled.by.user
// while the transaction that replaced it lives.

// emailLinkPath is the path of the magic links.
const emailLinkPath = "/email/verify"

func msgLinkExpired() ionMessage {
	return infoMessage("This email link has expired. To resend it, return to the screen where you requested it.", "idx.return.link.expired")
}

func msgCancelledByUser() ionMessage {
	return errorMessage("The sign-in was cancelled.", "idx.operation.cancelled.by.user")
}

func msgReturnToOriginalTab() ionMessage {
	return infoMessage("Please return to the original tab.", "idx.return.to.original.tab")
}

// sendEmailChallenge sends a new code to c.t.user's email address, with a
// magic link when it is for challenge-authenticator. For a user that does
// not exist nothing is sent, and the code in force is one no one can enter.
func (c *call) sendEmailChallenge() {
	t := c.t
	t.ss.linkConfirmed = false
	if t.ss.phantom {
		c.newCode()
		t.code = randomToken(32)
		t.ss.linkToken = ""
		return
	}
	if t.step != stepChallenge {
		// An enrollment's code has no link.
		t.ss.linkToken = ""
		c.sendEmailCode("")
		return
	}
	t.ss.linkToken = randomToken(32)
	c.sendEmailCode(c.s.href(emailLinkPath) + "?token=" + t.ss.linkToken)
}

// poll completes the email challenge once its magic link was confirmed on
// another device; until then it answers the challenge unchanged.
func (k *emailKind) poll(c *call) *idxResult {
	t := c.t
	if t.ec.refused {
		return failPtr(c.s.refuseConsent(t)) // email_consent.go
	}
	if t.step != stepChallenge || t.kind != authenticatorKind(k) || !t.ss.linkConfirmed {
		return nil
	}
	t.ss.linkConfirmed, t.ss.linkToken = false, ""
	if !c.now.Before(t.codeExpiresAt) {
		return nil
	}
	t.markVerified(k, "email")
	return failPtr(c.advance())
}

// carryCancelledLink remembers in next, which replaces the cancelled
// transaction old, the magic link of old, and returns next.
func carryCancelledLink(old, next *transaction) *transaction {
	next.ss.cancelledLink = old.ss.linkToken
	if next.ss.cancelledLink == "" {
		next.ss.cancelledLink = old.ss.cancelledLink
	}
	return next
}

// linkCancelledLocked reports whether token is the magic link of a
// cancelled transaction whose replacement lives.
func (s *Server) linkCancelledLocked(now time.Time, token string) bool {
	if token == "" {
		return false
	}
	for _, t := range s.transactions {
		if t.ss.cancelledLink != "" && subtle.ConstantTimeCompare([]byte(t.ss.cancelledLink), []byte(token)) == 1 {
			return now.Before(t.expiresAt)
		}
	}
	return false
}

// linkTxnLocked finds the transaction whose email challenge the magic link
// token names, if the link is still good.
func (s *Server) linkTxnLocked(now time.Time, token string) *transaction {
	if token == "" {
		return nil
	}
	for _, t := range s.transactions {
		if t.ss.linkToken == "" || subtle.ConstantTimeCompare([]byte(t.ss.linkToken), []byte(token)) != 1 {
			continue
		}
		if !now.Before(t.expiresAt) || t.step != stepChallenge || t.kind == nil ||
			t.kind.base().key != AuthenticatorEmail || t.code == "" || !now.Before(t.codeExpiresAt) {
			return nil
		}
		return t
	}
	return nil
}

// linkPage is the terminal answer of a magic link: the message, and a
// stateHandle of the link's own page, which names no transaction (the
// original one's stays with the client that started it).
func linkPage(expiresAt time.Time, msg ionMessage) *idxResponse {
	resp := &idxResponse{
		Version:     idxVersion,
		StateHandle: "02" + randomToken(30),
		ExpiresAt:   expiresAt.UTC().Format(expiresAtLayout),
		Intent:      "LOGIN",
	}
	resp.addMessage(msg)
	return resp
}

// serveEmailLink serves the magic links; see the top of this file.
func (s *Server) serveEmailLink(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	token := r.URL.Query().Get("token")
	s.mu.Lock()
	t := s.linkTxnLocked(now, token)
	if t == nil {
		msg := msgLinkExpired()
		if s.linkCancelledLocked(now, token) {
			msg = msgCancelledByUser()
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, ionProduces, linkPage(now.Add(s.cfg.transactionLifetime), msg))
		return
	}
	if r.Method == http.MethodPost && s.org.policy.EmailLinkConsent {
		resp := s.startEmailConsentLocked(now, t) // email_consent.go
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, ionProduces, resp)
		return
	}
	if r.Method == http.MethodPost {
		t.ss.linkConfirmed = true
		resp := linkPage(t.expiresAt, msgReturnToOriginalTab())
		resp.User = userIdentifier(t.user)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, ionProduces, resp)
		return
	}
	ia, code := t.interaction, t.code
	s.mu.Unlock()
	redirectBack(w, r, ia.redirectURI, url.Values{"otp": {code}, "state": {ia.state}})
}

// redirectBack sends the browser to the app's redirect URI with params
// added to its query, as the org does at the end of a sign-in elsewhere
// (an identity provider, an identity verification, an email link).
func redirectBack(w http.ResponseWriter, r *http.Request, redirectURI string, params url.Values) {
	target, err := url.Parse(redirectURI)
	if err != nil {
		http.Error(w, "bad redirect URI", http.StatusInternalServerError)
		return
	}
	q := target.Query()
	for k, v := range params {
		q[k] = v
	}
	target.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target.String(), http.StatusFound)
}
