package redisstore

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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

// storedTokens is the stored form of idx.Tokens: plain strings where
// idx.Tokens has idx.Secret, which would marshal redacted.
type storedTokens struct {
	// For is the SHA-256 of the key the tokens were saved under (see
	// keyHash): Load refuses them under another key.
	For          string        `json:"for"`
	TokenType    string        `json:"tokenType,omitempty"`
	AccessToken  string        `json:"accessToken,omitempty"`
	IDToken      string        `json:"idToken,omitempty"`
	RefreshToken string        `json:"refreshToken,omitempty"`
	Scopes       []string      `json:"scopes,omitempty"`
	Expiry       time.Time     `json:"expiry"`
	Claims       *storedClaims `json:"idTokenClaims,omitempty"`
}

type storedClaims struct {
	Issuer   string         `json:"issuer"`
	Subject  string         `json:"subject"`
	Audience []string       `json:"audience,omitempty"`
	Expiry   time.Time      `json:"expiry"`
	IssuedAt time.Time      `json:"issuedAt"`
	AuthTime time.Time      `json:"authTime"`
	Claims   map[string]any `json:"claims,omitempty"`
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
	st := storedTokens{
		For:          keyHash(key),
		TokenType:    t.TokenType,
		AccessToken:  t.AccessToken.Reveal(),
		IDToken:      t.IDToken.Reveal(),
		RefreshToken: t.RefreshToken.Reveal(),
		Scopes:       t.Scopes,
		Expiry:       t.Expiry,
	}
	if c := t.IDTokenClaims; c != nil {
		st.Claims = &storedClaims{
			Issuer: c.Issuer, Subject: c.Subject, Audience: c.Audience,
			Expiry: c.Expiry, IssuedAt: c.IssuedAt, AuthTime: c.AuthTime, Claims: c.Claims,
		}
	}
	data, err := json.Marshal(&st)
	if err != nil {
		return fmt.Errorf("redisstore: encoding tokens: %w", err)
	}
	value := append([]byte{formatJSON}, data...)
	if err := ts.s.rdb.SetArgs(ctx, ts.key(key), value, redis.SetArgs{ExpireAt: dropAt}).Err(); err != nil {
		return fmt.Errorf("redisstore: saving tokens: %w", err)
	}
	return nil
}

// Load returns the tokens saved under key, or an error matching
// idx.ErrTokensNotFound. Tokens saved under another key and copied under
// this one are refused with [ErrWrongKey], which matches
// idx.ErrTokensNotFound too.
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
	if len(d) == 0 || d[0] != formatJSON {
		return nil, ErrFormat
	}
	var st storedTokens
	if err := json.Unmarshal([]byte(d[1:]), &st); err != nil {
		return nil, fmt.Errorf("%w (undecodable tokens)", ErrFormat)
	}
	if subtle.ConstantTimeCompare([]byte(st.For), []byte(keyHash(key))) != 1 {
		return nil, fmt.Errorf("%w: %w", ErrWrongKey, idx.ErrTokensNotFound)
	}
	t := &idx.Tokens{
		TokenType:    st.TokenType,
		AccessToken:  idx.Secret(st.AccessToken),
		IDToken:      idx.Secret(st.IDToken),
		RefreshToken: idx.Secret(st.RefreshToken),
		Scopes:       st.Scopes,
		Expiry:       st.Expiry,
	}
	if c := st.Claims; c != nil {
		t.IDTokenClaims = &idx.IDTokenClaims{
			Issuer: c.Issuer, Subject: c.Subject, Audience: c.Audience,
			Expiry: c.Expiry, IssuedAt: c.IssuedAt, AuthTime: c.AuthTime, Claims: c.Claims,
		}
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
