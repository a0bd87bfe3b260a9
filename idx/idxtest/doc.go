// Package idxtest provides a fake Okta org for tests: an HTTP server on a
// loopback port that speaks the Okta Identity Engine wire protocol used by
// embedded sign-in, the way net/http/httptest provides a fake HTTP server.
//
// The fake implements:
//
//   - OpenID discovery, JWKS, /v1/interact, /v1/token (interaction_code
//     and refresh_token grants, client_secret_basic, client_secret_post or
//     PKCE-only public clients, and private_key_jwt apps added with
//     [WithPrivateKeyJWTApp]), /v1/userinfo, /v1/revoke, /v1/introspect
//     and /v1/logout of the default authorization server
//     ({URL}/oauth2/default), with signing keys that rotate on
//     [Server.RotateSigningKey];
//   - the IDX API (/idp/idx/...) for an org [Policy]: how many factors a
//     sign-in needs and which authenticators may give them (password,
//     email codes and magic links, phone by SMS or voice, Google
//     Authenticator, Okta Verify push, number challenge and TOTP,
//     security questions, WebAuthn; and, when the policy names them,
//     RSA SecurID, on-prem MFA, Symantec VIP, YubiKey and custom OTP
//     tokens, Duo Security and a custom push app, in the forms real orgs
//     send), required or optional enrollment (with skip), self-service
//     registration (string, select, radio and boolean profile
//     attributes, see [ProfileAttribute]), password recovery and
//     account unlock (by [Policy.RecoveryAuthenticators]; ended, or going
//     on with the sign-in by [Policy.UnlockThen]), identity
//     providers (a fake IdP that redirects back with an interaction
//     code), identifier-first sign-in with the password as a challenge
//     of its own ([Policy.IdentifierFirst]), password expiry and warning
//     (on the org's own page with [Policy.PasswordPage]), device
//     assurance with or without a grace period ([Policy.DeviceAssurance]),
//     enrollments put off during a grace period
//     ([EnrollmentRule].GracePeriodEnd), lockout after [Policy.MaxPasswordAttempts], activation and recovery
//     tokens, a captcha at identify, registration and recovery
//     ([Policy.Captcha], passed by [CaptchaTestToken]), "keep me signed
//     in" after authentication ([Policy.KeepMeSignedIn]) and identify's
//     rememberMe checked by default ([Policy.RememberMeChecked]), profile
//     attributes asked for at sign-in ([Policy.ProfileUpdate]), Okta
//     FastPass's device challenge at the start of a sign-in and its
//     launch-authenticator fallback ([Policy.DeviceChallenge]), identity
//     verification by a fake vendor ([Policy.IdentityVerification]),
//     consent to the scopes an app requests, all at once or by scope,
//     with custom scopes ([Policy.Consent], [Policy.Scopes]), the consent
//     an email link asks for on another device ([Policy.EmailLinkConsent]),
//     device activation (the device authorization grant at
//     {issuer}/v1/device/authorize and the token endpoint, the org's
//     {URL}/activate page and its user-code step: [Server.DeviceAuthorize],
//     [Server.StartDeviceActivation]); the Ion documents (remediation
//     forms, relatesTo, stateHandle,
//     expiresAt, messages, successWithInteractionCode) are shaped like real
//     Okta answers, which a test of the package compares, path by path,
//     with answers captured from real orgs (see Differences from Okta);
//   - trusted origins ([WithTrustedOrigins]): CORS for browser clients
//     such as okta-auth-js and the Okta Sign-In Widget on a page of
//     another origin, as Okta answers them;
//   - an outbox instead of mail and phone providers: [Server.Outbox]
//     (emails, texts and calls, with magic links), [Server.LastCode] and
//     GET {URL}/idxtest/outbox;
//   - test controls: [Server.ApprovePush], [Server.RejectPush],
//     [Server.AnswerPush], [TOTP] (also what a [Token] shows),
//     [Server.ApproveDuo], [Server.WebAuthnAssertion],
//     [Server.UnlockUser], [Server.ActivationToken],
//     [Server.RecoveryToken], [Server.GoogleAuthenticatorResetToken],
//     [Server.AnswerDeviceChallenge] (Okta Verify on the user's device),
//     and fault injection ([Server.InjectFault]:
//     rate limits, server errors, slow, hung or dropped connections,
//     malformed or oversized answers, foreign hrefs), also over HTTP
//     under /idxtest/ for clients that are not Go ([WithControlAPI]).
//
// It is written from the wire protocol alone and shares no code with the
// SDK, so a misunderstanding of the protocol in one cannot hide in the
// other. ID and access tokens are RS256 JWTs; PKCE is S256 only;
// one-time codes come from crypto/rand. Servers sign with one RSA key
// that the process generates on first use and shares (each Server
// publishes it under a key ID of its own), so that making a Server costs
// well under a millisecond; [WithNewSigningKey] and [WithSigningKey] give
// a Server a key of its own.
//
// Every Server registers the demo user ([DemoUsername], [DemoPassword]) and
// two apps, public ([PublicClientID]) and confidential
// ([ConfidentialClientID], [ConfidentialClientSecret]), both with the
// redirect URI [DefaultRedirectURI] and refresh tokens allowed. The
// default policy asks for the password and one more factor. Options add
// users and apps, set the policy, the clock and lifetimes, and choose
// whether selecting the email authenticator first answers with
// authenticator-verification-data.
//
// A test of code that signs in typically looks like this (ExampleNewServer
// shows a whole sign-in over the raw wire):
//
//	func TestSignIn(t *testing.T) {
//		org := idxtest.New(t) // closed when the test ends
//		// Point the code under test at org.Issuer() with client ID
//		// idxtest.PublicClientID and redirect URI idxtest.DefaultRedirectURI,
//		// and sign in as idxtest.DemoUsername / idxtest.DemoPassword. When
//		// it asks for the emailed code:
//		code, ok := org.LastCode(idxtest.DemoUsername)
//		if !ok {
//			t.Fatal("no email sent")
//		}
//		_ = code // ... hand it to the code under test, then:
//		if n := org.RequestCounts()["POST /idp/idx/identify"]; n != 1 {
//			t.Errorf("identify called %d times, want 1", n)
//		}
//	}
//
// # Answers
//
// IDX answers are "application/ion+json; okta-version=1.0.0" documents. A
// stateHandle stays the same for the life of its transaction. Errors:
//
//   - unknown, expired or cancelled stateHandle or interaction handle, or
//     one whose sign-in succeeded and whose interaction code was redeemed
//     (until then introspect answers the success again): 401, messages
//     only, i18n key idx.session.expired;
//   - wrong password or unknown user (indistinguishable): 401, the identify
//     form again and the top-level message errors.E0000004
//     "Authentication failed"; in an identifier-first org an unknown user
//     fails identify the same way, and a wrong password fails the password
//     challenge with the top-level message incorrectPassword;
//   - wrong or expired code: 401, the challenge form again with the
//     field message api.authn.error.PASSCODE_INVALID on credentials.passcode
//     (authfactor.challenge.soft_token.invalid_passcode for a TOTP at
//     sign-in, and ...used_passcode for a code used before);
//   - the wrong code that reaches [Policy].MaxVerificationAttempts (5 by
//     default, as Okta has it), and every code for that authenticator
//     in the five minutes after: 429, the challenge form again with the
//     top-level message tooManyRequests;
//   - a text or call over [Policy].MaxPhoneSends: 400, the step again
//     with the top-level message errors.E0000150 (SMS) or errors.E0000151
//     (voice), and nothing sent;
//   - a number that cannot take a code, at phone enrollment: 400,
//     authenticator-enrollment-data again with the top-level message
//     api.factors.error.sms.invalid_phone;
//   - a locked account: 403, errors.E0000119 at identify; in an
//     identifier-first org, authfactor.challenge.suspended_factor at the
//     password challenge, with that form alone;
//   - a blank required field: 400, the form again with the field message
//     model.validation.field.blank;
//   - an authenticator that is not offered: 400, top-level errors.E0000001;
//   - a form the current state does not offer (answering before the email
//     was sent, say): 403, top-level errors.E0000079;
//   - malformed JSON: 400 (errors.E0000003); a content type other than
//     application/ion+json or application/json: 415 (errors.E0000012); a
//     body over 1 MiB: 413.
//
// Cancel ends the transaction and answers with the identify form of a new
// one (a new stateHandle) for the same interaction, which can still finish
// with the original PKCE verifier.
//
// OAuth endpoints answer RFC 6749 errors, {"error":..,"error_description":..}:
// 401 invalid_client (with WWW-Authenticate) for a bad or missing client
// authentication, 400 invalid_grant for an interaction code that is unknown,
// used, expired (after 60 seconds) or issued to another client, and 400
// invalid_grant "PKCE verification failed." for a wrong code_verifier, and
// at /v1/interact 400 invalid_request "The recovery token is invalid" (or
// "The activation token is invalid") for a token that is unknown, used or
// expired, unless [Policy].TokenErrorsInIDX has the transaction say why. An interaction code is spent by its first redemption attempt,
// successful or not. Parameters in the URL query of a POST are served, as
// Okta serves them (okta-idx-golang sends its token requests so), with a
// warning in the server's log, since secrets and verifiers belong in the
// body; a parameter sent in both the query and the body is refused.
//
// Injected rate limits and server errors ([Server.InjectFault]) answer the
// IDX API as Okta does there, with an Ion document (version, the message
// tooManyRequests or E0000009, and the stateHandle of the transaction the
// request names), and the other endpoints with Okta's API error body
// (E0000047, E0000009).
//
// # Differences from Okta
//
// TestShapes drives the fake into each state it can reach and compares
// the answer's JSON paths, types, field flags, relatesTo targets, actions
// and message keys with a real org's answer in the same state, read from
// the folder of captured answers that the environment variable
// OKTA_WIRE_CORPUS names (the test skips, saying so, when it is unset).
// Each difference it accepts is listed, with its reason, in
// testdata/shape-allowlist.txt. Most are members some captures were
// trimmed of; the Okta behaviours the fake does not model are:
//
//   - the context form and the authentication member of Okta-hosted
//     pages (POST /idp/idx/context), which embedded clients do not use;
//   - what each authenticator may be used for (allowedFor): every
//     authenticator of the fake serves sign-in and recovery;
//   - length limits and descriptions of profile attributes at
//     registration and profile update;
//   - Okta Verify FastPass beside push and TOTP: the fake offers FastPass
//     alone ([WithOktaVerifyFastPassOnly]) and never completes it, so with
//     push its method choice is never hidden; the device challenge before
//     the username ([Policy.DeviceChallenge]) completes only by
//     [Server.AnswerDeviceChallenge], and nothing listens on its loopback
//     ports or is served at its links;
//   - an identity verification vendor's own pages: the fake's verifies at
//     once, and ends the sign-in only when nothing else is due;
//   - dynamic client registration and request objects in OpenID
//     discovery;
//   - Duo's prompt timing out (oie.authenticator.duo.method.duo.
//     verification_timeout): only a bad or foreign signature fails;
//   - the custom push app's authenticator-verification-data with the
//     autoChallenge choice: choosing the app sends the push at once, and
//     challenge-poll carries the choice;
//   - how Okta refuses a captcha token, which no capture shows: the fake
//     refuses it as an invalid value on its field ([Policy.Captcha]), and
//     verifies no token with hCaptcha or Google;
//   - the device itself: with [Policy.DeviceAssurance] every device fails
//     the policy, and the forms of the org's own password page take the
//     new password as reenroll-authenticator's do (Okta's Sign-In Widget
//     sends the user to the page instead);
//   - device remediations that an app on the device makes (installing
//     the Android Device Policy app, with its loopback probe and
//     fallback), and grace periods counted in skips;
//   - an app's links (logo, terms of service, privacy policy) in the app
//     member consent shows, and the grants Okta remembers: with
//     Policy.Consent the fake asks at every sign-in, and it answers a
//     refusal with idx.operation.cancelled.by.user, the answer of a
//     consent refused on another device (no capture shows Okta's answer
//     to a refusal in the same sign-in);
//   - the device activation page's own HTML (the fake's page only holds
//     the stateHandle), the device_authorization_endpoint in discovery,
//     and slow_down answers to a device that polls too often;
//   - step-up, authenticators other
//     than those listed above, and localized message text (messages are
//     in English; their i18n keys are Okta's).
//
// Where it differs on purpose: recovery and unlock answer with no profile
// of the user, so that their answers tell nothing about an account to
// someone who only typed a username.
//
// Nothing here is meant for production: the server keeps all state in
// memory, applies no rate limits (only Okta's limit on wrong one-time
// codes) and prints nothing unless given a logger.
// It never logs passwords, codes, tokens or handles.
package idxtest
