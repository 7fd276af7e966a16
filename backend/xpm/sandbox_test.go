package xpm_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"structura/backend/sandbox"
	"structura/backend/xpm"
	"structura/backend/xpm/xpmtest"
)

// Tests against the sandbox over real HTTP (acceptance 1, 3, 4).

var bg = context.Background()

// checkedClient returns a client whose every request and answer passes
// through the spec check on its way to the sandbox.
func checkedClient(t *testing.T, env *xpmtest.Env, mods ...func(*xpm.Config)) *xpm.Client {
	t.Helper()
	proxy := httptest.NewServer(xpm.SpecCheck(t, env.Tenant, env.Sandbox.Handler()))
	t.Cleanup(proxy.Close)
	return env.Client(t, append([]func(*xpm.Config){func(cfg *xpm.Config) {
		cfg.APIBaseURL = proxy.URL + sandbox.APIBasePath
		cfg.ConnectionsURL = proxy.URL + sandbox.ConnectionsPath
	}}, mods...)...)
}

func ok[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// Acceptance 1: every operation round-trips against the sandbox with
// request and answer validation on.
func TestSandboxRoundTrip(t *testing.T) {
	env := xpmtest.Run(t, xpmtest.Options{Sandbox: sandbox.Options{Data: "demo", Seed: 1}, User: sandbox.UserSam})
	c := checkedClient(t, env)

	// Connections: the practice is there.
	conns := ok[[]xpm.Connection](t)(c.Connections.List(bg))
	var practice, org *xpm.Connection
	for i := range conns {
		switch {
		case conns[i].TenantID == env.Tenant:
			practice = &conns[i]
		case !conns[i].IsPractice():
			org = &conns[i]
		}
	}
	if practice == nil || !practice.IsPractice() || practice.CreatedDateUTC.IsZero() || org == nil {
		t.Fatalf("connections %+v", conns)
	}

	staff := ok[[]xpm.Staff](t)(c.Staff.List(bg))
	if len(staff) == 0 {
		t.Fatal("no staff")
	}

	// Detailed list = the sandbox's clients, with relationships and groups.
	want := ok[[]sandbox.Client](t)(env.Sandbox.Clients(env.Tenant))
	var listed []*xpm.ClientDetail
	if err := c.Clients.List(bg, &xpm.ListOptions{Detailed: true}, func(cd *xpm.ClientDetail) error {
		listed = append(listed, cd)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(listed) != len(want) {
		t.Fatalf("listed %d clients, sandbox holds %d", len(listed), len(want))
	}
	rels, groups := 0, 0
	for _, cd := range listed {
		rels += len(cd.Relationships)
		groups += len(cd.Groups)
	}
	if rels == 0 || groups == 0 {
		t.Errorf("detailed list without relationships (%d) or groups (%d)", rels, groups)
	}

	// modifiedSince: only what changed after the mark.
	mark := env.Clock.Now()
	env.Clock.(interface{ Advance(time.Duration) }).Advance(time.Minute)
	_, err := env.Sandbox.UpdateClient(env.Tenant, want[0].UUID, func(cl *sandbox.Client) { cl.Phone = "02 9999 0000" })
	if err != nil {
		t.Fatal(err)
	}
	var changed []string
	if err := c.Clients.List(bg, &xpm.ListOptions{Detailed: true, ModifiedSince: mark}, func(cd *xpm.ClientDetail) error {
		changed = append(changed, cd.GetUUID())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(changed, want[0].UUID) || len(changed) >= len(want) {
		t.Errorf("modifiedSince returned %d clients", len(changed))
	}

	// Paged list: every page, no repeats.
	seen := map[string]bool{}
	for cb, err := range c.Clients.PagedAll(bg, 7) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[cb.GetUUID()] {
			t.Fatalf("%s paged twice", cb.GetUUID())
		}
		seen[cb.GetUUID()] = true
	}
	active := 0
	for _, w := range want {
		if w.IsArchived != "Yes" {
			active++
		}
	}
	if len(seen) != active {
		t.Errorf("paged %d clients, %d are active", len(seen), active)
	}

	// Search and get.
	found := ok[[]xpm.ClientDetail](t)(c.Clients.Search(bg, "smith", nil))
	if len(found) < 2 {
		t.Errorf("search smith: %d", len(found))
	}
	got := ok[*xpm.ClientDetail](t)(c.Clients.Get(bg, want[0].UUID))
	if got.GetName() != want[0].Name || xpm.Value(got.Phone) != "02 9999 0000" {
		t.Errorf("get %s: %q %q", want[0].UUID, got.GetName(), xpm.Value(got.Phone))
	}

	// Add an individual and a company with every kind of field.
	person := ok[*xpm.ClientDetail](t)(c.Clients.Add(bg, &xpm.ClientAddRequest{
		Name: xpm.Ptr("Ada Lovelace"), FirstName: xpm.Ptr("Ada"), LastName: xpm.Ptr("Lovelace"), Title: xpm.Ptr("Ms"),
		Email: xpm.Ptr("ada@example.com"), DateOfBirth: xpm.Date{Year: 1985, Month: time.December, Day: 10},
		BusinessStructure: xpm.Ptr("Individual"), IsProspect: xpm.No, TaxNumber: xpm.Ptr("123456782"),
		WebSite: xpm.Ptr("https://ada.example"), BalanceMonth: xpm.Ptr("6"), GSTRegistered: xpm.No,
		Contacts: []xpm.ContactInsert{{Name: xpm.Ptr("Ada Lovelace"), Email: xpm.Ptr("ada@example.com"), IsPrimary: xpm.Yes}},
	}))
	company := ok[*xpm.ClientDetail](t)(c.Clients.Add(bg, &xpm.ClientAddRequest{
		Name: xpm.Ptr("Analytical Engines Pty Ltd"), BusinessStructure: xpm.Ptr("Company"), GSTRegistered: xpm.Yes,
		GSTPeriod: xpm.Ptr(3), PrepareGST: xpm.Yes, ProvisionalTaxRatio: xpm.Ptr(12.5),
	}))
	p := ok[*xpm.ClientDetail](t)(c.Clients.Get(bg, person.GetUUID()))
	if p.GetName() != "Ada Lovelace" || xpm.Value(p.Email) != "ada@example.com" || p.DateOfBirth != (xpm.Date{Year: 1985, Month: time.December, Day: 10}) ||
		xpm.Value(p.Website) != "https://ada.example" || xpm.Value(p.BalanceMonth) != 6 || p.IsProspect != xpm.No || len(p.Contacts) != 1 {
		t.Errorf("person read back: %+v", p.ClientBase)
	}
	if tn := xpm.Value(p.TaxNumber); tn == "123456782" || !strings.HasSuffix(tn, "782") {
		t.Errorf("tax number read back as %q: want masked to the last 3 digits", tn)
	}
	co := ok[*xpm.ClientDetail](t)(c.Clients.Get(bg, company.GetUUID()))
	if xpm.Value(co.GSTPeriod) != "3" || !co.GSTRegistered.True() || xpm.Value(co.ProvisionalTaxRatio) != 12.5 {
		t.Errorf("company read back: gstPeriod %q gst %v ratio %v", xpm.Value(co.GSTPeriod), co.GSTRegistered, co.ProvisionalTaxRatio)
	}

	// Update (with the stale-read check) and read back.
	up := ok[*xpm.ClientDetail](t)(c.Clients.Update(bg, &xpm.ClientUpdateRequest{UUID: person.UUID, Email: xpm.Ptr("ada@lovelace.example"), Phone: xpm.Ptr("0400 000 000")}, &xpm.UpdateOptions{Expected: p}))
	if xpm.Value(up.Email) != "ada@lovelace.example" || xpm.Value(up.Phone) != "0400 000 000" || up.GetName() != "Ada Lovelace" {
		t.Errorf("updated: %+v", up.ClientBase)
	}

	// Relationships: add, see on both sides, update, delete.
	rel := ok[*xpm.RelationshipDetail](t)(c.Relationships.Add(bg, &xpm.RelationshipAddRequest{
		ClientUUID: person.UUID, RelatedClientUUID: company.UUID, Type: xpm.Ptr("Shareholder"),
		NumberOfShares: xpm.Ptr(50), Percentage: xpm.Ptr(50.0), StartDate: xpm.Date{Year: 2020, Month: time.July, Day: 1},
	}))
	if xpm.Value(rel.RelationshipType.Name) != "Shareholder" || xpm.Value(rel.RelatedClient.UUID) != company.GetUUID() {
		t.Errorf("relationship %+v", rel)
	}
	onCompany := ok[*xpm.ClientDetail](t)(c.Clients.Get(bg, company.GetUUID()))
	if len(onCompany.Relationships) != 1 || xpm.Value(onCompany.Relationships[0].Type) != "Shareholder Of" {
		t.Errorf("company side %+v", onCompany.Relationships)
	}
	rel = ok[*xpm.RelationshipDetail](t)(c.Relationships.Update(bg, &xpm.RelationshipUpdateRequest{UUID: rel.UUID, NumberOfShares: xpm.Ptr(60), Percentage: xpm.Ptr(60.0)}))
	if xpm.Value(rel.NumberOfShares) != 60 {
		t.Errorf("updated relationship %+v", rel)
	}
	if err := c.Relationships.Delete(bg, xpm.Value(rel.UUID)); err != nil {
		t.Fatal(err)
	}
	if p := ok[*xpm.ClientDetail](t)(c.Clients.Get(bg, person.GetUUID())); len(p.Relationships) != 0 {
		t.Errorf("relationship still there: %+v", p.Relationships)
	}

	// Groups: add with a first member, add/remove members, list, delete.
	g := ok[*xpm.GroupDetail](t)(c.Groups.Add(bg, &xpm.GroupAddRequest{ClientUUID: person.UUID, Name: xpm.Ptr("Lovelace Family"), Taxable: xpm.No}))
	gid := xpm.Value(g.UUID)
	g = ok[*xpm.GroupDetail](t)(c.Groups.AddMembers(bg, gid, company.GetUUID()))
	if len(g.Clients) != 2 {
		t.Errorf("members after add %+v", g.Clients)
	}
	g = ok[*xpm.GroupDetail](t)(c.Groups.RemoveMembers(bg, gid, person.GetUUID()))
	if len(g.Clients) != 1 || xpm.Value(g.Clients[0].UUID) != company.GetUUID() {
		t.Errorf("members after remove %+v", g.Clients)
	}
	gs := ok[[]xpm.Group](t)(c.Groups.List(bg))
	if !slices.ContainsFunc(gs, func(x xpm.Group) bool { return xpm.Value(x.UUID) == gid && x.Taxable == xpm.No }) {
		t.Errorf("group not listed")
	}
	g = ok[*xpm.GroupDetail](t)(c.Groups.Get(bg, gid))
	if xpm.Value(g.Name) != "Lovelace Family" {
		t.Errorf("group %+v", g)
	}
	if err := c.Groups.Delete(bg, gid); err != nil {
		t.Fatal(err)
	}
	var nf *xpm.NotFoundError
	if _, err := c.Groups.Get(bg, gid); !errors.As(err, &nf) {
		t.Errorf("deleted group: %v", err)
	}

	// Archive, then delete.
	ar := ok[*xpm.ClientDetail](t)(c.Clients.Archive(bg, company.GetUUID()))
	if !ar.IsArchived.True() {
		t.Error("not archived")
	}
	if err := c.Clients.Delete(bg, person.GetUUID()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Clients.Get(bg, person.GetUUID()); !errors.As(err, &nf) {
		t.Errorf("deleted client: %v", err)
	}

	// Disconnect the organisation (identity DELETE /connections/{id}).
	if err := c.Connections.Delete(bg, org.ID); err != nil {
		t.Fatal(err)
	}
	conns = ok[[]xpm.Connection](t)(c.Connections.List(bg))
	if slices.ContainsFunc(conns, func(x xpm.Connection) bool { return x.ID == org.ID }) {
		t.Error("connection still listed")
	}
	if st := c.Pacer().Stats(); st.RateLimited != 0 {
		t.Errorf("%d answers were 429", st.RateLimited)
	}
}
