package pull

import (
	"context"
	"strings"
	"testing"
	"time"

	"structura/backend/apperr"
	"structura/backend/clock"
	"structura/backend/jobs"
	"structura/backend/model"
	"structura/backend/sandbox"
	"structura/backend/store"
	"structura/backend/sync"
	"structura/backend/xpm"
	"structura/backend/xpm/xpmtest"
)

// A group read group by group: the clients outside it that members are
// related to are read too (one call each) and kept as referenced entities;
// pulling their own group later makes them members, never duplicates.
func TestReferencedEntityBecomesMemberLater(t *testing.T) {
	e := newEnv(t, "demo")
	e.linkGroups("Williams Property Group", "Chen Family Group")
	before := e.calls()
	in := e.read(Request{XPMGroupUUIDs: []string{e.groupUUID("Williams Property Group")}})
	// 1 group + 4 members + 3 outside (Wei and Mei Chen, Emma's parents; the
	// Chen Family Trust, a unitholder)
	if got := e.calls() - before; got != 8 || in.Calls != 8 {
		t.Errorf("%d calls (pull says %d), want 8", got, in.Calls)
	}
	rev, _ := e.svc.Review(e.ctx, in.ID, ReviewQuery{Filter: "entity"})
	referenced := 0
	for _, it := range rev.Items {
		if it.Entity.Referenced {
			referenced++
		}
	}
	if referenced != 3 {
		t.Errorf("%d referenced entities, want 3", referenced)
	}
	e.apply(in.ID)
	if n := countEntities(t, e); n != 7 {
		t.Fatalf("%d entities after the first group", n)
	}
	in = e.read(Request{XPMGroupUUIDs: []string{e.groupUUID("Chen Family Group")}})
	if in.Summary.Entities.Create != 1 || in.Summary.Entities.Unchanged != 7 {
		// Chen Investments is new; Wei, Mei, the trust and Emma are linked
		// already, and so are Daniel and the two Williams entities they reach
		t.Errorf("second group: %+v", in.Summary.Entities)
	}
	e.apply(in.ID)
	if n := countEntities(t, e); n != 8 {
		t.Errorf("%d entities: one per XPM client", n)
	}
	lines := stateLines(t, e.st)
	if !contains(lines, `entity individual "Emma Williams" dob=1991-06-25 groups=Chen Family Group;Williams Property Group`) ||
		!contains(lines, `entity trust/discretionary "Chen Family Trust" groups=Chen Family Group`) {
		t.Errorf("state:\n%s", strings.Join(lines, "\n"))
	}
}

// After a first pull, a list read asks only for what changed; a member
// added to a group, a member removed, and a client deleted in XPM are all
// seen.
func TestIncrementalListSeesMembershipChanges(t *testing.T) {
	e := newEnv(t, "demo")
	e.linkGroups()
	first := e.read(Request{All: true})
	e.apply(first.ID)

	sb, ten := e.sb.Sandbox, e.sb.Tenant
	groups, _ := sb.Groups(ten)
	var kowalski sandbox.Group
	for _, g := range groups {
		if g.Name == "Kowalski & Sons" {
			kowalski = g
		}
	}
	sarah := e.clientUUID("Sarah Mitchell", "")
	anna := e.clientUUID("Anna Kowalski", "")
	var members []string
	for _, m := range kowalski.Members {
		if m != anna {
			members = append(members, m)
		}
	}
	kowalski.Members = append(members, sarah)
	if _, err := sb.PutGroup(ten, kowalski); err != nil {
		t.Fatal(err)
	}
	if err := sb.DeleteClient(ten, e.clientUUID("Sofia Rossi", "")); err != nil {
		t.Fatal(err)
	}
	second := e.read(Request{All: true})
	if second.ReadPlan.ModifiedSince.IsZero() {
		t.Fatalf("not an incremental read: %+v", second.ReadPlan)
	}
	rev, _ := e.svc.Review(e.ctx, second.ID, ReviewQuery{Limit: 500})
	got := map[string]string{}
	for _, it := range rev.Items {
		if it.Action != sync.ActUnchanged {
			got[it.Title] = it.Action
		}
	}
	want := map[string]string{
		"Sarah Mitchell":                        sync.ActCreate,
		"Sarah Mitchell in Kowalski & Sons":     sync.ActAdd,
		"Anna Kowalski in Kowalski & Sons":      sync.ActKeep, // removed in XPM: kept unless chosen
		"Sofia Rossi in Rossi Family":           sync.ActKeep,
		"Marco Rossi is parent of Sofia Rossi":  sync.ActKeep,
		"Giulia Rossi is parent of Sofia Rossi": sync.ActKeep,
		"Sofia Rossi is beneficiary of Estate of the late Antonio Rossi – Testamentary Trust": sync.ActKeep,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("items that are not unchanged: %v", got)
	}
	// the practitioner removes Anna from the group here too
	annaKey := "member:" + kowalski.UUID + ":" + anna
	if _, err := e.svc.Decide(e.ctx, second.ID, []sync.Decision{{Key: annaKey, Action: sync.ActRemove}}); err != nil {
		t.Fatal(err)
	}
	e.apply(second.ID)
	lines := stateLines(t, e.st)
	if !contains(lines, `entity individual "Anna Kowalski" dob=1969-03-28 groups=`) {
		t.Errorf("Anna still in the group: %v", lines)
	}
	if !contains(lines, `entity individual "Sofia Rossi" dob=1993-02-14 groups=Rossi Family`) {
		t.Errorf("Sofia (deleted in XPM) should be kept here")
	}
	third := e.read(Request{All: true})
	// the kept removals are asked again (still different), nothing else
	if third.Summary.Changes != 0 || third.Summary.NeedInput != 0 {
		t.Errorf("third pull %+v", third.Summary)
	}
	if _, err := e.svc.Discard(e.ctx, third.ID); err != nil {
		t.Fatal(err)
	}
	// a week later the next read is a full one again
	e.clk.(*clock.Fake).Advance(FullReadEvery + time.Hour)
	est, err := e.svc.Estimate(e.ctx, Request{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if !est.ReadPlan.ModifiedSince.IsZero() {
		t.Errorf("after a week: %+v", est.ReadPlan)
	}
}

// Cancel during apply: whole groups only; pulling again finishes the job.
func TestCancelDuringApplyLeavesWholeGroups(t *testing.T) {
	e := newEnv(t, "demo")
	e.linkGroups()
	in := e.read(Request{All: true})
	var jobID int64
	applied := 0
	e.svc.applyPause = func(context.Context, string) {
		applied++
		if applied == 3 {
			if _, err := e.runner.Cancel(e.ctx, jobID); err != nil {
				t.Error(err)
			}
		}
	}
	got, err := e.svc.Apply(e.ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	jobID = got.ApplyJobID
	j := e.wait(jobID)
	if j.State != jobs.StateCanceled {
		t.Fatalf("job %s", j.State)
	}
	got, _ = e.svc.Get(e.ctx, in.ID)
	if got.State != store.PullCanceled || got.Result == nil || got.Result.GroupsApplied != 3 ||
		!strings.Contains(got.Result.Message, "3 of 10 groups") {
		t.Fatalf("after cancel: %s %+v", got.State, got.Result)
	}
	// every group written is whole: its members are all there
	if err := e.st.View(e.ctx, func(tx *store.Tx) error {
		for _, g := range got.Result.Groups {
			ms, err := tx.GroupMemberIDs(e.ctx, g.LocalGroupID)
			if err != nil {
				return err
			}
			switch {
			case g.Applied && len(ms) == 0:
				t.Errorf("group %s applied with no members", g.Name)
			case !g.Applied && len(ms) != 0 && g.Name != "Williams Property Group":
				t.Errorf("group %s not applied but has %d members", g.Name, len(ms))
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	e.svc.applyPause = nil
	again := e.read(Request{All: true})
	e.apply(again.ID)
	compareLines(t, readFixture(t, "testdata/demo_all_groups.txt"), stateLines(t, e.st))
}

// The app closes in the middle of applying: on the next start the job
// carries on from the next group and the end state equals an
// uninterrupted pull (the in-process version of the kill test).
func TestApplyResumesAfterRestart(t *testing.T) {
	sb := xpmtest.Run(t, xpmtest.Options{Sandbox: sandbox.Options{Data: "demo", Seed: 1}})
	dir := t.TempDir()
	e := newEnvOn(t, sb, dir)
	e.linkGroups()
	in := e.read(Request{All: true})
	paused := make(chan struct{})
	n := 0
	e.svc.applyPause = func(ctx context.Context, _ string) {
		n++
		if n == 4 {
			close(paused)
			<-ctx.Done() // the app closes here
		}
	}
	if _, err := e.svc.Apply(e.ctx, in.ID); err != nil {
		t.Fatal(err)
	}
	<-paused
	if err := e.runner.Close(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	mid, _ := e.svc.Get(e.ctx, in.ID)
	if mid.State != store.PullApplying {
		t.Fatalf("state after close: %s", mid.State)
	}
	applied := 0
	for _, g := range mid.Groups {
		if g.Applied {
			applied++
		}
	}
	if applied != 4 {
		t.Fatalf("%d groups applied before the restart", applied)
	}
	_ = e.st.Close()

	// restart on the same data folder
	e2 := newEnvOn(t, sb, dir)
	if err := e2.svc.ResumeOpen(e2.ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		got, err := e2.svc.Get(e2.ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State == store.PullApplied {
			if got.Result.GroupsApplied != 10 {
				t.Errorf("result %+v", got.Result)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not resumed: %s", got.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	compareLines(t, readFixture(t, "testdata/demo_all_groups.txt"), stateLines(t, e2.st))
}

// Bad data from XPM: a 500-character name, odd Unicode and nulls; a kind
// decision saved as a rule applies to later pulls.
func TestBadDataAndKindRules(t *testing.T) {
	e := newEnv(t, "demo")
	ids := e.linkGroups("Rossi Family")
	sb, ten := e.sb.Sandbox, e.sb.Tenant
	long := strings.Repeat("Harbourside Holdings ", 25) + "Pty Ltd"
	odd, err := sb.PutClient(ten, sandbox.Client{Name: "Zo\u00eb\u200b O\u2019Brien\u202e", FirstName: "Zoe\u0308", LastName: "O\u2019Brien\u202e", BusinessStructure: "Individual"})
	if err != nil {
		t.Fatal(err)
	}
	big, err := sb.PutClient(ten, sandbox.Client{Name: long, BusinessStructure: "Company", Email: "not an email"})
	if err != nil {
		t.Fatal(err)
	}
	bare, err := sb.PutClient(ten, sandbox.Client{Name: "Harbour Rowing Club"})
	if err != nil {
		t.Fatal(err)
	}
	groups, _ := sb.Groups(ten)
	for _, g := range groups {
		if g.Name == "Rossi Family" {
			g.Members = append(g.Members, odd.UUID, big.UUID, bare.UUID)
			if _, err := sb.PutGroup(ten, g); err != nil {
				t.Fatal(err)
			}
		}
	}
	in := e.read(Request{LocalGroupIDs: []int64{ids["Rossi Family"]}})
	if in.Summary.NeedInput != 1 {
		t.Fatalf("summary %+v", in.Summary)
	}
	rev, _ := e.svc.Review(e.ctx, in.ID, ReviewQuery{Filter: "needInput"})
	if len(rev.Items) != 1 || rev.Items[0].Entity.XPMUUID != bare.UUID {
		t.Fatalf("needs input: %+v", rev.Items)
	}
	// the testamentary trust's guess is confirmed as a rule, the club is
	// an "other" entity (saved as a rule for clients without a structure? no:
	// it has none, so no rule)
	tt := "entity:" + e.clientUUID("Estate of the late Antonio Rossi – Testamentary Trust", "")
	if _, err := e.svc.Decide(e.ctx, in.ID, []sync.Decision{
		{Key: "entity:" + bare.UUID, Kind: model.KindOther},
		{Key: tt, Kind: model.KindTrust, TrustType: model.TrustTestamentary, SaveRule: true},
	}); err != nil {
		t.Fatal(err)
	}
	e.apply(in.ID)
	lines := stateLines(t, e.st)
	for _, want := range []string{
		`entity individual "Zoë O’Brien" groups=Rossi Family`,
		`entity other "Harbour Rowing Club" groups=Rossi Family`,
	} {
		if !contains(lines, want) {
			t.Errorf("missing %s in\n%s", want, strings.Join(lines, "\n"))
		}
	}
	found := false
	for _, l := range lines {
		if strings.HasPrefix(l, `entity company "Harbourside Holdings`) && len([]rune(l)) < 260 {
			found = true
		}
	}
	if !found {
		t.Errorf("long name not kept (shortened)")
	}
	rules, _ := e.svc.KindRules(e.ctx)
	if len(rules) != 1 || rules[0].Label != "Testamentary Trust" || rules[0].TrustType != model.TrustTestamentary {
		t.Errorf("rules %+v", rules)
	}
	// the full XPM name is in the base snapshot
	_ = e.st.View(e.ctx, func(tx *store.Tx) error {
		links, _ := tx.EntityLinkRows(e.ctx)
		for _, l := range links {
			if l.XPMUUID == big.UUID && !strings.Contains(l.Base, strings.TrimSpace(long)) {
				t.Errorf("the base snapshot lost the full name")
			}
		}
		return nil
	})
	// a later pull uses the saved rule: no guess flag any more
	e2 := e.read(Request{LocalGroupIDs: []int64{ids["Rossi Family"]}})
	rev, _ = e.svc.Review(e.ctx, e2.ID, ReviewQuery{Filter: "flagged"})
	for _, it := range rev.Items {
		for _, f := range it.Flags {
			if f.Code == sync.FlagKindGuess {
				t.Errorf("still a guess after the rule: %s", it.Title)
			}
		}
	}
	if err := e.svc.DeleteKindRule(e.ctx, "testamentary trust"); err != nil {
		t.Fatal(err)
	}
	if rules, _ := e.svc.KindRules(e.ctx); len(rules) != 0 {
		t.Errorf("rule not deleted: %+v", rules)
	}
	_ = context.Background()
}

// flakyXPM fails its nth call (offline), like the connection does.
type flakyXPM struct {
	fixedXPM
	calls  *int
	failOn int
}

func (x flakyXPM) Client(ctx context.Context) (*xpm.Client, error) {
	*x.calls++
	if *x.calls == x.failOn {
		return nil, apperr.New(apperr.CodeUnavailable, "Structura cannot reach Xero right now.", "Check the internet connection.")
	}
	return x.fixedXPM.Client(ctx)
}

// A read that cannot reach XPM waits with what it has (state reading, the
// reason recorded) and carries on with Resume.
func TestReadWaitsWhenOfflineAndResumes(t *testing.T) {
	e := newEnv(t, "demo")
	e.linkGroups("Patel Medical")
	calls := 0
	e.svc.x = flakyXPM{fixedXPM{e.client}, &calls, 2} // Start asks once, then the job
	in, err := e.svc.Start(e.ctx, Request{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if j := e.wait(in.ReadJobID); j.State != jobs.StateFailed || !j.Resumable {
		t.Fatalf("job %s resumable=%v", j.State, j.Resumable)
	}
	got, _ := e.svc.Get(e.ctx, in.ID)
	if got.State != store.PullReading || got.Error == nil || got.Error.Code != apperr.CodeUnavailable {
		t.Fatalf("after the failure: %s %+v", got.State, got.Error)
	}
	if _, err := e.svc.Resume(e.ctx, in.ID); err != nil {
		t.Fatal(err)
	}
	e.wait(in.ReadJobID)
	got, _ = e.svc.Get(e.ctx, in.ID)
	if got.State != store.PullReview || got.Error != nil {
		t.Fatalf("after resume: %s %+v", got.State, got.Error)
	}
	if _, err := e.svc.Resume(e.ctx, in.ID); err == nil {
		t.Error("resume of a pull waiting for review")
	}
}

// A read stopped on an error can be cancelled (the job no longer runs):
// the pull ends and a new one can start.
func TestCancelStoppedRead(t *testing.T) {
	e := newEnv(t, "demo")
	e.linkGroups("Patel Medical")
	calls := 0
	e.svc.x = flakyXPM{fixedXPM{e.client}, &calls, 2}
	in, err := e.svc.Start(e.ctx, Request{All: true})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(in.ReadJobID)
	got, err := e.svc.Cancel(e.ctx, in.ID)
	if err != nil || got.State != store.PullCanceled {
		t.Fatalf("cancel: %s %v", got.State, err)
	}
	e.read(Request{All: true})
}
