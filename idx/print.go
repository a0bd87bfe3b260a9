package idx

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// The types in this file hold secrets in fields fmt would print: the
// client secret or private key (Config, and Client through it), tokens
// (the memory stores, TokenSource). Each prints, logs and, for Config,
// marshals to JSON a summary without them.

// String describes the configuration without its ClientSecret and
// PrivateKey.
func (c Config) String() string {
	return fmt.Sprintf("idx.Config{Issuer: %q, ClientID: %q, ClientAuth: %s, ClientSecret: %s, PrivateKey: %s, RedirectURI: %q, Scopes: %q}",
		c.Issuer, c.ClientID, c.authMethod(), redactedIfSet(c.ClientSecret != ""), redactedIfSet(c.PrivateKey != nil), c.RedirectURI, c.Scopes)
}

// Format prints [Config.String] for every verb, so %v, %+v and %#v
// cannot show the secret.
func (c Config) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue logs the configuration without its secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("issuer", c.Issuer), slog.String("client_id", c.ClientID),
		slog.String("client_auth", c.authMethod()))
}

// MarshalJSON encodes the configuration with ClientSecret and PrivateKey
// replaced by "[redacted]" when set: a Config marshalled for a log or a
// debug page shows no secret. (Config is not meant to be stored as JSON.)
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Issuer       string   `json:"issuer"`
		ClientID     string   `json:"client_id"`
		ClientAuth   string   `json:"client_auth"`
		ClientSecret string   `json:"client_secret,omitempty"`
		PrivateKey   string   `json:"private_key,omitempty"`
		PrivateKeyID string   `json:"private_key_id,omitempty"`
		RedirectURI  string   `json:"redirect_uri"`
		Scopes       []string `json:"scopes,omitempty"`
	}{
		Issuer: c.Issuer, ClientID: c.ClientID, ClientAuth: c.authMethod(),
		ClientSecret: redactedOrEmpty(c.ClientSecret != ""), PrivateKey: redactedOrEmpty(c.PrivateKey != nil),
		PrivateKeyID: c.PrivateKeyID, RedirectURI: c.RedirectURI, Scopes: c.Scopes,
	})
}

func redactedIfSet(set bool) string {
	if set {
		return "[redacted]"
	}
	return `""`
}

func redactedOrEmpty(set bool) string {
	if set {
		return "[redacted]"
	}
	return ""
}

// String names the client's org and app.
func (c *Client) String() string {
	if c == nil {
		return "<nil>"
	}
	return fmt.Sprintf("idx.Client{Issuer: %q, ClientID: %q}", c.cfg.Issuer, c.cfg.ClientID)
}

// Format prints [Client.String] for every verb.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue logs the client's org and app.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("issuer", c.cfg.Issuer), slog.String("client_id", c.cfg.ClientID))
}

// String describes the source without its state or tokens.
func (s *TokenSource) String() string {
	if s == nil {
		return "<nil>"
	}
	return "idx.TokenSource{" + s.c.String() + "}"
}

// Format prints [TokenSource.String] for every verb.
func (s *TokenSource) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// LogValue logs the source without its state or tokens.
func (s *TokenSource) LogValue() slog.Value { return slog.StringValue(s.String()) }

// String describes the store without its contents.
func (s *MemoryTokenStore) String() string { return "idx.MemoryTokenStore{...}" }

// Format prints [MemoryTokenStore.String] for every verb.
func (s *MemoryTokenStore) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// LogValue logs the store without its contents.
func (s *MemoryTokenStore) LogValue() slog.Value { return slog.StringValue(s.String()) }

// String describes the store without its contents.
func (s *MemoryTransactionStore) String() string { return "idx.MemoryTransactionStore{...}" }

// Format prints [MemoryTransactionStore.String] for every verb.
func (s *MemoryTransactionStore) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// LogValue logs the store without its contents.
func (s *MemoryTransactionStore) LogValue() slog.Value { return slog.StringValue(s.String()) }
