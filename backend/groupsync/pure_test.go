package groupsync

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"structura/backend/store"
)

var (
	d1 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	d2 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
)

// cached builds a cache row seen first and last at d1.
func cached(uuid, name string, members ...string) store.XPMGroup {
	return store.XPMGroup{TenantID: "T", UUID: uuid, Name: name, Taxable: "No", Members: members, MemberCount: intPtr(len(members)),
		FirstSeenAt: d1, LastSeenAt: d1, ChangedAt: d1}
}

func deleted(g store.XPMGroup, at time.Time) store.XPMGroup { g.DeletedAt = at; return g }

func seen(uuid, name string, members ...string) Observed {
	return Observed{UUID: uuid, Name: name, Taxable: "No", Members: members, Counted: true}
}

// row is a cache row in the compact form the scenarios below compare.
type row struct {
	UUID, Name string
	Count      any // int, or nil when not counted
	Members    string
	Changed    string // "d1"/"d2"
	Deleted    string // ""/"d1"/"d2"
	LastSeen   string
}

func day(t time.Time) string {
	switch {
	case t.IsZero():
		return ""
	case t.Equal(d1):
		return "d1"
	case t.Equal(d2):
		return "d2"
	}
	return t.String()
}

func compact(gs []store.XPMGroup) []row {
	out := []row{}
	for _, g := range gs {
		r := row{UUID: g.UUID, Name: g.Name, Members: strings.Join(g.Members, ","), Changed: day(g.ChangedAt),
			Deleted: day(g.DeletedAt), LastSeen: day(g.LastSeenAt)}
		if g.MemberCount != nil {
			r.Count = *g.MemberCount
		}
		out = append(out, r)
	}
	return out
}

// Golden scenarios of Diff: the previous cache, what a discovery at d2
// observed, the expected cache and changes.
func TestDiffScenarios(t *testing.T) {
	cases := []struct {
		name    string
		prev    []store.XPMGroup
		obs     []Observed
		want    []row
		changes Changes
	}{
		{
			name: "first discovery",
			obs:  []Observed{seen("b", "Smith Family", "c2", "c1"), seen("a", "Nguyen Family Group", "c3")},
			want: []row{
				{"a", "Nguyen Family Group", 1, "c3", "d2", "", "d2"},
				{"b", "Smith Family", 2, "c1,c2", "d2", "", "d2"},
			},
			changes: Changes{Added: []string{"Nguyen Family Group", "Smith Family"}},
		},
		{
			name:    "nothing changed: only last seen moves",
			prev:    []store.XPMGroup{cached("a", "Chen", "c1")},
			obs:     []Observed{seen("a", "Chen", "c1")},
			want:    []row{{"a", "Chen", 1, "c1", "d1", "", "d2"}},
			changes: Changes{Unchanged: 1},
		},
		{
			name: "a group disappears: marked deleted, not dropped",
			prev: []store.XPMGroup{cached("a", "Chen", "c1"), cached("b", "Papadopoulos Group", "c2")},
			obs:  []Observed{seen("a", "Chen", "c1")},
			want: []row{
				{"a", "Chen", 1, "c1", "d1", "", "d2"},
				{"b", "Papadopoulos Group", 1, "c2", "d1", "d2", "d1"},
			},
			changes: Changes{Deleted: []string{"Papadopoulos Group"}, Unchanged: 1},
		},
		{
			name: "already deleted stays as it was",
			prev: []store.XPMGroup{deleted(cached("b", "Gone", "c2"), d1)},
			obs:  nil,
			want: []row{{"b", "Gone", 1, "c2", "d1", "d1", "d1"}},
		},
		{
			name:    "a deleted group returns",
			prev:    []store.XPMGroup{deleted(cached("b", "Back", "c2"), d1)},
			obs:     []Observed{seen("b", "Back", "c2")},
			want:    []row{{"b", "Back", 1, "c2", "d2", "", "d2"}},
			changes: Changes{Returned: []string{"Back"}},
		},
		{
			name: "renamed and members changed",
			prev: []store.XPMGroup{cached("a", "Chen Family", "c1"), cached("b", "Smith", "c2")},
			obs:  []Observed{seen("a", "Chen Family Group", "c1"), seen("b", "Smith", "c2", "c3", "c3")},
			want: []row{
				{"a", "Chen Family Group", 1, "c1", "d2", "", "d2"},
				{"b", "Smith", 2, "c2,c3", "d2", "", "d2"},
			},
			changes: Changes{Renamed: []Rename{{"a", "Chen Family", "Chen Family Group"}}, MembersChanged: 1},
		},
		{
			name:    "members not counted: previous members kept",
			prev:    []store.XPMGroup{cached("a", "Chen", "c1")},
			obs:     []Observed{{UUID: "a", Name: "Chen", Taxable: "No"}},
			want:    []row{{"a", "Chen", 1, "c1", "d1", "", "d2"}},
			changes: Changes{Unchanged: 1},
		},
		{
			name:    "a new group not counted has no count",
			obs:     []Observed{{UUID: "z", Name: "Zed"}},
			want:    []row{{"z", "Zed", nil, "", "d2", "", "d2"}},
			changes: Changes{Added: []string{"Zed"}},
		},
		{
			name:    "duplicate and empty uuids in the answer are ignored",
			obs:     []Observed{seen("a", "One"), seen("a", "One again"), seen("", "No id")},
			want:    []row{{"a", "One", 0, "", "d2", "", "d2"}},
			changes: Changes{Added: []string{"One"}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ch := Diff("T", c.prev, c.obs, d2)
			if g := compact(got); !reflect.DeepEqual(g, c.want) {
				t.Errorf("cache:\n got %+v\nwant %+v", g, c.want)
			}
			norm := func(c Changes) string {
				if c.Added == nil {
					c.Added = []string{}
				}
				if c.Deleted == nil {
					c.Deleted = []string{}
				}
				if c.Returned == nil {
					c.Returned = []string{}
				}
				if c.Renamed == nil {
					c.Renamed = []Rename{}
				}
				b, _ := json.Marshal(c)
				return string(b)
			}
			if norm(ch) != norm(c.changes) {
				t.Errorf("changes:\n got %s\nwant %s", norm(ch), norm(c.changes))
			}
			for _, g := range got {
				if g.TenantID != "T" {
					t.Errorf("tenant %q", g.TenantID)
				}
			}
		})
	}
}

func TestDiffDoesNotChangeItsInput(t *testing.T) {
	prev := []store.XPMGroup{cached("a", "A", "c1")}
	obs := []Observed{seen("a", "B", "c2")}
	Diff("T", prev, obs, d2)
	if prev[0].Name != "A" || prev[0].Members[0] != "c1" || !prev[0].ChangedAt.Equal(d1) {
		t.Fatalf("input changed: %+v", prev[0])
	}
}

func TestNameSimilarity(t *testing.T) {
	cases := []struct {
		a, b string
		min  float64
		max  float64
	}{
		{"Nguyen Family Group", "Nguyen Family Group", 1, 1},
		{"Nguyen Family Group", "nguyen  family group ", 1, 1},
		{"O'Brien Family", "OBrien Family", 1, 1},
		{"Smith & Co", "Smith and Co", 1, 1},
		{"Bright Horizons", "Bright Horizon", 1, 1},
		{"Nguyen Family Group", "Nguyen Family", 0.8, 0.99},
		{"Nguyen Family Group", "Nguyen", 0.8, 0.99},
		{"Family Group Nguyen", "Nguyen Family Group", 0.99, 0.99},
		{"Chen Family Group", "Smith Family", 0.1, 0.3},
		{"Chen Family Group", "Zhang Wei", 0, 0},
		{"", "Chen", 0, 0},
		{"---", "Chen", 0, 0},
	}
	for _, c := range cases {
		got := NameSimilarity(c.a, c.b)
		if got < c.min || got > c.max {
			t.Errorf("NameSimilarity(%q, %q) = %.3f, want %.2f..%.2f", c.a, c.b, got, c.min, c.max)
		}
		if back := NameSimilarity(c.b, c.a); back != got {
			t.Errorf("not symmetric: %q %q: %.3f vs %.3f", c.a, c.b, got, back)
		}
	}
}

func TestRankAndBest(t *testing.T) {
	cands := []Candidate{
		{ID: 1, Name: "Smith Family"},
		{ID: 2, Name: "Smith Family (Geelong)"},
		{ID: 3, Name: "Chen Family"},
		{ID: 4, Name: "Nguyen Holdings"},
	}
	cases := []struct {
		xpm      string
		best     int64 // 0 = no suggestion
		firstIDs []int64
	}{
		{"Smith Family (Ballarat)", 1, []int64{1, 2}},
		{"Chen Family Group", 3, []int64{3}},
		{"Nguyen Family Group", 4, []int64{4}},
		{"Papadopoulos Group", 0, nil},
	}
	for _, c := range cases {
		ranked := Rank(c.xpm, cands)
		if len(ranked) != len(cands) {
			t.Fatalf("%s: %d ranked", c.xpm, len(ranked))
		}
		for i := 1; i < len(ranked); i++ {
			if ranked[i].Score > ranked[i-1].Score {
				t.Fatalf("%s: not best first: %+v", c.xpm, ranked)
			}
		}
		for i, id := range c.firstIDs {
			if ranked[i].ID != id {
				t.Errorf("%s: rank %d is %+v, want id %d", c.xpm, i, ranked[i], id)
			}
		}
		b := Best(ranked)
		switch {
		case c.best == 0 && b != nil:
			t.Errorf("%s: suggested %+v, want none", c.xpm, b)
		case c.best != 0 && (b == nil || b.ID != c.best):
			t.Errorf("%s: suggested %+v, want id %d", c.xpm, b, c.best)
		}
	}
	// A tie is not a suggestion.
	tie := Rank("Lee Family", []Candidate{{ID: 1, Name: "Lee"}, {ID: 2, Name: "Lee"}})
	if Best(tie) != nil {
		t.Fatalf("tie suggested: %+v", tie)
	}
	if Best(nil) != nil {
		t.Fatal("suggestion from nothing")
	}
}

func TestFilterAndSort(t *testing.T) {
	id := func(n int64) *int64 { return &n }
	at := func(h int) *time.Time { x := d1.Add(time.Duration(h) * time.Hour); return &x }
	rows := []XPMGroupRow{
		{UUID: "1", Name: "Nguyen Family Group", MemberCount: intPtr(6), ChangedAt: d1,
			Link: &LinkInfo{LocalGroupID: id(10), LocalGroupName: "Nguyen Family", LastPulledAt: at(5)}},
		{UUID: "2", Name: "chen family group", MemberCount: intPtr(5), ChangedAt: d2},
		{UUID: "3", Name: "Papadopoulos Group", MemberCount: intPtr(6), DeletedInXPM: true, ChangedAt: d1},
		{UUID: "4", Name: "Williams Property Group", MemberCount: nil, ChangedAt: d1,
			Link: &LinkInfo{LocalGroupID: id(11), LocalGroupName: "Emma & Daniel"}},
		{UUID: "5", Name: "Smith Family (Ballarat)", MemberCount: intPtr(4), DeletedInXPM: true, ChangedAt: d1,
			Link: &LinkInfo{LocalGroupID: id(12), LocalGroupName: "Smith Family", LastPulledAt: at(1)}},
	}
	uuids := func(rs []XPMGroupRow) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.UUID)
		}
		return strings.Join(out, "")
	}
	cases := []struct {
		f    Filter
		want string
	}{
		{Filter{}, "21354"},
		{Filter{Desc: true}, "45312"},
		{Filter{Status: "linked"}, "154"},
		{Filter{Status: "unlinked"}, "2"},
		{Filter{Status: "deleted"}, "35"},
		{Filter{Status: "bogus"}, "21354"},
		{Filter{Query: "family"}, "215"},
		{Filter{Query: "GROUP chen"}, "2"},
		{Filter{Query: "emma"}, "4"},        // matches the local group's name
		{Filter{Query: "daniel emma"}, "4"}, // words in any order
		{Filter{Query: "o'brien"}, ""},      // nothing
		{Filter{Sort: "members"}, "45213"},  // unknown count first, then by count, then name
		{Filter{Sort: "members", Desc: true}, "31254"},
		{Filter{Sort: "status"}, "14253"},   // linked, unlinked, linked+deleted, deleted
		{Filter{Sort: "linkedTo"}, "41523"}, // unlinked last
		{Filter{Sort: "linkedTo", Desc: true}, "51432"},
		{Filter{Sort: "lastPulled"}, "23451"}, // never pulled first
		{Filter{Sort: "changed", Desc: true}, "24531"},
		{Filter{Status: "linked", Query: "smith", Sort: "name"}, "5"},
	}
	for _, c := range cases {
		if got := uuids(Apply(rows, c.f)); got != c.want {
			t.Errorf("Apply(%+v) = %q, want %q", c.f, got, c.want)
		}
	}
	if got := CountRows(rows); got != (Counts{Total: 5, Linked: 3, Unlinked: 1, Deleted: 2}) {
		t.Errorf("counts %+v", got)
	}
	if rows[0].UUID != "1" || rows[1].UUID != "2" {
		t.Fatal("Apply reordered its input")
	}
}

func TestBulkSummary(t *testing.T) {
	items := []BulkItem{{XPMGroupUUID: "a"}, {XPMGroupUUID: "b", LocalGroupID: 7}, {XPMGroupUUID: "c"}, {XPMGroupUUID: "d"}, {XPMGroupUUID: "e"}, {XPMGroupUUID: "f"}}
	cp := bulkCheckpoint{Calls: 4, Results: map[string]BulkOutcome{
		"a": {Status: OutcomeCreated, Name: "A"},
		"b": {Status: OutcomeLinked, Name: "B", LocalGroupID: 7},
		"c": {Status: OutcomeAlready, Name: "C"},
		"d": {Status: OutcomeDeleted, Name: "D", Message: "Deleted in XPM"},
		"e": {Status: OutcomeRefused, Name: "E", Message: "linked elsewhere"},
	}}
	s := bulkSummary(items, cp, true)
	if s.Requested != 6 || s.Linked != 2 || s.CreatedGroups != 1 || s.AlreadyLinked != 1 || s.DeletedInXPM != 1 ||
		s.Refused != 1 || s.NotDone != 1 || !s.Canceled || s.Calls != 4 || len(s.Problems) != 2 {
		t.Fatalf("summary %+v", s)
	}
	want := "Linked 2 of 6 groups; 1 new local group created; 1 already linked; 1 deleted in XPM; 1 not linked (see why); 1 left untouched (cancelled)."
	if !strings.HasPrefix(s.Message, want) || !strings.Contains(s.Message, "Pull now") {
		t.Fatalf("message %q", s.Message)
	}
}

func TestLocalNameFor(t *testing.T) {
	if got := localNameFor("  Chen Family Group ", "x"); got != "Chen Family Group" {
		t.Errorf("%q", got)
	}
	if got := localNameFor("", "6a1f4c1e-3b5d"); got != "XPM group 6a1f4c1e" {
		t.Errorf("%q", got)
	}
	if got := localNameFor(strings.Repeat("é", 250), "x"); len([]rune(got)) != 200 {
		t.Errorf("%d runes", len([]rune(got)))
	}
}
