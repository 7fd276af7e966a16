package model

import (
	"fmt"
	"math"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DateLayout is the one date format crossing the bridge.
const DateLayout = "2006-01-02"

// Field length limits (characters).
const (
	maxNameLen  = 200
	maxLineLen  = 500
	maxNotesLen = 20000
)

// Errors is a set of per-field validation messages keyed by JSON field name.
// An empty Errors means the input is valid.
type Errors map[string]string

// Add records msg for field unless the field already has a message (the
// first problem found is the one worth reading).
func (e Errors) Add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// compactNumber strips the separators people type inside ABNs, ACNs and
// TFNs (spaces, hyphens, dots).
func compactNumber(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '.' {
			return -1
		}
		return r
	}, s)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ValidABN reports whether s (separators allowed) is an 11-digit ABN whose
// check digits match: subtract 1 from the first digit, weight the digits by
// 10,1,3,5,...,19, and the sum must divide by 89.
func ValidABN(s string) bool {
	s = compactNumber(s)
	if len(s) != 11 || !allDigits(s) {
		return false
	}
	weights := [11]int{10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19}
	sum := 0
	for i, r := range s {
		d := int(r - '0')
		if i == 0 {
			d--
		}
		sum += d * weights[i]
	}
	return sum%89 == 0
}

// ValidACN reports whether s (separators allowed) is a 9-digit ACN (or ARBN)
// whose last digit is the complement of the weighted sum of the first 8.
func ValidACN(s string) bool {
	s = compactNumber(s)
	if len(s) != 9 || !allDigits(s) {
		return false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(s[i]-'0') * (8 - i)
	}
	check := (10 - sum%10) % 10
	return check == int(s[8]-'0')
}

// ValidTFN reports whether s (separators allowed) looks like a tax file
// number: 9 digits whose weighted sum (1,4,3,7,5,8,6,9,10) divides by 11, or
// one of the older 8-digit numbers (length checked only: their check-digit
// rule is not published, and refusing a real number would be worse).
func ValidTFN(s string) bool {
	s = compactNumber(s)
	if !allDigits(s) {
		return false
	}
	switch len(s) {
	case 8:
		return true
	case 9:
		weights := [9]int{1, 4, 3, 7, 5, 8, 6, 9, 10}
		sum := 0
		for i, r := range s {
			sum += int(r-'0') * weights[i]
		}
		return sum%11 == 0
	}
	return false
}

// NormalizeTFN returns the digits of a TFN as typed.
func NormalizeTFN(s string) string { return compactNumber(strings.TrimSpace(s)) }

// ParseDate parses a YYYY-MM-DD date.
func ParseDate(s string) (time.Time, bool) {
	t, err := time.Parse(DateLayout, s)
	return t, err == nil
}

// NormalizeDate accepts a date as Australians type it — DD/MM/YYYY, D/M/YYYY,
// with "/", "-" or "." between the parts — or as YYYY-MM-DD, and returns it
// as YYYY-MM-DD. Text that is not a date in one of these forms is returned
// trimmed but otherwise unchanged, so validation can say what is wrong.
// Month-first (US) order is never guessed.
func NormalizeDate(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if _, ok := ParseDate(s); ok {
		return s
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	if len(parts) != 3 || len(parts[2]) != 4 || len(parts[0]) > 2 || len(parts[1]) > 2 {
		return s
	}
	for _, p := range parts {
		if !allDigits(p) {
			return s
		}
	}
	iso := parts[2] + "-" + pad2(parts[1]) + "-" + pad2(parts[0])
	if _, ok := ParseDate(iso); !ok {
		return s
	}
	return iso
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// DisplayDate writes a YYYY-MM-DD date as practitioners read it in
// messages ("8 Aug 1959"); anything else is returned unchanged.
func DisplayDate(s string) string {
	if t, ok := ParseDate(s); ok {
		return t.Format("2 Jan 2006")
	}
	return s
}

// Today returns now's calendar date as YYYY-MM-DD, in now's location.
func Today(now time.Time) string { return now.Format(DateLayout) }

// NormalizeEntityInput trims every field, strips separators from the ABN,
// ACN and TFN, and clears fields that do not apply to the kind (the form
// hides them, so a stale hidden value must not be saved): given/family
// name and date of birth belong to individuals, the legal name to every
// other kind, the trust type to trusts.
func NormalizeEntityInput(in EntityInput) EntityInput {
	out := EntityInput{
		Kind:        EntityKind(strings.TrimSpace(string(in.Kind))),
		TrustType:   TrustType(strings.TrimSpace(string(in.TrustType))),
		GivenName:   strings.TrimSpace(in.GivenName),
		FamilyName:  strings.TrimSpace(in.FamilyName),
		LegalName:   strings.TrimSpace(in.LegalName),
		TradingName: strings.TrimSpace(in.TradingName),
		DateOfBirth: NormalizeDate(in.DateOfBirth),
		ABN:         compactNumber(strings.TrimSpace(in.ABN)),
		ACN:         compactNumber(strings.TrimSpace(in.ACN)),
		Email:       strings.TrimSpace(in.Email),
		Phone:       strings.TrimSpace(in.Phone),
		Address:     strings.TrimSpace(in.Address),
		Notes:       strings.TrimSpace(in.Notes),
	}
	if in.TFN != nil {
		t := NormalizeTFN(*in.TFN)
		out.TFN = &t
	}
	if out.Kind == KindIndividual {
		out.LegalName = ""
	} else {
		out.GivenName, out.FamilyName, out.DateOfBirth = "", "", ""
	}
	if out.Kind != KindTrust {
		out.TrustType = TrustNone
	}
	return out
}

// ValidateEntityInput checks a normalised input. now is the injected clock's
// time (a date of birth may not be after today).
func ValidateEntityInput(in EntityInput, now time.Time) Errors {
	errs := Errors{}
	if !in.Kind.Valid() {
		errs.Add("kind", "Choose what kind of entity this is: individual, company, trust, partnership, SMSF or other.")
		return errs
	}
	if !in.TrustType.Valid() {
		errs.Add("trustType", "Choose a trust type from the list (discretionary, unit, hybrid, testamentary, bare or other).")
	}
	if in.Kind == KindIndividual {
		if in.GivenName == "" && in.FamilyName == "" {
			errs.Add("givenName", "Enter the person's given name or family name.")
		}
	} else if in.LegalName == "" {
		errs.Add("legalName", fmt.Sprintf("Enter the %s's legal name.", in.Kind.Label()))
	}
	checkLen(errs, "givenName", in.GivenName, maxNameLen)
	checkLen(errs, "familyName", in.FamilyName, maxNameLen)
	checkLen(errs, "legalName", in.LegalName, maxNameLen)
	checkLen(errs, "tradingName", in.TradingName, maxNameLen)
	checkLen(errs, "email", in.Email, maxNameLen)
	checkLen(errs, "phone", in.Phone, maxNameLen)
	checkLen(errs, "address", in.Address, maxLineLen)
	checkLen(errs, "notes", in.Notes, maxNotesLen)

	if in.DateOfBirth != "" {
		d, ok := ParseDate(in.DateOfBirth)
		switch {
		case !ok:
			errs.Add("dateOfBirth", "Enter the date of birth as a real date, day first, for example 30/06/1970.")
		case in.DateOfBirth > Today(now):
			errs.Add("dateOfBirth", "The date of birth cannot be in the future.")
		case d.Year() < 1900:
			errs.Add("dateOfBirth", "Check the year: the date of birth is before 1900.")
		}
	}
	if in.ABN != "" {
		switch {
		case len(in.ABN) != 11 || !allDigits(in.ABN):
			errs.Add("abn", "An ABN has 11 digits, for example 51 824 753 556.")
		case !ValidABN(in.ABN):
			errs.Add("abn", "This ABN is not valid: the check digits do not match. Check it on abr.business.gov.au.")
		}
	}
	if in.ACN != "" {
		switch {
		case in.Kind != KindCompany:
			errs.Add("acn", "Only companies have an ACN. If a company is the trustee, add it as its own entity and record it as Trustee of this one.")
		case len(in.ACN) != 9 || !allDigits(in.ACN):
			errs.Add("acn", "An ACN has 9 digits, for example 004 085 616.")
		case !ValidACN(in.ACN):
			errs.Add("acn", "This ACN is not valid: the check digit does not match. Check it on ASIC Connect (connectonline.asic.gov.au).")
		}
	}
	if in.TFN != nil && *in.TFN != "" {
		t := *in.TFN
		switch {
		case !allDigits(t) || (len(t) != 8 && len(t) != 9):
			errs.Add("tfn", "A tax file number has 9 digits (8 for some older numbers).")
		case !ValidTFN(t):
			errs.Add("tfn", "This tax file number is not valid: the check digit does not match. Check it against the ATO notice.")
		}
	}
	if in.Email != "" && !validEmail(in.Email) {
		errs.Add("email", "This email address does not look right. Use the form name@example.com.")
	}
	if in.Phone != "" {
		if msg := phoneProblem(in.Phone); msg != "" {
			errs.Add("phone", msg)
		}
	}
	return errs
}

func checkLen(errs Errors, field, v string, max int) {
	if utf8.RuneCountInString(v) > max {
		errs.Add(field, fmt.Sprintf("This is too long: at most %d characters.", max))
	}
}

func validEmail(s string) bool {
	if strings.ContainsAny(s, " \t\r\n<>,;") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func phoneProblem(s string) string {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '(' || r == ')' || r == '-':
		default:
			return "This phone number does not look right: use digits, spaces, brackets, hyphens and a leading +."
		}
	}
	if digits < 6 || digits > 15 {
		return "This phone number does not look right: it should have between 6 and 15 digits."
	}
	return ""
}

// NormalizeRelationshipInput trims the text fields.
func NormalizeRelationshipInput(in RelationshipInput) RelationshipInput {
	in.Type = strings.TrimSpace(in.Type)
	in.StartDate = NormalizeDate(in.StartDate)
	in.EndDate = NormalizeDate(in.EndDate)
	in.Notes = strings.TrimSpace(in.Notes)
	return in
}

// ValidateRelationshipInput checks the rules that need only the input and
// the two entities: the type exists and allows these kinds, no relationship
// of an entity with itself, dates, shares and percentage. Rules that need
// other relationships (duplicates, totals, member limits) are the service's.
func ValidateRelationshipInput(in RelationshipInput, from, to Entity) Errors {
	errs := Errors{}
	if in.FromID == in.ToID && in.FromID != 0 {
		errs.Add("toId", "An entity cannot have a relationship with itself. Choose a different entity.")
	}
	t, ok := LookupRelationshipType(in.Type)
	if !ok {
		errs.Add("type", "Choose a relationship type from the list.")
	}
	if ok && errs["toId"] == "" {
		if !t.AllowsFrom(from.Kind) {
			errs.Add("fromId", fmt.Sprintf("%s is %s, and only %s can be “%s” another entity.",
				from.DisplayName, withArticle(from.Kind), kindList(t.FromKinds, true), t.Label))
		}
		if !t.AllowsTo(to.Kind) {
			errs.Add("toId", fmt.Sprintf("“%s” can only point at %s, and %s is %s.",
				t.Label, kindList(t.ToKinds, false), to.DisplayName, withArticle(to.Kind)))
		}
	}
	if in.NumberOfShares != nil {
		switch {
		case ok && !t.AllowsShares:
			errs.Add("numberOfShares", fmt.Sprintf("A number of shares only applies to shareholdings, not to %s.", strings.ToLower(t.Label)))
		case *in.NumberOfShares < 1:
			errs.Add("numberOfShares", "The number of shares must be a whole number of 1 or more.")
		}
	}
	if in.Percentage != nil {
		p := *in.Percentage
		switch {
		case ok && !t.AllowsPercentage:
			errs.Add("percentage", fmt.Sprintf("A percentage does not apply to %s.", strings.ToLower(t.Label)))
		case math.IsNaN(p) || math.IsInf(p, 0) || p < 0 || p > 100:
			errs.Add("percentage", fmt.Sprintf("The percentage must be between 0 and 100 (you entered %s).", FormatPercent(p)))
		}
	}
	if in.StartDate != "" {
		if _, ok := ParseDate(in.StartDate); !ok {
			errs.Add("startDate", "Enter the start date as a real date, day first, for example 01/07/2020.")
		}
	}
	if in.EndDate != "" {
		if _, ok := ParseDate(in.EndDate); !ok {
			errs.Add("endDate", "Enter the end date as a real date, day first, for example 30/06/2024.")
		} else if in.StartDate != "" && errs["startDate"] == "" && in.EndDate < in.StartDate {
			errs.Add("endDate", "The end date cannot be before the start date.")
		}
	}
	checkLen(errs, "notes", in.Notes, maxNotesLen)
	return errs
}

// FormatPercent prints a percentage without needless decimals: 40, 33.33.
func FormatPercent(p float64) string {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return "an invalid number"
	}
	s := fmt.Sprintf("%.4f", p)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// KindPhrase is the kind with its article: "a company", "an SMSF".
func KindPhrase(k EntityKind) string { return withArticle(k) }

func withArticle(k EntityKind) string {
	l := k.Label()
	switch l[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an " + l
	case 'S': // SMSF reads "an S-M-S-F"
		return "an " + l
	}
	return "a " + l
}

func kindList(kinds []EntityKind, plural bool) string {
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		if plural {
			parts[i] = pluralLabel(k)
		} else {
			parts[i] = withArticle(k)
		}
	}
	switch len(parts) {
	case 1:
		return parts[0]
	case 2:
		return parts[0] + " or " + parts[1]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

func pluralLabel(k EntityKind) string {
	switch k {
	case KindIndividual:
		return "individuals"
	case KindCompany:
		return "companies"
	case KindTrust:
		return "trusts"
	case KindPartnership:
		return "partnerships"
	case KindSMSF:
		return "SMSFs"
	}
	return "other entities"
}
