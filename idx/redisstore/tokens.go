package redisstore

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/goidx/goidx/idx"
)

// TokenStore is an [idx.TokenStore] in Redis, made by [Store.TokenStore].
// It is safe for concurrent use.
type TokenStore struct {
	s *Store
}

// TokenStore returns the token store sharing s's client and options.
func (s *Store) TokenStore() *TokenStore { return &TokenStore{s: s} }

// formatTokens marks a token value: one byte, then storedTokens as JSON.
// Values of formatJSON (camelCase members, written by earlier releases)
// are refused as not found.
const formatTokens byte = 2

// storedTokens is a token value: the tokens as idx.MarshalTokens encodes
// them, bound to the key they were saved under.
type storedTokens struct {
	// For is the SHA-256 of the key the tokens were saved under (see
	// keyHash): Load refuses them under another key.
	For    string          `json:"for"`
	Tokens json.RawMessage `json:"tokens"`
}

func (ts *TokenStore) key(key string) string { return hashKey(ts.s.opts.tokenPrefix, key) }

// Save stores t under key, replacing what was there. The tokens expire
// with the access token, or after the token retention when there is a
// refresh token or no expiry; tokens already expired are not stored.
func (ts *TokenStore) Save(ctx context.Context, key string, t *idx.Tokens) error {
	if key == "" || t == nil {
		return &idx.InputError{Field: "key", Reason: "empty"}
	}
	now := ts.s.opts.now()
	dropAt := t.Expiry
	if t.RefreshToken != "" || dropAt.IsZero() {
		dropAt = now.Add(ts.s.opts.retention)
	}
	if !now.Before(dropAt) {
		if err := ts.s.rdb.Del(ctx, ts.key(key)).Err(); err != nil {
			return fmt.Errorf("redisstore: deleting expired tokens: %w", err)
		}
		return nil
	}
	tok, err := idx.MarshalTokens(t)
	if err != nil {
		return fmt.Errorf("redisstore: %w", err)
	}
	data, err := json.Marshal(&storedTokens{For: keyHash(key), Tokens: tok})
	if err != nil {
		return fmt.Errorf("redisstore: encoding tokens: %w", err)
	}
	value := append([]byte{formatTokens}, data...)
	if err := ts.s.rdb.SetArgs(ctx, ts.key(key), value, redis.SetArgs{ExpireAt: dropAt}).Err(); err != nil {
		return fmt.Errorf("redisstore: saving tokens: %w", err)
	}
	return nil
}

// Load returns the tokens saved under key, or an error matching
// idx.ErrTokensNotFound. Tokens saved under another key and copied under
// this one are refused with [ErrWrongKey], which matches
// idx.ErrTokensNotFound too. Tokens saved by releases before
// idx.MarshalTokens are not read: the error matches [ErrFormat] and
// idx.ErrTokensNotFound, so the user signs in again.
func (ts *TokenStore) Load(ctx context.Context, key string) (*idx.Tokens, error) {
	if key == "" {
		return nil, fmt.Errorf("redisstore: %w", idx.ErrTokensNotFound)
	}
	d, err := ts.s.rdb.Get(ctx, ts.key(key)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("redisstore: %w", idx.ErrTokensNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: loading tokens: %w", err)
	}
	if len(d) > 0 && d[0] == formatJSON {
		return nil, fmt.Errorf("%w (tokens of an earlier release): %w", ErrFormat, idx.ErrTokensNotFound)
	}
	if len(d) == 0 || d[0] != formatTokens {
		return nil, ErrFormat
	}
	var st storedTokens
	if err := json.Unmarshal([]byte(d[1:]), &st); err != nil {
		return nil, fmt.Errorf("%w (undecodable tokens)", ErrFormat)
	}
	if subtle.ConstantTimeCompare([]byte(st.For), []byte(keyHash(key))) != 1 {
		return nil, fmt.Errorf("%w: %w", ErrWrongKey, idx.ErrTokensNotFound)
	}
	t, err := idx.UnmarshalTokens(st.Tokens)
	if err != nil {
		return nil, fmt.Errorf("%w (undecodable tokens)", ErrFormat)
	}
	return t, nil
}

// Delete removes the tokens saved under key, if any.
func (ts *TokenStore) Delete(ctx context.Context, key string) error {
	if key == "" {
		return nil
	}
	if err := ts.s.rdb.Del(ctx, ts.key(key)).Err(); err != nil {
		return fmt.Errorf("redisstore: deleting tokens: %w", err)
	}
	return nil
}
