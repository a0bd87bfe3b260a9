package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

// pages holds one template set per page, each the layout plus the page.
type pages map[string]*template.Template

func parsePages() (pages, error) {
	funcs := template.FuncMap{"lower": strings.ToLower, "initial": initial}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := pages{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := layout.Clone()
		if err != nil {
			return nil, err
		}
		if t, err = t.ParseFS(templateFS, n); err != nil {
			return nil, err
		}
		p[base] = t
	}
	return p, nil
}

// initial returns the first letter of name, upper-cased, or "?".
func initial(name string) string {
	for _, r := range name {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// pageData is what a page template sees.
type pageData struct {
	Title string
	// CSRF is the session's anti-forgery token for the page's forms.
	CSRF  string
	Flash string
	// DevMode is set when the app runs on the embedded fake org.
	DevMode bool
	// Wide pages use the wide layout.
	Wide bool

	Step *stepView
	Home *homeView
	Mail []mailView
	Err  *errorView
	// Code is the code of an email link opened outside its sign-in.
	Code string
	// SignedIn is set on the pages of a signed-in user.
	SignedIn bool
}

// errorView is an error page.
type errorView struct {
	Title string
	Text  string
	// Retry offers to go back and try again.
	Retry bool
}

// mailView is one email of the dev mailbox.
type mailView struct {
	To, Subject, SentAt, Code, Link, Body string
}

// homeView is the signed-in user's page.
type homeView struct {
	// StepUp marks the security page, shown after a two-factor sign-in.
	StepUp        bool
	Name          string
	Email         string
	EmailVerified bool
	Subject       string
	// NoProfile is set when userinfo could not be fetched; the ID token's
	// claims stand in.
	NoProfile    bool
	Claims       []claimView
	Scopes       string
	AccessExpiry string
	Refresh      bool
}

type claimView struct{ Name, Value string }

func newHomeView(u *signedIn) *homeView {
	v := &homeView{}
	var claims map[string]any
	if c := u.tokens.IDTokenClaims; c != nil {
		claims = c.Claims
		v.Subject = c.Subject
	}
	if p := u.profile; p != nil {
		v.Name, v.Email, v.EmailVerified, v.Subject = p.Name, p.Email, p.EmailVerified, p.Subject
	} else {
		v.NoProfile = true
		v.Name, _ = claims["name"].(string)
		v.Email, _ = claims["email"].(string)
	}
	for _, k := range slices.Sorted(maps.Keys(claims)) {
		v.Claims = append(v.Claims, claimView{Name: k, Value: claimValue(k, claims[k])})
	}
	v.Scopes = strings.Join(u.tokens.Scopes, " ")
	if !u.tokens.Expiry.IsZero() {
		v.AccessExpiry = u.tokens.Expiry.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	v.Refresh = u.tokens.RefreshToken != ""
	return v
}

// claimValue formats a claim for a page; times are shown as dates too.
func claimValue(name string, v any) string {
	switch name {
	case "exp", "iat", "auth_time", "nbf", "updated_at":
		if n, ok := number(v); ok {
			return fmt.Sprintf("%s (%d)", time.Unix(n, 0).UTC().Format("2006-01-02 15:04:05 UTC"), n)
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = claimValue("", e)
		}
		return strings.Join(parts, ", ")
	}
	if n, ok := number(v); ok {
		return strconv.FormatInt(n, 10)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// number returns v as a whole number, as JSON decoders may give it.
func number(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		if x == float64(int64(x)) {
			return int64(x), true
		}
	case int64:
		return x, true
	case int:
		return int64(x), true
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	}
	return 0, false
}

// render writes the page name with data. Pages are never cached: they show
// sign-in state and carry CSRF tokens.
func (a *app) render(w http.ResponseWriter, r *http.Request, status int, name string, data pageData) {
	data.DevMode = a.outbox != nil
	var buf bytes.Buffer
	if err := a.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		a.log.ErrorContext(r.Context(), "rendering failed", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	if data.Step != nil && data.Step.Captcha != nil {
		h.Set("Content-Security-Policy", data.Step.Captcha.csp) // the widget's script
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// serveCSS serves the style sheet.
func serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, "style.css", time.Time{}, bytes.NewReader(styleCSS))
}
