package filestore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/goidx/goidx/idx"
)

// KeySize is the size in bytes of the key [New] takes.
const KeySize = 32

// maxFileSize bounds what Load reads: tokens are a few KiB.
const maxFileSize = 1 << 20

// The first byte of every file names its format: AES-256-GCM over the
// tokens as JSON, with the format and the State as additional data.
const (
	// format holds the tokens as idx.MarshalTokens encodes them.
	format byte = 2
	// formatV1 holds them as releases before idx.MarshalTokens wrote them
	// (see decodeV1); Load still reads it, Save writes format.
	formatV1 byte = 1
)

// ErrTampered reports a file that does not open with the store's key for
// the State asked for: changed, truncated, written with another key, or
// copied from another State's file.
var ErrTampered = errors.New("filestore: token file does not authenticate")

// ErrNotRegular reports a token file's path that holds something other
// than a regular file: a FIFO, a device, a socket, a directory (also
// through a symbolic link). Load refuses it without reading, and without
// waiting for a writer.
var ErrNotRegular = errors.New("filestore: token file is not a regular file")

// Store is an [idx.TokenStore] of encrypted files in one directory. It is
// safe for concurrent use, also by several processes sharing the
// directory.
type Store struct {
	dir  string
	aead cipher.AEAD
}

// Option configures a Store. There are none yet; the parameter keeps New's
// signature stable.
type Option func(*Store)

// New returns a Store keeping files in dir, sealed under key, which must be
// [KeySize] (32) random bytes. dir is created with mode 0700 when missing;
// the group's and others' permissions are removed from an existing dir.
func New(dir string, key []byte, opts ...Option) (*Store, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("filestore: the key must be %d bytes, not %d", KeySize, len(key))
	}
	if dir == "" {
		return nil, errors.New("filestore: empty directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("filestore: creating the directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	if !fi.IsDir() {
		return nil, errors.New("filestore: not a directory")
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, fi.Mode().Perm()&0o700); err != nil {
			return nil, fmt.Errorf("filestore: restricting the directory to its owner: %w", pathless(err))
		}
	}
	encKey, err := hkdf.Key(sha256.New, key, nil, "goidx filestore v1 encryption", 32)
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	s := &Store{dir: dir, aead: aead}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s, nil
}

// path returns the file of state: its SHA-256 hash, so that the name
// reveals nothing of a State (which is random and unguessable) and does
// not depend on the key (a store with the wrong key finds the file and
// fails to open it, rather than finding nothing).
func (s *Store) path(state string) string {
	sum := sha256.Sum256(append([]byte("goidx filestore v1 name\x00"), state...))
	return filepath.Join(s.dir, hex.EncodeToString(sum[:])+".tok")
}

// aad binds a file to its format and its State.
func aad(f byte, state string) []byte {
	return append([]byte("goidx filestore v"+strconv.Itoa(int(f))+"\x00"), state...)
}

// decodeV1 reads the plaintext of a formatV1 file: the secrets as plain
// strings, the scopes as a list and the claims under their Go names.
func decodeV1(plain []byte) (*idx.Tokens, error) {
	var r struct {
		TokenType     string             `json:"token_type"`
		AccessToken   string             `json:"access_token"`
		IDToken       string             `json:"id_token"`
		RefreshToken  string             `json:"refresh_token"`
		Scopes        []string           `json:"scopes"`
		Expiry        time.Time          `json:"expiry"`
		IDTokenClaims *idx.IDTokenClaims `json:"id_token_claims"`
	}
	if err := json.Unmarshal(plain, &r); err != nil {
		return nil, err
	}
	return &idx.Tokens{
		TokenType:     r.TokenType,
		AccessToken:   idx.Secret(r.AccessToken),
		IDToken:       idx.Secret(r.IDToken),
		RefreshToken:  idx.Secret(r.RefreshToken),
		Scopes:        r.Scopes,
		Expiry:        r.Expiry,
		IDTokenClaims: r.IDTokenClaims,
	}, nil
}

// Save seals t and writes it under state, replacing what was there
// atomically.
func (s *Store) Save(ctx context.Context, state string, t *idx.Tokens) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if state == "" {
		return &idx.InputError{Field: "key", Reason: "empty"}
	}
	if t == nil {
		return &idx.InputError{Field: "tokens", Reason: "nil"}
	}
	plain, err := idx.MarshalTokens(t)
	if err != nil {
		return fmt.Errorf("filestore: %w", err)
	}
	out, err := s.seal(format, state, plain)
	clear(plain)
	if err != nil {
		return err
	}
	return s.writeAtomic(s.path(state), out)
}

// seal returns the file of format f holding plain for state.
func (s *Store) seal(f byte, state string, plain []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, errors.New("filestore: reading random bytes failed")
	}
	out := make([]byte, 0, 1+len(nonce)+len(plain)+s.aead.Overhead())
	out = append(out, f)
	out = append(out, nonce...)
	return s.aead.Seal(out, nonce, plain, aad(f, state)), nil
}

// writeAtomic writes b to a new file of mode 0600 and renames it to name.
func (s *Store) writeAtomic(name string, b []byte) (err error) {
	f, err := os.CreateTemp(s.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("filestore: creating a file: %w", pathless(err))
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("filestore: %w", pathless(err))
	}
	if _, err := f.Write(b); err != nil {
		return fmt.Errorf("filestore: writing: %w", pathless(err))
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("filestore: syncing: %w", pathless(err))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("filestore: closing: %w", pathless(err))
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("filestore: renaming: %w", pathless(err))
	}
	return nil
}

// Load opens the tokens saved under state. It fails with an error
// matching idx.ErrTokensNotFound when there are none, with [ErrTampered]
// when the file does not authenticate, and with [ErrNotRegular] when the
// path holds something other than a regular file.
func (s *Store) Load(ctx context.Context, state string) (*idx.Tokens, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if state == "" {
		return nil, idx.ErrTokensNotFound
	}
	b, err := readFile(ctx, s.path(state))
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, idx.ErrTokensNotFound
		case errors.Is(err, ErrNotRegular):
			return nil, err
		}
		return nil, fmt.Errorf("filestore: reading: %w", pathless(err))
	}
	ns := s.aead.NonceSize()
	if len(b) < 1+ns+s.aead.Overhead() || (b[0] != format && b[0] != formatV1) {
		return nil, ErrTampered
	}
	plain, err := s.aead.Open(nil, b[1:1+ns], b[1+ns:], aad(b[0], state))
	if err != nil {
		return nil, ErrTampered
	}
	defer clear(plain)
	decode := idx.UnmarshalTokens
	if b[0] == formatV1 {
		decode = decodeV1
	}
	t, err := decode(plain)
	if err != nil {
		return nil, ErrTampered
	}
	return t, nil
}

// readFile reads name, which must be a regular file (else
// [ErrNotRegular]), failing when it holds more than maxFileSize bytes. The
// open does not block (see readFlags), and ctx is checked once the file is
// open.
func readFile(ctx context.Context, name string) ([]byte, error) {
	f, err := os.OpenFile(name, readFlags, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileSize {
		return nil, errors.New("file too large")
	}
	return b, nil
}

// Delete removes the tokens saved under state; deleting nothing is not an
// error.
func (s *Store) Delete(ctx context.Context, state string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if state == "" {
		return nil
	}
	if err := os.Remove(s.path(state)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("filestore: deleting: %w", pathless(err))
	}
	return nil
}

// pathless drops the file name from a *fs.PathError: it is derived from a
// State.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", le.Op, le.Err)
	}
	return err
}

var _ idx.TokenStore = (*Store)(nil)

// String names the store's directory; the key is never printed.
func (s *Store) String() string {
	if s == nil {
		return "<nil>"
	}
	return fmt.Sprintf("filestore.Store{Dir: %q}", s.dir)
}

// Format prints [Store.String] for every verb, so that %v, %+v and %#v
// cannot show the key.
func (s *Store) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }
