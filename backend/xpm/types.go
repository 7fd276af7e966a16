package xpm

// Types in this file mirror the schemas of Xero's XPM v3.1 OpenAPI document
// (components/schemas). Each direction has its own type, because requests
// and responses disagree: requests spell webSite, responses website;
// balanceMonth is a string in requests and an integer in responses, and
// gstPeriod the other way round. TestTypesMatchSpec checks every field
// against the spec so drift is caught.
//
// Every field is nullable in the spec: strings and numbers are pointers (nil
// is null or absent, a pointer to "" is an empty string), slices are nil when
// null, and Bool, Time and Date have a "not given" zero value.
//
// Field names and the uuid of each record are checked after decoding (the
// spec marks nothing as required); see validate methods.

// NamedEntity is NamedEntityDto: a reference to another record.
type NamedEntity struct {
	UUID *string `json:"uuid,omitempty"`
	Name *string `json:"name,omitempty"`
}

// ClientType is ClientTypeDto.
type ClientType struct {
	Name        *string  `json:"name,omitempty"`
	CostMarkup  *float64 `json:"costMarkup,omitempty"`
	PaymentTerm *string  `json:"paymentTerm,omitempty"`
	PaymentDay  *int     `json:"paymentDay,omitempty"`
}

// AutoBASOptInCriteria is AutoBasOptInCriteriaDto.
type AutoBASOptInCriteria struct {
	Annually  *string `json:"annually,omitempty"`
	Monthly   *string `json:"monthly,omitempty"`
	Quarterly *string `json:"quarterly,omitempty"`
	OptOut    *string `json:"opt-out,omitempty"`
}

// ClientBase is ClientBaseDto: a client as the paged list returns it.
//
// TaxNumber is masked on read (XPM shows third-party apps only the last
// three digits of a TFN or IRD number): never treat it as the full value.
type ClientBase struct {
	UUID                     *string               `json:"uuid,omitempty"`
	Name                     *string               `json:"name,omitempty"`
	Title                    *string               `json:"title,omitempty"`
	Gender                   *string               `json:"gender,omitempty"`
	FirstName                *string               `json:"firstName,omitempty"`
	MiddleName               *string               `json:"middleName,omitempty"`
	LastName                 *string               `json:"lastName,omitempty"`
	OtherName                *string               `json:"otherName,omitempty"`
	Email                    *string               `json:"email,omitempty"`
	DateOfBirth              Date                  `json:"dateOfBirth,omitzero"`
	DateOfDeath              Date                  `json:"dateOfDeath,omitzero"`
	PlaceOfBirthCity         *string               `json:"placeOfBirthCity,omitempty"`
	PlaceOfBirthCountryCode  *string               `json:"placeOfBirthCountryCode,omitempty"`
	Address                  *string               `json:"address,omitempty"`
	City                     *string               `json:"city,omitempty"`
	Region                   *string               `json:"region,omitempty"`
	PostCode                 *string               `json:"postCode,omitempty"`
	Country                  *string               `json:"country,omitempty"`
	PostalAddress            *string               `json:"postalAddress,omitempty"`
	PostalCity               *string               `json:"postalCity,omitempty"`
	PostalRegion             *string               `json:"postalRegion,omitempty"`
	PostalPostCode           *string               `json:"postalPostCode,omitempty"`
	PostalCountry            *string               `json:"postalCountry,omitempty"`
	Phone                    *string               `json:"phone,omitempty"`
	Fax                      *string               `json:"fax,omitempty"`
	Website                  *string               `json:"website,omitempty"`
	ReferralSource           *string               `json:"referralSource,omitempty"`
	ExportCode               *string               `json:"exportCode,omitempty"`
	Industry                 *string               `json:"industry,omitempty"`
	IsProspect               Bool                  `json:"isProspect,omitzero"`
	IsArchived               Bool                  `json:"isArchived,omitzero"`
	IsDeleted                Bool                  `json:"isDeleted,omitzero"`
	AccountManager           *NamedEntity          `json:"accountManager,omitempty"`
	JobManager               *NamedEntity          `json:"jobManager,omitempty"`
	Type                     *ClientType           `json:"type,omitempty"`
	BillingClient            *NamedEntity          `json:"billingClient,omitempty"`
	TaxNumber                *string               `json:"taxNumber,omitempty"`
	CompanyNumber            *string               `json:"companyNumber,omitempty"`
	BusinessNumber           *string               `json:"businessNumber,omitempty"`
	BusinessStructure        *string               `json:"businessStructure,omitempty"`
	BalanceMonth             *int                  `json:"balanceMonth,omitempty"`
	PrepareGST               Bool                  `json:"prepareGst,omitzero"`
	GSTRegistered            Bool                  `json:"gstRegistered,omitzero"`
	GSTPeriod                *string               `json:"gstPeriod,omitempty"`
	GSTBasis                 *string               `json:"gstBasis,omitempty"`
	ProvisionalTaxBasis      *string               `json:"provisionalTaxBasis,omitempty"`
	ProvisionalTaxRatio      *float64              `json:"provisionalTaxRatio,omitempty"`
	SignedTaxAuthority       Bool                  `json:"signedTaxAuthority,omitzero"`
	TaxAgent                 *string               `json:"taxAgent,omitempty"`
	AgencyStatus             *string               `json:"agencyStatus,omitempty"`
	ReturnType               *string               `json:"returnType,omitempty"`
	PrepareActivityStatement Bool                  `json:"prepareActivityStatement,omitzero"`
	PrepareTaxReturn         Bool                  `json:"prepareTaxReturn,omitzero"`
	BranchNumber             *string               `json:"branchNumber,omitempty"`
	BankBSB                  *string               `json:"bankBsb,omitempty"`
	BankAccountName          *string               `json:"bankAccountName,omitempty"`
	BankAccountNumber        *string               `json:"bankAccountNumber,omitempty"`
	BankName                 *string               `json:"bankName,omitempty"`
	ActiveATOClient          *string               `json:"activeAtoClient,omitempty"`
	ClientCode               *string               `json:"clientCode,omitempty"`
	AutoBASOptInCriteria     *AutoBASOptInCriteria `json:"autoBasOptInCriteria,omitempty"`
	WebURL                   *string               `json:"webUrl,omitempty"`
}

// GetUUID returns the client's uuid or "".
func (c *ClientBase) GetUUID() string { return Value(c.UUID) }

// GetName returns the client's name or "".
func (c *ClientBase) GetName() string { return Value(c.Name) }

// ClientDetail is ClientDetailedDto (ClientDto plus notes, groups and
// relationships): what get, list, search, add, update and archive return.
// Notes, Groups and Relationships are filled only by detailed reads.
type ClientDetail struct {
	ClientBase
	Contacts      []Contact      `json:"contacts,omitempty"`
	Notes         []Note         `json:"notes,omitempty"`
	Groups        []NamedEntity  `json:"groups,omitempty"`
	Relationships []Relationship `json:"relationships,omitempty"`
}

// Contact is ClientContactDto.
type Contact struct {
	UUID       *string `json:"uuid,omitempty"`
	Name       *string `json:"name,omitempty"`
	Salutation *string `json:"salutation,omitempty"`
	Addressee  *string `json:"addressee,omitempty"`
	Mobile     *string `json:"mobile,omitempty"`
	Email      *string `json:"email,omitempty"`
	Phone      *string `json:"phone,omitempty"`
	IsDeleted  Bool    `json:"isDeleted,omitzero"`
	IsPrimary  Bool    `json:"isPrimary,omitzero"`
	Position   *string `json:"position,omitempty"`
}

// Note is ClientNoteDto. Its date is kept as text: Structura does not use it
// and its form is not documented.
type Note struct {
	Title     *string `json:"title,omitempty"`
	Text      *string `json:"text,omitempty"`
	Folder    *string `json:"folder,omitempty"`
	Date      *string `json:"date,omitempty"`
	CreatedBy *string `json:"createdBy,omitempty"`
	Tags      *string `json:"tags,omitempty"`
}

// Relationship is ClientRelationshipDto: one relationship as it appears on a
// client in a detailed read (each relationship appears on both clients).
type Relationship struct {
	UUID           *string      `json:"uuid,omitempty"`
	Type           *string      `json:"type,omitempty"`
	RelatedClient  *NamedEntity `json:"relatedClient,omitempty"`
	NumberOfShares *int         `json:"numberOfShares,omitempty"`
	Percentage     *float64     `json:"percentage,omitempty"`
	StartDate      Date         `json:"startDate,omitzero"`
	EndDate        Date         `json:"endDate,omitzero"`
}

// RelationshipType is ClientRelationshipTypeDto.
type RelationshipType struct {
	Name *string `json:"name,omitempty"`
}

// RelationshipDetail is ClientRelationshipDetailDto: what the relationship
// operations return.
type RelationshipDetail struct {
	UUID             *string           `json:"uuid,omitempty"`
	Client           *NamedEntity      `json:"client,omitempty"`
	RelatedClient    *NamedEntity      `json:"relatedClient,omitempty"`
	RelationshipType *RelationshipType `json:"relationshipType,omitempty"`
	NumberOfShares   *int              `json:"numberOfShares,omitempty"`
	Percentage       *float64          `json:"percentage,omitempty"`
	StartDate        Date              `json:"startDate,omitzero"`
	EndDate          Date              `json:"endDate,omitzero"`
}

// Group is ClientGroupDto, as the group list returns it.
type Group struct {
	UUID    *string `json:"uuid,omitempty"`
	Name    *string `json:"name,omitempty"`
	WebURL  *string `json:"webUrl,omitempty"`
	Taxable Bool    `json:"taxable,omitzero"`
}

// GroupDetail is ClientGroupDetailDto: a group with its members.
type GroupDetail struct {
	Group
	Clients []NamedEntity `json:"clients,omitempty"`
}

// Staff is StaffDto.
type Staff struct {
	UUID        *string `json:"uuid,omitempty"`
	Name        *string `json:"name,omitempty"`
	Email       *string `json:"email,omitempty"`
	Phone       *string `json:"phone,omitempty"`
	Mobile      *string `json:"mobile,omitempty"`
	Address     *string `json:"address,omitempty"`
	PayrollCode *string `json:"payrollCode,omitempty"`
	WebURL      *string `json:"webUrl,omitempty"`
}

// Connection is the identity service's Connection: one tenant the user
// granted to the app. TenantType is PRACTICE for an XPM practice (see
// IsPractice).
type Connection struct {
	ID             string `json:"id"`
	TenantID       string `json:"tenantId"`
	AuthEventID    string `json:"authEventId,omitempty"`
	TenantType     string `json:"tenantType"`
	TenantName     string `json:"tenantName"`
	CreatedDateUTC Time   `json:"createdDateUtc,omitzero"`
	UpdatedDateUTC Time   `json:"updatedDateUtc,omitzero"`
}

// IsPractice reports whether the connection is an XPM practice. Xero is
// expected to say PRACTICE; PRACTICEMANAGER is accepted too (unverified).
func (c Connection) IsPractice() bool {
	switch c.TenantType {
	case "PRACTICE", "PRACTICEMANAGER":
		return true
	}
	return false
}

// ---- Requests ----

// ClientAddRequest is ClientAddRequestDto. Name is required by XPM.
type ClientAddRequest struct {
	Name                     *string               `json:"name,omitempty"`
	FirstName                *string               `json:"firstName,omitempty"`
	LastName                 *string               `json:"lastName,omitempty"`
	OtherName                *string               `json:"otherName,omitempty"`
	MiddleName               *string               `json:"middleName,omitempty"`
	Title                    *string               `json:"title,omitempty"`
	Gender                   *string               `json:"gender,omitempty"`
	Email                    *string               `json:"email,omitempty"`
	DateOfBirth              Date                  `json:"dateOfBirth,omitzero"`
	DateOfDeath              Date                  `json:"dateOfDeath,omitzero"`
	PlaceOfBirthCity         *string               `json:"placeOfBirthCity,omitempty"`
	PlaceOfBirthCountryCode  *string               `json:"placeOfBirthCountryCode,omitempty"`
	Address                  *string               `json:"address,omitempty"`
	City                     *string               `json:"city,omitempty"`
	Region                   *string               `json:"region,omitempty"`
	PostCode                 *string               `json:"postCode,omitempty"`
	Country                  *string               `json:"country,omitempty"`
	PostalAddress            *string               `json:"postalAddress,omitempty"`
	PostalCity               *string               `json:"postalCity,omitempty"`
	PostalRegion             *string               `json:"postalRegion,omitempty"`
	PostalPostCode           *string               `json:"postalPostCode,omitempty"`
	PostalCountry            *string               `json:"postalCountry,omitempty"`
	Phone                    *string               `json:"phone,omitempty"`
	Fax                      *string               `json:"fax,omitempty"`
	WebSite                  *string               `json:"webSite,omitempty"`
	ReferralSource           *string               `json:"referralSource,omitempty"`
	ExportCode               *string               `json:"exportCode,omitempty"`
	IsProspect               Bool                  `json:"isProspect,omitzero"`
	BillingClientUUID        *string               `json:"billingClientUuid,omitempty"`
	AccountManagerUUID       *string               `json:"accountManagerUuid,omitempty"`
	JobManagerUUID           *string               `json:"jobManagerUuid,omitempty"`
	TaxNumber                *string               `json:"taxNumber,omitempty"`
	CompanyNumber            *string               `json:"companyNumber,omitempty"`
	BusinessNumber           *string               `json:"businessNumber,omitempty"`
	BranchNumber             *string               `json:"branchNumber,omitempty"`
	BusinessStructure        *string               `json:"businessStructure,omitempty"`
	BalanceMonth             *string               `json:"balanceMonth,omitempty"`
	GSTRegistered            Bool                  `json:"gstRegistered,omitzero"`
	PrepareGST               Bool                  `json:"prepareGst,omitzero"`
	GSTPeriod                *int                  `json:"gstPeriod,omitempty"`
	GSTBasis                 *string               `json:"gstBasis,omitempty"`
	ProvisionalTaxBasis      *string               `json:"provisionalTaxBasis,omitempty"`
	ProvisionalTaxRatio      *float64              `json:"provisionalTaxRatio,omitempty"`
	SignedTaxAuthority       Bool                  `json:"signedTaxAuthority,omitzero"`
	TaxAgent                 *string               `json:"taxAgent,omitempty"`
	AgencyStatus             *string               `json:"agencyStatus,omitempty"`
	PrepareActivityStatement Bool                  `json:"prepareActivityStatement,omitzero"`
	PrepareTaxReturn         Bool                  `json:"prepareTaxReturn,omitzero"`
	AutoBASOptInCriteria     *AutoBASOptInCriteria `json:"autoBasOptInCriteria,omitempty"`
	ReturnType               *string               `json:"returnType,omitempty"`
	ActiveATOClient          *string               `json:"activeAtoClient,omitempty"`
	ClientCode               *string               `json:"clientCode,omitempty"`
	Contacts                 []ContactInsert       `json:"contacts,omitempty"`
}

// ContactInsert is ContactInsertItemDto: a contact created with a client.
type ContactInsert struct {
	Name       *string `json:"name,omitempty"`
	Phone      *string `json:"phone,omitempty"`
	Mobile     *string `json:"mobile,omitempty"`
	Email      *string `json:"email,omitempty"`
	Position   *string `json:"position,omitempty"`
	Salutation *string `json:"salutation,omitempty"`
	Addressee  *string `json:"addressee,omitempty"`
	IsPrimary  Bool    `json:"isPrimary,omitzero"`
}

// ClientUpdateRequest is ClientUpdateRequestDto. UUID names the client;
// fields left nil are not sent (and so, on the most conservative reading of
// XPM, left as they are); a pointer to "" clears a text field.
type ClientUpdateRequest struct {
	UUID                     *string               `json:"uuid,omitempty"`
	Name                     *string               `json:"name,omitempty"`
	FirstName                *string               `json:"firstName,omitempty"`
	LastName                 *string               `json:"lastName,omitempty"`
	OtherName                *string               `json:"otherName,omitempty"`
	MiddleName               *string               `json:"middleName,omitempty"`
	Title                    *string               `json:"title,omitempty"`
	Gender                   *string               `json:"gender,omitempty"`
	Email                    *string               `json:"email,omitempty"`
	DateOfBirth              Date                  `json:"dateOfBirth,omitzero"`
	DateOfDeath              Date                  `json:"dateOfDeath,omitzero"`
	PlaceOfBirthCity         *string               `json:"placeOfBirthCity,omitempty"`
	PlaceOfBirthCountryCode  *string               `json:"placeOfBirthCountryCode,omitempty"`
	Address                  *string               `json:"address,omitempty"`
	City                     *string               `json:"city,omitempty"`
	Region                   *string               `json:"region,omitempty"`
	PostCode                 *string               `json:"postCode,omitempty"`
	Country                  *string               `json:"country,omitempty"`
	PostalAddress            *string               `json:"postalAddress,omitempty"`
	PostalCity               *string               `json:"postalCity,omitempty"`
	PostalRegion             *string               `json:"postalRegion,omitempty"`
	PostalPostCode           *string               `json:"postalPostCode,omitempty"`
	PostalCountry            *string               `json:"postalCountry,omitempty"`
	Phone                    *string               `json:"phone,omitempty"`
	Fax                      *string               `json:"fax,omitempty"`
	WebSite                  *string               `json:"webSite,omitempty"`
	ReferralSource           *string               `json:"referralSource,omitempty"`
	ExportCode               *string               `json:"exportCode,omitempty"`
	IsProspect               Bool                  `json:"isProspect,omitzero"`
	BillingClientUUID        *string               `json:"billingClientUuid,omitempty"`
	AccountManagerUUID       *string               `json:"accountManagerUuid,omitempty"`
	JobManagerUUID           *string               `json:"jobManagerUuid,omitempty"`
	TaxNumber                *string               `json:"taxNumber,omitempty"`
	CompanyNumber            *string               `json:"companyNumber,omitempty"`
	BusinessNumber           *string               `json:"businessNumber,omitempty"`
	BranchNumber             *string               `json:"branchNumber,omitempty"`
	BusinessStructure        *string               `json:"businessStructure,omitempty"`
	BalanceMonth             *string               `json:"balanceMonth,omitempty"`
	GSTRegistered            Bool                  `json:"gstRegistered,omitzero"`
	PrepareGST               Bool                  `json:"prepareGst,omitzero"`
	GSTPeriod                *int                  `json:"gstPeriod,omitempty"`
	GSTBasis                 *string               `json:"gstBasis,omitempty"`
	ProvisionalTaxBasis      *string               `json:"provisionalTaxBasis,omitempty"`
	ProvisionalTaxRatio      *float64              `json:"provisionalTaxRatio,omitempty"`
	SignedTaxAuthority       Bool                  `json:"signedTaxAuthority,omitzero"`
	TaxAgent                 *string               `json:"taxAgent,omitempty"`
	AgencyStatus             *string               `json:"agencyStatus,omitempty"`
	PrepareActivityStatement Bool                  `json:"prepareActivityStatement,omitzero"`
	PrepareTaxReturn         Bool                  `json:"prepareTaxReturn,omitzero"`
	AutoBASOptInCriteria     *AutoBASOptInCriteria `json:"autoBasOptInCriteria,omitempty"`
	ReturnType               *string               `json:"returnType,omitempty"`
	ActiveATOClient          *string               `json:"activeAtoClient,omitempty"`
	ClientCode               *string               `json:"clientCode,omitempty"`
}

// RelationshipAddRequest is ClientRelationshipAddRequestDto.
type RelationshipAddRequest struct {
	ClientUUID        *string  `json:"clientUuid,omitempty"`
	RelatedClientUUID *string  `json:"relatedClientUuid,omitempty"`
	Type              *string  `json:"type,omitempty"`
	NumberOfShares    *int     `json:"numberOfShares,omitempty"`
	Percentage        *float64 `json:"percentage,omitempty"`
	StartDate         Date     `json:"startDate,omitzero"`
	EndDate           Date     `json:"endDate,omitzero"`
}

// RelationshipUpdateRequest is ClientRelationshipUpdateRequestDto. The type
// of a relationship cannot change: delete it and add a new one.
type RelationshipUpdateRequest struct {
	UUID           *string  `json:"uuid,omitempty"`
	NumberOfShares *int     `json:"numberOfShares,omitempty"`
	Percentage     *float64 `json:"percentage,omitempty"`
	StartDate      Date     `json:"startDate,omitzero"`
	EndDate        Date     `json:"endDate,omitzero"`
}

// GroupAddRequest is ClientGroupAddRequestDto. XPM creates a group with a
// first member: ClientUUID is required, as is Name.
type GroupAddRequest struct {
	ClientUUID *string `json:"clientUuid,omitempty"`
	Name       *string `json:"name,omitempty"`
	Taxable    Bool    `json:"taxable,omitzero"`
}

// uuidRequest is ClientArchiveRequestDto, ClientDeleteRequestDto,
// ClientRelationshipDeleteRequestDto and ClientGroupDeleteRequestDto (all
// {uuid}).
type uuidRequest struct {
	UUID *string `json:"uuid,omitempty"`
}

// groupMemberAction is ClientGroupMemberActionDto.
type groupMemberAction struct {
	UUID *string `json:"uuid,omitempty"`
}

// groupMembersRequest is ClientGroupMembersRequestDto.
type groupMembersRequest struct {
	UUID   *string             `json:"uuid,omitempty"`
	Add    []groupMemberAction `json:"add,omitempty"`
	Remove []groupMemberAction `json:"remove,omitempty"`
}

// ---- Response envelopes ----

// responseBase is ResponseBaseDto.
type responseBase struct {
	Status *string `json:"status,omitempty"`
}

// responseError is ResponseErrorDto.
type responseError struct {
	Status           *string `json:"status,omitempty"`
	ErrorDescription *string `json:"errorDescription,omitempty"`
}

// clientResponse is ClientResponseDto.
type clientResponse struct {
	Status *string       `json:"status,omitempty"`
	Client *ClientDetail `json:"client,omitempty"`
}

// clientListResponse is ClientListResponseDto (for small reads; the list
// operation itself is streamed).
type clientListResponse struct {
	Status  *string        `json:"status,omitempty"`
	Clients []ClientDetail `json:"clients,omitempty"`
}

// paginationLinks is PaginationLinksDto.
type paginationLinks struct {
	First *string `json:"first,omitempty"`
	Next  *string `json:"next,omitempty"`
}

// pagination is PaginationDto.
type pagination struct {
	Links *paginationLinks `json:"links,omitempty"`
}

// clientPagedListResponse is ClientPagedListResponseDto.
type clientPagedListResponse struct {
	Status     *string      `json:"status,omitempty"`
	Clients    []ClientBase `json:"clients,omitempty"`
	Pagination *pagination  `json:"pagination,omitempty"`
}

// relationshipResponse is ClientRelationshipResponseDto.
type relationshipResponse struct {
	Status             *string             `json:"status,omitempty"`
	ClientRelationship *RelationshipDetail `json:"clientRelationship,omitempty"`
}

// groupListResponse is ClientGroupListResponseDto.
type groupListResponse struct {
	Status *string `json:"status,omitempty"`
	Groups []Group `json:"groups,omitempty"`
}

// groupResponse is ClientGroupResponseDto.
type groupResponse struct {
	Status *string      `json:"status,omitempty"`
	Group  *GroupDetail `json:"group,omitempty"`
}

// staffListResponse is StaffListResponseDto.
type staffListResponse struct {
	Status    *string `json:"status,omitempty"`
	StaffList []Staff `json:"staffList,omitempty"`
}
