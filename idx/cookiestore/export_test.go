package cookiestore

import "github.com/go-jose/go-jose/v4"

// SealPlaintext seals plaintext as the store would seal a transaction,
// with opts' headers, for tests of what Load accepts.
func SealPlaintext(s *Store, kid string, plaintext []byte, opts *jose.EncrypterOptions) (string, error) {
	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.DIRECT, Key: s.keys[kid], KeyID: kid}, opts)
	if err != nil {
		return "", err
	}
	obj, err := enc.Encrypt(plaintext)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}
