package sync

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"structura/backend/model"
)

//go:embed mapping.json
var mappingJSON []byte

// Mapping is the pull's data table (mapping.json): business structure and
// client type labels, keyword inference and relationship alternatives.
type Mapping struct {
	Labels       []LabelKind      `json:"labels"`
	Keywords     []Keyword        `json:"keywords"`
	Alternatives []RelAlternative `json:"relationshipAlternatives"`

	byKey map[string]LabelKind
}

// LabelKind maps one XPM label to a kind.
type LabelKind struct {
	Label     string           `json:"label"`
	Kind      model.EntityKind `json:"kind"`
	TrustType model.TrustType  `json:"trustType,omitempty"`
}

// Keyword is one inference rule: any of Words found in the label or the
// name (In) suggests Kind.
type Keyword struct {
	In        string           `json:"in"` // "label" or "name"
	Words     []string         `json:"words"`
	Kind      model.EntityKind `json:"kind"`
	TrustType model.TrustType  `json:"trustType,omitempty"`
}

// RelAlternative records a relationship under another type when its own
// type does not fit the kinds at its ends.
type RelAlternative struct {
	Type       string             `json:"type"`
	ToKinds    []model.EntityKind `json:"toKinds"`
	Use        string             `json:"use"`
	SharesNote string             `json:"sharesNote"`
	Reason     string             `json:"reason"`
}

var defaultMapping = mustMapping(mappingJSON)

// DefaultMapping returns the embedded mapping table.
func DefaultMapping() *Mapping { return defaultMapping }

func mustMapping(b []byte) *Mapping {
	m, err := ParseMapping(b)
	if err != nil {
		panic(err)
	}
	return m
}

// ParseMapping reads and checks a mapping table.
func ParseMapping(b []byte) (*Mapping, error) {
	var m Mapping
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("mapping.json: %w", err)
	}
	m.byKey = map[string]LabelKind{}
	for _, l := range m.Labels {
		if err := checkKind(l.Kind, l.TrustType); err != nil {
			return nil, fmt.Errorf("mapping.json: label %q: %w", l.Label, err)
		}
		k := LabelKey(l.Label)
		if k == "" {
			return nil, fmt.Errorf("mapping.json: empty label")
		}
		if _, dup := m.byKey[k]; dup {
			return nil, fmt.Errorf("mapping.json: label %q twice", l.Label)
		}
		m.byKey[k] = l
	}
	for i, kw := range m.Keywords {
		if kw.In != "label" && kw.In != "name" {
			return nil, fmt.Errorf("mapping.json: keyword %d: 'in' must be label or name", i)
		}
		if len(kw.Words) == 0 {
			return nil, fmt.Errorf("mapping.json: keyword %d: no words", i)
		}
		if err := checkKind(kw.Kind, kw.TrustType); err != nil {
			return nil, fmt.Errorf("mapping.json: keyword %d: %w", i, err)
		}
	}
	for _, a := range m.Alternatives {
		if _, ok := model.LookupRelationshipType(a.Type); !ok {
			return nil, fmt.Errorf("mapping.json: alternative for unknown type %q", a.Type)
		}
		if _, ok := model.LookupRelationshipType(a.Use); !ok {
			return nil, fmt.Errorf("mapping.json: alternative uses unknown type %q", a.Use)
		}
	}
	return &m, nil
}

func checkKind(k model.EntityKind, t model.TrustType) error {
	if !k.Valid() {
		return fmt.Errorf("unknown kind %q", k)
	}
	if !t.Valid() {
		return fmt.Errorf("unknown trust type %q", t)
	}
	if t != model.TrustNone && k != model.KindTrust {
		return fmt.Errorf("a trust type on a %s", k)
	}
	return nil
}

// LabelKey is how labels are compared: lower case, letters and digits
// only ("Self-Managed Superannuation Fund" = "self managed superannuation
// fund").
func LabelKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Kind sources: where a kind came from.
const (
	KindFromTable   = "table"   // the mapping table knows the label
	KindFromRule    = "rule"    // the user's saved rule for the label
	KindFromKeyword = "keyword" // a guess from words in the label or name
	KindFromLocal   = "local"   // the linked local entity's kind
	KindFromUser    = "user"    // the user's decision in this review
	KindUnknown     = "ask"     // nothing fits: the user must say
)

// KindRule is a user's saved answer for a business structure label.
type KindRule struct {
	Label     string           `json:"label"`
	Kind      model.EntityKind `json:"kind"`
	TrustType model.TrustType  `json:"trustType"`
}

// KindGuess is the kind a pull gives an XPM client, and why.
type KindGuess struct {
	Kind      model.EntityKind `json:"kind"` // "" when unknown
	TrustType model.TrustType  `json:"trustType"`
	Source    string           `json:"source"`
	// Label is the business structure (or client type) it was read from.
	Label  string `json:"label"`
	Reason string `json:"reason"`
}

// Classify gives an XPM client a kind: the mapping table on its business
// structure, then on its client type; then the user's saved rules (keyed by
// LabelKey); then keyword inference on the label and the name (a guess);
// then, for a record with a first or last name and nothing else, individual
// (a guess); otherwise KindUnknown.
func (m *Mapping) Classify(c *Client, rules map[string]KindRule) KindGuess {
	labels := []string{}
	for _, l := range []string{c.BusinessStructure, c.ClientType} {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	for _, l := range labels {
		if lk, ok := m.byKey[LabelKey(l)]; ok {
			return KindGuess{Kind: lk.Kind, TrustType: lk.TrustType, Source: KindFromTable, Label: l,
				Reason: fmt.Sprintf("XPM business structure “%s”", l)}
		}
	}
	for _, l := range labels {
		if r, ok := rules[LabelKey(l)]; ok && r.Kind.Valid() {
			return KindGuess{Kind: r.Kind, TrustType: r.TrustType, Source: KindFromRule, Label: l,
				Reason: fmt.Sprintf("your saved rule for “%s”", l)}
		}
	}
	label := ""
	if len(labels) > 0 {
		label = labels[0]
	}
	for _, kw := range m.Keywords {
		var hay []string
		if kw.In == "label" {
			hay = labels
		} else {
			hay = []string{c.Name}
		}
		for _, h := range hay {
			if w, ok := containsWord(h, kw.Words); ok {
				where := "business structure"
				if kw.In == "name" {
					where = "name"
				}
				return KindGuess{Kind: kw.Kind, TrustType: kw.TrustType, Source: KindFromKeyword, Label: label,
					Reason: fmt.Sprintf("a guess: the %s “%s” contains “%s”", where, h, w)}
			}
		}
	}
	if strings.TrimSpace(c.FirstName) != "" || strings.TrimSpace(c.LastName) != "" {
		return KindGuess{Kind: model.KindIndividual, Source: KindFromKeyword, Label: label,
			Reason: "a guess: XPM has a first or last name for it"}
	}
	reason := "XPM has no business structure for it"
	if label != "" {
		reason = fmt.Sprintf("Structura does not know the business structure “%s”", label)
	}
	return KindGuess{Source: KindUnknown, Label: label, Reason: reason}
}

// containsWord reports whether s contains one of words as whole words
// (case-insensitive), and which.
func containsWord(s string, words []string) (string, bool) {
	hay := " " + foldWords(s) + " "
	for _, w := range words {
		if strings.Contains(hay, " "+foldWords(w)+" ") {
			return w, true
		}
	}
	return "", false
}

// foldWords lower-cases s, keeps letters, digits and '&', and separates
// words by single spaces ("Pty. Ltd." → "pty ltd").
func foldWords(s string) string {
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(foldAccents(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '&' {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}
