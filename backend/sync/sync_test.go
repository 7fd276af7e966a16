package sync

import (
	"strings"
	"testing"
	"time"

	"structura/backend/model"
	"structura/backend/sandbox"
)

func TestMappingTable(t *testing.T) {
	m := DefaultMapping()
	// Every business structure the sandbox offers maps through the table.
	for _, l := range sandbox.StandardBusinessStructures {
		g := m.Classify(&Client{BusinessStructure: l}, nil)
		if g.Source != KindFromTable || !g.Kind.Valid() {
			t.Errorf("%q: %+v", l, g)
		}
	}
	cases := []struct {
		c      Client
		kind   model.EntityKind
		trust  model.TrustType
		source string
	}{
		{Client{BusinessStructure: "Individual"}, model.KindIndividual, "", KindFromTable},
		{Client{BusinessStructure: " self-managed superannuation FUND "}, model.KindSMSF, "", KindFromTable},
		{Client{ClientType: "Person"}, model.KindIndividual, "", KindFromTable},
		{Client{BusinessStructure: "Unit Trust"}, model.KindTrust, model.TrustUnit, KindFromTable},
		{Client{BusinessStructure: "Testamentary Trust"}, model.KindTrust, model.TrustTestamentary, KindFromKeyword},
		{Client{BusinessStructure: "Bare Trust (nominee)"}, model.KindTrust, model.TrustBare, KindFromKeyword},
		{Client{Name: "Acme Pty. Ltd."}, model.KindCompany, "", KindFromKeyword},
		{Client{Name: "Smith Bros"}, model.KindPartnership, "", KindFromKeyword},
		{Client{Name: "Trustworthy Cleaning"}, "", "", KindUnknown}, // "trust" is a whole word only
		{Client{FirstName: "Ava"}, model.KindIndividual, "", KindFromKeyword},
		{Client{BusinessStructure: "Strata"}, "", "", KindUnknown},
	}
	for _, c := range cases {
		g := m.Classify(&c.c, nil)
		if g.Kind != c.kind || g.TrustType != c.trust || g.Source != c.source {
			t.Errorf("%+v: got %+v", c.c, g)
		}
	}
	rules := map[string]KindRule{LabelKey("Strata"): {Label: "Strata", Kind: model.KindOther}}
	if g := m.Classify(&Client{BusinessStructure: "STRATA"}, rules); g.Source != KindFromRule || g.Kind != model.KindOther {
		t.Errorf("rule: %+v", g)
	}
	// the table wins over a rule for a label it knows
	rules[LabelKey("Company")] = KindRule{Label: "Company", Kind: model.KindTrust}
	if g := m.Classify(&Client{BusinessStructure: "Company"}, rules); g.Kind != model.KindCompany {
		t.Errorf("table vs rule: %+v", g)
	}
}

func TestParseMappingRefusesMistakes(t *testing.T) {
	for _, bad := range []string{
		`{"labels":[{"label":"A","kind":"robot"}]}`,
		`{"labels":[{"label":"A","kind":"company","trustType":"unit"}]}`,
		`{"labels":[{"label":"A B","kind":"company"},{"label":"a-b","kind":"company"}]}`,
		`{"keywords":[{"in":"body","words":["x"],"kind":"company"}]}`,
		`{"relationshipAlternatives":[{"type":"owner","use":"beneficiary"}]}`,
		`not json`,
	} {
		if _, err := ParseMapping([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestReadPlanChoosesByCost(t *testing.T) {
	// one 40-client group in a 15,000-client practice: per group
	p := ChooseReadPlan(ReadPlanInput{Members: []int{40}, PracticeClients: 15000, PerMinute: 60, CallsLeftToday: 5000})
	if p.Strategy != ReadGroups || p.Calls != 41 || p.AltCalls != 1 {
		t.Errorf("one group: %+v", p)
	}
	// every demo group (10 groups, 50 clients, practice of 60): one list
	members := []int{6, 6, 4, 5, 4, 5, 5, 5, 6, 4}
	p = ChooseReadPlan(ReadPlanInput{Members: members, PracticeClients: 60, PerMinute: 60, CallsLeftToday: 5000})
	if p.Strategy != ReadList || p.Calls != 1 || p.AltCalls != 60 {
		t.Errorf("demo: %+v", p)
	}
	// more calls than the day allows: list, whatever the time
	p = ChooseReadPlan(ReadPlanInput{Members: []int{40, 40}, PracticeClients: 1000000, PerMinute: 60, CallsLeftToday: 50})
	if p.Strategy != ReadList || !strings.Contains(p.Reason, "rest of today") {
		t.Errorf("day budget: %+v", p)
	}
	// after a first pull the list only brings what changed
	since := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	p = ChooseReadPlan(ReadPlanInput{Members: make([]int, 3000), PracticeClients: 15000, ModifiedSince: since, PerMinute: 60, CallsLeftToday: 5000})
	if p.Strategy != ReadList || !p.ModifiedSince.Equal(since) || p.Duration >= 20*time.Second {
		t.Errorf("incremental: %+v", p)
	}
	if p := ChooseReadPlan(ReadPlanInput{Members: []int{2}, Force: ReadList}); p.Strategy != ReadList {
		t.Errorf("forced: %+v", p)
	}
	// unknown sizes are estimated, never zero
	if p := ChooseReadPlan(ReadPlanInput{Members: []int{-1}, PerMinute: 60}); p.Calls != 1+unknownGroupSize && p.AltCalls != 1+unknownGroupSize {
		t.Errorf("unknown size: %+v", p)
	}
}

func TestAddressBothWays(t *testing.T) {
	line := ComposeAddress("27 John Street", "Cabramatta", "NSW", "2166", "Australia")
	if line != "27 John Street, Cabramatta NSW 2166" {
		t.Fatalf("compose: %q", line)
	}
	parts := SplitAddress(line)
	if parts["address"] != "27 John Street" || parts["city"] != "Cabramatta" || parts["region"] != "NSW" || parts["postCode"] != "2166" {
		t.Fatalf("split: %v", parts)
	}
	if got := ComposeAddress("Level 2\n10 Queen St", "Auckland", "", "1010", "New Zealand"); got != "Level 2, 10 Queen St, Auckland 1010, New Zealand" {
		t.Fatalf("overseas: %q", got)
	}
	if got := SplitAddress("PO Box 5, somewhere"); got["address"] != "PO Box 5, somewhere" || len(got) != 1 {
		t.Fatalf("free form: %v", got)
	}
	// every mapped field can be written back, or says why not
	for _, f := range Fields {
		if f.ToXPM == nil && f.NoPush == "" {
			t.Errorf("%s: neither ToXPM nor NoPush", f.Name)
		}
	}
}

func TestNearIdenticalNames(t *testing.T) {
	if looseName("Bright Horizons Early Learning Pty Ltd") != looseName("Bright Horizon Early Learning Pty. Ltd.") {
		t.Error("plural and punctuation")
	}
	if levenshtein("smith investment", "smyth investment", 2) != 1 || levenshtein("abc", "xyzabc", 2) != 3 {
		t.Error("levenshtein")
	}
	if foldWords("José  O’Brien-Smith") != "jose o brien smith" {
		t.Errorf("fold: %q", foldWords("José  O’Brien-Smith"))
	}
}

func TestCleanText(t *testing.T) {
	got, changed := cleanLine("  A\u200bB\u202e\tC  ")
	if got != "AB C" || !changed {
		t.Errorf("%q %v", got, changed)
	}
	got, changed = cleanText("one\r\ntwo\n\n\n\nthree\x07")
	if got != "one\ntwo\n\nthree" || !changed {
		t.Errorf("%q %v", got, changed)
	}
	if s, cut := truncateRunes("ééééé", 3); s != "ééé" || !cut {
		t.Errorf("%q", s)
	}
}
