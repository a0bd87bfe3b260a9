package filestore_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/goidx/goidx/idx"
	"github.com/goidx/goidx/idx/filestore"
)

func Example() {
	// The key comes from a secret manager in a real app; it must not be
	// kept in the token directory.
	key := make([]byte, filestore.KeySize)
	if _, err := rand.Read(key); err != nil {
		log.Fatal(err)
	}
	tmp, err := os.MkdirTemp("", "goidx-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)

	store, err := filestore.New(filepath.Join(tmp, "tokens"), key)
	if err != nil {
		log.Fatal(err)
	}
	// Pass it to the client: idx.NewClient(cfg, idx.WithTokenStore(store)).
	ctx := context.Background()
	if err := store.Save(ctx, "state-1", &idx.Tokens{TokenType: "Bearer", AccessToken: "access-token"}); err != nil {
		log.Fatal(err)
	}
	tok, err := store.Load(ctx, "state-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.TokenType, tok.AccessToken, tok.AccessToken.Reveal())

	_ = store.Delete(ctx, "state-1")
	_, err = store.Load(ctx, "state-1")
	fmt.Println(err)
	// Output:
	// Bearer [REDACTED] access-token
	// idx: tokens not found
}
