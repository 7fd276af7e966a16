package sync

import (
	"encoding/json"
	"slices"
	"sort"
	"time"

	"structura/backend/model"
)

// Client is one XPM client as a pull read it. The typed fields are those
// the mapping reads, already parsed defensively (null and absent are "",
// dates are YYYY-MM-DD or ""); Raw is the whole record as XPM sent it, so
// that whatever Structura does not keep is preserved in the base snapshot.
// The types are the sync code's own, decoupled from the XPM wire types
// (backend/pull adapts them).
type Client struct {
	UUID              string `json:"uuid"`
	Name              string `json:"name,omitempty"`
	FirstName         string `json:"firstName,omitempty"`
	MiddleName        string `json:"middleName,omitempty"`
	LastName          string `json:"lastName,omitempty"`
	DateOfBirth       string `json:"dateOfBirth,omitempty"`
	Email             string `json:"email,omitempty"`
	Phone             string `json:"phone,omitempty"`
	Address           string `json:"address,omitempty"`
	City              string `json:"city,omitempty"`
	Region            string `json:"region,omitempty"`
	PostCode          string `json:"postCode,omitempty"`
	Country           string `json:"country,omitempty"`
	BusinessStructure string `json:"businessStructure,omitempty"`
	ClientType        string `json:"clientType,omitempty"`
	// BusinessNumber (ABN) and CompanyNumber (ACN) as XPM wrote them.
	BusinessNumber string `json:"businessNumber,omitempty"`
	CompanyNumber  string `json:"companyNumber,omitempty"`
	// TaxNumber is masked by XPM (last 3 digits only): never a full TFN.
	TaxNumber string `json:"taxNumber,omitempty"`
	Archived  bool   `json:"archived,omitempty"`
	Prospect  bool   `json:"prospect,omitempty"`
	Notes     []Note `json:"notes,omitempty"`
	// Groups and Relationships come with detailed reads.
	Groups        []Ref    `json:"groups,omitempty"`
	Relationships []XPMRel `json:"relationships,omitempty"`
	// Problems lists what could not be read (a date in an unknown form…).
	Problems []string `json:"problems,omitempty"`
	// Raw is the record as XPM sent it (JSON object), kept for the base
	// snapshot.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// Note is an XPM client note.
type Note struct {
	Title string `json:"title,omitempty"`
	Text  string `json:"text,omitempty"`
	Date  string `json:"date,omitempty"`
}

// Ref names another XPM record.
type Ref struct {
	UUID string `json:"uuid"`
	Name string `json:"name,omitempty"`
}

// XPMRel is one relationship as it appears on a client: Type is XPM's
// type name on this client's side, Related the other client.
type XPMRel struct {
	UUID           string   `json:"uuid,omitempty"`
	Type           string   `json:"type"`
	Related        Ref      `json:"related"`
	NumberOfShares *int64   `json:"numberOfShares,omitempty"`
	Percentage     *float64 `json:"percentage,omitempty"`
	StartDate      string   `json:"startDate,omitempty"`
	EndDate        string   `json:"endDate,omitempty"`
}

// Group is a pulled XPM client group.
type Group struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
	// Members are the XPM client uuids, sorted.
	Members []string `json:"members"`
	// Gone is set when XPM no longer has the group (its members are then
	// unknown and nothing about membership changes).
	Gone bool `json:"gone,omitempty"`
}

// Snapshot is what a pull read from XPM: the pulled groups (in pull order)
// and every client they need — members, and the clients at the other end
// of their relationships.
type Snapshot struct {
	TenantID string             `json:"tenantId"`
	Groups   []Group            `json:"groups"`
	Clients  map[string]*Client `json:"clients"`
	// Missing lists clients the groups or relationships name that XPM no
	// longer has (uuid → what named them).
	Missing map[string]string `json:"missing,omitempty"`
}

// Sorted returns the snapshot's client uuids, sorted.
func (s *Snapshot) sortedClients() []string {
	ids := make([]string, 0, len(s.Clients))
	for id := range s.Clients {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// ---- base snapshots (the link tables' base_json) ----

// BaseVersion is the version of the base snapshot formats below.
const BaseVersion = 1

// EntityBase is an entity link's base snapshot: the XPM client as last
// pulled and the kind both sides agreed on.
type EntityBase struct {
	V         int              `json:"v"`
	Client    *Client          `json:"client"`
	Kind      model.EntityKind `json:"kind"`
	TrustType model.TrustType  `json:"trustType"`
}

// RelBase is a relationship link's base snapshot: the relationship as last
// pulled, in local terms (entity ends as XPM client uuids).
type RelBase struct {
	V   int     `json:"v"`
	Rel RelFact `json:"rel"`
}

// GroupBase is a group link's base snapshot: the XPM group's name and
// members as last pulled (the base of the memberships).
type GroupBase struct {
	V       int      `json:"v"`
	UUID    string   `json:"uuid"`
	Name    string   `json:"name"`
	Members []string `json:"members"`
	// FullReadAt is when the group was last read in full (not only what
	// changed): a later read only asks for changes while it is recent.
	FullReadAt time.Time `json:"fullReadAt,omitzero"`
}

// ---- local state ----

// Local is what Structura holds that a pull needs to see.
type Local struct {
	// Entities by id.
	Entities map[int64]*model.Entity
	// EntityLinks by XPM client uuid (tombstones included: EntityID 0).
	EntityLinks map[string]EntityLink
	// Relationships by id.
	Relationships map[int64]*model.Relationship
	// RelLinks by XPM relationship uuid (tombstones included).
	RelLinks map[string]RelLink
	// Groups by XPM group uuid: the linked local groups.
	Groups map[string]LocalGroup
	// Rules are the user's saved kind rules, by LabelKey.
	Rules map[string]KindRule
}

// EntityLink is a row of entity_link.
type EntityLink struct {
	EntityID int64 // 0: the local entity was deleted (tombstone)
	TenantID string
	Base     *EntityBase // nil: none recorded
}

// RelLink is a row of relationship_link.
type RelLink struct {
	RelationshipID int64 // 0: tombstone
	TenantID       string
	Base           *RelBase
}

// LocalGroup is a local group linked to a pulled XPM group.
type LocalGroup struct {
	GroupID int64
	Name    string
	Members []int64 // entity ids
	Base    *GroupBase
}

func (l *Local) linkedEntityIDs() map[int64]string {
	out := make(map[int64]string, len(l.EntityLinks))
	for u, ln := range l.EntityLinks {
		if ln.EntityID != 0 {
			out[ln.EntityID] = u
		}
	}
	return out
}

func (l *Local) linkedRelIDs() map[int64]string {
	out := make(map[int64]string, len(l.RelLinks))
	for u, ln := range l.RelLinks {
		if ln.RelationshipID != 0 {
			out[ln.RelationshipID] = u
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
