package pull

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"structura/backend/apperr"
	"structura/backend/jobs"
	"structura/backend/model"
	"structura/backend/sandbox"
	"structura/backend/store"
	"structura/backend/sync"
)

func readFixture(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Acceptance 1: pulling every group of the demo practice gives exactly the
// hand-written fixture; the two John Smiths stay two entities; Emma
// Williams, in two groups, is one entity with two memberships.
func TestPullDemoPracticeMatchesFixture(t *testing.T) {
	e := newEnv(t, "demo")
	e.linkGroups()
	in := e.read(Request{All: true})
	if in.ReadPlan.Strategy != sync.ReadList || in.Calls != 1 {
		t.Errorf("every demo group should be read in one list call: %+v, %d calls", in.ReadPlan, in.Calls)
	}
	rev, err := e.svc.Review(e.ctx, in.ID, ReviewQuery{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	sm := rev.Summary
	if sm.NeedInput != 0 || sm.Entities.Create != 50 || sm.Memberships.Add != 50 || sm.Relationships.Create != 96 {
		t.Fatalf("summary %+v", sm)
	}
	// the custom business structure is a flagged guess
	guess := 0
	for _, it := range rev.Items {
		for _, f := range it.Flags {
			if f.Code == sync.FlagKindGuess {
				guess++
				if !strings.Contains(it.Title, "Testamentary Trust") {
					t.Errorf("unexpected guess on %s", it.Title)
				}
			}
		}
	}
	if guess != 1 {
		t.Errorf("%d kind guesses, want 1 (the testamentary trust)", guess)
	}
	before := e.calls()
	done := e.apply(in.ID)
	if e.calls() != before {
		t.Errorf("applying called XPM %d times", e.calls()-before)
	}
	if done.Result == nil || done.Result.Created != 50 || done.Result.MembersAdded != 50 || done.Result.RelsCreated != 96 {
		t.Fatalf("result %+v", done.Result)
	}
	compareLines(t, readFixture(t, "testdata/demo_all_groups.txt"), stateLines(t, e.st))

	// every change has its journal entry, from the sync, tied to the job
	var js []model.JournalEntry
	if err := e.st.View(e.ctx, func(tx *store.Tx) error {
		var err error
		js, err = tx.Journal(e.ctx, 10000)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, j := range js {
		if j.Source != model.SourceSync || j.JobID == nil || *j.JobID != done.ApplyJobID {
			t.Fatalf("journal entry %+v is not the pull's", j)
		}
		counts[j.Action+" "+j.ObjectType]++
	}
	want := map[string]int{"create entity": 50, "link entity_link": 50, "add_member membership": 50,
		"create relationship": 96, "link relationship_link": 96}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("journal %s: %d, want %d (all: %v)", k, counts[k], n, counts)
		}
	}
	// base snapshots: every link has one, groups too, and XPM's full record
	// (fields Structura does not keep) is in it
	if err := e.st.View(e.ctx, func(tx *store.Tx) error {
		links, err := tx.EntityLinkRows(e.ctx)
		if err != nil {
			return err
		}
		if len(links) != 50 {
			t.Errorf("%d entity links", len(links))
		}
		for _, l := range links {
			if !strings.Contains(l.Base, `"clientCode"`) || !strings.Contains(l.Base, `"kind"`) {
				t.Fatalf("base of %s lacks XPM's record: %.200s", l.XPMUUID, l.Base)
			}
		}
		rl, err := tx.RelationshipLinkRows(e.ctx)
		if err != nil {
			return err
		}
		if len(rl) != 96 {
			t.Errorf("%d relationship links", len(rl))
		}
		gl, ok, err := tx.GroupLinkForPull(e.ctx, e.groupUUID("Williams Property Group"))
		if err != nil || !ok || !strings.Contains(gl.Base, `"members"`) || gl.LastPulledAt.IsZero() {
			t.Errorf("group base %+v %v %v", gl, ok, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// Acceptance 2: pull, pull again → zero changes, and it says so; change 3
// fields in XPM → the next pull updates exactly those 3.
func TestPullIsIdempotentAndBringsExactlyWhatChanged(t *testing.T) {
	e := newEnv(t, "demo")
	e.linkGroups()
	first := e.read(Request{All: true})
	e.apply(first.ID)
	state1 := stateLines(t, e.st)
	journal1 := journalLen(t, e)

	second := e.read(Request{All: true})
	if !second.ReadPlan.ModifiedSince.After(first.CreatedAt.Add(-ModifiedSinceMargin - 1)) {
		t.Errorf("the second pull should ask only for what changed: %+v", second.ReadPlan)
	}
	if second.Summary == nil || second.Summary.Changes != 0 || second.Summary.NeedInput != 0 ||
		!strings.Contains(second.Summary.Message, "Nothing changed in XPM") {
		t.Fatalf("second pull summary %+v", second.Summary)
	}
	done := e.apply(second.ID)
	if done.Result.Changes != 0 || !strings.Contains(done.Result.Message, "Nothing changed") {
		t.Errorf("second apply: %+v", done.Result)
	}
	compareLines(t, state1, stateLines(t, e.st))
	if n := journalLen(t, e); n != journal1 {
		t.Errorf("a pull with nothing changed wrote %d journal entries", n-journal1)
	}

	// three fields change in XPM, on two clients
	minh := e.clientUUID("Minh Nguyen", "")
	acro := e.clientUUID("Acropolis Bakery Pty Ltd", "")
	mustUpdate(t, e, minh, func(c *sandbox.Client) { c.Email, c.Phone = "minh@nguyen.example.com.au", "0412 345 678" })
	mustUpdate(t, e, acro, func(c *sandbox.Client) { c.Name = "Acropolis Bakery & Cafe Pty Ltd" })

	third := e.read(Request{All: true})
	if third.Summary.Changes != 2 || third.Summary.Entities.Update != 2 {
		t.Fatalf("third pull summary %+v", third.Summary)
	}
	rev, err := e.svc.Review(e.ctx, third.ID, ReviewQuery{Filter: "changes"})
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, it := range rev.Items {
		for _, c := range it.Changes {
			if c.Apply {
				fields = append(fields, it.Entity.XPMName+"."+c.Field)
			}
		}
	}
	want := "Acropolis Bakery & Cafe Pty Ltd.legalName Minh Nguyen.email Minh Nguyen.phone"
	if got := strings.Join(sortedStrings(fields), " "); got != want {
		t.Fatalf("changes %q, want %q", got, want)
	}
	e.apply(third.ID)
	state3 := stateLines(t, e.st)
	var diff []string
	for _, l := range state3 {
		if !contains(state1, l) {
			diff = append(diff, l)
		}
	}
	if len(diff) != 3 {
		t.Errorf("new lines %v", diff)
	}
	for _, l := range diff {
		if !strings.Contains(l, "Acropolis Bakery & Cafe") {
			t.Errorf("unexpected change %s", l)
		}
	}
	if n := journalLen(t, e) - journal1; n != 2 {
		t.Errorf("%d journal entries for 2 updated entities", n)
	}
}

func mustUpdate(t *testing.T, e *env, uuid string, fn func(*sandbox.Client)) {
	t.Helper()
	if _, err := e.sb.Sandbox.UpdateClient(e.sb.Tenant, uuid, fn); err != nil {
		t.Fatal(err)
	}
}

func journalLen(t *testing.T, e *env) int {
	t.Helper()
	n := 0
	if err := e.st.View(e.ctx, func(tx *store.Tx) error {
		js, err := tx.Journal(e.ctx, 100000)
		n = len(js)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// Acceptance 3: local entities made beforehand to match by ABN, by name and
// date of birth, and by name only: the pull proposes link / ask / ask,
// writes nothing before the answers, and creates no duplicate.
func TestPullDuplicateSafeguards(t *testing.T) {
	e := newEnv(t, "demo")
	e.linkGroups("Nguyen Family Group")
	holdings, _ := e.sb.Sandbox.Client(e.sb.Tenant, e.clientUUID("Nguyen Holdings Pty Ltd", ""))
	abn := strings.ReplaceAll(holdings.BusinessNumber, " ", "")
	var byABN, byDOB, byName int64
	if err := e.st.WithTx(e.ctx, func(tx *store.Tx) error {
		var err error
		now := e.clk.Now()
		if byABN, err = tx.InsertEntity(e.ctx, store.EntityRow{Kind: model.KindCompany, LegalName: "Nguyen Holdings", ABN: abn}, now); err != nil {
			return err
		}
		if byDOB, err = tx.InsertEntity(e.ctx, store.EntityRow{Kind: model.KindIndividual, GivenName: "Minh", FamilyName: "Nguyen", DateOfBirth: "1968-03-14"}, now); err != nil {
			return err
		}
		byName, err = tx.InsertEntity(e.ctx, store.EntityRow{Kind: model.KindIndividual, GivenName: "Lan", FamilyName: "Nguyen"}, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	in := e.read(Request{XPMGroupUUIDs: []string{e.groupUUID("Nguyen Family Group")}})
	if in.ReadPlan.Strategy != sync.ReadGroups {
		t.Errorf("one group should be read group by group: %+v", in.ReadPlan)
	}
	rev, err := e.svc.Review(e.ctx, in.ID, ReviewQuery{Filter: "entity"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*sync.Item{}
	for _, it := range rev.Items {
		got[it.Entity.XPMName] = it
	}
	check := func(name, action, match string, needs bool, target int64) {
		t.Helper()
		it := got[name]
		if it == nil {
			t.Fatalf("no item for %s", name)
		}
		if it.Action != action || it.Entity.Match != match || it.NeedsInput != needs {
			t.Errorf("%s: action %s match %s needsInput %v", name, it.Action, it.Entity.Match, it.NeedsInput)
		}
		if target != 0 && (len(it.Entity.Candidates) == 0 || it.Entity.Candidates[0].EntityID != target) {
			t.Errorf("%s: candidates %+v, want %d", name, it.Entity.Candidates, target)
		}
	}
	check("Nguyen Holdings Pty Ltd", sync.ActLink, sync.MatchExact, false, byABN)
	check("Minh Nguyen", sync.ActLink, sync.MatchHigh, true, byDOB)
	check("Lan Nguyen", sync.ActCreate, sync.MatchMedium, true, byName)
	if rev.Summary.NeedInput != 2 {
		t.Errorf("need input %d", rev.Summary.NeedInput)
	}
	// nothing is written until the answers
	if _, err := e.svc.Apply(e.ctx, in.ID); apperr.CodeOf(err) != apperr.CodeValidation {
		t.Fatalf("apply with open questions: %v", err)
	}
	if n := countEntities(t, e); n != 3 {
		t.Fatalf("%d entities before the answers", n)
	}
	// answers: both are the same people
	callsBefore := e.calls()
	rev, err = e.svc.Decide(e.ctx, in.ID, []sync.Decision{
		{Key: "entity:" + e.clientUUID("Minh Nguyen", ""), Action: sync.ActLink, EntityID: byDOB},
		{Key: "entity:" + e.clientUUID("Lan Nguyen", ""), Action: sync.ActLink, EntityID: byName},
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.calls() != callsBefore {
		t.Errorf("re-running the review called XPM")
	}
	if rev.Summary.NeedInput != 0 || rev.Summary.Entities.Link != 3 || rev.Summary.Entities.Create != 3 {
		t.Fatalf("after decisions: %+v", rev.Summary)
	}
	e.apply(in.ID)
	if n := countEntities(t, e); n != 6 {
		t.Errorf("%d entities: the Nguyen group has 6 clients, 3 were already here", n)
	}
	// the linked ones were filled in from XPM
	var minh model.Entity
	_ = e.st.View(e.ctx, func(tx *store.Tx) error {
		var err error
		minh, err = tx.Entity(e.ctx, byDOB)
		return err
	})
	if minh.Email == "" || minh.Address == "" {
		t.Errorf("linked entity not filled in: %+v", minh)
	}
	// a second pull proposes nothing new
	again := e.read(Request{LocalGroupIDs: []int64{e.localGroupID("Nguyen Family Group")}})
	if again.Summary.Changes != 0 || again.Summary.NeedInput != 0 {
		t.Errorf("second pull: %+v", again.Summary)
	}
}

func (e *env) localGroupID(name string) int64 {
	e.t.Helper()
	var id int64
	_ = e.st.View(e.ctx, func(tx *store.Tx) error {
		gs, err := tx.ListGroupSummaries(e.ctx, "")
		for _, g := range gs {
			if g.Name == name {
				id = g.ID
			}
		}
		return err
	})
	if id == 0 {
		e.t.Fatalf("no local group %q", name)
	}
	return id
}

func countEntities(t *testing.T, e *env) int {
	t.Helper()
	n := 0
	_ = e.st.View(e.ctx, func(tx *store.Tx) error {
		es, err := tx.ListEntities(e.ctx, "", 0)
		n = len(es)
		return err
	})
	return n
}

// One open pull at a time; Cancel during review discards it; a cancelled
// read writes nothing.
func TestPullLifecycle(t *testing.T) {
	e := newEnv(t, "demo")
	e.linkGroups()
	if _, err := e.svc.Start(e.ctx, Request{LocalGroupIDs: []int64{999}}); apperr.CodeOf(err) != apperr.CodeValidation {
		t.Errorf("unlinked group: %v", err)
	}
	est, err := e.svc.Estimate(e.ctx, Request{XPMGroupUUIDs: []string{e.groupUUID("Patel Medical")}})
	if err != nil {
		t.Fatal(err)
	}
	if est.ReadPlan.Strategy != sync.ReadGroups || est.Calls < 2 || est.Seconds <= 0 || est.Message == "" {
		t.Errorf("estimate %+v", est)
	}
	in := e.read(Request{All: true})
	if _, err := e.svc.Start(e.ctx, Request{All: true}); apperr.CodeOf(err) != apperr.CodeConflict {
		t.Errorf("second open pull: %v", err)
	}
	if _, err := e.svc.Cancel(e.ctx, in.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.Get(e.ctx, in.ID)
	if got.State != store.PullCanceled {
		t.Errorf("state %s", got.State)
	}
	if _, err := e.svc.Review(e.ctx, in.ID, ReviewQuery{}); err == nil {
		t.Error("review of a cancelled pull")
	}
	if n := countEntities(t, e); n != 0 {
		t.Errorf("%d entities after a cancelled pull", n)
	}
	// the events the UI needs were sent
	var progress, changed int
	for _, ev := range e.rec.Events {
		switch ev.Name {
		case jobs.EventProgress:
			progress++
		case EventChanged:
			changed++
		}
	}
	if progress == 0 || changed == 0 {
		t.Errorf("events: %d progress, %d pull:changed", progress, changed)
	}
}
