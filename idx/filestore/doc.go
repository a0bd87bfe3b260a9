// Package filestore is an [idx.TokenStore] that keeps each signed-in
// user's tokens in a file of its own, encrypted, so tokens survive a
// restart of a single-instance app without a database.
//
//	key := ... // 32 random bytes, kept out of the directory (a secret manager, an env var)
//	store, err := filestore.New("/var/lib/myapp/tokens", key)
//	client, err := idx.NewClient(cfg, idx.WithTokenStore(store))
//
// # On disk
//
// The directory is created with mode 0700 if it does not exist; New
// removes the group's and others' permissions from an existing one. Each State
// has one file of mode 0600 named by the SHA-256 hash of the State, so a
// directory listing reveals no State (States are random and unguessable).
// The file holds a format byte, a random 96-bit nonce and the tokens, as
// [idx.MarshalTokens] encodes them, sealed with AES-256-GCM, with the
// format and the State as additional authenticated data (files written
// before that encoding still open): a file copied over another State's file fails to
// open (an error matching [ErrTampered]), as does a file changed in any
// way or read with another key. The encryption key is derived from the
// key given to [New] with HKDF-SHA-256. Load opens a file without waiting
// (a FIFO put in its place does not block it) and reads only regular
// files: anything else at the path fails with [ErrNotRegular].
//
// Save writes a temporary file in the same directory, syncs it and renames
// it over the old file, so a reader sees the old tokens or the new ones,
// never a mix, even across processes sharing the directory; of two
// concurrent Saves for one State the last rename wins. Delete removes the
// file.
//
// The store does not expire tokens on its own: delete them at sign-out
// ([idx.Client.Revoke] does).
package filestore
