package model

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestValidABN(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"51 824 753 556", true}, // the ATO's own example
		{"51824753556", true},
		{"83 914 571 673", true},
		{"53 004 085 616", true}, // ABN built on ACN 004 085 616
		{"51-824-753-556", true},
		{"51 824 753 557", false}, // last digit changed
		{"15 824 753 556", false}, // first two swapped
		{"99 999 999 999", false},
		{"5182475355", false},   // 10 digits
		{"518247535561", false}, // 12 digits
		{"5182475355a", false},
		{"", false},
	} {
		if got := ValidABN(tc.in); got != tc.want {
			t.Errorf("ValidABN(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestValidACN(t *testing.T) {
	// Valid numbers from ASIC's published check-digit examples.
	for _, s := range []string{"000 000 019", "000 250 000", "000 500 005", "001 000 004", "002 749 993",
		"005 999 977", "010 499 966", "004 085 616", "004085616"} {
		if !ValidACN(s) {
			t.Errorf("ValidACN(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"004 085 617", "010 499 961", "000 000 010", "12345678", "1234567890", "00408561x", ""} {
		if ValidACN(s) {
			t.Errorf("ValidACN(%q) = true, want false", s)
		}
	}
}

func TestValidTFN(t *testing.T) {
	for _, s := range []string{"123 456 782", "876 543 210", "12345678"} {
		if !ValidTFN(s) {
			t.Errorf("ValidTFN(%q) = false", s)
		}
	}
	for _, s := range []string{"123 456 789", "999 999 999", "1234567", "1234567890", "12345678a", ""} {
		if ValidTFN(s) {
			t.Errorf("ValidTFN(%q) = true", s)
		}
	}
}

var now = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

func TestValidateEntityInput(t *testing.T) {
	ok := func(m func(*EntityInput)) EntityInput {
		in := EntityInput{Kind: KindIndividual, GivenName: "Jane", FamilyName: "Citizen"}
		m(&in)
		return NormalizeEntityInput(in)
	}
	co := func(m func(*EntityInput)) EntityInput {
		in := EntityInput{Kind: KindCompany, LegalName: "Acme Pty Ltd"}
		m(&in)
		return NormalizeEntityInput(in)
	}
	for _, tc := range []struct {
		name  string
		in    EntityInput
		field string // "" = valid
		msg   string // substring of the message
	}{
		{"plain individual", ok(func(*EntityInput) {}), "", ""},
		{"family name only", ok(func(e *EntityInput) { e.GivenName = "" }), "", ""},
		{"no name", ok(func(e *EntityInput) { e.GivenName, e.FamilyName = " ", "" }), "givenName", "given name or family name"},
		{"company needs legal name", co(func(e *EntityInput) { e.LegalName = "  " }), "legalName", "company's legal name"},
		{"unknown kind", ok(func(e *EntityInput) { e.Kind = "corp" }), "kind", "Choose what kind"},
		{"good ABN with spaces", co(func(e *EntityInput) { e.ABN = " 51 824 753 556 " }), "", ""},
		{"bad ABN check", co(func(e *EntityInput) { e.ABN = "51 824 753 557" }), "abn", "check digits do not match. Check it on abr.business.gov.au"},
		{"short ABN", co(func(e *EntityInput) { e.ABN = "5182475355" }), "abn", "11 digits"},
		{"good ACN", co(func(e *EntityInput) { e.ACN = "004 085 616" }), "", ""},
		{"bad ACN check", co(func(e *EntityInput) { e.ACN = "004 085 617" }), "acn", "check digit does not match"},
		{"ACN on a trust", NormalizeEntityInput(EntityInput{Kind: KindTrust, LegalName: "X Trust", ACN: "004085616"}), "acn", "Only companies have an ACN"},
		{"DOB ok", ok(func(e *EntityInput) { e.DateOfBirth = "1970-06-30" }), "", ""},
		{"DOB today", ok(func(e *EntityInput) { e.DateOfBirth = "2026-03-15" }), "", ""},
		{"DOB future", ok(func(e *EntityInput) { e.DateOfBirth = "2026-03-16" }), "dateOfBirth", "cannot be in the future"},
		{"DOB not a date", ok(func(e *EntityInput) { e.DateOfBirth = "1970-02-30" }), "dateOfBirth", "day first, for example 30/06/1970"},
		{"DOB Australian format", ok(func(e *EntityInput) { e.DateOfBirth = "30/06/1970" }), "", ""},
		{"DOB 31 February", ok(func(e *EntityInput) { e.DateOfBirth = "31/02/1970" }), "dateOfBirth", "day first"},
		{"DOB US order", ok(func(e *EntityInput) { e.DateOfBirth = "06/30/1970" }), "dateOfBirth", "day first"},
		{"DOB 1850", ok(func(e *EntityInput) { e.DateOfBirth = "1850-01-01" }), "dateOfBirth", "before 1900"},
		{"email ok", ok(func(e *EntityInput) { e.Email = "jane@example.com.au" }), "", ""},
		{"email no at", ok(func(e *EntityInput) { e.Email = "jane.example.com" }), "email", "name@example.com"},
		{"email no dot", ok(func(e *EntityInput) { e.Email = "jane@localhost" }), "email", "name@example.com"},
		{"email display name", ok(func(e *EntityInput) { e.Email = "Jane <jane@example.com>" }), "email", "name@example.com"},
		{"phone ok", ok(func(e *EntityInput) { e.Phone = "+61 (2) 9876-5432" }), "", ""},
		{"phone letters", ok(func(e *EntityInput) { e.Phone = "call me" }), "phone", "digits"},
		{"phone short", ok(func(e *EntityInput) { e.Phone = "123" }), "phone", "between 6 and 15 digits"},
		{"TFN ok", ok(func(e *EntityInput) { e.TFN = ptr("123 456 782") }), "", ""},
		{"TFN removal", ok(func(e *EntityInput) { e.TFN = ptr("") }), "", ""},
		{"TFN bad check", ok(func(e *EntityInput) { e.TFN = ptr("123 456 789") }), "tfn", "check digit does not match"},
		{"TFN length", ok(func(e *EntityInput) { e.TFN = ptr("12345") }), "tfn", "9 digits"},
		{"name too long", ok(func(e *EntityInput) { e.GivenName = strings.Repeat("a", 201) }), "givenName", "too long"},
		{"bad trust type", NormalizeEntityInput(EntityInput{Kind: KindTrust, LegalName: "T", TrustType: "family"}), "trustType", "trust type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := ValidateEntityInput(tc.in, now)
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatalf("want valid, got %v", errs)
				}
				return
			}
			if !strings.Contains(errs[tc.field], tc.msg) {
				t.Fatalf("field %s: got %q (all: %v), want it to contain %q", tc.field, errs[tc.field], errs, tc.msg)
			}
		})
	}
}

func TestNormalizeEntityInputDropsFieldsOfOtherKinds(t *testing.T) {
	in := NormalizeEntityInput(EntityInput{Kind: " company ", GivenName: "x", FamilyName: "y", DateOfBirth: "1970-01-01",
		LegalName: " Acme Pty Ltd ", TrustType: TrustUnit, ABN: "51 824 753 556", ACN: "004-085-616", TFN: ptr(" 123 456 782 ")})
	if in.Kind != KindCompany || in.GivenName != "" || in.FamilyName != "" || in.DateOfBirth != "" || in.TrustType != "" {
		t.Fatalf("fields of other kinds kept: %+v", in)
	}
	if in.LegalName != "Acme Pty Ltd" || in.ABN != "51824753556" || in.ACN != "004085616" || *in.TFN != "123456782" {
		t.Fatalf("not normalised: %+v", in)
	}
	ind := NormalizeEntityInput(EntityInput{Kind: KindIndividual, GivenName: "Jo", LegalName: "stale"})
	if ind.LegalName != "" {
		t.Fatalf("legal name kept on an individual: %+v", ind)
	}
	if NormalizeEntityInput(EntityInput{Kind: KindIndividual}).TFN != nil {
		t.Fatal("nil TFN must stay nil (unchanged)")
	}
}

func TestDisplayName(t *testing.T) {
	for _, tc := range []struct {
		kind                          EntityKind
		given, family, legal, trading string
		want                          string
	}{
		{KindIndividual, "Jane", "Citizen", "", "", "Jane Citizen"},
		{KindIndividual, "", "Citizen", "", "", "Citizen"},
		{KindIndividual, "", "", "", "Jane's Cakes", "Jane's Cakes"},
		{KindCompany, "", "", "Acme Pty Ltd", "Acme", "Acme Pty Ltd"},
		{KindTrust, "", "", "", "", "(no name)"},
	} {
		if got := DisplayName(tc.kind, tc.given, tc.family, tc.legal, tc.trading); got != tc.want {
			t.Errorf("DisplayName(%v) = %q, want %q", tc, got, tc.want)
		}
	}
}

func ent(id int64, k EntityKind, name string) Entity {
	return Entity{ID: id, Kind: k, DisplayName: name}
}

func TestValidateRelationshipInput(t *testing.T) {
	jane := ent(1, KindIndividual, "Jane Citizen")
	john := ent(2, KindIndividual, "John Citizen")
	acme := ent(3, KindCompany, "Acme Pty Ltd")
	trust := ent(4, KindTrust, "Citizen Family Trust")
	fund := ent(5, KindSMSF, "Citizen Super Fund")
	firm := ent(6, KindPartnership, "Citizen & Co")
	for _, tc := range []struct {
		name     string
		in       RelationshipInput
		from, to Entity
		field    string
		msg      string
	}{
		{"director", RelationshipInput{FromID: 1, ToID: 3, Type: "director", StartDate: "2020-07-01"}, jane, acme, "", ""},
		{"self", RelationshipInput{FromID: 1, ToID: 1, Type: "spouse"}, jane, jane, "toId", "cannot have a relationship with itself"},
		{"unknown type", RelationshipInput{FromID: 1, ToID: 3, Type: "boss"}, jane, acme, "type", "Choose a relationship type"},
		{"trustee of a company", RelationshipInput{FromID: 1, ToID: 3, Type: "trustee"}, jane, acme, "toId",
			"“Trustee of” can only point at a trust or an SMSF, and Acme Pty Ltd is a company."},
		{"trustee of a trust", RelationshipInput{FromID: 3, ToID: 4, Type: "trustee"}, acme, trust, "", ""},
		{"trustee of an SMSF", RelationshipInput{FromID: 1, ToID: 5, Type: "trustee"}, jane, fund, "", ""},
		{"trust as director", RelationshipInput{FromID: 4, ToID: 3, Type: "director"}, trust, acme, "fromId", "only individuals can be “Director of”"},
		{"spouse of a company", RelationshipInput{FromID: 1, ToID: 3, Type: "spouse"}, jane, acme, "toId", "an individual"},
		{"member of an SMSF", RelationshipInput{FromID: 1, ToID: 5, Type: "member"}, jane, fund, "", ""},
		{"member of a trust", RelationshipInput{FromID: 1, ToID: 4, Type: "member"}, jane, trust, "toId", "an SMSF"},
		{"shares", RelationshipInput{FromID: 1, ToID: 3, Type: "shareholder", NumberOfShares: ptr[int64](100), Percentage: ptr(50.0)}, jane, acme, "", ""},
		{"percentage 140", RelationshipInput{FromID: 1, ToID: 3, Type: "shareholder", Percentage: ptr(140.0)}, jane, acme, "percentage",
			"The percentage must be between 0 and 100 (you entered 140%)."},
		{"percentage negative", RelationshipInput{FromID: 1, ToID: 3, Type: "shareholder", Percentage: ptr(-1.0)}, jane, acme, "percentage", "between 0 and 100"},
		{"percentage NaN", RelationshipInput{FromID: 1, ToID: 3, Type: "shareholder", Percentage: ptr(math.NaN())}, jane, acme, "percentage", "between 0 and 100"},
		{"percentage on director", RelationshipInput{FromID: 1, ToID: 3, Type: "director", Percentage: ptr(10.0)}, jane, acme, "percentage", "does not apply to director of"},
		{"shares on partner", RelationshipInput{FromID: 1, ToID: 6, Type: "partner", NumberOfShares: ptr[int64](5)}, jane, firm, "numberOfShares", "only applies to shareholdings"},
		{"partner percentage", RelationshipInput{FromID: 1, ToID: 6, Type: "partner", Percentage: ptr(33.33)}, jane, firm, "", ""},
		{"zero shares", RelationshipInput{FromID: 1, ToID: 3, Type: "shareholder", NumberOfShares: ptr[int64](0)}, jane, acme, "numberOfShares", "1 or more"},
		{"end before start", RelationshipInput{FromID: 1, ToID: 2, Type: "spouse", StartDate: "2020-01-01", EndDate: "2019-12-31"}, jane, john, "endDate", "cannot be before the start date"},
		{"bad start", RelationshipInput{FromID: 1, ToID: 2, Type: "spouse", StartDate: "2020-13-01"}, jane, john, "startDate", "day first, for example 01/07/2020"},
		{"Australian start", RelationshipInput{FromID: 1, ToID: 2, Type: "spouse", StartDate: "1/7/2020", EndDate: "30.06.2024"}, jane, john, "", ""},
		{"parent", RelationshipInput{FromID: 1, ToID: 2, Type: "parent"}, jane, john, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := ValidateRelationshipInput(NormalizeRelationshipInput(tc.in), tc.from, tc.to)
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatalf("want valid, got %v", errs)
				}
				return
			}
			if !strings.Contains(errs[tc.field], tc.msg) {
				t.Fatalf("field %s: got %q (all: %v), want it to contain %q", tc.field, errs[tc.field], errs, tc.msg)
			}
		})
	}
}

func TestNormalizeDate(t *testing.T) {
	for in, want := range map[string]string{
		"":             "",
		" 1970-06-30":  "1970-06-30",
		"30/06/1970":   "1970-06-30",
		"1/7/2020":     "2020-07-01",
		"01-07-2020":   "2020-07-01",
		"30.06.2024":   "2024-06-30",
		"31/02/1970":   "31/02/1970", // not a date: left for validation to refuse
		"06/30/1970":   "06/30/1970", // month first is never guessed
		"30/06/70":     "30/06/70",   // two-digit years are ambiguous
		"next Tuesday": "next Tuesday",
	} {
		if got := NormalizeDate(in); got != want {
			t.Errorf("NormalizeDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDisplayDate(t *testing.T) {
	for in, want := range map[string]string{"1959-08-08": "8 Aug 1959", "": "", "1959-02-30": "1959-02-30"} {
		if got := DisplayDate(in); got != want {
			t.Errorf("DisplayDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatPercent(t *testing.T) {
	for in, want := range map[float64]string{40: "40%", 33.33: "33.33%", 100.00000000001: "100%", 12.5: "12.5%"} {
		if got := FormatPercent(in); got != want {
			t.Errorf("FormatPercent(%v) = %q, want %q", in, got, want)
		}
	}
}
