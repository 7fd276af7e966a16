package pull

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"structura/backend/apperr"
	"structura/backend/model"
	"structura/backend/store"
	"structura/backend/sync"
)

// planCache keeps the last review computed, with what it was computed
// from: the pull's snapshot (fixed once read), the local data (its journal
// position: every local change writes the journal) and the decisions.
type planCache struct {
	pullID     int64
	snap       *sync.Snapshot
	journalPos int64
	decisions  string
	rules      int
	plan       *sync.Plan
	local      *sync.Local
}

func (s *Service) dropCache(id int64) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	if s.cache != nil && (id == 0 || s.cache.pullID == id) {
		if id == 0 {
			s.cache.plan = nil // rules changed: keep the snapshot, recompute
			return
		}
		s.cache = nil
	}
}

// loadSnapshot reads a pull's snapshot.
func loadSnapshot(ctx context.Context, tx *store.Tx, p store.PullRow) (*sync.Snapshot, error) {
	snap := &sync.Snapshot{TenantID: p.TenantID, Clients: map[string]*sync.Client{}, Missing: map[string]string{}}
	groups, err := tx.PullGroups(ctx, p.ID, false)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		members := slices.Clone(g.Members)
		slices.Sort(members)
		snap.Groups = append(snap.Groups, sync.Group{UUID: g.XPMUUID, Name: g.Name, Members: members, Gone: g.Gone})
	}
	err = tx.PullClients(ctx, p.ID, func(uuid, js, missing string) error {
		if missing != "" {
			snap.Missing[uuid] = missing
			return nil
		}
		var c sync.Client
		if err := json.Unmarshal([]byte(js), &c); err != nil {
			return fmt.Errorf("pull %d: client %s: %w", p.ID, uuid, err)
		}
		snap.Clients[uuid] = &c
		return nil
	})
	return snap, err
}

// loadLocal reads what Structura holds that a review needs.
func loadLocal(ctx context.Context, tx *store.Tx, snap *sync.Snapshot) (*sync.Local, error) {
	l := &sync.Local{Entities: map[int64]*model.Entity{}, EntityLinks: map[string]sync.EntityLink{},
		Relationships: map[int64]*model.Relationship{}, RelLinks: map[string]sync.RelLink{}, Groups: map[string]sync.LocalGroup{},
		Rules: map[string]sync.KindRule{}}
	ents, err := tx.ListEntities(ctx, "", 0)
	if err != nil {
		return nil, err
	}
	for i := range ents {
		l.Entities[ents[i].ID] = &ents[i]
	}
	links, err := tx.EntityLinkRows(ctx)
	if err != nil {
		return nil, err
	}
	for _, ln := range links {
		el := sync.EntityLink{EntityID: ln.LocalID, TenantID: ln.TenantID}
		if ln.Base != "" {
			var b sync.EntityBase
			if json.Unmarshal([]byte(ln.Base), &b) == nil && b.V == sync.BaseVersion && b.Client != nil {
				el.Base = &b
			}
		}
		l.EntityLinks[ln.XPMUUID] = el
	}
	rels, err := tx.AllRelationships(ctx)
	if err != nil {
		return nil, err
	}
	for i := range rels {
		l.Relationships[rels[i].ID] = &rels[i]
	}
	rlinks, err := tx.RelationshipLinkRows(ctx)
	if err != nil {
		return nil, err
	}
	for _, ln := range rlinks {
		rl := sync.RelLink{RelationshipID: ln.LocalID, TenantID: ln.TenantID}
		if ln.Base != "" {
			var b sync.RelBase
			if json.Unmarshal([]byte(ln.Base), &b) == nil && b.V == sync.BaseVersion {
				rl.Base = &b
			}
		}
		l.RelLinks[ln.XPMUUID] = rl
	}
	for _, g := range snap.Groups {
		gl, ok, err := tx.GroupLinkForPull(ctx, g.UUID)
		if err != nil {
			return nil, err
		}
		if !ok || gl.GroupID == 0 || !strings.EqualFold(gl.TenantID, snap.TenantID) {
			continue
		}
		grp, err := tx.Group(ctx, gl.GroupID)
		if err != nil {
			return nil, err
		}
		members, err := tx.GroupMemberIDs(ctx, gl.GroupID)
		if err != nil {
			return nil, err
		}
		lg := sync.LocalGroup{GroupID: gl.GroupID, Name: grp.Name, Members: members}
		if gl.Base != "" {
			var b sync.GroupBase
			if json.Unmarshal([]byte(gl.Base), &b) == nil && b.V == sync.BaseVersion {
				lg.Base = &b
			}
		}
		l.Groups[g.UUID] = lg
	}
	rules, err := tx.KindRules(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		l.Rules[r.LabelKey] = sync.KindRule{Label: r.Label, Kind: r.Kind, TrustType: r.TrustType}
	}
	return l, nil
}

func journalPos(ctx context.Context, tx *store.Tx) (int64, error) {
	es, err := tx.Journal(ctx, 1)
	if err != nil || len(es) == 0 {
		return 0, err
	}
	return es[0].ID, nil
}

// decisionsOf reads the stored decisions.
func decisionsOf(p store.PullRow) map[string]sync.Decision {
	d := decode[map[string]sync.Decision](p.Decisions)
	if d == nil {
		d = map[string]sync.Decision{}
	}
	return d
}

// plan computes (or takes from the cache) the review of a pull in state
// review.
func (s *Service) plan(ctx context.Context, id int64) (store.PullRow, *sync.Plan, error) {
	var p store.PullRow
	var plan *sync.Plan
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		if p, err = tx.Pull(ctx, id); err != nil {
			return err
		}
		if p.State != store.PullReview {
			return notInReview(p)
		}
		pos, err := journalPos(ctx, tx)
		if err != nil {
			return err
		}
		rules, err := tx.KindRules(ctx)
		if err != nil {
			return err
		}
		s.cacheMu.Lock()
		c := s.cache
		s.cacheMu.Unlock()
		if c != nil && c.pullID == id && c.plan != nil && c.journalPos == pos && c.decisions == p.Decisions && c.rules == len(rules) {
			plan = c.plan
			return nil
		}
		var snap *sync.Snapshot
		if c != nil && c.pullID == id {
			snap = c.snap
		} else if snap, err = loadSnapshot(ctx, tx, p); err != nil {
			return err
		}
		local, err := loadLocal(ctx, tx, snap)
		if err != nil {
			return err
		}
		plan = sync.Review(sync.Input{Snapshot: snap, Local: local, Decisions: decisionsOf(p), Today: model.Today(s.clk.Now()), Mapping: s.mapping})
		s.cacheMu.Lock()
		s.cache = &planCache{pullID: id, snap: snap, journalPos: pos, decisions: p.Decisions, rules: len(rules), plan: plan, local: local}
		s.cacheMu.Unlock()
		return nil
	})
	return p, plan, err
}

func notInReview(p store.PullRow) error {
	switch p.State {
	case store.PullReading:
		return apperr.Invalid("This pull is still reading XPM.", "Wait until it is ready for review.")
	case store.PullApplying, store.PullApplied:
		return apperr.Invalid("This pull has been applied already.", "Start a new pull to bring later changes in.")
	}
	return apperr.Invalid("This pull was cancelled or discarded.", "Start a new pull.")
}

// ReviewQuery selects review items.
type ReviewQuery struct {
	// Filter: "" (all), "needInput", "changes" (create, update, link, add,
	// remove, delete), "flagged" (a warning), "skipped", "unchanged",
	// "conflicts", or an item type: "entity", "relationship", "membership".
	Filter string `json:"filter"`
	// GroupUUID keeps the items of one XPM group.
	GroupUUID string `json:"groupUuid"`
	// Search keeps items whose title contains it (any case).
	Search string `json:"search"`
	Offset int    `json:"offset"`
	// Limit is at most 500 (0 = 100).
	Limit int `json:"limit"`
}

// Review is one page of a pull's review.
type Review struct {
	Pull    Info             `json:"pull"`
	Summary sync.Summary     `json:"summary"`
	Groups  []sync.GroupPlan `json:"groups"`
	// Rules are the kind rules Apply will save.
	Rules []sync.KindRule `json:"rules"`
	Items []*sync.Item    `json:"items"`
	// Total is how many items match the query.
	Total  int `json:"total"`
	Offset int `json:"offset"`
}

// Review returns a page of the review of a pull waiting for review. It
// never calls XPM: it is computed from the snapshot, the local data and the
// decisions, so it reflects local edits made meanwhile.
func (s *Service) Review(ctx context.Context, id int64, q ReviewQuery) (Review, error) {
	p, plan, err := s.plan(ctx, id)
	if err != nil {
		return Review{}, err
	}
	return s.page(ctx, p, plan, q)
}

func (s *Service) page(ctx context.Context, p store.PullRow, plan *sync.Plan, q ReviewQuery) (Review, error) {
	r := Review{Summary: plan.Summary, Groups: plan.Groups, Rules: plan.Rules, Items: []*sync.Item{}, Offset: q.Offset}
	if r.Rules == nil {
		r.Rules = []sync.KindRule{}
	}
	if r.Groups == nil {
		r.Groups = []sync.GroupPlan{}
	}
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		r.Pull, err = s.info(ctx, tx, p)
		return err
	})
	if err != nil {
		return r, err
	}
	r.Pull.Summary = &plan.Summary
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 500)
	search := strings.ToLower(strings.TrimSpace(q.Search))
	for _, it := range plan.Items {
		if !matches(it, q.Filter) || (q.GroupUUID != "" && !slices.Contains(it.Groups, q.GroupUUID)) ||
			(search != "" && !strings.Contains(strings.ToLower(it.Title), search)) {
			continue
		}
		if r.Total >= q.Offset && len(r.Items) < limit {
			r.Items = append(r.Items, it)
		}
		r.Total++
	}
	return r, nil
}

func matches(it *sync.Item, f string) bool {
	switch f {
	case "":
		return true
	case "needInput":
		return it.NeedsInput
	case "changes":
		switch it.Action {
		case sync.ActCreate, sync.ActUpdate, sync.ActLink, sync.ActAdd, sync.ActRemove, sync.ActDelete:
			return true
		}
		return false
	case "flagged":
		return it.Warned()
	case "skipped":
		return it.Action == sync.ActSkip
	case "unchanged":
		return it.Action == sync.ActUnchanged
	case "conflicts":
		for _, c := range it.Changes {
			if c.Conflict {
				return true
			}
		}
		return false
	}
	return it.Type == f
}

// Decide records decisions for items of a pull waiting for review and
// returns the first page of the review after them. A decision with no
// action, entity, kind, rule or field choice removes the earlier decision
// (back to the suggestion).
func (s *Service) Decide(ctx context.Context, id int64, ds []sync.Decision) (Review, error) {
	s.mu.Lock()
	err := s.st.WithTx(ctx, func(tx *store.Tx) error {
		p, err := tx.Pull(ctx, id)
		if err != nil {
			return err
		}
		if p.State != store.PullReview {
			return notInReview(p)
		}
		cur := decisionsOf(p)
		for _, d := range ds {
			d.Key = strings.TrimSpace(d.Key)
			if d.Key == "" {
				return apperr.Invalid("A decision names no item.", "")
			}
			if err := checkDecision(d); err != nil {
				return err
			}
			if d.Action == "" && d.EntityID == 0 && d.Kind == "" && !d.SaveRule && len(d.Fields) == 0 {
				delete(cur, d.Key)
				continue
			}
			cur[d.Key] = d
		}
		p.Decisions = encode(cur)
		return tx.UpdatePull(ctx, p, s.clk.Now())
	})
	s.mu.Unlock()
	if err != nil {
		return Review{}, err
	}
	rev, err := s.Review(ctx, id, ReviewQuery{})
	if err == nil {
		s.updateSummary(ctx, id, rev.Summary)
	}
	return rev, err
}

func checkDecision(d sync.Decision) error {
	switch d.Action {
	case "", sync.ActCreate, sync.ActLink, sync.ActSkip, sync.ActUpdate, sync.ActKeep, sync.ActDelete, sync.ActRemove, sync.ActAdd:
	default:
		return apperr.Invalid(fmt.Sprintf("“%s” is not a choice Structura knows.", d.Action), "")
	}
	if d.Action == sync.ActLink && d.EntityID == 0 {
		return apperr.Invalid("Choose the entity to link to.", "")
	}
	if d.Kind != "" && !d.Kind.Valid() {
		return apperr.Invalid("Choose what kind of entity it is: individual, company, trust, partnership, SMSF or other.", "")
	}
	if !d.TrustType.Valid() {
		return apperr.Invalid("Choose a trust type from the list.", "")
	}
	if d.SaveRule && d.Kind == "" {
		return apperr.Invalid("Choose the kind to save as a rule.", "")
	}
	for f, v := range d.Fields {
		if v != "xpm" && v != "local" {
			return apperr.Invalid(fmt.Sprintf("For %s, choose XPM's value or Structura's.", f), "")
		}
	}
	return nil
}

// AcceptSuggestions takes the suggested choice for every item that waits
// for a decision (e.g. "link" for a likely match, "create" for a possible
// one, "other" for an unknown kind) and returns the review after it.
func (s *Service) AcceptSuggestions(ctx context.Context, id int64) (Review, error) {
	_, plan, err := s.plan(ctx, id)
	if err != nil {
		return Review{}, err
	}
	var ds []sync.Decision
	for _, it := range plan.Items {
		if !it.NeedsInput || it.Suggested == nil {
			continue
		}
		d := *it.Suggested
		if it.Decision != nil && it.Decision.Kind != "" && d.Kind == "" {
			d.Kind, d.TrustType = it.Decision.Kind, it.Decision.TrustType
		}
		if d.Action == "" {
			d.Action = sync.ActCreate
		}
		ds = append(ds, d)
	}
	if len(ds) == 0 {
		return s.Review(ctx, id, ReviewQuery{})
	}
	return s.Decide(ctx, id, ds)
}

func (s *Service) updateSummary(ctx context.Context, id int64, sm sync.Summary) {
	err := s.st.WithTx(ctx, func(tx *store.Tx) error {
		p, err := tx.Pull(ctx, id)
		if err != nil {
			return err
		}
		if p.State != store.PullReview {
			return nil
		}
		p.Summary = encode(sm)
		return tx.UpdatePull(ctx, p, s.clk.Now())
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		s.log.Warn("pull summary not saved", "pull", id, "err", err)
	}
	s.changed(ctx, id)
}
