package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ---- Australian identifiers with valid check digits -----------------------

// acn returns a 9-digit ACN (ASIC check digit) from an 8-digit body.
func acn(body int) string {
	d := fmt.Sprintf("%08d", body%100000000)
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(d[i]-'0') * (8 - i)
	}
	check := (10 - sum%10) % 10
	return d + fmt.Sprint(check)
}

// abn returns an 11-digit ABN (ATO modulus 89) for a 9-digit body.
func abn(body9 string) string {
	weights := []int{10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19}
	for prefix := 10; prefix <= 99; prefix++ {
		s := fmt.Sprintf("%02d%s", prefix, body9)
		sum := 0
		for i := 0; i < 11; i++ {
			v := int(s[i] - '0')
			if i == 0 {
				v--
			}
			sum += v * weights[i]
		}
		if sum%89 == 0 {
			return s
		}
	}
	panic("unreachable: every ABN body has a prefix")
}

// ValidABN checks an ABN's check digits (spaces allowed).
func ValidABN(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) != 11 {
		return false
	}
	return abn(s[2:]) == s
}

// ValidACN checks an ACN's check digit (spaces allowed).
func ValidACN(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) != 9 {
		return false
	}
	var body int
	if _, err := fmt.Sscanf(s[:8], "%d", &body); err != nil {
		return false
	}
	return acn(body) == s
}

// tfn returns a 9-digit TFN with a valid check digit.
func tfn(r *rand.Rand) string {
	weights := []int{1, 4, 3, 7, 5, 8, 6, 9, 10}
	for {
		d := make([]int, 9)
		sum := 0
		for i := 0; i < 8; i++ {
			d[i] = r.IntN(10)
			sum += d[i] * weights[i]
		}
		last := sum % 11 // 10*d9 ≡ -sum (mod 11) and 10 ≡ -1, so d9 ≡ sum
		if last > 9 {
			continue
		}
		d[8] = last
		var b strings.Builder
		for i, v := range d {
			if i == 3 || i == 6 {
				b.WriteByte(' ')
			}
			b.WriteByte(byte('0' + v))
		}
		return b.String()
	}
}

// ValidTFN checks a TFN's check digit (spaces allowed).
func ValidTFN(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) != 9 {
		return false
	}
	weights := []int{1, 4, 3, 7, 5, 8, 6, 9, 10}
	sum := 0
	for i := 0; i < 9; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		sum += int(s[i]-'0') * weights[i]
	}
	return sum%11 == 0
}

func fmtABN(s string) string { return s[0:2] + " " + s[2:5] + " " + s[5:8] + " " + s[8:11] }
func fmtACN(s string) string { return s[0:3] + " " + s[3:6] + " " + s[6:9] }

// ---- realistic Australian details ----------------------------------------

type place struct{ street, suburb, state, postcode, area string }

var places = []place{
	{"Wattle Street", "Parramatta", "NSW", "2150", "02"}, {"Beach Road", "Cronulla", "NSW", "2230", "02"},
	{"Church Street", "Ryde", "NSW", "2112", "02"}, {"John Street", "Cabramatta", "NSW", "2166", "02"},
	{"Darby Street", "Newcastle", "NSW", "2300", "02"}, {"Keira Street", "Wollongong", "NSW", "2500", "02"},
	{"Sturt Street", "Ballarat", "VIC", "3350", "03"}, {"Lygon Street", "Carlton", "VIC", "3053", "03"},
	{"Chapel Street", "Prahran", "VIC", "3181", "03"}, {"Pakington Street", "Geelong West", "VIC", "3218", "03"},
	{"High Street", "Bendigo", "VIC", "3550", "03"}, {"Logan Road", "Stones Corner", "QLD", "4120", "07"},
	{"Gympie Road", "Chermside", "QLD", "4032", "07"}, {"Flinders Street", "Townsville", "QLD", "4810", "07"},
	{"Margaret Street", "Toowoomba", "QLD", "4350", "07"}, {"The Parade", "Norwood", "SA", "5067", "08"},
	{"Jetty Road", "Glenelg", "SA", "5045", "08"}, {"Beaufort Street", "Mount Lawley", "WA", "6050", "08"},
	{"Marine Terrace", "Fremantle", "WA", "6160", "08"}, {"Elizabeth Street", "Hobart", "TAS", "7000", "03"},
	{"Brisbane Street", "Launceston", "TAS", "7250", "03"}, {"Lonsdale Street", "Braddon", "ACT", "2612", "02"},
	{"Smith Street", "Darwin", "NT", "0800", "08"}, {"Dean Street", "Albury", "NSW", "2640", "02"},
}

var surnames = []string{
	"Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Johnson", "Martin", "White",
	"Anderson", "Walker", "Thompson", "Thomas", "Harris", "Lee", "Ryan", "Robinson", "Kelly", "King",
	"Tran", "Chen", "Wang", "Li", "Zhang", "Patel", "Singh", "Kaur", "Papadopoulos", "Nikolaidis",
	"Rossi", "Russo", "Bianchi", "Kowalski", "Novak", "O'Brien", "O'Connor", "Murphy", "McDonald", "Campbell",
	"Stewart", "Mitchell", "Young", "Hughes", "Edwards", "Clarke", "Hall", "Wood", "Wright", "Green",
	"Scott", "Cooper", "Baker", "Morris", "Ward", "Turner", "Phillips", "Davies", "Evans", "Roberts",
	"Huynh", "Pham", "Le", "Vo", "Kim", "Park", "Ahmed", "Hussain", "Khan", "Rahman",
	"Fernando", "Perera", "Silva", "Costa", "Santos", "Haddad", "Nasser", "Yilmaz", "Demir", "Schmidt",
}

var givenMale = []string{"James", "Oliver", "William", "Jack", "Noah", "Thomas", "Lachlan", "Liam", "Ethan", "Daniel",
	"Matthew", "Joshua", "Samuel", "Benjamin", "Ryan", "Michael", "David", "Andrew", "Peter", "Mark",
	"Minh", "Duc", "Wei", "Jun", "Raj", "Arjun", "George", "Nick", "Marco", "Luca", "Adam", "Patrick", "Ian", "Mohammed"}

var givenFemale = []string{"Charlotte", "Olivia", "Amelia", "Isla", "Mia", "Ava", "Grace", "Chloe", "Emily", "Sophie",
	"Jessica", "Sarah", "Emma", "Hannah", "Ruby", "Lucy", "Karen", "Michelle", "Rebecca", "Nicole",
	"Lan", "Linh", "Mei", "Xin", "Priya", "Anjali", "Eleni", "Maria", "Giulia", "Sofia", "Anna", "Siobhan", "Kerry", "Aisha"}

var industries = []string{"Construction", "Retail", "Hospitality", "Health Care", "Professional Services", "Agriculture",
	"Property Investment", "Transport", "Manufacturing", "Education", "Information Technology"}

var companyWords = []string{"Holdings", "Investments", "Enterprises", "Group", "Nominees", "Property", "Consulting",
	"Services", "Developments", "Capital", "Trading", "Ventures"}

var noteTexts = []string{
	"Engagement letter signed for the current financial year. Client prefers contact by email; send the annual pack in early August.",
	"Discussed Division 7A loan repayments with the directors. Minimum yearly repayment to be made before lodging the company return.",
	"Trust deed reviewed: the deed allows streaming of capital gains and franked dividends. Trustee resolution due by 30 June.",
	"BAS lodged quarterly through the tax agent portal. GST on the accruals basis; fuel tax credits claimed on the farm vehicles.",
	"SMSF audit booked with the approved auditor. Member statements and investment strategy review outstanding.",
	"Client asked about the downsizer contribution and the transfer balance cap. Follow up once the property settles.",
	"New director appointed; ASIC change of details lodged and the company register updated.",
}

// GenOptions drives the deterministic generator.
type GenOptions struct {
	Clients int
	// Groups is the number of groups; -1 means one group per five clients.
	Groups int
	Seed   int64
	Now    time.Time
}

type gen struct {
	r   *rand.Rand
	d   *PracticeData
	now time.Time
	seq int
}

func (g *gen) uuid() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := g.r.Uint64()
		for k := 0; k < 8; k++ {
			b[i+k] = byte(v >> (8 * k))
		}
	}
	u, _ := uuid.FromBytes(b[:])
	u[6] = (u[6] & 0x0f) | 0x40
	u[8] = (u[8] & 0x3f) | 0x80
	return u.String()
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *gen) address(c *Client) {
	p := places[g.r.IntN(len(places))]
	c.Address = fmt.Sprintf("%d %s", 1+g.r.IntN(240), p.street)
	c.City, c.Region, c.PostCode, c.Country = p.suburb, p.state, p.postcode, "Australia"
	if g.r.IntN(4) == 0 {
		c.PostalAddress = fmt.Sprintf("PO Box %d", 100+g.r.IntN(8900))
		c.PostalCity, c.PostalRegion, c.PostalPostCode, c.PostalCountry = p.suburb, p.state, p.postcode, "Australia"
	} else {
		c.PostalAddress, c.PostalCity, c.PostalRegion, c.PostalPostCode, c.PostalCountry = c.Address, c.City, c.Region, c.PostCode, c.Country
	}
	c.Phone = fmt.Sprintf("(%s) %d%03d %04d", p.area, 5+g.r.IntN(5), g.r.IntN(1000), g.r.IntN(10000))
}

func (g *gen) notes(c *Client) {
	n := g.r.IntN(3)
	for i := 0; i < n; i++ {
		d := g.now.AddDate(0, 0, -g.r.IntN(900))
		c.Notes = append(c.Notes, Note{Title: "File note", Text: g.pick(noteTexts), Folder: "General",
			Date: xpmTime(d), CreatedBy: "Alex Morgan"})
	}
}

func (g *gen) base(name, structure string) *Client {
	g.seq++
	c := &Client{UUID: g.uuid(), Name: name, BusinessStructure: structure, IsArchived: "No", IsProspect: "No",
		Created: g.now, Modified: g.now, ClientCode: fmt.Sprintf("C%05d", g.seq)}
	g.address(c)
	g.notes(c)
	if len(g.d.Staff) > 0 {
		c.AccountManagerUUID = g.d.Staff[g.r.IntN(len(g.d.Staff))].UUID
		c.JobManagerUUID = g.d.Staff[g.r.IntN(len(g.d.Staff))].UUID
	}
	c.TaxAgent = "Yes"
	c.PrepareTaxReturn = "Yes"
	g.d.Clients = append(g.d.Clients, c)
	return c
}

func (g *gen) person(last string, female bool, born int) *Client {
	first := g.pick(givenMale)
	gender, title := "Male", "Mr"
	if female {
		first, gender, title = g.pick(givenFemale), "Female", "Ms"
	}
	c := g.base(first+" "+last, "Individual")
	c.FirstName, c.LastName, c.Gender, c.Title = first, last, gender, title
	c.DateOfBirth = xpmTime(time.Date(born, time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), 0, 0, 0, 0, time.UTC))
	c.Email = strings.ToLower(strings.ReplaceAll(first+"."+last, "'", "")) + fmt.Sprintf("%d@example.com.au", g.r.IntN(100))
	c.TaxNumber = tfn(g.r)
	c.ReturnType = "Individual"
	return c
}

func (g *gen) company(name string) *Client {
	c := g.base(name, "Company")
	n := acn(g.r.IntN(100000000))
	c.CompanyNumber = fmtACN(n)
	c.BusinessNumber = fmtABN(abn(n))
	c.TaxNumber = tfn(g.r)
	c.Industry = g.pick(industries)
	c.GstRegistered, c.PrepareGst, c.GstPeriod, c.GstBasis = "Yes", "Yes", "3", "Accruals"
	bm := 6
	c.BalanceMonth = &bm
	c.ReturnType = "Company"
	c.Email = "accounts@" + strings.ToLower(strings.Fields(strings.ReplaceAll(name, "'", ""))[0]) + ".example.com.au"
	c.Contacts = append(c.Contacts, Contact{UUID: g.uuid(), Name: "Accounts Payable", Email: c.Email, Phone: c.Phone,
		Position: "Bookkeeper", IsPrimary: "Yes"})
	return c
}

func (g *gen) entity(name, structure, returnType string) *Client {
	c := g.base(name, structure)
	c.BusinessNumber = fmtABN(abn(fmt.Sprintf("%09d", g.r.IntN(1000000000))))
	c.TaxNumber = tfn(g.r)
	c.ReturnType = returnType
	bm := 6
	c.BalanceMonth = &bm
	return c
}

func (g *gen) rel(client, related *Client, typ string, shares int64, pct float64) {
	r := &Relationship{UUID: g.uuid(), ClientUUID: client.UUID, RelatedClientUUID: related.UUID, Type: typ}
	if shares > 0 {
		r.NumberOfShares = &shares
	}
	if pct > 0 {
		r.Percentage = &pct
	}
	r.StartDate = xpmTime(time.Date(2005+g.r.IntN(18), time.July, 1, 0, 0, 0, 0, time.UTC))
	g.d.Relationships = append(g.d.Relationships, r)
}

// family makes up to size clients around one surname, with the
// relationships an Australian family group usually has.
func (g *gen) family(size int) []*Client {
	last := g.pick(surnames)
	var out []*Client
	add := func(c *Client) bool {
		out = append(out, c)
		return len(out) >= size
	}
	born := 1950 + g.r.IntN(35)
	head := g.person(last, g.r.IntN(2) == 0, born)
	if add(head) {
		return out
	}
	spouse := g.person(last, head.Gender == "Male", born+g.r.IntN(5)-2)
	g.rel(head, spouse, "Spouse", 0, 0)
	if add(spouse) {
		return out
	}
	co := g.company(last + " " + g.pick(companyWords) + " Pty Ltd")
	g.rel(co, head, "Director", 0, 0)
	g.rel(co, spouse, "Director", 0, 0)
	g.rel(co, head, "Shareholder", 50, 50)
	g.rel(co, spouse, "Shareholder", 50, 50)
	if add(co) {
		return out
	}
	trust := g.entity(last+" Family Trust", "Discretionary Trust", "Trust")
	g.rel(trust, co, "Trustee", 0, 0)
	g.rel(trust, head, "Beneficiary", 0, 0)
	g.rel(trust, spouse, "Beneficiary", 0, 0)
	g.rel(trust, head, "Appointor", 0, 0)
	if add(trust) {
		return out
	}
	fund := g.entity(last+" Superannuation Fund", "Superannuation Fund", "SMSF")
	g.rel(fund, head, "Trustee", 0, 0)
	g.rel(fund, spouse, "Trustee", 0, 0)
	g.rel(fund, head, "Member", 0, 0)
	g.rel(fund, spouse, "Member", 0, 0)
	if add(fund) {
		return out
	}
	for i := 0; ; i++ {
		var c *Client
		switch i % 3 {
		case 0, 1:
			c = g.person(last, g.r.IntN(2) == 0, born+25+g.r.IntN(8))
			g.rel(c, head, "Parent", 0, 0)
			g.rel(c, spouse, "Parent", 0, 0)
			g.rel(trust, c, "Beneficiary", 0, 0)
		default:
			c = g.entity(last+" "+g.pick([]string{"Property", "Investment", "Trading"})+" Unit Trust", "Unit Trust", "Trust")
			g.rel(c, co, "Trustee", 0, 0)
			g.rel(c, trust, "Shareholder", int64(100*(1+g.r.IntN(9))), 0)
		}
		if add(c) {
			return out
		}
	}
}

func demoStaff() []*Staff {
	mk := func(id, name, email, mobile, code string) *Staff {
		return &Staff{UUID: id, Name: name, Email: email, Phone: "(02) 9555 0100", Mobile: mobile,
			Address: "Level 3, 12 Macquarie Street, Parramatta NSW 2150", PayrollCode: code}
	}
	return []*Staff{
		mk("c4a1e0f2-7b3d-4c5e-8f90-1a2b3c4d5e01", "Alex Morgan", "alex.morgan@harbourside.example", "0412 555 101", "HA001"),
		mk("c4a1e0f2-7b3d-4c5e-8f90-1a2b3c4d5e02", "Sam Okafor", "sam.okafor@harbourside.example", "0412 555 102", "HA002"),
		mk("c4a1e0f2-7b3d-4c5e-8f90-1a2b3c4d5e03", "Jordan Lee", "jordan.lee@harbourside.example", "0412 555 103", "HA003"),
		mk("c4a1e0f2-7b3d-4c5e-8f90-1a2b3c4d5e04", "Priyanka Desai", "priyanka.desai@harbourside.example", "0412 555 104", "HA004"),
	}
}

// Generate makes a deterministic practice of opts.Clients clients in
// opts.Groups groups: families of individuals, a company, a discretionary
// trust, an SMSF and unit trusts, with their relationships, addresses,
// notes and contacts, so payloads are the size a real practice's are. The
// same options give the same data, uuids included.
func Generate(opts GenOptions) *PracticeData {
	if opts.Now.IsZero() {
		opts.Now = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	}
	groups := opts.Groups
	if groups < 0 {
		groups = opts.Clients / 5
	}
	if groups > opts.Clients {
		groups = opts.Clients
	}
	g := &gen{
		r:   rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed5a4db0c)),
		d:   &PracticeData{Staff: demoStaff(), BusinessStructures: append(append([]string(nil), StandardBusinessStructures...), "Testamentary Trust")},
		now: opts.Now.UTC().Truncate(time.Second),
	}
	remaining := opts.Clients
	for i := 0; i < groups; i++ {
		// spread clients evenly over the groups that are left
		size := remaining / (groups - i)
		if size < 1 {
			size = 1
		}
		members := g.family(size)
		remaining -= len(members)
		grp := &Group{UUID: g.uuid(), Name: strings.TrimSuffix(members[0].LastName, " ") + " Family Group", Taxable: "No", Modified: g.now}
		if members[0].LastName == "" {
			grp.Name = members[0].Name + " Group"
		}
		for _, m := range members {
			grp.Members = append(grp.Members, m.UUID)
		}
		g.d.Groups = append(g.d.Groups, grp)
	}
	for remaining > 0 {
		if g.r.IntN(3) == 0 {
			g.company(g.pick(surnames) + " " + g.pick(companyWords) + " Pty Ltd")
		} else {
			g.person(g.pick(surnames), g.r.IntN(2) == 0, 1945+g.r.IntN(60))
		}
		remaining--
	}
	return g.d
}
