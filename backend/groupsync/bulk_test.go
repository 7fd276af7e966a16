package groupsync

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"structura/backend/jobs"
	"structura/backend/model"
)

func summaryOf(t *testing.T, info jobs.Info) BulkSummary {
	t.Helper()
	var s BulkSummary
	b, _ := json.Marshal(info.Summary)
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("summary %s: %v", b, err)
	}
	return s
}

func allAsNew(rows []XPMGroupRow) []BulkItem {
	items := make([]BulkItem, len(rows))
	for i, r := range rows {
		items[i] = BulkItem{XPMGroupUUID: r.UUID}
	}
	return items
}

// progressOf returns the job's progress events in order.
func (h *harness) progressOf(id int64) []jobs.Info {
	var out []jobs.Info
	for _, e := range h.rec.Named(jobs.EventProgress) {
		if in := e.Data.(jobs.Info); in.ID == id {
			out = append(out, in)
		}
	}
	return out
}

// checkConsistent checks that every link is whole: its local group exists
// with the XPM group's name, was created and linked with journal entries,
// and no local group exists without a link. It returns the linked uuids.
func (h *harness) checkConsistent() map[string]bool {
	t := h.t
	t.Helper()
	links := countRows(t, h.dbPath, `SELECT count(*) FROM group_link`)
	groups := countRows(t, h.dbPath, `SELECT count(*) FROM entity_group`)
	whole := countRows(t, h.dbPath, `SELECT count(*) FROM group_link l JOIN entity_group g ON g.id = l.group_id
		JOIN xpm_group x ON x.uuid = l.xpm_group_uuid AND x.tenant_id = l.tenant_id WHERE g.name = x.name`)
	created := countRows(t, h.dbPath, `SELECT count(*) FROM journal WHERE action = ? AND object_type = ?`, model.ActionCreate, model.ObjectGroup)
	linked := countRows(t, h.dbPath, `SELECT count(*) FROM journal WHERE action = ? AND object_type = ?`, ActionLink, ObjectGroupLink)
	if links != groups || whole != links || created != links || linked != links {
		t.Fatalf("inconsistent: %d links, %d local groups, %d whole links, %d create and %d link journal entries", links, groups, whole, created, linked)
	}
	out := map[string]bool{}
	for _, r := range h.list(Filter{Status: "linked"}).Groups {
		out[r.UUID] = true
	}
	if len(out) != links {
		t.Fatalf("%d linked rows listed, %d links", len(out), links)
	}
	return out
}

// Acceptance 2: bulk-linking 300 groups of the generated practice with
// Xero's limits on (fake clock) makes no call that is answered 429, is
// paced (about a minute per 59 calls) and reports progress.
func TestBulkLink300Paced(t *testing.T) {
	h := newHarness(t, "generated:1500:300")
	h.discover()
	rows := h.list(Filter{}).Groups
	if len(rows) != 300 {
		t.Fatalf("%d groups discovered", len(rows))
	}
	began := h.clk.Now()
	done := h.wait(h.svc.StartBulkLink(h.ctx, allAsNew(rows)))
	elapsed := h.clk.Now().Sub(began)
	if done.State != jobs.StateSucceeded || done.Title != "Link 300 XPM groups" {
		t.Fatalf("job %+v %+v", done, done.Error)
	}
	s := summaryOf(t, done)
	if s.Requested != 300 || s.Linked != 300 || s.CreatedGroups != 300 || s.NotDone != 0 || s.Calls != 300 || len(s.Problems) != 0 {
		t.Fatalf("summary %+v", s)
	}
	if n := h.rateLimited(); n != 0 {
		t.Fatalf("%d answers were 429", n)
	}
	if n := h.calls("clientgroup.api/get"); n != 300 {
		t.Fatalf("%d group reads, want 300", n)
	}
	// 300 calls at Xero's 60 a minute cannot take less than 5 minutes.
	if elapsed < 5*time.Minute || elapsed > 7*time.Minute {
		t.Fatalf("300 paced calls took %v of (fake) time", elapsed)
	}
	linked := h.checkConsistent()
	if len(linked) != 300 {
		t.Fatalf("%d linked", len(linked))
	}

	evs := h.progressOf(done.ID)
	if len(evs) < 300 {
		t.Fatalf("%d progress events", len(evs))
	}
	last := -1
	var withETA, withCalls int
	for _, e := range evs {
		if e.Done < last || e.Total != 300 && e.Total != 0 {
			t.Fatalf("progress went back or lost its total: %+v after %d", e, last)
		}
		last = e.Done
		if e.ETASeconds > 0 {
			withETA++
		}
		if e.CallsLeftToday != nil {
			withCalls++
		}
	}
	mid := evs[len(evs)/2]
	if withETA < 250 || withCalls < 290 || mid.ETASeconds < 60 || *mid.CallsLeftToday > 5000-150 {
		t.Fatalf("ETA on %d events, calls left on %d; middle event %+v", withETA, withCalls, mid)
	}
	if f := evs[len(evs)-1]; !f.Final || f.State != jobs.StateSucceeded || f.Done != 300 {
		t.Fatalf("final event %+v", f)
	}
	t.Logf("300 groups linked in %v of fake time, %d calls, %d progress events, 0 answers 429; calls left today %d",
		elapsed, s.Calls, len(evs), *evs[len(evs)-2].CallsLeftToday)
}

// Acceptance 2: cancel mid-way leaves a consistent state (each group fully
// linked or untouched), and running the same bulk link again links the
// rest without reading the linked ones again.
func TestBulkLinkCancelMidwayThenRerun(t *testing.T) {
	h := newHarness(t, "generated:1500:300")
	h.discover()
	rows := h.list(Filter{}).Groups
	items := allAsNew(rows)

	var canceled atomic.Bool // not a sync.Once: Cancel itself emits an event
	h.rec.hook(func(name string, data any) {
		if in, ok := data.(jobs.Info); ok && name == jobs.EventProgress && in.Kind == KindLinkGroups && in.Done >= 40 && !in.Final {
			if canceled.CompareAndSwap(false, true) {
				h.runner.Cancel(h.ctx, in.ID)
			}
		}
	})
	done := h.wait(h.svc.StartBulkLink(h.ctx, items))
	h.rec.hook(nil)
	if done.State != jobs.StateCanceled || done.Error != nil {
		t.Fatalf("job %+v", done)
	}
	s := summaryOf(t, done)
	if !s.Canceled || s.Linked < 40 || s.Linked >= 300 || s.Linked+s.NotDone != 300 {
		t.Fatalf("summary %+v", s)
	}
	linked := h.checkConsistent()
	if len(linked) != s.Linked {
		t.Fatalf("%d linked in the database, summary says %d", len(linked), s.Linked)
	}
	for i, it := range items { // the linked ones are the first, in order
		if linked[it.XPMGroupUUID] != (i < s.Linked) {
			t.Fatalf("item %d linked=%v with %d linked", i, linked[it.XPMGroupUUID], s.Linked)
		}
	}
	if n := countRows(t, h.dbPath, `SELECT count(*) FROM xpm_group WHERE deleted_at <> ''`); n != 0 {
		t.Fatalf("%d groups marked deleted", n)
	}

	gets := h.calls("clientgroup.api/get")
	again := h.wait(h.svc.StartBulkLink(h.ctx, items))
	s2 := summaryOf(t, again)
	if again.State != jobs.StateSucceeded || s2.Linked != 300-s.Linked || s2.AlreadyLinked != s.Linked || s2.Calls != 300-s.Linked {
		t.Fatalf("re-run %+v %+v", again, s2)
	}
	if n := h.calls("clientgroup.api/get") - gets; n != 300-s.Linked {
		t.Fatalf("re-run read %d groups, want %d", n, 300-s.Linked)
	}
	if len(h.checkConsistent()) != 300 {
		t.Fatal("not every group linked after the re-run")
	}
	if n := h.rateLimited(); n != 0 {
		t.Fatalf("%d answers were 429", n)
	}
}

// The job survives the app closing mid-way: the next start resumes it
// from its checkpoint (the crash-resume path issue 8 builds on).
func TestBulkLinkResumesAfterRestart(t *testing.T) {
	h := newHarness(t, "generated:300:60")
	h.discover()
	items := allAsNew(h.list(Filter{}).Groups)
	reached := make(chan struct{})
	var once sync.Once
	h.rec.hook(func(name string, data any) {
		if in, ok := data.(jobs.Info); ok && name == jobs.EventProgress && in.Done >= 20 {
			once.Do(func() { close(reached) })
		}
	})
	info, err := h.svc.StartBulkLink(h.ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	<-reached
	h.close() // the app quits while the job runs
	mid := dump(t, h.dbPath, "job")["job"]
	if len(mid) != 2 { // the discovery and the bulk link
		t.Fatalf("jobs %v", mid)
	}

	h.open() // the app starts again: the job resumes by itself
	done, err := h.runner.Wait(h.ctx, info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.State != jobs.StateSucceeded {
		t.Fatalf("resumed job %+v", done)
	}
	s := summaryOf(t, done)
	if s.Linked != 60 || s.NotDone != 0 || s.Calls < 60 || s.Calls > 61 {
		t.Fatalf("summary %+v", s)
	}
	if len(h.checkConsistent()) != 60 {
		t.Fatal("not every group linked")
	}
	if n := h.calls("clientgroup.api/get"); n < 60 || n > 61 {
		t.Fatalf("%d group reads for 60 groups", n)
	}
}

// Bad requests are refused before any job starts.
func TestBulkLinkRefusals(t *testing.T) {
	h := newHarness(t, "demo")
	h.discover()
	rows := h.list(Filter{}).Groups
	local := h.group("Somebody")
	_, err := h.svc.StartBulkLink(h.ctx, nil)
	wantCode(t, err, "validation", "Choose at least one")
	_, err = h.svc.StartBulkLink(h.ctx, []BulkItem{{XPMGroupUUID: "00000000-0000-4000-8000-000000000000"}})
	wantCode(t, err, "validation", "not in the list")
	_, err = h.svc.StartBulkLink(h.ctx, []BulkItem{{XPMGroupUUID: rows[0].UUID, LocalGroupID: local.ID}, {XPMGroupUUID: rows[1].UUID, LocalGroupID: local.ID}})
	wantCode(t, err, "conflict", "‘Somebody’ is chosen for two XPM groups")
	h.x.set(StateReconnect)
	_, err = h.svc.StartBulkLink(h.ctx, allAsNew(rows))
	wantCode(t, err, "auth", "expired")
	if n := countRows(t, h.dbPath, `SELECT count(*) FROM job WHERE kind = ?`, KindLinkGroups); n != 0 {
		t.Fatalf("%d bulk jobs recorded", n)
	}
}

// In one bulk link: an already linked group is skipped without a call, a
// group deleted in XPM is marked, a 1:1 refusal is reported, the rest is
// linked (as new and to existing).
func TestBulkLinkMixedOutcomes(t *testing.T) {
	h := newHarness(t, "demo")
	h.discover()
	nguyen := h.sandboxGroup("Nguyen Family Group")
	chen := h.sandboxGroup("Chen Family Group")
	smith := h.sandboxGroup("Smith Family (Ballarat)")
	papa := h.sandboxGroup("Papadopoulos Group")
	williams := h.sandboxGroup("Williams Property Group")
	if _, err := h.svc.LinkXPMGroupAsNew(h.ctx, nguyen.UUID); err != nil {
		t.Fatal(err)
	}
	taken := h.group("Taken")
	if _, err := h.svc.LinkXPMGroupToExisting(h.ctx, williams.UUID, taken.ID); err != nil {
		t.Fatal(err)
	}
	free := h.group("Chen Family")
	if err := h.sb.DeleteGroup(demoTenant, papa.UUID); err != nil {
		t.Fatal(err)
	}
	gets := h.calls("clientgroup.api/get")
	done := h.wait(h.svc.StartBulkLink(h.ctx, []BulkItem{
		{XPMGroupUUID: nguyen.UUID},
		{XPMGroupUUID: chen.UUID, LocalGroupID: free.ID},
		{XPMGroupUUID: papa.UUID},
		{XPMGroupUUID: smith.UUID, LocalGroupID: taken.ID},
		{XPMGroupUUID: chen.UUID}, // a duplicate is dropped
	}))
	s := summaryOf(t, done)
	if done.State != jobs.StateSucceeded || s.Requested != 4 || s.Linked != 1 || s.CreatedGroups != 0 || s.AlreadyLinked != 1 ||
		s.DeletedInXPM != 1 || s.Refused != 1 || len(s.Problems) != 2 {
		t.Fatalf("summary %+v", s)
	}
	if n := h.calls("clientgroup.api/get") - gets; n != 2 { // chen and papadopoulos only
		t.Fatalf("%d group reads", n)
	}
	if !h.row("Papadopoulos Group").DeletedInXPM || h.row("Chen Family Group").Link.LocalGroupName != "Chen Family" {
		t.Fatal("outcomes not in the list")
	}
}
