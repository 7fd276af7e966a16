// Package xpmtest runs the built-in XPM sandbox for tests of code that uses
// backend/xpm: it starts a sandbox on a loopback port (real HTTP) with a
// fake clock, signs a scenario user in, and builds xpm clients for its
// practice.
//
// It is test support only: nothing outside _test.go files and benchmarks
// should import it (backend/xpm itself never imports the sandbox).
package xpmtest

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"structura/backend/clock"
	"structura/backend/sandbox"
	"structura/backend/xpm"
)

// Start is when the fake clock starts.
var Start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Env is a running sandbox and what a client needs to reach it.
type Env struct {
	Sandbox *sandbox.Server
	// Clock drives the sandbox and the clients (auto-advancing unless the
	// options gave another).
	Clock clock.Clock
	// Tenant is the demo practice.
	Tenant string
	// User is the signed-in scenario user.
	User string
	// Tokens is a refreshing token source for User.
	Tokens *TokenSource
}

// Options adjusts Run.
type Options struct {
	// Sandbox options (Clock defaults to an auto-advancing fake clock).
	Sandbox sandbox.Options
	// User defaults to sandbox.UserAlex; Scopes to sandbox.DefaultScopes.
	User, Scopes string
}

// Run starts a sandbox and signs User in. It is closed when t ends.
func Run(t testing.TB, opts Options) *Env {
	t.Helper()
	if opts.Sandbox.Clock == nil {
		opts.Sandbox.Clock = clock.NewFake(Start)
	}
	clk, ok := opts.Sandbox.Clock.(clock.Clock)
	if !ok {
		t.Fatal("xpmtest: the sandbox clock must be a clock.Clock")
	}
	if opts.User == "" {
		opts.User = sandbox.UserAlex
	}
	s, err := sandbox.New(opts.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	set, err := s.MintToken(opts.User, "", opts.Scopes)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{
		Sandbox: s, Clock: clk, Tenant: sandbox.DemoPracticeID, User: opts.User,
		Tokens: NewTokenSource(s.TokenURL(), sandbox.DefaultClientID, clk, set.AccessToken, set.RefreshToken, time.Duration(set.ExpiresIn)*time.Second),
	}
}

// Config returns a client configuration for the sandbox's demo practice.
func (e *Env) Config() xpm.Config {
	return xpm.Config{
		APIBaseURL:     e.Sandbox.APIBaseURL(),
		ConnectionsURL: e.Sandbox.ConnectionsURL(),
		TenantID:       e.Tenant,
		TokenSource:    e.Tokens,
		Clock:          e.Clock,
		HTTPClient:     &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}},
		Retry:          xpm.RetryPolicy{Seed: 1},
	}
}

// Client returns a client for the demo practice; mods adjust its
// configuration.
func (e *Env) Client(t testing.TB, mods ...func(*xpm.Config)) *xpm.Client {
	t.Helper()
	cfg := e.Config()
	for _, m := range mods {
		m(&cfg)
	}
	c, err := xpm.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TokenSource refreshes access tokens at the sandbox's token endpoint when
// they expire on the injected clock (x/oauth2 judges expiry by the wall
// clock, which a fake clock leaves behind), keeps the rotated refresh token,
// and drops a token XPM rejected (xpm.TokenInvalidator).
type TokenSource struct {
	cfg     oauth2.Config
	clk     clock.Clock
	mu      sync.Mutex
	access  string
	refresh string
	expires time.Time
	// Refreshes counts refreshes.
	Refreshes int
}

// NewTokenSource starts from a minted token set.
func NewTokenSource(tokenURL, clientID string, clk clock.Clock, access, refresh string, ttl time.Duration) *TokenSource {
	return &TokenSource{
		cfg: oauth2.Config{ClientID: clientID, Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}},
		clk: clk, access: access, refresh: refresh, expires: clk.Now().Add(ttl - time.Minute),
	}
}

// Token returns a valid access token, refreshing it when needed.
func (s *TokenSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.access != "" && s.clk.Now().Before(s.expires) {
		return &oauth2.Token{AccessToken: s.access, TokenType: "Bearer"}, nil
	}
	if s.refresh == "" {
		return nil, errors.New("xpmtest: no refresh token")
	}
	tok, err := s.cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: s.refresh}).Token()
	if err != nil {
		return nil, err
	}
	s.Refreshes++
	s.access, s.refresh = tok.AccessToken, tok.RefreshToken
	ttl := 30 * time.Minute
	if tok.ExpiresIn > 0 {
		ttl = time.Duration(tok.ExpiresIn) * time.Second
	}
	s.expires = s.clk.Now().Add(ttl - time.Minute)
	return &oauth2.Token{AccessToken: s.access, TokenType: "Bearer"}, nil
}

// InvalidateToken forgets access if it is still the current token.
func (s *TokenSource) InvalidateToken(access string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.access == access {
		s.access = ""
	}
}

// RefreshToken returns the current refresh token.
func (s *TokenSource) RefreshToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refresh
}

var _ xpm.TokenInvalidator = (*TokenSource)(nil)
