package groupsync

import (
	"slices"
	"sort"
	"strings"
	"time"

	"structura/backend/store"
)

// Observed is one XPM client group as a discovery read it.
type Observed struct {
	UUID    string
	Name    string
	Taxable string // "Yes", "No" or ""
	WebURL  string
	// Members are the uuids of the clients that list the group (from the
	// detailed client list). Counted is false when they were not read; the
	// previous members are then kept.
	Members []string
	Counted bool
}

// Rename is a group whose name changed in XPM.
type Rename struct {
	UUID string `json:"uuid"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Changes says what a discovery found compared with the previous one.
type Changes struct {
	// Added are the names of groups seen for the first time.
	Added []string `json:"added"`
	// Deleted are the names of groups XPM no longer has (marked, not
	// dropped).
	Deleted []string `json:"deleted"`
	// Returned are the names of groups marked deleted that XPM has again.
	Returned []string `json:"returned"`
	Renamed  []Rename `json:"renamed"`
	// MembersChanged counts groups whose members changed.
	MembersChanged int `json:"membersChanged"`
	// Unchanged counts groups seen before with the same name and members.
	Unchanged int `json:"unchanged"`
}

// Diff merges what a discovery observed into the cached groups of one
// practice (prev) and says what changed. It is a pure function: nothing
// is dropped (a group XPM no longer has is marked deleted at now, a linked
// one included), a group seen again loses its mark, and ChangedAt moves to
// now only when the name or the members changed. The result is ordered by
// name, then uuid.
func Diff(tenantID string, prev []store.XPMGroup, observed []Observed, now time.Time) ([]store.XPMGroup, Changes) {
	ch := Changes{Added: []string{}, Deleted: []string{}, Returned: []string{}, Renamed: []Rename{}}
	byUUID := make(map[string]store.XPMGroup, len(prev))
	for _, g := range prev {
		byUUID[g.UUID] = g
	}
	seen := make(map[string]bool, len(observed))
	out := make([]store.XPMGroup, 0, len(prev)+len(observed))
	for _, o := range observed {
		if o.UUID == "" || seen[o.UUID] {
			continue
		}
		seen[o.UUID] = true
		members := sortedUnique(o.Members)
		old, known := byUUID[o.UUID]
		if !known {
			g := store.XPMGroup{TenantID: tenantID, UUID: o.UUID, Name: o.Name, Taxable: o.Taxable, WebURL: o.WebURL,
				Members: []string{}, FirstSeenAt: now, LastSeenAt: now, ChangedAt: now}
			if o.Counted {
				g.Members = members
				g.MemberCount = intPtr(len(members))
			}
			out = append(out, g)
			ch.Added = append(ch.Added, o.Name)
			continue
		}
		g := old
		g.TenantID, g.Name, g.Taxable, g.WebURL, g.LastSeenAt = tenantID, o.Name, o.Taxable, o.WebURL, now
		changed := false
		if old.Name != o.Name {
			ch.Renamed = append(ch.Renamed, Rename{UUID: o.UUID, From: old.Name, To: o.Name})
			changed = true
		}
		if o.Counted {
			if old.MemberCount != nil && !slices.Equal(old.Members, members) {
				ch.MembersChanged++
				changed = true
			}
			g.Members = members
			g.MemberCount = intPtr(len(members))
		}
		if old.Deleted() {
			g.DeletedAt = time.Time{}
			ch.Returned = append(ch.Returned, o.Name)
			changed = true
		}
		if changed {
			g.ChangedAt = now
		} else {
			ch.Unchanged++
		}
		out = append(out, g)
	}
	for _, g := range prev {
		if seen[g.UUID] {
			continue
		}
		if !g.Deleted() {
			g.DeletedAt = now
			ch.Deleted = append(ch.Deleted, g.Name)
		}
		out = append(out, g)
	}
	sortGroups(out)
	sort.Strings(ch.Added)
	sort.Strings(ch.Deleted)
	sort.Strings(ch.Returned)
	return out, ch
}

func sortGroups(gs []store.XPMGroup) {
	sort.SliceStable(gs, func(i, j int) bool {
		a, b := strings.ToLower(gs[i].Name), strings.ToLower(gs[j].Name)
		if a != b {
			return a < b
		}
		return gs[i].UUID < gs[j].UUID
	})
}

func sortedUnique(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func intPtr(n int) *int { return &n }
