package sync

import (
	"fmt"
	"strconv"
	"strings"

	"structura/backend/model"
)

// Render writes a plan as text, one fact per line, for golden tests and
// logs (no personal data is logged: tests only).
func Render(p *Plan) string {
	var b strings.Builder
	s := p.Summary
	fmt.Fprintf(&b, "summary: entities %s | relationships %s | memberships %s | needInput=%d flagged=%d conflicts=%d changes=%d\n",
		counts(s.Entities), counts(s.Relationships), counts(s.Memberships), s.NeedInput, s.Flagged, s.Conflicts, s.Changes)
	fmt.Fprintf(&b, "message: %s\n", s.Message)
	for _, g := range p.Groups {
		fmt.Fprintf(&b, "group %s %q -> local %d %q: members=%d changes=%d needInput=%d", g.UUID, g.Name, g.LocalGroupID, g.LocalName, g.Members, g.Changes, g.NeedInput)
		if g.Problem != "" {
			fmt.Fprintf(&b, " problem=%q", g.Problem)
		}
		b.WriteByte('\n')
	}
	for _, r := range p.Rules {
		fmt.Fprintf(&b, "rule %q -> %s\n", r.Label, kindLabel(r.Kind, r.TrustType))
	}
	for _, it := range p.Items {
		fmt.Fprintf(&b, "%s [%s] %s\n", it.Key, it.Action, it.Title)
		switch {
		case it.Entity != nil:
			e := it.Entity
			fmt.Fprintf(&b, "  kind=%s source=%s match=%s", kindLabel(e.Kind.Kind, e.Kind.TrustType), e.Kind.Source, e.Match)
			if e.EntityID != 0 {
				fmt.Fprintf(&b, " entity=%d", e.EntityID)
			}
			if e.Referenced {
				b.WriteString(" referenced")
			}
			b.WriteByte('\n')
			for _, c := range e.Candidates {
				fmt.Fprintf(&b, "  candidate %d %q %s: %s\n", c.EntityID, c.Name, c.Level, c.Reason)
			}
		case it.Relationship != nil:
			r := it.Relationship
			fmt.Fprintf(&b, "  xpm=%q type=%s %s>%s%s", r.XPMType, r.Type, r.FromUUID, r.ToUUID, relNums(r.NumberOfShares, r.Percentage, r.StartDate, r.EndDate, r.Notes))
			if r.RelationshipID != 0 {
				fmt.Fprintf(&b, " local=%d", r.RelationshipID)
			}
			if r.CrossGroup {
				b.WriteString(" cross-group")
			}
			b.WriteByte('\n')
		}
		if it.Detail != "" {
			fmt.Fprintf(&b, "  detail: %s\n", it.Detail)
		}
		for _, c := range it.Changes {
			mark := "keep"
			if c.Apply {
				mark = "apply"
			}
			if c.Conflict {
				mark += " conflict"
			}
			fmt.Fprintf(&b, "  change %s: %q -> %q (base %q) %s\n", c.Field, short(c.Local, 50), short(c.XPM, 50), short(c.Base, 50), mark)
		}
		for _, f := range it.Flags {
			fmt.Fprintf(&b, "  flag %s %s: %s\n", f.Level, f.Code, f.Message)
		}
		if it.NeedsInput {
			fmt.Fprintf(&b, "  NEEDS INPUT suggested=%s options=%s", decisionText(it.Suggested), optionsText(it.Options))
			if it.Problem != "" {
				fmt.Fprintf(&b, " problem=%q", it.Problem)
			}
			b.WriteByte('\n')
		}
		if it.Decision != nil {
			fmt.Fprintf(&b, "  decision=%s\n", decisionText(it.Decision))
		}
	}
	return b.String()
}

// RenderOps writes apply operations as text.
func RenderOps(ops []GroupOps) string {
	var b strings.Builder
	b.WriteString("ops:\n")
	for _, g := range ops {
		fmt.Fprintf(&b, " group %s local=%d writes=%d skipped=%d flagged=%d\n", g.GroupUUID, g.GroupID, g.Writes(), g.Skipped, g.Flagged)
		for _, e := range g.Entities {
			fmt.Fprintf(&b, "  entity %s %s", e.Op, e.XPMUUID)
			if e.EntityID != 0 {
				fmt.Fprintf(&b, " id=%d", e.EntityID)
			}
			if e.Relink {
				b.WriteString(" relink")
			}
			fmt.Fprintf(&b, " %s", entityText(e.Input))
			if len(e.Changed) > 0 {
				fmt.Fprintf(&b, " changed=%s", strings.Join(e.Changed, ","))
			}
			b.WriteByte('\n')
		}
		for _, m := range g.Members {
			fmt.Fprintf(&b, "  member %s %s\n", m.Op, m.XPMUUID)
		}
		for _, r := range g.Relationships {
			fmt.Fprintf(&b, "  rel %s %s %s %s>%s%s", r.Op, r.XPMUUID, r.Input.Type, r.FromUUID, r.ToUUID,
				relNums(r.Input.NumberOfShares, r.Input.Percentage, r.Input.StartDate, r.Input.EndDate, r.Input.Notes))
			if r.RelationshipID != 0 {
				fmt.Fprintf(&b, " id=%d", r.RelationshipID)
			}
			if len(r.Changed) > 0 {
				fmt.Fprintf(&b, " changed=%s", strings.Join(r.Changed, ","))
			}
			b.WriteByte('\n')
		}
		if g.Base != nil {
			fmt.Fprintf(&b, "  base members=%s\n", strings.Join(g.Base.Members, ","))
		}
	}
	return b.String()
}

func entityText(in model.EntityInput) string {
	parts := []string{kindLabel(in.Kind, in.TrustType)}
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+strconv.Quote(short(v, 60)))
		}
	}
	add("given", in.GivenName)
	add("family", in.FamilyName)
	add("legal", in.LegalName)
	add("dob", in.DateOfBirth)
	add("abn", in.ABN)
	add("acn", in.ACN)
	add("email", in.Email)
	add("phone", in.Phone)
	add("address", in.Address)
	add("notes", in.Notes)
	return strings.Join(parts, " ")
}

func counts(c Counts) string {
	return fmt.Sprintf("create=%d update=%d link=%d unchanged=%d skip=%d add=%d remove=%d keep=%d",
		c.Create, c.Update, c.Link, c.Unchanged, c.Skip, c.Add, c.Remove, c.Keep)
}

func relNums(shares *int64, pct *float64, start, end, notes string) string {
	var s string
	if shares != nil {
		s += fmt.Sprintf(" shares=%d", *shares)
	}
	if pct != nil {
		s += " pct=" + model.FormatPercent(*pct)
	}
	if start != "" {
		s += " start=" + start
	}
	if end != "" {
		s += " end=" + end
	}
	if notes != "" {
		s += " notes=" + strconv.Quote(notes)
	}
	return s
}

func decisionText(d *Decision) string {
	if d == nil {
		return "-"
	}
	s := d.Action
	if s == "" {
		s = "default"
	}
	if d.EntityID != 0 {
		s += fmt.Sprintf(":%d", d.EntityID)
	}
	if d.Kind != "" {
		s += "/" + kindLabel(d.Kind, d.TrustType)
	}
	if d.SaveRule {
		s += "+rule"
	}
	for _, k := range sortedKeys(d.Fields) {
		s += fmt.Sprintf(" %s=%s", k, d.Fields[k])
	}
	return s
}

func optionsText(os []Option) string {
	var parts []string
	for _, o := range os {
		s := o.Action
		if o.EntityID != 0 {
			s += fmt.Sprintf(":%d", o.EntityID)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ",")
}
