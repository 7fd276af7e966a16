package xpm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// ClientsService handles client.api: clients (relationships are on
// RelationshipsService).
type ClientsService struct{ c *Client }

// ListOptions selects clients for List.
type ListOptions struct {
	// Detailed asks for notes, groups and relationships with each client
	// (detailed=true): the cheapest way to read a whole practice.
	Detailed bool
	// ModifiedSince, when not zero, returns only clients modified since then
	// (sent as yyyy-MM-ddTHH:mm:ss UTC).
	ModifiedSince time.Time
	// Progress, when set, is called as the answer streams in (about every
	// 256 KiB and at the end).
	Progress func(ListProgress)
}

// ListProgress reports a streamed list.
type ListProgress struct {
	// Clients delivered so far.
	Clients int
	// Bytes of the current answer read so far, and its total size (-1 when
	// XPM does not say).
	Bytes, TotalBytes int64
	// Restarts counts answers that were cut short and asked for again;
	// clients already delivered are not delivered twice.
	Restarts int
	// Done is set on the last report.
	Done bool
}

// List streams the practice's clients (client.api/list) to fn, one at a
// time, decoding the answer token by token so that memory stays bounded
// whatever the practice's size. If fn returns an error, List stops and
// returns it unchanged.
//
// A read cut short by the network is asked for again (paced, with backoff);
// clients already delivered are recognised by uuid and skipped, so fn sees
// each client once. A record without a uuid, a malformed or oversized answer
// is a *MalformedResponseError: fn may then have seen part of the list, and
// the caller must discard it.
func (s *ClientsService) List(ctx context.Context, opts *ListOptions, fn func(*ClientDetail) error) error {
	if opts == nil {
		opts = &ListOptions{}
	}
	q := url.Values{}
	if opts.Detailed {
		q.Set("detailed", "true")
	}
	if !opts.ModifiedSince.IsZero() {
		q.Set("modifiedSince", opts.ModifiedSince.UTC().Format(TimeLayout))
	}
	c := &call{name: "client.api/list", method: http.MethodGet, path: "/client.api/list", query: q, kind: opRead, resource: "client", scopes: scopesClientRead}
	delivered := map[string]struct{}{}
	restarts := -1
	last := ListProgress{}
	err := s.c.do(ctx, c, func(br *bodyReader) error {
		restarts++
		return decodeClientStream(c, br, func(cd *ClientDetail) error {
			id := cd.GetUUID()
			if _, seen := delivered[id]; seen {
				return nil
			}
			delivered[id] = struct{}{}
			if err := fn(cd); err != nil {
				return &callbackError{err}
			}
			return nil
		}, func(done bool) {
			if opts.Progress == nil {
				return
			}
			p := ListProgress{Clients: len(delivered), Bytes: br.n, TotalBytes: br.total, Restarts: restarts, Done: done}
			if done || p.Bytes-last.Bytes >= 256<<10 {
				last = p
				opts.Progress(p)
			}
		})
	})
	return err
}

// All is List as an iterator. It yields the clients one at a time, then a
// final nil client with the error if the list failed.
//
//	for cl, err := range c.Clients.All(ctx, &xpm.ListOptions{Detailed: true}) {
//		if err != nil { … }
//	}
func (s *ClientsService) All(ctx context.Context, opts *ListOptions) iter.Seq2[*ClientDetail, error] {
	return func(yield func(*ClientDetail, error) bool) {
		errStop := errors.New("stop")
		err := s.List(ctx, opts, func(cd *ClientDetail) error {
			if !yield(cd, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			yield(nil, err)
		}
	}
}

// decodeClientStream reads a ClientListResponseDto token by token and hands
// each client to fn.
func decodeClientStream(c *call, br *bodyReader, fn func(*ClientDetail) error, progress func(done bool)) error {
	dec := json.NewDecoder(br)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	n := 0
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return err
		}
		switch key {
		case "status":
			var st *string
			if err := dec.Decode(&st); err != nil {
				return err
			}
			if err := checkStatus(c, st); err != nil {
				return err
			}
		case "clients":
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			if tok == nil {
				continue // null: no clients
			}
			if d, ok := tok.(json.Delim); !ok || d != '[' {
				return fmt.Errorf("clients is %v, want an array", tokenKind(tok))
			}
			for dec.More() {
				var cd ClientDetail
				if err := dec.Decode(&cd); err != nil {
					return err
				}
				if err := cd.validate(c, n); err != nil {
					return err
				}
				n++
				if err := fn(&cd); err != nil {
					return err
				}
				progress(false)
			}
			if err := expectDelim(dec, ']'); err != nil {
				return err
			}
		default:
			if err := skipValue(dec); err != nil {
				return err
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	if _, err := dec.Token(); err == nil {
		return errors.New("data after the JSON value")
	} else if err != io.EOF {
		return err
	}
	progress(true)
	return nil
}

// PageOptions selects a page of PagedList.
type PageOptions struct {
	// PageSize is the number of clients per page (XPM's default is 50).
	PageSize int
	// PageToken is the token of the page to read ("" for the first).
	PageToken string
}

// ClientPage is one page of the paged client list.
type ClientPage struct {
	Clients []ClientBase
	// NextPageToken is "" on the last page.
	NextPageToken string
}

// PagedList reads one page of non-archived, non-deleted clients
// (client.api/paged-list). The base DTO has no groups or relationships.
func (s *ClientsService) PagedList(ctx context.Context, opts *PageOptions) (*ClientPage, error) {
	if opts == nil {
		opts = &PageOptions{}
	}
	q := url.Values{}
	if opts.PageSize > 0 {
		q.Set("pageSize", strconv.Itoa(opts.PageSize))
	}
	if opts.PageToken != "" {
		q.Set("pageToken", opts.PageToken)
	}
	c := &call{name: "client.api/paged-list", method: http.MethodGet, path: "/client.api/paged-list", query: q, kind: opRead, resource: "client", scopes: scopesClientRead}
	var out clientPagedListResponse
	if err := s.c.do(ctx, c, func(br *bodyReader) error {
		if err := decodeOne(br, &out); err != nil {
			return err
		}
		if err := checkStatus(c, out.Status); err != nil {
			return err
		}
		for i := range out.Clients {
			if out.Clients[i].GetUUID() == "" {
				return malformed(c, fmt.Sprintf("client %d of the page has no uuid", i))
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	page := &ClientPage{Clients: out.Clients}
	if out.Pagination != nil && out.Pagination.Links != nil {
		page.NextPageToken = pageToken(Value(out.Pagination.Links.Next))
	}
	if page.NextPageToken != "" && page.NextPageToken == opts.PageToken {
		return nil, malformed(c, "the next page is the page just read")
	}
	return page, nil
}

// pageToken extracts the pageToken from a next link. XPM may give a URL
// (absolute or relative) or the bare token.
func pageToken(next string) string {
	next = strings.TrimSpace(next)
	if next == "" {
		return ""
	}
	if u, err := url.Parse(next); err == nil {
		if t := u.Query().Get("pageToken"); t != "" {
			return t
		}
		if u.RawQuery != "" || strings.Contains(next, "/") {
			return "" // a link without a token: no next page
		}
	}
	return next
}

// PagedAll iterates over every page of PagedList.
func (s *ClientsService) PagedAll(ctx context.Context, pageSize int) iter.Seq2[*ClientBase, error] {
	return func(yield func(*ClientBase, error) bool) {
		opts := &PageOptions{PageSize: pageSize}
		for {
			page, err := s.PagedList(ctx, opts)
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range page.Clients {
				if !yield(&page.Clients[i], nil) {
					return
				}
			}
			if page.NextPageToken == "" {
				return
			}
			opts.PageToken = page.NextPageToken
		}
	}
}

// SearchOptions refines Search.
type SearchOptions struct {
	// Detailed asks for notes, groups and relationships.
	Detailed bool
}

// Search returns the clients matching query (client.api/search).
func (s *ClientsService) Search(ctx context.Context, query string, opts *SearchOptions) ([]ClientDetail, error) {
	q := url.Values{"query": {query}}
	if opts != nil && opts.Detailed {
		q.Set("detailed", "true")
	}
	c := &call{name: "client.api/search", method: http.MethodGet, path: "/client.api/search", query: q, kind: opRead, resource: "client", scopes: scopesClientRead}
	var out clientListResponse
	if err := s.c.do(ctx, c, func(br *bodyReader) error {
		if err := decodeOne(br, &out); err != nil {
			return err
		}
		if err := checkStatus(c, out.Status); err != nil {
			return err
		}
		for i := range out.Clients {
			if err := out.Clients[i].validate(c, i); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return out.Clients, nil
}

// Get reads one client with its contacts, notes, groups and relationships
// (client.api/get/{uuid}).
func (s *ClientsService) Get(ctx context.Context, uuid string) (*ClientDetail, error) {
	if err := needID("client.api/get", "client", uuid); err != nil {
		return nil, err
	}
	c := &call{name: "client.api/get", method: http.MethodGet, path: "/client.api/get/{uuid}", id: uuid, kind: opRead, resource: "client", scopes: scopesClientRead}
	return s.c.clientCall(ctx, c)
}

// clientCall runs c and decodes a ClientResponseDto with a client in it.
func (cl *Client) clientCall(ctx context.Context, c *call) (*ClientDetail, error) {
	var out clientResponse
	err := cl.do(ctx, c, func(br *bodyReader) error { return decodeClient(c, br, &out) })
	if err != nil {
		return nil, err
	}
	return out.Client, nil
}

func decodeClient(c *call, br *bodyReader, out *clientResponse) error {
	if err := decodeOne(br, out); err != nil {
		return err
	}
	if err := checkStatus(c, out.Status); err != nil {
		return err
	}
	if out.Client == nil {
		return malformed(c, "the answer holds no client")
	}
	return out.Client.validate(c, 0)
}

// Add creates a client (client.api/add). Name is required.
//
// Add never creates a client twice. It is not retried blindly: after an
// ambiguous failure (connection lost after sending, 5xx, unreadable 2xx) it
// searches XPM by name for a client matching the request's identifying
// fields (name, and first name, last name, email, client code, company and
// business numbers, date of birth when set). If one is found, the write had
// landed and that client is returned; if none, the create is tried again;
// if several, or the check itself fails, an *UncertainWriteError is
// returned and nothing more is written.
//
// Callers must check for an existing client with the same identifying
// fields before Add (the sync layer's duplicate detection does): if one
// exists and the create fails ambiguously, Add returns it rather than
// creating a second.
func (s *ClientsService) Add(ctx context.Context, req *ClientAddRequest) (*ClientDetail, error) {
	if req == nil || strings.TrimSpace(Value(req.Name)) == "" {
		return nil, errors.New("xpm client.api/add: the client's name is required")
	}
	c := &call{name: "client.api/add", method: http.MethodPost, path: "/client.api/add", body: req, kind: opCreate, resource: "client", scopes: scopesClientWrite}
	return create(ctx, s.c, c, func(br *bodyReader) (*ClientDetail, error) {
		var out clientResponse
		if err := decodeClient(c, br, &out); err != nil {
			return nil, err
		}
		return out.Client, nil
	}, func(ctx context.Context) (*ClientDetail, error) {
		found, err := s.Search(ctx, strings.TrimSpace(Value(req.Name)), nil)
		if err != nil {
			return nil, err
		}
		var matches []*ClientDetail
		for i := range found {
			if !found[i].IsDeleted.True() && req.matches(&found[i]) {
				matches = append(matches, &found[i])
			}
		}
		switch len(matches) {
		case 0:
			return nil, nil
		case 1:
			// The search answer may be the short form: read it in full.
			return s.Get(ctx, matches[0].GetUUID())
		}
		ids := make([]string, len(matches))
		for i, m := range matches {
			ids[i] = m.GetUUID()
		}
		return nil, &multipleMatches{ids}
	})
}

// matches reports whether cd has the identifying fields req sets.
func (req *ClientAddRequest) matches(cd *ClientDetail) bool {
	if !sameText(req.Name, cd.Name) {
		return false
	}
	pairs := [][2]*string{
		{req.FirstName, cd.FirstName}, {req.LastName, cd.LastName}, {req.Email, cd.Email},
		{req.ClientCode, cd.ClientCode}, {req.CompanyNumber, cd.CompanyNumber}, {req.BusinessNumber, cd.BusinessNumber},
	}
	for _, p := range pairs {
		if strings.TrimSpace(Value(p[0])) != "" && !sameText(p[0], p[1]) {
			return false
		}
	}
	if !req.DateOfBirth.IsZero() && req.DateOfBirth != cd.DateOfBirth {
		return false
	}
	return true
}

func sameText(a, b *string) bool {
	return strings.EqualFold(strings.TrimSpace(Value(a)), strings.TrimSpace(Value(b)))
}

// UpdateOptions refines Update.
type UpdateOptions struct {
	// Expected is the client as the caller last read it. When set, Update
	// first reads the client again and, if any field the request sets has
	// changed in XPM since, returns a *ConflictError naming those fields and
	// writes nothing. (The spec gives updates no version field; this check
	// narrows the window for lost updates to the time between the read and
	// the write.)
	Expected *ClientDetail
}

// Update changes a client (client.api/update). Only the fields set in req
// are sent. A 409 from XPM, or a change found by the Expected check, is a
// *ConflictError. Updates are idempotent and are retried like reads.
func (s *ClientsService) Update(ctx context.Context, req *ClientUpdateRequest, opts *UpdateOptions) (*ClientDetail, error) {
	if req == nil {
		return nil, errors.New("xpm client.api/update: no request")
	}
	id := Value(req.UUID)
	if err := needID("client.api/update", "client", id); err != nil {
		return nil, err
	}
	if opts != nil && opts.Expected != nil {
		current, err := s.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if fields := changedFields(req, opts.Expected, current); len(fields) > 0 {
			return nil, &ConflictError{ErrorInfo: ErrorInfo{Op: "client.api/update"}, ID: id, Fields: fields}
		}
	}
	c := &call{name: "client.api/update", method: http.MethodPut, path: "/client.api/update", id: id, body: req, kind: opWrite, resource: "client", scopes: scopesClientWrite}
	return s.c.clientCall(ctx, c)
}

// changedFields lists the request's fields whose values differ between the
// caller's earlier read and the current one.
func changedFields(req *ClientUpdateRequest, before, now *ClientDetail) []string {
	reqMap := jsonMap(req)
	a, b := jsonMap(before), jsonMap(now)
	var out []string
	for _, k := range sortedKeys(reqMap) {
		if k == "uuid" {
			continue
		}
		path := responsePath(k)
		if !reflect.DeepEqual(lookup(a, path), lookup(b, path)) {
			out = append(out, k)
		}
	}
	return out
}

// responsePath maps an update request field to where the response holds it.
func responsePath(reqField string) []string {
	switch reqField {
	case "webSite":
		return []string{"website"}
	case "billingClientUuid":
		return []string{"billingClient", "uuid"}
	case "accountManagerUuid":
		return []string{"accountManager", "uuid"}
	case "jobManagerUuid":
		return []string{"jobManager", "uuid"}
	}
	return []string{reqField}
}

// Archive archives a client (client.api/archive). Retried like a read; if a
// retry meets a 409 because the first attempt had archived the client, the
// archived client is returned.
func (s *ClientsService) Archive(ctx context.Context, uuid string) (*ClientDetail, error) {
	if err := needID("client.api/archive", "client", uuid); err != nil {
		return nil, err
	}
	c := &call{name: "client.api/archive", method: http.MethodPut, path: "/client.api/archive", id: uuid, body: &uuidRequest{UUID: &uuid}, kind: opWrite, resource: "client", scopes: scopesClientWrite}
	cd, err := s.c.clientCall(ctx, c)
	var ce *ConflictError
	if err != nil && c.attempts > 1 && errors.As(err, &ce) {
		if cur, gerr := s.Get(ctx, uuid); gerr == nil && cur.IsArchived.True() {
			return cur, nil
		}
	}
	return cd, err
}

// Delete deletes a client (client.api/delete). Retried like a read; a 404
// on a retry means the first attempt deleted it, and is success.
func (s *ClientsService) Delete(ctx context.Context, uuid string) error {
	if err := needID("client.api/delete", "client", uuid); err != nil {
		return err
	}
	c := &call{name: "client.api/delete", method: http.MethodPost, path: "/client.api/delete", id: uuid, body: &uuidRequest{UUID: &uuid}, kind: opWrite, resource: "client", scopes: scopesClientWrite}
	return s.c.statusCall(ctx, c, true)
}

// statusCall runs a call answered by a bare ResponseBaseDto.
func (cl *Client) statusCall(ctx context.Context, c *call, goneIsDone bool) error {
	err := cl.do(ctx, c, func(br *bodyReader) error {
		var out responseBase
		if err := decodeOne(br, &out); err != nil {
			return err
		}
		return checkStatus(c, out.Status)
	})
	var nf *NotFoundError
	if err != nil && goneIsDone && c.attempts > 1 && errors.As(err, &nf) {
		return nil
	}
	return err
}

// validate checks what the client relies on: uuids of the client and of the
// records it refers to.
func (cd *ClientDetail) validate(c *call, i int) error {
	if cd.GetUUID() == "" {
		return malformed(c, fmt.Sprintf("client %d has no uuid", i))
	}
	for j, r := range cd.Relationships {
		if Value(r.UUID) == "" || r.RelatedClient == nil || Value(r.RelatedClient.UUID) == "" {
			return malformed(c, fmt.Sprintf("relationship %d of client %s has no uuid or related client", j, cd.GetUUID()))
		}
	}
	for j, g := range cd.Groups {
		if Value(g.UUID) == "" {
			return malformed(c, fmt.Sprintf("group %d of client %s has no uuid", j, cd.GetUUID()))
		}
	}
	return nil
}

func malformed(c *call, reason string) error {
	return &MalformedResponseError{ErrorInfo: ErrorInfo{Op: c.name, StatusCode: http.StatusOK}, Reason: reason}
}

// needID refuses an empty record id before anything is sent.
func needID(op, resource, id string) error {
	if strings.TrimSpace(id) == "" {
		return fmt.Errorf("xpm %s: no %s uuid given", op, resource)
	}
	return nil
}
