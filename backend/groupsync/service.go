// Package groupsync is the service behind the Import Groups screen (the Sync
// area): it discovers the practice's XPM client groups into a per-practice
// cache, lists them with their link status, links each to a local group
// (new or existing, strictly one to one), unlinks without touching local
// data, exports a local group to XPM, and links many groups at once as a
// paced background job (backend/jobs).
//
// XPM is reached through the XPM interface (the connection service
// implements it) and every call goes through the xpm client and its pacer.
// Matching names, diffing discoveries, filtering and sorting are pure
// functions (match.go, diff.go, filter.go); SQLite, HTTP and the clock stay
// in this file and its siblings. Errors are practitioner-facing apperr
// errors. See docs/sync-groups.md.
package groupsync

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"structura/backend/apperr"
	"structura/backend/clock"
	"structura/backend/events"
	"structura/backend/jobs"
	"structura/backend/model"
	"structura/backend/store"
	"structura/backend/xpm"
)

// Job kinds and events of this package.
const (
	// KindDiscover is the discovery job (one at a time).
	KindDiscover = "xpm.discover-groups"
	// KindLinkGroups is the bulk link job (resumed after a restart).
	KindLinkGroups = "xpm.link-groups"
	// EventChanged is emitted after the cached groups or their links
	// changed (a discovery, a link, an unlink, an export); payload nil.
	EventChanged = "xpmgroups:changed"
)

// Journal vocabulary of links (the journal's own actions cover the rest).
const (
	ActionLink      = "link"
	ActionUnlink    = "unlink"
	ObjectGroupLink = "group_link"
)

// Tenant names an XPM practice.
type Tenant struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ConnState is the state of the XPM connection as this screen sees it.
type ConnState string

// Connection states.
const (
	// StateConnected: XPM can be used.
	StateConnected ConnState = "connected"
	// StateOffline: connected, but the last call could not reach XPM.
	StateOffline ConnState = "offline"
	// StateReconnect: the sign-in expired or was revoked; connect again.
	StateReconnect ConnState = "reconnect"
	// StateDisconnected: the user disconnected; links and the cache are kept.
	StateDisconnected ConnState = "disconnected"
	// StateNotConnected: Structura was never connected.
	StateNotConnected ConnState = "not_connected"
)

// Status is what the connection says without any network call.
type Status struct {
	// Tenant is the practice connected to, or the last one if disconnected
	// (zero if never connected).
	Tenant Tenant
	// State is StateConnected, StateReconnect, StateDisconnected or
	// StateNotConnected.
	State ConnState
	// ConnectedAt is when the current connection was made (zero if
	// unknown): a practice connected again since its last discovery is
	// discovered again when the screen opens.
	ConnectedAt time.Time
}

// XPM is what this package needs from the connection.
type XPM interface {
	// Client returns a client for the connected practice, or a
	// practitioner-facing error (apperr CodeAuth when Structura must
	// connect or reconnect first). write is set when the client will change
	// data in XPM (two-factor protection may ask for a code).
	Client(ctx context.Context, write bool) (*xpm.Client, Tenant, error)
	// Status says which practice is connected, without a network call.
	Status(ctx context.Context) Status
}

// Service implements the Import Groups screen.
type Service struct {
	st     *store.Store
	x      XPM
	jobs   *jobs.Runner
	clk    clock.Clock
	em     events.Emitter
	log    *slog.Logger
	actor  string
	failMu sync.Mutex
	// lastFail is the last XPM failure per practice that makes the screen
	// read-only (offline, sign-in refused), cleared by the next success.
	lastFail map[string]*apperr.Error
}

// New returns the service and registers its job kinds on runner.
func New(st *store.Store, x XPM, runner *jobs.Runner, clk clock.Clock, em events.Emitter, log *slog.Logger) *Service {
	if clk == nil {
		clk = clock.Real{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	actor := store.LocalActor()
	s := &Service{st: st, x: x, jobs: runner, clk: clk, em: em, log: log, actor: actor, lastFail: map[string]*apperr.Error{}}
	runner.Register(jobs.Kind{Name: KindDiscover, Exclusive: true, Run: s.runDiscover})
	runner.Register(jobs.Kind{Name: KindLinkGroups, AutoResume: true, Run: s.runBulkLink})
	return s
}

// SetActor sets the name recorded as "who" in journal entries.
func (s *Service) SetActor(name string) {
	if name = strings.TrimSpace(name); name != "" {
		s.actor = name
	}
}

func (s *Service) emit(structureChanged bool) {
	if s.em == nil {
		return
	}
	s.em.Emit(EventChanged, nil)
	if structureChanged {
		s.em.Emit(events.StructureChanged, nil)
	}
}

// client returns the XPM client for reading. A refusal here (not
// connected, reconnect needed, two-factor code needed) is the connection's
// own state: it is returned, not recorded as an XPM failure.
func (s *Service) client(ctx context.Context) (*xpm.Client, Tenant, error) {
	return s.clientFor(ctx, false)
}

func (s *Service) clientFor(ctx context.Context, write bool) (*xpm.Client, Tenant, error) {
	c, t, err := s.x.Client(ctx, write)
	if err != nil {
		return nil, t, xpm.UserError(err)
	}
	if t.ID == "" {
		t.ID = c.TenantID()
	}
	return c, t, nil
}

// observe records the outcome of an XPM call for the connection status:
// failures that mean "cannot reach XPM" or "sign in again" make the screen
// read-only until a call succeeds.
func (s *Service) observe(tenantID string, err error) {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	if err == nil {
		delete(s.lastFail, tenantID)
		return
	}
	pub := apperr.Public(xpm.UserError(err))
	switch pub.Code {
	case apperr.CodeUnavailable, apperr.CodeAuth:
		s.lastFail[tenantID] = pub
	}
}

// Connection is the connection as the Import Groups screen shows it.
type Connection struct {
	State  ConnState `json:"state"`
	Tenant Tenant    `json:"tenant"`
	// ReadOnly is set when groups can be seen but not refreshed or linked.
	ReadOnly bool `json:"readOnly"`
	// Message and Hint explain a state other than connected.
	Message string `json:"message,omitempty"`
	Hint    string `json:"hint,omitempty"`
}

func (s *Service) connection(ctx context.Context) Connection {
	st := s.x.Status(ctx)
	c := Connection{State: st.State, Tenant: st.Tenant}
	if c.State == "" {
		c.State = StateNotConnected
	}
	if c.State == StateConnected {
		s.failMu.Lock()
		f := s.lastFail[st.Tenant.ID]
		s.failMu.Unlock()
		if f != nil {
			c.State = StateOffline
			if f.Code == apperr.CodeAuth {
				c.State = StateReconnect
			}
			c.Message, c.Hint = f.Message, f.Hint
		}
	}
	return s.describe(c)
}

// describe fills in the message, hint and read-only flag of a state.
func (s *Service) describe(c Connection) Connection {
	switch c.State {
	case StateOffline:
		if c.Message == "" {
			c.Message = "Structura could not reach Xero Practice Manager."
		}
		c.Hint = "The groups below are from the last discovery. Check your internet connection, then press Refresh to link groups."
	case StateReconnect:
		c.Message = "Structura's connection to Xero has expired or was revoked."
		c.Hint = "Reconnect to Xero (Settings → XPM connection) to refresh or link groups. Your links and local data are kept."
	case StateDisconnected:
		c.Message = "Structura is disconnected from Xero Practice Manager."
		c.Hint = "Connect again (Settings → XPM connection) to refresh or link groups. The groups below are from the last discovery; your links and local data are kept."
	case StateNotConnected:
		c.Message = "Structura is not connected to Xero Practice Manager yet."
		c.Hint = "Connect to Xero (Settings → XPM connection) to see your practice's client groups."
	}
	c.ReadOnly = c.State != StateConnected
	return c
}

// GroupList is what the Import Groups screen shows.
type GroupList struct {
	Connection Connection `json:"connection"`
	// DiscoveredAt is when the groups below were read from XPM (null: never).
	DiscoveredAt *time.Time `json:"discoveredAt,omitempty"`
	// Refreshing is the discovery job running now, if any.
	Refreshing *jobs.Info `json:"refreshing,omitempty"`
	// Counts are over every cached group of the practice, before the filter.
	Counts Counts        `json:"counts"`
	Groups []XPMGroupRow `json:"groups"`
}

// tenantToShow is the connected practice, else the last one discovered.
func (s *Service) tenantToShow(ctx context.Context, tx *store.Tx, conn Connection) (Tenant, error) {
	if conn.Tenant.ID != "" {
		return conn.Tenant, nil
	}
	d, ok, err := tx.LatestDiscovery(ctx)
	if err != nil || !ok {
		return Tenant{}, err
	}
	return Tenant{ID: d.TenantID, Name: d.TenantName}, nil
}

// ListXPMGroups lists the cached XPM groups of the practice with their link
// status, filtered and sorted. It makes no XPM call: it answers at once and
// offline.
func (s *Service) ListXPMGroups(ctx context.Context, f Filter) (GroupList, error) {
	out := GroupList{Connection: s.connection(ctx), Groups: []XPMGroupRow{}}
	err := s.st.View(ctx, func(tx *store.Tx) error {
		t, err := s.tenantToShow(ctx, tx, out.Connection)
		if err != nil || t.ID == "" {
			return err
		}
		if out.Connection.Tenant.ID == "" {
			out.Connection.Tenant = t
		}
		d, ok, err := tx.Discovery(ctx, t.ID)
		if err != nil {
			return err
		}
		if ok {
			at := d.DiscoveredAt
			out.DiscoveredAt = &at
			if out.Connection.Tenant.Name == "" {
				out.Connection.Tenant.Name = d.TenantName
			}
			if out.Connection.State == StateNotConnected {
				// Connected before, not now: what was found then is shown.
				out.Connection = s.describe(Connection{State: StateDisconnected, Tenant: out.Connection.Tenant})
			}
		}
		rows, err := s.rows(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		out.Counts = CountRows(rows)
		out.Groups = Apply(rows, f)
		return nil
	})
	if err == nil && out.Connection.State == StateConnected {
		connectedAt := s.x.Status(ctx).ConnectedAt
		if out.DiscoveredAt == nil || (!connectedAt.IsZero() && connectedAt.After(*out.DiscoveredAt)) {
			// A practice never discovered, or connected again since: find
			// its groups now (the list shows the job).
			if _, serr := s.RefreshXPMGroups(ctx); serr != nil {
				s.log.Warn("automatic discovery did not start", "err", serr)
			}
		}
	}
	if info, ok := s.jobs.Active(KindDiscover); ok {
		out.Refreshing = &info
	}
	return out, err
}

// rows joins a practice's cached groups with their links.
func (s *Service) rows(ctx context.Context, tx *store.Tx, tenantID string) ([]XPMGroupRow, error) {
	groups, err := tx.XPMGroups(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	links, err := tx.GroupLinks(ctx)
	if err != nil {
		return nil, err
	}
	byUUID := make(map[string]store.GroupLink, len(links))
	for _, l := range links {
		byUUID[l.XPMGroupUUID] = l
	}
	out := make([]XPMGroupRow, 0, len(groups))
	for _, g := range groups {
		r := rowOf(g)
		if l, ok := byUUID[g.UUID]; ok {
			r.Link = linkInfo(l)
		}
		out = append(out, r)
	}
	return out, nil
}

func rowOf(g store.XPMGroup) XPMGroupRow {
	r := XPMGroupRow{UUID: g.UUID, Name: g.Name, MemberCount: g.MemberCount, Taxable: g.Taxable, WebURL: g.WebURL,
		FirstSeenAt: g.FirstSeenAt, LastSeenAt: g.LastSeenAt, ChangedAt: g.ChangedAt, DeletedInXPM: g.Deleted()}
	if g.Deleted() {
		at := g.DeletedAt
		r.DeletedAt = &at
	}
	return r
}

func linkInfo(l store.GroupLink) *LinkInfo {
	li := &LinkInfo{LocalGroupID: l.GroupID, LocalGroupName: l.GroupName, LinkedAt: l.LinkedAt}
	if !l.LastPulledAt.IsZero() {
		at := l.LastPulledAt
		li.LastPulledAt = &at
	}
	return li
}

// journal appends one journal entry of a sync change.
func (s *Service) journal(ctx context.Context, tx *store.Tx, jobID *int64, action, objType string, objID int64, summary string, before, after any) error {
	e := model.JournalEntry{At: s.clk.Now(), Actor: s.actor, Source: model.SourceSync, Action: action,
		ObjectType: objType, ObjectID: objID, Summary: summary, JobID: jobID}
	if before != nil {
		e.Before = snap(before)
	}
	if after != nil {
		e.After = snap(after)
	}
	_, err := tx.AppendJournal(ctx, e)
	return err
}

func snap(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// isCanceled reports whether err is a cancellation.
func isCanceled(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled)
}
