package pull

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"structura/backend/clock"
	"structura/backend/jobs"
	"structura/backend/sandbox"
	"structura/backend/store"
	"structura/backend/sync"
	"structura/backend/xpm"
	"structura/backend/xpm/xpmtest"
)

// Acceptance 4: the process running a pull is killed (SIGKILL) in the
// middle of applying it, after its first checkpoint; a second process on
// the same data folder resumes the job from the job table; the end state
// equals an uninterrupted pull into a fresh data folder, compared as
// normalised rows (entities, memberships, relationships, links and their
// base snapshots, journal counts).
//
// The processes are this test binary started again (TestHelperPullProcess)
// against a sandbox started here, over real HTTP, with Xero's limits on.
// STRUCTURA_KILL_DATA sets the practice (default generated:3000:600; the
// whole generated practice is generated:15000:3000).

const helperEnv = "STRUCTURA_PULL_HELPER"

type helperConfig struct {
	Mode     string `json:"mode"` // pull | resume | full
	DataDir  string `json:"dataDir"`
	APIBase  string `json:"apiBase"`
	ConnURL  string `json:"connUrl"`
	TokenURL string `json:"tokenUrl"`
	Tenant   string `json:"tenant"`
	Access   string `json:"access"`
	Refresh  string `json:"refresh"`
	TTL      int64  `json:"ttl"`
}

func TestKillMidPullResumesToTheSameState(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and pulls a generated practice; not in -short")
	}
	data := os.Getenv("STRUCTURA_KILL_DATA")
	if data == "" {
		data = "generated:3000:600"
	}
	sb, err := sandbox.New(sandbox.Options{Data: data, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	groups, err := sb.Groups(sandbox.DemoPracticeID)
	if err != nil {
		t.Fatal(err)
	}
	killed, reference := t.TempDir(), t.TempDir()
	for _, dir := range []string{killed, reference} {
		prepareDataDir(t, dir, groups)
	}
	cfg := func(mode, dir string) helperConfig {
		ts, err := sb.MintToken(sandbox.UserAlex, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return helperConfig{Mode: mode, DataDir: dir, APIBase: sb.APIBaseURL(), ConnURL: sb.ConnectionsURL(), TokenURL: sb.TokenURL(),
			Tenant: sandbox.DemoPracticeID, Access: ts.AccessToken, Refresh: ts.RefreshToken, TTL: ts.ExpiresIn}
	}

	// 1. pull, and kill the process once it has applied a group and
	// checkpointed, at a random moment of the next ones
	cmd, lines := startHelper(t, cfg("pull", killed))
	applied := 0
	for l := range lines {
		if strings.HasPrefix(l, "APPLIED ") {
			applied++
			break
		}
		if strings.HasPrefix(l, "FAILED") {
			t.Fatalf("helper: %s", l)
		}
	}
	if applied == 0 {
		t.Fatal("the helper ended before applying a group")
	}
	time.Sleep(time.Duration(50+rand.IntN(400)) * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = cmd.Wait()
	for range lines {
	}

	// 2. the data folder holds whole groups only
	mid := checkWholeGroups(t, killed)
	if mid.applied == 0 || mid.applied == mid.total {
		t.Fatalf("killed with %d of %d groups applied: not mid-pull (make the practice bigger)", mid.applied, mid.total)
	}
	t.Logf("killed after %d of %d groups; job state %s", mid.applied, mid.total, mid.jobState)

	// 3. a new process resumes from the job table; 4. a fresh data folder
	// gets an uninterrupted pull
	runHelper(t, cfg("resume", killed))
	runHelper(t, cfg("full", reference))

	a, b := normalisedRows(t, killed), normalisedRows(t, reference)
	if len(a) < 100 {
		t.Fatalf("only %d rows", len(a))
	}
	compareLines(t, b, a)
}

// prepareDataDir links every XPM group to a new local group (what the
// Import Groups screen does), the same way in every folder.
func prepareDataDir(t *testing.T, dir string, groups []sandbox.Group) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "structura.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.WithTx(ctx, func(tx *store.Tx) error {
		for _, g := range groups {
			lg, err := tx.InsertGroup(ctx, g.Name, "", time.Now())
			if err != nil {
				return err
			}
			if _, err := tx.InsertGroupLink(ctx, lg.ID, g.UUID, sandbox.DemoPracticeID, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func startHelper(t *testing.T, c helperConfig) (*exec.Cmd, chan string) {
	t.Helper()
	b, _ := json.Marshal(c)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPullProcess$", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"="+string(b))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return cmd, lines
}

func runHelper(t *testing.T, c helperConfig) {
	t.Helper()
	cmd, lines := startHelper(t, c)
	var all []string
	for l := range lines {
		all = append(all, l)
	}
	if err := cmd.Wait(); err != nil || !contains(all, "DONE") {
		t.Fatalf("helper %s: %v\n%s", c.Mode, err, strings.Join(all, "\n"))
	}
}

// TestHelperPullProcess is the other process of the kill test (it does
// nothing unless started by it).
func TestHelperPullProcess(t *testing.T) {
	raw := os.Getenv(helperEnv)
	if raw == "" {
		return // only runs as the kill test's helper process
	}
	var c helperConfig
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		t.Fatal(err)
	}
	say := func(format string, a ...any) { fmt.Fprintf(os.Stdout, format+"\n", a...) }
	if err := helperRun(c, say); err != nil {
		say("FAILED %v", err)
		t.Fatal(err)
	}
	say("DONE")
}

func helperRun(c helperConfig, say func(string, ...any)) error {
	ctx := context.Background()
	clk := clock.Real{}
	st, err := store.Open(ctx, filepath.Join(c.DataDir, "structura.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	ts := xpmtest.NewTokenSource(c.TokenURL, sandbox.DefaultClientID, clk, c.Access, c.Refresh, time.Duration(c.TTL)*time.Second)
	xc, err := xpm.New(xpm.Config{APIBaseURL: c.APIBase, ConnectionsURL: c.ConnURL, TenantID: c.Tenant, TokenSource: ts, Clock: clk})
	if err != nil {
		return err
	}
	runner := jobs.New(st, clk, nil, nil)
	svc := New(st, fixedXPM{c: xc}, runner, clk, nil, nil)
	svc.SetActor("tester")
	applied := 0
	svc.applyPause = func(_ context.Context, g string) {
		applied++
		say("APPLIED %d %s", applied, g)
	}
	if _, err := runner.Start(ctx); err != nil {
		return err
	}
	defer runner.Close(30 * time.Second)
	var id int64
	switch c.Mode {
	case "resume":
		if err := svc.ResumeOpen(ctx); err != nil {
			return err
		}
		ps, err := svc.List(ctx, 1)
		if err != nil || len(ps) == 0 {
			return fmt.Errorf("no pull to resume: %v", err)
		}
		id = ps[0].ID
	default:
		in, err := svc.Start(ctx, Request{All: true})
		if err != nil {
			return err
		}
		id = in.ID
		if j, err := runner.Wait(ctx, in.ReadJobID); err != nil || j.State != jobs.StateSucceeded {
			return fmt.Errorf("read: %v %+v", err, j)
		}
		if _, err := svc.AcceptSuggestions(ctx, id); err != nil {
			return err
		}
		if _, err := svc.Apply(ctx, id); err != nil {
			return err
		}
		say("APPLYING %d", id)
	}
	for deadline := time.Now().Add(20 * time.Minute); ; {
		in, err := svc.Get(ctx, id)
		if err != nil {
			return err
		}
		if in.State == store.PullApplied {
			return nil
		}
		if in.State != store.PullApplying {
			return fmt.Errorf("pull ended %s: %+v", in.State, in.Error)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pull not applied in time")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type midState struct {
	applied, total int
	jobState       string
}

// checkWholeGroups checks that a data folder left by a killed pull holds
// whole groups only: an applied group has all its members, the others
// none; every entity is linked (none half-written).
func checkWholeGroups(t *testing.T, dir string) midState {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "structura.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var m midState
	err = st.View(ctx, func(tx *store.Tx) error {
		ps, err := tx.Pulls(ctx, 1)
		if err != nil || len(ps) != 1 {
			return fmt.Errorf("pulls %v %v", ps, err)
		}
		p := ps[0]
		if p.State != store.PullApplying || p.ApplyJobID == nil {
			return fmt.Errorf("pull %s", p.State)
		}
		j, err := tx.Job(ctx, *p.ApplyJobID)
		if err != nil {
			return err
		}
		m.jobState = j.State
		if j.State != store.JobRunning || !strings.Contains(j.Progress, `"checkpoint"`) {
			return fmt.Errorf("apply job %s, progress %s", j.State, j.Progress)
		}
		gs, err := tx.PullGroups(ctx, p.ID, true)
		if err != nil {
			return err
		}
		m.total = len(gs)
		for _, g := range gs {
			ids, err := tx.GroupMemberIDs(ctx, *g.GroupID)
			if err != nil {
				return err
			}
			var ops sync.GroupOps
			if err := json.Unmarshal([]byte(g.Ops), &ops); err != nil {
				return err
			}
			want := 0
			for _, mo := range ops.Members {
				if mo.Op == sync.OpAdd {
					want++
				}
			}
			if !g.AppliedAt.IsZero() {
				m.applied++
				if len(ids) != want {
					t.Errorf("applied group %s has %d of %d members", g.Name, len(ids), want)
				}
			} else if len(ids) != 0 {
				t.Errorf("group %s not applied but has %d members", g.Name, len(ids))
			}
		}
		ents, err := tx.ListEntities(ctx, "", 0)
		if err != nil {
			return err
		}
		links, err := tx.EntityLinkRows(ctx)
		if err != nil {
			return err
		}
		if len(ents) != len(links) {
			t.Errorf("%d entities, %d links: half-written entities", len(ents), len(links))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// normalisedRows dumps a data folder as sorted lines without local ids or
// times: entities and relationships by their XPM uuids, memberships by
// group name, links with their base snapshots, journal counts.
func normalisedRows(t *testing.T, dir string) []string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "structura.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []string
	err = st.View(ctx, func(tx *store.Tx) error {
		links, err := tx.EntityLinkRows(ctx)
		if err != nil {
			return err
		}
		uuidOf := map[int64]string{}
		for _, l := range links {
			uuidOf[l.LocalID] = l.XPMUUID
			out = append(out, fmt.Sprintf("EB %s %s %s", l.XPMUUID, l.TenantID, l.Base))
		}
		ents, err := tx.ListEntities(ctx, "", 0)
		if err != nil {
			return err
		}
		for _, e := range ents {
			u := uuidOf[e.ID]
			if u == "" {
				u = "unlinked:" + e.DisplayName
			}
			out = append(out, fmt.Sprintf("E %s %s %s %q %q %q %q %s %s %s %q %q %q %q %s", u, e.Kind, e.TrustType, e.GivenName, e.FamilyName,
				e.LegalName, e.TradingName, e.DateOfBirth, e.ABN, e.ACN, e.Email, e.Phone, e.Address, e.Notes, e.TFNLast3))
			gids, err := tx.EntityGroupIDs(ctx, e.ID)
			if err != nil {
				return err
			}
			for _, gid := range gids {
				g, err := tx.Group(ctx, gid)
				if err != nil {
					return err
				}
				out = append(out, fmt.Sprintf("M %q %s", g.Name, u))
			}
		}
		rlinks, err := tx.RelationshipLinkRows(ctx)
		if err != nil {
			return err
		}
		relUUID := map[int64]string{}
		for _, l := range rlinks {
			relUUID[l.LocalID] = l.XPMUUID
			out = append(out, fmt.Sprintf("RB %s %s", l.XPMUUID, l.Base))
		}
		rels, err := tx.AllRelationships(ctx)
		if err != nil {
			return err
		}
		for _, r := range rels {
			l := fmt.Sprintf("R %s %s %s %s", relUUID[r.ID], uuidOf[r.FromID], r.Type, uuidOf[r.ToID])
			if r.NumberOfShares != nil {
				l += fmt.Sprint(" shares=", *r.NumberOfShares)
			}
			if r.Percentage != nil {
				l += fmt.Sprint(" pct=", *r.Percentage)
			}
			out = append(out, l+fmt.Sprintf(" %s %s %q", r.StartDate, r.EndDate, r.Notes))
		}
		glinks, err := tx.GroupLinks(ctx)
		if err != nil {
			return err
		}
		for _, g := range glinks {
			gl, _, err := tx.GroupLinkForPull(ctx, g.XPMGroupUUID)
			if err != nil {
				return err
			}
			var b sync.GroupBase
			_ = json.Unmarshal([]byte(gl.Base), &b)
			b.FullReadAt = time.Time{} // the time of the read
			bb, _ := json.Marshal(b)
			out = append(out, fmt.Sprintf("GB %s %q %s pulled=%v", g.XPMGroupUUID, g.GroupName, bb, !gl.LastPulledAt.IsZero()))
		}
		js, err := tx.Journal(ctx, 1<<30)
		if err != nil {
			return err
		}
		counts := map[string]int{}
		for _, j := range js {
			counts[j.Source+" "+j.Action+" "+j.ObjectType]++
		}
		for k, n := range counts {
			out = append(out, fmt.Sprintf("J %s %d", k, n))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}
