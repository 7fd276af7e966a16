package xpm

import (
	"context"
	"fmt"
	"net/http"
)

// StaffService handles staff.api.
type StaffService struct{ c *Client }

// List returns the practice's staff.
func (s *StaffService) List(ctx context.Context) ([]Staff, error) {
	c := &call{name: "staff.api/list", method: http.MethodGet, path: "/staff.api/list", kind: opRead, resource: "staff", scopes: scopesStaffRead}
	var out staffListResponse
	err := s.c.do(ctx, c, func(br *bodyReader) error {
		if err := decodeOne(br, &out); err != nil {
			return err
		}
		if err := checkStatus(c, out.Status); err != nil {
			return err
		}
		for i, st := range out.StaffList {
			if Value(st.UUID) == "" {
				return malformed(c, fmt.Sprintf("staff member %d has no uuid", i))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out.StaffList, nil
}
