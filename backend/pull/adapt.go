package pull

import (
	"encoding/json"
	"strings"

	"structura/backend/sync"
	"structura/backend/xpm"
)

// clientOf adapts an XPM client read (xpm wire types) to the sync code's
// snapshot type. Everything XPM sent is kept in Raw (groups and
// relationships aside: they are typed), so the base snapshot loses nothing.
func clientOf(cd *xpm.ClientDetail) *sync.Client {
	v := xpm.Value[string]
	c := &sync.Client{
		UUID:              strings.TrimSpace(cd.GetUUID()),
		Name:              v(cd.Name),
		FirstName:         v(cd.FirstName),
		MiddleName:        v(cd.MiddleName),
		LastName:          v(cd.LastName),
		DateOfBirth:       cd.DateOfBirth.String(),
		Email:             v(cd.Email),
		Phone:             v(cd.Phone),
		Address:           v(cd.Address),
		City:              v(cd.City),
		Region:            v(cd.Region),
		PostCode:          v(cd.PostCode),
		Country:           v(cd.Country),
		BusinessStructure: v(cd.BusinessStructure),
		BusinessNumber:    v(cd.BusinessNumber),
		CompanyNumber:     v(cd.CompanyNumber),
		TaxNumber:         v(cd.TaxNumber),
		Archived:          cd.IsArchived.True(),
		Prospect:          cd.IsProspect.True(),
	}
	if cd.Type != nil {
		c.ClientType = v(cd.Type.Name)
	}
	for _, n := range cd.Notes {
		note := sync.Note{Title: v(n.Title), Text: v(n.Text)}
		if d := strings.TrimSpace(v(n.Date)); d != "" {
			if pd, err := xpm.ParseDate(d); err == nil {
				note.Date = pd.String()
			} else {
				note.Date = d
			}
		}
		c.Notes = append(c.Notes, note)
	}
	for _, g := range cd.Groups {
		c.Groups = append(c.Groups, sync.Ref{UUID: strings.TrimSpace(v(g.UUID)), Name: v(g.Name)})
	}
	for _, r := range cd.Relationships {
		rel := sync.XPMRel{UUID: strings.TrimSpace(v(r.UUID)), Type: v(r.Type),
			StartDate: r.StartDate.String(), EndDate: r.EndDate.String(), Percentage: r.Percentage}
		if r.RelatedClient != nil {
			rel.Related = sync.Ref{UUID: strings.TrimSpace(v(r.RelatedClient.UUID)), Name: v(r.RelatedClient.Name)}
		}
		if r.NumberOfShares != nil {
			n := int64(*r.NumberOfShares)
			rel.NumberOfShares = &n
		}
		c.Relationships = append(c.Relationships, rel)
	}
	raw := *cd
	raw.Groups, raw.Relationships = nil, nil
	if b, err := json.Marshal(&raw); err == nil {
		c.Raw = b
	} else {
		c.Problems = append(c.Problems, "XPM's record could not be kept whole: "+err.Error())
	}
	return c
}
