package sync

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"structura/backend/model"
)

// Match levels, strongest first.
const (
	MatchLinked = "linked" // the entity is already linked to this XPM client
	MatchExact  = "exact"  // same ABN or ACN: linked by default
	MatchHigh   = "high"   // same given name, family name and date of birth: ask
	MatchMedium = "medium" // same name only, or a near-identical company name: ask
	MatchNone   = "none"   // nothing alike: create
)

// Candidate is a local entity that may be the XPM client.
type Candidate struct {
	EntityID int64  `json:"entityId"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Level    string `json:"level"`
	Reason   string `json:"reason"`
}

// matcher finds local entities that look like an XPM client. Only entities
// linked to no XPM client are candidates (a link is one to one).
type matcher struct {
	byABN    map[string][]int64
	byACN    map[string][]int64
	byPerson map[string][]int64 // given|family, folded
	byOrg    map[string][]int64 // exact folded name
	byLoose  map[string][]int64 // loose company name
	byFirst  map[string][]string
	ents     map[int64]*model.Entity
}

func newMatcher(local *Local, linked map[int64]string) *matcher {
	m := &matcher{byABN: map[string][]int64{}, byACN: map[string][]int64{}, byPerson: map[string][]int64{},
		byOrg: map[string][]int64{}, byLoose: map[string][]int64{}, byFirst: map[string][]string{}, ents: local.Entities}
	ids := make([]int64, 0, len(local.Entities))
	for id := range local.Entities {
		if _, ok := linked[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		e := local.Entities[id]
		if e.ABN != "" {
			m.byABN[e.ABN] = append(m.byABN[e.ABN], id)
		}
		if e.ACN != "" {
			m.byACN[e.ACN] = append(m.byACN[e.ACN], id)
		}
		if e.Kind == model.KindIndividual {
			if k := personKey(e.GivenName, e.FamilyName); k != "" {
				m.byPerson[k] = append(m.byPerson[k], id)
			}
			continue
		}
		for _, n := range []string{e.LegalName, e.TradingName} {
			if k := foldWords(n); k != "" && !slices.Contains(m.byOrg[k], id) {
				m.byOrg[k] = append(m.byOrg[k], id)
			}
			if k := looseName(n); k != "" && !slices.Contains(m.byLoose[k], id) {
				if len(m.byLoose[k]) == 0 {
					first, _, _ := strings.Cut(k, " ")
					m.byFirst[first] = append(m.byFirst[first], k)
				}
				m.byLoose[k] = append(m.byLoose[k], id)
			}
		}
	}
	return m
}

func personKey(given, family string) string {
	g, f := foldWords(given), foldWords(family)
	if g == "" || f == "" {
		return ""
	}
	return g + "|" + f
}

// legal words left out of a loose company name.
var legalWords = map[string]bool{"pty": true, "ltd": true, "limited": true, "proprietary": true, "the": true,
	"&": true, "and": true, "co": true, "inc": true, "incorporated": true, "as": true, "trustee": true, "for": true, "atf": true}

// looseName is a company name for near-identical matching: folded, legal
// words dropped, plural 's' dropped ("Bright Horizons Early Learning Pty
// Ltd" = "bright horizon early learning").
func looseName(s string) string {
	var out []string
	for _, w := range strings.Fields(foldWords(s)) {
		if legalWords[w] {
			continue
		}
		if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			w = strings.TrimSuffix(w, "s")
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// levenshtein distance, bounded: returns max+1 as soon as it exceeds max.
func levenshtein(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// find returns the candidates for an XPM client mapped to in (kind
// decided), strongest first.
func (m *matcher) find(in model.EntityInput, xpmName string) []Candidate {
	found := map[int64]Candidate{}
	rank := map[string]int{MatchExact: 3, MatchHigh: 2, MatchMedium: 1}
	add := func(id int64, level, reason string) {
		if c, ok := found[id]; ok && rank[c.Level] >= rank[level] {
			return
		}
		e := m.ents[id]
		found[id] = Candidate{EntityID: id, Name: e.DisplayName, Kind: string(e.Kind), Level: level, Reason: reason}
	}
	if in.ABN != "" {
		for _, id := range m.byABN[in.ABN] {
			add(id, MatchExact, "same ABN "+FormatABN(in.ABN))
		}
	}
	if in.ACN != "" {
		for _, id := range m.byACN[in.ACN] {
			add(id, MatchExact, "same ACN "+FormatACN(in.ACN))
		}
	}
	if in.Kind == model.KindIndividual {
		if k := personKey(in.GivenName, in.FamilyName); k != "" {
			for _, id := range m.byPerson[k] {
				e := m.ents[id]
				switch {
				case in.DateOfBirth != "" && e.DateOfBirth == in.DateOfBirth:
					add(id, MatchHigh, "same name and date of birth, "+model.DisplayDate(in.DateOfBirth))
				case in.DateOfBirth != "" && e.DateOfBirth != "":
					// different dates of birth: a different person
				default:
					add(id, MatchMedium, "same name; no date of birth to compare")
				}
			}
		}
	} else {
		name := in.LegalName
		if name == "" {
			name = xpmName
		}
		if k := foldWords(name); k != "" {
			for _, id := range m.byOrg[k] {
				add(id, MatchMedium, "same name")
			}
		}
		if k := looseName(name); k != "" {
			for _, id := range m.byLoose[k] {
				add(id, MatchMedium, "nearly the same name")
			}
			if len([]rune(k)) >= 10 {
				first, _, _ := strings.Cut(k, " ")
				for _, other := range m.byFirst[first] {
					if other != k && levenshtein(k, other, 2) <= 2 {
						for _, id := range m.byLoose[other] {
							add(id, MatchMedium, "nearly the same name")
						}
					}
				}
			}
		}
	}
	out := make([]Candidate, 0, len(found))
	for _, c := range found {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if rank[out[i].Level] != rank[out[j].Level] {
			return rank[out[i].Level] > rank[out[j].Level]
		}
		return out[i].EntityID < out[j].EntityID
	})
	return out
}

func matchSummary(c []Candidate) string {
	if len(c) == 0 {
		return ""
	}
	if len(c) == 1 {
		return fmt.Sprintf("%s (%s)", c[0].Name, c[0].Reason)
	}
	return fmt.Sprintf("%d entities, e.g. %s (%s)", len(c), c[0].Name, c[0].Reason)
}
