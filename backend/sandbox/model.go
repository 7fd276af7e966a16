package sandbox

import (
	"time"
)

// Client is one XPM client as the sandbox stores it. Field names follow the
// response schema (ClientBaseDto); empty strings are answered as null.
// Yes/No fields hold "Yes", "No" or "". Client values are never changed in
// place once stored (copy on write), so a snapshot can be served without
// holding the lock.
type Client struct {
	UUID                    string `json:"uuid"`
	Name                    string `json:"name"`
	Title                   string `json:"title,omitempty"`
	Gender                  string `json:"gender,omitempty"`
	FirstName               string `json:"firstName,omitempty"`
	MiddleName              string `json:"middleName,omitempty"`
	LastName                string `json:"lastName,omitempty"`
	OtherName               string `json:"otherName,omitempty"`
	Email                   string `json:"email,omitempty"`
	DateOfBirth             string `json:"dateOfBirth,omitempty"`
	DateOfDeath             string `json:"dateOfDeath,omitempty"`
	PlaceOfBirthCity        string `json:"placeOfBirthCity,omitempty"`
	PlaceOfBirthCountryCode string `json:"placeOfBirthCountryCode,omitempty"`
	Address                 string `json:"address,omitempty"`
	City                    string `json:"city,omitempty"`
	Region                  string `json:"region,omitempty"`
	PostCode                string `json:"postCode,omitempty"`
	Country                 string `json:"country,omitempty"`
	PostalAddress           string `json:"postalAddress,omitempty"`
	PostalCity              string `json:"postalCity,omitempty"`
	PostalRegion            string `json:"postalRegion,omitempty"`
	PostalPostCode          string `json:"postalPostCode,omitempty"`
	PostalCountry           string `json:"postalCountry,omitempty"`
	Phone                   string `json:"phone,omitempty"`
	Fax                     string `json:"fax,omitempty"`
	Website                 string `json:"website,omitempty"`
	ReferralSource          string `json:"referralSource,omitempty"`
	ExportCode              string `json:"exportCode,omitempty"`
	Industry                string `json:"industry,omitempty"`
	IsProspect              string `json:"isProspect,omitempty"`
	IsArchived              string `json:"isArchived,omitempty"`
	AccountManagerUUID      string `json:"accountManagerUuid,omitempty"`
	JobManagerUUID          string `json:"jobManagerUuid,omitempty"`
	BillingClientUUID       string `json:"billingClientUuid,omitempty"`
	TaxNumber               string `json:"taxNumber,omitempty"` // full value; masked on read
	CompanyNumber           string `json:"companyNumber,omitempty"`
	BusinessNumber          string `json:"businessNumber,omitempty"`
	BusinessStructure       string `json:"businessStructure,omitempty"`
	BalanceMonth            *int   `json:"balanceMonth,omitempty"`
	PrepareGst              string `json:"prepareGst,omitempty"`
	GstRegistered           string `json:"gstRegistered,omitempty"`
	GstPeriod               string `json:"gstPeriod,omitempty"`
	GstBasis                string `json:"gstBasis,omitempty"`
	ProvisionalTaxBasis     string `json:"provisionalTaxBasis,omitempty"`
	// ProvisionalTaxRatio is kept as the decimal text that was sent.
	ProvisionalTaxRatio      string           `json:"provisionalTaxRatio,omitempty"`
	SignedTaxAuthority       string           `json:"signedTaxAuthority,omitempty"`
	TaxAgent                 string           `json:"taxAgent,omitempty"`
	AgencyStatus             string           `json:"agencyStatus,omitempty"`
	ReturnType               string           `json:"returnType,omitempty"`
	PrepareActivityStatement string           `json:"prepareActivityStatement,omitempty"`
	PrepareTaxReturn         string           `json:"prepareTaxReturn,omitempty"`
	BranchNumber             string           `json:"branchNumber,omitempty"`
	BankBsb                  string           `json:"bankBsb,omitempty"`
	BankAccountName          string           `json:"bankAccountName,omitempty"`
	BankAccountNumber        string           `json:"bankAccountNumber,omitempty"`
	BankName                 string           `json:"bankName,omitempty"`
	ActiveAtoClient          string           `json:"activeAtoClient,omitempty"`
	ClientCode               string           `json:"clientCode,omitempty"`
	AutoBasOptInCriteria     *AutoBasCriteria `json:"autoBasOptInCriteria,omitempty"`
	Contacts                 []Contact        `json:"contacts,omitempty"`
	Notes                    []Note           `json:"notes,omitempty"`
	// Created and Modified are server-side times (UTC); Modified drives
	// client.api/list?modifiedSince.
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

// AutoBasCriteria mirrors AutoBasOptInCriteriaDto.
type AutoBasCriteria struct {
	Annually  string `json:"annually,omitempty"`
	Monthly   string `json:"monthly,omitempty"`
	Quarterly string `json:"quarterly,omitempty"`
	OptOut    string `json:"opt-out,omitempty"`
}

// Contact is a client contact (ClientContactDto).
type Contact struct {
	UUID       string `json:"uuid"`
	Name       string `json:"name"`
	Salutation string `json:"salutation,omitempty"`
	Addressee  string `json:"addressee,omitempty"`
	Mobile     string `json:"mobile,omitempty"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Position   string `json:"position,omitempty"`
	IsPrimary  string `json:"isPrimary,omitempty"`
}

// Note is a client note (ClientNoteDto).
type Note struct {
	Title     string `json:"title"`
	Text      string `json:"text,omitempty"`
	Folder    string `json:"folder,omitempty"`
	Date      string `json:"date,omitempty"`
	CreatedBy string `json:"createdBy,omitempty"`
	Tags      string `json:"tags,omitempty"`
}

// Group is an XPM client group. Members are client UUIDs.
type Group struct {
	UUID     string    `json:"uuid"`
	Name     string    `json:"name"`
	Taxable  string    `json:"taxable,omitempty"`
	Members  []string  `json:"members"`
	Modified time.Time `json:"modified"`
}

// Relationship links two clients. Type is read from ClientUUID's side: on
// ClientUUID the relationship shows Type with RelatedClientUUID; on
// RelatedClientUUID it shows the inverse type with ClientUUID.
type Relationship struct {
	UUID              string   `json:"uuid"`
	ClientUUID        string   `json:"clientUuid"`
	RelatedClientUUID string   `json:"relatedClientUuid"`
	Type              string   `json:"type"`
	NumberOfShares    *int64   `json:"numberOfShares,omitempty"`
	Percentage        *float64 `json:"percentage,omitempty"`
	StartDate         string   `json:"startDate,omitempty"`
	EndDate           string   `json:"endDate,omitempty"`
}

// Staff is a practice staff member (StaffDto).
type Staff struct {
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Mobile      string `json:"mobile,omitempty"`
	Address     string `json:"address,omitempty"`
	PayrollCode string `json:"payrollCode,omitempty"`
}

// PracticeData is the content of one XPM practice: what Save writes and
// Load reads, per tenant.
type PracticeData struct {
	Clients       []*Client       `json:"clients"`
	Groups        []*Group        `json:"groups"`
	Relationships []*Relationship `json:"relationships"`
	Staff         []*Staff        `json:"staff"`
	// BusinessStructures lists the labels this practice accepts: the
	// standard ones plus the practice's custom labels.
	BusinessStructures []string `json:"businessStructures"`
}

func (c *Client) clone() *Client {
	n := *c
	if c.BalanceMonth != nil {
		v := *c.BalanceMonth
		n.BalanceMonth = &v
	}
	if c.AutoBasOptInCriteria != nil {
		v := *c.AutoBasOptInCriteria
		n.AutoBasOptInCriteria = &v
	}
	n.Contacts = append([]Contact(nil), c.Contacts...)
	n.Notes = append([]Note(nil), c.Notes...)
	return &n
}

func (g *Group) clone() *Group {
	n := *g
	n.Members = append([]string(nil), g.Members...)
	return &n
}

func (r *Relationship) clone() *Relationship {
	n := *r
	if r.NumberOfShares != nil {
		v := *r.NumberOfShares
		n.NumberOfShares = &v
	}
	if r.Percentage != nil {
		v := *r.Percentage
		n.Percentage = &v
	}
	return &n
}
