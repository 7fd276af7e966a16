package groupsync

import (
	"sort"
	"strings"
	"time"
)

// XPMGroupRow is one XPM client group on the Import Groups screen: the
// cached discovery joined with its link.
type XPMGroupRow struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
	// MemberCount is null when the members were not counted.
	MemberCount *int      `json:"memberCount"`
	Taxable     string    `json:"taxable"`
	WebURL      string    `json:"webUrl"`
	FirstSeenAt time.Time `json:"firstSeenAt"`
	LastSeenAt  time.Time `json:"lastSeenAt"`
	// ChangedAt is when Structura first saw the current name and members
	// (XPM gives groups no modification date).
	ChangedAt    time.Time  `json:"changedAt"`
	DeletedInXPM bool       `json:"deletedInXpm"`
	DeletedAt    *time.Time `json:"deletedAt,omitempty"`
	// Link is set when the group is linked to a local group.
	Link *LinkInfo `json:"link,omitempty"`
}

// LinkInfo is the local side of a link.
type LinkInfo struct {
	// LocalGroupID is null when the local group was deleted (the link is
	// kept so that a later reconcile can offer to restore or unlink).
	LocalGroupID   *int64     `json:"localGroupId"`
	LocalGroupName string     `json:"localGroupName"`
	LinkedAt       time.Time  `json:"linkedAt"`
	LastPulledAt   *time.Time `json:"lastPulledAt,omitempty"`
}

// Filter selects and orders the rows of ListXPMGroups.
type Filter struct {
	// Query matches the XPM group's name or the linked local group's name
	// (case-insensitive; words in any order).
	Query string `json:"query"`
	// Status is "" or "all", "linked", "unlinked" (not linked and still in
	// XPM: what can be linked) or "deleted" (deleted in XPM).
	Status string `json:"status"`
	// Sort is "name" (default), "members", "status", "linkedTo",
	// "lastPulled" or "changed".
	Sort string `json:"sort"`
	Desc bool   `json:"desc"`
}

// Counts summarises the rows before filtering.
type Counts struct {
	Total    int `json:"total"`
	Linked   int `json:"linked"`
	Unlinked int `json:"unlinked"`
	Deleted  int `json:"deleted"`
}

// CountRows counts rows by status.
func CountRows(rows []XPMGroupRow) Counts {
	c := Counts{Total: len(rows)}
	for _, r := range rows {
		switch {
		case r.Link != nil:
			c.Linked++
		case !r.DeletedInXPM:
			c.Unlinked++
		}
		if r.DeletedInXPM {
			c.Deleted++
		}
	}
	return c
}

func statusRank(r XPMGroupRow) int {
	switch {
	case r.Link != nil && !r.DeletedInXPM:
		return 0
	case r.Link == nil && !r.DeletedInXPM:
		return 1
	case r.Link != nil:
		return 2
	}
	return 3
}

// Apply filters and sorts rows (a new slice; rows is not changed). Unknown
// statuses or sorts read as the defaults.
func Apply(rows []XPMGroupRow, f Filter) []XPMGroupRow {
	words := nameTokens(f.Query)
	out := make([]XPMGroupRow, 0, len(rows))
	for _, r := range rows {
		switch f.Status {
		case "linked":
			if r.Link == nil {
				continue
			}
		case "unlinked":
			if r.Link != nil || r.DeletedInXPM {
				continue
			}
		case "deleted":
			if !r.DeletedInXPM {
				continue
			}
		}
		if len(words) > 0 && !matchesAll(words, r) {
			continue
		}
		out = append(out, r)
	}
	byName := func(a, b XPMGroupRow) int {
		na, nb := strings.ToLower(a.Name), strings.ToLower(b.Name)
		switch {
		case na < nb:
			return -1
		case na > nb:
			return 1
		case a.UUID < b.UUID:
			return -1
		case a.UUID > b.UUID:
			return 1
		}
		return 0
	}
	var key func(a, b XPMGroupRow) int
	switch f.Sort {
	case "members":
		key = func(a, b XPMGroupRow) int { return cmpInt(count(a), count(b)) }
	case "status":
		key = func(a, b XPMGroupRow) int { return cmpInt(statusRank(a), statusRank(b)) }
	case "linkedTo":
		key = func(a, b XPMGroupRow) int {
			return strings.Compare(strings.ToLower(linkedName(a)), strings.ToLower(linkedName(b)))
		}
	case "lastPulled":
		key = func(a, b XPMGroupRow) int { return lastPulled(a).Compare(lastPulled(b)) }
	case "changed":
		key = func(a, b XPMGroupRow) int { return a.ChangedAt.Compare(b.ChangedAt) }
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if f.Sort == "linkedTo" && (a.Link == nil) != (b.Link == nil) {
			return a.Link != nil // unlinked groups last, whatever the direction
		}
		c := 0
		if key != nil {
			c = key(a, b)
		}
		if c == 0 {
			c = byName(a, b)
		}
		if f.Desc {
			return c > 0
		}
		return c < 0
	})
	return out
}

func matchesAll(words []string, r XPMGroupRow) bool {
	hay := " " + normalName(r.Name) + " "
	if r.Link != nil {
		hay += normalName(r.Link.LocalGroupName) + " "
	}
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

func count(r XPMGroupRow) int {
	if r.MemberCount == nil {
		return -1
	}
	return *r.MemberCount
}

func linkedName(r XPMGroupRow) string {
	if r.Link == nil {
		return ""
	}
	if r.Link.LocalGroupName == "" {
		return "\uffff" // a deleted local group sorts after every name
	}
	return r.Link.LocalGroupName
}

func lastPulled(r XPMGroupRow) time.Time {
	if r.Link == nil || r.Link.LastPulledAt == nil {
		return time.Time{}
	}
	return *r.Link.LastPulledAt
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
