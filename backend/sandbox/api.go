package sandbox

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// statusRecorder remembers the status of an answer and passes Flush and
// Hijack through (faults need them).
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(p)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hijack not supported")
	}
	if r.code == 0 {
		r.code = -1 // connection dropped
	}
	return hj.Hijack()
}

func (r *statusRecorder) status() int { return r.code }

// finisher is told just before the last bytes of an answer go out (or the
// connection is dropped), so the in-flight slot is free by the time the
// client can send its next call.
type finisher interface{ finishing() }

func finishing(w http.ResponseWriter) {
	if f, ok := w.(finisher); ok {
		f.finishing()
	}
}

// releaseWriter frees the limiter's in-flight slot before the answer
// completes: when a write reaches Content-Length, or when finishing is
// called (streamed answers, dropped connections).
type releaseWriter struct {
	*statusRecorder
	release func()
	written int64
}

func (w *releaseWriter) finishing() { w.release() }

func (w *releaseWriter) Write(p []byte) (int, error) {
	if cl, err := strconv.ParseInt(w.Header().Get("Content-Length"), 10, 64); err == nil && w.written+int64(len(p)) >= cl {
		w.release()
	}
	w.written += int64(len(p))
	return w.statusRecorder.Write(p)
}

// writeAPIError answers with XPM's ResponseErrorDto.
func writeAPIError(w http.ResponseWriter, status int, msg string) {
	st := "ERROR"
	switch status {
	case http.StatusUnauthorized:
		st = "Unauthorized"
	case http.StatusForbidden:
		st = "Forbidden"
	case http.StatusTooManyRequests:
		st = "TooManyRequests"
	}
	b, _ := json.Marshal(map[string]string{"status": st, "errorDescription": msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// identityCall wraps identity endpoints with the request log and faults.
func (s *Server) identityCall(w http.ResponseWriter, r *http.Request, op string, next func(http.ResponseWriter, *http.Request)) {
	start := s.now()
	rec := &statusRecorder{ResponseWriter: w}
	var fault string
	seq := s.calls.begin()
	defer s.calls.end() // after the record below (defers run last first)
	defer func() { s.record(seq, r, rec.status(), "", op, fault, start) }()
	s.mu.Lock()
	fired := s.faults.decideLocked(op, r.Method, "")
	s.mu.Unlock()
	fault = s.applyFaults(rec, r, fired, nil, next)
}

// applyFaults runs next under the fired rules and names the fault applied.
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request, fired []FaultRule, expire func(), next func(http.ResponseWriter, *http.Request)) string {
	var names []string
	terminal := ""
	status := 0
	for _, f := range fired {
		switch f.Kind {
		case FaultLatency:
			names = append(names, "latency:"+time.Duration(f.Latency).String())
			if err := s.sleep(r.Context(), time.Duration(f.Latency)); err != nil {
				return strings.Join(names, ",")
			}
		case FaultStatus:
			if terminal == "" {
				terminal, status = FaultStatus, f.Status
			}
		default:
			if terminal == "" {
				terminal = f.Kind
			}
		}
	}
	switch terminal {
	case "":
		next(w, r)
	case FaultStatus:
		names = append(names, "status:"+strconv.Itoa(status))
		writeStatusFault(w, status)
	case FaultExpireToken:
		names = append(names, terminal)
		if expire != nil {
			expire()
		}
		next(w, r)
	default:
		names = append(names, terminal)
		runFaulted(w, r, terminal, next)
	}
	return strings.Join(names, ",")
}

func (s *Server) findOperation(method, path string) (*specOperation, map[string]string, bool) {
	lp := strings.ToLower(path)
	var rel string
	switch {
	case strings.HasPrefix(lp, APIBasePath+"/"):
		rel = path[len(APIBasePath)+1:]
	case strings.HasPrefix(lp, APIBasePathV+"/"):
		rel = path[len(APIBasePathV)+1:]
	}
	segs := strings.Split(rel, "/")
	pathKnown := false
	for _, op := range s.ops {
		if params, ok := op.match(method, segs); ok {
			return op, params, true
		}
		if _, ok := op.match(op.Method, segs); ok {
			pathKnown = true
		}
	}
	return nil, nil, pathKnown
}

// implemented lists the operations the sandbox serves (the ones Structura
// uses). Other spec operations answer 501.
var implemented = map[string]bool{
	"client.api/list": true, "client.api/paged-list": true, "client.api/search": true,
	"client.api/get/{identifier}": true, "client.api/add": true, "client.api/update": true,
	"client.api/archive": true, "client.api/delete": true, "client.api/addrelationship": true,
	"client.api/updaterelationship": true, "client.api/deleterelationship": true,
	"clientgroup.api/list": true, "clientgroup.api/get/{identifier}": true, "clientgroup.api/add": true,
	"clientgroup.api/members": true, "clientgroup.api/delete": true, "staff.api/list": true,
}

func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	rec := &statusRecorder{ResponseWriter: w}
	w = rec
	var tenantID, opName, fault string
	seq := s.calls.begin()
	defer s.calls.end() // after the record below (defers run last first)
	defer func() { s.record(seq, r, rec.status(), tenantID, opName, fault, start, rec.Header()) }()

	op, params, pathKnown := s.findOperation(r.Method, r.URL.Path)
	if op == nil {
		if pathKnown {
			writeAPIError(w, http.StatusMethodNotAllowed, "The method is not allowed for this resource.")
			return
		}
		writeAPIError(w, http.StatusNotFound, "The resource could not be found.")
		return
	}
	opName = op.Name

	s.mu.Lock()
	g, at, why := s.bearerGrantLocked(r)
	if g == nil {
		s.mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+why+`"`)
		writeAPIError(w, http.StatusUnauthorized, "AuthenticationUnsuccessful")
		return
	}
	tenantID = strings.TrimSpace(r.Header.Get("Xero-Tenant-Id"))
	t := s.tenants[strings.ToLower(tenantID)]
	if tenantID == "" || t == nil || t.p == nil || !s.connectedLocked(g, tenantID) {
		s.mu.Unlock()
		writeAPIError(w, http.StatusForbidden, "AuthorizationUnsuccessful")
		return
	}
	tenantID = t.ID
	clientID := g.clientID
	scopes := g.scopes
	s.mu.Unlock()

	lim := s.limiter.acquire(s.now(), tenantID, clientID)
	defer lim.release()
	w = &releaseWriter{statusRecorder: rec, release: lim.release}
	lim.setHeaders(w.Header())
	if lim.problem != "" {
		writeAPIError(w, http.StatusTooManyRequests, "Rate limit exceeded: "+lim.problem)
		return
	}

	s.mu.Lock()
	fired := s.faults.decideLocked(op.Name, r.Method, tenantID)
	s.mu.Unlock()
	expire := func() {
		s.mu.Lock()
		at.expires = s.now()
		s.mu.Unlock()
	}
	fault = s.applyFaults(w, r, fired, expire, func(w http.ResponseWriter, r *http.Request) {
		s.serveOperation(w, r, op, params, t, scopes, at)
	})
}

func (s *Server) serveOperation(w http.ResponseWriter, r *http.Request, op *specOperation, params map[string]string, t *tenant, scopes []string, at *accessToken) {
	// The token may have expired while the call waited (latency, faults).
	s.mu.Lock()
	expired := !s.now().Before(at.expires)
	s.mu.Unlock()
	if expired {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="token expired"`)
		writeAPIError(w, http.StatusUnauthorized, "AuthenticationUnsuccessful")
		return
	}
	allowed := false
	for _, need := range op.Scopes {
		if hasScope(scopes, need) {
			allowed = true
		}
	}
	if !allowed {
		writeAPIError(w, http.StatusForbidden, "AuthorizationUnsuccessful: the connection's scopes do not allow this operation")
		return
	}
	if !implemented[op.Name] {
		writeAPIError(w, http.StatusNotImplemented, "The sandbox does not implement "+op.Name+".")
		return
	}
	if strings.Contains(strings.ToLower(r.Header.Get("Xero-Features")), "practice-strict-content-type") {
		if a := r.Header.Get("Accept"); a != "" && !strings.Contains(a, "application/json") && !strings.Contains(a, "*/*") {
			writeAPIError(w, http.StatusNotAcceptable, "Accept must allow application/json.")
			return
		}
		if op.Op.RequestBody != nil && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			writeAPIError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json.")
			return
		}
	}
	var raw []byte
	if op.Op.RequestBody != nil {
		var err error
		raw, err = io.ReadAll(io.LimitReader(r.Body, 8<<20))
		if err != nil {
			writeAPIError(w, http.StatusBadRequest, "The request body could not be read.")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		if r.Header.Get("Content-Type") == "" {
			r.Header.Set("Content-Type", "application/json")
		}
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      &routers.Route{Spec: s.doc, Path: op.Path, PathItem: op.PathItem, Method: op.Method, Operation: op.Op},
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		writeAPIError(w, http.StatusBadRequest, "The request was invalid: "+oneLine(err.Error()))
		return
	}
	var body map[string]any
	if raw != nil {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil || body == nil {
			writeAPIError(w, http.StatusBadRequest, "The request body must be a JSON object.")
			return
		}
	}
	s.dispatch(w, r, op.Name, params, t, body)
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}

// okWriter starts a {"status":"OK", …} answer.
func okJSON(fill func(w *jw)) []byte {
	w := &jw{b: make([]byte, 0, 1024)}
	w.obj()
	w.s("status", "OK")
	fill(w)
	w.endObj()
	return w.b
}

func writeOK(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func writeErr(w http.ResponseWriter, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeAPIError(w, ae.status, ae.msg)
		return
	}
	writeAPIError(w, http.StatusInternalServerError, "An unexpected error occurred.")
}

func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, name string, params map[string]string, t *tenant, body map[string]any) {
	base := s.baseURLFor(r)
	q := r.URL.Query()
	now := s.now()
	switch name {
	case "client.api/list":
		detailed := q.Get("detailed") == "true"
		var since time.Time
		if ms := q.Get("modifiedSince"); ms != "" {
			ts, err := time.Parse(xpmDateLayout, ms)
			if err != nil {
				writeAPIError(w, http.StatusBadRequest, "modifiedSince must be yyyy-MM-ddTHH:mm:ss")
				return
			}
			since = ts
		}
		s.streamClients(w, base, t, detailed, func(c *Client) bool {
			return since.IsZero() || !c.Modified.Before(since)
		})
	case "client.api/search":
		query := strings.ToLower(strings.TrimSpace(q.Get("query")))
		if query == "" {
			writeAPIError(w, http.StatusBadRequest, "query is required")
			return
		}
		s.streamClients(w, base, t, q.Get("detailed") == "true", func(c *Client) bool {
			for _, f := range []string{c.Name, c.FirstName, c.LastName, c.Email, c.ClientCode, c.BusinessNumber, c.CompanyNumber} {
				if f != "" && strings.Contains(strings.ToLower(f), query) {
					return true
				}
			}
			return false
		})
	case "client.api/paged-list":
		s.pagedList(w, r, base, t)
	case "client.api/get/{identifier}":
		s.mu.Lock()
		c := t.p.client(params["identifier"])
		if c == nil {
			s.mu.Unlock()
			writeAPIError(w, http.StatusNotFound, "Client "+params["identifier"]+" not found")
			return
		}
		v := newViewFor(t.p, base, []*Client{c})
		s.mu.Unlock()
		writeOK(w, okJSON(func(j *jw) { j.k("client"); v.client(j, c, true) }))
	case "client.api/add", "client.api/update", "client.api/archive":
		s.mu.Lock()
		var c *Client
		var err error
		switch name {
		case "client.api/add":
			c, err = t.p.addClient(now, body)
		case "client.api/update":
			c, err = t.p.updateClient(now, body)
		default:
			c, err = t.p.archiveClient(now, body)
		}
		if err != nil {
			s.mu.Unlock()
			writeErr(w, err)
			return
		}
		v := newViewFor(t.p, base, []*Client{c})
		s.mu.Unlock()
		writeOK(w, okJSON(func(j *jw) { j.k("client"); v.client(j, c, true) }))
	case "client.api/delete":
		s.mu.Lock()
		err := t.p.deleteClient(now, body)
		s.mu.Unlock()
		if err != nil {
			writeErr(w, err)
			return
		}
		writeOK(w, okJSON(func(*jw) {}))
	case "client.api/addrelationship", "client.api/updaterelationship", "client.api/deleterelationship":
		s.mu.Lock()
		var rel *Relationship
		var err error
		switch name {
		case "client.api/addrelationship":
			rel, err = t.p.addRelationship(now, body)
		case "client.api/updaterelationship":
			rel, err = t.p.updateRelationship(now, body)
		default:
			rel, err = t.p.deleteRelationship(now, body)
		}
		if err != nil {
			s.mu.Unlock()
			writeErr(w, err)
			return
		}
		cn, rn := "", ""
		if c := t.p.clients[rel.ClientUUID]; c != nil {
			cn = c.Name
		}
		if c := t.p.clients[rel.RelatedClientUUID]; c != nil {
			rn = c.Name
		}
		s.mu.Unlock()
		v := &view{baseURL: base}
		writeOK(w, okJSON(func(j *jw) { j.k("clientRelationship"); v.relationshipDetail(j, rel, cn, rn) }))
	case "clientgroup.api/list":
		s.mu.Lock()
		groups := t.p.sortedGroups()
		s.mu.Unlock()
		v := &view{baseURL: base}
		writeOK(w, okJSON(func(j *jw) {
			j.k("groups")
			j.arr()
			for _, g := range groups {
				v.group(j, g, false)
			}
			j.endArr()
		}))
	case "clientgroup.api/get/{identifier}", "clientgroup.api/add", "clientgroup.api/members":
		s.mu.Lock()
		var g *Group
		var err error
		switch name {
		case "clientgroup.api/add":
			g, err = t.p.addGroup(now, body)
		case "clientgroup.api/members":
			g, err = t.p.groupMembers(now, body)
		default:
			if g = t.p.group(params["identifier"]); g == nil {
				err = notFound("Client group %s not found", params["identifier"])
			}
		}
		if err != nil {
			s.mu.Unlock()
			writeErr(w, err)
			return
		}
		v := &view{baseURL: base, names: map[string]string{}}
		for _, m := range g.Members {
			if c := t.p.clients[m]; c != nil {
				v.names[m] = c.Name
			}
		}
		s.mu.Unlock()
		writeOK(w, okJSON(func(j *jw) { j.k("group"); v.group(j, g, true) }))
	case "clientgroup.api/delete":
		s.mu.Lock()
		err := t.p.deleteGroup(now, body)
		s.mu.Unlock()
		if err != nil {
			writeErr(w, err)
			return
		}
		writeOK(w, okJSON(func(*jw) {}))
	case "staff.api/list":
		s.mu.Lock()
		staff := append([]*Staff(nil), t.p.staff...)
		s.mu.Unlock()
		v := &view{baseURL: base}
		writeOK(w, okJSON(func(j *jw) {
			j.k("staffList")
			j.arr()
			for _, st := range staff {
				v.staff(j, st)
			}
			j.endArr()
		}))
	default:
		writeAPIError(w, http.StatusNotImplemented, "The sandbox does not implement "+name+".")
	}
}

// newViewFor builds a detailed view restricted to what a few clients need.
func newViewFor(p *practice, base string, clients []*Client) *view {
	ids := map[string]bool{}
	v := &view{baseURL: base, names: map[string]string{}, staffN: map[string]string{},
		groupsOf: map[string][]*Group{}, relsOf: map[string][]*Relationship{}}
	name := func(id string) {
		if c := p.clients[id]; c != nil {
			v.names[id] = c.Name
		}
	}
	for _, c := range clients {
		ids[c.UUID] = true
		v.names[c.UUID] = c.Name
		name(c.BillingClientUUID)
	}
	for _, st := range p.staff {
		v.staffN[strings.ToLower(st.UUID)] = st.Name
	}
	// Pick what touches these clients first, then sort only that (sorting
	// the whole practice on every call made large practices slow).
	for _, g := range p.groups {
		for _, m := range g.Members {
			if ids[m] {
				v.groupsOf[m] = append(v.groupsOf[m], g)
			}
		}
	}
	for _, r := range p.rels {
		for _, id := range []string{r.ClientUUID, r.RelatedClientUUID} {
			if ids[id] {
				v.relsOf[id] = append(v.relsOf[id], r)
				name(r.ClientUUID)
				name(r.RelatedClientUUID)
			}
		}
	}
	for _, gs := range v.groupsOf {
		sortByName(gs, func(g *Group) (string, string) { return g.Name, g.UUID })
	}
	for _, rs := range v.relsOf {
		sort.Slice(rs, func(i, j int) bool { return rs[i].UUID < rs[j].UUID })
	}
	return v
}

// MaxPageSize is the largest pageSize paged-list accepts (an assumption:
// the spec gives only the default, 50).
const MaxPageSize = 1000

// pagedList serves client.api/paged-list: non-archived clients (deleted
// ones are gone) as ClientBaseDto, ordered by name, with keyset page
// tokens so inserts between pages neither skip nor repeat clients.
func (s *Server) pagedList(w http.ResponseWriter, r *http.Request, base string, t *tenant) {
	q := r.URL.Query()
	size := 50
	if ps := q.Get("pageSize"); ps != "" {
		n, err := strconv.Atoi(ps)
		if err != nil || n < 1 || n > MaxPageSize {
			writeAPIError(w, http.StatusBadRequest, "pageSize must be between 1 and "+strconv.Itoa(MaxPageSize))
			return
		}
		size = n
	}
	var afterName, afterUUID string
	if tok := q.Get("pageToken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		parts := strings.SplitN(string(raw), "\x00", 3)
		if err != nil || len(parts) != 3 || parts[0] != "p1" {
			writeAPIError(w, http.StatusBadRequest, "pageToken is not valid")
			return
		}
		afterName, afterUUID = parts[1], parts[2]
	}
	s.mu.Lock()
	all := t.p.sortedClients(false)
	v := newView(t.p, base, false)
	s.mu.Unlock()
	startIdx := 0
	if afterUUID != "" {
		startIdx = sort.Search(len(all), func(i int) bool {
			n := strings.ToLower(all[i].Name)
			return n > afterName || (n == afterName && all[i].UUID > afterUUID)
		})
	}
	end := min(startIdx+size, len(all))
	page := all[startIdx:end]
	link := func(token string) string {
		u := base + r.URL.Path + "?pageSize=" + strconv.Itoa(size)
		if token != "" {
			u += "&pageToken=" + token
		}
		return u
	}
	next := ""
	if end < len(all) && len(page) > 0 {
		last := page[len(page)-1]
		next = link(base64.RawURLEncoding.EncodeToString([]byte("p1\x00" + strings.ToLower(last.Name) + "\x00" + last.UUID)))
	}
	writeOK(w, okJSON(func(j *jw) {
		j.k("clients")
		j.arr()
		for _, c := range page {
			j.obj()
			v.clientBase(j, c)
			j.endObj()
		}
		j.endArr()
		j.k("pagination")
		j.obj()
		j.k("links")
		j.obj()
		j.s("first", link(""))
		j.s("next", next)
		j.endObj()
		j.endObj()
	}))
}

// streamClients writes {"status":"OK","clients":[…]} client by client, so a
// 15,000-client detailed list is never held in memory as one buffer.
func (s *Server) streamClients(w http.ResponseWriter, base string, t *tenant, detailed bool, keep func(*Client) bool) {
	s.mu.Lock()
	all := t.p.sortedClients(true)
	v := newView(t.p, base, detailed)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	j := &jw{b: make([]byte, 0, 64<<10)}
	j.obj()
	j.s("status", "OK")
	j.k("clients")
	j.arr()
	for _, c := range all {
		if !keep(c) {
			continue
		}
		v.client(j, c, detailed)
		if len(j.b) >= 60<<10 {
			if _, err := w.Write(j.b); err != nil {
				return
			}
			j.b = j.b[:0]
		}
	}
	j.endArr()
	j.endObj()
	finishing(w)
	_, _ = w.Write(j.b)
}
