package pull

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"structura/backend/clock"
	"structura/backend/events"
	"structura/backend/jobs"
	"structura/backend/model"
	"structura/backend/sandbox"
	"structura/backend/store"
	"structura/backend/xpm"
	"structura/backend/xpm/xpmtest"
)

// fixedXPM is the XPM interface over one client.
type fixedXPM struct{ c *xpm.Client }

func (f fixedXPM) Client(context.Context) (*xpm.Client, error) { return f.c, nil }

// env is a pull service on a fresh data folder, reading a sandbox over
// real HTTP with the fake clock (Xero's limits on).
type env struct {
	t      testing.TB
	ctx    context.Context
	sb     *xpmtest.Env
	client *xpm.Client
	st     *store.Store
	runner *jobs.Runner
	svc    *Service
	rec    *events.Recorder
	clk    clock.Clock
}

func newEnv(t testing.TB, data string) *env {
	t.Helper()
	sb := xpmtest.Run(t, xpmtest.Options{Sandbox: sandbox.Options{Data: data, Seed: 1}})
	return newEnvOn(t, sb, t.TempDir())
}

func newEnvOn(t testing.TB, sb *xpmtest.Env, dir string) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "structura.db"), store.WithClock(sb.Clock))
	if err != nil {
		t.Fatal(err)
	}
	rec := &events.Recorder{}
	runner := jobs.New(st, sb.Clock, rec, nil)
	c := sb.Client(t)
	svc := New(st, fixedXPM{c: c}, runner, sb.Clock, rec, nil)
	svc.SetActor("tester")
	if _, err := runner.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = runner.Close(10 * time.Second)
		_ = st.Close()
	})
	return &env{t: t, ctx: ctx, sb: sb, client: c, st: st, runner: runner, svc: svc, rec: rec, clk: sb.Clock}
}

// linkGroups links local groups (named like the XPM groups) to the named
// XPM groups of the demo practice (all when none named), as the Import
// Groups screen does.
func (e *env) linkGroups(names ...string) map[string]int64 {
	e.t.Helper()
	groups, err := e.sb.Sandbox.Groups(e.sb.Tenant)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]int64{}
	err = e.st.WithTx(e.ctx, func(tx *store.Tx) error {
		for _, g := range groups {
			if len(names) > 0 && !slices.Contains(names, g.Name) {
				continue
			}
			lg, err := tx.InsertGroup(e.ctx, g.Name, "", e.clk.Now())
			if err != nil {
				return err
			}
			if _, err := tx.InsertGroupLink(e.ctx, lg.ID, g.UUID, e.sb.Tenant, e.clk.Now()); err != nil {
				return err
			}
			out[g.Name] = lg.ID
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(names) > 0 && len(out) != len(names) {
		e.t.Fatalf("linked %v, asked for %v", out, names)
	}
	return out
}

func (e *env) groupUUID(name string) string {
	e.t.Helper()
	groups, err := e.sb.Sandbox.Groups(e.sb.Tenant)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, g := range groups {
		if g.Name == name {
			return g.UUID
		}
	}
	e.t.Fatalf("no XPM group %q", name)
	return ""
}

func (e *env) clientUUID(name, dob string) string {
	e.t.Helper()
	cs, err := e.sb.Sandbox.Clients(e.sb.Tenant)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range cs {
		if c.Name == name && (dob == "" || strings.HasPrefix(c.DateOfBirth, dob)) {
			return c.UUID
		}
	}
	e.t.Fatalf("no XPM client %q %s", name, dob)
	return ""
}

func (e *env) wait(jobID int64) jobs.Info {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 5*time.Minute)
	defer cancel()
	info, err := e.runner.Wait(ctx, jobID)
	if err != nil {
		e.t.Fatal(err)
	}
	return info
}

// read starts a pull and waits for its review.
func (e *env) read(req Request) Info {
	e.t.Helper()
	in, err := e.svc.Start(e.ctx, req)
	if err != nil {
		e.t.Fatal(err)
	}
	j := e.wait(in.ReadJobID)
	if j.State != jobs.StateSucceeded {
		e.t.Fatalf("read job %s: %+v", j.State, j.Error)
	}
	in, err = e.svc.Get(e.ctx, in.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if in.State != store.PullReview {
		e.t.Fatalf("pull state %s", in.State)
	}
	return in
}

// apply confirms a pull and waits for it.
func (e *env) apply(id int64) Info {
	e.t.Helper()
	in, err := e.svc.Apply(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	j := e.wait(in.ApplyJobID)
	if j.State != jobs.StateSucceeded {
		e.t.Fatalf("apply job %s: %+v", j.State, j.Error)
	}
	in, err = e.svc.Get(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	if in.State != store.PullApplied {
		e.t.Fatalf("pull state %s", in.State)
	}
	return in
}

// calls is how many XPM calls the sandbox has answered so far.
func (e *env) calls() int { return len(e.sb.Sandbox.RequestLog()) }

// stateLines renders the local entities, memberships and relationships in
// the fixture format of testdata/demo_all_groups.txt.
func stateLines(t testing.TB, st *store.Store) []string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	err := st.View(ctx, func(tx *store.Tx) error {
		ents, err := tx.ListEntities(ctx, "", 0)
		if err != nil {
			return err
		}
		count := map[string]int{}
		for _, e := range ents {
			count[e.DisplayName]++
		}
		label := map[int64]string{}
		for _, e := range ents {
			label[e.ID] = e.DisplayName
			if count[e.DisplayName] > 1 {
				label[e.ID] = fmt.Sprintf("%s [%s]", e.DisplayName, e.DateOfBirth)
			}
			kind := string(e.Kind)
			if e.TrustType != "" {
				kind += "/" + string(e.TrustType)
			}
			gids, err := tx.EntityGroupIDs(ctx, e.ID)
			if err != nil {
				return err
			}
			var gnames []string
			for _, gid := range gids {
				g, err := tx.Group(ctx, gid)
				if err != nil {
					return err
				}
				gnames = append(gnames, g.Name)
			}
			sort.Strings(gnames)
			l := fmt.Sprintf("entity %s %q", kind, e.DisplayName)
			if e.DateOfBirth != "" {
				l += " dob=" + e.DateOfBirth
			}
			lines = append(lines, l+" groups="+strings.Join(gnames, ";"))
		}
		rels, err := tx.AllRelationships(ctx)
		if err != nil {
			return err
		}
		for _, r := range rels {
			from, to := label[r.FromID], label[r.ToID]
			if t, ok := model.LookupRelationshipType(r.Type); ok && t.Symmetric && to < from {
				from, to = to, from
			}
			l := fmt.Sprintf("rel %q %s %q", from, r.Type, to)
			if r.NumberOfShares != nil {
				l += fmt.Sprintf(" shares=%d", *r.NumberOfShares)
			}
			if r.Percentage != nil {
				l += " pct=" + strings.TrimSuffix(model.FormatPercent(*r.Percentage), "%")
			}
			if r.Notes != "" {
				l += fmt.Sprintf(" notes=%q", r.Notes)
			}
			lines = append(lines, l)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return lines
}

// compareLines reports the lines only in want and only in got.
func compareLines(t testing.TB, want, got []string) {
	t.Helper()
	w := map[string]int{}
	for _, l := range want {
		w[l]++
	}
	for _, l := range got {
		w[l]--
	}
	var missing, extra []string
	for l, n := range w {
		for ; n > 0; n-- {
			missing = append(missing, l)
		}
		for ; n < 0; n++ {
			extra = append(extra, l)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Errorf("local state differs from the fixture:\nmissing (%d):\n  %s\nunexpected (%d):\n  %s",
			len(missing), strings.Join(missing, "\n  "), len(extra), strings.Join(extra, "\n  "))
	}
}
