package idx_test

import (
	"context"
	"fmt"
	"log"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// A sign-in on an org with bot protection: identify asks for a captcha.
// The page renders the service's widget with the site key (for hCaptcha,
// <div class="h-captcha" data-sitekey="...">, and its script), and the
// token the widget puts in the form (h-captcha-response) answers the
// step with the username and password.
func ExampleCaptcha() {
	ctx := context.Background()
	org := idxtest.NewServer(idxtest.WithPolicy(idxtest.Policy{Factors: 1, Captcha: &idxtest.Captcha{Type: idxtest.CaptchaHCaptcha}}))
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
	if c := tx.NextStep.Captcha; c != nil {
		fmt.Println(tx.NextStep.Name, c.Type, c.SiteKey)
	}

	token := idxtest.CaptchaTestToken // the page's h-captcha-response
	tx, err = client.Authenticate(ctx, idx.Options{State: tx.State,
		Username: idxtest.DemoUsername, Password: idxtest.DemoPassword, CaptchaToken: token})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.Status)
	// Output:
	// identify HCAPTCHA 10000000-ffff-ffff-ffff-000000000001
	// SUCCESS
}
