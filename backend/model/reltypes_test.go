package model

import (
	"strings"
	"testing"
)

func TestRelationshipTypeTable(t *testing.T) {
	ts := RelationshipTypes()
	want := []string{"director", "shareholder", "trustee", "beneficiary", "appointor", "settlor", "partner", "member", "parent", "spouse"}
	if len(ts) != len(want) {
		t.Fatalf("%d types, want %d", len(ts), len(want))
	}
	for i, code := range want {
		if ts[i].Code != code {
			t.Errorf("type %d = %q, want %q", i, ts[i].Code, code)
		}
		if ts[i].XPMFromSide == "" || ts[i].XPMToSide == "" {
			t.Errorf("%s: XPM names missing", code)
		}
	}
	m, _ := LookupRelationshipType("member")
	if m.MaxPerTarget != 6 || !m.AllowsTo(KindSMSF) || m.AllowsTo(KindTrust) {
		t.Errorf("member: %+v", m)
	}
	tr, _ := LookupRelationshipType("trustee")
	if tr.AllowsTo(KindCompany) || !tr.AllowsTo(KindTrust) || !tr.AllowsTo(KindSMSF) {
		t.Errorf("trustee: %+v", tr)
	}
	sh, _ := LookupRelationshipType("shareholder")
	if !sh.AllowsShares || !sh.AllowsPercentage {
		t.Errorf("shareholder: %+v", sh)
	}
	for _, c := range []string{"director", "trustee", "spouse", "parent", "member", "appointor", "settlor"} {
		x, _ := LookupRelationshipType(c)
		if x.AllowsShares || x.AllowsPercentage {
			t.Errorf("%s must not allow shares or percentage", c)
		}
	}
	sp, _ := LookupRelationshipType("spouse")
	if !sp.Symmetric {
		t.Error("spouse must be symmetric")
	}
	// Callers get a copy.
	ts[0].FromKinds[0] = KindOther
	if d, _ := LookupRelationshipType("director"); d.FromKinds[0] != KindIndividual {
		t.Fatal("RelationshipTypes exposed the table")
	}
}

func TestParseRelationshipTypesRejectsBadTables(t *testing.T) {
	for name, doc := range map[string]string{
		"not json":     `{`,
		"empty":        `{"types": []}`,
		"no label":     `{"types": [{"code": "x", "inverseLabel": "X", "fromKinds": ["individual"], "toKinds": ["company"]}]}`,
		"duplicate":    `{"types": [{"code": "x", "label": "X of", "inverseLabel": "X", "fromKinds": ["individual"], "toKinds": ["company"]}, {"code": "x", "label": "X of", "inverseLabel": "X", "fromKinds": ["individual"], "toKinds": ["company"]}]}`,
		"unknown kind": `{"types": [{"code": "x", "label": "X of", "inverseLabel": "X", "fromKinds": ["person"], "toKinds": ["company"]}]}`,
		"asymmetric":   `{"types": [{"code": "x", "label": "X of", "inverseLabel": "X", "symmetric": true, "fromKinds": ["individual"], "toKinds": ["company"]}]}`,
	} {
		if _, err := parseRelationshipTypes([]byte(doc)); err == nil || !strings.Contains(err.Error(), "relationship_types.json") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
