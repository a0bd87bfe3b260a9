package idx_test

import (
	"errors"
	"fmt"

	"github.com/goidx/goidx/idx"
)

// An app's redirect URI handler reads what came back before it calls
// HandleCallback.
func ExampleParseCallbackURL() {
	for _, u := range []string{
		"/login/callback?interaction_code=Xy12&state=Ab34",
		"/login/callback?otp=123456&state=Ab34",
		"/login/callback?error=access_denied&error_description=User+declined&state=Ab34",
		"/login/callback?interaction_code=Xy12",
	} {
		cb, err := idx.ParseCallbackURL(u)
		if err != nil {
			fmt.Println(errors.Is(err, idx.ErrInvalidCallback), err)
			continue
		}
		switch {
		case cb.InteractionCode != "":
			fmt.Println("code", cb.InteractionCode) // a Secret: prints redacted
		case cb.OTP != "":
			fmt.Println("email link, otp", cb.OTP)
		default:
			fmt.Println("error", cb.Error, cb.ErrorDescription)
		}
	}
	// Output:
	// code [REDACTED]
	// email link, otp [REDACTED]
	// error access_denied User declined
	// true idx: invalid callback URL: no state
}

// A TERMINAL transaction's error is matched by kind; a key of no known
// kind matches none, and the error is still there.
func ExampleTransaction_Err() {
	for _, key := range []string{"security.access_denied", "idx.operation.cancelled.on.other.device", "errors.E0000119", "some.new.key"} {
		tx := &idx.Transaction{Status: idx.StatusTerminal, Messages: []idx.Message{{Class: "ERROR", Key: key}}}
		err := tx.Err()
		fmt.Println(key, errors.Is(err, idx.ErrAccessDenied), errors.Is(err, idx.ErrOperationCanceled),
			errors.Is(err, idx.ErrLockedOut), err != nil)
	}
	// Output:
	// security.access_denied true false false true
	// idx.operation.cancelled.on.other.device false true false true
	// errors.E0000119 false false true true
	// some.new.key false false false true
}
