package groupsync

import (
	"sort"
	"strings"
	"unicode"
)

// Candidate is a local group that an XPM group could be linked to.
type Candidate struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	EntityCount int    `json:"entityCount"`
}

// Scored is a candidate with its name similarity to the XPM group (0 to 1).
type Scored struct {
	Candidate
	Score float64 `json:"score"`
}

// SuggestThreshold is the least similarity for a candidate to be suggested.
const SuggestThreshold = 0.5

// genericWeights are words that say little about which family or business
// a group is: they count, but much less than a surname or a business name.
// Anything else weighs 1.
var genericWeights = map[string]float64{
	"family": 0.3, "group": 0.2, "groups": 0.2, "the": 0.1, "and": 0.1, "of": 0.1,
	"pty": 0.2, "ltd": 0.2, "limited": 0.2, "co": 0.2, "company": 0.2, "inc": 0.2,
	"trust": 0.4, "holdings": 0.5, "investments": 0.5, "super": 0.5, "fund": 0.4, "smsf": 0.4,
	"mr": 0.1, "mrs": 0.1, "ms": 0.1, "dr": 0.1,
}

// nameTokens normalises a group name into comparable words: lower case,
// apostrophes dropped ("O'Brien" = "obrien"), "&" read as "and", anything
// else that is not a letter or digit a separator, and a plural "s" dropped
// from words of more than three letters ("Horizons" = "Horizon").
func nameTokens(s string) []string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("'", "", "\u2019", "", "&", " and ").Replace(s)
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			if _, generic := genericWeights[w]; !generic {
				words[i] = strings.TrimSuffix(w, "s")
			}
		}
	}
	return words
}

func weight(w string) float64 {
	if v, ok := genericWeights[w]; ok {
		return v
	}
	return 1
}

// normalName is a name reduced to its words, for "same name" checks.
func normalName(s string) string { return strings.Join(nameTokens(s), " ") }

// NameSimilarity scores how alike two group names are, from 0 (nothing in
// common) to 1 (the same words): a weighted Dice coefficient over their
// words, where generic words ("family", "group", "pty"…) weigh little.
func NameSimilarity(a, b string) float64 {
	ta, tb := nameTokens(a), nameTokens(b)
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	if strings.Join(ta, " ") == strings.Join(tb, " ") {
		return 1
	}
	left := map[string]int{}
	var wa, wb, common float64
	for _, w := range ta {
		left[w]++
		wa += weight(w)
	}
	for _, w := range tb {
		wb += weight(w)
		if left[w] > 0 {
			left[w]--
			common += weight(w)
		}
	}
	if wa+wb == 0 {
		return 0
	}
	s := 2 * common / (wa + wb)
	if s > 0.99 { // same words in another order or repeated: close, not identical
		s = 0.99
	}
	return s
}

// Rank scores every candidate against an XPM group name, best first (ties
// by name, then id).
func Rank(name string, candidates []Candidate) []Scored {
	out := make([]Scored, len(candidates))
	for i, c := range candidates {
		out[i] = Scored{Candidate: c, Score: roundScore(NameSimilarity(name, c.Name))}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		ni, nj := strings.ToLower(out[i].Name), strings.ToLower(out[j].Name)
		if ni != nj {
			return ni < nj
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Best returns the suggestion among ranked candidates: the first if it
// reaches SuggestThreshold and no other candidate scores the same.
func Best(ranked []Scored) *Scored {
	if len(ranked) == 0 || ranked[0].Score < SuggestThreshold {
		return nil
	}
	if len(ranked) > 1 && ranked[1].Score == ranked[0].Score {
		return nil // a tie: let the practitioner choose
	}
	b := ranked[0]
	return &b
}

func roundScore(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }
