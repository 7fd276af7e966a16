package groupsync

import (
	"sort"
	"strings"
	"testing"

	"structura/backend/apperr"
	"structura/backend/model"
	"structura/backend/sandbox"
	"structura/backend/store"
)

// linkEntity links a local entity to an XPM client of a practice, as a pull
// will.
func (h *harness) linkEntity(entityID int64, clientUUID, tenantID string) {
	h.t.Helper()
	if err := h.st.WithTx(h.ctx, func(tx *store.Tx) error {
		_, err := tx.InsertEntityLink(h.ctx, entityID, clientUUID, tenantID, start)
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) sandboxClients() []sandbox.Client {
	cs, err := h.sb.Clients(demoTenant)
	if err != nil {
		h.t.Fatal(err)
	}
	return cs
}

// Export a local group to XPM: created with its first member that exists
// in XPM, the other such members added, then linked; members not in XPM
// are named for a later push.
func TestExportLocalGroup(t *testing.T) {
	h := newHarness(t, "demo")
	h.discover()
	cs := h.sandboxClients()
	g := h.group("Lee Family")
	anna := h.entity(g.ID, model.EntityInput{Kind: model.KindIndividual, GivenName: "Anna", FamilyName: "Lee"})
	ben := h.entity(g.ID, model.EntityInput{Kind: model.KindIndividual, GivenName: "Ben", FamilyName: "Lee"})
	h.entity(g.ID, model.EntityInput{Kind: model.KindCompany, LegalName: "Lee Holdings Pty Ltd"})
	other := h.entity(g.ID, model.EntityInput{Kind: model.KindIndividual, GivenName: "Cara", FamilyName: "Lee"})
	h.linkEntity(ben.ID, cs[0].UUID, demoTenant)
	h.linkEntity(anna.ID, cs[1].UUID, demoTenant)
	h.linkEntity(other.ID, cs[2].UUID, sandbox.SecondPracticeID) // another practice's client: not in this XPM

	p, err := h.svc.ExportGroupPreview(h.ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !p.CanExport || p.InXPMCount != 2 || p.FirstMember == nil || p.FirstMember.EntityID != anna.ID || len(p.Members) != 4 || len(p.SameName) != 0 {
		t.Fatalf("preview %+v", p)
	}
	lists, adds, members := h.calls("clientgroup.api/list"), h.calls("clientgroup.api/add"), h.calls("clientgroup.api/members")
	res, err := h.svc.ExportGroupToXPM(h.ctx, g.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if h.calls("clientgroup.api/list") != lists+1 || h.calls("clientgroup.api/add") != adds+1 || h.calls("clientgroup.api/members") != members+1 {
		t.Fatal("export calls: want one list, one add, one members")
	}
	created := h.sandboxGroup("Lee Family")
	got := append([]string(nil), created.Members...)
	sort.Strings(got)
	want := []string{cs[0].UUID, cs[1].UUID}
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("XPM group members %v, want %v", got, want)
	}
	if res.MembersAdded != 2 || len(res.MembersNotInXPM) != 2 || res.Warning != "" || res.XPMGroup.UUID != created.UUID ||
		res.XPMGroup.Link == nil || *res.XPMGroup.MemberCount != 2 {
		t.Fatalf("result %+v", res)
	}
	r := h.row("Lee Family")
	if r.Link == nil || *r.Link.LocalGroupID != g.ID || *r.MemberCount != 2 {
		t.Fatalf("row %+v", r)
	}
	// Linked now: a second export is refused.
	_, err = h.svc.ExportGroupToXPM(h.ctx, g.ID, false)
	wantCode(t, err, apperr.CodeConflict, "already linked")
	if n := len(h.sbGroupsNamed("Lee Family")); n != 1 {
		t.Fatalf("%d XPM groups called Lee Family", n)
	}
	if h.rateLimited() != 0 {
		t.Fatal("429")
	}
}

func (h *harness) sbGroupsNamed(name string) []sandbox.Group {
	gs, _ := h.sb.Groups(demoTenant)
	var out []sandbox.Group
	for _, g := range gs {
		if g.Name == name {
			out = append(out, g)
		}
	}
	return out
}

// XPM needs a first member: a group none of whose members exists in XPM is
// refused with the explanation, and nothing is sent.
func TestExportNeedsAMemberInXPM(t *testing.T) {
	h := newHarness(t, "demo")
	h.discover()
	empty := h.group("Empty Group")
	local := h.group("Local Only")
	h.entity(local.ID, model.EntityInput{Kind: model.KindIndividual, GivenName: "Dee", FamilyName: "Local"})
	adds := h.calls("clientgroup.api/add")

	p, err := h.svc.ExportGroupPreview(h.ctx, local.ID)
	if err != nil || p.CanExport || p.FirstMember != nil || !strings.Contains(p.Reason, "None of the members") || !strings.Contains(p.Hint, "push") {
		t.Fatalf("preview %+v %v", p, err)
	}
	_, err = h.svc.ExportGroupToXPM(h.ctx, local.ID, false)
	wantCode(t, err, apperr.CodeValidation, "None of the members of ‘Local Only’ exists in XPM yet", "first client", "push")
	_, err = h.svc.ExportGroupToXPM(h.ctx, empty.ID, true)
	wantCode(t, err, apperr.CodeValidation, "no members")
	if h.calls("clientgroup.api/add") != adds {
		t.Fatal("an add was sent")
	}
}

// A group of the same name in XPM: refused with a conflict naming it (so
// the UI can offer to link to it instead), unless the user insists.
func TestExportSameNameAsks(t *testing.T) {
	h := newHarness(t, "demo")
	h.discover()
	chen := h.sandboxGroup("Chen Family Group")
	g := h.group("chen family group")
	e := h.entity(g.ID, model.EntityInput{Kind: model.KindIndividual, GivenName: "Wei", FamilyName: "Chen"})
	h.linkEntity(e.ID, chen.Members[0], demoTenant)

	p, _ := h.svc.ExportGroupPreview(h.ctx, g.ID)
	if !p.CanExport || len(p.SameName) != 1 || p.SameName[0].UUID != chen.UUID {
		t.Fatalf("preview %+v", p)
	}
	adds := h.calls("clientgroup.api/add")
	_, err := h.svc.ExportGroupToXPM(h.ctx, g.ID, false)
	ae := wantCode(t, err, apperr.CodeConflict, "XPM already has a client group called ‘Chen Family Group’", "Link to the existing XPM group instead")
	if ae.Fields["xpmGroupUuid"] != chen.UUID || h.calls("clientgroup.api/add") != adds {
		t.Fatalf("fields %v", ae.Fields)
	}
	// The suggested way out: link to it.
	if _, err := h.svc.LinkXPMGroupToExisting(h.ctx, chen.UUID, g.ID); err != nil {
		t.Fatal(err)
	}
	// Or, for another local group, insist on a second group of that name.
	g2 := h.group("Chen Family Group")
	e2 := h.entity(g2.ID, model.EntityInput{Kind: model.KindIndividual, GivenName: "Mei", FamilyName: "Chen"})
	h.linkEntity(e2.ID, chen.Members[1], demoTenant)
	res, err := h.svc.ExportGroupToXPM(h.ctx, g2.ID, true)
	if err != nil || res.XPMGroup.UUID == chen.UUID || len(h.sbGroupsNamed("Chen Family Group")) != 2 {
		t.Fatalf("export anyway: %+v %v", res, err)
	}
}
