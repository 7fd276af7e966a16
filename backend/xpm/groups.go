package xpm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// GroupsService handles clientgroup.api.
type GroupsService struct{ c *Client }

// List returns every client group (without members).
func (s *GroupsService) List(ctx context.Context) ([]Group, error) {
	c := &call{name: "clientgroup.api/list", method: http.MethodGet, path: "/clientgroup.api/list", kind: opRead, resource: "group", scopes: scopesClientRead}
	var out groupListResponse
	err := s.c.do(ctx, c, func(br *bodyReader) error {
		if err := decodeOne(br, &out); err != nil {
			return err
		}
		if err := checkStatus(c, out.Status); err != nil {
			return err
		}
		for i, g := range out.Groups {
			if Value(g.UUID) == "" {
				return malformed(c, fmt.Sprintf("group %d has no uuid", i))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out.Groups, nil
}

// Get returns a group with its members.
func (s *GroupsService) Get(ctx context.Context, uuid string) (*GroupDetail, error) {
	if err := needID("clientgroup.api/get", "group", uuid); err != nil {
		return nil, err
	}
	c := &call{name: "clientgroup.api/get", method: http.MethodGet, path: "/clientgroup.api/get/{uuid}", id: uuid, kind: opRead, resource: "group", scopes: scopesClientRead}
	return s.groupCall(ctx, c)
}

func (s *GroupsService) groupCall(ctx context.Context, c *call) (*GroupDetail, error) {
	var out *GroupDetail
	err := s.c.do(ctx, c, func(br *bodyReader) (err error) {
		out, err = decodeGroup(c, br)
		return err
	})
	return out, err
}

func decodeGroup(c *call, br *bodyReader) (*GroupDetail, error) {
	var out groupResponse
	if err := decodeOne(br, &out); err != nil {
		return nil, err
	}
	if err := checkStatus(c, out.Status); err != nil {
		return nil, err
	}
	if out.Group == nil || Value(out.Group.UUID) == "" {
		return nil, malformed(c, "the answer holds no group uuid")
	}
	for i, m := range out.Group.Clients {
		if Value(m.UUID) == "" {
			return nil, malformed(c, fmt.Sprintf("member %d of the group has no uuid", i))
		}
	}
	return out.Group, nil
}

// Add creates a group with its first member (XPM needs one): ClientUUID and
// Name are required.
//
// Never retried blindly: after an ambiguous failure it lists the groups and
// looks for one with the same name that holds ClientUUID; found, it is the
// result; not found, the add is tried again.
func (s *GroupsService) Add(ctx context.Context, req *GroupAddRequest) (*GroupDetail, error) {
	const op = "clientgroup.api/add"
	if req == nil || Value(req.ClientUUID) == "" || strings.TrimSpace(Value(req.Name)) == "" {
		return nil, fmt.Errorf("xpm %s: first member and name are required", op)
	}
	c := &call{name: op, method: http.MethodPost, path: "/clientgroup.api/add", body: req, kind: opCreate, resource: "group", scopes: scopesClientWrite}
	return create(ctx, s.c, c, func(br *bodyReader) (*GroupDetail, error) {
		return decodeGroup(c, br)
	}, func(ctx context.Context) (*GroupDetail, error) {
		groups, err := s.List(ctx)
		if err != nil {
			return nil, err
		}
		var matches []*GroupDetail
		for _, g := range groups {
			if !sameText(g.Name, req.Name) {
				continue
			}
			gd, err := s.Get(ctx, Value(g.UUID))
			if err != nil {
				return nil, err
			}
			if gd.hasMember(Value(req.ClientUUID)) {
				matches = append(matches, gd)
			}
		}
		switch len(matches) {
		case 0:
			return nil, nil
		case 1:
			return matches[0], nil
		}
		ids := make([]string, len(matches))
		for i, m := range matches {
			ids[i] = Value(m.UUID)
		}
		return nil, &multipleMatches{ids}
	})
}

func (g *GroupDetail) hasMember(uuid string) bool {
	for _, m := range g.Clients {
		if Value(m.UUID) == uuid {
			return true
		}
	}
	return false
}

// AddMembers adds clients to a group.
func (s *GroupsService) AddMembers(ctx context.Context, group string, clients ...string) (*GroupDetail, error) {
	return s.Members(ctx, group, clients, nil)
}

// RemoveMembers removes clients from a group.
func (s *GroupsService) RemoveMembers(ctx context.Context, group string, clients ...string) (*GroupDetail, error) {
	return s.Members(ctx, group, nil, clients)
}

// Members adds and removes members of a group in one call
// (clientgroup.api/members).
//
// After an ambiguous failure it reads the group again and sends only what
// is still to do (members to add that are not in it, members to remove that
// still are), so a change that landed is never sent twice.
func (s *GroupsService) Members(ctx context.Context, group string, add, remove []string) (*GroupDetail, error) {
	const op = "clientgroup.api/members"
	if err := needID(op, "group", group); err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		if len(add) == 0 && len(remove) == 0 {
			return s.Get(ctx, group)
		}
		req := &groupMembersRequest{UUID: &group}
		for _, id := range add {
			req.Add = append(req.Add, groupMemberAction{UUID: Ptr(id)})
		}
		for _, id := range remove {
			req.Remove = append(req.Remove, groupMemberAction{UUID: Ptr(id)})
		}
		c := &call{name: op, method: http.MethodPut, path: "/clientgroup.api/members", id: group, body: req, kind: opCreate, resource: "group", scopes: scopesClientWrite}
		var out *GroupDetail
		err := s.c.do(ctx, c, func(br *bodyReader) (err error) {
			out, err = decodeGroup(c, br)
			return err
		})
		if err == nil {
			return out, nil
		}
		var amb *ambiguousError
		if !errors.As(err, &amb) {
			return nil, err
		}
		if attempt >= s.c.retry.MaxAttempts || ctx.Err() != nil {
			return nil, &UncertainWriteError{Op: op, Err: amb.err, CheckErr: ctx.Err()}
		}
		if err := s.c.sleep(ctx, s.c.backoff(attempt)); err != nil {
			return nil, &UncertainWriteError{Op: op, Err: amb.err, CheckErr: err}
		}
		gd, gerr := s.Get(ctx, group)
		if gerr != nil {
			return nil, &UncertainWriteError{Op: op, Err: amb.err, CheckErr: gerr}
		}
		var addLeft, removeLeft []string
		for _, id := range add {
			if !gd.hasMember(id) {
				addLeft = append(addLeft, id)
			}
		}
		for _, id := range remove {
			if gd.hasMember(id) {
				removeLeft = append(removeLeft, id)
			}
		}
		if len(addLeft) == 0 && len(removeLeft) == 0 {
			return gd, nil
		}
		add, remove = addLeft, removeLeft
	}
}

// Delete deletes a group (its clients stay). Retried like a read; a 404 on
// a retry means the first attempt deleted it, and is success.
func (s *GroupsService) Delete(ctx context.Context, uuid string) error {
	if err := needID("clientgroup.api/delete", "group", uuid); err != nil {
		return err
	}
	c := &call{name: "clientgroup.api/delete", method: http.MethodPost, path: "/clientgroup.api/delete", id: uuid, body: &uuidRequest{UUID: &uuid}, kind: opWrite, resource: "group", scopes: scopesClientWrite}
	return s.c.statusCall(ctx, c, true)
}
