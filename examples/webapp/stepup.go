package main

import (
	"net/http"
	"time"

	"github.com/goidx/goidx/idx"
)

// Step-up: the /security page holds what a password alone should not
// open. It needs a sign-in with two factors (the ID token's acr
// urn:okta:loa:2fa:any) less than stepUpMaxAge ago; the signed-in user
// without one is asked to confirm it, which starts a transaction with
// ACRValues and MaxAge, the identify step prefilled with the user's name
// (LoginHint). Its success replaces the session's tokens only when the
// same user (the ID token's subject) signed in.

// stepUpMaxAge is how recent the two-factor sign-in must be.
const stepUpMaxAge = 10 * time.Minute

// recentTwoFactor reports whether the tokens come from a two-factor
// sign-in less than stepUpMaxAge ago. The SDK checked acr and auth_time
// when the tokens were issued; the age is checked again on every visit.
func recentTwoFactor(t *idx.Tokens, now time.Time) bool {
	if t == nil || t.IDTokenClaims == nil {
		return false
	}
	c := t.IDTokenClaims
	return c.ACR() == idx.ACRTwoFactors && !c.AuthTime.IsZero() && now.Sub(c.AuthTime) <= stepUpMaxAge
}

// username is the signed-in user's username, for the login hint.
func (u *signedIn) username() string {
	if u.profile != nil && u.profile.PreferredUsername != "" {
		return u.profile.PreferredUsername
	}
	if c := u.tokens.IDTokenClaims; c != nil {
		s, _ := c.Claims["preferred_username"].(string)
		return s
	}
	return ""
}

// security shows the security page to a user who signed in with two
// factors recently, and asks the others to confirm.
func (a *app) security(w http.ResponseWriter, r *http.Request) {
	id, sess, ok := a.userSession(w, r)
	if !ok {
		return
	}
	if recentTwoFactor(sess.user.tokens, time.Now()) {
		v := newHomeView(sess.user)
		v.StepUp = true
		a.render(w, r, http.StatusOK, "home", pageData{Title: "Security", CSRF: sess.csrf, Wide: true, Home: v, SignedIn: true})
		return
	}
	data := pageData{CSRF: sess.csrf, Flash: sess.flash, SignedIn: true}
	if sess.flash != "" {
		sess.flash = ""
		if _, err := a.sessions.save(r.Context(), w, id, sess); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	v := &stepView{
		Name:   "step-up",
		Title:  "Confirm it's you",
		Intro:  "The security page needs a sign-in with two factors in the last 10 minutes.",
		Action: "/security/step-up",
		Submit: "Continue",
	}
	data.Title, data.Step = v.Title, v
	a.render(w, r, http.StatusOK, "step", data)
}

// startStepUp starts the two-factor transaction of the signed-in user.
func (a *app) startStepUp(w http.ResponseWriter, r *http.Request) {
	id, sess, ok := a.postedForm(w, r)
	if !ok {
		return
	}
	if sess.user == nil {
		http.Redirect(w, r, loginURL("/security"), http.StatusSeeOther)
		return
	}
	ctx := r.Context()
	if sess.tx != nil {
		a.cancelQuietly(ctx, sess.tx.State)
		sess.tx = nil
	}
	sess.stepUp = sess.user.username()
	if sess.stepUp == "" {
		sess.stepUp = "-" // the user's name is unknown: no hint, still a step-up
	}
	sess.returnTo = "/security"
	a.log.InfoContext(ctx, "step-up: starting")
	opts := idx.StartOptions{ACRValues: []string{idx.ACRTwoFactors}, MaxAge: stepUpMaxAge}
	if sess.stepUp != "-" {
		opts.LoginHint = sess.stepUp
	}
	tx, err := a.client.Start(ctx, opts)
	a.advance(w, r, id, sess, tx, err)
}

// finishStepUp replaces the signed-in user's tokens with those of the
// step-up, when the same user signed in.
func (a *app) finishStepUp(w http.ResponseWriter, r *http.Request, id string, sess session, tx *idx.Transaction) {
	ctx := r.Context()
	old := sess.user
	sess.tx, sess.stepUp = nil, ""
	if tx.Tokens.IDTokenClaims == nil || old.tokens.IDTokenClaims == nil || tx.Tokens.IDTokenClaims.Subject != old.tokens.IDTokenClaims.Subject {
		a.log.WarnContext(ctx, "step-up: another user signed in; refused")
		if err := a.client.Revoke(ctx, tx.State, tx.Tokens); err != nil {
			a.log.WarnContext(ctx, "step-up: revoking the other user's tokens failed", "err", err)
		}
		sess.flash = "You confirmed as another user. Confirm with your own account."
		a.saveAndRedirect(w, r, id, sess, "/security")
		return
	}
	sess.user = &signedIn{state: tx.State, tokens: tx.Tokens, profile: old.profile}
	if _, _, err := a.sessions.rotate(ctx, w, id, session{user: sess.user}); err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(ctx, "step-up: done")
	http.Redirect(w, r, "/security", http.StatusSeeOther)
}
