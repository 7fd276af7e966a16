package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// LogEntry is one request the sandbox answered.
type LogEntry struct {
	Time      time.Time `json:"time"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Query     string    `json:"query,omitempty"`
	Status    int       `json:"status"` // -1: the connection was dropped (fault)
	Tenant    string    `json:"tenant,omitempty"`
	Operation string    `json:"operation,omitempty"`
	Fault     string    `json:"fault,omitempty"`
	// LimitProblem is X-Rate-Limit-Problem of a 429.
	LimitProblem string        `json:"limitProblem,omitempty"`
	Duration     time.Duration `json:"duration"`

	seq uint64 // arrival order (entries are written when calls end)
}

// Stats counts what the sandbox answered since the last Reset.
type Stats struct {
	Calls       int            `json:"calls"`
	RateLimited int            `json:"rateLimited"`
	Faults      int            `json:"faults"`
	ByOperation map[string]int `json:"byOperation"`
	ByStatus    map[int]int    `json:"byStatus"`
}

func (s *Server) record(seq uint64, r *http.Request, status int, tenantID, op, fault string, start time.Time, h ...http.Header) {
	now := s.now()
	e := LogEntry{seq: seq, Time: start, Method: r.Method, Path: r.URL.Path, Query: redactQuery(r.URL.RawQuery), Status: status,
		Tenant: tenantID, Operation: op, Fault: fault, Duration: now.Sub(start)}
	if len(h) > 0 && status == http.StatusTooManyRequests {
		e.LimitProblem = h[0].Get("X-Rate-Limit-Problem")
	}
	s.logger.Debug("sandbox request", "method", e.Method, "path", e.Path, "status", status, "tenant", tenantID, "op", op, "fault", fault)
	s.mu.Lock()
	defer s.mu.Unlock()
	max := s.opts.LogSize
	if max <= 0 {
		max = 100000
	}
	if len(s.reqlog) < max {
		s.reqlog = append(s.reqlog, e)
	} else {
		s.reqlog[s.logStart] = e
		s.logStart = (s.logStart + 1) % max
	}
	s.stats.Calls++
	if status == http.StatusTooManyRequests {
		s.stats.RateLimited++
	}
	if fault != "" {
		s.stats.Faults++
	}
	if op != "" {
		s.stats.ByOperation[op]++
	}
	s.stats.ByStatus[status]++
}

// redactQuery keeps secrets that travel in query strings out of the log.
func redactQuery(q string) string {
	if q == "" {
		return ""
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		switch k {
		case "code", "code_challenge", "state", "nonce", "client_secret":
			parts[i] = k + "=REDACTED"
		}
	}
	return strings.Join(parts, "&")
}

// RequestLog returns the logged requests, oldest first.
func (s *Server) RequestLog() []LogEntry {
	s.calls.settle(settleWait)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]LogEntry, 0, len(s.reqlog))
	out = append(out, s.reqlog[s.logStart:]...)
	out = append(out, s.reqlog[:s.logStart]...)
	// Calls are logged when they end; list them in the order they came.
	sort.SliceStable(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// ClearLog empties the request log and the counters.
func (s *Server) ClearLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqlog, s.logStart = nil, 0
	s.stats = Stats{ByOperation: map[string]int{}, ByStatus: map[int]int{}}
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.calls.settle(settleWait)
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByOperation = map[string]int{}
	for k, v := range s.stats.ByOperation {
		st.ByOperation[k] = v
	}
	st.ByStatus = map[int]int{}
	for k, v := range s.stats.ByStatus {
		st.ByStatus[k] = v
	}
	return st
}

// Snapshot is the saved state of the sandbox's practices (identity state,
// tokens included, is never saved).
type Snapshot struct {
	Version   int                      `json:"version"`
	Practices map[string]*PracticeData `json:"practices"` // by tenant id
}

// dataFor builds the practices for a data spec.
func (s *Server) dataFor(spec string) (map[string]*PracticeData, error) {
	seed := s.opts.Seed
	now := s.now()
	out := map[string]*PracticeData{}
	switch {
	case spec == "" || spec == "demo":
		out[DemoPracticeID] = DemoPractice(now)
		out[SecondPracticeID] = Generate(GenOptions{Clients: 24, Groups: 5, Seed: seed + 1, Now: now})
	case spec == "empty":
		out[DemoPracticeID] = &PracticeData{Staff: demoStaff()}
		out[SecondPracticeID] = &PracticeData{Staff: demoStaff()}
	case strings.HasPrefix(spec, "generated:"):
		parts := strings.Split(strings.TrimPrefix(spec, "generated:"), ":")
		n, err := strconv.Atoi(parts[0])
		if err != nil || n < 0 || len(parts) > 2 {
			return nil, fmt.Errorf("data %q: use generated:N or generated:N:M (N clients, M groups)", spec)
		}
		m := -1
		if len(parts) == 2 {
			if m, err = strconv.Atoi(parts[1]); err != nil || m < 0 {
				return nil, fmt.Errorf("data %q: the number of groups must be a whole number", spec)
			}
		}
		out[DemoPracticeID] = Generate(GenOptions{Clients: n, Groups: m, Seed: seed, Now: now})
		out[SecondPracticeID] = Generate(GenOptions{Clients: 24, Groups: 5, Seed: seed + 1, Now: now})
	default:
		return nil, fmt.Errorf("data %q: use demo, empty, generated:N or generated:N:M", spec)
	}
	return out, nil
}

// Reset reloads data ("demo", "empty", "generated:N[:M]"; "" = the data
// the server was created with) and clears the request log, counters, limit
// windows, forced conflicts and fault counters. Grants and tokens survive
// (see ResetIdentity).
func (s *Server) Reset(data string) error {
	if data == "" {
		data = s.opts.Data
	}
	sets, err := s.dataFor(data)
	if err != nil {
		return err
	}
	return s.load(sets)
}

func (s *Server) load(sets map[string]*PracticeData) error {
	built := map[string]*practice{}
	for id, d := range sets {
		p, err := practiceFromData(d)
		if err != nil {
			return fmt.Errorf("practice %s: %w", id, err)
		}
		built[strings.ToLower(id)] = p
	}
	s.mu.Lock()
	for id := range built {
		t := s.tenants[id]
		if t == nil {
			s.mu.Unlock()
			return fmt.Errorf("load: tenant %s is not a sandbox practice", id)
		}
		if t.Type != "PRACTICE" {
			s.mu.Unlock()
			return fmt.Errorf("load: tenant %s is an %s, not a practice", id, t.Type)
		}
	}
	for _, t := range s.tenants {
		if t.Type == "PRACTICE" {
			if p := built[t.ID]; p != nil {
				t.p = p
			} else {
				t.p = newPractice()
			}
		}
	}
	s.reqlog, s.logStart = nil, 0
	s.stats = Stats{ByOperation: map[string]int{}, ByStatus: map[int]int{}}
	if s.faults != nil {
		s.faults.seen = make([]int, len(s.faults.cfg.Rules))
		s.faults.fired = make([]int, len(s.faults.cfg.Rules))
	}
	s.mu.Unlock()
	s.limiter.reset()
	return nil
}

// ResetIdentity forgets every code, grant, token and connection and
// restores the scenario users and the default app.
func (s *Server) ResetIdentity() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetIdentityLocked()
}

// Load replaces the practices with a saved Snapshot.
func (s *Server) Load(r io.Reader) error {
	var snap Snapshot
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&snap); err != nil {
		return fmt.Errorf("read sandbox data: %w", err)
	}
	if snap.Version != 1 {
		return fmt.Errorf("sandbox data version %d is not supported (want 1)", snap.Version)
	}
	return s.load(snap.Practices)
}

// LoadFile is Load from a file.
func (s *Server) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open sandbox data: %w", err)
	}
	defer f.Close()
	return s.Load(f)
}

// Snapshot copies every practice's data.
func (s *Server) Snapshot() *Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := &Snapshot{Version: 1, Practices: map[string]*PracticeData{}}
	for _, t := range s.tenants {
		if t.p != nil {
			snap.Practices[t.ID] = t.p.data()
		}
	}
	return snap
}

// SaveFile writes a Snapshot as JSON, atomically (temp file + rename).
func (s *Server) SaveFile(path string) error {
	b, err := json.MarshalIndent(s.Snapshot(), "", " ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sandbox-*.json")
	if err != nil {
		return fmt.Errorf("save sandbox data: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("save sandbox data: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ---- tokens without the consent page --------------------------------------

// MintToken grants clientID ("" = DefaultClientID) access for userID with
// scopes ("" = DefaultScopes), as if the user had allowed it on the consent
// page, and returns the tokens.
func (s *Server) MintToken(userID, clientID, scopes string) (TokenSet, error) {
	if clientID == "" {
		clientID = DefaultClientID
	}
	if scopes == "" {
		scopes = DefaultScopes
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userLocked(userID)
	if u == nil {
		return TokenSet{}, fmt.Errorf("sandbox: no user %q", userID)
	}
	if s.apps[clientID] == nil {
		return TokenSet{}, fmt.Errorf("sandbox: no app %q", clientID)
	}
	list := strings.Fields(scopes)
	for _, sc := range list {
		if !s.scopes[sc] {
			return TokenSet{}, fmt.Errorf("sandbox: unknown scope %q", sc)
		}
	}
	g := s.newGrantLocked(clientID, u, list)
	return s.issueLocked(g, true, ""), nil
}

func (s *Server) grantOfRefreshLocked(token string) (*refreshToken, *grant, error) {
	rt := s.refresh[token]
	if rt == nil {
		return nil, nil, errors.New("sandbox: unknown refresh token")
	}
	return rt, s.grants[rt.grantID], nil
}

// RevokeRefreshToken revokes, on the server side, the grant a refresh token
// belongs to (as if the user disconnected the app in Xero): its tokens stop
// working and its connections go.
func (s *Server) RevokeRefreshToken(token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, g, err := s.grantOfRefreshLocked(token)
	if err != nil {
		return err
	}
	s.revokeGrantLocked(g)
	return nil
}

// RevokeUser revokes every grant of a user and returns how many.
func (s *Server) RevokeUser(userID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, g := range s.grants {
		if g.userID == userID && !g.revoked {
			s.revokeGrantLocked(g)
			n++
		}
	}
	return n
}

// AgeRefreshToken moves a refresh token's issue time back by d (d of 60
// days or more expires it).
func (s *Server) AgeRefreshToken(token string, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, _, err := s.grantOfRefreshLocked(token)
	if err != nil {
		return err
	}
	rt.issued = rt.issued.Add(-d)
	return nil
}

// ExpireRefreshToken makes a refresh token expired (60 days unused).
func (s *Server) ExpireRefreshToken(token string) error {
	return s.AgeRefreshToken(token, RefreshTokenTTL)
}

// ExpireAccessToken makes an access token expired now.
func (s *Server) ExpireAccessToken(token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.access[token]
	if at == nil {
		return errors.New("sandbox: unknown access token")
	}
	at.expires = s.now()
	return nil
}

// ---- data for assertions and direct changes -------------------------------

func (s *Server) practiceLocked(tenantID string) (*practice, error) {
	t := s.tenants[strings.ToLower(tenantID)]
	if t == nil || t.p == nil {
		return nil, fmt.Errorf("sandbox: %q is not a practice", tenantID)
	}
	return t.p, nil
}

// Data returns a copy of a practice's clients, groups, relationships and
// staff.
func (s *Server) Data(tenantID string) (*PracticeData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.practiceLocked(tenantID)
	if err != nil {
		return nil, err
	}
	return p.data(), nil
}

// Clients returns a copy of a practice's clients, ordered by name.
func (s *Server) Clients(tenantID string) ([]Client, error) {
	d, err := s.Data(tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]Client, len(d.Clients))
	for i, c := range d.Clients {
		out[i] = *c
	}
	return out, nil
}

// Client returns one client.
func (s *Server) Client(tenantID, id string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.practiceLocked(tenantID)
	if err != nil {
		return Client{}, false
	}
	c := p.client(id)
	if c == nil {
		return Client{}, false
	}
	return *c.clone(), true
}

// Groups returns a copy of a practice's groups, ordered by name.
func (s *Server) Groups(tenantID string) ([]Group, error) {
	d, err := s.Data(tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]Group, len(d.Groups))
	for i, g := range d.Groups {
		out[i] = *g
	}
	return out, nil
}

// Relationships returns a copy of a practice's relationships.
func (s *Server) Relationships(tenantID string) ([]Relationship, error) {
	d, err := s.Data(tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]Relationship, len(d.Relationships))
	for i, r := range d.Relationships {
		out[i] = *r
	}
	return out, nil
}

// PutClient adds a client (a new uuid when UUID is empty) or replaces one,
// marking it modified now, as if someone changed it in XPM.
func (s *Server) PutClient(tenantID string, c Client) (Client, error) {
	if strings.TrimSpace(c.Name) == "" {
		return Client{}, errors.New("sandbox: a client needs a name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.practiceLocked(tenantID)
	if err != nil {
		return Client{}, err
	}
	now := s.now()
	n := c.clone()
	if n.UUID == "" {
		n.UUID = uuid.NewString()
	}
	if old := p.clients[n.UUID]; old != nil {
		n.Created = old.Created
	} else if n.Created.IsZero() {
		n.Created = now
	}
	if n.BusinessStructure != "" {
		bs, ok := p.canonicalStructure(n.BusinessStructure)
		if !ok {
			return Client{}, fmt.Errorf("sandbox: business structure %q is not set up in this practice", n.BusinessStructure)
		}
		n.BusinessStructure = bs
	}
	n.Modified = now
	p.clients[n.UUID] = n
	return *n.clone(), nil
}

// UpdateClient changes a client with fn and marks it modified now.
func (s *Server) UpdateClient(tenantID, id string, fn func(*Client)) (Client, error) {
	c, ok := s.Client(tenantID, id)
	if !ok {
		return Client{}, fmt.Errorf("sandbox: no client %s", id)
	}
	fn(&c)
	c.UUID = id
	return s.PutClient(tenantID, c)
}

// DeleteClient removes a client with its relationships and memberships.
func (s *Server) DeleteClient(tenantID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.practiceLocked(tenantID)
	if err != nil {
		return err
	}
	if p.clients[id] == nil {
		return fmt.Errorf("sandbox: no client %s", id)
	}
	p.removeClient(s.now(), id)
	return nil
}

// PutGroup adds (new uuid when UUID is empty) or replaces a group; its
// members' modified time moves to now.
func (s *Server) PutGroup(tenantID string, g Group) (Group, error) {
	if strings.TrimSpace(g.Name) == "" {
		return Group{}, errors.New("sandbox: a group needs a name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.practiceLocked(tenantID)
	if err != nil {
		return Group{}, err
	}
	for _, m := range g.Members {
		if p.clients[m] == nil {
			return Group{}, fmt.Errorf("sandbox: group member %s is not a client", m)
		}
	}
	now := s.now()
	n := g.clone()
	if n.UUID == "" {
		n.UUID = uuid.NewString()
	}
	if n.Taxable == "" {
		n.Taxable = "No"
	}
	n.Modified = now
	var touched []string
	if old := p.groups[n.UUID]; old != nil {
		touched = append(touched, old.Members...)
	}
	touched = append(touched, n.Members...)
	p.groups[n.UUID] = n
	p.touch(now, touched...)
	return *n.clone(), nil
}

// DeleteGroup removes a group (its clients stay).
func (s *Server) DeleteGroup(tenantID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.practiceLocked(tenantID)
	if err != nil {
		return err
	}
	if p.groups[id] == nil {
		return fmt.Errorf("sandbox: no group %s", id)
	}
	return p.deleteGroup(s.now(), map[string]any{"uuid": id})
}

// PutRelationship adds (new uuid when UUID is empty) or replaces a
// relationship; Type must be in data/relationship-types.json.
func (s *Server) PutRelationship(tenantID string, r Relationship) (Relationship, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.practiceLocked(tenantID)
	if err != nil {
		return Relationship{}, err
	}
	if p.clients[r.ClientUUID] == nil || p.clients[r.RelatedClientUUID] == nil || r.ClientUUID == r.RelatedClientUUID {
		return Relationship{}, errors.New("sandbox: a relationship needs two different existing clients")
	}
	typ, _, ok := canonicalRelType(r.Type)
	if !ok {
		return Relationship{}, fmt.Errorf("sandbox: relationship type %q is unknown", r.Type)
	}
	n := r.clone()
	n.Type = typ
	if n.UUID == "" {
		n.UUID = uuid.NewString()
	}
	p.rels[n.UUID] = n
	p.touch(s.now(), n.ClientUUID, n.RelatedClientUUID)
	return *n.clone(), nil
}

// DeleteRelationship removes a relationship from both clients.
func (s *Server) DeleteRelationship(tenantID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.practiceLocked(tenantID)
	if err != nil {
		return err
	}
	_, err = p.deleteRelationship(s.now(), map[string]any{"uuid": id})
	return err
}

// ForceConflict makes the next client.api/update of a client answer 409,
// the way XPM answers an update based on a stale read.
func (s *Server) ForceConflict(tenantID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.practiceLocked(tenantID)
	if err != nil {
		return err
	}
	if p.clients[clientID] == nil {
		return fmt.Errorf("sandbox: no client %s", clientID)
	}
	p.conflictNext[clientID] = true
	return nil
}

// Connection is a tenant a user has connected to an app.
type Connection struct {
	ID          string    `json:"id"`
	TenantID    string    `json:"tenantId"`
	TenantType  string    `json:"tenantType"`
	UserID      string    `json:"userId"`
	ClientID    string    `json:"clientId"`
	AuthEventID string    `json:"authEventId"`
	Created     time.Time `json:"created"`
}

// Connections lists the live connections of a user (all apps).
func (s *Server) Connections(userID string) []Connection {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Connection
	for _, c := range s.conns {
		if c.UserID == userID {
			out = append(out, Connection{ID: c.ID, TenantID: c.TenantID, TenantType: s.tenants[c.TenantID].Type,
				UserID: c.UserID, ClientID: c.ClientID, AuthEventID: c.AuthEventID, Created: c.Created})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TenantID < out[j].TenantID })
	return out
}

// settleWait bounds how long RequestLog and Stats wait for calls still
// being handled.
const settleWait = 2 * time.Second

// callTracker counts the calls being handled. A client can see an answer,
// or a dropped connection, a moment before the handler writes its log
// entry; RequestLog and Stats wait (briefly) for such calls, so they include
// every call a client has already seen the end of.
type callTracker struct {
	mu   sync.Mutex
	n    int
	seq  uint64
	idle chan struct{}
}

// begin notes a call coming in and returns its arrival number.
func (c *callTracker) begin() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 {
		c.idle = make(chan struct{})
	}
	c.n++
	c.seq++
	return c.seq
}

func (c *callTracker) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n--
	if c.n == 0 {
		close(c.idle)
	}
}

// settle waits until no call is being handled, or for at most d (a
// long-running call, such as a streamed list, must not block the caller).
func (c *callTracker) settle(d time.Duration) {
	c.mu.Lock()
	if c.n == 0 {
		c.mu.Unlock()
		return
	}
	idle := c.idle
	c.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
	}
}
