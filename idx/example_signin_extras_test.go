package idx_test

import (
	"context"
	"fmt"
	"log"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// After authentication an org may ask for profile attributes the user
// lacks (profile-update), then whether to keep the user signed in
// (keep-me-signed-in). Both are answered by plain options: Profile as at
// registration, KeepMeSignedIn yes or no. An optional profile update
// could be skipped instead (NextStep.CanSkip, Client.Skip).
func ExampleOptions_keepMeSignedIn() {
	ctx := context.Background()
	org := idxtest.NewServer(idxtest.WithPolicy(idxtest.Policy{
		Factors:        1,
		KeepMeSignedIn: true,
		ProfileUpdate:  []idxtest.ProfileAttribute{{Name: "nickname", Label: "Nickname", Required: true}},
	}))
	defer org.Close()
	client, err := idx.NewClient(idx.Config{Issuer: org.Issuer(), ClientID: idxtest.PublicClientID, RedirectURI: idxtest.DefaultRedirectURI},
		idx.WithInsecureLoopbackHTTP())
	if err != nil {
		log.Fatal(err)
	}

	tx, err := client.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.NextStep.Name, tx.NextStep.Inputs[0].Name, tx.NextStep.CanSkip)

	tx, err = client.Authenticate(ctx, idx.Options{State: tx.State, Profile: map[string]any{"nickname": "Demo"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.NextStep.Name, tx.NextStep.Inputs[0].Name)

	yes := true
	tx, err = client.Authenticate(ctx, idx.Options{State: tx.State, KeepMeSignedIn: &yes})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.Status)
	// Output:
	// profile-update nickname false
	// keep-me-signed-in keepMeSignedIn
	// SUCCESS
}
