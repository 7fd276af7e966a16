package pull

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"structura/backend/apperr"
	"structura/backend/events"
	"structura/backend/jobs"
	"structura/backend/model"
	"structura/backend/store"
	"structura/backend/sync"
)

// Journal vocabulary of links (the journal's own actions cover the rest).
const (
	ActionLink      = "link"
	ObjectEntityLnk = "entity_link"
	ObjectRelLnk    = "relationship_link"
)

// Apply confirms a pull waiting for review: it records the writes of each
// group (from the review as it stands, with the decisions) and starts
// writing them in the background, one transaction per group. It refuses
// while items wait for a decision.
func (s *Service) Apply(ctx context.Context, id int64) (Info, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, plan, err := s.plan(ctx, id)
	if err != nil {
		return Info{}, err
	}
	if n := plan.Summary.NeedInput; n > 0 {
		return Info{}, apperr.New(apperr.CodeValidation,
			fmt.Sprintf("%d %s your decision before the pull can be applied.", n, plural(n, "item needs", "items need")),
			"Choose for each of them, or use the suggested choices for all.")
	}
	ops, err := plan.Ops()
	if err != nil {
		return Info{}, err
	}
	res := Result{Skipped: []SkipNote{}}
	for _, it := range plan.Items {
		if it.Action != sync.ActSkip {
			if it.Action == sync.ActUnchanged {
				res.Unchanged++
			}
			continue
		}
		res.SkippedTotal++
		if len(res.Skipped) < maxSkipNotes {
			res.Skipped = append(res.Skipped, SkipNote{Key: it.Key, Title: it.Title, Why: skipWhy(it)})
		}
	}
	res.Flagged = plan.Summary.Flagged
	err = s.st.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.Pull(ctx, id)
		if err != nil {
			return err
		}
		if cur.State != store.PullReview || cur.Decisions != p.Decisions {
			return apperr.New(apperr.CodeConflict, "The review changed while you confirmed it.", "Look at it again, then apply.")
		}
		byGroup := map[string]sync.GroupOps{}
		for _, g := range ops {
			byGroup[g.GroupUUID] = g
		}
		groups, err := tx.PullGroups(ctx, id, false)
		if err != nil {
			return err
		}
		for _, g := range groups {
			o, ok := byGroup[g.XPMUUID]
			js := ""
			if ok {
				b, err := json.Marshal(o)
				if err != nil {
					return err
				}
				js = string(b)
			}
			if err := tx.SetPullGroupOps(ctx, id, g.XPMUUID, js); err != nil {
				return err
			}
		}
		now := s.clk.Now()
		for _, r := range plan.Rules {
			if err := tx.PutKindRule(ctx, store.KindRuleRow{LabelKey: sync.LabelKey(r.Label), Label: r.Label, Kind: r.Kind, TrustType: r.TrustType}, now); err != nil {
				return err
			}
		}
		cur.State, cur.Summary, cur.Result = store.PullApplying, encode(plan.Summary), encode(res)
		return tx.UpdatePull(ctx, cur, now)
	})
	if err != nil {
		return Info{}, err
	}
	s.dropCache(id)
	if err := s.submit(ctx, id, KindApply, decode[requestDoc](p.Request).Title); err != nil {
		return Info{}, err
	}
	s.log.Info("pull confirmed", "pull", id, "changes", plan.Summary.Changes)
	s.changed(ctx, id)
	return s.Get(ctx, id)
}

func skipWhy(it *sync.Item) string {
	for _, f := range it.Flags {
		if f.Level == sync.LevelWarning {
			return f.Message
		}
	}
	if it.Decision != nil && it.Decision.Action == sync.ActSkip {
		return "You chose to leave it out."
	}
	return it.Detail
}

// runApply is the apply job: each group's writes in one transaction that
// also marks the group applied, so a crash or a cancel leaves whole groups
// only, and a restart carries on with the next group.
func (s *Service) runApply(ctx context.Context, run *jobs.Run) (any, error) {
	var params jobParams
	if err := run.DecodeParams(&params); err != nil {
		return nil, err
	}
	p, err := s.pull(ctx, params.PullID)
	if err != nil {
		return nil, err
	}
	if p.State != store.PullApplying {
		return map[string]any{"pullId": p.ID, "state": p.State}, nil
	}
	if p.Error != "" {
		if p, err = s.clearError(ctx, p.ID); err != nil {
			return nil, err
		}
	}
	var groups []store.PullGroupRow
	if err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		groups, err = tx.PullGroups(ctx, p.ID, false)
		return err
	}); err != nil {
		return nil, err
	}
	res := decode[Result](p.Result)
	total := len(groups)
	done := 0
	for _, g := range groups {
		if !g.AppliedAt.IsZero() {
			done++
		}
	}
	lastEmit := time.Time{}
	for _, g := range groups {
		if !g.AppliedAt.IsZero() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return s.endApply(ctx, p.ID, err)
		}
		run.Report(jobs.Progress{Stage: StageApply, Done: done, Total: total,
			Message: fmt.Sprintf("Writing group %d of %d: %s", done+1, total, g.Name)})
		var ops sync.GroupOps
		if err := s.st.View(ctx, func(tx *store.Tx) error {
			var err error
			g.Ops, err = tx.PullGroupOps(ctx, p.ID, g.XPMUUID)
			return err
		}); err != nil {
			return s.endApply(ctx, p.ID, err)
		}
		if g.Ops != "" {
			if err := json.Unmarshal([]byte(g.Ops), &ops); err != nil {
				return s.endApply(ctx, p.ID, fmt.Errorf("pull %d: group %s: %w", p.ID, g.XPMUUID, err))
			}
		}
		gr := GroupResult{XPMUUID: g.XPMUUID, Name: g.Name}
		if g.GroupID != nil {
			gr.LocalGroupID = *g.GroupID
		}
		err := s.st.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			gr = GroupResult{XPMUUID: g.XPMUUID, Name: g.Name, LocalGroupID: gr.LocalGroupID}
			if g.Ops != "" {
				if err := s.applyGroup(ctx, tx, p, run.ID, ops, &gr); err != nil {
					return err
				}
			} else {
				gr.Problem = "This group was not linked any more when the pull was confirmed."
			}
			gr.Applied = gr.Problem == ""
			return tx.SetPullGroupApplied(ctx, p.ID, g.XPMUUID, encode(gr), s.clk.Now())
		})
		if err != nil {
			return s.endApply(ctx, p.ID, err)
		}
		done++
		if err := run.SaveCheckpoint(ctx, map[string]int{"groupsApplied": done}); err != nil {
			return s.endApply(ctx, p.ID, err)
		}
		if gr.changes() > 0 {
			if now := s.clk.Now(); now.Sub(lastEmit) >= time.Second || done == total {
				s.emit(events.StructureChanged, nil)
				lastEmit = now
			}
		}
		if s.applyPause != nil {
			s.applyPause(ctx, g.XPMUUID)
		}
	}
	run.Report(jobs.Progress{Stage: StageApply, Done: total, Total: total, Message: "Finishing"})
	return s.finishApply(ctx, p.ID, res, store.PullApplied)
}

// endApply records an apply stopped by a cancel or an error (groups
// written so far stay, whole).
func (s *Service) endApply(ctx context.Context, id int64, err error) (any, error) {
	cause := fmt.Sprint(context.Cause(ctx))
	if ctx.Err() != nil && strings.Contains(cause, "closing") {
		return nil, err // the app is closing: resumed on the next start
	}
	p, perr := s.pull(context.WithoutCancel(ctx), id)
	if perr != nil {
		return nil, errors.Join(err, perr)
	}
	if ctx.Err() != nil || apperr.CodeOf(err) == apperr.CodeCanceled {
		sum, _ := s.finishApply(context.WithoutCancel(ctx), id, decode[Result](p.Result), store.PullCanceled)
		return sum, err
	}
	wctx := context.WithoutCancel(ctx)
	_ = s.st.WithTx(wctx, func(tx *store.Tx) error {
		cur, err2 := tx.Pull(wctx, id)
		if err2 != nil {
			return err2
		}
		b, _ := json.Marshal(apperr.Public(err))
		cur.Error = string(b)
		return tx.UpdatePull(wctx, cur, s.clk.Now())
	})
	s.changed(wctx, id)
	return nil, err
}

// finishApply adds up the groups' results and closes the pull.
func (s *Service) finishApply(ctx context.Context, id int64, res Result, state string) (any, error) {
	wctx := context.WithoutCancel(ctx)
	err := s.st.WithTx(wctx, func(tx *store.Tx) error {
		p, err := tx.Pull(wctx, id)
		if err != nil {
			return err
		}
		groups, err := tx.PullGroups(wctx, id, false)
		if err != nil {
			return err
		}
		res.Groups = []GroupResult{}
		res.Created, res.Updated, res.Linked, res.MembersAdded, res.MembersGone = 0, 0, 0, 0, 0
		res.RelsCreated, res.RelsUpdated, res.RelsLinked, res.RelsDeleted, res.GroupsApplied = 0, 0, 0, 0, 0
		for _, g := range groups {
			gr := decode[GroupResult](g.Result)
			if g.AppliedAt.IsZero() {
				gr = GroupResult{XPMUUID: g.XPMUUID, Name: g.Name, Problem: "Not written: the pull was stopped before this group."}
				if g.GroupID != nil {
					gr.LocalGroupID = *g.GroupID
				}
			} else if gr.Applied {
				res.GroupsApplied++
			}
			res.Created += gr.Created
			res.Updated += gr.Updated
			res.Linked += gr.Linked
			res.MembersAdded += gr.MembersAdded
			res.MembersGone += gr.MembersGone
			res.RelsCreated += gr.RelsCreated
			res.RelsUpdated += gr.RelsUpdated
			res.RelsLinked += gr.RelsLinked
			res.RelsDeleted += gr.RelsDeleted
			for _, n := range gr.Skipped {
				res.SkippedTotal++
				if len(res.Skipped) < maxSkipNotes {
					res.Skipped = append(res.Skipped, n)
				}
			}
			res.Groups = append(res.Groups, gr)
		}
		res.Changes = res.Created + res.Updated + res.Linked + res.MembersAdded + res.MembersGone +
			res.RelsCreated + res.RelsUpdated + res.RelsLinked + res.RelsDeleted
		res.Message = resultMessage(res, state, len(groups))
		p.State, p.Result = state, encode(res)
		if err := tx.UpdatePull(wctx, p, s.clk.Now()); err != nil {
			return err
		}
		return tx.DeletePullClients(wctx, id)
	})
	if err != nil {
		return nil, err
	}
	s.emit(events.StructureChanged, nil)
	s.changed(wctx, id)
	s.log.Info("pull ended", "pull", id, "state", state, "changes", res.Changes, "groups", res.GroupsApplied)
	return map[string]any{"pullId": id, "state": state, "changes": res.Changes, "message": res.Message}, nil
}

func resultMessage(r Result, state string, groups int) string {
	if state == store.PullCanceled {
		return fmt.Sprintf("Stopped: %d of %d %s written in full, the others not at all (%d %s).",
			r.GroupsApplied, groups, plural(groups, "group", "groups"), r.Changes, plural(r.Changes, "change", "changes"))
	}
	if r.Changes == 0 {
		return "Nothing changed in XPM since the last pull: nothing was changed here."
	}
	var parts []string
	add := func(n int, one, many string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, plural(n, one, many)))
		}
	}
	add(r.Created, "entity created", "entities created")
	add(r.Updated, "entity updated", "entities updated")
	add(r.Linked, "entity linked", "entities linked")
	add(r.MembersAdded, "membership added", "memberships added")
	add(r.MembersGone, "membership removed", "memberships removed")
	add(r.RelsCreated, "relationship recorded", "relationships recorded")
	add(r.RelsUpdated, "relationship updated", "relationships updated")
	add(r.RelsLinked, "relationship linked", "relationships linked")
	add(r.RelsDeleted, "relationship deleted", "relationships deleted")
	msg := "Pulled: " + strings.Join(parts, ", ") + "."
	if r.SkippedTotal > 0 {
		msg += fmt.Sprintf(" %d %s left out (see why).", r.SkippedTotal, plural(r.SkippedTotal, "item", "items"))
	}
	return msg
}

// applyGroup writes one group's ops inside tx.
func (s *Service) applyGroup(ctx context.Context, tx *store.Tx, p store.PullRow, jobID int64, ops sync.GroupOps, gr *GroupResult) error {
	now := s.clk.Now()
	tenant := p.TenantID
	skip := func(title, why string) {
		gr.Skipped = append(gr.Skipped, SkipNote{Title: title, Why: why})
	}
	// The group must still be linked as it was reviewed.
	gl, ok, err := tx.GroupLinkForPull(ctx, ops.GroupUUID)
	if err != nil {
		return err
	}
	if !ok || gl.GroupID != ops.GroupID {
		gr.Problem = "This group was unlinked (or linked to another local group) after the review: nothing was written for it."
		return nil
	}
	grp, err := tx.Group(ctx, ops.GroupID)
	if err != nil {
		return err
	}

	for _, e := range ops.Entities {
		if err := s.applyEntity(ctx, tx, tenant, jobID, e, gr, skip, now); err != nil {
			return err
		}
	}
	for _, m := range ops.Members {
		id, err := tx.EntityIDForXPM(ctx, m.XPMUUID)
		if err != nil {
			return err
		}
		if id == 0 {
			skip(m.Name, "Not added to the group: the entity was not written.")
			continue
		}
		ent, err := tx.Entity(ctx, id)
		if err != nil {
			return err
		}
		mem := struct {
			GroupID  int64 `json:"groupId"`
			EntityID int64 `json:"entityId"`
		}{grp.ID, id}
		switch m.Op {
		case sync.OpAdd:
			added, err := tx.AddMember(ctx, grp.ID, id, now)
			if err != nil {
				return err
			}
			if added {
				gr.MembersAdded++
				if err := s.journal(ctx, tx, jobID, model.ActionAddMember, model.ObjectMembership, id,
					fmt.Sprintf("Added %s to group %q (XPM pull)", ent.DisplayName, grp.Name), nil, mem); err != nil {
					return err
				}
			}
		case sync.OpRemove:
			removed, err := tx.RemoveMember(ctx, grp.ID, id)
			if err != nil {
				return err
			}
			if removed {
				gr.MembersGone++
				if err := s.journal(ctx, tx, jobID, model.ActionRemoveMember, model.ObjectMembership, id,
					fmt.Sprintf("Removed %s from group %q (no longer in the XPM group)", ent.DisplayName, grp.Name), mem, nil); err != nil {
					return err
				}
			}
		}
	}
	for _, r := range ops.Relationships {
		if err := s.applyRel(ctx, tx, tenant, jobID, r, gr, skip, now); err != nil {
			return err
		}
	}
	base := ""
	if ops.Base != nil {
		b := *ops.Base
		if decode[readDoc](p.Read).ModifiedSince.IsZero() {
			b.FullReadAt = p.ReadStartedAt
		} else if gl.Base != "" {
			b.FullReadAt = decode[sync.GroupBase](gl.Base).FullReadAt
		}
		base = encode(b)
	}
	return tx.SetGroupLinkPulled(ctx, ops.GroupUUID, ops.GroupID, base, p.ReadStartedAt, now)
}

func (s *Service) applyEntity(ctx context.Context, tx *store.Tx, tenant string, jobID int64, e sync.EntityOp, gr *GroupResult, skip func(string, string), now time.Time) error {
	base := encode(e.Base)
	existing, err := tx.EntityIDForXPM(ctx, e.XPMUUID)
	if err != nil {
		return err
	}
	switch e.Op {
	case sync.OpCreate:
		if existing != 0 {
			return nil // written already (never twice)
		}
		in := model.NormalizeEntityInput(e.Input)
		in.TFN = nil
		if errs := model.ValidateEntityInput(in, now); len(errs) > 0 {
			skip(e.Name, "Not created: "+firstMessage(errs))
			return nil
		}
		id, err := tx.InsertEntity(ctx, store.RowFromInput(in), now)
		if err != nil {
			return err
		}
		ent, err := tx.Entity(ctx, id)
		if err != nil {
			return err
		}
		if err := s.journal(ctx, tx, jobID, model.ActionCreate, model.ObjectEntity, id,
			fmt.Sprintf("Created %s (%s) from XPM", ent.DisplayName, ent.Kind.Label()), nil, ent); err != nil {
			return err
		}
		if err := tx.PutEntityLink(ctx, e.XPMUUID, id, tenant, base, now); err != nil {
			return err
		}
		gr.Created++
		return s.journal(ctx, tx, jobID, ActionLink, ObjectEntityLnk, id,
			fmt.Sprintf("Linked %s to its XPM client", ent.DisplayName), nil, linkSnap{EntityID: id, XPMUUID: e.XPMUUID, TenantID: tenant})
	case sync.OpLink, sync.OpUpdate:
		ent, err := tx.Entity(ctx, e.EntityID)
		if apperr.CodeOf(err) == apperr.CodeNotFound {
			skip(e.Name, "Not updated: the entity was deleted in Structura after the review.")
			return nil
		}
		if err != nil {
			return err
		}
		if e.Op == sync.OpLink && existing != 0 && existing != e.EntityID {
			skip(e.Name, "Not linked: this XPM client was linked to another entity after the review.")
			return nil
		}
		if e.Op == sync.OpLink && existing == e.EntityID && !ent.UpdatedAt.Equal(e.Expect) {
			return nil // linked and filled in already
		}
		if !ent.UpdatedAt.Equal(e.Expect) {
			skip(ent.DisplayName, "Not changed: it was edited in Structura after the review. Pull again to see XPM's changes.")
			return nil
		}
		if len(e.Changed) > 0 {
			in := model.NormalizeEntityInput(e.Input)
			in.TFN = nil
			if errs := model.ValidateEntityInput(in, now); len(errs) > 0 {
				skip(ent.DisplayName, "Not changed: "+firstMessage(errs))
				return nil
			}
			if err := tx.UpdateEntity(ctx, ent.ID, store.RowFromInput(in), now); err != nil {
				return err
			}
			after, err := tx.Entity(ctx, ent.ID)
			if err != nil {
				return err
			}
			if err := s.journal(ctx, tx, jobID, model.ActionUpdate, model.ObjectEntity, ent.ID,
				fmt.Sprintf("Updated %s from XPM (%s)", after.DisplayName, fieldLabels(e.Changed)), ent, after); err != nil {
				return err
			}
		}
		if e.Op == sync.OpUpdate {
			gr.Updated++
			return tx.SetEntityLinkBase(ctx, e.XPMUUID, base, now)
		}
		if err := tx.PutEntityLink(ctx, e.XPMUUID, ent.ID, tenant, base, now); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Wrap(err, apperr.CodeConflict, fmt.Sprintf("%s was linked to another XPM client meanwhile.", ent.DisplayName),
					"Start the pull again to review it.")
			}
			return err
		}
		gr.Linked++
		return s.journal(ctx, tx, jobID, ActionLink, ObjectEntityLnk, ent.ID,
			fmt.Sprintf("Linked %s to XPM client %q", ent.DisplayName, e.Name), nil, linkSnap{EntityID: ent.ID, XPMUUID: e.XPMUUID, TenantID: tenant})
	case sync.OpBase:
		if existing == 0 {
			return nil
		}
		return tx.SetEntityLinkBase(ctx, e.XPMUUID, base, now)
	}
	return nil
}

type linkSnap struct {
	EntityID       int64  `json:"entityId,omitempty"`
	RelationshipID int64  `json:"relationshipId,omitempty"`
	XPMUUID        string `json:"xpmUuid"`
	TenantID       string `json:"tenantId"`
}

func firstMessage(errs model.Errors) string {
	for _, k := range []string{"kind", "givenName", "legalName", "familyName", "dateOfBirth", "abn", "acn", "email", "phone", "address", "notes", "fromId", "toId", "type", "numberOfShares", "percentage", "startDate", "endDate"} {
		if m, ok := errs[k]; ok {
			return m
		}
	}
	for _, m := range errs {
		return m
	}
	return ""
}

func fieldLabels(fields []string) string {
	var out []string
	for _, f := range fields {
		if f == "kind" {
			out = append(out, "kind")
			continue
		}
		if ff := sync.FieldByName(f); ff != nil {
			out = append(out, strings.ToLower(ff.Label))
		}
	}
	return strings.Join(out, ", ")
}

func (s *Service) applyRel(ctx context.Context, tx *store.Tx, tenant string, jobID int64, r sync.RelOp, gr *GroupResult, skip func(string, string), now time.Time) error {
	base := ""
	if r.Base != nil {
		base = encode(r.Base)
	}
	switch r.Op {
	case sync.OpCreate:
		if r.XPMUUID != "" {
			var exists bool
			if err := s.relLinked(ctx, tx, r.XPMUUID, &exists); err != nil {
				return err
			}
			if exists {
				return nil // written already
			}
		}
		from, err := tx.EntityIDForXPM(ctx, r.FromUUID)
		if err != nil {
			return err
		}
		to, err := tx.EntityIDForXPM(ctx, r.ToUUID)
		if err != nil {
			return err
		}
		if from == 0 || to == 0 {
			skip(r.Title, "Not recorded: one of its entities was not written.")
			return nil
		}
		in := r.Input
		in.FromID, in.ToID = from, to
		in = model.NormalizeRelationshipInput(in)
		fe, err := tx.Entity(ctx, from)
		if err != nil {
			return err
		}
		te, err := tx.Entity(ctx, to)
		if err != nil {
			return err
		}
		if errs := model.ValidateRelationshipInput(in, fe, te); len(errs) > 0 {
			skip(r.Title, "Not recorded: "+firstMessage(errs))
			return nil
		}
		rel, err := tx.InsertRelationship(ctx, in, now)
		if err != nil {
			return err
		}
		title := describe(rel, fe.DisplayName, te.DisplayName)
		if err := s.journal(ctx, tx, jobID, model.ActionCreate, model.ObjectRelationship, rel.ID, "Recorded from XPM: "+title, nil, rel); err != nil {
			return err
		}
		gr.RelsCreated++
		if r.XPMUUID == "" {
			return nil
		}
		if err := tx.PutRelationshipLink(ctx, r.XPMUUID, rel.ID, tenant, base, now); err != nil {
			return err
		}
		return s.journal(ctx, tx, jobID, ActionLink, ObjectRelLnk, rel.ID, "Linked to XPM: "+title, nil,
			linkSnap{RelationshipID: rel.ID, XPMUUID: r.XPMUUID, TenantID: tenant})
	case sync.OpLink, sync.OpUpdate:
		rel, err := tx.Relationship(ctx, r.RelationshipID)
		if apperr.CodeOf(err) == apperr.CodeNotFound {
			skip(r.Title, "Not updated: the relationship was deleted in Structura after the review.")
			return nil
		}
		if err != nil {
			return err
		}
		if !rel.UpdatedAt.Equal(r.Expect) {
			skip(r.Title, "Not changed: it was edited in Structura after the review. Pull again to see XPM's changes.")
			return nil
		}
		fe, err := tx.Entity(ctx, rel.FromID)
		if err != nil {
			return err
		}
		te, err := tx.Entity(ctx, rel.ToID)
		if err != nil {
			return err
		}
		title := describe(rel, fe.DisplayName, te.DisplayName)
		if len(r.Changed) > 0 {
			in := r.Input
			in.FromID, in.ToID, in.Type = rel.FromID, rel.ToID, rel.Type
			in = model.NormalizeRelationshipInput(in)
			if errs := model.ValidateRelationshipInput(in, fe, te); len(errs) > 0 {
				skip(title, "Not changed: "+firstMessage(errs))
				return nil
			}
			after, err := tx.UpdateRelationship(ctx, rel.ID, in, now)
			if err != nil {
				return err
			}
			if err := s.journal(ctx, tx, jobID, model.ActionUpdate, model.ObjectRelationship, rel.ID, "Updated from XPM: "+title, rel, after); err != nil {
				return err
			}
		}
		if r.Op == sync.OpUpdate {
			gr.RelsUpdated++
			return tx.SetRelationshipLinkBase(ctx, r.XPMUUID, base, now)
		}
		if err := tx.PutRelationshipLink(ctx, r.XPMUUID, rel.ID, tenant, base, now); err != nil {
			if store.IsUniqueViolation(err) {
				skip(title, "Not linked: it was linked to another XPM relationship meanwhile.")
				return nil
			}
			return err
		}
		gr.RelsLinked++
		return s.journal(ctx, tx, jobID, ActionLink, ObjectRelLnk, rel.ID, "Linked to XPM: "+title, nil,
			linkSnap{RelationshipID: rel.ID, XPMUUID: r.XPMUUID, TenantID: tenant})
	case sync.OpBase:
		var exists bool
		if err := s.relLinked(ctx, tx, r.XPMUUID, &exists); err != nil || !exists {
			return err
		}
		return tx.SetRelationshipLinkBase(ctx, r.XPMUUID, base, now)
	case sync.OpDelete:
		rel, err := tx.Relationship(ctx, r.RelationshipID)
		if apperr.CodeOf(err) == apperr.CodeNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		fe, err := tx.Entity(ctx, rel.FromID)
		if err != nil {
			return err
		}
		te, err := tx.Entity(ctx, rel.ToID)
		if err != nil {
			return err
		}
		if err := tx.DeleteRelationship(ctx, rel.ID); err != nil {
			return err
		}
		gr.RelsDeleted++
		return s.journal(ctx, tx, jobID, model.ActionDelete, model.ObjectRelationship, rel.ID,
			"Deleted (removed in XPM): "+describe(rel, fe.DisplayName, te.DisplayName), rel, nil)
	}
	return nil
}

func (s *Service) relLinked(ctx context.Context, tx *store.Tx, uuid string, exists *bool) error {
	id, err := tx.RelationshipIDForXPM(ctx, uuid)
	*exists = id != 0
	return err
}

func describe(r model.Relationship, from, to string) string {
	label := r.Type
	if t, ok := model.LookupRelationshipType(r.Type); ok {
		label = strings.ToLower(t.Label)
	}
	return fmt.Sprintf("%s is %s %s", from, label, to)
}
