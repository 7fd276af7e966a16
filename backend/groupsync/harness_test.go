package groupsync

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"structura/backend/apperr"
	"structura/backend/clock"
	"structura/backend/events"
	"structura/backend/jobs"
	"structura/backend/model"
	"structura/backend/sandbox"
	"structura/backend/store"
	"structura/backend/structure"
	"structura/backend/xpm"
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const demoTenant = sandbox.DemoPracticeID

// testXPM is the connection as the tests see it: a real xpm.Client talking
// HTTP to an in-process sandbox, with a token minted through the sandbox's
// control API.
type testXPM struct {
	mu          sync.Mutex
	c           *xpm.Client
	tenant      Tenant
	state       ConnState
	connectedAt time.Time
	clientErr   error // refuses Client while connected (e.g. a two-factor lock)
}

func (x *testXPM) Client(ctx context.Context, write bool) (*xpm.Client, Tenant, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	switch x.state {
	case StateConnected:
		if x.clientErr != nil {
			return nil, x.tenant, x.clientErr
		}
		return x.c, x.tenant, nil
	case StateReconnect:
		return nil, Tenant{}, apperr.New(apperr.CodeAuth, "Structura's connection to Xero has expired or was revoked.", "Reconnect to Xero.")
	}
	return nil, Tenant{}, apperr.New(apperr.CodeAuth, "Structura is not connected to Xero Practice Manager.", "Connect to Xero first.")
}

func (x *testXPM) Status(context.Context) Status {
	x.mu.Lock()
	defer x.mu.Unlock()
	return Status{Tenant: x.tenant, State: x.state, ConnectedAt: x.connectedAt}
}

func (x *testXPM) set(state ConnState) {
	x.mu.Lock()
	x.state = state
	x.mu.Unlock()
}

// sandboxTokens mints a new access token through the sandbox's control API
// whenever the fake clock passes the current one's expiry.
type sandboxTokens struct {
	mu  sync.Mutex
	sb  *sandbox.Server
	clk clock.Clock
	tok *oauth2.Token
}

func (s *sandboxTokens) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil || !s.clk.Now().Before(s.tok.Expiry.Add(-time.Minute)) {
		ts, err := s.sb.MintToken(sandbox.UserAlex, "", "")
		if err != nil {
			return nil, err
		}
		s.tok = &oauth2.Token{AccessToken: ts.AccessToken, TokenType: "Bearer", Expiry: s.clk.Now().Add(sandbox.AccessTokenTTL)}
	}
	return s.tok, nil
}

// countingTransport counts the bytes of every answer.
type countingTransport struct {
	base  http.RoundTripper
	bytes atomic.Int64
	calls atomic.Int64
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := t.base.RoundTrip(r)
	if err == nil {
		t.calls.Add(1)
		res.Body = countingBody{res.Body, &t.bytes}
	}
	return res, err
}

// harness is a Structura backend (store, job runner, structure and
// groupsync services) talking to a sandbox over real HTTP, all on one
// auto-advancing fake clock.
type harness struct {
	t      testing.TB
	ctx    context.Context
	clk    *clock.Fake
	sb     *sandbox.Server
	dbPath string
	st     *store.Store
	runner *jobs.Runner
	svc    *Service
	local  *structure.Service
	rec    *hookRecorder
	x      *testXPM
	count  *countingTransport
}

// hookRecorder records events and calls onEvent for each (outside locks).
type hookRecorder struct {
	events.Recorder
	mu      sync.Mutex
	onEvent func(name string, data any)
}

func (h *hookRecorder) Emit(name string, data any) {
	h.Recorder.Emit(name, data)
	h.mu.Lock()
	f := h.onEvent
	h.mu.Unlock()
	if f != nil {
		f(name, data)
	}
}

func (h *hookRecorder) hook(f func(name string, data any)) {
	h.mu.Lock()
	h.onEvent = f
	h.mu.Unlock()
}

// newSandbox starts a sandbox on a loopback port with Xero's limits on.
func newSandbox(t testing.TB, clk *clock.Fake, data string) *sandbox.Server {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Clock: clk, Data: data, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

func newHarness(t testing.TB, data string) *harness {
	t.Helper()
	clk := clock.NewFake(start)
	h := &harness{t: t, ctx: context.Background(), clk: clk, dbPath: filepath.Join(t.TempDir(), "structura.db")}
	h.sb = newSandbox(t, clk, data)
	h.connectTo(h.sb)
	h.open()
	return h
}

// connectTo points the test connection at a sandbox.
func (h *harness) connectTo(sb *sandbox.Server) {
	h.count = &countingTransport{base: http.DefaultTransport}
	c, err := xpm.New(xpm.Config{
		APIBaseURL: sb.APIBaseURL(), ConnectionsURL: sb.ConnectionsURL(), TenantID: demoTenant,
		TokenSource: &sandboxTokens{sb: sb, clk: h.clk}, HTTPClient: &http.Client{Transport: h.count},
		Clock: h.clk, Retry: xpm.RetryPolicy{Seed: 1},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.x = &testXPM{c: c, tenant: Tenant{ID: demoTenant, Name: "Harbourside Accounting"}, state: StateConnected}
}

// open opens the store and starts the services (as core does).
func (h *harness) open() {
	t := h.t
	st, err := store.Open(h.ctx, h.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	h.st = st
	h.rec = &hookRecorder{}
	h.runner = jobs.New(st, h.clk, h.rec, nil)
	h.svc = New(st, h.x, h.runner, h.clk, h.rec, nil)
	h.svc.SetActor("test")
	h.local = structure.New(st, nil, h.clk, nil)
	h.local.SetActor("test")
	if _, err := h.runner.Start(h.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.close)
}

// close stops the services and closes the store (idempotent).
func (h *harness) close() {
	if h.st == nil {
		return
	}
	if err := h.runner.Close(10 * time.Second); err != nil {
		h.t.Error(err)
	}
	if err := h.st.Close(); err != nil {
		h.t.Error(err)
	}
	h.st = nil
}

func (h *harness) wait(info jobs.Info, err error) jobs.Info {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
	done, err := h.runner.Wait(h.ctx, info.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return done
}

func (h *harness) discover() jobs.Info {
	h.t.Helper()
	done := h.wait(h.svc.OnConnected(h.ctx, demoTenant))
	if done.State != jobs.StateSucceeded {
		h.t.Fatalf("discovery: %+v %+v", done, done.Error)
	}
	return done
}

func (h *harness) list(f Filter) GroupList {
	h.t.Helper()
	l, err := h.svc.ListXPMGroups(h.ctx, f)
	if err != nil {
		h.t.Fatal(err)
	}
	return l
}

// row returns the listed row of the XPM group called name.
func (h *harness) row(name string) XPMGroupRow {
	h.t.Helper()
	for _, r := range h.list(Filter{}).Groups {
		if r.Name == name {
			return r
		}
	}
	h.t.Fatalf("no XPM group %q in the list", name)
	return XPMGroupRow{}
}

// sandboxGroup returns the sandbox's group called name.
func (h *harness) sandboxGroup(name string) sandbox.Group {
	h.t.Helper()
	gs, err := h.sb.Groups(demoTenant)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, g := range gs {
		if g.Name == name {
			return g
		}
	}
	h.t.Fatalf("no sandbox group %q", name)
	return sandbox.Group{}
}

// rateLimited counts 429 answers in the sandbox's request log.
func (h *harness) rateLimited() int {
	n := 0
	for _, e := range h.sb.RequestLog() {
		if e.Status == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

func (h *harness) calls(op string) int {
	n := 0
	for _, e := range h.sb.RequestLog() {
		if e.Operation == op || strings.HasPrefix(e.Operation, op+"/") { // "clientgroup.api/get/{identifier}"
			n++
		}
	}
	return n
}

// entity creates a local entity in a group.
func (h *harness) entity(groupID int64, in model.EntityInput) model.Entity {
	h.t.Helper()
	e, err := h.local.CreateEntity(h.ctx, groupID, in)
	if err != nil {
		h.t.Fatal(err)
	}
	return e
}

func (h *harness) group(name string) model.Group {
	h.t.Helper()
	g, err := h.local.CreateGroup(h.ctx, name, "")
	if err != nil {
		h.t.Fatal(err)
	}
	return g
}

// dump reads every row of the tables, in order, as text: the test's own
// read-only view of the database file.
func dump(t testing.TB, path string, tables ...string) map[string][]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][]string{}
	for _, tab := range tables {
		rows, err := db.Query("SELECT * FROM " + tab + " ORDER BY 1, 2")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts = append(parts, fmt.Sprintf("%s=%v", cols[i], v))
			}
			out[tab] = append(out[tab], strings.Join(parts, " | "))
		}
		rows.Close()
		sort.Strings(out[tab])
	}
	return out
}

// exec runs SQL on the database file from outside the store.
func execSQL(t testing.TB, path, q string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

func countRows(t testing.TB, path, q string, args ...any) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantCode(t testing.TB, err error, code apperr.Code, contains ...string) *apperr.Error {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	for _, c := range contains {
		if !strings.Contains(e.Message+" "+e.Hint, c) {
			t.Fatalf("error %q / %q does not say %q", e.Message, e.Hint, c)
		}
	}
	return e
}
