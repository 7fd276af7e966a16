package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"structura/backend/apperr"
	"structura/backend/auth"
	"structura/backend/auth/authtest"
	"structura/backend/clock"
	"structura/backend/sandbox"
	"structura/backend/secrets"
	"structura/backend/xpm"
)

var t0 = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

type env struct {
	sb     *sandbox.Server
	clk    *clock.Fake
	port   int
	client auth.Client
	book   *auth.StateBook
	br     *authtest.Browser
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

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := clock.NewManualFake(t0)
	sb, err := sandbox.New(sandbox.Options{Clock: clk, Data: "empty", Limits: sandbox.Limits{Off: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	port := freePort(t)
	if err := sb.RegisterApp(sandbox.App{ClientID: sandbox.DefaultClientID, Name: "Structura (sandbox)",
		RedirectURIs: []string{auth.RedirectURI(port)}}); err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, clk: clk, port: port, book: auth.NewStateBook(clk), br: authtest.New(),
		client: auth.Client{ClientID: sandbox.DefaultClientID, Endpoints: auth.SandboxEndpoints(sb.URL()),
			RedirectURL: auth.RedirectURI(port), Scopes: auth.Scopes}}
}

func (e *env) start(t *testing.T, attempt string, rejected func(*auth.StateError)) *auth.Login {
	t.Helper()
	l, err := auth.StartLogin(auth.LoginOptions{Client: e.client, Port: e.port, States: e.book, Attempt: attempt, Clock: e.clk, OnRejected: rejected})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

func wantMsg(t *testing.T, err error, prefix string) *apperr.Error {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || !strings.HasPrefix(ae.Message, prefix) {
		t.Fatalf("error %v, want message starting %q", err, prefix)
	}
	return ae
}

func TestLoginWithPKCEAgainstSandbox(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	l := e.start(t, "a1", nil)
	u := l.AuthURL()
	for _, want := range []string{"code_challenge_method=S256", "code_challenge=", "state=", "redirect_uri=http%3A%2F%2Flocalhost%3A"} {
		if !strings.Contains(u, want) {
			t.Fatalf("auth URL %s lacks %s", u, want)
		}
	}
	page, err := e.br.SignIn(ctx, u, sandbox.UserAlex, true)
	if err != nil {
		t.Fatal(err)
	}
	if page.Status != 200 || !strings.Contains(page.Body, "You can close this tab and return to Structura") {
		t.Fatalf("callback page %d %s", page.Status, page.Body)
	}
	res, err := l.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Token.AccessToken == "" || res.Token.RefreshToken == "" || !res.Token.Expiry.Equal(t0.Add(30*time.Minute)) ||
		!strings.Contains(res.Token.Scopes, "practicemanager.client") {
		t.Fatalf("token %+v", res.Token)
	}
	if res.Identity.Name != "Alex Morgan" || res.Identity.Email != "alex.morgan@harbourside.example" {
		t.Fatalf("identity %+v", res.Identity)
	}
	// Reloading the callback page: the state was single-use.
	cb, _ := e.br.Consent(ctx, u, sandbox.UserAlex, true)
	again, _ := e.br.Get(ctx, cb)
	if again.Status != 400 || !strings.Contains(again.Body, auth.MsgSecurity) || !strings.Contains(again.Body, "already been used") {
		t.Fatalf("reused state page %d %s", again.Status, again.Body)
	}
}

func TestDeniedLogin(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	l := e.start(t, "a1", nil)
	page, err := e.br.SignIn(ctx, l.AuthURL(), sandbox.UserAlex, false)
	if err != nil || !strings.Contains(page.Body, auth.MsgDenied) {
		t.Fatalf("page %+v %v", page, err)
	}
	_, err = l.Wait(ctx)
	wantMsg(t, err, auth.MsgDenied)
}

func TestStateFromEarlierAttemptIsRefusedAndTheNewOneStillWorks(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	old := e.start(t, "old", nil)
	oldURL := old.AuthURL()
	old.Close()
	var rejected []*auth.StateError
	var mu sync.Mutex
	l := e.start(t, "new", func(se *auth.StateError) { mu.Lock(); rejected = append(rejected, se); mu.Unlock() })
	page, err := e.br.SignIn(ctx, oldURL, sandbox.UserAlex, true)
	if err != nil || page.Status != 400 || !strings.Contains(page.Body, auth.MsgSecurity) || !strings.Contains(page.Body, "earlier attempt") {
		t.Fatalf("stale tab page %+v %v", page, err)
	}
	mu.Lock()
	if len(rejected) != 1 || rejected[0].Problem != auth.StateSuperseded {
		t.Fatalf("rejections %+v", rejected)
	}
	mu.Unlock()
	if _, err := e.br.SignIn(ctx, l.AuthURL(), sandbox.UserAlex, true); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Wait(ctx); err != nil {
		t.Fatalf("the newest attempt failed: %v", err)
	}
}

func TestStateBook(t *testing.T) {
	clk := clock.NewManualFake(t0)
	b := auth.NewStateBook(clk)
	s1, _ := b.Issue("a")
	problem := func(state string) auth.StateProblem {
		_, err := b.Consume(state)
		var se *auth.StateError
		if !errors.As(err, &se) {
			return 0
		}
		ae := se.AppError()
		if !strings.HasPrefix(ae.Message, auth.MsgSecurity) || ae.Hint == "" {
			t.Fatalf("app error %+v", ae)
		}
		return se.Problem
	}
	if p := problem(""); p != auth.StateMissing {
		t.Fatalf("missing: %v", p)
	}
	if p := problem("forged"); p != auth.StateUnknown {
		t.Fatalf("unknown: %v", p)
	}
	if p := problem(s1); p != 0 {
		t.Fatalf("fresh state refused: %v", p)
	}
	if p := problem(s1); p != auth.StateReused {
		t.Fatalf("reuse: %v", p)
	}
	s2, _ := b.Issue("b")
	clk.Advance(auth.StateTTL)
	if p := problem(s2); p != auth.StateExpired {
		t.Fatalf("expired: %v", p)
	}
	s3, _ := b.Issue("c")
	b.Issue("d")
	if p := problem(s3); p != auth.StateSuperseded {
		t.Fatalf("superseded: %v", p)
	}
}

func TestPortInUse(t *testing.T) {
	e := newEnv(t)
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", itoa(e.port)))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = auth.StartLogin(auth.LoginOptions{Client: e.client, Port: e.port, States: e.book, Attempt: "x", Clock: e.clk})
	ae := wantMsg(t, err, "Structura cannot receive Xero's answer: port "+itoa(e.port))
	if !strings.Contains(ae.Hint, "Settings → XPM connection") || ae.Code != apperr.CodeConflict {
		t.Fatalf("hint %+v", ae)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// ---- token source ----

// flakyStore fails Set when failNext > 0 and records every value saved.
type flakyStore struct {
	*secrets.Memory
	mu       sync.Mutex
	failNext int
	saved    []string
}

func (f *flakyStore) Set(ctx context.Context, k, v string) error {
	f.mu.Lock()
	if f.failNext > 0 {
		f.failNext--
		f.mu.Unlock()
		return apperr.New(apperr.CodeKeychain, "Structura could not save a secret in the system keychain.", "")
	}
	f.saved = append(f.saved, v)
	f.mu.Unlock()
	return f.Memory.Set(ctx, k, v)
}

func (e *env) mint(t *testing.T, sec secrets.Store) auth.Token {
	t.Helper()
	ts, err := e.sb.MintToken(sandbox.UserAlex, "", "")
	if err != nil {
		t.Fatal(err)
	}
	tok := auth.Token{AccessToken: ts.AccessToken, RefreshToken: ts.RefreshToken, Expiry: e.clk.Now().Add(30 * time.Minute), Scopes: ts.Scope}
	if err := auth.SaveToken(context.Background(), sec, "k", tok); err != nil {
		t.Fatal(err)
	}
	return tok
}

func (e *env) connections(t *testing.T, access string) int {
	t.Helper()
	req, _ := httpGet(e.client.Endpoints.ConnectionsURL, access)
	resp, err := e.br.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestTokenSourceRefreshesEarlyAndSavesRotationBeforeUse(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	sec := &flakyStore{Memory: secrets.NewMemory()}
	first := e.mint(t, sec)
	ts := auth.NewTokenSource(auth.TokenSourceConfig{Client: e.client, Secrets: sec, Key: "k", Clock: e.clk})

	tok, err := ts.TokenContext(ctx)
	if err != nil || tok.AccessToken != first.AccessToken || ts.Stats().Refreshes != 0 {
		t.Fatalf("valid token not reused: %v %+v", err, ts.Stats())
	}
	e.clk.Advance(30*time.Minute - auth.RefreshEarly)
	tok, err = ts.TokenContext(ctx)
	if err != nil || tok.AccessToken == first.AccessToken || ts.Stats().Refreshes != 1 {
		t.Fatalf("no early refresh: %v %+v", err, ts.Stats())
	}
	saved, _ := auth.LoadToken(ctx, sec, "k")
	if saved.AccessToken != tok.AccessToken || saved.RefreshToken == first.RefreshToken || saved.RefreshToken == "" {
		t.Fatalf("rotated token not saved before use: %+v", saved)
	}
	if code := e.connections(t, tok.AccessToken); code != 200 {
		t.Fatalf("new access token refused: %d", code)
	}
	// Past the grace period the old refresh token is dead, the saved one works.
	e.clk.Advance(31 * time.Minute)
	if _, err := ts.TokenContext(ctx); err != nil {
		t.Fatalf("refresh with the saved token: %v", err)
	}
}

// XPM refuses an access token before its expiry (revoked early on the
// server): the xpm client drops it through the token source and retries once
// with a refreshed token, so the call succeeds.
func TestTokenSourceInvalidatedByXPMRefreshesOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sec := secrets.NewMemory()
	first := e.mint(t, sec)
	ts := auth.NewTokenSource(auth.TokenSourceConfig{Client: e.client, Secrets: sec, Key: "k", Clock: e.clk})
	var _ xpm.TokenInvalidator = ts
	cl, err := xpm.New(xpm.Config{APIBaseURL: e.sb.APIBaseURL(), TenantID: sandbox.DemoPracticeID, TokenSource: ts,
		Clock: clock.NewFake(t0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Groups.List(ctx); err != nil || ts.Stats().Refreshes != 0 {
		t.Fatalf("first call: %v %+v", err, ts.Stats())
	}
	if err := e.sb.ExpireAccessToken(first.AccessToken); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Groups.List(ctx); err != nil {
		t.Fatalf("call after XPM refused the token: %v", err)
	}
	if n := ts.Stats().Refreshes; n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
	// Invalidating a token that was already replaced does nothing.
	ts.InvalidateToken(first.AccessToken)
	if _, err := cl.Groups.List(ctx); err != nil || ts.Stats().Refreshes != 1 {
		t.Fatalf("stale invalidation refreshed again: %v %+v", err, ts.Stats())
	}
}

func TestTokenSourceOneRefreshAtATime(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	sec := &flakyStore{Memory: secrets.NewMemory()}
	e.mint(t, sec)
	ts := auth.NewTokenSource(auth.TokenSourceConfig{Client: e.client, Secrets: sec, Key: "k", Clock: e.clk})
	e.clk.Advance(40 * time.Minute)
	e.sb.ClearLog()
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := ts.TokenContext(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = tok.AccessToken
		}()
	}
	wg.Wait()
	for _, g := range got {
		if g != got[0] {
			t.Fatal("callers got different tokens")
		}
	}
	if n := e.sb.Stats().ByOperation["identity/token"]; n != 1 {
		t.Fatalf("%d refresh calls, want 1", n)
	}
}

func TestTokenSourceGraceRetryAfterFailedSave(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	sec := &flakyStore{Memory: secrets.NewMemory()}
	e.mint(t, sec)
	ts := auth.NewTokenSource(auth.TokenSourceConfig{Client: e.client, Secrets: sec, Key: "k", Clock: e.clk})
	e.clk.Advance(31 * time.Minute)
	sec.failNext = 1
	tok, err := ts.TokenContext(ctx)
	if err != nil {
		t.Fatalf("grace retry failed: %v", err)
	}
	st := ts.Stats()
	if st.Refreshes != 2 || st.SaveFailures != 1 || st.GraceRetries != 1 {
		t.Fatalf("stats %+v", st)
	}
	saved, _ := auth.LoadToken(ctx, sec, "k")
	if saved.AccessToken != tok.AccessToken {
		t.Fatal("the token handed out is not the one saved")
	}
	// The connection survives: a new process refreshes with what was saved.
	e.clk.Advance(2 * time.Hour)
	ts2 := auth.NewTokenSource(auth.TokenSourceConfig{Client: e.client, Secrets: sec, Key: "k", Clock: e.clk})
	if _, err := ts2.TokenContext(ctx); err != nil {
		t.Fatalf("saved refresh token no longer works: %v", err)
	}
}

func TestTokenSourceKeychainDownKeepsNewTokenUnusedUntilSaved(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	sec := &flakyStore{Memory: secrets.NewMemory()}
	first := e.mint(t, sec)
	ts := auth.NewTokenSource(auth.TokenSourceConfig{Client: e.client, Secrets: sec, Key: "k", Clock: e.clk})
	e.clk.Advance(31 * time.Minute)
	sec.failNext = 2
	if _, err := ts.TokenContext(ctx); apperr.CodeOf(err) != apperr.CodeKeychain {
		t.Fatalf("want the keychain error, got %v", err)
	}
	if saved, _ := auth.LoadToken(ctx, sec, "k"); saved.RefreshToken != first.RefreshToken {
		t.Fatal("keychain changed although every save failed")
	}
	// The keychain is back: the unsaved new pair is saved before it is used.
	tok, err := ts.TokenContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := auth.LoadToken(ctx, sec, "k")
	if saved.AccessToken != tok.AccessToken || ts.Stats().Refreshes != 2 {
		t.Fatalf("saved %+v stats %+v", saved, ts.Stats())
	}
}

func TestTokenSourceInvalidGrant(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	sec := &flakyStore{Memory: secrets.NewMemory()}
	first := e.mint(t, sec)
	calls := 0
	ts := auth.NewTokenSource(auth.TokenSourceConfig{Client: e.client, Secrets: sec, Key: "k", Clock: e.clk,
		OnReconnectNeeded: func(error) { calls++ }})
	if err := e.sb.RevokeRefreshToken(first.RefreshToken); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(31 * time.Minute)
	_, err := ts.TokenContext(ctx)
	var rn *auth.ReconnectNeededError
	if !errors.As(err, &rn) || !auth.IsInvalidGrant(err) {
		t.Fatalf("want ReconnectNeededError, got %v", err)
	}
	e.sb.ClearLog()
	if _, err := ts.Token(); !errors.As(err, &rn) {
		t.Fatalf("second call: %v", err)
	}
	if calls != 1 || e.sb.Stats().Calls != 0 {
		t.Fatalf("callback %d times, %d calls to Xero after the refusal", calls, e.sb.Stats().Calls)
	}
}

func TestRevoke(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	sec := secrets.NewMemory()
	tok := e.mint(t, sec)
	if err := e.client.Revoke(ctx, tok.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if code := e.connections(t, tok.AccessToken); code != 401 {
		t.Fatalf("access token still works after revocation: %d", code)
	}
	if len(e.sb.Connections(sandbox.UserAlex)) != 0 {
		t.Fatal("sandbox still lists the connection")
	}
}

func TestParseIDToken(t *testing.T) {
	e := newEnv(t)
	ts, _ := e.sb.MintToken(sandbox.UserSam, "", "")
	id, err := auth.ParseIDToken(ts.IDToken)
	if err != nil || id.Name != "Sam Okafor" || !strings.HasPrefix(id.Email, "sam.okafor@") {
		t.Fatalf("%+v %v", id, err)
	}
	if _, err := auth.ParseIDToken("not.a-jwt"); err == nil {
		t.Fatal("garbage accepted")
	}
}
