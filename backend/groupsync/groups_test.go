package groupsync

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"structura/backend/apperr"
	"structura/backend/jobs"
	"structura/backend/model"
	"structura/backend/sandbox"
	"structura/backend/store"
)

// Acceptance 1, first half: discovery on connect lists the demo practice's
// groups with their member counts; a refresh picks up a group added in XPM
// and marks one deleted there.
func TestDiscoveryOnConnectAndRefresh(t *testing.T) {
	h := newHarness(t, "demo")

	h.x.set(StateNotConnected)
	before := h.list(Filter{})
	if before.DiscoveredAt != nil || len(before.Groups) != 0 || before.Connection.State != StateNotConnected || !before.Connection.ReadOnly || before.Refreshing != nil {
		t.Fatalf("before connecting: %+v", before)
	}
	h.x.set(StateConnected)
	done := h.discover() // the connection calls OnConnected
	var res DiscoveryResult
	b, _ := json.Marshal(done.Summary)
	json.Unmarshal(b, &res)

	want, err := h.sb.Groups(demoTenant)
	if err != nil {
		t.Fatal(err)
	}
	l := h.list(Filter{})
	if l.DiscoveredAt == nil || !l.DiscoveredAt.Equal(res.DiscoveredAt) || l.Connection.Tenant.Name != "Harbourside Accounting" {
		t.Fatalf("after discovery: discoveredAt %v (job says %v), tenant %+v", l.DiscoveredAt, res.DiscoveredAt, l.Connection.Tenant)
	}
	if len(l.Groups) != len(want) || len(want) != 10 || res.Groups != 10 || len(res.Changes.Added) != 10 {
		t.Fatalf("listed %d groups, sandbox has %d; result %+v", len(l.Groups), len(want), res)
	}
	for _, g := range want {
		r := h.row(g.Name)
		if r.UUID != g.UUID || r.MemberCount == nil || *r.MemberCount != len(g.Members) || r.DeletedInXPM || r.Link != nil {
			t.Errorf("group %s: row %+v, want %d members", g.Name, r, len(g.Members))
		}
	}
	// The cheapest calls: one group list and one detailed client list.
	if got := h.calls("clientgroup.api/list") + h.calls("client.api/list"); got != 2 || res.Calls != 2 || h.calls("clientgroup.api/get") != 0 {
		t.Fatalf("discovery made %d list calls (result says %d), %d gets", got, res.Calls, h.calls("clientgroup.api/get"))
	}
	if res.Clients == 0 || res.Bytes == 0 {
		t.Fatalf("result %+v", res)
	}
	if n := len(h.rec.Named(EventChanged)); n == 0 {
		t.Fatal("no xpmgroups:changed event")
	}

	// In XPM: a new group, a deleted one, a renamed one.
	members := h.sandboxGroup("Chen Family Group").Members
	added, err := h.sb.PutGroup(demoTenant, sandbox.Group{Name: "Lee Family Group", Members: members[:2]})
	if err != nil {
		t.Fatal(err)
	}
	gone := h.sandboxGroup("Papadopoulos Group")
	if err := h.sb.DeleteGroup(demoTenant, gone.UUID); err != nil {
		t.Fatal(err)
	}
	h.clk.Advance(0) // discoveries at distinct times
	refresh := h.wait(h.svc.RefreshXPMGroups(h.ctx))
	if refresh.State != jobs.StateSucceeded {
		t.Fatalf("refresh %+v", refresh)
	}
	b, _ = json.Marshal(refresh.Summary)
	var res2 DiscoveryResult
	json.Unmarshal(b, &res2)
	if strings.Join(res2.Changes.Added, ",") != "Lee Family Group" || strings.Join(res2.Changes.Deleted, ",") != "Papadopoulos Group" {
		t.Fatalf("changes %+v", res2.Changes)
	}
	l2 := h.list(Filter{})
	if len(l2.Groups) != 11 || !l2.DiscoveredAt.After(*l.DiscoveredAt) {
		t.Fatalf("after refresh: %d groups, discovered %v (was %v)", len(l2.Groups), l2.DiscoveredAt, l.DiscoveredAt)
	}
	if r := h.row("Lee Family Group"); r.UUID != added.UUID || *r.MemberCount != 2 || r.DeletedInXPM {
		t.Fatalf("new group row %+v", r)
	}
	if r := h.row("Papadopoulos Group"); !r.DeletedInXPM || r.DeletedAt == nil || *r.MemberCount != len(gone.Members) {
		t.Fatalf("deleted group row %+v", r)
	}
	if c := l2.Counts; c.Total != 11 || c.Deleted != 1 || c.Unlinked != 10 || c.Linked != 0 {
		t.Fatalf("counts %+v", c)
	}
	if d := h.list(Filter{Status: "deleted"}).Groups; len(d) != 1 || d[0].UUID != gone.UUID {
		t.Fatalf("deleted filter: %+v", d)
	}
	if h.rateLimited() != 0 {
		t.Fatalf("%d answers were 429", h.rateLimited())
	}
}

// Acceptance 1, second half: link as new, link to existing (with the best
// name suggested), 1:1 refused both ways with a clear message, and unlink
// keeps every local row.
func TestLinkNewLinkExistingUnlink(t *testing.T) {
	h := newHarness(t, "demo")
	h.discover()
	nguyen := h.sandboxGroup("Nguyen Family Group")
	chen := h.sandboxGroup("Chen Family Group")
	williams := h.sandboxGroup("Williams Property Group")

	// Link as new: a local group of the same name, linked, nothing pulled.
	gets := h.calls("clientgroup.api/get")
	res, err := h.svc.LinkXPMGroupAsNew(h.ctx, nguyen.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.LocalGroup.Name != "Nguyen Family Group" || res.LocalGroup.ID == 0 ||
		!strings.Contains(res.Message, "Pull now") || h.calls("clientgroup.api/get") != gets+1 {
		t.Fatalf("link as new: %+v", res)
	}
	r := h.row("Nguyen Family Group")
	if r.Link == nil || r.Link.LocalGroupID == nil || *r.Link.LocalGroupID != res.LocalGroup.ID || r.Link.LastPulledAt != nil {
		t.Fatalf("row after link: %+v", r)
	}
	d, err := h.local.GetGroup(h.ctx, res.LocalGroup.ID)
	if err != nil || !d.Linked || len(d.Entities) != 0 {
		t.Fatalf("linking must not pull: %+v %v", d, err)
	}
	jr, _ := h.local.Journal(h.ctx, 10)
	if len(jr) < 2 || jr[0].Action != ActionLink || jr[0].ObjectType != ObjectGroupLink || jr[0].ObjectID != res.LocalGroup.ID ||
		jr[1].Action != model.ActionCreate || jr[1].ObjectType != model.ObjectGroup || jr[0].Source != model.SourceSync {
		t.Fatalf("journal %+v", jr[:2])
	}

	// Link to existing: local data first (a group with members and a
	// relationship), the suggestion picks it among unlinked groups.
	chenLocal := h.group("Chen Family")
	smith := h.group("Smith Family")
	wei := h.entity(chenLocal.ID, model.EntityInput{Kind: model.KindIndividual, GivenName: "Wei", FamilyName: "Chen"})
	co := h.entity(chenLocal.ID, model.EntityInput{Kind: model.KindCompany, LegalName: "Chen Investments Pty Ltd"})
	if _, err := h.local.CreateRelationship(h.ctx, model.RelationshipInput{FromID: wei.ID, ToID: co.ID, Type: "director"}); err != nil {
		t.Fatal(err)
	}
	h.entity(smith.ID, model.EntityInput{Kind: model.KindIndividual, GivenName: "John", FamilyName: "Smith"})

	sug, err := h.svc.SuggestLocalGroup(h.ctx, chen.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if sug.Best == nil || sug.Best.ID != chenLocal.ID || len(sug.Candidates) != 2 || sug.XPMGroupName != "Chen Family Group" {
		t.Fatalf("suggestions %+v", sug)
	}
	for _, c := range sug.Candidates {
		if c.ID == res.LocalGroup.ID {
			t.Fatal("a linked group was offered")
		}
	}
	res2, err := h.svc.LinkXPMGroupToExisting(h.ctx, chen.UUID, chenLocal.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Created || res2.LocalGroup.ID != chenLocal.ID || h.row("Chen Family Group").Link.LocalGroupName != "Chen Family" {
		t.Fatalf("link existing: %+v", res2)
	}
	// Linking the same pair again changes nothing.
	again, err := h.svc.LinkXPMGroupToExisting(h.ctx, chen.UUID, chenLocal.ID)
	if err != nil || !again.AlreadyLinked {
		t.Fatalf("again: %+v %v", again, err)
	}

	// 1:1, refused both ways, naming the other side; nothing written.
	snapshot := dump(t, h.dbPath, "group_link", "entity_group", "journal")
	err = func() error { _, err := h.svc.LinkXPMGroupToExisting(h.ctx, chen.UUID, smith.ID); return err }()
	wantCode(t, err, apperr.CodeConflict, "‘Chen Family Group’ is already linked to the local group ‘Chen Family’", "Unlink it")
	err = func() error { _, err := h.svc.LinkXPMGroupToExisting(h.ctx, williams.UUID, chenLocal.ID); return err }()
	wantCode(t, err, apperr.CodeConflict, "‘Chen Family’ is already linked to the XPM group ‘Chen Family Group’", "Unlink it first")
	err = func() error { _, err := h.svc.LinkXPMGroupAsNew(h.ctx, chen.UUID); return err }()
	wantCode(t, err, apperr.CodeConflict, "already linked to the local group ‘Chen Family’")
	if after := dump(t, h.dbPath, "group_link", "entity_group", "journal"); !equalDumps(snapshot, after) {
		t.Fatal("a refused link changed the database")
	}
	// The rule is SQLite's too: both UNIQUE constraints refuse a second link.
	err = h.st.WithTx(h.ctx, func(tx *store.Tx) error {
		_, err := tx.InsertGroupLink(h.ctx, smith.ID, chen.UUID, demoTenant, start)
		return err
	})
	if !store.IsUniqueViolation(err) {
		t.Fatalf("second link of an XPM group: %v", err)
	}
	err = h.st.WithTx(h.ctx, func(tx *store.Tx) error {
		_, err := tx.InsertGroupLink(h.ctx, chenLocal.ID, williams.UUID, demoTenant, start)
		return err
	})
	if !store.IsUniqueViolation(err) {
		t.Fatalf("second link of a local group: %v", err)
	}

	// Unlink: a base snapshot was recorded (as a pull will); unlinking
	// removes the link row with it and nothing else, row by row.
	execSQL(t, h.dbPath, `UPDATE group_link SET base_json = '{"members":["x"]}', base_at = ?, last_pulled_at = ? WHERE group_id = ?`,
		start.Format("2006-01-02T15:04:05Z"), start.Format("2006-01-02T15:04:05Z"), chenLocal.ID)
	if r := h.row("Chen Family Group"); r.Link.LastPulledAt == nil {
		t.Fatalf("last pulled not shown: %+v", r.Link)
	}
	tables := []string{"entity_group", "entity", "group_member", "relationship", "entity_link", "relationship_link", "xpm_group"}
	before := dump(t, h.dbPath, tables...)
	links := dump(t, h.dbPath, "group_link")["group_link"]
	prev, err := h.svc.UnlinkPreview(h.ctx, chenLocal.ID)
	if err != nil || prev.EntityCount != 2 || prev.RelationshipCount != 1 || !prev.HasBase || prev.XPMGroupName != "Chen Family Group" ||
		!strings.Contains(prev.Message, "keeps ‘Chen Family’ with its 2 entities and 1 relationship") {
		t.Fatalf("unlink preview %+v %v", prev, err)
	}
	un, err := h.svc.UnlinkGroup(h.ctx, chenLocal.ID)
	if err != nil || un.XPMGroupName != "Chen Family Group" {
		t.Fatalf("unlink %+v %v", un, err)
	}
	after := dump(t, h.dbPath, tables...)
	for _, tab := range tables {
		if strings.Join(before[tab], "\n") != strings.Join(after[tab], "\n") {
			t.Errorf("unlink changed %s:\nbefore %v\nafter  %v", tab, before[tab], after[tab])
		}
		if tab != "relationship_link" && tab != "entity_link" && len(after[tab]) == 0 {
			t.Errorf("%s is empty: the comparison proves nothing", tab)
		}
	}
	linksAfter := dump(t, h.dbPath, "group_link")["group_link"]
	if len(linksAfter) != len(links)-1 || countRows(t, h.dbPath, `SELECT count(*) FROM group_link WHERE base_json IS NOT NULL`) != 0 {
		t.Fatalf("links before %v\nafter %v", links, linksAfter)
	}
	for _, l := range linksAfter {
		if !strings.Contains(l, nguyen.UUID) {
			t.Fatalf("the wrong link went: %v", linksAfter)
		}
	}
	if r := h.row("Chen Family Group"); r.Link != nil {
		t.Fatalf("still linked: %+v", r)
	}
	jr, _ = h.local.Journal(h.ctx, 1)
	if jr[0].Action != ActionUnlink || !strings.Contains(jr[0].Before, `"hadBaseSnapshot":true`) {
		t.Fatalf("journal %+v", jr[0])
	}
	err = func() error { _, err := h.svc.UnlinkGroup(h.ctx, chenLocal.ID); return err }()
	wantCode(t, err, apperr.CodeValidation, "not linked")
	// Now free, the local group links to another XPM group.
	if _, err := h.svc.LinkXPMGroupToExisting(h.ctx, williams.UUID, chenLocal.ID); err != nil {
		t.Fatal(err)
	}
	if h.rateLimited() != 0 {
		t.Fatalf("%d answers were 429", h.rateLimited())
	}
}

func equalDumps(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\n") != strings.Join(b[k], "\n") {
			return false
		}
	}
	return true
}

// A group deleted in XPM since the last refresh is not linked: it is
// marked deleted instead, and nothing local is created.
func TestLinkRefusedWhenDeletedInXPM(t *testing.T) {
	h := newHarness(t, "demo")
	h.discover()
	g := h.sandboxGroup("Smith Family (Ballarat)")
	if err := h.sb.DeleteGroup(demoTenant, g.UUID); err != nil {
		t.Fatal(err)
	}
	_, err := h.svc.LinkXPMGroupAsNew(h.ctx, g.UUID)
	wantCode(t, err, apperr.CodeNotFound, "no longer exists", "marked as deleted")
	if r := h.row(g.Name); !r.DeletedInXPM || r.Link != nil {
		t.Fatalf("row %+v", r)
	}
	if n := countRows(t, h.dbPath, `SELECT count(*) FROM entity_group`); n != 0 {
		t.Fatalf("%d local groups created", n)
	}
}

// Linking a group whose earlier local group was deleted clears the
// tombstone link first (docs/adr/0005).
func TestLinkClearsTombstone(t *testing.T) {
	h := newHarness(t, "demo")
	h.discover()
	g := h.sandboxGroup("Chen Family Group")
	res, err := h.svc.LinkXPMGroupAsNew(h.ctx, g.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.local.DeleteGroup(h.ctx, res.LocalGroup.ID, false); err != nil {
		t.Fatal(err)
	}
	if r := h.row(g.Name); r.Link == nil || r.Link.LocalGroupID != nil {
		t.Fatalf("tombstone not shown: %+v", r.Link)
	}
	res2, err := h.svc.LinkXPMGroupAsNew(h.ctx, g.UUID)
	if err != nil || !res2.Created || res2.LocalGroup.Name != "Chen Family Group" {
		t.Fatalf("relink %+v %v", res2, err)
	}
	if n := countRows(t, h.dbPath, `SELECT count(*) FROM group_link WHERE xpm_group_uuid = ? AND group_id = ?`, g.UUID, res2.LocalGroup.ID); n != 1 {
		t.Fatalf("%d live links", n)
	}
	if n := countRows(t, h.dbPath, `SELECT count(*) FROM group_link`); n != 1 {
		t.Fatalf("%d links: the tombstone was not cleared", n)
	}
}

// Opening the screen on a connected practice that was never discovered
// (or was connected again since) starts a discovery by itself.
func TestListStartsDiscoveryWhenNeeded(t *testing.T) {
	h := newHarness(t, "demo")
	l := h.list(Filter{})
	if l.Refreshing == nil || l.DiscoveredAt != nil {
		t.Fatalf("no automatic discovery: %+v", l)
	}
	if done := h.wait(*l.Refreshing, nil); done.State != jobs.StateSucceeded {
		t.Fatalf("%+v", done)
	}
	l = h.list(Filter{})
	if l.Refreshing != nil || len(l.Groups) != 10 {
		t.Fatalf("after: refreshing %+v, %d groups", l.Refreshing, len(l.Groups))
	}
	if n := h.calls("clientgroup.api/list"); n != 1 {
		t.Fatalf("%d discoveries", n)
	}
	// Connected again later: discovered again.
	h.x.mu.Lock()
	h.x.connectedAt = h.clk.Now().Add(time.Second)
	h.x.mu.Unlock()
	h.clk.Advance(2 * time.Second)
	l = h.list(Filter{})
	if l.Refreshing == nil {
		t.Fatal("no discovery after a reconnect")
	}
	h.wait(*l.Refreshing, nil)
	if n := h.calls("clientgroup.api/list"); n != 2 {
		t.Fatalf("%d discoveries", n)
	}
}
