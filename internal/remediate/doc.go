// Package remediate is the IDX remediation engine: it maps a caller's values
// (username, password, an authenticator key, a verification code, or raw
// values for a named step) onto the server's remediation forms, picks the
// form to submit next, builds its body, and describes the step the caller
// must complete when no form can be filled.
//
// The engine follows the semantics of okta-auth-js's legacy idx mode: forms
// are considered in server order; a form is submitted when the values cover
// its required inputs and use at least one caller value (or the caller named
// the form as the step); values are used up once submitted. Knowledge of particular authenticators comes from package
// authenticator; a remediation the engine has never seen is still shown as a
// step with its raw inputs and can be answered by name.
package remediate
