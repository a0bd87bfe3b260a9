package idxapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/transport"
)

// ionType is the media type of IDX requests and answers.
const ionType = "application/ion+json; okta-version=1.0.0"

// Client posts IDX requests. It is safe for concurrent use.
type Client struct {
	// Transport carries every request.
	Transport *transport.Client
	// Log receives debug records (endpoint names, statuses, member paths);
	// nil logs nothing.
	Log *slog.Logger
}

// Request is one IDX request: a form's href and media types with its body.
type Request struct {
	// Href is the URL to post to.
	Href string
	// Accepts and Produces are the form's declared media types; empty or
	// non-JSON ones give Ion's.
	Accepts, Produces string
	// Body is the request body, encoded as JSON.
	Body map[string]any
	// Class says how the transport may retry the request.
	Class transport.Class
}

// Error is a failed IDX request, naming its endpoint ("identify",
// "challenge/answer"; empty before anything was sent).
type Error struct {
	Endpoint string
	Err      error
}

func (e *Error) Error() string {
	if e.Endpoint == "" {
		return e.Err.Error()
	}
	return e.Endpoint + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// APIError is an Okta API error answer that is not an IDX document, such
// as {"errorCode":"E0000011","errorSummary":"Invalid token provided"}.
// Its Error leaves out the summary, the server's own text, which may
// repeat what it was sent.
type APIError struct {
	StatusCode   int
	ErrorCode    string
	ErrorSummary string
}

func (e *APIError) Error() string {
	if e.ErrorCode == "" {
		return fmt.Sprintf("API error (HTTP %d)", e.StatusCode)
	}
	return fmt.Sprintf("API error %q (HTTP %d)", e.ErrorCode, e.StatusCode)
}

// Post posts r and returns the answer's document, HTTP status and raw
// body. Any answer that is an IDX document is returned, whatever its
// status; other answers and failures are [*Error]s.
func (c *Client) Post(ctx context.Context, r Request) (doc *ion.Response, status int, raw []byte, err error) {
	b, err := ion.Marshal(r.Body) // what json.Marshal gives, without its reflection
	if err != nil {
		return nil, 0, nil, &Error{Err: fmt.Errorf("encoding request: %w", err)}
	}
	h := http.Header{}
	h.Set("Content-Type", mediaType(r.Accepts))
	h.Set("Accept", mediaType(r.Produces))
	res, err := c.Transport.Do(ctx, &transport.Request{Method: http.MethodPost, URL: r.Href, Header: h, Body: b, Class: r.Class})
	endpoint := EndpointName(r.Href)
	if err != nil {
		return nil, 0, nil, &Error{Endpoint: endpoint, Err: err}
	}
	if len(res.Body) == 0 {
		return nil, 0, nil, &Error{Endpoint: endpoint, Err: fmt.Errorf("empty answer: %w",
			&transport.UnexpectedResponseError{StatusCode: res.StatusCode, ContentType: res.Header.Get("Content-Type")})}
	}
	doc, err = ion.Parse(res.Body)
	if err != nil {
		return nil, 0, nil, &Error{Endpoint: fmt.Sprintf("%s (HTTP %d)", endpoint, res.StatusCode), Err: err}
	}
	debug := c.Log != nil && c.Log.Enabled(ctx, slog.LevelDebug) // spare making the arguments when not logging
	if debug {
		// Members the SDK does not need and could not read: by path,
		// never by value.
		for _, n := range doc.Notes {
			c.Log.DebugContext(ctx, "idx: answer member not read", "endpoint", endpoint, "member", n.Path, "problem", n.Problem)
		}
	}
	if doc.StateHandle == "" && len(doc.Remediations) == 0 && len(doc.Messages) == 0 && doc.Success == nil {
		// Not an IDX document: an Okta API error or something else.
		return nil, 0, nil, &Error{Endpoint: endpoint, Err: apiError(res.StatusCode, res.Body)}
	}
	if res.StatusCode >= 500 && len(doc.Remediations) == 0 && doc.Success == nil {
		// Okta's IDX answer to a fault of its own: messages (E0000009),
		// perhaps the stateHandle, and nothing to do next. The
		// transaction is not over: the fault is an error.
		return nil, 0, nil, &Error{Endpoint: endpoint, Err: ionAPIError(res.StatusCode, doc)}
	}
	if debug {
		c.Log.DebugContext(ctx, "idx: answer", "endpoint", endpoint, "status", res.StatusCode, "remediations", remediationNames(doc))
	}
	return doc, res.StatusCode, res.Body, nil
}

// mediaType picks the JSON media type a form declares, else Ion's.
func mediaType(declared string) string {
	if strings.Contains(declared, "json") {
		return declared
	}
	return ionType
}

// EndpointName names an href in messages (see [PathName]); never the query.
func EndpointName(href string) string {
	if i := strings.Index(href, "://"); i >= 0 {
		rest := href[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			rest = rest[j:]
		} else {
			rest = "/"
		}
		if k := strings.IndexAny(rest, "?#"); k >= 0 {
			rest = rest[:k]
		}
		return PathName(rest)
	}
	return "request"
}

// PathName names an endpoint by its URL path the way errors name
// operations: the IDX endpoint, such as "identify" or "challenge/answer"
// for /idp/idx/challenge/answer; the OAuth endpoint, such as "interact"
// or "token" for /oauth2/default/v1/token; "discovery" and "jwks"; else
// the path.
func PathName(p string) string {
	if name, ok := strings.CutPrefix(p, "/idp/idx/"); ok && name != "" {
		return name
	}
	if strings.HasSuffix(p, "/.well-known/openid-configuration") {
		return "discovery"
	}
	if i := strings.LastIndex(p, "/v1/"); i >= 0 && strings.HasPrefix(p, "/oauth2/") {
		switch name := p[i+len("/v1/"):]; {
		case name == "keys":
			return "jwks"
		case name != "" && !strings.Contains(name, "/"):
			return name
		}
	}
	if p == "" {
		return "request"
	}
	return p
}

func remediationNames(r *ion.Response) []string {
	names := make([]string, 0, len(r.Remediations))
	for _, f := range r.Remediations {
		names = append(names, f.Name)
	}
	return names
}

func apiError(status int, body []byte) error {
	var w struct {
		ErrorCode    string `json:"errorCode"`
		ErrorSummary string `json:"errorSummary"`
		Error        string `json:"error"`
		Description  string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &w)
	e := &APIError{StatusCode: status, ErrorCode: w.ErrorCode, ErrorSummary: w.ErrorSummary}
	if e.ErrorCode == "" && w.Error != "" {
		e.ErrorCode, e.ErrorSummary = w.Error, w.Description
	}
	if len(e.ErrorSummary) > 200 {
		e.ErrorSummary = e.ErrorSummary[:200]
	}
	return e
}

// ionAPIError is the APIError of an IDX document that reports a server
// fault: the code and text of its first error message.
func ionAPIError(status int, r *ion.Response) error {
	e := &APIError{StatusCode: status}
	for _, m := range r.Messages {
		if m.Class == "ERROR" || e.ErrorCode == "" {
			e.ErrorCode, e.ErrorSummary = m.Key, m.Text
		}
		if m.Class == "ERROR" {
			break
		}
	}
	if len(e.ErrorSummary) > 200 {
		e.ErrorSummary = e.ErrorSummary[:200]
	}
	return e
}
