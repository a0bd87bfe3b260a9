package idx_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// A device that does not meet the org's device assurance policy during
// its grace period: the app shows what to change, with the links, and
// the user goes on with Skip.
func ExampleClient_Skip_deviceAssurance() {
	org := idxtest.NewServer(idxtest.WithPolicy(idxtest.Policy{
		Factors: 1,
		DeviceAssurance: &idxtest.DeviceAssurance{
			GracePeriodEnd: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
			Options: [][]idxtest.DeviceChange{{
				{Rule: "android.upgrade_os_version", Params: []string{"15"}},
				{Rule: "android.use_biometric_lock_screen"},
			}},
		},
	}))
	defer org.Close()
	client, err := idx.NewClient(idx.Config{
		Issuer:      org.Issuer(),
		ClientID:    idxtest.PublicClientID,
		RedirectURI: idxtest.DefaultRedirectURI,
	}, idx.WithInsecureLoopbackHTTP())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	tx, err := client.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	if err != nil {
		log.Fatal(err)
	}
	da := tx.NextStep.DeviceAssurance
	fmt.Println(tx.NextStep.Name, tx.NextStep.CanSkip, da.GracePeriodEnds.Format(time.DateOnly))
	for _, o := range da.Options {
		for _, c := range o.Changes {
			fmt.Println("-", c.Text, c.Links[0].URL)
		}
	}
	fmt.Println("help:", da.Help.Links[0].URL)

	tx, err = client.Skip(ctx, tx.State)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.Status)
	// Output:
	// device-assurance-grace-period true 2099-01-01
	// - Update to Android 15 https://okta.com/android-upgrade-os
	// - Enable lock screen and biometrics https://okta.com/android-biometric-lock
	// help: https://okta.com/help
	// SUCCESS
}
