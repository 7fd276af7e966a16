package xpm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// RelationshipsService handles relationships between clients
// (client.api/addrelationship, updaterelationship, deleterelationship).
// Relationships are read with the clients they belong to (detailed reads).
type RelationshipsService struct{ c *Client }

// Add creates a relationship. ClientUUID, RelatedClientUUID and Type are
// required. XPM's screens offer relationships only once a client has a
// business structure; expect XPM to refuse them otherwise.
//
// Like ClientsService.Add, it is never retried blindly: after an ambiguous
// failure it reads the client again and looks for a relationship of the
// same type to the same related client; found, it is the result; not
// found, the add is tried again.
func (s *RelationshipsService) Add(ctx context.Context, req *RelationshipAddRequest) (*RelationshipDetail, error) {
	const op = "client.api/addrelationship"
	if req == nil || Value(req.ClientUUID) == "" || Value(req.RelatedClientUUID) == "" || strings.TrimSpace(Value(req.Type)) == "" {
		return nil, fmt.Errorf("xpm %s: client, related client and type are required", op)
	}
	c := &call{name: op, method: http.MethodPost, path: "/client.api/addrelationship", id: Value(req.ClientUUID), body: req, kind: opCreate, resource: "client", scopes: scopesClientWrite}
	return create(ctx, s.c, c, func(br *bodyReader) (*RelationshipDetail, error) {
		return decodeRelationship(c, br)
	}, func(ctx context.Context) (*RelationshipDetail, error) {
		cd, err := s.c.Clients.Get(ctx, Value(req.ClientUUID))
		if err != nil {
			return nil, err
		}
		var matches []Relationship
		for _, r := range cd.Relationships {
			if Value(r.RelatedClient.UUID) == Value(req.RelatedClientUUID) && sameText(r.Type, req.Type) {
				matches = append(matches, r)
			}
		}
		switch len(matches) {
		case 0:
			return nil, nil
		case 1:
			r := matches[0]
			return &RelationshipDetail{
				UUID:             r.UUID,
				Client:           &NamedEntity{UUID: cd.UUID, Name: cd.Name},
				RelatedClient:    r.RelatedClient,
				RelationshipType: &RelationshipType{Name: r.Type},
				NumberOfShares:   r.NumberOfShares,
				Percentage:       r.Percentage,
				StartDate:        r.StartDate,
				EndDate:          r.EndDate,
			}, nil
		}
		ids := make([]string, len(matches))
		for i, m := range matches {
			ids[i] = Value(m.UUID)
		}
		return nil, &multipleMatches{ids}
	})
}

// Update changes a relationship's shares, percentage or dates (its type
// cannot change: delete it and add another). Retried like a read.
func (s *RelationshipsService) Update(ctx context.Context, req *RelationshipUpdateRequest) (*RelationshipDetail, error) {
	const op = "client.api/updaterelationship"
	if req == nil {
		return nil, fmt.Errorf("xpm %s: no request", op)
	}
	id := Value(req.UUID)
	if err := needID(op, "relationship", id); err != nil {
		return nil, err
	}
	c := &call{name: op, method: http.MethodPut, path: "/client.api/updaterelationship", id: id, body: req, kind: opWrite, resource: "relationship", scopes: scopesClientWrite}
	var out *RelationshipDetail
	err := s.c.do(ctx, c, func(br *bodyReader) (err error) {
		out, err = decodeRelationship(c, br)
		return err
	})
	return out, err
}

// Delete deletes a relationship. Retried like a read; a 404 on a retry
// means the first attempt deleted it, and is success.
func (s *RelationshipsService) Delete(ctx context.Context, uuid string) error {
	const op = "client.api/deleterelationship"
	if err := needID(op, "relationship", uuid); err != nil {
		return err
	}
	c := &call{name: op, method: http.MethodPost, path: "/client.api/deleterelationship", id: uuid, body: &uuidRequest{UUID: &uuid}, kind: opWrite, resource: "relationship", scopes: scopesClientWrite}
	err := s.c.do(ctx, c, func(br *bodyReader) error {
		var out relationshipResponse
		if err := decodeOne(br, &out); err != nil {
			return err
		}
		return checkStatus(c, out.Status)
	})
	var nf *NotFoundError
	if err != nil && c.attempts > 1 && errors.As(err, &nf) {
		return nil
	}
	return err
}

func decodeRelationship(c *call, br *bodyReader) (*RelationshipDetail, error) {
	var out relationshipResponse
	if err := decodeOne(br, &out); err != nil {
		return nil, err
	}
	if err := checkStatus(c, out.Status); err != nil {
		return nil, err
	}
	if out.ClientRelationship == nil || Value(out.ClientRelationship.UUID) == "" {
		return nil, malformed(c, "the answer holds no relationship uuid")
	}
	return out.ClientRelationship, nil
}
