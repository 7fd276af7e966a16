package sync

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"structura/backend/model"
)

// Field is one row of the field table: a Structura entity field, the XPM
// fields it corresponds to, and the conversion each way. Pull uses ToLocal;
// push (a later issue) uses ToXPM. XPM fields that no row names are kept in
// the base snapshot only (Client.Raw).
type Field struct {
	// Name is the model.EntityInput JSON key ("givenName").
	Name string
	// Label is how a practitioner calls it.
	Label string
	// XPM lists the XPM client fields involved.
	XPM []string
	// Kinds limits the field to some kinds (nil = every kind).
	Kinds []model.EntityKind
	// ToLocal reads the value from an XPM client ("" = none).
	ToLocal func(c *Client) string
	// ToXPM gives the XPM field values for a local value (nil: the field is
	// not written to XPM, with the reason in NoPush).
	ToXPM  func(e *model.Entity) map[string]string
	NoPush string
}

// Applies reports whether the field exists for kind k.
func (f *Field) Applies(k model.EntityKind) bool {
	return f.Kinds == nil || slices.Contains(f.Kinds, k)
}

// Get returns the field's value in a local entity input.
func (f *Field) Get(in *model.EntityInput) string { return *fieldPtr(in, f.Name) }

// Set sets the field's value in a local entity input.
func (f *Field) Set(in *model.EntityInput, v string) { *fieldPtr(in, f.Name) = v }

func fieldPtr(in *model.EntityInput, name string) *string {
	switch name {
	case "givenName":
		return &in.GivenName
	case "familyName":
		return &in.FamilyName
	case "legalName":
		return &in.LegalName
	case "tradingName":
		return &in.TradingName
	case "dateOfBirth":
		return &in.DateOfBirth
	case "abn":
		return &in.ABN
	case "acn":
		return &in.ACN
	case "email":
		return &in.Email
	case "phone":
		return &in.Phone
	case "address":
		return &in.Address
	case "notes":
		return &in.Notes
	}
	panic("sync: unknown field " + name)
}

var individual = []model.EntityKind{model.KindIndividual}
var nonIndividual = []model.EntityKind{model.KindCompany, model.KindTrust, model.KindPartnership, model.KindSMSF, model.KindOther}

// Fields is the field table, in the order the review shows changes.
var Fields = []*Field{
	{Name: "givenName", Label: "Given name", XPM: []string{"firstName", "name"}, Kinds: individual,
		ToLocal: func(c *Client) string { g, _ := personName(c); return g },
		ToXPM: func(e *model.Entity) map[string]string {
			return map[string]string{"firstName": e.GivenName, "name": e.DisplayName}
		}},
	{Name: "familyName", Label: "Family name", XPM: []string{"lastName", "name"}, Kinds: individual,
		ToLocal: func(c *Client) string { _, f := personName(c); return f },
		ToXPM: func(e *model.Entity) map[string]string {
			return map[string]string{"lastName": e.FamilyName, "name": e.DisplayName}
		}},
	{Name: "legalName", Label: "Legal name", XPM: []string{"name"}, Kinds: nonIndividual,
		ToLocal: func(c *Client) string { return c.Name },
		ToXPM:   func(e *model.Entity) map[string]string { return map[string]string{"name": e.LegalName} }},
	{Name: "tradingName", Label: "Trading name", XPM: nil,
		NoPush: "XPM has no trading name field; Structura keeps it locally"},
	{Name: "dateOfBirth", Label: "Date of birth", XPM: []string{"dateOfBirth"}, Kinds: individual,
		ToLocal: func(c *Client) string { return c.DateOfBirth },
		ToXPM:   func(e *model.Entity) map[string]string { return map[string]string{"dateOfBirth": e.DateOfBirth} }},
	{Name: "abn", Label: "ABN", XPM: []string{"businessNumber"},
		ToLocal: func(c *Client) string { return compactNumber(c.BusinessNumber) },
		ToXPM:   func(e *model.Entity) map[string]string { return map[string]string{"businessNumber": FormatABN(e.ABN)} }},
	{Name: "acn", Label: "ACN", XPM: []string{"companyNumber"}, Kinds: []model.EntityKind{model.KindCompany},
		ToLocal: func(c *Client) string { return compactNumber(c.CompanyNumber) },
		ToXPM:   func(e *model.Entity) map[string]string { return map[string]string{"companyNumber": FormatACN(e.ACN)} }},
	{Name: "email", Label: "Email", XPM: []string{"email"},
		ToLocal: func(c *Client) string { return c.Email },
		ToXPM:   func(e *model.Entity) map[string]string { return map[string]string{"email": e.Email} }},
	{Name: "phone", Label: "Phone", XPM: []string{"phone"},
		ToLocal: func(c *Client) string { return c.Phone },
		ToXPM:   func(e *model.Entity) map[string]string { return map[string]string{"phone": e.Phone} }},
	{Name: "address", Label: "Address", XPM: []string{"address", "city", "region", "postCode", "country"},
		ToLocal: func(c *Client) string { return ComposeAddress(c.Address, c.City, c.Region, c.PostCode, c.Country) },
		ToXPM:   func(e *model.Entity) map[string]string { return SplitAddress(e.Address) }},
	{Name: "notes", Label: "Notes", XPM: []string{"notes"},
		ToLocal: func(c *Client) string { return ComposeNotes(c.Notes) },
		NoPush:  "XPM's API cannot write client notes"},
}

// FieldByName returns a row of the field table.
func FieldByName(name string) *Field {
	for _, f := range Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// compactNumber strips separators from an ABN/ACN as XPM wrote it; a value
// that is not all digits is returned trimmed (validation flags it).
func compactNumber(s string) string {
	s = strings.TrimSpace(s)
	d := digits(s)
	stripped := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '.' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
	if d == stripped {
		return d
	}
	return s
}

// FormatABN writes an ABN the way XPM shows it: "51 824 753 556".
func FormatABN(s string) string {
	if len(s) != 11 {
		return s
	}
	return s[0:2] + " " + s[2:5] + " " + s[5:8] + " " + s[8:11]
}

// FormatACN writes an ACN the way XPM shows it: "004 085 616".
func FormatACN(s string) string {
	if len(s) != 9 {
		return s
	}
	return s[0:3] + " " + s[3:6] + " " + s[6:9]
}

// personName returns an individual's given and family name: XPM's first
// and last name, or, when both are empty, the client name split before its
// last word.
func personName(c *Client) (given, family string) {
	given, family = strings.TrimSpace(c.FirstName), strings.TrimSpace(c.LastName)
	if given != "" || family != "" {
		return given, family
	}
	words := strings.Fields(c.Name)
	switch len(words) {
	case 0:
		return "", ""
	case 1:
		return "", words[0]
	}
	return strings.Join(words[:len(words)-1], " "), words[len(words)-1]
}

// ComposeAddress writes XPM's address parts as one line:
// "27 John Street, Cabramatta NSW 2166" (the country is added unless it is
// Australia).
func ComposeAddress(street, city, region, postCode, country string) string {
	street = strings.Join(strings.Fields(strings.ReplaceAll(street, "\n", ", ")), " ")
	tail := strings.Join(strings.Fields(strings.Join([]string{city, region, postCode}, " ")), " ")
	parts := []string{}
	for _, p := range []string{street, tail} {
		if p = strings.Trim(strings.TrimSpace(p), ","); p != "" {
			parts = append(parts, p)
		}
	}
	if c := strings.TrimSpace(country); c != "" && !strings.EqualFold(c, "Australia") && !strings.EqualFold(c, "AU") {
		parts = append(parts, c)
	}
	return strings.Join(parts, ", ")
}

var auAddress = regexp.MustCompile(`^(.*), (.+?) (NSW|VIC|QLD|SA|WA|TAS|ACT|NT) (\d{4})$`)

// SplitAddress is ComposeAddress backwards, for push: an Australian line
// "street, suburb STATE postcode" gives the parts; anything else goes to
// the street field whole.
func SplitAddress(s string) map[string]string {
	s = strings.TrimSpace(s)
	if m := auAddress.FindStringSubmatch(s); m != nil {
		return map[string]string{"address": m[1], "city": m[2], "region": m[3], "postCode": m[4], "country": "Australia"}
	}
	return map[string]string{"address": s}
}

// ComposeNotes writes XPM's client notes as one text: each note as its
// title (with its date) and its text, separated by a blank line.
func ComposeNotes(notes []Note) string {
	var parts []string
	for _, n := range notes {
		title, text := strings.TrimSpace(n.Title), strings.TrimSpace(n.Text)
		if title == "" && text == "" {
			continue
		}
		head := title
		if n.Date != "" {
			if head == "" {
				head = n.Date
			} else {
				head += " (" + n.Date + ")"
			}
		}
		switch {
		case head == "":
			parts = append(parts, text)
		case text == "":
			parts = append(parts, head)
		default:
			parts = append(parts, head+": "+text)
		}
	}
	return strings.Join(parts, "\n\n")
}

// Limits of local fields (model.ValidateEntityInput's).
const (
	maxName  = 200
	maxLine  = 500
	maxNotes = 20000
)

func fieldMax(name string) int {
	switch name {
	case "notes":
		return maxNotes
	case "address":
		return maxLine
	}
	return maxName
}

// MapEntity turns an XPM client into the local entity input it stands
// for, as kind k. Every value is cleaned (odd characters removed), cut to
// the local limits and checked with the local rules; a value the local
// rules refuse is left out and flagged (it stays in the base snapshot).
// today is YYYY-MM-DD.
func MapEntity(c *Client, kind model.EntityKind, trust model.TrustType, today string) (model.EntityInput, []Flag) {
	in := model.EntityInput{Kind: kind, TrustType: trust}
	var flags []Flag
	for _, f := range Fields {
		if f.ToLocal == nil || !f.Applies(kind) {
			continue
		}
		raw := f.ToLocal(c)
		var v string
		var changed bool
		if f.Name == "notes" {
			v, changed = cleanText(raw)
		} else {
			v, changed = cleanLine(raw)
		}
		if changed {
			flags = append(flags, Flag{Code: FlagTextCleaned, Level: LevelInfo, Field: f.Name,
				Message: fmt.Sprintf("%s: hidden or control characters from XPM were removed.", f.Label)})
		}
		if cut, was := truncateRunes(v, fieldMax(f.Name)); was {
			v = cut
			flags = append(flags, Flag{Code: FlagTruncated, Level: LevelWarning, Field: f.Name,
				Message: fmt.Sprintf("%s: XPM's value is longer than Structura keeps (%d characters); it was shortened. XPM's full value is kept in the pull's snapshot.", f.Label, fieldMax(f.Name))})
		}
		f.Set(&in, v)
	}
	now, err := time.Parse(model.DateLayout, today)
	if err != nil {
		now = time.Now().UTC()
	}
	now = now.Add(12 * time.Hour)
	norm := model.NormalizeEntityInput(in)
	norm.TFN = nil
	for range 20 {
		errs := model.ValidateEntityInput(norm, now)
		if len(errs) == 0 {
			break
		}
		progress := false
		for _, name := range sortedKeys(errs) {
			f := FieldByName(name)
			if f == nil {
				continue
			}
			if name == "givenName" || name == "legalName" {
				continue // a missing name is filled below
			}
			flags = append(flags, Flag{Code: FlagFieldDropped, Level: LevelWarning, Field: name,
				Message: fmt.Sprintf("%s “%s” from XPM was not kept: %s It stays in the pull's snapshot.", f.Label, short(f.Get(&norm), 60), errs[name])})
			f.Set(&norm, "")
			progress = true
		}
		if _, ok := errs["givenName"]; ok && norm.Kind == model.KindIndividual {
			norm.FamilyName = unnamed(c)
			flags = append(flags, noNameFlag())
			progress = true
		}
		if _, ok := errs["legalName"]; ok && norm.Kind != model.KindIndividual {
			norm.LegalName = unnamed(c)
			flags = append(flags, noNameFlag())
			progress = true
		}
		if !progress {
			break
		}
	}
	return norm, flags
}

func unnamed(c *Client) string {
	id := c.UUID
	if len(id) > 8 {
		id = id[:8]
	}
	return "Unnamed XPM client " + id
}

func noNameFlag() Flag {
	return Flag{Code: FlagNoName, Level: LevelWarning, Field: "name",
		Message: "XPM has no name for this client; Structura gave it a placeholder name. Rename it here or in XPM."}
}
