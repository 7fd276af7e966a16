// Package xpm is the client for Xero Practice Manager (XPM) API v3.1 and the
// Xero identity connections endpoint: typed operations on clients,
// relationships, client groups and staff, paced to Xero's limits, retrying
// what is safe to retry and never duplicating a create.
//
// The layout follows go-github: one Client per tenant with a service per API
// area (Clients, Relationships, Groups, Staff, Connections). Configuration
// says where XPM and identity live (real Xero or the built-in sandbox) and
// injects the token source, HTTP client and clock.
//
//	c, err := xpm.New(xpm.Config{TenantID: tenant, TokenSource: ts})
//	err = c.Clients.List(ctx, &xpm.ListOptions{Detailed: true}, func(cl *xpm.ClientDetail) error { … })
//
// Every call goes through a per-tenant Pacer (see there). Failures are typed
// errors (see errors.go); UserError maps them to practitioner-facing
// messages.
package xpm

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"structura/backend/clock"
)

// Defaults for real Xero.
const (
	DefaultAPIBaseURL     = "https://api.xero.com/practicemanager/3.1"
	DefaultConnectionsURL = "https://api.xero.com/connections"
	// DefaultMaxResponseBytes caps any one answer (the detailed client list
	// of a 15,000-client practice is tens of MB).
	DefaultMaxResponseBytes = 512 << 20
	// maxErrorBodyBytes caps error bodies, which are read whole.
	maxErrorBodyBytes = 1 << 20
)

// Config configures a Client.
type Config struct {
	// APIBaseURL is the XPM base URL; paths are appended to it
	// (base + "/client.api/list"). Default DefaultAPIBaseURL. The sandbox
	// serves it at its URL + "/practicemanager/3.1".
	APIBaseURL string
	// ConnectionsURL is Xero identity's connections endpoint. Default
	// DefaultConnectionsURL.
	ConnectionsURL string
	// TenantID is the XPM practice (from Connections.List). Required for
	// every call except Connections.
	TenantID string
	// TokenSource supplies access tokens. Required. It should refresh and
	// save tokens itself (see backend/auth).
	TokenSource oauth2.TokenSource
	// HTTPClient makes the calls. Default: a client with connection and
	// header timeouts and no overall timeout (long reads are streamed;
	// use the context to cancel).
	HTTPClient *http.Client
	// Clock is the time source for pacing and backoff. Default clock.Real.
	Clock clock.Clock
	// Pacer paces calls to the tenant. Share one between Clients of the same
	// tenant. Default: NewPacer(Limits) with Clock.
	Pacer *Pacer
	// Limits configures the default Pacer (zero fields: Xero's limits).
	Limits PacerConfig
	// Retry configures retries (zero fields: defaults).
	Retry RetryPolicy
	// MaxResponseBytes caps the size of any answer. Default
	// DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Logger receives debug lines per call and warnings per retry (no
	// tokens, no personal data). Default: discard.
	Logger *slog.Logger
	// RequestLog, when set, receives one redacted JSON line per HTTP
	// attempt, for support: operation, ids, status, timing, limit headers,
	// error kind. Never tokens, names, bodies or search terms.
	RequestLog io.Writer
	// UserAgent is sent as User-Agent. Default "Structura".
	UserAgent string
}

// TokenInvalidator is implemented by token sources that can drop an access
// token XPM rejected (401), so that the next Token call gets a fresh one.
// When the configured TokenSource implements it, a call answered 401 is
// tried once more with a new token.
type TokenInvalidator interface {
	InvalidateToken(accessToken string)
}

// RetryPolicy says how failed calls are retried.
type RetryPolicy struct {
	// MaxAttempts bounds attempts of one call on network errors and 5xx
	// (default 5).
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the jittered exponential backoff
	// (defaults 500ms and 30s).
	MinBackoff, MaxBackoff time.Duration
	// MaxRateLimited bounds how many 429 answers one call waits out before
	// giving up with a *RateLimitError (default 10).
	MaxRateLimited int
	// Seed seeds the jitter (0: random). Tests set it for repeatability.
	Seed uint64
}

// Client talks to one XPM tenant. It is safe for concurrent use.
type Client struct {
	apiBase        string
	connectionsURL string
	tenantID       string
	ts             oauth2.TokenSource
	hc             *http.Client
	clk            clock.Clock
	pacer          *Pacer
	retry          RetryPolicy
	maxBytes       int64
	log            *slog.Logger
	reqLog         *requestLog
	userAgent      string

	randMu sync.Mutex
	rand   *rand.Rand

	Clients       *ClientsService
	Relationships *RelationshipsService
	Groups        *GroupsService
	Staff         *StaffService
	Connections   *ConnectionsService
}

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.TokenSource == nil {
		return nil, errors.New("xpm: Config.TokenSource is required")
	}
	apiBase, err := checkURL(cfg.APIBaseURL, DefaultAPIBaseURL, "APIBaseURL")
	if err != nil {
		return nil, err
	}
	connURL, err := checkURL(cfg.ConnectionsURL, DefaultConnectionsURL, "ConnectionsURL")
	if err != nil {
		return nil, err
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = defaultHTTPClient()
	}
	if cfg.Pacer == nil {
		lim := cfg.Limits
		if lim.Clock == nil {
			lim.Clock = cfg.Clock
		}
		cfg.Pacer = NewPacer(lim)
	}
	r := cfg.Retry
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = 5
	}
	if r.MinBackoff <= 0 {
		r.MinBackoff = 500 * time.Millisecond
	}
	if r.MaxBackoff <= 0 {
		r.MaxBackoff = 30 * time.Second
	}
	if r.MaxBackoff < r.MinBackoff {
		r.MaxBackoff = r.MinBackoff
	}
	if r.MaxRateLimited <= 0 {
		r.MaxRateLimited = 10
	}
	seed := r.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "Structura"
	}
	c := &Client{
		apiBase:        apiBase,
		connectionsURL: connURL,
		tenantID:       strings.TrimSpace(cfg.TenantID),
		ts:             cfg.TokenSource,
		hc:             cfg.HTTPClient,
		clk:            cfg.Clock,
		pacer:          cfg.Pacer,
		retry:          r,
		maxBytes:       cfg.MaxResponseBytes,
		log:            cfg.Logger,
		userAgent:      cfg.UserAgent,
		rand:           rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
	if cfg.RequestLog != nil {
		c.reqLog = &requestLog{w: cfg.RequestLog, tenant: c.tenantID}
	}
	c.Clients = &ClientsService{c: c}
	c.Relationships = &RelationshipsService{c: c}
	c.Groups = &GroupsService{c: c}
	c.Staff = &StaffService{c: c}
	c.Connections = &ConnectionsService{c: c}
	return c, nil
}

// Pacer returns the client's pacer, for progress (calls left today, ETA).
func (c *Client) Pacer() *Pacer { return c.pacer }

// TenantID returns the tenant the client talks to.
func (c *Client) TenantID() string { return c.tenantID }

func checkURL(v, def, name string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		v = def
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("xpm: Config.%s %q is not an http(s) URL", name, v)
	}
	return strings.TrimRight(v, "/"), nil
}

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 2 * time.Minute
	t.MaxIdleConnsPerHost = DefaultMaxInFlight
	return &http.Client{Transport: t}
}

// backoff returns the jittered delay before attempt n+1 (n ≥ 1): full
// jitter over an exponentially growing bound.
func (c *Client) backoff(n int) time.Duration {
	bound := c.retry.MinBackoff << (n - 1)
	if bound <= 0 || bound > c.retry.MaxBackoff {
		bound = c.retry.MaxBackoff
	}
	c.randMu.Lock()
	f := c.rand.Float64()
	c.randMu.Unlock()
	d := c.retry.MinBackoff/2 + time.Duration(f*float64(bound-c.retry.MinBackoff/2))
	return d
}
