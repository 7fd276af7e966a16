package sync

import "structura/backend/model"

// Flag levels.
const (
	LevelInfo    = "info"    // worth knowing; nothing to do
	LevelWarning = "warning" // something was left out or needs a look
)

// Flag codes.
const (
	FlagTextCleaned     = "text_cleaned"
	FlagTruncated       = "truncated"
	FlagFieldDropped    = "field_dropped"
	FlagNoName          = "no_name"
	FlagKindGuess       = "kind_guess"
	FlagKindUnknown     = "kind_unknown"
	FlagKindDiffers     = "kind_differs"
	FlagKindChange      = "kind_change"
	FlagReferenced      = "referenced"
	FlagArchived        = "archived"
	FlagProspect        = "prospect"
	FlagTFN             = "tfn"
	FlagDeletedHere     = "deleted_here"
	FlagOtherPractice   = "other_practice"
	FlagMatch           = "match"
	FlagLinkConflict    = "link_conflict"
	FlagSameABNInXPM    = "same_abn_in_xpm"
	FlagConflict        = "conflict"
	FlagUnknownRelType  = "unknown_relationship_type"
	FlagBadRelationship = "bad_relationship"
	FlagMissingClient   = "missing_client"
	FlagSidesDiffer     = "sides_differ"
	FlagKindRefused     = "kind_refused"
	FlagAlternativeType = "alternative_type"
	FlagOver100         = "over_100"
	FlagTooMany         = "too_many"
	FlagDuplicateInXPM  = "duplicate_in_xpm"
	FlagRemovedInXPM    = "removed_in_xpm"
	FlagEndSkipped      = "end_skipped"
	FlagChangedHere     = "changed_here"
	FlagReadProblem     = "read_problem"
	FlagGroupGone       = "group_gone"
)

// Flag is something about an item worth telling the practitioner.
type Flag struct {
	Code    string `json:"code"`
	Level   string `json:"level"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Item types.
const (
	ItemEntity       = "entity"
	ItemRelationship = "relationship"
	ItemMembership   = "membership"
)

// Actions: what applying the plan will do with an item.
const (
	ActCreate    = "create"    // new local record (entity, relationship)
	ActUpdate    = "update"    // change a linked local record
	ActLink      = "link"      // link an existing local record (and fill it in)
	ActUnchanged = "unchanged" // linked and already the same
	ActSkip      = "skip"      // nothing is written
	ActAdd       = "add"       // add to the group (membership)
	ActKeep      = "keep"      // removed in XPM, kept here
	ActRemove    = "remove"    // removed in XPM, removed here too
	ActDelete    = "delete"    // relationship removed in XPM, deleted here too
)

// Decision is the practitioner's answer for one item.
type Decision struct {
	Key string `json:"key"`
	// Action: entity create | link | skip | update; relationship create |
	// skip | keep | delete | withoutPercentage; membership add | skip |
	// keep | remove. "" keeps the suggestion (with the other fields).
	Action string `json:"action,omitempty"`
	// EntityID is the local entity to link to (Action link).
	EntityID int64 `json:"entityId,omitempty"`
	// Kind and TrustType choose the kind of a new or linked entity.
	Kind      model.EntityKind `json:"kind,omitempty"`
	TrustType model.TrustType  `json:"trustType,omitempty"`
	// SaveRule saves Kind/TrustType as the rule for the client's business
	// structure (applied to every client with it, now and in later pulls).
	SaveRule bool `json:"saveRule,omitempty"`
	// Fields chooses, per field in conflict, "xpm" or "local" (default
	// local: nothing of Structura's is overwritten without a say).
	Fields map[string]string `json:"fields,omitempty"`
}

// Option is a choice the review offers for an item.
type Option struct {
	Action   string `json:"action"`
	Label    string `json:"label"`
	EntityID int64  `json:"entityId,omitempty"`
}

// FieldChange is one field a pull changes, or would change if the user
// chose XPM's value.
type FieldChange struct {
	Field string `json:"field"`
	Label string `json:"label"`
	Local string `json:"local"` // value in Structura now
	XPM   string `json:"xpm"`   // value from XPM
	// Base is the value at the last pull ("" when never pulled).
	Base string `json:"base,omitempty"`
	// Conflict: changed on both sides since the last pull (or different
	// on the first link); Apply keeps Structura's value unless the
	// decision says "xpm".
	Conflict bool `json:"conflict,omitempty"`
	// Apply says whether Apply writes XPM's value.
	Apply bool `json:"apply"`
}

// EntityPart is an entity item's detail.
type EntityPart struct {
	XPMUUID           string       `json:"xpmUuid"`
	XPMName           string       `json:"xpmName"`
	BusinessStructure string       `json:"businessStructure,omitempty"`
	Kind              KindGuess    `json:"kind"`
	EntityID          int64        `json:"entityId,omitempty"` // local entity (link, update, unchanged)
	EntityName        string       `json:"entityName,omitempty"`
	Match             string       `json:"match"` // Match* level
	Candidates        []Candidate  `json:"candidates,omitempty"`
	Referenced        bool         `json:"referenced,omitempty"` // outside the pulled groups
	Groups            []string     `json:"groups,omitempty"`     // XPM group uuids it is a member of (pulled)
	Values            EntityValues `json:"values"`               // the entity as it will be
}

// EntityValues are an entity's fields as the review shows them.
type EntityValues struct {
	Kind        model.EntityKind `json:"kind"`
	TrustType   model.TrustType  `json:"trustType"`
	DisplayName string           `json:"displayName"`
	GivenName   string           `json:"givenName,omitempty"`
	FamilyName  string           `json:"familyName,omitempty"`
	LegalName   string           `json:"legalName,omitempty"`
	DateOfBirth string           `json:"dateOfBirth,omitempty"`
	ABN         string           `json:"abn,omitempty"`
	ACN         string           `json:"acn,omitempty"`
	Email       string           `json:"email,omitempty"`
	Phone       string           `json:"phone,omitempty"`
	Address     string           `json:"address,omitempty"`
}

// RelPart is a relationship item's detail.
type RelPart struct {
	XPMUUID        string   `json:"xpmUuid,omitempty"`
	XPMType        string   `json:"xpmType"`
	Type           string   `json:"type,omitempty"` // local type code ("" when unknown)
	FromUUID       string   `json:"fromUuid"`
	ToUUID         string   `json:"toUuid"`
	FromName       string   `json:"fromName"`
	ToName         string   `json:"toName"`
	RelationshipID int64    `json:"relationshipId,omitempty"`
	NumberOfShares *int64   `json:"numberOfShares,omitempty"`
	Percentage     *float64 `json:"percentage,omitempty"`
	StartDate      string   `json:"startDate,omitempty"`
	EndDate        string   `json:"endDate,omitempty"`
	Notes          string   `json:"notes,omitempty"`
	CrossGroup     bool     `json:"crossGroup,omitempty"` // one end is outside the pulled groups
}

// MemberPart is a membership item's detail.
type MemberPart struct {
	GroupUUID    string `json:"groupUuid"`
	GroupName    string `json:"groupName"`
	LocalGroupID int64  `json:"localGroupId"`
	XPMUUID      string `json:"xpmUuid"`
	EntityName   string `json:"entityName"`
	EntityID     int64  `json:"entityId,omitempty"`
}

// Item is one line of the review.
type Item struct {
	Key    string `json:"key"`
	Type   string `json:"type"`
	Action string `json:"action"`
	// Title names the item ("Nguyen Holdings Pty Ltd", "Minh Nguyen is
	// director of Nguyen Holdings Pty Ltd").
	Title string `json:"title"`
	// Detail says in one line what will happen and why.
	Detail       string        `json:"detail"`
	Groups       []string      `json:"groups,omitempty"` // XPM group uuids the item belongs to
	Entity       *EntityPart   `json:"entity,omitempty"`
	Relationship *RelPart      `json:"relationship,omitempty"`
	Membership   *MemberPart   `json:"membership,omitempty"`
	Changes      []FieldChange `json:"changes,omitempty"`
	Flags        []Flag        `json:"flags,omitempty"`
	// NeedsInput: Apply waits for a decision (or AcceptSuggestions).
	NeedsInput bool      `json:"needsInput"`
	Suggested  *Decision `json:"suggested,omitempty"`
	Decision   *Decision `json:"decision,omitempty"`
	Options    []Option  `json:"options,omitempty"`
	// Problem is set when the user's decision cannot be applied (the item
	// then needs input again).
	Problem string `json:"problem,omitempty"`
}

// Warned reports whether the item has a warning flag.
func (it *Item) Warned() bool {
	for _, f := range it.Flags {
		if f.Level == LevelWarning {
			return true
		}
	}
	return false
}

// Counts counts items of one type by action.
type Counts struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Link      int `json:"link"`
	Unchanged int `json:"unchanged"`
	Skip      int `json:"skip"`
	Add       int `json:"add"`
	Remove    int `json:"remove"`
	Keep      int `json:"keep"`
}

func (c *Counts) count(action string) {
	switch action {
	case ActCreate:
		c.Create++
	case ActUpdate:
		c.Update++
	case ActLink:
		c.Link++
	case ActUnchanged:
		c.Unchanged++
	case ActSkip:
		c.Skip++
	case ActAdd:
		c.Add++
	case ActRemove, ActDelete:
		c.Remove++
	case ActKeep:
		c.Keep++
	}
}

// Changes is how many writes the counts stand for.
func (c Counts) Changes() int { return c.Create + c.Update + c.Link + c.Add + c.Remove }

// Summary is the review at a glance.
type Summary struct {
	Entities      Counts `json:"entities"`
	Relationships Counts `json:"relationships"`
	Memberships   Counts `json:"memberships"`
	// NeedInput counts items waiting for a decision; Flagged items with a
	// warning.
	NeedInput int `json:"needInput"`
	Flagged   int `json:"flagged"`
	// Conflicts counts fields changed on both sides (Structura's value is
	// kept unless the decision says otherwise).
	Conflicts int `json:"conflicts"`
	// Changes is the number of local writes Apply would make.
	Changes int `json:"changes"`
	// Message is one line for the practitioner.
	Message string `json:"message"`
}

// GroupPlan is one pulled group in the review.
type GroupPlan struct {
	UUID         string `json:"uuid"`
	Name         string `json:"name"`
	LocalGroupID int64  `json:"localGroupId"`
	LocalName    string `json:"localName"`
	Members      int    `json:"members"`
	Changes      int    `json:"changes"`
	NeedInput    int    `json:"needInput"`
	Gone         bool   `json:"gone,omitempty"`
	Problem      string `json:"problem,omitempty"`
}
