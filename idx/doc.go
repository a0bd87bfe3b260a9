// Package idx signs users in to Okta Identity Engine from Go, without the
// hosted sign-in page: the embedded "IDX" interaction-code flow.
//
// A [Client] holds an org's and an app's configuration and is safe for
// concurrent use by many goroutines. Each sign-in is a transaction that
// moves forward one call at a time:
//
//	client, err := idx.NewClient(idx.Config{
//		Issuer:      "https://example.okta.com/oauth2/default",
//		ClientID:    "0oa...",
//		RedirectURI: "https://app.example.com/login/callback",
//		Scopes:      []string{"openid", "profile", "email", "offline_access"},
//	})
//	tx, err := client.Authenticate(ctx, idx.Options{Username: u, Password: p})
//	// tx.Status == idx.StatusPending, tx.NextStep.Name == "select-authenticator-authenticate"
//	tx, err = client.Authenticate(ctx, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
//	// tx.NextStep.Name == "challenge-authenticator", input "verificationCode"
//	tx, err = client.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: code})
//	// tx.Status == idx.StatusSuccess; tx.Tokens holds verified tokens
//	tokens, err := client.Refresh(ctx, tx.Tokens) // later, before the access token expires
//	profile, err := client.UserInfo(ctx, tokens)
//
// The refresh token comes with the offline_access scope, on an app with
// the Refresh Token grant (see [Config]); [Client.TokenSource] refreshes
// on its own, and hands the access token to golang.org/x/oauth2 and
// *http.Client users. The Example functions run the whole sign-in against
// the fake org of package idxtest, as a program can (idxtest.NewServer,
// Server.Outbox for the emailed code).
//
// Authenticate mirrors okta-auth-js's idx.authenticate in its legacy mode:
// values may be given up front, and one call keeps answering the server's
// remediations, in server order, while the values cover them, returning the
// first step it cannot complete as [Transaction.NextStep]. Authenticators
// are chosen by key (package authenticator), never by display label.
//
// The other flows of okta-auth-js have their calls, on the same engine and
// with the same [Options]: [Client.Register] (self-service registration:
// select-enroll-profile, then enroll-profile with Options.Profile),
// [Client.RecoverPassword] (the password's recover action or
// identify-recovery, a verification, then reset-authenticator with
// Options.NewPassword), [Client.UnlockAccount] (unlock-account, then
// select-authenticator-unlock-account), [Client.Start] (begin with
// [StartOptions], which only a start can carry: an activation or
// recovery token, sign-in hints, step-up; and answer nothing) and
// [Client.Authenticate] with a State (continue any transaction). [Client.Skip],
// [Client.Resend] and [Client.Cancel] take the server's actions of those
// names; [Client.Poll] asks once whether a waiting step (an Okta Verify
// push, an email magic link) is done, and [Client.PollUntilDone] polls at
// the server's refresh interval ([WithPollProgress] reports each poll).
//
// Every answer lists the steps on offer ([Transaction.AvailableSteps]) and
// the flows the org enables ([Transaction.EnabledFeatures]). A step
// describes its inputs under okta-auth-js's names (username, password,
// verificationCode, methodType, phoneNumber, newPassword, answer,
// questionKey, question, clientData, attestation, authenticatorData,
// signatureData, channel, email, and the profile attributes), its
// authenticator with the data a user interface needs
// (Authenticator.Context: QR code, shared secret, security questions,
// WebAuthn options, the number of an Okta Verify number challenge),
// whether it can be skipped, resent or polled, and for redirect-idp the
// identity provider and the URL to send the browser to. A consent step
// describes the scopes asked for ([NextStep.Consent]), answered with
// Options.Consent and, by scope, Options.ConsentScopes. A transaction the
// org started on a page of its own (the device activation page) is taken
// up with [Client.Start] and StartOptions.StateHandle; its user-code step
// takes Options.UserCode.
//
// A sign-in that leaves the app (an identity provider, an email magic
// link) comes back to the redirect URI: [Client.HandleCallback] takes that
// URL and the [Transaction.State] kept in the user's session, checks the
// URL's OAuth state against the transaction's in constant time, and
// finishes the step. [ParseCallbackURL] reads such a URL without side
// effects.
//
// Between calls the transaction lives in a [TransactionStore] under
// [Transaction.State]; the default keeps it in memory. On success the
// interaction code is exchanged at the token endpoint with PKCE (S256) and
// the ID token is verified (RS256, issuer, audience, expiry, nonce) against
// the org's keys.
//
// Errors are typed: transport and protocol problems come back as Go errors
// that match sentinels such as [ErrTransactionExpired] with errors.Is, or
// types such as [*OAuthError] with errors.As. A request the server refused
// but that leaves the transaction going (a wrong code, a wrong password) is
// not an error: the transaction stays PENDING, its Messages carry the
// server's messages, and [Transaction.Rejection] says what was refused.
// A transaction the server ends is TERMINAL: [Transaction.Err] gives an
// error when it ended on one, matched by kind (errors.Is(tx.Err(),
// ErrAccessDenied), ErrOperationCanceled, ErrLinkExpired, ...; each
// sentinel lists the server's i18n keys it stands for), and
// [Transaction.Outcome] names a successful end such as
// [OutcomeAccountUnlocked] (which an org that goes on with the sign-in
// after an unlock reports on the SUCCESS or PENDING transaction instead).
// A narrower kind matches its broader one too ([ErrPasscodeUsed] is an
// [ErrInvalidPasscode], [ErrSendLimit] an [ErrRateLimited]).
// A device that does not meet the org's device assurance policy ends it
// with [ErrDeviceNotCompliant] and [Transaction.DeviceAssurance], what to
// change; during a grace period the warning is a step of its own
// ([NextStep.DeviceAssurance]) that [Client.Skip] goes on from.
//
// Answers are read liberally, as real orgs send more than the protocol
// promises: a member the SDK does not need in order to act that it cannot
// read is read around and logged at debug level by its JSON path; a member
// it needs and cannot use fails the call with an error matching
// [ErrMalformedResponse] that names the path. [Transaction.NextStep] is the first step a server-side
// app can take: steps only the user's device can take (the Apple SSO
// extension, Okta Verify launched on the device) stay in AvailableSteps,
// each with its hand-off in [NextStep.DeviceChallenge] (an
// [authenticator.DeviceChallenge]: where to send the browser, what to
// poll, how to stop waiting), and after a rejected push the user chooses an authenticator again, with
// a new push one [Client.Resend] away. An expired session is the error
// [ErrTransactionExpired]; an HTTP 429 is a [*RateLimitError] that leaves
// the transaction as it was.
//
// Nothing in this package logs or puts in an error a password, one-time
// code, token, stateHandle, interaction code, PKCE verifier or client
// secret. Logging goes to the [*slog.Logger] given with [WithLogger] and is
// off by default.
//
// For tests, the sibling package idxtest provides a fake Okta org over
// loopback, and package storetest a conformance suite for stores.
package idx
