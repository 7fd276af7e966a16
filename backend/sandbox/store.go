package sandbox

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

//go:embed data/relationship-types.json
var relTypesJSON []byte

type relType struct {
	Type       string `json:"type"`
	Inverse    string `json:"inverse"`
	Shares     bool   `json:"shares"`
	Percentage bool   `json:"percentage"`
}

// relTypes maps a lower-cased type name (either side) to its pair and
// whether the name is the pair's inverse side.
var relTypes = func() map[string]struct {
	pair    relType
	inverse bool
} {
	var f struct {
		Pairs []relType `json:"pairs"`
	}
	if err := json.Unmarshal(relTypesJSON, &f); err != nil {
		panic("sandbox: data/relationship-types.json: " + err.Error())
	}
	m := map[string]struct {
		pair    relType
		inverse bool
	}{}
	for _, p := range f.Pairs {
		m[strings.ToLower(p.Type)] = struct {
			pair    relType
			inverse bool
		}{p, false}
		if !strings.EqualFold(p.Type, p.Inverse) {
			m[strings.ToLower(p.Inverse)] = struct {
				pair    relType
				inverse bool
			}{p, true}
		}
	}
	return m
}()

// canonicalRelType returns the canonical spelling of a relationship type.
func canonicalRelType(t string) (string, relType, bool) {
	e, ok := relTypes[strings.ToLower(strings.TrimSpace(t))]
	if !ok {
		return "", relType{}, false
	}
	if e.inverse {
		return e.pair.Inverse, e.pair, true
	}
	return e.pair.Type, e.pair, true
}

// inverseRelType is the type the related client shows.
func inverseRelType(t string) string {
	e, ok := relTypes[strings.ToLower(t)]
	if !ok {
		return t
	}
	if e.inverse {
		return e.pair.Type
	}
	return e.pair.Inverse
}

// StandardBusinessStructures are the business structures every sandbox
// practice accepts. A practice may add custom labels (PracticeData).
var StandardBusinessStructures = []string{
	"Individual", "Sole Trader", "Company", "Trust", "Discretionary Trust", "Unit Trust",
	"Hybrid Trust", "Superannuation Fund", "Partnership", "Limited Partnership",
	"Association", "Co-operative", "Non-profit Organisation", "Government",
}

// apiError is an XPM error answer: HTTP status plus ResponseErrorDto text.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.status, e.msg) }

func badRequest(format string, a ...any) error {
	return &apiError{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}

func notFound(format string, a ...any) error {
	return &apiError{http.StatusNotFound, fmt.Sprintf(format, a...)}
}

func conflict(format string, a ...any) error {
	return &apiError{http.StatusConflict, fmt.Sprintf(format, a...)}
}

// practice is one XPM tenant's data. All methods run under Server.mu.
type practice struct {
	clients    map[string]*Client
	groups     map[string]*Group
	rels       map[string]*Relationship
	staff      []*Staff
	structures []string
	// conflictNext makes the next update of a client answer 409 (a stale
	// update arranged by a test; see Server.ForceConflict).
	conflictNext map[string]bool
}

func newPractice() *practice {
	return &practice{
		clients:      map[string]*Client{},
		groups:       map[string]*Group{},
		rels:         map[string]*Relationship{},
		structures:   append([]string(nil), StandardBusinessStructures...),
		conflictNext: map[string]bool{},
	}
}

func practiceFromData(d *PracticeData) (*practice, error) {
	p := newPractice()
	if len(d.BusinessStructures) > 0 {
		p.structures = append([]string(nil), d.BusinessStructures...)
	}
	for _, c := range d.Clients {
		if c == nil || c.UUID == "" || c.Name == "" {
			return nil, fmt.Errorf("data set: a client lacks uuid or name")
		}
		if _, dup := p.clients[c.UUID]; dup {
			return nil, fmt.Errorf("data set: client %s appears twice", c.UUID)
		}
		p.clients[c.UUID] = c.clone()
	}
	for _, g := range d.Groups {
		if g == nil || g.UUID == "" {
			return nil, fmt.Errorf("data set: a group lacks a uuid")
		}
		for _, m := range g.Members {
			if p.clients[m] == nil {
				return nil, fmt.Errorf("data set: group %q lists unknown client %s", g.Name, m)
			}
		}
		p.groups[g.UUID] = g.clone()
	}
	for _, r := range d.Relationships {
		if r == nil || r.UUID == "" || p.clients[r.ClientUUID] == nil || p.clients[r.RelatedClientUUID] == nil {
			return nil, fmt.Errorf("data set: relationship %v refers to an unknown client", r)
		}
		if _, _, ok := canonicalRelType(r.Type); !ok {
			return nil, fmt.Errorf("data set: relationship type %q is unknown", r.Type)
		}
		p.rels[r.UUID] = r.clone()
	}
	for _, s := range d.Staff {
		n := *s
		p.staff = append(p.staff, &n)
	}
	return p, nil
}

func (p *practice) data() *PracticeData {
	d := &PracticeData{BusinessStructures: append([]string(nil), p.structures...)}
	for _, c := range p.sortedClients(true) {
		d.Clients = append(d.Clients, c.clone())
	}
	for _, g := range p.sortedGroups() {
		d.Groups = append(d.Groups, g.clone())
	}
	for _, r := range p.sortedRels() {
		d.Relationships = append(d.Relationships, r.clone())
	}
	for _, s := range p.staff {
		n := *s
		d.Staff = append(d.Staff, &n)
	}
	return d
}

// sortedClients returns clients ordered by name, then uuid.
func (p *practice) sortedClients(includeArchived bool) []*Client {
	out := make([]*Client, 0, len(p.clients))
	for _, c := range p.clients {
		if !includeArchived && c.IsArchived == "Yes" {
			continue
		}
		out = append(out, c)
	}
	sortByName(out, func(c *Client) (string, string) { return c.Name, c.UUID })
	return out
}

func (p *practice) sortedGroups() []*Group {
	out := make([]*Group, 0, len(p.groups))
	for _, g := range p.groups {
		out = append(out, g)
	}
	sortByName(out, func(g *Group) (string, string) { return g.Name, g.UUID })
	return out
}

// sortByName orders records by name (case-insensitive), then uuid, which is
// the order every list answer uses.
func sortByName[T any](out []T, key func(T) (name, uuid string)) {
	sort.Slice(out, func(i, j int) bool {
		an, au := key(out[i])
		bn, bu := key(out[j])
		if a, b := strings.ToLower(an), strings.ToLower(bn); a != b {
			return a < b
		}
		return au < bu
	})
}

func (p *practice) sortedRels() []*Relationship {
	out := make([]*Relationship, 0, len(p.rels))
	for _, r := range p.rels {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UUID < out[j].UUID })
	return out
}

func (p *practice) staffByUUID(id string) *Staff {
	for _, s := range p.staff {
		if strings.EqualFold(s.UUID, id) {
			return s
		}
	}
	return nil
}

func (p *practice) client(id string) *Client {
	if c := p.clients[id]; c != nil {
		return c
	}
	return p.clients[strings.ToLower(id)]
}

// touch marks clients as modified now (copy on write).
func (p *practice) touch(now time.Time, ids ...string) {
	for _, id := range ids {
		if c := p.clients[id]; c != nil {
			n := c.clone()
			n.Modified = now
			p.clients[id] = n
		}
	}
}

func (p *practice) canonicalStructure(s string) (string, bool) {
	for _, v := range p.structures {
		if strings.EqualFold(v, strings.TrimSpace(s)) {
			return v, true
		}
	}
	return "", false
}

// ---- request field mapping ------------------------------------------------

// clientStringFields maps request property names to the stored string they
// set. Request and response spellings differ in places (webSite/website):
// each direction is mapped from its own schema.
var clientStringFields = map[string]func(c *Client) *string{
	"name":                    func(c *Client) *string { return &c.Name },
	"firstName":               func(c *Client) *string { return &c.FirstName },
	"lastName":                func(c *Client) *string { return &c.LastName },
	"otherName":               func(c *Client) *string { return &c.OtherName },
	"middleName":              func(c *Client) *string { return &c.MiddleName },
	"title":                   func(c *Client) *string { return &c.Title },
	"gender":                  func(c *Client) *string { return &c.Gender },
	"email":                   func(c *Client) *string { return &c.Email },
	"placeOfBirthCity":        func(c *Client) *string { return &c.PlaceOfBirthCity },
	"placeOfBirthCountryCode": func(c *Client) *string { return &c.PlaceOfBirthCountryCode },
	"address":                 func(c *Client) *string { return &c.Address },
	"city":                    func(c *Client) *string { return &c.City },
	"region":                  func(c *Client) *string { return &c.Region },
	"postCode":                func(c *Client) *string { return &c.PostCode },
	"country":                 func(c *Client) *string { return &c.Country },
	"postalAddress":           func(c *Client) *string { return &c.PostalAddress },
	"postalCity":              func(c *Client) *string { return &c.PostalCity },
	"postalRegion":            func(c *Client) *string { return &c.PostalRegion },
	"postalPostCode":          func(c *Client) *string { return &c.PostalPostCode },
	"postalCountry":           func(c *Client) *string { return &c.PostalCountry },
	"phone":                   func(c *Client) *string { return &c.Phone },
	"fax":                     func(c *Client) *string { return &c.Fax },
	"webSite":                 func(c *Client) *string { return &c.Website },
	"referralSource":          func(c *Client) *string { return &c.ReferralSource },
	"exportCode":              func(c *Client) *string { return &c.ExportCode },
	"taxNumber":               func(c *Client) *string { return &c.TaxNumber },
	"companyNumber":           func(c *Client) *string { return &c.CompanyNumber },
	"businessNumber":          func(c *Client) *string { return &c.BusinessNumber },
	"branchNumber":            func(c *Client) *string { return &c.BranchNumber },
	"gstBasis":                func(c *Client) *string { return &c.GstBasis },
	"provisionalTaxBasis":     func(c *Client) *string { return &c.ProvisionalTaxBasis },
	"signedTaxAuthority":      func(c *Client) *string { return &c.SignedTaxAuthority },
	"taxAgent":                func(c *Client) *string { return &c.TaxAgent },
	"agencyStatus":            func(c *Client) *string { return &c.AgencyStatus },
	"returnType":              func(c *Client) *string { return &c.ReturnType },
	"clientCode":              func(c *Client) *string { return &c.ClientCode },
}

var clientYesNoFields = map[string]func(c *Client) *string{
	"isProspect":               func(c *Client) *string { return &c.IsProspect },
	"gstRegistered":            func(c *Client) *string { return &c.GstRegistered },
	"prepareGst":               func(c *Client) *string { return &c.PrepareGst },
	"prepareActivityStatement": func(c *Client) *string { return &c.PrepareActivityStatement },
	"prepareTaxReturn":         func(c *Client) *string { return &c.PrepareTaxReturn },
	"activeAtoClient":          func(c *Client) *string { return &c.ActiveAtoClient },
}

var clientDateFields = map[string]func(c *Client) *string{
	"dateOfBirth": func(c *Client) *string { return &c.DateOfBirth },
	"dateOfDeath": func(c *Client) *string { return &c.DateOfDeath },
}

// yesNo normalises XPM booleans: "Yes"/"No" (what XPM sends) and
// true/false (accepted, NOTES.md).
func yesNo(v any) (string, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return "Yes", true
		}
		return "No", true
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "yes", "true":
			return "Yes", true
		case "no", "false":
			return "No", true
		case "":
			return "", true
		}
	}
	return "", false
}

// xpmDateLayout is how XPM writes dates: yyyy-MM-ddTHH:mm:ss, UTC, no offset.
const xpmDateLayout = "2006-01-02T15:04:05"

func xpmTime(t time.Time) string { return t.UTC().Format(xpmDateLayout) }

// parseXPMDate accepts yyyy-MM-dd and yyyy-MM-ddTHH:mm:ss (optionally with
// fractional seconds or Z) and returns the XPM form.
func parseXPMDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	for _, layout := range []string{xpmDateLayout, "2006-01-02", "2006-01-02T15:04:05.999999999", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return xpmTime(t), nil
		}
	}
	return "", fmt.Errorf("%q is not a date (expected yyyy-MM-dd or yyyy-MM-ddTHH:mm:ss)", s)
}

func str(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// applyClientFields copies request properties onto c. Absent and null
// properties leave a field unchanged; "" clears it.
func (p *practice) applyClientFields(c *Client, body map[string]any) error {
	for k, v := range body {
		if v == nil || k == "uuid" || k == "contacts" {
			continue
		}
		if f, ok := clientStringFields[k]; ok {
			s, _ := str(v)
			*f(c) = strings.TrimSpace(s)
			continue
		}
		if f, ok := clientYesNoFields[k]; ok {
			yn, ok := yesNo(v)
			if !ok {
				return badRequest("%s must be Yes or No", k)
			}
			*f(c) = yn
			continue
		}
		if f, ok := clientDateFields[k]; ok {
			s, _ := str(v)
			d, err := parseXPMDate(s)
			if err != nil {
				return badRequest("%s: %v", k, err)
			}
			*f(c) = d
			continue
		}
		switch k {
		case "businessStructure":
			s, _ := str(v)
			if strings.TrimSpace(s) == "" {
				c.BusinessStructure = ""
				continue
			}
			bs, ok := p.canonicalStructure(s)
			if !ok {
				return badRequest("Business structure %q is not set up in this practice", s)
			}
			c.BusinessStructure = bs
		case "balanceMonth":
			s, _ := str(v)
			if strings.TrimSpace(s) == "" {
				c.BalanceMonth = nil
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 || n > 12 {
				return badRequest("balanceMonth must be a month number from 1 to 12")
			}
			c.BalanceMonth = &n
		case "gstPeriod":
			num, _ := v.(json.Number)
			n, err := num.Int64()
			if err != nil || n < 1 || n > 12 {
				return badRequest("gstPeriod must be a number of months from 1 to 12")
			}
			c.GstPeriod = strconv.FormatInt(n, 10)
		case "provisionalTaxRatio":
			num, ok := v.(json.Number)
			if !ok {
				return badRequest("provisionalTaxRatio must be a number")
			}
			c.ProvisionalTaxRatio = num.String()
		case "accountManagerUuid", "jobManagerUuid":
			s, _ := str(v)
			if s != "" && p.staffByUUID(s) == nil {
				return badRequest("%s: no staff member %s", k, s)
			}
			if k == "accountManagerUuid" {
				c.AccountManagerUUID = s
			} else {
				c.JobManagerUUID = s
			}
		case "billingClientUuid":
			s, _ := str(v)
			if s != "" && p.client(s) == nil {
				return badRequest("billingClientUuid: no client %s", s)
			}
			c.BillingClientUUID = s
		case "autoBasOptInCriteria":
			m, _ := v.(map[string]any)
			a := &AutoBasCriteria{}
			a.Annually, _ = str(m["annually"])
			a.Monthly, _ = str(m["monthly"])
			a.Quarterly, _ = str(m["quarterly"])
			a.OptOut, _ = str(m["opt-out"])
			c.AutoBasOptInCriteria = a
		default:
			// The spec validator refuses unknown properties before this point.
			return badRequest("unknown property %s", k)
		}
	}
	return nil
}

func (p *practice) addClient(now time.Time, body map[string]any) (*Client, error) {
	c := &Client{UUID: uuid.NewString(), Created: now, Modified: now, IsArchived: "No", IsProspect: "No"}
	if err := p.applyClientFields(c, body); err != nil {
		return nil, err
	}
	if c.Name == "" {
		return nil, badRequest("Name is required")
	}
	if list, ok := body["contacts"].([]any); ok {
		for _, it := range list {
			m, _ := it.(map[string]any)
			ct := Contact{UUID: uuid.NewString()}
			ct.Name, _ = str(m["name"])
			if strings.TrimSpace(ct.Name) == "" {
				return nil, badRequest("Contact name is required")
			}
			ct.Phone, _ = str(m["phone"])
			ct.Mobile, _ = str(m["mobile"])
			ct.Email, _ = str(m["email"])
			ct.Position, _ = str(m["position"])
			ct.Salutation, _ = str(m["salutation"])
			ct.Addressee, _ = str(m["addressee"])
			if v, ok := m["isPrimary"]; ok && v != nil {
				yn, ok := yesNo(v)
				if !ok {
					return nil, badRequest("contacts.isPrimary must be Yes or No")
				}
				ct.IsPrimary = yn
			}
			c.Contacts = append(c.Contacts, ct)
		}
	}
	p.clients[c.UUID] = c
	return c, nil
}

func uuidOf(body map[string]any, key string) (string, error) {
	s, _ := str(body[key])
	s = strings.TrimSpace(s)
	if s == "" {
		return "", badRequest("%s is required", key)
	}
	return s, nil
}

func (p *practice) updateClient(now time.Time, body map[string]any) (*Client, error) {
	id, err := uuidOf(body, "uuid")
	if err != nil {
		return nil, err
	}
	old := p.client(id)
	if old == nil {
		return nil, notFound("Client %s not found", id)
	}
	if p.conflictNext[old.UUID] {
		delete(p.conflictNext, old.UUID)
		return nil, conflict("The client has been changed since it was read. Read it again and retry.")
	}
	c := old.clone()
	if err := p.applyClientFields(c, body); err != nil {
		return nil, err
	}
	if c.Name == "" {
		return nil, badRequest("Name is required")
	}
	c.Modified = now
	p.clients[c.UUID] = c
	return c, nil
}

func (p *practice) archiveClient(now time.Time, body map[string]any) (*Client, error) {
	id, err := uuidOf(body, "uuid")
	if err != nil {
		return nil, err
	}
	old := p.client(id)
	if old == nil {
		return nil, notFound("Client %s not found", id)
	}
	if old.IsArchived == "Yes" {
		return nil, conflict("Client %s is already archived", old.UUID)
	}
	c := old.clone()
	c.IsArchived = "Yes"
	c.Modified = now
	p.clients[c.UUID] = c
	return c, nil
}

// deleteClient removes a client with its relationships and group
// memberships; related clients count as modified.
func (p *practice) deleteClient(now time.Time, body map[string]any) error {
	id, err := uuidOf(body, "uuid")
	if err != nil {
		return err
	}
	c := p.client(id)
	if c == nil {
		return notFound("Client %s not found", id)
	}
	p.removeClient(now, c.UUID)
	return nil
}

func (p *practice) removeClient(now time.Time, id string) {
	for rid, r := range p.rels {
		if r.ClientUUID == id || r.RelatedClientUUID == id {
			delete(p.rels, rid)
			p.touch(now, r.ClientUUID, r.RelatedClientUUID)
		}
	}
	for gid, g := range p.groups {
		if i := indexOf(g.Members, id); i >= 0 {
			n := g.clone()
			n.Members = append(n.Members[:i], n.Members[i+1:]...)
			n.Modified = now
			p.groups[gid] = n
		}
	}
	for cid, c := range p.clients {
		if c.BillingClientUUID == id {
			n := c.clone()
			n.BillingClientUUID = ""
			n.Modified = now
			p.clients[cid] = n
		}
	}
	delete(p.clients, id)
	delete(p.conflictNext, id)
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

func numberField(body map[string]any, key string) (json.Number, bool) {
	n, ok := body[key].(json.Number)
	return n, ok
}

// setRelationshipDetails applies numberOfShares, percentage and dates.
func setRelationshipDetails(r *Relationship, pair relType, body map[string]any) error {
	if n, ok := numberField(body, "numberOfShares"); ok {
		if !pair.Shares {
			return badRequest("Number of shares only applies to shareholder relationships")
		}
		v, err := n.Int64()
		if err != nil || v < 0 {
			return badRequest("numberOfShares must be a whole number of shares")
		}
		r.NumberOfShares = &v
	}
	if n, ok := numberField(body, "percentage"); ok {
		if !pair.Percentage {
			return badRequest("Percentage only applies to shareholder and partner relationships")
		}
		v, err := n.Float64()
		if err != nil || v < 0 || v > 100 {
			return badRequest("percentage must be between 0 and 100")
		}
		r.Percentage = &v
	}
	for _, k := range []string{"startDate", "endDate"} {
		if v, ok := body[k]; ok && v != nil {
			s, _ := str(v)
			d, err := parseXPMDate(s)
			if err != nil {
				return badRequest("%s: %v", k, err)
			}
			if k == "startDate" {
				r.StartDate = d
			} else {
				r.EndDate = d
			}
		}
	}
	if r.StartDate != "" && r.EndDate != "" && r.EndDate < r.StartDate {
		return badRequest("endDate is before startDate")
	}
	return nil
}

func (p *practice) addRelationship(now time.Time, body map[string]any) (*Relationship, error) {
	cid, err := uuidOf(body, "clientUuid")
	if err != nil {
		return nil, err
	}
	rid, err := uuidOf(body, "relatedClientUuid")
	if err != nil {
		return nil, err
	}
	c, rc := p.client(cid), p.client(rid)
	if c == nil {
		return nil, notFound("Client %s not found", cid)
	}
	if rc == nil {
		return nil, badRequest("Related client %s not found", rid)
	}
	if c.UUID == rc.UUID {
		return nil, badRequest("A client cannot be related to itself")
	}
	t, _ := str(body["type"])
	typ, pair, ok := canonicalRelType(t)
	if !ok {
		return nil, badRequest("Relationship type %q is not valid", t)
	}
	for _, x := range []*Client{c, rc} {
		if x.BusinessStructure == "" {
			return nil, badRequest("Set a business structure on %s before adding relationships", x.Name)
		}
	}
	for _, r := range p.rels {
		same := r.ClientUUID == c.UUID && r.RelatedClientUUID == rc.UUID && r.Type == typ
		mirror := r.ClientUUID == rc.UUID && r.RelatedClientUUID == c.UUID && r.Type == inverseRelType(typ)
		if same || mirror {
			return nil, badRequest("This relationship already exists")
		}
	}
	r := &Relationship{UUID: uuid.NewString(), ClientUUID: c.UUID, RelatedClientUUID: rc.UUID, Type: typ}
	if err := setRelationshipDetails(r, pair, body); err != nil {
		return nil, err
	}
	p.rels[r.UUID] = r
	p.touch(now, c.UUID, rc.UUID)
	return r, nil
}

func (p *practice) updateRelationship(now time.Time, body map[string]any) (*Relationship, error) {
	id, err := uuidOf(body, "uuid")
	if err != nil {
		return nil, err
	}
	old := p.rels[id]
	if old == nil {
		return nil, notFound("Relationship %s not found", id)
	}
	_, pair, _ := canonicalRelType(old.Type)
	r := old.clone()
	if err := setRelationshipDetails(r, pair, body); err != nil {
		return nil, err
	}
	p.rels[id] = r
	p.touch(now, r.ClientUUID, r.RelatedClientUUID)
	return r, nil
}

func (p *practice) deleteRelationship(now time.Time, body map[string]any) (*Relationship, error) {
	id, err := uuidOf(body, "uuid")
	if err != nil {
		return nil, err
	}
	r := p.rels[id]
	if r == nil {
		return nil, notFound("Relationship %s not found", id)
	}
	delete(p.rels, id)
	p.touch(now, r.ClientUUID, r.RelatedClientUUID)
	return r, nil
}

func (p *practice) addGroup(now time.Time, body map[string]any) (*Group, error) {
	cid, err := uuidOf(body, "clientUuid")
	if err != nil {
		return nil, err
	}
	c := p.client(cid)
	if c == nil {
		return nil, badRequest("Client %s not found", cid)
	}
	name, _ := str(body["name"])
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, badRequest("Name is required")
	}
	g := &Group{UUID: uuid.NewString(), Name: name, Taxable: "No", Members: []string{c.UUID}, Modified: now}
	if v, ok := body["taxable"]; ok && v != nil {
		yn, ok := yesNo(v)
		if !ok {
			return nil, badRequest("taxable must be Yes or No")
		}
		if yn != "" {
			g.Taxable = yn
		}
	}
	p.groups[g.UUID] = g
	p.touch(now, c.UUID)
	return g, nil
}

func (p *practice) group(id string) *Group {
	if g := p.groups[id]; g != nil {
		return g
	}
	return p.groups[strings.ToLower(id)]
}

// groupMembers adds and removes members atomically: every uuid is checked
// before anything changes. Adding a member twice or removing a non-member
// changes nothing.
func (p *practice) groupMembers(now time.Time, body map[string]any) (*Group, error) {
	id, err := uuidOf(body, "uuid")
	if err != nil {
		return nil, err
	}
	old := p.group(id)
	if old == nil {
		return nil, notFound("Client group %s not found", id)
	}
	collect := func(key string) ([]string, error) {
		list, _ := body[key].([]any)
		var out []string
		for _, it := range list {
			m, _ := it.(map[string]any)
			s, _ := str(m["uuid"])
			c := p.client(s)
			if c == nil {
				return nil, badRequest("%s: client %q not found", key, s)
			}
			out = append(out, c.UUID)
		}
		return out, nil
	}
	add, err := collect("add")
	if err != nil {
		return nil, err
	}
	remove, err := collect("remove")
	if err != nil {
		return nil, err
	}
	g := old.clone()
	var touched []string
	for _, c := range add {
		if indexOf(g.Members, c) < 0 {
			g.Members = append(g.Members, c)
			touched = append(touched, c)
		}
	}
	for _, c := range remove {
		if i := indexOf(g.Members, c); i >= 0 {
			g.Members = append(g.Members[:i], g.Members[i+1:]...)
			touched = append(touched, c)
		}
	}
	if len(touched) > 0 {
		g.Modified = now
		p.touch(now, touched...)
	}
	p.groups[g.UUID] = g
	return g, nil
}

func (p *practice) deleteGroup(now time.Time, body map[string]any) error {
	id, err := uuidOf(body, "uuid")
	if err != nil {
		return err
	}
	g := p.group(id)
	if g == nil {
		return notFound("Client group %s not found", id)
	}
	delete(p.groups, g.UUID)
	p.touch(now, g.Members...)
	return nil
}
