package xpm

import (
	"errors"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func relDetailJSON(id, client, related, typ string) map[string]any {
	return map[string]any{
		"uuid": id, "client": map[string]any{"uuid": client, "name": "A"}, "relatedClient": map[string]any{"uuid": related, "name": "B"},
		"relationshipType": map[string]any{"name": typ}, "numberOfShares": 100, "percentage": nil, "startDate": "2021-01-01T00:00:00", "endDate": nil,
	}
}

func TestRelationships(t *testing.T) {
	c, env := setup(t)
	env.handle("/client.api/addrelationship", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		b := readBody(t, r)
		if b["clientUuid"] != uuidN(1) || b["relatedClientUuid"] != uuidN(2) || b["type"] != "Shareholder" || b["numberOfShares"] != float64(100) || b["startDate"] != "2021-01-01T00:00:00" {
			t.Errorf("add body %v", b)
		}
		writeJSON(w, 200, map[string]any{"status": "OK", "clientRelationship": relDetailJSON(uuidN(70), uuidN(1), uuidN(2), "Shareholder")})
	})
	env.handle("/client.api/updaterelationship", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPut)
		b := readBody(t, r)
		if b["uuid"] != uuidN(70) || b["percentage"] != 50.5 {
			t.Errorf("update body %v", b)
		}
		writeJSON(w, 200, map[string]any{"status": "OK", "clientRelationship": relDetailJSON(uuidN(70), uuidN(1), uuidN(2), "Shareholder")})
	})
	env.handle("/client.api/deleterelationship", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		if b := readBody(t, r); b["uuid"] != uuidN(70) {
			t.Errorf("delete body %v", b)
		}
		writeJSON(w, 200, map[string]any{"status": "OK", "clientRelationship": nil})
	})
	rd := must[*RelationshipDetail](t)(c.Relationships.Add(ctx, &RelationshipAddRequest{ClientUUID: Ptr(uuidN(1)), RelatedClientUUID: Ptr(uuidN(2)), Type: Ptr("Shareholder"), NumberOfShares: Ptr(100), StartDate: Date{2021, time.January, 1}}))
	if Value(rd.UUID) != uuidN(70) || Value(rd.RelationshipType.Name) != "Shareholder" {
		t.Errorf("add %+v", rd)
	}
	must[*RelationshipDetail](t)(c.Relationships.Update(ctx, &RelationshipUpdateRequest{UUID: Ptr(uuidN(70)), Percentage: Ptr(50.5)}))
	if err := c.Relationships.Delete(ctx, uuidN(70)); err != nil {
		t.Fatal(err)
	}
}

// An addrelationship whose connection drops after XPM applied it is found
// on the client and not sent again.
func TestRelationshipAddLandedIsNotRepeated(t *testing.T) {
	c, env := setup(t)
	var adds atomic.Int32
	env.handle("/client.api/addrelationship", func(w http.ResponseWriter, r *http.Request) {
		adds.Add(1)
		resetConnection(t, w) // applied, answer lost
	})
	env.handle("/client.api/get/", func(w http.ResponseWriter, r *http.Request) {
		rel := map[string]any{"uuid": uuidN(71), "type": "Director", "relatedClient": map[string]any{"uuid": uuidN(2), "name": "B"}}
		other := map[string]any{"uuid": uuidN(72), "type": "Shareholder", "relatedClient": map[string]any{"uuid": uuidN(2), "name": "B"}}
		writeJSON(w, 200, map[string]any{"status": "OK", "client": detailedJSON(uuidN(1), "A", other, rel)})
	})
	rd, err := c.Relationships.Add(ctx, &RelationshipAddRequest{ClientUUID: Ptr(uuidN(1)), RelatedClientUUID: Ptr(uuidN(2)), Type: Ptr("director")})
	if err != nil {
		t.Fatal(err)
	}
	if Value(rd.UUID) != uuidN(71) || Value(rd.Client.UUID) != uuidN(1) {
		t.Errorf("got %+v", rd)
	}
	if adds.Load() != 1 {
		t.Errorf("%d adds sent", adds.Load())
	}
}

func TestGroups(t *testing.T) {
	c, env := setup(t)
	env.handle("/clientgroup.api/list", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		writeJSON(w, 200, map[string]any{"status": "OK", "groups": []any{map[string]any{"uuid": uuidN(500), "name": "Smith Group", "taxable": "No", "webUrl": nil}}})
	})
	group := func(members ...string) map[string]any {
		var ms []any
		for _, m := range members {
			ms = append(ms, map[string]any{"uuid": m, "name": "M"})
		}
		return map[string]any{"status": "OK", "group": map[string]any{"uuid": uuidN(500), "name": "Smith Group", "taxable": "Yes", "webUrl": "https://x", "clients": ms}}
	}
	env.handle("/clientgroup.api/get/", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		writeJSON(w, 200, group(uuidN(1), uuidN(2)))
	})
	env.handle("/clientgroup.api/add", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		b := readBody(t, r)
		if b["clientUuid"] != uuidN(1) || b["name"] != "Smith Group" || b["taxable"] != "Yes" {
			t.Errorf("add body %v", b)
		}
		writeJSON(w, 200, group(uuidN(1)))
	})
	env.handle("/clientgroup.api/members", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPut)
		b := readBody(t, r)
		if b["uuid"] != uuidN(500) || len(b["add"].([]any)) != 1 || len(b["remove"].([]any)) != 1 {
			t.Errorf("members body %v", b)
		}
		writeJSON(w, 200, group(uuidN(1), uuidN(3)))
	})
	env.handle("/clientgroup.api/delete", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		writeJSON(w, 200, map[string]any{"status": "OK"})
	})
	gs := must[[]Group](t)(c.Groups.List(ctx))
	if len(gs) != 1 || gs[0].Taxable != No {
		t.Errorf("list %+v", gs)
	}
	gd := must[*GroupDetail](t)(c.Groups.Get(ctx, uuidN(500)))
	if len(gd.Clients) != 2 || !gd.Taxable.True() {
		t.Errorf("get %+v", gd)
	}
	must[*GroupDetail](t)(c.Groups.Add(ctx, &GroupAddRequest{ClientUUID: Ptr(uuidN(1)), Name: Ptr("Smith Group"), Taxable: Yes}))
	gd = must[*GroupDetail](t)(c.Groups.Members(ctx, uuidN(500), []string{uuidN(3)}, []string{uuidN(2)}))
	if !gd.hasMember(uuidN(3)) {
		t.Errorf("members %+v", gd)
	}
	if err := c.Groups.Delete(ctx, uuidN(500)); err != nil {
		t.Fatal(err)
	}
}

// A group add whose answer is lost after it landed is found by name and
// member; a members change is re-read and only the remainder is sent.
func TestGroupWritesAfterAmbiguousFailures(t *testing.T) {
	c, env := setup(t)
	var mu sync.Mutex
	members := map[string]bool{uuidN(1): true}
	created := false
	var adds, memberCalls atomic.Int32
	groupBody := func() map[string]any {
		mu.Lock()
		defer mu.Unlock()
		var ms []any
		var ids []string
		for m := range members {
			ids = append(ids, m)
		}
		sort.Strings(ids)
		for _, m := range ids {
			ms = append(ms, map[string]any{"uuid": m, "name": "M"})
		}
		return map[string]any{"status": "OK", "group": map[string]any{"uuid": uuidN(501), "name": "Jones Group", "taxable": "No", "clients": ms}}
	}
	env.handle("/clientgroup.api/add", func(w http.ResponseWriter, r *http.Request) {
		adds.Add(1)
		mu.Lock()
		created = true
		mu.Unlock()
		writeError(w, http.StatusBadGateway, "upstream timeout") // applied, but answered 502
	})
	env.handle("/clientgroup.api/list", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		gs := []any{map[string]any{"uuid": uuidN(502), "name": "Jones Group", "taxable": "No"}} // same name, other members
		if created {
			gs = append(gs, map[string]any{"uuid": uuidN(501), "name": "jones group ", "taxable": "No"})
		}
		writeJSON(w, 200, map[string]any{"status": "OK", "groups": gs})
	})
	env.handle("/clientgroup.api/get/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, uuidN(502)) {
			writeJSON(w, 200, map[string]any{"status": "OK", "group": map[string]any{"uuid": uuidN(502), "name": "Jones Group", "clients": []any{map[string]any{"uuid": uuidN(99), "name": "Z"}}}})
			return
		}
		writeJSON(w, 200, groupBody())
	})
	env.handle("/clientgroup.api/members", func(w http.ResponseWriter, r *http.Request) {
		n := memberCalls.Add(1)
		b := readBody(t, r)
		mu.Lock()
		for _, a := range asList(b["add"]) {
			members[a.(map[string]any)["uuid"].(string)] = true
		}
		for _, a := range asList(b["remove"]) {
			delete(members, a.(map[string]any)["uuid"].(string))
		}
		mu.Unlock()
		if n == 1 {
			resetConnection(t, w) // applied, answer lost
			return
		}
		t.Errorf("members sent again with %v", b)
		writeJSON(w, 200, groupBody())
	})
	gd, err := c.Groups.Add(ctx, &GroupAddRequest{ClientUUID: Ptr(uuidN(1)), Name: Ptr("Jones Group")})
	if err != nil {
		t.Fatal(err)
	}
	if Value(gd.UUID) != uuidN(501) || adds.Load() != 1 {
		t.Errorf("add: %s after %d adds", Value(gd.UUID), adds.Load())
	}
	gd, err = c.Groups.Members(ctx, uuidN(501), []string{uuidN(2), uuidN(3)}, []string{uuidN(1)})
	if err != nil {
		t.Fatal(err)
	}
	if !gd.hasMember(uuidN(2)) || !gd.hasMember(uuidN(3)) || gd.hasMember(uuidN(1)) || memberCalls.Load() != 1 {
		t.Errorf("members %+v after %d calls", gd.Clients, memberCalls.Load())
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func TestStaffList(t *testing.T) {
	c, env := setup(t)
	env.handle("/staff.api/list", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		writeJSON(w, 200, map[string]any{"status": "OK", "staffList": []any{map[string]any{"uuid": uuidN(900), "name": "Staff One", "email": "s@example.com", "phone": nil, "mobile": nil, "address": nil, "payrollCode": nil, "webUrl": nil}}})
	})
	st := must[[]Staff](t)(c.Staff.List(ctx))
	if len(st) != 1 || Value(st[0].Name) != "Staff One" || st[0].Phone != nil {
		t.Errorf("got %+v", st)
	}
}

func TestConnections(t *testing.T) {
	c, env := setup(t)
	env.mux.HandleFunc("/connections", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		if r.Header.Get("xero-tenant-id") != "" {
			t.Error("tenant id sent to identity")
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"id":"7cb59f93-2964-421d-bb5e-a0f7a4572a44","tenantId":"fe79f7dd-b6d4-4a92-ba7b-538af6289c58","tenantName":"Demo Practice","tenantType":"PRACTICE","createdDateUtc":"2019-12-07T18:46:19.5165400","updatedDateUtc":"2019-12-07T18:46:19Z"},
			{"id":"8cb59f93-2964-421d-bb5e-a0f7a4572a44","tenantId":"ae79f7dd-b6d4-4a92-ba7b-538af6289c58","tenantName":"Demo Org","tenantType":"ORGANISATION","createdDateUtc":"2019-12-07T18:46:19","updatedDateUtc":"2019-12-07T18:46:19"}]`))
	})
	var deletes atomic.Int32
	env.mux.HandleFunc("/connections/", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodDelete)
		if deletes.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNotFound) // the first one landed
	})
	cs := must[[]Connection](t)(c.Connections.List(ctx))
	if len(cs) != 2 || !cs[0].IsPractice() || cs[1].IsPractice() || cs[0].CreatedDateUTC.Nanosecond() != 516540000 {
		t.Errorf("got %+v", cs)
	}
	if err := c.Connections.Delete(ctx, cs[0].ID); err != nil {
		t.Fatal(err)
	}
	if c.Pacer().Stats().Calls != 0 {
		t.Error("identity calls went through the tenant pacer")
	}
	deletes.Store(10)
	var nf *NotFoundError
	if err := c.Connections.Delete(ctx, cs[0].ID); !errors.As(err, &nf) {
		t.Errorf("got %v", err)
	}
}
