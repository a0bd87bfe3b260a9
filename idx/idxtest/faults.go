package idxtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind is what an injected [Fault] does to a request. Kinds that
// answer in place of the server leave its state untouched, as a proxy or a
// load balancer in front of Okta would; kinds that alter the server's answer
// let the server process the request first, so the request takes effect
// even though the client may never learn its outcome.
type FaultKind int

const (
	// FaultRateLimit answers 429 in place of the server: on the IDX API
	// (/idp/idx/...) with an Ion document whose message is
	// tooManyRequests (with the stateHandle, expiresAt and intent of the
	// transaction the request names, if any), elsewhere with Okta's
	// E0000047 error body. Its Date header is the server's clock (see
	// [WithClock]) truncated to the second; X-Rate-Limit-Reset is that Date
	// plus [Fault.Reset] rounded up to a whole second, in epoch seconds;
	// X-Rate-Limit-Limit is [Fault.Limit] (50 when zero) and
	// X-Rate-Limit-Remaining is 0. X-Okta-Request-Id identifies the answer.
	FaultRateLimit FaultKind = iota + 1
	// FaultServerError answers [Fault.Status] (500 when zero; 500, 502, 503
	// or 504) in place of the server: on the IDX API with an Ion document
	// whose message is E0000009 (and the transaction's stateHandle, as for
	// FaultRateLimit), elsewhere with Okta's E0000009 JSON error body.
	FaultServerError
	// FaultBadGatewayHTML answers 502 with an HTML page, as a proxy does,
	// in place of the server.
	FaultBadGatewayHTML
	// FaultDelay lets the server process the request, then holds the answer
	// back for [Fault.Delay]. If the client gives up or the server is
	// closed meanwhile, the answer is dropped: the request took effect but
	// the client never hears so.
	FaultDelay
	// FaultHang never answers and never processes the request: the handler
	// blocks until the client gives up or the server is closed, then drops
	// the connection.
	FaultHang
	// FaultDropBeforeProcessing reads the request, then closes the
	// connection without processing it or answering.
	FaultDropBeforeProcessing
	// FaultDropAfterProcessing lets the server process the request, then
	// closes the connection without sending the answer.
	FaultDropAfterProcessing
	// FaultTruncatedJSON lets the server process the request and sends the
	// first half of its answer's body, with a matching Content-Length: a
	// complete HTTP response whose JSON is cut short.
	FaultTruncatedJSON
	// FaultHTML200 answers 200 with an HTML page, in place of the server.
	FaultHTML200
	// FaultEmptyBody answers 200 with a JSON content type and an empty
	// body, in place of the server.
	FaultEmptyBody
	// FaultWrongContentType lets the server process the request and sends
	// its answer as text/plain.
	FaultWrongContentType
	// FaultErrorField answers 200 with a JSON body that holds only an OAuth
	// "error" member, in place of the server.
	FaultErrorField
	// FaultOversizedBody answers 200 with a JSON body of [Fault.Size] bytes
	// (10 MiB when zero), in place of the server. The body is streamed; the
	// server stops writing when the client goes away.
	FaultOversizedBody
	// FaultOversizedHeader answers 200 with a response header of
	// [Fault.Size] bytes (1 MiB when zero) and a small JSON body, in place
	// of the server.
	FaultOversizedHeader
	// FaultForeignHrefs lets the server process the request and replaces
	// the server's URL in its answer's body with [Fault.Origin]: every
	// remediation href, and the token endpoint of a success answer, then
	// point at another origin.
	FaultForeignHrefs
	// FaultHrefSuffix lets the server process the request and appends
	// [Fault.Suffix] to every one of the server's URLs in its answer's
	// body: every remediation href, and the token endpoint of a success
	// answer, stay on the server's origin but carry a query such as
	// "?debug=1", a fragment, or whatever else Suffix holds.
	FaultHrefSuffix
	// FaultEchoError answers 400 with an error body that repeats the
	// request (its query and body) in every member an error answer has:
	// Okta's errorSummary and errorCauses, and OAuth's error and
	// error_description, in place of the server. So does a careless proxy
	// or org that echoes what it was sent, secrets included.
	FaultEchoError
	// FaultEchoMessage answers 400 with an IDX document holding only an
	// ERROR message (i18n key "errors.E0000001") whose text repeats the
	// request, in place of the server.
	FaultEchoMessage

	faultKindEnd // one past the last kind
)

var faultKindNames = [...]string{
	FaultRateLimit:            "RateLimit",
	FaultServerError:          "ServerError",
	FaultBadGatewayHTML:       "BadGatewayHTML",
	FaultDelay:                "Delay",
	FaultHang:                 "Hang",
	FaultDropBeforeProcessing: "DropBeforeProcessing",
	FaultDropAfterProcessing:  "DropAfterProcessing",
	FaultTruncatedJSON:        "TruncatedJSON",
	FaultHTML200:              "HTML200",
	FaultEmptyBody:            "EmptyBody",
	FaultWrongContentType:     "WrongContentType",
	FaultErrorField:           "ErrorField",
	FaultOversizedBody:        "OversizedBody",
	FaultOversizedHeader:      "OversizedHeader",
	FaultForeignHrefs:         "ForeignHrefs",
	FaultHrefSuffix:           "HrefSuffix",
	FaultEchoError:            "EchoError",
	FaultEchoMessage:          "EchoMessage",
}

// String returns the name of the kind, such as "RateLimit".
func (k FaultKind) String() string {
	if k > 0 && k < faultKindEnd {
		return faultKindNames[k]
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Defaults of the [Fault] fields.
const (
	DefaultRateLimitLimit     = 50
	DefaultOversizedBodySize  = 10 << 20
	DefaultOversizedHeaderLen = 1 << 20
)

// A Fault makes the server misbehave on matching requests; see
// [Server.InjectFault].
type Fault struct {
	// Method is the request method to match, such as "POST"; empty
	// matches any.
	Method string
	// Path is the exact URL path to match, such as
	// "/idp/idx/challenge/answer" or "/oauth2/default/v1/token". It is
	// required.
	Path string
	// BodyContains, when set, restricts the fault to requests whose body
	// contains it: the username in an identify request, say, to single out
	// one user's sign-in among concurrent ones.
	BodyContains string
	// Times is how many matching requests the fault affects before it is
	// spent; zero or less means every matching request until
	// [Server.ClearFaults].
	Times int
	// Kind is what the fault does.
	Kind FaultKind

	// Status is the status of a FaultServerError: 500, 502, 503 or 504;
	// zero means 500.
	Status int
	// Delay is how long a FaultDelay holds the answer back. It must be
	// positive for that kind.
	Delay time.Duration
	// Reset is how far after the answer's Date a FaultRateLimit's
	// X-Rate-Limit-Reset lies (rounded up to a whole second); zero means
	// the Date itself.
	Reset time.Duration
	// Limit is a FaultRateLimit's X-Rate-Limit-Limit; zero means
	// [DefaultRateLimitLimit].
	Limit int
	// Size is the body size of a FaultOversizedBody or the header size of
	// a FaultOversizedHeader; zero means [DefaultOversizedBodySize] or
	// [DefaultOversizedHeaderLen].
	Size int
	// Origin is the "scheme://host[:port]" a FaultForeignHrefs puts in
	// place of the server's URL. It is required for that kind.
	Origin string
	// Suffix is what a FaultHrefSuffix appends to the server's URLs, such
	// as "?debug=1". It is required for that kind and may not hold a
	// double quote, a backslash or a control character.
	Suffix string
}

// validate checks f and returns it with its defaults applied.
func (f Fault) validate() (Fault, error) {
	if f.Kind <= 0 || f.Kind >= faultKindEnd {
		return f, fmt.Errorf("idxtest: unknown fault kind %d", int(f.Kind))
	}
	if !strings.HasPrefix(f.Path, "/") {
		return f, errors.New("idxtest: a fault needs a Path starting with /")
	}
	switch f.Kind {
	case FaultServerError:
		switch f.Status {
		case 0:
			f.Status = http.StatusInternalServerError
		case 500, 502, 503, 504:
		default:
			return f, fmt.Errorf("idxtest: FaultServerError status %d is not 500, 502, 503 or 504", f.Status)
		}
	case FaultDelay:
		if f.Delay <= 0 {
			return f, errors.New("idxtest: FaultDelay needs a positive Delay")
		}
	case FaultRateLimit:
		if f.Reset < 0 || f.Limit < 0 {
			return f, errors.New("idxtest: FaultRateLimit needs a non-negative Reset and Limit")
		}
		if f.Limit == 0 {
			f.Limit = DefaultRateLimitLimit
		}
	case FaultOversizedBody, FaultOversizedHeader:
		if f.Size < 0 {
			return f, errors.New("idxtest: a negative fault Size")
		}
		if f.Size == 0 {
			f.Size = DefaultOversizedBodySize
			if f.Kind == FaultOversizedHeader {
				f.Size = DefaultOversizedHeaderLen
			}
		}
	case FaultForeignHrefs:
		if !strings.HasPrefix(f.Origin, "http://") && !strings.HasPrefix(f.Origin, "https://") {
			return f, errors.New("idxtest: FaultForeignHrefs needs an http(s) Origin")
		}
		f.Origin = strings.TrimSuffix(f.Origin, "/")
	case FaultHrefSuffix:
		if f.Suffix == "" || strings.ContainsFunc(f.Suffix, func(r rune) bool { return r == '"' || r == '\\' || r < 0x20 || r == 0x7f }) {
			return f, errors.New("idxtest: FaultHrefSuffix needs a Suffix without quotes, backslashes or control characters")
		}
	}
	return f, nil
}

// RecordedRequest is a request as the server received it; see
// [WithRequestRecording] and [Server.Requests].
type RecordedRequest struct {
	// Method and Path are the request method and URL path.
	Method, Path string
	// RawQuery is the URL query, without the "?".
	RawQuery string
	// Header holds the request headers.
	Header http.Header
	// Body is the request body (at most 1 MiB).
	Body []byte
	// Fault is the kind of the injected fault the request met, or zero.
	Fault FaultKind
}

// faultState is the Server's fault injection and request recording state.
type faultState struct {
	mu       sync.Mutex
	faults   []*activeFault
	requests []RecordedRequest

	closingOnce sync.Once
	closing     chan struct{} // closed when the server shuts down
}

type activeFault struct {
	Fault
	left int // requests left; -1 for unlimited
}

// InjectFault makes the server misbehave as f says on the next f.Times
// requests matching f.Method and f.Path (every one, when f.Times is zero).
// Faults are matched in the order they were injected; a request meets at
// most one. Faults apply to the server's own endpoints (not to unknown
// paths). It returns an error, and injects nothing, when f is invalid.
//
// Injected faults let a test check how the code under test copes with rate
// limits, outages, lost connections and hostile answers; see [FaultKind].
func (s *Server) InjectFault(f Fault) error {
	f, err := f.validate()
	if err != nil {
		return err
	}
	left := f.Times
	if left <= 0 {
		left = -1
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults = append(s.faults.faults, &activeFault{Fault: f, left: left})
	return nil
}

// ClearFaults removes every injected fault, spent or not.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults = nil
}

// PendingFaults returns how many injected faults are not yet spent.
func (s *Server) PendingFaults() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return len(s.faults.faults)
}

// Requests returns the requests recorded since the server started or since
// [Server.ResetRequestLog], in arrival order, when the server was made
// with [WithRequestRecording]; otherwise nil. Requests to unknown paths or
// with a wrong method are not recorded. The returned values are copies.
func (s *Server) Requests() []RecordedRequest {
	if !s.cfg.recordRequests {
		return nil
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	out := make([]RecordedRequest, len(s.faults.requests))
	for i, r := range s.faults.requests {
		r.Header = r.Header.Clone()
		r.Body = bytes.Clone(r.Body)
		out[i] = r
	}
	return out
}

// resetRecorded forgets the recorded requests.
func (s *Server) resetRecorded() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.requests = nil
}

// takeFault returns the first fault matching r, whose body is body, and
// counts it down.
func (s *Server) takeFault(r *http.Request, body []byte) (Fault, bool) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for i, f := range s.faults.faults {
		if f.Path != r.URL.Path || (f.Method != "" && !strings.EqualFold(f.Method, r.Method)) {
			continue
		}
		if f.BodyContains != "" && !bytes.Contains(body, []byte(f.BodyContains)) {
			continue
		}
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				s.faults.faults = append(s.faults.faults[:i:i], s.faults.faults[i+1:]...)
			}
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// closingCh returns a channel closed when the server shuts down.
func (s *Server) closingCh() <-chan struct{} {
	s.faults.closingOnce.Do(func() {
		ch := make(chan struct{})
		s.faults.closing = ch
		var once sync.Once
		stop := func() { once.Do(func() { close(ch) }) }
		s.srv.RegisterOnShutdown(stop)
		s.mu.Lock()
		closed := s.closed
		s.mu.Unlock()
		if closed {
			stop()
		}
	})
	return s.faults.closing
}

// serveRoute runs a route's handler, after recording the request and
// applying any injected fault.
func (s *Server) serveRoute(w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) {
	s.faults.mu.Lock()
	readBody := s.cfg.recordRequests || len(s.faults.faults) > 0
	s.faults.mu.Unlock()
	var body []byte
	if readBody {
		// Read the body (capped by the caller) for the record and the
		// faults, and give the handler a copy.
		var err error
		body, err = io.ReadAll(r.Body)
		var rest io.Reader = bytes.NewReader(body)
		if err != nil {
			rest = io.MultiReader(rest, errReader{err})
		}
		r.Body = io.NopCloser(rest)
	}
	f, faulty := s.takeFault(r, body)
	if s.cfg.recordRequests {
		rec := RecordedRequest{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
			Header: r.Header.Clone(), Body: body, Fault: f.Kind,
		}
		s.faults.mu.Lock()
		s.faults.requests = append(s.faults.requests, rec)
		s.faults.mu.Unlock()
	}
	if !faulty {
		serve(w, r)
		return
	}
	switch f.Kind {
	case FaultRateLimit:
		now := s.now().UTC().Truncate(time.Second)
		reset := now.Add(f.Reset)
		if !reset.Truncate(time.Second).Equal(reset) {
			reset = reset.Truncate(time.Second).Add(time.Second)
		}
		h := w.Header()
		h.Set("Date", now.Format(http.TimeFormat))
		h.Set("X-Rate-Limit-Limit", strconv.Itoa(f.Limit))
		h.Set("X-Rate-Limit-Remaining", "0")
		h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Unix(), 10))
		h.Set("X-Okta-Request-Id", "idxtest-"+randomToken(12))
		if isIDXPath(r.URL.Path) {
			writeJSON(w, http.StatusTooManyRequests, ionProduces, s.idxFaultBody(body, msgTooManyRequests()))
			return
		}
		writeOktaError(w, http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.")
	case FaultServerError:
		if isIDXPath(r.URL.Path) {
			writeJSON(w, f.Status, ionProduces, s.idxFaultBody(body, msgServerError()))
			return
		}
		writeOktaError(w, f.Status, "E0000009", "Internal Server Error")
	case FaultBadGatewayHTML:
		writeRaw(w, http.StatusBadGateway, "text/html; charset=utf-8",
			[]byte("<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1></body></html>\n"))
	case FaultHTML200:
		writeRaw(w, http.StatusOK, "text/html; charset=utf-8",
			[]byte("<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><p>Please sign in.</p></body></html>\n"))
	case FaultEmptyBody:
		writeRaw(w, http.StatusOK, "application/json", nil)
	case FaultErrorField:
		writeRaw(w, http.StatusOK, "application/json",
			[]byte(`{"error":"server_error","error_description":"The server encountered an internal error."}`))
	case FaultOversizedBody:
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(f.Size))
		w.WriteHeader(http.StatusOK)
		writePadding(w, f.Size)
	case FaultOversizedHeader:
		w.Header().Set("X-Idxtest-Padding", strings.Repeat("p", f.Size))
		writeRaw(w, http.StatusOK, "application/json", []byte(`{}`))
	case FaultHang:
		// Read the request first: the server notices that the client went
		// away only once the body is consumed.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-s.closingCh():
		}
		panic(http.ErrAbortHandler) // drop the connection, answering nothing
	case FaultDropBeforeProcessing:
		_, _ = io.Copy(io.Discard, r.Body)
		panic(http.ErrAbortHandler)
	case FaultDropAfterProcessing:
		process(r, serve)
		panic(http.ErrAbortHandler)
	case FaultDelay:
		b := process(r, serve)
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			panic(http.ErrAbortHandler)
		case <-s.closingCh():
			panic(http.ErrAbortHandler)
		}
		b.writeTo(w, b.body.Bytes())
	case FaultTruncatedJSON:
		b := process(r, serve)
		body := b.body.Bytes()
		b.writeTo(w, body[:len(body)/2])
	case FaultWrongContentType:
		b := process(r, serve)
		b.header.Set("Content-Type", "text/plain; charset=utf-8")
		b.writeTo(w, b.body.Bytes())
	case FaultForeignHrefs:
		b := process(r, serve)
		b.writeTo(w, bytes.ReplaceAll(b.body.Bytes(), []byte(s.URL), []byte(f.Origin)))
	case FaultHrefSuffix:
		b := process(r, serve)
		b.writeTo(w, appendToURLs(b.body.Bytes(), s.URL, f.Suffix))
	case FaultEchoError:
		echo := echoOf(r, body)
		writeJSON(w, http.StatusBadRequest, "application/json", map[string]any{
			"errorCode":         "E0000001",
			"errorSummary":      "Api validation failed: " + echo,
			"errorCauses":       []map[string]string{{"errorSummary": echo}},
			"error":             "invalid_request",
			"error_description": "The request was invalid: " + echo,
		})
	case FaultEchoMessage:
		writeJSON(w, http.StatusBadRequest, "application/ion+json; okta-version=1.0.0", map[string]any{
			"version": "1.0.0",
			"messages": map[string]any{"type": "array", "value": []map[string]any{{
				"message": "Invalid request: " + echoOf(r, body),
				"i18n":    map[string]string{"key": "errors.E0000001"},
				"class":   "ERROR",
			}}},
		})
	}
}

// echoOf is what an echoing server repeats of r: its query and body.
func echoOf(r *http.Request, body []byte) string {
	return r.URL.RawQuery + " " + string(body)
}

// appendToURLs returns body with suffix appended to every JSON string in
// it that starts with base.
func appendToURLs(body []byte, base, suffix string) []byte {
	var out bytes.Buffer
	prefix := []byte(`"` + base)
	for {
		i := bytes.Index(body, prefix)
		if i < 0 {
			break
		}
		end := bytes.IndexByte(body[i+1:], '"')
		if end < 0 {
			break
		}
		end += i + 1 // the closing quote
		out.Write(body[:end])
		out.WriteString(suffix)
		body = body[end:]
	}
	out.Write(body)
	return out.Bytes()
}

// isIDXPath reports whether path is an endpoint of the IDX API, whose
// errors are Ion documents.
func isIDXPath(path string) bool { return strings.HasPrefix(path, "/idp/idx/") }

func msgServerError() ionMessage { return errorMessage("Internal Server Error", "E0000009") }

// idxFaultBody is the Ion document of a rate limit or server error on an
// IDX endpoint: the message, and, when body names a live transaction, its
// stateHandle, expiry and intent, as Okta answers then.
func (s *Server) idxFaultBody(body []byte, msg ionMessage) *idxResponse {
	resp := &idxResponse{Version: idxVersion}
	var b handleBody
	if decode(body, &b) && b.StateHandle != "" {
		s.mu.Lock()
		if t, ok := s.transactions[b.StateHandle]; ok && s.now().Before(t.expiresAt) {
			resp.StateHandle = t.handle
			resp.ExpiresAt = t.expiresAt.UTC().Format(expiresAtLayout)
			resp.Intent = "LOGIN"
		}
		s.mu.Unlock()
	}
	resp.addMessage(msg)
	return resp
}

// process runs serve with r and returns the answer it wrote.
func process(r *http.Request, serve http.HandlerFunc) *bufferedResponse {
	b := &bufferedResponse{header: http.Header{}}
	// The handler sees a context that does not end when the client goes
	// away, so that it processes the request in full, as the real server
	// would.
	serve(b, r.WithContext(context.WithoutCancel(r.Context())))
	return b
}

// bufferedResponse is an http.ResponseWriter that keeps the answer.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// writeTo sends the kept answer's status and headers to w, with body.
func (b *bufferedResponse) writeTo(w http.ResponseWriter, body []byte) {
	h := w.Header()
	for k, v := range b.header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	status := b.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeRaw writes body with the given status and content type.
func writeRaw(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writePadding writes a JSON object of exactly size bytes (at least the
// 10 bytes of `{"pad":""}`), stopping early if the client goes away.
func writePadding(w io.Writer, size int) {
	const head, tail = `{"pad":"`, `"}`
	if size < len(head)+len(tail) {
		_, _ = io.WriteString(w, strings.Repeat(" ", size))
		return
	}
	if _, err := io.WriteString(w, head); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte("a"), 32<<10)
	for n := size - len(head) - len(tail); n > 0; {
		c := chunk[:min(n, len(chunk))]
		if _, err := w.Write(c); err != nil {
			return
		}
		n -= len(c)
	}
	_, _ = io.WriteString(w, tail)
}

// errReader returns err once the recorded body is read.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
