// Package connection is Structura's connection to XPM: settings (sandbox or
// real Xero, client id and secret, callback port), connecting (a cancellable
// sign-in job in the system browser, then the choice of practice), staying
// connected (the token source of backend/auth, with "Reconnect needed" when
// Xero refuses it), testing the connection, and disconnecting without losing
// any local data or link.
//
// Tokens live only in the OS keychain (one item per connection); SQLite
// keeps the practice's id and name, who connected, when, the scopes and the
// status. Two-factor protection (backend/twofa) is required to connect and
// guards access while a connection exists. The bound methods and events are
// documented for the UI in docs/connection.md.
package connection

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"structura/backend/apperr"
	"structura/backend/auth"
	"structura/backend/clock"
	"structura/backend/secrets"
	"structura/backend/store"
	"structura/backend/twofa"
	"structura/backend/xpm"
)

// Events emitted for the UI.
const (
	// EventChanged carries a Status whenever the connection changes.
	EventChanged = "connection:changed"
	// EventProgress carries a Progress for each step of a connect attempt.
	EventProgress = "connect:progress"
)

// Environments.
const (
	EnvSandbox = "sandbox"
	EnvXero    = "xero"
)

// States of Status.State.
const (
	StateNotConnected    = "not_connected"
	StateConnected       = "connected"
	StateReconnectNeeded = "reconnect_needed"
)

// Seed-guide wording (docs/connection.md lists every message).
const (
	MsgNoOrganizations = "No Xero organizations found"
	MsgReconnectNeeded = "Reconnect needed"
)

// DefaultCallbackPort is the loopback port of the redirect URI
// (http://localhost:8749/callback, what the sandbox's built-in app
// registers).
const DefaultCallbackPort = 8749

// DefaultConnectTimeout bounds a connect attempt (sign-in in the browser and
// the choice of practice).
const DefaultConnectTimeout = 10 * time.Minute

// setting keys
const (
	keyEnvironment  = "xpm.environment"
	keyClientID     = "xpm.clientId"
	keyHasSecret    = "xpm.hasClientSecret"
	keyCallbackPort = "xpm.callbackPort"
	keyAPIBaseURL   = "xpm.apiBaseUrl"
)

// Emitter receives events for the UI.
type Emitter interface {
	Emit(name string, data any)
}

// Sandbox is the built-in sandbox as the service needs it (SandboxHost in
// production and tests).
type Sandbox interface {
	// BaseURL returns the running sandbox's URL, starting it if needed.
	BaseURL(ctx context.Context) (string, error)
	// RegisterRedirectURI adds a redirect URI to the built-in app.
	RegisterRedirectURI(uri string) error
	// ClientID is the built-in app's client id.
	ClientID() string
}

// Config configures a Service.
type Config struct {
	Store     *store.Store
	Secrets   secrets.Store
	Clock     clock.Clock
	Logger    *slog.Logger
	Events    Emitter
	TwoFactor *twofa.Service
	Browser   auth.Browser
	// Sandbox is the built-in sandbox (nil: the sandbox environment is
	// unavailable).
	Sandbox Sandbox
	// XeroEndpoints gives real Xero's endpoints for an XPM base URL. Default
	// auth.XeroEndpoints; tests point "xero" at a sandbox with a web-type app.
	XeroEndpoints func(apiBaseURL string) auth.Endpoints
	// HTTPClient makes identity and XPM calls. Default: timeouts on
	// connect and headers.
	HTTPClient *http.Client
	// ConnectTimeout bounds a connect attempt (default 10 minutes).
	ConnectTimeout time.Duration
	// XPMRetry and XPMLimits configure the XPM client (zero: defaults).
	XPMRetry  xpm.RetryPolicy
	XPMLimits xpm.PacerConfig
	// OnConnected, if set, runs after a connect completes (for example to
	// discover the practice's client groups). It gets the tenant id and must
	// not block.
	OnConnected func(ctx context.Context, tenantID string)
}

// Service is the XPM connection.
type Service struct {
	st  *store.Store
	sec secrets.Store
	clk clock.Clock
	log *slog.Logger
	ev  Emitter
	// onConnected is Config.OnConnected.
	onConnected func(ctx context.Context, tenantID string)
	tfa         *twofa.Service
	browser     auth.Browser
	sandbox     Sandbox
	xeroEP      func(string) auth.Endpoints
	hc          *http.Client
	timeout     time.Duration
	retry       xpm.RetryPolicy
	limits      xpm.PacerConfig
	states      *auth.StateBook

	mu      sync.Mutex
	attempt *attempt
	live    *live // token source and XPM client of the current connection
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Browser == nil {
		cfg.Browser = auth.SystemBrowser{}
	}
	if cfg.XeroEndpoints == nil {
		cfg.XeroEndpoints = auth.XeroEndpoints
	}
	if cfg.HTTPClient == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = 2 * time.Minute
		cfg.HTTPClient = &http.Client{Transport: t}
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	return &Service{st: cfg.Store, sec: cfg.Secrets, clk: cfg.Clock, log: cfg.Logger, ev: cfg.Events, tfa: cfg.TwoFactor,
		browser: cfg.Browser, sandbox: cfg.Sandbox, xeroEP: cfg.XeroEndpoints, hc: cfg.HTTPClient, timeout: cfg.ConnectTimeout,
		retry: cfg.XPMRetry, limits: cfg.XPMLimits, states: auth.NewStateBook(cfg.Clock), onConnected: cfg.OnConnected}
}

func (s *Service) emit(name string, data any) {
	if s.ev != nil {
		s.ev.Emit(name, data)
	}
}

// ---- settings ----

// ChecklistItem is one line of the in-app checklist for real Xero.
type ChecklistItem struct {
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

// Settings is Settings → XPM connection. The client secret is never
// returned: HasClientSecret says whether one is in the keychain.
type Settings struct {
	// Environment is "sandbox" (the built-in demo practice, the default) or
	// "xero".
	Environment string `json:"environment"`
	// ClientID is the user's Xero app's client id (environment "xero").
	ClientID        string `json:"clientId"`
	HasClientSecret bool   `json:"hasClientSecret"`
	// CallbackPort is the loopback port of the redirect URI.
	CallbackPort int `json:"callbackPort"`
	// RedirectURI is what to register on the Xero app, exactly.
	RedirectURI string `json:"redirectUri"`
	// APIBaseURL is the XPM v3.1 base URL used with real Xero.
	APIBaseURL string `json:"apiBaseUrl"`
	// Scopes are the scopes Structura asks for.
	Scopes []string `json:"scopes"`
	// SandboxClientID is the built-in sandbox app's client id (shown for
	// information).
	SandboxClientID string `json:"sandboxClientId"`
	// Locked is true while connected: environment and client id cannot
	// change until the user disconnects.
	Locked bool `json:"locked"`
	// Checklist is the set-up checklist for real Xero.
	Checklist []ChecklistItem `json:"checklist"`
}

// SettingsInput is what the settings screen saves.
type SettingsInput struct {
	Environment string `json:"environment"`
	ClientID    string `json:"clientId"`
	// ClientSecret replaces the stored secret when not empty.
	ClientSecret string `json:"clientSecret"`
	// ClearClientSecret removes the stored secret (desktop apps have none).
	ClearClientSecret bool   `json:"clearClientSecret"`
	CallbackPort      int    `json:"callbackPort"`
	APIBaseURL        string `json:"apiBaseUrl"`
}

type rawSettings struct {
	env, clientID, apiBase string
	hasSecret              bool
	port                   int
}

func (s *Service) readSettings(ctx context.Context, tx *store.Tx) (rawSettings, error) {
	r := rawSettings{env: EnvSandbox, port: DefaultCallbackPort, apiBase: auth.XeroAPIBaseURL}
	get := func(k string) (string, bool, error) { return tx.Setting(ctx, k) }
	if v, ok, err := get(keyEnvironment); err != nil {
		return r, err
	} else if ok && (v == EnvSandbox || v == EnvXero) {
		r.env = v
	}
	if v, _, err := get(keyClientID); err != nil {
		return r, err
	} else {
		r.clientID = v
	}
	if v, _, err := get(keyHasSecret); err != nil {
		return r, err
	} else {
		r.hasSecret = v == "1"
	}
	if v, ok, err := get(keyCallbackPort); err != nil {
		return r, err
	} else if n, perr := strconv.Atoi(v); ok && perr == nil && n > 0 {
		r.port = n
	}
	if v, ok, err := get(keyAPIBaseURL); err != nil {
		return r, err
	} else if ok && v != "" {
		r.apiBase = v
	}
	return r, nil
}

func (s *Service) settings(ctx context.Context) (rawSettings, *store.XPMConnection, error) {
	var r rawSettings
	var cur *store.XPMConnection
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = s.readSettings(ctx, tx); err != nil {
			return err
		}
		c, ok, err := tx.CurrentConnection(ctx)
		if ok {
			cur = &c
		}
		return err
	})
	return r, cur, err
}

// Settings returns the XPM connection settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	r, cur, err := s.settings(ctx)
	if err != nil {
		return Settings{}, err
	}
	return s.publicSettings(r, cur != nil), nil
}

func (s *Service) publicSettings(r rawSettings, locked bool) Settings {
	out := Settings{Environment: r.env, ClientID: r.clientID, HasClientSecret: r.hasSecret, CallbackPort: r.port,
		RedirectURI: auth.RedirectURI(r.port), APIBaseURL: r.apiBase, Scopes: append([]string(nil), auth.Scopes...), Locked: locked}
	if s.sandbox != nil {
		out.SandboxClientID = s.sandbox.ClientID()
	}
	out.Checklist = []ChecklistItem{
		{"XPM API access approved by Xero", "Xero approves API access to Xero Practice Manager per practice, after a review that can take several weeks. Apply from your app at developer.xero.com."},
		{"The \u201cConnect third-party add-ons\u201d privilege", "The XPM user who connects needs it (Authorise 3rd Party Full Access in XPM's staff privileges). Without it Xero shows no Xero Practice Manager account and Structura finds no practice."},
		{"Scopes", "Your Xero app must allow: " + strings.Join(auth.Scopes, " ") + "."},
		{"Redirect URI", "Register " + out.RedirectURI + " on your Xero app exactly as written (Xero compares it character by character)."},
		{"Client secret only for web-type apps", "Desktop (PKCE) apps have no secret: leave it empty. Only if your Xero app is of the web type, enter its secret; Structura keeps it in the system keychain."},
	}
	return out
}

// SaveSettings validates and saves the settings. The environment and the
// client id cannot change while connected.
func (s *Service) SaveSettings(ctx context.Context, in SettingsInput) (Settings, error) {
	in.Environment = strings.ToLower(strings.TrimSpace(in.Environment))
	in.ClientID = strings.TrimSpace(in.ClientID)
	in.APIBaseURL = strings.TrimRight(strings.TrimSpace(in.APIBaseURL), "/")
	in.ClientSecret = strings.TrimSpace(in.ClientSecret)
	fields := map[string]string{}
	if in.Environment != EnvSandbox && in.Environment != EnvXero {
		fields["environment"] = "Choose Sandbox (demo practice) or Xero."
	}
	if in.Environment == EnvSandbox && s.sandbox == nil {
		fields["environment"] = "The built-in sandbox is not available in this copy of Structura."
	}
	if in.Environment == EnvXero {
		switch {
		case in.ClientID == "":
			fields["clientId"] = "Enter the client id of your Xero app (developer.xero.com → My Apps → your app → Configuration)."
		case len(in.ClientID) > 100 || strings.ContainsAny(in.ClientID, " \t/\\?#&=\"'<>"):
			fields["clientId"] = "This does not look like a Xero client id: copy it again from your app's Configuration page."
		}
	}
	if in.CallbackPort == 0 {
		in.CallbackPort = DefaultCallbackPort
	}
	if in.CallbackPort < 1024 || in.CallbackPort > 65535 {
		fields["callbackPort"] = "Choose a port between 1024 and 65535 (the default is 8749)."
	}
	if in.APIBaseURL == "" {
		in.APIBaseURL = auth.XeroAPIBaseURL
	}
	if u, err := url.Parse(in.APIBaseURL); err != nil || u.Host == "" || !(u.Scheme == "https" || (u.Scheme == "http" && isLoopbackHost(u.Hostname()))) {
		fields["apiBaseUrl"] = "Enter an https:// address, such as " + auth.XeroAPIBaseURL + "."
	}
	if len(in.ClientSecret) > 200 || strings.ContainsAny(in.ClientSecret, " \t\r\n") {
		fields["clientSecret"] = "This does not look like a Xero client secret: copy it again from your app's Configuration page."
	}
	if len(fields) > 0 {
		return Settings{}, apperr.Validation(fields)
	}
	cur, curConn, err := s.settings(ctx)
	if err != nil {
		return Settings{}, err
	}
	if curConn != nil && (in.Environment != cur.env || (in.Environment == EnvXero && in.ClientID != cur.clientID)) {
		return Settings{}, apperr.New(apperr.CodeConflict,
			"Structura is connected to "+curConn.TenantName+", so the environment and client id cannot change now.",
			"Disconnect first (your local data and links are kept), then change the settings and connect again.")
	}
	oldSecretGoes := cur.hasSecret && cur.clientID != "" && (in.ClearClientSecret || in.ClientID != cur.clientID)
	if oldSecretGoes {
		if err := s.sec.Delete(ctx, auth.ClientSecretKey(cur.clientID)); err != nil {
			return Settings{}, err
		}
	}
	hasSecret := cur.hasSecret && !oldSecretGoes
	if in.ClientSecret != "" {
		if err := s.sec.Set(ctx, auth.ClientSecretKey(in.ClientID), in.ClientSecret); err != nil {
			return Settings{}, err
		}
		hasSecret = true
	}
	now := s.clk.Now()
	err = s.st.WithTx(ctx, func(tx *store.Tx) error {
		for k, v := range map[string]string{keyEnvironment: in.Environment, keyClientID: in.ClientID,
			keyCallbackPort: strconv.Itoa(in.CallbackPort), keyAPIBaseURL: in.APIBaseURL, keyHasSecret: boolStr(hasSecret)} {
			if err := tx.SetSetting(ctx, k, v, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Settings{}, err
	}
	if oldSecretGoes || in.ClientSecret != "" {
		// The token source of the connection must refresh with the new secret.
		s.mu.Lock()
		s.live = nil
		s.mu.Unlock()
	}
	s.log.Info("XPM settings saved", "environment", in.Environment, "callbackPort", in.CallbackPort, "hasClientSecret", hasSecret)
	st, err := s.Settings(ctx)
	if err == nil {
		s.emitStatus(ctx)
	}
	return st, err
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func isLoopbackHost(h string) bool { return h == "localhost" || h == "127.0.0.1" || h == "::1" }

// env is a resolved environment: who Structura is at Xero and where.
type env struct {
	name   string
	client auth.Client
	port   int
}

// resolve turns settings into a client, starting the sandbox if needed.
func (s *Service) resolve(ctx context.Context, r rawSettings) (env, error) {
	e := env{name: r.env, port: r.port}
	e.client = auth.Client{RedirectURL: auth.RedirectURI(r.port), Scopes: auth.Scopes, HTTPClient: s.hc}
	switch r.env {
	case EnvSandbox:
		if s.sandbox == nil {
			return e, apperr.New(apperr.CodeUnavailable, "The built-in sandbox is not available.", "Choose Xero in Settings → XPM connection.")
		}
		base, err := s.sandbox.BaseURL(ctx)
		if err != nil {
			return e, apperr.Wrap(err, apperr.CodeUnavailable, "The built-in sandbox could not start.",
				"Restart Structura. If it keeps happening, send the log file to support.")
		}
		if err := s.sandbox.RegisterRedirectURI(e.client.RedirectURL); err != nil {
			return e, fmt.Errorf("register redirect URI with the sandbox: %w", err)
		}
		e.client.ClientID = s.sandbox.ClientID()
		e.client.Endpoints = auth.SandboxEndpoints(base)
	default:
		if r.clientID == "" {
			return e, apperr.Validation(map[string]string{"clientId": "Enter the client id of your Xero app in Settings → XPM connection before connecting."})
		}
		e.client.ClientID = r.clientID
		e.client.Endpoints = s.xeroEP(r.apiBase)
		if r.hasSecret {
			secret, err := s.sec.Get(ctx, auth.ClientSecretKey(r.clientID))
			if err != nil {
				return e, err
			}
			e.client.ClientSecret = secret
		}
	}
	return e, nil
}

// ---- status ----

// Status is the connection as the status bar and settings show it.
type Status struct {
	// State is "not_connected", "connected" or "reconnect_needed".
	State string `json:"state"`
	// Label is the status bar text: "Not connected", "Connected to
	// <practice>", "Reconnect needed".
	Label string `json:"label"`
	// Environment is the environment setting ("sandbox" or "xero"); Sandbox
	// is true when it is the built-in sandbox (the status bar shows a
	// Sandbox badge).
	Environment string `json:"environment"`
	Sandbox     bool   `json:"sandbox"`
	// Practice, when connected or waiting for a reconnect.
	TenantID       string     `json:"tenantId,omitempty"`
	TenantName     string     `json:"tenantName,omitempty"`
	ConnectedBy    string     `json:"connectedBy,omitempty"`
	ConnectedEmail string     `json:"connectedEmail,omitempty"`
	ConnectedAt    *time.Time `json:"connectedAt,omitempty"`
	Scopes         []string   `json:"scopes,omitempty"`
	// Reason says why a reconnect is needed, and what to do.
	Reason string `json:"reason,omitempty"`
	// ActiveLinks counts the links of the connected practice.
	ActiveLinks store.LinkCounts `json:"activeLinks"`
	// ParkedLinks lists links kept for other practices (not used until
	// Structura is connected to that practice again).
	ParkedLinks []ParkedLinks `json:"parkedLinks"`
	// ConnectAttemptID is the attempt in progress, if any.
	ConnectAttemptID string `json:"connectAttemptId,omitempty"`
}

// ParkedLinks are the links of a practice Structura is not connected to.
type ParkedLinks struct {
	TenantID      string `json:"tenantId"`
	TenantName    string `json:"tenantName"`
	Groups        int    `json:"groups"`
	Entities      int    `json:"entities"`
	Relationships int    `json:"relationships"`
}

// Counts returns the link counts.
func (p ParkedLinks) Counts() store.LinkCounts {
	return store.LinkCounts{TenantID: p.TenantID, Groups: p.Groups, Entities: p.Entities, Relationships: p.Relationships}
}

// Status returns the current status.
func (s *Service) Status(ctx context.Context) (Status, error) {
	var st Status
	err := s.st.View(ctx, func(tx *store.Tx) error {
		r, err := s.readSettings(ctx, tx)
		if err != nil {
			return err
		}
		st = Status{State: StateNotConnected, Label: "Not connected", Environment: r.env, Sandbox: r.env == EnvSandbox, ParkedLinks: []ParkedLinks{}}
		cur, ok, err := tx.CurrentConnection(ctx)
		if err != nil {
			return err
		}
		if ok {
			st.TenantID, st.TenantName = cur.TenantID, cur.TenantName
			st.ConnectedBy, st.ConnectedEmail = cur.ConnectedBy, cur.ConnectedEmail
			at := cur.ConnectedAt
			st.ConnectedAt = &at
			st.Scopes = strings.Fields(cur.Scopes)
			st.Environment, st.Sandbox = cur.Environment, cur.Environment == EnvSandbox
			if cur.Status == store.ConnReconnectNeeded {
				st.State, st.Label, st.Reason = StateReconnectNeeded, MsgReconnectNeeded, cur.StatusReason
			} else {
				st.State, st.Label = StateConnected, "Connected to "+cur.TenantName
			}
		}
		if st.ActiveLinks, err = tx.ActiveLinkCounts(ctx); err != nil {
			return err
		}
		st.ParkedLinks, err = parkedLinks(ctx, tx, st.TenantID)
		return err
	})
	if err != nil {
		return Status{}, err
	}
	s.mu.Lock()
	if s.attempt != nil {
		st.ConnectAttemptID = s.attempt.id
	}
	s.mu.Unlock()
	return st, nil
}

// parkedLinks lists link counts of tenants other than current.
func parkedLinks(ctx context.Context, tx *store.Tx, current string) ([]ParkedLinks, error) {
	counts, err := tx.LinkCountsByTenant(ctx)
	if err != nil {
		return nil, err
	}
	out := []ParkedLinks{}
	for _, c := range counts {
		if strings.EqualFold(c.TenantID, current) {
			continue
		}
		p := ParkedLinks{TenantID: c.TenantID, Groups: c.Groups, Entities: c.Entities, Relationships: c.Relationships, TenantName: "an earlier practice"}
		if row, ok, err := tx.Connection(ctx, c.TenantID); err != nil {
			return nil, err
		} else if ok && row.TenantName != "" {
			p.TenantName = row.TenantName
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Service) emitStatus(ctx context.Context) {
	if s.ev == nil {
		return
	}
	st, err := s.Status(context.WithoutCancel(ctx))
	if err != nil {
		s.log.Warn("could not read the connection status", "err", err)
		return
	}
	s.emit(EventChanged, st)
}

func describeLinks(c store.LinkCounts) string {
	var parts []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, strconv.Itoa(n)+" "+many)
		}
	}
	add(c.Groups, "group", "groups")
	add(c.Entities, "client", "clients")
	add(c.Relationships, "relationship", "relationships")
	if len(parts) == 0 {
		return "no links"
	}
	return strings.Join(parts, ", ")
}
