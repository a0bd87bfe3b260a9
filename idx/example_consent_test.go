package idx_test

import (
	"context"
	"fmt"
	"log"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// A consent step shows the scopes the app asks for; the user grants the
// optional ones one by one.
func ExampleConsent() {
	org := idxtest.NewServer(idxtest.WithPolicy(idxtest.Policy{Factors: 1, Consent: idxtest.ConsentGranular}))
	defer org.Close()
	client, err := idx.NewClient(idx.Config{
		Issuer:      org.Issuer(),
		ClientID:    idxtest.PublicClientID,
		RedirectURI: idxtest.DefaultRedirectURI,
		Scopes:      []string{"openid", "profile", "email", "phone"},
	}, idx.WithInsecureLoopbackHTTP())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	tx, err := client.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.NextStep.Name)
	for _, s := range tx.NextStep.Consent.Scopes {
		fmt.Printf("%s optional=%t %q\n", s.Name, s.Optional, s.Label)
	}

	// The user keeps the email and leaves the phone out.
	tx, err = client.Authenticate(ctx, idx.Options{State: tx.State, ConsentScopes: []string{"email"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.Status, tx.Tokens.Scopes)
	// Output:
	// granular-consent
	// openid optional=false ""
	// profile optional=false "View your profile information."
	// email optional=true "View your email address."
	// phone optional=true "View your phone number."
	// SUCCESS [openid profile email]
}
