package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"
)

// demoNS makes the demo practice's uuids stable across runs.
var demoNS = uuid.MustParse("3f6b1d2e-8c4a-4e7f-9b10-5d2c7a8e9f00")

type demoBuilder struct {
	g    *gen
	keys map[string]*Client
}

func (b *demoBuilder) id(key string) string { return uuid.NewSHA1(demoNS, []byte(key)).String() }

// at places a client at places[i] with a fixed street number.
func (b *demoBuilder) at(c *Client, i, number int) {
	p := places[i%len(places)]
	c.Address = fmt.Sprintf("%d %s", number, p.street)
	c.City, c.Region, c.PostCode, c.Country = p.suburb, p.state, p.postcode, "Australia"
	c.PostalAddress, c.PostalCity, c.PostalRegion, c.PostalPostCode, c.PostalCountry = c.Address, c.City, c.Region, c.PostCode, c.Country
	c.Phone = fmt.Sprintf("(%s) %d%03d %04d", p.area, 5+number%5, (number*37)%1000, (number*7919)%10000)
}

func (b *demoBuilder) fix(key string, c *Client) *Client {
	c.UUID = b.id(key)
	b.keys[key] = c
	return c
}

func (b *demoBuilder) person(key, title, first, last, dob string, female bool, place, number int) *Client {
	c := b.g.person(last, female, 1970)
	c.Name, c.FirstName, c.LastName, c.Title = first+" "+last, first, last, title
	c.Gender = "Male"
	if female {
		c.Gender = "Female"
	}
	c.DateOfBirth = dob + "T00:00:00"
	c.Email = strings.ToLower(strings.ReplaceAll(first+"."+last, "'", "")) + "@example.com.au"
	b.at(c, place, number)
	return b.fix(key, c)
}

func (b *demoBuilder) company(key, name string, place, number int) *Client {
	c := b.g.company(name)
	b.at(c, place, number)
	return b.fix(key, c)
}

func (b *demoBuilder) entity(key, name, structure, returnType string, place, number int) *Client {
	c := b.g.entity(name, structure, returnType)
	b.at(c, place, number)
	return b.fix(key, c)
}

func (b *demoBuilder) rel(client, related, typ string, shares int64, pct float64) {
	b.g.rel(b.keys[client], b.keys[related], typ, shares, pct)
	last := b.g.d.Relationships[len(b.g.d.Relationships)-1]
	last.UUID = b.id("rel:" + client + ":" + related + ":" + typ)
}

func (b *demoBuilder) group(name string, keys ...string) {
	grp := &Group{UUID: b.id("group:" + name), Name: name, Taxable: "No", Modified: b.g.now}
	for _, k := range keys {
		grp.Members = append(grp.Members, b.keys[k].UUID)
	}
	b.g.d.Groups = append(b.g.d.Groups, grp)
}

// DemoCustomStructure is the demo practice's custom business structure.
const DemoCustomStructure = "Testamentary Trust"

// DemoPractice is "Harbourside Accounting", a suburban Sydney practice: 10
// client groups and 60 clients, with the cases that trip sync tools up — a
// client in two groups (Emma Williams), two different people called John
// Smith, near-duplicate company names (Bright Horizons / Bright Horizon
// Early Learning), a custom business structure (Testamentary Trust), an
// archived client, a prospect without a business structure, and
// relationships that cross groups.
func DemoPractice(now time.Time) *PracticeData {
	g := &gen{
		r:   rand.New(rand.NewPCG(20250701, 0xdec0)),
		d:   &PracticeData{Staff: demoStaff(), BusinessStructures: append(append([]string(nil), StandardBusinessStructures...), DemoCustomStructure)},
		now: now.UTC().Truncate(time.Second),
	}
	b := &demoBuilder{g: g, keys: map[string]*Client{}}

	// 1. Nguyen Family Group (Cabramatta)
	b.person("minh", "Mr", "Minh", "Nguyen", "1968-03-14", false, 3, 27)
	b.person("lan", "Mrs", "Lan", "Nguyen", "1970-07-22", true, 3, 27)
	b.person("tran", "Mr", "Tran", "Nguyen", "1996-11-02", false, 0, 5)
	b.company("nguyen-co", "Nguyen Holdings Pty Ltd", 3, 112)
	b.entity("nguyen-trust", "Nguyen Family Trust", "Discretionary Trust", "Trust", 3, 112)
	b.entity("nguyen-smsf", "Nguyen Superannuation Fund", "Superannuation Fund", "SMSF", 3, 27)
	b.rel("minh", "lan", "Spouse", 0, 0)
	b.rel("tran", "minh", "Parent", 0, 0)
	b.rel("tran", "lan", "Parent", 0, 0)
	b.rel("nguyen-co", "minh", "Director", 0, 0)
	b.rel("nguyen-co", "lan", "Director", 0, 0)
	b.rel("nguyen-co", "minh", "Shareholder", 50, 50)
	b.rel("nguyen-co", "lan", "Shareholder", 50, 50)
	b.rel("nguyen-trust", "nguyen-co", "Trustee", 0, 0)
	b.rel("nguyen-trust", "minh", "Appointor", 0, 0)
	b.rel("nguyen-trust", "minh", "Beneficiary", 0, 0)
	b.rel("nguyen-trust", "lan", "Beneficiary", 0, 0)
	b.rel("nguyen-trust", "tran", "Beneficiary", 0, 0)
	b.rel("nguyen-smsf", "minh", "Trustee", 0, 0)
	b.rel("nguyen-smsf", "lan", "Trustee", 0, 0)
	b.rel("nguyen-smsf", "minh", "Member", 0, 0)
	b.rel("nguyen-smsf", "lan", "Member", 0, 0)
	b.group("Nguyen Family Group", "minh", "lan", "tran", "nguyen-co", "nguyen-trust", "nguyen-smsf")

	// 2. Papadopoulos Group (Norwood SA): a partnership and a bakery
	b.person("george", "Mr", "George", "Papadopoulos", "1964-09-30", false, 15, 48)
	b.person("eleni", "Mrs", "Eleni", "Papadopoulos", "1966-02-11", true, 15, 48)
	b.person("nick", "Mr", "Nick", "Papadopoulos", "1969-12-05", false, 16, 9)
	b.entity("papa-pship", "Papadopoulos Bros", "Partnership", "Partnership", 15, 201)
	b.company("acropolis", "Acropolis Bakery Pty Ltd", 15, 201)
	b.entity("papa-trust", "Papadopoulos Family Trust", "Discretionary Trust", "Trust", 15, 48)
	b.rel("george", "eleni", "Spouse", 0, 0)
	b.rel("papa-pship", "george", "Partner", 0, 50)
	b.rel("papa-pship", "nick", "Partner", 0, 50)
	b.rel("acropolis", "george", "Director", 0, 0)
	b.rel("acropolis", "george", "Shareholder", 100, 100)
	b.rel("papa-trust", "george", "Trustee", 0, 0)
	b.rel("papa-trust", "eleni", "Trustee", 0, 0)
	b.rel("papa-trust", "george", "Beneficiary", 0, 0)
	b.rel("papa-trust", "eleni", "Beneficiary", 0, 0)
	b.group("Papadopoulos Group", "george", "eleni", "nick", "papa-pship", "acropolis", "papa-trust")

	// 3. Smith Family (Ballarat): the first John Smith
	b.person("john-smith-ballarat", "Mr", "John", "Smith", "1958-05-09", false, 6, 310)
	b.person("margaret", "Mrs", "Margaret", "Smith", "1960-01-17", true, 6, 310)
	b.company("smith-co", "Smith Investments Pty Ltd", 6, 44)
	b.entity("smith-trust", "J & M Smith Family Trust", "Discretionary Trust", "Trust", 6, 44)
	b.rel("john-smith-ballarat", "margaret", "Spouse", 0, 0)
	b.rel("smith-co", "john-smith-ballarat", "Director", 0, 0)
	b.rel("smith-co", "margaret", "Director", 0, 0)
	b.rel("smith-co", "john-smith-ballarat", "Shareholder", 1, 50)
	b.rel("smith-co", "margaret", "Shareholder", 1, 50)
	b.rel("smith-trust", "smith-co", "Trustee", 0, 0)
	b.rel("smith-trust", "john-smith-ballarat", "Beneficiary", 0, 0)
	b.rel("smith-trust", "margaret", "Beneficiary", 0, 0)
	b.group("Smith Family (Ballarat)", "john-smith-ballarat", "margaret", "smith-co", "smith-trust")

	// 4. Chen Family Group (Ryde)
	b.person("wei", "Mr", "Wei", "Chen", "1962-04-03", false, 2, 8)
	b.person("mei", "Mrs", "Mei", "Chen", "1965-10-19", true, 2, 8)
	b.person("emma", "Mrs", "Emma", "Williams", "1991-06-25", true, 7, 156)
	b.company("chen-co", "Chen Investments Pty Ltd", 2, 77)
	b.entity("chen-trust", "Chen Family Trust", "Discretionary Trust", "Trust", 2, 77)
	b.rel("wei", "mei", "Spouse", 0, 0)
	b.rel("emma", "wei", "Parent", 0, 0)
	b.rel("emma", "mei", "Parent", 0, 0)
	b.rel("chen-co", "wei", "Director", 0, 0)
	b.rel("chen-co", "mei", "Director", 0, 0)
	b.rel("chen-co", "wei", "Shareholder", 60, 60)
	b.rel("chen-co", "mei", "Shareholder", 40, 40)
	b.rel("chen-trust", "chen-co", "Trustee", 0, 0)
	b.rel("chen-trust", "wei", "Appointor", 0, 0)
	b.rel("chen-trust", "wei", "Beneficiary", 0, 0)
	b.rel("chen-trust", "mei", "Beneficiary", 0, 0)
	b.rel("chen-trust", "emma", "Beneficiary", 0, 0)
	b.group("Chen Family Group", "wei", "mei", "emma", "chen-co", "chen-trust")

	// 5. Williams Property Group (Carlton VIC): Emma is in both groups and
	// the Chen Family Trust holds units across groups.
	b.person("daniel", "Mr", "Daniel", "Williams", "1989-08-14", false, 7, 156)
	b.company("williams-co", "Williams Property Pty Ltd", 7, 20)
	b.entity("williams-ut", "Williams Property Unit Trust", "Unit Trust", "Trust", 7, 20)
	b.rel("emma", "daniel", "Spouse", 0, 0)
	b.rel("williams-co", "daniel", "Director", 0, 0)
	b.rel("williams-co", "emma", "Director", 0, 0)
	b.rel("williams-co", "daniel", "Shareholder", 2, 100)
	b.rel("williams-ut", "williams-co", "Trustee", 0, 0)
	b.rel("williams-ut", "daniel", "Shareholder", 500, 50)
	b.rel("williams-ut", "chen-trust", "Shareholder", 500, 50)
	b.group("Williams Property Group", "daniel", "emma", "williams-co", "williams-ut")

	// 6. O'Brien Family (Cronulla)
	b.person("patrick", "Mr", "Patrick", "O'Brien", "1975-03-17", false, 1, 63)
	b.person("siobhan", "Mrs", "Siobhan", "O'Brien", "1977-12-01", true, 1, 63)
	b.company("obrien-co", "O'Brien Plumbing Pty Ltd", 1, 5)
	b.entity("obrien-trust", "O'Brien Family Trust", "Trust", "Trust", 1, 63)
	b.company("bright-horizons", "Bright Horizons Early Learning Pty Ltd", 1, 140)
	b.rel("patrick", "siobhan", "Spouse", 0, 0)
	b.rel("obrien-co", "patrick", "Director", 0, 0)
	b.rel("obrien-co", "patrick", "Shareholder", 100, 100)
	b.rel("obrien-trust", "patrick", "Trustee", 0, 0)
	b.rel("obrien-trust", "siobhan", "Trustee", 0, 0)
	b.rel("obrien-trust", "patrick", "Beneficiary", 0, 0)
	b.rel("obrien-trust", "siobhan", "Beneficiary", 0, 0)
	b.rel("bright-horizons", "siobhan", "Director", 0, 0)
	b.rel("bright-horizons", "obrien-trust", "Shareholder", 100, 100)
	b.group("O'Brien Family", "patrick", "siobhan", "obrien-co", "obrien-trust", "bright-horizons")

	// 7. Rossi Family (Geelong West): a custom business structure
	b.person("marco", "Mr", "Marco", "Rossi", "1959-08-08", false, 9, 12)
	b.person("giulia", "Mrs", "Giulia", "Rossi", "1961-05-23", true, 9, 12)
	b.person("sofia", "Ms", "Sofia", "Rossi", "1993-02-14", true, 8, 88)
	b.entity("rossi-tt", "Estate of the late Antonio Rossi – Testamentary Trust", DemoCustomStructure, "Trust", 9, 12)
	b.company("rossi-co", "Rossi Enterprises Pty Ltd", 9, 301)
	b.rel("marco", "giulia", "Spouse", 0, 0)
	b.rel("sofia", "marco", "Parent", 0, 0)
	b.rel("sofia", "giulia", "Parent", 0, 0)
	b.rel("rossi-tt", "marco", "Trustee", 0, 0)
	b.rel("rossi-tt", "marco", "Beneficiary", 0, 0)
	b.rel("rossi-tt", "sofia", "Beneficiary", 0, 0)
	b.rel("rossi-co", "marco", "Director", 0, 0)
	b.rel("rossi-co", "giulia", "Director", 0, 0)
	b.rel("rossi-co", "rossi-tt", "Shareholder", 1000, 100)
	b.group("Rossi Family", "marco", "giulia", "sofia", "rossi-tt", "rossi-co")

	// 8. Thompson Pastoral (Toowoomba): a farming partnership and an SMSF
	// with a corporate trustee
	b.person("ian", "Mr", "Ian", "Thompson", "1955-11-29", false, 14, 1450)
	b.person("kerry", "Mrs", "Kerry", "Thompson", "1957-06-06", true, 14, 1450)
	b.entity("thompson-pship", "Thompson Pastoral Co", "Partnership", "Partnership", 14, 1450)
	b.company("thompson-super-co", "Thompson Super Pty Ltd", 14, 1450)
	b.entity("thompson-smsf", "Thompson Family Superannuation Fund", "Superannuation Fund", "SMSF", 14, 1450)
	b.rel("ian", "kerry", "Spouse", 0, 0)
	b.rel("thompson-pship", "ian", "Partner", 0, 50)
	b.rel("thompson-pship", "kerry", "Partner", 0, 50)
	b.rel("thompson-super-co", "ian", "Director", 0, 0)
	b.rel("thompson-super-co", "kerry", "Director", 0, 0)
	b.rel("thompson-smsf", "thompson-super-co", "Trustee", 0, 0)
	b.rel("thompson-smsf", "ian", "Member", 0, 0)
	b.rel("thompson-smsf", "kerry", "Member", 0, 0)
	b.group("Thompson Pastoral", "ian", "kerry", "thompson-pship", "thompson-super-co", "thompson-smsf")

	// 9. Patel Medical (Parramatta): the other Bright Horizon(s)
	b.person("priya", "Dr", "Priya", "Patel", "1978-01-30", true, 0, 19)
	b.person("raj", "Mr", "Raj", "Patel", "1976-09-12", false, 0, 19)
	b.company("patel-med", "Patel Medical Services Pty Ltd", 0, 210)
	b.company("patel-nominees", "Patel Nominees Pty Ltd", 0, 210)
	b.entity("patel-trust", "Patel Family Trust", "Discretionary Trust", "Trust", 0, 19)
	b.company("bright-horizon", "Bright Horizon Early Learning Pty Ltd", 0, 66)
	b.rel("priya", "raj", "Spouse", 0, 0)
	b.rel("patel-med", "priya", "Director", 0, 0)
	b.rel("patel-med", "patel-trust", "Shareholder", 100, 100)
	b.rel("patel-nominees", "priya", "Director", 0, 0)
	b.rel("patel-nominees", "raj", "Director", 0, 0)
	b.rel("patel-trust", "patel-nominees", "Trustee", 0, 0)
	b.rel("patel-trust", "priya", "Appointor", 0, 0)
	b.rel("patel-trust", "priya", "Beneficiary", 0, 0)
	b.rel("patel-trust", "raj", "Beneficiary", 0, 0)
	b.rel("bright-horizon", "raj", "Director", 0, 0)
	b.rel("bright-horizon", "raj", "Shareholder", 10, 100)
	b.group("Patel Medical", "priya", "raj", "patel-med", "patel-nominees", "patel-trust", "bright-horizon")

	// 10. Kowalski & Sons (Stones Corner QLD): the second John Smith holds
	// units in the family's unit trust.
	b.person("adam", "Mr", "Adam", "Kowalski", "1967-07-04", false, 11, 530)
	b.person("anna", "Mrs", "Anna", "Kowalski", "1969-03-28", true, 11, 530)
	b.company("kowalski-co", "Kowalski & Sons Builders Pty Ltd", 11, 17)
	b.entity("kowalski-ut", "Kowalski Unit Trust", "Unit Trust", "Trust", 11, 17)
	b.person("john-smith-brisbane", "Mr", "John", "Smith", "1987-10-30", false, 12, 402)
	b.rel("adam", "anna", "Spouse", 0, 0)
	b.rel("kowalski-co", "adam", "Director", 0, 0)
	b.rel("kowalski-co", "adam", "Shareholder", 60, 60)
	b.rel("kowalski-co", "anna", "Shareholder", 40, 40)
	b.rel("kowalski-ut", "adam", "Trustee", 0, 0)
	b.rel("kowalski-ut", "adam", "Shareholder", 800, 80)
	b.rel("kowalski-ut", "john-smith-brisbane", "Shareholder", 200, 20)
	b.group("Kowalski & Sons", "adam", "anna", "kowalski-co", "kowalski-ut")

	// Clients in no group.
	b.person("sarah", "Ms", "Sarah", "Mitchell", "1985-04-12", true, 17, 71)
	b.keys["sarah"].BusinessStructure = "Sole Trader"
	b.person("liam", "Mr", "Liam", "Walker", "1992-12-20", false, 21, 4)
	b.person("aisha", "Ms", "Aisha", "Rahman", "1988-08-03", true, 18, 133)
	b.person("duc", "Mr", "Duc", "Tran", "1971-05-15", false, 13, 26)
	b.person("hannah", "Ms", "Hannah", "Kelly", "2001-09-09", true, 19, 3)
	b.company("greenfield", "Greenfield Landscaping Pty Ltd", 10, 90)
	b.company("harbour-cafe", "Harbour Café Pty Ltd", 1, 2)
	b.company("old-mill", "Old Mill Antiques Pty Ltd", 20, 11)
	b.keys["old-mill"].IsArchived = "Yes"
	b.entity("walker-sf", "Walker Family Superannuation Fund", "Superannuation Fund", "SMSF", 21, 4)
	b.rel("walker-sf", "liam", "Trustee", 0, 0)
	b.rel("walker-sf", "liam", "Member", 0, 0)
	prospect := b.person("jasmine", "Ms", "Jasmine", "Lee", "1995-01-08", true, 22, 58)
	prospect.IsProspect = "Yes"
	prospect.BusinessStructure = ""
	prospect.TaxNumber = ""
	return g.d
}
