package sandbox

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDemoPracticeHasTheHardCases(t *testing.T) {
	d := DemoPractice(t0)
	if len(d.Clients) != 60 || len(d.Groups) != 10 {
		t.Fatalf("demo: %d clients, %d groups", len(d.Clients), len(d.Groups))
	}
	byName := map[string][]*Client{}
	byID := map[string]*Client{}
	structures := map[string]int{}
	for _, c := range d.Clients {
		byName[c.Name] = append(byName[c.Name], c)
		byID[c.UUID] = c
		structures[c.BusinessStructure]++
		if c.CompanyNumber != "" && !ValidACN(c.CompanyNumber) {
			t.Errorf("%s: invalid ACN %s", c.Name, c.CompanyNumber)
		}
		if c.BusinessNumber != "" && !ValidABN(c.BusinessNumber) {
			t.Errorf("%s: invalid ABN %s", c.Name, c.BusinessNumber)
		}
		if c.TaxNumber != "" && !ValidTFN(c.TaxNumber) {
			t.Errorf("%s: invalid TFN %s", c.Name, c.TaxNumber)
		}
		if c.CompanyNumber != "" && strings.ReplaceAll(c.BusinessNumber, " ", "")[2:] != strings.ReplaceAll(c.CompanyNumber, " ", "") {
			t.Errorf("%s: a company's ABN must contain its ACN", c.Name)
		}
	}
	if smiths := byName["John Smith"]; len(smiths) != 2 || smiths[0].DateOfBirth == smiths[1].DateOfBirth {
		t.Errorf("want two different people called John Smith, got %d", len(smiths))
	}
	if len(byName["Bright Horizons Early Learning Pty Ltd"]) != 1 || len(byName["Bright Horizon Early Learning Pty Ltd"]) != 1 {
		t.Error("the near-duplicate company names are missing")
	}
	for _, want := range []string{"Individual", "Company", "Trust", "Discretionary Trust", "Unit Trust", "Superannuation Fund", "Partnership", DemoCustomStructure} {
		if structures[want] == 0 {
			t.Errorf("no client with business structure %q", want)
		}
	}
	groupsOf := map[string][]string{}
	for _, g := range d.Groups {
		for _, m := range g.Members {
			groupsOf[m] = append(groupsOf[m], g.Name)
		}
	}
	if emma := byName["Emma Williams"][0]; len(groupsOf[emma.UUID]) != 2 {
		t.Errorf("Emma Williams is in %v, want two groups", groupsOf[emma.UUID])
	}
	cross := 0
	for _, r := range d.Relationships {
		a, b := groupsOf[r.ClientUUID], groupsOf[r.RelatedClientUUID]
		if len(a) > 0 && len(b) > 0 && !shareAny(a, b) {
			cross++
		}
		if byID[r.ClientUUID] == nil || byID[r.RelatedClientUUID] == nil {
			t.Errorf("relationship %s refers to an unknown client", r.UUID)
		}
	}
	if cross == 0 {
		t.Error("no relationship crosses groups")
	}
	// corporate and individual trustees both appear
	trusteeKinds := map[string]bool{}
	for _, r := range d.Relationships {
		if r.Type == "Trustee" {
			trusteeKinds[byID[r.RelatedClientUUID].BusinessStructure] = true
		}
	}
	if !trusteeKinds["Company"] || !trusteeKinds["Individual"] {
		t.Errorf("trustee kinds %v", trusteeKinds)
	}
	if !reflect.DeepEqual(DemoPractice(t0), d) {
		t.Error("the demo practice is not the same on every run")
	}
}

func shareAny(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func TestGeneratorIsDeterministicAndValid(t *testing.T) {
	a := Generate(GenOptions{Clients: 500, Groups: 100, Seed: 9, Now: t0})
	b := Generate(GenOptions{Clients: 500, Groups: 100, Seed: 9, Now: t0})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same options, different data")
	}
	if len(a.Clients) != 500 || len(a.Groups) != 100 {
		t.Fatalf("%d clients, %d groups", len(a.Clients), len(a.Groups))
	}
	if _, err := practiceFromData(a); err != nil {
		t.Fatalf("generated data does not load: %v", err)
	}
	for _, c := range a.Clients {
		if c.BusinessNumber != "" && !ValidABN(c.BusinessNumber) || c.TaxNumber != "" && !ValidTFN(c.TaxNumber) {
			t.Fatalf("%s: invalid identifiers", c.Name)
		}
	}
	if c := Generate(GenOptions{Clients: 500, Groups: 100, Seed: 10, Now: t0}); reflect.DeepEqual(a.Clients[0].Name+a.Clients[1].Name, c.Clients[0].Name+c.Clients[1].Name) && a.Clients[0].UUID == c.Clients[0].UUID {
		t.Error("another seed gave the same data")
	}
}

func TestRelationshipsBothSidesAndDeleteCleansUp(t *testing.T) {
	s, fc := startSandbox(t, Options{Limits: Limits{Off: true}})
	tok := mint(t, s, UserAlex, "").AccessToken
	T := DemoPracticeID
	co := call(t, nil, s, tok, T, "POST", "/client.api/add", map[string]any{"name": "Birch Pty Ltd", "businessStructure": "company"}).must(t, 200)
	coID := strv(obj(co.body["client"])["uuid"])
	if bs := strv(obj(co.body["client"])["businessStructure"]); bs != "Company" {
		t.Errorf("business structure not normalised: %q", bs)
	}
	p := call(t, nil, s, tok, T, "POST", "/client.api/add", map[string]any{"name": "Ava Birch", "businessStructure": "Individual", "taxNumber": "123456782"}).must(t, 200)
	pID := strv(obj(p.body["client"])["uuid"])
	if tn := strv(obj(p.body["client"])["taxNumber"]); tn != "******782" {
		t.Errorf("tax number must be masked on read: %q", tn)
	}
	if c, _ := s.Client(T, pID); c.TaxNumber != "123456782" {
		t.Errorf("the full tax number must be kept: %q", c.TaxNumber)
	}
	noStruct := call(t, nil, s, tok, T, "POST", "/client.api/add", map[string]any{"name": "No Structure"}).must(t, 200)
	nsID := strv(obj(noStruct.body["client"])["uuid"])

	// refusals
	call(t, nil, s, tok, T, "POST", "/client.api/add", map[string]any{"name": "X", "businessStructure": "Family Office"}).must(t, 400)
	call(t, nil, s, tok, T, "POST", "/client.api/addrelationship", map[string]any{"clientUuid": coID, "relatedClientUuid": nsID, "type": "Director"}).must(t, 400)
	call(t, nil, s, tok, T, "POST", "/client.api/addrelationship", map[string]any{"clientUuid": coID, "relatedClientUuid": pID, "type": "Director", "numberOfShares": 5}).must(t, 400)
	call(t, nil, s, tok, T, "POST", "/client.api/addrelationship", map[string]any{"clientUuid": coID, "relatedClientUuid": pID, "type": "Cousin"}).must(t, 400)
	call(t, nil, s, tok, T, "POST", "/client.api/addrelationship", map[string]any{"clientUuid": coID, "relatedClientUuid": coID, "type": "Director"}).must(t, 400)

	fc.Advance(time.Minute)
	since := xpmTime(fc.Now())
	call(t, nil, s, tok, T, "POST", "/client.api/addrelationship", map[string]any{"clientUuid": coID, "relatedClientUuid": pID, "type": "Director"}).must(t, 200)
	// the mirror of an existing relationship is a duplicate
	call(t, nil, s, tok, T, "POST", "/client.api/addrelationship", map[string]any{"clientUuid": pID, "relatedClientUuid": coID, "type": "Director Of"}).must(t, 400)
	grp := call(t, nil, s, tok, T, "POST", "/clientgroup.api/add", map[string]any{"clientUuid": pID, "name": "Birch Group"}).must(t, 200)
	gID := strv(obj(grp.body["group"])["uuid"])
	call(t, nil, s, tok, T, "PUT", "/clientgroup.api/members", map[string]any{"uuid": gID, "add": []any{map[string]any{"uuid": coID}, map[string]any{"uuid": "missing"}}}).must(t, 400)
	call(t, nil, s, tok, T, "PUT", "/clientgroup.api/members", map[string]any{"uuid": gID, "add": []any{map[string]any{"uuid": coID}}}).must(t, 200)

	list := call(t, nil, s, tok, T, "GET", "/client.api/list?detailed=true&modifiedSince="+since, nil).must(t, 200)
	clients := arr(list.body["clients"])
	if len(clients) != 2 {
		t.Fatalf("modifiedSince: %d clients", len(clients))
	}
	for _, c := range clients {
		c := obj(c)
		rels := arr(c["relationships"])
		if len(rels) != 1 {
			t.Fatalf("%s: %d relationships", c["name"], len(rels))
		}
		want, other := "Director", "Ava Birch"
		if c["uuid"] == pID {
			want, other = "Director Of", "Birch Pty Ltd"
		}
		if r := obj(rels[0]); r["type"] != want || obj(r["relatedClient"])["name"] != other {
			t.Errorf("%s sees %v", c["name"], r)
		}
		if g := arr(c["groups"]); len(g) != 1 || obj(g[0])["name"] != "Birch Group" {
			t.Errorf("%s groups %v", c["name"], g)
		}
	}
	got := call(t, nil, s, tok, T, "GET", "/clientgroup.api/get/"+gID, nil).must(t, 200)
	if n := len(arr(obj(got.body["group"])["clients"])); n != 2 {
		t.Errorf("group has %d clients", n)
	}

	call(t, nil, s, tok, T, "POST", "/client.api/delete", map[string]any{"uuid": coID}).must(t, 200)
	call(t, nil, s, tok, T, "GET", "/client.api/get/"+coID, nil).must(t, 404)
	after := call(t, nil, s, tok, T, "GET", "/client.api/get/"+pID, nil).must(t, 200)
	if n := len(arr(obj(after.body["client"])["relationships"])); n != 0 {
		t.Errorf("deleting a client left %d relationships on the other side", n)
	}
	got = call(t, nil, s, tok, T, "GET", "/clientgroup.api/get/"+gID, nil).must(t, 200)
	if n := len(arr(obj(got.body["group"])["clients"])); n != 1 {
		t.Errorf("deleting a client left it in its group (%d members)", n)
	}
	rels, _ := s.Relationships(T)
	for _, r := range rels {
		if r.ClientUUID == coID || r.RelatedClientUUID == coID {
			t.Errorf("relationship %s survived", r.UUID)
		}
	}
}

func TestPagedListWalksEveryActiveClient(t *testing.T) {
	s, _ := startSandbox(t, Options{Data: "generated:237:40", Limits: Limits{Off: true}})
	tok := mint(t, s, UserAlex, "").AccessToken
	all, _ := s.Clients(DemoPracticeID)
	if _, err := s.UpdateClient(DemoPracticeID, all[5].UUID, func(c *Client) { c.IsArchived = "Yes" }); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	next := "/client.api/paged-list?pageSize=50"
	pages := 0
	for next != "" {
		r := call(t, nil, s, tok, DemoPracticeID, "GET", next, nil).must(t, 200)
		for _, c := range arr(r.body["clients"]) {
			id := strv(obj(c)["uuid"])
			if seen[id] {
				t.Fatalf("client %s on two pages", id)
			}
			seen[id] = true
			if _, has := obj(c)["relationships"]; has {
				t.Fatal("paged-list must return the base DTO without relationships")
			}
		}
		next = strv(obj(obj(r.body["pagination"])["links"])["next"])
		pages++
		if pages == 2 {
			// a client added between pages does not disturb the walk
			if _, err := s.PutClient(DemoPracticeID, Client{Name: "Aaron Aardvark", BusinessStructure: "Individual"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(seen) != 236 || seen[all[5].UUID] || pages != 5 {
		t.Errorf("walked %d clients in %d pages (archived seen: %v)", len(seen), pages, seen[all[5].UUID])
	}
	call(t, nil, s, tok, DemoPracticeID, "GET", "/client.api/paged-list?pageSize=0", nil).must(t, 400)
	call(t, nil, s, tok, DemoPracticeID, "GET", "/client.api/paged-list?pageToken=garbage", nil).must(t, 400)
}

func TestSaveLoadAndControlMutations(t *testing.T) {
	s, fc := startSandbox(t, Options{})
	cs, _ := s.Clients(DemoPracticeID)
	target := cs[0]
	fc.Advance(time.Hour)
	tok := mint(t, s, UserAlex, "").AccessToken
	since := xpmTime(fc.Now())
	if _, err := s.UpdateClient(DemoPracticeID, target.UUID, func(c *Client) {
		c.Email, c.Phone, c.City = "new@example.com.au", "(02) 9000 0000", "Manly"
	}); err != nil {
		t.Fatal(err)
	}
	g, err := s.PutGroup(DemoPracticeID, Group{Name: "Added There", Members: []string{cs[1].UUID}})
	if err != nil {
		t.Fatal(err)
	}
	r := call(t, nil, s, tok, DemoPracticeID, "GET", "/client.api/list?detailed=true&modifiedSince="+since, nil).must(t, 200)
	if n := len(arr(r.body["clients"])); n != 2 {
		t.Errorf("changed in the sandbox: %d clients modified, want 2", n)
	}
	path := filepath.Join(t.TempDir(), "state.json")
	if err := s.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	s2, _ := startSandbox(t, Options{Data: "empty"})
	if err := s2.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Data(DemoPracticeID)
	b, _ := s2.Data(DemoPracticeID)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Error("save and load do not round-trip")
	}
	if got, _ := s2.Groups(DemoPracticeID); len(got) != 11 || !containsGroup(got, g.UUID) {
		t.Errorf("loaded %d groups", len(got))
	}
	if err := s2.Load(strings.NewReader(`{"version":1,"practices":{"` + OrganisationID + `":{}}}`)); err == nil {
		t.Error("loading data into an organisation was accepted")
	}
	if err := s2.Load(strings.NewReader(`{"version":1,"practices":{},"extra":1}`)); err == nil {
		t.Error("an unknown field in saved data was accepted")
	}
}

func containsGroup(gs []Group, id string) bool {
	for _, g := range gs {
		if g.UUID == id {
			return true
		}
	}
	return false
}

func TestBothBasePathsAndUnimplemented(t *testing.T) {
	s, _ := startSandbox(t, Options{})
	tok := mint(t, s, UserAlex, "openid practicemanager").AccessToken
	a := call(t, nil, s, tok, DemoPracticeID, "GET", s.URL()+APIBasePath+"/staff.api/list", nil).must(t, 200)
	b := call(t, nil, s, tok, DemoPracticeID, "GET", s.URL()+APIBasePathV+"/staff.api/list", nil).must(t, 200)
	if !bytes.Equal(a.raw, b.raw) {
		t.Error("the two base path forms answer differently")
	}
	call(t, nil, s, tok, DemoPracticeID, "GET", "/job.api/current", nil).must(t, 501)
	call(t, nil, s, tok, DemoPracticeID, "GET", "/nothing.api/list", nil).must(t, 404)
}
