package sync

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"structura/backend/model"
)

// Input is what Review needs: what XPM said, what Structura holds, what
// the practitioner decided so far, and today's date.
type Input struct {
	Snapshot  *Snapshot
	Local     *Local
	Decisions map[string]Decision
	// Today is the injected clock's date, YYYY-MM-DD.
	Today string
	// Mapping is the data table (nil: the embedded one).
	Mapping *Mapping
}

// Plan is a reviewed pull: what applying it would do, item by item. It is
// computed from the Input alone (no database, no network, no clock), so a
// change of decision is a new Review of the same snapshot.
type Plan struct {
	Summary Summary     `json:"summary"`
	Groups  []GroupPlan `json:"groups"`
	Items   []*Item     `json:"items"`
	// Rules are the kind rules the decisions ask to save.
	Rules []KindRule `json:"rules,omitempty"`

	in    Input
	byKey map[string]*Item
	ents  map[string]*entPlan
	order []string // entity uuids, sorted
	rels  []*relPlan
	mems  []*memPlan
	// memberOf: client uuid → pulled groups it is a member of.
	memberOf map[string][]string
}

// Item returns the item with key k (nil if none).
func (p *Plan) Item(k string) *Item { return p.byKey[k] }

type entPlan struct {
	item      *Item
	c         *Client
	uuid      string
	member    bool
	action    string
	entityID  int64 // existing local entity (linked, or the link target)
	linked    bool  // linked by uuid before this pull
	relink    bool  // clear a tombstone link first
	kind      model.EntityKind
	trust     model.TrustType
	kindKnown bool
	input     model.EntityInput // values to write
	changed   []string
	newBase   *EntityBase
	baseDirty bool
	expect    time.Time // the local entity's UpdatedAt at review
	name      string    // display name as it will be
	tombstone bool      // deleted here after it was linked
}

// exists reports whether the entity exists locally after the pull (so
// relationships and memberships can point at it).
func (e *entPlan) exists() bool { return e.action != ActSkip || e.linked }

type relPlan struct {
	item      *Item
	key       string
	fact      RelFact
	action    string
	relID     int64
	linked    bool
	relink    bool
	input     model.RelationshipInput // ids filled at apply (entity ids 0 = by uuid)
	newBase   *RelBase
	baseDirty bool
	expect    time.Time
	groups    []string
	removal   bool // removed in XPM (Action keep / delete)
	noPercent bool
}

type memPlan struct {
	item    *Item
	group   string
	client  string
	action  string
	groupID int64
}

func entityKey(uuid string) string          { return "entity:" + uuid }
func relItemKey(k string) string            { return "rel:" + k }
func memberKey(group, client string) string { return "member:" + group + ":" + client }

// Review computes the plan of a pull.
func Review(in Input) *Plan {
	if in.Mapping == nil {
		in.Mapping = defaultMapping
	}
	if in.Decisions == nil {
		in.Decisions = map[string]Decision{}
	}
	if in.Local == nil {
		in.Local = &Local{}
	}
	p := &Plan{in: in, byKey: map[string]*Item{}, ents: map[string]*entPlan{}, memberOf: map[string][]string{}}
	r := &reviewer{p: p, in: in, snap: in.Snapshot, local: in.Local, m: in.Mapping}
	r.run()
	return p
}

type reviewer struct {
	p     *Plan
	in    Input
	snap  *Snapshot
	local *Local
	m     *Mapping
	rules map[string]KindRule
	// linkedEnt: local entity id → XPM uuid it is linked to.
	linkedEnt map[int64]string
	linkedRel map[int64]string
	match     *matcher
	today     string
	// between indexes unlinked local relationships by their ends;
	// claimed marks those a pulled relationship links to.
	between map[[2]int64][]int64
	claimed map[int64]bool
}

func (r *reviewer) run() {
	r.today = r.in.Today
	r.linkedEnt = r.local.linkedEntityIDs()
	r.linkedRel = r.local.linkedRelIDs()
	r.match = newMatcher(r.local, r.linkedEnt)
	r.collectRules()

	// Members of the pulled groups, then the clients their relationships
	// reach.
	needed := map[string]bool{}
	for _, g := range r.snap.Groups {
		if g.Gone {
			continue
		}
		for _, m := range g.Members {
			if !slices.Contains(r.p.memberOf[m], g.UUID) {
				r.p.memberOf[m] = append(r.p.memberOf[m], g.UUID)
			}
			if _, ok := r.snap.Clients[m]; ok {
				needed[m] = true
			}
		}
	}
	for m := range r.p.memberOf {
		c := r.snap.Clients[m]
		if c == nil {
			continue
		}
		for _, rel := range c.Relationships {
			if o := strings.TrimSpace(rel.Related.UUID); o != "" {
				if _, ok := r.snap.Clients[o]; ok {
					needed[o] = true
				}
			}
		}
	}
	r.p.order = sortedKeys(needed)
	for _, u := range r.p.order {
		r.planEntity(u)
	}
	r.resolveClaims()
	r.flagSameABN()
	for _, u := range r.p.order {
		r.finishEntity(r.p.ents[u])
	}
	r.planRelationships()
	r.planRemovedRelationships()
	r.planMemberships()
	r.summarise()
}

// collectRules overlays the rules the decisions ask to save on the saved
// rules, so that a client with the same business structure follows them
// in this review already.
func (r *reviewer) collectRules() {
	r.rules = map[string]KindRule{}
	for k, v := range r.local.Rules {
		r.rules[k] = v
	}
	for _, k := range sortedKeys(r.in.Decisions) {
		d := r.in.Decisions[k]
		if !d.SaveRule || !d.Kind.Valid() || !strings.HasPrefix(k, "entity:") {
			continue
		}
		c := r.snap.Clients[strings.TrimPrefix(k, "entity:")]
		if c == nil {
			continue
		}
		label := strings.TrimSpace(c.BusinessStructure)
		if label == "" {
			label = strings.TrimSpace(c.ClientType)
		}
		if label == "" {
			continue
		}
		tt := d.TrustType
		if d.Kind != model.KindTrust {
			tt = model.TrustNone
		}
		rule := KindRule{Label: label, Kind: d.Kind, TrustType: tt}
		r.rules[LabelKey(label)] = rule
		r.p.Rules = append(r.p.Rules, rule)
	}
}

func (r *reviewer) decision(key string) (Decision, bool) {
	d, ok := r.in.Decisions[key]
	return d, ok
}

// ---- entities ----

func (r *reviewer) planEntity(uuid string) {
	c := r.snap.Clients[uuid]
	key := entityKey(uuid)
	it := &Item{Key: key, Type: ItemEntity, Groups: slices.Clone(r.p.memberOf[uuid])}
	ep := &entPlan{item: it, c: c, uuid: uuid, member: len(r.p.memberOf[uuid]) > 0}
	r.p.ents[uuid] = ep
	r.p.byKey[key] = it
	r.p.Items = append(r.p.Items, it)
	it.Entity = &EntityPart{XPMUUID: uuid, XPMName: c.Name, BusinessStructure: c.BusinessStructure,
		Referenced: !ep.member, Groups: it.Groups, Match: MatchNone}
	if d, ok := r.decision(key); ok {
		dd := d
		dd.Key = key
		it.Decision = &dd
	}
	for _, p := range c.Problems {
		it.Flags = append(it.Flags, Flag{Code: FlagReadProblem, Level: LevelWarning, Message: p})
	}
	if !ep.member {
		it.Flags = append(it.Flags, Flag{Code: FlagReferenced, Level: LevelInfo,
			Message: "Not in the pulled groups: pulled because a member is related to it. It is kept without a group."})
	}
	if c.Archived {
		it.Flags = append(it.Flags, Flag{Code: FlagArchived, Level: LevelInfo, Message: "Archived in XPM."})
	}
	if c.Prospect {
		it.Flags = append(it.Flags, Flag{Code: FlagProspect, Level: LevelInfo, Message: "A prospect in XPM, not yet a client."})
	}

	link, linked := r.local.EntityLinks[uuid]
	switch {
	case linked && link.TenantID != "" && link.TenantID != r.snap.TenantID:
		ep.action = ActSkip
		it.Flags = append(it.Flags, Flag{Code: FlagOtherPractice, Level: LevelWarning,
			Message: "This XPM record is linked to an entity of another practice; Structura leaves it alone."})
		r.kindFor(ep, nil)
	case linked && (link.EntityID == 0 || r.local.Entities[link.EntityID] == nil):
		r.planTombstone(ep)
	case linked:
		r.planLinked(ep, link)
	default:
		r.planUnlinked(ep)
	}
}

// kindFor decides the kind of an entity to create (or of an item left
// out): the decision's, else Classify's.
func (r *reviewer) kindFor(ep *entPlan, d *Decision) KindGuess {
	g := r.m.Classify(ep.c, r.rules)
	if d != nil && d.Kind.Valid() {
		tt := d.TrustType
		if d.Kind != model.KindTrust {
			tt = model.TrustNone
		}
		g = KindGuess{Kind: d.Kind, TrustType: tt, Source: KindFromUser, Label: g.Label, Reason: "your choice"}
	}
	ep.kind, ep.trust, ep.kindKnown = g.Kind, g.TrustType, g.Kind != ""
	ep.item.Entity.Kind = g
	return g
}

func (r *reviewer) planTombstone(ep *entPlan) {
	it := ep.item
	d := it.Decision
	g := r.kindFor(ep, d)
	ep.tombstone = true
	it.Entity.Match = "deleted"
	it.Flags = append(it.Flags, Flag{Code: FlagDeletedHere, Level: LevelWarning,
		Message: "You deleted this entity in Structura after it was linked to XPM. It is not created again unless you choose so."})
	it.Options = []Option{{Action: ActSkip, Label: "Keep it deleted here"}, {Action: ActCreate, Label: "Create it again from XPM"}}
	it.Suggested = &Decision{Key: it.Key, Action: ActSkip}
	ep.action = ActSkip
	if d != nil && d.Action == ActCreate {
		ep.action, ep.relink = ActCreate, true
		if !g.Kind.Valid() {
			r.askKind(ep)
		}
	}
}

func (r *reviewer) askKind(ep *entPlan) {
	it := ep.item
	it.NeedsInput = true
	it.Flags = append(it.Flags, Flag{Code: FlagKindUnknown, Level: LevelWarning,
		Message: ep.item.Entity.Kind.Reason + ": choose what kind of entity it is."})
	if it.Suggested == nil {
		it.Suggested = &Decision{Key: it.Key}
	}
	if !it.Suggested.Kind.Valid() {
		it.Suggested.Kind = model.KindOther
	}
}

func (r *reviewer) planLinked(ep *entPlan, link EntityLink) {
	it := ep.item
	d := it.Decision
	e := r.local.Entities[link.EntityID]
	ep.entityID, ep.linked, ep.expect = e.ID, true, e.UpdatedAt
	it.Entity.EntityID, it.Entity.EntityName, it.Entity.Match = e.ID, e.DisplayName, MatchLinked
	it.Options = []Option{{Action: ActUpdate, Label: "Bring XPM's changes in"}, {Action: ActSkip, Label: "Leave this entity as it is"}}
	it.Suggested = &Decision{Key: it.Key, Action: ActUpdate}

	var base *EntityBase
	if link.Base != nil && link.Base.Client != nil {
		base = link.Base
	}
	remote := r.m.Classify(ep.c, r.rules)
	kind, trust := e.Kind, e.TrustType
	guess := KindGuess{Kind: kind, TrustType: trust, Source: KindFromLocal, Label: remote.Label, Reason: "the linked entity's kind"}
	switch {
	case d != nil && d.Kind.Valid():
		kind, trust = d.Kind, d.TrustType
		if kind != model.KindTrust {
			trust = model.TrustNone
		}
		guess = KindGuess{Kind: kind, TrustType: trust, Source: KindFromUser, Label: remote.Label, Reason: "your choice"}
	case base != nil && LabelKey(base.Client.BusinessStructure+"|"+base.Client.ClientType) != LabelKey(ep.c.BusinessStructure+"|"+ep.c.ClientType):
		// XPM's business structure changed since the last pull.
		switch {
		case !remote.Kind.Valid():
			it.Flags = append(it.Flags, Flag{Code: FlagKindDiffers, Level: LevelInfo,
				Message: fmt.Sprintf("XPM's business structure changed to “%s”, which Structura does not know; the entity stays %s.", remote.Label, model.KindPhrase(kind))})
		case remote.Kind == kind && remote.TrustType == trust:
		case e.Kind == base.Kind && e.TrustType == base.TrustType:
			kind, trust = remote.Kind, remote.TrustType
			guess = remote
		default:
			it.Flags = append(it.Flags, Flag{Code: FlagKindDiffers, Level: LevelWarning,
				Message: fmt.Sprintf("XPM now says %s (%s); you changed the kind here too, so Structura keeps %s.", model.KindPhrase(remote.Kind), remote.Reason, model.KindPhrase(kind))})
		}
	case base == nil && remote.Kind.Valid() && remote.Kind != kind:
		it.Flags = append(it.Flags, Flag{Code: FlagKindDiffers, Level: LevelInfo,
			Message: fmt.Sprintf("XPM's business structure suggests %s; Structura keeps %s.", model.KindPhrase(remote.Kind), model.KindPhrase(kind))})
	case base == nil && remote.Kind == kind && trust == model.TrustNone && remote.TrustType != model.TrustNone:
		trust = remote.TrustType
	}
	if kind != e.Kind {
		if msg := r.kindChangeProblem(e, kind); msg != "" {
			it.Flags = append(it.Flags, Flag{Code: FlagKindChange, Level: LevelWarning, Message: msg})
			kind, trust = e.Kind, e.TrustType
			guess = KindGuess{Kind: kind, TrustType: trust, Source: KindFromLocal, Label: remote.Label, Reason: "the linked entity's kind"}
		}
	}
	ep.kind, ep.trust, ep.kindKnown = kind, trust, true
	it.Entity.Kind = guess

	remoteIn, flags, dropped := r.mapEntity(ep.c, kind, trust)
	it.Flags = append(it.Flags, flags...)
	var baseIn *model.EntityInput
	if base != nil {
		bi, _, _ := r.mapEntity(base.Client, kind, trust)
		baseIn = &bi
	}
	localIn := entityInput(e)
	localIn.Kind, localIn.TrustType = kind, trust
	var choices map[string]string
	if d != nil {
		choices = d.Fields
	}
	merged, changes := mergeEntity(kind, localIn, remoteIn, baseIn, dropped, choices)
	merged = model.NormalizeEntityInput(merged)
	it.Changes = changes
	ep.input = merged
	ep.changed = appliedFields(changes)
	if kind != e.Kind || trust != e.TrustType {
		ep.changed = append([]string{"kind"}, ep.changed...)
		it.Changes = append([]FieldChange{{Field: "kind", Label: "Kind", Local: kindLabel(e.Kind, e.TrustType),
			XPM: kindLabel(kind, trust), Apply: true}}, it.Changes...)
	}
	r.tfnFlag(ep, e)
	ep.newBase = &EntityBase{V: BaseVersion, Client: ep.c, Kind: kind, TrustType: trust}
	ep.baseDirty = base == nil || !sameBase(link.Base, ep.newBase)
	switch {
	case d != nil && d.Action == ActSkip:
		ep.action = ActSkip
		ep.changed = nil
		ep.baseDirty = false
	case len(ep.changed) > 0:
		ep.action = ActUpdate
	default:
		ep.action = ActUnchanged
	}
}

func kindLabel(k model.EntityKind, t model.TrustType) string {
	if t != model.TrustNone {
		return string(t) + " trust"
	}
	return k.Label()
}

func appliedFields(ch []FieldChange) []string {
	var out []string
	for _, c := range ch {
		if c.Apply {
			out = append(out, c.Field)
		}
	}
	return out
}

func sameBase(a, b *EntityBase) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// kindChangeProblem says why an entity cannot become kind k (its local
// relationships outside this pull would no longer fit), "" if it can.
func (r *reviewer) kindChangeProblem(e *model.Entity, k model.EntityKind) string {
	var bad []string
	for _, id := range sortedIDs(r.local.Relationships) {
		rel := r.local.Relationships[id]
		if rel.FromID != e.ID && rel.ToID != e.ID {
			continue
		}
		t, ok := model.LookupRelationshipType(rel.Type)
		if !ok {
			continue
		}
		if (rel.FromID == e.ID && !t.AllowsFrom(k)) || (rel.ToID == e.ID && !t.AllowsTo(k)) {
			if l := strings.ToLower(t.Label); !slices.Contains(bad, l) {
				bad = append(bad, l)
			}
		}
	}
	if len(bad) == 0 {
		return ""
	}
	return fmt.Sprintf("XPM now says %s, but %s has relationships %s cannot have (%s); Structura keeps it %s. Change those relationships first.",
		model.KindPhrase(k), e.DisplayName, model.KindPhrase(k), strings.Join(bad, ", "), model.KindPhrase(e.Kind))
}

func sortedIDs[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// mapEntity is MapEntity plus the set of fields it dropped.
func (r *reviewer) mapEntity(c *Client, k model.EntityKind, t model.TrustType) (model.EntityInput, []Flag, map[string]bool) {
	if !k.Valid() {
		k = model.KindOther
	}
	in, flags := MapEntity(c, k, t, r.today)
	dropped := map[string]bool{}
	for _, f := range flags {
		if f.Code == FlagFieldDropped && f.Field != "" {
			dropped[f.Field] = true
		}
	}
	return in, flags, dropped
}

func (r *reviewer) tfnFlag(ep *entPlan, e *model.Entity) {
	x := digits(ep.c.TaxNumber)
	if len(x) < 3 || e.TFNLast3 == "" {
		return
	}
	if x[len(x)-3:] != e.TFNLast3 {
		ep.item.Flags = append(ep.item.Flags, Flag{Code: FlagTFN, Level: LevelWarning,
			Message: fmt.Sprintf("XPM's tax file number ends in %s, Structura's in %s. XPM shows only the last 3 digits, so a pull never changes a TFN: check which is right.", x[len(x)-3:], e.TFNLast3)})
	}
}

func (r *reviewer) planUnlinked(ep *entPlan) {
	it := ep.item
	d := it.Decision
	g := r.kindFor(ep, d)
	if g.Source == KindFromKeyword {
		it.Flags = append(it.Flags, Flag{Code: FlagKindGuess, Level: LevelWarning,
			Message: fmt.Sprintf("Kind guessed: %s (%s). Check it, and save it as a rule if it is right.", kindLabel(g.Kind, g.TrustType), g.Reason)})
	}
	mapped, _, _ := r.mapEntity(ep.c, g.Kind, g.TrustType)
	cands := r.match.find(mapped, ep.c.Name)
	it.Entity.Candidates = cands
	level := MatchNone
	if len(cands) > 0 {
		level = cands[0].Level
	}
	it.Entity.Match = level
	it.Options = []Option{{Action: ActCreate, Label: "Create a new entity"}}
	for _, c := range cands {
		it.Options = append(it.Options, Option{Action: ActLink, EntityID: c.EntityID, Label: fmt.Sprintf("Link to %s (%s)", c.Name, c.Reason)})
	}
	it.Options = append(it.Options, Option{Action: ActSkip, Label: "Leave it out of this pull"})

	sugg := &Decision{Key: it.Key, Action: ActCreate}
	switch level {
	case MatchExact:
		sugg = &Decision{Key: it.Key, Action: ActLink, EntityID: cands[0].EntityID}
		exact := 0
		for _, c := range cands {
			if c.Level == MatchExact {
				exact++
			}
		}
		if exact > 1 {
			it.NeedsInput = true
			it.Flags = append(it.Flags, Flag{Code: FlagMatch, Level: LevelWarning,
				Message: fmt.Sprintf("%d entities here have the same ABN or ACN: choose the one to link.", exact)})
		}
	case MatchHigh:
		sugg = &Decision{Key: it.Key, Action: ActLink, EntityID: cands[0].EntityID}
		it.NeedsInput = true
		it.Flags = append(it.Flags, Flag{Code: FlagMatch, Level: LevelWarning,
			Message: "Probably already here: " + matchSummary(cands) + ". Link it, or create a new entity if it is someone else."})
	case MatchMedium:
		it.NeedsInput = true
		it.Flags = append(it.Flags, Flag{Code: FlagMatch, Level: LevelWarning,
			Message: "Possibly already here: " + matchSummary(cands) + ". Link it if it is the same, or create a new entity."})
	}
	it.Suggested = sugg
	act := sugg.Action
	target := sugg.EntityID
	if d != nil && d.Action != "" && d.Action != ActUpdate {
		act, target = d.Action, d.EntityID
		it.NeedsInput = false
		for i := range it.Flags {
			if it.Flags[i].Code == FlagMatch {
				it.Flags[i].Level = LevelInfo // answered
			}
		}
	} else if d != nil && d.Kind.Valid() && level == MatchNone {
		it.NeedsInput = false
	}
	switch act {
	case ActSkip:
		ep.action = ActSkip
	case ActLink:
		e := r.local.Entities[target]
		switch {
		case e == nil:
			it.Problem = "The entity chosen to link to no longer exists."
		case r.linkedEnt[target] != "" && r.linkedEnt[target] != ep.uuid:
			it.Problem = fmt.Sprintf("%s is already linked to another XPM client.", e.DisplayName)
		}
		if it.Problem != "" {
			it.NeedsInput = true
			ep.action = ActSkip
			return
		}
		ep.action, ep.entityID, ep.expect = ActLink, target, e.UpdatedAt
		it.Entity.EntityID, it.Entity.EntityName = e.ID, e.DisplayName
	case ActCreate:
		ep.action = ActCreate
		if !ep.kindKnown {
			r.askKind(ep)
		}
	default:
		it.Problem = fmt.Sprintf("“%s” is not a choice for this item.", act)
		it.NeedsInput = true
		ep.action = ActSkip
	}
}

// resolveClaims makes sure no local entity is linked to two XPM clients.
func (r *reviewer) resolveClaims() {
	claims := map[int64][]*entPlan{}
	for _, u := range r.p.order {
		ep := r.p.ents[u]
		if ep.action == ActLink {
			claims[ep.entityID] = append(claims[ep.entityID], ep)
		}
	}
	for _, id := range sortedIDs(claims) {
		eps := claims[id]
		if len(eps) < 2 {
			continue
		}
		name := r.local.Entities[id].DisplayName
		// A decision wins over a suggestion; among equals the first keeps it.
		keep := eps[0]
		for _, ep := range eps {
			if d := ep.item.Decision; d != nil && d.Action == ActLink {
				keep = ep
				break
			}
		}
		for _, ep := range eps {
			if ep == keep {
				continue
			}
			ep.item.Flags = append(ep.item.Flags, Flag{Code: FlagLinkConflict, Level: LevelWarning,
				Message: fmt.Sprintf("%s here is also the best match of XPM's “%s”; an entity links to one XPM client only.", name, keep.c.Name)})
			if d := ep.item.Decision; d != nil && d.Action == ActLink {
				ep.item.Problem = fmt.Sprintf("%s is chosen for another XPM client too.", name)
			}
			ep.item.NeedsInput = true
			ep.item.Suggested = &Decision{Key: ep.item.Key, Action: ActCreate}
			ep.action, ep.entityID = ActCreate, 0
			ep.item.Entity.EntityID, ep.item.Entity.EntityName = 0, ""
			if !ep.kindKnown {
				r.askKind(ep)
			}
		}
		if d := keep.item.Decision; d == nil || d.Action != ActLink {
			keep.item.NeedsInput = true
			keep.item.Flags = append(keep.item.Flags, Flag{Code: FlagLinkConflict, Level: LevelWarning,
				Message: fmt.Sprintf("Another XPM client also matches %s: confirm which one to link.", name)})
		}
	}
}

// flagSameABN flags XPM clients that share an ABN (a duplicate in XPM).
func (r *reviewer) flagSameABN() {
	by := map[string][]*entPlan{}
	for _, u := range r.p.order {
		ep := r.p.ents[u]
		if a := compactNumber(ep.c.BusinessNumber); len(a) == 11 {
			by[a] = append(by[a], ep)
		}
	}
	for _, a := range sortedKeys(by) {
		eps := by[a]
		if len(eps) < 2 {
			continue
		}
		for _, ep := range eps {
			var others []string
			for _, o := range eps {
				if o != ep {
					others = append(others, o.c.Name)
				}
			}
			ep.item.Flags = append(ep.item.Flags, Flag{Code: FlagSameABNInXPM, Level: LevelWarning,
				Message: fmt.Sprintf("XPM has other clients with the same ABN %s (%s): possibly a duplicate in XPM.", FormatABN(a), strings.Join(others, ", "))})
		}
	}
}

// finishEntity computes the values of an entity to create or link.
func (r *reviewer) finishEntity(ep *entPlan) {
	it := ep.item
	switch ep.action {
	case ActCreate:
		in, flags, _ := r.mapEntity(ep.c, ep.kind, ep.trust)
		if !ep.kindKnown {
			in.Kind = model.KindOther
		}
		it.Flags = append(it.Flags, flags...)
		ep.input = in
		ep.newBase = &EntityBase{V: BaseVersion, Client: ep.c, Kind: in.Kind, TrustType: in.TrustType}
		ep.baseDirty = true
	case ActLink:
		e := r.local.Entities[ep.entityID]
		d := it.Decision
		kind, trust := e.Kind, e.TrustType
		if d != nil && d.Kind.Valid() {
			kind, trust = d.Kind, d.TrustType
			if kind != model.KindTrust {
				trust = model.TrustNone
			}
			if kind != e.Kind {
				if msg := r.kindChangeProblem(e, kind); msg != "" {
					it.Flags = append(it.Flags, Flag{Code: FlagKindChange, Level: LevelWarning, Message: msg})
					kind, trust = e.Kind, e.TrustType
				}
			}
		}
		remote := r.m.Classify(ep.c, r.rules)
		if remote.Kind.Valid() && remote.Kind != kind {
			it.Flags = append(it.Flags, Flag{Code: FlagKindDiffers, Level: LevelInfo,
				Message: fmt.Sprintf("XPM's business structure suggests %s; the linked entity stays %s.", model.KindPhrase(remote.Kind), model.KindPhrase(kind))})
		} else if remote.Kind == kind && trust == model.TrustNone && remote.TrustType != model.TrustNone {
			trust = remote.TrustType
		}
		ep.kind, ep.trust, ep.kindKnown = kind, trust, true
		it.Entity.Kind = KindGuess{Kind: kind, TrustType: trust, Source: KindFromLocal, Label: remote.Label, Reason: "the linked entity's kind"}
		remoteIn, flags, dropped := r.mapEntity(ep.c, kind, trust)
		it.Flags = append(it.Flags, flags...)
		localIn := entityInput(e)
		localIn.Kind, localIn.TrustType = kind, trust
		var choices map[string]string
		if d != nil {
			choices = d.Fields
		}
		merged, changes := mergeEntity(kind, localIn, remoteIn, nil, dropped, choices)
		ep.input = model.NormalizeEntityInput(merged)
		it.Changes = changes
		ep.changed = appliedFields(changes)
		if kind != e.Kind || trust != e.TrustType {
			ep.changed = append([]string{"kind"}, ep.changed...)
			it.Changes = append([]FieldChange{{Field: "kind", Label: "Kind", Local: kindLabel(e.Kind, e.TrustType),
				XPM: kindLabel(kind, trust), Apply: true}}, it.Changes...)
		}
		r.tfnFlag(ep, e)
		ep.newBase = &EntityBase{V: BaseVersion, Client: ep.c, Kind: kind, TrustType: trust}
		ep.baseDirty = true
	}
	// What the entity will look like.
	var v model.EntityInput
	switch {
	case ep.action == ActCreate || ep.action == ActLink || ep.action == ActUpdate || ep.action == ActUnchanged:
		v = ep.input
	case ep.linked && r.local.Entities[ep.entityID] != nil:
		v = entityInput(r.local.Entities[ep.entityID])
	default:
		v, _, _ = r.mapEntity(ep.c, ep.kind, ep.trust)
	}
	ep.name = model.DisplayName(v.Kind, v.GivenName, v.FamilyName, v.LegalName, v.TradingName)
	if ep.linked && r.local.Entities[ep.entityID] != nil && ep.action == ActSkip {
		ep.name = r.local.Entities[ep.entityID].DisplayName
	}
	it.Entity.Values = EntityValues{Kind: v.Kind, TrustType: v.TrustType, DisplayName: ep.name, GivenName: v.GivenName,
		FamilyName: v.FamilyName, LegalName: v.LegalName, DateOfBirth: v.DateOfBirth, ABN: v.ABN, ACN: v.ACN,
		Email: v.Email, Phone: v.Phone, Address: v.Address}
	it.Title = ep.name
	if ep.c.Name != "" && !strings.EqualFold(strings.TrimSpace(ep.c.Name), ep.name) {
		it.Title = fmt.Sprintf("%s (XPM: %s)", ep.name, short(ep.c.Name, 80))
	}
	it.Action = ep.action
	it.Detail = r.entityDetail(ep)
}

func (r *reviewer) entityDetail(ep *entPlan) string {
	k := kindLabel(ep.kind, ep.trust)
	switch ep.action {
	case ActCreate:
		if !ep.kindKnown {
			return "Will be created once you choose its kind."
		}
		if ep.kind == model.KindOther {
			return "Will be created as an entity of another kind (not an individual, company, trust, partnership or SMSF)."
		}
		return fmt.Sprintf("Will be created as %s.", withArticleWord(k))
	case ActLink:
		n := len(ep.changed)
		s := fmt.Sprintf("Will be linked to %s already here", r.local.Entities[ep.entityID].DisplayName)
		if n > 0 {
			s += fmt.Sprintf(", filling in %d %s", n, plural(n, "field", "fields"))
		}
		return s + "."
	case ActUpdate:
		n := len(ep.changed)
		return fmt.Sprintf("Will be updated: %d %s changed in XPM.", n, plural(n, "field", "fields"))
	case ActUnchanged:
		return "Already up to date."
	}
	if ep.item.Problem != "" {
		return ep.item.Problem
	}
	if ep.linked {
		return "Left as it is."
	}
	if ep.tombstone {
		return "Kept deleted here: nothing is created."
	}
	return "Left out of this pull: nothing is created."
}

func withArticleWord(s string) string {
	if s == "" {
		return s
	}
	switch l := strings.ToLower(s); {
	case strings.HasPrefix(l, "unit"):
		return "a " + s
	case strings.IndexByte("aeiou", l[0]) >= 0:
		return "an " + s
	}
	if strings.HasPrefix(s, "SMSF") {
		return "an " + s
	}
	return "a " + s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ---- relationships ----

func (r *reviewer) planRelationships() {
	idx := xpmTypeIndex()
	type agg struct {
		rr    relRead
		first string
		flags []Flag
	}
	facts := map[string]*agg{}
	var keys []string
	for _, u := range r.p.order {
		c := r.snap.Clients[u]
		isMember := len(r.p.memberOf[u]) > 0
		for i, x := range c.Relationships {
			other := strings.TrimSpace(x.Related.UUID)
			if !isMember && len(r.p.memberOf[other]) == 0 {
				continue // between two clients outside the pulled groups
			}
			rr := readRel(idx, u, x)
			k := relKey(rr.fact)
			if rr.bad != "" && rr.fact.UUID == "" {
				k = fmt.Sprintf("bad:%s:%d", u, i)
			}
			if a, ok := facts[k]; ok {
				if rr.bad == "" && a.rr.bad == "" && !sameFact(a.rr.fact, rr.fact) {
					a.flags = append(a.flags, Flag{Code: FlagSidesDiffer, Level: LevelWarning,
						Message: fmt.Sprintf("XPM shows this relationship differently on %s and on %s; the reading on %s is used.",
							r.clientName(a.first), r.clientName(u), r.clientName(a.first))})
				}
				continue
			}
			facts[k] = &agg{rr: rr, first: u, flags: rr.flags}
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		a := facts[k]
		r.planRel(k, a.rr, a.flags)
	}
	r.checkRows()
	r.dropUnusedReferenced()
	for _, rp := range r.p.rels {
		r.finishRel(rp)
		if rp.action == ActSkip {
			continue
		}
		// A client outside the pulled groups belongs, for the review, to
		// the groups of the members it is related to.
		for _, u := range []string{rp.fact.FromUUID, rp.fact.ToUUID} {
			if ep := r.p.ents[u]; ep != nil && !ep.member {
				for _, g := range rp.groups {
					if !slices.Contains(ep.item.Groups, g) {
						ep.item.Groups = append(ep.item.Groups, g)
					}
				}
			}
		}
	}
}

// dropUnusedReferenced leaves out a client outside the pulled groups when
// none of its relationships with the members is recorded: it would be an
// entity in no group, related to nothing.
func (r *reviewer) dropUnusedReferenced() {
	used := map[string]bool{}
	for _, rp := range r.p.rels {
		if rp.action != ActSkip {
			used[rp.fact.FromUUID], used[rp.fact.ToUUID] = true, true
		}
	}
	for _, u := range r.p.order {
		ep := r.p.ents[u]
		if ep.member || used[u] || ep.item.NeedsInput || (ep.action != ActCreate && ep.action != ActLink) {
			continue
		}
		ep.action = ActSkip
		ep.item.Action = ActSkip
		ep.item.Detail = "Not created: none of its relationships with the pulled groups can be recorded."
	}
}

func (r *reviewer) clientName(u string) string {
	if ep := r.p.ents[u]; ep != nil && ep.name != "" {
		return ep.name
	}
	if c := r.snap.Clients[u]; c != nil && c.Name != "" {
		return c.Name
	}
	return "a client XPM no longer has"
}

func (r *reviewer) relGroups(f RelFact) []string {
	var gs []string
	for _, u := range []string{f.FromUUID, f.ToUUID} {
		for _, g := range r.p.memberOf[u] {
			if !slices.Contains(gs, g) {
				gs = append(gs, g)
			}
		}
	}
	return gs
}

func (r *reviewer) planRel(k string, rr relRead, flags []Flag) {
	f := rr.fact
	key := relItemKey(k)
	it := &Item{Key: key, Type: ItemRelationship, Flags: slices.Clone(flags)}
	rp := &relPlan{item: it, key: k, fact: f, groups: r.relGroups(f)}
	it.Groups = rp.groups
	r.p.rels = append(r.p.rels, rp)
	r.p.byKey[key] = it
	r.p.Items = append(r.p.Items, it)
	if d, ok := r.decision(key); ok {
		dd := d
		dd.Key = key
		it.Decision = &dd
	}
	it.Relationship = &RelPart{XPMUUID: f.UUID, XPMType: f.XPMType, Type: f.Type, FromUUID: f.FromUUID, ToUUID: f.ToUUID,
		NumberOfShares: f.Shares, Percentage: f.Percent, StartDate: f.Start, EndDate: f.End,
		CrossGroup: len(r.p.memberOf[f.FromUUID]) == 0 || len(r.p.memberOf[f.ToUUID]) == 0}
	skip := func(code, level, msg string) {
		rp.action = ActSkip
		if msg != "" {
			it.Flags = append(it.Flags, Flag{Code: code, Level: level, Message: msg})
		}
	}
	if rr.bad != "" {
		code := FlagBadRelationship
		if f.Type == "" && f.FromUUID != "" && f.FromUUID != f.ToUUID {
			code = FlagUnknownRelType
		}
		skip(code, LevelWarning, "Not recorded: "+rr.bad+". XPM's record is kept in the pull's snapshot.")
		return
	}
	for _, u := range []string{f.FromUUID, f.ToUUID} {
		if _, ok := r.snap.Clients[u]; ok {
			continue
		}
		msg := "Not recorded: the other client could not be read from XPM. XPM's record is kept in the pull's snapshot."
		if _, gone := r.snap.Missing[u]; gone {
			msg = "Not recorded: the other client no longer exists in XPM (it was probably deleted). XPM's record is kept in the pull's snapshot."
		}
		skip(FlagMissingClient, LevelWarning, msg)
		return
	}
	from, to := r.p.ents[f.FromUUID], r.p.ents[f.ToUUID]
	for _, e := range []*entPlan{from, to} {
		if !e.exists() {
			skip("", "", "")
			it.Detail = fmt.Sprintf("Left out: %s is left out of this pull.", e.name)
			return
		}
		if !e.kindKnown {
			skip("", "", "")
			it.Detail = fmt.Sprintf("Waiting: choose the kind of %s first.", e.name)
			return
		}
	}
	fe := &model.Entity{ID: 1, Kind: from.kind, DisplayName: from.name}
	te := &model.Entity{ID: 2, Kind: to.kind, DisplayName: to.name}
	fit, altFlag, refused := r.m.fitKinds(f, fe, te)
	if refused != "" {
		skip(FlagKindRefused, LevelWarning, "Not recorded: "+refused+" XPM's record is kept in the pull's snapshot.")
		return
	}
	if altFlag != nil {
		it.Flags = append(it.Flags, *altFlag)
	}
	rp.fact = fit
	it.Relationship.Type = fit.Type
	it.Relationship.NumberOfShares, it.Relationship.Percentage, it.Relationship.Notes = nil, nil, fit.Notes
	remote := relInput(fit, 0, 0)
	it.Relationship.NumberOfShares, it.Relationship.Percentage = remote.NumberOfShares, remote.Percentage

	d := it.Decision
	link, linked := r.local.RelLinks[f.UUID]
	if f.UUID == "" {
		linked = false
	}
	rp.newBase = &RelBase{V: BaseVersion, Rel: fit}
	switch {
	case linked && link.TenantID != "" && link.TenantID != r.snap.TenantID:
		skip(FlagOtherPractice, LevelWarning, "This XPM relationship is linked in another practice's data; Structura leaves it alone.")
	case linked && (link.RelationshipID == 0 || r.local.Relationships[link.RelationshipID] == nil):
		it.Flags = append(it.Flags, Flag{Code: FlagDeletedHere, Level: LevelWarning,
			Message: "You deleted this relationship in Structura after it was pulled. It is not recorded again unless you choose so."})
		it.Options = []Option{{Action: ActSkip, Label: "Keep it deleted here"}, {Action: ActCreate, Label: "Record it again"}}
		it.Suggested = &Decision{Key: key, Action: ActSkip}
		rp.action = ActSkip
		if d != nil && d.Action == ActCreate {
			rp.action, rp.relink = ActCreate, true
			rp.input = remote
		}
	case linked:
		lr := r.local.Relationships[link.RelationshipID]
		rp.relID, rp.linked, rp.expect = lr.ID, true, lr.UpdatedAt
		it.Relationship.RelationshipID = lr.ID
		var baseIn *model.RelationshipInput
		if link.Base != nil {
			bi := relInput(link.Base.Rel, 0, 0)
			baseIn = &bi
		}
		var choices map[string]string
		if d != nil {
			choices = d.Fields
		}
		localIn := relInputOf(lr)
		merged, changes := mergeRel(localIn, remote, baseIn, choices)
		rp.input, it.Changes = merged, changes
		it.Options = []Option{{Action: ActUpdate, Label: "Bring XPM's changes in"}, {Action: ActSkip, Label: "Leave it as it is"}}
		it.Suggested = &Decision{Key: key, Action: ActUpdate}
		rp.baseDirty = link.Base == nil || !sameRelBase(link.Base, rp.newBase)
		switch {
		case d != nil && d.Action == ActSkip:
			rp.action, rp.baseDirty = ActSkip, false
		case len(appliedFields(changes)) > 0:
			rp.action = ActUpdate
		default:
			rp.action = ActUnchanged
		}
	default:
		it.Options = []Option{{Action: ActCreate, Label: "Record it"}, {Action: ActSkip, Label: "Leave it out"}}
		it.Suggested = &Decision{Key: key, Action: ActCreate}
		rp.action, rp.input = ActCreate, remote
		rp.baseDirty = true
		if from.entityID != 0 && to.entityID != 0 && (from.linked || from.action == ActLink) && (to.linked || to.action == ActLink) {
			if lr := r.localTwin(fit, from.entityID, to.entityID); lr != nil {
				var choices map[string]string
				if d != nil {
					choices = d.Fields
				}
				merged, changes := mergeRel(relInputOf(lr), remote, nil, choices)
				rp.action, rp.relID, rp.expect, rp.input, it.Changes = ActLink, lr.ID, lr.UpdatedAt, merged, changes
				it.Relationship.RelationshipID = lr.ID
				it.Options[0] = Option{Action: ActCreate, Label: "Link it to the one already recorded"}
				if f.UUID == "" {
					// XPM gave no uuid, so no link can be kept: leave the twin alone.
					rp.action, rp.input, it.Changes, rp.baseDirty = ActUnchanged, relInputOf(lr), nil, false
				}
			}
		}
		if d != nil && d.Action == ActSkip {
			rp.action = ActSkip
		}
	}
}

func sameRelBase(a, b *RelBase) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// localTwin finds an unlinked, open local relationship with the same ends
// and type (either direction for symmetric types).
func (r *reviewer) localTwin(f RelFact, from, to int64) *model.Relationship {
	if r.between == nil {
		r.between = map[[2]int64][]int64{}
		for _, id := range sortedIDs(r.local.Relationships) {
			lr := r.local.Relationships[id]
			if r.linkedRel[id] == "" {
				k := [2]int64{lr.FromID, lr.ToID}
				r.between[k] = append(r.between[k], id)
			}
		}
		r.claimed = map[int64]bool{}
	}
	t, _ := model.LookupRelationshipType(f.Type)
	cands := r.between[[2]int64{from, to}]
	if t.Symmetric {
		cands = append(slices.Clone(cands), r.between[[2]int64{to, from}]...)
	}
	for _, id := range cands {
		lr := r.local.Relationships[id]
		if lr.Type == f.Type && !r.claimed[id] {
			r.claimed[id] = true
			return lr
		}
	}
	return nil
}

// endKey names an entity end for the row rules: a local id, or the XPM
// uuid of an entity still to create.
func (r *reviewer) endKey(u string) string {
	ep := r.p.ents[u]
	if ep != nil && ep.entityID != 0 {
		return fmt.Sprint("e:", ep.entityID)
	}
	return "x:" + u
}

// checkRows applies the rules that need other rows: duplicates, the most
// relationships of a type one entity may have, and percentages over 100%.
func (r *reviewer) checkRows() {
	type row struct {
		from, to, typ string
		pct           *float64
		rp            *relPlan // nil: a local relationship outside the pull
		open          bool
	}
	var rows []*row
	planned := map[int64]*relPlan{}
	for _, rp := range r.p.rels {
		if rp.relID != 0 && rp.action != ActSkip {
			planned[rp.relID] = rp
		}
	}
	for _, id := range sortedIDs(r.local.Relationships) {
		lr := r.local.Relationships[id]
		if planned[id] != nil {
			continue
		}
		rows = append(rows, &row{from: fmt.Sprint("e:", lr.FromID), to: fmt.Sprint("e:", lr.ToID), typ: lr.Type,
			pct: lr.Percentage, open: lr.IsOpen(r.today)})
	}
	for _, rp := range r.p.rels {
		if rp.action == ActSkip {
			continue
		}
		rows = append(rows, &row{from: r.endKey(rp.fact.FromUUID), to: r.endKey(rp.fact.ToUUID), typ: rp.fact.Type,
			pct: rp.input.Percentage, rp: rp, open: rp.input.EndDate == "" || rp.input.EndDate >= r.today})
	}
	// duplicates among what the pull records
	seen := map[string]*row{}
	for _, w := range rows {
		if !w.open {
			continue
		}
		t, _ := model.LookupRelationshipType(w.typ)
		a, b := w.from, w.to
		if t.Symmetric && b < a {
			a, b = b, a
		}
		k := a + ">" + b + ":" + w.typ
		if prev, ok := seen[k]; ok && w.rp != nil && w.rp.action == ActCreate {
			w.rp.action = ActSkip
			what := "Structura already records it"
			if prev.rp != nil {
				what = "XPM records it twice (this is the second)"
			}
			w.rp.item.Flags = append(w.rp.item.Flags, Flag{Code: FlagDuplicateInXPM, Level: LevelWarning,
				Message: "Not recorded again: " + what + "."})
			w.open = false
			continue
		}
		seen[k] = w
	}
	byTarget := map[string][]*row{}
	var targets []string
	for _, w := range rows {
		if !w.open || (w.rp != nil && w.rp.action == ActSkip) {
			continue
		}
		k := w.to + "|" + w.typ
		if _, ok := byTarget[k]; !ok {
			targets = append(targets, k)
		}
		byTarget[k] = append(byTarget[k], w)
	}
	for _, k := range targets {
		ws := byTarget[k]
		t, _ := model.LookupRelationshipType(ws[0].typ)
		if t.MaxPerTarget > 0 && len(ws) > t.MaxPerTarget {
			n := 0
			for _, w := range ws {
				n++
				if n > t.MaxPerTarget && w.rp != nil && w.rp.action == ActCreate {
					w.rp.action = ActSkip
					w.rp.item.Flags = append(w.rp.item.Flags, Flag{Code: FlagTooMany, Level: LevelWarning,
						Message: fmt.Sprintf("Not recorded: %s would have more than %d %ss, the most Structura allows.",
							r.clientName(w.rp.fact.ToUUID), t.MaxPerTarget, strings.ToLower(t.InverseLabel))})
				}
			}
		}
		if !t.AllowsPercentage {
			continue
		}
		// What Structura already holds outside the pull counts first; then
		// the pull's percentages in order, each only if it still fits.
		total := 0.0
		for _, w := range ws {
			if w.pct != nil && w.rp == nil {
				total += *w.pct
			}
		}
		for _, w := range ws {
			rp := w.rp
			if rp == nil || rp.action == ActSkip || w.pct == nil {
				continue
			}
			if total+*w.pct <= 100+1e-9 {
				total += *w.pct
				continue
			}
			what := "recorded without XPM's " + model.FormatPercent(*w.pct)
			over := total + *w.pct
			if rp.linked || rp.action == ActLink {
				// keep Structura's percentage
				lr := r.local.Relationships[rp.relID]
				rp.input.Percentage = lr.Percentage
				for i := range rp.item.Changes {
					if rp.item.Changes[i].Field == "percentage" {
						rp.item.Changes[i].Apply = false
					}
				}
				if lr.Percentage != nil {
					total += *lr.Percentage
				}
				what = "Structura's percentage is kept"
			} else {
				rp.input.Percentage = nil
				rp.noPercent = true
			}
			rp.item.Flags = append(rp.item.Flags, Flag{Code: FlagOver100, Level: LevelWarning,
				Message: fmt.Sprintf("%s percentages in %s would add up to %s, more than 100%%: %s. Check the figures in XPM.",
					t.InverseLabel, r.clientName(rp.fact.ToUUID), model.FormatPercent(over), what)})
		}
	}
	for _, rp := range r.p.rels {
		if (rp.action == ActUpdate || rp.action == ActUnchanged) && rp.linked {
			if len(appliedFields(rp.item.Changes)) == 0 {
				rp.action = ActUnchanged
			} else {
				rp.action = ActUpdate
			}
		}
	}
}

func (r *reviewer) finishRel(rp *relPlan) {
	it := rp.item
	f := rp.fact
	it.Relationship.FromName, it.Relationship.ToName = r.clientName(f.FromUUID), r.clientName(f.ToUUID)
	label := f.XPMType
	if t, ok := model.LookupRelationshipType(f.Type); ok {
		label = strings.ToLower(t.Label)
	} else if f.XPMType == "" {
		label = "(no type)"
	} else {
		label = "“" + f.XPMType + "”"
	}
	it.Title = fmt.Sprintf("%s is %s %s", it.Relationship.FromName, label, it.Relationship.ToName)
	switch {
	case f.FromUUID == "" || f.FromUUID == f.ToUUID:
		it.Relationship.FromName = ""
		it.Title = fmt.Sprintf("On %s: XPM relationship “%s”", it.Relationship.ToName, f.XPMType)
	case f.Type == "":
		it.Title = fmt.Sprintf("%s — %s — %s", it.Relationship.FromName, label, it.Relationship.ToName)
	}
	if rp.action == ActSkip && it.Decision != nil && it.Decision.Action == ActSkip {
		it.Detail = "Left out, as you chose."
	}
	it.Action = rp.action
	if it.Detail == "" {
		switch rp.action {
		case ActCreate:
			it.Detail = "Will be recorded."
			if rp.noPercent {
				it.Detail = "Will be recorded without its percentage."
			}
		case ActLink:
			it.Detail = "Will be linked to the same relationship already recorded here."
		case ActUpdate:
			n := len(appliedFields(it.Changes))
			it.Detail = fmt.Sprintf("Will be updated: %d %s changed in XPM.", n, plural(n, "detail", "details"))
		case ActUnchanged:
			it.Detail = "Already up to date."
		case ActSkip:
			it.Detail = "Not recorded."
		}
	}
}

// planRemovedRelationships finds linked relationships XPM no longer has
// (read on a pulled member): kept by default, deleted if the practitioner
// says so.
func (r *reviewer) planRemovedRelationships() {
	current := map[string]bool{}
	for _, rp := range r.p.rels {
		if rp.fact.UUID != "" {
			current[rp.fact.UUID] = true
		}
	}
	for _, u := range sortedKeys(r.local.RelLinks) {
		ln := r.local.RelLinks[u]
		if current[u] || ln.RelationshipID == 0 || ln.Base == nil || (ln.TenantID != "" && ln.TenantID != r.snap.TenantID) {
			continue
		}
		lr := r.local.Relationships[ln.RelationshipID]
		if lr == nil {
			continue
		}
		b := ln.Base.Rel
		read := false
		for _, e := range []string{b.FromUUID, b.ToUUID} {
			if len(r.p.memberOf[e]) > 0 && r.snap.Clients[e] != nil {
				read = true
			}
		}
		if !read {
			continue
		}
		key := relItemKey(u)
		it := &Item{Key: key, Type: ItemRelationship, Groups: r.relGroups(b)}
		rp := &relPlan{item: it, key: u, fact: b, relID: lr.ID, linked: true, removal: true, groups: it.Groups, expect: lr.UpdatedAt}
		if d, ok := r.decision(key); ok {
			dd := d
			dd.Key = key
			it.Decision = &dd
		}
		names := func(id int64) string {
			if e := r.local.Entities[id]; e != nil {
				return e.DisplayName
			}
			return "(deleted)"
		}
		t, _ := model.LookupRelationshipType(lr.Type)
		it.Relationship = &RelPart{XPMUUID: u, XPMType: b.XPMType, Type: lr.Type, FromUUID: b.FromUUID, ToUUID: b.ToUUID,
			FromName: names(lr.FromID), ToName: names(lr.ToID), RelationshipID: lr.ID, NumberOfShares: lr.NumberOfShares,
			Percentage: lr.Percentage, StartDate: lr.StartDate, EndDate: lr.EndDate}
		it.Title = fmt.Sprintf("%s is %s %s", it.Relationship.FromName, strings.ToLower(t.Label), it.Relationship.ToName)
		it.Flags = []Flag{{Code: FlagRemovedInXPM, Level: LevelWarning, Message: "XPM no longer has this relationship."}}
		it.Options = []Option{{Action: ActKeep, Label: "Keep it here"}, {Action: ActDelete, Label: "Delete it here too"}}
		it.Suggested = &Decision{Key: key, Action: ActKeep}
		rp.action = ActKeep
		it.Detail = "Removed in XPM: kept here unless you choose to delete it."
		if it.Decision != nil && it.Decision.Action == ActDelete {
			rp.action = ActDelete
			it.Detail = "Removed in XPM: will be deleted here too."
		}
		it.Action = rp.action
		r.p.rels = append(r.p.rels, rp)
		r.p.byKey[key] = it
		r.p.Items = append(r.p.Items, it)
	}
}

// ---- memberships ----

func (r *reviewer) planMemberships() {
	for gi := range r.snap.Groups {
		g := &r.snap.Groups[gi]
		lg, ok := r.local.Groups[g.UUID]
		if !ok || g.Gone {
			continue
		}
		in := map[int64]bool{}
		for _, id := range lg.Members {
			in[id] = true
		}
		inBase := map[string]bool{}
		if lg.Base != nil {
			for _, m := range lg.Base.Members {
				inBase[m] = true
			}
		}
		for _, m := range g.Members {
			if _, gone := r.snap.Missing[m]; gone && inBase[m] {
				continue // deleted in XPM: a removal, below
			}
			key := memberKey(g.UUID, m)
			it := &Item{Key: key, Type: ItemMembership, Groups: []string{g.UUID}}
			mp := &memPlan{item: it, group: g.UUID, client: m, groupID: lg.GroupID}
			r.p.mems = append(r.p.mems, mp)
			r.p.byKey[key] = it
			r.p.Items = append(r.p.Items, it)
			if d, ok := r.decision(key); ok {
				dd := d
				dd.Key = key
				it.Decision = &dd
			}
			ep := r.p.ents[m]
			name := r.clientName(m)
			it.Membership = &MemberPart{GroupUUID: g.UUID, GroupName: g.Name, LocalGroupID: lg.GroupID, XPMUUID: m, EntityName: name}
			it.Title = fmt.Sprintf("%s in %s", name, lg.Name)
			switch {
			case ep == nil:
				mp.action = ActSkip
				it.Flags = append(it.Flags, Flag{Code: FlagMissingClient, Level: LevelWarning,
					Message: "XPM lists this client in the group but it could not be read (it was probably deleted)."})
				it.Detail = "Not added."
			case !ep.exists():
				mp.action = ActSkip
				it.Detail = fmt.Sprintf("Not added: %s is left out of this pull.", name)
			case ep.entityID != 0 && in[ep.entityID]:
				mp.action = ActUnchanged
				it.Membership.EntityID = ep.entityID
				it.Detail = "Already in the group."
			default:
				mp.action = ActAdd
				it.Membership.EntityID = ep.entityID
				it.Detail = fmt.Sprintf("Will be added to %s.", lg.Name)
				it.Options = []Option{{Action: ActAdd, Label: "Add to the group"}, {Action: ActSkip, Label: "Leave it out of the group"}}
				it.Suggested = &Decision{Key: key, Action: ActAdd}
				if it.Decision != nil && it.Decision.Action == ActSkip {
					mp.action = ActSkip
					it.Detail = "Left out of the group, as you chose."
				}
			}
			it.Action = mp.action
		}
		if lg.Base == nil {
			continue
		}
		now := map[string]bool{}
		for _, m := range g.Members {
			if _, gone := r.snap.Missing[m]; !gone {
				now[m] = true
			}
		}
		for _, m := range lg.Base.Members {
			if now[m] {
				continue
			}
			ln, ok := r.local.EntityLinks[m]
			if !ok || ln.EntityID == 0 || !in[ln.EntityID] {
				continue
			}
			e := r.local.Entities[ln.EntityID]
			key := memberKey(g.UUID, m)
			it := &Item{Key: key, Type: ItemMembership, Groups: []string{g.UUID}}
			mp := &memPlan{item: it, group: g.UUID, client: m, groupID: lg.GroupID}
			if d, ok := r.decision(key); ok {
				dd := d
				dd.Key = key
				it.Decision = &dd
			}
			it.Membership = &MemberPart{GroupUUID: g.UUID, GroupName: g.Name, LocalGroupID: lg.GroupID, XPMUUID: m,
				EntityName: e.DisplayName, EntityID: e.ID}
			it.Title = fmt.Sprintf("%s in %s", e.DisplayName, lg.Name)
			msg := "No longer in the XPM group."
			if _, gone := r.snap.Missing[m]; gone {
				msg = "XPM no longer has this client (it was probably deleted in XPM)."
			}
			it.Flags = []Flag{{Code: FlagRemovedInXPM, Level: LevelWarning, Message: msg}}
			it.Options = []Option{{Action: ActKeep, Label: "Keep it in the group here"}, {Action: ActRemove, Label: "Remove it from the group here too"}}
			it.Suggested = &Decision{Key: key, Action: ActKeep}
			mp.action = ActKeep
			it.Detail = "Removed from the XPM group: kept here unless you choose to remove it."
			if it.Decision != nil && it.Decision.Action == ActRemove {
				mp.action = ActRemove
				it.Detail = "Removed from the XPM group: will be removed here too (the entity stays)."
			}
			it.Action = mp.action
			r.p.mems = append(r.p.mems, mp)
			r.p.byKey[key] = it
			r.p.Items = append(r.p.Items, it)
		}
	}
}

// ---- summary ----

func (r *reviewer) summarise() {
	s := &r.p.Summary
	for _, it := range r.p.Items {
		if it.Problem != "" {
			it.NeedsInput = true
		}
		switch it.Type {
		case ItemEntity:
			s.Entities.count(it.Action)
		case ItemRelationship:
			s.Relationships.count(it.Action)
		case ItemMembership:
			s.Memberships.count(it.Action)
		}
		if it.NeedsInput {
			s.NeedInput++
		}
		if it.Warned() {
			s.Flagged++
		}
		for _, c := range it.Changes {
			if c.Conflict && !c.Apply {
				s.Conflicts++
			}
		}
	}
	s.Changes = s.Entities.Changes() + s.Relationships.Changes() + s.Memberships.Changes()
	switch {
	case s.NeedInput > 0:
		s.Message = fmt.Sprintf("%d %s your decision before anything is written.", s.NeedInput, plural(s.NeedInput, "item needs", "items need"))
	case s.Changes == 0:
		s.Message = "Nothing changed in XPM since the last pull: applying it changes nothing here."
	default:
		s.Message = fmt.Sprintf("Ready to apply: %d %s.", s.Changes, plural(s.Changes, "change", "changes"))
	}
	itemsOf := map[string][]*Item{}
	for _, it := range r.p.Items {
		for _, g := range it.Groups {
			itemsOf[g] = append(itemsOf[g], it)
		}
	}
	for _, g := range r.snap.Groups {
		gp := GroupPlan{UUID: g.UUID, Name: g.Name, Members: len(g.Members), Gone: g.Gone}
		if lg, ok := r.local.Groups[g.UUID]; ok {
			gp.LocalGroupID, gp.LocalName = lg.GroupID, lg.Name
		} else {
			gp.Problem = "This XPM group is not linked to a local group any more."
		}
		if g.Gone {
			gp.Problem = "XPM no longer has this group: its members were not read."
		}
		for _, it := range itemsOf[g.UUID] {
			if isChange(it.Action) {
				gp.Changes++
			}
			if it.NeedsInput {
				gp.NeedInput++
			}
		}
		r.p.Groups = append(r.p.Groups, gp)
	}
}

func isChange(a string) bool {
	switch a {
	case ActCreate, ActUpdate, ActLink, ActAdd, ActRemove, ActDelete:
		return true
	}
	return false
}
