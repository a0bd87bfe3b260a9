// Package remediate is the IDX remediation engine: it maps a caller's values
// (username, password, an authenticator key, a verification code, or raw
// values for a named step) onto the server's remediation forms, picks the
// form to submit next, builds its body, and describes the step the caller
// must complete when no form can be filled.
//
// The engine follows the semantics of okta-auth-js's legacy idx mode: forms
// are considered in server order; a form is submitted when the values cover
// its required inputs and use at least one caller value (or the caller named
// the form as the step); values are used up once submitted. Knowledge of particular
// authenticators comes from package authenticator; a remediation the engine has never seen is still shown as a
// step with its raw inputs and can be answered by name.
//
// [Run] is the loop of one call: from where the transaction stands it
// takes the flow's entry step (Register, RecoverPassword, UnlockAccount),
// a resend or poll asked for, then every step the values fill, posting
// each through a [Poster] (the public package's IDX call), until the
// server succeeds, ends the transaction, refuses an answer or waits for a
// step the values do not cover. It makes no HTTP request of its own, so
// it is tested with a fake Poster.
package remediate
