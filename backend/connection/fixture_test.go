package connection

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"structura/backend/apperr"
	"structura/backend/auth"
	"structura/backend/auth/authtest"
	"structura/backend/clock"
	"structura/backend/logging"
	"structura/backend/sandbox"
	"structura/backend/secrets"
	"structura/backend/store"
	"structura/backend/twofa"
)

var t0 = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

// testClock is a manual fake clock on which short sleeps (the XPM client's
// pacing between calls) move time forward at once, while long ones (the
// 10-minute connect timeout) wait for the test to advance the clock.
type testClock struct{ *clock.Fake }

func (c testClock) Sleep(ctx context.Context, d time.Duration) error {
	if d < time.Minute {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.Advance(d)
		return nil
	}
	return c.Fake.Sleep(ctx, d)
}

// keychain is an in-memory keychain that records every value written and
// can fail the next writes of keys with a prefix.
type keychain struct {
	*secrets.Memory
	mu         sync.Mutex
	written    []string
	failPrefix string
	failN      int
}

func (k *keychain) Set(ctx context.Context, key, v string) error {
	k.mu.Lock()
	if k.failN > 0 && strings.HasPrefix(key, k.failPrefix) {
		k.failN--
		k.mu.Unlock()
		return apperr.New(apperr.CodeKeychain, "Structura could not save a secret in the system keychain.", "Unlock your keychain.")
	}
	k.written = append(k.written, v)
	k.mu.Unlock()
	return k.Memory.Set(ctx, key, v)
}

func (k *keychain) failNext(prefix string, n int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.failPrefix, k.failN = prefix, n
}

// secretValues returns every secret ever written: token strings (from the
// JSON items) and plain values (seed, client secret).
func (k *keychain) secretValues() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for _, v := range k.written {
		var t auth.Token
		if json.Unmarshal([]byte(v), &t) == nil && t.RefreshToken != "" {
			out = append(out, t.AccessToken, t.RefreshToken)
			continue
		}
		out = append(out, v)
	}
	return out
}

// events records what the UI would receive.
type events struct {
	mu   sync.Mutex
	all  []recorded
	wake chan struct{}
}

type recorded struct {
	name string
	data any
	json string
}

func newEvents() *events { return &events{wake: make(chan struct{}, 1)} }

func (e *events) Emit(name string, data any) {
	b, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	e.mu.Lock()
	e.all = append(e.all, recorded{name, data, string(b)})
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (e *events) jsonAll() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var b strings.Builder
	for _, r := range e.all {
		b.WriteString(r.name + " " + r.json + "\n")
	}
	return b.String()
}

// progress waits (in real time, without sleeping) for a connect:progress
// of attempt in one of stages and returns it. Earlier events are scanned
// from index from.
func (e *events) progress(t *testing.T, attemptID string, stages ...string) Progress {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		e.mu.Lock()
		for _, r := range e.all {
			if p, ok := r.data.(Progress); ok && r.name == EventProgress && p.AttemptID == attemptID {
				for _, s := range stages {
					if p.Stage == s {
						e.mu.Unlock()
						return p
					}
				}
			}
		}
		e.mu.Unlock()
		select {
		case <-e.wake:
		case <-deadline:
			t.Fatalf("no progress %v for attempt %s; events:\n%s", stages, attemptID, e.jsonAll())
		}
	}
}

func (e *events) last(name string) (recorded, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := len(e.all) - 1; i >= 0; i-- {
		if e.all[i].name == name {
			return e.all[i], true
		}
	}
	return recorded{}, false
}

type fixture struct {
	t      *testing.T
	ctx    context.Context
	clk    testClock
	host   *SandboxHost
	sb     *sandbox.Server
	st     *store.Store
	dbPath string
	kc     *keychain
	logBuf *syncBuffer
	ev     *events
	tfa    *twofa.Service
	svc    *Service
	br     *authtest.Browser
	port   int
	seed   string
	// connectedTenants records every OnConnected call.
	connectedMu      sync.Mutex
	connectedTenants []string
	// ui collects the JSON of every value and error a bound method would
	// send to the frontend (except the enrolment answer, which carries the
	// seed by design).
	uiMu sync.Mutex
	ui   []string
}

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

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, ctx: ctx, clk: testClock{clock.NewManualFake(t0)}, kc: &keychain{Memory: secrets.NewMemory()},
		logBuf: &syncBuffer{}, ev: newEvents(), br: authtest.New(), port: freePort(t)}
	dir := t.TempDir()
	f.dbPath = filepath.Join(dir, "structura.db")
	st, err := store.Open(ctx, f.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	f.st = st
	t.Cleanup(func() { st.Close() })
	log := slog.New(logging.Redact(slog.NewJSONHandler(f.logBuf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	f.host = &SandboxHost{StatePath: filepath.Join(dir, "sandbox-state.json"), Options: sandbox.Options{Clock: f.clk, Data: "demo"}, Logger: log}
	if err := f.host.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.host.Close() })
	f.sb = f.host.Server()
	f.tfa = twofa.New(twofa.Config{Store: st, Secrets: f.kc, Clock: f.clk, Logger: log, Events: f.ev})
	f.svc = New(Config{Store: st, Secrets: f.kc, Clock: f.clk, Logger: log, Events: f.ev, TwoFactor: f.tfa,
		Browser: f.br, Sandbox: f.host, XPMRetry: xpmRetryForTests,
		OnConnected: func(_ context.Context, tenantID string) {
			f.connectedMu.Lock()
			defer f.connectedMu.Unlock()
			f.connectedTenants = append(f.connectedTenants, tenantID)
		}})
	// The callback port is a setting; the sandbox learns the redirect URI.
	f.saveSettings(SettingsInput{Environment: EnvSandbox, CallbackPort: f.port})
	return f
}

// record notes what a bound method would send to the frontend.
func (f *fixture) record(v any, err error) {
	f.t.Helper()
	b, jerr := json.Marshal(v)
	if jerr != nil {
		f.t.Fatal(jerr)
	}
	f.uiMu.Lock()
	defer f.uiMu.Unlock()
	f.ui = append(f.ui, string(b))
	if err != nil {
		f.ui = append(f.ui, apperr.ForUI(nil, "test", err).Error())
	}
}

func (f *fixture) saveSettings(in SettingsInput) Settings {
	f.t.Helper()
	s, err := f.svc.SaveSettings(f.ctx, in)
	f.record(s, err)
	if err != nil {
		f.t.Fatalf("save settings: %v", err)
	}
	return s
}

func (f *fixture) totp() string {
	f.t.Helper()
	c, err := totp.GenerateCode(f.seed, f.clk.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// enrol turns on two-factor protection with a code computed here.
func (f *fixture) enrol() {
	f.t.Helper()
	en, err := f.tfa.Begin(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	f.seed = en.Secret
	conf, err := f.tfa.Confirm(f.ctx, f.totp())
	f.record(conf, err)
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) status() Status {
	f.t.Helper()
	st, err := f.svc.Status(f.ctx)
	f.record(st, err)
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

func (f *fixture) start() Attempt {
	f.t.Helper()
	a, err := f.svc.StartConnect(f.ctx)
	f.record(a, err)
	if err != nil {
		f.t.Fatalf("StartConnect: %v", err)
	}
	if f.br.Last() != a.BrowserURL || !a.BrowserOpened {
		f.t.Fatalf("browser not opened on %s", a.BrowserURL)
	}
	return a
}

// signIn plays the browser: consent as user, then the loopback callback.
func (f *fixture) signIn(a Attempt, user string, allow bool) authtest.Page {
	f.t.Helper()
	p, err := f.br.SignIn(f.ctx, a.BrowserURL, user, allow)
	if err != nil {
		f.t.Fatalf("sign in: %v", err)
	}
	return p
}

func (f *fixture) choose(a Attempt, tenantID string) Status {
	f.t.Helper()
	st, err := f.svc.ChooseTenant(f.ctx, a.AttemptID, tenantID)
	f.record(st, err)
	if err != nil {
		f.t.Fatalf("choose tenant: %v", err)
	}
	return st
}

// connect runs a whole connect as user and picks tenantID if asked.
func (f *fixture) connect(user, tenantID string) Progress {
	f.t.Helper()
	a := f.start()
	page := f.signIn(a, user, true)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "You can close this tab and return to Structura") {
		f.t.Fatalf("callback page %d: %s", page.Status, page.Body)
	}
	p := f.ev.progress(f.t, a.AttemptID, StageConnected, StageChooseTenant, StageFailed)
	if p.Stage == StageChooseTenant {
		f.choose(a, tenantID)
		p = f.ev.progress(f.t, a.AttemptID, StageConnected, StageFailed)
	}
	if p.Stage != StageConnected {
		f.t.Fatalf("connect ended %s: %+v", p.Stage, p.Error)
	}
	return p
}

func (f *fixture) test() TestResult {
	f.t.Helper()
	r, err := f.svc.TestConnection(f.ctx)
	f.record(r, err)
	if err != nil {
		f.t.Fatalf("test connection: %v", err)
	}
	return r
}

func (f *fixture) disconnect() DisconnectResult {
	f.t.Helper()
	r, err := f.svc.Disconnect(f.ctx)
	f.record(r, err)
	if err != nil {
		f.t.Fatalf("disconnect: %v", err)
	}
	return r
}

// savedToken is the keychain item of a tenant.
func (f *fixture) savedToken(tenantID string) (auth.Token, error) {
	return auth.LoadToken(f.ctx, f.kc, auth.TokenKey(tenantID))
}

// refreshWorks asks the sandbox's token endpoint whether a refresh token
// is still accepted (as the built-in public app).
func (f *fixture) refreshWorks(refresh string) (int, string) {
	f.t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {sandbox.DefaultClientID}}
	resp, err := http.PostForm(f.sb.TokenURL(), form)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error
}

// linkGroups creates n local groups linked to XPM groups of a tenant, with
// one entity link each, and returns the group ids.
func (f *fixture) linkGroups(tenantID string, n int) []int64 {
	f.t.Helper()
	groups, err := f.sb.Groups(tenantID)
	if err != nil || len(groups) < n {
		f.t.Fatalf("sandbox groups: %v", err)
	}
	var ids []int64
	err = f.st.WithTx(f.ctx, func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			g, err := tx.InsertGroup(f.ctx, groups[i].Name, "", f.clk.Now())
			if err != nil {
				return err
			}
			ids = append(ids, g.ID)
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	// Links are written by the import (a later issue); here straight in SQL.
	db, err := sql.Open("sqlite", f.dbPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	for i, id := range ids {
		if _, err := db.Exec(`INSERT INTO group_link (group_id, xpm_group_uuid, tenant_id, linked_at) VALUES (?, ?, ?, ?)`,
			id, groups[i].UUID, tenantID, f.clk.Now().Format(time.RFC3339Nano)); err != nil {
			f.t.Fatal(err)
		}
		if len(groups[i].Members) > 0 {
			if _, err := db.Exec(`INSERT INTO entity_link (entity_id, xpm_client_uuid, tenant_id, linked_at) VALUES (NULL, ?, ?, ?)`,
				groups[i].Members[0], tenantID, f.clk.Now().Format(time.RFC3339Nano)); err != nil {
				f.t.Fatal(err)
			}
		}
	}
	return ids
}

// rawCount counts rows of a table straight from the file.
func (f *fixture) rawCount(table, where string, args ...any) int {
	f.t.Helper()
	db, err := sql.Open("sqlite", f.dbPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	q := "SELECT count(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// assertNoSecrets scans the SQLite files, the log and everything sent to
// the UI for every secret written to the keychain (tokens, seed, client
// secret) plus extra ones.
func (f *fixture) assertNoSecrets(extra ...string) {
	f.t.Helper()
	secretsSeen := append(f.kc.secretValues(), extra...)
	if f.seed != "" {
		secretsSeen = append(secretsSeen, f.seed)
	}
	if len(secretsSeen) < 3 {
		f.t.Fatalf("too few secrets captured to make the scan meaningful: %d", len(secretsSeen))
	}
	places := map[string]string{"log": f.logBuf.String(), "events": f.ev.jsonAll()}
	f.uiMu.Lock()
	places["bound method results"] = strings.Join(f.ui, "\n")
	f.uiMu.Unlock()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(f.dbPath + suffix)
		if err == nil {
			places["sqlite "+filepath.Base(f.dbPath+suffix)] = string(b)
		}
	}
	if len(places["sqlite structura.db"]) == 0 || len(places["log"]) == 0 || len(places["events"]) == 0 {
		f.t.Fatal("nothing to scan")
	}
	for where, text := range places {
		for _, s := range secretsSeen {
			if len(s) < 8 {
				f.t.Fatalf("implausible secret %q", s)
			}
			if strings.Contains(text, s) {
				f.t.Errorf("a secret (%d chars, starts %q) appears in %s", len(s), s[:4], where)
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func netListen(port int) (net.Listener, error) {
	return net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
}

// disconnectPracticesAtXero removes, at the sandbox's identity service, the
// connections of a user's practices (as the user could in Xero), leaving
// the accounting organisation connected.
func (f *fixture) disconnectPracticesAtXero(user string) {
	f.t.Helper()
	ts, err := f.sb.MintToken(user, "", "")
	if err != nil {
		f.t.Fatal(err)
	}
	n := 0
	for _, c := range f.sb.Connections(user) {
		if c.ClientID != sandbox.DefaultClientID || c.TenantType != "PRACTICE" {
			continue
		}
		req, _ := http.NewRequest(http.MethodDelete, f.sb.ConnectionsURL()+"/"+c.ID, nil)
		req.Header.Set("Authorization", "Bearer "+ts.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			f.t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			f.t.Fatalf("delete connection: %d", resp.StatusCode)
		}
		n++
	}
	if n == 0 {
		f.t.Fatal("no practice connection to remove")
	}
}

// advanceConnectClock moves the clock once the one live connect attempt's
// timeout is waiting on it (so the move cannot slip in before the wait).
func (f *fixture) advanceConnectClock(d time.Duration) {
	f.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for f.clk.Sleepers() != 1 {
		if time.Now().After(deadline) {
			f.t.Fatalf("connect timeout not waiting on the clock (%d sleepers)", f.clk.Sleepers())
		}
		runtime.Gosched()
	}
	f.clk.Advance(d)
}
