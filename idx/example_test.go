package idx_test

import (
	"context"
	"fmt"
	"log"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// Sign a user in with a password and an emailed code, refresh the tokens
// and read the user's profile, against the fake org of package idxtest.
// The offline_access scope asks for the refresh token.
func Example() {
	org := idxtest.NewServer()
	defer org.Close()

	client, err := idx.NewClient(idx.Config{
		Issuer:      org.Issuer(),
		ClientID:    idxtest.PublicClientID,
		RedirectURI: idxtest.DefaultRedirectURI,
		Scopes:      []string{"openid", "profile", "email", "offline_access"},
	}, idx.WithInsecureLoopbackHTTP()) // the fake org speaks plain http on loopback
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	tx, err := client.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.Status, tx.NextStep.Name, tx.NextStep.Options)

	tx, err = client.Authenticate(ctx, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.Status, tx.NextStep.Name, tx.NextStep.Inputs[0].Name, tx.NextStep.CanResend)

	outbox := org.Outbox() // what the user reads in the email
	code := outbox[len(outbox)-1].Code
	tx, err = client.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: code})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.Status, tx.Tokens.AccessToken, tx.Tokens.IDTokenClaims.Issuer == org.Issuer())

	tokens, err := client.Refresh(ctx, tx.Tokens)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("refreshed:", tokens.AccessToken != tx.Tokens.AccessToken)

	profile, err := client.UserInfo(ctx, tokens)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(profile.Name, profile.Email)
	// Output:
	// PENDING select-authenticator-authenticate [{Email okta_email}]
	// PENDING challenge-authenticator verificationCode true
	// SUCCESS [REDACTED] true
	// refreshed: true
	// Demo User demo@example.com
}
