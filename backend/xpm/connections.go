package xpm

import (
	"context"
	"fmt"
	"net/http"
)

// ConnectionsService handles Xero identity's connections: the tenants the
// user granted to the app. These calls need no tenant id and are not paced.
type ConnectionsService struct{ c *Client }

// List returns the user's connections. Use Connection.IsPractice to find XPM
// practices.
func (s *ConnectionsService) List(ctx context.Context) ([]Connection, error) {
	c := &call{name: "connections/list", method: http.MethodGet, kind: opRead, resource: "connection", identity: true}
	var out []Connection
	err := s.c.do(ctx, c, func(br *bodyReader) error {
		if err := decodeOne(br, &out); err != nil {
			return err
		}
		for i, cn := range out {
			if cn.ID == "" || cn.TenantID == "" {
				return malformed(c, fmt.Sprintf("connection %d has no id or tenant id", i))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Delete removes one connection (disconnects one tenant). Retried like a
// read; a 404 on a retry means the first attempt removed it, and is success.
func (s *ConnectionsService) Delete(ctx context.Context, id string) error {
	if err := needID("connections/delete", "connection", id); err != nil {
		return err
	}
	c := &call{name: "connections/delete", method: http.MethodDelete, path: "/{id}", id: id, kind: opWrite, resource: "connection", identity: true}
	err := s.c.do(ctx, c, nil)
	if err != nil && c.attempts > 1 {
		if _, ok := err.(*NotFoundError); ok {
			return nil
		}
	}
	return err
}
