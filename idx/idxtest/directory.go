package idxtest

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Credentials of the demo user and the default apps that every Server
// registers.
const (
	// DemoUsername is the username (and email) of the demo user.
	DemoUsername = "demo@example.com"
	// DemoPassword is the demo user's password.
	DemoPassword = "Demo-Passw0rd!"
	// PublicClientID is the client ID of the default public app, which
	// authenticates with PKCE only.
	PublicClientID = "idxtest-public"
	// ConfidentialClientID is the client ID of the default confidential app.
	ConfidentialClientID = "idxtest-confidential"
	// ConfidentialClientSecret is the secret of the default confidential app.
	ConfidentialClientSecret = "idxtest-secret-change-me"
	// DefaultRedirectURI is the only redirect URI of both default apps.
	DefaultRedirectURI = "http://localhost:8080/login/callback"
)

// demoUserID is the stable ID of the demo user.
const demoUserID = "00uidxtestdemo0001"

// User is a person who can sign in. Every user has the password (unless
// Staged) and the email (unless EmailNotEnrolled) authenticators enrolled; the fields after Locale
// enroll others and set the account's state.
type User struct {
	// ID is the Okta user ID (the ID token's sub). Empty means a random
	// "00u..." ID.
	ID string
	// Username is the sign-in identifier, matched without regard to case.
	Username string
	// Password is the user's password.
	Password string
	// Email receives the one-time codes. Empty means Username.
	Email string
	// GivenName and FamilyName make up the name claims.
	GivenName, FamilyName string
	// Locale is the locale claim, such as "en_US" (the default).
	Locale string

	// Phone, when set, enrolls the phone authenticator (SMS and voice)
	// with this E.164 number, such as "+15555550100".
	Phone string
	// TOTPSecret, when set, enrolls Google Authenticator (google_otp) with
	// this base32 (RFC 4648) shared secret.
	TOTPSecret string
	// SecurityQuestion, when set, enrolls the security question
	// authenticator.
	SecurityQuestion *SecurityQuestion
	// OktaVerify enrolls Okta Verify (push, TOTP).
	OktaVerify bool
	// WebAuthn enrolls a security key (USB and NFC) that holds no
	// discoverable credential: the org lists its credential ID in the
	// user's authenticatorEnrollments.
	WebAuthn bool
	// Tokens are the hardware and vendor tokens the user holds, by
	// authenticator key (AuthenticatorRSA, AuthenticatorOnPrem,
	// AuthenticatorSymantecVIP, AuthenticatorYubiKey,
	// AuthenticatorCustomOTP), enrolled or ready to enroll; see [Token].
	Tokens map[string]Token
	// Duo enrolls Duo Security, and CustomApp the org's custom push app.
	Duo, CustomApp bool

	// PasswordExpired makes the password expired: after identify the user
	// must set a new one (reenroll-authenticator).
	PasswordExpired bool
	// PasswordExpiresSoon warns at sign-in that the password is about to
	// expire (reenroll-authenticator-warning), with a skip.
	PasswordExpiresSoon bool
	// Locked makes the account locked out: identify fails until it is
	// unlocked.
	Locked bool
	// Staged makes the account STAGED: created by an admin and not yet
	// activated. It has no password (Password must be empty) and cannot
	// sign in until the user follows an activation token
	// ([Server.ActivationToken]) and enrolls a password.
	Staged bool
	// EmailNotEnrolled leaves the email authenticator unenrolled: Email is
	// the user's address, but the user has not proved it. An enrollment
	// policy that requires the email (or needs it to reach the policy's
	// factors) enrolls it at sign-in with a code sent to Email; until then
	// no code or magic link for signing in is sent there.
	EmailNotEnrolled bool
}

// SecurityQuestion is a user's security question and answer.
type SecurityQuestion struct {
	// Key is Okta's question key, such as "disliked_food", or "custom".
	Key string
	// Question is the question's text.
	Question string
	// Answer is the answer, compared without regard to case.
	Answer string
}

// App is an OIDC app (a client) of the org's default authorization server.
type App struct {
	// ClientID identifies the app.
	ClientID string
	// ClientSecret, when set, makes the app a confidential client that must
	// authenticate at the token endpoint (client_secret_basic or
	// client_secret_post). Empty makes it a public client using PKCE only.
	ClientSecret string
	// RedirectURIs are the allowed redirect_uri values, compared exactly.
	RedirectURIs []string
	// RefreshTokens makes the token endpoint issue a refresh token when the
	// granted scopes include offline_access.
	RefreshTokens bool
}

// userRecord is a registered user with its enrollments. The server changes
// it (enrollments, Phone...) only under its lock.
type userRecord struct {
	User
	enrollments      map[string]*enrollment // by authenticator key
	passwordFailures int                    // consecutive wrong passwords (lockout.go)
	passwordChanged  time.Time              // when the password was last set; zero if none
	// refusedSteps are, by token key, the time step of a right code a
	// token in next-tokencode mode gave at enrollment (auth_token.go),
	// which is not taken again.
	refusedSteps map[string]int64
	// attrs are the profile attributes filled in at profile-update
	// (profile_update.go).
	attrs map[string]string
}

func (u *userRecord) name() string {
	return strings.TrimSpace(u.GivenName + " " + u.FamilyName)
}

func demoUser() User {
	return User{
		ID:         demoUserID,
		Username:   DemoUsername,
		Password:   DemoPassword,
		Email:      DemoUsername,
		GivenName:  "Demo",
		FamilyName: "User",
		Locale:     "en_US",
	}
}

func defaultApps() []App {
	return []App{
		{ClientID: PublicClientID, RedirectURIs: []string{DefaultRedirectURI}, RefreshTokens: true},
		{
			ClientID:      ConfidentialClientID,
			ClientSecret:  ConfidentialClientSecret,
			RedirectURIs:  []string{DefaultRedirectURI},
			RefreshTokens: true,
		},
	}
}

// newUserRecord checks u, fills its defaults and gives it enrollment IDs.
func newUserRecord(u User) (*userRecord, error) {
	if strings.TrimSpace(u.Username) == "" {
		return nil, errors.New("idxtest: user has no username")
	}
	if u.Username != strings.TrimSpace(u.Username) {
		return nil, errors.New("idxtest: username has leading or trailing spaces")
	}
	switch {
	case u.Staged && u.Password != "":
		return nil, fmt.Errorf("idxtest: staged user %q has a password", u.Username)
	case !u.Staged && u.Password == "":
		return nil, fmt.Errorf("idxtest: user %q has no password", u.Username)
	}
	if u.Email == "" {
		u.Email = u.Username
	}
	if at := strings.LastIndex(u.Email, "@"); at <= 0 || at == len(u.Email)-1 {
		return nil, fmt.Errorf("idxtest: user %q: email %q is not an address", u.Username, u.Email)
	}
	if u.ID == "" {
		u.ID = randomOktaID("00u")
	}
	if u.Locale == "" {
		u.Locale = "en_US"
	}
	if u.Phone != "" && !validPhone(u.Phone) {
		return nil, fmt.Errorf("idxtest: user %q: phone %q is not an E.164 number", u.Username, u.Phone)
	}
	if u.SecurityQuestion != nil {
		q := *u.SecurityQuestion
		u.SecurityQuestion = &q
	}
	rec := &userRecord{User: u, enrollments: map[string]*enrollment{
		AuthenticatorPassword: {id: randomOktaID("lae")},
		AuthenticatorEmail:    {id: randomOktaID("eae"), value: u.Email},
	}}
	if u.Phone != "" {
		rec.enrollments[AuthenticatorPhone] = &enrollment{id: randomOktaID("mbl"), value: u.Phone}
	}
	if u.TOTPSecret != "" {
		rec.enrollments[AuthenticatorGoogle] = &enrollment{id: randomOktaID("ost"), value: u.TOTPSecret}
	}
	if u.SecurityQuestion != nil {
		rec.enrollments[AuthenticatorSecurityQuestion] = &enrollment{id: randomOktaID("qae"), value: u.SecurityQuestion.Key}
	}
	if u.OktaVerify {
		rec.enrollments[AuthenticatorOktaVerify] = &enrollment{id: randomOktaID("pfd")}
	}
	if u.WebAuthn {
		rec.enrollments[AuthenticatorWebAuthn] = &enrollment{id: randomOktaID("fwf"), transports: []string{"usb", "nfc"}}
	}
	if err := enrollUserTokens(rec); err != nil {
		return nil, err
	}
	if u.Staged {
		delete(rec.enrollments, AuthenticatorPassword) // enrolled at activation
	}
	if u.EmailNotEnrolled {
		delete(rec.enrollments, AuthenticatorEmail) // enrolled at sign-in
	}
	return rec, nil
}

// checkApp validates a and returns a copy the caller cannot change.
func checkApp(a App) (*App, error) {
	if strings.TrimSpace(a.ClientID) == "" {
		return nil, errors.New("idxtest: app has no client ID")
	}
	if len(a.RedirectURIs) == 0 {
		return nil, fmt.Errorf("idxtest: app %q has no redirect URI", a.ClientID)
	}
	for _, r := range a.RedirectURIs {
		u, err := url.Parse(r)
		if err != nil || u.Scheme == "" || u.Host == "" || u.Fragment != "" {
			return nil, fmt.Errorf("idxtest: app %q: redirect URI %q must be absolute and have no fragment", a.ClientID, r)
		}
	}
	a.RedirectURIs = append([]string(nil), a.RedirectURIs...)
	return &a, nil
}

func (a *App) confidential() bool { return a.ClientSecret != "" }

func (a *App) allowsRedirect(uri string) bool {
	for _, r := range a.RedirectURIs {
		if r == uri {
			return true
		}
	}
	return false
}

// AddUser registers a user; it is safe to call while the server runs. It
// fails if the username is empty, has leading or trailing spaces, or is
// taken (compared without regard to case), if the ID is taken, if the
// password is empty (or, for a Staged user, is not), or if the email
// (Username when Email is empty) is not an address.
func (s *Server) AddUser(u User) error {
	rec, err := newUserRecord(u)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addUserLocked(rec, false)
}

func (s *Server) addUserLocked(rec *userRecord, replace bool) error {
	key := strings.ToLower(rec.Username)
	if old, ok := s.users[key]; ok {
		if !replace {
			return fmt.Errorf("idxtest: username %q is taken", rec.Username)
		}
		delete(s.userIDs, old.ID)
		delete(s.users, key)
	}
	if _, ok := s.userIDs[rec.ID]; ok {
		return fmt.Errorf("idxtest: user ID %q is taken", rec.ID)
	}
	if rec.Password != "" && rec.passwordChanged.IsZero() {
		rec.passwordChanged = s.now()
	}
	s.users[key] = rec
	s.userIDs[rec.ID] = rec
	return nil
}

// AddApp registers an app; it is safe to call while the server runs. It
// fails if the client ID is empty or taken, or if there is no redirect URI
// or one is not an absolute URI without a fragment.
func (s *Server) AddApp(a App) error {
	app, err := checkApp(a)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[app.ClientID]; ok {
		return fmt.Errorf("idxtest: client ID %q is taken", app.ClientID)
	}
	s.apps[app.ClientID] = app
	return nil
}
