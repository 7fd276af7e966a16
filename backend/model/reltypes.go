package model

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
)

//go:embed relationship_types.json
var relationshipTypesJSON []byte

var relationshipTypes = mustLoadRelationshipTypes(relationshipTypesJSON)

// RelationshipTypes returns the relationship type table, in display order.
// The slice is a copy; callers may keep it.
func RelationshipTypes() []RelationshipType {
	out := make([]RelationshipType, len(relationshipTypes))
	for i, t := range relationshipTypes {
		t.FromKinds = slices.Clone(t.FromKinds)
		t.ToKinds = slices.Clone(t.ToKinds)
		out[i] = t
	}
	return out
}

// LookupRelationshipType returns the type with the given code.
func LookupRelationshipType(code string) (RelationshipType, bool) {
	for _, t := range relationshipTypes {
		if t.Code == code {
			return t, true
		}
	}
	return RelationshipType{}, false
}

// AllowsFrom reports whether an entity of kind k may be at the 'from' end.
func (t RelationshipType) AllowsFrom(k EntityKind) bool { return slices.Contains(t.FromKinds, k) }

// AllowsTo reports whether an entity of kind k may be at the 'to' end.
func (t RelationshipType) AllowsTo(k EntityKind) bool { return slices.Contains(t.ToKinds, k) }

func mustLoadRelationshipTypes(b []byte) []RelationshipType {
	ts, err := parseRelationshipTypes(b)
	if err != nil {
		panic(err)
	}
	return ts
}

// parseRelationshipTypes reads and checks the table; a bad table is a build
// mistake caught by the package tests.
func parseRelationshipTypes(b []byte) ([]RelationshipType, error) {
	var doc struct {
		Types []RelationshipType `json:"types"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("relationship_types.json: %w", err)
	}
	if len(doc.Types) == 0 {
		return nil, fmt.Errorf("relationship_types.json: no types")
	}
	seen := map[string]bool{}
	for i, t := range doc.Types {
		switch {
		case t.Code == "" || t.Label == "" || t.InverseLabel == "":
			return nil, fmt.Errorf("relationship_types.json: type %d: code, label and inverseLabel are required", i)
		case seen[t.Code]:
			return nil, fmt.Errorf("relationship_types.json: duplicate code %q", t.Code)
		case len(t.FromKinds) == 0 || len(t.ToKinds) == 0:
			return nil, fmt.Errorf("relationship_types.json: %q: fromKinds and toKinds are required", t.Code)
		case t.MaxPerTarget < 0:
			return nil, fmt.Errorf("relationship_types.json: %q: negative maxPerTarget", t.Code)
		}
		for _, k := range append(slices.Clone(t.FromKinds), t.ToKinds...) {
			if !k.Valid() {
				return nil, fmt.Errorf("relationship_types.json: %q: unknown kind %q", t.Code, k)
			}
		}
		if t.Symmetric && !slices.Equal(t.FromKinds, t.ToKinds) {
			return nil, fmt.Errorf("relationship_types.json: %q: a symmetric type needs the same kinds at both ends", t.Code)
		}
		seen[t.Code] = true
	}
	return doc.Types, nil
}
