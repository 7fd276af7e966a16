package sync

import (
	"strconv"
	"strings"

	"structura/backend/model"
)

// mergeEntity merges XPM's values (remote) into the local entity's (local)
// field by field, against the last pulled values (base, nil on a first
// link):
//
//   - with a base: a field XPM did not change is left alone (a local edit
//     stays); a field XPM changed is written if Structura still has the old
//     value; a field changed on both sides is a conflict (Structura's value
//     stays unless choices say "xpm");
//   - without a base (linking an existing entity): an empty local field is
//     filled; differing values are conflicts (Structura's value stays
//     unless choices say "xpm").
//
// dropped names fields whose XPM value the local rules refused: they are
// never written. It returns the merged input and the changes.
func mergeEntity(kind model.EntityKind, local, remote model.EntityInput, base *model.EntityInput, dropped map[string]bool, choices map[string]string) (model.EntityInput, []FieldChange) {
	out := local
	var changes []FieldChange
	for _, f := range Fields {
		if f.ToLocal == nil || !f.Applies(kind) || dropped[f.Name] {
			continue
		}
		l, r := f.Get(&local), f.Get(&remote)
		if l == r {
			continue
		}
		fc := FieldChange{Field: f.Name, Label: f.Label, Local: l, XPM: r}
		if base != nil {
			b := f.Get(base)
			fc.Base = b
			if r == b {
				continue
			}
			if l == b {
				fc.Apply = true
			} else if equivalent(f.Name, l, r) {
				continue
			} else {
				fc.Conflict = true
				fc.Apply = choices[f.Name] == "xpm"
			}
		} else {
			switch {
			case l == "":
				fc.Apply = true
			case r == "", equivalent(f.Name, l, r):
				continue
			default:
				fc.Conflict = true
				fc.Apply = choices[f.Name] == "xpm"
			}
		}
		if fc.Apply {
			f.Set(&out, r)
		}
		changes = append(changes, fc)
	}
	return out, changes
}

// equivalent reports whether two values of a field differ only in ways a
// practitioner would not call a difference: case, punctuation and spacing
// of names and addresses, the layout of a phone number, the case of an
// email address.
func equivalent(field, a, b string) bool {
	switch field {
	case "phone":
		return digits(a) == digits(b) && digits(a) != ""
	case "email":
		return strings.EqualFold(a, b)
	case "givenName", "familyName", "legalName", "tradingName", "address":
		return foldWords(a) == foldWords(b)
	}
	return false
}

// entityInput is a local entity as an input (without its TFN).
func entityInput(e *model.Entity) model.EntityInput {
	return model.EntityInput{Kind: e.Kind, TrustType: e.TrustType, GivenName: e.GivenName, FamilyName: e.FamilyName,
		LegalName: e.LegalName, TradingName: e.TradingName, DateOfBirth: e.DateOfBirth, ABN: e.ABN, ACN: e.ACN,
		Email: e.Email, Phone: e.Phone, Address: e.Address, Notes: e.Notes}
}

// relField is one mergeable field of a relationship.
type relField struct {
	name, label string
	get         func(*model.RelationshipInput) string
	set         func(*model.RelationshipInput, string)
}

var relFields = []relField{
	{"numberOfShares", "Number of shares",
		func(in *model.RelationshipInput) string {
			if in.NumberOfShares == nil {
				return ""
			}
			return strconv.FormatInt(*in.NumberOfShares, 10)
		},
		func(in *model.RelationshipInput, v string) {
			in.NumberOfShares = nil
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				in.NumberOfShares = &n
			}
		}},
	{"percentage", "Percentage",
		func(in *model.RelationshipInput) string {
			if in.Percentage == nil {
				return ""
			}
			return strconv.FormatFloat(*in.Percentage, 'f', -1, 64)
		},
		func(in *model.RelationshipInput, v string) {
			in.Percentage = nil
			if p, err := strconv.ParseFloat(v, 64); err == nil {
				in.Percentage = &p
			}
		}},
	{"startDate", "Start date",
		func(in *model.RelationshipInput) string { return in.StartDate },
		func(in *model.RelationshipInput, v string) { in.StartDate = v }},
	{"endDate", "End date",
		func(in *model.RelationshipInput) string { return in.EndDate },
		func(in *model.RelationshipInput, v string) { in.EndDate = v }},
	{"notes", "Notes",
		func(in *model.RelationshipInput) string { return in.Notes },
		func(in *model.RelationshipInput, v string) { in.Notes = v }},
}

// mergeRel is mergeEntity for a relationship's fields. Notes are only
// written when the mapping gives some (a relationship's own notes are
// Structura's).
func mergeRel(local, remote model.RelationshipInput, base *model.RelationshipInput, choices map[string]string) (model.RelationshipInput, []FieldChange) {
	out := local
	var changes []FieldChange
	for _, f := range relFields {
		l, r := f.get(&local), f.get(&remote)
		if l == r {
			continue
		}
		if f.name == "notes" && r == "" && (base == nil || f.get(base) == "") {
			continue
		}
		fc := FieldChange{Field: f.name, Label: f.label, Local: l, XPM: r}
		if base != nil {
			b := f.get(base)
			fc.Base = b
			if r == b {
				continue
			}
			if l == b {
				fc.Apply = true
			} else {
				fc.Conflict = true
				fc.Apply = choices[f.name] == "xpm"
			}
		} else {
			switch {
			case l == "":
				fc.Apply = true
			case r == "":
				continue
			default:
				fc.Conflict = true
				fc.Apply = choices[f.name] == "xpm"
			}
		}
		if fc.Apply {
			f.set(&out, r)
		}
		changes = append(changes, fc)
	}
	return out, changes
}

func relInputOf(r *model.Relationship) model.RelationshipInput {
	return model.RelationshipInput{FromID: r.FromID, ToID: r.ToID, Type: r.Type, NumberOfShares: r.NumberOfShares,
		Percentage: r.Percentage, StartDate: r.StartDate, EndDate: r.EndDate, Notes: r.Notes}
}
