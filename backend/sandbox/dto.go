package sandbox

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// jw writes JSON by hand into a byte buffer. It keeps the response field
// order of the spec and lets large lists be streamed client by client.
type jw struct {
	b        []byte
	written  []bool // per nesting level: a value was written, next needs a comma
	afterKey bool
}

func (w *jw) sep() {
	if w.afterKey {
		w.afterKey = false
		return
	}
	if n := len(w.written); n > 0 {
		if w.written[n-1] {
			w.b = append(w.b, ',')
		}
		w.written[n-1] = true
	}
}

func (w *jw) open(c byte) {
	w.sep()
	w.b = append(w.b, c)
	w.written = append(w.written, false)
}

func (w *jw) close(c byte) {
	w.b = append(w.b, c)
	w.written = w.written[:len(w.written)-1]
}

func (w *jw) obj()    { w.open('{') }
func (w *jw) endObj() { w.close('}') }
func (w *jw) arr()    { w.open('[') }
func (w *jw) endArr() { w.close(']') }

// k writes "k": ; the caller writes the value next (obj, arr, raw).
func (w *jw) k(k string) {
	w.sep()
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':')
	w.afterKey = true
}

func (w *jw) raw(s string) {
	w.sep()
	w.b = append(w.b, s...)
}

// s writes a string member, null when empty (every XPM field is nullable).
func (w *jw) s(k, v string) {
	w.k(k)
	if v == "" {
		w.raw("null")
		return
	}
	w.sep()
	w.b = appendJSONString(w.b, v)
}

// n writes a raw number member, null when empty.
func (w *jw) n(k, v string) {
	w.k(k)
	if v == "" {
		v = "null"
	}
	w.raw(v)
}

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// maskTaxNumber hides all but the last three digits, as XPM does for
// third-party apps since January 2018 (NOTES.md). Separators are kept.
func maskTaxNumber(s string) string {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	var b strings.Builder
	seen := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			seen++
			if seen <= digits-3 {
				b.WriteByte('*')
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// view is what a response needs besides the client itself.
type view struct {
	baseURL string
	names   map[string]string // client uuid -> name
	staffN  map[string]string // staff uuid (lower case) -> name
	// per-client indexes for detailed reads (nil = not detailed)
	groupsOf map[string][]*Group
	relsOf   map[string][]*Relationship
}

func newView(p *practice, baseURL string, detailed bool) *view {
	v := &view{baseURL: baseURL, names: make(map[string]string, len(p.clients)), staffN: map[string]string{}}
	for id, c := range p.clients {
		v.names[id] = c.Name
	}
	for _, st := range p.staff {
		v.staffN[strings.ToLower(st.UUID)] = st.Name
	}
	if detailed {
		v.groupsOf = map[string][]*Group{}
		for _, g := range p.sortedGroups() {
			for _, m := range g.Members {
				v.groupsOf[m] = append(v.groupsOf[m], g)
			}
		}
		v.relsOf = map[string][]*Relationship{}
		for _, r := range p.sortedRels() {
			v.relsOf[r.ClientUUID] = append(v.relsOf[r.ClientUUID], r)
			v.relsOf[r.RelatedClientUUID] = append(v.relsOf[r.RelatedClientUUID], r)
		}
	}
	return v
}

func (v *view) named(w *jw, k, id, name string) {
	w.k(k)
	if id == "" {
		w.raw("null")
		return
	}
	w.obj()
	w.s("uuid", id)
	w.s("name", name)
	w.endObj()
}

func (v *view) staffRef(w *jw, k, id string) {
	name, ok := v.staffN[strings.ToLower(id)]
	if !ok {
		id = ""
	}
	v.named(w, k, id, name)
}

func (v *view) clientName(id string) string {
	return v.names[id]
}

// clientBase writes the ClientBaseDto members of c.
func (v *view) clientBase(w *jw, c *Client) {
	w.s("uuid", c.UUID)
	w.s("name", c.Name)
	w.s("title", c.Title)
	w.s("gender", c.Gender)
	w.s("firstName", c.FirstName)
	w.s("middleName", c.MiddleName)
	w.s("lastName", c.LastName)
	w.s("otherName", c.OtherName)
	w.s("email", c.Email)
	w.s("dateOfBirth", c.DateOfBirth)
	w.s("dateOfDeath", c.DateOfDeath)
	w.s("placeOfBirthCity", c.PlaceOfBirthCity)
	w.s("placeOfBirthCountryCode", c.PlaceOfBirthCountryCode)
	w.s("address", c.Address)
	w.s("city", c.City)
	w.s("region", c.Region)
	w.s("postCode", c.PostCode)
	w.s("country", c.Country)
	w.s("postalAddress", c.PostalAddress)
	w.s("postalCity", c.PostalCity)
	w.s("postalRegion", c.PostalRegion)
	w.s("postalPostCode", c.PostalPostCode)
	w.s("postalCountry", c.PostalCountry)
	w.s("phone", c.Phone)
	w.s("fax", c.Fax)
	w.s("website", c.Website)
	w.s("referralSource", c.ReferralSource)
	w.s("exportCode", c.ExportCode)
	w.s("industry", c.Industry)
	w.s("isProspect", orNo(c.IsProspect))
	w.s("isArchived", orNo(c.IsArchived))
	w.s("isDeleted", "No")
	v.staffRef(w, "accountManager", c.AccountManagerUUID)
	v.staffRef(w, "jobManager", c.JobManagerUUID)
	w.k("type")
	w.raw("null")
	bill := c.BillingClientUUID
	billName := v.clientName(bill)
	if billName == "" {
		bill = ""
	}
	v.named(w, "billingClient", bill, billName)
	w.s("taxNumber", maskTaxNumber(c.TaxNumber))
	w.s("companyNumber", c.CompanyNumber)
	w.s("businessNumber", c.BusinessNumber)
	w.s("businessStructure", c.BusinessStructure)
	if c.BalanceMonth != nil {
		w.n("balanceMonth", strconv.Itoa(*c.BalanceMonth))
	} else {
		w.n("balanceMonth", "")
	}
	w.s("prepareGst", c.PrepareGst)
	w.s("gstRegistered", c.GstRegistered)
	w.s("gstPeriod", c.GstPeriod)
	w.s("gstBasis", c.GstBasis)
	w.s("provisionalTaxBasis", c.ProvisionalTaxBasis)
	w.n("provisionalTaxRatio", c.ProvisionalTaxRatio)
	w.s("signedTaxAuthority", c.SignedTaxAuthority)
	w.s("taxAgent", c.TaxAgent)
	w.s("agencyStatus", c.AgencyStatus)
	w.s("returnType", c.ReturnType)
	w.s("prepareActivityStatement", c.PrepareActivityStatement)
	w.s("prepareTaxReturn", c.PrepareTaxReturn)
	w.s("branchNumber", c.BranchNumber)
	w.s("bankBsb", c.BankBsb)
	w.s("bankAccountName", c.BankAccountName)
	w.s("bankAccountNumber", c.BankAccountNumber)
	w.s("bankName", c.BankName)
	w.s("activeAtoClient", c.ActiveAtoClient)
	w.s("clientCode", c.ClientCode)
	w.k("autoBasOptInCriteria")
	if a := c.AutoBasOptInCriteria; a != nil {
		w.obj()
		w.s("annually", a.Annually)
		w.s("monthly", a.Monthly)
		w.s("quarterly", a.Quarterly)
		w.s("opt-out", a.OptOut)
		w.endObj()
	} else {
		w.raw("null")
	}
	w.s("webUrl", v.baseURL+"/_sandbox/web/client/"+c.UUID)
}

func orNo(s string) string {
	if s == "" {
		return "No"
	}
	return s
}

// client writes one client object. withContacts adds ClientDto's contacts;
// a view built as detailed adds notes, groups and relationships.
func (v *view) client(w *jw, c *Client, withContacts bool) {
	w.obj()
	v.clientBase(w, c)
	if withContacts {
		w.k("contacts")
		w.arr()
		for _, ct := range c.Contacts {
			w.obj()
			w.s("uuid", ct.UUID)
			w.s("name", ct.Name)
			w.s("salutation", ct.Salutation)
			w.s("addressee", ct.Addressee)
			w.s("mobile", ct.Mobile)
			w.s("email", ct.Email)
			w.s("phone", ct.Phone)
			w.s("isDeleted", "No")
			w.s("isPrimary", orNo(ct.IsPrimary))
			w.s("position", ct.Position)
			w.endObj()
		}
		w.endArr()
	}
	if v.relsOf != nil {
		w.k("notes")
		w.arr()
		for _, n := range c.Notes {
			w.obj()
			w.s("title", n.Title)
			w.s("text", n.Text)
			w.s("folder", n.Folder)
			w.s("date", n.Date)
			w.s("createdBy", n.CreatedBy)
			w.s("tags", n.Tags)
			w.endObj()
		}
		w.endArr()
		w.k("groups")
		w.arr()
		for _, g := range v.groupsOf[c.UUID] {
			w.obj()
			w.s("uuid", g.UUID)
			w.s("name", g.Name)
			w.endObj()
		}
		w.endArr()
		w.k("relationships")
		w.arr()
		for _, r := range v.relsOf[c.UUID] {
			typ, other := r.Type, r.RelatedClientUUID
			if r.ClientUUID != c.UUID {
				typ, other = inverseRelType(r.Type), r.ClientUUID
			}
			w.obj()
			w.s("uuid", r.UUID)
			w.s("type", typ)
			v.named(w, "relatedClient", other, v.clientName(other))
			relNumbers(w, r)
			w.endObj()
		}
		w.endArr()
	}
	w.endObj()
}

func relNumbers(w *jw, r *Relationship) {
	if r.NumberOfShares != nil {
		w.n("numberOfShares", strconv.FormatInt(*r.NumberOfShares, 10))
	} else {
		w.n("numberOfShares", "")
	}
	if r.Percentage != nil {
		w.n("percentage", strconv.FormatFloat(*r.Percentage, 'f', -1, 64))
	} else {
		w.n("percentage", "")
	}
	w.s("startDate", r.StartDate)
	w.s("endDate", r.EndDate)
}

// relationshipDetail writes ClientRelationshipDetailDto.
func (v *view) relationshipDetail(w *jw, r *Relationship, clientName, relatedName string) {
	w.obj()
	w.s("uuid", r.UUID)
	v.named(w, "client", r.ClientUUID, clientName)
	v.named(w, "relatedClient", r.RelatedClientUUID, relatedName)
	w.k("relationshipType")
	w.obj()
	w.s("name", r.Type)
	w.endObj()
	relNumbers(w, r)
	w.endObj()
}

// group writes ClientGroupDto, or ClientGroupDetailDto with its clients.
func (v *view) group(w *jw, g *Group, withClients bool) {
	w.obj()
	w.s("uuid", g.UUID)
	w.s("name", g.Name)
	w.s("webUrl", v.baseURL+"/_sandbox/web/group/"+g.UUID)
	w.s("taxable", orNo(g.Taxable))
	if withClients {
		w.k("clients")
		w.arr()
		for _, m := range g.Members {
			w.obj()
			w.s("uuid", m)
			w.s("name", v.clientName(m))
			w.endObj()
		}
		w.endArr()
	}
	w.endObj()
}

func (v *view) staff(w *jw, s *Staff) {
	w.obj()
	w.s("uuid", s.UUID)
	w.s("name", s.Name)
	w.s("email", s.Email)
	w.s("phone", s.Phone)
	w.s("mobile", s.Mobile)
	w.s("address", s.Address)
	w.s("payrollCode", s.PayrollCode)
	w.s("webUrl", v.baseURL+"/_sandbox/web/staff/"+s.UUID)
	w.endObj()
}
