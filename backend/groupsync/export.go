package groupsync

import (
	"context"
	"fmt"

	"structura/backend/apperr"
	"structura/backend/store"
	"structura/backend/xpm"
)

// ExportMember is a member of a local group and whether it exists in XPM.
type ExportMember struct {
	EntityID int64  `json:"entityId"`
	Name     string `json:"name"`
	// XPMClientUUID is the XPM client the entity is linked to in the
	// connected practice ("" when it does not exist in XPM yet).
	XPMClientUUID string `json:"xpmClientUuid"`
	InXPM         bool   `json:"inXpm"`
}

// ExportPreview says what exporting a local group to XPM would do.
type ExportPreview struct {
	LocalGroupID   int64          `json:"localGroupId"`
	LocalGroupName string         `json:"localGroupName"`
	Members        []ExportMember `json:"members"`
	// FirstMember is the client XPM creates the group with (XPM needs one).
	FirstMember *ExportMember `json:"firstMember,omitempty"`
	// InXPMCount members exist in XPM and will be in the new group; the
	// others are added by a push later.
	InXPMCount int `json:"inXpmCount"`
	// AlreadyLinked is set when the group is linked to an XPM group.
	AlreadyLinked bool `json:"alreadyLinked"`
	CanExport     bool `json:"canExport"`
	// Reason and Hint explain why CanExport is false.
	Reason string `json:"reason,omitempty"`
	Hint   string `json:"hint,omitempty"`
	// SameName are XPM groups of the last discovery with the same name:
	// linking to one of them is probably what is wanted.
	SameName []XPMGroupRow `json:"sameName"`
}

// ExportGroupPreview describes what ExportGroupToXPM would do, from local
// data and the last discovery (no XPM call).
func (s *Service) ExportGroupPreview(ctx context.Context, localGroupID int64) (ExportPreview, error) {
	tenant := s.x.Status(ctx).Tenant
	var p ExportPreview
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		p, err = s.exportPreview(ctx, tx, tenant, localGroupID)
		return err
	})
	return p, err
}

func (s *Service) exportPreview(ctx context.Context, tx *store.Tx, tenant Tenant, localGroupID int64) (ExportPreview, error) {
	p := ExportPreview{LocalGroupID: localGroupID, Members: []ExportMember{}, SameName: []XPMGroupRow{}}
	g, err := tx.Group(ctx, localGroupID)
	if err != nil {
		return p, err
	}
	p.LocalGroupName = g.Name
	if l, ok, err := tx.GroupLinkByGroup(ctx, localGroupID); err != nil {
		return p, err
	} else if ok {
		name, err := xpmName(ctx, tx, l.XPMGroupUUID)
		if err != nil {
			return p, err
		}
		p.AlreadyLinked = true
		p.Reason = fmt.Sprintf("%s is already linked to the XPM group %s.", q(g.Name), quoteOr(name, "it was linked to"))
		p.Hint = "There is nothing to export: a linked group is kept in step by pull and push."
		return p, nil
	}
	members, err := tx.GroupMembers(ctx, localGroupID)
	if err != nil {
		return p, err
	}
	links, err := tx.GroupMemberLinks(ctx, localGroupID)
	if err != nil {
		return p, err
	}
	byEntity := map[int64]store.MemberLink{}
	for _, l := range links {
		byEntity[l.EntityID] = l
	}
	for _, e := range members {
		m := ExportMember{EntityID: e.ID, Name: e.DisplayName}
		if l := byEntity[e.ID]; l.XPMClientUUID != "" && tenant.ID != "" && l.TenantID == tenant.ID {
			m.XPMClientUUID, m.InXPM = l.XPMClientUUID, true
			p.InXPMCount++
		}
		p.Members = append(p.Members, m)
	}
	for i := range p.Members {
		if p.Members[i].InXPM {
			first := p.Members[i]
			p.FirstMember = &first
			break
		}
	}
	if tenant.ID != "" {
		rows, err := s.rows(ctx, tx, tenant.ID)
		if err != nil {
			return p, err
		}
		want := normalName(g.Name)
		for _, r := range rows {
			if !r.DeletedInXPM && normalName(r.Name) == want {
				p.SameName = append(p.SameName, r)
			}
		}
	}
	switch {
	case len(members) == 0:
		p.Reason = fmt.Sprintf("%s has no members yet.", q(g.Name))
		p.Hint = "XPM creates a client group together with its first client. Add the group's entities first."
	case p.FirstMember == nil:
		p.Reason = fmt.Sprintf("None of the members of %s exists in XPM yet.", q(g.Name))
		p.Hint = "XPM creates a client group together with its first client, so the group can only be exported once one of its entities is in XPM. " +
			"Creating the clients in XPM will be offered as part of a push; until then the group stays local."
	default:
		p.CanExport = true
	}
	return p, nil
}

// ExportResult is what ExportGroupToXPM did.
type ExportResult struct {
	LocalGroupID   int64       `json:"localGroupId"`
	LocalGroupName string      `json:"localGroupName"`
	XPMGroup       XPMGroupRow `json:"xpmGroup"`
	// MembersAdded counts the members now in the XPM group (the first one
	// included).
	MembersAdded int `json:"membersAdded"`
	// MembersNotInXPM names the members that do not exist in XPM yet (a
	// push adds them later).
	MembersNotInXPM []string `json:"membersNotInXpm"`
	// Warning is set when the group was created and linked but not every
	// member could be added.
	Warning string `json:"warning,omitempty"`
	Message string `json:"message"`
}

// ExportGroupToXPM creates an XPM client group from a local group that has
// no link: with its first member that exists in XPM (XPM needs one), then
// the other members that exist in XPM; then links the two. It refuses when
// no member exists in XPM, and when XPM already has a group of the same
// name (a conflict whose Fields carry "xpmGroupUuid" and "xpmGroupName", so
// the UI can offer to link to it instead) unless allowSameName is set.
// The create never duplicates a group on a retry (the xpm client checks).
func (s *Service) ExportGroupToXPM(ctx context.Context, localGroupID int64, allowSameName bool) (ExportResult, error) {
	c, tenant, err := s.clientFor(ctx, true)
	if err != nil {
		return ExportResult{}, err
	}
	var p ExportPreview
	if err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		p, err = s.exportPreview(ctx, tx, tenant, localGroupID)
		return err
	}); err != nil {
		return ExportResult{}, err
	}
	if !p.CanExport {
		code := apperr.CodeValidation
		if p.AlreadyLinked {
			code = apperr.CodeConflict
		}
		return ExportResult{}, apperr.New(code, p.Reason, p.Hint)
	}
	// The cache may be old: ask XPM for groups of the same name (one call).
	groups, err := c.Groups.List(ctx)
	s.observe(tenant.ID, err)
	if err != nil {
		return ExportResult{}, xpm.UserError(err)
	}
	if !allowSameName {
		want := normalName(p.LocalGroupName)
		for _, g := range groups {
			if normalName(xpm.Value(g.Name)) == want {
				e := apperr.New(apperr.CodeConflict,
					fmt.Sprintf("XPM already has a client group called %s.", q(xpm.Value(g.Name))),
					"Link to the existing XPM group instead, or export anyway to create a second group with the same name.")
				e.Fields = map[string]string{"xpmGroupUuid": xpm.Value(g.UUID), "xpmGroupName": xpm.Value(g.Name)}
				return ExportResult{}, e
			}
		}
	}

	gd, err := c.Groups.Add(ctx, &xpm.GroupAddRequest{ClientUUID: xpm.Ptr(p.FirstMember.XPMClientUUID),
		Name: xpm.Ptr(p.LocalGroupName), Taxable: xpm.BoolOf(false)})
	s.observe(tenant.ID, err)
	if err != nil {
		return ExportResult{}, xpm.UserError(err)
	}
	uuid := xpm.Value(gd.UUID)
	res := ExportResult{LocalGroupID: p.LocalGroupID, LocalGroupName: p.LocalGroupName, MembersNotInXPM: []string{}}
	// Link at once: the XPM group exists now, whatever happens next.
	var lr LinkResult
	if err := s.st.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		var err error
		lr, err = s.linkTx(context.WithoutCancel(ctx), tx, tenant, gd, p.LocalGroupID, nil)
		return err
	}); err != nil {
		pub := apperr.Public(err)
		return ExportResult{}, apperr.Wrap(err, apperr.CodeConflict,
			fmt.Sprintf("The group %s was created in XPM, but Structura could not link it: %s", q(p.LocalGroupName), pub.Message),
			"Refresh the list, then link the new XPM group to the local group.")
	}
	s.emit(true)
	s.log.Info("local group exported to xpm", "group", p.LocalGroupID, "xpmGroup", uuid)

	var more []string
	for _, m := range p.Members {
		switch {
		case !m.InXPM:
			res.MembersNotInXPM = append(res.MembersNotInXPM, m.Name)
		case m.XPMClientUUID != p.FirstMember.XPMClientUUID:
			more = append(more, m.XPMClientUUID)
		}
	}
	res.XPMGroup = lr.XPMGroup
	res.MembersAdded = len(gd.Clients)
	if len(more) > 0 {
		full, err := c.Groups.AddMembers(ctx, uuid, more...)
		s.observe(tenant.ID, err)
		if err != nil {
			pub := apperr.Public(xpm.UserError(err))
			res.Warning = fmt.Sprintf("The group was created in XPM with %s and linked, but adding its other %d %s failed: %s They will be added by the next push.",
				p.FirstMember.Name, len(more), plural(len(more), "member", "members"), pub.Message)
		} else {
			res.MembersAdded = len(full.Clients)
			_ = s.st.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
				g, err := s.putFromDetail(context.WithoutCancel(ctx), tx, tenant, full)
				res.XPMGroup = rowOf(g)
				res.XPMGroup.Link = lr.XPMGroup.Link
				return err
			})
			s.emit(false)
		}
	}
	res.Message = fmt.Sprintf("Created the client group %s in XPM with %d %s and linked it.",
		q(p.LocalGroupName), res.MembersAdded, plural(res.MembersAdded, "member", "members"))
	if n := len(res.MembersNotInXPM); n > 0 {
		res.Message += fmt.Sprintf(" %d %s not in XPM yet and will be added by a push.", n, plural(n, "member is", "members are"))
	}
	return res, nil
}
