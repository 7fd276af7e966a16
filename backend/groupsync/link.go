package groupsync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"structura/backend/apperr"
	"structura/backend/model"
	"structura/backend/store"
	"structura/backend/xpm"
)

// LinkResult is what a link did.
type LinkResult struct {
	LocalGroup model.Group `json:"localGroup"`
	XPMGroup   XPMGroupRow `json:"xpmGroup"`
	// Created is set when a new local group was created for the link.
	Created bool `json:"created"`
	// AlreadyLinked is set when the two groups were linked already
	// (nothing changed).
	AlreadyLinked bool `json:"alreadyLinked"`
	// Message is one line for the practitioner.
	Message string `json:"message"`
}

// notPulled is said after every link: linking does not sync.
const notPulled = "Nothing was copied yet: use Pull now to bring in its clients and relationships."

// LinkXPMGroupAsNew creates a local group with the XPM group's name and
// links the two, in one transaction. It first checks with XPM that the
// group still exists (one call).
func (s *Service) LinkXPMGroupAsNew(ctx context.Context, uuid string) (LinkResult, error) {
	return s.linkOne(ctx, uuid, 0)
}

// LinkXPMGroupToExisting links an XPM group to a local group that has no
// link yet. It first checks with XPM that the group still exists.
func (s *Service) LinkXPMGroupToExisting(ctx context.Context, uuid string, localGroupID int64) (LinkResult, error) {
	if localGroupID <= 0 {
		return LinkResult{}, apperr.Validation(map[string]string{"localGroupId": "Choose the local group to link to."})
	}
	return s.linkOne(ctx, uuid, localGroupID)
}

func (s *Service) linkOne(ctx context.Context, uuid string, localGroupID int64) (LinkResult, error) {
	uuid = strings.TrimSpace(uuid)
	if uuid == "" {
		return LinkResult{}, apperr.Invalid("Choose an XPM group to link.", "")
	}
	c, tenant, err := s.client(ctx)
	if err != nil {
		return LinkResult{}, err
	}
	// Refuse a broken 1:1 rule before spending an XPM call.
	if err := s.st.View(ctx, func(tx *store.Tx) error {
		_, _, err := s.checkLink(ctx, tx, uuid, localGroupID)
		return err
	}); err != nil {
		return LinkResult{}, err
	}
	gd, err := c.Groups.Get(ctx, uuid)
	if err != nil {
		return LinkResult{}, s.getFailed(ctx, tenant, uuid, err)
	}
	s.observe(tenant.ID, nil)
	var res LinkResult
	if err := s.st.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = s.linkTx(ctx, tx, tenant, gd, localGroupID, nil)
		return err
	}); err != nil {
		return LinkResult{}, err
	}
	if !res.AlreadyLinked {
		s.log.Info("xpm group linked", "group", res.LocalGroup.ID, "xpmGroup", uuid, "created", res.Created)
		s.emit(true)
	}
	return res, nil
}

// getFailed turns a failed clientgroup.api/get into the error to show; a
// group XPM no longer has is marked deleted in the cache.
func (s *Service) getFailed(ctx context.Context, tenant Tenant, uuid string, err error) error {
	var nf *xpm.NotFoundError
	if !errors.As(err, &nf) {
		s.observe(tenant.ID, err)
		return xpm.UserError(err)
	}
	s.observe(tenant.ID, nil)
	name, merr := s.markDeleted(ctx, tenant, uuid)
	if merr != nil {
		return merr
	}
	return apperr.Wrap(err, apperr.CodeNotFound,
		fmt.Sprintf("The XPM group %s no longer exists in Xero Practice Manager.", quoteOr(name, "you chose")),
		"It was deleted in XPM since the last refresh, and is now marked as deleted in the list. Nothing was linked.")
}

// markDeleted marks a cached group deleted in XPM and returns its name.
func (s *Service) markDeleted(ctx context.Context, tenant Tenant, uuid string) (string, error) {
	var name string
	changed := false
	err := s.st.WithTx(ctx, func(tx *store.Tx) error {
		g, ok, err := tx.XPMGroup(ctx, tenant.ID, uuid)
		if err != nil || !ok {
			return err
		}
		name = g.Name
		if g.Deleted() {
			return nil
		}
		g.DeletedAt = s.clk.Now()
		changed = true
		return tx.PutXPMGroup(ctx, g)
	})
	if changed {
		s.emit(false)
	}
	return name, err
}

func quoteOr(name, otherwise string) string {
	if name == "" {
		return otherwise
	}
	return "\u2018" + name + "\u2019"
}

func q(name string) string { return "\u2018" + name + "\u2019" }

// xpmName names an XPM group from the cache ("" if unknown).
func xpmName(ctx context.Context, tx *store.Tx, uuid string) (string, error) {
	g, ok, err := tx.XPMGroupAnyTenant(ctx, uuid)
	if err != nil || !ok {
		return "", err
	}
	return g.Name, nil
}

// practiceName names a practice from its last discovery (or its id).
func practiceName(ctx context.Context, tx *store.Tx, tenantID string) string {
	if d, ok, err := tx.Discovery(ctx, tenantID); err == nil && ok && d.TenantName != "" {
		return d.TenantName
	}
	return "another practice"
}

// checkLink applies the 1:1 rule to linking XPM group uuid to local group
// localGroupID (0: a new local group). already is set when exactly this
// link exists; tomb is a tombstone link of the XPM group (its local group
// was deleted) that linking will clear.
func (s *Service) checkLink(ctx context.Context, tx *store.Tx, uuid string, localGroupID int64) (already bool, tomb *store.GroupLink, err error) {
	l, ok, err := tx.GroupLinkByUUID(ctx, uuid)
	if err != nil {
		return false, nil, err
	}
	var target model.Group
	if localGroupID != 0 {
		if target, err = tx.Group(ctx, localGroupID); err != nil {
			if apperr.CodeOf(err) == apperr.CodeNotFound {
				return false, nil, apperr.New(apperr.CodeNotFound, "The local group you chose no longer exists.",
					"It may have been deleted in another window. Choose another group.")
			}
			return false, nil, err
		}
	}
	if ok && l.GroupID != nil {
		if localGroupID != 0 && *l.GroupID == localGroupID {
			return true, nil, nil
		}
		name, err := xpmName(ctx, tx, uuid)
		if err != nil {
			return false, nil, err
		}
		msg := fmt.Sprintf("The XPM group %s is already linked to the local group %s.", quoteOr(name, "you chose"), q(l.GroupName))
		hint := fmt.Sprintf("An XPM group links to one local group only. Open %s, or unlink it first.", q(l.GroupName))
		if localGroupID != 0 {
			hint = fmt.Sprintf("An XPM group links to one local group only. Unlink it from %s first if it should be linked to %s instead.", q(l.GroupName), q(target.Name))
		}
		return false, nil, apperr.New(apperr.CodeConflict, msg, hint)
	}
	if ok {
		tomb = &l
	}
	if localGroupID == 0 {
		return false, tomb, nil
	}
	gl, linked, err := tx.GroupLinkByGroup(ctx, localGroupID)
	if err != nil || !linked {
		return false, tomb, err
	}
	other, err := xpmName(ctx, tx, gl.XPMGroupUUID)
	if err != nil {
		return false, nil, err
	}
	if cur, found, err := tx.XPMGroupAnyTenant(ctx, uuid); err == nil && found && cur.TenantID != gl.TenantID {
		return false, nil, apperr.New(apperr.CodeConflict,
			fmt.Sprintf("%s is linked to a group of another XPM practice (%s).", q(target.Name), practiceName(ctx, tx, gl.TenantID)),
			"A local group links to one XPM group only. Unlink it first if it should belong to this practice; its local data is kept.")
	}
	return false, nil, apperr.New(apperr.CodeConflict,
		fmt.Sprintf("%s is already linked to the XPM group %s.", q(target.Name), quoteOr(other, "another XPM group")),
		"A local group links to one XPM group only. Unlink it first, or choose another local group.")
}

// localNameFor is the name of a local group created for an XPM group.
func localNameFor(xpmName, uuid string) string {
	n := strings.TrimSpace(xpmName)
	if n == "" {
		id := uuid
		if len(id) > 8 {
			id = id[:8]
		}
		return "XPM group " + id
	}
	if r := []rune(n); len(r) > 200 {
		n = strings.TrimSpace(string(r[:200]))
	}
	return n
}

// putFromDetail refreshes the cache row of a group just read from XPM.
func (s *Service) putFromDetail(ctx context.Context, tx *store.Tx, tenant Tenant, gd *xpm.GroupDetail) (store.XPMGroup, error) {
	now := s.clk.Now()
	uuid := xpm.Value(gd.UUID)
	ids := make([]string, 0, len(gd.Clients))
	for _, m := range gd.Clients {
		ids = append(ids, xpm.Value(m.UUID))
	}
	members := sortedUnique(ids)
	g, ok, err := tx.XPMGroup(ctx, tenant.ID, uuid)
	if err != nil {
		return g, err
	}
	name := xpm.Value(gd.Name)
	if !ok {
		g = store.XPMGroup{TenantID: tenant.ID, UUID: uuid, FirstSeenAt: now, ChangedAt: now}
	} else if g.Name != name || g.Deleted() || g.MemberCount == nil || !slices.Equal(g.Members, members) {
		g.ChangedAt = now
	}
	g.Name, g.Taxable, g.WebURL = name, yesNo(gd.Taxable), xpm.Value(gd.WebURL)
	g.Members, g.MemberCount = members, intPtr(len(members))
	g.LastSeenAt, g.DeletedAt = now, time.Time{} // XPM has it: not deleted (any more)
	return g, tx.PutXPMGroup(ctx, g)
}

// linkTx links an XPM group just read from XPM to a local group (0: a new
// one named after it), inside tx, with journal entries.
func (s *Service) linkTx(ctx context.Context, tx *store.Tx, tenant Tenant, gd *xpm.GroupDetail, localGroupID int64, jobID *int64) (LinkResult, error) {
	uuid := xpm.Value(gd.UUID)
	cached, err := s.putFromDetail(ctx, tx, tenant, gd)
	if err != nil {
		return LinkResult{}, err
	}
	res := LinkResult{XPMGroup: rowOf(cached)}
	already, tomb, err := s.checkLink(ctx, tx, uuid, localGroupID)
	if err != nil {
		return res, err
	}
	now := s.clk.Now()
	if already {
		g, err := tx.Group(ctx, localGroupID)
		res.LocalGroup, res.AlreadyLinked = g, true
		res.Message = fmt.Sprintf("%s was already linked to the XPM group %s.", q(g.Name), q(cached.Name))
		return res, err
	}
	if tomb != nil {
		if err := tx.DeleteGroupLink(ctx, tomb.ID); err != nil {
			return res, err
		}
		if err := s.journal(ctx, tx, jobID, ActionUnlink, ObjectGroupLink, 0,
			fmt.Sprintf("Cleared the link of XPM group %s to a deleted local group", q(cached.Name)),
			linkSnap{XPMGroupUUID: uuid, XPMGroupName: cached.Name, TenantID: tomb.TenantID}, nil); err != nil {
			return res, err
		}
	}
	var g model.Group
	if localGroupID == 0 {
		if g, err = tx.InsertGroup(ctx, localNameFor(cached.Name, uuid), "", now); err != nil {
			return res, err
		}
		if err := s.journal(ctx, tx, jobID, model.ActionCreate, model.ObjectGroup, g.ID,
			fmt.Sprintf("Created group %s for the XPM group %s", q(g.Name), q(cached.Name)), nil, g); err != nil {
			return res, err
		}
		res.Created = true
	} else if g, err = tx.Group(ctx, localGroupID); err != nil {
		return res, err
	}
	if _, err := tx.InsertGroupLink(ctx, g.ID, uuid, tenant.ID, now); err != nil {
		if store.IsUniqueViolation(err) {
			return res, apperr.Wrap(err, apperr.CodeConflict, "One of these groups was linked in the meantime.",
				"Refresh the list and try again: a local group and an XPM group link one to one.")
		}
		return res, err
	}
	if err := s.journal(ctx, tx, jobID, ActionLink, ObjectGroupLink, g.ID,
		fmt.Sprintf("Linked group %s to the XPM group %s", q(g.Name), q(cached.Name)), nil,
		linkSnap{LocalGroupID: g.ID, XPMGroupUUID: uuid, XPMGroupName: cached.Name, TenantID: tenant.ID}); err != nil {
		return res, err
	}
	res.LocalGroup = g
	res.XPMGroup.Link = &LinkInfo{LocalGroupID: &g.ID, LocalGroupName: g.Name, LinkedAt: now}
	if res.Created {
		res.Message = fmt.Sprintf("Created the local group %s and linked it to the XPM group. %s", q(g.Name), notPulled)
	} else {
		res.Message = fmt.Sprintf("Linked %s to the XPM group %s. %s", q(g.Name), q(cached.Name), notPulled)
	}
	return res, nil
}

// linkSnap is a link as the journal records it.
type linkSnap struct {
	LocalGroupID int64  `json:"localGroupId,omitempty"`
	XPMGroupUUID string `json:"xpmGroupUuid"`
	XPMGroupName string `json:"xpmGroupName,omitempty"`
	TenantID     string `json:"tenantId"`
	HadBase      bool   `json:"hadBaseSnapshot,omitempty"`
}

// UnlinkPreview says what UnlinkGroup would do, for the confirmation.
type UnlinkPreview struct {
	LocalGroupID      int64  `json:"localGroupId"`
	LocalGroupName    string `json:"localGroupName"`
	XPMGroupUUID      string `json:"xpmGroupUuid"`
	XPMGroupName      string `json:"xpmGroupName"`
	EntityCount       int    `json:"entityCount"`
	RelationshipCount int    `json:"relationshipCount"`
	// HasBase is set when the link holds the record of the last sync (its
	// base snapshot), which unlinking forgets.
	HasBase bool   `json:"hasBase"`
	Message string `json:"message"`
}

// UnlinkPreview describes what unlinking a local group keeps and removes.
func (s *Service) UnlinkPreview(ctx context.Context, localGroupID int64) (UnlinkPreview, error) {
	var p UnlinkPreview
	err := s.st.View(ctx, func(tx *store.Tx) error {
		g, l, err := linkedGroup(ctx, tx, localGroupID)
		if err != nil {
			return err
		}
		members, err := tx.GroupMembers(ctx, g.ID)
		if err != nil {
			return err
		}
		rels, err := tx.GroupRelationships(ctx, g.ID)
		if err != nil {
			return err
		}
		name, err := xpmName(ctx, tx, l.XPMGroupUUID)
		if err != nil {
			return err
		}
		p = UnlinkPreview{LocalGroupID: g.ID, LocalGroupName: g.Name, XPMGroupUUID: l.XPMGroupUUID, XPMGroupName: name,
			EntityCount: len(members), RelationshipCount: len(rels), HasBase: l.HasBase}
		p.Message = fmt.Sprintf("Unlinking keeps %s with its %d %s and %d %s in Structura, and changes nothing in XPM. "+
			"Only the link to the XPM group %s and the record of the last sync are removed.",
			q(g.Name), len(members), plural(len(members), "entity", "entities"), len(rels), plural(len(rels), "relationship", "relationships"),
			quoteOr(name, "it was linked to"))
		return nil
	})
	return p, err
}

func linkedGroup(ctx context.Context, tx *store.Tx, localGroupID int64) (model.Group, store.GroupLink, error) {
	g, err := tx.Group(ctx, localGroupID)
	if err != nil {
		return g, store.GroupLink{}, err
	}
	l, ok, err := tx.GroupLinkByGroup(ctx, localGroupID)
	if err != nil {
		return g, l, err
	}
	if !ok {
		return g, l, apperr.Invalid(fmt.Sprintf("%s is not linked to an XPM group.", q(g.Name)), "Refresh the list: it may have been unlinked in another window.")
	}
	return g, l, nil
}

// UnlinkResult says what UnlinkGroup removed.
type UnlinkResult struct {
	LocalGroupID   int64  `json:"localGroupId"`
	LocalGroupName string `json:"localGroupName"`
	XPMGroupUUID   string `json:"xpmGroupUuid"`
	XPMGroupName   string `json:"xpmGroupName"`
	Message        string `json:"message"`
}

// UnlinkGroup removes a local group's link to its XPM group: the link row
// and the base snapshot it holds, nothing else (the group, its entities,
// memberships, relationships and their own links stay; XPM is not called).
// It works offline.
func (s *Service) UnlinkGroup(ctx context.Context, localGroupID int64) (UnlinkResult, error) {
	var res UnlinkResult
	err := s.st.WithTx(ctx, func(tx *store.Tx) error {
		g, l, err := linkedGroup(ctx, tx, localGroupID)
		if err != nil {
			return err
		}
		name, err := xpmName(ctx, tx, l.XPMGroupUUID)
		if err != nil {
			return err
		}
		if err := tx.DeleteGroupLink(ctx, l.ID); err != nil {
			return err
		}
		res = UnlinkResult{LocalGroupID: g.ID, LocalGroupName: g.Name, XPMGroupUUID: l.XPMGroupUUID, XPMGroupName: name,
			Message: fmt.Sprintf("Unlinked %s from the XPM group %s. Nothing was deleted.", q(g.Name), quoteOr(name, "it was linked to"))}
		return s.journal(ctx, tx, nil, ActionUnlink, ObjectGroupLink, g.ID,
			fmt.Sprintf("Unlinked group %s from the XPM group %s", q(g.Name), quoteOr(name, l.XPMGroupUUID)),
			linkSnap{LocalGroupID: g.ID, XPMGroupUUID: l.XPMGroupUUID, XPMGroupName: name, TenantID: l.TenantID, HadBase: l.HasBase}, nil)
	})
	if err != nil {
		return UnlinkResult{}, err
	}
	s.log.Info("xpm group unlinked", "group", localGroupID, "xpmGroup", res.XPMGroupUUID)
	s.emit(true)
	return res, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Suggestions are the local groups an XPM group could be linked to.
type Suggestions struct {
	XPMGroupUUID string `json:"xpmGroupUuid"`
	XPMGroupName string `json:"xpmGroupName"`
	// Best is the suggested group (null when no name is close enough, or
	// two are equally close).
	Best *Scored `json:"best,omitempty"`
	// Candidates are every local group without a link, best match first.
	Candidates []Scored `json:"candidates"`
}

// SuggestLocalGroup ranks the unlinked local groups by how close their name
// is to the XPM group's and suggests the best one. It makes no XPM call.
func (s *Service) SuggestLocalGroup(ctx context.Context, uuid string) (Suggestions, error) {
	var out Suggestions
	err := s.st.View(ctx, func(tx *store.Tx) error {
		g, ok, err := tx.XPMGroupAnyTenant(ctx, strings.TrimSpace(uuid))
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.CodeNotFound, "This XPM group is not in the list any more.", "Refresh the list and choose again.")
		}
		refs, err := tx.UnlinkedGroups(ctx)
		if err != nil {
			return err
		}
		cands := make([]Candidate, len(refs))
		for i, r := range refs {
			cands[i] = Candidate{ID: r.ID, Name: r.Name, EntityCount: r.EntityCount}
		}
		ranked := Rank(g.Name, cands)
		out = Suggestions{XPMGroupUUID: g.UUID, XPMGroupName: g.Name, Best: Best(ranked), Candidates: ranked}
		return nil
	})
	return out, err
}
