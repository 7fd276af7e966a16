// Package pull is the service behind "Pull from XPM" (issue 8): it reads
// linked XPM groups through the xpm client (backend/xpm, paced), keeps what
// it read as a snapshot, computes the review with the pure sync code
// (backend/sync), keeps the practitioner's decisions, and applies the
// confirmed plan one transaction per group, with base snapshots, journal
// entries and a summary.
//
// A pull is two background jobs (backend/jobs): "xpm.pull" reads and
// plans, "xpm.pull-apply" writes. Both report progress as "job:progress"
// events (stage, n of m, ETA, calls left today), can be cancelled at any
// point without half-written data (each group is all or nothing), and carry
// on after a crash or restart. Between them the pull waits in state
// "review": decisions change the review without calling XPM again, and
// nothing is written until Apply.
//
// See docs/pull.md for the bound API and docs/adr/0030-0034 for the
// decisions.
package pull

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	gosync "sync"
	"time"

	"structura/backend/apperr"
	"structura/backend/clock"
	"structura/backend/events"
	"structura/backend/jobs"
	"structura/backend/model"
	"structura/backend/store"
	"structura/backend/sync"
	"structura/backend/xpm"
)

// Job kinds and events of this package.
const (
	// KindRead reads the groups from XPM and plans the review.
	KindRead = "xpm.pull"
	// KindApply writes a confirmed pull.
	KindApply = "xpm.pull-apply"
	// EventChanged is emitted when a pull changes state or its review
	// changes; the payload is the pull's Info.
	EventChanged = "pull:changed"
)

// XPM gives the pull a client for the connected practice (the connection
// service, through a one-line adapter in core). The client's TenantID is
// the practice. The pull only reads XPM.
type XPM interface {
	Client(ctx context.Context) (*xpm.Client, error)
}

// XPMFunc adapts a function to XPM.
type XPMFunc func(ctx context.Context) (*xpm.Client, error)

// Client calls f.
func (f XPMFunc) Client(ctx context.Context) (*xpm.Client, error) { return f(ctx) }

// Service runs pulls.
type Service struct {
	st      *store.Store
	x       XPM
	jobs    *jobs.Runner
	clk     clock.Clock
	em      events.Emitter
	log     *slog.Logger
	actor   string
	mapping *sync.Mapping

	// mu serialises changes to a pull's state (start, decide, apply,
	// cancel, discard) so that two clicks never race.
	mu gosync.Mutex

	cacheMu gosync.Mutex
	cache   *planCache

	// applyPause, when set (tests), is called after each group is applied.
	applyPause func(ctx context.Context, groupUUID string)
	// listMargin is subtracted from the last pull's time for modifiedSince.
	listMargin time.Duration
}

// FullReadEvery is how long a list read may ask only for what changed: a
// client deleted in XPM without touching any other client shows in no
// change list, so a full read is made at least this often.
const FullReadEvery = 7 * 24 * time.Hour

// ModifiedSinceMargin is how far before the last pull's read a later list
// read starts (clock differences between Structura and XPM).
const ModifiedSinceMargin = 5 * time.Minute

// New returns the service and registers its job kinds on runner (before
// runner.Start).
func New(st *store.Store, x XPM, runner *jobs.Runner, clk clock.Clock, em events.Emitter, log *slog.Logger) *Service {
	if clk == nil {
		clk = clock.Real{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	actor := store.LocalActor()
	s := &Service{st: st, x: x, jobs: runner, clk: clk, em: em, log: log, actor: actor, mapping: sync.DefaultMapping(),
		listMargin: ModifiedSinceMargin}
	runner.Register(jobs.Kind{Name: KindRead, AutoResume: true, Run: s.runRead})
	runner.Register(jobs.Kind{Name: KindApply, AutoResume: true, Run: s.runApply})
	return s
}

// SetActor sets the name recorded as "who" in journal entries.
func (s *Service) SetActor(name string) {
	if name = strings.TrimSpace(name); name != "" {
		s.actor = name
	}
}

func (s *Service) emit(name string, data any) {
	if s.em != nil {
		s.em.Emit(name, data)
	}
}

// ---- requests and answers ----

// Request says what to pull: XPM groups by uuid, local groups by id, or
// every linked group of the connected practice.
type Request struct {
	XPMGroupUUIDs []string `json:"xpmGroupUuids"`
	LocalGroupIDs []int64  `json:"localGroupIds"`
	All           bool     `json:"all"`
	// FullRead reads everything again, even after an earlier pull.
	FullRead bool `json:"fullRead"`
	// Strategy forces the read ("groups" or "list"; "" = by cost).
	Strategy string `json:"strategy,omitempty"`
}

// GroupRef is a group of a pull.
type GroupRef struct {
	XPMUUID      string     `json:"xpmUuid"`
	Name         string     `json:"name"` // XPM's name
	LocalGroupID int64      `json:"localGroupId"`
	LocalName    string     `json:"localName"`
	Members      int        `json:"members"` // -1 = not counted yet
	LastPulledAt *time.Time `json:"lastPulledAt,omitempty"`
	Read         bool       `json:"read"`
	Applied      bool       `json:"applied"`
	Gone         bool       `json:"gone,omitempty"`
}

// Estimate is what a pull would cost, shown before it starts.
type Estimate struct {
	Groups   []GroupRef    `json:"groups"`
	ReadPlan sync.ReadPlan `json:"readPlan"`
	// Calls and Seconds at the current limits (Seconds includes waiting
	// for today's budget when the calls do not fit).
	Calls          int    `json:"calls"`
	Seconds        int    `json:"seconds"`
	CallsLeftToday int    `json:"callsLeftToday"`
	FitsToday      bool   `json:"fitsToday"`
	Message        string `json:"message"`
}

// Info describes a pull for the UI.
type Info struct {
	ID       int64         `json:"id"`
	State    string        `json:"state"`
	Title    string        `json:"title"`
	TenantID string        `json:"tenantId"`
	Groups   []GroupRef    `json:"groups"`
	ReadPlan sync.ReadPlan `json:"readPlan"`
	// Summary is the review's summary (from state review on).
	Summary *sync.Summary `json:"summary,omitempty"`
	// Result is what applying did (state applying, applied, canceled).
	Result     *Result       `json:"result,omitempty"`
	ReadJobID  int64         `json:"readJobId,omitempty"`
	ApplyJobID int64         `json:"applyJobId,omitempty"`
	Calls      int           `json:"calls"` // XPM calls the read made
	Error      *apperr.Error `json:"error,omitempty"`
	CreatedAt  time.Time     `json:"createdAt"`
	UpdatedAt  time.Time     `json:"updatedAt"`
}

// Result is the pull's summary once applied: what changed, what was
// skipped and why.
type Result struct {
	Groups        []GroupResult `json:"groups"`
	Created       int           `json:"created"`
	Updated       int           `json:"updated"`
	Linked        int           `json:"linked"`
	MembersAdded  int           `json:"membersAdded"`
	MembersGone   int           `json:"membersRemoved"`
	RelsCreated   int           `json:"relationshipsCreated"`
	RelsUpdated   int           `json:"relationshipsUpdated"`
	RelsLinked    int           `json:"relationshipsLinked"`
	RelsDeleted   int           `json:"relationshipsDeleted"`
	Unchanged     int           `json:"unchanged"`
	Skipped       []SkipNote    `json:"skipped"`
	SkippedTotal  int           `json:"skippedTotal"`
	Flagged       int           `json:"flagged"`
	Changes       int           `json:"changes"`
	GroupsApplied int           `json:"groupsApplied"`
	Message       string        `json:"message"`
}

// GroupResult is what applying did in one group.
type GroupResult struct {
	XPMUUID      string     `json:"xpmUuid"`
	Name         string     `json:"name"`
	LocalGroupID int64      `json:"localGroupId"`
	Applied      bool       `json:"applied"`
	Created      int        `json:"created"`
	Updated      int        `json:"updated"`
	Linked       int        `json:"linked"`
	MembersAdded int        `json:"membersAdded"`
	MembersGone  int        `json:"membersRemoved"`
	RelsCreated  int        `json:"relationshipsCreated"`
	RelsUpdated  int        `json:"relationshipsUpdated"`
	RelsLinked   int        `json:"relationshipsLinked"`
	RelsDeleted  int        `json:"relationshipsDeleted"`
	Skipped      []SkipNote `json:"skipped,omitempty"`
	Problem      string     `json:"problem,omitempty"`
}

func (g *GroupResult) changes() int {
	return g.Created + g.Updated + g.Linked + g.MembersAdded + g.MembersGone + g.RelsCreated + g.RelsUpdated + g.RelsLinked + g.RelsDeleted
}

// SkipNote says what was not written and why.
type SkipNote struct {
	Key   string `json:"key,omitempty"`
	Title string `json:"title"`
	Why   string `json:"why"`
}

// maxSkipNotes bounds the skip notes kept with a pull.
const maxSkipNotes = 500

// ---- read model ----

type requestDoc struct {
	Request
	Title string `json:"title"`
}

type readDoc struct {
	ListDone       bool      `json:"listDone,omitempty"`
	ReferencedDone bool      `json:"referencedDone,omitempty"`
	Calls          int       `json:"calls"`
	ModifiedSince  time.Time `json:"modifiedSince,omitzero"`
}

func decode[T any](s string) T {
	var v T
	if s != "" {
		_ = json.Unmarshal([]byte(s), &v) // a damaged column reads as empty
	}
	return v
}

func encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

func (s *Service) info(ctx context.Context, tx *store.Tx, p store.PullRow) (Info, error) {
	req := decode[requestDoc](p.Request)
	rd := decode[readDoc](p.Read)
	in := Info{ID: p.ID, State: p.State, Title: req.Title, TenantID: p.TenantID, ReadPlan: decode[sync.ReadPlan](p.ReadPlan),
		Calls: rd.Calls, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Groups: []GroupRef{}}
	if p.ReadJobID != nil {
		in.ReadJobID = *p.ReadJobID
	}
	if p.ApplyJobID != nil {
		in.ApplyJobID = *p.ApplyJobID
	}
	if p.Summary != "" && p.Summary != "{}" {
		sm := decode[sync.Summary](p.Summary)
		in.Summary = &sm
	}
	if p.Result != "" && p.Result != "{}" {
		r := decode[Result](p.Result)
		in.Result = &r
	}
	if p.Error != "" {
		var e apperr.Error
		if json.Unmarshal([]byte(p.Error), &e) != nil || e.Message == "" {
			e = apperr.Error{Code: apperr.CodeInternal, Message: p.Error}
		}
		in.Error = &e
	}
	groups, err := tx.PullGroups(ctx, p.ID, false)
	if err != nil {
		return in, err
	}
	names, err := tx.GroupNames(ctx)
	if err != nil {
		return in, err
	}
	for _, g := range groups {
		ref := GroupRef{XPMUUID: g.XPMUUID, Name: g.Name, Members: len(g.Members), Read: !g.ReadAt.IsZero(),
			Applied: !g.AppliedAt.IsZero(), Gone: g.Gone}
		if g.ReadAt.IsZero() {
			ref.Members = -1
		}
		if g.GroupID != nil {
			ref.LocalGroupID = *g.GroupID
			ref.LocalName = names[*g.GroupID]
		}
		in.Groups = append(in.Groups, ref)
	}
	return in, nil
}

// Get describes one pull.
func (s *Service) Get(ctx context.Context, id int64) (Info, error) {
	var in Info
	err := s.st.View(ctx, func(tx *store.Tx) error {
		p, err := tx.Pull(ctx, id)
		if err != nil {
			return err
		}
		in, err = s.info(ctx, tx, p)
		return err
	})
	return in, err
}

// List describes the open pulls and the most recent others, newest first.
func (s *Service) List(ctx context.Context, limit int) ([]Info, error) {
	out := []Info{}
	err := s.st.View(ctx, func(tx *store.Tx) error {
		ps, err := tx.Pulls(ctx, limit)
		if err != nil {
			return err
		}
		for _, p := range ps {
			in, err := s.info(ctx, tx, p)
			if err != nil {
				return err
			}
			out = append(out, in)
		}
		return nil
	})
	return out, err
}

func (s *Service) changed(ctx context.Context, id int64) {
	if in, err := s.Get(ctx, id); err == nil {
		s.emit(EventChanged, in)
	}
}

// ---- choosing the groups and the calls ----

// resolve turns a request into the groups to pull, in a stable order
// (by local group name), checking each is linked to the connected
// practice.
func (s *Service) resolve(ctx context.Context, tx *store.Tx, tenant string, req Request) ([]GroupRef, error) {
	links, err := tx.GroupLinks(ctx)
	if err != nil {
		return nil, err
	}
	byUUID := map[string]store.GroupLink{}
	byGroup := map[int64]store.GroupLink{}
	for _, l := range links {
		byUUID[l.XPMGroupUUID] = l
		if l.GroupID != nil {
			byGroup[*l.GroupID] = l
		}
	}
	var chosen []store.GroupLink
	seen := map[string]bool{}
	add := func(l store.GroupLink) {
		if !seen[l.XPMGroupUUID] {
			seen[l.XPMGroupUUID] = true
			chosen = append(chosen, l)
		}
	}
	notLinked := func(what string) error {
		return apperr.New(apperr.CodeValidation, what+" is not linked to an XPM group of the connected practice.",
			"Link it on the Import Groups screen first, then pull it.")
	}
	if req.All {
		for _, l := range links {
			if l.GroupID != nil && strings.EqualFold(l.TenantID, tenant) {
				add(l)
			}
		}
		if len(chosen) == 0 {
			return nil, apperr.New(apperr.CodeValidation, "No group is linked to the connected XPM practice yet.",
				"Link groups on the Import Groups screen first, then pull them.")
		}
	}
	for _, u := range req.XPMGroupUUIDs {
		l, ok := byUUID[strings.TrimSpace(u)]
		if !ok || l.GroupID == nil || !strings.EqualFold(l.TenantID, tenant) {
			return nil, notLinked("This XPM group")
		}
		add(l)
	}
	for _, id := range req.LocalGroupIDs {
		l, ok := byGroup[id]
		if !ok || !strings.EqualFold(l.TenantID, tenant) {
			name := "This group"
			if g, err := tx.Group(ctx, id); err == nil {
				name = "“" + g.Name + "”"
			}
			return nil, notLinked(name)
		}
		add(l)
	}
	if len(chosen) == 0 {
		return nil, apperr.New(apperr.CodeValidation, "Choose at least one linked group to pull.", "")
	}
	out := make([]GroupRef, 0, len(chosen))
	for _, l := range chosen {
		ref := GroupRef{XPMUUID: l.XPMGroupUUID, LocalGroupID: *l.GroupID, LocalName: l.GroupName, Name: l.GroupName, Members: -1}
		if !l.LastPulledAt.IsZero() {
			t := l.LastPulledAt
			ref.LastPulledAt = &t
		}
		if g, ok, err := tx.XPMGroup(ctx, tenant, l.XPMGroupUUID); err != nil {
			return nil, err
		} else if ok {
			ref.Name = g.Name
			if g.MemberCount != nil {
				ref.Members = *g.MemberCount
			}
		}
		if ref.Members < 0 {
			if gl, ok, err := tx.GroupLinkForPull(ctx, l.XPMGroupUUID); err == nil && ok && gl.Base != "" {
				ref.Members = len(decode[sync.GroupBase](gl.Base).Members)
			}
		}
		out = append(out, ref)
	}
	slices.SortStableFunc(out, func(a, b GroupRef) int {
		if c := strings.Compare(strings.ToLower(a.LocalName), strings.ToLower(b.LocalName)); c != 0 {
			return c
		}
		return strings.Compare(a.XPMUUID, b.XPMUUID)
	})
	return out, nil
}

// readPlanFor chooses the calls for groups.
func (s *Service) readPlanFor(ctx context.Context, tx *store.Tx, tenant string, groups []GroupRef, req Request, pacer *xpm.Pacer) (sync.ReadPlan, error) {
	in := sync.ReadPlanInput{PerMinute: xpm.DefaultPerMinute, Force: req.Strategy}
	if pacer != nil {
		in.CallsLeftToday = pacer.CallsLeftToday()
	}
	if d, ok, err := tx.Discovery(ctx, tenant); err != nil {
		return sync.ReadPlan{}, err
	} else if ok {
		in.PracticeClients = d.ClientCount
	}
	var since time.Time
	incremental := !req.FullRead
	for _, g := range groups {
		in.Members = append(in.Members, g.Members)
		gl, ok, err := tx.GroupLinkForPull(ctx, g.XPMUUID)
		if err != nil {
			return sync.ReadPlan{}, err
		}
		if !ok || gl.Base == "" || gl.LastPulledAt.IsZero() {
			incremental = false
			continue
		}
		if full := decode[sync.GroupBase](gl.Base).FullReadAt; full.IsZero() || s.clk.Now().Sub(full) > FullReadEvery {
			incremental = false // a full read now and then notices what a change list cannot
		}
		if since.IsZero() || gl.LastPulledAt.Before(since) {
			since = gl.LastPulledAt
		}
	}
	if incremental && !since.IsZero() {
		in.ModifiedSince = since.Add(-s.listMargin)
	}
	return sync.ChooseReadPlan(in), nil
}

// Estimate says which calls a pull would make and how long they would
// take at the current limits, without calling XPM.
func (s *Service) Estimate(ctx context.Context, req Request) (Estimate, error) {
	c, err := s.x.Client(ctx)
	if err != nil {
		return Estimate{}, xpm.UserError(err)
	}
	tenant := c.TenantID()
	var est Estimate
	err = s.st.View(ctx, func(tx *store.Tx) error {
		groups, err := s.resolve(ctx, tx, tenant, req)
		if err != nil {
			return err
		}
		plan, err := s.readPlanFor(ctx, tx, tenant, groups, req, c.Pacer())
		if err != nil {
			return err
		}
		est = estimateOf(groups, plan, c.Pacer())
		return nil
	})
	return est, err
}

func estimateOf(groups []GroupRef, plan sync.ReadPlan, pacer *xpm.Pacer) Estimate {
	est := Estimate{Groups: groups, ReadPlan: plan, Calls: plan.Calls, FitsToday: true}
	d := plan.Duration
	if pacer != nil {
		e := pacer.ETA(plan.Calls)
		est.CallsLeftToday, est.FitsToday = e.CallsLeftToday, e.FitsToday
		transfer := time.Duration(0)
		if plan.Strategy == sync.ReadList {
			transfer = plan.Duration - time.Second
		}
		d = e.Duration + max(transfer, 0)
	}
	est.Seconds = int((d + time.Second - 1) / time.Second)
	est.Message = fmt.Sprintf("About %d XPM %s, about %s at the current limits.", est.Calls, plural(est.Calls, "call", "calls"), humanDuration(d))
	if !est.FitsToday {
		est.Message += fmt.Sprintf(" Only %d calls are left today: the pull will wait for tomorrow's calls.", est.CallsLeftToday)
	}
	return est
}

func humanDuration(d time.Duration) string {
	switch {
	case d < 2*time.Second:
		return "a second"
	case d < 90*time.Second:
		return fmt.Sprintf("%d seconds", int(d.Round(time.Second)/time.Second))
	case d < 90*time.Minute:
		return fmt.Sprintf("%d minutes", int(d.Round(time.Minute)/time.Minute))
	}
	return fmt.Sprintf("%.1f hours", d.Hours())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func titleFor(req Request, groups []GroupRef) string {
	switch {
	case req.All:
		return fmt.Sprintf("Pull every linked group from XPM (%d)", len(groups))
	case len(groups) == 1:
		return fmt.Sprintf("Pull “%s” from XPM", groups[0].LocalName)
	}
	return fmt.Sprintf("Pull %d groups from XPM", len(groups))
}

// ---- starting, cancelling, discarding ----

type jobParams struct {
	PullID int64 `json:"pullId"`
}

// Start starts a pull: it records it and starts the read in the
// background. Only one pull is open at a time: while another is being
// read, waits for review or is being applied, Start refuses (CodeConflict)
// and names it.
func (s *Service) Start(ctx context.Context, req Request) (Info, error) {
	c, err := s.x.Client(ctx)
	if err != nil {
		return Info{}, xpm.UserError(err)
	}
	tenant := c.TenantID()
	s.mu.Lock()
	defer s.mu.Unlock()
	var id int64
	var title string
	err = s.st.WithTx(ctx, func(tx *store.Tx) error {
		open, err := tx.OpenPulls(ctx)
		if err != nil {
			return err
		}
		if len(open) > 0 {
			return openPullError(open[0])
		}
		groups, err := s.resolve(ctx, tx, tenant, req)
		if err != nil {
			return err
		}
		plan, err := s.readPlanFor(ctx, tx, tenant, groups, req, c.Pacer())
		if err != nil {
			return err
		}
		title = titleFor(req, groups)
		now := s.clk.Now()
		id, err = tx.InsertPull(ctx, store.PullRow{TenantID: tenant, State: store.PullReading,
			Request: encode(requestDoc{Request: req, Title: title}), ReadPlan: encode(plan)}, now)
		if err != nil {
			return err
		}
		for i, g := range groups {
			gid := g.LocalGroupID
			if err := tx.InsertPullGroup(ctx, store.PullGroupRow{PullID: id, Position: i, XPMUUID: g.XPMUUID, GroupID: &gid, Name: g.Name}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Info{}, err
	}
	if err := s.submit(ctx, id, KindRead, title); err != nil {
		return Info{}, err
	}
	s.log.Info("pull started", "pull", id)
	s.changed(ctx, id)
	return s.Get(ctx, id)
}

func openPullError(p store.PullRow) error {
	title := decode[requestDoc](p.Request).Title
	switch p.State {
	case store.PullReview:
		return apperr.New(apperr.CodeConflict, fmt.Sprintf("A pull is waiting for your review (%s).", title),
			"Open it to apply or discard it, then start the new pull.")
	case store.PullApplying:
		return apperr.New(apperr.CodeConflict, fmt.Sprintf("A pull is being applied (%s).", title),
			"Wait for it to finish, then start the new pull.")
	}
	return apperr.New(apperr.CodeConflict, fmt.Sprintf("A pull is already reading XPM (%s).", title),
		"Wait for it to finish, or cancel it, then start the new pull.")
}

// submit starts the job of a pull and records its id.
func (s *Service) submit(ctx context.Context, id int64, kind, title string) error {
	if kind == KindApply {
		title = "Apply: " + strings.TrimPrefix(title, "Pull ")
	}
	info, err := s.jobs.Submit(ctx, kind, title, jobParams{PullID: id})
	if err != nil {
		return err
	}
	return s.st.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		p, err := tx.Pull(ctx, id)
		if err != nil {
			return err
		}
		jid := info.ID
		if kind == KindRead {
			p.ReadJobID = &jid
		} else {
			p.ApplyJobID = &jid
		}
		return tx.UpdatePull(ctx, p, s.clk.Now())
	})
}

// Cancel stops a pull: a read stops at once and nothing is written; an
// apply stops after the group it is writing (each group is written whole
// or not at all; groups already written stay); a pull waiting for review
// is discarded.
func (s *Service) Cancel(ctx context.Context, id int64) (Info, error) {
	s.mu.Lock()
	p, err := s.pull(ctx, id)
	if err != nil {
		s.mu.Unlock()
		return Info{}, err
	}
	s.mu.Unlock()
	var jid *int64
	switch p.State {
	case store.PullReading:
		jid = p.ReadJobID
	case store.PullApplying:
		jid = p.ApplyJobID
	case store.PullReview:
		return s.close(ctx, id, store.PullCanceled)
	default:
		return s.Get(ctx, id)
	}
	running := false
	if jid != nil {
		info, err := s.jobs.Cancel(ctx, *jid)
		if err != nil && apperr.CodeOf(err) != apperr.CodeNotFound {
			return Info{}, err
		}
		running = err == nil && !info.Final && (info.State == jobs.StateRunning || info.State == jobs.StateQueued)
	}
	if !running {
		// No job runs it (it stopped on an error, or was lost): end it here.
		if err := s.endStopped(ctx, p); err != nil {
			return Info{}, err
		}
	}
	return s.Get(ctx, id)
}

// endStopped cancels a pull whose job does not run: a read leaves nothing;
// an apply keeps the groups it wrote (whole).
func (s *Service) endStopped(ctx context.Context, p store.PullRow) error {
	if p.State == store.PullApplying {
		_, err := s.finishApply(ctx, p.ID, decode[Result](p.Result), store.PullCanceled)
		return err
	}
	err := s.st.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.Pull(ctx, p.ID)
		if err != nil || cur.State != store.PullReading {
			return err
		}
		cur.State = store.PullCanceled
		if err := tx.UpdatePull(ctx, cur, s.clk.Now()); err != nil {
			return err
		}
		return tx.DeletePullClients(ctx, p.ID)
	})
	if err == nil {
		s.dropCache(p.ID)
		s.changed(ctx, p.ID)
	}
	return err
}

// Discard drops a pull waiting for review (or one that failed): its
// snapshot and decisions are deleted; nothing was written.
func (s *Service) Discard(ctx context.Context, id int64) (Info, error) {
	return s.close(ctx, id, store.PullDiscarded)
}

func (s *Service) close(ctx context.Context, id int64, state string) (Info, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.st.WithTx(ctx, func(tx *store.Tx) error {
		p, err := tx.Pull(ctx, id)
		if err != nil {
			return err
		}
		switch p.State {
		case store.PullReview, store.PullFailed, store.PullCanceled:
		case store.PullDiscarded:
			return nil
		default:
			return apperr.Invalid("This pull is still running.", "Cancel it first.")
		}
		if p.State == store.PullCanceled && state == store.PullCanceled {
			return nil
		}
		p.State = state
		if err := tx.UpdatePull(ctx, p, s.clk.Now()); err != nil {
			return err
		}
		return tx.DeletePullClients(ctx, id)
	})
	if err != nil {
		return Info{}, err
	}
	s.dropCache(id)
	s.changed(ctx, id)
	return s.Get(ctx, id)
}

func (s *Service) pull(ctx context.Context, id int64) (store.PullRow, error) {
	var p store.PullRow
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		p, err = tx.Pull(ctx, id)
		return err
	})
	return p, err
}

// Resume carries on a pull whose read or apply stopped on an error (offline,
// locked, reconnect needed, out of calls for today) or was interrupted.
func (s *Service) Resume(ctx context.Context, id int64) (Info, error) {
	s.mu.Lock()
	p, err := s.pull(ctx, id)
	s.mu.Unlock()
	if err != nil {
		return Info{}, err
	}
	var jid *int64
	kind := KindRead
	switch p.State {
	case store.PullReading:
		jid = p.ReadJobID
	case store.PullApplying:
		jid, kind = p.ApplyJobID, KindApply
	default:
		return Info{}, apperr.Invalid("This pull is not waiting to carry on.", "")
	}
	if jid != nil {
		j, err := s.jobs.Get(ctx, *jid)
		switch {
		case err == nil && (j.State == jobs.StateRunning || j.State == jobs.StateQueued):
			return s.Get(ctx, id)
		case err == nil && j.Resumable:
			if _, err := s.jobs.Resume(ctx, *jid); err != nil {
				return Info{}, err
			}
			return s.Get(ctx, id)
		}
	}
	if err := s.submit(ctx, id, kind, decode[requestDoc](p.Request).Title); err != nil {
		return Info{}, err
	}
	return s.Get(ctx, id)
}

// clearError forgets the error of a pull that carries on.
func (s *Service) clearError(ctx context.Context, id int64) (store.PullRow, error) {
	var p store.PullRow
	err := s.st.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		var err error
		if p, err = tx.Pull(ctx, id); err != nil {
			return err
		}
		p.Error = ""
		return tx.UpdatePull(ctx, p, s.clk.Now())
	})
	return p, err
}

// ResumeOpen makes sure every pull being read or applied has its job: it
// starts again a pull whose job is gone (the app stopped between the two).
// Call it after the job runner's Start.
func (s *Service) ResumeOpen(ctx context.Context) error {
	var open []store.PullRow
	if err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		open, err = tx.OpenPulls(ctx)
		return err
	}); err != nil {
		return err
	}
	for _, p := range open {
		var jid *int64
		kind := KindRead
		switch p.State {
		case store.PullReading:
			jid = p.ReadJobID
		case store.PullApplying:
			jid, kind = p.ApplyJobID, KindApply
		default:
			continue
		}
		if jid != nil {
			info, err := s.jobs.Get(ctx, *jid)
			if err == nil {
				switch info.State {
				case jobs.StateRunning, jobs.StateQueued:
					continue
				case jobs.StatePaused, jobs.StateFailed:
					if _, err := s.jobs.Resume(ctx, *jid); err == nil {
						continue
					}
				}
			}
		}
		if err := s.submit(ctx, p.ID, kind, decode[requestDoc](p.Request).Title); err != nil {
			return err
		}
		s.log.Info("pull resumed", "pull", p.ID, "state", p.State)
	}
	return nil
}

// ---- kind rules ----

// KindRules lists the saved answers for business structures.
func (s *Service) KindRules(ctx context.Context) ([]sync.KindRule, error) {
	out := []sync.KindRule{}
	err := s.st.View(ctx, func(tx *store.Tx) error {
		rs, err := tx.KindRules(ctx)
		for _, r := range rs {
			out = append(out, sync.KindRule{Label: r.Label, Kind: r.Kind, TrustType: r.TrustType})
		}
		return err
	})
	return out, err
}

// DeleteKindRule forgets the saved answer for a business structure.
func (s *Service) DeleteKindRule(ctx context.Context, label string) error {
	key := sync.LabelKey(label)
	if key == "" {
		return apperr.Invalid("Choose a rule to delete.", "")
	}
	err := s.st.WithTx(ctx, func(tx *store.Tx) error { return tx.DeleteKindRule(ctx, key) })
	if err == nil {
		s.dropCache(0)
	}
	return err
}

func (s *Service) journal(ctx context.Context, tx *store.Tx, jobID int64, action, objType string, objID int64, summary string, before, after any) error {
	e := model.JournalEntry{At: s.clk.Now(), Actor: s.actor, Source: model.SourceSync, Action: action,
		ObjectType: objType, ObjectID: objID, Summary: summary}
	if jobID != 0 {
		e.JobID = &jobID
	}
	if before != nil {
		e.Before = encode(before)
	}
	if after != nil {
		e.After = encode(after)
	}
	_, err := tx.AppendJournal(ctx, e)
	return err
}
