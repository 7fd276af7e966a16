package sync

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"structura/backend/model"
)

// Golden scenarios (after rclone bisync's testdata/test_*): each directory
// under testdata/scenarios holds input.json (what XPM said, what Structura
// holds, the decisions, today) and golden.txt (the review and the apply
// ops, rendered as text). `go test ./backend/sync -run Golden -golden`
// rewrites golden.txt; every rewrite is read line by line before it is
// committed (git diff). The acceptance-1 fixture of the demo practice is
// not one of these: it lives in backend/pull/testdata and has no update
// flag.
var updateGolden = flag.Bool("golden", false, "rewrite testdata/scenarios/*/golden.txt")

// scenarioInput is input.json.
type scenarioInput struct {
	Today     string            `json:"today"`
	Tenant    string            `json:"tenant"`
	Groups    []Group           `json:"groups"`
	Clients   []*Client         `json:"clients"`
	Missing   map[string]string `json:"missing"`
	Local     scenarioLocal     `json:"local"`
	Decisions []Decision        `json:"decisions"`
	Rules     []KindRule        `json:"rules"`
	Notes     string            `json:"notes"`
}

type scenarioLocal struct {
	Entities      []model.Entity       `json:"entities"`
	EntityLinks   []scenarioEntityLink `json:"entityLinks"`
	Relationships []model.Relationship `json:"relationships"`
	RelLinks      []scenarioRelLink    `json:"relLinks"`
	Groups        []scenarioGroup      `json:"groups"`
}

type scenarioEntityLink struct {
	UUID     string      `json:"uuid"`
	EntityID int64       `json:"entityId"`
	Tenant   string      `json:"tenant"`
	Base     *EntityBase `json:"base"`
	// BasePatch (with BaseKind) builds the base from the snapshot's client
	// with some fields as they were at the last pull ({} = the same).
	BasePatch     map[string]any   `json:"basePatch"`
	BaseKind      model.EntityKind `json:"baseKind"`
	BaseTrustType model.TrustType  `json:"baseTrustType"`
}

type scenarioRelLink struct {
	UUID           string   `json:"uuid"`
	RelationshipID int64    `json:"relationshipId"`
	Tenant         string   `json:"tenant"`
	Base           *RelBase `json:"base"`
}

type scenarioGroup struct {
	UUID    string     `json:"uuid"`
	GroupID int64      `json:"groupId"`
	Name    string     `json:"name"`
	Members []int64    `json:"members"`
	Base    *GroupBase `json:"base"`
}

func loadScenario(t *testing.T, dir string) Input {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s scenarioInput
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return s.input()
}

func (s scenarioInput) input() Input {
	tenant := s.Tenant
	if tenant == "" {
		tenant = "tenant-1"
	}
	snap := &Snapshot{TenantID: tenant, Groups: s.Groups, Clients: map[string]*Client{}, Missing: s.Missing}
	for i := range snap.Groups {
		sort.Strings(snap.Groups[i].Members)
	}
	for _, c := range s.Clients {
		snap.Clients[c.UUID] = c
	}
	l := &Local{Entities: map[int64]*model.Entity{}, EntityLinks: map[string]EntityLink{}, Relationships: map[int64]*model.Relationship{},
		RelLinks: map[string]RelLink{}, Groups: map[string]LocalGroup{}, Rules: map[string]KindRule{}}
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i := range s.Local.Entities {
		e := s.Local.Entities[i]
		e.DisplayName = model.DisplayName(e.Kind, e.GivenName, e.FamilyName, e.LegalName, e.TradingName)
		if e.UpdatedAt.IsZero() {
			e.CreatedAt, e.UpdatedAt = t0, t0
		}
		l.Entities[e.ID] = &e
	}
	for _, el := range s.Local.EntityLinks {
		tn := el.Tenant
		if tn == "" {
			tn = tenant
		}
		base := el.Base
		if el.BasePatch != nil {
			base = patchedBase(snap.Clients[el.UUID], el.BasePatch, el.BaseKind, el.BaseTrustType)
		}
		l.EntityLinks[el.UUID] = EntityLink{EntityID: el.EntityID, TenantID: tn, Base: base}
	}
	for i := range s.Local.Relationships {
		r := s.Local.Relationships[i]
		if r.UpdatedAt.IsZero() {
			r.CreatedAt, r.UpdatedAt = t0, t0
		}
		l.Relationships[r.ID] = &r
	}
	for _, rl := range s.Local.RelLinks {
		tn := rl.Tenant
		if tn == "" {
			tn = tenant
		}
		l.RelLinks[rl.UUID] = RelLink{RelationshipID: rl.RelationshipID, TenantID: tn, Base: rl.Base}
	}
	for _, g := range s.Local.Groups {
		l.Groups[g.UUID] = LocalGroup{GroupID: g.GroupID, Name: g.Name, Members: g.Members, Base: g.Base}
	}
	for _, r := range s.Rules {
		l.Rules[LabelKey(r.Label)] = r
	}
	decs := map[string]Decision{}
	for _, d := range s.Decisions {
		decs[d.Key] = d
	}
	today := s.Today
	if today == "" {
		today = "2026-03-02"
	}
	return Input{Snapshot: snap, Local: l, Decisions: decs, Today: today}
}

func patchedBase(c *Client, patch map[string]any, k model.EntityKind, tt model.TrustType) *EntityBase {
	b, _ := json.Marshal(c)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for k, v := range patch {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, _ = json.Marshal(m)
	var out Client
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return &EntityBase{V: BaseVersion, Client: &out, Kind: k, TrustType: tt}
}

func TestGoldenScenarios(t *testing.T) {
	dirs, err := filepath.Glob("testdata/scenarios/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 8 {
		t.Fatalf("found %d scenarios, want at least 8", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in := loadScenario(t, dir)
			plan := Review(in)
			got := Render(plan)
			if ops, err := plan.Ops(); err != nil {
				got += "ops: " + err.Error() + "\n"
			} else {
				got += RenderOps(ops)
			}
			path := filepath.Join(dir, "golden.txt")
			if *updateGolden {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -golden to create it, then read it)", err)
			}
			if string(want) != got {
				t.Errorf("%s differs from the review:\n%s", path, lineDiff(string(want), got))
			}
		})
	}
}

// lineDiff shows the first differing lines.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := 0
	for i := 0; i < max(len(w), len(g)) && n < 12; i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			fmt.Fprintf(&b, "line %d\n  want: %s\n  got:  %s\n", i+1, a, c)
			n++
		}
	}
	return b.String()
}
