package cookiestore

import (
	"bytes"
	"compress/flate"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/goidx/goidx/idx"
)

const (
	// formatDeflate marks a plaintext as a DEFLATE stream of
	// uvarint(len(meta)) || meta (JSON) || Response.
	formatDeflate byte = 1
	// jweType is the "typ" header of the cookies.
	jweType = "goidx-tx"
	// maxPlaintext caps the inflated payload: Save drops the Response
	// above it, and Load refuses to inflate beyond it.
	maxPlaintext = 256 << 10
	// maxSealed caps the cookie value Load looks at.
	maxSealed = 2 * MaxCookieSize
)

// meta is the sealed form of a SavedTransaction without its Response, with
// short names: every byte counts in a cookie.
type meta struct {
	State             string        `json:"s"`
	InteractionHandle string        `json:"ih,omitempty"`
	CodeVerifier      string        `json:"cv,omitempty"`
	OAuthState        string        `json:"os,omitempty"`
	Nonce             string        `json:"n,omitempty"`
	Scopes            []string      `json:"sc,omitempty"`
	ACRValues         []string      `json:"acr,omitempty"`
	MaxAge            time.Duration `json:"ma,omitempty"`
	Prompt            string        `json:"p,omitempty"`
	StartedAt         time.Time     `json:"sa,omitzero"`
	ExpiresAt         time.Time     `json:"e"`
	UpdatedAt         time.Time     `json:"u,omitzero"`
	Version           int64         `json:"v"`
}

// seal returns the cookie value holding t.
func (s *Store) seal(t *idx.SavedTransaction) (string, error) {
	m, err := json.Marshal(meta{
		State: t.State, InteractionHandle: t.InteractionHandle, CodeVerifier: t.CodeVerifier,
		OAuthState: t.OAuthState, Nonce: t.Nonce, Scopes: t.Scopes,
		ACRValues: t.ACRValues, MaxAge: t.MaxAge, Prompt: t.Prompt, StartedAt: t.StartedAt,
		ExpiresAt: t.ExpiresAt, UpdatedAt: t.UpdatedAt, Version: t.Version,
	})
	if err != nil {
		return "", fmt.Errorf("cookiestore: encoding transaction: %w", err)
	}
	resp := t.Response
	if binary.MaxVarintLen64+len(m)+len(resp) > maxPlaintext {
		resp = nil
	}
	var buf bytes.Buffer
	buf.WriteByte(formatDeflate)
	zw, _ := s.writers.Get().(*flate.Writer)
	if zw == nil {
		// BestCompression is a valid level: no error.
		zw, _ = flate.NewWriter(&buf, flate.BestCompression)
	} else {
		zw.Reset(&buf)
	}
	// Writes to a bytes.Buffer through flate do not fail.
	_, _ = zw.Write(binary.AppendUvarint(nil, uint64(len(m))))
	_, _ = zw.Write(m)
	_, _ = zw.Write(resp)
	err = zw.Close()
	s.writers.Put(zw)
	if err != nil {
		return "", fmt.Errorf("cookiestore: compressing: %w", err)
	}

	enc, err := jose.NewEncrypter(jose.A256GCM,
		jose.Recipient{Algorithm: jose.DIRECT, Key: s.keys[s.current], KeyID: s.current},
		(&jose.EncrypterOptions{}).WithType(jweType))
	if err != nil {
		return "", fmt.Errorf("cookiestore: %w", err)
	}
	obj, err := enc.Encrypt(buf.Bytes())
	if err != nil {
		return "", fmt.Errorf("cookiestore: sealing: %w", err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("cookiestore: sealing: %w", err)
	}
	return out, nil
}

// open returns the transaction sealed in value. Before any decryption it
// checks that value is a compact JWE whose protected header is exactly
// alg "dir", enc "A256GCM", typ and a kid this store knows; a "zip" or
// any other header is refused.
func (s *Store) open(value string) (*idx.SavedTransaction, error) {
	if value == "" || len(value) > maxSealed {
		return nil, ErrTampered
	}
	parts := strings.Split(value, ".")
	if len(parts) != 5 || parts[1] != "" {
		return nil, ErrTampered
	}
	rawHeader, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, ErrTampered
	}
	var header map[string]any
	if err := json.Unmarshal(rawHeader, &header); err != nil || len(header) != 4 ||
		header["alg"] != string(jose.DIRECT) || header["enc"] != string(jose.A256GCM) || header["typ"] != jweType {
		return nil, ErrTampered
	}
	kid, ok := header["kid"].(string)
	if !ok {
		return nil, ErrTampered
	}
	key, ok := s.keys[kid]
	if !ok {
		return nil, ErrUnknownKey
	}
	obj, err := jose.ParseEncryptedCompact(value, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return nil, ErrTampered
	}
	plain, err := obj.Decrypt(key)
	if err != nil {
		return nil, ErrTampered
	}
	t, err := s.decode(plain)
	if err != nil {
		return nil, ErrTampered
	}
	return t, nil
}

// decode inflates and decodes a plaintext of seal, inflating no more than
// maxPlaintext bytes.
func (s *Store) decode(plain []byte) (*idx.SavedTransaction, error) {
	if len(plain) == 0 || plain[0] != formatDeflate {
		return nil, ErrTampered
	}
	src := bytes.NewReader(plain[1:])
	zr, _ := s.readers.Get().(io.ReadCloser)
	if zr == nil {
		zr = flate.NewReader(src)
	} else if err := zr.(flate.Resetter).Reset(src, nil); err != nil {
		return nil, ErrTampered
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxPlaintext+1))
	s.readers.Put(zr)
	if err != nil || len(data) > maxPlaintext {
		return nil, ErrTampered
	}
	n, k := binary.Uvarint(data)
	if k <= 0 || n > uint64(len(data)-k) {
		return nil, ErrTampered
	}
	var m meta
	if err := json.Unmarshal(data[k:k+int(n)], &m); err != nil || m.State == "" {
		return nil, ErrTampered
	}
	t := &idx.SavedTransaction{
		State: m.State, InteractionHandle: m.InteractionHandle, CodeVerifier: m.CodeVerifier,
		OAuthState: m.OAuthState, Nonce: m.Nonce, Scopes: m.Scopes,
		ACRValues: m.ACRValues, MaxAge: m.MaxAge, Prompt: m.Prompt, StartedAt: m.StartedAt,
		ExpiresAt: m.ExpiresAt, UpdatedAt: m.UpdatedAt, Version: m.Version,
	}
	if resp := data[k+int(n):]; len(resp) > 0 {
		t.Response = resp
	}
	return t, nil
}

// sameState compares States in constant time.
func sameState(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
