// Package structure is the service behind the structure screens: groups,
// entities, membership and relationships. It owns transactions (every
// change, including its journal entries, is one SQLite transaction),
// validation (model rules plus the rules that need other rows) and the
// encryption of tax file numbers. Errors it returns are apperr errors: a
// refused input is apperr.Validation keyed by the JSON field names of
// model.EntityInput / model.RelationshipInput.
package structure

import (
	"context"
	"crypto/cipher"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"

	"structura/backend/apperr"
	"structura/backend/clock"
	"structura/backend/model"
	"structura/backend/secrets"
	"structura/backend/store"
)

// Service implements the structure operations.
type Service struct {
	st    *store.Store
	sec   secrets.Store
	clk   clock.Clock
	log   *slog.Logger
	actor string

	tfnMu    sync.Mutex
	tfnAEADv cipher.AEAD

	listenMu  sync.Mutex
	listeners []func()
}

// OnChange registers fn to be called after every committed change (e.g. so
// the app can emit "structure:changed" and open views reload). fn runs on
// the caller's goroutine after the commit and must not block.
func (s *Service) OnChange(fn func()) {
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	s.listeners = append(s.listeners, fn)
}

// write runs fn in one write transaction and, if it committed, tells the
// listeners.
func (s *Service) write(ctx context.Context, fn func(tx *store.Tx) error) error {
	if err := s.st.WithTx(ctx, fn); err != nil {
		return err
	}
	s.listenMu.Lock()
	ls := append([]func(){}, s.listeners...)
	s.listenMu.Unlock()
	for _, l := range ls {
		l()
	}
	return nil
}

// New returns a Service. sec holds the key that encrypts tax file numbers.
func New(st *store.Store, sec secrets.Store, clk clock.Clock, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if clk == nil {
		clk = clock.Real{}
	}
	actor := store.LocalActor()
	return &Service{st: st, sec: sec, clk: clk, log: log, actor: actor}
}

// SetActor sets the name recorded as "who" in journal entries of local
// changes (default: the operating system user name).
func (s *Service) SetActor(name string) {
	if name = strings.TrimSpace(name); name != "" {
		s.actor = name
	}
}

// DeletePreview says what DeleteGroup would remove.
type DeletePreview struct {
	GroupID   int64  `json:"groupId"`
	GroupName string `json:"groupName"`
	// OrphanEntities belong to this group only: deleted with it when
	// deleteOrphanEntities is set, otherwise kept without a group.
	OrphanEntities []model.Entity `json:"orphanEntities"`
	// SharedEntities also belong to other groups: always kept.
	SharedEntities []model.Entity `json:"sharedEntities"`
	// OrphanRelationshipCount is how many relationships go with the orphan
	// entities if they are deleted.
	OrphanRelationshipCount int `json:"orphanRelationshipCount"`
	// LinkedOrphanCount is how many orphan entities are linked to XPM
	// clients (the XPM clients are not touched).
	LinkedOrphanCount int `json:"linkedOrphanCount"`
	// Linked is set when the group is linked to an XPM client group; the
	// XPM group is not touched by a local delete.
	Linked       bool   `json:"linked"`
	XPMGroupUUID string `json:"xpmGroupUuid"`
}

func (s *Service) today() string { return model.Today(s.clk.Now()) }

func snap(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func (s *Service) journal(ctx context.Context, tx *store.Tx, action, objType string, objID int64, summary string, before, after any) error {
	e := model.JournalEntry{
		At: s.clk.Now(), Actor: s.actor, Source: model.SourceLocal,
		Action: action, ObjectType: objType, ObjectID: objID, Summary: summary,
	}
	if before != nil {
		e.Before = snap(before)
	}
	if after != nil {
		e.After = snap(after)
	}
	_, err := tx.AppendJournal(ctx, e)
	return err
}

// ---- relationship types ----

// RelationshipTypes returns the relationship type table.
func (s *Service) RelationshipTypes() []model.RelationshipType { return model.RelationshipTypes() }

// ---- groups ----

func validateGroup(name, notes string) (string, string, error) {
	name, notes = strings.TrimSpace(name), strings.TrimSpace(notes)
	errs := model.Errors{}
	switch {
	case name == "":
		errs.Add("name", "Enter a name for the group, for example \"Smith Family\".")
	case len([]rune(name)) > 200:
		errs.Add("name", "This is too long: at most 200 characters.")
	}
	if len([]rune(notes)) > 20000 {
		errs.Add("notes", "This is too long: at most 20000 characters.")
	}
	if len(errs) > 0 {
		return "", "", apperr.Validation(errs)
	}
	return name, notes, nil
}

// ListGroups lists groups whose name, or a member's name, email, ABN or ACN,
// contains query ("" = all), by name.
func (s *Service) ListGroups(ctx context.Context, query string) ([]model.GroupSummary, error) {
	var out []model.GroupSummary
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.ListGroupSummaries(ctx, query)
		return err
	})
	return out, err
}

// GetGroup returns a group with its members, every relationship touching a
// member, and the non-members at the other end of those relationships.
func (s *Service) GetGroup(ctx context.Context, id int64) (model.GroupDetail, error) {
	var d model.GroupDetail
	err := s.st.View(ctx, func(tx *store.Tx) error {
		g, err := tx.Group(ctx, id)
		if err != nil {
			return err
		}
		d.Group = g
		if d.Entities, err = tx.GroupMembers(ctx, id); err != nil {
			return err
		}
		if d.Relationships, err = tx.GroupRelationships(ctx, id); err != nil {
			return err
		}
		member := map[int64]bool{}
		for _, e := range d.Entities {
			member[e.ID] = true
		}
		var ext []int64
		seen := map[int64]bool{}
		for _, r := range d.Relationships {
			for _, x := range []int64{r.FromID, r.ToID} {
				if !member[x] && !seen[x] {
					seen[x] = true
					ext = append(ext, x)
				}
			}
		}
		if d.External, err = tx.EntitiesByID(ctx, ext); err != nil {
			return err
		}
		u, err := tx.GroupLinkUUID(ctx, id)
		d.Linked = u != ""
		return err
	})
	return d, err
}

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, name, notes string) (model.Group, error) {
	name, notes, err := validateGroup(name, notes)
	if err != nil {
		return model.Group{}, err
	}
	var g model.Group
	err = s.write(ctx, func(tx *store.Tx) error {
		var err error
		if g, err = tx.InsertGroup(ctx, name, notes, s.clk.Now()); err != nil {
			return err
		}
		return s.journal(ctx, tx, model.ActionCreate, model.ObjectGroup, g.ID,
			fmt.Sprintf("Created group %q", g.Name), nil, g)
	})
	if err == nil {
		s.log.Info("group created", "group", g.ID)
	}
	return g, err
}

// UpdateGroup renames a group or changes its notes.
func (s *Service) UpdateGroup(ctx context.Context, id int64, name, notes string) (model.Group, error) {
	name, notes, err := validateGroup(name, notes)
	if err != nil {
		return model.Group{}, err
	}
	var g model.Group
	err = s.write(ctx, func(tx *store.Tx) error {
		before, err := tx.Group(ctx, id)
		if err != nil {
			return err
		}
		if g, err = tx.UpdateGroup(ctx, id, name, notes, s.clk.Now()); err != nil {
			return err
		}
		summary := fmt.Sprintf("Updated group %q", g.Name)
		if before.Name != g.Name {
			summary = fmt.Sprintf("Renamed group %q to %q", before.Name, g.Name)
		}
		return s.journal(ctx, tx, model.ActionUpdate, model.ObjectGroup, id, summary, before, g)
	})
	return g, err
}

// DeleteGroupPreview says what DeleteGroup would remove, without changing
// anything.
func (s *Service) DeleteGroupPreview(ctx context.Context, id int64) (DeletePreview, error) {
	var p DeletePreview
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		p, err = deletePreview(ctx, tx, id)
		return err
	})
	return p, err
}

func deletePreview(ctx context.Context, tx *store.Tx, id int64) (DeletePreview, error) {
	p := DeletePreview{GroupID: id, OrphanEntities: []model.Entity{}, SharedEntities: []model.Entity{}}
	g, err := tx.Group(ctx, id)
	if err != nil {
		return p, err
	}
	p.GroupName = g.Name
	members, err := tx.GroupMembers(ctx, id)
	if err != nil {
		return p, err
	}
	orphan := map[int64]bool{}
	for _, e := range members {
		groups, err := tx.EntityGroupIDs(ctx, e.ID)
		if err != nil {
			return p, err
		}
		if len(groups) == 1 {
			p.OrphanEntities = append(p.OrphanEntities, e)
			orphan[e.ID] = true
			linked, err := tx.EntityLinked(ctx, e.ID)
			if err != nil {
				return p, err
			}
			if linked {
				p.LinkedOrphanCount++
			}
		} else {
			p.SharedEntities = append(p.SharedEntities, e)
		}
	}
	rels, err := tx.GroupRelationships(ctx, id)
	if err != nil {
		return p, err
	}
	for _, r := range rels {
		if orphan[r.FromID] || orphan[r.ToID] {
			p.OrphanRelationshipCount++
		}
	}
	p.XPMGroupUUID, err = tx.GroupLinkUUID(ctx, id)
	p.Linked = p.XPMGroupUUID != ""
	return p, err
}

// DeleteGroup deletes a group and its memberships in one transaction. With
// deleteOrphanEntities, the entities that belong to no other group are
// deleted too, with their relationships. Nothing in XPM is touched.
func (s *Service) DeleteGroup(ctx context.Context, id int64, deleteOrphanEntities bool) error {
	err := s.write(ctx, func(tx *store.Tx) error {
		p, err := deletePreview(ctx, tx, id)
		if err != nil {
			return err
		}
		g, err := tx.Group(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteGroup(ctx, id); err != nil {
			return err
		}
		memberIDs := []int64{}
		for _, e := range append(append([]model.Entity{}, p.OrphanEntities...), p.SharedEntities...) {
			memberIDs = append(memberIDs, e.ID)
		}
		sort.Slice(memberIDs, func(i, j int) bool { return memberIDs[i] < memberIDs[j] })
		summary := fmt.Sprintf("Deleted group %q", g.Name)
		if deleteOrphanEntities && len(p.OrphanEntities) > 0 {
			summary += fmt.Sprintf(" and %d %s only in it", len(p.OrphanEntities), plural(len(p.OrphanEntities), "entity", "entities"))
		}
		if err := s.journal(ctx, tx, model.ActionDelete, model.ObjectGroup, id, summary,
			struct {
				model.Group
				MemberIDs []int64 `json:"memberIds"`
			}{g, memberIDs}, nil); err != nil {
			return err
		}
		if !deleteOrphanEntities {
			return nil
		}
		for _, e := range p.OrphanEntities {
			if err := s.deleteEntityTx(ctx, tx, e.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.log.Info("group deleted", "group", id, "withOrphans", deleteOrphanEntities)
	}
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ---- entities ----

// ListEntities lists entities whose name, email, ABN or ACN contains query
// ("" = all), by name; at most 500.
func (s *Service) ListEntities(ctx context.Context, query string) ([]model.Entity, error) {
	var out []model.Entity
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.ListEntities(ctx, query, 500)
		return err
	})
	return out, err
}

// GetEntity returns one entity.
func (s *Service) GetEntity(ctx context.Context, id int64) (model.Entity, error) {
	var e model.Entity
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		e, err = tx.Entity(ctx, id)
		return err
	})
	return e, err
}

// prepareEntity normalises and validates an input and, if it sets a TFN,
// loads the encryption key (before any write transaction: a slow keychain
// must not hold the database).
func (s *Service) prepareEntity(ctx context.Context, in model.EntityInput) (model.EntityInput, cipher.AEAD, error) {
	in = model.NormalizeEntityInput(in)
	if errs := model.ValidateEntityInput(in, s.clk.Now()); len(errs) > 0 {
		return in, nil, apperr.Validation(errs)
	}
	if in.TFN == nil || *in.TFN == "" {
		return in, nil, nil
	}
	aead, err := s.tfnAEAD(ctx, true)
	return in, aead, err
}

func (s *Service) writeTFN(ctx context.Context, tx *store.Tx, aead cipher.AEAD, id int64, tfn *string) error {
	if tfn == nil {
		return nil
	}
	if *tfn == "" {
		return tx.SetEntityTFN(ctx, id, nil, "", s.clk.Now())
	}
	blob, err := sealTFN(aead, id, *tfn)
	if err != nil {
		return err
	}
	return tx.SetEntityTFN(ctx, id, blob, last3(*tfn), s.clk.Now())
}

// CreateEntity creates an entity and adds it to the group, in one
// transaction. groupID 0 creates an entity in no group (e.g. the other end
// of a relationship).
func (s *Service) CreateEntity(ctx context.Context, groupID int64, in model.EntityInput) (model.Entity, error) {
	in, aead, err := s.prepareEntity(ctx, in)
	if err != nil {
		return model.Entity{}, err
	}
	var e model.Entity
	err = s.write(ctx, func(tx *store.Tx) error {
		var g model.Group
		if groupID != 0 {
			var err error
			if g, err = tx.Group(ctx, groupID); err != nil {
				return err
			}
		}
		now := s.clk.Now()
		id, err := tx.InsertEntity(ctx, store.RowFromInput(in), now)
		if err != nil {
			return err
		}
		if err := s.writeTFN(ctx, tx, aead, id, in.TFN); err != nil {
			return err
		}
		if e, err = tx.Entity(ctx, id); err != nil {
			return err
		}
		if err := s.journal(ctx, tx, model.ActionCreate, model.ObjectEntity, id,
			fmt.Sprintf("Created %s (%s)", e.DisplayName, e.Kind.Label()), nil, e); err != nil {
			return err
		}
		if groupID == 0 {
			return nil
		}
		if _, err := tx.AddMember(ctx, groupID, id, now); err != nil {
			return err
		}
		return s.journalMember(ctx, tx, model.ActionAddMember, g, e)
	})
	if err == nil {
		s.log.Info("entity created", "entity", e.ID, "group", groupID)
	}
	return e, err
}

type membership struct {
	GroupID  int64 `json:"groupId"`
	EntityID int64 `json:"entityId"`
}

func (s *Service) journalMember(ctx context.Context, tx *store.Tx, action string, g model.Group, e model.Entity) error {
	m := membership{g.ID, e.ID}
	if action == model.ActionAddMember {
		return s.journal(ctx, tx, action, model.ObjectMembership, e.ID,
			fmt.Sprintf("Added %s to group %q", e.DisplayName, g.Name), nil, m)
	}
	return s.journal(ctx, tx, action, model.ObjectMembership, e.ID,
		fmt.Sprintf("Removed %s from group %q", e.DisplayName, g.Name), m, nil)
}

// UpdateEntity changes an entity. A change of kind is refused while the
// entity has relationships the new kind cannot have.
func (s *Service) UpdateEntity(ctx context.Context, id int64, in model.EntityInput) (model.Entity, error) {
	in, aead, err := s.prepareEntity(ctx, in)
	if err != nil {
		return model.Entity{}, err
	}
	var e model.Entity
	err = s.write(ctx, func(tx *store.Tx) error {
		before, err := tx.Entity(ctx, id)
		if err != nil {
			return err
		}
		if in.Kind != before.Kind {
			if err := s.checkKindChange(ctx, tx, before, in.Kind); err != nil {
				return err
			}
		}
		if err := tx.UpdateEntity(ctx, id, store.RowFromInput(in), s.clk.Now()); err != nil {
			return err
		}
		if err := s.writeTFN(ctx, tx, aead, id, in.TFN); err != nil {
			return err
		}
		if e, err = tx.Entity(ctx, id); err != nil {
			return err
		}
		return s.journal(ctx, tx, model.ActionUpdate, model.ObjectEntity, id,
			fmt.Sprintf("Updated %s", e.DisplayName), before, e)
	})
	return e, err
}

func (s *Service) checkKindChange(ctx context.Context, tx *store.Tx, e model.Entity, kind model.EntityKind) error {
	rels, err := tx.EntityRelationships(ctx, e.ID)
	if err != nil {
		return err
	}
	var bad []string
	for _, r := range rels {
		t, ok := model.LookupRelationshipType(r.Type)
		if !ok {
			continue
		}
		if (r.FromID == e.ID && !t.AllowsFrom(kind)) || (r.ToID == e.ID && !t.AllowsTo(kind)) {
			if !contains(bad, t.Label) {
				bad = append(bad, strings.ToLower(t.Label))
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return apperr.Validation(map[string]string{"kind": fmt.Sprintf(
		"%s cannot become %s while it has relationships %s cannot have (%s). Remove or change those relationships first.",
		e.DisplayName, model.KindPhrase(kind), model.KindPhrase(kind), strings.Join(bad, ", "))})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if strings.EqualFold(x, y) {
			return true
		}
	}
	return false
}

// DeleteEntity deletes an entity with its relationships and memberships, in
// one transaction.
func (s *Service) DeleteEntity(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *store.Tx) error { return s.deleteEntityTx(ctx, tx, id) })
	if err == nil {
		s.log.Info("entity deleted", "entity", id)
	}
	return err
}

func (s *Service) deleteEntityTx(ctx context.Context, tx *store.Tx, id int64) error {
	e, err := tx.Entity(ctx, id)
	if err != nil {
		return err
	}
	rels, err := tx.EntityRelationships(ctx, id)
	if err != nil {
		return err
	}
	groups, err := tx.EntityGroupIDs(ctx, id)
	if err != nil {
		return err
	}
	names := map[int64]string{id: e.DisplayName}
	for _, r := range rels {
		other := r.FromID
		if other == id {
			other = r.ToID
		}
		if _, ok := names[other]; !ok {
			o, err := tx.Entity(ctx, other)
			if err != nil {
				return err
			}
			names[other] = o.DisplayName
		}
		if err := s.journal(ctx, tx, model.ActionDelete, model.ObjectRelationship, r.ID,
			"Deleted: "+describe(r, names), r, nil); err != nil {
			return err
		}
	}
	for _, gid := range groups {
		g, err := tx.Group(ctx, gid)
		if err != nil {
			return err
		}
		if err := s.journalMember(ctx, tx, model.ActionRemoveMember, g, e); err != nil {
			return err
		}
	}
	if err := tx.DeleteEntity(ctx, id); err != nil {
		return err
	}
	return s.journal(ctx, tx, model.ActionDelete, model.ObjectEntity, id, "Deleted "+e.DisplayName, e, nil)
}

// AddMember adds an existing entity to a group. Adding a member twice is
// not an error.
func (s *Service) AddMember(ctx context.Context, groupID, entityID int64) error {
	return s.write(ctx, func(tx *store.Tx) error {
		g, err := tx.Group(ctx, groupID)
		if err != nil {
			return err
		}
		e, err := tx.Entity(ctx, entityID)
		if err != nil {
			return err
		}
		added, err := tx.AddMember(ctx, groupID, entityID, s.clk.Now())
		if err != nil || !added {
			return err
		}
		return s.journalMember(ctx, tx, model.ActionAddMember, g, e)
	})
}

// RemoveMember takes an entity out of a group; the entity and its
// relationships stay. Removing a non-member is not an error.
func (s *Service) RemoveMember(ctx context.Context, groupID, entityID int64) error {
	return s.write(ctx, func(tx *store.Tx) error {
		g, err := tx.Group(ctx, groupID)
		if err != nil {
			return err
		}
		e, err := tx.Entity(ctx, entityID)
		if err != nil {
			return err
		}
		removed, err := tx.RemoveMember(ctx, groupID, entityID)
		if err != nil || !removed {
			return err
		}
		return s.journalMember(ctx, tx, model.ActionRemoveMember, g, e)
	})
}

// ---- relationships ----

func describe(r model.Relationship, names map[int64]string) string {
	label := r.Type
	if t, ok := model.LookupRelationshipType(r.Type); ok {
		label = t.Label
	}
	return fmt.Sprintf("%s is %s %s", names[r.FromID], strings.ToLower(label), names[r.ToID])
}

// checkRelationship validates in (normalised) against the model rules and
// the rules that need other rows: no duplicate, the per-target limit, and
// percentages of one type pointing at one entity not over 100%. selfID is
// the relationship being updated (0 on create). It returns the two ends.
func (s *Service) checkRelationship(ctx context.Context, tx *store.Tx, in model.RelationshipInput, selfID int64) (from, to model.Entity, err error) {
	errs := model.Errors{}
	load := func(id int64, field, which string) model.Entity {
		if id == 0 {
			errs.Add(field, "Choose the "+which+" entity.")
			return model.Entity{}
		}
		e, lerr := tx.Entity(ctx, id)
		if lerr != nil {
			if apperr.CodeOf(lerr) == apperr.CodeNotFound {
				errs.Add(field, "This entity no longer exists. Refresh and choose again.")
			} else {
				err = lerr
			}
		}
		return e
	}
	from = load(in.FromID, "fromId", "first")
	to = load(in.ToID, "toId", "second")
	if err != nil {
		return
	}
	if len(errs) > 0 {
		return from, to, apperr.Validation(errs)
	}
	if errs := model.ValidateRelationshipInput(in, from, to); len(errs) > 0 {
		return from, to, apperr.Validation(errs)
	}
	t, _ := model.LookupRelationshipType(in.Type)
	today := s.today()
	if in.EndDate != "" && in.EndDate < today {
		return from, to, nil // a past relationship: history, not checked against current ones
	}

	// Duplicates: same ends and type (either direction for symmetric types),
	// both open.
	between, err := tx.RelationshipsBetween(ctx, in.FromID, in.ToID)
	if err != nil {
		return
	}
	for _, r := range between {
		if r.ID == selfID || r.Type != in.Type || !r.IsOpen(today) {
			continue
		}
		if r.FromID == in.FromID || t.Symmetric {
			return from, to, apperr.Validation(map[string]string{"type": fmt.Sprintf(
				"%s is already recorded as %s %s. Edit that relationship instead of adding another.",
				from.DisplayName, strings.ToLower(t.Label), to.DisplayName)})
		}
	}

	var others []model.Relationship
	if t.MaxPerTarget > 0 || (t.AllowsPercentage && in.Percentage != nil) {
		all, lerr := tx.RelationshipsTo(ctx, in.ToID, in.Type)
		if lerr != nil {
			return from, to, lerr
		}
		for _, r := range all {
			if r.ID != selfID && r.IsOpen(today) {
				others = append(others, r)
			}
		}
	}
	if t.MaxPerTarget > 0 && len(others) >= t.MaxPerTarget {
		return from, to, apperr.Validation(map[string]string{"toId": fmt.Sprintf(
			"%s already has %d %ss, the most %s can have. End or remove one first.",
			to.DisplayName, len(others), strings.ToLower(t.InverseLabel), model.KindPhrase(to.Kind))})
	}
	if t.AllowsPercentage && in.Percentage != nil {
		existing := 0.0
		for _, r := range others {
			if r.Percentage != nil {
				existing += *r.Percentage
			}
		}
		if total := existing + *in.Percentage; total > 100+1e-9 {
			return from, to, apperr.Validation(map[string]string{"percentage": fmt.Sprintf(
				"%s percentages in %s would add up to %s, more than 100%%. %s already recorded for the others.",
				t.InverseLabel, to.DisplayName, model.FormatPercent(total), model.FormatPercent(existing))})
		}
	}
	return from, to, nil
}

// CreateRelationship records a relationship after checking every rule.
func (s *Service) CreateRelationship(ctx context.Context, in model.RelationshipInput) (model.Relationship, error) {
	in = model.NormalizeRelationshipInput(in)
	var r model.Relationship
	err := s.write(ctx, func(tx *store.Tx) error {
		from, to, err := s.checkRelationship(ctx, tx, in, 0)
		if err != nil {
			return err
		}
		if r, err = tx.InsertRelationship(ctx, in, s.clk.Now()); err != nil {
			return err
		}
		names := map[int64]string{from.ID: from.DisplayName, to.ID: to.DisplayName}
		return s.journal(ctx, tx, model.ActionCreate, model.ObjectRelationship, r.ID,
			"Recorded: "+describe(r, names), nil, r)
	})
	if err == nil {
		s.log.Info("relationship created", "relationship", r.ID, "type", r.Type)
	}
	return r, err
}

// UpdateRelationship changes a relationship after checking every rule.
func (s *Service) UpdateRelationship(ctx context.Context, id int64, in model.RelationshipInput) (model.Relationship, error) {
	in = model.NormalizeRelationshipInput(in)
	var r model.Relationship
	err := s.write(ctx, func(tx *store.Tx) error {
		before, err := tx.Relationship(ctx, id)
		if err != nil {
			return err
		}
		from, to, err := s.checkRelationship(ctx, tx, in, id)
		if err != nil {
			return err
		}
		if r, err = tx.UpdateRelationship(ctx, id, in, s.clk.Now()); err != nil {
			return err
		}
		names := map[int64]string{from.ID: from.DisplayName, to.ID: to.DisplayName}
		return s.journal(ctx, tx, model.ActionUpdate, model.ObjectRelationship, id,
			"Updated: "+describe(r, names), before, r)
	})
	return r, err
}

// DeleteRelationship deletes a relationship.
func (s *Service) DeleteRelationship(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *store.Tx) error {
		r, err := tx.Relationship(ctx, id)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, x := range []int64{r.FromID, r.ToID} {
			e, err := tx.Entity(ctx, x)
			if err != nil {
				return err
			}
			names[x] = e.DisplayName
		}
		if err := tx.DeleteRelationship(ctx, id); err != nil {
			return err
		}
		return s.journal(ctx, tx, model.ActionDelete, model.ObjectRelationship, id, "Deleted: "+describe(r, names), r, nil)
	})
}

// ---- journal ----

// Journal returns the latest changes, newest first (limit 0 = 100).
func (s *Service) Journal(ctx context.Context, limit int) ([]model.JournalEntry, error) {
	var out []model.JournalEntry
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Journal(ctx, limit)
		return err
	})
	return out, err
}
