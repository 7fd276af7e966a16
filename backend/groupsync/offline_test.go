package groupsync

import (
	"testing"

	"structura/backend/apperr"
	"structura/backend/jobs"
)

// Acceptance 4: after a restart with XPM unreachable, the screen lists the
// cached discovery with its timestamp at once; the first call that fails
// turns it read-only with what to do; linking is refused, unlinking (local
// only) still works.
func TestRestartOfflineShowsCachedDiscovery(t *testing.T) {
	h := newHarness(t, "demo")
	h.discover()
	nguyen := h.sandboxGroup("Nguyen Family Group")
	res, err := h.svc.LinkXPMGroupAsNew(h.ctx, nguyen.UUID)
	if err != nil {
		t.Fatal(err)
	}
	online := h.list(Filter{})

	h.close()    // quit Structura
	h.sb.Close() // and XPM is gone: nothing listens on its port any more
	h.open()     // start again, offline

	calls := h.count.calls.Load()
	l := h.list(Filter{})
	if h.count.calls.Load() != calls {
		t.Fatal("listing called XPM")
	}
	if l.DiscoveredAt == nil || !l.DiscoveredAt.Equal(*online.DiscoveredAt) || len(l.Groups) != 10 || l.Counts != online.Counts {
		t.Fatalf("cached list after restart: discovered %v (was %v), %d groups, counts %+v", l.DiscoveredAt, online.DiscoveredAt, len(l.Groups), l.Counts)
	}
	for i := range l.Groups {
		if l.Groups[i].UUID != online.Groups[i].UUID || *l.Groups[i].MemberCount != *online.Groups[i].MemberCount {
			t.Fatalf("row %d: %+v, was %+v", i, l.Groups[i], online.Groups[i])
		}
	}
	if r := h.row("Nguyen Family Group"); r.Link == nil || *r.Link.LocalGroupID != res.LocalGroup.ID {
		t.Fatalf("link lost: %+v", r)
	}
	if l.Connection.Tenant.Name != "Harbourside Accounting" {
		t.Fatalf("tenant %+v", l.Connection.Tenant)
	}

	// A refresh cannot reach XPM: the job fails with what to do, and the
	// screen turns read-only, still showing the cache and its time.
	done := h.wait(h.svc.RefreshXPMGroups(h.ctx))
	if done.State != jobs.StateFailed || done.Error == nil || done.Error.Code != apperr.CodeUnavailable || !done.Resumable {
		t.Fatalf("refresh offline: %+v %+v", done, done.Error)
	}
	off := h.list(Filter{})
	if off.Connection.State != StateOffline || !off.Connection.ReadOnly || off.Connection.Message == "" || off.Connection.Hint == "" ||
		off.DiscoveredAt == nil || !off.DiscoveredAt.Equal(*online.DiscoveredAt) || len(off.Groups) != 10 {
		t.Fatalf("offline list: %+v", off.Connection)
	}
	before := dump(t, h.dbPath, "group_link", "entity_group", "xpm_group", "journal")
	_, err = h.svc.LinkXPMGroupAsNew(h.ctx, h.sandboxGroupUUID(online, "Chen Family Group"))
	wantCode(t, err, apperr.CodeUnavailable)
	// Starting a bulk link is allowed (the network may be back); offline,
	// the job stops at its first call without linking anything.
	bulk := h.wait(h.svc.StartBulkLink(h.ctx, []BulkItem{{XPMGroupUUID: h.sandboxGroupUUID(online, "Chen Family Group")}}))
	if bulk.State != jobs.StateFailed || bulk.Error == nil || bulk.Error.Code != apperr.CodeUnavailable || summaryOf(t, bulk).NotDone != 1 {
		t.Fatalf("offline bulk link %+v", bulk)
	}
	if after := dump(t, h.dbPath, "group_link", "entity_group", "xpm_group"); !equalDumps(pick(before, "group_link", "entity_group", "xpm_group"), after) {
		t.Fatal("an offline link changed data")
	}
	if _, err := h.svc.UnlinkGroup(h.ctx, res.LocalGroup.ID); err != nil {
		t.Fatalf("unlink offline: %v", err)
	}

	// The other read-only states, from the connection itself.
	h.x.set(StateReconnect)
	if c := h.list(Filter{}).Connection; c.State != StateReconnect || !c.ReadOnly || c.Hint == "" {
		t.Fatalf("reconnect: %+v", c)
	}
	h.x.set(StateDisconnected)
	if l := h.list(Filter{}); l.Connection.State != StateDisconnected || !l.Connection.ReadOnly || len(l.Groups) != 10 || l.DiscoveredAt == nil {
		t.Fatalf("disconnected: %+v", l.Connection)
	}
	_, err = h.svc.RefreshXPMGroups(h.ctx)
	wantCode(t, err, apperr.CodeAuth)
	// Not connected, no practice named by the connection: the last
	// discovered practice is shown, as disconnected.
	h.x.mu.Lock()
	h.x.tenant, h.x.state = Tenant{}, StateNotConnected
	h.x.mu.Unlock()
	if l := h.list(Filter{}); l.Connection.State != StateDisconnected || !l.Connection.ReadOnly || l.Connection.Tenant.ID != demoTenant ||
		l.Connection.Tenant.Name != "Harbourside Accounting" || len(l.Groups) != 10 {
		t.Fatalf("not connected: %+v, %d groups", l.Connection, len(l.Groups))
	}
}

func (h *harness) sandboxGroupUUID(l GroupList, name string) string {
	for _, r := range l.Groups {
		if r.Name == name {
			return r.UUID
		}
	}
	h.t.Fatalf("no %s", name)
	return ""
}

func pick(d map[string][]string, tables ...string) map[string][]string {
	out := map[string][]string{}
	for _, t := range tables {
		out[t] = d[t]
	}
	return out
}

// Before any discovery and any connection the list is empty and says so.
func TestListBeforeAnything(t *testing.T) {
	h := newHarness(t, "demo")
	h.x.mu.Lock()
	h.x.tenant, h.x.state = Tenant{}, StateNotConnected
	h.x.mu.Unlock()
	l := h.list(Filter{})
	if l.Connection.State != StateNotConnected || !l.Connection.ReadOnly || l.DiscoveredAt != nil || len(l.Groups) != 0 || l.Groups == nil {
		t.Fatalf("%+v", l)
	}
}

// A refusal by the connection itself (here a two-factor lock) is returned
// as it is and does not make the screen "reconnect" or "offline".
func TestConnectionRefusalIsNotAnXPMFailure(t *testing.T) {
	h := newHarness(t, "demo")
	h.discover()
	h.x.mu.Lock()
	h.x.clientErr = apperr.New(apperr.CodeAuth, "Enter your two-factor code to continue.", "")
	h.x.mu.Unlock()
	_, err := h.svc.ExportGroupToXPM(h.ctx, 1, false)
	wantCode(t, err, apperr.CodeAuth, "two-factor code")
	if c := h.list(Filter{}).Connection; c.State != StateConnected || c.ReadOnly {
		t.Fatalf("connection %+v", c)
	}
}
