package xpm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"structura/backend/clock"
)

// go-github style test setup: a client pointed at an httptest server whose
// mux serves XPM under /practicemanager/3.1 and identity under
// /connections, with every request (and every canned answer) checked
// against the spec.

const (
	testTenant = "8f2a7c1e-2b1d-4c9a-9a43-3c1f0e7a5b21"
	testToken  = "access-token-SECRET-1234"
	apiPrefix  = "/practicemanager/3.1"
)

var testStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type testEnv struct {
	srv    *httptest.Server
	mux    *http.ServeMux
	v      *specValidator
	clk    *clock.Fake
	reqLog *syncBuffer
}

// handle registers h for an XPM path ("/client.api/get/").
func (e *testEnv) handle(path string, h http.HandlerFunc) { e.mux.HandleFunc(apiPrefix+path, h) }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func setup(t *testing.T, mods ...func(*Config)) (*Client, *testEnv) {
	t.Helper()
	env := &testEnv{mux: http.NewServeMux(), clk: clock.NewFake(testStart), reqLog: &syncBuffer{}}
	env.v = &specValidator{t: t, s: loadSpecs(t), tenant: testTenant}
	env.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.Error(w, "no handler", http.StatusNotImplemented)
	})
	env.srv = httptest.NewServer(env.v.wrap(env.mux))
	t.Cleanup(env.srv.Close)
	cfg := Config{
		APIBaseURL:     env.srv.URL + apiPrefix,
		ConnectionsURL: env.srv.URL + "/connections",
		TenantID:       testTenant,
		TokenSource:    oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken, TokenType: "Bearer"}),
		HTTPClient:     env.srv.Client(),
		Clock:          env.clk,
		RequestLog:     env.reqLog,
		Retry:          RetryPolicy{Seed: 1},
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, env
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("method %s, want %s", r.Method, want)
	}
}

// readBody decodes the request body into a generic map.
func readBody(t *testing.T, r *http.Request) map[string]any {
	t.Helper()
	var m map[string]any
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Errorf("request body %q: %v", b, err)
	}
	return m
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, desc string) {
	writeJSON(w, status, map[string]any{"status": "ERROR", "errorDescription": desc})
}

// resetConnection hijacks the connection and resets it (RST), as a network
// failure after the request was received would.
func resetConnection(t *testing.T, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Fatal("cannot hijack")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Fatal(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func uuidN(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// clientJSON is a ClientDetailedDto fixture.
func clientJSON(uuid, name string) map[string]any {
	return map[string]any{
		"uuid": uuid, "name": name, "email": nil, "isProspect": "No", "isArchived": "No", "isDeleted": "No",
		"balanceMonth": 6, "gstPeriod": "2", "website": "https://example.com", "taxNumber": "***123",
		"businessStructure": "Company", "dateOfBirth": nil,
		"accountManager": map[string]any{"uuid": uuidN(900), "name": "Staff One"},
		"contacts":       []any{},
		"type":           map[string]any{"name": "Monthly", "costMarkup": 0, "paymentTerm": "DayOfMonth", "paymentDay": 20},
	}
}

func detailedJSON(uuid, name string, rels ...map[string]any) map[string]any {
	c := clientJSON(uuid, name)
	c["notes"] = []any{}
	c["groups"] = []any{map[string]any{"uuid": uuidN(500), "name": "Smith Group"}}
	rs := []any{}
	for _, r := range rels {
		rs = append(rs, r)
	}
	c["relationships"] = rs
	return c
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// queryOf returns one query parameter.
func queryOf(r *http.Request, k string) string { return r.URL.Query().Get(k) }

var _ = strings.TrimSpace
