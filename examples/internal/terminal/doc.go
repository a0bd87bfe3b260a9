// Package terminal holds what the terminal examples (register,
// recover-password) share: the org they talk to, read from OKTA_*
// environment variables with an embedded fake org (package idxtest) as the
// default, and a driver that shows each pending step of a transaction on a
// terminal and answers it, from the keyboard or, on the fake org, on its
// own.
//
// The driver handles what every flow has in common: the step's inputs and
// choices, wrong answers asked again, "resend", "skip" and "cancel", and
// steps that are polled. It makes no SDK call that starts or shapes a
// flow: the example passes the call that answers a step (Client.Authenticate,
// or a flow's own entry point such as Client.RecoverPassword) to Drive.
//
// Nothing secret is printed: a step holds no value, and the automatic
// answers print a note in place of a code or a password.
package terminal
