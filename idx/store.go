package idx

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// SavedTransaction is what a [TransactionStore] keeps of an in-flight
// transaction between calls. Several members are secrets: stores must keep
// them where only the app can read them. Printing or logging a
// SavedTransaction shows none of them.
type SavedTransaction struct {
	// State is the key the caller holds (Transaction.State).
	State string `json:"state"`
	// InteractionHandle is the handle /v1/interact returned.
	InteractionHandle string `json:"interactionHandle"`
	// CodeVerifier is the PKCE verifier of the transaction (S256).
	CodeVerifier string `json:"codeVerifier"`
	// OAuthState and Nonce were sent to /v1/interact; the nonce must come
	// back in the ID token.
	OAuthState string `json:"oauthState"`
	Nonce      string `json:"nonce"`
	// Scopes are the scopes asked for.
	Scopes []string `json:"scopes"`
	// ACRValues, MaxAge and Prompt are the step-up options the transaction
	// started with, and StartedAt when it started: the ID token's acr and
	// auth_time are checked against them. A store that drops them drops
	// those checks.
	ACRValues []string      `json:"acrValues,omitempty"`
	MaxAge    time.Duration `json:"maxAge,omitempty"`
	Prompt    string        `json:"prompt,omitempty"`
	StartedAt time.Time     `json:"startedAt,omitzero"`
	// Response is the last IDX response of the transaction, raw, so the
	// next call needs no introspect while it is fresh. A store may drop it
	// (to fit a size budget, say): the next call then introspects with the
	// interaction handle, one extra request.
	Response []byte `json:"response"`
	// ExpiresAt is when the server forgets the transaction.
	ExpiresAt time.Time `json:"expiresAt"`
	// UpdatedAt is when the transaction was last saved.
	UpdatedAt time.Time `json:"updatedAt"`
	// Version counts the saves of the transaction: 0 for one never saved.
	// Stores use it for compare-and-set (see [TransactionStore]).
	Version int64 `json:"version"`
}

// clone returns a deep copy.
func (s *SavedTransaction) clone() *SavedTransaction {
	c := *s
	c.Scopes = slices.Clone(s.Scopes)
	c.ACRValues = slices.Clone(s.ACRValues)
	c.Response = slices.Clone(s.Response)
	return &c
}

// Format prints no secrets, whatever the verb.
func (s *SavedTransaction) Format(f fmt.State, _ rune) {
	if s == nil {
		fmt.Fprint(f, "<nil>")
		return
	}
	fmt.Fprintf(f, "idx.SavedTransaction{ExpiresAt: %s, UpdatedAt: %s}", s.ExpiresAt.Format(time.RFC3339), s.UpdatedAt.Format(time.RFC3339))
}

// LogValue logs no secrets.
func (s *SavedTransaction) LogValue() slog.Value {
	if s == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.Time("expiresAt", s.ExpiresAt))
}

// TransactionStore keeps in-flight transactions between calls, keyed by
// State. Implementations must be safe for concurrent use, also across
// processes when several app instances share the store.
//
// Save is a compare-and-set on Version: it stores t only when the stored
// transaction under t.State has the Version t has (no stored transaction
// counts as Version 0), stores it with Version+1 and sets t.Version to
// that; otherwise it stores nothing and returns an error matching
// [ErrTransactionConflict]. So of two requests that loaded the same
// version (a double-submitted form), the second to save learns that it
// lost instead of overwriting the first.
//
// Load returns an error matching [ErrTransactionNotFound] for an unknown
// State, and may return one matching [ErrTransactionExpired] for a State
// whose ExpiresAt has passed (a store may also drop such transactions and
// report them not found). What a store holds under a State but cannot
// vouch for as that State's transaction (changed behind the store's back,
// sealed with a key it does not have, or copied from another State's
// entry) is reported the same way, with an error matching
// [ErrTransactionNotFound] (and, to tell it apart, any error of the store's
// own, such as cookiestore.ErrTampered): Load never returns another
// State's transaction, and an app treats such a transaction as gone and
// starts again, as after an expiry. Delete of an unknown State is not an
// error. Package storetest checks all of this.
type TransactionStore interface {
	Save(ctx context.Context, t *SavedTransaction) error
	Load(ctx context.Context, state string) (*SavedTransaction, error)
	Delete(ctx context.Context, state string) error
}

// MemoryTransactionStore is a TransactionStore in process memory: the
// default. It suits one process; several app instances need a shared store.
type MemoryTransactionStore struct {
	now func() time.Time
	ttl time.Duration

	mu      sync.Mutex
	entries map[string]*SavedTransaction
	saves   int
}

// NewMemoryTransactionStore returns an empty store. Entries expire at their
// ExpiresAt, or ttl after saving when that is zero (ttl <= 0 means one
// hour). now may be nil for time.Now.
func NewMemoryTransactionStore(ttl time.Duration, now func() time.Time) *MemoryTransactionStore {
	if ttl <= 0 {
		ttl = time.Hour
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryTransactionStore{now: now, ttl: ttl, entries: map[string]*SavedTransaction{}}
}

// Save stores a copy of t under t.State if the stored version is t.Version
// (see [TransactionStore]).
func (m *MemoryTransactionStore) Save(ctx context.Context, t *SavedTransaction) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if t == nil || t.State == "" {
		return &InputError{Field: "SavedTransaction.State", Reason: "empty"}
	}
	c := t.clone()
	if c.ExpiresAt.IsZero() {
		c.ExpiresAt = m.now().Add(m.ttl)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var stored int64
	if e, ok := m.entries[c.State]; ok && m.now().Before(e.ExpiresAt) {
		stored = e.Version
	}
	if stored != t.Version {
		return ErrTransactionConflict
	}
	c.Version = t.Version + 1
	m.entries[c.State] = c
	t.Version = c.Version
	m.saves++
	if m.saves%256 == 0 {
		m.sweepLocked()
	}
	return nil
}

// Load returns a copy of the transaction saved under state.
func (m *MemoryTransactionStore) Load(ctx context.Context, state string) (*SavedTransaction, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[state]
	if !ok {
		return nil, ErrTransactionNotFound
	}
	if !m.now().Before(e.ExpiresAt) {
		delete(m.entries, state)
		return nil, ErrTransactionExpired
	}
	return e.clone(), nil
}

// Delete removes the transaction saved under state.
func (m *MemoryTransactionStore) Delete(ctx context.Context, state string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, state)
	return nil
}

// Len returns the number of unexpired transactions held.
func (m *MemoryTransactionStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweepLocked()
	return len(m.entries)
}

func (m *MemoryTransactionStore) sweepLocked() {
	now := m.now()
	for k, e := range m.entries {
		if !now.Before(e.ExpiresAt) {
			delete(m.entries, k)
		}
	}
}

// TokenStore keeps tokens after sign-in. Implementations must be safe for
// concurrent use; Load returns an error matching [ErrTokensNotFound] for an
// unknown key.
type TokenStore interface {
	Save(ctx context.Context, key string, t *Tokens) error
	Load(ctx context.Context, key string) (*Tokens, error)
	Delete(ctx context.Context, key string) error
}

// MemoryTokenStore is a TokenStore in process memory: the default. Tokens
// are dropped when the access token expires, or, when there is a refresh
// token, after the retention given to NewMemoryTokenStore.
type MemoryTokenStore struct {
	now       func() time.Time
	retention time.Duration

	mu      sync.Mutex
	entries map[string]tokenEntry
	saves   int
}

type tokenEntry struct {
	t      Tokens
	dropAt time.Time
}

// NewMemoryTokenStore returns an empty store. retention bounds how long
// tokens with a refresh token are kept (<= 0 means 24 hours). now may be
// nil for time.Now.
func NewMemoryTokenStore(retention time.Duration, now func() time.Time) *MemoryTokenStore {
	if retention <= 0 {
		retention = 24 * time.Hour
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryTokenStore{now: now, retention: retention, entries: map[string]tokenEntry{}}
}

// Save stores a copy of t under key.
func (m *MemoryTokenStore) Save(ctx context.Context, key string, t *Tokens) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" || t == nil {
		return &InputError{Field: "key", Reason: "empty"}
	}
	e := tokenEntry{t: cloneTokens(t), dropAt: t.Expiry}
	if t.RefreshToken != "" || e.dropAt.IsZero() {
		e.dropAt = m.now().Add(m.retention)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries[key] = e
	m.saves++
	if m.saves%256 == 0 {
		now := m.now()
		for k, v := range m.entries {
			if !now.Before(v.dropAt) {
				delete(m.entries, k)
			}
		}
	}
	return nil
}

// Load returns a copy of the tokens saved under key.
func (m *MemoryTokenStore) Load(ctx context.Context, key string) (*Tokens, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || !m.now().Before(e.dropAt) {
		delete(m.entries, key)
		return nil, ErrTokensNotFound
	}
	t := cloneTokens(&e.t)
	return &t, nil
}

// Delete removes the tokens saved under key.
func (m *MemoryTokenStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, key)
	return nil
}

// cloneTokens copies t deeply enough that neither copy can change the other.
func cloneTokens(t *Tokens) Tokens {
	c := *t
	c.Scopes = slices.Clone(t.Scopes)
	if t.IDTokenClaims != nil {
		claims := *t.IDTokenClaims
		claims.Audience = slices.Clone(t.IDTokenClaims.Audience)
		claims.Claims = maps.Clone(t.IDTokenClaims.Claims)
		c.IDTokenClaims = &claims
	}
	return c
}
