package idxtest

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// This file is the org's trusted origins (Security > API > Trusted
// Origins, with the CORS scope): cross-origin requests from a browser
// page on a trusted origin may call the authorization server and the IDX
// API, as okta-auth-js and the Sign-In Widget do.

// corsAllowHeaders are the request headers a trusted origin may send: the
// ones Okta's browser clients send. okta-auth-js sends Accept,
// Content-Type, X-Okta-User-Agent-Extended, Authorization (a bearer access
// token for userinfo), DPoP and X-Device-Token; the Sign-In Widget adds
// Accept-Language, X-Device-Fingerprint and X-Typing-Pattern.
const corsAllowHeaders = "Accept, Accept-Language, Authorization, Content-Type, DPoP, " +
	"X-Device-Fingerprint, X-Device-Token, X-Okta-User-Agent-Extended, X-Requested-With, X-Typing-Pattern"

// corsExposeHeaders are the response headers a page may read: the ones
// Okta's clients act on (the WWW-Authenticate of an IDX or userinfo error,
// a DPoP nonce, rate limits).
const corsExposeHeaders = "WWW-Authenticate, DPoP-Nonce, X-Okta-Request-Id, " +
	"X-Rate-Limit-Limit, X-Rate-Limit-Remaining, X-Rate-Limit-Reset"

// corsMaxAge is how long, in seconds, a browser may keep a preflight's
// answer.
const corsMaxAge = "600"

// WithTrustedOrigins adds origins, such as "http://localhost:3000", to
// the org's trusted origins with the CORS scope: a browser page on one of
// them may call discovery, the JWKS, interact, token, userinfo, revoke,
// introspect, logout and the IDX API (/idp/idx/...), as okta-auth-js and
// the Okta Sign-In Widget do from a single-page app. The server answers
// their preflight (OPTIONS) requests, allowing the methods of the
// endpoint and the request headers Okta's clients send
// (X-Okta-User-Agent-Extended among them), and marks each answer with
// Access-Control-Allow-Origin set to the request's exact origin (never
// "*") and Access-Control-Allow-Credentials: true, as Okta does, so the
// browser may send cookies. A request from any other origin gets no CORS
// header, and its preflight is refused (403), so the browser keeps the
// page from reading the answer. Other paths, /idxtest/ among them, never
// answer cross-origin requests.
//
// An origin is "scheme://host[:port]" with the scheme http or https and
// no path, query or fragment (a trailing "/" is allowed); it is compared
// as browsers send it, in lower case and without the scheme's default
// port. An invalid origin makes the constructor panic. No origin is
// trusted by default.
func WithTrustedOrigins(origins ...string) Option {
	origins = append([]string(nil), origins...)
	return func(c *config) {
		for _, o := range origins {
			norm, err := normalizeOrigin(o)
			if err != nil {
				panic(err.Error())
			}
			if c.trustedOrigins == nil {
				c.trustedOrigins = map[string]bool{}
			}
			c.trustedOrigins[norm] = true
		}
	}
}

// normalizeOrigin returns origin as a browser sends it in the Origin
// header, "scheme://host[:port]" in lower case without the scheme's
// default port, or an error if origin is not an http or https origin with
// no path, query, fragment or user information.
func normalizeOrigin(origin string) (string, error) {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("idxtest: trusted origin %q is not scheme://host[:port] with the scheme http or https", origin)
	}
	host := strings.ToLower(u.Host)
	if port := u.Port(); (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		host = strings.TrimSuffix(host, ":"+port)
	}
	return u.Scheme + "://" + host, nil
}

// TrustedOrigins returns the org's trusted origins (see
// [WithTrustedOrigins]) as browsers send them, sorted.
func (s *Server) TrustedOrigins() []string {
	out := make([]string, 0, len(s.cfg.trustedOrigins))
	for o := range s.cfg.trustedOrigins {
		out = append(out, o)
	}
	slices.Sort(out)
	return out
}

// corsPath reports whether path is an endpoint that answers trusted
// origins: the authorization server's and the IDX API's.
func corsPath(path string) bool {
	if strings.HasPrefix(path, "/idp/idx/") {
		return true
	}
	switch strings.TrimPrefix(path, issuerPath) {
	case "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server",
		"/v1/keys", "/v1/interact", "/v1/token", "/v1/userinfo", "/v1/revoke", "/v1/introspect", "/v1/logout":
		return strings.HasPrefix(path, issuerPath+"/")
	}
	return false
}

// cors marks the answer to r for a trusted origin, and answers a
// preflight itself. It reports whether it answered; otherwise the route
// serves r.
func (s *Server) cors(w http.ResponseWriter, r *http.Request, rt route, known bool) bool {
	if !known || !corsPath(r.URL.Path) {
		return false
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if origin == "" {
		return false
	}
	trusted := s.cfg.trustedOrigins[origin]
	if !trusted {
		s.cfg.logger.LogAttrs(r.Context(), slog.LevelInfo, "idxtest cross-origin request from an origin that is not trusted",
			slog.String("origin", origin), slog.String("path", r.URL.Path))
		if preflight {
			w.WriteHeader(http.StatusForbidden)
			return true
		}
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	if !preflight {
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		return false
	}
	if !slices.Contains(rt.methods, r.Header.Get("Access-Control-Request-Method")) {
		h.Del("Access-Control-Allow-Origin")
		h.Del("Access-Control-Allow-Credentials")
		w.WriteHeader(http.StatusForbidden)
		return true
	}
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	h.Set("Access-Control-Allow-Methods", strings.Join(rt.methods, ", "))
	h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	h.Set("Access-Control-Max-Age", corsMaxAge)
	w.WriteHeader(http.StatusOK)
	return true
}
