package sync

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"structura/backend/model"
)

// simulate applies ops to an in-memory Local the way backend/pull applies
// them to SQLite (ids are handed out in order), so properties of a second
// pull can be checked without a database.
func simulate(t *testing.T, in Input, ops []GroupOps, now time.Time) {
	t.Helper()
	l := in.Local
	nextEnt, nextRel := int64(1000), int64(5000)
	for id := range l.Entities {
		nextEnt = max(nextEnt, id+1)
	}
	for id := range l.Relationships {
		nextRel = max(nextRel, id+1)
	}
	idOf := func(u string) int64 {
		ln, ok := l.EntityLinks[u]
		if !ok || ln.EntityID == 0 {
			t.Fatalf("no entity for XPM client %s", u)
		}
		return ln.EntityID
	}
	entity := func(id int64, in model.EntityInput) *model.Entity {
		in = model.NormalizeEntityInput(in)
		if errs := model.ValidateEntityInput(in, now); len(errs) > 0 {
			t.Fatalf("entity %d refused: %v", id, errs)
		}
		return &model.Entity{ID: id, Kind: in.Kind, TrustType: in.TrustType, GivenName: in.GivenName, FamilyName: in.FamilyName,
			LegalName: in.LegalName, TradingName: in.TradingName, DateOfBirth: in.DateOfBirth, ABN: in.ABN, ACN: in.ACN,
			Email: in.Email, Phone: in.Phone, Address: in.Address, Notes: in.Notes,
			DisplayName: model.DisplayName(in.Kind, in.GivenName, in.FamilyName, in.LegalName, in.TradingName),
			CreatedAt:   now, UpdatedAt: now}
	}
	roundTrip := func(v, out any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range ops {
		for _, e := range g.Entities {
			var base EntityBase
			roundTrip(e.Base, &base)
			switch e.Op {
			case OpCreate:
				id := nextEnt
				nextEnt++
				l.Entities[id] = entity(id, e.Input)
				l.EntityLinks[e.XPMUUID] = EntityLink{EntityID: id, TenantID: in.Snapshot.TenantID, Base: &base}
			case OpLink, OpUpdate:
				old := l.Entities[e.EntityID]
				ne := entity(e.EntityID, e.Input)
				ne.TFNLast3, ne.CreatedAt = old.TFNLast3, old.CreatedAt
				l.Entities[e.EntityID] = ne
				l.EntityLinks[e.XPMUUID] = EntityLink{EntityID: e.EntityID, TenantID: in.Snapshot.TenantID, Base: &base}
			case OpBase:
				ln := l.EntityLinks[e.XPMUUID]
				ln.Base = &base
				l.EntityLinks[e.XPMUUID] = ln
			}
		}
		lg := l.Groups[g.GroupUUID]
		for _, m := range g.Members {
			id := idOf(m.XPMUUID)
			switch m.Op {
			case OpAdd:
				if !slices.Contains(lg.Members, id) {
					lg.Members = append(lg.Members, id)
				}
			case OpRemove:
				lg.Members = slices.DeleteFunc(lg.Members, func(x int64) bool { return x == id })
			}
		}
		for _, r := range g.Relationships {
			in2 := r.Input
			var base *RelBase
			if r.Base != nil {
				base = &RelBase{}
				roundTrip(r.Base, base)
			}
			switch r.Op {
			case OpCreate:
				in2.FromID, in2.ToID = idOf(r.FromUUID), idOf(r.ToUUID)
				id := nextRel
				nextRel++
				l.Relationships[id] = &model.Relationship{ID: id, FromID: in2.FromID, ToID: in2.ToID, Type: in2.Type,
					NumberOfShares: in2.NumberOfShares, Percentage: in2.Percentage, StartDate: in2.StartDate, EndDate: in2.EndDate,
					Notes: in2.Notes, CreatedAt: now, UpdatedAt: now}
				if r.XPMUUID != "" {
					l.RelLinks[r.XPMUUID] = RelLink{RelationshipID: id, TenantID: in.Snapshot.TenantID, Base: base}
				}
			case OpLink, OpUpdate:
				old := l.Relationships[r.RelationshipID]
				nr := *old
				nr.NumberOfShares, nr.Percentage, nr.StartDate, nr.EndDate, nr.Notes = in2.NumberOfShares, in2.Percentage, in2.StartDate, in2.EndDate, in2.Notes
				nr.UpdatedAt = now
				l.Relationships[r.RelationshipID] = &nr
				l.RelLinks[r.XPMUUID] = RelLink{RelationshipID: r.RelationshipID, TenantID: in.Snapshot.TenantID, Base: base}
			case OpBase:
				ln := l.RelLinks[r.XPMUUID]
				ln.Base = base
				l.RelLinks[r.XPMUUID] = ln
			case OpDelete:
				delete(l.Relationships, r.RelationshipID)
				ln := l.RelLinks[r.XPMUUID]
				ln.RelationshipID = 0
				l.RelLinks[r.XPMUUID] = ln
			}
		}
		if g.Base != nil {
			b := *g.Base
			lg.Base = &b
		}
		l.Groups[g.GroupUUID] = lg
	}
}

func mustOps(t *testing.T, p *Plan) []GroupOps {
	t.Helper()
	ops, err := p.Ops()
	if err != nil {
		t.Fatalf("%v\n%s", err, Render(p))
	}
	return ops
}

// Pull, pull again: zero changes, and the review says so.
func TestRepullChangesNothing(t *testing.T) {
	for _, dir := range []string{"testdata/scenarios/01_first_pull", "testdata/scenarios/03_duplicates_decided"} {
		in := loadScenario(t, dir)
		now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		simulate(t, in, mustOps(t, Review(in)), now)
		in.Decisions = nil
		again := Review(in)
		if again.Summary.Changes != 0 || again.Summary.NeedInput != 0 {
			t.Fatalf("%s: second pull: %+v\n%s", dir, again.Summary, Render(again))
		}
		if again.Summary.Message != "Nothing changed in XPM since the last pull: applying it changes nothing here." {
			t.Errorf("%s: message %q", dir, again.Summary.Message)
		}
		ops := mustOps(t, again)
		for _, g := range ops {
			if g.Writes() != 0 {
				t.Errorf("%s: group %s writes %d on a second pull:\n%s", dir, g.GroupUUID, g.Writes(), RenderOps(ops))
			}
			for _, e := range g.Entities {
				t.Errorf("%s: entity op %s %s on a second pull", dir, e.Op, e.XPMUUID)
			}
			for _, r := range g.Relationships {
				t.Errorf("%s: relationship op %s %s on a second pull", dir, r.Op, r.XPMUUID)
			}
		}
	}
}

// Change 3 fields in XPM: the next pull updates exactly those 3, and a
// field edited only in Structura stays as edited.
func TestThreeFieldsChangedInXPM(t *testing.T) {
	in := loadScenario(t, "testdata/scenarios/01_first_pull")
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	simulate(t, in, mustOps(t, Review(in)), now)
	in.Decisions = nil

	// a local edit XPM did not touch
	john := in.Local.Entities[in.Local.EntityLinks["c1"].EntityID]
	john.Notes = "Prefers email."
	// three fields changed in XPM, on two clients
	c1 := *in.Snapshot.Clients["c1"]
	c1.Email, c1.Phone = "john@smith.example.com.au", "0400 111 222"
	in.Snapshot.Clients["c1"] = &c1
	c3 := *in.Snapshot.Clients["c3"]
	c3.Name = "Smith Investments (Vic) Pty Ltd"
	in.Snapshot.Clients["c3"] = &c3

	p := Review(in)
	if p.Summary.Changes != 2 || p.Summary.Entities.Update != 2 {
		t.Fatalf("want 2 entity updates: %+v\n%s", p.Summary, Render(p))
	}
	var fields []string
	for _, g := range mustOps(t, p) {
		for _, e := range g.Entities {
			if e.Op == OpUpdate {
				for _, f := range e.Changed {
					fields = append(fields, e.XPMUUID+"."+f)
				}
			}
		}
	}
	slices.Sort(fields)
	if want := []string{"c1.email", "c1.phone", "c3.legalName"}; !slices.Equal(fields, want) {
		t.Fatalf("changed %v, want %v", fields, want)
	}
	simulate(t, in, mustOps(t, p), now)
	if got := in.Local.Entities[john.ID]; got.Notes != "Prefers email." || got.Email != "john@smith.example.com.au" {
		t.Fatalf("after the pull John is %+v", got)
	}
	if again := Review(in); again.Summary.Changes != 0 {
		t.Fatalf("third pull: %+v", again.Summary)
	}
}
