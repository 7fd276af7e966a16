package sandbox

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Clock is the only thing the sandbox needs from a clock. Every expiry and
// limit window is read from it. If it also has
// Sleep(ctx, d) error (structura/backend/clock does), injected latency
// sleeps on it, so a fake clock makes latency instant or controllable.
type Clock interface {
	Now() time.Time
}

type sleeper interface {
	Sleep(ctx context.Context, d time.Duration) error
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// Options configures a sandbox.
type Options struct {
	// Clock is the time source; nil means the wall clock.
	Clock Clock
	// Data selects the initial data of the demo practice: "demo" (default),
	// "empty", "generated:N" (N clients) or "generated:N:M" (N clients in M
	// groups).
	Data string
	// Limits are Xero's rate limits; the zero value is Xero's real limits.
	Limits Limits
	// Seed makes generated data, ids of generated data and faults
	// deterministic.
	Seed int64
	// Faults injects failures on demand (nil = none).
	Faults *FaultConfig
	// Logger receives one line per request at debug level (nil = discard).
	Logger *slog.Logger
	// DisableAdmin turns off the /_sandbox/ control endpoints (the Go
	// control API keeps working).
	DisableAdmin bool
	// LogSize bounds the request log (0 = 100,000 entries).
	LogSize int
}

// Token lifetimes, as Xero documents them (NOTES.md).
const (
	AccessTokenTTL  = 30 * time.Minute
	RefreshTokenTTL = 60 * 24 * time.Hour
	RefreshGrace    = 30 * time.Minute
	CodeTTL         = 10 * time.Minute
)

// Server is an in-process XPM sandbox: Xero identity plus XPM v3.1.
type Server struct {
	opts   Options
	clock  Clock
	logger *slog.Logger
	doc    *openapi3.T
	ops    []*specOperation
	scopes map[string]bool // every scope the identity service knows

	calls callTracker // calls being handled (see settle)

	mu          sync.Mutex
	tenants     map[string]*tenant
	tenantOrder []string
	users       []*User
	apps        map[string]*App
	codes       map[string]*authCode
	grants      map[string]*grant
	access      map[string]*accessToken
	refresh     map[string]*refreshToken
	conns       map[string]*connection
	reqlog      []LogEntry
	logStart    int // index of the oldest entry (ring buffer once full)
	stats       Stats
	faults      *faultState
	jwtKey      []byte

	limiter *limiter

	lnMu    sync.Mutex
	baseURL string
	httpSrv *http.Server
	ln      net.Listener
	handler http.Handler
}

type tenant struct {
	Tenant
	p *practice // nil for ORGANISATION tenants
}

// New builds a sandbox with the scenario users and tenants, the default
// public app and the data Options.Data asks for. It does not listen: use
// Handler (in-process) or Start.
func New(opts Options) (*Server, error) {
	doc, err := practiceSpec()
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:   opts,
		clock:  opts.Clock,
		logger: opts.Logger,
		doc:    doc,
		ops:    specOperations(doc),
		scopes: map[string]bool{"openid": true, "profile": true, "email": true, "offline_access": true},
		apps:   map[string]*App{},
	}
	if s.clock == nil {
		s.clock = wallClock{}
	}
	if s.logger == nil {
		s.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if ss := doc.Components.SecuritySchemes["OAuth2"]; ss != nil && ss.Value != nil && ss.Value.Flows != nil && ss.Value.Flows.AuthorizationCode != nil {
		for sc := range ss.Value.Flows.AuthorizationCode.Scopes {
			s.scopes[sc] = true
		}
	}
	s.jwtKey = make([]byte, 32)
	if _, err := rand.Read(s.jwtKey); err != nil {
		return nil, err
	}
	s.limiter = newLimiter(opts.Limits)
	if err := s.SetFaults(opts.Faults); err != nil {
		return nil, err
	}
	s.resetIdentityLocked()
	if err := s.Reset(opts.Data); err != nil {
		return nil, err
	}
	s.handler = http.HandlerFunc(s.serveHTTP)
	return s, nil
}

// Handler serves the whole sandbox (identity, XPM, control endpoints) for
// use with httptest or an existing server. URLs in answers (pagination
// links, webUrl) use the request's Host when the sandbox was not started
// with Start.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on addr, which must be a loopback address ("127.0.0.1:0"
// picks a free port), and serves in the background.
func (s *Server) Start(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sandbox address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("sandbox address %q: the sandbox only listens on a loopback address (127.0.0.1 or ::1)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.lnMu.Lock()
	s.ln = ln
	s.httpSrv = srv
	s.baseURL = "http://" + ln.Addr().String()
	s.lnMu.Unlock()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("sandbox server stopped", "err", err)
		}
	}()
	return nil
}

// URL is the sandbox's base URL ("http://127.0.0.1:41234"), or "" before
// Start.
func (s *Server) URL() string {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	return s.baseURL
}

// Close stops listening and drops open connections.
func (s *Server) Close() error {
	s.lnMu.Lock()
	srv := s.httpSrv
	s.httpSrv = nil
	s.lnMu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// Paths of Xero's endpoints; only the host differs from real Xero.
const (
	AuthorizePath   = "/identity/connect/authorize"
	TokenPath       = "/connect/token"
	RevocationPath  = "/connect/revocation"
	ConnectionsPath = "/connections"
	// APIBasePath is the base of XPM v3.1 as the later spec revision writes
	// it; APIBasePathV is the form of the published spec. Both are served.
	APIBasePath  = "/practicemanager/3.1"
	APIBasePathV = "/practicemanager/v3.1"
	// AdminPrefix is the test-only control API.
	AdminPrefix = "/_sandbox/"
)

// AuthorizeURL is where the consent page lives (login.xero.com's path).
func (s *Server) AuthorizeURL() string { return s.URL() + AuthorizePath }

// TokenURL is the token endpoint (identity.xero.com's path).
func (s *Server) TokenURL() string { return s.URL() + TokenPath }

// RevocationURL is the revocation endpoint.
func (s *Server) RevocationURL() string { return s.URL() + RevocationPath }

// ConnectionsURL lists the tenants a grant reaches (api.xero.com's path).
func (s *Server) ConnectionsURL() string { return s.URL() + ConnectionsPath }

// APIBaseURL is the XPM v3.1 base: append "/client.api/list" and so on.
func (s *Server) APIBaseURL() string { return s.URL() + APIBasePath }

func (s *Server) now() time.Time { return s.clock.Now() }

func (s *Server) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	if sl, ok := s.clock.(sleeper); ok {
		return sl.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// baseURLFor is the URL prefix used in links of an answer.
func (s *Server) baseURLFor(r *http.Request) string {
	if u := s.URL(); u != "" {
		return u
	}
	return "http://" + r.Host
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	lp := strings.ToLower(p)
	switch {
	case lp == AuthorizePath:
		s.handleAuthorize(w, r)
	case lp == TokenPath:
		s.identityCall(w, r, "identity/token", s.handleToken)
	case lp == RevocationPath:
		s.identityCall(w, r, "identity/revocation", s.handleRevocation)
	case lp == ConnectionsPath || strings.HasPrefix(lp, ConnectionsPath+"/"):
		s.identityCall(w, r, "identity/connections", s.handleConnections)
	case strings.HasPrefix(lp, APIBasePath+"/") || strings.HasPrefix(lp, APIBasePathV+"/"):
		s.handleAPI(w, r)
	case strings.HasPrefix(p, AdminPrefix):
		if s.opts.DisableAdmin {
			http.NotFound(w, r)
			return
		}
		s.handleAdmin(w, r)
	case p == "/" || p == "":
		s.handleHome(w, r)
	default:
		http.NotFound(w, r)
	}
}
