package xpm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var ctx = context.Background()

func TestClientsListStreamsDetailed(t *testing.T) {
	c, env := setup(t)
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("AEDT", 11*3600))
	env.handle("/client.api/list", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		if got := queryOf(r, "detailed"); got != "true" {
			t.Errorf("detailed=%q", got)
		}
		if got := queryOf(r, "modifiedSince"); got != "2026-01-01T16:04:05" {
			t.Errorf("modifiedSince=%q, want UTC without offset", got)
		}
		rel := map[string]any{"uuid": uuidN(700), "type": "Director", "relatedClient": map[string]any{"uuid": uuidN(2), "name": "B"}, "numberOfShares": nil, "percentage": 12.5, "startDate": "2020-07-01T00:00:00", "endDate": nil}
		writeJSON(w, 200, map[string]any{"status": "OK", "clients": []any{detailedJSON(uuidN(1), "A", rel), detailedJSON(uuidN(2), "B")}})
	})
	var got []*ClientDetail
	var last ListProgress
	err := c.Clients.List(ctx, &ListOptions{Detailed: true, ModifiedSince: since, Progress: func(p ListProgress) { last = p }}, func(cd *ClientDetail) error {
		got = append(got, cd)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].GetName() != "A" || got[1].GetUUID() != uuidN(2) {
		t.Fatalf("got %+v", got)
	}
	a := got[0]
	if v, ok := a.IsProspect.Get(); !ok || v {
		t.Errorf("isProspect %v", a.IsProspect)
	}
	if a.Email != nil {
		t.Error("null email read as a value")
	}
	if Value(a.BalanceMonth) != 6 || Value(a.GSTPeriod) != "2" || Value(a.Website) != "https://example.com" {
		t.Errorf("per-direction fields: %v %v %v", a.BalanceMonth, a.GSTPeriod, a.Website)
	}
	r := a.Relationships[0]
	if Value(r.Type) != "Director" || r.NumberOfShares != nil || Value(r.Percentage) != 12.5 || r.StartDate != (Date{2020, time.July, 1}) || !r.EndDate.IsZero() {
		t.Errorf("relationship %+v", r)
	}
	if !last.Done || last.Clients != 2 || last.Bytes == 0 {
		t.Errorf("progress %+v", last)
	}
}

func TestClientsAllStopsEarly(t *testing.T) {
	c, env := setup(t)
	env.handle("/client.api/list", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"status": "OK", "clients": []any{clientJSON(uuidN(1), "A"), clientJSON(uuidN(2), "B"), clientJSON(uuidN(3), "C")}})
	})
	n := 0
	for cd, err := range c.Clients.All(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if cd.GetUUID() == uuidN(2) {
			break
		}
	}
	if n != 2 {
		t.Errorf("iterated %d", n)
	}
}

func TestClientsListCallbackErrorIsReturned(t *testing.T) {
	c, env := setup(t)
	env.handle("/client.api/list", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"status": "OK", "clients": []any{clientJSON(uuidN(1), "A")}})
	})
	sentinel := errors.New("disk full")
	err := c.Clients.List(ctx, nil, func(*ClientDetail) error { return sentinel })
	if err != sentinel {
		t.Fatalf("got %v", err)
	}
}

// A list cut short by the network is read again; clients already delivered
// are not delivered twice.
func TestClientsListResumesWithoutDuplicates(t *testing.T) {
	c, env := setup(t)
	var calls atomic.Int32
	env.v.skipResponses = true
	env.handle("/client.api/list", func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		var b strings.Builder
		b.WriteString(`{"status":"OK","clients":[`)
		for i := 1; i <= 200; i++ {
			if i > 1 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"uuid":%q,"name":"Client %d"}`, uuidN(i), i)
		}
		b.WriteString("]}")
		body := b.String()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		if n == 1 {
			// Send half, then drop the connection.
			_, _ = w.Write([]byte(body[:len(body)/2]))
			w.(http.Flusher).Flush()
			resetConnection(t, w)
			return
		}
		_, _ = w.Write([]byte(body))
	})
	seen := map[string]int{}
	var restarts int
	err := c.Clients.List(ctx, &ListOptions{Progress: func(p ListProgress) { restarts = p.Restarts }}, func(cd *ClientDetail) error {
		seen[cd.GetUUID()]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 200 {
		t.Fatalf("delivered %d clients", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
	}
	if calls.Load() != 2 || restarts != 1 {
		t.Errorf("calls %d restarts %d", calls.Load(), restarts)
	}
}

func TestClientsPagedList(t *testing.T) {
	c, env := setup(t)
	env.handle("/client.api/paged-list", func(w http.ResponseWriter, r *http.Request) {
		if queryOf(r, "pageSize") != "2" {
			t.Errorf("pageSize %q", queryOf(r, "pageSize"))
		}
		base := func(id, name string) map[string]any {
			m := clientJSON(id, name)
			delete(m, "contacts")
			return m
		}
		switch queryOf(r, "pageToken") {
		case "":
			writeJSON(w, 200, map[string]any{"status": "OK", "clients": []any{base(uuidN(1), "A"), base(uuidN(2), "B")},
				"pagination": map[string]any{"links": map[string]any{"first": "/client.api/paged-list?pageSize=2", "next": "https://api.xero.com/practicemanager/3.1/client.api/paged-list?pageSize=2&pageToken=abc%3D"}}})
		case "abc=":
			writeJSON(w, 200, map[string]any{"status": "OK", "clients": []any{base(uuidN(3), "C")}, "pagination": map[string]any{"links": map[string]any{"first": "x", "next": nil}}})
		default:
			t.Errorf("pageToken %q", queryOf(r, "pageToken"))
		}
	})
	var names []string
	for cb, err := range c.Clients.PagedAll(ctx, 2) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, cb.GetName())
	}
	if strings.Join(names, ",") != "A,B,C" {
		t.Errorf("got %v", names)
	}
}

func TestPageToken(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "abc": "abc", "?pageToken=x%2By": "x+y",
		"https://h/p/client.api/paged-list?pageSize=50&pageToken=t1": "t1",
		"https://h/p/client.api/paged-list?pageSize=50":              "",
	} {
		if got := pageToken(in); got != want {
			t.Errorf("%q: %q want %q", in, got, want)
		}
	}
}

func TestClientsSearchGetAddUpdateArchiveDelete(t *testing.T) {
	c, env := setup(t)
	env.handle("/client.api/search", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		if queryOf(r, "query") != "Smith & Sons" {
			t.Errorf("query %q", queryOf(r, "query"))
		}
		writeJSON(w, 200, map[string]any{"status": "OK", "clients": []any{clientJSON(uuidN(1), "Smith & Sons")}})
	})
	env.handle("/client.api/get/", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		if r.URL.Path != apiPrefix+"/client.api/get/"+uuidN(1) {
			t.Errorf("path %s", r.URL.Path)
		}
		writeJSON(w, 200, map[string]any{"status": "OK", "client": detailedJSON(uuidN(1), "Smith & Sons")})
	})
	env.handle("/client.api/add", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		b := readBody(t, r)
		if b["name"] != "New Co" || b["webSite"] != "https://new.example" || b["balanceMonth"] != "6" || b["gstPeriod"] != float64(2) || b["isProspect"] != "Yes" {
			t.Errorf("add body %v", b)
		}
		if _, ok := b["email"]; ok {
			t.Error("unset email sent")
		}
		writeJSON(w, 200, map[string]any{"status": "OK", "client": clientJSON(uuidN(9), "New Co")})
	})
	env.handle("/client.api/update", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPut)
		b := readBody(t, r)
		if b["uuid"] != uuidN(1) || b["email"] != "" || len(b) != 2 {
			t.Errorf("update body %v", b)
		}
		writeJSON(w, 200, map[string]any{"status": "OK", "client": clientJSON(uuidN(1), "Smith & Sons")})
	})
	env.handle("/client.api/archive", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPut)
		if b := readBody(t, r); b["uuid"] != uuidN(1) {
			t.Errorf("archive body %v", b)
		}
		cj := clientJSON(uuidN(1), "Smith & Sons")
		cj["isArchived"] = "Yes"
		writeJSON(w, 200, map[string]any{"status": "OK", "client": cj})
	})
	env.handle("/client.api/delete", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		if b := readBody(t, r); b["uuid"] != uuidN(1) {
			t.Errorf("delete body %v", b)
		}
		writeJSON(w, 200, map[string]any{"status": "OK"})
	})

	found := must[[]ClientDetail](t)(c.Clients.Search(ctx, "Smith & Sons", nil))
	if len(found) != 1 || found[0].GetUUID() != uuidN(1) {
		t.Errorf("search %+v", found)
	}
	got := must[*ClientDetail](t)(c.Clients.Get(ctx, uuidN(1)))
	if len(got.Groups) != 1 {
		t.Errorf("get %+v", got)
	}
	added := must[*ClientDetail](t)(c.Clients.Add(ctx, &ClientAddRequest{Name: Ptr("New Co"), WebSite: Ptr("https://new.example"), BalanceMonth: Ptr("6"), GSTPeriod: Ptr(2), IsProspect: Yes}))
	if added.GetUUID() != uuidN(9) {
		t.Errorf("add %+v", added)
	}
	must[*ClientDetail](t)(c.Clients.Update(ctx, &ClientUpdateRequest{UUID: Ptr(uuidN(1)), Email: Ptr("")}, nil))
	ar := must[*ClientDetail](t)(c.Clients.Archive(ctx, uuidN(1)))
	if !ar.IsArchived.True() {
		t.Error("not archived")
	}
	if err := c.Clients.Delete(ctx, uuidN(1)); err != nil {
		t.Fatal(err)
	}
}

// Update with Expected refuses to overwrite a field someone changed in XPM
// since the caller's read, without sending the update.
func TestClientsUpdateDetectsChangeSinceRead(t *testing.T) {
	c, env := setup(t)
	var updates atomic.Int32
	env.handle("/client.api/get/", func(w http.ResponseWriter, r *http.Request) {
		cj := detailedJSON(uuidN(1), "Smith")
		cj["email"] = "changed@elsewhere.example"
		cj["accountManager"] = map[string]any{"uuid": uuidN(901), "name": "Staff Two"}
		writeJSON(w, 200, map[string]any{"status": "OK", "client": cj})
	})
	env.handle("/client.api/update", func(w http.ResponseWriter, r *http.Request) {
		updates.Add(1)
		writeJSON(w, 200, map[string]any{"status": "OK", "client": clientJSON(uuidN(1), "Smith")})
	})
	expected := &ClientDetail{}
	expected.UUID, expected.Name, expected.Email = Ptr(uuidN(1)), Ptr("Smith"), Ptr("old@example.com")
	expected.AccountManager = &NamedEntity{UUID: Ptr(uuidN(900))}
	expected.Phone = Ptr("123")

	// Only phone is sent: its value is unchanged in XPM, so the update goes.
	if _, err := c.Clients.Update(ctx, &ClientUpdateRequest{UUID: Ptr(uuidN(1)), Phone: nil, Name: Ptr("Smith")}, &UpdateOptions{Expected: expected}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Clients.Update(ctx, &ClientUpdateRequest{UUID: Ptr(uuidN(1)), Email: Ptr("new@example.com"), AccountManagerUUID: Ptr(uuidN(902)), Name: Ptr("Smith")}, &UpdateOptions{Expected: expected})
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v", err)
	}
	if strings.Join(ce.Fields, ",") != "accountManagerUuid,email" {
		t.Errorf("fields %v", ce.Fields)
	}
	if updates.Load() != 1 {
		t.Errorf("%d updates sent", updates.Load())
	}
}

func TestClientsUpdateConflict409(t *testing.T) {
	c, env := setup(t)
	env.handle("/client.api/update", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusConflict, "The client has been modified")
	})
	_, err := c.Clients.Update(ctx, &ClientUpdateRequest{UUID: Ptr(uuidN(1)), Name: Ptr("X")}, nil)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.StatusCode != 409 || ce.ID != uuidN(1) || ce.Description != "The client has been modified" {
		t.Fatalf("got %#v", err)
	}
	if strings.Contains(err.Error(), "modified") {
		t.Error("XPM's description is in the error string (it ends up in logs)")
	}
}

// A delete whose first attempt landed but whose answer was lost meets a 404
// on retry: that is success.
func TestClientsDeleteRetryAfterLanding(t *testing.T) {
	c, env := setup(t)
	var calls atomic.Int32
	env.handle("/client.api/delete", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			resetConnection(t, w)
			return
		}
		writeError(w, http.StatusNotFound, "Client not found")
	})
	if err := c.Clients.Delete(ctx, uuidN(1)); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d calls", calls.Load())
	}
	// A first-attempt 404 is an error.
	calls.Store(5)
	err := c.Clients.Delete(ctx, uuidN(2))
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Resource != "client" || nf.ID != uuidN(2) {
		t.Fatalf("got %v", err)
	}
}
