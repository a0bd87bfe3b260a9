package idx

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The types in this file hold secrets in fields fmt would print: the
// client secret or private key (Config, and Client through it), tokens
// (the memory stores, TokenSource), the user's answers and the
// transaction's handles (Options, StartOptions). Each prints, logs and,
// for Config, marshals to JSON a summary without them.

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

// String lists the options that are set, by field name. Those holding a
// secret or what may be one (State, Password, NewPassword,
// ConfirmPassword, VerificationCode, NextVerificationCode, CaptchaToken,
// DuoSignature, Answer, Question, WebAuthn, UserCode) show as
// "[redacted]", so that a reader still sees which are set; Profile and
// Values show their names with each value "[redacted]". The others, the
// user's name, address and number and the choices of authenticator,
// method, channel, step and consent, show as they are.
func (o Options) String() string { return o.fields().String("idx.Options") }

// Format prints [Options.String] for every verb, so %v, %+v, %#v, %s and
// %q cannot show a secret.
func (o Options) Format(f fmt.State, _ rune) { fmt.Fprint(f, o.String()) }

// LogValue logs the options that are set as [Options.String] shows them,
// under snake_case keys ("password", "verification_code", ...).
func (o Options) LogValue() slog.Value { return o.fields().LogValue() }

func (o Options) fields() printedFields {
	var p printedFields
	p.secret("State", "state", o.State != "")
	p.text("Username", "username", o.Username)
	p.secret("Password", "password", o.Password != "")
	if o.RememberMe != nil {
		p.add("RememberMe", "remember_me", strconv.FormatBool(*o.RememberMe), slog.BoolValue(*o.RememberMe))
	}
	if o.KeepMeSignedIn != nil {
		p.add("KeepMeSignedIn", "keep_me_signed_in", strconv.FormatBool(*o.KeepMeSignedIn), slog.BoolValue(*o.KeepMeSignedIn))
	}
	p.secret("CaptchaToken", "captcha_token", o.CaptchaToken != "")
	p.text("Authenticator", "authenticator", string(o.Authenticator))
	p.text("MethodType", "method_type", o.MethodType)
	p.secret("VerificationCode", "verification_code", o.VerificationCode != "")
	p.text("VendorUsername", "vendor_username", o.VendorUsername)
	p.text("CredentialID", "credential_id", o.CredentialID)
	p.secret("NextVerificationCode", "next_verification_code", o.NextVerificationCode != "")
	p.secret("DuoSignature", "duo_signature", o.DuoSignature != "")
	p.secret("NewPassword", "new_password", o.NewPassword != "")
	p.secret("ConfirmPassword", "confirm_password", o.ConfirmPassword != "")
	p.flag("RevokeSessions", "revoke_sessions", o.RevokeSessions)
	p.text("PhoneNumber", "phone_number", o.PhoneNumber)
	p.secret("Answer", "answer", o.Answer != "")
	p.text("QuestionKey", "question_key", o.QuestionKey)
	p.secret("Question", "question", o.Question != "")
	p.secret("WebAuthn", "webauthn", o.WebAuthn != nil)
	p.text("Channel", "channel", o.Channel)
	p.text("Email", "email", o.Email)
	p.names("Profile", "profile", o.Profile)
	p.text("Consent", "consent", string(o.Consent))
	if o.ConsentScopes != nil {
		p.add("ConsentScopes", "consent_scopes", fmt.Sprintf("%q", o.ConsentScopes), slog.AnyValue(slices.Clone(o.ConsentScopes)))
	}
	p.secret("UserCode", "user_code", o.UserCode != "")
	p.text("Step", "step", o.Step)
	p.names("Values", "values", o.Values)
	return p
}

// String lists the options that are set, by field name: StateHandle,
// ActivationToken, RecoveryToken and OAuthState, which are secrets, show
// as "[redacted]" (so that a reader still sees which are set); ACRValues,
// MaxAge, LoginHint and PromptLogin show as they are.
func (o StartOptions) String() string { return o.fields().String("idx.StartOptions") }

// Format prints [StartOptions.String] for every verb, so %v, %+v, %#v,
// %s and %q cannot show a secret.
func (o StartOptions) Format(f fmt.State, _ rune) { fmt.Fprint(f, o.String()) }

// LogValue logs the options that are set as [StartOptions.String] shows
// them, under snake_case keys ("state_handle", "acr_values", ...).
func (o StartOptions) LogValue() slog.Value { return o.fields().LogValue() }

func (o StartOptions) fields() printedFields {
	var p printedFields
	p.secret("StateHandle", "state_handle", o.StateHandle != "")
	p.secret("ActivationToken", "activation_token", o.ActivationToken != "")
	p.secret("RecoveryToken", "recovery_token", o.RecoveryToken != "")
	if o.ACRValues != nil {
		p.add("ACRValues", "acr_values", fmt.Sprintf("%q", o.ACRValues), slog.AnyValue(slices.Clone(o.ACRValues)))
	}
	if o.MaxAge != 0 {
		p.add("MaxAge", "max_age", o.MaxAge.String(), slog.DurationValue(o.MaxAge))
	}
	p.text("LoginHint", "login_hint", o.LoginHint)
	p.flag("PromptLogin", "prompt_login", o.PromptLogin)
	p.secret("OAuthState", "oauth_state", o.OAuthState != "")
	return p
}

// printedField is one set field of a printed value: its Go name and
// printed form for String, its key and value for slog.
type printedField struct {
	name, text string
	key        string
	val        slog.Value
}

// printedFields are the set fields of a value, in declaration order.
type printedFields []printedField

func (p *printedFields) add(name, key, text string, val slog.Value) {
	*p = append(*p, printedField{name: name, text: text, key: key, val: val})
}

// text adds a non-secret string field when it is set.
func (p *printedFields) text(name, key, v string) {
	if v != "" {
		p.add(name, key, strconv.Quote(v), slog.StringValue(v))
	}
}

// secret adds a secret field, as "[redacted]", when it is set.
func (p *printedFields) secret(name, key string, set bool) {
	if set {
		p.add(name, key, "[redacted]", slog.StringValue("[redacted]"))
	}
}

// flag adds a bool field when it is true.
func (p *printedFields) flag(name, key string, v bool) {
	if v {
		p.add(name, key, "true", slog.BoolValue(true))
	}
}

// names adds a map's names, each with "[redacted]" for its value, when it
// has any.
func (p *printedFields) names(name, key string, m map[string]any) {
	if len(m) == 0 {
		return
	}
	var text []string
	var attrs []slog.Attr
	for _, k := range slices.Sorted(maps.Keys(m)) {
		text = append(text, strconv.Quote(k)+": [redacted]")
		attrs = append(attrs, slog.String(k, "[redacted]"))
	}
	p.add(name, key, "{"+strings.Join(text, ", ")+"}", slog.GroupValue(attrs...))
}

// String prints the fields as typ{Name: value, ...}.
func (p printedFields) String(typ string) string {
	var b strings.Builder
	b.WriteString(typ + "{")
	for i, f := range p {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.name + ": " + f.text)
	}
	return b.String() + "}"
}

// LogValue logs the fields as a group, or "none" when none is set (slog
// would leave an empty group out).
func (p printedFields) LogValue() slog.Value {
	if len(p) == 0 {
		return slog.StringValue("none")
	}
	attrs := make([]slog.Attr, len(p))
	for i, f := range p {
		attrs[i] = slog.Attr{Key: f.key, Value: f.val}
	}
	return slog.GroupValue(attrs...)
}
