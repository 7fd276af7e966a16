// Package model holds Structura's domain types — groups, entities,
// relationships and the journal — and the validation rules that need no
// database. Types cross the Wails bridge as JSON: tags are camelCase, dates
// are "YYYY-MM-DD" strings ("" = unknown) and optional numbers are pointers.
package model

import (
	"strings"
	"time"
)

// EntityKind is what an entity is in law.
type EntityKind string

// Entity kinds.
const (
	KindIndividual  EntityKind = "individual"
	KindCompany     EntityKind = "company"
	KindTrust       EntityKind = "trust"
	KindPartnership EntityKind = "partnership"
	KindSMSF        EntityKind = "smsf"
	KindOther       EntityKind = "other"
)

// EntityKinds lists every kind, in the order the UI offers them.
var EntityKinds = []EntityKind{KindIndividual, KindCompany, KindTrust, KindPartnership, KindSMSF, KindOther}

// Valid reports whether k is a known kind.
func (k EntityKind) Valid() bool {
	for _, x := range EntityKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Label is the kind as a practitioner writes it.
func (k EntityKind) Label() string {
	switch k {
	case KindIndividual:
		return "individual"
	case KindCompany:
		return "company"
	case KindTrust:
		return "trust"
	case KindPartnership:
		return "partnership"
	case KindSMSF:
		return "SMSF"
	case KindOther:
		return "other entity"
	}
	return string(k)
}

// TrustType refines KindTrust. It is empty for every other kind.
type TrustType string

// Trust types.
const (
	TrustNone          TrustType = ""
	TrustDiscretionary TrustType = "discretionary"
	TrustUnit          TrustType = "unit"
	TrustHybrid        TrustType = "hybrid"
	TrustTestamentary  TrustType = "testamentary"
	TrustBare          TrustType = "bare"
	TrustOther         TrustType = "other"
)

// TrustTypes lists the trust types a trust may have ("" = not recorded).
var TrustTypes = []TrustType{TrustDiscretionary, TrustUnit, TrustHybrid, TrustTestamentary, TrustBare, TrustOther}

// Valid reports whether t is empty or a known trust type.
func (t TrustType) Valid() bool {
	if t == TrustNone {
		return true
	}
	for _, x := range TrustTypes {
		if t == x {
			return true
		}
	}
	return false
}

// Group is a family or client group.
type Group struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// GroupSummary is a group as listed on the home screen.
type GroupSummary struct {
	Group
	EntityCount       int  `json:"entityCount"`
	RelationshipCount int  `json:"relationshipCount"` // relationships touching a member
	Linked            bool `json:"linked"`            // an XPM link exists
	// LastChangedAt is the latest change to the group, its members'
	// details, their memberships or their relationships.
	LastChangedAt time.Time `json:"lastChangedAt"`
}

// Entity is an individual, company, trust, partnership, SMSF or other entity.
// An entity may belong to several groups.
type Entity struct {
	ID          int64      `json:"id"`
	Kind        EntityKind `json:"kind"`
	TrustType   TrustType  `json:"trustType"`
	GivenName   string     `json:"givenName"`   // individuals only
	FamilyName  string     `json:"familyName"`  // individuals only
	LegalName   string     `json:"legalName"`   // every kind but individuals
	TradingName string     `json:"tradingName"` // any kind
	DateOfBirth string     `json:"dateOfBirth"` // individuals only, YYYY-MM-DD
	ABN         string     `json:"abn"`         // 11 digits, no spaces
	ACN         string     `json:"acn"`         // companies only, 9 digits, no spaces
	Email       string     `json:"email"`
	Phone       string     `json:"phone"`
	Address     string     `json:"address"`
	Notes       string     `json:"notes"`
	// TFNLast3 is the last 3 digits of the tax file number, "" if none is
	// recorded. The full number is never part of an Entity.
	TFNLast3 string `json:"tfnLast3"`
	// DisplayName is computed: "Given Family" for individuals, the legal
	// name otherwise.
	DisplayName string    `json:"displayName"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// EntityInput is what the UI sends to create or update an entity. Field
// names double as the keys of validation messages.
type EntityInput struct {
	Kind        EntityKind `json:"kind"`
	TrustType   TrustType  `json:"trustType"`
	GivenName   string     `json:"givenName"`
	FamilyName  string     `json:"familyName"`
	LegalName   string     `json:"legalName"`
	TradingName string     `json:"tradingName"`
	DateOfBirth string     `json:"dateOfBirth"`
	ABN         string     `json:"abn"`
	ACN         string     `json:"acn"`
	Email       string     `json:"email"`
	Phone       string     `json:"phone"`
	Address     string     `json:"address"`
	Notes       string     `json:"notes"`
	// TFN: nil leaves the stored number unchanged, "" removes it, anything
	// else replaces it (spaces allowed).
	TFN *string `json:"tfn,omitempty"`
}

// DisplayName returns how an entity is named on screen.
func DisplayName(kind EntityKind, given, family, legal, trading string) string {
	var s string
	if kind == KindIndividual {
		s = strings.TrimSpace(strings.TrimSpace(given) + " " + strings.TrimSpace(family))
	} else {
		s = strings.TrimSpace(legal)
	}
	if s == "" {
		s = strings.TrimSpace(trading)
	}
	if s == "" {
		s = "(no name)"
	}
	return s
}

// RelationshipType is one row of the relationship type table
// (relationship_types.json). A relationship {FromID: A, ToID: B, Type: code}
// reads "A is <Label> B", e.g. "John is Director of Acme"; seen from B the
// other end is listed with InverseLabel ("Director").
type RelationshipType struct {
	Code             string       `json:"code"`
	Label            string       `json:"label"`
	InverseLabel     string       `json:"inverseLabel"`
	Symmetric        bool         `json:"symmetric"`
	AllowsShares     bool         `json:"allowsShares"`
	AllowsPercentage bool         `json:"allowsPercentage"`
	FromKinds        []EntityKind `json:"fromKinds"`
	ToKinds          []EntityKind `json:"toKinds"`
	// MaxPerTarget caps open relationships of this type pointing at one
	// entity (0 = no limit), e.g. an SMSF has at most 6 members.
	MaxPerTarget int `json:"maxPerTarget"`
	// XPMFromSide and XPMToSide are the XPM relationship type names as
	// recorded on the 'from' client and on the 'to' client (unverified, see
	// docs/adr/0004).
	XPMFromSide string `json:"xpmFromSide"`
	XPMToSide   string `json:"xpmToSide"`
}

// Relationship links two entities.
type Relationship struct {
	ID             int64     `json:"id"`
	FromID         int64     `json:"fromId"`
	ToID           int64     `json:"toId"`
	Type           string    `json:"type"`
	NumberOfShares *int64    `json:"numberOfShares"`
	Percentage     *float64  `json:"percentage"`
	StartDate      string    `json:"startDate"`
	EndDate        string    `json:"endDate"`
	Notes          string    `json:"notes"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

// IsOpen reports whether the relationship is current on the day today
// (YYYY-MM-DD): it has no end date, or its end date is not in the past.
func (r Relationship) IsOpen(today string) bool {
	return r.EndDate == "" || r.EndDate >= today
}

// RelationshipInput is what the UI sends to create or update a relationship.
type RelationshipInput struct {
	FromID         int64    `json:"fromId"`
	ToID           int64    `json:"toId"`
	Type           string   `json:"type"`
	NumberOfShares *int64   `json:"numberOfShares"`
	Percentage     *float64 `json:"percentage"`
	StartDate      string   `json:"startDate"`
	EndDate        string   `json:"endDate"`
	Notes          string   `json:"notes"`
}

// GroupDetail is one group with everything its screen shows.
type GroupDetail struct {
	Group
	Entities      []Entity       `json:"entities"`
	Relationships []Relationship `json:"relationships"` // every relationship touching a member
	External      []Entity       `json:"external"`      // non-members at the other end of those relationships
	Linked        bool           `json:"linked"`
}

// Journal sources.
const (
	SourceLocal = "local"
	SourceSync  = "sync"
)

// Journal actions.
const (
	ActionCreate       = "create"
	ActionUpdate       = "update"
	ActionDelete       = "delete"
	ActionAddMember    = "add_member"
	ActionRemoveMember = "remove_member"
)

// Journal object types.
const (
	ObjectGroup        = "group"
	ObjectEntity       = "entity"
	ObjectRelationship = "relationship"
	ObjectMembership   = "membership"
)

// JournalEntry records one change: who, what, when, before and after.
// Before and After are JSON snapshots of the object (never a secret: an
// entity snapshot carries only the last 3 digits of a TFN).
type JournalEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Source     string    `json:"source"` // "local" or "sync"
	Action     string    `json:"action"`
	ObjectType string    `json:"objectType"`
	ObjectID   int64     `json:"objectId"`
	Summary    string    `json:"summary"`          // one line a practitioner reads
	Before     string    `json:"before,omitempty"` // JSON text, "" for a create
	After      string    `json:"after,omitempty"`  // JSON text, "" for a delete
	JobID      *int64    `json:"jobId,omitempty"`
}
