package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/goidx/goidx/internal/transport"
)

// Defaults of [ProviderOptions].
const (
	DefaultJWKSRefreshCooldown = 30 * time.Second
	DefaultLeeway              = 2 * time.Minute
	// MaxLeeway is the largest accepted [ProviderOptions.Leeway].
	MaxLeeway = 5 * time.Minute
)

// Bounds on how long a discovery document is cached.
const (
	defaultMetadataTTL = time.Hour
	minMetadataTTL     = time.Minute
	maxMetadataTTL     = 24 * time.Hour
)

// ProviderOptions configures a [Provider]. The zero value is usable.
type ProviderOptions struct {
	// Now returns the current time; it defaults to [time.Now]. It drives
	// ID token time checks, the metadata cache and the JWKS cooldown.
	Now func() time.Time

	// JWKSRefreshCooldown is the minimum interval between JWKS fetches
	// triggered by an unknown key ID. Zero means
	// [DefaultJWKSRefreshCooldown] (30s).
	JWKSRefreshCooldown time.Duration

	// Leeway is the allowed clock skew for exp, iat and nbf. Zero means
	// [DefaultLeeway] (2 minutes); it must not exceed [MaxLeeway].
	Leeway time.Duration

	// SigningAlgs lists the accepted ID token signature algorithms; it
	// defaults to RS256 only. Only asymmetric algorithms (RS*, PS*, ES*,
	// EdDSA) are allowed.
	SigningAlgs []jose.SignatureAlgorithm
}

// Metadata is the part of the OpenID Provider discovery document the SDK
// uses.
//
// Every endpoint is on the issuer's origin; [Provider.Metadata] refuses a
// document where one is not.
type Metadata struct {
	// Issuer is issuer; it equals the configured issuer.
	Issuer string `json:"issuer"`
	// AuthorizationEndpoint is authorization_endpoint.
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	// TokenEndpoint is token_endpoint.
	TokenEndpoint string `json:"token_endpoint"`
	// UserinfoEndpoint is userinfo_endpoint.
	UserinfoEndpoint string `json:"userinfo_endpoint"`
	// JWKSURI is jwks_uri; it is required.
	JWKSURI string `json:"jwks_uri"`
	// RevocationEndpoint is revocation_endpoint.
	RevocationEndpoint string `json:"revocation_endpoint"`
	// IntrospectionEndpoint is introspection_endpoint.
	IntrospectionEndpoint string `json:"introspection_endpoint"`
	// EndSessionEndpoint is end_session_endpoint.
	EndSessionEndpoint string `json:"end_session_endpoint"`
	// IDTokenSigningAlgs is id_token_signing_alg_values_supported.
	IDTokenSigningAlgs []string `json:"id_token_signing_alg_values_supported"`
	// CodeChallengeMethods is code_challenge_methods_supported.
	CodeChallengeMethods []string `json:"code_challenge_methods_supported"`
}

func (m *Metadata) clone() *Metadata {
	c := *m
	c.IDTokenSigningAlgs = slices.Clone(m.IDTokenSigningAlgs)
	c.CodeChallengeMethods = slices.Clone(m.CodeChallengeMethods)
	return &c
}

// Provider talks to one Okta authorization server. Create it with
// [NewProvider]. It fetches discovery metadata and the JWKS lazily and
// caches them. A Provider is safe for concurrent use.
type Provider struct {
	issuer   string
	origin   string // normalised origin of the issuer
	base     string
	tc       *transport.Client
	now      func() time.Time
	cooldown time.Duration
	leeway   time.Duration
	algs     []jose.SignatureAlgorithm

	metaMu      sync.Mutex
	meta        *Metadata
	metaExpires time.Time
	metaFlight  *flight

	keyMu      sync.RWMutex
	keys       map[string][]jose.JSONWebKey
	keysAt     time.Time // end of the last JWKS fetch that counts for the cooldown
	keysExpire time.Time // when the cached keys are to be fetched again
	keyFlight  *flight
}

// flight is an in-progress fetch that other callers can wait for.
type flight struct {
	done chan struct{}
	meta *Metadata // discovery result
	err  error
}

// NewProvider returns a Provider for issuer, which must be the exact issuer
// string of the authorization server (for example
// "https://example.okta.com/oauth2/default" or, for the org authorization
// server, "https://example.okta.com"). All requests go through tc, which
// must allow the issuer's origin. No request is made here.
func NewProvider(issuer string, tc *transport.Client, o ProviderOptions) (*Provider, error) {
	if tc == nil {
		return nil, errors.New("nil transport client")
	}
	u, err := url.Parse(issuer)
	if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, errors.New("issuer must be an absolute URL without user info, query or fragment")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		// A local fake server; the public layer decides whether to
		// allow it.
	default:
		return nil, errors.New("issuer must use https (http only on a loopback host)")
	}
	if err := tc.CheckOrigin(issuer); err != nil {
		return nil, fmt.Errorf("the transport does not allow the issuer: %w", err)
	}
	origin, _ := transport.Origin(u)
	p := &Provider{
		issuer:   issuer,
		origin:   origin,
		tc:       tc,
		now:      o.Now,
		cooldown: o.JWKSRefreshCooldown,
		leeway:   o.Leeway,
		algs:     slices.Clone(o.SigningAlgs),
	}
	if p.now == nil {
		p.now = time.Now
	}
	switch {
	case p.cooldown < 0:
		return nil, errors.New("JWKSRefreshCooldown must not be negative")
	case p.cooldown == 0:
		p.cooldown = DefaultJWKSRefreshCooldown
	}
	switch {
	case p.leeway < 0 || p.leeway > MaxLeeway:
		return nil, fmt.Errorf("the leeway must be between 0 and %v", MaxLeeway)
	case p.leeway == 0:
		p.leeway = DefaultLeeway
	}
	if len(p.algs) == 0 {
		p.algs = []jose.SignatureAlgorithm{jose.RS256}
	}
	for _, a := range p.algs {
		if !asymmetric(a) {
			return nil, fmt.Errorf("signing algorithm %q is not allowed", string(a))
		}
	}
	trimmed := strings.TrimRight(issuer, "/")
	if strings.Contains(u.Path, "/oauth2/") {
		p.base = trimmed + "/v1"
	} else {
		p.base = trimmed + "/oauth2/v1"
	}
	return p, nil
}

// Issuer returns the configured issuer.
func (p *Provider) Issuer() string { return p.issuer }

// BaseURL returns the base of the OAuth endpoints: the issuer plus "/v1" for
// a custom authorization server (an issuer whose path contains "/oauth2/"),
// else the issuer plus "/oauth2/v1" (the org authorization server). The
// interact endpoint is BaseURL()+"/interact".
func (p *Provider) BaseURL() string { return p.base }

// Metadata returns the discovery document from
// {issuer}/.well-known/openid-configuration. It is fetched on first use and
// cached for the response's Cache-Control max-age (one hour when absent,
// clamped to between one minute and a day); concurrent callers share one
// fetch. The document's issuer must equal the configured issuer exactly
// ([ErrIssuerMismatch]) and its endpoints must be on the issuer's origin.
// The result is a copy the caller may modify.
func (p *Provider) Metadata(ctx context.Context) (*Metadata, error) {
	for {
		p.metaMu.Lock()
		if p.meta != nil && p.now().Before(p.metaExpires) {
			m := p.meta.clone()
			p.metaMu.Unlock()
			return m, nil
		}
		if f := p.metaFlight; f != nil {
			p.metaMu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, &ProviderError{Op: "discovery", Err: ctx.Err()}
			}
			if f.err == nil {
				return f.meta.clone(), nil
			}
			if errors.Is(f.err, context.Canceled) && ctx.Err() == nil {
				continue // the caller that fetched gave up; try again
			}
			return nil, f.err
		}
		f := &flight{done: make(chan struct{})}
		p.metaFlight = f
		p.metaMu.Unlock()

		m, ttl, err := p.fetchMetadata(ctx)

		p.metaMu.Lock()
		if err == nil {
			p.meta = m
			p.metaExpires = p.now().Add(ttl)
		}
		p.metaFlight = nil
		f.meta, f.err = m, err
		p.metaMu.Unlock()
		close(f.done)
		if err != nil {
			return nil, err
		}
		return m.clone(), nil
	}
}

func (p *Provider) fetchMetadata(ctx context.Context) (*Metadata, time.Duration, error) {
	fail := func(err error) (*Metadata, time.Duration, error) {
		return nil, 0, &ProviderError{Op: "discovery", Err: err}
	}
	resp, err := p.tc.Do(ctx, &transport.Request{
		Method: http.MethodGet,
		URL:    strings.TrimRight(p.issuer, "/") + "/.well-known/openid-configuration",
		Header: http.Header{"Accept": {"application/json"}},
		Class:  transport.ClassRead,
	})
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode != http.StatusOK {
		return fail(fmt.Errorf("unexpected HTTP status %d", resp.StatusCode))
	}
	var m Metadata
	if err := json.Unmarshal(resp.Body, &m); err != nil {
		return fail(malformed("discovery document is not a JSON object of the expected shape"))
	}
	if m.Issuer != p.issuer {
		return fail(ErrIssuerMismatch)
	}
	if m.JWKSURI == "" {
		return fail(malformed("discovery document has no jwks_uri"))
	}
	endpoints := []struct{ name, url string }{
		{"authorization_endpoint", m.AuthorizationEndpoint},
		{"token_endpoint", m.TokenEndpoint},
		{"userinfo_endpoint", m.UserinfoEndpoint},
		{"jwks_uri", m.JWKSURI},
		{"revocation_endpoint", m.RevocationEndpoint},
		{"introspection_endpoint", m.IntrospectionEndpoint},
		{"end_session_endpoint", m.EndSessionEndpoint},
	}
	for _, e := range endpoints {
		if e.url == "" {
			continue
		}
		if err := p.checkEndpoint(e.url); err != nil {
			return fail(fmt.Errorf("%s: %w", e.name, err))
		}
	}
	if len(m.CodeChallengeMethods) > 0 && !slices.Contains(m.CodeChallengeMethods, "S256") {
		return fail(errors.New("the server does not support PKCE S256"))
	}
	return &m, cacheTTL(resp.Header.Get("Cache-Control")), nil
}

// checkEndpoint reports whether raw is an absolute URL on the issuer's
// origin without user info or fragment; otherwise it returns a
// [*transport.OriginError], as a href the transport refuses does.
func (p *Provider) checkEndpoint(raw string) error {
	allowed := []string{p.origin}
	u, err := url.Parse(raw)
	if err != nil {
		return &transport.OriginError{Allowed: allowed}
	}
	o, ok := transport.Origin(u)
	if !ok || o != p.origin {
		return &transport.OriginError{URL: o, Allowed: allowed}
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return &transport.OriginError{URL: o, Allowed: allowed, Part: "fragment"}
	}
	return nil
}

// cacheTTL returns how long to cache a discovery document with the given
// Cache-Control header.
func cacheTTL(cc string) time.Duration {
	return boundedTTL(cc, defaultMetadataTTL, minMetadataTTL, maxMetadataTTL)
}

// boundedTTL returns how long to cache a response with the given
// Cache-Control header: its max-age (def when absent, lo for no-store or
// no-cache), clamped to [lo, hi].
func boundedTTL(cc string, def, lo, hi time.Duration) time.Duration {
	ttl := def
	for d := range strings.SplitSeq(cc, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		switch {
		case d == "no-store" || d == "no-cache":
			ttl = 0
		case strings.HasPrefix(d, "max-age="):
			if s, err := strconv.ParseInt(strings.Trim(d[len("max-age="):], `"`), 10, 64); err == nil && s >= 0 {
				ttl = time.Duration(min(s, int64(hi/time.Second))) * time.Second
			}
		}
	}
	return min(max(ttl, lo), hi)
}

// isLoopback reports whether host names the local machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// asymmetric reports whether a is an allowed public-key signature
// algorithm.
func asymmetric(a jose.SignatureAlgorithm) bool {
	switch a {
	case jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
		jose.ES256, jose.ES384, jose.ES512, jose.EdDSA:
		return true
	}
	return false
}
