package idx_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/idxtest"
)

// exampleClock is a clock the example moves forward.
type exampleClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *exampleClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *exampleClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Keep a signed-in user's tokens fresh with a TokenSource: it refreshes
// them shortly before the access token expires and saves the new ones in
// the TokenStore. The org rotates the refresh token on every refresh.
func ExampleClient_TokenSource() {
	clk := &exampleClock{t: time.Now()}
	org := idxtest.NewServer(idxtest.WithClock(clk.Now))
	defer org.Close()
	client, err := idx.NewClient(idx.Config{
		Issuer:      org.Issuer(),
		ClientID:    idxtest.PublicClientID,
		RedirectURI: idxtest.DefaultRedirectURI,
		Scopes:      []string{"openid", "profile", "offline_access"}, // offline_access asks for a refresh token
	}, idx.WithInsecureLoopbackHTTP(), idx.WithClock(clk.Now))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	tx, err := client.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	if err == nil {
		tx, err = client.Authenticate(ctx, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
	}
	if err == nil {
		code, _ := org.LastCode(idxtest.DemoUsername)
		tx, err = client.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: code})
	}
	if err != nil {
		log.Fatal(err)
	}
	first := tx.Tokens

	ts := client.TokenSource(tx.State) // share one per user
	tok, err := ts.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("fresh:", tok.AccessToken == first.AccessToken)

	clk.Advance(time.Hour - 5*time.Second) // the access token is about to expire
	tok, err = ts.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("refreshed:", tok.AccessToken != first.AccessToken, tok.RefreshToken != first.RefreshToken)
	fmt.Println("same user:", tok.IDTokenClaims.Subject == first.IDTokenClaims.Subject)

	in, err := client.IntrospectToken(ctx, tok.AccessToken, "access_token")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("active:", in.Active, in.Username)
	// Output:
	// fresh: true
	// refreshed: true true
	// same user: true
	// active: true demo@example.com
}

// Call an API with the user's access token: TokenSource.Client is an
// *http.Client (from golang.org/x/oauth2) that sends the token as a Bearer
// token and refreshes it when it is about to expire; TokenSource.OAuth2
// hands the source to any library built on golang.org/x/oauth2. Here the
// API is the fake org's userinfo endpoint.
func ExampleTokenSource_Client() {
	org := idxtest.NewServer()
	defer org.Close()
	client, err := idx.NewClient(idx.Config{
		Issuer:      org.Issuer(),
		ClientID:    idxtest.PublicClientID,
		RedirectURI: idxtest.DefaultRedirectURI,
		Scopes:      []string{"openid", "email", "offline_access"},
	}, idx.WithInsecureLoopbackHTTP())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	tx, err := client.Authenticate(ctx, idx.Options{Username: idxtest.DemoUsername, Password: idxtest.DemoPassword})
	if err == nil {
		tx, err = client.Authenticate(ctx, idx.Options{State: tx.State, Authenticator: authenticator.OktaEmail})
	}
	if err == nil {
		code, _ := org.LastCode(idxtest.DemoUsername)
		tx, err = client.Authenticate(ctx, idx.Options{State: tx.State, VerificationCode: code})
	}
	if err != nil {
		log.Fatal(err)
	}

	api := client.TokenSource(tx.State).Client(ctx)
	resp, err := api.Get(org.Issuer() + "/v1/userinfo")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var claims struct {
		Email string `json:"email"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&claims); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status, claims.Email)
	// Output:
	// 200 OK demo@example.com
}
