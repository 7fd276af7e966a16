package xpm

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// opKind says how an operation may be retried.
type opKind int

const (
	// opRead is retried on network errors and 5xx.
	opRead opKind = iota
	// opWrite is an idempotent write (update, archive, delete, members):
	// retried like a read; the service resolves what a retry means.
	opWrite
	// opCreate is never retried after an ambiguous failure: the service
	// checks whether the write landed first.
	opCreate
)

// call describes one API operation.
type call struct {
	name     string     // "client.api/get", for errors and logs
	method   string     // GET, POST, PUT, DELETE
	path     string     // path template, e.g. "/client.api/get/{uuid}"
	id       string     // fills {uuid} and names the record in errors
	query    url.Values // query parameters
	body     any        // JSON request body, or nil
	kind     opKind
	attempts int      // set by do: attempts made
	token    string   // access token of the last attempt (never logged)
	resource string   // "client", "group", … for NotFoundError
	scopes   []string // the spec's accepted scopes, for ForbiddenError
	identity bool     // Xero identity (connections): no tenant, no pacer
	// noRetry disables retries of network errors and 5xx (streams that have
	// delivered records resume in the service instead).
	noRetry bool
}

// Scopes the spec accepts for reads and writes of clients and groups, and
// for staff reads.
var (
	scopesClientRead  = []string{"practicemanager", "practicemanager.read", "practicemanager.client", "practicemanager.client.read"}
	scopesClientWrite = []string{"practicemanager", "practicemanager.client"}
	scopesStaffRead   = []string{"practicemanager", "practicemanager.read", "practicemanager.staff", "practicemanager.staff.read"}
)

// ambiguousError marks a create that failed after the request may have
// reached XPM.
type ambiguousError struct{ err error }

func (e *ambiguousError) Error() string { return e.err.Error() }
func (e *ambiguousError) Unwrap() error { return e.err }

// rateLimitedError is a 429 that is not the day limit: the pacer holds calls
// and the call is tried again.
type rateLimitedError struct{ *RateLimitError }

func (e *rateLimitedError) Unwrap() error { return e.RateLimitError }

// errTooLarge is returned by bodyReader past the cap.
var errTooLarge = errors.New("response larger than the configured maximum")

// do runs c with retries and decodes a 2xx body with decode (which may be
// nil). It returns typed errors only; for opCreate an ambiguous failure is
// returned as *ambiguousError.
func (cl *Client) do(ctx context.Context, c *call, decode func(*bodyReader) error) error {
	var body []byte
	if c.body != nil {
		b, err := json.Marshal(c.body)
		if err != nil {
			return fmt.Errorf("xpm %s: encoding request: %w", c.name, err)
		}
		body = b
	}
	attempt, limited, reauth := 0, 0, false
	for {
		attempt++
		c.attempts = attempt
		err := cl.attempt(ctx, c, attempt, body, decode)
		if err == nil {
			return nil
		}
		// A rejected access token is dropped once and the call tried again
		// with a fresh one (a 401 means nothing was applied).
		var ue *UnauthorizedError
		if errors.As(err, &ue) && ue.Reason == TokenRejected && !reauth {
			if inv, ok := cl.ts.(TokenInvalidator); ok && c.token != "" {
				reauth = true
				inv.InvalidateToken(c.token)
				cl.log.Info("xpm access token rejected; retrying with a fresh one", "op", c.name)
				continue
			}
		}
		var rl *rateLimitedError
		if errors.As(err, &rl) {
			limited++
			if limited > cl.retry.MaxRateLimited {
				return rl.RateLimitError
			}
			cl.log.Warn("xpm rate limited; waiting", "op", c.name, "problem", rl.Problem, "retry_after", rl.RetryAfter)
			continue
		}
		transient, sent := isTransient(err)
		if c.kind == opCreate && sent {
			// The create may have landed: the service checks before any retry.
			return &ambiguousError{err: err}
		}
		if !transient || ctx.Err() != nil {
			return err
		}
		if c.noRetry || attempt >= cl.retry.MaxAttempts {
			return err
		}
		wait := cl.backoff(attempt)
		var se *ServerError
		if errors.As(err, &se) && se.retryAfter > wait {
			wait = se.retryAfter
		}
		cl.log.Warn("xpm call failed; retrying", "op", c.name, "attempt", attempt, "wait", wait, "error_kind", errorKind(err))
		if err := cl.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// isTransient reports whether err may go away on retry, and whether the
// request may have reached the server.
func isTransient(err error) (transient, sent bool) {
	var te *TransportError
	if errors.As(err, &te) {
		return true, te.Sent
	}
	var se *ServerError
	if errors.As(err, &se) {
		return true, true
	}
	var me *MalformedResponseError
	if errors.As(err, &me) {
		// The server answered 2xx: a create has landed, so it is ambiguous.
		// Broken JSON may be a glitch worth another read; a wrong shape or
		// an oversized answer will not change.
		return me.retryable, true
	}
	return false, false
}

// attempt makes one HTTP request.
func (cl *Client) attempt(ctx context.Context, c *call, n int, body []byte, decode func(*bodyReader) error) (err error) {
	var tk *ticket
	if !c.identity {
		if cl.tenantID == "" {
			return fmt.Errorf("xpm %s: no tenant id configured", c.name)
		}
		tk, err = cl.pacer.acquire(ctx, c.name)
		if err != nil {
			return err
		}
	}
	rec := logRecord{Op: c.name, Method: c.method, Path: redactPath(c.path, c.id), Query: redactQuery(c.query), Attempt: n, RequestBytes: len(body)}
	start := cl.clk.Now()
	var (
		header http.Header
		status int
		bodyN  int64
	)
	defer func() {
		if tk != nil {
			tk.done(header, status)
		}
		rec.finish(cl.clk.Now().Sub(start), status, header, bodyN, err)
		cl.reqLog.write(cl.clk.Now(), rec)
		cl.log.Debug("xpm call", rec.attrs()...)
	}()

	req, err := cl.newRequest(ctx, c, body)
	if err != nil {
		return err
	}
	if tk != nil {
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{GotFirstResponseByte: tk.arrived}))
	}
	resp, err := cl.hc.Do(req)
	if tk != nil {
		tk.arrived()
	}
	if err != nil {
		return &TransportError{Op: c.name, Sent: maybeSent(err), Err: err}
	}
	defer resp.Body.Close()
	header, status = resp.Header, resp.StatusCode
	br := &bodyReader{r: resp.Body, max: cl.maxBytes, total: resp.ContentLength}
	defer func() { bodyN = br.n }()

	if status < 200 || status > 299 {
		return cl.errorFrom(c, resp, br)
	}
	if decode == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" && status != http.StatusNoContent {
		mt, _, perr := mime.ParseMediaType(ct)
		if perr != nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json") {
			return &MalformedResponseError{ErrorInfo: cl.info(c, resp, nil), Reason: fmt.Sprintf("answer is %q, not JSON", mt), retryable: true}
		}
	}
	if err := decode(br); err != nil {
		return cl.decodeError(c, resp, br, err)
	}
	// Drain a little so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return nil
}

// decodeError classifies a failure to read a 2xx answer.
func (cl *Client) decodeError(c *call, resp *http.Response, br *bodyReader, err error) error {
	var ce *callbackError
	switch {
	case errors.As(err, &ce):
		// The caller's callback stopped the read: its error, unchanged.
		return ce.err
	case br.tooLarge:
		return &MalformedResponseError{ErrorInfo: cl.info(c, resp, nil), Reason: fmt.Sprintf("answer exceeds %d bytes", cl.maxBytes), TooLarge: true, Err: errTooLarge}
	case br.readErr != nil:
		return &TransportError{Op: c.name, Sent: true, Err: fmt.Errorf("answer cut short after %d bytes: %w", br.n, br.readErr)}
	}
	var (
		me *MalformedResponseError
		be *BadRequestError
	)
	if errors.As(err, &me) || errors.As(err, &be) {
		return err
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &MalformedResponseError{ErrorInfo: cl.info(c, resp, nil), Reason: "answer is not valid JSON", Err: err, retryable: true}
	}
	return &MalformedResponseError{ErrorInfo: cl.info(c, resp, nil), Reason: "answer is not the JSON the spec describes", Err: err}
}

// callbackError carries an error returned by a caller's callback out of a
// decode, unchanged.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }
func (e *callbackError) Unwrap() error { return e.err }

func (cl *Client) newRequest(ctx context.Context, c *call, body []byte) (*http.Request, error) {
	var target string
	if c.identity {
		target = cl.connectionsURL + strings.ReplaceAll(c.path, "{id}", url.PathEscape(c.id))
	} else {
		target = cl.apiBase + strings.ReplaceAll(c.path, "{uuid}", url.PathEscape(c.id))
	}
	if len(c.query) > 0 {
		target += "?" + c.query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, target, rd)
	if err != nil {
		return nil, fmt.Errorf("xpm %s: %w", c.name, err)
	}
	tok, err := cl.ts.Token()
	if err != nil {
		return nil, tokenError(c.name, err)
	}
	if tok == nil || tok.AccessToken == "" {
		return nil, &UnauthorizedError{ErrorInfo: ErrorInfo{Op: c.name}, Reason: TokenUnavailable}
	}
	tok.SetAuthHeader(req)
	c.token = tok.AccessToken
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", cl.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if !c.identity {
		req.Header.Set("xero-tenant-id", cl.tenantID)
		req.Header.Set("Xero-Features", "practice-strict-content-type")
	}
	return req, nil
}

// tokenError classifies a token source failure.
func tokenError(op string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code := re.ErrorCode
		reason := TokenUnavailable
		if code == "invalid_grant" || code == "unauthorized_client" || code == "invalid_client" {
			reason = GrantInvalid
		}
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return &UnauthorizedError{ErrorInfo: ErrorInfo{Op: op, StatusCode: status}, Reason: reason, OAuthError: code, Err: err}
	}
	var ue *UnauthorizedError
	if errors.As(err, &ue) {
		return err
	}
	return &UnauthorizedError{ErrorInfo: ErrorInfo{Op: op}, Reason: TokenUnavailable, Err: err}
}

// maybeSent reports whether a failed request may have reached the server.
// Only failures to connect are certain not to have.
func maybeSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return false
	}
	var (
		ua  x509.UnknownAuthorityError
		hn  x509.HostnameError
		ci  x509.CertificateInvalidError
		rec tls.RecordHeaderError
	)
	if errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) || errors.As(err, &rec) {
		return false
	}
	return true
}

// info collects what an error needs from an answer.
func (cl *Client) info(c *call, resp *http.Response, e *errorBody) ErrorInfo {
	i := ErrorInfo{Op: c.name}
	if resp != nil {
		i.StatusCode = resp.StatusCode
		i.CorrelationID = resp.Header.Get("Xero-Correlation-Id")
	}
	if e != nil {
		i.Status, i.Description = e.status, e.description
	}
	return i
}

// errorBody is what the client understands of an error answer: XPM's
// ResponseErrorDto, an OAuth error, or Xero's problem JSON.
type errorBody struct {
	status, description, oauthError string
}

func parseErrorBody(b []byte) *errorBody {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return &errorBody{}
	}
	get := func(keys ...string) string {
		for k, v := range m {
			for _, want := range keys {
				if strings.EqualFold(k, want) {
					switch x := v.(type) {
					case string:
						return x
					case float64:
						return fmt.Sprint(x)
					}
				}
			}
		}
		return ""
	}
	return &errorBody{
		status:      get("status"),
		description: firstNonEmpty(get("errorDescription"), get("error_description"), get("detail"), get("message"), get("title")),
		oauthError:  get("error"),
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// errorFrom turns a non-2xx answer into a typed error.
func (cl *Client) errorFrom(c *call, resp *http.Response, br *bodyReader) error {
	raw, rerr := io.ReadAll(io.LimitReader(br, maxErrorBodyBytes))
	eb := parseErrorBody(raw)
	info := cl.info(c, resp, eb)
	auth := parseWWWAuthenticate(resp.Header.Get("WWW-Authenticate"))
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized:
		code := firstNonEmpty(auth["error"], eb.oauthError)
		return &UnauthorizedError{ErrorInfo: info, Reason: TokenRejected, OAuthError: code}
	case s == http.StatusForbidden:
		scope := auth["scope"]
		if scope == "" && (auth["error"] == "insufficient_scope" || eb.oauthError == "insufficient_scope") {
			scope = strings.Join(c.scopes, " or ")
		}
		return &ForbiddenError{ErrorInfo: info, MissingScope: scope, RequiredScopes: c.scopes}
	case s == http.StatusNotFound:
		return &NotFoundError{ErrorInfo: info, Resource: c.resource, ID: c.id}
	case s == http.StatusConflict:
		return &ConflictError{ErrorInfo: info, ID: c.id}
	case s == http.StatusTooManyRequests:
		now := cl.clk.Now()
		ra := retryAfter(resp.Header, now)
		problem := strings.ToLower(strings.TrimSpace(resp.Header.Get("X-Rate-Limit-Problem")))
		if problem == "day" {
			return &DayLimitError{ErrorInfo: info, ResumeAt: now.Add(ra), Estimated: ra <= 0}
		}
		return &rateLimitedError{&RateLimitError{ErrorInfo: info, Problem: problem, RetryAfter: ra}}
	case s >= 500:
		if rerr != nil {
			// The error body itself was cut short: still a server error.
			info.Description = ""
		}
		return &ServerError{ErrorInfo: info, retryAfter: retryAfter(resp.Header, cl.clk.Now())}
	default:
		return &BadRequestError{ErrorInfo: info}
	}
}

// parseWWWAuthenticate reads the parameters of a Bearer challenge
// (RFC 6750): error, error_description, scope.
func parseWWWAuthenticate(v string) map[string]string {
	out := map[string]string{}
	v = strings.TrimSpace(v)
	if v == "" {
		return out
	}
	if i := strings.IndexByte(v, ' '); i >= 0 && !strings.Contains(v[:i], "=") {
		v = v[i+1:]
	}
	for len(v) > 0 {
		v = strings.TrimLeft(v, " ,")
		eq := strings.IndexByte(v, '=')
		if eq < 0 {
			break
		}
		key := strings.ToLower(strings.TrimSpace(v[:eq]))
		v = v[eq+1:]
		var val string
		if strings.HasPrefix(v, `"`) {
			end := strings.IndexByte(v[1:], '"')
			if end < 0 {
				val, v = v[1:], ""
			} else {
				val, v = v[1:1+end], v[2+end:]
			}
		} else {
			end := strings.IndexByte(v, ',')
			if end < 0 {
				val, v = v, ""
			} else {
				val, v = v[:end], v[end:]
			}
		}
		out[key] = strings.TrimSpace(val)
	}
	return out
}

// bodyReader counts bytes, enforces the size cap and remembers network
// errors so that a cut answer is told from a malformed one.
type bodyReader struct {
	r        io.Reader
	n, max   int64
	total    int64 // Content-Length, or -1
	readErr  error
	tooLarge bool
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.tooLarge {
		return 0, errTooLarge
	}
	if rem := b.max - b.n + 1; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > b.max {
		b.tooLarge = true
		return n - int(b.n-b.max), errTooLarge
	}
	if err != nil && err != io.EOF {
		b.readErr = err
	}
	return n, err
}

// decodeOne decodes exactly one JSON value from r into v.
func decodeOne(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// checkStatus refuses a 2xx answer whose status field is present and not OK.
func checkStatus(c *call, status *string) error {
	if status == nil {
		return nil
	}
	s := strings.TrimSpace(*status)
	if s == "" || strings.EqualFold(s, "OK") {
		return nil
	}
	return &BadRequestError{ErrorInfo: ErrorInfo{Op: c.name, StatusCode: http.StatusOK, Status: s}}
}

// sleep waits for a backoff through the pacer, so that simulated time does
// not jump while a request is on its way (see Pacer.waitArrivals).
func (cl *Client) sleep(ctx context.Context, d time.Duration) error { return cl.pacer.sleep(ctx, d) }

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
