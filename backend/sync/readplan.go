package sync

import (
	"fmt"
	"time"
)

// Read strategies.
const (
	// ReadGroups reads each group (clientgroup.api/get) and each of its
	// members (client.api/get, detailed), plus the clients their
	// relationships reach: cheap for a few groups.
	ReadGroups = "groups"
	// ReadList reads the whole practice in one detailed client list
	// (client.api/list?detailed=true, with modifiedSince after the first
	// pull): one call, but an answer the size of the practice.
	ReadList = "list"
)

// ListClientsPerSecond is the assumed speed of the detailed client list
// answer (NOTES.md: a 15,000-client practice takes "minutes"; 100 clients a
// second is the conservative reading).
const ListClientsPerSecond = 100

// ReadPlanInput is what the choice of calls depends on.
type ReadPlanInput struct {
	// Members is the member count of each group to pull (-1 = unknown).
	Members []int
	// PracticeClients is how many clients the practice has (0 = unknown).
	PracticeClients int
	// ModifiedSince is set when every group to pull was pulled before: a
	// list then only returns clients changed since.
	ModifiedSince time.Time
	// PerMinute and CallsLeftToday are the current limits.
	PerMinute      int
	CallsLeftToday int
	// Force chooses the strategy ("" = by cost).
	Force string
}

// ReadPlan is the chosen way to read, with its estimate.
type ReadPlan struct {
	Strategy string `json:"strategy"`
	// Calls is the estimated number of XPM calls (a group read may need a
	// few more for clients outside the groups that members are related to).
	Calls int `json:"calls"`
	// Duration is the estimated time at the current limits: paced calls
	// plus, for a list, the time the answer takes to arrive.
	Duration time.Duration `json:"duration"`
	// ModifiedSince is the modifiedSince of a list read (zero: everything).
	ModifiedSince time.Time `json:"modifiedSince,omitzero"`
	// Reason says why, for the practitioner.
	Reason string `json:"reason"`
	// Alternative is the other strategy's estimate, for comparison.
	AltCalls    int           `json:"altCalls"`
	AltDuration time.Duration `json:"altDuration"`
}

// UnknownPracticeClients is assumed when the practice's size is unknown
// (no discovery yet): a mid-size practice, so that a few groups are read
// one by one rather than through a list that may be very large.
const UnknownPracticeClients = 2000

// unknownGroupSize is assumed for a group whose members were never
// counted.
const unknownGroupSize = 8

// ChooseReadPlan chooses the calls by cost: per-group reads when they take
// less time than a list of the practice (and fit in today's calls), the
// single detailed list otherwise.
func ChooseReadPlan(in ReadPlanInput) ReadPlan {
	perMin := in.PerMinute
	if perMin <= 0 {
		perMin = 60
	}
	paced := func(calls int) time.Duration {
		if calls <= 1 {
			return time.Duration(calls) * time.Second
		}
		return time.Duration(calls-1) * time.Minute / time.Duration(max(perMin-1, 1))
	}
	groupCalls := 0
	members := 0
	for _, m := range in.Members {
		if m < 0 {
			m = unknownGroupSize
		}
		members += m
		groupCalls += 1 + m
	}
	groupTime := paced(groupCalls)

	listClients := in.PracticeClients
	if listClients <= 0 {
		listClients = max(members*4, UnknownPracticeClients)
	}
	incremental := !in.ModifiedSince.IsZero()
	transferClients := listClients
	if incremental {
		transferClients = max(listClients/10, 1)
	}
	listTime := paced(1) + time.Duration(transferClients)*time.Second/ListClientsPerSecond

	list := ReadPlan{Strategy: ReadList, Calls: 1, Duration: listTime, AltCalls: groupCalls, AltDuration: groupTime}
	if incremental {
		list.ModifiedSince = in.ModifiedSince
	}
	groups := ReadPlan{Strategy: ReadGroups, Calls: groupCalls, Duration: groupTime, AltCalls: 1, AltDuration: listTime}

	switch in.Force {
	case ReadList:
		list.Reason = "You chose to read the whole practice in one call."
		return list
	case ReadGroups:
		groups.Reason = "You chose to read the groups one by one."
		return groups
	}
	left := in.CallsLeftToday
	if left > 0 && groupCalls > left {
		list.Reason = fmt.Sprintf("Reading the groups one by one needs about %d calls, more than the %d XPM allows for the rest of today; one call reads the whole practice.", groupCalls, left)
		return list
	}
	if groupTime <= listTime {
		groups.Reason = fmt.Sprintf("%d %s with %d %s: reading them one by one (%d calls) is quicker than reading all %d clients of the practice.",
			len(in.Members), plural(len(in.Members), "group", "groups"), members, plural(members, "client", "clients"), groupCalls, listClients)
		return groups
	}
	if incremental {
		list.Reason = fmt.Sprintf("One call reads the clients changed in XPM since %s, quicker than %d calls for the groups one by one.",
			in.ModifiedSince.UTC().Format("2 Jan 2006 15:04 UTC"), groupCalls)
	} else {
		list.Reason = fmt.Sprintf("One call reads every client of the practice, quicker than %d calls for the groups one by one.", groupCalls)
	}
	return list
}
