package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/cookiestore"
	"github.com/goidx/goidx/idx/idxtest"
)

// idxClient is the part of *idx.Client the app uses.
type idxClient interface {
	Authenticate(ctx context.Context, opts idx.Options) (*idx.Transaction, error)
	Start(ctx context.Context, opts idx.StartOptions) (*idx.Transaction, error)
	Resend(ctx context.Context, state string) (*idx.Transaction, error)
	Cancel(ctx context.Context, state string) (*idx.Transaction, error)
	UserInfo(ctx context.Context, t *idx.Tokens) (*idx.UserInfo, error)
	Revoke(ctx context.Context, state string, t *idx.Tokens) error
	IntrospectToken(ctx context.Context, token idx.Secret, hint string) (*idx.TokenIntrospection, error)
	HandleCallback(ctx context.Context, state, callbackURL string) (*idx.Transaction, error)
	PollUntilDone(ctx context.Context, state string, opts ...idx.PollOption) (*idx.Transaction, error)
}

// callbackPath is the path of the app's redirect URI.
const callbackPath = "/login/callback"

// appConfig configures an app.
type appConfig struct {
	// client signs users in.
	client idxClient
	// logger receives the app's logs; nil discards them.
	logger *slog.Logger
	// secureCookies is set when the app is served over https (directly or
	// behind a proxy that terminates TLS).
	secureCookies bool
	// outbox, when set, serves the dev mailbox at /dev/mailbox from it. Set
	// it only with the embedded fake org.
	outbox func() []idxtest.Email
	// answerDevice, when set, lets the page of a device challenge answer
	// it as the demo user's Okta Verify would (POST /dev/device/answer).
	// Set it only with the embedded fake org.
	answerDevice func(challenge, username string) error
	// now is the clock; nil means time.Now.
	now func() time.Time
	// redirectOrigins are the origins (scheme://host[:port]) the app
	// sends browsers to for the steps that leave it: identity providers,
	// identity verification vendors, Okta Verify's links. Usually the
	// issuer's alone (see issuerOrigins); with none, no such link is shown.
	redirectOrigins []string
	// deviceWait bounds how long one request waits for the user's device
	// to answer (defaultDeviceWait when zero).
	deviceWait time.Duration
	// sessionIdle and sessionLifetime bound a session's life (30 minutes
	// unused and 12 hours in all when zero); maxSessions bounds the live
	// sessions (100,000 when zero).
	sessionIdle     time.Duration
	sessionLifetime time.Duration
	maxSessions     int

	// Where sessions live: in Redis when sessionRedis is set (keys under
	// sessionRedisPrefix), sealed in their cookie when sessionKeys is set,
	// else in this process's memory.
	sessionRedis       redis.UniversalClient
	sessionRedisPrefix string
	// answersRedisPrefix prefixes the Redis keys of the answer counts
	// (defaultAnswersPrefix when empty).
	answersRedisPrefix string
	sessionKeys        *cookiestore.Keys
	// txCookies is the client's TransactionStore when it keeps transactions
	// in cookies: each request is bound to it.
	txCookies *cookiestore.Store
}

// app is the web app: sign-in pages rendered from the SDK's transactions,
// a home page for the signed-in user, and sign-out.
type app struct {
	client   idxClient
	log      *slog.Logger
	cookies  cookiePolicy
	sessions sessions
	// memSessions is the store of sessions when they live in this
	// process's memory (one instance only), else nil.
	memSessions *sessionStore
	txCookies   *cookiestore.Store
	outbox      func() []idxtest.Email
	// answerDevice: see appConfig.
	answerDevice func(challenge, username string) error
	pages        pages
	// starts limits the sign-ins each client starts.
	starts *clientLimiter
	// answers counts each sign-in's refused answers.
	answers answerCounter
	// redirectOrigins and deviceWait: see appConfig.
	redirectOrigins []string
	deviceWait      time.Duration
}

// maxFormBytes bounds the body of a form POST.
const maxFormBytes = 64 << 10

func newApp(cfg appConfig) (*app, error) {
	if cfg.client == nil {
		return nil, errors.New("webapp: no IDX client")
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.sessionIdle <= 0 {
		cfg.sessionIdle = 30 * time.Minute
	}
	if cfg.sessionLifetime <= 0 {
		cfg.sessionLifetime = 12 * time.Hour
	}
	if cfg.maxSessions <= 0 {
		cfg.maxSessions = 100_000
	}
	if cfg.deviceWait <= 0 {
		cfg.deviceWait = defaultDeviceWait
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	a := &app{
		client:    cfg.client,
		log:       cfg.logger,
		cookies:   cookiePolicy{secure: cfg.secureCookies},
		txCookies: cfg.txCookies,
		outbox:    cfg.outbox,
		pages:     p,
		starts:    newClientLimiter(signInBurst, signInPerMinute, maxTrackedClients, cfg.now),

		answerDevice:    cfg.answerDevice,
		redirectOrigins: cfg.redirectOrigins,
		deviceWait:      cfg.deviceWait,
	}
	switch {
	case cfg.sessionRedis != nil && cfg.sessionKeys != nil:
		return nil, errors.New("webapp: sessions in Redis and in cookies at once")
	case cfg.sessionRedis != nil:
		prefix := cfg.sessionRedisPrefix
		if prefix == "" {
			prefix = defaultSessionPrefix
		}
		a.sessions = &serverSessions{cookies: a.cookies, backend: &redisSessions{
			rdb: cfg.sessionRedis, prefix: prefix, idle: cfg.sessionIdle, lifetime: cfg.sessionLifetime, now: cfg.now,
		}}
		answers := cfg.answersRedisPrefix
		if answers == "" {
			answers = defaultAnswersPrefix
		}
		a.answers = &redisAnswers{rdb: cfg.sessionRedis, prefix: answers}
	case cfg.sessionKeys != nil:
		cs, err := newCookieSessions(*cfg.sessionKeys, a.cookies, cfg.sessionIdle, cfg.sessionLifetime, cfg.now)
		if err != nil {
			return nil, err
		}
		cs.active = a.tokensActive
		a.sessions = cs
	default:
		a.memSessions = newSessionStore(cfg.sessionIdle, cfg.sessionLifetime, cfg.maxSessions, cfg.now)
		a.sessions = &serverSessions{cookies: a.cookies, backend: memoryBackend{a.memSessions}}
	}
	if a.answers == nil {
		a.answers = newMemoryAnswers(cfg.now)
	}
	return a, nil
}

// defaultSessionPrefix prefixes the Redis keys of sessions.
const defaultSessionPrefix = "goidx:webapp:session:"

// handler returns the app's HTTP handler.
//
// Every state change is a POST carrying the session's CSRF token, checked
// with crypto/subtle; http.CrossOriginProtection also refuses cross-site
// POSTs that browsers label as such. GETs only read.
func (a *app) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /login", a.loginPage)
	mux.HandleFunc("POST /login", a.startSignIn)
	mux.HandleFunc("POST /login/step", a.answerStep)
	mux.HandleFunc("POST /login/resend", a.resend)
	mux.HandleFunc("POST /login/cancel", a.cancel)
	mux.HandleFunc("GET "+callbackPath, a.callback)
	mux.HandleFunc("POST /logout", a.signOut)
	mux.HandleFunc("GET /security", a.security)
	mux.HandleFunc("POST /security/step-up", a.startStepUp)
	mux.HandleFunc("GET /static/style.css", serveCSS)
	if a.outbox != nil {
		mux.HandleFunc("GET /dev/mailbox", a.mailbox)
	}
	if a.answerDevice != nil {
		mux.HandleFunc("POST /dev/device/answer", a.devAnswerDevice)
	}

	var h http.Handler = mux
	if a.txCookies != nil {
		// The transaction cookie store reads and sets its cookie through
		// the request's context.
		h = a.txCookies.Handler(h)
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(a.forbidden))
	return a.logRequests(a.secureHeaders(cop.Handler(h)))
}

// userSession loads the session of a signed-in user; it answers others with
// the sign-in page (and a failure with an error page) and returns false.
func (a *app) userSession(w http.ResponseWriter, r *http.Request) (string, session, bool) {
	id, sess, ok, err := a.sessions.load(r.Context(), w, r)
	if err != nil {
		a.fail(w, r, err)
		return "", session{}, false
	}
	if !ok || sess.user == nil {
		http.Redirect(w, r, loginURL(r.URL.Path), http.StatusSeeOther)
		return "", session{}, false
	}
	return id, sess, true
}

// home shows the signed-in user's profile, or sends others to sign in.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	_, sess, ok := a.userSession(w, r)
	if !ok {
		return
	}
	a.render(w, r, http.StatusOK, "home", pageData{
		Title:    "Your profile",
		CSRF:     sess.csrf,
		Wide:     true,
		Home:     newHomeView(sess.user),
		SignedIn: true,
	})
}

// loginPage shows the current step of the sign-in: the first page when
// none is in progress, else the transaction's next step (or another step
// it offers, by ?step=). It never calls the org, and it keeps nothing on
// the server for a visitor without a session: the first page's form
// carries the anonymous token (see anonToken) until a sign-in starts.
func (a *app) loginPage(w http.ResponseWriter, r *http.Request) {
	id, sess, ok, err := a.sessions.load(r.Context(), w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !ok {
		if a.cookies.id(r) != "" {
			// An unknown, expired or forged session cookie: drop it.
			setCookie(w, a.cookies.expired())
		}
		sess = session{csrf: a.anonToken(w, r)}
	}
	if sess.user != nil && sess.stepUp == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	data := pageData{CSRF: sess.csrf, Flash: sess.flash, SignedIn: sess.user != nil}
	notices := sess.notices
	if ok && (sess.flash != "" || len(sess.notices) > 0) {
		sess.flash, sess.notices = "", nil
		if _, err := a.sessions.save(r.Context(), w, id, sess); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	var v *stepView
	if tx := sess.tx; tx != nil && tx.NextStep != nil {
		step, msgs := tx.NextStep, tx.Messages
		if name := r.URL.Query().Get("step"); name != "" && name != step.Name {
			if s := findStep(tx, name); s != nil {
				step, msgs = s, nil
			}
		}
		v = newStepView(step, msgs)
		if step.Name == "identify" && sess.stepUp != "" && sess.stepUp != "-" {
			v.prefill("username", sess.stepUp)
		}
		v.CanResend = step == tx.NextStep && step.CanResend
		v.CanCancel = true
		v.Others = otherSteps(tx, step.Name)
		a.handOff(r.Context(), v, tx, step)
		v.DevAnswer = v.Device != nil && v.Device.CanWait && a.answerDevice != nil
	} else {
		v = newStepView(signInStep(), nil)
		v.Action = "/login"
		v.OtherWays = true
		rt := sess.returnTo
		if q := r.URL.Query().Get("return_to"); q != "" {
			rt = localPath(q)
		}
		if rt != "/" {
			v.ReturnTo = rt
		}
	}
	v.Messages = append(notices, v.Messages...)
	data.Title = v.Title
	data.Step = v
	a.render(w, r, http.StatusOK, "step", data)
}

// startSignIn starts a transaction with the username and password of the
// first page.
func (a *app) startSignIn(w http.ResponseWriter, r *http.Request) {
	id, sess, ok := a.signInForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if sess.user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if sess.tx != nil {
		a.cancelQuietly(ctx, sess.tx.State)
		sess.tx = nil
	}
	sess.returnTo = localPath(r.PostForm.Get("return_to"))
	if r.PostForm.Get("other") != "" {
		// The org's own first step, with the identity providers it
		// offers beside it (or the device probe it starts with).
		a.log.InfoContext(ctx, "sign-in: starting at the org's first step")
		tx, err := a.client.Authenticate(ctx, idx.Options{})
		a.advance(w, r, id, sess, tx, err)
		return
	}
	username := strings.TrimSpace(r.PostForm.Get(valuePrefix + "username"))
	password := r.PostForm.Get(valuePrefix + "password")
	if username == "" || password == "" {
		sess.flash = "Enter your username and password."
		a.saveAndRedirect(w, r, id, sess, "/login")
		return
	}
	a.log.InfoContext(ctx, "sign-in: starting")
	// The box is the user's answer, checked or not: left unset, the org's
	// form would answer for the user, and some check it by default.
	remember := r.PostForm.Get(valuePrefix+"rememberMe") != ""
	tx, err := a.client.Authenticate(ctx, idx.Options{Username: username, Password: password, RememberMe: &remember})
	if err == nil && tx.Status == idx.StatusPending && tx.Rejection != nil {
		// The first refused answer of this sign-in (a wrong password).
		if _, _, err := a.answers.take(ctx, tx.State); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	a.advance(w, r, id, sess, tx, err)
}

// answerStep answers one step of the transaction in progress with the
// posted values, whatever the step: the values go by input name.
func (a *app) answerStep(w http.ResponseWriter, r *http.Request) {
	id, sess, ok := a.postedForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if sess.user != nil && sess.stepUp == "" {
		http.Redirect(w, r, localPath(sess.returnTo), http.StatusSeeOther)
		return
	}
	if sess.tx == nil {
		sess.flash = "Please sign in."
		a.saveAndRedirect(w, r, id, sess, "/login")
		return
	}
	if cur := sess.tx.NextStep; cur != nil && cur.DeviceChallenge != nil && cur.DeviceChallenge.CancelStep != "" &&
		r.PostForm.Get("step") == cur.DeviceChallenge.CancelStep {
		a.cancelDevice(w, r, id, sess, cur.DeviceChallenge.CancelStep)
		return
	}
	step := findStep(sess.tx, r.PostForm.Get("step"))
	if step == nil {
		// A stale form, such as a second click on a step already done.
		sess.flash = "That step is no longer offered. Please continue here."
		a.saveAndRedirect(w, r, id, sess, "/login")
		return
	}
	if isRedirect(step.Name) {
		// Nothing to post: the page links to the provider.
		sess.flash = "Follow the link on the page to continue."
		a.saveAndRedirect(w, r, id, sess, "/login")
		return
	}
	if step == sess.tx.NextStep && step.DeviceChallenge != nil && step.Poll != nil && len(step.Inputs) == 0 {
		a.waitForDevice(w, r, id, sess)
		return
	}
	values, err := stepValues(step, r.PostForm)
	if err != nil {
		a.flowError(w, r, id, sess, err)
		return
	}
	if text := missingText(step, values); text != "" {
		// Nothing to send: the org would answer with the same step.
		sess.flash = text
		next := "/login"
		if step != sess.tx.NextStep {
			next += "?step=" + url.QueryEscape(step.Name)
		}
		a.saveAndRedirect(w, r, id, sess, next)
		return
	}
	state := sess.tx.State
	n, ok := a.takeAnswer(w, r, id, sess, state)
	if !ok {
		return
	}
	a.log.InfoContext(ctx, "sign-in: answering", "step", step.Name)
	tx, err := a.client.Authenticate(ctx, idx.Options{State: state, Step: step.Name, Values: values})
	if a.answerEnded(w, r, id, sess, state, n, tx, err) {
		return
	}
	a.advance(w, r, id, sess, tx, err)
}

// takeAnswer counts one more answer of the sign-in state (see
// answerCounter) before it is sent, and reports whether it may be sent
// and how many it is. When it may not, the request is answered: the
// sign-in ends, or the counter could not be reached.
func (a *app) takeAnswer(w http.ResponseWriter, r *http.Request, id string, sess session, state string) (n int, ok bool) {
	n, within, err := a.answers.take(r.Context(), state)
	if err != nil {
		a.fail(w, r, err)
		return 0, false
	}
	if !within {
		// Other requests of this sign-in used up its answers.
		a.stopSignIn(w, r, id, sess, state, false)
		return 0, false
	}
	return n, true
}

// answerEnded settles the count of the nth answer of the sign-in state
// with the org's reply (tx, err): an accepted answer is uncounted, and the
// last one the app allows, refused, ends the sign-in. It reports whether
// it answered the request (the sign-in ended).
func (a *app) answerEnded(w http.ResponseWriter, r *http.Request, id string, sess session, state string, n int, tx *idx.Transaction, err error) bool {
	ctx := r.Context()
	switch {
	case err == nil && tx.Rejection == nil:
		if err := a.answers.giveBack(ctx, state); err != nil {
			a.log.WarnContext(ctx, "sign-in: uncounting an accepted answer failed", "err", err)
		}
	case n < maxRejectedAnswers:
	case err == nil && tx.Status == idx.StatusPending:
		a.stopSignIn(w, r, id, sess, state, errors.Is(tx.Rejection, idx.ErrRateLimited))
		return true
	case errors.Is(err, idx.ErrRateLimited):
		// The last answer the app allows met the org's own limit: Okta
		// locks an authenticator for some minutes after five wrong codes
		// in a row and answers 429.
		a.stopSignIn(w, r, id, sess, state, true)
		return true
	}
	return false
}

// stopSignIn ends a sign-in whose answers the org refused
// maxRejectedAnswers times: it is canceled at the org and the user starts
// again, with a new code. An answer that is not accepted (or whose fate is
// unknown) counts, so a session cannot keep guessing codes. orgLocked
// reports that the org refused the last answer with its own limit, which
// outlasts the sign-in: the user is told to wait before starting again.
func (a *app) stopSignIn(w http.ResponseWriter, r *http.Request, id string, sess session, state string, orgLocked bool) {
	ctx := r.Context()
	a.log.WarnContext(ctx, "sign-in: ended after too many refused answers", "max", maxRejectedAnswers, "org_locked", orgLocked)
	a.cancelQuietly(ctx, state)
	sess.tx = nil
	sess.flash = "Too many wrong answers. Please start again."
	if orgLocked {
		sess.flash = "Too many wrong answers. Please wait a few minutes, then start again."
	}
	a.saveAndRedirect(w, r, id, sess, "/login")
}

// resend asks the org to send the current step's code again.
func (a *app) resend(w http.ResponseWriter, r *http.Request) {
	id, sess, ok := a.postedForm(w, r)
	if !ok {
		return
	}
	if sess.tx == nil {
		a.saveAndRedirect(w, r, id, sess, "/login")
		return
	}
	a.log.InfoContext(r.Context(), "sign-in: resending", "step", sess.tx.NextStep.Name)
	tx, err := a.client.Resend(r.Context(), sess.tx.State)
	if err == nil && tx.Status == idx.StatusPending && tx.Rejection == nil {
		sess.flash = "We sent you a new code."
	}
	a.advance(w, r, id, sess, tx, err)
}

// cancel cancels the transaction in progress.
func (a *app) cancel(w http.ResponseWriter, r *http.Request) {
	id, sess, ok := a.postedForm(w, r)
	if !ok {
		return
	}
	if sess.tx != nil {
		a.cancelQuietly(r.Context(), sess.tx.State)
		sess.tx = nil
		sess.flash = "Sign-in canceled."
		a.log.InfoContext(r.Context(), "sign-in: canceled", "status", idx.StatusCanceled)
	}
	if sess.user != nil {
		sess.stepUp = ""
		a.saveAndRedirect(w, r, id, sess, "/")
		return
	}
	a.saveAndRedirect(w, r, id, sess, "/login")
}

// cancelQuietly cancels a transaction the user walked away from. A
// transaction the org no longer knows needs no canceling.
func (a *app) cancelQuietly(ctx context.Context, state string) {
	_, err := a.client.Cancel(ctx, state)
	if err != nil && !errors.Is(err, idx.ErrTransactionNotFound) && !errors.Is(err, idx.ErrTransactionExpired) {
		a.log.WarnContext(ctx, "sign-in: cancel failed", "err", err)
	}
}

// tokensActive asks the org whether the signed-in user's tokens are still
// active: the refresh token when there is one (it outlives the access
// token), else the access token. Sign-out revoked them, so a session
// sealed in a cookie (which the server cannot delete) ends with them.
func (a *app) tokensActive(ctx context.Context, u *signedIn) (bool, error) {
	if u.tokens == nil {
		return false, nil
	}
	tok, hint := u.tokens.RefreshToken, "refresh_token"
	if tok == "" {
		tok, hint = u.tokens.AccessToken, "access_token"
	}
	if tok == "" {
		return false, nil
	}
	in, err := a.client.IntrospectToken(ctx, tok, hint)
	if err != nil {
		return false, err
	}
	return in.Active, nil
}

// signOut revokes the user's tokens at the org and ends the session.
func (a *app) signOut(w http.ResponseWriter, r *http.Request) {
	id, sess, ok := a.postedForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if err := a.sessions.end(ctx, w, id); err != nil {
		a.fail(w, r, err)
		return
	}
	flash := "You have signed out."
	if u := sess.user; u != nil {
		if err := a.client.Revoke(ctx, u.state, u.tokens); err != nil {
			a.log.WarnContext(ctx, "sign-out: revoking tokens failed", "err", err)
			flash = "You have signed out of this app, but the Okta org could not be told to revoke your tokens."
		} else {
			a.log.InfoContext(ctx, "signed out: tokens revoked")
		}
	}
	if sess.tx != nil {
		a.cancelQuietly(ctx, sess.tx.State)
	}
	// A fresh, anonymous session carries the notice.
	if _, _, err := a.sessions.create(ctx, w, session{flash: flash}); err != nil {
		a.log.WarnContext(ctx, "sign-out: no session for the notice", "err", err)
		setCookie(w, a.cookies.expired())
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// callback is the app's redirect URI. The org sends the browser here for
// sign-ins that continued outside the app:
//
//   - an email's sign-in link (?otp=...&state=...): the code answers the
//     email challenge of the sign-in in progress in this browser
//     (Client.HandleCallback). A link opened in another
//     browser, or once the sign-in no longer waits for it, shows its code
//     to type where the sign-in waits, as Okta's own pages do;
//   - an identity provider or another redirect (?interaction_code=...&state=...
//     or ?error=...): Client.HandleCallback exchanges the
//     code, or the error is shown.
//
// The state must be the one of this browser's sign-in: a redirect cannot
// be replayed into another session. Nothing of the query is logged.
func (a *app) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cb, err := idx.ParseCallbackURL(r.URL.String())
	if err != nil {
		text := "This address is not a sign-in redirect of the Okta org. Please sign in here."
		if e := r.URL.Query().Get("error"); e != "" {
			text = oauthErrorText(e, r.URL.Query().Get("error_description"))
		}
		a.log.WarnContext(ctx, "callback: not a redirect of the org", "err", err, "error", truncate(r.URL.Query().Get("error"), 64))
		a.callbackFailed(w, r, text)
		return
	}
	id, sess, ok, err := a.sessions.load(ctx, w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if ok && sess.user != nil && sess.stepUp == "" {
		http.Redirect(w, r, localPath(sess.returnTo), http.StatusSeeOther)
		return
	}
	state := ""
	if ok && sess.tx != nil {
		state = sess.tx.State
	}
	var tx *idx.Transaction
	switch {
	case cb.OTP != "":
		// The link's code is an answer of the sign-in like a typed one,
		// and counts the same.
		n := 0
		if state != "" {
			var within bool
			if n, within = a.takeAnswer(w, r, id, sess, state); !within {
				return
			}
		}
		tx, err = a.client.HandleCallback(ctx, state, r.URL.String())
		if errors.Is(err, idx.ErrEmailVerifyElsewhere) {
			if state != "" {
				// Nothing was sent.
				if err := a.answers.giveBack(ctx, state); err != nil {
					a.log.WarnContext(ctx, "sign-in: uncounting an unsent answer failed", "err", err)
				}
			}
			a.log.InfoContext(ctx, "callback: email link opened outside its sign-in", "session", ok)
			a.render(w, r, http.StatusOK, "emailcode", pageData{Title: "Your sign-in code", Code: cb.OTP.Reveal()})
			return
		}
		a.log.InfoContext(ctx, "callback: email link")
		if state != "" && a.answerEnded(w, r, id, sess, state, n, tx, err) {
			return
		}
	case state == "":
		text := "This sign-in was not started in this browser, or it has expired. Please sign in here."
		if cb.Error != "" {
			text = oauthErrorText(cb.Error, cb.ErrorDescription)
		}
		a.log.WarnContext(ctx, "callback: no sign-in in progress in this session", "kind", callbackKind(cb), "error", truncate(cb.Error, 64))
		a.callbackFailed(w, r, text)
		return
	default:
		tx, err = a.client.HandleCallback(ctx, state, r.URL.String())
		var ce *idx.OAuthError
		if errors.As(err, &ce) && ce.Endpoint == "redirect" {
			a.log.WarnContext(ctx, "callback: the org returned an error", "error", truncate(ce.Code, 64))
			sess.tx, sess.stepUp = nil, ""
			if _, err := a.sessions.save(ctx, w, id, sess); err != nil {
				a.fail(w, r, err)
				return
			}
			a.callbackFailed(w, r, oauthErrorText(ce.Code, ce.Description))
			return
		}
		a.log.InfoContext(ctx, "callback: redirect", "kind", callbackKind(cb))
	}
	if errors.Is(err, idx.ErrStateMismatch) || errors.Is(err, idx.ErrInvalidCallback) {
		a.log.WarnContext(ctx, "callback refused", "err", err)
		a.callbackFailed(w, r, "This sign-in response does not belong to the sign-in in progress in this browser. Please continue here.")
		return
	}
	a.advance(w, r, id, sess, tx, err)
}

// callbackKind names a kind of callback, for logs.
func callbackKind(cb *idx.Callback) string {
	switch {
	case cb.InteractionCode != "":
		return "interaction code"
	case cb.OTP != "":
		return "email link"
	}
	return "error"
}

// oauthErrorText is what the page says of an OAuth error of a redirect.
func oauthErrorText(code, description string) string {
	text := "The Okta org answered: " + truncate(code, 64)
	if description != "" {
		text += ": " + truncate(description, 200)
	}
	return text
}

// callbackFailed answers a redirect the app cannot finish.
func (a *app) callbackFailed(w http.ResponseWriter, r *http.Request, text string) {
	a.render(w, r, http.StatusBadRequest, "error", pageData{
		Title: "Sign-in not finished",
		Err:   &errorView{Title: "Sign-in not finished", Text: text},
	})
}

// mailbox lists the emails the embedded fake org has sent, newest first,
// so that a person can complete a sign-in by hand.
func (a *app) mailbox(w http.ResponseWriter, r *http.Request) {
	emails := a.outbox()
	views := make([]mailView, 0, len(emails))
	for i := len(emails) - 1; i >= 0; i-- {
		e := emails[i]
		views = append(views, mailView{
			To:      e.To,
			Subject: e.Subject,
			SentAt:  e.SentAt.Local().Format("15:04:05"),
			Code:    e.Code,
			Link:    e.Link,
			Body:    e.Body,
		})
	}
	a.render(w, r, http.StatusOK, "mailbox", pageData{Title: "Dev mailbox", Wide: true, Mail: views})
}

// advance moves the browser on after a call to the SDK: to the next step's
// page, to the home page after sign-in, or to the first page when the
// transaction has ended.
func (a *app) advance(w http.ResponseWriter, r *http.Request, id string, sess session, tx *idx.Transaction, err error) {
	ctx := r.Context()
	if err != nil {
		a.flowError(w, r, id, sess, err)
		return
	}
	switch tx.Status {
	case idx.StatusPending:
		if tx.NextStep == nil {
			a.fail(w, r, errors.New("webapp: pending transaction without a next step"))
			return
		}
		a.log.InfoContext(ctx, "sign-in: step", "status", tx.Status, "step", tx.NextStep.Name, "rejected", rejectionKind(tx.Rejection))
		sess.tx = tx
		a.saveAndRedirect(w, r, id, sess, "/login")
	case idx.StatusSuccess:
		if sess.user != nil && sess.stepUp != "" {
			a.finishStepUp(w, r, id, sess, tx)
			return
		}
		a.signIn(w, r, id, sess, tx)
	case idx.StatusCanceled:
		a.log.InfoContext(ctx, "sign-in: ended", "status", tx.Status)
		sess.tx = nil
		sess.flash = "Sign-in canceled."
		a.saveAndRedirect(w, r, id, sess, "/login")
	default:
		keys := make([]string, 0, len(tx.Messages))
		for _, m := range tx.Messages {
			keys = append(keys, m.Key)
		}
		a.log.InfoContext(ctx, "sign-in: ended", "status", tx.Status, "messages", keys)
		sess.tx = nil
		sess.notices = tx.Messages
		if len(sess.notices) == 0 {
			sess.flash = "The sign-in has ended. Please start again."
		}
		a.saveAndRedirect(w, r, id, sess, "/login")
	}
}

// signIn finishes a successful transaction: it fetches the profile, starts
// a new session under a new ID (the old one, known before sign-in, ends)
// and sends the browser on.
func (a *app) signIn(w http.ResponseWriter, r *http.Request, id string, sess session, tx *idx.Transaction) {
	ctx := r.Context()
	profile, err := a.client.UserInfo(ctx, tx.Tokens)
	if err != nil {
		a.log.WarnContext(ctx, "sign-in: userinfo failed", "err", err)
		profile = nil
	}
	next := localPath(sess.returnTo)
	if _, _, err := a.sessions.rotate(ctx, w, id, session{user: &signedIn{state: tx.State, tokens: tx.Tokens, profile: profile}}); err != nil {
		a.fail(w, r, err)
		return
	}
	a.log.InfoContext(ctx, "sign-in: signed in", "status", tx.Status)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// flowError handles an error of the SDK during a sign-in.
func (a *app) flowError(w http.ResponseWriter, r *http.Request, id string, sess session, err error) {
	ctx := r.Context()
	var oe *idx.OAuthError
	switch {
	case errors.Is(err, idx.ErrTransactionExpired), errors.Is(err, idx.ErrTransactionNotFound),
		errors.As(err, &oe) && oe.Endpoint == "token" && oe.Code == "invalid_grant":
		a.log.InfoContext(ctx, "sign-in: transaction expired", "err", err)
		sess.tx = nil
		sess.flash = "Your sign-in expired. Please start again."
		a.saveAndRedirect(w, r, id, sess, "/login")
	case sess.user != nil && (errors.Is(err, idx.ErrACRNotMet) || errors.Is(err, idx.ErrAuthTooOld)):
		a.log.WarnContext(ctx, "step-up: the org did not confirm two factors", "err", err)
		sess.tx, sess.stepUp = nil, ""
		sess.flash = "Your organization did not confirm a second factor. Please try again."
		a.saveAndRedirect(w, r, id, sess, "/security")
	case errors.Is(err, idx.ErrTransactionConflict):
		// Another request of this browser (a double-submitted form) moved
		// the transaction on first. sess is stale: save nothing of it, and
		// show the transaction as that request left it.
		a.log.InfoContext(ctx, "sign-in: answer lost to a concurrent request", "err", err)
		if _, cur, ok, err := a.sessions.load(ctx, w, r); err == nil && ok {
			cur.flash = "This form was sent twice. Here is where your sign-in stands."
			if _, err := a.sessions.save(ctx, w, id, cur); err != nil {
				a.fail(w, r, err)
				return
			}
		}
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	case errors.Is(err, idx.ErrInvalidInput), errors.Is(err, idx.ErrUnknownAuthenticator),
		errors.Is(err, idx.ErrMethodNotOffered), errors.Is(err, idx.ErrUnknownStep), errors.Is(err, idx.ErrCannotResend), errors.Is(err, errBadChoice):
		a.log.WarnContext(ctx, "sign-in: answer refused", "err", err)
		sess.flash = "That answer does not fit this step. Please try again."
		a.saveAndRedirect(w, r, id, sess, "/login")
	default:
		a.fail(w, r, err)
	}
}

// rejectionKind names what the server refused, for logs.
func rejectionKind(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, idx.ErrInvalidPasscode):
		return "invalid passcode"
	case errors.Is(err, idx.ErrInvalidCredentials):
		return "invalid credentials"
	}
	return "rejected"
}

// saveAndRedirect saves the session and redirects to path (a See Other, so
// the browser GETs it: a reload never posts a form again).
func (a *app) saveAndRedirect(w http.ResponseWriter, r *http.Request, id string, sess session, path string) {
	ok, err := a.sessions.save(r.Context(), w, id, sess)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !ok {
		// The session ended meanwhile (signed out in another tab).
		setCookie(w, a.cookies.expired())
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// anonToken returns the anti-forgery token of a visitor without a
// session: the value of the anonymous-token cookie, set here when the
// request has none. The first page's form carries it and POST /login
// checks that form and cookie agree (a double-submitted token, in a
// __Host- cookie over https). Nothing about the visitor is kept on the
// server, so cookie-less requests for the sign-in page fill no store.
func (a *app) anonToken(w http.ResponseWriter, r *http.Request) string {
	if v := a.cookies.anonToken(r); validID(v) {
		return v
	}
	v := randomToken()
	setCookie(w, a.cookies.anonCookie(v))
	return v
}

// signInForm is postedForm for POST /login, the one form a visitor
// without a session may send: its token must then be the anonymous one
// (see anonToken). It limits the sign-ins each client starts, and starts
// the session the sign-in needs: only here does a visitor get one.
func (a *app) signInForm(w http.ResponseWriter, r *http.Request) (string, session, bool) {
	if !a.parseForm(w, r) {
		return "", session{}, false
	}
	ctx := r.Context()
	id, sess, ok, err := a.sessions.load(ctx, w, r)
	if err != nil {
		a.fail(w, r, err)
		return "", session{}, false
	}
	token := r.PostForm.Get("csrf")
	if !(ok && sameToken(token, sess.csrf)) && !sameToken(token, a.cookies.anonToken(r)) {
		if !ok && a.cookies.id(r) != "" {
			a.log.WarnContext(ctx, "form refused: the session cookie names no session this server knows", "path", r.URL.Path,
				"hint", a.sessionHint())
			a.sessionNotFound(w, r)
			return "", session{}, false
		}
		a.log.WarnContext(ctx, "form refused: no valid session or CSRF token", "path", r.URL.Path, "session", ok)
		a.forbidden(w, r)
		return "", session{}, false
	}
	if !a.starts.allow(clientKey(r)) {
		a.log.WarnContext(ctx, "sign-in refused: too many sign-ins started by this client", "client", clientKey(r))
		w.Header().Set("Retry-After", "60")
		a.render(w, r, http.StatusTooManyRequests, "error", pageData{
			Title: "Too many attempts",
			Err: &errorView{Title: "Too many sign-in attempts",
				Text: "Too many sign-in attempts came from your network. Please wait a minute, then try again."},
		})
		return "", session{}, false
	}
	if !ok {
		// The session keeps the anonymous token as its CSRF token, so
		// forms of the pages already shown still work; the ID is new.
		if id, sess, err = a.sessions.create(ctx, w, session{csrf: token}); err != nil {
			a.fail(w, r, err)
			return "", session{}, false
		}
		setCookie(w, a.cookies.expiredAnon())
	}
	return id, sess, true
}

// sameToken reports whether the posted token got is want, in constant
// time; an empty token matches nothing.
func sameToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// parseForm reads a form POST, answering 400 when it cannot.
func (a *app) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		a.log.WarnContext(r.Context(), "form refused: unreadable", "path", r.URL.Path)
		a.render(w, r, http.StatusBadRequest, "error", pageData{
			Title: "Bad request",
			Err:   &errorView{Title: "Bad request", Text: "The form could not be read."},
		})
		return false
	}
	return true
}

// postedForm parses a form POST and checks that it comes with a live
// session and that session's CSRF token. Otherwise it answers 403 and
// reports false.
func (a *app) postedForm(w http.ResponseWriter, r *http.Request) (string, session, bool) {
	if !a.parseForm(w, r) {
		return "", session{}, false
	}
	id, sess, ok, err := a.sessions.load(r.Context(), w, r)
	if err != nil {
		a.fail(w, r, err)
		return "", session{}, false
	}
	token := r.PostForm.Get("csrf")
	if !ok && a.cookies.id(r) != "" {
		a.log.WarnContext(r.Context(), "form refused: the session cookie names no session this server knows", "path", r.URL.Path,
			"hint", a.sessionHint())
		a.sessionNotFound(w, r)
		return "", session{}, false
	}
	if !ok || !sameToken(token, sess.csrf) {
		a.log.WarnContext(r.Context(), "form refused: no valid session or CSRF token", "path", r.URL.Path, "session", ok)
		a.forbidden(w, r)
		return "", session{}, false
	}
	return id, sess, true
}

// forbidden answers a POST without a valid session and CSRF token, or a
// cross-site one.
func (a *app) forbidden(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusForbidden, "error", pageData{
		Title: "Form expired",
		Err: &errorView{
			Title: "This form has expired",
			Text:  "Your session has ended, or the form was not sent from this site. Nothing was changed.",
		},
	})
}

// sessionHint says, for the log, why a session may be unknown here.
func (a *app) sessionHint() string {
	if a.memSessions != nil {
		return "expired, or started by another instance of the app: sessions are in this process's memory (-store=memory); " +
			"with several instances use -store=redis or -store=cookie"
	}
	return "expired, ended, or sealed with a cookie key this instance does not have"
}

// sessionNotFound answers a POST whose session cookie names a session this
// server does not know: expired, or, with sessions in memory, started by
// another instance of the app.
func (a *app) sessionNotFound(w http.ResponseWriter, r *http.Request) {
	text := "Your sign-in session was not found on this server: it may have expired. Nothing was changed; please sign in again."
	if a.memSessions != nil {
		text = "Your sign-in session was not found on this server: it may have expired, or another server of this site started it. " +
			"Nothing was changed; please sign in again. " +
			"(For the operator: this app keeps sessions in memory; with several instances use -store=redis or -store=cookie.)"
	}
	a.render(w, r, http.StatusForbidden, "error", pageData{
		Title: "Session not found",
		Err:   &errorView{Title: "Your session was not found", Text: text},
	})
}

// fail answers an error the user cannot fix by changing their answer: the
// org is unreachable or refuses the app, or the app itself failed. The page
// says which in plain words; the log has the details for the operator.
func (a *app) fail(w http.ResponseWriter, r *http.Request, err error) {
	f := classify(err)
	if f.status == 0 {
		// The browser went away; nobody reads an answer.
		a.log.DebugContext(r.Context(), "request canceled", "err", err)
		return
	}
	attrs := []any{"err", err}
	if f.hint != "" {
		attrs = append(attrs, "hint", f.hint)
	}
	a.log.ErrorContext(r.Context(), f.logMsg, attrs...)
	a.render(w, r, f.status, "error", pageData{
		Title: f.title,
		Err:   &errorView{Title: f.title, Text: f.text, Retry: true},
	})
}

// failure is how an error is shown and logged.
type failure struct {
	status      int
	title, text string
	logMsg      string
	hint        string
}

// classify sorts an error into what the user and the operator are told.
func classify(err error) failure {
	var (
		oe  *idx.OAuthError
		ae  *idx.APIError
		ne  interface{ Timeout() bool }
		cfg = "check OKTA_ISSUER, OKTA_CLIENT_ID, OKTA_CLIENT_SECRET and OKTA_REDIRECT_URI " +
			"against the app's settings in the Okta admin console"
	)
	switch {
	case errors.Is(err, context.Canceled):
		return failure{}
	case errors.Is(err, errSessionStore):
		return failure{status: http.StatusServiceUnavailable, title: "Sign-in is unavailable",
			text:   "We could not reach the session store. Please try again in a moment.",
			logMsg: "the session store is unreachable", hint: "check REDIS_URL and the Redis server"}
	case errors.Is(err, errSessionTooLarge):
		return failure{status: http.StatusInternalServerError, title: "Something went wrong",
			text:   "Your session no longer fits in a cookie. Please sign in again.",
			logMsg: "session too large for a cookie", hint: "run with -store=redis to keep sessions on the server"}
	case errors.Is(err, errTooManySessions):
		return failure{status: http.StatusServiceUnavailable, title: "Busy",
			text: "The app is busy. Please try again in a few minutes.", logMsg: "session store full"}
	case errors.Is(err, idx.ErrRateLimited):
		return failure{status: http.StatusTooManyRequests, title: "Too many attempts",
			text:   "The sign-in service asks us to slow down. Please wait a minute, then try again.",
			logMsg: "the Okta org rate-limited the app"}
	case errors.As(err, &oe), errors.As(err, &ae), errors.Is(err, idx.ErrForeignOrigin):
		return failure{status: http.StatusBadGateway, title: "Sign-in is not set up correctly",
			text:   "The sign-in service refused this app's settings. The administrator can find the details in the app's log.",
			logMsg: "the Okta org refused the app's configuration", hint: cfg}
	case errors.Is(err, idx.ErrInvalidIDToken):
		return failure{status: http.StatusBadGateway, title: "Sign-in could not be verified",
			text:   "The answer of the sign-in service could not be verified, so you were not signed in. Please try again.",
			logMsg: "ID token verification failed", hint: "check OKTA_ISSUER (it must be the exact issuer) and the server clock"}
	case errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded), errors.Is(err, idx.ErrUnexpectedResponse),
		errors.Is(err, idx.ErrOutcomeUnknown), errors.Is(err, idx.ErrBodyTooLarge), errors.Is(err, idx.ErrMalformedResponse):
		return failure{status: http.StatusServiceUnavailable, title: "Sign-in is unavailable",
			text:   "We could not reach the sign-in service. Please try again in a moment.",
			logMsg: "the Okta org is unreachable or answered garbage", hint: "check OKTA_ISSUER and the network path to the org"}
	}
	return failure{status: http.StatusInternalServerError, title: "Something went wrong",
		text: "Something went wrong on our side. Please try again.", logMsg: "request failed"}
}

// truncate shortens s to n bytes at most, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// secureHeaders sets the headers every answer carries. The pages have no
// scripts at all, which the Content-Security-Policy enforces; only a step
// that asks for a captcha loads its service's widget (captcha.go).
func (a *app) secureHeaders(next http.Handler) http.Handler {
	csp := "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
		"frame-ancestors 'none'; base-uri 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if a.cookies.secure {
			h.Set("Strict-Transport-Security", "max-age=63072000")
		}
		next.ServeHTTP(w, r)
	})
}

// logRequests logs one line per request: method, path (never the query),
// status and duration.
func (a *app) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		a.log.InfoContext(r.Context(), "http", "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "duration", time.Since(start).Round(time.Microsecond))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// loginURL returns the sign-in page's URL that returns to path afterwards.
func loginURL(path string) string {
	if path = localPath(path); path == "/" {
		return "/login"
	}
	return "/login?return_to=" + url.QueryEscape(path)
}
