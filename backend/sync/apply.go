package sync

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"structura/backend/model"
)

// Operations the apply step performs, per group, in one transaction each.
const (
	OpCreate = "create" // new local record + link + base
	OpUpdate = "update" // change the linked local record + base
	OpLink   = "link"   // link an existing local record (filled in) + base
	OpBase   = "base"   // only refresh the base snapshot (nothing local changes)
	OpDelete = "delete" // delete the local relationship (removed in XPM)
	OpAdd    = "add"    // add to the group
	OpRemove = "remove" // remove from the group
)

// EntityOp writes one entity.
type EntityOp struct {
	XPMUUID  string            `json:"xpmUuid"`
	Op       string            `json:"op"`
	EntityID int64             `json:"entityId,omitempty"`
	Relink   bool              `json:"relink,omitempty"` // clear a tombstone link first
	Input    model.EntityInput `json:"input"`
	Changed  []string          `json:"changed,omitempty"`
	// Expect is the entity's UpdatedAt the plan was made against: if it
	// changed since, the op is skipped (someone edited it meanwhile).
	Expect time.Time   `json:"expect,omitzero"`
	Base   *EntityBase `json:"base"`
	Name   string      `json:"name"`
}

// RelOp writes one relationship. Its ends are XPM client uuids, resolved
// to entity ids when applied (an entity created earlier in the pull has a
// link by then).
type RelOp struct {
	XPMUUID        string                  `json:"xpmUuid,omitempty"`
	Op             string                  `json:"op"`
	RelationshipID int64                   `json:"relationshipId,omitempty"`
	Relink         bool                    `json:"relink,omitempty"`
	FromUUID       string                  `json:"fromUuid"`
	ToUUID         string                  `json:"toUuid"`
	Input          model.RelationshipInput `json:"input"`
	Changed        []string                `json:"changed,omitempty"`
	Expect         time.Time               `json:"expect,omitzero"`
	Base           *RelBase                `json:"base,omitempty"`
	Title          string                  `json:"title"`
}

// MemberOp adds an entity to a group or removes it.
type MemberOp struct {
	XPMUUID string `json:"xpmUuid"`
	Op      string `json:"op"`
	Name    string `json:"name"`
}

// GroupOps is everything one group's transaction writes, in order:
// entities, memberships, relationships, then the group's base snapshot.
type GroupOps struct {
	GroupUUID     string     `json:"groupUuid"`
	Name          string     `json:"name"`
	GroupID       int64      `json:"groupId"`
	Entities      []EntityOp `json:"entities"`
	Members       []MemberOp `json:"members"`
	Relationships []RelOp    `json:"relationships"`
	// Base is the group's new base snapshot (nil for a group XPM no
	// longer has).
	Base *GroupBase `json:"base,omitempty"`
	// Skipped counts items left out in this group, Flagged items with a
	// warning (for the summary).
	Skipped int `json:"skipped"`
	Flagged int `json:"flagged"`
}

// Writes counts the local changes of a group's ops (base refreshes are
// not changes).
func (g *GroupOps) Writes() int {
	n := 0
	for _, e := range g.Entities {
		if e.Op != OpBase {
			n++
		}
	}
	for _, r := range g.Relationships {
		if r.Op != OpBase {
			n++
		}
	}
	return n + len(g.Members)
}

// ErrNeedsInput is returned by Ops while items wait for a decision.
var ErrNeedsInput = errors.New("sync: items need a decision")

// Ops turns the plan into the writes of each group, in pull order. Each
// entity and relationship is written once, in the first group that needs
// it (a client in two groups is created in the first and added to both).
func (p *Plan) Ops() ([]GroupOps, error) {
	if p.Summary.NeedInput > 0 {
		return nil, fmt.Errorf("%w (%d)", ErrNeedsInput, p.Summary.NeedInput)
	}
	done := map[string]bool{}
	relDone := map[*relPlan]bool{}
	// index by group: a practice has thousands of groups
	relsOf := map[string][]*relPlan{}
	for _, rp := range p.rels {
		for _, g := range rp.groups {
			relsOf[g] = append(relsOf[g], rp)
		}
	}
	memsOf := map[string][]*memPlan{}
	for _, mp := range p.mems {
		memsOf[mp.group] = append(memsOf[mp.group], mp)
	}
	itemsOf := map[string][]*Item{}
	for _, it := range p.Items {
		for _, g := range it.Groups {
			itemsOf[g] = append(itemsOf[g], it)
		}
	}
	var out []GroupOps
	for _, g := range p.in.Snapshot.Groups {
		lg, ok := p.in.Local.Groups[g.UUID]
		if !ok {
			continue
		}
		ops := GroupOps{GroupUUID: g.UUID, Name: g.Name, GroupID: lg.GroupID}
		need := func(u string) {
			if done[u] {
				return
			}
			done[u] = true
			ep := p.ents[u]
			if ep == nil {
				return
			}
			if op, ok := ep.op(); ok {
				ops.Entities = append(ops.Entities, op)
			}
		}
		if !g.Gone {
			for _, m := range g.Members {
				need(m)
			}
		}
		for _, rp := range relsOf[g.UUID] {
			if relDone[rp] {
				continue
			}
			relDone[rp] = true
			op, ok := rp.op()
			if !ok {
				continue
			}
			need(rp.fact.FromUUID)
			need(rp.fact.ToUUID)
			ops.Relationships = append(ops.Relationships, op)
		}
		kept := []string{}
		for _, mp := range memsOf[g.UUID] {
			switch mp.action {
			case ActAdd:
				ops.Members = append(ops.Members, MemberOp{XPMUUID: mp.client, Op: OpAdd, Name: p.ents[mp.client].name})
			case ActRemove:
				ops.Members = append(ops.Members, MemberOp{XPMUUID: mp.client, Op: OpRemove, Name: mp.item.Membership.EntityName})
			case ActKeep:
				kept = append(kept, mp.client)
			}
		}
		if !g.Gone {
			var members []string
			for _, m := range g.Members {
				if _, gone := p.in.Snapshot.Missing[m]; !gone {
					members = append(members, m)
				}
			}
			members = append(members, kept...)
			slices.Sort(members)
			ops.Base = &GroupBase{V: BaseVersion, UUID: g.UUID, Name: g.Name, Members: slices.Compact(members)}
		}
		for _, it := range itemsOf[g.UUID] {
			if it.Action == ActSkip {
				ops.Skipped++
			}
			if it.Warned() {
				ops.Flagged++
			}
		}
		out = append(out, ops)
	}
	return out, nil
}

func (ep *entPlan) op() (EntityOp, bool) {
	op := EntityOp{XPMUUID: ep.uuid, EntityID: ep.entityID, Relink: ep.relink, Input: ep.input, Changed: ep.changed,
		Expect: ep.expect, Base: ep.newBase, Name: ep.name}
	switch ep.action {
	case ActCreate:
		op.Op, op.EntityID = OpCreate, 0
	case ActLink:
		op.Op = OpLink
	case ActUpdate:
		op.Op = OpUpdate
	case ActUnchanged:
		if !ep.baseDirty {
			return op, false
		}
		op.Op = OpBase
	default:
		return op, false
	}
	return op, true
}

func (rp *relPlan) op() (RelOp, bool) {
	op := RelOp{XPMUUID: rp.fact.UUID, RelationshipID: rp.relID, Relink: rp.relink, FromUUID: rp.fact.FromUUID,
		ToUUID: rp.fact.ToUUID, Input: rp.input, Changed: appliedFields(rp.item.Changes), Expect: rp.expect,
		Base: rp.newBase, Title: rp.item.Title}
	switch rp.action {
	case ActCreate:
		op.Op, op.RelationshipID = OpCreate, 0
		op.Input.Type = rp.fact.Type
	case ActLink:
		op.Op = OpLink
	case ActUpdate:
		op.Op = OpUpdate
	case ActDelete:
		op.Op, op.Base = OpDelete, nil
	case ActUnchanged:
		if !rp.baseDirty {
			return op, false
		}
		op.Op = OpBase
	default:
		return op, false
	}
	if rp.removal {
		op.Input = model.RelationshipInput{}
	}
	return op, true
}
