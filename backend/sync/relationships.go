package sync

import (
	"fmt"
	"math"
	"strings"

	"structura/backend/model"
)

// RelFact is one XPM relationship in local terms: "From is <Type label>
// To", with the ends as XPM client uuids. It is mapped once, from whichever
// client it was first read on, and checked against the other side.
type RelFact struct {
	UUID     string   `json:"uuid"`
	Type     string   `json:"type"` // local type code (relationship_types.json)
	FromUUID string   `json:"fromUuid"`
	ToUUID   string   `json:"toUuid"`
	Shares   *int64   `json:"numberOfShares,omitempty"`
	Percent  *float64 `json:"percentage,omitempty"`
	Start    string   `json:"startDate,omitempty"`
	End      string   `json:"endDate,omitempty"`
	Notes    string   `json:"notes,omitempty"`
	// XPMType is the XPM type name as read on the 'to' client's side
	// (or the only side read).
	XPMType string `json:"xpmType"`
	// Alternative is set when the fact is recorded under another type than
	// XPM's (see mapping.json); OrigType is then the type XPM's name maps to.
	Alternative bool   `json:"alternative,omitempty"`
	OrigType    string `json:"origType,omitempty"`
}

// relRead is a relationship as read on one client, before merging sides.
type relRead struct {
	fact  RelFact
	flags []Flag
	bad   string // why it cannot be mapped ("" = fine)
	onto  string // the client it was read on
}

// xpmTypeIndex maps an XPM type name (folded) to the local type and the
// side it is seen on.
type xpmSide struct {
	t      model.RelationshipType
	isFrom bool // the name is what the 'from' client shows
}

func xpmTypeIndex() map[string][]xpmSide {
	idx := map[string][]xpmSide{}
	for _, t := range model.RelationshipTypes() {
		if t.XPMFromSide != "" {
			k := LabelKey(t.XPMFromSide)
			idx[k] = append(idx[k], xpmSide{t, true})
		}
		if t.XPMToSide != "" {
			k := LabelKey(t.XPMToSide)
			idx[k] = append(idx[k], xpmSide{t, false})
		}
	}
	return idx
}

// readRel maps one relationship as it appears on client on.
func readRel(idx map[string][]xpmSide, on string, r XPMRel) relRead {
	rr := relRead{onto: on}
	typ, _ := cleanLine(r.Type)
	other := strings.TrimSpace(r.Related.UUID)
	f := RelFact{UUID: strings.TrimSpace(r.UUID), XPMType: typ}
	if other == "" {
		rr.bad = "XPM does not say who the other client is"
		f.ToUUID = on
		rr.fact = f
		return rr
	}
	if other == on {
		rr.bad = "XPM records it between a client and itself"
		f.FromUUID, f.ToUUID = on, on
		rr.fact = f
		return rr
	}
	sides := idx[LabelKey(typ)]
	if len(sides) == 0 {
		rr.bad = fmt.Sprintf("Structura does not know XPM's relationship type “%s”", short(typ, 60))
		if typ == "" {
			rr.bad = "XPM gives no relationship type"
		}
		f.FromUUID, f.ToUUID = other, on
		rr.fact = f
		return rr
	}
	s := sides[0]
	f.Type = s.t.Code
	switch {
	case s.t.Symmetric:
		f.FromUUID, f.ToUUID = on, other
		if other < on {
			f.FromUUID, f.ToUUID = other, on
		}
	case s.isFrom:
		f.FromUUID, f.ToUUID = on, other
	default:
		f.FromUUID, f.ToUUID = other, on
	}
	if r.NumberOfShares != nil {
		n := *r.NumberOfShares
		switch {
		case !s.t.AllowsShares:
			rr.flags = append(rr.flags, Flag{Code: FlagFieldDropped, Level: LevelInfo, Field: "numberOfShares",
				Message: fmt.Sprintf("XPM gives %d shares, which Structura does not record for %s; kept in the pull's snapshot.", n, strings.ToLower(s.t.Label))})
			f.Notes = ""
			f.Shares = &n // kept for an alternative type's note; cleared below
		case n < 1:
			rr.flags = append(rr.flags, Flag{Code: FlagFieldDropped, Level: LevelWarning, Field: "numberOfShares",
				Message: fmt.Sprintf("XPM gives %d shares; a number of shares must be 1 or more, so it was not kept.", n)})
		default:
			f.Shares = &n
		}
	}
	if r.Percentage != nil {
		p := *r.Percentage
		switch {
		case !s.t.AllowsPercentage && !hasAlternativeWithPercent(s.t.Code):
			rr.flags = append(rr.flags, Flag{Code: FlagFieldDropped, Level: LevelInfo, Field: "percentage",
				Message: fmt.Sprintf("XPM gives %s, which Structura does not record for %s; kept in the pull's snapshot.", model.FormatPercent(p), strings.ToLower(s.t.Label))})
		case math.IsNaN(p) || math.IsInf(p, 0) || p < 0 || p > 100:
			rr.flags = append(rr.flags, Flag{Code: FlagFieldDropped, Level: LevelWarning, Field: "percentage",
				Message: fmt.Sprintf("XPM gives a percentage of %s, outside 0–100%%, so it was not kept.", model.FormatPercent(p))})
		default:
			f.Percent = &p
		}
	}
	f.Start, f.End = r.StartDate, r.EndDate
	if f.Start != "" && f.End != "" && f.End < f.Start {
		rr.flags = append(rr.flags, Flag{Code: FlagFieldDropped, Level: LevelWarning, Field: "endDate",
			Message: fmt.Sprintf("XPM's end date %s is before its start date %s; the end date was not kept.", f.End, f.Start)})
		f.End = ""
	}
	rr.fact = f
	return rr
}

func hasAlternativeWithPercent(code string) bool {
	for _, a := range defaultMapping.Alternatives {
		if a.Type == code {
			if t, ok := model.LookupRelationshipType(a.Use); ok && t.AllowsPercentage {
				return true
			}
		}
	}
	return false
}

// sameFact reports whether two readings of one relationship agree.
func sameFact(a, b RelFact) bool {
	return a.Type == b.Type && a.FromUUID == b.FromUUID && a.ToUUID == b.ToUUID &&
		eqPtr(a.Shares, b.Shares) && eqPtr(a.Percent, b.Percent) && a.Start == b.Start && a.End == b.End
}

func eqPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// relKey identifies a relationship: its XPM uuid, or (when XPM gave none)
// its ends and type.
func relKey(f RelFact) string {
	if f.UUID != "" {
		return f.UUID
	}
	return "nouuid:" + f.FromUUID + ">" + f.ToUUID + ":" + LabelKey(f.XPMType)
}

// fitKinds checks that the fact's type allows the kinds at its ends; when
// it does not, it tries the mapping's alternatives. It returns the fact to
// record (possibly under an alternative type), a flag when an alternative
// was used, and the local rule's message when nothing fits.
func (m *Mapping) fitKinds(f RelFact, from, to *model.Entity) (RelFact, *Flag, string) {
	in := relInput(f, 1, 2)
	errs := model.ValidateRelationshipInput(in, *from, *to)
	if kindErr(errs) == "" {
		return f, nil, ""
	}
	for _, a := range m.Alternatives {
		if a.Type != f.Type || !containsKind(a.ToKinds, to.Kind) {
			continue
		}
		alt := f
		alt.Type, alt.Alternative, alt.OrigType = a.Use, true, f.Type
		t, _ := model.LookupRelationshipType(a.Use)
		if !t.AllowsShares && alt.Shares != nil {
			if a.SharesNote != "" {
				alt.Notes = strings.ReplaceAll(a.SharesNote, "{n}", fmt.Sprint(*alt.Shares))
			}
			alt.Shares = nil
		}
		if !t.AllowsPercentage {
			alt.Percent = nil
		}
		if kindErr(model.ValidateRelationshipInput(relInput(alt, 1, 2), *from, *to)) != "" {
			continue
		}
		ot, _ := model.LookupRelationshipType(f.Type)
		return alt, &Flag{Code: FlagAlternativeType, Level: LevelInfo,
			Message: fmt.Sprintf("Recorded as a %s instead of a %s: %s", strings.ToLower(t.InverseLabel), strings.ToLower(ot.InverseLabel), a.Reason)}, ""
	}
	return f, nil, kindErr(errs)
}

func containsKind(ks []model.EntityKind, k model.EntityKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func kindErr(errs model.Errors) string {
	for _, k := range []string{"fromId", "toId", "type"} {
		if m, ok := errs[k]; ok {
			return m
		}
	}
	return ""
}

// relInput is the local input for a fact between entity ids from and to.
func relInput(f RelFact, from, to int64) model.RelationshipInput {
	in := model.RelationshipInput{FromID: from, ToID: to, Type: f.Type, StartDate: f.Start, EndDate: f.End, Notes: f.Notes}
	if t, ok := model.LookupRelationshipType(f.Type); ok {
		if t.AllowsShares && f.Shares != nil {
			v := *f.Shares
			in.NumberOfShares = &v
		}
		if t.AllowsPercentage && f.Percent != nil {
			v := *f.Percent
			in.Percentage = &v
		}
	}
	return in
}
